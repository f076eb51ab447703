/*
 * view_case.c: one case of any hall (通办): who applied, for what, where
 * it stands, its deadline (legal and promised, working days left, the
 * warning level), its fields, materials, notes, rating and delivery, and
 * on F7 its history. F4 lists the actions the node allows this user on
 * this case (its answer, not the desk's guess); actions that need a reason
 * ask for it, and the irreversible ones ask to confirm. F8 takes the
 * applicant's 好差评 rating at the counter.
 */
#include "desk.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "common/i18n.h"
#include "node/cases.h"
#include "node/workflow.h"
#include "tui/width.h"

static const struct tui_bind case_binds[] = {
    {TUI_KC_F(4), TUI_ACT_ACT, N_("Act"),
        N_("The actions you may take on this case"), 0},
    {TUI_KC_F(7), TUI_ACT_HISTORY, N_("History"),
        N_("Show or hide the case's history"), 0},
    {TUI_KC_F(6), TUI_ACT_NOTE, N_("Note"),
        N_("Add a note to the case (seen at every hall)"), 0},
    {TUI_KC_F(8), TUI_ACT_RATE, N_("Rating"),
        N_("Take the applicant's rating (1 to 5) and comment"), 0},
    {TUI_KC_F(5), TUI_ACT_REFRESH, N_("Refresh"), N_("Fetch the case again"),
        0},
    {TUI_KC_F(9), TUI_ACT_SUPERVISE, N_("Supervise"),
        N_("Supervisors: reassign the case, extend its time limit, follow up "
           "a bad rating"),
        0},
    {TUI_KC_F(3), TUI_ACT_ACK, N_("Take"), N_("Take over a case moved to you"),
        0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Scroll"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, NULL, 0},
    {TUI_KC_PGUP, TUI_ACT_PAGE_UP, NULL, NULL, 0},
    {TUI_KC_PGDN, TUI_ACT_PAGE_DOWN, NULL, NULL, 0},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"), N_("Back to where you came from"),
        0},
};
static const struct tui_keymap case_map = TUI_KEYMAP(case_binds);

static const char *
action_label(const char *wire)
{
	static const struct {
		const char *wire, *label;
	} labels[] = {
	    {"start_review", N_("Start the review")},
	    {"request_supplement", N_("Ask for a supplement (补正)")},
	    {"supplement_received", N_("Supplement received")},
	    {"gaps_filled", N_("Missing materials handed in (容缺)")},
	    {"suspend", N_("Suspend for a hearing or inspection")},
	    {"resume", N_("Resume")},
	    {"approve", N_("Approve")},
	    {"reject", N_("Reject")},
	    {"deliver", N_("Deliver the result")},
	    {"withdraw", N_("Withdrawn by the applicant")},
	    {"refuse", N_("Refuse")},
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(labels[i].wire, wire) == 0) {
			return _(labels[i].label);
		}
	}
	return wire;
}

/* ---- Acting ------------------------------------------------------------ */

static struct {
	char action[32];
	unsigned method;
	char tracking[64];
	char reason[512];
	unsigned level;
} pending;

static bool
irreversible(const char *a)
{
	return strcmp(a, "withdraw") == 0 || strcmp(a, "refuse") == 0 ||
	       strcmp(a, "reject") == 0;
}

static void
send_act(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	(void)text;
	if (ok) {
		tui_data_case_act(d, pending.action, pending.reason,
		    pending.method, pending.tracking);
	}
}

static void
after_reason(struct tui_desk *d)
{
	if (irreversible(pending.action)) {
		char text[TUI_MSG_MAX];

		snprintf(text, sizeof(text), _("%s: this cannot be undone."),
		    action_label(pending.action));
		tui_dialog_confirm(d, _("Are you sure?"), text, send_act);
		return;
	}
	send_act(d, true, 0, NULL);
}

static void
reason_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	snprintf(pending.reason, sizeof(pending.reason), "%s", text);
	after_reason(d);
}

static void
ask_reason(struct tui_desk *d)
{
	enum node_action a;

	if (node_action_parse(pending.action, &a) == 0 &&
	    node_action_needs_reason(a)) {
		tui_dialog_prompt(d, action_label(pending.action),
		    _("The reason, as the applicant will be told:"), true, 200,
		    reason_given);
		return;
	}
	after_reason(d);
}

static void
tracking_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	snprintf(pending.tracking, sizeof(pending.tracking), "%s", text);
	ask_reason(d);
}

static void
method_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)text;
	if (!ok) {
		return;
	}
	pending.method = (unsigned)choice + 1;
	if (pending.method == 2) {
		tui_dialog_prompt(d, _("Delivery by post"),
		    _("The tracking number:"), true, 40, tracking_given);
		return;
	}
	ask_reason(d);
}

static void
action_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	const Ow__CaseGetResp *g;

	(void)text;
	if (!ok || d->cv.get == NULL) {
		return;
	}
	g = d->cv.get->case_get;
	if (choice < 0 || (size_t)choice >= g->n_allowed_actions) {
		return;
	}
	memset(&pending, 0, sizeof(pending));
	snprintf(pending.action, sizeof(pending.action), "%s",
	    g->allowed_actions[choice]);
	if (strcmp(pending.action, "deliver") == 0) {
		static const char *methods[2];

		methods[0] = _("At a hall window");
		methods[1] = _("By post");
		tui_dialog_choice(d, _("How is the result delivered?"), methods,
		    2, method_chosen);
		return;
	}
	ask_reason(d);
}

static void
choose_action(struct tui_desk *d)
{
	const Ow__CaseGetResp *g;
	const char *labels[TUI_DLG_CHOICES];
	size_t n;

	if (d->cv.get == NULL) {
		return;
	}
	g = d->cv.get->case_get;
	n = g->n_allowed_actions;
	if (n == 0) {
		tui_desk_message(d, TUI_MSG_INFO, "%s",
		    _("No action is open to you on this case now."));
		return;
	}
	if (n > TUI_DLG_CHOICES) {
		n = TUI_DLG_CHOICES;
	}
	for (size_t i = 0; i < n; i++) {
		labels[i] = action_label(g->allowed_actions[i]);
	}
	tui_dialog_choice(
	    d, _("Act on the case"), labels, (int)n, action_chosen);
}

static void
comment_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (ok) {
		tui_data_case_rate(d, pending.level, text);
	}
}

static void
level_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)text;
	if (!ok) {
		return;
	}
	pending.level = (unsigned)(5 - choice);
	tui_dialog_prompt(d, _("The applicant's comment"),
	    _("Their words (may be empty):"), false, 200, comment_given);
}

static void
rate(struct tui_desk *d)
{
	static const char *levels[5];

	levels[0] = _("5 very satisfied (非常满意)");
	levels[1] = _("4 satisfied (满意)");
	levels[2] = _("3 fair (基本满意)");
	levels[3] = _("2 dissatisfied (不满意)");
	levels[4] = _("1 very dissatisfied (非常不满意)");
	memset(&pending, 0, sizeof(pending));
	tui_dialog_choice(
	    d, _("The applicant's rating"), levels, 5, level_chosen);
}

static void
note_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (ok) {
		tui_data_case_note(d, text);
	}
}

static void
remedy_text_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (ok) {
		tui_data_case_remedy(d, pending.level, text, 0);
	}
}

static void
followup_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)text;
	if (ok) {
		tui_data_case_remedy(d, 3, "", (unsigned)(5 - choice));
	}
}

static void
resolve_reason_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (ok) {
		tui_data_case_resolve(
		    d, node_state_name((enum node_state)pending.level), text);
	}
}

static void
resolve_state_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)text;
	if (!ok || choice < 0 || choice >= NODE_ST__COUNT) {
		return;
	}
	pending.level = (unsigned)choice; /* the state */
	tui_dialog_prompt(d, _("Settle the concurrent changes"),
	    _("Why this state (kept in the case's history):"), true, 300,
	    resolve_reason_given);
}

/* The state a supervisor settles a flagged case in: any state. */
static void
resolve(struct tui_desk *d)
{
	static const char *states[NODE_ST__COUNT];

	for (int s = 0; s < NODE_ST__COUNT; s++) {
		states[s] = node_state_label((enum node_state)s);
	}
	tui_dialog_choice(d, _("Settle in which state?"), states,
	    NODE_ST__COUNT, resolve_state_chosen);
}

static void
supervise_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	static const char *levels[5];

	(void)text;
	if (!ok) {
		return;
	}
	if (d->cv.get->case_get->case_->conflict) {
		/* The first choice is the settlement. */
		if (choice == 0) {
			resolve(d);
			return;
		}
		choice--;
	}
	switch (choice) {
	case 0:
		tui_super_reassign(d, false);
		break;
	case 1:
		tui_super_extend(d);
		break;
	case 2:
		pending.level = 1; /* the step */
		tui_dialog_prompt(d, _("Callback (回访)"),
		    _("What the applicant said:"), true, 300,
		    remedy_text_given);
		break;
	case 3:
		pending.level = 2;
		tui_dialog_prompt(d, _("Rectification (整改)"),
		    _("What was put right:"), true, 300, remedy_text_given);
		break;
	default:
		levels[0] = _("5 very satisfied (非常满意)");
		levels[1] = _("4 satisfied (满意)");
		levels[2] = _("3 fair (基本满意)");
		levels[3] = _("2 dissatisfied (不满意)");
		levels[4] = _("1 very dissatisfied (非常不满意)");
		tui_dialog_choice(d, _("The applicant's follow-up rating"),
		    levels, 5, followup_chosen);
		break;
	}
}

static void
supervise(struct tui_desk *d)
{
	static const char *choices[6];

	if ((d->role & NODE_ROLE_SUPERVISOR) == 0) {
		tui_desk_message(d, TUI_MSG_ERROR, "%s",
		    _("Only a supervisor may reassign a case or extend its "
		      "time limit."));
		return;
	}
	if (d->cv.get == NULL) {
		return;
	}
	{
		const char *const all[] = {
		    _("Reassign to another clerk or hall"),
		    _("Extend the time limit (Art. 42)"),
		    _("Bad rating: the callback"),
		    _("Bad rating: the rectification"),
		    _("Bad rating: the follow-up rating")};
		int n = 0, k = d->cv.get->case_get->callback_due != 0 ? 5 : 2;

		if (d->cv.get->case_get->case_->conflict) {
			choices[n++] = _("Settle the concurrent changes");
		}
		for (int i = 0; i < k; i++) {
			choices[n++] = all[i];
		}
		tui_dialog_choice(
		    d, _("Supervise"), choices, n, supervise_chosen);
	}
}

static bool
case_action(struct tui_desk *d, enum tui_action a)
{
	struct tui_caseview *cv = &d->cv;

	switch (a) {
	case TUI_ACT_NOTE:
		tui_dialog_prompt(d, _("A note on the case"),
		    _("The note (for colleagues, not the applicant):"), true,
		    500, note_given);
		return true;
	case TUI_ACT_ACT:
		choose_action(d);
		return true;
	case TUI_ACT_HISTORY:
		cv->show_history = !cv->show_history;
		if (cv->show_history) {
			tui_data_case_history(d);
		}
		return true;
	case TUI_ACT_RATE:
		rate(d);
		return true;
	case TUI_ACT_SUPERVISE:
		supervise(d);
		return true;
	case TUI_ACT_ACK:
		tui_data_case_ack(d);
		return true;
	case TUI_ACT_REFRESH:
		tui_data_case_open(d, cv->id, NULL);
		return true;
	case TUI_ACT_UP:
		cv->top = cv->top > 0 ? cv->top - 1 : 0;
		return true;
	case TUI_ACT_DOWN:
		cv->top++;
		return true;
	case TUI_ACT_PAGE_UP:
		cv->top = cv->top > 10 ? cv->top - 10 : 0;
		return true;
	case TUI_ACT_PAGE_DOWN:
		cv->top += 10;
		return true;
	case TUI_ACT_BACK:
		tui_desk_switch(
		    d, cv->back != NULL ? cv->back : &tui_view_home);
		return true;
	default:
		return false;
	}
}

/* ---- Drawing ----------------------------------------------------------- */

struct lines {
	WINDOW *w;
	int y, bottom, skip, cols;
};

static void line(struct lines *l, enum tui_style st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
line(struct lines *l, enum tui_style st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (l->skip > 0) {
		l->skip--;
		return;
	}
	if (l->y >= l->bottom) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tui_put(l->w, l->y++, 2, l->cols - 4, buf, true, st);
}

static const char *
day_str(int32_t day, char *buf)
{
	if (day <= 0) {
		return "-";
	}
	return cm_date_format(day, buf);
}

static const char *
level_text(uint32_t level)
{
	switch (level) {
	case 1:
		return _("[~] yellow");
	case 2:
		return _("[!] red");
	case 3:
		return _("[X] overdue");
	default:
		return _("on time");
	}
}

/* Spaces after s to fill w columns (at least one). */
static int
pad(const char *s, int w)
{
	int sw = (int)tui_str_width(s);

	return sw < w ? w - sw : 1;
}

/* A field's label and shown value (an option's label for a choice),
 * from the matter when the desk has it, else the raw key and value. */
static void
field_text(const struct form_matter *m, const char *key, const char *value,
    char *lab, size_t size, const char **shown)
{
	const struct form_field *f =
	    m != NULL ? form_matter_field(m, key) : NULL;
	bool zh = cm_i18n_is_zh();

	*shown = value;
	if (f == NULL) {
		snprintf(lab, size, "%s", key);
		return;
	}
	snprintf(lab, size, "%s", form_text_get(&f->label, zh));
	if (f->type == FORM_FT_ENUM) {
		for (size_t i = 0; i < f->noptions; i++) {
			if (strcmp(f->options[i].value, value) == 0) {
				*shown =
				    form_text_get(&f->options[i].label, zh);
			}
		}
	} else if (f->type == FORM_FT_BOOL) {
		*shown = strcmp(value, "yes") == 0  ? _("Yes")
		         : strcmp(value, "no") == 0 ? _("No")
		                                    : value;
	}
}

static const char *
material_name(const struct form_matter *m, const char *id)
{
	const struct form_material *mt =
	    m != NULL ? form_matter_material(m, id) : NULL;

	return mt != NULL ? form_text_get(&mt->name, cm_i18n_is_zh()) : id;
}

static const char *
op_kind_label(Ow__OpKind k)
{
	switch (k) {
	case OW__OP_KIND__OP_CASE_CREATE:
		return _("taken in");
	case OW__OP_KIND__OP_CASE_EDIT:
		return _("edited");
	case OW__OP_KIND__OP_CASE_ACT:
		return _("action");
	case OW__OP_KIND__OP_CASE_ASSIGN:
		return _("reassigned");
	case OW__OP_KIND__OP_CASE_NOTE:
		return _("note");
	case OW__OP_KIND__OP_CASE_RATE:
		return _("rated");
	case OW__OP_KIND__OP_CASE_EXTEND:
		return _("time limit extended");
	case OW__OP_KIND__OP_CASE_DELIVER:
		return _("delivered");
	case OW__OP_KIND__OP_CASE_REMEDY:
		return _("bad rating followed up");
	case OW__OP_KIND__OP_CASE_ACK:
		return _("taken over");
	case OW__OP_KIND__OP_CASE_SEAL:
		return _("history sealed");
	default:
		return "";
	}
}

static void
draw_history(struct tui_desk *d, struct lines *l)
{
	const Ow__CaseHistoryResp *h;

	line(l, TUI_S_HEADER, "%s", _("History"));
	if (d->cv.history == NULL ||
	    d->cv.history->body_case != OW__RESPONSE__BODY_CASE_HISTORY) {
		line(l, TUI_S_NORMAL, "  %s", _("Loading..."));
		return;
	}
	h = d->cv.history->case_history;
	if (h->compacted > 0) {
		line(l, TUI_S_INFO,
		    _n("  %llu earlier change is kept in the case itself "
		       "(sealed and compacted)",
		        "  %llu earlier changes are kept in the case itself "
		        "(sealed and compacted)",
		        h->compacted),
		    (unsigned long long)h->compacted);
	}
	for (size_t i = 0; i < h->n_entries; i++) {
		const Ow__HistoryEntry *e = h->entries[i];
		time_t t = (time_t)((e->hlc >> 16) / 1000);
		struct tm tm;
		char when[32] = "";

		if (localtime_r(&t, &tm) != NULL) {
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		}
		line(l, TUI_S_NORMAL, "  %s  %-10s %s %s  (%s #%llu)", when,
		    e->actor, op_kind_label(e->kind), e->summary, e->origin,
		    (unsigned long long)e->seq);
	}
}

/*
 * A flagged case: each hall's transitions and moves side by side, one
 * column per origin (at most three), from the history, so that the
 * supervisor sees what each hall did before settling it (F9).
 */
static void
draw_branches(struct tui_desk *d, struct lines *l)
{
	const Ow__CaseHistoryResp *h;
	const char *origins[3];
	size_t norigins = 0, rows[3] = {0}, most = 0;
	int colw;

	line(l, TUI_S_RED, "%s",
	    _("Concurrent changes: what each hall did (F9 settles it)"));
	if (d->cv.history == NULL ||
	    d->cv.history->body_case != OW__RESPONSE__BODY_CASE_HISTORY) {
		line(l, TUI_S_NORMAL, "  %s", _("Loading..."));
		return;
	}
	h = d->cv.history->case_history;
	for (size_t i = 0; i < h->n_entries; i++) {
		const Ow__HistoryEntry *e = h->entries[i];
		size_t k;

		if (e->kind != OW__OP_KIND__OP_CASE_ACT &&
		    e->kind != OW__OP_KIND__OP_CASE_ASSIGN) {
			continue;
		}
		for (k = 0; k < norigins; k++) {
			if (strcmp(origins[k], e->origin) == 0) {
				break;
			}
		}
		if (k == norigins && norigins < 3) {
			origins[norigins++] = e->origin;
		}
		if (k < 3) {
			rows[k]++;
			most = rows[k] > most ? rows[k] : most;
		}
	}
	if (norigins == 0) {
		return;
	}
	colw = (l->cols - 4) / (int)norigins;
	if (colw < 10) {
		colw = 10;
	}
	/* Row r of every column: the r-th transition of that origin. */
	for (size_t r = 0; r <= most; r++) {
		char row[1024] = "  ", cell[512], fitted[512];
		size_t used = 2;

		for (size_t k = 0; k < norigins; k++) {
			size_t seen = 0;

			cell[0] = '\0';
			if (r == 0) {
				snprintf(
				    cell, sizeof(cell), "[%s]", origins[k]);
			}
			for (size_t i = 0; r > 0 && i < h->n_entries; i++) {
				const Ow__HistoryEntry *e = h->entries[i];

				if ((e->kind != OW__OP_KIND__OP_CASE_ACT &&
				        e->kind !=
				            OW__OP_KIND__OP_CASE_ASSIGN) ||
				    strcmp(e->origin, origins[k]) != 0) {
					continue;
				}
				if (++seen == r) {
					snprintf(cell, sizeof(cell), "%s (%s)",
					    e->summary, e->actor);
					break;
				}
			}
			tui_fit(
			    cell, (size_t)colw - 1, 1, fitted, sizeof(fitted));
			used += (size_t)snprintf(row + used,
			    used < sizeof(row) ? sizeof(row) - used : 0, "%s ",
			    fitted);
		}
		line(l, r == 0 ? TUI_S_HEADER : TUI_S_NORMAL, "%s", row);
	}
}

/* A remediation step: done (its day, what, by whom), or its last day,
 * red once past. */
static void
remedy_line(struct lines *l, int32_t done, const char *done_label,
    const char *text, const char *by, const char *due_label, int32_t due,
    int32_t today)
{
	char day[16];

	if (done != 0) {
		line(l, TUI_S_NORMAL, "  %s %s  %s (%s)", done_label,
		    day_str(done, day), text, by);
	} else {
		line(l, today > due ? TUI_S_RED : TUI_S_NORMAL, "  %s %s",
		    due_label, day_str(due, day));
	}
}

static void
case_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	struct tui_caseview *cv = &d->cv;
	int rows = getmaxy(w), cols = getmaxx(w);
	const Ow__CaseGetResp *g;
	const Ow__Case *c;
	struct lines l = {w, 2, rows, cv->top, cols};
	char title[256], a[16], b[16];
	const struct form_matter *m;
	const char *value;
	int labw = 8;

	cur->win = NULL;
	if (cv->get == NULL || cv->get->case_get == NULL ||
	    cv->get->case_get->case_ == NULL) {
		tui_put(
		    w, 1, 2, cols - 4, _("Loading..."), false, TUI_S_NORMAL);
		return;
	}
	g = cv->get->case_get;
	c = g->case_;
	snprintf(title, sizeof(title), " %s %s  %s%s", _("Case"), c->id,
	    node_state_label((enum node_state)c->state),
	    c->conflict ? _("  (concurrent changes to settle)") : "");
	tui_put(w, 0, 0, cols, title, true, TUI_S_TITLE);
	if (c->conflict) {
		draw_branches(d, &l);
	}
	line(&l, TUI_S_HEADER, "%s %s  %s", _("Matter:"), c->matter,
	    tui_data_matter_name(d, c->matter));
	if (c->applicant != NULL) {
		line(&l, TUI_S_NORMAL, "%s %s  %s  %s", _("Applicant:"),
		    c->applicant->name, c->applicant->id_number,
		    c->applicant->mobile);
	}
	line(&l, TUI_S_NORMAL, "%s %s / %s   %s %s", _("Hall / clerk:"),
	    c->hall, c->assignee[0] != '\0' ? c->assignee : "-",
	    _("Taken in by:"), c->created_by);
	line(&l, TUI_S_NORMAL, "%s %s   %s %s", _("Received:"),
	    day_str(c->received_day, a), _("Accepted:"),
	    day_str(c->accepted_day, b));
	if (g->deadline != NULL) {
		const Ow__Deadline *dl = g->deadline;

		line(&l, TUI_S_NORMAL, "%s %s (%s: %d)   %s %s (%s: %d)",
		    _("Promised:"), day_str(dl->promised_due, a),
		    _("working days left"), dl->promised_left, _("Legal:"),
		    day_str(dl->legal_due, b), _("working days left"),
		    dl->legal_left);
		line(&l,
		    dl->level >= 2   ? TUI_S_RED
		    : dl->level == 1 ? TUI_S_YELLOW
		                     : TUI_S_NORMAL,
		    "%s %s%s", _("Deadline:"), level_text(dl->level),
		    dl->running_pause ? _("  (clock paused)") : "");
	}
	if (c->refusal_reason != NULL && c->refusal_reason[0] != '\0') {
		line(
		    &l, TUI_S_NORMAL, "%s %s", _("Reason:"), c->refusal_reason);
	}
	line(&l, TUI_S_NORMAL, "%s", "");
	m = tui_data_matter_of(d, c->matter, c->matter_version);
	line(&l, TUI_S_HEADER, "%s", _("Fields"));
	/* The labels' column: as wide as the widest, at most half. */
	for (size_t i = 0; i < c->n_fields; i++) {
		char lab[128];
		int lw;

		field_text(m, c->fields[i]->key, c->fields[i]->value, lab,
		    sizeof(lab), &value);
		lw = (int)tui_str_width(lab);
		labw = lw > labw ? lw : labw;
	}
	labw = labw > cols / 2 ? cols / 2 : labw;
	for (size_t i = 0; i < c->n_fields; i++) {
		char lab[128];

		field_text(m, c->fields[i]->key, c->fields[i]->value, lab,
		    sizeof(lab), &value);
		line(&l, TUI_S_NORMAL, "  %s%*s %s", lab, pad(lab, labw), "",
		    value);
	}
	line(&l, TUI_S_HEADER, "%s", _("Materials handed in"));
	for (size_t i = 0; i < c->n_materials; i++) {
		line(&l, TUI_S_NORMAL, "  [x] %s",
		    material_name(m, c->materials[i]));
	}
	for (size_t i = 0; i < c->n_materials_due; i++) {
		char id[64];
		const char *eq = strchr(c->materials_due[i], '=');

		snprintf(id, sizeof(id), "%.*s",
		    eq != NULL ? (int)(eq - c->materials_due[i]) : 63,
		    c->materials_due[i]);
		line(&l, TUI_S_NORMAL, "  [ ] %s (%s %s)", material_name(m, id),
		    _("to follow by"), eq != NULL ? eq + 1 : "");
	}
	if (c->n_notes > 0) {
		line(&l, TUI_S_HEADER, "%s", _("Notes"));
		for (size_t i = 0; i < c->n_notes; i++) {
			line(&l, TUI_S_NORMAL, "  %s: %s", c->notes[i]->actor,
			    c->notes[i]->text);
		}
	}
	if (c->rating != NULL && c->rating->level > 0) {
		line(&l, TUI_S_NORMAL, "%s %u/5 %s", _("Rating:"),
		    c->rating->level, c->rating->comment);
	}
	if (g->callback_due != 0) {
		const Ow__Remediation *rm = c->remedy;
		int32_t today = tui_data_today();

		line(&l, TUI_S_HEADER, "%s", _("Bad rating: remediation"));
		remedy_line(&l, rm != NULL ? rm->callback_day : 0,
		    _("Called back:"), rm != NULL ? rm->callback : "",
		    rm != NULL ? rm->callback_by : "", _("Call back by:"),
		    g->callback_due, today);
		remedy_line(&l, rm != NULL ? rm->rectified_day : 0,
		    _("Rectified:"), rm != NULL ? rm->outcome : "",
		    rm != NULL ? rm->rectified_by : "", _("Rectify by:"),
		    g->rectify_due, today);
		if (rm != NULL && rm->followup_level != 0) {
			line(&l, TUI_S_NORMAL, "  %s %s  %u/5",
			    _("Follow-up rating:"),
			    day_str(rm->followup_day, a), rm->followup_level);
		} else {
			line(&l, TUI_S_NORMAL, "  %s",
			    _("Follow-up rating: not yet (F9)"));
		}
	}
	if (strcmp(c->assignee, d->user) == 0 && node_case_awaiting_ack(c)) {
		line(&l, TUI_S_INFO, "%s",
		    _("Moved to you: F3 takes it over (the supervisor sees "
		      "that you have it)."));
	} else if (c->ack_by[0] != '\0' && !node_case_awaiting_ack(c)) {
		line(&l, TUI_S_NORMAL, "%s %s", _("Taken over by:"), c->ack_by);
	}
	if (c->delivery != NULL && c->delivery->method > 0) {
		line(&l, TUI_S_NORMAL, "%s %s %s", _("Delivered:"),
		    c->delivery->method == 2 ? _("by post")
		                             : _("at a hall window"),
		    c->delivery->tracking);
	}
	if (cv->show_history) {
		line(&l, TUI_S_NORMAL, "%s", "");
		draw_history(d, &l);
	}
	if (g->n_allowed_actions > 0) {
		char acts[512] = "";
		size_t used = 0;

		for (size_t i = 0; i < g->n_allowed_actions; i++) {
			used += (size_t)snprintf(acts + used,
			    used < sizeof(acts) ? sizeof(acts) - used : 0,
			    "%s%s", i > 0 ? ", " : "",
			    action_label(g->allowed_actions[i]));
			if (used >= sizeof(acts)) {
				break;
			}
		}
		tui_put(w, rows - 1, 2, cols - 4, acts, true, TUI_S_INFO);
	}
}

const struct tui_view_ops tui_view_case = {
    .name = "case",
    .keys = &case_map,
    .enter = NULL,
    .leave = NULL,
    .draw = case_draw,
    .action = case_action,
    .key = NULL,
    .typing = NULL,
    .unsaved = NULL,
    .help_intro = N_("A case of any hall: its data, deadline and history, "
                     "and what you may do with it."),
    .help_more = NULL,
};
