/*
 * deadline.h: the deadlines of a case, in working days (行政许可法 Art. 42,
 * 45, 82), and its warning level. See docs/deadlines.md.
 */
#ifndef FORM_DEADLINE_H
#define FORM_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/calendar.h"

enum form_pause_kind {
	FORM_PAUSE_SUPPLEMENT, /* waiting for the applicant (补正) */
	FORM_PAUSE_ART45,      /* hearing, inspection, expert review... */
};

/*
 * A pause of the clock: paused from `from` (the day the clock stopped)
 * until `to` (the day it resumed); the working days in (from, to] are not
 * counted. to = INT32_MAX for a pause still running on `today`: it counts
 * up to today, and the due dates are given as if it ended today. Pauses
 * are seen as of today (one starting later does not count yet), and
 * overlapping ones are merged, never counted twice.
 */
struct form_pause {
	int32_t from, to;
	enum form_pause_kind kind;
};

/* Warning thresholds in per mille of the promised time used. */
struct form_thresholds {
	int yellow; /* default 500: more than half used */
	int red;    /* default 900 */
};

void form_thresholds_default(struct form_thresholds *t);

enum form_warning {
	FORM_WARN_GREEN,
	FORM_WARN_YELLOW,
	FORM_WARN_RED,
	FORM_WARN_OVERDUE,
};

const char *form_warning_name(enum form_warning w); /* "green", ... */

struct form_deadline_in {
	int32_t accepted;   /* acceptance date: day 0 of the count */
	int legal_limit;    /* working days */
	int promised_limit; /* working days */
	int extension;      /* working days granted (0, 10, 15) */
	const struct form_pause *pauses; /* any order, may overlap */
	size_t npauses;
	int32_t today; /* the day the warning level is for */
	struct form_thresholds thresholds;
};

struct form_deadline {
	int32_t
	    legal_due; /* last day of the legal limit (incl. pauses, ext.) */
	int32_t promised_due; /* last day of the promised limit */
	int used;             /* working days counted so far (to today) */
	int paused;           /* working days in (accepted, today] paused */
	int promised_left; /* promised limit (+ext.) minus used; < 0 overdue */
	int legal_left;
	int permille;       /* used / (promised + ext.), per mille, rounded
	                         down; promised + ext. 0: 0, or 1000 if late */
	bool running_pause; /* a pause has from <= today < to */
	enum form_warning level;
};

/*
 * Compute the deadlines and the warning level. The extension moves both
 * due dates. A pause moves a due date when it starts before that date.
 * Level: overdue when today is after promised_due, else red when permille
 * >= red, else yellow when permille > yellow, else green. Borrows cal and
 * in; *out is written only on success. Returns 0, CM_EINVAL (a limit
 * outside 0..365, an extension outside 0..30, thresholds not 0 < yellow <
 * red <= 1000, today before the acceptance, a pause ending before it
 * starts or starting before the acceptance), CM_ENODATA (the calendar
 * does not reach a needed date) or CM_ENOMEM (more than 16 pauses only).
 */
int form_deadline_compute(const struct form_calendar *cal,
    const struct form_deadline_in *in, struct form_deadline *out);

#endif
