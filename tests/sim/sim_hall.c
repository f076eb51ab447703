/*
 * sim_hall.c: one simulated hall: what ow-node will do around the
 * replication core. Its store keeps, per origin, how many ops were
 * written and how many of them are synced; a crash keeps only the synced
 * ones. Cases are built from the ops the store holds (repl_case_build,
 * or repl_case_build_on the base of a compacted case), as the node will
 * build them, and clients make ops from what the hall shows, with the
 * case's version as their context.
 *
 * The hall also checks what the core hands it: every persisted op must
 * be a genuine op of the world (byte for byte) at the next seq of its
 * origin, and every head must be the hash of the op at its seq.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "node/cases.h"
#include "node/workflow.h"
#include "repl/merge.h"
#include "repl/msg.h"

static struct sim_world *cur_world; /* for the log callback */

static int
origin_of(const struct sim_world *w, const char *id)
{
	int n;

	if (strncmp(id, "hall-", 5) != 0) {
		return -1;
	}
	n = atoi(id + 5);
	return n >= 0 && n < w->nhalls && strcmp(w->halls[n].id, id) == 0 ? n
	                                                                  : -1;
}

static int
log_get(void *arg, const char *origin, uint64_t seq, const uint8_t **buf,
    size_t *len)
{
	struct sim_hall *h = arg;
	struct sim_world *w = cur_world;
	int o = origin_of(w, origin);
	const struct sim_op *op;

	if (o < 0 || seq == 0 || seq > h->written[o]) {
		return CM_ENOENT;
	}
	op = &w->ops[w->by_origin[o][seq - 1]];
	if (sim_hall_dropped(w, h, op)) {
		return CM_ENOENT; /* compacted */
	}
	*buf = op->buf;
	*len = op->len;
	return 0;
}

static const struct repl_log_ops sim_log_ops = {log_get};

uint64_t
sim_hall_wall(const struct sim_world *w, const struct sim_hall *h)
{
	return (uint64_t)((int64_t)(w->epoch_ms + w->now) + h->skew_ms);
}

void
sim_hall_free(struct sim_hall *h)
{
	repl_free(h->core);
	h->core = NULL;
	for (size_t i = 0; i < h->ncases; i++) {
		node_case_free(h->cases[i]);
	}
	cm_free(h->cases);
	h->cases = NULL;
	h->ncases = 0;
	for (size_t i = 0; i < h->nbases; i++) {
		node_case_free(h->bases[i].c);
	}
	cm_free(h->bases);
	h->bases = NULL;
	h->nbases = 0;
}

const struct sim_base *
sim_hall_base(const struct sim_hall *h, int case_idx)
{
	return case_idx >= 0 && (size_t)case_idx < h->nbases &&
	               h->bases[case_idx].c != NULL
	           ? &h->bases[case_idx]
	           : NULL;
}

/* The ops a base covers are the ones the hall dropped for it: it held
 * every one of them (synced) when it compacted. */
bool
sim_hall_dropped(const struct sim_world *w, const struct sim_hall *h,
    const struct sim_op *op)
{
	const struct sim_base *b = sim_hall_base(h, op->case_idx);

	return b != NULL &&
	       op->seq <= repl_vv_get(b->c->version, w->halls[op->origin].id);
}

/* Does the store hold op (written, and not compacted)? */
static bool
holds(const struct sim_world *w, const struct sim_hall *h,
    const struct sim_op *op)
{
	return op->seq <= h->written[op->origin] && !sim_hall_dropped(w, h, op);
}

/* The hall's case and base slots reach every world case. */
static int
cases_grow(struct sim_world *w, struct sim_hall *h)
{
	if (h->ncases < w->ncases) {
		Ow__Case **n = cm_reallocarray(h->cases, w->ncases, sizeof(*n));

		if (n == NULL) {
			return CM_ENOMEM;
		}
		memset(n + h->ncases, 0, (w->ncases - h->ncases) * sizeof(*n));
		h->cases = n;
		h->ncases = w->ncases;
	}
	if (h->nbases < w->ncases) {
		struct sim_base *n =
		    cm_reallocarray(h->bases, w->ncases, sizeof(*n));

		if (n == NULL) {
			return CM_ENOMEM;
		}
		for (size_t i = h->nbases; i < w->ncases; i++) {
			n[i].c = NULL;
			n[i].seal = -1;
		}
		h->bases = n;
		h->nbases = w->ncases;
	}
	return 0;
}

void
sim_hall_rebuild(struct sim_world *w, struct sim_hall *h, int case_idx)
{
	const struct sim_case *c = &w->cases[case_idx];
	Ow__Op **ops;
	size_t n = 0;
	struct repl_case_stats st;
	Ow__Case *built = NULL;
	int rc;

	if (cases_grow(w, h) != 0) {
		sim_fail(w, "out of memory (cases)");
		return;
	}
	ops = cm_calloc(c->nops + 1, sizeof(*ops));
	if (ops == NULL) {
		sim_fail(w, "out of memory (rebuild)");
		return;
	}
	for (size_t i = 0; i < c->nops; i++) {
		const struct sim_op *op = &w->ops[c->ops[i]];

		if (holds(w, h, op)) {
			ops[n++] = op->op;
		}
	}
	if (n > 0) {
		const struct sim_base *b = sim_hall_base(h, case_idx);
		struct repl_case_base base = {NULL, NULL};

		if (b != NULL) {
			base.c = b->c;
			base.seal = w->ops[b->seal].op;
		}
		rc = repl_case_build_on(&base, ops, n, &built, &st);
		if (rc != 0) {
			sim_fail(w, "%s: repl_case_build_on: %s", h->id,
			    cm_err_name(rc));
		}
	} else if (sim_hall_base(h, case_idx) != NULL) {
		/* The seal of the base is never dropped with it. */
		sim_fail(
		    w, "%s: %s kept on a base without its seal", h->id, c->id);
	}
	cm_free(ops);
	node_case_free(h->cases[case_idx]);
	h->cases[case_idx] = built;
	if (built != NULL) {
		sim_check_case(w, h, case_idx, st.anomalies);
	}
}

int
sim_hall_start(struct sim_world *w, struct sim_hall *h)
{
	struct repl_config cfg = h->cfg;
	int rc;

	cur_world = w;
	cfg.self = h->id;
	memcpy(cfg.self_pk, h->kp.pk, NODE_PK_BYTES);
	cfg.hlc = &h->hlc;
	cfg.log = &sim_log_ops;
	cfg.log_arg = h;
	cm_hlc_init(&h->hlc, h->hlc_durable);
	rc = repl_new(&cfg, &h->core);
	for (int o = 0; o < w->nhalls && rc == 0; o++) {
		rc =
		    repl_origin_add(h->core, w->halls[o].id, w->halls[o].kp.pk);
	}
	for (int o = 0; o < w->nhalls && rc == 0; o++) {
		uint64_t seq = h->durable[o];

		h->written[o] = seq;
		h->seen[o] = seq;
		rc = repl_origin_set_head(h->core, w->halls[o].id, seq,
		    seq > 0 ? w->ops[w->by_origin[o][seq - 1]].hash : NULL);
		if (rc == 0 && h->floor[o] > 0) {
			/* As stored: compaction is durable at once. */
			rc = repl_origin_set_floor(
			    h->core, w->halls[o].id, h->floor[o]);
		}
	}
	for (int i = 0; i < h->npeers && rc == 0; i++) {
		rc = repl_peer_add(h->core, w->halls[h->peers[i]].id);
	}
	if (rc != 0) {
		repl_free(h->core);
		h->core = NULL;
		return rc;
	}
	h->is_up = true;
	h->sync_at = w->now;
	for (size_t c = 0; c < w->ncases; c++) {
		sim_hall_rebuild(w, h, (int)c);
	}
	sim_schedule_timer(w, h);
	sim_schedule_compact(w, h);
	return 0;
}

void
sim_hall_crash(struct sim_world *w, struct sim_hall *h)
{
	(void)w;
	repl_free(h->core);
	h->core = NULL;
	h->is_up = false;
	h->gen++;
	h->timer_tok++;
	/* What was written but not synced is gone; bases and floors stay
	 * (compaction drops synced ops only, and is durable at once). */
	memcpy(h->written, h->durable, sizeof(h->written));
	for (size_t i = 0; i < h->ncases; i++) {
		node_case_free(h->cases[i]);
		h->cases[i] = NULL;
	}
}

void
sim_hall_sync(struct sim_world *w, struct sim_hall *h, const uint64_t *heads,
    uint64_t hlc)
{
	for (int o = 0; o < w->nhalls; o++) {
		if (heads[o] > h->written[o]) {
			sim_fail(
			    w, "%s: a sync beyond what was written", h->id);
			return;
		}
		if (heads[o] > h->durable[o]) {
			h->durable[o] = heads[o];
		}
	}
	if (hlc > h->hlc_durable) {
		h->hlc_durable = hlc;
	}
}

/* ---- effects -------------------------------------------------------------------- */

/* Check a PERSIST effect and write it. */
static void
persist(struct sim_world *w, struct sim_hall *h, const struct repl_effect *e)
{
	uint64_t next[SIM_HALLS_MAX];
	bool touched[SIM_HALLS_MAX];
	uint8_t *cases_hit;

	memcpy(next, h->written, sizeof(next));
	memset(touched, 0, sizeof(touched));
	for (size_t i = 0; i < e->nops; i++) {
		const struct repl_fx_op *op = &e->ops[i];
		int o = origin_of(w, op->origin);
		const struct sim_op *g;

		if (o < 0 || o == h->idx) {
			sim_fail(
			    w, "%s persists an op of %s", h->id, op->origin);
			return;
		}
		if (op->seq != next[o] + 1) {
			sim_fail(w,
			    "%s persists %s:%llu above its head %llu "
			    "(a gap)",
			    h->id, op->origin, (unsigned long long)op->seq,
			    (unsigned long long)next[o]);
			return;
		}
		if (op->seq > w->made[o]) {
			sim_fail(w, "%s persists %s:%llu, which %s never made",
			    h->id, op->origin, (unsigned long long)op->seq,
			    op->origin);
			return;
		}
		g = &w->ops[w->by_origin[o][op->seq - 1]];
		if (op->len != g->len || memcmp(op->buf, g->buf, g->len) != 0 ||
		    memcmp(op->hash, g->hash, NODE_HASH_BYTES) != 0 ||
		    op->op == NULL || op->op->seq != op->seq) {
			sim_fail(w, "%s persists a forged %s:%llu", h->id,
			    op->origin, (unsigned long long)op->seq);
			return;
		}
		next[o] = op->seq;
		touched[o] = true;
	}
	for (size_t i = 0; i < e->nheads; i++) {
		int o = origin_of(w, e->heads[i].origin);

		if (o < 0 || !touched[o] || e->heads[i].seq != next[o] ||
		    memcmp(e->heads[i].hash,
		        w->ops[w->by_origin[o][next[o] - 1]].hash,
		        NODE_HASH_BYTES) != 0) {
			sim_fail(
			    w, "%s: a head that is not its last op", h->id);
			return;
		}
		touched[o] = false;
	}
	for (int o = 0; o < w->nhalls; o++) {
		if (touched[o]) {
			sim_fail(w, "%s: ops of %s without their head", h->id,
			    w->halls[o].id);
			return;
		}
	}
	for (size_t i = 0; i < e->nops; i++) {
		if (e->hlc < e->ops[i].op->hlc) {
			sim_fail(
			    w, "%s: persisted clock behind its ops", h->id);
			return;
		}
	}
	memcpy(h->written, next, sizeof(next));
	sim_schedule_sync(w, h, e);
	cases_hit = cm_calloc(w->ncases + 1, 1);
	if (cases_hit == NULL) {
		sim_fail(w, "out of memory");
		return;
	}
	for (size_t i = 0; i < e->nops; i++) {
		int o = origin_of(w, e->ops[i].origin);

		cases_hit[w->ops[w->by_origin[o][e->ops[i].seq - 1]].case_idx] =
		    1;
	}
	for (size_t c = 0; c < w->ncases && !w->is_done; c++) {
		if (cases_hit[c]) {
			sim_hall_rebuild(w, h, (int)c);
		}
	}
	cm_free(cases_hit);
}

static void
report(struct sim_world *w, struct sim_hall *h, const struct repl_effect *e)
{
	w->st.refused[e->event]++;
	sim_trace(w, "%s: %s code=%s peer=%s origin=%s seq=%llu", h->id,
	    repl_event_name(e->event), cm_err_name(e->code), e->peer, e->origin,
	    (unsigned long long)e->seq);
	switch (e->event) {
	case REPL_EV_MALFORMED:
	case REPL_EV_UNKNOWN_PEER:
	case REPL_EV_UNKNOWN_ORIGIN:
	case REPL_EV_BAD_SIGNATURE:
	case REPL_EV_CHAIN:
	case REPL_EV_FORK:
		if (w->is_injecting) {
			w->inject_reports++;
		} else {
			sim_fail(w,
			    "%s refused genuine traffic: %s (%s) from "
			    "%s, %s:%llu",
			    h->id, repl_event_name(e->event),
			    cm_err_name(e->code), e->peer, e->origin,
			    (unsigned long long)e->seq);
		}
		break;
	case REPL_EV_COMPACTED:
		/* A signed op again at a seq the hall dropped: a late
		 * repeat (honest traffic does this) or an injected fork. */
		if (w->is_injecting) {
			w->inject_reports++;
		}
		break;
	case REPL_EV_STORE:
	case REPL_EV_OWN_AHEAD:
	case REPL_EV_RESEED:
		/* STORE: the core asked for an op the hall does not hold
		 * (one it dropped, too); RESEED: a peer dropped ops this
		 * hall lacks, which compaction must never do to a hall that
		 * counts (and every hall counts here). */
		sim_fail(w, "%s: %s (%s) %s:%llu", h->id,
		    repl_event_name(e->event), cm_err_name(e->code), e->origin,
		    (unsigned long long)e->seq);
		break;
	default:
		break;
	}
}

void
sim_hall_effects(
    struct sim_world *w, struct sim_hall *h, struct repl_effects *fx)
{
	for (size_t i = 0; i < fx->n && !w->is_done; i++) {
		const struct repl_effect *e = &fx->items[i];

		switch (e->kind) {
		case REPL_FX_SEND: {
			int to = origin_of(w, e->peer);

			sim_trace(w, "%s -> %s: %s%s (%zu bytes)", h->id,
			    e->peer,
			    e->msg == REPL_MSG_PULL    ? "pull"
			    : e->msg == REPL_MSG_BATCH ? "batch"
			                               : "hint",
			    e->is_reply ? " (reply)" : "", e->len);
			if (to < 0) {
				/* A reply to the adversary goes nowhere. */
				break;
			}
			sim_net_send(w, h->idx, to, e->buf, e->len, false);
			break;
		}
		case REPL_FX_PUBLISH:
			sim_trace(w, "%s publishes a hint", h->id);
			for (int j = 0; j < w->nhalls; j++) {
				if (w->link[j][h->idx]) {
					sim_net_send(w, h->idx, j, e->buf,
					    e->len, false);
				}
			}
			break;
		case REPL_FX_PERSIST:
			sim_trace(w, "%s persists %zu ops", h->id, e->nops);
			persist(w, h, e);
			break;
		case REPL_FX_REPORT:
			report(w, h, e);
			break;
		}
	}
}

/* ---- clients ---------------------------------------------------------------------- */

static int
world_add_op(struct sim_world *w, struct sim_hall *h, int case_idx,
    uint8_t *buf, size_t len, const unsigned char hash[NODE_HASH_BYTES],
    uint64_t seq)
{
	struct sim_op *op;
	struct sim_case *c = &w->cases[case_idx];
	int o = h->idx;

	if (w->nops == w->cops) {
		size_t n = w->cops == 0 ? 128 : w->cops * 2;
		struct sim_op *no = cm_reallocarray(w->ops, n, sizeof(*no));

		if (no == NULL) {
			return CM_ENOMEM;
		}
		w->ops = no;
		w->cops = n;
	}
	if (seq > w->cap_origin[o]) {
		size_t n = w->cap_origin[o] == 0 ? 32 : w->cap_origin[o] * 2;
		int *nb = cm_reallocarray(w->by_origin[o], n, sizeof(*nb));

		if (nb == NULL) {
			return CM_ENOMEM;
		}
		w->by_origin[o] = nb;
		w->cap_origin[o] = n;
	}
	if (c->nops == c->cops) {
		size_t n = c->cops == 0 ? 8 : c->cops * 2;
		int *nc = cm_reallocarray(c->ops, n, sizeof(*nc));

		if (nc == NULL) {
			return CM_ENOMEM;
		}
		c->ops = nc;
		c->cops = n;
	}
	op = &w->ops[w->nops];
	memset(op, 0, sizeof(*op));
	{
		Ow__SignedOp *so = ow__signed_op__unpack(NULL, len, buf);

		if (so == NULL) {
			return CM_EINTERNAL;
		}
		op->op = ow__op__unpack(NULL, so->op.len, so->op.data);
		ow__signed_op__free_unpacked(so, NULL);
		if (op->op == NULL) {
			return CM_EINTERNAL;
		}
	}
	op->origin = o;
	op->seq = seq;
	op->case_idx = case_idx;
	op->buf = buf;
	op->len = len;
	memcpy(op->hash, hash, NODE_HASH_BYTES);
	w->by_origin[o][seq - 1] = (int)w->nops;
	c->ops[c->nops++] = (int)w->nops;
	w->nops++;
	w->made[o] = seq;
	return 0;
}

static int
new_case(struct sim_world *w, const char *id)
{
	if (w->ncases == w->ccases) {
		size_t n = w->ccases == 0 ? 16 : w->ccases * 2;
		struct sim_case *nc = cm_reallocarray(w->cases, n, sizeof(*nc));

		if (nc == NULL) {
			return -1;
		}
		w->cases = nc;
		w->ccases = n;
	}
	memset(&w->cases[w->ncases], 0, sizeof(w->cases[0]));
	snprintf(w->cases[w->ncases].id, sizeof(w->cases[0].id), "%s", id);
	return (int)w->ncases++;
}

/*
 * Seal op as this hall's next op and make it durable as the node does: in
 * a batch synced after every batch written before it (group commit keeps
 * the order), so what the hall showed the client is durable too. Then
 * hand it to the core.
 */
static void
commit_local(struct sim_world *w, struct sim_hall *h, Ow__Op *op, int case_idx)
{
	bool is_seal = op->kind == OW__OP_KIND__OP_CASE_SEAL;
	static const unsigned char zero[NODE_HASH_BYTES];
	uint64_t seq = w->made[h->idx] + 1;
	unsigned char hash[NODE_HASH_BYTES];
	struct repl_effects fx;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	op->origin = h->id;
	op->seq = seq;
	op->hlc = cm_hlc_now(&h->hlc, sim_hall_wall(w, h));
	op->prev_hash.data =
	    (uint8_t *)(uintptr_t)(seq > 1
	                               ? w->ops[w->by_origin[h->idx][seq - 2]]
	                                     .hash
	                               : zero);
	op->prev_hash.len = NODE_HASH_BYTES;
	rc = node_op_seal(op, &h->kp, &buf, &len, hash);
	if (rc == 0) {
		rc = world_add_op(w, h, case_idx, buf, len, hash, seq);
		if (rc != 0) {
			cm_free(buf);
		}
	}
	if (rc != 0) {
		sim_fail(w, "%s: sealing an op: %s", h->id, cm_err_name(rc));
		return;
	}
	memcpy(h->durable, h->written, sizeof(h->durable));
	h->written[h->idx] = h->durable[h->idx] = seq;
	h->hlc_durable = h->hlc.last;
	if (is_seal) {
		w->st.seals++;
	} else {
		w->st.client_ops++;
	}
	sim_hall_rebuild(w, h, case_idx);
	repl_effects_init(&fx);
	repl_set_wall(h->core, sim_hall_wall(w, h));
	rc = repl_on_local_op(h->core, w->now, buf, len, &fx);
	if (rc != 0) {
		sim_fail(w, "%s: repl_on_local_op: %s", h->id, cm_err_name(rc));
	}
	sim_hall_effects(w, h, &fx);
	repl_effects_free(&fx);
}

static Ow__VersionVector *
context_of(const Ow__Case *c)
{
	return c != NULL ? c->version : NULL;
}

static void
client_create(struct sim_world *w, struct sim_hall *h)
{
	static const enum node_state entry[] = {NODE_ST_ACCEPTED,
	    NODE_ST_ACCEPTED, NODE_ST_ACCEPTED_GAPS, NODE_ST_SUPPLEMENT,
	    NODE_ST_REFUSED};
	Ow__Op op = OW__OP__INIT;
	Ow__CaseCreate cc = OW__CASE_CREATE__INIT;
	Ow__Case init = OW__CASE__INIT;
	Ow__Party app = OW__PARTY__INIT;
	Ow__KeyValue kv = OW__KEY_VALUE__INIT, *kvs[1] = {&kv};
	char id[NODE_CASE_ID_MAX], assignee[32], due[32];
	char *mats[1] = {(char *)(uintptr_t) "m1"};
	char *dues[1] = {due};
	int32_t day = (int32_t)((w->epoch_ms + w->now) / 86400000u);
	int ci;

	if (node_case_id_format(
	        h->code, day, (uint32_t)w->made[h->idx] + 1, id) != 0) {
		sim_fail(w, "case id");
		return;
	}
	ci = new_case(w, id);
	if (ci < 0) {
		sim_fail(w, "out of memory (cases)");
		return;
	}
	snprintf(assignee, sizeof(assignee), "clerk-%s", h->code);
	snprintf(due, sizeof(due), "m2=2026-04-01");
	init.id = id;
	init.matter = (char *)(uintptr_t) "XK00099001";
	init.matter_version = 1;
	app.kind = OW__APPLICANT_KIND__APPLICANT_PERSON;
	app.id_number = (char *)(uintptr_t) "110101199003074514";
	app.name = (char *)(uintptr_t) "sim";
	init.applicant = &app;
	kv.key = (char *)(uintptr_t) "name";
	kv.value = (char *)(uintptr_t) "v0";
	init.fields = kvs;
	init.n_fields = 1;
	init.materials = mats;
	init.n_materials = 1;
	init.state = (uint32_t)entry[sim_rng_below(&w->rng, 5)];
	if (init.state == NODE_ST_ACCEPTED_GAPS) {
		init.materials_due = dues;
		init.n_materials_due = 1;
	}
	init.hall = h->code;
	init.assignee = assignee;
	init.received_day = day;
	init.accepted_day = init.state == NODE_ST_ACCEPTED ||
	                            init.state == NODE_ST_ACCEPTED_GAPS
	                        ? day
	                        : 0;
	init.created_hall = h->code;
	if (init.state == NODE_ST_REFUSED) {
		init.refusal_reason = (char *)(uintptr_t) "r";
	}
	cc.initial = &init;
	op.kind = OW__OP_KIND__OP_CASE_CREATE;
	op.body_case = OW__OP__BODY_CREATE;
	op.create = &cc;
	op.case_id = id;
	op.actor = assignee;
	sim_trace(w, "%s: client creates %s", h->id, id);
	commit_local(w, h, &op, ci);
}

/* Make one op on a case the hall shows. */
static void
client_change(struct sim_world *w, struct sim_hall *h, int ci)
{
	const Ow__Case *cs = h->cases[ci];
	Ow__VersionVector *ctx = context_of(cs);
	Ow__Op op = OW__OP__INIT;
	Ow__CaseEdit ed = OW__CASE_EDIT__INIT;
	Ow__KeyValue kv = OW__KEY_VALUE__INIT, *kvs[1] = {&kv};
	Ow__CaseAct act = OW__CASE_ACT__INIT;
	Ow__CaseAssign as = OW__CASE_ASSIGN__INIT;
	Ow__Note note = OW__NOTE__INIT;
	Ow__Rating rate = OW__RATING__INIT;
	Ow__CaseExtend ext = OW__CASE_EXTEND__INIT;
	char actor[32], value[16], hall[16], who[48], text[32], key[2];
	char *mat[1];
	char matbuf[16];
	uint64_t what = sim_rng_below(&w->rng, 100);
	int32_t day = (int32_t)((w->epoch_ms + w->now) / 86400000u);
	unsigned allowed;
	bool deliver = false;

	snprintf(actor, sizeof(actor), "clerk-%s", h->code);
	op.actor = actor;
	op.case_id = w->cases[ci].id;
	op.context = ctx;
	allowed =
	    node_wf_allowed((enum node_state)cs->state, NODE_ROLE_SUPERVISOR) |
	    node_wf_allowed((enum node_state)cs->state, NODE_ROLE_CLERK);
	if (cs->conflict && what < 25) {
		/* A supervisor settles a flagged case, in a state of their
		 * choice (a resolve: the way out of a final provisional
		 * state too). */
		act.action = NODE_ACT_RESOLVE;
		act.from_state = cs->state;
		act.to_state = (uint32_t)sim_rng_below(&w->rng, NODE_ST__COUNT);
		act.reason = (char *)(uintptr_t) "settled";
		act.day = day;
		op.kind = OW__OP_KIND__OP_CASE_ACT;
		op.body_case = OW__OP__BODY_ACT;
		op.act = &act;
		sim_trace(w, "%s: supervisor resolves %s: %s -> %s", h->id,
		    op.case_id, node_state_name((enum node_state)cs->state),
		    node_state_name((enum node_state)act.to_state));
	} else if (what < 40 && allowed != 0) {
		unsigned k = (unsigned)sim_rng_below(&w->rng, 32), a;
		enum node_state to;

		/* The k-th allowed action, cyclically. */
		for (a = 0;; a = (a + 1) % NODE_ACT__COUNT) {
			if ((allowed & (1u << a)) != 0 && k-- == 0) {
				break;
			}
		}
		if (node_wf_check((enum node_state)cs->state,
		        (enum node_action)a, NODE_ROLE_SUPERVISOR, &to) != 0 &&
		    node_wf_check((enum node_state)cs->state,
		        (enum node_action)a, NODE_ROLE_CLERK, &to) != 0) {
			sim_fail(w, "allowed action refused");
			return;
		}
		act.action = a;
		act.from_state = cs->state;
		act.to_state = (uint32_t)to;
		act.reason = (char *)(uintptr_t)(node_action_needs_reason(
		                                     (enum node_action)a)
		                                     ? "why"
		                                     : "");
		act.day = day;
		op.kind = OW__OP_KIND__OP_CASE_ACT;
		op.body_case = OW__OP__BODY_ACT;
		op.act = &act;
		deliver = a == NODE_ACT_DELIVER;
		sim_trace(w, "%s: client %s %s -> %s on %s", h->id,
		    node_action_name((enum node_action)a),
		    node_state_name((enum node_state)cs->state),
		    node_state_name(to), op.case_id);
	} else if (what < 65) {
		snprintf(key, sizeof(key), "%c",
		    'a' + (char)sim_rng_below(&w->rng, 3));
		snprintf(value, sizeof(value), "v%llu",
		    (unsigned long long)sim_rng_below(&w->rng, 1000));
		kv.key = key;
		kv.value = sim_rng_chance(&w->rng, 150) ? (char *)(uintptr_t) ""
		                                        : value;
		ed.set = kvs;
		ed.n_set = 1;
		if (sim_rng_chance(&w->rng, 300)) {
			snprintf(matbuf, sizeof(matbuf), "m%d",
			    2 + (int)sim_rng_below(&w->rng, 3));
			mat[0] = matbuf;
			ed.materials_add = mat;
			ed.n_materials_add = 1;
		}
		op.kind = OW__OP_KIND__OP_CASE_EDIT;
		op.body_case = OW__OP__BODY_EDIT;
		op.edit = &ed;
		sim_trace(w, "%s: client edits %s", h->id, op.case_id);
	} else if (what < 80) {
		int to = (int)sim_rng_below(&w->rng, (uint64_t)w->nhalls);

		snprintf(hall, sizeof(hall), "%s", w->halls[to].code);
		snprintf(who, sizeof(who), "clerk-%s-%llu", hall,
		    (unsigned long long)sim_rng_below(&w->rng, 3));
		as.hall = hall;
		as.assignee = who;
		as.reason = (char *)(uintptr_t) "load";
		op.kind = OW__OP_KIND__OP_CASE_ASSIGN;
		op.body_case = OW__OP__BODY_ASSIGN;
		op.assign = &as;
		sim_trace(
		    w, "%s: client reassigns %s to %s", h->id, op.case_id, who);
	} else if (what < 93 || allowed == 0) {
		snprintf(text, sizeof(text), "note %llu",
		    (unsigned long long)w->nops);
		note.text = text;
		op.kind = OW__OP_KIND__OP_CASE_NOTE;
		op.body_case = OW__OP__BODY_NOTE;
		op.note = &note;
		sim_trace(w, "%s: client notes on %s", h->id, op.case_id);
	} else if (what < 97) {
		rate.level = 1 + (uint32_t)sim_rng_below(&w->rng, 5);
		rate.comment = (char *)(uintptr_t) "ok";
		op.kind = OW__OP_KIND__OP_CASE_RATE;
		op.body_case = OW__OP__BODY_RATE;
		op.rate = &rate;
	} else {
		ext.days = 1 + (uint32_t)sim_rng_below(&w->rng, 10);
		ext.reason = (char *)(uintptr_t) "more time";
		op.kind = OW__OP_KIND__OP_CASE_EXTEND;
		op.body_case = OW__OP__BODY_EXTEND;
		op.extend = &ext;
	}
	commit_local(w, h, &op, ci);
	if (deliver && !w->is_done) {
		/* The delivery record goes with the action, as the node
		 * writes it; its context now holds the action. */
		Ow__Op dop = OW__OP__INIT;
		Ow__Delivery del = OW__DELIVERY__INIT;

		del.method = 1;
		del.hall = h->code;
		del.day = day;
		dop.kind = OW__OP_KIND__OP_CASE_DELIVER;
		dop.body_case = OW__OP__BODY_DELIVER;
		dop.deliver = &del;
		dop.actor = actor;
		dop.case_id = w->cases[ci].id;
		dop.context = context_of(h->cases[ci]);
		commit_local(w, h, &dop, ci);
	}
}

void
sim_hall_client(struct sim_world *w, struct sim_hall *h)
{
	int shown[1024], n = 0;

	if (cases_grow(w, h) != 0) {
		sim_fail(w, "out of memory");
		return;
	}
	/* The cases this hall shows, the newest first in weight: people
	 * work on recent cases, which makes concurrent work likely. */
	for (size_t c = w->ncases; c-- > 0 && n < 1024;) {
		if (h->cases[c] != NULL) {
			shown[n++] = (int)c;
		}
	}
	if (n == 0 || sim_rng_chance(&w->rng, 200)) {
		client_create(w, h);
		return;
	}
	{
		int k = (int)sim_rng_below(&w->rng, (uint64_t)n);

		/* Twice as likely to pick among the 4 newest. */
		if (sim_rng_chance(&w->rng, 500) && n > 4) {
			k = (int)sim_rng_below(&w->rng, 4);
		}
		client_change(w, h, shown[k]);
	}
}

/* ---- seals and compaction ------------------------------------------------------- */

/*
 * A hall compacts a case by the rule of docs/replication.md
 * ("Compaction"): at the latest seal S of the case's creating hall that
 * its ops make ready beyond its base, with B the case at S's context,
 * when every entry of B's version and S itself are at or below what
 * every hall holds. It keeps B, drops the ops B covers and raises its
 * floors to them. It does so on synced ops only, so the compaction is
 * durable at once and a crash keeps it (the node writes base, drops and
 * floors in one batch). The case must come out byte for byte the same.
 */

static int
creator_of(const struct sim_world *w, const struct sim_case *sc)
{
	return sc->nops > 0 ? w->ops[sc->ops[0]].origin : -1;
}

/* The case's digest (docs/replication.md, "Digest"): BLAKE2b-256 of its
 * encoding with warning 0. 0 or CM_ENOMEM. */
static int
case_digest(Ow__Case *c, unsigned char out[32])
{
	uint32_t warning = c->warning;
	size_t len;
	uint8_t *buf;

	c->warning = 0;
	len = ow__case__get_packed_size(c);
	buf = cm_malloc(len + 1);
	if (buf != NULL) {
		ow__case__pack(c, buf);
		crypto_generichash(out, 32, buf, len, NULL, 0);
	}
	c->warning = warning;
	cm_free(buf);
	return buf != NULL ? 0 : CM_ENOMEM;
}

/*
 * The creating hall seals one of its cases: one it shows, unflagged (a
 * base keeps its flag whatever follows the seal: ow-node seals settled
 * cases only), with an op of its own since its last seal. Any state: the
 * node seals final cases only, but the merge must hold for any base.
 */
static void
seal_one(struct sim_world *w, struct sim_hall *h)
{
	int cand[256], n = 0, ci;
	Ow__Op op = OW__OP__INIT;
	Ow__CaseSeal seal = OW__CASE_SEAL__INIT;
	unsigned char digest[32];

	for (size_t c = 0; c < w->ncases && n < 256; c++) {
		const struct sim_case *sc = &w->cases[c];
		const struct sim_op *last = NULL;

		if (creator_of(w, sc) != h->idx || h->cases[c] == NULL ||
		    h->cases[c]->conflict) {
			continue;
		}
		for (size_t i = sc->nops; i-- > 0 && last == NULL;) {
			if (holds(w, h, &w->ops[sc->ops[i]])) {
				last = &w->ops[sc->ops[i]];
			}
		}
		if (last != NULL &&
		    last->op->kind != OW__OP_KIND__OP_CASE_SEAL) {
			cand[n++] = (int)c;
		}
	}
	if (n == 0) {
		return;
	}
	ci = cand[sim_rng_below(&w->rng, (uint64_t)n)];
	if (case_digest(h->cases[ci], digest) != 0) {
		sim_fail(w, "out of memory (seal)");
		return;
	}
	seal.digest.data = digest;
	seal.digest.len = sizeof(digest);
	op.kind = OW__OP_KIND__OP_CASE_SEAL;
	op.body_case = OW__OP__BODY_SEAL;
	op.seal = &seal;
	op.case_id = w->cases[ci].id;
	op.actor = (char *)(uintptr_t) "system";
	op.context = context_of(h->cases[ci]);
	sim_trace(w, "%s seals %s", h->id, op.case_id);
	commit_local(w, h, &op, ci);
}

static uint8_t *
pack_of(const Ow__Case *c, size_t *len)
{
	uint8_t *buf;

	*len = c != NULL ? ow__case__get_packed_size(c) : 0;
	buf = cm_malloc(*len + 1);
	if (buf != NULL && c != NULL) {
		ow__case__pack(c, buf);
	}
	return buf;
}

/* Is every entry of v, and seal, at or below what every hall holds, as
 * the hall's core tells it? */
static bool
may_compact(const struct sim_world *w, const struct sim_hall *h,
    const Ow__VersionVector *v, const Ow__Op *seal)
{
	for (size_t i = 0; v != NULL && i <= v->n_entries; i++) {
		const char *origin =
		    i < v->n_entries ? v->entries[i]->origin : seal->origin;
		uint64_t seq =
		    i < v->n_entries ? v->entries[i]->seq : seal->seq;

		if (seq > repl_stable_seq(h->core, w->now, origin)) {
			return false;
		}
	}
	return v != NULL;
}

/*
 * Does every hall hold what the core counts as held by every hall, for
 * each origin of v? A hall may have stated ops (with its vector, in
 * every pull and batch) that were written and not yet synced when it
 * crashed: then the core counts what is lost (the statement stands until
 * a later one comes), a flaw of the rule, counted in lost_stated. Any
 * other shortfall fails the run. The same for the seqs of v themselves
 * when vs is set (what the hall is about to drop).
 */
static bool
held_everywhere(struct sim_world *w, struct sim_hall *h,
    const Ow__VersionVector *v, bool vs)
{
	bool lost = false;

	for (size_t i = 0; v != NULL && i < v->n_entries && !w->is_done; i++) {
		const char *origin = v->entries[i]->origin;
		int o = origin_of(w, origin);
		uint64_t s = vs ? v->entries[i]->seq
		                : repl_stable_seq(h->core, w->now, origin);

		for (int k = 0; o >= 0 && k < w->nhalls; k++) {
			const struct sim_hall *p = &w->halls[k];

			if (s <= p->written[o]) {
				continue;
			}
			if (s <= p->wrote[o]) {
				sim_trace(w,
				    "%s: %s counts %s:%llu as held by every "
				    "hall; %s lost it in a crash",
				    h->id, vs ? "compaction" : "its core",
				    origin, (unsigned long long)s, p->id);
				lost = true;
				continue;
			}
			sim_fail(w,
			    "%s: %s counts %s:%llu as held by every hall, "
			    "%s holds %llu",
			    h->id, vs ? "compaction" : "its core", origin,
			    (unsigned long long)s, p->id,
			    (unsigned long long)p->written[o]);
		}
	}
	return !lost;
}

static void
compact_case(struct sim_world *w, struct sim_hall *h, int ci)
{
	const struct sim_case *sc = &w->cases[ci];
	struct sim_base *b = &h->bases[ci];
	struct repl_case_base cur = {NULL, NULL}, at = {NULL, NULL};
	int creator = creator_of(w, sc), si;
	const struct sim_op *first = NULL;
	bool raised[SIM_HALLS_MAX];
	uint8_t *before = NULL, *after = NULL;
	size_t blen = 0, alen = 0, n = 0, dropped = 0;
	Ow__Op **ops;
	int rc;

	if (b->c != NULL) {
		cur.c = b->c;
		cur.seal = w->ops[b->seal].op;
	}
	/* The first synced seal of the creating hall beyond the base: if
	 * even it is not held by every hall, no later one is. */
	for (size_t i = 0; i < sc->nops; i++) {
		const struct sim_op *op = &w->ops[sc->ops[i]];

		if (op->op->kind == OW__OP_KIND__OP_CASE_SEAL &&
		    op->origin == creator && op->seq <= h->durable[creator] &&
		    (cur.seal == NULL || op->seq > cur.seal->seq) &&
		    (first == NULL || op->seq < first->seq)) {
			first = op;
		}
	}
	if (first == NULL ||
	    !may_compact(w, h, first->op->context, first->op)) {
		return;
	}
	ops = cm_calloc(sc->nops + 1, sizeof(*ops));
	if (ops == NULL) {
		sim_fail(w, "out of memory (compaction)");
		return;
	}
	for (size_t i = 0; i < sc->nops; i++) {
		const struct sim_op *op = &w->ops[sc->ops[i]];

		if (op->seq <= h->durable[op->origin] &&
		    !sim_hall_dropped(w, h, op)) {
			ops[n++] = op->op;
		}
	}
	rc = repl_case_seal_point(
	    cur.c != NULL ? &cur : NULL, ops, n, &at, NULL);
	cm_free(ops);
	if (rc != 0) {
		sim_fail(
		    w, "%s: repl_case_seal_point: %s", h->id, cm_err_name(rc));
		return;
	}
	if (at.c == NULL) {
		return;
	}
	/* The base is the case its hall showed when it sealed. */
	{
		unsigned char digest[32];

		if (case_digest(at.c, digest) != 0 ||
		    at.seal->seal->digest.len != sizeof(digest) ||
		    memcmp(at.seal->seal->digest.data, digest,
		        sizeof(digest)) != 0) {
			sim_fail(w,
			    "%s: %s at %s:%llu is not the case its hall "
			    "sealed",
			    h->id, sc->id, at.seal->origin,
			    (unsigned long long)at.seal->seq);
			node_case_free(at.c);
			return;
		}
	}
	if (!held_everywhere(w, h, at.c->version, false)) {
		w->st.core_overclaim++;
	}
	if (w->is_done || !may_compact(w, h, at.c->version, at.seal)) {
		node_case_free(at.c);
		return;
	}
	/* Every hall holds what is dropped (so no pull will ask for it). */
	if (!held_everywhere(w, h, at.c->version, true)) {
		w->st.lost_stated++;
	}
	if (w->is_done) {
		node_case_free(at.c);
		return;
	}
	before = pack_of(h->cases[ci], &blen);
	memset(raised, 0, sizeof(raised));
	for (size_t i = 0; i < sc->nops; i++) {
		const struct sim_op *op = &w->ops[sc->ops[i]];

		if (sim_hall_dropped(w, h, op) ||
		    op->seq >
		        repl_vv_get(at.c->version, w->halls[op->origin].id)) {
			continue;
		}
		if (op->seq > h->durable[op->origin]) {
			sim_fail(w, "%s compacts %s: %s:%llu is not synced",
			    h->id, sc->id, w->halls[op->origin].id,
			    (unsigned long long)op->seq);
			break;
		}
		dropped++;
		if (op->seq > h->floor[op->origin]) {
			h->floor[op->origin] = op->seq;
			raised[op->origin] = true;
		}
	}
	si = origin_of(w, at.seal->origin);
	node_case_free(b->c);
	b->c = at.c;
	b->seal = w->by_origin[si][at.seal->seq - 1];
	for (int o = 0; o < w->nhalls; o++) {
		if (raised[o]) {
			rc = repl_origin_set_floor(
			    h->core, w->halls[o].id, h->floor[o]);
			if (rc != 0) {
				sim_fail(w, "%s: repl_origin_set_floor: %s",
				    h->id, cm_err_name(rc));
			}
		}
	}
	w->st.compactions++;
	w->st.ops_dropped += dropped;
	sim_trace(w, "%s compacts %s at %s:%llu: %zu ops dropped", h->id,
	    sc->id, at.seal->origin, (unsigned long long)at.seal->seq, dropped);
	sim_hall_rebuild(w, h, ci);
	after = pack_of(h->cases[ci], &alen);
	if (!w->is_done && (before == NULL || after == NULL || blen != alen ||
	                       memcmp(before, after, blen) != 0)) {
		sim_fail(w, "%s: %s changed when compacted at %s:%llu", h->id,
		    sc->id, at.seal->origin, (unsigned long long)at.seal->seq);
	}
	cm_free(before);
	cm_free(after);
}

void
sim_hall_compact(struct sim_world *w, struct sim_hall *h)
{
	if (!h->is_up || w->is_done) {
		return;
	}
	if (cases_grow(w, h) != 0) {
		sim_fail(w, "out of memory");
		return;
	}
	if (sim_rng_chance(&w->rng, 150)) {
		seal_one(w, h);
	}
	for (size_t c = 0; c < w->ncases && !w->is_done; c++) {
		compact_case(w, h, (int)c);
	}
}
