/*
 * test_auth.c: user names, the password policy, argon2id hashes, lockout
 * and sessions (node/auth.h).
 *
 * A hash at the interactive limits costs about 0.1 s and 64 MiB, so only
 * one test makes one (and checks it once); the others verify against a
 * real argon2id hash made at libsodium's minimum limits, which
 * crypto_pwhash_str_verify reads from the string.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node/auth.h"

#define T0   1767225600 /* 2026-01-01 00:00:00 UTC */
#define IDLE 900

/* ------------------------------------------------------------ names */

static void
test_user_names(void **state)
{
	const char *good[] = {"alice", "a", "0day", "li.wei_2-x", "zhang3",
	    "abcdefghijklmnopqrstuvwxyz01234"};
	const char *bad[] = {"", "Alice", ".alice", "-a", "_a", "a b", "a@b",
	    "张三", "abcdefghijklmnopqrstuvwxyz012345", "a\n", "a/b"};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!node_user_name_valid(good[i])) {
			fail_msg("'%s' should be valid", good[i]);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (node_user_name_valid(bad[i])) {
			fail_msg("'%s' should be invalid", bad[i]);
		}
	}
	assert_false(node_user_name_valid(NULL));
}

/* ------------------------------------------------------------ passwords */

static void
test_password_policy(void **state)
{
	char buf[256];

	(void)state;
	assert_rc(node_password_policy("alice", "correct horse"), 0);
	assert_rc(node_password_policy("alice", "abcd1234"), 0); /* 8 */
	assert_rc(node_password_policy("alice", "abc1234"), CM_EINVAL);
	assert_rc(node_password_policy("alice", ""), CM_EINVAL);

	/* At most NODE_PW_MAX bytes. */
	memset(buf, 'x', NODE_PW_MAX);
	buf[0] = 'y';
	buf[NODE_PW_MAX] = '\0';
	assert_rc(node_password_policy("alice", buf), 0);
	buf[NODE_PW_MAX] = 'x';
	buf[NODE_PW_MAX + 1] = '\0';
	assert_rc(node_password_policy("alice", buf), CM_EINVAL);

	/* Only one character, however often. */
	assert_rc(node_password_policy("alice", "aaaaaaaaaaaa"), CM_EINVAL);
	assert_rc(node_password_policy("alice", "        "), CM_EINVAL);
	assert_rc(node_password_policy("alice", "张张张张张张张张"), CM_EINVAL);
	assert_rc(node_password_policy("alice", "aaaaaaaaaaab"), 0);
	assert_rc(node_password_policy("alice", "baaaaaaaaaaa"), 0);

	/* Not the user name, in any ASCII case. */
	assert_rc(node_password_policy("alice2026", "alice2026"), CM_EINVAL);
	assert_rc(node_password_policy("alice2026", "Alice2026"), CM_EINVAL);
	assert_rc(node_password_policy("alice2026", "ALICE2026"), CM_EINVAL);
	assert_rc(node_password_policy("alice2026", "alice2026!"), 0);

	/* Chinese counts in characters: 8 characters (24 bytes) will do,
	 * 7 (21 bytes) will not; 43 (129 bytes) are too many bytes. */
	assert_rc(node_password_policy("alice", "办事大厅窗口受理"), 0);
	assert_rc(node_password_policy("alice", "办事大厅窗口受"), CM_EINVAL);
	assert_rc(node_password_policy("alice", "一网通办ab12"), 0);
	buf[0] = '\0';
	for (int i = 0; i < 43; i++) {
		strcat(buf, "办");
	}
	memcpy(buf + 3, "理", 3); /* not one character repeated */
	assert_int_equal(strlen(buf), 129);
	assert_rc(node_password_policy("alice", buf), CM_EINVAL);
	buf[126] = '\0'; /* 42 characters, 126 bytes */
	assert_rc(node_password_policy("alice", buf), 0);

	/* Not UTF-8. */
	assert_rc(node_password_policy("alice", "abcdefg\xff"), CM_EINVAL);
	assert_rc(node_password_policy("alice", "abcdefg\xe5\x8a"), CM_EINVAL);
	assert_rc(node_password_policy("alice", "abc\xc0\xaf"
	                                        "defgh"),
	    CM_EINVAL);

	assert_rc(node_password_policy("alice", NULL), CM_EINVAL);
	assert_rc(node_password_policy(NULL, "correct horse"), CM_EINVAL);
}

/* The one real interactive hash: argon2id, and it verifies. */
static void
test_hash_and_verify(void **state)
{
	char hash[crypto_pwhash_STRBYTES];

	(void)state;
	assert_rc(
	    node_password_hash("办事大厅 correct horse", hash, sizeof(hash)),
	    0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_non_null(strstr(hash, "m=65536,t=2,p=1$"));
	assert_rc(node_password_verify(hash, "办事大厅 correct horse"), 0);
}

static void
test_hash_bad_args(void **state)
{
	char hash[crypto_pwhash_STRBYTES];
	char small[64];

	(void)state;
	/* All refused before any hashing. */
	assert_rc(node_password_hash("short", hash, sizeof(hash)), CM_EINVAL);
	assert_rc(
	    node_password_hash("zzzzzzzzzz", hash, sizeof(hash)), CM_EINVAL);
	assert_rc(node_password_hash(NULL, hash, sizeof(hash)), CM_EINVAL);
	assert_rc(
	    node_password_hash("correct horse", NULL, sizeof(hash)), CM_EINVAL);
	assert_rc(node_password_hash("correct horse", small, sizeof(small)),
	    CM_EINVAL);
}

/* A real argon2id hash at libsodium's minimum limits: fast to check. */
static void
cheap_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
	assert_int_equal(sodium_init() >= 0, 1);
	assert_int_equal(crypto_pwhash_str_alg(out, password, strlen(password),
	                     crypto_pwhash_argon2id_OPSLIMIT_MIN,
	                     crypto_pwhash_argon2id_MEMLIMIT_MIN,
	                     crypto_pwhash_ALG_ARGON2ID13),
	    0);
}

static void
test_verify(void **state)
{
	char hash[crypto_pwhash_STRBYTES], bad[crypto_pwhash_STRBYTES + 8];
	char longpw[NODE_PW_MAX + 2];

	(void)state;
	cheap_hash("correct horse", hash);
	assert_rc(node_password_verify(hash, "correct horse"), 0);
	assert_rc(node_password_verify(hash, "correct horsf"), CM_EAUTH);
	assert_rc(node_password_verify(hash, "Correct horse"), CM_EAUTH);
	assert_rc(node_password_verify(hash, ""), CM_EAUTH);
	assert_rc(node_password_verify(hash, NULL), CM_EAUTH);

	/* Malformed hashes. */
	assert_rc(node_password_verify("", "correct horse"), CM_EAUTH);
	assert_rc(node_password_verify("$argon2id$garbage", "correct horse"),
	    CM_EAUTH);
	assert_rc(
	    node_password_verify("correct horse", "correct horse"), CM_EAUTH);
	assert_rc(node_password_verify(NULL, "correct horse"), CM_EAUTH);
	snprintf(bad, sizeof(bad), "%s", hash);
	bad[strlen(bad) - 2] ^= 1; /* the digest */
	assert_rc(node_password_verify(bad, "correct horse"), CM_EAUTH);
	snprintf(bad, sizeof(bad), "%s", hash);
	memcpy(bad, "$argon2x$", 9); /* the algorithm */
	assert_rc(node_password_verify(bad, "correct horse"), CM_EAUTH);
	/* Not terminated within crypto_pwhash_STRBYTES. */
	memset(bad, 'a', sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = '\0';
	assert_rc(node_password_verify(bad, "correct horse"), CM_EAUTH);

	/* Longer than any stored password can be. */
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	cheap_hash(longpw, hash);
	assert_rc(node_password_verify(hash, longpw), CM_EAUTH);
}

/* ------------------------------------------------------------ lockout */

static void
test_lockout_sequence(void **state)
{
	struct node_lockout l = {0, 0};

	(void)state;
	for (int i = 1; i <= 4; i++) {
		assert_rc(node_lockout_check(&l, T0 + i), 0);
		node_lockout_failure(&l, T0 + i);
		assert_int_equal(l.failures, i);
		assert_int_equal(l.locked_until, 0);
	}
	assert_rc(node_lockout_check(&l, T0 + 5), 0);
	node_lockout_failure(&l, T0 + 5);
	assert_int_equal(l.failures, 0);
	assert_int_equal(l.locked_until, T0 + 5 + NODE_LOCK_SECONDS);
	assert_rc(node_lockout_check(&l, T0 + 6), CM_ELOCKED);
	assert_rc(
	    node_lockout_check(&l, T0 + 4 + NODE_LOCK_SECONDS), CM_ELOCKED);

	/* A failure while locked neither counts nor prolongs the lock. */
	node_lockout_failure(&l, T0 + 100);
	assert_int_equal(l.failures, 0);
	assert_int_equal(l.locked_until, T0 + 5 + NODE_LOCK_SECONDS);

	/* Fifteen minutes later the account may try again. */
	assert_rc(node_lockout_check(&l, T0 + 5 + NODE_LOCK_SECONDS), 0);
	node_lockout_failure(&l, T0 + 5 + NODE_LOCK_SECONDS);
	assert_int_equal(l.failures, 1);
	assert_rc(node_lockout_check(&l, T0 + 6 + NODE_LOCK_SECONDS), 0);

	/* A success resets; it takes five new failures to lock again. */
	node_lockout_success(&l);
	assert_int_equal(l.failures, 0);
	assert_int_equal(l.locked_until, 0);
	for (int i = 0; i < 3; i++) {
		node_lockout_failure(&l, T0 + 2000);
	}
	node_lockout_success(&l);
	for (int i = 0; i < 4; i++) {
		node_lockout_failure(&l, T0 + 3000);
	}
	assert_rc(node_lockout_check(&l, T0 + 3000), 0);
	node_lockout_failure(&l, T0 + 3001);
	assert_rc(node_lockout_check(&l, T0 + 3001), CM_ELOCKED);
}

static void
test_lockout_encoding(void **state)
{
	const struct node_lockout cases[] = {
	    {0, 0},
	    {4, T0 + 900},
	    {UINT32_MAX, -1},
	    {1, INT64_MIN},
	    {7, INT64_MAX},
	};
	const struct node_lockout fixed = {0x01020304u, 0x05060708090a0b0cLL};
	const uint8_t want[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint8_t buf[16];
	struct node_lockout l;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&l, 0xa5, sizeof(l));
		node_lockout_encode(&cases[i], buf);
		assert_rc(node_lockout_decode(buf, 12, &l), 0);
		assert_int_equal(l.failures, cases[i].failures);
		assert_true(l.locked_until == cases[i].locked_until);
	}
	/* Big-endian failures, then big-endian locked_until. */
	node_lockout_encode(&fixed, buf);
	assert_memory_equal(buf, want, 12);

	l.failures = 9;
	l.locked_until = 9;
	assert_rc(node_lockout_decode(buf, 0, &l), CM_EPROTO);
	assert_rc(node_lockout_decode(buf, 11, &l), CM_EPROTO);
	assert_rc(node_lockout_decode(buf, 13, &l), CM_EPROTO);
	assert_rc(node_lockout_decode(NULL, 12, &l), CM_EPROTO);
	assert_int_equal(l.failures, 9);
	assert_int_equal(l.locked_until, 9);
}

/* ------------------------------------------------------------ sessions */

static bool
is_token(const char *s)
{
	if (strlen(s) != 64) {
		return false;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			return false;
		}
	}
	return true;
}

static void
test_session_open_touch(void **state)
{
	struct node_sessions ss;
	struct node_session *s = NULL, *s2 = NULL;
	char token[NODE_TOKEN_HEX], other[NODE_TOKEN_HEX];

	(void)state;
	node_sessions_init(&ss, IDLE);
	assert_rc(node_session_open(
	              &ss, "alice", NODE_ROLE_CLERK, "FT01", "3", T0, &s),
	    0);
	assert_true(is_token(s->token));
	assert_string_equal(s->user, "alice");
	assert_int_equal(s->role, NODE_ROLE_CLERK);
	assert_string_equal(s->hall, "FT01");
	assert_string_equal(s->window, "3");
	assert_int_equal(s->last_used, T0);
	snprintf(token, sizeof(token), "%s", s->token);

	/* Touch within the idle time: last_used moves on. */
	assert_rc(node_session_touch(&ss, token, T0 + 100, &s2), 0);
	assert_string_equal(s2->user, "alice");
	assert_int_equal(s2->last_used, T0 + 100);
	/* Exactly the idle time is still alive. */
	assert_rc(node_session_touch(&ss, token, T0 + 100 + IDLE, &s2), 0);
	assert_int_equal(s2->last_used, T0 + 100 + IDLE);
	/* A clock that went back does not age the session. */
	assert_rc(node_session_touch(&ss, token, T0, NULL), 0);
	assert_int_equal(ss.s[0].last_used, T0 + 100 + IDLE);

	/* Unknown, damaged or ill-shaped tokens. */
	snprintf(other, sizeof(other), "%s", token);
	other[63] = other[63] == '0' ? '1' : '0';
	assert_rc(node_session_touch(&ss, other, T0 + 1000, &s2), CM_EAUTH);
	for (int i = 0; i < 64; i++) {
		if (other[i] >= 'a' && other[i] <= 'f') {
			other[i] = (char)(other[i] - 'a' + 'A');
		}
	}
	assert_rc(node_session_touch(&ss, other, T0 + 1000, &s2), CM_EAUTH);
	other[0] = '\0';
	assert_rc(node_session_touch(&ss, other, T0 + 1000, &s2), CM_EAUTH);
	snprintf(other, sizeof(other), "%.63s", token);
	assert_rc(node_session_touch(&ss, other, T0 + 1000, &s2), CM_EAUTH);
	{
		char longer[80];

		snprintf(longer, sizeof(longer), "%s0", token);
		assert_rc(
		    node_session_touch(&ss, longer, T0 + 1000, &s2), CM_EAUTH);
	}
	assert_rc(node_session_touch(&ss, NULL, T0 + 1000, &s2), CM_EAUTH);
	assert_int_equal(ss.n, 1);

	/* Idle too long: expired, and closed. */
	assert_rc(node_session_touch(&ss, token, T0 + 101 + 2 * IDLE, &s2),
	    CM_EEXPIRED);
	assert_int_equal(ss.n, 0);
	assert_rc(
	    node_session_touch(&ss, token, T0 + 101 + 2 * IDLE, &s2), CM_EAUTH);

	/* No window (a supervisor in the back office). */
	assert_rc(node_session_open(
	              &ss, "bob", NODE_ROLE_SUPERVISOR, "FT01", NULL, T0, &s),
	    0);
	assert_string_equal(s->window, "");
	node_sessions_free(&ss);
	assert_int_equal(ss.n, 0);
	assert_null(ss.s);
}

static void
test_session_bad_args(void **state)
{
	struct node_sessions ss;
	struct node_session *s = NULL;

	(void)state;
	node_sessions_init(&ss, IDLE);
	assert_rc(node_session_open(
	              &ss, "Alice", NODE_ROLE_CLERK, "FT01", "3", T0, &s),
	    CM_EINVAL);
	assert_rc(
	    node_session_open(&ss, NULL, NODE_ROLE_CLERK, "FT01", "3", T0, &s),
	    CM_EINVAL);
	assert_rc(node_session_open(
	              &ss, "alice", (enum node_role)0, "FT01", "3", T0, &s),
	    CM_EINVAL);
	assert_rc(node_session_open(&ss, "alice",
	              (enum node_role)(NODE_ROLE_CLERK | NODE_ROLE_OPS), "FT01",
	              "3", T0, &s),
	    CM_EINVAL);
	assert_rc(
	    node_session_open(&ss, "alice", NODE_ROLE_CLERK, "", "3", T0, &s),
	    CM_EINVAL);
	assert_rc(
	    node_session_open(&ss, "alice", NODE_ROLE_CLERK, NULL, "3", T0, &s),
	    CM_EINVAL);
	assert_rc(node_session_open(&ss, "alice", NODE_ROLE_CLERK,
	              "0123456789abcdef", "3", T0, &s),
	    CM_EINVAL);
	assert_rc(node_session_open(&ss, "alice", NODE_ROLE_CLERK, "FT01",
	              "0123456789abcdef", T0, &s),
	    CM_EINVAL);
	assert_rc(node_session_open(
	              NULL, "alice", NODE_ROLE_CLERK, "FT01", "3", T0, &s),
	    CM_EINVAL);
	assert_int_equal(ss.n, 0);
	/* The longest hall and window fit; every role is accepted. */
	assert_rc(node_session_open(&ss, "alice", NODE_ROLE_AUDITOR,
	              "0123456789abcde", "0123456789abcde", T0, &s),
	    0);
	assert_rc(
	    node_session_open(&ss, "alice", NODE_ROLE_OPS, "FT01", "", T0, &s),
	    0);
	node_sessions_free(&ss);
}

static void
test_session_close(void **state)
{
	struct node_sessions ss;
	struct node_session *s = NULL;
	char a1[NODE_TOKEN_HEX], a2[NODE_TOKEN_HEX], b[NODE_TOKEN_HEX];

	(void)state;
	node_sessions_init(&ss, IDLE);
	assert_rc(node_session_open(
	              &ss, "alice", NODE_ROLE_CLERK, "FT01", "3", T0, &s),
	    0);
	snprintf(a1, sizeof(a1), "%s", s->token);
	assert_rc(
	    node_session_open(&ss, "bob", NODE_ROLE_CLERK, "FT01", "4", T0, &s),
	    0);
	snprintf(b, sizeof(b), "%s", s->token);
	assert_rc(node_session_open(
	              &ss, "alice", NODE_ROLE_CLERK, "FT01", "5", T0, &s),
	    0);
	snprintf(a2, sizeof(a2), "%s", s->token);
	assert_int_equal(ss.n, 3);

	node_session_close(&ss, a1);
	assert_int_equal(ss.n, 2);
	assert_rc(node_session_touch(&ss, a1, T0 + 1, &s), CM_EAUTH);
	assert_rc(node_session_touch(&ss, a2, T0 + 1, &s), 0);
	assert_string_equal(s->window, "5");
	assert_rc(node_session_touch(&ss, b, T0 + 1, &s), 0);
	assert_string_equal(s->user, "bob");

	/* Unknown tokens and users close nothing. */
	node_session_close(&ss, a1);
	node_session_close(&ss, "nonsense");
	node_session_close(&ss, NULL);
	node_sessions_close_user(&ss, "carol");
	node_sessions_close_user(&ss, NULL);
	assert_int_equal(ss.n, 2);

	/* Every session of alice; bob stays. */
	assert_rc(node_session_open(
	              &ss, "alice", NODE_ROLE_CLERK, "FT01", "6", T0, &s),
	    0);
	node_sessions_close_user(&ss, "alice");
	assert_int_equal(ss.n, 1);
	assert_rc(node_session_touch(&ss, a2, T0 + 2, &s), CM_EAUTH);
	assert_rc(node_session_touch(&ss, b, T0 + 2, &s), 0);
	node_sessions_free(&ss);
}

static void
test_session_expire(void **state)
{
	struct node_sessions ss;
	struct node_session *s = NULL;
	char keep[NODE_TOKEN_HEX];

	(void)state;
	node_sessions_init(&ss, IDLE);
	/* Sessions opened at T0, T0+100, ..., T0+900. */
	for (int i = 0; i < 10; i++) {
		assert_rc(node_session_open(&ss, "alice", NODE_ROLE_CLERK,
		              "FT01", "3", T0 + 100 * i, &s),
		    0);
	}
	snprintf(keep, sizeof(keep), "%s", s->token);
	assert_int_equal(node_sessions_expire(&ss, T0 + IDLE), 0);
	/* At T0+1250, those last used before T0+350 are idle too long. */
	assert_int_equal(node_sessions_expire(&ss, T0 + 1250), 4);
	assert_int_equal(ss.n, 6);
	for (size_t i = 0; i < ss.n; i++) {
		assert_true(ss.s[i].last_used >= T0 + 400);
	}
	assert_int_equal(node_sessions_expire(&ss, T0 + 1250), 0);
	assert_rc(node_session_touch(&ss, keep, T0 + 1250, &s), 0);
	assert_int_equal(node_sessions_expire(&ss, T0 + 2150), 5);
	assert_int_equal(ss.n, 1);
	assert_string_equal(ss.s[0].token, keep);
	node_sessions_free(&ss);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
test_tokens_unique(void **state)
{
	enum { N = 2000 };
	struct node_sessions ss;
	struct node_session *s = NULL;
	char(*tokens)[NODE_TOKEN_HEX] = malloc(N * sizeof(*tokens));

	(void)state;
	assert_non_null(tokens);
	node_sessions_init(&ss, IDLE);
	for (int i = 0; i < N; i++) {
		assert_rc(node_session_open(&ss, "alice", NODE_ROLE_CLERK,
		              "FT01", "3", T0, &s),
		    0);
		assert_true(is_token(s->token));
		memcpy(tokens[i], s->token, NODE_TOKEN_HEX);
	}
	qsort(tokens, N, sizeof(*tokens), cmp_str);
	for (int i = 1; i < N; i++) {
		assert_true(strcmp(tokens[i - 1], tokens[i]) < 0);
	}
	/* Each finds its own session among them all. */
	for (int i = 0; i < N; i += 97) {
		assert_rc(node_session_touch(&ss, tokens[i], T0 + 1, &s), 0);
		assert_string_equal(s->token, tokens[i]);
	}
	free(tokens);
	node_sessions_free(&ss);
}

static void
test_session_limit(void **state)
{
	struct node_sessions ss;
	struct node_session *s = NULL;
	char last[NODE_TOKEN_HEX];

	(void)state;
	node_sessions_init(&ss, IDLE);
	for (int i = 0; i < NODE_SESSIONS_MAX; i++) {
		assert_rc(node_session_open(&ss, "alice", NODE_ROLE_CLERK,
		              "FT01", "3", T0 + (i < 10 ? 0 : 500), &s),
		    0);
	}
	snprintf(last, sizeof(last), "%s", s->token);
	/* Full, and nobody idle long enough. */
	assert_rc(node_session_open(
	              &ss, "bob", NODE_ROLE_CLERK, "FT01", "4", T0 + IDLE, &s),
	    CM_ERANGE);
	assert_int_equal(ss.n, NODE_SESSIONS_MAX);
	/* Later the first ten have expired and make room. */
	assert_rc(node_session_open(&ss, "bob", NODE_ROLE_CLERK, "FT01", "4",
	              T0 + IDLE + 1, &s),
	    0);
	assert_string_equal(s->user, "bob");
	assert_int_equal(ss.n, NODE_SESSIONS_MAX - 9);
	assert_rc(node_session_touch(&ss, last, T0 + IDLE + 2, &s), 0);
	node_sessions_free(&ss);
}

static void
test_session_alloc_failures(void **state)
{
	struct node_sessions ss;
	struct node_session *s = NULL;
	char first[NODE_TOKEN_HEX];
	int failed = 0;

	(void)state;
	node_sessions_init(&ss, IDLE);
	cm_alloc_fail_after(1, 1);
	assert_rc(node_session_open(
	              &ss, "alice", NODE_ROLE_CLERK, "FT01", "3", T0, &s),
	    CM_ENOMEM);
	cm_alloc_fail_after(0, 0);
	assert_int_equal(ss.n, 0);

	/* Every growth of the table (to 8, 16, 32, 64) fails once; the
	 * sessions already open survive it. */
	for (int i = 0; i < 40; i++) {
		size_t n = ss.n;
		int rc;

		cm_alloc_fail_after(1, 0);
		rc = node_session_open(
		    &ss, "alice", NODE_ROLE_CLERK, "FT01", "3", T0, &s);
		cm_alloc_fail_after(0, 0);
		if (rc == CM_ENOMEM) {
			failed++;
			assert_int_equal(ss.n, n);
			if (n > 0) {
				assert_rc(node_session_touch(
				              &ss, first, T0 + 1, NULL),
				    0);
			}
			assert_rc(node_session_open(&ss, "alice",
			              NODE_ROLE_CLERK, "FT01", "3", T0, &s),
			    0);
		} else {
			assert_rc(rc, 0);
		}
		if (i == 0) {
			snprintf(first, sizeof(first), "%s", s->token);
		}
	}
	assert_int_equal(failed, 4);
	assert_int_equal(ss.n, 40);
	assert_rc(node_session_touch(&ss, first, T0 + 2, NULL), 0);
	node_sessions_free(&ss);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_user_names),
	    cmocka_unit_test(test_password_policy),
	    cmocka_unit_test(test_hash_and_verify),
	    cmocka_unit_test(test_hash_bad_args),
	    cmocka_unit_test(test_verify),
	    cmocka_unit_test(test_lockout_sequence),
	    cmocka_unit_test(test_lockout_encoding),
	    cmocka_unit_test(test_session_open_touch),
	    cmocka_unit_test(test_session_bad_args),
	    cmocka_unit_test(test_session_close),
	    cmocka_unit_test(test_session_expire),
	    cmocka_unit_test(test_tokens_unique),
	    cmocka_unit_test(test_session_limit),
	    cmocka_unit_test(test_session_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
