/*
 * fuzz_repl.c: fuzz target for the replication messages a hall receives
 * from its peers (replication/): the decoder repl_msg_decode, and behind
 * it the whole receive path of the core (repl_on_message).
 *
 * Each input is
 *  1. decoded: the result must be one of the promised codes, and a
 *     decoded message must hold what the decoder promises (valid ids,
 *     distinct vector entries, non-empty runs that do not overflow) and
 *     must survive encode-decode unchanged;
 *  2. handed to a fresh core of hall "hall-b", which holds ops 1 and 2 of
 *     "hall-a" (signed with a fixed key, like the seed corpus's batches,
 *     so that mutations reach every check of an op), as a message from
 *     hall-a: the call must not fail but for memory, and whatever the core
 *     persists must be hall-a's ops, opened with hall-a's key, in seq
 *     order right after what it held, with heads that are their hashes.
 *
 * Built with -DFUZZ_REPL_MAKE_CORPUS and a main, this file writes the seed
 * corpus (corpus/repl/): see the end of the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/hlc.h"
#include "node/oplog.h"
#include "repl/core.h"
#include "repl/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Public on purpose: these keys protect nothing. */
static const unsigned char seed_a[crypto_sign_SEEDBYTES] =
    "onewindow fuzz_repl hall-a seed";
static const unsigned char seed_b[crypto_sign_SEEDBYTES] =
    "onewindow fuzz_repl hall-b seed";

#define FUZZ_WALL_MS UINT64_C(1772409600000)
#define FUZZ_OPS     4

static struct node_keypair kp_a, kp_b;
/* hall-a's first ops, sealed the same way every run. */
static uint8_t *ops_buf[FUZZ_OPS];
static size_t ops_len[FUZZ_OPS];
static unsigned char ops_hash[FUZZ_OPS][NODE_HASH_BYTES];
static int ready;

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_repl: %s\n", what);
		abort();
	}
}

static void
fuzz_init(void)
{
	static const unsigned char zero[NODE_HASH_BYTES];

	check(sodium_init() >= 0, "sodium_init");
	check(crypto_sign_seed_keypair(kp_a.pk, kp_a.sk, seed_a) == 0, "key a");
	check(crypto_sign_seed_keypair(kp_b.pk, kp_b.sk, seed_b) == 0, "key b");
	for (int i = 0; i < FUZZ_OPS; i++) {
		Ow__Op op = OW__OP__INIT;
		Ow__Note note = OW__NOTE__INIT;

		note.text = (char *)(uintptr_t) "fuzz";
		op.origin = (char *)(uintptr_t) "hall-a";
		op.seq = (uint64_t)i + 1;
		op.hlc = CM_HLC_MAKE(FUZZ_WALL_MS - 1000 + (uint64_t)i, 0);
		op.actor = (char *)(uintptr_t) "clerk";
		op.case_id = (char *)(uintptr_t) "FT01-20260302-0001";
		op.kind = OW__OP_KIND__OP_CASE_NOTE;
		op.body_case = OW__OP__BODY_NOTE;
		op.note = &note;
		op.prev_hash.data =
		    (uint8_t *)(uintptr_t)(i == 0 ? zero : ops_hash[i - 1]);
		op.prev_hash.len = NODE_HASH_BYTES;
		check(node_op_seal(&op, &kp_a, &ops_buf[i], &ops_len[i],
		          ops_hash[i]) == 0,
		    "seal");
	}
	ready = 1;
}

/* hall-b's log: hall-a's ops 1 and 2. */
static int
log_get(void *arg, const char *origin, uint64_t seq, const uint8_t **buf,
    size_t *len)
{
	(void)arg;
	if (strcmp(origin, "hall-a") != 0 || seq < 1 || seq > 2) {
		return CM_ENOENT;
	}
	*buf = ops_buf[seq - 1];
	*len = ops_len[seq - 1];
	return 0;
}

static const struct repl_log_ops fuzz_log = {log_get};

/* What repl_msg_decode promises of a message it returns. */
static void
check_vector(const Ow__VersionVector *v)
{
	for (size_t i = 0; v != NULL && i < v->n_entries; i++) {
		check(node_id_valid(v->entries[i]->origin), "a bad vector id");
		for (size_t j = i + 1; j < v->n_entries; j++) {
			check(strcmp(v->entries[i]->origin,
			          v->entries[j]->origin) != 0,
			    "an origin twice in a vector");
		}
	}
	check(v == NULL || v->n_entries <= REPL_VECTOR_MAX, "a long vector");
}

static void
check_decoded(const Ow__ReplMessage *m)
{
	check(m->version == REPL_PROTO_VERSION, "another version");
	check(node_id_valid(m->from), "a bad sender id");
	switch (m->body_case) {
	case OW__REPL_MESSAGE__BODY_PULL:
		check(m->pull->max_bytes > 0, "a pull for 0 bytes");
		check_vector(m->pull->have);
		break;
	case OW__REPL_MESSAGE__BODY_BATCH:
		check_vector(m->batch->have);
		for (size_t i = 0; i < m->batch->n_runs; i++) {
			const Ow__ReplRun *r = m->batch->runs[i];

			check(node_id_valid(r->origin), "a bad run origin");
			check(r->first_seq >= 1 && r->n_ops >= 1, "a bad run");
			check(r->first_seq - 1 <= UINT64_MAX - r->n_ops,
			    "a run past 2^64");
			for (size_t j = 0; j < r->n_ops; j++) {
				check(r->ops[j].len >= 1 &&
				          r->ops[j].len <= NODE_OP_MAX_BYTES,
				    "an op of a bad size");
			}
		}
		break;
	case OW__REPL_MESSAGE__BODY_HINT:
		check_vector(m->hint->have);
		break;
	default:
		check(0, "a message without a body");
	}
}

/* Decode, check, and encode-decode to the same bytes. */
static void
fuzz_decode(const uint8_t *data, size_t size)
{
	Ow__ReplMessage *m = NULL, *again = NULL;
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t l1, l2;
	int rc = repl_msg_decode(data, size, &m);

	check(rc == 0 || rc == CM_EPROTO || rc == CM_EUNSUPPORTED ||
	          rc == CM_ENOMEM,
	    "decode: unexpected code");
	check((rc == 0) == (m != NULL), "decode: message does not match code");
	if (m == NULL) {
		return;
	}
	check_decoded(m);
	check(repl_msg_encode(m, &b1, &l1) == 0, "encode");
	check(repl_msg_decode(b1, l1, &again) == 0, "re-decode");
	check(repl_msg_encode(again, &b2, &l2) == 0, "re-encode");
	check(l1 == l2 && memcmp(b1, b2, l1) == 0,
	    "encode-decode is not a fixed point");
	cm_free(b1);
	cm_free(b2);
	repl_msg_free(again);
	repl_msg_free(m);
}

/* What a core persists must be hall-a's genuine chain. */
static void
check_persist(const struct repl_effect *e, uint64_t *seq)
{
	unsigned char hash[NODE_HASH_BYTES];

	for (size_t i = 0; i < e->nops; i++) {
		Ow__Op *op = NULL;

		check(strcmp(e->ops[i].origin, "hall-a") == 0,
		    "persisted an op of another origin");
		check(e->ops[i].seq == *seq + 1, "persisted above a gap");
		check(node_op_open(e->ops[i].buf, e->ops[i].len, kp_a.pk, &op,
		          hash) == 0,
		    "persisted an op hall-a did not sign");
		check(op->seq == e->ops[i].seq &&
		          memcmp(hash, e->ops[i].hash, NODE_HASH_BYTES) == 0,
		    "persisted an op that is not what it claims");
		ow__op__free_unpacked(op, NULL);
		(*seq)++;
	}
	for (size_t i = 0; i < e->nheads; i++) {
		check(strcmp(e->heads[i].origin, "hall-a") == 0 &&
		          e->heads[i].seq == *seq &&
		          memcmp(e->heads[i].hash, e->ops[e->nops - 1].hash,
		              NODE_HASH_BYTES) == 0,
		    "a head that is not the last op");
	}
}

static void
fuzz_core(const uint8_t *data, size_t size)
{
	struct repl_config cfg;
	struct repl *r = NULL;
	struct cm_hlc hlc;
	struct repl_effects fx;
	uint64_t seq = 2;
	int rc;

	repl_config_default(&cfg);
	cfg.self = "hall-b";
	memcpy(cfg.self_pk, kp_b.pk, NODE_PK_BYTES);
	cm_hlc_init(&hlc, 0);
	cfg.hlc = &hlc;
	cfg.log = &fuzz_log;
	cfg.max_batch_bytes = 4096;
	cfg.held_max_bytes = 8192;
	check(repl_new(&cfg, &r) == 0, "repl_new");
	check(repl_origin_add(r, "hall-a", kp_a.pk) == 0, "origin");
	check(repl_origin_set_head(r, "hall-a", 2, ops_hash[1]) == 0, "head");
	check(repl_peer_add(r, "hall-a") == 0, "peer");
	repl_effects_init(&fx);
	rc = repl_on_message(r, 1, FUZZ_WALL_MS, "hall-a", data, size, &fx);
	check(rc == 0 || rc == CM_ENOMEM, "on_message: unexpected code");
	check(rc == 0 || fx.n == 0, "a failed call left effects");
	for (size_t i = 0; i < fx.n; i++) {
		const struct repl_effect *e = &fx.items[i];

		switch (e->kind) {
		case REPL_FX_PERSIST:
			check_persist(e, &seq);
			break;
		case REPL_FX_SEND:
			check(strcmp(e->peer, "hall-a") == 0,
			    "a message to someone else");
			check(e->len <= REPL_MSG_MAX, "a message too large");
			break;
		case REPL_FX_REPORT:
			check(
			    (unsigned)e->event < REPL_EV__COUNT && e->code <= 0,
			    "a bad report");
			break;
		case REPL_FX_PUBLISH:
			break;
		}
	}
	check(repl_seq(r, "hall-a") == seq, "the vector is not what was "
	                                    "persisted");
	check(repl_held_bytes(r) <= cfg.held_max_bytes, "held too much");
	repl_effects_free(&fx);
	repl_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t empty[1];

	if (!ready) {
		fuzz_init();
	}
	if (data == NULL) {
		data = empty;
	}
	fuzz_decode(data, size);
	fuzz_core(data, size);
	return 0;
}

#ifdef FUZZ_REPL_MAKE_CORPUS
/*
 * The seed corpus: a pull, hints, batches of hall-a's ops (repeats, the
 * next ones, a gap, a fork of seq 3). Regenerate with
 *   cc -DFUZZ_REPL_MAKE_CORPUS ... fuzz_repl.c && ./a.out corpus/repl
 * linking the same libraries as the replay target.
 */
static void
put(const char *dir, const char *name, const Ow__ReplMessage *m)
{
	char path[512];
	uint8_t *buf;
	size_t len;
	FILE *fp;

	check(repl_msg_encode(m, &buf, &len) == 0, "encode");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	check(fp != NULL && fwrite(buf, 1, len, fp) == len && fclose(fp) == 0,
	    "write");
	cm_free(buf);
}

static void
put_batch(
    const char *dir, const char *name, uint64_t first, size_t from, size_t n)
{
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplBatch b = OW__REPL_BATCH__INIT;
	Ow__ReplRun run = OW__REPL_RUN__INIT, *runs[1] = {&run};
	ProtobufCBinaryData ops[FUZZ_OPS];
	Ow__VersionEntry e = OW__VERSION_ENTRY__INIT, *es[1] = {&e};
	Ow__VersionVector vv = OW__VERSION_VECTOR__INIT;

	for (size_t i = 0; i < n; i++) {
		ops[i].data = ops_buf[from + i];
		ops[i].len = ops_len[from + i];
	}
	e.origin = (char *)(uintptr_t) "hall-a";
	e.seq = FUZZ_OPS;
	vv.entries = es;
	vv.n_entries = 1;
	m.version = REPL_PROTO_VERSION;
	m.from = (char *)(uintptr_t) "hall-a";
	m.body_case = OW__REPL_MESSAGE__BODY_BATCH;
	m.batch = &b;
	b.request = 1;
	b.runs = runs;
	b.n_runs = 1;
	b.have = &vv;
	run.origin = (char *)(uintptr_t) "hall-a";
	run.first_seq = first;
	run.ops = ops;
	run.n_ops = n;
	put(dir, name, &m);
}

int
main(int argc, char **argv)
{
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplPull pull = OW__REPL_PULL__INIT;
	Ow__ReplHint hint = OW__REPL_HINT__INIT;
	Ow__VersionEntry e = OW__VERSION_ENTRY__INIT, *es[1] = {&e};
	Ow__VersionVector vv = OW__VERSION_VECTOR__INIT;

	check(argc == 2, "usage: make-corpus DIR");
	fuzz_init();
	e.origin = (char *)(uintptr_t) "hall-a";
	e.seq = 1;
	vv.entries = es;
	vv.n_entries = 1;
	m.version = REPL_PROTO_VERSION;
	m.from = (char *)(uintptr_t) "hall-a";
	m.body_case = OW__REPL_MESSAGE__BODY_PULL;
	m.pull = &pull;
	pull.have = &vv;
	pull.max_bytes = 1500;
	pull.request = 9;
	put(argv[1], "pull_from_1", &m);
	m.body_case = OW__REPL_MESSAGE__BODY_HINT;
	m.hint = &hint;
	hint.have = &vv;
	e.seq = 4;
	put(argv[1], "hint_ahead", &m);
	put_batch(argv[1], "batch_1_to_4", 1, 0, 4);
	put_batch(argv[1], "batch_3_4", 3, 2, 2);
	put_batch(argv[1], "batch_gap_4", 4, 3, 1);
	put_batch(argv[1], "batch_misplaced", 3, 3, 1);
	put_batch(argv[1], "batch_repeat_2", 2, 1, 1);
	return 0;
}
#endif
