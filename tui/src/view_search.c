/*
 * view_search.c: finding cases of any hall by case id, ID number, phone,
 * name, state, matter or acceptance date. Tab (or F3) changes what is
 * searched by, Enter searches, the results list takes the focus; Enter on
 * a result opens it. ID numbers are masked in the list (the node masks
 * them); the case itself shows them in full.
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "node/workflow.h"
#include "tui/width.h"

static const struct {
	const char *by;    /* the node's CaseSearchReq.by */
	const char *label; /* N_() */
	enum tui_filter filter;
} kinds[] = {
    {"id", N_("Case id"), TUI_FILTER_ANY},
    {"applicant", N_("ID number or USCC"), TUI_FILTER_CODE},
    {"phone", N_("Phone"), TUI_FILTER_DIGITS},
    {"name", N_("Name (start)"), TUI_FILTER_ANY},
    {"state", N_("State"), TUI_FILTER_ANY},
    {"matter", N_("Matter code"), TUI_FILTER_CODE},
    {"date", N_("Accepted on (YYYY-MM-DD)"), TUI_FILTER_DATE},
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

static const struct tui_bind search_binds[] = {
    {TUI_KC_ENTER, TUI_ACT_SUBMIT, NULL,
        N_("Search; on a result: open the case"), 0},
    {TUI_KC_F(3), TUI_ACT_TOGGLE, N_("By"), N_("Search by something else"), 0},
    {TUI_KC_TAB, TUI_ACT_NEXT_FIELD, NULL,
        N_("Between the search and the results"), 0},
    {TUI_KC_BACKTAB, TUI_ACT_PREV_FIELD, NULL, NULL, 0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Previous result"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, N_("Next result"), 0},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"), N_("Back to the home screen"), 0},
};
static const struct tui_keymap search_map = TUI_KEYMAP(search_binds);

static void
reset_value(struct tui_desk *d)
{
	struct tui_search *s = &d->search;

	tui_editor_free(&s->value);
	if (tui_editor_init(&s->value, NULL, 60, kinds[s->by].filter, false) !=
	    0) {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
	}
}

static void
search_enter(struct tui_desk *d)
{
	struct tui_search *s = &d->search;

	if (s->value.cap == 0) {
		reset_value(d);
	}
	s->focus = s->results.n > 0 && s->searched ? s->focus : 0;
}

static void
run(struct tui_desk *d)
{
	struct tui_search *s = &d->search;
	char *v = tui_editor_value(&s->value);

	if (v == NULL) {
		return;
	}
	if (v[0] == '\0') {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", _("Type what to search for."));
	} else if (!s->busy) {
		tui_data_search(d, kinds[s->by].by, v);
	}
	cm_free(v);
}

static bool
search_action(struct tui_desk *d, enum tui_action a)
{
	struct tui_search *s = &d->search;
	struct tui_case_list *l = &s->results;

	switch (a) {
	case TUI_ACT_SUBMIT:
		if (s->focus == 1 && l->n > 0) {
			tui_data_case_open(
			    d, l->rows[l->sel].id, &tui_view_search);
		} else {
			run(d);
		}
		return true;
	case TUI_ACT_TOGGLE:
		s->by = (s->by + 1) % NKINDS;
		reset_value(d);
		s->focus = 0;
		return true;
	case TUI_ACT_NEXT_FIELD:
	case TUI_ACT_PREV_FIELD:
		s->focus = s->focus == 0 && l->n > 0 ? 1 : 0;
		return true;
	case TUI_ACT_UP:
		if (s->focus == 1 && l->sel > 0) {
			l->sel--;
		}
		return true;
	case TUI_ACT_DOWN:
		if (s->focus == 1 && l->sel + 1 < l->n) {
			l->sel++;
		} else if (s->focus == 0 && l->n > 0) {
			s->focus = 1;
		}
		return true;
	case TUI_ACT_BACK:
		tui_desk_switch(d, &tui_view_home);
		return true;
	default:
		return false;
	}
}

static bool
search_key(struct tui_desk *d, int key)
{
	struct tui_search *s = &d->search;
	enum tui_edit_result r;
	bool handled;

	if (s->focus != 0) {
		return false;
	}
	r = tui_field_key(&s->value, key, false, &handled);
	if (!handled) {
		return false;
	}
	return r != TUI_EDIT_REFUSED;
}

static bool
search_typing(const struct tui_desk *d)
{
	return d->search.focus == 0;
}

static void
search_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	struct tui_search *s = &d->search;
	struct tui_case_list *l = &s->results;
	int rows = getmaxy(w), cols = getmaxx(w), x, visible;
	char buf[4 * 64 + 1];
	size_t col;

	tui_put(
	    w, 0, 0, cols, _(" Search cases (any hall)"), true, TUI_S_TITLE);
	x = 2 +
	    tui_put(w, 2, 2, 30, _(kinds[s->by].label), false, TUI_S_HEADER);
	x += tui_put(w, 2, x, 2, ": ", false, TUI_S_HEADER);
	col = tui_editor_layout(&s->value, 40, buf, sizeof(buf));
	tui_put(w, 2, x, 40, buf, true,
	    s->focus == 0 ? TUI_S_FIELD_FOCUS : TUI_S_FIELD);
	if (s->focus == 0) {
		cur->win = w;
		cur->y = 2;
		cur->x = x + (int)col;
	}
	tui_put(w, 3, 2, cols - 4, _("F3: search by something else."), true,
	    TUI_S_NORMAL);
	tui_box(w, 4, 0, rows - 4, cols, _("Results"));
	if (s->busy) {
		tui_put(w, 5, 2, cols - 4, _("Searching..."), true, TUI_S_INFO);
		return;
	}
	if (!s->searched) {
		return;
	}
	if (l->n == 0) {
		tui_put(w, 5, 2, cols - 4, _("No case matches."), true,
		    TUI_S_NORMAL);
		return;
	}
	visible = rows - 6;
	if (l->sel < l->top) {
		l->top = l->sel;
	}
	if (visible > 0 && l->sel >= l->top + (size_t)visible) {
		l->top = l->sel - (size_t)visible + 1;
	}
	for (int i = 0; i < visible && l->top + (size_t)i < l->n; i++) {
		size_t k = l->top + (size_t)i;
		const struct tui_case_row *r = &l->rows[k];
		bool sel = k == l->sel && s->focus == 1;
		enum tui_style st = sel ? TUI_S_SELECTED : TUI_S_NORMAL;
		int cx = 2;

		cx += tui_put(w, 5 + i, cx, 2, sel ? "> " : "  ", false, st);
		cx += tui_put(w, 5 + i, cx, 23, r->id, true, st);
		cx += tui_put(w, 5 + i, cx, 15,
		    node_state_label((enum node_state)r->state), true, st);
		cx += tui_put(w, 5 + i, cx, 21, r->applicant, true, st);
		tui_put(w, 5 + i, cx, cols - cx - 2,
		    tui_data_matter_name(d, r->matter), true, st);
		if (sel) {
			cur->win = w;
			cur->y = 5 + i;
			cur->x = 2;
		}
	}
}

const struct tui_view_ops tui_view_search = {
    .name = "search",
    .keys = &search_map,
    .enter = search_enter,
    .leave = NULL,
    .draw = search_draw,
    .action = search_action,
    .key = search_key,
    .typing = search_typing,
    .unsaved = NULL,
    .help_intro = N_("Search the cases of every hall; Enter on a result "
                     "opens it."),
    .help_more = NULL,
};
