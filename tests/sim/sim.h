/*
 * sim.h: the deterministic replication simulator (tests/sim).
 *
 * One seed drives a whole world: 3 to 20 halls, each a replication core
 * (replication/) with a store that keeps what was synced apart from what
 * was only written, on a network that drops, duplicates, delays and
 * reorders messages and can be cut into partitions, with crashes, skewed
 * and jumping clocks, clients making case ops at random halls, and an
 * adversary that sends forged, altered, replayed and misplaced ops. Time
 * is simulated; nothing depends on the real clock, addresses or hashing
 * of pointers, so a seed replays exactly (`sim --seed N`).
 *
 * After every event the checker tests safety; after the faults stop and
 * the network heals, it waits for the halls to converge and compares them.
 *
 * A hall also seals the cases it created now and then, and compacts: it
 * keeps a sealed case as the base the merge gives at the seal, drops the
 * ops the base covers once every hall holds them, and serves no pull
 * below what it dropped (sim_hall.c, "Seals and compaction").
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/hlc.h"
#include "node/cases.h"
#include "node/oplog.h"
#include "onewindow.pb-c.h"
#include "repl/core.h"

#define SIM_HALLS_MAX  20
#define SIM_LAG_MAX_MS 500

/* ---- the seeded generator (splitmix64) ------------------------------------ */

struct sim_rng {
	uint64_t s;
};

static inline uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0; the bias of the modulo is negligible here). */
static inline uint64_t
sim_rng_below(struct sim_rng *r, uint64_t n)
{
	return n == 0 ? 0 : sim_rng_next(r) % n;
}

/* Uniform in [lo, hi]. */
static inline int64_t
sim_rng_range(struct sim_rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)sim_rng_below(r, (uint64_t)(hi - lo + 1));
}

/* True with probability per_mille / 1000. */
static inline bool
sim_rng_chance(struct sim_rng *r, unsigned per_mille)
{
	return sim_rng_below(r, 1000) < per_mille;
}

/* ---- the world -------------------------------------------------------------- */

/* An op made in the world (by a client at its origin hall). */
struct sim_op {
	int origin; /* hall index */
	uint64_t seq;
	int case_idx;
	uint8_t *buf; /* SignedOp */
	size_t len;
	unsigned char hash[NODE_HASH_BYTES];
	Ow__Op *op; /* decoded */
};

struct sim_case {
	char id[NODE_CASE_ID_MAX];
	int *ops; /* indexes into world ops, in the order made */
	size_t nops, cops;
};

/* What a hall keeps of a compacted case instead of the ops it covers:
 * the case at the seal's context (owned) and the seal (a world op). */
struct sim_base {
	Ow__Case *c;
	int seal; /* index into world ops; -1 without a base */
};

struct sim_hall {
	int idx;
	char id[24];   /* node id: "hall-07" */
	char code[16]; /* hall code: "H07" */
	struct node_keypair kp;
	struct repl *core;
	struct cm_hlc hlc;
	uint64_t hlc_durable;
	bool is_up;
	uint64_t gen;                    /* incarnation: bumped by each crash */
	int64_t skew_ms;                 /* wall = epoch + now + skew */
	uint64_t timer_tok;              /* the live timer event's token */
	uint64_t written[SIM_HALLS_MAX]; /* per origin, in the store */
	uint64_t durable[SIM_HALLS_MAX]; /* of them, synced */
	uint64_t seen[SIM_HALLS_MAX];    /* highest core vector seen */
	uint64_t wrote[SIM_HALLS_MAX];   /* the most ever written (a crash
	                                    may have lost some since) */
	uint64_t sync_at;                /* the last sync scheduled */
	Ow__Case **cases;                /* per world case, or NULL */
	size_t ncases;
	/* Compaction, durable at once (it touches synced ops only): per
	 * world case its base (nbases slots), per origin the highest seq
	 * dropped. */
	struct sim_base *bases;
	size_t nbases;
	uint64_t floor[SIM_HALLS_MAX];
	int peers[SIM_HALLS_MAX];
	int npeers;
	struct repl_config cfg;
};

struct sim_stats {
	uint64_t events, messages, dropped, dups, client_ops, crashes;
	uint64_t partitions, clock_jumps, injected, refused[REPL_EV__COUNT];
	uint64_t conflicts_end, converge_ms, cases;
	uint64_t lag_ms; /* the probe op's way to every hall */
	/* Seals made, cases compacted (a base kept or moved on), ops
	 * dropped, final comparisons of a case a hall keeps on a base. */
	uint64_t seals, compactions, ops_dropped, compared_on_base;
	/* Compaction attempts where a hall lacked ops its core counted as
	 * held by every hall, and compactions that dropped such ops: ops
	 * the hall had stated before a crash lost them (sim_hall.c,
	 * held_everywhere). */
	uint64_t core_overclaim, lost_stated;
};

struct sim_event; /* the event queue's entries (sim_world.c) */

struct sim_world {
	uint64_t seed;
	struct sim_rng rng;
	bool verbose; /* trace every event to stderr */
	uint64_t now;
	uint64_t epoch_ms; /* wall clock at time 0 */
	int nhalls;
	struct sim_hall halls[SIM_HALLS_MAX];
	bool link[SIM_HALLS_MAX][SIM_HALLS_MAX]; /* peers (symmetric) */
	bool cut[SIM_HALLS_MAX][SIM_HALLS_MAX];  /* partitioned */
	/* The network's faults; all 0 once healed. */
	unsigned drop_pm, dup_pm, long_pm;
	uint32_t delay_min, delay_max, long_max;
	bool is_healed;
	uint64_t heal_at, deadline;
	bool is_done;
	/* After convergence, one op at a hall must reach every hall within
	 * SIM_LAG_MAX_MS: hints, not the periodic pull, carry it. */
	bool is_probing;
	uint64_t probe_at;
	/* Ops and cases. */
	struct sim_op *ops;
	size_t nops, cops;
	int *by_origin[SIM_HALLS_MAX]; /* op index by seq - 1 */
	uint64_t made[SIM_HALLS_MAX];  /* ops each hall made (acknowledged) */
	size_t cap_origin[SIM_HALLS_MAX];
	struct sim_case *cases;
	size_t ncases, ccases;
	/* The event queue (a binary heap). */
	struct sim_event *q;
	size_t nq, cq;
	uint64_t qseq;
	/* Processing an adversary's message: refusals are expected. */
	bool is_injecting;
	unsigned inject_reports;
	/* The first failure, if any. */
	char failure[512];
	struct sim_stats st;
};

/* The core configuration every hall of a world uses. */
struct sim_params {
	uint32_t max_batch;
	size_t held_max;
};

/* Run one seed; 0 when every check passed, else 1 with the first failure
 * in failure. verbose traces every event to stderr; st may be NULL. */
int sim_run(uint64_t seed, bool verbose, struct sim_stats *st, char *failure,
    size_t fsize);

/* ---- shared between the files ------------------------------------------------ */

/* Record the first failure (printf-style) and stop the world. */
void sim_fail(struct sim_world *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sim_trace(struct sim_world *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* sim_hall.c */
int sim_hall_start(struct sim_world *w, struct sim_hall *h);
void sim_hall_crash(struct sim_world *w, struct sim_hall *h);
void sim_hall_effects(
    struct sim_world *w, struct sim_hall *h, struct repl_effects *fx);
void sim_hall_client(struct sim_world *w, struct sim_hall *h);
void sim_hall_rebuild(struct sim_world *w, struct sim_hall *h, int case_idx);
uint64_t sim_hall_wall(const struct sim_world *w, const struct sim_hall *h);
void sim_hall_free(struct sim_hall *h);
void sim_hall_sync(struct sim_world *w, struct sim_hall *h,
    const uint64_t *heads, uint64_t hlc);
/* The compaction pass: maybe seal a case of the hall's, then compact
 * every case whose seal every hall holds. */
void sim_hall_compact(struct sim_world *w, struct sim_hall *h);
/* Does the hall keep case_idx on a base, and has it dropped op? */
const struct sim_base *sim_hall_base(const struct sim_hall *h, int case_idx);
bool sim_hall_dropped(const struct sim_world *w, const struct sim_hall *h,
    const struct sim_op *op);

/* sim_world.c: the network */
void sim_net_send(struct sim_world *w, int from, int to, const uint8_t *buf,
    size_t len, bool is_injected);
void sim_schedule_timer(struct sim_world *w, struct sim_hall *h);
void sim_schedule_sync(
    struct sim_world *w, struct sim_hall *h, const struct repl_effect *e);
void sim_schedule_compact(struct sim_world *w, struct sim_hall *h);

/* sim_check.c */
void sim_check_hall(struct sim_world *w, struct sim_hall *h);
void sim_check_case(
    struct sim_world *w, struct sim_hall *h, int case_idx, size_t anomalies);
/* True when every hall is up and holds every op; then compares cases. */
bool sim_check_converged(struct sim_world *w);
void sim_check_final(struct sim_world *w);

/* sim_adversary.c */
void sim_inject(struct sim_world *w);

#endif
