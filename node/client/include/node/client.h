/*
 * client.h: the node's client library, shared by ow-ctl and the desk.
 *
 * One REQ socket to one node: `ipc://DATADIR/node.sock` on the same
 * machine, or `tls+tcp://host:port` with a client certificate on the hall
 * LAN. Calls are synchronous with a timeout (the desk runs them on a
 * worker thread). Every request carries the session token and a fresh
 * request id, so that nng's resend after a reconnect cannot apply a
 * change twice.
 */
#ifndef NODE_CLIENT_H
#define NODE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onewindow.pb-c.h"

struct node_client;

struct node_client_tls {
	const char *cert; /* PEM file: this client's certificate and key */
	const char *key;
	const char *ca; /* PEM file: the CA that signed the node's cert */
	const char *server_name;
};

/*
 * Connect to url (tls may be NULL for ipc://). timeout_ms bounds every
 * call (default 10000 when 0). Returns 0 or a CM_E* code: CM_EINVAL (a bad
 * URL), CM_ENOENT (no node at that ipc path), CM_ECLOSED, CM_ENOMEM.
 * A tcp or tls dial is asynchronous: a node that is down shows as
 * CM_ETIMEOUT on the first call.
 */
int node_client_open(const char *url, const struct node_client_tls *tls,
    int timeout_ms, struct node_client **out);
void node_client_close(struct node_client *c);

/* The URL of the local node of a data directory. */
void node_client_local_url(const char *datadir, char *out, size_t size);

/*
 * Send req (its version, token and request id are filled in here) and
 * wait for the response. *resp is freed with ow__response__free_unpacked
 * (resp, NULL). Returns 0 when a response came (look at resp->status), or
 * a transport error: CM_ETIMEOUT, CM_ECLOSED, CM_EPROTO (an undecodable
 * response), CM_ETOOBIG, CM_ENOMEM.
 */
int node_client_call(
    struct node_client *c, Ow__Request *req, Ow__Response **resp);

/* Log in; on success the client keeps the token for later calls. Returns
 * the transport error, or the response's status (CM_EAUTH, CM_ELOCKED). */
int node_client_login(struct node_client *c, const char *user,
    const char *password, const char *window, Ow__LoginResp **info);

/* Use a token obtained elsewhere (a desk that reconnects). */
void node_client_set_token(struct node_client *c, const char *token);
const char *node_client_token(const struct node_client *c);

/*
 * Paging (docs/api.md, "Paging"). Every request that answers with a list
 * has `limit` and `after`, and its response `next` ("" on the last page).
 * These find them whatever the body, so callers need not know each list:
 * - node_list_kind: whether a request body is a list;
 * - node_list_page: set req's limit (0: the node's default) and after
 *   (NULL or "": the start; borrowed, it must outlive the call); 0, or
 *   CM_EINVAL when req's body is not a list (req is unchanged then);
 * - node_list_next: the response's next; "" when it has none (the last
 *   page, a refusal, a body that is not a list).
 */
bool node_list_kind(Ow__Request__BodyCase body);
int node_list_page(Ow__Request *req, uint32_t limit, const char *after);
const char *node_list_next(const Ow__Response *resp);

/*
 * Send a list request and follow `next` to the last page: the first page
 * is req as it is (its after, "" for the start, and its limit per page).
 * On 0, *resp (freed as for node_client_call) is either one response with
 * every entry of every page in order, the other fields as the first page
 * gave them and next "", or the response of the first page the node
 * refused (look at resp->status). The pages are separate requests, not a
 * snapshot: an entry that changes while they are read may show twice or
 * not at all. req is left as it was. Returns node_client_call's errors,
 * CM_EINVAL (not a list) or CM_EPROTO (a page of another body, or a
 * cursor that does not move on).
 */
int node_client_call_all(
    struct node_client *c, Ow__Request *req, Ow__Response **resp);

/* nng's error codes in the project's terms. */
int node_err_from_nng(int nng_rv);

#endif
