/*
 * utf8.h: small UTF-8 helpers shared by the forms library and the desk.
 *
 * Strings are UTF-8 throughout the project. These helpers never allocate.
 */
#ifndef CM_UTF8_H
#define CM_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point from s[0..len). Returns the number of bytes used
 * (1..4) and stores the code point in *cp, or returns -1 for an invalid,
 * overlong, surrogate or truncated sequence.
 */
int cm_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encode cp into buf (at least 4 bytes); returns the byte count, 0 if cp is
 * not a Unicode scalar value. */
int cm_utf8_encode(uint32_t cp, char *buf);

/* True when s[0..len) is well-formed UTF-8. */
bool cm_utf8_valid(const char *s, size_t len);

/* Number of code points in a well-formed UTF-8 string (-1 if malformed). */
long cm_utf8_count(const char *s, size_t len);

/*
 * Cut a NUL-terminated string that may end in half a character (after a
 * truncating snprintf) back to the last whole character. Returns s.
 */
char *cm_utf8_trim_partial(char *s);

/* The first argv[1..argc) that is not well-formed UTF-8, or 0 when all are
 * (the tools refuse such arguments before printing or hashing them). */
int cm_utf8_bad_arg(int argc, char **argv);

#endif
