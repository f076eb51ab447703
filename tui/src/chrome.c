/*
 * chrome.c: what every screen has around it: the status line, the
 * function-key bar, the help (generated from the key maps), the quit
 * confirmation and the "too small" notice.
 *
 * Widths come from tui_str_width/tui_fit, so translated labels of any
 * width lay out without overlapping; the chrome uses ASCII only for its
 * own marks (| separators, + - | borders), never East-Asian-ambiguous
 * characters, whose width depends on the terminal's settings.
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "tui/width.h"

#define HELP_LINES_MAX 48

/* ---- Status line ------------------------------------------------------- */

static const char *
link_label(enum tui_link_state s, bool compact)
{
	switch (s) {
	case TUI_LINK_UP:
		return compact ? _("online") : _("Node: online");
	case TUI_LINK_DOWN:
		return compact ? _("OFFLINE") : _("Node: OFFLINE");
	default:
		return compact ? "?" : _("Node: not asked yet");
	}
}

/* Append a segment and its separator to buf. */
static void
segment(char *buf, size_t size, const char *s)
{
	size_t used = strlen(buf);

	if (s == NULL || s[0] == '\0') {
		return;
	}
	snprintf(buf + used, size - used, "%s%s", used > 0 ? " | " : " ", s);
}

/* The left part of the status line; compact leaves out the hall and
 * shortens the rest, to make room for a message. */
static void
status_left(struct tui_desk *d, bool compact, char *left, size_t size)
{
	char tmp[128];

	left[0] = '\0';
	segment(left, size, d->user[0] != '\0' ? d->user : _("not logged in"));
	if (!compact) {
		segment(left, size, d->hall_code);
	}
	if (d->opts->window != NULL) {
		/* TRANSLATORS: the counter window; the short form is for a
		 * crowded status line. */
		snprintf(tmp, sizeof(tmp), compact ? _("W%s") : _("Window %s"),
		    d->opts->window);
	} else {
		snprintf(tmp, sizeof(tmp), "%s", _("No window"));
	}
	segment(left, size, tmp);
	segment(left, size, link_label(d->link_state, compact));
	if (d->logged_in && d->queue_loaded) {
		snprintf(tmp, sizeof(tmp), _("Waiting: %u"), d->waiting);
		segment(left, size, tmp);
	}
	if (d->logged_in && d->ticket[0] != '\0') {
		snprintf(tmp, sizeof(tmp), compact ? "%s" : _("Ticket %s"),
		    d->ticket);
		segment(left, size, tmp);
	}
}

void
tui_chrome_status(struct tui_desk *d, WINDOW *w)
{
	char left[512];
	int cols = getmaxx(w), clock_w = (int)tui_str_width(d->clock);
	int room = cols - clock_w - 2, x, msg_w;

	tui_fill(w, 0, 0, cols, TUI_S_STATUS);
	msg_w = d->message[0] != '\0' ? (int)tui_str_width(d->message) + 3 : 0;
	status_left(d, false, left, sizeof(left));
	if ((int)tui_str_width(left) + msg_w > room) {
		status_left(d, true, left, sizeof(left));
	}
	x = tui_put(w, 0, 0, room, left, false, TUI_S_STATUS);
	if (msg_w > 0 && x + 4 < room) {
		x += tui_put(w, 0, x, 3, " | ", false, TUI_S_STATUS);
		/* An error keeps its colour and its words: never colour
		 * alone (the message says what went wrong). */
		tui_put(w, 0, x, room - x, d->message, false,
		    d->message_kind == TUI_MSG_ERROR ? TUI_S_ERROR
		                                     : TUI_S_STATUS);
	}
	tui_put(
	    w, 0, cols - clock_w - 1, clock_w, d->clock, false, TUI_S_STATUS);
}

/* ---- Function-key bar -------------------------------------------------- */

void
tui_chrome_fkeys(struct tui_desk *d, WINDOW *w)
{
	struct tui_keymap maps[2];
	const char *labels[10];
	int cols = getmaxx(w), x = 0;
	size_t n = tui_desk_maps(d, maps);

	tui_keymap_fbar(maps, n, labels);
	for (int f = 0; f < 10 && x < cols; f++) {
		char num[4];

		if (labels[f] == NULL) {
			continue;
		}
		snprintf(num, sizeof(num), "%d", f + 1);
		x += tui_put(w, 0, x, cols - x, num, false, TUI_S_FKEY_NUM);
		x += tui_put(
		    w, 0, x, cols - x, _(labels[f]), false, TUI_S_FKEY_LABEL);
		x += tui_put(w, 0, x, cols - x, " ", false, TUI_S_NORMAL);
	}
}

/* ---- Too small --------------------------------------------------------- */

void
tui_chrome_small(struct tui_desk *d, WINDOW *w)
{
	char now[64];
	int rows = getmaxy(w), cols = getmaxx(w);

	snprintf(now, sizeof(now), _("(now %dx%d)"), d->cols, d->rows);
	tui_put_centred(w, rows / 2 - (rows > 1 ? 1 : 0), 0, cols,
	    _("terminal too small (need 80x24)"), TUI_S_ERROR);
	if (rows > 1) {
		tui_put_centred(w, rows / 2, 0, cols, now, TUI_S_NORMAL);
	}
}

/* ---- Dialogs ----------------------------------------------------------- */

struct help_line {
	char keys[48];
	const char *text; /* translated */
};

/* The help of the current screen, from its key maps. */
static size_t
help_lines(struct tui_desk *d, struct help_line *out, size_t max)
{
	struct tui_keymap maps[2];
	struct tui_help_line hl[HELP_LINES_MAX];
	size_t nmaps = tui_desk_maps(d, maps), n = 0, k;
	bool typing = d->view->typing != NULL && d->view->typing(d);

	k = tui_keymap_help(maps, nmaps, typing, hl, HELP_LINES_MAX);
	if (k > HELP_LINES_MAX) {
		k = HELP_LINES_MAX;
	}
	if (d->view->help_intro != NULL && n < max) {
		out[n].keys[0] = '\0';
		out[n++].text = _(d->view->help_intro);
	}
	for (size_t i = 0; i < k && n < max; i++) {
		memcpy(out[n].keys, hl[i].keys, sizeof(out[n].keys));
		out[n++].text = _(hl[i].help);
	}
	if (d->view->help_more != NULL && n < max) {
		out[n].keys[0] = '\0';
		out[n++].text = _(d->view->help_more);
	}
	if (n + 3 <= max) {
		out[n].keys[0] = '\0';
		out[n++].text = _(
		    "Esc then a digit is a function key: Esc 1 = F1 ... Esc 0 = F10.");
		out[n].keys[0] = '\0';
		out[n++].text =
		    _("Deadline markers: [~] yellow, [!] red, [X] overdue.");
		out[n].keys[0] = '\0';
		out[n++].text =
		    _("Esc closes this help; Up and Down scroll it.");
	}
	return n;
}

/* The popup window at h x w, centred, on top; made anew when its size
 * changes. */
WINDOW *
tui_chrome_popup(struct tui_desk *d, int h, int w)
{
	int y = (d->rows - 2 - h) / 2, x = (d->cols - w) / 2;

	if (d->popup != NULL &&
	    (getmaxy(d->popup) != h || getmaxx(d->popup) != w ||
	        getbegy(d->popup) != y || getbegx(d->popup) != x)) {
		del_panel(d->p_popup);
		delwin(d->popup);
		d->popup = NULL;
		d->p_popup = NULL;
	}
	if (d->popup == NULL) {
		d->popup = newwin(h, w, y < 0 ? 0 : y, x < 0 ? 0 : x);
		if (d->popup == NULL) {
			return NULL;
		}
		d->p_popup = new_panel(d->popup);
		if (d->p_popup == NULL) {
			delwin(d->popup);
			d->popup = NULL;
			return NULL;
		}
	}
	show_panel(d->p_popup);
	top_panel(d->p_popup);
	werase(d->popup);
	return d->popup;
}

static void
draw_help(struct tui_desk *d, struct tui_cursor *cur)
{
	struct help_line lines[HELP_LINES_MAX + 8];
	size_t n = help_lines(d, lines, HELP_LINES_MAX + 8);
	int keys_w = 0, text_w = 0, h, w, inner, shown;
	WINDOW *win;

	for (size_t i = 0; i < n; i++) {
		int kw = (int)tui_str_width(lines[i].keys);
		int tw = (int)tui_str_width(lines[i].text);

		if (kw > keys_w) {
			keys_w = kw;
		}
		if (tw > text_w) {
			text_w = tw;
		}
	}
	w = keys_w + text_w + 6;
	if (w > d->cols - 4) {
		w = d->cols - 4;
	}
	h = (int)n + 2;
	if (h > d->rows - 4) {
		h = d->rows - 4;
	}
	inner = h - 2;
	if (d->help_top > (int)n - inner) {
		d->help_top = (int)n - inner;
	}
	if (d->help_top < 0) {
		d->help_top = 0;
	}
	win = tui_chrome_popup(d, h, w);
	if (win == NULL) {
		return;
	}
	tui_box(win, 0, 0, h, w, _("Help"));
	shown = 0;
	for (int i = d->help_top; i < (int)n && shown < inner; i++, shown++) {
		int y = 1 + shown;

		if (lines[i].keys[0] == '\0') {
			tui_put(win, y, 2, w - 4, lines[i].text, false,
			    TUI_S_NORMAL);
			continue;
		}
		tui_put(win, y, 2, keys_w, lines[i].keys, false, TUI_S_HEADER);
		tui_put(win, y, 2 + keys_w + 2, w - keys_w - 6, lines[i].text,
		    false, TUI_S_NORMAL);
	}
	cur->win = win;
	cur->y = 1;
	cur->x = 2;
}

static void
draw_quit(struct tui_desk *d, struct tui_cursor *cur)
{
	const char *no = _("No, stay"), *yes = _("Yes, quit");
	const char *text =
	    _("Input on this screen is not saved and will be lost.");
	int no_w = (int)tui_str_width(no) + 4,
	    yes_w = (int)tui_str_width(yes) + 4;
	int w = (int)tui_str_width(text) + 6, x_no, x_yes;
	char buf[128];
	WINDOW *win;

	if (w < no_w + yes_w + 8) {
		w = no_w + yes_w + 8;
	}
	if (w > d->cols - 4) {
		w = d->cols - 4;
	}
	win = tui_chrome_popup(d, 7, w);
	if (win == NULL) {
		return;
	}
	tui_box(win, 0, 0, 7, w, _("Quit ow-desk?"));
	tui_put(win, 2, 3, w - 6, text, false, TUI_S_NORMAL);
	x_no = (w - no_w - yes_w - 3) / 2;
	x_yes = x_no + no_w + 3;
	/* The safe choice is the default; the chosen button is bracketed
	 * and reversed, so it shows without colour too. */
	snprintf(
	    buf, sizeof(buf), d->quit_choice == 0 ? "[ %s ]" : "  %s  ", no);
	tui_put(win, 4, x_no, no_w, buf, false,
	    d->quit_choice == 0 ? TUI_S_SELECTED : TUI_S_NORMAL);
	snprintf(
	    buf, sizeof(buf), d->quit_choice == 1 ? "[ %s ]" : "  %s  ", yes);
	tui_put(win, 4, x_yes, yes_w, buf, false,
	    d->quit_choice == 1 ? TUI_S_SELECTED : TUI_S_NORMAL);
	cur->win = win;
	cur->y = 4;
	cur->x = (d->quit_choice == 0 ? x_no : x_yes) + 2;
}

void
tui_chrome_dialog(struct tui_desk *d, struct tui_cursor *cur)
{
	switch (d->dialog) {
	case TUI_DLG_HELP:
		draw_help(d, cur);
		break;
	case TUI_DLG_QUIT:
		draw_quit(d, cur);
		break;
	case TUI_DLG_CONFIRM:
	case TUI_DLG_PROMPT:
	case TUI_DLG_CHOICE:
		tui_dialog_draw(d, cur);
		break;
	default:
		break;
	}
}

bool
tui_chrome_dialog_key(struct tui_desk *d, int key)
{
	if (d->dialog == TUI_DLG_HELP) {
		switch (key) {
		case TUI_KC_UP:
			d->help_top--;
			break;
		case TUI_KC_DOWN:
			d->help_top++;
			break;
		case TUI_KC_PGUP:
			d->help_top -= 10;
			break;
		case TUI_KC_PGDN:
			d->help_top += 10;
			break;
		default:
			d->dialog = TUI_DLG_NONE;
			break;
		}
		return true;
	}
	if (d->dialog == TUI_DLG_QUIT) {
		switch (key) {
		case 'y':
		case 'Y':
			d->quit_choice = 1;
			/* fall through */
		case TUI_KC_ENTER:
			d->dialog = TUI_DLG_NONE;
			if (d->quit_choice == 1) {
				/* The clerk chose to lose the input. */
				tui_intake_draft_drop(d);
				tui_intake_end(d);
				tui_desk_quit(d, false);
			}
			break;
		case TUI_KC_LEFT:
		case TUI_KC_RIGHT:
		case TUI_KC_TAB:
		case TUI_KC_BACKTAB:
			d->quit_choice = !d->quit_choice;
			break;
		default: /* n, Esc, anything else: stay */
			d->dialog = TUI_DLG_NONE;
			break;
		}
		return true;
	}
	return tui_dialog_key(d, key);
}
