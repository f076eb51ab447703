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

/* XX(name, message): the message is an English msgid for gettext. */
#define CM_ERRNO_MAP(XX)                                                       \
	XX(NOMEM, "out of memory")                                             \
	XX(INVAL, "invalid argument")                                          \
	XX(IO, "input/output error")                                           \
	XX(NOENT, "no such file or directory")                                 \
	XX(ACCES, "permission denied")                                         \
	XX(PARSE, "malformed input")                                           \
	XX(NOTFOUND, "not found")                                              \
	XX(EXIST, "already exists")                                            \
	XX(RANGE, "value out of range")                                        \
	XX(NODATA, "no calendar data for that date")                           \
	XX(TOOBIG, "input too large")                                          \
	XX(UTF8, "invalid UTF-8")                                              \
	XX(UNSUPPORTED, "not supported")                                       \
	XX(INTERNAL, "internal error")

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
