/*
 * test_checks.c: unit tests of forms/checks.h, the normaliser and the
 * checks of single values.
 *
 * Every expected check character below was worked out by hand from the
 * standards (the arithmetic is shown for one of each kind), never by the
 * code under test: a test that asks the implementation what the answer is
 * proves nothing.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/checks.h"

/* Normalise the NUL-terminated s and compare with want. */
static void
norm_eq(enum form_ftype t, const char *s, const char *want)
{
	char *out = NULL;

	assert_rc(form_normalize(t, s, strlen(s), &out), 0);
	assert_non_null(out);
	assert_string_equal(out, want);
	cm_free(out);
}

/* Normalise s[0..len), which may hold NUL bytes. */
static void
norm_eq_len(enum form_ftype t, const char *s, size_t len, const char *want)
{
	char *out = NULL;

	assert_rc(form_normalize(t, s, len, &out), 0);
	assert_non_null(out);
	assert_string_equal(out, want);
	cm_free(out);
}

static void
norm_bad(enum form_ftype t, const char *s, size_t len)
{
	char *out = (char *)&out; /* must be reset to NULL */

	assert_rc(form_normalize(t, s, len, &out), CM_EUTF8);
	assert_null(out);
}

/* ---- citizen ID ---------------------------------------------------- */

/*
 * 11010519491231002X (GB 11643's own example), worked out:
 *   digits   1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
 *   weights  7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
 *   products 7 9  0 5 0 20 2 9 24 27 7 18 30 5 0 0 4 = 167
 *   167 mod 11 = 2, and r = 2 maps to 'X' (1 0 X 9 8 7 6 5 4 3 2).
 * 440308199901101512:
 *   4*7 + 4*9 + 0*10 + 3*5 + 0*8 + 8*4 + 1*2 + 9*1 + 9*6 + 9*3 + 0*7 +
 *   1*9 + 1*10 + 0*5 + 1*8 + 5*4 + 1*2 = 252; 252 mod 11 = 10 -> '2'.
 */
#define TODAY "2025-06-01"

static void
test_id_valid(void **state)
{
	char out[19];

	(void)state;
	assert_int_equal(
	    form_check_citizen_id("11010519491231002X", ow_day(TODAY), out),
	    FORM_P_OK);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(
	    form_check_citizen_id("440308199901101512", ow_day(TODAY), out),
	    FORM_P_OK);
	assert_string_equal(out, "440308199901101512");
	/* 2024-02-29 exists; sum 252 as above (the date digits weigh 111 in
	 * both), check '2'. */
	assert_int_equal(
	    form_check_citizen_id("440308202402291512", ow_day(TODAY), out),
	    FORM_P_OK);
	/* 83: residence permit of a Taiwan resident; sum 211, r 2, 'X'. */
	assert_int_equal(
	    form_check_citizen_id("83000019990101123X", ow_day(TODAY), out),
	    FORM_P_OK);
	/* Born 1900-01-01, the earliest year allowed: sum 68, r 2, 'X'. */
	assert_int_equal(
	    form_check_citizen_id("11010519000101001X", ow_day(TODAY), out),
	    FORM_P_OK);
	/* out may be NULL. */
	assert_int_equal(
	    form_check_citizen_id("440308199901101512", ow_day(TODAY), NULL),
	    FORM_P_OK);
}

static void
test_id_check_char(void **state)
{
	(void)state;
	assert_int_equal(form_citizen_id_check_char("11010519491231002"), 'X');
	assert_int_equal(form_citizen_id_check_char("44030819990110151"), '2');
	/* Sequence 003: sum 167 - 4 + 6 = 169, r 4 -> '8'. */
	assert_int_equal(form_citizen_id_check_char("11010519491231003"), '8');
	assert_int_equal(form_citizen_id_check_char("1101051949123100A"), 0);
}

static void
test_id_wrong_check(void **state)
{
	char out[19];

	(void)state;
	assert_int_equal(
	    form_check_citizen_id("110105194912310021", ow_day(TODAY), out),
	    FORM_P_ID_CHECK);
	assert_string_equal(out, "");
	assert_int_equal(
	    form_check_citizen_id("440308199901101513", ow_day(TODAY), out),
	    FORM_P_ID_CHECK);
	/* An X where a digit belongs. */
	assert_int_equal(
	    form_check_citizen_id("44030819990110151X", ow_day(TODAY), out),
	    FORM_P_ID_CHECK);
}

static void
test_id_lower_x(void **state)
{
	char out[19];
	char *n = NULL;

	(void)state;
	assert_int_equal(
	    form_check_citizen_id("11010519491231002x", ow_day(TODAY), out),
	    FORM_P_OK);
	assert_string_equal(out, "11010519491231002X");
	/* The normaliser upper-cases it first in the real flow. */
	assert_rc(
	    form_normalize(FORM_FT_CITIZEN_ID, "11010519491231002x", 18, &n),
	    0);
	assert_string_equal(n, "11010519491231002X");
	cm_free(n);
}

static void
test_id_dates(void **state)
{
	char out[19];
	int32_t today = ow_day(TODAY);

	(void)state;
	/* Date problems come before the check character. */
	assert_int_equal(
	    form_check_citizen_id("440308199902301512", today, out),
	    FORM_P_ID_BIRTH);
	assert_int_equal(
	    form_check_citizen_id("440308202302291512", today, out),
	    FORM_P_ID_BIRTH);
	assert_int_equal(
	    form_check_citizen_id("440308199913011512", today, out),
	    FORM_P_ID_BIRTH);
	assert_int_equal(
	    form_check_citizen_id("440308199900001512", today, out),
	    FORM_P_ID_BIRTH);
	/* Before 1900. */
	assert_int_equal(
	    form_check_citizen_id("110105189912310011", today, out),
	    FORM_P_ID_BIRTH);
	/* In the future. */
	assert_int_equal(
	    form_check_citizen_id("440308203001011512", today, out),
	    FORM_P_ID_FUTURE);
	/* Born today (sum 133, r 1, '0'): fine; tomorrow's is future. */
	assert_int_equal(
	    form_check_citizen_id("110105202506010010", today, out), FORM_P_OK);
	assert_int_equal(
	    form_check_citizen_id("110105202506010010", today - 1, out),
	    FORM_P_ID_FUTURE);
}

static void
test_id_region_chars_length(void **state)
{
	char out[19];
	int32_t today = ow_day(TODAY);

	(void)state;
	assert_int_equal(
	    form_check_citizen_id("910105194912310021", today, out),
	    FORM_P_ID_REGION);
	assert_int_equal(
	    form_check_citizen_id("000000194912310021", today, out),
	    FORM_P_ID_REGION);
	assert_int_equal(
	    form_check_citizen_id("16010519491231002X", today, out),
	    FORM_P_ID_REGION);
	/* Region is checked before the birth date. */
	assert_int_equal(
	    form_check_citizen_id("910105199902301512", today, out),
	    FORM_P_ID_REGION);
	/* Letters: characters before region. */
	assert_int_equal(
	    form_check_citizen_id("11010519491231002A", today, out),
	    FORM_P_ID_CHARS);
	assert_int_equal(
	    form_check_citizen_id("1101051949123100X2", today, out),
	    FORM_P_ID_CHARS);
	assert_int_equal(
	    form_check_citizen_id("A10105194912310021", today, out),
	    FORM_P_ID_CHARS);
	assert_int_equal(form_check_citizen_id("11010519491231002"
	                                       "\xe5\xbc\xa0",
	                     today, out),
	    FORM_P_ID_CHARS);
	/* Lengths. */
	assert_int_equal(
	    form_check_citizen_id("", today, out), FORM_P_ID_LENGTH);
	assert_int_equal(form_check_citizen_id("11010519491231002", today, out),
	    FORM_P_ID_LENGTH);
	assert_int_equal(
	    form_check_citizen_id("11010519491231002X1", today, out),
	    FORM_P_ID_LENGTH);
	assert_int_equal(form_check_citizen_id("1101051949123", today, out),
	    FORM_P_ID_LENGTH);
	assert_int_equal(
	    form_check_citizen_id(NULL, today, out), FORM_P_ID_LENGTH);
}

static void
test_id15(void **state)
{
	char out[19];
	int32_t today = ow_day(TODAY);

	(void)state;
	/* 110105 49 1231 002 -> 110105 19 49 1231 002 + check; the 17 digits
	 * are those worked out above: 'X'. */
	assert_int_equal(form_check_citizen_id("110105491231002", today, out),
	    FORM_P_ID15_UPGRADED);
	assert_string_equal(out, "11010519491231002X");
	/* 440308 990110 151 -> 44030819990110151 + '2' (sum 252). */
	assert_int_equal(form_check_citizen_id("440308990110151", today, out),
	    FORM_P_ID15_UPGRADED);
	assert_string_equal(out, "440308199901101512");
	/* 1949-02-31 and 1900-02-29 (1900 is not a leap year). */
	assert_int_equal(form_check_citizen_id("110105490231002", today, out),
	    FORM_P_ID15_INVALID);
	assert_string_equal(out, "");
	assert_int_equal(form_check_citizen_id("110105000229002", today, out),
	    FORM_P_ID15_INVALID);
	assert_int_equal(form_check_citizen_id("11010549123100X", today, out),
	    FORM_P_ID_CHARS);
	assert_int_equal(form_check_citizen_id("910105491231002", today, out),
	    FORM_P_ID_REGION);
}

/* ---- USCC ---------------------------------------------------------- */

/*
 * 91430111MA4L41YT1U (GB 32100's example), worked out with the alphabet
 * values (M 21, A 10, L 20, Y 30, T 26, U 27):
 *   values   9 1 4  3  0  1  1  1 21 10  4  20 4  1 30 26  1
 *   weights  1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
 *   products 9 3 36 81 0 26 16 17 420 290 100 260 32 24 300 780 28 = 2422
 *   2422 mod 31 = 4 (31 * 78 = 2418); (31 - 4) mod 31 = 27 -> 'U'.
 * Y1430111MA4L41YT1: first value 30 instead of 9, +21: 2443 mod 31 = 25,
 * 31 - 25 = 6 -> '6'. A1430111MA4L41YT1: +1: 2423 mod 31 = 5 -> 26 'T'.
 */
static void
test_uscc_valid(void **state)
{
	char exp[2] = "?";

	(void)state;
	assert_int_equal(form_check_uscc("91430111MA4L41YT1U", exp), FORM_P_OK);
	assert_string_equal(exp, "");
	assert_int_equal(form_check_uscc("Y1430111MA4L41YT16", exp), FORM_P_OK);
	assert_int_equal(
	    form_check_uscc("A1430111MA4L41YT1T", NULL), FORM_P_OK);
	/* Check value 0: 91430111MA4L41YT with P (23) in position 17 sums
	 * to 2394 + 28 * 23 = 3038 = 31 * 98, so (31 - 0) mod 31 = 0 -> '0'. */
	assert_int_equal(form_check_uscc("91430111MA4L41YTP0", exp), FORM_P_OK);
	assert_int_equal(form_uscc_check_char("91430111MA4L41YTP"), '0');
	assert_int_equal(form_uscc_check_char("91430111MA4L41YT1"), 'U');
	assert_int_equal(form_uscc_check_char("91430111MA4L41YT"), 0);
	assert_int_equal(form_uscc_check_char("91430111MA4L41IT1"), 0);
}

static void
test_uscc_wrong_check(void **state)
{
	char exp[2] = "";

	(void)state;
	assert_int_equal(
	    form_check_uscc("91430111MA4L41YT1A", exp), FORM_P_USCC_CHECK);
	assert_string_equal(exp, "U");
	assert_int_equal(
	    form_check_uscc("Y1430111MA4L41YT1U", exp), FORM_P_USCC_CHECK);
	assert_string_equal(exp, "6");
	assert_int_equal(
	    form_check_uscc("91430111MA4L41YT1A", NULL), FORM_P_USCC_CHECK);
	assert_int_equal(
	    form_pcode_severity(FORM_P_USCC_CHECK), FORM_SEV_WARNING);
}

static void
test_uscc_chars_length(void **state)
{
	char exp[2] = "";
	char *n = NULL;

	(void)state;
	/* I O S V Z are not in the alphabet, wherever they stand. */
	assert_int_equal(
	    form_check_uscc("91430111MA4L41IT1U", exp), FORM_P_USCC_CHARS);
	assert_int_equal(
	    form_check_uscc("91430111MA4L41OT1U", exp), FORM_P_USCC_CHARS);
	assert_int_equal(
	    form_check_uscc("91430111MA4L41ST1U", exp), FORM_P_USCC_CHARS);
	assert_int_equal(
	    form_check_uscc("91430111MA4L41VT1U", exp), FORM_P_USCC_CHARS);
	assert_int_equal(
	    form_check_uscc("91430111MA4L41YT1Z", exp), FORM_P_USCC_CHARS);
	assert_string_equal(exp, "");
	/* Lower case is refused by the check... */
	assert_int_equal(
	    form_check_uscc("91430111ma4l41yt1u", exp), FORM_P_USCC_CHARS);
	/* ...and upper-cased by the normaliser, full-width forms too. */
	assert_rc(
	    form_normalize(FORM_FT_USCC, "91430111ma4l41yt1u", 18, &n), 0);
	assert_string_equal(n, "91430111MA4L41YT1U");
	assert_int_equal(form_check_uscc(n, exp), FORM_P_OK);
	cm_free(n);
	norm_eq(FORM_FT_USCC,
	    "\xef\xbc\x99\xef\xbc\x91"
	    "430111\xef\xbd\x8d"
	    "A4L41YT1U",
	    "91430111MA4L41YT1U");
	/* Registration authority B, 0 and X are not in use. */
	assert_int_equal(
	    form_check_uscc("B1430111MA4L41YT1U", exp), FORM_P_USCC_CHARS);
	assert_int_equal(
	    form_check_uscc("01430111MA4L41YT1U", exp), FORM_P_USCC_CHARS);
	/* Lengths. */
	assert_int_equal(
	    form_check_uscc("91430111MA4L41YT1", exp), FORM_P_USCC_LENGTH);
	assert_int_equal(
	    form_check_uscc("91430111MA4L41YT1UU", exp), FORM_P_USCC_LENGTH);
	assert_int_equal(form_check_uscc("", exp), FORM_P_USCC_LENGTH);
	assert_int_equal(form_check_uscc(NULL, exp), FORM_P_USCC_LENGTH);
	/* 18 characters, one of them Chinese: a character problem. */
	assert_int_equal(form_check_uscc("91430111MA4L41YT1\xe5\xbc\xa0", exp),
	    FORM_P_USCC_CHARS);
}

/* ---- normalisation ------------------------------------------------- */

static void
test_norm_fullwidth(void **state)
{
	(void)state;
	/* Full-width digits and letters, U+3000 inside and around. */
	norm_eq(FORM_FT_CITIZEN_ID,
	    "\xe3\x80\x80\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91"
	    "\xef\xbc\x90\xef\xbc\x95\xe3\x80\x80"
	    "19491231002\xef\xbd\x98\xe3\x80\x80",
	    "11010519491231002X");
	norm_eq(FORM_FT_MOBILE,
	    "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98 0013 8000", "13800138000");
	/* Full-width hyphen-minus U+FF0D and full stop U+FF0E. */
	norm_eq(FORM_FT_DATE,
	    "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94\xef\xbc\x8d"
	    "01\xef\xbc\x8d"
	    "02",
	    "2024-01-02");
	norm_eq(FORM_FT_MONEY,
	    "\xef\xbc\x91,234\xef\xbc\x8e"
	    "50",
	    "1,234.50");
	/* U+FFE5 is outside U+FF01..U+FF5E and stays. */
	norm_eq(FORM_FT_MONEY, "\xef\xbf\xa5 1,234.50",
	    "\xef\xbf\xa5"
	    "1,234.50");
	norm_eq(FORM_FT_ELICENCE, "ab-12 34567", "AB-1234567");
	/* Text types keep full-width forms and inner spaces. */
	norm_eq(FORM_FT_TEXT, "\xef\xbc\x91 2", "\xef\xbc\x91 2");
	norm_eq(FORM_FT_ADDRESS,
	    "a  b\xe3\x80\x80"
	    "c",
	    "a  b\xe3\x80\x80"
	    "c");
	/* Only the three code types are upper-cased. */
	norm_eq(FORM_FT_LANDLINE, "0755-83001234 ", "0755-83001234");
	norm_eq(FORM_FT_TEXT, "abc", "abc");
	/* BOOL is kept as given. */
	norm_eq(FORM_FT_BOOL, " \xe6\x98\xaf ", "\xe6\x98\xaf");
	norm_eq(FORM_FT_BOOL, "Yes", "Yes");
}

static void
test_norm_trim(void **state)
{
	(void)state;
	norm_eq(FORM_FT_PERSON_NAME,
	    "\xe3\x80\x80\xe5\xbc\xa0\xe4\xb8\x89\xe3\x80\x80",
	    "\xe5\xbc\xa0\xe4\xb8\x89");
	/* NBSP, en quad, zero-width space, BOM, tab, CR LF at the ends. */
	norm_eq(FORM_FT_TEXT,
	    "\xc2\xa0\xe2\x80\x80\xe2\x80\x8b\xef\xbb\xbf\t\r\nx y"
	    "\r\n\t \xe3\x80\x80",
	    "x y");
	norm_eq(FORM_FT_TEXT, "", "");
	norm_eq(FORM_FT_TEXT, " \t\xe3\x80\x80 ", "");
	norm_eq(FORM_FT_INTEGER, "  ", "");
	norm_eq_len(FORM_FT_TEXT, NULL, 0, "");
}

static void
test_norm_nfc(void **state)
{
	(void)state;
	/* e + combining acute -> U+00E9. */
	norm_eq(FORM_FT_TEXT, "e\xcc\x81", "\xc3\xa9");
	norm_eq(FORM_FT_PERSON_NAME, "Jose\xcc\x81", "Jos\xc3\xa9");
	/* CJK compatibility ideograph U+F900 -> U+8C48 (both 豈). */
	norm_eq(FORM_FT_PERSON_NAME, "\xef\xa4\x80", "\xe8\xb1\x88");
	/* U+FA0E is a unified ideograph in the compatibility block: kept. */
	norm_eq(FORM_FT_TEXT, "\xef\xa8\x8e", "\xef\xa8\x8e");
	/* Hangul jamo compose. */
	norm_eq(FORM_FT_TEXT, "\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80");
	/* A control character between base and mark is removed first, so
	 * the result is composed. */
	norm_eq(FORM_FT_TEXT, "e\x01\xcc\x81", "\xc3\xa9");
	/* 𠮷 (U+20BB7) passes through. */
	norm_eq(FORM_FT_PERSON_NAME, "\xf0\xa0\xae\xb7", "\xf0\xa0\xae\xb7");
}

static void
test_norm_controls(void **state)
{
	(void)state;
	/* C0 (not tab), DEL and C1 (U+0080, U+009F) removed. */
	norm_eq(FORM_FT_TEXT,
	    "a\x01"
	    "b\x7f"
	    "c\xc2\x80"
	    "d\xc2\x9f"
	    "e\tf",
	    "abcde\tf");
	/* Line breaks: LF in text, a space in single-line types. */
	norm_eq(FORM_FT_TEXT, "a\r\nb\rc\nd", "a\nb\nc\nd");
	norm_eq(FORM_FT_ADDRESS, "a\r\nb\nc", "a b c");
	norm_eq(FORM_FT_MOBILE, "138\r\n0013\n8000", "13800138000");
	/* NUL bytes count in len and are removed in every type. */
	norm_eq_len(FORM_FT_TEXT, "a\0b", 3, "ab");
	norm_eq_len(FORM_FT_INTEGER,
	    "12\0"
	    "3",
	    4, "123");
	norm_eq_len(FORM_FT_CITIZEN_ID,
	    "\0"
	    "11010519491231002x\0",
	    20, "11010519491231002X");
	norm_eq_len(FORM_FT_TEXT, "\0\0\0", 3, "");
}

static void
test_norm_bad_utf8(void **state)
{
	char *out = NULL;

	(void)state;
	norm_bad(FORM_FT_TEXT, "\xff", 1);
	norm_bad(FORM_FT_TEXT, "abc\x80", 4);
	/* Overlong '/' and overlong NUL. */
	norm_bad(FORM_FT_TEXT, "\xc0\xaf", 2);
	norm_bad(FORM_FT_TEXT, "\xc0\x80", 2);
	norm_bad(FORM_FT_INTEGER, "\xe0\x80\xb1", 3);
	/* A UTF-16 surrogate (U+D800) encoded as UTF-8. */
	norm_bad(FORM_FT_PERSON_NAME, "\xed\xa0\x80", 3);
	/* Truncated sequence, and one beyond U+10FFFF. */
	norm_bad(FORM_FT_TEXT, "\xe5\xbc", 2);
	norm_bad(FORM_FT_TEXT, "\xf4\x90\x80\x80", 4);
	/* A valid string read past its NUL is still checked. */
	norm_bad(FORM_FT_TEXT, "a\0\xff", 3);
	assert_rc(form_normalize(FORM_FT_TEXT, "a", 1, NULL), CM_EINVAL);
	assert_rc(form_normalize(FORM_FT_TEXT, NULL, 1, &out), CM_EINVAL);
}

/* Large values are linear: a few MB of mixed input in one call each. */
static void
test_norm_large(void **state)
{
	size_t reps = 1u << 20, unit = 9, n = reps * unit;
	char *in = cm_malloc(n + 1);
	char *out = NULL;

	(void)state;
	assert_non_null(in);
	/* "１e\u0301\u3000" repeated: 9 bytes each. */
	for (size_t i = 0; i < reps; i++) {
		memcpy(in + i * unit,
		    "\xef\xbc\x91"
		    "e\xcc\x81\xe3\x80\x80",
		    unit);
	}
	in[n] = '\0';
	assert_rc(form_normalize(FORM_FT_TEXT, in, n, &out), 0);
	/* Each unit becomes "１" "é" U+3000 (8 bytes), minus the trailing
	 * U+3000. */
	assert_int_equal(strlen(out), reps * 8 - 3);
	cm_free(out);
	assert_rc(form_normalize(FORM_FT_INTEGER, in, n, &out), 0);
	/* "1" + "é" per unit. */
	assert_int_equal(strlen(out), reps * 3);
	cm_free(out);
	/* One base letter and a million combining marks. */
	in[0] = 'a';
	for (size_t i = 1; i + 1 < n / 4; i += 2) {
		in[i] = (char)0xcc;
		in[i + 1] = (char)0x81;
	}
	assert_rc(form_normalize(FORM_FT_TEXT, in, n / 4 - 1, &out), 0);
	assert_true(strncmp(out, "\xc3\xa1", 2) == 0);
	cm_free(out);
	cm_free(in);
}

/*
 * Make the nth allocation fail for n = 1, 2, ... until the call succeeds:
 * every failure must be CM_ENOMEM with *out NULL, and ASan checks that
 * nothing leaks on the way out.
 */
static void
norm_oom(enum form_ftype t, const char *s, const char *want)
{
	unsigned long n;

	for (n = 1; n < 20; n++) {
		char *out = (char *)&out;
		int rc;

		cm_alloc_fail_after(n, 0);
		rc = form_normalize(t, s, strlen(s), &out);
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			assert_string_equal(out, want);
			cm_free(out);
			break;
		}
		assert_rc(rc, CM_ENOMEM);
		assert_null(out);
	}
	assert_true(n > 1 && n < 20);
}

static void
test_norm_alloc_failure(void **state)
{
	char *out = NULL;

	(void)state;
	norm_oom(FORM_FT_TEXT, "abc", "abc");
	norm_oom(
	    FORM_FT_TEXT, " e\xcc\x81\xef\xa4\x80 ", "\xc3\xa9\xe8\xb1\x88");
	norm_oom(
	    FORM_FT_CITIZEN_ID, "11010519491231002x", "11010519491231002X");
	norm_oom(FORM_FT_MONEY, "\xef\xbf\xa5 1",
	    "\xef\xbf\xa5"
	    "1");
	/* Sticky: every allocation fails. */
	cm_alloc_fail_after(1, 1);
	assert_rc(form_normalize(FORM_FT_TEXT, "\xc3\xa9", 2, &out), CM_ENOMEM);
	cm_alloc_fail_after(0, 0);
	assert_null(out);
}

/* ---- person names -------------------------------------------------- */

static void
name_ok(const char *s, const char *want)
{
	char *out = NULL;

	assert_int_equal(form_check_person_name(s, &out), FORM_P_OK);
	assert_non_null(out);
	assert_string_equal(out, want);
	cm_free(out);
	assert_int_equal(form_check_person_name(s, NULL), FORM_P_OK);
}

static void
name_bad(const char *s, enum form_pcode want)
{
	char *out = (char *)&out;

	assert_int_equal(form_check_person_name(s, &out), want);
	assert_null(out);
}

static void
test_name_chinese(void **state)
{
	(void)state;
	name_ok("张三", "张三");
	/* 𠮷 U+20BB7 (extension B), and 〇. */
	name_ok("\xf0\xa0\xae\xb7\xe6\xb0\xb8", "\xf0\xa0\xae\xb7\xe6\xb0\xb8");
	name_ok("李〇", "李〇");
	/* Extension A U+3400, extension G U+30000, H U+31350. */
	name_ok("\xe3\x90\x80", "\xe3\x90\x80");
	name_ok("\xf0\xb0\x80\x80", "\xf0\xb0\x80\x80");
	name_ok("\xf0\xb1\x8d\x90", "\xf0\xb1\x8d\x90");
	/* A compatibility ideograph that NFC keeps (U+FA0E). */
	name_ok("\xef\xa8\x8e", "\xef\xa8\x8e");
	assert_true(form_is_cjk_ideograph(0x20bb7));
	assert_true(form_is_cjk_ideograph(0x9fff));
	assert_true(form_is_cjk_ideograph(0x2ee5f));
	assert_true(form_is_cjk_ideograph(0x3007));
	assert_false(form_is_cjk_ideograph(0x3006));
	assert_false(form_is_cjk_ideograph(0x2a6e0));
	assert_false(form_is_cjk_ideograph(0x3000));
	assert_false(form_is_cjk_ideograph('A'));
}

/* Both ends of every block, and the code points just outside. */
static void
test_cjk_ranges(void **state)
{
	static const uint32_t in[] = {0x3400, 0x4dbf, 0x4e00, 0x9fff, 0xf900,
	    0xfaff, 0x20000, 0x2a6df, 0x2a700, 0x2b73f, 0x2b740, 0x2b81f,
	    0x2b820, 0x2ceaf, 0x2ceb0, 0x2ebef, 0x2ebf0, 0x2ee5f, 0x2f800,
	    0x2fa1f, 0x30000, 0x3134f, 0x31350, 0x323af};
	static const uint32_t out[] = {0x33ff, 0x4dc0, 0x4dff, 0xa000, 0xf8ff,
	    0xfb00, 0x1ffff, 0x2a6e0, 0x2a6ff, 0x2ee60, 0x2f7ff, 0x2fa20,
	    0x2ffff, 0x323b0, 0xe0100};

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		if (!form_is_cjk_ideograph(in[i])) {
			fail_msg("U+%04X refused", (unsigned)in[i]);
		}
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		if (form_is_cjk_ideograph(out[i])) {
			fail_msg("U+%04X accepted", (unsigned)out[i]);
		}
	}
}

static void
test_name_dots(void **state)
{
	(void)state;
	name_ok("买买提·艾力", "买买提·艾力");
	/* U+2022, U+30FB, U+FF65, U+2027, U+2219, U+22C5, U+FF0E, '.'. */
	name_ok("买买提\xe2\x80\xa2艾力", "买买提·艾力");
	name_ok("买买提\xe3\x83\xbb艾力", "买买提·艾力");
	name_ok("买买提\xef\xbd\xa5艾力", "买买提·艾力");
	name_ok("买买提\xe2\x80\xa7艾力", "买买提·艾力");
	name_ok("买买提\xe2\x88\x99艾力", "买买提·艾力");
	name_ok("买买提\xe2\x8b\x85艾力", "买买提·艾力");
	name_ok("买买提\xef\xbc\x8e艾力", "买买提·艾力");
	name_ok("买买提.艾力", "买买提·艾力");
	name_ok("阿卜杜拉·买买提·艾力", "阿卜杜拉·买买提·艾力");
	name_ok("John.Smith", "John·Smith");
	name_bad("·张三", FORM_P_NAME_DOT);
	name_bad("张三·", FORM_P_NAME_DOT);
	name_bad(".张三", FORM_P_NAME_DOT);
	name_bad("买买提··艾力", FORM_P_NAME_DOT);
	name_bad("买买提·\xe2\x80\xa2艾力", FORM_P_NAME_DOT);
	name_bad("·", FORM_P_NAME_DOT);
	/* A character problem wins over a dot problem. */
	name_bad("·张3", FORM_P_NAME_CHARS);
}

static void
test_name_latin_and_bad(void **state)
{
	(void)state;
	name_ok("John Smith", "John Smith");
	name_ok("John  Smith", "John Smith");
	name_ok("John\xe3\x80\x80Smith", "John Smith");
	name_ok("Jos\xc3\xa9 M\xc3\xbcller", "Jos\xc3\xa9 M\xc3\xbcller");
	/* Ł U+0141 (Latin Extended-A). */
	name_ok("\xc5\x81ukasz", "\xc5\x81ukasz");
	name_ok("张John", "张John");
	name_bad("张 三", FORM_P_NAME_CHARS);
	name_bad("John 张", FORM_P_NAME_CHARS);
	name_bad("John \xc2\xb7Smith", FORM_P_NAME_CHARS);
	name_bad("John\xc2\xb7 Smith", FORM_P_NAME_CHARS);
	name_bad("张三3", FORM_P_NAME_CHARS);
	name_bad("张三\xf0\x9f\x98\x80", FORM_P_NAME_CHARS); /* emoji */
	name_bad("O''Brien", FORM_P_NAME_CHARS); /* a joiner stands alone */
	name_ok("O'Brien", "O'Brien");
	name_bad("A\xc3\x97"
	         "B",
	    FORM_P_NAME_CHARS);                          /* × */
	name_bad("张三\xe3\x80\x82", FORM_P_NAME_CHARS); /* 。 */
	name_bad("", FORM_P_NAME_CHARS);
	name_bad(" John", FORM_P_NAME_CHARS);
	name_bad("John ", FORM_P_NAME_CHARS);
	name_bad("\xff", FORM_P_NAME_CHARS);
	name_bad(NULL, FORM_P_NAME_CHARS);
}

static void
test_name_alloc_failure(void **state)
{
	char *out = (char *)&out;

	(void)state;
	cm_alloc_fail_after(1, 0);
	assert_int_equal(form_check_person_name("张三", &out), FORM_P_OK);
	cm_alloc_fail_after(0, 0);
	assert_null(out);
}

/* ---- telephone numbers --------------------------------------------- */

static void
test_mobile(void **state)
{
	(void)state;
	assert_int_equal(form_check_mobile("13800138000"), FORM_P_OK);
	assert_int_equal(form_check_mobile("19912345678"), FORM_P_OK);
	assert_int_equal(form_check_mobile("12800138000"), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile("10800138000"), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile("23800138000"), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile("1380013800"), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile("138001380001"), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile("1380013800a"), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile("138-0013-800"), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile(""), FORM_P_MOBILE);
	assert_int_equal(form_check_mobile(NULL), FORM_P_MOBILE);
}

static void
test_landline(void **state)
{
	static const char *const good[] = {"010-62345678", "01062345678",
	    "0755-83001234", "075583001234", "0755-8300123", "02583001234",
	    "0755-83001234-123", "0755-83001234-1", "0755-83001234-123456",
	    "010-62345678-8", "400-123-4567", "4001234567", "400-1234567",
	    "800-123-4567", "8008101234"};
	static const char *const bad[] = {"", "010-12345678", "010-02345678",
	    "755-83001234", "0755-830012", "0755-830012345", "0755830012345",
	    "0755-83001234-1234567", "0755-83001234-", "0755--83001234",
	    "0-83001234", "07555-83001234", "(0755)83001234", "13800138000",
	    "500-123-4567", "400-123-456", "400-12-34567", "400-123-45678",
	    "40012345678", "400-123-4567-1", "0755-8300a234"};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (form_check_landline(good[i]) != FORM_P_OK) {
			fail_msg("landline %s refused", good[i]);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (form_check_landline(bad[i]) != FORM_P_LANDLINE) {
			fail_msg("landline %s accepted", bad[i]);
		}
	}
	assert_int_equal(form_check_landline(NULL), FORM_P_LANDLINE);
}

/* ---- dates, integers, money ---------------------------------------- */

static void
test_date(void **state)
{
	int32_t d = -1;

	(void)state;
	assert_int_equal(form_parse_date("2024-02-29", &d), FORM_P_OK);
	assert_int_equal(d, ow_day("2024-02-29"));
	assert_int_equal(form_parse_date("1970-01-01", &d), FORM_P_OK);
	assert_int_equal(d, 0);
	assert_int_equal(form_parse_date("2023-02-29", &d), FORM_P_DATE);
	assert_int_equal(form_parse_date("2024-2-29", &d), FORM_P_DATE);
	assert_int_equal(form_parse_date("20240229", &d), FORM_P_DATE);
	assert_int_equal(form_parse_date("2024-02-29 ", &d), FORM_P_DATE);
	assert_int_equal(form_parse_date("2024/02/29", &d), FORM_P_DATE);
	assert_int_equal(form_parse_date("", &d), FORM_P_DATE);
	assert_int_equal(form_parse_date(NULL, &d), FORM_P_DATE);
}

static void
int_ok(const char *s, int64_t want)
{
	int64_t v = 12345;

	assert_int_equal(form_parse_integer(s, &v), FORM_P_OK);
	assert_true(v == want);
}

static void
test_integer(void **state)
{
	static const char *const bad[] = {"", "-", "+1", "1e5", "1.0", " 1",
	    "1 ", "0x10", "--1", "1-", "9223372036854775808",
	    "-9223372036854775809", "99999999999999999999999",
	    "18446744073709551616", "\xef\xbc\x91"};
	int64_t v;

	(void)state;
	int_ok("0", 0);
	int_ok("-0", 0);
	int_ok("42", 42);
	int_ok("-42", -42);
	int_ok("007", 7);
	int_ok("9223372036854775807", INT64_MAX);
	int_ok("-9223372036854775808", INT64_MIN);
	int_ok("0000000000000000000000000001", 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (form_parse_integer(bad[i], &v) != FORM_P_INTEGER) {
			fail_msg("integer %s accepted", bad[i]);
		}
	}
	assert_int_equal(form_parse_integer(NULL, &v), FORM_P_INTEGER);
}

static void
money_ok(const char *s, int64_t want)
{
	int64_t fen = -1;

	if (form_parse_money(s, &fen) != FORM_P_OK) {
		fail_msg("money %s refused", s);
	}
	assert_true(fen == want);
}

static void
test_money_parse(void **state)
{
	static const char *const bad[] = {"", "-1", "-0", "1e5", "12.", ".5",
	    "12.345", "12,34", "1,2345", "1234,567", ",123", "1,234,", "1,,234",
	    "1,234.5.6", "12.3a", "\xc2\xa5", "\xc2\xa5\xc2\xa5\x31", /* ¥¥1 */
	    "1\xc2\xa5", "$12", "12\xe5\x85\x83", "+12", "1 234",
	    "92233720368547758.08", "92233720368547759", "99999999999999999999",
	    "1,000,000,000,000,000,000"};
	int64_t fen;

	(void)state;
	money_ok("12", 1200);
	money_ok("12.5", 1250);
	money_ok("12.50", 1250);
	money_ok("0.05", 5);
	money_ok("0", 0);
	money_ok("0.00", 0);
	money_ok("1234567", 123456700);
	money_ok("1,234.50", 123450);
	money_ok("\xc2\xa5"
	         "1,234.50",
	    123450); /* ¥ */
	money_ok("\xef\xbf\xa5"
	         "1,234.50",
	    123450); /* ￥ */
	money_ok("1,234,567.89", 123456789);
	money_ok("999", 99900);
	money_ok("92233720368547758.07", INT64_MAX);
	money_ok("92,233,720,368,547,758.07", INT64_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (form_parse_money(bad[i], &fen) != FORM_P_MONEY) {
			fail_msg("money %s accepted", bad[i]);
		}
	}
	assert_int_equal(form_parse_money(NULL, &fen), FORM_P_MONEY);
}

static void
test_money_format(void **state)
{
	char buf[32];
	int64_t fen;

	(void)state;
	assert_string_equal(
	    form_format_money(123456, buf, sizeof(buf)), "1234.56");
	assert_string_equal(form_format_money(5, buf, sizeof(buf)), "0.05");
	assert_string_equal(form_format_money(-5, buf, sizeof(buf)), "-0.05");
	assert_string_equal(form_format_money(0, buf, sizeof(buf)), "0.00");
	assert_string_equal(form_format_money(100, buf, sizeof(buf)), "1.00");
	assert_string_equal(
	    form_format_money(-123456, buf, sizeof(buf)), "-1234.56");
	assert_string_equal(form_format_money(INT64_MAX, buf, sizeof(buf)),
	    "92233720368547758.07");
	assert_string_equal(form_format_money(INT64_MIN, buf, sizeof(buf)),
	    "-92233720368547758.08");
	/* A small buffer is cut, not overrun. */
	assert_string_equal(form_format_money(123456, buf, 4), "123");
	/* Round trip. */
	assert_int_equal(
	    form_parse_money(form_format_money(98765, buf, sizeof(buf)), &fen),
	    FORM_P_OK);
	assert_true(fen == 98765);
}

/* ---- bool, region, e-licence --------------------------------------- */

static void
test_bool(void **state)
{
	static const char *const yes[] = {"yes", "YES", "Yes", "y", "Y", "true",
	    "TRUE", "True", "1", "是", "有"};
	static const char *const no[] = {
	    "no", "NO", "n", "N", "false", "False", "0", "否", "无"};
	static const char *const bad[] = {"", "yes ", "ye", "yess", "2", "ok",
	    "对", "不", "00", "t", "\xef\xbd\x99"};
	bool v;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		v = false;
		assert_int_equal(form_parse_bool(yes[i], &v), FORM_P_OK);
		assert_true(v);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		v = true;
		assert_int_equal(form_parse_bool(no[i], &v), FORM_P_OK);
		assert_false(v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (form_parse_bool(bad[i], &v) != FORM_P_BOOL) {
			fail_msg("bool %s accepted", bad[i]);
		}
	}
	assert_int_equal(form_parse_bool(NULL, &v), FORM_P_BOOL);
}

static void
test_region(void **state)
{
	(void)state;
	assert_int_equal(form_check_region("110000"), FORM_P_OK);
	assert_int_equal(form_check_region("440308"), FORM_P_OK);
	assert_int_equal(form_check_region("650102"), FORM_P_OK);
	assert_int_equal(form_check_region("820000"), FORM_P_OK);
	assert_int_equal(form_check_region("000000"), FORM_P_REGION);
	assert_int_equal(form_check_region("910000"), FORM_P_REGION);
	assert_int_equal(form_check_region("160000"), FORM_P_REGION);
	assert_int_equal(form_check_region("11000"), FORM_P_REGION);
	assert_int_equal(form_check_region("1100000"), FORM_P_REGION);
	assert_int_equal(form_check_region("11000a"), FORM_P_REGION);
	assert_int_equal(form_check_region(""), FORM_P_REGION);
	assert_int_equal(form_check_region(NULL), FORM_P_REGION);
}

static void
test_elicence(void **state)
{
	char s[66];

	(void)state;
	assert_int_equal(form_check_elicence("1234567890"), FORM_P_OK);
	assert_int_equal(form_check_elicence("ABC-123-XYZ"), FORM_P_OK);
	assert_int_equal(form_check_elicence("ABCDEFGHIJ"), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence("-123456789"), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence("123456789-"), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence("123456789"), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence("abc1234567"), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence("ABC_123456"), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence("ABC 123456"), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence(""), FORM_P_ELICENCE);
	assert_int_equal(form_check_elicence(NULL), FORM_P_ELICENCE);
	memset(s, 'A', 64);
	s[0] = '1';
	s[64] = '\0';
	assert_int_equal(form_check_elicence(s), FORM_P_OK);
	s[64] = 'A';
	s[65] = '\0';
	assert_int_equal(form_check_elicence(s), FORM_P_ELICENCE);
}

static void
test_foreign_names_and_grouping(void **state)
{
	char *out = NULL;
	int64_t fen;

	(void)state;
	assert_int_equal(
	    form_check_person_name("Anne-Marie Dupont", &out), FORM_P_OK);
	assert_string_equal(out, "Anne-Marie Dupont");
	cm_free(out);
	assert_int_equal(
	    form_check_person_name("O\u2019Brien", &out), FORM_P_OK);
	assert_string_equal(out, "O'Brien");
	cm_free(out);
	assert_int_equal(
	    form_check_person_name("Nguy\u1ec5n V\u0103n An", &out), FORM_P_OK);
	cm_free(out);
	assert_int_equal(
	    form_check_person_name("-Anne", NULL), FORM_P_NAME_CHARS);
	assert_int_equal(
	    form_check_person_name("Anne-", NULL), FORM_P_NAME_CHARS);
	assert_int_equal(
	    form_check_person_name("Anne--Marie", NULL), FORM_P_NAME_CHARS);
	assert_int_equal(
	    form_check_person_name("Anne- Marie", NULL), FORM_P_NAME_CHARS);
	assert_int_equal(
	    form_check_person_name("张-三", NULL), FORM_P_NAME_CHARS);
	assert_int_equal(form_parse_money("0,123", &fen), FORM_P_MONEY);
	assert_int_equal(form_parse_money("1,234.50", &fen), FORM_P_OK);
	assert_int_equal(fen, 123450);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_foreign_names_and_grouping),
	    cmocka_unit_test(test_id_valid),
	    cmocka_unit_test(test_id_check_char),
	    cmocka_unit_test(test_id_wrong_check),
	    cmocka_unit_test(test_id_lower_x),
	    cmocka_unit_test(test_id_dates),
	    cmocka_unit_test(test_id_region_chars_length),
	    cmocka_unit_test(test_id15),
	    cmocka_unit_test(test_uscc_valid),
	    cmocka_unit_test(test_uscc_wrong_check),
	    cmocka_unit_test(test_uscc_chars_length),
	    cmocka_unit_test(test_norm_fullwidth),
	    cmocka_unit_test(test_norm_trim),
	    cmocka_unit_test(test_norm_nfc),
	    cmocka_unit_test(test_norm_controls),
	    cmocka_unit_test(test_norm_bad_utf8),
	    cmocka_unit_test(test_norm_large),
	    cmocka_unit_test(test_norm_alloc_failure),
	    cmocka_unit_test(test_name_chinese),
	    cmocka_unit_test(test_cjk_ranges),
	    cmocka_unit_test(test_name_dots),
	    cmocka_unit_test(test_name_latin_and_bad),
	    cmocka_unit_test(test_name_alloc_failure),
	    cmocka_unit_test(test_mobile),
	    cmocka_unit_test(test_landline),
	    cmocka_unit_test(test_date),
	    cmocka_unit_test(test_integer),
	    cmocka_unit_test(test_money_parse),
	    cmocka_unit_test(test_money_format),
	    cmocka_unit_test(test_bool),
	    cmocka_unit_test(test_region),
	    cmocka_unit_test(test_elicence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
