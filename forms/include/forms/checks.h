/*
 * checks.h: normalisation and the checks of single values, by field type.
 *
 * These are pure functions on NUL-terminated UTF-8 strings. The validation
 * engine (validate.h) calls form_normalize() on every raw value, then the
 * check for the field's type, and turns the codes into report entries.
 * Each check returns FORM_P_OK or the problem code that describes what is
 * wrong; a value can have only one type problem (the first found).
 */
#ifndef FORM_CHECKS_H
#define FORM_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/catalog.h"
#include "forms/problem.h"

/*
 * Normalise a raw value in[0..len) (need not be NUL-terminated) for a
 * field of type t:
 * - every type: reject malformed UTF-8 (CM_EUTF8: overlongs, surrogates,
 *   truncated sequences); Unicode NFC; trim leading and trailing white
 *   space (ASCII space, tab, CR, LF, U+00A0, U+1680, U+2000..U+200B,
 *   U+2028, U+2029, U+202F, U+205F, U+3000 ideographic space, U+FEFF);
 *   control characters (C0 other than tab, DEL, C1) removed. An embedded
 *   NUL byte counts in len and is such a control character: it is removed
 *   in every type, so "12\0" reads as "12".
 * - Line breaks (CR LF, CR, LF) become LF in TEXT, the one multi-line
 *   type, and a space in every other type. For single-line types inner
 *   runs of white space are kept as is.
 * - ID and number types (CITIZEN_ID, USCC, MOBILE, LANDLINE, INTEGER,
 *   MONEY, DATE, REGION, ELICENCE): full-width digits, letters and
 *   punctuation (U+FF01..U+FF5E) to ASCII, inner white space removed;
 *   CITIZEN_ID and USCC and ELICENCE upper-cased (ASCII letters only).
 *   U+FFE5 ￥ is outside that block and stays (form_parse_money takes it).
 * - BOOL: "是/否", "yes/no", "true/false", "y/n", "1/0" kept as given
 *   (form_parse_bool decides).
 * Linear in len. Returns 0 with *out (caller frees with cm_free), CM_EUTF8,
 * CM_EINVAL (out NULL, or in NULL with len > 0) or CM_ENOMEM; *out is
 * NULL on failure.
 */
int form_normalize(enum form_ftype t, const char *in, size_t len, char **out);

/*
 * Citizen ID (GB 11643-1999). s is normalised; a lower-case 'x' is
 * accepted too. On FORM_P_OK out holds the canonical 18 characters
 * (upper-case X). A 15-digit legacy number with a real birth date is
 * upgraded (19 inserted before the year, check computed): the return is
 * FORM_P_ID15_UPGRADED and out holds the new number; one with an
 * impossible (or future) date gives FORM_P_ID15_INVALID. The birth date
 * must exist, be in 1900 or later, and not be after today (a day number,
 * common/date.h). Region: the first two digits must be a province code of
 * GB/T 2260 (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82, 83
 * Taiwan residents' permits, 91 is not valid).
 * Problems in this order: ID_LENGTH (neither 15 nor 18 characters),
 * ID_CHARS, ID_REGION, ID_BIRTH, ID_FUTURE, ID_CHECK; a 15-character value
 * with a non-digit gives ID_CHARS, with a bad region ID_REGION. On
 * FORM_P_ID_CHECK the right character is form_citizen_id_check_char(s).
 * out may be NULL; it holds "" on every other return.
 */
enum form_pcode form_check_citizen_id(
    const char *s, int32_t today, char out[19]);

/* The check character (GB 11643) of the first 17 digits of s ('0'..'9'
 * or 'X'), or 0 if one of them is not a digit. */
char form_citizen_id_check_char(const char *s17);

/*
 * USCC (GB 32100-2015). s is normalised (upper case). USCC_LENGTH unless
 * 18 characters; USCC_CHARS for a character outside the alphabet (I, O,
 * S, V, Z and lower case included) or a first character (registration
 * authority) other than 1..9, A, N, Y. FORM_P_USCC_CHECK (a warning) is
 * returned when only the check character is wrong; expected (2 bytes, may
 * be NULL) then holds the right one, and "" on every other return.
 */
enum form_pcode form_check_uscc(const char *s, char expected[2]);

/* The USCC check character of the first 17 characters, or 0 if one of them
 * is outside the alphabet. */
char form_uscc_check_char(const char *s17);

/* 11 digits, 1[3-9]xxxxxxxxx. */
enum form_pcode form_check_mobile(const char *s);

/* Area code 0 + 2..3 digits, "-" optional, then 7..8 digits, optional
 * extension "-1..6 digits"; or a 400/800 service number. */
enum form_pcode form_check_landline(const char *s);

/*
 * Person name: Chinese (all CJK unified ideograph blocks, including the
 * extensions B..I and compatibility ideographs, e.g. 𠮷, and 〇), Latin
 * letters (ASCII, Latin-1, Latin Extended-A and -B, and Latin Extended
 * Additional for Vietnamese), spaces between Latin words, a hyphen or
 * apostrophe (U+2019 becomes ') between two Latin letters (Anne-Marie,
 * O'Brien), and one middle dot between parts (·, and its variants
 * U+00B7, U+30FB, U+FF65, U+2022, U+2027, U+2219, U+22C5, U+FF0E, "."
 * which are canonicalised to U+00B7 in out). A space (U+0020, U+00A0 or
 * U+3000; a run counts as one and becomes one U+0020 in out) may stand
 * only between two Latin letters. Any other character gives NAME_CHARS
 * (also the empty name); a dot at either end or next to another dot gives
 * NAME_DOT (NAME_CHARS wins when both apply). Length is checked by the
 * engine. On FORM_P_OK out receives the canonical form (caller frees with
 * cm_free); if that allocation fails *out is NULL although FORM_P_OK is
 * returned, and the caller must treat that as out of memory. *out is NULL
 * on every other return. NULL out means no canonical form wanted.
 */
enum form_pcode form_check_person_name(const char *s, char **out);

/* ISO date, strict YYYY-MM-DD of a real day; *day set on FORM_P_OK. */
enum form_pcode form_parse_date(const char *s, int32_t *day);

/* Decimal integer within int64: an optional '-' (no '+'), then digits
 * (leading zeros allowed; "-0" is 0); *v set on FORM_P_OK. */
enum form_pcode form_parse_integer(const char *s, int64_t *v);

/* Yuan with at most 2 decimals ("12", "12.5", "12.50", optional leading
 * "¥" or "￥" and thousands commas "1,234.00", each group of exactly three
 * digits); *fen set on FORM_P_OK. At least one digit before the point
 * (".5" and "12." are refused). Negative amounts, exponents and amounts
 * beyond INT64_MAX fen are refused. */
enum form_pcode form_parse_money(const char *s, int64_t *fen);

/* Format fen as yuan "1234.50" ("-0.05" for -5, no thousands commas) into
 * buf (at least 32 bytes; snprintf truncation otherwise). Returns buf. */
char *form_format_money(int64_t fen, char *buf, size_t size);

/* 6-digit GB/T 2260 region code with a valid province prefix (as for
 * citizen IDs). A province-level code such as "110000" is valid; "000000"
 * and every other code without a province prefix are refused. */
enum form_pcode form_check_region(const char *s);

/* yes/no in its accepted spellings: yes/no, y/n, true/false (Latin in any
 * case), 1/0, 是/否, 有/无; *v set on FORM_P_OK. */
enum form_pcode form_parse_bool(const char *s, bool *v);

/*
 * E-licence number (电子证照编号): 10..64 characters of [0-9A-Z-], at least
 * one digit, not beginning or ending with '-'.
 */
enum form_pcode form_check_elicence(const char *s);

/* True for the code points allowed in a person name's Chinese part: the
 * CJK unified and compatibility ideograph blocks and U+3007 〇. */
bool form_is_cjk_ideograph(uint32_t cp);

#endif
