/*
 * calendar.c: the working-day calendar in memory, and its queries.
 *
 * Each national year is one block holding, per day of the year, the
 * national status (the weekend rule with the State Council's exceptions),
 * the effective status (with the hall's closures applied) and a prefix
 * count of working days. So is_workday is one lookup, and counting or
 * adding working days costs a few lookups and one binary search per year
 * crossed, whatever the distance. Years are found by direct index.
 *
 * Closures are kept apart, sorted by day, so that reloading a national
 * year keeps them, and a closure loaded before its year's national file
 * takes effect when that file comes. Reading files is calendar_convert.c.
 */
#include "forms/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"

#define CAL_NYEARS (FORM_CALENDAR_YEAR_MAX - FORM_CALENDAR_YEAR_MIN + 1)

struct cal_year {
	int year;
	int32_t first;         /* day number of 1 January */
	int ndays;             /* 365 or 366 */
	uint8_t nat_off[366];  /* national schedule: 1 = day off */
	uint8_t off[366];      /* with the closures applied */
	uint16_t before[367];  /* working days among the first i days */
	uint32_t name_at[366]; /* 1 + offset of the day's name in names; 0 */
	char names[];          /* the national names, each NUL-terminated */
};

struct cal_closure {
	int32_t day;
	char *name; /* may be NULL */
};

struct form_calendar {
	struct cal_year *years[CAL_NYEARS]; /* by year - YEAR_MIN; NULL: none */
	struct cal_closure *closures;       /* sorted by day, no duplicates */
	size_t nclosures;
};

int
form_calendar_new(struct form_calendar **out)
{
	struct form_calendar *cal = cm_calloc(1, sizeof(*cal));

	if (cal == NULL) {
		return CM_ENOMEM;
	}
	*out = cal;
	return 0;
}

void
form_calendar_free(struct form_calendar *cal)
{
	if (cal == NULL) {
		return;
	}
	for (size_t i = 0; i < CAL_NYEARS; i++) {
		cm_free(cal->years[i]);
	}
	for (size_t i = 0; i < cal->nclosures; i++) {
		cm_free(cal->closures[i].name);
	}
	cm_free(cal->closures);
	cm_free(cal);
}

/* Day number of 1 January of y (y within 1..9999). */
static int32_t
year_first(int y)
{
	int32_t d = 0;

	(void)cm_date_from_ymd(y, 1, 1, &d);
	return d;
}

/*
 * True when day lies in the years a calendar can hold. Checked before any
 * date arithmetic, so that INT32_MAX (a running pause) and other far days
 * cannot overflow it.
 */
static bool
day_in_range(int32_t day)
{
	return day >= year_first(FORM_CALENDAR_YEAR_MIN) &&
	       day < year_first(FORM_CALENDAR_YEAR_MAX + 1);
}

/* The loaded year holding day, or NULL. */
static const struct cal_year *
year_of(const struct form_calendar *cal, int32_t day)
{
	if (!day_in_range(day)) {
		return NULL;
	}
	return cal->years[cm_date_year(day) - FORM_CALENDAR_YEAR_MIN];
}

/* The loaded year after y, or NULL. */
static const struct cal_year *
year_next(const struct form_calendar *cal, const struct cal_year *y)
{
	if (y->year >= FORM_CALENDAR_YEAR_MAX) {
		return NULL;
	}
	return cal->years[y->year + 1 - FORM_CALENDAR_YEAR_MIN];
}

/* Index of the first closure on or after day. */
static size_t
closure_lower(const struct cal_closure *c, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c[mid].day < day) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/*
 * Recompute a year's effective status and prefix counts from its national
 * status and the closures. Allocates nothing, so callers can run it after
 * every allocation has succeeded.
 */
static void
year_apply(struct cal_year *y, const struct cal_closure *c, size_t n)
{
	memcpy(y->off, y->nat_off, sizeof(y->off));
	for (size_t i = closure_lower(c, n, y->first);
	     i < n && c[i].day < y->first + y->ndays; i++) {
		y->off[c[i].day - y->first] = 1;
	}
	y->before[0] = 0;
	for (int i = 0; i < y->ndays; i++) {
		y->before[i + 1] = (uint16_t)(y->before[i] + !y->off[i]);
	}
}

/*
 * Build the year first and swap it in last, so that a failure leaves the
 * old schedule in place.
 */
int
form_calendar_set_year(struct form_calendar *cal, int year,
    const struct form_calendar_day *days, size_t n)
{
	uint8_t seen[366] = {0};
	struct cal_year *y;
	size_t pool = 0, at = 0;
	int32_t first;
	int ndays;

	if (year < FORM_CALENDAR_YEAR_MIN || year > FORM_CALENDAR_YEAR_MAX ||
	    (n > 0 && days == NULL)) {
		return CM_EINVAL;
	}
	first = year_first(year);
	ndays = cm_date_is_leap(year) ? 366 : 365;
	for (size_t i = 0; i < n; i++) {
		int64_t k = (int64_t)days[i].day - first;

		if (k < 0 || k >= ndays || seen[k]) {
			return CM_EINVAL;
		}
		seen[k] = 1;
		if (days[i].name != NULL) {
			pool += strlen(days[i].name) + 1;
		}
	}
	if (pool > UINT32_MAX - 1) {
		return CM_EINVAL;
	}
	y = cm_malloc(sizeof(*y) + pool);
	if (y == NULL) {
		return CM_ENOMEM;
	}
	y->year = year;
	y->first = first;
	y->ndays = ndays;
	memset(y->nat_off, 1, sizeof(y->nat_off));
	memset(y->name_at, 0, sizeof(y->name_at));
	for (int i = 0; i < ndays; i++) {
		y->nat_off[i] = cm_date_is_weekend(first + i);
	}
	for (size_t i = 0; i < n; i++) {
		int32_t k = days[i].day - first;

		y->nat_off[k] = days[i].off;
		if (days[i].name != NULL) {
			size_t len = strlen(days[i].name) + 1;

			memcpy(y->names + at, days[i].name, len);
			y->name_at[k] = (uint32_t)(at + 1);
			at += len;
		}
	}
	year_apply(y, cal->closures, cal->nclosures);
	cm_free(cal->years[year - FORM_CALENDAR_YEAR_MIN]);
	cal->years[year - FORM_CALENDAR_YEAR_MIN] = y;
	return 0;
}

static int
closure_cmp(const void *a, const void *b)
{
	const struct cal_closure *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

static void
closures_free(struct cal_closure *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cm_free(c[i].name);
	}
	cm_free(c);
}

/*
 * Copy and sort the new closures, then merge them with the old ones into
 * a fresh array. Everything that can fail happens before the merge, which
 * only moves pointers; a day closed again keeps the newer name.
 */
int
form_calendar_add_closures(
    struct form_calendar *cal, const struct form_calendar_day *days, size_t n)
{
	struct cal_closure *add, *merged;
	size_t i, j, k;

	if (n == 0) {
		return 0;
	}
	if (days == NULL) {
		return CM_EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!days[i].off || !day_in_range(days[i].day)) {
			return CM_EINVAL;
		}
	}
	add = cm_calloc(n, sizeof(*add));
	if (add == NULL) {
		return CM_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		add[i].day = days[i].day;
		if (days[i].name != NULL &&
		    (add[i].name = cm_strdup(days[i].name)) == NULL) {
			closures_free(add, n);
			return CM_ENOMEM;
		}
	}
	qsort(add, n, sizeof(*add), closure_cmp);
	for (i = 1; i < n; i++) {
		if (add[i].day == add[i - 1].day) {
			closures_free(add, n);
			return CM_EINVAL;
		}
	}
	merged = cm_reallocarray(NULL, cal->nclosures + n, sizeof(*merged));
	if (merged == NULL) {
		closures_free(add, n);
		return CM_ENOMEM;
	}
	for (i = 0, j = 0, k = 0; i < cal->nclosures || j < n; k++) {
		if (j == n ||
		    (i < cal->nclosures && cal->closures[i].day < add[j].day)) {
			merged[k] = cal->closures[i++];
		} else {
			if (i < cal->nclosures &&
			    cal->closures[i].day == add[j].day) {
				cm_free(cal->closures[i++].name);
			}
			merged[k] = add[j++];
		}
	}
	cm_free(add);
	cm_free(cal->closures);
	cal->closures = merged;
	cal->nclosures = k;
	for (i = 0; i < CAL_NYEARS; i++) {
		if (cal->years[i] != NULL) {
			year_apply(cal->years[i], merged, k);
		}
	}
	return 0;
}

int
form_calendar_coverage(const struct form_calendar *cal, int *first_year,
    int *last_year, bool *contiguous)
{
	int first = 0, last = 0, count = 0;

	for (int i = 0; i < CAL_NYEARS; i++) {
		if (cal->years[i] != NULL) {
			if (count++ == 0) {
				first = i + FORM_CALENDAR_YEAR_MIN;
			}
			last = i + FORM_CALENDAR_YEAR_MIN;
		}
	}
	if (count == 0) {
		return CM_ENODATA;
	}
	*first_year = first;
	*last_year = last;
	*contiguous = count == last - first + 1;
	return 0;
}

bool
form_calendar_has_year(const struct form_calendar *cal, int year)
{
	return year >= FORM_CALENDAR_YEAR_MIN &&
	       year <= FORM_CALENDAR_YEAR_MAX &&
	       cal->years[year - FORM_CALENDAR_YEAR_MIN] != NULL;
}

int
form_calendar_is_workday(
    const struct form_calendar *cal, int32_t day, bool *out)
{
	const struct cal_year *y = year_of(cal, day);

	if (y == NULL) {
		return CM_ENODATA;
	}
	*out = !y->off[day - y->first];
	return 0;
}

/*
 * Working days in (from, to] for from < to: the prefix count at to minus
 * the one at from, summing whole years in between. Every year from the
 * one holding from + 1 to the one holding to must be loaded.
 */
static int
count_between(
    const struct form_calendar *cal, int32_t from, int32_t to, int *out)
{
	const struct cal_year *a = year_of(cal, from + 1);
	const struct cal_year *b = year_of(cal, to);
	const struct cal_year *y = a;
	int total = 0;

	if (a == NULL || b == NULL) {
		return CM_ENODATA;
	}
	while (y != b) {
		total += y->before[y->ndays];
		y = year_next(cal, y);
		if (y == NULL) {
			return CM_ENODATA;
		}
	}
	total += b->before[to - b->first + 1];
	total -= a->before[from + 1 - a->first];
	*out = total;
	return 0;
}

int
form_calendar_workdays_between(
    const struct form_calendar *cal, int32_t from, int32_t to, int *out)
{
	int rc, n = 0;

	if (from == to) {
		*out = 0;
		return 0;
	}
	rc = from < to ? count_between(cal, from, to, &n)
	               : count_between(cal, to, from, &n);
	if (rc != 0) {
		return rc;
	}
	*out = from < to ? n : -n;
	return 0;
}

/*
 * Counting from 1 January of the year holding start + 1, the wanted day
 * is the (working days up to start) + n th working day: skip whole years
 * by their totals, then binary-search the prefix counts of the year it
 * falls in. At most one step per year crossed.
 */
int
form_calendar_add_workdays(
    const struct form_calendar *cal, int32_t start, int n, int32_t *out)
{
	const struct cal_year *y;
	int target;

	if (n < 0 || n > FORM_CALENDAR_MAX_ADD) {
		return CM_EINVAL;
	}
	if (n == 0) {
		bool work;
		int rc = form_calendar_is_workday(cal, start, &work);

		if (rc != 0) {
			return rc;
		}
		if (work) {
			*out = start;
			return 0;
		}
		n = 1;
	}
	if (start == INT32_MAX || (y = year_of(cal, start + 1)) == NULL) {
		return CM_ENODATA;
	}
	target = y->before[start + 1 - y->first] + n;
	while (target > y->before[y->ndays]) {
		target -= y->before[y->ndays];
		y = year_next(cal, y);
		if (y == NULL) {
			return CM_ENODATA;
		}
	}
	/* The smallest i with before[i] >= target; then day i - 1 is it. */
	int lo = 1, hi = y->ndays;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (y->before[mid] < target) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	*out = y->first + lo - 1;
	return 0;
}

const char *
form_calendar_day_name(const struct form_calendar *cal, int32_t day)
{
	const struct cal_year *y;
	size_t i = closure_lower(cal->closures, cal->nclosures, day);

	if (i < cal->nclosures && cal->closures[i].day == day &&
	    cal->closures[i].name != NULL) {
		return cal->closures[i].name;
	}
	y = year_of(cal, day);
	if (y == NULL || y->name_at[day - y->first] == 0) {
		return NULL;
	}
	return y->names + y->name_at[day - y->first] - 1;
}
