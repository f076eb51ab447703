/*
 * view_super.c: the supervisor's screen. The dashboard of a hall (this
 * node's, or any hall chosen with F6): tickets waiting and the longest
 * wait, open cases by state, yellow / red / overdue, each clerk's open
 * cases with a bar, red ones and today's work, conflicts and bad ratings
 * waiting; it follows the node's events. Below it the deadline list, red
 * and overdue first, with working days left, the matter, the hall and the
 * clerk: Enter opens a case, Space marks cases, F4 moves the marked ones
 * (or the selected one) to another clerk or hall with a reason and a
 * handover note. The same dialogs serve the case view (F9 there).
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/i18n.h"
#include "node/workflow.h"
#include "tui/width.h"

static const struct tui_bind super_binds[] = {
    {TUI_KC_ENTER, TUI_ACT_OPEN, NULL, N_("Open the selected case"), 0},
    {' ', TUI_ACT_MARK, NULL, N_("Mark or unmark the case for a batch"),
        TUI_BIND_NOT_TYPING},
    {TUI_KC_F(4), TUI_ACT_REASSIGN, N_("Reassign"),
        N_("Move the marked cases (or the selected one) to another clerk or "
           "hall"),
        0},
    {TUI_KC_F(6), TUI_ACT_HALL, N_("Hall"), N_("Show another hall"), 0},
    {TUI_KC_F(8), TUI_ACT_TOGGLE, N_("Ratings"),
        N_("Switch the list: deadlines, or bad ratings waiting for their "
           "follow-up"),
        0},
    {TUI_KC_F(7), TUI_ACT_REPORTS, N_("Reports"),
        N_("Figures per hall, clerk or matter for a range of days"), 0},
    {TUI_KC_F(5), TUI_ACT_REFRESH, N_("Refresh"),
        N_("Fetch the dashboard and the deadlines again"), 0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Previous case"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, N_("Next case"), 0},
    {TUI_KC_HOME, TUI_ACT_FIRST, NULL, N_("First case of the list"), 0},
    {TUI_KC_END, TUI_ACT_LAST, NULL, N_("Last case of the list"), 0},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"), N_("Back to the home screen"), 0},
};
static const struct tui_keymap super_map = TUI_KEYMAP(super_binds);

/* ---- Reassignment and extension dialogs --------------------------------- */

/* The list shown: the deadlines, or the bad ratings waiting. */
static struct tui_case_list *
shown(struct tui_desk *d)
{
	return d->super.show_remedies ? &d->super.remedies : &d->warn;
}

static struct {
	char ids[TUI_MARK_MAX][40];
	size_t n;
	char hall[16];
	char clerk[64];
	char reason[TUI_MSG_MAX];
	unsigned days;
} pend;

static void
handover_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	tui_data_assign(
	    d, pend.ids, pend.n, pend.hall, pend.clerk, pend.reason, text);
}

static void
reason_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	snprintf(pend.reason, sizeof(pend.reason), "%s", text);
	tui_dialog_prompt(d, _("Handover note"),
	    _("For the receiving clerk (may be empty):"), false, 300,
	    handover_given);
}

static void
clerk_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	snprintf(pend.clerk, sizeof(pend.clerk), "%s", text);
	tui_dialog_prompt(d, _("Reason for the move"),
	    _("Why (kept in the case's history):"), true, 200, reason_given);
}

static void
hall_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	snprintf(pend.hall, sizeof(pend.hall), "%s",
	    text[0] != '\0' ? text : d->hall_code);
	tui_dialog_prompt(d, _("Receiving clerk"),
	    _("User name (empty: the hall's supervisor assigns it):"), false,
	    60, clerk_given);
}

void
tui_super_reassign(struct tui_desk *d, bool batch)
{
	char text[TUI_MSG_MAX];

	pend.n = 0;
	if (!batch) {
		if (d->cv.id[0] != '\0') {
			snprintf(
			    pend.ids[0], sizeof(pend.ids[0]), "%s", d->cv.id);
			pend.n = 1;
		}
	} else if (d->super.nmarked > 0) {
		memcpy(pend.ids, d->super.marked,
		    d->super.nmarked * sizeof(pend.ids[0]));
		pend.n = d->super.nmarked;
	} else if (shown(d)->n > 0 && shown(d)->sel < shown(d)->n) {
		snprintf(pend.ids[0], sizeof(pend.ids[0]), "%s",
		    shown(d)->rows[shown(d)->sel].id);
		pend.n = 1;
	}
	if (pend.n == 0) {
		tui_desk_message(d, TUI_MSG_INFO, "%s",
		    _("No case to reassign: mark cases with Space."));
		return;
	}
	snprintf(text, sizeof(text),
	    _n("%zu case. The hall code (empty: %s):",
	        "%zu cases. The hall code (empty: %s):", pend.n),
	    pend.n, d->hall_code);
	tui_dialog_prompt(d, _("Reassign"), text, false, 8, hall_given);
}

static void
ext_reason_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (ok) {
		tui_data_extend(d, d->cv.id, pend.days, text);
	}
}

static void
days_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	static const unsigned days[] = {5, 10, 15};

	(void)text;
	if (!ok || choice < 0 || choice > 2) {
		return;
	}
	pend.days = days[choice];
	tui_dialog_prompt(d, _("Reason for the extension"),
	    _("Told to the applicant (Art. 42):"), true, 200, ext_reason_given);
}

void
tui_super_extend(struct tui_desk *d)
{
	static const char *choices[3];

	choices[0] = _("+5 working days");
	choices[1] = _("+10 working days");
	choices[2] = _("+15 working days");
	tui_dialog_choice(
	    d, _("Extend the time limit"), choices, 3, days_chosen);
}

/* ---- Actions ------------------------------------------------------------- */

static void
toggle_mark(struct tui_desk *d)
{
	struct tui_super *sv = &d->super;
	struct tui_case_list *l = shown(d);
	const char *id;

	if (l->n == 0 || l->sel >= l->n) {
		return;
	}
	id = l->rows[l->sel].id;
	for (size_t i = 0; i < sv->nmarked; i++) {
		if (strcmp(sv->marked[i], id) == 0) {
			memmove(&sv->marked[i], &sv->marked[i + 1],
			    (sv->nmarked - i - 1) * sizeof(sv->marked[0]));
			sv->nmarked--;
			return;
		}
	}
	if (sv->nmarked == TUI_MARK_MAX) {
		tui_desk_message(d, TUI_MSG_ERROR,
		    _("At most %d cases at once."), TUI_MARK_MAX);
		return;
	}
	snprintf(sv->marked[sv->nmarked], sizeof(sv->marked[0]), "%s", id);
	sv->nmarked++;
	if (l->sel + 1 < l->n) {
		l->sel++;
	}
}

static bool
is_marked(const struct tui_desk *d, const char *id)
{
	for (size_t i = 0; i < d->super.nmarked; i++) {
		if (strcmp(d->super.marked[i], id) == 0) {
			return true;
		}
	}
	return false;
}

static void
hall_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	snprintf(d->super.hall, sizeof(d->super.hall), "%s", text);
	tui_data_refresh(d, TUI_REFRESH_DASH | TUI_REFRESH_REMEDY);
}

static void
super_enter(struct tui_desk *d)
{
	tui_data_refresh(
	    d, TUI_REFRESH_DASH | TUI_REFRESH_WARN | TUI_REFRESH_REMEDY);
}

static bool
super_action(struct tui_desk *d, enum tui_action a)
{
	struct tui_case_list *l = shown(d);

	switch (a) {
	case TUI_ACT_OPEN:
		if (l->n > 0 && l->sel < l->n) {
			tui_data_case_open(
			    d, l->rows[l->sel].id, &tui_view_super);
		}
		return true;
	case TUI_ACT_MARK:
		toggle_mark(d);
		return true;
	case TUI_ACT_REASSIGN:
		tui_super_reassign(d, true);
		return true;
	case TUI_ACT_HALL:
		tui_dialog_prompt(d, _("Another hall"),
		    _("The hall code (empty: this hall):"), false, 8,
		    hall_chosen);
		return true;
	case TUI_ACT_REPORTS:
		tui_desk_switch(d, &tui_view_report);
		return true;
	case TUI_ACT_TOGGLE:
		d->super.show_remedies = !d->super.show_remedies;
		tui_data_refresh(d, d->super.show_remedies ? TUI_REFRESH_REMEDY
		                                           : TUI_REFRESH_WARN);
		return true;
	case TUI_ACT_REFRESH:
		tui_data_refresh(d,
		    TUI_REFRESH_DASH | TUI_REFRESH_WARN | TUI_REFRESH_REMEDY);
		tui_desk_message(d, TUI_MSG_INFO, "%s", _("Refreshing..."));
		return true;
	case TUI_ACT_UP:
		if (l->sel > 0) {
			l->sel--;
		}
		return true;
	case TUI_ACT_DOWN:
		if (l->sel + 1 < l->n) {
			l->sel++;
		}
		return true;
	case TUI_ACT_FIRST:
		l->sel = 0;
		return true;
	case TUI_ACT_LAST:
		l->sel = l->n > 0 ? l->n - 1 : 0;
		return true;
	case TUI_ACT_BACK:
		tui_desk_switch(d, &tui_view_home);
		return true;
	default:
		return false;
	}
}

/* ---- Drawing ------------------------------------------------------------- */

/* A bar of n of max in at most cols columns ('#': ASCII, one column in
 * every terminal). */
static void
bar(WINDOW *w, int y, int x, int cols, uint32_t n, uint32_t max,
    enum tui_style st)
{
	char b[128];
	int len;

	if (cols <= 0 || max == 0) {
		return;
	}
	if (cols > (int)sizeof(b) - 1) {
		cols = (int)sizeof(b) - 1;
	}
	len = (int)((uint64_t)n * (uint64_t)cols / max);
	if (n > 0 && len == 0) {
		len = 1;
	}
	memset(b, '#', (size_t)len);
	b[len] = '\0';
	tui_put(w, y, x, cols, b, false, st);
}

static int
draw_dash(struct tui_desk *d, WINDOW *w, int y, int cols, int max_clerks)
{
	const Ow__DashboardResp *db =
	    d->super.dash != NULL ? d->super.dash->dashboard : NULL;
	char buf[512], day[16];
	int x;
	uint32_t most = 1;

	if (db == NULL) {
		tui_put(w, y, 1, cols - 1, _("Loading the dashboard..."), false,
		    TUI_S_NORMAL);
		return y + 1;
	}
	snprintf(buf, sizeof(buf), _(" Supervision: hall %s, %s"), db->hall,
	    cm_date_format(db->today, day));
	tui_put(w, y++, 0, cols, buf, false, TUI_S_TITLE);
	if (db->queue_known) {
		snprintf(buf, sizeof(buf),
		    _("Tickets waiting: %u, longest wait %lld min"),
		    db->waiting, (long long)(db->longest_wait_s / 60));
	} else {
		snprintf(buf, sizeof(buf), "%s",
		    _("Tickets waiting: known at that hall's own node"));
	}
	tui_put(w, y++, 1, cols - 1, buf, false, TUI_S_NORMAL);
	x = 1;
	snprintf(buf, sizeof(buf), _("Open cases: %u"), db->open);
	x += tui_put(w, y, x, cols - x, buf, false, TUI_S_NORMAL);
	for (size_t i = 0; i < db->n_states && x < cols; i++) {
		snprintf(buf, sizeof(buf), "  %s %u",
		    node_state_label((enum node_state)db->states[i]->state),
		    db->states[i]->count);
		x += tui_put(w, y, x, cols - x, buf, false, TUI_S_NORMAL);
	}
	y++;
	x = 1;
	snprintf(buf, sizeof(buf), _("Yellow %u"), db->yellow);
	x += tui_put(w, y, x, cols - x, buf, false,
	    db->yellow > 0 ? TUI_S_YELLOW : TUI_S_NORMAL);
	snprintf(buf, sizeof(buf), _("  Red %u"), db->red);
	x += tui_put(w, y, x, cols - x, buf, false,
	    db->red > 0 ? TUI_S_RED : TUI_S_NORMAL);
	snprintf(buf, sizeof(buf), _("  Overdue %u"), db->overdue);
	x += tui_put(w, y, x, cols - x, buf, false,
	    db->overdue > 0 ? TUI_S_OVERDUE : TUI_S_NORMAL);
	snprintf(buf, sizeof(buf), _("  Conflicts waiting %u  Bad ratings %u"),
	    db->conflicts, db->bad_ratings);
	tui_put(w, y++, x, cols - x, buf, false, TUI_S_NORMAL);
	/* Clerks: name, open, red, today, and a bar of the open cases. */
	for (size_t i = 0; i < db->n_clerks; i++) {
		if (db->clerks[i]->open > most) {
			most = db->clerks[i]->open;
		}
	}
	x = 1;
	x += tui_put(w, y, x, 17, _("Clerk"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 7, _("Open"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 7, _("Red"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 7, _("Today"), true, TUI_S_HEADER);
	tui_fill(w, y, x, cols - x, TUI_S_HEADER);
	y++;
	for (size_t i = 0; i < db->n_clerks && (int)i < max_clerks; i++) {
		const Ow__ClerkLoad *c = db->clerks[i];
		char n[16];

		x = 1;
		x += tui_put(w, y, x, 17, c->user, true, TUI_S_NORMAL);
		snprintf(n, sizeof(n), "%u", c->open);
		x += tui_put(w, y, x, 7, n, true, TUI_S_NORMAL);
		snprintf(n, sizeof(n), "%u", c->red);
		x += tui_put(
		    w, y, x, 7, n, true, c->red > 0 ? TUI_S_RED : TUI_S_NORMAL);
		snprintf(n, sizeof(n), "%u", c->done_today);
		x += tui_put(w, y, x, 7, n, true, TUI_S_NORMAL);
		bar(w, y, x, cols - x - 1, c->open, most, TUI_S_INFO);
		y++;
	}
	if (db->n_clerks > (size_t)max_clerks) {
		snprintf(buf, sizeof(buf), _("... and %zu more clerks"),
		    db->n_clerks - (size_t)max_clerks);
		tui_put(w, y++, 1, cols - 1, buf, false, TUI_S_NORMAL);
	}
	return y;
}

static const char *
level_word(uint32_t level, enum tui_style *st)
{
	switch (level) {
	case 1:
		*st = TUI_S_YELLOW;
		return _("yellow");
	case 2:
		*st = TUI_S_RED;
		return _("red");
	case 3:
		*st = TUI_S_OVERDUE;
		return _("overdue");
	default:
		*st = TUI_S_NORMAL;
		return "";
	}
}

static void
draw_deadlines(struct tui_desk *d, WINDOW *w, int y, int rows, int cols,
    struct tui_cursor *cur)
{
	struct tui_case_list *l = shown(d);
	bool bad = d->super.show_remedies;
	char buf[256];
	int x;

	if (rows < 2) {
		return;
	}
	if (bad) {
		snprintf(buf, sizeof(buf),
		    _n(" Bad ratings waiting for their follow-up (%zu marked)",
		        " Bad ratings waiting for their follow-up (%zu marked)",
		        d->super.nmarked),
		    d->super.nmarked);
	} else {
		snprintf(buf, sizeof(buf),
		    _n(" Deadlines: red and overdue first (%zu marked)",
		        " Deadlines: red and overdue first (%zu marked)",
		        d->super.nmarked),
		    d->super.nmarked);
	}
	x = tui_put(w, y, 0, cols, buf, false, TUI_S_TITLE);
	(void)x;
	y++;
	rows--;
	x = 3;
	x += tui_put(w, y, x, 11, _("Level"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 21, _("Case"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 6, _("Left"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 12, _("Matter"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 8, _("Hall"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, cols - x, _("Clerk"), true, TUI_S_HEADER);
	y++;
	rows--;
	if (!l->loaded) {
		tui_put(
		    w, y, 3, cols - 3, _("Loading..."), false, TUI_S_NORMAL);
		return;
	}
	if (l->n == 0) {
		tui_put(w, y, 3, cols - 3,
		    bad ? _("No bad rating is waiting.")
		        : _("No case is near its deadline."),
		    false, TUI_S_NORMAL);
		return;
	}
	if (l->sel < l->top) {
		l->top = l->sel;
	}
	if (rows > 0 && l->sel >= l->top + (size_t)rows) {
		l->top = l->sel - (size_t)rows + 1;
	}
	for (int i = 0; i < rows && l->top + (size_t)i < l->n; i++) {
		size_t k = l->top + (size_t)i;
		const struct tui_case_row *r = &l->rows[k];
		bool sel = k == l->sel;
		enum tui_style st, rowst = sel ? TUI_S_SELECTED : TUI_S_NORMAL;
		const char *lw = level_word(r->warning, &st);

		if (bad) {
			lw = _("bad rating");
			st = TUI_S_RED;
		}
		char left[16];

		if (sel) {
			tui_fill(w, y + i, 0, cols, TUI_S_SELECTED);
			cur->win = w;
			cur->y = y + i;
			cur->x = 0;
		}
		tui_put(w, y + i, 0, 1, sel ? ">" : " ", false, rowst);
		tui_put(w, y + i, 1, 2, is_marked(d, r->id) ? "*" : " ", true,
		    rowst);
		x = 3;
		x += tui_put(w, y + i, x, 11, lw, true, sel ? rowst : st);
		x += tui_put(w, y + i, x, 21, r->id, true, rowst);
		if (r->running) {
			snprintf(left, sizeof(left), "%d", (int)r->days_left);
		} else {
			snprintf(left, sizeof(left), "-");
		}
		x += tui_put(w, y + i, x, 6, left, true, rowst);
		x += tui_put(w, y + i, x, 12, r->matter, true, rowst);
		x += tui_put(w, y + i, x, 8, r->hall, true, rowst);
		tui_put(w, y + i, x, cols - x,
		    r->assignee[0] != '\0' ? r->assignee : "-", true, rowst);
	}
}

static void
super_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	int rows = getmaxy(w), cols = getmaxx(w);
	/* The clerks get at most a third of the screen; the deadlines the
	 * rest. */
	int y = draw_dash(d, w, 0, cols, rows / 3 > 2 ? rows / 3 - 1 : 1);

	draw_deadlines(d, w, y, rows - y, cols, cur);
}

const struct tui_view_ops tui_view_super = {
    .name = "super",
    .keys = &super_map,
    .enter = super_enter,
    .leave = NULL,
    .draw = super_draw,
    .action = super_action,
    .key = NULL,
    .typing = NULL,
    .unsaved = NULL,
    .help_intro = N_("The hall's dashboard and the cases whose deadlines "
                     "draw near, for supervisors."),
    .help_more = N_("Marked cases carry a * in the list; F4 moves them all "
                    "at once, each with the same reason and note."),
};
