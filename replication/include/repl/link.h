/*
 * link.h: the binding's envelope (ReplLink in common/proto/onewindow.proto;
 * docs/replication.md, "Binding"). Every message on a replication socket
 * is one ReplLink: a ReplMessage for the protocol core, a challenge from
 * a responder that does not know the connection yet, the requester's
 * proof (its Ed25519 signature over the challenge), a refusal status, or
 * a digest request or answer (`peer verify`).
 *
 * The decoder is a trust boundary like repl_msg_decode: bounded, and it
 * refuses what the binding does not allow. Pure logic; the nng binding is
 * node/src/repl.c.
 */
#ifndef REPL_LINK_H
#define REPL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/oplog.h"
#include "onewindow.pb-c.h"

#define REPL_NONCE_BYTES  32
#define REPL_DIGEST_BYTES 32
#define REPL_BUCKETS      256
/* What a requester signs: "ow-repl-auth-1", NUL, the responder's id, NUL,
 * its own id, NUL, the nonce. */
#define REPL_AUTH_CONTEXT "ow-repl-auth-1"
#define REPL_AUTH_MAX                                                          \
	(sizeof(REPL_AUTH_CONTEXT) + 2 * (NODE_ORIGIN_MAX + 1) +               \
	    REPL_NONCE_BYTES)

/*
 * Decode a ReplLink of len bytes (borrows buf; at most REPL_MSG_MAX) and
 * check it: a challenge has a 32-byte nonce and a valid node id; a proof
 * a valid node id, a 32-byte nonce and a 64-byte signature; a digest has
 * no bucket or exactly 256 of 32 bytes, a total of 0 or 32 bytes, asks
 * for buckets 0..255, and lists cases with ids and 64 hex digits; and
 * nowhere a field numbered 0. Returns 0 (*out freed with repl_link_free),
 * CM_EPROTO or CM_ENOMEM; *out is NULL on failure.
 */
int repl_link_decode(const uint8_t *buf, size_t len, Ow__ReplLink **out);
void repl_link_free(Ow__ReplLink *l);

/* The bytes a requester signs (out has REPL_AUTH_MAX bytes); their
 * length, or 0 when an id is not a valid node id. */
size_t repl_auth_bytes(const char *responder, const char *requester,
    const unsigned char nonce[REPL_NONCE_BYTES], uint8_t *out);

/* Does the proof's signature verify with pk for this responder and
 * nonce? (The caller checks that the nonce is the one it gave.) */
bool repl_proof_verify(const Ow__ReplProof *p, const char *responder,
    const unsigned char nonce[REPL_NONCE_BYTES],
    const unsigned char pk[NODE_PK_BYTES]);

#endif
