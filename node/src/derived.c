/*
 * derived.c: views the node derives from cases and keeps in its local
 * column family: the applicant registry (the latest contact data per ID
 * number, for prefill: data given once is reused) and deadline warnings
 * (the level of each open case, swept on a timer, with an index entry
 * per level so that supervisors can list yellow, red and overdue cases).
 * Both are recomputed from the cases, so they never need replicating.
 */
#include "node.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the applicant registry --------------------------------------------- */

static void
reg_key(const char *id, char *out, size_t size)
{
	snprintf(out, size, "reg/%s", id);
}

int
node_registry_get(struct node *n, const char *id, Ow__ApplicantGetResp **out)
{
	char key[96];
	void *val = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (strlen(id) == 0 || strlen(id) > 64) {
		return CM_EINVAL;
	}
	reg_key(id, key, sizeof(key));
	rc = node_store_get(n->st, NODE_CF_LOCAL, key, strlen(key), &val, &len);
	if (rc != 0) {
		return rc;
	}
	*out = ow__applicant_get_resp__unpack(NULL, len, val);
	cm_free(val);
	return *out != NULL ? 0 : CM_ECORRUPT;
}

int
node_registry_update(struct node *n, const Ow__Case *cs,
    const struct form_matter *m, uint64_t hlc)
{
	Ow__ApplicantGetResp *old = NULL, rec = OW__APPLICANT_GET_RESP__INIT;
	Ow__KeyValue *kv = NULL, **kvp = NULL;
	size_t nkv = 0, cap;
	char key[96];
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if (cs->applicant == NULL || cs->applicant->id_number[0] == '\0' ||
	    strlen(cs->applicant->id_number) > 64) {
		return 0;
	}
	rc = node_registry_get(n, cs->applicant->id_number, &old);
	if (rc != 0 && rc != CM_ENOTFOUND) {
		return rc;
	}
	if (old != NULL && old->updated_hlc > hlc) {
		/* A newer record already stands (replicated ops may arrive
		 * late): last writer wins. */
		ow__applicant_get_resp__free_unpacked(old, NULL);
		return 0;
	}
	cap = (old != NULL ? old->n_profile : 0) + (m != NULL ? m->nfields : 0);
	kv = cm_calloc(cap + 1, sizeof(*kv));
	kvp = cm_calloc(cap + 1, sizeof(*kvp));
	if (kv == NULL || kvp == NULL) {
		rc = CM_ENOMEM;
		goto out;
	}
	/* The profile values of this case first, then the older ones it
	 * does not replace: what was given once is kept. */
	for (size_t i = 0; m != NULL && i < m->nfields; i++) {
		const struct form_field *f = &m->fields[i];

		if (f->profile == NULL) {
			continue;
		}
		for (size_t j = 0; j < cs->n_fields; j++) {
			if (strcmp(cs->fields[j]->key, f->id) == 0) {
				ow__key_value__init(&kv[nkv]);
				kv[nkv].key = f->profile;
				kv[nkv].value = cs->fields[j]->value;
				kvp[nkv] = &kv[nkv];
				nkv++;
			}
		}
	}
	for (size_t i = 0; old != NULL && i < old->n_profile; i++) {
		bool have = false;

		for (size_t j = 0; j < nkv; j++) {
			have = have ||
			       strcmp(kv[j].key, old->profile[i]->key) == 0;
		}
		if (!have && nkv < cap) {
			ow__key_value__init(&kv[nkv]);
			kv[nkv].key = old->profile[i]->key;
			kv[nkv].value = old->profile[i]->value;
			kvp[nkv] = &kv[nkv];
			nkv++;
		}
	}
	rec.party = cs->applicant;
	rec.profile = kvp;
	rec.n_profile = nkv;
	rec.updated_hlc = hlc;
	len = ow__applicant_get_resp__get_packed_size(&rec);
	buf = cm_malloc(len);
	if (buf == NULL || (rc = node_open_batch(n)) != 0) {
		rc = buf == NULL ? CM_ENOMEM : rc;
		goto out;
	}
	ow__applicant_get_resp__pack(&rec, buf);
	reg_key(cs->applicant->id_number, key, sizeof(key));
	node_batch_put(
	    n->open.batch, NODE_CF_LOCAL, key, strlen(key), buf, len);
	rc = 0;
out:
	cm_free(buf);
	cm_free(kv);
	cm_free(kvp);
	if (old != NULL) {
		ow__applicant_get_resp__free_unpacked(old, NULL);
	}
	return rc;
}

/* ---- warnings ----------------------------------------------------------- */

static void
wl_key(const char *id, char *out, size_t size)
{
	snprintf(out, size, "wl/%s", id);
}

int
node_warning_of(struct node *n, const char *id)
{
	char key[64];
	void *val = NULL;
	size_t len = 0;
	int level = -1;

	wl_key(id, key, sizeof(key));
	if (node_store_get(
	        n->st, NODE_CF_LOCAL, key, strlen(key), &val, &len) == 0 &&
	    len == 1) {
		level = ((uint8_t *)val)[0];
	}
	cm_free(val);
	return level;
}

static void
w_index(struct node *n, int level, const char *id, bool put)
{
	uint8_t key[NODE_CASE_ID_MAX + 8];
	char num[4];
	size_t len;

	snprintf(num, sizeof(num), "%d", level);
	len = node_index_prefix(NODE_IDX_WARNING, num, NULL, key, sizeof(key));
	key[len++] = 0;
	memcpy(key + len, id, strlen(id));
	len += strlen(id);
	if (put) {
		node_batch_put(n->open.batch, NODE_CF_IDX, key, len, "", 0);
	} else {
		node_batch_delete(n->open.batch, NODE_CF_IDX, key, len);
	}
}

int
node_warning_set(struct node *n, const char *id, int level)
{
	return node_warning_move(n, id, node_warning_of(n, id), level);
}

int
node_warning_move(struct node *n, const char *id, int old, int level)
{
	char key[64];
	uint8_t b;
	int rc;

	if (old == level) {
		return 0;
	}
	if ((rc = node_open_batch(n)) != 0) {
		return rc;
	}
	wl_key(id, key, sizeof(key));
	if (old >= 0) {
		w_index(n, old, id, false);
	}
	if (level >= 0) {
		b = (uint8_t)level;
		w_index(n, level, id, true);
		node_batch_put(
		    n->open.batch, NODE_CF_LOCAL, key, strlen(key), &b, 1);
	} else {
		node_batch_delete(
		    n->open.batch, NODE_CF_LOCAL, key, strlen(key));
	}
	return 1; /* changed */
}

/* The level a case has today, or -1 when its clock does not run (not
 * accepted yet, decided, final) or its matter or calendar is missing. */
int
node_warning_compute(struct node *n, const Ow__Case *cs)
{
	struct form_matter *owned = NULL;
	const struct form_matter *m;
	struct form_deadline dl;
	enum node_clock clk;
	int rc;

	if (cs->state >= NODE_ST__COUNT) {
		return -1;
	}
	clk = node_state_clock((enum node_state)cs->state);
	if (clk == NODE_CLOCK_STOPPED || cs->accepted_day == 0) {
		return -1;
	}
	m = node_matter_of(n, cs->matter, cs->matter_version, &owned);
	if (m == NULL) {
		return -1;
	}
	rc = node_case_deadline(
	    n->cal, m, cs, node_today(n), &n->thresholds, &dl);
	form_matter_free(owned);
	return rc == 0 ? (int)dl.level : -1;
}

/*
 * Sweep the running cases of this hall (accepted, accepted with gaps, in
 * review: a paused or decided case's level does not move) from where the
 * last call stopped, for at most budget_us microseconds of the loop's
 * time, and only floor_us once a request is waiting for the loop. Levels
 * follow working days, so a pass is needed once a day (and at start); a
 * change of state sets the level at once without waiting for it. Cases
 * whose level changed get their index entry moved, and an event tells the
 * screens. Returns true when a full pass has ended.
 */
bool
node_warnings_sweep(struct node *n, uint64_t budget_us, uint64_t floor_us)
{
	static const enum node_state running[] = {
	    NODE_ST_ACCEPTED, NODE_ST_ACCEPTED_GAPS, NODE_ST_IN_REVIEW};
	static size_t state_i;
	static uint8_t cursor[256];
	static size_t cursor_len;
	uint64_t start = uv_hrtime();
	bool ended = false;

	while (state_i < sizeof(running) / sizeof(running[0])) {
		uint8_t prefix[48];
		char num[8];
		size_t plen;
		struct node_iter *it = NULL;
		bool out_of_time = false;

		snprintf(num, sizeof(num), "%02u", (unsigned)running[state_i]);
		plen = node_index_prefix(NODE_IDX_STATE, n->hall_code, num,
		    prefix, sizeof(prefix) - 1);
		prefix[plen++] = 0;
		if (node_iter_new(n->st, NODE_CF_IDX, prefix, plen, &it) != 0) {
			return true;
		}
		if (cursor_len > 0) {
			node_iter_seek_after(it, cursor, cursor_len);
		}
		for (; node_iter_valid(it); node_iter_next(it)) {
			size_t kl;
			const uint8_t *k = node_iter_key(it, &kl);
			char id[NODE_CASE_ID_MAX];
			Ow__Case *cs = NULL;
			uint64_t gen, used = (uv_hrtime() - start) / 1000;
			int level;

			if (used >= budget_us ||
			    (used >= floor_us && node_requests_waiting(n))) {
				out_of_time = true;
				break;
			}
			if (kl >= sizeof(cursor) || kl - plen >= sizeof(id)) {
				continue;
			}
			memcpy(cursor, k, kl);
			cursor_len = kl;
			memcpy(id, k + plen, kl - plen);
			id[kl - plen] = '\0';
			if (node_read_case(n, id, &cs, &gen) != 0) {
				continue;
			}
			level = node_warning_compute(n, cs);
			if (node_warning_set(n, id, level) == 1 && level > 0) {
				Ow__Event ev = OW__EVENT__INIT;
				static const char *const names[] = {
				    "green", "yellow", "red", "overdue"};

				ev.kind = (char *)(uintptr_t) "warning";
				ev.case_id = id;
				ev.state = cs->state;
				ev.warning = (uint32_t)level;
				ev.hall = cs->hall;
				node_publish(n, &ev);
				cm_log_info("case.warning", "case=%s level=%s",
				    id, names[level & 3]);
			}
			node_case_free(cs);
		}
		node_iter_free(it);
		if (out_of_time) {
			return false;
		}
		state_i++;
		cursor_len = 0;
	}
	state_i = 0;
	ended = true;
	return ended;
}
