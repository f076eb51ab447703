/*
 * test_calendar.c: the working-day calendar, its loader and the holiday-cn
 * converter.
 *
 * Expected dates are worked out by hand from the State Council schedules
 * (shared/data/holiday-cn, converted into forms/calendar/YYYY.json); each
 * comment shows the count. Weekdays: 2024-01-01 was a Monday, 2025-01-01
 * a Wednesday, 2026-01-01 a Thursday.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/fs.h"
#include "forms/calendar.h"

/* ---- Helpers. ---- */

static bool
workday(const struct form_calendar *cal, const char *iso)
{
	bool w = false;

	assert_rc(form_calendar_is_workday(cal, ow_day(iso), &w), 0);
	return w;
}

static void
assert_off(const struct form_calendar *cal, const char *iso)
{
	if (workday(cal, iso)) {
		fail_msg("%s should be a day off", iso);
	}
}

static void
assert_work(const struct form_calendar *cal, const char *iso)
{
	if (!workday(cal, iso)) {
		fail_msg("%s should be a working day", iso);
	}
}

/* Every day of [from, to] is a day off. */
static void
assert_off_range(
    const struct form_calendar *cal, const char *from, const char *to)
{
	char iso[CM_DATE_ISO_LEN];

	for (int32_t d = ow_day(from); d <= ow_day(to); d++) {
		assert_off(cal, cm_date_format(d, iso));
	}
}

static void
assert_day(int32_t got, const char *want)
{
	char buf[CM_DATE_ISO_LEN];

	if (got != ow_day(want)) {
		fail_msg("got %s, wanted %s", cm_date_format(got, buf), want);
	}
}

static int32_t
add(const struct form_calendar *cal, const char *start, int n)
{
	int32_t out = 0;

	assert_rc(form_calendar_add_workdays(cal, ow_day(start), n, &out), 0);
	return out;
}

static int
between(const struct form_calendar *cal, const char *from, const char *to)
{
	int n = 0;

	assert_rc(
	    form_calendar_workdays_between(cal, ow_day(from), ow_day(to), &n),
	    0);
	return n;
}

static int
load_text(struct form_calendar *cal, const char *text, struct form_diags *d)
{
	return form_calendar_load(cal, "t.json", text, strlen(text), d);
}

/* Load text, which must load without a diagnostic. */
static void
load_ok(struct form_calendar *cal, const char *text)
{
	struct form_diags d;

	form_diags_init(&d);
	if (load_text(cal, text, &d) != 0 || d.n != 0) {
		form_diags_print(&d, stderr);
		fail_msg("the text did not load");
	}
	form_diags_free(&d);
}

/*
 * Load text into an empty calendar: it must fail with CM_EPARSE, its first
 * diagnostic at line:col containing fragment (the English msgid: tests
 * run without a locale), every diagnostic with a position, and the
 * calendar must stay empty.
 */
static void
expect_diag(const char *text, int line, int col, const char *fragment)
{
	struct form_calendar *cal = NULL;
	struct form_diags d;
	int first, last;
	bool contiguous;

	assert_rc(form_calendar_new(&cal), 0);
	form_diags_init(&d);
	assert_rc(load_text(cal, text, &d), CM_EPARSE);
	if (d.n == 0 || d.items[0].line != line || d.items[0].col != col ||
	    strstr(d.items[0].msg, fragment) == NULL) {
		form_diags_print(&d, stderr);
		fail_msg("wanted t.json:%d:%d: ...%s...", line, col, fragment);
	}
	for (size_t i = 0; i < d.n; i++) {
		assert_true(d.items[i].line >= 1);
		assert_true(d.items[i].col >= 1);
	}
	assert_rc(form_calendar_coverage(cal, &first, &last, &contiguous),
	    CM_ENODATA);
	form_diags_free(&d);
	form_calendar_free(cal);
}

/* The top of a valid national file for 2025, lines 1..6; days follow. */
#define NAT_HEAD                                                               \
	"{\n"                                                                  \
	"  \"format\": \"onewindow-calendar\",\n"                              \
	"  \"version\": 1,\n"                                                  \
	"  \"kind\": \"national\",\n"                                          \
	"  \"year\": 2025,\n"                                                  \
	"  \"source\": [\"https://www.gov.cn/example\"],\n"

static int
setup_bundled(void **state)
{
	*state = ow_bundled_calendar();
	return *state == NULL ? -1 : 0;
}

static int
teardown_bundled(void **state)
{
	form_calendar_free(*state);
	return 0;
}

/* ---- The bundled schedules. ---- */

static void
test_makeup_weekends(void **state)
{
	const struct form_calendar *cal = *state;

	assert_work(cal, "2025-01-26"); /* Sunday, 调休 for 春节 */
	assert_work(cal, "2025-02-08"); /* Saturday, 调休 for 春节 */
	assert_work(cal, "2025-04-27"); /* Sunday, for 劳动节 */
	assert_work(cal, "2024-02-04"); /* Sunday */
	assert_work(cal, "2024-02-18"); /* Sunday */
	assert_work(cal, "2026-01-04"); /* Sunday, for 元旦 */
	assert_off(cal, "2025-01-25");  /* an ordinary Saturday */
	assert_off(cal, "2025-02-09");  /* an ordinary Sunday */
	assert_work(cal, "2025-03-05"); /* an ordinary Wednesday */
}

static void
test_spring_festival_2025(void **state)
{
	const struct form_calendar *cal = *state;

	assert_off_range(cal, "2025-01-28", "2025-02-04");
	assert_work(cal, "2025-01-27"); /* Monday before */
	assert_work(cal, "2025-02-05"); /* Wednesday after */
	assert_string_equal(
	    form_calendar_day_name(cal, ow_day("2025-01-29")), "春节");
	/* A make-up day carries its holiday's name. */
	assert_string_equal(
	    form_calendar_day_name(cal, ow_day("2025-01-26")), "春节");
	assert_null(form_calendar_day_name(cal, ow_day("2025-03-05")));
	/* (01-24 Fri, 02-10 Mon]: 01-26 Sun (1), 01-27 Mon (2), 01-28..02-04
	 * off, 02-05 (3), 02-06 (4), 02-07 (5), 02-08 Sat (6), 02-10 (7). */
	assert_int_equal(between(cal, "2025-01-24", "2025-02-10"), 7);
}

static void
test_national_day(void **state)
{
	const struct form_calendar *cal = *state;

	/* 2024: 09-29 Sunday and 10-12 Saturday worked, 10-01..07 off. */
	assert_work(cal, "2024-09-29");
	assert_off_range(cal, "2024-10-01", "2024-10-07");
	assert_work(cal, "2024-10-08");
	assert_work(cal, "2024-10-12");
	/* 2025 (with 中秋): 09-28 Sunday and 10-11 Saturday worked,
	 * 10-01..08 off. */
	assert_work(cal, "2025-09-28");
	assert_off_range(cal, "2025-10-01", "2025-10-08");
	assert_work(cal, "2025-10-09");
	assert_work(cal, "2025-10-11");
	assert_string_equal(form_calendar_day_name(cal, ow_day("2025-10-06")),
	    "国庆节、中秋节");
	/* One working day after Monday 2024-09-30 is Tuesday 10-08. */
	assert_day(add(cal, "2024-09-30", 1), "2024-10-08");
	/* n = 0 on a holiday: the next working day; on a working day, it. */
	assert_day(add(cal, "2025-10-01", 0), "2025-10-09");
	assert_day(add(cal, "2025-10-09", 0), "2025-10-09");
	/* From Friday 2025-09-26: 09-28 Sun (1), 09-29 (2), 09-30 (3),
	 * 10-09 (4), 10-10 (5), 10-11 Sat (6). */
	assert_day(add(cal, "2025-09-26", 6), "2025-10-11");
}

static void
test_year_boundaries(void **state)
{
	const struct form_calendar *cal = *state;
	int32_t out = 0;

	/* From Monday 2024-12-30: 12-31 (1), 2025-01-01 off, 01-02 (2),
	 * 01-03 (3). */
	assert_day(add(cal, "2024-12-30", 3), "2025-01-03");
	/* From Friday 2024-12-27: 12-30 (1), 12-31 (2), 01-02 (3), 01-03
	 * (4), weekend, 01-06 Monday (5). */
	assert_day(add(cal, "2024-12-27", 5), "2025-01-06");
	/* 2025 has 261 weekdays (365 days from a Wednesday: 104 weekend
	 * days), 18 of them holidays (01-01; 01-28..31, 02-03, 02-04;
	 * 04-04; 05-01, 05-02, 05-05; 06-02; 10-01..03, 10-06..08), and 5
	 * make-up weekend days: 261 - 18 + 5 = 248. 2026-01-01 is off. */
	assert_int_equal(between(cal, "2024-12-31", "2026-01-01"), 248);
	assert_int_equal(between(cal, "2026-01-01", "2024-12-31"), -248);
	/* From Monday 2026-12-28: 12-29 (1), 12-30 (2), 12-31 Thu (3). */
	assert_day(add(cal, "2026-12-28", 3), "2026-12-31");
	assert_day(add(cal, "2026-12-31", 0), "2026-12-31");
	/* The fourth would be in 2027, which has no data: never a guess. */
	assert_rc(
	    form_calendar_add_workdays(cal, ow_day("2026-12-28"), 4, &out),
	    CM_ENODATA);
	assert_rc(
	    form_calendar_add_workdays(cal, ow_day("2026-12-31"), 1, &out),
	    CM_ENODATA);
}

static void
test_years_without_data(void **state)
{
	const struct form_calendar *cal = *state;
	int32_t out = 0;
	bool w;
	int n;

	assert_false(form_calendar_has_year(cal, 2023));
	assert_false(form_calendar_has_year(cal, 2027));
	assert_true(form_calendar_has_year(cal, 2025));
	assert_rc(form_calendar_is_workday(cal, ow_day("2027-01-04"), &w),
	    CM_ENODATA);
	assert_rc(form_calendar_is_workday(cal, ow_day("2023-12-29"), &w),
	    CM_ENODATA);
	assert_rc(form_calendar_workdays_between(
	              cal, ow_day("2026-12-01"), ow_day("2027-01-10"), &n),
	    CM_ENODATA);
	assert_rc(form_calendar_workdays_between(
	              cal, ow_day("2027-01-10"), ow_day("2026-12-01"), &n),
	    CM_ENODATA);
	/* (2023-12-29, ...] counts 2023-12-30 and 31: no data for them. */
	assert_rc(form_calendar_workdays_between(
	              cal, ow_day("2023-12-29"), ow_day("2024-01-05"), &n),
	    CM_ENODATA);
	/* (2023-12-31, 2024-01-05] counts only 2024 days: 01-01 off,
	 * 01-02..05 (4). The uncounted start needs no data. */
	assert_int_equal(between(cal, "2023-12-31", "2024-01-05"), 4);
	assert_rc(
	    form_calendar_add_workdays(cal, ow_day("2023-06-01"), 1, &out),
	    CM_ENODATA);
	/* Days far outside any calendar (a running pause is INT32_MAX). */
	assert_rc(form_calendar_is_workday(cal, INT32_MAX, &w), CM_ENODATA);
	assert_rc(form_calendar_is_workday(cal, INT32_MIN, &w), CM_ENODATA);
	assert_rc(
	    form_calendar_add_workdays(cal, INT32_MAX, 1, &out), CM_ENODATA);
	assert_rc(form_calendar_workdays_between(
	              cal, ow_day("2025-01-01"), INT32_MAX, &n),
	    CM_ENODATA);
	assert_null(form_calendar_day_name(cal, INT32_MAX));
	assert_null(form_calendar_day_name(cal, ow_day("2027-01-01")));
}

static void
test_add_limits(void **state)
{
	const struct form_calendar *cal = *state;
	int32_t out = 0;

	assert_rc(
	    form_calendar_add_workdays(cal, ow_day("2025-03-03"), -1, &out),
	    CM_EINVAL);
	assert_rc(form_calendar_add_workdays(cal, ow_day("2025-03-03"),
	              FORM_CALENDAR_MAX_ADD + 1, &out),
	    CM_EINVAL);
	/* Allowed, but three years of data are not 3660 working days. */
	assert_rc(form_calendar_add_workdays(
	              cal, ow_day("2024-01-01"), FORM_CALENDAR_MAX_ADD, &out),
	    CM_ENODATA);
}

static void
test_coverage(void **state)
{
	const struct form_calendar *cal = *state;
	struct form_calendar *gap = NULL;
	int first = 0, last = 0;
	bool contiguous = false;
	char *buf;
	size_t len;

	assert_rc(form_calendar_coverage(cal, &first, &last, &contiguous), 0);
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2026);
	assert_true(contiguous);

	assert_rc(form_calendar_new(&gap), 0);
	assert_rc(form_calendar_coverage(gap, &first, &last, &contiguous),
	    CM_ENODATA);
	for (int y = 2024; y <= 2026; y += 2) {
		char rel[64];

		snprintf(rel, sizeof(rel), "forms/calendar/%d.json", y);
		buf = ow_read_src(rel, &len);
		assert_rc(form_calendar_load(gap, rel, buf, len, NULL), 0);
		cm_free(buf);
	}
	assert_rc(form_calendar_coverage(gap, &first, &last, &contiguous), 0);
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2026);
	assert_false(contiguous);
	/* A count across the missing year fails; one inside a year works. */
	int n;
	assert_rc(form_calendar_workdays_between(
	              gap, ow_day("2024-12-01"), ow_day("2026-01-10"), &n),
	    CM_ENODATA);
	/* (2026-01-04 Sun, 2026-01-09 Fri]: 01-05..09 (5). */
	assert_int_equal(between(gap, "2026-01-04", "2026-01-09"), 5);
	form_calendar_free(gap);
}

/* ---- Local closures and reloading. ---- */

static const char closures_text[] =
    "{\n"
    "  \"format\": \"onewindow-calendar\",\n"
    "  \"version\": 1,\n"
    "  \"kind\": \"local\",\n"
    "  \"hall\": \"Futian District hall\",\n"
    "  \"days\": [\n"
    "    {\"date\": \"2025-07-10\", \"off\": true, \"name\": \"台风停业\"},\n"
    "    {\"date\": \"2025-02-08\", \"off\": true, \"name\": \"系统升级\"}\n"
    "  ]\n"
    "}\n";

static void
test_local_closures(void **state)
{
	struct form_calendar *cal = ow_bundled_calendar();
	char *buf;
	size_t len;

	(void)state;
	/* Before: Thursday 07-10 and make-up Saturday 02-08 are worked. */
	assert_work(cal, "2025-07-10");
	assert_work(cal, "2025-02-08");
	load_ok(cal, closures_text);
	assert_off(cal, "2025-07-10");
	assert_off(cal, "2025-02-08"); /* a closure beats a make-up day */
	assert_string_equal(
	    form_calendar_day_name(cal, ow_day("2025-07-10")), "台风停业");
	assert_string_equal(
	    form_calendar_day_name(cal, ow_day("2025-02-08")), "系统升级");
	/* From Wednesday 07-09: 07-10 closed, 07-11 Friday (1). */
	assert_day(add(cal, "2025-07-09", 1), "2025-07-11");
	/* (07-07 Mon, 07-11 Fri] without 07-10: 08, 09, 11 (3). */
	assert_int_equal(between(cal, "2025-07-07", "2025-07-11"), 3);

	/* Reloading the national year keeps the closures. */
	buf = ow_read_src("forms/calendar/2025.json", &len);
	assert_rc(form_calendar_load(cal, "2025.json", buf, len, NULL), 0);
	cm_free(buf);
	assert_off(cal, "2025-07-10");
	assert_off(cal, "2025-02-08");

	/* Closing the same day again renames it. */
	load_ok(cal, "{\"format\": \"onewindow-calendar\", \"version\": 1, "
	             "\"kind\": \"local\", \"hall\": \"h\", \"days\": "
	             "[{\"date\": \"2025-07-10\", \"off\": true, \"name\": "
	             "\"停电\"}]}");
	assert_string_equal(
	    form_calendar_day_name(cal, ow_day("2025-07-10")), "停电");
	form_calendar_free(cal);
}

static void
test_closure_before_its_year(void **state)
{
	struct form_calendar *cal = NULL;
	bool w;

	(void)state;
	assert_rc(form_calendar_new(&cal), 0);
	/* A closure for a year without national data is kept... */
	load_ok(cal, "{\"format\": \"onewindow-calendar\", \"version\": 1, "
	             "\"kind\": \"local\", \"hall\": \"h\", \"days\": "
	             "[{\"date\": \"2027-03-02\", \"off\": true, \"name\": "
	             "\"x\"}]}");
	assert_rc(form_calendar_is_workday(cal, ow_day("2027-03-02"), &w),
	    CM_ENODATA);
	/* ...and applies once the year comes (a schedule with no
	 * exceptions: 2027-03-02 is a Tuesday, 03-03 a Wednesday). */
	load_ok(cal, "{\"format\": \"onewindow-calendar\", \"version\": 1, "
	             "\"kind\": \"national\", \"year\": 2027, \"source\": "
	             "[\"u\"], \"days\": []}");
	assert_off(cal, "2027-03-02");
	assert_work(cal, "2027-03-03");
	form_calendar_free(cal);
}

static void
test_reload_replaces_year(void **state)
{
	struct form_calendar *cal = ow_bundled_calendar();
	char *buf;
	size_t len;

	(void)state;
	/* A corrected 2025 with one extra day off, 2025-07-01 (Tuesday). */
	load_ok(cal, NAT_HEAD "  \"days\": [{\"date\": \"2025-07-01\", "
	                      "\"off\": true, \"name\": \"更正\"}]\n}\n");
	assert_off(cal, "2025-07-01");
	/* The old schedule is gone entirely: 01-29 is a Wednesday again. */
	assert_work(cal, "2025-01-29");
	assert_null(form_calendar_day_name(cal, ow_day("2025-01-29")));
	/* Other years are untouched. */
	assert_off(cal, "2024-10-01");
	buf = ow_read_src("forms/calendar/2025.json", &len);
	assert_rc(form_calendar_load(cal, "2025.json", buf, len, NULL), 0);
	cm_free(buf);
	assert_work(cal, "2025-07-01");
	assert_off(cal, "2025-01-29");
	form_calendar_free(cal);
}

static void
test_set_year_api(void **state)
{
	struct form_calendar *cal = NULL;
	struct form_calendar_day days[2] = {
	    {ow_day("2025-05-06"), true, "x"},
	    {ow_day("2025-05-06"), false, NULL},
	};
	struct form_calendar_day out_of_year = {
	    ow_day("2024-12-31"), true, NULL};

	(void)state;
	assert_rc(form_calendar_new(&cal), 0);
	assert_rc(form_calendar_set_year(cal, 2025, days, 2), CM_EINVAL);
	assert_rc(
	    form_calendar_set_year(cal, 2025, &out_of_year, 1), CM_EINVAL);
	assert_rc(form_calendar_set_year(cal, 1969, NULL, 0), CM_EINVAL);
	assert_rc(form_calendar_set_year(cal, 2200, NULL, 0), CM_EINVAL);
	assert_false(form_calendar_has_year(cal, 2025));
	assert_rc(form_calendar_add_closures(cal, &days[1], 1), CM_EINVAL);
	assert_rc(form_calendar_add_closures(cal, days, 2), CM_EINVAL);
	assert_rc(form_calendar_set_year(cal, 2025, days, 1), 0);
	assert_off(cal, "2025-05-06");
	form_calendar_free(cal);
}

/* ---- Loader errors, each at its line and column. ---- */

static void
test_error_unknown_key(void **state)
{
	(void)state;
	expect_diag(NAT_HEAD "  \"colour\": \"red\",\n"
	                     "  \"days\": []\n}\n",
	    7, 3, "unknown key \"colour\"");
	/* In a day: line 8, the key after `    {"date": "2025-01-01", `
	 * (27 characters). */
	expect_diag(NAT_HEAD
	    "  \"days\": [\n"
	    "    {\"date\": \"2025-01-01\", \"holiday\": true, "
	    "\"off\": true, \"name\": \"元旦\"}\n"
	    "  ]\n}\n",
	    8, 28, "unknown key \"holiday\"");
}

static void
test_error_wrong_type(void **state)
{
	(void)state;
	/* "year": "2025" on line 5, the value at column 11. */
	expect_diag("{\n"
	            "  \"format\": \"onewindow-calendar\",\n"
	            "  \"version\": 1,\n"
	            "  \"kind\": \"national\",\n"
	            "  \"year\": \"2025\",\n"
	            "  \"source\": [\"u\"],\n"
	            "  \"days\": []\n}\n",
	    5, 11, "\"year\" must be an integer");
	/* "off": "yes" after a Chinese name: columns count characters.
	 * `    {"name": "元旦", "date": "2025-01-01", "off": ` is 48
	 * characters (54 bytes), so the value is at column 49. */
	expect_diag(NAT_HEAD
	    "  \"days\": [\n"
	    "    {\"name\": \"元旦\", \"date\": \"2025-01-01\", "
	    "\"off\": \"yes\"}\n"
	    "  ]\n}\n",
	    8, 49, "\"off\" must be true or false");
	expect_diag(
	    NAT_HEAD "  \"days\": {}\n}\n", 7, 11, "\"days\" must be an array");
	expect_diag(NAT_HEAD "  \"days\": [\"2025-01-01\"]\n}\n", 7, 12,
	    "a day must be an object");
	expect_diag("[1, 2]\n", 1, 1, "must hold a JSON object");
}

static void
test_error_duplicate_date(void **state)
{
	(void)state;
	/* The second 2025-10-01 (line 10) is reported; the first is on 8. */
	expect_diag(NAT_HEAD "  \"days\": [\n"
	                     "    {\"date\": \"2025-10-01\", \"off\": true, "
	                     "\"name\": \"国庆节\"},\n"
	                     "    {\"date\": \"2025-10-02\", \"off\": true, "
	                     "\"name\": \"国庆节\"},\n"
	                     "    {\"date\": \"2025-10-01\", \"off\": true, "
	                     "\"name\": \"国庆节\"}\n"
	                     "  ]\n}\n",
	    10, 14, "duplicate date 2025-10-01 (first at line 8)");
}

static void
test_error_date_outside_year(void **state)
{
	(void)state;
	expect_diag(NAT_HEAD "  \"days\": [\n"
	                     "    {\"date\": \"2024-12-31\", \"off\": true, "
	                     "\"name\": \"x\"}\n"
	                     "  ]\n}\n",
	    8, 14, "date 2024-12-31 is outside year 2025");
}

static void
test_error_bad_date(void **state)
{
	(void)state;
	expect_diag(NAT_HEAD "  \"days\": [\n"
	                     "    {\"date\": \"2025/01/01\", \"off\": true, "
	                     "\"name\": \"x\"}\n"
	                     "  ]\n}\n",
	    8, 14, "bad date \"2025/01/01\"");
	expect_diag(NAT_HEAD "  \"days\": [\n"
	                     "    {\"date\": \"2025-02-29\", \"off\": true, "
	                     "\"name\": \"x\"}\n"
	                     "  ]\n}\n",
	    8, 14, "no such date 2025-02-29");
	expect_diag(NAT_HEAD "  \"days\": [\n"
	                     "    {\"date\": \"2025-01-01 \", \"off\": true, "
	                     "\"name\": \"x\"}\n"
	                     "  ]\n}\n",
	    8, 14, "bad date");
	/* An empty name, at its value. */
	expect_diag(NAT_HEAD "  \"days\": [\n"
	                     "    {\"date\": \"2025-01-01\", \"off\": true, "
	                     "\"name\": \"\"}\n"
	                     "  ]\n}\n",
	    8, 49, "a name must be 1 to 64 characters");
}

static void
test_error_missing_key(void **state)
{
	(void)state;
	/* A missing member is reported at its object's opening brace. */
	expect_diag(
	    NAT_HEAD "  \"licence\": \"x\"\n}\n", 1, 1, "missing key \"days\"");
	expect_diag(NAT_HEAD "  \"days\": [\n"
	                     "    {\"date\": \"2025-01-01\", \"name\": \"x\"}\n"
	                     "  ]\n}\n",
	    8, 5, "missing key \"off\"");
	expect_diag("{\"version\": 1}", 1, 1, "missing key \"format\"");
	/* A local file needs its hall. */
	expect_diag("{\"format\": \"onewindow-calendar\", \"version\": 1, "
	            "\"kind\": \"local\", \"days\": []}",
	    1, 1, "missing key \"hall\"");
}

static void
test_error_bad_version(void **state)
{
	(void)state;
	expect_diag("{\n"
	            "  \"format\": \"onewindow-calendar\",\n"
	            "  \"version\": 2,\n"
	            "  \"whatever\": \"a later version may add keys\"\n}\n",
	    3, 14, "unsupported version 2");
	expect_diag("{\"format\": \"holiday-cn\", \"version\": 1}", 1, 12,
	    "\"format\" must be \"onewindow-calendar\"");
	expect_diag("{\"format\": \"onewindow-calendar\", \"version\": 1, "
	            "\"kind\": \"regional\"}",
	    1, 56, "\"kind\" must be \"national\" or \"local\"");
}

static void
test_error_syntax(void **state)
{
	(void)state;
	/* A missing comma: jansson stops at the end of the next token,
	 * "version" on line 3, columns 3..11. */
	expect_diag("{\n"
	            "  \"format\": \"onewindow-calendar\"\n"
	            "  \"version\": 1\n}\n",
	    3, 11, "JSON syntax error");
	/* Empty input: jansson says column 0, which is shown as 1. */
	expect_diag("", 1, 1, "JSON syntax error");
	/* Duplicate keys are a syntax error too (JSON_REJECT_DUPLICATES);
	 * jansson points at the end of the second key, columns 15..22. */
	expect_diag(
	    "{\"format\": 1, \"format\": 2}", 1, 22, "JSON syntax error");
}

static void
test_error_nul_byte(void **state)
{
	/* jansson alone would take this (it skips a NUL ending a token). */
	static const char text[] = "{\"a\": [1,\n 2\0]}";
	struct form_calendar *cal = NULL;
	struct form_diags d;

	(void)state;
	assert_rc(form_calendar_new(&cal), 0);
	form_diags_init(&d);
	assert_rc(form_calendar_load(cal, "t.json", text, sizeof(text) - 1, &d),
	    CM_EPARSE);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].line, 2);
	assert_int_equal(d.items[0].col, 3);
	assert_non_null(strstr(d.items[0].msg, "NUL byte"));
	form_diags_free(&d);
	form_calendar_free(cal);
}

static void
test_error_ranges(void **state)
{
	(void)state;
	expect_diag("{\"format\": \"onewindow-calendar\", \"version\": 1, "
	            "\"kind\": \"national\", \"year\": 99999, \"source\": "
	            "[\"u\"], \"days\": []}",
	    1, 76, "year 99999 is outside 1970..2199");
	expect_diag("{\"format\": \"onewindow-calendar\", \"version\": 1, "
	            "\"kind\": \"local\", \"hall\": \"h\", \"days\": "
	            "[{\"date\": \"2025-01-02\", \"off\": false, \"name\": "
	            "\"x\"}]}",
	    1, 117, "a local closure must have \"off\": true");
	/* A national file must name the papers it comes from. */
	expect_diag("{\"format\": \"onewindow-calendar\", \"version\": 1, "
	            "\"kind\": \"national\", \"year\": 2025, \"source\": [], "
	            "\"days\": []}",
	    1, 92, "\"source\" must name at least one document");
}

static void
test_error_many(void **state)
{
	struct form_calendar *cal = NULL;
	struct form_diags d;
	char *text = malloc(100000);
	size_t n = 0;

	(void)state;
	/* 100 bad days: 20 diagnostics, then one that counts the rest. */
	n += (size_t)sprintf(text + n, NAT_HEAD "  \"days\": [\n");
	for (int i = 0; i < 100; i++) {
		n += (size_t)sprintf(text + n,
		    "    {\"date\": \"bad\", \"off\": true, "
		    "\"name\": \"x\"}%s\n",
		    i < 99 ? "," : "");
	}
	sprintf(text + n, "  ]\n}\n");
	assert_rc(form_calendar_new(&cal), 0);
	form_diags_init(&d);
	assert_rc(load_text(cal, text, &d), CM_EPARSE);
	assert_int_equal(d.n, 21);
	assert_int_equal(d.items[19].line, 8 + 19);
	assert_non_null(strstr(d.items[20].msg, "80 more problems"));
	form_diags_free(&d);
	form_calendar_free(cal);
	free(text);
}

/* ---- The converter. ---- */

#define HCN_DIR OW_SRC_DIR "/../shared/data/holiday-cn"

static void
test_convert_matches_bundled(void **state)
{
	(void)state;
	if (!cm_is_dir(HCN_DIR)) {
		skip();
	}
	for (int y = 2024; y <= 2026; y++) {
		char path[4096], rel[64];
		char *in, *want, *out = NULL;
		size_t inlen, wantlen;
		struct form_diags d;

		snprintf(path, sizeof(path), "%s/%d.json", HCN_DIR, y);
		snprintf(rel, sizeof(rel), "forms/calendar/%d.json", y);
		assert_rc(cm_file_read(path, 1 << 20, &in, &inlen), 0);
		want = ow_read_src(rel, &wantlen);
		form_diags_init(&d);
		assert_rc(
		    form_calendar_convert_holiday_cn(path, in, inlen, &out, &d),
		    0);
		assert_int_equal(d.n, 0);
		assert_string_equal(out, want);
		assert_int_equal(strlen(out), wantlen);
		cm_free(in);
		cm_free(want);
		cm_free(out);
		form_diags_free(&d);
	}
}

static void
test_convert_small(void **state)
{
	static const char in[] =
	    "{\"year\": 2030, \"papers\": [\"https://www.gov.cn/p\"], "
	    "\"days\": ["
	    "{\"name\": \"\\\"引号\\\"\", \"date\": \"2030-02-03\", "
	    "\"isOffDay\": false},"
	    "{\"name\": \"元旦\", \"date\": \"2030-01-01\", \"isOffDay\": true}"
	    "]}";
	/* Sorted by date, the quote in the name escaped. */
	static const char want[] =
	    "{\n"
	    "  \"format\": \"onewindow-calendar\",\n"
	    "  \"version\": 1,\n"
	    "  \"kind\": \"national\",\n"
	    "  \"year\": 2030,\n"
	    "  \"source\": [\n"
	    "    \"https://www.gov.cn/p\"\n"
	    "  ],\n"
	    "  \"licence\": \"holiday-cn data, MIT licence, Copyright (c) 2019 "
	    "NateScarlet\",\n"
	    "  \"generated_from\": \"holiday-cn 2030.json "
	    "(https://github.com/NateScarlet/holiday-cn)\",\n"
	    "  \"days\": [\n"
	    "    {\"date\": \"2030-01-01\", \"off\": true, \"name\": "
	    "\"元旦\"},\n"
	    "    {\"date\": \"2030-02-03\", \"off\": false, \"name\": "
	    "\"\\\"引号\\\"\"}\n"
	    "  ]\n"
	    "}\n";
	struct form_calendar *cal = NULL;
	struct form_diags d;
	char *out = NULL;

	(void)state;
	form_diags_init(&d);
	assert_rc(form_calendar_convert_holiday_cn(
	              "h.json", in, strlen(in), &out, &d),
	    0);
	assert_string_equal(out, want);
	/* What the converter writes, the loader reads. */
	assert_rc(form_calendar_new(&cal), 0);
	load_ok(cal, out);
	assert_work(cal, "2030-02-03"); /* a Sunday made a working day */
	assert_string_equal(
	    form_calendar_day_name(cal, ow_day("2030-02-03")), "\"引号\"");
	form_calendar_free(cal);
	cm_free(out);
	form_diags_free(&d);
}

/* Convert text, which must fail with one diagnostic at line:col. */
static void
expect_convert_diag(const char *text, int line, int col, const char *fragment)
{
	struct form_diags d;
	char *out = NULL;

	form_diags_init(&d);
	assert_rc(form_calendar_convert_holiday_cn(
	              "h.json", text, strlen(text), &out, &d),
	    CM_EPARSE);
	assert_null(out);
	if (d.n != 1 || d.items[0].line != line || d.items[0].col != col ||
	    strstr(d.items[0].msg, fragment) == NULL) {
		form_diags_print(&d, stderr);
		fail_msg("wanted h.json:%d:%d: ...%s...", line, col, fragment);
	}
	form_diags_free(&d);
}

static void
test_convert_errors(void **state)
{
	(void)state;
	/* A missing member, at its day's opening brace. */
	expect_convert_diag(
	    "{\n"
	    "  \"year\": 2025,\n"
	    "  \"papers\": [\"u\"],\n"
	    "  \"days\": [\n"
	    "    {\"name\": \"元旦\", \"date\": \"2025-01-01\"}\n"
	    "  ]\n"
	    "}\n",
	    5, 5, "missing key \"isOffDay\"");
	expect_convert_diag("{\"year\": 2025, \"papers\": [\"u\"], \"days\": "
	                    "[{\"name\": \"x\", \"date\": \"2026-01-01\", "
	                    "\"isOffDay\": true}]}",
	    1, 64, "date 2026-01-01 is outside year 2025");
	expect_convert_diag("{\"year\": 2025, \"papers\": [], \"days\": []}", 1,
	    26, "\"papers\" must name at least one document");
	/* A truncated file: jansson's position, the end of the input. */
	expect_convert_diag("{", 1, 1, "JSON syntax error");
}

/* ---- Allocation failures. ---- */

/*
 * Load text into a calendar holding another 2025 (07-01 off) while the
 * nth allocation fails, for n = 1, 2, ... until the load succeeds. Each
 * run must succeed or fail cleanly, leave the calendar as it was, and
 * leak nothing (the ASan build checks leaks). With jansson's allocations
 * hooked too, CM_EPARSE is also accepted: jansson's lexer reports a
 * failed allocation inside a string as a syntax error.
 */
static void
alloc_fail_loop(const char *text, bool closures, bool jansson_too)
{
	int rc = CM_ENOMEM;
	unsigned long n;

	if (jansson_too) {
		json_set_alloc_funcs(cm_malloc, cm_free);
	}
	for (n = 1; rc != 0 && n < 10000; n++) {
		struct form_calendar_day other = {
		    ow_day("2025-07-01"), true, "x"};
		struct form_calendar *cal = NULL;
		struct form_diags d;

		assert_rc(form_calendar_new(&cal), 0);
		assert_rc(form_calendar_set_year(cal, 2025, &other, 1), 0);
		form_diags_init(&d);
		cm_alloc_fail_after(n, 0);
		rc = form_calendar_load(cal, "t.json", text, strlen(text), &d);
		cm_alloc_fail_after(0, 0);
		if (rc != 0 && rc != CM_ENOMEM &&
		    !(jansson_too && rc == CM_EPARSE)) {
			form_diags_print(&d, stderr);
			fail_msg("allocation %lu: %s", n, cm_err_name(rc));
		}
		if (rc != 0) {
			/* Unchanged: still the other 2025, no closure. */
			assert_off(cal, "2025-07-01");
			assert_work(cal, "2025-01-29");
			assert_work(cal, "2025-07-10");
		} else if (!closures) {
			assert_work(cal, "2025-07-01");
			assert_off(cal, "2025-01-29");
		} else {
			assert_off(cal, "2025-07-10");
		}
		form_diags_free(&d);
		form_calendar_free(cal);
	}
	json_set_alloc_funcs(malloc, free);
	assert_rc(rc, 0);
	assert_true(n > 2); /* some allocation did fail */
}

static void
test_alloc_failures(void **state)
{
	static const char in[] =
	    "{\"year\": 2025, \"papers\": [\"u\"], \"days\": [{\"name\": "
	    "\"x\", "
	    "\"date\": \"2025-01-01\", \"isOffDay\": true}]}";
	char *year;
	size_t len;
	int rc = CM_ENOMEM;

	(void)state;
	year = ow_read_src("forms/calendar/2025.json", &len);
	alloc_fail_loop(year, false, false);
	alloc_fail_loop(closures_text, true, false);
	alloc_fail_loop(year, false, true);
	alloc_fail_loop(closures_text, true, true);
	cm_free(year);
	/* The converter: its output is all or nothing. */
	for (unsigned long n = 1; rc != 0 && n < 10000; n++) {
		char *out = NULL;

		cm_alloc_fail_after(n, 0);
		rc = form_calendar_convert_holiday_cn(
		    "h.json", in, strlen(in), &out, NULL);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
		assert_true((rc == 0) == (out != NULL));
		cm_free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest bundled[] = {
	    cmocka_unit_test(test_makeup_weekends),
	    cmocka_unit_test(test_spring_festival_2025),
	    cmocka_unit_test(test_national_day),
	    cmocka_unit_test(test_year_boundaries),
	    cmocka_unit_test(test_years_without_data),
	    cmocka_unit_test(test_add_limits),
	    cmocka_unit_test(test_coverage),
	};
	const struct CMUnitTest rest[] = {
	    cmocka_unit_test(test_local_closures),
	    cmocka_unit_test(test_closure_before_its_year),
	    cmocka_unit_test(test_reload_replaces_year),
	    cmocka_unit_test(test_set_year_api),
	    cmocka_unit_test(test_error_unknown_key),
	    cmocka_unit_test(test_error_wrong_type),
	    cmocka_unit_test(test_error_duplicate_date),
	    cmocka_unit_test(test_error_date_outside_year),
	    cmocka_unit_test(test_error_bad_date),
	    cmocka_unit_test(test_error_missing_key),
	    cmocka_unit_test(test_error_bad_version),
	    cmocka_unit_test(test_error_syntax),
	    cmocka_unit_test(test_error_nul_byte),
	    cmocka_unit_test(test_error_ranges),
	    cmocka_unit_test(test_error_many),
	    cmocka_unit_test(test_convert_matches_bundled),
	    cmocka_unit_test(test_convert_small),
	    cmocka_unit_test(test_convert_errors),
	    cmocka_unit_test(test_alloc_failures),
	};
	int failed;

	failed = cmocka_run_group_tests_name("calendar (bundled data)", bundled,
	    setup_bundled, teardown_bundled);
	failed += cmocka_run_group_tests_name("calendar", rest, NULL, NULL);
	return failed != 0;
}
