/*
 * validate.c: the validation engine. Normalises every value, decides which
 * fields apply, checks each value by its type and constraints, then the
 * cross-field rules, and collects every problem in one report.
 */
#include "forms/validate.h"
#include "forms/checks.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---- values ----------------------------------------------------------- */

void
form_values_init(struct form_values *v)
{
	memset(v, 0, sizeof(*v));
}

static void
values_clear(struct form_values *v)
{
	for (size_t i = 0; i < v->n; i++) {
		cm_free(v->items[i].key);
		cm_free(v->items[i].value);
	}
	v->n = 0;
}

void
form_values_free(struct form_values *v)
{
	values_clear(v);
	cm_free(v->items);
	memset(v, 0, sizeof(*v));
}

const char *
form_values_get(const struct form_values *v, const char *key)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strcmp(v->items[i].key, key) == 0) {
			return v->items[i].value;
		}
	}
	return NULL;
}

int
form_values_set(struct form_values *v, const char *key, const char *value)
{
	char *nv = cm_strdup(value);
	char *nk;

	if (nv == NULL) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (strcmp(v->items[i].key, key) == 0) {
			cm_free(v->items[i].value);
			v->items[i].value = nv;
			return 0;
		}
	}
	if (v->n == v->cap) {
		size_t ncap = v->cap == 0 ? 16 : v->cap * 2;
		struct form_kv *n = cm_reallocarray(v->items, ncap, sizeof(*n));

		if (n == NULL) {
			cm_free(nv);
			return CM_ENOMEM;
		}
		v->items = n;
		v->cap = ncap;
	}
	nk = cm_strdup(key);
	if (nk == NULL) {
		cm_free(nv);
		return CM_ENOMEM;
	}
	v->items[v->n].key = nk;
	v->items[v->n].value = nv;
	v->n++;
	return 0;
}

int
form_values_set_kv(struct form_values *v, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *key;
	int rc;

	if (eq == NULL || eq == kv) {
		return CM_EINVAL;
	}
	key = cm_strndup(kv, (size_t)(eq - kv));
	if (key == NULL) {
		return CM_ENOMEM;
	}
	rc = form_values_set(v, key, eq + 1);
	cm_free(key);
	return rc;
}

/* ---- conditions ------------------------------------------------------- */

bool
form_cond_holds(const struct form_cond *c, const struct form_values *v)
{
	const char *val;

	if (c == NULL) {
		return true;
	}
	val = form_values_get(v, c->field);
	if (val != NULL && val[0] == '\0') {
		val = NULL;
	}
	switch (c->op) {
	case FORM_COND_PRESENT:
		return val != NULL;
	case FORM_COND_ABSENT:
		return val == NULL;
	case FORM_COND_EQUALS:
	case FORM_COND_IN:
		if (val == NULL) {
			return false;
		}
		for (size_t i = 0; i < c->nvalues; i++) {
			if (strcmp(val, c->values[i]) == 0) {
				return true;
			}
		}
		return false;
	}
	return false;
}

bool
form_field_is_shown(const struct form_field *f, const struct form_values *v)
{
	return form_cond_holds(f->shown_when, v);
}

bool
form_field_is_required(const struct form_field *f, const struct form_values *v)
{
	if (!form_field_is_shown(f, v)) {
		return false;
	}
	if (f->required_when != NULL) {
		return form_cond_holds(f->required_when, v);
	}
	return f->required;
}

/* ---- checks by type --------------------------------------------------- */

struct vctx {
	const struct form_field *f;
	struct form_report *rep;
	int32_t today;
	int rc; /* CM_ENOMEM once an allocation failed */
};

static void
add(struct vctx *c, enum form_pcode code, const char *a)
{
	if (form_report_add(c->rep, c->f->id, code, a, NULL) != 0) {
		c->rc = CM_ENOMEM;
	}
}

static void
add_num(struct vctx *c, enum form_pcode code, int64_t n)
{
	char a[32];

	snprintf(a, sizeof(a), "%" PRId64, n);
	add(c, code, a);
}

static void
check_length(struct vctx *c, const char *s)
{
	long n = cm_utf8_count(s, strlen(s));

	if (c->f->min_len > 0 && n < c->f->min_len) {
		add_num(c, FORM_P_TOO_SHORT, c->f->min_len);
	} else if (c->f->max_len > 0 && n > c->f->max_len) {
		add_num(c, FORM_P_TOO_LONG, c->f->max_len);
	}
}

static void
check_range(struct vctx *c, int64_t v, bool money)
{
	char a[40];

	if (c->f->has_min && v < c->f->min) {
		if (money) {
			add(c, FORM_P_BELOW_MIN,
			    form_format_money(c->f->min, a, sizeof(a)));
		} else {
			add_num(c, FORM_P_BELOW_MIN, c->f->min);
		}
	} else if (c->f->has_max && v > c->f->max) {
		if (money) {
			add(c, FORM_P_ABOVE_MAX,
			    form_format_money(c->f->max, a, sizeof(a)));
		} else {
			add_num(c, FORM_P_ABOVE_MAX, c->f->max);
		}
	}
}

static const char *
enum_value(const struct form_field *f, const char *s)
{
	/* The option value, or an option's label in either language. */
	for (size_t i = 0; i < f->noptions; i++) {
		const struct form_option *o = &f->options[i];

		if (strcmp(o->value, s) == 0 ||
		    (o->label.zh != NULL && strcmp(o->label.zh, s) == 0) ||
		    (o->label.en != NULL && strcmp(o->label.en, s) == 0)) {
			return o->value;
		}
	}
	return NULL;
}

/*
 * Check one normalised value; returns the canonical value to keep
 * (cm_malloc'd), or NULL when the value is invalid (its problem reported)
 * or memory ran out (c->rc set).
 */
static char *
check_value(struct vctx *c, const char *s)
{
	const struct form_field *f = c->f;
	enum form_pcode pc = FORM_P_OK;
	char buf[40];
	char *canon = NULL;
	int64_t n;
	int32_t day;
	bool b;

	switch (f->type) {
	case FORM_FT_TEXT:
	case FORM_FT_ADDRESS: {
		size_t before = c->rep->n;

		check_length(c, s);
		return c->rep->n != before ? NULL : cm_strdup(s);
	}
	case FORM_FT_PERSON_NAME: {
		size_t before = c->rep->n;

		pc = form_check_person_name(s, &canon);
		if (pc != FORM_P_OK) {
			cm_free(canon);
			add(c, pc, NULL);
			return NULL;
		}
		if (canon == NULL) {
			c->rc = CM_ENOMEM;
			return NULL;
		}
		check_length(c, canon);
		if (c->rep->n != before) {
			cm_free(canon);
			return NULL;
		}
		return canon;
	}
	case FORM_FT_CITIZEN_ID: {
		char out[19];

		pc = form_check_citizen_id(s, c->today, out);
		if (pc == FORM_P_ID15_UPGRADED) {
			add(c, pc, out);
			return cm_strdup(out);
		}
		if (pc == FORM_P_OK) {
			return cm_strdup(out);
		}
		if (pc == FORM_P_ID_CHECK) {
			buf[0] = form_citizen_id_check_char(s);
			buf[1] = '\0';
			add(c, pc, buf);
		} else {
			add(c, pc, NULL);
		}
		return NULL;
	}
	case FORM_FT_USCC: {
		char expected[2] = {0, 0};

		pc = form_check_uscc(s, expected);
		if (pc == FORM_P_USCC_CHECK) {
			/* Kept: a supervisor may accept an early pilot code. */
			add(c, pc, expected);
			return cm_strdup(s);
		}
		break;
	}
	case FORM_FT_MOBILE:
		pc = form_check_mobile(s);
		break;
	case FORM_FT_LANDLINE:
		pc = form_check_landline(s);
		break;
	case FORM_FT_REGION:
		pc = form_check_region(s);
		break;
	case FORM_FT_ELICENCE:
		pc = form_check_elicence(s);
		break;
	case FORM_FT_DATE:
		pc = form_parse_date(s, &day);
		if (pc == FORM_P_OK && f->not_future && day > c->today) {
			pc = FORM_P_DATE_FUTURE;
		} else if (pc == FORM_P_OK && f->not_past && day < c->today) {
			pc = FORM_P_DATE_PAST;
		}
		break;
	case FORM_FT_INTEGER:
		pc = form_parse_integer(s, &n);
		if (pc == FORM_P_OK) {
			size_t before = c->rep->n;

			check_range(c, n, false);
			if (c->rep->n != before) {
				return NULL;
			}
			snprintf(buf, sizeof(buf), "%" PRId64, n);
			return cm_strdup(buf);
		}
		break;
	case FORM_FT_MONEY:
		pc = form_parse_money(s, &n);
		if (pc == FORM_P_OK) {
			size_t before = c->rep->n;

			check_range(c, n, true);
			if (c->rep->n != before) {
				return NULL;
			}
			return cm_strdup(
			    form_format_money(n, buf, sizeof(buf)));
		}
		break;
	case FORM_FT_BOOL:
		pc = form_parse_bool(s, &b);
		if (pc == FORM_P_OK) {
			return cm_strdup(b ? "yes" : "no");
		}
		break;
	case FORM_FT_ENUM: {
		const char *v = enum_value(f, s);

		if (v != NULL) {
			return cm_strdup(v);
		}
		pc = FORM_P_ENUM;
		break;
	}
	case FORM_FT__COUNT:
		pc = FORM_P_BAD_CHARS;
		break;
	}
	if (pc != FORM_P_OK) {
		add(c, pc, NULL);
		return NULL;
	}
	return cm_strdup(s);
}

/* ---- cross-field rules ------------------------------------------------ */

static bool
rule_value(const struct form_field *f, const char *s, int64_t *out)
{
	int32_t day;

	switch (f->type) {
	case FORM_FT_DATE:
		if (form_parse_date(s, &day) != FORM_P_OK) {
			return false;
		}
		*out = day;
		return true;
	case FORM_FT_INTEGER:
		return form_parse_integer(s, out) == FORM_P_OK;
	case FORM_FT_MONEY:
		return form_parse_money(s, out) == FORM_P_OK;
	default:
		return false;
	}
}

static int
check_rules(const struct form_matter *m, const struct form_values *out,
    struct form_report *rep)
{
	static const enum form_pcode codes[] = {
	    [FORM_RULE_AFTER] = FORM_P_RULE_AFTER,
	    [FORM_RULE_NOT_BEFORE] = FORM_P_RULE_NOT_BEFORE,
	    [FORM_RULE_GT] = FORM_P_RULE_GT,
	    [FORM_RULE_GE] = FORM_P_RULE_GE,
	    [FORM_RULE_LT] = FORM_P_RULE_LT,
	    [FORM_RULE_LE] = FORM_P_RULE_LE,
	};

	for (size_t i = 0; i < m->nrules; i++) {
		const struct form_rule *r = &m->rules[i];
		const struct form_field *f = form_matter_field(m, r->field);
		const struct form_field *o = form_matter_field(m, r->other);
		const char *fv = form_values_get(out, r->field);
		const char *ov = form_values_get(out, r->other);
		int64_t a, b;
		bool ok;

		if (f == NULL || o == NULL || fv == NULL || ov == NULL ||
		    !rule_value(f, fv, &a) || !rule_value(o, ov, &b)) {
			continue;
		}
		switch (r->op) {
		case FORM_RULE_AFTER:
		case FORM_RULE_GT:
			ok = a > b;
			break;
		case FORM_RULE_NOT_BEFORE:
		case FORM_RULE_GE:
			ok = a >= b;
			break;
		case FORM_RULE_LT:
			ok = a < b;
			break;
		case FORM_RULE_LE:
			ok = a <= b;
			break;
		default:
			ok = true;
		}
		if (!ok && form_report_add(rep, r->field, codes[r->op], NULL,
		               r->other) != 0) {
			return CM_ENOMEM;
		}
	}
	return 0;
}

/* ---- the engine ------------------------------------------------------- */

/*
 * The form a condition compares: an enum's option value even when the
 * clerk typed its label, and "yes"/"no" for any spelling of a boolean, so
 * that conditions see what the canonical output will hold.
 */
static const char *
condition_form(const struct form_field *f, const char *v)
{
	const char *ev;
	bool b;

	if (f->type == FORM_FT_ENUM && (ev = enum_value(f, v)) != NULL) {
		return ev;
	}
	if (f->type == FORM_FT_BOOL && form_parse_bool(v, &b) == FORM_P_OK) {
		return b ? "yes" : "no";
	}
	return v;
}

int
form_validate(const struct form_matter *m, const struct form_values *in,
    int32_t today, struct form_values *out, struct form_report *rep)
{
	struct form_values norm;
	int rc = 0;

	form_values_init(&norm);
	values_clear(out);
	form_report_clear(rep);

	/* 1. Normalise every value; unknown keys are reported, not dropped
	 * silently, so a desk bug or a typo in a script shows. */
	for (size_t i = 0; i < in->n && rc == 0; i++) {
		const struct form_kv *kv = &in->items[i];
		const struct form_field *f = form_matter_field(m, kv->key);
		char *nv = NULL;
		int nrc;

		if (f == NULL) {
			rc = form_report_add(
			    rep, kv->key, FORM_P_UNKNOWN_FIELD, NULL, NULL);
			continue;
		}
		nrc =
		    form_normalize(f->type, kv->value, strlen(kv->value), &nv);
		if (nrc == CM_EUTF8) {
			rc = form_report_add(
			    rep, f->id, FORM_P_BAD_UTF8, NULL, NULL);
			continue;
		}
		if (nrc != 0) {
			rc = nrc;
			break;
		}
		if (nv[0] != '\0') {
			rc = form_values_set(
			    &norm, f->id, condition_form(f, nv));
		}
		cm_free(nv);
	}

	/* 2. Each field in form order: applies? present? valid? */
	for (size_t i = 0; i < m->nfields && rc == 0; i++) {
		const struct form_field *f = &m->fields[i];
		const char *v = form_values_get(&norm, f->id);
		struct vctx c = {f, rep, today, 0};
		size_t before;
		char *canon;

		if (!form_field_is_shown(f, &norm)) {
			if (v != NULL) {
				rc = form_report_add(rep, f->id,
				    FORM_P_NOT_APPLICABLE, NULL, NULL);
			}
			continue;
		}
		if (v == NULL) {
			if (form_field_is_required(f, &norm)) {
				rc = form_report_add(
				    rep, f->id, FORM_P_REQUIRED, NULL, NULL);
			}
			continue;
		}
		before = rep->n;
		canon = check_value(&c, v);
		if (c.rc != 0) {
			cm_free(canon);
			rc = c.rc;
			break;
		}
		if (canon != NULL) {
			rc = form_values_set(out, f->id, canon);
			cm_free(canon);
		} else if (rep->n == before) {
			/* Invalid values are reported; this was a failed copy. */
			rc = CM_ENOMEM;
		}
	}

	/* 3. Cross-field rules, on values that passed their own checks. */
	if (rc == 0) {
		rc = check_rules(m, out, rep);
	}
	form_values_free(&norm);
	if (rc != 0 || rep->oom) {
		values_clear(out);
		return CM_ENOMEM;
	}
	return 0;
}
