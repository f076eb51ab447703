/*
 * form.h: the intake form of the desk, as pure logic.
 *
 * A form is made from a matter of the catalog (forms/catalog.h): first the
 * applicant's ID number (citizen ID or USCC: the key the applicant is
 * looked up by), then the matter's fields in catalog order, then its
 * materials as a checklist. Which rows show follows the fields'
 * conditions as the clerk types (a field shown only for a company appears
 * when the applicant type says company). Text fields are edited with
 * tui_editor, with the key filter and the length of their type; choice
 * fields (enum, bool) hold a choice index.
 *
 * Validation is the forms library's, the same code the node runs: a field
 * is checked when the clerk leaves it (its own problems only, and
 * "required" only once the field was visited), the whole form on submit.
 * Nothing here touches a terminal or the node: tests drive it directly,
 * and the view (tui/src/view_form.c) draws what it holds.
 */
#ifndef TUI_FORM_H
#define TUI_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/catalog.h"
#include "forms/materials.h"
#include "forms/validate.h"
#include "tui/editor.h"

enum tui_row_kind {
	TUI_ROW_APPLICANT, /* the applicant's ID number */
	TUI_ROW_FIELD,     /* a field of the matter (index: in m->fields) */
	TUI_ROW_MATERIAL,  /* a material (index: in m->materials) */
};

struct tui_row {
	enum tui_row_kind kind;
	size_t index;
};

enum tui_applicant_kind {
	TUI_APPLICANT_NONE, /* not a valid ID number (yet) */
	TUI_APPLICANT_PERSON,
	TUI_APPLICANT_ENTERPRISE,
};

#define TUI_FORM_MSG_MAX 256

struct tui_form {
	struct form_matter *m; /* owned */
	bool zh;               /* labels in Chinese */
	int32_t today;         /* for "not in the future" */
	struct tui_editor applicant;
	struct tui_editor *eds; /* per field (unused for choice fields) */
	int *choice;            /* per field: enum option / bool (0 no, 1
	                           yes); -1 none */
	bool *visited;          /* per field: left once ("required" shows) */
	bool *handed;           /* per material: handed in */
	/* The last check's message per field, and for the applicant row
	 * (index nfields); "" none. */
	char (*problem)[TUI_FORM_MSG_MAX];
	bool *problem_is_error; /* per message: error (else warning/notice) */
	struct tui_row *rows;   /* the rows shown now (tui_form_layout) */
	size_t nrows;
	size_t focus;     /* index into rows */
	bool dirty;       /* anything typed or ticked since the start */
	size_t prefilled; /* fields filled from the applicant register */
	char looked_up[FORM_ID_MAX]; /* the ID the register was asked for */
};

/*
 * Start a form for matter m (taken: freed by tui_form_free, also on
 * failure). zh: Chinese labels. Returns 0 or CM_ENOMEM.
 */
int tui_form_init(
    struct tui_form *fm, struct form_matter *m, bool zh, int32_t today);
void tui_form_free(struct tui_form *fm);

/* Recompute the rows shown (after any change of a value); keeps the
 * focus on the same row when it still shows, else on the next one. */
int tui_form_layout(struct tui_form *fm);

/* The focused row; the field of a row (NULL for others). */
struct tui_row tui_form_focus(const struct tui_form *fm);
const struct form_field *tui_form_field(
    const struct tui_form *fm, struct tui_row r);
/* The editor of a row: the applicant's, or a text field's; NULL for
 * choice fields and materials. */
struct tui_editor *tui_form_editor(struct tui_form *fm, struct tui_row r);
/* A choice field (enum or bool). */
bool tui_form_is_choice(const struct form_field *f);
/* The label of a field's choice (translated for bool), "" for none. */
const char *tui_form_choice_label(
    const struct tui_form *fm, size_t field, int choice);
/* Number of choices of a choice field. */
int tui_form_nchoices(const struct tui_form *fm, size_t field);

/*
 * Move the focus by delta rows (wrapping not), checking the row left:
 * returns true when the focus moved. Leaving the applicant row with a
 * valid ID number copies it into the matter's ID field (profile
 * person.id or org.uscc) when that is empty.
 */
bool tui_form_move(struct tui_form *fm, int delta);
/* Focus a row (after a failed submit: the first problem). */
void tui_form_focus_row(struct tui_form *fm, struct tui_row r);

/* Cycle the focused choice field by delta, or set it (choice >= 0).
 * Tick or untick the focused material. Returns false when the focus is
 * not such a row. */
bool tui_form_cycle(struct tui_form *fm, int delta);
bool tui_form_set_choice(struct tui_form *fm, int choice);
bool tui_form_toggle(struct tui_form *fm);

/* A key typed into the focused text row went through (marks dirty). */
void tui_form_touched(struct tui_form *fm);

/* The applicant's kind from the ID number typed. */
enum tui_applicant_kind tui_form_applicant_kind(const struct tui_form *fm);

/*
 * Fill empty fields from the applicant register (profile key -> value,
 * e.g. "person.name" -> "欧阳娜娜"). A choice field takes a value that
 * is one of its options. Returns how many fields were filled.
 */
size_t tui_form_prefill(struct tui_form *fm, const char *const *keys,
    const char *const *values, size_t n);

/*
 * The raw values of the fields that show now (text as typed, choices as
 * their option value), for form_validate and for the request.
 */
int tui_form_values(const struct tui_form *fm, struct form_values *out);

/* The handed-in material ids (pointers into the matter), at most max;
 * returns how many. */
size_t tui_form_handed(const struct tui_form *fm, const char **out, size_t max);

/*
 * Check the form: every field's problem is set (or cleared); with all
 * false only visited fields get "required" and other problems of empty
 * fields are left out. Returns the number of errors and warnings found
 * (0: the form may go to the node), or a negative CM_E* code. *first
 * (may be NULL) receives the first row with a problem.
 */
int tui_form_check(struct tui_form *fm, bool all, struct tui_row *first);

/* Materials outcome as the form stands (no due dates). */
int tui_form_outcome(const struct tui_form *fm, struct form_mat_result *out);

/* The applicant's name and mobile from the fields that hold them
 * (profile person.name / org.name, person.mobile / org.phone); "" none.
 * Borrowed from the editors' values: the caller frees (cm_free). */
char *tui_form_profile_value(const struct tui_form *fm, const char *key);

/* Set a problem message on the row of field id (from the node's
 * report); "" clears. The applicant row has id "". */
void tui_form_set_problem(
    struct tui_form *fm, const char *field, const char *msg, bool error);

#endif
