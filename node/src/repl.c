/*
 * repl.c: the replication binding of ow-node. It runs the protocol core
 * (replication/, repl/core.h) on the node's loop and carries its effects
 * over nng:
 *
 *   REP  (repl_listen)  peers' pulls, answered with batches
 *   REQ  (one per peer) this hall's pulls, dialed to each peer's listener
 *   PUB  (repl_hints)   hints: "my vector moved"
 *   SUB  (one per peer) the peers' hints, dialed to the address a peer
 *                       names in its challenge
 *
 * Every socket uses tls+tcp:// with the city CA both ways (mutual TLS),
 * NNG_OPT_RECVMAXSZ >= REPL_MSG_MAX. nng 1.5.2 does not tell which
 * certificate the other end showed, so a requester proves its node id on
 * each connection: the responder answers the first message of a
 * connection with a challenge (a random nonce), and the requester sends
 * the message again with its Ed25519 signature over the nonce and both
 * ids. The key is the one ops registered with `peer add`. Everything on
 * these sockets is a ReplLink (common/proto/onewindow.proto);
 * docs/replication.md ("Binding") specifies it.
 *
 * Threads: nng completes on its own threads and queues what it got under
 * a lock, then wakes the loop (uv_async); everything else, the core
 * included, runs on the loop. Peers are never freed while the node runs
 * (a removed one is closed and marked), so a queued completion never
 * points at freed memory.
 */
#include "handlers.h"
#include "metrics.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "repl/core.h"
#include "repl/link.h"
#include "repl/msg.h"
#include "node/client.h"

#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RSLOTS      8
#define PIPES_MAX   128
#define NONCE_BYTES REPL_NONCE_BYTES
#define DIFFER_MAX  1000
#define ASK_MAX                                                                \
	4 /* buckets listed per verify: an answer under
                         REPL_MSG_MAX up to ~4M cases */
#define PRE_MIN_OPS                                                            \
	64           /* batches this big have their signatures checked
                          on the thread pool first */
#define PRE_JOBS   2 /* ... in this many parts (the machine's cores) */
#define PRE_DIGEST 16

enum rin_kind { IN_REQUEST, IN_REPLY, IN_HINT, IN_VERIFY, IN_DIGEST_DONE };

struct rslot;
struct rpeer;

/* A completion handed from an nng thread (or a worker) to the loop. */
struct rin {
	struct rin *next;
	enum rin_kind kind;
	struct rslot *slot;
	struct rpeer *peer;
	nng_msg *msg;
	int rv;
};

struct rslot {
	struct node_repl *r;
	nng_ctx ctx;
	nng_aio *aio;
	enum { RS_RECV, RS_BUSY, RS_SEND } state;
	/* A digest being computed for this request. */
	uv_work_t work;
	bool ask[256];
	Ow__ReplDigest dg;
	int dg_rc;
	/* A page of this hall's checkpoint being read for the request. */
	Ow__ReplLink *seed_ask;
	Ow__ReplSeed seed;
	int seed_rc;
};

struct rpeer {
	struct node_repl *r;
	char id[NODE_ORIGIN_MAX + 1];
	char url[512];   /* "-": a known hall, not dialed */
	char hints[512]; /* its hint address, from its challenge */
	unsigned char pk[NODE_PK_BYTES];
	bool removed;
	/* Pulls: one REQ socket, one context for pulls, one for digests. */
	bool open;
	nng_socket req;
	nng_dialer dialer;
	nng_ctx ctx, vctx;
	nng_aio *aio, *vaio;
	atomic_int stage; /* 0 idle, 1 sending, 2 receiving (pull ctx) */
	atomic_int vstage;
	uint8_t *queued, *inflight; /* ReplMessage bytes */
	size_t qlen, flen;
	bool busy;
	int challenges; /* in a row, for the message in flight */
	unsigned char nonce[NONCE_BYTES];
	bool have_nonce;
	atomic_int pipes; /* connections up */
	/* Hints. */
	bool sub_open;
	nng_socket sub;
	nng_aio *sub_aio;
	struct rpeer *next;
};

/* What a responder knows of one connection. */
struct rpipe {
	uint32_t id;
	bool proven;
	char node[NODE_ORIGIN_MAX + 1];
	unsigned char nonce[NONCE_BYTES];
	uint64_t used;
};

/* A re-seed in progress (one at a time): the peer, the next page's
 * cursor, what came so far. */
struct rseed {
	bool active;
	struct rpeer *peer;
	char *after;
	int retries;
	struct node_seed_stats st;
	size_t pages;
	uint64_t started;
};

/* A peer verify in progress (one at a time). */
struct rverify {
	bool active;
	struct node_slot *slot;
	Ow__Response *resp;
	struct rpeer *peer;
	int stage; /* 1: totals, 2: buckets listed */
	int retries;
	bool have_local, have_remote;
	Ow__ReplDigest local, remote;
	bool local_owned;
	Ow__ReplLink *remote_link;
	bool ask[256];
	uv_work_t work;
	int local_rc;
};

struct node_repl {
	struct node *n;
	struct repl *core;
	struct repl_log_ops logops;
	struct repl_effects fx;
	struct rslot *cur_slot; /* the request whose reply is being made */
	bool replied;
	nng_tls_config *tls_server, *tls_client;
	bool rep_open, pub_open;
	nng_socket rep, pub;
	nng_listener rep_l, pub_l;
	struct rslot slots[RSLOTS];
	struct rpeer *peers;
	struct rpipe pipes[PIPES_MAX];
	uint64_t pipe_clock;
	pthread_mutex_t lock;
	struct rin *in_head, *in_tail;
	uv_async_t wake;
	uv_timer_t timer;
	struct rverify verify;
	struct rseed seed;
	uint64_t recovery_from; /* now_ms when a restored hall started */
	/* A write the core counts on failed: take nothing more (the node
	 * stops and starts again from the disk). */
	bool halted;
	/* Signatures of the batch being taken, checked on the thread pool
	 * (pre_check): sorted digests of the SignedOp bytes and the key. */
	struct repl_verified_ops pre_ops;
	const unsigned char (*pre)[PRE_DIGEST];
	size_t npre;
	/* Ops refused for a clock too far ahead, this hour and the last. */
	uint64_t clock_refused, clock_refused_prev, clock_hour;
	/* Buffers the log ops lent the core during one call. */
	void **lent;
	size_t nlent, clent;
};

static void run_effects(struct node_repl *r);
static void seed_on_reply(struct node_repl *r, nng_msg *m);
static void peer_start_send(struct rpeer *p);
static void verify_step(struct node_repl *r);

/* A node__dup result: "" is protobuf-c's static empty string. */
static void
free_dup(char *s)
{
	if (s != NULL && s != (char *)(uintptr_t)protobuf_c_empty_string) {
		free(s);
	}
}

/* ---- time ---------------------------------------------------------------- */

static uint64_t
now_ms(void)
{
	return uv_hrtime() / 1000000u;
}

static void timer_cb(uv_timer_t *t);

/* Arm the timer for the core's next deadline. */
static void
rearm(struct node_repl *r)
{
	uint64_t next = repl_next_timer(r->core), now = now_ms();

	if (next == UINT64_MAX) {
		uv_timer_stop(&r->timer);
		return;
	}
	uv_timer_start(&r->timer, timer_cb, next > now ? next - now : 0, 0);
}

/* ---- the log, as the core reads it ----------------------------------------- */

static int
log_get(void *arg, const char *origin, uint64_t seq, const uint8_t **buf,
    size_t *len)
{
	struct node_repl *r = arg;
	uint8_t key[1 + NODE_ORIGIN_MAX + 8];
	size_t klen = node_log_key(origin, seq, key);
	void *val = NULL;
	size_t vlen = 0;
	int rc;

	if (klen == 0) {
		return CM_EINVAL;
	}
	rc = node_store_get(r->n->st, NODE_CF_LOG, key, klen, &val, &vlen);
	if (rc == CM_ENOTFOUND) {
		/* Counted by the core, not durable yet. */
		return node_pend_get_signed(r->n, origin, seq, buf, len) == 0
		           ? 0
		           : CM_ENOENT;
	}
	if (rc != 0) {
		return rc;
	}
	if (r->nlent == r->clent) {
		size_t ncap = r->clent == 0 ? 64 : r->clent * 2;
		void **nl = cm_reallocarray(r->lent, ncap, sizeof(*nl));

		if (nl == NULL) {
			cm_free(val);
			return CM_ENOMEM;
		}
		r->lent = nl;
		r->clent = ncap;
	}
	r->lent[r->nlent++] = val;
	*buf = val;
	*len = vlen;
	return 0;
}

static void
free_lent(struct node_repl *r)
{
	for (size_t i = 0; i < r->nlent; i++) {
		cm_free(r->lent[i]);
	}
	r->nlent = 0;
}

/* ---- the queue from nng threads to the loop ------------------------------- */

static void
post(struct node_repl *r, enum rin_kind kind, struct rslot *slot,
    struct rpeer *peer, nng_msg *msg, int rv)
{
	struct rin *in = cm_calloc(1, sizeof(*in));

	if (in == NULL) {
		/* Lost: a pull times out and is sent again; a request's
		 * requester resends it. */
		if (msg != NULL) {
			nng_msg_free(msg);
		}
		if (slot != NULL) {
			slot->state = RS_RECV;
			nng_ctx_recv(slot->ctx, slot->aio);
		}
		return;
	}
	in->kind = kind;
	in->slot = slot;
	in->peer = peer;
	in->msg = msg;
	in->rv = rv;
	pthread_mutex_lock(&r->lock);
	if (r->in_tail != NULL) {
		r->in_tail->next = in;
	} else {
		r->in_head = in;
	}
	r->in_tail = in;
	pthread_mutex_unlock(&r->lock);
	uv_async_send(&r->wake);
}

/* ---- ReplLink ------------------------------------------------------------- */

static Ow__ReplLink *
link_decode(nng_msg *m)
{
	Ow__ReplLink *l = NULL;

	repl_link_decode(nng_msg_body(m), nng_msg_len(m), &l);
	return l;
}

static void
link_free(Ow__ReplLink *l)
{
	repl_link_free(l);
}

static nng_msg *
link_pack(const Ow__ReplLink *l)
{
	size_t len = ow__repl_link__get_packed_size(l);
	nng_msg *m = NULL;

	if (nng_msg_alloc(&m, len) != 0) {
		return NULL;
	}
	ow__repl_link__pack(l, nng_msg_body(m));
	return m;
}

/* ---- peers ----------------------------------------------------------------- */

static struct rpeer *
peer_find(struct node_repl *r, const char *id)
{
	for (struct rpeer *p = r->peers; p != NULL; p = p->next) {
		if (!p->removed && strcmp(p->id, id) == 0) {
			return p;
		}
	}
	return NULL;
}

int
node_origin_pk(
    struct node *n, const char *origin, unsigned char pk[NODE_PK_BYTES])
{
	struct rpeer *p;

	if (strcmp(origin, n->node_id) == 0) {
		memcpy(pk, n->kp.pk, NODE_PK_BYTES);
		return 0;
	}
	if (n->repl == NULL) {
		return CM_ENOTFOUND;
	}
	/* A removed peer's key still opens the ops it made. */
	for (p = n->repl->peers; p != NULL; p = p->next) {
		if (strcmp(p->id, origin) == 0) {
			memcpy(pk, p->pk, NODE_PK_BYTES);
			return 0;
		}
	}
	return CM_ENOTFOUND;
}

int
node_origin_keys(struct node *n, struct node_origin_key **out, size_t *nout)
{
	size_t count = 1, i = 0;

	if (n->repl != NULL) {
		for (struct rpeer *p = n->repl->peers; p != NULL; p = p->next) {
			count++;
		}
	}
	*out = cm_calloc(count, sizeof(**out));
	if (*out == NULL) {
		return CM_ENOMEM;
	}
	snprintf((*out)[i].origin, sizeof((*out)[i].origin), "%s", n->node_id);
	memcpy((*out)[i++].pk, n->kp.pk, NODE_PK_BYTES);
	if (n->repl != NULL) {
		for (struct rpeer *p = n->repl->peers; p != NULL; p = p->next) {
			bool dup = false;

			for (size_t k = 0; k < i; k++) {
				dup =
				    dup || strcmp((*out)[k].origin, p->id) == 0;
			}
			if (dup) {
				continue; /* a re-added peer: the same key */
			}
			snprintf((*out)[i].origin, sizeof((*out)[i].origin),
			    "%s", p->id);
			memcpy((*out)[i++].pk, p->pk, NODE_PK_BYTES);
		}
	}
	*nout = i;
	return 0;
}

static void
pipe_cb(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
	struct rpeer *p = arg;

	(void)pipe;
	if (ev == NNG_PIPE_EV_ADD_POST) {
		atomic_fetch_add(&p->pipes, 1);
	} else if (ev == NNG_PIPE_EV_REM_POST) {
		atomic_fetch_sub(&p->pipes, 1);
	}
}

static void
peer_aio_cb(void *arg)
{
	struct rpeer *p = arg;
	int rv = nng_aio_result(p->aio);

	if (atomic_load(&p->stage) == 1) {
		if (rv == 0) {
			atomic_store(&p->stage, 2);
			nng_ctx_recv(p->ctx, p->aio);
			return;
		}
		nng_msg *m = nng_aio_get_msg(p->aio);

		if (m != NULL) {
			nng_msg_free(m);
		}
		atomic_store(&p->stage, 0);
		post(p->r, IN_REPLY, NULL, p, NULL, rv);
		return;
	}
	atomic_store(&p->stage, 0);
	post(p->r, IN_REPLY, NULL, p, rv == 0 ? nng_aio_get_msg(p->aio) : NULL,
	    rv);
}

static void
peer_vaio_cb(void *arg)
{
	struct rpeer *p = arg;
	int rv = nng_aio_result(p->vaio);

	if (atomic_load(&p->vstage) == 1) {
		if (rv == 0) {
			atomic_store(&p->vstage, 2);
			nng_ctx_recv(p->vctx, p->vaio);
			return;
		}
		nng_msg *m = nng_aio_get_msg(p->vaio);

		if (m != NULL) {
			nng_msg_free(m);
		}
		atomic_store(&p->vstage, 0);
		post(p->r, IN_VERIFY, NULL, p, NULL, rv);
		return;
	}
	atomic_store(&p->vstage, 0);
	post(p->r, IN_VERIFY, NULL, p,
	    rv == 0 ? nng_aio_get_msg(p->vaio) : NULL, rv);
}

static void
sub_aio_cb(void *arg)
{
	struct rpeer *p = arg;
	int rv = nng_aio_result(p->sub_aio);

	if (rv == NNG_ECLOSED || rv == NNG_ECANCELED) {
		return;
	}
	if (rv == 0) {
		post(p->r, IN_HINT, NULL, p, nng_aio_get_msg(p->sub_aio), 0);
	}
	nng_recv_aio(p->sub, p->sub_aio);
}

static int
set_tls(nng_dialer d, nng_tls_config *tls)
{
	int rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, tls);

	if (rv == 0) {
		nng_dialer_set_size(d, NNG_OPT_RECVMAXSZ, REPL_MSG_MAX);
		nng_dialer_set_ms(d, NNG_OPT_RECONNMINT, 100);
		nng_dialer_set_ms(d, NNG_OPT_RECONNMAXT, 5000);
	}
	return rv;
}

/* Dial a peer's listener (pulls and digests). */
static int
peer_open(struct rpeer *p)
{
	struct node_repl *r = p->r;
	int rv;

	if (strcmp(p->url, "-") == 0 || p->open) {
		return 0;
	}
	rv = nng_req0_open(&p->req);
	if (rv != 0) {
		return rv;
	}
	nng_socket_set_size(p->req, NNG_OPT_RECVMAXSZ, REPL_MSG_MAX);
	/* Pulls are idempotent; the core times them out itself. */
	nng_socket_set_ms(p->req, NNG_OPT_REQ_RESENDTIME, 60000);
	nng_pipe_notify(p->req, NNG_PIPE_EV_ADD_POST, pipe_cb, p);
	nng_pipe_notify(p->req, NNG_PIPE_EV_REM_POST, pipe_cb, p);
	rv = nng_ctx_open(&p->ctx, p->req);
	if (rv == 0) {
		rv = nng_ctx_open(&p->vctx, p->req);
	}
	if (rv == 0) {
		rv = nng_aio_alloc(&p->aio, peer_aio_cb, p);
	}
	if (rv == 0) {
		rv = nng_aio_alloc(&p->vaio, peer_vaio_cb, p);
	}
	if (rv == 0) {
		rv = nng_dialer_create(&p->dialer, p->req, p->url);
	}
	if (rv == 0) {
		rv = set_tls(p->dialer, r->tls_client);
	}
	if (rv == 0) {
		rv = nng_dialer_start(p->dialer, NNG_FLAG_NONBLOCK);
	}
	if (rv != 0) {
		if (p->aio != NULL) {
			nng_aio_free(p->aio);
			p->aio = NULL;
		}
		if (p->vaio != NULL) {
			nng_aio_free(p->vaio);
			p->vaio = NULL;
		}
		nng_close(p->req);
		return rv;
	}
	p->open = true;
	return 0;
}

/* Subscribe to the hints of a peer, once it told where they are. */
static void
peer_subscribe(struct rpeer *p)
{
	struct node_repl *r = p->r;
	nng_dialer d;
	int rv;

	if (p->sub_open || p->hints[0] == '\0') {
		return;
	}
	rv = nng_sub0_open(&p->sub);
	if (rv != 0) {
		return;
	}
	nng_socket_set(p->sub, NNG_OPT_SUB_SUBSCRIBE, "", 0);
	nng_socket_set_size(p->sub, NNG_OPT_RECVMAXSZ, 64 * 1024);
	rv = nng_aio_alloc(&p->sub_aio, sub_aio_cb, p);
	if (rv == 0) {
		rv = nng_dialer_create(&d, p->sub, p->hints);
	}
	if (rv == 0) {
		rv = set_tls(d, r->tls_client);
	}
	if (rv == 0) {
		nng_dialer_set_size(d, NNG_OPT_RECVMAXSZ, 64 * 1024);
		rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK);
	}
	if (rv != 0) {
		cm_log_warn("repl.hints_dial_failed", "peer=%s error=%s", p->id,
		    nng_strerror(rv));
		if (p->sub_aio != NULL) {
			nng_aio_free(p->sub_aio);
			p->sub_aio = NULL;
		}
		nng_close(p->sub);
		return;
	}
	p->sub_open = true;
	nng_recv_aio(p->sub, p->sub_aio);
}

/* Stop the peer's aios (waiting for their callbacks): before any socket
 * is closed, because closing a socket with operations in flight can hang
 * nng 1.5.2's reaper (nanomsg/nng#1543). */
static void
peer_stop_aios(struct rpeer *p)
{
	if (p->open) {
		nng_aio_stop(p->aio);
		nng_aio_stop(p->vaio);
	}
	if (p->sub_open) {
		nng_aio_stop(p->sub_aio);
	}
}

static void
peer_close(struct rpeer *p)
{
	peer_stop_aios(p);
	if (p->open) {
		nng_ctx_close(p->ctx);
		nng_ctx_close(p->vctx);
		nng_close(p->req);
		nng_aio_free(p->aio);
		nng_aio_free(p->vaio);
		p->aio = p->vaio = NULL;
		p->open = false;
	}
	if (p->sub_open) {
		nng_close(p->sub);
		nng_aio_free(p->sub_aio);
		p->sub_aio = NULL;
		p->sub_open = false;
	}
	cm_free(p->queued);
	cm_free(p->inflight);
	p->queued = p->inflight = NULL;
	p->busy = false;
}

/* A proof for peer p's latest challenge into l (sig holds the signature,
 * for as long as l is used); nothing before the peer challenged us. */
static void
add_proof(struct rpeer *p, Ow__ReplLink *l, Ow__ReplProof *pr,
    unsigned char sig[NODE_SIG_BYTES])
{
	struct node *n = p->r->n;
	uint8_t ab[REPL_AUTH_MAX];
	size_t al;

	if (!p->have_nonce ||
	    (al = repl_auth_bytes(p->id, n->node_id, p->nonce, ab)) == 0) {
		return;
	}
	crypto_sign_detached(sig, NULL, ab, al, n->kp.sk);
	pr->node = n->node_id;
	pr->nonce.data = p->nonce;
	pr->nonce.len = NONCE_BYTES;
	pr->signature.data = sig;
	pr->signature.len = NODE_SIG_BYTES;
	l->proof = pr;
}

/* Wrap a ReplMessage (with a proof once the peer challenged us). */
static nng_msg *
peer_link(struct rpeer *p, const uint8_t *buf, size_t len)
{
	Ow__ReplLink l = OW__REPL_LINK__INIT;
	Ow__ReplProof pr = OW__REPL_PROOF__INIT;
	unsigned char sig[NODE_SIG_BYTES];

	l.msg.data = (uint8_t *)(uintptr_t)buf;
	l.msg.len = len;
	add_proof(p, &l, &pr, sig);
	return link_pack(&l);
}

static void
peer_start_send(struct rpeer *p)
{
	struct node_repl *r = p->r;
	nng_msg *m;

	if (p->busy || !p->open) {
		return;
	}
	if (p->queued != NULL) {
		cm_free(p->inflight);
		p->inflight = p->queued;
		p->flen = p->qlen;
		p->queued = NULL;
		p->challenges = 0;
	} else if (p->inflight == NULL) {
		return;
	}
	m = peer_link(p, p->inflight, p->flen);
	if (m == NULL) {
		repl_on_unreachable(r->core, now_ms(), p->id, &r->fx);
		return;
	}
	p->busy = true;
	atomic_store(&p->stage, 1);
	nng_aio_set_msg(p->aio, m);
	nng_aio_set_timeout(p->aio, 10000);
	nng_ctx_send(p->ctx, p->aio);
}

/* The core wants buf sent to peer id. */
static void
peer_send(struct node_repl *r, const char *id, const uint8_t *buf, size_t len)
{
	struct rpeer *p = peer_find(r, id);
	uint8_t *copy;

	if (p == NULL || !p->open) {
		if (p != NULL || strcmp(id, r->n->node_id) != 0) {
			repl_on_unreachable(r->core, now_ms(), id, &r->fx);
		}
		return;
	}
	copy = cm_malloc(len > 0 ? len : 1);
	if (copy == NULL) {
		repl_on_unreachable(r->core, now_ms(), id, &r->fx);
		return;
	}
	memcpy(copy, buf, len);
	cm_free(p->queued);
	p->queued = copy;
	p->qlen = len;
	if (p->busy) {
		/* The newer pull replaces the one in flight. */
		nng_aio_cancel(p->aio);
	} else {
		peer_start_send(p);
	}
}

/* A pull's answer (or failure) reached the loop. */
static void
on_reply(struct node_repl *r, struct rpeer *p, nng_msg *m, int rv)
{
	Ow__ReplLink *l = NULL;

	p->busy = false;
	if (p->removed) {
		if (m != NULL) {
			nng_msg_free(m);
		}
		return;
	}
	if (rv != 0) {
		if (rv != NNG_ECANCELED && rv != NNG_ECLOSED) {
			repl_on_unreachable(r->core, now_ms(), p->id, &r->fx);
			cm_free(p->inflight);
			p->inflight = NULL;
		}
		peer_start_send(p);
		return;
	}
	l = link_decode(m);
	nng_msg_free(m);
	if (l == NULL) {
		cm_log_warn(
		    "repl.refused.malformed", "peer=%s what=link", p->id);
	} else if (l->challenge != NULL) {
		const Ow__ReplChallenge *ch = l->challenge;

		if (ch->nonce.len == NONCE_BYTES && p->challenges < 3 &&
		    strcmp(ch->node, p->id) == 0) {
			memcpy(p->nonce, ch->nonce.data, NONCE_BYTES);
			p->have_nonce = true;
			p->challenges++;
			if (ch->hints[0] != '\0' &&
			    strcmp(ch->hints, p->hints) != 0 && !p->sub_open) {
				snprintf(p->hints, sizeof(p->hints), "%s",
				    ch->hints);
				peer_subscribe(p);
			}
			/* The same message again, with the proof (or a
			 * newer one, if the core queued one). */
			link_free(l);
			peer_start_send(p);
			return;
		}
		cm_log_warn(
		    "repl.link_refused", "peer=%s reason=challenge", p->id);
	} else if (l->status != 0) {
		cm_log_warn("repl.link_refused", "peer=%s error=%s", p->id,
		    cm_err_name(l->status));
		repl_on_unreachable(r->core, now_ms(), p->id, &r->fx);
	} else if (l->msg.len > 0) {
		repl_on_message(r->core, now_ms(), cm_hlc_wall_ms(), p->id,
		    l->msg.data, l->msg.len, &r->fx);
		p->challenges = 0;
	}
	link_free(l);
	cm_free(p->inflight);
	p->inflight = NULL;
	peer_start_send(p);
}

/* ---- the responder --------------------------------------------------------- */

static struct rpipe *
pipe_get(struct node_repl *r, uint32_t id)
{
	struct rpipe *oldest = &r->pipes[0];

	for (size_t i = 0; i < PIPES_MAX; i++) {
		if (r->pipes[i].id == id) {
			r->pipes[i].used = ++r->pipe_clock;
			return &r->pipes[i];
		}
		if (r->pipes[i].used < oldest->used) {
			oldest = &r->pipes[i];
		}
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->id = id;
	oldest->used = ++r->pipe_clock;
	randombytes_buf(oldest->nonce, NONCE_BYTES);
	return oldest;
}

static void
slot_send(struct rslot *s, nng_msg *m)
{
	if (m == NULL) {
		s->state = RS_RECV;
		nng_ctx_recv(s->ctx, s->aio);
		return;
	}
	s->state = RS_SEND;
	nng_aio_set_msg(s->aio, m);
	nng_ctx_send(s->ctx, s->aio);
}

static void
slot_status(struct rslot *s, int status)
{
	Ow__ReplLink l = OW__REPL_LINK__INIT;

	l.status = status;
	slot_send(s, link_pack(&l));
}

static void
slot_cb(void *arg)
{
	struct rslot *s = arg;
	int rv = nng_aio_result(s->aio);

	if (s->state == RS_SEND) {
		if (rv != 0) {
			nng_msg *m = nng_aio_get_msg(s->aio);

			if (m != NULL) {
				nng_msg_free(m);
			}
		}
		s->state = RS_RECV;
		nng_ctx_recv(s->ctx, s->aio);
		return;
	}
	if (rv != 0) {
		if (rv != NNG_ECLOSED && rv != NNG_ECANCELED) {
			nng_ctx_recv(s->ctx, s->aio);
		}
		return;
	}
	s->state = RS_BUSY;
	post(s->r, IN_REQUEST, s, NULL, nng_aio_get_msg(s->aio), 0);
}

static void
digest_work(uv_work_t *w)
{
	struct rslot *s = w->data;

	s->dg_rc = node_digest(s->r->n->st, s->ask, &s->dg);
}

static void
digest_done(uv_work_t *w, int status)
{
	struct rslot *s = w->data;
	Ow__ReplLink l = OW__REPL_LINK__INIT;

	node_job_done(s->r->n);
	if (status != 0 || s->dg_rc != 0) {
		slot_status(s, status != 0 ? CM_EINTERNAL : s->dg_rc);
		return;
	}
	l.digest = &s->dg;
	slot_send(s, link_pack(&l));
	node_digest_free(&s->dg);
	node_flush_soon(s->r->n); /* a stop may have waited for this job */
}

static void
seed_work(uv_work_t *w)
{
	struct rslot *s = w->data;

	s->seed_rc = node_seed_page(s->r->n->st, s->seed_ask->seed, &s->seed);
}

static void
seed_done(uv_work_t *w, int status)
{
	struct rslot *s = w->data;
	Ow__ReplLink l = OW__REPL_LINK__INIT;

	node_job_done(s->r->n);
	link_free(s->seed_ask);
	s->seed_ask = NULL;
	if (status != 0 || s->seed_rc != 0) {
		node_seed_free(&s->seed);
		slot_status(s, status != 0 ? CM_EINTERNAL : s->seed_rc);
		return;
	}
	if (s->seed.next == NULL) {
		s->seed.next = (char *)(uintptr_t)protobuf_c_empty_string;
	}
	l.seed = &s->seed;
	slot_send(s, link_pack(&l));
	if (s->seed.next == (char *)(uintptr_t)protobuf_c_empty_string) {
		s->seed.next = NULL;
	}
	node_seed_free(&s->seed);
	node_flush_soon(s->r->n); /* a stop may have waited for this job */
}

static bool
proof_ok(struct node_repl *r, struct rpipe *pp, const Ow__ReplProof *pr)
{
	struct rpeer *p = peer_find(r, pr->node);

	return p != NULL &&
	       repl_proof_verify(pr, r->n->node_id, pp->nonce, p->pk);
}

/* A request from a peer reached the loop. */
static void
on_request(struct node_repl *r, struct rslot *s, nng_msg *m)
{
	nng_pipe pipe = nng_msg_get_pipe(m);
	struct rpipe *pp = pipe_get(r, nng_pipe_id(pipe));
	Ow__ReplLink *l = link_decode(m);

	nng_msg_free(m);
	if (l == NULL) {
		cm_log_warn("repl.refused.malformed", "what=link");
		slot_status(s, CM_EPROTO);
		return;
	}
	if (l->proof != NULL && !pp->proven &&
	    (l->proof->nonce.len != NONCE_BYTES ||
	        sodium_memcmp(l->proof->nonce.data, pp->nonce, NONCE_BYTES) !=
	            0)) {
		/* A proof for another connection's nonce (the requester
		 * reconnected): a new challenge, nothing wrong. */
		cm_log_debug("repl.challenge", "reason=stale_nonce");
	} else if (l->proof != NULL && !pp->proven) {
		if (proof_ok(r, pp, l->proof)) {
			pp->proven = true;
			snprintf(
			    pp->node, sizeof(pp->node), "%s", l->proof->node);
			cm_log_info("repl.peer.proved", "peer=%s", pp->node);
		} else {
			/* Say so, and give a fresh nonce: a requester that
			 * holds the key will prove itself again. */
			cm_log_warn("repl.refused.peer", "reason=proof");
			randombytes_buf(pp->nonce, NONCE_BYTES);
		}
	}
	if (!pp->proven) {
		Ow__ReplLink out = OW__REPL_LINK__INIT;
		Ow__ReplChallenge ch = OW__REPL_CHALLENGE__INIT;

		ch.nonce.data = pp->nonce;
		ch.nonce.len = NONCE_BYTES;
		ch.node = r->n->node_id;
		ch.hints = r->n->cfg.repl_hints;
		out.challenge = &ch;
		link_free(l);
		slot_send(s, link_pack(&out));
		return;
	}
	if (peer_find(r, pp->node) == NULL) {
		/* Proved once, removed since. */
		pp->proven = false;
		link_free(l);
		slot_status(s, CM_EDENIED);
		return;
	}
	if (l->seed != NULL) {
		/* A page of this hall's checkpoint, read on a worker. */
		s->seed_ask = l;
		s->work.data = s;
		if (node_queue_job(r->n, &s->work, seed_work, seed_done) != 0) {
			s->seed_ask = NULL;
			link_free(l);
			slot_status(s, CM_ENOMEM);
		}
		return;
	}
	if (l->digest != NULL) {
		memset(s->ask, 0, sizeof(s->ask));
		for (size_t i = 0; i < l->digest->n_ask && i < ASK_MAX; i++) {
			s->ask[l->digest->ask[i] & 255u] = true;
		}
		link_free(l);
		s->work.data = s;
		if (node_queue_job(r->n, &s->work, digest_work, digest_done) !=
		    0) {
			slot_status(s, CM_ENOMEM);
		}
		return;
	}
	r->cur_slot = s;
	r->replied = false;
	repl_on_message(r->core, now_ms(), cm_hlc_wall_ms(), pp->node,
	    l->msg.data, l->msg.len, &r->fx);
	link_free(l);
	run_effects(r);
	if (!r->replied) {
		slot_status(s, 0);
	}
	r->cur_slot = NULL;
}

/* ---- effects ----------------------------------------------------------------- */

static void
count_clock(struct node_repl *r)
{
	uint64_t hour = now_ms() / 3600000u;

	if (hour != r->clock_hour) {
		r->clock_refused_prev =
		    hour == r->clock_hour + 1 ? r->clock_refused : 0;
		r->clock_refused = 0;
		r->clock_hour = hour;
	}
}

uint64_t
node_repl_clock_refusals(struct node *n)
{
	if (n->repl == NULL) {
		return 0;
	}
	count_clock(n->repl);
	return n->repl->clock_refused + n->repl->clock_refused_prev;
}

/* ---- re-seeding (reseed.c has the pages) ------------------------------ */

static void
seed_end(struct node_repl *r, int rc)
{
	struct rseed *s = &r->seed;

	if (rc != 0) {
		cm_log_warn("repl.reseed.failed", "peer=%s pages=%zu error=%s",
		    s->peer->id, s->pages, cm_err_name(rc));
	} else {
		cm_log_info("repl.reseed.done",
		    "peer=%s pages=%zu bases=%zu ops=%zu ms=%llu", s->peer->id,
		    s->pages, s->st.bases, s->st.ops,
		    (unsigned long long)(now_ms() - s->started));
	}
	cm_free(s->after);
	memset(s, 0, sizeof(*s));
}

/* Ask for the next page. 0 or CM_ENOMEM. */
static int
seed_ask(struct node_repl *r)
{
	struct rseed *s = &r->seed;
	struct rpeer *p = s->peer;
	Ow__ReplLink l = OW__REPL_LINK__INIT;
	Ow__ReplSeed ask = OW__REPL_SEED__INIT;
	Ow__ReplProof pr = OW__REPL_PROOF__INIT;
	Ow__VersionVector have = OW__VERSION_VECTOR__INIT;
	Ow__VersionEntry *ents = NULL, **eps = NULL;
	unsigned char sig[NODE_SIG_BYTES];
	size_t no = 0;
	nng_msg *m;

	while (repl_origin_at(r->core, no, NULL) != NULL) {
		no++;
	}
	ents = cm_calloc(no + 1, sizeof(*ents));
	eps = cm_calloc(no + 1, sizeof(*eps));
	if (ents == NULL || eps == NULL) {
		cm_free(ents);
		cm_free(eps);
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < no; i++) {
		uint64_t seq;
		const char *id = repl_origin_at(r->core, i, &seq);

		if (seq == 0) {
			continue;
		}
		ow__version_entry__init(&ents[have.n_entries]);
		ents[have.n_entries].origin = (char *)(uintptr_t)id;
		ents[have.n_entries].seq = seq;
		eps[have.n_entries] = &ents[have.n_entries];
		have.n_entries++;
	}
	have.entries = eps;
	ask.have = &have;
	ask.after = s->after != NULL ? s->after : (char *)(uintptr_t) "";
	ask.max_bytes = 1024u * 1024u;
	l.seed = &ask;
	add_proof(p, &l, &pr, sig);
	m = link_pack(&l);
	cm_free(ents);
	cm_free(eps);
	if (m == NULL) {
		return CM_ENOMEM;
	}
	atomic_store(&p->vstage, 1);
	nng_aio_set_msg(p->vaio, m);
	nng_aio_set_timeout(p->vaio, 60000);
	nng_ctx_send(p->vctx, p->vaio);
	return 0;
}

static void
seed_start(
    struct node_repl *r, struct rpeer *p, const char *origin, uint64_t floor)
{
	struct rseed *s = &r->seed;

	if (atomic_load(&p->vstage) != 0) {
		return; /* its channel is busy: the next report */
	}
	memset(s, 0, sizeof(*s));
	s->active = true;
	s->peer = p;
	s->started = now_ms();
	cm_log_info("repl.reseed.start", "peer=%s origin=%s floor=%llu", p->id,
	    origin, (unsigned long long)floor);
	if (seed_ask(r) != 0) {
		seed_end(r, CM_ENOMEM);
	}
}

static void
seed_on_reply(struct node_repl *r, nng_msg *m)
{
	struct rseed *s = &r->seed;
	Ow__ReplLink *l = m != NULL ? link_decode(m) : NULL;
	int rc = 0;

	if (m != NULL) {
		nng_msg_free(m);
	}
	if (s->peer->removed || !s->peer->open) {
		rc = CM_ENOTFOUND;
	} else if (l == NULL) {
		rc = m == NULL ? CM_ETIMEOUT : CM_EPROTO;
	} else if (l->challenge != NULL) {
		/* Prove who we are, then ask again (twice at most). */
		if (l->challenge->nonce.len == NONCE_BYTES &&
		    s->retries++ < 2) {
			memcpy(s->peer->nonce, l->challenge->nonce.data,
			    NONCE_BYTES);
			s->peer->have_nonce = true;
			link_free(l);
			if (seed_ask(r) != 0) {
				seed_end(r, CM_ENOMEM);
			}
			return;
		}
		rc = CM_EDENIED;
	} else if (l->status != 0 || l->seed == NULL) {
		rc = l->status != 0 ? l->status : CM_EPROTO;
	}
	if (rc == 0) {
		s->retries = 0;
		s->pages++;
		rc = node_seed_apply(r->n, l->seed, &s->st);
	}
	if (rc == 0 && l->seed->next[0] != '\0') {
		cm_free(s->after);
		s->after = cm_strdup(l->seed->next);
		rc = s->after == NULL ? CM_ENOMEM : seed_ask(r);
		if (rc == 0) {
			link_free(l);
			return;
		}
	} else if (rc == 0) {
		rc = node_seed_finish(r->n, l->seed);
	}
	link_free(l);
	seed_end(r, rc);
	/* Pull at once: from the floors on, or to be told again. */
	repl_set_wall(r->core, cm_hlc_wall_ms());
	repl_on_timer(r->core, now_ms(), &r->fx);
	run_effects(r);
}

static void
report(struct node_repl *r, const struct repl_effect *e)
{
	if (e->event == REPL_EV_CLOCK_AHEAD) {
		count_clock(r);
		r->clock_refused++;
	}
	if (e->event == REPL_EV_RESEED) {
		/* The peer compacted ops this hall lacks: take its
		 * checkpoint (one re-seed at a time). */
		struct rpeer *p = peer_find(r, e->peer);

		if (p != NULL && !r->seed.active && !r->verify.active &&
		    p->open && strcmp(p->url, "-") != 0) {
			seed_start(r, p, e->origin, e->seq);
		}
	}
	if (e->event == REPL_EV_COMPACTED) {
		/* A late repeat, usually: not worth a warning. */
		cm_log_debug(repl_event_name(e->event),
		    "peer=%s origin=%s seq=%llu", e->peer, e->origin,
		    (unsigned long long)e->seq);
		return;
	}
	if (e->event == REPL_EV_PEER_UP) {
		cm_log_info(repl_event_name(e->event), "peer=%s", e->peer);
	} else if (e->event == REPL_EV_PEER_DOWN) {
		cm_log_warn(repl_event_name(e->event), "peer=%s error=%s",
		    e->peer, cm_err_name(e->code));
	} else {
		cm_log_warn(repl_event_name(e->event),
		    "peer=%s origin=%s seq=%llu error=%s", e->peer, e->origin,
		    (unsigned long long)e->seq, cm_err_name(e->code));
	}
}

/*
 * A hall restored from a backup takes back the ops it made after the
 * backup: it is done once every peer it pulls from has been heard since
 * it started and holds no op of this hall beyond what it has now. Then
 * the flag goes (with the next batch) and the hall makes ops again.
 */
static void
recovery_check(struct node_repl *r)
{
	struct node *n = r->n;
	uint64_t mine = repl_seq(r->core, n->node_id);
	size_t dialed = 0;

	if (!n->recovering) {
		return;
	}
	for (struct rpeer *p = r->peers; p != NULL; p = p->next) {
		struct repl_peer_info info;

		if (p->removed || strcmp(p->url, "-") == 0) {
			continue;
		}
		dialed++;
		if (repl_peer_info(r->core, now_ms(), p->id, &info) != 0 ||
		    info.last_heard < r->recovery_from ||
		    info.last_heard == 0 || info.self_seq > mine) {
			return;
		}
	}
	if (node_open_batch(n) != 0) {
		return; /* again at the next event */
	}
	node_batch_delete(n->open.batch, NODE_CF_META, "recovering", 10);
	n->recovering = false;
	repl_set_accept_own(r->core, false);
	if (dialed == 0) {
		cm_log_warn("repl.recovered",
		    "seq=%llu peers=0 note=no_peer_to_recover_from",
		    (unsigned long long)mine);
	} else {
		cm_log_info("repl.recovered", "seq=%llu peers=%zu",
		    (unsigned long long)mine, dialed);
	}
}

static void
run_effects(struct node_repl *r)
{
	struct node *n = r->n;

	for (size_t i = 0; i < r->fx.n; i++) {
		const struct repl_effect *e = &r->fx.items[i];

		switch (e->kind) {
		case REPL_FX_SEND:
			if (e->is_reply) {
				Ow__ReplLink l = OW__REPL_LINK__INIT;

				if (r->cur_slot == NULL || r->replied) {
					break;
				}
				l.msg.data = e->buf;
				l.msg.len = e->len;
				slot_send(r->cur_slot, link_pack(&l));
				r->replied = true;
			} else {
				peer_send(r, e->peer, e->buf, e->len);
			}
			break;
		case REPL_FX_PUBLISH:
			if (r->pub_open) {
				nng_send(
				    r->pub, e->buf, e->len, NNG_FLAG_NONBLOCK);
			}
			break;
		case REPL_FX_PERSIST: {
			int rc =
			    r->halted ? CM_ECLOSED : node_repl_persist(n, e);

			if (rc != 0 && !r->halted) {
				r->halted = true;
				cm_log_error("repl.persist_failed",
				    "error=%s ops=%zu", cm_err_name(rc),
				    e->nops);
				n->exit_code = 1;
				n->stopping = true;
			}
			break;
		}
		case REPL_FX_REPORT:
			report(r, e);
			break;
		}
	}
	repl_effects_reset(&r->fx);
	free_lent(r);
	recovery_check(r);
	rearm(r);
}

void
node_repl_halt(struct node *n)
{
	if (n->repl != NULL && !n->repl->halted) {
		n->repl->halted = true;
		uv_timer_stop(&n->repl->timer);
		cm_log_error("repl.halted", "reason=write_failed");
	}
}

static void
timer_cb(uv_timer_t *t)
{
	struct node_repl *r = t->data;

	if (r->halted) {
		return;
	}

	repl_set_wall(r->core, cm_hlc_wall_ms());
	repl_on_timer(r->core, now_ms(), &r->fx);
	run_effects(r);
	node_flush_soon(r->n);
}

void
node_repl_durable(struct node *n, struct node_gen *g)
{
	struct node_repl *r = n->repl;

	if (r == NULL) {
		return;
	}
	for (size_t i = 0; i < g->nsealed; i++) {
		int rc = repl_on_local_op(r->core, now_ms(), g->sealed[i].buf,
		    g->sealed[i].len, &r->fx);

		if (rc != 0) {
			cm_log_error("repl.local_op_refused", "error=%s",
			    cm_err_name(rc));
		}
	}
	if (g->nsealed > 0) {
		run_effects(r);
	}
}

/* ---- signatures checked on the thread pool ------------------------------ */

/*
 * A batch of thousands of ops spends most of its taking in Ed25519
 * checks (50 us each). A batch of PRE_MIN_OPS or more is first checked
 * in PRE_JOBS parts on libuv's pool, the loop serving meanwhile; the core
 * then opens the ops that passed without checking them again (struct
 * repl_verified_ops) and checks everything else itself. An op that
 * failed here is simply checked (and refused) by the core.
 */
struct pre_item {
	const uint8_t *buf; /* into the decoded message */
	size_t len;
	unsigned char pk[NODE_PK_BYTES];
};

struct pre_batch;

struct pre_job {
	uv_work_t w;
	struct pre_batch *b;
	size_t from, to;
};

struct pre_batch {
	struct node_repl *r;
	struct rpeer *peer;
	nng_msg *msg;       /* the reply, handed to on_reply at the end */
	Ow__ReplLink *link; /* decoded, holds the items' bytes */
	Ow__ReplMessage *rm;
	struct pre_item *items;
	size_t nitems;
	unsigned char (*ok)[PRE_DIGEST]; /* per item; all zero: failed */
	bool *passed;
	struct pre_job jobs[PRE_JOBS];
	int left;
};

static void
pre_digest(const uint8_t *buf, size_t len, const unsigned char *pk,
    unsigned char out[PRE_DIGEST])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, PRE_DIGEST);
	crypto_generichash_update(&st, pk, NODE_PK_BYTES);
	crypto_generichash_update(&st, buf, len);
	crypto_generichash_final(&st, out, PRE_DIGEST);
}

static int
pre_cmp(const void *a, const void *b)
{
	return memcmp(a, b, PRE_DIGEST);
}

static bool
pre_verified(
    void *arg, const uint8_t *buf, size_t len, const unsigned char pk[32])
{
	struct node_repl *r = arg;
	unsigned char d[PRE_DIGEST];

	if (r->npre == 0) {
		return false;
	}
	pre_digest(buf, len, pk, d);
	return bsearch(d, r->pre, r->npre, PRE_DIGEST, pre_cmp) != NULL;
}

static void
pre_work(uv_work_t *w)
{
	struct pre_job *j = w->data;
	struct pre_batch *b = j->b;

	for (size_t i = j->from; i < j->to; i++) {
		const struct pre_item *it = &b->items[i];
		Ow__SignedOp *so =
		    ow__signed_op__unpack(NULL, it->len, it->buf);

		b->passed[i] =
		    so != NULL && so->signature.len == NODE_SIG_BYTES &&
		    crypto_sign_verify_detached(so->signature.data,
		        so->op.data != NULL ? so->op.data : (const uint8_t *)"",
		        so->op.len, it->pk) == 0;
		if (b->passed[i]) {
			pre_digest(it->buf, it->len, it->pk, b->ok[i]);
		}
		if (so != NULL) {
			ow__signed_op__free_unpacked(so, NULL);
		}
	}
}

static void
pre_free(struct pre_batch *b)
{
	if (b->rm != NULL) {
		repl_msg_free(b->rm);
	}
	link_free(b->link);
	cm_free(b->items);
	cm_free(b->ok);
	cm_free(b->passed);
	cm_free(b);
}

/* Every part checked: take the batch with what passed. */
static void
pre_finish(struct pre_batch *b)
{
	struct node_repl *r = b->r;
	size_t n = 0;

	/* Only what passed; sorted for the core's lookups. */
	for (size_t i = 0; i < b->nitems; i++) {
		if (b->passed[i]) {
			memmove(b->ok[n++], b->ok[i], PRE_DIGEST);
		}
	}
	qsort(b->ok, n, PRE_DIGEST, pre_cmp);
	r->pre = (const unsigned char(*)[PRE_DIGEST])b->ok;
	r->npre = n;
	on_reply(r, b->peer, b->msg, 0);
	r->pre = NULL;
	r->npre = 0;
	run_effects(r);
	pre_free(b);
	node_flush_soon(r->n);
}

static void
pre_done(uv_work_t *w, int status)
{
	struct pre_job *j = w->data;
	struct pre_batch *b = j->b;

	node_job_done(b->r->n);
	(void)status;
	if (--b->left == 0) {
		pre_finish(b);
	}
}

/* The key an origin's ops are checked with, or NULL. */
static const unsigned char *
origin_key(struct node_repl *r, const char *origin)
{
	if (strcmp(origin, r->n->node_id) == 0) {
		return r->n->kp.pk;
	}
	for (struct rpeer *p = r->peers; p != NULL; p = p->next) {
		if (strcmp(p->id, origin) == 0) {
			return p->pk;
		}
	}
	return NULL;
}

/*
 * A reply from peer p: a big batch goes to the pool first (true: taken
 * care of, m is kept); anything else is for on_reply now (false).
 */
static bool
pre_check(struct node_repl *r, struct rpeer *p, nng_msg *m)
{
	struct pre_batch *b;
	size_t count = 0, k = 0;

	if (nng_msg_len(m) < PRE_MIN_OPS * 100) {
		return false;
	}
	b = cm_calloc(1, sizeof(*b));
	if (b == NULL) {
		return false;
	}
	b->r = r;
	b->peer = p;
	b->link = link_decode(m);
	if (b->link == NULL || b->link->msg.len == 0 ||
	    repl_msg_decode(b->link->msg.data, b->link->msg.len, &b->rm) != 0 ||
	    repl_msg_kind(b->rm) != REPL_MSG_BATCH) {
		pre_free(b);
		return false;
	}
	for (size_t i = 0; i < b->rm->batch->n_runs; i++) {
		count += b->rm->batch->runs[i]->n_ops;
	}
	if (count < PRE_MIN_OPS) {
		pre_free(b);
		return false;
	}
	b->items = cm_reallocarray(NULL, count, sizeof(*b->items));
	b->ok = cm_reallocarray(NULL, count, sizeof(*b->ok));
	b->passed = cm_calloc(count, sizeof(*b->passed));
	if (b->items == NULL || b->ok == NULL || b->passed == NULL) {
		pre_free(b);
		return false;
	}
	for (size_t i = 0; i < b->rm->batch->n_runs; i++) {
		const Ow__ReplRun *run = b->rm->batch->runs[i];
		const unsigned char *pk = origin_key(r, run->origin);

		for (size_t o = 0; pk != NULL && o < run->n_ops; o++) {
			b->items[k].buf = run->ops[o].data;
			b->items[k].len = run->ops[o].len;
			memcpy(b->items[k++].pk, pk, NODE_PK_BYTES);
		}
	}
	b->nitems = k;
	b->msg = m;
	for (int i = 0; i < PRE_JOBS; i++) {
		struct pre_job *j = &b->jobs[i];

		j->b = b;
		j->from = k * (size_t)i / PRE_JOBS;
		j->to = k * (size_t)(i + 1) / PRE_JOBS;
		j->w.data = j;
		b->left++;
		if (node_queue_job(r->n, &j->w, pre_work, pre_done) != 0) {
			/* Check this part here: the result is the same. */
			b->left--;
			pre_work(&j->w);
		}
	}
	if (b->left == 0) {
		pre_finish(b); /* every part was checked here */
	}
	return true;
}

static void
wake_cb(uv_async_t *a)
{
	struct node_repl *r = a->data;
	struct rin *list;

	pthread_mutex_lock(&r->lock);
	list = r->in_head;
	r->in_head = r->in_tail = NULL;
	pthread_mutex_unlock(&r->lock);
	while (list != NULL && r->halted) {
		/* Halted after a failed write: answer nothing, take
		 * nothing; the node is stopping. */
		struct rin *next = list->next;

		if (list->kind == IN_REQUEST) {
			slot_status(list->slot, CM_ECLOSED);
		}
		if (list->kind == IN_REPLY && list->peer != NULL) {
			list->peer->busy = false;
		}
		if (list->msg != NULL) {
			nng_msg_free(list->msg);
		}
		cm_free(list);
		list = next;
	}
	while (list != NULL) {
		struct rin *next = list->next;

		switch (list->kind) {
		case IN_REQUEST:
			on_request(r, list->slot, list->msg);
			break;
		case IN_REPLY:
			if (list->rv == 0 && list->msg != NULL &&
			    !list->peer->removed &&
			    pre_check(r, list->peer, list->msg)) {
				break; /* on_reply once the pool checked it */
			}
			on_reply(r, list->peer, list->msg, list->rv);
			run_effects(r);
			break;
		case IN_HINT:
			if (!list->peer->removed) {
				repl_on_message(r->core, now_ms(),
				    cm_hlc_wall_ms(), list->peer->id,
				    nng_msg_body(list->msg),
				    nng_msg_len(list->msg), &r->fx);
				run_effects(r);
			}
			nng_msg_free(list->msg);
			break;
		case IN_VERIFY:
			if (r->seed.active && r->seed.peer == list->peer) {
				seed_on_reply(r, list->msg);
				list->msg = NULL;
				break;
			}
			if (r->verify.active && r->verify.peer == list->peer) {
				if (list->msg != NULL) {
					r->verify.remote_link =
					    link_decode(list->msg);
				}
				r->verify.have_remote = true;
				verify_step(r);
			}
			if (list->msg != NULL) {
				nng_msg_free(list->msg);
			}
			break;
		case IN_DIGEST_DONE:
			break;
		}
		cm_free(list);
		list = next;
	}
	node_flush_soon(r->n);
}

/* ---- start and stop ---------------------------------------------------------- */

static char *
read_pem(const char *path)
{
	char *buf = NULL;
	size_t len = 0;

	if (path[0] == '\0' || cm_file_read(path, 1 << 20, &buf, &len) != 0) {
		return NULL;
	}
	return buf;
}

int
node_tls_config(const struct node_config *cfg, const char *ca,
    nng_tls_mode mode, nng_tls_config **out)
{
	char *cert = read_pem(cfg->tls_cert);
	char *key =
	    read_pem(cfg->tls_key[0] != '\0' ? cfg->tls_key : cfg->tls_cert);
	nng_tls_config *tls = NULL;
	int rv = cert == NULL || key == NULL ? NNG_ENOENT : 0;

	if (rv == 0) {
		rv = nng_tls_config_alloc(&tls, mode);
	}
	if (rv == 0) {
		rv = nng_tls_config_own_cert(tls, cert, key, NULL);
	}
	if (rv == 0) {
		rv = nng_tls_config_ca_file(tls, ca);
	}
	if (rv == 0) {
		/* Mutual TLS both ways: nobody without a certificate of
		 * the city CA gets as far as the challenge. */
		rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_REQUIRED);
	}
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
	}
	cm_free(cert);
	cm_free(key);
	if (rv != 0 && tls != NULL) {
		nng_tls_config_free(tls);
		tls = NULL;
	}
	*out = tls;
	return rv;
}

static int
listen_on(nng_socket s, const char *url, nng_tls_config *tls, size_t max,
    nng_listener *l)
{
	int rv = nng_listener_create(l, s, url);

	if (rv == 0) {
		rv = nng_listener_set_ptr(*l, NNG_OPT_TLS_CONFIG, tls);
	}
	if (rv == 0) {
		nng_listener_set_size(*l, NNG_OPT_RECVMAXSZ, max);
		rv = nng_listener_start(*l, 0);
	}
	return rv;
}

static struct rpeer *
peer_new(struct node_repl *r, const char *id, const char *url,
    const unsigned char pk[NODE_PK_BYTES])
{
	struct rpeer *p = cm_calloc(1, sizeof(*p));

	if (p == NULL) {
		return NULL;
	}
	p->r = r;
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->url, sizeof(p->url), "%s", url);
	memcpy(p->pk, pk, NODE_PK_BYTES);
	atomic_init(&p->stage, 0);
	atomic_init(&p->vstage, 0);
	atomic_init(&p->pipes, 0);
	p->next = r->peers;
	r->peers = p;
	return p;
}

static void
be_head(const void *val, size_t len, uint64_t *seq, unsigned char *hash)
{
	const uint8_t *v = val;

	*seq = 0;
	for (int i = 0; i < 8 && (size_t)i < len; i++) {
		*seq = (*seq << 8) | v[i];
	}
	if (len >= 8 + NODE_HASH_BYTES) {
		memcpy(hash, v + 8, NODE_HASH_BYTES);
	}
}

/* Register a peer with the core (its key, its head in the store) and,
 * if it has an address, pull from it. */
static bool
origin_known(const struct node_repl *r, const char *id)
{
	uint64_t seq;
	const char *o;

	for (size_t i = 0; (o = repl_origin_at(r->core, i, &seq)) != NULL;
	     i++) {
		if (strcmp(o, id) == 0) {
			return true;
		}
	}
	return false;
}

/* What the hall compacted of origin (meta floor/ORIGIN), for the core. */
static int
load_floor(struct node_repl *r, const char *origin)
{
	uint64_t floor = node_floor_get(r->n, origin);

	return floor > 0 ? repl_origin_set_floor(r->core, origin, floor) : 0;
}

static int
peer_register(struct node_repl *r, struct rpeer *p)
{
	char key[8 + NODE_ORIGIN_MAX];
	unsigned char hash[NODE_HASH_BYTES] = {0};
	uint64_t seq = 0;
	void *val = NULL;
	size_t len = 0;
	bool known = origin_known(r, p->id);
	int rc = repl_origin_add(r->core, p->id, p->pk);

	if (rc != 0) {
		return rc;
	}
	/* Where its chain stands in the store; an origin the core knows
	 * already (a peer added again) may be ahead of the store. */
	snprintf(key, sizeof(key), "vv/%s", p->id);
	if (!known && node_store_get(r->n->st, NODE_CF_META, key, strlen(key),
	                  &val, &len) == 0) {
		be_head(val, len, &seq, hash);
		cm_free(val);
		rc = repl_origin_set_head(r->core, p->id, seq, hash);
	}
	if (rc == 0 && !known) {
		rc = load_floor(r, p->id);
	}
	if (rc == 0) {
		/* A removed hall no longer holds back compaction. */
		rc = repl_origin_retire(r->core, p->id, p->removed);
	}
	if (rc == 0 && !p->removed && strcmp(p->url, "-") != 0) {
		rc = repl_peer_add(r->core, p->id);
		if (rc == 0 && peer_open(p) != 0) {
			cm_log_warn("repl.dial_failed", "peer=%s", p->id);
		}
	}
	return rc;
}

uint64_t
node_repl_stable(struct node *n, const char *origin)
{
	if (n->repl == NULL) {
		/* No other hall: this one holds what it holds. */
		return strcmp(origin, n->node_id) == 0 ? n->seq : 0;
	}
	return repl_stable_seq(n->repl->core, now_ms(), origin);
}

uint64_t
node_repl_seq(struct node *n, const char *origin)
{
	return n->repl != NULL ? repl_seq(n->repl->core, origin) : 0;
}

int
node_repl_set_head(struct node *n, const char *origin, uint64_t seq,
    const unsigned char hash[NODE_HASH_BYTES])
{
	return n->repl != NULL
	           ? repl_origin_set_head(n->repl->core, origin, seq, hash)
	           : CM_EINVAL;
}

void
node_repl_set_floor(struct node *n, const char *origin, uint64_t seq)
{
	if (n->repl != NULL) {
		(void)repl_origin_set_floor(n->repl->core, origin, seq);
	}
}

static bool
repl_wanted(struct node *n)
{
	struct node_iter *it = NULL;
	bool any = false;

	if (n->cfg.repl_listen[0] != '\0') {
		return true;
	}
	if (node_iter_new(n->st, NODE_CF_META, "peer/", 5, &it) == 0) {
		any = node_iter_valid(it);
		node_iter_free(it);
	}
	return any;
}

int
node_repl_start(struct node *n)
{
	struct node_repl *r;
	struct repl_config cfg;
	struct node_iter *it = NULL;
	const char *ca;
	int rc, rv = 0;

	if (!repl_wanted(n)) {
		if (n->recovering && node_open_batch(n) == 0) {
			/* Restored, but no peer to take anything back from:
			 * what it made after the backup is lost. */
			node_batch_delete(
			    n->open.batch, NODE_CF_META, "recovering", 10);
			n->recovering = false;
			cm_log_warn("repl.recovered",
			    "seq=%llu peers=0 note=no_peer_to_recover_from",
			    (unsigned long long)n->seq);
		}
		return 0;
	}
	if (n->cfg.tls_cert[0] == '\0' || n->cfg.tls_ca[0] == '\0') {
		cm_log_error("repl.config", "missing=tls_cert,tls_ca");
		return CM_EINVAL;
	}
	r = cm_calloc(1, sizeof(*r));
	if (r == NULL) {
		return CM_ENOMEM;
	}
	r->n = n;
	r->logops.get = log_get;
	repl_effects_init(&r->fx);
	repl_config_default(&cfg);
	cfg.self = n->node_id;
	memcpy(cfg.self_pk, n->kp.pk, NODE_PK_BYTES);
	cfg.hlc = &n->hlc;
	cfg.log = &r->logops;
	cfg.log_arg = r;
	r->pre_ops.verified = pre_verified;
	cfg.pre = &r->pre_ops;
	cfg.pre_arg = r;
	cfg.pull_interval_ms = (uint32_t)n->cfg.repl_pull_ms;
	/* The loop applies a batch in one go, and answers no desk
	 * meanwhile: batches of 1 MiB (about 2,000 ops) keep that short;
	 * the protocol allows up to 4 MiB. */
	cfg.max_batch_bytes = (uint64_t)n->cfg.repl_batch_kb * 1024u;
	cfg.lapse_ms = (uint64_t)n->cfg.repl_lapse_days * 86400000u;
	rc = repl_new(&cfg, &r->core);
	if (rc == 0) {
		rc = repl_origin_set_head(r->core, n->node_id, n->seq, n->head);
	}
	if (rc == 0) {
		r->n = n;
		rc = load_floor(r, n->node_id);
	}
	if (rc == 0 && pthread_mutex_init(&r->lock, NULL) != 0) {
		rc = CM_EINTERNAL;
	}
	if (rc != 0) {
		repl_free(r->core);
		cm_free(r);
		return rc;
	}
	r->wake.data = r;
	uv_async_init(&n->loop, &r->wake, wake_cb);
	r->timer.data = r;
	uv_timer_init(&n->loop, &r->timer);
	n->repl = r;
	/* Halls check each other against their own CA when ops gave one
	 * (a desk's certificate then gets no session here), else the
	 * city's. */
	ca = n->cfg.repl_tls_ca[0] != '\0' ? n->cfg.repl_tls_ca : n->cfg.tls_ca;
	rv = node_tls_config(&n->cfg, ca, NNG_TLS_MODE_CLIENT, &r->tls_client);
	if (rv == 0) {
		rv = node_tls_config(
		    &n->cfg, ca, NNG_TLS_MODE_SERVER, &r->tls_server);
	}
	if (rv == 0 && n->cfg.repl_listen[0] != '\0') {
		rv = nng_rep0_open(&r->rep);
		if (rv == 0) {
			r->rep_open = true;
			nng_socket_set_size(
			    r->rep, NNG_OPT_RECVMAXSZ, REPL_MSG_MAX);
			rv = listen_on(r->rep, n->cfg.repl_listen,
			    r->tls_server, REPL_MSG_MAX, &r->rep_l);
		}
		for (int i = 0; i < RSLOTS && rv == 0; i++) {
			struct rslot *s = &r->slots[i];

			s->r = r;
			rv = nng_ctx_open(&s->ctx, r->rep);
			if (rv == 0) {
				rv = nng_aio_alloc(&s->aio, slot_cb, s);
			}
			if (rv == 0) {
				s->state = RS_RECV;
				nng_ctx_recv(s->ctx, s->aio);
			}
		}
	}
	if (rv == 0 && n->cfg.repl_hints[0] != '\0') {
		rv = nng_pub0_open(&r->pub);
		if (rv == 0) {
			r->pub_open = true;
			rv = listen_on(r->pub, n->cfg.repl_hints, r->tls_server,
			    1024, &r->pub_l);
		}
	}
	if (rv != 0) {
		cm_log_error("repl.listen_failed", "url=%s error=%s",
		    n->cfg.repl_listen, nng_strerror(rv));
		return node_err_from_nng(rv);
	}
	/* The peers ops registered. */
	rc = node_iter_new(n->st, NODE_CF_META, "peer/", 5, &it);
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t vl;
		const void *v = node_iter_value(it, &vl);
		Ow__PeerInfo *pi = ow__peer_info__unpack(NULL, vl, v);
		unsigned char pk[NODE_PK_BYTES];
		struct rpeer *p;

		if (pi == NULL || node_pk_parse(pi->public_key, pk) != 0) {
			rc = CM_ECORRUPT;
		} else if ((p = peer_new(r, pi->id, pi->url, pk)) == NULL) {
			rc = CM_ENOMEM;
		} else if (pi->url[0] == '\0') {
			/* Removed: its key and head only. */
			p->removed = true;
			rc = peer_register(r, p);
		} else {
			rc = peer_register(r, p);
		}
		if (pi != NULL) {
			ow__peer_info__free_unpacked(pi, NULL);
		}
	}
	node_iter_free(it);
	if (rc != 0) {
		return rc;
	}
	if (n->recovering) {
		/* Restored from a backup: first take back from the peers
		 * what this hall made after it. */
		r->recovery_from = now_ms();
		repl_set_accept_own(r->core, true);
		cm_log_warn(
		    "repl.recovering", "seq=%llu", (unsigned long long)n->seq);
	}
	cm_log_info("repl.ready", "listen=%s hints=%s", n->cfg.repl_listen,
	    n->cfg.repl_hints);
	repl_set_wall(r->core, cm_hlc_wall_ms());
	repl_on_timer(r->core, now_ms(), &r->fx);
	run_effects(r);
	return 0;
}

void
node_repl_stop(struct node *n)
{
	struct node_repl *r = n->repl;
	struct rin *in;

	if (r == NULL) {
		return;
	}
	/* Every aio stopped first, then the sockets closed (peer_stop_aios). */
	for (struct rpeer *p = r->peers; p != NULL; p = p->next) {
		peer_stop_aios(p);
	}
	for (int i = 0; r->rep_open && i < RSLOTS; i++) {
		if (r->slots[i].aio != NULL) {
			nng_aio_stop(r->slots[i].aio);
		}
	}
	for (struct rpeer *p = r->peers; p != NULL; p = p->next) {
		peer_close(p);
	}
	if (r->rep_open) {
		for (int i = 0; i < RSLOTS; i++) {
			if (r->slots[i].aio != NULL) {
				nng_ctx_close(r->slots[i].ctx);
			}
		}
		nng_close(r->rep);
		for (int i = 0; i < RSLOTS; i++) {
			if (r->slots[i].aio != NULL) {
				nng_aio_free(r->slots[i].aio);
			}
		}
	}
	if (r->pub_open) {
		nng_close(r->pub);
	}
	/* Nothing calls back now: what was queued is dropped. */
	while ((in = r->in_head) != NULL) {
		r->in_head = in->next;
		if (in->msg != NULL) {
			nng_msg_free(in->msg);
		}
		cm_free(in);
	}
	while (r->peers != NULL) {
		struct rpeer *p = r->peers;

		r->peers = p->next;
		cm_free(p);
	}
	if (r->verify.active) {
		node_digest_free(&r->verify.local);
		link_free(r->verify.remote_link);
	}
	if (r->tls_client != NULL) {
		nng_tls_config_free(r->tls_client);
	}
	if (r->tls_server != NULL) {
		nng_tls_config_free(r->tls_server);
	}
	uv_close((uv_handle_t *)&r->wake, NULL);
	uv_close((uv_handle_t *)&r->timer, NULL);
	repl_effects_free(&r->fx);
	free_lent(r);
	cm_free(r->lent);
	repl_free(r->core);
	pthread_mutex_destroy(&r->lock);
	n->repl = NULL;
	/* The handles are closed by the loop's last run; r must outlive it. */
	r->n = NULL;
	n->repl_dead = r;
}

/* ---- requests from ow-ctl -------------------------------------------------- */

static int
peer_store(struct node *n, const struct rpeer *p, bool remove)
{
	char key[8 + NODE_ORIGIN_MAX], pk[2 * NODE_PK_BYTES + 1];
	Ow__PeerInfo pi = OW__PEER_INFO__INIT;
	uint8_t *buf;
	size_t len;
	int rc = node_open_batch(n);

	if (rc != 0) {
		return rc;
	}
	snprintf(key, sizeof(key), "peer/%s", p->id);
	/* A removed peer keeps its key (url ""): the ops it made stay in
	 * the log and are still checked with it. */
	node_pk_hex(p->pk, pk);
	pi.id = (char *)(uintptr_t)p->id;
	pi.url = (char *)(uintptr_t)(remove ? "" : p->url);
	pi.public_key = pk;
	len = ow__peer_info__get_packed_size(&pi);
	buf = cm_malloc(len + 1);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	ow__peer_info__pack(&pi, buf);
	node_batch_put(n->open.batch, NODE_CF_META, key, strlen(key), buf, len);
	cm_free(buf);
	return 0;
}

static bool
url_ok(const char *url)
{
	return strcmp(url, "-") == 0 ||
	       (strncmp(url, "tls+tcp://", 10) == 0 && strlen(url) > 10 &&
	           strlen(url) < 500);
}

enum node_disp
node__h_peer_add(struct call *c)
{
	struct node *n = c->n;
	const Ow__PeerAddReq *q = c->req->peer_add;
	struct node_repl *r = n->repl;
	unsigned char pk[NODE_PK_BYTES];
	struct rpeer *p;
	int rc;

	if (r == NULL) {
		/* Replication needs repl_listen and the TLS files. */
		node__fail(c->resp, CM_ENOREPL);
		return NODE_REPLY_NOW;
	}
	if (!node_id_valid(q->id) || strcmp(q->id, n->node_id) == 0 ||
	    !url_ok(q->url) || node_pk_parse(q->public_key, pk) != 0) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	p = peer_find(r, q->id);
	if (p != NULL) {
		if (sodium_memcmp(p->pk, pk, NODE_PK_BYTES) != 0) {
			/* A hall's key is not replaced silently. */
			node__fail(c->resp, CM_EEXIST);
			return NODE_REPLY_NOW;
		}
		if (strcmp(p->url, q->url) == 0) {
			return NODE_REPLY_NOW; /* already so */
		}
		/* A new address: as a remove and an add. */
		if (strcmp(p->url, "-") != 0) {
			repl_peer_remove(r->core, p->id);
		}
		peer_close(p);
		p->removed = true;
	}
	p = peer_new(r, q->id, q->url, pk);
	if (p == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	rc = peer_register(r, p);
	if (rc == 0) {
		rc = peer_store(n, p, false);
	}
	if (rc != 0) {
		p->removed = true;
		peer_close(p);
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	cm_log_info("repl.peer.added", "peer=%s url=%s", p->id, p->url);
	repl_set_wall(r->core, cm_hlc_wall_ms());
	repl_on_timer(r->core, now_ms(), &r->fx);
	run_effects(r);
	return NODE_REPLY_AFTER_BATCH;
}

enum node_disp
node__h_peer_remove(struct call *c)
{
	struct node *n = c->n;
	struct rpeer *p = n->repl != NULL
	                      ? peer_find(n->repl, c->req->peer_remove->id)
	                      : NULL;
	int rc;

	if (p == NULL) {
		node__fail(c->resp, CM_ENOTFOUND);
		return NODE_REPLY_NOW;
	}
	rc = peer_store(n, p, true);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	if (strcmp(p->url, "-") != 0) {
		repl_peer_remove(n->repl->core, p->id);
	}
	peer_close(p);
	p->removed = true;
	(void)repl_origin_retire(n->repl->core, p->id, true);
	cm_log_info("repl.peer.removed", "peer=%s", p->id);
	return NODE_REPLY_AFTER_BATCH;
}

static Ow__VersionVector *
vector_msg(struct node *n)
{
	Ow__VersionVector *v = malloc(sizeof(*v));
	size_t count = 0;
	uint64_t seq;

	if (v == NULL) {
		return NULL;
	}
	ow__version_vector__init(v);
	if (n->repl == NULL) {
		count = 1;
	} else {
		while (repl_origin_at(n->repl->core, count, &seq) != NULL) {
			count++;
		}
	}
	v->entries = malloc(count * sizeof(*v->entries));
	if (v->entries == NULL) {
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < count; i++) {
		Ow__VersionEntry *e = malloc(sizeof(*e));
		const char *o = n->node_id;

		if (e == NULL) {
			break;
		}
		ow__version_entry__init(e);
		seq = n->seq;
		if (n->repl != NULL) {
			o = repl_origin_at(n->repl->core, i, &seq);
		}
		e->origin = node__dup(o);
		e->seq = seq;
		v->entries[v->n_entries++] = e;
	}
	return v;
}

/* How long a peer has lacked ops: the clock of the oldest op it lacks,
 * from the log (the first it lacks of each origin). */
struct lag_ctx {
	struct node *n;
	uint64_t oldest_ms; /* 0: none */
};

static void
lag_cb(void *arg, const char *origin, uint64_t seq)
{
	struct lag_ctx *l = arg;
	Ow__Op *op = node_log_op_unchecked(l->n->st, origin, seq);

	if (op != NULL) {
		uint64_t ms = op->hlc >> 16;

		if (l->oldest_ms == 0 || ms < l->oldest_ms) {
			l->oldest_ms = ms;
		}
		ow__op__free_unpacked(op, NULL);
	}
}

/* Seconds the peer has lacked ops (0: it lacks none). */
static int64_t
peer_behind_s(struct node *n, const char *id)
{
	struct lag_ctx lag = {n, 0};
	uint64_t wall;

	if (repl_peer_lacks(n->repl->core, id, lag_cb, &lag) != 0 ||
	    lag.oldest_ms == 0) {
		return 0;
	}
	wall = cm_hlc_wall_ms();
	return wall > lag.oldest_ms ? (int64_t)((wall - lag.oldest_ms) / 1000)
	                            : 0;
}

enum node_disp
node__h_peer_list(struct call *c)
{
	struct node *n = c->n;
	Ow__PeerListResp *lr = malloc(sizeof(*lr));
	size_t count = 0;
	uint64_t now = now_ms();

	if (lr == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__peer_list_resp__init(lr);
	c->resp->body_case = OW__RESPONSE__BODY_PEER_LIST;
	c->resp->peer_list = lr;
	lr->version = vector_msg(n);
	if (n->repl == NULL) {
		return NODE_REPLY_NOW;
	}
	for (struct rpeer *p = n->repl->peers; p != NULL; p = p->next) {
		count += !p->removed;
	}
	lr->peers = malloc((count + 1) * sizeof(*lr->peers));
	if (lr->peers == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	for (struct rpeer *p = n->repl->peers; p != NULL; p = p->next) {
		struct repl_peer_info info;
		Ow__PeerInfo *pi;
		char pk[2 * NODE_PK_BYTES + 1];

		if (p->removed || (pi = malloc(sizeof(*pi))) == NULL) {
			continue;
		}
		ow__peer_info__init(pi);
		node_pk_hex(p->pk, pk);
		pi->id = node__dup(p->id);
		pi->url = node__dup(p->url);
		pi->public_key = node__dup(pk);
		pi->hints = node__dup(p->hints);
		pi->connected = atomic_load(&p->pipes) > 0;
		pi->last_heard_s = -1;
		if (repl_peer_info(n->repl->core, now_ms(), p->id, &info) ==
		    0) {
			pi->up = info.is_up;
			pi->behind = info.behind;
			pi->ahead = info.ahead;
			pi->failures = info.failures;
			pi->last_error = info.last_error;
			if (info.last_heard != 0) {
				pi->last_heard_s =
				    (int64_t)((now - info.last_heard) / 1000);
			}
			if (info.seed_origin[0] != '\0') {
				pi->reseed_origin = node__dup(info.seed_origin);
				pi->reseed_floor = info.seed_floor;
			}
		}
		pi->behind_s = peer_behind_s(n, p->id);
		pi->counts = repl_origin_counts(n->repl->core, now_ms(), p->id);
		lr->peers[lr->n_peers++] = pi;
	}
	return NODE_REPLY_NOW;
}

/* ---- peer verify: compare digests ------------------------------------------- */

static void
verify_local_work(uv_work_t *w)
{
	struct rverify *v = w->data;
	struct node_repl *r =
	    (struct node_repl *)((char *)v -
	                         offsetof(struct node_repl, verify));

	v->local_rc =
	    node_digest(r->n->st, v->stage == 2 ? v->ask : NULL, &v->local);
}

static void
verify_local_done(uv_work_t *w, int status)
{
	struct rverify *v = w->data;
	struct node_repl *r =
	    (struct node_repl *)((char *)v -
	                         offsetof(struct node_repl, verify));

	node_job_done(r->n);
	if (status != 0 && v->local_rc == 0) {
		v->local_rc = CM_EINTERNAL;
	}
	v->have_local = true;
	verify_step(r);
	node_flush_soon(r->n);
}

/* Ask the peer for its digest (with the buckets in v->ask listed when
 * stage 2), and compute ours on a worker. */
static int
verify_ask(struct node_repl *r)
{
	struct rverify *v = &r->verify;
	struct rpeer *p = v->peer;
	Ow__ReplLink l = OW__REPL_LINK__INIT;
	Ow__ReplDigest d = OW__REPL_DIGEST__INIT;
	Ow__ReplProof pr = OW__REPL_PROOF__INIT;
	uint32_t ask[ASK_MAX];
	unsigned char sig[NODE_SIG_BYTES];
	nng_msg *m;
	int rc;

	for (int b = 0; b < 256 && v->stage == 2; b++) {
		if (v->ask[b] && d.n_ask < ASK_MAX) {
			ask[d.n_ask++] = (uint32_t)b;
		} else {
			/* Not asked of the peer: not listed here either. */
			v->ask[b] = false;
		}
	}
	d.ask = ask;
	l.digest = &d;
	add_proof(p, &l, &pr, sig);
	m = link_pack(&l);
	if (m == NULL) {
		return CM_ENOMEM;
	}
	v->have_local = v->have_remote = false;
	link_free(v->remote_link);
	v->remote_link = NULL;
	atomic_store(&p->vstage, 1);
	nng_aio_set_msg(p->vaio, m);
	nng_aio_set_timeout(p->vaio, 60000);
	nng_ctx_send(p->vctx, p->vaio);
	v->work.data = v;
	rc = node_queue_job(
	    r->n, &v->work, verify_local_work, verify_local_done);
	if (rc != 0) {
		v->have_local = true;
		v->local_rc = CM_ENOMEM;
	}
	return 0;
}

static void
verify_finish(struct node_repl *r, int status)
{
	struct rverify *v = &r->verify;

	char *rid = v->resp->request_id;

	if (status != 0) {
		node__fail(v->resp, status);
	}
	node_finish_async(r->n, v->slot, v->resp, NODE_REPLY_NOW);
	free(v->resp);
	free_dup(rid);
	node_digest_free(&v->local);
	link_free(v->remote_link);
	memset(v, 0, sizeof(*v));
}

static bool
bytes_eq(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void
verify_step(struct node_repl *r)
{
	struct rverify *v = &r->verify;
	Ow__PeerVerifyResp *vr = v->resp->peer_verify;
	const Ow__ReplDigest *rd;

	if (!v->active || !v->have_local || !v->have_remote) {
		return;
	}
	if (v->peer->removed || !v->peer->open) {
		/* Removed or given another address meanwhile. */
		verify_finish(r, CM_ENOTFOUND);
		return;
	}
	if (v->local_rc != 0) {
		verify_finish(r, v->local_rc);
		return;
	}
	if (v->remote_link == NULL) {
		verify_finish(r, CM_ETIMEOUT);
		return;
	}
	if (v->remote_link->challenge != NULL) {
		const Ow__ReplChallenge *ch = v->remote_link->challenge;

		/* Prove who we are, then ask again (twice at most). */
		if (ch->nonce.len == NONCE_BYTES && v->retries++ < 2) {
			memcpy(v->peer->nonce, ch->nonce.data, NONCE_BYTES);
			v->peer->have_nonce = true;
			node_digest_free(&v->local);
			if (verify_ask(r) == 0) {
				return;
			}
		}
		verify_finish(r, CM_EDENIED);
		return;
	}
	if (v->remote_link->status != 0 || v->remote_link->digest == NULL) {
		verify_finish(r, v->remote_link->status != 0
		                     ? v->remote_link->status
		                     : CM_EPROTO);
		return;
	}
	rd = v->remote_link->digest;
	if (rd->n_buckets != 256 || v->local.n_buckets != 256) {
		verify_finish(r, CM_EPROTO);
		return;
	}
	if (v->stage == 1) {
		vr->local.data = malloc(32);
		vr->remote.data = malloc(32);
		if (vr->local.data == NULL || vr->remote.data == NULL ||
		    v->local.total.len != 32 || rd->total.len != 32) {
			verify_finish(r, CM_ENOMEM);
			return;
		}
		memcpy(vr->local.data, v->local.total.data, 32);
		memcpy(vr->remote.data, rd->total.data, 32);
		vr->local.len = vr->remote.len = 32;
		vr->same = bytes_eq(&v->local.total, &rd->total);
		if (vr->same) {
			verify_finish(r, 0);
			return;
		}
		memset(v->ask, 0, sizeof(v->ask));
		for (int b = 0; b < 256; b++) {
			v->ask[b] =
			    !bytes_eq(&v->local.buckets[b], &rd->buckets[b]);
		}
		node_digest_free(&v->local);
		v->stage = 2;
		if (verify_ask(r) != 0) {
			verify_finish(r, CM_ENOMEM);
		}
		return;
	}
	/* Stage 2: the cases of the differing buckets, both sides, in id
	 * order: walk them together. */
	{
		size_t i = 0, j = 0;

		vr->differ = malloc(DIFFER_MAX * sizeof(*vr->differ));
		if (vr->differ == NULL) {
			verify_finish(r, CM_ENOMEM);
			return;
		}
		while (i < v->local.n_cases || j < rd->n_cases) {
			const Ow__KeyValue *a =
			    i < v->local.n_cases ? v->local.cases[i] : NULL;
			const Ow__KeyValue *b =
			    j < rd->n_cases ? rd->cases[j] : NULL;
			int cmp = a == NULL   ? 1
			          : b == NULL ? -1
			                      : strcmp(a->key, b->key);
			const char *id = NULL;

			if (cmp == 0) {
				if (strcmp(a->value, b->value) != 0) {
					id = a->key;
				}
				i++;
				j++;
			} else if (cmp < 0) {
				id = a->key;
				i++;
			} else {
				id = b->key;
				j++;
			}
			if (id != NULL) {
				if (vr->n_differ < DIFFER_MAX) {
					vr->differ[vr->n_differ++] =
					    node__dup(id);
				}
				vr->differ_total++;
			}
		}
	}
	verify_finish(r, 0);
}

enum node_disp
node__h_peer_verify(struct call *c)
{
	struct node *n = c->n;
	struct node_repl *r = n->repl;
	struct rverify *v;
	struct rpeer *p;
	Ow__Response *resp;
	Ow__PeerVerifyResp *vr;

	if (r == NULL || (p = peer_find(r, c->req->peer_verify->id)) == NULL) {
		node__fail(c->resp, CM_ENOTFOUND);
		return NODE_REPLY_NOW;
	}
	if (!p->open) {
		node__fail(c->resp, CM_EINVAL); /* a hall with no address */
		return NODE_REPLY_NOW;
	}
	if (r->verify.active || (r->seed.active && r->seed.peer == p)) {
		node__fail(c->resp, CM_EBUSY);
		return NODE_REPLY_NOW;
	}
	resp = malloc(sizeof(*resp));
	vr = malloc(sizeof(*vr));
	if (resp == NULL || vr == NULL) {
		free(resp);
		free(vr);
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	/* The response outlives this call: copy what it borrows. */
	ow__response__init(resp);
	ow__peer_verify_resp__init(vr);
	resp->version = 1;
	resp->request_id = node__dup(c->req->request_id);
	resp->body_case = OW__RESPONSE__BODY_PEER_VERIFY;
	resp->peer_verify = vr;
	v = &r->verify;
	memset(v, 0, sizeof(*v));
	v->active = true;
	v->slot = c->slot;
	v->resp = resp;
	v->peer = p;
	v->stage = 1;
	if (verify_ask(r) != 0) {
		verify_finish(r, CM_ENOMEM);
	}
	return NODE_REPLY_LATER;
}

/* ---- status ------------------------------------------------------------------ */

struct status_job {
	uv_work_t w;
	struct node *n;
	struct node_slot *slot;
	Ow__Response resp;
	char *request_id;
	Ow__ReplDigest dg;
	int rc;
};

static void
status_work(uv_work_t *w)
{
	struct status_job *j = w->data;

	j->rc = node_digest(j->n->st, NULL, &j->dg);
}

static void
status_done(uv_work_t *w, int status)
{
	struct status_job *j = w->data;
	Ow__StatusResp *s = j->resp.status_resp;

	node_job_done(j->n);
	if (status == 0 && j->rc == 0 &&
	    (s->digest.data = malloc(32)) != NULL) {
		memcpy(s->digest.data, j->dg.total.data, 32);
		s->digest.len = 32;
	}
	if (j->rc == 0) {
		node_digest_free(&j->dg);
	}
	node_finish_async(j->n, j->slot, &j->resp, NODE_REPLY_NOW);
	free_dup(j->request_id);
	cm_free(j);
}

static uint64_t
count_conflicts(struct node *n)
{
	uint8_t prefix[8];
	size_t plen = node_index_prefix(
	    NODE_IDX_CONFLICT, "1", NULL, prefix, sizeof(prefix) - 1);
	struct node_iter *it = NULL;
	uint64_t count = 0;

	prefix[plen++] = 0;
	if (node_iter_new(n->st, NODE_CF_IDX, prefix, plen, &it) == 0) {
		for (; node_iter_valid(it); node_iter_next(it)) {
			count++;
		}
		node_iter_free(it);
	}
	return count;
}

enum node_disp
node__status_repl(struct call *c, Ow__StatusResp *s)
{
	struct node *n = c->n;
	struct status_job *j;

	s->version = vector_msg(n);
	s->conflicts = count_conflicts(n);
	{
		char **w = NULL;
		size_t nw = 0;

		if (node_ops_warnings(n, &w, &nw) == 0 && nw > 0) {
			s->warnings = malloc(nw * sizeof(*s->warnings));
			for (size_t i = 0; s->warnings != NULL && i < nw; i++) {
				s->warnings[s->n_warnings++] = node__dup(w[i]);
			}
		}
		node_ops_warnings_free(w, nw);
	}
	if (n->repl == NULL) {
		return NODE_REPLY_NOW;
	}
	s->repl_listen = node__dup(n->cfg.repl_listen);
	s->repl_hints = node__dup(n->cfg.repl_hints);
	if (c->sess->role != NODE_ROLE_OPS &&
	    c->sess->role != NODE_ROLE_AUDITOR) {
		/* The digest reads every case: for ops and auditors only,
		 * not for every desk's status. */
		return NODE_REPLY_NOW;
	}
	/* The digest reads every case: on a worker. */
	j = cm_calloc(1, sizeof(*j));
	if (j == NULL) {
		return NODE_REPLY_NOW;
	}
	j->n = n;
	j->slot = c->slot;
	j->resp = *c->resp;
	j->request_id = node__dup(c->req->request_id);
	j->resp.request_id = j->request_id;
	j->w.data = j;
	if (node_queue_job(n, &j->w, status_work, status_done) != 0) {
		free_dup(j->request_id);
		cm_free(j);
		return NODE_REPLY_NOW;
	}
	/* The response now belongs to the job. */
	c->resp->body_case = OW__RESPONSE__BODY__NOT_SET;
	c->resp->status_resp = NULL;
	return NODE_REPLY_LATER;
}

/* ---- metrics (metrics.c) ------------------------------------------------ */

void
node_repl_metrics(struct node *n,
    void (*peer_cb)(void *arg, const struct node_repl_peer_fig *p),
    void (*origin_cb)(void *arg, const char *origin, uint64_t seq), void *arg,
    size_t *held_bytes)
{
	uint64_t now = now_ms(), seq;
	const char *o;

	*held_bytes = 0;
	if (n->repl == NULL) {
		origin_cb(arg, n->node_id, n->seq);
		return;
	}
	*held_bytes = repl_held_bytes(n->repl->core);
	for (size_t i = 0; (o = repl_origin_at(n->repl->core, i, &seq)) != NULL;
	     i++) {
		origin_cb(arg, o, seq);
	}
	for (struct rpeer *p = n->repl->peers; p != NULL; p = p->next) {
		struct node_repl_peer_fig f = {
		    .id = p->id, .last_heard_ms = -1};
		struct repl_peer_info info;

		if (p->removed) {
			continue;
		}
		f.is_connected = atomic_load(&p->pipes) > 0;
		if (repl_peer_info(n->repl->core, now_ms(), p->id, &info) ==
		    0) {
			f.is_up = info.is_up;
			f.behind = info.behind;
			f.ahead = info.ahead;
			f.failures = info.failures;
			if (info.last_heard != 0) {
				f.last_heard_ms =
				    now >= info.last_heard
				        ? (int64_t)(now - info.last_heard)
				        : 0;
			}
		}
		f.behind_s = peer_behind_s(n, p->id);
		peer_cb(arg, &f);
	}
}
