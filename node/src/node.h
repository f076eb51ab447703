/*
 * node.h: the hall node's private state and the contracts between its
 * parts: state.c (data directory, in-memory state), server.c (the loop,
 * sockets, group commit), handlers.c (requests), writer.c (ops into
 * batches). Only the loop thread touches struct node, except where a
 * comment says otherwise.
 */
#ifndef NODE_NODE_H
#define NODE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <uv.h>

#include "common/hlc.h"
#include "forms/calendar.h"
#include "forms/catalog.h"
#include "forms/deadline.h"
#include "node/auth.h"
#include "node/cases.h"
#include "node/config.h"
#include "node/oplog.h"
#include "node/queue.h"
#include "node/store.h"
#include "onewindow.pb-c.h"

#define NODE_REQ_MAX (1u << 20) /* largest request accepted */
/* The nng frame limit: a request of NODE_REQ_MAX plus the REQ protocol's
 * header (a 4-byte request id, more through devices). */
#define NODE_FRAME_MAX (NODE_REQ_MAX + 256)
#define NODE_RESP_MAX  (4u << 20) /* largest response sent */
#define NODE_NCTX      16         /* requests served at once */

/* A request in flight: which nng context it came on, and its reply once
 * made. Replies that depend on a write wait for the batch to be synced. */
struct node_slot {
	struct node *n;
	int index;
	nng_ctx ctx;
	nng_aio *aio;
	enum { SLOT_RECV, SLOT_BUSY, SLOT_SEND } state;
	nng_msg *msg;   /* received (owned until handled) */
	uint8_t *reply; /* packed response, cm_malloc'd */
	size_t reply_len;
	struct node_slot *next_done; /* queue of received slots */
	struct node_slot *next_wait; /* replies waiting for a batch */
};

/* An event waiting for its batch to be durable. */
struct node_event {
	struct node_event *next;
	size_t len;
	uint8_t bytes[];
};

/*
 * An op of this node stamped and packed on the loop, to be sealed (chained,
 * signed, hashed, logged) by the flush worker: signing is the largest part
 * of a write's CPU, and only the worker needs the chain head.
 */
struct node_unsealed {
	struct node_op_frame f;
	uint64_t seq;
	uint64_t hlc;     /* the clock after this op, for meta "hlc" */
	uint64_t log_ops; /* the log's op count after it, for "stat/ops" */
};

/* An own op as sealed by the worker, kept for replication (its bytes go
 * to the protocol core once they are durable). */
struct node_sealed {
	uint8_t *buf;
	size_t len;
};

/* Batches: the loop fills `open`; a worker seals and syncs `flying`. */
struct node_gen {
	struct node_batch *batch;
	struct node_unsealed *ops; /* in seq order; sealed by the worker */
	size_t nops, cops;
	struct node_sealed *sealed; /* kept when replication runs */
	size_t nsealed;
	size_t nremote; /* ops of other halls persisted into the batch */
	/* The clock and the log's op count when the loop handed the batch
	 * over (0: take them from its last own op), for meta hlc, stat/ops. */
	uint64_t meta_hlc, meta_log_ops;
	struct node_event *events, *events_tail; /* sent once durable */
	struct node_slot *waiting; /* replies to send when durable */
	size_t nwaiting;
	uint64_t id;
};

/* A save point of the open batch and of what node_write_op advanced. */
struct node_mark {
	uint64_t seq, log_ops;
	struct cm_hlc hlc;
	size_t nops;
	size_t npend;
	size_t nlww;
	size_t nundo;
};

/* How to take back one change of the overlay (a rollback): the slot, and
 * what it held (was_new: the slot was added). */
struct node_ov_undo {
	size_t index;
	bool was_new;
	uint8_t *bytes;
	size_t len;
	uint64_t gen;
};

/* A whole-value stamp (node_lww_stamp) or a catalog version written in a
 * batch that is not durable yet: the store cannot show it, and a later
 * op in the same or the next batch must be judged against it. */
struct node_lww {
	char key[300]; /* "stamp/KIND/NAME" or "catver/CODE" */
	uint64_t hlc;  /* the clock, or the catalog version */
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t gen;
};

/*
 * An op whose batch is not durable yet, for building cases from all their
 * ops (repl_case_build) and for serving peers the ops the protocol core
 * already counts: ops of other halls (the SignedOp as received) and this
 * hall's own ops (the Op bytes, unsealed: their chain hash is the worker's).
 */
struct node_pend {
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq;
	char case_id[NODE_CASE_ID_MAX];
	uint64_t gen;
	uint8_t *buf;
	size_t len;
	bool is_signed;
	uint64_t persist; /* the persist effect that added it (0: own op) */
	uint32_t next_case, next_op; /* hash chains, UINT32_MAX ends */
};

/* A case written but not yet durable: reads see it, and their replies
 * wait for the batch that makes it durable. */
struct node_overlay {
	char id[NODE_CASE_ID_MAX];
	uint8_t *bytes; /* packed Ow__Case */
	size_t len;
	uint64_t gen;
};

/* A recently done change, by request: for idempotent resends. */
#define NODE_RECENT_REQS 1024
struct node_recent {
	uint64_t hash; /* of key: most slots are told apart without strcmp */
	char key[200];
	char case_id[NODE_CASE_ID_MAX];
	uint64_t gen; /* the batch it went into; 0 = empty slot */
};

struct node {
	uv_loop_t loop;
	struct node_config cfg;
	char datadir[1024];
	struct node_store *st;
	struct node_keypair kp;
	char node_id[NODE_ORIGIN_MAX + 1];
	char hall[128];
	char hall_code[NODE_HALL_CODE_MAX];
	int64_t started_at;

	/* The chain of this node's own ops. The loop hands out seq and hlc
	 * (and counts log_ops); head, the hash of the last sealed op, belongs
	 * to whoever seals: the flush worker while a batch flies, the loop
	 * only when none does (node_open, node_reload_counters). */
	struct cm_hlc hlc;
	uint64_t seq;
	unsigned char head[NODE_HASH_BYTES];
	uint64_t log_ops;     /* ops in the log, all origins */
	uint64_t durable_seq; /* own ops known to be synced */
	uint64_t flying_seq;  /* the last own op in the batch being synced */

	/* Case ids: the day and the hall's sequence of that day. */
	int32_t id_day;
	uint32_t id_seq;

	struct form_catalog cat;
	struct form_calendar *cal;
	struct form_thresholds thresholds;

	struct node_sessions sessions;
	struct node_queue queue;

	/* Sockets: requests (REP with contexts) and events (PUB). */
	nng_socket rep, pub;
	nng_listener rep_l, tls_l, pub_l;
	char rep_url[1100], pub_url[1100];
	struct node_slot slots[NODE_NCTX];

	/* Received requests, handed from nng threads to the loop. */
	pthread_mutex_t lock;
	struct node_slot *done_head, *done_tail;
	atomic_bool has_requests; /* done_head is not empty (read unlocked) */
	uv_async_t wake;

	/* Group commit. */
	struct node_gen open, flying;
	bool writing;
	uv_work_t work;
	int write_rc;
	/* The flying batch's ops, and its write and sync's time (worker). */
	uint64_t write_ops, write_ns;
	/* Group commit since the start, for status and /metrics: batches
	 * synced, the ops and the replies that waited in them, and the time
	 * their writes and syncs took. */
	uint64_t syncs, synced_ops, synced_replies, sync_ns;
	uint64_t next_gen;
	uint64_t durable_gen; /* batches up to this one are synced */
	struct node_recent recent[NODE_RECENT_REQS];
	size_t recent_next;
	struct node_overlay *overlay;
	size_t noverlay, coverlay;
	int32_t *ov_index; /* open addressing over overlay by id, -1 empty */
	struct node_ov_undo *ov_undo; /* changes since the open mark */
	size_t nundo, cundo;
	int mark_depth;
	size_t ov_size; /* slots (a power of two), 0 = scan */

	/* Replication (repl.c): NULL when the node has no replication
	 * listener and no peers. */
	struct node_repl *repl;
	struct node_repl *repl_dead; /* stopped; freed by node_close */
	uint64_t forms_reload_gen;   /* a batch with a catalog from a peer */
	/* The configuration file `run` was given ("" = none), read again
	 * on SIGHUP for the log level. */
	char config_path[1024];
	/* Restored from a backup: no op of its own until its peers gave
	 * back the ones it made after the backup (meta "recovering"). */
	bool recovering;
	/* /metrics and /healthz on loopback (metrics.c); NULL when off. */
	struct node_metrics *metrics;
	struct node_pend *pend;
	size_t npend, cpend;
	uint32_t *pend_case_heads, *pend_op_heads;
	struct node_lww *lww;
	size_t nlww, clww;
	size_t pend_buckets;
	bool pend_dirty;
	/* The persist effect being applied (its ops are decoded already and
	 * passed to the build directly), and the last one's number. */
	uint64_t persist_now, persist_last;

	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t tick;
	uv_timer_t sweep_timer;   /* runs while a warning sweep is part way */
	bool sweeping;            /* a warning sweep is part way */
	int32_t sweep_day;        /* the day it is for */
	int32_t swept_day;        /* the day the last full sweep was for */
	uv_timer_t compact_timer; /* runs while a compaction pass is part way */
	bool compacting;
	uint64_t compact_next_ms; /* uv_now of the next pass */
	uint64_t compacted_cases; /* meta stat/compacted: kept as a base */
	uint64_t compacted_ops;   /* and the ops dropped for them */
	/* Floors raised in batches that may not be durable yet. */
	struct node_floor {
		char origin[NODE_ORIGIN_MAX + 1];
		uint64_t seq;
	} * floors;
	size_t nfloors;
	/* Bases written in batches that are not durable yet (compaction,
	 * re-seeding): node_base_get sees them at once. */
	struct node_base_ov {
		char id[NODE_CASE_ID_MAX];
		uint64_t gen;
		uint8_t *bytes;
		size_t len;
	} * bov;
	size_t nbov;
	bool stopping;
	unsigned jobs; /* worker jobs whose reply is still to come */
	int exit_code;
};

/* Big-endian 64-bit numbers, as stored (seqs, counters, heads). */
static inline uint64_t
node_get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = (v << 8) | p[i];
	}
	return v;
}

static inline void
node_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

/* ---- state.c ------------------------------------------------------------ */

/*
 * Create a data directory: the store, the key pair, the first ops
 * account, the bundled catalog and calendar. Refuses an existing
 * directory (CM_EEXIST). admin_password may not be NULL.
 */
int node_init_datadir(const char *dir, const char *node_id, const char *hall,
    const char *hall_code, const char *catalog_dir, const char *calendar_dir,
    const char *admin_password);

/* Open a data directory and load the in-memory state. CM_EBUSY when
 * another node has it. */
int node_open(struct node *n, const char *dir, const struct node_config *cfg);
void node_close(struct node *n);

/* Keep the node's key pair beside its backups (backup_dir/keys), once:
 * a restore needs it. CM_EEXIST when another node's key is there. */
int node_backup_keys(const struct node_keypair *kp, const char *backup_dir);

/*
 * Make a data directory from a backup (id 0: the newest): the store, the
 * key pair kept beside the backups, and the meta flag "recovering", so
 * that the node first takes back from its peers the ops it made after the
 * backup. dir must not exist (CM_EEXIST). Any thread; the store of the
 * running node is not touched.
 */
int node_restore_datadir(const char *backup_dir, uint32_t id, const char *dir);

/* Re-derive the in-memory counters from the store (after a failed write,
 * the batch is lost and memory must match the disk again). */
int node_reload_counters(struct node *n);

/* Load catalog and calendar from the store into memory. */
int node_load_forms(struct node *n);

/* ---- writer.c ----------------------------------------------------------- */

/* The batch the loop is filling, made on first use with the next batch
 * number. 0 or CM_ENOMEM. Every writer goes through this. */
int node_open_batch(struct node *n);

/*
 * Append one op of this node to the open batch: stamp it (origin, seq,
 * hlc; prev_hash is a placeholder) and pack it. The batch's flush seals
 * it (node_gen_seal): chains it to the head, signs it, and puts it into
 * the log with the new head. The caller adds the materialised records to
 * the same batch. Returns 0 or a CM_E* code (nothing is added then; the
 * clock may have moved).
 */
int node_write_op(struct node *n, Ow__Op *op);

/*
 * Save points for a request that writes several records: mark before the
 * first (opens the batch; 0 or CM_ENOMEM), then either unmark (keep) or
 * roll back to the mark: the batch's records, the unsealed ops and the
 * counters node_write_op advanced.
 */
int node_write_mark(struct node *n, struct node_mark *m);
void node_write_unmark(struct node *n);
void node_write_rollback(struct node *n, const struct node_mark *m);

/*
 * Seal the unsealed ops of g in order on top of n->head, put their log
 * records, the new head (vv/<origin>), the clock and the op count into
 * g's batch, and advance n->head. Runs where the batch is written (the
 * flush worker, or init); reads only n->head, n->node_id and n->kp.
 * Frees the ops either way. 0 or CM_EINTERNAL (then n->head is
 * unchanged and the batch must not be written).
 */
int node_gen_seal(struct node *n, struct node_gen *g);
/* Free g's unsealed ops (a batch that will not be written). */
void node_gen_drop_ops(struct node_gen *g);
/* Free the sealed bytes kept for replication. */
void node_gen_drop_sealed(struct node_gen *g);

/* Put a case (packed) and its index changes into the open batch, and
 * into the overlay so reads see it before it is durable. old_keys are
 * the index keys of the case before the change (NULL: a new case). */
int node_write_case(
    struct node *n, const struct node_keys *old_keys, const Ow__Case *c);

/* Read a case: the overlay first, then the store. *gen is the batch the
 * returned case waits for (0 = durable). Free with node_case_free.
 * CM_ENOTFOUND when there is none. */
int node_read_case(
    struct node *n, const char *id, Ow__Case **out, uint64_t *gen);

/* Drop overlay entries of batches that are durable now. */
void node_overlay_settle(struct node *n, uint64_t durable_gen);

/* ---- h_search.c: the log as the history reads it ------------------------- */

/* The origin and seq an index key 'h' names (the case's prefix of plen
 * bytes, then origin, NUL, seq as 8 bytes big-endian); false when the key
 * is malformed. */
bool node_hkey_split(const uint8_t *k, size_t kl, size_t plen,
    char origin[NODE_ORIGIN_MAX + 1], uint64_t *seq);
/* The log's op (origin, seq) decoded without its signature check: the log
 * holds only ops checked when they came; for figures, never for trust.
 * NULL when missing or unreadable. Safe on a worker thread. */
Ow__Op *node_log_op_unchecked(
    struct node_store *st, const char *origin, uint64_t seq);

/* ---- repl.c, repl_apply.c ----------------------------------------------- */

struct node_repl;

/* Start replication if configured (a listener or peers stored): sockets,
 * the protocol core, the peers' dialers. 0 or a CM_E* code. */
int node_repl_start(struct node *n);
void node_repl_stop(struct node *n);
/* A write failed that the core may count on: take nothing more. */
void node_repl_halt(struct node *n);
/* A batch became durable: hand its own sealed ops to the core. */
void node_repl_durable(struct node *n, struct node_gen *g);

/* REPL_FX_PERSIST into the open batch (repl_apply.c). */
struct repl_effect;
int node_repl_persist(struct node *n, const struct repl_effect *e);
/* The SignedOp of a pending op of another hall; 0 or CM_ENOENT. */
int node_pend_get_signed(struct node *n, const char *origin, uint64_t seq,
    const uint8_t **buf, size_t *len);
/* The public key of an origin: this node's or a registered peer's.
 * 0 or CM_ENOTFOUND. */
int node_origin_pk(
    struct node *n, const char *origin, unsigned char pk[NODE_PK_BYTES]);

/* The keys ops are checked with: this node's and every registered
 * peer's (removed ones too: their ops stay in the log). *out is
 * cm_malloc'd. 0 or CM_ENOMEM. */
struct node_origin_key {
	char origin[NODE_ORIGIN_MAX + 1];
	unsigned char pk[NODE_PK_BYTES];
};
int node_origin_keys(
    struct node *n, struct node_origin_key **out, size_t *nout);

/* Pending ops (above): add one, settle those of durable batches, drop
 * those past a mark (rollback) or all (a failed write). */
int node_pend_add(struct node *n, const char *origin, uint64_t seq,
    const char *case_id, const uint8_t *buf, size_t len, bool is_signed);
void node_pend_settle(struct node *n, uint64_t durable_gen);
void node_pend_truncate(struct node *n, size_t npend);

/*
 * Build a case again from every op the hall holds for it (the store, the
 * pending ops, and extra: ops being written now), with repl_case_build,
 * so that every hall holding the same ops holds the same bytes. *out is
 * NULL when no create is ready. 0 or a CM_E* code.
 */
int node_case_rebuild(struct node *n, const char *case_id, Ow__Op *const *extra,
    size_t nextra, Ow__Case **out);

/*
 * The whole change of one set of ops on a case made at this hall (h_cases.c):
 * the ops (stamped with actor and request, context the case's version),
 * the case built again, its indexes, history, registry and warning level;
 * all rolled back if any part fails. *cur is the case before (NULL for a
 * create) and after. done (may be NULL) runs before the change is kept.
 */
int node_case_commit(struct node *n, const char *actor, const char *request,
    Ow__Op **ops, size_t nops, Ow__Case **cur,
    void (*done)(void *arg, const char *case_id), void *arg);

/* Every op the hall holds for a case: the store's, then the pending ones
 * (*ops owned: node_ops_free); *pending (may be NULL): any of them in a
 * batch that is not durable yet. 0 or a CM_E* code. */
int node_case_ops(struct node *n, const char *case_id, Ow__Op ***ops,
    size_t *nops, bool *pending);
void node_ops_free(Ow__Op **ops, size_t n);

/* The digest of docs/replication.md of one case (warning cleared). 0 or
 * CM_ENOMEM. */
int node_case_digest_of(const Ow__Case *c, unsigned char out[32]);

/* ---- compact.c: seals and compaction (docs/replication.md) -------------- */

/* What the hall compacted of origin (meta floor/ORIGIN, or raised in a
 * batch not durable yet), 0 none. */
uint64_t node_floor_get(struct node *n, const char *origin);
/* The same from the store alone (any thread). */
uint64_t node_floor_read(struct node_store *st, const char *origin);
/* The stored floor and the hash of the op at it: 0, CM_ENOTFOUND. */
int node_floor_hash(struct node *n, const char *origin, uint64_t *seq,
    unsigned char hash[NODE_HASH_BYTES]);
/* Raise origin's floor to seq (the op at it has hash) in the open batch
 * and in the core. */
void node_floor_put(struct node *n, const char *origin, uint64_t seq,
    const unsigned char hash[NODE_HASH_BYTES]);
/* The seal of base b: among ops, or the copy b keeps (then decoded into
 * *owned, which the caller frees). NULL when neither holds it. */
const Ow__Op *node_base_seal(
    const Ow__CaseBase *b, Ow__Op *const *ops, size_t n, Ow__Op **owned);
/* Put a base (CaseBase bytes) for case id into the open batch, seen by
 * node_base_get at once. 0 or CM_ENOMEM. */
int node_base_put(
    struct node *n, const char *id, const uint8_t *bytes, size_t len);
/* Forget overlay bases of durable batches (all: UINT64_MAX). */
void node_base_settle(struct node *n, uint64_t durable_gen);
/* The base a case is kept on (meta base/ID): 0, CM_ENOTFOUND, or
 * CM_ECORRUPT. Free with ow__case_base__free_unpacked. */
int node_base_get(struct node *n, const char *case_id, Ow__CaseBase **out);
/* The same from the store alone (any thread). */
int node_base_read(
    struct node_store *st, const char *case_id, Ow__CaseBase **out);
/*
 * A slice of the compaction pass (at most budget_us, giving way to
 * waiting requests after floor_us): seal this hall's final cases quiet
 * for seal_after_s, and keep sealed cases that every counted hall holds
 * on their base instead of their ops. true when the pass is over.
 */
bool node_compact_sweep(struct node *n, uint64_t budget_us, uint64_t floor_us);
/* Compact one case now if it can be (tests and the pass): 1 done, 0 not
 * (yet), or a CM_E* code. Sealing too when seal is true. */
int node_compact_case(struct node *n, const char *case_id, bool seal);

/* Drop the ops of a case that version covers (log, history index,
 * floors raised) in the open batch. 0 or a CM_E* code. */
int node_compact_drop(struct node *n, const char *case_id, Ow__Op **ops,
    size_t nops, const Ow__VersionVector *version);
/* Count cases newly kept on a base and ops dropped (status, meta
 * stat/compacted in the open batch). */
void node_compact_count(struct node *n, uint64_t cases, uint64_t ops);

/* repl.c: what every counted hall holds of origin (the core's stable
 * entry; this hall's own entry without replication), the floor, the
 * vector entry, and moving it (re-seeding). */
uint64_t node_repl_stable(struct node *n, const char *origin);
void node_repl_set_floor(struct node *n, const char *origin, uint64_t seq);
uint64_t node_repl_seq(struct node *n, const char *origin);
int node_repl_set_head(struct node *n, const char *origin, uint64_t seq,
    const unsigned char hash[NODE_HASH_BYTES]);

/* ---- reseed.c: re-seeding from a peer's checkpoint ---------------------- */

struct node_seed_stats {
	size_t bases, ops, skipped;
};

/* One page of this hall's checkpoint for an asker whose vector is in ask
 * (any thread: store reads only). Nothing below a floor: no floors in
 * *out. Free with node_seed_free. 0 or a CM_E* code. */
int node_seed_page(
    struct node_store *st, const Ow__ReplSeed *ask, Ow__ReplSeed *out);
void node_seed_free(Ow__ReplSeed *s);
/* Take a page (bases checked against their seals, ops against their
 * origins' keys) into the open batch. 0 or a CM_E* code (nothing of the
 * page then). */
int node_seed_apply(
    struct node *n, const Ow__ReplSeed *page, struct node_seed_stats *st);
/* After the last page: move the vector to the page's floors. */
int node_seed_finish(struct node *n, const Ow__ReplSeed *page);

/* Write a case made again (or changed) with its derived views: the
 * overlay, indexes, applicant registry (when fields changed) and the
 * warning level; publishes the change once durable. */
int node_case_store(struct node *n, const Ow__Case *old, const Ow__Case *cs,
    bool fields_changed, uint64_t hlc);

/* The stamp of a whole-value record in force (KIND "user": accounts,
 * "cal": calendar files; city-wide, last writer wins by (hlc, origin)),
 * into the open batch. */
void node_lww_stamp(struct node *n, const char *kind, const char *name,
    uint64_t hlc, const char *origin);
/* A catalog version of code written in the open batch (for a later op of
 * the same code before it is durable). */
void node_catver_pending(struct node *n, const char *code, unsigned version);

/* Calendar files (state.c): a name is 1..64 of [A-Za-z0-9._-] ending in
 * ".json"; check a file (0, or CM_EPARSE with diagnostics in d, which
 * may be NULL); store it under meta "cal/NAME" in the open batch. */
bool node_calendar_name_ok(const char *name);
int node_calendar_check(
    const char *name, const void *buf, size_t len, struct form_diags *d);
void node_calendar_store(
    struct node *n, const char *name, const void *buf, size_t len);

/* Announce a changed case on the events socket once its batch is
 * durable (kind "case"). */
void node_publish_case(struct node *n, const Ow__Case *cs);

/* The history index key of (case, origin, seq): 'h', NUL, case id, NUL,
 * origin, NUL, seq (8 bytes BE); its length. */
#define NODE_HIST_KEY_MAX (NODE_CASE_ID_MAX + NODE_ORIGIN_MAX + 16)
size_t node_hist_key(const char *case_id, const char *origin, uint64_t seq,
    uint8_t key[NODE_HIST_KEY_MAX]);
/* The history index entry of (case, origin, seq) into the open batch. */
void node_index_history(
    struct node *n, const char *case_id, const char *origin, uint64_t seq);

/* The case digest of docs/replication.md, from the store (any thread):
 * total, 256 bucket digests, and for the buckets flagged in ask, the
 * (case id, hex digest) pairs. 0 or a CM_E* code. */
int node_digest(
    struct node_store *st, const bool ask[256], Ow__ReplDigest *out);
void node_digest_free(Ow__ReplDigest *d);

/* ---- opswarn.c ---------------------------------------------------------- */

/* Warnings for ops, "code: detail" each (calendar_missing,
 * calendar_next_year_missing, certificate_expiring, certificate_expired,
 * certificate_unreadable, peer_unreachable, clock_ahead,
 * disk_nearly_full); *out cm_malloc'd, free with node_ops_warnings_free.
 * Cheap enough for the loop. 0 or CM_ENOMEM. */
int node_ops_warnings(struct node *n, char ***out, size_t *nout);
/* When the certificate in path runs out (unix seconds): 0, CM_ENOENT (no
 * path) or CM_EPROTO (it does not parse). */
int node_cert_expiry(const char *path, int64_t *out);
void node_ops_warnings_free(char **items, size_t n);
/* Log each warning when it appears (and hourly while it lasts). */
void node_ops_warnings_log(struct node *n);
/* Ops of peers refused for a clock too far ahead, about the last hour
 * (repl.c). */
uint64_t node_repl_clock_refusals(struct node *n);

/* ---- derived.c ---------------------------------------------------------- */

/* The applicant registry: latest contact data per ID number. */
int node_registry_get(
    struct node *n, const char *id, Ow__ApplicantGetResp **out);
/* Fold a case's applicant and profile fields into the registry (last
 * writer wins by hlc). m may be NULL (no profile fields then). */
int node_registry_update(struct node *n, const Ow__Case *cs,
    const struct form_matter *m, uint64_t hlc);

/* Deadline warnings: the stored level (-1 = none), setting it (returns 1
 * when it changed), computing it for today, and the timer's sweep. */
int node_warning_of(struct node *n, const char *id);
int node_warning_set(struct node *n, const char *id, int level);
/* The same when the stored level is known (-1 for a new case): no read. */
int node_warning_move(struct node *n, const char *id, int old, int level);
int node_warning_compute(struct node *n, const Ow__Case *cs);
/* One slice of the sweep: at most budget_us of the loop's time, and less
 * when a request is waiting (after floor_us). True when a pass ended. */
bool node_warnings_sweep(struct node *n, uint64_t budget_us, uint64_t floor_us);

/* The matter a case was taken in under (an older version from the
 * store); *owned is set when the caller must free it. */
const struct form_matter *node_matter_of(struct node *n, const char *code,
    unsigned version, struct form_matter **owned);

/* ---- server.c ----------------------------------------------------------- */

int node_serve(struct node *n);

/* A TLS configuration of the node's certificate and key checking the
 * other end against ca (a PEM file: tls_ca for desks, repl_tls_ca or
 * tls_ca for halls), with the peer's certificate required (mutual TLS).
 * An nng error code; *out freed by the caller. */
int node_tls_config(const struct node_config *cfg, const char *ca,
    nng_tls_mode mode, nng_tls_config **out);

/* Hand the open batch to the flush worker if none flies (after work that
 * did not come as a request: replication). */
void node_flush_soon(struct node *n);

/* Publish an event on the events socket (best effort: hints only). */
void node_publish(struct node *n, const Ow__Event *ev);

/* Run work on libuv's pool for a request that replies later; the node
 * does not stop while such jobs are out (their replies need the
 * sockets). The after-work callback calls node_job_done first. */
int node_queue_job(
    struct node *n, uv_work_t *w, uv_work_cb work, uv_after_work_cb after);
void node_job_done(struct node *n);

/* Is a received request waiting for the loop? Any thread; a hint. */
bool node_requests_waiting(struct node *n);

/* Make the slot's reply wait for the open batch. */
void node_defer_reply(struct node *n, struct node_slot *slot);

/* ---- handlers.c --------------------------------------------------------- */

enum node_disp {
	NODE_REPLY_NOW,         /* send resp at once */
	NODE_REPLY_AFTER_BATCH, /* send resp once the open batch is durable */
	NODE_REPLY_LATER,       /* the handler took the slot: it replies
	                           with node_finish_async */
};

/* Handle one decoded request; fills resp. */
enum node_disp node_handle(struct node *n, struct node_slot *slot,
    const Ow__Request *req, Ow__Response *resp);

/* Reply for a request a handler answered later (after a worker job). */
void node_finish_async(struct node *n, struct node_slot *slot,
    Ow__Response *resp, enum node_disp disp);

/* Free what handlers allocated inside resp (its bodies). */
void node_response_free(Ow__Response *resp);

/* Today in the hall, and now in unix seconds (tests may fix them with
 * OW_TODAY / OW_NOW in the environment). */
int32_t node_today(const struct node *n);
int64_t node_now(const struct node *n);

#endif
