/*
 * handlers.h: what the request handlers share (handlers.c, h_users.c,
 * h_cases.c, h_misc.c). Private to node/src.
 */
#ifndef NODE_HANDLERS_H
#define NODE_HANDLERS_H

#include "node.h"

#define SEARCH_MAX     200
#define SEARCH_DEFAULT 50
#define TEXT_MAX       4000 /* notes, reasons: characters */

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

enum node_disp node__h_case_extend(struct call *c);
enum node_disp node__h_case_rate(struct call *c);
enum node_disp node__h_applicant_get(struct call *c);

/* The case summaries of an applicant (index 'a'), at most 200; true when
 * one of them is not durable yet (the reply must wait for its batch). */
bool node__applicant_cases(
    struct node *n, const char *id, Ow__ApplicantGetResp *out);
/* A list entry for a case (ID number masked, warning level). */
Ow__CaseSummary *node__summary(struct node *n, const Ow__Case *cs);

#endif
