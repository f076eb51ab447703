/*
 * test_width.c: display widths (tui/width.h): wcwidth's answers, the CJK
 * fallback where glibc 2.36 says -1 (Extensions H and I), controls,
 * invalid bytes, and tui_fit never writing half a character.
 *
 * main() sets the C.UTF-8 locale, as ow-desk does at start-up.
 */
#include "testutil.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "common/utf8.h"
#include "tui/width.h"

static void
test_cp_width_known(void **state)
{
	(void)state;
	assert_int_equal(tui_cp_width('A'), 1);
	assert_int_equal(tui_cp_width(' '), 1);
	assert_int_equal(tui_cp_width(0xe9), 1);    /* é */
	assert_int_equal(tui_cp_width(0xb7), 1);    /* · ambiguous: 1 */
	assert_int_equal(tui_cp_width(0x5f20), 2);  /* 张 */
	assert_int_equal(tui_cp_width(0x3400), 2);  /* Extension A */
	assert_int_equal(tui_cp_width(0x20bb7), 2); /* 𠮷, Extension B */
	assert_int_equal(tui_cp_width(0x2a700), 2); /* Extension C */
	assert_int_equal(tui_cp_width(0x2b740), 2); /* Extension D */
	assert_int_equal(tui_cp_width(0x2b820), 2); /* Extension E */
	assert_int_equal(tui_cp_width(0x2ceb0), 2); /* Extension F */
	assert_int_equal(tui_cp_width(0x30000), 2); /* Extension G */
	assert_int_equal(tui_cp_width(0xf900), 2);  /* compatibility */
	assert_int_equal(tui_cp_width(0x2f800), 2); /* compat. supplement */
	assert_int_equal(tui_cp_width(0xac00), 2);  /* 가 */
	assert_int_equal(tui_cp_width(0xd7a3), 2);
	assert_int_equal(tui_cp_width(0x3000), 2); /* ideographic space */
	assert_int_equal(tui_cp_width(0x3002), 2); /* 。 */
	assert_int_equal(tui_cp_width(0x3042), 2); /* あ */
	assert_int_equal(tui_cp_width(0x30a2), 2); /* ア */
	assert_int_equal(tui_cp_width(0xff01), 2); /* ！ */
	assert_int_equal(tui_cp_width(0xff10), 2); /* １ */
	assert_int_equal(tui_cp_width(0xff60), 2);
	assert_int_equal(tui_cp_width(0xff61), 1); /* half-width 。 */
	assert_int_equal(tui_cp_width(0xffe0), 2);
	assert_int_equal(tui_cp_width(0xffe6), 2);
	assert_int_equal(tui_cp_width(0x301), 0); /* combining acute */
	assert_int_equal(tui_cp_width(0x200b), 0);
}

/* glibc 2.36's wcwidth() returns -1 for these: the table decides. */
static void
test_cp_width_newer_than_libc(void **state)
{
	(void)state;
	assert_int_equal(tui_cp_width(0x31350), 2); /* Extension H, first */
	assert_int_equal(tui_cp_width(0x323af), 2); /* Extension H, last */
	assert_int_equal(tui_cp_width(0x2ebf0), 2); /* Extension I, first */
	assert_int_equal(tui_cp_width(0x2ee5d), 2); /* Extension I, last */
	assert_int_equal(tui_cp_width(0x323b0), 2); /* plane 3, unassigned */
	assert_int_equal(tui_cp_width(0x2fffd), 2); /* plane 2, unassigned */
	assert_int_equal(tui_cp_width(0x3100), 2);  /* Bopomofo, unassigned */
	/* Printable but unknown outside the CJK blocks: 1. */
	assert_int_equal(tui_cp_width(0x378), 1);
	assert_int_equal(tui_cp_width(0xff0), 1);
	assert_int_equal(tui_cp_width(0xe0080), 1);
}

static void
test_cp_width_controls_and_invalid(void **state)
{
	(void)state;
	assert_int_equal(tui_cp_width(0), 0);
	assert_int_equal(tui_cp_width('\n'), 0);
	assert_int_equal(tui_cp_width('\t'), 0);
	assert_int_equal(tui_cp_width(0x1b), 0);
	assert_int_equal(tui_cp_width(0x7f), 0);
	assert_int_equal(tui_cp_width(0x80), 0);
	assert_int_equal(tui_cp_width(0x85), 0);
	assert_int_equal(tui_cp_width(0x9f), 0);
	assert_int_equal(tui_cp_width(0xa0), 1);
	assert_int_equal(tui_cp_width(0xd800), 1);
	assert_int_equal(tui_cp_width(0x110000), 1);
}

/* Without a UTF-8 locale wcwidth knows nothing past ASCII; the CJK blocks
 * are still 2 columns. */
static void
test_cp_width_c_locale(void **state)
{
	(void)state;
	assert_non_null(setlocale(LC_ALL, "C"));
	assert_int_equal(tui_cp_width('A'), 1);
	assert_int_equal(tui_cp_width(0x5f20), 2);
	assert_int_equal(tui_cp_width(0x31350), 2);
	assert_int_equal(tui_cp_width(0xe9), 1);
	assert_int_equal(tui_cp_width(0x1b), 0);
	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	assert_int_equal(tui_cp_width(0x5f20), 2);
}

static void
test_str_width(void **state)
{
	(void)state;
	assert_int_equal(tui_str_width(""), 0);
	assert_int_equal(tui_str_width("abc"), 3);
	assert_int_equal(tui_str_width("张三"), 4);
	assert_int_equal(tui_str_width("欧阳娜娜"), 8);
	assert_int_equal(tui_str_width("买买提·艾力"), 11);     /* · is 1 */
	assert_int_equal(tui_str_width("\xf0\xa0\xae\xb7"), 2); /* 𠮷 */
	assert_int_equal(tui_str_width("\xf0\xb1\x8d\x90"), 2); /* U+31350 */
	assert_int_equal(tui_str_width("a张b"), 4);
	assert_int_equal(tui_str_width("１３８"), 6);
	assert_int_equal(tui_str_width("e\xcc\x81"), 1); /* e + U+0301 */
	assert_int_equal(tui_str_width("a\x1b[1mb"), 5);
	/* Invalid bytes are 1 each: a lone byte, a cut 中, a surrogate. */
	assert_int_equal(tui_str_width("\xff"), 1);
	assert_int_equal(tui_str_width("a\xe4\xb8"), 3);
	assert_int_equal(tui_str_width("\xed\xa0\x80"), 3);
}

/* out must be valid UTF-8 of exactly want columns and equal expect. */
static void
check_fit(
    const char *s, size_t cols, int pad, const char *expect, size_t want_cols)
{
	char out[128];
	size_t got;

	memset(out, 'Z', sizeof(out));
	got = tui_fit(s, cols, pad, out, sizeof(out));
	assert_string_equal(out, expect);
	assert_int_equal(got, want_cols);
	assert_int_equal(tui_str_width(out), want_cols);
	assert_true(cm_utf8_valid(out, strlen(out)));
}

static void
test_fit(void **state)
{
	(void)state;
	check_fit("张三", 4, 1, "张三", 4);
	check_fit("张三", 6, 1, "张三  ", 6);
	check_fit("张三", 6, 0, "张三", 4);
	/* 李 would straddle column 5: a space takes its place, never half
	 * a character. */
	check_fit("张三李四", 5, 1, "张三 ", 5);
	check_fit("张三李四", 5, 0, "张三", 4);
	check_fit("张三李四", 1, 1, " ", 1);
	check_fit("张三李四", 1, 0, "", 0);
	check_fit("abcdef", 3, 0, "abc", 3);
	check_fit("ab张", 3, 1, "ab ", 3);
	check_fit("买买提·艾力", 7, 1, "买买提·", 7);
	check_fit("买买提·艾力", 8, 1, "买买提· ", 8);
	check_fit("\xf0\xa0\xae\xb7\xf0\xb1\x8d\x90x", 5, 1,
	    "\xf0\xa0\xae\xb7\xf0\xb1\x8d\x90x", 5);
	check_fit(
	    "\xf0\xa0\xae\xb7\xf0\xb1\x8d\x90x", 3, 1, "\xf0\xa0\xae\xb7 ", 3);
	check_fit("", 3, 1, "   ", 3);
	check_fit("", 3, 0, "", 0);
	check_fit("abc", 0, 1, "", 0);
	/* A combining mark stays with its letter at the limit. */
	check_fit("e\xcc\x81x", 1, 0, "e\xcc\x81", 1);
	/* Controls never reach the terminal; invalid bytes show as U+FFFD. */
	check_fit("a\nb\x1b[1m", 6, 1, "ab[1m ", 6);
	check_fit("a\xff"
	          "b",
	    3, 0,
	    "a\xef\xbf\xbd"
	    "b",
	    3);
	check_fit("a\xe4\xb8", 5, 1, "a\xef\xbf\xbd\xef\xbf\xbd  ", 5);
}

/* A short out cuts the text at a whole character and keeps room for the
 * padding, so the field still has its width. */
static void
test_fit_small_buffer(void **state)
{
	char out[16];

	(void)state;
	memset(out, 'Z', sizeof(out));
	assert_int_equal(tui_fit("张三李四", 8, 1, out, 12), 8);
	assert_string_equal(out, "张三李  ");
	assert_int_equal(tui_fit("张三李四", 8, 1, out, 9), 8);
	assert_string_equal(out, "        ");
	assert_int_equal(tui_fit("张三李四", 8, 0, out, 7), 4);
	assert_string_equal(out, "张三");
	assert_int_equal(tui_fit("张三", 4, 1, out, 3), 2);
	assert_string_equal(out, "  ");
	assert_int_equal(tui_fit("abc", 3, 1, out, 1), 0);
	assert_string_equal(out, "");
	out[0] = 'Z';
	assert_int_equal(tui_fit("abc", 3, 1, out, 0), 0);
	assert_int_equal(out[0], 'Z'); /* nothing written */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cp_width_known),
	    cmocka_unit_test(test_cp_width_newer_than_libc),
	    cmocka_unit_test(test_cp_width_controls_and_invalid),
	    cmocka_unit_test(test_cp_width_c_locale),
	    cmocka_unit_test(test_str_width),
	    cmocka_unit_test(test_fit),
	    cmocka_unit_test(test_fit_small_buffer),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_width: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests_name("width", tests, NULL, NULL);
}
