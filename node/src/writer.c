/*
 * writer.c: changes go into the open batch: the materialised case and its
 * index entries at once, the op stamped and packed; the flush worker seals
 * the ops (node_gen_seal: chain, sign, log, head, clock) just before it
 * syncs the batch (group commit), and no reply that depends on it goes out
 * before. Until then the overlay lets reads see the new case, and such
 * reads wait for the same batch.
 */
#include "node.h"
#include "common/alloc.h"
#include "common/error.h"

#include <stdlib.h>
#include <string.h>

static void ov_rehash(struct node *n);

int
node_open_batch(struct node *n)
{
	if (n->open.batch == NULL) {
		int rc = node_batch_new(n->st, &n->open.batch);

		if (rc != 0) {
			return rc;
		}
		n->open.id = ++n->next_gen;
	}
	return 0;
}

int
node_write_op(struct node *n, Ow__Op *op)
{
	/* Where the chain head goes once the flush worker knows it. */
	static const uint8_t placeholder[NODE_HASH_BYTES];
	struct node_unsealed *u;
	int rc;

	if (n->recovering) {
		/* Its ops after the backup are still coming back: a new op
		 * now would take a seq one of them has. */
		return CM_ERECOVERING;
	}
	rc = node_open_batch(n);
	if (rc != 0) {
		return rc;
	}
	if (n->open.nops == n->open.cops) {
		size_t ncap = n->open.cops == 0 ? 16 : n->open.cops * 2;
		struct node_unsealed *no =
		    cm_reallocarray(n->open.ops, ncap, sizeof(*no));

		if (no == NULL) {
			return CM_ENOMEM;
		}
		n->open.ops = no;
		n->open.cops = ncap;
	}
	u = &n->open.ops[n->open.nops];
	op->origin = n->node_id;
	op->seq = n->seq + 1;
	op->hlc = cm_hlc_now(&n->hlc, cm_hlc_wall_ms());
	op->prev_hash.data = (uint8_t *)(uintptr_t)placeholder;
	op->prev_hash.len = NODE_HASH_BYTES;
	rc = node_op_frame_pack(op, &u->f);
	/* The op's strings point into n and the caller's buffers: clear the
	 * borrowed ones so nobody frees them. */
	op->prev_hash.data = NULL;
	op->prev_hash.len = 0;
	if (rc != 0) {
		return rc;
	}
	n->seq = op->seq;
	n->log_ops++;
	u->seq = op->seq;
	u->hlc = n->hlc.last;
	u->log_ops = n->log_ops;
	n->open.nops++;
	return 0;
}

int
node_write_mark(struct node *n, struct node_mark *m)
{
	int rc = node_open_batch(n);

	if (rc != 0) {
		return rc;
	}
	m->seq = n->seq;
	m->log_ops = n->log_ops;
	m->hlc = n->hlc;
	m->nops = n->open.nops;
	m->npend = n->npend;
	m->nlww = n->nlww;
	m->nundo = n->nundo;
	n->mark_depth++;
	node_batch_mark(n->open.batch);
	return 0;
}

/* The outermost mark is gone: what the overlay held before is not
 * needed any more. */
static void
undo_forget(struct node *n)
{
	if (--n->mark_depth > 0) {
		return;
	}
	for (size_t i = 0; i < n->nundo; i++) {
		cm_free(n->ov_undo[i].bytes);
	}
	n->nundo = 0;
}

void
node_write_unmark(struct node *n)
{
	node_batch_unmark(n->open.batch);
	undo_forget(n);
}

void
node_write_rollback(struct node *n, const struct node_mark *m)
{
	node_batch_rollback(n->open.batch);
	while (n->open.nops > m->nops) {
		node_op_frame_free(&n->open.ops[--n->open.nops].f);
	}
	node_pend_truncate(n, m->npend);
	if (n->nlww > m->nlww) {
		n->nlww = m->nlww;
	}
	/* The cases written since the mark: reads must not see them, and
	 * the next write must take its old index keys from what is really
	 * there. Newest first, so that an added slot is the last one. */
	if (n->nundo > m->nundo) {
		while (n->nundo > m->nundo) {
			struct node_ov_undo *u = &n->ov_undo[--n->nundo];
			struct node_overlay *ov = &n->overlay[u->index];

			cm_free(ov->bytes);
			if (u->was_new) {
				n->noverlay--;
			} else {
				ov->bytes = u->bytes;
				ov->len = u->len;
				ov->gen = u->gen;
			}
		}
		ov_rehash(n);
	}
	undo_forget(n);
	n->seq = m->seq;
	n->log_ops = m->log_ops;
	n->hlc = m->hlc;
}

void
node_gen_drop_ops(struct node_gen *g)
{
	for (size_t i = 0; i < g->nops; i++) {
		node_op_frame_free(&g->ops[i].f);
	}
	cm_free(g->ops);
	g->ops = NULL;
	g->nops = g->cops = 0;
}

/*
 * The ops of one batch chain in order (each one's prev_hash is the hash of
 * the one before), so sealing is sequential; flushes are too, so the head
 * needs no lock. The meta records say what the last op left: the head and
 * its seq, the clock, the op count.
 */
int
node_gen_seal(struct node *n, struct node_gen *g)
{
	unsigned char head[NODE_HASH_BYTES], next[NODE_HASH_BYTES];
	uint8_t key[1 + NODE_ORIGIN_MAX + 8], val[8 + NODE_HASH_BYTES];
	char mkey[8 + NODE_ORIGIN_MAX];
	const struct node_unsealed *last = NULL;
	bool keep = n->repl != NULL;
	int rc = 0;

	if (g->nops == 0 && g->nremote == 0) {
		node_gen_drop_ops(g);
		return 0;
	}
	if (keep && g->nops > 0) {
		g->sealed = cm_calloc(g->nops, sizeof(*g->sealed));
		rc = g->sealed == NULL ? CM_ENOMEM : 0;
	}
	memcpy(head, n->head, sizeof(head));
	for (size_t i = 0; i < g->nops && rc == 0; i++) {
		struct node_unsealed *u = &g->ops[i];
		size_t klen;

		rc = node_op_frame_seal(&u->f, head, &n->kp, next);
		klen = node_log_key(n->node_id, u->seq, key);
		if (rc == 0 && klen == 0) {
			rc = CM_EINTERNAL;
		}
		if (rc == 0) {
			node_batch_put(g->batch, NODE_CF_LOG, key, klen,
			    u->f.buf, u->f.len);
			memcpy(head, next, sizeof(head));
		}
		if (rc == 0 && keep) {
			/* Replication takes the sealed bytes once they
			 * are durable. */
			g->sealed[g->nsealed].buf = u->f.buf;
			g->sealed[g->nsealed++].len = u->f.len;
			u->f.buf = NULL;
			u->f.len = 0;
		}
		/* The batch has its own copy: free as we go. */
		node_op_frame_free(&u->f);
	}
	if (rc == 0 && g->nops > 0) {
		last = &g->ops[g->nops - 1];
		node_put_be64(val, last->seq);
		memcpy(val + 8, head, NODE_HASH_BYTES);
		snprintf(mkey, sizeof(mkey), "vv/%s", n->node_id);
		node_batch_put(g->batch, NODE_CF_META, mkey, strlen(mkey), val,
		    sizeof(val));
	}
	if (rc == 0) {
		node_put_be64(val, g->meta_hlc != 0 ? g->meta_hlc : last->hlc);
		node_batch_put(g->batch, NODE_CF_META, "hlc", 3, val, 8);
		node_put_be64(val,
		    g->meta_log_ops != 0 ? g->meta_log_ops : last->log_ops);
		node_batch_put(g->batch, NODE_CF_META, "stat/ops", 8, val, 8);
		if (g->nops > 0) {
			/* Only own ops move the head: a batch of other
			 * halls' ops must not write it (the loop sets it
			 * while a restored hall takes its ops back). */
			memcpy(n->head, head, sizeof(head));
		}
	}
	node_gen_drop_ops(g);
	return rc;
}

void
node_gen_drop_sealed(struct node_gen *g)
{
	for (size_t i = 0; i < g->nsealed; i++) {
		cm_free(g->sealed[i].buf);
	}
	cm_free(g->sealed);
	g->sealed = NULL;
	g->nsealed = 0;
}

static bool
key_in(const struct node_keys *k, const uint8_t *key, size_t len)
{
	for (size_t i = 0; i < k->n; i++) {
		if (k->lens[i] == len && memcmp(k->keys[i], key, len) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * The overlay holds every case written in the batches not yet durable: a
 * catch-up batch from another hall writes thousands, so it is found by a
 * hash of the id (open addressing, linear probing). Without memory for
 * the table, lookups scan.
 */
static uint64_t
ov_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	}
	return h ^ (h >> 31);
}

static void
ov_place(struct node *n, size_t i)
{
	size_t mask = n->ov_size - 1,
	       at = (size_t)ov_hash(n->overlay[i].id) & mask;

	while (n->ov_index[at] >= 0) {
		at = (at + 1) & mask;
	}
	n->ov_index[at] = (int32_t)i;
}

/* Index every overlay entry again (after a compaction, or to grow). */
static void
ov_rehash(struct node *n)
{
	size_t want = 128;

	while (want < 2 * n->noverlay + 2) {
		want *= 2;
	}
	if (want != n->ov_size) {
		int32_t *ni = cm_reallocarray(n->ov_index, want, sizeof(*ni));

		if (ni == NULL) {
			cm_free(n->ov_index);
			n->ov_index = NULL;
			n->ov_size = 0;
			return;
		}
		n->ov_index = ni;
		n->ov_size = want;
	}
	for (size_t i = 0; i < n->ov_size; i++) {
		n->ov_index[i] = -1;
	}
	for (size_t i = 0; i < n->noverlay; i++) {
		ov_place(n, i);
	}
}

static struct node_overlay *
overlay_find(struct node *n, const char *id)
{
	if (n->ov_size == 0) {
		for (size_t i = 0; i < n->noverlay; i++) {
			if (strcmp(n->overlay[i].id, id) == 0) {
				return &n->overlay[i];
			}
		}
		return NULL;
	}
	for (size_t mask = n->ov_size - 1, at = (size_t)ov_hash(id) & mask;
	     n->ov_index[at] >= 0; at = (at + 1) & mask) {
		struct node_overlay *ov = &n->overlay[n->ov_index[at]];

		if (strcmp(ov->id, id) == 0) {
			return ov;
		}
	}
	return NULL;
}

int
node_write_case(
    struct node *n, const struct node_keys *old_keys, const Ow__Case *c)
{
	static const struct node_keys none;
	const struct node_keys *ok = old_keys != NULL ? old_keys : &none;
	struct node_keys nk;
	struct node_overlay *ov;
	bool was_new;
	size_t len = ow__case__get_packed_size(c);
	uint8_t *buf;
	int rc = node_open_batch(n);

	if (rc != 0) {
		return rc;
	}
	if (strlen(c->id) >= NODE_CASE_ID_MAX) {
		return CM_EINVAL;
	}
	buf = cm_malloc(len);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	ow__case__pack(c, buf);
	node_keys_init(&nk);
	rc = node_case_index_keys(c, &nk);
	if (rc != 0) {
		goto out;
	}
	/* Find the overlay slot first, so that a failure leaves the batch
	 * untouched. */
	if (n->mark_depth > 0 && n->nundo == n->cundo) {
		size_t ncap = n->cundo == 0 ? 16 : n->cundo * 2;
		struct node_ov_undo *nu =
		    cm_reallocarray(n->ov_undo, ncap, sizeof(*nu));

		if (nu == NULL) {
			rc = CM_ENOMEM;
			goto out;
		}
		n->ov_undo = nu;
		n->cundo = ncap;
	}
	ov = overlay_find(n, c->id);
	was_new = ov == NULL;
	if (ov == NULL) {
		if (n->noverlay == n->coverlay) {
			size_t ncap = n->coverlay == 0 ? 64 : n->coverlay * 2;
			struct node_overlay *no =
			    cm_reallocarray(n->overlay, ncap, sizeof(*no));

			if (no == NULL) {
				rc = CM_ENOMEM;
				goto out;
			}
			n->overlay = no;
			n->coverlay = ncap;
		}
		ov = &n->overlay[n->noverlay++];
		memset(ov, 0, sizeof(*ov));
		snprintf(ov->id, sizeof(ov->id), "%s", c->id);
		if (n->ov_size < 2 * n->noverlay + 2) {
			ov_rehash(n);
		} else {
			ov_place(n, n->noverlay - 1);
		}
	}
	node_batch_put(
	    n->open.batch, NODE_CF_CASE, c->id, strlen(c->id), buf, len);
	for (size_t i = 0; i < ok->n; i++) {
		if (!key_in(&nk, ok->keys[i], ok->lens[i])) {
			node_batch_delete(n->open.batch, NODE_CF_IDX,
			    ok->keys[i], ok->lens[i]);
		}
	}
	for (size_t i = 0; i < nk.n; i++) {
		if (!key_in(ok, nk.keys[i], nk.lens[i])) {
			node_batch_put(n->open.batch, NODE_CF_IDX, nk.keys[i],
			    nk.lens[i], "", 0);
		}
	}
	if (n->mark_depth > 0) {
		/* Kept for a rollback (the slot's room was reserved above). */
		struct node_ov_undo *u = &n->ov_undo[n->nundo++];

		u->index = (size_t)(ov - n->overlay);
		u->was_new = was_new;
		u->bytes = ov->bytes;
		u->len = ov->len;
		u->gen = ov->gen;
	} else {
		cm_free(ov->bytes);
	}
	ov->bytes = buf;
	ov->len = len;
	ov->gen = n->open.id;
	buf = NULL;
out:
	cm_free(buf);
	node_keys_free(&nk);
	return rc;
}

int
node_read_case(struct node *n, const char *id, Ow__Case **out, uint64_t *gen)
{
	struct node_overlay *ov = overlay_find(n, id);
	void *val = NULL;
	size_t vlen = 0;
	int rc;

	*out = NULL;
	*gen = 0;
	if (ov != NULL) {
		*out = ow__case__unpack(NULL, ov->len, ov->bytes);
		*gen = ov->gen;
		return *out != NULL ? 0 : CM_ENOMEM;
	}
	rc = node_store_get(n->st, NODE_CF_CASE, id, strlen(id), &val, &vlen);
	if (rc != 0) {
		return rc;
	}
	*out = ow__case__unpack(NULL, vlen, val);
	cm_free(val);
	return *out != NULL ? 0 : CM_ECORRUPT;
}

void
node_overlay_settle(struct node *n, uint64_t durable_gen)
{
	size_t j = 0;

	node_base_settle(n, durable_gen);
	for (size_t i = 0; i < n->noverlay; i++) {
		if (n->overlay[i].gen <= durable_gen) {
			cm_free(n->overlay[i].bytes);
		} else {
			n->overlay[j++] = n->overlay[i];
		}
	}
	if (j == n->noverlay) {
		return;
	}
	n->noverlay = j;
	if (j == 0) {
		cm_free(n->ov_index);
		n->ov_index = NULL;
		n->ov_size = 0;
	} else {
		ov_rehash(n);
	}
}
