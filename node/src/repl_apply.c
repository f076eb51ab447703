/*
 * repl_apply.c: what replication changes in the hall's store. Ops of other
 * halls that the protocol core accepted are written with the vector
 * entries that cover them (one synced batch, the node's group commit),
 * the cases they touch are built again from every op the hall holds for
 * them (repl_case_build: the same bytes on every hall that holds the same
 * ops), and their indexes, history, registry and warnings follow.
 *
 * Ops whose batch is not durable yet are kept in memory (pending ops):
 * a case built while its earlier ops still wait for the disk needs them,
 * and a peer may pull ops the core already counts. Both lookups are
 * hashed: a catch-up batch brings thousands of ops at once.
 *
 * The case digest (docs/replication.md, "Digest") compares two halls'
 * cases without sending them.
 */
#include "node.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"
#include "forms/catalog.h"
#include "forms/diag.h"
#include "repl/core.h"
#include "repl/merge.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PEND_END UINT32_MAX

/* ---- pending ops -------------------------------------------------------- */

static uint64_t
hash_str(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	}
	return h;
}

static size_t
case_bucket(const struct node *n, const char *case_id)
{
	return (size_t)(hash_str(1469598103934665603ull, case_id) &
	                (n->pend_buckets - 1));
}

static size_t
op_bucket(const struct node *n, const char *origin, uint64_t seq)
{
	uint64_t h = hash_str(1469598103934665603ull, origin);

	h = (h ^ seq) * 1099511628211ull;
	return (size_t)((h ^ (h >> 29)) & (n->pend_buckets - 1));
}

static void
pend_link(struct node *n, size_t i)
{
	struct node_pend *p = &n->pend[i];
	size_t b = op_bucket(n, p->origin, p->seq);

	p->next_op = n->pend_op_heads[b];
	n->pend_op_heads[b] = (uint32_t)i;
	if (p->case_id[0] != '\0') {
		b = case_bucket(n, p->case_id);
		p->next_case = n->pend_case_heads[b];
		n->pend_case_heads[b] = (uint32_t)i;
	} else {
		p->next_case = PEND_END;
	}
}

/* Make the hash chains match the array again (after a truncation or a
 * settle, or to grow the table). 0 or CM_ENOMEM (lookups then scan). */
static int
pend_rehash(struct node *n)
{
	size_t want = 256;

	while (want < n->cpend * 2) {
		want *= 2;
	}
	if (want != n->pend_buckets) {
		uint32_t *c =
		    cm_reallocarray(n->pend_case_heads, want, sizeof(*c));
		uint32_t *o;

		if (c == NULL) {
			return CM_ENOMEM;
		}
		n->pend_case_heads = c;
		o = cm_reallocarray(n->pend_op_heads, want, sizeof(*o));
		if (o == NULL) {
			return CM_ENOMEM;
		}
		n->pend_op_heads = o;
		n->pend_buckets = want;
	}
	for (size_t i = 0; i < n->pend_buckets; i++) {
		n->pend_case_heads[i] = PEND_END;
		n->pend_op_heads[i] = PEND_END;
	}
	for (size_t i = 0; i < n->npend; i++) {
		pend_link(n, i);
	}
	n->pend_dirty = false;
	return 0;
}

int
node_pend_add(struct node *n, const char *origin, uint64_t seq,
    const char *case_id, const uint8_t *buf, size_t len, bool is_signed)
{
	struct node_pend *p;

	if (strlen(origin) > NODE_ORIGIN_MAX ||
	    strlen(case_id) >= NODE_CASE_ID_MAX) {
		return CM_EINVAL;
	}
	if (n->npend == n->cpend) {
		size_t ncap = n->cpend == 0 ? 64 : n->cpend * 2;
		struct node_pend *np =
		    cm_reallocarray(n->pend, ncap, sizeof(*np));

		if (np == NULL) {
			return CM_ENOMEM;
		}
		n->pend = np;
		n->cpend = ncap;
		n->pend_dirty = true;
	}
	p = &n->pend[n->npend];
	memset(p, 0, sizeof(*p));
	p->buf = cm_malloc(len > 0 ? len : 1);
	if (p->buf == NULL) {
		return CM_ENOMEM;
	}
	memcpy(p->buf, buf, len);
	p->len = len;
	p->is_signed = is_signed;
	p->persist = is_signed ? n->persist_now : 0;
	p->seq = seq;
	p->gen = n->open.id;
	snprintf(p->origin, sizeof(p->origin), "%s", origin);
	snprintf(p->case_id, sizeof(p->case_id), "%s", case_id);
	n->npend++;
	if (!n->pend_dirty && n->pend_buckets > 0) {
		pend_link(n, n->npend - 1);
	} else {
		n->pend_dirty = true;
	}
	return 0;
}

void
node_pend_settle(struct node *n, uint64_t durable_gen)
{
	size_t j = 0;

	for (size_t i = 0; i < n->nlww; i++) {
		if (n->lww[i].gen > durable_gen) {
			n->lww[j++] = n->lww[i];
		}
	}
	n->nlww = j;
	if (j == 0) {
		cm_free(n->lww);
		n->lww = NULL;
		n->clww = 0;
	}
	j = 0;

	for (size_t i = 0; i < n->npend; i++) {
		if (n->pend[i].gen <= durable_gen) {
			cm_free(n->pend[i].buf);
		} else {
			n->pend[j++] = n->pend[i];
		}
	}
	if (j != n->npend) {
		n->npend = j;
		n->pend_dirty = true;
	}
	if (n->npend == 0) {
		cm_free(n->pend);
		cm_free(n->pend_case_heads);
		cm_free(n->pend_op_heads);
		n->pend = NULL;
		n->pend_case_heads = n->pend_op_heads = NULL;
		n->cpend = n->pend_buckets = 0;
		n->pend_dirty = false;
	}
}

void
node_pend_truncate(struct node *n, size_t npend)
{
	while (n->npend > npend) {
		cm_free(n->pend[--n->npend].buf);
		n->pend_dirty = true;
	}
}

static bool
pend_ready(struct node *n)
{
	if (n->npend == 0) {
		return false;
	}
	if (n->pend_dirty || n->pend_buckets == 0) {
		return pend_rehash(n) == 0;
	}
	return true;
}

/* The pending op (origin, seq), or NULL. */
static const struct node_pend *
pend_find_op(struct node *n, const char *origin, uint64_t seq)
{
	if (!pend_ready(n)) {
		for (size_t i = n->npend; i-- > 0;) {
			if (n->pend[i].seq == seq &&
			    strcmp(n->pend[i].origin, origin) == 0) {
				return &n->pend[i];
			}
		}
		return NULL;
	}
	for (uint32_t i = n->pend_op_heads[op_bucket(n, origin, seq)];
	     i != PEND_END; i = n->pend[i].next_op) {
		if (n->pend[i].seq == seq &&
		    strcmp(n->pend[i].origin, origin) == 0) {
			return &n->pend[i];
		}
	}
	return NULL;
}

/* The SignedOp bytes of a pending op of another hall (the core serves
 * them to peers before they are durable). */
int
node_pend_get_signed(struct node *n, const char *origin, uint64_t seq,
    const uint8_t **buf, size_t *len)
{
	const struct node_pend *p = pend_find_op(n, origin, seq);

	if (p == NULL || !p->is_signed) {
		return CM_ENOENT;
	}
	*buf = p->buf;
	*len = p->len;
	return 0;
}

/* ---- ops of a case ------------------------------------------------------ */

/* Decode an op as logged (a SignedOp) without checking the signature:
 * every op in the log was checked when it was written. */
static Ow__Op *
op_from_signed(const uint8_t *buf, size_t len)
{
	Ow__SignedOp *so = ow__signed_op__unpack(NULL, len, buf);
	Ow__Op *op = NULL;

	if (so != NULL) {
		op = ow__op__unpack(NULL, so->op.len, so->op.data);
		ow__signed_op__free_unpacked(so, NULL);
	}
	return op;
}

struct oplist {
	Ow__Op **ops;
	size_t n, cap;
};

static int
oplist_add(struct oplist *l, Ow__Op *op)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap == 0 ? 16 : l->cap * 2;
		Ow__Op **no = cm_reallocarray(l->ops, ncap, sizeof(*no));

		if (no == NULL) {
			ow__op__free_unpacked(op, NULL);
			return CM_ENOMEM;
		}
		l->ops = no;
		l->cap = ncap;
	}
	l->ops[l->n++] = op;
	return 0;
}

static void
oplist_free(struct oplist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		ow__op__free_unpacked(l->ops[i], NULL);
	}
	cm_free(l->ops);
}

size_t
node_hist_key(const char *case_id, const char *origin, uint64_t seq,
    uint8_t key[NODE_HIST_KEY_MAX])
{
	size_t off = 0, l;

	key[off++] = 'h';
	key[off++] = 0;
	l = strlen(case_id);
	memcpy(key + off, case_id, l);
	off += l;
	key[off++] = 0;
	l = strlen(origin);
	memcpy(key + off, origin, l);
	off += l;
	key[off++] = 0;
	node_put_be64(key + off, seq);
	return off + 8;
}

void
node_index_history(
    struct node *n, const char *case_id, const char *origin, uint64_t seq)
{
	uint8_t key[NODE_HIST_KEY_MAX];
	size_t kl = node_hist_key(case_id, origin, seq, key);

	node_batch_put(n->open.batch, NODE_CF_IDX, key, kl, "", 0);
}

/* The durable ops of a case, from its history index and the log. */
static int
durable_ops(struct node *n, const char *case_id, struct oplist *l)
{
	uint8_t prefix[NODE_CASE_ID_MAX + 4], lkey[1 + NODE_ORIGIN_MAX + 8];
	size_t plen =
	    node_index_prefix('h', case_id, NULL, prefix, sizeof(prefix) - 1);
	struct node_iter *it = NULL;
	int rc;

	if (plen == 0) {
		return CM_EINVAL;
	}
	prefix[plen++] = 0;
	rc = node_iter_new(n->st, NODE_CF_IDX, prefix, plen, &it);
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t kl, vlen;
		const uint8_t *k = node_iter_key(it, &kl);
		const uint8_t *o = k + plen, *end = k + kl - 8;
		char origin[NODE_ORIGIN_MAX + 1];
		uint64_t seq = 0;
		void *val = NULL;
		Ow__Op *op;

		if (kl < plen + 10 || end[-1] != 0 ||
		    (size_t)(end - 1 - o) > NODE_ORIGIN_MAX) {
			continue;
		}
		memcpy(origin, o, (size_t)(end - 1 - o));
		origin[end - 1 - o] = '\0';
		for (int i = 0; i < 8; i++) {
			seq = (seq << 8) | end[i];
		}
		vlen = node_log_key(origin, seq, lkey);
		if (vlen == 0) {
			continue;
		}
		rc =
		    node_store_get(n->st, NODE_CF_LOG, lkey, vlen, &val, &vlen);
		if (rc == CM_ENOTFOUND) {
			/* Indexed in a batch that is still pending: the
			 * pending ops have it. */
			rc = 0;
			continue;
		}
		if (rc != 0) {
			break;
		}
		op = op_from_signed(val, vlen);
		cm_free(val);
		if (op == NULL) {
			rc = CM_ECORRUPT;
			break;
		}
		rc = oplist_add(l, op);
	}
	if (rc == 0 && it != NULL) {
		rc = node_iter_status(it);
	}
	node_iter_free(it);
	return rc;
}

static int
pending_ops(struct node *n, const char *case_id, struct oplist *l)
{
	int rc = 0;

	if (n->npend == 0) {
		return 0;
	}
	if (!pend_ready(n)) {
		return CM_ENOMEM;
	}
	for (uint32_t i = n->pend_case_heads[case_bucket(n, case_id)];
	     i != PEND_END && rc == 0; i = n->pend[i].next_case) {
		const struct node_pend *p = &n->pend[i];
		Ow__Op *op;

		if (strcmp(p->case_id, case_id) != 0 ||
		    (p->persist != 0 && p->persist == n->persist_now)) {
			/* Of the batch being applied: the caller passes
			 * them decoded. */
			continue;
		}
		op = p->is_signed ? op_from_signed(p->buf, p->len)
		                  : ow__op__unpack(NULL, p->len, p->buf);
		rc = op == NULL ? CM_ENOMEM : oplist_add(l, op);
	}
	return rc;
}

int
node_case_ops(struct node *n, const char *case_id, Ow__Op ***ops, size_t *nops,
    bool *pending)
{
	struct oplist l = {0};
	size_t ndurable;
	int rc = durable_ops(n, case_id, &l);

	ndurable = l.n;
	if (rc == 0) {
		rc = pending_ops(n, case_id, &l);
	}
	if (rc != 0) {
		oplist_free(&l);
		return rc;
	}
	*ops = l.ops;
	*nops = l.n;
	if (pending != NULL) {
		*pending = l.n > ndurable;
	}
	return 0;
}

void
node_ops_free(Ow__Op **ops, size_t n)
{
	struct oplist l = {ops, n, n};

	oplist_free(&l);
}

int
node_case_rebuild(struct node *n, const char *case_id, Ow__Op *const *extra,
    size_t nextra, Ow__Case **out)
{
	Ow__Op **held = NULL, **all = NULL;
	Ow__CaseBase *base = NULL;
	size_t nheld = 0, nall;
	int rc;

	*out = NULL;
	/* The ops first, then the base: a compaction that lands between
	 * the two reads leaves ops missing only if the base is there. */
	rc = node_case_ops(n, case_id, &held, &nheld, NULL);
	if (rc == 0) {
		rc = node_base_get(n, case_id, &base);
		rc = rc == CM_ENOTFOUND ? 0 : rc;
	}
	nall = nheld + nextra;
	if (rc == 0 && nall == 0) {
		goto done;
	}
	if (rc == 0) {
		all = cm_reallocarray(NULL, nall, sizeof(*all));
		rc = all == NULL ? CM_ENOMEM : 0;
	}
	if (rc == 0) {
		if (nheld > 0) {
			memcpy(all, held, nheld * sizeof(*all));
		}
		for (size_t i = 0; i < nextra; i++) {
			all[nheld + i] = extra[i];
		}
		/* Repeats of one (origin, seq) count once. */
		if (base == NULL) {
			rc = repl_case_build(all, nall, out, NULL);
		} else {
			struct repl_case_base b = {base->sealed, NULL};
			Ow__Op *owned = NULL;

			b.seal = node_base_seal(base, all, nall, &owned);
			rc = b.seal == NULL
			         ? CM_ECORRUPT
			         : repl_case_build_on(&b, all, nall, out, NULL);
			if (owned != NULL) {
				ow__op__free_unpacked(owned, NULL);
			}
		}
	}
done:
	cm_free(all);
	node_ops_free(held, nheld);
	if (base != NULL) {
		ow__case_base__free_unpacked(base, NULL);
	}
	return rc;
}

/* ---- cases and their derived views ---------------------------------------- */

void
node_publish_case(struct node *n, const Ow__Case *cs)
{
	Ow__Event ev = OW__EVENT__INIT;

	ev.kind = (char *)(uintptr_t) "case";
	ev.case_id = cs->id;
	ev.state = cs->state;
	ev.warning = cs->warning;
	ev.hlc = cs->updated_hlc;
	ev.hall = cs->hall;
	node_publish(n, &ev);
}

int
node_case_store(struct node *n, const Ow__Case *old, const Ow__Case *cs,
    bool fields_changed, uint64_t hlc)
{
	struct node_keys ok;
	int rc = 0, level;

	node_keys_init(&ok);
	if (old != NULL) {
		rc = node_case_index_keys(old, &ok);
	}
	if (rc == 0) {
		rc = node_write_case(n, old != NULL ? &ok : NULL, cs);
	}
	node_keys_free(&ok);
	if (rc == 0 && fields_changed) {
		struct form_matter *owned = NULL;
		const struct form_matter *m =
		    node_matter_of(n, cs->matter, cs->matter_version, &owned);

		rc = node_registry_update(n, cs, m, hlc);
		form_matter_free(owned);
	}
	if (rc == 0) {
		/* The warning level changes with the state at once, not at
		 * the next sweep. */
		level = node_warning_compute(n, cs);
		rc = old != NULL ? node_warning_set(n, cs->id, level)
		                 : node_warning_move(n, cs->id, -1, level);
		rc = rc > 0 ? 0 : rc;
	}
	if (rc == 0 && old != NULL) {
		node_publish_case(n, cs);
	}
	return rc;
}

/* ---- ops of other halls ----------------------------------------------- */

static bool
is_case_op(const Ow__Op *op)
{
	/* An id no case of this project can have is not indexed as one
	 * (the op stays in the log): a peer's op must not stop the node. */
	return op->case_id != NULL && op->case_id[0] != '\0' &&
	       strlen(op->case_id) < NODE_CASE_ID_MAX &&
	       op->kind >= OW__OP_KIND__OP_CASE_CREATE &&
	       op->kind <= OW__OP_KIND__OP_CASE_SEAL;
}

/* A case op of a batch, for grouping the batch by case. */
struct case_ref {
	const char *case_id;
	const Ow__Op *op;
};

static int
cmp_ref(const void *a, const void *b)
{
	const struct case_ref *x = a, *y = b;

	return strcmp(x->case_id, y->case_id);
}

/* Build one case again; refs are the batch's ops of that case (decoded:
 * the pending list passes over them). */
static int
rebuild_one(struct node *n, const struct case_ref *refs, size_t nrefs)
{
	const char *case_id = refs[0].case_id;
	Ow__Op **ops;
	Ow__Case *old = NULL, *cs = NULL;
	uint64_t gen, hlc = 0;
	bool fields = false;
	int rc;

	for (size_t i = 0; i < nrefs; i++) {
		const Ow__Op *op = refs[i].op;

		hlc = op->hlc > hlc ? op->hlc : hlc;
		fields = fields || op->kind == OW__OP_KIND__OP_CASE_CREATE ||
		         op->kind == OW__OP_KIND__OP_CASE_EDIT;
	}
	ops = cm_reallocarray(NULL, nrefs, sizeof(*ops));
	if (ops == NULL) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < nrefs; i++) {
		ops[i] = (Ow__Op *)(uintptr_t)refs[i].op;
	}
	rc = node_case_rebuild(n, case_id, ops, nrefs, &cs);
	cm_free(ops);
	if (rc != 0 || cs == NULL) {
		/* No create ready yet: the case appears when it comes. */
		return rc;
	}
	rc = node_read_case(n, case_id, &old, &gen);
	if (rc == CM_ENOTFOUND) {
		rc = 0;
	}
	if (rc == 0) {
		rc = node_case_store(n, old, cs, fields, hlc);
	}
	if (rc == 0 && old == NULL) {
		node_publish_case(n, cs);
	}
	node_case_free(old);
	node_case_free(cs);
	return rc;
}

/*
 * Records that replicate as whole values (accounts, calendar files): the
 * latest put of a name, by (hlc, origin), wins on every hall. The stamp
 * of the record in force is kept in meta "stamp/KIND/NAME" (8 bytes of
 * clock, then the origin); a local put writes it too.
 */
static void
lww_remember(struct node *n, const char *key, uint64_t hlc, const char *origin)
{
	struct node_lww *l;

	if (n->nlww == n->clww) {
		size_t ncap = n->clww == 0 ? 16 : n->clww * 2;
		struct node_lww *nl =
		    cm_reallocarray(n->lww, ncap, sizeof(*nl));

		if (nl == NULL) {
			/* Judged against the store alone, as before the
			 * batch: logged, the record is still written. */
			cm_log_warn("repl.lww_untracked", "error=CM_ENOMEM");
			return;
		}
		n->lww = nl;
		n->clww = ncap;
	}
	l = &n->lww[n->nlww++];
	snprintf(l->key, sizeof(l->key), "%s", key);
	snprintf(l->origin, sizeof(l->origin), "%s", origin);
	l->hlc = hlc;
	l->gen = n->open.id;
}

void
node_lww_stamp(struct node *n, const char *kind, const char *name, uint64_t hlc,
    const char *origin)
{
	char key[512];
	uint8_t val[8 + NODE_ORIGIN_MAX];
	size_t ol = strlen(origin);

	if (strlen(kind) + strlen(name) > 250 || ol > NODE_ORIGIN_MAX) {
		return;
	}
	snprintf(key, sizeof(key), "stamp/%s/%s", kind, name);
	node_put_be64(val, hlc);
	memcpy(val + 8, origin, ol);
	node_batch_put(
	    n->open.batch, NODE_CF_META, key, strlen(key), val, 8 + ol);
	lww_remember(n, key, hlc, origin);
}

void
node_catver_pending(struct node *n, const char *code, unsigned version)
{
	char key[300];

	snprintf(key, sizeof(key), "catver/%.280s", code);
	lww_remember(n, key, version, "");
}

/* The latest pending (hlc, origin) under key: false when none. */
static bool
lww_pending(
    const struct node *n, const char *key, uint64_t *hlc, const char **origin)
{
	bool found = false;

	for (size_t i = 0; i < n->nlww; i++) {
		const struct node_lww *l = &n->lww[i];

		if (strcmp(l->key, key) == 0 &&
		    (!found || l->hlc > *hlc ||
		        (l->hlc == *hlc && strcmp(l->origin, *origin) > 0))) {
			*hlc = l->hlc;
			*origin = l->origin;
			found = true;
		}
	}
	return found;
}

/* Is (hlc, origin) later than the stamp of the record in force? 1, 0,
 * or a CM_E* code from the store. */
static int
lww_newer(struct node *n, const char *kind, const char *name, uint64_t hlc,
    const char *origin)
{
	char key[512];
	void *val = NULL;
	size_t vlen = 0, ol, opl = strlen(origin);
	const uint8_t *v;
	uint64_t h = 0;
	int rc, cmp;

	if (strlen(kind) + strlen(name) > 250) {
		return 0;
	}
	snprintf(key, sizeof(key), "stamp/%s/%s", kind, name);
	{
		/* A stamp written in a batch not durable yet is newer than
		 * the store's: judge by it. */
		uint64_t ph = 0;
		const char *po = "";

		if (lww_pending(n, key, &ph, &po)) {
			cmp = strcmp(po, origin);
			return ph < hlc || (ph == hlc && cmp < 0) ? 1 : 0;
		}
	}
	rc = node_store_get(n->st, NODE_CF_META, key, strlen(key), &val, &vlen);
	if (rc == CM_ENOTFOUND) {
		return 1;
	}
	if (rc != 0) {
		return rc;
	}
	if (vlen < 8) {
		cm_free(val);
		return 1;
	}
	v = val;
	for (int i = 0; i < 8; i++) {
		h = (h << 8) | v[i];
	}
	ol = vlen - 8;
	cmp = memcmp(v + 8, origin, ol < opl ? ol : opl);
	cmp = cmp != 0 ? cmp : (ol > opl) - (ol < opl);
	cm_free(val);
	return h < hlc || (h == hlc && cmp < 0) ? 1 : 0;
}

static int
apply_user(struct node *n, const Ow__Op *op)
{
	const Ow__UserPut *u = op->user;
	bool role_changed = false;
	uint8_t *buf;
	size_t len;
	int rc;

	if (u == NULL || u->name[0] == '\0' || strlen(u->name) > 200) {
		return 0; /* nothing this hall can apply: kept in the log */
	}
	rc = lww_newer(n, "user", u->name, op->hlc, op->origin);
	if (rc <= 0) {
		return rc; /* a later put is in force, or a store error */
	}
	{
		void *cur = NULL;
		size_t clen = 0;
		Ow__UserPut *was = NULL;

		if (node_store_get(n->st, NODE_CF_USER, u->name,
		        strlen(u->name), &cur, &clen) == 0) {
			was = ow__user_put__unpack(NULL, clen, cur);
		}
		role_changed = was != NULL && was->role != u->role;
		if (was != NULL) {
			ow__user_put__free_unpacked(was, NULL);
		}
		cm_free(cur);
	}
	len = ow__user_put__get_packed_size(u);
	buf = cm_malloc(len + 1);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	ow__user_put__pack(u, buf);
	node_batch_put(
	    n->open.batch, NODE_CF_USER, u->name, strlen(u->name), buf, len);
	cm_free(buf);
	node_lww_stamp(n, "user", u->name, op->hlc, op->origin);
	if (u->disabled || role_changed) {
		/* Disabled or given another role at another hall: the user
		 * logs in again under what is in force now. */
		node_sessions_close_user(&n->sessions, u->name);
	}
	cm_log_info("repl.user_applied", "origin=%s seq=%llu", op->origin,
	    (unsigned long long)op->seq);
	return 0;
}

/* A calendar file imported at another hall (the latest import of a name
 * wins); in force once the batch is durable. */
static int
apply_calendar(struct node *n, const Ow__Op *op)
{
	const Ow__CalendarPut *c = op->calendar;
	int rc;

	if (c == NULL || !node_calendar_name_ok(c->name) ||
	    node_calendar_check(c->name, c->json.data, c->json.len, NULL) !=
	        0) {
		cm_log_warn("repl.calendar_refused", "origin=%s seq=%llu",
		    op->origin, (unsigned long long)op->seq);
		return 0;
	}
	rc = lww_newer(n, "cal", c->name, op->hlc, op->origin);
	if (rc <= 0) {
		return rc;
	}
	node_calendar_store(n, c->name, c->json.data, c->json.len);
	node_lww_stamp(n, "cal", c->name, op->hlc, op->origin);
	n->forms_reload_gen = n->open.id;
	return 0;
}

/*
 * A matter version published at another hall: kept like a local publish
 * (the file by version, and the code's current version when it is
 * newer); the in-memory catalog is loaded again once the batch is
 * durable. A matter that does not load is kept in the log only.
 */
static int
apply_catalog(struct node *n, const Ow__Op *op)
{
	const Ow__CatalogPut *c = op->catalog;
	struct form_catalog cat;
	struct form_diags d;
	char key[96], ver[16];
	void *val = NULL;
	size_t vlen = 0;
	unsigned cur = 0;
	int rc;

	if (c == NULL || c->code[0] == '\0' || strlen(c->code) > 40 ||
	    c->version == 0) {
		return 0;
	}
	form_catalog_init(&cat);
	form_diags_init(&d);
	rc = form_catalog_load(&cat, c->code, (const char *)c->matter_json.data,
	    c->matter_json.len, &d);
	form_catalog_free(&cat);
	form_diags_free(&d);
	if (rc != 0) {
		cm_log_warn("repl.catalog_refused", "origin=%s seq=%llu",
		    op->origin, (unsigned long long)op->seq);
		return 0;
	}
	snprintf(key, sizeof(key), "m/%s/%06u", c->code, c->version);
	if (node_store_get(
	        n->st, NODE_CF_CATALOG, key, strlen(key), &val, &vlen) == 0) {
		cm_free(val);
		return 0; /* this version is here already */
	}
	node_batch_put(n->open.batch, NODE_CF_CATALOG, key, strlen(key),
	    c->matter_json.data, c->matter_json.len);
	snprintf(key, sizeof(key), "c/%s", c->code);
	if (node_store_get(
	        n->st, NODE_CF_CATALOG, key, strlen(key), &val, &vlen) == 0) {
		char vb[16];

		snprintf(vb, sizeof(vb), "%.*s", (int)(vlen < 15 ? vlen : 15),
		    (const char *)val);
		cur = (unsigned)strtoul(vb, NULL, 10);
		cm_free(val);
	}
	{
		char ck[300];
		uint64_t pv = 0;
		const char *po = "";

		snprintf(ck, sizeof(ck), "catver/%.280s", c->code);
		if (lww_pending(n, ck, &pv, &po) && pv > cur) {
			cur = (unsigned)pv;
		}
	}
	if (c->version > cur) {
		node_catver_pending(n, c->code, c->version);
		snprintf(ver, sizeof(ver), "%u", c->version);
		node_batch_put(n->open.batch, NODE_CF_CATALOG, key, strlen(key),
		    ver, strlen(ver));
		n->forms_reload_gen = n->open.id;
	}
	return 0;
}

/*
 * REPL_FX_PERSIST: the ops, the heads that cover them and the clock into
 * the open batch, with the cases they touch built again. The core
 * counts them from now on; if this fails halfway the node cannot keep its
 * promise to the core, so it stops (and starts again from the disk).
 */
int
node_repl_persist(struct node *n, const struct repl_effect *e)
{
	uint8_t key[1 + NODE_ORIGIN_MAX + 8], val[8 + NODE_HASH_BYTES];
	char mkey[8 + NODE_ORIGIN_MAX];
	struct case_ref *refs = NULL;
	struct node_mark mark;
	size_t nrefs = 0;
	int rc = node_write_mark(n, &mark);

	if (rc != 0) {
		return rc;
	}
	n->persist_now = ++n->persist_last;

	for (size_t i = 0; i < e->nops && rc == 0; i++) {
		const struct repl_fx_op *o = &e->ops[i];
		size_t klen = node_log_key(o->origin, o->seq, key);
		bool cop = is_case_op(o->op);

		if (klen == 0) {
			rc = CM_EINVAL;
			break;
		}
		node_batch_put(
		    n->open.batch, NODE_CF_LOG, key, klen, o->buf, o->len);
		rc = node_pend_add(n, o->origin, o->seq,
		    cop ? o->op->case_id : "", o->buf, o->len, true);
		if (rc == 0 && cop) {
			node_index_history(
			    n, o->op->case_id, o->origin, o->seq);
		} else if (rc == 0 && o->op->kind == OW__OP_KIND__OP_USER_PUT) {
			rc = apply_user(n, o->op);
		} else if (rc == 0 &&
		           o->op->kind == OW__OP_KIND__OP_CATALOG_PUT) {
			rc = apply_catalog(n, o->op);
		} else if (rc == 0 &&
		           o->op->kind == OW__OP_KIND__OP_CALENDAR_PUT) {
			rc = apply_calendar(n, o->op);
		}
		n->log_ops++;
		n->open.nremote++;
	}
	for (size_t i = 0; i < e->nheads && rc == 0; i++) {
		if (strcmp(e->heads[i].origin, n->node_id) == 0) {
			/* Restored from a backup: its own ops come back,
			 * and its chain goes on from the last of them. No op
			 * of its own is made meanwhile (node_write_op). */
			n->seq = n->durable_seq = n->flying_seq =
			    e->heads[i].seq;
			memcpy(n->head, e->heads[i].hash, NODE_HASH_BYTES);
		}
		node_put_be64(val, e->heads[i].seq);
		memcpy(val + 8, e->heads[i].hash, NODE_HASH_BYTES);
		snprintf(mkey, sizeof(mkey), "vv/%s", e->heads[i].origin);
		node_batch_put(n->open.batch, NODE_CF_META, mkey, strlen(mkey),
		    val, sizeof(val));
	}
	/* The cases the batch touches, each once, with their ops. */
	if (rc == 0 && e->nops > 0) {
		refs = cm_reallocarray(NULL, e->nops, sizeof(*refs));
		rc = refs == NULL ? CM_ENOMEM : 0;
	}
	for (size_t i = 0; i < e->nops && rc == 0; i++) {
		if (is_case_op(e->ops[i].op)) {
			refs[nrefs].case_id = e->ops[i].op->case_id;
			refs[nrefs++].op = e->ops[i].op;
		}
	}
	if (rc == 0 && nrefs > 1) {
		qsort(refs, nrefs, sizeof(*refs), cmp_ref);
	}
	for (size_t i = 0, j; i < nrefs && rc == 0; i = j) {
		for (j = i + 1;
		     j < nrefs && strcmp(refs[j].case_id, refs[i].case_id) == 0;
		     j++) {
		}
		rc = rebuild_one(n, &refs[i], j - i);
	}
	cm_free(refs);
	n->persist_now = 0;
	if (rc != 0) {
		/* Nothing of it: the heads must never be written without
		 * the ops and cases they cover. The caller halts. */
		node_write_rollback(n, &mark);
	} else {
		node_write_unmark(n);
	}
	return rc;
}

/* ---- the digest ----------------------------------------------------------- */

/*
 * A case's digest: BLAKE2b-256 of its encoding with the hall-local
 * warning level cleared (each hall computes it on its own timer).
 */
int
node_case_digest_of(const Ow__Case *c, unsigned char out[32])
{
	Ow__Case copy = *c;
	uint8_t *buf;
	size_t len;

	copy.warning = 0;
	len = ow__case__get_packed_size(&copy);
	buf = cm_malloc(len + 1);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	ow__case__pack(&copy, buf);
	crypto_generichash(out, 32, buf, len, NULL, 0);
	cm_free(buf);
	return 0;
}

static int
case_digest(const void *val, size_t vlen, unsigned char out[32])
{
	Ow__Case *c = ow__case__unpack(NULL, vlen, val);
	int rc;

	if (c == NULL) {
		return CM_ECORRUPT;
	}
	rc = node_case_digest_of(c, out);
	ow__case__free_unpacked(c, NULL);
	return rc;
}

static unsigned
id_bucket(const void *id, size_t len)
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), id, len, NULL, 0);
	return h[0];
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void
node_digest_free(Ow__ReplDigest *d)
{
	for (size_t i = 0; i < d->n_buckets; i++) {
		cm_free(d->buckets[i].data);
	}
	cm_free(d->buckets);
	for (size_t i = 0; i < d->n_cases; i++) {
		cm_free(d->cases[i]->key);
		cm_free(d->cases[i]->value);
		cm_free(d->cases[i]);
	}
	cm_free(d->cases);
	cm_free(d->total.data);
	cm_free(d->ask);
	ow__repl_digest__init(d);
}

static int
digest_add_case(Ow__ReplDigest *d, size_t *cap, const void *id, size_t idlen,
    const unsigned char dg[32])
{
	Ow__KeyValue *kv;

	if (d->n_cases == *cap) {
		size_t ncap = *cap == 0 ? 256 : *cap * 2;
		Ow__KeyValue **nc =
		    cm_reallocarray(d->cases, ncap, sizeof(*nc));

		if (nc == NULL) {
			return CM_ENOMEM;
		}
		d->cases = nc;
		*cap = ncap;
	}
	kv = cm_malloc(sizeof(*kv));
	if (kv == NULL) {
		return CM_ENOMEM;
	}
	ow__key_value__init(kv);
	kv->key = cm_malloc(idlen + 1);
	kv->value = cm_malloc(65);
	if (kv->key == NULL || kv->value == NULL) {
		cm_free(kv->key);
		cm_free(kv->value);
		cm_free(kv);
		return CM_ENOMEM;
	}
	memcpy(kv->key, id, idlen);
	kv->key[idlen] = '\0';
	hex(dg, 32, kv->value);
	d->cases[d->n_cases++] = kv;
	return 0;
}

int
node_digest(struct node_store *st, const bool ask[256], Ow__ReplDigest *out)
{
	crypto_generichash_state *hs = NULL;
	crypto_generichash_state total;
	bool used[256] = {false};
	struct node_iter *it = NULL;
	size_t cap = 0;
	int rc;

	ow__repl_digest__init(out);
	hs = cm_reallocarray(NULL, 256, sizeof(*hs));
	out->buckets = cm_calloc(256, sizeof(*out->buckets));
	out->total.data = cm_malloc(32);
	if (hs == NULL || out->buckets == NULL || out->total.data == NULL) {
		cm_free(hs);
		node_digest_free(out);
		return CM_ENOMEM;
	}
	for (int b = 0; b < 256; b++) {
		crypto_generichash_init(&hs[b], NULL, 0, 32);
	}
	rc = node_iter_new(st, NODE_CF_CASE, NULL, 0, &it);
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t kl, vl;
		const void *k = node_iter_key(it, &kl);
		const void *v = node_iter_value(it, &vl);
		unsigned char dg[32], sep = 0;
		unsigned b = id_bucket(k, kl);

		rc = case_digest(v, vl, dg);
		if (rc != 0) {
			break;
		}
		used[b] = true;
		crypto_generichash_update(&hs[b], k, kl);
		crypto_generichash_update(&hs[b], &sep, 1);
		crypto_generichash_update(&hs[b], dg, 32);
		if (ask != NULL && ask[b]) {
			rc = digest_add_case(out, &cap, k, kl, dg);
		}
	}
	if (rc == 0 && it != NULL) {
		rc = node_iter_status(it);
	}
	node_iter_free(it);
	crypto_generichash_init(&total, NULL, 0, 32);
	for (int b = 0; b < 256 && rc == 0; b++) {
		unsigned char dg[32] = {0};

		/* An empty bucket is 32 zero bytes. */
		if (used[b]) {
			crypto_generichash_final(&hs[b], dg, 32);
		}
		crypto_generichash_update(&total, dg, 32);
		out->buckets[b].data = cm_malloc(32);
		if (out->buckets[b].data == NULL) {
			rc = CM_ENOMEM;
			break;
		}
		memcpy(out->buckets[b].data, dg, 32);
		out->buckets[b].len = 32;
		out->n_buckets++;
	}
	if (rc == 0) {
		crypto_generichash_final(&total, out->total.data, 32);
		out->total.len = 32;
	}
	cm_free(hs);
	if (rc != 0) {
		node_digest_free(out);
	}
	return rc;
}
