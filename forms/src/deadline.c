/*
 * deadline.c: the deadlines of a case and its warning level.
 *
 * Everything is counted in working days on the calendar (行政许可法 Art.
 * 82): the acceptance day is not counted, and a limit ends on the nth
 * counted working day after it, so a deadline never lands on a day off.
 * The working days inside a pause (补正, Art. 45) are not counted, which
 * moves the due dates on by as many working days as the pause held
 * before them. The rules and their reasons are in docs/deadlines.md.
 */
#include "forms/deadline.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"

#define DL_MAX_LIMIT     365
#define DL_MAX_EXTENSION 30
#define DL_STACK_PAUSES  16

void
form_thresholds_default(struct form_thresholds *t)
{
	t->yellow = 500;
	t->red = 900;
}

const char *
form_warning_name(enum form_warning w)
{
	switch (w) {
	case FORM_WARN_GREEN:
		return "green";
	case FORM_WARN_YELLOW:
		return "yellow";
	case FORM_WARN_RED:
		return "red";
	case FORM_WARN_OVERDUE:
		return "overdue";
	}
	return "unknown";
}

static bool
input_ok(const struct form_deadline_in *in)
{
	const struct form_thresholds *t = &in->thresholds;

	if (in->legal_limit < 0 || in->legal_limit > DL_MAX_LIMIT ||
	    in->promised_limit < 0 || in->promised_limit > DL_MAX_LIMIT ||
	    in->extension < 0 || in->extension > DL_MAX_EXTENSION ||
	    t->yellow <= 0 || t->yellow >= t->red || t->red > 1000 ||
	    in->today < in->accepted ||
	    (in->npauses > 0 && in->pauses == NULL)) {
		return false;
	}
	for (size_t i = 0; i < in->npauses; i++) {
		const struct form_pause *p = &in->pauses[i];

		if (p->from > p->to || p->from < in->accepted ||
		    (p->kind != FORM_PAUSE_SUPPLEMENT &&
		        p->kind != FORM_PAUSE_ART45)) {
			return false;
		}
	}
	return true;
}

static int
pause_cmp(const void *a, const void *b)
{
	const struct form_pause *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

/*
 * The pauses as seen on today, in m[]: each cut at today (a pause still
 * running, or recorded as ending later, counts up to today), the empty
 * ones dropped, sorted and merged so that no day is counted twice.
 * Returns how many are left.
 */
static size_t
pauses_merge(const struct form_deadline_in *in, struct form_pause *m)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < in->npauses; i++) {
		struct form_pause p = in->pauses[i];

		if (p.to > in->today) {
			p.to = in->today;
		}
		if (p.from < p.to) {
			m[n++] = p;
		}
	}
	qsort(m, n, sizeof(*m), pause_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && m[i].from <= m[k - 1].to) {
			if (m[i].to > m[k - 1].to) {
				m[k - 1].to = m[i].to;
			}
		} else {
			m[k++] = m[i];
		}
	}
	return k;
}

/*
 * The limit-th counted working day after accepted, with the merged pauses
 * m[0..n) not counted. Each pause that starts before the day the count
 * has reached so far pushes it on by the working days it holds; a pause
 * starting on or after that day (the case was already late) moves nothing.
 * A limit of 0 is the acceptance day if it is a working day, else the
 * next working day.
 */
static int
due_date(const struct form_calendar *cal, int32_t accepted, int limit,
    const struct form_pause *m, size_t n, int32_t *out)
{
	int paused = 0, rc;
	int32_t day;

	if (limit == 0) {
		bool work;

		if ((rc = form_calendar_is_workday(cal, accepted, &work)) !=
		    0) {
			return rc;
		}
		if (work) {
			*out = accepted;
			return 0;
		}
		limit = 1;
	}
	for (size_t i = 0; i < n; i++) {
		int held;

		rc = form_calendar_add_workdays(
		    cal, accepted, limit + paused, &day);
		if (rc != 0) {
			return rc;
		}
		if (day <= m[i].from) {
			*out = day;
			return 0;
		}
		rc = form_calendar_workdays_between(
		    cal, m[i].from, m[i].to, &held);
		if (rc != 0) {
			return rc;
		}
		paused += held;
	}
	return form_calendar_add_workdays(cal, accepted, limit + paused, out);
}

static enum form_warning
level_of(const struct form_deadline *d, int32_t today,
    const struct form_thresholds *t)
{
	if (today > d->promised_due) {
		return FORM_WARN_OVERDUE;
	}
	if (d->permille >= t->red) {
		return FORM_WARN_RED;
	}
	if (d->permille > t->yellow) {
		return FORM_WARN_YELLOW;
	}
	return FORM_WARN_GREEN;
}

/*
 * Merge the pauses once, count what they hold and what has been used up
 * to today, then place both due dates. *out is written only on success.
 */
int
form_deadline_compute(const struct form_calendar *cal,
    const struct form_deadline_in *in, struct form_deadline *out)
{
	struct form_pause stack[DL_STACK_PAUSES], *m = stack;
	struct form_deadline d;
	int elapsed = 0, promised, legal, rc = 0;
	size_t n;

	if (cal == NULL || in == NULL || out == NULL || !input_ok(in)) {
		return CM_EINVAL;
	}
	if (in->npauses > DL_STACK_PAUSES) {
		m = cm_reallocarray(NULL, in->npauses, sizeof(*m));
		if (m == NULL) {
			return CM_ENOMEM;
		}
	}
	memset(&d, 0, sizeof(d));
	n = pauses_merge(in, m);
	for (size_t i = 0; i < in->npauses; i++) {
		if (in->pauses[i].from <= in->today &&
		    in->today < in->pauses[i].to) {
			d.running_pause = true;
		}
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		int held = 0;

		rc = form_calendar_workdays_between(
		    cal, m[i].from, m[i].to, &held);
		d.paused += held;
	}
	if (rc == 0) {
		rc = form_calendar_workdays_between(
		    cal, in->accepted, in->today, &elapsed);
	}
	promised = in->promised_limit + in->extension;
	legal = in->legal_limit + in->extension;
	if (rc == 0) {
		rc = due_date(cal, in->accepted, legal, m, n, &d.legal_due);
	}
	if (rc == 0) {
		rc = due_date(
		    cal, in->accepted, promised, m, n, &d.promised_due);
	}
	if (m != stack) {
		cm_free(m);
	}
	if (rc != 0) {
		return rc;
	}
	d.used = elapsed - d.paused > 0 ? elapsed - d.paused : 0;
	d.promised_left = promised - d.used;
	d.legal_left = legal - d.used;
	if (promised > 0) {
		d.permille = d.used * 1000 / promised;
	} else {
		d.permille = in->today > d.promised_due ? 1000 : 0;
	}
	d.level = level_of(&d, in->today, &in->thresholds);
	*out = d;
	return 0;
}
