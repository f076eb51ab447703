/*
 * view_report.c: reports in the desk, for supervisors and auditors: for
 * a range of days (F4; this month so far to start with) and per hall,
 * clerk or matter (F6), a table of the figures (taken in, completed, on
 * time against the promised day, average working days, refusals, 容缺
 * filled, ratings and bad ones, tickets and waits) and a bar of each
 * row's completed cases. ow-ctl report gives the same figures as CSV or
 * JSON.
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/i18n.h"
#include "tui/width.h"

static const struct tui_bind report_binds[] = {
    {TUI_KC_F(4), TUI_ACT_SEARCH, N_("Range"),
        N_("The first and the last day of the report"), 0},
    {TUI_KC_F(6), TUI_ACT_TOGGLE, N_("By"),
        N_("Per hall, per clerk or per matter"), 0},
    {TUI_KC_F(5), TUI_ACT_REFRESH, N_("Refresh"),
        N_("Ask the node for the figures again"), 0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Scroll"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, NULL, 0},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"), N_("Back to the supervision screen"),
        0},
};
static const struct tui_keymap report_map = TUI_KEYMAP(report_binds);

static void
to_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	int32_t day;

	(void)choice;
	if (!ok) {
		return;
	}
	if (cm_date_parse(text, &day) != 0) {
		tui_desk_message(d, TUI_MSG_ERROR, _("Not a date: %s"), text);
		return;
	}
	snprintf(d->reports.to, sizeof(d->reports.to), "%s", text);
	tui_data_report(d);
}

static void
from_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	int32_t day;

	(void)choice;
	if (!ok) {
		return;
	}
	if (cm_date_parse(text, &day) != 0) {
		tui_desk_message(d, TUI_MSG_ERROR, _("Not a date: %s"), text);
		return;
	}
	snprintf(d->reports.from, sizeof(d->reports.from), "%s", text);
	tui_dialog_prompt(d, _("Report"), _("The last day (YYYY-MM-DD):"), true,
	    10, to_given);
}

static void
report_enter(struct tui_desk *d)
{
	struct tui_reports *r = &d->reports;

	if (r->from[0] == '\0') {
		int32_t today = tui_data_today();
		int y, m, dd;
		char buf[16];

		cm_date_to_ymd(today, &y, &m, &dd);
		snprintf(r->from, sizeof(r->from), "%04d-%02d-01", y, m);
		snprintf(
		    r->to, sizeof(r->to), "%s", cm_date_format(today, buf));
	}
	tui_data_report(d);
}

static bool
report_action(struct tui_desk *d, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_SEARCH:
		tui_dialog_prompt(d, _("Report"),
		    _("The first day (YYYY-MM-DD):"), true, 10, from_given);
		return true;
	case TUI_ACT_TOGGLE:
		d->reports.by = (d->reports.by + 1) % 3;
		tui_data_report(d);
		return true;
	case TUI_ACT_REFRESH:
		tui_data_report(d);
		return true;
	case TUI_ACT_UP:
		d->reports.top = d->reports.top > 0 ? d->reports.top - 1 : 0;
		return true;
	case TUI_ACT_DOWN:
		d->reports.top++;
		return true;
	case TUI_ACT_BACK:
		tui_desk_switch(d, &tui_view_super);
		return true;
	default:
		return false;
	}
}

/* "12.5" or "-" when there is nothing to divide. */
static const char *
ratio(char *buf, size_t size, double num, uint32_t den, double scale)
{
	if (den == 0) {
		return "-";
	}
	snprintf(buf, size, "%.1f", num * scale / den);
	return buf;
}

struct col {
	const char *head;
	int width;
};

static void
draw_row(WINDOW *w, int y, int cols, const Ow__ReportRow *r, const char *key,
    enum tui_style st, uint32_t most)
{
	char b[10][24];
	const char *v[10];
	int x = 1, wd[10] = {6, 6, 8, 6, 8, 8, 7, 6, 8, 7};

	snprintf(b[0], 24, "%u", r->taken_in);
	v[0] = b[0];
	snprintf(b[1], 24, "%u", r->completed);
	v[1] = b[1];
	v[2] = ratio(b[2], 24, r->on_time_promised, r->completed, 100.0);
	v[3] = ratio(b[3], 24, r->working_days, r->completed, 1.0);
	snprintf(b[4], 24, "%u", r->refused);
	v[4] = b[4];
	snprintf(b[5], 24, "%u/%u", r->gaps_filled, r->gaps);
	v[5] = b[5];
	v[6] = ratio(b[6], 24, r->rating_sum, r->ratings, 1.0);
	v[7] = ratio(b[7], 24, r->ratings_bad, r->ratings, 100.0);
	snprintf(b[8], 24, "%u", r->tickets);
	v[8] = b[8];
	v[9] = ratio(
	    b[9], 24, (double)r->wait_seconds, r->tickets_called, 1.0 / 60.0);
	x += tui_put(w, y, x, 14, key, true, st);
	for (int i = 0; i < 10 && x < cols; i++) {
		x += tui_put(w, y, x, wd[i], v[i], true, st);
	}
	if (most > 0 && x + 2 < cols) {
		char bar[64];
		int room = cols - x - 1, len;

		if (room > (int)sizeof(bar) - 1) {
			room = (int)sizeof(bar) - 1;
		}
		len = (int)((uint64_t)r->completed * (uint64_t)room / most);
		memset(bar, '#', (size_t)len);
		bar[len] = '\0';
		tui_put(w, y, x, room, bar, false, TUI_S_INFO);
	}
}

static void
report_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	static const char *const by_names[] = {
	    N_("per hall"), N_("per clerk"), N_("per matter")};
	static const struct col heads[] = {{N_("Taken"), 6}, {N_("Done"), 6},
	    {N_("OnTime%"), 8}, {N_("Days"), 6}, {N_("Refused"), 8},
	    {N_("Gaps"), 8}, {N_("Rating"), 7}, {N_("Bad%"), 6},
	    {N_("Tickets"), 8}, {N_("Wait m"), 7}};
	const struct tui_reports *r = &d->reports;
	const Ow__ReportResp *rr = r->resp != NULL ? r->resp->report : NULL;
	int rows = getmaxy(w), cols = getmaxx(w), y = 0, x;
	uint32_t most = 0;
	char buf[256];

	(void)cur;
	snprintf(buf, sizeof(buf), _(" Report %s to %s, %s%s"), r->from, r->to,
	    _(by_names[r->by % 3]), r->busy ? _(" (asking...)") : "");
	tui_put(w, y++, 0, cols, buf, false, TUI_S_TITLE);
	x = 1;
	x += tui_put(w, y, x, 14, "", true, TUI_S_HEADER);
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]) && x < cols;
	     i++) {
		x += tui_put(w, y, x, heads[i].width, _(heads[i].head), true,
		    TUI_S_HEADER);
	}
	if (x < cols) {
		tui_put(w, y, x, cols - x, _("Completed"), true, TUI_S_HEADER);
	}
	y++;
	if (rr == NULL) {
		tui_put(
		    w, y, 1, cols - 1, _("Loading..."), false, TUI_S_NORMAL);
		return;
	}
	for (size_t i = 0; i < rr->n_rows; i++) {
		if (rr->rows[i]->completed > most) {
			most = rr->rows[i]->completed;
		}
	}
	for (size_t i = (size_t)r->top; i < rr->n_rows && y < rows - 2; i++) {
		draw_row(w, y++, cols, rr->rows[i],
		    rr->rows[i]->key[0] != '\0' ? rr->rows[i]->key : "-",
		    TUI_S_NORMAL, most);
	}
	if (rr->total != NULL && y < rows) {
		draw_row(w, y + (y < rows - 1), cols, rr->total, _("Total"),
		    TUI_S_HEADER, 0);
	}
}

const struct tui_view_ops tui_view_report = {
    .name = "report",
    .keys = &report_map,
    .enter = report_enter,
    .leave = NULL,
    .draw = report_draw,
    .action = report_action,
    .key = NULL,
    .typing = NULL,
    .unsaved = NULL,
    .help_intro = N_("Figures for a range of days: on time is against the "
                     "promised day; Days is the average of working days "
                     "counted; Gaps is filled/容缺 cases."),
    .help_more = NULL,
};
