/*
 * test_notice.c: acceptance, 容缺, one-time and refusal notices, and their
 * verification codes.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/notice.h"
#include "forms/validate.h"

static const char matter_json[] =
    "{\"format\": \"onewindow-matter\", \"code\": \"XK00099004\", \"version\": "
    "1,\n"
    " \"name\": {\"zh\": \"食品经营许可\", \"en\": \"Food business licence\"}, "
    "\"type\": \"XK\",\n"
    " \"department\": {\"zh\": \"市场监督管理局\", \"en\": \"Market "
    "Regulation\"},\n"
    " \"legal_basis\": {\"zh\": \"法\", \"en\": \"Act\"},\n"
    " \"applicant\": \"enterprise\", \"visits\": 1, \"gaps_allowed\": true,\n"
    " \"limits\": {\"legal\": 20, \"promised\": 10, \"extension\": 10},\n"
    " \"fields\": [\n"
    "  {\"id\": \"mobile\", \"label\": {\"zh\": \"联系电话\", \"en\": "
    "\"Contact mobile\"}, \"type\": \"mobile\", \"required\": true}\n"
    " ],\n"
    " \"materials\": [\n"
    "  {\"id\": \"licence\", \"name\": {\"zh\": \"营业执照\", \"en\": "
    "\"Business licence\"}, \"need\": \"required\", \"forms\": [\"original\", "
    "\"elicence\"]},\n"
    "  {\"id\": \"plan\", \"name\": {\"zh\": \"平面图\", \"en\": \"Floor "
    "plan\"}, \"need\": \"required\", \"forms\": [\"copy\"], \"copies\": 2, "
    "\"secondary\": true, \"gap_days\": 3}\n"
    " ]}\n";

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
static struct form_matter *matter;

static int
setup(void **state)
{
	struct form_diags d;

	(void)state;
	form_diags_init(&d);
	if (form_matter_parse(
	        "n.json", matter_json, strlen(matter_json), &matter, &d) != 0) {
		form_diags_print(&d, stderr);
		return -1;
	}
	form_diags_free(&d);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	form_matter_free(matter);
	return 0;
}

static void
base(struct form_notice_in *in, enum form_notice_kind kind)
{
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	in->case_no = "SZ01-20251010-0007";
	in->m = matter;
	in->applicant = "深圳市某某餐饮有限公司";
	in->hall = "福田区政务服务大厅";
	in->clerk = "王芳";
	in->contact = "0755-83000000";
	in->date = ow_day("2025-10-10");
	in->promised_due = ow_day("2025-10-24");
	in->legal_due = ow_day("2025-11-07");
	in->key = key;
	in->keylen = sizeof(key);
}

static void
test_acceptance(void **state)
{
	struct form_notice_in in;
	struct form_notice n;
	const char *const received[] = {"licence", "plan"};
	char code[16];
	const char *body;

	(void)state;
	base(&in, FORM_NOTICE_ACCEPTANCE);
	in.received = received;
	in.nreceived = 2;
	assert_rc(form_notice_build(&in, &n), 0);
	assert_string_equal(n.title, "Notice of Acceptance");
	assert_int_equal(n.nitems, 2);
	assert_string_equal(n.items[0].what, "Business licence");
	assert_string_equal(n.items[0].detail, "original or e-licence, 1 copy");
	assert_non_null(strstr(n.text, "Case number: SZ01-20251010-0007\n"));
	assert_non_null(strstr(n.text, n.verify));
	assert_non_null(strstr(n.text, "Promised completion date: 2025-10-24"));
	assert_non_null(
	    strstr(n.text, "Statutory completion date: 2025-11-07"));
	assert_non_null(strstr(n.text, "深圳市某某餐饮有限公司"));
	assert_int_equal(strlen(n.verify), 14);
	assert_int_equal(n.verify[4], '-');

	/* The code is the keyed hash of the body below the code line: anyone
	 * with the key can check it, a changed letter breaks it. */
	body = strstr(n.text, "Applicant:");
	assert_non_null(body);
	assert_rc(form_notice_verify_code(
	              key, sizeof(key), n.kind, n.case_no, body, code),
	    0);
	assert_string_equal(code, n.verify);
	assert_rc(form_notice_verify_code(key, sizeof(key), n.kind,
	              "SZ01-20251010-0008", body, code),
	    0);
	assert_string_not_equal(code, n.verify);
	assert_rc(
	    form_notice_verify_code(key, 16, n.kind, n.case_no, body, code), 0);
	assert_string_not_equal(code, n.verify);
	form_notice_free(&n);
}

static void
test_onetime_lists_materials_and_fields(void **state)
{
	struct form_notice_in in;
	struct form_notice n;
	struct form_mat_result mat;
	struct form_mat_missing missing[2];
	struct form_report rep;

	(void)state;
	form_report_init(&rep);
	assert_rc(
	    form_report_add(&rep, "mobile", FORM_P_MOBILE, NULL, NULL), 0);
	assert_rc(
	    form_report_add(&rep, "mobile", FORM_P_ID15_UPGRADED, "x", NULL),
	    0); /* a notice: not listed */
	memset(&mat, 0, sizeof(mat));
	missing[0].mat = &matter->materials[0];
	missing[0].due = 0;
	missing[1].mat = &matter->materials[1];
	missing[1].due = 0;
	mat.outcome = FORM_MAT_INCOMPLETE;
	mat.missing = missing;
	mat.nmissing = 2;

	base(&in, FORM_NOTICE_ONETIME);
	in.mat = &mat;
	in.report = &rep;
	in.supplement_due = ow_day("2025-10-17");
	assert_rc(form_notice_build(&in, &n), 0);
	assert_int_equal(n.nitems, 3);
	assert_string_equal(n.items[1].what, "Floor plan");
	assert_string_equal(n.items[1].detail, "copy, 2 copies");
	assert_string_equal(n.items[2].what, "Contact mobile");
	assert_string_equal(n.items[2].detail,
	    "Contact mobile must be an 11-digit mobile "
	    "number beginning 13 to 19");
	assert_non_null(strstr(n.text, "Article 32"));
	assert_non_null(
	    strstr(n.text, "  3. Contact mobile must be an 11-digit"));
	assert_true(n.items[2].is_field);
	assert_false(n.items[1].is_field);
	assert_non_null(
	    strstr(n.text, "Please supplement them by: 2025-10-17"));
	form_notice_free(&n);
	form_report_free(&rep);
}

static void
test_gaps_notice(void **state)
{
	struct form_notice_in in;
	struct form_notice n;
	struct form_mat_result mat;
	struct form_mat_missing missing[1];

	(void)state;
	memset(&mat, 0, sizeof(mat));
	missing[0].mat = &matter->materials[1];
	missing[0].due = ow_day("2025-10-15");
	mat.outcome = FORM_MAT_GAPS;
	mat.missing = missing;
	mat.nmissing = 1;
	base(&in, FORM_NOTICE_GAPS);
	in.mat = &mat;
	assert_rc(form_notice_build(&in, &n), 0);
	assert_int_equal(n.nitems, 1);
	assert_int_equal(n.items[0].due, ow_day("2025-10-15"));
	assert_non_null(strstr(
	    n.text, "Floor plan: copy, 2 copies; hand in by 2025-10-15"));
	assert_non_null(strstr(n.text, "two copies"));
	form_notice_free(&n);
}

static void
test_refusal_and_bad_input(void **state)
{
	struct form_notice_in in;
	struct form_notice n;

	(void)state;
	base(&in, FORM_NOTICE_REFUSAL);
	assert_rc(form_notice_build(&in, &n), CM_EINVAL); /* no reason */
	in.reason = "不属于本机关职权范围";
	assert_rc(form_notice_build(&in, &n), 0);
	assert_non_null(strstr(n.text, "Reason: 不属于本机关职权范围"));
	assert_non_null(strstr(n.text, "reconsideration within 60 days"));
	form_notice_free(&n);

	in.keylen = 8; /* too short a key */
	assert_rc(form_notice_build(&in, &n), CM_EINVAL);
	in.keylen = sizeof(key);
	in.case_no = "";
	assert_rc(form_notice_build(&in, &n), CM_EINVAL);
	in.case_no = "X1";
	in.applicant = "\xe5\xbc"; /* half a character */
	assert_rc(form_notice_build(&in, &n), CM_EUTF8);
	base(&in, FORM_NOTICE_ONETIME); /* no materials result */
	assert_rc(form_notice_build(&in, &n), CM_EINVAL);
}

static void
test_alloc_failures(void **state)
{
	struct form_notice_in in;
	struct form_notice n;
	const char *const received[] = {"licence", "plan"};

	(void)state;
	base(&in, FORM_NOTICE_ACCEPTANCE);
	in.received = received;
	in.nreceived = 2;
	for (unsigned long k = 1; k < 60; k++) {
		int rc;

		cm_alloc_fail_after(k, 0);
		rc = form_notice_build(&in, &n);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
		if (rc == 0) {
			form_notice_free(&n);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_acceptance),
	    cmocka_unit_test(test_onetime_lists_materials_and_fields),
	    cmocka_unit_test(test_gaps_notice),
	    cmocka_unit_test(test_refusal_and_bad_input),
	    cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
