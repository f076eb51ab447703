/*
 * repl_testlib.h: helpers for the replication unit tests: halls with
 * keys and chains that seal ops, ops of every case kind, and an in-memory
 * log that a core can read.
 */
#ifndef REPL_TESTLIB_H
#define REPL_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/oplog.h"
#include "node/workflow.h"
#include "onewindow.pb-c.h"
#include "repl/core.h"

#define TL_OPS_MAX 256

/* A hall for tests: its key (from a fixed seed), its chain, and the log
 * of every op it holds (its own and others'). */
struct tl_hall {
	char id[32];
	struct node_keypair kp;
	uint64_t seq;
	unsigned char head[NODE_HASH_BYTES];
	uint64_t hlc_ms;
	/* The log: ops by origin and seq. */
	struct tl_logop {
		char origin[32];
		uint64_t seq;
		uint8_t *buf;
		size_t len;
	} log[TL_OPS_MAX];
	size_t nlog;
};

void tl_hall_init(struct tl_hall *h, const char *id);
void tl_hall_free(struct tl_hall *h);

/* Seal op as h's next op (origin, seq, hlc, prev_hash are set here; hlc
 * from h->hlc_ms, which then grows by one); the SignedOp goes into h's
 * log and a copy is returned (cm_free). The op's other fields are
 * borrowed. */
uint8_t *tl_seal(struct tl_hall *h, Ow__Op *op, size_t *len);

/* Put a persisted op into h's log (copies buf). */
void tl_log_put(struct tl_hall *h, const char *origin, uint64_t seq,
    const uint8_t *buf, size_t len);

/* The log ops a core reads h's log through (arg = h). */
extern const struct repl_log_ops tl_log_ops;

/* Decode a SignedOp's op (no signature check). Free with
 * ow__op__free_unpacked(op, NULL). */
Ow__Op *tl_open(const uint8_t *buf, size_t len);

/* A context (a copy of v, or NULL); free with tl_vv_free. */
Ow__VersionVector *tl_vv(
    int n, const char *const *origins, const uint64_t *seqs);
void tl_vv_free(Ow__VersionVector *v);

/* Ops on case "C1" (all strings static or borrowed; free with
 * tl_op_free, which frees what these allocate). */
Ow__Op *tl_create(enum node_state state);
Ow__Op *tl_edit(const char *key, const char *value, const char *material);
Ow__Op *tl_act(enum node_state from, enum node_action action);
Ow__Op *tl_assign(const char *hall, const char *assignee);
Ow__Op *tl_note(const char *text);
Ow__Op *tl_rate(unsigned level);
/* A remediation step (1 callback, 2 rectified: text; 3 follow-up: level)
 * on day; an acknowledgement by actor. */
Ow__Op *tl_remedy(unsigned step, const char *text, unsigned level, int day);
Ow__Op *tl_ack(const char *actor);
/* A seal (a digest of zeros: the merge does not check it). */
Ow__Op *tl_case_seal(void);
void tl_op_free(Ow__Op *op);

#endif
