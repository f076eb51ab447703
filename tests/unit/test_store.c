/*
 * test_store.c: the RocksDB store (node/store.h) against a real RocksDB in
 * a temporary directory under /tmp, removed after each test.
 *
 * The second-process lock test runs this binary again (fork + exec) with
 * "--open-store DIR": a forked child that kept running this process's
 * image would share RocksDB's in-process table of held locks and its
 * background threads' state, and so would not be a second process in the
 * sense that matters.
 */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rocksdb/c.h> /* only to make a store from a newer version */

#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"
#include "node/store.h"

/* A byte-string literal that may hold NULs: K("a\0b") is 3 bytes. */
struct key {
	const char *s;
	size_t n;
};
#define K(lit)                                                                 \
	{                                                                      \
		(lit), sizeof(lit) - 1                                         \
	}

struct fixture {
	char tmp[64];  /* the mkdtemp directory */
	char db[128];  /* tmp/db: the store */
	char aux[128]; /* tmp/aux: checkpoints and the like */
};

/* Exit codes of the --open-store child. */
enum { CHILD_OPENED = 0, CHILD_BUSY = 1, CHILD_OTHER = 2, CHILD_EXEC = 3 };

/* Remove path and everything under it (no symlinks are followed). */
static void
rm_tree(const char *path)
{
	struct dirent *de;
	struct stat sb;
	char sub[1024];
	DIR *d;

	if (lstat(path, &sb) != 0) {
		return;
	}
	if (S_ISDIR(sb.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0) {
				continue;
			}
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return -1;
	}
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/ow-test-store-XXXXXX");
	if (mkdtemp(f->tmp) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/db", f->tmp);
	snprintf(f->aux, sizeof(f->aux), "%s/aux", f->tmp);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	cm_alloc_fail_after(0, 0);
	rm_tree(f->tmp);
	free(f);
	return 0;
}

static struct node_store *
open_store(const char *dir, bool create)
{
	struct node_store *st = NULL;

	assert_rc(node_store_open(dir, create, &st), 0);
	assert_non_null(st);
	return st;
}

static void
put1(struct node_store *st, enum node_cf cf, struct key k, const char *val,
    bool sync)
{
	struct node_batch *b;

	assert_rc(node_batch_new(st, &b), 0);
	node_batch_put(b, cf, k.s, k.n, val, strlen(val));
	assert_rc(node_store_write(st, b, sync), 0);
	node_batch_free(b);
}

static void
del1(struct node_store *st, enum node_cf cf, struct key k)
{
	struct node_batch *b;

	assert_rc(node_batch_new(st, &b), 0);
	node_batch_delete(b, cf, k.s, k.n);
	assert_rc(node_store_write(st, b, true), 0);
	node_batch_free(b);
}

/* Assert that cf maps k to want (NULL: k is missing). */
static void
expect_val(
    struct node_store *st, enum node_cf cf, struct key k, const char *want)
{
	void *val = NULL;
	size_t vlen = 99;

	if (want == NULL) {
		assert_rc(node_store_get(st, cf, k.s, k.n, &val, &vlen),
		    CM_ENOTFOUND);
		assert_null(val);
		assert_int_equal(vlen, 0);
		return;
	}
	assert_rc(node_store_get(st, cf, k.s, k.n, &val, &vlen), 0);
	assert_int_equal(vlen, strlen(want));
	assert_memory_equal(val, want, vlen);
	cm_free(val);
}

static bool
key_eq(const void *a, size_t alen, struct key b)
{
	return alen == b.n && (alen == 0 || memcmp(a, b.s, alen) == 0);
}

/* Walk the iterator forward from where it is and compare with want. */
static void
expect_forward(struct node_iter *it, const struct key *want, size_t n)
{
	const void *k;
	size_t klen, i = 0;

	for (; node_iter_valid(it); node_iter_next(it), i++) {
		k = node_iter_key(it, &klen);
		assert_true(i < n);
		if (!key_eq(k, klen, want[i])) {
			fail_msg("key %zu differs (length %zu, want %zu)", i,
			    klen, want[i].n);
		}
	}
	assert_int_equal(i, n);
	assert_rc(node_iter_status(it), 0);
	assert_null(node_iter_key(it, &klen));
	assert_int_equal(klen, 0);
}

/* The keys of cf under prefix, forward from the start and backward from
 * seek_last, must be want (in key order). */
static void
expect_prefix(struct node_store *st, enum node_cf cf, struct key prefix,
    const struct key *want, size_t n)
{
	struct node_iter *it;
	const void *k;
	size_t klen, i = n;

	assert_rc(node_iter_new(st, cf, prefix.s, prefix.n, &it), 0);
	expect_forward(it, want, n);

	node_iter_seek_last(it);
	for (; node_iter_valid(it); node_iter_prev(it)) {
		k = node_iter_key(it, &klen);
		assert_true(i > 0);
		i--;
		if (!key_eq(k, klen, want[i])) {
			fail_msg("backward key %zu differs", i);
		}
	}
	assert_int_equal(i, 0);
	assert_rc(node_iter_status(it), 0);
	node_iter_free(it);
}

/* Fill IDX with keys chosen to sit on the edges of prefixes. */
static const struct key edge_keys[] = {
    K("\x00"),
    K("a"),
    K("a\0"),
    K("a\0b"),
    K("a\0c"),
    K("a\x01"),
    K("ab"),
    K("ab\x00"),
    K("ab\xff"),
    K("ab\xff\x00"),
    K("ab\xff\xff"),
    K("ab\xff\xff\xff"),
    K("ac"),
    K("b"),
    K("\xfe\xff"),
    K("\xff"),
    K("\xff\xff"),
    K("\xff\xff\x01"),
};
#define N_EDGE (sizeof(edge_keys) / sizeof(edge_keys[0]))

static void
fill_edge_keys(struct node_store *st)
{
	struct node_batch *b;

	assert_rc(node_batch_new(st, &b), 0);
	for (size_t i = 0; i < N_EDGE; i++) {
		node_batch_put(
		    b, NODE_CF_IDX, edge_keys[i].s, edge_keys[i].n, "", 0);
	}
	/* A neighbour in another CF must never show up. */
	node_batch_put(b, NODE_CF_CASE,
	    "ab\xff"
	    "0",
	    4, "x", 1);
	assert_rc(node_store_write(st, b, false), 0);
	node_batch_free(b);
}

static void
test_open_create_reopen(void **state)
{
	struct fixture *f = *state;
	struct node_store *st;

	st = open_store(f->db, true);
	/* Every column family is there and apart from the others. */
	for (int cf = 0; cf < NODE_CF__COUNT; cf++) {
		char val[8];

		snprintf(val, sizeof(val), "cf%d", cf);
		put1(st, (enum node_cf)cf, (struct key)K("k"), val, false);
	}
	node_store_close(st);

	st = open_store(f->db, false);
	for (int cf = 0; cf < NODE_CF__COUNT; cf++) {
		char val[8];

		snprintf(val, sizeof(val), "cf%d", cf);
		expect_val(st, (enum node_cf)cf, (struct key)K("k"), val);
	}
	node_store_close(st);
	/* create on an existing store just opens it. */
	st = open_store(f->db, true);
	expect_val(st, NODE_CF_LOCAL, (struct key)K("k"), "cf6");
	node_store_close(st);
	node_store_close(NULL);
}

static void
test_open_missing(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = (struct node_store *)f; /* must be reset */
	struct stat sb;

	assert_rc(node_store_open(f->db, false, &st), CM_ENOENT);
	assert_null(st);
	/* Nothing was made on disk (RocksDB alone would make dir and LOCK). */
	assert_int_equal(stat(f->db, &sb), -1);
	/* An empty directory is no store either. */
	assert_int_equal(mkdir(f->db, 0700), 0);
	assert_rc(node_store_open(f->db, false, &st), CM_ENOENT);
	/* A missing parent cannot be created by RocksDB. */
	snprintf(f->aux, sizeof(f->aux), "%s/no/such/db", f->tmp);
	assert_rc(node_store_open(f->aux, true, &st), CM_EIO);
	assert_rc(node_store_open("", true, &st), CM_EINVAL);
	assert_rc(node_store_open(NULL, true, &st), CM_EINVAL);
}

static void
test_put_get_delete(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_batch *b;
	struct key nul = K("id\0with\0nuls");
	void *val;
	size_t vlen;

	expect_val(st, NODE_CF_CASE, (struct key)K("missing"), NULL);
	put1(st, NODE_CF_CASE, (struct key)K("c1"), "case one", true);
	put1(st, NODE_CF_USER, (struct key)K("c1"), "a user", true);
	put1(st, NODE_CF_CASE, nul, "nul key", true);
	expect_val(st, NODE_CF_CASE, (struct key)K("c1"), "case one");
	expect_val(st, NODE_CF_USER, (struct key)K("c1"), "a user");
	expect_val(st, NODE_CF_CASE, nul, "nul key");
	/* The key stops at its length, not at a NUL. */
	expect_val(st, NODE_CF_CASE, (struct key)K("id"), NULL);

	/* An overwrite and an empty value. */
	put1(st, NODE_CF_CASE, (struct key)K("c1"), "case one v2", true);
	expect_val(st, NODE_CF_CASE, (struct key)K("c1"), "case one v2");
	put1(st, NODE_CF_META, (struct key)K("empty"), "", true);
	assert_rc(node_store_get(st, NODE_CF_META, "empty", 5, &val, &vlen), 0);
	assert_non_null(val);
	assert_int_equal(vlen, 0);
	cm_free(val);

	/* A delete touches only its CF. */
	del1(st, NODE_CF_CASE, (struct key)K("c1"));
	expect_val(st, NODE_CF_CASE, (struct key)K("c1"), NULL);
	expect_val(st, NODE_CF_USER, (struct key)K("c1"), "a user");

	/* Put then delete in one batch: the later wins. */
	assert_rc(node_batch_new(st, &b), 0);
	node_batch_put(b, NODE_CF_IDX, "i", 1, "", 0);
	node_batch_delete(b, NODE_CF_IDX, "i", 1);
	node_batch_put(b, NODE_CF_IDX, "j", 1, "", 0);
	assert_int_equal(node_batch_count(b), 3);
	assert_rc(node_store_write(st, b, true), 0);
	node_batch_free(b);
	expect_val(st, NODE_CF_IDX, (struct key)K("i"), NULL);
	expect_val(st, NODE_CF_IDX, (struct key)K("j"), "");

	assert_rc(
	    node_store_get(st, NODE_CF__COUNT, "x", 1, &val, &vlen), CM_EINVAL);
	node_store_close(st);
}

static void
test_survives_reopen(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	char key[16], val[16];

	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%03d", i);
		snprintf(val, sizeof(val), "v%d", i);
		put1(st, NODE_CF_LOG, (struct key){key, strlen(key)}, val,
		    i % 10 == 0);
	}
	del1(st, NODE_CF_LOG, (struct key)K("k050"));
	node_store_close(st);

	st = open_store(f->db, false);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%03d", i);
		snprintf(val, sizeof(val), "v%d", i);
		expect_val(st, NODE_CF_LOG, (struct key){key, strlen(key)},
		    i == 50 ? NULL : val);
	}
	node_store_close(st);
}

/* "Cumulative WAL: N writes, M syncs, ..." from rocksdb.dbstats. */
static unsigned long
wal_syncs(struct node_store *st)
{
	unsigned long writes = 0, syncs = 0;
	char *stats = NULL;
	const char *p;

	assert_rc(
	    node_store_property(st, NODE_CF_META, "rocksdb.dbstats", &stats),
	    0);
	p = strstr(stats, "Cumulative WAL: ");
	assert_non_null(p);
	assert_int_equal(
	    sscanf(p, "Cumulative WAL: %lu writes, %lu syncs", &writes, &syncs),
	    2);
	cm_free(stats);
	return syncs;
}

static void
test_sync_write(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	unsigned long before = wal_syncs(st);

	/* sync=0 does not fsync the WAL; sync=1 does, every time. */
	put1(st, NODE_CF_LOG, (struct key)K("a"), "1", false);
	assert_int_equal(wal_syncs(st), before);
	put1(st, NODE_CF_LOG, (struct key)K("b"), "2", true);
	assert_int_equal(wal_syncs(st), before + 1);
	put1(st, NODE_CF_LOG, (struct key)K("c"), "3", true);
	assert_int_equal(wal_syncs(st), before + 2);
	node_store_close(st);

	st = open_store(f->db, false);
	expect_val(st, NODE_CF_LOG, (struct key)K("c"), "3");
	node_store_close(st);
}

static void
test_batch_atomic(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_store *other;
	struct node_batch *b;
	struct node_iter *it;
	size_t empty_bytes, n = 0;
	char key[16];

	assert_rc(node_batch_new(st, &b), 0);
	assert_int_equal(node_batch_count(b), 0);
	empty_bytes = node_batch_bytes(b);
	assert_int_equal(empty_bytes, 12); /* sequence + count header */
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "op%05d", i);
		node_batch_put(b, i % 2 ? NODE_CF_LOG : NODE_CF_CASE, key,
		    strlen(key), key, strlen(key));
	}
	assert_int_equal(node_batch_count(b), 2000);
	assert_true(node_batch_bytes(b) > empty_bytes + 2000 * 14);

	/* An iterator made before the write sees none of it. */
	assert_rc(node_iter_new(st, NODE_CF_CASE, NULL, 0, &it), 0);
	assert_rc(node_store_write(st, b, true), 0);
	assert_false(node_iter_valid(it));
	node_iter_free(it);

	/* One made after sees all of it. */
	assert_rc(node_iter_new(st, NODE_CF_CASE, "op", 2, &it), 0);
	for (; node_iter_valid(it); node_iter_next(it)) {
		n++;
	}
	node_iter_free(it);
	assert_int_equal(n, 1000);
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "op%05d", i);
		expect_val(st, i % 2 ? NODE_CF_LOG : NODE_CF_CASE,
		    (struct key){key, strlen(key)}, key);
	}

	/* Cleared, the batch is empty and reusable. */
	node_batch_clear(b);
	assert_int_equal(node_batch_count(b), 0);
	assert_int_equal(node_batch_bytes(b), empty_bytes);
	node_batch_delete(b, NODE_CF_CASE, "op00000", 7);
	assert_rc(node_store_write(st, b, false), 0);
	expect_val(st, NODE_CF_CASE, (struct key)K("op00000"), NULL);

	/* A batch belongs to the store it was made for. */
	other = open_store(f->aux, true);
	assert_rc(node_store_write(other, b, false), CM_EINVAL);
	node_batch_free(b);
	node_store_close(other);
	node_store_close(st);
}

static void
test_prefix_iteration(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);

	fill_edge_keys(st);

	/* Empty prefix: the whole CF, in bytewise order. */
	expect_prefix(st, NODE_CF_IDX, (struct key)K(""), edge_keys, N_EDGE);
	{
		static const struct key want[] = {K("a"), K("a\0"), K("a\0b"),
		    K("a\0c"), K("a\x01"), K("ab"), K("ab\x00"), K("ab\xff"),
		    K("ab\xff\x00"), K("ab\xff\xff"), K("ab\xff\xff\xff"),
		    K("ac")};
		expect_prefix(st, NODE_CF_IDX, (struct key)K("a"), want, 12);
	}
	{
		static const struct key want[] = {K("ab"), K("ab\x00"),
		    K("ab\xff"), K("ab\xff\x00"), K("ab\xff\xff"),
		    K("ab\xff\xff\xff")};
		/* Upper bound "ac", which exists and must not be seen. */
		expect_prefix(st, NODE_CF_IDX, (struct key)K("ab"), want, 6);
	}
	{
		/* Trailing 0xff: the bound is "ac" again, not "ab\x00". */
		static const struct key want[] = {K("ab\xff"), K("ab\xff\x00"),
		    K("ab\xff\xff"), K("ab\xff\xff\xff")};
		expect_prefix(
		    st, NODE_CF_IDX, (struct key)K("ab\xff"), want, 4);
	}
	{
		static const struct key want[] = {
		    K("ab\xff\xff"), K("ab\xff\xff\xff")};
		expect_prefix(
		    st, NODE_CF_IDX, (struct key)K("ab\xff\xff"), want, 2);
	}
	{
		/* Embedded NULs in the prefix. */
		static const struct key want[] = {
		    K("a\0"), K("a\0b"), K("a\0c")};
		expect_prefix(st, NODE_CF_IDX, (struct key)K("a\0"), want, 3);
	}
	{
		static const struct key want[] = {K("a\0b")};
		expect_prefix(st, NODE_CF_IDX, (struct key)K("a\0b"), want, 1);
	}
	{
		/* All-0xff prefixes have no upper bound. */
		static const struct key want[] = {
		    K("\xff"), K("\xff\xff"), K("\xff\xff\x01")};
		expect_prefix(st, NODE_CF_IDX, (struct key)K("\xff"), want, 3);
		expect_prefix(
		    st, NODE_CF_IDX, (struct key)K("\xff\xff"), want + 1, 2);
		expect_prefix(
		    st, NODE_CF_IDX, (struct key)K("\xff\xff\xff"), NULL, 0);
	}
	{
		static const struct key want[] = {K("\x00")};
		expect_prefix(st, NODE_CF_IDX, (struct key)K("\x00"), want, 1);
	}
	/* No key at all under these. */
	expect_prefix(st, NODE_CF_IDX, (struct key)K("aa"), NULL, 0);
	expect_prefix(st, NODE_CF_IDX, (struct key)K("zz"), NULL, 0);
	expect_prefix(st, NODE_CF_LOG, (struct key)K(""), NULL, 0);
	{
		/* The CASE neighbour only in its own CF. */
		static const struct key want[] = {K("ab\xff"
		                                    "0")};
		expect_prefix(st, NODE_CF_CASE, (struct key)K("ab"), want, 1);
	}
	node_store_close(st);
}

static void
test_iter_seek(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_iter *it;
	const void *k, *v;
	size_t klen, vlen;

	fill_edge_keys(st);
	assert_rc(node_iter_new(st, NODE_CF_IDX, "ab", 2, &it), 0);

	/* Inside the prefix, at and between keys. */
	node_iter_seek(it, "ab\xff", 3);
	{
		static const struct key want[] = {K("ab\xff"), K("ab\xff\x00"),
		    K("ab\xff\xff"), K("ab\xff\xff\xff")};
		expect_forward(it, want, 4);
	}
	node_iter_seek(it, "ab\x01", 3);
	k = node_iter_key(it, &klen);
	assert_true(key_eq(k, klen, (struct key)K("ab\xff")));
	v = node_iter_value(it, &vlen);
	assert_non_null(v);
	assert_int_equal(vlen, 0);

	/* Before the prefix: clamped to its first key. */
	node_iter_seek(it, "a", 1);
	k = node_iter_key(it, &klen);
	assert_true(key_eq(k, klen, (struct key)K("ab")));
	node_iter_seek(it, NULL, 0);
	k = node_iter_key(it, &klen);
	assert_true(key_eq(k, klen, (struct key)K("ab")));
	/* Prev from the first key leaves the prefix; then stepping is a
	 * no-op rather than a walk through other keys. */
	node_iter_prev(it);
	assert_false(node_iter_valid(it));
	node_iter_next(it);
	assert_false(node_iter_valid(it));
	assert_null(node_iter_value(it, &vlen));
	assert_int_equal(vlen, 0);

	/* After a key: past it when it exists, at the next one when not,
	 * nothing after the last key of the prefix. */
	node_iter_seek_after(it, "ab\xff", 3);
	{
		static const struct key want[] = {
		    K("ab\xff\x00"), K("ab\xff\xff"), K("ab\xff\xff\xff")};
		expect_forward(it, want, 3);
	}
	node_iter_seek_after(it, "ab\x01", 3);
	k = node_iter_key(it, &klen);
	assert_true(key_eq(k, klen, (struct key)K("ab\xff")));
	node_iter_seek_after(it, "ab\xff\xff\xff", 5);
	assert_false(node_iter_valid(it));

	/* After the prefix: nothing, even though "ac" and "b" exist. */
	node_iter_seek(it, "ab\xff\xff\xff\x01", 6);
	assert_false(node_iter_valid(it));
	node_iter_seek(it, "b", 1);
	assert_false(node_iter_valid(it));

	/* Last, then back. */
	node_iter_seek_last(it);
	k = node_iter_key(it, &klen);
	assert_true(key_eq(k, klen, (struct key)K("ab\xff\xff\xff")));
	node_iter_prev(it);
	k = node_iter_key(it, &klen);
	assert_true(key_eq(k, klen, (struct key)K("ab\xff\xff")));
	node_iter_next(it);
	node_iter_next(it);
	assert_false(node_iter_valid(it));
	assert_rc(node_iter_status(it), 0);
	node_iter_free(it);

	/* seek_last on prefixes with no upper bound and with no keys. */
	assert_rc(node_iter_new(st, NODE_CF_IDX, NULL, 0, &it), 0);
	node_iter_seek_last(it);
	k = node_iter_key(it, &klen);
	assert_true(key_eq(k, klen, (struct key)K("\xff\xff\x01")));
	node_iter_free(it);
	assert_rc(node_iter_new(st, NODE_CF_IDX, "ad", 2, &it), 0);
	assert_false(node_iter_valid(it));
	node_iter_seek_last(it);
	assert_false(node_iter_valid(it));
	node_iter_free(it);
	/* The prefix "a\xff" has upper bound "b", a key that exists. */
	assert_rc(node_iter_new(st, NODE_CF_IDX, "a\xff", 2, &it), 0);
	node_iter_seek_last(it);
	assert_false(node_iter_valid(it));
	node_iter_free(it);

	/* The iterator owns its prefix: the caller's buffer may change. */
	{
		char prefix[3] = "ab";

		assert_rc(node_iter_new(st, NODE_CF_IDX, prefix, 2, &it), 0);
		memcpy(prefix, "zz", 2);
		node_iter_seek_last(it);
		k = node_iter_key(it, &klen);
		assert_true(key_eq(k, klen, (struct key)K("ab\xff\xff\xff")));
		node_iter_free(it);
	}

	assert_rc(node_iter_new(st, NODE_CF__COUNT, NULL, 0, &it), CM_EINVAL);
	assert_rc(node_iter_new(st, NODE_CF_IDX, NULL, 2, &it), CM_EINVAL);
	node_store_close(st);
}

static void
test_iter_snapshot(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_iter *it;
	const void *v;
	size_t vlen;

	put1(st, NODE_CF_CASE, (struct key)K("c1"), "old", true);
	put1(st, NODE_CF_CASE, (struct key)K("c3"), "old", true);
	assert_rc(node_iter_new(st, NODE_CF_CASE, "c", 1, &it), 0);

	/* Changes after the iterator was made. */
	put1(st, NODE_CF_CASE, (struct key)K("c1"), "new", true);
	put1(st, NODE_CF_CASE, (struct key)K("c2"), "new", true);
	del1(st, NODE_CF_CASE, (struct key)K("c3"));
	put1(st, NODE_CF_CASE, (struct key)K("c4"), "new", true);

	{
		static const struct key want[] = {K("c1"), K("c3")};

		node_iter_seek(it, NULL, 0);
		v = node_iter_value(it, &vlen);
		assert_int_equal(vlen, 3);
		assert_memory_equal(v, "old", 3);
		expect_forward(it, want, 2);
		node_iter_seek_last(it);
		v = node_iter_value(it, &vlen);
		assert_memory_equal(v, "old", 3);
	}
	node_iter_free(it);

	/* A new iterator sees the new state. */
	{
		static const struct key want[] = {K("c1"), K("c2"), K("c4")};

		expect_prefix(st, NODE_CF_CASE, (struct key)K("c"), want, 3);
	}
	node_store_close(st);
}

static void
test_busy_same_process(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_store *st2 = NULL;

	assert_rc(node_store_open(f->db, false, &st2), CM_EBUSY);
	assert_null(st2);
	assert_rc(node_store_open(f->db, true, &st2), CM_EBUSY);
	/* The refusal did not disturb the store that has it. */
	put1(st, NODE_CF_META, (struct key)K("k"), "v", true);
	node_store_close(st);
	/* Closed, the lock is free again. */
	st = open_store(f->db, false);
	expect_val(st, NODE_CF_META, (struct key)K("k"), "v");
	node_store_close(st);
}

/* Run this binary again as "--open-store dir"; returns its exit code. */
static int
run_child_open(const char *dir)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/proc/self/exe", "test_store", "--open-store", dir,
		    (char *)NULL);
		_exit(CHILD_EXEC);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
child_open(const char *dir)
{
	struct node_store *st = NULL;
	int rc = node_store_open(dir, false, &st);

	if (rc == 0) {
		node_store_close(st);
		return CHILD_OPENED;
	}
	if (rc != CM_EBUSY) {
		fprintf(stderr, "child open: %s\n", cm_err_name(rc));
	}
	return rc == CM_EBUSY ? CHILD_BUSY : CHILD_OTHER;
}

static void
test_busy_other_process(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);

	assert_int_equal(run_child_open(f->db), CHILD_BUSY);
	node_store_close(st);
	assert_int_equal(run_child_open(f->db), CHILD_OPENED);
}

static void
test_checkpoint(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_store *cp;
	char key[16];

	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "case%02d", i);
		put1(st, NODE_CF_CASE, (struct key){key, strlen(key)}, key,
		    true);
	}
	put1(st, NODE_CF_LOCAL, (struct key)K("ticket"), "A001", true);
	assert_rc(node_store_checkpoint(st, f->aux), 0);
	assert_rc(node_store_checkpoint(st, f->aux), CM_EEXIST);
	/* Later writes are not in the copy. */
	put1(st, NODE_CF_CASE, (struct key)K("case99"), "late", true);

	cp = open_store(f->aux, false);
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "case%02d", i);
		expect_val(
		    cp, NODE_CF_CASE, (struct key){key, strlen(key)}, key);
	}
	expect_val(cp, NODE_CF_LOCAL, (struct key)K("ticket"), "A001");
	expect_val(cp, NODE_CF_CASE, (struct key)K("case99"), NULL);
	/* The copy is a store of its own. */
	put1(cp, NODE_CF_CASE, (struct key)K("only-in-copy"), "x", true);
	node_store_close(cp);
	expect_val(st, NODE_CF_CASE, (struct key)K("only-in-copy"), NULL);
	node_store_close(st);
}

static void
test_property_disk_bytes(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_batch *b;
	uint64_t before = 0, after = 0;
	char *out = NULL, key[16], val[1024];

	assert_rc(node_store_disk_bytes(st, &before), 0);
	assert_true(before > 0); /* MANIFEST, OPTIONS, LOG at least */

	memset(val, 'v', sizeof(val));
	assert_rc(node_batch_new(st, &b), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%04d", i);
		node_batch_put(b, i % 2 ? NODE_CF_CASE : NODE_CF_LOG, key,
		    strlen(key), val, sizeof(val));
	}
	assert_rc(node_store_write(st, b, true), 0);
	node_batch_free(b);

	assert_rc(node_store_property(
	              st, NODE_CF_CASE, "rocksdb.estimate-num-keys", &out),
	    0);
	assert_string_equal(out, "500");
	cm_free(out);
	assert_rc(
	    node_store_property(st, -1, "rocksdb.estimate-num-keys", &out), 0);
	assert_string_equal(out, "1000");
	cm_free(out);
	assert_rc(node_store_property(st, NODE_CF_META,
	              "rocksdb.num-entries-active-mem-table", &out),
	    0);
	assert_string_equal(out, "0");
	cm_free(out);

	assert_rc(node_store_property(st, 0, "rocksdb.no-such-thing", &out),
	    CM_ENOTFOUND);
	assert_null(out);
	assert_rc(node_store_property(st, -1, "rocksdb.no-such-thing", &out),
	    CM_ENOTFOUND);
	/* Text properties do not add up. */
	assert_rc(
	    node_store_property(st, -1, "rocksdb.stats", &out), CM_EINVAL);
	assert_rc(node_store_property(
	              st, NODE_CF__COUNT, "rocksdb.estimate-num-keys", &out),
	    CM_EINVAL);

	/* About 1 MB went into the WAL. */
	assert_rc(node_store_disk_bytes(st, &after), 0);
	assert_true(after >= before + 1000 * sizeof(val));
	assert_true(after < before + 4 * 1000 * sizeof(val));
	node_store_close(st);
}

/* The names of the files in dir that start with prefix (up to max). */
static size_t
find_files(const char *dir, const char *prefix, char names[][256], size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL && n < max) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
			int w =
			    snprintf(names[n++], 256, "%s/%s", dir, de->d_name);

			assert_true(w > 0 && w < 256);
		}
	}
	closedir(d);
	return n;
}

static void
write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(data, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
make_store_with_data(const char *dir)
{
	struct node_store *st = open_store(dir, true);

	put1(st, NODE_CF_CASE, (struct key)K("c1"), "one", true);
	put1(st, NODE_CF_LOG, (struct key)K("o1"), "op", true);
	node_store_close(st);
}

/* Opening dir fails with want, or with CM_ECORRUPT or CM_EIO when want
 * is 0 (RocksDB decides which damage it calls corruption). */
static void
expect_open_fails(const char *dir, bool create, int want)
{
	struct node_store *st = NULL;
	int rc = node_store_open(dir, create, &st);

	if (want != 0) {
		assert_rc(rc, want);
	} else if (rc != CM_ECORRUPT && rc != CM_EIO) {
		fail_msg(
		    "open of a damaged store returned %s", cm_err_name(rc));
	}
	assert_null(st);
}

/* "name size" lines for the files in dir, sorted; caller frees. To see
 * that a refused open changed nothing. */
static char *
dir_listing(const char *dir)
{
	struct dirent **list = NULL;
	struct stat sb;
	char path[512], *out;
	size_t len = 0, cap;
	int n = scandir(dir, &list, NULL, alphasort);

	assert_true(n >= 0);
	cap = 1 + (size_t)n * 320;
	out = calloc(1, cap);
	assert_non_null(out);
	for (int i = 0; i < n; i++) {
		int w =
		    snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);

		assert_true(w > 0 && (size_t)w < sizeof(path));
		assert_int_equal(lstat(path, &sb), 0);
		len += (size_t)snprintf(out + len, cap - len, "%s %lld\n",
		    list[i]->d_name, (long long)sb.st_size);
		free(list[i]);
	}
	free(list);
	return out;
}

static void
test_corrupt_current(void **state)
{
	struct fixture *f = *state;
	char path[256];

	make_store_with_data(f->db);
	snprintf(path, sizeof(path), "%s/CURRENT", f->db);
	/* No newline: RocksDB reports corruption. */
	write_file(path, "\x01garbage\xff");
	expect_open_fails(f->db, false, 0);
	/* A line naming a manifest that is not there. */
	write_file(path, "MANIFEST-999999\n");
	expect_open_fails(f->db, false, 0);
	expect_open_fails(f->db, true, 0);
	write_file(path, "");
	expect_open_fails(f->db, false, 0);
}

/*
 * RocksDB takes a MANIFEST cut short for a crash's lost tail and opens
 * what is left, minus the column families whose records were cut off; the
 * store must refuse it, with or without create, and write nothing.
 */
static void
test_corrupt_manifest(void **state)
{
	struct fixture *f = *state;
	char names[4][256], *before, *after;
	struct stat sb;

	make_store_with_data(f->db);
	assert_int_equal(find_files(f->db, "MANIFEST-", names, 4), 1);
	assert_int_equal(stat(names[0], &sb), 0);
	assert_true(sb.st_size > 16);
	assert_int_equal(truncate(names[0], sb.st_size / 2), 0);
	before = dir_listing(f->db);
	expect_open_fails(f->db, false, CM_ECORRUPT);
	expect_open_fails(f->db, true, CM_ECORRUPT);
	after = dir_listing(f->db);
	assert_string_equal(before, after);
	free(before);
	free(after);

	assert_int_equal(truncate(names[0], 0), 0);
	expect_open_fails(f->db, false, CM_ECORRUPT);
	expect_open_fails(f->db, true, CM_ECORRUPT);
}

/* Without CURRENT the store is damaged, not missing: create must not
 * write a new, empty store over its tables. */
static void
test_missing_current(void **state)
{
	struct fixture *f = *state;
	char path[256], *before, *after;

	make_store_with_data(f->db);
	snprintf(path, sizeof(path), "%s/CURRENT", f->db);
	assert_int_equal(unlink(path), 0);
	before = dir_listing(f->db);
	expect_open_fails(f->db, false, CM_ECORRUPT);
	expect_open_fails(f->db, true, CM_ECORRUPT);
	after = dir_listing(f->db);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* A store with a column family this version does not know was made by a
 * newer version. */
static void
test_unknown_cf(void **state)
{
	struct fixture *f = *state;
	static const char *const names[NODE_CF__COUNT] = {
#define NAME(name, str) str,
	    NODE_CF_MAP(NAME)
#undef NAME
	};
	const rocksdb_options_t *cf_opts[NODE_CF__COUNT];
	rocksdb_column_family_handle_t *cfs[NODE_CF__COUNT], *extra;
	rocksdb_options_t *opts;
	rocksdb_t *db;
	char *err = NULL;

	make_store_with_data(f->db);
	opts = rocksdb_options_create();
	for (int i = 0; i < NODE_CF__COUNT; i++) {
		cf_opts[i] = opts;
	}
	db = rocksdb_open_column_families(
	    opts, f->db, NODE_CF__COUNT, names, cf_opts, cfs, &err);
	assert_null(err);
	extra = rocksdb_create_column_family(db, opts, "future", &err);
	assert_null(err);
	rocksdb_column_family_handle_destroy(extra);
	for (int i = 0; i < NODE_CF__COUNT; i++) {
		rocksdb_column_family_handle_destroy(cfs[i]);
	}
	rocksdb_close(db);
	rocksdb_options_destroy(opts);

	expect_open_fails(f->db, false, CM_EUNSUPPORTED);
	expect_open_fails(f->db, true, CM_EUNSUPPORTED);
}

/* Write n synced keys, one batch each, and close: they are in the WAL
 * only. Returns the WAL's path in wal. */
static void
make_store_in_wal(const char *dir, int n, char *wal, size_t size)
{
	struct node_store *st = open_store(dir, true);
	char names[4][256], key[16], val[101];

	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%03d", i);
		put1(
		    st, NODE_CF_LOG, (struct key){key, strlen(key)}, val, true);
	}
	node_store_close(st);
	assert_int_equal(find_files(dir, "0", names, 4), 1);
	assert_non_null(strstr(names[0], ".log"));
	snprintf(wal, size, "%s", names[0]);
}

static size_t
count_keys(struct node_store *st, enum node_cf cf)
{
	struct node_iter *it;
	size_t n = 0;

	assert_rc(node_iter_new(st, cf, NULL, 0, &it), 0);
	for (; node_iter_valid(it); node_iter_next(it)) {
		n++;
	}
	assert_rc(node_iter_status(it), 0);
	node_iter_free(it);
	return n;
}

/*
 * A damaged record in the middle of the WAL: RocksDB's default recovery
 * would open with the writes before it and drop the rest, acknowledged or
 * not. The store must refuse instead.
 */
static void
test_corrupt_wal(void **state)
{
	struct fixture *f = *state;
	char wal[256];
	struct stat sb;
	int fd;

	make_store_in_wal(f->db, 100, wal, sizeof(wal));
	assert_int_equal(stat(wal, &sb), 0);
	fd = open(wal, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "ABCD", 4, sb.st_size / 2), 4);
	close(fd);
	expect_open_fails(f->db, false, CM_ECORRUPT);
	expect_open_fails(f->db, true, CM_ECORRUPT);
}

/* A torn last record is a write that a crash cut short: it was never
 * acknowledged, and the store opens without it. */
static void
test_torn_wal_tail(void **state)
{
	struct fixture *f = *state;
	struct node_store *st;
	char wal[256];
	struct stat sb;

	make_store_in_wal(f->db, 100, wal, sizeof(wal));
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(truncate(wal, sb.st_size - 50), 0);
	st = open_store(f->db, false);
	assert_int_equal(count_keys(st, NODE_CF_LOG), 99);
	expect_val(st, NODE_CF_LOG, (struct key)K("k099"), NULL);
	node_store_close(st);
}

/*
 * Flip bytes in the middle of every SST file: the open may notice (the
 * footer and index are read when a table is opened) or the read must, but
 * the answer is CM_ECORRUPT and never a crash or wrong data.
 */
static void
test_corrupt_sst(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct node_iter *it;
	char names[16][256], key[16], val[200];
	size_t n;
	void *got = NULL;
	size_t glen;
	int rc;

	memset(val, 'x', sizeof(val));
	val[sizeof(val) - 1] = '\0';
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "c%04d", i);
		put1(st, NODE_CF_CASE, (struct key){key, strlen(key)}, val,
		    false);
	}
	/* A checkpoint flushes the memtables into SST files. */
	assert_rc(node_store_checkpoint(st, f->aux), 0);
	node_store_close(st);
	rm_tree(f->aux);

	n = find_files(f->db, "0", names, 16);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		char junk[64];
		int fd;

		if (len < 4 || strcmp(names[i] + len - 4, ".sst") != 0) {
			continue;
		}
		memset(junk, 0x5a, sizeof(junk));
		fd = open(names[i], O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(
		    pwrite(fd, junk, sizeof(junk), 100), (ssize_t)sizeof(junk));
		close(fd);
	}

	rc = node_store_open(f->db, false, &st);
	if (rc != 0) {
		assert_rc(rc, CM_ECORRUPT);
		return;
	}
	rc = node_store_get(st, NODE_CF_CASE, "c0000", 5, &got, &glen);
	assert_rc(rc, CM_ECORRUPT);
	assert_null(got);
	assert_rc(node_iter_new(st, NODE_CF_CASE, NULL, 0, &it), 0);
	assert_false(node_iter_valid(it));
	assert_rc(node_iter_status(it), CM_ECORRUPT);
	node_iter_free(it);
	node_store_close(st);
}

static void
test_alloc_failures(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = NULL;
	struct node_batch *b = NULL;
	struct node_iter *it = NULL;
	void *val = NULL;
	size_t vlen;
	char *out = NULL;

	/* Open makes one allocation of its own; RocksDB's are not ours. */
	cm_alloc_fail_after(1, 0);
	assert_rc(node_store_open(f->db, true, &st), CM_ENOMEM);
	assert_null(st);
	st = open_store(f->db, true);
	put1(st, NODE_CF_CASE, (struct key)K("c"), "v", true);

	cm_alloc_fail_after(1, 0);
	assert_rc(node_batch_new(st, &b), CM_ENOMEM);
	assert_null(b);
	cm_alloc_fail_after(1, 0);
	assert_rc(node_iter_new(st, NODE_CF_CASE, "c", 1, &it), CM_ENOMEM);
	assert_null(it);
	cm_alloc_fail_after(1, 0);
	assert_rc(
	    node_store_get(st, NODE_CF_CASE, "c", 1, &val, &vlen), CM_ENOMEM);
	assert_null(val);
	cm_alloc_fail_after(1, 0);
	assert_rc(node_store_property(
	              st, NODE_CF_CASE, "rocksdb.estimate-num-keys", &out),
	    CM_ENOMEM);
	assert_null(out);
	cm_alloc_fail_after(1, 0);
	assert_rc(
	    node_store_property(st, -1, "rocksdb.estimate-num-keys", &out),
	    CM_ENOMEM);
	assert_null(out);
	cm_alloc_fail_after(0, 0);
	/* Nothing half-made is left: close asserts that no batch or iterator
	 * is alive, and the leak checker sees the rest. */
	node_store_close(st);
}

/* The loop thread reads while a worker thread writes. */
struct writer_arg {
	struct node_store *st;
	int rounds;
	int rc;
};

static void *
writer_main(void *p)
{
	struct writer_arg *w = p;
	struct node_batch *b;
	char key[16];

	w->rc = node_batch_new(w->st, &b);
	for (int i = 0; i < w->rounds && w->rc == 0; i++) {
		/* Each batch adds an op and sets the count beside it, as an
		 * op and its version vector go together. */
		snprintf(key, sizeof(key), "op%06d", i);
		node_batch_clear(b);
		node_batch_put(b, NODE_CF_LOG, key, strlen(key), "op", 2);
		node_batch_put(b, NODE_CF_LOG, "count", 5, key, strlen(key));
		w->rc = node_store_write(w->st, b, i % 50 == 0);
	}
	node_batch_free(b);
	return NULL;
}

static void
test_threads(void **state)
{
	struct fixture *f = *state;
	struct node_store *st = open_store(f->db, true);
	struct writer_arg w = {st, 2000, 0};
	pthread_t tid;
	int last = -1, reads = 0;

	assert_int_equal(pthread_create(&tid, NULL, writer_main, &w), 0);
	while (last < w.rounds - 1) {
		struct node_iter *it;
		const char *k, *v;
		size_t klen, vlen;
		int count = -1, n = 0;

		/* One snapshot: "count" sorts before the "op" keys, and it
		 * always names the last op, never one more or less. */
		assert_rc(node_iter_new(st, NODE_CF_LOG, NULL, 0, &it), 0);
		for (; node_iter_valid(it); node_iter_next(it)) {
			k = node_iter_key(it, &klen);
			if (key_eq(k, klen, (struct key)K("count"))) {
				char num[8];

				/* Slices are not NUL-terminated. */
				v = node_iter_value(it, &vlen);
				assert_int_equal(vlen, 8);
				memcpy(num, v + 2, 6);
				num[6] = '\0';
				count = atoi(num);
			} else {
				n++;
			}
		}
		assert_rc(node_iter_status(it), 0);
		node_iter_free(it);
		assert_int_equal(n, count + 1);
		assert_true(count >= last);
		last = count;
		reads++;
	}
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_rc(w.rc, 0);
	assert_true(reads > 0);
	node_store_close(st);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_open_create_reopen),
	    T(test_open_missing),
	    T(test_put_get_delete),
	    T(test_survives_reopen),
	    T(test_sync_write),
	    T(test_batch_atomic),
	    T(test_prefix_iteration),
	    T(test_iter_seek),
	    T(test_iter_snapshot),
	    T(test_busy_same_process),
	    T(test_busy_other_process),
	    T(test_checkpoint),
	    T(test_property_disk_bytes),
	    T(test_corrupt_current),
	    T(test_corrupt_manifest),
	    T(test_missing_current),
	    T(test_unknown_cf),
	    T(test_corrupt_wal),
	    T(test_torn_wal_tail),
	    T(test_corrupt_sst),
	    T(test_alloc_failures),
	    T(test_threads),
#undef T
	};

	/* The RocksDB errors the tests provoke are logged; keep them out of
	 * the test output unless asked for. */
	if (getenv("OW_TEST_LOG") == NULL) {
		cm_log_set_level(CM_LOG_OFF);
	}
	if (argc == 3 && strcmp(argv[1], "--open-store") == 0) {
		return child_open(argv[2]);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
