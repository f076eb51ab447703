/*
 * store.c: the node's store over RocksDB 7.8's C API (see node/store.h).
 *
 * This file is the only one that includes rocksdb/c.h. It owns three
 * translations: RocksDB's errptr strings into CM_E* codes (once, in
 * store_code), RocksDB's objects into the store's opaque structs, and
 * RocksDB's lifetime rules into the ownership rules of store.h.
 *
 * Lifetimes that the C API does not state, and that bite:
 * - An iterator's read options must outlive it, and so must the buffers of
 *   its bounds: rocksdb_readoptions_set_iterate_upper_bound stores a Slice
 *   over our buffer inside the readoptions object, and the iterator keeps a
 *   pointer to that Slice. Each node_iter owns its read options and a copy
 *   of its prefix and bound for its whole life.
 * - rocksdb_block_based_options_set_filter_policy takes ownership of the
 *   filter policy: destroying it ourselves would free it twice.
 * - The table factory copies the block-based options, and the options hold
 *   the cache by shared pointer, so all of them can go once the DB is open.
 * - rocksdb_list_column_families returns a malloc'd list even on error.
 *
 * And RocksDB's defaults that would lose acknowledged writes without a
 * word, answered in store_options, store_probe and store_check_cfs: WAL
 * recovery that stops at a damaged record and opens anyway, a store
 * without CURRENT taken for a missing one, a MANIFEST cut short taken for
 * one that lost its tail in a crash.
 */
#include "node/store.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <rocksdb/c.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"

/*
 * Tuning for a hall server: a few GB of data, one writer, a few readers,
 * and a memory budget that does not grow with the data: the block cache
 * holds data, index and filter blocks alike, and the memtables are capped
 * together (figures in docs/benchmarks.md).
 */
#define STORE_CACHE_BYTES      ((size_t)64 << 20) /* shared by all CFs */
#define STORE_CACHE_SHARD_BITS 2                  /* 4 shards of 16 MB */
#define STORE_MAX_OPEN_FILES   512
#define STORE_WRITE_BUFFER     ((size_t)8 << 20)  /* per CF memtable */
#define STORE_DB_WRITE_BUFFER  ((size_t)32 << 20) /* all memtables */
#define STORE_METADATA_BLOCK   4096 /* index and filter partitions */
#define STORE_MAX_WAL_BYTES    ((uint64_t)256 << 20)
#define STORE_BLOOM_BITS       10.0
#define STORE_MEMTABLE_BLOOM   0.02 /* bloom size, share of a memtable */
#define STORE_INFO_LOGS        5    /* RocksDB's own LOG files kept */
#define STORE_INFO_LOG_BYTES   ((size_t)8 << 20)

struct node_store {
	rocksdb_t *db;
	rocksdb_column_family_handle_t *cf[NODE_CF__COUNT];
	rocksdb_readoptions_t *ro;  /* shared by gets, never changed */
	rocksdb_writeoptions_t *wo; /* sync = 0 */
	rocksdb_writeoptions_t *wo_sync;
	atomic_long live; /* batches + iterators not yet freed */
	char dir[];       /* as given to node_store_open */
};

struct node_batch {
	struct node_store *st; /* borrowed: the handles come from it */
	rocksdb_writebatch_t *wb;
};

struct node_iter {
	struct node_store *st;
	rocksdb_readoptions_t *ro; /* holds the Slices the iterator points to */
	rocksdb_iterator_t *it;
	size_t plen;
	size_t ulen;
	bool has_upper;
	/* The prefix (plen bytes), then the upper bound (ulen bytes). Owned
	 * here because RocksDB keeps pointers into it. */
	unsigned char buf[];
};

static const char *const cf_names[NODE_CF__COUNT] = {
#define NODE_XX_CF_NAME(name, str) str,
    NODE_CF_MAP(NODE_XX_CF_NAME)
#undef NODE_XX_CF_NAME
};

/*
 * Copy s into buf as a log value without quotes or backslashes inside:
 * RocksDB's messages have spaces, and a log line is key="value" pairs.
 */
static const char *
log_text(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		buf[n++] = (c < 0x20 || c == '"' || c == '\\') ? '?' : (char)c;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * The CM_E* code of a RocksDB error string. This is the one place that
 * reads RocksDB's messages (Status::ToString):
 *   "IO error: While lock file: <dir>/LOCK: Resource temporarily
 *    unavailable" (another process holds the lock; EACCES on some file
 *    systems), "IO error: lock hold by current process, ..." (this process
 *    has it open), "Corruption: ...", and "Invalid argument: <dir>/CURRENT:
 *    does not exist (create_if_missing is false)".
 */
static int
store_code(const char *err)
{
	if (strstr(err, "lock hold by") != NULL ||
	    strstr(err, "lock held by") != NULL ||
	    (strstr(err, "While lock file") != NULL &&
	        (strstr(err, "Resource temporarily unavailable") != NULL ||
	            strstr(err, "Permission denied") != NULL))) {
		return CM_EBUSY;
	}
	if (strncmp(err, "Corruption", 10) == 0) {
		return CM_ECORRUPT;
	}
	if (strstr(err, "does not exist (create_if_missing is false)") !=
	    NULL) {
		return CM_ENOENT;
	}
	return CM_EIO;
}

/* Translate a RocksDB error string, log it (paths and RocksDB's text, no
 * personal data) and free it. */
static int
store_err(const char *op, const char *dir, char *err)
{
	char msg[512], path[256];
	int rc = store_code(err);

	cm_log_error("store.rocksdb_error",
	    "op=%s dir=\"%s\" code=%s msg=\"%s\"", op,
	    log_text(dir, path, sizeof(path)), cm_err_name(rc),
	    log_text(err, msg, sizeof(msg)));
	rocksdb_free(err);
	return rc;
}

/* Column family numbers come from callers as enums; check them anyway. */
static bool
cf_ok(enum node_cf cf)
{
	return (unsigned)cf < NODE_CF__COUNT;
}

/* Bytewise comparison, as RocksDB's default comparator orders keys. */
static int
key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0) {
		return c;
	}
	return (alen > blen) - (alen < blen);
}

/*
 * The exclusive upper bound of the keys starting with p: p with trailing
 * 0xff bytes dropped and the last remaining byte incremented ("ab\xff" ->
 * "ac"). Returns false when there is none (empty or all-0xff prefix): then
 * every key after the first match also matches.
 */
static bool
prefix_upper_bound(
    const unsigned char *p, size_t plen, unsigned char *out, size_t *ulen)
{
	size_t n = plen;

	while (n > 0 && p[n - 1] == 0xff) {
		n--;
	}
	if (n == 0) {
		return false;
	}
	memcpy(out, p, n);
	out[n - 1]++;
	*ulen = n;
	return true;
}

enum store_state {
	STORE_ABSENT,  /* no directory, or one without RocksDB's files */
	STORE_PRESENT, /* CURRENT is there (or RocksDB is to judge) */
	STORE_DAMAGED  /* RocksDB's files without CURRENT */
};

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/*
 * Look at the directory before RocksDB does, for two reasons. Without
 * create_if_missing RocksDB still makes the directory, a LOCK file and an
 * info LOG before it finds no store, and a mistyped path should not leave
 * that behind. And with create_if_missing, a store that lost its CURRENT
 * file would be taken for a missing one: RocksDB writes a new, empty store
 * over it and deletes the old tables as obsolete. So MANIFEST, table or
 * WAL files without CURRENT mean a damaged store, never a new one.
 */
static enum store_state
store_probe(const char *dir)
{
	enum store_state state = STORE_ABSENT;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		return errno == ENOENT ? STORE_ABSENT : STORE_PRESENT;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, "CURRENT") == 0) {
			state = STORE_PRESENT;
			break;
		}
		if (strncmp(de->d_name, "MANIFEST-", 9) == 0 ||
		    has_suffix(de->d_name, ".sst") ||
		    has_suffix(de->d_name, ".log")) {
			state = STORE_DAMAGED;
		}
	}
	closedir(d);
	return state;
}

/*
 * An existing store must hold exactly our column families, checked by
 * reading its MANIFEST (rocksdb_list_column_families writes nothing)
 * before RocksDB opens it. Why: RocksDB takes a MANIFEST cut short (a
 * damaged disk, a bad copy) for one whose last writes were lost in a
 * crash, recovers what is left and writes a new MANIFEST, even when it
 * then fails the open. Had we passed create_missing_column_families, the
 * column families whose records were cut off would come back empty and
 * their files be deleted as obsolete: silent loss of acknowledged writes.
 * So column families are created only with a new store, and a store that
 * lacks one is CM_ECORRUPT. One that has a column family we do not know
 * was written by a newer version: CM_EUNSUPPORTED (RocksDB would refuse
 * it too, as "Column families not opened").
 */
static int
store_check_cfs(const char *dir, const rocksdb_options_t *opts)
{
	char **names;
	size_t n = 0;
	char *err = NULL;
	int rc = 0;

	/* The list is malloc'd even when there is an error (empty then). */
	names = rocksdb_list_column_families(opts, dir, &n, &err);
	if (err != NULL) {
		rocksdb_list_column_families_destroy(names, n);
		if (store_code(err) == CM_ECORRUPT) {
			return store_err("list_cfs", dir, err);
		}
		/* The MANIFEST may have rolled over under a running owner
		 * between our reading CURRENT and it: let the open decide
		 * (CM_EBUSY then). It cannot create column families. */
		rocksdb_free(err);
		return 0;
	}
	for (int i = 0; i < NODE_CF__COUNT && rc == 0; i++) {
		size_t j = 0;

		while (j < n && strcmp(names[j], cf_names[i]) != 0) {
			j++;
		}
		if (j == n) {
			cm_log_error("store.cf_missing", "cf=%s", cf_names[i]);
			rc = CM_ECORRUPT;
		}
	}
	if (rc == 0 && n != NODE_CF__COUNT) {
		cm_log_error(
		    "store.cf_unknown", "cfs=%zu known=%d", n, NODE_CF__COUNT);
		rc = CM_EUNSUPPORTED;
	}
	rocksdb_list_column_families_destroy(names, n);
	return rc;
}

/*
 * The options of the DB and of every column family. Level compaction
 * (RocksDB's default, set to say so), bloom filters and one LRU block
 * cache shared by all column families, which also holds the index and
 * filter blocks; memtables and the WAL bounded so that rarely written
 * column families (user, catalog) do not pin old WAL files; RocksDB's own
 * info LOG kept small.
 */
static rocksdb_options_t *
store_options(bool is_new)
{
	rocksdb_options_t *opts = rocksdb_options_create();
	rocksdb_block_based_table_options_t *bbo;
	rocksdb_lru_cache_options_t *lru;
	rocksdb_cache_t *cache;
	rocksdb_env_t *env;

	/* Both only for a new store: see store_check_cfs. */
	rocksdb_options_set_create_if_missing(opts, is_new);
	rocksdb_options_set_create_missing_column_families(opts, is_new);
	rocksdb_options_increase_parallelism(opts, 2);
	/*
	 * Compactions run at the lowest CPU priority (nice 19; flushes keep
	 * theirs, so writes do not wait for them). A hall server has few
	 * cores: after a busy hour, compactions otherwise take a core from
	 * the loop, and a lookup can wait a scheduler slice of milliseconds
	 * (CaseGet p99 was 3.8 ms right after loading a million cases, with
	 * compactions running). The setting is the process's default Env's;
	 * the wrapper we free is not.
	 */
	env = rocksdb_create_default_env();
	rocksdb_env_lower_thread_pool_cpu_priority(env);
	rocksdb_options_set_env(opts, env);
	rocksdb_env_destroy(env);
	rocksdb_options_set_compaction_style(opts, rocksdb_level_compaction);
	rocksdb_options_set_max_open_files(opts, STORE_MAX_OPEN_FILES);
	rocksdb_options_set_write_buffer_size(opts, STORE_WRITE_BUFFER);
	rocksdb_options_set_db_write_buffer_size(opts, STORE_DB_WRITE_BUFFER);
	rocksdb_options_set_max_total_wal_size(opts, STORE_MAX_WAL_BYTES);
	rocksdb_options_set_keep_log_file_num(opts, STORE_INFO_LOGS);
	rocksdb_options_set_max_log_file_size(opts, STORE_INFO_LOG_BYTES);
	rocksdb_options_set_paranoid_checks(opts, 1);
	/* A bloom filter over the memtable's whole keys: most point reads
	 * of a write (was this request done, the applicant's registry
	 * record) find nothing, and without it each one walked the
	 * memtable's skip list on the loop. */
	rocksdb_options_set_memtable_prefix_bloom_size_ratio(
	    opts, STORE_MEMTABLE_BLOOM);
	rocksdb_options_set_memtable_whole_key_filtering(opts, 1);
	/*
	 * The default, point-in-time recovery, replays the WAL up to the
	 * first damaged record and opens: every write after it is gone,
	 * synced and acknowledged or not, and the node would hand out the
	 * lost op numbers again. Tolerate only a torn last record (a write
	 * cut by a crash, never acknowledged); refuse anything else as
	 * CM_ECORRUPT, so that ops restore from a peer or a checkpoint.
	 */
	rocksdb_options_set_wal_recovery_mode(
	    opts, rocksdb_tolerate_corrupted_tail_records_recovery);

	bbo = rocksdb_block_based_options_create();
	/* Few shards (RocksDB would make 64 of 1 MB): a table written before
	 * the filters were partitioned has a whole filter block that must fit
	 * one shard's high-priority half to be kept. */
	lru = rocksdb_lru_cache_options_create();
	rocksdb_lru_cache_options_set_capacity(lru, STORE_CACHE_BYTES);
	rocksdb_lru_cache_options_set_num_shard_bits(
	    lru, STORE_CACHE_SHARD_BITS);
	cache = rocksdb_cache_create_lru_opts(lru);
	rocksdb_lru_cache_options_destroy(lru);
	rocksdb_block_based_options_set_block_cache(bbo, cache);
	/* Takes ownership of the policy. */
	rocksdb_block_based_options_set_filter_policy(
	    bbo, rocksdb_filterpolicy_create_bloom_full(STORE_BLOOM_BITS));
	/*
	 * Index and filter blocks live in the block cache, so the memory they
	 * take is bounded by it rather than growing with the data (with
	 * their table readers, as RocksDB does by default, they grew outside
	 * any limit: 4.4 MB at 300k cases). They are partitioned:
	 * one whole filter block of a large SST is bigger than a cache shard
	 * (measured at 600k cases: never kept, and every point read re-read
	 * and re-checksummed it, 79% of the loop), while partitions of 4 KB
	 * are cached like data blocks. The top-level index of each table and
	 * the blocks of L0 (the tables every read looks at) stay pinned, and
	 * index and filter blocks go into the cache's high-priority pool.
	 */
	rocksdb_block_based_options_set_cache_index_and_filter_blocks(bbo, 1);
	rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(
	    bbo, 1);
	rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(
	    bbo, 1);
	rocksdb_block_based_options_set_pin_top_level_index_and_filter(bbo, 1);
	rocksdb_block_based_options_set_index_type(
	    bbo, rocksdb_block_based_table_index_type_two_level_index_search);
	rocksdb_block_based_options_set_partition_filters(bbo, 1);
	rocksdb_block_based_options_set_metadata_block_size(
	    bbo, STORE_METADATA_BLOCK);
	rocksdb_options_set_block_based_table_factory(opts, bbo);
	rocksdb_block_based_options_destroy(bbo);
	rocksdb_cache_destroy(cache);
	return opts;
}

int
node_store_open(const char *dir, bool create, struct node_store **out)
{
	const rocksdb_options_t *cf_opts[NODE_CF__COUNT];
	rocksdb_options_t *opts;
	struct node_store *st;
	size_t dlen;
	char *err = NULL;
	char path[256];
	bool is_new;
	int rc;

	if (dir == NULL || dir[0] == '\0' || out == NULL) {
		return CM_EINVAL;
	}
	*out = NULL;
	switch (store_probe(dir)) {
	case STORE_ABSENT:
		if (!create) {
			return CM_ENOENT;
		}
		is_new = true;
		break;
	case STORE_DAMAGED:
		cm_log_error("store.current_missing", "dir=\"%s\"",
		    log_text(dir, path, sizeof(path)));
		return CM_ECORRUPT;
	default:
		is_new = false;
		break;
	}
	dlen = strlen(dir);
	st = cm_calloc(1, sizeof(*st) + dlen + 1);
	if (st == NULL) {
		return CM_ENOMEM;
	}
	memcpy(st->dir, dir, dlen + 1);
	atomic_init(&st->live, 0);

	opts = store_options(is_new);
	if (!is_new && (rc = store_check_cfs(dir, opts)) != 0) {
		rocksdb_options_destroy(opts);
		cm_free(st);
		return rc;
	}
	for (int i = 0; i < NODE_CF__COUNT; i++) {
		cf_opts[i] = opts;
	}
	st->db = rocksdb_open_column_families(
	    opts, dir, NODE_CF__COUNT, cf_names, cf_opts, st->cf, &err);
	rocksdb_options_destroy(opts);
	if (err != NULL) {
		rc = store_err("open", dir, err);
		/* RocksDB hands out no handles on failure. */
		cm_free(st);
		return rc;
	}
	st->ro = rocksdb_readoptions_create();
	st->wo = rocksdb_writeoptions_create();
	st->wo_sync = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(st->wo_sync, 1);
	*out = st;
	return 0;
}

void
node_store_close(struct node_store *st)
{
	if (st == NULL) {
		return;
	}
	/* A batch or iterator still alive would point into freed memory. */
	assert(atomic_load(&st->live) == 0);
	for (int i = 0; i < NODE_CF__COUNT; i++) {
		rocksdb_column_family_handle_destroy(st->cf[i]);
	}
	rocksdb_close(st->db);
	rocksdb_readoptions_destroy(st->ro);
	rocksdb_writeoptions_destroy(st->wo);
	rocksdb_writeoptions_destroy(st->wo_sync);
	cm_free(st);
}

int
node_store_get(struct node_store *st, enum node_cf cf, const void *key,
    size_t klen, void **val, size_t *vlen)
{
	rocksdb_pinnableslice_t *ps;
	const char *data;
	size_t n;
	char *err = NULL;
	void *copy;

	if (st == NULL || !cf_ok(cf) || val == NULL || vlen == NULL ||
	    (key == NULL && klen > 0)) {
		return CM_EINVAL;
	}
	*val = NULL;
	*vlen = 0;
	/* Pinned: the value is read in place from the block cache or the
	 * memtable and copied once, into memory the caller frees with cm_free
	 * (rocksdb_get would malloc a copy we would copy again). */
	ps = rocksdb_get_pinned_cf(
	    st->db, st->ro, st->cf[cf], (const char *)key, klen, &err);
	if (err != NULL) {
		return store_err("get", st->dir, err);
	}
	if (ps == NULL) {
		return CM_ENOTFOUND;
	}
	data = rocksdb_pinnableslice_value(ps, &n);
	copy = cm_malloc(n);
	if (copy == NULL) {
		rocksdb_pinnableslice_destroy(ps);
		return CM_ENOMEM;
	}
	if (n > 0) {
		memcpy(copy, data, n);
	}
	rocksdb_pinnableslice_destroy(ps);
	*val = copy;
	*vlen = n;
	return 0;
}

/*
 * Batches keep a pointer to their store rather than recording operations
 * to replay at write time: rocksdb_writebatch_put_cf wants the column
 * family handle at put time, and building the RocksDB batch directly means
 * one copy of each key and value, and an exact node_batch_bytes.
 */
int
node_batch_new(struct node_store *st, struct node_batch **out)
{
	struct node_batch *b;

	if (st == NULL || out == NULL) {
		return CM_EINVAL;
	}
	b = cm_malloc(sizeof(*b));
	if (b == NULL) {
		*out = NULL;
		return CM_ENOMEM;
	}
	b->st = st;
	b->wb = rocksdb_writebatch_create();
	atomic_fetch_add(&st->live, 1);
	*out = b;
	return 0;
}

void
node_batch_free(struct node_batch *b)
{
	if (b == NULL) {
		return;
	}
	atomic_fetch_sub(&b->st->live, 1);
	rocksdb_writebatch_destroy(b->wb);
	cm_free(b);
}

void
node_batch_put(struct node_batch *b, enum node_cf cf, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	assert(cf_ok(cf));
	rocksdb_writebatch_put_cf(b->wb, b->st->cf[cf], (const char *)key, klen,
	    (const char *)val, vlen);
}

void
node_batch_delete(
    struct node_batch *b, enum node_cf cf, const void *key, size_t klen)
{
	assert(cf_ok(cf));
	rocksdb_writebatch_delete_cf(
	    b->wb, b->st->cf[cf], (const char *)key, klen);
}

size_t
node_batch_count(const struct node_batch *b)
{
	return (size_t)rocksdb_writebatch_count(b->wb);
}

size_t
node_batch_bytes(const struct node_batch *b)
{
	size_t n = 0;

	(void)rocksdb_writebatch_data(b->wb, &n);
	return n;
}

void
node_batch_clear(struct node_batch *b)
{
	rocksdb_writebatch_clear(b->wb);
}

void
node_batch_mark(struct node_batch *b)
{
	rocksdb_writebatch_set_save_point(b->wb);
}

void
node_batch_unmark(struct node_batch *b)
{
	char *err = NULL;

	rocksdb_writebatch_pop_save_point(b->wb, &err);
	rocksdb_free(err);
}

void
node_batch_rollback(struct node_batch *b)
{
	char *err = NULL;

	rocksdb_writebatch_rollback_to_save_point(b->wb, &err);
	rocksdb_free(err);
}

int
node_store_write(struct node_store *st, struct node_batch *b, bool sync)
{
	char *err = NULL;

	if (st == NULL || b == NULL || b->st != st) {
		return CM_EINVAL;
	}
	rocksdb_write(st->db, sync ? st->wo_sync : st->wo, b->wb, &err);
	if (err != NULL) {
		return store_err(sync ? "write_sync" : "write", st->dir, err);
	}
	return 0;
}

/*
 * Iterators: RocksDB bounds the scan ([prefix, upper bound)), so it never
 * reads past the prefix; node_iter_valid still checks the prefix, which
 * costs one memcmp and covers the prefixes without an upper bound. An
 * iterator made without an explicit snapshot reads the sequence number of
 * its creation: that is the consistent snapshot store.h promises.
 */
int
node_iter_new(struct node_store *st, enum node_cf cf, const void *prefix,
    size_t plen, struct node_iter **out)
{
	struct node_iter *it;

	if (st == NULL || !cf_ok(cf) || out == NULL ||
	    (prefix == NULL && plen > 0) || plen > SIZE_MAX / 2 - sizeof(*it)) {
		return CM_EINVAL;
	}
	*out = NULL;
	it = cm_malloc(sizeof(*it) + 2 * plen);
	if (it == NULL) {
		return CM_ENOMEM;
	}
	it->st = st;
	it->plen = plen;
	it->ulen = 0;
	if (plen > 0) {
		memcpy(it->buf, prefix, plen);
	}
	it->has_upper =
	    prefix_upper_bound(it->buf, plen, it->buf + plen, &it->ulen);
	it->ro = rocksdb_readoptions_create();
	if (plen > 0) {
		rocksdb_readoptions_set_iterate_lower_bound(
		    it->ro, (const char *)it->buf, plen);
	}
	if (it->has_upper) {
		rocksdb_readoptions_set_iterate_upper_bound(
		    it->ro, (const char *)it->buf + plen, it->ulen);
	}
	it->it = rocksdb_create_iterator_cf(st->db, it->ro, st->cf[cf]);
	atomic_fetch_add(&st->live, 1);
	node_iter_seek(it, NULL, 0);
	*out = it;
	return 0;
}

void
node_iter_seek(struct node_iter *it, const void *key, size_t klen)
{
	/* Clamp to the prefix: a key before it means its first key. */
	if (key_cmp(key, klen, it->buf, it->plen) < 0) {
		key = it->buf;
		klen = it->plen;
	}
	if (klen == 0) {
		rocksdb_iter_seek_to_first(it->it);
		return;
	}
	rocksdb_iter_seek(it->it, (const char *)key, klen);
}

void
node_iter_seek_after(struct node_iter *it, const void *key, size_t klen)
{
	node_iter_seek(it, key, klen);
	if (node_iter_valid(it)) {
		size_t kl;
		const void *k = node_iter_key(it, &kl);

		if (kl == klen && memcmp(k, key, klen) == 0) {
			node_iter_next(it);
		}
	}
}

void
node_iter_seek_last(struct node_iter *it)
{
	const unsigned char *upper = it->buf + it->plen;
	const char *k;
	size_t klen;

	if (!it->has_upper) {
		/* Empty or all-0xff prefix: the last key of the CF is the
		 * last match if there is any match at all. */
		rocksdb_iter_seek_to_last(it->it);
		return;
	}
	/* SeekForPrev lands on the last key <= its target; the upper bound
	 * itself is outside the prefix, so step back from it. */
	rocksdb_iter_seek_for_prev(it->it, (const char *)upper, it->ulen);
	if (rocksdb_iter_valid(it->it)) {
		k = rocksdb_iter_key(it->it, &klen);
		if (key_cmp(k, klen, upper, it->ulen) >= 0) {
			rocksdb_iter_prev(it->it);
		}
	}
}

bool
node_iter_valid(const struct node_iter *it)
{
	const char *k;
	size_t klen;

	if (!rocksdb_iter_valid(it->it)) {
		return false;
	}
	k = rocksdb_iter_key(it->it, &klen);
	return klen >= it->plen &&
	       (it->plen == 0 || memcmp(k, it->buf, it->plen) == 0);
}

void
node_iter_next(struct node_iter *it)
{
	if (node_iter_valid(it)) {
		rocksdb_iter_next(it->it);
	}
}

void
node_iter_prev(struct node_iter *it)
{
	if (node_iter_valid(it)) {
		rocksdb_iter_prev(it->it);
	}
}

const void *
node_iter_key(const struct node_iter *it, size_t *klen)
{
	if (!node_iter_valid(it)) {
		*klen = 0;
		return NULL;
	}
	return rocksdb_iter_key(it->it, klen);
}

const void *
node_iter_value(const struct node_iter *it, size_t *vlen)
{
	if (!node_iter_valid(it)) {
		*vlen = 0;
		return NULL;
	}
	return rocksdb_iter_value(it->it, vlen);
}

int
node_iter_status(const struct node_iter *it)
{
	char *err = NULL;

	rocksdb_iter_get_error(it->it, &err);
	if (err != NULL) {
		return store_err("iterate", it->st->dir, err);
	}
	return 0;
}

void
node_iter_free(struct node_iter *it)
{
	if (it == NULL) {
		return;
	}
	/* The iterator first: it points into the read options and buf. */
	rocksdb_iter_destroy(it->it);
	rocksdb_readoptions_destroy(it->ro);
	atomic_fetch_sub(&it->st->live, 1);
	cm_free(it);
}

int
node_store_checkpoint(struct node_store *st, const char *dir)
{
	rocksdb_checkpoint_t *cp;
	struct stat sb;
	char *err = NULL;

	if (st == NULL || dir == NULL || dir[0] == '\0') {
		return CM_EINVAL;
	}
	/* RocksDB says only "Invalid argument: Directory exists". */
	if (lstat(dir, &sb) == 0) {
		return CM_EEXIST;
	}
	cp = rocksdb_checkpoint_object_create(st->db, &err);
	if (err != NULL) {
		return store_err("checkpoint", st->dir, err);
	}
	/* log_size_for_flush 0: always flush the memtables first, so the copy
	 * is mostly hard links to SST files; RocksDB copies the WAL written
	 * since, so the copy is one point in time across column families. */
	rocksdb_checkpoint_create(cp, dir, 0, &err);
	rocksdb_checkpoint_object_destroy(cp);
	if (err != NULL) {
		return store_err("checkpoint", dir, err);
	}
	return 0;
}

int
node_store_property(struct node_store *st, int cf, const char *name, char **out)
{
	char buf[32];
	char *val;
	uint64_t sum = 0, v;

	if (st == NULL || name == NULL || out == NULL || cf >= NODE_CF__COUNT) {
		return CM_EINVAL;
	}
	*out = NULL;
	val = rocksdb_property_value_cf(st->db, st->cf[cf < 0 ? 0 : cf], name);
	if (val == NULL) {
		return CM_ENOTFOUND;
	}
	if (cf >= 0) {
		/* Copied: RocksDB's string is freed with rocksdb_free, ours
		 * with cm_free. */
		*out = cm_strdup(val);
		rocksdb_free(val);
		return *out != NULL ? 0 : CM_ENOMEM;
	}
	rocksdb_free(val);
	for (int i = 0; i < NODE_CF__COUNT; i++) {
		if (rocksdb_property_int_cf(st->db, st->cf[i], name, &v) != 0) {
			return CM_EINVAL;
		}
		sum += v;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, sum);
	*out = cm_strdup(buf);
	return *out != NULL ? 0 : CM_ENOMEM;
}

/*
 * A walk of the directory rather than RocksDB's size properties: those
 * leave out the WAL and the manifest, which dominate a young store. Files
 * that compaction deletes during the walk are skipped.
 */
int
node_store_disk_bytes(struct node_store *st, uint64_t *out)
{
	struct dirent *de;
	struct stat sb;
	uint64_t sum = 0;
	DIR *d;

	if (st == NULL || out == NULL) {
		return CM_EINVAL;
	}
	*out = 0;
	d = opendir(st->dir);
	if (d == NULL) {
		cm_log_error("store.disk_bytes_failed", "errno=%d", errno);
		return CM_EIO;
	}
	while ((de = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		        0 &&
		    S_ISREG(sb.st_mode)) {
			sum += (uint64_t)sb.st_size;
		}
	}
	closedir(d);
	*out = sum;
	return 0;
}

/* ---- backups ------------------------------------------------------------ */

static rocksdb_backup_engine_t *
backup_open(const char *dir, int *rc)
{
	rocksdb_options_t *opts = rocksdb_options_create();
	rocksdb_backup_engine_t *be;
	char *err = NULL;

	if (opts == NULL) {
		*rc = CM_ENOMEM;
		return NULL;
	}
	be = rocksdb_backup_engine_open(opts, dir, &err);
	rocksdb_options_destroy(opts);
	*rc = err != NULL ? store_err("backup_open", dir, err) : 0;
	return be;
}

int
node_store_backup(
    struct node_store *st, const char *dir, uint32_t keep, uint32_t *id)
{
	rocksdb_backup_engine_t *be;
	const rocksdb_backup_engine_info_t *info;
	char *err = NULL;
	int rc, n;

	if (st == NULL || dir == NULL || dir[0] == '\0' || keep == 0) {
		return CM_EINVAL;
	}
	be = backup_open(dir, &rc);
	if (be == NULL) {
		return rc;
	}
	/* Flush first: the backup is the SST files of one point in time
	 * across column families, and a copy of the WAL since. */
	rocksdb_backup_engine_create_new_backup_flush(be, st->db, 1, &err);
	if (err != NULL) {
		rc = store_err("backup", dir, err);
	}
	if (rc == 0) {
		rocksdb_backup_engine_purge_old_backups(be, keep, &err);
		if (err != NULL) {
			rc = store_err("backup_purge", dir, err);
		}
	}
	if (rc == 0 && id != NULL) {
		info = rocksdb_backup_engine_get_backup_info(be);
		n = info != NULL ? rocksdb_backup_engine_info_count(info) : 0;
		*id = n > 0 ? rocksdb_backup_engine_info_backup_id(info, n - 1)
		            : 0;
		if (info != NULL) {
			rocksdb_backup_engine_info_destroy(info);
		}
	}
	rocksdb_backup_engine_close(be);
	return rc;
}

int
node_store_backup_list(
    const char *dir, struct node_backup_info **out, size_t *nout)
{
	rocksdb_backup_engine_t *be;
	const rocksdb_backup_engine_info_t *info;
	struct stat sb;
	int rc, n;

	*out = NULL;
	*nout = 0;
	if (dir == NULL || stat(dir, &sb) != 0) {
		return CM_ENOENT; /* no backup made yet: nothing to list */
	}
	be = backup_open(dir, &rc);
	if (be == NULL) {
		return rc;
	}
	info = rocksdb_backup_engine_get_backup_info(be);
	n = info != NULL ? rocksdb_backup_engine_info_count(info) : 0;
	if (n > 0) {
		*out = cm_calloc((size_t)n, sizeof(**out));
		rc = *out == NULL ? CM_ENOMEM : 0;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		(*out)[i].id = rocksdb_backup_engine_info_backup_id(info, i);
		(*out)[i].timestamp =
		    rocksdb_backup_engine_info_timestamp(info, i);
		(*out)[i].size = rocksdb_backup_engine_info_size(info, i);
		(*out)[i].files =
		    rocksdb_backup_engine_info_number_files(info, i);
		*nout = (size_t)i + 1;
	}
	if (info != NULL) {
		rocksdb_backup_engine_info_destroy(info);
	}
	rocksdb_backup_engine_close(be);
	return rc;
}

int
node_store_backup_verify(const char *dir, uint32_t id)
{
	rocksdb_backup_engine_t *be;
	char *err = NULL;
	int rc;

	be = backup_open(dir, &rc);
	if (be == NULL) {
		return rc;
	}
	/* Every file there, with the size and checksum recorded. */
	rocksdb_backup_engine_verify_backup(be, id, &err);
	if (err != NULL) {
		/* RocksDB: "NotFound: ..." for an unknown id. */
		rc = strstr(err, "NotFound") != NULL ? CM_ENOTFOUND
		                                     : CM_ECORRUPT;
		cm_log_error(
		    "store.backup_verify_failed", "dir=\"%s\" id=%u", dir, id);
		rocksdb_free(err);
	}
	rocksdb_backup_engine_close(be);
	return rc;
}

int
node_store_backup_restore(const char *dir, uint32_t id, const char *db_dir)
{
	rocksdb_backup_engine_t *be;
	rocksdb_restore_options_t *ro;
	struct stat sb;
	char *err = NULL;
	int rc;

	if (dir == NULL || db_dir == NULL || db_dir[0] == '\0') {
		return CM_EINVAL;
	}
	if (lstat(db_dir, &sb) == 0) {
		return CM_EEXIST; /* never over a store */
	}
	be = backup_open(dir, &rc);
	if (be == NULL) {
		return rc;
	}
	ro = rocksdb_restore_options_create();
	if (ro == NULL) {
		rocksdb_backup_engine_close(be);
		return CM_ENOMEM;
	}
	if (id == 0) {
		rocksdb_backup_engine_restore_db_from_latest_backup(
		    be, db_dir, db_dir, ro, &err);
	} else {
		rocksdb_backup_engine_restore_db_from_backup(
		    be, db_dir, db_dir, ro, id, &err);
	}
	if (err != NULL) {
		rc = strstr(err, "NotFound") != NULL
		         ? (rocksdb_free(err), CM_ENOTFOUND)
		         : store_err("backup_restore", dir, err);
	}
	rocksdb_restore_options_destroy(ro);
	rocksdb_backup_engine_close(be);
	return rc;
}
