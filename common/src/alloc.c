/*
 * alloc.c: allocation wrappers and the fail-the-Nth-allocation hook.
 */
#include "common/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned long alloc_count;
static unsigned long fail_at; /* allocation number to fail; 0 = never */
static int fail_sticky;

static int
should_fail(void)
{
	alloc_count++;
	if (fail_at == 0) {
		return 0;
	}
	if (alloc_count == fail_at) {
		if (!fail_sticky) {
			fail_at = 0;
		}
		return 1;
	}
	return fail_sticky && alloc_count > fail_at;
}

void
cm_alloc_fail_after(unsigned long n, int sticky)
{
	fail_at = n == 0 ? 0 : alloc_count + n;
	fail_sticky = sticky;
}

unsigned long
cm_alloc_count(void)
{
	return alloc_count;
}

void *
cm_malloc(size_t n)
{
	if (should_fail()) {
		return NULL;
	}
	return malloc(n == 0 ? 1 : n);
}

void *
cm_calloc(size_t count, size_t size)
{
	if (should_fail()) {
		return NULL;
	}
	return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *
cm_realloc(void *p, size_t n)
{
	if (should_fail()) {
		return NULL;
	}
	return realloc(p, n == 0 ? 1 : n);
}

void *
cm_reallocarray(void *p, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size) {
		return NULL;
	}
	return cm_realloc(p, count * size);
}

char *
cm_strndup(const char *s, size_t n)
{
	char *d = cm_malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

char *
cm_strdup(const char *s)
{
	return cm_strndup(s, strlen(s));
}

void
cm_free(void *p)
{
	free(p);
}
