/*
 * test_validate.c: the validation engine: normalisation, types,
 * conditions, cross-field rules, one report with every problem.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/validate.h"

static const char matter_json[] =
    "{\"format\": \"onewindow-matter\", \"code\": \"XK00099002\", \"version\": "
    "3,\n"
    " \"name\": {\"zh\": \"测试\", \"en\": \"Test\"}, \"type\": \"XK\",\n"
    " \"department\": {\"zh\": \"局\", \"en\": \"Bureau\"},\n"
    " \"legal_basis\": {\"zh\": \"法\", \"en\": \"Act\"},\n"
    " \"applicant\": \"any\", \"visits\": 1,\n"
    " \"limits\": {\"legal\": 20, \"promised\": 10, \"extension\": 10},\n"
    " \"fields\": [\n"
    "  {\"id\": \"name\", \"label\": {\"zh\": \"姓名\", \"en\": \"Name\"}, "
    "\"type\": \"person_name\", \"required\": true, \"min_len\": 2, "
    "\"max_len\": 6},\n"
    "  {\"id\": \"id\", \"label\": {\"zh\": \"身份证号\", \"en\": \"ID "
    "number\"}, \"type\": \"citizen_id\", \"required\": true},\n"
    "  {\"id\": \"uscc\", \"label\": {\"zh\": \"信用代码\", \"en\": \"USCC\"}, "
    "\"type\": \"uscc\"},\n"
    "  {\"id\": \"mobile\", \"label\": {\"zh\": \"手机\", \"en\": \"Mobile\"}, "
    "\"type\": \"mobile\", \"required\": true},\n"
    "  {\"id\": \"by\", \"label\": {\"zh\": \"办理方式\", \"en\": "
    "\"Applying\"}, \"type\": \"enum\", \"required\": true,\n"
    "   \"options\": [{\"value\": \"self\", \"label\": {\"zh\": \"本人\", "
    "\"en\": \"In person\"}},\n"
    "               {\"value\": \"agent\", \"label\": {\"zh\": \"代办\", "
    "\"en\": \"By an agent\"}}]},\n"
    "  {\"id\": \"agent_name\", \"label\": {\"zh\": \"代办人\", \"en\": "
    "\"Agent\"}, \"type\": \"person_name\",\n"
    "   \"shown_when\": {\"field\": \"by\", \"equals\": \"agent\"}, "
    "\"required_when\": {\"field\": \"by\", \"equals\": \"agent\"}},\n"
    "  {\"id\": \"start\", \"label\": {\"zh\": \"起租日\", \"en\": \"Lease "
    "start\"}, \"type\": \"date\"},\n"
    "  {\"id\": \"end\", \"label\": {\"zh\": \"止租日\", \"en\": \"Lease "
    "end\"}, \"type\": \"date\"},\n"
    "  {\"id\": \"born\", \"label\": {\"zh\": \"出生日期\", \"en\": \"Born\"}, "
    "\"type\": \"date\", \"not_future\": true},\n"
    "  {\"id\": \"amount\", \"label\": {\"zh\": \"金额\", \"en\": \"Amount\"}, "
    "\"type\": \"money\", \"min\": 100, \"max\": 10000000},\n"
    "  {\"id\": \"balance\", \"label\": {\"zh\": \"余额\", \"en\": "
    "\"Balance\"}, \"type\": \"money\"},\n"
    "  {\"id\": \"count\", \"label\": {\"zh\": \"人数\", \"en\": \"People\"}, "
    "\"type\": \"integer\", \"min\": 1, \"max\": 20},\n"
    "  {\"id\": \"agree\", \"label\": {\"zh\": \"同意\", \"en\": \"Agree\"}, "
    "\"type\": \"bool\"},\n"
    "  {\"id\": \"note\", \"label\": {\"zh\": \"备注\", \"en\": \"Note\"}, "
    "\"type\": \"text\", \"max_len\": 10}\n"
    " ],\n"
    " \"rules\": [{\"op\": \"after\", \"field\": \"end\", \"other\": "
    "\"start\"},\n"
    "           {\"op\": \"le\", \"field\": \"amount\", \"other\": "
    "\"balance\"}],\n"
    " \"materials\": []}\n";

static struct form_matter *matter;
static struct form_values in, out;
static struct form_report rep;

static int
setup(void **state)
{
	struct form_diags d;

	(void)state;
	form_diags_init(&d);
	if (form_matter_parse(
	        "v.json", matter_json, strlen(matter_json), &matter, &d) != 0) {
		form_diags_print(&d, stderr);
		return -1;
	}
	form_diags_free(&d);
	form_values_init(&in);
	form_values_init(&out);
	form_report_init(&rep);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	form_matter_free(matter);
	form_values_free(&in);
	form_values_free(&out);
	form_report_free(&rep);
	return 0;
}

static void
set(const char *k, const char *v)
{
	assert_rc(form_values_set(&in, k, v), 0);
}

static void
reset(void)
{
	form_values_free(&in);
	form_values_init(&in);
	set("name", "张三");
	set("id", "11010519491231002X");
	set("mobile", "13800138000");
	set("by", "self");
}

static void
run(void)
{
	assert_rc(
	    form_validate(matter, &in, ow_day("2025-06-30"), &out, &rep), 0);
}

/* The problem on field, or fail. */
static const struct form_problem *
problem_on(const char *field, enum form_pcode code)
{
	for (size_t i = 0; i < rep.n; i++) {
		if (strcmp(rep.items[i].field, field) == 0 &&
		    rep.items[i].code == code) {
			return &rep.items[i];
		}
	}
	for (size_t i = 0; i < rep.n; i++) {
		print_error("  have %s %s\n", rep.items[i].field,
		    form_pcode_name(rep.items[i].code));
	}
	fail_msg("no %s on %s", form_pcode_name(code), field);
	return NULL;
}

/* The report must be empty; print it if not. */
static void
assert_clean(void)
{
	for (size_t i = 0; i < rep.n; i++) {
		print_error("  unexpected %s %s\n", rep.items[i].field,
		    form_pcode_name(rep.items[i].code));
	}
	assert_int_equal(rep.n, 0);
}

static void
test_valid_and_canonical(void **state)
{
	(void)state;
	reset();
	set("name", " 买买提•艾力 "); /* bullet variant, spaces trimmed */
	set("id", "11010519491231002x");
	set("mobile", "１３８００１３８０００"); /* full-width digits */
	set("by", "代办");                       /* an option's label */
	set("agent_name", "𠮷野");
	set("amount", "¥1,234.5");
	set("balance", "2000");
	set("agree", "是");
	set("count", "3");
	set("start", "2025-01-01");
	set("end", "2025-12-31");
	run();
	assert_clean();
	assert_string_equal(form_values_get(&out, "name"), "买买提·艾力");
	assert_string_equal(form_values_get(&out, "id"), "11010519491231002X");
	assert_string_equal(form_values_get(&out, "mobile"), "13800138000");
	assert_string_equal(form_values_get(&out, "by"), "agent");
	assert_string_equal(form_values_get(&out, "agent_name"), "𠮷野");
	assert_string_equal(form_values_get(&out, "amount"), "1234.50");
	assert_string_equal(form_values_get(&out, "agree"), "yes");
	assert_false(form_report_blocks(&rep, false));
}

static void
test_every_problem_at_once(void **state)
{
	(void)state;
	form_values_free(&in);
	form_values_init(&in);
	set("id", "110105194912310021"); /* wrong check: should be X */
	set("mobile", "12345");
	set("by", "post");
	set("born", "2030-01-01");
	set("count", "99");
	set("note", "一二三四五六七八九十一");
	set("colour", "red");
	run();
	problem_on("colour", FORM_P_UNKNOWN_FIELD);
	problem_on("name", FORM_P_REQUIRED);
	assert_string_equal(problem_on("id", FORM_P_ID_CHECK)->a, "X");
	problem_on("mobile", FORM_P_MOBILE);
	problem_on("by", FORM_P_ENUM);
	problem_on("born", FORM_P_DATE_FUTURE);
	assert_string_equal(problem_on("count", FORM_P_ABOVE_MAX)->a, "20");
	assert_string_equal(problem_on("note", FORM_P_TOO_LONG)->a, "10");
	assert_int_equal(rep.errors, 8);
	assert_int_equal(rep.n, 8);
	assert_true(form_report_blocks(&rep, true));
	/* Invalid values are not passed on as if they were good. */
	assert_null(form_values_get(&out, "mobile"));
	assert_null(form_values_get(&out, "colour"));
}

static void
test_conditions(void **state)
{
	(void)state;
	reset();
	set("by", "agent");
	run();
	problem_on("agent_name", FORM_P_REQUIRED);

	reset();
	set("agent_name", "李四"); /* but applying in person */
	run();
	assert_int_equal(
	    problem_on("agent_name", FORM_P_NOT_APPLICABLE)->severity,
	    FORM_SEV_NOTICE);
	assert_null(form_values_get(&out, "agent_name"));
	assert_false(form_report_blocks(&rep, false));
}

static void
test_cross_field_rules(void **state)
{
	(void)state;
	reset();
	set("start", "2025-03-01");
	set("end", "2025-03-01"); /* the same day is not after */
	set("amount", "500.00");
	set("balance", "499.99");
	run();
	assert_string_equal(
	    problem_on("end", FORM_P_RULE_AFTER)->other, "start");
	problem_on("amount", FORM_P_RULE_LE);
	assert_int_equal(rep.errors, 2);

	/* A rule on an invalid value is not checked again. */
	reset();
	set("start", "2025-02-30");
	set("end", "2025-01-01");
	run();
	problem_on("start", FORM_P_DATE);
	assert_int_equal(rep.n, 1);
}

static void
test_uscc_warning_and_id15(void **state)
{
	(void)state;
	reset();
	set("uscc", "91430111MA4L41YT1A"); /* check should be U */
	set("id", "110105491231002");      /* 15 digits, 1949-12-31 */
	run();
	assert_int_equal(
	    problem_on("uscc", FORM_P_USCC_CHECK)->severity, FORM_SEV_WARNING);
	assert_string_equal(problem_on("uscc", FORM_P_USCC_CHECK)->a, "U");
	/* Kept, for a supervisor to accept. */
	assert_string_equal(
	    form_values_get(&out, "uscc"), "91430111MA4L41YT1A");
	assert_true(form_report_blocks(&rep, false));
	assert_false(form_report_blocks(&rep, true));
	/* 11010519491231002 -> the check of GB 11643 is X. */
	assert_string_equal(form_values_get(&out, "id"), "11010519491231002X");
	assert_int_equal(
	    problem_on("id", FORM_P_ID15_UPGRADED)->severity, FORM_SEV_NOTICE);
}

static void
test_lengths_are_characters(void **state)
{
	(void)state;
	reset();
	set("name", "𠮷𠮷𠮷𠮷𠮷𠮷"); /* 6 characters, 24 bytes: max_len 6 */
	run();
	assert_clean();
	reset();
	set("name", "𠮷𠮷𠮷𠮷𠮷𠮷𠮷");
	run();
	assert_string_equal(problem_on("name", FORM_P_TOO_LONG)->a, "6");
	reset();
	set("name", "张");
	run();
	assert_string_equal(problem_on("name", FORM_P_TOO_SHORT)->a, "2");
}

static void
test_money_range_message(void **state)
{
	char msg[256];

	(void)state;
	reset();
	set("amount", "0.99");
	run();
	assert_string_equal(problem_on("amount", FORM_P_BELOW_MIN)->a, "1.00");
	form_problem_message(problem_on("amount", FORM_P_BELOW_MIN), matter,
	    false, msg, sizeof(msg));
	assert_string_equal(msg, "Amount must be at least 1.00");
	form_problem_message(problem_on("amount", FORM_P_BELOW_MIN), matter,
	    true, msg, sizeof(msg));
	assert_string_equal(msg, "金额 must be at least 1.00");
	/* Cut short on a character boundary, never inside 金. */
	form_problem_message(
	    problem_on("amount", FORM_P_BELOW_MIN), matter, true, msg, 4);
	assert_string_equal(msg, "金");
}

/* Conditions see the final values: valid, canonical, of fields that apply. */
static void
test_conditions_on_final_values(void **state)
{
	static const char json[] =
	    "{\"format\": \"onewindow-matter\", \"code\": \"XK00099005\", \"version\": 1,"
	    " \"name\": {\"zh\": \"测\", \"en\": \"T\"}, \"type\": \"XK\","
	    " \"department\": {\"zh\": \"局\", \"en\": \"B\"},"
	    " \"legal_basis\": {\"zh\": \"法\", \"en\": \"A\"},"
	    " \"applicant\": \"any\", \"visits\": 1,"
	    " \"limits\": {\"legal\": 20, \"promised\": 10, \"extension\": 10},"
	    " \"fields\": ["
	    "  {\"id\": \"fee\", \"label\": {\"zh\": \"费\", \"en\": \"Fee\"}, \"type\": \"money\"},"
	    "  {\"id\": \"why\", \"label\": {\"zh\": \"因\", \"en\": \"Why\"}, \"type\": \"text\","
	    "   \"shown_when\": {\"field\": \"fee\", \"equals\": \"100\"}},"
	    "  {\"id\": \"kind\", \"label\": {\"zh\": \"类\", \"en\": \"Kind\"}, \"type\": \"enum\","
	    "   \"options\": [{\"value\": \"x\", \"label\": {\"zh\": \"甲\", \"en\": \"X\"}},"
	    "               {\"value\": \"y\", \"label\": {\"zh\": \"乙\", \"en\": \"Y\"}}]},"
	    "  {\"id\": \"agent\", \"label\": {\"zh\": \"代\", \"en\": \"Agent?\"}, \"type\": \"bool\","
	    "   \"shown_when\": {\"field\": \"kind\", \"equals\": \"x\"}},"
	    "  {\"id\": \"agent_name\", \"label\": {\"zh\": \"代办人\", \"en\": \"Agent name\"}, \"type\": \"person_name\","
	    "   \"required_when\": {\"field\": \"agent\", \"equals\": \"yes\"}},"
	    "  {\"id\": \"cert\", \"label\": {\"zh\": \"证\", \"en\": \"Cert\"}, \"type\": \"elicence\"},"
	    "  {\"id\": \"cert_date\", \"label\": {\"zh\": \"日\", \"en\": \"Cert date\"}, \"type\": \"date\","
	    "   \"required_when\": {\"field\": \"cert\", \"present\": true}}"
	    " ], \"materials\": []}";
	struct form_matter *m2 = NULL;
	struct form_diags d;
	struct form_values v, o;
	struct form_report r;

	(void)state;
	form_diags_init(&d);
	assert_rc(form_matter_parse("c.json", json, strlen(json), &m2, &d), 0);
	form_diags_free(&d);
	form_values_init(&v);
	form_values_init(&o);
	form_report_init(&r);

	/* "100" is 100.00 yuan: the note applies and is kept. */
	assert_rc(form_values_set(&v, "fee", "100"), 0);
	assert_rc(form_values_set(&v, "why", "补缴"), 0);
	assert_rc(form_validate(m2, &v, 20000, &o, &r), 0);
	assert_int_equal(r.n, 0);
	assert_string_equal(form_values_get(&o, "why"), "补缴");

	/* A hidden field's value does not make another field required:
	 * kind y hides "agent", so "agent=yes" requires nothing. */
	form_values_free(&v);
	form_values_init(&v);
	assert_rc(form_values_set(&v, "kind", "y"), 0);
	assert_rc(form_values_set(&v, "agent", "yes"), 0);
	assert_rc(form_validate(m2, &v, 20000, &o, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.items[0].code, FORM_P_NOT_APPLICABLE);
	/* The chain kind -> agent -> agent_name holds when it should. */
	assert_rc(form_values_set(&v, "kind", "x"), 0);
	assert_rc(form_validate(m2, &v, 20000, &o, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.items[0].code, FORM_P_REQUIRED);
	assert_string_equal(r.items[0].field, "agent_name");

	/* An invalid value is not "present": cert_date is not required,
	 * only the bad certificate number is reported. */
	form_values_free(&v);
	form_values_init(&v);
	assert_rc(form_values_set(&v, "cert", "bad"), 0);
	assert_rc(form_validate(m2, &v, 20000, &o, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.items[0].code, FORM_P_ELICENCE);

	form_values_free(&v);
	form_values_free(&o);
	form_report_free(&r);
	form_matter_free(m2);
}

static void
test_bad_utf8(void **state)
{
	(void)state;
	reset();
	set("note", "ok\xff");
	run();
	problem_on("note", FORM_P_BAD_UTF8);
	/* One problem for one value: not also "required". */
	reset();
	set("name", "\xff");
	run();
	problem_on("name", FORM_P_BAD_UTF8);
	assert_int_equal(rep.n, 1);
}

static void
test_values_kv(void **state)
{
	struct form_values v;

	(void)state;
	form_values_init(&v);
	assert_rc(form_values_set_kv(&v, "a=b=c"), 0);
	assert_string_equal(form_values_get(&v, "a"), "b=c");
	assert_rc(form_values_set_kv(&v, "a="), 0);
	assert_string_equal(form_values_get(&v, "a"), "");
	assert_rc(form_values_set_kv(&v, "=x"), CM_EINVAL);
	assert_rc(form_values_set_kv(&v, "nokey"), CM_EINVAL);
	assert_int_equal(v.n, 1);
	form_values_free(&v);
}

static void
test_alloc_failures(void **state)
{
	(void)state;
	reset();
	set("agent_name", "李四");
	set("amount", "12");
	set("uscc", "91430111MA4L41YT1A");
	for (unsigned long n = 1; n < 300; n++) {
		int rc;

		cm_alloc_fail_after(n, 0);
		rc = form_validate(
		    matter, &in, ow_day("2025-06-30"), &out, &rep);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
		if (rc == CM_ENOMEM) {
			assert_int_equal(out.n, 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_and_canonical),
	    cmocka_unit_test(test_every_problem_at_once),
	    cmocka_unit_test(test_conditions),
	    cmocka_unit_test(test_cross_field_rules),
	    cmocka_unit_test(test_uscc_warning_and_id15),
	    cmocka_unit_test(test_lengths_are_characters),
	    cmocka_unit_test(test_money_range_message),
	    cmocka_unit_test(test_conditions_on_final_values),
	    cmocka_unit_test(test_bad_utf8),
	    cmocka_unit_test(test_values_kv),
	    cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
