/*
 * tty.c: a secret from the terminal, without echo (see tty.h).
 */
#include "common/tty.h"
#include "common/error.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>

int
cm_tty_secret(const char *prompt, char *out, size_t size)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	size_t n;

	if (tty == NULL) {
		return CM_ENOENT;
	}
	fputs(prompt, tty);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	if (fgets(out, (int)size, tty) == NULL) {
		out[0] = '\0';
	}
	/* The echo comes back whatever was typed. */
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputs("\n", tty);
	fclose(tty);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) {
		out[--n] = '\0';
	}
	return 0;
}
