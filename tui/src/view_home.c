/*
 * view_home.c: the home screen after login: the hall queue (tickets
 * waiting, the longest wait, the ticket at this window), the clerk's open
 * cases (paged from the node) and the cases turning yellow, red or
 * overdue. It refreshes itself on the node's events; F2 calls the next
 * ticket, F3 takes in a new case, / or F4 searches, Enter opens the
 * selected case, F5 fetches everything again.
 *
 * Columns are measured, not assumed: each is as wide as its widest
 * header or value (translated headers can be wider than English ones),
 * and the matter name takes what is left. Warning rows carry a text
 * marker ([~] yellow, [!] red, [X] overdue) as well as a colour.
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "node/workflow.h"
#include "tui/width.h"

static const struct tui_bind home_binds[] = {
    {TUI_KC_F(2), TUI_ACT_CALL_NEXT, N_("Next"),
        N_("Call the next ticket to this window"), 0},
    {TUI_KC_F(3), TUI_ACT_NEW_CASE, N_("New case"),
        N_("Take in a new case: choose the matter"), 0},
    {'/', TUI_ACT_SEARCH, NULL, N_("Search cases"), TUI_BIND_NOT_TYPING},
    {TUI_KC_F(4), TUI_ACT_SEARCH, N_("Search"), NULL, 0},
    {TUI_KC_ENTER, TUI_ACT_OPEN, NULL, N_("Open the selected case"), 0},
    {TUI_KC_F(6), TUI_ACT_TOGGLE, N_("Ticket"),
        N_("The ticket at this window: skip, call again, send elsewhere"), 0},
    {TUI_KC_F(5), TUI_ACT_REFRESH, N_("Refresh"),
        N_("Fetch the queue and the case lists again"), 0},
    {TUI_KC_F(7), TUI_ACT_SUPERVISE, N_("Supervise"),
        N_("Supervisors: the hall's dashboard, deadlines, reassignment, "
           "reports"),
        0},
    {TUI_KC_F(8), TUI_ACT_OPS, N_("Ops"),
        N_("The node's health and its replication peers"), 0},
    {TUI_KC_F(9), TUI_ACT_LOCK, N_("Lock"), N_("Lock the desk now"), 0},
    {TUI_KC_TAB, TUI_ACT_NEXT_FIELD, NULL,
        N_("Switch between my cases and the warnings"), 0},
    {TUI_KC_BACKTAB, TUI_ACT_PREV_FIELD, NULL, NULL, 0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Previous case"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, N_("Next case"), 0},
    {TUI_KC_PGUP, TUI_ACT_PAGE_UP, NULL,
        N_("Page up (my cases: the previous page)"), 0},
    {TUI_KC_PGDN, TUI_ACT_PAGE_DOWN, NULL,
        N_("Page down (my cases: the next page)"), 0},
    {TUI_KC_HOME, TUI_ACT_FIRST, NULL, N_("First case of the list"), 0},
    {TUI_KC_END, TUI_ACT_LAST, NULL, N_("Last case of the list"), 0},
};
static const struct tui_keymap home_map = TUI_KEYMAP(home_binds);

static struct tui_case_list *
focus_list(struct tui_desk *d)
{
	return d->home.focus == 0 ? &d->mine : &d->warn;
}

/* ---- The ticket at this window ----------------------------------------- */

static char ticket_number[16];

static void
window_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (ok) {
		tui_data_ticket(d, "transfer", ticket_number, text, NULL);
	}
}

static void
ticket_op(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)text;
	if (!ok) {
		return;
	}
	switch (choice) {
	case 0:
		tui_data_ticket(d, "skip", ticket_number, NULL, NULL);
		break;
	case 1:
		tui_data_ticket(d, "recall", ticket_number, NULL, NULL);
		break;
	default:
		tui_dialog_prompt(d, _("Send the ticket to another window"),
		    _("The window:"), true, 15, window_given);
		break;
	}
}

static void
ticket_menu(struct tui_desk *d)
{
	static const char *ops[3];

	if (d->ticket[0] == '\0') {
		tui_desk_message(d, TUI_MSG_INFO, "%s",
		    _("No ticket is called to this window (F2 calls one)."));
		return;
	}
	snprintf(ticket_number, sizeof(ticket_number), "%s", d->ticket);
	ops[0] = _("Skip: the applicant did not come");
	ops[1] = _("Call again");
	ops[2] = _("Send to another window");
	tui_dialog_choice(d, _("Ticket"), ops, 3, ticket_op);
}

/* ---- Actions ----------------------------------------------------------- */

static void
move_sel(struct tui_desk *d, enum tui_action a)
{
	struct tui_case_list *l = focus_list(d);
	size_t page = (size_t)(d->home.list_rows[d->home.focus] > 1
	                           ? d->home.list_rows[d->home.focus]
	                           : 1);
	bool mine = d->home.focus == 0;

	switch (a) {
	case TUI_ACT_UP:
		if (l->sel > 0) {
			l->sel--;
		}
		break;
	case TUI_ACT_DOWN:
		if (l->sel + 1 < l->n) {
			l->sel++;
		}
		break;
	case TUI_ACT_FIRST:
		l->sel = 0;
		break;
	case TUI_ACT_LAST:
		l->sel = l->n > 0 ? l->n - 1 : 0;
		break;
	case TUI_ACT_PAGE_DOWN:
		if (l->sel + page < l->n) {
			l->sel += page;
		} else if (l->n > 0 && l->sel + 1 < l->n) {
			l->sel = l->n - 1;
		} else if (mine && l->next != NULL) {
			tui_data_mine_page(d, 1);
		}
		break;
	case TUI_ACT_PAGE_UP:
		if (l->sel >= page) {
			l->sel -= page;
		} else if (l->sel > 0) {
			l->sel = 0;
		} else if (mine && l->page > 0) {
			tui_data_mine_page(d, -1);
		}
		break;
	default:
		break;
	}
}

static bool
home_action(struct tui_desk *d, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_CALL_NEXT:
		tui_data_call_next(d);
		return true;
	case TUI_ACT_NEW_CASE:
		if (d->intake.active) {
			/* A form part way: back to it, nothing typed lost. */
			tui_desk_switch(d, &tui_view_form);
		} else if (d->draft.found) {
			d->draft.restore = true;
			tui_data_matter_open(d, d->draft.code);
		} else {
			tui_desk_switch(d, &tui_view_matter);
		}
		return true;
	case TUI_ACT_SEARCH:
		tui_desk_switch(d, &tui_view_search);
		return true;
	case TUI_ACT_SUPERVISE:
		if ((d->role & (NODE_ROLE_SUPERVISOR | NODE_ROLE_AUDITOR)) ==
		    0) {
			tui_desk_message(d, TUI_MSG_ERROR, "%s",
			    _("For supervisors: your account cannot see the "
			      "dashboard."));
			return true;
		}
		tui_desk_switch(d, &tui_view_super);
		return true;
	case TUI_ACT_OPS:
		tui_desk_switch(d, &tui_view_ops);
		return true;
	case TUI_ACT_TOGGLE:
		ticket_menu(d);
		return true;
	case TUI_ACT_OPEN: {
		struct tui_case_list *l = focus_list(d);

		if (l->n > 0 && l->sel < l->n) {
			tui_data_case_open(
			    d, l->rows[l->sel].id, &tui_view_home);
		}
		return true;
	}
	case TUI_ACT_REFRESH:
		tui_data_refresh(d, TUI_REFRESH_STATUS | TUI_REFRESH_QUEUE |
		                        TUI_REFRESH_MINE | TUI_REFRESH_WARN);
		tui_desk_message(d, TUI_MSG_INFO, "%s", _("Refreshing..."));
		return true;
	case TUI_ACT_NEXT_FIELD:
	case TUI_ACT_PREV_FIELD:
		d->home.focus = !d->home.focus;
		return true;
	case TUI_ACT_UP:
	case TUI_ACT_DOWN:
	case TUI_ACT_PAGE_UP:
	case TUI_ACT_PAGE_DOWN:
	case TUI_ACT_FIRST:
	case TUI_ACT_LAST:
		move_sel(d, a);
		return true;
	default:
		return false; /* LOCK, HELP, QUIT: the desk's */
	}
}

/* ---- Drawing ----------------------------------------------------------- */

static const char *
level_word(uint32_t level)
{
	switch (level) {
	case 1:
		return _("yellow");
	case 2:
		return _("red");
	case 3:
		return _("overdue");
	default:
		return "";
	}
}

static const char *
level_marker(uint32_t level, enum tui_style *st)
{
	switch (level) {
	case 1:
		*st = TUI_S_YELLOW;
		return "[~]";
	case 2:
		*st = TUI_S_RED;
		return "[!]";
	case 3:
		*st = TUI_S_OVERDUE;
		return "[X]";
	default:
		*st = TUI_S_NORMAL;
		return "   ";
	}
}

static int
widest(int w, const char *s, int cap)
{
	int sw = (int)tui_str_width(s);

	if (sw > w) {
		w = sw;
	}
	return w > cap ? cap : w;
}

struct columns {
	int id, state, applicant, level, matter;
};

static void
measure(struct tui_desk *d, const struct tui_case_list *l, bool levels,
    int avail, struct columns *c)
{
	memset(c, 0, sizeof(*c));
	/* At least as wide as a typical value, so that columns do not
	 * jump as the first rows arrive. */
	c->id = widest(18, _("Case"), 22);
	c->state = widest(8, _("State"), 18);
	c->applicant = widest(18, _("Applicant"), 20);
	c->level = levels ? widest(0, _("Level"), 10) : 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct tui_case_row *r = &l->rows[i];

		c->id = widest(c->id, r->id, 22);
		c->state = widest(
		    c->state, node_state_label((enum node_state)r->state), 18);
		c->applicant = widest(c->applicant, r->applicant, 20);
		if (levels) {
			c->level = widest(c->level, level_word(r->warning), 10);
		}
	}
	(void)d;
	c->matter = avail - (c->id + 1) - (c->state + 1) - (c->applicant + 1) -
	            (levels ? c->level + 1 : 0);
	if (c->matter < 10) {
		/* Narrow: the masked ID number goes first (the case id finds
		 * the applicant). */
		c->matter += c->applicant + 1;
		c->applicant = 0;
	}
	if (c->matter < 1) {
		c->matter = 1;
	}
}

/* Draw one row's cells from x; returns nothing, draws at most avail. */
static void
draw_cells(WINDOW *w, int y, int x, const struct columns *c, const char *id,
    const char *state, const char *applicant, const char *level,
    const char *matter, enum tui_style st)
{
	x += tui_put(w, y, x, c->id + 1, id, true, st);
	x += tui_put(w, y, x, c->state + 1, state, true, st);
	if (c->applicant > 0) {
		x += tui_put(w, y, x, c->applicant + 1, applicant, true, st);
	}
	if (c->level > 0) {
		x += tui_put(w, y, x, c->level + 1, level, true, st);
	}
	tui_put(w, y, x, c->matter, matter, true, st);
}

static void
draw_list(struct tui_desk *d, WINDOW *w, int y, int h, int which,
    struct tui_cursor *cur)
{
	struct tui_case_list *l = which == 0 ? &d->mine : &d->warn;
	bool focus = d->home.focus == which, levels = which == 1;
	int wd = getmaxx(w), visible = h - 3, x0 = 2, avail;
	char title[160];
	struct columns c;

	if (which == 0) {
		snprintf(title, sizeof(title), "%s", _("My open cases"));
		if (l->page > 0 || l->next != NULL) {
			size_t used = strlen(title);

			snprintf(title + used, sizeof(title) - used,
			    _(" (page %zu)"), l->page + 1);
		}
		if (l->next != NULL) {
			size_t used = strlen(title);

			snprintf(title + used, sizeof(title) - used, " %s",
			    _("PgDn: more"));
		}
	} else {
		snprintf(title, sizeof(title), "%s",
		    _("Cases turning yellow or red"));
	}
	tui_box(w, y, 0, h, wd, title);
	d->home.list_rows[which] = visible > 0 ? visible : 0;
	if (visible <= 0) {
		return;
	}
	avail = wd - x0 - 5 - 2;
	measure(d, l, levels, avail, &c);
	draw_cells(w, y + 1, x0 + 5, &c, _("Case"), _("State"), _("Applicant"),
	    _("Level"), _("Matter"), TUI_S_HEADER);
	if (focus) {
		cur->win = w;
		cur->y = y + 2;
		cur->x = x0;
	}
	if (l->n == 0) {
		const char *empty =
		    !l->loaded   ? _("Loading...")
		    : which == 0 ? _("No open cases are assigned to you.")
		                 : _("No case is turning yellow or red.");

		tui_put(
		    w, y + 2, x0 + 5, wd - x0 - 7, empty, false, TUI_S_NORMAL);
		return;
	}
	/* Keep the selection in view: draw owns the scroll, as the field
	 * editor's layout does. */
	if (l->sel < l->top) {
		l->top = l->sel;
	}
	if (l->sel >= l->top + (size_t)visible) {
		l->top = l->sel - (size_t)visible + 1;
	}
	for (int i = 0; i < visible && l->top + (size_t)i < l->n; i++) {
		size_t k = l->top + (size_t)i;
		const struct tui_case_row *r = &l->rows[k];
		bool sel = k == l->sel;
		enum tui_style mst,
		    st = sel && focus ? TUI_S_SELECTED : TUI_S_NORMAL;
		const char *mark = level_marker(r->warning, &mst);
		int ry = y + 2 + i;

		/* A case moved to this clerk and not taken over yet (F3 in
		 * the case): the first thing to do with it. */
		if (which == 0 && r->awaiting_ack) {
			mark = _("new");
			mst = TUI_S_INFO;
		}

		tui_put(w, ry, x0, 1, sel ? ">" : " ", false, st);
		tui_put(w, ry, x0 + 1, 4, mark, true, mst);
		draw_cells(w, ry, x0 + 5, &c, r->id,
		    node_state_label((enum node_state)r->state), r->applicant,
		    level_word(r->warning), tui_data_matter_name(d, r->matter),
		    st);
		if (sel && focus) {
			cur->y = ry;
		}
	}
}

static void
draw_queue(struct tui_desk *d, WINDOW *w, int y)
{
	int wd = getmaxx(w), x = 2;
	char buf[160];

	tui_box(w, y, 0, 3, wd, _("Queue"));
	if (!d->queue_loaded) {
		tui_put(
		    w, y + 1, x, wd - 4, _("Loading..."), false, TUI_S_NORMAL);
		return;
	}
	snprintf(buf, sizeof(buf), _("Waiting: %u"), d->waiting);
	x += tui_put(w, y + 1, x, wd - 2 - x, buf, false, TUI_S_HEADER);
	if (d->waiting > 0 && d->oldest_issued > 0) {
		long mins = (long)(time(NULL) - d->oldest_issued) / 60;

		snprintf(buf, sizeof(buf), _("Longest wait: %ld min"),
		    mins > 0 ? mins : 0);
		x += tui_put(w, y + 1, x, 3, "   ", false, TUI_S_NORMAL);
		x += tui_put(w, y + 1, x, wd - 2 - x, buf, false, TUI_S_NORMAL);
	}
	if (d->opts->window == NULL) {
		snprintf(buf, sizeof(buf), "%s",
		    _("No window number: F2 cannot call tickets."));
	} else if (d->ticket[0] != '\0') {
		snprintf(buf, sizeof(buf), _("At window %s: ticket %s"),
		    d->opts->window, d->ticket);
	} else {
		snprintf(buf, sizeof(buf),
		    _("At window %s: no ticket (F2 calls the next)"),
		    d->opts->window);
	}
	x += tui_put(w, y + 1, x, 3, "   ", false, TUI_S_NORMAL);
	tui_put(w, y + 1, x, wd - 2 - x, buf, false, TUI_S_NORMAL);
}

static void
home_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	int rows = getmaxy(w), cols = getmaxx(w);
	int avail = rows - 4, mine_h = avail - avail * 2 / 5;
	char title[256];
	int x;

	snprintf(title, sizeof(title), " %s", _("OneWindow clerk desk"));
	x = tui_put(w, 0, 0, cols, title, false, TUI_S_TITLE);
	if (d->hall_name[0] != '\0') {
		snprintf(title, sizeof(title), "  %s (%s)", d->hall_name,
		    d->hall_code);
		tui_put(w, 0, x, cols - x, title, false, TUI_S_NORMAL);
	}
	draw_queue(d, w, 1);
	draw_list(d, w, 4, mine_h, 0, cur);
	draw_list(d, w, 4 + mine_h, avail - mine_h, 1, cur);
}

static bool
home_typing(const struct tui_desk *d)
{
	(void)d;
	return false;
}

const struct tui_view_ops tui_view_home = {
    .name = "home",
    .keys = &home_map,
    .enter = NULL,
    .leave = NULL,
    .draw = home_draw,
    .action = home_action,
    .key = NULL,
    .typing = home_typing,
    .unsaved = NULL,
    .help_intro = N_(
        "The hall queue, your open cases and the cases whose deadlines draw near."),
    .help_more = N_("\"new\" in my cases: a case moved to you; open it and "
                    "take it over with F3."),
};
