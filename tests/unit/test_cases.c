/*
 * test_cases.c: the case model: ids, intake decisions, applying ops (in
 * either order where replicas may see them so), deadlines with pauses, and
 * index keys.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node/cases.h"

static struct form_matter *matter;
static struct form_calendar *cal;

static int
setup(void **state)
{
	struct form_diags d;
	size_t len;
	char *buf = ow_read_src("tests/data/catalog/XK00099001.json", &len);

	(void)state;
	form_diags_init(&d);
	if (form_matter_parse("XK00099001.json", buf, len, &matter, &d) != 0) {
		form_diags_print(&d, stderr);
		return -1;
	}
	form_diags_free(&d);
	cm_free(buf);
	cal = ow_bundled_calendar();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	form_matter_free(matter);
	form_calendar_free(cal);
	return 0;
}

static void
test_case_ids(void **state)
{
	char id[NODE_CASE_ID_MAX], hall[NODE_HALL_CODE_MAX];
	int32_t day;
	uint32_t seq;

	(void)state;
	assert_rc(node_case_id_format("FT01", ow_day("2025-10-10"), 7, id), 0);
	assert_string_equal(id, "FT01-20251010-0007");
	assert_rc(node_case_id_parse(id, hall, &day, &seq), 0);
	assert_string_equal(hall, "FT01");
	assert_int_equal(day, ow_day("2025-10-10"));
	assert_int_equal(seq, 7);
	assert_rc(
	    node_case_id_format("FT01", ow_day("2025-10-10"), 12345, id), 0);
	assert_string_equal(id, "FT01-20251010-12345");
	assert_rc(node_case_id_format("ft01", 0, 1, id), CM_EINVAL);
	assert_rc(node_case_id_format("1FT", 0, 1, id), CM_EINVAL);
	assert_rc(node_case_id_format("FT01", 0, 0, id), CM_EINVAL);
	assert_rc(node_case_id_parse("FT01-20251310-0001", hall, &day, &seq),
	    CM_EINVAL);
	assert_rc(node_case_id_parse("FT01-20251010-01", hall, &day, &seq),
	    CM_EINVAL);
	assert_rc(node_case_id_parse("FT01-2025101-00001", hall, &day, &seq),
	    CM_EINVAL);
	assert_rc(node_case_id_parse("FT01-20251010-0000", hall, &day, &seq),
	    CM_EINVAL);
	assert_true(node_hall_code_valid("SZFT0001"));
	assert_false(node_hall_code_valid("SZFT00012"));
}

/* A create request for the test matter with every field valid. */
struct req {
	Ow__CaseCreateReq r;
	Ow__Party applicant;
	Ow__KeyValue kv[10];
	Ow__KeyValue *kvp[10];
	char *mats[4];
};

static void
req_init(struct req *q, const char *mats)
{
	static const char *const kvs[][2] = {
	    {"org_name", "深圳市某某餐饮有限公司"},
	    {"org_uscc", "91430111MA4L41YT1U"},
	    {"legal_rep", "王芳"},
	    {"rep_id", "11010519491231002x"},
	    {"mobile", "13800138000"},
	    {"by", "self"},
	};
	static char m0[] = "licence", m1[] = "plan", m2[] = "poa";
	size_t n = 0;

	memset(q, 0, sizeof(*q));
	ow__case_create_req__init(&q->r);
	ow__party__init(&q->applicant);
	q->applicant.kind = OW__APPLICANT_KIND__APPLICANT_ENTERPRISE;
	q->applicant.id_number = (char *)(uintptr_t) "91430111MA4L41YT1U";
	q->applicant.name = (char *)(uintptr_t) "深圳市某某餐饮有限公司";
	q->applicant.mobile = (char *)(uintptr_t) "13800138000";
	q->r.applicant = &q->applicant;
	q->r.matter = (char *)(uintptr_t) "XK00099001";
	for (size_t i = 0; i < sizeof(kvs) / sizeof(kvs[0]); i++) {
		ow__key_value__init(&q->kv[i]);
		q->kv[i].key = (char *)(uintptr_t)kvs[i][0];
		q->kv[i].value = (char *)(uintptr_t)kvs[i][1];
		q->kvp[i] = &q->kv[i];
	}
	q->r.fields = q->kvp;
	q->r.n_fields = sizeof(kvs) / sizeof(kvs[0]);
	if (strchr(mats, 'L') != NULL) {
		q->mats[n++] = m0;
	}
	if (strchr(mats, 'P') != NULL) {
		q->mats[n++] = m1;
	}
	if (strchr(mats, 'A') != NULL) {
		q->mats[n++] = m2;
	}
	q->r.materials = q->mats;
	q->r.n_materials = n;
}

static void
set_field(struct req *q, const char *key, const char *value)
{
	for (size_t i = 0; i < q->r.n_fields; i++) {
		if (strcmp(q->kv[i].key, key) == 0) {
			q->kv[i].value = (char *)(uintptr_t)value;
			return;
		}
	}
	fail_msg("no field %s", key);
}

static void
decide(struct req *q, enum node_role role, struct node_intake_out *out)
{
	struct node_intake_in in = {
	    matter, cal, ow_day("2025-09-29"), &q->r, role};

	node_intake_init(out);
	assert_rc(node_intake_decide(&in, out), 0);
}

static void
test_intake_outcomes(void **state)
{
	struct req q;
	struct node_intake_out out;

	(void)state;
	/* Everything handed in: accepted; promised 10 working days after
	 * Monday 2025-09-29 is 2025-10-20 (National Day week skipped). */
	req_init(&q, "LP");
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_false(out.blocked);
	assert_int_equal(out.state, NODE_ST_ACCEPTED);
	assert_int_equal(out.deadline.promised_due, ow_day("2025-10-20"));
	node_intake_free(&out);

	/* Only the secondary floor plan missing: 容缺. */
	req_init(&q, "L");
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_int_equal(out.state, NODE_ST_ACCEPTED_GAPS);
	assert_int_equal(out.mat.missing[0].due, ow_day("2025-10-10"));
	node_intake_free(&out);

	/* The same, but the applicant may not use 容缺: supplement. */
	req_init(&q, "L");
	q.r.applicant_ineligible = true;
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_int_equal(out.state, NODE_ST_SUPPLEMENT);
	node_intake_free(&out);

	/* The licence missing: the one-time notice; come back within 5
	 * working days: 09-30, 10-09, 10-10, 10-11 (Saturday worked), 10-13. */
	req_init(&q, "P");
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_int_equal(out.state, NODE_ST_SUPPLEMENT);
	assert_int_equal(out.supplement_due, ow_day("2025-10-13"));
	node_intake_free(&out);
}

static void
test_intake_blocked_and_refused(void **state)
{
	struct req q;
	struct node_intake_out out;

	(void)state;
	req_init(&q, "LP");
	set_field(&q, "mobile", "12345");
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_true(out.blocked);
	assert_int_equal(out.report.errors, 1);
	node_intake_free(&out);

	/* A USCC failing its check is a warning: a clerk cannot pass it, a
	 * supervisor can, and only when asked to. */
	req_init(&q, "LP");
	set_field(&q, "org_uscc", "91430111MA4L41YT1A");
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_true(out.blocked);
	node_intake_free(&out);
	q.r.override_warnings = true;
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_true(out.blocked);
	node_intake_free(&out);
	decide(&q, NODE_ROLE_SUPERVISOR, &out);
	assert_false(out.blocked);
	assert_int_equal(out.state, NODE_ST_ACCEPTED);
	node_intake_free(&out);

	/* A refusal is recorded even with a defective form. */
	req_init(&q, "");
	set_field(&q, "mobile", "12345");
	q.r.refuse_reason = (char *)(uintptr_t) "不属于本机关职权范围";
	decide(&q, NODE_ROLE_CLERK, &out);
	assert_false(out.blocked);
	assert_int_equal(out.state, NODE_ST_REFUSED);
	node_intake_free(&out);

	/* No applicant id: not a request the node can take. */
	req_init(&q, "LP");
	q.applicant.id_number = (char *)(uintptr_t) "";
	{
		struct node_intake_in in = {
		    matter, cal, ow_day("2025-09-29"), &q.r, NODE_ROLE_CLERK};

		node_intake_init(&out);
		assert_rc(node_intake_decide(&in, &out), CM_EINVAL);
		node_intake_free(&out);
	}
}

/* Build a case through a create op, as the node will. */
static Ow__Case *
create_case(const char *mats)
{
	struct req q;
	struct node_intake_out out;
	struct node_intake_in in;
	Ow__Case *initial = malloc(sizeof(*initial)), *c = NULL;
	Ow__CaseCreate cc = OW__CASE_CREATE__INIT;
	Ow__Op op = OW__OP__INIT;

	assert_non_null(initial);
	ow__case__init(initial);
	req_init(&q, mats);
	in = (struct node_intake_in){
	    matter, cal, ow_day("2025-09-29"), &q.r, NODE_ROLE_CLERK};
	node_intake_init(&out);
	assert_rc(node_intake_decide(&in, &out), 0);
	assert_rc(node_case_fill(initial, &in, &out, "FT01-20250929-0001",
	              "FT01", "clerk1"),
	    0);
	cc.initial = initial;
	op.origin = (char *)(uintptr_t) "hall-a";
	op.seq = 1;
	op.hlc = 1000;
	op.actor = (char *)(uintptr_t) "clerk1";
	op.case_id = (char *)(uintptr_t) "FT01-20250929-0001";
	op.kind = OW__OP_KIND__OP_CASE_CREATE;
	op.body_case = OW__OP__BODY_CREATE;
	op.create = &cc;
	assert_rc(node_case_apply(&c, &op), 0);
	assert_rc(node_case_apply(&c, &op), CM_ESTATE);
	node_case_free(initial);
	node_intake_free(&out);
	return c;
}

static void
op_base(Ow__Op *op, const char *origin, uint64_t seq, uint64_t hlc)
{
	ow__op__init(op);
	op->origin = (char *)(uintptr_t)origin;
	op->seq = seq;
	op->hlc = hlc;
	op->actor = (char *)(uintptr_t) "clerk1";
	op->case_id = (char *)(uintptr_t) "FT01-20250929-0001";
}

static void
act(Ow__Case **c, const char *origin, uint64_t seq, uint64_t hlc,
    enum node_action a, enum node_state from, enum node_state to,
    const char *day, int want)
{
	Ow__Op op;
	Ow__CaseAct body = OW__CASE_ACT__INIT;

	op_base(&op, origin, seq, hlc);
	op.kind = OW__OP_KIND__OP_CASE_ACT;
	op.body_case = OW__OP__BODY_ACT;
	op.act = &body;
	body.action = a;
	body.from_state = from;
	body.to_state = to;
	body.day = ow_day(day);
	body.reason = (char *)(uintptr_t) "test";
	assert_rc(node_case_apply(c, &op), want);
}

static void
test_create_fill(void **state)
{
	Ow__Case *c = create_case("L");

	(void)state;
	assert_string_equal(c->id, "FT01-20250929-0001");
	assert_string_equal(c->matter, "XK00099001");
	assert_int_equal(c->matter_version, 2);
	assert_int_equal(c->state, NODE_ST_ACCEPTED_GAPS);
	assert_int_equal(c->accepted_day, ow_day("2025-09-29"));
	assert_int_equal(c->n_materials_due, 1);
	assert_string_equal(c->materials_due[0], "plan=2025-10-10");
	assert_string_equal(c->created_by, "clerk1");
	assert_int_equal(c->version->n_entries, 1);
	assert_int_equal(c->version->entries[0]->seq, 1);
	/* Values are stored canonical: the ID's x is upper-case. */
	for (size_t i = 0; i < c->n_fields; i++) {
		if (strcmp(c->fields[i]->key, "rep_id") == 0) {
			assert_string_equal(
			    c->fields[i]->value, "11010519491231002X");
		}
	}
	node_case_free(c);
}

static void
edit(Ow__Case **c, const char *origin, uint64_t seq, uint64_t hlc,
    const char *key, const char *value)
{
	Ow__Op op;
	Ow__CaseEdit body = OW__CASE_EDIT__INIT;
	Ow__KeyValue kv = OW__KEY_VALUE__INIT, *kvp = &kv;

	op_base(&op, origin, seq, hlc);
	op.kind = OW__OP_KIND__OP_CASE_EDIT;
	op.body_case = OW__OP__BODY_EDIT;
	op.edit = &body;
	kv.key = (char *)(uintptr_t)key;
	kv.value = (char *)(uintptr_t)value;
	body.set = &kvp;
	body.n_set = 1;
	assert_rc(node_case_apply(c, &op), 0);
}

static const char *
field(const Ow__Case *c, const char *key)
{
	for (size_t i = 0; i < c->n_fields; i++) {
		if (strcmp(c->fields[i]->key, key) == 0) {
			return c->fields[i]->value;
		}
	}
	return NULL;
}

static void
test_edits_last_writer_wins_in_any_order(void **state)
{
	Ow__Case *a = create_case("LP"), *b = create_case("LP");
	uint8_t *pa, *pb;
	size_t la, lb;

	(void)state;
	/* Hall A writes at hlc 2000, hall B at 3000: B wins on both
	 * replicas whichever arrives first. */
	edit(&a, "hall-a", 2, 2000, "mobile", "13900000000");
	edit(&a, "hall-b", 1, 3000, "mobile", "13700000000");
	edit(&b, "hall-b", 1, 3000, "mobile", "13700000000");
	edit(&b, "hall-a", 2, 2000, "mobile", "13900000000");
	assert_string_equal(field(a, "mobile"), "13700000000");
	assert_string_equal(field(b, "mobile"), "13700000000");
	/* Equal stamps: the greater origin wins, on both. */
	edit(&a, "hall-a", 3, 5000, "legal_rep", "甲");
	edit(&a, "hall-c", 1, 5000, "legal_rep", "丙");
	edit(&b, "hall-c", 1, 5000, "legal_rep", "丙");
	edit(&b, "hall-a", 3, 5000, "legal_rep", "甲");
	assert_string_equal(field(a, "legal_rep"), "丙");
	assert_string_equal(field(b, "legal_rep"), "丙");
	/* "" removes a value. */
	edit(&a, "hall-a", 4, 6000, "by", "");
	assert_null(field(a, "by"));
	edit(&b, "hall-a", 4, 6000, "by", "");
	/* Byte for byte the same case. */
	la = ow__case__get_packed_size(a);
	lb = ow__case__get_packed_size(b);
	assert_int_equal(la, lb);
	pa = malloc(la);
	pb = malloc(lb);
	ow__case__pack(a, pa);
	ow__case__pack(b, pb);
	assert_memory_equal(pa, pb, la);
	free(pa);
	free(pb);
	node_case_free(a);
	node_case_free(b);
}

static void
test_transitions_pauses_and_deadline(void **state)
{
	Ow__Case *c = create_case("LP");
	struct form_deadline dl;

	(void)state;
	assert_rc(
	    node_case_deadline(cal, matter, c, ow_day("2025-10-15"), NULL, &dl),
	    0);
	assert_int_equal(dl.promised_due, ow_day("2025-10-20"));
	/* Supplement requested on 10-09, received on 10-13: the working days
	 * 10-10, 10-11 and 10-13 are not counted, so the promise moves by
	 * three working days to 10-23. */
	act(&c, "hall-a", 2, 2000, NODE_ACT_REQUEST_SUPPLEMENT,
	    NODE_ST_ACCEPTED, NODE_ST_SUPPLEMENT, "2025-10-09", 0);
	assert_int_equal(c->n_pauses, 1);
	assert_int_equal(c->pauses[0]->to_day, 0);
	act(&c, "hall-a", 3, 3000, NODE_ACT_SUPPLEMENT_RECEIVED,
	    NODE_ST_SUPPLEMENT, NODE_ST_ACCEPTED, "2025-10-13", 0);
	assert_int_equal(c->pauses[0]->to_day, ow_day("2025-10-13"));
	assert_rc(
	    node_case_deadline(cal, matter, c, ow_day("2025-10-21"), NULL, &dl),
	    0);
	assert_int_equal(dl.promised_due, ow_day("2025-10-23"));
	/* A transition the table does not have is refused. */
	act(&c, "hall-a", 4, 4000, NODE_ACT_DELIVER, NODE_ST_ACCEPTED,
	    NODE_ST_DELIVERED, "2025-10-14", CM_EPROTO);
	node_case_free(c);
}

static void
test_intake_supplement_starts_clock_later(void **state)
{
	Ow__Case *c = create_case("P"); /* licence missing: supplement */
	struct form_deadline dl;

	(void)state;
	assert_int_equal(c->state, NODE_ST_SUPPLEMENT);
	assert_int_equal(c->accepted_day, 0);
	assert_rc(
	    node_case_deadline(cal, matter, c, ow_day("2025-10-09"), NULL, &dl),
	    CM_ENOENT);
	act(&c, "hall-a", 2, 2000, NODE_ACT_SUPPLEMENT_RECEIVED,
	    NODE_ST_SUPPLEMENT, NODE_ST_ACCEPTED, "2025-10-09", 0);
	assert_int_equal(c->accepted_day, ow_day("2025-10-09"));
	assert_int_equal(c->n_pauses, 0);
	node_case_free(c);
}

static void
test_concurrent_transitions_flag_conflict(void **state)
{
	Ow__Case *a = create_case("LP"), *b = create_case("LP");

	(void)state;
	/* Hall A withdraws while hall B starts the review: both replicas end
	 * in the same state, flagged. */
	act(&a, "hall-a", 2, 2000, NODE_ACT_WITHDRAW, NODE_ST_ACCEPTED,
	    NODE_ST_WITHDRAWN, "2025-10-09", 0);
	act(&a, "hall-b", 1, 2100, NODE_ACT_START_REVIEW, NODE_ST_ACCEPTED,
	    NODE_ST_IN_REVIEW, "2025-10-09", 0);
	act(&b, "hall-b", 1, 2100, NODE_ACT_START_REVIEW, NODE_ST_ACCEPTED,
	    NODE_ST_IN_REVIEW, "2025-10-09", 0);
	act(&b, "hall-a", 2, 2000, NODE_ACT_WITHDRAW, NODE_ST_ACCEPTED,
	    NODE_ST_WITHDRAWN, "2025-10-09", 0);
	assert_true(a->conflict);
	assert_true(b->conflict);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->state, node_wf_merge(NODE_ST_ACCEPTED,
	                               NODE_ST_WITHDRAWN, NODE_ST_IN_REVIEW));
	node_case_free(a);
	node_case_free(b);
}

static void
test_notes_ratings_extensions(void **state)
{
	Ow__Case *c = create_case("LP");
	Ow__Op op;
	Ow__Note note = OW__NOTE__INIT;
	Ow__Rating rate = OW__RATING__INIT;
	Ow__CaseExtend ext = OW__CASE_EXTEND__INIT;

	(void)state;
	op_base(&op, "hall-a", 2, 2000);
	op.kind = OW__OP_KIND__OP_CASE_NOTE;
	op.body_case = OW__OP__BODY_NOTE;
	op.note = &note;
	note.text = (char *)(uintptr_t) "申请人来电询问进度";
	assert_rc(node_case_apply(&c, &op), 0);
	assert_rc(node_case_apply(&c, &op), 0); /* a replay adds nothing */
	assert_int_equal(c->n_notes, 1);

	op_base(&op, "hall-a", 3, 3000);
	op.kind = OW__OP_KIND__OP_CASE_RATE;
	op.body_case = OW__OP__BODY_RATE;
	op.rate = &rate;
	rate.level = 2;
	assert_rc(node_case_apply(&c, &op), 0);
	op.hlc = 4000;
	rate.level = 5; /* a later second rating does not replace it */
	assert_rc(node_case_apply(&c, &op), 0);
	assert_int_equal(c->rating->level, 2);
	rate.level = 9;
	assert_rc(node_case_apply(&c, &op), CM_EPROTO);

	op_base(&op, "hall-a", 4, 5000);
	op.kind = OW__OP_KIND__OP_CASE_EXTEND;
	op.body_case = OW__OP__BODY_EXTEND;
	op.extend = &ext;
	ext.days = 10;
	ext.reason = (char *)(uintptr_t) "需要现场核查";
	assert_rc(node_case_apply(&c, &op), 0);
	ext.days = 5;
	assert_rc(node_case_apply(&c, &op), 0);
	assert_int_equal(c->extension, 10);
	/* The op's kind and body must agree. */
	op.body_case = OW__OP__BODY_NOTE;
	assert_rc(node_case_apply(&c, &op), CM_EPROTO);
	node_case_free(c);
}

static bool
has_key(const struct node_keys *k, const char *want, size_t wlen)
{
	for (size_t i = 0; i < k->n; i++) {
		if (k->lens[i] == wlen && memcmp(k->keys[i], want, wlen) == 0) {
			return true;
		}
	}
	return false;
}

static void
test_index_keys(void **state)
{
	Ow__Case *c = create_case("LP");
	struct node_keys k;
	uint8_t prefix[64];
	size_t plen;

	(void)state;
	node_keys_init(&k);
	assert_rc(node_case_index_keys(c, &k), 0);
#define KEY(s) s, sizeof(s) - 1
	assert_true(has_key(&k, KEY("a\0"
	                            "91430111MA4L41YT1U\0FT01-20250929-0001")));
	assert_true(has_key(&k, KEY("p\0"
	                            "13800138000\0FT01-20250929-0001")));
	assert_true(has_key(&k, KEY("s\0FT01\0"
	                            "00\0FT01-20250929-0001")));
	assert_true(has_key(&k, KEY("u\0clerk1\0FT01-20250929-0001")));
	assert_true(has_key(&k, KEY("m\0XK00099001\0FT01-20250929-0001")));
	assert_true(has_key(&k, KEY("d\0"
	                            "20250929\0FT01-20250929-0001")));
	assert_true(
	    has_key(&k, KEY("n\0深圳市某某餐饮有限公司\0FT01-20250929-0001")));
#undef KEY
	plen = node_index_prefix('s', "FT01", "00", prefix, sizeof(prefix));
	assert_int_equal(plen, 9); /* s NUL FT01 NUL 00 */
	assert_memory_equal(prefix,
	    "s\0FT01\0"
	    "00",
	    9);
	assert_int_equal(node_index_prefix('a', "x", NULL, prefix, 2), 0);
	node_keys_free(&k);
	node_case_free(c);
}

static void
test_apply_failures_leave_case_unchanged(void **state)
{
	Ow__Case *c = create_case("LP");
	size_t before = ow__case__get_packed_size(c);

	(void)state;
	for (unsigned long n = 1; n < 40; n++) {
		Ow__Op op;
		Ow__Note note = OW__NOTE__INIT;
		int rc;

		op_base(&op, "hall-z", n, 10000 + n);
		op.kind = OW__OP_KIND__OP_CASE_NOTE;
		op.body_case = OW__OP__BODY_NOTE;
		op.note = &note;
		note.text = (char *)(uintptr_t) "x";
		cm_alloc_fail_after(n, 0);
		rc = node_case_apply(&c, &op);
		cm_alloc_fail_after(0, 0);
		if (rc == CM_ENOMEM) {
			assert_int_equal(ow__case__get_packed_size(c), before);
		} else {
			assert_rc(rc, 0);
			before = ow__case__get_packed_size(c);
		}
	}
	node_case_free(c);
}

static void
test_mask(void **state)
{
	char out[32];

	(void)state;
	node_mask_id("440308199901101512", out, sizeof(out));
	assert_string_equal(out, "4403**********1512");
	node_mask_id("1234", out, sizeof(out));
	assert_string_equal(out, "****");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_case_ids),
	    cmocka_unit_test(test_intake_outcomes),
	    cmocka_unit_test(test_intake_blocked_and_refused),
	    cmocka_unit_test(test_create_fill),
	    cmocka_unit_test(test_edits_last_writer_wins_in_any_order),
	    cmocka_unit_test(test_transitions_pauses_and_deadline),
	    cmocka_unit_test(test_intake_supplement_starts_clock_later),
	    cmocka_unit_test(test_concurrent_transitions_flag_conflict),
	    cmocka_unit_test(test_notes_ratings_extensions),
	    cmocka_unit_test(test_index_keys),
	    cmocka_unit_test(test_apply_failures_leave_case_unchanged),
	    cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
