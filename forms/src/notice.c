/*
 * notice.c: the documents handed to the applicant, as data and as text.
 *
 * Fixed wording goes through gettext (English msgids, Chinese in
 * po/zh_CN.po); names of matters, fields and materials come from the
 * catalog in the language asked for. The verification code is a keyed
 * hash of the document body, so a hall can check a paper it is shown.
 */
#include "forms/notice.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/sbuf.h"
#include "common/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char *
form_notice_kind_name(enum form_notice_kind k)
{
	switch (k) {
	case FORM_NOTICE_ACCEPTANCE:
		return "acceptance";
	case FORM_NOTICE_GAPS:
		return "gaps";
	case FORM_NOTICE_ONETIME:
		return "onetime";
	case FORM_NOTICE_REFUSAL:
		return "refusal";
	}
	return "?";
}

static const char *
kind_title(enum form_notice_kind k)
{
	switch (k) {
	case FORM_NOTICE_ACCEPTANCE:
		return _("Notice of Acceptance");
	case FORM_NOTICE_GAPS:
		return _("Notice of Acceptance with Materials to Follow");
	case FORM_NOTICE_ONETIME:
		return _("One-Time Notice of Materials to Supplement");
	case FORM_NOTICE_REFUSAL:
		return _("Notice of Refusal to Accept");
	}
	return "?";
}

int
form_notice_verify_code(const unsigned char *key, size_t keylen,
    enum form_notice_kind kind, const char *case_no, const char *body,
    char out[16])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	crypto_generichash_state st;
	unsigned char h[8];
	unsigned char k = (unsigned char)kind;
	uint64_t v = 0;
	int o = 0;

	if (key == NULL || keylen < crypto_generichash_KEYBYTES_MIN ||
	    keylen > crypto_generichash_KEYBYTES_MAX || case_no == NULL ||
	    body == NULL) {
		return CM_EINVAL;
	}
	if (crypto_generichash_init(&st, key, keylen, sizeof(h)) != 0) {
		return CM_EINVAL;
	}
	/* Kind, case number and body, each length-delimited by a NUL. */
	crypto_generichash_update(&st, &k, 1);
	crypto_generichash_update(
	    &st, (const unsigned char *)case_no, strlen(case_no) + 1);
	crypto_generichash_update(
	    &st, (const unsigned char *)body, strlen(body) + 1);
	crypto_generichash_final(&st, h, sizeof(h));
	for (int i = 0; i < 8; i++) {
		v = (v << 8) | h[i];
	}
	for (int i = 0; i < 12; i++) {
		if (i > 0 && i % 4 == 0) {
			out[o++] = '-';
		}
		out[o++] = alphabet[(v >> (59 - 5 * i)) & 31];
	}
	out[o] = '\0';
	return 0;
}

static void
put_date(struct cm_sbuf *b, int32_t day)
{
	int y, m, d;

	cm_date_to_ymd(day, &y, &m, &d);
	/* TRANSLATORS: a date on a notice: year, month, day. */
	cm_sbuf_printf(b, _("%1$04d-%2$02d-%3$02d"), y, m, d);
}

/* "original or e-licence, 2 copies" for a material. */
static char *
material_detail(const struct form_material *mt)
{
	static const struct {
		unsigned bit;
		const char *msgid;
	} forms[] = {
	    {FORM_MF_ORIGINAL, N_("original")},
	    {FORM_MF_COPY, N_("copy")},
	    {FORM_MF_ELICENCE, N_("e-licence")},
	};
	struct cm_sbuf b;
	int n = 0;

	cm_sbuf_init(&b);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (mt->forms & forms[i].bit) {
			if (n++ > 0) {
				cm_sbuf_puts(&b, _(" or "));
			}
			cm_sbuf_puts(&b, _(forms[i].msgid));
		}
	}
	cm_sbuf_printf(
	    &b, _n(", %d copy", ", %d copies", mt->copies), mt->copies);
	return cm_sbuf_take(&b);
}

static int
add_item(struct form_notice *n, size_t *cap, const char *what, char *detail,
    int32_t due, bool is_field)
{
	struct form_notice_item *it;

	if (detail == NULL) {
		return CM_ENOMEM;
	}
	if (n->nitems == *cap) {
		size_t ncap = *cap == 0 ? 8 : *cap * 2;
		struct form_notice_item *ni =
		    cm_reallocarray(n->items, ncap, sizeof(*ni));

		if (ni == NULL) {
			cm_free(detail);
			return CM_ENOMEM;
		}
		n->items = ni;
		*cap = ncap;
	}
	it = &n->items[n->nitems];
	it->what = cm_strdup(what);
	if (it->what == NULL) {
		cm_free(detail);
		return CM_ENOMEM;
	}
	it->detail = detail;
	it->due = due;
	it->is_field = is_field;
	n->nitems++;
	return 0;
}

static int
collect_items(const struct form_notice_in *in, struct form_notice *n)
{
	size_t cap = 0;
	int rc = 0;

	switch (in->kind) {
	case FORM_NOTICE_ACCEPTANCE:
	case FORM_NOTICE_REFUSAL:
		for (size_t i = 0; i < in->nreceived && rc == 0; i++) {
			const struct form_material *mt =
			    form_matter_material(in->m, in->received[i]);

			if (mt != NULL) {
				rc = add_item(n, &cap,
				    form_text_get(&mt->name, in->zh),
				    material_detail(mt), 0, false);
			}
		}
		break;
	case FORM_NOTICE_GAPS:
	case FORM_NOTICE_ONETIME:
		for (size_t i = 0;
		     in->mat != NULL && i < in->mat->nmissing && rc == 0; i++) {
			const struct form_mat_missing *mm =
			    &in->mat->missing[i];

			rc = add_item(n, &cap,
			    form_text_get(&mm->mat->name, in->zh),
			    material_detail(mm->mat),
			    in->kind == FORM_NOTICE_GAPS ? mm->due
			                                 : in->supplement_due,
			    false);
		}
		for (size_t i = 0;
		     in->kind == FORM_NOTICE_ONETIME && in->report != NULL &&
		     i < in->report->n && rc == 0;
		     i++) {
			const struct form_problem *p = &in->report->items[i];
			const struct form_field *f =
			    form_matter_field(in->m, p->field);
			char msg[512];

			if (p->severity == FORM_SEV_NOTICE) {
				continue;
			}
			form_problem_message(
			    p, in->m, in->zh, msg, sizeof(msg));
			rc = add_item(n, &cap,
			    f != NULL ? form_text_get(&f->label, in->zh)
			              : p->field,
			    cm_strdup(msg), in->supplement_due, true);
		}
		break;
	}
	return rc;
}

static void
put_items(struct cm_sbuf *b, const struct form_notice *n)
{
	for (size_t i = 0; i < n->nitems; i++) {
		const struct form_notice_item *it = &n->items[i];

		/* A field problem is a sentence that names its field already. */
		if (it->is_field) {
			cm_sbuf_printf(
			    b, _("  %1$zu. %2$s"), i + 1, it->detail);
		} else {
			/* TRANSLATORS: a numbered line of a notice: material,
			 * then what is required of it. */
			cm_sbuf_printf(b, _("  %1$zu. %2$s: %3$s"), i + 1,
			    it->what, it->detail);
		}
		if (it->due != 0 && n->kind == FORM_NOTICE_GAPS) {
			cm_sbuf_puts(b, _("; hand in by "));
			put_date(b, it->due);
		}
		cm_sbuf_puts(b, "\n");
	}
}

/* The body: everything below the title, case number and code lines. */
static char *
build_body(const struct form_notice_in *in, const struct form_notice *n)
{
	const struct form_matter *m = in->m;
	struct cm_sbuf b;

	cm_sbuf_init(&b);
	cm_sbuf_printf(&b, _("Applicant: %s\n"), in->applicant);
	cm_sbuf_printf(
	    &b, _("Matter: %s %s\n"), m->code, form_text_get(&m->name, in->zh));
	cm_sbuf_printf(
	    &b, _("Department: %s\n"), form_text_get(&m->department, in->zh));
	cm_sbuf_puts(&b, _("Date: "));
	put_date(&b, in->date);
	cm_sbuf_puts(&b, "\n\n");

	switch (in->kind) {
	case FORM_NOTICE_ACCEPTANCE:
	case FORM_NOTICE_GAPS:
		cm_sbuf_puts(
		    &b, in->kind == FORM_NOTICE_ACCEPTANCE
		            ? _("Your application has been accepted.\n")
		            : _("Your application has been accepted with "
		                "materials to follow (容缺受理). You have "
		                "signed a commitment to hand in the materials "
		                "below by the dates shown; if they are not "
		                "handed in on time, the application will be "
		                "handled as incomplete.\n"));
		/* A date of 0 is unknown (beyond the calendar): left out
		 * rather than printed as 1970. */
		if (in->promised_due != 0) {
			cm_sbuf_puts(&b, _("Promised completion date: "));
			put_date(&b, in->promised_due);
			cm_sbuf_puts(&b, "\n");
		}
		if (in->legal_due != 0) {
			cm_sbuf_puts(&b, _("Statutory completion date: "));
			put_date(&b, in->legal_due);
			cm_sbuf_puts(&b, "\n");
		}
		cm_sbuf_puts(&b, "\n");
		if (in->kind == FORM_NOTICE_GAPS) {
			cm_sbuf_puts(&b, _("Materials to follow:\n"));
			put_items(&b, n);
			cm_sbuf_puts(
			    &b, _("This notice is made out in two copies, one "
			          "for the applicant and one for the file.\n"));
		} else {
			cm_sbuf_puts(&b, _("Materials received:\n"));
			put_items(&b, n);
		}
		break;
	case FORM_NOTICE_ONETIME:
		cm_sbuf_puts(&b,
		    _("Your application materials are incomplete or not in the "
		      "legal form. Under Article 32 of the Administrative "
		      "Licensing Law, everything to be supplemented or "
		      "corrected is listed below, at once:\n"));
		put_items(&b, n);
		if (in->supplement_due != 0) {
			cm_sbuf_puts(&b, _("Please supplement them by: "));
			put_date(&b, in->supplement_due);
			cm_sbuf_puts(&b, "\n");
		}
		cm_sbuf_puts(&b, _("The application will be accepted once "
		                   "everything listed is complete.\n"));
		break;
	case FORM_NOTICE_REFUSAL:
		cm_sbuf_printf(&b,
		    _("Your application is not accepted. Reason: %s\n"),
		    in->reason);
		cm_sbuf_puts(&b,
		    _("If you disagree with this decision, you may apply for "
		      "administrative reconsideration within 60 days of "
		      "receiving this notice, or bring an administrative "
		      "lawsuit within 6 months, according to law.\n"));
		break;
	}
	cm_sbuf_puts(&b, "\n");
	if (in->hall != NULL && in->hall[0] != '\0') {
		cm_sbuf_printf(&b, _("Hall: %s\n"), in->hall);
	}
	if (in->clerk != NULL && in->clerk[0] != '\0') {
		cm_sbuf_printf(&b, _("Clerk: %s\n"), in->clerk);
	}
	if (in->contact != NULL && in->contact[0] != '\0') {
		cm_sbuf_printf(&b, _("Contact: %s\n"), in->contact);
	}
	return cm_sbuf_take(&b);
}

void
form_notice_free(struct form_notice *n)
{
	for (size_t i = 0; i < n->nitems; i++) {
		cm_free(n->items[i].what);
		cm_free(n->items[i].detail);
	}
	cm_free(n->items);
	cm_free(n->title);
	cm_free(n->text);
	memset(n, 0, sizeof(*n));
}

int
form_notice_build(const struct form_notice_in *in, struct form_notice *out)
{
	struct cm_sbuf b;
	char *body;
	int rc;

	memset(out, 0, sizeof(*out));
	/* Everything printed on the paper must be text: the header promises
	 * UTF-8, and the code is a hash of these bytes. */
	{
		const char *texts[] = {in->case_no, in->applicant, in->hall,
		    in->clerk, in->contact, in->reason};

		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			if (texts[i] != NULL &&
			    !cm_utf8_valid(texts[i], strlen(texts[i]))) {
				return CM_EUTF8;
			}
		}
	}
	if (in->m == NULL || in->case_no == NULL || in->case_no[0] == '\0' ||
	    strlen(in->case_no) >= sizeof(out->case_no) ||
	    in->applicant == NULL || in->key == NULL ||
	    (in->kind == FORM_NOTICE_REFUSAL &&
	        (in->reason == NULL || in->reason[0] == '\0')) ||
	    ((in->kind == FORM_NOTICE_GAPS ||
	         in->kind == FORM_NOTICE_ONETIME) &&
	        in->mat == NULL)) {
		return CM_EINVAL;
	}
	out->kind = in->kind;
	snprintf(out->case_no, sizeof(out->case_no), "%s", in->case_no);
	out->title = cm_strdup(kind_title(in->kind));
	if (out->title == NULL) {
		return CM_ENOMEM;
	}
	rc = collect_items(in, out);
	if (rc != 0) {
		form_notice_free(out);
		return rc;
	}
	body = build_body(in, out);
	if (body == NULL) {
		form_notice_free(out);
		return CM_ENOMEM;
	}
	rc = form_notice_verify_code(
	    in->key, in->keylen, in->kind, in->case_no, body, out->verify);
	if (rc != 0) {
		cm_free(body);
		form_notice_free(out);
		return rc;
	}
	cm_sbuf_init(&b);
	cm_sbuf_printf(&b, "%s\n\n", out->title);
	cm_sbuf_printf(&b, _("Case number: %s\n"), out->case_no);
	cm_sbuf_printf(&b, _("Verification code: %s\n"), out->verify);
	cm_sbuf_puts(&b, body);
	cm_free(body);
	out->text = cm_sbuf_take(&b);
	if (out->text == NULL) {
		form_notice_free(out);
		return CM_ENOMEM;
	}
	return 0;
}
