/*
 * sbuf.h: a growable string buffer. Appends never fail loudly: the first
 * failed allocation sets `oom` and later appends do nothing, so a caller
 * checks once at the end.
 */
#ifndef CM_SBUF_H
#define CM_SBUF_H

#include <stddef.h>

struct cm_sbuf {
	char *data; /* NUL-terminated when len > 0 or after cm_sbuf_take */
	size_t len, cap;
	int oom;
};

void cm_sbuf_init(struct cm_sbuf *b);
void cm_sbuf_free(struct cm_sbuf *b);
void cm_sbuf_puts(struct cm_sbuf *b, const char *s);
void cm_sbuf_putn(struct cm_sbuf *b, const char *s, size_t n);
void cm_sbuf_printf(struct cm_sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand the string over (caller frees with cm_free); NULL after an
 * allocation failure. The buffer is empty afterwards. */
char *cm_sbuf_take(struct cm_sbuf *b);

#endif
