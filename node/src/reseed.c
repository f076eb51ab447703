/*
 * reseed.c: re-seeding a hall from a peer's checkpoint (docs/replication.md,
 * "Re-seeding").
 *
 * A hall that was away longer than repl_lapse_days (or joins the city
 * after its halls compacted) asks a peer whose floor is above its own
 * entries for the peer's checkpoint, page by page (ReplLink.seed): every
 * base the peer keeps (a sealed case as built at its seal, with the seal's
 * signed op), then the ops the peer still holds below its floors that the
 * hall lacks, and the floors with the hash of the op at each. The hall
 * checks every op's signature and every base against its seal (signed by
 * the hall that made the case, naming the base's version and digest),
 * writes them as it would its own compaction and a batch of replicated
 * ops, and at the end moves its vector to the floors: from there it
 * pulls as usual. Its own ops are taken from a seed only by a hall restored
 * from a backup (which takes them back from its peers anyway).
 *
 * The page is read on a worker (store reads only); it is applied on the
 * loop.
 */
#include "node.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"
#include "repl/core.h"
#include "repl/merge.h"
#include "repl/msg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_PAGE_MAX (1024u * 1024u)
#define SEED_PAGE_MIN (64u * 1024u)

void
node_seed_free(Ow__ReplSeed *s)
{
	for (size_t i = 0; i < s->n_bases; i++) {
		cm_free(s->bases[i].data);
	}
	for (size_t i = 0; i < s->n_ops; i++) {
		cm_free(s->ops[i].data);
	}
	for (size_t i = 0; i < s->n_floors; i++) {
		cm_free(s->floors[i]->origin);
		cm_free(s->floors[i]->hash.data);
		cm_free(s->floors[i]);
	}
	cm_free(s->bases);
	cm_free(s->ops);
	cm_free(s->floors);
	cm_free(s->next);
	ow__repl_seed__init(s);
}

static int
push_bytes(ProtobufCBinaryData **arr, size_t *n, const void *b, size_t len)
{
	ProtobufCBinaryData *a = cm_reallocarray(*arr, *n + 1, sizeof(*a));
	uint8_t *copy;

	if (a == NULL) {
		return CM_ENOMEM;
	}
	*arr = a;
	copy = cm_malloc(len + 1);
	if (copy == NULL) {
		return CM_ENOMEM;
	}
	memcpy(copy, b, len);
	a[*n].data = copy;
	a[(*n)++].len = len;
	return 0;
}

static int
set_next(Ow__ReplSeed *out, const char *kind, const char *a, uint64_t seq)
{
	char buf[8 + NODE_CASE_ID_MAX + NODE_ORIGIN_MAX + 24];

	if (seq > 0) {
		snprintf(buf, sizeof(buf), "%s%s\n%020llu", kind, a,
		    (unsigned long long)seq);
	} else {
		snprintf(buf, sizeof(buf), "%s%s", kind, a);
	}
	out->next = cm_strdup(buf);
	return out->next == NULL ? CM_ENOMEM : 0;
}

/* The floors above the asker's entries (its own too: a hall restored
 * from an old backup takes its own ops back this way). */
static int
page_floors(
    struct node_store *st, const Ow__VersionVector *have, Ow__ReplSeed *out)
{
	struct node_iter *it = NULL;
	int rc = node_iter_new(st, NODE_CF_META, "floor/", 6, &it);

	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t kl, vl;
		const char *k = node_iter_key(it, &kl);
		const uint8_t *v = node_iter_value(it, &vl);
		char origin[NODE_ORIGIN_MAX + 1];
		Ow__SeedFloor *f, **nf;
		uint64_t seq;

		if (kl - 6 >= sizeof(origin) || vl != 8 + NODE_HASH_BYTES) {
			continue;
		}
		memcpy(origin, k + 6, kl - 6);
		origin[kl - 6] = '\0';
		seq = node_get_be64(v);
		if (repl_vv_get(have, origin) >= seq) {
			continue;
		}
		nf = cm_reallocarray(
		    out->floors, out->n_floors + 1, sizeof(*nf));
		f = cm_calloc(1, sizeof(*f));
		if (nf != NULL) {
			out->floors = nf;
		}
		if (nf == NULL || f == NULL) {
			cm_free(f);
			rc = CM_ENOMEM;
			break;
		}
		ow__seed_floor__init(f);
		out->floors[out->n_floors++] = f;
		f->origin = cm_strdup(origin);
		f->seq = seq;
		f->hash.data = cm_malloc(NODE_HASH_BYTES);
		if (f->origin == NULL || f->hash.data == NULL) {
			rc = CM_ENOMEM;
			break;
		}
		memcpy(f->hash.data, v + 8, NODE_HASH_BYTES);
		f->hash.len = NODE_HASH_BYTES;
	}
	if (rc == 0 && it != NULL) {
		rc = node_iter_status(it);
	}
	node_iter_free(it);
	return rc;
}

int
node_seed_page(
    struct node_store *st, const Ow__ReplSeed *ask, Ow__ReplSeed *out)
{
	size_t max = ask->max_bytes, used = 0;
	const char *after = ask->after != NULL ? ask->after : "";
	struct node_iter *it = NULL;
	int rc;

	ow__repl_seed__init(out);
	max = max > SEED_PAGE_MAX   ? SEED_PAGE_MAX
	      : max < SEED_PAGE_MIN ? SEED_PAGE_MIN
	                            : max;
	rc = page_floors(st, ask->have, out);
	if (rc != 0 || out->n_floors == 0) {
		return rc; /* nothing below a floor: no page (next "") */
	}
	/* The bases, by case id. */
	if (after[0] == '\0' || after[0] == 'b') {
		char seek[8 + NODE_CASE_ID_MAX], last[NODE_CASE_ID_MAX] = "";
		size_t sl;

		snprintf(seek, sizeof(seek), "base/%s",
		    after[0] == 'b' ? after + 1 : "");
		sl = strlen(seek);
		rc = node_iter_new(st, NODE_CF_META, "base/", 5, &it);
		if (rc == 0 && after[0] == 'b') {
			/* After the last of the previous page. */
			node_iter_seek_after(it, seek, sl);
		} else if (rc == 0) {
			node_iter_seek(it, seek, sl);
		}
		for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
			size_t kl, vl;
			const char *k = node_iter_key(it, &kl);
			const void *v = node_iter_value(it, &vl);
			char id[NODE_CASE_ID_MAX];

			if (kl - 5 >= sizeof(id)) {
				continue;
			}
			if (used > 0 && used + vl > max) {
				/* Resume after the last one sent. */
				rc = set_next(out, "b", last, 0);
				node_iter_free(it);
				return rc;
			}
			memcpy(id, k + 5, kl - 5);
			id[kl - 5] = '\0';
			memcpy(last, id, sizeof(last));
			rc = push_bytes(&out->bases, &out->n_bases, v, vl);
			used += vl + 8;
		}
		if (rc == 0 && it != NULL) {
			rc = node_iter_status(it);
		}
		node_iter_free(it);
		it = NULL;
		after = "";
	}
	/* The ops below the floors that the asker lacks, by origin. */
	for (size_t f = 0; rc == 0 && f < out->n_floors; f++) {
		const Ow__SeedFloor *fl = out->floors[f];
		uint64_t from = repl_vv_get(ask->have, fl->origin) + 1;
		uint8_t prefix[1 + NODE_ORIGIN_MAX],
		    key[1 + NODE_ORIGIN_MAX + 8];
		size_t plen = node_log_prefix(fl->origin, prefix), kl;

		if (after[0] == 'o') {
			const char *nl = strchr(after + 1, '\n');

			if (nl == NULL) {
				return CM_EPROTO;
			}
			if ((size_t)(nl - after - 1) != strlen(fl->origin) ||
			    memcmp(after + 1, fl->origin, strlen(fl->origin)) !=
			        0) {
				continue; /* before the cursor's origin */
			}
			from = strtoull(nl + 1, NULL, 10);
			after = "";
		}
		if (plen == 0 ||
		    node_iter_new(st, NODE_CF_LOG, prefix, plen, &it) != 0) {
			continue;
		}
		kl = node_log_key(fl->origin, from, key);
		node_iter_seek(it, key, kl);
		for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
			size_t k2, vl;
			const void *k = node_iter_key(it, &k2);
			const void *v = node_iter_value(it, &vl);
			char origin[NODE_ORIGIN_MAX + 1];
			uint64_t seq;

			if (node_log_key_parse(k, k2, origin, &seq) != 0 ||
			    seq > fl->seq) {
				break;
			}
			if (used > 0 && used + vl > max) {
				rc = set_next(out, "o", fl->origin, seq);
				node_iter_free(it);
				return rc;
			}
			rc = push_bytes(&out->ops, &out->n_ops, v, vl);
			used += vl + 8;
		}
		if (rc == 0) {
			rc = node_iter_status(it);
		}
		node_iter_free(it);
		it = NULL;
	}
	return rc;
}

/* ---- the asker --------------------------------------------------------- */

static bool
vv_equal(const Ow__VersionVector *a, const Ow__VersionVector *b)
{
	size_t na = a != NULL ? a->n_entries : 0;
	size_t nb = b != NULL ? b->n_entries : 0;

	if (na != nb) {
		return false;
	}
	for (size_t i = 0; i < na; i++) {
		if (repl_vv_get(b, a->entries[i]->origin) !=
		    a->entries[i]->seq) {
			return false;
		}
	}
	return true;
}

/* One base of a page: checked against its seal, kept unless this hall
 * keeps that case on a later seal already; the case built again on it. */
static int
take_base(struct node *n, const ProtobufCBinaryData *bytes, bool *taken)
{
	Ow__CaseBase *b = ow__case_base__unpack(NULL, bytes->len, bytes->data);
	Ow__CaseBase *mine = NULL;
	Ow__Op *seal = NULL, **ops = NULL;
	size_t nops = 0;
	unsigned char pk[NODE_PK_BYTES], hash[NODE_HASH_BYTES], dg[32];
	struct repl_case_base rb;
	Ow__Case *built = NULL, *old = NULL;
	uint64_t gen;
	int rc = 0;

	*taken = false;
	if (b == NULL || b->sealed == NULL || b->sealed->id == NULL ||
	    b->sealed->version == NULL || !node_id_valid(b->seal_origin) ||
	    strlen(b->sealed->id) >= NODE_CASE_ID_MAX) {
		rc = CM_EPROTO;
		goto out;
	}
	/* The seal: signed by the hall that made the case, naming this
	 * base's version and digest. */
	rc = node_origin_pk(n, b->seal_origin, pk);
	if (rc == 0) {
		rc = node_op_open(
		    b->seal_op.data, b->seal_op.len, pk, &seal, hash);
	}
	if (rc == 0 &&
	    (!node_seal_ok(seal) || strcmp(seal->origin, b->seal_origin) != 0 ||
	        seal->seq != b->seal_seq ||
	        strcmp(seal->case_id, b->sealed->id) != 0 ||
	        !vv_equal(seal->context, b->sealed->version))) {
		rc = CM_EPROTO;
	}
	if (rc == 0) {
		rc = node_case_digest_of(b->sealed, dg);
	}
	if (rc == 0 && memcmp(dg, seal->seal->digest.data, sizeof(dg)) != 0) {
		rc = CM_ECRYPTO;
	}
	if (rc != 0) {
		goto out;
	}
	if (node_base_get(n, b->sealed->id, &mine) == 0 &&
	    strcmp(mine->seal_origin, b->seal_origin) == 0 &&
	    mine->seal_seq >= b->seal_seq) {
		goto out; /* kept on this seal or a later one already */
	}
	rc = node_case_ops(n, b->sealed->id, &ops, &nops, NULL);
	if (rc == 0) {
		rb.c = b->sealed;
		rb.seal = seal;
		rc = repl_case_build_on(&rb, ops, nops, &built, NULL);
	}
	if (rc == 0 && built == NULL) {
		rc = CM_EINTERNAL;
	}
	if (rc == 0) {
		rc = node_base_put(n, b->sealed->id, bytes->data, bytes->len);
	}
	if (rc == 0) {
		rc = node_compact_drop(
		    n, b->sealed->id, ops, nops, b->sealed->version);
	}
	if (rc == 0) {
		rc = node_read_case(n, b->sealed->id, &old, &gen);
		rc = rc == CM_ENOTFOUND ? 0 : rc;
	}
	if (rc == 0) {
		rc = node_case_store(n, old, built, true, built->updated_hlc);
	}
	if (rc == 0) {
		*taken = true;
		node_compact_count(n, mine == NULL ? 1 : 0, 0);
	}
out:
	if (seal != NULL) {
		ow__op__free_unpacked(seal, NULL);
	}
	node_case_free(old);
	node_case_free(built);
	node_ops_free(ops, nops);
	if (mine != NULL) {
		ow__case_base__free_unpacked(mine, NULL);
	}
	if (b != NULL) {
		ow__case_base__free_unpacked(b, NULL);
	}
	return rc;
}

int
node_seed_apply(
    struct node *n, const Ow__ReplSeed *page, struct node_seed_stats *st)
{
	struct repl_effect e;
	struct repl_fx_op *fo = NULL;
	struct node_mark mark;
	int rc = node_write_mark(n, &mark);

	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; i < page->n_bases && rc == 0; i++) {
		bool taken;

		rc = take_base(n, &page->bases[i], &taken);
		st->bases += taken;
	}
	memset(&e, 0, sizeof(e));
	e.kind = REPL_FX_PERSIST;
	if (rc == 0 && page->n_ops > 0) {
		fo = cm_calloc(page->n_ops, sizeof(*fo));
		rc = fo == NULL ? CM_ENOMEM : 0;
	}
	for (size_t i = 0; i < page->n_ops && rc == 0; i++) {
		const ProtobufCBinaryData *b = &page->ops[i];
		Ow__SignedOp *so = ow__signed_op__unpack(NULL, b->len, b->data);
		Ow__Op *peek =
		    so != NULL ? ow__op__unpack(NULL, so->op.len, so->op.data)
		               : NULL;
		unsigned char pk[NODE_PK_BYTES];
		struct repl_fx_op *o = &fo[e.nops];

		if (so != NULL) {
			ow__signed_op__free_unpacked(so, NULL);
		}
		if (peek == NULL || !node_id_valid(peek->origin)) {
			rc = CM_EPROTO;
		} else if ((strcmp(peek->origin, n->node_id) == 0 &&
		               !n->recovering) ||
		           peek->seq <= node_repl_seq(n, peek->origin)) {
			/* Held already, or its own: only a hall restored
			 * from a backup takes its own ops back. */
			st->skipped++;
		} else if ((rc = node_origin_pk(n, peek->origin, pk)) == 0 &&
		           (rc = node_op_open(
		                b->data, b->len, pk, &o->op, o->hash)) == 0) {
			snprintf(
			    o->origin, sizeof(o->origin), "%s", o->op->origin);
			o->seq = o->op->seq;
			o->buf = b->data; /* borrowed: persist copies it */
			o->len = b->len;
			e.nops++;
		}
		if (peek != NULL) {
			ow__op__free_unpacked(peek, NULL);
		}
	}
	e.ops = fo;
	if (rc == 0 && e.nops > 0) {
		rc = node_repl_persist(n, &e);
		st->ops += rc == 0 ? e.nops : 0;
	}
	for (size_t i = 0; fo != NULL && i < e.nops; i++) {
		ow__op__free_unpacked(fo[i].op, NULL);
	}
	cm_free(fo);
	if (rc != 0) {
		node_write_rollback(n, &mark);
	} else {
		node_write_unmark(n);
	}
	return rc;
}

int
node_seed_finish(struct node *n, const Ow__ReplSeed *page)
{
	struct repl_effect e;
	struct repl_fx_head *h;
	int rc;

	memset(&e, 0, sizeof(e));
	e.kind = REPL_FX_PERSIST;
	h = cm_calloc(page->n_floors + 1, sizeof(*h));
	if (h == NULL) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < page->n_floors; i++) {
		const Ow__SeedFloor *f = page->floors[i];

		if (!node_id_valid(f->origin) ||
		    (strcmp(f->origin, n->node_id) == 0 && !n->recovering) ||
		    f->hash.len != NODE_HASH_BYTES ||
		    f->seq <= node_repl_seq(n, f->origin)) {
			continue;
		}
		snprintf(h[e.nheads].origin, sizeof(h[e.nheads].origin), "%s",
		    f->origin);
		h[e.nheads].seq = f->seq;
		memcpy(h[e.nheads].hash, f->hash.data, NODE_HASH_BYTES);
		e.nheads++;
	}
	e.heads = h;
	rc = e.nheads > 0 ? node_repl_persist(n, &e) : 0;
	for (size_t i = 0; rc == 0 && i < e.nheads; i++) {
		/* Below the floor it holds only what the seed brought. */
		node_floor_put(n, h[i].origin, h[i].seq, h[i].hash);
		rc = node_repl_set_head(n, h[i].origin, h[i].seq, h[i].hash);
		cm_log_info("repl.reseed.head", "origin=%s seq=%llu",
		    h[i].origin, (unsigned long long)h[i].seq);
	}
	cm_free(h);
	return rc;
}
