/*
 * keymap.h: the desk's keys and key maps, as pure logic.
 *
 * Every screen binds keys through a table (key -> action, with a label for
 * the function-key bar and a help text), as htop does, instead of switch
 * statements spread over files: the F1 help and the function-key bar are
 * generated from the same tables, so they cannot disagree with what the
 * keys do. Keys are terminal-neutral codes: the terminal adapter
 * (tui/src/term.c) turns curses' key codes into these, so that this file
 * and its tests need no terminal.
 *
 * Terminals and SSH clients often grab F1, F10 or F11, so Esc followed by
 * a digit stands for a function key (Esc 1 = F1 ... Esc 0 = F10), as in
 * mc. tui_esc_feed() does that translation.
 */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/editor.h"

/*
 * A key is a Unicode code point (a typed character, or a C0 control such
 * as Ctrl-U = 0x15) or one of these codes above U+10FFFF. Tab, Enter,
 * Esc and Backspace arrive as these codes, never as control characters.
 */
enum tui_keycode {
	TUI_KC_BASE = 0x110000,
	TUI_KC_F1,
	TUI_KC_F12 = TUI_KC_F1 + 11,
	TUI_KC_UP,
	TUI_KC_DOWN,
	TUI_KC_LEFT,
	TUI_KC_RIGHT,
	TUI_KC_HOME,
	TUI_KC_END,
	TUI_KC_PGUP,
	TUI_KC_PGDN,
	TUI_KC_INSERT,
	TUI_KC_DELETE,
	TUI_KC_BACKSPACE,
	TUI_KC_ENTER,
	TUI_KC_TAB,
	TUI_KC_BACKTAB,
	TUI_KC_ESC,
	TUI_KC__END,
};

#define TUI_KC_F(n)    (TUI_KC_F1 + (n)-1)
#define TUI_KC_CTRL(c) ((c)&0x1f)

/* XX(name): what a key does. Views and the desk act on these. */
#define TUI_ACTION_MAP(XX)                                                     \
	XX(NONE)                                                               \
	XX(HELP)       /* the help of the screen */                            \
	XX(QUIT)       /* leave ow-desk, confirming if input would be lost */  \
	XX(REDRAW)     /* repaint the whole terminal */                        \
	XX(LOCK)       /* lock the desk now */                                 \
	XX(CALL_NEXT)  /* the next ticket to this window */                    \
	XX(REFRESH)    /* fetch the screen's data again */                     \
	XX(NEXT_FIELD) /* focus: next field or pane */                         \
	XX(PREV_FIELD)                                                         \
	XX(SUBMIT)                                                             \
	XX(UP)                                                                 \
	XX(DOWN)                                                               \
	XX(PAGE_UP)                                                            \
	XX(PAGE_DOWN)                                                          \
	XX(FIRST)                                                              \
	XX(LAST)                                                               \
	XX(BACK)      /* leave this screen */                                  \
	XX(NEW_CASE)  /* take in a new case: choose the matter */              \
	XX(SEARCH)    /* search cases */                                       \
	XX(OPEN)      /* open the selected case */                             \
	XX(PRINT)     /* print the notice */                                   \
	XX(REFUSE)    /* refuse the application, with a reason */              \
	XX(LOOKUP)    /* look the applicant up in the register */              \
	XX(ACT)       /* act on the case: the actions the role allows */       \
	XX(HISTORY)   /* show or hide the case's history */                    \
	XX(RATE)      /* take the applicant's rating */                        \
	XX(NOTE)      /* add a note to the case */                             \
	XX(TOGGLE)    /* tick a material, change a choice */                   \
	XX(SUPERVISE) /* the supervisor's screen, or a case's supervision */   \
	XX(MARK)      /* mark the selected case for a batch */                 \
	XX(REASSIGN)  /* move marked cases to another clerk or hall */         \
	XX(HALL)      /* show another hall */                                  \
	XX(REPORTS)   /* the reports */                                        \
	XX(OPS)       /* the ops screen */                                     \
	XX(ACK)       /* take over a case moved to you */

enum tui_action {
#define TUI_XX_ACTION(name) TUI_ACT_##name,
	TUI_ACTION_MAP(TUI_XX_ACTION)
#undef TUI_XX_ACTION
	    TUI_ACT__COUNT
};

/* Bind only while no text field has the focus: '?' is help in a list but
 * a character in a field. */
#define TUI_BIND_NOT_TYPING 1u

struct tui_bind {
	int key;
	enum tui_action action;
	const char *label; /* F-key bar label, an N_() msgid; NULL: not shown */
	const char *help;  /* help line, an N_() msgid; NULL: not listed */
	unsigned flags;    /* TUI_BIND_* */
};

struct tui_keymap {
	const struct tui_bind *binds;
	size_t n;
};

#define TUI_KEYMAP(array)                                                      \
	{                                                                      \
		(array), sizeof(array) / sizeof((array)[0])                    \
	}

/*
 * The binding of key in maps[0..n) (the first map that binds it wins, so
 * a screen's map goes before the global one), or NULL. typing: a text
 * field has the focus (TUI_BIND_NOT_TYPING bindings are skipped).
 */
const struct tui_bind *tui_keymap_find(
    const struct tui_keymap *maps, size_t n, int key, bool typing);

/*
 * The key's name for help and messages, ASCII, into out (size bytes, NUL
 * terminated, cut if short): "F2", "Tab", "Enter", "Ctrl-U", "?", "PgDn".
 * A printable character is itself (UTF-8). Returns out.
 */
char *tui_key_name(int key, char *out, size_t size);

/*
 * One line of generated help: the keys that do one action, joined by ", "
 * ("F1, ?"), and the help msgid of the first of them.
 */
struct tui_help_line {
	char keys[48];
	const char *help;
};

/*
 * Help lines for maps[0..n), in table order, one per action that has a
 * help text (on any of its bindings) and a key that does it now: a key
 * that an earlier map binds is left out of later maps (it does not do
 * that there), and so are TUI_BIND_NOT_TYPING keys while typing. Writes
 * at most max lines into out and returns how many there are in all.
 */
size_t tui_keymap_help(const struct tui_keymap *maps, size_t n, bool typing,
    struct tui_help_line *out, size_t max);

/*
 * The function-key bar: labels[i] = the label msgid of F(i+1) in
 * maps[0..n), the first map that binds it winning; NULL where F(i+1) has
 * no label. Only F1..F10 (the Esc-digit fallbacks reach no further).
 */
void tui_keymap_fbar(
    const struct tui_keymap *maps, size_t n, const char *labels[10]);

/*
 * Esc+digit: Esc starts a pending state; a digit then gives F1..F10 (0 is
 * F10), a second Esc gives one Esc at once, any other key gives Esc and
 * then that key; the caller's timer calls tui_esc_timeout() when no key
 * followed, which gives the lone Esc.
 */
struct tui_esc {
	bool pending;
};

/* Feed one key; writes 0..2 keys to act on into out and returns how
 * many. 0 means: Esc is pending, start the timer. */
size_t tui_esc_feed(struct tui_esc *st, int key, int out[2]);

/* The timer ran out: returns TUI_KC_ESC if Esc was pending, else 0. */
int tui_esc_timeout(struct tui_esc *st);

/*
 * A key typed into a text field, the same in every screen: Left, Right,
 * Home (Ctrl-A), End (Ctrl-E), Backspace, Delete, Ctrl-U, Ctrl-K, Esc
 * (revert the field) when esc_reverts, and printable characters. Returns
 * what the editor did; *handled is false (and nothing is done) for any
 * other key, which is then the screen's.
 */
enum tui_edit_result tui_field_key(
    struct tui_editor *e, int key, bool esc_reverts, bool *handled);

/* The action's name ("CALL_NEXT"), for logs and tests. */
const char *tui_action_name(enum tui_action a);

#endif
