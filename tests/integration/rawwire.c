/*
 * rawwire.c: talking to a node below the client library (see rawwire.h).
 */
#include "rawwire.h"

#include <nng/protocol/reqrep0/req.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

nng_socket
itest_raw_open(const struct itest_node *n, int timeout_ms)
{
	nng_socket s;
	int rv = nng_req0_open(&s);

	if (rv != 0) {
		fail_msg("nng_req0_open: %s", nng_strerror(rv));
	}
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, timeout_ms);
	nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, timeout_ms);
	nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 8u << 20);
	nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 50);
	nng_socket_set_ms(s, NNG_OPT_RECONNMAXT, 200);
	rv = nng_dial(s, n->url, NULL, 0);
	if (rv != 0) {
		nng_close(s);
		fail_msg("nng_dial %s: %s", n->url, nng_strerror(rv));
	}
	return s;
}

Ow__Response *
itest_raw_send_recv(nng_socket s, const void *buf, size_t len, int *rv)
{
	void *in = NULL;
	size_t inlen = 0;
	Ow__Response *resp;

	*rv = nng_send(s, (void *)(uintptr_t)buf, len, 0);
	if (*rv == 0) {
		*rv = nng_recv(s, &in, &inlen, NNG_FLAG_ALLOC);
	}
	if (*rv != 0) {
		return NULL;
	}
	resp = ow__response__unpack(NULL, inlen, in);
	nng_free(in, inlen);
	if (resp == NULL) {
		fail_msg(
		    "the node's answer is not a Response (%zu bytes)", inlen);
	}
	return resp;
}

Ow__Response *
itest_raw_call(const struct itest_node *n, const void *buf, size_t len)
{
	nng_socket s = itest_raw_open(n, 10000);
	int rv;
	Ow__Response *resp = itest_raw_send_recv(s, buf, len, &rv);

	nng_close(s);
	if (resp == NULL) {
		fail_msg("no answer from the node: %s", nng_strerror(rv));
	}
	return resp;
}

uint8_t *
itest_pack(const Ow__Request *req, size_t *len)
{
	uint8_t *buf;

	*len = ow__request__get_packed_size(req);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	ow__request__pack(req, buf);
	return buf;
}

static size_t
put_varint(uint8_t *out, uint64_t v)
{
	size_t off = 0;

	do {
		out[off++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	return off;
}

size_t
itest_put_field(uint8_t *out, unsigned field, size_t len)
{
	size_t off = put_varint(out, ((uint64_t)field << 3) | 2);

	return off + put_varint(out + off, len);
}

int
itest_unix_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0) {
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool
itest_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	long long until = itest_ms() + timeout_ms;
	size_t off = 0;

	while (off < len) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = until - itest_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			return false;
		}
		r = read(fd, (uint8_t *)buf + off, len - off);
		if (r <= 0) {
			return false;
		}
		off += (size_t)r;
	}
	return true;
}

int
itest_sp_connect(const struct itest_node *n)
{
	static const uint8_t req_hdr[8] = {0, 'S', 'P', 0, 0, 0x30, 0, 0};
	uint8_t peer[8];
	int fd = itest_unix_connect(n->sock);

	if (fd < 0) {
		fail_msg("cannot connect to %s", n->sock);
	}
	assert_int_equal(write(fd, req_hdr, 8), 8);
	assert_true(itest_read_full(fd, peer, 8, 5000));
	assert_int_equal(peer[1], 'S');
	assert_int_equal(peer[2], 'P');
	assert_int_equal(peer[5], 0x31);
	return fd;
}

bool
itest_sp_send(int fd, uint32_t reqid, const uint8_t *msg, size_t msglen)
{
	uint8_t head[13];
	uint64_t len = 4 + (uint64_t)msglen;
	size_t off = 0;

	head[0] = 1;
	for (int i = 0; i < 8; i++) {
		head[1 + i] = (uint8_t)(len >> (56 - 8 * i));
	}
	reqid |= 0x80000000u;
	for (int i = 0; i < 4; i++) {
		head[9 + i] = (uint8_t)(reqid >> (24 - 8 * i));
	}
	if (send(fd, head, sizeof(head), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(head)) {
		return false;
	}
	while (off < msglen) {
		ssize_t w = send(fd, msg + off, msglen - off, MSG_NOSIGNAL);

		if (w <= 0) {
			return false;
		}
		off += (size_t)w;
	}
	return true;
}

Ow__Response *
itest_sp_recv(int fd, int timeout_ms)
{
	uint8_t head[9], *body;
	uint64_t len = 0;
	Ow__Response *resp;

	if (!itest_read_full(fd, head, 9, timeout_ms)) {
		return NULL;
	}
	assert_int_equal(head[0], 1);
	for (int i = 0; i < 8; i++) {
		len = len << 8 | head[1 + i];
	}
	assert_true(len >= 4 && len < (8u << 20));
	body = malloc(len);
	assert_non_null(body);
	assert_true(itest_read_full(fd, body, len, timeout_ms));
	resp = ow__response__unpack(NULL, len - 4, body + 4);
	free(body);
	assert_non_null(resp);
	return resp;
}

void
itest_status_request(
    Ow__Request *req, Ow__StatusReq *body, const char *token, const char *id)
{
	ow__request__init(req);
	ow__status_req__init(body);
	req->version = 1;
	req->token = (char *)(uintptr_t)token;
	req->request_id = (char *)(uintptr_t)id;
	req->body_case = OW__REQUEST__BODY_STATUS;
	req->status = body;
}

uint8_t *
itest_padded_status(const char *token, size_t total, const char *id)
{
	Ow__Request req;
	Ow__StatusReq body;
	size_t len, hdr;
	uint8_t *head, *buf, tmp[20];

	itest_status_request(&req, &body, token, id);
	head = itest_pack(&req, &len);
	buf = calloc(1, total);
	assert_non_null(buf);
	memcpy(buf, head, len);
	free(head);
	/* The key and length take 3 to 5 bytes, depending on the length:
	 * work out the length with a guess, then with the real size. */
	hdr = itest_put_field(tmp, 99, total - len - 4);
	hdr = itest_put_field(buf + len, 99, total - len - hdr);
	memset(buf + len + hdr, 'x', total - len - hdr);
	return buf;
}
