/*
 * compact.c: seals and compaction (docs/replication.md, "Compaction").
 *
 * Every change is an op in the log, and a case is built from all of its
 * ops, so without this the log only grows. The hall that created a case
 * seals it once it is final and quiet (seal_after_s): an ordinary op,
 * OP_CASE_SEAL, whose context is the case's version and whose body is the
 * case's digest. The merge (repl/merge.h) then builds the case from the
 * case as it was at the seal (the base) and the ops beyond it, with the
 * same bytes as from every op; so a hall may keep the base instead of the
 * ops the seal covers. It does so once every hall it counts holds them
 * and the seal (repl_stable_seq: a peer silent past repl_lapse_days no
 * longer counts), in one write: the base (meta base/ID) with the facts of
 * the dropped ops that reports count, the log records and history index
 * entries gone, the floors raised (meta floor/ORIGIN: below them a pull
 * gets no run, and the puller must re-seed).
 *
 * A pass walks every case in slices on the loop (as the warning sweep
 * does), every compact_every_s. Nothing here holds personal data: logs
 * name cases by id.
 */
#include "node.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"
#include "repl/merge.h"
#include "repl/msg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
node_floor_read(struct node_store *st, const char *origin)
{
	char key[8 + NODE_ORIGIN_MAX];
	void *val = NULL;
	size_t len = 0;
	uint64_t seq = 0;

	snprintf(key, sizeof(key), "floor/%s", origin);
	if (node_store_get(st, NODE_CF_META, key, strlen(key), &val, &len) ==
	        0 &&
	    len == 8 + NODE_HASH_BYTES) {
		seq = node_get_be64(val);
	}
	cm_free(val);
	return seq;
}

uint64_t
node_floor_get(struct node *n, const char *origin)
{
	uint64_t seq = node_floor_read(n->st, origin);

	for (size_t i = 0; i < n->nfloors; i++) {
		if (strcmp(n->floors[i].origin, origin) == 0 &&
		    n->floors[i].seq > seq) {
			seq = n->floors[i].seq;
		}
	}
	return seq;
}

int
node_floor_hash(struct node *n, const char *origin, uint64_t *seq,
    unsigned char hash[NODE_HASH_BYTES])
{
	char key[8 + NODE_ORIGIN_MAX];
	void *val = NULL;
	size_t len = 0;
	int rc;

	snprintf(key, sizeof(key), "floor/%s", origin);
	rc = node_store_get(n->st, NODE_CF_META, key, strlen(key), &val, &len);
	if (rc == 0 && len != 8 + NODE_HASH_BYTES) {
		rc = CM_ECORRUPT;
	}
	if (rc == 0) {
		*seq = node_get_be64(val);
		memcpy(hash, (uint8_t *)val + 8, NODE_HASH_BYTES);
	}
	cm_free(val);
	return rc;
}

void
node_floor_put(struct node *n, const char *origin, uint64_t seq,
    const unsigned char hash[NODE_HASH_BYTES])
{
	char key[8 + NODE_ORIGIN_MAX];
	uint8_t v[8 + NODE_HASH_BYTES];

	snprintf(key, sizeof(key), "floor/%s", origin);
	node_put_be64(v, seq);
	memcpy(v + 8, hash, NODE_HASH_BYTES);
	node_batch_put(
	    n->open.batch, NODE_CF_META, key, strlen(key), v, sizeof(v));
	node_repl_set_floor(n, origin, seq);
	for (size_t i = 0; i < n->nfloors; i++) {
		if (strcmp(n->floors[i].origin, origin) == 0) {
			n->floors[i].seq = seq;
			return;
		}
	}
	{
		struct node_floor *f =
		    cm_reallocarray(n->floors, n->nfloors + 1, sizeof(*f));

		if (f != NULL) { /* else: the store's, once durable */
			n->floors = f;
			snprintf(f[n->nfloors].origin,
			    sizeof(f[n->nfloors].origin), "%s", origin);
			f[n->nfloors++].seq = seq;
		}
	}
}

/* The logged SignedOp of (origin, seq), and its op's hash. */
static int
log_raw(struct node *n, const char *origin, uint64_t seq, void **buf,
    size_t *len, unsigned char hash[NODE_HASH_BYTES])
{
	uint8_t key[1 + NODE_ORIGIN_MAX + 8];
	size_t kl = node_log_key(origin, seq, key);
	Ow__SignedOp *so;
	int rc;

	if (kl == 0) {
		return CM_EINVAL;
	}
	rc = node_store_get(n->st, NODE_CF_LOG, key, kl, buf, len);
	if (rc != 0) {
		return rc;
	}
	so = ow__signed_op__unpack(NULL, *len, *buf);
	if (so == NULL) {
		cm_free(*buf);
		*buf = NULL;
		return CM_ECORRUPT;
	}
	crypto_generichash(
	    hash, NODE_HASH_BYTES, so->op.data, so->op.len, NULL, 0);
	ow__signed_op__free_unpacked(so, NULL);
	return 0;
}

int
node_base_put(struct node *n, const char *id, const uint8_t *bytes, size_t len)
{
	char key[8 + NODE_CASE_ID_MAX];
	struct node_base_ov *ov;
	uint8_t *copy = cm_malloc(len + 1);

	if (copy == NULL || strlen(id) >= sizeof(ov->id)) {
		cm_free(copy);
		return copy == NULL ? CM_ENOMEM : CM_EINVAL;
	}
	ov = cm_reallocarray(n->bov, n->nbov + 1, sizeof(*ov));
	if (ov == NULL) {
		cm_free(copy);
		return CM_ENOMEM;
	}
	n->bov = ov;
	memcpy(copy, bytes, len);
	ov = &n->bov[n->nbov++];
	snprintf(ov->id, sizeof(ov->id), "%s", id);
	ov->gen = n->open.id;
	ov->bytes = copy;
	ov->len = len;
	snprintf(key, sizeof(key), "base/%s", id);
	node_batch_put(
	    n->open.batch, NODE_CF_META, key, strlen(key), bytes, len);
	return 0;
}

void
node_base_settle(struct node *n, uint64_t durable_gen)
{
	size_t j = 0;

	for (size_t i = 0; i < n->nbov; i++) {
		if (n->bov[i].gen <= durable_gen) {
			cm_free(n->bov[i].bytes);
		} else {
			n->bov[j++] = n->bov[i];
		}
	}
	n->nbov = j;
	if (j == 0) {
		cm_free(n->bov);
		n->bov = NULL;
	}
}

/* A decoded base that holds what the build needs, or CM_ECORRUPT. */
static int
base_check(Ow__CaseBase **out)
{
	if (*out == NULL || (*out)->sealed == NULL ||
	    (*out)->sealed->version == NULL || (*out)->sealed->id == NULL ||
	    (*out)->seal_seq == 0 || !node_id_valid((*out)->seal_origin)) {
		if (*out != NULL) {
			ow__case_base__free_unpacked(*out, NULL);
			*out = NULL;
		}
		return CM_ECORRUPT;
	}
	return 0;
}

int
node_base_read(struct node_store *st, const char *case_id, Ow__CaseBase **out)
{
	char key[8 + NODE_CASE_ID_MAX];
	void *val = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	snprintf(key, sizeof(key), "base/%s", case_id);
	rc = node_store_get(st, NODE_CF_META, key, strlen(key), &val, &len);
	if (rc != 0) {
		return rc;
	}
	*out = ow__case_base__unpack(NULL, len, val);
	cm_free(val);
	return base_check(out);
}

int
node_base_get(struct node *n, const char *case_id, Ow__CaseBase **out)
{
	for (size_t i = n->nbov; i-- > 0;) {
		if (strcmp(n->bov[i].id, case_id) == 0) {
			*out = ow__case_base__unpack(
			    NULL, n->bov[i].len, n->bov[i].bytes);
			return base_check(out);
		}
	}
	return node_base_read(n->st, case_id, out);
}

const Ow__Op *
node_base_seal(
    const Ow__CaseBase *b, Ow__Op *const *ops, size_t n, Ow__Op **owned)
{
	Ow__SignedOp *so;

	*owned = NULL;
	for (size_t i = 0; i < n; i++) {
		if (ops[i]->seq == b->seal_seq &&
		    strcmp(ops[i]->origin, b->seal_origin) == 0) {
			return ops[i];
		}
	}
	/* Not in the log (a later base dropped it, or the base came with a
	 * re-seed): the copy the base keeps, checked when it came. */
	so = ow__signed_op__unpack(NULL, b->seal_op.len, b->seal_op.data);
	if (so != NULL) {
		*owned = ow__op__unpack(NULL, so->op.len, so->op.data);
		ow__signed_op__free_unpacked(so, NULL);
	}
	if (*owned != NULL &&
	    ((*owned)->seq != b->seal_seq ||
	        strcmp((*owned)->origin, b->seal_origin) != 0 ||
	        !node_seal_ok(*owned))) {
		ow__op__free_unpacked(*owned, NULL);
		*owned = NULL;
	}
	return *owned;
}

/* ---- the facts reports count, from the ops a base replaces -------------- */

static int
days_push(int32_t **arr, size_t *n, int32_t day)
{
	int32_t *a = cm_reallocarray(*arr, *n + 1, sizeof(*a));

	if (a == NULL) {
		return CM_ENOMEM;
	}
	a[(*n)++] = day;
	*arr = a;
	return 0;
}

/* As h_report.c's case_facts reads them from the ops. */
static int
facts_add(Ow__CaseBase *b, const Ow__Op *op)
{
	if (op->body_case == OW__OP__BODY_CREATE &&
	    op->create->initial != NULL) {
		b->created_state = op->create->initial->state;
	} else if (op->body_case == OW__OP__BODY_ACT) {
		const Ow__CaseAct *a = op->act;

		if (a->action == NODE_ACT_APPROVE ||
		    a->action == NODE_ACT_REJECT) {
			return days_push(
			    &b->decided_days, &b->n_decided_days, a->day);
		}
		if (a->action == NODE_ACT_REFUSE) {
			return days_push(
			    &b->refused_days, &b->n_refused_days, a->day);
		}
		if (a->action == NODE_ACT_GAPS_FILLED) {
			b->gaps_filled = true;
		}
	} else if (op->body_case == OW__OP__BODY_RATE && op->rate != NULL &&
	           (b->rated_hlc == 0 || op->hlc < b->rated_hlc)) {
		b->rated_hlc = op->hlc;
		b->rated_level = op->rate->level;
	}
	return 0;
}

/* ---- sealing ----------------------------------------------------------- */

/* Is the case this hall's to seal, and is there something new to seal?
 * creator: the create's origin (or the base's seal's). */
static bool
needs_seal(struct node *n, const Ow__Case *built, const char *creator,
    const struct repl_case_base *last)
{
	/* The clock the ops' clocks come from (not OW_NOW, the day the
	 * deadlines are computed for). */
	uint64_t now_ms = cm_hlc_wall_ms();
	uint64_t quiet_ms = (uint64_t)n->cfg.seal_after_s * 1000u;
	uint64_t updated_ms = built->updated_hlc >> 16;

	if (n->cfg.seal_after_s <= 0 || creator == NULL ||
	    strcmp(creator, n->node_id) != 0 ||
	    !node_state_is_final((enum node_state)built->state) ||
	    built->conflict || node_case_remedy_open(built) ||
	    updated_ms + quiet_ms > now_ms) {
		return false;
	}
	if (last->seal == NULL) {
		return true;
	}
	/* Sealed already, and nothing since: the built version is the
	 * seal's context and the seal. */
	for (size_t i = 0; i < built->version->n_entries; i++) {
		const Ow__VersionEntry *e = built->version->entries[i];
		uint64_t at = repl_vv_get(last->seal->context, e->origin);

		if (strcmp(e->origin, last->seal->origin) == 0) {
			at = last->seal->seq;
		}
		if (e->seq > at) {
			return true;
		}
	}
	return false;
}

static int
make_seal(struct node *n, const char *case_id, const Ow__Case *built)
{
	Ow__Op op = OW__OP__INIT, *ops[1] = {&op};
	Ow__CaseSeal body = OW__CASE_SEAL__INIT;
	unsigned char digest[32];
	Ow__Case *cur = NULL;
	uint64_t gen;
	int rc = node_case_digest_of(built, digest);

	if (rc == 0) {
		rc = node_read_case(n, case_id, &cur, &gen);
	}
	if (rc != 0) {
		return rc;
	}
	body.digest.data = digest;
	body.digest.len = sizeof(digest);
	op.kind = OW__OP_KIND__OP_CASE_SEAL;
	op.body_case = OW__OP__BODY_SEAL;
	op.seal = &body;
	op.case_id = (char *)(uintptr_t)case_id;
	/* By the node itself: no user, no request. */
	rc = node_case_commit(n, "", "", ops, 1, &cur, NULL, NULL);
	if (rc == 0) {
		node_publish_case(n, cur);
		cm_log_info("compact.sealed", "case=%s seq=%llu", case_id,
		    (unsigned long long)n->seq);
	}
	node_case_free(cur);
	return rc;
}

/* ---- compaction -------------------------------------------------------- */

/* Does every hall this one counts hold every op at the base's version,
 * and the seal? */
static bool
held_everywhere(struct node *n, const struct repl_case_base *at)
{
	const Ow__VersionVector *v = at->c->version;

	for (size_t i = 0; i < v->n_entries; i++) {
		if (v->entries[i]->seq >
		    node_repl_stable(n, v->entries[i]->origin)) {
			return false;
		}
	}
	return at->seal->seq <= node_repl_stable(n, at->seal->origin);
}

/* Drop the ops of a case that version covers from the log and the
 * history index, raising the floors, in the open batch. */
static int
drop_covered(struct node *n, const char *case_id, Ow__Op **ops, size_t nops,
    const Ow__VersionVector *version, size_t *dropped)
{
	/* Per origin: the highest op dropped, whether the floor moves to it
	 * (with the hash of that op: the chain goes on from there), and
	 * whether its ops stay (that op is in a batch not durable yet). */
	struct top {
		const char *origin;
		uint64_t seq;
		bool keep;
	} *tops = cm_calloc(nops + 1, sizeof(*tops));
	size_t ntops = 0;
	int rc = 0;

	*dropped = 0;
	if (tops == NULL) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < nops; i++) {
		size_t t = 0;

		if (ops[i]->seq > repl_vv_get(version, ops[i]->origin)) {
			continue; /* beyond the base: kept */
		}
		while (
		    t < ntops && strcmp(tops[t].origin, ops[i]->origin) != 0) {
			t++;
		}
		if (t == ntops) {
			tops[ntops++].origin = ops[i]->origin;
		}
		if (ops[i]->seq > tops[t].seq) {
			tops[t].seq = ops[i]->seq;
		}
	}
	for (size_t t = 0; t < ntops && rc == 0; t++) {
		unsigned char h[NODE_HASH_BYTES];
		void *raw = NULL;
		size_t rl;

		if (tops[t].seq <= node_floor_get(n, tops[t].origin)) {
			continue;
		}
		rc = log_raw(n, tops[t].origin, tops[t].seq, &raw, &rl, h);
		cm_free(raw);
		if (rc == CM_ENOTFOUND) {
			tops[t].keep = true; /* again once it is durable */
			rc = 0;
		} else if (rc == 0) {
			node_floor_put(n, tops[t].origin, tops[t].seq, h);
		}
	}
	for (size_t i = 0; i < nops && rc == 0; i++) {
		const Ow__Op *op = ops[i];
		uint8_t lkey[1 + NODE_ORIGIN_MAX + 8], hk[NODE_HIST_KEY_MAX];
		size_t kl, hl, t = 0;

		if (op->seq > repl_vv_get(version, op->origin)) {
			continue;
		}
		while (t < ntops && strcmp(tops[t].origin, op->origin) != 0) {
			t++;
		}
		kl = node_log_key(op->origin, op->seq, lkey);
		if (kl == 0 || tops[t].keep) {
			continue;
		}
		hl = node_hist_key(case_id, op->origin, op->seq, hk);
		node_batch_delete(n->open.batch, NODE_CF_LOG, lkey, kl);
		node_batch_delete(n->open.batch, NODE_CF_IDX, hk, hl);
		(*dropped)++;
	}
	cm_free(tops);
	return rc;
}

int
node_compact_drop(struct node *n, const char *case_id, Ow__Op **ops,
    size_t nops, const Ow__VersionVector *version)
{
	size_t dropped;
	int rc = drop_covered(n, case_id, ops, nops, version, &dropped);

	node_compact_count(n, 0, dropped);
	return rc;
}

void
node_compact_count(struct node *n, uint64_t cases, uint64_t ops)
{
	uint8_t cnt[16];

	n->compacted_cases += cases;
	n->compacted_ops += ops;
	node_put_be64(cnt, n->compacted_cases);
	node_put_be64(cnt + 8, n->compacted_ops);
	node_batch_put(
	    n->open.batch, NODE_CF_META, "stat/compacted", 14, cnt, 16);
}

/* Keep the case on at (its ops at or below at's version go) in the open
 * batch. old: the base it was kept on, or NULL. */
static int
compact_write(struct node *n, const char *case_id, Ow__Op **ops, size_t nops,
    const Ow__CaseBase *old, const struct repl_case_base *at)
{
	Ow__CaseBase nb = OW__CASE_BASE__INIT;
	struct node_mark mark;
	uint8_t *buf = NULL;
	void *seal_raw = NULL;
	size_t len, dropped = 0;
	int rc = 0;

	if (old != NULL) {
		/* The facts of the ops dropped before (borrowed). */
		nb.created_state = old->created_state;
		nb.gaps_filled = old->gaps_filled;
		nb.rated_hlc = old->rated_hlc;
		nb.rated_level = old->rated_level;
		nb.ops = old->ops;
	}
	for (size_t i = 0; old != NULL && i < old->n_decided_days; i++) {
		if (days_push(&nb.decided_days, &nb.n_decided_days,
		        old->decided_days[i]) != 0) {
			rc = CM_ENOMEM;
			goto done;
		}
	}
	for (size_t i = 0; old != NULL && i < old->n_refused_days; i++) {
		if (days_push(&nb.refused_days, &nb.n_refused_days,
		        old->refused_days[i]) != 0) {
			rc = CM_ENOMEM;
			goto done;
		}
	}
	for (size_t i = 0; i < nops; i++) {
		if (ops[i]->seq <=
		    repl_vv_get(at->c->version, ops[i]->origin)) {
			rc = facts_add(&nb, ops[i]);
			if (rc != 0) {
				goto done;
			}
		}
	}
	nb.sealed = at->c;
	nb.seal_origin = (char *)(uintptr_t)at->seal->origin;
	nb.seal_seq = at->seal->seq;
	{
		/* The seal itself, for a hall that re-seeds from this one
		 * (a later base may drop it from the log). */
		unsigned char h[NODE_HASH_BYTES];
		void *raw = NULL;
		size_t rl = 0;

		rc = log_raw(n, at->seal->origin, at->seal->seq, &raw, &rl, h);
		if (rc != 0) {
			goto done;
		}
		seal_raw = raw;
		nb.seal_op.data = raw;
		nb.seal_op.len = rl;
	}
	rc = node_write_mark(n, &mark);
	if (rc != 0) {
		goto done;
	}
	rc = drop_covered(n, case_id, ops, nops, at->c->version, &dropped);
	if (rc != 0) {
		node_write_rollback(n, &mark);
		goto done;
	}
	nb.ops += dropped;
	len = ow__case_base__get_packed_size(&nb);
	buf = cm_malloc(len + 1);
	if (buf == NULL) {
		node_write_rollback(n, &mark);
		rc = CM_ENOMEM;
		goto done;
	}
	ow__case_base__pack(&nb, buf);
	rc = node_base_put(n, case_id, buf, len);
	if (rc != 0) {
		node_write_rollback(n, &mark);
		goto done;
	}
	node_compact_count(n, old == NULL ? 1 : 0, dropped);
	node_write_unmark(n);
	cm_log_info("compact.case", "case=%s ops=%zu", case_id, dropped);
done:
	cm_free(buf);
	cm_free(seal_raw);
	cm_free(nb.decided_days);
	cm_free(nb.refused_days);
	return rc;
}

int
node_compact_case(struct node *n, const char *case_id, bool seal)
{
	Ow__Op **ops = NULL;
	size_t nops = 0;
	Ow__CaseBase *base = NULL;
	struct repl_case_base have = {NULL, NULL}, at = {NULL, NULL};
	Ow__Case *built = NULL;
	const char *creator = NULL;
	Ow__Op *seal_owned = NULL;
	bool pending = false;
	int rc, done = 0;

	rc = node_case_ops(n, case_id, &ops, &nops, &pending);
	if (rc == 0) {
		rc = node_base_get(n, case_id, &base);
		rc = rc == CM_ENOTFOUND ? 0 : rc;
	}
	if (rc != 0 || nops == 0 || pending) {
		goto out; /* again at the next pass */
	}
	if (base != NULL) {
		have.c = base->sealed;
		have.seal = node_base_seal(base, ops, nops, &seal_owned);
		if (have.seal == NULL) {
			rc = CM_ECORRUPT;
			goto out;
		}
		creator = base->seal_origin;
	} else {
		for (size_t i = 0; i < nops && creator == NULL; i++) {
			if (ops[i]->kind == OW__OP_KIND__OP_CASE_CREATE) {
				creator = ops[i]->origin;
			}
		}
	}
	rc = repl_case_seal_point(
	    base != NULL ? &have : NULL, ops, nops, &at, &built);
	if (rc != 0 || built == NULL) {
		goto out;
	}
	if (seal && needs_seal(n, built, creator, at.c != NULL ? &at : &have)) {
		rc = make_seal(n, case_id, built);
		goto out; /* compacted at a later pass, once held everywhere */
	}
	if (at.c == NULL || !held_everywhere(n, &at)) {
		goto out;
	}
	{
		unsigned char digest[32];

		rc = node_case_digest_of(at.c, digest);
		if (rc == 0 && (at.seal->seal->digest.len != sizeof(digest) ||
		                   memcmp(at.seal->seal->digest.data, digest,
		                       sizeof(digest)) != 0)) {
			/* Not the case its hall sealed: a bug somewhere;
			 * keep every op. */
			cm_log_warn("compact.digest_mismatch",
			    "case=%s seal_origin=%s seal_seq=%llu", case_id,
			    at.seal->origin, (unsigned long long)at.seal->seq);
			goto out;
		}
	}
	if (rc == 0) {
		rc = compact_write(n, case_id, ops, nops, base, &at);
		done = rc == 0;
	}
out:
	if (seal_owned != NULL) {
		ow__op__free_unpacked(seal_owned, NULL);
	}
	node_case_free(built);
	node_case_free(at.c);
	if (base != NULL) {
		ow__case_base__free_unpacked(base, NULL);
	}
	node_ops_free(ops, nops);
	return rc != 0 ? rc : done;
}

/* ---- the pass ---------------------------------------------------------- */

bool
node_compact_sweep(struct node *n, uint64_t budget_us, uint64_t floor_us)
{
	static char cursor[NODE_CASE_ID_MAX];
	static size_t cursor_len;
	uint64_t start = uv_hrtime();
	struct node_iter *it = NULL;
	bool out_of_time = false;

	if (node_iter_new(n->st, NODE_CF_CASE, NULL, 0, &it) != 0) {
		return true;
	}
	if (cursor_len > 0) {
		node_iter_seek_after(it, cursor, cursor_len);
	}
	for (; node_iter_valid(it); node_iter_next(it)) {
		size_t kl, vl;
		const char *k = node_iter_key(it, &kl);
		const void *v = node_iter_value(it, &vl);
		uint64_t used = (uv_hrtime() - start) / 1000;
		char id[NODE_CASE_ID_MAX];
		Ow__Case *cs;
		bool final;
		int rc;

		if (used >= budget_us ||
		    (used >= floor_us && node_requests_waiting(n))) {
			out_of_time = true;
			break;
		}
		if (kl == 0 || kl >= sizeof(id)) {
			continue;
		}
		memcpy(cursor, k, kl);
		cursor_len = kl;
		memcpy(id, k, kl);
		id[kl] = '\0';
		/* Only final cases are sealed, so only they can be kept on
		 * a base: a look at the state first, the ops only then. */
		cs = ow__case__unpack(NULL, vl, v);
		final = cs != NULL &&
		        node_state_is_final((enum node_state)cs->state);
		if (cs != NULL) {
			ow__case__free_unpacked(cs, NULL);
		}
		if (!final) {
			continue;
		}
		rc = node_compact_case(n, id, true);
		if (rc < 0) {
			cm_log_warn("compact.failed", "case=%s error=%s", id,
			    cm_err_name(rc));
		}
	}
	if (!out_of_time && node_iter_status(it) != 0) {
		out_of_time = false;
	}
	node_iter_free(it);
	if (!out_of_time) {
		cursor_len = 0;
		return true;
	}
	return false;
}
