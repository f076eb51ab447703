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

/* nng's error codes in the project's terms. */
int node_err_from_nng(int nng_rv);

#endif
