/*
 * view_login.c: the login screen, and the lock screen that covers the
 * desk when it has been idle (the same screen with the user fixed).
 *
 * Two fields edited with tui_editor: the user name, and the password
 * shown as one * per character. Tab moves between them, Enter submits;
 * the node's answer comes back through tui_login_result() and an error
 * stays on the screen until the next try. The password is wiped from
 * memory as soon as it has been handed to the call (which wipes its own
 * copy) and whenever the screen is left.
 */
#include "desk.h"

#include <sodium.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "tui/width.h"

#define FIELD_COLS 32
#define BOX_COLS   68
#define BOX_ROWS   14

static const struct tui_bind login_binds[] = {
    {TUI_KC_ENTER, TUI_ACT_SUBMIT, NULL, N_("Log in"), 0},
    {TUI_KC_TAB, TUI_ACT_NEXT_FIELD, NULL, N_("Next field"), 0},
    {TUI_KC_DOWN, TUI_ACT_NEXT_FIELD, NULL, NULL, 0},
    {TUI_KC_BACKTAB, TUI_ACT_PREV_FIELD, NULL, N_("Previous field"), 0},
    {TUI_KC_UP, TUI_ACT_PREV_FIELD, NULL, NULL, 0},
};
static const struct tui_keymap login_map = TUI_KEYMAP(login_binds);

/* Zero the password's characters before the memory goes back. */
static void
wipe_password(struct tui_login *l)
{
	if (l->pass.text != NULL) {
		sodium_memzero(l->pass.text, l->pass.cap * sizeof(uint32_t));
	}
	tui_editor_free(&l->pass);
}

static void
login_enter(struct tui_desk *d)
{
	struct tui_login *l = &d->login;

	wipe_password(l);
	if (tui_editor_init(&l->pass, NULL, 255, TUI_FILTER_ANY, false) != 0) {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
	}
	l->busy = false;
	l->error[0] = '\0';
	l->focus = l->lock_mode || l->user.len > 0 ? 1 : 0;
}

static void
login_leave(struct tui_desk *d)
{
	wipe_password(&d->login);
}

static struct tui_editor *
focused(struct tui_login *l)
{
	return l->focus == 0 ? &l->user : &l->pass;
}

static void
submit(struct tui_desk *d)
{
	struct tui_login *l = &d->login;
	char *user, *pass;

	if (l->busy) {
		return;
	}
	user = l->lock_mode ? cm_strdup(d->user) : tui_editor_value(&l->user);
	pass = tui_editor_value(&l->pass);
	if (user == NULL || pass == NULL) {
		snprintf(
		    l->error, sizeof(l->error), "%s", cm_strerror(CM_ENOMEM));
	} else if (user[0] == '\0') {
		snprintf(l->error, sizeof(l->error), "%s",
		    _("Enter your user name."));
		l->focus = 0;
	} else if (pass[0] == '\0') {
		snprintf(l->error, sizeof(l->error), "%s",
		    _("Enter your password."));
		l->focus = 1;
	} else {
		l->busy = true;
		l->error[0] = '\0';
		tui_data_login(d, user, pass);
		/* The call has its own copy; this screen keeps none. */
		wipe_password(l);
		tui_editor_init(&l->pass, NULL, 255, TUI_FILTER_ANY, false);
	}
	if (pass != NULL) {
		sodium_memzero(pass, strlen(pass));
	}
	cm_free(pass);
	cm_free(user);
}

void
tui_login_result(struct tui_desk *d, int rc, const char *error)
{
	struct tui_login *l = &d->login;

	l->busy = false;
	tui_desk_dirty(d);
	if (rc == 0) {
		l->error[0] = '\0';
		tui_desk_logged_in(d);
		return;
	}
	snprintf(l->error, sizeof(l->error), "%s",
	    error != NULL && error[0] != '\0' ? error : cm_strerror(rc));
	l->focus = 1;
}

static bool
login_action(struct tui_desk *d, enum tui_action a)
{
	struct tui_login *l = &d->login;

	switch (a) {
	case TUI_ACT_SUBMIT:
		submit(d);
		return true;
	case TUI_ACT_NEXT_FIELD:
	case TUI_ACT_PREV_FIELD:
		/* In the lock screen the user is fixed: one field only. */
		if (!l->lock_mode) {
			l->focus = !l->focus;
		}
		return true;
	default:
		return false;
	}
}

static bool
login_key(struct tui_desk *d, int key)
{
	bool handled;

	if (d->login.busy) {
		return false;
	}
	return tui_field_key(focused(&d->login), key, true, &handled) !=
	           TUI_EDIT_REFUSED &&
	       handled;
}

static bool
login_typing(const struct tui_desk *d)
{
	(void)d;
	return true;
}

/* Draw a field at (y, x), cols wide; returns the cursor's column. */
static int
draw_field(WINDOW *w, int y, int x, int cols, struct tui_editor *e, bool secret,
    bool focus)
{
	char buf[4 * 128 + 1];
	enum tui_style st = focus ? TUI_S_FIELD_FOCUS : TUI_S_FIELD;
	size_t col;

	if (cols > 128) {
		cols = 128;
	}
	if (!secret) {
		col = tui_editor_layout(e, (size_t)cols, buf, sizeof(buf));
		tui_put(w, y, x, cols, buf, true, st);
		return x + (int)col;
	}
	/* One * per character, whatever its width: the screen shows how
	 * many were typed, not what. */
	{
		size_t off = e->cursor >= (size_t)cols
		                 ? e->cursor - (size_t)cols + 1
		                 : 0;
		size_t stars = e->len - off;

		if (stars > (size_t)cols) {
			stars = (size_t)cols;
		}
		memset(buf, '*', stars);
		buf[stars] = '\0';
		tui_put(w, y, x, cols, buf, true, st);
		return x + (int)(e->cursor - off);
	}
}

static void
login_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	struct tui_login *l = &d->login;
	const char *lu = _("User name:"), *lp = _("Password:");
	int rows = getmaxy(w), cols = getmaxx(w);
	int bw = cols - 4 < BOX_COLS ? cols - 4 : BOX_COLS, bh = BOX_ROWS;
	int by = (rows - bh) / 2, bx = (cols - bw) / 2;
	int label_w = (int)tui_str_width(lu), fx, fw, cx;
	char line[TUI_MSG_MAX + 8];

	if ((int)tui_str_width(lp) > label_w) {
		label_w = (int)tui_str_width(lp);
	}
	fx = bx + 3 + label_w + 2;
	fw = bx + bw - 3 - fx;
	if (fw > FIELD_COLS) {
		fw = FIELD_COLS;
	}
	tui_box(w, by, bx, bh, bw,
	    l->lock_mode ? _("Desk locked") : _("OneWindow clerk desk"));
	tui_put(w, by + 2, bx + 3, bw - 6,
	    d->hall_name[0] != '\0' ? d->hall_name
	                            : _("Log in to the hall node."),
	    false, TUI_S_TITLE);
	if (l->lock_mode) {
		snprintf(line, sizeof(line),
		    _("The desk is locked. Enter the password of %s to go on."),
		    d->user);
		tui_put(w, by + 3, bx + 3, bw - 6, line, false, TUI_S_NORMAL);
	}
	tui_put(w, by + 5, bx + 3, label_w, lu, false, TUI_S_NORMAL);
	tui_put(w, by + 6, bx + 3, label_w, lp, false, TUI_S_NORMAL);
	if (l->lock_mode) {
		/* Protected: shown, not editable. */
		tui_put(w, by + 5, fx, fw, d->user, true, TUI_S_NORMAL);
	} else {
		cx = draw_field(
		    w, by + 5, fx, fw, &l->user, false, l->focus == 0);
		if (l->focus == 0) {
			cur->win = w;
			cur->y = by + 5;
			cur->x = cx;
		}
	}
	cx = draw_field(w, by + 6, fx, fw, &l->pass, true, l->focus == 1);
	if (l->focus == 1) {
		cur->win = w;
		cur->y = by + 6;
		cur->x = cx;
	}
	if (l->busy) {
		tui_put(w, by + 8, bx + 3, bw - 6, _("Logging in..."), false,
		    TUI_S_INFO);
	} else if (l->error[0] != '\0') {
		/* The marker says "error" where colour cannot. */
		snprintf(line, sizeof(line), "[!] %s", l->error);
		tui_put(w, by + 8, bx + 3, bw - 6, line, false, TUI_S_ERROR);
	}
	tui_put(w, by + 11, bx + 3, bw - 6,
	    l->lock_mode
	        ? _("Enter: unlock   F10: quit   F1: help")
	        : _("Tab: next field   Enter: log in   F10: quit   F1: help"),
	    false, TUI_S_NORMAL);
}

const struct tui_view_ops tui_view_login = {
    .name = "login",
    .keys = &login_map,
    .enter = login_enter,
    .leave = login_leave,
    .draw = login_draw,
    .action = login_action,
    .key = login_key,
    .typing = login_typing,
    .unsaved = NULL,
    .help_intro = N_("Log in with your user name and password."),
    .help_more = N_(
        "In a field: Left, Right, Home, End, Backspace, Del, Ctrl-U, Ctrl-K; Esc undoes your changes to it."),
};
