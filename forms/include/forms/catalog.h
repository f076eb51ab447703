/*
 * catalog.h: the matter catalog (事项目录).
 *
 * One JSON file per matter (forms/catalog/<code>.json, format in
 * docs/catalog.md and forms/catalog/matter.schema.json). The loader is
 * handed buffers; it checks everything it can about a file and reports
 * each problem with the file, line and column, then adds the good files to
 * the catalog and leaves the bad ones out.
 */
#ifndef FORM_CATALOG_H
#define FORM_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/diag.h"

/* A text in both languages. en may be NULL only where documented. */
struct form_text {
	char *zh;
	char *en;
};

/* The text in the wanted language, falling back to the other one. */
const char *form_text_get(const struct form_text *t, bool zh);

#define FORM_FIELD_TYPE_MAP(XX)                                                \
	XX(TEXT, "text")                                                       \
	XX(PERSON_NAME, "person_name")                                         \
	XX(CITIZEN_ID, "citizen_id")                                           \
	XX(USCC, "uscc")                                                       \
	XX(MOBILE, "mobile")                                                   \
	XX(LANDLINE, "landline")                                               \
	XX(DATE, "date")                                                       \
	XX(ENUM, "enum")                                                       \
	XX(INTEGER, "integer")                                                 \
	XX(MONEY, "money")                                                     \
	XX(REGION, "region")                                                   \
	XX(ADDRESS, "address")                                                 \
	XX(BOOL, "bool")                                                       \
	XX(ELICENCE, "elicence")

enum form_ftype {
#define FORM_XX_FT(name, str) FORM_FT_##name,
	FORM_FIELD_TYPE_MAP(FORM_XX_FT)
#undef FORM_XX_FT
	    FORM_FT__COUNT
};

const char *form_ftype_name(enum form_ftype t);
/* 0 and *out set, or CM_ENOTFOUND. */
int form_ftype_parse(const char *s, enum form_ftype *out);

/* A condition on another field's (normalised) value. */
enum form_cond_op {
	FORM_COND_EQUALS,  /* "equals": "v" */
	FORM_COND_IN,      /* "in": ["a", "b"] */
	FORM_COND_PRESENT, /* "present": true: the field has a value */
	FORM_COND_ABSENT,  /* "present": false */
};

struct form_cond {
	char *field;
	enum form_cond_op op;
	char **values; /* EQUALS: 1, IN: n */
	size_t nvalues;
};

struct form_option {
	char *value;
	struct form_text label;
};

struct form_field {
	char *id;
	struct form_text label;
	struct form_text help; /* may be empty */
	enum form_ftype type;
	bool required;
	int min_len, max_len; /* in characters; 0 = no bound */
	bool has_min, has_max;
	int64_t min, max;            /* integer: the value; money: fen */
	bool not_future, not_past;   /* dates */
	struct form_option *options; /* enum */
	size_t noptions;
	struct form_cond *shown_when;    /* NULL: always shown */
	struct form_cond *required_when; /* NULL: `required` decides */
	char *profile; /* applicant-registry key it reuses, or NULL */
};

enum form_need {
	FORM_NEED_REQUIRED,
	FORM_NEED_OPTIONAL,
	FORM_NEED_CONDITIONAL, /* required when `required_when` holds */
};

/* The forms in which a material is accepted (a bit set). */
enum form_mform {
	FORM_MF_ORIGINAL = 1,
	FORM_MF_COPY = 2,
	FORM_MF_ELICENCE = 4,
};

struct form_material {
	char *id;
	struct form_text name;
	struct form_text note; /* may be empty */
	enum form_need need;
	struct form_cond *required_when;
	unsigned forms; /* enum form_mform bits, at least one */
	int copies;     /* 1.. */
	bool secondary; /* may be missing under 容缺受理 */
	int gap_days; /* working days to hand it in later (容缺), 1..promised */
};

enum form_rule_op {
	FORM_RULE_AFTER,      /* dates: field > other */
	FORM_RULE_NOT_BEFORE, /* dates: field >= other */
	FORM_RULE_GT,
	FORM_RULE_GE,
	FORM_RULE_LT,
	FORM_RULE_LE,
};

/* A cross-field rule, checked only when both fields have valid values. */
struct form_rule {
	enum form_rule_op op;
	char *field;
	char *other;
};

enum form_applicant {
	FORM_APPLICANT_PERSON,
	FORM_APPLICANT_ENTERPRISE,
	FORM_APPLICANT_ANY,
};

struct form_fee {
	struct form_text item;
	int64_t fen; /* 0 = free */
};

struct form_matter {
	char *code;  /* e.g. "XK00012001" */
	int version; /* 1.. */
	struct form_text name;
	char *type; /* "XK", "QR", "JF", "GG", ... */
	struct form_text department;
	struct form_text legal_basis;
	struct form_text *conditions;
	size_t nconditions;
	enum form_applicant applicant;
	int legal_limit;    /* working days, 0 = on the spot */
	int promised_limit; /* working days, <= legal_limit */
	int extension;      /* 0..10, or 15 with joint handling */
	bool joint;         /* joint / centralised handling (Art. 42 ¶2) */
	bool gaps_allowed;  /* 容缺受理 allowed for this matter */
	int visits;         /* visits to the hall needed, 0..5 */
	struct form_fee *fees;
	size_t nfees;
	struct form_field *fields;
	size_t nfields;
	struct form_material *materials;
	size_t nmaterials;
	struct form_rule *rules;
	size_t nrules;
	char *source; /* the file it came from */
};

/* The matter types of the national catalogue, code and labels. */
const char *form_mtype_label(const char *code, bool zh);

const struct form_field *form_matter_field(
    const struct form_matter *m, const char *id);
const struct form_material *form_matter_material(
    const struct form_matter *m, const char *id);

struct form_catalog {
	struct form_matter **items; /* sorted by code once loading ends */
	size_t n, cap;
};

void form_catalog_init(struct form_catalog *c);
void form_catalog_free(struct form_catalog *c);

/*
 * Parse one matter file from buf[0..len) (need not be NUL-terminated).
 * name is used in diagnostics and kept as the matter's source. On success
 * the matter is added (a duplicate code is an error) and 0 is returned.
 * Otherwise every problem found is appended to diags and CM_EPARSE is
 * returned (or CM_ENOMEM); the catalog is unchanged.
 */
int form_catalog_load(struct form_catalog *c, const char *name, const char *buf,
    size_t len, struct form_diags *diags);

/* Parse a single matter (the loader's core). Caller frees with
 * form_matter_free. */
int form_matter_parse(const char *name, const char *buf, size_t len,
    struct form_matter **out, struct form_diags *diags);
void form_matter_free(struct form_matter *m);

/* Sort by code; call after the last load. */
void form_catalog_sort(struct form_catalog *c);

/* The matter with that code, or NULL. */
const struct form_matter *form_catalog_find(
    const struct form_catalog *c, const char *code);

/*
 * Matters whose code starts with query or whose name (zh or en, case
 * folded for Latin letters) contains it, in catalog order. Writes up to
 * max pointers into out and returns how many matched in all.
 */
size_t form_catalog_search(const struct form_catalog *c, const char *query,
    const struct form_matter **out, size_t max);

#endif
