/*
 * materials.c: the materials checklist. Decides between complete,
 * acceptable with gaps (容缺受理) and incomplete, and lists every missing
 * material, so that the one-time notice can name them all at once.
 */
#include "forms/materials.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"

#include <string.h>

const char *
form_mat_outcome_name(enum form_mat_outcome o)
{
	switch (o) {
	case FORM_MAT_COMPLETE:
		return "complete";
	case FORM_MAT_GAPS:
		return "gaps";
	case FORM_MAT_INCOMPLETE:
		return "incomplete";
	}
	return "?";
}

const char *
form_mat_outcome_label(enum form_mat_outcome o)
{
	switch (o) {
	case FORM_MAT_COMPLETE:
		return _("complete");
	case FORM_MAT_GAPS:
		return _("complete but for secondary materials (容缺)");
	case FORM_MAT_INCOMPLETE:
		return _("incomplete");
	}
	return "?";
}

void
form_mat_result_init(struct form_mat_result *r)
{
	memset(r, 0, sizeof(*r));
}

void
form_mat_result_free(struct form_mat_result *r)
{
	for (size_t i = 0; i < r->nunknown; i++) {
		cm_free(r->unknown[i]);
	}
	cm_free(r->unknown);
	cm_free(r->missing);
	memset(r, 0, sizeof(*r));
}

bool
form_material_is_required(
    const struct form_material *mat, const struct form_values *v)
{
	switch (mat->need) {
	case FORM_NEED_REQUIRED:
		return true;
	case FORM_NEED_OPTIONAL:
		return false;
	case FORM_NEED_CONDITIONAL:
		return form_cond_holds(mat->required_when, v);
	}
	return true;
}

static bool
handed_in(const char *id, const char *const *handed, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(handed[i], id) == 0) {
			return true;
		}
	}
	return false;
}

int
form_materials_check(const struct form_matter *m,
    const struct form_values *vals, const char *const *handed, size_t nhanded,
    const struct form_mat_opts *opts, struct form_mat_result *out)
{
	bool any_primary = false;
	int rc = 0;

	form_mat_result_free(out);
	if (m->nmaterials > 0) {
		out->missing = cm_calloc(m->nmaterials, sizeof(*out->missing));
		if (out->missing == NULL) {
			return CM_ENOMEM;
		}
	}
	if (nhanded > 0) {
		out->unknown = cm_calloc(nhanded, sizeof(*out->unknown));
		if (out->unknown == NULL) {
			form_mat_result_free(out);
			return CM_ENOMEM;
		}
	}
	for (size_t i = 0; i < nhanded; i++) {
		if (form_matter_material(m, handed[i]) == NULL) {
			char *id = cm_strdup(handed[i]);

			if (id == NULL) {
				form_mat_result_free(out);
				return CM_ENOMEM;
			}
			out->unknown[out->nunknown++] = id;
		}
	}
	for (size_t i = 0; i < m->nmaterials; i++) {
		const struct form_material *mat = &m->materials[i];

		if (!form_material_is_required(mat, vals) ||
		    handed_in(mat->id, handed, nhanded)) {
			continue;
		}
		out->missing[out->nmissing++].mat = mat;
		any_primary = any_primary || !mat->secondary;
	}

	if (out->nmissing == 0) {
		out->outcome = FORM_MAT_COMPLETE;
		return 0;
	}
	out->outcome = FORM_MAT_INCOMPLETE;
	if (any_primary || !m->gaps_allowed) {
		return 0;
	}
	if (!opts->applicant_eligible) {
		out->gaps_refused_ineligible = true;
		return 0;
	}
	/* Only secondary materials are missing: each gets a deadline, never
	 * later than the promised deadline of the case. Without a calendar
	 * the dates are left 0 for the caller to fill. */
	if (opts->cal != NULL && opts->promised_due < opts->accepted) {
		return CM_EINVAL;
	}
	for (size_t i = 0; i < out->nmissing; i++) {
		struct form_mat_missing *mm = &out->missing[i];
		int32_t due;

		if (opts->cal == NULL) {
			continue;
		}
		rc = form_calendar_add_workdays(
		    opts->cal, opts->accepted, mm->mat->gap_days, &due);
		if (rc != 0) {
			break;
		}
		mm->due = due < opts->promised_due ? due : opts->promised_due;
	}
	if (rc != 0) {
		for (size_t i = 0; i < out->nmissing; i++) {
			out->missing[i].due = 0;
		}
		return rc;
	}
	out->outcome = FORM_MAT_GAPS;
	return 0;
}
