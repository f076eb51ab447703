/*
 * materials.h: the materials checklist (材料清单) and its outcome.
 *
 * Given what the applicant handed in: complete; acceptable with gaps
 * (容缺受理: only secondary materials missing, the matter allows it, the
 * applicant is eligible and signs a commitment, each missing material gets
 * a deadline no later than the promised deadline); or incomplete, with the
 * full list for the one-time notice (一次性告知).
 */
#ifndef FORM_MATERIALS_H
#define FORM_MATERIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/calendar.h"
#include "forms/catalog.h"
#include "forms/validate.h"

enum form_mat_outcome {
	FORM_MAT_COMPLETE,
	FORM_MAT_GAPS,
	FORM_MAT_INCOMPLETE,
};

const char *form_mat_outcome_name(enum form_mat_outcome o);
/* The outcome for people, translated. */
const char *form_mat_outcome_label(enum form_mat_outcome o);

struct form_mat_missing {
	const struct form_material *mat; /* borrowed from the matter */
	int32_t due; /* GAPS: last day to hand it in; otherwise 0 */
};

struct form_mat_result {
	enum form_mat_outcome outcome;
	struct form_mat_missing *missing; /* every required one not handed in */
	size_t nmissing;
	char **unknown; /* handed-in ids that are not materials of the matter */
	size_t nunknown;
	bool gaps_refused_ineligible; /* only secondary missing, but the
	                                 applicant may not use 容缺 */
};

struct form_mat_opts {
	/* The applicant may use 容缺 (not on a dishonesty list, signs the
	 * commitment). */
	bool applicant_eligible;
	/* For the gap deadlines: the calendar, the acceptance day and the
	 * promised due date (not before the acceptance day). With cal NULL
	 * the outcome is decided but every due date is left 0. */
	const struct form_calendar *cal;
	int32_t accepted;
	int32_t promised_due;
};

void form_mat_result_init(struct form_mat_result *r);
void form_mat_result_free(struct form_mat_result *r);

/* Is the material required for these field values? */
bool form_material_is_required(
    const struct form_material *mat, const struct form_values *v);

/*
 * Check the handed-in material ids against the matter. vals are the
 * normalised field values (conditions look at them). Returns 0, CM_ENOMEM,
 * CM_EINVAL (promised_due before accepted) or CM_ENODATA when a gap
 * deadline falls beyond the calendar.
 */
int form_materials_check(const struct form_matter *m,
    const struct form_values *vals, const char *const *handed, size_t nhanded,
    const struct form_mat_opts *opts, struct form_mat_result *out);

#endif
