/*
 * test_repl_msg.c: the replication messages on the wire (repl/msg.h):
 * round trips, exact bytes of a pull (the spec in docs/replication.md
 * shows them), and every message the decoder must refuse.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "repl/msg.h"

static Ow__VersionEntry e1 = {
    PROTOBUF_C_MESSAGE_INIT(&ow__version_entry__descriptor),
    (char *)(uintptr_t) "hall-a", 7};
static Ow__VersionEntry e2 = {
    PROTOBUF_C_MESSAGE_INIT(&ow__version_entry__descriptor),
    (char *)(uintptr_t) "hall-b", 300};

static int
decode(const uint8_t *buf, size_t len)
{
	Ow__ReplMessage *m = NULL;
	int rc = repl_msg_decode(buf, len, &m);

	assert_true((rc == 0) == (m != NULL));
	repl_msg_free(m);
	return rc;
}

static int
encode_decode(Ow__ReplMessage *m)
{
	uint8_t *buf;
	size_t len;
	int rc;

	assert_rc(repl_msg_encode(m, &buf, &len), 0);
	rc = decode(buf, len);
	cm_free(buf);
	return rc;
}

/* A pull, byte for byte: what docs/replication.md shows. */
static void
test_pull_bytes(void **state)
{
	static const uint8_t want[] = {
	    0x08, 0x01,                               /* version: 1 */
	    0x12, 0x06, 'h', 'a', 'l', 'l', '-', 'c', /* from */
	    0x52, 0x21,                               /* pull (field 10) */
	    0x0a, 0x19,                               /*  have */
	    0x0a, 0x0a,                               /*   entry */
	    0x0a, 0x06, 'h', 'a', 'l', 'l', '-', 'a', /*    origin */
	    0x10, 0x07,                               /*    seq 7 */
	    0x0a, 0x0b,                               /*   entry */
	    0x0a, 0x06, 'h', 'a', 'l', 'l', '-', 'b', /*    origin */
	    0x10, 0xac, 0x02,                         /*    seq 300 */
	    0x10, 0x80, 0x80, 0x01,                   /*  max_bytes 16384 */
	    0x18, 0x05,                               /*  request 5 */
	};
	Ow__VersionEntry *es[2] = {&e1, &e2};
	Ow__VersionVector vv = OW__VERSION_VECTOR__INIT;
	Ow__ReplPull pull = OW__REPL_PULL__INIT;
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplMessage *back = NULL;
	uint8_t *buf;
	size_t len;

	(void)state;
	vv.entries = es;
	vv.n_entries = 2;
	pull.have = &vv;
	pull.max_bytes = 16384;
	pull.request = 5;
	m.version = 1;
	m.from = (char *)(uintptr_t) "hall-c";
	m.body_case = OW__REPL_MESSAGE__BODY_PULL;
	m.pull = &pull;
	assert_rc(repl_msg_encode(&m, &buf, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_rc(repl_msg_decode(buf, len, &back), 0);
	assert_int_equal(repl_msg_kind(back), REPL_MSG_PULL);
	assert_string_equal(back->from, "hall-c");
	assert_int_equal(repl_vv_get(back->pull->have, "hall-b"), 300);
	assert_int_equal(repl_vv_get(back->pull->have, "hall-x"), 0);
	assert_int_equal(back->pull->max_bytes, 16384);
	assert_int_equal(back->pull->request, 5);
	repl_msg_free(back);
	cm_free(buf);
}

static void
test_batch_and_hint(void **state)
{
	uint8_t op[3] = {1, 2, 3};
	ProtobufCBinaryData ops[2] = {{3, op}, {3, op}};
	Ow__ReplRun run = OW__REPL_RUN__INIT, *runs[1] = {&run};
	Ow__ReplBatch b = OW__REPL_BATCH__INIT;
	Ow__ReplHint h = OW__REPL_HINT__INIT;
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__VersionEntry *es[2] = {&e1, &e1};
	Ow__VersionVector vv = OW__VERSION_VECTOR__INIT;

	(void)state;
	m.version = 1;
	m.from = (char *)(uintptr_t) "hall-c";
	m.body_case = OW__REPL_MESSAGE__BODY_BATCH;
	m.batch = &b;
	b.runs = runs;
	b.n_runs = 1;
	run.origin = (char *)(uintptr_t) "hall-a";
	run.first_seq = 1;
	run.ops = ops;
	run.n_ops = 2;
	assert_rc(encode_decode(&m), 0);
	/* No ops in a run, seq 0, seqs past 2^64, a bad origin. */
	run.n_ops = 0;
	assert_rc(encode_decode(&m), CM_EPROTO);
	run.n_ops = 2;
	run.first_seq = 0;
	assert_rc(encode_decode(&m), CM_EPROTO);
	run.first_seq = UINT64_MAX;
	assert_rc(encode_decode(&m), CM_EPROTO);
	run.first_seq = UINT64_MAX - 1;
	assert_rc(encode_decode(&m), 0);
	run.first_seq = 1;
	run.origin = (char *)(uintptr_t) "Hall-A";
	assert_rc(encode_decode(&m), CM_EPROTO);
	run.origin = (char *)(uintptr_t) "hall-a";
	ops[1].len = 0;
	assert_rc(encode_decode(&m), CM_EPROTO);
	ops[1].len = 3;

	/* A hint; a vector naming an origin twice. */
	m.body_case = OW__REPL_MESSAGE__BODY_HINT;
	m.hint = &h;
	assert_rc(encode_decode(&m), 0);
	h.have = &vv;
	vv.entries = es;
	vv.n_entries = 2;
	assert_rc(encode_decode(&m), CM_EPROTO);
	vv.n_entries = 1;
	assert_rc(encode_decode(&m), 0);

	/* Another version; a bad sender; no body. */
	m.version = 2;
	assert_rc(encode_decode(&m), CM_EUNSUPPORTED);
	m.version = 1;
	m.from = (char *)(uintptr_t) "";
	assert_rc(encode_decode(&m), CM_EPROTO);
	m.from = (char *)(uintptr_t) "hall-c";
	m.body_case = OW__REPL_MESSAGE__BODY__NOT_SET;
	assert_rc(encode_decode(&m), CM_EPROTO);
}

static void
test_bad_bytes(void **state)
{
	/* Field 0 in an overlong tag, after a valid version field. */
	static const uint8_t tag0[] = {0x08, 0x01, 0x80, 0x00, 0x00};
	static const uint8_t truncated[] = {0x08, 0x01, 0x12, 0x10, 'h'};
	uint8_t *big;

	(void)state;
	assert_rc(decode(tag0, sizeof(tag0)), CM_EPROTO);
	assert_rc(decode(truncated, sizeof(truncated)), CM_EPROTO);
	assert_rc(decode(NULL, 0), CM_EUNSUPPORTED); /* version 0 */
	big = cm_calloc(REPL_MSG_MAX + 1, 1);
	assert_non_null(big);
	assert_rc(decode(big, REPL_MSG_MAX + 1), CM_EPROTO);
	cm_free(big);
}

/* Lack of memory is CM_ENOMEM, never a malformed message. */
static void
test_out_of_memory(void **state)
{
	Ow__VersionEntry *es[2] = {&e1, &e2};
	Ow__VersionVector vv = OW__VERSION_VECTOR__INIT;
	Ow__ReplHint h = OW__REPL_HINT__INIT;
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	uint8_t *buf;
	size_t len;
	unsigned long k;

	(void)state;
	vv.entries = es;
	vv.n_entries = 2;
	h.have = &vv;
	m.version = 1;
	m.from = (char *)(uintptr_t) "hall-c";
	m.body_case = OW__REPL_MESSAGE__BODY_HINT;
	m.hint = &h;
	assert_rc(repl_msg_encode(&m, &buf, &len), 0);
	for (k = 1; k < 1000; k++) {
		int rc;

		cm_alloc_fail_after(k, 0);
		rc = decode(buf, len);
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			break;
		}
		assert_rc(rc, CM_ENOMEM);
	}
	assert_true(k > 3);
	cm_free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pull_bytes),
	    cmocka_unit_test(test_batch_and_hint),
	    cmocka_unit_test(test_bad_bytes),
	    cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
