/*
 * dialog.c: the desk's small dialogs: a yes/no confirmation (refuse,
 * withdraw, leaving a form), a line of text (a reason, a comment) and a
 * choice from a list (the actions of a case). One at a time, drawn in the
 * popup panel over the screen; the answer goes to a callback. "No" and
 * Cancel are the defaults: Esc never does anything irreversible.
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "tui/width.h"

static void
open_dialog(struct tui_desk *d, enum tui_dialog kind, const char *title,
    const char *text, tui_dialog_cb cb)
{
	tui_editor_free(&d->dlg.ed);
	memset(&d->dlg, 0, sizeof(d->dlg));
	snprintf(d->dlg.title, sizeof(d->dlg.title), "%s", title);
	snprintf(
	    d->dlg.text, sizeof(d->dlg.text), "%s", text != NULL ? text : "");
	d->dlg.cb = cb;
	d->dialog = kind;
	tui_desk_dirty(d);
}

void
tui_dialog_confirm(
    struct tui_desk *d, const char *title, const char *text, tui_dialog_cb cb)
{
	open_dialog(d, TUI_DLG_CONFIRM, title, text, cb);
	d->dlg.sel = 0; /* No */
}

void
tui_dialog_prompt(struct tui_desk *d, const char *title, const char *text,
    bool need_text, size_t max_chars, tui_dialog_cb cb)
{
	open_dialog(d, TUI_DLG_PROMPT, title, text, cb);
	d->dlg.need_text = need_text;
	if (tui_editor_init(
	        &d->dlg.ed, NULL, max_chars, TUI_FILTER_ANY, false) != 0) {
		d->dialog = TUI_DLG_NONE;
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
	}
}

void
tui_dialog_choice(struct tui_desk *d, const char *title,
    const char *const *choices, int n, tui_dialog_cb cb)
{
	open_dialog(d, TUI_DLG_CHOICE, title, NULL, cb);
	if (n > TUI_DLG_CHOICES) {
		n = TUI_DLG_CHOICES;
	}
	for (int i = 0; i < n; i++) {
		d->dlg.choices[i] = choices[i];
	}
	d->dlg.nchoices = n;
}

void
tui_dialog_free(struct tui_desk *d)
{
	tui_editor_free(&d->dlg.ed);
}

/* Close, then answer (the callback may open another dialog). */
static void
answer(struct tui_desk *d, bool ok, int choice, const char *text)
{
	tui_dialog_cb cb = d->dlg.cb;

	d->dialog = TUI_DLG_NONE;
	tui_desk_dirty(d);
	if (cb != NULL) {
		cb(d, ok, choice, text);
	}
}

static bool
prompt_key(struct tui_desk *d, int key)
{
	bool handled;
	char *v;

	if (key == TUI_KC_ESC) {
		answer(d, false, 0, NULL);
		return true;
	}
	if (key == TUI_KC_ENTER) {
		v = tui_editor_value(&d->dlg.ed);
		if (v == NULL) {
			return true;
		}
		if (d->dlg.need_text && v[0] == '\0') {
			beep();
		} else {
			char buf[1024];

			/* The callback may free the editor (a new dialog). */
			snprintf(buf, sizeof(buf), "%s", v);
			cm_free(v);
			answer(d, true, 0, buf);
			return true;
		}
		cm_free(v);
		return true;
	}
	if (tui_field_key(&d->dlg.ed, key, false, &handled) ==
	    TUI_EDIT_REFUSED) {
		beep();
	}
	return true;
}

bool
tui_dialog_key(struct tui_desk *d, int key)
{
	switch (d->dialog) {
	case TUI_DLG_CONFIRM:
		switch (key) {
		case 'y':
		case 'Y':
			answer(d, true, 1, NULL);
			break;
		case TUI_KC_ENTER:
			answer(d, d->dlg.sel == 1, d->dlg.sel, NULL);
			break;
		case TUI_KC_LEFT:
		case TUI_KC_RIGHT:
		case TUI_KC_TAB:
		case TUI_KC_BACKTAB:
			d->dlg.sel = !d->dlg.sel;
			break;
		default: /* n, Esc: no */
			answer(d, false, 0, NULL);
			break;
		}
		return true;
	case TUI_DLG_PROMPT:
		return prompt_key(d, key);
	case TUI_DLG_CHOICE:
		switch (key) {
		case TUI_KC_UP:
			if (d->dlg.sel > 0) {
				d->dlg.sel--;
			}
			break;
		case TUI_KC_DOWN:
			if (d->dlg.sel + 1 < d->dlg.nchoices) {
				d->dlg.sel++;
			}
			break;
		case TUI_KC_ENTER:
			answer(d, true, d->dlg.sel, NULL);
			break;
		case TUI_KC_ESC:
			answer(d, false, 0, NULL);
			break;
		default:
			if (key >= '1' && key <= '9' &&
			    key - '1' < d->dlg.nchoices) {
				answer(d, true, key - '1', NULL);
			} else {
				beep();
			}
			break;
		}
		return true;
	default:
		return false;
	}
}

void
tui_dialog_draw(struct tui_desk *d, struct tui_cursor *cur)
{
	int w = (int)tui_str_width(d->dlg.title) + 8, h, tw;
	WINDOW *win;

	tw = (int)tui_str_width(d->dlg.text) + 6;
	if (tw > w) {
		w = tw;
	}
	if (d->dialog == TUI_DLG_PROMPT && w < 60) {
		w = 60;
	}
	for (int i = 0; i < d->dlg.nchoices; i++) {
		int cw = (int)tui_str_width(d->dlg.choices[i]) + 10;

		if (cw > w) {
			w = cw;
		}
	}
	if (w < 40) {
		w = 40;
	}
	if (w > d->cols - 4) {
		w = d->cols - 4;
	}
	h = d->dialog == TUI_DLG_CHOICE ? d->dlg.nchoices + 4 : 7;
	if (h > d->rows - 2) {
		h = d->rows - 2;
	}
	win = tui_chrome_popup(d, h, w);
	if (win == NULL) {
		return;
	}
	tui_box(win, 0, 0, h, w, d->dlg.title);
	if (d->dialog == TUI_DLG_CHOICE) {
		for (int i = 0; i < d->dlg.nchoices && i + 2 < h - 1; i++) {
			char buf[256];
			bool sel = i == d->dlg.sel;

			snprintf(buf, sizeof(buf), "%c %d. %s", sel ? '>' : ' ',
			    i + 1, d->dlg.choices[i]);
			tui_put(win, i + 2, 2, w - 4, buf, true,
			    sel ? TUI_S_SELECTED : TUI_S_NORMAL);
			if (sel) {
				cur->win = win;
				cur->y = i + 2;
				cur->x = 2;
			}
		}
		return;
	}
	tui_put(win, 2, 3, w - 6, d->dlg.text, false, TUI_S_NORMAL);
	if (d->dialog == TUI_DLG_PROMPT) {
		char buf[4 * 128 + 1];
		int cols = w - 6 > 128 ? 128 : w - 6;
		size_t col = tui_editor_layout(
		    &d->dlg.ed, (size_t)cols, buf, sizeof(buf));

		tui_put(win, 4, 3, cols, buf, true, TUI_S_FIELD_FOCUS);
		cur->win = win;
		cur->y = 4;
		cur->x = 3 + (int)col;
		return;
	}
	{
		const char *no = _("No"), *yes = _("Yes");
		char buf[128];
		int no_w = (int)tui_str_width(no) + 4,
		    yes_w = (int)tui_str_width(yes) + 4;
		int x_no = (w - no_w - yes_w - 3) / 2, x_yes = x_no + no_w + 3;

		snprintf(buf, sizeof(buf),
		    d->dlg.sel == 0 ? "[ %s ]" : "  %s  ", no);
		tui_put(win, 4, x_no, no_w, buf, false,
		    d->dlg.sel == 0 ? TUI_S_SELECTED : TUI_S_NORMAL);
		snprintf(buf, sizeof(buf),
		    d->dlg.sel == 1 ? "[ %s ]" : "  %s  ", yes);
		tui_put(win, 4, x_yes, yes_w, buf, false,
		    d->dlg.sel == 1 ? TUI_S_SELECTED : TUI_S_NORMAL);
		cur->win = win;
		cur->y = 4;
		cur->x = (d->dlg.sel == 0 ? x_no : x_yes) + 2;
	}
}
