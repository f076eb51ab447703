/*
 * calendar.h: the working-day calendar (工作日历).
 *
 * Days off are weekends and the State Council's holidays; make-up working
 * days (调休) turn weekend days into working days. The schedule is data,
 * loaded from files in the project's own format (docs/deadlines.md,
 * forms/calendar/<year>.json); halls may add local closures. A year the
 * calendar has no file for is never guessed: every query that touches it
 * fails with CM_ENODATA.
 */
#ifndef FORM_CALENDAR_H
#define FORM_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/diag.h"

struct form_calendar;

/* 0 or CM_ENOMEM. Free with form_calendar_free. */
int form_calendar_new(struct form_calendar **out);
void form_calendar_free(struct form_calendar *cal);

/*
 * Load one calendar file (a national year file, or a hall's local
 * closures) from buf[0..len). name is used in diagnostics. A national
 * year already loaded is replaced (a corrected schedule); local closures
 * add to what is there and need their year's national file to be
 * useful. Returns 0, or CM_EPARSE with diagnostics (file:line:col) and
 * the calendar unchanged, or CM_ENOMEM.
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
 * Coverage: the first and last national years loaded, and whether every
 * year between them is there. Returns 0 or CM_ENODATA when none is.
 */
int form_calendar_coverage(const struct form_calendar *cal, int *first_year,
    int *last_year, bool *contiguous);

/* True when year has its national schedule loaded. */
bool form_calendar_has_year(const struct form_calendar *cal, int year);

/* *out = day is a working day. 0 or CM_ENODATA. */
int form_calendar_is_workday(const struct form_calendar *cal, int32_t day,
    bool *out);

/*
 * Add n >= 0 working days to start: the start day is not counted, the
 * result is the nth working day after it (n = 0: start itself if it is a
 * working day, else the next working day). 0 or CM_ENODATA / CM_EINVAL.
 */
int form_calendar_add_workdays(const struct form_calendar *cal, int32_t start,
    int n, int32_t *out);

/* Working days in (from, to]: from not counted, to counted. Negative when
 * to < from (the count of (to, from], negated). 0 or CM_ENODATA. */
int form_calendar_workdays_between(const struct form_calendar *cal,
    int32_t from, int32_t to, int *out);

/* The name of the holiday or closure on day ("春节"), or NULL. */
const char *form_calendar_day_name(const struct form_calendar *cal,
    int32_t day);

#endif
