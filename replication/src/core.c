/*
 * core.c: the replication state machine of one hall (see core.h): set-up,
 * the vector, pulls, hints, timers and the entry points. Answering pulls
 * is in serve.c, taking batches in take.c, the effects in effects.c.
 *
 * State: the registered origins (sorted by id) with, for each, its public
 * key, the hall's vector entry and chain head, and the ops held above a
 * gap; the peers this hall pulls from with their pull in flight, backoff
 * and the vector they last told; a pending hint.
 *
 * A batch is taken in two phases (take.c): every op is checked against a
 * staged copy of the heads, and only if everything that can fail has
 * succeeded does one PERSIST effect take the accepted ops and the heads
 * move. So a failed call leaves the vector where it was, and the vector
 * the core holds never runs ahead of what the host was told to write in
 * one batch.
 */
#include "core_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"

/* ---- set-up ------------------------------------------------------------------ */

void
repl_config_default(struct repl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_batch_bytes = REPL_BATCH_MAX;
	cfg->pull_interval_ms = 5000;
	cfg->pull_timeout_ms = 3000;
	cfg->backoff_min_ms = 500;
	cfg->backoff_max_ms = 30000;
	cfg->down_after = 3;
	cfg->hint_interval_ms = 20;
	cfg->max_ahead_ms = 60000;
	cfg->held_max_bytes = 8u * 1024u * 1024u;
	cfg->lapse_ms = 30ull * 24 * 3600 * 1000;
}

static long
origin_index(const struct repl *r, const char *id, bool *found)
{
	size_t lo = 0, hi = r->norigins;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->origins[mid]->id, id);

		if (c == 0) {
			*found = true;
			return (long)mid;
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	*found = false;
	return (long)lo;
}

struct origin *
repl__find_origin(const struct repl *r, const char *id)
{
	bool found;
	long i = origin_index(r, id, &found);

	return found ? r->origins[i] : NULL;
}

static struct peer *
find_peer(const struct repl *r, const char *id)
{
	for (size_t i = 0; i < r->npeers; i++) {
		if (strcmp(r->peers[i]->id, id) == 0) {
			return r->peers[i];
		}
	}
	return NULL;
}

int
repl_new(const struct repl_config *cfg, struct repl **out)
{
	struct repl *r;
	int rc;

	if (cfg == NULL || out == NULL) {
		return CM_EINVAL;
	}
	*out = NULL;
	if (!node_id_valid(cfg->self) || cfg->hlc == NULL || cfg->log == NULL ||
	    cfg->log->get == NULL) {
		return CM_EINVAL;
	}
	if (sodium_init() < 0) {
		return CM_EINTERNAL;
	}
	r = cm_calloc(1, sizeof(*r));
	if (r == NULL) {
		return CM_ENOMEM;
	}
	r->cfg = *cfg;
	repl__copy_id(r->self, cfg->self);
	r->cfg.self = r->self;
	if (r->cfg.max_batch_bytes == 0 ||
	    r->cfg.max_batch_bytes > REPL_BATCH_MAX) {
		r->cfg.max_batch_bytes = REPL_BATCH_MAX;
	}
	if (r->cfg.max_batch_bytes < REPL_BATCH_MIN) {
		r->cfg.max_batch_bytes = REPL_BATCH_MIN;
	}
	rc = repl_origin_add(r, r->self, cfg->self_pk);
	if (rc != 0) {
		repl_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void
held_clear(struct repl *r, struct origin *o)
{
	for (size_t i = 0; i < o->nheld; i++) {
		r->held_bytes -= o->held[i].len;
		cm_free(o->held[i].buf);
	}
	o->nheld = 0;
}

void
repl__stage_clear(struct repl *r)
{
	for (size_t i = 0; i < r->st_nops; i++) {
		repl__fx_op_free(&r->st_ops[i]);
	}
	r->st_nops = 0;
}

void
repl_free(struct repl *r)
{
	if (r == NULL) {
		return;
	}
	for (size_t i = 0; i < r->norigins; i++) {
		held_clear(r, r->origins[i]);
		cm_free(r->origins[i]->held);
		cm_free(r->origins[i]->seen);
		cm_free(r->origins[i]);
	}
	cm_free(r->origins);
	for (size_t i = 0; i < r->npeers; i++) {
		cm_free(r->peers[i]->known);
		cm_free(r->peers[i]);
	}
	cm_free(r->peers);
	repl__stage_clear(r);
	cm_free(r->st_ops);
	cm_free(r);
}

int
repl_origin_add(
    struct repl *r, const char *id, const unsigned char pk[NODE_PK_BYTES])
{
	struct origin *o, **no;
	bool found;
	long at;

	if (r == NULL || pk == NULL || !node_id_valid(id)) {
		return CM_EINVAL;
	}
	at = origin_index(r, id, &found);
	if (found) {
		return sodium_memcmp(r->origins[at]->pk, pk, NODE_PK_BYTES) == 0
		           ? 0
		           : CM_EEXIST;
	}
	o = cm_calloc(1, sizeof(*o));
	if (o == NULL) {
		return CM_ENOMEM;
	}
	no = cm_reallocarray(r->origins, r->norigins + 1, sizeof(*no));
	if (no == NULL) {
		cm_free(o);
		return CM_ENOMEM;
	}
	r->origins = no;
	repl__copy_id(o->id, id);
	memcpy(o->pk, pk, NODE_PK_BYTES);
	memmove(&no[at + 1], &no[at], (r->norigins - (size_t)at) * sizeof(*no));
	no[at] = o;
	r->norigins++;
	return 0;
}

int
repl_origin_set_head(struct repl *r, const char *id, uint64_t seq,
    const unsigned char hash[NODE_HASH_BYTES])
{
	struct origin *o =
	    r != NULL && id != NULL ? repl__find_origin(r, id) : NULL;

	if (o == NULL) {
		return CM_ENOTFOUND;
	}
	if (seq > 0 && hash == NULL) {
		return CM_EINVAL;
	}
	o->seq = seq;
	if (seq == 0) {
		memset(o->head, 0, sizeof(o->head));
	} else {
		memcpy(o->head, hash, NODE_HASH_BYTES);
	}
	/* Held ops at or below the new head are stale. */
	held_clear(r, o);
	return 0;
}

int
repl_peer_add(struct repl *r, const char *id)
{
	struct peer *p, **np;

	if (r == NULL || id == NULL) {
		return CM_EINVAL;
	}
	if (strcmp(id, r->self) == 0) {
		return CM_EINVAL;
	}
	if (repl__find_origin(r, id) == NULL) {
		return CM_ENOTFOUND;
	}
	if (find_peer(r, id) != NULL) {
		return 0;
	}
	p = cm_calloc(1, sizeof(*p));
	if (p == NULL) {
		return CM_ENOMEM;
	}
	np = cm_reallocarray(r->peers, r->npeers + 1, sizeof(*np));
	if (np == NULL) {
		cm_free(p);
		return CM_ENOMEM;
	}
	repl__copy_id(p->id, id);
	r->peers = np;
	r->peers[r->npeers++] = p;
	return 0;
}

int
repl_peer_remove(struct repl *r, const char *id)
{
	for (size_t i = 0; r != NULL && id != NULL && i < r->npeers; i++) {
		if (strcmp(r->peers[i]->id, id) == 0) {
			cm_free(r->peers[i]->known);
			cm_free(r->peers[i]);
			memmove(&r->peers[i], &r->peers[i + 1],
			    (r->npeers - i - 1) * sizeof(*r->peers));
			r->npeers--;
			return 0;
		}
	}
	return CM_ENOTFOUND;
}

/* ---- vectors ------------------------------------------------------------- */

/* The hall's vector as a message part. Entries point into r (borrowed
 * strings: pack only reads them); free with vector_free. */
int
repl__vector_make(const struct repl *r, Ow__VersionVector *vv)
{
	size_t n = 0;

	ow__version_vector__init(vv);
	for (size_t i = 0; i < r->norigins; i++) {
		n += r->origins[i]->seq > 0;
	}
	if (n == 0) {
		return 0;
	}
	vv->entries = cm_calloc(n, sizeof(*vv->entries));
	if (vv->entries == NULL) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < r->norigins; i++) {
		const struct origin *o = r->origins[i];
		Ow__VersionEntry *e;

		if (o->seq == 0) {
			continue;
		}
		e = cm_malloc(sizeof(*e));
		if (e == NULL) {
			return CM_ENOMEM;
		}
		ow__version_entry__init(e);
		e->origin = (char *)(uintptr_t)o->id;
		e->seq = o->seq;
		vv->entries[vv->n_entries++] = e;
	}
	return 0;
}

void
repl__vector_free(Ow__VersionVector *vv)
{
	for (size_t i = 0; i < vv->n_entries; i++) {
		cm_free(vv->entries[i]);
	}
	cm_free(vv->entries);
	vv->entries = NULL;
	vv->n_entries = 0;
}

/* A copy of a told vector (decoded and checked). 0 or CM_ENOMEM. */
static int
known_copy(const Ow__VersionVector *v, struct known **out, size_t *nout)
{
	size_t n = v != NULL ? v->n_entries : 0;
	struct known *k = NULL;

	if (n > 0) {
		k = cm_calloc(n, sizeof(*k));
		if (k == NULL) {
			return CM_ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			repl__copy_id(k[i].id, v->entries[i]->origin);
			k[i].seq = v->entries[i]->seq;
		}
	}
	cm_free(*out);
	*out = k;
	*nout = n;
	return 0;
}

static uint64_t
known_get(const struct known *k, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(k[i].id, id) == 0) {
			return k[i].seq;
		}
	}
	return 0;
}

/* Does this hall count origin o for what every hall holds: a statement
 * of its vector came (from it or passed on) within the lapse, or none has
 * come yet and the lapse has not passed since this core started (then it
 * counts as holding nothing)? A hall away longer re-seeds when it comes
 * back; a retired one never counts. */
static bool
origin_counts(const struct repl *r, const struct origin *o, uint64_t now)
{
	uint64_t since = o->has_seen ? o->seen_at : r->start;

	if (o->retired || strcmp(o->id, r->self) == 0) {
		return false;
	}
	return !r->started || now < since || now - since <= r->cfg.lapse_ms;
}

bool
repl_origin_counts(const struct repl *r, uint64_t now_ms, const char *id)
{
	const struct origin *o =
	    r != NULL && id != NULL ? repl__find_origin(r, id) : NULL;

	return o != NULL && origin_counts(r, o, now_ms);
}

static void
note_start(struct repl *r, uint64_t now)
{
	if (!r->started) {
		r->started = true;
		r->start = now;
	}
}

int
repl_origin_retire(struct repl *r, const char *id, bool retired)
{
	struct origin *o =
	    r != NULL && id != NULL ? repl__find_origin(r, id) : NULL;

	if (o == NULL) {
		return CM_ENOTFOUND;
	}
	o->retired = retired;
	return 0;
}

uint64_t
repl_stable_seq(const struct repl *r, uint64_t now_ms, const char *origin)
{
	const struct origin *o =
	    r != NULL && origin != NULL ? repl__find_origin(r, origin) : NULL;
	uint64_t s;

	if (o == NULL) {
		return 0;
	}
	s = o->seq;
	for (size_t i = 0; i < r->norigins && s > 0; i++) {
		const struct origin *h = r->origins[i];
		uint64_t k;

		if (!origin_counts(r, h, now_ms)) {
			continue;
		}
		k = known_get(h->seen, h->nseen, o->id);
		s = k < s ? k : s;
	}
	return s;
}

void
repl_set_wall(struct repl *r, uint64_t wall_ms)
{
	if (r != NULL && wall_ms > r->wall) {
		r->wall = wall_ms;
	}
}

void
repl__seen_free(Ow__HallVector **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		if (v[i] != NULL) {
			if (v[i]->have != NULL) {
				repl__vector_free(v[i]->have);
				cm_free(v[i]->have);
			}
			cm_free(v[i]);
		}
	}
	cm_free(v);
}

/* A statement's vector from known entries (pointing into them). */
static int
seen_vector(const struct known *k, size_t n, Ow__VersionVector **out)
{
	Ow__VersionVector *vv = cm_malloc(sizeof(*vv));

	*out = vv;
	if (vv == NULL) {
		return CM_ENOMEM;
	}
	ow__version_vector__init(vv);
	if (n == 0) {
		return 0;
	}
	vv->entries = cm_calloc(n, sizeof(*vv->entries));
	if (vv->entries == NULL) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		Ow__VersionEntry *e = cm_malloc(sizeof(*e));

		if (e == NULL) {
			return CM_ENOMEM;
		}
		ow__version_entry__init(e);
		e->origin = (char *)(uintptr_t)k[i].id;
		e->seq = k[i].seq;
		vv->entries[vv->n_entries++] = e;
	}
	return 0;
}

int
repl__seen_make(struct repl *r, Ow__HallVector ***out, size_t *nout)
{
	Ow__HallVector **v = cm_calloc(r->norigins + 1, sizeof(*v));
	size_t n = 0;
	uint64_t stamp = r->wall != 0 ? r->wall : r->cfg.hlc->last >> 16;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (v == NULL) {
		return CM_ENOMEM;
	}
	/* Its own statement: never older than the one before. */
	if (stamp < r->stamp_last) {
		stamp = r->stamp_last;
	}
	r->stamp_last = stamp;
	for (size_t i = 0; i < r->norigins && rc == 0; i++) {
		const struct origin *o = r->origins[i];
		bool self = strcmp(o->id, r->self) == 0;
		Ow__HallVector *h;

		if (!self && !o->has_seen) {
			continue;
		}
		h = cm_malloc(sizeof(*h));
		if (h == NULL) {
			rc = CM_ENOMEM;
			break;
		}
		ow__hall_vector__init(h);
		v[n++] = h;
		h->hall = (char *)(uintptr_t)o->id;
		if (self) {
			h->stamp = stamp;
			h->have = cm_malloc(sizeof(*h->have));
			rc = h->have == NULL ? CM_ENOMEM
			                     : repl__vector_make(r, h->have);
		} else {
			h->stamp = o->seen_stamp;
			rc = seen_vector(o->seen, o->nseen, &h->have);
		}
	}
	if (rc != 0) {
		repl__seen_free(v, n);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* Take the statements a peer passed on: a later one of a hall replaces
 * what this hall saw of it (never its own). The sender's own statement
 * is its vector now, whatever its stamp: a hall that restarts with its
 * clock behind the stamps it sent before is believed at once by the
 * halls it talks to (passed on, it waits for its clock to catch up). */
static void
seen_merge(struct repl *r, uint64_t now, const char *from,
    Ow__HallVector *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct origin *o = repl__find_origin(r, v[i]->hall);
		bool own = strcmp(v[i]->hall, from) == 0;

		if (o == NULL || strcmp(o->id, r->self) == 0 ||
		    (o->has_seen && !own && v[i]->stamp <= o->seen_stamp)) {
			continue;
		}
		if (known_copy(v[i]->have, &o->seen, &o->nseen) != 0) {
			continue;
		}
		if (!o->has_seen || v[i]->stamp > o->seen_stamp) {
			o->seen_stamp = v[i]->stamp;
		}
		o->seen_at = now;
		o->has_seen = true;
	}
}

int
repl_origin_set_floor(struct repl *r, const char *id, uint64_t seq)
{
	struct origin *o =
	    r != NULL && id != NULL ? repl__find_origin(r, id) : NULL;

	if (o == NULL) {
		return CM_ENOTFOUND;
	}
	if (seq > o->floor) {
		o->floor = seq;
	}
	return 0;
}

/* Remember the vector a peer told (a decoded, checked vector). */
static int
peer_know(struct peer *p, const Ow__VersionVector *v)
{
	return known_copy(v, &p->known, &p->nknown);
}

/* Does the peer hold ops (of an origin this hall can verify, and not its
 * own unless it takes them back) that this hall lacks? */
static bool
peer_is_ahead(const struct repl *r, const struct peer *p)
{
	for (size_t i = 0; i < p->nknown; i++) {
		const struct origin *o = repl__find_origin(r, p->known[i].id);

		if (o != NULL &&
		    (strcmp(o->id, r->self) != 0 || r->accept_own) &&
		    p->known[i].seq > o->seq) {
			return true;
		}
	}
	return false;
}

/* ---- sending ---------------------------------------------------------------- */

/* Encode m into a SEND or PUBLISH effect. */
int
repl__emit(struct repl_effects *fx, enum repl_fx_kind kind, const char *peer,
    bool is_reply, const Ow__ReplMessage *m)
{
	struct repl_effect *e;
	uint8_t *buf;
	size_t len;
	int rc = repl_msg_encode(m, &buf, &len);

	if (rc != 0) {
		return rc;
	}
	e = repl__fx_push(fx, kind);
	if (e == NULL) {
		cm_free(buf);
		return CM_ENOMEM;
	}
	e->msg = repl_msg_kind(m);
	e->is_reply = is_reply;
	e->buf = buf;
	e->len = len;
	repl__copy_id(e->peer, peer);
	return 0;
}

static int
send_pull(struct repl *r, struct peer *p, uint64_t now, struct repl_effects *fx)
{
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplPull pull = OW__REPL_PULL__INIT;
	Ow__VersionVector have;
	Ow__HallVector **seen = NULL;
	size_t nseen = 0;
	int rc = repl__vector_make(r, &have);

	(void)now;
	if (rc == 0) {
		rc = repl__seen_make(r, &seen, &nseen);
	}
	if (rc == 0) {
		m.version = REPL_PROTO_VERSION;
		m.from = r->self;
		m.body_case = OW__REPL_MESSAGE__BODY_PULL;
		m.pull = &pull;
		pull.have = &have;
		pull.seen = seen;
		pull.n_seen = nseen;
		pull.max_bytes = r->cfg.max_batch_bytes;
		pull.request = r->next_req + 1;
		rc = repl__emit(fx, REPL_FX_SEND, p->id, false, &m);
	}
	repl__vector_free(&have);
	repl__seen_free(seen, nseen);
	if (rc == 0) {
		p->req = ++r->next_req;
		p->in_flight = true;
		p->again = false;
		p->sent_at = now;
	}
	return rc;
}

static int
send_hint(struct repl *r, uint64_t now, struct repl_effects *fx)
{
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplHint hint = OW__REPL_HINT__INIT;
	Ow__VersionVector have;
	int rc = repl__vector_make(r, &have);

	if (rc == 0) {
		m.version = REPL_PROTO_VERSION;
		m.from = r->self;
		m.body_case = OW__REPL_MESSAGE__BODY_HINT;
		m.hint = &hint;
		hint.have = &have;
		rc = repl__emit(fx, REPL_FX_PUBLISH, "", false, &m);
	}
	repl__vector_free(&have);
	if (rc == 0) {
		r->hint_pending = false;
		r->has_hinted = true;
		r->last_hint = now;
	}
	return rc;
}

/* The vector moved: hint now, or when the interval has passed. */
static int
hint_soon(struct repl *r, uint64_t now, struct repl_effects *fx)
{
	r->hint_pending = true;
	if (!r->has_hinted || now >= r->last_hint + r->cfg.hint_interval_ms) {
		return send_hint(r, now, fx);
	}
	return 0;
}

/*
 * Pull from p now if it holds what this hall lacks. If a pull is in
 * flight, pull once more when it is answered; but a pull in flight for a
 * quarter of the timeout while p is talking is most likely lost (sent
 * before the link came back): replace it rather than wait for the
 * timeout. Pulls are idempotent, and a late answer to the old one still
 * counts.
 */
static int
pull_if_ahead(
    struct repl *r, struct peer *p, uint64_t now, struct repl_effects *fx)
{
	if (p == NULL || !peer_is_ahead(r, p)) {
		return 0;
	}
	if (p->in_flight && now < p->sent_at + r->cfg.pull_timeout_ms / 4) {
		p->again = true;
		return 0;
	}
	return send_pull(r, p, now, fx);
}

static void
peer_failed(struct repl *r, struct peer *p, uint64_t now,
    struct repl_effects *fx, int *rc)
{
	p->in_flight = false;
	p->failures++;
	p->last_error = CM_ETIMEOUT;
	if (p->backoff == 0) {
		p->backoff = r->cfg.backoff_min_ms;
	} else {
		p->backoff = p->backoff > r->cfg.backoff_max_ms / 2
		                 ? r->cfg.backoff_max_ms
		                 : p->backoff * 2;
	}
	p->next_pull = now + p->backoff;
	if (p->failures >= r->cfg.down_after && !p->is_down) {
		p->is_down = true;
		if (*rc == 0) {
			*rc = repl__report(
			    fx, REPL_EV_PEER_DOWN, CM_ETIMEOUT, p->id, "", 0);
		}
	}
}

/* ---- entry points --------------------------------------------------------------- */

int
repl_on_local_op(struct repl *r, uint64_t now_ms, const uint8_t *buf,
    size_t len, struct repl_effects *fx)
{
	unsigned char hash[NODE_HASH_BYTES];
	struct origin *o;
	Ow__Op *op = NULL;
	int rc;

	if (r == NULL || fx == NULL || (buf == NULL && len > 0)) {
		return CM_EINVAL;
	}
	o = repl__find_origin(r, r->self);
	assert(o != NULL);
	rc = node_op_open(buf, len, o->pk, &op, hash);
	if (rc != 0) {
		return rc;
	}
	if (strcmp(op->origin, r->self) != 0) {
		rc = CM_EINVAL;
	} else {
		rc = node_op_chain_check(op, o->seq, o->head);
	}
	ow__op__free_unpacked(op, NULL);
	if (rc != 0) {
		return rc;
	}
	o->seq++;
	memcpy(o->head, hash, NODE_HASH_BYTES);
	held_clear(r, o);
	rc = hint_soon(r, now_ms, fx);
	/* The op is the host's, durable already: a hint that could not be
	 * made goes out with the next timer. */
	return rc == CM_ENOMEM ? 0 : rc;
}

static int
on_pull(struct repl *r, uint64_t now, const char *from, struct peer *p,
    const Ow__ReplPull *pull, struct repl_effects *fx)
{
	int rc = repl__answer_pull(r, now, from, pull, fx);

	if (rc == 0 && p != NULL && peer_know(p, pull->have) == 0) {
		/* A pull tells the requester's vector: if it holds what
		 * this hall lacks, pull back at once (or at the next timer
		 * when memory is short). */
		(void)pull_if_ahead(r, p, now, fx);
	}
	return rc;
}

static int
on_batch(struct repl *r, uint64_t now, uint64_t wall, const char *from,
    struct peer *p, const Ow__ReplBatch *batch, struct repl_effects *fx)
{
	bool progress = false, again;
	int rc = repl__take_batch(r, wall, from, batch, fx, &progress);

	/* Once the ops are committed, what follows must not fail the call
	 * (the PERSIST effect must reach the host): hints and pulls that
	 * cannot be made for lack of memory are made by the next timer. */
	if (rc != 0) {
		return rc;
	}
	if (progress) {
		(void)hint_soon(r, now, fx);
	}
	/* Origins the peer compacted beyond this hall's entry: this hall
	 * must re-seed from a checkpoint to catch up on them. */
	for (size_t i = 0; batch->floor != NULL && i < batch->floor->n_entries;
	     i++) {
		const Ow__VersionEntry *e = batch->floor->entries[i];
		const struct origin *o = repl__find_origin(r, e->origin);

		if (o == NULL || e->seq <= o->seq) {
			continue;
		}
		(void)repl__report(
		    fx, REPL_EV_RESEED, CM_ERANGE, from, e->origin, e->seq);
		if (p != NULL) {
			repl__copy_id(p->seed_origin, e->origin);
			p->seed_origin_seq = e->seq;
		}
	}
	if (p == NULL) {
		return 0;
	}
	(void)peer_know(p, batch->have);
	if (batch->floor == NULL || batch->floor->n_entries == 0) {
		p->seed_origin[0] = '\0';
		p->seed_origin_seq = 0;
	}
	if (!p->in_flight || batch->request != p->req) {
		/* A late or unasked-for batch: its ops count, the pull in
		 * flight (if any) still waits for its own answer. */
		return 0;
	}
	p->in_flight = false;
	p->failures = 0;
	p->backoff = 0;
	p->next_pull = now + r->cfg.pull_interval_ms;
	again = p->again;
	p->again = false;
	if (p->is_down) {
		p->is_down = false;
		(void)repl__report(fx, REPL_EV_PEER_UP, 0, p->id, "", 0);
	}
	/* A hint that came while the pull was in flight may be newer than
	 * this answer (messages overtake each other), whose vector replaced
	 * the hint's: pull once more whatever the answer says. */
	if ((batch->more && progress) || again) {
		(void)send_pull(r, p, now, fx);
	}
	return 0;
}

int
repl_on_message(struct repl *r, uint64_t now_ms, uint64_t wall_ms,
    const char *from, const uint8_t *buf, size_t len, struct repl_effects *fx)
{
	Ow__ReplMessage *m = NULL;
	struct peer *p;
	size_t entry;
	int rc;

	if (r == NULL || from == NULL || fx == NULL ||
	    (buf == NULL && len > 0)) {
		return CM_EINVAL;
	}
	entry = fx->n;
	p = find_peer(r, from);
	rc = repl_msg_decode(buf, len, &m);
	if (rc == CM_ENOMEM) {
		return rc;
	}
	if (rc != 0) {
		if (p != NULL) {
			p->last_error = rc;
		}
		rc = repl__report(fx, REPL_EV_MALFORMED, rc, from, "", 0);
		goto done;
	}
	/* Only registered halls, each speaking for itself. */
	if (strcmp(m->from, from) != 0 || strcmp(from, r->self) == 0 ||
	    repl__find_origin(r, from) == NULL) {
		rc = repl__report(
		    fx, REPL_EV_UNKNOWN_PEER, CM_EDENIED, from, "", 0);
		goto done;
	}
	if (p != NULL) {
		p->last_heard = now_ms;
	}
	repl_set_wall(r, wall_ms);
	note_start(r, now_ms);
	/* What every hall holds, as the sender saw it (for compaction). */
	if (m->body_case == OW__REPL_MESSAGE__BODY_PULL) {
		seen_merge(r, now_ms, from, m->pull->seen, m->pull->n_seen);
	} else if (m->body_case == OW__REPL_MESSAGE__BODY_BATCH) {
		seen_merge(r, now_ms, from, m->batch->seen, m->batch->n_seen);
	}
	switch (m->body_case) {
	case OW__REPL_MESSAGE__BODY_PULL:
		rc = on_pull(r, now_ms, from, p, m->pull, fx);
		break;
	case OW__REPL_MESSAGE__BODY_BATCH:
		rc = on_batch(r, now_ms, wall_ms, from, p, m->batch, fx);
		break;
	default:
		if (p != NULL && peer_know(p, m->hint->have) == 0) {
			(void)pull_if_ahead(r, p, now_ms, fx);
		}
		break;
	}
	if (rc == 0 && p != NULL) {
		/* The last refusal this peer caused, for `peer list`. */
		for (size_t i = entry; i < fx->n; i++) {
			if (fx->items[i].kind == REPL_FX_REPORT &&
			    fx->items[i].code != 0 &&
			    fx->items[i].event != REPL_EV_PEER_DOWN &&
			    fx->items[i].event != REPL_EV_COMPACTED) {
				p->last_error = fx->items[i].code;
			}
		}
	}
done:
	repl_msg_free(m);
	if (rc != 0) {
		repl__fx_truncate(fx, entry);
	}
	return rc;
}

int
repl_on_timer(struct repl *r, uint64_t now_ms, struct repl_effects *fx)
{
	int rc = 0;

	if (r == NULL || fx == NULL) {
		return CM_EINVAL;
	}
	note_start(r, now_ms);
	for (size_t i = 0; i < r->npeers && rc == 0; i++) {
		struct peer *p = r->peers[i];

		if (p->in_flight &&
		    now_ms >= p->sent_at + r->cfg.pull_timeout_ms) {
			peer_failed(r, p, now_ms, fx, &rc);
		}
		if (rc == 0 && !p->in_flight && now_ms >= p->next_pull) {
			rc = send_pull(r, p, now_ms, fx);
		}
	}
	if (rc == 0 && r->hint_pending &&
	    now_ms >= r->last_hint + r->cfg.hint_interval_ms) {
		rc = send_hint(r, now_ms, fx);
	}
	return rc;
}

int
repl_on_unreachable(
    struct repl *r, uint64_t now_ms, const char *peer, struct repl_effects *fx)
{
	struct peer *p = r != NULL && peer != NULL ? find_peer(r, peer) : NULL;
	int rc = 0;

	if (p == NULL) {
		return CM_ENOTFOUND;
	}
	peer_failed(r, p, now_ms, fx, &rc);
	return rc;
}

uint64_t
repl_next_timer(const struct repl *r)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; r != NULL && i < r->npeers; i++) {
		const struct peer *p = r->peers[i];
		uint64_t t = p->in_flight ? p->sent_at + r->cfg.pull_timeout_ms
		                          : p->next_pull;

		if (t < next) {
			next = t;
		}
	}
	if (r != NULL && r->hint_pending &&
	    r->last_hint + r->cfg.hint_interval_ms < next) {
		next = r->last_hint + r->cfg.hint_interval_ms;
	}
	return next;
}

/* ---- state ---------------------------------------------------------------------- */

uint64_t
repl_seq(const struct repl *r, const char *origin)
{
	const struct origin *o =
	    r != NULL && origin != NULL ? repl__find_origin(r, origin) : NULL;

	return o != NULL ? o->seq : 0;
}

const char *
repl_origin_at(const struct repl *r, size_t i, uint64_t *seq)
{
	if (r == NULL || i >= r->norigins) {
		return NULL;
	}
	if (seq != NULL) {
		*seq = r->origins[i]->seq;
	}
	return r->origins[i]->id;
}

size_t
repl_held_bytes(const struct repl *r)
{
	return r != NULL ? r->held_bytes : 0;
}

int
repl_peer_info(const struct repl *r, uint64_t now_ms, const char *id,
    struct repl_peer_info *out)
{
	const struct peer *p =
	    r != NULL && id != NULL ? find_peer(r, id) : NULL;

	if (p == NULL || out == NULL) {
		return CM_ENOTFOUND;
	}
	memset(out, 0, sizeof(*out));
	out->is_up = !p->is_down;
	out->failures = p->failures;
	out->last_heard = p->last_heard;
	out->last_error = p->last_error;
	{
		const struct origin *o = repl__find_origin(r, p->id);

		out->counts = o != NULL && origin_counts(r, o, now_ms);
	}
	if (p->seed_origin[0] != '\0') {
		repl__copy_id(out->seed_origin, p->seed_origin);
		out->seed_floor = p->seed_origin_seq;
	}
	for (size_t i = 0; i < r->norigins; i++) {
		const struct origin *o = r->origins[i];
		uint64_t theirs = 0;

		for (size_t k = 0; k < p->nknown; k++) {
			if (strcmp(p->known[k].id, o->id) == 0) {
				theirs = p->known[k].seq;
				break;
			}
		}
		if (o->seq > theirs) {
			out->behind += o->seq - theirs;
		} else {
			out->ahead += theirs - o->seq;
		}
		if (strcmp(o->id, r->self) == 0) {
			out->self_seq = theirs;
		}
	}
	return 0;
}

int
repl_peer_lacks(const struct repl *r, const char *id,
    void (*cb)(void *arg, const char *origin, uint64_t seq), void *arg)
{
	const struct peer *p =
	    r != NULL && id != NULL ? find_peer(r, id) : NULL;

	if (p == NULL || cb == NULL) {
		return CM_ENOTFOUND;
	}
	for (size_t i = 0; i < r->norigins; i++) {
		const struct origin *o = r->origins[i];
		uint64_t theirs = 0;

		for (size_t k = 0; k < p->nknown; k++) {
			if (strcmp(p->known[k].id, o->id) == 0) {
				theirs = p->known[k].seq;
				break;
			}
		}
		if (o->seq > theirs) {
			cb(arg, o->id, theirs + 1);
		}
	}
	return 0;
}

void
repl_set_accept_own(struct repl *r, bool on)
{
	if (r != NULL) {
		r->accept_own = on;
	}
}
