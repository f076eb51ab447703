/*
 * view_matter.c: picking the matter of a new case. The clerk types its
 * code or any part of its name (in either language); the list narrows as
 * they type; Enter fetches the matter's form from the node and opens it.
 */
#include "desk.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "tui/width.h"

static const struct tui_bind matter_binds[] = {
    {TUI_KC_ENTER, TUI_ACT_SUBMIT, NULL, N_("Open the form of the matter"), 0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Previous matter"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, N_("Next matter"), 0},
    {TUI_KC_PGUP, TUI_ACT_PAGE_UP, NULL, NULL, 0},
    {TUI_KC_PGDN, TUI_ACT_PAGE_DOWN, NULL, NULL, 0},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"), N_("Back to the home screen"), 0},
};
static const struct tui_keymap matter_map = TUI_KEYMAP(matter_binds);

/* Case-folded substring for Latin letters; bytes otherwise. */
static bool
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (hay == NULL) {
		return false;
	}
	for (const char *p = hay; *p != '\0'; p++) {
		size_t i = 0;

		while (i < n && p[i] != '\0' &&
		       tolower((unsigned char)p[i]) ==
		           tolower((unsigned char)needle[i])) {
			i++;
		}
		if (i == n) {
			return true;
		}
	}
	return n == 0;
}

static void
refilter(struct tui_desk *d)
{
	struct tui_picker *p = &d->picker;
	char *q = tui_editor_value(&p->filter);

	cm_free(p->hits);
	p->hits = cm_calloc(d->nmatters + 1, sizeof(*p->hits));
	p->nhits = 0;
	if (q == NULL || p->hits == NULL) {
		cm_free(q);
		return;
	}
	for (size_t i = 0; i < d->nmatters; i++) {
		const struct tui_matter *m = &d->matters[i];

		if (strncasecmp(m->code, q, strlen(q)) == 0 ||
		    contains(m->name, q) || contains(m->alt, q)) {
			p->hits[p->nhits++] = i;
		}
	}
	if (p->sel >= p->nhits) {
		p->sel = p->nhits > 0 ? p->nhits - 1 : 0;
	}
	cm_free(q);
}

static void
matter_enter(struct tui_desk *d)
{
	struct tui_picker *p = &d->picker;

	/* Each new case starts from the whole catalog. */
	tui_editor_free(&p->filter);
	p->sel = p->top = 0;
	p->loading = false;
	if (tui_editor_init(&p->filter, NULL, 40, TUI_FILTER_ANY, false) != 0) {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
	}
	if (d->nmatters == 0) {
		tui_data_refresh(d, TUI_REFRESH_CATALOG);
	}
	refilter(d);
}

static bool
matter_action(struct tui_desk *d, enum tui_action a)
{
	struct tui_picker *p = &d->picker;

	if (d->nmatters > 0 && p->hits == NULL) {
		refilter(d);
	}
	switch (a) {
	case TUI_ACT_SUBMIT:
		if (p->nhits == 0 || p->loading) {
			beep();
			return true;
		}
		tui_data_matter_open(d, d->matters[p->hits[p->sel]].code);
		return true;
	case TUI_ACT_UP:
		if (p->sel > 0) {
			p->sel--;
		}
		return true;
	case TUI_ACT_DOWN:
		if (p->sel + 1 < p->nhits) {
			p->sel++;
		}
		return true;
	case TUI_ACT_PAGE_UP:
		p->sel = p->sel > 10 ? p->sel - 10 : 0;
		return true;
	case TUI_ACT_PAGE_DOWN:
		p->sel = p->sel + 10 < p->nhits ? p->sel + 10
		         : p->nhits > 0         ? p->nhits - 1
		                                : 0;
		return true;
	case TUI_ACT_BACK:
		tui_desk_switch(d, &tui_view_home);
		return true;
	default:
		return false;
	}
}

static bool
matter_key(struct tui_desk *d, int key)
{
	struct tui_picker *p = &d->picker;
	enum tui_edit_result r;
	bool handled;

	r = tui_field_key(&p->filter, key, false, &handled);
	if (!handled) {
		return false;
	}
	if (r == TUI_EDIT_REFUSED) {
		return false;
	}
	p->sel = 0;
	refilter(d);
	return true;
}

static void
matter_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	struct tui_picker *p = &d->picker;
	int rows = getmaxy(w), cols = getmaxx(w), visible;
	char buf[4 * 64 + 1];
	const char *label = _("Matter code or name: ");
	int lw;
	size_t col;

	if (d->nmatters > 0 && p->hits == NULL) {
		refilter(d);
	}
	tui_put(w, 0, 0, cols, _(" New case: choose the matter"), true,
	    TUI_S_TITLE);
	lw = tui_put(w, 2, 2, cols - 4, label, false, TUI_S_HEADER);
	col = tui_editor_layout(&p->filter, 40, buf, sizeof(buf));
	tui_put(w, 2, 2 + lw, 40, buf, true, TUI_S_FIELD_FOCUS);
	cur->win = w;
	cur->y = 2;
	cur->x = 2 + lw + (int)col;
	tui_box(w, 4, 0, rows - 4, cols, _("Matters"));
	visible = rows - 6;
	if (p->loading) {
		tui_put(w, 3, 2, cols - 4, _("Opening the form..."), true,
		    TUI_S_INFO);
	}
	if (d->nmatters == 0) {
		tui_put(
		    w, 5, 2, cols - 4, _("Loading..."), false, TUI_S_NORMAL);
		return;
	}
	if (p->nhits == 0) {
		tui_put(w, 5, 2, cols - 4,
		    _("No matter matches; Backspace to widen the search."),
		    false, TUI_S_NORMAL);
		return;
	}
	if (p->sel < p->top) {
		p->top = p->sel;
	}
	if (visible > 0 && p->sel >= p->top + (size_t)visible) {
		p->top = p->sel - (size_t)visible + 1;
	}
	for (int i = 0; i < visible && p->top + (size_t)i < p->nhits; i++) {
		size_t k = p->top + (size_t)i;
		const struct tui_matter *m = &d->matters[p->hits[k]];
		bool sel = k == p->sel;
		enum tui_style st = sel ? TUI_S_SELECTED : TUI_S_NORMAL;
		int x = 2;

		x += tui_put(w, 5 + i, x, 2, sel ? "> " : "  ", false, st);
		x += tui_put(w, 5 + i, x, 12, m->code, true, st);
		tui_put(w, 5 + i, x, cols - x - 2, m->name, true, st);
	}
}

static bool
matter_typing(const struct tui_desk *d)
{
	(void)d;
	return true;
}

const struct tui_view_ops tui_view_matter = {
    .name = "matter",
    .keys = &matter_map,
    .enter = matter_enter,
    .leave = NULL,
    .draw = matter_draw,
    .action = matter_action,
    .key = matter_key,
    .typing = matter_typing,
    .unsaved = NULL,
    .help_intro = N_("Type the matter's code or part of its name, then "
                     "Enter to open its form."),
    .help_more = NULL,
};
