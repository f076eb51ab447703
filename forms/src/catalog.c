/*
 * catalog.c: the matter-file loader and the catalog it fills.
 *
 * A matter file is parsed by jansson, then checked key by key against the
 * format of docs/catalog.md. The checks go on after the first problem so
 * that an author sees everything wrong with a file at once; each problem
 * is located (line, column) with the scanner of jsonpos.c. A file with any
 * problem is not added: a half-understood matter must never reach a
 * counter.
 */
#include "forms/catalog.h"
#include "forms/problem.h"
#include "forms/validate.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "jsonpos.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN  512
#define MAX_DIAGS     50
#define MAX_FIELDS    100
#define MAX_MATERIALS 100
#define MAX_OPTIONS   200
#define MAX_LIMIT     120

static const char *const ftype_names[] = {
#define FORM_XX_FTN(name, str) str,
    FORM_FIELD_TYPE_MAP(FORM_XX_FTN)
#undef FORM_XX_FTN
};

const char *
form_ftype_name(enum form_ftype t)
{
	return (unsigned)t < FORM_FT__COUNT ? ftype_names[t] : "?";
}

int
form_ftype_parse(const char *s, enum form_ftype *out)
{
	for (int i = 0; i < FORM_FT__COUNT; i++) {
		if (strcmp(s, ftype_names[i]) == 0) {
			*out = (enum form_ftype)i;
			return 0;
		}
	}
	return CM_ENOTFOUND;
}

const char *
form_text_get(const struct form_text *t, bool zh)
{
	const char *first = zh ? t->zh : t->en;
	const char *second = zh ? t->en : t->zh;

	if (first != NULL && first[0] != '\0') {
		return first;
	}
	return second != NULL ? second : "";
}

static const struct {
	const char *code, *zh, *en;
} mtypes[] = {
    {"XK", "行政许可", "administrative licence"},
    {"QR", "行政确认", "administrative confirmation"},
    {"JF", "行政给付", "administrative benefit"},
    {"GG", "公共服务", "public service"},
    {"ZS", "行政征收", "administrative levy"},
    {"JL", "行政奖励", "administrative award"},
    {"CJ", "行政裁决", "administrative ruling"},
    {"QT", "其他行政权力", "other administrative power"},
};

const char *
form_mtype_label(const char *code, bool zh)
{
	for (size_t i = 0; i < sizeof(mtypes) / sizeof(mtypes[0]); i++) {
		if (strcmp(code, mtypes[i].code) == 0) {
			return zh ? mtypes[i].zh : mtypes[i].en;
		}
	}
	return NULL;
}

static const char *const profile_keys[] = {"person.name", "person.id",
    "person.mobile", "person.address", "person.region", "org.name", "org.uscc",
    "org.address", "org.legal_rep", "org.phone", NULL};

const struct form_field *
form_matter_field(const struct form_matter *m, const char *id)
{
	for (size_t i = 0; i < m->nfields; i++) {
		if (strcmp(m->fields[i].id, id) == 0) {
			return &m->fields[i];
		}
	}
	return NULL;
}

const struct form_material *
form_matter_material(const struct form_matter *m, const char *id)
{
	for (size_t i = 0; i < m->nmaterials; i++) {
		if (strcmp(m->materials[i].id, id) == 0) {
			return &m->materials[i];
		}
	}
	return NULL;
}

/* ---- freeing ---------------------------------------------------------- */

static void
text_free(struct form_text *t)
{
	cm_free(t->zh);
	cm_free(t->en);
	t->zh = t->en = NULL;
}

static void
cond_free(struct form_cond *c)
{
	if (c == NULL) {
		return;
	}
	cm_free(c->field);
	for (size_t i = 0; i < c->nvalues; i++) {
		cm_free(c->values[i]);
	}
	cm_free(c->values);
	cm_free(c);
}

void
form_matter_free(struct form_matter *m)
{
	if (m == NULL) {
		return;
	}
	cm_free(m->code);
	cm_free(m->type);
	cm_free(m->source);
	text_free(&m->name);
	text_free(&m->department);
	text_free(&m->legal_basis);
	for (size_t i = 0; i < m->nconditions; i++) {
		text_free(&m->conditions[i]);
	}
	cm_free(m->conditions);
	for (size_t i = 0; i < m->nfees; i++) {
		text_free(&m->fees[i].item);
	}
	cm_free(m->fees);
	for (size_t i = 0; i < m->nfields; i++) {
		struct form_field *f = &m->fields[i];

		cm_free(f->id);
		cm_free(f->profile);
		text_free(&f->label);
		text_free(&f->help);
		for (size_t j = 0; j < f->noptions; j++) {
			cm_free(f->options[j].value);
			text_free(&f->options[j].label);
		}
		cm_free(f->options);
		cond_free(f->shown_when);
		cond_free(f->required_when);
	}
	cm_free(m->fields);
	for (size_t i = 0; i < m->nmaterials; i++) {
		struct form_material *mt = &m->materials[i];

		cm_free(mt->id);
		text_free(&mt->name);
		text_free(&mt->note);
		cond_free(mt->required_when);
	}
	cm_free(m->materials);
	for (size_t i = 0; i < m->nrules; i++) {
		cm_free(m->rules[i].field);
		cm_free(m->rules[i].other);
	}
	cm_free(m->rules);
	cm_free(m);
}

/* ---- the checking parser ---------------------------------------------- */

struct ctx {
	const char *name;
	const char *buf;
	size_t len;
	struct form_diags *diags;
	int errors;
	int oom;
};

/*
 * Report a problem at the value (or key) of path. Locating costs a scan of
 * the file, so a hostile file with thousands of mistakes gets the first
 * MAX_DIAGS of them and a count, not a quadratic run.
 */
static void __attribute__((format(printf, 4, 5)))
problem(struct ctx *c, const char *path, bool at_key, const char *fmt, ...)
{
	char msg[400];
	int line, col;
	va_list ap;

	if (++c->errors > MAX_DIAGS) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cm_utf8_trim_partial(msg);
	form_json_locate(c->buf, c->len, path, at_key, &line, &col);
	form_diags_add(c->diags, c->name, line, col, "%s", msg);
}

static char *
dup_or_oom(struct ctx *c, const char *s)
{
	char *d = cm_strdup(s);

	if (d == NULL) {
		c->oom = 1;
	}
	return d;
}

static void
join(char *out, const char *base, const char *key)
{
	int n;

	/* A path too long is cut (at a whole character): it only names a
	 * place in a message. */
	if (base[0] == '\0') {
		n = snprintf(out, PATH_MAX_LEN, "%s", key);
	} else {
		n = snprintf(out, PATH_MAX_LEN, "%s/%s", base, key);
	}
	if (n >= PATH_MAX_LEN) {
		out[PATH_MAX_LEN - 1] = '\0';
	}
	cm_utf8_trim_partial(out);
}

static void
join_index(char *out, const char *base, size_t i)
{
	if (snprintf(out, PATH_MAX_LEN, "%s/%zu", base, i) >= PATH_MAX_LEN) {
		out[PATH_MAX_LEN - 1] = '\0';
	}
}

static const char *
json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return _("an object");
	case JSON_ARRAY:
		return _("an array");
	case JSON_STRING:
		return _("a string");
	case JSON_INTEGER:
		return _("an integer");
	case JSON_REAL:
		return _("a number with a fraction");
	case JSON_TRUE:
	case JSON_FALSE:
		return _("true or false");
	case JSON_NULL:
		return _("null");
	}
	return "?";
}

/* Every key of obj must be in allowed (NULL-terminated). */
static void
check_keys(
    struct ctx *c, json_t *obj, const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		size_t i;
		char p[PATH_MAX_LEN];

		for (i = 0; allowed[i] != NULL; i++) {
			if (strcmp(key, allowed[i]) == 0) {
				break;
			}
		}
		if (allowed[i] == NULL) {
			join(p, path, key);
			problem(c, p, true, _("unknown key \"%s\""), key);
		}
	}
}

/* The member key of obj, or NULL (reported when required). */
static json_t *
member(struct ctx *c, json_t *obj, const char *path, const char *key,
    bool required)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL && required) {
		problem(c, path, false, _("missing key \"%s\""), key);
	}
	return v;
}

static bool
want_type(
    struct ctx *c, json_t *v, const char *path, json_type t, const char *what)
{
	if (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v))) {
		return true;
	}
	problem(c, path, false, _("%s must be %s, not %s"), path, what,
	    json_kind(v));
	return false;
}

/* A non-empty string without NUL characters. */
static const char *
get_string(struct ctx *c, json_t *obj, const char *path, const char *key,
    bool required)
{
	char p[PATH_MAX_LEN];
	json_t *v = member(c, obj, path, key, required);
	const char *s;

	if (v == NULL) {
		return NULL;
	}
	join(p, path, key);
	if (!want_type(c, v, p, JSON_STRING, _("a string"))) {
		return NULL;
	}
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		problem(c, p, false, _("%s contains a NUL character"), p);
		return NULL;
	}
	if (s[0] == '\0') {
		problem(c, p, false, _("%s may not be empty"), p);
		return NULL;
	}
	return s;
}

static bool
get_int(struct ctx *c, json_t *obj, const char *path, const char *key,
    bool required, long long lo, long long hi, long long *out)
{
	char p[PATH_MAX_LEN];
	json_t *v = member(c, obj, path, key, required);
	long long n;

	if (v == NULL) {
		return false;
	}
	join(p, path, key);
	if (!want_type(c, v, p, JSON_INTEGER, _("an integer"))) {
		return false;
	}
	n = json_integer_value(v);
	if (n < lo || n > hi) {
		problem(c, p, false, _("%s is %lld, outside %lld..%lld"), p, n,
		    lo, hi);
		return false;
	}
	*out = n;
	return true;
}

static bool
get_bool(
    struct ctx *c, json_t *obj, const char *path, const char *key, bool dflt)
{
	char p[PATH_MAX_LEN];
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		return dflt;
	}
	join(p, path, key);
	if (!want_type(c, v, p, JSON_TRUE, _("true or false"))) {
		return dflt;
	}
	return json_is_true(v);
}

/* Index of s in names (NULL-terminated), or -1 (reported). */
static int
get_choice(struct ctx *c, json_t *obj, const char *path, const char *key,
    bool required, const char *const *names)
{
	char p[PATH_MAX_LEN];
	const char *s = get_string(c, obj, path, key, required);

	if (s == NULL) {
		return -1;
	}
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			return i;
		}
	}
	join(p, path, key);
	problem(c, p, false, _("%s: \"%s\" is not one of the allowed values"),
	    p, s);
	return -1;
}

static const char *const text_keys[] = {"zh", "en", NULL};

/* A {"zh", "en"} text. */
static void
get_text(struct ctx *c, json_t *obj, const char *path, const char *key,
    bool required, struct form_text *out)
{
	char p[PATH_MAX_LEN];
	json_t *v = member(c, obj, path, key, required);
	const char *zh, *en;

	if (v == NULL) {
		return;
	}
	join(p, path, key);
	if (!want_type(
	        c, v, p, JSON_OBJECT, _("an object with \"zh\" and \"en\""))) {
		return;
	}
	check_keys(c, v, p, text_keys);
	zh = get_string(c, v, p, "zh", true);
	en = get_string(c, v, p, "en", true);
	if (zh != NULL && en != NULL) {
		out->zh = dup_or_oom(c, zh);
		out->en = dup_or_oom(c, en);
	}
}

static bool
is_id(const char *s, bool first_alpha)
{
	size_t n = strlen(s);

	if (n == 0 || n >= FORM_ID_MAX) {
		return false;
	}
	if (first_alpha && !(s[0] >= 'a' && s[0] <= 'z')) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) {
			return false;
		}
	}
	return true;
}

static bool
is_code(const char *s)
{
	if (strlen(s) != 10) {
		return false;
	}
	for (int i = 0; i < 10; i++) {
		if (i < 2 ? !(s[i] >= 'A' && s[i] <= 'Z')
		          : !(s[i] >= '0' && s[i] <= '9')) {
			return false;
		}
	}
	return true;
}

static const char *const cond_keys[] = {
    "field", "equals", "in", "present", NULL};

/* Parse a condition; its field is resolved later, once all fields exist. */
static struct form_cond *
get_cond(struct ctx *c, json_t *obj, const char *path, const char *key)
{
	char p[PATH_MAX_LEN];
	json_t *v = json_object_get(obj, key);
	json_t *eq, *in, *present;
	struct form_cond *cond;
	const char *field;
	int nops;

	if (v == NULL) {
		return NULL;
	}
	join(p, path, key);
	if (!want_type(c, v, p, JSON_OBJECT, _("a condition object"))) {
		return NULL;
	}
	check_keys(c, v, p, cond_keys);
	field = get_string(c, v, p, "field", true);
	eq = json_object_get(v, "equals");
	in = json_object_get(v, "in");
	present = json_object_get(v, "present");
	nops = (eq != NULL) + (in != NULL) + (present != NULL);
	if (nops != 1) {
		problem(c, p, false,
		    _("%s needs exactly one of \"equals\", \"in\" and "
		      "\"present\""),
		    p);
		return NULL;
	}
	if (field == NULL) {
		return NULL;
	}
	cond = cm_calloc(1, sizeof(*cond));
	if (cond == NULL) {
		c->oom = 1;
		return NULL;
	}
	cond->field = dup_or_oom(c, field);
	if (eq != NULL) {
		const char *s = get_string(c, v, p, "equals", true);

		cond->op = FORM_COND_EQUALS;
		if (s != NULL) {
			cond->values = cm_calloc(1, sizeof(char *));
			if (cond->values == NULL) {
				c->oom = 1;
			} else {
				cond->values[0] = dup_or_oom(c, s);
				cond->nvalues = 1;
			}
		}
	} else if (in != NULL) {
		char ip[PATH_MAX_LEN];
		size_t n = json_is_array(in) ? json_array_size(in) : 0;

		cond->op = FORM_COND_IN;
		join(ip, p, "in");
		if (!want_type(
		        c, in, ip, JSON_ARRAY, _("an array of strings"))) {
			return cond;
		}
		if (n == 0) {
			problem(c, ip, false, _("%s may not be empty"), ip);
			return cond;
		}
		cond->values = cm_calloc(n, sizeof(char *));
		if (cond->values == NULL) {
			c->oom = 1;
			return cond;
		}
		for (size_t i = 0; i < n; i++) {
			char ep[PATH_MAX_LEN];
			json_t *e = json_array_get(in, i);

			join_index(ep, ip, i);
			if (want_type(c, e, ep, JSON_STRING, _("a string"))) {
				cond->values[cond->nvalues++] =
				    dup_or_oom(c, json_string_value(e));
			}
		}
	} else {
		char pp[PATH_MAX_LEN];

		join(pp, p, "present");
		if (want_type(c, present, pp, JSON_TRUE, _("true or false"))) {
			cond->op = json_is_true(present) ? FORM_COND_PRESENT
			                                 : FORM_COND_ABSENT;
		}
	}
	return cond;
}

static const char *const field_keys[] = {"id", "label", "help", "type",
    "required", "min_len", "max_len", "min", "max", "not_future", "not_past",
    "options", "shown_when", "required_when", "profile", NULL};
static const char *const option_keys[] = {"value", "label", NULL};

static bool
type_has_length(enum form_ftype t)
{
	return t == FORM_FT_TEXT || t == FORM_FT_PERSON_NAME ||
	       t == FORM_FT_ADDRESS;
}

static void
parse_options(struct ctx *c, json_t *fv, const char *p, struct form_field *f)
{
	char op[PATH_MAX_LEN];
	json_t *opts = json_object_get(fv, "options");
	size_t n;

	join(op, p, "options");
	if (f->type != FORM_FT_ENUM) {
		if (opts != NULL) {
			problem(c, op, true,
			    _("\"options\" is only for fields of type enum"));
		}
		return;
	}
	if (opts == NULL) {
		problem(c, p, false, _("an enum field needs \"options\""));
		return;
	}
	if (!want_type(c, opts, op, JSON_ARRAY, _("an array"))) {
		return;
	}
	n = json_array_size(opts);
	if (n == 0 || n > MAX_OPTIONS) {
		problem(c, op, false, _("%s must have 1..%d options"), op,
		    MAX_OPTIONS);
		return;
	}
	f->options = cm_calloc(n, sizeof(*f->options));
	if (f->options == NULL) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char ep[PATH_MAX_LEN];
		json_t *e = json_array_get(opts, i);
		struct form_option *o = &f->options[f->noptions];
		const char *val;

		join_index(ep, op, i);
		if (!want_type(c, e, ep, JSON_OBJECT, _("an object"))) {
			continue;
		}
		check_keys(c, e, ep, option_keys);
		val = get_string(c, e, ep, "value", true);
		get_text(c, e, ep, "label", true, &o->label);
		if (val == NULL) {
			text_free(&o->label);
			continue;
		}
		if (!is_id(val, false)) {
			char vp[PATH_MAX_LEN];

			join(vp, ep, "value");
			problem(c, vp, false,
			    _("option value \"%s\" must be 1..47 of a-z, "
			      "0-9 and _"),
			    val);
		}
		for (size_t j = 0; j < f->noptions; j++) {
			if (strcmp(f->options[j].value, val) == 0) {
				char vp[PATH_MAX_LEN];

				join(vp, ep, "value");
				problem(c, vp, false,
				    _("duplicate option value \"%s\""), val);
			}
		}
		o->value = dup_or_oom(c, val);
		if (o->value == NULL) {
			/* Out of memory: the matter is dropped; keep the list
			 * consistent for freeing. */
			text_free(&o->label);
			return;
		}
		f->noptions++;
	}
}

static void
parse_field(struct ctx *c, json_t *fv, const char *p, struct form_field *f)
{
	const char *id, *type, *profile;
	long long n;
	char kp[PATH_MAX_LEN];

	check_keys(c, fv, p, field_keys);
	id = get_string(c, fv, p, "id", true);
	if (id != NULL) {
		if (!is_id(id, true)) {
			join(kp, p, "id");
			problem(c, kp, false,
			    _("field id \"%s\" must be a lower-case letter "
			      "then up to 46 of a-z, 0-9 and _"),
			    id);
		}
		f->id = dup_or_oom(c, id);
	}
	get_text(c, fv, p, "label", true, &f->label);
	get_text(c, fv, p, "help", false, &f->help);
	type = get_string(c, fv, p, "type", true);
	f->type = FORM_FT_TEXT;
	if (type != NULL && form_ftype_parse(type, &f->type) != 0) {
		join(kp, p, "type");
		problem(c, kp, false, _("unknown field type \"%s\""), type);
	}
	f->required = get_bool(c, fv, p, "required", false);

	if (get_int(c, fv, p, "min_len", false, 1, 10000, &n)) {
		f->min_len = (int)n;
	}
	if (get_int(c, fv, p, "max_len", false, 1, 10000, &n)) {
		f->max_len = (int)n;
	}
	if ((f->min_len != 0 || f->max_len != 0) && !type_has_length(f->type)) {
		join(kp, p, f->min_len != 0 ? "min_len" : "max_len");
		problem(c, kp, true,
		    _("lengths apply only to text, person_name and address "
		      "fields"));
	}
	if (f->min_len != 0 && f->max_len != 0 && f->min_len > f->max_len) {
		join(kp, p, "min_len");
		problem(c, kp, false, _("min_len is greater than max_len"));
	}
	if (get_int(c, fv, p, "min", false, -1000000000000000LL,
	        1000000000000000LL, &n)) {
		f->has_min = true;
		f->min = n;
	}
	if (get_int(c, fv, p, "max", false, -1000000000000000LL,
	        1000000000000000LL, &n)) {
		f->has_max = true;
		f->max = n;
	}
	if ((f->has_min || f->has_max) && f->type != FORM_FT_INTEGER &&
	    f->type != FORM_FT_MONEY) {
		join(kp, p, f->has_min ? "min" : "max");
		problem(c, kp, true,
		    _("min and max apply only to integer and money fields"));
	}
	if (f->has_min && f->has_max && f->min > f->max) {
		join(kp, p, "min");
		problem(c, kp, false, _("min is greater than max"));
	}
	f->not_future = get_bool(c, fv, p, "not_future", false);
	f->not_past = get_bool(c, fv, p, "not_past", false);
	if ((f->not_future || f->not_past) && f->type != FORM_FT_DATE) {
		join(kp, p, f->not_future ? "not_future" : "not_past");
		problem(c, kp, true,
		    _("not_future and not_past apply only to date fields"));
	}
	if (f->not_future && f->not_past) {
		join(kp, p, "not_past");
		problem(c, kp, true,
		    _("a date cannot be both not_future and not_past"));
	}
	parse_options(c, fv, p, f);
	f->shown_when = get_cond(c, fv, p, "shown_when");
	f->required_when = get_cond(c, fv, p, "required_when");
	if (f->required_when != NULL && f->required) {
		join(kp, p, "required_when");
		problem(c, kp, true,
		    _("a field with required_when may not also be "
		      "required: true"));
	}
	profile = get_choice(c, fv, p, "profile", false, profile_keys) >= 0
	              ? json_string_value(json_object_get(fv, "profile"))
	              : NULL;
	if (profile != NULL) {
		f->profile = dup_or_oom(c, profile);
	}
}

static const char *const material_keys[] = {"id", "name", "note", "need",
    "required_when", "forms", "copies", "secondary", "gap_days", NULL};
static const char *const need_names[] = {
    "required", "optional", "conditional", NULL};
static const char *const mform_names[] = {"original", "copy", "elicence", NULL};

static void
parse_material(struct ctx *c, json_t *mv, const char *p, struct form_matter *m,
    struct form_material *mt)
{
	const char *id;
	char kp[PATH_MAX_LEN];
	json_t *forms;
	long long n;
	int need;

	check_keys(c, mv, p, material_keys);
	id = get_string(c, mv, p, "id", true);
	if (id != NULL) {
		if (!is_id(id, true)) {
			join(kp, p, "id");
			problem(c, kp, false,
			    _("material id \"%s\" must be a lower-case "
			      "letter then up to 46 of a-z, 0-9 and _"),
			    id);
		}
		mt->id = dup_or_oom(c, id);
	}
	get_text(c, mv, p, "name", true, &mt->name);
	get_text(c, mv, p, "note", false, &mt->note);
	need = get_choice(c, mv, p, "need", true, need_names);
	mt->need = need >= 0 ? (enum form_need)need : FORM_NEED_REQUIRED;
	mt->required_when = get_cond(c, mv, p, "required_when");
	if (need == FORM_NEED_CONDITIONAL && mt->required_when == NULL &&
	    json_object_get(mv, "required_when") == NULL) {
		problem(c, p, false,
		    _("a conditional material needs \"required_when\""));
	}
	if (need >= 0 && need != FORM_NEED_CONDITIONAL &&
	    json_object_get(mv, "required_when") != NULL) {
		join(kp, p, "required_when");
		problem(c, kp, true,
		    _("\"required_when\" is only for materials with need "
		      "\"conditional\""));
	}
	join(kp, p, "forms");
	forms = member(c, mv, p, "forms", true);
	if (forms != NULL &&
	    want_type(c, forms, kp, JSON_ARRAY, _("an array of forms"))) {
		if (json_array_size(forms) == 0) {
			problem(c, kp, false, _("%s may not be empty"), kp);
		}
		for (size_t i = 0; i < json_array_size(forms); i++) {
			char ep[PATH_MAX_LEN];
			json_t *e = json_array_get(forms, i);
			unsigned bit = 0;

			join_index(ep, kp, i);
			if (!want_type(c, e, ep, JSON_STRING, _("a string"))) {
				continue;
			}
			for (int k = 0; mform_names[k] != NULL; k++) {
				if (strcmp(json_string_value(e),
				        mform_names[k]) == 0) {
					bit = 1u << k;
				}
			}
			if (bit == 0) {
				problem(c, ep, false,
				    _("unknown form \"%s\" (original, copy "
				      "or elicence)"),
				    json_string_value(e));
			} else if (mt->forms & bit) {
				problem(c, ep, false,
				    _("form \"%s\" listed twice"),
				    json_string_value(e));
			}
			mt->forms |= bit;
		}
	}
	mt->copies = 1;
	if (get_int(c, mv, p, "copies", false, 1, 10, &n)) {
		mt->copies = (int)n;
	}
	mt->secondary = get_bool(c, mv, p, "secondary", false);
	mt->gap_days = 0;
	if (mt->secondary) {
		if (!m->gaps_allowed) {
			join(kp, p, "secondary");
			problem(c, kp, true,
			    _("a secondary material needs "
			      "\"gaps_allowed\": true on the matter"));
		} else if (m->promised_limit < 1) {
			join(kp, p, "secondary");
			problem(c, kp, true,
			    _("a matter promised on the spot (promised 0) "
			      "cannot take materials later"));
		}
		mt->gap_days = m->promised_limit < 5 ? m->promised_limit : 5;
		if (m->promised_limit >= 1 &&
		    get_int(c, mv, p, "gap_days", false, 1, m->promised_limit,
		        &n)) {
			mt->gap_days = (int)n;
		}
	} else if (json_object_get(mv, "gap_days") != NULL) {
		join(kp, p, "gap_days");
		problem(c, kp, true,
		    _("\"gap_days\" is only for secondary materials"));
	}
}

static const char *const rule_ops[] = {
    "after", "not_before", "gt", "ge", "lt", "le", NULL};
static const char *const rule_keys[] = {"op", "field", "other", NULL};

static void
parse_rule(struct ctx *c, json_t *rv, const char *p, struct form_rule *r)
{
	const char *f, *o;
	int op;

	check_keys(c, rv, p, rule_keys);
	op = get_choice(c, rv, p, "op", true, rule_ops);
	r->op = op >= 0 ? (enum form_rule_op)op : FORM_RULE_AFTER;
	f = get_string(c, rv, p, "field", true);
	o = get_string(c, rv, p, "other", true);
	if (f != NULL) {
		r->field = dup_or_oom(c, f);
	}
	if (o != NULL) {
		r->other = dup_or_oom(c, o);
	}
}

/* Check that a condition names another field and, for enums, its values. */
static void
resolve_cond(struct ctx *c, const struct form_matter *m, struct form_cond *cond,
    const char *path, const char *self)
{
	const struct form_field *f;

	if (cond == NULL || cond->field == NULL) {
		return;
	}
	f = form_matter_field(m, cond->field);
	if (f == NULL) {
		char p[PATH_MAX_LEN];

		join(p, path, "field");
		problem(c, p, false, _("condition names unknown field \"%s\""),
		    cond->field);
		return;
	}
	if (self != NULL && strcmp(self, cond->field) == 0) {
		char p[PATH_MAX_LEN];

		join(p, path, "field");
		problem(
		    c, p, false, _("a field's condition may not name itself"));
		return;
	}
	for (size_t i = 0; i < cond->nvalues; i++) {
		bool ok = true;

		if (f->type == FORM_FT_ENUM) {
			ok = false;
			for (size_t j = 0; j < f->noptions; j++) {
				ok = ok || strcmp(f->options[j].value,
				               cond->values[i]) == 0;
			}
		} else if (f->type == FORM_FT_BOOL) {
			ok = strcmp(cond->values[i], "yes") == 0 ||
			     strcmp(cond->values[i], "no") == 0;
		} else {
			/* Conditions compare canonical values ("100.00" for
			 * money, upper-case IDs): store the value that way. */
			char *canon = NULL;
			int rc =
			    form_field_canonical(f, cond->values[i], &canon);

			if (rc == CM_ENOMEM) {
				c->oom = 1;
				return;
			}
			ok = rc == 0;
			if (ok) {
				cm_free(cond->values[i]);
				cond->values[i] = canon;
			}
		}
		if (!ok) {
			char p[PATH_MAX_LEN];

			join(p, path,
			    cond->op == FORM_COND_IN ? "in" : "equals");
			problem(c, p, false,
			    _("\"%s\" is not a value field \"%s\" can take"),
			    cond->values[i], cond->field);
		}
	}
}

/*
 * Conditions must not go round in a circle (a shown when b, b shown when
 * a): validation settles conditions pass by pass and needs an order.
 * Depth-first search over "field -> fields its conditions name".
 */
static bool
cond_cycle_from(const struct form_matter *m, size_t i, unsigned char *mark)
{
	const struct form_field *f = &m->fields[i];
	const struct form_cond *conds[2] = {f->shown_when, f->required_when};

	if (mark[i] == 1) {
		return true;
	}
	if (mark[i] == 2) {
		return false;
	}
	mark[i] = 1;
	for (int k = 0; k < 2; k++) {
		const struct form_field *dep;

		if (conds[k] == NULL || conds[k]->field == NULL) {
			continue;
		}
		dep = form_matter_field(m, conds[k]->field);
		if (dep != NULL &&
		    cond_cycle_from(m, (size_t)(dep - m->fields), mark)) {
			return true;
		}
	}
	mark[i] = 2;
	return false;
}

static void
check_cond_cycles(struct ctx *c, const struct form_matter *m)
{
	unsigned char *mark = cm_calloc(m->nfields + 1, 1);

	if (mark == NULL) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < m->nfields; i++) {
		if (mark[i] == 0 && cond_cycle_from(m, i, mark)) {
			char p[PATH_MAX_LEN];

			join_index(p, "fields", i);
			problem(c, p, false,
			    _("the conditions of field \"%s\" go round in a circle"),
			    m->fields[i].id);
			break;
		}
	}
	cm_free(mark);
}

static bool
is_numeric(enum form_ftype t)
{
	return t == FORM_FT_INTEGER || t == FORM_FT_MONEY;
}

static void
resolve_rule(struct ctx *c, const struct form_matter *m,
    const struct form_rule *r, const char *p)
{
	const struct form_field *f, *o;
	char kp[PATH_MAX_LEN];

	if (r->field == NULL || r->other == NULL) {
		return;
	}
	f = form_matter_field(m, r->field);
	o = form_matter_field(m, r->other);
	if (f == NULL || o == NULL) {
		join(kp, p, f == NULL ? "field" : "other");
		problem(c, kp, false, _("rule names unknown field \"%s\""),
		    f == NULL ? r->field : r->other);
		return;
	}
	if (f == o) {
		join(kp, p, "other");
		problem(c, kp, false,
		    _("a rule must compare two different fields"));
		return;
	}
	if (r->op == FORM_RULE_AFTER || r->op == FORM_RULE_NOT_BEFORE) {
		if (f->type != FORM_FT_DATE || o->type != FORM_FT_DATE) {
			join(kp, p, "op");
			problem(c, kp, false,
			    _("\"after\" and \"not_before\" compare two "
			      "date fields"));
		}
	} else if (!is_numeric(f->type) || f->type != o->type) {
		join(kp, p, "op");
		problem(c, kp, false,
		    _("\"gt\", \"ge\", \"lt\" and \"le\" compare two "
		      "integer or two money fields"));
	}
}

static const char *const matter_keys[] = {"format", "code", "version", "name",
    "type", "department", "legal_basis", "conditions", "applicant", "limits",
    "gaps_allowed", "visits", "fees", "fields", "rules", "materials", NULL};
static const char *const limit_keys[] = {
    "legal", "promised", "extension", "joint", NULL};
static const char *const applicant_names[] = {
    "person", "enterprise", "any", NULL};
static const char *const fee_keys[] = {"item", "fen", NULL};

static void
parse_limits(struct ctx *c, json_t *root, struct form_matter *m)
{
	json_t *lv = member(c, root, "", "limits", true);
	bool legal_ok = false;
	long long n;

	if (lv == NULL ||
	    !want_type(c, lv, "limits", JSON_OBJECT, _("an object"))) {
		return;
	}
	check_keys(c, lv, "limits", limit_keys);
	m->joint = get_bool(c, lv, "limits", "joint", false);
	if (get_int(c, lv, "limits", "legal", true, 0, MAX_LIMIT, &n)) {
		m->legal_limit = (int)n;
		legal_ok = true;
	}
	if (get_int(c, lv, "limits", "promised", true, 0, MAX_LIMIT, &n)) {
		m->promised_limit = (int)n;
		/* Compared only with a legal limit that was itself valid, so one
		 * mistake gives one message. */
		if (legal_ok && m->promised_limit > m->legal_limit) {
			problem(c, "limits/promised", false,
			    _("the promised limit (%d) exceeds the legal limit "
			      "(%d)"),
			    m->promised_limit, m->legal_limit);
		}
	}
	if (get_int(c, lv, "limits", "extension", true, 0, 15, &n)) {
		/* Art. 42: 10 working days, 15 for joint handling; special laws
		 * allow less (3 for market entity registration, 5 for food
		 * business licences). */
		m->extension = (int)n;
		if (n == 15 && !m->joint) {
			problem(c, "limits/extension", false,
			    _("an extension of 15 working days is only for joint "
			      "handling (\"joint\": true)"));
		} else if (n > 10 && n != 15) {
			problem(c, "limits/extension", false,
			    _("the extension may be at most 10 working days, "
			      "or 15 for joint handling"));
		}
	}
}

static void
parse_array(struct ctx *c, json_t *root, const char *key, bool required,
    size_t max, void **items, size_t *count, size_t size,
    void (*each)(
        struct ctx *, json_t *, const char *, struct form_matter *, void *),
    struct form_matter *m)
{
	json_t *arr = member(c, root, "", key, required);
	size_t n;

	if (arr == NULL || !want_type(c, arr, key, JSON_ARRAY, _("an array"))) {
		return;
	}
	n = json_array_size(arr);
	if (n > max) {
		problem(c, key, false, _("%s has %zu entries; at most %zu"),
		    key, n, max);
		return;
	}
	if (n == 0) {
		return;
	}
	*items = cm_calloc(n, size);
	if (*items == NULL) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX_LEN];
		json_t *e = json_array_get(arr, i);

		join_index(p, key, i);
		if (!want_type(c, e, p, JSON_OBJECT, _("an object"))) {
			continue;
		}
		each(c, e, p, m, (char *)*items + (*count) * size);
		(*count)++;
	}
}

static void
each_field(
    struct ctx *c, json_t *v, const char *p, struct form_matter *m, void *item)
{
	(void)m;
	parse_field(c, v, p, item);
}

static void
each_material(
    struct ctx *c, json_t *v, const char *p, struct form_matter *m, void *item)
{
	parse_material(c, v, p, m, item);
}

static void
each_rule(
    struct ctx *c, json_t *v, const char *p, struct form_matter *m, void *item)
{
	(void)m;
	parse_rule(c, v, p, item);
}

static void
each_fee(
    struct ctx *c, json_t *v, const char *p, struct form_matter *m, void *item)
{
	struct form_fee *fee = item;
	long long n;

	(void)m;
	check_keys(c, v, p, fee_keys);
	get_text(c, v, p, "item", true, &fee->item);
	if (get_int(c, v, p, "fen", true, 0, 100000000000LL, &n)) {
		fee->fen = n;
	}
}

static void
each_condition_text(struct ctx *c, json_t *arr, struct form_matter *m)
{
	size_t n = json_array_size(arr);

	if (n == 0) {
		return;
	}
	m->conditions = cm_calloc(n, sizeof(*m->conditions));
	if (m->conditions == NULL) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX_LEN];
		json_t *e = json_array_get(arr, i);
		struct form_text *t = &m->conditions[m->nconditions];

		join_index(p, "conditions", i);
		if (!want_type(c, e, p, JSON_OBJECT,
		        _("an object with \"zh\" and \"en\""))) {
			continue;
		}
		check_keys(c, e, p, text_keys);
		{
			const char *zh = get_string(c, e, p, "zh", true);
			const char *en = get_string(c, e, p, "en", true);

			if (zh != NULL && en != NULL) {
				t->zh = dup_or_oom(c, zh);
				t->en = dup_or_oom(c, en);
				m->nconditions++;
			}
		}
	}
}

/* Cross-references: unique ids, conditions and rules naming real fields. */
static void
check_references(struct ctx *c, struct form_matter *m)
{
	char p[PATH_MAX_LEN], kp[PATH_MAX_LEN];

	for (size_t i = 0; i < m->nfields; i++) {
		struct form_field *f = &m->fields[i];

		join_index(p, "fields", i);
		for (size_t j = 0; f->id != NULL && j < i; j++) {
			if (m->fields[j].id != NULL &&
			    strcmp(m->fields[j].id, f->id) == 0) {
				join(kp, p, "id");
				problem(c, kp, false,
				    _("duplicate field id \"%s\""), f->id);
				break;
			}
		}
		join(kp, p, "shown_when");
		resolve_cond(c, m, f->shown_when, kp, f->id);
		join(kp, p, "required_when");
		resolve_cond(c, m, f->required_when, kp, f->id);
	}
	for (size_t i = 0; i < m->nmaterials; i++) {
		struct form_material *mt = &m->materials[i];

		join_index(p, "materials", i);
		for (size_t j = 0; mt->id != NULL && j < i; j++) {
			if (m->materials[j].id != NULL &&
			    strcmp(m->materials[j].id, mt->id) == 0) {
				join(kp, p, "id");
				problem(c, kp, false,
				    _("duplicate material id \"%s\""), mt->id);
				break;
			}
		}
		join(kp, p, "required_when");
		resolve_cond(c, m, mt->required_when, kp, NULL);
	}
	for (size_t i = 0; i < m->nrules; i++) {
		join_index(p, "rules", i);
		resolve_rule(c, m, &m->rules[i], p);
	}
	if (c->errors == 0) {
		check_cond_cycles(c, m);
	}
}

/*
 * A file named like a matter (XK00012001.json) must hold that matter, so
 * that an author who copies a file and forgets the code is told.
 */
static void
check_file_name(struct ctx *c, const char *code)
{
	const char *base = c->name != NULL ? strrchr(c->name, '/') : NULL;
	char stem[16];

	base = base != NULL ? base + 1 : c->name;
	if (base == NULL || strlen(base) != 15 ||
	    strcmp(base + 10, ".json") != 0) {
		return;
	}
	memcpy(stem, base, 10);
	stem[10] = '\0';
	if (is_code(stem) && strcmp(stem, code) != 0) {
		problem(c, "code", false,
		    _("the file is named %s.json but holds matter %s"), stem,
		    code);
	}
}

static void
parse_matter(struct ctx *c, json_t *root, struct form_matter *m)
{
	const char *s;
	long long n;
	json_t *conds;
	int k;

	check_keys(c, root, "", matter_keys);
	s = get_string(c, root, "", "format", true);
	if (s != NULL && strcmp(s, "onewindow-matter") != 0) {
		problem(c, "format", false,
		    _("\"format\" must be \"onewindow-matter\", not \"%s\""),
		    s);
	}
	s = get_string(c, root, "", "code", true);
	if (s != NULL) {
		if (!is_code(s)) {
			problem(c, "code", false,
			    _("matter code \"%s\" must be 2 capital "
			      "letters and 8 digits, such as XK00012001"),
			    s);
		}
		m->code = dup_or_oom(c, s);
		check_file_name(c, s);
	}
	if (get_int(c, root, "", "version", true, 1, 9999, &n)) {
		m->version = (int)n;
	}
	get_text(c, root, "", "name", true, &m->name);
	s = get_string(c, root, "", "type", true);
	if (s != NULL) {
		if (form_mtype_label(s, false) == NULL) {
			problem(c, "type", false,
			    _("unknown matter type \"%s\" (XK, QR, JF, GG, "
			      "ZS, JL, CJ or QT)"),
			    s);
		} else if (m->code != NULL && strncmp(m->code, s, 2) != 0) {
			problem(c, "type", false,
			    _("type \"%s\" does not match the code's prefix"),
			    s);
		}
		m->type = dup_or_oom(c, s);
	}
	get_text(c, root, "", "department", true, &m->department);
	get_text(c, root, "", "legal_basis", true, &m->legal_basis);
	conds = json_object_get(root, "conditions");
	if (conds != NULL &&
	    want_type(c, conds, "conditions", JSON_ARRAY, _("an array"))) {
		each_condition_text(c, conds, m);
	}
	k = get_choice(c, root, "", "applicant", true, applicant_names);
	m->applicant = k >= 0 ? (enum form_applicant)k : FORM_APPLICANT_ANY;
	parse_limits(c, root, m);
	m->gaps_allowed = get_bool(c, root, "", "gaps_allowed", false);
	if (get_int(c, root, "", "visits", true, 0, 5, &n)) {
		m->visits = (int)n;
	}
	parse_array(c, root, "fees", false, 20, (void **)&m->fees, &m->nfees,
	    sizeof(*m->fees), each_fee, m);
	parse_array(c, root, "fields", true, MAX_FIELDS, (void **)&m->fields,
	    &m->nfields, sizeof(*m->fields), each_field, m);
	if (json_is_array(json_object_get(root, "fields")) && m->nfields == 0 &&
	    json_array_size(json_object_get(root, "fields")) == 0) {
		problem(
		    c, "fields", false, _("a matter needs at least one field"));
	}
	parse_array(c, root, "rules", false, MAX_FIELDS, (void **)&m->rules,
	    &m->nrules, sizeof(*m->rules), each_rule, m);
	parse_array(c, root, "materials", true, MAX_MATERIALS,
	    (void **)&m->materials, &m->nmaterials, sizeof(*m->materials),
	    each_material, m);
	if (c->errors == 0 && !c->oom) {
		check_references(c, m);
	}
}

int
form_matter_parse(const char *name, const char *buf, size_t len,
    struct form_matter **out, struct form_diags *diags)
{
	struct ctx c = {name, buf, len, diags, 0, 0};
	struct form_matter *m;
	json_error_t jerr;
	const char *nul;
	json_t *root;

	*out = NULL;
	/* jansson 2.14 skips a NUL that ends a token ("[1, 2\0]" parses):
	 * refuse it here, so that the text is plain JSON for jsonpos. */
	nul = len > 0 ? memchr(buf, '\0', len) : NULL;
	if (nul != NULL) {
		int line, col;

		form_json_offset_pos(buf, (size_t)(nul - buf), &line, &col);
		form_diags_add(
		    diags, name, line, col, _("NUL byte in the file"));
		return CM_EPARSE;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL &&
	    json_error_code(&jerr) == json_error_out_of_memory) {
		return CM_ENOMEM;
	}
	if (root == NULL) {
		form_diags_add(diags, name, jerr.line > 0 ? jerr.line : 1,
		    jerr.column > 0 ? jerr.column : 1,
		    _("JSON syntax error: %s"), jerr.text);
		return CM_EPARSE;
	}
	m = cm_calloc(1, sizeof(*m));
	if (m == NULL) {
		json_decref(root);
		return CM_ENOMEM;
	}
	if (!json_is_object(root)) {
		problem(&c, "", false,
		    _("a matter file must hold one JSON object"));
	} else {
		parse_matter(&c, root, m);
	}
	json_decref(root);
	m->source = dup_or_oom(&c, name != NULL ? name : "-");
	if (c.oom || (diags != NULL && diags->oom)) {
		form_matter_free(m);
		return CM_ENOMEM;
	}
	if (c.errors > 0) {
		if (c.errors > MAX_DIAGS) {
			form_diags_add(diags, name, 1, 1,
			    _("%d more problems not shown"),
			    c.errors - MAX_DIAGS);
		}
		form_matter_free(m);
		return CM_EPARSE;
	}
	*out = m;
	return 0;
}

void
form_catalog_init(struct form_catalog *c)
{
	memset(c, 0, sizeof(*c));
}

void
form_catalog_free(struct form_catalog *c)
{
	for (size_t i = 0; i < c->n; i++) {
		form_matter_free(c->items[i]);
	}
	cm_free(c->items);
	memset(c, 0, sizeof(*c));
}

int
form_catalog_load(struct form_catalog *c, const char *name, const char *buf,
    size_t len, struct form_diags *diags)
{
	struct form_matter *m = NULL;
	int rc = form_matter_parse(name, buf, len, &m, diags);

	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->items[i]->code, m->code) == 0) {
			int line, col;

			form_json_locate(buf, len, "code", false, &line, &col);
			form_diags_add(diags, name, line, col,
			    _("matter code %s is already defined in %s"),
			    m->code, c->items[i]->source);
			form_matter_free(m);
			return CM_EPARSE;
		}
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap == 0 ? 16 : c->cap * 2;
		struct form_matter **n =
		    cm_reallocarray(c->items, ncap, sizeof(*n));

		if (n == NULL) {
			form_matter_free(m);
			return CM_ENOMEM;
		}
		c->items = n;
		c->cap = ncap;
	}
	c->items[c->n++] = m;
	return 0;
}
