/*
 * test_workflow.c: the case workflow (node/workflow.h): every (state,
 * action, role) against a role matrix written out here from the rules in
 * docs/workflow.md, not from workflow.c; the facts of each state; the
 * names; the rights outside the table; and the merge of concurrent
 * transitions, exhaustively over what the table can reach.
 */
#include "testutil.h"

#include <string.h>

#include "common/error.h"
#include "node/workflow.h"

#define NSTATES  ((int)NODE_ST__COUNT)
#define NACTIONS ((int)NODE_ACT__COUNT)

static const enum node_role roles[] = {
    NODE_ROLE_CLERK,
    NODE_ROLE_SUPERVISOR,
    NODE_ROLE_OPS,
    NODE_ROLE_AUDITOR,
};

#define NROLES ((int)(sizeof(roles) / sizeof(roles[0])))

/* The wire names, by enum value: stored and sent, so spelled out here. */
static const char *const state_names[NODE_ST__COUNT] = {
    [NODE_ST_ACCEPTED] = "accepted",
    [NODE_ST_ACCEPTED_GAPS] = "accepted_gaps",
    [NODE_ST_SUPPLEMENT] = "supplement",
    [NODE_ST_REFUSED] = "refused",
    [NODE_ST_IN_REVIEW] = "in_review",
    [NODE_ST_SUSPENDED] = "suspended",
    [NODE_ST_APPROVED] = "approved",
    [NODE_ST_REJECTED] = "rejected",
    [NODE_ST_DELIVERED] = "delivered",
    [NODE_ST_WITHDRAWN] = "withdrawn",
};

static const char *const action_names[NODE_ACT__COUNT] = {
    [NODE_ACT_START_REVIEW] = "start_review",
    [NODE_ACT_REQUEST_SUPPLEMENT] = "request_supplement",
    [NODE_ACT_SUPPLEMENT_RECEIVED] = "supplement_received",
    [NODE_ACT_GAPS_FILLED] = "gaps_filled",
    [NODE_ACT_SUSPEND] = "suspend",
    [NODE_ACT_RESUME] = "resume",
    [NODE_ACT_APPROVE] = "approve",
    [NODE_ACT_REJECT] = "reject",
    [NODE_ACT_DELIVER] = "deliver",
    [NODE_ACT_WITHDRAW] = "withdraw",
    [NODE_ACT_REFUSE] = "refuse",
    [NODE_ACT_RESOLVE] = "resolve",
};

/*
 * The role matrix. A cell is "ROLES>to": C clerk, S supervisor, O ops, A
 * auditor may take the action and the case goes to `to`; an empty cell
 * (NULL) has no transition, and every role gets CM_ESTATE there. Ops and
 * auditors appear nowhere.
 */
/* clang-format off */
static const char *const matrix[NODE_ST__COUNT][NODE_ACT__COUNT] = {
    [NODE_ST_ACCEPTED] = {
        [NODE_ACT_START_REVIEW]        = "CS>in_review",
        [NODE_ACT_REQUEST_SUPPLEMENT]  = "CS>supplement",
        [NODE_ACT_WITHDRAW]            = "CS>withdrawn",
    },
    [NODE_ST_ACCEPTED_GAPS] = {
        [NODE_ACT_GAPS_FILLED]         = "CS>accepted",
        [NODE_ACT_REQUEST_SUPPLEMENT]  = "CS>supplement",
        [NODE_ACT_WITHDRAW]            = "CS>withdrawn",
    },
    [NODE_ST_SUPPLEMENT] = {
        [NODE_ACT_SUPPLEMENT_RECEIVED] = "CS>accepted",
        [NODE_ACT_REFUSE]              = "CS>refused",
        [NODE_ACT_WITHDRAW]            = "CS>withdrawn",
    },
    [NODE_ST_REFUSED] = {0},
    [NODE_ST_IN_REVIEW] = {
        [NODE_ACT_REQUEST_SUPPLEMENT]  = "CS>supplement",
        [NODE_ACT_SUSPEND]             = "S>suspended",
        [NODE_ACT_APPROVE]             = "S>approved",
        [NODE_ACT_REJECT]              = "S>rejected",
        [NODE_ACT_WITHDRAW]            = "CS>withdrawn",
    },
    [NODE_ST_SUSPENDED] = {
        [NODE_ACT_RESUME]              = "S>in_review",
        [NODE_ACT_WITHDRAW]            = "CS>withdrawn",
    },
    [NODE_ST_APPROVED] = {
        [NODE_ACT_DELIVER]             = "CS>delivered",
    },
    [NODE_ST_REJECTED] = {
        [NODE_ACT_DELIVER]             = "CS>delivered",
    },
    [NODE_ST_DELIVERED] = {0},
    [NODE_ST_WITHDRAWN] = {0},
};
/* clang-format on */

/* The states a case is created in (the CREATE right, not the table). */
static const enum node_state entry_states[] = {
    NODE_ST_ACCEPTED,
    NODE_ST_ACCEPTED_GAPS,
    NODE_ST_SUPPLEMENT,
    NODE_ST_REFUSED,
};

/* ---- Reading the matrix ------------------------------------------------ */

static enum node_state
state_by_name(const char *name)
{
	for (int s = 0; s < NSTATES; s++) {
		if (strcmp(state_names[s], name) == 0) {
			return (enum node_state)s;
		}
	}
	fail_msg("matrix names an unknown state '%s'", name);
	return NODE_ST__COUNT;
}

static char
role_letter(enum node_role r)
{
	switch (r) {
	case NODE_ROLE_CLERK:
		return 'C';
	case NODE_ROLE_SUPERVISOR:
		return 'S';
	case NODE_ROLE_OPS:
		return 'O';
	case NODE_ROLE_AUDITOR:
		return 'A';
	}
	return '?';
}

/* What node_wf_check must say for (s, a, r), and the target on 0. */
static int
expected(enum node_state s, enum node_action a, enum node_role r,
    enum node_state *to)
{
	const char *cell = matrix[s][a];
	const char *gt;

	if (cell == NULL) {
		return CM_ESTATE;
	}
	gt = strchr(cell, '>');
	assert_non_null(gt);
	*to = state_by_name(gt + 1);
	return memchr(cell, role_letter(r), (size_t)(gt - cell)) != NULL
	           ? 0
	           : CM_EDENIED;
}

/* The states reachable from s (itself included) by any role: worked out
 * from the matrix, independently of the merge's own walk. */
static unsigned
reach(enum node_state from)
{
	unsigned set = 1u << from;
	bool grew = true;

	while (grew) {
		grew = false;
		for (int s = 0; s < NSTATES; s++) {
			if ((set & (1u << s)) == 0) {
				continue;
			}
			for (int a = 0; a < NACTIONS; a++) {
				const char *cell = matrix[s][a];
				unsigned to;

				if (cell == NULL) {
					continue;
				}
				to = 1u << state_by_name(strchr(cell, '>') + 1);
				if ((set & to) == 0) {
					set |= to;
					grew = true;
				}
			}
		}
	}
	return set;
}

/* ---- The table --------------------------------------------------------- */

static void
test_role_matrix(void **state)
{
	int checked = 0;

	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		for (int a = 0; a < NACTIONS; a++) {
			for (int i = 0; i < NROLES; i++) {
				enum node_state want_to = NODE_ST__COUNT;
				enum node_state to = NODE_ST__COUNT;
				int want = expected((enum node_state)s,
				    (enum node_action)a, roles[i], &want_to);
				int rc = node_wf_check((enum node_state)s,
				    (enum node_action)a, roles[i], &to);

				if (rc != want) {
					fail_msg(
					    "%s by %s in %s: got %s, want %s",
					    action_names[a],
					    node_role_name(roles[i]),
					    state_names[s], cm_err_name(rc),
					    cm_err_name(want));
				}
				if (rc == 0) {
					assert_int_equal(to, want_to);
				} else {
					/* *to is written only on success. */
					assert_int_equal(to, NODE_ST__COUNT);
				}
				/* Asking without a target gives the same answer. */
				assert_rc(
				    node_wf_check((enum node_state)s,
				        (enum node_action)a, roles[i], NULL),
				    want);
				checked++;
			}
		}
	}
	assert_int_equal(checked, NSTATES * NACTIONS * NROLES);
}

static void
test_check_bad_arguments(void **state)
{
	enum node_state to = NODE_ST__COUNT;
	const unsigned bad_roles[] = {0, NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR,
	    NODE_ROLE_SUPERVISOR | NODE_ROLE_AUDITOR, 16, 0x80000000u, ~0u};

	(void)state;
	/* A role set, no role, or an unknown bit: a programmer's slip,
	 * even where the action would be allowed for each bit alone. */
	for (size_t i = 0; i < sizeof(bad_roles) / sizeof(bad_roles[0]); i++) {
		assert_rc(node_wf_check(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW,
		              (enum node_role)bad_roles[i], &to),
		    CM_EINVAL);
		assert_rc(node_wf_check(NODE_ST_REFUSED, NODE_ACT_START_REVIEW,
		              (enum node_role)bad_roles[i], &to),
		    CM_EINVAL);
	}
	assert_rc(node_wf_check(NODE_ST__COUNT, NODE_ACT_START_REVIEW,
	              NODE_ROLE_CLERK, &to),
	    CM_EINVAL);
	assert_rc(node_wf_check((enum node_state) - 1, NODE_ACT_START_REVIEW,
	              NODE_ROLE_CLERK, &to),
	    CM_EINVAL);
	assert_rc(node_wf_check(
	              NODE_ST_ACCEPTED, NODE_ACT__COUNT, NODE_ROLE_CLERK, &to),
	    CM_EINVAL);
	assert_rc(node_wf_check(NODE_ST_ACCEPTED, (enum node_action) - 1,
	              NODE_ROLE_CLERK, &to),
	    CM_EINVAL);
	assert_int_equal(to, NODE_ST__COUNT);
}

/* "Not now" and "not you" are told apart, for the desk's messages. */
static void
test_state_versus_denied(void **state)
{
	enum node_state to;

	(void)state;
	/* A clerk may not approve, but approval exists in review. */
	assert_rc(node_wf_check(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE,
	              NODE_ROLE_CLERK, &to),
	    CM_EDENIED);
	/* Nobody approves an accepted case: it is not in review yet. */
	assert_rc(node_wf_check(NODE_ST_ACCEPTED, NODE_ACT_APPROVE,
	              NODE_ROLE_SUPERVISOR, &to),
	    CM_ESTATE);
	/* Under 容缺受理 the review waits for the gaps. */
	assert_rc(node_wf_check(NODE_ST_ACCEPTED_GAPS, NODE_ACT_START_REVIEW,
	              NODE_ROLE_SUPERVISOR, &to),
	    CM_ESTATE);
	/* No withdrawal once decided: the decision is to be delivered. */
	assert_rc(node_wf_check(NODE_ST_APPROVED, NODE_ACT_WITHDRAW,
	              NODE_ROLE_CLERK, &to),
	    CM_ESTATE);
	/* The auditor is denied where a transition exists... */
	assert_rc(node_wf_check(NODE_ST_APPROVED, NODE_ACT_DELIVER,
	              NODE_ROLE_AUDITOR, &to),
	    CM_EDENIED);
	/* ... and so is ops. */
	assert_rc(node_wf_check(
	              NODE_ST_SUSPENDED, NODE_ACT_RESUME, NODE_ROLE_OPS, &to),
	    CM_EDENIED);
	assert_rc(node_wf_check(NODE_ST_SUSPENDED, NODE_ACT_RESUME,
	              NODE_ROLE_SUPERVISOR, &to),
	    0);
	assert_int_equal(to, NODE_ST_IN_REVIEW);
}

static void
test_allowed(void **state)
{
	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		for (int i = 0; i < NROLES; i++) {
			unsigned want = 0;

			for (int a = 0; a < NACTIONS; a++) {
				enum node_state to;

				if (expected((enum node_state)s,
				        (enum node_action)a, roles[i],
				        &to) == 0) {
					want |= 1u << a;
				}
			}
			assert_int_equal(
			    node_wf_allowed((enum node_state)s, roles[i]),
			    want);
		}
		assert_int_equal(
		    node_wf_allowed((enum node_state)s, NODE_ROLE_OPS), 0);
		assert_int_equal(
		    node_wf_allowed((enum node_state)s, NODE_ROLE_AUDITOR), 0);
		assert_int_equal(node_wf_allowed((enum node_state)s,
		                     (enum node_role)(NODE_ROLE_CLERK |
		                                      NODE_ROLE_SUPERVISOR)),
		    0);
	}
	assert_int_equal(node_wf_allowed(NODE_ST__COUNT, NODE_ROLE_CLERK), 0);
	/* The clerk's menu in review, literally. */
	assert_int_equal(node_wf_allowed(NODE_ST_IN_REVIEW, NODE_ROLE_CLERK),
	    (1u << NODE_ACT_REQUEST_SUPPLEMENT) | (1u << NODE_ACT_WITHDRAW));
}

/* Valid for whoever applies ops: the rows (any role at the counter), and
 * a resolve between any two states; nothing else. */
static void
test_valid(void **state)
{
	(void)state;
	for (int f = 0; f < NSTATES; f++) {
		for (int a = 0; a < NACTIONS; a++) {
			for (int t = 0; t < NSTATES; t++) {
				enum node_state to;
				bool row =
				    (node_wf_check((enum node_state)f,
				         (enum node_action)a,
				         NODE_ROLE_SUPERVISOR, &to) == 0 ||
				        node_wf_check((enum node_state)f,
				            (enum node_action)a,
				            NODE_ROLE_CLERK, &to) == 0) &&
				    to == (enum node_state)t;
				bool want = a == NODE_ACT_RESOLVE || row;

				if (node_wf_valid((enum node_state)f,
				        (enum node_action)a,
				        (enum node_state)t) != want) {
					fail_msg("valid(%s, %s, %s)",
					    state_names[f], action_names[a],
					    state_names[t]);
				}
			}
		}
		/* Not a row: no role may take it through the table. */
		assert_rc(node_wf_check((enum node_state)f, NODE_ACT_RESOLVE,
		              NODE_ROLE_SUPERVISOR, NULL),
		    CM_ESTATE);
	}
	assert_false(
	    node_wf_valid(NODE_ST__COUNT, NODE_ACT_RESOLVE, NODE_ST_ACCEPTED));
	assert_false(
	    node_wf_valid(NODE_ST_ACCEPTED, NODE_ACT_RESOLVE, NODE_ST__COUNT));
	assert_false(node_wf_valid(
	    NODE_ST_ACCEPTED, NODE_ACT__COUNT, NODE_ST_IN_REVIEW));
}

static void
test_reasons(void **state)
{
	(void)state;
	for (int a = 0; a < NACTIONS; a++) {
		bool want = a == NODE_ACT_REQUEST_SUPPLEMENT ||
		            a == NODE_ACT_SUSPEND || a == NODE_ACT_REJECT ||
		            a == NODE_ACT_WITHDRAW || a == NODE_ACT_REFUSE ||
		            a == NODE_ACT_RESOLVE;

		if (node_action_needs_reason((enum node_action)a) != want) {
			fail_msg("needs_reason(%s) should be %d",
			    action_names[a], want);
		}
	}
	assert_false(node_action_needs_reason(NODE_ACT__COUNT));
	assert_false(node_action_needs_reason((enum node_action) - 1));
}

static void
test_finals(void **state)
{
	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		bool want = s == NODE_ST_REFUSED || s == NODE_ST_WITHDRAWN ||
		            s == NODE_ST_DELIVERED;
		bool has_way_out = false;

		assert_int_equal(node_state_is_final((enum node_state)s), want);
		for (int a = 0; a < NACTIONS; a++) {
			for (int i = 0; i < NROLES; i++) {
				if (node_wf_check((enum node_state)s,
				        (enum node_action)a, roles[i],
				        NULL) == 0) {
					has_way_out = true;
				}
			}
		}
		/* Final means no way out; anything else has one. */
		assert_int_equal(has_way_out, !want);
		/* And every case can still end. */
		if (!want) {
			unsigned finals = (1u << NODE_ST_REFUSED) |
			                  (1u << NODE_ST_WITHDRAWN) |
			                  (1u << NODE_ST_DELIVERED);

			assert_true((reach((enum node_state)s) & finals) != 0);
		}
	}
	assert_false(node_state_is_final(NODE_ST__COUNT));
	/* Decided but not final: the only step left is delivery. */
	assert_int_equal(node_wf_allowed(NODE_ST_APPROVED, NODE_ROLE_CLERK),
	    1u << NODE_ACT_DELIVER);
	assert_int_equal(node_wf_allowed(NODE_ST_REJECTED, NODE_ROLE_CLERK),
	    1u << NODE_ACT_DELIVER);
}

/* Every state can occur: each is an entry state or follows from one. */
static void
test_no_dead_states(void **state)
{
	unsigned all = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(entry_states) / sizeof(entry_states[0]);
	     i++) {
		all |= reach(entry_states[i]);
	}
	assert_int_equal(all, (1u << NSTATES) - 1);
	/* accepted_gaps is entered only at intake. */
	for (int s = 0; s < NSTATES; s++) {
		if (s != NODE_ST_ACCEPTED_GAPS) {
			assert_false((reach((enum node_state)s) &
			                 (1u << NODE_ST_ACCEPTED_GAPS)) != 0);
		}
	}
}

static void
test_clocks(void **state)
{
	static const enum node_clock want[NODE_ST__COUNT] = {
	    [NODE_ST_ACCEPTED] = NODE_CLOCK_RUNNING,
	    [NODE_ST_ACCEPTED_GAPS] = NODE_CLOCK_RUNNING,
	    [NODE_ST_SUPPLEMENT] = NODE_CLOCK_PAUSED_SUPPLEMENT,
	    [NODE_ST_REFUSED] = NODE_CLOCK_STOPPED,
	    [NODE_ST_IN_REVIEW] = NODE_CLOCK_RUNNING,
	    [NODE_ST_SUSPENDED] = NODE_CLOCK_PAUSED_ART45,
	    [NODE_ST_APPROVED] = NODE_CLOCK_STOPPED,
	    [NODE_ST_REJECTED] = NODE_CLOCK_STOPPED,
	    [NODE_ST_DELIVERED] = NODE_CLOCK_STOPPED,
	    [NODE_ST_WITHDRAWN] = NODE_CLOCK_STOPPED,
	};

	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		assert_int_equal(node_state_clock((enum node_state)s), want[s]);
		/* Final states are stopped too. */
		if (node_state_is_final((enum node_state)s)) {
			assert_int_equal(want[s], NODE_CLOCK_STOPPED);
		}
	}
	assert_int_equal(node_state_clock(NODE_ST__COUNT), NODE_CLOCK_STOPPED);
}

/* ---- Names ------------------------------------------------------------- */

static void
test_state_names(void **state)
{
	enum node_state out;

	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		assert_string_equal(
		    node_state_name((enum node_state)s), state_names[s]);
		out = NODE_ST__COUNT;
		assert_rc(node_state_parse(state_names[s], &out), 0);
		assert_int_equal(out, s);
	}
	assert_string_equal(node_state_name(NODE_ST__COUNT), "unknown");
	assert_string_equal(node_state_name((enum node_state) - 1), "unknown");
	out = NODE_ST__COUNT;
	assert_rc(node_state_parse("unknown", &out), CM_ENOTFOUND);
	assert_rc(node_state_parse("", &out), CM_ENOTFOUND);
	assert_rc(node_state_parse("Accepted", &out), CM_ENOTFOUND);
	assert_rc(node_state_parse("accepted ", &out), CM_ENOTFOUND);
	assert_rc(node_state_parse("in-review", &out), CM_ENOTFOUND);
	assert_int_equal(out, NODE_ST__COUNT);
	assert_rc(node_state_parse(NULL, &out), CM_EINVAL);
	assert_rc(node_state_parse("accepted", NULL), CM_EINVAL);
}

static void
test_action_names(void **state)
{
	enum node_action out;

	(void)state;
	for (int a = 0; a < NACTIONS; a++) {
		assert_string_equal(
		    node_action_name((enum node_action)a), action_names[a]);
		out = NODE_ACT__COUNT;
		assert_rc(node_action_parse(action_names[a], &out), 0);
		assert_int_equal(out, a);
	}
	assert_string_equal(node_action_name(NODE_ACT__COUNT), "unknown");
	out = NODE_ACT__COUNT;
	assert_rc(node_action_parse("unknown", &out), CM_ENOTFOUND);
	assert_rc(node_action_parse("approve!", &out), CM_ENOTFOUND);
	assert_rc(node_action_parse("APPROVE", &out), CM_ENOTFOUND);
	assert_int_equal(out, NODE_ACT__COUNT);
	assert_rc(node_action_parse(NULL, &out), CM_EINVAL);
	assert_rc(node_action_parse("approve", NULL), CM_EINVAL);
}

static void
test_role_names(void **state)
{
	static const char *const want[] = {
	    "clerk", "supervisor", "ops", "auditor"};
	enum node_role out;

	(void)state;
	for (int i = 0; i < NROLES; i++) {
		assert_string_equal(node_role_name(roles[i]), want[i]);
		out = (enum node_role)0;
		assert_rc(node_role_parse(want[i], &out), 0);
		assert_int_equal(out, roles[i]);
	}
	assert_string_equal(node_role_name((enum node_role)0), "unknown");
	assert_string_equal(node_role_name((enum node_role)(
	                        NODE_ROLE_CLERK | NODE_ROLE_SUPERVISOR)),
	    "unknown");
	out = (enum node_role)0;
	assert_rc(node_role_parse("admin", &out), CM_ENOTFOUND);
	assert_rc(node_role_parse("Clerk", &out), CM_ENOTFOUND);
	assert_rc(node_role_parse("unknown", &out), CM_ENOTFOUND);
	assert_int_equal(out, 0);
	assert_rc(node_role_parse(NULL, &out), CM_EINVAL);
	assert_rc(node_role_parse("ops", NULL), CM_EINVAL);
}

/* Without a catalogue bound (the C locale), gettext gives the msgids. */
static void
test_labels(void **state)
{
	static const char *const want[NODE_ST__COUNT] = {
	    [NODE_ST_ACCEPTED] = "accepted",
	    [NODE_ST_ACCEPTED_GAPS] = "accepted with materials to follow",
	    [NODE_ST_SUPPLEMENT] = "waiting for supplementary materials",
	    [NODE_ST_REFUSED] = "not accepted",
	    [NODE_ST_IN_REVIEW] = "under review",
	    [NODE_ST_SUSPENDED] = "suspended (time not counted)",
	    [NODE_ST_APPROVED] = "approved",
	    [NODE_ST_REJECTED] = "not approved",
	    [NODE_ST_DELIVERED] = "result delivered",
	    [NODE_ST_WITHDRAWN] = "withdrawn",
	};

	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		assert_string_equal(
		    node_state_label((enum node_state)s), want[s]);
		/* Labels tell every state apart. */
		for (int t = 0; t < s; t++) {
			assert_string_not_equal(want[s], want[t]);
		}
	}
	assert_string_equal(node_state_label(NODE_ST__COUNT), "unknown state");
}

/* ---- Rights outside the table ------------------------------------------ */

static void
test_rights(void **state)
{
	/* C clerk, S supervisor, O ops, A auditor. */
	static const char *const want[NODE_RIGHT__COUNT] = {
	    [NODE_RIGHT_CREATE] = "CS",
	    [NODE_RIGHT_EDIT] = "CS",
	    [NODE_RIGHT_NOTE] = "CS",
	    [NODE_RIGHT_REASSIGN] = "S",
	    [NODE_RIGHT_EXTEND] = "S",
	    [NODE_RIGHT_RATE] = "CS",
	    [NODE_RIGHT_READ] = "CSA",
	    [NODE_RIGHT_USERS] = "O",
	    [NODE_RIGHT_CATALOG] = "SO",
	    [NODE_RIGHT_PEERS] = "O",
	    [NODE_RIGHT_CALENDAR] = "O",
	    [NODE_RIGHT_BACKUP] = "O",
	    [NODE_RIGHT_REPORT] = "SA",
	    [NODE_RIGHT_REMEDY] = "S",
	};

	(void)state;
	for (int r = 0; r < (int)NODE_RIGHT__COUNT; r++) {
		for (int i = 0; i < NROLES; i++) {
			int rc = node_right_check((enum node_right)r, roles[i]);
			int w = strchr(want[r], role_letter(roles[i])) != NULL
			            ? 0
			            : CM_EDENIED;

			if (rc != w) {
				fail_msg("right %d for %s: got %s", r,
				    node_role_name(roles[i]), cm_err_name(rc));
			}
		}
		assert_rc(
		    node_right_check((enum node_right)r,
		        (enum node_role)(NODE_ROLE_OPS | NODE_ROLE_AUDITOR)),
		    CM_EINVAL);
		assert_rc(
		    node_right_check((enum node_right)r, (enum node_role)0),
		    CM_EINVAL);
	}
	assert_rc(
	    node_right_check(NODE_RIGHT__COUNT, NODE_ROLE_OPS), CM_EINVAL);
}

/* ---- Merge ------------------------------------------------------------- */

static bool
is_outcome(enum node_state s)
{
	return s == NODE_ST_APPROVED || s == NODE_ST_REJECTED ||
	       s == NODE_ST_REFUSED;
}

/*
 * Over every base and every pair of states the table can reach from it:
 * commutative, idempotent, a branch that stayed at base loses, the result
 * is one of the branches (or in_review for two outcomes, which the
 * deciding branch passed through) and is reachable from base.
 */
static void
test_merge_properties(void **state)
{
	int triples = 0;

	(void)state;
	for (int base = 0; base < NSTATES; base++) {
		unsigned r = reach((enum node_state)base);

		for (int a = 0; a < NSTATES; a++) {
			for (int b = 0; b < NSTATES; b++) {
				enum node_state ab, ba;

				if ((r & (1u << a)) == 0 ||
				    (r & (1u << b)) == 0) {
					continue;
				}
				triples++;
				ab = node_wf_merge((enum node_state)base,
				    (enum node_state)a, (enum node_state)b);
				ba = node_wf_merge((enum node_state)base,
				    (enum node_state)b, (enum node_state)a);
				if (ab != ba) {
					fail_msg("merge(%s, %s, %s) = %s but "
					         "swapped = %s",
					    state_names[base], state_names[a],
					    state_names[b], state_names[ab],
					    state_names[ba]);
				}
				if (a == b) {
					assert_int_equal(ab, a);
				}
				if (a == base) {
					assert_int_equal(ab, b);
				}
				if ((int)ab != a && (int)ab != b) {
					assert_int_equal(ab, NODE_ST_IN_REVIEW);
					assert_true(
					    is_outcome((enum node_state)a));
					assert_true(
					    is_outcome((enum node_state)b));
				}
				assert_true((r & (1u << ab)) != 0);
			}
		}
	}
	/* Printed so that a change of the table shows up in the log. */
	print_message("merge: %d reachable (base, a, b) triples\n", triples);
	assert_true(triples > 100);
}

/* Commutative and idempotent even for triples the table cannot reach
 * (a corrupt or foreign log must not make replicas disagree). */
static void
test_merge_all_triples(void **state)
{
	(void)state;
	for (int base = 0; base < NSTATES; base++) {
		for (int a = 0; a < NSTATES; a++) {
			assert_int_equal(
			    node_wf_merge((enum node_state)base,
			        (enum node_state)a, (enum node_state)a),
			    a);
			for (int b = 0; b < NSTATES; b++) {
				assert_int_equal(
				    node_wf_merge((enum node_state)base,
				        (enum node_state)a, (enum node_state)b),
				    node_wf_merge((enum node_state)base,
				        (enum node_state)b,
				        (enum node_state)a));
			}
		}
	}
}

struct merge_case {
	enum node_state base, a, b, want;
};

#define ST(x) NODE_ST_##x

static void
test_merge_literals(void **state)
{
	/* clang-format off */
	static const struct merge_case cases[] = {
	    /* Rule 2: two decisions, back to review. */
	    {ST(IN_REVIEW), ST(APPROVED), ST(REJECTED), ST(IN_REVIEW)},
	    {ST(SUPPLEMENT), ST(REFUSED), ST(APPROVED), ST(IN_REVIEW)},
	    {ST(ACCEPTED), ST(REFUSED), ST(REJECTED), ST(IN_REVIEW)},
	    /* Rule 1: one branch went further along the same road. */
	    {ST(ACCEPTED), ST(IN_REVIEW), ST(APPROVED), ST(APPROVED)},
	    {ST(ACCEPTED_GAPS), ST(ACCEPTED), ST(APPROVED), ST(APPROVED)},
	    {ST(IN_REVIEW), ST(SUPPLEMENT), ST(ACCEPTED), ST(ACCEPTED)},
	    {ST(ACCEPTED), ST(SUPPLEMENT), ST(REFUSED), ST(REFUSED)},
	    {ST(SUSPENDED), ST(IN_REVIEW), ST(APPROVED), ST(APPROVED)},
	    {ST(APPROVED), ST(APPROVED), ST(DELIVERED), ST(DELIVERED)},
	    /* Rule 3: delivered is a fact. */
	    {ST(IN_REVIEW), ST(WITHDRAWN), ST(DELIVERED), ST(DELIVERED)},
	    {ST(IN_REVIEW), ST(REJECTED), ST(DELIVERED), ST(DELIVERED)},
	    /* The applicant's withdrawal beats anything undelivered. */
	    {ST(IN_REVIEW), ST(APPROVED), ST(WITHDRAWN), ST(WITHDRAWN)},
	    {ST(SUPPLEMENT), ST(REFUSED), ST(WITHDRAWN), ST(WITHDRAWN)},
	    {ST(SUSPENDED), ST(IN_REVIEW), ST(WITHDRAWN), ST(WITHDRAWN)},
	    /* The applicant holds a one-time notice. */
	    {ST(ACCEPTED), ST(IN_REVIEW), ST(SUPPLEMENT), ST(SUPPLEMENT)},
	    {ST(IN_REVIEW), ST(SUSPENDED), ST(SUPPLEMENT), ST(SUPPLEMENT)},
	    {ST(IN_REVIEW), ST(APPROVED), ST(SUPPLEMENT), ST(SUPPLEMENT)},
	    {ST(ACCEPTED_GAPS), ST(ACCEPTED), ST(SUPPLEMENT), ST(SUPPLEMENT)},
	    /* An Art. 45 step is not skipped by a decision. */
	    {ST(IN_REVIEW), ST(SUSPENDED), ST(APPROVED), ST(SUSPENDED)},
	    {ST(IN_REVIEW), ST(SUSPENDED), ST(REJECTED), ST(SUSPENDED)},
	    /* A decision yields to a supplement round trip. */
	    {ST(IN_REVIEW), ST(ACCEPTED), ST(APPROVED), ST(ACCEPTED)},
	    /* A refusal yields when the supplement came. */
	    {ST(SUPPLEMENT), ST(REFUSED), ST(ACCEPTED), ST(ACCEPTED)},
	    {ST(SUPPLEMENT), ST(REFUSED), ST(SUSPENDED), ST(SUSPENDED)},
	    {ST(ACCEPTED), ST(REFUSED), ST(IN_REVIEW), ST(IN_REVIEW)},
	    /* Same state by two roads: nothing to choose (the caller flags
	     * by the transitions). */
	    {ST(IN_REVIEW), ST(DELIVERED), ST(DELIVERED), ST(DELIVERED)},
	};
	/* clang-format on */

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct merge_case *c = &cases[i];
		enum node_state got = node_wf_merge(c->base, c->a, c->b);

		if (got != c->want) {
			fail_msg("merge(%s, %s, %s) = %s, want %s",
			    state_names[c->base], state_names[c->a],
			    state_names[c->b], node_state_name(got),
			    state_names[c->want]);
		}
	}
}

static void
test_merge_bad_values(void **state)
{
	const enum node_state bad = (enum node_state)77;

	(void)state;
	assert_int_equal(
	    node_wf_merge(ST(IN_REVIEW), bad, ST(APPROVED)), ST(APPROVED));
	assert_int_equal(
	    node_wf_merge(ST(IN_REVIEW), ST(APPROVED), bad), ST(APPROVED));
	assert_int_equal(node_wf_merge(ST(IN_REVIEW), bad, bad), ST(IN_REVIEW));
	assert_int_equal(
	    node_wf_merge(ST(IN_REVIEW), bad, (enum node_state) - 3),
	    ST(IN_REVIEW));
	/* A corrupt base: rule 1 cannot apply, rules 2 and 3 still do. */
	assert_int_equal(
	    node_wf_merge(bad, ST(APPROVED), ST(REJECTED)), ST(IN_REVIEW));
	assert_int_equal(
	    node_wf_merge(bad, ST(APPROVED), ST(WITHDRAWN)), ST(WITHDRAWN));
	assert_int_equal(node_wf_merge_n(ST(ACCEPTED), NULL, 3), ST(ACCEPTED));
}

/*
 * Three or more branches: pairwise folding depends on the order (rule 2
 * against rule 1), node_wf_merge_n does not.
 */
static void
test_merge_n(void **state)
{
	static const int perms[6][3] = {
	    {0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	int sets = 0;

	(void)state;
	for (int base = 0; base < NSTATES; base++) {
		unsigned r = reach((enum node_state)base);

		assert_int_equal(
		    node_wf_merge_n((enum node_state)base, NULL, 0), base);
		for (int x = 0; x < NSTATES; x++) {
			enum node_state one[1] = {(enum node_state)x};

			assert_int_equal(
			    node_wf_merge_n((enum node_state)base, one, 1), x);
			for (int y = 0; y < NSTATES; y++) {
				enum node_state two[2] = {
				    (enum node_state)x, (enum node_state)y};
				enum node_state rep[4] = {(enum node_state)x,
				    (enum node_state)y, (enum node_state)x,
				    (enum node_state)x};
				enum node_state m = node_wf_merge(
				    (enum node_state)base, two[0], two[1]);

				assert_int_equal(
				    node_wf_merge_n(
				        (enum node_state)base, two, 2),
				    m);
				assert_int_equal(
				    node_wf_merge_n(
				        (enum node_state)base, rep, 4),
				    m);
				for (int z = 0; z < NSTATES; z++) {
					const int v[3] = {x, y, z};
					enum node_state first = NODE_ST__COUNT;

					if ((r & (1u << x)) == 0 ||
					    (r & (1u << y)) == 0 ||
					    (r & (1u << z)) == 0) {
						continue;
					}
					sets++;
					for (int p = 0; p < 6; p++) {
						enum node_state three[3];
						enum node_state got;

						for (int k = 0; k < 3; k++) {
							three[k] =
							    (enum node_state)
							        v[perms[p][k]];
						}
						got = node_wf_merge_n(
						    (enum node_state)base,
						    three, 3);
						if (p == 0) {
							first = got;
						}
						assert_int_equal(got, first);
						assert_true(
						    (r & (1u << got)) != 0);
					}
				}
			}
		}
	}
	print_message("merge_n: %d reachable (base, a, b, c) sets x 6 "
	              "orders\n",
	    sets);

	/* The counterexample for folding, and what merge_n makes of it:
	 * from accepted, one hall asked for a supplement, one asked and
	 * then refused, one started the review. */
	{
		enum node_state s = ST(SUPPLEMENT), f = ST(REFUSED),
		                v = ST(IN_REVIEW);
		enum node_state all[3] = {s, f, v};

		assert_int_equal(node_wf_merge(ST(ACCEPTED),
		                     node_wf_merge(ST(ACCEPTED), s, f), v),
		    ST(IN_REVIEW));
		assert_int_equal(node_wf_merge(ST(ACCEPTED), s,
		                     node_wf_merge(ST(ACCEPTED), f, v)),
		    ST(SUPPLEMENT));
		/* supplement lies on the road to refused and drops out;
		 * refused then yields to in_review (rule 3). */
		assert_int_equal(
		    node_wf_merge_n(ST(ACCEPTED), all, 3), ST(IN_REVIEW));
	}
	/* Two decisions and the review they came from. */
	{
		enum node_state all[3] = {
		    ST(APPROVED), ST(IN_REVIEW), ST(REJECTED)};

		assert_int_equal(
		    node_wf_merge_n(ST(ACCEPTED), all, 3), ST(IN_REVIEW));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_role_matrix),
	    cmocka_unit_test(test_check_bad_arguments),
	    cmocka_unit_test(test_state_versus_denied),
	    cmocka_unit_test(test_allowed),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_finals),
	    cmocka_unit_test(test_no_dead_states),
	    cmocka_unit_test(test_clocks),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_action_names),
	    cmocka_unit_test(test_role_names),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_rights),
	    cmocka_unit_test(test_merge_properties),
	    cmocka_unit_test(test_merge_all_triples),
	    cmocka_unit_test(test_merge_literals),
	    cmocka_unit_test(test_merge_bad_values),
	    cmocka_unit_test(test_merge_n),
	};

	return cmocka_run_group_tests_name("workflow", tests, NULL, NULL);
}
