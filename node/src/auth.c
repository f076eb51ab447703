/*
 * auth.c: user names, the password policy, argon2id hashes, lockout
 * counters and the session table (see auth.h).
 *
 * Pure logic with the time passed in. The secrets here are passwords and
 * session tokens: hashing and checking passwords is libsodium's, tokens
 * come from randombytes_buf and are compared in constant time
 * (auth_token_diff), and memory that held a token is wiped before it is
 * given back.
 */
#include "node/auth.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"

#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_LEN   (2 * AUTH_TOKEN_BYTES)
#define AUTH_HALL_MAX    sizeof(((struct node_session *)0)->hall)
#define AUTH_WINDOW_MAX  sizeof(((struct node_session *)0)->window)
#define AUTH_CAP_MIN     8

_Static_assert(AUTH_TOKEN_LEN + 1 == NODE_TOKEN_HEX, "token size");

/* sodium_init is idempotent and thread-safe; it fails only when the
 * system has no usable random source, which is not the caller's fault. */
static int
auth_sodium_init(void)
{
	return sodium_init() < 0 ? CM_EINTERNAL : 0;
}

/* ------------------------------------------------------------ names */

bool
node_user_name_valid(const char *name)
{
	size_t n;

	if (name == NULL) {
		return false;
	}
	for (n = 0; name[n] != '\0'; n++) {
		char c = name[n];
		bool is_alnum =
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (n + 1 >= NODE_USER_MAX) {
			return false;
		}
		/* A leading '.' or '-' reads as a file or an option in the
		 * tools that take user names on the command line. */
		if (!is_alnum &&
		    (n == 0 || (c != '_' && c != '.' && c != '-'))) {
			return false;
		}
	}
	return n > 0;
}

/* ------------------------------------------------------------ passwords */

/* The policy's checks that need no user name: size, UTF-8, length in
 * characters, not one character repeated. 0 or CM_EINVAL. */
static int
auth_password_shape(const char *password)
{
	size_t len;
	long count;
	uint32_t first, cp;
	int k;

	if (password == NULL) {
		return CM_EINVAL;
	}
	len = strnlen(password, NODE_PW_MAX + 1);
	if (len > NODE_PW_MAX) {
		return CM_EINVAL;
	}
	/* Characters, not bytes: a Chinese passphrase is as long as it
	 * looks, and cm_utf8_count refuses malformed UTF-8 (-1). */
	count = cm_utf8_count(password, len);
	if (count < NODE_PW_MIN) {
		return CM_EINVAL;
	}
	k = cm_utf8_decode(password, len, &first);
	for (size_t i = (size_t)k; i < len; i += (size_t)k) {
		k = cm_utf8_decode(password + i, len - i, &cp);
		if (cp != first) {
			return 0;
		}
	}
	return CM_EINVAL;
}

/* Equal ignoring ASCII case: "Alice2024" is no better than "alice2024". */
static bool
auth_equal_nocase(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (x != y) {
			return false;
		}
		if (x == '\0') {
			return true;
		}
	}
}

int
node_password_policy(const char *user, const char *password)
{
	int rc;

	if (user == NULL) {
		return CM_EINVAL;
	}
	if ((rc = auth_password_shape(password)) != 0) {
		return rc;
	}
	return auth_equal_nocase(user, password) ? CM_EINVAL : 0;
}

int
node_password_hash(const char *password, char *out, size_t size)
{
	int rc;

	if (out == NULL || size < crypto_pwhash_STRBYTES ||
	    auth_password_shape(password) != 0) {
		return CM_EINVAL;
	}
	if ((rc = auth_sodium_init()) != 0) {
		return rc;
	}
	/* The algorithm is named rather than left to libsodium's default,
	 * so that an upgrade cannot silently change what we store. */
	if (crypto_pwhash_str_alg(out, password, strlen(password),
	        crypto_pwhash_OPSLIMIT_INTERACTIVE,
	        crypto_pwhash_MEMLIMIT_INTERACTIVE,
	        crypto_pwhash_ALG_ARGON2ID13) != 0) {
		/* Its only failure with valid limits: the 64 MiB of work
		 * memory could not be had. */
		return CM_ENOMEM;
	}
	return 0;
}

int
node_password_verify(const char *hash, const char *password)
{
	size_t len;
	int rc;

	if (hash == NULL || password == NULL ||
	    strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES) {
		return CM_EAUTH;
	}
	/* No stored password is longer (node_password_hash refuses one), so
	 * a longer attempt fails without costing 64 MiB of hashing. */
	len = strnlen(password, NODE_PW_MAX + 1);
	if (len > NODE_PW_MAX) {
		return CM_EAUTH;
	}
	if ((rc = auth_sodium_init()) != 0) {
		return rc;
	}
	/*
	 * libsodium returns -1 for a mismatch (errno EINVAL), a malformed
	 * hash and a failed allocation alike. Only the last one leaves
	 * ENOMEM (from mmap or posix_memalign) in errno, and it must not
	 * count as a failed login: a node short of memory would lock its
	 * clerks out.
	 */
	errno = 0;
	if (crypto_pwhash_str_verify(hash, password, len) == 0) {
		return 0;
	}
	return errno == ENOMEM ? CM_ENOMEM : CM_EAUTH;
}

/* ------------------------------------------------------------ lockout */

int
node_lockout_check(const struct node_lockout *l, int64_t now)
{
	return l->locked_until > now ? CM_ELOCKED : 0;
}

void
node_lockout_failure(struct node_lockout *l, int64_t now)
{
	if (l->locked_until > now) {
		return;
	}
	if (++l->failures >= NODE_LOCK_FAILURES) {
		l->failures = 0;
		l->locked_until = now + NODE_LOCK_SECONDS;
	}
}

void
node_lockout_success(struct node_lockout *l)
{
	l->failures = 0;
	l->locked_until = 0;
}

void
node_lockout_encode(const struct node_lockout *l, uint8_t out[12])
{
	uint64_t until = (uint64_t)l->locked_until;

	for (int i = 0; i < 4; i++) {
		out[i] = (uint8_t)(l->failures >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++) {
		out[4 + i] = (uint8_t)(until >> (56 - 8 * i));
	}
}

int
node_lockout_decode(const uint8_t *buf, size_t len, struct node_lockout *l)
{
	uint32_t failures = 0;
	uint64_t until = 0;

	if (buf == NULL || l == NULL || len != 12) {
		return CM_EPROTO;
	}
	for (int i = 0; i < 4; i++) {
		failures = failures << 8 | buf[i];
	}
	for (int i = 0; i < 8; i++) {
		until = until << 8 | buf[4 + i];
	}
	l->failures = failures;
	/* Two's complement back to signed without an out-of-range
	 * conversion: values above INT64_MAX are negative times. */
	l->locked_until =
	    until <= INT64_MAX ? (int64_t)until : -(int64_t)(~until) - 1;
	return 0;
}

/* ------------------------------------------------------------ sessions */

void
node_sessions_init(struct node_sessions *ss, int64_t idle_timeout)
{
	ss->s = NULL;
	ss->n = 0;
	ss->cap = 0;
	ss->idle_timeout = idle_timeout;
}

void
node_sessions_free(struct node_sessions *ss)
{
	if (ss->s != NULL) {
		sodium_memzero(ss->s, ss->cap * sizeof(*ss->s));
		cm_free(ss->s);
	}
	node_sessions_init(ss, ss->idle_timeout);
}

static bool
auth_role_valid(enum node_role role)
{
	return role == NODE_ROLE_CLERK || role == NODE_ROLE_SUPERVISOR ||
	       role == NODE_ROLE_OPS || role == NODE_ROLE_AUDITOR;
}

static bool
auth_is_idle(
    const struct node_sessions *ss, const struct node_session *s, int64_t now)
{
	return now > s->last_used && now - s->last_used > ss->idle_timeout;
}

/* Remove session i: the last one takes its place (the table has no
 * order) and the slot it leaves is wiped. */
static void
auth_remove(struct node_sessions *ss, size_t i)
{
	if (i + 1 < ss->n) {
		ss->s[i] = ss->s[ss->n - 1];
	}
	ss->n--;
	sodium_memzero(&ss->s[ss->n], sizeof(ss->s[ss->n]));
}

/* Room for one more session. Grown by hand instead of cm_realloc, so that
 * the old copy of the tokens is wiped before it is freed. */
static int
auth_reserve(struct node_sessions *ss)
{
	struct node_session *s;
	size_t cap;

	if (ss->n < ss->cap) {
		return 0;
	}
	cap = ss->cap == 0 ? AUTH_CAP_MIN : ss->cap * 2;
	if (cap > NODE_SESSIONS_MAX) {
		cap = NODE_SESSIONS_MAX;
	}
	s = cm_reallocarray(NULL, cap, sizeof(*s));
	if (s == NULL) {
		return CM_ENOMEM;
	}
	if (ss->s != NULL) {
		memcpy(s, ss->s, ss->n * sizeof(*s));
		sodium_memzero(ss->s, ss->cap * sizeof(*ss->s));
		cm_free(ss->s);
	}
	ss->s = s;
	ss->cap = cap;
	return 0;
}

int
node_session_open(struct node_sessions *ss, const char *user,
    enum node_role role, const char *hall, const char *window, int64_t now,
    struct node_session **out)
{
	unsigned char raw[AUTH_TOKEN_BYTES];
	struct node_session *s;
	int rc;

	if (window == NULL) {
		window = "";
	}
	if (ss == NULL || !node_user_name_valid(user) ||
	    !auth_role_valid(role) || hall == NULL || hall[0] == '\0' ||
	    strnlen(hall, AUTH_HALL_MAX) >= AUTH_HALL_MAX ||
	    strnlen(window, AUTH_WINDOW_MAX) >= AUTH_WINDOW_MAX) {
		return CM_EINVAL;
	}
	if ((rc = auth_sodium_init()) != 0) {
		return rc;
	}
	if (ss->n >= NODE_SESSIONS_MAX) {
		(void)node_sessions_expire(ss, now);
		if (ss->n >= NODE_SESSIONS_MAX) {
			return CM_ERANGE;
		}
	}
	if ((rc = auth_reserve(ss)) != 0) {
		return rc;
	}
	s = &ss->s[ss->n];
	memset(s, 0, sizeof(*s));
	/* 256 random bits: a collision with an open session is not a case
	 * worth code. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(s->token, sizeof(s->token), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	memcpy(s->user, user, strlen(user) + 1);
	s->role = role;
	memcpy(s->hall, hall, strlen(hall) + 1);
	memcpy(s->window, window, strlen(window) + 1);
	s->last_used = now;
	ss->n++;
	if (out != NULL) {
		*out = s;
	}
	return 0;
}

/*
 * Constant-time inequality of two tokens of AUTH_TOKEN_LEN bytes: 0 when
 * equal. XOR-OR of 8-byte words with no branch on the data; the empty asm
 * hides the accumulator from the optimiser, so that it cannot stop at the
 * first difference. sodium_memcmp would do, but its volatile byte loop
 * takes 1.3 ms to scan NODE_SESSIONS_MAX sessions, this about 35 us in
 * an optimised build (0.2 ms at -O0).
 */
static uint64_t
auth_token_diff(const char *a, const char *b)
{
	uint64_t d = 0;

	for (size_t i = 0; i < AUTH_TOKEN_LEN; i += sizeof(d)) {
		uint64_t x, y;

		memcpy(&x, a + i, sizeof(x));
		memcpy(&y, b + i, sizeof(y));
		d |= x ^ y;
		__asm__ volatile("" : "+r"(d));
	}
	return d;
}

/*
 * The index of token's session, or ss->n. The token is compared with
 * every open session's, in constant time, and the scan never stops
 * early: neither where a match is nor how many bytes of a near miss agree
 * shows in the time taken. A linear scan is cheap at a hall's scale and
 * needs no index that could itself leak.
 */
static size_t
auth_find(const struct node_sessions *ss, const char *token)
{
	size_t found = ss->n;

	if (token == NULL || strnlen(token, NODE_TOKEN_HEX) != AUTH_TOKEN_LEN) {
		return ss->n;
	}
	for (size_t i = 0; i < ss->n; i++) {
		uint64_t d = auth_token_diff(ss->s[i].token, token);
		/* 1 when d == 0, without a comparison the compiler could
		 * turn into a branch. */
		size_t eq = (size_t)(((d | (0 - d)) >> 63) ^ 1);

		found = (found & (eq - 1)) | (i & (0 - eq));
	}
	return found;
}

int
node_session_touch(struct node_sessions *ss, const char *token, int64_t now,
    struct node_session **out)
{
	size_t i = auth_find(ss, token);

	if (i == ss->n) {
		return CM_EAUTH;
	}
	if (auth_is_idle(ss, &ss->s[i], now)) {
		auth_remove(ss, i);
		return CM_EEXPIRED;
	}
	/* A clock that went back must not make the session older. */
	if (now > ss->s[i].last_used) {
		ss->s[i].last_used = now;
	}
	if (out != NULL) {
		*out = &ss->s[i];
	}
	return 0;
}

void
node_session_close(struct node_sessions *ss, const char *token)
{
	size_t i = auth_find(ss, token);

	if (i < ss->n) {
		auth_remove(ss, i);
	}
}

void
node_sessions_close_user(struct node_sessions *ss, const char *user)
{
	if (user == NULL) {
		return;
	}
	for (size_t i = ss->n; i-- > 0;) {
		if (strcmp(ss->s[i].user, user) == 0) {
			auth_remove(ss, i);
		}
	}
}

size_t
node_sessions_expire(struct node_sessions *ss, int64_t now)
{
	size_t dropped = 0;

	/* Backwards, because auth_remove moves the last session into the
	 * hole: everything after i has been looked at already. */
	for (size_t i = ss->n; i-- > 0;) {
		if (auth_is_idle(ss, &ss->s[i], now)) {
			auth_remove(ss, i);
			dropped++;
		}
	}
	return dropped;
}
