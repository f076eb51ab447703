/*
 * server.c: the node's loop, its sockets and group commit.
 *
 * Threads: one libuv loop owns struct node. nng completes receives and
 * sends on its own threads; a received request is queued under a lock and
 * the loop is woken with uv_async_send (which coalesces, so the loop
 * drains the whole queue). Writes go into the open batch; when the loop
 * has drained its queue it hands the batch to a worker that syncs it
 * (group commit: every request that arrived meanwhile shares one fsync),
 * and only then are the replies that depend on it sent. While one batch
 * syncs, the loop gathers the next.
 */
#include "node.h"
#include "metrics.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/fs.h"
#include "node/client.h"

#include <sodium.h>

#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/supplemental/tls/tls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void slot_cb(void *arg);

/* Set once the sockets start closing: a late completion touches nothing
 * of the node (see close_sockets). */
static atomic_bool sockets_closing;

/* ---- replies ------------------------------------------------------------ */

static void
send_reply(struct node *n, struct node_slot *s)
{
	nng_msg *msg = NULL;
	int rv = nng_msg_alloc(&msg, 0);

	if (rv == 0) {
		rv = nng_msg_append(msg, s->reply, s->reply_len);
	}
	cm_free(s->reply);
	s->reply = NULL;
	s->reply_len = 0;
	if (rv != 0) {
		/* No memory for the reply: the client times out and
		 * retries with the same request id, which is idempotent. */
		if (msg != NULL) {
			nng_msg_free(msg);
		}
		cm_log_error("api.reply_failed", "slot=%d", s->index);
		s->state = SLOT_RECV;
		nng_ctx_recv(s->ctx, s->aio);
		return;
	}
	(void)n;
	s->state = SLOT_SEND;
	nng_aio_set_msg(s->aio, msg);
	nng_ctx_send(s->ctx, s->aio);
}

/* A reply made of a status alone (decode errors, failed writes). */
static void
set_status_reply(struct node_slot *s, const char *request_id, int status)
{
	Ow__Response resp = OW__RESPONSE__INIT;

	resp.version = 1;
	resp.request_id =
	    (char *)(uintptr_t)(request_id != NULL ? request_id : "");
	resp.status = status;
	resp.error = (char *)(uintptr_t)cm_strerror(status);
	cm_free(s->reply);
	s->reply_len = ow__response__get_packed_size(&resp);
	s->reply = cm_malloc(s->reply_len);
	if (s->reply == NULL) {
		s->reply_len = 0;
		return;
	}
	ow__response__pack(&resp, s->reply);
}

int
node_queue_job(
    struct node *n, uv_work_t *w, uv_work_cb work, uv_after_work_cb after)
{
	int rv = uv_queue_work(&n->loop, w, work, after);

	if (rv == 0) {
		n->jobs++;
	}
	return rv;
}

void
node_job_done(struct node *n)
{
	n->jobs--;
}

void
node_defer_reply(struct node *n, struct node_slot *slot)
{
	slot->next_wait = n->open.waiting;
	n->open.waiting = slot;
	n->open.nwaiting++;
}

/* ---- group commit ------------------------------------------------------- */

static void maybe_flush(struct node *n);
static void send_events(struct node *n, struct node_event *e, bool durable);
static void send_waiting(struct node *n, struct node_slot *list);

/*
 * On a worker: seal the flying batch's ops (chain, sign, log: the largest
 * part of a write's CPU, measured at a fifth of the loop's time under 16
 * clients), sync the batch, and when it is durable send its replies and
 * events from here. nng is thread-safe, and each send wakes nng's threads:
 * measured under 16 clients, sending from the loop took a third of its
 * time. The loop does not touch the flying batch, its ops, slots or
 * events, nor the chain head, until write_done; on a failure nothing is
 * sent here and write_done answers with the error.
 */
static void
write_work(uv_work_t *w)
{
	struct node *n = w->data;

	/* Counted before node_gen_seal, which drops the ops. */
	n->write_ops = n->flying.nops + n->flying.nremote;
	n->write_rc = node_gen_seal(n, &n->flying);
	if (n->write_rc == 0) {
		uint64_t t0 = uv_hrtime();

		n->write_rc = node_store_write(n->st, n->flying.batch, true);
		n->write_ns = uv_hrtime() - t0;
	}
	if (n->write_rc == 0) {
		send_events(n, n->flying.events, true);
		n->flying.events = n->flying.events_tail = NULL;
		send_waiting(n, n->flying.waiting);
		n->flying.waiting = NULL;
	}
}

static void
fail_waiting(struct node_slot *list, int status)
{
	for (struct node_slot *s = list; s != NULL; s = s->next_wait) {
		set_status_reply(s, NULL, status);
	}
}

static void
send_waiting(struct node *n, struct node_slot *list)
{
	while (list != NULL) {
		struct node_slot *next = list->next_wait;

		list->next_wait = NULL;
		send_reply(n, list);
		list = next;
	}
}

static void
write_done(uv_work_t *w, int status)
{
	struct node *n = w->data;
	struct node_slot *sent = n->flying.waiting;
	int rc = status != 0 ? CM_EINTERNAL : n->write_rc;

	(void)status;
	send_events(n, n->flying.events, rc == 0);
	n->flying.events = n->flying.events_tail = NULL;
	if (rc == 0) {
		n->syncs++;
		n->synced_ops += n->write_ops;
		n->synced_replies += n->flying.nwaiting;
		n->sync_ns += n->write_ns;
		node_overlay_settle(n, n->flying.id);
		node_pend_settle(n, n->flying.id);
		n->durable_seq = n->flying_seq;
		n->durable_gen = n->flying.id;
		node_repl_durable(n, &n->flying);
		if (n->forms_reload_gen != 0 &&
		    n->forms_reload_gen <= n->durable_gen) {
			/* A matter published at another hall is in force. */
			n->forms_reload_gen = 0;
			node_load_forms(n);
		}
	} else {
		/* Nothing of this batch is durable, and the open batch was built
		 * on top of it: refuse both, forget what memory believed, and
		 * read the counters back from the disk. */
		struct node_slot *also = n->open.waiting;

		cm_log_error("store.write_failed",
		    "error=%s ops_lost_unacked=1", cm_err_name(rc));
		fail_waiting(sent, rc);
		fail_waiting(also, rc);
		for (struct node_slot *s = also; s != NULL;) {
			struct node_slot *next = s->next_wait;

			s->next_wait = NULL;
			send_reply(n, s);
			s = next;
		}
		if (n->open.batch != NULL) {
			node_batch_free(n->open.batch);
		}
		node_gen_drop_ops(&n->open);
		send_events(n, n->open.events, false);
		memset(&n->open, 0, sizeof(n->open));
		node_overlay_settle(n, UINT64_MAX);
		node_pend_settle(n, UINT64_MAX);
		if (n->flying.nremote > 0 || n->repl != NULL) {
			/* The replication core counts ops of other halls
			 * that are lost now: take nothing more, and start
			 * again from the disk. */
			node_repl_halt(n);
			cm_log_error("repl.write_failed", "restart=1");
			n->exit_code = 1;
			n->stopping = true;
		}
		/* The requests of the lost batches were not done after all. */
		for (size_t i = 0; i < NODE_RECENT_REQS; i++) {
			if (n->recent[i].gen > n->durable_gen) {
				n->recent[i].gen = 0;
			}
		}
		/* The chain head too: the worker advanced it over ops that
		 * are lost. */
		if (node_reload_counters(n) != 0) {
			cm_log_error("node.reload_failed", NULL);
			n->exit_code = 1;
			n->stopping = true;
		}
	}
	node_batch_free(n->flying.batch);
	node_gen_drop_ops(&n->flying);
	node_gen_drop_sealed(&n->flying);
	memset(&n->flying, 0, sizeof(n->flying));
	n->writing = false;
	send_waiting(n, sent);
	maybe_flush(n);
}

void
node_flush_soon(struct node *n)
{
	maybe_flush(n);
}

static void
maybe_flush(struct node *n)
{
	if (n->writing) {
		return;
	}
	if (n->open.batch == NULL && n->open.waiting == NULL) {
		if (n->stopping && n->jobs == 0) {
			uv_stop(&n->loop);
		}
		return;
	}
	if (n->open.batch == NULL) {
		/* Readers waiting for the batch that just synced: nothing
		 * new to write, an empty batch makes them wait in order. */
		if (node_open_batch(n) != 0) {
			fail_waiting(n->open.waiting, CM_ENOMEM);
			send_waiting(n, n->open.waiting);
			n->open.waiting = NULL;
			return;
		}
	}
	n->open.meta_hlc = n->hlc.last;
	n->open.meta_log_ops = n->log_ops;
	n->flying = n->open;
	n->flying_seq = n->seq;
	memset(&n->open, 0, sizeof(n->open));
	n->writing = true;
	n->work.data = n;
	uv_queue_work(&n->loop, &n->work, write_work, write_done);
}

/* ---- requests ----------------------------------------------------------- */

/* Pack resp into the slot's reply and send it now or after the batch. */
static void
reply_with(struct node *n, struct node_slot *s, Ow__Response *resp,
    const char *request_id, enum node_disp disp)
{
	if (resp->status != 0 && resp->error == NULL) {
		resp->error = (char *)(uintptr_t)cm_strerror(resp->status);
	}
	/* Timed to the reply made (now, or after a worker job); a reply
	 * that waits for its batch is not timed to the sync (metrics.h). */
	node_metrics_request_end(n, s, resp->status);
	s->reply_len = ow__response__get_packed_size(resp);
	if (s->reply_len > NODE_RESP_MAX) {
		node_response_free(resp);
		set_status_reply(s, request_id, CM_ETOOBIG);
	} else {
		s->reply = cm_malloc(s->reply_len);
		if (s->reply != NULL) {
			ow__response__pack(resp, s->reply);
		}
		node_response_free(resp);
		if (s->reply == NULL) {
			set_status_reply(s, request_id, CM_ENOMEM);
		}
	}
	if (disp == NODE_REPLY_AFTER_BATCH) {
		node_defer_reply(n, s);
	} else {
		send_reply(n, s);
	}
}

void
node_finish_async(struct node *n, struct node_slot *slot, Ow__Response *resp,
    enum node_disp disp)
{
	reply_with(n, slot, resp, resp->request_id, disp);
	maybe_flush(n);
}

static void
process(struct node *n, struct node_slot *s)
{
	Ow__Response resp = OW__RESPONSE__INIT;
	Ow__Request *req;
	nng_msg *msg = s->msg;
	enum node_disp disp;

	s->msg = NULL;
	if (nng_msg_len(msg) > NODE_REQ_MAX) {
		/* Within the frame, beyond the request limit: say so. */
		nng_msg_free(msg);
		set_status_reply(s, NULL, CM_ETOOBIG);
		send_reply(n, s);
		return;
	}
	req = ow__request__unpack(NULL, nng_msg_len(msg), nng_msg_body(msg));
	nng_msg_free(msg);
	if (req == NULL) {
		cm_log_warn("api.bad_message", "slot=%d", s->index);
		set_status_reply(s, NULL, CM_EPROTO);
		send_reply(n, s);
		return;
	}
	if (n->stopping) {
		/* Stopping: finish what is in flight, take nothing new, so
		 * that a busy hall cannot hold the stop off. */
		set_status_reply(s, req->request_id, CM_ECLOSED);
		send_reply(n, s);
		ow__request__free_unpacked(req, NULL);
		return;
	}
	if (req->version != 1) {
		set_status_reply(s, req->request_id, CM_EPROTO);
		send_reply(n, s);
		ow__request__free_unpacked(req, NULL);
		return;
	}
	resp.version = 1;
	resp.request_id = req->request_id;
	node_metrics_request_begin(n, s, (int)req->body_case);
	disp = node_handle(n, s, req, &resp);
	if (disp != NODE_REPLY_LATER) {
		reply_with(n, s, &resp, req->request_id, disp);
	}
	ow__request__free_unpacked(req, NULL);
}

static void
wake_cb(uv_async_t *a)
{
	struct node *n = a->data;
	struct node_slot *list;

	pthread_mutex_lock(&n->lock);
	list = n->done_head;
	n->done_head = n->done_tail = NULL;
	atomic_store_explicit(&n->has_requests, false, memory_order_relaxed);
	pthread_mutex_unlock(&n->lock);
	while (list != NULL) {
		struct node_slot *next = list->next_done;

		list->next_done = NULL;
		process(n, list);
		list = next;
	}
	maybe_flush(n);
}

/* nng thread: a receive or a send completed. */
static void
slot_cb(void *arg)
{
	struct node_slot *s = arg;
	struct node *n = s->n;
	int rv = nng_aio_result(s->aio);

	if (atomic_load(&sockets_closing)) {
		nng_msg *m = nng_aio_get_msg(s->aio);

		if (m != NULL && (rv != 0 || s->state != SLOT_SEND)) {
			nng_aio_set_msg(s->aio, NULL);
			nng_msg_free(m);
		}
		return;
	}
	if (s->state == SLOT_SEND) {
		if (rv != 0) {
			nng_msg *m = nng_aio_get_msg(s->aio);

			if (m != NULL) {
				nng_msg_free(m);
			}
		}
		s->state = SLOT_RECV;
		nng_ctx_recv(s->ctx, s->aio);
		return;
	}
	if (rv != 0) {
		if (rv != NNG_ECLOSED && rv != NNG_ECANCELED) {
			nng_ctx_recv(s->ctx, s->aio);
		}
		return;
	}
	s->msg = nng_aio_get_msg(s->aio);
	s->state = SLOT_BUSY;
	pthread_mutex_lock(&n->lock);
	if (n->done_tail != NULL) {
		n->done_tail->next_done = s;
	} else {
		n->done_head = s;
	}
	n->done_tail = s;
	atomic_store_explicit(&n->has_requests, true, memory_order_relaxed);
	pthread_mutex_unlock(&n->lock);
	uv_async_send(&n->wake);
}

/* ---- events ------------------------------------------------------------- */

/*
 * Events announce changes that are durable: an event of a change waits in
 * its batch and goes out when the batch is synced (a screen that refreshes
 * on it must find the change), and is dropped with a batch that failed.
 * Hints only: a screen that misses one refreshes on the next.
 */
void
node_publish(struct node *n, const Ow__Event *ev)
{
	size_t len = ow__event__get_packed_size(ev);
	struct node_event *e = cm_malloc(sizeof(*e) + len);

	if (e == NULL) {
		return;
	}
	e->len = len;
	ow__event__pack(ev, e->bytes);
	if (n->open.batch == NULL) {
		nng_send(n->pub, e->bytes, len, NNG_FLAG_NONBLOCK);
		cm_free(e);
		return;
	}
	e->next = NULL;
	*(n->open.events_tail != NULL ? &n->open.events_tail->next
	                              : &n->open.events) = e;
	n->open.events_tail = e;
}

static void
send_events(struct node *n, struct node_event *e, bool durable)
{
	while (e != NULL) {
		struct node_event *next = e->next;

		if (durable) {
			nng_send(n->pub, e->bytes, e->len, NNG_FLAG_NONBLOCK);
		}
		cm_free(e);
		e = next;
	}
}

/* ---- sockets ------------------------------------------------------------ */

static int
listen_tls(struct node *n)
{
	nng_tls_config *tls = NULL;
	int rv =
	    node_tls_config(&n->cfg, n->cfg.tls_ca, NNG_TLS_MODE_SERVER, &tls);

	if (rv == 0) {
		rv = nng_listener_create(&n->tls_l, n->rep, n->cfg.listen_tls);
	}
	if (rv == 0) {
		/* Mutual TLS: a desk on the LAN shows a certificate of the
		 * city CA before it may even log in. */
		rv = nng_listener_set_ptr(n->tls_l, NNG_OPT_TLS_CONFIG, tls);
	}
	if (rv == 0) {
		nng_listener_set_size(
		    n->tls_l, NNG_OPT_RECVMAXSZ, NODE_FRAME_MAX);
		rv = nng_listener_start(n->tls_l, 0);
	}
	if (tls != NULL) {
		nng_tls_config_free(tls); /* the listener holds a reference */
	}
	return rv;
}

static int
open_sockets(struct node *n)
{
	int rv;

	if (n->cfg.listen[0] != '\0') {
		snprintf(n->rep_url, sizeof(n->rep_url), "%s", n->cfg.listen);
	} else {
		node_client_local_url(
		    n->datadir, n->rep_url, sizeof(n->rep_url));
	}
	if (n->cfg.events[0] != '\0') {
		snprintf(n->pub_url, sizeof(n->pub_url), "%s", n->cfg.events);
	} else {
		snprintf(n->pub_url, sizeof(n->pub_url), "ipc://%s/events.sock",
		    n->datadir);
	}
	rv = nng_rep0_open(&n->rep);
	if (rv != 0) {
		return rv;
	}
	/* Unlimited by default in nng 1.5.2, and an oversize message
	 * silently drops the connection: cap it everywhere. */
	nng_socket_set_size(n->rep, NNG_OPT_RECVMAXSZ, NODE_FRAME_MAX);
	rv = nng_listener_create(&n->rep_l, n->rep, n->rep_url);
	if (rv == 0) {
		nng_listener_set_size(
		    n->rep_l, NNG_OPT_RECVMAXSZ, NODE_FRAME_MAX);
		rv = nng_listener_start(n->rep_l, 0);
	}
	if (rv != 0) {
		cm_log_error("api.listen_failed", "url=%s error=%s", n->rep_url,
		    nng_strerror(rv));
		return rv;
	}
	if (n->cfg.listen_tls[0] != '\0') {
		rv = listen_tls(n);
		if (rv != 0) {
			cm_log_error("api.tls_listen_failed", "url=%s error=%s",
			    n->cfg.listen_tls, nng_strerror(rv));
			return rv;
		}
	}
	rv = nng_pub0_open(&n->pub);
	if (rv == 0) {
		rv = nng_listen(n->pub, n->pub_url, &n->pub_l, 0);
	}
	if (rv != 0) {
		cm_log_error("events.listen_failed", "url=%s error=%s",
		    n->pub_url, nng_strerror(rv));
		return rv;
	}
	for (int i = 0; i < NODE_NCTX; i++) {
		struct node_slot *s = &n->slots[i];

		s->n = n;
		s->index = i;
		rv = nng_ctx_open(&s->ctx, n->rep);
		if (rv == 0) {
			rv = nng_aio_alloc(&s->aio, slot_cb, s);
		}
		if (rv != 0) {
			return rv;
		}
		s->state = SLOT_RECV;
		nng_ctx_recv(s->ctx, s->aio);
	}
	return 0;
}

/*
 * Closing the sockets, on a thread of its own: nng 1.5.2's nng_close can
 * wait forever for a connection it never finishes tearing down (seen in
 * the tests when desks were connected at the stop; nanomsg/nng#1827,
 * fixed only in later releases). Everything acknowledged is on disk by
 * now, so the stop waits CLOSE_WAIT_S for the sockets and then goes on
 * (closing the store, logging node.stopped) without them; the process's
 * exit closes the connections. The closer's state is static, so that a
 * closer still stuck when the node is gone holds nothing of it.
 */
#define CLOSE_WAIT_S 5

static struct {
	nng_aio *aios[NODE_NCTX];
	nng_socket rep, pub;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
} closer = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *
closer_main(void *arg)
{
	(void)arg;
	/* Every aio first (nanomsg/nng#1543: closing a socket with
	 * operations in flight can hang), then the sockets. */
	for (int i = 0; i < NODE_NCTX; i++) {
		if (closer.aios[i] != NULL) {
			nng_aio_stop(closer.aios[i]);
		}
	}
	nng_close(closer.rep);
	nng_close(closer.pub);
	pthread_mutex_lock(&closer.mu);
	closer.done = true;
	pthread_cond_signal(&closer.cv);
	pthread_mutex_unlock(&closer.mu);
	return NULL;
}

/* True when the sockets closed within CLOSE_WAIT_S. */
static bool
close_bounded(struct node *n)
{
	struct timespec until;
	pthread_t t;
	bool done;

	for (int i = 0; i < NODE_NCTX; i++) {
		closer.aios[i] = n->slots[i].aio;
	}
	closer.rep = n->rep;
	closer.pub = n->pub;
	closer.done = false;
	atomic_store(&sockets_closing, true);
	if (pthread_create(&t, NULL, closer_main, NULL) != 0) {
		closer_main(NULL);
		return true;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CLOSE_WAIT_S;
	pthread_mutex_lock(&closer.mu);
	while (!closer.done &&
	       pthread_cond_timedwait(&closer.cv, &closer.mu, &until) == 0) {
	}
	done = closer.done;
	pthread_mutex_unlock(&closer.mu);
	if (done) {
		pthread_join(t, NULL);
	} else {
		pthread_detach(t);
		cm_log_warn("node.close_stuck",
		    "after=%ds: the request sockets did not close (nng); "
		    "stopping without them, every acknowledged change is on "
		    "disk",
		    CLOSE_WAIT_S);
	}
	return done;
}

static void
close_sockets(struct node *n)
{
	/* A stuck closer keeps the aios (closer.aios): nng may still
	 * hold them. */
	bool closed = close_bounded(n);

	for (int i = 0; i < NODE_NCTX; i++) {
		struct node_slot *s = &n->slots[i];

		if (s->aio != NULL) {
			if (closed) {
				nng_aio_free(s->aio);
				closer.aios[i] = NULL;
			}
			s->aio = NULL;
		}
		if (s->msg != NULL) {
			nng_msg_free(s->msg);
			s->msg = NULL;
		}
		cm_free(s->reply);
		s->reply = NULL;
	}
}

/* ---- the listener watchdog ---------------------------------------------- */

/*
 * nng 1.5.2 (issue 1518): a peer that drops during the handshake can leave
 * a listener that accepts nothing more. Every 10 s a worker dials the
 * node's own address and sends an empty request; two failures in a row
 * while the loop is alive and the listener is re-created.
 */
struct probe {
	uv_work_t w;
	struct node *n;
	int rc;
};

static int probe_failures;
static bool probing;

static void
probe_work(uv_work_t *w)
{
	struct probe *p = w->data;
	struct node_client *c = NULL;
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *resp = NULL;

	p->rc = node_client_open(p->n->rep_url, NULL, 2000, &c);
	if (p->rc == 0) {
		p->rc = node_client_call(c, &req, &resp);
		if (resp != NULL) {
			ow__response__free_unpacked(resp, NULL);
		}
	}
	node_client_close(c);
}

static void
probe_done(uv_work_t *w, int status)
{
	struct probe *p = w->data;
	struct node *n = p->n;

	node_job_done(n);
	probing = false;
	if (status == 0 && p->rc == 0) {
		probe_failures = 0;
	} else if (!n->stopping && ++probe_failures >= 2) {
		cm_log_warn(
		    "api.listener_restart", "reason=%s", cm_err_name(p->rc));
		nng_listener_close(n->rep_l);
		if (nng_listener_create(&n->rep_l, n->rep, n->rep_url) == 0) {
			nng_listener_set_size(
			    n->rep_l, NNG_OPT_RECVMAXSZ, NODE_FRAME_MAX);
			nng_listener_start(n->rep_l, 0);
		}
		probe_failures = 0;
	}
	cm_free(p);
	maybe_flush(n); /* a stop may have waited for this job */
}

/* ---- timers and signals ------------------------------------------------- */

/*
 * The warning sweep reads every running case of the hall, so a pass over
 * a large hall takes minutes of the loop's time. It runs in slices of at
 * most SWEEP_SLICE_US every SWEEP_EVERY_MS (a tenth of an idle loop), and
 * a slice gives way as soon as a request is waiting (after a floor of
 * SWEEP_FLOOR_US, so that a busy hall still gets its pass): a request
 * waits for at most one case of the sweep, not for a whole slice.
 */
#define SWEEP_EVERY_MS 50
#define SWEEP_SLICE_US 5000
#define SWEEP_FLOOR_US 200

bool
node_requests_waiting(struct node *n)
{
	return atomic_load_explicit(&n->has_requests, memory_order_relaxed);
}

static void
sweep_cb(uv_timer_t *t)
{
	struct node *n = t->data;

	if (node_warnings_sweep(n, SWEEP_SLICE_US, SWEEP_FLOOR_US)) {
		n->sweeping = false;
		n->swept_day = n->sweep_day;
		uv_timer_stop(&n->sweep_timer);
	}
	maybe_flush(n);
}

static void
compact_cb(uv_timer_t *t)
{
	struct node *n = t->data;

	if (n->stopping ||
	    node_compact_sweep(n, SWEEP_SLICE_US, SWEEP_FLOOR_US)) {
		n->compacting = false;
		n->compact_next_ms =
		    uv_now(&n->loop) + (uint64_t)n->cfg.compact_every_s * 1000u;
		uv_timer_stop(&n->compact_timer);
	}
	maybe_flush(n);
}

static void
tick_cb(uv_timer_t *t)
{
	struct node *n = t->data;
	static unsigned ticks;
	int32_t today = node_today(n);

	ticks++;
	if (n->queue.day != today) {
		node_queue_roll(&n->queue, today);
	}
	if (ticks % 60 == 0) {
		size_t gone = node_sessions_expire(&n->sessions, node_now(n));

		if (gone > 0) {
			cm_log_info("auth.sessions_expired", "count=%zu", gone);
		}
	}
	/* Deadline warnings move with working days: a pass when the day
	 * changes (checked every tick_seconds) and at start, in slices on
	 * the sweep timer. */
	if (!n->sweeping && today != n->swept_day &&
	    (n->swept_day == 0 || ticks % (unsigned)n->cfg.tick_seconds == 0)) {
		n->sweeping = true;
		n->sweep_day = today;
		uv_timer_start(&n->sweep_timer, sweep_cb, 0, SWEEP_EVERY_MS);
	}
	/* Seals and compaction (compact.c): a pass every compact_every_s,
	 * the first a minute after start, in slices as the sweep. */
	if (!n->compacting && !n->stopping &&
	    uv_now(&n->loop) >= n->compact_next_ms) {
		n->compacting = true;
		uv_timer_start(
		    &n->compact_timer, compact_cb, 0, SWEEP_EVERY_MS);
	}
	if (ticks % 600 == 5) {
		/* Ops warnings: logged when they appear (opswarn.c). */
		node_ops_warnings_log(n);
	}
	if (ticks % 10 == 0 && !probing && !n->stopping) {
		struct probe *p = cm_calloc(1, sizeof(*p));

		if (p != NULL) {
			p->n = n;
			p->w.data = p;
			probing = true;
			if (node_queue_job(n, &p->w, probe_work, probe_done) !=
			    0) {
				probing = false;
				cm_free(p);
			}
		}
	}
}

/* The log level of the configuration file, read again: the one change
 * that takes no restart. A file that no longer parses changes nothing. */
static void
reload_log_level(struct node *n)
{
	struct node_config cfg;
	struct form_diags d;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (n->config_path[0] == '\0') {
		return;
	}
	rc = cm_file_read(n->config_path, 1 << 20, &buf, &len);
	if (rc != 0) {
		cm_log_warn("node.reload_failed", "what=config error=%s",
		    cm_err_name(rc));
		return;
	}
	node_config_defaults(&cfg);
	form_diags_init(&d);
	rc = node_config_parse(&cfg, n->config_path, buf, len, &d);
	form_diags_free(&d);
	cm_free(buf);
	if (rc != 0) {
		cm_log_warn("node.reload_failed", "what=config error=%s",
		    cm_err_name(rc));
		return;
	}
	if (cfg.log_level != cm_log_get_level()) {
		cm_log_set_level(cfg.log_level);
		n->cfg.log_level = cfg.log_level;
		cm_log_info("node.log_level", "level=%s",
		    cfg.log_level == CM_LOG_DEBUG  ? "debug"
		    : cfg.log_level == CM_LOG_INFO ? "info"
		    : cfg.log_level == CM_LOG_WARN ? "warn"
		                                   : "error");
	}
}

static void
signal_cb(uv_signal_t *sig, int signum)
{
	struct node *n = sig->data;

	if (signum == SIGHUP) {
		/* Reload catalog and calendar published meanwhile, and the
		 * log level from the configuration file (systemctl reload). */
		node_load_forms(n);
		reload_log_level(n);
		return;
	}
	cm_log_info("node.stopping", "signal=%d", signum);
	n->stopping = true;
	/* Stop taking requests; the batch in flight finishes first. */
	nng_listener_close(n->rep_l);
	maybe_flush(n);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h)) {
		uv_close(h, NULL);
	}
}

/* ---- the stop watchdog ---------------------------------------------------- */

#define STOP_WATCHDOG_S 20

static atomic_bool stop_done;
static int stop_rc;

static void *
stop_watchdog(void *arg)
{
	(void)arg;
	for (int i = 0; i < STOP_WATCHDOG_S * 10; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (atomic_load(&stop_done)) {
			return NULL;
		}
		nanosleep(&ts, NULL);
	}
	if (!atomic_load(&stop_done)) {
		cm_log_error("node.stop_stuck",
		    "after=%ds: exiting without closing the sockets (every "
		    "acknowledged change is on disk)",
		    STOP_WATCHDOG_S);
		_exit(stop_rc == 0 ? 0 : 1);
	}
	return NULL;
}

static void
stop_watchdog_start(int rc)
{
	pthread_t t;

	stop_rc = rc;
	if (pthread_create(&t, NULL, stop_watchdog, NULL) == 0) {
		pthread_detach(t);
	}
}

int
node_serve(struct node *n)
{
	int rv, rc = 0;

	if (uv_loop_init(&n->loop) != 0 ||
	    pthread_mutex_init(&n->lock, NULL) != 0) {
		return CM_EINTERNAL;
	}
	atomic_init(&n->has_requests, false);
	atomic_store(&sockets_closing, false);
	n->wake.data = n;
	uv_async_init(&n->loop, &n->wake, wake_cb);
	/* First: a metrics_listen that is refused stops the start before
	 * anything listens. */
	rc = node_metrics_start(n);
	if (rc != 0) {
		goto out;
	}
	rv = open_sockets(n);
	if (rv != 0) {
		rc = node_err_from_nng(rv);
		goto out;
	}
	n->tick.data = n;
	uv_timer_init(&n->loop, &n->tick);
	n->sweep_timer.data = n;
	uv_timer_init(&n->loop, &n->sweep_timer);
	uv_timer_init(&n->loop, &n->compact_timer);
	n->compact_timer.data = n;
	n->compact_next_ms = uv_now(&n->loop) +
	                     (n->cfg.compact_every_s < 60
	                             ? (uint64_t)n->cfg.compact_every_s * 1000u
	                             : 60000u);
	uv_timer_start(&n->tick, tick_cb, 1000, 1000);
	n->sigterm.data = n->sigint.data = n->sighup.data = n;
	uv_signal_init(&n->loop, &n->sigterm);
	uv_signal_init(&n->loop, &n->sigint);
	uv_signal_init(&n->loop, &n->sighup);
	uv_signal_start(&n->sigterm, signal_cb, SIGTERM);
	uv_signal_start(&n->sigint, signal_cb, SIGINT);
	uv_signal_start(&n->sighup, signal_cb, SIGHUP);
	rc = node_repl_start(n);
	if (rc != 0) {
		cm_log_error("repl.start_failed", "error=%s", cm_err_name(rc));
		goto out;
	}
	cm_log_info("node.ready", "node=%s hall_code=%s url=%s seq=%llu",
	    n->node_id, n->hall_code, n->rep_url, (unsigned long long)n->seq);
	uv_run(&n->loop, UV_RUN_DEFAULT);
	rc = n->exit_code != 0 ? CM_EIO : 0;
	/* Every acknowledged change is synced by now: a stop that hangs in
	 * a library (nng 1.5.2's close, nanomsg/nng#1543) must not keep
	 * the hall's node from stopping. */
	stop_watchdog_start(rc);
out:
	node_metrics_stop(n);
	node_repl_stop(n);
	close_sockets(n);
	/* Requests that arrived after the stop were never handled. */
	uv_walk(&n->loop, close_walk, NULL);
	uv_run(&n->loop, UV_RUN_DEFAULT);
	uv_loop_close(&n->loop);
	pthread_mutex_destroy(&n->lock);
	cm_log_info("node.stopped", "seq=%llu", (unsigned long long)n->seq);
	atomic_store(&stop_done, true);
	return rc;
}
