/*
 * fuzz_op.c: fuzz target for the decoders that read bytes from other
 * machines: node_op_open (ops from other halls) and the client API's
 * Request decoder (and Response, which desks decode).
 *
 * Each input is
 *  1. opened as a SignedOp with a fixed public key (the seed corpus holds
 *     ops sealed with its secret key, so mutations reach every check);
 *  2. signed with that key as if it were Op bytes, wrapped in a SignedOp
 *     and opened: a hall with a valid key that sends garbage must get a
 *     clean CM_EPROTO, never a crash, and the ops that do open must have
 *     what every op must have;
 *  3. unpacked as a Request and as a Response with protobuf-c (NULL
 *     allocator, as the node will), walked field by field, packed again
 *     and checked to be a fixed point of unpack-pack.
 * Beyond "no crash, no leak" it checks the promises of oplog.h. libFuzzer
 * sees no coverage inside the (uninstrumented) system libprotobuf-c, so
 * the walk feeds it which fields each input decoded to, through extra
 * counters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node/oplog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed of the one key pair the corpus is signed with. Public on
 * purpose: it protects nothing. */
static const unsigned char fuzz_seed[crypto_sign_SEEDBYTES] =
    "onewindow fuzz_op fixed seed 01";

static struct node_keypair fuzz_kp;
static int fuzz_ready;

/* Set by walk when a message holds an unknown field numbered 0: protobuf-c
 * 1.4.1 rejects tag 0 only when it is encoded in one byte, so an overlong
 * tag ("80 00") is kept as an unknown field, packed back as "00" and then
 * refused. The fixed-point check skips such messages (reported to the
 * lead; neither the node nor replication re-packs what it received). */
static int fuzz_saw_tag0;

/* Features for libFuzzer: one counter per (message type, field, rough
 * count) seen in a decoded message. Outside libFuzzer the section is an
 * ordinary array nobody reads. */
#if defined(__clang__) && defined(__linux__)
__attribute__((section("__libfuzzer_extra_counters")))
#endif
static uint8_t fuzz_counters[8192];

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_op: %s\n", what);
		abort();
	}
}

static void
fuzz_init(void)
{
	check(sodium_init() >= 0, "sodium_init");
	check(crypto_sign_seed_keypair(fuzz_kp.pk, fuzz_kp.sk, fuzz_seed) == 0,
	    "seed key pair");
	fuzz_ready = 1;
}

static void
bump(const void *desc, unsigned field, size_t n)
{
	uintptr_t h = (uintptr_t)desc >> 4;
	unsigned bucket = 0;

	while (n > 1 && bucket < 7) {
		n >>= 1;
		bucket++;
	}
	h = h * 131u + field * 8u + bucket;
	fuzz_counters[h % sizeof(fuzz_counters)]++;
}

static size_t
elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		return 4;
	}
}

static void walk(const ProtobufCMessage *m, unsigned depth);

/* Read one decoded value completely, so that ASan checks that what
 * protobuf-c handed back is as large as it claims. */
static unsigned
visit(const ProtobufCFieldDescriptor *f, const void *v, unsigned depth)
{
	unsigned sum = 0;

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)v;

		check(s != NULL, "a NULL string");
		sum += (unsigned)strlen(s);
		break;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = v;

		check(b->len == 0 || b->data != NULL, "bytes without data");
		for (size_t i = 0; i < b->len; i++) {
			sum += b->data[i];
		}
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)v;

		if (sub != NULL) {
			check(sub->descriptor == f->descriptor,
			    "a submessage of the wrong type");
			walk(sub, depth + 1);
		}
		break;
	}
	default:
		sum += *(const unsigned char *)v;
		break;
	}
	return sum;
}

static void
walk(const ProtobufCMessage *m, unsigned depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;
	volatile unsigned sink = 0;

	check(d->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "bad magic");
	check(depth < 1000, "nesting deeper than the schema allows");
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *member = base + f->offset;

		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id) {
			continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n =
			    *(const size_t *)(base + f->quantifier_offset);
			const char *elems = *(char *const *)member;

			check(
			    n == 0 || elems != NULL, "a repeated without data");
			for (size_t j = 0; j < n; j++) {
				sink += visit(
				    f, elems + j * elem_size(f->type), depth);
			}
			if (n > 0) {
				bump(d, i, n);
			}
		} else {
			sink += visit(f, member, depth);
			bump(d, i, 1);
		}
	}
	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		const ProtobufCMessageUnknownField *u = &m->unknown_fields[i];

		for (size_t j = 0; j < u->len; j++) {
			sink += u->data[j];
		}
		if (u->tag == 0) {
			fuzz_saw_tag0 = 1;
		}
		bump(d, 1000 + (u->tag & 63), u->len);
	}
	(void)sink;
}

/* Whatever node_op_open hands back must meet its contract. */
static void
check_opened(int rc, Ow__Op *op)
{
	uint8_t key[1 + NODE_ORIGIN_MAX + 8];
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq = 0;
	size_t klen;
	int crc;

	check(rc == 0 || rc == CM_EPROTO || rc == CM_ECRYPTO || rc == CM_ENOMEM,
	    "open: unexpected code");
	check((rc == 0) == (op != NULL), "open: op does not match code");
	if (op == NULL) {
		return;
	}
	walk(&op->base, 0);
	check(node_id_valid(op->origin), "opened an op without a valid origin");
	check(op->seq >= 1, "opened an op with seq 0");
	check(op->prev_hash.len == NODE_HASH_BYTES, "opened a short prev_hash");
	klen = node_log_key(op->origin, op->seq, key);
	check(klen == 1 + strlen(op->origin) + 8, "log key length");
	check(node_log_key_parse(key, klen, origin, &seq) == 0 &&
	          strcmp(origin, op->origin) == 0 && seq == op->seq,
	    "log key does not parse back");
	crc = node_op_chain_check(op, 0, NULL);
	check(crc == 0 || crc == CM_ECRYPTO || crc == CM_ERANGE,
	    "chain check: unexpected code");
	check((crc == 0) == (op->seq == 1 && sodium_is_zero(op->prev_hash.data,
	                                         NODE_HASH_BYTES)),
	    "chain check at the start of a chain");
	ow__op__free_unpacked(op, NULL);
}

/* Steps 1 and 2 of the header comment. */
static void
fuzz_open(const uint8_t *data, size_t size)
{
	unsigned char hash[NODE_HASH_BYTES], want[NODE_HASH_BYTES];
	unsigned char sig[NODE_SIG_BYTES];
	Ow__SignedOp so;
	Ow__Op *op = NULL;
	uint8_t *env;
	size_t elen;
	int rc;

	rc = node_op_open(data, size, fuzz_kp.pk, &op, hash);
	check_opened(rc, op);

	/* The same bytes as an op that a hall holding the key signed. */
	crypto_sign_detached(sig, NULL, data, size, fuzz_kp.sk);
	ow__signed_op__init(&so);
	/* Through uintptr_t: pack only reads it, but the field is not
	 * const. */
	so.op.data = (uint8_t *)(uintptr_t)data;
	so.op.len = size;
	so.signature.data = sig;
	so.signature.len = sizeof(sig);
	elen = ow__signed_op__get_packed_size(&so);
	env = malloc(elen);
	check(env != NULL, "no memory");
	check(ow__signed_op__pack(&so, env) == elen, "pack SignedOp");
	op = NULL;
	rc = node_op_open(env, elen, fuzz_kp.pk, &op, hash);
	check(rc != CM_ECRYPTO, "a correctly signed op failed the check");
	if (rc == 0) {
		crypto_generichash(want, sizeof(want), data, size, NULL, 0);
		check(memcmp(hash, want, sizeof(want)) == 0,
		    "the hash is not BLAKE2b-256 of the op bytes");
	}
	check_opened(rc, op);
	free(env);
}

/*
 * A message protobuf-c decoded: walk it, and check that packing is a
 * fixed point: pack(unpack(pack(m))) == pack(m). The node stores and
 * forwards what it packs, so that must be stable. Borrows m.
 */
static void
check_message(const ProtobufCMessage *m)
{
	ProtobufCMessage *again;
	uint8_t *p1, *p2;
	size_t n1, n2;

	fuzz_saw_tag0 = 0;
	walk(m, 0);
	n1 = protobuf_c_message_get_packed_size(m);
	p1 = malloc(n1 + 1);
	check(p1 != NULL, "no memory");
	check(protobuf_c_message_pack(m, p1) == n1, "pack size disagrees");
	again = protobuf_c_message_unpack(m->descriptor, NULL, n1, p1);
	if (again == NULL && fuzz_saw_tag0) {
		free(p1);
		return;
	}
	check(again != NULL, "what protobuf-c packed does not unpack");
	n2 = protobuf_c_message_get_packed_size(again);
	p2 = malloc(n2 + 1);
	check(p2 != NULL, "no memory");
	check(protobuf_c_message_pack(again, p2) == n2, "pack size disagrees");
	check(n1 == n2 && memcmp(p1, p2, n1) == 0,
	    "unpack-pack is not a fixed point");
	protobuf_c_message_free_unpacked(again, NULL);
	free(p1);
	free(p2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t empty[1];
	Ow__Request *req;
	Ow__Response *resp;

	if (!fuzz_ready) {
		fuzz_init();
	}
	if (data == NULL) {
		data = empty;
	}
	fuzz_open(data, size);

	/* Step 3, with the typed decoders the node and the desk call. The
	 * node refuses a request over 1 MiB before decoding it. */
	if (size <= 1024 * 1024) {
		req = ow__request__unpack(NULL, size, data);
		if (req != NULL) {
			check_message(&req->base);
			ow__request__free_unpacked(req, NULL);
		}
	}
	resp = ow__response__unpack(NULL, size, data);
	if (resp != NULL) {
		check_message(&resp->base);
		ow__response__free_unpacked(resp, NULL);
	}
	return 0;
}
