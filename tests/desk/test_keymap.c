/*
 * test_keymap.c: the desk's key maps without a terminal (tui/keymap.h):
 * a screen's map before the global one, bindings that yield to a text
 * field, key names, the help and the function-key bar generated from the
 * tables, and the Esc+digit fallback for function keys.
 */
#include "testutil.h"

#include <locale.h>
#include <string.h>

#include "tui/keymap.h"

static const struct tui_bind screen_binds[] = {
    {TUI_KC_F(2), TUI_ACT_CALL_NEXT, "Next", "Call the next ticket", 0},
    {TUI_KC_F(10), TUI_ACT_SUBMIT, "Save", "Save the form", 0},
    {TUI_KC_TAB, TUI_ACT_NEXT_FIELD, NULL, "Next field", 0},
    {TUI_KC_DOWN, TUI_ACT_NEXT_FIELD, NULL, NULL, 0},
    {'j', TUI_ACT_DOWN, NULL, "Down", TUI_BIND_NOT_TYPING},
};

static const struct tui_bind global_binds[] = {
    {TUI_KC_F(1), TUI_ACT_HELP, "Help", "Show the keys", 0},
    {'?', TUI_ACT_HELP, NULL, NULL, TUI_BIND_NOT_TYPING},
    {TUI_KC_F(10), TUI_ACT_QUIT, "Quit", "Quit ow-desk", 0},
    {TUI_KC_CTRL('c'), TUI_ACT_QUIT, NULL, NULL, 0},
};

static const struct tui_keymap maps[2] = {
    TUI_KEYMAP(screen_binds),
    TUI_KEYMAP(global_binds),
};

static void
test_find_order(void **state)
{
	const struct tui_bind *b;

	(void)state;
	b = tui_keymap_find(maps, 2, TUI_KC_F(2), false);
	assert_non_null(b);
	assert_int_equal(b->action, TUI_ACT_CALL_NEXT);
	/* The screen's F10 shadows the global one. */
	b = tui_keymap_find(maps, 2, TUI_KC_F(10), false);
	assert_int_equal(b->action, TUI_ACT_SUBMIT);
	b = tui_keymap_find(&maps[1], 1, TUI_KC_F(10), false);
	assert_int_equal(b->action, TUI_ACT_QUIT);
	b = tui_keymap_find(maps, 2, TUI_KC_CTRL('c'), true);
	assert_int_equal(b->action, TUI_ACT_QUIT);
	assert_null(tui_keymap_find(maps, 2, 'x', false));
	assert_null(tui_keymap_find(maps, 2, TUI_KC_F(3), false));
}

static void
test_typing_skips(void **state)
{
	(void)state;
	/* '?' and 'j' are text while a field has the focus. */
	assert_null(tui_keymap_find(maps, 2, '?', true));
	assert_null(tui_keymap_find(maps, 2, 'j', true));
	assert_int_equal(
	    tui_keymap_find(maps, 2, '?', false)->action, TUI_ACT_HELP);
	assert_int_equal(
	    tui_keymap_find(maps, 2, 'j', false)->action, TUI_ACT_DOWN);
	/* Function keys work while typing. */
	assert_int_equal(
	    tui_keymap_find(maps, 2, TUI_KC_F(1), true)->action, TUI_ACT_HELP);
}

static void
test_key_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(tui_key_name(TUI_KC_F(1), buf, sizeof(buf)), "F1");
	assert_string_equal(
	    tui_key_name(TUI_KC_F(10), buf, sizeof(buf)), "F10");
	assert_string_equal(
	    tui_key_name(TUI_KC_F(12), buf, sizeof(buf)), "F12");
	assert_string_equal(tui_key_name(TUI_KC_TAB, buf, sizeof(buf)), "Tab");
	assert_string_equal(
	    tui_key_name(TUI_KC_PGDN, buf, sizeof(buf)), "PgDn");
	assert_string_equal(
	    tui_key_name(TUI_KC_CTRL('u'), buf, sizeof(buf)), "Ctrl-U");
	assert_string_equal(tui_key_name('?', buf, sizeof(buf)), "?");
	assert_string_equal(tui_key_name(' ', buf, sizeof(buf)), "Space");
	assert_string_equal(tui_key_name(0x5f20, buf, sizeof(buf)), "张");
	/* Never half a character in a short buffer. */
	assert_string_equal(tui_key_name(0x5f20, buf, 3), "");
	assert_string_equal(tui_key_name(0x5f20, buf, 0), "");
	assert_string_equal(tui_key_name(-5, buf, sizeof(buf)), "?");
	assert_string_equal(tui_key_name(TUI_KC_BASE, buf, sizeof(buf)), "?");
}

static void
test_help(void **state)
{
	struct tui_help_line lines[16];
	size_t n;

	(void)state;
	n = tui_keymap_help(maps, 2, false, lines, 16);
	/* One line per action with help; the shadowed global F10 (quit)
	 * keeps only Ctrl-C. */
	assert_int_equal(n, 6);
	assert_string_equal(lines[0].keys, "F2");
	assert_string_equal(lines[0].help, "Call the next ticket");
	assert_string_equal(lines[1].keys, "F10");
	assert_string_equal(lines[1].help, "Save the form");
	assert_string_equal(lines[2].keys, "Tab, Down");
	assert_string_equal(lines[3].keys, "j");
	assert_string_equal(lines[4].keys, "F1, ?");
	assert_string_equal(lines[4].help, "Show the keys");
	/* Quit's F10 is shadowed by the screen's: Ctrl-C is its key now,
	 * and the words come from the shadowed binding. */
	assert_string_equal(lines[5].keys, "Ctrl-C");
	assert_string_equal(lines[5].help, "Quit ow-desk");
	/* With a text field focused, 'j' and '?' are text. */
	n = tui_keymap_help(maps, 2, true, lines, 16);
	assert_int_equal(n, 5);
	assert_string_equal(lines[3].keys, "F1");
	/* A short out array: the count is still the full count. */
	assert_int_equal(tui_keymap_help(maps, 2, false, lines, 2), 6);
}

static void
test_fbar(void **state)
{
	const char *labels[10];

	(void)state;
	tui_keymap_fbar(maps, 2, labels);
	assert_string_equal(labels[0], "Help");
	assert_string_equal(labels[1], "Next");
	assert_null(labels[2]);
	assert_string_equal(labels[9], "Save"); /* the screen's F10 */
	tui_keymap_fbar(&maps[1], 1, labels);
	assert_string_equal(labels[9], "Quit");
	assert_null(labels[1]);
}

static void
test_esc_digit(void **state)
{
	struct tui_esc st = {false};
	int out[2];

	(void)state;
	assert_int_equal(tui_esc_feed(&st, 'a', out), 1);
	assert_int_equal(out[0], 'a');
	/* Esc 1 .. Esc 9, Esc 0 */
	for (int k = 1; k <= 10; k++) {
		assert_int_equal(tui_esc_feed(&st, TUI_KC_ESC, out), 0);
		assert_true(st.pending);
		assert_int_equal(tui_esc_feed(&st, '0' + k % 10, out), 1);
		assert_int_equal(out[0], TUI_KC_F(k));
		assert_false(st.pending);
	}
	/* Esc then another key: Esc, then the key. */
	assert_int_equal(tui_esc_feed(&st, TUI_KC_ESC, out), 0);
	assert_int_equal(tui_esc_feed(&st, 'x', out), 2);
	assert_int_equal(out[0], TUI_KC_ESC);
	assert_int_equal(out[1], 'x');
	/* Esc Esc: one Esc at once. */
	assert_int_equal(tui_esc_feed(&st, TUI_KC_ESC, out), 0);
	assert_int_equal(tui_esc_feed(&st, TUI_KC_ESC, out), 1);
	assert_int_equal(out[0], TUI_KC_ESC);
	assert_false(st.pending);
	/* A lone Esc: the timer gives it. */
	assert_int_equal(tui_esc_timeout(&st), 0);
	assert_int_equal(tui_esc_feed(&st, TUI_KC_ESC, out), 0);
	assert_int_equal(tui_esc_timeout(&st), TUI_KC_ESC);
	assert_int_equal(tui_esc_timeout(&st), 0);
}

static void
test_action_names(void **state)
{
	(void)state;
	assert_string_equal(tui_action_name(TUI_ACT_CALL_NEXT), "CALL_NEXT");
	assert_string_equal(tui_action_name(TUI_ACT__COUNT), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_order),
	    cmocka_unit_test(test_typing_skips),
	    cmocka_unit_test(test_key_names),
	    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_fbar),
	    cmocka_unit_test(test_esc_digit),
	    cmocka_unit_test(test_action_names),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
