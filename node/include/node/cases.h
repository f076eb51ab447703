/*
 * cases.h: the case model. Intake decides what a new application becomes
 * (accepted, accepted with gaps, waiting for a supplement, refused) with
 * the forms library; ops are applied to a case deterministically, so that
 * every replica that applies the same ops holds the same case; index keys
 * are derived from a case so the store can keep its indexes in the same
 * batch. Pure logic: no store, no sockets.
 */
#ifndef NODE_CASES_H
#define NODE_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/calendar.h"
#include "forms/catalog.h"
#include "forms/deadline.h"
#include "forms/materials.h"
#include "forms/problem.h"
#include "forms/validate.h"
#include "node/workflow.h"
#include "onewindow.pb-c.h"

#define NODE_CASE_ID_MAX   32
#define NODE_HALL_CODE_MAX 9

/* Hall codes: 2..8 of [A-Z0-9], starting with a letter ("FT01"). */
bool node_hall_code_valid(const char *code);

/*
 * Case ids are readable and unique across halls: the hall code, the date
 * and the hall's sequence of that day: "FT01-20251010-0007" (4 digits, more
 * when a hall takes in over 9999 cases a day). 0 or CM_EINVAL.
 */
int node_case_id_format(const char *hall_code, int32_t day, uint32_t seq,
    char out[NODE_CASE_ID_MAX]);
int node_case_id_parse(const char *id, char hall_code[NODE_HALL_CODE_MAX],
    int32_t *day, uint32_t *seq);

/* ---- intake ------------------------------------------------------------ */

struct node_intake_in {
	const struct form_matter *m;
	const struct form_calendar *cal;
	int32_t today;
	const Ow__CaseCreateReq *req;
	enum node_role role; /* the clerk's or supervisor's */
};

struct node_intake_out {
	/* What the application becomes; meaningful when !blocked. */
	enum node_state state;
	/* The application cannot be taken in as it stands: field errors,
	 * or warnings not overridden by a supervisor. The report says why;
	 * no case is created. */
	bool blocked;
	struct form_report report;
	struct form_values values; /* normalised, canonical */
	struct form_mat_result mat;
	struct form_deadline deadline; /* when state is accepted(_gaps) */
	int32_t supplement_due;        /* when state is supplement */
};

void node_intake_init(struct node_intake_out *out);
void node_intake_free(struct node_intake_out *out);

/*
 * Decide an application: validate the fields, check the materials, and
 * pick the entry state. A refusal (req->refuse_reason) is recorded
 * whatever the fields hold. Returns 0 (look at out), CM_EINVAL (the
 * request lacks a matter or applicant id), CM_ENODATA (the calendar does
 * not reach the deadlines) or CM_ENOMEM.
 */
int node_intake_decide(
    const struct node_intake_in *in, struct node_intake_out *out);

/*
 * Fill a new case from a decided intake (the op's CaseCreate.initial):
 * id, matter and version, parties, values, materials, state, hall,
 * assignee (the clerk), days, 容缺 due dates. c must be initialised
 * (ow__case__init) and empty; strings are copied (freed with
 * ow__case__free_unpacked(c, NULL) or node_case_free). 0 or CM_ENOMEM.
 */
int node_case_fill(Ow__Case *c, const struct node_intake_in *in,
    const struct node_intake_out *out, const char *id, const char *hall,
    const char *clerk);

/* ---- ops --------------------------------------------------------------- */

/* A deep copy of a case (cm_malloc'd parts); free with node_case_free. */
Ow__Case *node_case_dup(const Ow__Case *c);
void node_case_free(Ow__Case *c);

/*
 * Apply an op to a case. For OP_CASE_CREATE, *c must be NULL and becomes
 * the new case. Fields merge last-writer-wins by (hlc, origin); notes and
 * materials are add-only sets; a transition whose from_state is not the
 * case's state is a concurrent transition: the state becomes
 * node_wf_merge(...) and the case is flagged as a conflict. Applying the
 * same ops in any order that keeps each origin's order gives the same
 * case. Returns 0, CM_ESTATE (an op for a case that does not exist, or a
 * create for one that does), CM_EPROTO (an op that makes no sense) or
 * CM_ENOMEM (the case is then unchanged).
 */
int node_case_apply(Ow__Case **c, const Ow__Op *op);

/* ---- deadlines and indexes --------------------------------------------- */

/*
 * The case's deadlines on `today`, from its acceptance day, pauses and
 * extension, with the matter's limits. Returns 0, CM_ENOENT when the case
 * has no running deadline (not accepted yet: waiting for a supplement, or
 * refused), CM_ENODATA (calendar) or CM_EINVAL.
 */
int node_case_deadline(const struct form_calendar *cal,
    const struct form_matter *m, const Ow__Case *c, int32_t today,
    const struct form_thresholds *th, struct form_deadline *out);

/* The kinds of index entries (first byte of an idx key). */
#define NODE_IDX_APPLICANT 'a'
#define NODE_IDX_PHONE     'p'
#define NODE_IDX_NAME      'n'
#define NODE_IDX_STATE     's'
#define NODE_IDX_ASSIGNEE  'u'
#define NODE_IDX_WARNING   'w' /* kept by the node's warning sweep */
#define NODE_IDX_MATTER    'm'
#define NODE_IDX_DATE      'd'
#define NODE_IDX_CONFLICT  'c' /* flagged cases: value "1" */
#define NODE_IDX_REMEDY    'r' /* bad ratings not followed up: the hall */

/* Does a remedy op's body hold a valid step (1 callback, 2 rectified, 3
 * follow-up with a level 1..5)? */
bool node_remedy_ok(const Ow__Op *op);

/* Raise origin's entry of vv to seq (a new entry goes last). 0 or
 * CM_ENOMEM. */
int node_vv_raise(Ow__VersionVector *vv, const char *origin, uint64_t seq);

/* Is op a seal with its body (a 32-byte digest)? */
bool node_seal_ok(const Ow__Op *op);

/* Record the op's remediation step in c->remedy (made when missing):
 * the step's day, text or level, and actor. node_case_apply (after its
 * stamp) and the replication merge (in walk order) share it. 0 or
 * CM_ENOMEM. */
int node_case_remedy_step(Ow__Case *c, const Ow__Op *op);

/* A case moved to its assignee (an "assign" stamp) that the assignee
 * has not taken over since (case_ack: ack_hlc later than the move, by
 * the assignee). A case never moved awaits nothing. */
bool node_case_awaiting_ack(const Ow__Case *c);

/* A bad rating (level 1 or 2) whose remediation has no follow-up rating
 * yet. */
bool node_case_remedy_open(const Ow__Case *c);

struct node_keys {
	uint8_t **keys;
	size_t *lens;
	size_t n, cap;
};

void node_keys_init(struct node_keys *k);
void node_keys_free(struct node_keys *k);

/*
 * Every index key of case c: kind byte, NUL, the value(s) NUL-separated,
 * NUL, the case id. Keys sort so that a prefix scan lists a value's cases
 * in id order (state keys: hall, state; date keys: YYYYMMDD). 0 or
 * CM_ENOMEM.
 */
int node_case_index_keys(const Ow__Case *c, struct node_keys *out);

/* The prefix for a lookup: kind, NUL, value (NUL-terminated values are
 * joined with NUL for state: "hall\0state"). Returns its length, 0 if it
 * does not fit in size. */
size_t node_index_prefix(char kind, const char *value, const char *value2,
    uint8_t *out, size_t size);

/* A masked applicant id for lists ("4403**********1512"). */
void node_mask_id(const char *id, char *out, size_t size);

#endif
