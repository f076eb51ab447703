/*
 * test_materials.c: complete, acceptable with gaps (容缺), incomplete;
 * gap deadlines bounded by the promised deadline; conditional materials.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/materials.h"

static const char matter_json[] =
    "{\"format\": \"onewindow-matter\", \"code\": \"XK00099003\", \"version\": "
    "1,\n"
    " \"name\": {\"zh\": \"测试\", \"en\": \"Test\"}, \"type\": \"XK\",\n"
    " \"department\": {\"zh\": \"局\", \"en\": \"Bureau\"},\n"
    " \"legal_basis\": {\"zh\": \"法\", \"en\": \"Act\"},\n"
    " \"applicant\": \"person\", \"visits\": 1, \"gaps_allowed\": true,\n"
    " \"limits\": {\"legal\": 20, \"promised\": 10, \"extension\": 10},\n"
    " \"fields\": [\n"
    "  {\"id\": \"by\", \"label\": {\"zh\": \"办理方式\", \"en\": "
    "\"Applying\"}, \"type\": \"enum\",\n"
    "   \"options\": [{\"value\": \"self\", \"label\": {\"zh\": \"本人\", "
    "\"en\": \"In person\"}},\n"
    "               {\"value\": \"agent\", \"label\": {\"zh\": \"代办\", "
    "\"en\": \"By an agent\"}}]}\n"
    " ],\n"
    " \"materials\": [\n"
    "  {\"id\": \"id_card\", \"name\": {\"zh\": \"身份证\", \"en\": \"ID "
    "card\"}, \"need\": \"required\", \"forms\": [\"original\", "
    "\"elicence\"]},\n"
    "  {\"id\": \"photo\", \"name\": {\"zh\": \"照片\", \"en\": \"Photo\"}, "
    "\"need\": \"required\", \"forms\": [\"original\"], \"copies\": 2, "
    "\"secondary\": true, \"gap_days\": 3},\n"
    "  {\"id\": \"proof\", \"name\": {\"zh\": \"证明\", \"en\": \"Proof\"}, "
    "\"need\": \"required\", \"forms\": [\"copy\"], \"secondary\": true, "
    "\"gap_days\": 10},\n"
    "  {\"id\": \"poa\", \"name\": {\"zh\": \"授权委托书\", \"en\": \"Power of "
    "attorney\"}, \"need\": \"conditional\",\n"
    "   \"required_when\": {\"field\": \"by\", \"equals\": \"agent\"}, "
    "\"forms\": [\"original\"]},\n"
    "  {\"id\": \"extra\", \"name\": {\"zh\": \"其他\", \"en\": \"Other\"}, "
    "\"need\": \"optional\", \"forms\": [\"copy\"]}\n"
    " ]}\n";

static struct form_matter *matter;
static struct form_calendar *cal;
static struct form_values vals;
static struct form_mat_result res;
static struct form_mat_opts opts;

static int
setup(void **state)
{
	struct form_diags d;

	(void)state;
	form_diags_init(&d);
	if (form_matter_parse(
	        "m.json", matter_json, strlen(matter_json), &matter, &d) != 0) {
		form_diags_print(&d, stderr);
		return -1;
	}
	form_diags_free(&d);
	cal = ow_bundled_calendar();
	form_values_init(&vals);
	form_mat_result_init(&res);
	/* Accepted Monday 2025-09-29, before the National Day week
	 * (10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked).
	 * Promised 10 working days: 09-30, 10-09, 10-10, 10-11, 10-13,
	 * 10-14, 10-15, 10-16, 10-17, 10-20. */
	opts.applicant_eligible = true;
	opts.cal = cal;
	opts.accepted = ow_day("2025-09-29");
	opts.promised_due = ow_day("2025-10-20");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	form_mat_result_free(&res);
	form_values_free(&vals);
	form_calendar_free(cal);
	form_matter_free(matter);
	return 0;
}

static void
check(const char *const *handed, size_t n)
{
	assert_rc(
	    form_materials_check(matter, &vals, handed, n, &opts, &res), 0);
}

static void
test_complete(void **state)
{
	const char *const all[] = {"id_card", "photo", "proof"};

	(void)state;
	check(all, 3);
	assert_int_equal(res.outcome, FORM_MAT_COMPLETE);
	assert_int_equal(res.nmissing, 0);
	assert_int_equal(res.nunknown, 0);
}

static void
test_gaps_with_deadlines(void **state)
{
	const char *const some[] = {"id_card"};

	(void)state;
	check(some, 1);
	assert_int_equal(res.outcome, FORM_MAT_GAPS);
	assert_int_equal(res.nmissing, 2);
	assert_string_equal(res.missing[0].mat->id, "photo");
	/* 3 working days after 09-29: 09-30, 10-09, 10-10. */
	assert_int_equal(res.missing[0].due, ow_day("2025-10-10"));
	/* 10 working days would be 10-20, the promised due date itself. */
	assert_int_equal(res.missing[1].due, ow_day("2025-10-20"));
}

static void
test_gap_never_after_promised(void **state)
{
	const char *const some[] = {"id_card", "photo"};

	(void)state;
	/* A case whose promised due date is earlier (e.g. re-computed after
	 * a shorter promise): the gap deadline is cut to it. */
	opts.promised_due = ow_day("2025-10-13");
	check(some, 2);
	assert_int_equal(res.outcome, FORM_MAT_GAPS);
	assert_int_equal(res.missing[0].due, ow_day("2025-10-13"));
	opts.promised_due = ow_day("2025-10-20");
}

static void
test_incomplete_lists_everything(void **state)
{
	const char *const none[] = {"extra", "bogus"};

	(void)state;
	check(none, 2);
	assert_int_equal(res.outcome, FORM_MAT_INCOMPLETE);
	/* The primary and the secondary ones: the one-time notice names all. */
	assert_int_equal(res.nmissing, 3);
	assert_string_equal(res.missing[0].mat->id, "id_card");
	assert_string_equal(res.missing[1].mat->id, "photo");
	assert_string_equal(res.missing[2].mat->id, "proof");
	assert_int_equal(res.missing[1].due, 0);
	assert_int_equal(res.nunknown, 1);
	assert_string_equal(res.unknown[0], "bogus");
}

static void
test_ineligible_applicant(void **state)
{
	const char *const some[] = {"id_card"};

	(void)state;
	opts.applicant_eligible = false;
	check(some, 1);
	opts.applicant_eligible = true;
	assert_int_equal(res.outcome, FORM_MAT_INCOMPLETE);
	assert_true(res.gaps_refused_ineligible);
	assert_int_equal(res.nmissing, 2);
}

static void
test_conditional_material(void **state)
{
	const char *const all[] = {"id_card", "photo", "proof"};

	(void)state;
	assert_rc(form_values_set(&vals, "by", "agent"), 0);
	check(all, 3);
	/* The power of attorney is primary: no 容缺 for it. */
	assert_int_equal(res.outcome, FORM_MAT_INCOMPLETE);
	assert_int_equal(res.nmissing, 1);
	assert_string_equal(res.missing[0].mat->id, "poa");
	assert_true(form_material_is_required(&matter->materials[3], &vals));
	assert_rc(form_values_set(&vals, "by", "self"), 0);
	check(all, 3);
	assert_int_equal(res.outcome, FORM_MAT_COMPLETE);
}

static void
test_gaps_not_allowed_by_matter(void **state)
{
	const char *const some[] = {"id_card"};

	(void)state;
	matter->gaps_allowed = false;
	check(some, 1);
	matter->gaps_allowed = true;
	assert_int_equal(res.outcome, FORM_MAT_INCOMPLETE);
	assert_false(res.gaps_refused_ineligible);
}

static void
test_calendar_without_data(void **state)
{
	const char *const some[] = {"id_card"};

	(void)state;
	opts.accepted = ow_day("2026-12-30");
	opts.promised_due = ow_day("2027-01-20");
	assert_rc(form_materials_check(matter, &vals, some, 1, &opts, &res),
	    CM_ENODATA);
	opts.accepted = ow_day("2025-09-29");
	opts.promised_due = ow_day("2025-10-20");
}

static void
test_alloc_failures(void **state)
{
	const char *const some[] = {"id_card", "zzz"};

	(void)state;
	for (unsigned long n = 1; n < 20; n++) {
		int rc;

		cm_alloc_fail_after(n, 0);
		rc = form_materials_check(matter, &vals, some, 2, &opts, &res);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_complete),
	    cmocka_unit_test(test_gaps_with_deadlines),
	    cmocka_unit_test(test_gap_never_after_promised),
	    cmocka_unit_test(test_incomplete_lists_everything),
	    cmocka_unit_test(test_ineligible_applicant),
	    cmocka_unit_test(test_conditional_material),
	    cmocka_unit_test(test_gaps_not_allowed_by_matter),
	    cmocka_unit_test(test_calendar_without_data),
	    cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
