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
 * Normalise a raw value for a field of type t:
 * - every type: reject malformed UTF-8 (CM_EUTF8); Unicode NFC; trim
 *   leading and trailing white space (ASCII, U+3000 ideographic space,
 *   other Unicode spaces); control characters other than tab removed from
 *   text; for single-line types, inner runs of white space kept as is.
 * - ID and number types (CITIZEN_ID, USCC, MOBILE, LANDLINE, INTEGER,
 *   MONEY, DATE, REGION, ELICENCE): full-width digits, letters and
 *   punctuation (U+FF01..U+FF5E) to ASCII, inner spaces removed; CITIZEN_ID
 *   and USCC and ELICENCE upper-cased.
 * - BOOL: "是/否", "yes/no", "true/false", "y/n", "1/0" kept as given
 *   (form_parse_bool decides).
 * Returns 0 with *out (caller frees with cm_free), CM_EUTF8 or CM_ENOMEM.
 */
int form_normalize(enum form_ftype t, const char *in, size_t len, char **out);

/*
 * Citizen ID (GB 11643-1999). s is normalised (upper-case X). On FORM_P_OK
 * out holds the canonical 18 characters. A 15-digit legacy number with a
 * real birth date is upgraded (19 inserted before the year, check
 * computed): the return is FORM_P_ID15_UPGRADED and out holds the new
 * number; one with an impossible date gives FORM_P_ID15_INVALID. The birth
 * date must exist and not be after today (a day number, common/date.h).
 * Region: the first two digits must be a province code of GB/T 2260
 * (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82, 83 Taiwan
 * residents' permits, 91 is not valid).
 */
enum form_pcode form_check_citizen_id(const char *s, int32_t today,
    char out[19]);

/* The check character (GB 11643) of the first 17 digits of s. */
char form_citizen_id_check_char(const char *s17);

/*
 * USCC (GB 32100-2015). s is normalised (upper case). FORM_P_USCC_CHECK is
 * returned when only the check character is wrong; expected (2 bytes) then
 * holds the right one.
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
 * extensions B..I and compatibility ideographs, e.g. 𠮷), Latin letters,
 * spaces between Latin words, and one middle dot between parts (·, and
 * its variants U+00B7, U+30FB, U+FF65, U+2022, U+2027, U+2219, U+22C5,
 * U+FF0E, "." which are canonicalised to U+00B7 in out). Length is checked
 * by the engine. out receives the canonical form (caller frees with
 * cm_free); NULL out means no canonical form wanted.
 */
enum form_pcode form_check_person_name(const char *s, char **out);

/* ISO date; *day set on FORM_P_OK. */
enum form_pcode form_parse_date(const char *s, int32_t *day);

/* Signed decimal integer within int64; *v set on FORM_P_OK. */
enum form_pcode form_parse_integer(const char *s, int64_t *v);

/* Yuan with at most 2 decimals ("12", "12.5", "12.50", optional leading
 * "¥" or "￥" and thousands commas "1,234.00"); *fen set on FORM_P_OK.
 * Negative amounts are refused. */
enum form_pcode form_parse_money(const char *s, int64_t *fen);

/* Format fen as yuan "1234.50" into buf (at least 32 bytes). */
char *form_format_money(int64_t fen, char *buf, size_t size);

/* 6-digit GB/T 2260 region code: a valid province prefix (as for citizen
 * IDs); "000000" and other codes with a valid prefix but a zero province
 * part are refused. */
enum form_pcode form_check_region(const char *s);

/* yes/no in its accepted spellings; *v set on FORM_P_OK. */
enum form_pcode form_parse_bool(const char *s, bool *v);

/*
 * E-licence number (电子证照编号): 10..64 characters of [0-9A-Z-], at least
 * one digit, not beginning or ending with '-'.
 */
enum form_pcode form_check_elicence(const char *s);

/* True for the code points allowed in a person name's Chinese part. */
bool form_is_cjk_ideograph(uint32_t cp);

#endif
