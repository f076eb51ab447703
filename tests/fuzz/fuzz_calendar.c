/*
 * fuzz_calendar.c: fuzz target for the calendar's two readers.
 *
 * Each input is fed to form_calendar_load (the project's format) and to
 * form_calendar_convert_holiday_cn. Beyond "no crash, no leak", it checks
 * properties the code promises: a diagnostic exactly when a call fails,
 * every diagnostic with a position, a failed load leaving the calendar
 * empty, whatever the converter writes loading without a diagnostic, and
 * the queries agreeing with each other on whatever loaded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "forms/calendar.h"
#include "forms/deadline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_calendar: %s\n", what);
		abort();
	}
}

static void
check_diags(const struct form_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		check(d->items[i].line >= 1 && d->items[i].col >= 1,
		    "a diagnostic without a position");
	}
}

/* Cross-check the queries over the first loaded year. */
static void
exercise(const struct form_calendar *cal)
{
	int first, last, n = 0;
	bool contiguous, w;
	int32_t start, day;

	if (form_calendar_coverage(cal, &first, &last, &contiguous) != 0) {
		return;
	}
	check(form_calendar_has_year(cal, first), "coverage without its year");
	if (cm_date_from_ymd(first, 1, 1, &start) != 0) {
		return;
	}
	for (int k = 0; k < 40; k++) {
		if (form_calendar_add_workdays(cal, start, k, &day) != 0) {
			break;
		}
		check(form_calendar_is_workday(cal, day, &w) == 0 && w,
		    "add_workdays landed on a day off");
		if (k > 0) {
			check(form_calendar_workdays_between(
			          cal, start, day, &n) == 0 &&
			          n == k,
			    "workdays_between disagrees with add_workdays");
			check(form_calendar_workdays_between(
			          cal, day, start, &n) == 0 &&
			          n == -k,
			    "workdays_between is not antisymmetric");
		}
		(void)form_calendar_day_name(cal, day);
	}
	{
		struct form_deadline_in in = {.accepted = start,
		    .legal_limit = 20,
		    .promised_limit = 15,
		    .extension = 10,
		    .today = start + 30,
		    .thresholds = {500, 900}};
		struct form_pause p = {
		    start + 3, INT32_MAX, FORM_PAUSE_SUPPLEMENT};
		struct form_deadline dl;

		in.pauses = &p;
		in.npauses = 1;
		if (form_deadline_compute(cal, &in, &dl) == 0) {
			check(dl.legal_due >= dl.promised_due,
			    "promised due after legal due");
			check(dl.running_pause, "the pause is not running");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct form_calendar *cal = NULL, *again = NULL;
	struct form_diags d;
	char *out = NULL;
	int rc, first, last;
	bool contiguous;

	if (form_calendar_new(&cal) != 0) {
		return 0;
	}
	form_diags_init(&d);
	rc = form_calendar_load(cal, "fuzz.json", buf, size, &d);
	check(rc == 0 || rc == CM_EPARSE, "load: unexpected code");
	check((rc == 0) == (d.n == 0), "load: diagnostics do not match code");
	check_diags(&d);
	if (rc != 0) {
		check(form_calendar_coverage(cal, &first, &last, &contiguous) ==
		          CM_ENODATA,
		    "a failed load changed the calendar");
	}
	exercise(cal);
	form_diags_free(&d);
	form_calendar_free(cal);

	form_diags_init(&d);
	rc = form_calendar_convert_holiday_cn("fuzz.json", buf, size, &out, &d);
	check(rc == 0 || rc == CM_EPARSE, "convert: unexpected code");
	check(
	    (rc == 0) == (out != NULL), "convert: output does not match code");
	check_diags(&d);
	form_diags_free(&d);
	if (out != NULL) {
		/* What the converter writes, the loader must read. */
		check(form_calendar_new(&again) == 0, "no memory");
		form_diags_init(&d);
		rc = form_calendar_load(
		    again, "converted.json", out, strlen(out), &d);
		if (rc != 0) {
			form_diags_print(&d, stderr);
		}
		check(rc == 0, "the converter's output does not load");
		exercise(again);
		form_diags_free(&d);
		form_calendar_free(again);
		cm_free(out);
	}
	return 0;
}
