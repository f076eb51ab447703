/*
 * metrics.c: /metrics (the Prometheus text format, version 0.0.4) and
 * /healthz on a loopback HTTP port (issue 6; docs/ops.md, "Metrics and
 * health").
 *
 * A small HTTP/1.0 server on the node's own loop: one request per
 * connection, answered and closed. The page has no authentication, so it
 * listens on loopback only (config.c refuses any other address), and it
 * must not let a bad client hurt the node: a request (line and headers)
 * is at most HTTP_REQ_MAX bytes and must arrive within HTTP_READ_MS, at
 * most HTTP_CONN_MAX connections are served at once (more are closed at
 * accept), and nothing a client sends is parsed past the request line.
 *
 * Cost on the loop: a scrape reads counters kept in memory (requests by
 * type and status, latency histograms), the node's own fields (op count,
 * queue, sessions, batch), and the replication core's per-peer figures
 * (memory only). What needs the store (cases by warning level, flagged
 * conflicts, the store's size) is counted on a worker, at most once per
 * FIGS_TTL_MS, and a scrape shows the last count with its age: a hall
 * of a million cases would otherwise stall its desks for each scrape
 * (counting the warning index is a prefix scan of up to one key per
 * running case). Only the first scrape after start waits for a count.
 *
 * Nothing personal is exported: labels are request kinds, status names,
 * hall node ids, warning levels and ticket states.
 */
#include "metrics.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"
#include "common/sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_CONN_MAX   16    /* connections served at once */
#define HTTP_REQ_MAX    4096  /* request line and headers, bytes */
#define HTTP_READ_MS    5000  /* for the whole request to arrive */
#define HTTP_ANSWER_MS  15000 /* then for the answer to go out */
#define HTTP_TARGET_MAX 1024
#define FIGS_TTL_MS     30000 /* store figures are counted again after */

/* Request latency buckets (le, in seconds). */
static const struct {
	const char *le;
	uint64_t ns;
} buckets[] = {
    {"0.0005", 500000ull},
    {"0.001", 1000000ull},
    {"0.0025", 2500000ull},
    {"0.005", 5000000ull},
    {"0.01", 10000000ull},
    {"0.025", 25000000ull},
    {"0.05", 50000000ull},
    {"0.1", 100000000ull},
    {"0.25", 250000000ull},
    {"0.5", 500000000ull},
    {"1", 1000000000ull},
    {"2.5", 2500000000ull},
    {"5", 5000000000ull},
    {"10", 10000000000ull},
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

/* Statuses: 0 is CM_OK, 1.. the CM_E* codes in order, the last any
 * other value. */
#define NSTATUS ((size_t)(CM_E__END - CM_E__BASE) + 1)

/* Warning levels as derived.c stores them in the warning index. */
static const char *const warning_names[] = {
    "green", "yellow", "red", "overdue"};
#define NWARNING 4

static const char *const ticket_state_names[] = {
    "waiting", "called", "served", "skipped"};

struct req_stats {
	uint64_t by_status[NSTATUS];
	uint64_t bucket[NBUCKETS]; /* per bucket; summed when written */
	uint64_t count;
	uint64_t sum_ns;
};

/* What is counted in the store, on a worker. */
struct store_figs {
	uint64_t by_warning[NWARNING];
	uint64_t conflicts;
	uint64_t disk_bytes;
	uint64_t cases; /* RocksDB's estimate of the case column family */
	uint64_t scan_ns;
};

struct figs_job {
	uv_work_t w;
	struct node_metrics *m;
	struct node_store *st;
	struct store_figs f;
};

struct conn {
	struct node_metrics *m;
	uv_tcp_t tcp;
	uv_timer_t timer;
	bool has_timer;
	bool linked; /* in m->conns (not a connection refused at accept) */
	bool closing;
	bool waiting; /* in m->waiters, for the store figures */
	int open_handles;
	uv_write_t wr;
	char *out;  /* the response being written */
	size_t len; /* of the request in buf so far */
	struct conn *prev, *next;
	struct conn *next_wait;
	char buf[HTTP_REQ_MAX];
};

struct node_metrics {
	struct node *n;
	uv_tcp_t listener;
	bool stopping;
	unsigned live; /* the listener and connections not freed yet */
	uint64_t started_ns;
	/* Requests, by the index of their body in Request's descriptor,
	 * then two more: no body, and a body it does not know. */
	const ProtobufCMessageDescriptor *desc;
	size_t ntypes;
	struct req_stats *types;
	struct {
		uint64_t t0; /* 0: no request timed on this slot */
		size_t type;
	} inflight[NODE_NCTX];
	struct conn *conns;
	unsigned nconns;
	uint64_t refused;
	struct store_figs figs;
	uint64_t figs_at_ns; /* 0: never counted */
	uint64_t figs_ttl_ns;
	bool job_running;
	struct conn *waiters;
};

static void conn_close(struct conn *c);
static void serve_metrics(struct conn *c);

/* ---- lifetime ----------------------------------------------------------- */

static void
maybe_free(struct node_metrics *m)
{
	if (m->live == 0 && !m->job_running) {
		cm_free(m->types);
		cm_free(m);
	}
}

static void
on_listener_closed(uv_handle_t *h)
{
	struct node_metrics *m = h->data;

	m->live--;
	maybe_free(m);
}

/* ---- requests (server.c's hooks) ---------------------------------------- */

static size_t
type_index(const struct node_metrics *m, int body_case)
{
	const ProtobufCFieldDescriptor *f =
	    body_case > 0 ? protobuf_c_message_descriptor_get_field(
	                        m->desc, (unsigned)body_case)
	                  : NULL;

	if (body_case == 0) {
		return m->desc->n_fields; /* "empty" */
	}
	/* Only the fields of the body oneof are request kinds. */
	if (f == NULL || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0) {
		return m->desc->n_fields + 1; /* "unknown" */
	}
	return (size_t)(f - m->desc->fields);
}

/* The label of a request kind: its body's field name ("case_create"). */
static const char *
type_name(const struct node_metrics *m, size_t t)
{
	return t < m->desc->n_fields    ? m->desc->fields[t].name
	       : t == m->desc->n_fields ? "empty"
	                                : "unknown";
}

void
node_metrics_request_begin(
    struct node *n, const struct node_slot *s, int body_case)
{
	struct node_metrics *m = n->metrics;

	if (m == NULL || s->index < 0 || s->index >= NODE_NCTX) {
		return;
	}
	m->inflight[s->index].t0 = uv_hrtime();
	m->inflight[s->index].type = type_index(m, body_case);
}

void
node_metrics_request_end(struct node *n, const struct node_slot *s, int status)
{
	struct node_metrics *m = n->metrics;
	struct req_stats *r;
	uint64_t dt;
	size_t si, b;

	if (m == NULL || s->index < 0 || s->index >= NODE_NCTX ||
	    m->inflight[s->index].t0 == 0) {
		return;
	}
	dt = uv_hrtime() - m->inflight[s->index].t0;
	m->inflight[s->index].t0 = 0;
	r = &m->types[m->inflight[s->index].type];
	if (status == 0) {
		si = 0;
	} else if (status > CM_E__BASE && status < CM_E__END) {
		si = (size_t)(status - CM_E__BASE);
	} else {
		si = NSTATUS - 1;
	}
	r->by_status[si]++;
	for (b = 0; b < NBUCKETS && dt > buckets[b].ns; b++) {
	}
	if (b < NBUCKETS) {
		r->bucket[b]++;
	}
	r->count++;
	r->sum_ns += dt;
}

/* ---- store figures (on a worker) ---------------------------------------- */

/* Keys of the index entries of (kind, value): kind, NUL, value, NUL. */
static uint64_t
count_index(struct node_store *st, char kind, const char *value)
{
	uint8_t prefix[16];
	size_t plen =
	    node_index_prefix(kind, value, NULL, prefix, sizeof(prefix) - 1);
	struct node_iter *it = NULL;
	uint64_t count = 0;

	if (plen == 0) {
		return 0;
	}
	prefix[plen++] = 0;
	if (node_iter_new(st, NODE_CF_IDX, prefix, plen, &it) != 0) {
		return 0;
	}
	for (; node_iter_valid(it); node_iter_next(it)) {
		count++;
	}
	node_iter_free(it);
	return count;
}

static void
figs_work(uv_work_t *w)
{
	struct figs_job *j = w->data;
	uint64_t start = uv_hrtime();
	char *est = NULL;

	for (int level = 0; level < NWARNING; level++) {
		char num[4];

		snprintf(num, sizeof(num), "%d", level);
		j->f.by_warning[level] =
		    count_index(j->st, NODE_IDX_WARNING, num);
	}
	/* The same set as status's conflicts (repl.c, count_conflicts). */
	j->f.conflicts = count_index(j->st, NODE_IDX_CONFLICT, "1");
	if (node_store_disk_bytes(j->st, &j->f.disk_bytes) != 0) {
		j->f.disk_bytes = 0;
	}
	if (node_store_property(
	        j->st, NODE_CF_CASE, "rocksdb.estimate-num-keys", &est) == 0) {
		j->f.cases = strtoull(est, NULL, 10);
		cm_free(est);
	}
	j->f.scan_ns = uv_hrtime() - start;
}

static void
figs_done(uv_work_t *w, int status)
{
	struct figs_job *j = w->data;
	struct node_metrics *m = j->m;
	struct node *n = m->n;
	struct conn *list;

	node_job_done(n);
	m->job_running = false;
	if (status == 0) {
		m->figs = j->f;
		m->figs_at_ns = uv_hrtime();
	}
	cm_free(j);
	if (m->stopping) {
		maybe_free(m);
	} else {
		list = m->waiters;
		m->waiters = NULL;
		while (list != NULL) {
			struct conn *c = list;

			list = c->next_wait;
			c->next_wait = NULL;
			c->waiting = false;
			serve_metrics(c);
		}
	}
	node_flush_soon(n); /* a stop may have waited for this job */
}

/* Count the store figures on a worker, unless a count runs already or
 * the node is stopping. */
static void
figs_start(struct node_metrics *m)
{
	struct figs_job *j;

	if (m->job_running || m->stopping || m->n->stopping) {
		return;
	}
	j = cm_calloc(1, sizeof(*j));
	if (j == NULL) {
		return;
	}
	j->m = m;
	j->st = m->n->st;
	j->w.data = j;
	if (node_queue_job(m->n, &j->w, figs_work, figs_done) != 0) {
		cm_free(j);
		return;
	}
	m->job_running = true;
}

/* ---- the page ----------------------------------------------------------- */

static void
family(struct cm_sbuf *b, const char *name, const char *type, const char *help)
{
	cm_sbuf_printf(
	    b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the text format wants (\\, \", \n). */
static void
label_value(struct cm_sbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"') {
			cm_sbuf_putn(b, "\\", 1);
			cm_sbuf_putn(b, v, 1);
		} else if (*v == '\n') {
			cm_sbuf_puts(b, "\\n");
		} else {
			cm_sbuf_putn(b, v, 1);
		}
	}
}

/* name{label="value"} v, or name v without a label. */
static void
sample(struct cm_sbuf *b, const char *name, const char *label,
    const char *value, uint64_t v)
{
	cm_sbuf_puts(b, name);
	if (label != NULL) {
		cm_sbuf_printf(b, "{%s=\"", label);
		label_value(b, value);
		cm_sbuf_puts(b, "\"}");
	}
	cm_sbuf_printf(b, " %llu\n", (unsigned long long)v);
}

static void
gauge(struct cm_sbuf *b, const char *name, const char *help, uint64_t v)
{
	family(b, name, "gauge", help);
	sample(b, name, NULL, NULL, v);
}

/* Seconds from nanoseconds, without printf's %f (whose decimal point
 * follows LC_NUMERIC, and the node sets the locale). */
static void
put_seconds(struct cm_sbuf *b, uint64_t ns)
{
	cm_sbuf_printf(b, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
	    (unsigned long long)(ns % 1000000000u));
}

static void
put_requests(struct cm_sbuf *b, const struct node_metrics *m)
{
	family(b, "ow_requests_total", "counter",
	    "Requests handled, by request kind and reply status.");
	for (size_t t = 0; t < m->ntypes; t++) {
		const struct req_stats *r = &m->types[t];
		const char *type = type_name(m, t);

		for (size_t s = 0; s < NSTATUS && r->count > 0; s++) {
			if (r->by_status[s] == 0) {
				continue;
			}
			cm_sbuf_printf(b,
			    "ow_requests_total{type=\"%s\",status=\"%s\"} "
			    "%llu\n",
			    type,
			    s == 0            ? "CM_OK"
			    : s + 1 < NSTATUS ? cm_err_name(CM_E__BASE + (int)s)
			                      : "other",
			    (unsigned long long)r->by_status[s]);
		}
	}
	family(b, "ow_request_seconds", "histogram",
	    "Time from taking a request to making its reply, by request "
	    "kind. A reply that waits for its batch to be synced is timed "
	    "to when it is made, without the sync.");
	for (size_t t = 0; t < m->ntypes; t++) {
		const struct req_stats *r = &m->types[t];
		const char *type = type_name(m, t);
		uint64_t cum = 0;

		if (r->count == 0) {
			continue;
		}
		for (size_t i = 0; i < NBUCKETS; i++) {
			cum += r->bucket[i];
			cm_sbuf_printf(b,
			    "ow_request_seconds_bucket{type=\"%s\",le=\"%s\"} "
			    "%llu\n",
			    type, buckets[i].le, (unsigned long long)cum);
		}
		cm_sbuf_printf(b,
		    "ow_request_seconds_bucket{type=\"%s\",le=\"+Inf\"} %llu\n",
		    type, (unsigned long long)r->count);
		cm_sbuf_printf(b, "ow_request_seconds_sum{type=\"%s\"} ", type);
		put_seconds(b, r->sum_ns);
		cm_sbuf_printf(b,
		    "\now_request_seconds_count{type=\"%s\"} %llu\n", type,
		    (unsigned long long)r->count);
	}
}

/* Replication figures gathered from node_repl_metrics' callbacks: every
 * sample of a family must follow its HELP and TYPE lines together. */
struct repl_peer_copy {
	char id[NODE_ORIGIN_MAX + 1];
	struct node_repl_peer_fig f;
};
struct repl_origin_copy {
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq;
};
struct repl_figs {
	struct repl_peer_copy *peers;
	size_t npeers, cpeers;
	struct repl_origin_copy *origins;
	size_t norigins, corigins;
	bool oom;
};

static void
copy_peer(void *arg, const struct node_repl_peer_fig *p)
{
	struct repl_figs *r = arg;

	if (r->npeers == r->cpeers) {
		size_t c = r->cpeers != 0 ? 2 * r->cpeers : 8;
		void *np = cm_reallocarray(r->peers, c, sizeof(*r->peers));

		if (np == NULL) {
			r->oom = true;
			return;
		}
		r->peers = np;
		r->cpeers = c;
	}
	snprintf(r->peers[r->npeers].id, sizeof(r->peers[0].id), "%s", p->id);
	r->peers[r->npeers].f = *p;
	r->peers[r->npeers].f.id = r->peers[r->npeers].id;
	r->npeers++;
}

static void
copy_origin(void *arg, const char *origin, uint64_t seq)
{
	struct repl_figs *r = arg;

	if (r->norigins == r->corigins) {
		size_t c = r->corigins != 0 ? 2 * r->corigins : 8;
		void *np = cm_reallocarray(r->origins, c, sizeof(*r->origins));

		if (np == NULL) {
			r->oom = true;
			return;
		}
		r->origins = np;
		r->corigins = c;
	}
	snprintf(r->origins[r->norigins].origin, sizeof(r->origins[0].origin),
	    "%s", origin);
	r->origins[r->norigins].seq = seq;
	r->norigins++;
}

enum peer_field {
	PF_UP,
	PF_CONNECTED,
	PF_BEHIND,
	PF_BEHIND_S,
	PF_AHEAD,
	PF_FAILURES
};

static void
put_peer_family(struct cm_sbuf *b, const struct repl_figs *r, const char *name,
    const char *type, const char *help, enum peer_field which)
{
	family(b, name, type, help);
	for (size_t i = 0; i < r->npeers; i++) {
		const struct node_repl_peer_fig *f = &r->peers[i].f;
		uint64_t v = which == PF_UP          ? f->is_up
		             : which == PF_CONNECTED ? f->is_connected
		             : which == PF_BEHIND    ? f->behind
		             : which == PF_BEHIND_S  ? (uint64_t)f->behind_s
		             : which == PF_AHEAD     ? f->ahead
		                                     : f->failures;

		sample(b, name, "peer", f->id, v);
	}
}

static void
put_repl(struct cm_sbuf *b, struct node *n)
{
	struct repl_figs r = {0};
	size_t held = 0;

	node_repl_metrics(n, copy_peer, copy_origin, &r, &held);
	if (r.oom) {
		b->oom = 1;
	}
	gauge(b, "ow_repl_enabled",
	    "1 when replication runs (repl_listen or peers), else 0.",
	    n->repl != NULL);
	put_peer_family(b, &r, "ow_repl_peer_up", "gauge",
	    "1 when the peer answered its last pull.", PF_UP);
	put_peer_family(b, &r, "ow_repl_peer_connected", "gauge",
	    "1 when a connection to the peer is up.", PF_CONNECTED);
	put_peer_family(b, &r, "ow_repl_peer_behind_ops", "gauge",
	    "Ops this hall has that the peer lacked when last heard of.",
	    PF_BEHIND);
	put_peer_family(b, &r, "ow_repl_peer_behind_seconds", "gauge",
	    "Age in seconds of the oldest op the peer lacks (0: none).",
	    PF_BEHIND_S);
	put_peer_family(b, &r, "ow_repl_peer_ahead_ops", "gauge",
	    "Ops the peer had that this hall lacks.", PF_AHEAD);
	put_peer_family(b, &r, "ow_repl_peer_failures", "gauge",
	    "Pulls from the peer that failed in a row.", PF_FAILURES);
	family(b, "ow_repl_peer_last_heard_seconds", "gauge",
	    "Seconds since the peer's last message; -1 when never heard.");
	for (size_t i = 0; i < r.npeers; i++) {
		const struct node_repl_peer_fig *f = &r.peers[i].f;

		cm_sbuf_puts(b, "ow_repl_peer_last_heard_seconds{peer=\"");
		label_value(b, f->id);
		cm_sbuf_puts(b, "\"} ");
		if (f->last_heard_ms < 0) {
			cm_sbuf_puts(b, "-1\n");
		} else {
			put_seconds(b, (uint64_t)f->last_heard_ms * 1000000u);
			cm_sbuf_puts(b, "\n");
		}
	}
	family(b, "ow_repl_vector", "gauge",
	    "The last op of each origin this hall holds without a gap (its "
	    "version vector).");
	for (size_t i = 0; i < r.norigins; i++) {
		sample(b, "ow_repl_vector", "origin", r.origins[i].origin,
		    r.origins[i].seq);
	}
	gauge(b, "ow_repl_held_bytes",
	    "Bytes of ops of other halls held above a gap, waiting for the "
	    "ops before them.",
	    held);
	cm_free(r.peers);
	cm_free(r.origins);
}

static void
put_store(struct cm_sbuf *b, const struct node_metrics *m)
{
	uint64_t now = uv_hrtime();

	family(b, "ow_cases_by_warning", "gauge",
	    "Running cases by deadline warning level (the warning index, "
	    "counted at most every 30 s: see ow_store_figures_age_seconds).");
	for (int i = 0; i < NWARNING; i++) {
		sample(b, "ow_cases_by_warning", "level", warning_names[i],
		    m->figs.by_warning[i]);
	}
	gauge(b, "ow_conflicts",
	    "Cases flagged as replication conflicts (as status shows).",
	    m->figs.conflicts);
	gauge(b, "ow_cases", "Cases in the store (RocksDB's estimate).",
	    m->figs.cases);
	gauge(b, "ow_store_bytes", "Bytes the store's directory takes on disk.",
	    m->figs.disk_bytes);
	family(b, "ow_store_figures_age_seconds", "gauge",
	    "Age of the figures counted in the store (warnings, conflicts, "
	    "cases, bytes); -1 before the first count.");
	if (m->figs_at_ns == 0) {
		cm_sbuf_puts(b, "ow_store_figures_age_seconds -1\n");
	} else {
		cm_sbuf_puts(b, "ow_store_figures_age_seconds ");
		put_seconds(b, now - m->figs_at_ns);
		cm_sbuf_puts(b, "\n");
	}
	family(b, "ow_store_count_seconds", "gauge",
	    "Time the last count of the store figures took (on a worker).");
	cm_sbuf_puts(b, "ow_store_count_seconds ");
	put_seconds(b, m->figs.scan_ns);
	cm_sbuf_puts(b, "\n");
}

static void
put_node(struct cm_sbuf *b, struct node *n, const struct node_metrics *m)
{
	uint64_t tickets[4] = {0};

	family(
	    b, "ow_uptime_seconds", "gauge", "Seconds since the node started.");
	cm_sbuf_puts(b, "ow_uptime_seconds ");
	put_seconds(b, uv_hrtime() - m->started_ns);
	cm_sbuf_puts(b, "\n");
	family(b, "ow_ops_logged_total", "counter",
	    "Ops in the signed log, of every origin.");
	sample(b, "ow_ops_logged_total", NULL, NULL, n->log_ops);
	gauge(b, "ow_sessions",
	    "Open sessions (idle ones end within a minute "
	    "of their timeout).",
	    n->sessions.n);
	for (size_t i = 0; i < n->queue.n; i++) {
		if ((unsigned)n->queue.t[i].state < 4) {
			tickets[n->queue.t[i].state]++;
		}
	}
	gauge(b, "ow_queue_waiting", "Walk-in tickets of today waiting.",
	    tickets[NODE_TICKET_WAITING]);
	family(b, "ow_queue_tickets", "gauge",
	    "Walk-in tickets of today, by state.");
	for (int i = 0; i < 4; i++) {
		sample(b, "ow_queue_tickets", "state", ticket_state_names[i],
		    tickets[i]);
	}
	family(b, "ow_store_syncs_total", "counter",
	    "Batches written and synced (group commit).");
	sample(b, "ow_store_syncs_total", NULL, NULL, n->syncs);
	family(b, "ow_store_synced_ops_total", "counter",
	    "Ops in the synced batches, of every origin.");
	sample(b, "ow_store_synced_ops_total", NULL, NULL, n->synced_ops);
	family(b, "ow_store_synced_replies_total", "counter",
	    "Replies that waited for a batch to be synced.");
	sample(
	    b, "ow_store_synced_replies_total", NULL, NULL, n->synced_replies);
	family(b, "ow_store_sync_seconds_total", "counter",
	    "Time the synced batches' writes and syncs took.");
	cm_sbuf_puts(b, "ow_store_sync_seconds_total ");
	put_seconds(b, n->sync_ns);
	cm_sbuf_puts(b, "\n");
	gauge(b, "ow_replies_waiting_batch",
	    "Replies waiting for the open batch to be synced.",
	    n->open.nwaiting);
	gauge(b, "ow_batch_syncing", "1 while a batch is being synced.",
	    n->writing);
	gauge(b, "ow_pending_ops", "Ops whose batch is not durable yet.",
	    n->npend);
	gauge(b, "ow_worker_jobs",
	    "Worker jobs whose reply is still to come (digests, counts).",
	    n->jobs);
	family(b, "ow_metrics_refused_total", "counter",
	    "Connections to this page closed at once: too many at a time.");
	sample(b, "ow_metrics_refused_total", NULL, NULL, m->refused);
}

/* The whole page, cm_malloc'd; NULL when out of memory. */
static char *
render(struct node_metrics *m, size_t *len)
{
	struct node *n = m->n;
	struct cm_sbuf b;
	char *s;

	cm_sbuf_init(&b);
	put_node(&b, n, m);
	put_requests(&b, m);
	put_repl(&b, n);
	put_store(&b, m);
	*len = b.len;
	s = cm_sbuf_take(&b);
	return s;
}

/* ---- HTTP --------------------------------------------------------------- */

static void
on_conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	struct node_metrics *m = c->m;

	if (--c->open_handles > 0) {
		return;
	}
	cm_free(c->out);
	cm_free(c);
	m->live--;
	maybe_free(m);
}

static void
conn_close(struct conn *c)
{
	struct node_metrics *m = c->m;

	if (c->closing) {
		return;
	}
	c->closing = true;
	if (c->waiting) {
		for (struct conn **pp = &m->waiters; *pp != NULL;
		     pp = &(*pp)->next_wait) {
			if (*pp == c) {
				*pp = c->next_wait;
				break;
			}
		}
		c->waiting = false;
	}
	if (c->linked) {
		*(c->prev != NULL ? &c->prev->next : &m->conns) = c->next;
		if (c->next != NULL) {
			c->next->prev = c->prev;
		}
		m->nconns--;
		c->linked = false;
	}
	c->open_handles = 1;
	uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
	if (c->has_timer) {
		c->open_handles++;
		uv_close((uv_handle_t *)&c->timer, on_conn_closed);
	}
}

static void
on_written(uv_write_t *req, int status)
{
	(void)status; /* closed either way */
	conn_close(req->data);
}

/* Send a whole response and close. body is copied. */
static void
respond(struct conn *c, int code, const char *reason, const char *type,
    const char *extra, const char *body, size_t blen)
{
	char head[512];
	int hl;
	uv_buf_t buf;

	uv_read_stop((uv_stream_t *)&c->tcp);
	hl = snprintf(head, sizeof(head),
	    "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
	    code, reason, type, blen, extra != NULL ? extra : "");
	if (hl < 0 || (size_t)hl >= sizeof(head) ||
	    (c->out = cm_malloc((size_t)hl + blen)) == NULL) {
		conn_close(c);
		return;
	}
	memcpy(c->out, head, (size_t)hl);
	if (blen > 0) {
		memcpy(c->out + hl, body, blen);
	}
	buf = uv_buf_init(c->out, (unsigned)((size_t)hl + blen));
	c->wr.data = c;
	if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &buf, 1, on_written) !=
	    0) {
		conn_close(c);
	}
}

static void
respond_text(struct conn *c, int code, const char *reason, const char *text,
    const char *extra)
{
	respond(c, code, reason, "text/plain; charset=utf-8", extra, text,
	    strlen(text));
}

static void
serve_metrics(struct conn *c)
{
	size_t len = 0;
	char *page = render(c->m, &len);

	if (page == NULL) {
		respond_text(
		    c, 500, "Internal Server Error", "out of memory\n", NULL);
		return;
	}
	respond(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", NULL,
	    page, len);
	cm_free(page);
}

/*
 * Healthy: the loop answers (this runs on it), the node is not stopping,
 * and the store answers a point read.
 */
static void
serve_health(struct conn *c)
{
	struct node *n = c->m->n;
	void *val = NULL;
	size_t len = 0;
	int rc;
	char text[96];

	if (n->stopping) {
		respond_text(c, 503, "Service Unavailable", "stopping\n", NULL);
		return;
	}
	rc = node_store_get(n->st, NODE_CF_META, "hlc", 3, &val, &len);
	cm_free(val);
	if (rc != 0 && rc != CM_ENOTFOUND) {
		snprintf(text, sizeof(text), "store: %s\n", cm_err_name(rc));
		respond_text(c, 503, "Service Unavailable", text, NULL);
		return;
	}
	respond_text(c, 200, "OK", "ok\n", NULL);
}

static bool
is_token(const char *s, size_t len)
{
	if (len == 0 || len > 16) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 'A' || s[i] > 'Z') {
			return false;
		}
	}
	return true;
}

/* "METHOD /target HTTP/1.x", the target printable ASCII without spaces;
 * where the target starts and ends when the line has that shape. */
static bool
line_ok(const char *line, size_t len, const char **target, size_t *tlen)
{
	const char *sp1 = memchr(line, ' ', len), *t, *sp2;

	if (sp1 == NULL || !is_token(line, (size_t)(sp1 - line))) {
		return false;
	}
	t = sp1 + 1;
	sp2 = memchr(t, ' ', len - (size_t)(t - line));
	if (sp2 == NULL || sp2 == t || t[0] != '/' ||
	    (size_t)(sp2 - t) > HTTP_TARGET_MAX ||
	    (size_t)(line + len - (sp2 + 1)) != 8 ||
	    memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp2[8] < '0' ||
	    sp2[8] > '9') {
		return false;
	}
	for (const char *p = t; p < sp2; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			return false;
		}
	}
	*target = t;
	*tlen = (size_t)(sp2 - t);
	return true;
}

/* The whole request is in, its line of the right shape (line_ok): answer
 * it. */
static void
dispatch(struct conn *c, const char *line, const char *target, size_t tlen)
{
	struct node_metrics *m = c->m;
	const char *q;

	if (memcmp(line, "GET ", 4) != 0) {
		respond_text(c, 405, "Method Not Allowed",
		    "only GET is served\n", "Allow: GET\r\n");
		return;
	}
	if ((q = memchr(target, '?', tlen)) != NULL) {
		tlen = (size_t)(q - target);
	}
	if (tlen == 8 && memcmp(target, "/healthz", 8) == 0) {
		serve_health(c);
	} else if (tlen == 8 && memcmp(target, "/metrics", 8) == 0) {
		if (m->figs_at_ns == 0 ||
		    uv_hrtime() - m->figs_at_ns > m->figs_ttl_ns) {
			figs_start(m);
		}
		if (m->figs_at_ns == 0 && m->job_running) {
			/* The first count: answer when it is done. */
			uv_read_stop((uv_stream_t *)&c->tcp);
			c->waiting = true;
			c->next_wait = m->waiters;
			m->waiters = c;
			return;
		}
		serve_metrics(c);
	} else {
		respond_text(c, 404, "Not Found", "not found\n", NULL);
	}
}

static void
on_timeout(uv_timer_t *t)
{
	conn_close(t->data);
}

/*
 * Look at what came so far: a bad request line is answered as soon as it
 * is complete; a good one when the headers are complete too (they are
 * not read: an empty line ends them); a request that fills HTTP_REQ_MAX
 * before that is refused.
 */
static void
parse(struct conn *c)
{
	const char *eol = memchr(c->buf, '\n', c->len), *target;
	size_t llen, tlen;

	if (eol == NULL) {
		if (c->len == HTTP_REQ_MAX) {
			respond_text(c, 431, "Request Header Fields Too Large",
			    "request too large\n", NULL);
		}
		return;
	}
	llen = (size_t)(eol - c->buf);
	if (llen > 0 && c->buf[llen - 1] == '\r') {
		llen--;
	}
	if (memchr(c->buf, '\0', llen) != NULL ||
	    !line_ok(c->buf, llen, &target, &tlen)) {
		respond_text(c, 400, "Bad Request", "bad request\n", NULL);
		return;
	}
	for (const char *p = eol; p != NULL;
	     p = memchr(p + 1, '\n', c->len - (size_t)(p + 1 - c->buf))) {
		const char *next = p + 1;
		size_t rest = c->len - (size_t)(next - c->buf);

		if ((rest >= 1 && next[0] == '\n') ||
		    (rest >= 2 && next[0] == '\r' && next[1] == '\n')) {
			/* From now on the answer has its own deadline. */
			uv_timer_start(
			    &c->timer, on_timeout, HTTP_ANSWER_MS, 0);
			dispatch(c, c->buf, target, tlen);
			return;
		}
	}
	if (c->len == HTTP_REQ_MAX) {
		respond_text(c, 431, "Request Header Fields Too Large",
		    "request too large\n", NULL);
	}
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct conn *c = h->data;

	(void)suggested;
	buf->base = c->buf + c->len;
	buf->len = HTTP_REQ_MAX - c->len;
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = s->data;

	(void)buf;
	if (c->closing) {
		return;
	}
	if (nread < 0) {
		/* The client went away (or sent too much): close. */
		conn_close(c);
		return;
	}
	c->len += (size_t)nread;
	parse(c);
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct node_metrics *m = server->data;
	struct conn *c;

	if (status < 0) {
		cm_log_warn(
		    "metrics.accept_failed", "error=%s", uv_err_name(status));
		return;
	}
	c = cm_calloc(1, sizeof(*c));
	if (c == NULL) {
		/* Left in the backlog, and libuv accepts no more until it is
		 * taken: this page stops answering, the node does not. */
		cm_log_error("metrics.accept_failed", "error=CM_ENOMEM");
		return;
	}
	c->m = m;
	c->tcp.data = c;
	c->timer.data = c;
	uv_tcp_init(&m->n->loop, &c->tcp);
	m->live++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || m->stopping ||
	    m->nconns >= HTTP_CONN_MAX) {
		m->refused += !m->stopping;
		conn_close(c);
		return;
	}
	c->linked = true;
	c->next = m->conns;
	if (m->conns != NULL) {
		m->conns->prev = c;
	}
	m->conns = c;
	m->nconns++;
	uv_timer_init(&m->n->loop, &c->timer);
	c->has_timer = true;
	uv_timer_start(&c->timer, on_timeout, HTTP_READ_MS, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
		conn_close(c);
	}
}

/* ---- start and stop ----------------------------------------------------- */

int
node_metrics_start(struct node *n)
{
	struct node_metrics *m;
	struct sockaddr_storage sa;
	char host[64], quoted[200];
	const char *ttl;
	int port = 0, rc, rv;

	if (n->cfg.metrics_listen[0] == '\0') {
		return 0;
	}
	cm_log_quote(n->cfg.metrics_listen, quoted, sizeof(quoted));
	rc = node_config_metrics_addr(
	    n->cfg.metrics_listen, host, sizeof(host), &port);
	if (rc == CM_EDENIED) {
		cm_log_error("metrics.listen_refused",
		    "addr=%s reason=\"not a loopback address: /metrics has no "
		    "authentication; use 127.0.0.1:PORT\"",
		    quoted);
		return CM_EINVAL;
	} else if (rc != 0) {
		cm_log_error("metrics.listen_refused",
		    "addr=%s reason=\"not HOST:PORT\"", quoted);
		return CM_EINVAL;
	}
	memset(&sa, 0, sizeof(sa));
	if (strchr(host, ':') != NULL) {
		rv = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&sa);
	} else {
		rv = uv_ip4_addr(host, port, (struct sockaddr_in *)&sa);
	}
	if (rv != 0) {
		cm_log_error("metrics.listen_refused",
		    "addr=%s reason=\"not HOST:PORT\"", quoted);
		return CM_EINVAL;
	}
	m = cm_calloc(1, sizeof(*m));
	if (m == NULL) {
		cm_log_error("metrics.listen_failed", "error=CM_ENOMEM");
		return CM_ENOMEM;
	}
	m->n = n;
	m->desc = &ow__request__descriptor;
	m->ntypes = m->desc->n_fields + 2;
	m->types = cm_calloc(m->ntypes, sizeof(*m->types));
	if (m->types == NULL) {
		cm_free(m);
		cm_log_error("metrics.listen_failed", "error=CM_ENOMEM");
		return CM_ENOMEM;
	}
	m->started_ns = uv_hrtime();
	/* Tests count the store figures more often, to see them move; a
	 * hall never sets this. */
	ttl = getenv("OW_METRICS_FIGS_MS");
	m->figs_ttl_ns =
	    (ttl != NULL && atoi(ttl) > 0 ? (uint64_t)atoi(ttl) : FIGS_TTL_MS) *
	    1000000ull;
	uv_tcp_init(&n->loop, &m->listener);
	m->listener.data = m;
	m->live = 1;
	n->metrics = m;
	rv = uv_tcp_bind(&m->listener, (const struct sockaddr *)&sa, 0);
	if (rv == 0) {
		rv = uv_listen((uv_stream_t *)&m->listener, 64, on_connection);
	}
	if (rv != 0) {
		cm_log_error("metrics.listen_failed", "addr=%s error=%s",
		    quoted, uv_err_name(rv));
		node_metrics_stop(n);
		return CM_EIO;
	}
	cm_log_info("metrics.listening", "addr=%s", quoted);
	return 0;
}

void
node_metrics_stop(struct node *n)
{
	struct node_metrics *m = n->metrics;

	if (m == NULL) {
		return;
	}
	n->metrics = NULL;
	m->stopping = true;
	while (m->conns != NULL) {
		conn_close(m->conns);
	}
	uv_close((uv_handle_t *)&m->listener, on_listener_closed);
}
