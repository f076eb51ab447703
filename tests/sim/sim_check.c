/*
 * sim_check.c: what the simulator checks.
 *
 * After every event at a hall (sim_check_hall):
 *  - the core's vector equals what the hall's store holds, per origin (no
 *    gap below the vector, no vector ahead of the data);
 *  - the vector never goes back while the hall is up, and what was synced
 *    never shrinks (a restart starts from it);
 *  - every op the hall acknowledged to a client is synced at that hall;
 *  - the ops held above gaps stay within their bound.
 * After every case build (sim_check_case), against the ops the case was
 * built from, and independently of the merge's own code paths:
 *  - the ops applied are closed under their contexts (nothing applied
 *    before its causal past);
 *  - the case is flagged as a conflict exactly when two concurrent
 *    workflow ops (transitions, reassignments to different targets) are
 *    not both followed by a later op of a kind in dispute: no concurrent
 *    transition is ever settled silently, and no flag is raised for
 *    nothing;
 *  - an unflagged case is in the state of its latest transition, and every
 *    transition is a row of the table (no forbidden transition applied);
 *  - with seals, the same in each stage the seals make (see stage_of),
 *    and late ops stand open until a later workflow op follows them;
 *    whether the hall still holds every op or keeps a base instead.
 * When a hall compacts (sim_hall.c): the core's stable entries are never
 *  above what a hall holds, nor so what the hall drops (but for ops a
 *  hall stated and then lost in a crash: counted, see held_everywhere),
 *  the case comes out the same, no pull asks for a dropped op and no hall
 *  is ever told to re-seed.
 * When the faults have stopped (sim_check_converged, sim_check_final):
 *  - every acknowledged op reaches every hall;
 *  - every hall holds byte-identical cases (and so the same conflict
 *    set), identical also to a build from all ops in a shuffled order,
 *    whether it keeps them on a base or not.
 * Persisted ops are checked as they are written (sim_hall.c): genuine,
 * byte for byte, and in seq order per origin.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node/cases.h"
#include "node/workflow.h"
#include "repl/merge.h"
#include "repl/msg.h"

void
sim_check_hall(struct sim_world *w, struct sim_hall *h)
{
	if (!h->is_up || w->is_done) {
		return;
	}
	for (int o = 0; o < w->nhalls; o++) {
		uint64_t seq = repl_seq(h->core, w->halls[o].id);

		if (seq != h->written[o]) {
			sim_fail(w,
			    "%s: vector says %s:%llu, the store holds "
			    "%llu",
			    h->id, w->halls[o].id, (unsigned long long)seq,
			    (unsigned long long)h->written[o]);
			return;
		}
		if (seq < h->seen[o]) {
			sim_fail(w,
			    "%s: vector entry %s went back from %llu "
			    "to %llu",
			    h->id, w->halls[o].id,
			    (unsigned long long)h->seen[o],
			    (unsigned long long)seq);
			return;
		}
		h->seen[o] = seq;
		if (seq > h->wrote[o]) {
			h->wrote[o] = seq;
		}
		if (h->durable[o] > h->written[o]) {
			sim_fail(w, "%s: synced more than written", h->id);
			return;
		}
	}
	if (h->durable[h->idx] != w->made[h->idx]) {
		sim_fail(w, "%s: acknowledged ops not synced (%llu of %llu)",
		    h->id, (unsigned long long)h->durable[h->idx],
		    (unsigned long long)w->made[h->idx]);
		return;
	}
	if (repl_held_bytes(h->core) > h->cfg.held_max_bytes) {
		sim_fail(w, "%s: %zu bytes held, over the bound", h->id,
		    repl_held_bytes(h->core));
	}
}

/* ---- the case oracle ------------------------------------------------------------- */

/* Did the maker of y have x (y's context covers x)? */
static bool
covers(const Ow__Op *y, const Ow__Op *x)
{
	if (strcmp(x->origin, y->origin) == 0) {
		return x->seq < y->seq;
	}
	return repl_vv_get(y->context, x->origin) >= x->seq;
}

static bool
is_workflow(const Ow__Op *op)
{
	return op->kind == OW__OP_KIND__OP_CASE_ACT ||
	       op->kind == OW__OP_KIND__OP_CASE_ASSIGN;
}

static bool
same_target(const Ow__Op *x, const Ow__Op *y)
{
	return x->kind == OW__OP_KIND__OP_CASE_ASSIGN &&
	       y->kind == OW__OP_KIND__OP_CASE_ASSIGN &&
	       strcmp(x->assign->hall, y->assign->hall) == 0 &&
	       strcmp(x->assign->assignee, y->assign->assignee) == 0;
}

/*
 * Seals: the creating hall's seals S1, S2, ... (in seq order) split a
 * case's ops into stages: stage 0 the ops S1's context covers, stage j
 * those S(j+1)'s covers and S(j)'s does not, the last stage the rest. The
 * merge builds each stage on the case the one before gives (the base at
 * S(j)), whether the hall still holds the earlier stages' ops or only a
 * base: the flag of a stage stays (a later op cannot settle what it no
 * longer sees), an op of stage j > 0 not after S(j) is late (made where
 * part of the base was not yet seen): a late workflow op stands open
 * until a later workflow op follows it, and a late transition does not
 * move the state. Without seals this is the rule above in one stage.
 */
static size_t
stage_of(const Ow__Op *op, const Ow__Op *const *seals, size_t ns)
{
	for (size_t j = 0; j < ns; j++) {
		if (op->seq <= repl_vv_get(seals[j]->context, op->origin)) {
			return j;
		}
	}
	return ns;
}

void
sim_check_case(
    struct sim_world *w, struct sim_hall *h, int case_idx, size_t anomalies)
{
	const Ow__Case *c = h->cases[case_idx];
	const struct sim_case *sc = &w->cases[case_idx];
	const Ow__Op *m[512], *create = NULL, *head = NULL, *seals[64];
	size_t n = 0, ns = 0, stage[512];
	bool open_pair = false, late[512];

	if (w->is_done) {
		return;
	}
	if (anomalies != 0) {
		sim_fail(w, "%s: %s: %zu anomalies among honest ops", h->id,
		    sc->id, anomalies);
		return;
	}
	if (c->state >= NODE_ST__COUNT || strcmp(c->id, sc->id) != 0) {
		sim_fail(
		    w, "%s: %s: a case with a bad state or id", h->id, sc->id);
		return;
	}
	/* The ops applied: those the hall holds up to the case's version
	 * (with those it dropped for a base, which it held: the base is
	 * the case they give). */
	for (size_t i = 0; i < sc->nops && n < 512; i++) {
		const struct sim_op *op = &w->ops[sc->ops[i]];

		if (op->seq <= h->written[op->origin] &&
		    op->seq <=
		        repl_vv_get(c->version, w->halls[op->origin].id)) {
			m[n++] = op->op;
			if (op->op->kind == OW__OP_KIND__OP_CASE_CREATE) {
				create = op->op;
			}
		}
	}
	if (create == NULL) {
		sim_fail(w, "%s: %s built without its create", h->id, sc->id);
		return;
	}
	/* Closed under contexts. */
	for (size_t i = 0; i < n; i++) {
		const Ow__VersionVector *ctx = m[i]->context;

		for (size_t k = 0; ctx != NULL && k < ctx->n_entries; k++) {
			bool found = false;

			for (size_t j = 0; j < n && !found; j++) {
				found = strcmp(m[j]->origin,
				            ctx->entries[k]->origin) == 0 &&
				        m[j]->seq == ctx->entries[k]->seq;
			}
			if (!found && ctx->entries[k]->seq > 0) {
				sim_fail(w,
				    "%s: %s applies %s:%llu before its "
				    "past",
				    h->id, sc->id, m[i]->origin,
				    (unsigned long long)m[i]->seq);
				return;
			}
		}
	}
	/* The creating hall's seals split the ops into stages (below). */
	for (size_t i = 0; i < n; i++) {
		if (m[i]->kind == OW__OP_KIND__OP_CASE_SEAL &&
		    strcmp(m[i]->origin, create->origin) == 0) {
			size_t k = ns++;

			if (ns > 64) {
				sim_fail(w,
				    "%s: more seals than the checker "
				    "takes",
				    sc->id);
				return;
			}
			while (k > 0 && seals[k - 1]->seq > m[i]->seq) {
				seals[k] = seals[k - 1];
				k--;
			}
			seals[k] = m[i];
		}
	}
	for (size_t i = 0; i < n; i++) {
		stage[i] = stage_of(m[i], seals, ns);
		late[i] = stage[i] > 0 && !covers(m[i], seals[stage[i] - 1]);
	}
	/* In each stage, a late workflow op without a later one after it,
	 * or concurrent workflow ops without a later one after both. */
	for (size_t i = 0; i < n && !open_pair; i++) {
		bool followed = false;

		if (!is_workflow(m[i]) || !late[i]) {
			continue;
		}
		for (size_t k = 0; k < n && !followed; k++) {
			followed = k != i && stage[k] == stage[i] &&
			           is_workflow(m[k]) && covers(m[k], m[i]);
		}
		open_pair = !followed;
	}
	for (size_t i = 0; i < n && !open_pair; i++) {
		for (size_t j = i + 1; j < n && !open_pair; j++) {
			const Ow__Op *x = m[i], *y = m[j];
			bool settled = false;

			if (!is_workflow(x) || !is_workflow(y) ||
			    stage[i] != stage[j] || covers(x, y) ||
			    covers(y, x) || same_target(x, y)) {
				continue;
			}
			for (size_t k = 0; k < n && !settled; k++) {
				settled = stage[k] == stage[i] &&
				          (m[k]->kind == x->kind ||
				              m[k]->kind == y->kind) &&
				          covers(m[k], x) && covers(m[k], y);
			}
			open_pair = !settled;
		}
	}
	if (open_pair != c->conflict) {
		sim_fail(w,
		    "%s: %s is %sflagged but %s concurrent or late workflow "
		    "ops are open",
		    h->id, sc->id, c->conflict ? "" : "not ",
		    open_pair ? "some" : "no");
		return;
	}
	/* Every transition is a row of the table (or a resolve); the late
	 * ones do not move the state. */
	for (size_t i = 0; i < n; i++) {
		const Ow__CaseAct *a = m[i]->act;

		if (m[i]->kind != OW__OP_KIND__OP_CASE_ACT) {
			continue;
		}
		if (!node_wf_valid((enum node_state)a->from_state,
		        (enum node_action)a->action,
		        (enum node_state)a->to_state)) {
			sim_fail(w, "%s: %s holds a forbidden transition",
			    h->id, sc->id);
			return;
		}
		if (!late[i] && (head == NULL || covers(m[i], head))) {
			head = m[i];
		}
	}
	if (c->conflict) {
		return;
	}
	/* Unflagged: one latest transition, after every other, gives the
	 * state. */
	for (size_t i = 0; head != NULL && i < n; i++) {
		if (m[i] != head && m[i]->kind == OW__OP_KIND__OP_CASE_ACT &&
		    !late[i] && !covers(head, m[i])) {
			sim_fail(w,
			    "%s: %s unflagged with two latest "
			    "transitions",
			    h->id, sc->id);
			return;
		}
	}
	if (c->state != (head != NULL ? head->act->to_state
	                              : create->create->initial->state)) {
		sim_fail(w, "%s: %s is %s, its latest transition says %s",
		    h->id, sc->id, node_state_name((enum node_state)c->state),
		    node_state_name((enum node_state)(
		        head != NULL ? head->act->to_state
		                     : create->create->initial->state)));
	}
}

/* ---- convergence --------------------------------------------------------------------- */

bool
sim_check_converged(struct sim_world *w)
{
	for (int i = 0; i < w->nhalls; i++) {
		const struct sim_hall *h = &w->halls[i];

		if (!h->is_up) {
			return false;
		}
		for (int o = 0; o < w->nhalls; o++) {
			if (h->written[o] != w->made[o]) {
				return false;
			}
		}
	}
	return true;
}

static uint8_t *
pack_case(const Ow__Case *c, size_t *len)
{
	uint8_t *buf;

	*len = ow__case__get_packed_size(c);
	buf = cm_malloc(*len + 1);
	if (buf != NULL) {
		ow__case__pack(c, buf);
	}
	return buf;
}

void
sim_check_final(struct sim_world *w)
{
	for (size_t ci = 0; ci < w->ncases && !w->is_done; ci++) {
		const struct sim_case *sc = &w->cases[ci];
		Ow__Op **ops = cm_calloc(sc->nops + 1, sizeof(*ops));
		Ow__Case *ref = NULL;
		uint8_t *rbuf = NULL;
		size_t rlen = 0;
		int rc;

		if (ops == NULL) {
			sim_fail(w, "out of memory");
			return;
		}
		/* The reference: every op of the case, shuffled. */
		for (size_t i = 0; i < sc->nops; i++) {
			ops[i] = w->ops[sc->ops[i]].op;
		}
		for (size_t i = sc->nops; i > 1; i--) {
			size_t j = (size_t)sim_rng_below(&w->rng, i);
			Ow__Op *t = ops[i - 1];

			ops[i - 1] = ops[j];
			ops[j] = t;
		}
		rc = repl_case_build(ops, sc->nops, &ref, NULL);
		cm_free(ops);
		if (rc != 0 || ref == NULL) {
			sim_fail(w, "%s: no reference build (%s)", sc->id,
			    cm_err_name(rc));
			return;
		}
		rbuf = pack_case(ref, &rlen);
		w->st.conflicts_end += ref->conflict;
		for (int i = 0; i < w->nhalls && rbuf != NULL && !w->is_done;
		     i++) {
			const struct sim_hall *h = &w->halls[i];
			uint8_t *buf;
			size_t len;

			if ((size_t)ci >= h->ncases || h->cases[ci] == NULL) {
				sim_fail(w, "%s lacks %s after healing", h->id,
				    sc->id);
				break;
			}
			if (sim_hall_base(h, (int)ci) != NULL) {
				w->st.compared_on_base++;
			}
			buf = pack_case(h->cases[ci], &len);
			if (buf == NULL || len != rlen ||
			    memcmp(buf, rbuf, len) != 0) {
				sim_fail(w,
				    "%s: %s differs from the other halls "
				    "(%s, conflict %d vs %d)",
				    h->id, sc->id,
				    node_state_name(
				        (enum node_state)h->cases[ci]->state),
				    h->cases[ci]->conflict, ref->conflict);
			}
			cm_free(buf);
		}
		cm_free(rbuf);
		node_case_free(ref);
	}
}
