/*
 * test_queue.c: the walk-in queue (node/queue.h): numbering, the order of
 * calling, the per-ticket state rules, counts, the day roll, persistence
 * through protobuf Ticket, the day's limit and allocation failures.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node/queue.h"
#include "onewindow.pb-c.h"

#define T0 1767225600 /* 2026-01-01 00:00:00 UTC */

/* Issue a ticket and return a copy of its number (the pointer into the
 * queue is valid only until the next change). */
static void
issue(struct node_queue *q, enum node_ticket_cat cat, bool priority,
    int64_t now, char number[NODE_TICKET_NO_MAX])
{
	struct node_ticket *t = NULL;

	assert_rc(node_queue_issue(q, cat, priority, now, &t), 0);
	assert_non_null(t);
	snprintf(number, NODE_TICKET_NO_MAX, "%s", t->number);
}

static const struct node_ticket *
find(const struct node_queue *q, const char *number)
{
	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->t[i].number, number) == 0) {
			return &q->t[i];
		}
	}
	fail_msg("ticket %s not in the queue", number);
	return NULL;
}

/* ------------------------------------------------------------ issue */

static void
test_numbering(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	const char *want[] = {
	    "A001", "A002", "B001", "V001", "V002", "A003", "B002"};
	struct {
		enum node_ticket_cat cat;
		bool priority;
	} in[] = {
	    {NODE_TICKET_INDIVIDUAL, false},
	    {NODE_TICKET_INDIVIDUAL, false},
	    {NODE_TICKET_ENTERPRISE, false},
	    {NODE_TICKET_INDIVIDUAL, true},
	    {NODE_TICKET_ENTERPRISE, true},
	    {NODE_TICKET_INDIVIDUAL, false},
	    {NODE_TICKET_ENTERPRISE, false},
	};

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_rc(node_queue_issue(&q, in[i].cat, in[i].priority,
		              T0 + (int64_t)i, &t),
		    0);
		assert_string_equal(t->number, want[i]);
		assert_int_equal(t->seq, i + 1);
		assert_int_equal(t->cat, in[i].cat);
		assert_int_equal(t->priority, in[i].priority);
		assert_int_equal(t->state, NODE_TICKET_WAITING);
		assert_int_equal(t->issued_at, T0 + (int64_t)i);
		assert_int_equal(t->called_at, 0);
		assert_string_equal(t->window, "");
	}
	assert_int_equal(q.n, 7);
	assert_int_equal(node_queue_waiting(&q), 7);

	/* Bad category, and out may be NULL. */
	assert_rc(node_queue_issue(&q, (enum node_ticket_cat)2, false, T0, &t),
	    CM_EINVAL);
	assert_rc(
	    node_queue_issue(&q, (enum node_ticket_cat) - 1, false, T0, &t),
	    CM_EINVAL);
	assert_rc(node_queue_issue(NULL, NODE_TICKET_INDIVIDUAL, false, T0, &t),
	    CM_EINVAL);
	assert_rc(
	    node_queue_issue(&q, NODE_TICKET_ENTERPRISE, false, T0, NULL), 0);
	assert_string_equal(q.t[q.n - 1].number, "B003");
	node_queue_free(&q);
}

/* Three digits, then four past 999. */
static void
test_numbering_four_digits(void **state)
{
	struct node_queue q;
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	for (int i = 1; i <= 1001; i++) {
		issue(&q, NODE_TICKET_ENTERPRISE, false, T0, no);
		if (i == 99) {
			assert_string_equal(no, "B099");
		} else if (i == 999) {
			assert_string_equal(no, "B999");
		}
	}
	assert_string_equal(no, "B1001");
	assert_string_equal(q.t[999].number, "B1000");
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no);
	assert_string_equal(no, "A001");
	node_queue_free(&q);
}

static void
test_cat_names(void **state)
{
	enum node_ticket_cat c = NODE_TICKET_ENTERPRISE;

	(void)state;
	assert_string_equal(
	    node_ticket_cat_name(NODE_TICKET_INDIVIDUAL), "individual");
	assert_string_equal(
	    node_ticket_cat_name(NODE_TICKET_ENTERPRISE), "enterprise");
	assert_string_equal(
	    node_ticket_cat_name((enum node_ticket_cat)7), "unknown");
	assert_rc(node_ticket_cat_parse("individual", &c), 0);
	assert_int_equal(c, NODE_TICKET_INDIVIDUAL);
	assert_rc(node_ticket_cat_parse("enterprise", &c), 0);
	assert_int_equal(c, NODE_TICKET_ENTERPRISE);
	assert_rc(node_ticket_cat_parse("Enterprise", &c), CM_ENOTFOUND);
	assert_rc(node_ticket_cat_parse("", &c), CM_ENOTFOUND);
	assert_rc(node_ticket_cat_parse("unknown", &c), CM_ENOTFOUND);
	assert_rc(node_ticket_cat_parse(NULL, &c), CM_EINVAL);
	assert_rc(node_ticket_cat_parse("individual", NULL), CM_EINVAL);
	assert_int_equal(c, NODE_TICKET_ENTERPRISE);
}

static void
test_window_valid(void **state)
{
	(void)state;
	assert_true(node_queue_window_valid("1"));
	assert_true(node_queue_window_valid("B-12"));
	assert_true(node_queue_window_valid("abcdefghijklmn9"));   /* 15 */
	assert_false(node_queue_window_valid("abcdefghijklmn90")); /* 16 */
	assert_false(node_queue_window_valid(""));
	assert_false(node_queue_window_valid(NULL));
	assert_false(node_queue_window_valid("a b"));
	assert_false(node_queue_window_valid("3_1"));
	assert_false(node_queue_window_valid("窗口3"));
	assert_false(node_queue_window_valid("3\n"));
}

/* ------------------------------------------------------------ next */

static void
test_priority_first_then_fifo(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0 + 0, no);  /* A001 */
	issue(&q, NODE_TICKET_ENTERPRISE, false, T0 + 10, no); /* B001 */
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0 + 20, no); /* A002 */
	issue(&q, NODE_TICKET_INDIVIDUAL, true, T0 + 30, no);  /* V001 */
	issue(&q, NODE_TICKET_ENTERPRISE, true, T0 + 40, no);  /* V002 */

	/* Priority first, in issue order, whatever the requested category:
	 * an enterprise window takes the individual V001 first. */
	assert_rc(
	    node_queue_next(&q, "1", NODE_TICKET_ENTERPRISE, T0 + 50, &t), 0);
	assert_string_equal(t->number, "V001");
	assert_int_equal(t->state, NODE_TICKET_CALLED);
	assert_string_equal(t->window, "1");
	assert_int_equal(t->called_at, T0 + 50);
	assert_rc(
	    node_queue_next(&q, "2", NODE_TICKET_INDIVIDUAL, T0 + 51, &t), 0);
	assert_string_equal(t->number, "V002");

	/* Then the oldest of the category asked for. */
	assert_rc(
	    node_queue_next(&q, "3", NODE_TICKET_INDIVIDUAL, T0 + 52, &t), 0);
	assert_string_equal(t->number, "A001");
	/* Any category: B001 (seq 2) waited longer than A002 (seq 3). */
	assert_rc(node_queue_next(&q, "4", -1, T0 + 53, &t), 0);
	assert_string_equal(t->number, "B001");
	assert_rc(node_queue_next(&q, "5", NODE_TICKET_ENTERPRISE, T0 + 54, &t),
	    CM_ENOTFOUND);
	assert_rc(node_queue_next(&q, "5", -1, T0 + 54, &t), 0);
	assert_string_equal(t->number, "A002");
	assert_int_equal(node_queue_waiting(&q), 0);
	assert_rc(node_queue_next(&q, "6", -1, T0 + 55, &t), CM_ENOTFOUND);

	/* Bad arguments. */
	assert_rc(node_queue_next(&q, "", -1, T0, &t), CM_EINVAL);
	assert_rc(node_queue_next(&q, NULL, -1, T0, &t), CM_EINVAL);
	assert_rc(node_queue_next(&q, "a b", -1, T0, &t), CM_EINVAL);
	assert_rc(
	    node_queue_next(&q, "abcdefghijklmnop", -1, T0, &t), CM_EINVAL);
	assert_rc(node_queue_next(&q, "7", 2, T0, &t), CM_EINVAL);
	assert_rc(node_queue_next(NULL, "7", -1, T0, &t), CM_EINVAL);
	node_queue_free(&q);
}

/* A priority ticket issued after ordinary ones still goes first; among
 * ordinary tickets, strict issue order. */
static void
test_fifo_long(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX], w[8];

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	for (int i = 0; i < 50; i++) {
		issue(&q, NODE_TICKET_INDIVIDUAL, false, T0 + i, no);
	}
	issue(&q, NODE_TICKET_INDIVIDUAL, true, T0 + 60, no);
	assert_string_equal(no, "V001");
	assert_rc(node_queue_next(&q, "1", NODE_TICKET_INDIVIDUAL, T0, &t), 0);
	assert_string_equal(t->number, "V001");
	for (int i = 1; i <= 50; i++) {
		char want[NODE_TICKET_NO_MAX];

		snprintf(w, sizeof(w), "w%d", i);
		snprintf(want, sizeof(want), "A%03d", i);
		assert_rc(node_queue_next(&q, w, -1, T0 + 100, &t), 0);
		assert_string_equal(t->number, want);
	}
	node_queue_free(&q);
}

static void
test_next_idempotent(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no);
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no);
	issue(&q, NODE_TICKET_ENTERPRISE, false, T0, no);

	assert_rc(node_queue_next(&q, "3", -1, T0 + 10, &t), 0);
	assert_string_equal(t->number, "A001");
	/* A double press, even asking for another category, gets A001
	 * back, unchanged. */
	assert_rc(node_queue_next(&q, "3", -1, T0 + 11, &t), 0);
	assert_string_equal(t->number, "A001");
	assert_int_equal(t->called_at, T0 + 10);
	assert_rc(
	    node_queue_next(&q, "3", NODE_TICKET_ENTERPRISE, T0 + 12, &t), 0);
	assert_string_equal(t->number, "A001");
	assert_int_equal(node_queue_waiting(&q), 2);

	/* Another window gets the next one. */
	assert_rc(node_queue_next(&q, "4", -1, T0 + 13, &t), 0);
	assert_string_equal(t->number, "A002");

	/* Once served (or skipped), the window moves on. */
	assert_rc(
	    node_queue_link(&q, "A001", "FT01-20260101-0001", T0 + 20, &t), 0);
	assert_rc(node_queue_next(&q, "3", -1, T0 + 21, &t), 0);
	assert_string_equal(t->number, "B001");
	assert_rc(node_queue_skip(&q, "B001", &t), 0);
	assert_rc(node_queue_next(&q, "3", -1, T0 + 22, &t), CM_ENOTFOUND);

	/* B001 transferred to window 4, which still has A002: the earlier
	 * issued of the two (A002) comes back first, then B001, and neither
	 * loses its called_at. */
	assert_rc(node_queue_recall(&q, "B001", "5", T0 + 23, &t), 0);
	assert_rc(node_queue_transfer(&q, "B001", "4", &t), 0);
	assert_rc(node_queue_next(&q, "4", -1, T0 + 24, &t), 0);
	assert_string_equal(t->number, "A002");
	assert_int_equal(t->called_at, T0 + 13);
	assert_rc(
	    node_queue_link(&q, "A002", "FT01-20260101-0002", T0 + 25, &t), 0);
	assert_rc(node_queue_next(&q, "4", -1, T0 + 26, &t), 0);
	assert_string_equal(t->number, "B001");
	assert_int_equal(t->called_at, T0 + 23);
	node_queue_free(&q);
}

/* ------------------------------------------------------------ states */

static void
test_skip_recall_transfer_link(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL, *keep;
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no); /* A001 */
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no); /* A002 */

	/* Nothing works on a waiting ticket but next. */
	assert_rc(node_queue_skip(&q, "A001", &t), CM_ESTATE);
	assert_rc(node_queue_recall(&q, "A001", "1", T0, &t), CM_ESTATE);
	assert_rc(node_queue_transfer(&q, "A001", "1", &t), CM_ESTATE);
	assert_rc(node_queue_link(&q, "A001", "FT01-20260101-0001", T0, &t),
	    CM_ESTATE);
	/* Unknown tickets, bad arguments (checked before the lookup). */
	assert_rc(node_queue_skip(&q, "A999", &t), CM_ENOTFOUND);
	assert_rc(node_queue_recall(&q, "C001", "1", T0, &t), CM_ENOTFOUND);
	assert_rc(node_queue_transfer(&q, "A999", "1", &t), CM_ENOTFOUND);
	assert_rc(node_queue_link(&q, "A999", "FT01-20260101-0001", T0, &t),
	    CM_ENOTFOUND);
	assert_rc(node_queue_skip(&q, NULL, &t), CM_EINVAL);
	assert_rc(node_queue_recall(&q, "A999", "", T0, &t), CM_EINVAL);
	assert_rc(node_queue_recall(&q, "A001", NULL, T0, &t), CM_EINVAL);
	assert_rc(node_queue_transfer(&q, "A001", "x y", &t), CM_EINVAL);
	assert_rc(node_queue_transfer(&q, "A001", NULL, &t), CM_EINVAL);
	assert_rc(node_queue_link(&q, "A001", "", T0, &t), CM_EINVAL);
	assert_rc(node_queue_link(&q, "A001", NULL, T0, &t), CM_EINVAL);

	/* Called, then skipped: the window is kept as a record. */
	assert_rc(node_queue_next(&q, "1", -1, T0 + 10, &t), 0);
	assert_string_equal(t->number, "A001");
	keep = NULL;
	assert_rc(node_queue_skip(&q, "A001", &keep), 0);
	assert_ptr_equal(keep, t);
	assert_int_equal(t->state, NODE_TICKET_SKIPPED);
	assert_string_equal(t->window, "1");
	assert_rc(node_queue_skip(&q, "A001", NULL), CM_ESTATE);
	assert_rc(node_queue_transfer(&q, "A001", "2", NULL), CM_ESTATE);
	assert_rc(node_queue_link(&q, "A001", "FT01-20260101-0001", T0, NULL),
	    CM_ESTATE);
	assert_int_equal(node_queue_waiting(&q), 1);

	/* Recalled to another window: called again, called_at updated. */
	assert_rc(node_queue_recall(&q, "A001", "2", T0 + 100, &t), 0);
	assert_int_equal(t->state, NODE_TICKET_CALLED);
	assert_string_equal(t->window, "2");
	assert_int_equal(t->called_at, T0 + 100);
	/* A called ticket may be recalled too (announced again). */
	assert_rc(node_queue_recall(&q, "A001", "2", T0 + 110, &t), 0);
	assert_int_equal(t->called_at, T0 + 110);

	/* Transfer: still called, at the other window, called_at kept. */
	assert_rc(node_queue_transfer(&q, "A001", "B-7", &t), 0);
	assert_int_equal(t->state, NODE_TICKET_CALLED);
	assert_string_equal(t->window, "B-7");
	assert_int_equal(t->called_at, T0 + 110);
	assert_rc(node_queue_transfer(&q, "A001", "B-7", &t), 0);
	assert_string_equal(t->window, "B-7");

	/* Link: served, with the case. Bad case ids first. */
	assert_rc(
	    node_queue_link(&q, "A001", "case-1", T0 + 200, &t), CM_EINVAL);
	assert_rc(
	    node_queue_link(&q, "A001", "FT01-20260230-0001", T0 + 200, &t),
	    CM_EINVAL);
	assert_rc(node_queue_link(&q, "A001",
	              "FT01-20260101-0000000000000000000000001", T0 + 200, &t),
	    CM_EINVAL);
	assert_int_equal(t->state, NODE_TICKET_CALLED);
	assert_rc(
	    node_queue_link(&q, "A001", "FT01-20260101-0007", T0 + 200, &t), 0);
	assert_int_equal(t->state, NODE_TICKET_SERVED);
	assert_string_equal(t->case_id, "FT01-20260101-0007");
	assert_int_equal(t->served_at, T0 + 200);
	assert_string_equal(t->window, "B-7");

	/* Served is final. */
	assert_rc(node_queue_link(&q, "A001", "FT01-20260101-0008", T0, &t),
	    CM_ESTATE);
	assert_rc(node_queue_skip(&q, "A001", &t), CM_ESTATE);
	assert_rc(node_queue_recall(&q, "A001", "1", T0, &t), CM_ESTATE);
	assert_rc(node_queue_transfer(&q, "A001", "1", &t), CM_ESTATE);
	assert_string_equal(find(&q, "A001")->case_id, "FT01-20260101-0007");

	/* Skipped, recalled, linked: the usual late applicant. */
	assert_rc(node_queue_next(&q, "1", -1, T0 + 300, &t), 0);
	assert_string_equal(t->number, "A002");
	assert_rc(node_queue_skip(&q, "A002", &t), 0);
	assert_rc(node_queue_recall(&q, "A002", "1", T0 + 400, &t), 0);
	assert_rc(
	    node_queue_link(&q, "A002", "FT01-20260101-0008", T0 + 410, &t), 0);
	assert_int_equal(t->state, NODE_TICKET_SERVED);
	node_queue_free(&q);
}

/* ------------------------------------------------------------ counts */

static void
test_ahead(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	assert_int_equal(node_queue_ahead(&q, "A001"), 0);
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no); /* A001 */
	issue(&q, NODE_TICKET_ENTERPRISE, false, T0, no); /* B001 */
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no); /* A002 */
	issue(&q, NODE_TICKET_ENTERPRISE, true, T0, no);  /* V001 */
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no); /* A003 */
	issue(&q, NODE_TICKET_INDIVIDUAL, true, T0, no);  /* V002 */
	assert_int_equal(node_queue_waiting(&q), 6);

	assert_int_equal(node_queue_ahead(&q, "V001"), 0);
	assert_int_equal(node_queue_ahead(&q, "V002"), 1);
	/* Both priority tickets, then the own category issued before. */
	assert_int_equal(node_queue_ahead(&q, "A001"), 2);
	assert_int_equal(node_queue_ahead(&q, "A002"), 3);
	assert_int_equal(node_queue_ahead(&q, "A003"), 4);
	assert_int_equal(node_queue_ahead(&q, "B001"), 2);
	assert_int_equal(node_queue_ahead(&q, "A999"), 0);
	assert_int_equal(node_queue_ahead(&q, NULL), 0);

	/* The count agrees with the order next() calls in, for a window of
	 * the ticket's category. */
	assert_rc(node_queue_next(&q, "1", NODE_TICKET_INDIVIDUAL, T0, &t), 0);
	assert_string_equal(t->number, "V001");
	assert_int_equal(node_queue_ahead(&q, "A003"), 3);
	assert_int_equal(node_queue_ahead(&q, "V002"), 0);
	assert_int_equal(node_queue_ahead(&q, "V001"), 0); /* not waiting */
	assert_rc(node_queue_skip(&q, "V001", &t), 0);
	assert_int_equal(node_queue_ahead(&q, "A003"), 3);
	assert_int_equal(node_queue_waiting(&q), 5);
	node_queue_free(&q);
}

static void
test_longest_wait(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	assert_int_equal(node_queue_longest_wait(&q, T0), 0);
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0 + 100, no);
	issue(&q, NODE_TICKET_ENTERPRISE, false, T0 + 200, no);
	issue(&q, NODE_TICKET_INDIVIDUAL, true, T0 + 250, no);
	assert_int_equal(node_queue_longest_wait(&q, T0 + 300), 200);
	assert_rc(node_queue_next(&q, "1", -1, T0 + 300, &t), 0); /* V001 */
	assert_int_equal(node_queue_longest_wait(&q, T0 + 300), 200);
	assert_rc(node_queue_next(&q, "2", -1, T0 + 300, &t), 0); /* A001 */
	assert_int_equal(node_queue_longest_wait(&q, T0 + 300), 100);
	/* A clock that went back: no negative wait. */
	assert_int_equal(node_queue_longest_wait(&q, T0), 0);
	assert_rc(node_queue_next(&q, "3", -1, T0 + 300, &t), 0); /* B001 */
	assert_int_equal(node_queue_longest_wait(&q, T0 + 5000), 0);
	node_queue_free(&q);
}

static void
test_roll(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX];
	int32_t d1 = ow_day("2026-01-01"), d2 = ow_day("2026-01-02");

	(void)state;
	node_queue_init(&q, d1);
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, no);
	issue(&q, NODE_TICKET_ENTERPRISE, true, T0, no);
	assert_rc(node_queue_next(&q, "1", -1, T0, &t), 0);

	/* The same day again changes nothing. */
	node_queue_roll(&q, d1);
	assert_int_equal(q.n, 2);
	assert_int_equal(q.day, d1);

	node_queue_roll(&q, d2);
	assert_int_equal(q.day, d2);
	assert_int_equal(q.n, 0);
	assert_int_equal(node_queue_waiting(&q), 0);
	assert_int_equal(node_queue_longest_wait(&q, T0 + 86400), 0);
	assert_rc(node_queue_next(&q, "1", -1, T0 + 86400, &t), CM_ENOTFOUND);
	assert_rc(node_queue_skip(&q, "V001", &t), CM_ENOTFOUND);
	issue(&q, NODE_TICKET_ENTERPRISE, true, T0 + 86400, no);
	assert_string_equal(no, "V001");
	issue(&q, NODE_TICKET_INDIVIDUAL, false, T0 + 86400, no);
	assert_string_equal(no, "A001");
	assert_int_equal(q.t[1].seq, 2);
	node_queue_free(&q);
}

/* ------------------------------------------------------------ persistence */

static void
assert_ticket_equal(const struct node_ticket *a, const struct node_ticket *b)
{
	assert_string_equal(a->number, b->number);
	assert_int_equal(a->cat, b->cat);
	assert_int_equal(a->priority, b->priority);
	assert_int_equal(a->state, b->state);
	assert_string_equal(a->window, b->window);
	assert_int_equal(a->issued_at, b->issued_at);
	assert_int_equal(a->called_at, b->called_at);
	assert_int_equal(a->served_at, b->served_at);
	assert_string_equal(a->case_id, b->case_id);
	assert_int_equal(a->seq, b->seq);
}

/* A queue with a ticket in every state, in both categories and lanes. */
static void
busy_queue(struct node_queue *q, int32_t day)
{
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX];

	node_queue_init(q, day);
	issue(q, NODE_TICKET_INDIVIDUAL, false, T0 + 1, no);    /* A001 */
	issue(q, NODE_TICKET_ENTERPRISE, false, T0 + 2, no);    /* B001 */
	issue(q, NODE_TICKET_ENTERPRISE, true, T0 + 3, no);     /* V001 */
	issue(q, NODE_TICKET_INDIVIDUAL, false, T0 + 4, no);    /* A002 */
	issue(q, NODE_TICKET_INDIVIDUAL, true, T0 + 5, no);     /* V002 */
	issue(q, NODE_TICKET_ENTERPRISE, false, T0 + 6, no);    /* B002 */
	issue(q, NODE_TICKET_INDIVIDUAL, false, T0 + 7, no);    /* A003 */
	assert_rc(node_queue_next(q, "1", -1, T0 + 10, &t), 0); /* V001 */
	assert_rc(
	    node_queue_link(q, "V001", "FT01-20260101-0001", T0 + 20, &t), 0);
	assert_rc(node_queue_next(q, "2", -1, T0 + 11, &t), 0); /* V002 */
	assert_rc(node_queue_skip(q, "V002", &t), 0);
	assert_rc(node_queue_next(q, "3", -1, T0 + 12, &t), 0); /* A001 */
	assert_rc(node_queue_transfer(q, "A001", "B-12", &t), 0);
	assert_rc(node_queue_next(q, "4", NODE_TICKET_ENTERPRISE, T0 + 13, &t),
	    0); /* B001 */
}

static void
encode_all(const struct node_queue *q, uint8_t **bufs, size_t *lens)
{
	for (size_t i = 0; i < q->n; i++) {
		bufs[i] = NULL;
		assert_rc(
		    node_ticket_encode(&q->t[i], q->day, &bufs[i], &lens[i]),
		    0);
		assert_non_null(bufs[i]);
	}
}

static void
test_persistence_round_trip(void **state)
{
	struct node_queue q, r;
	uint8_t *bufs[16];
	size_t lens[16];
	int32_t day = ow_day("2026-01-01");
	struct node_ticket *t = NULL;
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	busy_queue(&q, day);
	assert_int_equal(q.n, 7);
	encode_all(&q, bufs, lens);

	/* Restored backwards: the store's order is not issue order. */
	node_queue_init(&r, day);
	for (size_t i = q.n; i-- > 0;) {
		assert_rc(node_queue_restore(&r, bufs[i], lens[i]), 0);
	}
	assert_int_equal(r.n, q.n);
	for (size_t i = 0; i < q.n; i++) {
		assert_ticket_equal(&r.t[i], &q.t[i]);
	}

	/* Twice: still one copy each. */
	for (size_t i = 0; i < q.n; i++) {
		assert_rc(node_queue_restore(&r, bufs[i], lens[i]), 0);
	}
	assert_int_equal(r.n, q.n);
	for (size_t i = 0; i < q.n; i++) {
		assert_ticket_equal(&r.t[i], &q.t[i]);
	}

	/* The restored queue behaves like the original. */
	assert_int_equal(node_queue_waiting(&r), node_queue_waiting(&q));
	assert_int_equal(node_queue_ahead(&r, "A003"), 1);
	assert_int_equal(node_queue_longest_wait(&r, T0 + 100),
	    node_queue_longest_wait(&q, T0 + 100));
	assert_rc(node_queue_next(&r, "B-12", -1, T0 + 50, &t), 0);
	assert_string_equal(t->number, "A001"); /* transferred there */
	assert_rc(node_queue_next(&r, "4", -1, T0 + 50, &t), 0);
	assert_string_equal(t->number, "B001"); /* still called there */
	assert_rc(node_queue_recall(&r, "V002", "5", T0 + 60, &t), 0);

	/* Numbering continues after the highest restored. */
	issue(&r, NODE_TICKET_INDIVIDUAL, false, T0 + 70, no);
	assert_string_equal(no, "A004");
	assert_int_equal(r.t[r.n - 1].seq, 8);
	issue(&r, NODE_TICKET_ENTERPRISE, true, T0 + 70, no);
	assert_string_equal(no, "V003");
	issue(&r, NODE_TICKET_ENTERPRISE, false, T0 + 70, no);
	assert_string_equal(no, "B003");

	/* A later version of a ticket replaces the one there. */
	assert_rc(
	    node_queue_link(&q, "A001", "FT01-20260101-0002", T0 + 80, &t), 0);
	cm_free(bufs[0]);
	assert_rc(node_ticket_encode(t, day, &bufs[0], &lens[0]), 0);
	assert_rc(node_queue_restore(&r, bufs[0], lens[0]), 0);
	assert_int_equal(r.n, 10);
	assert_ticket_equal(find(&r, "A001"), t);

	for (size_t i = 0; i < q.n; i++) {
		cm_free(bufs[i]);
	}
	node_queue_free(&q);
	node_queue_free(&r);
}

/* Only part of the tickets come back (a store that lost the tail of the
 * day is not our case, but gaps must not break numbering). */
static void
test_restore_gaps(void **state)
{
	struct node_queue q, r;
	uint8_t *bufs[16];
	size_t lens[16];
	int32_t day = ow_day("2026-01-01");
	char no[NODE_TICKET_NO_MAX];

	(void)state;
	busy_queue(&q, day);
	encode_all(&q, bufs, lens);
	node_queue_init(&r, day);
	assert_rc(node_queue_restore(&r, bufs[4], lens[4]), 0); /* V002 */
	assert_rc(node_queue_restore(&r, bufs[1], lens[1]), 0); /* B001 */
	assert_int_equal(r.n, 2);
	assert_string_equal(r.t[0].number, "B001");
	assert_string_equal(r.t[1].number, "V002");
	issue(&r, NODE_TICKET_INDIVIDUAL, false, T0, no);
	assert_string_equal(no, "A001");
	assert_int_equal(r.t[2].seq, 6);
	issue(&r, NODE_TICKET_INDIVIDUAL, true, T0, no);
	assert_string_equal(no, "V003");
	/* A stored ticket that contradicts the fresh ones: same number,
	 * other seq; same seq, other number. */
	assert_rc(node_queue_restore(&r, bufs[0], lens[0]), CM_EPROTO);
	assert_rc(node_queue_restore(&r, bufs[5], lens[5]), CM_EPROTO);
	assert_int_equal(r.n, 4);
	for (size_t i = 0; i < q.n; i++) {
		cm_free(bufs[i]);
	}
	node_queue_free(&q);
	node_queue_free(&r);
}

static void
test_restore_other_day(void **state)
{
	struct node_queue q, r;
	uint8_t *bufs[16];
	size_t lens[16];

	(void)state;
	busy_queue(&q, ow_day("2026-01-01"));
	encode_all(&q, bufs, lens);
	node_queue_init(&r, ow_day("2026-01-02"));
	for (size_t i = 0; i < q.n; i++) {
		assert_rc(node_queue_restore(&r, bufs[i], lens[i]), 0);
	}
	assert_int_equal(r.n, 0);
	assert_int_equal(r.next_seq, 1);
	for (size_t i = 0; i < q.n; i++) {
		cm_free(bufs[i]);
	}
	node_queue_free(&q);
	node_queue_free(&r);
}

/* Pack m (a valid ticket, then damaged by the caller) and restore it. */
static int
restore_msg(struct node_queue *q, const Ow__Ticket *m)
{
	uint8_t buf[256];
	size_t len = ow__ticket__get_packed_size(m);

	assert_true(len <= sizeof(buf));
	ow__ticket__pack(m, buf);
	return node_queue_restore(q, buf, len);
}

static void
good_msg(Ow__Ticket *m, int32_t day)
{
	static char number[] = "A005", cat[] = "individual", window[] = "3";

	ow__ticket__init(m);
	m->number = number;
	m->category = cat;
	m->state = NODE_TICKET_CALLED;
	m->window = window;
	m->issued_at = T0;
	m->called_at = T0 + 1;
	m->day = day;
	m->seq = 9;
}

static void
test_restore_malformed(void **state)
{
	struct node_queue q;
	int32_t day = ow_day("2026-01-01");
	Ow__Ticket m;
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	char s_b005[] = "B005", s_v005[] = "V005", s_a05[] = "A05",
	     s_a0005[] = "A0005", s_x005[] = "X005", s_a000[] = "A000",
	     s_long[] = "A000000000005", s_ent[] = "enterprise",
	     s_cat[] = "Individual", s_empty[] = "",
	     s_win16[] = "abcdefghijklmnop", s_winbad[] = "3 4",
	     s_case[] = "FT01-20260101-0001", s_casebad[] = "no case",
	     s_a10001[] = "A10001";

	(void)state;
	node_queue_init(&q, day);
	good_msg(&m, day);
	assert_rc(restore_msg(&q, &m), 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.next_no[0], 6);
	assert_int_equal(q.next_seq, 10);
	node_queue_free(&q);

#define BAD(field, value)                                                      \
	do {                                                                   \
		node_queue_init(&q, day);                                      \
		good_msg(&m, day);                                             \
		m.field = value;                                               \
		assert_rc(restore_msg(&q, &m), CM_EPROTO);                     \
		assert_int_equal(q.n, 0);                                      \
		assert_int_equal(q.next_seq, 1);                               \
		node_queue_free(&q);                                           \
	} while (0)

	BAD(number, s_b005);  /* prefix disagrees with the category */
	BAD(number, s_v005);  /* V without priority */
	BAD(number, s_a05);   /* not canonical */
	BAD(number, s_a0005); /* not canonical */
	BAD(number, s_x005);
	BAD(number, s_a000);
	BAD(number, s_long);
	BAD(number, s_a10001); /* past the day's limit */
	BAD(number, s_empty);
	BAD(category, s_cat);
	BAD(category, s_empty);
	BAD(category, s_ent); /* A005 is an individual's */
	BAD(priority, true);  /* A005 is not in the V lane */
	BAD(state, 4);
	BAD(seq, 0);
	BAD(seq, NODE_QUEUE_MAX + 1);
	BAD(window, s_win16);
	BAD(window, s_winbad);
	BAD(window, s_empty); /* called, but to no window */
	BAD(case_id, s_casebad);
#undef BAD

	/* A waiting ticket needs no window; a case id may be kept. */
	node_queue_init(&q, day);
	good_msg(&m, day);
	m.state = NODE_TICKET_WAITING;
	m.window = s_empty;
	assert_rc(restore_msg(&q, &m), 0);
	good_msg(&m, day);
	m.seq = 10;
	m.number = s_v005;
	m.category = s_ent;
	m.priority = true;
	m.state = NODE_TICKET_SERVED;
	m.case_id = s_case;
	assert_rc(restore_msg(&q, &m), 0);
	assert_int_equal(q.n, 2);
	assert_int_equal(q.next_no[2], 6);
	assert_string_equal(q.t[1].case_id, s_case);
	node_queue_free(&q);

	/* Not protobuf at all, and no bytes. */
	node_queue_init(&q, day);
	assert_rc(node_queue_restore(&q, junk, sizeof(junk)), CM_EPROTO);
	assert_rc(node_queue_restore(&q, NULL, 5), CM_EPROTO);
	assert_rc(node_queue_restore(NULL, junk, sizeof(junk)), CM_EINVAL);
	/* An empty message is day 0: ignored here, malformed on day 0. */
	assert_rc(node_queue_restore(&q, NULL, 0), 0);
	assert_int_equal(q.n, 0);
	node_queue_free(&q);
	node_queue_init(&q, 0);
	assert_rc(node_queue_restore(&q, NULL, 0), CM_EPROTO);
	node_queue_free(&q);
}

static void
test_encode_bad_args(void **state)
{
	struct node_ticket t;
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	memset(&t, 0, sizeof(t));
	snprintf(t.number, sizeof(t.number), "A001");
	t.seq = 1;
	assert_rc(node_ticket_encode(NULL, 1, &buf, &len), CM_EINVAL);
	assert_rc(node_ticket_encode(&t, 1, NULL, &len), CM_EINVAL);
	assert_rc(node_ticket_encode(&t, 1, &buf, NULL), CM_EINVAL);
	t.cat = (enum node_ticket_cat)5;
	assert_rc(node_ticket_encode(&t, 1, &buf, &len), CM_EINVAL);
	t.cat = NODE_TICKET_ENTERPRISE;
	t.state = (enum node_ticket_state)9;
	assert_rc(node_ticket_encode(&t, 1, &buf, &len), CM_EINVAL);
	assert_null(buf);
}

/* ------------------------------------------------------------ limits */

static void
test_day_limit(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	for (int i = 0; i < NODE_QUEUE_MAX; i++) {
		assert_rc(node_queue_issue(
		              &q, NODE_TICKET_INDIVIDUAL, false, T0 + i, &t),
		    0);
	}
	assert_string_equal(t->number, "A10000");
	assert_int_equal(t->seq, NODE_QUEUE_MAX);
	assert_rc(node_queue_issue(&q, NODE_TICKET_ENTERPRISE, true, T0, &t),
	    CM_ERANGE);
	assert_int_equal(q.n, NODE_QUEUE_MAX);
	assert_int_equal(node_queue_waiting(&q), NODE_QUEUE_MAX);
	assert_int_equal(node_queue_ahead(&q, "A10000"), NODE_QUEUE_MAX - 1);

	/* The last ticket still round-trips. */
	assert_rc(node_ticket_encode(&q.t[q.n - 1], q.day, &buf, &len), 0);
	node_queue_roll(&q, ow_day("2026-01-02"));
	node_queue_roll(&q, ow_day("2026-01-01"));
	assert_rc(node_queue_restore(&q, buf, len), 0);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.t[0].number, "A10000");
	/* Numbering or seq at the limit: no more tickets that day. */
	assert_rc(node_queue_issue(&q, NODE_TICKET_ENTERPRISE, false, T0, &t),
	    CM_ERANGE);
	cm_free(buf);
	node_queue_free(&q);
}

/* ------------------------------------------------------------ allocation */

static void
test_issue_alloc_failures(void **state)
{
	struct node_queue q;
	struct node_ticket *t = NULL;
	int failed = 0;

	(void)state;
	node_queue_init(&q, ow_day("2026-01-01"));
	/* Every growth of the array (16, 32, 64) fails once; the queue is
	 * left as it was and the next attempt succeeds. */
	for (int i = 0; i < 60; i++) {
		size_t n = q.n;
		int rc;

		cm_alloc_fail_after(1, 0);
		rc =
		    node_queue_issue(&q, NODE_TICKET_INDIVIDUAL, false, T0, &t);
		cm_alloc_fail_after(0, 0);
		if (rc == CM_ENOMEM) {
			failed++;
			assert_int_equal(q.n, n);
			assert_rc(node_queue_issue(&q, NODE_TICKET_INDIVIDUAL,
			              false, T0, &t),
			    0);
		} else {
			assert_rc(rc, 0);
		}
	}
	assert_int_equal(failed, 3);
	assert_int_equal(q.n, 60);
	for (size_t i = 0; i < q.n; i++) {
		char want[16];

		snprintf(want, sizeof(want), "A%03u", (unsigned)(i + 1));
		assert_string_equal(q.t[i].number, want);
		assert_int_equal(q.t[i].seq, i + 1);
	}
	node_queue_free(&q);
}

static void
test_encode_alloc_failures(void **state)
{
	struct node_queue q;
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	busy_queue(&q, ow_day("2026-01-01"));
	cm_alloc_fail_after(1, 1);
	assert_rc(node_ticket_encode(&q.t[0], q.day, &buf, &len), CM_ENOMEM);
	cm_alloc_fail_after(0, 0);
	assert_null(buf);
	node_queue_free(&q);
}

static void
test_restore_alloc_failures(void **state)
{
	struct node_queue q, r;
	uint8_t *bufs[16];
	size_t lens[16];
	int ok = 0, failed = 0;

	(void)state;
	busy_queue(&q, ow_day("2026-01-01"));
	encode_all(&q, bufs, lens);
	for (int sticky = 0; sticky <= 1; sticky++) {
		for (unsigned long n = 1; n < 30; n++) {
			int rc;

			/* Into an empty queue (the array is allocated too)
			 * and over a ticket already there. */
			node_queue_init(&r, q.day);
			cm_alloc_fail_after(n, sticky);
			rc = node_queue_restore(&r, bufs[6], lens[6]);
			cm_alloc_fail_after(0, 0);
			if (rc == 0) {
				ok++;
				assert_int_equal(r.n, 1);
				assert_ticket_equal(&r.t[0], &q.t[6]);
			} else {
				failed++;
				assert_rc(rc, CM_ENOMEM);
				assert_int_equal(r.n, 0);
				assert_int_equal(r.next_seq, 1);
			}
			cm_alloc_fail_after(n, sticky);
			rc = node_queue_restore(&r, bufs[6], lens[6]);
			cm_alloc_fail_after(0, 0);
			if (rc != 0) {
				assert_rc(rc, CM_ENOMEM);
			}
			node_queue_free(&r);
		}
	}
	/* The message, its strings and the array were each failed. */
	assert_true(failed >= 6);
	assert_true(ok > 0);
	for (size_t i = 0; i < q.n; i++) {
		cm_free(bufs[i]);
	}
	node_queue_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numbering),
	    cmocka_unit_test(test_numbering_four_digits),
	    cmocka_unit_test(test_cat_names),
	    cmocka_unit_test(test_window_valid),
	    cmocka_unit_test(test_priority_first_then_fifo),
	    cmocka_unit_test(test_fifo_long),
	    cmocka_unit_test(test_next_idempotent),
	    cmocka_unit_test(test_skip_recall_transfer_link),
	    cmocka_unit_test(test_ahead),
	    cmocka_unit_test(test_longest_wait),
	    cmocka_unit_test(test_roll),
	    cmocka_unit_test(test_persistence_round_trip),
	    cmocka_unit_test(test_restore_gaps),
	    cmocka_unit_test(test_restore_other_day),
	    cmocka_unit_test(test_restore_malformed),
	    cmocka_unit_test(test_encode_bad_args),
	    cmocka_unit_test(test_day_limit),
	    cmocka_unit_test(test_issue_alloc_failures),
	    cmocka_unit_test(test_encode_alloc_failures),
	    cmocka_unit_test(test_restore_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
