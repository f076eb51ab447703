/*
 * test_deadline.c: deadlines in working days (行政许可法 Art. 42, 45, 82)
 * and warning levels, on the bundled calendar.
 *
 * Every expected date is counted by hand from the State Council schedules;
 * the comments show the count, "(n)" marking the nth counted working day.
 * March 2025 has no holidays: its working days after Monday 03-03 are
 * 04 (1), 05 (2), 06 (3), 07 (4), 10..14 (5..9), 17..21 (10..14),
 * 24..28 (15..19), 31 (20); then 04-01 (21), 04-02 (22), 04-03 (23),
 * 04-04..06 off (清明), 04-07 (24), 04-08 (25), ...
 */
#include "testutil.h"

#include <string.h>

#include "common/date.h"
#include "common/error.h"
#include "forms/deadline.h"

static void
assert_day(int32_t got, const char *want)
{
	char buf[CM_DATE_ISO_LEN];

	if (got != ow_day(want)) {
		fail_msg("got %s, wanted %s", cm_date_format(got, buf), want);
	}
}

/* An input with the default thresholds and no pauses. */
static struct form_deadline_in
input(const char *accepted, int legal, int promised, const char *today)
{
	struct form_deadline_in in;

	memset(&in, 0, sizeof(in));
	in.accepted = ow_day(accepted);
	in.legal_limit = legal;
	in.promised_limit = promised;
	in.today = ow_day(today);
	form_thresholds_default(&in.thresholds);
	return in;
}

static struct form_deadline
compute(const struct form_calendar *cal, const struct form_deadline_in *in)
{
	struct form_deadline d;

	memset(&d, 0xa5, sizeof(d));
	assert_rc(form_deadline_compute(cal, in, &d), 0);
	return d;
}

static enum form_warning
level_on(const struct form_calendar *cal, struct form_deadline_in in,
    const char *today)
{
	in.today = ow_day(today);
	return compute(cal, &in).level;
}

static int
setup(void **state)
{
	*state = ow_bundled_calendar();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	form_calendar_free(*state);
	return 0;
}

static void
test_names_and_defaults(void **state)
{
	struct form_thresholds t;

	(void)state;
	form_thresholds_default(&t);
	assert_int_equal(t.yellow, 500);
	assert_int_equal(t.red, 900);
	assert_string_equal(form_warning_name(FORM_WARN_GREEN), "green");
	assert_string_equal(form_warning_name(FORM_WARN_YELLOW), "yellow");
	assert_string_equal(form_warning_name(FORM_WARN_RED), "red");
	assert_string_equal(form_warning_name(FORM_WARN_OVERDUE), "overdue");
}

static void
test_plain_across_national_day(void **state)
{
	const struct form_calendar *cal = *state;
	/* Accepted Friday 2025-09-26: 09-28 Sun worked (1), 09-29 (2), 09-30
	 * (3), 10-01..08 off, 10-09 (4), 10-10 (5), 10-11 Sat worked (6),
	 * 10-13..17 (7..11), 10-20..23 (12..15), 10-24 (16), 10-27..30
	 * (17..20). */
	struct form_deadline_in in = input("2025-09-26", 20, 15, "2025-10-13");
	struct form_deadline d = compute(cal, &in);

	assert_day(d.promised_due, "2025-10-23");
	assert_day(d.legal_due, "2025-10-30");
	assert_int_equal(d.used, 7); /* to Monday 10-13 */
	assert_int_equal(d.paused, 0);
	assert_int_equal(d.promised_left, 8);
	assert_int_equal(d.legal_left, 13);
	assert_int_equal(d.permille, 466); /* 7000 / 15 */
	assert_false(d.running_pause);
	assert_int_equal(d.level, FORM_WARN_GREEN);
}

static void
test_lands_after_holiday(void **state)
{
	const struct form_calendar *cal = *state;
	struct form_deadline_in in = input("2025-04-25", 5, 5, "2025-05-02");
	struct form_deadline d = compute(cal, &in);

	/* Friday 2025-04-25 + 5: 04-27 Sun worked (1), 04-28 (2), 04-29 (3),
	 * 04-30 (4), 05-01..05 off (劳动节), 05-06 Tuesday (5). Counting
	 * weekdays alone would give Friday 05-02, a holiday. */
	assert_day(d.promised_due, "2025-05-06");
	assert_int_equal(d.used, 4);
	/* Monday 2024-09-30 + 1: the whole of 10-01..07 is off, so Tuesday
	 * 10-08; on Saturday 10-05 nothing has been used yet. */
	in = input("2024-09-30", 1, 1, "2024-10-05");
	d = compute(cal, &in);
	assert_day(d.legal_due, "2024-10-08");
	assert_day(d.promised_due, "2024-10-08");
	assert_int_equal(d.used, 0);
	assert_int_equal(d.level, FORM_WARN_GREEN);
	/* Across the Spring Festival: Friday 2025-01-24 + 15: 01-26 Sun (1),
	 * 01-27 (2), 01-28..02-04 off, 02-05..07 (3..5), 02-08 Sat (6),
	 * 02-10..14 (7..11), 02-17..20 (12..15). */
	in = input("2025-01-24", 15, 15, "2025-01-24");
	d = compute(cal, &in);
	assert_day(d.promised_due, "2025-02-20");
}

static void
test_supplement_pause(void **state)
{
	const struct form_calendar *cal = *state;
	/* 补正 from Wednesday 03-05 to Wednesday 03-12: 03-06, 07, 10, 11,
	 * 12 are not counted (5). Promised 15 + 5 = 20th working day after
	 * 03-03 = 03-31; legal 20 + 5 = 25th = 04-08 (04-04 is 清明). */
	struct form_pause p = {
	    ow_day("2025-03-05"), ow_day("2025-03-12"), FORM_PAUSE_SUPPLEMENT};
	struct form_deadline_in in = input("2025-03-03", 20, 15, "2025-03-20");
	struct form_deadline d;

	in.pauses = &p;
	in.npauses = 1;
	d = compute(cal, &in);
	assert_day(d.promised_due, "2025-03-31");
	assert_day(d.legal_due, "2025-04-08");
	assert_int_equal(d.paused, 5);
	/* (03-03, 03-20] holds 13 working days, 5 paused: 8 used. */
	assert_int_equal(d.used, 8);
	assert_int_equal(d.promised_left, 7);
	assert_int_equal(d.legal_left, 12);
	assert_int_equal(d.permille, 533); /* 8000 / 15 */
	assert_int_equal(d.level, FORM_WARN_YELLOW);
	assert_false(d.running_pause);
}

static void
test_overlapping_pauses(void **state)
{
	const struct form_calendar *cal = *state;
	/* Art. 45 inspection (03-10, 03-17] overlaps 补正 (03-05, 03-12]:
	 * together (03-05, 03-17] = 03-06, 07, 10..14, 17 (8), not 5 + 5.
	 * A third pause inside them adds nothing. Given out of order.
	 * Promised 15 + 8 = 23rd = 04-03; legal 20 + 8 = 28th: 04-07 (24),
	 * 04-08 (25), 04-09 (26), 04-10 (27), 04-11 (28). */
	struct form_pause p[3] = {
	    {ow_day("2025-03-10"), ow_day("2025-03-17"), FORM_PAUSE_ART45},
	    {ow_day("2025-03-05"), ow_day("2025-03-12"), FORM_PAUSE_SUPPLEMENT},
	    {ow_day("2025-03-06"), ow_day("2025-03-07"), FORM_PAUSE_ART45},
	};
	struct form_deadline_in in = input("2025-03-03", 20, 15, "2025-03-24");
	struct form_deadline d;

	in.pauses = p;
	in.npauses = 3;
	d = compute(cal, &in);
	assert_int_equal(d.paused, 8);
	assert_day(d.promised_due, "2025-04-03");
	assert_day(d.legal_due, "2025-04-11");
	/* (03-03, 03-24] holds 15 working days, 8 paused: 7 used. */
	assert_int_equal(d.used, 7);
	assert_int_equal(d.level, FORM_WARN_GREEN);
}

static void
test_running_pause(void **state)
{
	const struct form_calendar *cal = *state;
	struct form_pause p = {
	    ow_day("2025-03-05"), INT32_MAX, FORM_PAUSE_SUPPLEMENT};
	struct form_deadline_in in = input("2025-03-03", 20, 15, "2025-03-12");
	struct form_deadline d;

	in.pauses = &p;
	in.npauses = 1;
	/* On Wednesday 03-12 the pause has held 03-06, 07, 10, 11, 12 (5):
	 * the dates are as if it ended today, as in the supplement test. */
	d = compute(cal, &in);
	assert_true(d.running_pause);
	assert_int_equal(d.paused, 5);
	assert_int_equal(d.used, 2); /* 03-04, 03-05 */
	assert_day(d.promised_due, "2025-03-31");
	assert_day(d.legal_due, "2025-04-08");
	assert_int_equal(d.permille, 133); /* 2000 / 15 */
	/* A day later the dates move on by one working day: 15 + 6 = 21st
	 * = 04-01. */
	in.today = ow_day("2025-03-13");
	d = compute(cal, &in);
	assert_int_equal(d.paused, 6);
	assert_int_equal(d.used, 2);
	assert_day(d.promised_due, "2025-04-01");
	/* On the day it starts it is running but holds nothing yet. */
	in.today = ow_day("2025-03-05");
	d = compute(cal, &in);
	assert_true(d.running_pause);
	assert_int_equal(d.paused, 0);
	assert_int_equal(d.used, 2);
	assert_day(d.promised_due, "2025-03-24"); /* the 15th */
	/* A pause that ended today is not running. */
	p.to = ow_day("2025-03-12");
	in.today = ow_day("2025-03-12");
	assert_false(compute(cal, &in).running_pause);
}

static void
test_pause_after_due_date(void **state)
{
	const struct form_calendar *cal = *state;
	/* Promised 5: 03-10 (5th). A pause (03-12, 03-14] = 03-13, 14 (2)
	 * comes after it: the case was already late, its promised date does
	 * not move. The legal date (20th = 03-31) is after the pause, which
	 * moves it by 2: 22nd = 04-02. */
	struct form_pause p = {
	    ow_day("2025-03-12"), ow_day("2025-03-14"), FORM_PAUSE_ART45};
	struct form_deadline_in in = input("2025-03-03", 20, 5, "2025-03-20");
	struct form_deadline d;

	in.pauses = &p;
	in.npauses = 1;
	d = compute(cal, &in);
	assert_day(d.promised_due, "2025-03-10");
	assert_day(d.legal_due, "2025-04-02");
	assert_int_equal(d.used, 11); /* 13 in (03-03, 03-20], 2 paused */
	assert_int_equal(d.promised_left, -6);
	assert_int_equal(d.level, FORM_WARN_OVERDUE);
}

static void
test_extensions(void **state)
{
	const struct form_calendar *cal = *state;
	/* Art. 42: +10. From 2025-09-26 (counted in the first test up to 10-30
	 * (20)): 10-31 (21), 11-03..07 (22..26), 11-10..13 (27..30). Both
	 * dates move: promised 15 + 10 = 25th = 11-06, legal 30th = 11-13. */
	struct form_deadline_in in = input("2025-09-26", 20, 15, "2025-10-13");
	struct form_deadline d;

	in.extension = 10;
	d = compute(cal, &in);
	assert_day(d.promised_due, "2025-11-06");
	assert_day(d.legal_due, "2025-11-13");
	assert_int_equal(d.promised_left, 18); /* 25 - 7 */
	assert_int_equal(d.legal_left, 23);    /* 30 - 7 */
	assert_int_equal(d.permille, 280);     /* 7000 / 25 */

	/* Joint handling: 45 + 15 legal, 30 + 15 promised, from 2025-03-03.
	 * March gives 20; April: 01..03 (21..23), 04..06 off, 07..11
	 * (24..28), 14..18 (29..33), 21..25 (34..38), 27 Sun worked (39),
	 * 28..30 (40..42); May: 01..05 off, 06..09 (43..46), 12..16
	 * (47..51), 19..23 (52..56), 26..29 (57..60). */
	in = input("2025-03-03", 45, 30, "2025-03-03");
	in.extension = 15;
	d = compute(cal, &in);
	assert_day(d.promised_due, "2025-05-08"); /* 45th */
	assert_day(d.legal_due, "2025-05-29");    /* 60th */
}

static void
test_levels_at_thresholds(void **state)
{
	const struct form_calendar *cal = *state;
	/* Promised 20 from 2025-03-03: the day is the number used. */
	struct form_deadline_in in = input("2025-03-03", 20, 20, "2025-03-03");

	assert_int_equal(level_on(cal, in, "2025-03-03"), FORM_WARN_GREEN);
	/* 03-17: 10 used, 500 per mille: exactly half is still green. */
	assert_int_equal(level_on(cal, in, "2025-03-17"), FORM_WARN_GREEN);
	/* 03-18: 11 used, 550: yellow. */
	assert_int_equal(level_on(cal, in, "2025-03-18"), FORM_WARN_YELLOW);
	/* 03-26: 17 used, 850: yellow. */
	assert_int_equal(level_on(cal, in, "2025-03-26"), FORM_WARN_YELLOW);
	/* 03-27: 18 used, 900: red at 90%. */
	assert_int_equal(level_on(cal, in, "2025-03-27"), FORM_WARN_RED);
	/* Saturday 03-29: 19 used, 950. */
	assert_int_equal(level_on(cal, in, "2025-03-29"), FORM_WARN_RED);
	/* 03-31 is the due day itself: 1000 per mille, red, not overdue. */
	in.today = ow_day("2025-03-31");
	struct form_deadline d = compute(cal, &in);
	assert_int_equal(d.permille, 1000);
	assert_int_equal(d.promised_left, 0);
	assert_int_equal(d.level, FORM_WARN_RED);
	/* 04-01: past the promised date. */
	in.today = ow_day("2025-04-01");
	d = compute(cal, &in);
	assert_int_equal(d.level, FORM_WARN_OVERDUE);
	assert_int_equal(d.permille, 1050);
	assert_int_equal(d.promised_left, -1);
	/* Overdue is about the date: on Saturday 04-05 it still is. */
	assert_int_equal(level_on(cal, in, "2025-04-05"), FORM_WARN_OVERDUE);
}

static void
test_custom_thresholds(void **state)
{
	const struct form_calendar *cal = *state;
	/* A hall warning earlier: yellow above 300, red from 600. */
	struct form_deadline_in in = input("2025-03-03", 20, 20, "2025-03-03");

	in.thresholds.yellow = 300;
	in.thresholds.red = 600;
	assert_int_equal(level_on(cal, in, "2025-03-10"), FORM_WARN_GREEN);
	/* 03-11: 6 used, 300: not above. */
	assert_int_equal(level_on(cal, in, "2025-03-11"), FORM_WARN_GREEN);
	assert_int_equal(level_on(cal, in, "2025-03-12"), FORM_WARN_YELLOW);
	/* 03-19: 12 used, 600. */
	assert_int_equal(level_on(cal, in, "2025-03-19"), FORM_WARN_RED);
	/* red = 1000: red only on the last day. */
	in.thresholds.yellow = 500;
	in.thresholds.red = 1000;
	assert_int_equal(level_on(cal, in, "2025-03-28"), FORM_WARN_YELLOW);
	assert_int_equal(level_on(cal, in, "2025-03-31"), FORM_WARN_RED);
}

static void
test_promised_zero(void **state)
{
	const struct form_calendar *cal = *state;
	/* On the spot (即办): due on the acceptance day, Monday 03-03. */
	struct form_deadline_in in = input("2025-03-03", 20, 0, "2025-03-03");
	struct form_deadline d = compute(cal, &in);

	assert_day(d.promised_due, "2025-03-03");
	assert_int_equal(d.permille, 0);
	assert_int_equal(d.level, FORM_WARN_GREEN);
	in.today = ow_day("2025-03-04");
	d = compute(cal, &in);
	assert_int_equal(d.level, FORM_WARN_OVERDUE);
	assert_int_equal(d.permille, 1000);
	assert_int_equal(d.promised_left, -1);
	/* Accepted on Saturday 03-01 (online): due the next working day. */
	in = input("2025-03-01", 20, 0, "2025-03-01");
	assert_day(compute(cal, &in).promised_due, "2025-03-03");
	assert_int_equal(level_on(cal, in, "2025-03-03"), FORM_WARN_GREEN);
	assert_int_equal(level_on(cal, in, "2025-03-04"), FORM_WARN_OVERDUE);
}

static void
test_invalid_inputs(void **state)
{
	const struct form_calendar *cal = *state;
	struct form_deadline_in ok = input("2025-03-03", 20, 15, "2025-03-10");
	struct form_deadline_in in;
	struct form_pause p = {
	    ow_day("2025-03-05"), ow_day("2025-03-04"), FORM_PAUSE_SUPPLEMENT};
	struct form_deadline d;

	assert_rc(form_deadline_compute(cal, &ok, &d), 0);
#define BAD(stmt)                                                              \
	do {                                                                   \
		in = ok;                                                       \
		stmt;                                                          \
		assert_rc(form_deadline_compute(cal, &in, &d), CM_EINVAL);     \
	} while (0)
	BAD(in.legal_limit = -1);
	BAD(in.legal_limit = 366);
	BAD(in.promised_limit = -1);
	BAD(in.promised_limit = 366);
	BAD(in.extension = -1);
	BAD(in.extension = 31);
	BAD(in.thresholds.yellow = 0);
	BAD(in.thresholds.yellow = 900); /* not below red */
	BAD(in.thresholds.red = 1001);
	BAD(in.today = ow_day("2025-03-02"));  /* before acceptance */
	BAD((in.pauses = &p, in.npauses = 1)); /* ends before it starts */
	BAD((p.from = ow_day("2025-03-01"), p.to = ow_day("2025-03-05"),
	    in.pauses = &p, in.npauses = 1)); /* before acceptance */
	BAD((p.from = ow_day("2025-03-05"), p.kind = (enum form_pause_kind)7,
	    in.pauses = &p, in.npauses = 1));
	BAD(in.npauses = 1); /* and no array */
#undef BAD
	assert_rc(form_deadline_compute(cal, NULL, &d), CM_EINVAL);
	assert_rc(form_deadline_compute(NULL, &ok, &d), CM_EINVAL);
	/* The largest limits are fine: 395 working days after 2025-03-03
	 * end within 2026 (about 208 are left in 2025, 250 in 2026). */
	in = ok;
	in.legal_limit = 365;
	in.promised_limit = 365;
	in.extension = 30;
	assert_rc(form_deadline_compute(cal, &in, &d), 0);
}

static void
test_no_data(void **state)
{
	const struct form_calendar *cal = *state;
	/* December 2026 holds 22 working days after 12-01: a 30-day limit
	 * runs into 2027, which has no schedule yet. */
	struct form_deadline_in in = input("2026-12-01", 30, 15, "2026-12-01");
	struct form_deadline d;

	assert_rc(form_deadline_compute(cal, &in, &d), CM_ENODATA);
	in = input("2026-12-01", 20, 15, "2027-01-04");
	assert_rc(form_deadline_compute(cal, &in, &d), CM_ENODATA);
	in = input("2023-12-20", 20, 15, "2024-01-02");
	assert_rc(form_deadline_compute(cal, &in, &d), CM_ENODATA);
	/* 20 fit: 12-02..04 (3), 07..11 (8), 14..18 (13), 21..25 (18),
	 * 28 (19), 29 (20). */
	in = input("2026-12-01", 20, 15, "2026-12-01");
	assert_day(compute(cal, &in).legal_due, "2026-12-29");
}

static void
test_many_pauses(void **state)
{
	const struct form_calendar *cal = *state;
	/* 40 one-day pauses, more than fit on the stack, each (d, d + 1]
	 * for d = 03-03 .. 04-11, all cut at today 03-10 and merged: they
	 * cover (03-03, 03-10], every working day so far (5). */
	struct form_pause p[40];
	struct form_deadline_in in = input("2025-03-03", 20, 15, "2025-03-10");
	struct form_deadline d;

	for (int i = 0; i < 40; i++) {
		p[i].from = ow_day("2025-03-03") + i;
		p[i].to = p[i].from + 1;
		p[i].kind = FORM_PAUSE_ART45;
	}
	in.pauses = p;
	in.npauses = 40;
	d = compute(cal, &in);
	assert_int_equal(d.paused, 5);
	assert_int_equal(d.used, 0);
	assert_day(d.promised_due, "2025-03-31"); /* 15 + 5 = 20th */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_and_defaults),
	    cmocka_unit_test(test_plain_across_national_day),
	    cmocka_unit_test(test_lands_after_holiday),
	    cmocka_unit_test(test_supplement_pause),
	    cmocka_unit_test(test_overlapping_pauses),
	    cmocka_unit_test(test_running_pause),
	    cmocka_unit_test(test_pause_after_due_date),
	    cmocka_unit_test(test_extensions),
	    cmocka_unit_test(test_levels_at_thresholds),
	    cmocka_unit_test(test_custom_thresholds),
	    cmocka_unit_test(test_promised_zero),
	    cmocka_unit_test(test_invalid_inputs),
	    cmocka_unit_test(test_no_data),
	    cmocka_unit_test(test_many_pauses),
	};

	return cmocka_run_group_tests_name("deadline", tests, setup, teardown);
}
