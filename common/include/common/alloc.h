/*
 * alloc.h: allocation wrappers with a failure hook for tests.
 *
 * Every module allocates through these so that a test can make the Nth
 * allocation fail (SQLite's technique) and check that the code under test
 * returns CM_ENOMEM and leaks nothing. The wrappers never abort: callers
 * handle NULL.
 */
#ifndef CM_ALLOC_H
#define CM_ALLOC_H

#include <stddef.h>

void *cm_malloc(size_t n);
void *cm_calloc(size_t count, size_t size);
void *cm_realloc(void *p, size_t n);
/* Array (re)allocation that checks count * size for overflow. */
void *cm_reallocarray(void *p, size_t count, size_t size);
char *cm_strdup(const char *s);
char *cm_strndup(const char *s, size_t n);
void cm_free(void *p);

/*
 * Make the nth allocation from now fail (1 = the next one), and every
 * later one too when sticky is set. n = 0 turns the hook off. Not
 * thread-safe: for single-threaded tests.
 */
void cm_alloc_fail_after(unsigned long n, int sticky);

/* Allocations made since the process started (for tests and benchmarks). */
unsigned long cm_alloc_count(void);

#endif
