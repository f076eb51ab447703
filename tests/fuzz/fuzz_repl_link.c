/*
 * fuzz_repl_link.c: fuzz target for the binding's envelope, ReplLink
 * (replication/include/repl/link.h), which every replication socket of a
 * node decodes before anything else: from peers that have not proved who
 * they are yet.
 *
 * Each input is decoded; the result must be 0, CM_EPROTO or CM_ENOMEM. A
 * decoded link must hold what the decoder promises (nonce and signature
 * lengths, valid ids, 0 or 256 buckets of 32 bytes, asked buckets below
 * 256, cases with 64 hex digits), must survive encode-decode, and its
 * proof, if any, is checked against a fixed key and nonce: it must fail
 * unless the signature is that key's over those bytes.
 *
 * Built with -DFUZZ_LINK_MAKE_CORPUS and a main, this file writes the
 * seed corpus (corpus/repl_link/): see the end of the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "repl/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Public on purpose: this key protects nothing. */
static const unsigned char seed[crypto_sign_SEEDBYTES] =
    "onewindow fuzz_repl_link hall-x";
static const unsigned char nonce[REPL_NONCE_BYTES] =
    "fuzz_repl_link fixed nonce 0123";

static void
check_link(const Ow__ReplLink *l, const unsigned char pk[NODE_PK_BYTES],
    const unsigned char sk[NODE_SK_BYTES])
{
	if (l->challenge != NULL &&
	    (l->challenge->nonce.len != REPL_NONCE_BYTES ||
	        !node_id_valid(l->challenge->node))) {
		abort();
	}
	if (l->digest != NULL) {
		if (l->digest->n_buckets != 0 &&
		    l->digest->n_buckets != REPL_BUCKETS) {
			abort();
		}
		for (size_t i = 0; i < l->digest->n_ask; i++) {
			if (l->digest->ask[i] >= REPL_BUCKETS) {
				abort();
			}
		}
		for (size_t i = 0; i < l->digest->n_cases; i++) {
			if (strlen(l->digest->cases[i]->value) != 64) {
				abort();
			}
		}
	}
	if (l->proof != NULL) {
		uint8_t ab[REPL_AUTH_MAX];
		unsigned char sig[NODE_SIG_BYTES];
		size_t al;
		bool ok;

		if (!node_id_valid(l->proof->node) ||
		    l->proof->nonce.len != REPL_NONCE_BYTES ||
		    l->proof->signature.len != NODE_SIG_BYTES) {
			abort();
		}
		ok = repl_proof_verify(l->proof, "hall-b", nonce, pk);
		al = repl_auth_bytes("hall-b", l->proof->node, nonce, ab);
		if (al == 0) {
			abort();
		}
		crypto_sign_detached(sig, NULL, ab, al, sk);
		/* Ed25519 signatures are deterministic: a proof verifies
		 * exactly when it is this key's signature over the nonce. */
		if (ok !=
		    (memcmp(sig, l->proof->signature.data, sizeof(sig)) == 0 &&
		        memcmp(l->proof->nonce.data, nonce, REPL_NONCE_BYTES) ==
		            0)) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char pk[NODE_PK_BYTES], sk[NODE_SK_BYTES];
	static bool ready;
	Ow__ReplLink *l = NULL, *again = NULL;
	uint8_t *buf;
	size_t len;
	int rc;

	if (!ready) {
		if (sodium_init() < 0) {
			abort();
		}
		crypto_sign_seed_keypair(pk, sk, seed);
		ready = true;
	}
	rc = repl_link_decode(data, size, &l);
	if (rc != 0) {
		if ((rc != CM_EPROTO && rc != CM_ENOMEM) || l != NULL) {
			abort();
		}
		return 0;
	}
	check_link(l, pk, sk);
	len = ow__repl_link__get_packed_size(l);
	buf = cm_malloc(len + 1);
	if (buf != NULL) {
		ow__repl_link__pack(l, buf);
		rc = repl_link_decode(buf, len, &again);
		if (rc != 0 && rc != CM_ENOMEM) {
			abort();
		}
		repl_link_free(again);
		cm_free(buf);
	}
	repl_link_free(l);
	return 0;
}

#ifdef FUZZ_LINK_MAKE_CORPUS
/* cc -DFUZZ_LINK_MAKE_CORPUS ...: writes seeds into argv[1]. */
static void
put(const char *dir, const char *name, const Ow__ReplLink *l)
{
	char path[1024];
	size_t len = ow__repl_link__get_packed_size(l);
	uint8_t *buf = malloc(len + 1);
	FILE *f;

	ow__repl_link__pack(l, buf);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	free(buf);
}

int
main(int argc, char **argv)
{
	unsigned char pk[NODE_PK_BYTES], sk[NODE_SK_BYTES];
	unsigned char sig[NODE_SIG_BYTES], dg[32] = {1};
	uint8_t ab[REPL_AUTH_MAX], msg[] = {0x08, 0x01, 0x12, 0x01, 'a'};
	Ow__ReplLink l = OW__REPL_LINK__INIT;
	Ow__ReplChallenge ch = OW__REPL_CHALLENGE__INIT;
	Ow__ReplProof pr = OW__REPL_PROOF__INIT;
	Ow__ReplDigest d = OW__REPL_DIGEST__INIT;
	ProtobufCBinaryData buckets[REPL_BUCKETS];
	Ow__KeyValue kv = OW__KEY_VALUE__INIT, *kvp = &kv;
	uint32_t ask[2] = {3, 255};
	size_t al;

	if (argc < 2 || sodium_init() < 0) {
		return 2;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	ch.nonce.data = (uint8_t *)(uintptr_t)nonce;
	ch.nonce.len = REPL_NONCE_BYTES;
	ch.node = "hall-b";
	ch.hints = "tls+tcp://127.0.0.1:7401";
	l.challenge = &ch;
	put(argv[1], "challenge", &l);
	l.challenge = NULL;
	al = repl_auth_bytes("hall-b", "hall-x", nonce, ab);
	crypto_sign_detached(sig, NULL, ab, al, sk);
	pr.node = "hall-x";
	pr.nonce.data = (uint8_t *)(uintptr_t)nonce;
	pr.nonce.len = REPL_NONCE_BYTES;
	pr.signature.data = sig;
	pr.signature.len = sizeof(sig);
	l.proof = &pr;
	l.msg.data = msg;
	l.msg.len = sizeof(msg);
	put(argv[1], "proof_and_msg", &l);
	l.proof = NULL;
	l.msg.len = 0;
	for (int i = 0; i < REPL_BUCKETS; i++) {
		buckets[i].data = dg;
		buckets[i].len = sizeof(dg);
	}
	d.buckets = buckets;
	d.n_buckets = REPL_BUCKETS;
	d.total.data = dg;
	d.total.len = sizeof(dg);
	d.ask = ask;
	d.n_ask = 2;
	kv.key = "HA-20261127-0001";
	kv.value =
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	d.cases = &kvp;
	d.n_cases = 1;
	l.digest = &d;
	put(argv[1], "digest", &l);
	l.digest = NULL;
	l.status = -5;
	put(argv[1], "status", &l);
	return 0;
}
#endif
