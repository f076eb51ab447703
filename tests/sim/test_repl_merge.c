/*
 * test_repl_merge.c: the case as a function of the set of its ops
 * (replication/include/repl/merge.h): the same bytes in every order, the
 * rule table for concurrent transitions, conflicts flagged and settled,
 * last-writer-wins fields, ops that wait for their past, forbidden and
 * stale transitions, and lack of memory. One test shows why replication
 * does not fold ops with node_case_apply: its result depends on the
 * order the ops arrive in.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node/cases.h"
#include "repl/merge.h"
#include "repl_testlib.h"

/* Give op its identity, clock and context (up to three entries; NULL
 * origins end the list). */
static Ow__Op *
at(Ow__Op *op, const char *origin, uint64_t seq, uint64_t hlc, const char *o1,
    uint64_t s1, const char *o2, uint64_t s2, const char *o3, uint64_t s3)
{
	const char *os[3] = {o1, o2, o3};
	uint64_t ss[3] = {s1, s2, s3};
	int n = o1 == NULL ? 0 : o2 == NULL ? 1 : o3 == NULL ? 2 : 3;

	op->origin = (char *)(uintptr_t)origin;
	op->seq = seq;
	op->hlc = hlc << 16;
	op->context = n > 0 ? tl_vv(n, os, ss) : NULL;
	return op;
}

static uint8_t *
pack(const Ow__Case *c, size_t *len)
{
	uint8_t *buf;

	*len = ow__case__get_packed_size(c);
	buf = cm_malloc(*len + 1);
	assert_non_null(buf);
	ow__case__pack(c, buf);
	return buf;
}

static Ow__Case *
build(Ow__Op **ops, size_t n, struct repl_case_stats *st)
{
	Ow__Case *c = NULL;

	assert_rc(repl_case_build(ops, n, &c, st), 0);
	return c;
}

static void
free_ops(Ow__Op **ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tl_op_free(ops[i]);
	}
}

/*
 * Hall a requests a supplement and receives it (a round trip back to
 * accepted) while hall b, not seeing it, starts the review; b also edits
 * a field, a adds a note.
 */
static size_t
round_trip(Ow__Op **ops)
{
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_REQUEST_SUPPLEMENT), "a",
	    2, 20, "a", 1, NULL, 0, NULL, 0);
	ops[2] = at(tl_act(NODE_ST_SUPPLEMENT, NODE_ACT_SUPPLEMENT_RECEIVED),
	    "a", 3, 30, "a", 2, NULL, 0, NULL, 0);
	ops[3] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW), "b", 1, 25,
	    "a", 1, NULL, 0, NULL, 0);
	ops[4] =
	    at(tl_edit("k", "v1", "m2"), "b", 2, 26, "a", 1, "b", 1, NULL, 0);
	ops[5] = at(tl_note("seen"), "a", 4, 31, "a", 3, NULL, 0, NULL, 0);
	return 6;
}

/* Every one of the 720 orders gives the same bytes. */
static void
test_every_order_same_bytes(void **state)
{
	Ow__Op *ops[6], *perm[6];
	size_t n = round_trip(ops), len0 = 0;
	uint8_t *bytes0 = NULL;
	int idx[6] = {0, 1, 2, 3, 4, 5}, c[6] = {0};
	unsigned count = 0;
	size_t i = 0;

	(void)state;
	/* Every permutation, by Heap's algorithm (iterative). */

	for (;;) {
		Ow__Case *cs;
		uint8_t *bytes;
		size_t len;

		for (size_t k = 0; k < n; k++) {
			perm[k] = ops[idx[k]];
		}
		cs = build(perm, n, NULL);
		assert_non_null(cs);
		bytes = pack(cs, &len);
		if (bytes0 == NULL) {
			bytes0 = bytes;
			len0 = len;
			/* The round trip hid nothing: the two branches are
			 * concurrent, the case is flagged, and the state is
			 * the rule table's (in_review lies beyond accepted). */
			assert_true(cs->conflict);
			assert_int_equal(cs->state, NODE_ST_IN_REVIEW);
			assert_int_equal(cs->n_fields, 1);
			assert_string_equal(cs->fields[0]->value, "v1");
			assert_int_equal(cs->n_materials, 1);
			assert_int_equal(cs->n_notes, 1);
			assert_int_equal(cs->version->n_entries, 2);
			assert_string_equal(
			    cs->version->entries[0]->origin, "a");
			assert_int_equal(cs->version->entries[0]->seq, 4);
			assert_int_equal(cs->version->entries[1]->seq, 2);
		} else {
			assert_int_equal(len, len0);
			assert_memory_equal(bytes, bytes0, len);
			cm_free(bytes);
		}
		node_case_free(cs);
		count++;
		while (i < n && c[i] >= (int)i) {
			c[i] = 0;
			i++;
		}
		if (i >= n) {
			break;
		}
		{
			size_t j = i % 2 == 0 ? 0 : (size_t)c[i];
			int t = idx[j];

			idx[j] = idx[i];
			idx[i] = t;
		}
		c[i]++;
		i = 0;
	}
	assert_int_equal(count, 720);
	cm_free(bytes0);
	free_ops(ops, n);
}

/* node_case_apply, folding in arrival order, ends differently for two
 * orders of the same ops: in one the concurrent review is not even
 * flagged. This is why replication builds cases with repl_case_build. */
static void
test_node_case_apply_depends_on_order(void **state)
{
	Ow__Op *ops[6];
	size_t n = round_trip(ops);
	const int order1[] = {0, 1, 2, 3, 4, 5}, order2[] = {0, 3, 1, 2, 4, 5};
	Ow__Case *c1 = NULL, *c2 = NULL;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_rc(node_case_apply(&c1, ops[order1[i]]), 0);
		assert_rc(node_case_apply(&c2, ops[order2[i]]), 0);
	}
	assert_int_equal(c1->state, NODE_ST_IN_REVIEW);
	assert_false(c1->conflict); /* settled silently */
	assert_int_equal(c2->state, NODE_ST_ACCEPTED);
	assert_true(c2->conflict);
	node_case_free(c1);
	node_case_free(c2);
	free_ops(ops, n);
}

/* Two final branches (delivered at a, withdrawn at b) leave a flagged case
 * in a final provisional state, which no transition leaves; a
 * supervisor's resolve made where both were seen settles it in the state
 * chosen, the same in every order of the ops. */
static void
test_resolve_final(void **state)
{
	Ow__Op *ops[5], *perm[5];
	const int orders[3][5] = {
	    {0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {3, 4, 0, 2, 1}};
	Ow__Case *cs;
	uint8_t *first = NULL;
	size_t n = 0, len0 = 0;

	(void)state;
	ops[n++] = at(tl_create(NODE_ST_IN_REVIEW), "a", 1, 10, NULL, 0, NULL,
	    0, NULL, 0);
	ops[n++] = at(tl_act(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE), "a", 2, 20,
	    "a", 1, NULL, 0, NULL, 0);
	ops[n++] = at(tl_act(NODE_ST_APPROVED, NODE_ACT_DELIVER), "a", 3, 30,
	    "a", 2, NULL, 0, NULL, 0);
	ops[n++] = at(tl_act(NODE_ST_IN_REVIEW, NODE_ACT_WITHDRAW), "b", 1, 25,
	    "a", 1, NULL, 0, NULL, 0);
	cs = build(ops, n, NULL);
	assert_true(cs->conflict);
	assert_true(node_state_is_final((enum node_state)cs->state));
	node_case_free(cs);
	/* A resolve made at b before it saw a's branch does not settle. */
	ops[n] = at(tl_act(NODE_ST_WITHDRAWN, NODE_ACT_APPROVE), "b", 2, 26,
	    "a", 1, "b", 1, NULL, 0);
	ops[n]->act->action = NODE_ACT_RESOLVE;
	ops[n]->act->to_state = NODE_ST_IN_REVIEW;
	cs = build(ops, n + 1, NULL);
	assert_true(cs->conflict);
	node_case_free(cs);
	tl_op_free(ops[n]);
	/* The resolve after both: withdrawn, as the applicant asked. */
	ops[n] = at(tl_act((enum node_state)0, NODE_ACT_APPROVE), "c", 1, 40,
	    "a", 3, "b", 1, NULL, 0);
	ops[n]->act->action = NODE_ACT_RESOLVE;
	ops[n]->act->from_state = NODE_ST_DELIVERED;
	ops[n]->act->to_state = NODE_ST_WITHDRAWN;
	n++;
	for (int o = 0; o < 3; o++) {
		uint8_t *bytes;
		size_t len;

		for (size_t i = 0; i < n; i++) {
			perm[i] = ops[orders[o][i]];
		}
		cs = build(perm, n, NULL);
		assert_false(cs->conflict);
		assert_int_equal(cs->state, NODE_ST_WITHDRAWN);
		bytes = pack(cs, &len);
		if (first == NULL) {
			first = bytes;
			len0 = len;
		} else {
			assert_int_equal(len, len0);
			assert_memory_equal(bytes, first, len);
			cm_free(bytes);
		}
		node_case_free(cs);
	}
	cm_free(first);
	free_ops(ops, n);
}

/* A transition made where both branches were seen settles them. */
static void
test_resolution_supersedes(void **state)
{
	Ow__Op *ops[7];
	size_t n = round_trip(ops);
	Ow__Case *cs;

	(void)state;
	ops[n++] = at(tl_act(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE), "c", 1, 40,
	    "a", 4, "b", 2, NULL, 0);
	cs = build(ops, n, NULL);
	assert_false(cs->conflict);
	assert_int_equal(cs->state, NODE_ST_APPROVED);
	node_case_free(cs);
	/* A reassignment after both does not settle two transitions. */
	tl_op_free(ops[n - 1]);
	ops[n - 1] =
	    at(tl_assign("FT02", "x"), "c", 1, 40, "a", 4, "b", 2, NULL, 0);
	cs = build(ops, n, NULL);
	assert_true(cs->conflict);
	assert_int_equal(cs->state, NODE_ST_IN_REVIEW);
	assert_string_equal(cs->hall, "FT02");
	node_case_free(cs);
	free_ops(ops, n);
}

/* Concurrent transitions from one state: the rule table, flagged. */
static void
check_pair(enum node_state base, enum node_action x, enum node_action y,
    enum node_state want)
{
	Ow__Op *ops[4];
	struct repl_case_stats st;
	Ow__Case *cs;
	size_t n = 0;

	uint64_t last = 1; /* a's last op before the branches */

	ops[n++] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	if (base == NODE_ST_IN_REVIEW) {
		ops[n++] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW),
		    "a", 2, 20, "a", 1, NULL, 0, NULL, 0);
		last = 2;
	}
	ops[n++] =
	    at(tl_act(base, x), "a", last + 1, 30, "a", last, NULL, 0, NULL, 0);
	ops[n++] = at(tl_act(base, y), "b", 1, 31, "a", last, NULL, 0, NULL, 0);
	cs = build(ops, n, &st);
	assert_int_equal(st.anomalies, 0);
	assert_true(cs->conflict);
	assert_int_equal(cs->state, want);
	node_case_free(cs);
	free_ops(ops, n);
}

static void
test_rule_table(void **state)
{
	(void)state;
	/* Two decisions: neither stands. */
	check_pair(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE, NODE_ACT_REJECT,
	    NODE_ST_IN_REVIEW);
	/* A decision yields to a file found incomplete. */
	check_pair(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE,
	    NODE_ACT_REQUEST_SUPPLEMENT, NODE_ST_SUPPLEMENT);
	/* No decision skips an Art. 45 step. */
	check_pair(NODE_ST_IN_REVIEW, NODE_ACT_SUSPEND, NODE_ACT_APPROVE,
	    NODE_ST_SUSPENDED);
	/* The applicant's withdrawal wins over processing. */
	check_pair(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW, NODE_ACT_WITHDRAW,
	    NODE_ST_WITHDRAWN);
	/* The same transition twice: the state is plain, the flag still
	 * shows that two halls acted at once. */
	check_pair(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW,
	    NODE_ACT_START_REVIEW, NODE_ST_IN_REVIEW);
}

/* Reassignments: two to one target agree; two to different targets, or
 * one beside a transition, are flagged; last-writer-wins picks the
 * provisional assignee. */
static void
test_reassignments(void **state)
{
	Ow__Op *ops[4];
	Ow__Case *cs;

	(void)state;
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] =
	    at(tl_assign("FT02", "x"), "a", 2, 20, "a", 1, NULL, 0, NULL, 0);
	ops[2] =
	    at(tl_assign("FT02", "x"), "b", 1, 21, "a", 1, NULL, 0, NULL, 0);
	cs = build(ops, 3, NULL);
	assert_false(cs->conflict);
	node_case_free(cs);

	tl_op_free(ops[2]);
	ops[2] =
	    at(tl_assign("FT03", "y"), "b", 1, 21, "a", 1, NULL, 0, NULL, 0);
	cs = build(ops, 3, NULL);
	assert_true(cs->conflict);
	assert_string_equal(cs->hall, "FT03"); /* the later clock */
	assert_string_equal(cs->assignee, "y");
	node_case_free(cs);

	/* A reassignment after both settles them. */
	ops[3] =
	    at(tl_assign("FT03", "y"), "a", 3, 30, "a", 2, "b", 1, NULL, 0);
	cs = build(ops, 4, NULL);
	assert_false(cs->conflict);
	node_case_free(cs);

	/* A transition beside a reassignment (reassign vs act). */
	tl_op_free(ops[2]);
	ops[2] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW), "b", 1, 21,
	    "a", 1, NULL, 0, NULL, 0);
	cs = build(ops, 3, NULL);
	assert_true(cs->conflict);
	assert_int_equal(cs->state, NODE_ST_IN_REVIEW);
	node_case_free(cs);
	free_ops(ops, 4);
}

/*
 * A bad rating's remediation at two halls and an acknowledgement: each
 * step is the latest by (hlc, origin), in every order of the ops, and
 * node_case_apply (a node without replication) folds them to the same
 * remediation in any order too.
 */
static void
test_remedy_and_ack(void **state)
{
	Ow__Op *ops[7], *perm[7];
	Ow__Case *first = NULL;
	int idx[7] = {0, 1, 2, 3, 4, 5, 6}, c[7] = {0};
	size_t i = 0, n = 7;
	unsigned orders = 0;

	(void)state;
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] =
	    at(tl_assign("FT02", "x"), "a", 2, 20, "a", 1, NULL, 0, NULL, 0);
	ops[2] = at(tl_rate(1), "a", 3, 30, "a", 2, NULL, 0, NULL, 0);
	ops[3] = at(tl_remedy(1, "called at a", 0, 100), "a", 4, 40, "a", 3,
	    NULL, 0, NULL, 0);
	/* b records the callback again later (a correction), then the
	 * rectification; a the follow-up rating. */
	ops[4] = at(tl_remedy(1, "called at b", 0, 101), "b", 1, 41, "a", 3,
	    NULL, 0, NULL, 0);
	ops[5] = at(
	    tl_remedy(2, "fixed", 0, 105), "b", 2, 50, "a", 4, "b", 1, NULL, 0);
	ops[6] = at(tl_ack("x"), "b", 3, 60, "a", 2, "b", 2, NULL, 0);
	/* Heap's algorithm over the 5040 orders. */
	for (;;) {
		Ow__Case *cs, *inc = NULL;

		for (size_t k = 0; k < n; k++) {
			perm[k] = ops[idx[k]];
		}
		cs = build(perm, n, NULL);
		assert_non_null(cs->remedy);
		assert_string_equal(cs->remedy->callback, "called at b");
		assert_int_equal(cs->remedy->callback_day, 101);
		assert_string_equal(cs->remedy->outcome, "fixed");
		assert_int_equal(cs->remedy->rectified_day, 105);
		assert_string_equal(cs->ack_by, "x");
		assert_true(node_case_remedy_open(cs));
		if (first == NULL) {
			first = cs;
		} else {
			size_t l1, l2;
			uint8_t *b1 = pack(first, &l1), *b2 = pack(cs, &l2);

			assert_int_equal(l1, l2);
			assert_memory_equal(b1, b2, l1);
			cm_free(b1);
			cm_free(b2);
			node_case_free(cs);
		}
		/* node_case_apply, in the orders where the create is first. */
		if (perm[0] == ops[0]) {
			for (size_t k = 0; k < n; k++) {
				assert_rc(node_case_apply(&inc, perm[k]), 0);
			}
			assert_string_equal(
			    inc->remedy->callback, "called at b");
			assert_string_equal(inc->remedy->outcome, "fixed");
			assert_string_equal(inc->ack_by, "x");
			node_case_free(inc);
		}
		orders++;
		while (i < n && c[i] >= (int)i) {
			c[i] = 0;
			i++;
		}
		if (i >= n) {
			break;
		}
		if (i % 2 == 0) {
			int t = idx[0];
			idx[0] = idx[i];
			idx[i] = t;
		} else {
			int t = idx[c[i]];
			idx[c[i]] = idx[i];
			idx[i] = t;
		}
		c[i]++;
		i = 0;
	}
	assert_int_equal(orders, 5040);
	node_case_free(first);
	/* The follow-up rating closes the remediation. */
	{
		Ow__Op *f = at(tl_remedy(3, "", 4, 110), "a", 5, 70, "a", 4,
		    "b", 2, NULL, 0);
		Ow__Op *all[8];
		Ow__Case *cs;

		memcpy(all, ops, sizeof(ops));
		all[7] = f;
		cs = build(all, 8, NULL);
		assert_int_equal(cs->remedy->followup_level, 4);
		assert_false(node_case_remedy_open(cs));
		node_case_free(cs);
		tl_op_free(f);
	}
	free_ops(ops, n);
}

/* Last-writer-wins by (hlc, origin), whatever the order. */
static void
test_last_writer_wins(void **state)
{
	Ow__Op *ops[3], *rev[3];
	Ow__Case *c1, *c2;

	(void)state;
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] = at(
	    tl_edit("k", "from-a", NULL), "a", 2, 50, "a", 1, NULL, 0, NULL, 0);
	ops[2] = at(
	    tl_edit("k", "from-b", NULL), "b", 1, 50, "a", 1, NULL, 0, NULL, 0);
	rev[0] = ops[2];
	rev[1] = ops[1];
	rev[2] = ops[0];
	c1 = build(ops, 3, NULL);
	c2 = build(rev, 3, NULL);
	/* Same clock: the larger origin wins. */
	assert_string_equal(c1->fields[0]->value, "from-b");
	assert_string_equal(c2->fields[0]->value, "from-b");
	assert_false(c1->conflict); /* plain fields never flag */
	node_case_free(c1);
	node_case_free(c2);
	ops[1]->hlc = 51u << 16;
	c1 = build(rev, 3, NULL);
	assert_string_equal(c1->fields[0]->value, "from-a");
	node_case_free(c1);
	free_ops(ops, 3);
}

/* Ops wait for their past; a case waits for its create. */
static void
test_ops_wait_for_their_past(void **state)
{
	Ow__Op *ops[3];
	struct repl_case_stats st;
	Ow__Case *cs = (Ow__Case *)1;

	(void)state;
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] =
	    at(tl_edit("k", "v", NULL), "b", 1, 20, "a", 1, NULL, 0, NULL, 0);
	/* Made after a:2 (another op of the case, not here yet). */
	ops[2] = at(tl_note("later"), "b", 2, 30, "a", 2, "b", 1, NULL, 0);
	assert_rc(repl_case_build(&ops[1], 2, &cs, &st), 0);
	assert_null(cs);
	assert_int_equal(st.ready, 0);
	cs = build(ops, 3, &st);
	assert_int_equal(st.ready, 2);
	assert_int_equal(cs->n_notes, 0);
	assert_int_equal(cs->version->n_entries, 2);
	assert_int_equal(cs->version->entries[1]->seq, 1);
	node_case_free(cs);
	free_ops(ops, 3);
}

/* A transition the table forbids, and one made from a state its past
 * does not give: flagged, never applied silently. */
static void
test_forbidden_and_stale(void **state)
{
	Ow__Op *ops[2];
	struct repl_case_stats st;
	Ow__Case *cs;

	(void)state;
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_APPROVE), "a", 2, 20, "a",
	    1, NULL, 0, NULL, 0);
	ops[1]->act->to_state = NODE_ST_APPROVED; /* no such row */
	cs = build(ops, 2, &st);
	assert_true(cs->conflict);
	assert_int_equal(cs->state, NODE_ST_ACCEPTED);
	assert_int_equal(st.anomalies, 1);
	node_case_free(cs);
	tl_op_free(ops[1]);
	/* A real row, but from in_review while the case is accepted. */
	ops[1] = at(tl_act(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE), "a", 2, 20,
	    "a", 1, NULL, 0, NULL, 0);
	cs = build(ops, 2, &st);
	assert_true(cs->conflict);
	assert_int_equal(st.anomalies, 1);
	node_case_free(cs);
	free_ops(ops, 2);
}

/* Pauses follow the walk: a supplement during review opens one that the
 * supplement's receipt closes. */
static void
test_pauses(void **state)
{
	Ow__Op *ops[4];
	Ow__Case *cs;

	(void)state;
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW), "a", 2, 20,
	    "a", 1, NULL, 0, NULL, 0);
	ops[2] = at(tl_act(NODE_ST_IN_REVIEW, NODE_ACT_REQUEST_SUPPLEMENT), "a",
	    3, 30, "a", 2, NULL, 0, NULL, 0);
	ops[3] = at(tl_act(NODE_ST_SUPPLEMENT, NODE_ACT_SUPPLEMENT_RECEIVED),
	    "a", 4, 40, "a", 3, NULL, 0, NULL, 0);
	ops[3]->act->day = 20009;
	cs = build(ops, 4, NULL);
	assert_int_equal(cs->state, NODE_ST_ACCEPTED);
	assert_int_equal(cs->n_pauses, 1);
	assert_int_equal(cs->pauses[0]->from_day, 20001);
	assert_int_equal(cs->pauses[0]->to_day, 20009);
	node_case_free(cs);
	free_ops(ops, 4);
}

static void
test_repeats_and_bad_input(void **state)
{
	Ow__Op *ops[3];
	Ow__Case *cs = NULL;
	struct repl_case_stats st;

	(void)state;
	ops[0] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[1] = at(tl_note("n"), "a", 2, 20, "a", 1, NULL, 0, NULL, 0);
	ops[2] = ops[1];
	cs = build(ops, 3, &st);
	assert_int_equal(st.ops, 2);
	assert_int_equal(cs->n_notes, 1);
	node_case_free(cs);
	assert_rc(repl_case_build(ops, 0, &cs, NULL), CM_EINVAL);
	assert_rc(repl_case_build(NULL, 1, &cs, NULL), CM_EINVAL);
	free_ops(ops, 2);
}

/* Every allocation failure is CM_ENOMEM with nothing built or leaked. */
static void
test_out_of_memory(void **state)
{
	Ow__Op *ops[7];
	size_t n = round_trip(ops);
	unsigned long k;

	(void)state;
	ops[n++] = at(tl_act(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE), "c", 1, 40,
	    "a", 4, "b", 2, NULL, 0);
	for (k = 1; k < 10000; k++) {
		Ow__Case *cs = NULL;
		int rc;

		cm_alloc_fail_after(k, 0);
		rc = repl_case_build(ops, n, &cs, NULL);
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			assert_non_null(cs);
			node_case_free(cs);
			break;
		}
		assert_rc(rc, CM_ENOMEM);
		assert_null(cs);
	}
	assert_true(k > 10);
	free_ops(ops, n);
}

/* Build on base from the ops it does not cover, packed. */
static uint8_t *
pack_on(const struct repl_case_base *base, Ow__Op **ops, size_t n, size_t *len)
{
	Ow__Op *rest[16];
	size_t nr = 0;
	Ow__Case *c = NULL;
	uint8_t *buf;

	for (size_t i = 0; i < n; i++) {
		if (ops[i]->seq >
		    repl_vv_get(base->c->version, ops[i]->origin)) {
			rest[nr++] = ops[i];
		}
	}
	assert_rc(repl_case_build_on(base, rest, nr, &c, NULL), 0);
	assert_non_null(c);
	buf = pack(c, len);
	node_case_free(c);
	return buf;
}

/*
 * A case sealed by its creating hall: a hall that keeps only the base (the
 * case at the seal's context) and the ops beyond it builds the same bytes
 * as one that holds every op, in every order of those ops; a second seal
 * moves the base on; a seal of another hall has no effect; a transition
 * made at a hall that had not seen the base flags the case until a later
 * transition follows it.
 */
static void
test_seals(void **state)
{
	Ow__Op *ops[12];
	size_t n = 0, len, len1;
	uint8_t *full, *b;
	struct repl_case_base at1 = {0}, at2 = {0};
	Ow__Case *c;

	(void)state;
	ops[n++] = at(
	    tl_create(NODE_ST_ACCEPTED), "a", 1, 10, NULL, 0, NULL, 0, NULL, 0);
	ops[n++] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_START_REVIEW), "a", 2,
	    20, "a", 1, NULL, 0, NULL, 0);
	ops[n++] =
	    at(tl_edit("k", "v1", "m1"), "b", 1, 25, "a", 2, NULL, 0, NULL, 0);
	ops[n++] = at(tl_note("n1"), "a", 3, 30, "a", 2, "b", 1, NULL, 0);
	/* The seal: a's case version before it is {a: 3, b: 1}. */
	ops[n++] = at(tl_case_seal(), "a", 4, 35, "a", 3, "b", 1, NULL, 0);
	/* After it. */
	ops[n++] = at(tl_act(NODE_ST_IN_REVIEW, NODE_ACT_APPROVE), "b", 2, 40,
	    "a", 4, "b", 1, NULL, 0);
	ops[n++] =
	    at(tl_edit("k", "v2", "m2"), "a", 5, 45, "a", 4, "b", 2, NULL, 0);
	/* Late: c saw only the create, and edits with an older clock. */
	ops[n++] =
	    at(tl_edit("k", "v0", "m0"), "c", 1, 12, "a", 1, NULL, 0, NULL, 0);
	ops[n++] = at(tl_note("late"), "c", 2, 13, "a", 1, "c", 1, NULL, 0);

	c = build(ops, n, NULL);
	assert_false(c->conflict);
	assert_int_equal(c->state, NODE_ST_APPROVED);
	assert_string_equal(c->fields[0]->value, "v2");
	assert_int_equal(c->n_materials, 3);
	assert_int_equal(c->n_notes, 2);
	assert_int_equal(c->version->n_entries, 3);
	assert_int_equal(c->version->entries[0]->seq, 5);
	full = pack(c, &len);
	node_case_free(c);

	/* The seal point: the case at {a: 3, b: 1}. */
	assert_rc(repl_case_seal_point(NULL, ops, n, &at1, NULL), 0);
	assert_non_null(at1.c);
	assert_ptr_equal(at1.seal, ops[4]);
	assert_int_equal(at1.c->state, NODE_ST_IN_REVIEW);
	assert_int_equal(repl_vv_get(at1.c->version, "a"), 3);
	assert_int_equal(repl_vv_get(at1.c->version, "b"), 1);
	/* From the base: the same bytes, in both orders of the rest. */
	b = pack_on(&at1, ops, n, &len1);
	assert_int_equal(len1, len);
	assert_memory_equal(b, full, len);
	cm_free(b);
	{
		Ow__Op *rev[12];

		for (size_t i = 0; i < n; i++) {
			rev[i] = ops[n - 1 - i];
		}
		b = pack_on(&at1, rev, n, &len1);
		assert_memory_equal(b, full, len);
		cm_free(b);
	}
	/* Without a's later edit, c's late one (an older clock) loses to the
	 * base's: last writer wins on a base as from scratch. */
	{
		Ow__Op *some[12];
		size_t ns = 0;

		for (size_t i = 0; i < n; i++) {
			if (i != 6) {
				some[ns++] = ops[i];
			}
		}
		c = build(some, ns, NULL);
		assert_string_equal(c->fields[0]->value, "v1");
		assert_int_equal(c->n_notes, 2);
		assert_string_equal(c->notes[0]->text, "late");
		node_case_free(c);
		assert_rc(repl_case_seal_point(NULL, some, ns, &at2, NULL), 0);
		b = pack_on(&at2, some, ns, &len1);
		c = build(some, ns, NULL);
		{
			size_t lc;
			uint8_t *bc = pack(c, &lc);

			assert_int_equal(lc, len1);
			assert_memory_equal(bc, b, lc);
			cm_free(bc);
		}
		node_case_free(c);
		cm_free(b);
		node_case_free(at2.c);
		at2.c = NULL;
	}
	/* No seal beyond the base's. */
	{
		struct repl_case_base none = {0};
		Ow__Op *rest[12];
		size_t nr = 0;

		for (size_t i = 3; i < n; i++) {
			rest[nr++] = ops[i];
		}
		assert_rc(repl_case_seal_point(&at1, rest, nr, &none, NULL), 0);
		assert_null(none.c);
	}

	/* A seal of another hall does nothing but join the version. */
	ops[n++] = at(tl_case_seal(), "b", 3, 50, "a", 5, "b", 2, "c", 2);
	c = build(ops, n, NULL);
	assert_string_equal(c->fields[0]->value, "v2");
	assert_int_equal(repl_vv_get(c->version, "b"), 3);
	node_case_free(c);
	tl_op_free(ops[--n]);

	/* A second seal of a; then a late transition at d (it saw only
	 * the create): flagged, the state the base's, until a transition
	 * that follows it. */
	ops[n++] = at(tl_case_seal(), "a", 6, 55, "a", 5, "b", 2, "c", 2);
	ops[n++] = at(tl_act(NODE_ST_ACCEPTED, NODE_ACT_REQUEST_SUPPLEMENT),
	    "d", 1, 14, "a", 1, NULL, 0, NULL, 0);
	c = build(ops, n, NULL);
	assert_true(c->conflict);
	assert_int_equal(c->state, NODE_ST_APPROVED); /* the base's */
	cm_free(full);
	full = pack(c, &len);
	node_case_free(c);
	assert_rc(repl_case_seal_point(&at1, ops, n, &at2, NULL), 0);
	assert_ptr_equal(at2.seal, ops[9]);
	assert_int_equal(repl_vv_get(at2.c->version, "c"), 2);
	b = pack_on(&at2, ops, n, &len1);
	assert_int_equal(len1, len);
	assert_memory_equal(b, full, len);
	cm_free(b);
	b = pack_on(&at1, ops, n, &len1);
	assert_memory_equal(b, full, len);
	cm_free(b);
	/* A transition made where d's was seen settles it. */
	{
		Ow__Op *r = at(tl_act(NODE_ST_APPROVED, NODE_ACT_DELIVER), "a",
		    7, 60, "a", 6, "b", 2, "d", 1);

		ops[n++] = r;
		c = build(ops, n, NULL);
		assert_false(c->conflict);
		assert_int_equal(c->state, NODE_ST_DELIVERED);
		node_case_free(c);
		c = NULL;
		{
			Ow__Op *rest[16];
			size_t nr = 0;

			for (size_t i = 0; i < n; i++) {
				if (ops[i]->seq > repl_vv_get(at2.c->version,
				                      ops[i]->origin)) {
					rest[nr++] = ops[i];
				}
			}
			assert_rc(
			    repl_case_build_on(&at2, rest, nr, &c, NULL), 0);
			assert_false(c->conflict);
			node_case_free(c);
		}
	}
	cm_free(full);
	node_case_free(at1.c);
	node_case_free(at2.c);
	free_ops(ops, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_order_same_bytes),
	    cmocka_unit_test(test_node_case_apply_depends_on_order),
	    cmocka_unit_test(test_resolution_supersedes),
	    cmocka_unit_test(test_rule_table),
	    cmocka_unit_test(test_reassignments),
	    cmocka_unit_test(test_last_writer_wins),
	    cmocka_unit_test(test_ops_wait_for_their_past),
	    cmocka_unit_test(test_forbidden_and_stale),
	    cmocka_unit_test(test_resolve_final),
	    cmocka_unit_test(test_remedy_and_ack),
	    cmocka_unit_test(test_pauses),
	    cmocka_unit_test(test_repeats_and_bad_input),
	    cmocka_unit_test(test_out_of_memory),
	    cmocka_unit_test(test_seals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
