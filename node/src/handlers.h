/*
 * handlers.h: what the request handlers share (handlers.c, h_users.c,
 * h_cases.c, h_misc.c). Private to node/src.
 */
#ifndef NODE_HANDLERS_H
#define NODE_HANDLERS_H

#include "node.h"

#define TEXT_MAX 4000 /* notes, reasons: characters */

/* One request being handled: the node, the slot it came on, the request,
 * the response being filled, and the caller's session (NULL for login). */
struct call {
	struct node *n;
	struct node_slot *slot;
	const Ow__Request *req;
	Ow__Response *resp;
	struct node_session *sess;
};

/* A malloc'd copy for a response field ("" becomes protobuf-c's empty
 * string, never freed). */
char *node__dup(const char *s);
void node__fail(Ow__Response *resp, int status);
void node__add_problems(Ow__Response *resp, const struct form_report *rep,
    const struct form_matter *m, bool zh);
Ow__Deadline *node__deadline_msg(const struct form_deadline *dl);
/* At most max_chars characters of valid UTF-8 (NULL is fine). */
bool node__text_ok(const char *s, size_t max_chars);

int node_catalog_put(struct node *n, const char *code, unsigned version,
    const char *json, size_t len, const char *actor);
int node_user_put(struct node *n, const char *actor, const char *name,
    enum node_role role, const char *hall, const char *hash, bool disabled,
    const char *display);

enum node_disp node__h_login(struct call *c);
enum node_disp node__h_logout(struct call *c);
enum node_disp node__h_user_add(struct call *c);
enum node_disp node__h_user_passwd(struct call *c);
enum node_disp node__h_user_disable(struct call *c);
enum node_disp node__h_user_list(struct call *c);
enum node_disp node__h_status(struct call *c);
enum node_disp node__h_case_create(struct call *c);
enum node_disp node__h_case_get(struct call *c);
enum node_disp node__h_case_act(struct call *c);
enum node_disp node__h_case_edit(struct call *c);
enum node_disp node__h_case_assign(struct call *c);
enum node_disp node__h_case_note(struct call *c);
enum node_disp node__h_case_search(struct call *c);
enum node_disp node__h_case_history(struct call *c);
enum node_disp node__h_catalog_list(struct call *c);
enum node_disp node__h_catalog_show(struct call *c);
enum node_disp node__h_catalog_publish(struct call *c);
enum node_disp node__h_queue_issue(struct call *c);
enum node_disp node__h_queue_next(struct call *c);
enum node_disp node__h_queue_ticket(struct call *c);
enum node_disp node__h_queue_list(struct call *c);
enum node_disp node__h_audit_verify(struct call *c);
enum node_disp node__h_calendar_import(struct call *c);
enum node_disp node__h_backup(struct call *c);
enum node_disp node__h_peer_add(struct call *c);
enum node_disp node__h_peer_remove(struct call *c);
enum node_disp node__h_peer_list(struct call *c);
enum node_disp node__h_peer_verify(struct call *c);
enum node_disp node__h_report(struct call *c);
enum node_disp node__h_dashboard(struct call *c);
/* Replication's part of the status (repl.c): address, vector, digest.
 * NODE_REPLY_LATER when it computes the digest on a worker. */
enum node_disp node__status_repl(struct call *c, Ow__StatusResp *s);

enum node_disp node__h_case_extend(struct call *c);
enum node_disp node__h_case_rate(struct call *c);
enum node_disp node__h_case_remedy(struct call *c);
enum node_disp node__h_case_ack(struct call *c);
enum node_disp node__h_applicant_get(struct call *c);

/* A list entry for a case (ID number masked, warning level). */
Ow__CaseSummary *node__summary(struct node *n, const Ow__Case *cs);

/* ---- paging (handlers.c) ------------------------------------------------ */

/*
 * Every list is paged the same way (docs/api.md, "Paging"): the request's
 * limit and after, the response's next. A cursor is the hex of a key
 * that places the page's last entry in the list's order (an index key, a
 * user key, a ticket key...), and only the list that made it takes it
 * back. A page also ends before its entries pass NODE_PAGE_BYTES, so that
 * no reply can pass NODE_RESP_MAX whatever its entries hold.
 */
#define NODE_CURSOR_MAX 1024 /* bytes of a key a cursor holds */
#define NODE_PAGE_BYTES (NODE_RESP_MAX / 2)

enum node_list {
	NODE_LIST_SEARCH,    /* case_search: 50, at most 200 */
	NODE_LIST_APPLICANT, /* applicant_get's cases: 50, at most 200 */
	NODE_LIST_HISTORY,   /* case_history: 100, at most 500 */
	NODE_LIST_USERS,     /* user_list: 100, at most 500 */
	NODE_LIST_CATALOG,   /* catalog_list: 500, at most 2000 */
	NODE_LIST_QUEUE,     /* queue_list: 1000, at most 5000 */
};

struct node_page {
	uint32_t limit; /* entries at most (clamped) */
	uint32_t n;     /* entries taken */
	size_t bytes;   /* their packed size, framing included */
	uint8_t after[NODE_CURSOR_MAX]; /* the request's cursor, decoded */
	size_t alen;                    /* 0: from the start */
	uint8_t last[NODE_CURSOR_MAX];  /* the key of the last entry taken */
	size_t llen;
	bool more; /* the page ended before the list did */
};

/*
 * Start a page of list: the limit clamped (0: the default), the cursor
 * decoded into p->after. A cursor must be hex of a key that starts with
 * prefix (plen bytes, 0 for none) and is longer than it; anything else
 * fails with CM_EINVAL, set in c->resp with a problem on "after" (the
 * handler only returns NODE_REPLY_NOW).
 */
int node__page_begin(struct call *c, struct node_page *p, enum node_list list,
    uint32_t limit, const char *after, const void *prefix, size_t plen);
/* Refuse the request's cursor (as node__page_begin does). */
int node__page_bad_cursor(struct call *c);
/* True when the page holds its limit already (p->more is set then): the
 * caller stops before the entry at hand. */
bool node__page_full(struct node_page *p);
/*
 * Take an entry of size packed bytes whose key (klen <= NODE_CURSOR_MAX)
 * places it in the list: false when it would take the page past
 * NODE_PAGE_BYTES (p->more is set; the caller drops the entry and stops).
 * The first entry of a page is always taken.
 */
bool node__page_take(
    struct node_page *p, size_t size, const void *key, size_t klen);
/* The response's next: hex of the last key when p->more, else "" (as
 * node__dup gives it). */
char *node__page_next(const struct node_page *p);

/* ---- applicant_get's cases (h_search.c) --------------------------------- */

/*
 * One page of an applicant's cases (index 'a', by case id) into out, by
 * c->req->applicant_get's id_number, limit and after. *pending is set
 * when one of them is not durable yet (the reply must wait for its
 * batch). 0, or CM_EINVAL (a bad cursor: c->resp holds the problem) or
 * CM_ENOMEM.
 */
int node__applicant_page(
    struct call *c, Ow__ApplicantGetResp *out, bool *pending);

#endif
