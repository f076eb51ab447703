/*
 * take.c: taking the ops of a batch (docs/replication.md, "Ops and their
 * checks" and "Taking a batch").
 *
 * Every op is checked against a staged copy of its origin's head (valid
 * for one call): repeats are compared with what the hall holds, ops above
 * a gap are held, the next op is opened with the origin's key, placed,
 * chained and its clock bounded. Accepted ops are staged; commit() hands
 * them over in one PERSIST effect and moves the heads only when nothing
 * can fail any more.
 */
#include "core_int.h"

#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"

/* Begin staging origin o for this call. */
static void
stage(struct repl *r, struct origin *o)
{
	if (o->st_gen != r->gen) {
		o->st_gen = r->gen;
		o->st_seq = o->seq;
		memcpy(o->st_head, o->head, NODE_HASH_BYTES);
		o->st_touched = false;
		o->st_stop = false;
	}
}

/* The hash of the op bytes inside a SignedOp, without checking the
 * signature: to tell a repeat in another envelope from another op.
 * 0, CM_EPROTO or CM_ENOMEM. */
static int
signed_op_hash(
    const uint8_t *buf, size_t len, unsigned char hash[NODE_HASH_BYTES])
{
	Ow__SignedOp *so;

	so = ow__signed_op__unpack(NULL, len, buf);
	if (so == NULL) {
		/* protobuf-c cannot tell; a repeat of an op this hall
		 * holds is not worth more care. */
		return CM_EPROTO;
	}
	crypto_generichash(hash, NODE_HASH_BYTES,
	    so->op.data != NULL ? so->op.data : (const uint8_t *)"", so->op.len,
	    NULL, 0);
	ow__signed_op__free_unpacked(so, NULL);
	return 0;
}

/*
 * An op at an (origin, seq) this hall holds (or staged in this call): a
 * harmless repeat, or another op there, which is refused and reported as
 * a fork when the origin signed it, as a forgery when it did not.
 */
static int
check_repeat(struct repl *r, const char *from, struct origin *o, uint64_t seq,
    const uint8_t *buf, size_t len, struct repl_effects *fx)
{
	const uint8_t *have = NULL;
	size_t hlen = 0;
	unsigned char h1[NODE_HASH_BYTES], h2[NODE_HASH_BYTES];
	Ow__Op *op = NULL;
	int rc;

	if (seq > o->seq) {
		for (size_t i = r->st_nops; i-- > 0;) {
			if (r->st_ops[i].seq == seq &&
			    strcmp(r->st_ops[i].origin, o->id) == 0) {
				have = r->st_ops[i].buf;
				hlen = r->st_ops[i].len;
				break;
			}
		}
		rc = have != NULL ? 0 : CM_EINTERNAL;
	} else {
		rc = r->cfg.log->get(r->cfg.log_arg, o->id, seq, &have, &hlen);
	}
	if ((rc == CM_ENOENT || (rc == 0 && have == NULL)) && seq <= o->floor) {
		/* Compacted: nothing to compare it with. A late repeat of
		 * an honest op is harmless, but another op its origin signed
		 * for this seq (a fork) can no longer be told from one: say
		 * so, quietly (never taken either way). */
		rc = node_op_open(buf, len, o->pk, &op, h1);
		if (rc == 0 &&
		    (strcmp(op->origin, o->id) != 0 || op->seq != seq)) {
			rc = CM_EPROTO; /* signed, but not for this place */
		}
		if (op != NULL) {
			ow__op__free_unpacked(op, NULL);
		}
		if (rc == CM_ENOMEM) {
			return rc;
		}
		return repl__report(fx,
		    rc == 0            ? REPL_EV_COMPACTED
		    : rc == CM_ECRYPTO ? REPL_EV_BAD_SIGNATURE
		                       : REPL_EV_MALFORMED,
		    rc == 0 ? CM_ESTATE : rc, from, o->id, seq);
	}
	if (rc != 0 || have == NULL) {
		return repl__report(fx, REPL_EV_STORE, rc != 0 ? rc : CM_ENOENT,
		    from, o->id, seq);
	}
	if (hlen == len && memcmp(have, buf, len) == 0) {
		return 0;
	}
	if (signed_op_hash(buf, len, h1) != 0) {
		return repl__report(
		    fx, REPL_EV_MALFORMED, CM_EPROTO, from, o->id, seq);
	}
	if (signed_op_hash(have, hlen, h2) == 0 &&
	    sodium_memcmp(h1, h2, NODE_HASH_BYTES) == 0) {
		return 0;
	}
	rc = node_op_open(buf, len, o->pk, &op, h1);
	if (rc == CM_ENOMEM) {
		return rc;
	}
	if (op != NULL) {
		ow__op__free_unpacked(op, NULL);
	}
	if (rc == 0) {
		return repl__report(
		    fx, REPL_EV_FORK, CM_ECRYPTO, from, o->id, seq);
	}
	return repl__report(fx,
	    rc == CM_ECRYPTO ? REPL_EV_BAD_SIGNATURE : REPL_EV_MALFORMED, rc,
	    from, o->id, seq);
}

/* Keep an op above the gap (unverified) while there is room. */
static int
hold(struct repl *r, const char *from, struct origin *o, uint64_t seq,
    const uint8_t *buf, size_t len, struct repl_effects *fx)
{
	size_t at = o->nheld;
	uint8_t *copy;

	while (at > 0 && o->held[at - 1].seq >= seq) {
		if (o->held[at - 1].seq == seq) {
			return 0;
		}
		at--;
	}
	if (r->held_bytes + len > r->cfg.held_max_bytes) {
		/* Pulled again once the gap is filled. */
		if (!r->held_reported) {
			r->held_reported = true;
			return repl__report(fx, REPL_EV_HELD_FULL, CM_ETOOBIG,
			    from, o->id, seq);
		}
		return 0;
	}
	if (o->nheld == o->cheld) {
		size_t n = o->cheld == 0 ? 8 : o->cheld * 2;
		struct held *nh = cm_reallocarray(o->held, n, sizeof(*nh));

		if (nh == NULL) {
			return CM_ENOMEM;
		}
		o->held = nh;
		o->cheld = n;
	}
	copy = cm_malloc(len);
	if (copy == NULL) {
		return CM_ENOMEM;
	}
	memcpy(copy, buf, len);
	memmove(
	    &o->held[at + 1], &o->held[at], (o->nheld - at) * sizeof(*o->held));
	o->held[at].seq = seq;
	o->held[at].buf = copy;
	o->held[at].len = len;
	o->nheld++;
	r->held_bytes += len;
	return 0;
}

static int
stage_push(struct repl *r, struct origin *o, Ow__Op *op, const uint8_t *buf,
    size_t len, const unsigned char hash[NODE_HASH_BYTES])
{
	struct repl_fx_op *so;
	uint8_t *copy;

	if (r->st_nops == r->st_cops) {
		size_t n = r->st_cops == 0 ? 16 : r->st_cops * 2;
		struct repl_fx_op *ns =
		    cm_reallocarray(r->st_ops, n, sizeof(*ns));

		if (ns == NULL) {
			return CM_ENOMEM;
		}
		r->st_ops = ns;
		r->st_cops = n;
	}
	copy = cm_malloc(len);
	if (copy == NULL) {
		return CM_ENOMEM;
	}
	memcpy(copy, buf, len);
	so = &r->st_ops[r->st_nops++];
	memset(so, 0, sizeof(*so));
	repl__copy_id(so->origin, o->id);
	so->seq = op->seq;
	memcpy(so->hash, hash, NODE_HASH_BYTES);
	so->buf = copy;
	so->len = len;
	so->op = op;
	o->st_seq = op->seq;
	memcpy(o->st_head, hash, NODE_HASH_BYTES);
	o->st_touched = true;
	return 0;
}

/*
 * The op at (o, seq). Returns 0 (accepted, held, or a repeat), TAKE_STOP
 * (refused and reported: the origin's later ops in this call cannot
 * follow it) or CM_ENOMEM.
 */
static int
take_op(struct repl *r, uint64_t wall, const char *from, struct origin *o,
    uint64_t seq, const uint8_t *buf, size_t len, struct repl_effects *fx)
{
	unsigned char hash[NODE_HASH_BYTES];
	Ow__Op *op = NULL;
	int rc;

	if (strcmp(o->id, r->self) == 0 && seq > o->seq && !r->accept_own) {
		/* Only this hall makes its ops: a peer that holds more of
		 * them than this hall does means this hall lost some (a
		 * restore from an old backup). Taking them back could clash
		 * with the ops it is about to make. */
		rc = repl__report(
		    fx, REPL_EV_OWN_AHEAD, CM_ESTATE, from, o->id, seq);
		return rc != 0 ? rc : TAKE_STOP;
	}
	if (seq <= o->st_seq) {
		return check_repeat(r, from, o, seq, buf, len, fx);
	}
	if (seq > o->st_seq + 1) {
		return hold(r, from, o, seq, buf, len, fx);
	}
	if (o->ahead_seq == seq) {
		unsigned char bh[NODE_HASH_BYTES];

		crypto_generichash(bh, sizeof(bh), buf, len, NULL, 0);
		if (sodium_memcmp(bh, o->ahead_bytes, sizeof(bh)) == 0 &&
		    CM_HLC_MS(o->ahead_hlc) > wall &&
		    CM_HLC_MS(o->ahead_hlc) - wall > r->cfg.max_ahead_ms) {
			/* The same bytes, checked before: still ahead. */
			rc = repl__report(fx, REPL_EV_CLOCK_AHEAD, CM_ERANGE,
			    from, o->id, seq);
			return rc != 0 ? rc : TAKE_STOP;
		}
	}
	rc = node_op_open_ex(buf, len, o->pk, &op, hash,
	    r->cfg.pre == NULL ||
	        !r->cfg.pre->verified(r->cfg.pre_arg, buf, len, o->pk));
	if (rc == CM_ENOMEM) {
		return rc;
	}
	if (rc == 0 && (strcmp(op->origin, o->id) != 0 || op->seq != seq)) {
		/* Signed by the origin, but not the op the batch says: a
		 * misplaced op is refused like a malformed one. */
		rc = CM_EPROTO;
	}
	if (rc == 0) {
		rc = node_op_chain_check(op, o->st_seq, o->st_head);
		if (rc != 0) {
			ow__op__free_unpacked(op, NULL);
			rc = repl__report(
			    fx, REPL_EV_CHAIN, rc, from, o->id, seq);
			return rc != 0 ? rc : TAKE_STOP;
		}
		/* Checked last, so that a refused op leaves no trace in
		 * the clock. */
		rc = cm_hlc_observe(
		    r->cfg.hlc, op->hlc, wall, r->cfg.max_ahead_ms);
		if (rc != 0) {
			o->ahead_seq = seq;
			o->ahead_hlc = op->hlc;
			crypto_generichash(o->ahead_bytes,
			    sizeof(o->ahead_bytes), buf, len, NULL, 0);
			ow__op__free_unpacked(op, NULL);
			rc = repl__report(fx, REPL_EV_CLOCK_AHEAD, CM_ERANGE,
			    from, o->id, seq);
			return rc != 0 ? rc : TAKE_STOP;
		}
		rc = stage_push(r, o, op, buf, len, hash);
		if (rc != 0) {
			ow__op__free_unpacked(op, NULL);
		}
		return rc;
	}
	if (op != NULL) {
		ow__op__free_unpacked(op, NULL);
	}
	rc = repl__report(fx,
	    rc == CM_ECRYPTO ? REPL_EV_BAD_SIGNATURE : REPL_EV_MALFORMED, rc,
	    from, o->id, seq);
	return rc != 0 ? rc : TAKE_STOP;
}

/* Take the held ops that now follow the staged head. */
static int
drain_held(struct repl *r, uint64_t wall, const char *from, struct origin *o,
    struct repl_effects *fx)
{
	int rc = 0;

	while (rc == 0 && !o->st_stop && o->nheld > 0 &&
	       o->held[0].seq <= o->st_seq + 1) {
		struct held h = o->held[0];

		memmove(&o->held[0], &o->held[1],
		    (o->nheld - 1) * sizeof(*o->held));
		o->nheld--;
		r->held_bytes -= h.len;
		if (h.seq == o->st_seq + 1) {
			rc = take_op(r, wall, from, o, h.seq, h.buf, h.len, fx);
			if (rc == TAKE_STOP) {
				o->st_stop = true;
				rc = 0;
			}
		}
		cm_free(h.buf);
	}
	return rc;
}

/* Hand the staged ops to the host in one PERSIST effect and move the
 * heads. Nothing changes unless it all succeeds. */
static int
commit(struct repl *r, struct repl_effects *fx)
{
	struct repl_effect *e;
	struct repl_fx_head *heads;
	size_t nheads = 0;

	if (r->st_nops == 0) {
		return 0;
	}
	for (size_t i = 0; i < r->norigins; i++) {
		const struct origin *o = r->origins[i];

		nheads += o->st_gen == r->gen && o->st_touched;
	}
	heads = cm_calloc(nheads, sizeof(*heads));
	if (heads == NULL) {
		return CM_ENOMEM;
	}
	e = repl__fx_push(fx, REPL_FX_PERSIST);
	if (e == NULL) {
		cm_free(heads);
		return CM_ENOMEM;
	}
	e->heads = heads;
	for (size_t i = 0; i < r->norigins; i++) {
		struct origin *o = r->origins[i];

		if (o->st_gen != r->gen || !o->st_touched) {
			continue;
		}
		repl__copy_id(heads[e->nheads].origin, o->id);
		heads[e->nheads].seq = o->st_seq;
		memcpy(heads[e->nheads].hash, o->st_head, NODE_HASH_BYTES);
		e->nheads++;
		o->seq = o->st_seq;
		memcpy(o->head, o->st_head, NODE_HASH_BYTES);
	}
	/* The effect takes the staged ops over. */
	e->ops = r->st_ops;
	e->nops = r->st_nops;
	e->hlc = r->cfg.hlc->last;
	r->st_ops = NULL;
	r->st_nops = r->st_cops = 0;
	return 0;
}

int
repl__take_batch(struct repl *r, uint64_t wall, const char *from,
    const Ow__ReplBatch *batch, struct repl_effects *fx, bool *progress)
{
	int rc = 0;

	r->gen++;
	r->held_reported = false;
	for (size_t i = 0; i < batch->n_runs && rc == 0; i++) {
		const Ow__ReplRun *run = batch->runs[i];
		struct origin *o = repl__find_origin(r, run->origin);

		if (o == NULL) {
			rc = repl__report(fx, REPL_EV_UNKNOWN_ORIGIN,
			    CM_ENOTFOUND, from, run->origin, run->first_seq);
			continue;
		}
		stage(r, o);
		for (size_t j = 0; j < run->n_ops && !o->st_stop && rc == 0;
		     j++) {
			rc = take_op(r, wall, from, o, run->first_seq + j,
			    run->ops[j].data, run->ops[j].len, fx);
			if (rc == TAKE_STOP) {
				o->st_stop = true;
				rc = 0;
			}
		}
		if (rc == 0) {
			rc = drain_held(r, wall, from, o, fx);
		}
	}
	*progress = r->st_nops > 0;
	if (rc == 0) {
		rc = commit(r, fx);
	}
	repl__stage_clear(r);
	return rc;
}
