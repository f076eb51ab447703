/*
 * test_form.c: the desk's intake form (tui/form.h) on real matters of the
 * bundled catalog, without a terminal: rows and conditions, the applicant
 * ID typed once, prefill from the register, checks on leaving a field and
 * on submit, choices, the materials outcome.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "common/error.h"
#include "forms/catalog.h"
#include "testutil.h"
#include "tui/draft.h"
#include "tui/form.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct form_matter *
matter(const char *code)
{
	char path[128];
	size_t len;
	char *buf;
	struct form_matter *m = NULL;
	struct form_diags diags;

	snprintf(path, sizeof(path), "forms/catalog/%s.json", code);
	buf = ow_read_src(path, &len);
	form_diags_init(&diags);
	assert_rc(form_matter_parse(path, buf, len, &m, &diags), 0);
	form_diags_free(&diags);
	cm_free(buf);
	return m;
}

static void
type(struct tui_editor *e, const char *s)
{
	tui_editor_paste(e, s);
}

/* Index in rows of the field id, or -1. */
static int
row_of(const struct tui_form *fm, const char *id)
{
	for (size_t i = 0; i < fm->nrows; i++) {
		const struct form_field *f = tui_form_field(fm, fm->rows[i]);

		if (f != NULL && strcmp(f->id, id) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static void
focus_field(struct tui_form *fm, const char *id)
{
	int r = row_of(fm, id);

	assert_true(r >= 0);
	fm->focus = (size_t)r;
}

static void
test_rows_and_conditions(void **state)
{
	struct tui_form fm;
	size_t before;

	(void)state;
	assert_rc(tui_form_init(
	              &fm, matter("GG00032001"), true, ow_day("2026-11-16")),
	    0);
	/* The applicant row first; the matter's own ID field is the
	 * applicant row, not shown twice; the guardian's fields wait for
	 * "is a minor". */
	assert_int_equal(fm.rows[0].kind, TUI_ROW_APPLICANT);
	assert_int_equal(row_of(&fm, "applicant_id"), -1);
	assert_true(row_of(&fm, "applicant_name") > 0);
	assert_int_equal(row_of(&fm, "guardian_name"), -1);
	before = fm.nrows;
	focus_field(&fm, "is_minor");
	assert_true(tui_form_set_choice(&fm, 1));
	assert_string_equal(
	    tui_form_choice_label(&fm, fm.rows[fm.focus].index, 1), "Yes");
	assert_int_equal(fm.nrows, before + 3);
	assert_true(row_of(&fm, "guardian_name") > 0);
	/* The focus stayed on the choice it changed. */
	assert_string_equal(
	    tui_form_field(&fm, tui_form_focus(&fm))->id, "is_minor");
	assert_true(tui_form_cycle(&fm, 1));
	assert_int_equal(fm.nrows, before);
	assert_true(fm.dirty);
	tui_form_free(&fm);
}

static void
test_applicant_and_checks(void **state)
{
	struct tui_form fm;
	struct tui_row first;
	struct form_values v;
	int n;

	(void)state;
	assert_rc(tui_form_init(
	              &fm, matter("JF00031001"), false, ow_day("2026-11-16")),
	    0);
	assert_int_equal(tui_form_applicant_kind(&fm), TUI_APPLICANT_PERSON);
	/* A wrong check character, reported on the applicant row when it is
	 * left, with the right one. */
	type(&fm.applicant, "11010519491231002");
	assert_int_equal(tui_editor_insert(&fm.applicant, '0'), TUI_EDIT_FULL);
	tui_form_move(&fm, 1);
	assert_true(strstr(fm.problem[fm.m->nfields], "X") != NULL);
	assert_true(fm.problem_is_error[fm.m->nfields]);
	/* Nothing is said yet about fields not visited. */
	assert_string_equal(fm.problem[0], "");
	tui_editor_key(&fm.applicant, TUI_KEY_BACKSPACE);
	assert_int_equal(tui_editor_insert(&fm.applicant, 'x'),
	    TUI_EDIT_FULL); /* the filter stores X */
	fm.focus = 0;
	tui_form_move(&fm, 1);
	assert_string_equal(fm.problem[fm.m->nfields], "");
	/* The ID went into the matter's field. */
	form_values_init(&v);
	assert_rc(tui_form_values(&fm, &v), 0);
	assert_string_equal(
	    form_values_get(&v, "applicant_id"), "11010519491231002X");
	form_values_free(&v);
	/* Submit: every problem, the first row with one focused. */
	n = tui_form_check(&fm, true, &first);
	assert_true(n > 0);
	assert_int_equal(first.kind, TUI_ROW_FIELD);
	assert_string_equal(fm.m->fields[first.index].id, "applicant_name");
	assert_true(strstr(fm.problem[first.index], "required") != NULL);
	tui_form_free(&fm);
}

static void
test_prefill_and_outcome(void **state)
{
	struct tui_form fm;
	struct form_mat_result res;
	const char *keys[] = {
	    "person.name", "person.mobile", "person.id", "org.name"};
	const char *vals[] = {"欧阳娜娜", "13800138000", "999", "某公司"};
	char *name;

	(void)state;
	assert_rc(tui_form_init(
	              &fm, matter("GG00032001"), true, ow_day("2026-11-16")),
	    0);
	type(&fm.applicant, "11010519491231002X");
	/* Fields with a profile are filled when empty; the applicant's ID
	 * is the one typed, not the register's. */
	assert_int_equal(tui_form_prefill(&fm, keys, vals, 4), 2);
	name = tui_form_profile_value(&fm, "person.name");
	assert_string_equal(name, "欧阳娜娜");
	cm_free(name);
	name = tui_form_profile_value(&fm, "person.id");
	assert_string_equal(name, "11010519491231002X");
	cm_free(name);
	/* A second prefill leaves typed values alone. */
	assert_int_equal(tui_form_prefill(&fm, keys, vals, 4), 0);

	/* No material: incomplete, the ID card missing. */
	form_mat_result_init(&res);
	assert_rc(tui_form_outcome(&fm, &res), 0);
	assert_int_equal(res.outcome, FORM_MAT_INCOMPLETE);
	assert_int_equal(res.nmissing, 1);
	assert_string_equal(res.missing[0].mat->id, "id_card");
	form_mat_result_free(&res);
	fm.focus = fm.nrows - 3; /* the first material */
	assert_int_equal(tui_form_focus(&fm).kind, TUI_ROW_MATERIAL);
	assert_true(tui_form_toggle(&fm));
	form_mat_result_init(&res);
	assert_rc(tui_form_outcome(&fm, &res), 0);
	assert_int_equal(res.outcome, FORM_MAT_COMPLETE);
	form_mat_result_free(&res);
	tui_form_free(&fm);
}

static void
test_enterprise_being_set_up(void **state)
{
	struct tui_form fm;

	(void)state;
	/* A company being set up has no USCC: a person applies. */
	assert_rc(tui_form_init(
	              &fm, matter("XK00012002"), false, ow_day("2026-11-16")),
	    0);
	type(&fm.applicant, "11010519491231002X");
	assert_int_equal(tui_form_applicant_kind(&fm), TUI_APPLICANT_PERSON);
	tui_form_free(&fm);
	assert_rc(tui_form_init(
	              &fm, matter("XK00081001"), false, ow_day("2026-11-16")),
	    0);
	assert_int_equal(
	    tui_form_applicant_kind(&fm), TUI_APPLICANT_ENTERPRISE);
	tui_form_free(&fm);
}

static void
test_draft_roundtrip(void **state)
{
	struct tui_form fm, back;
	char dir[] = "/tmp/ow-draft-test.XXXXXX", path[1200], code[24];
	char ticket[16];
	struct stat st;
	char *v;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("OW_DRAFT_DIR", dir, 1);
	assert_rc(tui_draft_path("clerk/1", path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/draft-clerk_1.json"));
	assert_rc(tui_draft_peek(path, code, sizeof(code)), CM_ENOTFOUND);

	assert_rc(tui_form_init(
	              &fm, matter("GG00032001"), true, ow_day("2026-11-16")),
	    0);
	type(&fm.applicant, "11010519491231002X");
	focus_field(&fm, "applicant_name");
	type(tui_form_editor(&fm, tui_form_focus(&fm)), "买买提·𠮷力");
	focus_field(&fm, "is_minor");
	assert_true(tui_form_set_choice(&fm, 1));
	fm.focus = fm.nrows - 1;
	assert_true(tui_form_toggle(&fm));
	assert_rc(tui_draft_save(&fm, "A001", path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_rc(tui_draft_peek(path, code, sizeof(code)), 0);
	assert_string_equal(code, "GG00032001");

	assert_rc(tui_form_init(
	              &back, matter("GG00032001"), true, ow_day("2026-11-16")),
	    0);
	assert_rc(tui_draft_apply(&back, path, ticket, sizeof(ticket)), 0);
	assert_string_equal(ticket, "A001");
	v = tui_form_profile_value(&back, "person.name");
	assert_string_equal(v, "买买提·𠮷力");
	cm_free(v);
	v = tui_form_profile_value(&back, "person.id");
	assert_string_equal(v, "11010519491231002X");
	cm_free(v);
	/* The choice shows the guardian's rows again; the material is
	 * ticked. */
	assert_true(row_of(&back, "guardian_name") > 0);
	assert_true(back.handed[back.m->nmaterials - 1]);
	tui_form_free(&back);

	/* Another matter's form does not take it. */
	assert_rc(tui_form_init(
	              &back, matter("JF00031001"), true, ow_day("2026-11-16")),
	    0);
	assert_rc(
	    tui_draft_apply(&back, path, ticket, sizeof(ticket)), CM_EINVAL);
	tui_form_free(&back);
	tui_form_free(&fm);

	/* A damaged draft is said, not taken. */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\"matter\": 1", fp);
	fclose(fp);
	assert_rc(tui_draft_peek(path, code, sizeof(code)), CM_ECORRUPT);
	assert_rc(tui_draft_remove(path), 0);
	assert_rc(tui_draft_remove(path), 0);
	assert_rc(tui_draft_peek(path, code, sizeof(code)), CM_ENOTFOUND);
	rmdir(dir);
	unsetenv("OW_DRAFT_DIR");
}

static void
test_alloc_failures(void **state)
{
	(void)state;
	for (unsigned long k = 1; k < 400; k++) {
		struct form_matter *m = matter("GG00032001");
		struct tui_form fm;
		int rc;

		cm_alloc_fail_after(k, 1);
		rc = tui_form_init(&fm, m, true, ow_day("2026-11-16"));
		cm_alloc_fail_after(0, 0);
		if (rc == 0) {
			tui_form_free(&fm);
			return;
		}
		assert_rc(rc, CM_ENOMEM);
	}
	fail_msg("tui_form_init never succeeded");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_and_conditions),
	    cmocka_unit_test(test_applicant_and_checks),
	    cmocka_unit_test(test_prefill_and_outcome),
	    cmocka_unit_test(test_enterprise_being_set_up),
	    cmocka_unit_test(test_draft_roundtrip),
	    cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
