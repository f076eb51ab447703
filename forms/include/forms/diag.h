/*
 * diag.h: diagnostics of the file loaders (catalog, calendar): where in
 * which file, and what is wrong, already translated.
 */
#ifndef FORM_DIAG_H
#define FORM_DIAG_H

#include <stddef.h>

struct form_diag {
	char *file; /* as given to the loader */
	int line;   /* 1-based; 0 when unknown */
	int col;    /* 1-based, in characters; 0 when unknown */
	char *msg;  /* translated, one line */
};

struct form_diags {
	struct form_diag *items;
	size_t n, cap;
	int oom; /* set when a diagnostic could not be stored */
};

void form_diags_init(struct form_diags *d);
void form_diags_free(struct form_diags *d);

/* Append a diagnostic; fmt is a translated printf format. */
void form_diags_add(struct form_diags *d, const char *file, int line, int col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Write every diagnostic as "file:line:col: msg\n" to fp (a FILE *). */
void form_diags_print(const struct form_diags *d, void *fp);

#endif
