/*
 * form.c: the intake form as pure logic (tui/form.h).
 *
 * The applicant's ID number is typed once, in the first row: the matter's
 * own ID field (profile person.id for a person, org.uscc for an
 * organisation) takes it and is not shown again, so the applicant is
 * looked up and the form validated by the same value.
 */
#include "tui/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "forms/checks.h"

/* ---- Field kinds ------------------------------------------------------- */

bool
tui_form_is_choice(const struct form_field *f)
{
	return f->type == FORM_FT_ENUM || f->type == FORM_FT_BOOL;
}

static void
editor_params(const struct form_field *f, size_t *max, enum tui_filter *flt,
    bool *autoskip)
{
	*max = f->has_max || f->max_len > 0 ? (size_t)f->max_len : 0;
	*flt = TUI_FILTER_ANY;
	*autoskip = false;
	switch (f->type) {
	case FORM_FT_CITIZEN_ID:
		*max = 18;
		*flt = TUI_FILTER_ID;
		*autoskip = true;
		break;
	case FORM_FT_USCC:
		*max = 18;
		*flt = TUI_FILTER_CODE;
		*autoskip = true;
		break;
	case FORM_FT_MOBILE:
		*max = 11;
		*flt = TUI_FILTER_DIGITS;
		*autoskip = true;
		break;
	case FORM_FT_LANDLINE:
		*max = 20;
		*flt = TUI_FILTER_DATE; /* digits and '-' */
		break;
	case FORM_FT_DATE:
		*max = 10;
		*flt = TUI_FILTER_DATE;
		*autoskip = true;
		break;
	case FORM_FT_REGION:
		*max = 6;
		*flt = TUI_FILTER_DIGITS;
		*autoskip = true;
		break;
	case FORM_FT_INTEGER:
		*max = 18;
		*flt = TUI_FILTER_DIGITS;
		break;
	case FORM_FT_MONEY:
		*max = 16;
		*flt = TUI_FILTER_DECIMAL;
		break;
	default:
		if (f->max_len <= 0) {
			*max = 200;
		}
		break;
	}
}

/* The matter's field that holds the applicant's own ID number for this
 * kind, or -1. */
static int
id_field(const struct tui_form *fm, enum tui_applicant_kind k)
{
	const char *want = k == TUI_APPLICANT_PERSON       ? "person.id"
	                   : k == TUI_APPLICANT_ENTERPRISE ? "org.uscc"
	                                                   : NULL;

	if (want == NULL) {
		return -1;
	}
	for (size_t i = 0; i < fm->m->nfields; i++) {
		const struct form_field *f = &fm->m->fields[i];

		if (f->profile != NULL && strcmp(f->profile, want) == 0) {
			return (int)i;
		}
	}
	return -1;
}

enum tui_applicant_kind
tui_form_applicant_kind(const struct tui_form *fm)
{
	const struct tui_editor *e = &fm->applicant;
	bool digits = e->len > 0;

	if (fm->m->applicant == FORM_APPLICANT_PERSON) {
		return TUI_APPLICANT_PERSON;
	}
	if (fm->m->applicant == FORM_APPLICANT_ENTERPRISE &&
	    id_field(fm, TUI_APPLICANT_ENTERPRISE) >= 0) {
		return TUI_APPLICANT_ENTERPRISE;
	}
	/* Either (or an organisation being set up, which has no USCC yet
	 * and is applied for by a person): a citizen ID is digits with an
	 * X at most at the end, a USCC has letters inside. */
	for (size_t i = 0; i < e->len; i++) {
		uint32_t c = e->text[i];

		if (!((c >= '0' && c <= '9') || (c == 'X' && i == 17))) {
			digits = false;
		}
	}
	if (e->len == 0) {
		return TUI_APPLICANT_NONE;
	}
	return digits ? TUI_APPLICANT_PERSON : TUI_APPLICANT_ENTERPRISE;
}

/* The field synced with the applicant row now, or -1. */
static int
synced_field(const struct tui_form *fm)
{
	enum tui_applicant_kind k = tui_form_applicant_kind(fm);

	if (k == TUI_APPLICANT_NONE) {
		k = fm->m->applicant == FORM_APPLICANT_ENTERPRISE
		        ? TUI_APPLICANT_ENTERPRISE
		        : TUI_APPLICANT_PERSON;
	}
	return id_field(fm, k);
}

/* ---- Life -------------------------------------------------------------- */

int
tui_form_init(
    struct tui_form *fm, struct form_matter *m, bool zh, int32_t today)
{
	size_t nf = m->nfields, nm = m->nmaterials;

	memset(fm, 0, sizeof(*fm));
	fm->m = m;
	fm->zh = zh;
	fm->today = today;
	fm->eds = cm_calloc(nf > 0 ? nf : 1, sizeof(*fm->eds));
	fm->choice = cm_calloc(nf > 0 ? nf : 1, sizeof(*fm->choice));
	fm->visited = cm_calloc(nf > 0 ? nf : 1, sizeof(*fm->visited));
	fm->handed = cm_calloc(nm > 0 ? nm : 1, sizeof(*fm->handed));
	fm->problem = cm_calloc(nf + 1, sizeof(*fm->problem));
	fm->problem_is_error = cm_calloc(nf + 1, sizeof(bool));
	fm->rows = cm_calloc(nf + nm + 1, sizeof(*fm->rows));
	if (fm->eds == NULL || fm->choice == NULL || fm->visited == NULL ||
	    fm->handed == NULL || fm->problem == NULL ||
	    fm->problem_is_error == NULL || fm->rows == NULL) {
		tui_form_free(fm);
		return CM_ENOMEM;
	}
	if (tui_editor_init(&fm->applicant, NULL, 18,
	        m->applicant == FORM_APPLICANT_PERSON ? TUI_FILTER_ID
	                                              : TUI_FILTER_CODE,
	        true) != 0) {
		tui_form_free(fm);
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < nf; i++) {
		const struct form_field *f = &m->fields[i];
		size_t max;
		enum tui_filter flt;
		bool skip;

		fm->choice[i] = -1;
		if (tui_form_is_choice(f)) {
			continue;
		}
		editor_params(f, &max, &flt, &skip);
		if (tui_editor_init(&fm->eds[i], NULL, max, flt, skip) != 0) {
			tui_form_free(fm);
			return CM_ENOMEM;
		}
	}
	if (tui_form_layout(fm) != 0) {
		tui_form_free(fm);
		return CM_ENOMEM;
	}
	return 0;
}

void
tui_form_free(struct tui_form *fm)
{
	if (fm->m != NULL && fm->eds != NULL) {
		for (size_t i = 0; i < fm->m->nfields; i++) {
			tui_editor_free(&fm->eds[i]);
		}
	}
	tui_editor_free(&fm->applicant);
	cm_free(fm->eds);
	cm_free(fm->choice);
	cm_free(fm->visited);
	cm_free(fm->handed);
	cm_free(fm->problem);
	cm_free(fm->problem_is_error);
	cm_free(fm->rows);
	if (fm->m != NULL) {
		form_matter_free(fm->m);
	}
	memset(fm, 0, sizeof(*fm));
}

/* ---- Values ------------------------------------------------------------ */

static char *
field_raw(const struct tui_form *fm, size_t i)
{
	const struct form_field *f = &fm->m->fields[i];

	if ((int)i == synced_field(fm)) {
		return tui_editor_value(&fm->applicant);
	}
	if (f->type == FORM_FT_ENUM) {
		return cm_strdup(
		    fm->choice[i] >= 0 && (size_t)fm->choice[i] < f->noptions
		        ? f->options[fm->choice[i]].value
		        : "");
	}
	if (f->type == FORM_FT_BOOL) {
		return cm_strdup(fm->choice[i] < 0    ? ""
		                 : fm->choice[i] == 1 ? "yes"
		                                      : "no");
	}
	return tui_editor_value(&fm->eds[i]);
}

int
tui_form_values(const struct tui_form *fm, struct form_values *out)
{
	for (size_t i = 0; i < fm->m->nfields; i++) {
		char *v = field_raw(fm, i);
		int rc;

		if (v == NULL) {
			return CM_ENOMEM;
		}
		rc = v[0] != '\0' ? form_values_set(out, fm->m->fields[i].id, v)
		                  : 0;
		cm_free(v);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/* The form's values checked as the node checks them: canon (init'd
 * here) receives the canonical values of the fields that apply, rep
 * (init'd here) the problems. Both are to be freed by the caller, also
 * on failure. 0 or CM_ENOMEM. */
static int
validated(const struct tui_form *fm, struct form_values *canon,
    struct form_report *rep)
{
	struct form_values raw;
	int rc;

	form_values_init(&raw);
	form_values_init(canon);
	form_report_init(rep);
	rc = tui_form_values(fm, &raw);
	if (rc == 0) {
		rc = form_validate(fm->m, &raw, fm->today, canon, rep);
	}
	if (rc == 0 && rep->oom) {
		rc = CM_ENOMEM;
	}
	form_values_free(&raw);
	return rc;
}

char *
tui_form_profile_value(const struct tui_form *fm, const char *key)
{
	for (size_t i = 0; i < fm->m->nfields; i++) {
		const struct form_field *f = &fm->m->fields[i];

		if (f->profile != NULL && strcmp(f->profile, key) == 0) {
			return field_raw(fm, i);
		}
	}
	return cm_strdup("");
}

size_t
tui_form_handed(const struct tui_form *fm, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < fm->m->nmaterials && n < max; i++) {
		if (fm->handed[i]) {
			out[n++] = fm->m->materials[i].id;
		}
	}
	return n;
}

/* ---- Rows -------------------------------------------------------------- */

static bool
row_eq(struct tui_row a, struct tui_row b)
{
	return a.kind == b.kind && a.index == b.index;
}

int
tui_form_layout(struct tui_form *fm)
{
	struct form_values canon;
	struct form_report rep;
	struct tui_row was =
	    fm->nrows > 0 ? fm->rows[fm->focus] : (struct tui_row){0, 0};
	int sync = synced_field(fm), rc;
	size_t n = 0;

	rc = validated(fm, &canon, &rep);
	fm->rows[n++] = (struct tui_row){TUI_ROW_APPLICANT, 0};
	for (size_t i = 0; i < fm->m->nfields; i++) {
		const struct form_field *f = &fm->m->fields[i];

		/* A field whose condition looks at an invalid value shows,
		 * rather than vanish while the clerk types. */
		if ((int)i != sync && (rc != 0 || f->shown_when == NULL ||
		                          form_field_is_shown(f, &canon))) {
			fm->rows[n++] = (struct tui_row){TUI_ROW_FIELD, i};
		}
	}
	for (size_t i = 0; i < fm->m->nmaterials; i++) {
		fm->rows[n++] = (struct tui_row){TUI_ROW_MATERIAL, i};
	}
	fm->nrows = n;
	/* The same row again, or the first one after where it was. */
	fm->focus = 0;
	for (size_t i = 0; i < n; i++) {
		if (row_eq(fm->rows[i], was)) {
			fm->focus = i;
			break;
		}
		if (fm->rows[i].kind > was.kind ||
		    (fm->rows[i].kind == was.kind &&
		        fm->rows[i].index > was.index)) {
			fm->focus = i;
			break;
		}
	}
	form_values_free(&canon);
	form_report_free(&rep);
	return rc;
}

struct tui_row
tui_form_focus(const struct tui_form *fm)
{
	return fm->rows[fm->focus];
}

const struct form_field *
tui_form_field(const struct tui_form *fm, struct tui_row r)
{
	return r.kind == TUI_ROW_FIELD ? &fm->m->fields[r.index] : NULL;
}

struct tui_editor *
tui_form_editor(struct tui_form *fm, struct tui_row r)
{
	if (r.kind == TUI_ROW_APPLICANT) {
		return &fm->applicant;
	}
	if (r.kind == TUI_ROW_FIELD &&
	    !tui_form_is_choice(&fm->m->fields[r.index])) {
		return &fm->eds[r.index];
	}
	return NULL;
}

int
tui_form_nchoices(const struct tui_form *fm, size_t field)
{
	const struct form_field *f = &fm->m->fields[field];

	return f->type == FORM_FT_BOOL   ? 2
	       : f->type == FORM_FT_ENUM ? (int)f->noptions
	                                 : 0;
}

const char *
tui_form_choice_label(const struct tui_form *fm, size_t field, int choice)
{
	const struct form_field *f = &fm->m->fields[field];

	if (choice < 0 || choice >= tui_form_nchoices(fm, field)) {
		return "";
	}
	if (f->type == FORM_FT_BOOL) {
		return choice == 1 ? _("Yes") : _("No");
	}
	return form_text_get(&f->options[choice].label, fm->zh);
}

static void
after_change(struct tui_form *fm)
{
	fm->dirty = true;
	tui_form_layout(fm);
}

void
tui_form_touched(struct tui_form *fm)
{
	struct tui_row r = tui_form_focus(fm);

	fm->dirty = true;
	/* A condition may hang on what is typed: the rows follow. */
	if (r.kind != TUI_ROW_MATERIAL) {
		tui_form_layout(fm);
	}
}

bool
tui_form_cycle(struct tui_form *fm, int delta)
{
	struct tui_row r = tui_form_focus(fm);
	int n, c;

	if (r.kind == TUI_ROW_MATERIAL) {
		return tui_form_toggle(fm);
	}
	if (r.kind != TUI_ROW_FIELD ||
	    !tui_form_is_choice(&fm->m->fields[r.index])) {
		return false;
	}
	n = tui_form_nchoices(fm, r.index);
	if (n <= 0) {
		return false;
	}
	c = fm->choice[r.index];
	c = c < 0 ? (delta > 0 ? 0 : n - 1) : ((c + delta) % n + n) % n;
	fm->choice[r.index] = c;
	after_change(fm);
	return true;
}

bool
tui_form_set_choice(struct tui_form *fm, int choice)
{
	struct tui_row r = tui_form_focus(fm);

	if (r.kind != TUI_ROW_FIELD ||
	    !tui_form_is_choice(&fm->m->fields[r.index]) || choice < 0 ||
	    choice >= tui_form_nchoices(fm, r.index)) {
		return false;
	}
	fm->choice[r.index] = choice;
	after_change(fm);
	return true;
}

bool
tui_form_toggle(struct tui_form *fm)
{
	struct tui_row r = tui_form_focus(fm);

	if (r.kind != TUI_ROW_MATERIAL) {
		return false;
	}
	fm->handed[r.index] = !fm->handed[r.index];
	fm->dirty = true;
	return true;
}

/* ---- Checks ------------------------------------------------------------ */

void
tui_form_set_problem(
    struct tui_form *fm, const char *field, const char *msg, bool error)
{
	size_t k = fm->m->nfields;
	int sync = synced_field(fm);

	for (size_t i = 0; i < fm->m->nfields && field[0] != '\0'; i++) {
		if (strcmp(fm->m->fields[i].id, field) == 0) {
			k = (int)i == sync ? fm->m->nfields : i;
			break;
		}
	}
	snprintf(fm->problem[k], TUI_FORM_MSG_MAX, "%s", msg);
	fm->problem_is_error[k] = error;
}

/* The applicant row's own check when no field of the matter holds the
 * ID (the node still needs a valid one). */
static enum form_pcode
check_applicant_id(const struct tui_form *fm, char *a, size_t asize)
{
	char *v = tui_editor_value(&fm->applicant);
	enum form_pcode pc = FORM_P_OK;
	char exp[2] = "";

	a[0] = '\0';
	if (v == NULL) {
		return FORM_P_OK;
	}
	if (v[0] == '\0') {
		pc = FORM_P_REQUIRED;
	} else if (tui_form_applicant_kind(fm) == TUI_APPLICANT_PERSON) {
		pc = form_check_citizen_id(v, fm->today, NULL);
		if (pc == FORM_P_ID_CHECK) {
			snprintf(a, asize, "%c", form_citizen_id_check_char(v));
		}
	} else {
		pc = form_check_uscc(v, exp);
		snprintf(a, asize, "%s", exp);
	}
	cm_free(v);
	return pc;
}

int
tui_form_check(struct tui_form *fm, bool all, struct tui_row *first)
{
	struct form_values canon;
	struct form_report rep;
	int sync = synced_field(fm), count = 0, rc;
	size_t best = (size_t)-1;

	rc = validated(fm, &canon, &rep);
	if (rc != 0) {
		goto out;
	}
	for (size_t i = 0; i <= fm->m->nfields; i++) {
		fm->problem[i][0] = '\0';
		fm->problem_is_error[i] = false;
	}
	for (size_t k = 0; k < rep.n; k++) {
		const struct form_problem *p = &rep.items[k];
		size_t fi = fm->m->nfields;
		bool on_applicant;
		char msg[TUI_FORM_MSG_MAX];

		for (size_t i = 0; i < fm->m->nfields; i++) {
			if (strcmp(fm->m->fields[i].id, p->field) == 0) {
				fi = i;
				break;
			}
		}
		if (fi == fm->m->nfields) {
			continue; /* not a field of the form: cannot happen */
		}
		on_applicant = (int)fi == sync;
		if (!all && !on_applicant && !fm->visited[fi]) {
			continue;
		}
		if (on_applicant) {
			fi = fm->m->nfields;
		}
		if (fm->problem[fi][0] != '\0') {
			continue; /* the first problem of a field is shown */
		}
		form_problem_message(p, fm->m, fm->zh, msg, sizeof(msg));
		snprintf(fm->problem[fi], TUI_FORM_MSG_MAX, "%s", msg);
		fm->problem_is_error[fi] = p->severity != FORM_SEV_NOTICE;
		if (p->severity != FORM_SEV_NOTICE) {
			count++;
		}
	}
	if (sync < 0 && (all || fm->applicant.len > 0)) {
		struct form_problem p;
		char a[FORM_PARAM_MAX];
		enum form_pcode pc = check_applicant_id(fm, a, sizeof(a));

		if (pc != FORM_P_OK) {
			memset(&p, 0, sizeof(p));
			snprintf(p.field, sizeof(p.field), "%s",
			    _("Applicant ID number"));
			p.code = pc;
			p.severity = form_pcode_severity(pc);
			snprintf(p.a, sizeof(p.a), "%s", a);
			form_problem_message(&p, NULL, fm->zh,
			    fm->problem[fm->m->nfields], TUI_FORM_MSG_MAX);
			fm->problem_is_error[fm->m->nfields] = true;
			count++;
		}
	}
	/* The first row (in screen order) with an error or warning. */
	for (size_t i = 0; i < fm->nrows && first != NULL; i++) {
		struct tui_row r = fm->rows[i];
		size_t k = r.kind == TUI_ROW_APPLICANT ? fm->m->nfields
		           : r.kind == TUI_ROW_FIELD   ? r.index
		                                       : (size_t)-1;

		if (k != (size_t)-1 && fm->problem_is_error[k]) {
			best = i;
			*first = r;
			break;
		}
	}
	(void)best;
	rc = count;
out:
	form_values_free(&canon);
	form_report_free(&rep);
	return rc;
}

/* ---- Moving ------------------------------------------------------------ */

bool
tui_form_move(struct tui_form *fm, int delta)
{
	struct tui_row r = tui_form_focus(fm);
	size_t to;

	if (r.kind == TUI_ROW_FIELD) {
		fm->visited[r.index] = true;
	}
	if (delta < 0 && (size_t)-delta > fm->focus) {
		to = 0;
	} else {
		to = fm->focus + (size_t)delta;
		if (to >= fm->nrows) {
			to = fm->nrows - 1;
		}
	}
	if (r.kind != TUI_ROW_MATERIAL) {
		tui_form_check(fm, false, NULL);
	}
	if (to == fm->focus) {
		return false;
	}
	fm->focus = to;
	return true;
}

void
tui_form_focus_row(struct tui_form *fm, struct tui_row r)
{
	for (size_t i = 0; i < fm->nrows; i++) {
		if (row_eq(fm->rows[i], r)) {
			fm->focus = i;
			return;
		}
	}
}

/* ---- The register ------------------------------------------------------ */

size_t
tui_form_prefill(struct tui_form *fm, const char *const *keys,
    const char *const *values, size_t n)
{
	size_t filled = 0;
	int sync = synced_field(fm);

	for (size_t i = 0; i < fm->m->nfields; i++) {
		const struct form_field *f = &fm->m->fields[i];
		const char *v = NULL;

		if (f->profile == NULL || (int)i == sync) {
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (strcmp(keys[k], f->profile) == 0) {
				v = values[k];
			}
		}
		if (v == NULL || v[0] == '\0') {
			continue;
		}
		if (tui_form_is_choice(f)) {
			if (fm->choice[i] >= 0) {
				continue;
			}
			for (size_t o = 0; o < f->noptions; o++) {
				if (strcmp(f->options[o].value, v) == 0) {
					fm->choice[i] = (int)o;
					filled++;
				}
			}
			continue;
		}
		if (fm->eds[i].len > 0) {
			continue;
		}
		/* The register's value is the field's value on entry: Esc
		 * goes back to it, not to empty. */
		{
			struct tui_editor *e = &fm->eds[i], fresh;

			if (tui_editor_init(&fresh, v, e->max_chars, e->filter,
			        e->autoskip) == 0) {
				tui_editor_free(e);
				*e = fresh;
				filled++;
			}
		}
	}
	fm->prefilled += filled;
	if (filled > 0) {
		tui_form_layout(fm);
	}
	return filled;
}

int
tui_form_outcome(const struct tui_form *fm, struct form_mat_result *out)
{
	struct form_values canon;
	struct form_report rep;
	struct form_mat_opts mo;
	const char *handed[128];
	size_t nh = tui_form_handed(fm, handed, 128);
	int rc;

	rc = validated(fm, &canon, &rep);
	if (rc == 0) {
		memset(&mo, 0, sizeof(mo));
		mo.applicant_eligible = true;
		rc = form_materials_check(fm->m, &canon, handed, nh, &mo, out);
	}
	form_values_free(&canon);
	form_report_free(&rep);
	return rc;
}
