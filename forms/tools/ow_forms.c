/*
 * ow_forms.c: `ow-forms`, the tool for catalog authors and scripts.
 *
 * It loads the bundled catalog and calendar (or the ones named with
 * --catalog / --calendar) and runs the forms library's checks from a
 * shell: lint matter files, show a matter, validate an application, do
 * working-day arithmetic, compute deadlines and print notices. Output is
 * for people by default and JSON with --json.
 */
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "forms/calendar.h"
#include "forms/catalog.h"
#include "forms/checks.h"
#include "forms/deadline.h"
#include "forms/materials.h"
#include "forms/notice.h"
#include "forms/validate.h"

#include <getopt.h>
#include <sodium.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE      (4u << 20)
#define MAX_PAUSES    64
#define MAX_CAL_PATHS 16

enum { EXIT_PROBLEM = 1, EXIT_USAGE = 2 };

struct opts {
	const char *catalog;
	const char *calendars[MAX_CAL_PATHS];
	int ncalendars;
	bool json;
	const char *materials;
	const char *today;
	const char *accepted;
	const char *paused[MAX_PAUSES];
	int npaused;
	int extended;
	const char *thresholds;
	const char *case_no;
	const char *applicant;
	const char *refuse;
	const char *key_file;
	const char *hall;
	const char *clerk;
	bool no_gaps;
	bool zh;
};

static void
usage(FILE *fp)
{
	fputs(
	    _("Usage: ow-forms [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n"
	      "  lint [PATH...]               check matter files (default: the "
	      "bundled catalog)\n"
	      "  list                         list the matters of the catalog\n"
	      "  show CODE                    a matter's fields and materials\n"
	      "  validate CODE [KEY=VALUE...] validate an application; exit 1 "
	      "on an error\n"
	      "  notice CODE [KEY=VALUE...]   print the notice for an "
	      "application\n"
	      "  workdays add DATE N          the Nth working day after DATE\n"
	      "  workdays between DATE DATE   working days after the first "
	      "date up to the second\n"
	      "  workdays is DATE             is DATE a working day?\n"
	      "  deadline CODE --accepted DATE  legal and promised due dates, "
	      "warning level\n"
	      "  calendar coverage            the years the calendar covers\n"
	      "  calendar convert FILE        convert a holiday-cn year file "
	      "to the calendar format\n"
	      "\n"
	      "Options:\n"
	      "  --catalog DIR           matter files to use (default: the "
	      "bundled catalog)\n"
	      "  --calendar PATH         calendar directory or file; repeat to "
	      "add local closures\n"
	      "  --json                  print JSON\n"
	      "  --materials ID,ID,...   materials handed in (validate, "
	      "notice)\n"
	      "  --no-gaps               the applicant may not use 容缺 (e.g. "
	      "on a dishonesty list)\n"
	      "  --today DATE            the day to judge on (default: today)\n"
	      "  --accepted DATE         acceptance date (deadline)\n"
	      "  --paused FROM:TO        a pause of the clock; TO may be empty "
	      "(still paused)\n"
	      "  --extended N            working days of extension granted (10 "
	      "or 15)\n"
	      "  --thresholds Y,R        yellow and red thresholds in per "
	      "mille (default 500,900)\n"
	      "  --case-no NO            case number for a notice\n"
	      "  --applicant NAME        applicant's name for a notice\n"
	      "  --refuse REASON         print a refusal notice with this "
	      "reason\n"
	      "  --key-file FILE         the hall's verification key (16..64 "
	      "bytes)\n"
	      "  --hall NAME, --clerk NAME  shown on notices\n"
	      "  -h, --help              this help\n"
	      "  --version               the version\n"
	      "\n"
	      "Dates are ISO 8601 (YYYY-MM-DD). Files are looked up in "
	      "$OW_CATALOG_DIR and\n"
	      "$OW_CALENDAR_DIR when --catalog and --calendar are not "
	      "given.\n"),
	    fp);
}

static const char *
data_dir(const char *env, const char *src, const char *sub)
{
	static char buf[4096];
	const char *e = getenv(env);

	if (e != NULL && e[0] != '\0') {
		return e;
	}
	if (cm_is_dir(src)) {
		return src;
	}
	snprintf(buf, sizeof(buf), "%s/%s", OW_INSTALL_DATA_DIR, sub);
	return buf;
}

/* Collect matter or calendar files: a directory gives its *.json. */
static int
expand_paths(const char *const *paths, int n, char ***out, size_t *nout)
{
	char **all = NULL;
	size_t count = 0;

	for (int i = 0; i < n; i++) {
		char **list = NULL;
		size_t ln = 0;
		char **grown;

		if (cm_is_dir(paths[i])) {
			int rc = cm_dir_list(paths[i], ".json", &list, &ln);

			if (rc != 0) {
				fprintf(stderr, _("ow-forms: %s: %s\n"),
				    paths[i], cm_strerror(rc));
				cm_file_list_free(all);
				return rc;
			}
		} else {
			list = cm_calloc(2, sizeof(*list));
			if (list == NULL ||
			    (list[0] = cm_strdup(paths[i])) == NULL) {
				cm_free(list);
				cm_file_list_free(all);
				return CM_ENOMEM;
			}
			ln = 1;
		}
		grown = cm_reallocarray(all, count + ln + 1, sizeof(*all));
		if (grown == NULL) {
			cm_file_list_free(list);
			cm_file_list_free(all);
			return CM_ENOMEM;
		}
		all = grown;
		for (size_t j = 0; j < ln; j++) {
			all[count++] = list[j];
		}
		all[count] = NULL;
		cm_free(list); /* the strings moved into all */
	}
	if (all == NULL) {
		all = cm_calloc(1, sizeof(*all));
	}
	*out = all;
	*nout = count;
	return all == NULL ? CM_ENOMEM : 0;
}

typedef int (*load_fn)(void *target, const char *name, const char *buf,
    size_t len, struct form_diags *d);

/* Load every file; returns the number of files that failed. */
static int
load_files(
    char **files, size_t n, void *target, load_fn load, struct form_diags *d)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		char *buf = NULL;
		size_t len = 0;
		int rc = cm_file_read(files[i], MAX_FILE, &buf, &len);

		if (rc != 0) {
			form_diags_add(d, files[i], 1, 1, _("cannot read: %s"),
			    cm_strerror(rc));
			bad++;
			continue;
		}
		if (load(target, files[i], buf, len, d) != 0) {
			bad++;
		}
		cm_free(buf);
	}
	return bad;
}

static int
load_catalog_cb(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_catalog_load(t, name, buf, len, d);
}

static int
load_calendar_cb(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_calendar_load(t, name, buf, len, d);
}

static int
open_catalog(const struct opts *o, struct form_catalog *cat)
{
	const char *dir =
	    o->catalog != NULL
	        ? o->catalog
	        : data_dir("OW_CATALOG_DIR", OW_SRC_CATALOG_DIR, "catalog");
	struct form_diags d;
	char **files = NULL;
	size_t n = 0;
	int bad;

	form_catalog_init(cat);
	if (expand_paths(&dir, 1, &files, &n) != 0) {
		return EXIT_PROBLEM;
	}
	form_diags_init(&d);
	bad = load_files(files, n, cat, load_catalog_cb, &d);
	form_catalog_sort(cat);
	if (bad > 0) {
		/* The good matters stay usable; say which files were left out. */
		form_diags_print(&d, stderr);
		fprintf(stderr,
		    _("ow-forms: %d catalog files were not loaded (run "
		      "ow-forms lint)\n"),
		    bad);
	}
	form_diags_free(&d);
	cm_file_list_free(files);
	if (cat->n == 0) {
		fprintf(stderr, _("ow-forms: no matters found in %s\n"), dir);
		return EXIT_PROBLEM;
	}
	return 0;
}

static int
open_calendar(const struct opts *o, struct form_calendar **cal)
{
	const char *deflt[1];
	const char *const *paths = o->calendars;
	int npaths = o->ncalendars;
	struct form_diags d;
	char **files = NULL;
	size_t n = 0;
	int bad;

	if (npaths == 0) {
		deflt[0] = data_dir(
		    "OW_CALENDAR_DIR", OW_SRC_CALENDAR_DIR, "calendar");
		paths = deflt;
		npaths = 1;
	}
	if (form_calendar_new(cal) != 0) {
		fprintf(stderr, "ow-forms: %s\n", cm_strerror(CM_ENOMEM));
		return EXIT_PROBLEM;
	}
	if (expand_paths(paths, npaths, &files, &n) != 0) {
		return EXIT_PROBLEM;
	}
	form_diags_init(&d);
	bad = load_files(files, n, *cal, load_calendar_cb, &d);
	form_diags_print(&d, stderr);
	form_diags_free(&d);
	cm_file_list_free(files);
	if (bad > 0) {
		fprintf(stderr, _("ow-forms: the calendar did not load\n"));
		return EXIT_PROBLEM;
	}
	return 0;
}

static int
parse_date_arg(const char *what, const char *s, int32_t *out)
{
	int rc = cm_date_parse(s, out);

	if (rc != 0) {
		fprintf(stderr,
		    _("ow-forms: %s \"%s\" is not a date (YYYY-MM-DD)\n"), what,
		    s);
		return EXIT_USAGE;
	}
	return 0;
}

static int
today_of(const struct opts *o, int32_t *day)
{
	if (o->today == NULL) {
		*day = cm_date_today();
		return 0;
	}
	return parse_date_arg("--today", o->today, day);
}

static void
print_json(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_INDENT(2)) : NULL;

	if (s == NULL) {
		/* Never print a partial document as if it were whole. */
		fprintf(
		    stderr, _("ow-forms: could not build the JSON output\n"));
		exit(EXIT_PROBLEM);
	}
	puts(s);
	free(s);
	json_decref(j);
}

static int
calendar_error(int rc)
{
	fprintf(stderr, _("ow-forms: %s\n"), cm_strerror(rc));
	if (rc == CM_ENODATA) {
		fprintf(stderr,
		    _("ow-forms: the calendar has no data for a date this "
		      "needs; see `ow-forms calendar coverage`\n"));
	}
	return EXIT_PROBLEM;
}

/* ---- lint ------------------------------------------------------------- */

static int
cmd_lint(const struct opts *o, int argc, char **argv)
{
	const char *deflt =
	    o->catalog != NULL
	        ? o->catalog
	        : data_dir("OW_CATALOG_DIR", OW_SRC_CATALOG_DIR, "catalog");
	struct form_catalog cat;
	struct form_diags d;
	char **files = NULL;
	size_t n = 0;
	int bad;

	if (expand_paths(argc > 0 ? (const char *const *)argv : &deflt,
	        argc > 0 ? argc : 1, &files, &n) != 0) {
		return EXIT_PROBLEM;
	}
	if (n == 0) {
		fprintf(stderr, _("ow-forms: no matter files found\n"));
		cm_file_list_free(files);
		return EXIT_PROBLEM;
	}
	form_catalog_init(&cat);
	form_diags_init(&d);
	bad = load_files(files, n, &cat, load_catalog_cb, &d);
	form_diags_print(&d, stdout);
	if (bad == 0) {
		fprintf(stderr, _("%zu matter files OK\n"), n);
	} else {
		fprintf(stderr,
		    _("%d of %zu matter files have problems (%zu found)\n"),
		    bad, n, d.n);
	}
	form_diags_free(&d);
	form_catalog_free(&cat);
	cm_file_list_free(files);
	return bad == 0 ? 0 : EXIT_PROBLEM;
}

/* ---- list and show ---------------------------------------------------- */

static int
cmd_list(const struct opts *o)
{
	struct form_catalog cat;
	json_t *arr = o->json ? json_array() : NULL;

	if (open_catalog(o, &cat) != 0) {
		return EXIT_PROBLEM;
	}
	for (size_t i = 0; i < cat.n; i++) {
		const struct form_matter *m = cat.items[i];

		if (arr != NULL) {
			json_array_append_new(arr,
			    json_pack("{s:s, s:s, s:s, s:s, s:i}", "code",
			        m->code, "name", form_text_get(&m->name, o->zh),
			        "type", m->type, "department",
			        form_text_get(&m->department, o->zh), "version",
			        m->version));
		} else {
			printf("%s  %s  (%s)\n", m->code,
			    form_text_get(&m->name, o->zh),
			    form_text_get(&m->department, o->zh));
		}
	}
	if (arr != NULL) {
		print_json(arr);
	}
	form_catalog_free(&cat);
	return 0;
}

static const char *
need_name(const struct form_material *mt)
{
	switch (mt->need) {
	case FORM_NEED_REQUIRED:
		return _("required");
	case FORM_NEED_OPTIONAL:
		return _("optional");
	case FORM_NEED_CONDITIONAL:
		return _("required when");
	}
	return "?";
}

static void
print_cond(const struct form_cond *c)
{
	switch (c->op) {
	case FORM_COND_PRESENT:
		printf(_(" [%s is filled in]"), c->field);
		break;
	case FORM_COND_ABSENT:
		printf(_(" [%s is empty]"), c->field);
		break;
	case FORM_COND_EQUALS:
	case FORM_COND_IN:
		printf(" [%s = ", c->field);
		for (size_t i = 0; i < c->nvalues; i++) {
			printf("%s%s", i > 0 ? " | " : "", c->values[i]);
		}
		printf("]");
		break;
	}
}

static json_t *
text_json(const struct form_text *t)
{
	return json_pack("{s:s?, s:s?}", "zh", t->zh, "en", t->en);
}

static json_t *
cond_json(const struct form_cond *c)
{
	json_t *j;

	if (c == NULL) {
		return json_null();
	}
	j = json_pack("{s:s}", "field", c->field);
	switch (c->op) {
	case FORM_COND_PRESENT:
	case FORM_COND_ABSENT:
		json_object_set_new(
		    j, "present", json_boolean(c->op == FORM_COND_PRESENT));
		break;
	case FORM_COND_EQUALS:
		json_object_set_new(j, "equals", json_string(c->values[0]));
		break;
	case FORM_COND_IN: {
		json_t *in = json_array();

		for (size_t i = 0; i < c->nvalues; i++) {
			json_array_append_new(in, json_string(c->values[i]));
		}
		json_object_set_new(j, "in", in);
		break;
	}
	}
	return j;
}

static json_t *
matter_json(const struct form_matter *m)
{
	json_t *fields = json_array(), *mats = json_array();
	json_t *j;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct form_field *f = &m->fields[i];
		json_t *fj = json_pack("{s:s, s:o, s:s, s:b, s:o, s:o}", "id",
		    f->id, "label", text_json(&f->label), "type",
		    form_ftype_name(f->type), "required", f->required,
		    "shown_when", cond_json(f->shown_when), "required_when",
		    cond_json(f->required_when));

		if (f->noptions > 0) {
			json_t *opts = json_array();

			for (size_t k = 0; k < f->noptions; k++) {
				json_array_append_new(
				    opts, json_pack("{s:s, s:o}", "value",
				              f->options[k].value, "label",
				              text_json(&f->options[k].label)));
			}
			json_object_set_new(fj, "options", opts);
		}
		if (f->profile != NULL) {
			json_object_set_new(
			    fj, "profile", json_string(f->profile));
		}
		json_array_append_new(fields, fj);
	}
	for (size_t i = 0; i < m->nmaterials; i++) {
		const struct form_material *mt = &m->materials[i];
		json_t *forms = json_array();

		if (mt->forms & FORM_MF_ORIGINAL) {
			json_array_append_new(forms, json_string("original"));
		}
		if (mt->forms & FORM_MF_COPY) {
			json_array_append_new(forms, json_string("copy"));
		}
		if (mt->forms & FORM_MF_ELICENCE) {
			json_array_append_new(forms, json_string("elicence"));
		}
		json_array_append_new(mats,
		    json_pack("{s:s, s:o, s:s, s:o, s:o, s:i, s:b, s:i}", "id",
		        mt->id, "name", text_json(&mt->name), "need",
		        mt->need == FORM_NEED_REQUIRED   ? "required"
		        : mt->need == FORM_NEED_OPTIONAL ? "optional"
		                                         : "conditional",
		        "required_when", cond_json(mt->required_when), "forms",
		        forms, "copies", mt->copies, "secondary", mt->secondary,
		        "gap_days", mt->gap_days));
	}
	j = json_pack("{s:s, s:i, s:o, s:s, s:o, s:o, s:{s:i, s:i, s:i, s:b}, "
	              "s:b, s:i, s:o, s:o}",
	    "code", m->code, "version", m->version, "name", text_json(&m->name),
	    "type", m->type, "department", text_json(&m->department),
	    "legal_basis", text_json(&m->legal_basis), "limits", "legal",
	    m->legal_limit, "promised", m->promised_limit, "extension",
	    m->extension, "joint", m->joint, "gaps_allowed", m->gaps_allowed,
	    "visits", m->visits, "fields", fields, "materials", mats);
	return j;
}

static void
print_material_forms(const struct form_material *mt)
{
	const char *sep = "";

	if (mt->forms & FORM_MF_ORIGINAL) {
		printf("%s%s", sep, _("original"));
		sep = "/";
	}
	if (mt->forms & FORM_MF_COPY) {
		printf("%s%s", sep, _("copy"));
		sep = "/";
	}
	if (mt->forms & FORM_MF_ELICENCE) {
		printf("%s%s", sep, _("e-licence"));
	}
}

static int
cmd_show(const struct opts *o, int argc, char **argv)
{
	struct form_catalog cat;
	const struct form_matter *m;
	bool zh = o->zh;

	if (argc != 1) {
		fprintf(stderr, _("ow-forms: show needs one matter code\n"));
		return EXIT_USAGE;
	}
	if (open_catalog(o, &cat) != 0) {
		return EXIT_PROBLEM;
	}
	m = form_catalog_find(&cat, argv[0]);
	if (m == NULL) {
		fprintf(
		    stderr, _("ow-forms: no matter with code %s\n"), argv[0]);
		form_catalog_free(&cat);
		return EXIT_PROBLEM;
	}
	if (o->json) {
		print_json(matter_json(m));
		form_catalog_free(&cat);
		return 0;
	}
	printf(
	    "%s  %s (v%d)\n", m->code, form_text_get(&m->name, zh), m->version);
	printf(_("Type: %s\n"), form_mtype_label(m->type, zh));
	printf(_("Department: %s\n"), form_text_get(&m->department, zh));
	printf(_("Legal basis: %s\n"), form_text_get(&m->legal_basis, zh));
	printf(
	    _("Limits: legal %d, promised %d working days; extension %d%s\n"),
	    m->legal_limit, m->promised_limit, m->extension,
	    m->joint ? _(" (joint handling)") : "");
	printf(_("Visits: %d; acceptance with gaps (容缺): %s\n"), m->visits,
	    m->gaps_allowed ? _("yes") : _("no"));
	for (size_t i = 0; i < m->nfees; i++) {
		char money[40];

		printf(_("Fee: %s %s yuan\n"),
		    form_text_get(&m->fees[i].item, zh),
		    form_format_money(m->fees[i].fen, money, sizeof(money)));
	}
	for (size_t i = 0; i < m->nconditions; i++) {
		printf(
		    _("Condition: %s\n"), form_text_get(&m->conditions[i], zh));
	}
	printf(_("\nFields:\n"));
	for (size_t i = 0; i < m->nfields; i++) {
		const struct form_field *f = &m->fields[i];

		printf("  %-24s %-12s %s%s", f->id, form_ftype_name(f->type),
		    form_text_get(&f->label, zh), f->required ? " *" : "");
		if (f->shown_when != NULL) {
			printf(_(" shown when"));
			print_cond(f->shown_when);
		}
		if (f->required_when != NULL) {
			printf(_(" required when"));
			print_cond(f->required_when);
		}
		printf("\n");
		for (size_t k = 0; k < f->noptions; k++) {
			printf("      %s = %s\n", f->options[k].value,
			    form_text_get(&f->options[k].label, zh));
		}
	}
	printf(_("\nMaterials:\n"));
	for (size_t i = 0; i < m->nmaterials; i++) {
		const struct form_material *mt = &m->materials[i];

		printf("  %-24s %s (%s", mt->id, form_text_get(&mt->name, zh),
		    need_name(mt));
		if (mt->required_when != NULL) {
			print_cond(mt->required_when);
		}
		printf("; ");
		print_material_forms(mt);
		printf(_(" x%d"), mt->copies);
		if (mt->secondary) {
			printf(_("; secondary, %d working days later"),
			    mt->gap_days);
		}
		printf(")\n");
	}
	form_catalog_free(&cat);
	return 0;
}

/* ---- validate and notice ---------------------------------------------- */

/* Split "a,b,c" into a NULL-terminated array (strings point into copy). */
static char **
split_list(const char *s, char **copy, size_t *n)
{
	char **list;
	size_t cap = 1;
	char *p;

	*n = 0;
	*copy = cm_strdup(s != NULL ? s : "");
	if (*copy == NULL) {
		return NULL;
	}
	for (p = *copy; *p != '\0'; p++) {
		cap += *p == ',';
	}
	list = cm_calloc(cap + 1, sizeof(*list));
	if (list == NULL) {
		cm_free(*copy);
		return NULL;
	}
	for (p = strtok(*copy, ","); p != NULL; p = strtok(NULL, ",")) {
		if (*p != '\0') {
			list[(*n)++] = p;
		}
	}
	return list;
}

struct application {
	struct form_catalog cat;
	struct form_calendar *cal;
	const struct form_matter *m;
	struct form_values in, out;
	struct form_report rep;
	struct form_mat_result mat;
	struct form_deadline dl;
	char **handed;
	char *handed_copy;
	size_t nhanded;
	int32_t today;
	bool no_dates; /* the calendar does not reach the due dates */
};

static void
application_free(struct application *a)
{
	form_values_free(&a->in);
	form_values_free(&a->out);
	form_report_free(&a->rep);
	form_mat_result_free(&a->mat);
	cm_free(a->handed);
	cm_free(a->handed_copy);
	form_calendar_free(a->cal);
	form_catalog_free(&a->cat);
}

/* Load, validate and check materials; 0, or an exit code. */
static int
application_run(
    const struct opts *o, int argc, char **argv, struct application *a)
{
	struct form_deadline_in din;
	struct form_mat_opts mo;
	int rc;

	memset(a, 0, sizeof(*a));
	form_values_init(&a->in);
	form_values_init(&a->out);
	form_report_init(&a->rep);
	form_mat_result_init(&a->mat);
	if (argc < 1) {
		fprintf(stderr, _("ow-forms: a matter code is needed\n"));
		return EXIT_USAGE;
	}
	if ((rc = today_of(o, &a->today)) != 0) {
		return rc;
	}
	if (open_catalog(o, &a->cat) != 0 || open_calendar(o, &a->cal) != 0) {
		return EXIT_PROBLEM;
	}
	a->m = form_catalog_find(&a->cat, argv[0]);
	if (a->m == NULL) {
		fprintf(
		    stderr, _("ow-forms: no matter with code %s\n"), argv[0]);
		return EXIT_PROBLEM;
	}
	for (int i = 1; i < argc; i++) {
		rc = form_values_set_kv(&a->in, argv[i]);
		if (rc == CM_EINVAL) {
			fprintf(stderr,
			    _("ow-forms: \"%s\" is not KEY=VALUE\n"), argv[i]);
			return EXIT_USAGE;
		} else if (rc != 0) {
			fprintf(stderr, "ow-forms: %s\n", cm_strerror(rc));
			return EXIT_PROBLEM;
		}
	}
	if (form_validate(a->m, &a->in, a->today, &a->out, &a->rep) != 0) {
		fprintf(stderr, "ow-forms: %s\n", cm_strerror(CM_ENOMEM));
		return EXIT_PROBLEM;
	}
	a->handed = split_list(o->materials, &a->handed_copy, &a->nhanded);
	if (a->handed == NULL) {
		fprintf(stderr, "ow-forms: %s\n", cm_strerror(CM_ENOMEM));
		return EXIT_PROBLEM;
	}
	/* Accepted today: the deadlines the gap dates are bounded by. */
	memset(&din, 0, sizeof(din));
	din.accepted = a->today;
	din.today = a->today;
	din.legal_limit = a->m->legal_limit;
	din.promised_limit = a->m->promised_limit;
	form_thresholds_default(&din.thresholds);
	rc = form_deadline_compute(a->cal, &din, &a->dl);
	if (rc == CM_ENODATA) {
		/* Near the end of the calendar the due dates are unknown; the
		 * report is still worth having. */
		fprintf(stderr,
		    _("ow-forms: the calendar does not reach the due dates; they are left out\n"));
		a->no_dates = true;
	} else if (rc != 0) {
		return calendar_error(rc);
	}
	mo.applicant_eligible = !o->no_gaps;
	mo.cal = a->no_dates ? NULL : a->cal;
	mo.accepted = a->today;
	mo.promised_due = a->dl.promised_due;
	rc = form_materials_check(a->m, &a->out, (const char *const *)a->handed,
	    a->nhanded, &mo, &a->mat);
	if (rc != 0) {
		return calendar_error(rc);
	}
	return 0;
}

static const char *
outcome_text(const struct application *a)
{
	if (form_report_blocks(&a->rep, false) ||
	    a->mat.outcome == FORM_MAT_INCOMPLETE) {
		return _("not acceptable: issue the one-time notice");
	}
	if (a->mat.outcome == FORM_MAT_GAPS) {
		return _("acceptable with gaps (容缺受理)");
	}
	return _("acceptable");
}

static int
cmd_validate(const struct opts *o, int argc, char **argv)
{
	struct application a;
	char msg[512], day[CM_DATE_ISO_LEN];
	int rc = application_run(o, argc, argv, &a);

	if (rc != 0) {
		application_free(&a);
		return rc;
	}
	if (o->json) {
		json_t *probs = json_array(), *missing = json_array(),
		       *unknown = json_array(), *values = json_object();

		for (size_t i = 0; i < a.rep.n; i++) {
			const struct form_problem *p = &a.rep.items[i];

			form_problem_message(p, a.m, o->zh, msg, sizeof(msg));
			json_array_append_new(probs,
			    json_pack("{s:s, s:s, s:s, s:s}", "field", p->field,
			        "code", form_pcode_name(p->code) + 7,
			        "severity", form_severity_name(p->severity),
			        "message", msg));
		}
		for (size_t i = 0; i < a.mat.nmissing; i++) {
			const struct form_mat_missing *mm = &a.mat.missing[i];
			json_t *mj =
			    json_pack("{s:s, s:s, s:b}", "id", mm->mat->id,
			        "name", form_text_get(&mm->mat->name, o->zh),
			        "secondary", mm->mat->secondary);

			if (mm->due != 0) {
				json_object_set_new(mj, "due",
				    json_string(cm_date_format(mm->due, day)));
			}
			json_array_append_new(missing, mj);
		}
		for (size_t i = 0; i < a.mat.nunknown; i++) {
			json_array_append_new(
			    unknown, json_string(a.mat.unknown[i]));
		}
		for (size_t i = 0; i < a.out.n; i++) {
			json_object_set_new(values, a.out.items[i].key,
			    json_string(a.out.items[i].value));
		}
		print_json(json_pack(
		    "{s:s, s:i, s:i, s:i, s:o, s:o, s:{s:s, s:o, s:o, s:b}}",
		    "matter", a.m->code, "errors", (int)a.rep.errors,
		    "warnings", (int)a.rep.warnings, "notices",
		    (int)a.rep.notices, "problems", probs, "values", values,
		    "materials", "outcome",
		    form_mat_outcome_name(a.mat.outcome), "missing", missing,
		    "unknown", unknown, "gaps_refused_ineligible",
		    a.mat.gaps_refused_ineligible));
	} else {
		printf(_("%s: %zu errors, %zu warnings, %zu notices\n"),
		    a.m->code, a.rep.errors, a.rep.warnings, a.rep.notices);
		for (size_t i = 0; i < a.rep.n; i++) {
			const struct form_problem *p = &a.rep.items[i];

			printf("  %s %s: %s\n",
			    form_severity_label(p->severity), p->field,
			    form_problem_message(
			        p, a.m, o->zh, msg, sizeof(msg)));
		}
		printf(_("Materials: %s\n"),
		    form_mat_outcome_label(a.mat.outcome));
		for (size_t i = 0; i < a.mat.nmissing; i++) {
			const struct form_mat_missing *mm = &a.mat.missing[i];

			printf(_("  missing %s: %s%s"), mm->mat->id,
			    form_text_get(&mm->mat->name, o->zh),
			    mm->mat->secondary ? _(" (secondary)") : "");
			if (mm->due != 0) {
				printf(_(", hand in by %s"),
				    cm_date_format(mm->due, day));
			}
			printf("\n");
		}
		for (size_t i = 0; i < a.mat.nunknown; i++) {
			printf(_("  unknown material %s\n"), a.mat.unknown[i]);
		}
		if (a.mat.gaps_refused_ineligible) {
			printf(_("  only secondary materials are missing, but "
			         "this applicant may not use 容缺\n"));
		}
		printf(_("Outcome: %s\n"), outcome_text(&a));
	}
	rc = a.rep.errors > 0 ? EXIT_PROBLEM : 0;
	application_free(&a);
	return rc;
}

static int
read_key(const char *path, unsigned char *key, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	int rc;

	if (path == NULL) {
		/* A fixed demo key: fine for trying the tool, useless for
		 * real paper (anyone could forge a code). */
		static const char demo[] = "onewindow-demo-verification-key";

		fprintf(stderr, _("ow-forms: no --key-file: using the demo "
		                  "key; codes are not secure\n"));
		memcpy(key, demo, sizeof(demo) - 1);
		*len = sizeof(demo) - 1;
		return 0;
	}
	rc = cm_file_read(path, 64, &buf, &n);
	if (rc != 0 || n < 16) {
		fprintf(stderr,
		    _("ow-forms: %s: the key file must hold 16..64 bytes\n"),
		    path);
		cm_free(buf);
		return EXIT_USAGE;
	}
	memcpy(key, buf, n);
	*len = n;
	cm_free(buf);
	return 0;
}

static int
cmd_notice(const struct opts *o, int argc, char **argv)
{
	struct application a;
	struct form_notice_in ni;
	struct form_notice n;
	unsigned char key[64];
	size_t keylen = 0;
	int rc;

	if (o->case_no == NULL) {
		fprintf(stderr, _("ow-forms: notice needs --case-no\n"));
		return EXIT_USAGE;
	}
	if ((rc = read_key(o->key_file, key, &keylen)) != 0) {
		return rc;
	}
	rc = application_run(o, argc, argv, &a);
	if (rc != 0) {
		application_free(&a);
		return rc;
	}
	memset(&ni, 0, sizeof(ni));
	ni.case_no = o->case_no;
	ni.m = a.m;
	ni.applicant = o->applicant != NULL ? o->applicant : "";
	ni.hall = o->hall;
	ni.clerk = o->clerk;
	ni.date = a.today;
	ni.promised_due = a.dl.promised_due;
	ni.legal_due = a.dl.legal_due;
	ni.report = &a.rep;
	ni.mat = &a.mat;
	ni.received = (const char *const *)a.handed;
	ni.nreceived = a.nhanded;
	ni.key = key;
	ni.keylen = keylen;
	ni.zh = o->zh;
	if (o->refuse != NULL) {
		ni.kind = FORM_NOTICE_REFUSAL;
		ni.reason = o->refuse;
	} else if (form_report_blocks(&a.rep, false) ||
	           a.mat.outcome == FORM_MAT_INCOMPLETE) {
		ni.kind = FORM_NOTICE_ONETIME;
		/* Art. 32: the applicant is told at once; come back within 5
		 * working days is the hall's usual wording. */
		if (form_calendar_add_workdays(
		        a.cal, a.today, 5, &ni.supplement_due) != 0) {
			fprintf(stderr,
			    _("ow-forms: the calendar does not reach the supplement date; it is left out\n"));
			ni.supplement_due = 0;
		}
	} else if (a.mat.outcome == FORM_MAT_GAPS) {
		ni.kind = FORM_NOTICE_GAPS;
	} else {
		ni.kind = FORM_NOTICE_ACCEPTANCE;
	}
	rc = form_notice_build(&ni, &n);
	if (rc != 0) {
		fprintf(stderr, "ow-forms: %s\n", cm_strerror(rc));
		application_free(&a);
		return EXIT_PROBLEM;
	}
	if (o->json) {
		json_t *items = json_array();
		char day[CM_DATE_ISO_LEN];

		for (size_t i = 0; i < n.nitems; i++) {
			json_t *ij = json_pack("{s:s, s:s}", "what",
			    n.items[i].what, "detail", n.items[i].detail);

			if (n.items[i].due != 0) {
				json_object_set_new(ij, "due",
				    json_string(
				        cm_date_format(n.items[i].due, day)));
			}
			json_array_append_new(items, ij);
		}
		print_json(json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "kind",
		    form_notice_kind_name(n.kind), "case_no", n.case_no,
		    "verify", n.verify, "title", n.title, "items", items,
		    "text", n.text));
	} else {
		fputs(n.text, stdout);
	}
	form_notice_free(&n);
	application_free(&a);
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* ---- workdays, deadline, calendar -------------------------------------- */

static int
cmd_workdays(const struct opts *o, int argc, char **argv)
{
	struct form_calendar *cal = NULL;
	char day[CM_DATE_ISO_LEN];
	int32_t a, b, r;
	int rc = EXIT_USAGE;

	if (argc < 2) {
		fprintf(stderr, _("ow-forms: workdays add DATE N | between "
		                  "DATE DATE | is DATE\n"));
		return EXIT_USAGE;
	}
	if (open_calendar(o, &cal) != 0) {
		form_calendar_free(cal);
		return EXIT_PROBLEM;
	}
	if (strcmp(argv[0], "add") == 0 && argc == 3) {
		char *end;
		long n = strtol(argv[2], &end, 10);

		if ((rc = parse_date_arg("DATE", argv[1], &a)) != 0) {
			goto out;
		}
		if (*end != '\0' || end == argv[2] || n < 0 || n > 3660) {
			fprintf(stderr,
			    _("ow-forms: N must be a whole number 0..3660\n"));
			rc = EXIT_USAGE;
			goto out;
		}
		rc = form_calendar_add_workdays(cal, a, (int)n, &r);
		if (rc != 0) {
			rc = calendar_error(rc);
			goto out;
		}
		if (o->json) {
			print_json(json_pack("{s:s, s:i, s:s}", "from", argv[1],
			    "days", (int)n, "date", cm_date_format(r, day)));
		} else {
			printf("%s\n", cm_date_format(r, day));
		}
	} else if (strcmp(argv[0], "between") == 0 && argc == 3) {
		int n;

		if ((rc = parse_date_arg("DATE", argv[1], &a)) != 0 ||
		    (rc = parse_date_arg("DATE", argv[2], &b)) != 0) {
			goto out;
		}
		rc = form_calendar_workdays_between(cal, a, b, &n);
		if (rc != 0) {
			rc = calendar_error(rc);
			goto out;
		}
		if (o->json) {
			print_json(json_pack("{s:s, s:s, s:i}", "from", argv[1],
			    "to", argv[2], "workdays", n));
		} else {
			printf("%d\n", n);
		}
	} else if (strcmp(argv[0], "is") == 0 && argc == 2) {
		bool w;
		const char *name;

		if ((rc = parse_date_arg("DATE", argv[1], &a)) != 0) {
			goto out;
		}
		rc = form_calendar_is_workday(cal, a, &w);
		if (rc != 0) {
			rc = calendar_error(rc);
			goto out;
		}
		name = form_calendar_day_name(cal, a);
		if (o->json) {
			print_json(json_pack("{s:s, s:b, s:s?}", "date",
			    argv[1], "workday", w, "name", name));
		} else {
			printf("%s%s%s\n", w ? _("working day") : _("day off"),
			    name != NULL ? " " : "", name != NULL ? name : "");
		}
	} else {
		fprintf(stderr, _("ow-forms: workdays add DATE N | between "
		                  "DATE DATE | is DATE\n"));
		rc = EXIT_USAGE;
	}
out:
	form_calendar_free(cal);
	return rc;
}

static int
parse_pause(const char *s, struct form_pause *p)
{
	const char *colon = strchr(s, ':');
	char from[CM_DATE_ISO_LEN];

	if (colon == NULL || (size_t)(colon - s) >= sizeof(from)) {
		return -1;
	}
	memcpy(from, s, (size_t)(colon - s));
	from[colon - s] = '\0';
	if (cm_date_parse(from, &p->from) != 0) {
		return -1;
	}
	if (colon[1] == '\0') {
		p->to = INT32_MAX;
	} else if (cm_date_parse(colon + 1, &p->to) != 0) {
		return -1;
	}
	p->kind = FORM_PAUSE_SUPPLEMENT;
	return 0;
}

static int
cmd_deadline(const struct opts *o, int argc, char **argv)
{
	struct form_catalog cat;
	struct form_calendar *cal = NULL;
	struct form_deadline_in in;
	struct form_deadline dl;
	struct form_pause pauses[MAX_PAUSES];
	const struct form_matter *m;
	char d1[CM_DATE_ISO_LEN], d2[CM_DATE_ISO_LEN];
	int rc;

	memset(&in, 0, sizeof(in));
	if (argc != 1 || o->accepted == NULL) {
		fprintf(stderr,
		    _("ow-forms: deadline CODE --accepted DATE [--paused "
		      "FROM:TO]... [--extended N] [--today DATE]\n"));
		return EXIT_USAGE;
	}
	if ((rc = parse_date_arg("--accepted", o->accepted, &in.accepted)) !=
	        0 ||
	    (rc = today_of(o, &in.today)) != 0) {
		return rc;
	}
	for (int i = 0; i < o->npaused; i++) {
		if (parse_pause(o->paused[i], &pauses[i]) != 0) {
			fprintf(stderr,
			    _("ow-forms: --paused \"%s\" is not FROM:TO "
			      "(dates; TO may be empty)\n"),
			    o->paused[i]);
			return EXIT_USAGE;
		}
	}
	form_thresholds_default(&in.thresholds);
	if (o->thresholds != NULL &&
	    sscanf(o->thresholds, "%d,%d", &in.thresholds.yellow,
	        &in.thresholds.red) != 2) {
		fprintf(stderr, _("ow-forms: --thresholds wants YELLOW,RED in "
		                  "per mille, e.g. 500,900\n"));
		return EXIT_USAGE;
	}
	if (open_catalog(o, &cat) != 0) {
		return EXIT_PROBLEM;
	}
	m = form_catalog_find(&cat, argv[0]);
	if (m == NULL) {
		fprintf(
		    stderr, _("ow-forms: no matter with code %s\n"), argv[0]);
		form_catalog_free(&cat);
		return EXIT_PROBLEM;
	}
	if (o->extended != 0 && o->extended > m->extension) {
		fprintf(stderr,
		    _("ow-forms: %s allows an extension of at most %d working "
		      "days\n"),
		    m->code, m->extension);
		form_catalog_free(&cat);
		return EXIT_USAGE;
	}
	if (open_calendar(o, &cal) != 0) {
		form_calendar_free(cal);
		form_catalog_free(&cat);
		return EXIT_PROBLEM;
	}
	in.legal_limit = m->legal_limit;
	in.promised_limit = m->promised_limit;
	in.extension = o->extended;
	in.pauses = pauses;
	in.npauses = (size_t)o->npaused;
	rc = form_deadline_compute(cal, &in, &dl);
	if (rc == CM_EINVAL) {
		fprintf(stderr,
		    _("ow-forms: the dates do not fit together (a pause before "
		      "acceptance, or today before it?)\n"));
		rc = EXIT_USAGE;
	} else if (rc != 0) {
		rc = calendar_error(rc);
	} else if (o->json) {
		print_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, "
		                     "s:i, s:i, s:i, s:s, s:b}",
		    "matter", m->code, "accepted", o->accepted, "today",
		    cm_date_format(in.today, d1), "legal_due",
		    cm_date_format(dl.legal_due, d2), "promised_due",
		    cm_date_format(dl.promised_due, (char[CM_DATE_ISO_LEN]){0}),
		    "used", dl.used, "paused", dl.paused, "promised_left",
		    dl.promised_left, "legal_left", dl.legal_left, "permille",
		    dl.permille, "extension", in.extension, "level",
		    form_warning_name(dl.level), "paused_now",
		    dl.running_pause));
	} else {
		printf(_("Legal due date:    %s\n"),
		    cm_date_format(dl.legal_due, d1));
		printf(_("Promised due date: %s\n"),
		    cm_date_format(dl.promised_due, d2));
		printf(_("Working days used: %d (paused %d); promised left %d, "
		         "legal left %d\n"),
		    dl.used, dl.paused, dl.promised_left, dl.legal_left);
		printf(
		    _("Warning level on %s: %s (%d‰ of the promised time)%s\n"),
		    cm_date_format(in.today, d1), form_warning_name(dl.level),
		    dl.permille, dl.running_pause ? _(", clock paused") : "");
	}
	form_calendar_free(cal);
	form_catalog_free(&cat);
	return rc;
}

static int
cmd_calendar(const struct opts *o, int argc, char **argv)
{
	if (argc == 1 && strcmp(argv[0], "coverage") == 0) {
		struct form_calendar *cal = NULL;
		int first, last, rc;
		bool contiguous;

		if (open_calendar(o, &cal) != 0) {
			form_calendar_free(cal);
			return EXIT_PROBLEM;
		}
		rc = form_calendar_coverage(cal, &first, &last, &contiguous);
		form_calendar_free(cal);
		if (rc != 0) {
			fprintf(stderr,
			    _("ow-forms: the calendar holds no year\n"));
			return EXIT_PROBLEM;
		}
		if (o->json) {
			print_json(
			    json_pack("{s:i, s:i, s:b}", "first_year", first,
			        "last_year", last, "contiguous", contiguous));
		} else {
			printf(_("%d..%d%s\n"), first, last,
			    contiguous ? "" : _(" (with gaps)"));
		}
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "convert") == 0) {
		struct form_diags d;
		char *buf = NULL, *out = NULL;
		size_t len = 0;
		int rc = cm_file_read(argv[1], MAX_FILE, &buf, &len);

		if (rc != 0) {
			fprintf(stderr, _("ow-forms: %s: %s\n"), argv[1],
			    cm_strerror(rc));
			return EXIT_PROBLEM;
		}
		form_diags_init(&d);
		rc = form_calendar_convert_holiday_cn(
		    argv[1], buf, len, &out, &d);
		form_diags_print(&d, stderr);
		form_diags_free(&d);
		cm_free(buf);
		if (rc != 0) {
			return EXIT_PROBLEM;
		}
		fputs(out, stdout);
		cm_free(out);
		return 0;
	}
	fprintf(
	    stderr, _("ow-forms: calendar coverage | calendar convert FILE\n"));
	return EXIT_USAGE;
}

/* ---- main ------------------------------------------------------------- */

enum {
	OPT_CATALOG = 256,
	OPT_CALENDAR,
	OPT_JSON,
	OPT_MATERIALS,
	OPT_TODAY,
	OPT_ACCEPTED,
	OPT_PAUSED,
	OPT_EXTENDED,
	OPT_THRESHOLDS,
	OPT_CASE_NO,
	OPT_APPLICANT,
	OPT_REFUSE,
	OPT_KEY_FILE,
	OPT_HALL,
	OPT_CLERK,
	OPT_NO_GAPS,
	OPT_VERSION,
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"catalog", required_argument, NULL, OPT_CATALOG},
	    {"calendar", required_argument, NULL, OPT_CALENDAR},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"materials", required_argument, NULL, OPT_MATERIALS},
	    {"today", required_argument, NULL, OPT_TODAY},
	    {"accepted", required_argument, NULL, OPT_ACCEPTED},
	    {"paused", required_argument, NULL, OPT_PAUSED},
	    {"extended", required_argument, NULL, OPT_EXTENDED},
	    {"thresholds", required_argument, NULL, OPT_THRESHOLDS},
	    {"case-no", required_argument, NULL, OPT_CASE_NO},
	    {"applicant", required_argument, NULL, OPT_APPLICANT},
	    {"refuse", required_argument, NULL, OPT_REFUSE},
	    {"key-file", required_argument, NULL, OPT_KEY_FILE},
	    {"hall", required_argument, NULL, OPT_HALL},
	    {"clerk", required_argument, NULL, OPT_CLERK},
	    {"no-gaps", no_argument, NULL, OPT_NO_GAPS},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct opts o;
	const char *cmd;
	char *end;
	int c;
	int bad;

	memset(&o, 0, sizeof(o));
	if (cm_i18n_init(OW_BUILD_LOCALE_DIR, OW_INSTALL_LOCALE_DIR) != 0) {
		fprintf(stderr,
		    "ow-forms: the locale's character set is not UTF-8; set "
		    "LANG or LC_ALL to a UTF-8 locale (e.g. C.UTF-8)\n");
		return EXIT_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ow-forms: %s\n", cm_strerror(CM_EINTERNAL));
		return EXIT_PROBLEM;
	}
	o.zh = cm_i18n_is_zh();
	/* Everything the tool handles is UTF-8 text: refuse anything else
	 * up front, rather than printing or hashing broken bytes. */
	if ((bad = cm_utf8_bad_arg(argc, argv)) != 0) {
		fprintf(stderr, _("ow-forms: argument %d is not valid UTF-8\n"),
		    bad);
		return EXIT_USAGE;
	}
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CATALOG:
			o.catalog = optarg;
			break;
		case OPT_CALENDAR:
			if (o.ncalendars == MAX_CAL_PATHS) {
				fprintf(stderr, _("ow-forms: too many "
				                  "--calendar options\n"));
				return EXIT_USAGE;
			}
			o.calendars[o.ncalendars++] = optarg;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_MATERIALS:
			o.materials = optarg;
			break;
		case OPT_TODAY:
			o.today = optarg;
			break;
		case OPT_ACCEPTED:
			o.accepted = optarg;
			break;
		case OPT_PAUSED:
			if (o.npaused == MAX_PAUSES) {
				fprintf(stderr,
				    _("ow-forms: too many --paused options\n"));
				return EXIT_USAGE;
			}
			o.paused[o.npaused++] = optarg;
			break;
		case OPT_EXTENDED:
			o.extended = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || o.extended < 1 ||
			    o.extended > 15) {
				fprintf(stderr, _("ow-forms: --extended must "
				                  "be 1..15 working days\n"));
				return EXIT_USAGE;
			}
			break;
		case OPT_THRESHOLDS:
			o.thresholds = optarg;
			break;
		case OPT_CASE_NO:
			o.case_no = optarg;
			break;
		case OPT_APPLICANT:
			o.applicant = optarg;
			break;
		case OPT_REFUSE:
			o.refuse = optarg;
			break;
		case OPT_KEY_FILE:
			o.key_file = optarg;
			break;
		case OPT_HALL:
			o.hall = optarg;
			break;
		case OPT_CLERK:
			o.clerk = optarg;
			break;
		case OPT_NO_GAPS:
			o.no_gaps = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("ow-forms (OneWindow) %s\n", "0.1.0");
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* GNU getopt has moved the options of any position to the front, so
	 * `validate CODE k=v --json` works as the help shows it. */
	cmd = argv[optind++];
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "lint") == 0) {
		return cmd_lint(&o, argc, argv);
	} else if (strcmp(cmd, "list") == 0) {
		return cmd_list(&o);
	} else if (strcmp(cmd, "show") == 0) {
		return cmd_show(&o, argc, argv);
	} else if (strcmp(cmd, "validate") == 0) {
		return cmd_validate(&o, argc, argv);
	} else if (strcmp(cmd, "notice") == 0) {
		return cmd_notice(&o, argc, argv);
	} else if (strcmp(cmd, "workdays") == 0) {
		return cmd_workdays(&o, argc, argv);
	} else if (strcmp(cmd, "deadline") == 0) {
		return cmd_deadline(&o, argc, argv);
	} else if (strcmp(cmd, "calendar") == 0) {
		return cmd_calendar(&o, argc, argv);
	}
	fprintf(stderr,
	    _("ow-forms: unknown command \"%s\"; see ow-forms --help\n"), cmd);
	return EXIT_USAGE;
}
