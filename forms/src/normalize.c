/*
 * normalize.c: form_normalize(), the first step of validating a raw value.
 *
 * Clerks paste values from scanned documents, chat messages and Word files,
 * and type with a Chinese input method that produces full-width digits and
 * the ideographic space. The normaliser turns all of that into one
 * canonical spelling so that the checks (checks_ids.c, checks_values.c)
 * and the stored case see the same value whatever the clerk's keyboard did.
 *
 * The work is one linear pass over the code points (control characters,
 * white space, full-width forms, case), then Unicode NFC by libunistring.
 * The pass runs before NFC so that a removed control character between a
 * base letter and its combining mark cannot leave the result un-composed.
 * Trimming in that pass is safe: NFC never turns a non-space into a space
 * or the reverse. ASCII-only values skip NFC (ASCII is already NFC), which
 * keeps the common case at one allocation.
 */
#include "forms/checks.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

/* The types whose values are codes or numbers: no inner spaces, full-width
 * forms folded to ASCII. */
static bool
is_code_type(enum form_ftype t)
{
	switch (t) {
	case FORM_FT_CITIZEN_ID:
	case FORM_FT_USCC:
	case FORM_FT_MOBILE:
	case FORM_FT_LANDLINE:
	case FORM_FT_INTEGER:
	case FORM_FT_MONEY:
	case FORM_FT_DATE:
	case FORM_FT_REGION:
	case FORM_FT_ELICENCE:
		return true;
	default:
		return false;
	}
}

static bool
is_upper_type(enum form_ftype t)
{
	return t == FORM_FT_CITIZEN_ID || t == FORM_FT_USCC ||
	       t == FORM_FT_ELICENCE;
}

/*
 * White space for trimming and for removal inside codes: ASCII blanks,
 * NBSP, the U+2000 spaces (and the zero-width space U+200B, which is not
 * White_Space but is invisible and pasted from web pages just as often),
 * the line and paragraph separators, the narrow and mathematical spaces,
 * the ideographic space and the byte-order mark.
 */
static bool
is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	       cp == 0x00a0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	       cp == 0x3000 || cp == 0xfeff;
}

/* C0 controls other than tab (line breaks are handled before this test),
 * DEL and C1. NUL is one of them. */
static bool
is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f);
}

static bool
is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80) {
			return false;
		}
	}
	return true;
}

/*
 * The linear pass over in[0..len) (well-formed UTF-8; in may be NULL when
 * len is 0). buf has room for len + 1 bytes: no rule makes the value
 * longer (a line break becomes one byte, a full-width form becomes one
 * byte, everything else is copied or dropped). Returns the length
 * written; buf is NUL-terminated.
 */
static size_t
fold(enum form_ftype t, const char *in, size_t len, char *buf)
{
	bool code = is_code_type(t);
	bool upper = is_upper_type(t);
	size_t i = 0, n = 0, keep = 0;

	while (i < len) {
		uint32_t cp;
		int k = cm_utf8_decode(in + i, len - i, &cp);

		/* The caller checked the encoding. */
		i += (size_t)k;
		if (cp == '\r' || cp == '\n') {
			/* CR LF, lone CR and lone LF are one line break: kept
			 * in free text, a space in single-line values. */
			if (cp == '\r' && i < len && in[i] == '\n') {
				i++;
			}
			cp = t == FORM_FT_TEXT ? '\n' : ' ';
		} else if (is_control(cp)) {
			continue;
		}
		if (code) {
			if (cp >= 0xff01 && cp <= 0xff5e) {
				cp -= 0xfee0;
			}
			if (is_space(cp)) {
				continue;
			}
			if (upper && cp >= 'a' && cp <= 'z') {
				cp -= 'a' - 'A';
			}
		} else if (is_space(cp) && n == 0) {
			continue; /* leading white space */
		}
		if (cp < 0x80) {
			buf[n++] = (char)cp;
		} else {
			n += (size_t)cm_utf8_encode(cp, buf + n);
		}
		if (!is_space(cp)) {
			keep = n;
		}
	}
	buf[keep] = '\0';
	return keep;
}

int
form_normalize(enum form_ftype t, const char *in, size_t len, char **out)
{
	char *buf, *res;
	uint8_t *nfc;
	size_t n, nlen = 0;

	if (out == NULL || (in == NULL && len > 0)) {
		return CM_EINVAL;
	}
	*out = NULL;
	if (len > 0 && !cm_utf8_valid(in, len)) {
		return CM_EUTF8;
	}
	if ((buf = cm_malloc(len + 1)) == NULL) {
		return CM_ENOMEM;
	}
	n = fold(t, in, len, buf);
	if (is_ascii(buf, n)) {
		*out = buf;
		return 0;
	}
	/* libunistring allocates with malloc: its result is copied into
	 * cm_malloc memory so that callers free everything with cm_free. */
	nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)buf, n, NULL, &nlen);
	if (nfc == NULL) {
		cm_free(buf);
		return errno == EILSEQ ? CM_EUTF8 : CM_ENOMEM;
	}
	if ((res = cm_malloc(nlen + 1)) == NULL) {
		free(nfc);
		cm_free(buf);
		return CM_ENOMEM;
	}
	memcpy(res, nfc, nlen);
	res[nlen] = '\0';
	free(nfc);
	cm_free(buf);
	*out = res;
	return 0;
}
