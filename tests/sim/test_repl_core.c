/*
 * test_repl_core.c: the replication state machine (repl/core.h) in small
 * hand-made situations: pull and relay, byte caps, ops above a gap, every
 * refusal, timeouts and backoff, lack of memory, what every hall holds
 * (stable entries, passed on through a hall between, and the lapse) and
 * the floors of compaction. The simulator runs
 * the same core through thousands of random worlds; these pin down the
 * individual rules with exact expectations.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "repl/core.h"
#include "repl/msg.h"
#include "repl_testlib.h"

#define T0 UINT64_C(1772409600000) /* the halls' wall clock at start */

struct th {
	struct tl_hall t;
	struct repl *r;
	struct cm_hlc hlc;
	unsigned reports[REPL_EV__COUNT];
	int last_code;
	unsigned persists, batches;
	size_t largest_batch;
};

/* Messages in flight between the test halls. */
struct msg {
	int from, to;
	uint8_t *buf;
	size_t len;
};

static struct th halls[3];
/* Halls that lose every message to or from them (cut off). */
static bool cut[3];
static struct msg q[4096];
static size_t nq;
static uint64_t lapse_ms; /* 0: the default */

static int
hall_index(const char *id)
{
	for (int i = 0; i < 3; i++) {
		if (strcmp(halls[i].t.id, id) == 0) {
			return i;
		}
	}
	return -1;
}

static void
th_start(int i, uint64_t max_batch, const int *peers, int npeers)
{
	struct th *h = &halls[i];
	struct repl_config cfg;

	repl_config_default(&cfg);
	cfg.self = h->t.id;
	memcpy(cfg.self_pk, h->t.kp.pk, NODE_PK_BYTES);
	cfg.hlc = &h->hlc;
	cfg.log = &tl_log_ops;
	cfg.log_arg = &h->t;
	cfg.max_batch_bytes = max_batch;
	if (lapse_ms != 0) {
		cfg.lapse_ms = lapse_ms;
	}
	cm_hlc_init(&h->hlc, 0);
	assert_rc(repl_new(&cfg, &h->r), 0);
	for (int k = 0; k < 3; k++) {
		assert_rc(
		    repl_origin_add(h->r, halls[k].t.id, halls[k].t.kp.pk), 0);
	}
	for (int k = 0; k < npeers; k++) {
		assert_rc(repl_peer_add(h->r, halls[peers[k]].t.id), 0);
	}
}

static int
setup(void **state)
{
	static const char *const ids[3] = {"hall-a", "hall-b", "hall-c"};

	(void)state;
	memset(halls, 0, sizeof(halls));
	for (int i = 0; i < 3; i++) {
		tl_hall_init(&halls[i].t, ids[i]);
	}
	nq = 0;
	lapse_ms = 0;
	memset(cut, 0, sizeof(cut));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		repl_free(halls[i].r);
		tl_hall_free(&halls[i].t);
	}
	for (size_t i = 0; i < nq; i++) {
		cm_free(q[i].buf);
	}
	nq = 0;
	return 0;
}

static void
enqueue(int from, int to, const uint8_t *buf, size_t len)
{
	assert_true(nq < sizeof(q) / sizeof(q[0]));
	q[nq].from = from;
	q[nq].to = to;
	q[nq].buf = cm_malloc(len);
	assert_non_null(q[nq].buf);
	memcpy(q[nq].buf, buf, len);
	q[nq].len = len;
	nq++;
}

/* Forget the messages in flight (lost on the network). */
static void
drop_queue(void)
{
	for (size_t i = 0; i < nq; i++) {
		cm_free(q[i].buf);
	}
	nq = 0;
}

/* Carry out the effects of hall i. */
static void
apply(int i, struct repl_effects *fx)
{
	struct th *h = &halls[i];

	for (size_t k = 0; k < fx->n; k++) {
		const struct repl_effect *e = &fx->items[k];

		switch (e->kind) {
		case REPL_FX_SEND:
			if (e->msg == REPL_MSG_BATCH) {
				h->batches++;
				if (e->len > h->largest_batch) {
					h->largest_batch = e->len;
				}
			}
			if (hall_index(e->peer) >= 0) {
				enqueue(i, hall_index(e->peer), e->buf, e->len);
			}
			break;
		case REPL_FX_PUBLISH:
			for (int j = 0; j < 3; j++) {
				if (j != i && halls[j].r != NULL) {
					enqueue(i, j, e->buf, e->len);
				}
			}
			break;
		case REPL_FX_PERSIST:
			h->persists++;
			for (size_t o = 0; o < e->nops; o++) {
				tl_log_put(&h->t, e->ops[o].origin,
				    e->ops[o].seq, e->ops[o].buf,
				    e->ops[o].len);
			}
			break;
		case REPL_FX_REPORT:
			h->reports[e->event]++;
			h->last_code = e->code;
			break;
		}
	}
	repl_effects_reset(fx);
}

static void
on_msg(int to, uint64_t now, const char *from, const uint8_t *buf, size_t len)
{
	struct repl_effects fx;

	repl_effects_init(&fx);
	assert_rc(
	    repl_on_message(halls[to].r, now, T0 + now, from, buf, len, &fx),
	    0);
	apply(to, &fx);
	repl_effects_free(&fx);
}

/* Deliver the messages in flight now, in order (what they cause is in
 * flight afterwards). */
static void
run(uint64_t now)
{
	static struct msg now_q[4096];
	size_t n = nq;

	memcpy(now_q, q, n * sizeof(*q));
	nq = 0;
	for (size_t k = 0; k < n; k++) {
		struct msg m = now_q[k];

		if (halls[m.to].r != NULL) {
			on_msg(m.to, now, halls[m.from].t.id, m.buf, m.len);
		}
		cm_free(m.buf);
	}
}

static void
timer(int i, uint64_t now)
{
	struct repl_effects fx;

	repl_effects_init(&fx);
	assert_rc(repl_on_timer(halls[i].r, now, &fx), 0);
	apply(i, &fx);
	repl_effects_free(&fx);
}

/* Hall i makes a note as its next op and hands it to its core. */
static void
local_note(int i, uint64_t now, const char *text)
{
	Ow__Op *op = tl_note(text);
	struct repl_effects fx;
	uint8_t *buf;
	size_t len;

	op->origin = halls[i].t.id;
	buf = tl_seal(&halls[i].t, op, &len);
	repl_effects_init(&fx);
	assert_rc(repl_on_local_op(halls[i].r, now, buf, len, &fx), 0);
	apply(i, &fx);
	repl_effects_free(&fx);
	cm_free(buf);
	tl_op_free(op);
}

/* ---- pulls, relays, caps -------------------------------------------------- */

/* a - b - c in a line: c gets a's ops through b. */
static void
test_pull_and_relay(void **state)
{
	const int pa[] = {1}, pb[] = {0, 2}, pc[] = {1};
	const uint8_t *x, *y;
	size_t lx, ly;

	(void)state;
	th_start(0, REPL_BATCH_MAX, pa, 1);
	th_start(1, REPL_BATCH_MAX, pb, 2);
	th_start(2, REPL_BATCH_MAX, pc, 1);
	for (int i = 0; i < 3; i++) {
		timer(i, 0);
	}
	run(1);
	local_note(0, 10, "one");
	local_note(0, 11, "two");
	local_note(0, 12, "three");
	/* The hints make b pull from a at once, then c from b. */
	for (int round = 0; round < 6; round++) {
		run(20 + round);
	}
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 3);
	assert_int_equal(repl_seq(halls[2].r, "hall-a"), 3);
	/* c holds a's ops exactly as a signed them. */
	assert_rc(tl_log_ops.get(&halls[0].t, "hall-a", 3, &x, &lx), 0);
	assert_rc(tl_log_ops.get(&halls[2].t, "hall-a", 3, &y, &ly), 0);
	assert_int_equal(lx, ly);
	assert_memory_equal(x, y, lx);
	assert_int_equal(halls[2].reports[REPL_EV_BAD_SIGNATURE], 0);
}

/* Batches stay under the cap asked for; "more" makes the requester pull
 * again at once. */
static void
test_byte_cap(void **state)
{
	const int pa[] = {1}, pb[] = {0};

	(void)state;
	th_start(0, REPL_BATCH_MAX, pa, 1);
	th_start(1, REPL_BATCH_MIN, pb, 1);
	for (int i = 0; i < 40; i++) {
		local_note(0, 10, "a note of some length, to fill batches");
	}
	drop_queue(); /* a's hints: b pulls on its timer */
	timer(1, 100);
	for (int round = 0; round < 40 && nq > 0; round++) {
		run(101);
	}
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 40);
	assert_true(halls[0].batches > 5);
	assert_true(halls[0].largest_batch <= REPL_BATCH_MIN);
}

/* Ops above a gap wait in memory and are applied, in order, once the gap
 * is filled. */
static void
test_gap_then_fill(void **state)
{
	const int pb[] = {0};
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplBatch b = OW__REPL_BATCH__INIT;
	Ow__ReplRun run1 = OW__REPL_RUN__INIT, *runs[1] = {&run1};
	ProtobufCBinaryData ops[4];
	struct repl_effects fx;
	uint8_t *buf;
	size_t len;

	(void)state;
	th_start(1, REPL_BATCH_MAX, pb, 1);
	for (int i = 0; i < 4; i++) {
		Ow__Op *op = tl_note("n");
		uint8_t *sealed = tl_seal(&halls[0].t, op, &len);

		ops[i].data = sealed;
		ops[i].len = len;
		tl_op_free(op);
	}
	m.version = REPL_PROTO_VERSION;
	m.from = halls[0].t.id;
	m.body_case = OW__REPL_MESSAGE__BODY_BATCH;
	m.batch = &b;
	b.runs = runs;
	b.n_runs = 1;
	run1.origin = halls[0].t.id;
	run1.first_seq = 3;
	run1.ops = &ops[2];
	run1.n_ops = 2;
	assert_rc(repl_msg_encode(&m, &buf, &len), 0);
	on_msg(1, 1, "hall-a", buf, len);
	cm_free(buf);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 0);
	assert_int_equal(halls[1].persists, 0);
	assert_true(repl_held_bytes(halls[1].r) > 0);

	run1.first_seq = 1;
	run1.ops = &ops[0];
	assert_rc(repl_msg_encode(&m, &buf, &len), 0);
	repl_effects_init(&fx);
	assert_rc(
	    repl_on_message(halls[1].r, 2, T0, "hall-a", buf, len, &fx), 0);
	/* One PERSIST with 1, 2 and the held 3, 4, in order. */
	for (size_t k = 0; k < fx.n; k++) {
		if (fx.items[k].kind == REPL_FX_PERSIST) {
			assert_int_equal(fx.items[k].nops, 4);
			for (size_t o = 0; o < 4; o++) {
				assert_int_equal(fx.items[k].ops[o].seq, o + 1);
			}
			assert_int_equal(fx.items[k].nheads, 1);
			assert_int_equal(fx.items[k].heads[0].seq, 4);
			assert_memory_equal(fx.items[k].heads[0].hash,
			    halls[0].t.head, NODE_HASH_BYTES);
		}
	}
	apply(1, &fx);
	repl_effects_free(&fx);
	cm_free(buf);
	assert_int_equal(halls[1].persists, 1);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 4);
	assert_int_equal(repl_held_bytes(halls[1].r), 0);
	for (int i = 0; i < 4; i++) {
		cm_free(ops[i].data);
	}
}

/* ---- refusals ---------------------------------------------------------------- */

/* A batch of one op at (origin, seq), sent to b by a. */
static void
send_one(const char *origin, uint64_t seq, const uint8_t *op, size_t oplen,
    uint64_t wall)
{
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplBatch b = OW__REPL_BATCH__INIT;
	Ow__ReplRun r1 = OW__REPL_RUN__INIT, *runs[1] = {&r1};
	ProtobufCBinaryData d = {oplen, (uint8_t *)(uintptr_t)op};
	struct repl_effects fx;
	uint8_t *buf;
	size_t len;

	m.version = REPL_PROTO_VERSION;
	m.from = halls[0].t.id;
	m.body_case = OW__REPL_MESSAGE__BODY_BATCH;
	m.batch = &b;
	b.runs = runs;
	b.n_runs = 1;
	r1.origin = (char *)(uintptr_t)origin;
	r1.first_seq = seq;
	r1.ops = &d;
	r1.n_ops = 1;
	assert_rc(repl_msg_encode(&m, &buf, &len), 0);
	repl_effects_init(&fx);
	assert_rc(
	    repl_on_message(halls[1].r, 1, wall, "hall-a", buf, len, &fx), 0);
	apply(1, &fx);
	repl_effects_free(&fx);
	cm_free(buf);
}

static void
test_refusals(void **state)
{
	const int pb[] = {0};
	struct tl_hall rogue, fork;
	uint8_t *op1, *op2, *bad, *other;
	size_t l1, l2, lo;
	unsigned k;
	Ow__Op *op;

	(void)state;
	th_start(1, REPL_BATCH_MAX, pb, 1);
	op = tl_note("1");
	op1 = tl_seal(&halls[0].t, op, &l1);
	tl_op_free(op);
	op = tl_note("2");
	op2 = tl_seal(&halls[0].t, op, &l2);
	tl_op_free(op);

	/* An origin nobody registered. */
	tl_hall_init(&rogue, "hall-z");
	op = tl_note("z");
	other = tl_seal(&rogue, op, &lo);
	tl_op_free(op);
	send_one("hall-z", 1, other, lo, T0);
	assert_int_equal(halls[1].reports[REPL_EV_UNKNOWN_ORIGIN], 1);
	/* hall-z's op under hall-a's name: the signature is not a's. */
	send_one("hall-a", 1, other, lo, T0);
	assert_int_equal(halls[1].reports[REPL_EV_BAD_SIGNATURE], 1);
	cm_free(other);

	/* One bit of the op changed. */
	bad = cm_malloc(l1);
	memcpy(bad, op1, l1);
	bad[4] ^= 1;
	send_one("hall-a", 1, bad, l1, T0);
	assert_int_equal(halls[1].reports[REPL_EV_BAD_SIGNATURE] +
	                     halls[1].reports[REPL_EV_MALFORMED],
	    2);
	cm_free(bad);

	/* The clock 61 s ahead of b's: refused, nothing persisted; taken
	 * once b's clock has caught up. */
	send_one("hall-a", 1, op1, l1, T0 - 61000);
	assert_int_equal(halls[1].reports[REPL_EV_CLOCK_AHEAD], 1);
	send_one("hall-a", 1, op1, l1, T0 - 61000); /* cached: no re-check */
	assert_int_equal(halls[1].reports[REPL_EV_CLOCK_AHEAD], 2);
	assert_int_equal(halls[1].persists, 0);
	send_one("hall-a", 1, op1, l1, T0);
	assert_int_equal(halls[1].persists, 1);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 1);

	/* The same op again: a harmless repeat. */
	send_one("hall-a", 1, op1, l1, T0);
	assert_int_equal(halls[1].persists, 1);

	/* Another op at (a, 1), signed by a: a fork. */
	tl_hall_init(&fork, "hall-a"); /* the same key, a fresh chain */
	op = tl_note("another");
	other = tl_seal(&fork, op, &lo);
	tl_op_free(op);
	send_one("hall-a", 1, other, lo, T0);
	assert_int_equal(halls[1].reports[REPL_EV_FORK], 1);
	cm_free(other);
	/* Signed by a at seq 2, but not after a:1: the chain breaks. */
	op = tl_note("off the chain");
	other = tl_seal(&fork, op, &lo); /* fork's seq 2, prev = fork's 1 */
	tl_op_free(op);
	send_one("hall-a", 2, other, lo, T0);
	assert_int_equal(halls[1].reports[REPL_EV_CHAIN], 1);
	assert_rc(halls[1].last_code, CM_ECRYPTO);
	cm_free(other);
	/* a's op 2 at seq 3 of a: signed by a, but misplaced. */
	send_one("hall-a", 2, op2, l2, T0);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 2);
	k = halls[1].reports[REPL_EV_MALFORMED];
	send_one("hall-a", 3, op2, l2, T0);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 2);
	assert_int_equal(halls[1].reports[REPL_EV_MALFORMED], k + 1);

	/* b's own ops, which b does not have, from a peer. */
	op = tl_note("mine?");
	other = tl_seal(&halls[1].t, op, &lo);
	tl_op_free(op);
	halls[1].t.nlog--; /* as if b had lost it */
	cm_free(halls[1].t.log[halls[1].t.nlog].buf);
	send_one("hall-b", 1, other, lo, T0);
	assert_int_equal(halls[1].reports[REPL_EV_OWN_AHEAD], 1);
	assert_int_equal(repl_seq(halls[1].r, "hall-b"), 0);
	/* Restored from a backup, b takes it back: checked with its own
	 * key, persisted, its own entry moves. */
	repl_set_accept_own(halls[1].r, true);
	send_one("hall-b", 1, other, lo, T0);
	assert_int_equal(halls[1].reports[REPL_EV_OWN_AHEAD], 1);
	assert_int_equal(repl_seq(halls[1].r, "hall-b"), 1);
	repl_set_accept_own(halls[1].r, false);
	cm_free(other);

	cm_free(op1);
	cm_free(op2);
	tl_hall_free(&rogue);
	tl_hall_free(&fork);
}

static void
test_bad_messages(void **state)
{
	const int pb[] = {0};
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplHint hint = OW__REPL_HINT__INIT;
	uint8_t *buf, junk[3] = {0x00, 0x01, 0x02};
	size_t len;
	struct repl_effects fx;

	(void)state;
	th_start(1, REPL_BATCH_MAX, pb, 1);
	m.version = REPL_PROTO_VERSION;
	m.from = halls[0].t.id;
	m.body_case = OW__REPL_MESSAGE__BODY_HINT;
	m.hint = &hint;
	assert_rc(repl_msg_encode(&m, &buf, &len), 0);
	/* The transport proved hall-c, the message says hall-a. */
	on_msg(1, 1, "hall-c", buf, len);
	assert_int_equal(halls[1].reports[REPL_EV_UNKNOWN_PEER], 1);
	/* Nobody registered. */
	on_msg(1, 1, "hall-q", buf, len);
	assert_int_equal(halls[1].reports[REPL_EV_UNKNOWN_PEER], 2);
	cm_free(buf);
	on_msg(1, 1, "hall-a", junk, sizeof(junk));
	assert_int_equal(halls[1].reports[REPL_EV_MALFORMED], 1);
	m.version = 2;
	assert_rc(repl_msg_encode(&m, &buf, &len), 0);
	on_msg(1, 1, "hall-a", buf, len);
	assert_int_equal(halls[1].reports[REPL_EV_MALFORMED], 2);
	assert_rc(halls[1].last_code, CM_EUNSUPPORTED);
	cm_free(buf);
	/* Wrong use of the API. */
	repl_effects_init(&fx);
	assert_rc(
	    repl_on_message(halls[1].r, 1, T0, NULL, junk, 3, &fx), CM_EINVAL);
	assert_rc(repl_on_local_op(halls[1].r, 1, junk, 3, &fx), CM_EPROTO);
	repl_effects_free(&fx);
}

/* An op that is not the hall's next one is the host's bug. */
static void
test_local_op_checks(void **state)
{
	const int pb[] = {0};
	struct repl_effects fx;
	uint8_t *buf;
	size_t len;
	Ow__Op *op;

	(void)state;
	th_start(1, REPL_BATCH_MAX, pb, 1);
	repl_effects_init(&fx);
	op = tl_note("a's");
	buf = tl_seal(&halls[0].t, op, &len);
	assert_rc(repl_on_local_op(halls[1].r, 1, buf, len, &fx), CM_ECRYPTO);
	cm_free(buf);
	tl_op_free(op);
	halls[1].t.seq = 1; /* skip seq 1 */
	op = tl_note("b's");
	buf = tl_seal(&halls[1].t, op, &len);
	assert_rc(repl_on_local_op(halls[1].r, 1, buf, len, &fx), CM_ERANGE);
	assert_int_equal(repl_seq(halls[1].r, "hall-b"), 0);
	assert_int_equal(fx.n, 0);
	repl_effects_free(&fx);
	cm_free(buf);
	tl_op_free(op);
}

/* ---- timers ----------------------------------------------------------------- */

static void
test_timeouts_and_backoff(void **state)
{
	const int pb[] = {0}, pa[] = {1};
	struct repl_peer_info info;
	uint64_t now = 0;

	(void)state;
	th_start(1, REPL_BATCH_MAX, pb, 1);
	assert_int_equal(repl_next_timer(halls[1].r), 0);
	/* Three pulls go unanswered: the peer is down, with backoff. */
	for (int k = 0; k < 3; k++) {
		timer(1, now);
		assert_int_equal(nq, 1);
		drop_queue();
		now = repl_next_timer(halls[1].r);
		timer(1, now); /* the timeout */
		now = repl_next_timer(halls[1].r);
	}
	assert_int_equal(halls[1].reports[REPL_EV_PEER_DOWN], 1);
	assert_rc(repl_peer_info(halls[1].r, 0, "hall-a", &info), 0);
	assert_false(info.is_up);
	assert_int_equal(info.failures, 3);
	assert_rc(info.last_error, CM_ETIMEOUT);
	/* a comes back and answers. */
	th_start(0, REPL_BATCH_MAX, pa, 1);
	local_note(0, now, "back");
	drop_queue();
	timer(1, now);
	run(now + 1);
	run(now + 2);
	assert_int_equal(halls[1].reports[REPL_EV_PEER_UP], 1);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 1);
	assert_rc(repl_peer_info(halls[1].r, 0, "hall-a", &info), 0);
	assert_true(info.is_up);
	assert_int_equal(info.failures, 0);
	assert_rc(
	    repl_on_unreachable(halls[1].r, now, "hall-x", NULL), CM_ENOTFOUND);
	assert_rc(repl_peer_remove(halls[1].r, "hall-a"), 0);
	assert_rc(repl_peer_remove(halls[1].r, "hall-a"), CM_ENOTFOUND);
	assert_int_equal(repl_next_timer(halls[1].r), UINT64_MAX);
}

/* ---- compaction: what every hall holds, floors ------------------------------- */

/* What the halls in mask hold of origin: the least of their entries. */
static uint64_t
held_by(unsigned mask, const char *origin)
{
	uint64_t m = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t s =
		    halls[i].r != NULL ? repl_seq(halls[i].r, origin) : 0;

		if ((mask & (1u << i)) != 0 && s < m) {
			m = s;
		}
	}
	return m;
}

/* No hall's stable entry is above what a hall of mask holds (the halls
 * that count: those silent past the lapse left out). */
static void
check_stable_bound(uint64_t now, unsigned mask)
{
	for (int i = 0; i < 3; i++) {
		for (int o = 0; o < 3 && halls[i].r != NULL; o++) {
			uint64_t s =
			    repl_stable_seq(halls[i].r, now, halls[o].t.id);
			uint64_t h = held_by(mask, halls[o].t.id);

			if (s > h) {
				fail_msg("%s: stable %s:%llu, but a hall that "
				         "counts holds %llu",
				    halls[i].t.id, halls[o].t.id,
				    (unsigned long long)s,
				    (unsigned long long)h);
			}
		}
	}
}

/* Deliver what is in flight until nothing is, losing what goes to or
 * from a hall cut off; check the bound (over mask) after each step. */
static void
run_all(uint64_t now, unsigned mask)
{
	for (int round = 0; round < 100 && nq > 0; round++) {
		size_t k = 0;

		for (size_t i = 0; i < nq; i++) {
			if (cut[q[i].from] || cut[q[i].to]) {
				cm_free(q[i].buf);
			} else {
				q[k++] = q[i];
			}
		}
		nq = k;
		run(now);
		check_stable_bound(now, mask);
	}
	assert_int_equal(nq, 0);
}

/* Every hall's timer at now (the pulls due, the timeouts), then the
 * traffic. */
static void
pull_round(uint64_t now, unsigned mask)
{
	for (int i = 0; i < 3; i++) {
		if (halls[i].r != NULL && !cut[i]) {
			timer(i, now);
		}
	}
	run_all(now, mask);
}

/* a - b - c in a line, each pulling from its neighbours: a hears of what
 * c holds only through b, and no hall's entry is ever above what some
 * hall holds. */
static void
test_stable_gossip(void **state)
{
	const int pa[] = {1}, pb[] = {0, 2}, pc[] = {1};
	uint64_t now = 0;

	(void)state;
	th_start(0, REPL_BATCH_MAX, pa, 1);
	th_start(1, REPL_BATCH_MAX, pb, 2);
	th_start(2, REPL_BATCH_MAX, pc, 1);
	for (int i = 0; i < 3; i++) {
		local_note(2, now, "c's");
	}
	assert_int_equal(repl_stable_seq(halls[0].r, now, "hall-c"), 0);
	assert_int_equal(repl_stable_seq(halls[2].r, now, "hall-c"), 0);
	for (int k = 0; k < 6; k++) {
		pull_round(now, 7);
		now += 5000;
	}
	assert_int_equal(held_by(7, "hall-c"), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(repl_stable_seq(halls[i].r, now, "hall-c"), 3);
	}

	/* a is cut off: c's next ops reach b, but no hall may count them as
	 * held by every hall. */
	cut[0] = true;
	local_note(2, now, "c's 4");
	local_note(2, now, "c's 5");
	for (int k = 0; k < 6; k++) {
		pull_round(now, 7);
		now += 5000;
	}
	assert_int_equal(repl_seq(halls[1].r, "hall-c"), 5);
	assert_int_equal(repl_seq(halls[0].r, "hall-c"), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(repl_stable_seq(halls[i].r, now, "hall-c"), 3);
	}
	/* Back: the entries rise everywhere once a holds them and said so. */
	cut[0] = false;
	for (int k = 0; k < 6; k++) {
		pull_round(now, 7);
		now += 5000;
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(repl_stable_seq(halls[i].r, now, "hall-c"), 5);
	}
	assert_int_equal(repl_stable_seq(halls[0].r, now, "hall-q"), 0);
}

/* The same line pulling one way (a from b, b from c): c hears of a only
 * through b, which passes a's statement on with its pulls, and a of c
 * through b's answers. Until then each counts the other as holding
 * nothing. */
static void
test_stable_chain(void **state)
{
	const int pa[] = {1}, pb[] = {2};
	uint64_t now = 0;

	(void)state;
	th_start(0, REPL_BATCH_MAX, pa, 1);
	th_start(1, REPL_BATCH_MAX, pb, 1);
	th_start(2, REPL_BATCH_MAX, NULL, 0);
	for (int i = 0; i < 3; i++) {
		local_note(2, now, "c's");
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(repl_stable_seq(halls[i].r, now, "hall-c"), 0);
	}
	/* b pulls first, then a: everyone holds c's ops, but c has not
	 * heard of a yet. */
	timer(1, now);
	run_all(now, 7);
	timer(0, now);
	run_all(now, 7);
	assert_int_equal(held_by(7, "hall-c"), 3);
	assert_int_equal(repl_stable_seq(halls[2].r, now, "hall-c"), 0);
	for (int k = 0; k < 3; k++) {
		now += 5000;
		pull_round(now, 7);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(repl_stable_seq(halls[i].r, now, "hall-c"), 3);
	}

	/* c makes two more; b takes them, a does not (cut off): no hall's
	 * entry passes what a stated. */
	cut[0] = true;
	local_note(2, now, "c's 4");
	local_note(2, now, "c's 5");
	for (int k = 0; k < 3; k++) {
		now += 5000;
		pull_round(now, 7);
	}
	assert_int_equal(repl_seq(halls[1].r, "hall-c"), 5);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(repl_stable_seq(halls[i].r, now, "hall-c"), 3);
	}
	cut[0] = false;
	for (int k = 0; k < 3; k++) {
		now += 5000;
		pull_round(now, 7);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(repl_stable_seq(halls[i].r, now, "hall-c"), 5);
	}
}

/* a pulls from b and c (c also pulls from b): while c is silent it still
 * counts, with what it last told, until the lapse; then a's entry rises
 * past it. When c speaks again it counts again. */
static void
test_stable_lapse(void **state)
{
	const int pa[] = {1, 2}, pc[] = {1};
	struct repl_peer_info info;
	uint64_t now = 0;

	(void)state;
	lapse_ms = 60000;
	th_start(0, REPL_BATCH_MAX, pa, 2);
	th_start(1, REPL_BATCH_MAX, NULL, 0);
	th_start(2, REPL_BATCH_MAX, pc, 1);
	local_note(1, now, "b's 1");
	local_note(1, now, "b's 2");
	for (int k = 0; k < 4; k++) {
		pull_round(now, 7);
		now += 5000;
	}
	assert_int_equal(held_by(7, "hall-b"), 2);
	assert_int_equal(repl_stable_seq(halls[0].r, now, "hall-b"), 2);

	/* c goes silent; b's next ops reach a only. */
	cut[2] = true;
	local_note(1, now, "b's 3");
	local_note(1, now, "b's 4");
	for (uint64_t end = now + 50000; now < end;) {
		pull_round(now, 3);
		now = repl_next_timer(halls[0].r);
	}
	assert_int_equal(repl_seq(halls[0].r, "hall-b"), 4);
	assert_int_equal(repl_seq(halls[2].r, "hall-b"), 2);
	/* Within the lapse: c counts with what it last told. */
	assert_rc(repl_peer_info(halls[0].r, now, "hall-c", &info), 0);
	assert_true(info.counts);
	assert_false(info.is_up);
	assert_int_equal(repl_stable_seq(halls[0].r, now, "hall-b"), 2);
	/* Past the lapse (from c's last word): c no longer counts. */
	while (now <= info.last_heard + lapse_ms) {
		pull_round(now, 3);
		now = repl_next_timer(halls[0].r);
	}
	assert_rc(repl_peer_info(halls[0].r, now, "hall-c", &info), 0);
	assert_false(info.counts);
	assert_rc(repl_peer_info(halls[0].r, now, "hall-b", &info), 0);
	assert_true(info.counts);
	assert_int_equal(repl_stable_seq(halls[0].r, now, "hall-b"), 4);
	/* c speaks again (a's pull reaches it before it pulled b): it
	 * counts again, with what it holds. */
	cut[2] = false;
	drop_queue();
	info.counts = false;
	for (int k = 0; k < 20 && !info.counts; k++) {
		now = repl_next_timer(halls[0].r);
		timer(0, now);
		run(now); /* a's pulls reach b and c */
		run(now); /* their answers reach a */
		drop_queue();
		assert_rc(repl_peer_info(halls[0].r, now, "hall-c", &info), 0);
	}
	assert_true(info.counts);
	assert_int_equal(repl_seq(halls[2].r, "hall-b"), 2);
	assert_int_equal(repl_stable_seq(halls[0].r, now, "hall-b"), 2);
}

/* The pull a sends to b now, as b answers it: the decoded batch (free
 * with repl_msg_free). a's own effects are carried out. */
static Ow__ReplMessage *
answer_of(int a, int b, uint64_t now)
{
	Ow__ReplMessage *m = NULL;
	struct msg pull, reply;

	drop_queue();
	timer(a, now);
	assert_int_equal(nq, 1);
	pull = q[0];
	nq = 0;
	on_msg(b, now, halls[a].t.id, pull.buf, pull.len);
	cm_free(pull.buf);
	assert_int_equal(nq, 1);
	reply = q[0];
	assert_int_equal(reply.to, a);
	assert_rc(repl_msg_decode(reply.buf, reply.len, &m), 0);
	assert_int_equal(m->body_case, OW__REPL_MESSAGE__BODY_BATCH);
	return m;
}

/* A run of origin in a batch, or NULL. */
static const Ow__ReplRun *
run_of(const Ow__ReplBatch *b, const char *origin)
{
	for (size_t i = 0; i < b->n_runs; i++) {
		if (strcmp(b->runs[i]->origin, origin) == 0) {
			return b->runs[i];
		}
	}
	return NULL;
}

/* b compacted a's ops up to 2: a requester below that gets no run of a
 * (the rest as always) and the floor, and says it must re-seed; one at
 * or above it is served as always. */
static void
test_floor(void **state)
{
	const int pb[] = {0}, pc[] = {1};
	struct repl_peer_info info;
	Ow__ReplMessage *m;
	uint64_t now = 0;

	(void)state;
	th_start(0, REPL_BATCH_MAX, NULL, 0);
	th_start(1, REPL_BATCH_MAX, pb, 1);
	th_start(2, REPL_BATCH_MAX, pc, 1);
	local_note(0, now, "a's 1");
	local_note(0, now, "a's 2");
	pull_round(now, 7); /* b takes a's ops, then c from b */
	pull_round(now + 1, 7);
	assert_int_equal(repl_seq(halls[2].r, "hall-a"), 2);
	cut[2] = true; /* c stays at a:2 */
	local_note(0, now, "a's 3");
	local_note(1, now, "b's 1");
	now += 5000;
	timer(1, now);
	run_all(now, 7);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 3);

	assert_rc(repl_origin_set_floor(halls[1].r, "hall-q", 1), CM_ENOTFOUND);
	assert_rc(repl_origin_set_floor(halls[1].r, "hall-a", 2), 0);
	assert_rc(repl_origin_set_floor(halls[1].r, "hall-a", 1), 0);
	/* c holds a:2, at the floor: served a:3 (and b's op) as always. */
	now += 5000;
	cut[2] = false;
	m = answer_of(2, 1, now);
	assert_null(m->batch->floor);
	assert_non_null(run_of(m->batch, "hall-a"));
	assert_int_equal(run_of(m->batch, "hall-a")->first_seq, 3);
	assert_non_null(run_of(m->batch, "hall-b"));
	repl_msg_free(m);
	run_all(now, 7);
	assert_int_equal(repl_seq(halls[2].r, "hall-a"), 3);
	assert_int_equal(halls[2].reports[REPL_EV_RESEED], 0);
	assert_rc(repl_peer_info(halls[2].r, now, "hall-b", &info), 0);
	assert_string_equal(info.seed_origin, "");

	/* c restarts with an empty store: below the floor. */
	repl_free(halls[2].r);
	halls[2].r = NULL;
	tl_hall_free(&halls[2].t);
	th_start(2, REPL_BATCH_MAX, pc, 1);
	now += 5000;
	m = answer_of(2, 1, now);
	assert_null(run_of(m->batch, "hall-a"));
	assert_non_null(run_of(m->batch, "hall-b"));
	assert_non_null(m->batch->floor);
	assert_int_equal(m->batch->floor->n_entries, 1);
	assert_string_equal(m->batch->floor->entries[0]->origin, "hall-a");
	assert_int_equal(m->batch->floor->entries[0]->seq, 2);
	repl_msg_free(m);
	run(now); /* the batch reaches c */
	assert_int_equal(halls[2].reports[REPL_EV_RESEED], 1);
	assert_int_equal(repl_seq(halls[2].r, "hall-a"), 0);
	assert_int_equal(repl_seq(halls[2].r, "hall-b"), 1);
	assert_rc(repl_peer_info(halls[2].r, now, "hall-b", &info), 0);
	assert_string_equal(info.seed_origin, "hall-a");
	assert_int_equal(info.seed_floor, 2);
	assert_true(info.counts);
	drop_queue();
}

/* An op that comes again at a seq the hall compacted (a late batch): no
 * log copy to compare with, so its signature and place are checked and it
 * is reported quietly as a compacted repeat, never as a store fault; an
 * altered copy is refused as before. */
static void
test_compacted_repeat(void **state)
{
	const int pa[] = {1}, pb[] = {0};
	Ow__ReplMessage *m = NULL;
	Ow__SignedOp *so;
	struct msg batch;
	uint8_t *buf;
	size_t len;

	(void)state;
	th_start(0, REPL_BATCH_MAX, pa, 1);
	th_start(1, REPL_BATCH_MAX, pb, 1);
	local_note(0, 1, "a's 1");
	local_note(0, 1, "a's 2");
	drop_queue();
	timer(1, 2);
	run(3); /* a answers b's pull */
	assert_int_equal(nq, 1);
	batch = q[0];
	nq = 0;
	on_msg(1, 4, "hall-a", batch.buf, batch.len);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 2);
	/* b compacts a:1: gone from its log, its floor raised. */
	for (size_t i = 0; i < halls[1].t.nlog; i++) {
		if (strcmp(halls[1].t.log[i].origin, "hall-a") == 0 &&
		    halls[1].t.log[i].seq == 1) {
			halls[1].t.log[i].seq = 0;
		}
	}
	assert_rc(repl_origin_set_floor(halls[1].r, "hall-a", 1), 0);
	/* The same batch again: a:1 a compacted repeat, a:2 a plain one. */
	on_msg(1, 5, "hall-a", batch.buf, batch.len);
	assert_int_equal(halls[1].reports[REPL_EV_COMPACTED], 1);
	assert_int_equal(halls[1].reports[REPL_EV_STORE], 0);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 2);
	/* a:1 with its signature altered: refused. */
	assert_rc(repl_msg_decode(batch.buf, batch.len, &m), 0);
	assert_int_equal(m->batch->runs[0]->first_seq, 1);
	so = ow__signed_op__unpack(NULL, m->batch->runs[0]->ops[0].len,
	    m->batch->runs[0]->ops[0].data);
	assert_non_null(so);
	so->signature.data[0] ^= 1;
	len = ow__signed_op__get_packed_size(so);
	buf = cm_malloc(len);
	assert_non_null(buf);
	ow__signed_op__pack(so, buf);
	ow__signed_op__free_unpacked(so, NULL);
	for (size_t i = 0; i < m->batch->runs[0]->n_ops; i++) {
		cm_free(m->batch->runs[0]->ops[i].data);
	}
	m->batch->runs[0]->ops[0].data = buf;
	m->batch->runs[0]->ops[0].len = len;
	m->batch->runs[0]->n_ops = 1;
	cm_free(batch.buf);
	assert_rc(repl_msg_encode(m, &batch.buf, &batch.len), 0);
	repl_msg_free(m);
	on_msg(1, 6, "hall-a", batch.buf, batch.len);
	assert_int_equal(halls[1].reports[REPL_EV_BAD_SIGNATURE], 1);
	assert_int_equal(halls[1].reports[REPL_EV_COMPACTED], 1);
	assert_int_equal(halls[1].reports[REPL_EV_STORE], 0);
	cm_free(batch.buf);
	drop_queue();
}

/* ---- memory ------------------------------------------------------------------ */

/* A batch taken with every allocation failing in turn: CM_ENOMEM, no
 * effects, the vector where it was; then it succeeds. */
static void
test_out_of_memory(void **state)
{
	const int pa[] = {1}, pb[] = {0};
	struct repl_effects fx;
	struct msg batch;
	unsigned long k;

	(void)state;
	th_start(0, REPL_BATCH_MAX, pa, 1);
	th_start(1, REPL_BATCH_MAX, pb, 1);
	for (int i = 0; i < 5; i++) {
		local_note(0, 1, "x");
	}
	drop_queue();
	timer(1, 2);
	run(3); /* a answers b's pull: the batch is now in flight to b */
	assert_int_equal(nq, 1);
	batch = q[0];
	nq = 0;
	repl_effects_init(&fx);
	for (k = 1; k < 100000; k++) {
		int rc;

		cm_alloc_fail_after(k, 0);
		rc = repl_on_message(
		    halls[1].r, 4, T0, "hall-a", batch.buf, batch.len, &fx);
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			break;
		}
		assert_rc(rc, CM_ENOMEM);
		assert_int_equal(fx.n, 0);
		assert_int_equal(repl_seq(halls[1].r, "hall-a"), 0);
	}
	assert_true(k > 5);
	assert_int_equal(repl_seq(halls[1].r, "hall-a"), 5);
	apply(1, &fx);
	assert_int_equal(halls[1].persists, 1);
	repl_effects_free(&fx);
	cm_free(batch.buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_pull_and_relay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_byte_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_gap_then_fill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_local_op_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_timeouts_and_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_out_of_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_stable_gossip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stable_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stable_lapse, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_compacted_repeat, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_floor, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
