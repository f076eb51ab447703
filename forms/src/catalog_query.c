/*
 * catalog_query.c: finding matters in a loaded catalog: by code, and by
 * any part of a name, as a clerk types it at the counter.
 */
#include "forms/catalog.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_matter(const void *a, const void *b)
{
	const struct form_matter *const *x = a;
	const struct form_matter *const *y = b;

	return strcmp((*x)->code, (*y)->code);
}

void
form_catalog_sort(struct form_catalog *c)
{
	if (c->n > 1) {
		qsort(c->items, c->n, sizeof(*c->items), cmp_matter);
	}
}

const struct form_matter *
form_catalog_find(const struct form_catalog *c, const char *code)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->items[i]->code, code) == 0) {
			return c->items[i];
		}
	}
	return NULL;
}

/* Substring search that folds ASCII letters; other bytes compare exactly,
 * which is right for Chinese (no case) and keeps UTF-8 sequences whole. */
static bool
contains_folded(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0) {
		return true;
	}
	for (; *hay != '\0'; hay++) {
		size_t i = 0;

		while (i < n && hay[i] != '\0' &&
		       tolower((unsigned char)hay[i]) ==
		           tolower((unsigned char)needle[i])) {
			i++;
		}
		if (i == n) {
			return true;
		}
	}
	return false;
}

static bool
prefix_folded(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++) {
		if (tolower((unsigned char)*s) !=
		    tolower((unsigned char)*prefix)) {
			return false;
		}
	}
	return true;
}

size_t
form_catalog_search(const struct form_catalog *c, const char *query,
    const struct form_matter **out, size_t max)
{
	size_t found = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct form_matter *m = c->items[i];

		if (prefix_folded(m->code, query) ||
		    contains_folded(m->name.zh, query) ||
		    contains_folded(m->name.en, query)) {
			if (found < max) {
				out[found] = m;
			}
			found++;
		}
	}
	return found;
}
