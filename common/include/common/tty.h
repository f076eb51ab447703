/*
 * tty.h: asking the person at the terminal for a secret (passwords for
 * ow-node init, ow-ctl, ow-desk's command line), without echo.
 */
#ifndef CM_TTY_H
#define CM_TTY_H

#include <stddef.h>

/*
 * Print prompt on /dev/tty and read one line without echo into out (size
 * bytes, NUL-terminated, the newline removed). Returns 0, or CM_ENOENT
 * when there is no terminal (scripts then use an environment variable).
 */
int cm_tty_secret(const char *prompt, char *out, size_t size);

#endif
