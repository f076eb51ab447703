/*
 * editor.c: the desk's wide-character field editor (tui/editor.h).
 *
 * The text is an array of code points rather than UTF-8, so that the
 * cursor, Backspace and max_chars all count characters and no edit can
 * leave half a character behind (the libformw failure). Widths enter only
 * in the layout, through tui_cp_width. Part of ow_tui_core: no terminal,
 * no I/O; memory through cm_malloc so that tests can fail allocations.
 */
#include "tui/editor.h"

#include <assert.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"
#include "tui/width.h"

#define MIN_CAP 16 /* code points: most fields never grow past this */

/* ---- Characters ------------------------------------------------------ */

/*
 * Characters no field stores: controls would act on the terminal when the
 * field is drawn, the separators are newlines, and the invisible format
 * characters make the screen show something other than what is stored
 * (bidi controls reorder the text around them).
 */
static bool
is_never_stored(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
		return true;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return true;
	}
	switch (cp) {
	case 0x200b: /* zero-width space */
	case 0x200e: /* left-to-right mark */
	case 0x200f: /* right-to-left mark */
	case 0x2028: /* line separator */
	case 0x2029: /* paragraph separator */
	case 0x2060: /* word joiner */
	case 0xfeff: /* byte-order mark, zero-width no-break space */
		return true;
	default:
		break;
	}
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static bool
is_digit(uint32_t cp)
{
	return cp >= '0' && cp <= '9';
}

/*
 * Run cp through the field's filter. Returns true and the character to
 * store in *out, or false when the field refuses it. has_dot says whether
 * the text (plus what a paste took so far) already holds a '.', for
 * DECIMAL. Characters that are never stored are refused here too.
 */
static bool
filter_cp(enum tui_filter filter, uint32_t cp, bool has_dot, uint32_t *out)
{
	if (is_never_stored(cp)) {
		return false;
	}
	if (filter == TUI_FILTER_ANY) {
		*out = cp;
		return true;
	}
	/* A Chinese input method in full-width mode types U+FF10 for '0':
	 * the restricted fields take ASCII only, so fold first. */
	if (cp >= 0xff01 && cp <= 0xff5e) {
		cp -= 0xfee0;
	}
	switch (filter) {
	case TUI_FILTER_DIGITS:
		break;
	case TUI_FILTER_ID:
		if (cp == 'x' || cp == 'X') {
			*out = 'X';
			return true;
		}
		break;
	case TUI_FILTER_CODE:
		if (cp >= 'a' && cp <= 'z') {
			*out = cp - 'a' + 'A';
			return true;
		}
		if (cp >= 'A' && cp <= 'Z') {
			*out = cp;
			return true;
		}
		break;
	case TUI_FILTER_DECIMAL:
		if (cp == '.' || cp == 0x3002) {
			*out = '.';
			return !has_dot;
		}
		break;
	case TUI_FILTER_DATE:
		if (cp == '-') {
			*out = cp;
			return true;
		}
		break;
	case TUI_FILTER_ANY:
	default:
		break;
	}
	if (is_digit(cp)) {
		*out = cp;
		return true;
	}
	return false;
}

/* ---- Buffer ---------------------------------------------------------- */

/* Make room for need code points. Returns 0 or CM_ENOMEM (buffer as it
 * was). */
static int
reserve(struct tui_editor *e, size_t need)
{
	size_t cap = e->cap == 0 ? MIN_CAP : e->cap;
	uint32_t *text;

	if (need <= e->cap) {
		return 0;
	}
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			return CM_ENOMEM;
		}
		cap *= 2;
	}
	/* A limited field never needs more than its limit. */
	if (e->max_chars != 0 && need <= e->max_chars && cap > e->max_chars) {
		cap = e->max_chars;
	}
	text = cm_reallocarray(e->text, cap, sizeof(*text));
	if (text == NULL) {
		return CM_ENOMEM;
	}
	e->text = text;
	e->cap = cap;
	return 0;
}

/* UTF-8 of n code points (caller frees with cm_free); NULL on no memory.
 * Every stored code point is a scalar value, so each encodes. */
static char *
encode(const uint32_t *text, size_t n)
{
	size_t bytes = 0, used = 0;
	char buf[4];
	char *s;

	for (size_t i = 0; i < n; i++) {
		bytes += (size_t)cm_utf8_encode(text[i], buf);
	}
	s = cm_malloc(bytes + 1);
	if (s == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		used += (size_t)cm_utf8_encode(text[i], s + used);
	}
	assert(used == bytes);
	s[used] = '\0';
	return s;
}

/*
 * Decode the storable characters of s into text (when not NULL) and
 * return their number: invalid bytes and never-stored characters are
 * skipped. Used twice on the initial value: to count, then to fill.
 */
static size_t
decode_value(const char *s, uint32_t *text)
{
	size_t len = strlen(s), n = 0;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		int k = cm_utf8_decode(s + i, len - i, &cp);

		if (k < 0) {
			i++;
			continue;
		}
		i += (size_t)k;
		if (is_never_stored(cp)) {
			continue;
		}
		if (text != NULL) {
			text[n] = cp;
		}
		n++;
	}
	return n;
}

/* Does the text equal the value on entry? Compares without allocating. */
static bool
equals_initial(const struct tui_editor *e)
{
	const char *s = e->initial;
	size_t left = strlen(s);
	uint32_t cp;

	for (size_t i = 0; i < e->len; i++) {
		int k = cm_utf8_decode(s, left, &cp);

		if (k < 0 || cp != e->text[i]) {
			return false;
		}
		s += k;
		left -= (size_t)k;
	}
	return left == 0;
}

static void
changed(struct tui_editor *e)
{
	e->dirty = !equals_initial(e);
}

/* Remove text[from, to) and keep the cursor on the same character. */
static void
delete_range(struct tui_editor *e, size_t from, size_t to)
{
	assert(from <= to && to <= e->len);
	memmove(e->text + from, e->text + to, (e->len - to) * sizeof(*e->text));
	e->len -= to - from;
	if (e->cursor >= to) {
		e->cursor -= to - from;
	} else if (e->cursor > from) {
		e->cursor = from;
	}
	changed(e);
}

static bool
is_full(const struct tui_editor *e)
{
	return e->max_chars != 0 && e->len >= e->max_chars;
}

/* ---- Editing --------------------------------------------------------- */

int
tui_editor_init(struct tui_editor *e, const char *value, size_t max_chars,
    enum tui_filter filter, bool autoskip)
{
	size_t n;

	assert(e != NULL);
	memset(e, 0, sizeof(*e));
	e->max_chars = max_chars;
	e->filter = filter;
	e->autoskip = autoskip;
	if (value == NULL) {
		value = "";
	}
	n = decode_value(value, NULL);
	if (n > 0) {
		e->text = cm_reallocarray(NULL, n, sizeof(*e->text));
		if (e->text == NULL) {
			goto fail_text;
		}
		e->cap = n;
		e->len = decode_value(value, e->text);
	}
	/* The cleaned value, not the one given, so that Esc restores exactly
	 * what the field showed on entry. */
	e->initial = encode(e->text, e->len);
	if (e->initial == NULL) {
		goto fail_initial;
	}
	e->cursor = e->len;
	return 0;

fail_initial:
	cm_free(e->text);
fail_text:
	memset(e, 0, sizeof(*e));
	return CM_ENOMEM;
}

void
tui_editor_free(struct tui_editor *e)
{
	cm_free(e->text);
	cm_free(e->initial);
	memset(e, 0, sizeof(*e));
}

static bool
has_dot(const struct tui_editor *e)
{
	for (size_t i = 0; i < e->len; i++) {
		if (e->text[i] == '.') {
			return true;
		}
	}
	return false;
}

enum tui_edit_result
tui_editor_insert(struct tui_editor *e, uint32_t cp)
{
	uint32_t c;

	if (!filter_cp(e->filter, cp, has_dot(e), &c) || is_full(e)) {
		return TUI_EDIT_REFUSED;
	}
	if (reserve(e, e->len + 1) != 0) {
		return TUI_EDIT_REFUSED;
	}
	memmove(e->text + e->cursor + 1, e->text + e->cursor,
	    (e->len - e->cursor) * sizeof(*e->text));
	e->text[e->cursor++] = c;
	e->len++;
	changed(e);
	return e->autoskip && is_full(e) ? TUI_EDIT_FULL : TUI_EDIT_OK;
}

/*
 * Filter a paste, taking at most room characters: returns how many it
 * takes, writes them to dst when not NULL and sets *dropped when any
 * character was refused, cut off or invalid. Called twice with the same
 * arguments (count, then fill), so both passes decide alike.
 */
static size_t
scan_paste(const struct tui_editor *e, const char *s, size_t room,
    uint32_t *dst, bool *dropped)
{
	size_t len = strlen(s), n = 0;
	bool dot = e->filter == TUI_FILTER_DECIMAL && has_dot(e);
	uint32_t cp, c;

	*dropped = false;
	for (size_t i = 0; i < len;) {
		int k = cm_utf8_decode(s + i, len - i, &cp);

		if (k < 0) {
			*dropped = true;
			i++;
			continue;
		}
		i += (size_t)k;
		/* Line ends and the like are how pasted text arrives, not a
		 * mistake to beep about: strip them silently. */
		if (is_never_stored(cp)) {
			continue;
		}
		if (!filter_cp(e->filter, cp, dot, &c) || n == room) {
			*dropped = true;
			continue;
		}
		if (c == '.') {
			dot = true;
		}
		if (dst != NULL) {
			dst[n] = c;
		}
		n++;
	}
	return n;
}

enum tui_edit_result
tui_editor_paste(struct tui_editor *e, const char *utf8)
{
	size_t room = SIZE_MAX, n;
	bool dropped;

	if (e->max_chars != 0) {
		room = e->len < e->max_chars ? e->max_chars - e->len : 0;
	}
	n = scan_paste(e, utf8, room, NULL, &dropped);
	if (n == 0) {
		return dropped ? TUI_EDIT_REFUSED : TUI_EDIT_OK;
	}
	if (reserve(e, e->len + n) != 0) {
		return TUI_EDIT_REFUSED;
	}
	memmove(e->text + e->cursor + n, e->text + e->cursor,
	    (e->len - e->cursor) * sizeof(*e->text));
	scan_paste(e, utf8, room, e->text + e->cursor, &dropped);
	e->cursor += n;
	e->len += n;
	changed(e);
	if (dropped) {
		return TUI_EDIT_REFUSED;
	}
	return e->autoskip && is_full(e) ? TUI_EDIT_FULL : TUI_EDIT_OK;
}

enum tui_edit_result
tui_editor_key(struct tui_editor *e, enum tui_key k)
{
	switch (k) {
	case TUI_KEY_LEFT:
		if (e->cursor == 0) {
			return TUI_EDIT_REFUSED;
		}
		e->cursor--;
		return TUI_EDIT_OK;
	case TUI_KEY_RIGHT:
		if (e->cursor == e->len) {
			return TUI_EDIT_REFUSED;
		}
		e->cursor++;
		return TUI_EDIT_OK;
	case TUI_KEY_HOME:
		if (e->cursor == 0) {
			return TUI_EDIT_REFUSED;
		}
		e->cursor = 0;
		return TUI_EDIT_OK;
	case TUI_KEY_END:
		if (e->cursor == e->len) {
			return TUI_EDIT_REFUSED;
		}
		e->cursor = e->len;
		return TUI_EDIT_OK;
	case TUI_KEY_BACKSPACE:
		if (e->cursor == 0) {
			return TUI_EDIT_REFUSED;
		}
		delete_range(e, e->cursor - 1, e->cursor);
		return TUI_EDIT_OK;
	case TUI_KEY_DELETE:
		if (e->cursor == e->len) {
			return TUI_EDIT_REFUSED;
		}
		delete_range(e, e->cursor, e->cursor + 1);
		return TUI_EDIT_OK;
	case TUI_KEY_KILL_BEFORE:
		if (e->cursor == 0) {
			return TUI_EDIT_REFUSED;
		}
		delete_range(e, 0, e->cursor);
		return TUI_EDIT_OK;
	case TUI_KEY_KILL_AFTER:
		if (e->cursor == e->len) {
			return TUI_EDIT_REFUSED;
		}
		delete_range(e, e->cursor, e->len);
		return TUI_EDIT_OK;
	case TUI_KEY_REVERT:
		/* The initial value was decoded into a buffer at least this
		 * big on init, and buffers never shrink: no allocation. */
		assert(decode_value(e->initial, NULL) <= e->cap);
		e->len = decode_value(e->initial, e->text);
		e->cursor = e->len;
		e->scroll = 0;
		e->dirty = false;
		return TUI_EDIT_OK;
	default:
		return TUI_EDIT_REFUSED;
	}
}

char *
tui_editor_value(const struct tui_editor *e)
{
	return encode(e->text, e->len);
}

/* ---- Layout ---------------------------------------------------------- */

static size_t
width_of(const struct tui_editor *e, size_t i)
{
	return (size_t)tui_cp_width(e->text[i]);
}

/* Columns the cursor needs: its character's, or one cell for the
 * insertion point after the last character (none when the field is full:
 * nothing can be inserted there). */
static size_t
cursor_cells(const struct tui_editor *e)
{
	size_t w;

	if (e->cursor == e->len) {
		return is_full(e) ? 0 : 1;
	}
	w = width_of(e, e->cursor);
	return w == 0 ? 1 : w;
}

/* Adjust e->scroll for cols columns as tui_editor_layout describes. */
static void
scroll_to_cursor(struct tui_editor *e, size_t cols)
{
	size_t need = cursor_cells(e), before = 0, rest;

	if (e->scroll > e->cursor) {
		e->scroll = e->cursor;
	}
	/* Right of the field: drop characters on the left until the
	 * cursor's cell ends at the right edge. */
	for (size_t i = e->scroll; i < e->cursor; i++) {
		before += width_of(e, i);
	}
	while (e->scroll < e->cursor && before + need > cols) {
		before -= width_of(e, e->scroll);
		e->scroll++;
	}
	/* Pull hidden text back in while everything from the scroll on
	 * still fits; the cursor, being in that rest, stays visible. */
	rest = is_full(e) ? 0 : 1;
	for (size_t i = e->scroll; i < e->len; i++) {
		rest += width_of(e, i);
	}
	while (e->scroll > 0 && rest + width_of(e, e->scroll - 1) <= cols) {
		e->scroll--;
		rest += width_of(e, e->scroll);
	}
}

size_t
tui_editor_layout(struct tui_editor *e, size_t cols, char *out, size_t size)
{
	size_t col = 0, used = 0, cursor_col = 0;

	assert(e->cursor <= e->len && e->len <= e->cap);
	if (size > 0) {
		out[0] = '\0';
	}
	if (cols == 0) {
		return 0;
	}
	scroll_to_cursor(e, cols);
	for (size_t i = e->scroll; i < e->len; i++) {
		size_t w = width_of(e, i);
		char buf[4];
		size_t blen;

		if (col + w > cols) {
			break;
		}
		/* Keep room for the padding after this character and the
		 * NUL, so that the field is always cols columns wide. */
		blen = (size_t)cm_utf8_encode(e->text[i], buf);
		if (used + blen + (cols - col - w) + 1 > size) {
			break;
		}
		memcpy(out + used, buf, blen);
		used += blen;
		col += w;
	}
	for (size_t i = e->scroll; i < e->cursor; i++) {
		cursor_col += width_of(e, i);
	}
	while (col < cols && used + 1 < size) {
		out[used++] = ' ';
		col++;
	}
	if (size > 0) {
		out[used] = '\0';
	}
	return cursor_col < cols ? cursor_col : cols - 1;
}
