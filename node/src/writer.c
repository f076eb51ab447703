/*
 * writer.c: changes go into the open batch: the signed op in the log, the
 * chain head and clock in meta, the materialised case and its index
 * entries. The batch is synced by the server (group commit) before any
 * reply that depends on it goes out; until then the overlay lets reads see
 * the new case, and such reads wait for the same batch.
 */
#include "node.h"
#include "common/alloc.h"
#include "common/error.h"

#include <stdlib.h>
#include <string.h>

static void
be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

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
	unsigned char hash[NODE_HASH_BYTES];
	uint8_t key[1 + NODE_ORIGIN_MAX + 8], head[8 + NODE_HASH_BYTES];
	uint8_t hlc[8];
	char mkey[8 + NODE_ORIGIN_MAX];
	uint8_t *buf = NULL;
	size_t len = 0, klen;
	int rc = node_open_batch(n);

	if (rc != 0) {
		return rc;
	}
	op->origin = n->node_id;
	op->seq = n->seq + 1;
	op->hlc = cm_hlc_now(&n->hlc, cm_hlc_wall_ms());
	op->prev_hash.data = n->head;
	op->prev_hash.len = NODE_HASH_BYTES;
	rc = node_op_seal(op, &n->kp, &buf, &len, hash);
	if (rc != 0) {
		return rc;
	}
	klen = node_log_key(n->node_id, op->seq, key);
	node_batch_put(n->open.batch, NODE_CF_LOG, key, klen, buf, len);
	cm_free(buf);
	be64(head, op->seq);
	memcpy(head + 8, hash, NODE_HASH_BYTES);
	snprintf(mkey, sizeof(mkey), "vv/%s", n->node_id);
	node_batch_put(n->open.batch, NODE_CF_META, mkey, strlen(mkey), head,
	    sizeof(head));
	be64(hlc, n->hlc.last);
	node_batch_put(n->open.batch, NODE_CF_META, "hlc", 3, hlc, 8);
	n->seq = op->seq;
	memcpy(n->head, hash, NODE_HASH_BYTES);
	n->log_ops++;
	be64(hlc, n->log_ops);
	node_batch_put(n->open.batch, NODE_CF_META, "stat/ops", 8, hlc, 8);
	/* The op's strings point into n and the caller's buffers: clear the
	 * borrowed ones so nobody frees them. */
	op->prev_hash.data = NULL;
	op->prev_hash.len = 0;
	return 0;
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

static struct node_overlay *
overlay_find(struct node *n, const char *id)
{
	for (size_t i = 0; i < n->noverlay; i++) {
		if (strcmp(n->overlay[i].id, id) == 0) {
			return &n->overlay[i];
		}
	}
	return NULL;
}

int
node_write_case(struct node *n, const Ow__Case *old, const Ow__Case *c)
{
	struct node_keys ok, nk;
	struct node_overlay *ov;
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
	node_keys_init(&ok);
	node_keys_init(&nk);
	rc = node_case_index_keys(c, &nk);
	if (rc == 0 && old != NULL) {
		rc = node_case_index_keys(old, &ok);
	}
	if (rc != 0) {
		goto out;
	}
	/* Find the overlay slot first, so that a failure leaves the batch
	 * untouched. */
	ov = overlay_find(n, c->id);
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
	}
	node_batch_put(
	    n->open.batch, NODE_CF_CASE, c->id, strlen(c->id), buf, len);
	for (size_t i = 0; i < ok.n; i++) {
		if (!key_in(&nk, ok.keys[i], ok.lens[i])) {
			node_batch_delete(
			    n->open.batch, NODE_CF_IDX, ok.keys[i], ok.lens[i]);
		}
	}
	for (size_t i = 0; i < nk.n; i++) {
		if (!key_in(&ok, nk.keys[i], nk.lens[i])) {
			node_batch_put(n->open.batch, NODE_CF_IDX, nk.keys[i],
			    nk.lens[i], "", 0);
		}
	}
	cm_free(ov->bytes);
	ov->bytes = buf;
	ov->len = len;
	ov->gen = n->open.id;
	buf = NULL;
out:
	cm_free(buf);
	node_keys_free(&ok);
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

	for (size_t i = 0; i < n->noverlay; i++) {
		if (n->overlay[i].gen <= durable_gen) {
			cm_free(n->overlay[i].bytes);
		} else {
			n->overlay[j++] = n->overlay[i];
		}
	}
	n->noverlay = j;
}
