/*
 * auth.h: accounts, passwords, lockout and sessions. Pure logic with the
 * time passed in; the node stores account records (cf "user") and
 * lockout counters (cf "local"), and runs the slow password hashing on a
 * worker thread.
 *
 * Passwords are argon2id hashes (libsodium crypto_pwhash_str, interactive
 * limits). Five failed logins lock an account for 15 minutes. A session is
 * a random 256-bit token that expires after a period without use.
 */
#ifndef NODE_AUTH_H
#define NODE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/workflow.h"

#define NODE_USER_MAX      32  /* user names: 1..31 of [a-z0-9_.-] */
#define NODE_TOKEN_HEX     65  /* 64 hex digits and NUL */
#define NODE_PW_MIN        8   /* characters */
#define NODE_PW_MAX        128 /* bytes */
#define NODE_LOCK_FAILURES 5
#define NODE_LOCK_SECONDS  (15 * 60)
#define NODE_SESSIONS_MAX  10000 /* open sessions per node */

/* 1..31 of [a-z0-9_.-], starting with a letter or a digit. */
bool node_user_name_valid(const char *name);

/* Is the password acceptable for a new account: valid UTF-8, at least
 * NODE_PW_MIN characters (code points, so 8 Chinese characters will do)
 * and at most NODE_PW_MAX bytes, not all one character, not the user name
 * (ignoring ASCII case)? 0 or CM_EINVAL. */
int node_password_policy(const char *user, const char *password);

/* argon2id hash string (crypto_pwhash_str), into out of size bytes (at
 * least crypto_pwhash_STRBYTES, 128). Slow by design: call from a worker
 * thread. 0, CM_EINVAL (the policy's checks that need no user name fail,
 * or out is too small), CM_ENOMEM or CM_EINTERNAL (libsodium cannot
 * start). */
int node_password_hash(const char *password, char *out, size_t size);

/* 0 when password matches hash, CM_EAUTH otherwise (also for a malformed
 * hash). CM_ENOMEM when the hash could not be computed for lack of memory
 * (not a failed login: do not count it), CM_EINTERNAL when libsodium
 * cannot start. Slow: worker thread. */
int node_password_verify(const char *hash, const char *password);

/* Lockout counters of one account. */
struct node_lockout {
	uint32_t failures;    /* consecutive failures */
	int64_t locked_until; /* unix seconds; 0 = not locked */
};

/* May the account try to log in now (locked_until <= now)? 0 or
 * CM_ELOCKED. */
int node_lockout_check(const struct node_lockout *l, int64_t now);
/* Record a failure or a success. The NODE_LOCK_FAILURES-th consecutive
 * failure locks the account until now + NODE_LOCK_SECONDS and sets the
 * count back to 0; a failure while locked (the caller should not have
 * tried) changes nothing, so it cannot prolong the lock. A success
 * clears both. */
void node_lockout_failure(struct node_lockout *l, int64_t now);
void node_lockout_success(struct node_lockout *l);
/* As bytes for the local column family, and back (0 or CM_EPROTO): 4
 * bytes big-endian failures, then 8 bytes big-endian locked_until. */
void node_lockout_encode(const struct node_lockout *l, uint8_t out[12]);
int node_lockout_decode(const uint8_t *buf, size_t len, struct node_lockout *l);

struct node_session {
	char token[NODE_TOKEN_HEX];
	char user[NODE_USER_MAX];
	enum node_role role;
	char hall[16];
	char window[16];
	int64_t last_used;
};

struct node_sessions {
	struct node_session *s;
	size_t n, cap;
	int64_t idle_timeout; /* seconds */
};

void node_sessions_init(struct node_sessions *ss, int64_t idle_timeout);
void node_sessions_free(struct node_sessions *ss);

/* Open a session with a fresh random token (64 lower-case hex digits
 * from 32 random bytes). Borrows the strings. When NODE_SESSIONS_MAX are
 * open, expired sessions are dropped first. *out points into ss (valid
 * until the next change). 0, CM_EINVAL (bad user name, role, hall of
 * 1..15 bytes or window of 0..15 bytes), CM_ERANGE (still full),
 * CM_ENOMEM or CM_EINTERNAL (libsodium cannot start). */
int node_session_open(struct node_sessions *ss, const char *user,
    enum node_role role, const char *hall, const char *window, int64_t now,
    struct node_session **out);

/*
 * Look a token up and touch it (last_used = now). The token is compared
 * with every open session's in constant time, and the scan does not stop
 * at a match, so the time taken says nothing about the tokens. A session
 * expires when now - last_used > idle_timeout. Returns 0 and *out,
 * CM_EAUTH (unknown token, or not 64 characters) or CM_EEXPIRED (idle too
 * long; the session is closed).
 */
int node_session_touch(struct node_sessions *ss, const char *token, int64_t now,
    struct node_session **out);

/* Close the session of token (compared as in touch); nothing if none. */
void node_session_close(struct node_sessions *ss, const char *token);
/* Close every session of a user (disabled, password changed). */
void node_sessions_close_user(struct node_sessions *ss, const char *user);
/* Drop expired sessions; returns how many. */
size_t node_sessions_expire(struct node_sessions *ss, int64_t now);

#endif
