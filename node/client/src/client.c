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
#include <stdlib.h>
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

/* ---- paging ------------------------------------------------------------- */

/* The paging fields of a list request; false when it is none. */
static bool
req_page(Ow__Request *req, uint32_t **limit, char ***after)
{
#define REQ_PAGE(f)                                                            \
	if (req->f == NULL) {                                                  \
		return false;                                                  \
	}                                                                      \
	*limit = &req->f->limit;                                               \
	*after = &req->f->after;                                               \
	return true

	switch (req->body_case) {
	case OW__REQUEST__BODY_CASE_SEARCH:
		REQ_PAGE(case_search);
	case OW__REQUEST__BODY_CASE_HISTORY:
		REQ_PAGE(case_history);
	case OW__REQUEST__BODY_APPLICANT_GET:
		REQ_PAGE(applicant_get);
	case OW__REQUEST__BODY_USER_LIST:
		REQ_PAGE(user_list);
	case OW__REQUEST__BODY_CATALOG_LIST:
		REQ_PAGE(catalog_list);
	case OW__REQUEST__BODY_QUEUE_LIST:
		REQ_PAGE(queue_list);
	default:
		return false;
	}
#undef REQ_PAGE
}

/* Where a list response keeps its next; NULL when it is none. */
static char **
resp_next(const Ow__Response *resp)
{
	switch (resp->body_case) {
	case OW__RESPONSE__BODY_CASE_SEARCH:
		return resp->case_search != NULL ? &resp->case_search->next
		                                 : NULL;
	case OW__RESPONSE__BODY_CASE_HISTORY:
		return resp->case_history != NULL ? &resp->case_history->next
		                                  : NULL;
	case OW__RESPONSE__BODY_APPLICANT_GET:
		return resp->applicant_get != NULL ? &resp->applicant_get->next
		                                   : NULL;
	case OW__RESPONSE__BODY_USER_LIST:
		return resp->user_list != NULL ? &resp->user_list->next : NULL;
	case OW__RESPONSE__BODY_CATALOG_LIST:
		return resp->catalog_list != NULL ? &resp->catalog_list->next
		                                  : NULL;
	case OW__RESPONSE__BODY_QUEUE_LIST:
		return resp->queue_list != NULL ? &resp->queue_list->next
		                                : NULL;
	default:
		return NULL;
	}
}

bool
node_list_kind(Ow__Request__BodyCase body)
{
	return body == OW__REQUEST__BODY_CASE_SEARCH ||
	       body == OW__REQUEST__BODY_CASE_HISTORY ||
	       body == OW__REQUEST__BODY_APPLICANT_GET ||
	       body == OW__REQUEST__BODY_USER_LIST ||
	       body == OW__REQUEST__BODY_CATALOG_LIST ||
	       body == OW__REQUEST__BODY_QUEUE_LIST;
}

int
node_list_page(Ow__Request *req, uint32_t limit, const char *after)
{
	uint32_t *lp;
	char **ap;

	if (!req_page(req, &lp, &ap)) {
		return CM_EINVAL;
	}
	*lp = limit;
	*ap = (char *)(uintptr_t)(after != NULL ? after : "");
	return 0;
}

const char *
node_list_next(const Ow__Response *resp)
{
	char **np = resp != NULL ? resp_next(resp) : NULL;

	return np != NULL && *np != NULL ? *np : "";
}

/* Move the entries of page f (n_f of them) behind those of acc. The
 * arrays are protobuf-c's (malloc'd); page keeps its array, empty. */
#define TAKE(acc, page, f)                                                     \
	do {                                                                   \
		if ((page)->n_##f > 0) {                                       \
			void *grown =                                          \
			    realloc((acc)->f, ((acc)->n_##f + (page)->n_##f) * \
			                          sizeof(*(acc)->f));          \
			if (grown == NULL) {                                   \
				return CM_ENOMEM;                              \
			}                                                      \
			(acc)->f = grown;                                      \
			memcpy((acc)->f + (acc)->n_##f, (page)->f,             \
			    (page)->n_##f * sizeof(*(acc)->f));                \
			(acc)->n_##f += (page)->n_##f;                         \
			(page)->n_##f = 0;                                     \
		}                                                              \
	} while (0)

/* Add page's entries to acc (both answers to the same list request). */
static int
take_entries(Ow__Response *acc, Ow__Response *page)
{
	switch (acc->body_case) {
	case OW__RESPONSE__BODY_CASE_SEARCH:
		TAKE(acc->case_search, page->case_search, cases);
		break;
	case OW__RESPONSE__BODY_CASE_HISTORY:
		TAKE(acc->case_history, page->case_history, entries);
		break;
	case OW__RESPONSE__BODY_APPLICANT_GET:
		TAKE(acc->applicant_get, page->applicant_get, cases);
		break;
	case OW__RESPONSE__BODY_USER_LIST:
		TAKE(acc->user_list, page->user_list, users);
		break;
	case OW__RESPONSE__BODY_CATALOG_LIST:
		TAKE(acc->catalog_list, page->catalog_list, matters);
		break;
	case OW__RESPONSE__BODY_QUEUE_LIST:
		TAKE(acc->queue_list, page->queue_list, tickets);
		break;
	default:
		return CM_EPROTO;
	}
	return 0;
}
#undef TAKE

int
node_client_call_all(
    struct node_client *c, Ow__Request *req, Ow__Response **resp)
{
	uint32_t *limit;
	char **after, *start, *cursor = NULL;
	Ow__Response *acc = NULL, *page = NULL;
	int rc;

	*resp = NULL;
	if (!req_page(req, &limit, &after)) {
		return CM_EINVAL;
	}
	start = *after;
	for (;;) {
		char **next;

		rc = node_client_call(c, req, &page);
		if (rc != 0) {
			break;
		}
		if (page->status != 0) {
			/* Refused: that answer, whatever came before. */
			if (acc != NULL) {
				ow__response__free_unpacked(acc, NULL);
			}
			acc = page;
			page = NULL;
			break;
		}
		next = resp_next(page);
		if (next == NULL ||
		    (acc != NULL && page->body_case != acc->body_case) ||
		    ((*next)[0] != '\0' && strcmp(*next, *after) == 0)) {
			rc = CM_EPROTO;
			break;
		}
		cm_free(cursor);
		cursor = (*next)[0] != '\0' ? cm_strdup(*next) : NULL;
		if ((*next)[0] != '\0' && cursor == NULL) {
			rc = CM_ENOMEM;
			break;
		}
		if (acc == NULL) {
			acc = page;
		} else {
			char *tmp;

			rc = take_entries(acc, page);
			if (rc != 0) {
				break;
			}
			/* The last page's next ("") ends up in acc; the
			 * strings stay with messages of their own type. */
			tmp = *resp_next(acc);
			*resp_next(acc) = *next;
			*next = tmp;
			ow__response__free_unpacked(page, NULL);
		}
		page = NULL;
		if (cursor == NULL) {
			break;
		}
		*after = cursor;
	}
	*after = start;
	cm_free(cursor);
	if (page != NULL) {
		ow__response__free_unpacked(page, NULL);
	}
	if (rc != 0) {
		if (acc != NULL) {
			ow__response__free_unpacked(acc, NULL);
		}
		return rc;
	}
	*resp = acc;
	return 0;
}
