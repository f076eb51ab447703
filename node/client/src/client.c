/*
 * client.c: a synchronous REQ client for the node's API (see client.h).
 */
#include "node/client.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/fs.h"

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CLIENT_RESP_MAX (4u << 20)

struct node_client {
	nng_socket sock;
	nng_dialer dialer;
	nng_tls_config *tls;
	char token[72];
	uint64_t next_id;
	char prefix[20]; /* random per client: request ids stay unique */
};

/* The client's certificate and key, from PEM files (nng wants text). */
static int
own_cert(nng_tls_config *cfg, const char *cert_path, const char *key_path)
{
	char *cert = NULL, *key = NULL;
	size_t len;
	int rv = NNG_ENOENT;

	if (cm_file_read(cert_path, 1 << 20, &cert, &len) == 0 &&
	    cm_file_read(key_path, 1 << 20, &key, &len) == 0) {
		rv = nng_tls_config_own_cert(cfg, cert, key, NULL);
	}
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
	}
	cm_free(cert);
	cm_free(key);
	return rv;
}

int
node_err_from_nng(int rv)
{
	switch (rv) {
	case 0:
		return 0;
	case NNG_ENOMEM:
		return CM_ENOMEM;
	case NNG_EINVAL:
	case NNG_EADDRINVAL:
		return CM_EINVAL;
	case NNG_ETIMEDOUT:
		return CM_ETIMEOUT;
	case NNG_ECLOSED:
	case NNG_ECONNRESET:
	case NNG_ECONNSHUT:
	case NNG_ECONNABORTED:
		return CM_ECLOSED;
	case NNG_ECONNREFUSED:
	case NNG_ENOENT:
		return CM_ENOENT;
	case NNG_EMSGSIZE:
		return CM_ETOOBIG;
	case NNG_EPERM:
	case NNG_EPEERAUTH:
	case NNG_ECRYPTO:
		return CM_EACCES;
	case NNG_ENOTSUP:
		return CM_EUNSUPPORTED;
	case NNG_EBUSY:
	case NNG_EADDRINUSE:
		return CM_EBUSY;
	default:
		return CM_EIO;
	}
}

void
node_client_local_url(const char *datadir, char *out, size_t size)
{
	snprintf(out, size, "ipc://%s/node.sock", datadir);
}

int
node_client_open(const char *url, const struct node_client_tls *tls,
    int timeout_ms, struct node_client **out)
{
	struct node_client *c;
	unsigned char rnd[8];
	int rv;

	*out = NULL;
	if (sodium_init() < 0) {
		return CM_EINTERNAL;
	}
	c = cm_calloc(1, sizeof(*c));
	if (c == NULL) {
		return CM_ENOMEM;
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(c->prefix, sizeof(c->prefix), rnd, sizeof(rnd));
	rv = nng_req0_open(&c->sock);
	if (rv != 0) {
		cm_free(c);
		return node_err_from_nng(rv);
	}
	nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, CLIENT_RESP_MAX);
	nng_socket_set_ms(
	    c->sock, NNG_OPT_RECVTIMEO, timeout_ms > 0 ? timeout_ms : 10000);
	nng_socket_set_ms(
	    c->sock, NNG_OPT_SENDTIMEO, timeout_ms > 0 ? timeout_ms : 10000);
	/* Reconnect quickly, back off to 2 s. */
	nng_socket_set_ms(c->sock, NNG_OPT_RECONNMINT, 100);
	nng_socket_set_ms(c->sock, NNG_OPT_RECONNMAXT, 2000);
	/* No resend after 60 s: the caller's timeout decides. nng still
	 * resends once after a reconnect; the node recognises the request
	 * id and does not apply a change twice. */
	nng_socket_set_ms(
	    c->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	rv = nng_dialer_create(&c->dialer, c->sock, url);
	if (rv == 0 && tls != NULL) {
		rv = nng_tls_config_alloc(&c->tls, NNG_TLS_MODE_CLIENT);
		if (rv == 0 && tls->ca != NULL) {
			rv = nng_tls_config_ca_file(c->tls, tls->ca);
		}
		if (rv == 0 && tls->cert != NULL) {
			rv = own_cert(c->tls, tls->cert,
			    tls->key != NULL ? tls->key : tls->cert);
		}
		if (rv == 0 && tls->server_name != NULL) {
			rv = nng_tls_config_server_name(
			    c->tls, tls->server_name);
		}
		if (rv == 0) {
			rv = nng_tls_config_auth_mode(
			    c->tls, NNG_TLS_AUTH_MODE_REQUIRED);
		}
		if (rv == 0) {
			rv = nng_dialer_set_ptr(
			    c->dialer, NNG_OPT_TLS_CONFIG, c->tls);
		}
	}
	if (rv == 0) {
		nng_dialer_set_size(
		    c->dialer, NNG_OPT_RECVMAXSZ, CLIENT_RESP_MAX);
		/* ipc: fail at once when no node listens, so ow-ctl can say
		 * so; tcp and tls: keep trying in the background. */
		rv = nng_dialer_start(c->dialer,
		    strncmp(url, "ipc://", 6) == 0 ? 0 : NNG_FLAG_NONBLOCK);
	}
	if (rv != 0) {
		node_client_close(c);
		return node_err_from_nng(rv);
	}
	*out = c;
	return 0;
}

void
node_client_close(struct node_client *c)
{
	if (c == NULL) {
		return;
	}
	nng_close(c->sock);
	if (c->tls != NULL) {
		nng_tls_config_free(c->tls);
	}
	sodium_memzero(c->token, sizeof(c->token));
	cm_free(c);
}

void
node_client_set_token(struct node_client *c, const char *token)
{
	snprintf(c->token, sizeof(c->token), "%s", token != NULL ? token : "");
}

const char *
node_client_token(const struct node_client *c)
{
	return c->token;
}

int
node_client_call(struct node_client *c, Ow__Request *req, Ow__Response **resp)
{
	char id[48];
	nng_msg *msg = NULL;
	size_t len;
	int rv;

	*resp = NULL;
	snprintf(id, sizeof(id), "%s-%llu", c->prefix,
	    (unsigned long long)++c->next_id);
	req->version = 1;
	req->token = c->token;
	req->request_id = id;
	len = ow__request__get_packed_size(req);
	if (len > (1u << 20)) {
		return CM_ETOOBIG;
	}
	rv = nng_msg_alloc(&msg, len);
	if (rv != 0) {
		return node_err_from_nng(rv);
	}
	ow__request__pack(req, nng_msg_body(msg));
	/* The request struct borrows these: do not leave them behind. */
	req->token = NULL;
	req->request_id = NULL;
	rv = nng_sendmsg(c->sock, msg, 0);
	if (rv != 0) {
		nng_msg_free(msg);
		return node_err_from_nng(rv);
	}
	rv = nng_recvmsg(c->sock, &msg, 0);
	if (rv != 0) {
		return node_err_from_nng(rv);
	}
	*resp = ow__response__unpack(NULL, nng_msg_len(msg), nng_msg_body(msg));
	nng_msg_free(msg);
	return *resp != NULL ? 0 : CM_EPROTO;
}

int
node_client_login(struct node_client *c, const char *user, const char *password,
    const char *window, Ow__LoginResp **info)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__LoginReq body = OW__LOGIN_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	if (info != NULL) {
		*info = NULL;
	}
	body.user = (char *)(uintptr_t)user;
	body.password = (char *)(uintptr_t)password;
	body.window = (char *)(uintptr_t)(window != NULL ? window : "");
	req.body_case = OW__REQUEST__BODY_LOGIN;
	req.login = &body;
	rc = node_client_call(c, &req, &resp);
	if (rc != 0) {
		return rc;
	}
	rc = resp->status;
	if (rc == 0 && resp->body_case == OW__RESPONSE__BODY_LOGIN) {
		node_client_set_token(c, resp->login->token);
		if (info != NULL) {
			/* Hand the login body over; free the rest. */
			*info = resp->login;
			resp->login = NULL;
			resp->body_case = OW__RESPONSE__BODY__NOT_SET;
		}
	} else if (rc == 0) {
		rc = CM_EPROTO;
	}
	ow__response__free_unpacked(resp, NULL);
	return rc;
}
