/*
 * fuzz_validate.c: normalisation, the field checks and the validation
 * engine on arbitrary values. The input is lines of key=value for a matter
 * with one field of every type; the one-time notice is built from the
 * report, so message rendering is fuzzed too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/notice.h"
#include "forms/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char matter_json[] =
    "{\"format\": \"onewindow-matter\", \"code\": \"XK00099009\", \"version\": "
    "1,"
    " \"name\": {\"zh\": \"模糊\", \"en\": \"Fuzz\"}, \"type\": \"XK\","
    " \"department\": {\"zh\": \"局\", \"en\": \"Bureau\"},"
    " \"legal_basis\": {\"zh\": \"法\", \"en\": \"Act\"},"
    " \"applicant\": \"any\", \"visits\": 1,"
    " \"limits\": {\"legal\": 20, \"promised\": 10, \"extension\": 10},"
    " \"fields\": ["
    "  {\"id\": \"name\", \"label\": {\"zh\": \"姓名\", \"en\": \"Name\"}, "
    "\"type\": \"person_name\", \"required\": true, \"max_len\": 30},"
    "  {\"id\": \"id\", \"label\": {\"zh\": \"证件\", \"en\": \"ID\"}, "
    "\"type\": \"citizen_id\"},"
    "  {\"id\": \"uscc\", \"label\": {\"zh\": \"代码\", \"en\": \"USCC\"}, "
    "\"type\": \"uscc\"},"
    "  {\"id\": \"mobile\", \"label\": {\"zh\": \"手机\", \"en\": \"Mobile\"}, "
    "\"type\": \"mobile\"},"
    "  {\"id\": \"phone\", \"label\": {\"zh\": \"电话\", \"en\": \"Phone\"}, "
    "\"type\": \"landline\"},"
    "  {\"id\": \"date\", \"label\": {\"zh\": \"日期\", \"en\": \"Date\"}, "
    "\"type\": \"date\", \"not_future\": true},"
    "  {\"id\": \"end\", \"label\": {\"zh\": \"止\", \"en\": \"End\"}, "
    "\"type\": \"date\"},"
    "  {\"id\": \"amount\", \"label\": {\"zh\": \"金额\", \"en\": \"Amount\"}, "
    "\"type\": \"money\", \"min\": 0, \"max\": 100000000},"
    "  {\"id\": \"count\", \"label\": {\"zh\": \"数\", \"en\": \"Count\"}, "
    "\"type\": \"integer\", \"min\": -5, \"max\": 5000},"
    "  {\"id\": \"region\", \"label\": {\"zh\": \"区划\", \"en\": \"Region\"}, "
    "\"type\": \"region\"},"
    "  {\"id\": \"address\", \"label\": {\"zh\": \"地址\", \"en\": "
    "\"Address\"}, \"type\": \"address\", \"min_len\": 2},"
    "  {\"id\": \"licence\", \"label\": {\"zh\": \"证照\", \"en\": "
    "\"Licence\"}, \"type\": \"elicence\"},"
    "  {\"id\": \"agree\", \"label\": {\"zh\": \"同意\", \"en\": \"Agree\"}, "
    "\"type\": \"bool\"},"
    "  {\"id\": \"kind\", \"label\": {\"zh\": \"类\", \"en\": \"Kind\"}, "
    "\"type\": \"enum\","
    "   \"options\": [{\"value\": \"a\", \"label\": {\"zh\": \"甲\", \"en\": "
    "\"A\"}}]},"
    "  {\"id\": \"note\", \"label\": {\"zh\": \"备注\", \"en\": \"Note\"}, "
    "\"type\": \"text\","
    "   \"shown_when\": {\"field\": \"agree\", \"equals\": \"yes\"}}"
    " ],"
    " \"rules\": [{\"op\": \"after\", \"field\": \"end\", \"other\": "
    "\"date\"}],"
    " \"materials\": []}";

static struct form_matter *matter;

static void
init(void)
{
	struct form_diags d;

	form_diags_init(&d);
	if (form_matter_parse(
	        "fuzz", matter_json, strlen(matter_json), &matter, &d) != 0) {
		abort();
	}
	form_diags_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[16] = "fuzz-fuzz-fuzz!";
	struct form_values in, out;
	struct form_report rep;
	struct form_mat_result mat;
	struct form_notice_in ni;
	struct form_notice n;
	const char *p = (const char *)data, *end = p + size;

	if (matter == NULL) {
		init();
	}
	form_values_init(&in);
	form_values_init(&out);
	form_report_init(&rep);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = cm_strndup(p, len);

		if (line != NULL) {
			/* Embedded NULs cut the line short, as C strings do. */
			(void)form_values_set_kv(&in, line);
			cm_free(line);
		}
		p += len + (nl != NULL);
	}
	if (form_validate(matter, &in, 20000, &out, &rep) == 0) {
		for (size_t i = 0; i < out.n; i++) {
			if (form_matter_field(matter, out.items[i].key) ==
			    NULL) {
				abort();
			}
		}
		memset(&mat, 0, sizeof(mat));
		memset(&ni, 0, sizeof(ni));
		ni.kind = FORM_NOTICE_ONETIME;
		ni.case_no = "FUZZ-1";
		ni.m = matter;
		ni.applicant = form_values_get(&out, "name") != NULL
		                   ? form_values_get(&out, "name")
		                   : "";
		ni.report = &rep;
		ni.mat = &mat;
		ni.key = key;
		ni.keylen = sizeof(key);
		if (form_notice_build(&ni, &n) == 0) {
			form_notice_free(&n);
		}
	}
	form_report_free(&rep);
	form_values_free(&out);
	form_values_free(&in);
	return 0;
}
