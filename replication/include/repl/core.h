/*
 * core.h: the replication protocol of one hall as a state machine.
 *
 * The host (ow-node's nng binding, or the simulator in tests/sim) feeds it
 * three kinds of input and carries out the effects it returns:
 *
 *   repl_on_local_op   an op this hall made, sealed and already durable
 *   repl_on_message    bytes a peer sent (pull, batch or hint)
 *   repl_on_timer      time passed (anti-entropy pulls, timeouts, hints)
 *
 * Effects are messages to send (a pull to a peer, a batch in reply to the
 * pull being handled, a hint to every subscriber), ops to persist together
 * with the heads they move in ONE atomic, synced write, and reports for
 * ops staff (refused ops, clocks ahead, peers going down and up). The core
 * never does I/O, never reads a clock and never starts a thread: every
 * entry point takes the time (now_ms: a monotonic clock in ms, for pulls,
 * timeouts and backoff; wall_ms where ops are taken: the hall's wall clock,
 * for the bound on a peer's clock running ahead), so a simulator can run
 * many halls in one process with simulated time and skewed clocks. It reads the hall's log
 * through a table of operations (repl_log_ops) when it answers a pull.
 *
 * The cursor is the version vector: per origin, the highest seq up to
 * which this hall holds every op. Nothing above a gap is applied: such ops
 * are held in memory (bounded) or pulled again. Every op is opened with
 * its origin's registered public key (node_op_open) and must follow the
 * origin's hash chain (node_op_chain_check); anything else is refused and
 * reported, never persisted. Any hall serves any origin's ops, so halls
 * that reach each other only through a hub converge.
 *
 * Threads: none; a struct repl belongs to one thread (ow-node's loop).
 * docs/replication.md specifies the protocol for other implementations.
 */
#ifndef REPL_CORE_H
#define REPL_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hlc.h"
#include "node/oplog.h"
#include "onewindow.pb-c.h"
#include "repl/msg.h"

/* ---- effects ------------------------------------------------------------ */

enum repl_fx_kind {
	/* Send buf to peer: a pull (on the REQ side) or, when is_reply, the
	 * answer to the message being handled (on the REP side). */
	REPL_FX_SEND,
	/* Publish buf to every subscriber (a hint, on the PUB socket). */
	REPL_FX_PUBLISH,
	/* Write ops (log entries keyed (origin, seq)), heads (the vector
	 * entries with their chain hashes) and hlc in one synced batch. */
	REPL_FX_PERSIST,
	/* Tell ops staff: event, code, peer, origin, seq. */
	REPL_FX_REPORT,
};

/*
 * XX(name, log event name). Reports carry no personal data: ids of halls,
 * seqs and codes only. docs/replication.md lists them with their codes:
 * MALFORMED a message or op that does not decode or breaks a rule;
 * UNKNOWN_PEER a sender that is not registered, or not the one the
 * transport proved; UNKNOWN_ORIGIN no key for the origin; BAD_SIGNATURE;
 * CHAIN a signed op that does not follow the origin's head; FORK another
 * op, validly signed, at an (origin, seq) this hall holds; CLOCK_AHEAD
 * the op's clock too far ahead; OWN_AHEAD a peer holds ops of this hall
 * that it lacks; HELD_FULL ops above a gap dropped; STORE the log lacks an
 * op the vector covers; PEER_DOWN, PEER_UP; RESEED a peer compacted ops of
 * origin up to seq that this hall lacks (it must re-seed); COMPACTED a
 * validly signed op came again at a seq this hall compacted: a late
 * repeat, or a fork that can no longer be told from one (never taken).
 */
#define REPL_EVENT_MAP(XX)                                                     \
	XX(MALFORMED, "repl.refused.malformed")                                \
	XX(UNKNOWN_PEER, "repl.refused.peer")                                  \
	XX(UNKNOWN_ORIGIN, "repl.refused.origin")                              \
	XX(BAD_SIGNATURE, "repl.refused.signature")                            \
	XX(CHAIN, "repl.refused.chain")                                        \
	XX(FORK, "repl.refused.fork")                                          \
	XX(CLOCK_AHEAD, "repl.refused.clock")                                  \
	XX(OWN_AHEAD, "repl.refused.own")                                      \
	XX(HELD_FULL, "repl.held.full")                                        \
	XX(STORE, "repl.store")                                                \
	XX(PEER_DOWN, "repl.peer.down")                                        \
	XX(PEER_UP, "repl.peer.up")                                            \
	XX(RESEED, "repl.reseed")                                              \
	XX(COMPACTED, "repl.compacted_repeat")

enum repl_event {
#define REPL_XX_EVENT(name, str) REPL_EV_##name,
	REPL_EVENT_MAP(REPL_XX_EVENT)
#undef REPL_XX_EVENT
	    REPL_EV__COUNT
};

/* "repl.refused.fork"...; "repl.unknown" out of range. Static storage. */
const char *repl_event_name(enum repl_event ev);

struct repl_fx_op {
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq;
	unsigned char hash[NODE_HASH_BYTES];
	uint8_t *buf; /* the SignedOp bytes, as received */
	size_t len;
	Ow__Op *op; /* the op, opened and checked */
};

struct repl_fx_head {
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq;
	unsigned char hash[NODE_HASH_BYTES]; /* of the op at seq */
};

struct repl_effect {
	enum repl_fx_kind kind;
	/* SEND: the peer; REPORT: the peer involved ("" when none). */
	char peer[NODE_ORIGIN_MAX + 1];
	/* SEND, PUBLISH: an encoded ReplMessage. */
	enum repl_msg_kind msg;
	bool is_reply;
	uint8_t *buf;
	size_t len;
	/* PERSIST: ops in the order they were accepted (each origin's by
	 * seq), the new heads, and the clock to store with them. */
	struct repl_fx_op *ops;
	size_t nops;
	struct repl_fx_head *heads;
	size_t nheads;
	uint64_t hlc;
	/* REPORT */
	enum repl_event event;
	int code; /* a CM_E* code */
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq;
};

/* The effects of one call; everything in it is owned by it. */
struct repl_effects {
	struct repl_effect *items;
	size_t n, cap;
};

void repl_effects_init(struct repl_effects *fx);
/* Free what the items own and empty the list (keeps the array). */
void repl_effects_reset(struct repl_effects *fx);
void repl_effects_free(struct repl_effects *fx);

/* ---- the hall's log, as the core reads it ------------------------------- */

struct repl_log_ops {
	/*
	 * The SignedOp bytes of (origin, seq), which the host holds (every
	 * seq up to the core's vector: ops it persisted, and ops persisted
	 * by effects not yet synced). *buf is borrowed: it must stay valid
	 * until the repl_on_* call that asked returns. Returns 0, CM_ENOENT
	 * or another CM_E* code (the core reports REPL_EV_STORE and skips).
	 */
	int (*get)(void *arg, const char *origin, uint64_t seq,
	    const uint8_t **buf, size_t *len);
};

/* ---- configuration and set-up ------------------------------------------ */

/*
 * The host may check the signatures of a batch before the core takes it
 * (on other threads: the check is most of the CPU of taking an op). The
 * core asks, for each op it takes, whether these exact SignedOp bytes
 * were verified with pk; if so it opens them without checking the
 * signature again (node_op_open_ex), and checks everything else as
 * always. NULL: the core checks every signature itself.
 */
struct repl_verified_ops {
	bool (*verified)(void *arg, const uint8_t *buf, size_t len,
	    const unsigned char pk[NODE_PK_BYTES]);
};

struct repl_config {
	const char *self; /* this hall's node id */
	unsigned char self_pk[NODE_PK_BYTES];
	struct cm_hlc *hlc;             /* borrowed: the hall's clock */
	const struct repl_log_ops *log; /* borrowed */
	void *log_arg;
	const struct repl_verified_ops *pre; /* borrowed; may be NULL */
	void *pre_arg;
	/* The cap this hall asks for and serves (at most REPL_BATCH_MAX). */
	uint64_t max_batch_bytes;
	uint32_t pull_interval_ms; /* anti-entropy period per peer */
	uint32_t pull_timeout_ms;  /* a pull without answer has failed */
	uint32_t backoff_min_ms;   /* first wait after a failure */
	uint32_t backoff_max_ms;   /* doubling up to this */
	uint32_t down_after;       /* failures in a row: the peer is down */
	uint32_t hint_interval_ms; /* at most one hint per interval */
	uint64_t max_ahead_ms;     /* an op's clock may be this far ahead */
	size_t held_max_bytes;     /* ops above gaps kept, all origins */
	uint64_t lapse_ms; /* a peer silent this long no longer counts for
	                      what every hall holds */
};

/* The defaults: 4 MiB batches, a pull every 5 s, 3 s timeout, backoff
 * 500 ms .. 30 s, down after 3 failures, hints at most every 20 ms, clocks
 * at most 60 s ahead, 8 MiB held, peers lapse after 30 days. self, self_pk, hlc and log are unset. */
void repl_config_default(struct repl_config *cfg);

struct repl;

/*
 * A core for one hall (copies cfg; borrows cfg->hlc and cfg->log). The
 * hall itself is registered as an origin with self_pk, at seq 0: call
 * repl_origin_set_head for it and every other origin the hall holds ops
 * of before the first event. Returns 0, CM_EINVAL (no self id, hlc or
 * log, or an invalid id) or CM_ENOMEM.
 */
int repl_new(const struct repl_config *cfg, struct repl **out);
void repl_free(struct repl *r);

/*
 * Register an origin's public key (a hall of the city, from its `peer add`
 * or the registry). Its ops are accepted from any peer that relays them.
 * Returns 0, CM_EINVAL (bad id), CM_EEXIST (registered with another key:
 * keys are not replaced silently) or CM_ENOMEM.
 */
int repl_origin_add(
    struct repl *r, const char *id, const unsigned char pk[NODE_PK_BYTES]);

/*
 * Where a registered origin's chain stands in the hall's store: the
 * vector entry and the hash of the op at that seq (NULL for seq 0). For
 * start-up only. Returns 0 or CM_ENOTFOUND (not registered).
 */
int repl_origin_set_head(struct repl *r, const char *id, uint64_t seq,
    const unsigned char hash[NODE_HASH_BYTES]);

/*
 * Pull from a registered hall (the host dials it and subscribes to its
 * hints), or stop. Returns 0, CM_ENOTFOUND (not a registered origin, or
 * not a peer on remove), CM_EINVAL (self) or CM_ENOMEM.
 */
int repl_peer_add(struct repl *r, const char *id);
int repl_peer_remove(struct repl *r, const char *id);

/* ---- events ------------------------------------------------------------- */

/*
 * An op this hall made: sealed by node_op_seal (or the frame pair) and
 * already durable with the hall's vector. The core checks it (own key,
 * next seq, chain), moves the hall's own entry and hints. Borrows buf.
 * Returns 0, CM_EPROTO / CM_ECRYPTO / CM_ERANGE / CM_EINVAL (not the
 * hall's next op: a bug in the host, nothing changed) or CM_ENOMEM.
 */
int repl_on_local_op(struct repl *r, uint64_t now_ms, const uint8_t *buf,
    size_t len, struct repl_effects *fx);

/*
 * A message from peer `from`, whose id the transport proved (mutual TLS
 * and the signed challenge). Borrows buf. A bad message, a refused op,
 * an unknown peer: reported in fx, and the call still returns 0. Returns
 * CM_ENOMEM (nothing of the call took effect; the effects it had added
 * are gone) or CM_EINVAL (NULL arguments).
 */
int repl_on_message(struct repl *r, uint64_t now_ms, uint64_t wall_ms,
    const char *from, const uint8_t *buf, size_t len, struct repl_effects *fx);

/* Time passed: pulls that are due, pulls that timed out, a pending hint.
 * Returns 0 or CM_ENOMEM; either way the effects in fx are to be carried
 * out (what could not be done is tried again at the next timer). */
int repl_on_timer(struct repl *r, uint64_t now_ms, struct repl_effects *fx);

/* A pull could not be sent to peer (no connection): counts as a timeout
 * at once. Returns 0 or CM_ENOTFOUND. */
int repl_on_unreachable(
    struct repl *r, uint64_t now_ms, const char *peer, struct repl_effects *fx);

/* When repl_on_timer next has something to do (now_ms's clock);
 * UINT64_MAX when nothing is scheduled. */
uint64_t repl_next_timer(const struct repl *r);

/* ---- state -------------------------------------------------------------- */

/* The hall's vector entry for origin (0 when unknown). */
uint64_t repl_seq(const struct repl *r, const char *origin);
/* Registered origins, in id order: the i-th id and its seq, NULL past
 * the end. */
const char *repl_origin_at(const struct repl *r, size_t i, uint64_t *seq);
/* Bytes of ops held above gaps. */
size_t repl_held_bytes(const struct repl *r);

struct repl_peer_info {
	bool is_up;          /* answered the last pull (or never asked) */
	uint32_t failures;   /* pulls failed in a row */
	uint64_t last_heard; /* ms of its last message, 0 = never */
	uint64_t behind;     /* ops this hall has that it lacked when last
	                        heard of (sum over origins) */
	uint64_t ahead;      /* ops it had that this hall lacks */
	int last_error;      /* CM_E* of its last refused message or op */
	uint64_t self_seq;   /* its entry for this hall, when last heard of */
	bool counts; /* a statement of its vector came within the lapse */
	char seed_origin[NODE_ORIGIN_MAX + 1]; /* its last batch left this
	                        origin out: compacted up to seed_floor, which
	                        this hall lacks ("" none) */
	uint64_t seed_floor;
};

/*
 * A hall restored from a backup lost the ops it made after the backup,
 * but its peers hold them. With accept_own, it takes its own ops back
 * like any origin's (checked with its own key and chain) and pulls at
 * once from a peer that holds more of them; the host must make no op of
 * its own meanwhile (the core would see two ops at one seq: a fork).
 * Off (the default): its own ops from a peer are refused (OWN_AHEAD).
 */
void repl_set_accept_own(struct repl *r, bool on);

/* 0 or CM_ENOTFOUND (not a peer). */
int repl_peer_info(const struct repl *r, uint64_t now_ms, const char *id,
    struct repl_peer_info *out);

/* ---- compaction (docs/replication.md, "Compaction") --------------------- */

/*
 * What every hall this one counts holds of origin: the least of its own
 * entry and each counted hall's entry in the latest statement of that
 * hall's vector that reached this hall (every pull and batch carries the
 * sender's own statement, stamped with its wall clock, and passes on the
 * latest statement of every other hall it has, so halls that reach each
 * other only through a hub see each other's). A hall counts while a new
 * statement of it came within cfg.lapse_ms (now_ms's clock); a hall never
 * heard of counts as holding nothing until the lapse has passed since the
 * core started (a new hall therefore holds back compaction until it has
 * caught up, and one that is gone for good until the lapse), and a
 * retired one (repl_origin_retire) never counts. It never goes above
 * what any counted hall stated it holds, so the ops of a seal at or below
 * it can be compacted without leaving a counted hall unable to pull them.
 * 0 for an unknown origin.
 */
uint64_t repl_stable_seq(
    const struct repl *r, uint64_t now_ms, const char *origin);

/*
 * The host compacted ops of origin up to seq (at start-up: as stored).
 * A pull whose entry for origin is below it gets no run of that origin,
 * but the floor in the batch, and the requester reports RESEED. Never
 * goes down. 0 or CM_ENOTFOUND.
 */
int repl_origin_set_floor(struct repl *r, const char *id, uint64_t seq);

/* Does this hall count hall id for the stable entries (above)? */
bool repl_origin_counts(const struct repl *r, uint64_t now_ms, const char *id);

/* Ops removed the hall (peer remove): it no longer holds back compaction.
 * 0 or CM_ENOTFOUND. */
int repl_origin_retire(struct repl *r, const char *id, bool retired);

/* The hall's wall clock in ms, to stamp its statements (taken from
 * repl_on_message's wall_ms too; without either, its clock's). */
void repl_set_wall(struct repl *r, uint64_t wall_ms);

/* For every origin of which peer id lacks ops this hall has (as last
 * heard of), the first it lacks: cb(arg, origin, seq). 0 or CM_ENOTFOUND
 * (not a peer). */
int repl_peer_lacks(const struct repl *r, const char *id,
    void (*cb)(void *arg, const char *origin, uint64_t seq), void *arg);

#endif
