/*
 * link.c: one call at a time to the node, on libuv's worker pool (see
 * link.h). The queue and the client belong to the loop thread except
 * while a call runs: then the worker has the running call and the client,
 * and the loop thread touches neither until the after-work callback.
 */
#include "link.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"

void
tui_link_init(struct tui_link *l, uv_loop_t *loop, const char *url,
    const struct node_client_tls *tls, int timeout_ms)
{
	memset(l, 0, sizeof(*l));
	l->loop = loop;
	snprintf(l->url, sizeof(l->url), "%s", url);
	if (tls != NULL) {
		l->tls = *tls;
	}
	l->use_tls = strncmp(url, "tls+", 4) == 0;
	l->timeout_ms = timeout_ms;
}

struct tui_call *
tui_call_new(enum tui_call_kind kind, Ow__Request__BodyCase body_case)
{
	struct tui_call *c = cm_calloc(1, sizeof(*c));

	if (c == NULL) {
		return NULL;
	}
	c->kind = kind;
	ow__request__init(&c->req);
	c->req.body_case = body_case;
	/* Every body of the union starts with its ProtobufCMessage, so one
	 * pointer serves whichever body_case says. */
	switch (body_case) {
	case OW__REQUEST__BODY_LOGIN:
		ow__login_req__init(&c->body.login);
		c->req.login = &c->body.login;
		break;
	case OW__REQUEST__BODY_LOGOUT:
		ow__logout_req__init(&c->body.logout);
		c->req.logout = &c->body.logout;
		break;
	case OW__REQUEST__BODY_STATUS:
		ow__status_req__init(&c->body.status);
		c->req.status = &c->body.status;
		break;
	case OW__REQUEST__BODY_QUEUE_LIST:
		ow__queue_list_req__init(&c->body.queue_list);
		c->req.queue_list = &c->body.queue_list;
		break;
	case OW__REQUEST__BODY_QUEUE_NEXT:
		ow__queue_next_req__init(&c->body.queue_next);
		c->req.queue_next = &c->body.queue_next;
		break;
	case OW__REQUEST__BODY_CASE_SEARCH:
		ow__case_search_req__init(&c->body.case_search);
		c->req.case_search = &c->body.case_search;
		break;
	case OW__REQUEST__BODY_CATALOG_LIST:
		ow__catalog_list_req__init(&c->body.catalog_list);
		c->req.catalog_list = &c->body.catalog_list;
		break;
	case OW__REQUEST__BODY_CATALOG_SHOW:
		ow__catalog_show_req__init(&c->body.catalog_show);
		c->req.catalog_show = &c->body.catalog_show;
		break;
	case OW__REQUEST__BODY_APPLICANT_GET:
		ow__applicant_get_req__init(&c->body.applicant_get);
		c->req.applicant_get = &c->body.applicant_get;
		break;
	case OW__REQUEST__BODY_CASE_CREATE:
		ow__case_create_req__init(&c->body.case_create);
		c->req.case_create = &c->body.case_create;
		break;
	case OW__REQUEST__BODY_CASE_GET:
		ow__case_get_req__init(&c->body.case_get);
		c->req.case_get = &c->body.case_get;
		break;
	case OW__REQUEST__BODY_CASE_ACT:
		ow__case_act_req__init(&c->body.case_act);
		c->req.case_act = &c->body.case_act;
		break;
	case OW__REQUEST__BODY_CASE_HISTORY:
		ow__case_history_req__init(&c->body.case_history);
		c->req.case_history = &c->body.case_history;
		break;
	case OW__REQUEST__BODY_CASE_NOTE:
		ow__case_note_req__init(&c->body.case_note);
		c->req.case_note = &c->body.case_note;
		break;
	case OW__REQUEST__BODY_QUEUE_TICKET:
		ow__queue_ticket_req__init(&c->body.queue_ticket);
		c->req.queue_ticket = &c->body.queue_ticket;
		break;
	case OW__REQUEST__BODY_CASE_RATE:
		ow__case_rate_req__init(&c->body.case_rate);
		c->req.case_rate = &c->body.case_rate;
		break;
	case OW__REQUEST__BODY_CASE_ASSIGN:
		ow__case_assign_req__init(&c->body.case_assign);
		c->req.case_assign = &c->body.case_assign;
		break;
	case OW__REQUEST__BODY_CASE_EXTEND:
		ow__case_extend_req__init(&c->body.case_extend);
		c->req.case_extend = &c->body.case_extend;
		break;
	case OW__REQUEST__BODY_DASHBOARD:
		ow__dashboard_req__init(&c->body.dashboard);
		c->req.dashboard = &c->body.dashboard;
		break;
	case OW__REQUEST__BODY_REPORT:
		ow__report_req__init(&c->body.report);
		c->req.report = &c->body.report;
		break;
	case OW__REQUEST__BODY_CASE_REMEDY:
		ow__case_remedy_req__init(&c->body.case_remedy);
		c->req.case_remedy = &c->body.case_remedy;
		break;
	case OW__REQUEST__BODY_CASE_ACK:
		ow__case_ack_req__init(&c->body.case_ack);
		c->req.case_ack = &c->body.case_ack;
		break;
	case OW__REQUEST__BODY_PEER_LIST:
		ow__peer_list_req__init(&c->body.peer_list);
		c->req.peer_list = &c->body.peer_list;
		break;
	default:
		cm_free(c);
		return NULL;
	}
	return c;
}

char *
tui_call_str(struct tui_call *c, const char *s)
{
	static char empty[] = "";
	char *d;

	if (c->nstrs == TUI_CALL_STRS) {
		return empty;
	}
	d = cm_strdup(s != NULL ? s : "");
	if (d == NULL) {
		return empty;
	}
	c->strs[c->nstrs++] = d;
	return d;
}

static void
call_free(struct tui_call *c)
{
	for (int i = 0; i < c->nstrs; i++) {
		sodium_memzero(c->strs[i], strlen(c->strs[i]));
		cm_free(c->strs[i]);
	}
	if (c->extra != NULL && c->extra_free != NULL) {
		c->extra_free(c->extra);
	}
	if (c->resp != NULL) {
		ow__response__free_unpacked(c->resp, NULL);
	}
	cm_free(c);
}

void
tui_call_free(struct tui_call *c)
{
	if (c != NULL) {
		call_free(c);
	}
}

bool
tui_link_is_down(int rc)
{
	return rc == CM_ETIMEOUT || rc == CM_ECLOSED || rc == CM_ENOENT ||
	       rc == CM_EIO || rc == CM_EACCES || rc == CM_EPROTO;
}

/* On a worker thread: the call and the client only. */
static void
work_cb(uv_work_t *w)
{
	struct tui_call *c = w->data;
	struct tui_link *l = c->link;

	if (l->client == NULL) {
		c->rc = node_client_open(l->url, l->use_tls ? &l->tls : NULL,
		    l->timeout_ms, &l->client);
		if (c->rc != 0) {
			return;
		}
	}
	/* Lists the desk shows whole (the queue, the catalog, a case's
	 * history) are read page by page into one answer. */
	switch (c->req.body_case) {
	case OW__REQUEST__BODY_QUEUE_LIST:
	case OW__REQUEST__BODY_CATALOG_LIST:
	case OW__REQUEST__BODY_CASE_HISTORY:
		c->rc = node_client_call_all(l->client, &c->req, &c->resp);
		break;
	default:
		c->rc = node_client_call(l->client, &c->req, &c->resp);
		break;
	}
	if (c->kind == TUI_CALL_LOGIN && c->rc == 0 && c->resp->status == 0 &&
	    c->resp->body_case == OW__RESPONSE__BODY_LOGIN) {
		node_client_set_token(l->client, c->resp->login->token);
	} else if (c->kind == TUI_CALL_LOGOUT) {
		node_client_set_token(l->client, "");
	}
}

static void start_next(struct tui_link *l);

/* On the loop thread. */
static void
after_work_cb(uv_work_t *w, int status)
{
	struct tui_call *c = w->data;
	struct tui_link *l = c->link;

	l->running = NULL;
	if (status != 0 && c->rc == 0 && c->resp == NULL) {
		c->rc = CM_ECLOSED; /* cancelled */
	}
	if (!l->closing && c->cb != NULL) {
		c->cb(c);
	}
	call_free(c);
	if (!l->closing) {
		start_next(l);
	}
}

static void
start_next(struct tui_link *l)
{
	struct tui_call *c = l->head;

	if (l->running != NULL || c == NULL) {
		return;
	}
	l->head = c->next;
	if (l->head == NULL) {
		l->tail = NULL;
	}
	c->next = NULL;
	c->work.data = c;
	l->running = c;
	if (uv_queue_work(l->loop, &c->work, work_cb, after_work_cb) != 0) {
		/* Cannot happen with a live loop; answer it as unreachable
		 * rather than lose the caller's callback. */
		l->running = NULL;
		c->rc = CM_EINTERNAL;
		if (c->cb != NULL) {
			c->cb(c);
		}
		call_free(c);
		start_next(l);
	}
}

void
tui_link_submit(
    struct tui_link *l, struct tui_call *c, tui_call_cb cb, void *arg)
{
	if (c == NULL) {
		return;
	}
	if (l->closing) {
		call_free(c);
		return;
	}
	c->link = l;
	c->cb = cb;
	c->arg = arg;
	c->next = NULL;
	if (l->tail != NULL) {
		l->tail->next = c;
	} else {
		l->head = c;
	}
	l->tail = c;
	start_next(l);
}

bool
tui_link_busy(const struct tui_link *l)
{
	return l->running != NULL || l->head != NULL;
}

void
tui_link_drop(struct tui_link *l)
{
	struct tui_call *c = l->head;

	while (c != NULL) {
		struct tui_call *next = c->next;

		call_free(c);
		c = next;
	}
	l->head = l->tail = NULL;
}

void
tui_link_close(struct tui_link *l)
{
	l->closing = true;
	tui_link_drop(l);
}

void
tui_link_free(struct tui_link *l)
{
	if (l->client != NULL) {
		node_client_close(l->client);
		l->client = NULL;
	}
}
