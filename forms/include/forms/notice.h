/*
 * notice.h: the documents handed to the applicant: the acceptance notice
 * (受理通知书), the acceptance-with-gaps notice (容缺受理通知书), the
 * one-time notice of everything missing (一次性告知书 / 补正材料通知书) and
 * the refusal notice (不予受理通知书). Each is built as data (items) and as
 * UTF-8 text, and carries the case number and a verification code.
 */
#ifndef FORM_NOTICE_H
#define FORM_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forms/catalog.h"
#include "forms/materials.h"
#include "forms/problem.h"

enum form_notice_kind {
	FORM_NOTICE_ACCEPTANCE,
	FORM_NOTICE_GAPS,
	FORM_NOTICE_ONETIME,
	FORM_NOTICE_REFUSAL,
};

const char *form_notice_kind_name(enum form_notice_kind k);

/* One line of a notice's list: a material or a field problem. */
struct form_notice_item {
	char *what;    /* material name or field label */
	char *detail;  /* what is required: form, copies, the problem */
	int32_t due;   /* 0 when none */
	bool is_field; /* a field problem: detail is a whole sentence */
};

struct form_notice_in {
	enum form_notice_kind kind;
	const char *case_no;
	const struct form_matter *m;
	const char *applicant; /* shown in full on the paper notice */
	const char *hall;
	const char *clerk;
	const char *contact;  /* the hall's phone */
	int32_t date;         /* date of issue */
	int32_t promised_due; /* ACCEPTANCE, GAPS; 0 = unknown, left out */
	int32_t legal_due;
	int32_t supplement_due; /* ONETIME: the day by which to come back */
	const struct form_report *report;  /* ONETIME: field problems */
	const struct form_mat_result *mat; /* materials outcome */
	const char *const *received;       /* ids handed in */
	size_t nreceived;
	const char *reason;       /* REFUSAL */
	const unsigned char *key; /* the hall's verification key */
	size_t keylen;            /* 16..64 bytes */
	bool zh;
};

struct form_notice {
	enum form_notice_kind kind;
	char case_no[48];
	char verify[16]; /* "XXXX-XXXX-XXXX" */
	char *title;
	struct form_notice_item *items;
	size_t nitems;
	char *text; /* the whole document, UTF-8, lines end in \n */
};

/*
 * Build a notice. Returns 0, CM_EINVAL (a required input is missing, e.g.
 * a refusal without a reason, or no key), CM_EUTF8 (a text input is not
 * UTF-8) or CM_ENOMEM. Free with
 * form_notice_free.
 */
int form_notice_build(const struct form_notice_in *in, struct form_notice *out);
void form_notice_free(struct form_notice *n);

/*
 * The verification code of a document: keyed BLAKE2b over the kind, case
 * number and text body, as 12 Crockford base-32 characters in groups of 4.
 * Anyone holding the hall's key can check a paper notice.
 */
int form_notice_verify_code(const unsigned char *key, size_t keylen,
    enum form_notice_kind kind, const char *case_no, const char *body,
    char out[16]);

#endif
