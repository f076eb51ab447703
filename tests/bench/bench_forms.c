/*
 * bench_forms.c: how fast the forms library does what the desk and the
 * node will ask of it, against the budgets they need.
 *
 *   catalog load   the node loads the whole catalog at start: budget 50 ms
 *   validation     the desk validates the whole form on every submit and a
 *                  field on every exit: budget 1 ms for a whole form
 *   deadline       the node recomputes every open case's warning level on a
 *                  timer: 100 000 cases in under 1 s, so 10 us a case
 *
 * Run: build/release/tests/bench/bench_forms [SRC_DIR]. It prints each
 * figure, its budget and PASS/FAIL, and exits 1 if a budget is missed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/fs.h"
#include "forms/calendar.h"
#include "forms/catalog.h"
#include "forms/deadline.h"
#include "forms/validate.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int failures;

static void
report(const char *what, double value, const char *unit, double budget)
{
	bool ok = value <= budget;

	printf("%-34s %12.3f %-6s budget %10.3f %s  %s\n", what, value, unit,
	    budget, unit, ok ? "PASS" : "FAIL");
	failures += !ok;
}

static int
load_dir(const char *dir, void *target,
    int (*load)(
        void *, const char *, const char *, size_t, struct form_diags *))
{
	char **files = NULL;
	size_t n = 0;
	struct form_diags d;
	int bad = 0;

	if (cm_dir_list(dir, ".json", &files, &n) != 0 || n == 0) {
		fprintf(stderr, "bench: no files in %s\n", dir);
		exit(2);
	}
	form_diags_init(&d);
	for (size_t i = 0; i < n; i++) {
		char *buf;
		size_t len;

		if (cm_file_read(files[i], 1 << 24, &buf, &len) != 0) {
			exit(2);
		}
		bad += load(target, files[i], buf, len, &d) != 0;
		cm_free(buf);
	}
	form_diags_free(&d);
	cm_file_list_free(files);
	return bad;
}

static int
cat_cb(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_catalog_load(t, name, buf, len, d);
}

static int
cal_cb(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_calendar_load(t, name, buf, len, d);
}

int
main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : OW_SRC_DIR;
	char dir[4096];
	struct form_catalog cat;
	struct form_calendar *cal = NULL;
	struct form_values in, out;
	struct form_report rep;
	const struct form_matter *m;
	double t0, t1;
	int rounds = 20, n;

	/* Catalog load, from files already in the page cache. */
	snprintf(dir, sizeof(dir), "%s/forms/catalog", src);
	t0 = now_us();
	for (int i = 0; i < rounds; i++) {
		form_catalog_init(&cat);
		if (load_dir(dir, &cat, cat_cb) != 0) {
			fprintf(stderr, "bench: the catalog does not load\n");
			return 2;
		}
		form_catalog_sort(&cat);
		if (i + 1 < rounds) {
			form_catalog_free(&cat);
		}
	}
	t1 = now_us();
	printf("catalog: %zu matters\n", cat.n);
	report("catalog load (all matters)", (t1 - t0) / rounds / 1000.0, "ms",
	    50.0);

	snprintf(dir, sizeof(dir), "%s/forms/calendar", src);
	form_calendar_new(&cal);
	load_dir(dir, cal, cal_cb);

	/* A whole application of the real estate transfer matter, or the
	 * matter with most fields, with typical (valid and invalid) values. */
	m = cat.items[0];
	for (size_t i = 0; i < cat.n; i++) {
		if (cat.items[i]->nfields > m->nfields) {
			m = cat.items[i];
		}
	}
	form_values_init(&in);
	form_values_init(&out);
	form_report_init(&rep);
	for (size_t i = 0; i < m->nfields; i++) {
		static const char *const samples[FORM_FT__COUNT] = {
		    [FORM_FT_TEXT] = "经营场所位于一层临街",
		    [FORM_FT_PERSON_NAME] = "买买提·艾力",
		    [FORM_FT_CITIZEN_ID] = "11010519491231002x",
		    [FORM_FT_USCC] = "91430111MA4L41YT1U",
		    [FORM_FT_MOBILE] = "１３８００１３８０００",
		    [FORM_FT_LANDLINE] = "0755-83001234",
		    [FORM_FT_DATE] = "2025-06-01",
		    [FORM_FT_ENUM] = "",
		    [FORM_FT_INTEGER] = "42",
		    [FORM_FT_MONEY] = "¥1,234.50",
		    [FORM_FT_REGION] = "440305",
		    [FORM_FT_ADDRESS] = "广东省深圳市南山区科技园南区",
		    [FORM_FT_BOOL] = "是",
		    [FORM_FT_ELICENCE] = "DZZZ-2025-000123",
		};
		const struct form_field *f = &m->fields[i];
		const char *v = samples[f->type];

		if (f->type == FORM_FT_ENUM) {
			v = f->options[0].value;
		}
		form_values_set(&in, f->id, v);
	}
	n = 20000;
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		form_validate(m, &in, 20000, &out, &rep);
	}
	t1 = now_us();
	printf("validation: %s, %zu fields, %zu problems in the sample\n",
	    m->code, m->nfields, rep.n);
	report("validate one whole form", (t1 - t0) / n, "us", 1000.0);

	/* Deadlines: a case accepted on each day of 2025, looked at on its
	 * 15th calendar day, with a pause. */
	{
		struct form_deadline_in din;
		struct form_deadline dl;
		struct form_pause pause;
		int32_t first = 0;

		cm_date_from_ymd(2025, 1, 1, &first);
		memset(&din, 0, sizeof(din));
		din.legal_limit = 20;
		din.promised_limit = 15;
		din.extension = 10;
		form_thresholds_default(&din.thresholds);
		din.pauses = &pause;
		din.npauses = 1;
		pause.kind = FORM_PAUSE_SUPPLEMENT;
		n = 200000;
		t0 = now_us();
		for (int i = 0; i < n; i++) {
			din.accepted = first + i % 365;
			din.today = din.accepted + 15;
			pause.from = din.accepted + 2;
			pause.to = din.accepted + 5;
			if (form_deadline_compute(cal, &din, &dl) != 0) {
				fprintf(stderr, "bench: deadline failed\n");
				return 2;
			}
		}
		t1 = now_us();
		report("deadline + warning level, one case", (t1 - t0) / n,
		    "us", 10.0);
	}

	form_values_free(&in);
	form_values_free(&out);
	form_report_free(&rep);
	form_catalog_free(&cat);
	form_calendar_free(cal);
	printf("%s\n", failures == 0 ? "all budgets met" : "BUDGETS MISSED");
	return failures == 0 ? 0 : 1;
}
