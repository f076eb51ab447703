/*
 * test_editor.c: the desk's wide-character field editor (tui/editor.h),
 * driven key by key without a terminal: editing mixed ASCII and CJK text
 * (4-byte characters and ones glibc's wcwidth does not know included),
 * the filters, autoskip, paste, the layout's scrolling at every cursor
 * position, and allocation failures.
 *
 * main() sets the C.UTF-8 locale, as ow-desk does at start-up.
 */
#include "testutil.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"
#include "tui/editor.h"
#include "tui/width.h"

#define JI  "\xf0\xa0\xae\xb7" /* 𠮷 U+20BB7, Extension B: 4 bytes */
#define EXH "\xf0\xb1\x8d\x90" /* U+31350, Extension H: wcwidth -1 */
#define EXI "\xf0\xae\xaf\xb0" /* U+2EBF0, Extension I: wcwidth -1 */

/* Twenty ideographs: 40 columns. */
#define TWENTY "欧阳娜娜买买提艾力张三李四王五赵六钱七孙"

/* Type every character of s; returns the result of the last one. */
static enum tui_edit_result
type(struct tui_editor *e, const char *s)
{
	enum tui_edit_result r = TUI_EDIT_OK;
	size_t len = strlen(s);
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		int n = cm_utf8_decode(s + i, len - i, &cp);

		assert_true(n > 0);
		r = tui_editor_insert(e, cp);
		i += (size_t)n;
	}
	return r;
}

static void
key(struct tui_editor *e, enum tui_key k, enum tui_edit_result want)
{
	assert_int_equal(tui_editor_key(e, k), want);
}

static void
keys(struct tui_editor *e, enum tui_key k, int times)
{
	for (int i = 0; i < times; i++) {
		key(e, k, TUI_EDIT_OK);
	}
}

static void
assert_value(const struct tui_editor *e, const char *want)
{
	char *v = tui_editor_value(e);

	assert_non_null(v);
	assert_string_equal(v, want);
	cm_free(v);
}

/*
 * Lay out in cols columns and check what the view would draw: valid UTF-8
 * of exactly cols columns, made of the text from the scroll on in whole
 * characters followed by spaces only, with the cursor column on the
 * cursor's character (or just after the last one, or on the last column
 * of a full field). Returns the cursor column.
 */
static size_t
check_layout(struct tui_editor *e, size_t cols)
{
	char out[512];
	size_t col, len, k = 0, c = 0, i = 0;
	bool found = false, padding = false;
	uint32_t cp;

	memset(out, 'Z', sizeof(out));
	col = tui_editor_layout(e, cols, out, sizeof(out));
	len = strlen(out);
	assert_true(cm_utf8_valid(out, len));
	assert_int_equal(tui_str_width(out), cols);
	if (cols == 0) {
		assert_int_equal(col, 0);
		return 0;
	}
	assert_true(col < cols);
	assert_true(e->scroll <= e->cursor && e->cursor <= e->len);
	while (i < len) {
		int n = cm_utf8_decode(out + i, len - i, &cp);

		assert_true(n > 0);
		i += (size_t)n;
		if (!padding && e->scroll + k < e->len &&
		    cp == e->text[e->scroll + k]) {
			if (e->scroll + k == e->cursor) {
				assert_int_equal(col, c);
				found = true;
			}
			k++;
			c += (size_t)tui_cp_width(cp);
			continue;
		}
		padding = true;
		assert_int_equal(cp, ' ');
	}
	if (e->cursor < e->len &&
	    (size_t)tui_cp_width(e->text[e->cursor]) > cols) {
		/* A wide character in one column: it cannot show. */
		assert_int_equal(col, 0);
	} else if (e->cursor < e->len) {
		assert_true(found); /* the cursor's character is whole */
	} else {
		bool full = e->max_chars != 0 && e->len >= e->max_chars;

		assert_int_equal(e->scroll + k, e->len);
		assert_int_equal(col, c < cols ? c : cols - 1);
		if (!full) {
			assert_true(c < cols); /* a cell to type into */
		}
	}
	return col;
}

/* ---- Editing --------------------------------------------------------- */

static void
test_insert_move_delete(void **state)
{
	struct tui_editor e;

	(void)state;
	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_ANY, false), 0);
	assert_value(&e, "");
	assert_int_equal(type(&e, "张三"), TUI_EDIT_OK);
	assert_int_equal(e.len, 2);
	assert_int_equal(e.cursor, 2);
	key(&e, TUI_KEY_LEFT, TUI_EDIT_OK);
	type(&e, "a");
	assert_value(&e, "张a三");
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	type(&e, "欧阳");
	assert_value(&e, "欧阳张a三");
	assert_int_equal(e.cursor, 2);
	key(&e, TUI_KEY_END, TUI_EDIT_OK);
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK);
	assert_value(&e, "欧阳张a");
	keys(&e, TUI_KEY_LEFT, 2);
	key(&e, TUI_KEY_DELETE, TUI_EDIT_OK);
	assert_value(&e, "欧阳a");
	assert_int_equal(e.cursor, 2);

	/* Four-byte characters and ones newer than glibc are one
	 * character each: one key moves over them, one deletes them. */
	type(&e, JI EXH EXI);
	assert_value(&e, "欧阳" JI EXH EXI "a");
	assert_int_equal(e.len, 6);
	key(&e, TUI_KEY_LEFT, TUI_EDIT_OK);
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK);
	assert_value(&e, "欧阳" JI EXI "a");
	key(&e, TUI_KEY_DELETE, TUI_EDIT_OK);
	assert_value(&e, "欧阳" JI "a");
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK);
	assert_value(&e, "欧阳a");
	assert_int_equal(e.cursor, 2);
	keys(&e, TUI_KEY_RIGHT, 1);
	key(&e, TUI_KEY_RIGHT, TUI_EDIT_REFUSED);
	type(&e, "娜娜");
	assert_value(&e, "欧阳a娜娜");
	tui_editor_free(&e);
	assert_null(e.text);
	tui_editor_free(&e); /* harmless twice */
}

static void
test_home_end_kill(void **state)
{
	struct tui_editor e;

	(void)state;
	assert_rc(
	    tui_editor_init(&e, "买买提·艾力", 0, TUI_FILTER_ANY, false), 0);
	assert_int_equal(e.len, 6);
	assert_int_equal(e.cursor, 6); /* at the end on entry */
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	assert_int_equal(e.cursor, 0);
	keys(&e, TUI_KEY_RIGHT, 3);
	key(&e, TUI_KEY_KILL_AFTER, TUI_EDIT_OK);
	assert_value(&e, "买买提");
	assert_int_equal(e.cursor, 3);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	keys(&e, TUI_KEY_RIGHT, 1);
	key(&e, TUI_KEY_KILL_BEFORE, TUI_EDIT_OK);
	assert_value(&e, "买提");
	assert_int_equal(e.cursor, 0);
	key(&e, TUI_KEY_END, TUI_EDIT_OK);
	assert_int_equal(e.cursor, 2);

	/* Keys with nothing to do are refused and change nothing. */
	key(&e, TUI_KEY_END, TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_RIGHT, TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_DELETE, TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_KILL_AFTER, TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	key(&e, TUI_KEY_HOME, TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_LEFT, TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_KILL_BEFORE, TUI_EDIT_REFUSED);
	key(&e, (enum tui_key)99, TUI_EDIT_REFUSED);
	assert_value(&e, "买提");
	assert_int_equal(e.cursor, 0);

	/* Kill everything: an empty field. */
	key(&e, TUI_KEY_END, TUI_EDIT_OK);
	key(&e, TUI_KEY_KILL_BEFORE, TUI_EDIT_OK);
	assert_value(&e, "");
	assert_int_equal(e.len, 0);
	assert_int_equal(e.cursor, 0);
	tui_editor_free(&e);
}

static void
test_revert(void **state)
{
	struct tui_editor e;

	(void)state;
	assert_rc(tui_editor_init(&e, "欧阳娜娜", 0, TUI_FILTER_ANY, false), 0);
	assert_false(e.dirty);
	assert_string_equal(e.initial, "欧阳娜娜");
	type(&e, "x");
	assert_true(e.dirty);
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK);
	assert_false(e.dirty); /* back to what it was */
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	key(&e, TUI_KEY_KILL_AFTER, TUI_EDIT_OK);
	type(&e, "张三" JI);
	assert_true(e.dirty);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	key(&e, TUI_KEY_REVERT, TUI_EDIT_OK);
	assert_value(&e, "欧阳娜娜");
	assert_int_equal(e.len, 4);
	assert_int_equal(e.cursor, 4);
	assert_false(e.dirty);
	key(&e, TUI_KEY_REVERT, TUI_EDIT_OK); /* again: still the same */
	assert_value(&e, "欧阳娜娜");
	tui_editor_free(&e);

	/* An empty initial value reverts to empty. */
	assert_rc(tui_editor_init(&e, "", 0, TUI_FILTER_ANY, false), 0);
	type(&e, "张三");
	key(&e, TUI_KEY_REVERT, TUI_EDIT_OK);
	assert_value(&e, "");
	assert_int_equal(e.cursor, 0);
	tui_editor_free(&e);
}

/* A stored value with junk in it: invalid bytes and controls go, the
 * filter and the length do not apply (validation judges stored data). */
static void
test_init_cleans_value(void **state)
{
	struct tui_editor e;

	(void)state;
	assert_rc(tui_editor_init(&e, "张\x01三\xff\n\xe2\x80\xae", 0,
	              TUI_FILTER_ANY, false),
	    0);
	assert_value(&e, "张三");
	assert_string_equal(e.initial, "张三");
	assert_false(e.dirty);
	tui_editor_free(&e);

	assert_rc(tui_editor_init(&e, "abc123", 3, TUI_FILTER_DIGITS, true), 0);
	assert_value(&e, "abc123");
	assert_int_equal(tui_editor_insert(&e, '4'), TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK);
	assert_value(&e, "abc12");
	tui_editor_free(&e);
}

static void
test_max_chars(void **state)
{
	struct tui_editor e;

	(void)state;
	assert_rc(tui_editor_init(&e, NULL, 4, TUI_FILTER_ANY, false), 0);
	assert_int_equal(type(&e, "欧阳娜娜"), TUI_EDIT_OK); /* no autoskip */
	assert_int_equal(tui_editor_insert(&e, 'x'), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 0x20bb7), TUI_EDIT_REFUSED);
	assert_value(&e, "欧阳娜娜");
	assert_int_equal(e.cursor, 4);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	assert_int_equal(tui_editor_insert(&e, 'x'), TUI_EDIT_REFUSED);
	key(&e, TUI_KEY_DELETE, TUI_EDIT_OK);
	assert_int_equal(tui_editor_insert(&e, 0x20bb7), TUI_EDIT_OK);
	assert_value(&e, JI "阳娜娜");
	tui_editor_free(&e);
}

/* An 18-character citizen ID: typing the last character fills the field
 * and the desk moves on; a typed x is stored as X. */
static void
test_autoskip_id(void **state)
{
	struct tui_editor e;

	(void)state;
	assert_rc(tui_editor_init(&e, NULL, 18, TUI_FILTER_ID, true), 0);
	assert_int_equal(type(&e, "11010519491231002"), TUI_EDIT_OK);
	assert_int_equal(e.len, 17);
	assert_int_equal(tui_editor_insert(&e, 'x'), TUI_EDIT_FULL);
	assert_value(&e, "11010519491231002X");
	/* The scanner's Enter or one key too many: refused. */
	assert_int_equal(tui_editor_insert(&e, '1'), TUI_EDIT_REFUSED);
	assert_value(&e, "11010519491231002X");
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK);
	assert_int_equal(tui_editor_insert(&e, 0xff58 /* ｘ */), TUI_EDIT_FULL);
	assert_value(&e, "11010519491231002X");
	/* Filling it in the middle is full too. */
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	key(&e, TUI_KEY_DELETE, TUI_EDIT_OK);
	assert_int_equal(tui_editor_insert(&e, '1'), TUI_EDIT_FULL);
	assert_int_equal(e.cursor, 1);
	tui_editor_free(&e);
}

static void
test_filters(void **state)
{
	struct tui_editor e;

	(void)state;
	/* A phone field: letters and Chinese refused, the full-width digits
	 * of a Chinese input method taken as ASCII. */
	assert_rc(tui_editor_init(&e, NULL, 11, TUI_FILTER_DIGITS, true), 0);
	assert_int_equal(tui_editor_insert(&e, 'a'), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 'X'), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 0x5f20), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, '-'), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, ' '), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 0xff21), TUI_EDIT_REFUSED);
	assert_value(&e, "");
	assert_int_equal(type(&e, "１３８００１３８"), TUI_EDIT_OK);
	assert_int_equal(type(&e, "00"), TUI_EDIT_OK);
	assert_int_equal(type(&e, "０"), TUI_EDIT_FULL);
	assert_value(&e, "13800138000");
	tui_editor_free(&e);

	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_ID, false), 0);
	assert_int_equal(tui_editor_insert(&e, 'a'), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 'Y'), TUI_EDIT_REFUSED);
	type(&e, "1x2X3Ｘ");
	assert_value(&e, "1X2X3X");
	tui_editor_free(&e);

	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_CODE, false), 0);
	assert_int_equal(tui_editor_insert(&e, '-'), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 0xe9), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 0x5f20), TUI_EDIT_REFUSED);
	type(&e, "91aZ3ｂ");
	assert_value(&e, "91AZ3B");
	tui_editor_free(&e);

	/* Money: one point, whichever way it was typed. */
	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_DECIMAL, false), 0);
	type(&e, "12.5");
	assert_int_equal(tui_editor_insert(&e, '.'), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 0x3002), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, 0xff0e), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_insert(&e, '-'), TUI_EDIT_REFUSED);
	assert_value(&e, "12.5");
	keys(&e, TUI_KEY_LEFT, 1);
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK); /* the point goes */
	assert_value(&e, "125");
	keys(&e, TUI_KEY_LEFT, 1);
	assert_int_equal(tui_editor_insert(&e, 0x3002), TUI_EDIT_OK);
	assert_value(&e, "1.25");
	tui_editor_free(&e);

	assert_rc(tui_editor_init(&e, NULL, 10, TUI_FILTER_DATE, true), 0);
	assert_int_equal(tui_editor_insert(&e, '/'), TUI_EDIT_REFUSED);
	assert_int_equal(
	    tui_editor_insert(&e, 0x5e74 /* 年 */), TUI_EDIT_REFUSED);
	assert_int_equal(type(&e, "2025－06-30"), TUI_EDIT_FULL);
	assert_value(&e, "2025-06-30");
	tui_editor_free(&e);

	/* Never stored, whatever the filter. */
	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_ANY, false), 0);
	{
		static const uint32_t never[] = {0, '\t', '\n', '\r', 0x1b,
		    0x7f, 0x85, 0x9f, 0x200b, 0x200e, 0x200f, 0x2028, 0x2029,
		    0x202a, 0x202e, 0x2060, 0x2066, 0x2069, 0xfeff, 0xd800,
		    0x110000};

		for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
			assert_int_equal(
			    tui_editor_insert(&e, never[i]), TUI_EDIT_REFUSED);
		}
	}
	assert_int_equal(e.len, 0);
	assert_false(e.dirty);
	type(&e, "a é·张" JI EXH "\xe2\x80\x8d"); /* ZWJ stays */
	assert_value(&e, "a é·张" JI EXH "\xe2\x80\x8d");
	tui_editor_free(&e);
}

static void
test_paste(void **state)
{
	struct tui_editor e;

	(void)state;
	/* Line ends and tabs vanish without a beep. */
	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_ANY, false), 0);
	assert_int_equal(
	    tui_editor_paste(&e, "张三\r\n李四\t" JI "\n"), TUI_EDIT_OK);
	assert_value(&e, "张三李四" JI);
	assert_int_equal(e.cursor, 5);
	keys(&e, TUI_KEY_LEFT, 4);
	assert_int_equal(tui_editor_paste(&e, "欧阳"), TUI_EDIT_OK);
	assert_value(&e, "张欧阳三李四" JI);
	assert_int_equal(e.cursor, 3);
	assert_int_equal(tui_editor_paste(&e, ""), TUI_EDIT_OK);
	assert_int_equal(tui_editor_paste(&e, "\n\xef\xbb\xbf"), TUI_EDIT_OK);
	/* An invalid byte is dropped, and that is worth a beep. */
	assert_int_equal(tui_editor_paste(&e, "a\xff"
	                                      "b"),
	    TUI_EDIT_REFUSED);
	assert_value(&e, "张欧阳ab三李四" JI);
	tui_editor_free(&e);

	/* Over-long: cut at max_chars. */
	assert_rc(tui_editor_init(&e, "买", 5, TUI_FILTER_ANY, false), 0);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	assert_int_equal(
	    tui_editor_paste(&e, "欧阳娜娜张三李四"), TUI_EDIT_REFUSED);
	assert_value(&e, "欧阳娜娜买");
	assert_int_equal(e.cursor, 4);
	assert_int_equal(tui_editor_paste(&e, "x"), TUI_EDIT_REFUSED);
	assert_int_equal(tui_editor_paste(&e, "\n"), TUI_EDIT_OK);
	assert_value(&e, "欧阳娜娜买");
	tui_editor_free(&e);

	/* A phone number pasted from a spreadsheet or a chat. */
	assert_rc(tui_editor_init(&e, NULL, 11, TUI_FILTER_DIGITS, true), 0);
	assert_int_equal(tui_editor_paste(&e, "13800138000\n"), TUI_EDIT_FULL);
	assert_value(&e, "13800138000");
	tui_editor_free(&e);
	assert_rc(tui_editor_init(&e, NULL, 11, TUI_FILTER_DIGITS, true), 0);
	assert_int_equal(
	    tui_editor_paste(&e, "138 0013 8000"), TUI_EDIT_REFUSED);
	assert_value(&e, "13800138000");
	tui_editor_free(&e);
	assert_rc(tui_editor_init(&e, NULL, 11, TUI_FILTER_DIGITS, true), 0);
	assert_int_equal(tui_editor_paste(&e, "１３８"), TUI_EDIT_OK);
	assert_value(&e, "138");
	tui_editor_free(&e);

	/* The filter applies to every pasted character, one point in all. */
	assert_rc(tui_editor_init(&e, "7", 0, TUI_FILTER_DECIMAL, false), 0);
	assert_int_equal(tui_editor_paste(&e, "1.2.3"), TUI_EDIT_REFUSED);
	assert_value(&e, "71.23");
	assert_int_equal(tui_editor_paste(&e, ".4"), TUI_EDIT_REFUSED);
	assert_value(&e, "71.234");
	tui_editor_free(&e);

	assert_rc(tui_editor_init(&e, NULL, 18, TUI_FILTER_ID, true), 0);
	assert_int_equal(
	    tui_editor_paste(&e, "11010519491231002x\r\n"), TUI_EDIT_FULL);
	assert_value(&e, "11010519491231002X");
	tui_editor_free(&e);
}

/* ---- Layout ---------------------------------------------------------- */

/* Twenty ideographs in ten columns, the cursor walked through every
 * position both ways. */
static void
test_layout_scroll_cjk(void **state)
{
	struct tui_editor e;
	unsigned long allocs;
	size_t col;

	(void)state;
	assert_rc(tui_editor_init(&e, TWENTY, 0, TUI_FILTER_ANY, false), 0);
	assert_int_equal(e.len, 20);
	allocs = cm_alloc_count();
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	for (size_t pos = 0; pos <= 20; pos++) {
		assert_int_equal(e.cursor, pos);
		col = check_layout(&e, 10);
		/* Moving right, the cursor sits at the right edge once the
		 * field is full: its character in columns 8-9, or the empty
		 * cell after the text in column 8. */
		assert_int_equal(col, pos < 4 ? 2 * pos : 8);
		if (pos < 20) {
			key(&e, TUI_KEY_RIGHT, TUI_EDIT_OK);
		}
	}
	assert_int_equal(e.scroll, 16);
	for (size_t pos = 20; pos > 0; pos--) {
		key(&e, TUI_KEY_LEFT, TUI_EDIT_OK);
		col = check_layout(&e, 10);
		/* Moving left, the text stays until the cursor reaches
		 * the left edge; then it scrolls with the cursor. */
		assert_int_equal(col, pos - 1 >= 16 ? 2 * (pos - 1 - 16) : 0);
	}
	assert_int_equal(e.scroll, 0);
	key(&e, TUI_KEY_END, TUI_EDIT_OK);
	assert_int_equal(check_layout(&e, 10), 8);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	assert_int_equal(check_layout(&e, 10), 0);
	/* Layout and keys never allocate. */
	assert_int_equal(cm_alloc_count(), allocs);
	tui_editor_free(&e);
}

/* An odd width with only wide characters: the edge column is always a
 * space, never half a character. */
static void
test_layout_odd_width(void **state)
{
	struct tui_editor e;
	char out[64];

	(void)state;
	assert_rc(tui_editor_init(&e, TWENTY, 0, TUI_FILTER_ANY, false), 0);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	/* Right through every position, then back left. */
	for (int step = 0; step <= 40; step++) {
		check_layout(&e, 9);
		tui_editor_layout(&e, 9, out, sizeof(out));
		assert_int_equal(out[strlen(out) - 1], ' ');
		if (step < 20) {
			key(&e, TUI_KEY_RIGHT, TUI_EDIT_OK);
		} else if (step < 40) {
			key(&e, TUI_KEY_LEFT, TUI_EDIT_OK);
		}
	}
	assert_int_equal(e.cursor, 0);
	/* One column: no wide character fits; the cursor stays at 0. */
	key(&e, TUI_KEY_HOME, TUI_EDIT_REFUSED);
	for (size_t pos = 0; pos <= 20; pos++) {
		assert_int_equal(check_layout(&e, 1), 0);
		tui_editor_layout(&e, 1, out, sizeof(out));
		assert_string_equal(out, " ");
		tui_editor_key(&e, TUI_KEY_RIGHT);
	}
	tui_editor_free(&e);
}

/* Mixed text, every width from 0 to 14, every cursor position reached
 * from both ends (so with different scroll histories). */
static void
test_layout_mixed_all_widths(void **state)
{
	static const char text[] = "张三ab买买提·艾力x" JI "y" EXH EXI "z1";
	struct tui_editor e;

	(void)state;
	assert_rc(tui_editor_init(&e, text, 0, TUI_FILTER_ANY, false), 0);
	for (size_t cols = 0; cols <= 14; cols++) {
		key(&e, TUI_KEY_END,
		    e.cursor == e.len ? TUI_EDIT_REFUSED : TUI_EDIT_OK);
		for (size_t i = 0; i <= e.len; i++) {
			check_layout(&e, cols);
			tui_editor_key(&e, TUI_KEY_LEFT);
		}
		for (size_t i = 0; i <= e.len; i++) {
			check_layout(&e, cols);
			tui_editor_key(&e, TUI_KEY_RIGHT);
		}
		/* Jumps too. */
		key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
		check_layout(&e, cols);
		key(&e, TUI_KEY_END, TUI_EDIT_OK);
		check_layout(&e, cols);
	}
	tui_editor_free(&e);
}

static void
test_layout_empty(void **state)
{
	struct tui_editor e;
	char out[32];

	(void)state;
	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_ANY, false), 0);
	assert_int_equal(tui_editor_layout(&e, 10, out, sizeof(out)), 0);
	assert_string_equal(out, "          ");
	assert_int_equal(tui_editor_layout(&e, 1, out, sizeof(out)), 0);
	assert_string_equal(out, " ");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(tui_editor_layout(&e, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(e.scroll, 0);
	tui_editor_free(&e);
}

/* A fixed-length field exactly as wide as its text: when full, the text
 * does not scroll for an insertion cell nobody can type into. */
static void
test_layout_full_field(void **state)
{
	struct tui_editor e;
	char out[64];

	(void)state;
	assert_rc(tui_editor_init(&e, NULL, 18, TUI_FILTER_ID, true), 0);
	type(&e, "11010519491231002X");
	assert_int_equal(tui_editor_layout(&e, 18, out, sizeof(out)), 17);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(e.scroll, 0);
	check_layout(&e, 18);
	/* One character less: now there is a cell to type into. */
	key(&e, TUI_KEY_BACKSPACE, TUI_EDIT_OK);
	assert_int_equal(tui_editor_layout(&e, 18, out, sizeof(out)), 17);
	assert_string_equal(out, "11010519491231002 ");
	tui_editor_free(&e);

	/* A full name field of wide characters, as wide as its text. */
	assert_rc(tui_editor_init(&e, "欧阳娜娜", 4, TUI_FILTER_ANY, true), 0);
	assert_int_equal(tui_editor_layout(&e, 8, out, sizeof(out)), 7);
	assert_string_equal(out, "欧阳娜娜");
	check_layout(&e, 8);
	tui_editor_free(&e);
}

/* Deleting at the end pulls hidden text back in rather than leaving the
 * field half empty. */
static void
test_layout_pull_back(void **state)
{
	struct tui_editor e;
	char out[64];

	(void)state;
	assert_rc(tui_editor_init(&e, TWENTY, 0, TUI_FILTER_ANY, false), 0);
	assert_int_equal(check_layout(&e, 10), 8);
	assert_int_equal(e.scroll, 16);
	keys(&e, TUI_KEY_BACKSPACE, 3);
	assert_int_equal(check_layout(&e, 10), 8);
	assert_int_equal(e.scroll, 13);
	tui_editor_layout(&e, 10, out, sizeof(out));
	assert_string_equal(out, "王五赵六  ");
	/* A wider field shows more at once. */
	assert_int_equal(check_layout(&e, 30), 28);
	assert_int_equal(e.scroll, 3);
	key(&e, TUI_KEY_KILL_BEFORE, TUI_EDIT_OK);
	assert_int_equal(check_layout(&e, 10), 0);
	assert_int_equal(e.scroll, 0);
	tui_editor_free(&e);
}

/* A short out still gets a field of the full width, text cut at a whole
 * character. */
static void
test_layout_small_buffer(void **state)
{
	struct tui_editor e;
	char out[16];

	(void)state;
	assert_rc(tui_editor_init(&e, TWENTY, 0, TUI_FILTER_ANY, false), 0);
	key(&e, TUI_KEY_HOME, TUI_EDIT_OK);
	assert_int_equal(tui_editor_layout(&e, 10, out, 11), 0);
	assert_int_equal(tui_str_width(out), 10);
	assert_true(cm_utf8_valid(out, strlen(out)));
	assert_int_equal(tui_editor_layout(&e, 10, out, 16), 0);
	assert_string_equal(out, "欧阳娜娜买");
	assert_int_equal(tui_editor_layout(&e, 10, out, 13), 0);
	assert_string_equal(out, "欧阳      ");
	assert_int_equal(tui_editor_layout(&e, 10, out, 1), 0);
	assert_string_equal(out, "");
	tui_editor_free(&e);
}

/* ---- Allocation failures ----------------------------------------------- */

static void
test_alloc_init(void **state)
{
	int rc = CM_ENOMEM;
	unsigned long n;

	(void)state;
	for (n = 1; rc != 0 && n < 100; n++) {
		struct tui_editor e;

		cm_alloc_fail_after(n, 0);
		rc = tui_editor_init(
		    &e, "欧阳娜娜" JI, 10, TUI_FILTER_ANY, false);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
		if (rc != 0) {
			assert_null(e.text);
			assert_null(e.initial);
			assert_int_equal(e.len, 0);
			tui_editor_free(&e); /* harmless */
			continue;
		}
		assert_value(&e, "欧阳娜娜" JI);
		tui_editor_free(&e);
	}
	assert_rc(rc, 0);
	assert_true(n > 2);

	/* Empty values allocate too (the initial string). */
	rc = CM_ENOMEM;
	for (n = 1; rc != 0 && n < 100; n++) {
		struct tui_editor e;

		cm_alloc_fail_after(n, 0);
		rc = tui_editor_init(&e, NULL, 0, TUI_FILTER_ANY, false);
		cm_alloc_fail_after(0, 0);
		assert_true(rc == 0 || rc == CM_ENOMEM);
		tui_editor_free(&e);
	}
	assert_rc(rc, 0);
	assert_true(n > 1);
}

/* An insert that cannot grow the buffer is refused with the text intact,
 * and the editor works again once memory is back. */
static void
test_alloc_insert(void **state)
{
	struct tui_editor e;
	char before[512];
	char *v;

	(void)state;
	/* The very first character of an empty field. */
	assert_rc(tui_editor_init(&e, NULL, 0, TUI_FILTER_ANY, false), 0);
	cm_alloc_fail_after(1, 1);
	assert_int_equal(tui_editor_insert(&e, 0x5f20), TUI_EDIT_REFUSED);
	cm_alloc_fail_after(0, 0);
	assert_int_equal(e.len, 0);
	assert_false(e.dirty);
	assert_int_equal(tui_editor_insert(&e, 0x5f20), TUI_EDIT_OK);

	/* Type until some insert has to grow the buffer, failing each. */
	for (int i = 0; i < 70; i++) {
		size_t len = e.len, cursor = e.cursor;

		v = tui_editor_value(&e);
		assert_non_null(v);
		snprintf(before, sizeof(before), "%s", v);
		cm_free(v);
		cm_alloc_fail_after(1, 1);
		if (tui_editor_insert(&e, i % 2 ? 0x20bb7 : 'a') ==
		    TUI_EDIT_REFUSED) {
			cm_alloc_fail_after(0, 0);
			assert_int_equal(e.len, len);
			assert_int_equal(e.cursor, cursor);
			assert_value(&e, before);
			assert_int_equal(
			    tui_editor_insert(&e, i % 2 ? 0x20bb7 : 'a'),
			    TUI_EDIT_OK);
		}
		cm_alloc_fail_after(0, 0);
		if (i % 7 == 0) {
			key(&e, TUI_KEY_LEFT, TUI_EDIT_OK);
		}
	}
	assert_int_equal(e.len, 71);
	tui_editor_free(&e);
}

static void
test_alloc_paste(void **state)
{
	enum tui_edit_result r = TUI_EDIT_REFUSED;
	unsigned long n;

	(void)state;
	for (n = 1; r != TUI_EDIT_OK && n < 100; n++) {
		struct tui_editor e;

		assert_rc(
		    tui_editor_init(&e, "张三", 0, TUI_FILTER_ANY, false), 0);
		key(&e, TUI_KEY_LEFT, TUI_EDIT_OK);
		cm_alloc_fail_after(n, 0);
		r = tui_editor_paste(&e, TWENTY "\n" TWENTY JI);
		cm_alloc_fail_after(0, 0);
		if (r == TUI_EDIT_REFUSED) {
			/* All or nothing. */
			assert_value(&e, "张三");
			assert_int_equal(e.cursor, 1);
			assert_false(e.dirty);
		} else {
			assert_int_equal(r, TUI_EDIT_OK);
			assert_value(&e, "张" TWENTY TWENTY JI "三");
			assert_int_equal(e.cursor, 42);
		}
		tui_editor_free(&e);
	}
	assert_int_equal(r, TUI_EDIT_OK);
	assert_true(n > 2);
}

static void
test_alloc_value(void **state)
{
	struct tui_editor e;
	char *v;

	(void)state;
	assert_rc(
	    tui_editor_init(&e, "买买提·艾力", 0, TUI_FILTER_ANY, false), 0);
	cm_alloc_fail_after(1, 0);
	assert_null(tui_editor_value(&e));
	v = tui_editor_value(&e);
	assert_non_null(v);
	assert_string_equal(v, "买买提·艾力");
	cm_free(v);
	/* Esc needs no memory. */
	type(&e, "x");
	cm_alloc_fail_after(1, 1);
	key(&e, TUI_KEY_REVERT, TUI_EDIT_OK);
	cm_alloc_fail_after(0, 0);
	assert_value(&e, "买买提·艾力");
	tui_editor_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert_move_delete),
	    cmocka_unit_test(test_home_end_kill),
	    cmocka_unit_test(test_revert),
	    cmocka_unit_test(test_init_cleans_value),
	    cmocka_unit_test(test_max_chars),
	    cmocka_unit_test(test_autoskip_id),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_paste),
	    cmocka_unit_test(test_layout_scroll_cjk),
	    cmocka_unit_test(test_layout_odd_width),
	    cmocka_unit_test(test_layout_mixed_all_widths),
	    cmocka_unit_test(test_layout_empty),
	    cmocka_unit_test(test_layout_full_field),
	    cmocka_unit_test(test_layout_pull_back),
	    cmocka_unit_test(test_layout_small_buffer),
	    cmocka_unit_test(test_alloc_init),
	    cmocka_unit_test(test_alloc_insert),
	    cmocka_unit_test(test_alloc_paste),
	    cmocka_unit_test(test_alloc_value),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_editor: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests_name("editor", tests, NULL, NULL);
}
