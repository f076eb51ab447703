/*
 * problem.h: the validation report.
 *
 * Validation never stops at the first problem: the clerk must be able to
 * tell the applicant everything at once (一次性告知). A report lists every
 * problem with the field, a code, a severity and a message that gettext
 * translates. A bad value is not an error code: validate() returns 0 and
 * the report says what is wrong.
 *
 * A report holds personal data (an upgraded ID number in {a}, keys typed
 * by the clerk): show it, print it on the notice, never log it.
 */
#ifndef FORM_PROBLEM_H
#define FORM_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>

struct form_matter;

enum form_severity {
	FORM_SEV_ERROR = 0, /* blocks acceptance */
	FORM_SEV_WARNING,   /* blocks unless a supervisor overrides it */
	FORM_SEV_NOTICE,    /* information only (e.g. an ID was upgraded) */
};

/*
 * XX(name, severity, msgid). Placeholders in the msgid: {label} the
 * field's label, {a} the problem's parameter, {other} the label of the
 * other field of a cross-field rule.
 */
#define FORM_PROBLEM_MAP(XX)                                                   \
	XX(REQUIRED, ERROR, N_("{label} is required"))                         \
	XX(UNKNOWN_FIELD, ERROR, N_("{label} is not a field of this matter"))  \
	XX(NOT_APPLICABLE, NOTICE,                                             \
	    N_("{label} does not apply to this application and was ignored"))  \
	XX(BAD_UTF8, ERROR, N_("{label} is not valid UTF-8 text"))             \
	XX(TOO_SHORT, ERROR, N_("{label} must be at least {a} characters"))    \
	XX(TOO_LONG, ERROR, N_("{label} must be at most {a} characters"))      \
	XX(BAD_CHARS, ERROR,                                                   \
	    N_("{label} contains characters that are not allowed"))            \
	XX(NAME_CHARS, ERROR,                                                  \
	    N_("{label} may contain only Chinese or Latin letters and a "      \
	       "middle dot"))                                                  \
	XX(NAME_DOT, ERROR,                                                    \
	    N_("{label}: a middle dot may not begin or end a name or stand "   \
	       "twice"))                                                       \
	XX(ID_LENGTH, ERROR, N_("{label} must have 18 characters"))            \
	XX(ID_CHARS, ERROR,                                                    \
	    N_("{label} must be 17 digits followed by a digit or X"))          \
	XX(ID_REGION, ERROR, N_("{label} begins with an invalid region code")) \
	XX(ID_BIRTH, ERROR,                                                    \
	    N_("{label} holds a birth date that does not exist"))              \
	XX(ID_FUTURE, ERROR, N_("{label} holds a birth date in the future"))   \
	XX(ID_CHECK, ERROR,                                                    \
	    N_("{label} has a wrong check character (it should be {a}); "      \
	       "check the number"))                                            \
	XX(ID15_UPGRADED, NOTICE,                                              \
	    N_("{label}: the 15-digit number was upgraded to 18 digits "       \
	       "({a})"))                                                       \
	XX(ID15_INVALID, ERROR,                                                \
	    N_("{label}: this 15-digit number cannot be upgraded; ask for "    \
	       "the 18-digit ID card"))                                        \
	XX(USCC_LENGTH, ERROR, N_("{label} must have 18 characters"))          \
	XX(USCC_CHARS, ERROR,                                                  \
	    N_("{label} may contain only digits and capital letters other "    \
	       "than I, O, S, V and Z"))                                       \
	XX(USCC_CHECK, WARNING,                                                \
	    N_("{label} fails the check-character test (expected {a}); early " \
	       "pilot codes do, a supervisor may accept it"))                  \
	XX(MOBILE, ERROR,                                                      \
	    N_("{label} must be an 11-digit mobile number beginning 13 to "    \
	       "19"))                                                          \
	XX(LANDLINE, ERROR,                                                    \
	    N_("{label} must be an area code and a number, such as "           \
	       "0755-83001234"))                                               \
	XX(DATE, ERROR, N_("{label} must be a date written YYYY-MM-DD"))       \
	XX(DATE_FUTURE, ERROR, N_("{label} may not be in the future"))         \
	XX(DATE_PAST, ERROR, N_("{label} may not be in the past"))             \
	XX(ENUM, ERROR, N_("{label} must be one of the listed choices"))       \
	XX(INTEGER, ERROR, N_("{label} must be a whole number"))               \
	XX(MONEY, ERROR,                                                       \
	    N_("{label} must be an amount in yuan with at most two decimals")) \
	XX(BELOW_MIN, ERROR, N_("{label} must be at least {a}"))               \
	XX(ABOVE_MAX, ERROR, N_("{label} must be at most {a}"))                \
	XX(REGION, ERROR,                                                      \
	    N_("{label} must be a 6-digit administrative region code"))        \
	XX(BOOL, ERROR, N_("{label} must be yes or no"))                       \
	XX(ELICENCE, ERROR, N_("{label} is not a valid e-licence number"))     \
	XX(RULE_AFTER, ERROR, N_("{label} must be later than {other}"))        \
	XX(RULE_NOT_BEFORE, ERROR,                                             \
	    N_("{label} may not be earlier than {other}"))                     \
	XX(RULE_GT, ERROR, N_("{label} must be greater than {other}"))         \
	XX(RULE_GE, ERROR, N_("{label} may not be less than {other}"))         \
	XX(RULE_LT, ERROR, N_("{label} must be less than {other}"))            \
	XX(RULE_LE, ERROR, N_("{label} may not be greater than {other}"))

enum form_pcode {
	FORM_P_OK = 0,
#define FORM_XX_ENUM(name, sev, msg) FORM_P_##name,
	FORM_PROBLEM_MAP(FORM_XX_ENUM)
#undef FORM_XX_ENUM
	    FORM_P__COUNT
};

#define FORM_ID_MAX    48 /* longest field or material id, with its NUL */
#define FORM_PARAM_MAX 48

struct form_problem {
	char field[FORM_ID_MAX]; /* the field id (or the unknown key) */
	enum form_pcode code;
	enum form_severity severity;
	char a[FORM_PARAM_MAX];  /* the {a} parameter, may be empty */
	char other[FORM_ID_MAX]; /* the other field of a rule, or empty */
};

struct form_report {
	struct form_problem *items;
	size_t n, cap;
	size_t errors, warnings, notices;
	int oom; /* a problem could not be stored: treat the report as failed */
};

void form_report_init(struct form_report *r);
void form_report_free(struct form_report *r);
void form_report_clear(struct form_report *r);

/* Append a problem with the code's default severity. a and other may be
 * NULL. Returns 0 or CM_ENOMEM (and sets r->oom). */
int form_report_add(struct form_report *r, const char *field,
    enum form_pcode code, const char *a, const char *other);

/* True when the report holds an error, or a warning not overridden. */
bool form_report_blocks(const struct form_report *r, bool warnings_overridden);

/* "FORM_P_TOO_LONG" style name; "error"/"warning"/"notice". */
const char *form_pcode_name(enum form_pcode code);
const char *form_pcode_msgid(enum form_pcode code);
enum form_severity form_pcode_severity(enum form_pcode code);
const char *form_severity_name(enum form_severity s);
/* The severity for people, translated ("error", "warning", "notice"). */
const char *form_severity_label(enum form_severity s);

/*
 * Render a problem's message, translated, with labels taken from the
 * matter (m may be NULL: ids are used). zh picks the Chinese labels of the
 * catalog. Writes at most size bytes (NUL-terminated, cut on a character
 * boundary) and returns buf.
 */
char *form_problem_message(const struct form_problem *p,
    const struct form_matter *m, bool zh, char *buf, size_t size);

#endif
