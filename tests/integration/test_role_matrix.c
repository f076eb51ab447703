/*
 * test_role_matrix.c: the workflow's role matrix against a real ow-node.
 *
 * With one user of each role (clerk, supervisor, ops, auditor), every
 * action is tried through the client library on a case in every state a
 * case can reach, and the node's answer must be what node_wf_check
 * (node/workflow.h) says for that role: on 0 the case moves to the state
 * it names; otherwise CM_EDENIED or CM_ESTATE; an action that needs a
 * reason, sent without one by a role that may take it, gets CM_EINVAL and
 * changes nothing. A case is driven into each state by the supervisor
 * (who can reach them all) and a fresh one is used for every action that
 * succeeds. The menu a case read shows (allowed_actions) must equal
 * node_wf_allowed. Then the rights outside the table (create, edit,
 * note, reassign, extend, rate, read, users, audit, catalog, queue) for
 * each role, against node_right_check.
 *
 * Every mismatch is printed before the test fails, so one run shows the
 * whole difference. Last, with the node stopped, every case op of its
 * signed log must name a case its store holds.
 *
 * Usage: test_role_matrix [OW-NODE]
 */
#include "nodeproc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/utf8.h"
#include "node/oplog.h"
#include "node/store.h"
#include "node/workflow.h"

#define NROLES 4
static const enum node_role roles[NROLES] = {
    NODE_ROLE_CLERK, NODE_ROLE_SUPERVISOR, NODE_ROLE_OPS, NODE_ROLE_AUDITOR};
static const char *const role_user[NROLES] = {"clerk1", "sup1", "ops1", "aud1"};
static const char *const role_wire[NROLES] = {
    "clerk", "supervisor", "ops", "auditor"};
static const char *const role_pw[NROLES] = {
    "clerk-pass-1", "super-pass-1", "ops-pass-1", "audit-pass-1"};

enum { CLERK, SUPER, OPS, AUDITOR };

static const char *node_bin;
static struct itest_node node;
static struct node_client *admin;
static struct node_client *sess[NROLES];
static int mismatches;
static int checked;

#define REASON "申请人书面说明"

/* ---- requests ----------------------------------------------------------- */

enum entry { E_FULL, E_GAPS, E_SUPPLEMENT, E_REFUSE };

static int
create_case(struct node_client *c, enum entry e, char id[32])
{
	struct itest_food f;
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *resp = NULL;
	int rc;

	itest_food_init(&f, e == E_FULL ? 4 : e == E_GAPS ? 3 : 1);
	if (e == E_REFUSE) {
		f.req.refuse_reason =
		    (char *)(uintptr_t) "不属于本机关职权范围";
	}
	req.body_case = OW__REQUEST__BODY_CASE_CREATE;
	req.case_create = &f.req;
	rc = itest_call(c, &req, &resp);
	if (rc == 0 && id != NULL) {
		assert_int_equal(
		    resp->body_case, OW__RESPONSE__BODY_CASE_CREATE);
		snprintf(id, 32, "%s", resp->case_create->case_->id);
	}
	ow__response__free_unpacked(resp, NULL);
	return rc;
}

/* case act; *state gets the state the answer shows (on 0). */
static int
act(struct node_client *c, const char *id, enum node_action a,
    const char *reason, unsigned *state)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseActReq body = OW__CASE_ACT_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	body.id = (char *)(uintptr_t)id;
	body.action = (char *)(uintptr_t)node_action_name(a);
	body.reason = (char *)(uintptr_t)(reason != NULL ? reason : "");
	req.body_case = OW__REQUEST__BODY_CASE_ACT;
	req.case_act = &body;
	rc = itest_call(c, &req, &resp);
	if (rc == 0 && state != NULL) {
		assert_int_equal(resp->body_case, OW__RESPONSE__BODY_CASE_GET);
		*state = resp->case_get->case_->state;
	}
	ow__response__free_unpacked(resp, NULL);
	return rc;
}

/* case get as c: status; on 0 *state and the menu as a bit set. */
static int
get(struct node_client *c, const char *id, unsigned *state, unsigned *menu)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseGetReq body = OW__CASE_GET_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	body.id = (char *)(uintptr_t)id;
	req.body_case = OW__REQUEST__BODY_CASE_GET;
	req.case_get = &body;
	rc = itest_call(c, &req, &resp);
	if (rc == 0) {
		const Ow__CaseGetResp *g = resp->case_get;

		if (state != NULL) {
			*state = g->case_->state;
		}
		if (menu != NULL) {
			*menu = 0;
			for (size_t i = 0; i < g->n_allowed_actions; i++) {
				enum node_action a;

				assert_rc(node_action_parse(
				              g->allowed_actions[i], &a),
				    0);
				*menu |= 1u << a;
			}
		}
	}
	ow__response__free_unpacked(resp, NULL);
	return rc;
}

static unsigned
state_of(const char *id)
{
	unsigned st = 0;

	assert_rc(get(sess[SUPER], id, &st, NULL), 0);
	return st;
}

static void
expect(int got, int want, const char *what)
{
	checked++;
	if (got != want) {
		mismatches++;
		print_error("MISMATCH %s: node says %s, wanted %s\n", what,
		    cm_err_name(got), cm_err_name(want));
	}
}

/* ---- driving a case into a state ---------------------------------------- */

struct probe {
	enum node_state state;
	const char *how;
	enum entry entry;
	enum node_action path[4];
	int npath;
};

static const struct probe probes[] = {
    {NODE_ST_ACCEPTED, "accepted at intake", E_FULL, {0}, 0},
    {NODE_ST_ACCEPTED_GAPS, "accepted with gaps at intake", E_GAPS, {0}, 0},
    {NODE_ST_SUPPLEMENT, "supplement at intake", E_SUPPLEMENT, {0}, 0},
    {NODE_ST_SUPPLEMENT, "supplement requested during review", E_FULL,
        {NODE_ACT_START_REVIEW, NODE_ACT_REQUEST_SUPPLEMENT}, 2},
    {NODE_ST_REFUSED, "refused at intake", E_REFUSE, {0}, 0},
    {NODE_ST_REFUSED, "refused after a supplement notice", E_SUPPLEMENT,
        {NODE_ACT_REFUSE}, 1},
    {NODE_ST_IN_REVIEW, "in review", E_FULL, {NODE_ACT_START_REVIEW}, 1},
    {NODE_ST_SUSPENDED, "suspended", E_FULL,
        {NODE_ACT_START_REVIEW, NODE_ACT_SUSPEND}, 2},
    {NODE_ST_APPROVED, "approved", E_FULL,
        {NODE_ACT_START_REVIEW, NODE_ACT_APPROVE}, 2},
    {NODE_ST_REJECTED, "rejected", E_FULL,
        {NODE_ACT_START_REVIEW, NODE_ACT_REJECT}, 2},
    {NODE_ST_DELIVERED, "delivered after approval", E_FULL,
        {NODE_ACT_START_REVIEW, NODE_ACT_APPROVE, NODE_ACT_DELIVER}, 3},
    {NODE_ST_DELIVERED, "delivered after rejection", E_FULL,
        {NODE_ACT_START_REVIEW, NODE_ACT_REJECT, NODE_ACT_DELIVER}, 3},
    {NODE_ST_WITHDRAWN, "withdrawn", E_FULL, {NODE_ACT_WITHDRAW}, 1},
};

/* A new case in the probe's state, driven there by the supervisor. */
static void
drive(const struct probe *p, char id[32])
{
	unsigned st;

	assert_rc(create_case(sess[SUPER], p->entry, id), 0);
	for (int i = 0; i < p->npath; i++) {
		enum node_action a = p->path[i];

		assert_rc(act(sess[SUPER], id, a,
		              node_action_needs_reason(a) ? REASON : "", &st),
		    0);
	}
	st = state_of(id);
	if (st != p->state) {
		fail_msg("driving a case to %s (%s) ended in %s",
		    node_state_name(p->state), p->how,
		    node_state_name((enum node_state)st));
	}
}

/* ---- fixtures ----------------------------------------------------------- */

static int
node_up(void **state)
{
	(void)state;
	itest_node_init(&node, node_bin);
	itest_node_start(&node, ITEST_TODAY, NULL, NULL);
	admin = itest_login(&node, "admin", ITEST_ADMIN_PW);
	for (int r = 0; r < NROLES; r++) {
		itest_user_add(admin, role_user[r], role_wire[r], role_pw[r]);
	}
	itest_user_add(admin, "spare1", "clerk", "spare-pass-1");
	for (int r = 0; r < NROLES; r++) {
		sess[r] = itest_login(&node, role_user[r], role_pw[r]);
	}
	return 0;
}

static int
node_down(void **state)
{
	bool clean;

	(void)state;
	for (int r = 0; r < NROLES; r++) {
		node_client_close(sess[r]);
		sess[r] = NULL;
	}
	node_client_close(admin);
	admin = NULL;
	clean = itest_node_stop_clean(&node);
	itest_node_destroy(&node);
	if (!clean) {
		fail_msg("ow-node did not stop cleanly");
	}
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

static void
test_state(void **state)
{
	const struct probe *p = *state;
	char probe[32], what[200];
	int before = mismatches;

	mismatches = 0;
	if (!itest_node_alive(&node)) {
		fail_msg("the node is gone (its report is above)");
	}
	drive(p, probe);
	/* The menu each role is shown. */
	for (int r = 0; r < NROLES; r++) {
		unsigned st = 0, menu = 0;
		int want = node_right_check(NODE_RIGHT_READ, roles[r]);
		int got = get(sess[r], probe, &st, &menu);

		snprintf(what, sizeof(what), "%s (%s): case get by %s",
		    node_state_name(p->state), p->how, role_wire[r]);
		expect(got, want, what);
		if (got == 0 && want == 0) {
			unsigned allowed = node_wf_allowed(p->state, roles[r]);

			checked++;
			if (menu != allowed || st != p->state) {
				mismatches++;
				print_error("MISMATCH %s: menu 0x%x, wanted "
				            "0x%x\n",
				    what, menu, allowed);
			}
		}
	}
	for (int a = 0; a < NODE_ACT__COUNT; a++) {
		bool needs = node_action_needs_reason((enum node_action)a);

		for (int r = 0; r < NROLES; r++) {
			enum node_state to = p->state;
			int want = node_wf_check(
			    p->state, (enum node_action)a, roles[r], &to);
			char fresh[32];
			unsigned st = 0;

			snprintf(what, sizeof(what), "%s (%s) --%s--> by %s",
			    node_state_name(p->state), p->how,
			    node_action_name((enum node_action)a),
			    role_wire[r]);
			if (want != 0) {
				/* Refused whatever the reason says. */
				expect(act(sess[r], probe, (enum node_action)a,
				           REASON, NULL),
				    want, what);
				expect(act(sess[r], probe, (enum node_action)a,
				           "", NULL),
				    want, what);
				continue;
			}
			if (needs) {
				char w2[240];

				snprintf(w2, sizeof(w2), "%s without a reason",
				    what);
				expect(act(sess[r], probe, (enum node_action)a,
				           "", NULL),
				    CM_EINVAL, w2);
			}
			drive(p, fresh);
			expect(act(sess[r], fresh, (enum node_action)a,
			           needs ? REASON : "", &st),
			    0, what);
			checked++;
			if (st != (unsigned)to || state_of(fresh) != to) {
				mismatches++;
				print_error("MISMATCH %s: went to %s, wanted "
				            "%s\n",
				    what, node_state_name((enum node_state)st),
				    node_state_name(to));
			}
		}
	}
	/* Nothing that was refused moved the probe. */
	if (state_of(probe) != p->state) {
		mismatches++;
		print_error("MISMATCH %s (%s): a refused action moved the "
		            "case to %s\n",
		    node_state_name(p->state), p->how,
		    node_state_name((enum node_state)state_of(probe)));
	}
	if (mismatches != 0) {
		fail_msg("%d mismatches for %s (%s)", mismatches,
		    node_state_name(p->state), p->how);
	}
	mismatches = before;
}

/* ---- rights outside the table ------------------------------------------- */

static int
edit(struct node_client *c, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseEditReq body = OW__CASE_EDIT_REQ__INIT;
	Ow__KeyValue kv = OW__KEY_VALUE__INIT, *kvp = &kv;

	kv.key = (char *)(uintptr_t) "safety_manager_mobile";
	kv.value = (char *)(uintptr_t) "13900139000";
	body.id = (char *)(uintptr_t)id;
	body.set = &kvp;
	body.n_set = 1;
	req.body_case = OW__REQUEST__BODY_CASE_EDIT;
	req.case_edit = &body;
	return itest_call(c, &req, NULL);
}

static int
note(struct node_client *c, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseNoteReq body = OW__CASE_NOTE_REQ__INIT;

	body.id = (char *)(uintptr_t)id;
	body.text = (char *)(uintptr_t) "申请人来电询问进度";
	req.body_case = OW__REQUEST__BODY_CASE_NOTE;
	req.case_note = &body;
	return itest_call(c, &req, NULL);
}

static int
reassign(struct node_client *c, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseAssignReq body = OW__CASE_ASSIGN_REQ__INIT;

	body.id = (char *)(uintptr_t)id;
	body.hall = (char *)(uintptr_t) "FT01";
	body.assignee = (char *)(uintptr_t) "clerk1";
	body.reason = (char *)(uintptr_t) "工作调整";
	req.body_case = OW__REQUEST__BODY_CASE_ASSIGN;
	req.case_assign = &body;
	return itest_call(c, &req, NULL);
}

static int
search(struct node_client *c)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseSearchReq body = OW__CASE_SEARCH_REQ__INIT;

	body.by = (char *)(uintptr_t) "matter";
	body.value = (char *)(uintptr_t) "XK00013001";
	body.limit = 5;
	req.body_case = OW__REQUEST__BODY_CASE_SEARCH;
	req.case_search = &body;
	return itest_call(c, &req, NULL);
}

static int
history(struct node_client *c, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseHistoryReq body = OW__CASE_HISTORY_REQ__INIT;

	body.id = (char *)(uintptr_t)id;
	req.body_case = OW__REQUEST__BODY_CASE_HISTORY;
	req.case_history = &body;
	return itest_call(c, &req, NULL);
}

static int
user_add(struct node_client *c, const char *name)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserAddReq body = OW__USER_ADD_REQ__INIT;

	body.name = (char *)(uintptr_t)name;
	body.role = (char *)(uintptr_t) "clerk";
	body.password = (char *)(uintptr_t) "new-user-pass-1";
	req.body_case = OW__REQUEST__BODY_USER_ADD;
	req.user_add = &body;
	return itest_call(c, &req, NULL);
}

static int
user_list(struct node_client *c)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserListReq body = OW__USER_LIST_REQ__INIT;

	req.body_case = OW__REQUEST__BODY_USER_LIST;
	req.user_list = &body;
	return itest_call(c, &req, NULL);
}

static int
user_enable(struct node_client *c, const char *name)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserDisableReq body = OW__USER_DISABLE_REQ__INIT;

	body.name = (char *)(uintptr_t)name;
	body.disabled = false;
	req.body_case = OW__REQUEST__BODY_USER_DISABLE;
	req.user_disable = &body;
	return itest_call(c, &req, NULL);
}

static int
user_passwd(struct node_client *c, const char *name)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserPasswdReq body = OW__USER_PASSWD_REQ__INIT;

	body.name = (char *)(uintptr_t)name;
	body.password = (char *)(uintptr_t) "spare-pass-2";
	req.body_case = OW__REQUEST__BODY_USER_PASSWD;
	req.user_passwd = &body;
	return itest_call(c, &req, NULL);
}

static int
audit_verify(struct node_client *c)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__AuditVerifyReq body = OW__AUDIT_VERIFY_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	req.body_case = OW__REQUEST__BODY_AUDIT_VERIFY;
	req.audit_verify = &body;
	rc = itest_call(c, &req, &resp);
	if (rc == 0) {
		assert_int_equal(resp->audit_verify->n_problems, 0);
	}
	ow__response__free_unpacked(resp, NULL);
	return rc;
}

static int
publish_current(struct node_client *c)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CatalogPublishReq body = OW__CATALOG_PUBLISH_REQ__INIT;
	size_t len = 0;
	char *json = ow_read_src("forms/catalog/XK00013001.json", &len);
	int rc;

	body.matter_json.data = (uint8_t *)json;
	body.matter_json.len = len;
	req.body_case = OW__REQUEST__BODY_CATALOG_PUBLISH;
	req.catalog_publish = &body;
	rc = itest_call(c, &req, NULL);
	cm_free(json);
	return rc;
}

/* Art. 42 extension of 5 working days (the food licence's most). */
static int
extend(struct node_client *c, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseExtendReq body = OW__CASE_EXTEND_REQ__INIT;

	body.id = (char *)(uintptr_t)id;
	body.days = 5;
	body.reason = (char *)(uintptr_t) "需要现场核查";
	req.body_case = OW__REQUEST__BODY_CASE_EXTEND;
	req.case_extend = &body;
	return itest_call(c, &req, NULL);
}

static int
rate(struct node_client *c, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseRateReq body = OW__CASE_RATE_REQ__INIT;

	body.id = (char *)(uintptr_t)id;
	body.level = 5;
	req.body_case = OW__REQUEST__BODY_CASE_RATE;
	req.case_rate = &body;
	return itest_call(c, &req, NULL);
}

static int
applicant_get(struct node_client *c)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__ApplicantGetReq body = OW__APPLICANT_GET_REQ__INIT;

	body.id_number = (char *)(uintptr_t) "91430111MA4L41YT1U";
	req.body_case = OW__REQUEST__BODY_APPLICANT_GET;
	req.applicant_get = &body;
	return itest_call(c, &req, NULL);
}

static int
queue_issue(struct node_client *c)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__QueueIssueReq body = OW__QUEUE_ISSUE_REQ__INIT;

	body.category = (char *)(uintptr_t) "individual";
	req.body_case = OW__REQUEST__BODY_QUEUE_ISSUE;
	req.queue_issue = &body;
	return itest_call(c, &req, NULL);
}

static int
simple(struct node_client *c, Ow__Request__BodyCase which)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__StatusReq st = OW__STATUS_REQ__INIT;
	Ow__CatalogListReq cl = OW__CATALOG_LIST_REQ__INIT;
	Ow__QueueListReq ql = OW__QUEUE_LIST_REQ__INIT;

	req.body_case = which;
	if (which == OW__REQUEST__BODY_STATUS) {
		req.status = &st;
	} else if (which == OW__REQUEST__BODY_CATALOG_LIST) {
		req.catalog_list = &cl;
	} else {
		req.queue_list = &ql;
	}
	return itest_call(c, &req, NULL);
}

/* What a right check means on the wire: 0, or CM_EDENIED. */
static int
want_right(enum node_right right, int r)
{
	return node_right_check(right, roles[r]) == 0 ? 0 : CM_EDENIED;
}

static void
test_rights_outside_table(void **state)
{
	char probe[32], what[160], name[32];
	static const struct probe accepted = {
	    NODE_ST_ACCEPTED, "accepted", E_FULL, {0}, 0};

	(void)state;
	mismatches = 0;
	if (!itest_node_alive(&node)) {
		fail_msg("the node is gone (its report is above)");
	}
	drive(&accepted, probe);
	for (int r = 0; r < NROLES; r++) {
		char fresh[32];
#define EXPECT(got, want, label)                                               \
	do {                                                                   \
		snprintf(what, sizeof(what), "%s by %s", label, role_wire[r]); \
		expect((got), (want), what);                                   \
	} while (0)
		EXPECT(create_case(sess[r], E_FULL, NULL),
		    want_right(NODE_RIGHT_CREATE, r), "case create");
		EXPECT(edit(sess[r], probe), want_right(NODE_RIGHT_EDIT, r),
		    "case edit");
		EXPECT(note(sess[r], probe), want_right(NODE_RIGHT_NOTE, r),
		    "case note");
		EXPECT(reassign(sess[r], probe),
		    want_right(NODE_RIGHT_REASSIGN, r), "case assign");
		/* Once per case: each role tries on a case of its own. */
		drive(&accepted, fresh);
		EXPECT(extend(sess[r], fresh), want_right(NODE_RIGHT_EXTEND, r),
		    "case extend");
		drive(&accepted, fresh);
		EXPECT(rate(sess[r], fresh), want_right(NODE_RIGHT_RATE, r),
		    "case rate");
		EXPECT(applicant_get(sess[r]), want_right(NODE_RIGHT_READ, r),
		    "applicant get");
		EXPECT(get(sess[r], probe, NULL, NULL),
		    want_right(NODE_RIGHT_READ, r), "case get");
		EXPECT(search(sess[r]), want_right(NODE_RIGHT_READ, r),
		    "case search");
		EXPECT(history(sess[r], probe), want_right(NODE_RIGHT_READ, r),
		    "case history");
		snprintf(name, sizeof(name), "new-%s", role_wire[r]);
		EXPECT(user_add(sess[r], name), want_right(NODE_RIGHT_USERS, r),
		    "user add");
		EXPECT(user_list(sess[r]), want_right(NODE_RIGHT_USERS, r),
		    "user list");
		EXPECT(user_enable(sess[r], "spare1"),
		    want_right(NODE_RIGHT_USERS, r), "user enable");
		/* Somebody else's password: ops only (one's own is anybody's
		 * right, and closes one's session, so it is not tried). */
		EXPECT(user_passwd(sess[r], "spare1"),
		    want_right(NODE_RIGHT_USERS, r), "user passwd of another");
		/* The log audit: ops, and auditors (handlers.c). */
		EXPECT(audit_verify(sess[r]),
		    roles[r] == NODE_ROLE_AUDITOR
		        ? 0
		        : want_right(NODE_RIGHT_USERS, r),
		    "audit verify");
		/* The same version again: whoever may publish hears that it
		 * exists; the others that they may not. */
		EXPECT(publish_current(sess[r]),
		    node_right_check(NODE_RIGHT_CATALOG, roles[r]) == 0
		        ? CM_EEXIST
		        : CM_EDENIED,
		    "catalog publish");
		EXPECT(queue_issue(sess[r]), want_right(NODE_RIGHT_CREATE, r),
		    "queue issue");
		EXPECT(simple(sess[r], OW__REQUEST__BODY_STATUS), 0, "status");
		EXPECT(simple(sess[r], OW__REQUEST__BODY_CATALOG_LIST), 0,
		    "catalog list");
		EXPECT(simple(sess[r], OW__REQUEST__BODY_QUEUE_LIST), 0,
		    "queue list");
#undef EXPECT
	}
	if (mismatches != 0) {
		fail_msg("%d mismatches in the rights outside the table",
		    mismatches);
	}
}

/*
 * After the run, the node stopped: every case op in its signed log names
 * a case the store holds. Replication (issue 5) applies ops by the
 * case_id they carry, so an op that names no case would be lost, or land
 * on the wrong case, at every other hall. Reads the stopped node's store.
 */
static void
test_log_names_real_cases(void **state)
{
	char path[256], *pkhex = NULL;
	unsigned char pk[NODE_PK_BYTES];
	struct node_store *st = NULL;
	struct node_iter *it = NULL;
	size_t len = 0;
	int ops = 0, case_ops = 0, bad = 0;

	(void)state;
	if (!itest_node_stop_clean(&node)) {
		fail_msg("ow-node did not stop cleanly");
	}
	snprintf(path, sizeof(path), "%s/node.pub", node.datadir);
	assert_rc(cm_file_read(path, 4096, &pkhex, &len), 0);
	pkhex[strcspn(pkhex, "\n")] = '\0';
	assert_rc(node_pk_parse(pkhex, pk), 0);
	cm_free(pkhex);
	snprintf(path, sizeof(path), "%s/db", node.datadir);
	assert_rc(node_store_open(path, false, &st), 0);
	assert_rc(node_iter_new(st, NODE_CF_LOG, NULL, 0, &it), 0);
	for (; node_iter_valid(it); node_iter_next(it)) {
		size_t vlen;
		const uint8_t *val = node_iter_value(it, &vlen);
		unsigned char hash[NODE_HASH_BYTES];
		Ow__Op *op = NULL;
		int rc = node_op_open(val, vlen, pk, &op, hash);

		ops++;
		if (rc != 0) {
			bad++;
			print_error("op %d of the log does not open: %s\n", ops,
			    cm_err_name(rc));
			continue;
		}
		if (op->kind >= OW__OP_KIND__OP_CASE_CREATE &&
		    op->kind <= OW__OP_KIND__OP_CASE_DELIVER) {
			void *cv = NULL;
			size_t clen = 0;

			case_ops++;
			/* Every change names the case version it was made on
			 * (a create none): earlier ops only. */
			if (op->kind == OW__OP_KIND__OP_CASE_CREATE
			        ? op->context != NULL &&
			              op->context->n_entries > 0
			        : op->context == NULL ||
			              op->context->n_entries == 0) {
				bad++;
				print_error("seq %llu: wrong context for its "
				            "kind\n",
				    (unsigned long long)op->seq);
			}
			for (size_t i = 0;
			     op->context != NULL && i < op->context->n_entries;
			     i++) {
				const Ow__VersionEntry *e =
				    op->context->entries[i];

				if (strcmp(e->origin, op->origin) == 0 &&
				    e->seq >= op->seq) {
					bad++;
					print_error(
					    "seq %llu: context names "
					    "seq %llu, not an earlier op\n",
					    (unsigned long long)op->seq,
					    (unsigned long long)e->seq);
				}
			}
			if (node_store_get(st, NODE_CF_CASE, op->case_id,
			        strlen(op->case_id), &cv, &clen) != 0) {
				const ProtobufCEnumValue *k =
				    protobuf_c_enum_descriptor_get_value(
				        &ow__op_kind__descriptor, op->kind);
				char hex[80] = "";

				for (size_t i = 0;
				     op->case_id[i] != '\0' && i < 32; i++) {
					snprintf(hex + 2 * i, 3, "%02x",
					    (unsigned char)op->case_id[i]);
				}
				bad++;
				print_error("seq %llu (%s, by %s) names case "
				            "\"%s\" (hex %s), which the store "
				            "does not hold\n",
				    (unsigned long long)op->seq,
				    k != NULL ? k->name : "?", op->actor,
				    cm_utf8_valid(
				        op->case_id, strlen(op->case_id))
				        ? op->case_id
				        : "(not UTF-8)",
				    hex);
			}
			cm_free(cv);
		}
		ow__op__free_unpacked(op, NULL);
	}
	node_iter_free(it);
	node_store_close(st);
	print_message(
	    "%d ops in the log, %d of them case ops\n", ops, case_ops);
	assert_true(case_ops > 100);
	if (bad != 0) {
		fail_msg("%d ops of the signed log are wrong (no case, or "
		         "a wrong context)",
		    bad);
	}
}

static void
test_summary(void **state)
{
	(void)state;
	print_message("%d answers checked against node_wf_check and "
	              "node_right_check\n",
	    checked);
	assert_true(checked > 400);
}

int
main(int argc, char **argv)
{
	enum { NP = sizeof(probes) / sizeof(probes[0]) };
	struct CMUnitTest tests[NP + 3];

	node_bin = itest_node_bin(argc, argv);
	for (int i = 0; i < NP; i++) {
		static char names[NP][80];

		snprintf(names[i], sizeof(names[i]), "state %s (%s)",
		    node_state_name(probes[i].state), probes[i].how);
		tests[i] = (struct CMUnitTest){names[i], test_state, NULL, NULL,
		    (void *)(uintptr_t)&probes[i]};
	}
	tests[NP] =
	    (struct CMUnitTest)cmocka_unit_test(test_rights_outside_table);
	tests[NP + 1] = (struct CMUnitTest)cmocka_unit_test(test_summary);
	tests[NP + 2] =
	    (struct CMUnitTest)cmocka_unit_test(test_log_names_real_cases);
	return _cmocka_run_group_tests(
	    "role_matrix", tests, NP + 3, node_up, node_down);
}
