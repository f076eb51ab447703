/*
 * sim_adversary.c: messages no honest hall sends, handed to a hall that
 * is up: an op with altered bytes, another op signed by its origin at an
 * (origin, seq) the hall holds (a fork), an op of an unregistered origin,
 * a genuine op at the wrong seq or under the wrong origin, garbage, a
 * message from an unregistered sender and one whose sender id is not the
 * transport's. Each must be refused and reported (the hall's report()
 * counts the refusals), and nothing it carries may be persisted (the
 * hall's persist() fails the run if a non-genuine op gets through).
 *
 * Ops are placed at seqs up to the target's synced head + 1: never above
 * a gap, where they would be held rather than refused at once. The op
 * off the chain goes at the hall's next seq: signed by its origin (a hall
 * that lies), it passes every check but the chain's.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "repl/msg.h"

enum inject_kind {
	INJ_TAMPER,
	INJ_FORK,
	INJ_ROGUE_ORIGIN,
	INJ_MISPLACED,
	INJ_WRONG_ORIGIN,
	INJ_GARBAGE,
	INJ_ROGUE_PEER,
	INJ_SPOOFED,
	INJ_BROKEN_CHAIN,
	INJ__COUNT
};

static const char *const inject_names[INJ__COUNT] = {"an altered op", "a fork",
    "an op of an unregistered origin", "a misplaced op",
    "an op under another origin", "garbage",
    "a message from an "
    "unregistered hall",
    "a spoofed sender", "an op off its origin's chain"};

/* A batch of one op at (origin, seq), from `from`, encoded. */
static int
batch_of(const char *from, const char *origin, uint64_t seq, const uint8_t *op,
    size_t len, uint8_t **out, size_t *outlen)
{
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplBatch b = OW__REPL_BATCH__INIT;
	Ow__ReplRun run = OW__REPL_RUN__INIT, *runs[1] = {&run};
	ProtobufCBinaryData data = {len, (uint8_t *)(uintptr_t)op};

	m.version = REPL_PROTO_VERSION;
	m.from = (char *)(uintptr_t)from;
	m.body_case = OW__REPL_MESSAGE__BODY_BATCH;
	m.batch = &b;
	b.runs = runs;
	b.n_runs = 1;
	run.origin = (char *)(uintptr_t)origin;
	run.first_seq = seq;
	run.ops = &data;
	run.n_ops = 1;
	return repl_msg_encode(&m, out, outlen);
}

static int forge_at(const struct sim_op *g, const struct node_keypair *kp,
    const char *origin, uint64_t seq, const unsigned char *prev, uint8_t **out,
    size_t *len);

static int
forge(const struct sim_op *g, const struct node_keypair *kp, const char *origin,
    uint8_t **out, size_t *len)
{
	return forge_at(g, kp, origin, 0, NULL, out, len);
}

/* A different op at (origin, seq), validly signed by kp: the genuine one
 * with another actor (and, for a seq of its own and a prev_hash that is
 * not the chain's, with those). */
static int
forge_at(const struct sim_op *g, const struct node_keypair *kp,
    const char *origin, uint64_t seq, const unsigned char *prev, uint8_t **out,
    size_t *len)
{
	unsigned char hash[NODE_HASH_BYTES];
	Ow__Op *op;
	uint8_t *bytes;
	size_t n;
	int rc;

	n = ow__op__get_packed_size(g->op);
	bytes = cm_malloc(n + 1);
	if (bytes == NULL) {
		return CM_ENOMEM;
	}
	ow__op__pack(g->op, bytes);
	op = ow__op__unpack(NULL, n, bytes);
	cm_free(bytes);
	if (op == NULL) {
		return CM_ENOMEM;
	}
	/* The op's strings are malloc'd (protobuf-c's default allocator),
	 * which cm_strdup and cm_free also use. */
	cm_free(op->actor);
	op->actor = cm_strdup("mallory");
	if (origin != NULL) {
		cm_free(op->origin);
		op->origin = cm_strdup(origin);
	}
	if (op->actor == NULL || op->origin == NULL) {
		ow__op__free_unpacked(op, NULL);
		return CM_ENOMEM;
	}
	if (seq != 0) {
		op->seq = seq;
		memcpy(op->prev_hash.data, prev, NODE_HASH_BYTES);
	}
	rc = node_op_seal(op, kp, out, len, hash);
	ow__op__free_unpacked(op, NULL);
	return rc;
}

void
sim_inject(struct sim_world *w)
{
	enum inject_kind kind =
	    (enum inject_kind)sim_rng_below(&w->rng, INJ__COUNT);
	int t = (int)sim_rng_below(&w->rng, (uint64_t)w->nhalls);
	int from = (int)sim_rng_below(&w->rng, (uint64_t)w->nhalls);
	int o = (int)sim_rng_below(&w->rng, (uint64_t)w->nhalls);
	int p = (int)sim_rng_below(&w->rng, (uint64_t)w->nhalls);
	struct sim_hall *h = &w->halls[t];
	const char *sender;
	uint8_t *msg = NULL, *op = NULL;
	size_t mlen = 0, oplen = 0;
	uint64_t top, seq;
	struct repl_effects fx;
	int rc = 0;

	if (!h->is_up || w->is_done) {
		return;
	}
	if (from == t) {
		from = (t + 1) % w->nhalls;
	}
	sender = w->halls[from].id;
	/* The seqs where a bad op is refused at once. */
	top = h->durable[o] + 1 < w->made[o] ? h->durable[o] + 1 : w->made[o];
	if (top == 0 && kind != INJ_GARBAGE && kind != INJ_ROGUE_PEER &&
	    kind != INJ_SPOOFED && kind != INJ_ROGUE_ORIGIN) {
		return;
	}
	seq = top > 0 ? 1 + sim_rng_below(&w->rng, top) : 1;
	switch (kind) {
	case INJ_TAMPER: {
		const struct sim_op *g = &w->ops[w->by_origin[o][seq - 1]];
		Ow__SignedOp *so = ow__signed_op__unpack(NULL, g->len, g->buf);

		if (so == NULL || so->op.len == 0) {
			sim_fail(w, "adversary: cannot read a genuine op");
			ow__signed_op__free_unpacked(so, NULL);
			return;
		}
		/* Flip one bit of the op bytes (not of the signature: the
		 * same op in another envelope is a harmless repeat). */
		so->op.data[sim_rng_below(&w->rng, so->op.len)] ^=
		    (uint8_t)(1u << sim_rng_below(&w->rng, 8));
		oplen = ow__signed_op__get_packed_size(so);
		op = cm_malloc(oplen);
		if (op != NULL) {
			ow__signed_op__pack(so, op);
		}
		ow__signed_op__free_unpacked(so, NULL);
		if (op == NULL) {
			sim_fail(w, "out of memory");
			return;
		}
		rc = batch_of(
		    sender, w->halls[o].id, seq, op, oplen, &msg, &mlen);
		break;
	}
	case INJ_FORK:
		/* At a seq the hall has synced: above it, the forged op
		 * could be the first the hall sees at that seq, and then
		 * it is the genuine one's turn to look like a fork. */
		if (h->durable[o] == 0) {
			return;
		}
		seq = 1 + sim_rng_below(&w->rng, h->durable[o]);
		rc = forge(&w->ops[w->by_origin[o][seq - 1]], &w->halls[o].kp,
		    NULL, &op, &oplen);
		if (rc == 0) {
			rc = batch_of(sender, w->halls[o].id, seq, op, oplen,
			    &msg, &mlen);
		}
		break;
	case INJ_ROGUE_ORIGIN: {
		struct node_keypair rogue;
		unsigned char s[32] = "simulated rogue hall key seed 01";

		crypto_sign_seed_keypair(rogue.pk, rogue.sk, s);
		if (w->nops == 0) {
			return;
		}
		rc = forge(&w->ops[sim_rng_below(&w->rng, w->nops)], &rogue,
		    "rogue", &op, &oplen);
		if (rc == 0) {
			rc = batch_of(
			    sender, "rogue", 1, op, oplen, &msg, &mlen);
		}
		break;
	}
	case INJ_MISPLACED: {
		/* A genuine op of o placed at another seq of o. */
		uint64_t other;

		if (w->made[o] < 2) {
			return;
		}
		other = 1 + sim_rng_below(&w->rng, w->made[o]);
		if (other == seq) {
			return;
		}
		rc = batch_of(sender, w->halls[o].id, seq,
		    w->ops[w->by_origin[o][other - 1]].buf,
		    w->ops[w->by_origin[o][other - 1]].len, &msg, &mlen);
		break;
	}
	case INJ_WRONG_ORIGIN: {
		/* A genuine op of o in a run of p. */
		uint64_t ptop = h->durable[p] + 1 < w->made[p]
		                    ? h->durable[p] + 1
		                    : w->made[p];

		if (p == o || ptop == 0) {
			return;
		}
		rc = batch_of(sender, w->halls[p].id,
		    1 + sim_rng_below(&w->rng, ptop),
		    w->ops[w->by_origin[o][seq - 1]].buf,
		    w->ops[w->by_origin[o][seq - 1]].len, &msg, &mlen);
		break;
	}
	case INJ_BROKEN_CHAIN: {
		unsigned char prev[NODE_HASH_BYTES];
		uint64_t next = repl_seq(h->core, w->halls[o].id) + 1;

		if (w->made[o] == 0 || o == t) {
			return;
		}
		for (size_t i = 0; i < sizeof(prev); i++) {
			prev[i] = (uint8_t)sim_rng_next(&w->rng);
		}
		rc = forge_at(&w->ops[w->by_origin[o][seq - 1]],
		    &w->halls[o].kp, NULL, next, prev, &op, &oplen);
		if (rc == 0) {
			rc = batch_of(sender, w->halls[o].id, next, op, oplen,
			    &msg, &mlen);
		}
		break;
	}
	case INJ_GARBAGE:
		mlen = 1 + (size_t)sim_rng_below(&w->rng, 200);
		msg = cm_malloc(mlen);
		if (msg == NULL) {
			sim_fail(w, "out of memory");
			return;
		}
		for (size_t i = 0; i < mlen; i++) {
			msg[i] = (uint8_t)sim_rng_next(&w->rng);
		}
		msg[0] = 0; /* field 0: never a valid message */
		break;
	case INJ_ROGUE_PEER:
	case INJ_SPOOFED: {
		Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
		Ow__ReplPull pull = OW__REPL_PULL__INIT;

		m.version = REPL_PROTO_VERSION;
		/* Spoofed: the message names a hall the transport did not
		 * prove. */
		m.from =
		    (char *)(uintptr_t)(kind == INJ_ROGUE_PEER
		                            ? "rogue"
		                            : w->halls[p == from ? (from + 1) %
		                                                       w->nhalls
		                                                 : p]
		                                  .id);
		m.body_case = OW__REPL_MESSAGE__BODY_PULL;
		m.pull = &pull;
		pull.max_bytes = 65536;
		rc = repl_msg_encode(&m, &msg, &mlen);
		if (kind == INJ_ROGUE_PEER) {
			from = -1;
		}
		break;
	}
	default:
		return;
	}
	cm_free(op);
	if (rc != 0) {
		sim_fail(w, "adversary: %s", cm_err_name(rc));
		cm_free(msg);
		return;
	}
	sim_trace(w, "adversary -> %s: %s", h->id, inject_names[kind]);
	w->st.injected++;
	w->is_injecting = true;
	w->inject_reports = 0;
	repl_effects_init(&fx);
	rc = repl_on_message(h->core, w->now, sim_hall_wall(w, h),
	    from >= 0 ? w->halls[from].id : "rogue", msg, mlen, &fx);
	if (rc != 0) {
		sim_fail(w, "%s: repl_on_message: %s", h->id, cm_err_name(rc));
	}
	sim_hall_effects(w, h, &fx);
	repl_effects_free(&fx);
	cm_free(msg);
	w->is_injecting = false;
	if (w->inject_reports == 0) {
		sim_fail(
		    w, "%s took %s without a word", h->id, inject_names[kind]);
	}
	sim_schedule_timer(w, h);
	sim_check_hall(w, h);
}
