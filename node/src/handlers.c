/*
 * handlers.c: the node's API, one handler per request kind, from one
 * table that names each handler's right. Every handler checks the
 * session and the role itself; the desk's checks are only a convenience.
 *
 * Ownership: handlers fill resp with protobuf structures they allocate
 * with malloc (node_response_free frees them through
 * protobuf_c_message_free_unpacked); borrowed strings (from the request,
 * the node or static text) are never put in resp except the error text,
 * which node_response_free leaves alone.
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

/* ---- time --------------------------------------------------------------- */

int32_t
node_today(const struct node *n)
{
	const char *fixed = getenv("OW_TODAY");
	int32_t day;

	(void)n;
	/* Tests fix the date; a hall never sets this. */
	if (fixed != NULL && cm_date_parse(fixed, &day) == 0) {
		return day;
	}
	return cm_date_today();
}

int64_t
node_now(const struct node *n)
{
	const char *fixed = getenv("OW_NOW");

	(void)n;
	if (fixed != NULL && fixed[0] != '\0') {
		return strtoll(fixed, NULL, 10);
	}
	return (int64_t)time(NULL);
}

/* ---- response helpers --------------------------------------------------- */

char *
node__dup(const char *s)
{
	char *d;

	if (s == NULL || s[0] == '\0') {
		return (char *)(uintptr_t)protobuf_c_empty_string;
	}
	d = malloc(strlen(s) + 1);
	if (d != NULL) {
		memcpy(d, s, strlen(s) + 1);
	}
	return d != NULL ? d : (char *)(uintptr_t)protobuf_c_empty_string;
}

void
node_response_free(Ow__Response *resp)
{
	Ow__Response copy = *resp;
	Ow__Response *heap;

	/* Free the bodies and problems through protobuf-c, with the borrowed
	 * strings of the envelope taken out first. */
	copy.request_id = (char *)(uintptr_t)protobuf_c_empty_string;
	copy.error = (char *)(uintptr_t)protobuf_c_empty_string;
	heap = malloc(sizeof(*heap));
	if (heap == NULL) {
		return; /* leaks the bodies rather than freeing borrowed text */
	}
	*heap = copy;
	ow__response__free_unpacked(heap, NULL);
	resp->n_problems = 0;
	resp->problems = NULL;
	resp->body_case = OW__RESPONSE__BODY__NOT_SET;
}

void
node__fail(Ow__Response *resp, int status)
{
	resp->status = status;
}

void
node__add_problems(Ow__Response *resp, const struct form_report *rep,
    const struct form_matter *m, bool zh)
{
	if (rep->n == 0) {
		return;
	}
	resp->problems = calloc(rep->n, sizeof(*resp->problems));
	if (resp->problems == NULL) {
		return;
	}
	for (size_t i = 0; i < rep->n; i++) {
		const struct form_problem *p = &rep->items[i];
		Ow__Problem *pb = malloc(sizeof(*pb));
		char msg[512];

		if (pb == NULL) {
			break;
		}
		ow__problem__init(pb);
		pb->field = node__dup(p->field);
		pb->code = node__dup(form_pcode_name(p->code) + 7);
		pb->severity = p->severity;
		pb->message =
		    node__dup(form_problem_message(p, m, zh, msg, sizeof(msg)));
		pb->a = node__dup(p->a);
		pb->other = node__dup(p->other);
		resp->problems[resp->n_problems++] = pb;
	}
}

Ow__Deadline *
node__deadline_msg(const struct form_deadline *dl)
{
	Ow__Deadline *d = malloc(sizeof(*d));

	if (d == NULL) {
		return NULL;
	}
	ow__deadline__init(d);
	d->legal_due = dl->legal_due;
	d->promised_due = dl->promised_due;
	d->used = dl->used;
	d->paused = dl->paused;
	d->promised_left = dl->promised_left;
	d->legal_left = dl->legal_left;
	d->permille = dl->permille;
	d->level = dl->level;
	d->running_pause = dl->running_pause;
	return d;
}

bool
node__text_ok(const char *s, size_t max_chars)
{
	long n;

	if (s == NULL) {
		return true;
	}
	n = cm_utf8_count(s, strlen(s));
	return n >= 0 && (size_t)n <= max_chars;
}

/* ---- paging ------------------------------------------------------------- */

/* Each list's default and maximum limit (docs/api.md, "Paging"): about a
 * screen of entries by default, and at most what keeps a page well under
 * NODE_PAGE_BYTES at the largest entry the list can hold. The catalog and
 * the queue default to what a hall has in a day, because desks read them
 * whole. */
static const struct {
	uint32_t dflt, max;
} page_limits[] = {
    [NODE_LIST_SEARCH] = {50, 200},
    [NODE_LIST_APPLICANT] = {50, 200},
    [NODE_LIST_HISTORY] = {100, 500},
    [NODE_LIST_USERS] = {100, 500},
    [NODE_LIST_CATALOG] = {500, 2000},
    [NODE_LIST_QUEUE] = {1000, 5000},
};

int
node__page_bad_cursor(struct call *c)
{
	Ow__Problem *pb;

	node__fail(c->resp, CM_EINVAL);
	c->resp->problems = calloc(1, sizeof(*c->resp->problems));
	pb = c->resp->problems != NULL ? malloc(sizeof(*pb)) : NULL;
	if (pb != NULL) {
		ow__problem__init(pb);
		pb->field = node__dup("after");
		pb->code = node__dup("CURSOR");
		pb->message = node__dup(
		    _("not a cursor this list gave; leave it out to start "
		      "again from the first page"));
		c->resp->problems[0] = pb;
		c->resp->n_problems = 1;
	}
	return CM_EINVAL;
}

int
node__page_begin(struct call *c, struct node_page *p, enum node_list list,
    uint32_t limit, const char *after, const void *prefix, size_t plen)
{
	uint32_t dflt = page_limits[list].dflt, max = page_limits[list].max;
	const char *test_max = getenv("OW_PAGE_MAX");
	size_t hlen;

	/* Tests shrink every list's maximum, to see the clamp and many pages
	 * with a few entries; a hall never sets this. */
	if (test_max != NULL && atoi(test_max) > 0 &&
	    (uint32_t)atoi(test_max) < max) {
		max = (uint32_t)atoi(test_max);
	}
	memset(p, 0, sizeof(*p));
	p->limit = limit == 0    ? (dflt < max ? dflt : max)
	           : limit > max ? max
	                         : limit;
	if (after == NULL || after[0] == '\0') {
		return 0;
	}
	hlen = strlen(after);
	if (hlen > 2 * sizeof(p->after) ||
	    sodium_hex2bin(p->after, sizeof(p->after), after, hlen, NULL,
	        &p->alen, NULL) != 0 ||
	    p->alen * 2 != hlen || p->alen <= plen ||
	    (plen > 0 && memcmp(p->after, prefix, plen) != 0)) {
		p->alen = 0;
		return node__page_bad_cursor(c);
	}
	return 0;
}

bool
node__page_full(struct node_page *p)
{
	if (p->n >= p->limit) {
		p->more = true;
		return true;
	}
	return false;
}

bool
node__page_take(struct node_page *p, size_t size, const void *key, size_t klen)
{
	/* An entry in a repeated field: its tag (1 byte: every list field
	 * number is below 16) and length (at most 5 bytes) besides. */
	size += 6;
	if (p->n > 0 && (p->bytes + size > NODE_PAGE_BYTES)) {
		p->more = true;
		return false;
	}
	p->bytes += size;
	p->n++;
	p->llen = klen <= sizeof(p->last) ? klen : sizeof(p->last);
	memcpy(p->last, key, p->llen);
	return true;
}

char *
node__page_next(const struct node_page *p)
{
	char hex[2 * NODE_CURSOR_MAX + 1];

	if (!p->more || p->llen == 0) {
		return node__dup(NULL);
	}
	sodium_bin2hex(hex, sizeof(hex), p->last, p->llen);
	return node__dup(hex);
}

/* ---- status ------------------------------------------------------------- */

enum node_disp
node__h_status(struct call *c)
{
	struct node *n = c->n;
	Ow__StatusResp *s = malloc(sizeof(*s));
	char pk[2 * NODE_PK_BYTES + 1];
	char *cases = NULL;
	uint64_t disk = 0;
	int first = 0, last = 0;
	bool contiguous;

	if (s == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__status_resp__init(s);
	node_pk_hex(n->kp.pk, pk);
	s->node_id = node__dup(n->node_id);
	s->hall = node__dup(n->hall);
	s->public_key = node__dup(pk);
	s->log_ops = n->log_ops;
	s->compacted_cases = n->compacted_cases;
	s->compacted_ops = n->compacted_ops;
	s->syncs = n->syncs;
	s->synced_ops = n->synced_ops;
	s->synced_replies = n->synced_replies;
	s->sync_us = n->sync_ns / 1000u;
	s->uptime_s = node_now(n) - n->started_at;
	if (form_calendar_coverage(n->cal, &first, &last, &contiguous) == 0) {
		s->calendar_first_year = first;
		s->calendar_last_year = last;
	}
	s->software = node__dup("ow-node 0.1.0");
	(void)node_cert_expiry(n->cfg.tls_cert, &s->cert_expires);
	if (node_store_disk_bytes(n->st, &disk) == 0) {
		s->disk_bytes = disk;
	}
	if (node_store_property(n->st, NODE_CF_CASE,
	        "rocksdb.estimate-num-keys", &cases) == 0) {
		s->cases = strtoull(cases, NULL, 10);
		cm_free(cases);
	}
	s->matters = (uint32_t)n->cat.n;
	c->resp->body_case = OW__RESPONSE__BODY_STATUS_RESP;
	c->resp->status_resp = s;
	return node__status_repl(c, s);
}

/* ---- dispatch ----------------------------------------------------------- */

struct handler {
	Ow__Request__BodyCase body;
	const char *name;
	int right; /* enum node_right, or -1: any logged-in user */
	enum node_disp (*fn)(struct call *c);
};

static const struct handler handlers[] = {
    {OW__REQUEST__BODY_LOGOUT, "logout", -1, node__h_logout},
    {OW__REQUEST__BODY_STATUS, "status", -1, node__h_status},
    {OW__REQUEST__BODY_CASE_CREATE, "case_create", NODE_RIGHT_CREATE,
        node__h_case_create},
    {OW__REQUEST__BODY_CASE_GET, "case_get", NODE_RIGHT_READ, node__h_case_get},
    {OW__REQUEST__BODY_CASE_EDIT, "case_edit", NODE_RIGHT_EDIT,
        node__h_case_edit},
    {OW__REQUEST__BODY_CASE_ACT, "case_act", -1, node__h_case_act},
    {OW__REQUEST__BODY_CASE_ASSIGN, "case_assign", NODE_RIGHT_REASSIGN,
        node__h_case_assign},
    {OW__REQUEST__BODY_CASE_NOTE, "case_note", NODE_RIGHT_NOTE,
        node__h_case_note},
    {OW__REQUEST__BODY_CASE_SEARCH, "case_search", NODE_RIGHT_READ,
        node__h_case_search},
    {OW__REQUEST__BODY_CASE_HISTORY, "case_history", NODE_RIGHT_READ,
        node__h_case_history},
    {OW__REQUEST__BODY_CASE_EXTEND, "case_extend", NODE_RIGHT_EXTEND,
        node__h_case_extend},
    {OW__REQUEST__BODY_CASE_RATE, "case_rate", NODE_RIGHT_RATE,
        node__h_case_rate},
    {OW__REQUEST__BODY_CASE_REMEDY, "case_remedy", NODE_RIGHT_REMEDY,
        node__h_case_remedy},
    {OW__REQUEST__BODY_CASE_ACK, "case_ack", NODE_RIGHT_NOTE, node__h_case_ack},
    {OW__REQUEST__BODY_APPLICANT_GET, "applicant_get", NODE_RIGHT_READ,
        node__h_applicant_get},
    {OW__REQUEST__BODY_USER_ADD, "user_add", NODE_RIGHT_USERS,
        node__h_user_add},
    {OW__REQUEST__BODY_USER_PASSWD, "user_passwd", -1, node__h_user_passwd},
    {OW__REQUEST__BODY_USER_DISABLE, "user_disable", NODE_RIGHT_USERS,
        node__h_user_disable},
    {OW__REQUEST__BODY_USER_LIST, "user_list", NODE_RIGHT_USERS,
        node__h_user_list},
    {OW__REQUEST__BODY_CATALOG_LIST, "catalog_list", -1, node__h_catalog_list},
    {OW__REQUEST__BODY_CATALOG_SHOW, "catalog_show", -1, node__h_catalog_show},
    {OW__REQUEST__BODY_CATALOG_PUBLISH, "catalog_publish", NODE_RIGHT_CATALOG,
        node__h_catalog_publish},
    {OW__REQUEST__BODY_QUEUE_ISSUE, "queue_issue", NODE_RIGHT_CREATE,
        node__h_queue_issue},
    {OW__REQUEST__BODY_QUEUE_NEXT, "queue_next", NODE_RIGHT_CREATE,
        node__h_queue_next},
    {OW__REQUEST__BODY_QUEUE_TICKET, "queue_ticket", NODE_RIGHT_CREATE,
        node__h_queue_ticket},
    {OW__REQUEST__BODY_QUEUE_LIST, "queue_list", -1, node__h_queue_list},
    {OW__REQUEST__BODY_AUDIT_VERIFY, "audit_verify", NODE_RIGHT_USERS,
        node__h_audit_verify},
    {OW__REQUEST__BODY_PEER_ADD, "peer_add", NODE_RIGHT_PEERS,
        node__h_peer_add},
    {OW__REQUEST__BODY_PEER_REMOVE, "peer_remove", NODE_RIGHT_PEERS,
        node__h_peer_remove},
    {OW__REQUEST__BODY_PEER_LIST, "peer_list", NODE_RIGHT_PEERS,
        node__h_peer_list},
    {OW__REQUEST__BODY_PEER_VERIFY, "peer_verify", NODE_RIGHT_PEERS,
        node__h_peer_verify},
    {OW__REQUEST__BODY_CALENDAR_IMPORT, "calendar_import", NODE_RIGHT_CALENDAR,
        node__h_calendar_import},
    {OW__REQUEST__BODY_BACKUP, "backup", NODE_RIGHT_BACKUP, node__h_backup},
    {OW__REQUEST__BODY_REPORT, "report", NODE_RIGHT_REPORT, node__h_report},
    {OW__REQUEST__BODY_DASHBOARD, "dashboard", NODE_RIGHT_REPORT,
        node__h_dashboard},
};

enum node_disp
node_handle(struct node *n, struct node_slot *slot, const Ow__Request *req,
    Ow__Response *resp)
{
	struct call c = {n, slot, req, resp, NULL};
	const struct handler *h = NULL;
	int rc;

	if (req->body_case == OW__REQUEST__BODY_LOGIN) {
		return node__h_login(&c);
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (handlers[i].body == req->body_case) {
			h = &handlers[i];
		}
	}
	if (h == NULL) {
		node__fail(resp, CM_EPROTO);
		return NODE_REPLY_NOW;
	}
	rc = node_session_touch(&n->sessions, req->token, node_now(n), &c.sess);
	if (rc != 0) {
		node__fail(resp, rc);
		return NODE_REPLY_NOW;
	}
	/* Rights are checked here for every request, whatever the client. */
	if (h->right >= 0 &&
	    node_right_check((enum node_right)h->right, c.sess->role) != 0) {
		/* ops may audit too; auditors may read and verify. */
		if (!(h->body == OW__REQUEST__BODY_AUDIT_VERIFY &&
		        c.sess->role == NODE_ROLE_AUDITOR)) {
			node__fail(resp, CM_EDENIED);
			return NODE_REPLY_NOW;
		}
	}
	return h->fn(&c);
}
