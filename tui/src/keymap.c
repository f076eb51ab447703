/*
 * keymap.c: key tables, generated help and F-key bar, and the Esc+digit
 * fallback (tui/keymap.h). Pure: no terminal, no allocation.
 */
#include "tui/keymap.h"

#include <stdio.h>
#include <string.h>

#include "common/utf8.h"

static const char *const action_names[] = {
#define TUI_XX_NAME(name) #name,
    TUI_ACTION_MAP(TUI_XX_NAME)
#undef TUI_XX_NAME
};

const char *
tui_action_name(enum tui_action a)
{
	if ((unsigned)a >= TUI_ACT__COUNT) {
		return "unknown";
	}
	return action_names[a];
}

const struct tui_bind *
tui_keymap_find(const struct tui_keymap *maps, size_t n, int key, bool typing)
{
	for (size_t m = 0; m < n; m++) {
		for (size_t i = 0; i < maps[m].n; i++) {
			const struct tui_bind *b = &maps[m].binds[i];

			if (b->key != key) {
				continue;
			}
			if (typing && (b->flags & TUI_BIND_NOT_TYPING) != 0) {
				continue;
			}
			return b;
		}
	}
	return NULL;
}

char *
tui_key_name(int key, char *out, size_t size)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
	    {TUI_KC_UP, "Up"},
	    {TUI_KC_DOWN, "Down"},
	    {TUI_KC_LEFT, "Left"},
	    {TUI_KC_RIGHT, "Right"},
	    {TUI_KC_HOME, "Home"},
	    {TUI_KC_END, "End"},
	    {TUI_KC_PGUP, "PgUp"},
	    {TUI_KC_PGDN, "PgDn"},
	    {TUI_KC_INSERT, "Ins"},
	    {TUI_KC_DELETE, "Del"},
	    {TUI_KC_BACKSPACE, "Backspace"},
	    {TUI_KC_ENTER, "Enter"},
	    {TUI_KC_TAB, "Tab"},
	    {TUI_KC_BACKTAB, "Shift-Tab"},
	    {TUI_KC_ESC, "Esc"},
	    {' ', "Space"},
	};
	char buf[8];
	int len;

	if (size == 0) {
		return out;
	}
	if (key >= TUI_KC_F1 && key <= TUI_KC_F12) {
		snprintf(out, size, "F%d", key - TUI_KC_F1 + 1);
		return out;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].key == key) {
			snprintf(out, size, "%s", names[i].name);
			return out;
		}
	}
	if (key >= 0 && key < 0x20) {
		snprintf(out, size, "Ctrl-%c", (char)('@' + key));
		return out;
	}
	len = key > 0 && key < TUI_KC_BASE ? cm_utf8_encode((uint32_t)key, buf)
	                                   : 0;
	if (len <= 0) {
		snprintf(out, size, "?");
		return out;
	}
	snprintf(out, size, "%.*s", len, buf);
	cm_utf8_trim_partial(out);
	return out;
}

/* True when an earlier map than m binds key (then m's binding is not the
 * one that acts, and help must not list it). */
static bool
shadowed(const struct tui_keymap *maps, size_t m, int key, bool typing)
{
	return tui_keymap_find(maps, m, key, typing) != NULL;
}

static void
append_key(struct tui_help_line *line, int key)
{
	char name[24];
	size_t used = strlen(line->keys);

	tui_key_name(key, name, sizeof(name));
	snprintf(line->keys + used, sizeof(line->keys) - used, "%s%s",
	    used > 0 ? ", " : "", name);
	cm_utf8_trim_partial(line->keys);
}

/* An action's help text: the first binding of it that has one, even a
 * shadowed binding (its words still describe the action). */
static const char *
action_help(const struct tui_keymap *maps, size_t n, enum tui_action a)
{
	for (size_t m = 0; m < n; m++) {
		for (size_t i = 0; i < maps[m].n; i++) {
			if (maps[m].binds[i].action == a &&
			    maps[m].binds[i].help != NULL) {
				return maps[m].binds[i].help;
			}
		}
	}
	return NULL;
}

size_t
tui_keymap_help(const struct tui_keymap *maps, size_t n, bool typing,
    struct tui_help_line *out, size_t max)
{
	/* One line per action, in the order of its first key that acts
	 * now; its other keys that act join the line. */
	bool seen[TUI_ACT__COUNT] = {false};
	size_t line_of[TUI_ACT__COUNT] = {0};
	size_t count = 0;

	for (size_t m = 0; m < n; m++) {
		for (size_t i = 0; i < maps[m].n; i++) {
			const struct tui_bind *b = &maps[m].binds[i];
			size_t a = (size_t)b->action;

			if (a >= TUI_ACT__COUNT || b->action == TUI_ACT_NONE ||
			    (typing && (b->flags & TUI_BIND_NOT_TYPING)) ||
			    shadowed(maps, m, b->key, typing)) {
				continue;
			}
			if (!seen[a]) {
				const char *help =
				    action_help(maps, n, b->action);

				if (help == NULL) {
					continue;
				}
				seen[a] = true;
				line_of[a] = count;
				if (count < max) {
					out[count].keys[0] = '\0';
					out[count].help = help;
				}
				count++;
			}
			if (line_of[a] < max) {
				append_key(&out[line_of[a]], b->key);
			}
		}
	}
	return count;
}

void
tui_keymap_fbar(const struct tui_keymap *maps, size_t n, const char *labels[10])
{
	for (int f = 1; f <= 10; f++) {
		const struct tui_bind *b =
		    tui_keymap_find(maps, n, TUI_KC_F(f), false);

		labels[f - 1] = b != NULL ? b->label : NULL;
	}
}

size_t
tui_esc_feed(struct tui_esc *st, int key, int out[2])
{
	if (!st->pending) {
		if (key == TUI_KC_ESC) {
			st->pending = true;
			return 0;
		}
		out[0] = key;
		return 1;
	}
	st->pending = false;
	if (key >= '1' && key <= '9') {
		out[0] = TUI_KC_F(key - '0');
		return 1;
	}
	if (key == '0') {
		out[0] = TUI_KC_F(10);
		return 1;
	}
	out[0] = TUI_KC_ESC;
	if (key == TUI_KC_ESC) {
		/* Esc Esc: the impatient Esc, at once. */
		return 1;
	}
	out[1] = key;
	return 2;
}

int
tui_esc_timeout(struct tui_esc *st)
{
	if (!st->pending) {
		return 0;
	}
	st->pending = false;
	return TUI_KC_ESC;
}

enum tui_edit_result
tui_field_key(struct tui_editor *e, int key, bool esc_reverts, bool *handled)
{
	static const struct {
		int key;
		enum tui_key edit;
	} edit_keys[] = {
	    {TUI_KC_LEFT, TUI_KEY_LEFT},
	    {TUI_KC_RIGHT, TUI_KEY_RIGHT},
	    {TUI_KC_HOME, TUI_KEY_HOME},
	    {TUI_KC_CTRL('a'), TUI_KEY_HOME},
	    {TUI_KC_END, TUI_KEY_END},
	    {TUI_KC_CTRL('e'), TUI_KEY_END},
	    {TUI_KC_BACKSPACE, TUI_KEY_BACKSPACE},
	    {TUI_KC_DELETE, TUI_KEY_DELETE},
	    {TUI_KC_CTRL('u'), TUI_KEY_KILL_BEFORE},
	    {TUI_KC_CTRL('k'), TUI_KEY_KILL_AFTER},
	};

	*handled = true;
	if (key == TUI_KC_ESC && esc_reverts) {
		return tui_editor_key(e, TUI_KEY_REVERT);
	}
	for (size_t i = 0; i < sizeof(edit_keys) / sizeof(edit_keys[0]); i++) {
		if (edit_keys[i].key == key) {
			return tui_editor_key(e, edit_keys[i].edit);
		}
	}
	if (key >= 0x20 && key < TUI_KC_BASE) {
		return tui_editor_insert(e, (uint32_t)key);
	}
	*handled = false;
	return TUI_EDIT_REFUSED;
}
