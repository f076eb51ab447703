/*
 * oplog.c: node keys, sealed ops, chain checks and log keys (see oplog.h).
 *
 * This is the trust boundary of replication: every op that arrives from
 * another hall passes node_op_open before anything else looks at it, so
 * the decoder is bounded, every failure frees what it made, and a bad
 * signature is told apart from a malformed message and from lack of
 * memory (a node must not blame a peer for its own memory pressure).
 *
 * The signature and the hash cover the exact Op bytes that travel inside
 * the SignedOp, never a re-encoding: protobuf encodings are not unique,
 * and another implementation must be able to check our ops.
 */
#include "node/oplog.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"

/* The largest SignedOp we seal or open: a replication batch is capped at
 * 4 MiB, so a single op can never be larger. */
#define OPLOG_MAX_BYTES NODE_OP_MAX_BYTES

/* Node ids have at most 63 bytes; NODE_ORIGIN_MAX is the buffer bound. */
#define OPLOG_ID_MAX 63

#define OPLOG_KEY_FILE "node.key"
#define OPLOG_PUB_FILE "node.pub"

/* sodium_init is idempotent and thread-safe; it fails only when the
 * system has no usable random source, which is not the caller's fault. */
static int
oplog_sodium_init(void)
{
	return sodium_init() < 0 ? CM_EINTERNAL : 0;
}

/* ------------------------------------------------------------ node ids */

bool
node_id_valid(const char *id)
{
	size_t n;

	if (id == NULL || id[0] < 'a' || id[0] > 'z') {
		return false;
	}
	for (n = 0; id[n] != '\0'; n++) {
		char c = id[n];

		if (n >= OPLOG_ID_MAX) {
			return false;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		        c == '-')) {
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------ keys */

int
node_keypair_generate(struct node_keypair *kp)
{
	int rc;

	if (kp == NULL) {
		return CM_EINVAL;
	}
	if ((rc = oplog_sodium_init()) != 0) {
		return rc;
	}
	if (crypto_sign_keypair(kp->pk, kp->sk) != 0) {
		return CM_EINTERNAL;
	}
	return 0;
}

/*
 * Do pk and sk belong together? libsodium's secret key is seed || pk, so
 * comparing its second half with pk (crypto_sign_ed25519_sk_to_pk) would
 * miss a damaged seed: derive the whole pair from the seed instead.
 * Returns 0, CM_ECORRUPT or CM_EINTERNAL.
 */
static int
oplog_keypair_check(const unsigned char pk[NODE_PK_BYTES],
    const unsigned char sk[NODE_SK_BYTES])
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	unsigned char dpk[NODE_PK_BYTES], dsk[NODE_SK_BYTES];
	int rc = 0;

	crypto_sign_ed25519_sk_to_pk(dpk, sk);
	if (sodium_memcmp(dpk, pk, NODE_PK_BYTES) != 0) {
		return CM_ECORRUPT;
	}
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	if (crypto_sign_seed_keypair(dpk, dsk, seed) != 0) {
		rc = CM_EINTERNAL;
	} else if (sodium_memcmp(dpk, pk, NODE_PK_BYTES) != 0 ||
	           sodium_memcmp(dsk, sk, NODE_SK_BYTES) != 0) {
		rc = CM_ECORRUPT;
	}
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(dsk, sizeof(dsk));
	return rc;
}

static int
oplog_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return cm_err_from_errno(errno);
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Create name in dfd (never replacing a file: O_EXCL), write text and
 * fsync it. On failure after the file was created it is removed again, so
 * a failed save leaves the directory as it found it.
 */
static int
oplog_create_file(int dfd, const char *name, mode_t mode, const char *text)
{
	int fd, rc;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		return cm_err_from_errno(errno);
	}
	rc = oplog_write_all(fd, text, strlen(text));
	if (rc == 0 && fsync(fd) != 0) {
		rc = cm_err_from_errno(errno);
	}
	if (close(fd) != 0 && rc == 0) {
		rc = cm_err_from_errno(errno);
	}
	if (rc != 0) {
		(void)unlinkat(dfd, name, 0);
	}
	return rc;
}

int
node_keypair_save(const struct node_keypair *kp, const char *dir)
{
	char skhex[2 * NODE_SK_BYTES + 2];
	char pkhex[2 * NODE_PK_BYTES + 2];
	int dfd, rc;

	if (kp == NULL || dir == NULL) {
		return CM_EINVAL;
	}
	if ((rc = oplog_sodium_init()) != 0) {
		return rc;
	}
	/* A pair that load would refuse must not reach the disk. */
	if ((rc = oplog_keypair_check(kp->pk, kp->sk)) != 0) {
		return rc == CM_ECORRUPT ? CM_EINVAL : rc;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		return cm_err_from_errno(errno);
	}
	sodium_bin2hex(skhex, sizeof(skhex) - 1, kp->sk, NODE_SK_BYTES);
	strcat(skhex, "\n");
	node_pk_hex(kp->pk, pkhex);
	strcat(pkhex, "\n");

	/* The secret first: O_EXCL on it is what refuses to overwrite an
	 * existing identity. */
	rc = oplog_create_file(dfd, OPLOG_KEY_FILE, 0600, skhex);
	if (rc != 0) {
		goto done;
	}
	rc = oplog_create_file(dfd, OPLOG_PUB_FILE, 0644, pkhex);
	if (rc != 0) {
		(void)unlinkat(dfd, OPLOG_KEY_FILE, 0);
		goto done;
	}
	/* The new names are durable only once the directory is synced. */
	if (fsync(dfd) != 0) {
		rc = cm_err_from_errno(errno);
		(void)unlinkat(dfd, OPLOG_PUB_FILE, 0);
		(void)unlinkat(dfd, OPLOG_KEY_FILE, 0);
	}
done:
	sodium_memzero(skhex, sizeof(skhex));
	close(dfd);
	return rc;
}

/*
 * Read name in dfd: exactly 2 * n hex digits and a newline, decoded into
 * out (n bytes). With is_secret, the file must not be open to group or
 * others (CM_EACCES), as ssh demands of private keys. The text buffer is
 * wiped either way: it may hold a secret key.
 */
static int
oplog_read_hex_file(
    int dfd, const char *name, bool is_secret, unsigned char *out, size_t n)
{
	char text[2 * NODE_SK_BYTES + 2];
	size_t want = 2 * n + 1, got = 0, binlen = 0;
	const char *end = NULL;
	struct stat st;
	int fd, rc = 0;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return cm_err_from_errno(errno);
	}
	if (fstat(fd, &st) != 0) {
		rc = cm_err_from_errno(errno);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = CM_ECORRUPT;
		goto done;
	}
	if (is_secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rc = CM_EACCES;
		goto done;
	}
	if ((size_t)st.st_size != want || want > sizeof(text) - 1) {
		rc = CM_ECORRUPT;
		goto done;
	}
	/* Read one byte more than expected, so that a file that grew since
	 * fstat is caught too. */
	while (got < want + 1 && got < sizeof(text)) {
		ssize_t r = read(fd, text + got, sizeof(text) - got);

		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			rc = cm_err_from_errno(errno);
			goto done;
		}
		if (r == 0) {
			break;
		}
		got += (size_t)r;
	}
	if (got != want || text[want - 1] != '\n') {
		rc = CM_ECORRUPT;
		goto done;
	}
	if (sodium_hex2bin(out, n, text, want - 1, NULL, &binlen, &end) != 0 ||
	    binlen != n || end != text + want - 1) {
		rc = CM_ECORRUPT;
	}
done:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return rc;
}

int
node_keypair_load(const char *dir, struct node_keypair *kp)
{
	struct node_keypair tmp;
	int dfd, rc;

	if (dir == NULL || kp == NULL) {
		return CM_EINVAL;
	}
	if ((rc = oplog_sodium_init()) != 0) {
		return rc;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		return cm_err_from_errno(errno);
	}
	rc = oplog_read_hex_file(
	    dfd, OPLOG_KEY_FILE, true, tmp.sk, NODE_SK_BYTES);
	if (rc == 0) {
		rc = oplog_read_hex_file(
		    dfd, OPLOG_PUB_FILE, false, tmp.pk, NODE_PK_BYTES);
	}
	if (rc == 0) {
		rc = oplog_keypair_check(tmp.pk, tmp.sk);
	}
	if (rc == 0) {
		memcpy(kp, &tmp, sizeof(tmp));
	}
	sodium_memzero(&tmp, sizeof(tmp));
	close(dfd);
	return rc;
}

void
node_pk_hex(const unsigned char pk[NODE_PK_BYTES], char *out)
{
	sodium_bin2hex(out, 2 * NODE_PK_BYTES + 1, pk, NODE_PK_BYTES);
}

int
node_pk_parse(const char *hex, unsigned char pk[NODE_PK_BYTES])
{
	unsigned char tmp[NODE_PK_BYTES];
	size_t binlen = 0;
	const char *end = NULL;

	if (hex == NULL || pk == NULL) {
		return CM_EINVAL;
	}
	if (strlen(hex) != 2 * NODE_PK_BYTES ||
	    sodium_hex2bin(tmp, sizeof(tmp), hex, 2 * NODE_PK_BYTES, NULL,
	        &binlen, &end) != 0 ||
	    binlen != NODE_PK_BYTES || end != hex + 2 * NODE_PK_BYTES) {
		return CM_EPARSE;
	}
	memcpy(pk, tmp, sizeof(tmp));
	return 0;
}

/* ------------------------------------------------------------ seal, open */

/*
 * protobuf-c's own allocator calls malloc and reports a failure only as a
 * NULL message, which looks exactly like malformed input. This one goes
 * through cm_malloc (so tests can fail it) and remembers the failure. Its
 * memory is plain malloc memory (cm_free is free), which is why a caller
 * may still free the op with ow__op__free_unpacked(op, NULL).
 */
static void *
pb_alloc(void *data, size_t size)
{
	struct node_pb_alloc *a = data;
	void *p = cm_malloc(size);

	if (p == NULL) {
		a->failed = true;
	}
	return p;
}

static void
pb_free(void *data, void *p)
{
	(void)data;
	cm_free(p);
}

void
node_pb_alloc_init(struct node_pb_alloc *a)
{
	a->al.alloc = pb_alloc;
	a->al.free = pb_free;
	a->al.allocator_data = a;
	a->failed = false;
}

static bool
has_field0(const ProtobufCMessage *m, unsigned depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;

	if (depth > 16) {
		return true; /* the schema nests 4 deep: not ours */
	}
	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		if (m->unknown_fields[i].tag == 0) {
			return true;
		}
	}
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *quantifier = base + f->quantifier_offset;
		const char *member = base + f->offset;

		if (f->type != PROTOBUF_C_TYPE_MESSAGE) {
			continue;
		}
		/* Only the oneof member that is set may be read. */
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
		    *(const uint32_t *)quantifier != f->id) {
			continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)quantifier;
			ProtobufCMessage *const *subs =
			    *(ProtobufCMessage *const *const *)member;

			for (size_t j = 0; j < n; j++) {
				if (has_field0(subs[j], depth + 1)) {
					return true;
				}
			}
		} else {
			const ProtobufCMessage *sub =
			    *(const ProtobufCMessage *const *)member;

			if (sub != NULL && has_field0(sub, depth + 1)) {
				return true;
			}
		}
	}
	return false;
}

bool
node_pb_has_field0(const ProtobufCMessage *m)
{
	return has_field0(m, 0);
}

/* The fields every op must have, whoever made it. */
static bool
oplog_op_well_formed(const Ow__Op *op)
{
	return node_id_valid(op->origin) && op->seq >= 1 &&
	       op->prev_hash.len == NODE_HASH_BYTES &&
	       op->prev_hash.data != NULL;
}

int
node_op_seal(const Ow__Op *op, const struct node_keypair *kp, uint8_t **out,
    size_t *outlen, unsigned char hash[NODE_HASH_BYTES])
{
	Ow__SignedOp so = OW__SIGNED_OP__INIT;
	unsigned char sig[NODE_SIG_BYTES];
	uint8_t *bytes = NULL, *buf = NULL;
	size_t n, m;
	int rc;

	if (op == NULL || kp == NULL || out == NULL || outlen == NULL ||
	    hash == NULL) {
		return CM_EINVAL;
	}
	*out = NULL;
	*outlen = 0;
	/* Sealing an op that every peer would refuse helps nobody. */
	if (!oplog_op_well_formed(op)) {
		return CM_EINVAL;
	}
	if ((rc = oplog_sodium_init()) != 0) {
		return rc;
	}
	n = ow__op__get_packed_size(op);
	if (n > OPLOG_MAX_BYTES) {
		return CM_ETOOBIG;
	}
	bytes = cm_malloc(n);
	if (bytes == NULL) {
		return CM_ENOMEM;
	}
	if (ow__op__pack(op, bytes) != n) {
		rc = CM_EINTERNAL;
		goto fail;
	}
	if (crypto_sign_detached(sig, NULL, bytes, n, kp->sk) != 0) {
		rc = CM_EINTERNAL;
		goto fail;
	}
	so.op.data = bytes;
	so.op.len = n;
	so.signature.data = sig;
	so.signature.len = sizeof(sig);
	m = ow__signed_op__get_packed_size(&so);
	if (m > OPLOG_MAX_BYTES) {
		rc = CM_ETOOBIG;
		goto fail;
	}
	buf = cm_malloc(m);
	if (buf == NULL) {
		rc = CM_ENOMEM;
		goto fail;
	}
	if (ow__signed_op__pack(&so, buf) != m) {
		rc = CM_EINTERNAL;
		goto fail;
	}
	crypto_generichash(hash, NODE_HASH_BYTES, bytes, n, NULL, 0);
	cm_free(bytes);
	*out = buf;
	*outlen = m;
	return 0;

fail:
	cm_free(buf);
	cm_free(bytes);
	return rc;
}

/* The length of v as a protobuf varint. */
static size_t
oplog_varint_len(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * The frame is the SignedOp encoding protobuf-c makes for {op, signature}
 * (both non-empty): 0x0a, varint length, the Op bytes, 0x12, 0x40, the 64
 * signature bytes. The unit test holds it against ow__signed_op__pack.
 */
int
node_op_frame_pack(const Ow__Op *op, struct node_op_frame *f)
{
	Ow__Op head;
	size_t n, m, vlen, k, off = 0, v;
	uint8_t *buf;
	int rc;

	if (op == NULL || f == NULL) {
		return CM_EINVAL;
	}
	memset(f, 0, sizeof(*f));
	if (!oplog_op_well_formed(op)) {
		return CM_EINVAL;
	}
	if ((rc = oplog_sodium_init()) != 0) {
		return rc;
	}
	n = ow__op__get_packed_size(op);
	if (n > OPLOG_MAX_BYTES) {
		return CM_ETOOBIG;
	}
	vlen = oplog_varint_len(n);
	m = 1 + vlen + n + 2 + NODE_SIG_BYTES;
	if (m > OPLOG_MAX_BYTES) {
		return CM_ETOOBIG;
	}
	/* Fields 1-6 alone: their encoding is what precedes prev_hash. */
	ow__op__init(&head);
	head.origin = op->origin;
	head.seq = op->seq;
	head.hlc = op->hlc;
	head.actor = op->actor;
	head.case_id = op->case_id;
	head.kind = op->kind;
	k = ow__op__get_packed_size(&head);
	if (k + 2 + NODE_HASH_BYTES > n) {
		return CM_EINTERNAL;
	}
	buf = cm_malloc(m);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	buf[off++] = 0x0a;
	for (v = n; v >= 0x80; v >>= 7) {
		buf[off++] = (uint8_t)(v | 0x80);
	}
	buf[off++] = (uint8_t)v;
	if (ow__op__pack(op, buf + off) != n || buf[off + k] != 0x3a ||
	    buf[off + k + 1] != NODE_HASH_BYTES) {
		cm_free(buf);
		return CM_EINTERNAL;
	}
	f->buf = buf;
	f->len = m;
	f->op_off = off;
	f->op_len = n;
	f->prev_off = off + k + 2;
	buf[off + n] = 0x12;
	buf[off + n + 1] = NODE_SIG_BYTES;
	memset(buf + off + n + 2, 0, NODE_SIG_BYTES);
	return 0;
}

int
node_op_frame_seal(struct node_op_frame *f,
    const unsigned char prev[NODE_HASH_BYTES], const struct node_keypair *kp,
    unsigned char hash[NODE_HASH_BYTES])
{
	uint8_t *bytes, *sig;

	/* A frame that pack did not make (or that was changed since) would
	 * put a signature over the wrong bytes. */
	if (f == NULL || f->buf == NULL || prev == NULL || kp == NULL ||
	    hash == NULL || f->prev_off < f->op_off + 2 ||
	    f->prev_off + NODE_HASH_BYTES > f->op_off + f->op_len ||
	    f->op_off + f->op_len + 2 + NODE_SIG_BYTES != f->len ||
	    f->buf[f->prev_off - 2] != 0x3a ||
	    f->buf[f->prev_off - 1] != NODE_HASH_BYTES ||
	    f->buf[f->op_off + f->op_len] != 0x12 ||
	    f->buf[f->op_off + f->op_len + 1] != NODE_SIG_BYTES) {
		return CM_EINTERNAL;
	}
	bytes = f->buf + f->op_off;
	sig = bytes + f->op_len + 2;
	memcpy(f->buf + f->prev_off, prev, NODE_HASH_BYTES);
	if (crypto_sign_detached(sig, NULL, bytes, f->op_len, kp->sk) != 0) {
		return CM_EINTERNAL;
	}
	crypto_generichash(hash, NODE_HASH_BYTES, bytes, f->op_len, NULL, 0);
	return 0;
}

void
node_op_frame_free(struct node_op_frame *f)
{
	if (f != NULL) {
		cm_free(f->buf);
		memset(f, 0, sizeof(*f));
	}
}

int
node_op_open(const uint8_t *buf, size_t len,
    const unsigned char pk[NODE_PK_BYTES], Ow__Op **op,
    unsigned char hash[NODE_HASH_BYTES])
{
	return node_op_open_ex(buf, len, pk, op, hash, true);
}

int
node_op_open_ex(const uint8_t *buf, size_t len,
    const unsigned char pk[NODE_PK_BYTES], Ow__Op **op,
    unsigned char hash[NODE_HASH_BYTES], bool check_signature)
{
	/* libsodium is handed this instead of a NULL pointer for empty op
	 * bytes. */
	static const uint8_t empty[1];
	struct node_pb_alloc pa;
	Ow__SignedOp *so = NULL;
	Ow__Op *o = NULL;
	const uint8_t *bytes;
	int rc;

	if (op == NULL || pk == NULL || hash == NULL ||
	    (buf == NULL && len > 0)) {
		return CM_EINVAL;
	}
	*op = NULL;
	if (len > OPLOG_MAX_BYTES) {
		return CM_EPROTO;
	}
	if ((rc = oplog_sodium_init()) != 0) {
		return rc;
	}
	node_pb_alloc_init(&pa);
	so = ow__signed_op__unpack(&pa.al, len, buf != NULL ? buf : empty);
	if (so == NULL) {
		return pa.failed ? CM_ENOMEM : CM_EPROTO;
	}
	bytes = so->op.data != NULL ? so->op.data : empty;
	/* The signature is checked before the op is decoded: bytes nobody
	 * signed never reach the larger decoder. */
	if (so->signature.len != NODE_SIG_BYTES ||
	    (check_signature && crypto_sign_verify_detached(so->signature.data,
	                            bytes, so->op.len, pk) != 0)) {
		rc = CM_ECRYPTO;
		goto done;
	}
	o = ow__op__unpack(&pa.al, so->op.len, bytes);
	if (o == NULL) {
		rc = pa.failed ? CM_ENOMEM : CM_EPROTO;
		goto done;
	}
	if (!oplog_op_well_formed(o) || node_pb_has_field0(&o->base)) {
		ow__op__free_unpacked(o, &pa.al);
		rc = CM_EPROTO;
		goto done;
	}
	crypto_generichash(hash, NODE_HASH_BYTES, bytes, so->op.len, NULL, 0);
	*op = o;
	rc = 0;
done:
	ow__signed_op__free_unpacked(so, &pa.al);
	return rc;
}

/* ------------------------------------------------------------ chain */

int
node_op_chain_check(const Ow__Op *op, uint64_t head_seq,
    const unsigned char head_hash[NODE_HASH_BYTES])
{
	static const unsigned char zero[NODE_HASH_BYTES];
	const unsigned char *want = head_seq == 0 ? zero : head_hash;

	if (op == NULL || want == NULL) {
		return CM_EINVAL;
	}
	/* At or below the head: a replay of an op we hold, or a second op
	 * with a seq already taken (a fork). Either way not to be applied. */
	if (op->seq <= head_seq) {
		return CM_ECRYPTO;
	}
	if (op->seq - head_seq > 1) {
		return CM_ERANGE;
	}
	if (op->prev_hash.len != NODE_HASH_BYTES ||
	    op->prev_hash.data == NULL ||
	    memcmp(op->prev_hash.data, want, NODE_HASH_BYTES) != 0) {
		return CM_ECRYPTO;
	}
	return 0;
}

/* ------------------------------------------------------------ log keys */

size_t
node_log_prefix(const char *origin, uint8_t *key)
{
	size_t n;

	if (!node_id_valid(origin) || key == NULL) {
		return 0;
	}
	n = strlen(origin);
	key[0] = (uint8_t)n;
	memcpy(key + 1, origin, n);
	return 1 + n;
}

size_t
node_log_key(const char *origin, uint64_t seq, uint8_t *key)
{
	size_t n = node_log_prefix(origin, key);

	if (n == 0) {
		return 0;
	}
	/* Big-endian, so that memcmp order (RocksDB's default comparator)
	 * is seq order within an origin. */
	for (int i = 0; i < 8; i++) {
		key[n + (size_t)i] = (uint8_t)(seq >> (56 - 8 * i));
	}
	return n + 8;
}

int
node_log_key_parse(const uint8_t *key, size_t klen, char *origin, uint64_t *seq)
{
	char id[NODE_ORIGIN_MAX + 1];
	uint64_t s = 0;
	size_t n;

	if (key == NULL || origin == NULL || seq == NULL || klen < 1) {
		return CM_EPROTO;
	}
	n = key[0];
	if (n < 1 || n > NODE_ORIGIN_MAX || klen != 1 + n + 8) {
		return CM_EPROTO;
	}
	memcpy(id, key + 1, n);
	id[n] = '\0';
	/* strlen catches a NUL inside the origin bytes. */
	if (strlen(id) != n || !node_id_valid(id)) {
		return CM_EPROTO;
	}
	for (size_t i = 0; i < 8; i++) {
		s = (s << 8) | key[1 + n + i];
	}
	memcpy(origin, id, n + 1);
	*seq = s;
	return 0;
}
