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
	return s;
}

bool
node__applicant_cases(struct node *n, const char *id, Ow__ApplicantGetResp *out)
{
	uint8_t prefix[96];
	size_t plen = node_index_prefix(
	    NODE_IDX_APPLICANT, id, NULL, prefix, sizeof(prefix) - 1);
	struct node_iter *it = NULL;
	bool pending = false;

	if (plen == 0) {
		return false;
	}
	prefix[plen++] = 0;
	if (node_iter_new(n->st, NODE_CF_IDX, prefix, plen, &it) != 0) {
		return false;
	}
	out->cases = calloc(SEARCH_MAX, sizeof(*out->cases));
	for (; out->cases != NULL && node_iter_valid(it) &&
	       out->n_cases < SEARCH_MAX;
	     node_iter_next(it)) {
		size_t kl;
		const uint8_t *k = node_iter_key(it, &kl);
		char cid[NODE_CASE_ID_MAX];
		Ow__Case *cs = NULL;
		uint64_t gen;

		if (kl - plen >= sizeof(cid)) {
			continue;
		}
		memcpy(cid, k + plen, kl - plen);
		cid[kl - plen] = '\0';
		if (node_read_case(n, cid, &cs, &gen) == 0) {
			Ow__CaseSummary *s = node__summary(n, cs);

			pending = pending || gen != 0;
			if (s != NULL) {
				out->cases[out->n_cases++] = s;
			}
			node_case_free(cs);
		}
	}
	node_iter_free(it);
	return pending;
}

enum node_disp
node__h_case_search(struct call *c)
{
	const Ow__CaseSearchReq *r = c->req->case_search;
	uint8_t prefix[512], after[512];
	size_t plen, alen = 0;
	struct node_iter *it = NULL;
	Ow__CaseSearchResp *sr;
	uint32_t limit = r->limit == 0           ? SEARCH_DEFAULT
	                 : r->limit > SEARCH_MAX ? SEARCH_MAX
	                                         : r->limit;
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
	if (rc == 0 && r->after[0] != '\0') {
		/* The cursor is the hex of the last key returned. */
		if (sodium_hex2bin(after, sizeof(after), r->after,
		        strlen(r->after), NULL, &alen, NULL) != 0) {
			rc = CM_EINVAL;
		}
	}
	if (rc == 0) {
		rc = node_iter_new(c->n->st, NODE_CF_IDX, prefix, plen, &it);
	}
	if (rc != 0) {
		node__fail(c->resp, rc);
		if (it != NULL) {
			node_iter_free(it);
		}
		return NODE_REPLY_NOW;
	}
	if (alen > 0) {
		node_iter_seek(it, after, alen);
		if (node_iter_valid(it)) {
			size_t kl;
			const void *k = node_iter_key(it, &kl);

			if (kl == alen && memcmp(k, after, alen) == 0) {
				node_iter_next(it);
			}
		}
	}
	sr->cases = calloc(limit, sizeof(*sr->cases));
	for (; sr->cases != NULL && node_iter_valid(it); node_iter_next(it)) {
		size_t kl;
		const uint8_t *k = node_iter_key(it, &kl);
		const uint8_t *idp = k + kl;
		char id[NODE_CASE_ID_MAX];
		Ow__Case *cs = NULL;
		uint64_t gen;

		if (sr->n_cases == limit) {
			char hex[1100];

			/* More follow: the cursor is the last key returned. */
			node_iter_prev(it);
			k = node_iter_key(it, &kl);
			sodium_bin2hex(
			    hex, sizeof(hex), k, kl < 512 ? kl : 512);
			sr->next = node__dup(hex);
			break;
		}
		while (idp > k && idp[-1] != 0) {
			idp--;
		}
		if ((size_t)(k + kl - idp) >= sizeof(id)) {
			continue;
		}
		memcpy(id, idp, (size_t)(k + kl - idp));
		id[k + kl - idp] = '\0';
		if (node_read_case(c->n, id, &cs, &gen) == 0) {
			Ow__CaseSummary *s = node__summary(c->n, cs);

			pending = pending || gen != 0;

			if (s != NULL) {
				sr->cases[sr->n_cases++] = s;
			}
			node_case_free(cs);
		}
	}
	node_iter_free(it);
	return pending ? NODE_REPLY_AFTER_BATCH : NODE_REPLY_NOW;
}

enum node_disp
node__h_case_history(struct call *c)
{
	const char *id = c->req->case_history->id;
	uint8_t prefix[NODE_CASE_ID_MAX + 4];
	struct node_iter *it = NULL;
	Ow__CaseHistoryResp *hr;
	size_t plen, cap = 0;
	int rc;

	if (strlen(id) >= NODE_CASE_ID_MAX) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	plen = node_index_prefix('h', id, NULL, prefix, sizeof(prefix) - 1);
	prefix[plen++] = 0;
	hr = malloc(sizeof(*hr));
	if (hr == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__case_history_resp__init(hr);
	c->resp->body_case = OW__RESPONSE__BODY_CASE_HISTORY;
	c->resp->case_history = hr;
	rc = node_iter_new(c->n->st, NODE_CF_IDX, prefix, plen, &it);
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t kl, vlen;
		const uint8_t *k = node_iter_key(it, &kl);
		char origin[NODE_ORIGIN_MAX + 1];
		uint8_t lkey[1 + NODE_ORIGIN_MAX + 8];
		const uint8_t *o = k + plen, *end = k + kl - 8;
		uint64_t seq = 0;
		void *val = NULL;
		Ow__Op *op = NULL;
		unsigned char hash[NODE_HASH_BYTES];
		Ow__HistoryEntry *e;

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
		if (vlen == 0 || node_store_get(c->n->st, NODE_CF_LOG, lkey,
		                     vlen, &val, &vlen) != 0) {
			continue;
		}
		/* Only this node's public key is known here; ops of other
		 * halls are checked when replication brings them (issue 5). */
		rc = node_op_open(val, vlen, c->n->kp.pk, &op, hash);
		cm_free(val);
		if (rc != 0) {
			rc = 0;
			continue;
		}
		if (hr->n_entries == cap) {
			size_t ncap = cap == 0 ? 16 : cap * 2;
			Ow__HistoryEntry **ne =
			    realloc(hr->entries, ncap * sizeof(*ne));

			if (ne == NULL) {
				ow__op__free_unpacked(op, NULL);
				rc = CM_ENOMEM;
				break;
			}
			hr->entries = ne;
			cap = ncap;
		}
		e = malloc(sizeof(*e));
		if (e == NULL) {
			ow__op__free_unpacked(op, NULL);
			rc = CM_ENOMEM;
			break;
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
			    node_state_name(
			        (enum node_state)op->act->from_state),
			    node_state_name(
			        (enum node_state)op->act->to_state));
			e->summary = node__dup(sum);
		} else if (op->body_case == OW__OP__BODY_ASSIGN) {
			char sum[160];

			snprintf(sum, sizeof(sum), "-> %s %s", op->assign->hall,
			    op->assign->assignee);
			e->summary = node__dup(sum);
		}
		hr->entries[hr->n_entries++] = e;
		ow__op__free_unpacked(op, NULL);
	}
	if (it != NULL) {
		node_iter_free(it);
	}
	if (rc != 0) {
		node__fail(c->resp, rc);
	} else if (hr->n_entries == 0) {
		node__fail(c->resp, CM_ENOTFOUND);
	}
	return NODE_REPLY_NOW;
}
