/*
 * editor.h: the desk's field editor for wide characters, as pure logic.
 *
 * libformw (ncurses 6.4) corrupts CJK text, so the desk keeps its own: a
 * buffer of code points with a cursor and a horizontal scroll, edited by
 * keys, drawn by the view from what tui_editor_layout() writes. The
 * hardware cursor goes at the column tui_editor_layout() returns, so
 * screen readers and Chinese input methods follow the insertion point.
 * Nothing here touches a terminal: tests drive it key by key.
 *
 * A character is one code point: the cursor moves over, and Backspace
 * deletes, one code point at a time (Chinese text has no combining
 * sequences to keep together).
 *
 * Never stored, whatever the filter: control characters (C0, DEL, C1, so
 * newlines and tabs too), the line and paragraph separators U+2028/2029,
 * and invisible format characters that make the screen show something
 * other than what is stored: bidi controls (U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069), zero-width space U+200B, word joiner
 * U+2060 and the byte-order mark U+FEFF. ZWNJ/ZWJ (U+200C/U+200D) stay:
 * some scripts need them.
 */
#ifndef TUI_EDITOR_H
#define TUI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Which characters a field accepts as they are typed (the 3270 lesson:
 * refuse at the key, not at submit). Every filter but ANY first folds the
 * full-width forms U+FF01..U+FF5E into ASCII, because a Chinese input
 * method in full-width mode types "１３８" for 138: U+FF10..U+FF19 are
 * taken as the digits 0-9, "ｘ" as x, "．" as '.', and so on.
 */
enum tui_filter {
	TUI_FILTER_ANY,     /* any printable character */
	TUI_FILTER_DIGITS,  /* 0-9 (phones, counts) */
	TUI_FILTER_ID,      /* 0-9, X, x: citizen IDs (x stored as X) */
	TUI_FILTER_CODE,    /* 0-9, A-Z (a-z stored upper): USCC, licences */
	TUI_FILTER_DECIMAL, /* 0-9 and one '.': money; the ideographic full
	                       stop U+3002 (what '.' types in an input
	                       method's Chinese punctuation mode) is '.' */
	TUI_FILTER_DATE,    /* 0-9 and '-' */
};

enum tui_key {
	TUI_KEY_LEFT = 1,
	TUI_KEY_RIGHT,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_BACKSPACE,
	TUI_KEY_DELETE,
	TUI_KEY_KILL_BEFORE, /* Ctrl-U: delete to the start */
	TUI_KEY_KILL_AFTER,  /* Ctrl-K: delete to the end */
	TUI_KEY_REVERT,      /* Esc: back to the value on entry */
};

enum tui_edit_result {
	TUI_EDIT_OK,      /* changed or moved */
	TUI_EDIT_REFUSED, /* refused (filter, length, no memory) or nothing
	                     to do: beep. Insert and key leave the editor
	                     unchanged then; a paste may have taken part */
	TUI_EDIT_FULL,    /* the field is full now: autoskip to the next */
};

/*
 * The editor's state. The view reads it; only these functions write it.
 * Invariants: len <= cap, cursor <= len, scroll <= cursor after
 * tui_editor_layout.
 */
struct tui_editor {
	uint32_t *text;   /* code points, no NUL; NULL while cap == 0 */
	size_t len, cap;  /* in code points */
	size_t cursor;    /* insertion point, 0..len */
	size_t scroll;    /* first code point shown */
	size_t max_chars; /* 0 = no limit */
	bool autoskip;    /* a fixed-length field: FULL when len == max */
	enum tui_filter filter;
	/* UTF-8 value on entry, for Esc; never NULL after a successful init */
	char *initial;
	/* The text differs from initial (typing a character and deleting it
	 * again leaves the field clean). */
	bool dirty;
};

/*
 * Start editing a field. value (UTF-8, borrowed, may be NULL for empty) is
 * the field's value on entry: invalid UTF-8 bytes and the characters that
 * are never stored (above) are dropped from it; the filter is not applied
 * and a value longer than max_chars is kept whole, since it is data
 * already stored and validation judges it. The cursor is at the end.
 * Returns 0, or CM_ENOMEM with nothing allocated and e zeroed
 * (tui_editor_free on it is harmless). Free with tui_editor_free.
 */
int tui_editor_init(struct tui_editor *e, const char *value, size_t max_chars,
    enum tui_filter filter, bool autoskip);

/* Free what the editor holds and zero it. Safe on a zeroed editor. */
void tui_editor_free(struct tui_editor *e);

/*
 * Type one character at the cursor, after the filter (which may store it
 * changed: x as X, full-width digits as ASCII). Returns REFUSED, with the
 * editor unchanged, when the filter refuses it, when the field already
 * holds max_chars characters, or when the buffer could not grow (no
 * memory: the key is lost, as if refused, and the text is intact). Returns
 * FULL when the character filled an autoskip field to max_chars, else OK.
 */
enum tui_edit_result tui_editor_insert(struct tui_editor *e, uint32_t cp);

/*
 * Paste text (UTF-8, borrowed) at the cursor, as if typed: newlines and
 * the other characters that are never stored are stripped silently
 * (one-line fields), every other character goes through the filter, and
 * what does not fit in max_chars is dropped. Returns REFUSED if anything
 * was dropped (filtered out, too long, an invalid UTF-8 byte) or if the
 * buffer could not grow (then nothing at all is inserted), else FULL when
 * the paste filled an autoskip field, else OK.
 */
enum tui_edit_result tui_editor_paste(struct tui_editor *e, const char *utf8);

/*
 * Apply an editing key. Left/Right move by one character, Home/End to the
 * ends; Backspace and Delete remove the character before and at the
 * cursor; KILL_BEFORE/KILL_AFTER remove everything before/after it;
 * REVERT restores the value on entry with the cursor at its end (it never
 * allocates, so it cannot fail). Returns OK, or REFUSED when the key had
 * nothing to do (Left at the start, Delete at the end, ...) or is unknown.
 */
enum tui_edit_result tui_editor_key(struct tui_editor *e, enum tui_key k);

/* The value as UTF-8 (caller frees with cm_free); NULL on no memory. */
char *tui_editor_value(const struct tui_editor *e);

/*
 * Lay the field out in cols columns and return the column (0..cols-1) of
 * the hardware cursor: the first column of the character at the cursor,
 * or the column after the last character.
 *
 * The scroll moves by display width so that the cursor's cell is always
 * visible: to the cursor when it went left of the scroll; just far enough,
 * when it went right of the field, that the cursor's cell ends at the
 * right edge (or one column before it, when a wide character does not
 * divide evenly); and back to the left as long as the whole rest of the
 * text still fits, so that deleting never leaves the field half empty with
 * text hidden on the left. The first column always starts a whole
 * character; a wide character that would straddle the right edge is not
 * shown and its columns are spaces. After the last character one cell is
 * kept for the insertion point, unless the field holds max_chars
 * characters: then the cursor stays on the last column (cols-1 at most,
 * so a fixed-length field exactly as wide as its text does not scroll).
 * A wide character at the cursor in a 1-column field cannot show: the
 * field is a space and the cursor column 0. Changes only e->scroll and
 * never allocates.
 *
 * out (size bytes) receives the visible text, UTF-8, NUL-terminated,
 * padded with spaces to exactly cols columns; 4 * cols + 1 bytes always
 * suffice unless the text holds zero-width characters (a smaller out cuts
 * the text at a whole character and still pads when size > cols). With
 * cols == 0 out is "" and 0 is returned.
 */
size_t tui_editor_layout(
    struct tui_editor *e, size_t cols, char *out, size_t size);

#endif
