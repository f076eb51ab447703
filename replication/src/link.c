/*
 * link.c: the binding's envelope, ReplLink (see repl/link.h).
 */
#include "repl/link.h"
#include "common/alloc.h"
#include "common/error.h"
#include "repl/msg.h"

#include <sodium.h>
#include <string.h>

static bool
hex64(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (!((s[n] >= '0' && s[n] <= '9') ||
		        (s[n] >= 'a' && s[n] <= 'f'))) {
			return false;
		}
	}
	return n == 2 * REPL_DIGEST_BYTES;
}

static bool
digest_ok(const Ow__ReplDigest *d)
{
	if (d->n_buckets != 0 && d->n_buckets != REPL_BUCKETS) {
		return false;
	}
	for (size_t i = 0; i < d->n_buckets; i++) {
		if (d->buckets[i].len != REPL_DIGEST_BYTES) {
			return false;
		}
	}
	if (d->total.len != 0 && d->total.len != REPL_DIGEST_BYTES) {
		return false;
	}
	if (d->n_ask > REPL_BUCKETS) {
		return false;
	}
	for (size_t i = 0; i < d->n_ask; i++) {
		if (d->ask[i] >= REPL_BUCKETS) {
			return false;
		}
	}
	for (size_t i = 0; i < d->n_cases; i++) {
		const Ow__KeyValue *kv = d->cases[i];

		if (kv->key[0] == '\0' || strlen(kv->key) > 64 ||
		    !hex64(kv->value)) {
			return false;
		}
	}
	return true;
}

static bool
link_ok(const Ow__ReplLink *l)
{
	if (l->challenge != NULL &&
	    (l->challenge->nonce.len != REPL_NONCE_BYTES ||
	        !node_id_valid(l->challenge->node) ||
	        strlen(l->challenge->hints) > 500)) {
		return false;
	}
	if (l->proof != NULL &&
	    (!node_id_valid(l->proof->node) ||
	        l->proof->nonce.len != REPL_NONCE_BYTES ||
	        l->proof->signature.len != NODE_SIG_BYTES)) {
		return false;
	}
	if (l->digest != NULL && !digest_ok(l->digest)) {
		return false;
	}
	return true;
}

int
repl_link_decode(const uint8_t *buf, size_t len, Ow__ReplLink **out)
{
	struct node_pb_alloc a;
	Ow__ReplLink *l;

	*out = NULL;
	if (buf == NULL || len > REPL_MSG_MAX) {
		return CM_EPROTO;
	}
	node_pb_alloc_init(&a);
	l = ow__repl_link__unpack(&a.al, len, buf);
	if (l == NULL) {
		return a.failed ? CM_ENOMEM : CM_EPROTO;
	}
	if (node_pb_has_field0(&l->base) || !link_ok(l)) {
		repl_link_free(l);
		return CM_EPROTO;
	}
	*out = l;
	return 0;
}

void
repl_link_free(Ow__ReplLink *l)
{
	struct node_pb_alloc a;

	if (l != NULL) {
		node_pb_alloc_init(&a);
		ow__repl_link__free_unpacked(l, &a.al);
	}
}

size_t
repl_auth_bytes(const char *responder, const char *requester,
    const unsigned char nonce[REPL_NONCE_BYTES], uint8_t *out)
{
	size_t off = 0, l;

	if (!node_id_valid(responder) || !node_id_valid(requester)) {
		return 0;
	}
	l = sizeof(REPL_AUTH_CONTEXT); /* with its NUL */
	memcpy(out + off, REPL_AUTH_CONTEXT, l);
	off += l;
	l = strlen(responder) + 1;
	memcpy(out + off, responder, l);
	off += l;
	l = strlen(requester) + 1;
	memcpy(out + off, requester, l);
	off += l;
	memcpy(out + off, nonce, REPL_NONCE_BYTES);
	return off + REPL_NONCE_BYTES;
}

bool
repl_proof_verify(const Ow__ReplProof *p, const char *responder,
    const unsigned char nonce[REPL_NONCE_BYTES],
    const unsigned char pk[NODE_PK_BYTES])
{
	uint8_t ab[REPL_AUTH_MAX];
	size_t al;

	if (p->signature.len != NODE_SIG_BYTES ||
	    p->nonce.len != REPL_NONCE_BYTES ||
	    sodium_memcmp(p->nonce.data, nonce, REPL_NONCE_BYTES) != 0) {
		return false;
	}
	al = repl_auth_bytes(responder, p->node, nonce, ab);
	return al != 0 &&
	       crypto_sign_verify_detached(p->signature.data, ab, al, pk) == 0;
}
