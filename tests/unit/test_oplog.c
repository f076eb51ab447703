/*
 * test_oplog.c: node keys on disk, sealing and opening ops, the hash
 * chain, and log keys (node/oplog.h). The tamper tests flip every single
 * bit of a sealed op; the allocation tests fail every allocation in turn.
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/hlc.h"
#include "node/oplog.h"

/* A temporary directory, removed with everything in it (flat) by
 * rm_tmpdir. */
static void
make_tmpdir(char *dir, size_t size)
{
	const char *base = getenv("TMPDIR");

	snprintf(dir, size, "%s/test_oplog.XXXXXX",
	    base != NULL && base[0] != '\0' ? base : "/tmp");
	assert_non_null(mkdtemp(dir));
}

static void
rm_tmpdir(const char *dir)
{
	const char *names[] = {"node.key", "node.pub"};
	char path[4096];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
read_text(const char *dir, const char *name, char *buf, size_t size)
{
	char path[4096];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* ------------------------------------------------------------ keys */

static void
test_keypair_round_trip(void **state)
{
	struct node_keypair kp, back;
	char dir[4096], path[4200], text[300], hex[2 * NODE_PK_BYTES + 1];
	struct stat st;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	assert_rc(node_keypair_generate(&kp), 0);
	assert_rc(node_keypair_save(&kp, dir), 0);

	snprintf(path, sizeof(path), "%s/node.key", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	read_text(dir, "node.key", text, sizeof(text));
	assert_int_equal(strlen(text), 2 * NODE_SK_BYTES + 1);
	assert_int_equal(text[2 * NODE_SK_BYTES], '\n');
	read_text(dir, "node.pub", text, sizeof(text));
	node_pk_hex(kp.pk, hex);
	assert_int_equal(strlen(text), 2 * NODE_PK_BYTES + 1);
	assert_memory_equal(text, hex, 2 * NODE_PK_BYTES);

	memset(&back, 0, sizeof(back));
	assert_rc(node_keypair_load(dir, &back), 0);
	assert_memory_equal(&back, &kp, sizeof(kp));
	rm_tmpdir(dir);
}

static void
test_keypair_refuses_overwrite(void **state)
{
	struct node_keypair kp, other, back;
	char dir[4096];

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	assert_rc(node_keypair_generate(&kp), 0);
	assert_rc(node_keypair_generate(&other), 0);
	assert_rc(node_keypair_save(&kp, dir), 0);
	assert_rc(node_keypair_save(&other, dir), CM_EEXIST);
	assert_rc(node_keypair_load(dir, &back), 0);
	assert_memory_equal(&back, &kp, sizeof(kp));

	/* A stray node.pub alone also refuses, and leaves no node.key. */
	rm_tmpdir(dir);
	make_tmpdir(dir, sizeof(dir));
	write_file(dir, "node.pub", "x\n", 0644);
	assert_rc(node_keypair_save(&kp, dir), CM_EEXIST);
	assert_rc(node_keypair_load(dir, &back), CM_ENOENT);
	rm_tmpdir(dir);
}

static void
test_keypair_permissions(void **state)
{
	struct node_keypair kp, back;
	char dir[4096], path[4200];

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	assert_rc(node_keypair_generate(&kp), 0);
	assert_rc(node_keypair_save(&kp, dir), 0);
	snprintf(path, sizeof(path), "%s/node.key", dir);
	memset(&back, 0xa5, sizeof(back));
	assert_int_equal(chmod(path, 0644), 0);
	assert_rc(node_keypair_load(dir, &back), CM_EACCES);
	assert_int_equal(chmod(path, 0640), 0);
	assert_rc(node_keypair_load(dir, &back), CM_EACCES);
	assert_int_equal(chmod(path, 0602), 0);
	assert_rc(node_keypair_load(dir, &back), CM_EACCES);
	/* Nothing leaked into the output on failure. */
	for (size_t i = 0; i < sizeof(back.sk); i++) {
		assert_int_equal(back.sk[i], 0xa5);
	}
	assert_int_equal(chmod(path, 0400), 0);
	assert_rc(node_keypair_load(dir, &back), 0);
	rm_tmpdir(dir);
}

static void
test_keypair_mismatch_and_garbage(void **state)
{
	struct node_keypair kp, other, back;
	char dir[4096], hex[2 * NODE_PK_BYTES + 2], text[300];

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	assert_rc(node_keypair_generate(&kp), 0);
	assert_rc(node_keypair_generate(&other), 0);
	assert_rc(node_keypair_save(&kp, dir), 0);

	/* Another node's public key. */
	node_pk_hex(other.pk, hex);
	strcat(hex, "\n");
	write_file(dir, "node.pub", hex, 0644);
	assert_rc(node_keypair_load(dir, &back), CM_ECORRUPT);

	/* The right public key, but a damaged seed in node.key. */
	node_pk_hex(kp.pk, hex);
	strcat(hex, "\n");
	write_file(dir, "node.pub", hex, 0644);
	assert_rc(node_keypair_load(dir, &back), 0);
	read_text(dir, "node.key", text, sizeof(text));
	text[0] = text[0] == '0' ? '1' : '0';
	write_file(dir, "node.key", text, 0600);
	assert_rc(node_keypair_load(dir, &back), CM_ECORRUPT);

	/* Garbage hex, right length. */
	memset(text, 'g', 2 * NODE_SK_BYTES);
	strcpy(text + 2 * NODE_SK_BYTES, "\n");
	write_file(dir, "node.key", text, 0600);
	assert_rc(node_keypair_load(dir, &back), CM_ECORRUPT);

	/* Too short. */
	write_file(dir, "node.key", "abcd\n", 0600);
	assert_rc(node_keypair_load(dir, &back), CM_ECORRUPT);

	/* A pair whose halves do not belong together is not saved. */
	rm_tmpdir(dir);
	make_tmpdir(dir, sizeof(dir));
	memcpy(back.sk, kp.sk, sizeof(kp.sk));
	memcpy(back.pk, other.pk, sizeof(other.pk));
	assert_rc(node_keypair_save(&back, dir), CM_EINVAL);
	assert_rc(node_keypair_load(dir, &back), CM_ENOENT);
	rm_tmpdir(dir);

	assert_rc(node_keypair_load("/nonexistent/dir", &back), CM_ENOENT);
}

static void
test_keypair_bad_pub_files(void **state)
{
	struct node_keypair kp, back;
	char dir[4096], hex[2 * NODE_PK_BYTES + 4];

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	assert_rc(node_keypair_generate(&kp), 0);
	assert_rc(node_keypair_save(&kp, dir), 0);
	node_pk_hex(kp.pk, hex);
	write_file(dir, "node.pub", hex, 0644); /* no newline */
	assert_rc(node_keypair_load(dir, &back), CM_ECORRUPT);
	strcat(hex, "\n\n");
	write_file(dir, "node.pub", hex, 0644); /* one too many */
	assert_rc(node_keypair_load(dir, &back), CM_ECORRUPT);
	node_pk_hex(kp.pk, hex);
	hex[10] = 'z';
	strcat(hex, "\n");
	write_file(dir, "node.pub", hex, 0644);
	assert_rc(node_keypair_load(dir, &back), CM_ECORRUPT);
	rm_tmpdir(dir);
}

static void
test_pk_hex(void **state)
{
	struct node_keypair kp;
	unsigned char pk[NODE_PK_BYTES];
	char hex[2 * NODE_PK_BYTES + 1], bad[2 * NODE_PK_BYTES + 3];

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	node_pk_hex(kp.pk, hex);
	assert_int_equal(strlen(hex), 2 * NODE_PK_BYTES);
	for (size_t i = 0; hex[i] != '\0'; i++) {
		assert_true((hex[i] >= '0' && hex[i] <= '9') ||
		            (hex[i] >= 'a' && hex[i] <= 'f'));
	}
	assert_rc(node_pk_parse(hex, pk), 0);
	assert_memory_equal(pk, kp.pk, NODE_PK_BYTES);

	assert_rc(node_pk_parse("", pk), CM_EPARSE);
	assert_rc(node_pk_parse("abcd", pk), CM_EPARSE);
	snprintf(bad, sizeof(bad), "%s00", hex);
	assert_rc(node_pk_parse(bad, pk), CM_EPARSE);
	snprintf(bad, sizeof(bad), "%s", hex);
	bad[7] = 'x';
	assert_rc(node_pk_parse(bad, pk), CM_EPARSE);
	bad[7] = ' ';
	assert_rc(node_pk_parse(bad, pk), CM_EPARSE);
	assert_memory_equal(pk, kp.pk, NODE_PK_BYTES);
}

/* ------------------------------------------------------------ ops */

/* An op of origin at seq after prev (NULL: the zero hash), with a note
 * as its body. Everything lives in the struct: nothing to free. */
struct test_op {
	Ow__Op op;
	Ow__Note note;
	unsigned char prev[NODE_HASH_BYTES];
	char origin[NODE_ORIGIN_MAX + 1];
	char actor[16];
	char case_id[32];
	char text[64];
};

static void
make_op(struct test_op *t, const char *origin, uint64_t seq,
    const unsigned char *prev, const char *text)
{
	/* The init functions, not the INIT macros: those cast away const
	 * and would trip -Wcast-qual. */
	ow__op__init(&t->op);
	ow__note__init(&t->note);
	memset(t->prev, 0, sizeof(t->prev));
	if (prev != NULL) {
		memcpy(t->prev, prev, NODE_HASH_BYTES);
	}
	snprintf(t->origin, sizeof(t->origin), "%s", origin);
	snprintf(t->actor, sizeof(t->actor), "clerk01");
	snprintf(t->case_id, sizeof(t->case_id), "C-2026-000123");
	snprintf(t->text, sizeof(t->text), "%s", text);
	t->op.origin = t->origin;
	t->op.seq = seq;
	t->op.hlc = CM_HLC_MAKE(UINT64_C(1795751148123) + seq, 0);
	t->op.actor = t->actor;
	t->op.case_id = t->case_id;
	t->op.kind = OW__OP_KIND__OP_CASE_NOTE;
	t->op.prev_hash.data = t->prev;
	t->op.prev_hash.len = NODE_HASH_BYTES;
	t->note.hlc = t->op.hlc;
	t->note.actor = t->actor;
	t->note.text = t->text;
	t->note.origin = t->origin;
	t->op.body_case = OW__OP__BODY_NOTE;
	t->op.note = &t->note;
}

static void
test_seal_open_round_trip(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	unsigned char h1[NODE_HASH_BYTES], h2[NODE_HASH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0;
	Ow__Op *op = NULL;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&t, "hall-a", 1, NULL, "材料已收齐");
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h1), 0);
	assert_non_null(buf);
	assert_true(len > NODE_SIG_BYTES);

	assert_rc(node_op_open(buf, len, kp.pk, &op, h2), 0);
	assert_non_null(op);
	assert_memory_equal(h1, h2, NODE_HASH_BYTES);
	assert_string_equal(op->origin, "hall-a");
	assert_true(op->seq == 1);
	assert_true(op->hlc == t.op.hlc);
	assert_string_equal(op->actor, "clerk01");
	assert_string_equal(op->case_id, "C-2026-000123");
	assert_int_equal(op->kind, OW__OP_KIND__OP_CASE_NOTE);
	assert_int_equal(op->body_case, OW__OP__BODY_NOTE);
	assert_string_equal(op->note->text, "材料已收齐");
	assert_int_equal(op->prev_hash.len, NODE_HASH_BYTES);
	ow__op__free_unpacked(op, NULL);

	/* The hash is of the op bytes, so sealing again (Ed25519 is
	 * deterministic) gives the same bytes and hash. */
	{
		uint8_t *again = NULL;
		size_t alen = 0;

		assert_rc(node_op_seal(&t.op, &kp, &again, &alen, h2), 0);
		assert_int_equal(alen, len);
		assert_memory_equal(again, buf, len);
		assert_memory_equal(h1, h2, NODE_HASH_BYTES);
		cm_free(again);
	}
	cm_free(buf);
}

static void
test_seal_refuses_bad_ops(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	unsigned char h[NODE_HASH_BYTES];
	uint8_t *buf = (uint8_t *)&t;
	size_t len = 7;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&t, "Hall-A", 1, NULL, "x");
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h), CM_EINVAL);
	assert_null(buf);
	assert_int_equal(len, 0);
	make_op(&t, "hall-a", 0, NULL, "x");
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h), CM_EINVAL);
	make_op(&t, "hall-a", 1, NULL, "x");
	t.op.prev_hash.len = 31;
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h), CM_EINVAL);
	t.op.prev_hash.len = 0;
	t.op.prev_hash.data = NULL;
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h), CM_EINVAL);
}

static void
test_open_refuses_malformed(void **state)
{
	struct node_keypair kp;
	unsigned char h[NODE_HASH_BYTES];
	Ow__Op *op = NULL;
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t *big;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	assert_rc(node_op_open(junk, sizeof(junk), kp.pk, &op, h), CM_EPROTO);
	assert_null(op);
	/* Empty: a valid empty envelope, with no signature. */
	assert_rc(node_op_open(NULL, 0, kp.pk, &op, h), CM_ECRYPTO);
	/* Over the cap, refused before decoding. */
	big = calloc(1, NODE_OP_MAX_BYTES + 1);
	assert_non_null(big);
	assert_rc(
	    node_op_open(big, NODE_OP_MAX_BYTES + 1, kp.pk, &op, h), CM_EPROTO);
	free(big);
}

/* A correctly signed op that is not a well-formed Op, or lacks a field
 * every op must have: refused as malformed, not as a bad signature. */
static void
test_open_refuses_signed_nonsense(void **state)
{
	struct node_keypair kp;
	unsigned char sig[NODE_SIG_BYTES], h[NODE_HASH_BYTES];
	Ow__SignedOp so;
	Ow__Op *op = NULL;
	struct test_op t;
	uint8_t bytes[512], env[700];
	size_t n, m;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	ow__signed_op__init(&so);
	/* Not protobuf at all. */
	memset(bytes, 0xff, 16);
	n = 16;
	crypto_sign_detached(sig, NULL, bytes, n, kp.sk);
	so.op.data = bytes;
	so.op.len = n;
	so.signature.data = sig;
	so.signature.len = sizeof(sig);
	m = ow__signed_op__pack(&so, env);
	assert_rc(node_op_open(env, m, kp.pk, &op, h), CM_EPROTO);

	/* A valid Op without an origin, with seq 0, with a short prev. */
	for (int k = 0; k < 3; k++) {
		make_op(&t, k == 0 ? "" : "hall-a", k == 1 ? 0 : 1, NULL, "x");
		if (k == 2) {
			t.op.prev_hash.len = 16;
		}
		n = ow__op__pack(&t.op, bytes);
		crypto_sign_detached(sig, NULL, bytes, n, kp.sk);
		so.op.len = n;
		m = ow__signed_op__pack(&so, env);
		assert_rc(node_op_open(env, m, kp.pk, &op, h), CM_EPROTO);
		assert_null(op);
	}

	/* A signature of the wrong length. */
	make_op(&t, "hall-a", 1, NULL, "x");
	n = ow__op__pack(&t.op, bytes);
	so.op.len = n;
	so.signature.len = NODE_SIG_BYTES - 1;
	m = ow__signed_op__pack(&so, env);
	assert_rc(node_op_open(env, m, kp.pk, &op, h), CM_ECRYPTO);
}

/* Sign bytes with kp as an op and open the result. */
static int
open_signed_bytes(
    const struct node_keypair *kp, const uint8_t *bytes, size_t n, Ow__Op **op)
{
	unsigned char sig[NODE_SIG_BYTES], h[NODE_HASH_BYTES];
	uint8_t bcopy[1024], env[1200];
	Ow__SignedOp so;
	size_t m;

	assert_true(n <= sizeof(bcopy));
	memcpy(bcopy, bytes, n);
	crypto_sign_detached(sig, NULL, bcopy, n, kp->sk);
	ow__signed_op__init(&so);
	so.op.data = bcopy;
	so.op.len = n;
	so.signature.data = sig;
	so.signature.len = sizeof(sig);
	m = ow__signed_op__pack(&so, env);
	return node_op_open(env, m, kp->pk, op, h);
}

/*
 * Field number 0 is invalid, but protobuf-c 1.4.1 accepts it in an
 * overlong tag and then packs it in a form it refuses: open must refuse
 * it anywhere in the op, while unknown fields with valid numbers (from a
 * newer node) pass.
 */
static void
test_open_refuses_field0(void **state)
{
	static const uint8_t field0[] = {0x80, 0x00, 0x2a};
	static const uint8_t field127[] = {0xf8, 0x07, 0x01};
	struct node_keypair kp;
	struct test_op t;
	uint8_t bytes[512], note[256];
	size_t n, nn;
	Ow__Op *op = NULL;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&t, "hall-a", 1, NULL, "x");

	/* At the top level. */
	n = ow__op__pack(&t.op, bytes);
	memcpy(bytes + n, field127, sizeof(field127));
	assert_rc(open_signed_bytes(&kp, bytes, n + 3, &op), 0);
	assert_int_equal(op->base.n_unknown_fields, 1);
	ow__op__free_unpacked(op, NULL);
	op = NULL;
	memcpy(bytes + n, field0, sizeof(field0));
	assert_rc(open_signed_bytes(&kp, bytes, n + 3, &op), CM_EPROTO);
	assert_null(op);

	/* Inside the body: the note (field 24) with field 0 appended. */
	nn = ow__note__pack(&t.note, note);
	memcpy(note + nn, field0, sizeof(field0));
	nn += sizeof(field0);
	assert_true(nn < 128);
	t.op.body_case = OW__OP__BODY__NOT_SET;
	t.op.note = NULL;
	n = ow__op__pack(&t.op, bytes);
	bytes[n++] = 0xc2; /* field 24, length-delimited */
	bytes[n++] = 0x01;
	bytes[n++] = (uint8_t)nn;
	memcpy(bytes + n, note, nn);
	assert_rc(open_signed_bytes(&kp, bytes, n + nn, &op), CM_EPROTO);
	assert_null(op);
	/* Cut off without fixing the note's length: malformed. With the
	 * length fixed, the same op without the bad field opens. */
	assert_rc(open_signed_bytes(&kp, bytes, n + nn - 3, &op), CM_EPROTO);
	bytes[n - 1] = (uint8_t)(nn - 3);
	assert_rc(open_signed_bytes(&kp, bytes, n + nn - 3, &op), 0);
	assert_int_equal(op->body_case, OW__OP__BODY_NOTE);
	ow__op__free_unpacked(op, NULL);
}

static void
test_every_bit_flip_refused(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	unsigned char h[NODE_HASH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0, flips = 0;
	Ow__Op *op = NULL;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	/* Small, so that the loop stays quick. */
	make_op(&t, "h", 1, NULL, "ok");
	t.actor[0] = '\0';
	snprintf(t.case_id, sizeof(t.case_id), "C1");
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h), 0);
	for (size_t i = 0; i < len; i++) {
		for (int b = 0; b < 8; b++) {
			int rc;

			buf[i] ^= (uint8_t)(1u << b);
			rc = node_op_open(buf, len, kp.pk, &op, h);
			if (rc != CM_ECRYPTO && rc != CM_EPROTO) {
				fail_msg("flip of bit %d of byte %zu of %zu: "
				         "%s",
				    b, i, len, cm_err_name(rc));
			}
			assert_null(op);
			buf[i] ^= (uint8_t)(1u << b);
			flips++;
		}
	}
	assert_int_equal(flips, 8 * len);
	/* And untouched, it still opens. */
	assert_rc(node_op_open(buf, len, kp.pk, &op, h), 0);
	ow__op__free_unpacked(op, NULL);
	cm_free(buf);
}

static void
test_wrong_key_refused(void **state)
{
	struct node_keypair kp, other;
	struct test_op t;
	unsigned char h[NODE_HASH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0;
	Ow__Op *op = NULL;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	assert_rc(node_keypair_generate(&other), 0);
	make_op(&t, "hall-a", 1, NULL, "x");
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h), 0);
	assert_rc(node_op_open(buf, len, other.pk, &op, h), CM_ECRYPTO);
	assert_null(op);
	cm_free(buf);
}

/* ------------------------------------------------------------ chain */

#define CHAIN_LEN 100

static void
test_chain(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	unsigned char head[NODE_HASH_BYTES] = {0}, h[NODE_HASH_BYTES];
	unsigned char hashes[CHAIN_LEN + 1][NODE_HASH_BYTES];
	uint8_t *sealed[CHAIN_LEN + 1] = {NULL};
	size_t lens[CHAIN_LEN + 1] = {0};
	uint64_t head_seq = 0;
	Ow__Op *op = NULL;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	/* The origin writes 100 ops, each chained to the one before. */
	for (uint64_t s = 1; s <= CHAIN_LEN; s++) {
		char text[32];

		snprintf(text, sizeof(text), "note %u", (unsigned)s);
		make_op(&t, "hall-a", s, s == 1 ? NULL : hashes[s - 1], text);
		assert_rc(
		    node_op_seal(&t.op, &kp, &sealed[s], &lens[s], hashes[s]),
		    0);
	}
	/* A replica checks them in order. */
	for (uint64_t s = 1; s <= CHAIN_LEN; s++) {
		assert_rc(node_op_open(sealed[s], lens[s], kp.pk, &op, h), 0);
		assert_memory_equal(h, hashes[s], NODE_HASH_BYTES);
		assert_rc(node_op_chain_check(
		              op, head_seq, head_seq == 0 ? NULL : head),
		    0);
		head_seq = op->seq;
		memcpy(head, h, NODE_HASH_BYTES);
		ow__op__free_unpacked(op, NULL);
	}
	assert_true(head_seq == CHAIN_LEN);

	/* A replay of any earlier op, or of the head itself. */
	for (uint64_t s = 1; s <= CHAIN_LEN; s += 33) {
		assert_rc(node_op_open(sealed[s], lens[s], kp.pk, &op, h), 0);
		assert_rc(node_op_chain_check(op, head_seq, head), CM_ECRYPTO);
		ow__op__free_unpacked(op, NULL);
	}
	assert_rc(
	    node_op_open(sealed[CHAIN_LEN], lens[CHAIN_LEN], kp.pk, &op, h), 0);
	assert_rc(node_op_chain_check(op, head_seq, head), CM_ECRYPTO);
	ow__op__free_unpacked(op, NULL);

	/* A gap: op 50 on a replica whose head is 48. */
	assert_rc(node_op_open(sealed[50], lens[50], kp.pk, &op, h), 0);
	assert_rc(node_op_chain_check(op, 48, hashes[48]), CM_ERANGE);
	/* And in place it fits. */
	assert_rc(node_op_chain_check(op, 49, hashes[49]), 0);
	ow__op__free_unpacked(op, NULL);

	/* An op that skips its predecessor's hash (reordered history). */
	assert_rc(node_op_open(sealed[51], lens[51], kp.pk, &op, h), 0);
	assert_rc(node_op_chain_check(op, 50, hashes[49]), CM_ECRYPTO);
	ow__op__free_unpacked(op, NULL);

	/* Seq 1 must carry the zero hash, whatever head_hash says. */
	make_op(&t, "hall-a", 1, hashes[3], "not first");
	assert_rc(node_op_chain_check(&t.op, 0, NULL), CM_ECRYPTO);
	make_op(&t, "hall-a", 1, NULL, "first");
	assert_rc(node_op_chain_check(&t.op, 0, hashes[3]), 0);

	for (uint64_t s = 1; s <= CHAIN_LEN; s++) {
		cm_free(sealed[s]);
	}
}

static void
test_fork_detected(void **state)
{
	struct node_keypair kp;
	struct test_op a, b;
	unsigned char h1[NODE_HASH_BYTES], h2a[NODE_HASH_BYTES],
	    h2b[NODE_HASH_BYTES], h[NODE_HASH_BYTES];
	uint8_t *s1 = NULL, *s2a = NULL, *s2b = NULL;
	size_t l1 = 0, l2a = 0, l2b = 0;
	Ow__Op *op = NULL;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&a, "hall-a", 1, NULL, "one");
	assert_rc(node_op_seal(&a.op, &kp, &s1, &l1, h1), 0);
	/* Two different ops, same seq, same prev: the origin equivocated
	 * (a restored backup, a cloned VM). */
	make_op(&a, "hall-a", 2, h1, "approve");
	make_op(&b, "hall-a", 2, h1, "supplement");
	assert_rc(node_op_seal(&a.op, &kp, &s2a, &l2a, h2a), 0);
	assert_rc(node_op_seal(&b.op, &kp, &s2b, &l2b, h2b), 0);
	assert_memory_not_equal(h2a, h2b, NODE_HASH_BYTES);

	/* Both follow seq 1, so each alone would be accepted... */
	assert_rc(node_op_open(s2b, l2b, kp.pk, &op, h), 0);
	assert_rc(node_op_chain_check(op, 1, h1), 0);
	/* ...but once 2a is the head, 2b is refused. */
	assert_rc(node_op_chain_check(op, 2, h2a), CM_ECRYPTO);
	ow__op__free_unpacked(op, NULL);

	/* And a seq 3 built on 2b does not follow 2a. */
	make_op(&b, "hall-a", 3, h2b, "continues the fork");
	assert_rc(node_op_chain_check(&b.op, 2, h2a), CM_ECRYPTO);

	cm_free(s1);
	cm_free(s2a);
	cm_free(s2b);
}

/* ------------------------------------------------------------ log keys */

static void
test_log_keys_sort_and_parse(void **state)
{
	const uint64_t seqs[] = {
	    1, 2, 255, 256, 65535, 65536, UINT64_C(1) << 40, UINT64_MAX};
	enum { N = sizeof(seqs) / sizeof(seqs[0]) };
	uint8_t keys[N][1 + NODE_ORIGIN_MAX + 8], prefix[1 + NODE_ORIGIN_MAX];
	size_t lens[N], plen;
	char origin[NODE_ORIGIN_MAX + 1];
	uint64_t seq;

	(void)state;
	plen = node_log_prefix("hall-a", prefix);
	assert_int_equal(plen, 7);
	assert_int_equal(prefix[0], 6);
	for (size_t i = 0; i < N; i++) {
		lens[i] = node_log_key("hall-a", seqs[i], keys[i]);
		assert_int_equal(lens[i], 1 + 6 + 8);
		assert_memory_equal(keys[i], prefix, plen);
		assert_rc(
		    node_log_key_parse(keys[i], lens[i], origin, &seq), 0);
		assert_string_equal(origin, "hall-a");
		assert_true(seq == seqs[i]);
	}
	for (size_t i = 0; i + 1 < N; i++) {
		assert_true(memcmp(keys[i], keys[i + 1], lens[i]) < 0);
	}
	/* The exact bytes of seq 256. */
	{
		static const uint8_t want[] = {
		    6, 'h', 'a', 'l', 'l', '-', 'a', 0, 0, 0, 0, 0, 0, 1, 0};

		assert_memory_equal(keys[3], want, sizeof(want));
	}
	/* "hall" is not a prefix of "hall-a"'s keys. */
	plen = node_log_prefix("hall", prefix);
	assert_memory_not_equal(keys[0], prefix, plen);
}

static void
test_log_keys_strict(void **state)
{
	uint8_t key[1 + NODE_ORIGIN_MAX + 8 + 4];
	char origin[NODE_ORIGIN_MAX + 1], long_id[NODE_ORIGIN_MAX + 2];
	uint64_t seq = 42;
	size_t n;

	(void)state;
	/* Origins: empty, too long, not a node id. */
	assert_int_equal(node_log_key("", 1, key), 0);
	assert_int_equal(node_log_prefix("", key), 0);
	assert_int_equal(node_log_key(NULL, 1, key), 0);
	assert_int_equal(node_log_key("Hall", 1, key), 0);
	assert_int_equal(node_log_key("1hall", 1, key), 0);
	memset(long_id, 'a', 63);
	long_id[63] = '\0';
	assert_int_equal(node_log_key(long_id, 1, key), 1 + 63 + 8);
	long_id[63] = 'a';
	long_id[64] = '\0';
	assert_int_equal(node_log_key(long_id, 1, key), 0);

	n = node_log_key("hall-b", 7, key);
	assert_rc(node_log_key_parse(key, n - 1, origin, &seq), CM_EPROTO);
	assert_rc(node_log_key_parse(key, n + 1, origin, &seq), CM_EPROTO);
	assert_rc(node_log_key_parse(key, 0, origin, &seq), CM_EPROTO);
	key[0] = 7; /* the length byte disagrees with klen */
	assert_rc(node_log_key_parse(key, n, origin, &seq), CM_EPROTO);
	key[0] = 0;
	assert_rc(node_log_key_parse(key, n, origin, &seq), CM_EPROTO);
	key[0] = 6;
	key[3] = '\0'; /* a NUL inside the origin */
	assert_rc(node_log_key_parse(key, n, origin, &seq), CM_EPROTO);
	key[3] = 'L'; /* not a node id */
	assert_rc(node_log_key_parse(key, n, origin, &seq), CM_EPROTO);
	assert_true(seq == 42); /* untouched on failure */
	key[3] = 'l';
	assert_rc(node_log_key_parse(key, n, origin, &seq), 0);
	assert_string_equal(origin, "hall-b");
	assert_true(seq == 7);
}

static void
test_node_id_valid(void **state)
{
	(void)state;
	assert_true(node_id_valid("a"));
	assert_true(node_id_valid("hall-01"));
	assert_true(node_id_valid("xuhui-district-hub"));
	assert_false(node_id_valid(NULL));
	assert_false(node_id_valid(""));
	assert_false(node_id_valid("1hall"));
	assert_false(node_id_valid("-hall"));
	assert_false(node_id_valid("Hall"));
	assert_false(node_id_valid("hall_01"));
	assert_false(node_id_valid("hall 01"));
	assert_false(node_id_valid("大厅"));
}

/* ------------------------------------------------------------ frames */

/*
 * Seal op in two steps (packed with a placeholder prev_hash, then sealed
 * on top of prev) and check that the bytes and the hash are node_op_seal's
 * for the op with prev_hash = prev, and protobuf-c's SignedOp encoding.
 */
static void
check_frame_matches_seal(const struct node_keypair *kp, Ow__Op *op,
    const unsigned char prev[NODE_HASH_BYTES])
{
	unsigned char junk[NODE_HASH_BYTES], h1[NODE_HASH_BYTES],
	    h2[NODE_HASH_BYTES], sig[NODE_SIG_BYTES];
	struct node_op_frame f;
	Ow__SignedOp so;
	uint8_t *ref = NULL, *op_bytes, *pb;
	size_t rlen = 0, n;
	Ow__Op *back = NULL;

	ow__signed_op__init(&so);
	/* A placeholder unlike the real head: every byte of it must go. */
	memset(junk, 0xa5, sizeof(junk));
	op->prev_hash.data = junk;
	op->prev_hash.len = NODE_HASH_BYTES;
	assert_rc(node_op_frame_pack(op, &f), 0);
	assert_non_null(f.buf);
	assert_memory_equal(f.buf + f.prev_off, junk, NODE_HASH_BYTES);
	assert_rc(node_op_frame_seal(&f, prev, kp, h1), 0);

	op->prev_hash.data = (uint8_t *)(uintptr_t)prev;
	assert_rc(node_op_seal(op, kp, &ref, &rlen, h2), 0);
	assert_int_equal(f.len, rlen);
	assert_memory_equal(f.buf, ref, rlen);
	assert_memory_equal(h1, h2, NODE_HASH_BYTES);

	/* And protobuf-c's own SignedOp packing of the same parts. */
	n = ow__op__get_packed_size(op);
	op_bytes = malloc(n);
	assert_non_null(op_bytes);
	assert_int_equal(ow__op__pack(op, op_bytes), n);
	assert_int_equal(
	    crypto_sign_detached(sig, NULL, op_bytes, n, kp->sk), 0);
	so.op.data = op_bytes;
	so.op.len = n;
	so.signature.data = sig;
	so.signature.len = sizeof(sig);
	assert_int_equal(ow__signed_op__get_packed_size(&so), f.len);
	pb = malloc(f.len);
	assert_non_null(pb);
	ow__signed_op__pack(&so, pb);
	assert_memory_equal(pb, f.buf, f.len);

	assert_rc(node_op_open(f.buf, f.len, kp->pk, &back, h2), 0);
	assert_memory_equal(h1, h2, NODE_HASH_BYTES);
	assert_memory_equal(back->prev_hash.data, prev, NODE_HASH_BYTES);
	ow__op__free_unpacked(back, NULL);
	free(pb);
	free(op_bytes);
	cm_free(ref);
	node_op_frame_free(&f);
	assert_null(f.buf);
}

static void
test_frame_is_seal(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	unsigned char prev[NODE_HASH_BYTES], zero[NODE_HASH_BYTES] = {0};
	static char big[20000];
	Ow__VersionVector vv;
	Ow__VersionEntry e, *ents[1] = {&e};

	(void)state;
	ow__version_vector__init(&vv);
	ow__version_entry__init(&e);
	assert_rc(node_keypair_generate(&kp), 0);
	randombytes_buf(prev, sizeof(prev));

	make_op(&t, "hall-a", 1, NULL, "材料已收齐");
	check_frame_matches_seal(&kp, &t.op, zero);
	make_op(&t, "hall-a", UINT64_C(1) << 40, NULL, "x");
	check_frame_matches_seal(&kp, &t.op, prev);
	/* Empty strings are left out of the encoding: prev_hash moves. */
	make_op(&t, "h", 2, NULL, "");
	t.actor[0] = '\0';
	t.case_id[0] = '\0';
	t.op.kind = 0;
	check_frame_matches_seal(&kp, &t.op, prev);
	/* A long op: the SignedOp length takes three varint bytes, and the
	 * fields after prev_hash (context, request, body) are there. */
	memset(big, 'a', sizeof(big) - 1);
	make_op(&t, "hall-b", 77, NULL, "");
	t.note.text = big;
	e.origin = t.origin;
	e.seq = 76;
	vv.n_entries = 1;
	vv.entries = ents;
	t.op.context = &vv;
	t.op.request = t.actor;
	check_frame_matches_seal(&kp, &t.op, prev);
}

static void
test_frame_refusals(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	struct node_op_frame f;
	unsigned char h[NODE_HASH_BYTES], prev[NODE_HASH_BYTES] = {0};

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&t, "Hall-A", 1, NULL, "x");
	assert_rc(node_op_frame_pack(&t.op, &f), CM_EINVAL);
	assert_null(f.buf);
	make_op(&t, "hall-a", 0, NULL, "x");
	assert_rc(node_op_frame_pack(&t.op, &f), CM_EINVAL);
	make_op(&t, "hall-a", 1, NULL, "x");
	t.op.prev_hash.len = 31;
	assert_rc(node_op_frame_pack(&t.op, &f), CM_EINVAL);
	assert_null(f.buf);

	/* A frame whose offsets do not point at prev_hash is not signed. */
	make_op(&t, "hall-a", 1, NULL, "x");
	assert_rc(node_op_frame_pack(&t.op, &f), 0);
	f.prev_off--;
	assert_rc(node_op_frame_seal(&f, prev, &kp, h), CM_EINTERNAL);
	f.prev_off++;
	f.len++;
	assert_rc(node_op_frame_seal(&f, prev, &kp, h), CM_EINTERNAL);
	f.len--;
	assert_rc(node_op_frame_seal(&f, prev, &kp, h), 0);
	node_op_frame_free(&f);
	node_op_frame_free(&f); /* empty: a no-op */
}

static void
test_frame_alloc_failures(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	struct node_op_frame f;
	int ok = 0, failed = 0;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&t, "hall-a", 3, NULL, "alloc");
	for (unsigned long n = 1; n < 10; n++) {
		int rc;

		cm_alloc_fail_after(n, 0);
		rc = node_op_frame_pack(&t.op, &f);
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			assert_non_null(f.buf);
			node_op_frame_free(&f);
			ok++;
		} else {
			assert_rc(rc, CM_ENOMEM);
			assert_null(f.buf);
			failed++;
		}
	}
	assert_true(failed >= 1);
	assert_true(ok > 0);
}

/* ------------------------------------------------------------ memory */

static void
test_seal_alloc_failures(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	unsigned char h[NODE_HASH_BYTES];
	int ok = 0, failed = 0;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&t, "hall-a", 3, NULL, "alloc");
	for (unsigned long n = 1; n < 50; n++) {
		uint8_t *buf = NULL;
		size_t len = 0;
		int rc;

		cm_alloc_fail_after(n, 0);
		rc = node_op_seal(&t.op, &kp, &buf, &len, h);
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			assert_non_null(buf);
			cm_free(buf);
			ok++;
		} else {
			assert_rc(rc, CM_ENOMEM);
			assert_null(buf);
			failed++;
		}
	}
	/* Each of seal's allocations (two today) was failed once. */
	assert_true(failed >= 2);
	assert_true(ok > 0);
}

static void
test_open_alloc_failures(void **state)
{
	struct node_keypair kp;
	struct test_op t;
	Ow__VersionEntry e, *ents[1] = {&e};
	Ow__VersionVector vv;
	unsigned char h[NODE_HASH_BYTES], h2[NODE_HASH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0;
	int ok = 0, failed = 0;

	(void)state;
	assert_rc(node_keypair_generate(&kp), 0);
	make_op(&t, "hall-a", 3, NULL, "alloc");
	ow__version_entry__init(&e);
	ow__version_vector__init(&vv);
	e.origin = t.origin; /* "hall-a": any string will do */
	e.seq = 9;
	vv.n_entries = 1;
	vv.entries = ents;
	t.op.context = &vv;
	assert_rc(node_op_seal(&t.op, &kp, &buf, &len, h), 0);
	for (unsigned long n = 1; n < 100; n++) {
		Ow__Op *op = NULL;
		int rc;

		cm_alloc_fail_after(n, 0);
		rc = node_op_open(buf, len, kp.pk, &op, h2);
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			assert_non_null(op);
			assert_memory_equal(h, h2, NODE_HASH_BYTES);
			assert_string_equal(
			    op->context->entries[0]->origin, "hall-a");
			ow__op__free_unpacked(op, NULL);
			ok++;
		} else {
			/* Memory pressure must not look like a bad peer. */
			assert_rc(rc, CM_ENOMEM);
			assert_null(op);
			failed++;
		}
	}
	assert_true(failed >= 8);
	assert_true(ok > 0);
	cm_free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keypair_round_trip),
	    cmocka_unit_test(test_keypair_refuses_overwrite),
	    cmocka_unit_test(test_keypair_permissions),
	    cmocka_unit_test(test_keypair_mismatch_and_garbage),
	    cmocka_unit_test(test_keypair_bad_pub_files),
	    cmocka_unit_test(test_pk_hex),
	    cmocka_unit_test(test_seal_open_round_trip),
	    cmocka_unit_test(test_seal_refuses_bad_ops),
	    cmocka_unit_test(test_open_refuses_malformed),
	    cmocka_unit_test(test_open_refuses_signed_nonsense),
	    cmocka_unit_test(test_open_refuses_field0),
	    cmocka_unit_test(test_every_bit_flip_refused),
	    cmocka_unit_test(test_wrong_key_refused),
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_fork_detected),
	    cmocka_unit_test(test_log_keys_sort_and_parse),
	    cmocka_unit_test(test_log_keys_strict),
	    cmocka_unit_test(test_node_id_valid),
	    cmocka_unit_test(test_frame_is_seal),
	    cmocka_unit_test(test_frame_refusals),
	    cmocka_unit_test(test_frame_alloc_failures),
	    cmocka_unit_test(test_seal_alloc_failures),
	    cmocka_unit_test(test_open_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
