/*
 * validate.h: validation of an application's field values against its
 * matter, returning every problem at once.
 */
#ifndef FORM_VALIDATE_H
#define FORM_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/catalog.h"
#include "forms/problem.h"

/* Field values as key -> UTF-8 string, in insertion order. */
struct form_kv {
	char *key;
	char *value;
};

struct form_values {
	struct form_kv *items;
	size_t n, cap;
};

void form_values_init(struct form_values *v);
void form_values_free(struct form_values *v);
/* At most this many values: an application has at most 100 fields, and
 * the list is searched linearly. */
#define FORM_VALUES_MAX 1000

/* Set (copying both strings), replacing an earlier value. 0, CM_ETOOBIG
 * (more than FORM_VALUES_MAX keys) or CM_ENOMEM. */
int form_values_set(struct form_values *v, const char *key, const char *value);
/* The value, or NULL. */
const char *form_values_get(const struct form_values *v, const char *key);
/* Parse "key=value" (the first '=' splits). 0, CM_EINVAL or CM_ENOMEM. */
int form_values_set_kv(struct form_values *v, const char *kv);

/* Does the condition hold for these values (canonical, as form_validate
 * keeps them)? NULL holds. */
bool form_cond_holds(const struct form_cond *c, const struct form_values *v);
/* Is the field shown / required, given the other values? */
bool form_field_is_shown(
    const struct form_field *f, const struct form_values *v);
bool form_field_is_required(
    const struct form_field *f, const struct form_values *v);

/*
 * Validate the raw values `in` against matter m on day `today` (for
 * "not in the future" rules). Every value is normalised first
 * (checks.h); `out` receives the normalised, canonical values of the
 * fields that apply (init it before; it is cleared first). Every problem
 * goes into rep (init it before; it is cleared first). Returns 0 (look at
 * the report) or CM_ENOMEM.
 */
int form_validate(const struct form_matter *m, const struct form_values *in,
    int32_t today, struct form_values *out, struct form_report *rep);

/*
 * The canonical form of one raw value for field f (normalised and checked
 * by its type, ranges aside): what conditions and the stored case hold.
 * The loader uses it to put a condition's values in that form. Returns 0
 * with *out (cm_free), CM_EINVAL (not a valid value of the type) or
 * CM_ENOMEM.
 */
int form_field_canonical(
    const struct form_field *f, const char *raw, char **out);

#endif
