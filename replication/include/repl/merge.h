/*
 * merge.h: a case as a function of the set of its ops.
 *
 * Halls receive the ops of a case in different orders (relays, partitions,
 * byte caps), and node_case_apply folds ops in arrival order: its result
 * depends on that order when transitions are concurrent (a round trip on
 * one branch hides a concurrent transition on the other) and its lists
 * grow in arrival order. Replication needs the same bytes on every hall,
 * so it builds a case from the set of ops, whatever order they came in:
 *
 * - Causality comes from the ops themselves. An op's context is the case's
 *   version (highest seq per origin among the ops applied to it) at the
 *   hall that made it; x happened before y when y's context covers x
 *   (or both come from one origin and x has the lower seq) and x has the
 *   lower (hlc, origin, seq). The second condition holds for every honest
 *   op (a hall observes every op's clock before it applies it) and makes
 *   the relation acyclic whatever a peer claims.
 * - An op is applied only when its causal past is all there: every op its
 *   context names is present and itself applied ("ready"). Ops whose past
 *   is missing wait; the case is built again when more ops come.
 * - Ready ops are walked in (hlc, origin, seq) order, a linear extension
 *   of causality: plain fields and the assignment are last-writer-wins by
 *   (hlc, origin); notes and materials are add-only sets; the first rating
 *   stands; the largest extension wins.
 * - The state follows the transitions (CaseAct) as a partial order: the
 *   one latest transition gives the state; concurrent latest transitions
 *   give node_wf_merge_n of their states from the state of their common
 *   past.
 * - The case is flagged (Case.conflict) while two concurrent workflow ops
 *   (transitions, reassignments to different targets, or one of each) are
 *   not both followed by one later op of a kind in dispute: two
 *   transitions are settled by a transition made where both were seen (a
 *   supervisor's resolution), two reassignments by a reassignment, a
 *   transition and a reassignment by either. It is flagged too for an op
 *   that the table forbids or whose from_state is not the state its own
 *   past gives (until a later workflow op follows it), and for a second
 *   create.
 *
 * docs/replication.md ("Merge") states the rules for other
 * implementations. Pure logic: no I/O.
 */
#ifndef REPL_MERGE_H
#define REPL_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "onewindow.pb-c.h"

struct repl_case_stats {
	size_t ops;       /* distinct (origin, seq) given for the case */
	size_t ready;     /* of them applied: their causal past is there */
	size_t anomalies; /* ops that make no sense or were refused by the
	                     table, stale transitions, extra creates */
};

/*
 * Build the case from the ops a hall holds for it (borrowed; any order;
 * repeats of one (origin, seq) count once; every op must have the case id
 * of the first, others are ignored as anomalies). *out is the case
 * (free with node_case_free), or NULL when no create is ready yet. The
 * result is a function of the set of ops alone. st may be NULL. Returns
 * 0, CM_EINVAL (no ops, or NULL arguments) or CM_ENOMEM (*out is then
 * NULL).
 */
int repl_case_build(
    Ow__Op *const *ops, size_t n, Ow__Case **out, struct repl_case_stats *st);

/*
 * Seals (OP_CASE_SEAL): the hall that created a case may seal it; the case
 * as built at the seal's context is then a base that every hall may keep
 * instead of the ops it covers (those at or below its version). Every
 * later seal of that hall, in seq order, first gives the case at its own
 * context, and the build goes on from there; an op not covered by the
 * base and not after the seal (late: made at a hall that had not seen all
 * of the base) is applied on the base, and if it is a transition or a
 * reassignment it flags the case until a later workflow op follows it
 * (its race with the base's transitions can no longer be judged). The
 * case is the same whether a hall holds the covered ops or only a base.
 */
struct repl_case_base {
	Ow__Case *c;        /* the case at the seal's context; version = it */
	const Ow__Op *seal; /* the seal (of the case's creating hall) */
};

/*
 * repl_case_build from a base (borrowed; NULL or base->c NULL: from
 * scratch) and the ops held beyond it (the base's seal among them). Ops
 * the base covers are ignored.
 */
int repl_case_build_on(const struct repl_case_base *base, Ow__Op *const *ops,
    size_t n, Ow__Case **out, struct repl_case_stats *st);

/*
 * The latest seal that the ops (on base, which may be NULL) make ready
 * beyond base's, and the case at its context: at->c (the caller frees it
 * with node_case_free) and at->seal (one of ops). at->c is NULL when no
 * such seal is ready. With out non-NULL, *out is the case built from all
 * of them, as repl_case_build_on gives it (one build for both). 0,
 * CM_EINVAL or CM_ENOMEM.
 */
int repl_case_seal_point(const struct repl_case_base *base, Ow__Op *const *ops,
    size_t n, struct repl_case_base *at, Ow__Case **out);

/* Did x happen before y (the relation above)? Borrows both. */
bool repl_op_before(const Ow__Op *x, const Ow__Op *y);

#endif
