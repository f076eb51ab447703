/*
 * h_users.c: login, logout and accounts. Password hashing runs on a
 * worker thread (argon2id is slow on purpose); the reply follows.
 */
#include "handlers.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "forms/notice.h"
#include "forms/validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- login and users ---------------------------------------------------- */

static int
load_user(struct node *n, const char *name, Ow__UserPut **out)
{
	void *val = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!node_user_name_valid(name)) {
		return CM_ENOTFOUND;
	}
	rc =
	    node_store_get(n->st, NODE_CF_USER, name, strlen(name), &val, &len);
	if (rc != 0) {
		return rc;
	}
	*out = ow__user_put__unpack(NULL, len, val);
	cm_free(val);
	return *out != NULL ? 0 : CM_ECORRUPT;
}

static void
lockout_key(const char *user, char *out, size_t size)
{
	snprintf(out, size, "lock/%s", user);
}

static void
load_lockout(struct node *n, const char *user, struct node_lockout *l)
{
	char key[64];
	void *val = NULL;
	size_t len = 0;

	memset(l, 0, sizeof(*l));
	lockout_key(user, key, sizeof(key));
	if (node_store_get(
	        n->st, NODE_CF_LOCAL, key, strlen(key), &val, &len) == 0) {
		node_lockout_decode(val, len, l);
	}
	cm_free(val);
}

static int
save_lockout(struct node *n, const char *user, const struct node_lockout *l)
{
	char key[64];
	uint8_t buf[12];
	int rc = node_open_batch(n);

	if (rc != 0) {
		return rc;
	}
	lockout_key(user, key, sizeof(key));
	node_lockout_encode(l, buf);
	node_batch_put(
	    n->open.batch, NODE_CF_LOCAL, key, strlen(key), buf, sizeof(buf));
	return 0;
}

/* A login's password check runs on a worker: argon2id is slow on purpose
 * and must not stall the loop. */
struct login_job {
	uv_work_t w;
	struct node *n;
	struct node_slot *slot;
	char request_id[80];
	char user[NODE_USER_MAX];
	char window[16];
	char password[NODE_PW_MAX + 1];
	char hash[160];
	bool known;
	enum node_role role;
	char hall[16];
	int rc;
};

static void
login_work(uv_work_t *w)
{
	struct login_job *j = w->data;

	/* An unknown user costs the same time as a wrong password. */
	if (!j->known) {
		char dummy[crypto_pwhash_STRBYTES];

		node_password_hash("not-a-password-0", dummy, sizeof(dummy));
		j->rc = CM_EAUTH;
	} else {
		j->rc = node_password_verify(j->hash, j->password);
	}
	sodium_memzero(j->password, sizeof(j->password));
}

static void
login_done(uv_work_t *w, int status)
{
	struct login_job *j = w->data;
	struct node *n = j->n;

	node_job_done(n);
	Ow__Response resp = OW__RESPONSE__INIT;
	enum node_disp disp = NODE_REPLY_NOW;
	struct node_lockout lo;
	int64_t now = node_now(n);

	resp.version = 1;
	resp.request_id = j->request_id;
	if (status != 0) {
		j->rc = CM_EINTERNAL;
	}
	if (j->known) {
		load_lockout(n, j->user, &lo);
		if (j->rc == 0) {
			node_lockout_success(&lo);
		} else if (j->rc == CM_EAUTH) {
			node_lockout_failure(&lo, now);
			if (lo.locked_until > now) {
				cm_log_warn("auth.locked", "user=%s", j->user);
			}
		}
		if (save_lockout(n, j->user, &lo) == 0) {
			disp = NODE_REPLY_AFTER_BATCH;
		}
	}
	if (j->rc == 0) {
		struct node_session *s = NULL;
		Ow__LoginResp *lr = malloc(sizeof(*lr));
		int rc = lr == NULL ? CM_ENOMEM
		                    : node_session_open(&n->sessions, j->user,
		                          j->role, j->hall, j->window, now, &s);

		if (rc == 0) {
			ow__login_resp__init(lr);
			lr->token = node__dup(s->token);
			lr->user = node__dup(j->user);
			lr->role = j->role;
			lr->hall = node__dup(j->hall);
			lr->node_id = node__dup(n->node_id);
			lr->idle_timeout_s = (uint32_t)n->sessions.idle_timeout;
			resp.body_case = OW__RESPONSE__BODY_LOGIN;
			resp.login = lr;
			cm_log_info("auth.login", "user=%s role=%s", j->user,
			    node_role_name(j->role));
		} else {
			free(lr);
			resp.status = rc;
		}
	} else {
		/* The same answer for an unknown user and a wrong password; a
		 * node short of memory says so instead of locking clerks out. */
		resp.status = j->rc == CM_ENOMEM || j->rc == CM_EINTERNAL
		                  ? j->rc
		              : j->rc == CM_ELOCKED ? CM_ELOCKED
		                                    : CM_EAUTH;
		cm_log_info("auth.failed", "user=%s", j->user);
	}
	node_finish_async(n, j->slot, &resp, disp);
	sodium_memzero(j, sizeof(*j));
	cm_free(j);
}

enum node_disp
node__h_login(struct call *c)
{
	const Ow__LoginReq *r = c->req->login;
	struct node *n = c->n;
	struct login_job *j;
	struct node_lockout lo;
	Ow__UserPut *u = NULL;

	if (strlen(r->password) > NODE_PW_MAX || strlen(r->window) >= 16 ||
	    !node_user_name_valid(r->user)) {
		node__fail(c->resp, CM_EAUTH);
		return NODE_REPLY_NOW;
	}
	load_lockout(n, r->user, &lo);
	if (node_lockout_check(&lo, node_now(n)) != 0) {
		node__fail(c->resp, CM_ELOCKED);
		return NODE_REPLY_NOW;
	}
	j = cm_calloc(1, sizeof(*j));
	if (j == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	j->n = n;
	j->slot = c->slot;
	snprintf(
	    j->request_id, sizeof(j->request_id), "%s", c->req->request_id);
	snprintf(j->user, sizeof(j->user), "%s", r->user);
	snprintf(j->window, sizeof(j->window), "%s", r->window);
	snprintf(j->password, sizeof(j->password), "%s", r->password);
	if (load_user(n, r->user, &u) == 0 && !u->disabled &&
	    strlen(u->password_hash) < sizeof(j->hash)) {
		j->known = true;
		snprintf(j->hash, sizeof(j->hash), "%s", u->password_hash);
		j->role = (enum node_role)u->role;
		snprintf(j->hall, sizeof(j->hall), "%s", u->hall);
	}
	if (u != NULL) {
		ow__user_put__free_unpacked(u, NULL);
	}
	j->w.data = j;
	if (node_queue_job(n, &j->w, login_work, login_done) != 0) {
		sodium_memzero(j, sizeof(*j));
		cm_free(j);
		node__fail(c->resp, CM_EINTERNAL);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_LATER;
}

enum node_disp
node__h_logout(struct call *c)
{
	node_session_close(&c->n->sessions, c->req->token);
	return NODE_REPLY_NOW;
}

/* User changes: a password hash is made on a worker too. */
struct user_job {
	uv_work_t w;
	struct node *n;
	struct node_slot *slot;
	char request_id[80];
	char actor[NODE_USER_MAX];
	char name[NODE_USER_MAX];
	char password[NODE_PW_MAX + 1];
	char hash[crypto_pwhash_STRBYTES];
	char hall[16];
	char display[128];
	enum node_role role;
	bool disabled;
	int rc;
};

static void
user_work(uv_work_t *w)
{
	struct user_job *j = w->data;

	j->rc = node_password_hash(j->password, j->hash, sizeof(j->hash));
	sodium_memzero(j->password, sizeof(j->password));
}

static void
user_done(uv_work_t *w, int status)
{
	struct user_job *j = w->data;
	struct node *n = j->n;

	node_job_done(n);
	Ow__Response resp = OW__RESPONSE__INIT;
	enum node_disp disp = NODE_REPLY_NOW;

	resp.version = 1;
	resp.request_id = j->request_id;
	resp.status = status != 0 ? CM_EINTERNAL : j->rc;
	if (resp.status == 0) {
		if (n->open.batch != NULL) {
			node_batch_mark(n->open.batch);
		}
		resp.status = node_user_put(n, j->actor, j->name, j->role,
		    j->hall, j->hash, j->disabled, j->display);
		if (resp.status == 0) {
			disp = NODE_REPLY_AFTER_BATCH;
			node_sessions_close_user(&n->sessions, j->name);
			cm_log_info("user.saved", "user=%s role=%s by=%s",
			    j->name, node_role_name(j->role), j->actor);
		}
	}
	node_finish_async(n, j->slot, &resp, disp);
	sodium_memzero(j, sizeof(*j));
	cm_free(j);
}

static enum node_disp
user_hash_then_put(struct call *c, const char *name, const char *password,
    enum node_role role, const char *hall, const char *display)
{
	struct user_job *j;
	int rc = node_password_policy(name, password);

	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	j = cm_calloc(1, sizeof(*j));
	if (j == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	j->n = c->n;
	j->slot = c->slot;
	snprintf(
	    j->request_id, sizeof(j->request_id), "%s", c->req->request_id);
	snprintf(j->actor, sizeof(j->actor), "%s", c->sess->user);
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->password, sizeof(j->password), "%s", password);
	snprintf(j->hall, sizeof(j->hall), "%s", hall);
	snprintf(j->display, sizeof(j->display), "%s", display);
	j->role = role;
	j->w.data = j;
	if (node_queue_job(c->n, &j->w, user_work, user_done) != 0) {
		sodium_memzero(j, sizeof(*j));
		cm_free(j);
		node__fail(c->resp, CM_EINTERNAL);
		return NODE_REPLY_NOW;
	}
	return NODE_REPLY_LATER;
}

enum node_disp
node__h_user_add(struct call *c)
{
	const Ow__UserAddReq *r = c->req->user_add;
	enum node_role role;
	Ow__UserPut *u = NULL;
	const char *hall = r->hall[0] != '\0' ? r->hall : c->n->hall_code;

	if (!node_user_name_valid(r->name) ||
	    node_role_parse(r->role, &role) != 0 || strlen(hall) >= 16 ||
	    !node__text_ok(r->display_name, 40) ||
	    strlen(r->display_name) >= 128) {
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	if (load_user(c->n, r->name, &u) == 0) {
		ow__user_put__free_unpacked(u, NULL);
		node__fail(c->resp, CM_EEXIST);
		return NODE_REPLY_NOW;
	}
	return user_hash_then_put(
	    c, r->name, r->password, role, hall, r->display_name);
}

enum node_disp
node__h_user_passwd(struct call *c)
{
	const Ow__UserPasswdReq *r = c->req->user_passwd;
	Ow__UserPut *u = NULL;
	enum node_disp d;
	int rc;

	/* Ops change anybody's password; anybody changes their own. */
	if (c->sess->role != NODE_ROLE_OPS &&
	    strcmp(r->name, c->sess->user) != 0) {
		node__fail(c->resp, CM_EDENIED);
		return NODE_REPLY_NOW;
	}
	rc = load_user(c->n, r->name, &u);
	if (rc != 0) {
		node__fail(c->resp, rc == CM_ENOTFOUND ? CM_ENOTFOUND : rc);
		return NODE_REPLY_NOW;
	}
	d = user_hash_then_put(c, r->name, r->password, (enum node_role)u->role,
	    u->hall, u->display_name);
	ow__user_put__free_unpacked(u, NULL);
	return d;
}

enum node_disp
node__h_user_disable(struct call *c)
{
	const Ow__UserDisableReq *r = c->req->user_disable;
	Ow__UserPut *u = NULL;
	int rc = load_user(c->n, r->name, &u);

	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	if (strcmp(r->name, c->sess->user) == 0 && r->disabled) {
		/* Ops cannot lock themselves out by mistake. */
		ow__user_put__free_unpacked(u, NULL);
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	rc =
	    node_user_put(c->n, c->sess->user, u->name, (enum node_role)u->role,
	        u->hall, u->password_hash, r->disabled, u->display_name);
	ow__user_put__free_unpacked(u, NULL);
	if (rc != 0) {
		node__fail(c->resp, rc);
		return NODE_REPLY_NOW;
	}
	if (r->disabled) {
		node_sessions_close_user(&c->n->sessions, r->name);
	}
	cm_log_info("user.disabled", "user=%s disabled=%d by=%s", r->name,
	    (int)r->disabled, c->sess->user);
	return NODE_REPLY_AFTER_BATCH;
}

enum node_disp
node__h_user_list(struct call *c)
{
	const Ow__UserListReq *r = c->req->user_list;
	/* A cursor is "u/" and the last name: user keys are bare names, and
	 * the tag keeps a cursor of another list out. */
	static const char tag[2] = {'u', '/'};
	struct node_iter *it = NULL;
	struct node_page pg;
	Ow__UserListResp *lr;
	int rc;

	if (node__page_begin(c, &pg, NODE_LIST_USERS, r->limit, r->after, tag,
	        sizeof(tag)) != 0) {
		return NODE_REPLY_NOW;
	}
	lr = malloc(sizeof(*lr));
	if (lr == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	ow__user_list_resp__init(lr);
	c->resp->body_case = OW__RESPONSE__BODY_USER_LIST;
	c->resp->user_list = lr;
	lr->users = calloc(pg.limit, sizeof(*lr->users));
	rc = lr->users != NULL
	         ? node_iter_new(c->n->st, NODE_CF_USER, NULL, 0, &it)
	         : CM_ENOMEM;
	if (rc == 0 && pg.alen > 0) {
		size_t kl;
		const void *k;

		node_iter_seek(
		    it, pg.after + sizeof(tag), pg.alen - sizeof(tag));
		k = node_iter_key(it, &kl);
		if (k != NULL && kl == pg.alen - sizeof(tag) &&
		    memcmp(k, pg.after + sizeof(tag), kl) == 0) {
			node_iter_next(it);
		}
	}
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t kl, vlen;
		const void *k = node_iter_key(it, &kl);
		const void *val = node_iter_value(it, &vlen);
		Ow__UserPut *u;
		Ow__UserInfo *ui;
		struct node_lockout lo;
		uint8_t key[NODE_CURSOR_MAX];

		if (node__page_full(&pg)) {
			break;
		}
		if (kl + sizeof(tag) > sizeof(key)) {
			continue;
		}
		u = ow__user_put__unpack(NULL, vlen, val);
		if (u == NULL) {
			continue;
		}
		ui = malloc(sizeof(*ui));
		if (ui == NULL) {
			ow__user_put__free_unpacked(u, NULL);
			rc = CM_ENOMEM;
			break;
		}
		ow__user_info__init(ui);
		ui->name = node__dup(u->name);
		ui->role = node__dup(node_role_name((enum node_role)u->role));
		ui->hall = node__dup(u->hall);
		ui->disabled = u->disabled;
		ui->display_name = node__dup(u->display_name);
		load_lockout(c->n, u->name, &lo);
		ui->locked = node_lockout_check(&lo, node_now(c->n)) != 0;
		ow__user_put__free_unpacked(u, NULL);
		memcpy(key, tag, sizeof(tag));
		memcpy(key + sizeof(tag), k, kl);
		if (!node__page_take(&pg, ow__user_info__get_packed_size(ui),
		        key, kl + sizeof(tag))) {
			ow__user_info__free_unpacked(ui, NULL);
			break;
		}
		lr->users[lr->n_users++] = ui;
	}
	if (rc == 0 && it != NULL) {
		rc = node_iter_status(it);
	}
	if (it != NULL) {
		node_iter_free(it);
	}
	if (rc != 0) {
		node__fail(c->resp, rc);
	} else {
		lr->next = node__page_next(&pg);
	}
	return NODE_REPLY_NOW;
}
