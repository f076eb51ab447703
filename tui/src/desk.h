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
#include "tui/form.h"
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
extern const struct tui_view_ops tui_view_matter;
extern const struct tui_view_ops tui_view_form;
extern const struct tui_view_ops tui_view_result;
extern const struct tui_view_ops tui_view_case;
extern const struct tui_view_ops tui_view_search;
extern const struct tui_view_ops tui_view_super;
extern const struct tui_view_ops tui_view_report;
extern const struct tui_view_ops tui_view_ops;

enum tui_link_state {
	TUI_LINK_UNKNOWN, /* nothing asked yet */
	TUI_LINK_UP,
	TUI_LINK_DOWN,
};

enum tui_msg_kind { TUI_MSG_INFO, TUI_MSG_ERROR };

enum tui_dialog {
	TUI_DLG_NONE,
	TUI_DLG_HELP,
	TUI_DLG_QUIT,    /* confirm quitting with unsaved input */
	TUI_DLG_CONFIRM, /* yes or no (dialog.c) */
	TUI_DLG_PROMPT,  /* a line of text (dialog.c) */
	TUI_DLG_CHOICE,  /* one of a list (dialog.c) */
};

struct tui_desk;
/* A dialog's answer: ok false when it was cancelled; choice is the
 * confirmed answer (1 yes) or the index chosen; text the line typed. */
typedef void (*tui_dialog_cb)(
    struct tui_desk *d, bool ok, int choice, const char *text);

#define TUI_DLG_CHOICES 16
struct tui_dlg {
	char title[128];
	char text[TUI_MSG_MAX];
	const char *choices[TUI_DLG_CHOICES]; /* translated, borrowed */
	int nchoices;
	int sel;
	struct tui_editor ed;
	bool need_text; /* the prompt refuses an empty line */
	tui_dialog_cb cb;
};

/* Refresh kinds, as bits: what tui_data_refresh() fetches. */
enum {
	TUI_REFRESH_STATUS = 1u << 0,
	TUI_REFRESH_CATALOG = 1u << 1,
	TUI_REFRESH_QUEUE = 1u << 2,
	TUI_REFRESH_MINE = 1u << 3,
	TUI_REFRESH_WARN = 1u << 4,
	TUI_REFRESH_ALL = 0x1f,
	TUI_REFRESH_DASH = 1u << 5, /* the supervisor's dashboard, when shown */
	TUI_REFRESH_OPS = 1u << 6,  /* the ops screen: status and peers */
	TUI_REFRESH_REMEDY = 1u << 7, /* bad ratings waiting (supervisors) */
};

struct tui_case_row {
	char id[40];
	char matter[24];
	char applicant[40]; /* masked by the node */
	uint32_t state;
	uint32_t warning; /* 0 green, 1 yellow, 2 red, 3 overdue */
	char hall[16];
	char assignee[64];
	bool running; /* the clock runs: days_left is known */
	int32_t days_left;
	bool awaiting_ack; /* moved to its clerk, not taken over yet */
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
	char *alt;  /* in the other one, for searching */
};

/* The matter picker: a filter typed, the matters that match. */
struct tui_picker {
	struct tui_editor filter;
	size_t *hits; /* indexes into d->matters */
	size_t nhits, sel, top;
	bool loading; /* the chosen matter is being fetched */
};

/* The form being taken in (kept across locks and resizes). */
struct tui_intake {
	bool active;
	bool busy; /* the case is being created */
	struct tui_form form;
	size_t top;         /* first row shown */
	bool looked_up;     /* the register answered for form.looked_up */
	size_t known_cases; /* the applicant's earlier cases */
	bool known_more;    /* more than known_cases (one page shown) */
	/* The latest of them as lines for the list (F5), newest first. */
#define TUI_KNOWN_MAX 12
	char known[TUI_KNOWN_MAX][160];
	char known_id[TUI_KNOWN_MAX][40];
	size_t nknown;
	char ticket[16];         /* the ticket the applicant came with */
	unsigned changes, saved; /* edits made, and drafted */
};

/* The draft of the form on this machine (tui/draft.h). */
struct tui_draft {
	char path[1200];
	bool found;    /* one waits from an earlier session */
	bool restore;  /* the matter being opened is for it */
	char code[24]; /* its matter */
};

/* The answer of a create: the notice to print. */
struct tui_result {
	char case_id[40];
	uint32_t state;
	char kind[16]; /* acceptance, gaps, onetime, refusal */
	char *text;    /* the notice, UTF-8 */
	char verify[40];
	int top;
	int32_t promised_due;
};

/* Matters the desk has read (for labels in the case view): by code and
 * version, as the cases were taken in. */
#define TUI_MATTER_CACHE 32
struct tui_mcache {
	struct form_matter *m[TUI_MATTER_CACHE];
	size_t n, next; /* next: the slot to reuse when full */
	char asked[32]; /* "code/version" being fetched, "" none */
};

/* An open case (the node's whole answer is kept). */
struct tui_caseview {
	char id[40];
	bool loading;
	Ow__Response *get;     /* body case_get */
	Ow__Response *history; /* body case_history, when asked */
	bool show_history;
	int top;
	const struct tui_view_ops *back; /* where Esc goes */
};

/* Search: by what, the value, the results. */
struct tui_search {
	int by; /* index into the kinds of view_search.c */
	struct tui_editor value;
	int focus; /* 0 the value, 1 the results */
	bool busy, searched;
	struct tui_case_list results;
	char *last_value;
};

struct tui_login {
	struct tui_editor user, pass;
	int focus; /* 0 user, 1 password */
	bool busy;
	bool lock_mode; /* the idle lock: the user is fixed */
	char error[TUI_MSG_MAX];
};

/* The supervisor's screen: the dashboard of a hall and the deadline
 * list (d->warn), with cases marked for a batch reassignment. */
#define TUI_MARK_MAX 64
struct tui_super {
	char hall[16];      /* "" this node's hall */
	Ow__Response *dash; /* body dashboard, the latest answer */
	bool show_remedies; /* the list: bad ratings, not deadlines */
	struct tui_case_list remedies; /* bad ratings waiting for follow-up */
	char marked[TUI_MARK_MAX][40];
	size_t nmarked;
	/* A batch being sent: the answers counted as they come. */
	size_t batch_left, batch_ok, batch_failed;
	char batch_error[TUI_MSG_MAX];
};

/* Reports in the desk: the range and grouping asked, the answer. */
struct tui_reports {
	char from[16], to[16];
	int by;             /* 0 hall, 1 clerk, 2 matter */
	Ow__Response *resp; /* body report */
	bool busy;
	int top;
};

/* The ops screen: this node's status and its peers. */
struct tui_opsview {
	Ow__Response *status; /* body status_resp */
	Ow__Response *peers;  /* body peer_list (NULL: no replication) */
	int peers_status;     /* the node's answer to peer_list */
	int top;
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
	struct tui_picker picker;
	struct tui_intake intake;
	struct tui_result result;
	struct tui_caseview cv;
	struct tui_search search;
	struct tui_super super;
	struct tui_reports reports;
	struct tui_opsview ops;
	struct tui_dlg dlg;
	struct tui_mcache mcache;
	struct tui_draft draft;

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

/* data_case.c: the calls of the case screens. */
void tui_data_matter_open(struct tui_desk *d, const char *code);
void tui_data_applicant(struct tui_desk *d, const char *id_number);
/* Create the case from the intake form; refuse_reason non-NULL: record
 * a refusal. */
void tui_data_case_create(struct tui_desk *d, const char *refuse_reason);
/* Open a case; back: the view Esc returns to. */
void tui_data_case_open(
    struct tui_desk *d, const char *id, const struct tui_view_ops *back);
void tui_data_case_act(struct tui_desk *d, const char *action,
    const char *reason, unsigned method, const char *tracking);
void tui_data_case_rate(
    struct tui_desk *d, unsigned level, const char *comment);
void tui_data_case_history(struct tui_desk *d);
void tui_data_case_note(struct tui_desk *d, const char *text);
void tui_data_search(struct tui_desk *d, const char *by, const char *value);
/* A ticket: op is skip, recall, transfer (to window) or link (to
 * case_id). */
void tui_data_ticket(struct tui_desk *d, const char *op, const char *number,
    const char *window, const char *case_id);
void tui_data_case_free(struct tui_desk *d);
/* The matter of a case as it was taken in, when the desk has it; else
 * NULL, and it is fetched (the screen redraws when it comes). */
const struct form_matter *tui_data_matter_of(
    struct tui_desk *d, const char *code, unsigned version);
/* Today for the form's checks (OW_TODAY fixes it, as for the node). */
int32_t tui_data_today(void);

/* data_case.c: the supervisor's calls (the dashboard and the ops
 * screen are refreshes: TUI_REFRESH_DASH, TUI_REFRESH_OPS). */
/* Reassign the cases ids[0..n) to hall (and clerk, "" none), with the
 * reason and the handover note; the answers are counted in d->super. */
void tui_data_assign(struct tui_desk *d, char (*ids)[40], size_t n,
    const char *hall, const char *clerk, const char *reason,
    const char *handover);
void tui_data_extend(
    struct tui_desk *d, const char *id, unsigned days, const char *reason);
void tui_data_report(struct tui_desk *d);
/* A step of the open case's bad-rating remediation (1 callback, 2
 * rectified: text; 3 the follow-up level). */
void tui_data_case_remedy(
    struct tui_desk *d, unsigned step, const char *text, unsigned level);
/* A supervisor settles the open (flagged) case in state `to`. */
void tui_data_case_resolve(
    struct tui_desk *d, const char *to, const char *reason);
/* The assignee takes over the open case. */
void tui_data_case_ack(struct tui_desk *d);
void tui_data_super_free(struct tui_desk *d);

/* view_super.c: the supervisor's dialogs, also from the case view. */
void tui_super_reassign(struct tui_desk *d, bool batch);
void tui_super_extend(struct tui_desk *d);

/* view_form.c */
void tui_intake_start(struct tui_desk *d, struct form_matter *m);
void tui_intake_end(struct tui_desk *d);
/* The node's answer to a create: problems to show (rc/status != 0). */
void tui_intake_failed(
    struct tui_desk *d, const Ow__Response *resp, const char *error);

/* The draft: looked for after login, saved a moment after each change
 * and when the desk goes (a hang-up, SIGTERM), dropped when the case is
 * saved or the clerk gives the form up. */
void tui_intake_draft_find(struct tui_desk *d);
void tui_intake_draft_tick(struct tui_desk *d);
void tui_intake_draft_drop(struct tui_desk *d);

/* stats.c: the benchmark's figures (OW_DESK_STATS). */
void tui_stats_open(void);
void tui_stats_key(void);
void tui_stats_drawn(const char *view);
void tui_stats_close(void);

/* view_result.c: print the notice (to the print command, or a file). */
void tui_result_print(struct tui_desk *d);

/* dialog.c */
void tui_dialog_confirm(
    struct tui_desk *d, const char *title, const char *text, tui_dialog_cb cb);
void tui_dialog_prompt(struct tui_desk *d, const char *title, const char *text,
    bool need_text, size_t max_chars, tui_dialog_cb cb);
void tui_dialog_choice(struct tui_desk *d, const char *title,
    const char *const *choices, int n, tui_dialog_cb cb);
void tui_dialog_draw(struct tui_desk *d, struct tui_cursor *cur);
bool tui_dialog_key(struct tui_desk *d, int key);
void tui_dialog_free(struct tui_desk *d);
WINDOW *tui_chrome_popup(struct tui_desk *d, int h, int w);

#endif
