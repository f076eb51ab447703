/*
 * effects.c: the effects the core returns (see core.h), and its reports.
 */
#include "core_int.h"

#include <string.h>

#include "common/alloc.h"
#include "common/error.h"

static const char *const repl_event_names[REPL_EV__COUNT] = {
#define REPL_XX_EVNAME(name, str) [REPL_EV_##name] = str,
    REPL_EVENT_MAP(REPL_XX_EVNAME)
#undef REPL_XX_EVNAME
};

const char *
repl_event_name(enum repl_event ev)
{
	return (unsigned)ev < REPL_EV__COUNT ? repl_event_names[ev]
	                                     : "repl.unknown";
}

void
repl_effects_init(struct repl_effects *fx)
{
	memset(fx, 0, sizeof(*fx));
}

void
repl__fx_op_free(struct repl_fx_op *o)
{
	cm_free(o->buf);
	if (o->op != NULL) {
		ow__op__free_unpacked(o->op, NULL);
	}
	memset(o, 0, sizeof(*o));
}

static void
fx_item_free(struct repl_effect *e)
{
	cm_free(e->buf);
	for (size_t i = 0; i < e->nops; i++) {
		repl__fx_op_free(&e->ops[i]);
	}
	cm_free(e->ops);
	cm_free(e->heads);
	memset(e, 0, sizeof(*e));
}

/* Drop the items from n on (a failed call takes back what it added). */
void
repl__fx_truncate(struct repl_effects *fx, size_t n)
{
	while (fx->n > n) {
		fx_item_free(&fx->items[--fx->n]);
	}
}

void
repl_effects_reset(struct repl_effects *fx)
{
	repl__fx_truncate(fx, 0);
}

void
repl_effects_free(struct repl_effects *fx)
{
	repl_effects_reset(fx);
	cm_free(fx->items);
	memset(fx, 0, sizeof(*fx));
}

/* A new zeroed item of kind, or NULL. */
struct repl_effect *
repl__fx_push(struct repl_effects *fx, enum repl_fx_kind kind)
{
	struct repl_effect *e;

	if (fx->n == fx->cap) {
		size_t ncap = fx->cap == 0 ? 8 : fx->cap * 2;
		struct repl_effect *ni =
		    cm_reallocarray(fx->items, ncap, sizeof(*ni));

		if (ni == NULL) {
			return NULL;
		}
		fx->items = ni;
		fx->cap = ncap;
	}
	e = &fx->items[fx->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

void
repl__copy_id(char dst[NODE_ORIGIN_MAX + 1], const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n > NODE_ORIGIN_MAX) {
		n = NODE_ORIGIN_MAX;
	}
	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
}

int
repl__report(struct repl_effects *fx, enum repl_event ev, int code,
    const char *peer, const char *origin, uint64_t seq)
{
	struct repl_effect *e = repl__fx_push(fx, REPL_FX_REPORT);

	if (e == NULL) {
		return CM_ENOMEM;
	}
	e->event = ev;
	e->code = code;
	e->seq = seq;
	repl__copy_id(e->peer, peer);
	repl__copy_id(e->origin, origin);
	return 0;
}
