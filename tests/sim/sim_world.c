/*
 * sim_world.c: the simulated world: the scenario a seed draws, the event
 * queue, the network and the faults (see sim.h).
 *
 * Events are kept in a binary heap ordered by (time, insertion number),
 * so that two events at the same millisecond run in the order they were
 * made: the run is a pure function of the seed.
 */
#include "sim.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"

enum ev_kind {
	EV_DELIVER,
	EV_TIMER,
	EV_CLIENT,
	EV_SYNC,
	EV_CRASH,
	EV_RESTART,
	EV_PARTITION,
	EV_UNPARTITION,
	EV_CLOCK,
	EV_NET,
	EV_INJECT,
	EV_HEAL,
	EV_CHECK,
	EV_DEADLINE,
	EV_COMPACT,
};

struct sim_event {
	uint64_t at, seq;
	enum ev_kind kind;
	int hall, from;
	uint64_t gen, tok;
	uint8_t *buf;
	size_t len;
	bool is_injected;
	uint64_t heads[SIM_HALLS_MAX];
	uint64_t hlc;
	int64_t arg;
};

/* The partition in force (an UNPARTITION event ends only its own); one
 * world runs per process at a time. */
static uint64_t partition_tok;

void
sim_fail(struct sim_world *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failure[0] != '\0') {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->failure, sizeof(w->failure), fmt, ap);
	va_end(ap);
	w->is_done = true;
}

void
sim_trace(struct sim_world *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->verbose) {
		return;
	}
	fprintf(stderr, "%8llu.%03llu ", (unsigned long long)(w->now / 1000),
	    (unsigned long long)(w->now % 1000));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the queue ------------------------------------------------------------- */

static bool
ev_less(const struct sim_event *a, const struct sim_event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

/* Push an event; the caller fills in its other fields at once, through
 * the pointer returned (valid until the next push or pop). NULL after a
 * failure, which stops the world. */
static struct sim_event *
ev_new(struct sim_world *w, uint64_t at, enum ev_kind kind)
{
	static struct sim_event zero;
	struct sim_event *e;
	size_t i;

	if (w->nq == w->cq) {
		size_t n = w->cq == 0 ? 256 : w->cq * 2;
		struct sim_event *nq = cm_reallocarray(w->q, n, sizeof(*nq));

		if (nq == NULL) {
			sim_fail(w, "out of memory (event queue)");
			return NULL;
		}
		w->q = nq;
		w->cq = n;
	}
	/* Sift up from the end; the new event is written at its place. */
	i = w->nq++;
	{
		struct sim_event ne = zero;

		ne.at = at;
		ne.seq = w->qseq++;
		ne.kind = kind;
		while (i > 0 && ev_less(&ne, &w->q[(i - 1) / 2])) {
			w->q[i] = w->q[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		w->q[i] = ne;
	}
	e = &w->q[i];
	return e;
}

/* Take the earliest event. */
static void
ev_pop(struct sim_world *w, struct sim_event *out)
{
	size_t i = 0;
	struct sim_event last;

	*out = w->q[0];
	last = w->q[--w->nq];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= w->nq) {
			break;
		}
		if (c + 1 < w->nq && ev_less(&w->q[c + 1], &w->q[c])) {
			c++;
		}
		if (!ev_less(&w->q[c], &last)) {
			break;
		}
		w->q[i] = w->q[c];
		i = c;
	}
	if (w->nq > 0) {
		w->q[i] = last;
	}
}

/* ---- the network ------------------------------------------------------------ */

static uint64_t
net_delay(struct sim_world *w)
{
	uint64_t d = (uint64_t)sim_rng_range(&w->rng, w->delay_min,
	    w->delay_max > w->delay_min ? w->delay_max : w->delay_min);

	if (w->long_pm > 0 && sim_rng_chance(&w->rng, w->long_pm)) {
		d += (uint64_t)sim_rng_range(&w->rng, 1, w->long_max);
	}
	return d;
}

static void
net_schedule(struct sim_world *w, int from, int to, const uint8_t *buf,
    size_t len, bool is_injected)
{
	struct sim_event *e;
	uint8_t *copy = cm_malloc(len);

	if (copy == NULL) {
		sim_fail(w, "out of memory (message)");
		return;
	}
	memcpy(copy, buf, len);
	e = ev_new(w, w->now + net_delay(w), EV_DELIVER);
	if (e == NULL) {
		cm_free(copy);
		return;
	}
	e->hall = to;
	e->from = from;
	e->gen = w->halls[to].gen;
	e->buf = copy;
	e->len = len;
	e->is_injected = is_injected;
}

void
sim_net_send(struct sim_world *w, int from, int to, const uint8_t *buf,
    size_t len, bool is_injected)
{
	w->st.messages++;
	if (to < 0 || to >= w->nhalls || (from >= 0 && w->cut[from][to]) ||
	    !w->halls[to].is_up) {
		w->st.dropped++;
		return;
	}
	if (w->drop_pm > 0 && sim_rng_chance(&w->rng, w->drop_pm)) {
		w->st.dropped++;
		return;
	}
	net_schedule(w, from, to, buf, len, is_injected);
	if (w->dup_pm > 0 && sim_rng_chance(&w->rng, w->dup_pm)) {
		w->st.dups++;
		net_schedule(w, from, to, buf, len, is_injected);
	}
}

void
sim_schedule_timer(struct sim_world *w, struct sim_hall *h)
{
	uint64_t t;
	struct sim_event *e;

	if (!h->is_up || h->core == NULL) {
		return;
	}
	t = repl_next_timer(h->core);
	if (t == UINT64_MAX) {
		return;
	}
	if (t <= w->now) {
		t = w->now + 1;
	}
	e = ev_new(w, t, EV_TIMER);
	if (e != NULL) {
		e->hall = h->idx;
		e->gen = h->gen;
		e->tok = ++h->timer_tok;
	}
}

/*
 * A PERSIST effect is written at once and synced a little later, in
 * order (the WAL syncs batches in the order they were written), so a
 * crash in between loses it.
 */
void
sim_schedule_sync(
    struct sim_world *w, struct sim_hall *h, const struct repl_effect *e)
{
	uint64_t at = w->now + (uint64_t)sim_rng_range(&w->rng, 0, 40);
	struct sim_event *ev;

	if (at < h->sync_at) {
		at = h->sync_at;
	}
	h->sync_at = at;
	ev = ev_new(w, at, EV_SYNC);
	if (ev == NULL) {
		return;
	}
	ev->hall = h->idx;
	ev->gen = h->gen;
	ev->hlc = e->hlc;
	for (int o = 0; o < w->nhalls; o++) {
		ev->heads[o] = h->written[o];
	}
}

/* The hall's next compaction pass (seals, and compaction), every few
 * seconds while it is up. */
void
sim_schedule_compact(struct sim_world *w, struct sim_hall *h)
{
	struct sim_event *e = ev_new(w,
	    w->now + (uint64_t)sim_rng_range(&w->rng, 1500, 6000), EV_COMPACT);

	if (e != NULL) {
		e->hall = h->idx;
		e->gen = h->gen;
	}
}

/* ---- the scenario --------------------------------------------------------------- */

static void
link_pair(struct sim_world *w, int a, int b)
{
	if (a != b) {
		w->link[a][b] = w->link[b][a] = true;
	}
}

/* Who pulls from whom: a full mesh for small worlds, else a star, two
 * hubs, or a sparse connected graph (a spanning tree and a few edges). */
static void
make_topology(struct sim_world *w)
{
	int n = w->nhalls;
	uint64_t kind = n <= 8 && sim_rng_chance(&w->rng, 600)
	                    ? 0
	                    : 1 + sim_rng_below(&w->rng, 3);

	for (int a = 0; a < n; a++) {
		for (int b = 0; b < n; b++) {
			switch (kind) {
			case 0:
				link_pair(w, a, b);
				break;
			case 1:
				if (a == 0) {
					link_pair(w, a, b);
				}
				break;
			case 2:
				/* Hubs 0 and 1 linked; each leaf on one. */
				if (a == 0 && b == 1) {
					link_pair(w, a, b);
				} else if (a < 2 && b >= 2 && b % 2 == a) {
					link_pair(w, a, b);
				}
				break;
			default:
				break;
			}
		}
	}
	if (kind == 3) {
		for (int b = 1; b < n; b++) {
			link_pair(
			    w, b, (int)sim_rng_below(&w->rng, (uint64_t)b));
		}
		for (int k = 0; k < n / 2; k++) {
			link_pair(w, (int)sim_rng_below(&w->rng, (uint64_t)n),
			    (int)sim_rng_below(&w->rng, (uint64_t)n));
		}
	}
	sim_trace(w, "topology %s",
	    kind == 0   ? "mesh"
	    : kind == 1 ? "star"
	    : kind == 2 ? "two hubs"
	                : "sparse");
}

static void
make_halls(struct sim_world *w, const struct sim_params *p)
{
	for (int i = 0; i < w->nhalls; i++) {
		struct sim_hall *h = &w->halls[i];
		unsigned char seed[32];

		h->idx = i;
		snprintf(h->id, sizeof(h->id), "hall-%02d", i);
		snprintf(h->code, sizeof(h->code), "H%02d", i);
		for (size_t k = 0; k < sizeof(seed); k += 8) {
			uint64_t v = sim_rng_next(&w->rng);

			memcpy(seed + k, &v, 8);
		}
		crypto_sign_seed_keypair(h->kp.pk, h->kp.sk, seed);
		h->skew_ms = sim_rng_range(&w->rng, -2000, 2000);
		repl_config_default(&h->cfg);
		h->cfg.max_batch_bytes = p->max_batch;
		h->cfg.held_max_bytes = p->held_max;
		h->cfg.pull_interval_ms = 2000;
		h->cfg.pull_timeout_ms = 1000;
		h->cfg.backoff_min_ms = 200;
		h->cfg.backoff_max_ms = 8000;
		h->cfg.max_ahead_ms = 30000;
		h->cfg.hint_interval_ms = 20;
		/* Longer than any run (and so than any partition or crash):
		 * every hall always counts for what every hall holds, and
		 * none is ever left to re-seed. */
		h->cfg.lapse_ms = 3600000;
		for (int j = 0; j < w->nhalls; j++) {
			if (w->link[i][j]) {
				h->peers[h->npeers++] = j;
			}
		}
	}
}

static void
schedule_faults(struct sim_world *w, uint64_t T)
{
	unsigned nfaults = (unsigned)sim_rng_below(&w->rng, 10);
	unsigned ninject = (unsigned)sim_rng_below(&w->rng, 7);

	for (unsigned i = 0; i < nfaults; i++) {
		uint64_t at = sim_rng_below(&w->rng, T);
		uint64_t what = sim_rng_below(&w->rng, 100);
		struct sim_event *e;

		if (what < 35) {
			e = ev_new(w, at, EV_PARTITION);
			if (e != NULL) {
				/* 0 halves, 1 a bridge hall, 2 one hall cut
				 * off for long. */
				e->arg = (int64_t)sim_rng_below(&w->rng, 3);
				e->tok = e->arg == 2
				             ? (uint64_t)sim_rng_range(
				                   &w->rng, 20000, (int64_t)T)
				             : (uint64_t)sim_rng_range(
				                   &w->rng, 1000, 30000);
			}
		} else if (what < 60) {
			e = ev_new(w, at, EV_CRASH);
			if (e != NULL) {
				e->hall = (int)sim_rng_below(
				    &w->rng, (uint64_t)w->nhalls);
				e->tok = (uint64_t)sim_rng_range(
				    &w->rng, 300, 15000);
			}
		} else if (what < 80) {
			e = ev_new(w, at, EV_CLOCK);
			if (e != NULL) {
				e->hall = (int)sim_rng_below(
				    &w->rng, (uint64_t)w->nhalls);
				/* Some jumps pass the 30 s bound. */
				e->arg = sim_rng_range(&w->rng, -60000, 60000);
			}
		} else {
			e = ev_new(w, at, EV_NET);
			if (e != NULL) {
				e->arg = (int64_t)sim_rng_below(&w->rng, 400);
			}
		}
	}
	for (unsigned i = 0; i < ninject; i++) {
		ev_new(w, sim_rng_below(&w->rng, T), EV_INJECT);
	}
}

/* ---- faults ------------------------------------------------------------------------- */

static void
partition(struct sim_world *w, int kind, uint64_t duration)
{
	int n = w->nhalls, side[SIM_HALLS_MAX], bridge = -1;
	struct sim_event *e;

	memset(w->cut, 0, sizeof(w->cut));
	if (kind == 2) {
		int lone = (int)sim_rng_below(&w->rng, (uint64_t)n);

		for (int a = 0; a < n; a++) {
			w->cut[a][lone] = w->cut[lone][a] = a != lone;
		}
		sim_trace(w, "partition: %s cut off for %llu ms",
		    w->halls[lone].id, (unsigned long long)duration);
	} else {
		for (int a = 0; a < n; a++) {
			side[a] = (int)sim_rng_below(&w->rng, 2);
		}
		if (kind == 1) {
			bridge = (int)sim_rng_below(&w->rng, (uint64_t)n);
		}
		for (int a = 0; a < n; a++) {
			for (int b = 0; b < n; b++) {
				w->cut[a][b] = side[a] != side[b] &&
				               a != bridge && b != bridge;
			}
		}
		sim_trace(w, "partition: halves%s for %llu ms",
		    kind == 1 ? " with a bridge" : "",
		    (unsigned long long)duration);
	}
	w->st.partitions++;
	e = ev_new(w, w->now + duration, EV_UNPARTITION);
	if (e != NULL) {
		e->tok = ++partition_tok;
	}
}

static void
crash(struct sim_world *w, struct sim_hall *h, uint64_t down_for)
{
	struct sim_event *e;

	if (!h->is_up) {
		return;
	}
	sim_trace(
	    w, "%s crashes for %llu ms", h->id, (unsigned long long)down_for);
	sim_hall_crash(w, h);
	w->st.crashes++;
	e = ev_new(w, w->now + down_for, EV_RESTART);
	if (e != NULL) {
		e->hall = h->idx;
		e->gen = h->gen;
	}
}

static void
restart(struct sim_world *w, struct sim_hall *h)
{
	if (h->is_up) {
		return;
	}
	sim_trace(w, "%s restarts", h->id);
	if (sim_hall_start(w, h) != 0) {
		sim_fail(w, "%s does not restart", h->id);
	}
}

static void
set_net(struct sim_world *w, uint64_t r)
{
	w->drop_pm = (unsigned)(r % 250);
	w->dup_pm = (unsigned)(r % 7) * 15;
	w->delay_min = 1 + (uint32_t)(r % 10);
	w->delay_max = w->delay_min + (uint32_t)(r % 200);
	w->long_pm = (unsigned)(r % 5) * 10;
	w->long_max = 1000 + (uint32_t)(r % 3000);
	sim_trace(w, "network: drop %u‰ dup %u‰ delay %u..%u ms, long %u‰",
	    w->drop_pm, w->dup_pm, w->delay_min, w->delay_max, w->long_pm);
}

static void
heal(struct sim_world *w)
{
	sim_trace(w, "faults stop: the network heals, clocks are set right");
	w->is_healed = true;
	memset(w->cut, 0, sizeof(w->cut));
	w->drop_pm = w->dup_pm = w->long_pm = 0;
	w->delay_min = 1;
	w->delay_max = 5;
	for (int i = 0; i < w->nhalls; i++) {
		w->halls[i].skew_ms = 0;
		restart(w, &w->halls[i]);
	}
}

/* ---- the loop ------------------------------------------------------------------------- */

static void
deliver(struct sim_world *w, struct sim_event *e)
{
	struct sim_hall *h = &w->halls[e->hall];
	struct repl_effects fx;
	const char *from = e->from >= 0 ? w->halls[e->from].id : "rogue";
	int rc;

	if (!h->is_up || e->gen != h->gen) {
		w->st.dropped++;
		return;
	}
	repl_effects_init(&fx);
	w->is_injecting = e->is_injected;
	rc = repl_on_message(
	    h->core, w->now, sim_hall_wall(w, h), from, e->buf, e->len, &fx);
	if (rc != 0) {
		sim_fail(w, "%s: repl_on_message: %s", h->id, cm_err_name(rc));
	}
	sim_hall_effects(w, h, &fx);
	w->is_injecting = false;
	repl_effects_free(&fx);
	sim_schedule_timer(w, h);
	sim_check_hall(w, h);
}

static void
timer(struct sim_world *w, struct sim_event *e)
{
	struct sim_hall *h = &w->halls[e->hall];
	struct repl_effects fx;
	int rc;

	if (!h->is_up || e->gen != h->gen || e->tok != h->timer_tok) {
		return;
	}
	repl_effects_init(&fx);
	repl_set_wall(h->core, sim_hall_wall(w, h));
	rc = repl_on_timer(h->core, w->now, &fx);
	if (rc != 0) {
		sim_fail(w, "%s: repl_on_timer: %s", h->id, cm_err_name(rc));
	}
	sim_hall_effects(w, h, &fx);
	repl_effects_free(&fx);
	sim_schedule_timer(w, h);
	sim_check_hall(w, h);
}

static bool probe(struct sim_world *w);

static void
run_event(struct sim_world *w, struct sim_event *e)
{
	struct sim_hall *h =
	    e->hall >= 0 && e->hall < w->nhalls ? &w->halls[e->hall] : NULL;

	w->st.events++;
	switch (e->kind) {
	case EV_DELIVER:
		deliver(w, e);
		break;
	case EV_TIMER:
		timer(w, e);
		break;
	case EV_CLIENT:
		if (h->is_up) {
			sim_hall_client(w, h);
			sim_schedule_timer(w, h);
			sim_check_hall(w, h);
		}
		break;
	case EV_SYNC:
		if (h->is_up && e->gen == h->gen) {
			sim_hall_sync(w, h, e->heads, e->hlc);
		}
		break;
	case EV_CRASH:
		if (!w->is_healed) {
			crash(w, h, e->tok);
		}
		break;
	case EV_RESTART:
		if (e->gen == h->gen) {
			restart(w, h);
		}
		break;
	case EV_PARTITION:
		if (!w->is_healed) {
			partition(w, (int)e->arg, e->tok);
		}
		break;
	case EV_UNPARTITION:
		if (e->tok == partition_tok) {
			memset(w->cut, 0, sizeof(w->cut));
			sim_trace(w, "partition ends");
		}
		break;
	case EV_CLOCK:
		if (!w->is_healed) {
			h->skew_ms += e->arg;
			w->st.clock_jumps++;
			sim_trace(w, "%s: clock jumps %+lld ms (skew %+lld)",
			    h->id, (long long)e->arg, (long long)h->skew_ms);
		}
		break;
	case EV_NET:
		if (!w->is_healed) {
			set_net(w, (uint64_t)e->arg * 7919u);
		}
		break;
	case EV_INJECT:
		sim_inject(w);
		break;
	case EV_HEAL:
		heal(w);
		break;
	case EV_CHECK:
		if (!sim_check_converged(w)) {
			if (w->is_probing &&
			    w->now > w->probe_at + SIM_LAG_MAX_MS) {
				sim_fail(w,
				    "an op made after healing took over "
				    "%u ms to reach every hall",
				    SIM_LAG_MAX_MS);
			}
			ev_new(
			    w, w->now + (w->is_probing ? 10 : 500), EV_CHECK);
		} else if (!w->is_probing && probe(w)) {
			ev_new(w, w->now + 10, EV_CHECK);
		} else {
			if (w->is_probing) {
				w->st.lag_ms = w->now - w->probe_at;
			}
			sim_check_final(w);
			w->is_done = true;
		}
		break;
	case EV_DEADLINE:
		sim_fail(w, "no convergence %llu s after the faults stopped",
		    (unsigned long long)((w->now - w->heal_at) / 1000));
		break;
	case EV_COMPACT:
		if (h->is_up && e->gen == h->gen) {
			sim_hall_compact(w, h);
			sim_schedule_timer(w, h);
			sim_check_hall(w, h);
			sim_schedule_compact(w, h);
		}
		break;
	}
}

/*
 * The lag probe: a client op at a hall whose clock is sane (a hall whose
 * clock jumped ahead keeps stamping ahead for a while, and its ops wait
 * at the others: that is the bound doing its job, not lag). Returns false
 * when no hall qualifies.
 */
static bool
probe(struct sim_world *w)
{
	int start = (int)sim_rng_below(&w->rng, (uint64_t)w->nhalls);

	w->st.converge_ms = w->now - w->heal_at;
	for (int k = 0; k < w->nhalls; k++) {
		struct sim_hall *h = &w->halls[(start + k) % w->nhalls];

		if (CM_HLC_MS(h->hlc.last) > sim_hall_wall(w, h) + 10000) {
			continue;
		}
		w->is_probing = true;
		w->probe_at = w->now;
		sim_trace(w, "lag probe at %s", h->id);
		sim_hall_client(w, h);
		sim_schedule_timer(w, h);
		sim_check_hall(w, h);
		return true;
	}
	return false;
}

static void
world_free(struct sim_world *w)
{
	for (int i = 0; i < w->nhalls; i++) {
		sim_hall_free(&w->halls[i]);
	}
	for (size_t i = 0; i < w->nops; i++) {
		cm_free(w->ops[i].buf);
		ow__op__free_unpacked(w->ops[i].op, NULL);
	}
	cm_free(w->ops);
	for (int o = 0; o < SIM_HALLS_MAX; o++) {
		cm_free(w->by_origin[o]);
	}
	for (size_t i = 0; i < w->ncases; i++) {
		cm_free(w->cases[i].ops);
	}
	cm_free(w->cases);
	for (size_t i = 0; i < w->nq; i++) {
		cm_free(w->q[i].buf);
	}
	cm_free(w->q);
}

int
sim_run(uint64_t seed, bool verbose, struct sim_stats *st, char *failure,
    size_t fsize)
{
	static const uint64_t batch_caps[] = {
	    1024, 2048, 8192, 65536, REPL_BATCH_MAX};
	static const size_t held_caps[] = {2048, 65536, 8u << 20};
	struct sim_world *w = cm_calloc(1, sizeof(*w));
	struct sim_params p;
	struct sim_event e;
	uint64_t T, nclient;
	uint64_t r;
	int rc;

	if (w == NULL) {
		snprintf(failure, fsize, "out of memory");
		return 1;
	}
	w->seed = seed;
	w->rng.s = seed;
	w->verbose = verbose;
	w->epoch_ms = UINT64_C(1772409600000); /* 2026-03-02T00:00:00Z */
	partition_tok = 0;
	/* Sizes: mostly small worlds, where faults bite hardest. */
	r = sim_rng_below(&w->rng, 100);
	w->nhalls = r < 50   ? (int)sim_rng_range(&w->rng, 3, 6)
	            : r < 80 ? (int)sim_rng_range(&w->rng, 7, 12)
	                     : (int)sim_rng_range(&w->rng, 13, SIM_HALLS_MAX);
	p.max_batch = (uint32_t)batch_caps[sim_rng_below(&w->rng, 5)];
	p.held_max = held_caps[sim_rng_below(&w->rng, 3)];
	T = (uint64_t)sim_rng_range(&w->rng, 20000, 60000);
	nclient = (uint64_t)sim_rng_range(&w->rng, 12, 30 + 3 * w->nhalls);
	sim_trace(w,
	    "seed %llu: %d halls, %llu client ops over %llu ms, "
	    "batches of %u bytes, %zu bytes held",
	    (unsigned long long)seed, w->nhalls, (unsigned long long)nclient,
	    (unsigned long long)T, p.max_batch, p.held_max);
	make_topology(w);
	make_halls(w, &p);
	set_net(w, sim_rng_next(&w->rng));
	for (int i = 0; i < w->nhalls && !w->is_done; i++) {
		if (sim_hall_start(w, &w->halls[i]) != 0) {
			sim_fail(w, "%s does not start", w->halls[i].id);
		}
	}
	for (uint64_t i = 0; i < nclient; i++) {
		struct sim_event *ce =
		    ev_new(w, sim_rng_below(&w->rng, T), EV_CLIENT);

		if (ce != NULL) {
			ce->hall =
			    (int)sim_rng_below(&w->rng, (uint64_t)w->nhalls);
		}
	}
	schedule_faults(w, T);
	w->heal_at = T;
	ev_new(w, T, EV_HEAL);
	ev_new(w, T + 500, EV_CHECK);
	/* Clocks run up to 90 s ahead and backoff waits 8 s: 10 minutes
	 * is ample. */
	w->deadline = T + 600000;
	ev_new(w, w->deadline, EV_DEADLINE);

	while (!w->is_done && w->nq > 0) {
		ev_pop(w, &e);
		w->now = e.at;
		run_event(w, &e);
		cm_free(e.buf);
	}
	if (!w->is_done && w->failure[0] == '\0') {
		sim_fail(w, "the world ran out of events");
	}
	rc = w->failure[0] != '\0';
	if (rc != 0) {
		snprintf(failure, fsize, "at %llu ms: %s",
		    (unsigned long long)w->now, w->failure);
	}
	w->st.cases = w->ncases;
	if (st != NULL) {
		*st = w->st;
	}
	world_free(w);
	cm_free(w);
	return rc;
}
