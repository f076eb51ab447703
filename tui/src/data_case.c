/*
 * data_case.c: the calls of the case screens: a matter's form from the
 * catalog, the applicant register, creating a case, opening one, acting
 * on it, its history, rating it, searching.
 *
 * As in data.c, every call carries the desk's generation and answers of
 * an older session are dropped; an error answer becomes the status line's
 * message (the node's report of field problems goes to the form).
 * Answers kept by a screen (an open case) are taken from the call whole.
 */
#include "desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/i18n.h"
#include "forms/diag.h"
#include "node/workflow.h"

int32_t
tui_data_today(void)
{
	const char *fixed = getenv("OW_TODAY");
	int32_t day;

	if (fixed != NULL && cm_date_parse(fixed, &day) == 0) {
		return day;
	}
	return cm_date_today();
}

static struct tui_call *
call(struct tui_desk *d, Ow__Request__BodyCase body)
{
	struct tui_call *c = tui_call_new(TUI_CALL_OTHER, body);

	if (c == NULL) {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
		return NULL;
	}
	c->gen = d->gen;
	return c;
}

/* The common part of the answers: stale ones dropped, the link noted,
 * an error said. True: a good answer of the wanted body. */
static bool
good(struct tui_call *c, Ow__Response__BodyCase want, bool say)
{
	struct tui_desk *d = c->arg;

	if (c->gen != d->gen || d->quitting) {
		return false;
	}
	tui_desk_link_result(d, c->rc, c->rc == 0 ? c->resp->status : 0);
	if (c->gen != d->gen) {
		return false;
	}
	tui_desk_dirty(d);
	if (c->rc != 0 || c->resp->status != 0) {
		if (say) {
			tui_desk_message(d, TUI_MSG_ERROR, "%s",
			    tui_data_error(c->rc, c->resp));
		}
		return false;
	}
	return want == OW__RESPONSE__BODY__NOT_SET ||
	       c->resp->body_case == want;
}

/* ---- A matter's form --------------------------------------------------- */

static void
matter_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const Ow__CatalogShowResp *cs;
	struct form_matter *m = NULL;
	struct form_diags diags;

	d->picker.loading = false;
	if (!good(c, OW__RESPONSE__BODY_CATALOG_SHOW, true)) {
		return;
	}
	cs = c->resp->catalog_show;
	form_diags_init(&diags);
	if (form_matter_parse("node", (const char *)cs->matter_json.data,
	        cs->matter_json.len, &m, &diags) != 0) {
		tui_desk_message(d, TUI_MSG_ERROR, "%s",
		    _("The node sent a matter the desk cannot read."));
		form_diags_free(&diags);
		return;
	}
	form_diags_free(&diags);
	tui_intake_start(d, m);
}

void
tui_data_matter_open(struct tui_desk *d, const char *code)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CATALOG_SHOW);

	if (c == NULL) {
		return;
	}
	c->body.catalog_show.code = tui_call_str(c, code);
	d->picker.loading = true;
	tui_link_submit(&d->link, c, matter_done, d);
}

/* ---- Matters for labels ------------------------------------------------ */

static void
cached_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	struct tui_mcache *mc = &d->mcache;
	struct form_matter *m = NULL;
	struct form_diags diags;

	mc->asked[0] = '\0';
	if (!good(c, OW__RESPONSE__BODY_CATALOG_SHOW, false)) {
		return;
	}
	form_diags_init(&diags);
	if (form_matter_parse("node",
	        (const char *)c->resp->catalog_show->matter_json.data,
	        c->resp->catalog_show->matter_json.len, &m, &diags) == 0) {
		if (mc->n < TUI_MATTER_CACHE) {
			mc->m[mc->n++] = m;
		} else {
			form_matter_free(mc->m[mc->next]);
			mc->m[mc->next] = m;
			mc->next = (mc->next + 1) % TUI_MATTER_CACHE;
		}
	}
	form_diags_free(&diags);
}

const struct form_matter *
tui_data_matter_of(struct tui_desk *d, const char *code, unsigned version)
{
	struct tui_mcache *mc = &d->mcache;
	struct tui_call *c;
	char key[32];

	for (size_t i = 0; i < mc->n; i++) {
		if (strcmp(mc->m[i]->code, code) == 0 &&
		    (unsigned)mc->m[i]->version == version) {
			return mc->m[i];
		}
	}
	snprintf(key, sizeof(key), "%s/%u", code, version);
	if (strcmp(mc->asked, key) == 0 || !d->logged_in) {
		return NULL; /* on its way */
	}
	c = call(d, OW__REQUEST__BODY_CATALOG_SHOW);
	if (c == NULL) {
		return NULL;
	}
	snprintf(mc->asked, sizeof(mc->asked), "%s", key);
	c->body.catalog_show.code = tui_call_str(c, code);
	c->body.catalog_show.version = version;
	tui_link_submit(&d->link, c, cached_done, d);
	return NULL;
}

/* ---- The applicant register -------------------------------------------- */

static void
applicant_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	struct tui_intake *in = &d->intake;
	const Ow__ApplicantGetResp *a;
	const char *keys[64], *vals[64];
	size_t n = 0, filled;

	/* Not known yet is no error: a first visit. */
	if (!good(c, OW__RESPONSE__BODY_APPLICANT_GET, false)) {
		if (c->rc == 0 && c->resp->status == CM_ENOTFOUND &&
		    in->active) {
			in->looked_up = true;
			in->known_cases = 0;
			tui_desk_message(d, TUI_MSG_INFO, "%s",
			    _("A new applicant: no data given before."));
		} else if (c->gen == d->gen && c->rc != 0) {
			tui_desk_message(d, TUI_MSG_ERROR, "%s",
			    tui_data_error(c->rc, c->resp));
		}
		return;
	}
	if (!in->active ||
	    strcmp(in->form.looked_up, c->body.applicant_get.id_number) != 0) {
		return; /* another form or applicant by now */
	}
	a = c->resp->applicant_get;
	for (size_t i = 0; i < a->n_profile && n < 64; i++) {
		keys[n] = a->profile[i]->key;
		vals[n] = a->profile[i]->value;
		n++;
	}
	filled = tui_form_prefill(&in->form, keys, vals, n);
	in->looked_up = true;
	in->known_cases = a->n_cases;
	/* The node sends the first page of them (the oldest first). */
	in->known_more = a->next != NULL && a->next[0] != '\0';
	in->nknown = 0;
	for (size_t i = a->n_cases; i > 0 && in->nknown < TUI_KNOWN_MAX; i--) {
		const Ow__CaseSummary *cs = a->cases[i - 1];

		snprintf(in->known_id[in->nknown], sizeof(in->known_id[0]),
		    "%s", cs->id);
		snprintf(in->known[in->nknown], sizeof(in->known[0]),
		    "%s  %s  %s", cs->id,
		    node_state_label((enum node_state)cs->state),
		    tui_data_matter_name(d, cs->matter));
		in->nknown++;
	}
	tui_desk_message(d, TUI_MSG_INFO,
	    _n("Known applicant: %zu field filled in from earlier cases.",
	        "Known applicant: %zu fields filled in from earlier cases.",
	        filled),
	    filled);
}

void
tui_data_applicant(struct tui_desk *d, const char *id_number)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_APPLICANT_GET);

	if (c == NULL) {
		return;
	}
	c->body.applicant_get.id_number = tui_call_str(c, id_number);
	c->body.applicant_get.limit = 200;
	tui_link_submit(&d->link, c, applicant_done, d);
}

/* ---- Creating a case --------------------------------------------------- */

/* What a CaseCreateReq points to, owned by the call. */
struct create_extra {
	Ow__Party party;
	struct form_values vals;
	Ow__KeyValue *kv;
	Ow__KeyValue **kvp;
	const char *handed[128];
	char *strs[4];
};

static void
create_extra_free(void *p)
{
	struct create_extra *x = p;

	form_values_free(&x->vals);
	cm_free(x->kv);
	cm_free(x->kvp);
	for (size_t i = 0; i < sizeof(x->strs) / sizeof(x->strs[0]); i++) {
		cm_free(x->strs[i]);
	}
	cm_free(x);
}

static void
create_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const Ow__CaseCreateResp *cr;
	struct tui_result *r = &d->result;

	d->intake.busy = false;
	if (c->gen != d->gen || d->quitting) {
		return;
	}
	if (!good(c, OW__RESPONSE__BODY_CASE_CREATE, false)) {
		if (c->gen == d->gen) {
			tui_intake_failed(d, c->rc == 0 ? c->resp : NULL,
			    tui_data_error(c->rc, c->resp));
		}
		return;
	}
	cr = c->resp->case_create;
	cm_free(r->text);
	memset(r, 0, sizeof(*r));
	if (cr->case_ != NULL) {
		snprintf(r->case_id, sizeof(r->case_id), "%s", cr->case_->id);
		r->state = cr->case_->state;
	}
	snprintf(r->kind, sizeof(r->kind), "%s",
	    cr->notice_kind != NULL ? cr->notice_kind : "");
	snprintf(r->verify, sizeof(r->verify), "%s",
	    cr->verify_code != NULL ? cr->verify_code : "");
	r->text = cm_strdup(cr->notice_text != NULL ? cr->notice_text : "");
	r->promised_due = cr->deadline != NULL ? cr->deadline->promised_due : 0;
	/* The ticket is served: linked to the case for the reports, and
	 * the window is free for the next applicant. */
	if (d->intake.ticket[0] != '\0') {
		tui_data_ticket(d, "link", d->intake.ticket, NULL, r->case_id);
		if (strcmp(d->intake.ticket, d->ticket) == 0) {
			d->ticket[0] = '\0';
		}
	}
	tui_intake_draft_drop(d);
	tui_intake_end(d);
	tui_desk_switch(d, &tui_view_result);
	tui_desk_message(d, TUI_MSG_INFO, _("Case %s saved."), r->case_id);
	tui_data_refresh(d, TUI_REFRESH_MINE | TUI_REFRESH_WARN);
}

void
tui_data_case_create(struct tui_desk *d, const char *refuse_reason)
{
	struct tui_form *fm = &d->intake.form;
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_CREATE);
	struct create_extra *x;
	Ow__CaseCreateReq *b;
	size_t nh;

	if (c == NULL) {
		return;
	}
	x = cm_calloc(1, sizeof(*x));
	if (x == NULL) {
		goto oom;
	}
	c->extra = x;
	c->extra_free = create_extra_free;
	form_values_init(&x->vals);
	if (tui_form_values(fm, &x->vals) != 0) {
		goto oom;
	}
	x->kv = cm_calloc(x->vals.n + 1, sizeof(*x->kv));
	x->kvp = cm_calloc(x->vals.n + 1, sizeof(*x->kvp));
	x->strs[0] = tui_editor_value(&fm->applicant);
	x->strs[1] = tui_form_profile_value(
	    fm, tui_form_applicant_kind(fm) == TUI_APPLICANT_ENTERPRISE
	            ? "org.name"
	            : "person.name");
	x->strs[2] = tui_form_profile_value(
	    fm, tui_form_applicant_kind(fm) == TUI_APPLICANT_ENTERPRISE
	            ? "org.phone"
	            : "person.mobile");
	if (x->kv == NULL || x->kvp == NULL || x->strs[0] == NULL ||
	    x->strs[1] == NULL || x->strs[2] == NULL) {
		goto oom;
	}
	for (size_t i = 0; i < x->vals.n; i++) {
		ow__key_value__init(&x->kv[i]);
		x->kv[i].key = x->vals.items[i].key;
		x->kv[i].value = x->vals.items[i].value;
		x->kvp[i] = &x->kv[i];
	}
	ow__party__init(&x->party);
	x->party.kind = tui_form_applicant_kind(fm) == TUI_APPLICANT_ENTERPRISE
	                    ? OW__APPLICANT_KIND__APPLICANT_ENTERPRISE
	                    : OW__APPLICANT_KIND__APPLICANT_PERSON;
	x->party.id_number = x->strs[0];
	x->party.name = x->strs[1];
	x->party.mobile = x->strs[2];
	nh = tui_form_handed(fm, x->handed, 128);
	b = &c->body.case_create;
	b->matter = fm->m->code;
	b->applicant = &x->party;
	b->n_fields = x->vals.n;
	b->fields = x->kvp;
	b->n_materials = nh;
	b->materials = (char **)(uintptr_t)x->handed;
	b->ticket = tui_call_str(c, d->intake.ticket);
	if (refuse_reason != NULL) {
		b->refuse_reason = tui_call_str(c, refuse_reason);
	}
	d->intake.busy = true;
	tui_link_submit(&d->link, c, create_done, d);
	return;
oom:
	tui_desk_message(d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
	tui_call_free(c);
}

/* ---- An open case ------------------------------------------------------ */

void
tui_data_case_free(struct tui_desk *d)
{
	struct tui_caseview *cv = &d->cv;

	if (cv->get != NULL) {
		ow__response__free_unpacked(cv->get, NULL);
	}
	if (cv->history != NULL) {
		ow__response__free_unpacked(cv->history, NULL);
	}
	cv->get = cv->history = NULL;
	cm_free(d->result.text);
	d->result.text = NULL;
	cm_free(d->search.results.rows);
	d->search.results.rows = NULL;
	d->search.results.n = 0;
	cm_free(d->search.last_value);
	d->search.last_value = NULL;
	for (size_t i = 0; i < d->mcache.n; i++) {
		form_matter_free(d->mcache.m[i]);
	}
	memset(&d->mcache, 0, sizeof(d->mcache));
}

static void
get_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	struct tui_caseview *cv = &d->cv;

	cv->loading = false;
	if (!good(c, OW__RESPONSE__BODY_CASE_GET, true)) {
		return;
	}
	if (strcmp(cv->id, c->body.case_get.id) != 0) {
		return;
	}
	if (cv->get != NULL) {
		ow__response__free_unpacked(cv->get, NULL);
	}
	cv->get = c->resp;
	c->resp = NULL; /* kept by the screen */
	if (d->view != &tui_view_case && d->view != &tui_view_login) {
		cv->top = 0;
		cv->show_history = false;
		tui_desk_switch(d, &tui_view_case);
	}
	/* A flagged case shows its halls' branches: they come from the
	 * history. */
	if (cv->get->case_get->case_ != NULL &&
	    cv->get->case_get->case_->conflict) {
		tui_data_case_history(d);
	}
}

void
tui_data_case_open(
    struct tui_desk *d, const char *id, const struct tui_view_ops *back)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_GET);

	if (c == NULL) {
		return;
	}
	if (id != d->cv.id && strcmp(d->cv.id, id) != 0) {
		if (d->cv.history != NULL) {
			ow__response__free_unpacked(d->cv.history, NULL);
			d->cv.history = NULL;
		}
		snprintf(d->cv.id, sizeof(d->cv.id), "%s", id);
	}
	if (back != NULL) {
		d->cv.back = back;
	}
	d->cv.loading = true;
	c->body.case_get.id = tui_call_str(c, id);
	tui_link_submit(&d->link, c, get_done, d);
}

static void
changed_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;

	if (!good(c, OW__RESPONSE__BODY__NOT_SET, true)) {
		return;
	}
	tui_desk_message(d, TUI_MSG_INFO, "%s", _("Done."));
	if (d->cv.id[0] != '\0') {
		tui_data_case_open(d, d->cv.id, NULL);
		if (d->cv.history != NULL) {
			tui_data_case_history(d);
		}
	}
	tui_data_refresh(d, TUI_REFRESH_MINE | TUI_REFRESH_WARN);
}

void
tui_data_case_act(struct tui_desk *d, const char *action, const char *reason,
    unsigned method, const char *tracking)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_ACT);

	if (c == NULL) {
		return;
	}
	c->body.case_act.id = tui_call_str(c, d->cv.id);
	c->body.case_act.action = tui_call_str(c, action);
	c->body.case_act.reason = tui_call_str(c, reason);
	c->body.case_act.delivery_method = method;
	c->body.case_act.tracking = tui_call_str(c, tracking);
	tui_link_submit(&d->link, c, changed_done, d);
}

void
tui_data_case_resolve(struct tui_desk *d, const char *to, const char *reason)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_ACT);

	if (c == NULL) {
		return;
	}
	c->body.case_act.id = tui_call_str(c, d->cv.id);
	c->body.case_act.action = tui_call_str(c, "resolve");
	c->body.case_act.reason = tui_call_str(c, reason);
	c->body.case_act.to = tui_call_str(c, to);
	tui_link_submit(&d->link, c, changed_done, d);
}

void
tui_data_case_rate(struct tui_desk *d, unsigned level, const char *comment)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_RATE);

	if (c == NULL) {
		return;
	}
	c->body.case_rate.id = tui_call_str(c, d->cv.id);
	c->body.case_rate.level = level;
	c->body.case_rate.comment = tui_call_str(c, comment);
	tui_link_submit(&d->link, c, changed_done, d);
}

void
tui_data_case_note(struct tui_desk *d, const char *text)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_NOTE);

	if (c == NULL) {
		return;
	}
	c->body.case_note.id = tui_call_str(c, d->cv.id);
	c->body.case_note.text = tui_call_str(c, text);
	tui_link_submit(&d->link, c, changed_done, d);
}

static void
history_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;

	if (!good(c, OW__RESPONSE__BODY_CASE_HISTORY, true) ||
	    strcmp(d->cv.id, c->body.case_history.id) != 0) {
		return;
	}
	if (d->cv.history != NULL) {
		ow__response__free_unpacked(d->cv.history, NULL);
	}
	d->cv.history = c->resp;
	c->resp = NULL;
}

void
tui_data_case_history(struct tui_desk *d)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_HISTORY);

	if (c == NULL) {
		return;
	}
	c->body.case_history.id = tui_call_str(c, d->cv.id);
	tui_link_submit(&d->link, c, history_done, d);
}

/* ---- Search ------------------------------------------------------------ */

static void
search_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	struct tui_search *s = &d->search;
	const Ow__CaseSearchResp *sr;

	s->busy = false;
	if (!good(c, OW__RESPONSE__BODY_CASE_SEARCH, true)) {
		return;
	}
	sr = c->resp->case_search;
	cm_free(s->results.rows);
	s->results.rows = cm_calloc(sr->n_cases + 1, sizeof(*s->results.rows));
	s->results.n = 0;
	s->results.sel = s->results.top = 0;
	s->results.loaded = true;
	s->searched = true;
	if (s->results.rows == NULL) {
		return;
	}
	for (size_t i = 0; i < sr->n_cases; i++) {
		const Ow__CaseSummary *cs = sr->cases[i];
		struct tui_case_row *r = &s->results.rows[s->results.n++];

		snprintf(r->id, sizeof(r->id), "%s", cs->id);
		snprintf(r->matter, sizeof(r->matter), "%s", cs->matter);
		snprintf(r->applicant, sizeof(r->applicant), "%s",
		    cs->applicant_masked);
		r->state = cs->state;
		r->warning = cs->warning;
	}
	if (s->results.n > 0) {
		s->focus = 1;
	}
	tui_desk_message(d, TUI_MSG_INFO,
	    _n("%zu case found.", "%zu cases found.", s->results.n),
	    s->results.n);
}

void
tui_data_search(struct tui_desk *d, const char *by, const char *value)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_SEARCH);

	if (c == NULL) {
		return;
	}
	c->body.case_search.by = tui_call_str(c, by);
	c->body.case_search.value = tui_call_str(c, value);
	c->body.case_search.limit = 200;
	d->search.busy = true;
	tui_link_submit(&d->link, c, search_done, d);
}

/* ---- Tickets ----------------------------------------------------------- */

static void
ticket_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const char *op = c->body.queue_ticket.op;

	if (!good(c, OW__RESPONSE__BODY__NOT_SET, true)) {
		return;
	}
	if (strcmp(op, "skip") == 0) {
		tui_desk_message(d, TUI_MSG_INFO, _("Ticket %s skipped."),
		    c->body.queue_ticket.number);
	} else if (strcmp(op, "recall") == 0) {
		tui_desk_message(d, TUI_MSG_INFO, _("Ticket %s called again."),
		    c->body.queue_ticket.number);
	} else if (strcmp(op, "transfer") == 0) {
		tui_desk_message(d, TUI_MSG_INFO,
		    _("Ticket %s sent to window %s."),
		    c->body.queue_ticket.number, c->body.queue_ticket.window);
	}
	tui_data_refresh(d, TUI_REFRESH_QUEUE);
}

void
tui_data_ticket(struct tui_desk *d, const char *op, const char *number,
    const char *window, const char *case_id)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_QUEUE_TICKET);

	if (c == NULL) {
		return;
	}
	c->body.queue_ticket.op = tui_call_str(c, op);
	c->body.queue_ticket.number = tui_call_str(c, number);
	c->body.queue_ticket.window = tui_call_str(c, window);
	c->body.queue_ticket.case_id = tui_call_str(c, case_id);
	tui_link_submit(&d->link, c, ticket_done, d);
}

/* ---- Supervisors: reassignment, extensions, reports -------------------- */

static void
assign_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	struct tui_super *sv = &d->super;
	bool ok = good(c, OW__RESPONSE__BODY__NOT_SET, false);

	if (c->gen != d->gen) {
		return;
	}
	if (ok) {
		sv->batch_ok++;
	} else {
		sv->batch_failed++;
		snprintf(sv->batch_error, sizeof(sv->batch_error), "%s: %s",
		    c->body.case_assign.id, tui_data_error(c->rc, c->resp));
	}
	if (sv->batch_left > 0 && --sv->batch_left > 0) {
		return;
	}
	if (sv->batch_failed == 0) {
		tui_desk_message(d, TUI_MSG_INFO,
		    _n("%zu case reassigned to %s.",
		        "%zu cases reassigned to %s.", sv->batch_ok),
		    sv->batch_ok, c->body.case_assign.hall);
		sv->nmarked = 0;
	} else {
		tui_desk_message(d, TUI_MSG_ERROR,
		    _("%zu reassigned, %zu refused (%s)."), sv->batch_ok,
		    sv->batch_failed, sv->batch_error);
	}
	if (d->cv.id[0] != '\0' && d->view == &tui_view_case) {
		tui_data_case_open(d, d->cv.id, NULL);
	}
	tui_data_refresh(
	    d, TUI_REFRESH_MINE | TUI_REFRESH_WARN |
	           (d->view == &tui_view_super ? TUI_REFRESH_DASH : 0));
}

void
tui_data_assign(struct tui_desk *d, char (*ids)[40], size_t n, const char *hall,
    const char *clerk, const char *reason, const char *handover)
{
	struct tui_super *sv = &d->super;

	sv->batch_ok = sv->batch_failed = 0;
	sv->batch_left = 0;
	sv->batch_error[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_ASSIGN);

		if (c == NULL) {
			break;
		}
		c->body.case_assign.id = tui_call_str(c, ids[i]);
		c->body.case_assign.hall = tui_call_str(c, hall);
		c->body.case_assign.assignee = tui_call_str(c, clerk);
		c->body.case_assign.reason = tui_call_str(c, reason);
		c->body.case_assign.handover = tui_call_str(c, handover);
		sv->batch_left++;
		tui_link_submit(&d->link, c, assign_done, d);
	}
}

void
tui_data_extend(
    struct tui_desk *d, const char *id, unsigned days, const char *reason)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_EXTEND);

	if (c == NULL) {
		return;
	}
	c->body.case_extend.id = tui_call_str(c, id);
	c->body.case_extend.days = days;
	c->body.case_extend.reason = tui_call_str(c, reason);
	tui_link_submit(&d->link, c, changed_done, d);
}

static void
report_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;

	if (c->gen == d->gen) {
		d->reports.busy = false;
	}
	if (!good(c, OW__RESPONSE__BODY_REPORT, true)) {
		return;
	}
	if (d->reports.resp != NULL) {
		ow__response__free_unpacked(d->reports.resp, NULL);
	}
	d->reports.resp = c->resp; /* taken from the call */
	c->resp = NULL;
	d->reports.top = 0;
}

void
tui_data_report(struct tui_desk *d)
{
	static const char *const by[] = {"hall", "clerk", "matter"};
	struct tui_call *c = call(d, OW__REQUEST__BODY_REPORT);

	if (c == NULL) {
		return;
	}
	c->body.report.from = tui_call_str(c, d->reports.from);
	c->body.report.to = tui_call_str(c, d->reports.to);
	c->body.report.by = tui_call_str(c, by[d->reports.by % 3]);
	d->reports.busy = true;
	tui_link_submit(&d->link, c, report_done, d);
}

void
tui_data_super_free(struct tui_desk *d)
{
	Ow__Response **r[] = {
	    &d->super.dash, &d->reports.resp, &d->ops.status, &d->ops.peers};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if (*r[i] != NULL) {
			ow__response__free_unpacked(*r[i], NULL);
			*r[i] = NULL;
		}
	}
}

void
tui_data_case_remedy(
    struct tui_desk *d, unsigned step, const char *text, unsigned level)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_REMEDY);

	if (c == NULL) {
		return;
	}
	c->body.case_remedy.id = tui_call_str(c, d->cv.id);
	c->body.case_remedy.step = step;
	c->body.case_remedy.text = tui_call_str(c, text);
	c->body.case_remedy.level = level;
	tui_link_submit(&d->link, c, changed_done, d);
}

void
tui_data_case_ack(struct tui_desk *d)
{
	struct tui_call *c = call(d, OW__REQUEST__BODY_CASE_ACK);

	if (c == NULL) {
		return;
	}
	c->body.case_ack.id = tui_call_str(c, d->cv.id);
	tui_link_submit(&d->link, c, changed_done, d);
}
