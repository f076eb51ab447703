/*
 * link.h: the desk's calls to its node, off the loop thread.
 *
 * The client library's calls block (up to the timeout), so each call runs
 * on libuv's worker pool (uv_queue_work) and its result is applied on the
 * loop thread. A node_client is one REQ socket and is not safe for
 * concurrent calls, so the link runs one call at a time, in order: the
 * others wait in a queue. The client is opened lazily by the first call
 * (on the worker), so a desk starts even when its node is down and says so
 * at the first call.
 *
 * A call owns its request: tui_call_new() gives one with an Ow__Request and
 * room for the body; tui_call_str() copies the strings it points to into
 * the call. Strings are wiped (sodium_memzero) when the call is freed:
 * one of them may be a password.
 */
#ifndef TUI_LINK_H
#define TUI_LINK_H

#include <stdbool.h>
#include <uv.h>

#include "node/client.h"

struct tui_link;
struct tui_call;

/* Runs on the loop thread when the call is over: rc is the transport
 * result (0, CM_ETIMEOUT, CM_ENOENT, ...), resp the node's answer when
 * rc == 0 (look at resp->status). The callee must not free the call. */
typedef void (*tui_call_cb)(struct tui_call *call);

enum tui_call_kind {
	TUI_CALL_OTHER,
	TUI_CALL_LOGIN,  /* the token of a good answer is kept */
	TUI_CALL_LOGOUT, /* the token is dropped whatever the answer */
};

#define TUI_CALL_STRS 6

struct tui_call {
	struct tui_call *next;
	uv_work_t work;
	struct tui_link *link;
	enum tui_call_kind kind;
	Ow__Request req;
	union {
		Ow__LoginReq login;
		Ow__LogoutReq logout;
		Ow__StatusReq status;
		Ow__QueueListReq queue_list;
		Ow__QueueNextReq queue_next;
		Ow__CaseSearchReq case_search;
		Ow__CatalogListReq catalog_list;
		Ow__CatalogShowReq catalog_show;
		Ow__ApplicantGetReq applicant_get;
		Ow__CaseCreateReq case_create;
		Ow__CaseGetReq case_get;
		Ow__CaseActReq case_act;
		Ow__CaseHistoryReq case_history;
		Ow__CaseRateReq case_rate;
		Ow__QueueTicketReq queue_ticket;
		Ow__CaseNoteReq case_note;
		Ow__CaseAssignReq case_assign;
		Ow__CaseExtendReq case_extend;
		Ow__DashboardReq dashboard;
		Ow__ReportReq report;
		Ow__PeerListReq peer_list;
		Ow__CaseRemedyReq case_remedy;
		Ow__CaseAckReq case_ack;
	} body;
	/* More the request points to (a case's fields, its materials),
	 * owned by the call: extra_free(extra) runs when it is freed. */
	void *extra;
	void (*extra_free)(void *);
	char *strs[TUI_CALL_STRS];
	int nstrs;
	int rc;
	Ow__Response *resp;
	tui_call_cb cb;
	void *arg;         /* the caller's */
	unsigned tag;      /* the caller's (a page, a warning level) */
	unsigned long gen; /* the caller's generation, to drop stale answers */
};

struct tui_link {
	uv_loop_t *loop;
	char url[1100];
	struct node_client_tls tls;
	bool use_tls;
	int timeout_ms;
	struct node_client *client;   /* touched by the running call only */
	struct tui_call *head, *tail; /* waiting */
	struct tui_call *running;
	bool closing;
};

/*
 * Set the link up for url; tls (borrowed; its strings must outlive the
 * link) is used for tls+tcp:// URLs. Connects nothing yet.
 */
void tui_link_init(struct tui_link *l, uv_loop_t *loop, const char *url,
    const struct node_client_tls *tls, int timeout_ms);

/*
 * A new call of kind with body_case set and req's body pointer aimed at
 * the union. Returns NULL on no memory. Hand it to tui_link_submit.
 */
struct tui_call *tui_call_new(
    enum tui_call_kind kind, Ow__Request__BodyCase body_case);

/* A copy of s owned by the call, for its request's strings; "" when out of
 * room or memory (a request with an empty string is refused by the node,
 * never sent half-built by surprise). */
char *tui_call_str(struct tui_call *c, const char *s);

/*
 * Queue the call (takes ownership); cb runs on the loop thread when it is
 * over, then the call is freed. After tui_link_close, calls are freed at
 * once without cb.
 */
void tui_link_submit(
    struct tui_link *l, struct tui_call *c, tui_call_cb cb, void *arg);

/* Free a call that was never submitted. */
void tui_call_free(struct tui_call *c);

/* True while a call runs or waits. */
bool tui_link_busy(const struct tui_link *l);

/* Drop the waiting calls, without their cb (quitting, locking: their
 * answers would be of no use). The running one finishes. */
void tui_link_drop(struct tui_link *l);

/* Drop the waiting calls; the running one finishes without its cb, and
 * later submits are freed at once. Then tui_link_free, when nothing runs. */
void tui_link_close(struct tui_link *l);

/* Close the client. Only when nothing runs (tui_link_busy false). */
void tui_link_free(struct tui_link *l);

/* Transport errors: the node could not be reached or did not answer. */
bool tui_link_is_down(int rc);

#endif
