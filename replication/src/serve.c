/*
 * serve.c: answering a pull (docs/replication.md, "Answering a pull").
 *
 * The batch is built in origin order from the hall's log (read through
 * the host's repl_log_ops; the bytes are borrowed until the call returns)
 * and cut by its exact encoded size: the size of every field is computed
 * as ops are added, so the reply never passes the cap the requester
 * asked for (but for a single op larger than the cap, which travels
 * alone).
 */
#include "core_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"

static size_t
varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* A length-delimited field of n bytes with a one-byte tag. */
static size_t
field_len(size_t n)
{
	return 1 + varint_len(n) + n;
}

static int
known_cmp(const void *a, const void *b)
{
	const Ow__VersionEntry *x = *(const Ow__VersionEntry *const *)a;
	const Ow__VersionEntry *y = *(const Ow__VersionEntry *const *)b;

	return strcmp(x->origin, y->origin);
}

struct batch_build {
	Ow__ReplRun *runs;
	Ow__ReplRun **runp;
	size_t nruns, cruns;
	ProtobufCBinaryData **opsp; /* per run, grown with it */
	size_t *copsp;
	size_t nops;
	size_t runs_total; /* encoded runs but the last */
	size_t cur;        /* the last run's content */
};

static void
batch_build_free(struct batch_build *b)
{
	for (size_t i = 0; i < b->nruns; i++) {
		cm_free(b->opsp[i]);
	}
	cm_free(b->runs);
	cm_free(b->runp);
	cm_free(b->opsp);
	cm_free(b->copsp);
}

static int
batch_new_run(struct batch_build *b, const char *origin, uint64_t seq)
{
	Ow__ReplRun *run;

	if (b->nruns == b->cruns) {
		size_t n = b->cruns == 0 ? 4 : b->cruns * 2;
		Ow__ReplRun *nr = cm_reallocarray(b->runs, n, sizeof(*nr));
		Ow__ReplRun **np;
		ProtobufCBinaryData **no;
		size_t *nc;

		if (nr == NULL) {
			return CM_ENOMEM;
		}
		b->runs = nr;
		np = cm_reallocarray(b->runp, n, sizeof(*np));
		if (np == NULL) {
			return CM_ENOMEM;
		}
		b->runp = np;
		no = cm_reallocarray(b->opsp, n, sizeof(*no));
		if (no == NULL) {
			return CM_ENOMEM;
		}
		b->opsp = no;
		nc = cm_reallocarray(b->copsp, n, sizeof(*nc));
		if (nc == NULL) {
			return CM_ENOMEM;
		}
		b->copsp = nc;
		b->cruns = n;
	}
	if (b->nruns > 0) {
		b->runs_total += field_len(b->cur);
	}
	run = &b->runs[b->nruns];
	ow__repl_run__init(run);
	run->origin = (char *)(uintptr_t)origin;
	run->first_seq = seq;
	b->opsp[b->nruns] = NULL;
	b->copsp[b->nruns] = 0;
	b->nruns++;
	b->cur = field_len(strlen(origin)) + 1 + varint_len(seq);
	return 0;
}

static int
batch_add_op(struct batch_build *b, const uint8_t *buf, size_t len)
{
	size_t k = b->nruns - 1;
	Ow__ReplRun *run = &b->runs[k];

	if (run->n_ops == b->copsp[k]) {
		size_t n = b->copsp[k] == 0 ? 8 : b->copsp[k] * 2;
		ProtobufCBinaryData *no =
		    cm_reallocarray(b->opsp[k], n, sizeof(*no));

		if (no == NULL) {
			return CM_ENOMEM;
		}
		b->opsp[k] = no;
		b->copsp[k] = n;
	}
	b->opsp[k][run->n_ops].data = (uint8_t *)(uintptr_t)buf;
	b->opsp[k][run->n_ops].len = len;
	run->n_ops++;
	b->nops++;
	b->cur += field_len(len);
	return 0;
}

/*
 * The size of the reply once an op of len bytes is added (a new run for
 * origin/seq when is_new_run). fixed is the encoded size of the batch's
 * other fields (request, have, more) and head that of the message's
 * (version, from).
 */
static size_t
batch_size_with(const struct batch_build *b, size_t fixed, size_t head,
    bool is_new_run, const char *origin, uint64_t seq, size_t len)
{
	size_t runs = b->runs_total, cur = b->cur;

	if (is_new_run) {
		if (b->nruns > 0) {
			runs += field_len(cur);
		}
		cur = field_len(strlen(origin)) + 1 + varint_len(seq);
	}
	cur += field_len(len);
	return head + field_len(fixed + runs + field_len(cur));
}

/* The requester's entry for origin (theirs sorted by origin). */
static uint64_t
their_seq(const Ow__VersionEntry **theirs, size_t n, const char *origin)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(theirs[mid]->origin, origin);

		if (c == 0) {
			return theirs[mid]->seq;
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return 0;
}

int
repl__answer_pull(struct repl *r, uint64_t now, const char *from,
    const Ow__ReplPull *pull, struct repl_effects *fx)
{
	Ow__ReplMessage m = OW__REPL_MESSAGE__INIT;
	Ow__ReplBatch batch = OW__REPL_BATCH__INIT;
	Ow__VersionVector have, floor = OW__VERSION_VECTOR__INIT;
	Ow__HallVector **seen = NULL;
	size_t nseen = 0;
	Ow__VersionEntry *fe = NULL;
	const Ow__VersionEntry **theirs = NULL;
	size_t ntheirs = pull->have != NULL ? pull->have->n_entries : 0;
	struct batch_build b;
	uint64_t max = pull->max_bytes;
	size_t fixed, head, total = 0, t = 0;
	bool full = false;
	int rc;

	(void)now;
	memset(&b, 0, sizeof(b));
	if (max > r->cfg.max_batch_bytes) {
		max = r->cfg.max_batch_bytes;
	}
	if (max < REPL_BATCH_MIN) {
		max = REPL_BATCH_MIN;
	}
	rc = repl__vector_make(r, &have);
	if (rc == 0) {
		rc = repl__seen_make(r, &seen, &nseen);
	}
	if (rc != 0) {
		goto done;
	}
	/* The requester's vector in origin order, walked beside ours. */
	if (ntheirs > 0) {
		theirs = cm_calloc(ntheirs, sizeof(*theirs));
		if (theirs == NULL) {
			rc = CM_ENOMEM;
			goto done;
		}
		memcpy(theirs, pull->have->entries, ntheirs * sizeof(*theirs));
		qsort(theirs, ntheirs, sizeof(*theirs), known_cmp);
	}
	/* Origins of which it lacks ops this hall compacted: left out, and
	 * named with the floor (it must re-seed). */
	fe = cm_calloc(r->norigins + 1, sizeof(*fe));
	floor.entries = cm_calloc(r->norigins + 1, sizeof(*floor.entries));
	if (fe == NULL || floor.entries == NULL) {
		rc = CM_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < r->norigins; i++) {
		const struct origin *o = r->origins[i];

		if (o->floor > 0 &&
		    their_seq(theirs, ntheirs, o->id) < o->floor) {
			ow__version_entry__init(&fe[floor.n_entries]);
			fe[floor.n_entries].origin = (char *)(uintptr_t)o->id;
			fe[floor.n_entries].seq = o->floor;
			floor.entries[floor.n_entries] = &fe[floor.n_entries];
			floor.n_entries++;
		}
	}
	m.version = REPL_PROTO_VERSION;
	m.from = r->self;
	m.body_case = OW__REPL_MESSAGE__BODY_BATCH;
	m.batch = &batch;
	batch.request = pull->request;
	batch.have = &have;
	batch.seen = seen;
	batch.n_seen = nseen;
	batch.floor = floor.n_entries > 0 ? &floor : NULL;
	batch.more = true; /* counted in fixed; cleared below if not */
	fixed = ow__repl_batch__get_packed_size(&batch);
	m.batch = NULL;
	m.body_case = OW__REPL_MESSAGE__BODY__NOT_SET;
	head = ow__repl_message__get_packed_size(&m);
	m.body_case = OW__REPL_MESSAGE__BODY_BATCH;
	m.batch = &batch;

	for (size_t i = 0; i < r->norigins && !full && rc == 0; i++) {
		const struct origin *o = r->origins[i];
		uint64_t from_seq = 0;

		while (t < ntheirs && strcmp(theirs[t]->origin, o->id) < 0) {
			t++;
		}
		if (t < ntheirs && strcmp(theirs[t]->origin, o->id) == 0) {
			from_seq = theirs[t]->seq;
		}
		if (from_seq < o->floor) {
			continue; /* named in floor */
		}
		for (uint64_t s = from_seq + 1; s <= o->seq && rc == 0; s++) {
			const uint8_t *buf = NULL;
			size_t len = 0, size;
			bool is_new = s == from_seq + 1;
			int grc = r->cfg.log->get(
			    r->cfg.log_arg, o->id, s, &buf, &len);

			if (grc != 0 || buf == NULL || len == 0) {
				rc = repl__report(fx, REPL_EV_STORE,
				    grc != 0 ? grc : CM_ENOENT, "", o->id, s);
				break;
			}
			size = batch_size_with(
			    &b, fixed, head, is_new, o->id, s, len);
			if ((size > max && b.nops > 0) ||
			    b.nops >= REPL_BATCH_OPS_MAX ||
			    (is_new && b.nruns >= REPL_RUNS_MAX)) {
				full = true;
				break;
			}
			if (is_new) {
				rc = batch_new_run(&b, o->id, s);
			}
			if (rc == 0) {
				rc = batch_add_op(&b, buf, len);
			}
			total = size;
		}
	}
	if (rc != 0) {
		goto done;
	}
	for (size_t i = 0; i < b.nruns; i++) {
		b.runp[i] = &b.runs[i];
		b.runs[i].ops = b.opsp[i];
	}
	batch.runs = b.runp;
	batch.n_runs = b.nruns;
	batch.more = full;
	/* The size arithmetic counts "more" always; the message is at most
	 * that. */
	assert(b.nops == 0 || ow__repl_message__get_packed_size(&m) <= total);
	(void)total;
	rc = repl__emit(fx, REPL_FX_SEND, from, true, &m);
done:
	cm_free(theirs);
	cm_free(fe);
	cm_free(floor.entries);
	repl__vector_free(&have);
	repl__seen_free(seen, nseen);
	batch_build_free(&b);
	return rc;
}
