/*
 * date.c: day-number arithmetic (Howard Hinnant's civil-date algorithms).
 */
#include "common/date.h"
#include "common/error.h"

#include <stdio.h>
#include <time.h>

bool
cm_date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
cm_date_days_in_month(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12) {
		return 0;
	}
	return m == 2 && cm_date_is_leap(y) ? 29 : days[m - 1];
}

int
cm_date_from_ymd(int y, int m, int d, int32_t *out)
{
	int era, yoe, doy, doe;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > cm_date_days_in_month(y, m)) {
		return CM_ERANGE;
	}
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = (int32_t)(era * 146097 + doe - 719468);
	return 0;
}

void
cm_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
	/* 64-bit intermediates: any int32_t day is safe (UBSan-clean), even
	 * far outside the years 1..9999 the project uses. */
	int64_t z = (int64_t)day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return -1;
		}
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
cm_date_parse(const char *s, int32_t *out)
{
	int y, m, d;

	if (s == NULL || digits(s, 4, &y) != 0 || s[4] != '-' ||
	    digits(s + 5, 2, &m) != 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) != 0 || s[10] != '\0') {
		return CM_EPARSE;
	}
	return cm_date_from_ymd(y, m, d, out);
}

char *
cm_date_format(int32_t day, char *buf)
{
	int y, m, d;

	cm_date_to_ymd(day, &y, &m, &d);
	snprintf(buf, CM_DATE_ISO_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
	return buf;
}

int
cm_date_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4). */
	int w = (int)((day % 7 + 7 + 3) % 7);

	return w + 1;
}

bool
cm_date_is_weekend(int32_t day)
{
	return cm_date_weekday(day) >= 6;
}

int
cm_date_year(int32_t day)
{
	int y, m, d;

	cm_date_to_ymd(day, &y, &m, &d);
	return y;
}

int32_t
cm_date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	int32_t day = 0;

	localtime_r(&now, &tm);
	cm_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &day);
	return day;
}
