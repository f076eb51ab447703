/*
 * desk.h (private): the desk's state and what its parts call in each
 * other. One struct tui_desk, owned by the loop thread; screens are
 * tables of operations (struct tui_view_ops, after tig's view_ops), keys
 * reach them through key maps (tui/keymap.h), and data from the node
 * arrives through data.c, which writes it here.
 *
 * Drawing is separate from changing: a key, an answer or an event changes
 * state and calls tui_desk_dirty(); the loop draws once per turn (from a
 * uv_prepare) whatever is dirty, with one doupdate().
 */
#ifndef TUI_DESK_PRIV_H
#define TUI_DESK_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "events.h"
#include "link.h"
#include "term.h"
#include "tui/desk.h"
#include "tui/editor.h"
#include "tui/keymap.h"

struct tui_desk;

#define TUI_PAGE_SIZE  50 /* my cases per request */
#define TUI_WARN_LIMIT 50 /* cases per warning level */
#define TUI_MAX_PAGES  64 /* page cursors kept for PgUp */
#define TUI_MSG_MAX    256

/* Where the hardware cursor goes: a cell of win, or hidden (win NULL). */
struct tui_cursor {
	WINDOW *win;
	int y, x;
};

struct tui_view_ops {
	const char *name;
	const struct tui_keymap *keys; /* before the global map */
	void (*enter)(struct tui_desk *d);
	void (*leave)(struct tui_desk *d);
	/* Draw into w (the body, already erased); set *cur to the focused
	 * field or row. */
	void (*draw)(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur);
	/* A bound action; false: not handled here (the desk's turn). */
	bool (*action)(struct tui_desk *d, enum tui_action a);
	/* A key no map binds (typed text); false: refused (beep). */
	bool (*key)(struct tui_desk *d, int key);
	/* A text field has the focus (printable keys are text). */
	bool (*typing)(const struct tui_desk *d);
	/* Quitting now would lose input. */
	bool (*unsaved)(const struct tui_desk *d);
	/* The help screen's first line, and one after the keys (NULL:
	 * none): N_() msgids. */
	const char *help_intro;
	const char *help_more;
};

extern const struct tui_view_ops tui_view_login;
extern const struct tui_view_ops tui_view_home;

enum tui_link_state {
	TUI_LINK_UNKNOWN, /* nothing asked yet */
	TUI_LINK_UP,
	TUI_LINK_DOWN,
};

enum tui_msg_kind { TUI_MSG_INFO, TUI_MSG_ERROR };

enum tui_dialog {
	TUI_DLG_NONE,
	TUI_DLG_HELP,
	TUI_DLG_QUIT, /* confirm quitting with unsaved input */
};

/* Refresh kinds, as bits: what tui_data_refresh() fetches. */
enum {
	TUI_REFRESH_STATUS = 1u << 0,
	TUI_REFRESH_CATALOG = 1u << 1,
	TUI_REFRESH_QUEUE = 1u << 2,
	TUI_REFRESH_MINE = 1u << 3,
	TUI_REFRESH_WARN = 1u << 4,
	TUI_REFRESH_ALL = 0x1f,
};

struct tui_case_row {
	char id[40];
	char matter[24];
	char applicant[40]; /* masked by the node */
	uint32_t state;
	uint32_t warning; /* 0 green, 1 yellow, 2 red, 3 overdue */
};

struct tui_case_list {
	struct tui_case_row *rows;
	size_t n;
	size_t sel, top; /* selected row, first row shown */
	bool loaded;
	size_t skipped; /* closed cases left out of this page */
	/* Paging (my cases): the cursor of each page seen, page 0's is
	 * NULL; next is the node's cursor after this page (NULL: last). */
	char *cursors[TUI_MAX_PAGES];
	size_t page;
	char *next;
};

struct tui_matter {
	char code[24];
	char *name; /* in the desk's language */
};

struct tui_login {
	struct tui_editor user, pass;
	int focus; /* 0 user, 1 password */
	bool busy;
	bool lock_mode; /* the idle lock: the user is fixed */
	char error[TUI_MSG_MAX];
};

struct tui_home {
	int focus;        /* 0 my cases, 1 warnings */
	int list_rows[2]; /* rows each list showed at the last draw */
};

struct tui_desk {
	const struct tui_desk_options *opts;
	uv_loop_t loop;
	uv_poll_t input;
	uv_signal_t sig_winch, sig_term, sig_hup, sig_int;
	uv_prepare_t render;
	uv_timer_t tick;      /* 1 s: clock, idle lock, heartbeat */
	uv_timer_t esc_timer; /* a lone Esc */
	uv_timer_t settle;    /* case lists, a moment after case events */
	unsigned settle_what; /* TUI_REFRESH_* bits for it */
	struct tui_link link;
	struct tui_events events;
	bool events_on;
	bool handles_ready, input_ready; /* initialised: close at quit */

	/* Screen */
	int rows, cols;
	bool too_small;
	bool dirty;
	WINDOW *body, *status, *fkeys, *popup, *small;
	PANEL *p_body, *p_status, *p_fkeys, *p_popup, *p_small;
	const struct tui_view_ops *view;
	const struct tui_view_ops *locked_view; /* what the lock covers */
	enum tui_dialog dialog;
	int help_top;
	int quit_choice; /* 0 no (the default), 1 yes */
	struct tui_esc esc;
	char clock[8];
	unsigned empty_wakes; /* stdin readable but no key: hung up? */

	/* Session */
	bool logged_in;
	bool locked;
	char user[64];
	char hall_code[16];
	char hall_name[128];
	char node_id[64];
	unsigned role;
	enum tui_link_state link_state;
	uint64_t last_key_ms; /* uv_now of the last key */
	unsigned ticks;
	char message[TUI_MSG_MAX];
	enum tui_msg_kind message_kind;

	/* Data, kept across resizes and locks */
	unsigned in_flight, again; /* TUI_REFRESH_* bits */
	unsigned long gen;         /* bumped on login: older answers drop */
	bool queue_loaded;
	unsigned waiting;
	int64_t oldest_issued; /* unix seconds of the longest waiting, 0 */
	char ticket[16];       /* called to this window, "" none */
	bool calling;          /* a QueueNext in flight */
	struct tui_case_list mine;
	struct tui_case_list warn;
	struct tui_case_list warn_level[3]; /* answers per level 1..3 */
	struct tui_matter *matters;
	size_t nmatters;

	/* Screens' own state */
	struct tui_login login;
	struct tui_home home;

	bool quitting;
	int exit_code;
};

/* desk.c */
void tui_desk_dirty(struct tui_desk *d);
void tui_desk_message(struct tui_desk *d, enum tui_msg_kind kind,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tui_desk_switch(struct tui_desk *d, const struct tui_view_ops *v);
/* Quit; confirm: ask first when the screen holds unsaved input. */
void tui_desk_quit(struct tui_desk *d, bool confirm);
/* Lock the desk (idle, or the session ended: why, translated, or NULL). */
void tui_desk_lock(struct tui_desk *d, const char *why);
/* A login or unlock went through: on to home, or back to what the lock
 * covered. */
void tui_desk_logged_in(struct tui_desk *d);
/* Every answer passes here: link state, and an ended session locks. */
void tui_desk_link_result(struct tui_desk *d, int rc, int status);

/* chrome.c */
void tui_chrome_status(struct tui_desk *d, WINDOW *w);
void tui_chrome_fkeys(struct tui_desk *d, WINDOW *w);
void tui_chrome_small(struct tui_desk *d, WINDOW *w);
/* Draw the open dialog into the popup window (created here to fit). */
void tui_chrome_dialog(struct tui_desk *d, struct tui_cursor *cur);
bool tui_chrome_dialog_key(struct tui_desk *d, int key);
/* The maps that act now: the screen's, then the global one. */
size_t tui_desk_maps(const struct tui_desk *d, struct tui_keymap maps[2]);

/* data.c */
void tui_data_login(struct tui_desk *d, const char *user, const char *password);
void tui_data_logout(struct tui_desk *d, tui_call_cb cb);
void tui_data_refresh(struct tui_desk *d, unsigned what);
void tui_data_call_next(struct tui_desk *d);
/* My cases: the next (delta 1) or previous (-1) page. */
void tui_data_mine_page(struct tui_desk *d, int delta);
const char *tui_data_matter_name(const struct tui_desk *d, const char *code);
void tui_data_free(struct tui_desk *d);
/* The answer's error in words (translated, static or the node's). */
const char *tui_data_error(int rc, const Ow__Response *resp);

/* view_login.c: the answer to tui_data_login (rc: 0 or the reason). */
void tui_login_result(struct tui_desk *d, int rc, const char *error);

#endif
