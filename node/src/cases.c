/*
 * cases.c: intake, the materialised case, applying ops, deadlines and
 * index keys (see cases.h).
 *
 * Cases are protobuf-c structures (Ow__Case) owned the way
 * protobuf_c_message_free_unpacked expects: every string and array is
 * malloc'd or protobuf_c_empty_string. Ops are applied to a copy that
 * replaces the case only when everything succeeded, so a failed
 * allocation never leaves half an op applied.
 */
#include "node/cases.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "forms/checks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ids ---------------------------------------------------------------- */

bool
node_hall_code_valid(const char *code)
{
	size_t n = strlen(code);

	if (n < 2 || n >= NODE_HALL_CODE_MAX || code[0] < 'A' ||
	    code[0] > 'Z') {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!((code[i] >= 'A' && code[i] <= 'Z') ||
		        (code[i] >= '0' && code[i] <= '9'))) {
			return false;
		}
	}
	return true;
}

int
node_case_id_format(const char *hall_code, int32_t day, uint32_t seq,
    char out[NODE_CASE_ID_MAX])
{
	int y, m, d, n;

	if (!node_hall_code_valid(hall_code) || seq == 0) {
		return CM_EINVAL;
	}
	cm_date_to_ymd(day, &y, &m, &d);
	n = snprintf(out, NODE_CASE_ID_MAX, "%s-%04u%02u%02u-%04u", hall_code,
	    (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u, seq);
	return n > 0 && n < NODE_CASE_ID_MAX ? 0 : CM_EINVAL;
}

int
node_case_id_parse(const char *id, char hall_code[NODE_HALL_CODE_MAX],
    int32_t *day, uint32_t *seq)
{
	const char *dash1 = strchr(id, '-');
	const char *dash2 = dash1 != NULL ? strchr(dash1 + 1, '-') : NULL;
	char date[11];
	unsigned long s = 0;
	size_t hl;

	if (dash1 == NULL || dash2 == NULL || dash2 - dash1 != 9) {
		return CM_EINVAL;
	}
	hl = (size_t)(dash1 - id);
	if (hl >= NODE_HALL_CODE_MAX) {
		return CM_EINVAL;
	}
	memcpy(hall_code, id, hl);
	hall_code[hl] = '\0';
	if (!node_hall_code_valid(hall_code)) {
		return CM_EINVAL;
	}
	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", dash1 + 1, dash1 + 5,
	    dash1 + 7);
	if (cm_date_parse(date, day) != 0) {
		return CM_EINVAL;
	}
	if (strlen(dash2 + 1) < 4) {
		return CM_EINVAL;
	}
	for (const char *p = dash2 + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || s > 100000000ul) {
			return CM_EINVAL;
		}
		s = s * 10 + (unsigned long)(*p - '0');
	}
	if (s == 0) {
		return CM_EINVAL;
	}
	*seq = (uint32_t)s;
	return 0;
}

/* ---- protobuf-c ownership helpers --------------------------------------- */

static void
str_free(char *s)
{
	if (s != NULL && s != protobuf_c_empty_string) {
		free(s);
	}
}

/* Replace *dst by a copy of src ("" becomes the shared empty string). */
static int
str_set(char **dst, const char *src)
{
	char *n;

	if (src == NULL || src[0] == '\0') {
		str_free(*dst);
		/* protobuf-c's own "unset" marker; never freed. */
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

/* Grow a protobuf-c repeated field by one slot; *arr is a malloc'd array. */
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
strarr_add(char ***arr, size_t *n, const char *s)
{
	char *c = cm_strdup(s);

	if (c == NULL) {
		return CM_ENOMEM;
	}
	if (arr_push((void ***)arr, n, c) != 0) {
		cm_free(c);
		return CM_ENOMEM;
	}
	return 0;
}

static bool
strarr_has(char *const *arr, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(arr[i], s) == 0) {
			return true;
		}
	}
	return false;
}

Ow__Case *
node_case_dup(const Ow__Case *c)
{
	size_t len = ow__case__get_packed_size(c);
	uint8_t *buf = cm_malloc(len);
	Ow__Case *d;

	if (buf == NULL) {
		return NULL;
	}
	ow__case__pack(c, buf);
	d = ow__case__unpack(NULL, len, buf);
	cm_free(buf);
	return d;
}

void
node_case_free(Ow__Case *c)
{
	if (c != NULL) {
		ow__case__free_unpacked(c, NULL);
	}
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

/* ---- intake ------------------------------------------------------------- */

void
node_intake_init(struct node_intake_out *out)
{
	memset(out, 0, sizeof(*out));
	form_report_init(&out->report);
	form_values_init(&out->values);
	form_mat_result_init(&out->mat);
}

void
node_intake_free(struct node_intake_out *out)
{
	form_report_free(&out->report);
	form_values_free(&out->values);
	form_mat_result_free(&out->mat);
}

int
node_intake_decide(const struct node_intake_in *in, struct node_intake_out *out)
{
	const Ow__CaseCreateReq *req = in->req;
	struct form_values raw;
	struct form_deadline_in din;
	struct form_mat_opts mo;
	const char **handed = NULL;
	int rc;

	if (in->m == NULL || req == NULL || req->applicant == NULL ||
	    str_empty(req->applicant->id_number)) {
		return CM_EINVAL;
	}
	form_values_init(&raw);
	for (size_t i = 0; i < req->n_fields; i++) {
		rc = form_values_set(
		    &raw, req->fields[i]->key, req->fields[i]->value);
		if (rc != 0) {
			form_values_free(&raw);
			return rc;
		}
	}
	rc = form_validate(in->m, &raw, in->today, &out->values, &out->report);
	form_values_free(&raw);
	if (rc != 0) {
		return rc;
	}

	/* A refusal is recorded whatever the form holds: the applicant gets
	 * the written refusal with the reason (Art. 32). */
	if (!str_empty(req->refuse_reason)) {
		out->state = NODE_ST_REFUSED;
		return 0;
	}
	/* Field errors go back to the clerk to correct at the counter; only a
	 * supervisor may accept warnings (e.g. an early pilot USCC). */
	if (form_report_blocks(&out->report,
	        req->override_warnings && in->role == NODE_ROLE_SUPERVISOR)) {
		out->blocked = true;
		return 0;
	}

	memset(&din, 0, sizeof(din));
	din.accepted = in->today;
	din.today = in->today;
	din.legal_limit = in->m->legal_limit;
	din.promised_limit = in->m->promised_limit;
	form_thresholds_default(&din.thresholds);
	rc = form_deadline_compute(in->cal, &din, &out->deadline);
	if (rc != 0) {
		return rc;
	}
	if (req->n_materials > 0) {
		handed = cm_calloc(req->n_materials, sizeof(*handed));
		if (handed == NULL) {
			return CM_ENOMEM;
		}
		for (size_t i = 0; i < req->n_materials; i++) {
			handed[i] = req->materials[i];
		}
	}
	memset(&mo, 0, sizeof(mo));
	mo.applicant_eligible = !req->applicant_ineligible;
	mo.cal = in->cal;
	mo.accepted = in->today;
	mo.promised_due = out->deadline.promised_due;
	rc = form_materials_check(
	    in->m, &out->values, handed, req->n_materials, &mo, &out->mat);
	cm_free(handed);
	if (rc != 0) {
		return rc;
	}
	switch (out->mat.outcome) {
	case FORM_MAT_COMPLETE:
		out->state = NODE_ST_ACCEPTED;
		break;
	case FORM_MAT_GAPS:
		out->state = NODE_ST_ACCEPTED_GAPS;
		break;
	case FORM_MAT_INCOMPLETE:
		/* The one-time notice: the applicant comes back within 5
		 * working days (Art. 32 allows the organ 5 days to notify;
		 * halls give the same to supplement). */
		out->state = NODE_ST_SUPPLEMENT;
		rc = form_calendar_add_workdays(
		    in->cal, in->today, 5, &out->supplement_due);
		break;
	}
	return rc;
}

static int
party_copy(Ow__Party **dst, const Ow__Party *src)
{
	Ow__Party *p;

	if (src == NULL) {
		return 0;
	}
	p = cm_malloc(sizeof(*p));
	if (p == NULL) {
		return CM_ENOMEM;
	}
	ow__party__init(p);
	*dst = p;
	p->kind = src->kind;
	if (str_set(&p->id_number, src->id_number) != 0 ||
	    str_set(&p->name, src->name) != 0 ||
	    str_set(&p->mobile, src->mobile) != 0 ||
	    str_set(&p->address, src->address) != 0) {
		return CM_ENOMEM;
	}
	return 0;
}

int
node_case_fill(Ow__Case *c, const struct node_intake_in *in,
    const struct node_intake_out *out, const char *id, const char *hall,
    const char *clerk)
{
	const Ow__CaseCreateReq *req = in->req;
	char day[CM_DATE_ISO_LEN];
	int rc = 0;

	c->state = (uint32_t)out->state;
	c->matter_version = (uint32_t)in->m->version;
	c->received_day = in->today;
	c->accepted_day = out->state == NODE_ST_ACCEPTED ||
	                          out->state == NODE_ST_ACCEPTED_GAPS
	                      ? in->today
	                      : 0;
	c->gaps_ineligible = req->applicant_ineligible;
	if (str_set(&c->id, id) != 0 || str_set(&c->matter, in->m->code) != 0 ||
	    str_set(&c->hall, hall) != 0 || str_set(&c->assignee, clerk) != 0 ||
	    str_set(&c->created_by, clerk) != 0 ||
	    str_set(&c->created_hall, hall) != 0 ||
	    str_set(&c->ticket, req->ticket) != 0 ||
	    str_set(&c->refusal_reason, req->refuse_reason) != 0 ||
	    party_copy(&c->applicant, req->applicant) != 0 ||
	    party_copy(&c->agent, req->agent) != 0) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < out->values.n && rc == 0; i++) {
		rc = kv_set(&c->fields, &c->n_fields, out->values.items[i].key,
		    out->values.items[i].value);
	}
	for (size_t i = 0; i < req->n_materials && rc == 0; i++) {
		if (form_matter_material(in->m, req->materials[i]) != NULL &&
		    !strarr_has(
		        c->materials, c->n_materials, req->materials[i])) {
			rc = strarr_add(
			    &c->materials, &c->n_materials, req->materials[i]);
		}
	}
	for (size_t i = 0; out->state == NODE_ST_ACCEPTED_GAPS &&
	                   i < out->mat.nmissing && rc == 0;
	     i++) {
		char entry[FORM_ID_MAX + CM_DATE_ISO_LEN + 2];

		snprintf(entry, sizeof(entry), "%s=%s",
		    out->mat.missing[i].mat->id,
		    cm_date_format(out->mat.missing[i].due, day));
		rc = strarr_add(&c->materials_due, &c->n_materials_due, entry);
	}
	return rc;
}

/* ---- applying ops ------------------------------------------------------- */

/* Is (hlc, origin) later than the stamp of key? Records it when it is. */
static int
stamp_wins(
    Ow__Case *c, const char *key, uint64_t hlc, const char *origin, bool *wins)
{
	Ow__FieldStamp *s;

	for (size_t i = 0; i < c->n_stamps; i++) {
		s = c->stamps[i];
		if (strcmp(s->key, key) == 0) {
			*wins =
			    hlc > s->hlc ||
			    (hlc == s->hlc && strcmp(origin, s->origin) > 0);
			if (*wins) {
				s->hlc = hlc;
				return str_set(&s->origin, origin);
			}
			return 0;
		}
	}
	*wins = true;
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

int
node_vv_raise(Ow__VersionVector *vv, const char *origin, uint64_t seq)
{
	Ow__VersionEntry *e;

	for (size_t i = 0; i < vv->n_entries; i++) {
		if (strcmp(vv->entries[i]->origin, origin) == 0) {
			if (seq > vv->entries[i]->seq) {
				vv->entries[i]->seq = seq;
			}
			return 0;
		}
	}
	e = cm_malloc(sizeof(*e));
	if (e == NULL) {
		return CM_ENOMEM;
	}
	ow__version_entry__init(e);
	e->seq = seq;
	if (str_set(&e->origin, origin) != 0 ||
	    arr_push((void ***)&vv->entries, &vv->n_entries, e) != 0) {
		ow__version_entry__free_unpacked(e, NULL);
		return CM_ENOMEM;
	}
	return 0;
}

static int
vv_advance(Ow__Case *c, const char *origin, uint64_t seq)
{
	if (c->version == NULL) {
		c->version = cm_malloc(sizeof(*c->version));
		if (c->version == NULL) {
			return CM_ENOMEM;
		}
		ow__version_vector__init(c->version);
	}
	return node_vv_raise(c->version, origin, seq);
}

static int
apply_edit(Ow__Case *c, const Ow__Op *op)
{
	const Ow__CaseEdit *e = op->edit;
	int rc = 0;

	for (size_t i = 0; i < e->n_set && rc == 0; i++) {
		char key[FORM_ID_MAX + 8];
		bool wins;

		snprintf(key, sizeof(key), "f:%s", e->set[i]->key);
		rc = stamp_wins(c, key, op->hlc, op->origin, &wins);
		if (rc == 0 && wins) {
			rc = kv_set(&c->fields, &c->n_fields, e->set[i]->key,
			    e->set[i]->value);
		}
	}
	for (size_t i = 0; i < e->n_materials_add && rc == 0; i++) {
		if (!strarr_has(
		        c->materials, c->n_materials, e->materials_add[i])) {
			rc = strarr_add(&c->materials, &c->n_materials,
			    e->materials_add[i]);
		}
	}
	return rc;
}

/* Open or close the pause a state change starts or ends. */
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
apply_act(Ow__Case *c, const Ow__Op *op)
{
	const Ow__CaseAct *a = op->act;
	enum node_state from = (enum node_state)a->from_state;
	enum node_state to = (enum node_state)a->to_state;
	enum node_state cur = (enum node_state)c->state;
	int rc;

	if (a->from_state >= NODE_ST__COUNT || a->to_state >= NODE_ST__COUNT ||
	    a->action >= NODE_ACT__COUNT || c->state >= NODE_ST__COUNT) {
		return CM_EPROTO;
	}
	/* The transition must be one the table knows for some role, or a
	 * supervisor's resolve of a flagged case. */
	if (!node_wf_valid(from, (enum node_action)a->action, to)) {
		return CM_EPROTO;
	}
	if (a->action == NODE_ACT_RESOLVE && cur == from) {
		/* Settled: the fold cannot see the branches any more. */
		c->conflict = false;
	}
	if (cur != from) {
		/* Another hall moved the case meanwhile: never settle this by
		 * clock; take the rule table's provisional state and flag it. */
		enum node_state merged = node_wf_merge(from, cur, to);

		c->conflict = true;
		rc = track_pause(c, cur, merged, a->day, a->reason);
		c->state = (uint32_t)merged;
		return rc;
	}
	if (from == NODE_ST_SUPPLEMENT && to == NODE_ST_ACCEPTED &&
	    c->accepted_day == 0) {
		/* Supplemented at intake: acceptance starts the clock now. */
		c->accepted_day = a->day;
	}
	rc = track_pause(c, from, to, a->day, a->reason);
	if (rc == 0 && to == NODE_ST_REFUSED) {
		rc = str_set(&c->refusal_reason, a->reason);
	}
	if (rc == 0 && from == NODE_ST_ACCEPTED_GAPS &&
	    to == NODE_ST_ACCEPTED) {
		for (size_t i = 0; i < c->n_materials_due; i++) {
			free(c->materials_due[i]);
		}
		c->n_materials_due = 0;
	}
	c->state = (uint32_t)to;
	return rc;
}

static int
apply_assign(Ow__Case *c, const Ow__Op *op)
{
	bool wins;
	int rc = stamp_wins(c, "assign", op->hlc, op->origin, &wins);

	if (rc != 0 || !wins) {
		return rc;
	}
	if (str_set(&c->hall, op->assign->hall) != 0 ||
	    str_set(&c->assignee, op->assign->assignee) != 0) {
		return CM_ENOMEM;
	}
	return 0;
}

bool
node_remedy_ok(const Ow__Op *op)
{
	return op->body_case == OW__OP__BODY_REMEDY && op->remedy != NULL &&
	       op->remedy->step >= 1 && op->remedy->step <= 3 &&
	       (op->remedy->step != 3 ||
	           (op->remedy->level >= 1 && op->remedy->level <= 5));
}

int
node_case_remedy_step(Ow__Case *c, const Ow__Op *op)
{
	const Ow__Remedy *r = op->remedy;
	Ow__Remediation *m = c->remedy;

	if (m == NULL) {
		m = cm_malloc(sizeof(*m));
		if (m == NULL) {
			return CM_ENOMEM;
		}
		ow__remediation__init(m);
		c->remedy = m;
	}
	switch (r->step) {
	case 1:
		m->callback_day = r->day;
		if (str_set(&m->callback, r->text) != 0 ||
		    str_set(&m->callback_by, op->actor) != 0) {
			return CM_ENOMEM;
		}
		return 0;
	case 2:
		m->rectified_day = r->day;
		if (str_set(&m->outcome, r->text) != 0 ||
		    str_set(&m->rectified_by, op->actor) != 0) {
			return CM_ENOMEM;
		}
		return 0;
	default:
		m->followup_day = r->day;
		m->followup_level = r->level;
		return str_set(&m->followup_by, op->actor);
	}
}

/* Each step: the latest by (hlc, origin), on every replica. */
static int
apply_remedy(Ow__Case *c, const Ow__Op *op)
{
	char key[16];
	bool wins;
	int rc;

	snprintf(key, sizeof(key), "remedy%u", op->remedy->step);
	rc = stamp_wins(c, key, op->hlc, op->origin, &wins);
	return rc != 0 || !wins ? rc : node_case_remedy_step(c, op);
}

/* The latest acknowledgement by (hlc, origin). */
static int
apply_ack(Ow__Case *c, const Ow__Op *op)
{
	bool wins;
	int rc = stamp_wins(c, "ack", op->hlc, op->origin, &wins);

	if (rc != 0 || !wins) {
		return rc;
	}
	c->ack_hlc = op->hlc;
	return str_set(&c->ack_by, op->actor);
}

static int
apply_note(Ow__Case *c, const Ow__Op *op)
{
	Ow__Note *n;

	/* Add-only: the same note (hlc, origin) twice is one note. */
	for (size_t i = 0; i < c->n_notes; i++) {
		if (c->notes[i]->hlc == op->hlc &&
		    strcmp(c->notes[i]->origin, op->origin) == 0) {
			return 0;
		}
	}
	n = cm_malloc(sizeof(*n));
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
	return 0;
}

static int
apply_rate(Ow__Case *c, const Ow__Op *op)
{
	Ow__Rating *r;

	if (op->rate->level < 1 || op->rate->level > 5) {
		return CM_EPROTO;
	}
	/* One rating per case (一事一评): the first by (hlc, origin) stands on
	 * every replica. */
	if (c->rating != NULL && c->rating->hlc <= op->hlc) {
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
apply_extend(Ow__Case *c, const Ow__Op *op)
{
	/* Extensions are granted once; the larger grant wins everywhere. */
	if (op->extend->days > c->extension) {
		c->extension = op->extend->days;
		return str_set(&c->extension_reason, op->extend->reason);
	}
	return 0;
}

static int
apply_deliver(Ow__Case *c, const Ow__Op *op)
{
	Ow__Delivery *d;
	bool wins;
	int rc = stamp_wins(c, "delivery", op->hlc, op->origin, &wins);

	if (rc != 0 || !wins) {
		return rc;
	}
	d = cm_malloc(sizeof(*d));
	if (d == NULL) {
		return CM_ENOMEM;
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
	return 0;
}

static bool
body_matches(const Ow__Op *op)
{
	switch (op->kind) {
	case OW__OP_KIND__OP_CASE_CREATE:
		return op->body_case == OW__OP__BODY_CREATE &&
		       op->create != NULL && op->create->initial != NULL;
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
		return op->body_case == OW__OP__BODY_RATE && op->rate != NULL;
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

bool
node_seal_ok(const Ow__Op *op)
{
	return op->kind == OW__OP_KIND__OP_CASE_SEAL &&
	       op->body_case == OW__OP__BODY_SEAL && op->seal != NULL &&
	       op->seal->digest.len == 32;
}

int
node_case_apply(Ow__Case **cp, const Ow__Op *op)
{
	Ow__Case *c;
	int rc;

	if (!body_matches(op) || str_empty(op->case_id)) {
		return CM_EPROTO;
	}
	if (op->kind == OW__OP_KIND__OP_CASE_CREATE) {
		if (*cp != NULL) {
			return CM_ESTATE;
		}
		if (strcmp(op->create->initial->id, op->case_id) != 0 ||
		    op->create->initial->state >= NODE_ST__COUNT) {
			return CM_EPROTO;
		}
		c = node_case_dup(op->create->initial);
		if (c == NULL) {
			return CM_ENOMEM;
		}
		c->created_hlc = op->hlc;
		rc = str_set(&c->created_by, op->actor);
	} else {
		if (*cp == NULL) {
			return CM_ESTATE;
		}
		c = node_case_dup(*cp);
		if (c == NULL) {
			return CM_ENOMEM;
		}
		switch (op->kind) {
		case OW__OP_KIND__OP_CASE_EDIT:
			rc = apply_edit(c, op);
			break;
		case OW__OP_KIND__OP_CASE_ACT:
			rc = apply_act(c, op);
			break;
		case OW__OP_KIND__OP_CASE_ASSIGN:
			rc = apply_assign(c, op);
			break;
		case OW__OP_KIND__OP_CASE_NOTE:
			rc = apply_note(c, op);
			break;
		case OW__OP_KIND__OP_CASE_RATE:
			rc = apply_rate(c, op);
			break;
		case OW__OP_KIND__OP_CASE_EXTEND:
			rc = apply_extend(c, op);
			break;
		case OW__OP_KIND__OP_CASE_DELIVER:
			rc = apply_deliver(c, op);
			break;
		case OW__OP_KIND__OP_CASE_REMEDY:
			rc = apply_remedy(c, op);
			break;
		case OW__OP_KIND__OP_CASE_ACK:
			rc = apply_ack(c, op);
			break;
		case OW__OP_KIND__OP_CASE_SEAL:
			rc = 0; /* marks a point in the case's ops only */
			break;
		default:
			rc = CM_EPROTO;
		}
	}
	if (rc == 0) {
		rc = vv_advance(c, op->origin, op->seq);
	}
	if (rc != 0) {
		node_case_free(c);
		return rc;
	}
	if (op->hlc > c->updated_hlc && op->kind != OW__OP_KIND__OP_CASE_SEAL) {
		c->updated_hlc = op->hlc;
	}
	node_case_free(*cp);
	*cp = c;
	return 0;
}

/* ---- deadlines ---------------------------------------------------------- */

int
node_case_deadline(const struct form_calendar *cal, const struct form_matter *m,
    const Ow__Case *c, int32_t today, const struct form_thresholds *th,
    struct form_deadline *out)
{
	struct form_pause stack[16], *pauses = stack;
	struct form_deadline_in in;
	int rc;

	if (c->accepted_day == 0 || today < c->accepted_day) {
		return CM_ENOENT;
	}
	if (c->n_pauses > sizeof(stack) / sizeof(stack[0])) {
		pauses = cm_calloc(c->n_pauses, sizeof(*pauses));
		if (pauses == NULL) {
			return CM_ENOMEM;
		}
	}
	for (size_t i = 0; i < c->n_pauses; i++) {
		pauses[i].from = c->pauses[i]->from_day;
		pauses[i].to = c->pauses[i]->to_day == 0 ? INT32_MAX
		                                         : c->pauses[i]->to_day;
		pauses[i].kind = (enum form_pause_kind)c->pauses[i]->kind;
	}
	memset(&in, 0, sizeof(in));
	in.accepted = c->accepted_day;
	in.today = today;
	in.legal_limit = m->legal_limit;
	in.promised_limit = m->promised_limit;
	in.extension = (int)c->extension;
	in.pauses = pauses;
	in.npauses = c->n_pauses;
	if (th != NULL) {
		in.thresholds = *th;
	} else {
		form_thresholds_default(&in.thresholds);
	}
	rc = form_deadline_compute(cal, &in, out);
	if (pauses != stack) {
		cm_free(pauses);
	}
	return rc;
}

/* ---- index keys --------------------------------------------------------- */

void
node_keys_init(struct node_keys *k)
{
	memset(k, 0, sizeof(*k));
}

void
node_keys_free(struct node_keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		cm_free(k->keys[i]);
	}
	cm_free(k->keys);
	cm_free(k->lens);
	memset(k, 0, sizeof(*k));
}

/* kind NUL v1 [NUL v2] NUL id */
static int
keys_add(struct node_keys *k, char kind, const char *v1, const char *v2,
    const char *id)
{
	size_t l1 = strlen(v1), l2 = v2 != NULL ? strlen(v2) + 1 : 0;
	size_t len = 2 + l1 + l2 + 1 + strlen(id);
	uint8_t *key;
	size_t off = 0;

	if (k->n == k->cap) {
		size_t ncap = k->cap == 0 ? 16 : k->cap * 2;
		uint8_t **nk = cm_reallocarray(k->keys, ncap, sizeof(*nk));
		size_t *nl;

		if (nk == NULL) {
			return CM_ENOMEM;
		}
		k->keys = nk;
		nl = cm_reallocarray(k->lens, ncap, sizeof(*nl));
		if (nl == NULL) {
			return CM_ENOMEM;
		}
		k->lens = nl;
		k->cap = ncap;
	}
	key = cm_malloc(len);
	if (key == NULL) {
		return CM_ENOMEM;
	}
	key[off++] = (uint8_t)kind;
	key[off++] = 0;
	memcpy(key + off, v1, l1);
	off += l1;
	if (v2 != NULL) {
		key[off++] = 0;
		memcpy(key + off, v2, l2 - 1);
		off += l2 - 1;
	}
	key[off++] = 0;
	memcpy(key + off, id, strlen(id));
	k->keys[k->n] = key;
	k->lens[k->n] = len;
	k->n++;
	return 0;
}

int
node_case_index_keys(const Ow__Case *c, struct node_keys *out)
{
	char date[9], num[12];
	int32_t day = c->accepted_day != 0 ? c->accepted_day : c->received_day;
	int y, m, d, rc = 0;

	if (c->applicant != NULL && !str_empty(c->applicant->id_number)) {
		rc = keys_add(out, NODE_IDX_APPLICANT, c->applicant->id_number,
		    NULL, c->id);
	}
	if (rc == 0 && c->applicant != NULL &&
	    !str_empty(c->applicant->mobile)) {
		rc = keys_add(
		    out, NODE_IDX_PHONE, c->applicant->mobile, NULL, c->id);
	}
	if (rc == 0 && c->applicant != NULL && !str_empty(c->applicant->name)) {
		rc = keys_add(
		    out, NODE_IDX_NAME, c->applicant->name, NULL, c->id);
	}
	if (rc == 0 && c->agent != NULL && !str_empty(c->agent->id_number)) {
		rc = keys_add(
		    out, NODE_IDX_APPLICANT, c->agent->id_number, NULL, c->id);
	}
	snprintf(num, sizeof(num), "%02u", c->state % 100u);
	if (rc == 0) {
		rc = keys_add(out, NODE_IDX_STATE, c->hall, num, c->id);
	}
	if (rc == 0 && !str_empty(c->assignee)) {
		rc = keys_add(out, NODE_IDX_ASSIGNEE, c->assignee, NULL, c->id);
	}
	if (rc == 0) {
		rc = keys_add(out, NODE_IDX_MATTER, c->matter, NULL, c->id);
	}
	if (rc == 0 && day != 0) {
		cm_date_to_ymd(day, &y, &m, &d);
		snprintf(date, sizeof(date), "%04u%02u%02u",
		    (unsigned)y % 10000u, (unsigned)m % 100u,
		    (unsigned)d % 100u);
		rc = keys_add(out, NODE_IDX_DATE, date, NULL, c->id);
	}
	if (rc == 0 && c->conflict) {
		rc = keys_add(out, NODE_IDX_CONFLICT, "1", NULL, c->id);
	}
	if (rc == 0 && node_case_remedy_open(c)) {
		rc = keys_add(out, NODE_IDX_REMEDY, c->hall, NULL, c->id);
	}
	return rc;
}

bool
node_case_awaiting_ack(const Ow__Case *c)
{
	uint64_t moved = 0;

	if (str_empty(c->assignee)) {
		return false;
	}
	for (size_t i = 0; i < c->n_stamps; i++) {
		if (strcmp(c->stamps[i]->key, "assign") == 0) {
			moved = c->stamps[i]->hlc;
		}
	}
	return moved != 0 &&
	       !(c->ack_hlc > moved && strcmp(c->ack_by, c->assignee) == 0);
}

bool
node_case_remedy_open(const Ow__Case *c)
{
	return c->rating != NULL && c->rating->level >= 1 &&
	       c->rating->level <= 2 &&
	       (c->remedy == NULL || c->remedy->followup_level == 0);
}

size_t
node_index_prefix(
    char kind, const char *value, const char *value2, uint8_t *out, size_t size)
{
	size_t l1 = strlen(value), l2 = value2 != NULL ? strlen(value2) : 0;
	size_t len = 2 + l1 + (value2 != NULL ? 1 + l2 : 0);
	size_t off = 0;

	if (len > size) {
		return 0;
	}
	out[off++] = (uint8_t)kind;
	out[off++] = 0;
	memcpy(out + off, value, l1);
	off += l1;
	if (value2 != NULL) {
		out[off++] = 0;
		memcpy(out + off, value2, l2);
		off += l2;
	}
	return off;
}

void
node_mask_id(const char *id, char *out, size_t size)
{
	size_t n = strlen(id), i;

	if (size == 0) {
		return;
	}
	for (i = 0; i < n && i + 1 < size; i++) {
		out[i] = n >= 8 && (i < 4 || i + 4 >= n) ? id[i] : '*';
	}
	out[i] = '\0';
}
