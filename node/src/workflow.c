/*
 * workflow.c: the case workflow as one transition table.
 *
 * Every change of a case's state is a row of wf_table: from a state, by
 * an action, for a set of roles, to a state. Nothing else in the node
 * decides which transitions exist; the request handlers ask
 * node_wf_check, the desk asks node_wf_allowed for its menus, and the
 * replication merge (node_wf_merge) walks the same rows to see which
 * states lie on the way to which. docs/workflow.md draws the table and
 * gives the legal basis of each row.
 *
 * Pure logic: no I/O, no clock, no allocation.
 */
#include "node/workflow.h"

#include <assert.h>
#include <string.h>

#include "common/error.h"
#include "common/i18n.h"

/*
 * The roles at the counter. Clerks and supervisors both work the
 * counters; decisions of the back office and Art. 45 steps are recorded
 * by a supervisor only. Ops run the node and auditors read: neither
 * appears in any row.
 */
#define WF_DESK (NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR)
#define WF_SUPV NODE_ROLE_SUPERVISOR

#define WF_ROLES_ALL                                                           \
	(NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR | NODE_ROLE_OPS |              \
	    NODE_ROLE_AUDITOR)

/* ---- The transition table ---------------------------------------------- */

struct wf_row {
	enum node_state from;
	enum node_action action;
	unsigned roles; /* enum node_role bits */
	enum node_state to;
};

/*
 * One row per (from, action): the lookup relies on it (asserted in
 * find_row). Grouped by the step of the procedure, not by state, so that
 * each group reads as one rule of the law or of practice.
 */
static const struct wf_row wf_table[] = {
    /* The file is complete: the back office reviews (Art. 34). A case
     * accepted with gaps (容缺受理) waits for its secondary materials
     * first: the table cannot see which gaps remain, and a review state
     * reachable with gaps open would let a decision through before them.
     * The clock runs meanwhile, so the applicant loses no time. */
    {NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW, WF_DESK, NODE_ST_IN_REVIEW},
    {NODE_ST_ACCEPTED_GAPS, NODE_ACT_GAPS_FILLED, WF_DESK, NODE_ST_ACCEPTED},

    /* One-time notice (一次性告知, Art. 32): the case waits for the
     * applicant with the clock paused. After acceptance this is the
     * supplement during review that local rules allow; the deadline
     * engine counts it as a pause, while at intake it moves the
     * acceptance date to the day the materials arrive. */
    {NODE_ST_ACCEPTED, NODE_ACT_REQUEST_SUPPLEMENT, WF_DESK,
        NODE_ST_SUPPLEMENT},
    {NODE_ST_ACCEPTED_GAPS, NODE_ACT_REQUEST_SUPPLEMENT, WF_DESK,
        NODE_ST_SUPPLEMENT},
    {NODE_ST_IN_REVIEW, NODE_ACT_REQUEST_SUPPLEMENT, WF_DESK,
        NODE_ST_SUPPLEMENT},
    {NODE_ST_SUPPLEMENT, NODE_ACT_SUPPLEMENT_RECEIVED, WF_DESK,
        NODE_ST_ACCEPTED},
    /* The supplement never came, or the matter is not this organ's:
     * 不予受理, with a written notice and the applicant's remedies. */
    {NODE_ST_SUPPLEMENT, NODE_ACT_REFUSE, WF_DESK, NODE_ST_REFUSED},

    /* Art. 45: hearing, inspection, testing, appraisal or expert review
     * is not counted. Ordered by the organ, so a supervisor records it. */
    {NODE_ST_IN_REVIEW, NODE_ACT_SUSPEND, WF_SUPV, NODE_ST_SUSPENDED},
    {NODE_ST_SUSPENDED, NODE_ACT_RESUME, WF_SUPV, NODE_ST_IN_REVIEW},

    /* The decision (Art. 37, 38): made in the back office, recorded at
     * the hall by a supervisor. A refusal of the licence states reasons
     * and remedies (Art. 38), hence the reason. */
    {NODE_ST_IN_REVIEW, NODE_ACT_APPROVE, WF_SUPV, NODE_ST_APPROVED},
    {NODE_ST_IN_REVIEW, NODE_ACT_REJECT, WF_SUPV, NODE_ST_REJECTED},

    /* The result, licence or decision, is handed over at any hall's
     * window (统一出件) or posted, within 10 days (Art. 44). */
    {NODE_ST_APPROVED, NODE_ACT_DELIVER, WF_DESK, NODE_ST_DELIVERED},
    {NODE_ST_REJECTED, NODE_ACT_DELIVER, WF_DESK, NODE_ST_DELIVERED},

    /* The applicant may withdraw until the decision is made; after it
     * there is a decision to deliver, not an application to withdraw. */
    {NODE_ST_ACCEPTED, NODE_ACT_WITHDRAW, WF_DESK, NODE_ST_WITHDRAWN},
    {NODE_ST_ACCEPTED_GAPS, NODE_ACT_WITHDRAW, WF_DESK, NODE_ST_WITHDRAWN},
    {NODE_ST_SUPPLEMENT, NODE_ACT_WITHDRAW, WF_DESK, NODE_ST_WITHDRAWN},
    {NODE_ST_IN_REVIEW, NODE_ACT_WITHDRAW, WF_DESK, NODE_ST_WITHDRAWN},
    {NODE_ST_SUSPENDED, NODE_ACT_WITHDRAW, WF_DESK, NODE_ST_WITHDRAWN},
};

#define WF_NROWS (sizeof(wf_table) / sizeof(wf_table[0]))

/* ---- Per-state and per-action facts ------------------------------------ */

struct wf_state_info {
	const char *label; /* English msgid, translated on use */
	bool is_final;
	enum node_clock clock;
};

/*
 * The labels avoid the bare words "refused" and "rejected", which English
 * readers confuse: 不予受理 is "not accepted", 不予许可 "not approved".
 * The clock is the decision clock of Art. 42; the delivery limit of
 * Art. 44 is counted from the decision date by the deadline engine.
 */
static const struct wf_state_info wf_states[NODE_ST__COUNT] = {
    [NODE_ST_ACCEPTED] = {N_("accepted"), false, NODE_CLOCK_RUNNING},
    [NODE_ST_ACCEPTED_GAPS] = {N_("accepted with materials to follow"), false,
        NODE_CLOCK_RUNNING},
    [NODE_ST_SUPPLEMENT] = {N_("waiting for supplementary materials"), false,
        NODE_CLOCK_PAUSED_SUPPLEMENT},
    [NODE_ST_REFUSED] = {N_("not accepted"), true, NODE_CLOCK_STOPPED},
    [NODE_ST_IN_REVIEW] = {N_("under review"), false, NODE_CLOCK_RUNNING},
    [NODE_ST_SUSPENDED] = {N_("suspended (time not counted)"), false,
        NODE_CLOCK_PAUSED_ART45},
    [NODE_ST_APPROVED] = {N_("approved"), false, NODE_CLOCK_STOPPED},
    [NODE_ST_REJECTED] = {N_("not approved"), false, NODE_CLOCK_STOPPED},
    [NODE_ST_DELIVERED] = {N_("result delivered"), true, NODE_CLOCK_STOPPED},
    [NODE_ST_WITHDRAWN] = {N_("withdrawn"), true, NODE_CLOCK_STOPPED},
};

/* The wire names come from the header's maps, which are stored and sent:
 * one spelling. A state appended there also needs its line in wf_states
 * above (a missing label shows as NULL, which the tests catch). */
static const char *const wf_state_names[NODE_ST__COUNT] = {
#define WF_XX_STATE_NAME(name, str) [NODE_ST_##name] = str,
    NODE_STATE_MAP(WF_XX_STATE_NAME)
#undef WF_XX_STATE_NAME
};

static const char *const wf_action_names[NODE_ACT__COUNT] = {
#define WF_XX_ACTION_NAME(name, str) [NODE_ACT_##name] = str,
    NODE_ACTION_MAP(WF_XX_ACTION_NAME)
#undef WF_XX_ACTION_NAME
};

/*
 * The actions whose notice must say why: the applicant may challenge a
 * refusal or a rejection (Art. 38), must know what to supplement (Art.
 * 32) and why the clock stops (Art. 45), and a withdrawal is recorded in
 * the applicant's words.
 */
static const bool wf_action_reason[NODE_ACT__COUNT] = {
    [NODE_ACT_REQUEST_SUPPLEMENT] = true,
    [NODE_ACT_SUSPEND] = true,
    [NODE_ACT_REJECT] = true,
    [NODE_ACT_WITHDRAW] = true,
    [NODE_ACT_REFUSE] = true,
    [NODE_ACT_RESOLVE] = true,
};

static const unsigned wf_right_roles[NODE_RIGHT__COUNT] = {
#define WF_XX_RIGHT(name, roles) [NODE_RIGHT_##name] = (roles),
    NODE_OP_RIGHTS_MAP(WF_XX_RIGHT)
#undef WF_XX_RIGHT
};

static const struct {
	enum node_role role;
	const char *name;
} wf_roles[] = {
    {NODE_ROLE_CLERK, "clerk"},
    {NODE_ROLE_SUPERVISOR, "supervisor"},
    {NODE_ROLE_OPS, "ops"},
    {NODE_ROLE_AUDITOR, "auditor"},
};

#define WF_NROLES (sizeof(wf_roles) / sizeof(wf_roles[0]))

/* ---- Helpers ----------------------------------------------------------- */

static bool state_ok(enum node_state s);

/* Enum values come from stored data and the wire too: compare as
 * unsigned so that a negative value is out of range as well. */
static bool
state_ok(enum node_state s)
{
	return (unsigned)s < NODE_ST__COUNT;
}

static bool
action_ok(enum node_action a)
{
	return (unsigned)a < NODE_ACT__COUNT;
}

/* A user holds exactly one role; a set of roles is a programmer's slip. */
static bool
role_ok(enum node_role r)
{
	unsigned u = (unsigned)r;

	return u != 0 && (u & (u - 1)) == 0 && (u & WF_ROLES_ALL) == u;
}

static const struct wf_row *
find_row(enum node_state from, enum node_action action)
{
	const struct wf_row *found = NULL;

	for (size_t i = 0; i < WF_NROWS; i++) {
		if (wf_table[i].from == from && wf_table[i].action == action) {
			assert(
			    found == NULL && "two rows for one (from, action)");
			found = &wf_table[i];
		}
	}
	return found;
}

/* ---- Names and facts --------------------------------------------------- */

const char *
node_state_name(enum node_state s)
{
	return state_ok(s) ? wf_state_names[s] : "unknown";
}

int
node_state_parse(const char *s, enum node_state *out)
{
	if (s == NULL || out == NULL) {
		return CM_EINVAL;
	}
	for (unsigned i = 0; i < NODE_ST__COUNT; i++) {
		if (strcmp(s, wf_state_names[i]) == 0) {
			*out = (enum node_state)i;
			return 0;
		}
	}
	return CM_ENOTFOUND;
}

const char *
node_action_name(enum node_action a)
{
	return action_ok(a) ? wf_action_names[a] : "unknown";
}

int
node_action_parse(const char *s, enum node_action *out)
{
	if (s == NULL || out == NULL) {
		return CM_EINVAL;
	}
	for (unsigned i = 0; i < NODE_ACT__COUNT; i++) {
		if (strcmp(s, wf_action_names[i]) == 0) {
			*out = (enum node_action)i;
			return 0;
		}
	}
	return CM_ENOTFOUND;
}

const char *
node_role_name(enum node_role r)
{
	for (size_t i = 0; i < WF_NROLES; i++) {
		if (wf_roles[i].role == r) {
			return wf_roles[i].name;
		}
	}
	return "unknown";
}

int
node_role_parse(const char *s, enum node_role *out)
{
	if (s == NULL || out == NULL) {
		return CM_EINVAL;
	}
	for (size_t i = 0; i < WF_NROLES; i++) {
		if (strcmp(s, wf_roles[i].name) == 0) {
			*out = wf_roles[i].role;
			return 0;
		}
	}
	return CM_ENOTFOUND;
}

const char *
node_state_label(enum node_state s)
{
	return state_ok(s) ? _(wf_states[s].label) : _("unknown state");
}

bool
node_state_is_final(enum node_state s)
{
	return state_ok(s) && wf_states[s].is_final;
}

enum node_clock
node_state_clock(enum node_state s)
{
	return state_ok(s) ? wf_states[s].clock : NODE_CLOCK_STOPPED;
}

bool
node_action_needs_reason(enum node_action a)
{
	return action_ok(a) && wf_action_reason[a];
}

/* ---- Checks ------------------------------------------------------------ */

int
node_wf_check(enum node_state from, enum node_action action,
    enum node_role role, enum node_state *to)
{
	const struct wf_row *row;

	if (!state_ok(from) || !action_ok(action) || !role_ok(role)) {
		return CM_EINVAL;
	}
	row = find_row(from, action);
	if (row == NULL) {
		return CM_ESTATE;
	}
	if ((row->roles & (unsigned)role) == 0) {
		return CM_EDENIED;
	}
	if (to != NULL) {
		*to = row->to;
	}
	return 0;
}

unsigned
node_wf_allowed(enum node_state from, enum node_role role)
{
	unsigned set = 0;

	if (!state_ok(from) || !role_ok(role)) {
		return 0;
	}
	for (size_t i = 0; i < WF_NROWS; i++) {
		if (wf_table[i].from == from &&
		    (wf_table[i].roles & (unsigned)role) != 0) {
			set |= 1u << wf_table[i].action;
		}
	}
	return set;
}

int
node_right_check(enum node_right right, enum node_role role)
{
	if ((unsigned)right >= NODE_RIGHT__COUNT || !role_ok(role)) {
		return CM_EINVAL;
	}
	return (wf_right_roles[right] & (unsigned)role) != 0 ? 0 : CM_EDENIED;
}

/* ---- Merge of concurrent transitions ----------------------------------- */

/*
 * Design. Two halls acted on one case without seeing each other; each
 * replica must pick the same provisional state from (base, a, b) alone,
 * and the case is flagged for a supervisor. Three rules, in order:
 *
 * 1. Same road. If every way from base to b passes through a, the branch
 *    that stopped at a did nothing the other did not also do (as far as
 *    states can tell): b wins. This is dominance in the graph of
 *    wf_table rooted at base, and it is what makes merge(base, base, b)
 *    give b. Dominance is a partial order, so at most one of the two
 *    directions holds and the rule is symmetric.
 *
 * 2. Two outcomes. Approved, rejected and refused are decisions towards
 *    the applicant. Two different ones made concurrently contradict each
 *    other, and no decision may stand or be delivered without a
 *    supervisor seeing the other: back to in_review, which the approving
 *    or rejecting branch passed through.
 *
 * 3. Precedence (wf_merge_rank, higher wins), for branches that really
 *    diverged:
 *    - delivered: the result is in the applicant's hands; a fact, not a
 *      state anyone can take back by a transition.
 *    - withdrawn: the applicant's own wish, which ends the case before a
 *      decision; a decision made meanwhile must not be delivered.
 *    - supplement: the applicant holds a written notice asking for
 *      materials, and the counter must be able to record them when they
 *      come (supplement_received leaves supplement only).
 *    - suspended: an Art. 45 step (a hearing, an expert review) is under
 *      way; deciding without it could be unlawful.
 *    - in_review, accepted, accepted_gaps: plain processing. These pairs
 *      never diverge in this table (rule 1 settles them); the order just
 *      prefers the further state.
 *    - approved, rejected: a decision yields to a concurrent step that
 *      reopened the file (a supplement, an Art. 45 step), since a
 *      decision must rest on the complete file and the required steps.
 *    - refused: last. Mostly the other branch received the supplement
 *      whose absence the refusal (made without seeing it) stated; else
 *      it went on with the case. Either way the live state keeps every
 *      option open: refused can still be reached from it (supplement,
 *      refuse), while nothing leaves refused.
 *
 * A final state that wins (delivered, withdrawn) has no way out by the
 * table: the supervisor's resolution must be able to set a state.
 */

/* Precedence of rule 3: higher wins. All distinct, or rule 3 would
 * depend on the enum order. */
static const unsigned char wf_merge_rank[NODE_ST__COUNT] = {
    [NODE_ST_DELIVERED] = 10,
    [NODE_ST_WITHDRAWN] = 9,
    [NODE_ST_SUPPLEMENT] = 8,
    [NODE_ST_SUSPENDED] = 7,
    [NODE_ST_IN_REVIEW] = 6,
    [NODE_ST_ACCEPTED] = 5,
    [NODE_ST_ACCEPTED_GAPS] = 4,
    [NODE_ST_APPROVED] = 3,
    [NODE_ST_REJECTED] = 2,
    [NODE_ST_REFUSED] = 1,
};

/* The outcomes of rule 2. */
#define WF_OUTCOMES                                                            \
	((1u << NODE_ST_APPROVED) | (1u << NODE_ST_REJECTED) |                 \
	    (1u << NODE_ST_REFUSED))

/*
 * The states reachable from `from` (itself included) by rows of the
 * table, never entering `avoid`; 0 when from is avoid. Pass
 * NODE_ST__COUNT as avoid to avoid nothing. Roles do not matter here: a
 * branch may have been acted on by anyone.
 */
static unsigned
reach_avoiding(enum node_state from, enum node_state avoid)
{
	unsigned set;
	bool grew = true;

	if (from == avoid) {
		return 0;
	}
	set = 1u << from;
	while (grew) {
		grew = false;
		for (size_t i = 0; i < WF_NROWS; i++) {
			const struct wf_row *r = &wf_table[i];

			if ((set & (1u << r->from)) != 0 && r->to != avoid &&
			    (set & (1u << r->to)) == 0) {
				set |= 1u << r->to;
				grew = true;
			}
		}
	}
	return set;
}

/* Does every way from base to x pass through d (d != x)? */
static bool
dominates(enum node_state base, enum node_state d, enum node_state x)
{
	if (d == x || (reach_avoiding(base, NODE_ST__COUNT) & (1u << x)) == 0) {
		return false;
	}
	return (reach_avoiding(base, d) & (1u << x)) == 0;
}

static unsigned
count_bits(unsigned set)
{
	unsigned n = 0;

	for (; set != 0; set &= set - 1) {
		n++;
	}
	return n;
}

enum node_state
node_wf_merge_n(enum node_state base, const enum node_state *states, size_t n)
{
	unsigned set = 0;
	enum node_state best = base;

	/* A set: how many branches reached a state does not matter, nor
	 * their order. Values out of range are corrupt input and ignored. */
	for (size_t i = 0; states != NULL && i < n; i++) {
		if (state_ok(states[i])) {
			set |= 1u << states[i];
		}
	}
	if (set == 0) {
		return base;
	}

	/* Rule 1: drop every state that lies on the road to another one.
	 * Dominance is a strict partial order, so a state always remains. */
	if (state_ok(base)) {
		unsigned keep = set;

		for (unsigned x = 0; x < NODE_ST__COUNT; x++) {
			for (unsigned y = 0; y < NODE_ST__COUNT; y++) {
				if ((set & (1u << x)) != 0 &&
				    (set & (1u << y)) != 0 &&
				    dominates(base, (enum node_state)x,
				        (enum node_state)y)) {
					keep &= ~(1u << x);
				}
			}
		}
		set = keep;
	}
	assert(set != 0);

	/* Rule 2. Outcomes rank below every other state, so it applies
	 * only when nothing but outcomes is left. */
	if ((set & ~WF_OUTCOMES) == 0 && count_bits(set) >= 2) {
		return NODE_ST_IN_REVIEW;
	}

	/* Rule 3. */
	for (unsigned x = 0, top = 0; x < NODE_ST__COUNT; x++) {
		if ((set & (1u << x)) != 0 && wf_merge_rank[x] > top) {
			top = wf_merge_rank[x];
			best = (enum node_state)x;
		}
	}
	return best;
}

enum node_state
node_wf_merge(enum node_state base, enum node_state a, enum node_state b)
{
	const enum node_state two[2] = {a, b};

	return node_wf_merge_n(base, two, 2);
}

bool
node_wf_valid(enum node_state from, enum node_action action, enum node_state to)
{
	enum node_state check;

	if (!state_ok(from) || !state_ok(to)) {
		return false;
	}
	if (action == NODE_ACT_RESOLVE) {
		return true;
	}
	if (node_wf_check(from, action, NODE_ROLE_SUPERVISOR, &check) != 0 &&
	    node_wf_check(from, action, NODE_ROLE_CLERK, &check) != 0) {
		return false;
	}
	return check == to;
}
