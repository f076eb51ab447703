/*
 * workflow.h: the states of a case and the transitions between them, as
 * one table (docs/workflow.md draws it). Pure logic: the request handlers
 * ask it whether a role may do an action in a state and what follows; the
 * replication merge asks it which state two concurrent transitions lead
 * to. The code is node/src/workflow.c; the reasons are in docs/workflow.md.
 *
 * A case is created (the CREATE right, outside the table) in one of four
 * entry states: accepted, accepted_gaps, supplement or refused.
 */
#ifndef NODE_WORKFLOW_H
#define NODE_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

/* XX(name, wire name). Numbers are stored: append only. */
#define NODE_STATE_MAP(XX)                                                         \
	XX(ACCEPTED, "accepted")           /* 受理 */                            \
	XX(ACCEPTED_GAPS, "accepted_gaps") /* 容缺受理: materials to follow */ \
	XX(SUPPLEMENT, "supplement")       /* 补正: waiting, clock paused */     \
	XX(REFUSED, "refused")             /* 不予受理 (final) */              \
	XX(IN_REVIEW, "in_review")         /* 审查中 */                         \
	XX(SUSPENDED, "suspended")         /* Art. 45 step, clock paused */        \
	XX(APPROVED, "approved")           /* 准予 */                            \
	XX(REJECTED, "rejected")           /* 不予许可 */                      \
	XX(DELIVERED, "delivered")         /* 已送达/出件 (final) */          \
	XX(WITHDRAWN, "withdrawn")         /* 撤回 (final) */

enum node_state {
#define NODE_XX_STATE(name, str) NODE_ST_##name,
	NODE_STATE_MAP(NODE_XX_STATE)
#undef NODE_XX_STATE
	    NODE_ST__COUNT
};

/* Roles are bits: a user has one role; a transition names the set that
 * may do it. */
enum node_role {
	NODE_ROLE_CLERK = 1,
	NODE_ROLE_SUPERVISOR = 2,
	NODE_ROLE_OPS = 4,
	NODE_ROLE_AUDITOR = 8, /* read-only */
};

/* XX(name, wire name). Numbers are stored: append only. */
#define NODE_ACTION_MAP(XX)                                                    \
	XX(START_REVIEW, "start_review")                                       \
	XX(REQUEST_SUPPLEMENT, "request_supplement")                           \
	XX(SUPPLEMENT_RECEIVED, "supplement_received")                         \
	XX(GAPS_FILLED, "gaps_filled")                                         \
	XX(SUSPEND, "suspend")                                                 \
	XX(RESUME, "resume")                                                   \
	XX(APPROVE, "approve")                                                 \
	XX(REJECT, "reject")                                                   \
	XX(DELIVER, "deliver")                                                 \
	XX(WITHDRAW, "withdraw")                                               \
	XX(REFUSE, "refuse")                                                   \
	XX(RESOLVE, "resolve")

enum node_action {
#define NODE_XX_ACTION(name, str) NODE_ACT_##name,
	NODE_ACTION_MAP(NODE_XX_ACTION)
#undef NODE_XX_ACTION
	    NODE_ACT__COUNT
};

/* Effect of a state on the deadline clock. */
enum node_clock {
	NODE_CLOCK_RUNNING,
	NODE_CLOCK_PAUSED_SUPPLEMENT, /* waiting for the applicant */
	NODE_CLOCK_PAUSED_ART45,      /* hearing, inspection, expert review */
	NODE_CLOCK_STOPPED,           /* a final state, or decided */
};

/*
 * Wire names ("in_review", "start_review", "supervisor"): static storage,
 * never NULL; "unknown" for a value out of range (no parse accepts it). A
 * role name is for one role bit only. The parsers match exactly (case
 * matters) and return 0, CM_ENOTFOUND for a name they do not know, or
 * CM_EINVAL when s or out is NULL; *out is written only on 0.
 */
const char *node_state_name(enum node_state s);
int node_state_parse(const char *s, enum node_state *out);
const char *node_action_name(enum node_action a);
int node_action_parse(const char *s, enum node_action *out);
const char *node_role_name(enum node_role r);
int node_role_parse(const char *s, enum node_role *out);

/* The translated label of a state ("accepted with materials to follow" /
 * "容缺受理"); "unknown state" out of range. Static storage (gettext's). */
const char *node_state_label(enum node_state s);

/* Final: refused, withdrawn, delivered; no action leaves them. Approved
 * and rejected are decided (the clock is stopped) but not final: the
 * result is still to be delivered (Art. 44). False out of range. */
bool node_state_is_final(enum node_state s);
/* The state's effect on the decision clock (Art. 42). STOPPED out of
 * range. */
enum node_clock node_state_clock(enum node_state s);

/*
 * May a user with role do action on a case in state `from`? On 0, *to is
 * the state that follows (to may be NULL to ask only). Returns 0,
 * CM_ESTATE when no transition leaves `from` by action (for any role:
 * "not now"), CM_EDENIED when one does but not for this role ("not you"),
 * or CM_EINVAL when role is not exactly one known role bit or from or
 * action is out of range. *to is written only on 0.
 */
int node_wf_check(enum node_state from, enum node_action action,
    enum node_role role, enum node_state *to);

/*
 * RESOLVE is not a row of the table: it settles a case that replication
 * flagged (two halls acted on it at once), from whatever provisional
 * state the rule table gave, to the state a supervisor chooses, with a
 * reason. node_wf_check answers CM_ESTATE for it (no row); the request
 * handler checks the flag and the role. A valid transition, for whoever
 * applies ops (the case fold, the replication merge), is a row of the
 * table for a clerk or a supervisor, or a RESOLVE between two valid
 * states.
 */
bool node_wf_valid(
    enum node_state from, enum node_action action, enum node_state to);

/* True for the actions that need a written reason: refuse, reject,
 * withdraw, request_supplement, suspend, resolve. The reason goes on the notice
 * the applicant gets. False out of range. */
bool node_action_needs_reason(enum node_action a);

/* The actions role may take from state, as a bit set (1u << action); 0
 * for a bad role or state. */
unsigned node_wf_allowed(enum node_state from, enum node_role role);

/*
 * Actions outside the state table, each with the roles that may do them:
 * creating a case, editing fields, notes, reassignment and extensions
 * (supervisor only), ratings at the counter, delivery records.
 */
#define NODE_OP_RIGHTS_MAP(XX)                                                 \
	XX(CREATE, NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR)                     \
	XX(EDIT, NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR)                       \
	XX(NOTE, NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR)                       \
	XX(REASSIGN, NODE_ROLE_SUPERVISOR)                                     \
	XX(EXTEND, NODE_ROLE_SUPERVISOR)                                       \
	XX(RATE, NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR)                       \
	XX(READ, NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR | NODE_ROLE_AUDITOR)   \
	XX(USERS, NODE_ROLE_OPS)                                               \
	XX(CATALOG, NODE_ROLE_OPS | NODE_ROLE_SUPERVISOR)                      \
	XX(PEERS, NODE_ROLE_OPS)                                               \
	XX(CALENDAR, NODE_ROLE_OPS)                                            \
	XX(BACKUP, NODE_ROLE_OPS)                                              \
	XX(REPORT, NODE_ROLE_SUPERVISOR | NODE_ROLE_AUDITOR)                   \
	XX(REMEDY, NODE_ROLE_SUPERVISOR)

enum node_right {
#define NODE_XX_RIGHT(name, roles) NODE_RIGHT_##name,
	NODE_OP_RIGHTS_MAP(NODE_XX_RIGHT)
#undef NODE_XX_RIGHT
	    NODE_RIGHT__COUNT
};

/* 0, CM_EDENIED, or CM_EINVAL (right out of range, or role not exactly
 * one known role bit). */
int node_right_check(enum node_right right, enum node_role role);

/*
 * Concurrent transitions (two halls acted on one case without seeing each
 * other): the provisional state every replica picks, by a domain rule
 * table, never by clock or hash. Both branches are kept and the case is
 * flagged for a supervisor. a and b are the states each branch reached
 * from the common `base`; the result does not depend on the order of a
 * and b, merge(base, a, a) is a, and merge(base, base, b) is b.
 *
 * The rules, in order (docs/workflow.md gives every pair and why):
 *  1. When every way from base to one branch's state passes through the
 *     other's, that branch only went further along the same road: the
 *     further state wins.
 *  2. Two different outcomes (approved, rejected, refused) give
 *     in_review: no decision is made silently.
 *  3. Otherwise a fixed precedence: delivered > withdrawn > supplement >
 *     suspended > in_review > accepted > accepted_gaps > approved,
 *     rejected > refused.
 * The result is a or b, except for rule 2, whose in_review one branch
 * passed through. Values out of range are corrupt input and ignored: the
 * result is the valid one of a and b, or base when neither is.
 *
 * The state alone cannot show everything: two branches that both reached
 * delivered (one approved, one rejected) have a == b. The caller should
 * flag by the transitions, not only by a != b.
 */
enum node_state node_wf_merge(
    enum node_state base, enum node_state a, enum node_state b);

/*
 * The same for any number of branches from one base (borrows states, n
 * of them; base when n is 0). Folding node_wf_merge pairwise is not
 * associative (rule 2 puts in_review above two outcomes that rule 1 puts
 * above in_review), so with three or more concurrent branches call this
 * with all of them: the result does not depend on their order or on
 * repeats. node_wf_merge(base, a, b) is node_wf_merge_n with {a, b}.
 */
enum node_state node_wf_merge_n(
    enum node_state base, const enum node_state *states, size_t n);

#endif
