/*
 * calendar_convert.c: the calendar's file formats.
 *
 * Reads the project's calendar files (a national year, or a hall's local
 * closures; the format is in docs/deadlines.md) into a form_calendar, and
 * converts the holiday-cn year files the schedules come from into that
 * format. Both readers share one checker, so a file the converter writes
 * is a file the loader reads.
 *
 * jansson parses and rejects duplicate keys but keeps no positions; the
 * diagnostics of semantic errors (a bad date, an unknown key, a duplicate
 * day) ask jsonpos.h where the value stands, by path, so that every one
 * has a real file:line:col.
 */
#include "forms/calendar.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/sbuf.h"
#include "common/utf8.h"
#include "jsonpos.h"

#define CAL_FORMAT    "onewindow-calendar"
#define CAL_VERSION   1
#define CAL_MAX_FILE  (1 << 20) /* bytes; a year is about 4 KiB */
#define CAL_MAX_DAYS  4000      /* entries in one file */
#define CAL_MAX_NAME  64        /* characters in a day's name */
#define CAL_MAX_DIAGS 20        /* diagnostics per file, then a summary */
#define CAL_PATH      128       /* bytes of a jsonpos path */

/* ---- Reading: diagnostics and checks shared by both formats. ---- */

struct reader {
	const char *file; /* the name diagnostics give */
	const char *buf;
	size_t len;
	struct form_diags *diags;
	int nerr; /* problems found, shown or not */
};

/*
 * Report a problem at the value (or, with at_key, the key) at path, a
 * jsonpos path ("days/3/date"). fmt is translated. Past CAL_MAX_DIAGS
 * problems are only counted: a broken file gives a screenful, not pages.
 */
static void reader_diag(struct reader *r, const char *path, bool at_key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
reader_diag(
    struct reader *r, const char *path, bool at_key, const char *fmt, ...)
{
	char msg[400];
	int line, col;
	va_list ap;

	if (r->nerr++ >= CAL_MAX_DIAGS) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	form_json_locate(r->buf, r->len, path, at_key, &line, &col);
	form_diags_add(r->diags, r->file, line < 1 ? 1 : line,
	    col < 1 ? 1 : col, "%s", msg);
}

/* After the last check: say how many problems were not shown. */
static void
reader_finish(struct reader *r)
{
	if (r->nerr > CAL_MAX_DIAGS) {
		form_diags_add(r->diags, r->file, 1, 1,
		    _("%d more problems not shown"), r->nerr - CAL_MAX_DIAGS);
	}
}

/*
 * A user's text made safe for a one-line message: whole characters, at
 * most size - 4 bytes and "...", control characters as '?'. s is UTF-8
 * (jansson checked it).
 */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t i = 0, o = 0, len = strlen(s);

	while (i < len) {
		uint32_t cp;
		int k = cm_utf8_decode(s + i, len - i, &cp);

		if (k <= 0) {
			k = 1;
			cp = '?';
		}
		if (o + (size_t)k + 4 > size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (cp < 0x20 || cp == 0x7f) {
			buf[o++] = '?';
		} else {
			memcpy(buf + o, s + i, (size_t)k);
			o += (size_t)k;
		}
		i += (size_t)k;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Parse buf with jansson. Returns 0 and *root, or CM_EPARSE with a
 * diagnostic (syntax errors at jansson's line and column), or CM_ENOMEM.
 * A NUL byte is refused first: jansson 2.14 skips one that ends a token
 * ("[1, 2\0]" parses), and the text must be plain JSON for jsonpos.
 */
static int
reader_parse(struct reader *r, json_t **root)
{
	const char *nul = r->len > 0 ? memchr(r->buf, '\0', r->len) : NULL;
	json_error_t err;
	int line, col;

	if (r->len > CAL_MAX_FILE) {
		form_diags_add(r->diags, r->file, 1, 1,
		    _("file too large (%zu bytes, at most %d)"), r->len,
		    CAL_MAX_FILE);
		return CM_EPARSE;
	}
	if (nul != NULL) {
		form_json_offset_pos(
		    r->buf, (size_t)(nul - r->buf), &line, &col);
		form_diags_add(
		    r->diags, r->file, line, col, _("NUL byte in the file"));
		return CM_EPARSE;
	}
	*root = json_loadb(r->buf, r->len, JSON_REJECT_DUPLICATES, &err);
	if (*root != NULL) {
		return 0;
	}
	/* jansson reports most allocation failures with their code, but a
	 * failed lexer set-up returns with the error text left empty. */
	if (json_error_code(&err) == json_error_out_of_memory ||
	    err.text[0] == '\0') {
		return CM_ENOMEM;
	}
	form_diags_add(r->diags, r->file, err.line < 1 ? 1 : err.line,
	    err.column < 1 ? 1 : err.column, _("JSON syntax error: %s"),
	    err.text);
	return CM_EPARSE;
}

enum jtype { JT_STRING, JT_INTEGER, JT_BOOL, JT_ARRAY };

struct key_rule {
	const char *key;
	enum jtype type;
	bool required;
};

static bool
jtype_is(const json_t *v, enum jtype t)
{
	switch (t) {
	case JT_STRING:
		return json_is_string(v);
	case JT_INTEGER:
		return json_is_integer(v);
	case JT_BOOL:
		return json_is_boolean(v);
	case JT_ARRAY:
		return json_is_array(v);
	}
	return false;
}

static void
diag_type(struct reader *r, const char *path, enum jtype t, const char *key)
{
	switch (t) {
	case JT_STRING:
		reader_diag(r, path, false, _("\"%s\" must be a string"), key);
		break;
	case JT_INTEGER:
		reader_diag(
		    r, path, false, _("\"%s\" must be an integer"), key);
		break;
	case JT_BOOL:
		reader_diag(
		    r, path, false, _("\"%s\" must be true or false"), key);
		break;
	case JT_ARRAY:
		reader_diag(r, path, false, _("\"%s\" must be an array"), key);
		break;
	}
}

/* base/key as a jsonpos path in buf; just key at the top. */
static const char *
path_join(char *buf, size_t size, const char *base, const char *key)
{
	/* A path too long for buf is cut: it only names a place in a
	 * message. */
	if (snprintf(buf, size, "%s%s%s", base, *base != '\0' ? "/" : "",
	        key) >= (int)size) {
		buf[size - 1] = '\0';
	}
	return buf;
}

/*
 * Check the members of the object obj (at path base) against rules:
 * every key known, every required one there, every one of its type.
 * Returns the number of problems.
 */
static int
check_object(struct reader *r, json_t *obj, const struct key_rule *rules,
    size_t nrules, const char *base)
{
	const char *key;
	json_t *v;
	int before = r->nerr;
	char path[CAL_PATH], tmp[64];

	json_object_foreach(obj, key, v)
	{
		size_t i = 0;

		while (i < nrules && strcmp(rules[i].key, key) != 0) {
			i++;
		}
		path_join(path, sizeof(path), base, key);
		if (i == nrules) {
			reader_diag(r, path, true, _("unknown key \"%s\""),
			    shown(key, tmp, sizeof(tmp)));
		} else if (!jtype_is(v, rules[i].type)) {
			diag_type(r, path, rules[i].type, key);
		}
	}
	for (size_t i = 0; i < nrules; i++) {
		if (rules[i].required &&
		    json_object_get(obj, rules[i].key) == NULL) {
			reader_diag(r, base, false, _("missing key \"%s\""),
			    rules[i].key);
		}
	}
	return r->nerr - before;
}

/* An integer year, checked against the calendar's range; 0 if bad. */
static int
check_year(struct reader *r, json_t *root)
{
	json_t *v = json_object_get(root, "year");
	json_int_t y;

	if (!json_is_integer(v)) {
		return 0; /* reported by check_object */
	}
	y = json_integer_value(v);
	if (y < FORM_CALENDAR_YEAR_MIN || y > FORM_CALENDAR_YEAR_MAX) {
		reader_diag(r, "year", false, _("year %lld is outside %d..%d"),
		    (long long)y, FORM_CALENDAR_YEAR_MIN,
		    FORM_CALENDAR_YEAR_MAX);
		return 0;
	}
	return (int)y;
}

/* The list of document URLs under key: strings; at least one if needed. */
static void
check_urls(struct reader *r, json_t *root, const char *key, bool required)
{
	json_t *arr = json_object_get(root, key);
	char path[CAL_PATH];
	size_t i;
	json_t *v;

	if (!json_is_array(arr)) {
		return; /* reported by check_object, if it is there */
	}
	if (required && json_array_size(arr) == 0) {
		reader_diag(r, key, false,
		    _("\"%s\" must name at least one document"), key);
	}
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v)) {
			snprintf(path, sizeof(path), "%s/%zu", key, i);
			reader_diag(
			    r, path, false, _("\"%s\" must hold strings"), key);
		}
	}
}

/* How one format spells a day, and what its days may be. */
struct day_format {
	const struct key_rule *rules; /* date, the off flag, name */
	size_t nrules;
	const char *off_key;
	int year;      /* every day in this year; 0: any year held */
	bool closures; /* every day must be off */
};

static int
day_cmp(const void *a, const void *b)
{
	const struct form_calendar_day *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

/* A day's name: 1..CAL_MAX_NAME characters, no control characters. */
static bool
name_ok(const char *s)
{
	long chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			return false;
		}
		chars += (*p & 0xC0) != 0x80;
	}
	return chars >= 1 && chars <= CAL_MAX_NAME;
}

/*
 * Report a date listed twice, at its second entry, naming the line of
 * the first. Scans the array only when the diagnostic will be shown.
 */
static void
report_duplicate(struct reader *r, json_t *arr, int32_t day)
{
	char iso[CM_DATE_ISO_LEN], path[CAL_PATH];
	size_t i, hits = 0;
	int line = 1, col;
	json_t *e;

	if (r->nerr >= CAL_MAX_DIAGS) {
		r->nerr++;
		return;
	}
	cm_date_format(day, iso);
	json_array_foreach(arr, i, e)
	{
		const char *s = json_string_value(json_object_get(e, "date"));

		if (s == NULL || strcmp(s, iso) != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "days/%zu/date", i);
		if (hits++ == 0) {
			form_json_locate(
			    r->buf, r->len, path, false, &line, &col);
			continue;
		}
		reader_diag(r, path, false,
		    _("duplicate date %s (first at line %d)"), iso, line);
		return;
	}
}

/*
 * Read entry i of "days" into *out. Returns false, with the problems
 * reported, when it is not usable.
 */
static bool
read_day(struct reader *r, json_t *e, size_t i, const struct day_format *f,
    struct form_calendar_day *out)
{
	char base[CAL_PATH], path[CAL_PATH], tmp[64];
	json_t *date, *name;
	const char *s;
	int32_t day = 0;
	int rc, errs = r->nerr;

	snprintf(base, sizeof(base), "days/%zu", i);
	if (!json_is_object(e)) {
		reader_diag(r, base, false, _("a day must be an object"));
		return false;
	}
	if (check_object(r, e, f->rules, f->nrules, base) != 0) {
		return false;
	}
	date = json_object_get(e, "date");
	name = json_object_get(e, "name");
	s = json_string_value(date);
	path_join(path, sizeof(path), base, "date");
	rc =
	    json_string_length(date) == 10 ? cm_date_parse(s, &day) : CM_EPARSE;
	if (rc == CM_EPARSE) {
		reader_diag(r, path, false,
		    _("bad date \"%s\" (want YYYY-MM-DD)"),
		    shown(s, tmp, sizeof(tmp)));
	} else if (rc != 0) {
		reader_diag(r, path, false, _("no such date %s"), s);
	} else if (f->year != 0 && cm_date_year(day) != f->year) {
		reader_diag(r, path, false, _("date %s is outside year %d"), s,
		    f->year);
	} else if (cm_date_year(day) < FORM_CALENDAR_YEAR_MIN ||
	           cm_date_year(day) > FORM_CALENDAR_YEAR_MAX) {
		reader_diag(r, path, false,
		    _("date %s is outside the years %d..%d"), s,
		    FORM_CALENDAR_YEAR_MIN, FORM_CALENDAR_YEAR_MAX);
	}
	if (!name_ok(json_string_value(name))) {
		reader_diag(r, path_join(path, sizeof(path), base, "name"),
		    false,
		    _("a name must be 1 to %d characters, without control "
		      "characters"),
		    CAL_MAX_NAME);
	}
	out->off = json_is_true(json_object_get(e, f->off_key));
	if (f->closures && !out->off) {
		reader_diag(r, path_join(path, sizeof(path), base, f->off_key),
		    false, _("a local closure must have \"%s\": true"),
		    f->off_key);
	}
	out->day = day;
	out->name = json_string_value(name);
	return r->nerr == errs;
}

/*
 * Read the "days" array of root into *out (sorted by day; the names
 * borrowed from root), reporting every bad entry and every date given
 * twice. Returns 0 (problems counted in r->nerr) or CM_ENOMEM. Caller
 * frees *out with cm_free.
 */
static int
read_days(struct reader *r, json_t *root, const struct day_format *f,
    struct form_calendar_day **out, size_t *nout)
{
	json_t *arr = json_object_get(root, "days");
	struct form_calendar_day *days;
	size_t n = json_array_size(arr), k = 0;

	*out = NULL;
	*nout = 0;
	if (!json_is_array(arr)) {
		return 0; /* reported by check_object */
	}
	if (n > CAL_MAX_DAYS) {
		reader_diag(r, "days", false,
		    _("too many days (%zu, at most %d)"), n, CAL_MAX_DAYS);
		return 0;
	}
	days = cm_reallocarray(NULL, n, sizeof(*days));
	if (days == NULL) {
		return CM_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (read_day(r, json_array_get(arr, i), i, f, &days[k])) {
			k++;
		}
	}
	qsort(days, k, sizeof(*days), day_cmp);
	for (size_t i = 1; i < k; i++) {
		if (days[i].day == days[i - 1].day &&
		    (i < 2 || days[i - 2].day != days[i].day)) {
			report_duplicate(r, arr, days[i].day);
		}
	}
	*out = days;
	*nout = k;
	return 0;
}

/* ---- The project's format. ---- */

static const struct key_rule national_rules[] = {
    {"format", JT_STRING, true},
    {"version", JT_INTEGER, true},
    {"kind", JT_STRING, true},
    {"year", JT_INTEGER, true},
    {"source", JT_ARRAY, true},
    {"licence", JT_STRING, false},
    {"generated_from", JT_STRING, false},
    {"days", JT_ARRAY, true},
};

static const struct key_rule local_rules[] = {
    {"format", JT_STRING, true},
    {"version", JT_INTEGER, true},
    {"kind", JT_STRING, true},
    {"hall", JT_STRING, true},
    {"source", JT_ARRAY, false},
    {"days", JT_ARRAY, true},
};

static const struct key_rule day_rules[] = {
    {"date", JT_STRING, true},
    {"off", JT_BOOL, true},
    {"name", JT_STRING, true},
};

#define NRULES(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The members that say what the file is: format, version, kind. Checked
 * first and alone, because a file of another format or a later version
 * would only give a list of unknown keys. Returns false after reporting.
 */
static bool
read_header(struct reader *r, json_t *root, bool *national)
{
	json_t *v = json_object_get(root, "format");
	const char *kind;

	if (v == NULL) {
		reader_diag(r, "", false, _("missing key \"%s\""), "format");
		return false;
	}
	if (!json_is_string(v) ||
	    strcmp(json_string_value(v), CAL_FORMAT) != 0) {
		reader_diag(r, "format", false, _("\"format\" must be \"%s\""),
		    CAL_FORMAT);
		return false;
	}
	v = json_object_get(root, "version");
	if (v == NULL) {
		reader_diag(r, "", false, _("missing key \"%s\""), "version");
		return false;
	}
	if (!json_is_integer(v)) {
		diag_type(r, "version", JT_INTEGER, "version");
		return false;
	}
	if (json_integer_value(v) != CAL_VERSION) {
		reader_diag(r, "version", false,
		    _("unsupported version %lld (this program reads version "
		      "%d)"),
		    (long long)json_integer_value(v), CAL_VERSION);
		return false;
	}
	v = json_object_get(root, "kind");
	if (v == NULL) {
		reader_diag(r, "", false, _("missing key \"%s\""), "kind");
		return false;
	}
	kind = json_string_value(v);
	if (kind == NULL ||
	    (strcmp(kind, "national") != 0 && strcmp(kind, "local") != 0)) {
		reader_diag(r, "kind", false,
		    _("\"kind\" must be \"national\" or \"local\""));
		return false;
	}
	*national = strcmp(kind, "national") == 0;
	return true;
}

/*
 * Check the whole file before touching the calendar, then hand the days
 * over in one call, which either succeeds or changes nothing.
 */
int
form_calendar_load(struct form_calendar *cal, const char *name, const char *buf,
    size_t len, struct form_diags *diags)
{
	struct reader r = {name, buf, len, diags, 0};
	struct day_format f = {day_rules, NRULES(day_rules), "off", 0, false};
	struct form_calendar_day *days = NULL;
	size_t ndays = 0;
	json_t *root = NULL;
	bool national = false;
	int rc;

	if (cal == NULL || (buf == NULL && len > 0)) {
		return CM_EINVAL;
	}
	if ((rc = reader_parse(&r, &root)) != 0) {
		return rc;
	}
	if (!json_is_object(root)) {
		reader_diag(&r, "", false,
		    _("a calendar file must hold a JSON object"));
	} else if (read_header(&r, root, &national)) {
		if (national) {
			check_object(&r, root, national_rules,
			    NRULES(national_rules), "");
			f.year = check_year(&r, root);
		} else {
			check_object(
			    &r, root, local_rules, NRULES(local_rules), "");
		}
		check_urls(&r, root, "source", national);
		f.closures = !national;
		rc = read_days(&r, root, &f, &days, &ndays);
	}
	if (rc == 0 && r.nerr > 0) {
		reader_finish(&r);
		rc = CM_EPARSE;
	} else if (rc == 0 && national) {
		rc = form_calendar_set_year(cal, f.year, days, ndays);
	} else if (rc == 0) {
		rc = form_calendar_add_closures(cal, days, ndays);
	}
	cm_free(days);
	json_decref(root);
	return rc;
}

/* ---- holiday-cn to the project's format. ---- */

static const struct key_rule hcn_rules[] = {
    {"$schema", JT_STRING, false},
    {"$id", JT_STRING, false},
    {"year", JT_INTEGER, true},
    {"papers", JT_ARRAY, true},
    {"days", JT_ARRAY, true},
};

static const struct key_rule hcn_day_rules[] = {
    {"name", JT_STRING, true},
    {"date", JT_STRING, true},
    {"isOffDay", JT_BOOL, true},
};

/* s as a JSON string: quotes, backslashes and control characters escaped,
 * everything else (UTF-8 included) as it is. */
static void
put_json_string(struct cm_sbuf *b, const char *s)
{
	cm_sbuf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			cm_sbuf_printf(b, "\\%c", c);
		} else if (c < 0x20) {
			cm_sbuf_printf(b, "\\u%04x", c);
		} else {
			cm_sbuf_putn(b, s, 1);
		}
	}
	cm_sbuf_puts(b, "\"");
}

/*
 * Write the national file: members in a fixed order, one day per line,
 * the days sorted, so that the same input always gives the same bytes.
 */
static int
write_national(int year, json_t *papers, const struct form_calendar_day *days,
    size_t n, char **out)
{
	char iso[CM_DATE_ISO_LEN];
	struct cm_sbuf b;
	size_t i;
	json_t *v;

	cm_sbuf_init(&b);
	cm_sbuf_printf(&b,
	    "{\n  \"format\": \"%s\",\n  \"version\": %d,\n"
	    "  \"kind\": \"national\",\n  \"year\": %d,\n  \"source\": [",
	    CAL_FORMAT, CAL_VERSION, year);
	json_array_foreach(papers, i, v)
	{
		cm_sbuf_puts(&b, i == 0 ? "\n    " : ",\n    ");
		put_json_string(&b, json_string_value(v));
	}
	cm_sbuf_printf(&b,
	    "\n  ],\n  \"licence\": \"holiday-cn data, MIT licence, "
	    "Copyright (c) 2019 NateScarlet\",\n"
	    "  \"generated_from\": \"holiday-cn %d.json "
	    "(https://github.com/NateScarlet/holiday-cn)\",\n"
	    "  \"days\": [",
	    year);
	for (i = 0; i < n; i++) {
		cm_sbuf_printf(&b,
		    "\n    {\"date\": \"%s\", \"off\": %s, "
		    "\"name\": ",
		    cm_date_format(days[i].day, iso),
		    days[i].off ? "true" : "false");
		put_json_string(&b, days[i].name);
		cm_sbuf_puts(&b, i + 1 < n ? "}," : "}\n  ");
	}
	cm_sbuf_puts(&b, "]\n}\n");
	*out = cm_sbuf_take(&b);
	return *out != NULL ? 0 : CM_ENOMEM;
}

/*
 * The same checks as the loader's, with holiday-cn's names for things,
 * so that what is written loads; then the file is written.
 */
int
form_calendar_convert_holiday_cn(const char *name, const char *buf, size_t len,
    char **out, struct form_diags *diags)
{
	struct reader r = {name, buf, len, diags, 0};
	struct day_format f = {
	    hcn_day_rules, NRULES(hcn_day_rules), "isOffDay", 0, false};
	struct form_calendar_day *days = NULL;
	size_t ndays = 0;
	json_t *root = NULL;
	int rc;

	if (out == NULL || (buf == NULL && len > 0)) {
		return CM_EINVAL;
	}
	*out = NULL;
	if ((rc = reader_parse(&r, &root)) != 0) {
		return rc;
	}
	if (!json_is_object(root)) {
		reader_diag(&r, "", false,
		    _("a holiday-cn file must hold a JSON object"));
	} else {
		check_object(&r, root, hcn_rules, NRULES(hcn_rules), "");
		f.year = check_year(&r, root);
		check_urls(&r, root, "papers", true);
		rc = read_days(&r, root, &f, &days, &ndays);
	}
	if (rc == 0 && r.nerr > 0) {
		reader_finish(&r);
		rc = CM_EPARSE;
	} else if (rc == 0) {
		rc = write_national(
		    f.year, json_object_get(root, "papers"), days, ndays, out);
	}
	cm_free(days);
	json_decref(root);
	return rc;
}
