/*
 * fuzz_records.c: the node's other decoders on arbitrary bytes: the
 * configuration file, stored queue tickets, lockout counters, a stored
 * case with an op applied to it, and a stored base (compaction and
 * re-seeding: docs/replication.md) with a case built on it (records read
 * back from disk or taken from a peer's checkpoint must never crash the
 * node, however damaged).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "node/auth.h"
#include "node/cases.h"
#include "node/config.h"
#include "node/queue.h"
#include "repl/merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_config cfg;
	struct form_diags d;
	struct node_queue q;
	struct node_lockout lo;
	Ow__Case *c;
	Ow__CaseBase *b;
	size_t blen;

	node_config_defaults(&cfg);
	form_diags_init(&d);
	if (node_config_parse(
	        &cfg, "fuzz.conf", (const char *)data, size, &d) == 0 &&
	    d.n != 0) {
		abort();
	}
	form_diags_free(&d);

	node_queue_init(&q, 20000);
	(void)node_queue_restore(&q, data, size);
	node_queue_free(&q);

	(void)node_lockout_decode(data, size, &lo);

	/* A damaged case record, and an op (the same bytes) applied to it. */
	c = ow__case__unpack(NULL, size, data);
	if (c != NULL) {
		Ow__Op *op = ow__op__unpack(NULL, size, data);
		struct node_keys k;

		node_keys_init(&k);
		(void)node_case_index_keys(c, &k);
		node_keys_free(&k);
		if (op != NULL) {
			(void)node_case_apply(&c, op);
			ow__op__free_unpacked(op, NULL);
		}
		node_case_free(c);
	}

	/* A base (its length in the first two bytes, little-endian), and
	 * the rest as its seal and the one op beyond it: the build on a base
	 * and the seal point must take anything. */
	if (size < 2) {
		return 0;
	}
	blen = (size_t)data[0] | (size_t)data[1] << 8;
	blen = blen > size - 2 ? size - 2 : blen;
	b = ow__case_base__unpack(NULL, blen, data + 2);
	if (b != NULL) {
		Ow__Op *op =
		    ow__op__unpack(NULL, size - 2 - blen, data + 2 + blen);

		if (op != NULL && b->sealed != NULL &&
		    b->sealed->version != NULL && b->sealed->id != NULL) {
			struct repl_case_base rb = {b->sealed, op}, at = {0};
			Ow__Case *out = NULL;

			if (repl_case_build_on(&rb, &op, 1, &out, NULL) == 0) {
				node_case_free(out);
			}
			if (repl_case_seal_point(&rb, &op, 1, &at, NULL) == 0) {
				node_case_free(at.c);
			}
		}
		if (op != NULL) {
			ow__op__free_unpacked(op, NULL);
		}
		ow__case_base__free_unpacked(b, NULL);
	}
	return 0;
}
