/*
 * problem.c: the validation report and the rendering of its messages.
 */
#include "forms/problem.h"
#include "forms/catalog.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"

#include <string.h>

struct pcode_info {
	const char *name;
	enum form_severity sev;
	const char *msgid;
};

static const struct pcode_info pcodes[] = {
    [FORM_P_OK] = {"FORM_P_OK", FORM_SEV_NOTICE, N_("no problem")},
#define FORM_XX_INFO(name, sev, msg)                                           \
	[FORM_P_##name] = {"FORM_P_" #name, FORM_SEV_##sev, N_(msg)},
    FORM_PROBLEM_MAP(FORM_XX_INFO)
#undef FORM_XX_INFO
};

const char *
form_pcode_name(enum form_pcode code)
{
	return (unsigned)code < FORM_P__COUNT ? pcodes[code].name : "FORM_P_?";
}

const char *
form_pcode_msgid(enum form_pcode code)
{
	return (unsigned)code < FORM_P__COUNT ? pcodes[code].msgid : "?";
}

enum form_severity
form_pcode_severity(enum form_pcode code)
{
	return (unsigned)code < FORM_P__COUNT ? pcodes[code].sev
	                                      : FORM_SEV_ERROR;
}

const char *
form_severity_name(enum form_severity s)
{
	switch (s) {
	case FORM_SEV_ERROR:
		return "error";
	case FORM_SEV_WARNING:
		return "warning";
	case FORM_SEV_NOTICE:
		return "notice";
	}
	return "?";
}

const char *
form_severity_label(enum form_severity s)
{
	switch (s) {
	case FORM_SEV_ERROR:
		return _("error");
	case FORM_SEV_WARNING:
		return _("warning");
	case FORM_SEV_NOTICE:
		return _("notice");
	}
	return "?";
}

void
form_report_init(struct form_report *r)
{
	memset(r, 0, sizeof(*r));
}

void
form_report_free(struct form_report *r)
{
	cm_free(r->items);
	memset(r, 0, sizeof(*r));
}

void
form_report_clear(struct form_report *r)
{
	r->n = 0;
	r->errors = r->warnings = r->notices = 0;
	r->oom = 0;
}

static void
copy_bounded(char *dst, size_t size, const char *src)
{
	size_t n;

	if (src == NULL) {
		dst[0] = '\0';
		return;
	}
	n = strlen(src);
	if (n >= size) {
		n = size - 1;
		/* Never cut a UTF-8 sequence in half. */
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80) {
			n--;
		}
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
form_report_add(struct form_report *r, const char *field, enum form_pcode code,
    const char *a, const char *other)
{
	struct form_problem *p;

	if (r->n == r->cap) {
		size_t ncap = r->cap == 0 ? 8 : r->cap * 2;
		struct form_problem *n =
		    cm_reallocarray(r->items, ncap, sizeof(*n));

		if (n == NULL) {
			r->oom = 1;
			return CM_ENOMEM;
		}
		r->items = n;
		r->cap = ncap;
	}
	p = &r->items[r->n++];
	copy_bounded(p->field, sizeof(p->field), field);
	p->code = code;
	p->severity = form_pcode_severity(code);
	copy_bounded(p->a, sizeof(p->a), a);
	copy_bounded(p->other, sizeof(p->other), other);
	switch (p->severity) {
	case FORM_SEV_ERROR:
		r->errors++;
		break;
	case FORM_SEV_WARNING:
		r->warnings++;
		break;
	case FORM_SEV_NOTICE:
		r->notices++;
		break;
	}
	return 0;
}

bool
form_report_blocks(const struct form_report *r, bool warnings_overridden)
{
	return r->oom || r->errors > 0 ||
	       (r->warnings > 0 && !warnings_overridden);
}

static const char *
label_of(const struct form_matter *m, const char *id, bool zh)
{
	const struct form_field *f =
	    m != NULL ? form_matter_field(m, id) : NULL;

	return f != NULL ? form_text_get(&f->label, zh) : id;
}

char *
form_problem_message(const struct form_problem *p, const struct form_matter *m,
    bool zh, char *buf, size_t size)
{
	const char *tmpl = _(form_pcode_msgid(p->code));
	size_t out = 0;

	if (size == 0) {
		return buf;
	}
	while (*tmpl != '\0' && out + 1 < size) {
		const char *sub = NULL;
		size_t skip = 0;

		if (strncmp(tmpl, "{label}", 7) == 0) {
			sub = label_of(m, p->field, zh);
			skip = 7;
		} else if (strncmp(tmpl, "{other}", 7) == 0) {
			sub = label_of(m, p->other, zh);
			skip = 7;
		} else if (strncmp(tmpl, "{a}", 3) == 0) {
			sub = p->a;
			skip = 3;
		}
		if (sub != NULL) {
			char tmp[256];

			copy_bounded(tmp,
			    sizeof(tmp) < size - out ? sizeof(tmp) : size - out,
			    sub);
			memcpy(buf + out, tmp, strlen(tmp));
			out += strlen(tmp);
			tmpl += skip;
		} else {
			buf[out++] = *tmpl++;
		}
	}
	/* Do not end inside a UTF-8 sequence when the buffer ran out. */
	if (*tmpl != '\0' && out > 0) {
		size_t k = out - 1;
		unsigned char lead;
		size_t need;

		while (k > 0 && ((unsigned char)buf[k] & 0xc0) == 0x80) {
			k--;
		}
		lead = (unsigned char)buf[k];
		need = lead < 0x80    ? 1
		       : lead >= 0xf0 ? 4
		       : lead >= 0xe0 ? 3
		                      : 2;
		if (k + need > out) {
			out = k;
		}
	}
	buf[out] = '\0';
	return buf;
}
