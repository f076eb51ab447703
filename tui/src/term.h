/*
 * term.h: the desk's terminal adapter: ncursesw set-up and tear-down,
 * styles that work with and without colour, keys in tui/keymap.h codes,
 * and drawing helpers that measure text by display width (tui/width.h),
 * never by bytes.
 *
 * The only header of the desk that includes curses.h; the views include
 * it to draw. The wide-character API (get_wch, ...) needs
 * NCURSES_WIDECHAR (or _XOPEN_SOURCE_EXTENDED) before curses.h, and the
 * project's feature macros do not set it.
 */
#ifndef TUI_TERM_H
#define TUI_TERM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <panel.h>

#include <stdbool.h>
#include <stddef.h>

/* Smallest terminal the screens are laid out for. */
#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

/*
 * What a piece of text is, not how it looks: tui_style_attr() maps a
 * style to colours when the terminal has them and NO_COLOR is unset, and
 * to bold/reverse/underline otherwise. Colour is never the only signal:
 * warning rows also carry a text marker ([~], [!], [X]).
 */
enum tui_style {
	TUI_S_NORMAL,
	TUI_S_TITLE,
	TUI_S_BORDER,
	TUI_S_STATUS,
	TUI_S_FKEY_NUM,
	TUI_S_FKEY_LABEL,
	TUI_S_ERROR,
	TUI_S_INFO,
	TUI_S_FIELD,
	TUI_S_FIELD_FOCUS,
	TUI_S_SELECTED,
	TUI_S_HEADER,
	TUI_S_YELLOW,
	TUI_S_RED,
	TUI_S_OVERDUE,
	TUI_S_POPUP,
	TUI_S__COUNT
};

/*
 * Start curses on the terminal: newterm on stdin/stdout, raw keys (Ctrl-C
 * and Ctrl-Z arrive as keys: the desk decides what they do), no echo,
 * keypad, set_escdelay(25) so a lone Esc does not stall the loop, colours
 * unless NO_COLOR is set (non-empty) or the terminal has none. Also
 * installs handlers for fatal signals that put the terminal back before
 * the process dies. Returns 0 or -1 (no usable terminal).
 */
int tui_term_start(void);

/* Put the terminal back (endwin) and free curses' memory. Idempotent:
 * every exit path calls it. */
void tui_term_stop(void);

/* True between tui_term_start and tui_term_stop. */
bool tui_term_active(void);

/* Colours in use (false under NO_COLOR or on a monochrome terminal). */
bool tui_term_has_colour(void);

/* The window keys are read from: never drawn, so that reading a key never
 * refreshes anything behind the panels' backs. */
WINDOW *tui_term_input(void);

/* Read the terminal's size from the tty (TIOCGWINSZ) and resize curses to
 * it; *rows and *cols receive it. Called on SIGWINCH, which libuv takes
 * over from ncurses. */
void tui_term_resize(int *rows, int *cols);

/*
 * The next key, without waiting: a tui/keymap.h key code, or -1 when no
 * key is ready. Function and cursor keys, Tab, Enter, Esc and Backspace
 * become TUI_KC_* codes; KEY_RESIZE and unknown keys are 0 (ignore).
 */
int tui_term_read_key(void);

/* Show the hardware cursor at screen (y, x), or hide it when y < 0: the
 * last thing done before doupdate, so screen readers and input methods
 * follow the focused field. */
void tui_term_cursor(int y, int x);

attr_t tui_style_attr(enum tui_style s);
short tui_style_pair(enum tui_style s);
void tui_style_on(WINDOW *w, enum tui_style s);

/*
 * Draw s (UTF-8, borrowed) at (y, x) of w in at most cols columns, cut at
 * a whole character (tui_fit); pad: fill the rest of cols with spaces.
 * Returns the columns drawn. Never writes past the window's edge.
 */
int tui_put(WINDOW *w, int y, int x, int cols, const char *s, bool pad,
    enum tui_style style);

/* Draw s centred in a row of cols columns starting at x. */
void tui_put_centred(
    WINDOW *w, int y, int x, int cols, const char *s, enum tui_style style);

/* An ASCII box (+ - |) of h rows and wd columns at (y, x) with an
 * optional title in the top edge: no East-Asian-ambiguous characters, so
 * it looks the same whatever the terminal's ambiguous-width setting. */
void tui_box(WINDOW *w, int y, int x, int h, int wd, const char *title);

/* Fill a row from x with spaces in style for cols columns. */
void tui_fill(WINDOW *w, int y, int x, int cols, enum tui_style style);

#endif
