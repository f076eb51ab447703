/*
 * repl_testlib.c: see repl_testlib.h.
 */
#include "repl_testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"

/* 2026-03-02T00:00:00Z */
#define TL_EPOCH_MS UINT64_C(1772409600000)

static void
tl_die(const char *what)
{
	fprintf(stderr, "repl_testlib: %s\n", what);
	abort();
}

void
tl_hall_init(struct tl_hall *h, const char *id)
{
	unsigned char seed[crypto_sign_SEEDBYTES];

	memset(h, 0, sizeof(*h));
	snprintf(h->id, sizeof(h->id), "%s", id);
	memset(seed, 0, sizeof(seed));
	memcpy(seed, id, strlen(id) < sizeof(seed) ? strlen(id) : sizeof(seed));
	if (sodium_init() < 0 ||
	    crypto_sign_seed_keypair(h->kp.pk, h->kp.sk, seed) != 0) {
		tl_die("keys");
	}
	h->hlc_ms = TL_EPOCH_MS;
}

void
tl_hall_free(struct tl_hall *h)
{
	for (size_t i = 0; i < h->nlog; i++) {
		cm_free(h->log[i].buf);
	}
	h->nlog = 0;
}

void
tl_log_put(struct tl_hall *h, const char *origin, uint64_t seq,
    const uint8_t *buf, size_t len)
{
	struct tl_logop *l;

	if (h->nlog == TL_OPS_MAX) {
		tl_die("log full");
	}
	l = &h->log[h->nlog++];
	snprintf(l->origin, sizeof(l->origin), "%s", origin);
	l->seq = seq;
	l->buf = cm_malloc(len);
	if (l->buf == NULL) {
		tl_die("no memory");
	}
	memcpy(l->buf, buf, len);
	l->len = len;
}

uint8_t *
tl_seal(struct tl_hall *h, Ow__Op *op, size_t *len)
{
	unsigned char hash[NODE_HASH_BYTES];
	uint8_t *buf = NULL, *copy;

	op->origin = h->id;
	op->seq = h->seq + 1;
	op->hlc = (h->hlc_ms++) << 16;
	op->prev_hash.data = h->head;
	op->prev_hash.len = NODE_HASH_BYTES;
	if (node_op_seal(op, &h->kp, &buf, len, hash) != 0) {
		tl_die("seal");
	}
	op->prev_hash.data = NULL;
	op->prev_hash.len = 0;
	h->seq++;
	memcpy(h->head, hash, NODE_HASH_BYTES);
	tl_log_put(h, h->id, h->seq, buf, *len);
	copy = buf;
	return copy;
}

static int
tl_get(void *arg, const char *origin, uint64_t seq, const uint8_t **buf,
    size_t *len)
{
	struct tl_hall *h = arg;

	for (size_t i = 0; i < h->nlog; i++) {
		if (h->log[i].seq == seq &&
		    strcmp(h->log[i].origin, origin) == 0) {
			*buf = h->log[i].buf;
			*len = h->log[i].len;
			return 0;
		}
	}
	return CM_ENOENT;
}

const struct repl_log_ops tl_log_ops = {tl_get};

Ow__Op *
tl_open(const uint8_t *buf, size_t len)
{
	Ow__SignedOp *so = ow__signed_op__unpack(NULL, len, buf);
	Ow__Op *op;

	if (so == NULL) {
		tl_die("open");
	}
	op = ow__op__unpack(NULL, so->op.len, so->op.data);
	ow__signed_op__free_unpacked(so, NULL);
	if (op == NULL) {
		tl_die("open op");
	}
	return op;
}

Ow__VersionVector *
tl_vv(int n, const char *const *origins, const uint64_t *seqs)
{
	Ow__VersionVector *v = cm_calloc(1, sizeof(*v));

	if (v == NULL) {
		tl_die("no memory");
	}
	ow__version_vector__init(v);
	v->entries = cm_calloc((size_t)n + 1, sizeof(*v->entries));
	if (v->entries == NULL) {
		tl_die("no memory");
	}
	for (int i = 0; i < n; i++) {
		Ow__VersionEntry *e = cm_calloc(1, sizeof(*e));

		if (e == NULL) {
			tl_die("no memory");
		}
		ow__version_entry__init(e);
		e->origin = (char *)(uintptr_t)origins[i];
		e->seq = seqs[i];
		v->entries[v->n_entries++] = e;
	}
	return v;
}

void
tl_vv_free(Ow__VersionVector *v)
{
	if (v == NULL) {
		return;
	}
	for (size_t i = 0; i < v->n_entries; i++) {
		cm_free(v->entries[i]);
	}
	cm_free(v->entries);
	cm_free(v);
}

static Ow__Op *
tl_op_new(Ow__OpKind kind)
{
	Ow__Op *op = cm_calloc(1, sizeof(*op));

	if (op == NULL) {
		tl_die("no memory");
	}
	ow__op__init(op);
	op->kind = kind;
	op->case_id = (char *)(uintptr_t) "C1";
	op->actor = (char *)(uintptr_t) "clerk";
	return op;
}

static void *
tl_zalloc(size_t n)
{
	void *p = cm_calloc(1, n);

	if (p == NULL) {
		tl_die("no memory");
	}
	return p;
}

Ow__Op *
tl_create(enum node_state state)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_CREATE);
	Ow__CaseCreate *cc = tl_zalloc(sizeof(*cc));
	Ow__Case *c = tl_zalloc(sizeof(*c));

	ow__case_create__init(cc);
	ow__case__init(c);
	c->id = (char *)(uintptr_t) "C1";
	c->matter = (char *)(uintptr_t) "XK00099001";
	c->state = (uint32_t)state;
	c->hall = (char *)(uintptr_t) "FT01";
	c->assignee = (char *)(uintptr_t) "clerk";
	c->accepted_day = state == NODE_ST_ACCEPTED ? 20000 : 0;
	c->received_day = 20000;
	cc->initial = c;
	op->body_case = OW__OP__BODY_CREATE;
	op->create = cc;
	return op;
}

Ow__Op *
tl_edit(const char *key, const char *value, const char *material)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_EDIT);
	Ow__CaseEdit *e = tl_zalloc(sizeof(*e));

	ow__case_edit__init(e);
	if (key != NULL) {
		Ow__KeyValue *kv = tl_zalloc(sizeof(*kv));

		ow__key_value__init(kv);
		kv->key = (char *)(uintptr_t)key;
		kv->value = (char *)(uintptr_t)value;
		e->set = tl_zalloc(sizeof(*e->set));
		e->set[0] = kv;
		e->n_set = 1;
	}
	if (material != NULL) {
		e->materials_add = tl_zalloc(sizeof(*e->materials_add));
		e->materials_add[0] = (char *)(uintptr_t)material;
		e->n_materials_add = 1;
	}
	op->body_case = OW__OP__BODY_EDIT;
	op->edit = e;
	return op;
}

Ow__Op *
tl_act(enum node_state from, enum node_action action)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_ACT);
	Ow__CaseAct *a = tl_zalloc(sizeof(*a));
	enum node_state to = from;

	ow__case_act__init(a);
	if (node_wf_check(from, action, NODE_ROLE_SUPERVISOR, &to) != 0) {
		(void)node_wf_check(from, action, NODE_ROLE_CLERK, &to);
	}
	a->action = (uint32_t)action;
	a->from_state = (uint32_t)from;
	a->to_state = (uint32_t)to;
	a->reason = (char *)(uintptr_t) "why";
	a->day = 20001;
	op->body_case = OW__OP__BODY_ACT;
	op->act = a;
	return op;
}

Ow__Op *
tl_assign(const char *hall, const char *assignee)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_ASSIGN);
	Ow__CaseAssign *a = tl_zalloc(sizeof(*a));

	ow__case_assign__init(a);
	a->hall = (char *)(uintptr_t)hall;
	a->assignee = (char *)(uintptr_t)assignee;
	op->body_case = OW__OP__BODY_ASSIGN;
	op->assign = a;
	return op;
}

Ow__Op *
tl_note(const char *text)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_NOTE);
	Ow__Note *n = tl_zalloc(sizeof(*n));

	ow__note__init(n);
	n->text = (char *)(uintptr_t)text;
	op->body_case = OW__OP__BODY_NOTE;
	op->note = n;
	return op;
}

Ow__Op *
tl_rate(unsigned level)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_RATE);
	Ow__Rating *r = tl_zalloc(sizeof(*r));

	ow__rating__init(r);
	r->level = level;
	op->body_case = OW__OP__BODY_RATE;
	op->rate = r;
	return op;
}

Ow__Op *
tl_remedy(unsigned step, const char *text, unsigned level, int day)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_REMEDY);
	Ow__Remedy *r = tl_zalloc(sizeof(*r));

	ow__remedy__init(r);
	r->step = step;
	r->text = (char *)(uintptr_t)text;
	r->level = level;
	r->day = day;
	op->body_case = OW__OP__BODY_REMEDY;
	op->remedy = r;
	return op;
}

Ow__Op *
tl_ack(const char *actor)
{
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_ACK);

	op->actor = (char *)(uintptr_t)actor;
	return op;
}

Ow__Op *
tl_case_seal(void)
{
	static uint8_t digest[32];
	Ow__Op *op = tl_op_new(OW__OP_KIND__OP_CASE_SEAL);
	Ow__CaseSeal *s = tl_zalloc(sizeof(*s));

	ow__case_seal__init(s);
	s->digest.data = digest;
	s->digest.len = sizeof(digest);
	op->body_case = OW__OP__BODY_SEAL;
	op->seal = s;
	return op;
}

void
tl_op_free(Ow__Op *op)
{
	if (op == NULL) {
		return;
	}
	switch (op->body_case) {
	case OW__OP__BODY_CREATE:
		cm_free(op->create->initial);
		cm_free(op->create);
		break;
	case OW__OP__BODY_EDIT:
		if (op->edit->n_set > 0) {
			cm_free(op->edit->set[0]);
		}
		cm_free(op->edit->set);
		cm_free(op->edit->materials_add);
		cm_free(op->edit);
		break;
	case OW__OP__BODY_ACT:
		cm_free(op->act);
		break;
	case OW__OP__BODY_ASSIGN:
		cm_free(op->assign);
		break;
	case OW__OP__BODY_NOTE:
		cm_free(op->note);
		break;
	case OW__OP__BODY_RATE:
		cm_free(op->rate);
		break;
	case OW__OP__BODY_REMEDY:
		cm_free(op->remedy);
		break;
	case OW__OP__BODY_SEAL:
		cm_free(op->seal);
		break;
	default:
		break;
	}
	tl_vv_free(op->context);
	cm_free(op);
}
