/*
 * h_search.c: finding cases through the indexes (paged), and a case's
 * history from its signed ops.
 */
#include "handlers.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "forms/notice.h"
#include "forms/validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- search and history ------------------------------------------------- */

static int
search_prefix(const Ow__CaseSearchReq *r, const char *hall, uint8_t *out,
    size_t size, size_t *len)
{
	enum node_state st;
	char num[8];
	int32_t day;

	*len = 0;
	if (strcmp(r->by, "applicant") == 0) {
		*len = node_index_prefix(
		    NODE_IDX_APPLICANT, r->value, NULL, out, size - 1);
	} else if (strcmp(r->by, "phone") == 0) {
		*len = node_index_prefix(
		    NODE_IDX_PHONE, r->value, NULL, out, size - 1);
	} else if (strcmp(r->by, "name") == 0) {
		/* A prefix of the name: no terminator. */
		*len =
		    node_index_prefix(NODE_IDX_NAME, r->value, NULL, out, size);
		return *len > 2 ? 0 : CM_EINVAL;
	} else if (strcmp(r->by, "state") == 0) {
		if (node_state_parse(r->value, &st) != 0) {
			return CM_EINVAL;
		}
		snprintf(num, sizeof(num), "%02u", (unsigned)st);
		*len =
		    node_index_prefix(NODE_IDX_STATE, hall, num, out, size - 1);
	} else if (strcmp(r->by, "matter") == 0) {
		*len = node_index_prefix(
		    NODE_IDX_MATTER, r->value, NULL, out, size - 1);
	} else if (strcmp(r->by, "assignee") == 0) {
		*len = node_index_prefix(
		    NODE_IDX_ASSIGNEE, r->value, NULL, out, size - 1);
	} else if (strcmp(r->by, "warning") == 0) {
		*len = node_index_prefix(
		    NODE_IDX_WARNING, r->value, NULL, out, size - 1);
	} else if (strcmp(r->by, "remedy") == 0) {
		/* Bad ratings waiting for their follow-up, of a hall. */
		*len = node_index_prefix(NODE_IDX_REMEDY,
		    r->value[0] != '\0' ? r->value : hall, NULL, out, size - 1);
	} else if (strcmp(r->by, "conflict") == 0) {
		/* Cases flagged for a supervisor (replication). */
		*len = node_index_prefix(
		    NODE_IDX_CONFLICT, "1", NULL, out, size - 1);
	} else if (strcmp(r->by, "date") == 0) {
		char d[9];

		if (cm_date_parse(r->value, &day) != 0) {
			return CM_EINVAL;
		}
		snprintf(d, sizeof(d), "%.4s%.2s%.2s", r->value, r->value + 5,
		    r->value + 8);
		*len = node_index_prefix(NODE_IDX_DATE, d, NULL, out, size - 1);
	} else {
		return CM_EINVAL;
	}
	if (*len == 0) {
		return CM_EINVAL;
	}
	out[(*len)++] = 0; /* whole values only */
	return 0;
}

Ow__CaseSummary *
node__summary(struct node *n, const Ow__Case *cs)
{
	Ow__CaseSummary *s = malloc(sizeof(*s));
	char masked[64];
	int level;

	if (s == NULL) {
		return NULL;
	}
	ow__case_summary__init(s);
	s->id = node__dup(cs->id);
	s->matter = node__dup(cs->matter);
	s->state = cs->state;
	s->hall = node__dup(cs->hall);
	s->assignee = node__dup(cs->assignee);
	if (cs->applicant != NULL) {
		node_mask_id(cs->applicant->id_number, masked, sizeof(masked));
		s->applicant_masked = node__dup(masked);
	}
	s->accepted_day = cs->accepted_day;
	level = node_warning_of(n, cs->id);
	s->warning = level >= 0 ? (uint32_t)level : 0;
	s->awaiting_ack = node_case_awaiting_ack(cs);
	if (cs->state < NODE_ST__COUNT && cs->accepted_day != 0 &&
	    node_state_clock((enum node_state)cs->state) ==
	        NODE_CLOCK_RUNNING) {
		struct form_matter *owned = NULL;
		const struct form_matter *m =
		    node_matter_of(n, cs->matter, cs->matter_version, &owned);
		struct form_deadline dl;

		if (m != NULL && node_case_deadline(n->cal, m, cs,
		                     node_today(n), &n->thresholds, &dl) == 0) {
			s->running = true;
			s->days_left = dl.promised_left;
		}
		form_matter_free(owned);
	}
	return s;
}

/* The case id at the end of an index key (after its last NUL) into id;
 * false when it does not fit. */
static bool
key_case_id(const uint8_t *k, size_t kl, char id[NODE_CASE_ID_MAX])
{
	const uint8_t *idp = k + kl;

	while (idp > k && idp[-1] != 0) {
		idp--;
	}
	if ((size_t)(k + kl - idp) >= NODE_CASE_ID_MAX) {
		return false;
	}
	memcpy(id, idp, (size_t)(k + kl - idp));
	id[k + kl - idp] = '\0';
	return true;
}

/*
 * One page of case summaries from the index keys under prefix, after the
 * page's cursor, into *cases (allocated here, at most p->limit). Keys
 * whose case is gone are passed over. *pending is set when a listed case
 * is not durable yet. 0 or CM_ENOMEM, CM_EINVAL (bad prefix) or the
 * store's error.
 */
static int
summary_page(struct node *n, const uint8_t *prefix, size_t plen,
    struct node_page *p, Ow__CaseSummary ***cases, size_t *ncases,
    bool *pending)
{
	struct node_iter *it = NULL;
	int rc = node_iter_new(n->st, NODE_CF_IDX, prefix, plen, &it);

	if (rc != 0) {
		return rc;
	}
	if (p->alen > 0) {
		size_t kl;
		const void *k;

		node_iter_seek(it, p->after, p->alen);
		k = node_iter_key(it, &kl);
		if (k != NULL && kl == p->alen &&
		    memcmp(k, p->after, p->alen) == 0) {
			node_iter_next(it);
		}
	}
	*cases = calloc(p->limit, sizeof(**cases));
	if (*cases == NULL) {
		node_iter_free(it);
		return CM_ENOMEM;
	}
	for (; node_iter_valid(it); node_iter_next(it)) {
		size_t kl;
		const uint8_t *k = node_iter_key(it, &kl);
		char id[NODE_CASE_ID_MAX];
		Ow__Case *cs = NULL;
		Ow__CaseSummary *s;
		uint64_t gen;

		if (node__page_full(p)) {
			break;
		}
		if (kl > NODE_CURSOR_MAX || !key_case_id(k, kl, id) ||
		    node_read_case(n, id, &cs, &gen) != 0) {
			continue;
		}
		s = node__summary(n, cs);
		node_case_free(cs);
		if (s == NULL) {
			rc = CM_ENOMEM;
			break;
		}
		if (!node__page_take(
		        p, ow__case_summary__get_packed_size(s), k, kl)) {
			ow__case_summary__free_unpacked(s, NULL);
			break;
		}
		*pending = *pending || gen != 0;
		(*cases)[(*ncases)++] = s;
	}
	if (rc == 0) {
		rc = node_iter_status(it);
	}
	node_iter_free(it);
	return rc;
}

int
node__applicant_page(struct call *c, Ow__ApplicantGetResp *out, bool *pending)
{
	const Ow__ApplicantGetReq *r = c->req->applicant_get;
	uint8_t prefix[96];
	size_t plen = node_index_prefix(
	    NODE_IDX_APPLICANT, r->id_number, NULL, prefix, sizeof(prefix) - 1);
	struct node_page pg;
	int rc;

	*pending = false;
	if (plen == 0) {
		return 0; /* no such applicant can be indexed: no cases */
	}
	prefix[plen++] = 0;
	rc = node__page_begin(
	    c, &pg, NODE_LIST_APPLICANT, r->limit, r->after, prefix, plen);
	if (rc == 0) {
		rc = summary_page(c->n, prefix, plen, &pg, &out->cases,
		    &out->n_cases, pending);
	}
	if (rc == 0) {
		out->next = node__page_next(&pg);
	}
	return rc;
}

enum node_disp
node__h_case_search(struct call *c)
{
	const Ow__CaseSearchReq *r = c->req->case_search;
	uint8_t prefix[512];
	size_t plen;
	struct node_page pg;
	Ow__CaseSearchResp *sr;
	bool pending = false; /* a listed case is not durable yet */
	int rc;

	sr = malloc(sizeof(*sr));
	if (sr == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__case_search_resp__init(sr);
	c->resp->body_case = OW__RESPONSE__BODY_CASE_SEARCH;
	c->resp->case_search = sr;
	if (strcmp(r->by, "id") == 0) {
		Ow__Case *cs = NULL;
		uint64_t gen;

		/* One case or none: no cursor leads into it. */
		if (r->after[0] != '\0') {
			node__page_bad_cursor(c);
			return NODE_REPLY_NOW;
		}
		if (node_read_case(c->n, r->value, &cs, &gen) == 0) {
			pending = gen != 0;
			sr->cases = malloc(sizeof(*sr->cases));
			if (sr->cases != NULL) {
				sr->cases[0] = node__summary(c->n, cs);
				sr->n_cases = sr->cases[0] != NULL;
			}
			node_case_free(cs);
		}
		/* Never show a change that could still be lost. */
		return pending ? NODE_REPLY_AFTER_BATCH : NODE_REPLY_NOW;
	}
	rc = search_prefix(r, r->hall[0] != '\0' ? r->hall : c->n->hall_code,
	    prefix, sizeof(prefix), &plen);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	/* The cursor is the last index key of the previous page: it must
	 * lie under this search's prefix. */
	if (node__page_begin(c, &pg, NODE_LIST_SEARCH, r->limit, r->after,
	        prefix, plen) != 0) {
		return NODE_REPLY_NOW;
	}
	rc = summary_page(
	    c->n, prefix, plen, &pg, &sr->cases, &sr->n_cases, &pending);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	sr->next = node__page_next(&pg);
	return pending ? NODE_REPLY_AFTER_BATCH : NODE_REPLY_NOW;
}

/*
 * The history entry of the op an index key 'h' (prefix of plen bytes,
 * then origin, NUL, seq as 8 bytes big-endian) names, into *out; NULL
 * when the key is malformed or the op cannot be read or opened (passed
 * over). 0 or CM_ENOMEM.
 */
bool
node_hkey_split(const uint8_t *k, size_t kl, size_t plen,
    char origin[NODE_ORIGIN_MAX + 1], uint64_t *seq)
{
	const uint8_t *o = k + plen, *end = k + kl - 8;

	if (kl < plen + 10 || end[-1] != 0 ||
	    (size_t)(end - 1 - o) > NODE_ORIGIN_MAX) {
		return false;
	}
	memcpy(origin, o, (size_t)(end - 1 - o));
	origin[end - 1 - o] = '\0';
	*seq = 0;
	for (int i = 0; i < 8; i++) {
		*seq = (*seq << 8) | end[i];
	}
	return true;
}

Ow__Op *
node_log_op_unchecked(struct node_store *st, const char *origin, uint64_t seq)
{
	static const unsigned char nopk[NODE_PK_BYTES];
	uint8_t key[1 + NODE_ORIGIN_MAX + 8];
	unsigned char hash[NODE_HASH_BYTES];
	size_t klen = node_log_key(origin, seq, key), vlen;
	void *val = NULL;
	Ow__Op *op = NULL;

	if (klen == 0 ||
	    node_store_get(st, NODE_CF_LOG, key, klen, &val, &vlen) != 0) {
		return NULL;
	}
	if (node_op_open_ex(val, vlen, nopk, &op, hash, false) != 0) {
		op = NULL;
	}
	cm_free(val);
	return op;
}

static int
history_entry(struct node *n, const uint8_t *k, size_t kl, size_t plen,
    Ow__HistoryEntry **out)
{
	char origin[NODE_ORIGIN_MAX + 1];
	uint8_t lkey[1 + NODE_ORIGIN_MAX + 8];
	uint64_t seq = 0;
	void *val = NULL;
	size_t vlen;
	Ow__Op *op = NULL;
	unsigned char hash[NODE_HASH_BYTES], pk[NODE_PK_BYTES];
	Ow__HistoryEntry *e;

	*out = NULL;
	if (!node_hkey_split(k, kl, plen, origin, &seq)) {
		return 0;
	}
	vlen = node_log_key(origin, seq, lkey);
	if (vlen == 0 ||
	    node_store_get(n->st, NODE_CF_LOG, lkey, vlen, &val, &vlen) != 0) {
		return 0;
	}
	/* Ops of other halls open with their registered key. */
	if (node_origin_pk(n, origin, pk) != 0 ||
	    node_op_open(val, vlen, pk, &op, hash) != 0) {
		cm_free(val);
		return 0;
	}
	cm_free(val);
	e = malloc(sizeof(*e));
	if (e == NULL) {
		ow__op__free_unpacked(op, NULL);
		return CM_ENOMEM;
	}
	ow__history_entry__init(e);
	e->origin = node__dup(op->origin);
	e->seq = op->seq;
	e->hlc = op->hlc;
	e->actor = node__dup(op->actor);
	e->kind = op->kind;
	if (op->body_case == OW__OP__BODY_ACT) {
		char sum[160];

		snprintf(sum, sizeof(sum), "%s: %s -> %s",
		    node_action_name((enum node_action)op->act->action),
		    node_state_name((enum node_state)op->act->from_state),
		    node_state_name((enum node_state)op->act->to_state));
		e->summary = node__dup(sum);
	} else if (op->body_case == OW__OP__BODY_REMEDY) {
		static const char *const steps[] = {
		    "", "callback", "rectified", "followup"};
		char sum[64];

		snprintf(sum, sizeof(sum), "%s",
		    op->remedy->step <= 3 ? steps[op->remedy->step] : "");
		if (op->remedy->step == 3) {
			snprintf(sum, sizeof(sum), "followup %u/5",
			    op->remedy->level);
		}
		e->summary = node__dup(sum);
	} else if (op->body_case == OW__OP__BODY_ASSIGN) {
		char sum[160];

		snprintf(sum, sizeof(sum), "-> %s %s", op->assign->hall,
		    op->assign->assignee);
		e->summary = node__dup(sum);
	}
	ow__op__free_unpacked(op, NULL);
	*out = e;
	return 0;
}

enum node_disp
node__h_case_history(struct call *c)
{
	const Ow__CaseHistoryReq *r = c->req->case_history;
	uint8_t prefix[NODE_CASE_ID_MAX + 4];
	struct node_iter *it = NULL;
	struct node_page pg;
	Ow__CaseHistoryResp *hr;
	size_t plen;
	int rc;

	if (strlen(r->id) >= NODE_CASE_ID_MAX) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	plen = node_index_prefix('h', r->id, NULL, prefix, sizeof(prefix) - 1);
	prefix[plen++] = 0;
	/* The cursor is the index key of the last op of the previous page:
	 * it must lie under this case's prefix. */
	if (node__page_begin(c, &pg, NODE_LIST_HISTORY, r->limit, r->after,
	        prefix, plen) != 0) {
		return NODE_REPLY_NOW;
	}
	hr = malloc(sizeof(*hr));
	if (hr == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__case_history_resp__init(hr);
	c->resp->body_case = OW__RESPONSE__BODY_CASE_HISTORY;
	c->resp->case_history = hr;
	hr->entries = calloc(pg.limit, sizeof(*hr->entries));
	rc = hr->entries != NULL
	         ? node_iter_new(c->n->st, NODE_CF_IDX, prefix, plen, &it)
	         : CM_ENOMEM;
	if (rc == 0 && pg.alen > 0) {
		size_t kl;
		const void *k;

		node_iter_seek(it, pg.after, pg.alen);
		k = node_iter_key(it, &kl);
		if (k != NULL && kl == pg.alen &&
		    memcmp(k, pg.after, pg.alen) == 0) {
			node_iter_next(it);
		}
	}
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t kl;
		const uint8_t *k = node_iter_key(it, &kl);
		Ow__HistoryEntry *e = NULL;

		if (node__page_full(&pg)) {
			break;
		}
		if (kl > NODE_CURSOR_MAX) {
			continue;
		}
		rc = history_entry(c->n, k, kl, plen, &e);
		if (e == NULL) {
			continue;
		}
		if (!node__page_take(
		        &pg, ow__history_entry__get_packed_size(e), k, kl)) {
			ow__history_entry__free_unpacked(e, NULL);
			break;
		}
		hr->entries[hr->n_entries++] = e;
	}
	if (rc == 0 && it != NULL) {
		rc = node_iter_status(it);
	}
	if (it != NULL) {
		node_iter_free(it);
	}
	if (rc != 0) {
		node__fail(c->resp, rc);
	} else if (hr->n_entries == 0 && pg.alen == 0) {
		/* A case has at least the op that made it. */
		node__fail(c->resp, CM_ENOTFOUND);
	} else {
		Ow__CaseBase *base = NULL;

		hr->next = node__page_next(&pg);
		/* A sealed case kept on its base: its earlier ops are in
		 * the case, no longer in the log. */
		if (node_base_get(c->n, r->id, &base) == 0) {
			hr->compacted = base->ops;
			ow__case_base__free_unpacked(base, NULL);
		}
	}
	return NODE_REPLY_NOW;
}
