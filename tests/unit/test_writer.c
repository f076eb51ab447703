/*
 * test_writer.c: the node's writer (node/src/writer.c) on a real data
 * directory: cases written under a mark are taken back by a rollback, in
 * the overlay that reads see before the batch is durable too (a failed
 * change must leave no phantom case, nor index keys read from one), and
 * kept by an unmark.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node.h"

static char dir[64];

static Ow__Case *
mkcase(const char *id, enum node_state st)
{
	Ow__Case *c = cm_calloc(1, sizeof(*c));

	assert_non_null(c);
	ow__case__init(c);
	c->id = (char *)(uintptr_t)id;
	c->matter = (char *)(uintptr_t) "GG00032001";
	c->matter_version = 1;
	c->hall = (char *)(uintptr_t) "HX";
	c->state = st;
	return c;
}

static uint32_t
state_of(struct node *n, const char *id, int *rc)
{
	Ow__Case *c = NULL;
	uint64_t gen;
	uint32_t st = 0;

	*rc = node_read_case(n, id, &c, &gen);
	if (*rc == 0) {
		st = c->state;
		node_case_free(c);
	}
	return st;
}

static void
test_rollback_takes_overlay_back(void **state)
{
	struct node n;
	struct node_config cfg;
	struct node_mark m;
	struct node_keys keys;
	char catalog[600], calendar[600], cmd[128];
	Ow__Case *a = mkcase("HX-20261127-0001", NODE_ST_ACCEPTED);
	Ow__Case *a2 = mkcase("HX-20261127-0001", NODE_ST_IN_REVIEW);
	Ow__Case *b = mkcase("HX-20261127-0002", NODE_ST_ACCEPTED);
	int rc;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ow-writer.%d", (int)getpid());
	snprintf(catalog, sizeof(catalog), "%s/forms/catalog", OW_SRC_DIR);
	snprintf(calendar, sizeof(calendar), "%s/forms/calendar", OW_SRC_DIR);
	assert_rc(node_init_datadir(dir, "hall-x", "Hall X", "HX", catalog,
	              calendar, "admin-pass-1"),
	    0);
	node_config_defaults(&cfg);
	assert_rc(node_open(&n, dir, &cfg), 0);

	/* Case a in the overlay (its batch not written). */
	assert_rc(node_write_case(&n, NULL, a), 0);
	assert_int_equal(state_of(&n, a->id, &rc), NODE_ST_ACCEPTED);

	/* Under a mark: a changes, b appears; then the change fails. */
	assert_rc(node_write_mark(&n, &m), 0);
	node_keys_init(&keys);
	assert_rc(node_case_index_keys(a, &keys), 0);
	assert_rc(node_write_case(&n, &keys, a2), 0);
	node_keys_free(&keys);
	assert_rc(node_write_case(&n, NULL, b), 0);
	assert_int_equal(state_of(&n, a->id, &rc), NODE_ST_IN_REVIEW);
	node_write_rollback(&n, &m);
	assert_int_equal(state_of(&n, a->id, &rc), NODE_ST_ACCEPTED);
	assert_rc(rc, 0);
	(void)state_of(&n, b->id, &rc);
	assert_rc(rc, CM_ENOTFOUND);

	/* The same kept by an unmark. */
	assert_rc(node_write_mark(&n, &m), 0);
	assert_rc(node_write_case(&n, NULL, b), 0);
	node_write_unmark(&n);
	assert_int_equal(state_of(&n, b->id, &rc), NODE_ST_ACCEPTED);
	assert_rc(rc, 0);
	assert_int_equal(n.nundo, 0);

	node_close(&n);
	cm_free(a);
	cm_free(a2);
	cm_free(b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rollback_takes_overlay_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
