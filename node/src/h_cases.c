/*
 * h_cases.c: cases: intake, reads, workflow actions, edits,
 * reassignment, notes, search and history. Every change is one signed op
 * plus the records it changes, in one batch.
 */
#include "handlers.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "forms/notice.h"
#include "forms/validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- cases -------------------------------------------------------------- */

/* The matter of a case, in the version the case was taken in under: the
 * current one from memory, an older one from the store. *owned is set when
 * the caller must free it. */
const struct form_matter *
node_matter_of(struct node *n, const char *code, unsigned version,
    struct form_matter **owned)
{
	const struct form_matter *cur = form_catalog_find(&n->cat, code);
	char key[64];
	void *json = NULL;
	size_t len = 0;

	*owned = NULL;
	if (cur != NULL &&
	    (version == 0 || (unsigned)cur->version == version)) {
		return cur;
	}
	snprintf(key, sizeof(key), "m/%s/%06u", code, version);
	if (node_store_get(
	        n->st, NODE_CF_CATALOG, key, strlen(key), &json, &len) != 0) {
		return NULL;
	}
	if (form_matter_parse(code, json, len, owned, NULL) != 0) {
		*owned = NULL;
	}
	cm_free(json);
	return *owned;
}

/* The hall's verification key for notices, derived from the node key so
 * that nothing more needs keeping secret. */
static void
notice_key(const struct node *n, unsigned char key[32])
{
	crypto_generichash(key, 32, (const unsigned char *)"onewindow-notice",
	    16, n->kp.sk, 32);
}

static int
next_case_id(struct node *n, char id[NODE_CASE_ID_MAX])
{
	int32_t today = node_today(n);
	char key[32], val[16], date[CM_DATE_ISO_LEN];
	int rc;

	if (today != n->id_day) {
		/* A new day: its sequence starts from what the store has (a
		 * restart in the middle of a day keeps counting). */
		void *v = NULL;
		size_t len = 0;

		cm_date_format(today, date);
		snprintf(key, sizeof(key), "ids/%.4s%.2s%.2s", date, date + 5,
		    date + 8);
		n->id_seq = 0;
		if (node_store_get(
		        n->st, NODE_CF_META, key, strlen(key), &v, &len) == 0 &&
		    len < sizeof(val)) {
			memcpy(val, v, len);
			val[len] = '\0';
			n->id_seq = (uint32_t)strtoul(val, NULL, 10);
		}
		cm_free(v);
		n->id_day = today;
	}
	/* An id that exists is passed over: a hall restored from a backup
	 * gets the cases it made after it back from its peers, with ids its
	 * counter does not know. */
	for (;;) {
		Ow__Case *old = NULL;
		uint64_t gen;

		rc =
		    node_case_id_format(n->hall_code, today, n->id_seq + 1, id);
		if (rc != 0) {
			return rc;
		}
		n->id_seq++;
		rc = node_read_case(n, id, &old, &gen);
		node_case_free(old);
		if (rc == CM_ENOTFOUND) {
			break;
		}
		if (rc != 0) {
			return rc;
		}
	}
	cm_date_format(today, date);
	snprintf(
	    key, sizeof(key), "ids/%.4s%.2s%.2s", date, date + 5, date + 8);
	snprintf(val, sizeof(val), "%u", n->id_seq);
	node_batch_put(
	    n->open.batch, NODE_CF_META, key, strlen(key), val, strlen(val));
	return 0;
}

/* Idempotent retries: the request id of a change is remembered with its
 * result (a case id) in the same batch as the change. */
static void
request_key(const struct call *c, char *out, size_t size)
{
	snprintf(out, size, "req/%s/%s", c->sess->user, c->req->request_id);
}

/* FNV-1a: the recent requests are compared by it first (a strcmp of
 * each of the 1024 keys took a tenth of the loop under 16 clients). */
static uint64_t
request_hash(const char *key)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0';
	     p++) {
		h = (h ^ *p) * UINT64_C(1099511628211);
	}
	return h;
}

/*
 * Has this request (user, request id) been done? The recent ones are
 * remembered in memory with the batch they went into, so that a resend
 * arriving while the first is still being synced is recognised too (nng's
 * REQ resends after a reconnect); older ones are in the store. *gen is the
 * batch the answer must wait for (0: durable).
 */
static bool
seen_request(struct call *c, char *case_id, size_t size, uint64_t *gen)
{
	char key[200];
	void *val = NULL;
	size_t len = 0;
	struct node *n = c->n;
	uint64_t h;

	*gen = 0;
	if (c->req->request_id[0] == '\0') {
		return false;
	}
	request_key(c, key, sizeof(key));
	h = request_hash(key);
	for (size_t i = 0; i < NODE_RECENT_REQS; i++) {
		if (n->recent[i].hash == h && n->recent[i].gen != 0 &&
		    strcmp(n->recent[i].key, key) == 0) {
			snprintf(case_id, size, "%s", n->recent[i].case_id);
			*gen = n->recent[i].gen > n->durable_gen
			           ? n->recent[i].gen
			           : 0;
			return true;
		}
	}
	if (node_store_get(
	        n->st, NODE_CF_LOCAL, key, strlen(key), &val, &len) != 0) {
		return false;
	}
	snprintf(case_id, size, "%.*s", (int)len, (const char *)val);
	cm_free(val);
	return true;
}

/* The answer to a change that was done already: "done", once durable. */
static enum node_disp
already_done(uint64_t gen)
{
	return gen != 0 ? NODE_REPLY_AFTER_BATCH : NODE_REPLY_NOW;
}

static void
remember_request(struct call *c, const char *case_id)
{
	struct node *n = c->n;
	struct node_recent *r;
	char key[200];

	if (c->req->request_id[0] == '\0') {
		return;
	}
	request_key(c, key, sizeof(key));
	node_batch_put(n->open.batch, NODE_CF_LOCAL, key, strlen(key), case_id,
	    strlen(case_id));
	r = &n->recent[n->recent_next++ % NODE_RECENT_REQS];
	r->hash = request_hash(key);
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(r->case_id, sizeof(r->case_id), "%s", case_id);
	r->gen = n->open.id;
}

/*
 * The whole change of one request: its ops (usually one; a delivery is the
 * action and the delivery record), the case, indexes, history, request
 * record and the derived views; rolled back to the mark if any part fails.
 * *cur is the case before the change (NULL for a create) and becomes the
 * case after it; applying an op replaces the case, so the index keys to
 * retire are taken from it first rather than from a copy.
 */
int
node_case_commit(struct node *n, const char *actor, const char *request,
    Ow__Op **ops, size_t nops, Ow__Case **cur,
    void (*done)(void *arg, const char *case_id), void *arg)
{
	struct node_keys old;
	struct node_mark mark;
	struct form_matter *owned = NULL;
	const struct form_matter *m;
	char case_id[NODE_CASE_ID_MAX];
	bool had_old = *cur != NULL;
	int rc = 0;

	/* The ops may borrow the case id from the case that applying them
	 * frees: give them a copy that outlives the loop. */
	snprintf(case_id, sizeof(case_id), "%s", ops[0]->case_id);
	node_keys_init(&old);
	if (had_old) {
		rc = node_case_index_keys(*cur, &old);
	}
	if (rc == 0) {
		rc = node_write_mark(n, &mark);
	}
	if (rc != 0) {
		node_keys_free(&old);
		return rc;
	}
	for (size_t i = 0; i < nops && rc == 0; i++) {
		ops[i]->case_id = case_id;
		ops[i]->actor = (char *)(uintptr_t)actor;
		ops[i]->request = (char *)(uintptr_t)request;
		/* What the op was based on: the case's version before it
		 * (replication orders concurrent ops by it). Borrowed while
		 * the op is packed, then handed back. */
		ops[i]->context = *cur != NULL ? (*cur)->version : NULL;
		rc = node_write_op(n, ops[i]);
		ops[i]->context = NULL;
		if (rc == 0 && n->repl != NULL) {
			/* The op's bytes, for building the case from all
			 * its ops until the batch is durable. */
			const struct node_op_frame *f =
			    &n->open.ops[n->open.nops - 1].f;

			rc = node_pend_add(n, n->node_id, ops[i]->seq, case_id,
			    f->buf + f->op_off, f->op_len, false);
		}
		if (rc == 0) {
			rc = node_case_apply(cur, ops[i]);
		}
		if (rc == 0) {
			node_index_history(
			    n, (*cur)->id, n->node_id, ops[i]->seq);
		}
	}
	if (rc == 0 && n->repl != NULL) {
		/* With other halls, a case is a function of the set of its
		 * ops (repl_case_build), whatever order they came in: the
		 * fold above checked the change, the build makes the bytes
		 * every hall makes. */
		Ow__Case *built = NULL;

		rc = node_case_rebuild(n, case_id, NULL, 0, &built);
		if (rc == 0 && built == NULL) {
			rc = CM_EINTERNAL;
		}
		if (rc == 0) {
			node_case_free(*cur);
			*cur = built;
		}
	}
	if (rc == 0) {
		rc = node_write_case(n, had_old ? &old : NULL, *cur);
	}
	node_keys_free(&old);
	if (rc == 0 && (ops[0]->kind == OW__OP_KIND__OP_CASE_CREATE ||
	                   ops[0]->kind == OW__OP_KIND__OP_CASE_EDIT)) {
		m = node_matter_of(
		    n, (*cur)->matter, (*cur)->matter_version, &owned);
		rc = node_registry_update(n, *cur, m, ops[nops - 1]->hlc);
		form_matter_free(owned);
	}
	if (rc == 0) {
		/* The warning level changes with the state at once, not at
		 * the next sweep. */
		int level = node_warning_compute(n, *cur);

		/* A new case has no level stored yet: no need to read it. */
		rc = had_old ? node_warning_set(n, (*cur)->id, level)
		             : node_warning_move(n, (*cur)->id, -1, level);
		rc = rc > 0 ? 0 : rc;
	}
	if (rc == 0) {
		if (done != NULL) {
			done(arg, (*cur)->id);
		}
		node_write_unmark(n);
		return 0;
	}
	node_write_rollback(n, &mark);
	return rc;
}

static void
remember_cb(void *arg, const char *case_id)
{
	remember_request(arg, case_id);
}

static int
commit_case_ops(struct call *c, Ow__Op **ops, size_t nops, Ow__Case **cur)
{
	return node_case_commit(c->n, c->sess->user, c->req->request_id, ops,
	    nops, cur, remember_cb, c);
}

static int
commit_case_op(struct call *c, Ow__Op *op, Ow__Case **cur)
{
	return commit_case_ops(c, &op, 1, cur);
}

/* A bad rating's timers: the callback within 1 working day of the
 * rating, the rectification within 15 (GB/T 39735). */
static void
fill_remedy(struct node *n, const Ow__Case *cs, Ow__CaseGetResp *gr)
{
	int32_t day;

	if (cs->rating == NULL || cs->rating->level > 2 ||
	    cs->rating->level < 1) {
		return;
	}
	day = cs->rating->day;
	if (day == 0) { /* a rating of an older node: its clock's day */
		time_t t = (time_t)((cs->rating->hlc >> 16) / 1000);
		struct tm tm;

		localtime_r(&t, &tm);
		cm_date_from_ymd(
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &day);
	}
	if (form_calendar_add_workdays(n->cal, day, 1, &gr->callback_due) !=
	        0 ||
	    form_calendar_add_workdays(n->cal, day, 15, &gr->rectify_due) !=
	        0) {
		gr->callback_due = gr->rectify_due = 0;
	}
}

static int
fill_deadline(struct node *n, const Ow__Case *cs, Ow__Deadline **out)
{
	struct form_matter *owned = NULL;
	const struct form_matter *m =
	    node_matter_of(n, cs->matter, cs->matter_version, &owned);
	struct form_deadline dl;
	int rc;

	*out = NULL;
	if (m == NULL) {
		return CM_ENOTFOUND;
	}
	rc = node_case_deadline(
	    n->cal, m, cs, node_today(n), &n->thresholds, &dl);
	form_matter_free(owned);
	if (rc == 0) {
		*out = node__deadline_msg(&dl);
	}
	return rc;
}

enum node_disp
node__h_case_create(struct call *c)
{
	struct node *n = c->n;
	const Ow__CaseCreateReq *r = c->req->case_create;
	const struct form_matter *m = form_catalog_find(&n->cat, r->matter);
	struct node_intake_in in;
	struct node_intake_out out;
	Ow__Op op = OW__OP__INIT;
	Ow__CaseCreate body = OW__CASE_CREATE__INIT;
	Ow__Case *initial = NULL, *cs = NULL;
	Ow__CaseCreateResp *cr = NULL;
	char id[NODE_CASE_ID_MAX], seen[NODE_CASE_ID_MAX];
	uint64_t seen_gen;
	int rc;

	if (seen_request(c, seen, sizeof(seen), &seen_gen)) {
		/* A retry of a create that was done: answer with that case. */
		uint64_t gen = 0;

		rc = node_read_case(n, seen, &cs, &gen);
		if (rc != 0) {
			node__fail(c->resp, rc);
			return NODE_REPLY_NOW;
		}
		cr = malloc(sizeof(*cr));
		if (cr == NULL) {
			node_case_free(cs);
			node__fail(c->resp, CM_ENOMEM);
			return NODE_REPLY_NOW;
		}
		ow__case_create_resp__init(cr);
		cr->case_ = cs;
		c->resp->body_case = OW__RESPONSE__BODY_CASE_CREATE;
		c->resp->case_create = cr;
		return gen != 0 ? NODE_REPLY_AFTER_BATCH : NODE_REPLY_NOW;
	}
	if (m == NULL) {
		node__fail(c->resp, CM_ENOTFOUND);
		return NODE_REPLY_NOW;
	}
	if (r->applicant == NULL ||
	    !node__text_ok(r->refuse_reason, TEXT_MAX)) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	in.m = m;
	in.cal = n->cal;
	in.today = node_today(n);
	in.req = r;
	in.role = c->sess->role;
	node_intake_init(&out);
	rc = node_intake_decide(&in, &out);
	if (rc == 0 && out.blocked) {
		node__add_problems(c->resp, &out.report, m, cm_i18n_is_zh());
		rc = CM_EINVAL;
	}
	if (rc == 0) {
		rc = node_open_batch(n);
	}
	if (rc == 0) {
		rc = next_case_id(n, id);
	}
	if (rc == 0) {
		initial = malloc(sizeof(*initial));
		rc = initial == NULL ? CM_ENOMEM : 0;
	}
	if (rc == 0) {
		ow__case__init(initial);
		rc = node_case_fill(
		    initial, &in, &out, id, n->hall_code, c->sess->user);
	}
	if (rc == 0) {
		body.initial = initial;
		op.kind = OW__OP_KIND__OP_CASE_CREATE;
		op.body_case = OW__OP__BODY_CREATE;
		op.create = &body;
		op.case_id = id;
		rc = commit_case_op(c, &op, &cs);
	}
	if (rc == 0) {
		struct form_notice_in ni;
		struct form_notice notice;
		unsigned char key[32];
		const char *received[64];
		size_t nrec = 0;

		cr = malloc(sizeof(*cr));
		if (cr != NULL) {
			ow__case_create_resp__init(cr);
			memset(&ni, 0, sizeof(ni));
			for (size_t i = 0; i < r->n_materials && nrec < 64;
			     i++) {
				received[nrec++] = r->materials[i];
			}
			ni.kind = cs->state == NODE_ST_REFUSED
			              ? FORM_NOTICE_REFUSAL
			          : cs->state == NODE_ST_SUPPLEMENT
			              ? FORM_NOTICE_ONETIME
			          : cs->state == NODE_ST_ACCEPTED_GAPS
			              ? FORM_NOTICE_GAPS
			              : FORM_NOTICE_ACCEPTANCE;
			ni.case_no = cs->id;
			ni.m = m;
			ni.applicant = r->applicant->name;
			ni.hall = n->hall;
			ni.clerk = c->sess->user;
			ni.date = in.today;
			ni.promised_due = out.deadline.promised_due;
			ni.legal_due = out.deadline.legal_due;
			ni.supplement_due = out.supplement_due;
			ni.report = &out.report;
			ni.mat = &out.mat;
			ni.received = received;
			ni.nreceived = nrec;
			ni.reason = r->refuse_reason;
			notice_key(n, key);
			ni.key = key;
			ni.keylen = sizeof(key);
			ni.zh = cm_i18n_is_zh();
			if (form_notice_build(&ni, &notice) == 0) {
				cr->notice_kind = node__dup(
				    form_notice_kind_name(notice.kind));
				cr->notice_text = node__dup(notice.text);
				cr->verify_code = node__dup(notice.verify);
				form_notice_free(&notice);
			}
			sodium_memzero(key, sizeof(key));
			if (cs->accepted_day != 0) {
				fill_deadline(n, cs, &cr->deadline);
			}
			node__add_problems(
			    c->resp, &out.report, m, cm_i18n_is_zh());
			c->resp->body_case = OW__RESPONSE__BODY_CASE_CREATE;
			c->resp->case_create = cr;
		}
		node_publish_case(n, cs);
		cm_log_info("case.created", "case=%s matter=%s state=%s by=%s",
		    cs->id, m->code,
		    node_state_name((enum node_state)cs->state), c->sess->user);
		if (cr != NULL) {
			/* The reply takes the case itself: no copy. */
			cr->case_ = cs;
			cs = NULL;
		}
	}
	node_case_free(initial);
	node_case_free(cs);
	node_intake_free(&out);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_AFTER_BATCH;
}

/* Read-audit: who opened which case, when (hall-local). */
static void
audit_read(struct node *n, const char *user, const char *case_id)
{
	static unsigned audit_seq;
	char key[200], val[32];
	int64_t now = node_now(n);

	if (node_open_batch(n) != 0) {
		return;
	}
	/* Milliseconds and a counter: two reads in one second are two
	 * records. */
	snprintf(key, sizeof(key), "audit/%020lld/%06u/%s/%s",
	    (long long)(cm_hlc_wall_ms()), audit_seq++ % 1000000u, user,
	    case_id);
	snprintf(val, sizeof(val), "%lld", (long long)now);
	node_batch_put(
	    n->open.batch, NODE_CF_LOCAL, key, strlen(key), val, strlen(val));
}

static void
fill_allowed(Ow__CaseGetResp *gr, const Ow__Case *cs, enum node_role role)
{
	unsigned bits = node_wf_allowed((enum node_state)cs->state, role);

	gr->allowed_actions = calloc(NODE_ACT__COUNT, sizeof(char *));
	if (gr->allowed_actions == NULL) {
		return;
	}
	for (int a = 0; a < NODE_ACT__COUNT; a++) {
		if (bits & (1u << a)) {
			gr->allowed_actions[gr->n_allowed_actions++] =
			    node__dup(node_action_name((enum node_action)a));
		}
	}
}

enum node_disp
node__h_case_get(struct call *c)
{
	Ow__Case *cs = NULL;
	Ow__CaseGetResp *gr;
	uint64_t gen = 0;
	int rc = node_read_case(c->n, c->req->case_get->id, &cs, &gen);

	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	gr = malloc(sizeof(*gr));
	if (gr == NULL) {
		node_case_free(cs);
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__case_get_resp__init(gr);
	fill_deadline(c->n, cs, &gr->deadline);
	fill_allowed(gr, cs, c->sess->role);
	fill_remedy(c->n, cs, gr);
	gr->case_ = cs;
	c->resp->body_case = OW__RESPONSE__BODY_CASE_GET;
	c->resp->case_get = gr;
	audit_read(c->n, c->sess->user, gr->case_->id);
	/* The read audit goes with the next batch (a crash can lose the
	 * last milliseconds of reads, never a change); only a case that is
	 * not durable yet makes the reply wait. */
	return gen != 0 ? NODE_REPLY_AFTER_BATCH : NODE_REPLY_NOW;
}

/* Load the case of a change request (not final); fails the call when it
 * cannot. */
static Ow__Case *
case_for_change(struct call *c, const char *id)
{
	Ow__Case *cs = NULL;
	uint64_t gen;
	int rc = node_read_case(c->n, id, &cs, &gen);

	if (rc != 0) {
		node__fail(c->resp, rc);
		return NULL;
	}
	/* A final case takes no change, but for a supervisor's resolve of a
	 * flagged one: two halls may have closed it two ways at once. */
	if (node_state_is_final((enum node_state)cs->state) &&
	    !(cs->conflict && c->req->body_case == OW__REQUEST__BODY_CASE_ACT &&
	        strcmp(c->req->case_act->action, "resolve") == 0)) {
		node_case_free(cs);
		node__fail(c->resp, CM_ESTATE);
		return NULL;
	}
	return cs;
}

/*
 * The start of every change to an existing case: a resend of a request
 * already done gets its answer again, then the case is loaded (not in a
 * final state). True: go on with *cs; false: reply with *disp.
 */
static bool
begin_change(
    struct call *c, const char *id, Ow__Case **cs, enum node_disp *disp)
{
	char seen[NODE_CASE_ID_MAX];
	uint64_t seen_gen;

	if (seen_request(c, seen, sizeof(seen), &seen_gen)) {
		*disp = already_done(seen_gen);
		return false;
	}
	*cs = case_for_change(c, id);
	*disp = NODE_REPLY_NOW;
	return *cs != NULL;
}

/* The same for the changes a final case takes too (ratings and their
 * remediation come with the result). */
static bool
begin_change_final(
    struct call *c, const char *id, Ow__Case **cs, enum node_disp *disp)
{
	char seen[NODE_CASE_ID_MAX];
	uint64_t seen_gen, gen;
	int rc;

	if (seen_request(c, seen, sizeof(seen), &seen_gen)) {
		*disp = already_done(seen_gen);
		return false;
	}
	*disp = NODE_REPLY_NOW;
	*cs = NULL;
	rc = node_read_case(c->n, id, cs, &gen);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return false;
	}
	return true;
}

/* Commit a change to cs (taken: freed or handed to the reply). */
static enum node_disp
finish_changes(struct call *c, Ow__Op **ops, size_t nops, Ow__Case *cs)
{
	int rc = commit_case_ops(c, ops, nops, &cs);

	if (rc == 0) {
		Ow__CaseGetResp *gr = malloc(sizeof(*gr));

		node_publish_case(c->n, cs);
		if (gr != NULL) {
			ow__case_get_resp__init(gr);
			fill_deadline(c->n, cs, &gr->deadline);
			fill_allowed(gr, cs, c->sess->role);
			fill_remedy(c->n, cs, gr);
			/* The reply takes the case itself: no copy. */
			gr->case_ = cs;
			cs = NULL;
			c->resp->body_case = OW__RESPONSE__BODY_CASE_GET;
			c->resp->case_get = gr;
		}
	}
	node_case_free(cs);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_AFTER_BATCH;
}

static enum node_disp
finish_change(struct call *c, Ow__Op *op, Ow__Case *cs)
{
	return finish_changes(c, &op, 1, cs);
}

enum node_disp
node__h_case_act(struct call *c)
{
	const Ow__CaseActReq *r = c->req->case_act;
	Ow__Op op = OW__OP__INIT;
	Ow__CaseAct body = OW__CASE_ACT__INIT;
	enum node_action action;
	enum node_state to;
	enum node_disp disp;
	Ow__Case *cs;
	int rc;

	if (node_action_parse(r->action, &action) != 0 ||
	    !node__text_ok(r->reason, TEXT_MAX)) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	if (!begin_change(c, r->id, &cs, &disp)) {
		return disp;
	}
	if (action == NODE_ACT_RESOLVE) {
		/* A case replication flagged: a supervisor settles it in
		 * the state they choose, from whatever state the rule table
		 * gave (docs/workflow.md, "Concurrent transitions"). */
		rc = !cs->conflict                           ? CM_ESTATE
		     : c->sess->role != NODE_ROLE_SUPERVISOR ? CM_EDENIED
		     : node_state_parse(r->to, &to) != 0     ? CM_EINVAL
		                                             : 0;
	} else {
		rc = node_wf_check(
		    (enum node_state)cs->state, action, c->sess->role, &to);
	}
	if (rc == 0 && node_action_needs_reason(action) &&
	    r->reason[0] == '\0') {
		rc = CM_EINVAL;
	}
	if (rc != 0) {
		node_case_free(cs);
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	body.action = action;
	body.from_state = cs->state;
	body.to_state = to;
	body.reason = r->reason;
	body.day = node_today(c->n);
	op.kind = OW__OP_KIND__OP_CASE_ACT;
	op.body_case = OW__OP__BODY_ACT;
	op.act = &body;
	op.case_id = cs->id;
	cm_log_info("case.act", "case=%s action=%s by=%s", cs->id, r->action,
	    c->sess->user);
	if (action == NODE_ACT_DELIVER) {
		/* The result handed over at a window or posted: the delivery
		 * record goes with the action, in the same batch. */
		Ow__Op dop = OW__OP__INIT, *ops[2] = {&op, &dop};
		Ow__Delivery del = OW__DELIVERY__INIT;

		if (r->delivery_method > 2 ||
		    (r->delivery_method == 2 && r->tracking[0] == '\0') ||
		    !node__text_ok(r->tracking, 64)) {
			node_case_free(cs);
			node__fail(c->resp, CM_EINVAL);
			return NODE_REPLY_NOW;
		}
		del.method = r->delivery_method != 0 ? r->delivery_method : 1;
		del.hall = c->n->hall_code;
		del.tracking = r->tracking;
		del.day = body.day;
		dop.kind = OW__OP_KIND__OP_CASE_DELIVER;
		dop.body_case = OW__OP__BODY_DELIVER;
		dop.deliver = &del;
		dop.case_id = cs->id;
		return finish_changes(c, ops, 2, cs);
	}
	return finish_change(c, &op, cs);
}

/*
 * An edit must leave a valid form: any error blocks it (also one it causes
 * elsewhere, such as a field it makes required). A warning blocks only on
 * a field the edit touches, unless a supervisor accepts it: a warning
 * accepted when the case was taken in (an early pilot USCC) does not stop
 * a clerk who corrects the phone number.
 */
static bool
edit_blocked(
    const struct form_report *rep, const Ow__CaseEditReq *r, bool override)
{
	for (size_t i = 0; i < rep->n; i++) {
		const struct form_problem *p = &rep->items[i];
		bool touched = false;

		if (p->severity == FORM_SEV_ERROR) {
			return true;
		}
		if (p->severity != FORM_SEV_WARNING || override) {
			continue;
		}
		for (size_t k = 0; k < r->n_set && !touched; k++) {
			touched = strcmp(p->field, r->set[k]->key) == 0 ||
			          strcmp(p->other, r->set[k]->key) == 0;
		}
		if (touched) {
			return true;
		}
	}
	return rep->oom;
}

enum node_disp
node__h_case_edit(struct call *c)
{
	const Ow__CaseEditReq *r = c->req->case_edit;
	struct form_matter *owned = NULL;
	const struct form_matter *m;
	struct form_values all, out;
	struct form_report rep;
	Ow__Op op = OW__OP__INIT;
	Ow__CaseEdit body = OW__CASE_EDIT__INIT;
	Ow__KeyValue **set = NULL;
	size_t nset = 0;
	enum node_disp disp;
	Ow__Case *cs;
	enum node_disp d = NODE_REPLY_NOW;
	int rc;

	if (node_right_check(NODE_RIGHT_EDIT, c->sess->role) != 0) {
		node__fail(c->resp, CM_EDENIED);
		return NODE_REPLY_NOW;
	}
	if (!begin_change(c, r->id, &cs, &disp)) {
		return disp;
	}
	m = node_matter_of(c->n, cs->matter, cs->matter_version, &owned);
	if (m == NULL) {
		node_case_free(cs);
		node__fail(c->resp, CM_ENOTFOUND);
		return NODE_REPLY_NOW;
	}
	/* The whole form after the edit must still validate: an edit is
	 * checked as the desk's submit is, and stored canonical. */
	form_values_init(&all);
	form_values_init(&out);
	form_report_init(&rep);
	rc = 0;
	for (size_t i = 0; i < cs->n_fields && rc == 0; i++) {
		rc = form_values_set(
		    &all, cs->fields[i]->key, cs->fields[i]->value);
	}
	for (size_t i = 0; i < r->n_set && rc == 0; i++) {
		rc = form_values_set(&all, r->set[i]->key, r->set[i]->value);
	}
	if (rc == 0) {
		rc = form_validate(m, &all, node_today(c->n), &out, &rep);
	}
	if (rc == 0 && edit_blocked(&rep, r,
	                   r->override_warnings &&
	                       c->sess->role == NODE_ROLE_SUPERVISOR)) {
		node__add_problems(c->resp, &rep, m, cm_i18n_is_zh());
		rc = CM_EINVAL;
	}
	for (size_t i = 0; i < r->n_materials_add && rc == 0; i++) {
		if (form_matter_material(m, r->materials_add[i]) == NULL) {
			rc = CM_EINVAL;
		}
	}
	if (rc == 0 && r->n_set > 0) {
		set = calloc(r->n_set, sizeof(*set));
		rc = set == NULL ? CM_ENOMEM : 0;
	}
	for (size_t i = 0; i < r->n_set && rc == 0; i++) {
		const char *v = form_values_get(&out, r->set[i]->key);
		Ow__KeyValue *kv = malloc(sizeof(*kv));

		if (kv == NULL) {
			rc = CM_ENOMEM;
			break;
		}
		ow__key_value__init(kv);
		kv->key = node__dup(r->set[i]->key);
		kv->value = node__dup(v != NULL ? v : "");
		set[nset++] = kv;
	}
	if (rc == 0) {
		body.set = set;
		body.n_set = nset;
		body.materials_add = r->materials_add;
		body.n_materials_add = r->n_materials_add;
		op.kind = OW__OP_KIND__OP_CASE_EDIT;
		op.body_case = OW__OP__BODY_EDIT;
		op.edit = &body;
		op.case_id = cs->id;
		d = finish_change(c, &op, cs);
		cs = NULL;
	}
	for (size_t i = 0; i < nset; i++) {
		ow__key_value__free_unpacked(set[i], NULL);
	}
	free(set);
	node_case_free(cs);
	form_matter_free(owned);
	form_values_free(&all);
	form_values_free(&out);
	form_report_free(&rep);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	return d;
}

enum node_disp
node__h_case_assign(struct call *c)
{
	const Ow__CaseAssignReq *r = c->req->case_assign;
	Ow__Op op = OW__OP__INIT;
	Ow__CaseAssign body = OW__CASE_ASSIGN__INIT;
	enum node_disp disp;
	Ow__Case *cs;

	if (!node_hall_code_valid(r->hall) ||
	    (r->assignee[0] != '\0' && !node_user_name_valid(r->assignee)) ||
	    r->reason[0] == '\0' || !node__text_ok(r->reason, TEXT_MAX) ||
	    !node__text_ok(r->handover, TEXT_MAX)) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	if (!begin_change(c, r->id, &cs, &disp)) {
		return disp;
	}
	body.hall = r->hall;
	body.assignee = r->assignee;
	body.reason = r->reason;
	body.handover = r->handover;
	op.kind = OW__OP_KIND__OP_CASE_ASSIGN;
	op.body_case = OW__OP__BODY_ASSIGN;
	op.assign = &body;
	op.case_id = cs->id;
	cm_log_info("case.reassigned", "case=%s hall=%s by=%s", cs->id, r->hall,
	    c->sess->user);
	return finish_change(c, &op, cs);
}

enum node_disp
node__h_case_note(struct call *c)
{
	const Ow__CaseNoteReq *r = c->req->case_note;
	Ow__Op op = OW__OP__INIT;
	Ow__Note body = OW__NOTE__INIT;
	enum node_disp disp;
	Ow__Case *cs;

	if (r->text[0] == '\0' || !node__text_ok(r->text, TEXT_MAX)) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	if (!begin_change(c, r->id, &cs, &disp)) {
		return disp;
	}
	body.text = r->text;
	op.kind = OW__OP_KIND__OP_CASE_NOTE;
	op.body_case = OW__OP__BODY_NOTE;
	op.note = &body;
	op.case_id = cs->id;
	return finish_change(c, &op, cs);
}

enum node_disp
node__h_case_extend(struct call *c)
{
	const Ow__CaseExtendReq *r = c->req->case_extend;
	struct form_matter *owned = NULL;
	const struct form_matter *m;
	Ow__Op op = OW__OP__INIT;
	Ow__CaseExtend body = OW__CASE_EXTEND__INIT;
	enum node_disp disp;
	enum node_clock clk;
	Ow__Case *cs;
	int max;

	if (r->reason[0] == '\0' || !node__text_ok(r->reason, TEXT_MAX) ||
	    r->days == 0) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	if (!begin_change(c, r->id, &cs, &disp)) {
		return disp;
	}
	m = node_matter_of(c->n, cs->matter, cs->matter_version, &owned);
	max = m != NULL ? m->extension : 0;
	form_matter_free(owned);
	clk = node_state_clock((enum node_state)cs->state);
	/* Art. 42: once, at most what the matter allows, while the case is
	 * being handled. */
	if (cs->extension != 0 || cs->accepted_day == 0 ||
	    clk == NODE_CLOCK_STOPPED) {
		node_case_free(cs);
		node__fail(c->resp, CM_ESTATE);
		return NODE_REPLY_NOW;
	}
	if ((int)r->days > max) {
		node_case_free(cs);
		node__fail(c->resp, CM_ERANGE);
		return NODE_REPLY_NOW;
	}
	body.days = r->days;
	body.reason = r->reason;
	op.kind = OW__OP_KIND__OP_CASE_EXTEND;
	op.body_case = OW__OP__BODY_EXTEND;
	op.extend = &body;
	op.case_id = cs->id;
	cm_log_info("case.extended", "case=%s days=%u by=%s", cs->id, r->days,
	    c->sess->user);
	return finish_change(c, &op, cs);
}

enum node_disp
node__h_case_rate(struct call *c)
{
	const Ow__CaseRateReq *r = c->req->case_rate;
	Ow__Op op = OW__OP__INIT;
	Ow__Rating body = OW__RATING__INIT;
	enum node_disp disp;
	Ow__Case *cs = NULL;

	if (r->level < 1 || r->level > 5 ||
	    !node__text_ok(r->comment, TEXT_MAX)) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	/* A rating comes with the result, so a delivered case takes one. */
	if (!begin_change_final(c, r->id, &cs, &disp)) {
		return disp;
	}
	if (cs->rating != NULL) {
		/* 一事一评: one rating per case. */
		node_case_free(cs);
		node__fail(c->resp, CM_EEXIST);
		return NODE_REPLY_NOW;
	}
	body.level = r->level;
	body.comment = r->comment;
	body.day = node_today(c->n);
	op.kind = OW__OP_KIND__OP_CASE_RATE;
	op.body_case = OW__OP__BODY_RATE;
	op.rate = &body;
	op.case_id = cs->id;
	cm_log_info("case.rated", "case=%s level=%u", cs->id, r->level);
	return finish_change(c, &op, cs);
}

/*
 * A step of a bad rating's remediation: the callback, the rectification,
 * then the applicant's follow-up rating, in that order; a step may be
 * recorded again (a correction: the latest stands). The case may be
 * final: ratings come with the result.
 */
enum node_disp
node__h_case_remedy(struct call *c)
{
	const Ow__CaseRemedyReq *r = c->req->case_remedy;
	Ow__Op op = OW__OP__INIT;
	Ow__Remedy body = OW__REMEDY__INIT;
	enum node_disp disp;
	Ow__Case *cs = NULL;
	const Ow__Remediation *m;

	if (r->step < 1 || r->step > 3 || !node__text_ok(r->text, TEXT_MAX) ||
	    (r->step < 3 && r->text[0] == '\0') ||
	    (r->step == 3 && (r->level < 1 || r->level > 5))) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	if (!begin_change_final(c, r->id, &cs, &disp)) {
		return disp;
	}
	m = cs->remedy;
	/* Only after a bad rating, and each step after the one before. */
	if (cs->rating == NULL || cs->rating->level > 2 ||
	    (r->step >= 2 && (m == NULL || m->callback_day == 0)) ||
	    (r->step == 3 && m->rectified_day == 0)) {
		node_case_free(cs);
		node__fail(c->resp, CM_ESTATE);
		return NODE_REPLY_NOW;
	}
	body.step = r->step;
	body.text = r->text;
	body.level = r->step == 3 ? r->level : 0;
	body.day = node_today(c->n);
	op.kind = OW__OP_KIND__OP_CASE_REMEDY;
	op.body_case = OW__OP__BODY_REMEDY;
	op.remedy = &body;
	op.case_id = cs->id;
	cm_log_info("case.remedy", "case=%s step=%u", cs->id, r->step);
	return finish_change(c, &op, cs);
}

/* The assignee takes a case moved to them (once per move). */
enum node_disp
node__h_case_ack(struct call *c)
{
	Ow__Op op = OW__OP__INIT;
	enum node_disp disp;
	Ow__Case *cs;

	if (!begin_change(c, c->req->case_ack->id, &cs, &disp)) {
		return disp;
	}
	if (strcmp(cs->assignee, c->sess->user) != 0) {
		node_case_free(cs);
		node__fail(c->resp, CM_EDENIED);
		return NODE_REPLY_NOW;
	}
	op.kind = OW__OP_KIND__OP_CASE_ACK;
	op.case_id = cs->id;
	cm_log_info("case.ack", "case=%s by=%s", cs->id, c->sess->user);
	return finish_change(c, &op, cs);
}

enum node_disp
node__h_applicant_get(struct call *c)
{
	const char *id = c->req->applicant_get->id_number;
	Ow__ApplicantGetResp *ar = NULL;
	bool pending;
	int rc = node_registry_get(c->n, id, &ar);

	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	c->resp->body_case = OW__RESPONSE__BODY_APPLICANT_GET;
	c->resp->applicant_get = ar;
	/* Their cases come from the applicant index: run less, and see at a
	 * glance what is open. */
	rc = node__applicant_page(c, ar, &pending);
	if (rc != 0) {
		/* A bad cursor: refused before the read is audited. */
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	/* The read audit goes with the next batch; only a view of a change
	 * that is not durable yet waits for it. */
	audit_read(c->n, c->sess->user, id);
	return pending ? NODE_REPLY_AFTER_BATCH : NODE_REPLY_NOW;
}
