/*
 * utf8.c: strict UTF-8 decoding (RFC 3629: no overlongs, no surrogates).
 */
#include "common/utf8.h"

#include <string.h>

int
cm_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	int n;

	if (len == 0) {
		return -1;
	}
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return -1;
	}
	if ((size_t)n > len) {
		return -1;
	}
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return -1;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff)) {
		return -1;
	}
	*cp = c;
	return n;
}

int
cm_utf8_encode(uint32_t cp, char *buf)
{
	unsigned char *b = (unsigned char *)buf;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		return 0;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	} else if (cp <= 0x10ffff) {
		b[0] = (unsigned char)(0xf0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		return 4;
	}
	return 0;
}

bool
cm_utf8_valid(const char *s, size_t len)
{
	return cm_utf8_count(s, len) >= 0;
}

long
cm_utf8_count(const char *s, size_t len)
{
	long count = 0;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		int n = cm_utf8_decode(s + i, len - i, &cp);

		if (n < 0) {
			return -1;
		}
		i += (size_t)n;
		count++;
	}
	return count;
}

char *
cm_utf8_trim_partial(char *s)
{
	size_t n = strlen(s), k;
	unsigned char lead;
	size_t need;

	if (n == 0) {
		return s;
	}
	k = n - 1;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80 && n - k < 4) {
		k--;
	}
	lead = (unsigned char)s[k];
	need = lead < 0x80    ? 1
	       : lead >= 0xf0 ? 4
	       : lead >= 0xe0 ? 3
	       : lead >= 0xc0 ? 2
	                      : 1;
	if (k + need > n) {
		s[k] = '\0';
	}
	return s;
}

int
cm_utf8_bad_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!cm_utf8_valid(argv[i], strlen(argv[i]))) {
			return i;
		}
	}
	return 0;
}
