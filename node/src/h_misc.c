/*
 * h_misc.c: the catalog, the walk-in queue and the audit of the log.
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

/* ---- catalog ------------------------------------------------------------ */

enum node_disp
node__h_catalog_list(struct call *c)
{
	const Ow__CatalogListReq *r = c->req->catalog_list;
	const struct form_catalog *cat = &c->n->cat;
	/* A cursor is the catalog key of the last matter's current version,
	 * "c/<code>"; the matters are kept sorted by code. */
	static const char tag[2] = {'c', '/'};
	char after[NODE_CURSOR_MAX + 1] = "";
	struct node_page pg;
	Ow__CatalogListResp *lr;

	if (node__page_begin(c, &pg, NODE_LIST_CATALOG, r->limit, r->after, tag,
	        sizeof(tag)) != 0) {
		return NODE_REPLY_NOW;
	}
	if (pg.alen > 0) {
		memcpy(after, pg.after + sizeof(tag), pg.alen - sizeof(tag));
		after[pg.alen - sizeof(tag)] = '\0';
		if (strlen(after) != pg.alen - sizeof(tag)) {
			node__page_bad_cursor(c); /* a NUL inside */
			return NODE_REPLY_NOW;
		}
	}
	lr = malloc(sizeof(*lr));
	if (lr == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__catalog_list_resp__init(lr);
	c->resp->body_case = OW__RESPONSE__BODY_CATALOG_LIST;
	c->resp->catalog_list = lr;
	lr->matters = calloc(pg.limit, sizeof(*lr->matters));
	if (lr->matters == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	for (size_t i = 0; i < cat->n; i++) {
		const struct form_matter *m = cat->items[i];
		char key[NODE_CURSOR_MAX];
		size_t klen = strlen(m->code);
		Ow__MatterInfo *mi;

		if ((pg.alen > 0 && strcmp(m->code, after) <= 0) ||
		    klen + sizeof(tag) > sizeof(key)) {
			continue;
		}
		if (node__page_full(&pg)) {
			break;
		}
		mi = malloc(sizeof(*mi));
		if (mi == NULL) {
			node__fail(c->resp, CM_ENOMEM);
			return NODE_REPLY_NOW;
		}
		ow__matter_info__init(mi);
		mi->code = node__dup(m->code);
		mi->version = (uint32_t)m->version;
		mi->name_zh = node__dup(m->name.zh);
		mi->name_en = node__dup(m->name.en);
		memcpy(key, tag, sizeof(tag));
		memcpy(key + sizeof(tag), m->code, klen);
		if (!node__page_take(&pg, ow__matter_info__get_packed_size(mi),
		        key, klen + sizeof(tag))) {
			ow__matter_info__free_unpacked(mi, NULL);
			break;
		}
		lr->matters[lr->n_matters++] = mi;
	}
	lr->next = node__page_next(&pg);
	return NODE_REPLY_NOW;
}

enum node_disp
node__h_catalog_show(struct call *c)
{
	const Ow__CatalogShowReq *r = c->req->catalog_show;
	const struct form_matter *m = form_catalog_find(&c->n->cat, r->code);
	unsigned version = r->version != 0 ? r->version
	                   : m != NULL     ? (unsigned)m->version
	                                   : 0;
	char key[64];
	void *json = NULL;
	size_t len = 0;
	Ow__CatalogShowResp *sr;
	int rc;

	snprintf(key, sizeof(key), "m/%s/%06u", r->code, version);
	rc = node_store_get(
	    c->n->st, NODE_CF_CATALOG, key, strlen(key), &json, &len);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	sr = malloc(sizeof(*sr));
	if (sr == NULL) {
		cm_free(json);
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__catalog_show_resp__init(sr);
	sr->matter_json.data = malloc(len > 0 ? len : 1);
	if (sr->matter_json.data != NULL) {
		memcpy(sr->matter_json.data, json, len);
		sr->matter_json.len = len;
	}
	cm_free(json);
	c->resp->body_case = OW__RESPONSE__BODY_CATALOG_SHOW;
	c->resp->catalog_show = sr;
	return NODE_REPLY_NOW;
}

/* A loader's messages (a file refused), each with "line:col" as the
 * field and code as the problem's code. */
static void
diag_problems(Ow__Response *resp, const struct form_diags *d, const char *code)
{
	resp->problems = calloc(d->n + 1, sizeof(*resp->problems));
	for (size_t i = 0; resp->problems != NULL && i < d->n; i++) {
		Ow__Problem *p = malloc(sizeof(*p));
		char where[32];

		if (p == NULL) {
			break;
		}
		ow__problem__init(p);
		snprintf(where, sizeof(where), "%d:%d", d->items[i].line,
		    d->items[i].col);
		p->field = node__dup(where);
		p->code = node__dup(code);
		p->message = node__dup(d->items[i].msg);
		resp->problems[resp->n_problems++] = p;
	}
}

enum node_disp
node__h_catalog_publish(struct call *c)
{
	const Ow__CatalogPublishReq *r = c->req->catalog_publish;
	struct form_diags d;
	struct form_matter *m = NULL;
	const struct form_matter *cur;
	int rc;

	form_diags_init(&d);
	rc = form_matter_parse("publish", (const char *)r->matter_json.data,
	    r->matter_json.len, &m, &d);
	if (rc != 0) {
		/* The loader's messages, with line and column, as problems. */
		diag_problems(c->resp, &d, "CATALOG");
		form_diags_free(&d);
		node__fail(c->resp, rc == CM_ENOMEM ? rc : CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	form_diags_free(&d);
	cur = form_catalog_find(&c->n->cat, m->code);
	if (cur != NULL && m->version <= cur->version) {
		/* Cases keep the version they were taken in under: a
		 * published version is never replaced in place. */
		form_matter_free(m);
		node__fail(c->resp, CM_EEXIST);
		return NODE_REPLY_NOW;
	}
	rc = node_catalog_put(c->n, m->code, (unsigned)m->version,
	    (const char *)r->matter_json.data, r->matter_json.len,
	    c->sess->user);
	if (rc == 0) {
		/* In force for new cases at once. */
		for (size_t i = 0; i < c->n->cat.n; i++) {
			if (strcmp(c->n->cat.items[i]->code, m->code) == 0) {
				form_matter_free(c->n->cat.items[i]);
				c->n->cat.items[i] = m;
				m = NULL;
				break;
			}
		}
		if (m != NULL) {
			struct form_matter **items = cm_reallocarray(
			    c->n->cat.items, c->n->cat.n + 1, sizeof(*items));

			if (items != NULL) {
				c->n->cat.items = items;
				c->n->cat.items[c->n->cat.n++] = m;
				c->n->cat.cap = c->n->cat.n;
				m = NULL;
				form_catalog_sort(&c->n->cat);
			}
		}
		cm_log_info("catalog.published", "by=%s", c->sess->user);
	}
	form_matter_free(m);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_AFTER_BATCH;
}

/* ---- queue -------------------------------------------------------------- */

static Ow__Ticket *
ticket_msg(const struct node_ticket *t)
{
	Ow__Ticket *m = malloc(sizeof(*m));

	if (m == NULL) {
		return NULL;
	}
	ow__ticket__init(m);
	m->number = node__dup(t->number);
	m->category = node__dup(
	    t->cat == NODE_TICKET_ENTERPRISE ? "enterprise" : "individual");
	m->priority = t->priority;
	m->state = t->state;
	m->window = node__dup(t->window);
	m->issued_at = t->issued_at;
	m->called_at = t->called_at;
	m->served_at = t->served_at;
	m->case_id = node__dup(t->case_id);
	m->seq = t->seq;
	return m;
}

/* A ticket's key in the local column family, "t/<day>/<seq>": also the
 * queue's cursor. */
static void
ticket_key(int32_t day, uint32_t seq, char key[32])
{
	snprintf(key, 32, "t/%08d/%06u", (int)day, seq);
}

static int
save_ticket(struct node *n, const struct node_ticket *t)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char key[32];
	int rc;

	rc = node_open_batch(n);
	if (rc != 0) {
		return rc;
	}
	rc = node_ticket_encode(t, n->queue.day, &buf, &len);
	if (rc != 0) {
		return rc;
	}
	ticket_key(n->queue.day, t->seq, key);
	node_batch_put(
	    n->open.batch, NODE_CF_LOCAL, key, strlen(key), buf, len);
	cm_free(buf);
	return 0;
}

static void
publish_queue(struct node *n)
{
	Ow__Event ev = OW__EVENT__INIT;

	ev.kind = (char *)(uintptr_t) "queue";
	ev.hall = n->hall_code;
	node_publish(n, &ev);
}

static enum node_disp
ticket_reply(struct call *c, int rc, const struct node_ticket *t)
{
	Ow__TicketResp *tr;

	if (rc == 0) {
		rc = save_ticket(c->n, t);
	}
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	tr = malloc(sizeof(*tr));
	if (tr != NULL) {
		ow__ticket_resp__init(tr);
		tr->ticket = ticket_msg(t);
		c->resp->body_case = OW__RESPONSE__BODY_TICKET;
		c->resp->ticket = tr;
	}
	publish_queue(c->n);
	return NODE_REPLY_AFTER_BATCH;
}

enum node_disp
node__h_queue_issue(struct call *c)
{
	const Ow__QueueIssueReq *r = c->req->queue_issue;
	struct node_ticket *t = NULL;
	Ow__QueueIssueResp *ir;
	enum node_ticket_cat cat;
	int rc;

	if (strcmp(r->category, "enterprise") == 0) {
		cat = NODE_TICKET_ENTERPRISE;
	} else if (strcmp(r->category, "individual") == 0 ||
	           r->category[0] == '\0') {
		cat = NODE_TICKET_INDIVIDUAL;
	} else {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	rc = node_queue_issue(
	    &c->n->queue, cat, r->priority, node_now(c->n), &t);
	if (rc == 0) {
		rc = save_ticket(c->n, t);
	}
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	ir = malloc(sizeof(*ir));
	if (ir != NULL) {
		ow__queue_issue_resp__init(ir);
		ir->ticket = ticket_msg(t);
		ir->waiting_before =
		    (uint32_t)node_queue_ahead(&c->n->queue, t->number);
		c->resp->body_case = OW__RESPONSE__BODY_QUEUE_ISSUE;
		c->resp->queue_issue = ir;
	}
	publish_queue(c->n);
	return NODE_REPLY_AFTER_BATCH;
}

enum node_disp
node__h_queue_next(struct call *c)
{
	const Ow__QueueNextReq *r = c->req->queue_next;
	const char *window = r->window[0] != '\0' ? r->window : c->sess->window;
	struct node_ticket *t = NULL;
	int cat = -1, rc;

	if (strcmp(r->category, "individual") == 0) {
		cat = NODE_TICKET_INDIVIDUAL;
	} else if (strcmp(r->category, "enterprise") == 0) {
		cat = NODE_TICKET_ENTERPRISE;
	}
	rc = node_queue_next(&c->n->queue, window, cat, node_now(c->n), &t);
	return ticket_reply(c, rc, t);
}

enum node_disp
node__h_queue_ticket(struct call *c)
{
	const Ow__QueueTicketReq *r = c->req->queue_ticket;
	struct node_queue *q = &c->n->queue;
	struct node_ticket *t = NULL;
	const char *window = r->window[0] != '\0' ? r->window : c->sess->window;
	int rc;

	if (strcmp(r->op, "skip") == 0) {
		rc = node_queue_skip(q, r->number, &t);
	} else if (strcmp(r->op, "recall") == 0) {
		rc =
		    node_queue_recall(q, r->number, window, node_now(c->n), &t);
	} else if (strcmp(r->op, "transfer") == 0) {
		rc = node_queue_transfer(q, r->number, r->window, &t);
	} else if (strcmp(r->op, "link") == 0) {
		rc = node_queue_link(
		    q, r->number, r->case_id, node_now(c->n), &t);
	} else {
		rc = CM_EINVAL;
	}
	return ticket_reply(c, rc, t);
}

enum node_disp
node__h_queue_list(struct call *c)
{
	const Ow__QueueListReq *r = c->req->queue_list;
	const struct node_queue *q = &c->n->queue;
	static const char tag[2] = {'t', '/'};
	struct node_page pg;
	uint32_t after_seq = 0;
	Ow__QueueListResp *lr;

	if (node__page_begin(c, &pg, NODE_LIST_QUEUE, r->limit, r->after, tag,
	        sizeof(tag)) != 0) {
		return NODE_REPLY_NOW;
	}
	if (pg.alen > 0) {
		char want[32], key[32];
		int day = 0;
		unsigned seq = 0;

		/* Exactly a ticket key of today's queue: a cursor of another
		 * day belongs to a queue that is gone (tickets are for one
		 * day), and the client starts again. */
		memcpy(want, pg.after, pg.alen < 31 ? pg.alen : 31);
		want[pg.alen < 31 ? pg.alen : 31] = '\0';
		if (sscanf(want, "t/%8d/%6u", &day, &seq) != 2) {
			day = -1;
		}
		ticket_key(day, seq, key);
		if (pg.alen >= 31 || strcmp(key, want) != 0 || day != q->day ||
		    seq == 0) {
			node__page_bad_cursor(c);
			return NODE_REPLY_NOW;
		}
		after_seq = seq;
	}
	lr = malloc(sizeof(*lr));
	if (lr == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__queue_list_resp__init(lr);
	c->resp->body_case = OW__RESPONSE__BODY_QUEUE_LIST;
	c->resp->queue_list = lr;
	lr->tickets = calloc(pg.limit, sizeof(*lr->tickets));
	if (lr->tickets == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	/* The tickets are kept in issue order (ascending seq). */
	for (size_t i = 0; i < q->n; i++) {
		Ow__Ticket *t;
		char key[32];

		if (q->t[i].seq <= after_seq) {
			continue;
		}
		if (node__page_full(&pg)) {
			break;
		}
		t = ticket_msg(&q->t[i]);
		if (t == NULL) {
			node__fail(c->resp, CM_ENOMEM);
			return NODE_REPLY_NOW;
		}
		ticket_key(q->day, q->t[i].seq, key);
		if (!node__page_take(&pg, ow__ticket__get_packed_size(t), key,
		        strlen(key))) {
			ow__ticket__free_unpacked(t, NULL);
			break;
		}
		lr->tickets[lr->n_tickets++] = t;
	}
	lr->next = node__page_next(&pg);
	return NODE_REPLY_NOW;
}

/* ---- audit -------------------------------------------------------------- */

/*
 * The audit reads the whole log: on a worker thread, so that a hall with
 * a million ops keeps serving while an auditor checks it (RocksDB
 * iterators read a snapshot and are safe beside the loop's writes).
 */
struct audit_job {
	uv_work_t w;
	struct node *n;
	struct node_slot *slot;
	char request_id[80];
	uint64_t durable_seq; /* what the log must reach at least */
	Ow__AuditVerifyResp *ar;
	int rc;
	struct node_origin_key *keys; /* this node's and its peers' */
	size_t nkeys;
};

/* Problems listed at most: a log broken throughout must still get an
 * answer under NODE_RESP_MAX (each is under 200 bytes); problems_total
 * counts them all. */
#define AUDIT_PROBLEMS_MAX 1000

static void
audit_problem(Ow__AuditVerifyResp *ar, size_t *cap, const char *text)
{
	ar->problems_total++;
	if (ar->n_problems >= AUDIT_PROBLEMS_MAX) {
		return;
	}
	if (ar->n_problems == *cap) {
		size_t ncap = *cap == 0 ? 8 : *cap * 2;
		char **np = realloc(ar->problems, ncap * sizeof(*np));

		if (np == NULL) {
			return;
		}
		ar->problems = np;
		*cap = ncap;
	}
	ar->problems[ar->n_problems++] = node__dup(text);
}

static const unsigned char *
audit_key(const struct audit_job *j, const char *origin)
{
	for (size_t i = 0; i < j->nkeys; i++) {
		if (strcmp(j->keys[i].origin, origin) == 0) {
			return j->keys[i].pk;
		}
	}
	return NULL;
}

/*
 * Every op in the log, origin by origin (the log key sorts them so):
 * the origin's signature, its hash chain, no gap; and this node's own
 * log reaches every op it acknowledged.
 */
static void
audit_work(uv_work_t *w)
{
	struct audit_job *j = w->data;
	struct node *n = j->n;
	struct node_iter *it = NULL;
	unsigned char head[NODE_HASH_BYTES] = {0};
	char cur[NODE_ORIGIN_MAX + 1] = "";
	const unsigned char *pk = NULL;
	uint64_t seq = 0, own_seq = 0, floor = 0;
	Ow__AuditVerifyResp *ar = j->ar;
	char problem[200];
	size_t cap = 0;

	j->rc = node_iter_new(n->st, NODE_CF_LOG, NULL, 0, &it);
	for (; j->rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t klen, vlen;
		const void *key = node_iter_key(it, &klen);
		const void *val = node_iter_value(it, &vlen);
		char origin[NODE_ORIGIN_MAX + 1];
		uint64_t kseq;
		Ow__Op *op = NULL;
		unsigned char hash[NODE_HASH_BYTES];
		int orc;

		if (node_log_key_parse(key, klen, origin, &kseq) != 0) {
			audit_problem(
			    ar, &cap, "a log key that is not (origin, seq)");
			ar->ops++;
			continue;
		}
		if (strcmp(origin, cur) != 0) {
			if (strcmp(cur, n->node_id) == 0) {
				own_seq = seq;
			}
			snprintf(cur, sizeof(cur), "%s", origin);
			memset(head, 0, sizeof(head));
			seq = 0;
			floor = node_floor_read(n->st, origin);
			ar->origins++;
			pk = audit_key(j, origin);
			if (pk == NULL) {
				snprintf(problem, sizeof(problem),
				    "%s: no registered key (peer add)", origin);
				audit_problem(ar, &cap, problem);
			}
		}
		ar->ops++;
		if (pk == NULL) {
			continue;
		}
		orc = node_op_open(val, vlen, pk, &op, hash);
		if (orc == 0 &&
		    (strcmp(op->origin, origin) != 0 || op->seq != kseq)) {
			orc = CM_EPROTO; /* filed under another key */
		}
		if (orc == 0 && op->seq > seq + 1 && op->seq - 1 <= floor) {
			/* After ops compaction dropped (sealed cases kept on
			 * their base): the chain resumes here, unchecked
			 * across the gap; the signature still holds. */
			ar->compacted += op->seq - seq - 1;
		} else if (orc == 0) {
			orc = node_op_chain_check(op, seq, head);
		}
		if (orc != 0) {
			snprintf(problem, sizeof(problem), "%s seq %llu: %s",
			    origin, (unsigned long long)(seq + 1),
			    cm_err_name(orc));
			audit_problem(ar, &cap, problem);
		}
		if (op != NULL) {
			seq = op->seq;
			memcpy(head, hash, sizeof(head));
			ow__op__free_unpacked(op, NULL);
		}
	}
	if (strcmp(cur, n->node_id) == 0) {
		own_seq = seq;
	}
	if (it != NULL) {
		node_iter_free(it);
	}
	/* The tail of its own ops may be compacted too. */
	floor = node_floor_read(n->st, n->node_id);
	own_seq = own_seq > floor ? own_seq : floor;
	if (j->rc == 0 && own_seq < j->durable_seq) {
		snprintf(problem, sizeof(problem),
		    "%s: the log ends at seq %llu, but %llu were acknowledged",
		    n->node_id, (unsigned long long)own_seq,
		    (unsigned long long)j->durable_seq);
		audit_problem(ar, &cap, problem);
	}
}

static void
audit_done(uv_work_t *w, int status)
{
	struct audit_job *j = w->data;
	Ow__Response resp = OW__RESPONSE__INIT;

	node_job_done(j->n);
	resp.version = 1;
	resp.request_id = j->request_id;
	resp.status = status != 0 ? CM_EINTERNAL : j->rc;
	resp.body_case = OW__RESPONSE__BODY_AUDIT_VERIFY;
	resp.audit_verify = j->ar;
	node_finish_async(j->n, j->slot, &resp, NODE_REPLY_NOW);
	cm_free(j->keys);
	cm_free(j);
}

enum node_disp
node__h_audit_verify(struct call *c)
{
	struct audit_job *j = cm_calloc(1, sizeof(*j));

	if (j != NULL) {
		j->ar = malloc(sizeof(*j->ar));
	}
	if (j == NULL || j->ar == NULL) {
		cm_free(j);
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__audit_verify_resp__init(j->ar);
	j->n = c->n;
	j->slot = c->slot;
	j->durable_seq = c->n->durable_seq;
	if (node_origin_keys(c->n, &j->keys, &j->nkeys) != 0) {
		free(j->ar);
		cm_free(j);
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	snprintf(
	    j->request_id, sizeof(j->request_id), "%s", c->req->request_id);
	j->w.data = j;
	if (node_queue_job(c->n, &j->w, audit_work, audit_done) != 0) {
		free(j->ar);
		cm_free(j->keys);
		cm_free(j);
		node__fail(c->resp, CM_EINTERNAL);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_LATER;
}

/* ---- calendar ----------------------------------------------------------- */

/*
 * A working-day calendar file (a new year's schedule, a correction):
 * checked like the bundled ones, stored under its name (replacing one of
 * the same name), in force once durable, and sent to the other halls as
 * an op (OP_CALENDAR_PUT; the latest import of a name wins everywhere).
 */
enum node_disp
node__h_calendar_import(struct call *c)
{
	struct node *n = c->n;
	const Ow__CalendarImportReq *r = c->req->calendar_import;
	Ow__Op op = OW__OP__INIT;
	Ow__CalendarPut body = OW__CALENDAR_PUT__INIT;
	struct form_diags d;
	struct node_mark mark;
	int rc;

	if (!node_calendar_name_ok(r->name)) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	form_diags_init(&d);
	rc = node_calendar_check(r->name, r->json.data, r->json.len, &d);
	if (rc != 0) {
		diag_problems(c->resp, &d, "CALENDAR");
		form_diags_free(&d);
		node__fail(c->resp, rc == CM_ENOMEM ? rc : CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	form_diags_free(&d);
	rc = node_write_mark(n, &mark);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	op.actor = c->sess->user;
	op.kind = OW__OP_KIND__OP_CALENDAR_PUT;
	op.body_case = OW__OP__BODY_CALENDAR;
	op.calendar = &body;
	body.name = r->name;
	body.json = r->json;
	rc = node_write_op(n, &op);
	if (rc != 0) {
		node_write_rollback(n, &mark);
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	node_write_unmark(n);
	node_calendar_store(n, r->name, r->json.data, r->json.len);
	node_lww_stamp(n, "cal", r->name, op.hlc, n->node_id);
	n->forms_reload_gen = n->open.id;
	cm_log_info(
	    "calendar.imported", "name=%s by=%s", r->name, c->sess->user);
	return NODE_REPLY_AFTER_BATCH;
}
