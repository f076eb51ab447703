/*
 * date.h: civil dates as day numbers.
 *
 * A date is an int32_t counting days since 1970-01-01 (day 0), in the
 * proleptic Gregorian calendar, so that date arithmetic is integer
 * arithmetic. Years 1..9999 are representable. Time zones do not enter:
 * a date is the hall's local calendar date.
 */
#ifndef CM_DATE_H
#define CM_DATE_H

#include <stdbool.h>
#include <stdint.h>

#define CM_DATE_ISO_LEN 11 /* "YYYY-MM-DD" and its NUL */

/* Day number of y-m-d; 0 or CM_ERANGE when no such date exists. */
int cm_date_from_ymd(int y, int m, int d, int32_t *out);

/* Calendar date of a day number. */
void cm_date_to_ymd(int32_t day, int *y, int *m, int *d);

/* Strict ISO 8601 "YYYY-MM-DD"; 0, CM_EPARSE (shape) or CM_ERANGE (no such
 * date, e.g. 2025-02-29). */
int cm_date_parse(const char *s, int32_t *out);

/* Write "YYYY-MM-DD" into buf (CM_DATE_ISO_LEN bytes); returns buf. */
char *cm_date_format(int32_t day, char *buf);

/* ISO weekday: 1 = Monday .. 7 = Sunday. */
int cm_date_weekday(int32_t day);

/* True for Saturday and Sunday. */
bool cm_date_is_weekend(int32_t day);

int cm_date_year(int32_t day);

bool cm_date_is_leap(int y);
int cm_date_days_in_month(int y, int m);

/* Today's date in the process's local time zone. */
int32_t cm_date_today(void);

#endif
