/*
 * sbuf.c: growable string buffer.
 */
#include "common/sbuf.h"
#include "common/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void
cm_sbuf_init(struct cm_sbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
cm_sbuf_free(struct cm_sbuf *b)
{
	cm_free(b->data);
	memset(b, 0, sizeof(*b));
}

static int
reserve(struct cm_sbuf *b, size_t extra)
{
	size_t need;
	char *n;
	size_t ncap;

	if (b->oom) {
		return -1;
	}
	if (extra > SIZE_MAX / 4 - b->len) {
		b->oom = 1;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->cap) {
		return 0;
	}
	ncap = b->cap == 0 ? 256 : b->cap;
	while (ncap < need) {
		ncap *= 2;
	}
	n = cm_realloc(b->data, ncap);
	if (n == NULL) {
		b->oom = 1;
		return -1;
	}
	b->data = n;
	b->cap = ncap;
	return 0;
}

void
cm_sbuf_putn(struct cm_sbuf *b, const char *s, size_t n)
{
	if (reserve(b, n) != 0) {
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
cm_sbuf_puts(struct cm_sbuf *b, const char *s)
{
	cm_sbuf_putn(b, s, strlen(s));
}

void
cm_sbuf_printf(struct cm_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1; /* an encoding error: the text would be lost */
		return;
	}
	if (reserve(b, (size_t)n) != 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
cm_sbuf_take(struct cm_sbuf *b)
{
	char *s;

	if (b->oom) {
		cm_sbuf_free(b);
		return NULL;
	}
	if (b->data == NULL) {
		s = cm_strdup("");
	} else {
		s = b->data;
	}
	memset(b, 0, sizeof(*b));
	return s;
}
