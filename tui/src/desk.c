/*
 * desk.c: the desk's one libuv loop and its life cycle.
 *
 * Handles on the loop: a uv_poll on stdin (keys, drained with get_wch
 * until ERR), uv_signal for SIGWINCH (resize), SIGTERM, SIGHUP and SIGINT
 * (quit), a 1 s timer (clock, idle lock, heartbeat), a one-shot timer for
 * a lone Esc, the events' uv_async (events.c) and the worker-pool calls
 * (link.c). Nothing draws where it changes state: a uv_prepare draws the
 * dirty screen once per loop turn, with one doupdate() and the hardware
 * cursor placed last.
 *
 * Quitting puts the terminal back at once, closes every handle, lets the
 * logout (if the node is reachable) finish, and returns from uv_run when
 * nothing is left.
 */
#include "desk.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"

#define ESC_MS      500 /* Esc then a digit within this: a function key */
#define TICK_MS     1000
#define HEARTBEAT_S 30  /* a queue refresh: the wait grows, the link lives */
#define EMPTY_WAKES 100 /* readable stdin without keys: the tty is gone */
#define SETTLE_MS   250 /* case events come before the case is readable */

/* Keys every screen has. */
static const struct tui_bind global_binds[] = {
    {TUI_KC_F(1), TUI_ACT_HELP, N_("Help"), N_("Show the keys of this screen"),
        0},
    {'?', TUI_ACT_HELP, NULL, NULL, TUI_BIND_NOT_TYPING},
    {TUI_KC_F(10), TUI_ACT_QUIT, N_("Quit"), N_("Quit ow-desk"), 0},
    {TUI_KC_CTRL('c'), TUI_ACT_QUIT, NULL, NULL, 0},
    {TUI_KC_CTRL('l'), TUI_ACT_REDRAW, NULL, N_("Repaint the screen"), 0},
};
static const struct tui_keymap global_map = TUI_KEYMAP(global_binds);

static void begin_quit(struct tui_desk *d);

size_t
tui_desk_maps(const struct tui_desk *d, struct tui_keymap maps[2])
{
	size_t n = 0;

	if (d->view != NULL && d->view->keys != NULL) {
		maps[n++] = *d->view->keys;
	}
	maps[n++] = global_map;
	return n;
}

void
tui_desk_dirty(struct tui_desk *d)
{
	d->dirty = true;
}

void
tui_desk_message(
    struct tui_desk *d, enum tui_msg_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
	d->message_kind = kind;
	tui_desk_dirty(d);
}

void
tui_desk_switch(struct tui_desk *d, const struct tui_view_ops *v)
{
	if (d->view != NULL && d->view->leave != NULL) {
		d->view->leave(d);
	}
	d->view = v;
	if (v->enter != NULL) {
		v->enter(d);
	}
	tui_desk_dirty(d);
}

/* ---- Windows ----------------------------------------------------------- */

static void
drop_window(WINDOW **w, PANEL **p)
{
	if (*p != NULL) {
		del_panel(*p);
		*p = NULL;
	}
	if (*w != NULL) {
		delwin(*w);
		*w = NULL;
	}
}

static void
drop_windows(struct tui_desk *d)
{
	drop_window(&d->popup, &d->p_popup);
	drop_window(&d->small, &d->p_small);
	drop_window(&d->fkeys, &d->p_fkeys);
	drop_window(&d->status, &d->p_status);
	drop_window(&d->body, &d->p_body);
}

static WINDOW *
make_window(int h, int w, int y, int x, PANEL **p)
{
	WINDOW *win = newwin(h, w, y, x);

	if (win != NULL) {
		*p = new_panel(win);
		if (*p == NULL) {
			delwin(win);
			win = NULL;
		}
	}
	return win;
}

/*
 * Windows for the terminal's size, made anew after each resize: all the
 * state lives in struct tui_desk, so nothing is lost with them. Below
 * 80x24 there is only the "too small" window.
 */
static void
layout(struct tui_desk *d)
{
	drop_windows(d);
	d->too_small = d->rows < TUI_MIN_ROWS || d->cols < TUI_MIN_COLS;
	if (d->too_small) {
		if (d->rows > 0 && d->cols > 0) {
			d->small =
			    make_window(d->rows, d->cols, 0, 0, &d->p_small);
		}
	} else {
		d->body = make_window(d->rows - 2, d->cols, 0, 0, &d->p_body);
		d->status =
		    make_window(1, d->cols, d->rows - 2, 0, &d->p_status);
		d->fkeys = make_window(1, d->cols, d->rows - 1, 0, &d->p_fkeys);
	}
	/* The old screen's contents are of no use after a resize. */
	clearok(curscr, TRUE);
	tui_desk_dirty(d);
}

/* ---- Drawing ----------------------------------------------------------- */

static void
draw(struct tui_desk *d)
{
	struct tui_cursor cur = {NULL, 0, 0};

	if (d->too_small) {
		if (d->small != NULL) {
			werase(d->small);
			tui_chrome_small(d, d->small);
		}
	} else if (d->body != NULL && d->status != NULL && d->fkeys != NULL) {
		werase(d->body);
		d->view->draw(d, d->body, &cur);
		werase(d->status);
		tui_chrome_status(d, d->status);
		werase(d->fkeys);
		tui_chrome_fkeys(d, d->fkeys);
		if (d->dialog != TUI_DLG_NONE) {
			tui_chrome_dialog(d, &cur);
		} else if (d->p_popup != NULL) {
			hide_panel(d->p_popup);
		}
	}
	update_panels();
	/* Last: the cursor on the focused field or row. */
	if (cur.win != NULL) {
		tui_term_cursor(
		    getbegy(cur.win) + cur.y, getbegx(cur.win) + cur.x);
	} else {
		tui_term_cursor(-1, -1);
	}
	doupdate();
}

static void
on_render(uv_prepare_t *h)
{
	struct tui_desk *d = h->data;

	if (d->dirty && !d->quitting) {
		d->dirty = false;
		draw(d);
		tui_stats_drawn(d->view != NULL ? d->view->name : "");
	}
}

/* ---- Keys -------------------------------------------------------------- */

static void
desk_action(struct tui_desk *d, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_HELP:
		d->dialog = TUI_DLG_HELP;
		d->help_top = 0;
		break;
	case TUI_ACT_QUIT:
		tui_desk_quit(d, true);
		break;
	case TUI_ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case TUI_ACT_LOCK:
		tui_desk_lock(d, _("The desk is locked."));
		break;
	default:
		beep();
		break;
	}
}

static void
handle_key(struct tui_desk *d, int key)
{
	struct tui_keymap maps[2];
	const struct tui_bind *b;
	size_t n;
	bool typing;

	d->last_key_ms = uv_now(&d->loop);
	tui_stats_key();
	tui_desk_dirty(d);
	if (d->too_small) {
		/* Nothing shows what a key would do: only quitting works. */
		if (key == TUI_KC_F(10) || key == TUI_KC_CTRL('c')) {
			tui_desk_quit(d, true);
		}
		return;
	}
	if (d->dialog != TUI_DLG_NONE) {
		tui_chrome_dialog_key(d, key);
		return;
	}
	n = tui_desk_maps(d, maps);
	typing = d->view->typing != NULL && d->view->typing(d);
	b = tui_keymap_find(maps, n, key, typing);
	if (b != NULL) {
		if (d->view->action == NULL || !d->view->action(d, b->action)) {
			desk_action(d, b->action);
		}
	} else if (d->view->key == NULL || !d->view->key(d, key)) {
		beep();
	}
}

static void
on_esc_timeout(uv_timer_t *h)
{
	struct tui_desk *d = h->data;
	int key = tui_esc_timeout(&d->esc);

	if (key != 0 && !d->quitting) {
		handle_key(d, key);
	}
}

static void
on_input(uv_poll_t *h, int status, int events)
{
	struct tui_desk *d = h->data;
	int key, out[2];
	unsigned got = 0;

	(void)events;
	if (status < 0) {
		begin_quit(d);
		return;
	}
	while (!d->quitting && (key = tui_term_read_key()) != -1) {
		size_t n;

		got++;
		if (key == 0) {
			continue;
		}
		n = tui_esc_feed(&d->esc, key, out);
		if (n == 0) {
			uv_timer_start(
			    &d->esc_timer, on_esc_timeout, ESC_MS, 0);
			continue;
		}
		uv_timer_stop(&d->esc_timer);
		for (size_t i = 0; i < n && !d->quitting; i++) {
			handle_key(d, out[i]);
		}
	}
	/* A hung-up terminal stays readable and yields nothing. */
	d->empty_wakes = got > 0 ? 0 : d->empty_wakes + 1;
	if (d->empty_wakes > EMPTY_WAKES && !d->quitting) {
		begin_quit(d);
	}
}

/* ---- Signals and timers ------------------------------------------------ */

static void
on_winch(uv_signal_t *h, int sig)
{
	struct tui_desk *d = h->data;

	(void)sig;
	if (d->quitting) {
		return;
	}
	tui_term_resize(&d->rows, &d->cols);
	layout(d);
}

static void
on_quit_signal(uv_signal_t *h, int sig)
{
	(void)sig;
	begin_quit(h->data);
}

static void
on_tick(uv_timer_t *h)
{
	struct tui_desk *d = h->data;
	char clock[sizeof(d->clock)];
	time_t now = time(NULL);
	struct tm tm;
	uint64_t idle = uv_now(&d->loop) - d->last_key_ms;

	d->ticks++;
	tui_intake_draft_tick(d);
	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M", &tm);
	if (strcmp(clock, d->clock) != 0) {
		memcpy(d->clock, clock, sizeof(clock));
		tui_desk_dirty(d); /* the clock, and the waits in minutes */
	}
	if (d->logged_in && !d->locked && d->opts->lock_seconds > 0 &&
	    idle >= (uint64_t)d->opts->lock_seconds * 1000u) {
		tui_desk_lock(
		    d, _("The desk locked itself after a while without keys."));
		return;
	}
	if (d->logged_in && d->ticks % HEARTBEAT_S == 0) {
		/* Without events (a desk on another machine) the lists are
		 * refreshed by this timer alone. */
		tui_data_refresh(d, d->events_on
		                        ? TUI_REFRESH_QUEUE
		                        : TUI_REFRESH_QUEUE | TUI_REFRESH_MINE |
		                              TUI_REFRESH_WARN);
	}
}

/* ---- Node events ------------------------------------------------------- */

static void
on_settle(uv_timer_t *h)
{
	struct tui_desk *d = h->data;
	unsigned what = d->settle_what;

	d->settle_what = 0;
	if (!d->quitting) {
		tui_data_refresh(d, what);
	}
}

/*
 * Events say what changed; the matching lists are fetched again. The
 * queue lives in the node's memory and is fetched at once. A case event
 * is published when the change is made, before the batch holding it is
 * committed, so an immediate search may miss it: case lists are fetched
 * SETTLE_MS later, once for the whole burst (the timer is not restarted
 * by later events, so a steady stream still refreshes).
 */
static void
on_events(void *arg, Ow__Event *const *evs, size_t n, bool lost)
{
	struct tui_desk *d = arg;
	unsigned now = 0, later = 0;

	if (lost) {
		now |= TUI_REFRESH_QUEUE;
		later |= TUI_REFRESH_MINE | TUI_REFRESH_WARN;
	}
	for (size_t i = 0; i < n; i++) {
		const char *kind = evs[i]->kind;

		if (strcmp(kind, "queue") == 0) {
			now |= TUI_REFRESH_QUEUE;
		} else if (strcmp(kind, "case") == 0 ||
		           strcmp(kind, "warning") == 0) {
			later |= TUI_REFRESH_MINE | TUI_REFRESH_WARN;
		} else {
			now |= TUI_REFRESH_STATUS | TUI_REFRESH_QUEUE;
			later |= TUI_REFRESH_MINE | TUI_REFRESH_WARN;
		}
	}
	if (d->quitting) {
		return;
	}
	/* The supervisor's and ops' screens follow the same events. */
	if (d->view == &tui_view_super && (now | later) != 0) {
		later |= TUI_REFRESH_DASH | TUI_REFRESH_REMEDY;
	}
	if (d->view == &tui_view_ops && (now & TUI_REFRESH_STATUS) != 0) {
		now |= TUI_REFRESH_OPS;
	}
	tui_data_refresh(d, now);
	if (later != 0) {
		d->settle_what |= later;
		if (!uv_is_active((uv_handle_t *)&d->settle)) {
			uv_timer_start(&d->settle, on_settle, SETTLE_MS, 0);
		}
	}
}

/* ---- Session ----------------------------------------------------------- */

void
tui_desk_link_result(struct tui_desk *d, int rc, int status)
{
	enum tui_link_state was = d->link_state;

	if (d->quitting) {
		return;
	}
	d->link_state = tui_link_is_down(rc) ? TUI_LINK_DOWN : TUI_LINK_UP;
	if (was == TUI_LINK_UP && d->link_state == TUI_LINK_DOWN) {
		tui_desk_message(d, TUI_MSG_ERROR, "%s",
		    _("Lost the link to the node; retrying."));
	} else if (was == TUI_LINK_DOWN && d->link_state == TUI_LINK_UP) {
		tui_desk_message(
		    d, TUI_MSG_INFO, "%s", _("The node answers again."));
	}
	if (rc == 0 && (status == CM_EAUTH || status == CM_EEXPIRED)) {
		tui_desk_lock(
		    d, _("The session has ended: enter your password again."));
	}
	tui_desk_dirty(d);
}

void
tui_desk_lock(struct tui_desk *d, const char *why)
{
	if (!d->logged_in || d->locked || d->quitting) {
		return;
	}
	d->locked = true;
	d->locked_view = d->view;
	d->dialog = TUI_DLG_NONE;
	/* What was waiting is of no use to a locked desk; the session ends
	 * with the lock, so nothing on the node works without the clerk. */
	tui_link_drop(&d->link);
	if (d->link_state != TUI_LINK_DOWN) {
		tui_data_logout(d, NULL);
	} else {
		d->logged_in = false;
		d->gen++;
		d->in_flight = d->again = 0;
		d->calling = false;
	}
	d->login.lock_mode = true;
	tui_desk_switch(d, &tui_view_login);
	if (why != NULL) {
		tui_desk_message(d, TUI_MSG_INFO, "%s", why);
	}
}

void
tui_desk_logged_in(struct tui_desk *d)
{
	const struct tui_view_ops *v =
	    d->locked_view != NULL ? d->locked_view : &tui_view_home;

	d->locked_view = NULL;
	d->login.lock_mode = false;
	d->last_key_ms = uv_now(&d->loop);
	tui_desk_switch(d, v);
	tui_desk_message(d, TUI_MSG_INFO, _("Logged in as %s."), d->user);
	tui_intake_draft_find(d);
	tui_data_refresh(d, TUI_REFRESH_ALL);
}

void
tui_desk_quit(struct tui_desk *d, bool confirm)
{
	if (confirm && d->view->unsaved != NULL && d->view->unsaved(d)) {
		d->dialog = TUI_DLG_QUIT;
		d->quit_choice = 0;
		tui_desk_dirty(d);
		return;
	}
	begin_quit(d);
}

static void
close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h)) {
		uv_close(h, NULL);
	}
}

/* The terminal first (the clerk sees the shell at once), then the
 * handles; a logout may still run, and uv_run returns after it. */
static void
begin_quit(struct tui_desk *d)
{
	bool logout = d->logged_in && d->link_state != TUI_LINK_DOWN;

	if (d->quitting) {
		return;
	}
	/* A hang-up or SIGTERM in the middle of a form: keep what was
	 * typed (a confirmed quit dropped the draft before). */
	tui_intake_draft_tick(d);
	d->quitting = true;
	drop_windows(d);
	tui_term_stop();
	if (d->input_ready) {
		close_handle((uv_handle_t *)&d->input);
	}
	if (d->handles_ready) {
		close_handle((uv_handle_t *)&d->sig_winch);
		close_handle((uv_handle_t *)&d->sig_term);
		close_handle((uv_handle_t *)&d->sig_hup);
		close_handle((uv_handle_t *)&d->sig_int);
		close_handle((uv_handle_t *)&d->render);
		close_handle((uv_handle_t *)&d->tick);
		close_handle((uv_handle_t *)&d->esc_timer);
		close_handle((uv_handle_t *)&d->settle);
	}
	if (d->events_on) {
		tui_events_stop(&d->events);
		d->events_on = false;
	}
	tui_link_drop(&d->link);
	if (logout) {
		tui_data_logout(d, NULL);
	}
}

/* ---- Start ------------------------------------------------------------- */

static int
start_handles(struct tui_desk *d)
{
	int rc = 0, flags = fcntl(STDIN_FILENO, F_GETFL);

	rc |= uv_signal_init(&d->loop, &d->sig_winch);
	rc |= uv_signal_init(&d->loop, &d->sig_term);
	rc |= uv_signal_init(&d->loop, &d->sig_hup);
	rc |= uv_signal_init(&d->loop, &d->sig_int);
	rc |= uv_prepare_init(&d->loop, &d->render);
	rc |= uv_timer_init(&d->loop, &d->tick);
	rc |= uv_timer_init(&d->loop, &d->esc_timer);
	rc |= uv_timer_init(&d->loop, &d->settle);
	if (rc != 0) {
		abort(); /* these only fail on a broken loop */
	}
	d->handles_ready = true;
	d->input.data = d->sig_winch.data = d->sig_term.data = d;
	d->sig_hup.data = d->sig_int.data = d->render.data = d;
	d->tick.data = d->esc_timer.data = d->settle.data = d;
	if (uv_poll_init(&d->loop, &d->input, STDIN_FILENO) != 0) {
		return CM_EINVAL;
	}
	d->input_ready = true;
	/* uv_poll_init makes the fd non-blocking, and stdin shares its file
	 * description with stdout (and the shell's): put the flags back, or
	 * curses' output could fail with EAGAIN and the shell after us see
	 * a non-blocking terminal. epoll needs no O_NONBLOCK to report. */
	if (flags != -1) {
		fcntl(STDIN_FILENO, F_SETFL, flags);
	}
	/* After newterm: libuv's handlers replace the ones ncurses set up,
	 * and SIGWINCH is seen at once, not at the next key. */
	rc |= uv_poll_start(&d->input, UV_READABLE, on_input);
	rc |= uv_signal_start(&d->sig_winch, on_winch, SIGWINCH);
	rc |= uv_signal_start(&d->sig_term, on_quit_signal, SIGTERM);
	rc |= uv_signal_start(&d->sig_hup, on_quit_signal, SIGHUP);
	rc |= uv_signal_start(&d->sig_int, on_quit_signal, SIGINT);
	rc |= uv_prepare_start(&d->render, on_render);
	rc |= uv_timer_start(&d->tick, on_tick, TICK_MS, TICK_MS);
	return rc != 0 ? CM_EINTERNAL : 0;
}

int
tui_desk_run(const struct tui_desk_options *opts)
{
	struct tui_desk *d;
	struct node_client_tls tls;
	int rc;

	tui_stats_open();
	d = cm_calloc(1, sizeof(*d));
	if (d == NULL) {
		fprintf(stderr, "ow-desk: %s\n", cm_strerror(CM_ENOMEM));
		return TUI_EXIT_FAILED;
	}
	d->opts = opts;
	if (uv_loop_init(&d->loop) != 0) {
		cm_free(d);
		return TUI_EXIT_FAILED;
	}
	memset(&tls, 0, sizeof(tls));
	tls.cert = opts->cert;
	tls.key = opts->key;
	tls.ca = opts->ca;
	tui_link_init(&d->link, &d->loop, opts->url, &tls, opts->timeout_ms);
	rc = tui_editor_init(
	    &d->login.user, opts->user, 63, TUI_FILTER_ANY, false);
	if (rc == 0 && tui_term_start() != 0) {
		fprintf(stderr, "%s",
		    _("ow-desk: cannot use this terminal (is TERM set?)\n"));
		rc = CM_EINVAL;
	}
	if (rc == 0) {
		d->rows = LINES;
		d->cols = COLS;
		d->last_key_ms = uv_now(&d->loop);
		layout(d);
		tui_desk_switch(d, &tui_view_login);
		rc = start_handles(d);
		if (rc == 0 && opts->events_url != NULL) {
			/* Without events the desk still works, on timers. */
			d->events_on = tui_events_start(&d->events, &d->loop,
			                   opts->events_url, on_events, d) == 0;
		}
		if (rc != 0) {
			begin_quit(d);
			d->exit_code = TUI_EXIT_FAILED;
		}
		if (!d->quitting) {
			on_tick(
			    &d->tick); /* the clock, before the first draw */
		}
		uv_run(&d->loop, UV_RUN_DEFAULT);
	}
	if (d->view != NULL && d->view->leave != NULL) {
		d->view->leave(d);
	}
	tui_editor_free(&d->login.user);
	tui_editor_free(&d->login.pass);
	drop_windows(d);
	tui_term_stop();
	tui_link_close(&d->link);
	tui_link_free(&d->link);
	tui_data_free(d);
	if (uv_loop_close(&d->loop) != 0) {
		/* A handle still open would be a bug; run once more to let
		 * close callbacks finish rather than leak the loop. */
		uv_run(&d->loop, UV_RUN_DEFAULT);
		uv_loop_close(&d->loop);
	}
	rc = rc != 0 ? TUI_EXIT_FAILED : d->exit_code;
	cm_free(d);
	tui_stats_close();
	return rc;
}
