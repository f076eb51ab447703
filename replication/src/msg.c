/*
 * msg.c: decoding and encoding replication messages (see msg.h).
 *
 * Everything a peer sends passes repl_msg_decode before the core looks at
 * it. protobuf-c's unpack is bounds-checked but knows nothing of the
 * protocol, so the checks that keep the core simple live here: after a
 * successful decode the core may rely on valid ids, distinct vector
 * entries, non-empty runs whose seqs do not overflow, and sizes within
 * the limits of msg.h.
 */
#include "repl/msg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"

static int
entry_cmp(const void *a, const void *b)
{
	const Ow__VersionEntry *x = *(const Ow__VersionEntry *const *)a;
	const Ow__VersionEntry *y = *(const Ow__VersionEntry *const *)b;

	return strcmp(x->origin, y->origin);
}

/* Valid origins, each once, at most REPL_VECTOR_MAX. 0, CM_EPROTO or
 * CM_ENOMEM. A NULL vector is an empty one. */
static int
vector_check(const Ow__VersionVector *v)
{
	const Ow__VersionEntry **sorted;
	int rc = 0;

	if (v == NULL || v->n_entries == 0) {
		return 0;
	}
	if (v->n_entries > REPL_VECTOR_MAX) {
		return CM_EPROTO;
	}
	for (size_t i = 0; i < v->n_entries; i++) {
		if (v->entries[i] == NULL ||
		    !node_id_valid(v->entries[i]->origin)) {
			return CM_EPROTO;
		}
	}
	/* Sorted rather than compared pairwise: a hostile vector must not
	 * cost quadratic time. */
	sorted = cm_calloc(v->n_entries, sizeof(*sorted));
	if (sorted == NULL) {
		return CM_ENOMEM;
	}
	memcpy(sorted, v->entries, v->n_entries * sizeof(*sorted));
	qsort(sorted, v->n_entries, sizeof(*sorted), entry_cmp);
	for (size_t i = 1; i < v->n_entries; i++) {
		if (strcmp(sorted[i - 1]->origin, sorted[i]->origin) == 0) {
			rc = CM_EPROTO;
			break;
		}
	}
	cm_free(sorted);
	return rc;
}

/* Statements of halls' vectors: at most REPL_VECTOR_MAX, each a valid
 * hall with a valid vector (one hall twice: the later stamp counts). */
static int
seen_check(Ow__HallVector *const *v, size_t n)
{
	if (n > REPL_VECTOR_MAX) {
		return CM_EPROTO;
	}
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (v[i] == NULL || !node_id_valid(v[i]->hall)) {
			return CM_EPROTO;
		}
		rc = vector_check(v[i]->have);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static int
batch_check(const Ow__ReplBatch *b)
{
	size_t total = 0;
	int rc;

	if (b->n_runs > REPL_RUNS_MAX) {
		return CM_EPROTO;
	}
	for (size_t i = 0; i < b->n_runs; i++) {
		const Ow__ReplRun *r = b->runs[i];

		if (r == NULL || !node_id_valid(r->origin) ||
		    r->first_seq == 0 || r->n_ops == 0 ||
		    r->first_seq - 1 > UINT64_MAX - r->n_ops) {
			return CM_EPROTO;
		}
		total += r->n_ops;
		if (total > REPL_BATCH_OPS_MAX) {
			return CM_EPROTO;
		}
		for (size_t j = 0; j < r->n_ops; j++) {
			if (r->ops[j].len == 0 ||
			    r->ops[j].len > NODE_OP_MAX_BYTES) {
				return CM_EPROTO;
			}
		}
	}
	rc = seen_check(b->seen, b->n_seen);
	if (rc == 0) {
		rc = vector_check(b->floor);
	}
	if (rc != 0) {
		return rc;
	}
	return vector_check(b->have);
}

static int
msg_check(const Ow__ReplMessage *m)
{
	int rc;

	if (m->version != REPL_PROTO_VERSION) {
		return CM_EUNSUPPORTED;
	}
	if (!node_id_valid(m->from)) {
		return CM_EPROTO;
	}
	switch (m->body_case) {
	case OW__REPL_MESSAGE__BODY_PULL:
		if (m->pull == NULL || m->pull->max_bytes == 0) {
			return CM_EPROTO;
		}
		rc = seen_check(m->pull->seen, m->pull->n_seen);
		return rc != 0 ? rc : vector_check(m->pull->have);
	case OW__REPL_MESSAGE__BODY_BATCH:
		if (m->batch == NULL) {
			return CM_EPROTO;
		}
		return batch_check(m->batch);
	case OW__REPL_MESSAGE__BODY_HINT:
		if (m->hint == NULL) {
			return CM_EPROTO;
		}
		return vector_check(m->hint->have);
	default:
		return CM_EPROTO;
	}
}

int
repl_msg_decode(const uint8_t *buf, size_t len, Ow__ReplMessage **out)
{
	static const uint8_t empty[1];
	struct node_pb_alloc pa;
	Ow__ReplMessage *m;
	int rc;

	if (out == NULL || (buf == NULL && len > 0)) {
		return CM_EINVAL;
	}
	*out = NULL;
	if (len > REPL_MSG_MAX) {
		return CM_EPROTO;
	}
	node_pb_alloc_init(&pa);
	m = ow__repl_message__unpack(&pa.al, len, buf != NULL ? buf : empty);
	if (m != NULL && pa.failed) {
		/* protobuf-c 1.4 can return a message with a part missing
		 * when an allocation inside it failed: lack of memory, not
		 * a malformed message. */
		ow__repl_message__free_unpacked(m, &pa.al);
		m = NULL;
	}
	if (m == NULL) {
		return pa.failed ? CM_ENOMEM : CM_EPROTO;
	}
	rc = node_pb_has_field0(&m->base) ? CM_EPROTO : msg_check(m);
	if (rc != 0) {
		ow__repl_message__free_unpacked(m, &pa.al);
		return rc;
	}
	*out = m;
	return 0;
}

void
repl_msg_free(Ow__ReplMessage *m)
{
	/* Allocated through cm_malloc, which is malloc: the default
	 * allocator frees it. */
	if (m != NULL) {
		ow__repl_message__free_unpacked(m, NULL);
	}
}

enum repl_msg_kind
repl_msg_kind(const Ow__ReplMessage *m)
{
	switch (m->body_case) {
	case OW__REPL_MESSAGE__BODY_PULL:
		return REPL_MSG_PULL;
	case OW__REPL_MESSAGE__BODY_BATCH:
		return REPL_MSG_BATCH;
	default:
		return REPL_MSG_HINT;
	}
}

int
repl_msg_encode(const Ow__ReplMessage *m, uint8_t **out, size_t *len)
{
	size_t n;
	uint8_t *buf;

	if (m == NULL || out == NULL || len == NULL) {
		return CM_EINVAL;
	}
	*out = NULL;
	*len = 0;
	n = ow__repl_message__get_packed_size(m);
	if (n > REPL_MSG_MAX) {
		return CM_ETOOBIG;
	}
	/* One byte more, so that an empty message is not a 0-byte
	 * allocation. */
	buf = cm_malloc(n + 1);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	if (ow__repl_message__pack(m, buf) != n) {
		cm_free(buf);
		return CM_EINTERNAL;
	}
	*out = buf;
	*len = n;
	return 0;
}

uint64_t
repl_vv_get(const Ow__VersionVector *v, const char *origin)
{
	if (v == NULL) {
		return 0;
	}
	for (size_t i = 0; i < v->n_entries; i++) {
		if (strcmp(v->entries[i]->origin, origin) == 0) {
			return v->entries[i]->seq;
		}
	}
	return 0;
}
