/*
 * view_form.c: taking in a case. The applicant's ID number first (the
 * register is asked when the clerk leaves it, and what the applicant gave
 * before fills the form: 最多跑一次), then the matter's fields, then the
 * materials handed in, ticked with Space. The bottom lines say what is
 * wrong with the focused field and what the materials come to: complete,
 * acceptable with gaps (容缺) or incomplete (the one-time notice).
 *
 * F2 checks the whole form (the forms library, as the node does), jumps
 * to the first problem or asks to confirm the outcome, and sends the case;
 * F8 refuses with a reason. The form lives in d->intake, not in the
 * screen: a lock, a resize or a look at the help keeps every character.
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "tui/draft.h"
#include "tui/width.h"

static const struct tui_bind form_binds[] = {
    {TUI_KC_F(2), TUI_ACT_SUBMIT, N_("Accept"),
        N_("Check the form and take the case in (or issue the one-time "
           "notice)"),
        0},
    {TUI_KC_F(4), TUI_ACT_LOOKUP, N_("Lookup"),
        N_("Look the applicant up again and fill in empty fields"), 0},
    {TUI_KC_F(5), TUI_ACT_HISTORY, N_("Cases"),
        N_("The applicant's earlier cases (open one; the form waits)"), 0},
    {TUI_KC_F(8), TUI_ACT_REFUSE, N_("Refuse"),
        N_("Refuse the application, with a reason"), 0},
    {TUI_KC_TAB, TUI_ACT_NEXT_FIELD, NULL, N_("Next field"), 0},
    {TUI_KC_ENTER, TUI_ACT_NEXT_FIELD, NULL, NULL, 0},
    {TUI_KC_DOWN, TUI_ACT_NEXT_FIELD, NULL, NULL, 0},
    {TUI_KC_BACKTAB, TUI_ACT_PREV_FIELD, NULL, N_("Previous field"), 0},
    {TUI_KC_UP, TUI_ACT_PREV_FIELD, NULL, NULL, 0},
    {TUI_KC_PGDN, TUI_ACT_PAGE_DOWN, NULL, N_("Ten fields on"), 0},
    {TUI_KC_PGUP, TUI_ACT_PAGE_UP, NULL, N_("Ten fields back"), 0},
    {' ', TUI_ACT_TOGGLE, NULL,
        N_("Tick a material; change a choice (also Left/Right, or its "
           "number)"),
        TUI_BIND_NOT_TYPING},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"),
        N_("Undo the changes to this field; again: leave the form"), 0},
};
static const struct tui_keymap form_map = TUI_KEYMAP(form_binds);

/* ---- Life -------------------------------------------------------------- */

static void refocus(struct tui_form *fm);

void
tui_intake_start(struct tui_desk *d, struct form_matter *m)
{
	struct tui_intake *in = &d->intake;

	tui_intake_end(d);
	if (tui_form_init(&in->form, m, cm_i18n_is_zh(), tui_data_today()) !=
	    0) {
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
		return;
	}
	in->active = true;
	snprintf(in->ticket, sizeof(in->ticket), "%s", d->ticket);
	if (d->draft.restore) {
		char ticket[16];
		int rc = tui_draft_apply(
		    &in->form, d->draft.path, ticket, sizeof(ticket));

		d->draft.restore = false;
		d->draft.found = false;
		if (rc == 0) {
			if (ticket[0] != '\0') {
				snprintf(in->ticket, sizeof(in->ticket), "%s",
				    ticket);
			}
			in->changes = in->saved = 1;
			refocus(&in->form);
			tui_desk_message(d, TUI_MSG_INFO, "%s",
			    _("The unfinished form is back as it was left."));
		} else {
			tui_desk_message(d, TUI_MSG_ERROR,
			    _("The unfinished form could not be read: %s"),
			    cm_strerror(rc));
		}
	}
	tui_desk_switch(d, &tui_view_form);
}

void
tui_intake_draft_find(struct tui_desk *d)
{
	struct tui_draft *dr = &d->draft;
	int rc;

	dr->found = false;
	if (d->intake.active ||
	    tui_draft_path(d->user, dr->path, sizeof(dr->path)) != 0) {
		return;
	}
	rc = tui_draft_peek(dr->path, dr->code, sizeof(dr->code));
	if (rc == 0) {
		dr->found = true;
		tui_desk_message(d, TUI_MSG_INFO,
		    _("An unfinished form (%s) was kept: F3 continues it."),
		    dr->code);
	} else if (rc != CM_ENOTFOUND) {
		tui_desk_message(d, TUI_MSG_ERROR,
		    _("The unfinished form could not be read: %s"),
		    cm_strerror(rc));
	}
}

void
tui_intake_draft_tick(struct tui_desk *d)
{
	struct tui_intake *in = &d->intake;
	int rc;

	if (!in->active || in->changes == in->saved || d->user[0] == '\0') {
		return;
	}
	if (tui_draft_path(d->user, d->draft.path, sizeof(d->draft.path)) !=
	    0) {
		return;
	}
	rc = tui_draft_save(&in->form, in->ticket, d->draft.path);
	if (rc != 0) {
		tui_desk_message(d, TUI_MSG_ERROR,
		    _("The form could not be kept on this machine: %s"),
		    cm_strerror(rc));
	}
	/* Not again until the next change, even after a failure: the
	 * message says it once. */
	in->saved = in->changes;
}

void
tui_intake_draft_drop(struct tui_desk *d)
{
	if (d->user[0] == '\0' || tui_draft_path(d->user, d->draft.path,
	                              sizeof(d->draft.path)) != 0) {
		return;
	}
	tui_draft_remove(d->draft.path);
	d->draft.found = false;
}

void
tui_intake_end(struct tui_desk *d)
{
	struct tui_intake *in = &d->intake;

	if (in->active) {
		tui_form_free(&in->form);
	}
	memset(in, 0, sizeof(*in));
}

/* The editor of the focused row gets the value it holds now as the one
 * Esc goes back to. */
static void
refocus(struct tui_form *fm)
{
	struct tui_editor *e = tui_form_editor(fm, tui_form_focus(fm));
	struct tui_editor fresh;
	char *v;

	if (e == NULL) {
		return;
	}
	v = tui_editor_value(e);
	if (v == NULL) {
		return;
	}
	if (tui_editor_init(&fresh, v, e->max_chars, e->filter, e->autoskip) ==
	    0) {
		tui_editor_free(e);
		*e = fresh;
	}
	cm_free(v);
}

/* Leaving the applicant's row with a whole ID: ask the register. */
static void
maybe_lookup(struct tui_desk *d, bool force)
{
	struct tui_form *fm = &d->intake.form;
	char *id;

	if (fm->applicant.len != 18 || fm->problem[fm->m->nfields][0] != '\0') {
		return;
	}
	id = tui_editor_value(&fm->applicant);
	if (id == NULL) {
		return;
	}
	if (force || strcmp(id, fm->looked_up) != 0) {
		snprintf(fm->looked_up, sizeof(fm->looked_up), "%s", id);
		d->intake.looked_up = false;
		tui_data_applicant(d, id);
	}
	cm_free(id);
}

static void
move_focus(struct tui_desk *d, int delta)
{
	struct tui_form *fm = &d->intake.form;
	bool was_applicant = tui_form_focus(fm).kind == TUI_ROW_APPLICANT;

	tui_form_move(fm, delta);
	if (was_applicant) {
		maybe_lookup(d, false);
	}
	refocus(fm);
}

/* ---- Submitting -------------------------------------------------------- */

static void
confirmed_create(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	(void)text;
	if (ok && d->intake.active && !d->intake.busy) {
		tui_data_case_create(d, NULL);
	}
}

static char refusal_reason[1024];

static void
confirmed_refuse(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	(void)text;
	if (ok && d->intake.active && !d->intake.busy) {
		tui_data_case_create(d, refusal_reason);
	}
}

static void
refuse_reason_given(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	if (!ok) {
		return;
	}
	snprintf(refusal_reason, sizeof(refusal_reason), "%s", text);
	tui_dialog_confirm(d, _("Refuse the application?"),
	    _("The applicant gets a written refusal with this reason."),
	    confirmed_refuse);
}

static void
refuse(struct tui_desk *d)
{
	struct tui_form *fm = &d->intake.form;

	if (fm->applicant.len == 0) {
		tui_form_focus_row(fm, (struct tui_row){TUI_ROW_APPLICANT, 0});
		tui_desk_message(d, TUI_MSG_ERROR, "%s",
		    _("Enter the applicant's ID number first: the refusal is "
		      "written to them."));
		return;
	}
	tui_dialog_prompt(d, _("Refuse the application"),
	    _("The reason (the legal ground), as the notice will say it:"),
	    true, 200, refuse_reason_given);
}

static void
submit(struct tui_desk *d)
{
	struct tui_form *fm = &d->intake.form;
	struct tui_row first;
	struct form_mat_result res;
	char text[TUI_MSG_MAX];
	int n;

	if (d->intake.busy) {
		return;
	}
	n = tui_form_check(fm, true, &first);
	if (n < 0) {
		tui_desk_message(d, TUI_MSG_ERROR, "%s", cm_strerror(n));
		return;
	}
	if (n > 0) {
		tui_form_focus_row(fm, first);
		refocus(fm);
		tui_desk_message(d, TUI_MSG_ERROR,
		    _n("%d problem in the form: the cursor is on the first.",
		        "%d problems in the form: the cursor is on the first.",
		        n),
		    n);
		return;
	}
	form_mat_result_init(&res);
	if (tui_form_outcome(fm, &res) != 0) {
		form_mat_result_free(&res);
		tui_desk_message(
		    d, TUI_MSG_ERROR, "%s", cm_strerror(CM_ENOMEM));
		return;
	}
	switch (res.outcome) {
	case FORM_MAT_COMPLETE:
		snprintf(text, sizeof(text), "%s",
		    _("The materials are complete: accept the case?"));
		break;
	case FORM_MAT_GAPS:
		snprintf(text, sizeof(text),
		    _n("%zu secondary material is missing: accept with gaps "
		       "(容缺)?",
		        "%zu secondary materials are missing: accept with "
		        "gaps (容缺)?",
		        res.nmissing),
		    res.nmissing);
		break;
	default:
		snprintf(text, sizeof(text),
		    _n("%zu material is missing: issue the one-time notice?",
		        "%zu materials are missing: issue the one-time notice?",
		        res.nmissing),
		    res.nmissing);
		break;
	}
	form_mat_result_free(&res);
	tui_dialog_confirm(d, _("Take the case in"), text, confirmed_create);
}

void
tui_intake_failed(
    struct tui_desk *d, const Ow__Response *resp, const char *error)
{
	struct tui_form *fm = &d->intake.form;
	bool zh = cm_i18n_is_zh();

	if (!d->intake.active) {
		return;
	}
	tui_desk_message(d, TUI_MSG_ERROR, "%s", error);
	if (resp == NULL || resp->n_problems == 0) {
		return;
	}
	/* The node's report: its messages are in the node's language, so
	 * the desk renders them again from the codes where it can. */
	for (size_t i = 0; i < resp->n_problems; i++) {
		const Ow__Problem *p = resp->problems[i];
		struct form_problem fp;
		char msg[TUI_FORM_MSG_MAX];

		memset(&fp, 0, sizeof(fp));
		snprintf(fp.field, sizeof(fp.field), "%s", p->field);
		snprintf(fp.a, sizeof(fp.a), "%s", p->a);
		snprintf(fp.other, sizeof(fp.other), "%s", p->other);
		fp.code = FORM_P__COUNT;
		for (int k = 1; k < FORM_P__COUNT; k++) {
			if (strcmp(form_pcode_name((enum form_pcode)k),
			        p->code) == 0) {
				fp.code = (enum form_pcode)k;
			}
		}
		if (fp.code != FORM_P__COUNT) {
			form_problem_message(&fp, fm->m, zh, msg, sizeof(msg));
		} else {
			snprintf(msg, sizeof(msg), "%s", p->message);
		}
		tui_form_set_problem(fm, p->field, msg, p->severity != 2);
	}
}

/* ---- The applicant's earlier cases ------------------------------------- */

static void
known_chosen(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)text;
	if (ok && choice >= 0 && (size_t)choice < d->intake.nknown) {
		/* The form stays as it is: Esc from the case, F3 at home. */
		tui_data_case_open(
		    d, d->intake.known_id[choice], &tui_view_form);
	}
}

static void
show_known(struct tui_desk *d)
{
	const char *lines[TUI_KNOWN_MAX];
	struct tui_intake *in = &d->intake;

	if (!in->looked_up || in->nknown == 0) {
		tui_desk_message(d, TUI_MSG_INFO, "%s",
		    _("No earlier case of this applicant."));
		return;
	}
	for (size_t i = 0; i < in->nknown; i++) {
		lines[i] = in->known[i];
	}
	tui_dialog_choice(d, _("The applicant's earlier cases"), lines,
	    (int)in->nknown, known_chosen);
}

/* ---- Keys -------------------------------------------------------------- */

static void
confirmed_leave(struct tui_desk *d, bool ok, int choice, const char *text)
{
	(void)choice;
	(void)text;
	if (ok) {
		tui_intake_draft_drop(d);
		tui_intake_end(d);
		tui_desk_switch(d, &tui_view_home);
	}
}

static void
back(struct tui_desk *d)
{
	struct tui_form *fm = &d->intake.form;
	struct tui_editor *e = tui_form_editor(fm, tui_form_focus(fm));

	if (e != NULL && e->dirty) {
		tui_editor_key(e, TUI_KEY_REVERT);
		tui_form_touched(fm);
		return;
	}
	if (!fm->dirty) {
		confirmed_leave(d, true, 0, NULL);
		return;
	}
	tui_dialog_confirm(d, _("Leave the form?"),
	    _("What was typed in this form will be lost."), confirmed_leave);
}

static bool
form_action(struct tui_desk *d, enum tui_action a)
{
	struct tui_form *fm = &d->intake.form;

	if (!d->intake.active) {
		return false;
	}
	d->intake.changes++;
	switch (a) {
	case TUI_ACT_SUBMIT:
		submit(d);
		return true;
	case TUI_ACT_REFUSE:
		refuse(d);
		return true;
	case TUI_ACT_HISTORY:
		show_known(d);
		return true;
	case TUI_ACT_LOOKUP:
		tui_form_check(fm, false, NULL);
		if (fm->applicant.len != 18 ||
		    fm->problem[fm->m->nfields][0] != '\0') {
			tui_desk_message(d, TUI_MSG_ERROR, "%s",
			    _("Enter a valid ID number to look the applicant "
			      "up."));
			return true;
		}
		maybe_lookup(d, true);
		return true;
	case TUI_ACT_NEXT_FIELD:
		move_focus(d, 1);
		return true;
	case TUI_ACT_PREV_FIELD:
		move_focus(d, -1);
		return true;
	case TUI_ACT_PAGE_DOWN:
		move_focus(d, 10);
		return true;
	case TUI_ACT_PAGE_UP:
		move_focus(d, -10);
		return true;
	case TUI_ACT_TOGGLE:
		if (!tui_form_cycle(fm, 1)) {
			beep();
		}
		return true;
	case TUI_ACT_BACK:
		back(d);
		return true;
	default:
		return false;
	}
}

static bool
form_key(struct tui_desk *d, int key)
{
	struct tui_form *fm = &d->intake.form;
	struct tui_row r;
	struct tui_editor *e;
	enum tui_edit_result res;
	bool handled;

	if (!d->intake.active || d->intake.busy) {
		return false;
	}
	d->intake.changes++;
	r = tui_form_focus(fm);
	e = tui_form_editor(fm, r);
	if (e == NULL) {
		/* A choice or a material. */
		if (key == TUI_KC_LEFT) {
			return tui_form_cycle(fm, -1);
		}
		if (key == TUI_KC_RIGHT) {
			return tui_form_cycle(fm, 1);
		}
		if (key >= '1' && key <= '9') {
			return tui_form_set_choice(fm, key - '1');
		}
		return false;
	}
	res = tui_field_key(e, key, false, &handled);
	if (!handled || res == TUI_EDIT_REFUSED) {
		return false;
	}
	tui_form_touched(fm);
	if (res == TUI_EDIT_FULL) {
		move_focus(d, 1); /* autoskip */
	}
	return true;
}

static bool
form_typing(const struct tui_desk *d)
{
	const struct tui_form *fm = &d->intake.form;
	struct tui_row r;

	if (!d->intake.active) {
		return false;
	}
	r = tui_form_focus(fm);
	return r.kind == TUI_ROW_APPLICANT ||
	       (r.kind == TUI_ROW_FIELD &&
	           !tui_form_is_choice(&fm->m->fields[r.index]));
}

static bool
form_unsaved(const struct tui_desk *d)
{
	return d->intake.active && d->intake.form.dirty;
}

/* ---- Drawing ----------------------------------------------------------- */

static const char *
material_forms(const struct form_material *mt)
{
	if (mt->forms & FORM_MF_ORIGINAL) {
		return (mt->forms & FORM_MF_COPY) ? _("original or copy")
		                                  : _("original");
	}
	if (mt->forms & FORM_MF_COPY) {
		return _("copy");
	}
	return _("e-licence");
}

static void
draw_row(struct tui_desk *d, WINDOW *w, int y, size_t i, int labw, int valw,
    struct tui_cursor *cur)
{
	struct tui_form *fm = &d->intake.form;
	struct tui_row r = fm->rows[i];
	bool focus = i == fm->focus;
	enum tui_style st = focus ? TUI_S_FIELD_FOCUS : TUI_S_FIELD;
	int x = 2;
	char buf[4 * 128 + 1];
	const char *label;
	bool required = false, problem = false;

	if (r.kind == TUI_ROW_MATERIAL) {
		const struct form_material *mt = &fm->m->materials[r.index];
		char line[512];

		snprintf(line, sizeof(line), "[%s] %s (%s%s)%s",
		    fm->handed[r.index] ? "x" : " ",
		    form_text_get(&mt->name, fm->zh), material_forms(mt),
		    mt->secondary ? _(", may follow later") : "",
		    mt->need == FORM_NEED_REQUIRED ? " *" : "");
		tui_put(w, y, x + 2, getmaxx(w) - x - 4, line, true,
		    focus ? TUI_S_SELECTED : TUI_S_NORMAL);
		if (focus) {
			cur->win = w;
			cur->y = y;
			cur->x = x + 3;
		}
		return;
	}
	if (r.kind == TUI_ROW_APPLICANT) {
		label = fm->m->applicant == FORM_APPLICANT_PERSON
		            ? _("Applicant's citizen ID")
		            : _("Applicant's ID or USCC");
		required = true;
		problem = fm->problem_is_error[fm->m->nfields];
	} else {
		const struct form_field *f = &fm->m->fields[r.index];

		label = form_text_get(&f->label, fm->zh);
		required = f->required || f->required_when != NULL;
		problem = fm->problem_is_error[r.index];
	}
	/* A text marker as well as the colour: ! a problem, * required. */
	tui_put(w, y, x, 2, problem ? "! " : "  ", false,
	    problem ? TUI_S_ERROR : TUI_S_NORMAL);
	x += 2;
	x += tui_put(w, y, x, labw + 1, label, true, TUI_S_NORMAL);
	tui_put(w, y, x, 2, required ? "*" : " ", true, TUI_S_NORMAL);
	x += 2;
	if (r.kind == TUI_ROW_FIELD &&
	    tui_form_is_choice(&fm->m->fields[r.index])) {
		int c = fm->choice[r.index];
		const char *lab = tui_form_choice_label(fm, r.index, c);

		snprintf(buf, sizeof(buf), "< %s >", c < 0 ? _("choose") : lab);
		tui_put(w, y, x, valw, buf, true, st);
		if (focus) {
			cur->win = w;
			cur->y = y;
			cur->x = x + 2;
		}
		return;
	}
	{
		struct tui_editor *e = tui_form_editor(fm, r);
		int cols = valw > 128 ? 128 : valw;
		size_t col =
		    tui_editor_layout(e, (size_t)cols, buf, sizeof(buf));

		tui_put(w, y, x, cols, buf, true, st);
		if (focus) {
			cur->win = w;
			cur->y = y;
			cur->x = x + (int)col;
		}
	}
}

static void
form_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	struct tui_intake *in = &d->intake;
	struct tui_form *fm = &in->form;
	int rows = getmaxy(w), cols = getmaxx(w), labw = 8, valw, visible;
	char title[512];
	struct tui_row fr;
	const char *bottom = "";
	char outcome[TUI_MSG_MAX];
	struct form_mat_result res;

	if (!in->active) {
		tui_put(w, 1, 2, cols - 4, _("No form is open."), false,
		    TUI_S_NORMAL);
		return;
	}
	snprintf(title, sizeof(title), " %s  %s %s", _("New case:"),
	    fm->m->code, form_text_get(&fm->m->name, fm->zh));
	tui_put(w, 0, 0, cols, title, true, TUI_S_TITLE);
	if (in->ticket[0] != '\0') {
		snprintf(title, sizeof(title), _("Ticket %s"), in->ticket);
		tui_put(w, 0, cols - 14, 14, title, true, TUI_S_TITLE);
	}
	if (in->looked_up) {
		if (in->known_more) {
			snprintf(title, sizeof(title),
			    _("Known applicant: more than %zu earlier cases."),
			    in->known_cases);
		} else if (in->known_cases > 0) {
			snprintf(title, sizeof(title),
			    _n("Known applicant: %zu earlier case.",
			        "Known applicant: %zu earlier cases.",
			        in->known_cases),
			    in->known_cases);
		} else {
			snprintf(
			    title, sizeof(title), "%s", _("New applicant."));
		}
		tui_put(w, 1, 2, cols - 4, title, true, TUI_S_INFO);
	}
	for (size_t i = 0; i < fm->m->nfields; i++) {
		int lw = (int)tui_str_width(
		    form_text_get(&fm->m->fields[i].label, fm->zh));

		if (lw > labw) {
			labw = lw;
		}
	}
	if (labw > cols / 3) {
		labw = cols / 3;
	}
	valw = cols - 2 - 2 - (labw + 1) - 2 - 2;
	if (valw > 60) {
		valw = 60;
	}
	visible = rows - 6;
	if (visible < 1) {
		visible = 1;
	}
	if (fm->focus < in->top) {
		in->top = fm->focus;
	}
	if (fm->focus >= in->top + (size_t)visible) {
		in->top = fm->focus - (size_t)visible + 1;
	}
	if (in->top >= fm->nrows) {
		in->top = 0;
	}
	for (int i = 0; i < visible && in->top + (size_t)i < fm->nrows; i++) {
		size_t k = in->top + (size_t)i;

		draw_row(d, w, 2 + i, k, labw, valw, cur);
	}
	/* Bottom: the focused row's problem or help; the outcome. */
	fr = tui_form_focus(fm);
	if (fr.kind == TUI_ROW_APPLICANT) {
		bottom = fm->problem[fm->m->nfields][0] != '\0'
		             ? fm->problem[fm->m->nfields]
		             : _("Type the ID number; the applicant is looked "
		                 "up when you leave the field.");
	} else if (fr.kind == TUI_ROW_FIELD) {
		const struct form_field *f = &fm->m->fields[fr.index];

		bottom = fm->problem[fr.index][0] != '\0'
		             ? fm->problem[fr.index]
		             : form_text_get(&f->help, fm->zh);
		if (bottom == NULL || bottom[0] == '\0') {
			bottom = tui_form_is_choice(f)
			             ? _("Space or Left/Right to choose.")
			             : "";
		}
	} else {
		const struct form_material *mt = &fm->m->materials[fr.index];

		bottom = form_text_get(&mt->note, fm->zh);
		if (bottom == NULL || bottom[0] == '\0') {
			bottom = _("Space ticks a material handed in.");
		}
	}
	tui_put(w, rows - 3, 2, cols - 4, bottom, true,
	    (fr.kind == TUI_ROW_FIELD && fm->problem_is_error[fr.index]) ||
	            (fr.kind == TUI_ROW_APPLICANT &&
	                fm->problem_is_error[fm->m->nfields])
	        ? TUI_S_ERROR
	        : TUI_S_NORMAL);
	form_mat_result_init(&res);
	if (tui_form_outcome(fm, &res) == 0) {
		const char *what = res.outcome == FORM_MAT_COMPLETE
		                       ? _("complete")
		                   : res.outcome == FORM_MAT_GAPS
		                       ? _("accept with gaps (容缺)")
		                       : _("incomplete: one-time notice");

		snprintf(outcome, sizeof(outcome),
		    _("Materials: %s; %zu missing. F2 accepts, F8 refuses."),
		    what, res.nmissing);
		tui_put(w, rows - 2, 2, cols - 4, outcome, true, TUI_S_HEADER);
	}
	form_mat_result_free(&res);
	if (in->busy) {
		tui_put(w, rows - 1, 2, cols - 4, _("Saving the case..."), true,
		    TUI_S_INFO);
	}
}

const struct tui_view_ops tui_view_form = {
    .name = "form",
    .keys = &form_map,
    .enter = NULL,
    .leave = NULL,
    .draw = form_draw,
    .action = form_action,
    .key = form_key,
    .typing = form_typing,
    .unsaved = form_unsaved,
    .help_intro = N_("The applicant's ID number, the matter's fields, then "
                     "the materials handed in. * required, ! a problem."),
    .help_more = N_("Field keys: Left/Right, Home/End, Backspace/Delete, "
                    "Ctrl-U/Ctrl-K, Esc undoes the field."),
};
