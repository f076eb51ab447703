/*
 * rawwire.h: talking to a node below the client library, for the tests
 * that send what a correct client never would: a plain nng REQ socket
 * (any bytes as the message), and the ipc transport spoken by hand on an
 * AF_UNIX socket (any SP header, any frame length).
 *
 * The ipc transport, as nng 1.5 speaks it: each side first sends an
 * 8-byte header (0, 'S', 'P', 0, the 16-bit protocol number big-endian,
 * 2 reserved bytes; REQ v0 is 0x30, REP v0 0x31); then every message is a
 * frame of a type byte 1, a 64-bit big-endian length and the message,
 * which for REQ begins with a 32-bit request id with its top bit set.
 */
#ifndef OW_ITEST_RAWWIRE_H
#define OW_ITEST_RAWWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "nodeproc.h"

/* A REQ socket dialled to the node, with timeout_ms for sends and
 * receives and quick reconnects. Fails the test when it cannot dial. */
nng_socket itest_raw_open(const struct itest_node *n, int timeout_ms);

/* Send len bytes and decode the answer. NULL (and *rv set to the nng
 * error) when no answer came; fails the test when an answer is not a
 * Response. Free the answer with ow__response__free_unpacked. */
Ow__Response *itest_raw_send_recv(
    nng_socket s, const void *buf, size_t len, int *rv);

/* One message of raw bytes on a fresh connection; the answer must come
 * (within 10 s). */
Ow__Response *itest_raw_call(
    const struct itest_node *n, const void *buf, size_t len);

/* req packed as it is (the caller sets version, token, request id).
 * Caller frees with free(). */
uint8_t *itest_pack(const Ow__Request *req, size_t *len);

/* A status request with version 1, token and id (borrowed, as is body,
 * which req points to). */
void itest_status_request(
    Ow__Request *req, Ow__StatusReq *body, const char *token, const char *id);

/* A status request with token and id, padded with the unknown field 99
 * to exactly total bytes as packed. Caller frees with free(). */
uint8_t *itest_padded_status(const char *token, size_t total, const char *id);

/* The key and length of a length-delimited protobuf field, written to out
 * (at most 20 bytes); returns how many bytes. */
size_t itest_put_field(uint8_t *out, unsigned field, size_t len);

/* A connected AF_UNIX stream socket, or -1. */
int itest_unix_connect(const char *path);

/* Read exactly len bytes within timeout_ms; false on EOF, error or
 * timeout. */
bool itest_read_full(int fd, void *buf, size_t len, int timeout_ms);

/* An ipc connection to the node with the SP handshake done as a REQ peer;
 * fails the test unless the node answers as REP. Close with close(). */
int itest_sp_connect(const struct itest_node *n);

/* Send a frame: the request id, then msglen bytes of message. False when
 * the node closed the connection meanwhile. */
bool itest_sp_send(int fd, uint32_t reqid, const uint8_t *msg, size_t msglen);

/* The answer to a frame sent with itest_sp_send, or NULL when the node
 * closed the connection or said nothing for timeout_ms. */
Ow__Response *itest_sp_recv(int fd, int timeout_ms);

#endif
