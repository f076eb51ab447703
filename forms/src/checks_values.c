/*
 * checks_values.c: the checks of checks.h for values that are not identity
 * numbers: person names, telephone numbers, dates, integers, money and
 * yes/no answers.
 *
 * The values arrive normalised (normalize.c). The number checks are hand
 * written rather than built on strtoll() or sscanf(): those accept a
 * leading '+', white space, hexadecimal and exponents, and depend on the
 * locale, none of which a form value may do.
 */
#include "forms/checks.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The number of ASCII digits at the start of s. */
static size_t
span_digits(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n])) {
		n++;
	}
	return n;
}

bool
form_is_cjk_ideograph(uint32_t cp)
{
	/* The unified ideograph blocks (URO, extensions A to I), the two
	 * compatibility blocks (NFC maps most of U+F900.. to unified ones,
	 * but twelve of them are unified ideographs themselves) and 〇, the
	 * ideographic zero, which is written in names. */
	static const uint32_t ranges[][2] = {
	    {0x3007, 0x3007},
	    {0x3400, 0x4dbf},
	    {0x4e00, 0x9fff},
	    {0xf900, 0xfaff},
	    {0x20000, 0x2a6df},
	    {0x2a700, 0x2b73f},
	    {0x2b740, 0x2b81f},
	    {0x2b820, 0x2ceaf},
	    {0x2ceb0, 0x2ebef},
	    {0x2ebf0, 0x2ee5f},
	    {0x2f800, 0x2fa1f},
	    {0x30000, 0x3134f},
	    {0x31350, 0x323af},
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (cp >= ranges[i][0] && cp <= ranges[i][1]) {
			return true;
		}
	}
	return false;
}

/* Latin letters: ASCII, the Latin-1 letters (not × and ÷), Latin
 * Extended-A and -B, and Latin Extended Additional (Vietnamese: Nguyễn),
 * which cover the names of foreign applicants. */
static bool
is_latin_letter(uint32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	       (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7) ||
	       (cp >= 0x1e00 && cp <= 0x1eff);
}

/* A hyphen or apostrophe joins two Latin letters: Anne-Marie, O'Brien. */
static bool
is_name_join(uint32_t cp)
{
	return cp == '-' || cp == '\'' || cp == 0x2019;
}

/*
 * The middle dot of transliterated names (买买提·艾力) is typed in many
 * ways: the Latin-1 middle dot, the katakana and half-width katakana
 * middle dots of Japanese input methods, bullets, the hyphenation point,
 * the bullet and dot operators, the full-width full stop and the ASCII
 * full stop. All mean U+00B7.
 */
static bool
is_name_dot(uint32_t cp)
{
	switch (cp) {
	case 0x002e:
	case 0x00b7:
	case 0x2022:
	case 0x2027:
	case 0x2219:
	case 0x22c5:
	case 0x30fb:
	case 0xff0e:
	case 0xff65:
		return true;
	default:
		return false;
	}
}

static bool
is_name_space(uint32_t cp)
{
	return cp == ' ' || cp == 0x00a0 || cp == 0x3000;
}

enum name_class {
	NAME_IDEO,
	NAME_LATIN,
	NAME_SPACE,
	NAME_JOIN,
	NAME_DOT,
	NAME_OTHER,
};

static enum name_class
name_class(uint32_t cp)
{
	if (form_is_cjk_ideograph(cp)) {
		return NAME_IDEO;
	} else if (is_latin_letter(cp)) {
		return NAME_LATIN;
	} else if (is_name_space(cp)) {
		return NAME_SPACE;
	} else if (is_name_dot(cp)) {
		return NAME_DOT;
	} else if (is_name_join(cp)) {
		return NAME_JOIN;
	}
	return NAME_OTHER;
}

/*
 * Two passes: the first checks and measures the canonical form (a dot
 * becomes U+00B7, two bytes; a run of spaces becomes one ASCII space),
 * the second writes it. A character problem is reported before a dot
 * problem: a name with a digit is wrong whatever its dots.
 */
enum form_pcode
form_check_person_name(const char *s, char **out)
{
	size_t len, i, size = 0;
	enum name_class prev = NAME_DOT; /* a dot may not begin */
	enum name_class before_space = NAME_OTHER;
	bool dot_problem = false, letters = false;
	char *buf, *p;

	if (out != NULL) {
		*out = NULL;
	}
	if (s == NULL) {
		return FORM_P_NAME_CHARS;
	}
	len = strlen(s);
	for (i = 0; i < len;) {
		uint32_t cp;
		int k = cm_utf8_decode(s + i, len - i, &cp);
		enum name_class c;

		if (k < 0) {
			return FORM_P_NAME_CHARS;
		}
		i += (size_t)k;
		c = name_class(cp);
		switch (c) {
		case NAME_OTHER:
			return FORM_P_NAME_CHARS;
		case NAME_SPACE:
			if (prev == NAME_JOIN) {
				return FORM_P_NAME_CHARS;
			}
			if (prev != NAME_SPACE) {
				before_space = prev;
				size++;
			}
			break;
		case NAME_JOIN:
			/* Only right after a Latin letter; the next character
			 * must be one too (checked below, as for spaces). */
			if (prev != NAME_LATIN) {
				return FORM_P_NAME_CHARS;
			}
			before_space = prev;
			size += 1;
			break;
		case NAME_DOT:
			if (prev == NAME_SPACE || prev == NAME_JOIN) {
				return FORM_P_NAME_CHARS;
			}
			dot_problem = dot_problem || prev == NAME_DOT;
			size += 2;
			break;
		default:
			/* A space, hyphen or apostrophe stands only between
			 * two Latin letters. */
			if ((prev == NAME_SPACE || prev == NAME_JOIN) &&
			    (before_space != NAME_LATIN || c != NAME_LATIN)) {
				return FORM_P_NAME_CHARS;
			}
			letters = true;
			size += (size_t)k;
			break;
		}
		prev = c;
	}
	if (prev == NAME_SPACE || prev == NAME_JOIN) {
		return FORM_P_NAME_CHARS; /* normalised values have none */
	}
	if (!letters) {
		return len == 0 ? FORM_P_NAME_CHARS : FORM_P_NAME_DOT;
	}
	if (dot_problem || prev == NAME_DOT) {
		return FORM_P_NAME_DOT;
	}
	if (out == NULL) {
		return FORM_P_OK;
	}
	/* Out of memory leaves *out NULL; see checks.h. */
	if ((buf = cm_malloc(size + 1)) == NULL) {
		return FORM_P_OK;
	}
	p = buf;
	prev = NAME_OTHER;
	for (i = 0; i < len;) {
		uint32_t cp;
		int k = cm_utf8_decode(s + i, len - i, &cp);
		enum name_class c = name_class(cp);

		if (c == NAME_DOT) {
			*p++ = (char)0xc2;
			*p++ = (char)0xb7;
		} else if (c == NAME_SPACE) {
			if (prev != NAME_SPACE) {
				*p++ = ' ';
			}
		} else if (c == NAME_JOIN) {
			*p++ = cp == '-' ? '-' : '\''; /* U+2019 -> ' */
		} else {
			memcpy(p, s + i, (size_t)k);
			p += k;
		}
		prev = c;
		i += (size_t)k;
	}
	*p = '\0';
	*out = buf;
	return FORM_P_OK;
}

enum form_pcode
form_check_mobile(const char *s)
{
	if (s == NULL || strlen(s) != 11 || s[0] != '1' || s[1] < '3' ||
	    s[1] > '9' || span_digits(s) != 11) {
		return FORM_P_MOBILE;
	}
	return FORM_P_OK;
}

/* "" or "-" and 1..6 digits, the whole rest of the string. */
static bool
is_extension(const char *s)
{
	size_t n;

	if (*s == '\0') {
		return true;
	}
	if (*s != '-') {
		return false;
	}
	n = span_digits(s + 1);
	return n >= 1 && n <= 6 && s[1 + n] == '\0';
}

/*
 * Area code and subscriber number. Without a dash the split is ambiguous
 * (02583001234 is 025 + 83001234, 075583001234 is 0755 + 83001234), so
 * every split the pattern allows is tried, as a regular expression would.
 */
static bool
is_area_number(const char *s)
{
	if (s[0] != '0') {
		return false;
	}
	for (size_t area = 2; area <= 3; area++) {
		const char *p = s + 1;

		if (span_digits(p) < area) {
			continue;
		}
		p += area;
		for (int dash = 0; dash <= 1; dash++) {
			const char *q = p;
			size_t avail;

			if (dash) {
				if (*q != '-') {
					continue;
				}
				q++;
			}
			/* The subscriber number begins with 2..9. */
			if (*q < '2' || *q > '9') {
				continue;
			}
			avail = span_digits(q);
			for (size_t num = 7; num <= 8; num++) {
				if (avail >= num && is_extension(q + num)) {
					return true;
				}
			}
		}
	}
	return false;
}

/* 400 and 800 service numbers: ten digits, written 4001234567,
 * 400-1234567 or 400-123-4567. */
static bool
is_service_number(const char *s)
{
	size_t len = strlen(s);

	if (strncmp(s, "400", 3) != 0 && strncmp(s, "800", 3) != 0) {
		return false;
	}
	switch (len) {
	case 10:
		return span_digits(s) == 10;
	case 11:
		return s[3] == '-' && span_digits(s + 4) == 7;
	case 12:
		return s[3] == '-' && span_digits(s + 4) == 3 && s[7] == '-' &&
		       span_digits(s + 8) == 4;
	default:
		return false;
	}
}

enum form_pcode
form_check_landline(const char *s)
{
	if (s == NULL || !(is_area_number(s) || is_service_number(s))) {
		return FORM_P_LANDLINE;
	}
	return FORM_P_OK;
}

enum form_pcode
form_parse_date(const char *s, int32_t *day)
{
	int32_t d;

	if (s == NULL || cm_date_parse(s, &d) != 0) {
		return FORM_P_DATE;
	}
	if (day != NULL) {
		*day = d;
	}
	return FORM_P_OK;
}

/*
 * Accumulate the digits of s[0..n) into *v, refusing values above max.
 * Works on the magnitude in uint64_t so that INT64_MIN can be read.
 */
static bool
digits_to_u64(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t acc = *v;

	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (acc > (max - d) / 10) {
			return false;
		}
		acc = acc * 10 + d;
	}
	*v = acc;
	return true;
}

enum form_pcode
form_parse_integer(const char *s, int64_t *v)
{
	bool neg = false;
	uint64_t mag = 0, max = INT64_MAX;
	size_t n;

	if (s == NULL) {
		return FORM_P_INTEGER;
	}
	if (*s == '-') {
		neg = true;
		max = (uint64_t)INT64_MAX + 1;
		s++;
	}
	n = span_digits(s);
	if (n == 0 || s[n] != '\0' || !digits_to_u64(s, n, max, &mag)) {
		return FORM_P_INTEGER;
	}
	if (v != NULL) {
		/* -(INT64_MAX + 1) written without overflowing. */
		*v = neg ? (mag == 0 ? 0 : -(int64_t)(mag - 1) - 1)
		         : (int64_t)mag;
	}
	return FORM_P_OK;
}

/*
 * The integer part of an amount: plain digits, or thousands groups
 * "1,234,567" (1..3 digits, then groups of exactly three). Returns the
 * bytes used, 0 on a malformed part or an amount beyond max.
 */
static size_t
money_yuan(const char *s, uint64_t max, uint64_t *yuan)
{
	size_t n = span_digits(s), used;

	if (n == 0) {
		return 0;
	}
	if (s[n] != ',') {
		return digits_to_u64(s, n, max, yuan) ? n : 0;
	}
	/* A first group of thousands never starts with 0 ("0,123"). */
	if (n > 3 || s[0] == '0' || !digits_to_u64(s, n, max, yuan)) {
		return 0;
	}
	used = n;
	while (s[used] == ',') {
		if (span_digits(s + used + 1) != 3 ||
		    !digits_to_u64(s + used + 1, 3, max, yuan)) {
			return 0;
		}
		used += 4;
	}
	return used;
}

enum form_pcode
form_parse_money(const char *s, int64_t *fen)
{
	uint64_t yuan = 0, cents = 0;
	size_t n;

	if (s == NULL) {
		return FORM_P_MONEY;
	}
	if (strncmp(s, "\xc2\xa5", 2) == 0) { /* ¥ U+00A5 */
		s += 2;
	} else if (strncmp(s, "\xef\xbf\xa5", 3) == 0) { /* ￥ U+FFE5 */
		s += 3;
	}
	if ((n = money_yuan(s, (uint64_t)INT64_MAX / 100, &yuan)) == 0) {
		return FORM_P_MONEY;
	}
	s += n;
	if (*s == '.') {
		n = span_digits(s + 1);
		if (n < 1 || n > 2) {
			return FORM_P_MONEY;
		}
		cents = (uint64_t)(s[1] - '0') * 10;
		if (n == 2) {
			cents += (uint64_t)(s[2] - '0');
		}
		s += 1 + n;
	}
	if (*s != '\0' || yuan * 100 > (uint64_t)INT64_MAX - cents) {
		return FORM_P_MONEY;
	}
	if (fen != NULL) {
		*fen = (int64_t)(yuan * 100 + cents);
	}
	return FORM_P_OK;
}

char *
form_format_money(int64_t fen, char *buf, size_t size)
{
	uint64_t mag;

	if (buf == NULL || size == 0) {
		return buf;
	}
	mag = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
	snprintf(buf, size, "%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", mag / 100,
	    (unsigned)(mag % 100));
	return buf;
}

/* ASCII case-insensitive comparison with a lower-case word. */
static bool
word_is(const char *s, const char *lower)
{
	for (; *lower != '\0'; s++, lower++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		}
		if (c != *lower) {
			return false;
		}
	}
	return *s == '\0';
}

enum form_pcode
form_parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = {"yes", "y", "true", "1", "是", "有"};
	static const char *const no[] = {"no", "n", "false", "0", "否", "无"};

	if (s == NULL) {
		return FORM_P_BOOL;
	}
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (word_is(s, yes[i]) || word_is(s, no[i])) {
			if (v != NULL) {
				*v = word_is(s, yes[i]);
			}
			return FORM_P_OK;
		}
	}
	return FORM_P_BOOL;
}
