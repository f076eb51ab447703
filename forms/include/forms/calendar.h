/*
 * calendar.h: the working-day calendar (工作日历).
 *
 * Days off are weekends and the State Council's holidays; make-up working
 * days (调休) turn weekend days into working days. The schedule is data,
 * loaded from files in the project's own format (docs/deadlines.md,
 * forms/calendar/<year>.json); halls may add local closures. A year the
 * calendar has no file for is never guessed: every query that touches it
 * fails with CM_ENODATA.
 *
 * Days are day numbers (common/date.h). Queries are cheap: is_workday is
 * one lookup, adding or counting working days a few lookups per year
 * crossed. A calendar is not thread-safe; share it read-only, or guard it.
 */
#ifndef FORM_CALENDAR_H
#define FORM_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/diag.h"

struct form_calendar;

/* The years a calendar can hold; data for others is refused. */
#define FORM_CALENDAR_YEAR_MIN 1970
#define FORM_CALENDAR_YEAR_MAX 2199

/* The most working days form_calendar_add_workdays adds (about 14 years). */
#define FORM_CALENDAR_MAX_ADD 3660

/*
 * One exception to the weekday/weekend rule, as a loader hands it over: a
 * day off (a holiday, a closure) or a working day (a make-up day, 调休).
 */
struct form_calendar_day {
	int32_t day;
	bool off;
	const char *name; /* "春节"; may be NULL */
};

/* 0 or CM_ENOMEM. Free with form_calendar_free. */
int form_calendar_new(struct form_calendar **out);
void form_calendar_free(struct form_calendar *cal);

/*
 * Load one calendar file (a national year file, or a hall's local
 * closures) from buf[0..len). name is used in diagnostics. A national
 * year already loaded is replaced (a corrected schedule); local closures
 * add to what is there and need their year's national file to be
 * useful. Returns 0, or CM_EPARSE with diagnostics (file:line:col) and
 * the calendar unchanged, or CM_ENOMEM (calendar unchanged too).
 * Borrows buf and diags.
 */
int form_calendar_load(struct form_calendar *cal, const char *name,
    const char *buf, size_t len, struct form_diags *diags);

/*
 * Convert one holiday-cn year file (shared/data/holiday-cn/YYYY.json,
 * {year, papers, days: [{name, date, isOffDay}]}) into the project's
 * format. *out is NUL-terminated JSON, caller frees with cm_free.
 * Returns 0, CM_EPARSE with diagnostics, or CM_ENOMEM.
 */
int form_calendar_convert_holiday_cn(const char *name, const char *buf,
    size_t len, char **out, struct form_diags *diags);

/*
 * Set the national schedule of year from its exceptions, replacing what
 * was there (the local closures stay). Every day must lie in year, none
 * twice. Borrows days; the names are copied. This is what the loader
 * calls; tests and other sources of schedules may call it too. Returns 0,
 * CM_EINVAL (a year outside FORM_CALENDAR_YEAR_MIN..MAX, a day outside
 * year, a duplicate) or CM_ENOMEM; on failure the calendar is unchanged.
 */
int form_calendar_set_year(struct form_calendar *cal, int year,
    const struct form_calendar_day *days, size_t n);

/*
 * Add local closures: each day (off must be true) becomes a day off,
 * whatever the national schedule says, now and after a national year is
 * reloaded. A day closed again takes the new name. Borrows days; the
 * names are copied. Returns 0, CM_EINVAL (off false, a day outside the
 * calendar's years, a day twice in days) or CM_ENOMEM; on failure the
 * calendar is unchanged.
 */
int form_calendar_add_closures(
    struct form_calendar *cal, const struct form_calendar_day *days, size_t n);

/*
 * Coverage: the first and last national years loaded, and whether every
 * year between them is there. Returns 0 or CM_ENODATA when none is.
 */
int form_calendar_coverage(const struct form_calendar *cal, int *first_year,
    int *last_year, bool *contiguous);

/* True when year has its national schedule loaded. */
bool form_calendar_has_year(const struct form_calendar *cal, int year);

/* *out = day is a working day. 0 or CM_ENODATA. */
int form_calendar_is_workday(
    const struct form_calendar *cal, int32_t day, bool *out);

/*
 * Add n >= 0 working days to start: the start day is not counted, the
 * result is the nth working day after it (n = 0: start itself if it is a
 * working day, else the next working day). A result that would fall on a
 * day off cannot happen: the count only lands on working days. Returns 0,
 * CM_ENODATA (a day needed is in a year without data) or CM_EINVAL (n < 0
 * or n > FORM_CALENDAR_MAX_ADD).
 */
int form_calendar_add_workdays(
    const struct form_calendar *cal, int32_t start, int n, int32_t *out);

/* Working days in (from, to]: from not counted, to counted. Negative when
 * to < from (the count of (to, from], negated); 0 when to == from. Only
 * the days counted need data. 0 or CM_ENODATA. */
int form_calendar_workdays_between(
    const struct form_calendar *cal, int32_t from, int32_t to, int *out);

/*
 * The name of the closure or holiday on day ("春节"), or NULL. A make-up
 * working day carries the name of the holiday it belongs to. The string
 * belongs to the calendar and lives until the calendar next changes.
 */
const char *form_calendar_day_name(
    const struct form_calendar *cal, int32_t day);

#endif
