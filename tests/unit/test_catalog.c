/*
 * test_catalog.c: the matter-file loader: good files load, each kind of
 * bad file is refused with the right line, column and message, and the
 * bundled catalog is complete enough for a city's halls.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/catalog.h"

/* A small valid matter; the tests below change one thing at a time. Its
 * line numbers matter: keep the layout. */
#define HEAD                                                                    \
	"{\n"                                                                   \
	"  \"format\": \"onewindow-matter\",\n"                                 \
	"  \"code\": \"XK00099001\",\n"                                         \
	"  \"version\": 1,\n"                                                   \
	"  \"name\": {\"zh\": \"测试事项\", \"en\": \"Test matter\"},\n"    \
	"  \"type\": \"XK\",\n"                                                 \
	"  \"department\": {\"zh\": \"测试局\", \"en\": \"Test Bureau\"},\n" \
	"  \"legal_basis\": {\"zh\": \"某法第一条\", \"en\": \"Some Act, " \
	"art. 1\"},\n"                                                          \
	"  \"applicant\": \"person\",\n"

#define LIMITS(legal, promised, ext)                                           \
	"  \"limits\": {\"legal\": " #legal ", \"promised\": " #promised       \
	", \"extension\": " #ext "},\n"

#define FIELDS                                                                  \
	"  \"fields\": [\n"                                                     \
	"    {\"id\": \"name\", \"label\": {\"zh\": \"姓名\", \"en\": "       \
	"\"Name\"}, \"type\": \"person_name\", \"required\": true},\n"          \
	"    {\"id\": \"start\", \"label\": {\"zh\": \"起\", \"en\": "         \
	"\"Start\"}, \"type\": \"date\"},\n"                                    \
	"    {\"id\": \"end\", \"label\": {\"zh\": \"止\", \"en\": \"End\"}, " \
	"\"type\": \"date\"}\n"                                                 \
	"  ],\n"

#define MATERIALS                                                              \
	"  \"materials\": [\n"                                                 \
	"    {\"id\": \"id_card\", \"name\": {\"zh\": \"身份证\", \"en\": " \
	"\"ID card\"}, \"need\": \"required\", \"forms\": [\"original\"]}\n"   \
	"  ]\n"

#define GOOD HEAD LIMITS(20, 10, 10) "  \"visits\": 1,\n" FIELDS MATERIALS "}\n"

static int
parse(const char *json, struct form_diags *d, struct form_matter **m)
{
	form_diags_init(d);
	return form_matter_parse("t.json", json, strlen(json), m, d);
}

/* The file must be refused with a diagnostic at line:col containing what. */
static void
expect(const char *json, int line, int col, const char *what)
{
	struct form_diags d;
	struct form_matter *m = NULL;
	int rc = parse(json, &d, &m);
	bool found = false;

	for (size_t i = 0; i < d.n; i++) {
		if (d.items[i].line == line && d.items[i].col == col &&
		    strstr(d.items[i].msg, what) != NULL &&
		    strcmp(d.items[i].file, "t.json") == 0) {
			found = true;
		}
	}
	if (!found || rc != CM_EPARSE || m != NULL) {
		form_diags_print(&d, stderr);
		fail_msg("wanted %d:%d \"%s\" (rc %s)", line, col, what,
		    cm_err_name(rc));
	}
	form_diags_free(&d);
}

static void
test_good_matter(void **state)
{
	struct form_diags d;
	struct form_matter *m = NULL;

	(void)state;
	assert_rc(parse(GOOD, &d, &m), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(m->code, "XK00099001");
	assert_string_equal(m->name.zh, "测试事项");
	assert_int_equal(m->legal_limit, 20);
	assert_int_equal(m->promised_limit, 10);
	assert_int_equal(m->extension, 10);
	assert_false(m->joint);
	assert_int_equal(m->nfields, 3);
	assert_int_equal(m->fields[0].type, FORM_FT_PERSON_NAME);
	assert_true(m->fields[0].required);
	assert_int_equal(m->nmaterials, 1);
	assert_int_equal(m->materials[0].forms, FORM_MF_ORIGINAL);
	assert_int_equal(m->materials[0].copies, 1);
	assert_ptr_equal(form_matter_field(m, "end"), &m->fields[2]);
	assert_null(form_matter_field(m, "nope"));
	form_matter_free(m);
	form_diags_free(&d);
}

static void
test_syntax_error(void **state)
{
	(void)state;
	/* Line 3 misses its comma: jansson stops at the next string. */
	expect("{\n  \"format\": \"onewindow-matter\",\n  \"code\": \"X\"\n  "
	       "\"version\": 1\n}\n",
	    4, 11, "JSON syntax error");
	expect("", 1, 1, "JSON syntax error");
	/* jansson alone would accept a NUL after a token; it once hung the
	 * position scanner (found by fuzzing). */
	{
		static const char nul[] =
		    "{\"code\": \"XK00000001\",\n \"fields\": "
		    "[1, 2\0], \"bogus\": true}";
		struct form_diags d;
		struct form_matter *m = NULL;

		form_diags_init(&d);
		assert_rc(
		    form_matter_parse("t.json", nul, sizeof(nul) - 1, &m, &d),
		    CM_EPARSE);
		assert_int_equal(d.n, 1);
		assert_int_equal(d.items[0].line, 2);
		assert_int_equal(d.items[0].col, 17);
		form_diags_free(&d);
	}
	expect("[1, 2]\n", 1, 1, "one JSON object");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": 1,\n  \"colour\": \"red\",\n" FIELDS
	           MATERIALS "}\n",
	    12, 3, "unknown key \"colour\"");
	/* Inside a field: the key's own column. */
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": 1,\n"
	               "  \"fields\": [\n"
	               "    {\"id\": \"a\", \"label\": {\"zh\": \"甲\", "
	               "\"en\": \"A\"}, \"type\": \"text\", \"colour\": 1}\n"
	               "  ],\n" MATERIALS "}\n",
	    13, 66, "unknown key \"colour\"");
}

static void
test_wrong_type(void **state)
{
	(void)state;
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": \"one\",\n" FIELDS MATERIALS "}\n",
	    11, 13, "visits must be an integer, not a string");
	expect(HEAD LIMITS(20, 10, 10) "  \"visits\": 1,\n"
	                               "  \"fields\": {},\n" MATERIALS "}\n",
	    12, 13, "fields must be an array");
}

static void
test_missing_key(void **state)
{
	(void)state;
	/* No "visits": reported at the object it is missing from. */
	expect(HEAD LIMITS(20, 10, 10) FIELDS MATERIALS "}\n", 1, 1,
	    "missing key \"visits\"");
}

static void
test_duplicate_field(void **state)
{
	(void)state;
	expect(HEAD LIMITS(
	           20, 10, 10) "  \"visits\": 1,\n"
	                       "  \"fields\": [\n"
	                       "    {\"id\": \"a\", \"label\": {\"zh\": "
	                       "\"甲\", \"en\": \"A\"}, \"type\": \"text\"},\n"
	                       "    {\"id\": \"a\", \"label\": {\"zh\": "
	                       "\"乙\", \"en\": \"B\"}, \"type\": \"text\"}\n"
	                       "  ],\n" MATERIALS "}\n",
	    14, 12, "duplicate field id \"a\"");
	/* A duplicate JSON key is caught by jansson itself, which points at
	 * the last character of the second key. */
	expect("{\"format\": \"onewindow-matter\", \"format\": \"x\"}", 1, 39,
	    "duplicate");
}

static void
test_condition_unknown_field(void **state)
{
	(void)state;
	expect(HEAD LIMITS(
	           20, 10, 10) "  \"visits\": 1,\n"
	                       "  \"fields\": [\n"
	                       "    {\"id\": \"a\", \"label\": {\"zh\": "
	                       "\"甲\", \"en\": \"A\"}, \"type\": \"text\",\n"
	                       "     \"shown_when\": {\"field\": \"ghost\", "
	                       "\"present\": true}}\n"
	                       "  ],\n" MATERIALS "}\n",
	    14, 30, "unknown field \"ghost\"");
	/* An enum condition must use one of the enum's values. */
	expect(
	    HEAD LIMITS(20, 10,
	        10) "  \"visits\": 1,\n"
	            "  \"fields\": [\n"
	            "    {\"id\": \"by\", \"label\": {\"zh\": \"办理人\", "
	            "\"en\": \"By\"}, \"type\": \"enum\",\n"
	            "     \"options\": [{\"value\": \"self\", \"label\": "
	            "{\"zh\": \"本人\", \"en\": \"Self\"}}]},\n"
	            "    {\"id\": \"agent\", \"label\": {\"zh\": \"代办人\", "
	            "\"en\": \"Agent\"}, \"type\": \"person_name\",\n"
	            "     \"required_when\": {\"field\": \"by\", \"equals\": "
	            "\"agent\"}}\n"
	            "  ],\n" MATERIALS "}\n",
	    16, 49, "\"agent\" is not a value field \"by\" can take");
}

static void
test_limits_out_of_range(void **state)
{
	(void)state;
	expect(HEAD LIMITS(200, 10, 10) "  \"visits\": 1,\n" FIELDS MATERIALS
	                                "}\n",
	    10, 23, "outside 0..120");
	expect(HEAD LIMITS(10, 15, 0) "  \"visits\": 1,\n" FIELDS MATERIALS
	                              "}\n",
	    10, 39, "exceeds the legal limit");
	expect(HEAD LIMITS(20, 10, 15) "  \"visits\": 1,\n" FIELDS MATERIALS
	                               "}\n",
	    10, 56, "only for joint handling");
	expect(HEAD LIMITS(20, 10, 12) "  \"visits\": 1,\n" FIELDS MATERIALS
	                               "}\n",
	    10, 56, "at most 10 working days, or 15 for joint");
	expect(HEAD LIMITS(20, 10, 10) "  \"visits\": 9,\n" FIELDS MATERIALS
	                               "}\n",
	    11, 13, "outside 0..5");
}

static void
test_one_mistake_one_message(void **state)
{
	struct form_diags d;
	struct form_matter *m = NULL;

	(void)state;
	/* A legal limit out of range is not also compared with the promise. */
	assert_rc(parse(HEAD LIMITS(200, 10,
	                    10) "  \"visits\": 1,\n" FIELDS MATERIALS "}\n",
	              &d, &m),
	    CM_EPARSE);
	assert_int_equal(d.n, 1);
	form_diags_free(&d);
	/* A special law's shorter extension is fine. */
	assert_rc(parse(HEAD LIMITS(10, 5,
	                    5) "  \"visits\": 1,\n" FIELDS MATERIALS "}\n",
	              &d, &m),
	    0);
	assert_int_equal(m->extension, 5);
	form_matter_free(m);
	form_diags_free(&d);
}

static void
test_file_name_matches_code(void **state)
{
	struct form_diags d;
	struct form_matter *m = NULL;

	(void)state;
	form_diags_init(&d);
	assert_rc(form_matter_parse(
	              "cat/XK00099009.json", GOOD, strlen(GOOD), &m, &d),
	    CM_EPARSE);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].line, 3);
	assert_int_equal(d.items[0].col, 11);
	assert_non_null(strstr(d.items[0].msg,
	    "named XK00099009.json but holds matter XK00099001"));
	form_diags_free(&d);
	form_diags_init(&d);
	assert_rc(form_matter_parse(
	              "cat/XK00099001.json", GOOD, strlen(GOOD), &m, &d),
	    0);
	form_matter_free(m);
	form_diags_free(&d);
}

static void
test_secondary_rules(void **state)
{
	(void)state;
	/* 容缺 needs the matter to allow gaps. */
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": 1,\n" FIELDS "  \"materials\": [\n"
	               "    {\"id\": \"photo\", \"name\": {\"zh\": \"照片\", "
	               "\"en\": \"Photo\"}, \"need\": \"required\", \"forms\": "
	               "[\"original\"], \"secondary\": true}\n"
	               "  ]\n}\n",
	    18, 101, "needs \"gaps_allowed\": true");
	/* An on-the-spot matter cannot take materials later. */
	expect(HEAD LIMITS(0, 0,
	           0) "  \"visits\": 1,\n  \"gaps_allowed\": true,\n" FIELDS
	              "  \"materials\": [\n"
	              "    {\"id\": \"photo\", \"name\": {\"zh\": \"照片\", "
	              "\"en\": \"Photo\"}, \"need\": \"required\", \"forms\": "
	              "[\"original\"], \"secondary\": true}\n"
	              "  ]\n}\n",
	    19, 101, "promised on the spot");
	/* Conditional materials need their condition, others may not have one. */
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": 1,\n" FIELDS "  \"materials\": [\n"
	               "    {\"id\": \"poa\", \"name\": {\"zh\": \"授权书\", "
	               "\"en\": \"POA\"}, \"need\": \"conditional\", "
	               "\"forms\": [\"original\"]}\n"
	               "  ]\n}\n",
	    18, 5, "needs \"required_when\"");
}

static void
test_rules_and_types(void **state)
{
	(void)state;
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": 1,\n" FIELDS
	               "  \"rules\": [{\"op\": \"gt\", \"field\": \"end\", "
	               "\"other\": \"start\"}],\n" MATERIALS "}\n",
	    17, 20, "compare two integer or two money fields");
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": 1,\n" FIELDS
	               "  \"rules\": [{\"op\": \"after\", \"field\": \"end\", "
	               "\"other\": \"finish\"}],\n" MATERIALS "}\n",
	    17, 54, "unknown field \"finish\"");
	expect(HEAD LIMITS(
	           20, 10, 10) "  \"visits\": 1,\n"
	                       "  \"fields\": [{\"id\": \"a\", \"label\": "
	                       "{\"zh\": \"甲\", \"en\": \"A\"}, \"type\": "
	                       "\"textarea\"}],\n" MATERIALS "}\n",
	    12, 67, "unknown field type \"textarea\"");
	expect(HEAD LIMITS(
	           20, 10, 10) "  \"visits\": 1,\n"
	                       "  \"fields\": [{\"id\": \"a\", \"label\": "
	                       "{\"zh\": \"甲\", \"en\": \"A\"}, \"type\": "
	                       "\"date\", \"max_len\": 5}],\n" MATERIALS "}\n",
	    12, 75, "lengths apply only");
	expect(HEAD LIMITS(20, 10,
	           10) "  \"visits\": 1,\n"
	               "  \"fields\": [{\"id\": \"A\", \"label\": {\"zh\": "
	               "\"甲\"}, \"type\": \"text\"}],\n" MATERIALS "}\n",
	    12, 35, "missing key \"en\"");
	expect(
	    HEAD LIMITS(20, 10,
	        10) "  \"visits\": 1,\n"
	            "  \"fields\": [{\"id\": \"A\", \"label\": {\"zh\": "
	            "\"甲\", \"en\": \"A\"}, \"type\": \"text\"}],\n" MATERIALS
	            "}\n",
	    12, 21, "field id \"A\" must be");
}

static void
test_everything_at_once(void **state)
{
	struct form_diags d;
	struct form_matter *m = NULL;

	(void)state;
	/* Four independent problems are all reported, not just the first:
	 * legal limit, extension, visits, unknown key. */
	assert_rc(parse(HEAD LIMITS(
	                    200, 10, 12) "  \"visits\": 9,\n"
	                                 "  \"x\": 1,\n" FIELDS MATERIALS "}\n",
	              &d, &m),
	    CM_EPARSE);
	assert_int_equal(d.n, 4);
	form_diags_free(&d);
}

static void
test_catalog_duplicate_code_and_search(void **state)
{
	struct form_catalog c;
	struct form_diags d;
	const struct form_matter *hits[4];

	(void)state;
	form_catalog_init(&c);
	form_diags_init(&d);
	assert_rc(form_catalog_load(&c, "a.json", GOOD, strlen(GOOD), &d), 0);
	assert_rc(
	    form_catalog_load(&c, "b.json", GOOD, strlen(GOOD), &d), CM_EPARSE);
	assert_int_equal(c.n, 1);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].file, "b.json");
	assert_int_equal(d.items[0].line, 3);
	assert_non_null(strstr(d.items[0].msg, "already defined in a.json"));
	assert_int_equal(form_catalog_search(&c, "xk000", hits, 4), 1);
	assert_int_equal(form_catalog_search(&c, "测试", hits, 4), 1);
	assert_int_equal(form_catalog_search(&c, "test MAT", hits, 4), 1);
	assert_int_equal(form_catalog_search(&c, "00099", hits, 4), 0);
	assert_ptr_equal(form_catalog_find(&c, "XK00099001"), hits[0]);
	form_diags_free(&d);
	form_catalog_free(&c);
}

static void
test_alloc_failures(void **state)
{
	struct form_diags d;
	struct form_matter *m;

	(void)state;
	/* Fail every allocation in turn: the loader returns CM_ENOMEM,
	 * leaks nothing (ASan checks) and never crashes. */
	for (unsigned long n = 1; n < 400; n++) {
		int rc;

		m = NULL;
		form_diags_init(&d);
		cm_alloc_fail_after(n, 0);
		rc = form_matter_parse("t.json", GOOD, strlen(GOOD), &m, &d);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
		if (rc == 0) {
			assert_non_null(m);
			form_matter_free(m);
		} else {
			assert_null(m);
		}
		form_diags_free(&d);
	}
}

static void
test_alloc_failures_bundled(void **state)
{
	size_t len;
	char *buf = ow_read_src("forms/catalog/XK00013001.json", &len);

	(void)state;
	/* A real matter with enums, conditions and 容缺 materials (an
	 * out-of-memory in the option list once crashed the loader). */
	for (unsigned long n = 1; n < 1500; n++) {
		struct form_diags d;
		struct form_matter *m = NULL;
		int rc;

		form_diags_init(&d);
		cm_alloc_fail_after(n, 0);
		rc = form_matter_parse("XK00013001.json", buf, len, &m, &d);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
		form_matter_free(m);
		form_diags_free(&d);
		if (rc == 0) {
			break;
		}
	}
	cm_free(buf);
}

static void
test_diagnostics_are_capped(void **state)
{
	struct form_diags d;
	struct form_matter *m = NULL;
	char *json = cm_malloc(200 * 16 + 64);
	size_t off = 0;

	(void)state;
	/* A hostile file with 200 unknown keys gets 50 located messages
	 * and a count, not 200 scans of the file. */
	off += (size_t)sprintf(json + off, "{");
	for (int i = 0; i < 200; i++) {
		off += (size_t)sprintf(
		    json + off, "%s\"k%d\": 1", i ? ", " : "", i);
	}
	sprintf(json + off, "}");
	assert_rc(parse(json, &d, &m), CM_EPARSE);
	assert_int_equal(d.n, 51);
	assert_non_null(strstr(d.items[50].msg, "more problems not shown"));
	form_diags_free(&d);
	cm_free(json);
}

static void
test_condition_values_and_cycles(void **state)
{
	struct form_diags d;
	struct form_matter *m = NULL;

	(void)state;
	/* A money condition written "100" is kept as "100.00", the form the
	 * validated value takes. */
	assert_rc(
	    parse(
	        HEAD LIMITS(20, 10,
	            10) "  \"visits\": 1,\n"
	                "  \"fields\": [\n"
	                "    {\"id\": \"fee\", \"label\": {\"zh\": \"费\", \"en\": \"Fee\"}, \"type\": \"money\"},\n"
	                "    {\"id\": \"why\", \"label\": {\"zh\": \"因\", \"en\": \"Why\"}, \"type\": \"text\",\n"
	                "     \"shown_when\": {\"field\": \"fee\", \"equals\": \"100\"}}\n"
	                "  ],\n" MATERIALS "}\n",
	        &d, &m),
	    0);
	assert_string_equal(m->fields[1].shown_when->values[0], "100.00");
	form_matter_free(m);
	form_diags_free(&d);
	/* A value the field cannot take is refused. */
	expect(
	    HEAD LIMITS(20, 10,
	        10) "  \"visits\": 1,\n"
	            "  \"fields\": [\n"
	            "    {\"id\": \"fee\", \"label\": {\"zh\": \"费\", \"en\": \"Fee\"}, \"type\": \"money\"},\n"
	            "    {\"id\": \"why\", \"label\": {\"zh\": \"因\", \"en\": \"Why\"}, \"type\": \"text\",\n"
	            "     \"shown_when\": {\"field\": \"fee\", \"equals\": \"lots\"}}\n"
	            "  ],\n" MATERIALS "}\n",
	    15, 47, "\"lots\" is not a value field \"fee\" can take");
	/* Conditions that go round in a circle. */
	expect(
	    HEAD LIMITS(20, 10,
	        10) "  \"visits\": 1,\n"
	            "  \"fields\": [\n"
	            "    {\"id\": \"a\", \"label\": {\"zh\": \"甲\", \"en\": \"A\"}, \"type\": \"text\",\n"
	            "     \"shown_when\": {\"field\": \"b\", \"present\": true}},\n"
	            "    {\"id\": \"b\", \"label\": {\"zh\": \"乙\", \"en\": \"B\"}, \"type\": \"text\",\n"
	            "     \"required_when\": {\"field\": \"a\", \"present\": true}}\n"
	            "  ],\n" MATERIALS "}\n",
	    13, 5, "go round in a circle");
}

static void
test_bundled_catalog(void **state)
{
	struct form_catalog c;
	const char *depts[64];
	size_t ndepts = 0;
	bool person = false, enterprise = false, joint = false, gaps = false;
	unsigned types = 0;

	(void)state;
	form_catalog_init(&c);
	ow_bundled_catalog(&c);
	/* The issue asks for at least 12 matters from 6 departments. */
	assert_true(c.n >= 12);
	for (size_t i = 0; i < c.n; i++) {
		const struct form_matter *m = c.items[i];
		bool seen = false;

		for (size_t j = 0; j < ndepts; j++) {
			seen = seen || strcmp(depts[j], m->department.zh) == 0;
		}
		if (!seen && ndepts < 64) {
			depts[ndepts++] = m->department.zh;
		}
		person = person || m->applicant == FORM_APPLICANT_PERSON;
		enterprise =
		    enterprise || m->applicant == FORM_APPLICANT_ENTERPRISE;
		joint = joint || m->joint;
		gaps = gaps || m->gaps_allowed;
		for (size_t k = 0; k < m->nfields; k++) {
			types |= 1u << m->fields[k].type;
		}
		/* Every matter has bilingual labels everywhere. */
		assert_non_null(m->name.en);
		for (size_t k = 0; k < m->nmaterials; k++) {
			assert_true(m->materials[k].name.zh[0] != '\0');
			assert_true(m->materials[k].name.en[0] != '\0');
		}
	}
	assert_true(ndepts >= 6);
	assert_true(person && enterprise && joint && gaps);
	/* Every field type is used somewhere in the catalog. */
	assert_int_equal(types, (1u << FORM_FT__COUNT) - 1);
	form_catalog_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_matter),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_wrong_type),
	    cmocka_unit_test(test_missing_key),
	    cmocka_unit_test(test_duplicate_field),
	    cmocka_unit_test(test_condition_unknown_field),
	    cmocka_unit_test(test_limits_out_of_range),
	    cmocka_unit_test(test_one_mistake_one_message),
	    cmocka_unit_test(test_file_name_matches_code),
	    cmocka_unit_test(test_secondary_rules),
	    cmocka_unit_test(test_rules_and_types),
	    cmocka_unit_test(test_everything_at_once),
	    cmocka_unit_test(test_catalog_duplicate_code_and_search),
	    cmocka_unit_test(test_alloc_failures),
	    cmocka_unit_test(test_alloc_failures_bundled),
	    cmocka_unit_test(test_diagnostics_are_capped),
	    cmocka_unit_test(test_condition_values_and_cycles),
	    cmocka_unit_test(test_bundled_catalog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
