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
	if (v->n >= FORM_VALUES_MAX) {
		cm_free(nv);
		return CM_ETOOBIG;
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
	int rc;         /* CM_ENOMEM once an allocation failed */
	bool no_ranges; /* skip min/max and date range checks */
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

	if (c->no_ranges) {
		return;
	}
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
		if (pc == FORM_P_OK && !c->no_ranges && f->not_future &&
		    day > c->today) {
			pc = FORM_P_DATE_FUTURE;
		} else if (pc == FORM_P_OK && !c->no_ranges && f->not_past &&
		           day < c->today) {
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

/* Drop the report's entries from n on, keeping its counters right. */
static void
report_truncate(struct form_report *r, size_t n)
{
	while (r->n > n) {
		switch (r->items[--r->n].severity) {
		case FORM_SEV_ERROR:
			r->errors--;
			break;
		case FORM_SEV_WARNING:
			r->warnings--;
			break;
		case FORM_SEV_NOTICE:
			r->notices--;
			break;
		}
	}
}

static bool
values_equal(const struct form_values *a, const struct form_values *b)
{
	if (a->n != b->n) {
		return false;
	}
	for (size_t i = 0; i < a->n; i++) {
		const char *v = form_values_get(b, a->items[i].key);

		if (v == NULL || strcmp(v, a->items[i].value) != 0) {
			return false;
		}
	}
	return true;
}

/*
 * One pass over the fields in form order. With cond == NULL every field is
 * taken as shown and none as required (the first pass, which finds the
 * values that are valid on their own); otherwise conditions look at cond,
 * the valid values of the previous pass.
 */
static int
run_pass(const struct form_matter *m, const struct form_values *norm,
    const struct form_values *cond, const struct form_values *bad,
    int32_t today, struct form_values *out, struct form_report *rep)
{
	int rc = 0;

	values_clear(out);
	for (size_t i = 0; i < m->nfields && rc == 0; i++) {
		const struct form_field *f = &m->fields[i];
		const char *v = form_values_get(norm, f->id);
		struct vctx c = {f, rep, today, 0, false};
		size_t before;
		char *canon;

		if (cond != NULL && !form_field_is_shown(f, cond)) {
			if (v != NULL) {
				rc = form_report_add(rep, f->id,
				    FORM_P_NOT_APPLICABLE, NULL, NULL);
			}
			continue;
		}
		if (v == NULL) {
			/* A value that was not even UTF-8 has its problem. */
			if (cond != NULL && form_field_is_required(f, cond) &&
			    form_values_get(bad, f->id) == NULL) {
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
	return rc;
}

int
form_validate(const struct form_matter *m, const struct form_values *in,
    int32_t today, struct form_values *out, struct form_report *rep)
{
	struct form_values norm, bad, prev;
	size_t base;
	int rc = 0;

	form_values_init(&norm);
	form_values_init(&bad);
	form_values_init(&prev);
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
			if (rc == 0) {
				rc = form_values_set(&bad, f->id, "");
			}
			continue;
		}
		if (nrc != 0) {
			rc = nrc;
			break;
		}
		if (nv[0] != '\0') {
			rc = form_values_set(&norm, f->id, nv);
		}
		cm_free(nv);
	}
	base = rep->n;

	/*
	 * 2. Conditions compare the final values of fields that apply and are
	 * valid: the same values the materials check and the case keep. A
	 * condition may depend on a field that itself depends on another, so
	 * the passes repeat until the set of values is stable (the loader
	 * refuses cyclic conditions, so this ends within depth + 1 passes).
	 */
	if (rc == 0) {
		rc = run_pass(m, &norm, NULL, &bad, today, &prev, rep);
	}
	for (size_t pass = 0; rc == 0 && pass <= m->nfields + 1; pass++) {
		report_truncate(rep, base);
		rc = run_pass(m, &norm, &prev, &bad, today, out, rep);
		if (rc != 0 || values_equal(out, &prev)) {
			break;
		}
		values_clear(&prev);
		for (size_t i = 0; i < out->n && rc == 0; i++) {
			rc = form_values_set(
			    &prev, out->items[i].key, out->items[i].value);
		}
	}

	/* 3. Cross-field rules, on values that passed their own checks. */
	if (rc == 0) {
		rc = check_rules(m, out, rep);
	}
	form_values_free(&norm);
	form_values_free(&bad);
	form_values_free(&prev);
	if (rc != 0 || rep->oom) {
		values_clear(out);
		return CM_ENOMEM;
	}
	return 0;
}

int
form_field_canonical(const struct form_field *f, const char *raw, char **out)
{
	struct form_report rep;
	struct vctx c;
	char *nv = NULL;
	int rc;

	*out = NULL;
	rc = form_normalize(f->type, raw, strlen(raw), &nv);
	if (rc != 0) {
		return rc == CM_EUTF8 ? CM_EINVAL : rc;
	}
	form_report_init(&rep);
	/* No day: a condition names a value, not a moment, so the date
	 * range checks do not apply. */
	c = (struct vctx){f, &rep, 0, 0, true};
	*out = check_value(&c, nv);
	cm_free(nv);
	rc = c.rc != 0 ? c.rc : *out == NULL ? CM_EINVAL : 0;
	if (rc != 0) {
		cm_free(*out);
		*out = NULL;
	}
	form_report_free(&rep);
	return rc;
}
