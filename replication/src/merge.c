/*
 * merge.c: a case built from the set of its ops (see merge.h).
 *
 * Cases are protobuf-c structures owned the way
 * protobuf_c_message_free_unpacked expects (every string and array
 * malloc'd, or protobuf_c_empty_string), as in node/src/cases.c; the
 * small helpers below are the same ones, which cases.c keeps static.
 *
 * The build has four steps:
 *  1. index the ops by (origin, seq), dropping repeats and ops that make
 *     no sense;
 *  2. find the ready ones (a greatest fixpoint: an op is ready when every
 *     op its context names is present and ready);
 *  3. walk the ready ops in (hlc, origin, seq) order from the create's
 *     initial case, applying fields and, for transitions, the state of
 *     the prefix walked so far (which tracks the pauses);
 *  4. flag the conflicts over the workflow ops.
 * The state of a set of transitions is defined recursively (wf_state): a
 * set's latest transitions are its heads; one head gives its to_state,
 * several give node_wf_merge_n over their to_states from the state of the
 * transitions before all of them.
 */
#include "repl/merge.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/deadline.h"
#include "node/cases.h"
#include "node/workflow.h"
#include "repl/msg.h"

/* ---- protobuf-c ownership helpers (as in node/src/cases.c) ------------- */

static void
str_free(char *s)
{
	if (s != NULL && s != protobuf_c_empty_string) {
		free(s);
	}
}

static int
str_set(char **dst, const char *src)
{
	char *n;

	if (src == NULL || src[0] == '\0') {
		str_free(*dst);
		*dst = (char *)(uintptr_t)protobuf_c_empty_string;
		return 0;
	}
	n = cm_strdup(src);
	if (n == NULL) {
		return CM_ENOMEM;
	}
	str_free(*dst);
	*dst = n;
	return 0;
}

static bool
str_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static int
arr_push(void ***arr, size_t *n, void *item)
{
	void **a = cm_reallocarray(*arr, *n + 1, sizeof(*a));

	if (a == NULL) {
		return CM_ENOMEM;
	}
	a[(*n)++] = item;
	*arr = a;
	return 0;
}

static int
strset_add(char ***arr, size_t *n, const char *s)
{
	char *c;

	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*arr)[i], s) == 0) {
			return 0;
		}
	}
	c = cm_strdup(s);
	if (c == NULL) {
		return CM_ENOMEM;
	}
	if (arr_push((void ***)arr, n, c) != 0) {
		cm_free(c);
		return CM_ENOMEM;
	}
	return 0;
}

/* Set key to value in a KeyValue list; "" removes it. */
static int
kv_set(Ow__KeyValue ***kv, size_t *n, const char *key, const char *value)
{
	Ow__KeyValue *e;

	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*kv)[i]->key, key) == 0) {
			if (str_empty(value)) {
				ow__key_value__free_unpacked((*kv)[i], NULL);
				memmove(&(*kv)[i], &(*kv)[i + 1],
				    (*n - i - 1) * sizeof(**kv));
				(*n)--;
				return 0;
			}
			return str_set(&(*kv)[i]->value, value);
		}
	}
	if (str_empty(value)) {
		return 0;
	}
	e = cm_malloc(sizeof(*e));
	if (e == NULL) {
		return CM_ENOMEM;
	}
	ow__key_value__init(e);
	if (str_set(&e->key, key) != 0 || str_set(&e->value, value) != 0 ||
	    arr_push((void ***)kv, n, e) != 0) {
		ow__key_value__free_unpacked(e, NULL);
		return CM_ENOMEM;
	}
	return 0;
}

/* Record (hlc, origin) as the writer of key. The walk goes in (hlc,
 * origin) order, so the latest write is simply the last one. */
static int
stamp_set(Ow__Case *c, const char *key, uint64_t hlc, const char *origin)
{
	Ow__FieldStamp *s;

	for (size_t i = 0; i < c->n_stamps; i++) {
		if (strcmp(c->stamps[i]->key, key) == 0) {
			c->stamps[i]->hlc = hlc;
			return str_set(&c->stamps[i]->origin, origin);
		}
	}
	s = cm_malloc(sizeof(*s));
	if (s == NULL) {
		return CM_ENOMEM;
	}
	ow__field_stamp__init(s);
	s->hlc = hlc;
	if (str_set(&s->key, key) != 0 || str_set(&s->origin, origin) != 0 ||
	    arr_push((void ***)&c->stamps, &c->n_stamps, s) != 0) {
		ow__field_stamp__free_unpacked(s, NULL);
		return CM_ENOMEM;
	}
	return 0;
}

/* Is (hlc, origin) later than key's stamp (or is there none)? The walk
 * goes in (hlc, origin) order, so from the create this always holds; on a
 * base, an op made before some of the base's writes loses to them. */
static bool
stamp_later(
    const Ow__Case *c, const char *key, uint64_t hlc, const char *origin)
{
	for (size_t i = 0; i < c->n_stamps; i++) {
		const Ow__FieldStamp *s = c->stamps[i];

		if (strcmp(s->key, key) == 0) {
			return hlc != s->hlc ? hlc > s->hlc
			                     : strcmp(origin, s->origin) > 0;
		}
	}
	return true;
}

/* ---- order and causality ----------------------------------------------- */

/* (hlc, origin, seq): the walk order. */
static int
key_cmp(const Ow__Op *x, const Ow__Op *y)
{
	int c;

	if (x->hlc != y->hlc) {
		return x->hlc < y->hlc ? -1 : 1;
	}
	c = strcmp(x->origin, y->origin);
	if (c != 0) {
		return c;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

/* (origin, seq): identity order, for lookups. */
static int
id_cmp(const Ow__Op *x, const Ow__Op *y)
{
	int c = strcmp(x->origin, y->origin);

	if (c != 0) {
		return c;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

static int
id_qsort(const void *a, const void *b)
{
	return id_cmp(*(const Ow__Op *const *)a, *(const Ow__Op *const *)b);
}

static int
key_qsort(const void *a, const void *b)
{
	return key_cmp(*(const Ow__Op *const *)a, *(const Ow__Op *const *)b);
}

bool
repl_op_before(const Ow__Op *x, const Ow__Op *y)
{
	if (x == NULL || y == NULL || key_cmp(x, y) >= 0) {
		return false;
	}
	if (strcmp(x->origin, y->origin) == 0) {
		return x->seq < y->seq;
	}
	return repl_vv_get(y->context, x->origin) >= x->seq;
}

/* Does the op's body fit its kind (as node_case_apply demands)? */
static bool
body_ok(const Ow__Op *op)
{
	switch (op->kind) {
	case OW__OP_KIND__OP_CASE_CREATE:
		return op->body_case == OW__OP__BODY_CREATE &&
		       op->create != NULL && op->create->initial != NULL &&
		       op->create->initial->id != NULL &&
		       strcmp(op->create->initial->id, op->case_id) == 0 &&
		       op->create->initial->state < NODE_ST__COUNT;
	case OW__OP_KIND__OP_CASE_EDIT:
		return op->body_case == OW__OP__BODY_EDIT && op->edit != NULL;
	case OW__OP_KIND__OP_CASE_ACT:
		return op->body_case == OW__OP__BODY_ACT && op->act != NULL;
	case OW__OP_KIND__OP_CASE_ASSIGN:
		return op->body_case == OW__OP__BODY_ASSIGN &&
		       op->assign != NULL;
	case OW__OP_KIND__OP_CASE_NOTE:
		return op->body_case == OW__OP__BODY_NOTE && op->note != NULL;
	case OW__OP_KIND__OP_CASE_RATE:
		return op->body_case == OW__OP__BODY_RATE && op->rate != NULL &&
		       op->rate->level >= 1 && op->rate->level <= 5;
	case OW__OP_KIND__OP_CASE_EXTEND:
		return op->body_case == OW__OP__BODY_EXTEND &&
		       op->extend != NULL;
	case OW__OP_KIND__OP_CASE_DELIVER:
		return op->body_case == OW__OP__BODY_DELIVER &&
		       op->deliver != NULL;
	case OW__OP_KIND__OP_CASE_REMEDY:
		return node_remedy_ok(op);
	case OW__OP_KIND__OP_CASE_ACK:
		return op->body_case == OW__OP__BODY__NOT_SET;
	case OW__OP_KIND__OP_CASE_SEAL:
		return node_seal_ok(op);
	default:
		return false;
	}
}

/* Is the transition valid: a row of the table (for a clerk or a
 * supervisor, the roles that act on cases), or a supervisor's resolve? */
static bool
act_ok(const Ow__CaseAct *a)
{
	if (a->from_state >= NODE_ST__COUNT || a->to_state >= NODE_ST__COUNT ||
	    a->action >= NODE_ACT__COUNT) {
		return false;
	}
	return node_wf_valid((enum node_state)a->from_state,
	    (enum node_action)a->action, (enum node_state)a->to_state);
}

/* ---- the state of a set of transitions --------------------------------- */

struct wf {
	size_t a;            /* transitions, in walk order */
	const Ow__Op **acts; /* borrowed */
	uint8_t *bef; /* a * a: bef[i * a + j] = acts[i] before acts[j] */
	enum node_state initial;
};

/*
 * The state the transitions in S (a flag per transition) lead to. A set
 * of transitions is closed under "before" whenever the build passes one
 * (prefixes of the walk, pasts of a transition, common pasts); the
 * recursion goes to a strict subset, so it ends.
 */
static int
wf_state(const struct wf *w, const uint8_t *S, enum node_state *out)
{
	size_t a = w->a, nh = 0, nb = 0, last = 0;
	uint8_t *is_head, *base;
	enum node_state *tos, b;
	int rc;

	if (a == 0) {
		*out = w->initial;
		return 0;
	}
	is_head = cm_calloc(2 * a, 1);
	tos = cm_calloc(a, sizeof(*tos));
	if (is_head == NULL || tos == NULL) {
		cm_free(is_head);
		cm_free(tos);
		return CM_ENOMEM;
	}
	base = is_head + a;
	for (size_t i = 0; i < a; i++) {
		bool later = false;

		if (!S[i]) {
			continue;
		}
		for (size_t j = i + 1; j < a && !later; j++) {
			later = S[j] && w->bef[i * a + j];
		}
		if (!later) {
			is_head[i] = 1;
			tos[nh++] = (enum node_state)w->acts[i]->act->to_state;
			last = i;
		}
	}
	if (nh <= 1) {
		*out = nh == 0 ? w->initial
		               : (enum node_state)w->acts[last]->act->to_state;
		cm_free(is_head);
		cm_free(tos);
		return 0;
	}
	/* The common past: the transitions before every head. */
	for (size_t i = 0; i < a; i++) {
		bool all = S[i] && !is_head[i];

		for (size_t h = 0; h < a && all; h++) {
			all = !is_head[h] || w->bef[i * a + h];
		}
		base[i] = all;
		nb += all;
	}
	b = w->initial;
	rc = nb == 0 ? 0 : wf_state(w, base, &b);
	if (rc == 0) {
		*out = node_wf_merge_n(b, tos, nh);
	}
	cm_free(is_head);
	cm_free(tos);
	return rc;
}

/* ---- applying one op's fields ------------------------------------------ */

/* Open or close the pause a state change starts or ends (as cases.c). */
static int
track_pause(Ow__Case *c, enum node_state from, enum node_state to, int32_t day,
    const char *reason)
{
	enum node_clock before = node_state_clock(from);
	enum node_clock after = node_state_clock(to);

	if (before == after) {
		return 0;
	}
	if (before == NODE_CLOCK_PAUSED_SUPPLEMENT ||
	    before == NODE_CLOCK_PAUSED_ART45) {
		for (size_t i = c->n_pauses; i-- > 0;) {
			if (c->pauses[i]->to_day == 0) {
				c->pauses[i]->to_day = day;
				break;
			}
		}
	}
	if ((after == NODE_CLOCK_PAUSED_SUPPLEMENT ||
	        after == NODE_CLOCK_PAUSED_ART45) &&
	    c->accepted_day != 0) {
		Ow__Pause *p = cm_malloc(sizeof(*p));

		if (p == NULL) {
			return CM_ENOMEM;
		}
		ow__pause__init(p);
		p->from_day = day;
		p->kind = after == NODE_CLOCK_PAUSED_ART45
		              ? FORM_PAUSE_ART45
		              : FORM_PAUSE_SUPPLEMENT;
		if (str_set(&p->reason, reason) != 0 ||
		    arr_push((void ***)&c->pauses, &c->n_pauses, p) != 0) {
			ow__pause__free_unpacked(p, NULL);
			return CM_ENOMEM;
		}
	}
	return 0;
}

static int
apply_edit(Ow__Case *c, const Ow__Op *op)
{
	const Ow__CaseEdit *e = op->edit;
	int rc = 0;

	for (size_t i = 0; i < e->n_set && rc == 0; i++) {
		char key[256];

		if (e->set[i] == NULL || str_empty(e->set[i]->key) ||
		    strlen(e->set[i]->key) + 3 > sizeof(key)) {
			continue;
		}
		snprintf(key, sizeof(key), "f:%s", e->set[i]->key);
		if (!stamp_later(c, key, op->hlc, op->origin)) {
			continue;
		}
		rc = kv_set(
		    &c->fields, &c->n_fields, e->set[i]->key, e->set[i]->value);
		if (rc == 0) {
			rc = stamp_set(c, key, op->hlc, op->origin);
		}
	}
	for (size_t i = 0; i < e->n_materials_add && rc == 0; i++) {
		if (!str_empty(e->materials_add[i])) {
			rc = strset_add(&c->materials, &c->n_materials,
			    e->materials_add[i]);
		}
	}
	return rc;
}

static int
apply_note(Ow__Case *c, const Ow__Op *op)
{
	Ow__Note *n = cm_malloc(sizeof(*n));

	if (n == NULL) {
		return CM_ENOMEM;
	}
	ow__note__init(n);
	n->hlc = op->hlc;
	if (str_set(&n->actor, op->actor) != 0 ||
	    str_set(&n->text, op->note->text) != 0 ||
	    str_set(&n->origin, op->origin) != 0 ||
	    arr_push((void ***)&c->notes, &c->n_notes, n) != 0) {
		ow__note__free_unpacked(n, NULL);
		return CM_ENOMEM;
	}
	/* In (hlc, origin) order: from the create the walk's own order; on
	 * a base, a late note goes where its clock puts it. */
	for (size_t i = c->n_notes - 1; i > 0; i--) {
		Ow__Note *p = c->notes[i - 1];

		if (p->hlc < n->hlc ||
		    (p->hlc == n->hlc && strcmp(p->origin, n->origin) <= 0)) {
			break;
		}
		c->notes[i - 1] = n;
		c->notes[i] = p;
	}
	return 0;
}

static int
apply_rate(Ow__Case *c, const Ow__Op *op)
{
	Ow__Rating *r;

	/* One rating per case: the first in the walk stands everywhere (on
	 * a base, a late one made before it takes its place). */
	if (c->rating != NULL && op->hlc >= c->rating->hlc) {
		return 0;
	}
	r = cm_malloc(sizeof(*r));
	if (r == NULL) {
		return CM_ENOMEM;
	}
	ow__rating__init(r);
	r->level = op->rate->level;
	r->hlc = op->hlc;
	r->day = op->rate->day;
	if (str_set(&r->comment, op->rate->comment) != 0 ||
	    str_set(&r->actor, op->actor) != 0) {
		ow__rating__free_unpacked(r, NULL);
		return CM_ENOMEM;
	}
	if (c->rating != NULL) {
		ow__rating__free_unpacked(c->rating, NULL);
	}
	c->rating = r;
	return 0;
}

static int
apply_deliver(Ow__Case *c, const Ow__Op *op)
{
	Ow__Delivery *d = cm_malloc(sizeof(*d));

	if (d == NULL) {
		return CM_ENOMEM;
	}
	if (!stamp_later(c, "delivery", op->hlc, op->origin)) {
		cm_free(d);
		return 0;
	}
	ow__delivery__init(d);
	d->method = op->deliver->method;
	d->day = op->deliver->day;
	if (str_set(&d->hall, op->deliver->hall) != 0 ||
	    str_set(&d->tracking, op->deliver->tracking) != 0) {
		ow__delivery__free_unpacked(d, NULL);
		return CM_ENOMEM;
	}
	if (c->delivery != NULL) {
		ow__delivery__free_unpacked(c->delivery, NULL);
	}
	c->delivery = d;
	return stamp_set(c, "delivery", op->hlc, op->origin);
}

/* The side effects of a transition that took effect as made. */
static int
apply_act_effects(Ow__Case *c, const Ow__CaseAct *a)
{
	if (a->from_state == NODE_ST_SUPPLEMENT &&
	    a->to_state == NODE_ST_ACCEPTED && c->accepted_day == 0) {
		c->accepted_day = a->day;
	}
	if (a->from_state == NODE_ST_ACCEPTED_GAPS &&
	    a->to_state == NODE_ST_ACCEPTED) {
		for (size_t i = 0; i < c->n_materials_due; i++) {
			str_free(c->materials_due[i]);
		}
		c->n_materials_due = 0;
	}
	if (a->to_state == NODE_ST_REFUSED) {
		return str_set(&c->refusal_reason, a->reason);
	}
	return 0;
}

static int
apply_fields(Ow__Case *c, const Ow__Op *op)
{
	switch (op->kind) {
	case OW__OP_KIND__OP_CASE_EDIT:
		return apply_edit(c, op);
	case OW__OP_KIND__OP_CASE_ASSIGN:
		if (!stamp_later(c, "assign", op->hlc, op->origin)) {
			return 0;
		}
		if (str_set(&c->hall, op->assign->hall) != 0 ||
		    str_set(&c->assignee, op->assign->assignee) != 0) {
			return CM_ENOMEM;
		}
		return stamp_set(c, "assign", op->hlc, op->origin);
	case OW__OP_KIND__OP_CASE_NOTE:
		return apply_note(c, op);
	case OW__OP_KIND__OP_CASE_RATE:
		return apply_rate(c, op);
	case OW__OP_KIND__OP_CASE_EXTEND:
		/* Granted once; the larger grant wins everywhere (on a tie
		 * the first in the walk). */
		if (op->extend->days > c->extension) {
			c->extension = op->extend->days;
			return str_set(
			    &c->extension_reason, op->extend->reason);
		}
		return 0;
	case OW__OP_KIND__OP_CASE_DELIVER:
		return apply_deliver(c, op);
	case OW__OP_KIND__OP_CASE_REMEDY: {
		/* Each step: the last in the walk, the latest (hlc, origin). */
		char key[16];
		int rc;

		snprintf(key, sizeof(key), "remedy%u", op->remedy->step);
		if (!stamp_later(c, key, op->hlc, op->origin)) {
			return 0;
		}
		rc = node_case_remedy_step(c, op);
		return rc != 0 ? rc : stamp_set(c, key, op->hlc, op->origin);
	}
	case OW__OP_KIND__OP_CASE_ACK:
		if (!stamp_later(c, "ack", op->hlc, op->origin)) {
			return 0;
		}
		c->ack_hlc = op->hlc;
		if (str_set(&c->ack_by, op->actor) != 0) {
			return CM_ENOMEM;
		}
		return stamp_set(c, "ack", op->hlc, op->origin);
	default:
		return 0;
	}
}

/* ---- the build ----------------------------------------------------------- */

struct build {
	const Ow__VersionVector *basev; /* the base's version, or NULL */
	const Ow__Op *
	    *ids;       /* distinct ops by (origin, seq), none in the base */
	uint8_t *ready; /* per ids[] */
	size_t n;
	const Ow__Op **walk; /* ready ops in walk order */
	size_t nwalk;
	struct wf wf;
	size_t anomalies;
};

static long
find_id(const struct build *b, const char *origin, uint64_t seq)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const Ow__Op *o = b->ids[mid];
		int c = strcmp(o->origin, origin);

		if (c == 0) {
			c = o->seq < seq ? -1 : o->seq > seq ? 1 : 0;
		}
		if (c == 0) {
			return (long)mid;
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return -1;
}

/* Step 2: the greatest set of ops whose named past is present and in the
 * set. An op naming its own origin at or above its seq names its future:
 * never ready. */
static void
find_ready(struct build *b)
{
	bool changed = true;

	for (size_t i = 0; i < b->n; i++) {
		const Ow__Op *op = b->ids[i];

		b->ready[i] = repl_vv_get(op->context, op->origin) < op->seq;
	}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < b->n; i++) {
			const Ow__VersionVector *ctx = b->ids[i]->context;

			for (size_t k = 0;
			     b->ready[i] && ctx != NULL && k < ctx->n_entries;
			     k++) {
				const Ow__VersionEntry *e = ctx->entries[k];
				long j;

				if (e == NULL || e->seq == 0 ||
				    e->seq <=
				        repl_vv_get(b->basev, e->origin)) {
					continue; /* none, or in the base */
				}
				j = find_id(b, e->origin, e->seq);
				if (j < 0 || !b->ready[j]) {
					b->ready[i] = 0;
					changed = true;
				}
			}
		}
	}
}

/* Step 4: is the case in conflict? w holds the workflow ops (valid
 * transitions, forbidden ones, reassignments) in walk order, bad[] marks
 * the forbidden and stale ones. A transition settles transitions only:
 * a reassignment made after two concurrent transitions leaves the state
 * provisional. */
static bool
wf_conflict(const Ow__Op **w, const uint8_t *bad, size_t nw)
{
	for (size_t i = 0; i < nw; i++) {
		bool superseded = false;

		/* A forbidden or stale op stands out until a later
		 * workflow op follows it. */
		for (size_t k = i + 1; k < nw && bad[i] && !superseded; k++) {
			superseded = repl_op_before(w[i], w[k]);
		}
		if (bad[i] && !superseded) {
			return true;
		}
		for (size_t j = i + 1; j < nw; j++) {
			const Ow__Op *x = w[i], *y = w[j];

			if (repl_op_before(x, y)) {
				continue;
			}
			/* Two reassignments to the same target agree. */
			if (x->kind == OW__OP_KIND__OP_CASE_ASSIGN &&
			    y->kind == OW__OP_KIND__OP_CASE_ASSIGN &&
			    strcmp(x->assign->hall, y->assign->hall) == 0 &&
			    strcmp(x->assign->assignee, y->assign->assignee) ==
			        0) {
				continue;
			}
			/* Settled by a later op of a kind in dispute: two
			 * transitions by a transition, two reassignments by
			 * a reassignment, one of each by either. */
			superseded = false;
			for (size_t k = j + 1; k < nw && !superseded; k++) {
				superseded = (w[k]->kind == x->kind ||
				                 w[k]->kind == y->kind) &&
				             repl_op_before(x, w[k]) &&
				             repl_op_before(y, w[k]);
			}
			if (!superseded) {
				return true;
			}
		}
	}
	return false;
}

static int
set_version(Ow__Case *c, const struct build *b)
{
	Ow__VersionVector *vv;

	if (c->version != NULL) {
		ow__version_vector__free_unpacked(c->version, NULL);
		c->version = NULL;
	}
	vv = cm_malloc(sizeof(*vv));
	if (vv == NULL) {
		return CM_ENOMEM;
	}
	ow__version_vector__init(vv);
	c->version = vv;
	/* ids[] is in (origin, seq) order: the last ready op of each origin
	 * gives its entry, and the entries come out sorted by origin. The
	 * base's entries (all below the ops here) merge in by origin. */
	for (size_t i = 0, k = 0;; i++) {
		const Ow__VersionVector *bv = b->basev;
		const Ow__Op *op;
		int rc;

		while (i < b->n && !b->ready[i]) {
			i++;
		}
		op = i < b->n ? b->ids[i] : NULL;
		while (bv != NULL && k < bv->n_entries &&
		       (op == NULL ||
		           strcmp(bv->entries[k]->origin, op->origin) < 0)) {
			rc = node_vv_raise(
			    vv, bv->entries[k]->origin, bv->entries[k]->seq);
			if (rc != 0) {
				return rc;
			}
			k++;
		}
		if (op == NULL) {
			return 0;
		}
		rc = node_vv_raise(vv, op->origin, op->seq);
		if (rc != 0) {
			return rc;
		}
	}
}

/*
 * Steps 3 and 4 from the create, or from a base: the case as built at
 * the context of seal (b->basev is its version). Every op here is then
 * either after the seal, and so after every op of the base, or concurrent
 * with it (late: made at a hall that had not seen all of the base); a
 * late workflow op may have raced with a transition of the base that is
 * no longer at hand, so it flags the case until a later workflow op
 * follows it.
 */
static int
build_case(struct build *b, const Ow__Case *base, const Ow__Op *seal,
    const Ow__Op *create, Ow__Case **out)
{
	struct wf *wf = &b->wf;
	const Ow__Op **w = NULL;
	uint8_t *bad = NULL, *S = NULL;
	size_t nw = 0, k = 0;
	enum node_state prev, cur;
	Ow__Case *c;
	int rc = 0;

	c = node_case_dup(base != NULL ? base : create->create->initial);
	if (c == NULL) {
		return CM_ENOMEM;
	}
	if (base == NULL) {
		c->created_hlc = create->hlc;
		c->updated_hlc = create->hlc;
		c->conflict = false;
		if (str_set(&c->created_by, create->actor) != 0) {
			rc = CM_ENOMEM;
			goto done;
		}
	}
	wf->initial = (enum node_state)c->state;

	/* The transitions and the workflow ops, in walk order. */
	wf->acts = cm_calloc(b->nwalk, sizeof(*wf->acts));
	w = cm_calloc(b->nwalk, sizeof(*w));
	bad = cm_calloc(b->nwalk, 1);
	if (wf->acts == NULL || w == NULL || bad == NULL) {
		rc = CM_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < b->nwalk; i++) {
		const Ow__Op *op = b->walk[i];

		bool late;

		if (op->kind != OW__OP_KIND__OP_CASE_ACT &&
		    op->kind != OW__OP_KIND__OP_CASE_ASSIGN) {
			continue;
		}
		late = seal != NULL && !repl_op_before(seal, op);
		if (op->kind == OW__OP_KIND__OP_CASE_ACT && !act_ok(op->act)) {
			bad[nw] = 1;
			b->anomalies++;
		} else if (op->kind == OW__OP_KIND__OP_CASE_ACT && !late) {
			wf->acts[wf->a++] = op;
		}
		/* A late one flags the case; a late transition has no
		 * effect on the state either (the base's transitions it
		 * raced with are no longer at hand to judge it). */
		bad[nw] = bad[nw] || late;
		w[nw++] = op;
	}
	wf->bef = cm_calloc(wf->a * wf->a + 1, 1);
	S = cm_calloc(wf->a + 1, 1);
	if (wf->bef == NULL || S == NULL) {
		rc = CM_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < wf->a; i++) {
		for (size_t j = i + 1; j < wf->a; j++) {
			wf->bef[i * wf->a + j] =
			    repl_op_before(wf->acts[i], wf->acts[j]);
		}
	}

	/* Step 3: the walk. S grows by one transition at a time (the
	 * prefix, closed under "before" because the walk order extends
	 * it). */
	prev = wf->initial;
	for (size_t i = 0; i < b->nwalk && rc == 0; i++) {
		const Ow__Op *op = b->walk[i];

		if (op == create || op->kind == OW__OP_KIND__OP_CASE_CREATE ||
		    op->kind == OW__OP_KIND__OP_CASE_SEAL) {
			continue; /* the create, an extra one, a seal */
		}
		if (op->hlc > c->updated_hlc) {
			c->updated_hlc = op->hlc;
		}
		if (op->kind != OW__OP_KIND__OP_CASE_ACT) {
			rc = apply_fields(c, op);
			continue;
		}
		if (k >= wf->a || wf->acts[k] != op) {
			continue; /* a forbidden transition: no effect */
		}
		S[k++] = 1;
		rc = wf_state(wf, S, &cur);
		if (rc == 0 && cur != prev) {
			rc = track_pause(
			    c, prev, cur, op->act->day, op->act->reason);
		}
		if (rc == 0 && prev == (enum node_state)op->act->from_state &&
		    cur == (enum node_state)op->act->to_state) {
			rc = apply_act_effects(c, op->act);
		}
		prev = cur;
	}
	if (rc != 0) {
		goto done;
	}
	c->state = (uint32_t)prev;

	/* Stale transitions: made from a state that their own past does
	 * not give (a bug or a forgery, never an honest hall). */
	for (size_t i = 0, wi = 0; i < wf->a && rc == 0; i++) {
		enum node_state s;

		for (size_t j = 0; j < wf->a; j++) {
			S[j] = j < i && wf->bef[j * wf->a + i];
		}
		rc = wf_state(wf, S, &s);
		if (rc != 0 ||
		    s == (enum node_state)wf->acts[i]->act->from_state) {
			continue;
		}
		b->anomalies++;
		while (wi < nw && w[wi] != wf->acts[i]) {
			wi++;
		}
		if (wi < nw) {
			bad[wi] = 1;
		}
	}
	if (rc == 0) {
		c->conflict = c->conflict || wf_conflict(w, bad, nw);
		rc = set_version(c, b);
	}
done:
	cm_free(wf->acts);
	cm_free(wf->bef);
	wf->acts = NULL;
	wf->bef = NULL;
	cm_free(w);
	cm_free(bad);
	cm_free(S);
	if (rc != 0) {
		node_case_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* Is op in the set a version covers (its seq at or below its origin's
 * entry)? */
static bool
covered(const Ow__VersionVector *v, const Ow__Op *op)
{
	return v != NULL && op->seq <= repl_vv_get(v, op->origin);
}

/*
 * One build from base (NULL: from the first ready create), as built at
 * the context of seal, and ops; the ops the base covers are left out.
 * *creator is the creating hall (set from the create when there is no
 * base). With next non-NULL, the earliest ready seal of the creating hall
 * after seal is looked for first: if there is one, *next is set and
 * nothing is built (seals of other halls are anomalies without effect).
 */
static int
build_once(const Ow__Case *base, const Ow__Op *seal, const char **creator,
    Ow__Op *const *ops, size_t n, const Ow__Op **next, Ow__Case **out,
    struct repl_case_stats *st)
{
	struct build b;
	const Ow__Op *create = NULL;
	size_t ncreates = 0, extra;
	const char *case_id;
	int rc = 0;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	if (n == 0) {
		goto done;
	}
	b.basev = base != NULL ? base->version : NULL;
	case_id = base != NULL ? base->id : ops[0]->case_id;
	b.ids = cm_calloc(n, sizeof(*b.ids));
	b.ready = cm_calloc(n, 1);
	b.walk = cm_calloc(n, sizeof(*b.walk));
	if (b.ids == NULL || b.ready == NULL || b.walk == NULL) {
		rc = CM_ENOMEM;
		goto done;
	}
	/* Step 1. */
	for (size_t i = 0; i < n; i++) {
		if (ops[i] == NULL || ops[i]->origin == NULL ||
		    ops[i]->case_id == NULL || case_id == NULL ||
		    strcmp(ops[i]->case_id, case_id) != 0 || !body_ok(ops[i])) {
			b.anomalies++;
			continue;
		}
		if (covered(b.basev, ops[i])) {
			continue; /* in the base already */
		}
		b.ids[b.n++] = ops[i];
	}
	qsort(b.ids, b.n, sizeof(*b.ids), id_qsort);
	{
		size_t m = 0;

		for (size_t i = 0; i < b.n; i++) {
			if (m > 0 && id_cmp(b.ids[m - 1], b.ids[i]) == 0) {
				continue; /* the same (origin, seq) again */
			}
			b.ids[m++] = b.ids[i];
		}
		b.n = m;
	}
	/* Step 2. */
	find_ready(&b);
	for (size_t i = 0; i < b.n; i++) {
		if (b.ready[i]) {
			b.walk[b.nwalk++] = b.ids[i];
		}
	}
	qsort(b.walk, b.nwalk, sizeof(*b.walk), key_qsort);
	/* From scratch, the first create in the walk makes the case; a
	 * second one is an anomaly that stays flagged, as is any create on
	 * a base. */
	for (size_t i = 0; i < b.nwalk; i++) {
		if (b.walk[i]->kind == OW__OP_KIND__OP_CASE_CREATE) {
			if (create == NULL && base == NULL) {
				create = b.walk[i];
			}
			ncreates++;
		}
	}
	extra = ncreates - (ncreates > 0 && base == NULL ? 1 : 0);
	b.anomalies += extra;
	if (base == NULL) {
		if (create == NULL) {
			goto done;
		}
		*creator = create->origin;
	}
	for (size_t i = 0; next != NULL && i < b.nwalk; i++) {
		const Ow__Op *op = b.walk[i];

		if (op->kind != OW__OP_KIND__OP_CASE_SEAL) {
			continue;
		}
		if (*creator == NULL || strcmp(op->origin, *creator) != 0) {
			b.anomalies++;
		} else if ((seal == NULL || op->seq > seal->seq) &&
		           (*next == NULL || op->seq < (*next)->seq)) {
			*next = op;
		}
	}
	if (next != NULL && *next != NULL) {
		goto done;
	}
	rc = build_case(&b, base, seal, create, out);
	if (rc == 0 && extra > 0) {
		(*out)->conflict = true;
	}
done:
	if (st != NULL) {
		st->ops += b.n;
		st->ready += b.nwalk;
		st->anomalies += b.anomalies;
	}
	cm_free(b.ids);
	cm_free(b.ready);
	cm_free(b.walk);
	return rc;
}

/*
 * The case from base (as built at the context of seal; NULL for none)
 * and ops. Each later seal of the creating hall, in seq order, first
 * gives the case at its context, from which the build goes on: so the
 * case is the same whether a hall still holds the ops a seal covers or
 * only the base it kept for them.
 */
static int
build_from(const Ow__Case *base, const Ow__Op *seal, const char *creator,
    Ow__Op *const *ops, size_t n, Ow__Case **out, struct repl_case_stats *st,
    struct repl_case_base *last)
{
	Ow__Case *owned = NULL;
	Ow__Op **cur = NULL, **sub = NULL;
	size_t ncur = n;
	int rc = 0;

	*out = NULL;
	if (st != NULL) {
		memset(st, 0, sizeof(*st));
	}
	cur = cm_calloc(n + 1, sizeof(*cur));
	sub = cm_calloc(n + 1, sizeof(*sub));
	if (cur == NULL || sub == NULL) {
		rc = CM_ENOMEM;
		goto done;
	}
	memcpy(cur, ops, n * sizeof(*cur));
	for (;;) {
		const Ow__Op *next = NULL;
		Ow__Case *at = NULL;
		size_t ns = 0, nr = 0;

		rc = build_once(base, seal, &creator, cur, ncur, &next, out,
		    owned == NULL ? st : NULL);
		if (rc != 0 || next == NULL) {
			break;
		}
		/* The case at the next seal's context: the ops it covers
		 * hold no seal of the creating hall after the last one. */
		for (size_t i = 0; i < ncur; i++) {
			if (cur[i] != NULL && covered(next->context, cur[i])) {
				sub[ns++] = cur[i];
			}
		}
		rc = build_once(base, seal, &creator, sub, ns, NULL, &at, NULL);
		if (rc == 0 && at == NULL) {
			at = base != NULL ? node_case_dup(base) : NULL;
			rc = base != NULL && at == NULL ? CM_ENOMEM : 0;
		}
		if (rc != 0 || at == NULL) {
			break; /* no create in its past: no case */
		}
		for (size_t i = 0; i < ncur; i++) {
			if (cur[i] != NULL && !covered(next->context, cur[i])) {
				cur[nr++] = cur[i];
			}
		}
		ncur = nr;
		node_case_free(owned);
		owned = at;
		base = at;
		seal = next;
	}
done:
	if (rc != 0 && *out != NULL) {
		node_case_free(*out);
		*out = NULL;
	}
	if (rc == 0 && last != NULL && owned != NULL) {
		last->c = owned; /* the caller's now */
		last->seal = seal;
		owned = NULL;
	}
	node_case_free(owned);
	cm_free(cur);
	cm_free(sub);
	return rc;
}

int
repl_case_build(
    Ow__Op *const *ops, size_t n, Ow__Case **out, struct repl_case_stats *st)
{
	if (out == NULL || ops == NULL || n == 0 || ops[0] == NULL) {
		return CM_EINVAL;
	}
	return build_from(NULL, NULL, NULL, ops, n, out, st, NULL);
}

int
repl_case_build_on(const struct repl_case_base *base, Ow__Op *const *ops,
    size_t n, Ow__Case **out, struct repl_case_stats *st)
{
	if (base == NULL || base->c == NULL) {
		return repl_case_build(ops, n, out, st);
	}
	if (out == NULL || (ops == NULL && n > 0) || base->seal == NULL ||
	    base->c->version == NULL || base->c->id == NULL) {
		return CM_EINVAL;
	}
	if (n == 0) {
		*out = node_case_dup(base->c);
		return *out == NULL ? CM_ENOMEM : 0;
	}
	return build_from(
	    base->c, base->seal, base->seal->origin, ops, n, out, st, NULL);
}

int
repl_case_seal_point(const struct repl_case_base *base, Ow__Op *const *ops,
    size_t n, struct repl_case_base *at, Ow__Case **out)
{
	Ow__Case *c = NULL;
	int rc;

	if (at == NULL || ops == NULL || n == 0 || ops[0] == NULL) {
		return CM_EINVAL;
	}
	at->c = NULL;
	at->seal = NULL;
	if (base != NULL && base->c != NULL) {
		if (base->seal == NULL || base->c->version == NULL ||
		    base->c->id == NULL) {
			return CM_EINVAL;
		}
		rc = build_from(base->c, base->seal, base->seal->origin, ops, n,
		    &c, NULL, at);
	} else {
		rc = build_from(NULL, NULL, NULL, ops, n, &c, NULL, at);
	}
	if (out != NULL) {
		*out = c; /* the caller's (NULL on failure) */
	} else {
		node_case_free(c);
	}
	return rc;
}
