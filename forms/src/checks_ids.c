/*
 * checks_ids.c: the identity numbers of checks.h: citizen ID (GB 11643),
 * unified social credit code (GB 32100), region code (GB/T 2260) and
 * e-licence number.
 *
 * The values arrive normalised (normalize.c): ASCII digits and upper-case
 * letters, no spaces. The checks still refuse anything else rather than
 * trust that, because the desk also calls them on single keystrokes.
 * Each check reports the first problem in a fixed order, so that the
 * clerk is told the most basic thing first (length before characters
 * before content before the check character).
 */
#include "forms/checks.h"
#include "common/date.h"
#include "common/utf8.h"

#include <string.h>

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i])) {
			return false;
		}
	}
	return true;
}

/* Length in code points, so that a pasted Chinese character counts as one
 * character in the "must have 18 characters" message; the byte length for
 * malformed text (which then fails on its characters). */
static size_t
char_count(const char *s)
{
	size_t len = strlen(s);
	long n = cm_utf8_count(s, len);

	return n < 0 ? len : (size_t)n;
}

/*
 * The province-level codes of GB/T 2260 (the first two digits of a region
 * code): 11-15 north, 21-23 north-east, 31-37 east, 41-46 centre and
 * south, 50-54 south-west, 61-65 north-west, 71 Taiwan, 81 Hong Kong,
 * 82 Macao. 83 is not a region of GB/T 2260 but begins the numbers of
 * the residence permits of Taiwan residents, which share the ID format.
 */
static bool
is_province(const char *s)
{
	int p;

	if (!is_digit(s[0]) || !is_digit(s[1])) {
		return false;
	}
	p = (s[0] - '0') * 10 + (s[1] - '0');
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) ||
	       (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
	       (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
	       p == 81 || p == 82 || p == 83;
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

char
form_citizen_id_check_char(const char *s17)
{
	static const int w[17] = {
	    7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		if (!is_digit(s17[i])) {
			return 0;
		}
		sum += (s17[i] - '0') * w[i];
	}
	return check[sum % 11];
}

/*
 * A 15-digit number (issued until 1999): region, YYMMDD, sequence. Every
 * holder was born in the 1900s, so "19" goes before the year; the check
 * character is computed as for a new number.
 */
static enum form_pcode
check_id15(const char *s, int32_t today, char out[19])
{
	int32_t day;

	if (!all_digits(s, 15)) {
		return FORM_P_ID_CHARS;
	}
	if (!is_province(s)) {
		return FORM_P_ID_REGION;
	}
	if (cm_date_from_ymd(1900 + num(s + 6, 2), num(s + 8, 2),
	        num(s + 10, 2), &day) != 0 ||
	    day > today) {
		return FORM_P_ID15_INVALID;
	}
	if (out != NULL) {
		memcpy(out, s, 6);
		out[6] = '1';
		out[7] = '9';
		memcpy(out + 8, s + 6, 9);
		out[17] = form_citizen_id_check_char(out);
		out[18] = '\0';
	}
	return FORM_P_ID15_UPGRADED;
}

enum form_pcode
form_check_citizen_id(const char *s, int32_t today, char out[19])
{
	size_t n;
	int32_t day;
	int y;
	char last;

	if (out != NULL) {
		out[0] = '\0';
	}
	if (s == NULL) {
		return FORM_P_ID_LENGTH;
	}
	n = char_count(s);
	if (n == 15 && strlen(s) == 15) {
		return check_id15(s, today, out);
	}
	if (n == 15) {
		return FORM_P_ID_CHARS; /* 15 characters, some not ASCII */
	}
	if (n != 18) {
		return FORM_P_ID_LENGTH;
	}
	last = s[17];
	if (strlen(s) != 18 || !all_digits(s, 17) ||
	    !(is_digit(last) || last == 'X' || last == 'x')) {
		return FORM_P_ID_CHARS;
	}
	if (!is_province(s)) {
		return FORM_P_ID_REGION;
	}
	y = num(s + 6, 4);
	if (y < 1900 ||
	    cm_date_from_ymd(y, num(s + 10, 2), num(s + 12, 2), &day) != 0) {
		return FORM_P_ID_BIRTH;
	}
	if (day > today) {
		return FORM_P_ID_FUTURE;
	}
	if (last == 'x') {
		last = 'X';
	}
	if (form_citizen_id_check_char(s) != last) {
		return FORM_P_ID_CHECK;
	}
	if (out != NULL) {
		memcpy(out, s, 17);
		out[17] = last;
		out[18] = '\0';
	}
	return FORM_P_OK;
}

/* GB 32100-2015: the 31 characters of the code, valued by position. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int
uscc_value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(uscc_alphabet, c)) == NULL) {
		return -1;
	}
	return (int)(p - uscc_alphabet);
}

char
form_uscc_check_char(const char *s17)
{
	static const int w[17] = {
	    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		int v = uscc_value(s17[i]);

		if (v < 0) {
			return 0;
		}
		sum += v * w[i];
	}
	return uscc_alphabet[(31 - sum % 31) % 31];
}

/*
 * The first character names the registration authority: 1 organisation
 * establishment, 2 foreign affairs, 3 justice, 4 culture, 5 civil
 * affairs, 6 tourism, 7 religion, 8 trade unions, 9 market regulation,
 * A the Central Military Commission's establishment office, N
 * agriculture, Y others.
 */
static bool
is_uscc_authority(char c)
{
	return c != '\0' && strchr("123456789ANY", c) != NULL;
}

enum form_pcode
form_check_uscc(const char *s, char expected[2])
{
	char want;

	if (expected != NULL) {
		expected[0] = '\0';
	}
	if (s == NULL || char_count(s) != 18) {
		return FORM_P_USCC_LENGTH;
	}
	for (int i = 0; i < 18; i++) {
		if (uscc_value(s[i]) < 0) {
			return FORM_P_USCC_CHARS;
		}
	}
	if (!is_uscc_authority(s[0])) {
		return FORM_P_USCC_CHARS;
	}
	want = form_uscc_check_char(s);
	if (want != s[17]) {
		if (expected != NULL) {
			expected[0] = want;
			expected[1] = '\0';
		}
		return FORM_P_USCC_CHECK;
	}
	return FORM_P_OK;
}

enum form_pcode
form_check_region(const char *s)
{
	if (s == NULL || strlen(s) != 6 || !all_digits(s, 6) ||
	    !is_province(s)) {
		return FORM_P_REGION;
	}
	return FORM_P_OK;
}

enum form_pcode
form_check_elicence(const char *s)
{
	size_t n;
	bool digit = false;

	if (s == NULL) {
		return FORM_P_ELICENCE;
	}
	n = strlen(s);
	if (n < 10 || n > 64 || s[0] == '-' || s[n - 1] == '-') {
		return FORM_P_ELICENCE;
	}
	for (size_t i = 0; i < n; i++) {
		if (is_digit(s[i])) {
			digit = true;
		} else if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-')) {
			return FORM_P_ELICENCE;
		}
	}
	return digit ? FORM_P_OK : FORM_P_ELICENCE;
}
