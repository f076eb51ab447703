/*
 * timing.c: see timing.h.
 */
#include "timing.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

double
ow_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
ow_sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0) {
		return;
	}
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

long
ow_env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? strtol(v, NULL, 10) : dflt;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
ow_quantile(double *v, size_t n, double q)
{
	size_t i;

	if (n == 0) {
		return 0;
	}
	qsort(v, n, sizeof(*v), dbl_cmp);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}
