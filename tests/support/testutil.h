/*
 * testutil.h: helpers shared by the unit tests (cmocka).
 */
#ifndef OW_TESTUTIL_H
#define OW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "forms/calendar.h"
#include "forms/catalog.h"

/* Assert that a CM_E* return equals want, printing both names on failure. */
#define assert_rc(got, want)                                                   \
	ow_assert_rc((got), (want), #got, __FILE__, __LINE__)
void ow_assert_rc(
    int got, int want, const char *expr, const char *file, int line);

/* Day number of an ISO date; fails the test on a bad literal. */
int32_t ow_day(const char *iso);

/* The bundled calendar (forms/calendar/), loaded once; fails the test if it
 * does not load. Caller frees with form_calendar_free. */
struct form_calendar *ow_bundled_calendar(void);

/* Load every file of the bundled catalog into c; fails the test on any
 * diagnostic. */
void ow_bundled_catalog(struct form_catalog *c);

/* Read a file of the source tree (path relative to the top). Caller frees
 * with cm_free. */
char *ow_read_src(const char *rel, size_t *len);

#endif
