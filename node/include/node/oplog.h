/*
 * oplog.h: ops as they are logged and replicated: sealed (encoded and
 * signed by their origin), opened (signature checked, decoded), chained
 * (each op carries the hash of its origin's previous op) and keyed in the
 * log column family.
 *
 * An op's identity is (origin, seq). Its hash is BLAKE2b-256 of the exact
 * encoded Op bytes; its signature is Ed25519 by the origin's node key over
 * the same bytes. Anyone holding the origin's public key can check the
 * whole chain: a forged, altered, reordered or replayed op fails.
 */
#ifndef NODE_OPLOG_H
#define NODE_OPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onewindow.pb-c.h"

#define NODE_HASH_BYTES 32
#define NODE_PK_BYTES   32
#define NODE_SK_BYTES   64
#define NODE_SIG_BYTES  64
#define NODE_ORIGIN_MAX 64 /* bound for origin buffers; ids have <= 63 */
/* The largest SignedOp encoding that is sealed or opened (a replication
 * batch is capped at 4 MiB, so one op cannot be larger). */
#define NODE_OP_MAX_BYTES (4u * 1024u * 1024u)

struct node_keypair {
	unsigned char pk[NODE_PK_BYTES];
	unsigned char sk[NODE_SK_BYTES];
};

/* A fresh Ed25519 key pair. Returns 0 or CM_EINTERNAL (libsodium could
 * not start: no random source). */
int node_keypair_generate(struct node_keypair *kp);

/*
 * Save the key pair in dir: "node.key" (the secret key, mode 0600) and
 * "node.pub", each lower-case hex and a newline, both fsynced and then the
 * directory. Refuses to overwrite either file (CM_EEXIST) and a pair whose
 * halves do not belong together (CM_EINVAL); on failure it removes what it
 * created. Borrows kp.
 *
 * Load reads both and checks that node.key is a regular file open to
 * neither group nor others (any of mode 077: CM_EACCES), that each file is
 * exactly its hex and a newline (CM_ECORRUPT otherwise), and that the
 * pair belongs together: pk derived from the secret key's seed
 * (CM_ECORRUPT otherwise). kp is written only on success. Missing files:
 * CM_ENOENT.
 */
int node_keypair_save(const struct node_keypair *kp, const char *dir);
int node_keypair_load(const char *dir, struct node_keypair *kp);

/* Lower-case hex of a public key into out (2 * NODE_PK_BYTES + 1). */
void node_pk_hex(const unsigned char pk[NODE_PK_BYTES], char *out);
/* Exactly 2 * NODE_PK_BYTES hex digits (either case); 0 or CM_EPARSE, pk
 * untouched on failure. */
int node_pk_parse(const char *hex, unsigned char pk[NODE_PK_BYTES]);

/*
 * Seal an op: encode it (op->prev_hash must already be set by the caller
 * from its chain head), sign the bytes, and return the SignedOp encoding in
 * *out (cm_malloc'd, caller frees with cm_free), and the op's hash.
 * Borrows op and kp. Returns 0, CM_EINVAL (op lacks a valid origin, a seq
 * >= 1 or a 32-byte prev_hash: every peer would refuse it), CM_ETOOBIG
 * (over NODE_OP_MAX_BYTES) or CM_ENOMEM; *out is NULL on failure.
 */
int node_op_seal(const Ow__Op *op, const struct node_keypair *kp, uint8_t **out,
    size_t *outlen, unsigned char hash[NODE_HASH_BYTES]);

/*
 * Sealing in two steps, for a writer that stamps its ops on one thread and
 * signs them on another (the node's loop and its flush worker). The bytes
 * are exactly those of node_op_seal for the same op and chain head: the
 * SignedOp encoding (field 1, the Op bytes; field 2, the signature), so
 * that the log, `audit verify` and peers cannot tell the two apart.
 *
 * node_op_frame_pack encodes op into a frame with room for the signature;
 * op->prev_hash may be a placeholder (32 bytes, any value): the frame
 * remembers where its bytes lie. protobuf-c packs fields in field-number
 * order, so prev_hash (field 7) follows fields 1-6 and the frame checks
 * that its tag and length bytes (0x3a 0x20) are where that says.
 * node_op_frame_seal writes the chain head into prev_hash, signs the Op
 * bytes, writes the signature and returns the op's hash; it allocates
 * nothing, so it fails only if the frame is not one pack made.
 */
struct node_op_frame {
	uint8_t *buf;    /* the SignedOp encoding, cm_malloc'd */
	size_t len;      /* of buf */
	size_t op_off;   /* where the Op bytes start in buf */
	size_t op_len;   /* their length */
	size_t prev_off; /* where the 32 prev_hash bytes lie in buf */
};

/* Pack op into f (borrows op; f->buf freed with node_op_frame_free).
 * Returns 0, CM_EINVAL (as node_op_seal), CM_ETOOBIG, CM_ENOMEM or
 * CM_EINTERNAL (prev_hash not where the field order puts it); f is
 * empty on failure. */
int node_op_frame_pack(const Ow__Op *op, struct node_op_frame *f);
/* Seal a packed frame in place on top of prev (the origin's previous op
 * hash, all zero for seq 1). Borrows prev and kp. Returns 0 or
 * CM_EINTERNAL. */
int node_op_frame_seal(struct node_op_frame *f,
    const unsigned char prev[NODE_HASH_BYTES], const struct node_keypair *kp,
    unsigned char hash[NODE_HASH_BYTES]);
/* Free the frame's buffer (an empty frame is a no-op). */
void node_op_frame_free(struct node_op_frame *f);

/*
 * Decoding received protobuf safely, for every decoder of the project:
 * protobuf-c's allocator on cm_malloc (so that allocation-failure tests
 * reach it), remembering whether an allocation failed (CM_ENOMEM rather
 * than a malformed message).
 */
struct node_pb_alloc {
	ProtobufCAllocator al;
	bool failed;
};
void node_pb_alloc_init(struct node_pb_alloc *a);

/*
 * Does m, or any message inside it, hold an unknown field numbered 0?
 * Field 0 is invalid protobuf, but protobuf-c 1.4.1 refuses it only in a
 * one-byte tag: an overlong tag ("80 00") is kept as an unknown field and
 * packed back as "00", which protobuf-c then refuses, so a message holding
 * one cannot survive a re-pack. Decoders refuse such messages. Nesting
 * deeper than the schema's is refused too.
 */
bool node_pb_has_field0(const ProtobufCMessage *m);

/*
 * Open a SignedOp: decode the envelope (bounded: len at most
 * NODE_OP_MAX_BYTES), check the signature with pk, decode the op, check
 * that it has a valid origin, a seq >= 1 and a 32-byte prev_hash and
 * nowhere a field numbered 0 (which protobuf-c accepts in an overlong tag
 * but cannot read back once re-packed), and compute its hash. Borrows buf. *op is freed with
 * ow__op__free_unpacked(op, NULL) (it is allocated through cm_malloc,
 * which is malloc). Returns 0, CM_EPROTO (malformed), CM_ECRYPTO (bad
 * signature) or CM_ENOMEM; *op is NULL on failure.
 *
 * pk must be the key of the origin the caller expects (from the log key
 * or the batch it came in), and the caller must check that op->origin is
 * that origin: a valid signature only proves who signed, not that the
 * signer may speak for the origin the op names.
 */
int node_op_open(const uint8_t *buf, size_t len,
    const unsigned char pk[NODE_PK_BYTES], Ow__Op **op,
    unsigned char hash[NODE_HASH_BYTES]);

/* The same, without the signature check when check_signature is false:
 * for a caller that checked these exact bytes with pk already (on
 * another thread: replication checks a batch's signatures on the thread
 * pool). Everything else is checked as node_op_open does. */
int node_op_open_ex(const uint8_t *buf, size_t len,
    const unsigned char pk[NODE_PK_BYTES], Ow__Op **op,
    unsigned char hash[NODE_HASH_BYTES], bool check_signature);

/*
 * Does op follow the chain head (origin's last op: its seq and hash)? seq
 * must be head_seq + 1 and prev_hash the head's hash (all zero for seq 1;
 * head_hash is not read when head_seq is 0 and may be NULL then).
 * Returns 0 or CM_ECRYPTO (a fork or a replay: seq at or below the head,
 * or the wrong prev_hash) / CM_ERANGE (a gap). An op with the head's own
 * seq is refused even when it is the same op: the caller tells a harmless
 * duplicate from a fork by comparing hashes with the stored op.
 */
int node_op_chain_check(const Ow__Op *op, uint64_t head_seq,
    const unsigned char head_hash[NODE_HASH_BYTES]);

/* The log key of (origin, seq): one length byte, the origin, the seq as
 * 8 big-endian bytes, so that an origin's ops sort by seq. Returns the key
 * length (at most 1 + NODE_ORIGIN_MAX + 8), or 0 if origin is not a valid
 * node id (too long, empty, bad characters). */
size_t node_log_key(const char *origin, uint64_t seq, uint8_t *key);
/* The prefix of every key of origin (the length byte keeps "ab" from
 * matching "abc"); returns its length, or 0 as node_log_key. */
size_t node_log_prefix(const char *origin, uint8_t *key);
/* Split a log key; 0 or CM_EPROTO (klen is not 1 + length byte + 8, or the
 * origin is not a valid node id). origin gets NODE_ORIGIN_MAX + 1 bytes;
 * outputs are written only on success. */
int node_log_key_parse(
    const uint8_t *key, size_t klen, char *origin, uint64_t *seq);

/* Node ids: 1..63 of [a-z0-9-], starting with a letter. */
bool node_id_valid(const char *id);

#endif
