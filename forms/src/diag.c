/*
 * diag.c: loader diagnostics (file:line:col: message).
 */
#include "forms/diag.h"
#include "common/alloc.h"
#include "common/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
form_diags_init(struct form_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void
form_diags_free(struct form_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		cm_free(d->items[i].file);
		cm_free(d->items[i].msg);
	}
	cm_free(d->items);
	memset(d, 0, sizeof(*d));
}

void
form_diags_add(struct form_diags *d, const char *file, int line, int col,
    const char *fmt, ...)
{
	struct form_diag *g;
	char msg[512];
	va_list ap;

	if (d == NULL) {
		return;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap == 0 ? 8 : d->cap * 2;
		struct form_diag *n =
		    cm_reallocarray(d->items, ncap, sizeof(*n));

		if (n == NULL) {
			d->oom = 1;
			return;
		}
		d->items = n;
		d->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cm_utf8_trim_partial(msg);
	g = &d->items[d->n];
	g->file = cm_strdup(file != NULL ? file : "-");
	g->msg = cm_strdup(msg);
	g->line = line;
	g->col = col;
	if (g->file == NULL || g->msg == NULL) {
		cm_free(g->file);
		cm_free(g->msg);
		d->oom = 1;
		return;
	}
	d->n++;
}

void
form_diags_print(const struct form_diags *d, void *fp)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct form_diag *g = &d->items[i];

		fprintf(fp, "%s:%d:%d: %s\n", g->file, g->line, g->col, g->msg);
	}
}
