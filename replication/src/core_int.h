/*
 * core_int.h: what the files of the replication core share (core.c, the
 * set-up, timers and entry points; effects.c, the effect lists and
 * reports; serve.c, answering a pull; take.c, taking ops from a batch).
 * Private to replication/src: the names with repl__ are the module's own.
 */
#ifndef REPL_CORE_INT_H
#define REPL_CORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "repl/core.h"

/* take_op's "stop this origin for the rest of the call". */
#define TAKE_STOP 1

struct held {
	uint64_t seq;
	uint8_t *buf;
	size_t len;
};

struct origin {
	char id[NODE_ORIGIN_MAX + 1];
	unsigned char pk[NODE_PK_BYTES];
	uint64_t seq;                        /* the vector entry */
	unsigned char head[NODE_HASH_BYTES]; /* hash of op seq; 0s at 0 */
	/* Staged during one call (valid while st_gen == r->gen). */
	uint64_t st_gen;
	uint64_t st_seq;
	unsigned char st_head[NODE_HASH_BYTES];
	bool st_touched, st_stop;
	/* Ops above the gap, by seq, unverified. */
	struct held *held;
	size_t nheld, cheld;
	/* The last op refused for its clock: until the clock catches up a
	 * peer sends it at every pull, and checking its signature again
	 * each time would cost more than anything else the core does. */
	uint64_t floor; /* this hall compacted ops of it up to here */
	/* The hall's vector as it last stated it (passed on by any hall),
	 * its stamp, and this hall's now_ms when that stamp arrived. */
	struct known *seen;
	size_t nseen;
	uint64_t seen_stamp, seen_at;
	bool has_seen;
	bool retired;       /* removed by ops: never counts */
	uint64_t ahead_seq; /* 0: none */
	uint64_t ahead_hlc;
	unsigned char ahead_bytes[NODE_HASH_BYTES]; /* BLAKE2b of the bytes */
};

struct known {
	char id[NODE_ORIGIN_MAX + 1];
	uint64_t seq;
};

struct peer {
	char id[NODE_ORIGIN_MAX + 1];
	bool in_flight;
	bool again; /* a hint came while the pull was in flight */
	bool is_down;
	uint64_t req;
	uint64_t sent_at;
	uint64_t next_pull;
	uint32_t backoff;
	uint32_t failures;
	uint64_t last_heard;
	int last_error;
	struct known *known; /* its vector, as it last told */
	size_t nknown;
	uint64_t seed_origin_seq; /* the floor it told this hall lacks */
	char seed_origin[NODE_ORIGIN_MAX + 1]; /* "" none */
};

struct repl {
	struct repl_config cfg;
	char self[NODE_ORIGIN_MAX + 1];
	struct origin **origins;
	size_t norigins;
	struct peer **peers;
	size_t npeers;
	uint64_t next_req;
	uint64_t gen;
	bool hint_pending;
	bool has_hinted;
	uint64_t last_hint;
	size_t held_bytes;
	bool held_reported;  /* HELD_FULL once per call */
	bool accept_own;     /* restored: takes its own ops back from peers */
	uint64_t wall;       /* the latest wall clock the host gave */
	uint64_t stamp_last; /* the stamp of this hall's last statement */
	bool started;        /* start: the first timer or message */
	uint64_t start;
	/* Ops accepted during the current call. */
	struct repl_fx_op *st_ops;
	size_t st_nops, st_cops;
};

/* effects.c */
void repl__copy_id(char dst[NODE_ORIGIN_MAX + 1], const char *src);
/* A new zeroed item of kind at the end of fx, or NULL. */
struct repl_effect *repl__fx_push(
    struct repl_effects *fx, enum repl_fx_kind kind);
/* Drop the items from n on (a failed call takes back what it added). */
void repl__fx_truncate(struct repl_effects *fx, size_t n);
void repl__fx_op_free(struct repl_fx_op *o);
/* Append a REPORT; 0 or CM_ENOMEM. */
int repl__report(struct repl_effects *fx, enum repl_event ev, int code,
    const char *peer, const char *origin, uint64_t seq);

/* core.c */
struct origin *repl__find_origin(const struct repl *r, const char *id);
/* The hall's vector as a message part, its entries pointing into r;
 * free with repl__vector_free. 0 or CM_ENOMEM. */
int repl__vector_make(const struct repl *r, Ow__VersionVector *vv);
void repl__vector_free(Ow__VersionVector *vv);
/* Every hall's vector as this hall last saw it, its own first
 * (docs/replication.md, "Compaction"), for a message; free with
 * repl__seen_free. 0 or CM_ENOMEM. */
int repl__seen_make(struct repl *r, Ow__HallVector ***out, size_t *n);
void repl__seen_free(Ow__HallVector **v, size_t n);
/* Encode m into a SEND (to peer) or PUBLISH effect. */
int repl__emit(struct repl_effects *fx, enum repl_fx_kind kind,
    const char *peer, bool is_reply, const Ow__ReplMessage *m);

/* serve.c: the reply to a pull from `from`, as a SEND effect. */
int repl__answer_pull(struct repl *r, uint64_t now, const char *from,
    const Ow__ReplPull *pull, struct repl_effects *fx);

/* take.c: take the ops of a batch (wall: the hall's wall clock); one
 * PERSIST effect if any was accepted (*progress). 0 or CM_ENOMEM, and
 * then nothing changed but the held ops. */
int repl__take_batch(struct repl *r, uint64_t wall, const char *from,
    const Ow__ReplBatch *batch, struct repl_effects *fx, bool *progress);
/* Free the ops staged during a call. */
void repl__stage_clear(struct repl *r);

#endif
