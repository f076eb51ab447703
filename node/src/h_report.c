/*
 * h_report.c: what supervisors ask of the whole store: reports per hall,
 * clerk or matter over a range of days, and the dashboard of one hall.
 *
 * A report reads every case and its ops: on a worker thread (iterators
 * read a snapshot, safe beside the loop's writes), which keeps only the
 * facts of the cases with an event in the range. The deadlines of the
 * cases completed in the range need the calendar and the matters, which
 * belong to the loop: they are computed in the after-work callback.
 *
 * The dashboard reads, on a worker too, the hall's open cases through the
 * state index with the warning level kept beside each (set when the case
 * changes, and daily by the warning sweep for this node's own hall), its
 * bad ratings waiting for a follow-up through their index, and the last
 * two days of every origin's log (today's work per clerk).
 */
#include "handlers.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/hlc.h"
#include "common/i18n.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPORT_MAX_DAYS 366

enum report_by { BY_HALL, BY_CLERK, BY_MATTER };

/* The local day of an HLC stamp (a rating has no day of its own). */
static int32_t
hlc_day(uint64_t hlc)
{
	time_t t = (time_t)((hlc >> 16) / 1000);
	struct tm tm;
	int32_t day = 0;

	localtime_r(&t, &tm);
	cm_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &day);
	return day;
}

/* The op an index key 'h' of a case names (NULL: unreadable). */
static Ow__Op *
read_case_op(struct node_store *st, const uint8_t *k, size_t kl, size_t plen)
{
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq;

	return node_hkey_split(k, kl, plen, origin, &seq)
	           ? node_log_op_unchecked(st, origin, seq)
	           : NULL;
}

/* ---- reports ------------------------------------------------------------ */

/* What a case did in the range. */
struct rep_case {
	char key[64];
	bool taken_in, gaps, gaps_filled, refused;
	bool rated;
	uint32_t level;
	int32_t decided; /* day of the decision in the range, 0 none */
	Ow__Case *cs;    /* kept when decided (its deadline) */
};

struct rep_ticket {
	char key[64];
	bool called;
	uint64_t wait;
};

struct report_job {
	uv_work_t w;
	struct node *n;
	struct node_slot *slot;
	char request_id[80];
	int32_t from, to;
	enum report_by by;
	char hall[NODE_HALL_CODE_MAX]; /* filter, "" none */
	char own_hall[NODE_HALL_CODE_MAX];
	struct rep_case *cases;
	size_t ncases, cap;
	struct rep_ticket *tickets;
	size_t ntickets, tcap;
	uint64_t read;
	int rc;
};

static void
group_key(const struct report_job *j, const Ow__Case *cs, char out[64])
{
	const char *k = j->by == BY_HALL    ? cs->hall
	                : j->by == BY_CLERK ? cs->assignee
	                                    : cs->matter;

	snprintf(out, 64, "%s", k != NULL ? k : "");
}

static bool
in_range(const struct report_job *j, int32_t day)
{
	return day >= j->from && day <= j->to;
}

/* The facts of one case from its ops; false when nothing of it falls in
 * the range. */
static bool
case_facts(struct report_job *j, const Ow__Case *cs, struct rep_case *rc)
{
	uint8_t prefix[NODE_CASE_ID_MAX + 4];
	struct node_iter *it = NULL;
	size_t plen;
	uint32_t created_state = cs->state;

	memset(rc, 0, sizeof(*rc));
	if (strlen(cs->id) >= NODE_CASE_ID_MAX) {
		return false;
	}
	plen = node_index_prefix('h', cs->id, NULL, prefix, sizeof(prefix) - 1);
	prefix[plen++] = 0;
	if (node_iter_new(j->n->st, NODE_CF_IDX, prefix, plen, &it) != 0) {
		return false;
	}
	for (; node_iter_valid(it); node_iter_next(it)) {
		size_t kl;
		const uint8_t *k = node_iter_key(it, &kl);
		Ow__Op *op = read_case_op(j->n->st, k, kl, plen);

		if (op == NULL) {
			continue;
		}
		if (op->body_case == OW__OP__BODY_CREATE &&
		    op->create->initial != NULL) {
			created_state = op->create->initial->state;
		} else if (op->body_case == OW__OP__BODY_ACT) {
			const Ow__CaseAct *a = op->act;

			if ((a->action == NODE_ACT_APPROVE ||
			        a->action == NODE_ACT_REJECT) &&
			    in_range(j, a->day)) {
				rc->decided = a->day; /* the latest counts */
			} else if (a->action == NODE_ACT_REFUSE &&
			           in_range(j, a->day)) {
				rc->refused = true;
			} else if (a->action == NODE_ACT_GAPS_FILLED) {
				rc->gaps_filled = true;
			}
		} else if (op->body_case == OW__OP__BODY_RATE &&
		           op->rate != NULL && in_range(j, hlc_day(op->hlc))) {
			rc->rated = true;
			rc->level = op->rate->level;
		}
		ow__op__free_unpacked(op, NULL);
	}
	node_iter_free(it);
	/* A sealed case kept on its base: the facts of the ops it replaced
	 * (read after the ops: a compaction between the two reads counts
	 * some twice, which changes none of these). */
	{
		Ow__CaseBase *b = NULL;

		if (node_base_read(j->n->st, cs->id, &b) == 0) {
			created_state = b->created_state;
			for (size_t i = 0; i < b->n_decided_days; i++) {
				int32_t d = b->decided_days[i];

				if (in_range(j, d) && d > rc->decided) {
					rc->decided = d;
				}
			}
			for (size_t i = 0; i < b->n_refused_days; i++) {
				rc->refused = rc->refused ||
				              in_range(j, b->refused_days[i]);
			}
			rc->gaps_filled = rc->gaps_filled || b->gaps_filled;
			if (b->rated_hlc != 0 &&
			    in_range(j, hlc_day(b->rated_hlc))) {
				rc->rated = true;
				rc->level = b->rated_level;
			}
			ow__case_base__free_unpacked(b, NULL);
		}
	}
	if (in_range(j, cs->received_day)) {
		rc->taken_in = true;
		rc->gaps = created_state == NODE_ST_ACCEPTED_GAPS;
		/* Refused at intake: the case was made refused. */
		if (created_state == NODE_ST_REFUSED) {
			rc->refused = true;
		}
	}
	if (!rc->gaps) {
		rc->gaps_filled = false;
	}
	group_key(j, cs, rc->key);
	return rc->taken_in || rc->refused || rc->decided != 0 || rc->rated;
}

static int
push_case(struct report_job *j, const struct rep_case *rc)
{
	if (j->ncases == j->cap) {
		size_t ncap = j->cap == 0 ? 256 : j->cap * 2;
		struct rep_case *nc = cm_realloc(j->cases, ncap * sizeof(*nc));

		if (nc == NULL) {
			return CM_ENOMEM;
		}
		j->cases = nc;
		j->cap = ncap;
	}
	j->cases[j->ncases++] = *rc;
	return 0;
}

/* The hall's tickets of the range (this node's queue only). */
static int
report_tickets(struct report_job *j)
{
	struct node_iter *it = NULL;
	char from[32];
	int rc;

	if (j->hall[0] != '\0' && strcmp(j->hall, j->own_hall) != 0) {
		return 0;
	}
	rc = node_iter_new(j->n->st, NODE_CF_LOCAL, "t/", 2, &it);
	if (rc != 0) {
		return rc;
	}
	snprintf(from, sizeof(from), "t/%08d/", (int)j->from);
	node_iter_seek(it, from, strlen(from));
	for (; node_iter_valid(it); node_iter_next(it)) {
		size_t kl, vl;
		const char *k = node_iter_key(it, &kl);
		const void *v = node_iter_value(it, &vl);
		char kb[32];
		int day = 0;
		unsigned seq = 0;
		Ow__Ticket *t;
		struct rep_ticket rt;

		if (kl >= sizeof(kb)) {
			continue;
		}
		memcpy(kb, k, kl);
		kb[kl] = '\0';
		if (sscanf(kb, "t/%8d/%6u", &day, &seq) != 2) {
			continue;
		}
		if (day > j->to) {
			break;
		}
		t = ow__ticket__unpack(NULL, vl, v);
		if (t == NULL) {
			continue;
		}
		memset(&rt, 0, sizeof(rt));
		if (j->by == BY_HALL) {
			snprintf(rt.key, sizeof(rt.key), "%s", j->own_hall);
		} else if (t->case_id[0] != '\0') {
			void *cv = NULL;
			size_t cl;
			Ow__Case *cs = NULL;

			if (node_store_get(j->n->st, NODE_CF_CASE, t->case_id,
			        strlen(t->case_id), &cv, &cl) == 0) {
				cs = ow__case__unpack(NULL, cl, cv);
				cm_free(cv);
			}
			if (cs != NULL) {
				group_key(j, cs, rt.key);
				ow__case__free_unpacked(cs, NULL);
			}
		}
		if (t->called_at > 0 && t->issued_at > 0 &&
		    t->called_at >= t->issued_at) {
			rt.called = true;
			rt.wait = (uint64_t)(t->called_at - t->issued_at);
		}
		ow__ticket__free_unpacked(t, NULL);
		if (j->ntickets == j->tcap) {
			size_t ncap = j->tcap == 0 ? 256 : j->tcap * 2;
			struct rep_ticket *nt =
			    cm_realloc(j->tickets, ncap * sizeof(*nt));

			if (nt == NULL) {
				rc = CM_ENOMEM;
				break;
			}
			j->tickets = nt;
			j->tcap = ncap;
		}
		j->tickets[j->ntickets++] = rt;
	}
	if (rc == 0) {
		rc = node_iter_status(it);
	}
	node_iter_free(it);
	return rc;
}

static void
report_work(uv_work_t *w)
{
	struct report_job *j = w->data;
	struct node_iter *it = NULL;

	j->rc = node_iter_new(j->n->st, NODE_CF_CASE, NULL, 0, &it);
	for (; j->rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t vl;
		const void *v = node_iter_value(it, &vl);
		Ow__Case *cs = ow__case__unpack(NULL, vl, v);
		struct rep_case rc;

		if (cs == NULL) {
			continue;
		}
		j->read++;
		if ((j->hall[0] == '\0' || strcmp(cs->hall, j->hall) == 0) &&
		    case_facts(j, cs, &rc)) {
			if (rc.decided != 0) {
				rc.cs = cs;
				cs = NULL;
			}
			j->rc = push_case(j, &rc);
			if (j->rc != 0 && rc.cs != NULL) {
				ow__case__free_unpacked(rc.cs, NULL);
			}
		}
		if (cs != NULL) {
			ow__case__free_unpacked(cs, NULL);
		}
	}
	if (j->rc == 0 && it != NULL) {
		j->rc = node_iter_status(it);
	}
	if (it != NULL) {
		node_iter_free(it);
	}
	if (j->rc == 0) {
		j->rc = report_tickets(j);
	}
}

/* The row of key in resp (made when missing); NULL out of memory. */
static Ow__ReportRow *
report_row(Ow__ReportResp *r, size_t *cap, const char *key)
{
	Ow__ReportRow *row;

	for (size_t i = 0; i < r->n_rows; i++) {
		if (strcmp(r->rows[i]->key, key) == 0) {
			return r->rows[i];
		}
	}
	if (r->n_rows == *cap) {
		size_t ncap = *cap == 0 ? 16 : *cap * 2;
		Ow__ReportRow **nr = realloc(r->rows, ncap * sizeof(*nr));

		if (nr == NULL) {
			return NULL;
		}
		r->rows = nr;
		*cap = ncap;
	}
	row = malloc(sizeof(*row));
	if (row == NULL) {
		return NULL;
	}
	ow__report_row__init(row);
	row->key = node__dup(key);
	r->rows[r->n_rows++] = row;
	return row;
}

static int
row_cmp(const void *a, const void *b)
{
	const Ow__ReportRow *x = *(Ow__ReportRow *const *)a;
	const Ow__ReportRow *y = *(Ow__ReportRow *const *)b;

	return strcmp(x->key, y->key);
}

static void
row_add(Ow__ReportRow *t, const Ow__ReportRow *r)
{
	t->taken_in += r->taken_in;
	t->completed += r->completed;
	t->on_time_promised += r->on_time_promised;
	t->on_time_legal += r->on_time_legal;
	t->working_days += r->working_days;
	t->refused += r->refused;
	t->gaps += r->gaps;
	t->gaps_filled += r->gaps_filled;
	t->ratings += r->ratings;
	t->ratings_bad += r->ratings_bad;
	t->rating_sum += r->rating_sum;
	t->tickets += r->tickets;
	t->tickets_called += r->tickets_called;
	t->wait_seconds += r->wait_seconds;
	if (r->wait_max > t->wait_max) {
		t->wait_max = r->wait_max;
	}
}

/* Fold the facts into rows (the loop: deadlines need the calendar). */
static int
report_fold(struct report_job *j, Ow__ReportResp *r)
{
	size_t cap = 0;

	for (size_t i = 0; i < j->ncases; i++) {
		const struct rep_case *c = &j->cases[i];
		Ow__ReportRow *row = report_row(r, &cap, c->key);

		if (row == NULL) {
			return CM_ENOMEM;
		}
		row->taken_in += c->taken_in;
		row->refused += c->refused;
		row->gaps += c->gaps;
		row->gaps_filled += c->gaps_filled;
		if (c->rated) {
			row->ratings++;
			row->rating_sum += c->level;
			row->ratings_bad += c->level <= 2;
		}
		if (c->decided != 0 && c->cs != NULL) {
			struct form_matter *owned = NULL;
			const struct form_matter *m = node_matter_of(
			    j->n, c->cs->matter, c->cs->matter_version, &owned);
			struct form_deadline dl;

			row->completed++;
			if (m != NULL &&
			    node_case_deadline(j->n->cal, m, c->cs, c->decided,
			        &j->n->thresholds, &dl) == 0) {
				row->on_time_promised +=
				    c->decided <= dl.promised_due;
				row->on_time_legal +=
				    c->decided <= dl.legal_due;
				row->working_days += (uint32_t)dl.used;
			}
			form_matter_free(owned);
		}
	}
	for (size_t i = 0; i < j->ntickets; i++) {
		const struct rep_ticket *t = &j->tickets[i];
		Ow__ReportRow *row = report_row(r, &cap, t->key);

		if (row == NULL) {
			return CM_ENOMEM;
		}
		row->tickets++;
		if (t->called) {
			row->tickets_called++;
			row->wait_seconds += t->wait;
			if (t->wait > row->wait_max) {
				row->wait_max = t->wait;
			}
		}
	}
	if (r->n_rows > 1) {
		qsort(r->rows, r->n_rows, sizeof(*r->rows), row_cmp);
	}
	r->total = malloc(sizeof(*r->total));
	if (r->total == NULL) {
		return CM_ENOMEM;
	}
	ow__report_row__init(r->total);
	for (size_t i = 0; i < r->n_rows; i++) {
		row_add(r->total, r->rows[i]);
	}
	r->cases_read = j->read;
	return 0;
}

static void
report_free(struct report_job *j)
{
	for (size_t i = 0; i < j->ncases; i++) {
		if (j->cases[i].cs != NULL) {
			ow__case__free_unpacked(j->cases[i].cs, NULL);
		}
	}
	cm_free(j->cases);
	cm_free(j->tickets);
	cm_free(j);
}

static void
report_done(uv_work_t *w, int status)
{
	struct report_job *j = w->data;
	Ow__Response resp = OW__RESPONSE__INIT;
	Ow__ReportResp *r = malloc(sizeof(*r));
	int rc = status != 0 ? CM_EINTERNAL : j->rc;

	node_job_done(j->n);
	if (r == NULL) {
		rc = CM_ENOMEM;
	} else {
		ow__report_resp__init(r);
		if (rc == 0) {
			rc = report_fold(j, r);
		}
	}
	resp.version = 1;
	resp.request_id = j->request_id;
	resp.status = rc;
	if (rc == 0) {
		resp.body_case = OW__RESPONSE__BODY_REPORT;
		resp.report = r;
	}
	node_finish_async(j->n, j->slot, &resp, NODE_REPLY_NOW);
	if (r != NULL && rc != 0) {
		ow__report_resp__free_unpacked(r, NULL);
	}
	report_free(j);
}

static void
bad_field(Ow__Response *resp, const char *field, const char *msg)
{
	Ow__Problem *p = malloc(sizeof(*p));

	node__fail(resp, CM_EINVAL);
	if (p == NULL) {
		return;
	}
	ow__problem__init(p);
	p->field = node__dup(field);
	p->message = node__dup(msg);
	resp->problems = malloc(sizeof(*resp->problems));
	if (resp->problems == NULL) {
		ow__problem__free_unpacked(p, NULL);
		return;
	}
	resp->problems[0] = p;
	resp->n_problems = 1;
}

enum node_disp
node__h_report(struct call *c)
{
	const Ow__ReportReq *r = c->req->report;
	struct report_job *j;
	int32_t from, to;
	enum report_by by;

	if (cm_date_parse(r->from, &from) != 0) {
		bad_field(c->resp, "from", _("a date, YYYY-MM-DD"));
		return NODE_REPLY_NOW;
	}
	if (cm_date_parse(r->to, &to) != 0) {
		bad_field(c->resp, "to", _("a date, YYYY-MM-DD"));
		return NODE_REPLY_NOW;
	}
	if (to < from || to - from >= REPORT_MAX_DAYS) {
		bad_field(c->resp, "to",
		    _("on or after the first day, at most 366 days in all"));
		return NODE_REPLY_NOW;
	}
	if (strcmp(r->by, "hall") == 0) {
		by = BY_HALL;
	} else if (strcmp(r->by, "clerk") == 0) {
		by = BY_CLERK;
	} else if (strcmp(r->by, "matter") == 0) {
		by = BY_MATTER;
	} else {
		bad_field(c->resp, "by", _("one of hall, clerk, matter"));
		return NODE_REPLY_NOW;
	}
	if (strlen(r->hall) >= NODE_HALL_CODE_MAX) {
		bad_field(c->resp, "hall", _("not a hall code"));
		return NODE_REPLY_NOW;
	}
	j = cm_calloc(1, sizeof(*j));
	if (j == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	j->n = c->n;
	j->slot = c->slot;
	j->from = from;
	j->to = to;
	j->by = by;
	snprintf(j->hall, sizeof(j->hall), "%s", r->hall);
	snprintf(j->own_hall, sizeof(j->own_hall), "%s", c->n->hall_code);
	snprintf(
	    j->request_id, sizeof(j->request_id), "%s", c->req->request_id);
	j->w.data = j;
	if (node_queue_job(c->n, &j->w, report_work, report_done) != 0) {
		cm_free(j);
		node__fail(c->resp, CM_EINTERNAL);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_LATER;
}

/* ---- dashboard ---------------------------------------------------------- */

struct dash_pair {
	char actor[64];
	char id[NODE_CASE_ID_MAX];
};

struct dash_pairs {
	struct dash_pair *v;
	size_t n, cap;
};

static int
pairs_add(struct dash_pairs *p, const char *actor, const char *id)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap == 0 ? 64 : p->cap * 2;
		struct dash_pair *nv = cm_realloc(p->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			return CM_ENOMEM;
		}
		p->v = nv;
		p->cap = ncap;
	}
	snprintf(p->v[p->n].actor, sizeof(p->v[p->n].actor), "%s", actor);
	snprintf(p->v[p->n].id, sizeof(p->v[p->n].id), "%s", id);
	p->n++;
	return 0;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct dash_pair *x = a, *y = b;
	int c = strcmp(x->actor, y->actor);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* Sort and drop repeats. */
static void
pairs_unique(struct dash_pairs *p)
{
	size_t w = 0;

	if (p->n < 2) {
		return;
	}
	qsort(p->v, p->n, sizeof(*p->v), pair_cmp);
	for (size_t i = 1; i < p->n; i++) {
		if (pair_cmp(&p->v[w], &p->v[i]) != 0) {
			p->v[++w] = p->v[i];
		}
	}
	p->n = w + 1;
}

struct dash_job {
	uv_work_t w;
	struct node *n;
	struct node_slot *slot;
	char request_id[80];
	Ow__DashboardResp *d;
	size_t ccap; /* of d->clerks */
	int32_t today;
	uint64_t stop_hlc; /* log tails are read back to here */
	struct node_origin_key *origins;
	size_t norigins;
	int rc;
};

/* The row of a clerk (made when missing); NULL out of memory. */
static Ow__ClerkLoad *
clerk_row(Ow__DashboardResp *d, size_t *cap, const char *user)
{
	Ow__ClerkLoad *cl;

	for (size_t i = 0; i < d->n_clerks; i++) {
		if (strcmp(d->clerks[i]->user, user) == 0) {
			return d->clerks[i];
		}
	}
	if (d->n_clerks == *cap) {
		size_t ncap = *cap == 0 ? 16 : *cap * 2;
		Ow__ClerkLoad **nc = realloc(d->clerks, ncap * sizeof(*nc));

		if (nc == NULL) {
			return NULL;
		}
		d->clerks = nc;
		*cap = ncap;
	}
	cl = malloc(sizeof(*cl));
	if (cl == NULL) {
		return NULL;
	}
	ow__clerk_load__init(cl);
	cl->user = node__dup(user);
	d->clerks[d->n_clerks++] = cl;
	return cl;
}

static int
clerk_cmp(const void *a, const void *b)
{
	const Ow__ClerkLoad *x = *(Ow__ClerkLoad *const *)a;
	const Ow__ClerkLoad *y = *(Ow__ClerkLoad *const *)b;

	return strcmp(x->user, y->user);
}

/* The hall of an account, from the store ("" when unknown). */
static void
user_hall(struct node_store *st, const char *name, char *out, size_t size)
{
	void *v = NULL;
	size_t vl;
	Ow__UserPut *u = NULL;

	out[0] = '\0';
	if (node_store_get(st, NODE_CF_USER, name, strlen(name), &v, &vl) ==
	    0) {
		u = ow__user_put__unpack(NULL, vl, v);
		cm_free(v);
	}
	if (u != NULL) {
		snprintf(out, size, "%s", u->hall);
		ow__user_put__free_unpacked(u, NULL);
	}
}

static int dash_open(struct dash_job *j);

/* Every origin's recent ops, newest first, back to stop_hlc: the work
 * of today (cases taken in or moved on, by whom). */
static void
dash_work(uv_work_t *w)
{
	static const unsigned char nopk[NODE_PK_BYTES];
	struct dash_job *j = w->data;
	struct node_store *st = j->n->st;
	struct dash_pairs done = {0};

	/* The hall's open cases first (from a snapshot: the loop goes on). */
	j->rc = dash_open(j);
	char hall[NODE_HALL_CODE_MAX * 2];

	for (size_t o = 0; j->rc == 0 && o < j->norigins; o++) {
		uint8_t prefix[1 + NODE_ORIGIN_MAX];
		size_t plen = node_log_prefix(j->origins[o].origin, prefix);
		struct node_iter *it = NULL;

		if (plen == 0 ||
		    node_iter_new(st, NODE_CF_LOG, prefix, plen, &it) != 0) {
			continue;
		}
		node_iter_seek_last(it);
		for (; j->rc == 0 && node_iter_valid(it); node_iter_prev(it)) {
			size_t vl;
			const void *v = node_iter_value(it, &vl);
			unsigned char hash[NODE_HASH_BYTES];
			Ow__Op *op = NULL;
			bool stop;

			if (node_op_open_ex(v, vl, nopk, &op, hash, false) !=
			    0) {
				continue;
			}
			stop = op->hlc < j->stop_hlc;
			if (!stop && op->case_id[0] != '\0' &&
			    ((op->body_case == OW__OP__BODY_CREATE &&
			         op->create->initial != NULL &&
			         op->create->initial->received_day ==
			             j->today) ||
			        (op->body_case == OW__OP__BODY_ACT &&
			            op->act->day == j->today))) {
				j->rc =
				    pairs_add(&done, op->actor, op->case_id);
			}
			ow__op__free_unpacked(op, NULL);
			if (stop) {
				break;
			}
		}
		if (j->rc == 0) {
			j->rc = node_iter_status(it);
		}
		node_iter_free(it);
	}
	pairs_unique(&done);
	for (size_t i = 0; j->rc == 0 && i < done.n; i++) {
		Ow__ClerkLoad *cl;

		/* One lookup per actor: the pairs are sorted by actor. */
		if (i == 0 ||
		    strcmp(done.v[i].actor, done.v[i - 1].actor) != 0) {
			user_hall(st, done.v[i].actor, hall, sizeof(hall));
		}
		if (strcmp(hall, j->d->hall) != 0) {
			continue;
		}
		cl = clerk_row(j->d, &j->ccap, done.v[i].actor);
		if (cl == NULL) {
			j->rc = CM_ENOMEM;
			break;
		}
		cl->done_today++;
	}
	cm_free(done.v);
}

static void
dash_done(uv_work_t *w, int status)
{
	struct dash_job *j = w->data;
	Ow__Response resp = OW__RESPONSE__INIT;
	int rc = status != 0 ? CM_EINTERNAL : j->rc;

	node_job_done(j->n);
	if (j->d->n_clerks > 1) {
		qsort(j->d->clerks, j->d->n_clerks, sizeof(*j->d->clerks),
		    clerk_cmp);
	}
	resp.version = 1;
	resp.request_id = j->request_id;
	resp.status = rc;
	if (rc == 0) {
		resp.body_case = OW__RESPONSE__BODY_DASHBOARD;
		resp.dashboard = j->d;
	}
	node_finish_async(j->n, j->slot, &resp, NODE_REPLY_NOW);
	if (rc != 0) { /* else the reply took it */
		ow__dashboard_resp__free_unpacked(j->d, NULL);
	}
	cm_free(j->origins);
	cm_free(j);
}

/* The hall's bad ratings waiting for their follow-up (their index). */
static int
dash_remedies(struct dash_job *j)
{
	uint8_t prefix[NODE_HALL_CODE_MAX + 8];
	struct node_iter *it = NULL;
	size_t plen = node_index_prefix(
	    NODE_IDX_REMEDY, j->d->hall, NULL, prefix, sizeof(prefix) - 1);
	int rc;

	if (plen == 0) {
		return CM_EINVAL;
	}
	prefix[plen++] = 0;
	rc = node_iter_new(j->n->st, NODE_CF_IDX, prefix, plen, &it);
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		j->d->bad_ratings++;
	}
	if (rc == 0) {
		rc = node_iter_status(it);
		node_iter_free(it);
	}
	return rc;
}

/* The hall's open cases: by state, warning level, clerk, and flagged. */
static int
dash_open(struct dash_job *j)
{
	struct node *n = j->n;
	Ow__DashboardResp *d = j->d;
	size_t scap = 0;

	for (int st = 0; st < NODE_ST__COUNT; st++) {
		uint8_t prefix[NODE_HALL_CODE_MAX + 16];
		struct node_iter *it = NULL;
		char num[8];
		size_t plen;
		uint32_t count = 0;
		int rc;

		if (node_state_is_final((enum node_state)st)) {
			continue;
		}
		snprintf(num, sizeof(num), "%02u", (unsigned)st);
		plen = node_index_prefix(
		    NODE_IDX_STATE, d->hall, num, prefix, sizeof(prefix) - 1);
		if (plen == 0) {
			return CM_EINVAL;
		}
		prefix[plen++] = 0;
		rc = node_iter_new(n->st, NODE_CF_IDX, prefix, plen, &it);
		if (rc != 0) {
			return rc;
		}
		for (; node_iter_valid(it); node_iter_next(it)) {
			size_t kl;
			const uint8_t *k = node_iter_key(it, &kl);
			char id[NODE_CASE_ID_MAX];
			Ow__Case *cs = NULL;
			int level;

			if (kl <= plen || kl - plen >= sizeof(id)) {
				continue;
			}
			memcpy(id, k + plen, kl - plen);
			id[kl - plen] = '\0';
			{
				void *cv = NULL;
				size_t cl;

				if (node_store_get(n->st, NODE_CF_CASE, id,
				        strlen(id), &cv, &cl) != 0) {
					continue;
				}
				cs = ow__case__unpack(NULL, cl, cv);
				cm_free(cv);
				if (cs == NULL) {
					continue;
				}
			}
			/* A case written after the index was read: count it
			 * where it is now. */
			if (cs->state != (uint32_t)st ||
			    strcmp(cs->hall, d->hall) != 0) {
				node_case_free(cs);
				continue;
			}
			count++;
			d->open++;
			d->conflicts += cs->conflict;
			/* The level kept with the case (set at each change,
			 * and daily by this hall's sweep). */
			level = node_warning_of(n, cs->id);
			d->yellow += level == FORM_WARN_YELLOW;
			d->red += level == FORM_WARN_RED;
			d->overdue += level == FORM_WARN_OVERDUE;
			if (cs->assignee[0] != '\0') {
				Ow__ClerkLoad *cl =
				    clerk_row(d, &j->ccap, cs->assignee);

				if (cl == NULL) {
					rc = CM_ENOMEM;
				} else {
					cl->open++;
					cl->red += level >= FORM_WARN_RED;
				}
			}
			node_case_free(cs);
			if (rc != 0) {
				break;
			}
		}
		if (rc == 0) {
			rc = node_iter_status(it);
		}
		node_iter_free(it);
		if (rc != 0) {
			return rc;
		}
		if (count > 0) {
			Ow__StateCount *sc = malloc(sizeof(*sc));
			Ow__StateCount **ns;

			if (sc == NULL) {
				return CM_ENOMEM;
			}
			ow__state_count__init(sc);
			sc->state = (uint32_t)st;
			sc->count = count;
			if (d->n_states == scap) {
				scap = scap == 0 ? 8 : scap * 2;
				ns = realloc(d->states, scap * sizeof(*ns));
				if (ns == NULL) {
					free(sc);
					return CM_ENOMEM;
				}
				d->states = ns;
			}
			d->states[d->n_states++] = sc;
		}
	}
	return dash_remedies(j);
}

enum node_disp
node__h_dashboard(struct call *c)
{
	struct node *n = c->n;
	const Ow__DashboardReq *r = c->req->dashboard;
	const char *hall = r->hall[0] != '\0' ? r->hall : n->hall_code;
	struct dash_job *j;
	int rc;

	if (strlen(hall) >= NODE_HALL_CODE_MAX) {
		bad_field(c->resp, "hall", _("not a hall code"));
		return NODE_REPLY_NOW;
	}
	j = cm_calloc(1, sizeof(*j));
	if (j != NULL) {
		j->d = malloc(sizeof(*j->d));
	}
	if (j == NULL || j->d == NULL) {
		cm_free(j);
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__dashboard_resp__init(j->d);
	j->n = n;
	j->slot = c->slot;
	j->d->hall = node__dup(hall);
	j->today = node_today(n);
	j->d->today = j->today;
	if (strcmp(hall, n->hall_code) == 0) {
		j->d->queue_known = true;
		j->d->waiting = (uint32_t)node_queue_waiting(&n->queue);
		j->d->longest_wait_s =
		    node_queue_longest_wait(&n->queue, node_now(n));
	}
	{
		/* Ops carry the wall clock: today's are in the last day, with
		 * a day of margin for time zones. */
		uint64_t back_ms = 2ull * 86400ull * 1000ull;
		uint64_t wall = cm_hlc_wall_ms();

		j->stop_hlc =
		    wall > back_ms ? CM_HLC_MAKE(wall - back_ms, 0) : 0;
	}
	rc = node_origin_keys(n, &j->origins, &j->norigins);
	snprintf(
	    j->request_id, sizeof(j->request_id), "%s", c->req->request_id);
	j->w.data = j;
	if (rc == 0 && node_queue_job(n, &j->w, dash_work, dash_done) != 0) {
		rc = CM_EINTERNAL;
	}
	if (rc != 0) {
		ow__dashboard_resp__free_unpacked(j->d, NULL);
		cm_free(j->origins);
		cm_free(j);
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_LATER;
}
