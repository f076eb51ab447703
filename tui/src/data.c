/*
 * data.c: what the desk asks its node, and where the answers go.
 *
 * Every request goes through the link (one at a time, on the worker
 * pool); the callbacks here run on the loop thread and write the answers
 * into struct tui_desk. Refreshes are coalesced per kind: while one of a
 * kind is in flight, more requests of that kind only mark it to run once
 * again, so a burst of node events costs one round trip per kind. Every
 * call carries the desk's generation: answers that come back after a lock
 * or a new login are dropped.
 */
#include "desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "node/workflow.h"

static void start(struct tui_desk *d, unsigned bit);

static bool
session_ok(const struct tui_desk *d)
{
	return d->logged_in && !d->locked && !d->quitting;
}

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

const char *
tui_data_error(int rc, const Ow__Response *resp)
{
	static char buf[TUI_MSG_MAX];

	if (rc == CM_ENOENT) {
		/* "no such file or directory" would puzzle a clerk. */
		return _(
		    "The node cannot be reached: no node is running there.");
	}
	if (rc != 0) {
		snprintf(buf, sizeof(buf), _("The node cannot be reached: %s"),
		    cm_strerror(rc));
		return buf;
	}
	if (resp == NULL || resp->status == 0) {
		return "";
	}
	/* The desk's own words for a code it knows: the node answers in
	 * its language, which need not be the clerk's. */
	if (resp->status > CM_E__BASE && resp->status < CM_E__END) {
		return cm_strerror(resp->status);
	}
	copy(buf, sizeof(buf), resp->error);
	return buf;
}

static struct tui_call *
new_call(struct tui_desk *d, enum tui_call_kind kind,
    Ow__Request__BodyCase body, unsigned tag)
{
	struct tui_call *c = tui_call_new(kind, body);

	if (c == NULL) {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
		return NULL;
	}
	c->gen = d->gen;
	c->tag = tag;
	return c;
}

/* ---- Login and logout -------------------------------------------------- */

static void
login_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const Ow__LoginResp *lr;

	if (c->gen != d->gen || d->quitting) {
		return;
	}
	d->link_state = tui_link_is_down(c->rc) ? TUI_LINK_DOWN : TUI_LINK_UP;
	if (c->rc != 0 || c->resp->status != 0 ||
	    c->resp->body_case != OW__RESPONSE__BODY_LOGIN) {
		tui_login_result(d, c->rc != 0 ? c->rc : c->resp->status,
		    tui_data_error(c->rc, c->resp));
		return;
	}
	lr = c->resp->login;
	copy(d->user, sizeof(d->user), lr->user);
	copy(d->hall_code, sizeof(d->hall_code), lr->hall);
	copy(d->node_id, sizeof(d->node_id), lr->node_id);
	d->role = lr->role;
	d->gen++;
	d->in_flight = d->again = 0;
	d->logged_in = true;
	d->locked = false;
	tui_login_result(d, 0, NULL);
}

void
tui_data_login(struct tui_desk *d, const char *user, const char *password)
{
	struct tui_call *c =
	    new_call(d, TUI_CALL_LOGIN, OW__REQUEST__BODY_LOGIN, 0);

	if (c == NULL) {
		tui_login_result(d, CM_ENOMEM, cm_strerror(CM_ENOMEM));
		return;
	}
	c->body.login.user = tui_call_str(c, user);
	c->body.login.password = tui_call_str(c, password);
	c->body.login.window = tui_call_str(c, d->opts->window);
	tui_link_submit(&d->link, c, login_done, d);
}

void
tui_data_logout(struct tui_desk *d, tui_call_cb cb)
{
	struct tui_call *c =
	    new_call(d, TUI_CALL_LOGOUT, OW__REQUEST__BODY_LOGOUT, 0);

	d->logged_in = false;
	d->gen++;
	d->in_flight = d->again = 0;
	if (c != NULL) {
		tui_link_submit(&d->link, c, cb, d);
	}
}

/* ---- Answers ----------------------------------------------------------- */

/*
 * The common part of every refresh answer: drops stale ones, notes the
 * link state, runs the kind again if more was asked meanwhile (and then
 * skips this answer: a newer one is coming). True: apply this answer.
 */
static bool
answered(struct tui_call *c, unsigned bit, bool last)
{
	struct tui_desk *d = c->arg;

	if (c->gen != d->gen || d->quitting) {
		return false;
	}
	if (last) {
		d->in_flight &= ~bit;
	}
	tui_desk_link_result(d, c->rc, c->rc == 0 ? c->resp->status : 0);
	if (c->gen != d->gen) {
		return false; /* the session ended: the desk locked */
	}
	if (last && (d->again & bit) != 0) {
		d->again &= ~bit;
		start(d, bit);
		return false;
	}
	if (c->rc != 0 || c->resp->status != 0) {
		return false;
	}
	tui_desk_dirty(d);
	return true;
}

static void
status_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;

	if (answered(c, TUI_REFRESH_STATUS, true) &&
	    c->resp->body_case == OW__RESPONSE__BODY_STATUS_RESP) {
		copy(d->hall_name, sizeof(d->hall_name),
		    c->resp->status_resp->hall);
		copy(d->node_id, sizeof(d->node_id),
		    c->resp->status_resp->node_id);
	}
}

static void
matters_free(struct tui_desk *d)
{
	for (size_t i = 0; i < d->nmatters; i++) {
		cm_free(d->matters[i].name);
		cm_free(d->matters[i].alt);
	}
	cm_free(d->matters);
	d->matters = NULL;
	d->nmatters = 0;
}

static void
catalog_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const Ow__CatalogListResp *cl;
	bool zh = cm_i18n_is_zh();

	if (!answered(c, TUI_REFRESH_CATALOG, true) ||
	    c->resp->body_case != OW__RESPONSE__BODY_CATALOG_LIST) {
		return;
	}
	cl = c->resp->catalog_list;
	matters_free(d);
	d->matters = cm_calloc(cl->n_matters + 1, sizeof(*d->matters));
	if (d->matters == NULL) {
		return;
	}
	for (size_t i = 0; i < cl->n_matters; i++) {
		const Ow__MatterInfo *m = cl->matters[i];
		const char *name = zh ? m->name_zh : m->name_en;

		if (name == NULL || name[0] == '\0') {
			name = zh ? m->name_en : m->name_zh;
		}
		copy(d->matters[d->nmatters].code, sizeof(d->matters[0].code),
		    m->code);
		d->matters[d->nmatters].name = cm_strdup(name);
		d->matters[d->nmatters].alt =
		    cm_strdup(zh ? m->name_en : m->name_zh);
		if (d->matters[d->nmatters].name != NULL &&
		    d->matters[d->nmatters].alt != NULL) {
			d->nmatters++;
		} else {
			cm_free(d->matters[d->nmatters].name);
			cm_free(d->matters[d->nmatters].alt);
		}
	}
}

const char *
tui_data_matter_name(const struct tui_desk *d, const char *code)
{
	for (size_t i = 0; i < d->nmatters; i++) {
		if (strcmp(d->matters[i].code, code) == 0) {
			return d->matters[i].name;
		}
	}
	return code;
}

static void
queue_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const Ow__QueueListResp *ql;
	const char *window = d->opts->window != NULL ? d->opts->window : "";
	int64_t latest_call = -1;

	if (!answered(c, TUI_REFRESH_QUEUE, true) ||
	    c->resp->body_case != OW__RESPONSE__BODY_QUEUE_LIST) {
		return;
	}
	ql = c->resp->queue_list;
	d->waiting = 0;
	d->oldest_issued = 0;
	d->ticket[0] = '\0';
	for (size_t i = 0; i < ql->n_tickets; i++) {
		const Ow__Ticket *t = ql->tickets[i];

		if (t->state == 0) {
			d->waiting++;
			if (d->oldest_issued == 0 ||
			    t->issued_at < d->oldest_issued) {
				d->oldest_issued = t->issued_at;
			}
		} else if (t->state == 1 && window[0] != '\0' &&
		           strcmp(t->window, window) == 0 &&
		           t->called_at > latest_call) {
			/* The applicant called to this window and not yet
			 * served: the one the clerk is about to see. */
			latest_call = t->called_at;
			copy(d->ticket, sizeof(d->ticket), t->number);
		}
	}
	d->queue_loaded = true;
}

/* ---- Case lists -------------------------------------------------------- */

static void
row_from(struct tui_case_row *r, const Ow__CaseSummary *s)
{
	copy(r->id, sizeof(r->id), s->id);
	copy(r->matter, sizeof(r->matter), s->matter);
	copy(r->applicant, sizeof(r->applicant), s->applicant_masked);
	r->state = s->state;
	r->warning = s->warning;
	copy(r->hall, sizeof(r->hall), s->hall);
	copy(r->assignee, sizeof(r->assignee), s->assignee);
	r->running = s->running;
	r->days_left = s->days_left;
	r->awaiting_ack = s->awaiting_ack;
}

/*
 * Replace list's rows by rows[0..n) (taking them), keeping the selection
 * on the same case when it is still there: a refresh must not move the
 * clerk's place.
 */
static void
list_replace(struct tui_case_list *l, struct tui_case_row *rows, size_t n)
{
	size_t sel = l->sel;

	if (l->sel < l->n) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rows[i].id, l->rows[l->sel].id) == 0) {
				sel = i;
				break;
			}
		}
	}
	cm_free(l->rows);
	l->rows = rows;
	l->n = n;
	l->sel = n == 0 ? 0 : (sel < n ? sel : n - 1);
	if (l->top > l->sel) {
		l->top = l->sel;
	}
	l->loaded = true;
}

static void
mine_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	struct tui_case_list *l = &d->mine;
	const Ow__CaseSearchResp *sr;
	struct tui_case_row *rows;
	size_t n = 0;

	if (!answered(c, TUI_REFRESH_MINE, true) ||
	    c->resp->body_case != OW__RESPONSE__BODY_CASE_SEARCH) {
		return;
	}
	sr = c->resp->case_search;
	rows = cm_calloc(sr->n_cases + 1, sizeof(*rows));
	if (rows == NULL) {
		return;
	}
	for (size_t i = 0; i < sr->n_cases; i++) {
		/* The assignee index holds closed cases too. */
		if (!node_state_is_final(
		        (enum node_state)sr->cases[i]->state)) {
			row_from(&rows[n++], sr->cases[i]);
		}
	}
	cm_free(l->next);
	l->next = sr->next[0] != '\0' ? cm_strdup(sr->next) : NULL;
	l->skipped = sr->n_cases - n;
	/* A page of closed cases only: go on to the next, a few at a time,
	 * rather than show an empty page with more behind it. */
	if (n == 0 && l->next != NULL && c->tag < 8) {
		cm_free(rows);
		cm_free(l->cursors[l->page]);
		l->cursors[l->page] = l->next;
		l->next = NULL;
		d->in_flight |= TUI_REFRESH_MINE;
		{
			struct tui_call *c2 = new_call(d, TUI_CALL_OTHER,
			    OW__REQUEST__BODY_CASE_SEARCH, c->tag + 1);

			if (c2 == NULL) {
				d->in_flight &= ~TUI_REFRESH_MINE;
				return;
			}
			c2->body.case_search.by = tui_call_str(c2, "assignee");
			c2->body.case_search.value = tui_call_str(c2, d->user);
			c2->body.case_search.limit = TUI_PAGE_SIZE;
			c2->body.case_search.after =
			    tui_call_str(c2, l->cursors[l->page]);
			tui_link_submit(&d->link, c2, mine_done, d);
		}
		return;
	}
	list_replace(l, rows, n);
}

static int
by_warning(const void *a, const void *b)
{
	const struct tui_case_row *x = a, *y = b;

	if (x->warning != y->warning) {
		return x->warning > y->warning ? -1 : 1;
	}
	return strcmp(x->id, y->id);
}

static void
warn_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	unsigned level = c->tag;
	struct tui_case_list *slot = &d->warn_level[level - 1];
	const Ow__CaseSearchResp *sr;
	struct tui_case_row *rows;
	size_t total = 0, n = 0;

	/* Levels are asked 3, 2, 1 on the one link: 1 answers last. */
	if (answered(c, TUI_REFRESH_WARN, level == 1) &&
	    c->resp->body_case == OW__RESPONSE__BODY_CASE_SEARCH) {
		sr = c->resp->case_search;
		cm_free(slot->rows);
		slot->rows = cm_calloc(sr->n_cases + 1, sizeof(*slot->rows));
		slot->n = 0;
		for (size_t i = 0; slot->rows != NULL && i < sr->n_cases; i++) {
			row_from(&slot->rows[slot->n], sr->cases[i]);
			/* The index is the level; the summary's own field may
			 * lag behind a sweep. */
			slot->rows[slot->n++].warning = level;
		}
	}
	if (level != 1 || c->gen != d->gen ||
	    (d->in_flight & TUI_REFRESH_WARN)) {
		return;
	}
	for (int i = 0; i < 3; i++) {
		total += d->warn_level[i].n;
	}
	rows = cm_calloc(total + 1, sizeof(*rows));
	if (rows == NULL) {
		return;
	}
	for (int i = 2; i >= 0; i--) {
		for (size_t j = 0; j < d->warn_level[i].n; j++) {
			rows[n++] = d->warn_level[i].rows[j];
		}
	}
	qsort(rows, n, sizeof(*rows), by_warning);
	list_replace(&d->warn, rows, n);
}

/* A refused answer of a screen's own refresh: say why. */
static void
say_refused(struct tui_call *c)
{
	struct tui_desk *d = c->arg;

	if (c->gen == d->gen && !d->quitting && c->rc == 0 && c->resp != NULL &&
	    c->resp->status != 0) {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", tui_data_error(c->rc, c->resp));
	}
}

static void
dash_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;

	if (!answered(c, TUI_REFRESH_DASH, true) ||
	    c->resp->body_case != OW__RESPONSE__BODY_DASHBOARD) {
		say_refused(c);
		return;
	}
	if (d->super.dash != NULL) {
		ow__response__free_unpacked(d->super.dash, NULL);
	}
	d->super.dash = c->resp; /* taken from the call */
	c->resp = NULL;
}

static void
remedy_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const Ow__CaseSearchResp *sr;
	struct tui_case_row *rows;

	if (!answered(c, TUI_REFRESH_REMEDY, true) ||
	    c->resp->body_case != OW__RESPONSE__BODY_CASE_SEARCH) {
		say_refused(c);
		return;
	}
	sr = c->resp->case_search;
	rows = cm_calloc(sr->n_cases + 1, sizeof(*rows));
	if (rows == NULL) {
		return;
	}
	for (size_t i = 0; i < sr->n_cases; i++) {
		row_from(&rows[i], sr->cases[i]);
	}
	list_replace(&d->super.remedies, rows, sr->n_cases);
}

/* The ops screen: the status (tag 1), then the peers (tag 2). */
static void
ops_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	bool last = c->tag == 2;
	Ow__Response **slot = last ? &d->ops.peers : &d->ops.status;

	if (last && c->gen == d->gen && c->rc == 0) {
		d->ops.peers_status = c->resp->status;
	}
	if (!answered(c, TUI_REFRESH_OPS, last)) {
		if (!last || c->rc != 0 || c->resp->status != CM_ENOREPL) {
			say_refused(c);
		}
		return;
	}
	if (*slot != NULL) {
		ow__response__free_unpacked(*slot, NULL);
	}
	*slot = c->resp;
	c->resp = NULL;
}

/* ---- Starting refreshes ------------------------------------------------ */

static void
start_search(struct tui_desk *d, const char *by, const char *value,
    const char *after, unsigned limit, unsigned tag, tui_call_cb cb)
{
	struct tui_call *c =
	    new_call(d, TUI_CALL_OTHER, OW__REQUEST__BODY_CASE_SEARCH, tag);

	if (c == NULL) {
		return;
	}
	c->body.case_search.by = tui_call_str(c, by);
	c->body.case_search.value = tui_call_str(c, value);
	c->body.case_search.after = tui_call_str(c, after);
	c->body.case_search.limit = limit;
	tui_link_submit(&d->link, c, cb, d);
}

static void
start(struct tui_desk *d, unsigned bit)
{
	struct tui_call *c = NULL;

	d->in_flight |= bit;
	switch (bit) {
	case TUI_REFRESH_STATUS:
		c = new_call(d, TUI_CALL_OTHER, OW__REQUEST__BODY_STATUS, 0);
		tui_link_submit(&d->link, c, status_done, d);
		break;
	case TUI_REFRESH_CATALOG:
		c = new_call(
		    d, TUI_CALL_OTHER, OW__REQUEST__BODY_CATALOG_LIST, 0);
		tui_link_submit(&d->link, c, catalog_done, d);
		break;
	case TUI_REFRESH_QUEUE:
		c = new_call(
		    d, TUI_CALL_OTHER, OW__REQUEST__BODY_QUEUE_LIST, 0);
		tui_link_submit(&d->link, c, queue_done, d);
		break;
	case TUI_REFRESH_MINE:
		start_search(d, "assignee", d->user,
		    d->mine.cursors[d->mine.page], TUI_PAGE_SIZE, 0, mine_done);
		break;
	case TUI_REFRESH_WARN:
		start_search(
		    d, "warning", "3", NULL, TUI_WARN_LIMIT, 3, warn_done);
		start_search(
		    d, "warning", "2", NULL, TUI_WARN_LIMIT, 2, warn_done);
		start_search(
		    d, "warning", "1", NULL, TUI_WARN_LIMIT, 1, warn_done);
		break;
	case TUI_REFRESH_DASH:
		c = new_call(d, TUI_CALL_OTHER, OW__REQUEST__BODY_DASHBOARD, 0);
		if (c != NULL) {
			c->body.dashboard.hall = tui_call_str(c, d->super.hall);
		}
		tui_link_submit(&d->link, c, dash_done, d);
		break;
	case TUI_REFRESH_REMEDY:
		c = new_call(
		    d, TUI_CALL_OTHER, OW__REQUEST__BODY_CASE_SEARCH, 0);
		if (c != NULL) {
			c->body.case_search.by = tui_call_str(c, "remedy");
			c->body.case_search.value =
			    tui_call_str(c, d->super.hall);
			c->body.case_search.limit = 200;
		}
		tui_link_submit(&d->link, c, remedy_done, d);
		break;
	case TUI_REFRESH_OPS:
		c = new_call(d, TUI_CALL_OTHER, OW__REQUEST__BODY_STATUS, 1);
		tui_link_submit(&d->link, c, ops_done, d);
		c = new_call(d, TUI_CALL_OTHER, OW__REQUEST__BODY_PEER_LIST, 2);
		tui_link_submit(&d->link, c, ops_done, d);
		break;
	default:
		d->in_flight &= ~bit;
		break;
	}
}

void
tui_data_refresh(struct tui_desk *d, unsigned what)
{
	if (!session_ok(d)) {
		return;
	}
	for (unsigned bit = 1; bit <= TUI_REFRESH_REMEDY; bit <<= 1) {
		if ((what & bit) == 0) {
			continue;
		}
		if ((d->in_flight & bit) != 0) {
			d->again |= bit;
		} else {
			start(d, bit);
		}
	}
}

void
tui_data_mine_page(struct tui_desk *d, int delta)
{
	struct tui_case_list *l = &d->mine;

	if (delta > 0) {
		if (l->next == NULL || l->page + 1 >= TUI_MAX_PAGES) {
			return;
		}
		l->page++;
		cm_free(l->cursors[l->page]);
		l->cursors[l->page] = l->next;
		l->next = NULL;
	} else {
		if (l->page == 0) {
			return;
		}
		cm_free(l->cursors[l->page]);
		l->cursors[l->page] = NULL;
		l->page--;
	}
	l->sel = l->top = 0;
	l->n = 0; /* the rows belong to the other page: none until it comes */
	tui_data_refresh(d, TUI_REFRESH_MINE);
}

/* ---- The queue --------------------------------------------------------- */

static void
next_done(struct tui_call *c)
{
	struct tui_desk *d = c->arg;
	const Ow__Ticket *t;

	if (c->gen != d->gen || d->quitting) {
		return;
	}
	d->calling = false;
	tui_desk_link_result(d, c->rc, c->rc == 0 ? c->resp->status : 0);
	if (c->gen != d->gen) {
		return;
	}
	if (c->rc == 0 && c->resp->status == CM_ENOTFOUND) {
		tui_desk_message(
		    d, TUI_MSG_INFO, "%s", _("Nobody is waiting."));
		return;
	}
	if (c->rc != 0 || c->resp->status != 0 ||
	    c->resp->body_case != OW__RESPONSE__BODY_TICKET ||
	    c->resp->ticket->ticket == NULL) {
		tui_desk_message(d, TUI_MSG_ERROR, _("Calling failed: %s"),
		    tui_data_error(c->rc, c->resp));
		return;
	}
	t = c->resp->ticket->ticket;
	copy(d->ticket, sizeof(d->ticket), t->number);
	tui_desk_message(d, TUI_MSG_INFO,
	    _("Ticket %s is called to window %s."), t->number, t->window);
	tui_data_refresh(d, TUI_REFRESH_QUEUE);
}

void
tui_data_call_next(struct tui_desk *d)
{
	struct tui_call *c;

	if (!session_ok(d)) {
		return;
	}
	if (d->opts->window == NULL) {
		tui_desk_message(d, TUI_MSG_ERROR, "%s",
		    _("This desk has no window number: start ow-desk with --window."));
		return;
	}
	if (d->calling) {
		tui_desk_message(d, TUI_MSG_INFO, "%s",
		    _("Still calling the last ticket..."));
		return;
	}
	c = new_call(d, TUI_CALL_OTHER, OW__REQUEST__BODY_QUEUE_NEXT, 0);
	if (c == NULL) {
		return;
	}
	c->body.queue_next.window = tui_call_str(c, d->opts->window);
	c->body.queue_next.category = tui_call_str(c, "");
	d->calling = true;
	tui_link_submit(&d->link, c, next_done, d);
}

/* ---- Freeing ----------------------------------------------------------- */

static void
list_free(struct tui_case_list *l)
{
	cm_free(l->rows);
	cm_free(l->next);
	for (size_t i = 0; i < TUI_MAX_PAGES; i++) {
		cm_free(l->cursors[i]);
	}
	memset(l, 0, sizeof(*l));
}

void
tui_data_free(struct tui_desk *d)
{
	list_free(&d->mine);
	list_free(&d->warn);
	for (int i = 0; i < 3; i++) {
		list_free(&d->warn_level[i]);
	}
	tui_data_super_free(d);
	list_free(&d->super.remedies);
	matters_free(d);
	tui_data_case_free(d);
	tui_intake_end(d);
	tui_dialog_free(d);
	tui_editor_free(&d->picker.filter);
	cm_free(d->picker.hits);
	d->picker.hits = NULL;
	tui_editor_free(&d->search.value);
}
