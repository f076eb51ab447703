/*
 * fuzz_records.c: the node's other decoders on arbitrary bytes: the
 * configuration file, stored queue tickets, lockout counters, and a stored
 * case with an op applied to it (records read back from disk must never
 * crash the node, however damaged).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "node/auth.h"
#include "node/cases.h"
#include "node/config.h"
#include "node/queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_config cfg;
	struct form_diags d;
	struct node_queue q;
	struct node_lockout lo;
	Ow__Case *c;

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
	return 0;
}
