/*
 * store.h: the node's storage, a thin adapter over RocksDB's C API.
 *
 * Nothing above this file sees RocksDB: no rocksdb_* type, no errptr
 * string. Data lives in column families (one per kind of record); every
 * change goes through a batch written atomically, synced to the WAL when
 * asked (a reply is sent only after a synced write: sync=0 is not
 * durable). Only one process may open a data directory: a second open
 * fails with CM_EBUSY, and so does a second open in the same process.
 *
 * Threads: a store may be used from several threads at once (the loop
 * thread reads and iterates while a worker thread writes): RocksDB's DB
 * object is thread-safe, and the store adds no state that changes after
 * open. A batch or an iterator belongs to one thread at a time. Every
 * batch and iterator must be freed before node_store_close.
 *
 * Keys are byte strings compared with memcmp (RocksDB's bytewise
 * comparator); they may contain NUL bytes.
 */
#ifndef NODE_STORE_H
#define NODE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The column families. The order is fixed: it is the on-disk layout. */
#define NODE_CF_MAP(XX)                                                        \
	XX(META, "default")    /* node id, keys, version vector, counters */   \
	XX(LOG, "log")         /* signed ops by (origin, seq) */               \
	XX(CASE, "case")       /* materialised cases by id */                  \
	XX(IDX, "idx")         /* secondary indexes: keys only */              \
	XX(CATALOG, "catalog") /* matter versions */                           \
	XX(USER, "user")       /* accounts */                                  \
	XX(LOCAL, "local")     /* hall-local: queue, read audit, sessions */

enum node_cf {
#define NODE_XX_CF(name, str) NODE_CF_##name,
	NODE_CF_MAP(NODE_XX_CF)
#undef NODE_XX_CF
	    NODE_CF__COUNT
};

struct node_store;
struct node_batch;
struct node_iter;

/*
 * Open the store in dir (the RocksDB directory itself). With create, a
 * missing store is made (the parent directory must exist); without it, a
 * missing store is CM_ENOENT and nothing is written to disk. A damaged
 * store is never "repaired" by creating anything: RocksDB files without a
 * CURRENT file, a column family missing from the MANIFEST, or a damaged
 * record inside the WAL (only a torn last record, a write cut by a crash,
 * is tolerated) are CM_ECORRUPT, with or without create. Returns 0,
 * CM_EBUSY (another process, or this one, has it open), CM_ENOENT,
 * CM_ECORRUPT, CM_EUNSUPPORTED (it has column families this version does
 * not know: made by a newer version), CM_EIO, CM_EINVAL or CM_ENOMEM; the
 * RocksDB message is logged, never returned. Borrows dir. Close with
 * node_store_close.
 */
int node_store_open(const char *dir, bool create, struct node_store **out);

/* Close the store (NULL is a no-op). Every batch and iterator made on it
 * must have been freed: using one after close is a programmer error. */
void node_store_close(struct node_store *st);

/* Read one value. *val is cm_malloc'd (caller frees with cm_free), not
 * NUL-terminated. Returns 0, CM_ENOTFOUND, CM_ECORRUPT, CM_EIO or
 * CM_ENOMEM. */
int node_store_get(struct node_store *st, enum node_cf cf, const void *key,
    size_t klen, void **val, size_t *vlen);

/*
 * Batches: built on any thread, written with node_store_write to the store
 * they were made for. The batch borrows st (RocksDB puts a column family
 * handle into the batch at each put, so the batch must know the store);
 * free it with node_batch_free before closing the store. Put and delete
 * copy key and value. Returns 0 or CM_ENOMEM.
 */
int node_batch_new(struct node_store *st, struct node_batch **out);
void node_batch_free(struct node_batch *b);
void node_batch_put(struct node_batch *b, enum node_cf cf, const void *key,
    size_t klen, const void *val, size_t vlen);
void node_batch_delete(
    struct node_batch *b, enum node_cf cf, const void *key, size_t klen);
/* Number of puts and deletes in the batch. */
size_t node_batch_count(const struct node_batch *b);
/* Size of the batch's encoded form (what goes into the WAL), in bytes,
 * including a 12-byte header: use it to cap group commits. */
size_t node_batch_bytes(const struct node_batch *b);
/* Empty the batch for reuse. */
void node_batch_clear(struct node_batch *b);

/*
 * Save points: a request marks the batch before it adds its records, and
 * rolls back to the mark if it fails halfway, so the batch it shares with
 * other requests never holds half a change. Marks nest; unmark drops the
 * latest without rolling back.
 */
void node_batch_mark(struct node_batch *b);
void node_batch_unmark(struct node_batch *b);
void node_batch_rollback(struct node_batch *b);

/*
 * Write a batch atomically; with sync, return only once it is on disk
 * (fsync of the WAL). Safe to call from a worker thread while the loop
 * thread reads. The batch is unchanged (clear it to reuse it). Returns 0,
 * CM_EINVAL (the batch was made for another store), CM_EIO, CM_ECORRUPT
 * or CM_ENOMEM.
 */
int node_store_write(struct node_store *st, struct node_batch *b, bool sync);

/*
 * Iterate the keys of cf that start with prefix (plen may be 0: all), in
 * key order, from a consistent snapshot taken when the iterator is made:
 * writes made after that are not seen. The iterator copies the prefix and
 * starts on the first key of the prefix, so that
 *   for (...; node_iter_valid(it); node_iter_next(it))
 * walks it. The key and value slices are valid until the next call on the
 * iterator. Returns 0, CM_EINVAL or CM_ENOMEM; free with node_iter_free
 * before closing the store.
 */
int node_iter_new(struct node_store *st, enum node_cf cf, const void *prefix,
    size_t plen, struct node_iter **out);
/* Position at the first key >= key within the prefix (a key before the
 * prefix means its first key). */
void node_iter_seek(struct node_iter *it, const void *key, size_t klen);
/* Position at the first key > key within the prefix: resuming a walk
 * after the last key it handled. */
void node_iter_seek_after(struct node_iter *it, const void *key, size_t klen);
/* Position at the last key of the prefix. */
void node_iter_seek_last(struct node_iter *it);
/* True when positioned on a key of the prefix. */
bool node_iter_valid(const struct node_iter *it);
/* Step forward or back; no-ops on an invalid iterator. */
void node_iter_next(struct node_iter *it);
void node_iter_prev(struct node_iter *it);
/* The current key or value; NULL (and length 0) when not valid. */
const void *node_iter_key(const struct node_iter *it, size_t *klen);
const void *node_iter_value(const struct node_iter *it, size_t *vlen);
/* 0, or the error that stopped the iteration (CM_EIO, CM_ECORRUPT). Check
 * it when node_iter_valid turns false: the end and an error look alike. */
int node_iter_status(const struct node_iter *it);
void node_iter_free(struct node_iter *it);

/*
 * A consistent copy of the store in dir (which must not exist; its parent
 * must), made with hard links where possible (RocksDB checkpoint, after a
 * flush of the memtables). The copy opens with node_store_open. Returns 0,
 * CM_EEXIST, CM_EIO or CM_ENOMEM.
 */
int node_store_checkpoint(struct node_store *st, const char *dir);

/*
 * Backups with RocksDB's BackupEngine in dir (made if missing): a new
 * backup of the whole store (after a flush: one point in time across the
 * column families), keeping the newest `keep`; *id is the new backup's
 * number (id may be NULL). Safe while the store is in use (a worker
 * thread). Returns 0, CM_EINVAL, CM_EIO or CM_ENOMEM.
 */
int node_store_backup(
    struct node_store *st, const char *dir, uint32_t keep, uint32_t *id);

struct node_backup_info {
	uint32_t id;
	int64_t timestamp; /* unix seconds */
	uint64_t size;     /* bytes */
	uint32_t files;
};

/* The backups in dir, oldest first (*out cm_malloc'd). CM_ENOENT when
 * dir does not exist. */
int node_store_backup_list(
    const char *dir, struct node_backup_info **out, size_t *nout);
/* Check every file of backup id against its recorded size and checksum:
 * 0, CM_ENOTFOUND (no such backup), CM_ECORRUPT or CM_EIO. */
int node_store_backup_verify(const char *dir, uint32_t id);
/* Restore backup id (0: the newest) into db_dir, which must not exist
 * (CM_EEXIST). Returns 0, CM_ENOTFOUND, CM_EIO or CM_ENOMEM. */
int node_store_backup_restore(const char *dir, uint32_t id, const char *db_dir);

/*
 * A RocksDB property as text ("rocksdb.estimate-num-keys", ...). With
 * cf < 0, an integer property is summed over the column families (do not
 * use that for DB-wide properties: they would be counted once per column
 * family). *out freed with cm_free. Returns 0, CM_ENOTFOUND (no such
 * property), CM_EINVAL (cf out of range, or cf < 0 with a property that is
 * not an integer) or CM_ENOMEM.
 */
int node_store_property(
    struct node_store *st, int cf, const char *name, char **out);

/* Bytes the store's directory takes on disk (SST files, WAL, manifest and
 * RocksDB's own info logs), for ops screens. Returns 0 or CM_EIO. */
int node_store_disk_bytes(struct node_store *st, uint64_t *out);

#endif
