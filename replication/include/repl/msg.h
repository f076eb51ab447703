/*
 * msg.h: the replication messages on the wire (ReplMessage in
 * common/proto/onewindow.proto; docs/replication.md specifies them).
 *
 * Every replication message is one ReplMessage: a pull ("my vector, at
 * most N bytes"), a batch (the reply: runs of consecutive signed ops per
 * origin) or a hint ("my vector moved"). The decoder is the trust boundary
 * for everything but the ops themselves (which node_op_open checks): it is
 * bounded, refuses what the protocol does not allow, and tells lack of
 * memory apart from a malformed message.
 */
#ifndef REPL_MSG_H
#define REPL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "node/oplog.h"
#include "onewindow.pb-c.h"

/* ReplMessage.version of this protocol. */
#define REPL_PROTO_VERSION 1

/* The largest batch (encoded ReplMessage) a hall asks for or sends; a
 * single op larger than the requested cap still travels alone. */
#define REPL_BATCH_MAX ((uint64_t)NODE_OP_MAX_BYTES)
/* The smallest cap a pull may ask for (smaller ones are raised to it). */
#define REPL_BATCH_MIN 1024u
/* Room for a batch of one op of NODE_OP_MAX_BYTES with its framing and a
 * vector of REPL_VECTOR_MAX entries: the receiver's NNG_OPT_RECVMAXSZ and
 * the decoder's bound. */
#define REPL_MSG_MAX (NODE_OP_MAX_BYTES + 256u * 1024u)
/* Entries in one vector (halls of a city), runs and ops in one batch. */
#define REPL_VECTOR_MAX    1024u
#define REPL_RUNS_MAX      4096u
#define REPL_BATCH_OPS_MAX 65536u

enum repl_msg_kind {
	REPL_MSG_PULL,
	REPL_MSG_BATCH,
	REPL_MSG_HINT,
};

/*
 * Decode a ReplMessage of len bytes (borrows buf) and check it against
 * the protocol: version, a body, a valid sender id, vectors of valid
 * distinct origins (at most REPL_VECTOR_MAX), runs with a valid origin,
 * at least one op, first_seq >= 1 and no seq overflow, ops of at most
 * NODE_OP_MAX_BYTES, and nowhere a field numbered 0. The ops inside are
 * not opened: that is node_op_open's job, with the origin's key.
 *
 * Returns 0 (*out to free with repl_msg_free), CM_EPROTO (malformed, or
 * larger than REPL_MSG_MAX), CM_EUNSUPPORTED (another protocol version)
 * or CM_ENOMEM. *out is NULL on failure.
 */
int repl_msg_decode(const uint8_t *buf, size_t len, Ow__ReplMessage **out);
void repl_msg_free(Ow__ReplMessage *m);

/* The kind of a decoded message. */
enum repl_msg_kind repl_msg_kind(const Ow__ReplMessage *m);

/*
 * Encode m (borrowed) into *out (cm_malloc'd, caller frees with cm_free).
 * Returns 0, CM_ETOOBIG (over REPL_MSG_MAX) or CM_ENOMEM.
 */
int repl_msg_encode(const Ow__ReplMessage *m, uint8_t **out, size_t *len);

/* The seq of origin in v (0 when absent or v is NULL). Linear. */
uint64_t repl_vv_get(const Ow__VersionVector *v, const char *origin);

#endif
