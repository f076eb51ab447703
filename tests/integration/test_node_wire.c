/*
 * test_node_wire.c: a real ow-node spoken to over nng directly, below the
 * client library: what it answers to bytes that are not a valid request
 * (garbage, truncated, another version, no body, unknown fields, too
 * large), to requests without a valid session, and whether it keeps
 * serving after each. Then the process around it: SIGTERM with work in
 * flight, the listener after a flood of broken handshakes (nng issue
 * 1518, which the node's watchdog works around), and idle sessions.
 *
 * Usage: test_node_wire [OW-NODE [GROUP]], GROUP one of
 *   wire      malformed input and sessions (fast)
 *   shutdown  SIGTERM with logins and writes in flight (fast)
 *   watchdog  the handshake flood (slow: up to ~30 s for the watchdog)
 *   expiry    an idle session expires (slow: waits 62 s of real time,
 *             because the node keeps sessions in memory and reads OW_NOW
 *             from its own environment, which a test cannot move)
 *   paging    every list, page by page (fast)
 * Each group starts its own node on its own temporary directory.
 */
#include "nodeproc.h"
#include "rawwire.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"

static const char *node_bin;
static char self_exe[4096]; /* this program, to run a part on its own */
static struct itest_node node;
static struct node_client *admin;
static char admin_token[80];

/* ---- requests ----------------------------------------------------------- */

/* Send req as it is (version, token and id as the caller set them). */
static Ow__Response *
raw_request(const Ow__Request *req)
{
	size_t len;
	uint8_t *buf = itest_pack(req, &len);
	Ow__Response *resp = itest_raw_call(&node, buf, len);

	free(buf);
	return resp;
}

/* The node still answers: the admin session on its connection, and a
 * fresh connection with the admin token. */
static void
assert_serves(void)
{
	Ow__Request req;
	Ow__StatusReq body;
	Ow__Response *resp;
	bool ok;

	assert_true(itest_node_alive(&node));
	assert_rc(itest_status(admin), 0);
	itest_status_request(&req, &body, admin_token, "serves-1");
	resp = raw_request(&req);
	ok = resp->status == 0 &&
	     resp->body_case == OW__RESPONSE__BODY_STATUS_RESP &&
	     strcmp(resp->status_resp->node_id, "hall-ft") == 0;
	ow__response__free_unpacked(resp, NULL);
	if (!ok) {
		fail_msg("a fresh connection gets no status answer");
	}
}

/* ---- fixtures ----------------------------------------------------------- */

static int
node_up(void **state)
{
	(void)state;
	itest_node_init(&node, node_bin);
	itest_node_start(&node, ITEST_TODAY, NULL, NULL);
	admin = itest_login(&node, "admin", ITEST_ADMIN_PW);
	snprintf(
	    admin_token, sizeof(admin_token), "%s", node_client_token(admin));
	assert_int_equal(strlen(admin_token), 64);
	return 0;
}

static int
node_down(void **state)
{
	bool clean;

	(void)state;
	node_client_close(admin);
	admin = NULL;
	clean = itest_node_stop_clean(&node);
	itest_node_destroy(&node);
	if (!clean) {
		fail_msg("ow-node did not stop cleanly");
	}
	return 0;
}

/* ---- malformed messages ------------------------------------------------- */

/* A small deterministic generator: a failing case replays exactly. */
static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_random_bytes(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 40; seed++) {
		uint32_t s = seed * 2654435761u;
		size_t len = 1 + xorshift(&s) % 300;
		uint8_t buf[300];
		Ow__Response *resp;

		for (size_t i = 0; i < len; i++) {
			buf[i] = (uint8_t)xorshift(&s);
		}
		/* A tag of wire type 7, which does not exist: no protobuf
		 * decoder takes this. */
		buf[0] = 0xff;
		resp = itest_raw_call(&node, buf, len);
		if (resp->status != CM_EPROTO) {
			print_error("seed %u, %zu bytes\n", seed, len);
		}
		assert_rc(resp->status, CM_EPROTO);
		assert_string_equal(resp->request_id, "");
		assert_int_equal(resp->version, 1);
		assert_true(resp->error[0] != '\0');
		ow__response__free_unpacked(resp, NULL);
	}
	/* Bytes as they come: some decode (unknown fields, no body, a
	 * version that is not 1, no session), none may succeed, every one
	 * is answered. */
	for (uint32_t seed = 1; seed <= 200; seed++) {
		uint32_t s = seed * 40503u + 7u;
		size_t len = xorshift(&s) % 64;
		uint8_t buf[64];
		Ow__Response *resp;
		int status;

		for (size_t i = 0; i < len; i++) {
			buf[i] = (uint8_t)xorshift(&s);
		}
		resp = itest_raw_call(&node, buf, len);
		status = resp->status;
		ow__response__free_unpacked(resp, NULL);
		if (status == 0) {
			fail_msg(
			    "seed %u: %zu random bytes were served", seed, len);
		}
		assert_true(status == CM_EPROTO || status == CM_EAUTH);
	}
	assert_serves();
}

static void
test_truncated_request(void **state)
{
	Ow__Request req;
	Ow__StatusReq body;
	size_t len;
	uint8_t *buf;

	(void)state;
	itest_status_request(&req, &body, admin_token, "trunc-1");
	buf = itest_pack(&req, &len);
	/* Every strict prefix: either undecodable, or a request whose body
	 * (packed last) is missing. Both are protocol errors. */
	for (size_t cut = 1; cut < len; cut++) {
		Ow__Response *resp = itest_raw_call(&node, buf, cut);

		if (resp->status != CM_EPROTO) {
			print_error("cut at %zu of %zu bytes\n", cut, len);
		}
		assert_rc(resp->status, CM_EPROTO);
		ow__response__free_unpacked(resp, NULL);
	}
	free(buf);
	assert_serves();
}

static void
test_version_2(void **state)
{
	Ow__Request req;
	Ow__StatusReq body;
	Ow__Response *resp;

	(void)state;
	itest_status_request(&req, &body, admin_token, "v2-1");
	req.version = 2;
	resp = raw_request(&req);
	assert_rc(resp->status, CM_EPROTO);
	/* The request id comes back, so a client can match the answer. */
	assert_string_equal(resp->request_id, "v2-1");
	assert_int_equal(resp->body_case, OW__RESPONSE__BODY__NOT_SET);
	ow__response__free_unpacked(resp, NULL);

	itest_status_request(&req, &body, admin_token, "v0-1");
	req.version = 0; /* absent on the wire */
	resp = raw_request(&req);
	assert_rc(resp->status, CM_EPROTO);
	ow__response__free_unpacked(resp, NULL);
	assert_serves();
}

static void
test_empty_request(void **state)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *resp;

	(void)state;
	/* Zero bytes: a Request with every field absent (version 0). */
	resp = itest_raw_call(&node, "", 0);
	assert_rc(resp->status, CM_EPROTO);
	ow__response__free_unpacked(resp, NULL);

	/* Version 1 and a valid session, but no body. */
	req.version = 1;
	req.token = admin_token;
	req.request_id = (char *)(uintptr_t) "nobody-1";
	resp = raw_request(&req);
	assert_rc(resp->status, CM_EPROTO);
	assert_string_equal(resp->request_id, "nobody-1");
	ow__response__free_unpacked(resp, NULL);

	/* The same without a session: still a protocol error, not a login
	 * question. */
	req.token = (char *)(uintptr_t) "";
	resp = raw_request(&req);
	assert_rc(resp->status, CM_EPROTO);
	ow__response__free_unpacked(resp, NULL);
	assert_serves();
}

static void
test_unknown_body_field(void **state)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__StatusReq body;
	Ow__Response *resp;
	uint8_t buf[512];
	size_t len;
	uint8_t *head;

	(void)state;
	/* A body field number no schema has (99, and 13 inside the request
	 * bodies' range): the node knows no handler, CM_EPROTO. */
	static const unsigned fields[] = {99, 13, 2000};

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		req.version = 1;
		req.token = admin_token;
		req.request_id = (char *)(uintptr_t) "unknown-1";
		head = itest_pack(&req, &len);
		memcpy(buf, head, len);
		free(head);
		len += itest_put_field(buf + len, fields[f], 0);
		resp = itest_raw_call(&node, buf, len);
		assert_rc(resp->status, CM_EPROTO);
		assert_string_equal(resp->request_id, "unknown-1");
		ow__response__free_unpacked(resp, NULL);
	}

	/* An unknown field next to a known body is ignored (the schema's
	 * rule for old and new nodes): the status is served. */
	itest_status_request(&req, &body, admin_token, "unknown-2");
	head = itest_pack(&req, &len);
	memcpy(buf, head, len);
	free(head);
	len += itest_put_field(buf + len, 99, 3);
	memcpy(buf + len, "abc", 3);
	len += 3;
	resp = itest_raw_call(&node, buf, len);
	assert_rc(resp->status, 0);
	assert_int_equal(resp->body_case, OW__RESPONSE__BODY_STATUS_RESP);
	ow__response__free_unpacked(resp, NULL);
	assert_serves();
}

static void
test_oversize_message(void **state)
{
	const size_t max = 1u << 20; /* the documented cap of a request */
	uint8_t *buf;
	Ow__Response *resp;
	int fd, busy, status;

	(void)state;
	/* A request of exactly 1 MiB (its frame has the 4-byte request id
	 * too) is served. */
	buf = itest_padded_status(admin_token, max, "big-1");
	fd = itest_sp_connect(&node);
	assert_true(itest_sp_send(fd, 1, buf, max));
	free(buf);
	resp = itest_sp_recv(fd, 10000);
	close(fd);
	assert_non_null(resp);
	status = resp->status;
	ow__response__free_unpacked(resp, NULL);
	assert_rc(status, 0);

	/* One byte more: refused, either with CM_ETOOBIG or by nng dropping
	 * the connection; never served. */
	buf = itest_padded_status(admin_token, max + 1, "big-2");
	fd = itest_sp_connect(&node);
	(void)itest_sp_send(fd, 2, buf, max + 1);
	free(buf);
	resp = itest_sp_recv(fd, 5000);
	close(fd);
	status = resp != NULL ? resp->status : CM_ETOOBIG;
	if (resp != NULL) {
		ow__response__free_unpacked(resp, NULL);
	}
	assert_rc(status, CM_ETOOBIG);
	assert_serves();

	/* A frame that claims 2 GiB, while another connection is served:
	 * that one is dropped, the other answered. */
	fd = itest_sp_connect(&node);
	busy = itest_sp_connect(&node);
	{
		uint8_t head[9] = {1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};

		assert_int_equal(send(fd, head, 9, MSG_NOSIGNAL), 9);
	}
	resp = itest_sp_recv(fd, 5000);
	close(fd);
	assert_null(resp);
	{
		Ow__Request req;
		Ow__StatusReq body;
		size_t len;
		uint8_t *small;

		itest_status_request(&req, &body, admin_token, "big-3");
		small = itest_pack(&req, &len);
		assert_true(itest_sp_send(busy, 3, small, len));
		free(small);
		resp = itest_sp_recv(busy, 10000);
		close(busy);
		assert_non_null(resp);
		status = resp->status;
		ow__response__free_unpacked(resp, NULL);
		assert_rc(status, 0);
	}
	assert_serves();
}

/*
 * The client's half of test_client_1mib_request, run in a process of its
 * own (test_node_wire OW-NODE client-1mib URL TOKEN), because nng 1.5.2
 * can hang in nng_close on a REQ socket whose request the peer keeps
 * dropping. Sends a status Request that packs to exactly 1 MiB and exits
 * 0 when the node answered it with status 0, 1 when the client refused
 * it with CM_ETOOBIG, 2 otherwise (the error's name on stderr).
 */
static int
client_1mib(const char *url, const char *token)
{
	const size_t max = 1u << 20;
	struct node_client *c = NULL;
	Ow__Request *req;
	Ow__Response *resp = NULL;
	uint8_t *buf;
	char *tok, *reqid;
	int rc, status = 0;

	/* A status Request padded (an unknown field) to exactly 1 MiB with
	 * the token and an id of the client's length (16 hex digits and
	 * "-1"): the client puts its own in, of the same sizes. */
	snprintf(admin_token, sizeof(admin_token), "%s", token);
	buf = itest_padded_status(admin_token, max, "0123456789abcdef-1");
	req = ow__request__unpack(NULL, max, buf);
	free(buf);
	if (req == NULL || ow__request__get_packed_size(req) != max ||
	    node_client_open(url, NULL, 3000, &c) != 0) {
		fprintf(stderr, "client-1mib: cannot set up\n");
		return 2;
	}
	node_client_set_token(c, token);
	tok = req->token;
	reqid = req->request_id;
	rc = node_client_call(c, req, &resp);
	/* The client put its own strings in req and cleared them: give
	 * back unpack's before freeing. */
	req->token = tok;
	req->request_id = reqid;
	ow__request__free_unpacked(req, NULL);
	if (rc == 0) {
		status = resp->status;
		ow__response__free_unpacked(resp, NULL);
	}
	fprintf(stderr, "client-1mib: call %s, status %s\n", cm_err_name(rc),
	    cm_err_name(status));
	fflush(stderr);
	node_client_close(c);
	return rc == 0 && status == 0 ? 0 : rc == CM_ETOOBIG ? 1 : 2;
}

/*
 * The client library accepts a request of up to 1 MiB (client.c) and the
 * API says "a request is at most 1 MiB"; the node caps the nng frame at
 * 1 MiB, and REQ puts a 4-byte request id in the frame. A request of
 * exactly 1 MiB must get an answer (or be refused by the client with
 * CM_ETOOBIG), never vanish into a timeout.
 */
static void
test_client_1mib_request(void **state)
{
	const char *argv[] = {
	    self_exe, node_bin, "client-1mib", node.url, admin_token, NULL};
	long long until = itest_ms() + 30000;
	int st = 0;
	pid_t pid, r;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && itest_ms() < until) {
		itest_nap(50);
	}
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fail_msg("the client did not finish within 30 s (hung in "
		         "node_client_close after the node dropped its "
		         "request?)");
	}
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 2) {
		fail_msg("a 1 MiB request was not served (see client-1mib "
		         "above)");
	}
	assert_true(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1);
	assert_serves();
}

/* ---- sessions ----------------------------------------------------------- */

static void
test_no_token(void **state)
{
	Ow__Request req;
	Ow__StatusReq body;
	Ow__Response *resp;

	(void)state;
	itest_status_request(&req, &body, "", "tok-1");
	resp = raw_request(&req);
	assert_rc(resp->status, CM_EAUTH);
	assert_int_equal(resp->body_case, OW__RESPONSE__BODY__NOT_SET);
	ow__response__free_unpacked(resp, NULL);
	assert_serves();
}

static void
test_wrong_token(void **state)
{
	static const char *const tokens[] = {
	    /* 64 hex digits, but no session's */
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    /* too short, too long, not hex */
	    "0011",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00",
	    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
	};
	char near[80];

	(void)state;
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		Ow__Request req;
		Ow__StatusReq body;
		Ow__Response *resp;

		itest_status_request(&req, &body, tokens[i], "tok-2");
		resp = raw_request(&req);
		assert_rc(resp->status, CM_EAUTH);
		ow__response__free_unpacked(resp, NULL);
	}
	/* The admin token with its last digit changed. */
	snprintf(near, sizeof(near), "%s", admin_token);
	near[63] = near[63] == '0' ? '1' : '0';
	{
		Ow__Request req;
		Ow__StatusReq body;
		Ow__Response *resp;

		itest_status_request(&req, &body, near, "tok-3");
		resp = raw_request(&req);
		assert_rc(resp->status, CM_EAUTH);
		ow__response__free_unpacked(resp, NULL);
	}
	assert_serves();
}

static void
test_logged_out_token(void **state)
{
	struct node_client *c = itest_login(&node, "admin", ITEST_ADMIN_PW);
	char token[80];
	Ow__Request req = OW__REQUEST__INIT;
	Ow__LogoutReq lo = OW__LOGOUT_REQ__INIT;
	Ow__CaseGetReq get = OW__CASE_GET_REQ__INIT;
	Ow__StatusReq body;
	Ow__Response *resp;

	(void)state;
	snprintf(token, sizeof(token), "%s", node_client_token(c));
	assert_rc(itest_status(c), 0);
	req.body_case = OW__REQUEST__BODY_LOGOUT;
	req.logout = &lo;
	assert_rc(itest_call(c, &req, NULL), 0);
	/* The same client, and a raw request with the token: both refused. */
	assert_rc(itest_status(c), CM_EAUTH);
	node_client_close(c);
	itest_status_request(&req, &body, token, "out-1");
	resp = raw_request(&req);
	assert_rc(resp->status, CM_EAUTH);
	ow__response__free_unpacked(resp, NULL);
	ow__request__init(&req);
	req.version = 1;
	req.token = token;
	req.request_id = (char *)(uintptr_t) "out-2";
	get.id = (char *)(uintptr_t) "FT01-20250929-0001";
	req.body_case = OW__REQUEST__BODY_CASE_GET;
	req.case_get = &get;
	resp = raw_request(&req);
	assert_rc(resp->status, CM_EAUTH);
	ow__response__free_unpacked(resp, NULL);
	/* The other session is untouched. */
	assert_serves();
}

static void
test_bad_login(void **state)
{
	struct node_client *c = NULL;
	char longpw[200];

	(void)state;
	assert_rc(node_client_open(node.url, NULL, 20000, &c), 0);
	/* An unknown user and a malformed name get the wrong-password
	 * answer, so that names cannot be probed; none of them counts
	 * against the real admin's lockout. */
	assert_rc(
	    node_client_login(c, "nobody", "whatever-1", NULL, NULL), CM_EAUTH);
	assert_rc(node_client_login(c, "../../etc", "whatever-1", NULL, NULL),
	    CM_EAUTH);
	memset(longpw, 'p', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	assert_rc(node_client_login(c, "admin", longpw, NULL, NULL), CM_EAUTH);
	assert_rc(node_client_login(c, "admin", ITEST_ADMIN_PW,
	              "a-window-name-longer-than-15", NULL),
	    CM_EAUTH);
	/* No token was handed out. */
	assert_string_equal(node_client_token(c), "");
	node_client_close(c);
	assert_serves();
}

/* An ops request to disable or enable a user. */
static int
user_disable(const char *name, bool disabled)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserDisableReq body = OW__USER_DISABLE_REQ__INIT;

	body.name = (char *)(uintptr_t)name;
	body.disabled = disabled;
	req.body_case = OW__REQUEST__BODY_USER_DISABLE;
	req.user_disable = &body;
	return itest_call(admin, &req, NULL);
}

/* Disabling an account, or ops setting its password, ends its open
 * sessions at once: the token is unknown from then on. */
static void
test_sessions_end_with_the_account(void **state)
{
	struct node_client *a, *b;
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserPasswdReq pw = OW__USER_PASSWD_REQ__INIT;

	(void)state;
	itest_user_add(admin, "temp1", "clerk", "temp-pass-1");
	a = itest_login(&node, "temp1", "temp-pass-1");
	b = itest_login(&node, "temp1", "temp-pass-1");
	assert_rc(itest_status(a), 0);
	assert_rc(user_disable("temp1", true), 0);
	assert_rc(itest_status(a), CM_EAUTH);
	assert_rc(itest_status(b), CM_EAUTH);
	assert_rc(
	    node_client_login(a, "temp1", "temp-pass-1", NULL, NULL), CM_EAUTH);
	assert_rc(user_disable("temp1", false), 0);
	assert_rc(node_client_login(a, "temp1", "temp-pass-1", NULL, NULL), 0);
	assert_rc(node_client_login(b, "temp1", "temp-pass-1", NULL, NULL), 0);
	pw.name = (char *)(uintptr_t) "temp1";
	pw.password = (char *)(uintptr_t) "temp-pass-2";
	req.body_case = OW__REQUEST__BODY_USER_PASSWD;
	req.user_passwd = &pw;
	assert_rc(itest_call(admin, &req, NULL), 0);
	assert_rc(itest_status(a), CM_EAUTH);
	assert_rc(itest_status(b), CM_EAUTH);
	assert_rc(
	    node_client_login(a, "temp1", "temp-pass-1", NULL, NULL), CM_EAUTH);
	assert_rc(node_client_login(a, "temp1", "temp-pass-2", NULL, NULL), 0);
	assert_rc(itest_status(a), 0);
	node_client_close(a);
	node_client_close(b);
	assert_serves();
}

/* ---- shutdown with work in flight -------------------------------------- */

static int
node_up_one_pool_thread(void **state)
{
	static const char *const env[] = {"UV_THREADPOOL_SIZE=1", NULL};

	(void)state;
	itest_node_init(&node, node_bin);
	itest_node_start(&node, ITEST_TODAY, NULL, env);
	admin = itest_login(&node, "admin", ITEST_ADMIN_PW);
	snprintf(
	    admin_token, sizeof(admin_token), "%s", node_client_token(admin));
	return 0;
}

static int
node_gone(void **state)
{
	(void)state;
	node_client_close(admin);
	admin = NULL;
	itest_node_destroy(&node);
	return 0;
}

/*
 * SIGTERM while logins wait for the password hash on the worker pool
 * (one thread, so the hashes queue up for several hundred ms): the node
 * must stop cleanly, exit 0 and log node.stopped, like when it is idle.
 */
static void
test_sigterm_during_login(void **state)
{
	enum { N = 6 };
	nng_socket socks[N];
	bool clean;

	(void)state;
	for (int i = 0; i < N; i++) {
		Ow__Request req = OW__REQUEST__INIT;
		Ow__LoginReq body = OW__LOGIN_REQ__INIT;
		char id[16];
		size_t len;
		uint8_t *buf;

		/* An unknown user: hashed like a real one, and no lockout
		 * counter moves. */
		snprintf(id, sizeof(id), "login-%d", i);
		body.user = (char *)(uintptr_t) "nobody";
		body.password = (char *)(uintptr_t) "not-the-password";
		req.version = 1;
		req.request_id = id;
		req.body_case = OW__REQUEST__BODY_LOGIN;
		req.login = &body;
		buf = itest_pack(&req, &len);
		socks[i] = itest_raw_open(&node, 10000);
		assert_int_equal(nng_send(socks[i], buf, len, 0), 0);
		free(buf);
	}
	/* A status answered after the logins were sent: the loop has taken
	 * them and they wait for the worker. */
	assert_rc(itest_status(admin), 0);
	clean = itest_node_stop_clean(&node);
	for (int i = 0; i < N; i++) {
		nng_close(socks[i]);
	}
	if (!clean) {
		fail_msg("ow-node did not stop cleanly with logins in flight");
	}
}

/* Log in as a new clerk and return the token. */
static void
clerk_token(char *out, size_t size)
{
	struct node_client *c;

	itest_user_add(admin, "clerk1", "clerk", "clerk-pass-1");
	c = itest_login(&node, "clerk1", "clerk-pass-1");
	snprintf(out, size, "%s", node_client_token(c));
	/* The session stays open: closing the client does not log out. */
	node_client_close(c);
}

/* A case create request (accepted: every material) as bytes. */
static uint8_t *
create_request(const char *token, const char *id, size_t *len)
{
	struct itest_food f;
	Ow__Request req = OW__REQUEST__INIT;

	itest_food_init(&f, 4);
	req.version = 1;
	req.token = (char *)(uintptr_t)token;
	req.request_id = (char *)(uintptr_t)id;
	req.body_case = OW__REQUEST__BODY_CASE_CREATE;
	req.case_create = &f.req;
	return itest_pack(&req, len);
}

/*
 * SIGTERM while case creates are being written (group commit): every
 * create the node acknowledged is there after a restart, and retrying
 * them all with their request ids creates each case once.
 */
static void
test_sigterm_keeps_acked_writes(void **state)
{
	enum { N = 8 };
	nng_socket socks[N];
	char token[80], acked[N][40], ids[N][40];
	int acked_i[N];
	int nacked = 0;
	bool clean;
	struct node_client *c;

	(void)state;
	clerk_token(token, sizeof(token));
	for (int i = 0; i < N; i++) {
		char id[16];
		size_t len;
		uint8_t *buf;

		snprintf(id, sizeof(id), "create-%d", i);
		buf = create_request(token, id, &len);
		socks[i] = itest_raw_open(&node, 10000);
		assert_int_equal(nng_send(socks[i], buf, len, 0), 0);
		free(buf);
	}
	/* Wait for the first answer, then stop with the rest in flight. */
	nng_socket_set_ms(socks[0], NNG_OPT_RECVTIMEO, 10000);
	for (int i = 0; i < N; i++) {
		void *in = NULL;
		size_t inlen = 0;
		Ow__Response *resp;

		if (i == 1) {
			/* Whatever the node answered before it exited is in
			 * the sockets by now: a short wait each will do. */
			clean = itest_node_stop_clean(&node);
			if (!clean) {
				fail_msg("ow-node did not stop cleanly with "
				         "writes in flight");
			}
		}
		if (i >= 1) {
			nng_socket_set_ms(socks[i], NNG_OPT_RECVTIMEO, 200);
		}
		if (nng_recv(socks[i], &in, &inlen, NNG_FLAG_ALLOC) != 0) {
			continue;
		}
		resp = ow__response__unpack(NULL, inlen, in);
		nng_free(in, inlen);
		assert_non_null(resp);
		if (resp->status == 0) {
			assert_int_equal(
			    resp->body_case, OW__RESPONSE__BODY_CASE_CREATE);
			acked_i[nacked] = i;
			snprintf(acked[nacked++], sizeof(acked[0]), "%s",
			    resp->case_create->case_->id);
		}
		ow__response__free_unpacked(resp, NULL);
	}
	for (int i = 0; i < N; i++) {
		nng_close(socks[i]);
	}
	print_message(
	    "%d of %d creates acknowledged before the stop\n", nacked, N);
	assert_true(nacked >= 1);
	node_client_close(admin);
	admin = NULL;

	itest_node_start(&node, ITEST_TODAY, NULL, NULL);
	c = itest_login(&node, "clerk1", "clerk-pass-1");
	for (int i = 0; i < nacked; i++) {
		Ow__Request req = OW__REQUEST__INIT;
		Ow__CaseGetReq get = OW__CASE_GET_REQ__INIT;
		Ow__Response *resp = NULL;

		get.id = acked[i];
		req.body_case = OW__REQUEST__BODY_CASE_GET;
		req.case_get = &get;
		assert_rc(itest_call(c, &req, &resp), 0);
		assert_string_equal(resp->case_get->case_->id, acked[i]);
		ow__response__free_unpacked(resp, NULL);
	}
	/* The clients retry every create with its request id, as they would
	 * after a timeout: each is answered, an acknowledged one with the
	 * same case, and no create is applied twice. */
	snprintf(token, sizeof(token), "%s", node_client_token(c));
	for (int i = 0; i < N; i++) {
		char id[16];
		size_t len;
		uint8_t *buf;
		Ow__Response *resp;

		snprintf(id, sizeof(id), "create-%d", i);
		buf = create_request(token, id, &len);
		resp = itest_raw_call(&node, buf, len);
		free(buf);
		assert_rc(resp->status, 0);
		assert_int_equal(
		    resp->body_case, OW__RESPONSE__BODY_CASE_CREATE);
		snprintf(
		    ids[i], sizeof(ids[i]), "%s", resp->case_create->case_->id);
		ow__response__free_unpacked(resp, NULL);
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(ids[i], ids[j]);
		}
	}
	for (int k = 0; k < nacked; k++) {
		assert_string_equal(ids[acked_i[k]], acked[k]);
	}
	{
		Ow__Request req = OW__REQUEST__INIT;
		Ow__CaseSearchReq body = OW__CASE_SEARCH_REQ__INIT;
		Ow__Response *resp = NULL;

		body.by = (char *)(uintptr_t) "matter";
		body.value = (char *)(uintptr_t) "XK00013001";
		req.body_case = OW__REQUEST__BODY_CASE_SEARCH;
		req.case_search = &body;
		assert_rc(itest_call(c, &req, &resp), 0);
		assert_int_equal(resp->case_search->n_cases, N);
		ow__response__free_unpacked(resp, NULL);
	}
	node_client_close(c);
	clean = itest_node_stop_clean(&node);
	if (!clean) {
		fail_msg("ow-node did not stop cleanly after the restart");
	}
}

/* ---- the handshake flood (nng issue 1518) ------------------------------- */

/* A new client that logs nothing in: a status with the admin token. */
static bool
fresh_client_served(int timeout_ms)
{
	struct node_client *c = NULL;
	Ow__Request req = OW__REQUEST__INIT;
	Ow__StatusReq body = OW__STATUS_REQ__INIT;
	Ow__Response *resp = NULL;
	bool ok = false;

	if (node_client_open(node.url, NULL, timeout_ms, &c) != 0) {
		return false;
	}
	node_client_set_token(c, admin_token);
	req.body_case = OW__REQUEST__BODY_STATUS;
	req.status = &body;
	if (node_client_call(c, &req, &resp) == 0) {
		ok = resp->status == 0;
		ow__response__free_unpacked(resp, NULL);
	}
	node_client_close(c);
	return ok;
}

static void
test_handshake_flood(void **state)
{
	/* The SP header of a REQ peer over ipc: 0, 'S', 'P', 0, protocol
	 * 0x30 (REQ v0) big-endian, 2 reserved bytes. */
	static const uint8_t hdr[8] = {0, 'S', 'P', 0, 0x30, 0, 0, 0};
	long long start, until;
	int refused = 0;
	bool ok = false;

	(void)state;
	for (int i = 0; i < 200; i++) {
		int fd = itest_unix_connect(node.sock);
		ssize_t w = 0;

		if (fd < 0) {
			refused++;
			continue;
		}
		switch (i % 4) {
		case 0: /* connect and close at once */
			break;
		case 1: /* half a header */
			w = write(fd, hdr, 4);
			break;
		case 2: /* a header of a protocol REP does not pair with */
			w = write(fd, "\0SP\0\0\x10\0\0", 8);
			break;
		case 3: /* all but the last byte */
			w = write(fd, hdr, 7);
			break;
		}
		(void)w;
		close(fd);
	}
	/* A client connected before the flood is still served at once. */
	assert_rc(itest_status(admin), 0);
	/* New clients: the watchdog probes every 10 s and re-creates the
	 * listener after two failures, so allow 45 s. */
	start = itest_ms();
	until = start + 45000;
	while (itest_ms() < until) {
		if (fresh_client_served(1000)) {
			ok = true;
			break;
		}
		itest_nap(200);
	}
	print_message("flood: %d of 200 connects refused; new clients served "
	              "after %lld ms; listener restarts: %d\n",
	    refused, itest_ms() - start,
	    itest_log_count(&node, "event=api.listener_restart"));
	assert_true(ok);
	assert_true(itest_node_alive(&node));
	/* And it keeps serving new clients. */
	for (int i = 0; i < 5; i++) {
		assert_true(fresh_client_served(5000));
	}
}

/* ---- idle sessions ------------------------------------------------------ */

static int
node_up_short_sessions(void **state)
{
	static const char *const args[] = {
	    "--set", "session_idle_minutes=1", NULL};

	(void)state;
	itest_node_init(&node, node_bin);
	itest_node_start(&node, ITEST_TODAY, args, NULL);
	return 0;
}

static void
test_session_expires(void **state)
{
	struct node_client *idle = itest_login(&node, "admin", ITEST_ADMIN_PW);
	struct node_client *busy = itest_login(&node, "admin", ITEST_ADMIN_PW);
	long long last_use, until;

	(void)state;
	assert_rc(itest_status(idle), 0);
	last_use = itest_ms();
	/* The idle session expires when more than 60 s pass without use;
	 * the busy one is used every 15 s meanwhile and stays. */
	until = last_use + 62000;
	while (itest_ms() < until) {
		assert_rc(itest_status(busy), 0);
		itest_nap((int)(until - itest_ms() > 15000 ? 15000
		                : until - itest_ms() > 0   ? until - itest_ms()
		                                           : 0));
	}
	assert_rc(itest_status(idle), CM_EEXPIRED);
	/* Expired means closed: the token is unknown from now on. */
	assert_rc(itest_status(idle), CM_EAUTH);
	assert_rc(itest_status(busy), 0);
	/* A new login works. */
	assert_rc(
	    node_client_login(idle, "admin", ITEST_ADMIN_PW, NULL, NULL), 0);
	assert_rc(itest_status(idle), 0);
	node_client_close(idle);
	node_client_close(busy);
}

static int
node_down_plain(void **state)
{
	bool clean;

	(void)state;
	clean = itest_node_stop_clean(&node);
	itest_node_destroy(&node);
	if (!clean) {
		fail_msg("ow-node did not stop cleanly");
	}
	return 0;
}

/* ---- paging ------------------------------------------------------------- */

/*
 * Every list through the client library, on a node whose lists are capped
 * at PAGE_MAX entries (OW_PAGE_MAX, the node's test knob): the default and
 * any larger limit give PAGE_MAX; pages of 2 concatenate to what
 * node_client_call_all reads, with every entry once, in order; cursors
 * that are not hex, not whole bytes, of another list, case, applicant,
 * search or day are refused with CM_EINVAL and a problem on "after".
 */
#define PAGE_MAX       3
#define PAGING_PID     "110105194912310021" /* the applicant of the cases */
#define PAGING_CASES   7
#define PAGING_TICKETS 7
#define PAGING_NOTES   6

static struct node_client *clerk;
static char paging_case[2][40]; /* a case with notes; a refused one */

/* A list request of each kind, with its bodies. */
struct list_req {
	Ow__Request req;
	Ow__CaseSearchReq search;
	Ow__CaseHistoryReq history;
	Ow__ApplicantGetReq applicant;
	Ow__UserListReq users;
	Ow__CatalogListReq catalog;
	Ow__QueueListReq queue;
};

enum { L_SEARCH, L_HISTORY, L_APPLICANT, L_USERS, L_CATALOG, L_QUEUE, L_N };
static const char *const list_names[L_N] = {"case_search", "case_history",
    "applicant_get", "user_list", "catalog_list", "queue_list"};

static void
list_req_init(struct list_req *l, int kind)
{
	memset(l, 0, sizeof(*l));
	ow__request__init(&l->req);
	switch (kind) {
	case L_SEARCH:
		ow__case_search_req__init(&l->search);
		l->search.by = (char *)(uintptr_t) "applicant";
		l->search.value = (char *)(uintptr_t)PAGING_PID;
		l->req.body_case = OW__REQUEST__BODY_CASE_SEARCH;
		l->req.case_search = &l->search;
		break;
	case L_HISTORY:
		ow__case_history_req__init(&l->history);
		l->history.id = paging_case[0];
		l->req.body_case = OW__REQUEST__BODY_CASE_HISTORY;
		l->req.case_history = &l->history;
		break;
	case L_APPLICANT:
		ow__applicant_get_req__init(&l->applicant);
		l->applicant.id_number = (char *)(uintptr_t)PAGING_PID;
		l->req.body_case = OW__REQUEST__BODY_APPLICANT_GET;
		l->req.applicant_get = &l->applicant;
		break;
	case L_USERS:
		ow__user_list_req__init(&l->users);
		l->req.body_case = OW__REQUEST__BODY_USER_LIST;
		l->req.user_list = &l->users;
		break;
	case L_CATALOG:
		ow__catalog_list_req__init(&l->catalog);
		l->req.body_case = OW__REQUEST__BODY_CATALOG_LIST;
		l->req.catalog_list = &l->catalog;
		break;
	default:
		ow__queue_list_req__init(&l->queue);
		l->req.body_case = OW__REQUEST__BODY_QUEUE_LIST;
		l->req.queue_list = &l->queue;
		break;
	}
}

/* Who may read the list. */
static struct node_client *
list_client(int kind)
{
	return kind == L_USERS ? admin : clerk;
}

/* The key of entry i of a list response into out ("" past the end), and
 * how many entries it has. */
static size_t
list_entry(const Ow__Response *r, size_t i, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	switch (r->body_case) {
	case OW__RESPONSE__BODY_CASE_SEARCH:
		n = r->case_search->n_cases;
		if (i < n) {
			snprintf(out, size, "%s", r->case_search->cases[i]->id);
		}
		break;
	case OW__RESPONSE__BODY_CASE_HISTORY:
		n = r->case_history->n_entries;
		if (i < n) {
			snprintf(out, size, "%s#%llu",
			    r->case_history->entries[i]->origin,
			    (unsigned long long)r->case_history->entries[i]
			        ->seq);
		}
		break;
	case OW__RESPONSE__BODY_APPLICANT_GET:
		n = r->applicant_get->n_cases;
		if (i < n) {
			snprintf(
			    out, size, "%s", r->applicant_get->cases[i]->id);
		}
		break;
	case OW__RESPONSE__BODY_USER_LIST:
		n = r->user_list->n_users;
		if (i < n) {
			snprintf(out, size, "%s", r->user_list->users[i]->name);
		}
		break;
	case OW__RESPONSE__BODY_CATALOG_LIST:
		n = r->catalog_list->n_matters;
		if (i < n) {
			snprintf(
			    out, size, "%s", r->catalog_list->matters[i]->code);
		}
		break;
	case OW__RESPONSE__BODY_QUEUE_LIST:
		n = r->queue_list->n_tickets;
		if (i < n) {
			snprintf(
			    out, size, "%s", r->queue_list->tickets[i]->number);
		}
		break;
	default:
		fail_msg("not a list response (body %d)", (int)r->body_case);
	}
	return n;
}

/* One page of kind: its status; *resp as itest_call. */
static int
list_page(int kind, uint32_t limit, const char *after, Ow__Response **resp)
{
	struct list_req l;

	list_req_init(&l, kind);
	assert_rc(node_list_page(&l.req, limit, after), 0);
	return itest_call(list_client(kind), &l.req, resp);
}

/* The request was refused as a bad cursor: CM_EINVAL, problem "after". */
static void
assert_bad_cursor(int kind, const char *after)
{
	Ow__Response *r = NULL;
	int status = list_page(kind, 2, after, &r);

	if (status != CM_EINVAL) {
		print_error("%s after \"%s\"\n", list_names[kind], after);
	}
	assert_rc(status, CM_EINVAL);
	assert_int_equal(r->n_problems, 1);
	assert_string_equal(r->problems[0]->field, "after");
	assert_string_equal(r->problems[0]->code, "CURSOR");
	assert_true(r->problems[0]->message[0] != '\0');
	ow__response__free_unpacked(r, NULL);
}

/* The hex of s (for cursors made by hand). */
static void
hex_of(const char *s, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (; *s != '\0'; s++) {
		*out++ = digits[(unsigned char)*s >> 4];
		*out++ = digits[(unsigned char)*s & 15];
	}
	*out = '\0';
}

static int
node_up_paging(void **state)
{
	static const char *const env[] = {"OW_PAGE_MAX=3", NULL};
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *r = NULL;
	char name[16];

	(void)state;
	itest_node_init(&node, node_bin);
	itest_node_start(&node, ITEST_TODAY, NULL, env);
	admin = itest_login(&node, "admin", ITEST_ADMIN_PW);
	snprintf(
	    admin_token, sizeof(admin_token), "%s", node_client_token(admin));
	/* Users: admin, clerk1, and five more. */
	itest_user_add(admin, "clerk1", "clerk", "clerk-pass-1");
	for (int i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "user%02d", i);
		itest_user_add(admin, name, "auditor", "audit-pass-1");
	}
	clerk = itest_login(&node, "clerk1", "clerk-pass-1");
	/* A case accepted, with notes: a long history. */
	{
		struct itest_food f;

		itest_food_init(&f, 4);
		req.body_case = OW__REQUEST__BODY_CASE_CREATE;
		req.case_create = &f.req;
		assert_rc(itest_call(clerk, &req, &r), 0);
		snprintf(paging_case[0], sizeof(paging_case[0]), "%s",
		    r->case_create->case_->id);
		ow__response__free_unpacked(r, NULL);
	}
	/* Cases of one applicant (refusals need no fields). */
	for (int i = 0; i < PAGING_CASES; i++) {
		Ow__CaseCreateReq b = OW__CASE_CREATE_REQ__INIT;
		Ow__Party app = OW__PARTY__INIT;

		app.kind = OW__APPLICANT_KIND__APPLICANT_PERSON;
		app.id_number = (char *)(uintptr_t)PAGING_PID;
		app.name = (char *)(uintptr_t) "王小二";
		b.matter = (char *)(uintptr_t) "XK00013001";
		b.applicant = &app;
		b.refuse_reason = (char *)(uintptr_t) "测试";
		req.body_case = OW__REQUEST__BODY_CASE_CREATE;
		req.case_create = &b;
		assert_rc(itest_call(clerk, &req, &r), 0);
		if (i == 0) {
			snprintf(paging_case[1], sizeof(paging_case[1]), "%s",
			    r->case_create->case_->id);
		}
		ow__response__free_unpacked(r, NULL);
	}
	for (int i = 0; i < PAGING_NOTES; i++) {
		Ow__CaseNoteReq b = OW__CASE_NOTE_REQ__INIT;

		b.id = paging_case[0];
		b.text = (char *)(uintptr_t) "备注";
		req.body_case = OW__REQUEST__BODY_CASE_NOTE;
		req.case_note = &b;
		assert_rc(itest_call(clerk, &req, NULL), 0);
	}
	for (int i = 0; i < PAGING_TICKETS; i++) {
		Ow__QueueIssueReq b = OW__QUEUE_ISSUE_REQ__INIT;

		b.category = (char *)(uintptr_t)(i % 3 == 1 ? "enterprise"
		                                            : "individual");
		b.priority = i == 4;
		req.body_case = OW__REQUEST__BODY_QUEUE_ISSUE;
		req.queue_issue = &b;
		assert_rc(itest_call(clerk, &req, NULL), 0);
	}
	return 0;
}

static int
node_down_paging(void **state)
{
	node_client_close(clerk);
	clerk = NULL;
	return node_down(state);
}

static void
test_page_clamp(void **state)
{
	(void)state;
	for (int kind = 0; kind < L_N; kind++) {
		const uint32_t limits[] = {0, PAGE_MAX + 1, 1000, UINT32_MAX};

		for (size_t j = 0; j < sizeof(limits) / sizeof(limits[0]);
		     j++) {
			Ow__Response *r = NULL;
			char key[64];

			assert_rc(list_page(kind, limits[j], NULL, &r), 0);
			if (list_entry(r, 0, key, sizeof(key)) != PAGE_MAX) {
				print_error("%s limit %u\n", list_names[kind],
				    limits[j]);
			}
			assert_int_equal(
			    list_entry(r, 0, key, sizeof(key)), PAGE_MAX);
			assert_true(node_list_next(r)[0] != '\0');
			ow__response__free_unpacked(r, NULL);
		}
	}
}

static void
test_pages_concatenate(void **state)
{
	/* What each list holds here (at least: the catalog is the bundled
	 * one, the history has the create and the notes). */
	const size_t expect[L_N] = {PAGING_CASES, 1 + PAGING_NOTES,
	    PAGING_CASES, 7, 19, PAGING_TICKETS};

	(void)state;
	for (int kind = 0; kind < L_N; kind++) {
		struct list_req l;
		Ow__Response *all = NULL;
		char cursor[2100] = "", key[64], want[64];
		size_t n, got = 0, pages = 0;

		list_req_init(&l, kind);
		assert_rc(
		    node_client_call_all(list_client(kind), &l.req, &all), 0);
		assert_rc(all->status, 0);
		assert_string_equal(node_list_next(all), "");
		n = list_entry(all, 0, key, sizeof(key));
		if (n != expect[kind]) {
			print_error("%s: %zu entries\n", list_names[kind], n);
		}
		assert_int_equal(n, expect[kind]);
		/* Every entry once: the keys are unique and in order. */
		for (size_t i = 1; i < n; i++) {
			list_entry(all, i - 1, want, sizeof(want));
			list_entry(all, i, key, sizeof(key));
			assert_string_not_equal(key, want);
		}
		/* Pages of 2 give the same entries in the same order. */
		do {
			Ow__Response *r = NULL;
			size_t m;

			assert_rc(list_page(kind, 2, cursor, &r), 0);
			m = list_entry(r, 0, key, sizeof(key));
			assert_true(m <= 2);
			for (size_t i = 0; i < m; i++) {
				list_entry(r, i, key, sizeof(key));
				list_entry(all, got + i, want, sizeof(want));
				assert_string_equal(key, want);
			}
			got += m;
			pages++;
			snprintf(
			    cursor, sizeof(cursor), "%s", node_list_next(r));
			ow__response__free_unpacked(r, NULL);
			assert_true(pages <= n);
		} while (cursor[0] != '\0');
		assert_int_equal(got, n);
		assert_int_equal(pages, (n + 1) / 2);
		ow__response__free_unpacked(all, NULL);
	}
}

static void
test_bad_cursors(void **state)
{
	char other[L_N][2100], hex[200], key[64];
	struct list_req l;
	Ow__Response *r = NULL;

	(void)state;
	/* A good cursor of every list. */
	for (int kind = 0; kind < L_N; kind++) {
		assert_rc(list_page(kind, 1, NULL, &r), 0);
		snprintf(
		    other[kind], sizeof(other[kind]), "%s", node_list_next(r));
		assert_true(other[kind][0] != '\0');
		ow__response__free_unpacked(r, NULL);
	}
	for (int kind = 0; kind < L_N; kind++) {
		assert_bad_cursor(kind, "zz");
		assert_bad_cursor(kind, "abc");  /* half a byte */
		assert_bad_cursor(kind, "00ff"); /* no key of the list */
		assert_bad_cursor(kind, "7a");
		for (int k2 = 0; k2 < L_N; k2++) {
			/* applicant_get and case_search by applicant page
			 * the same index: their cursors agree. */
			if (k2 != kind &&
			    !((kind == L_SEARCH || kind == L_APPLICANT) &&
			        (k2 == L_SEARCH || k2 == L_APPLICANT))) {
				assert_bad_cursor(kind, other[k2]);
			}
		}
	}
	/* A long cursor: more than a key can be. */
	{
		char *big = malloc(5000);

		assert_non_null(big);
		memset(big, 'a', 4999);
		big[4999] = '\0';
		assert_bad_cursor(L_USERS, big);
		free(big);
	}
	/* The history of another case, the cases of another applicant, a
	 * search by another value. */
	list_req_init(&l, L_HISTORY);
	l.history.id = paging_case[1];
	l.history.after = other[L_HISTORY];
	assert_rc(itest_call(clerk, &l.req, NULL), CM_EINVAL);
	list_req_init(&l, L_APPLICANT);
	l.applicant.id_number = (char *)(uintptr_t) "91430111MA4L41YT1U";
	l.applicant.after = other[L_APPLICANT];
	assert_rc(itest_call(clerk, &l.req, NULL), CM_EINVAL);
	list_req_init(&l, L_SEARCH);
	l.search.by = (char *)(uintptr_t) "name";
	l.search.value = (char *)(uintptr_t) "王小";
	l.search.after = other[L_SEARCH];
	assert_rc(itest_call(clerk, &l.req, NULL), CM_EINVAL);
	/* A search by id has one page: no cursor leads into it. */
	list_req_init(&l, L_SEARCH);
	l.search.by = (char *)(uintptr_t) "id";
	l.search.value = paging_case[0];
	l.search.after = other[L_SEARCH];
	assert_rc(itest_call(clerk, &l.req, NULL), CM_EINVAL);
	/* The queue: a ticket key of today is a cursor, of another day not
	 * (that queue is gone), nor one with a seq of no ticket shape. */
	{
		char k[40];

		snprintf(
		    k, sizeof(k), "t/%08d/%06u", (int)ow_day(ITEST_TODAY), 5u);
		hex_of(k, hex);
		assert_rc(list_page(L_QUEUE, 0, hex, &r), 0);
		assert_int_equal(
		    list_entry(r, 0, key, sizeof(key)), PAGING_TICKETS - 5);
		ow__response__free_unpacked(r, NULL);
		snprintf(k, sizeof(k), "t/%08d/%06u",
		    (int)ow_day(ITEST_TODAY) - 1, 5u);
		hex_of(k, hex);
		assert_bad_cursor(L_QUEUE, hex);
		snprintf(
		    k, sizeof(k), "t/%08d/%u", (int)ow_day(ITEST_TODAY), 5u);
		hex_of(k, hex);
		assert_bad_cursor(L_QUEUE, hex);
		snprintf(
		    k, sizeof(k), "t/%08d/%06u", (int)ow_day(ITEST_TODAY), 0u);
		hex_of(k, hex);
		assert_bad_cursor(L_QUEUE, hex);
	}
	/* The catalog: after a code that is no matter's, the next ones. */
	hex_of("c/XK", hex);
	assert_rc(list_page(L_CATALOG, 1, hex, &r), 0);
	list_entry(r, 0, key, sizeof(key));
	assert_true(strncmp(key, "XK", 2) == 0);
	ow__response__free_unpacked(r, NULL);
	/* A refused page ends node_client_call_all with that answer. */
	list_req_init(&l, L_USERS);
	l.users.after = (char *)(uintptr_t) "zz";
	assert_rc(node_client_call_all(admin, &l.req, &r), 0);
	assert_rc(r->status, CM_EINVAL);
	ow__response__free_unpacked(r, NULL);
	assert_string_equal(l.users.after, "zz");
	/* node_client_call_all takes lists only. */
	{
		Ow__Request req;
		Ow__StatusReq body;

		itest_status_request(&req, &body, "", "x");
		assert_rc(node_client_call_all(admin, &req, &r), CM_EINVAL);
		assert_null(r);
		assert_false(node_list_kind(OW__REQUEST__BODY_STATUS));
	}
	assert_serves();
}

int
main(int argc, char **argv)
{
	const char *group = argc > 2 ? argv[2] : "wire";
	const struct CMUnitTest wire[] = {
	    cmocka_unit_test(test_random_bytes),
	    cmocka_unit_test(test_truncated_request),
	    cmocka_unit_test(test_version_2),
	    cmocka_unit_test(test_empty_request),
	    cmocka_unit_test(test_unknown_body_field),
	    cmocka_unit_test(test_oversize_message),
	    cmocka_unit_test(test_client_1mib_request),
	    cmocka_unit_test(test_no_token),
	    cmocka_unit_test(test_wrong_token),
	    cmocka_unit_test(test_logged_out_token),
	    cmocka_unit_test(test_bad_login),
	    cmocka_unit_test(test_sessions_end_with_the_account),
	};
	const struct CMUnitTest shutdown[] = {
	    cmocka_unit_test_setup_teardown(
	        test_sigterm_during_login, node_up_one_pool_thread, node_gone),
	    cmocka_unit_test_setup_teardown(
	        test_sigterm_keeps_acked_writes, node_up, node_gone),
	};
	const struct CMUnitTest watchdog[] = {
	    cmocka_unit_test(test_handshake_flood),
	};
	const struct CMUnitTest expiry[] = {
	    cmocka_unit_test(test_session_expires),
	};
	const struct CMUnitTest paging[] = {
	    cmocka_unit_test(test_page_clamp),
	    cmocka_unit_test(test_pages_concatenate),
	    cmocka_unit_test(test_bad_cursors),
	};

	node_bin = itest_node_bin(argc, argv);
	if (strcmp(group, "client-1mib") == 0 && argc == 5) {
		return client_1mib(argv[3], argv[4]);
	}
	{
		ssize_t l =
		    readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

		self_exe[l > 0 ? l : 0] = '\0';
	}
	if (strcmp(group, "wire") == 0) {
		return cmocka_run_group_tests_name(
		    "node_wire", wire, node_up, node_down);
	}
	if (strcmp(group, "shutdown") == 0) {
		return cmocka_run_group_tests_name(
		    "node_shutdown", shutdown, NULL, NULL);
	}
	if (strcmp(group, "watchdog") == 0) {
		return cmocka_run_group_tests_name(
		    "node_watchdog", watchdog, node_up, node_down);
	}
	if (strcmp(group, "expiry") == 0) {
		return cmocka_run_group_tests_name("node_session_expiry",
		    expiry, node_up_short_sessions, node_down_plain);
	}
	if (strcmp(group, "paging") == 0) {
		return cmocka_run_group_tests_name(
		    "node_paging", paging, node_up_paging, node_down_paging);
	}
	fprintf(stderr, "usage: test_node_wire [OW-NODE [wire|shutdown|"
	                "watchdog|expiry|paging]]\n");
	return 2;
}
