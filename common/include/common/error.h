/*
 * error.h: the project's error codes, from one X-macro list.
 *
 * Functions return 0 or a negative CM_E* code. Codes of other libraries
 * (errno, RocksDB, nng, libuv) are translated once, in their adapter, and
 * never leak past it. A bad form value is not an error code: validation
 * returns a report (see forms/validate.h).
 */
#ifndef CM_ERROR_H
#define CM_ERROR_H

/*
 * XX(name, message): the message is an English msgid for gettext. The
 * numbers travel on the wire (response status, docs/api.md): append new
 * codes at the end and never reorder (test_common pins them).
 */
#define CM_ERRNO_MAP(XX)                                                       \
	XX(NOMEM, N_("out of memory"))                                         \
	XX(INVAL, N_("invalid argument"))                                      \
	XX(IO, N_("input/output error"))                                       \
	XX(NOENT, N_("no such file or directory"))                             \
	XX(ACCES, N_("permission denied"))                                     \
	XX(PARSE, N_("malformed input"))                                       \
	XX(NOTFOUND, N_("not found"))                                          \
	XX(EXIST, N_("already exists"))                                        \
	XX(RANGE, N_("value out of range"))                                    \
	XX(NODATA, N_("no calendar data for that date"))                       \
	XX(TOOBIG, N_("input too large"))                                      \
	XX(UTF8, N_("invalid UTF-8"))                                          \
	XX(UNSUPPORTED, N_("not supported"))                                   \
	XX(BUSY, N_("resource busy (held by another process)"))                \
	XX(CORRUPT, N_("stored data is corrupt"))                              \
	XX(DENIED, N_("not allowed for this role"))                            \
	XX(AUTH, N_("wrong user name or password"))                            \
	XX(LOCKED, N_("account locked after repeated failures; try later"))    \
	XX(EXPIRED, N_("session expired; log in again"))                       \
	XX(STATE, N_("not allowed in the case's current state"))               \
	XX(PROTO, N_("malformed or unsupported message"))                      \
	XX(TIMEOUT, N_("timed out"))                                           \
	XX(CLOSED, N_("connection closed"))                                    \
	XX(CRYPTO, N_("signature or hash check failed"))                       \
	XX(INTERNAL, N_("internal error"))                                     \
	XX(NOREPL,                                                             \
	    N_("replication is not configured on this node (repl_listen, "     \
	       "tls_cert, tls_ca)"))                                           \
	XX(RECOVERING,                                                         \
	    N_("this hall was restored from a backup and is taking back its "  \
	       "own changes from the other halls; try again shortly"))

enum cm_err {
	CM_OK = 0,
	CM_E__BASE = -1000,
#define CM_XX_ENUM(name, msg) CM_E##name,
	CM_ERRNO_MAP(CM_XX_ENUM)
#undef CM_XX_ENUM
	    CM_E__END
};

/* The symbolic name of code ("CM_ENOMEM"); "CM_OK" for 0. Never NULL. */
const char *cm_err_name(int code);

/* The translated message of code. Never NULL; static storage. */
const char *cm_strerror(int code);

/* Translate an errno value into a CM_E* code. */
int cm_err_from_errno(int errnum);

#endif
