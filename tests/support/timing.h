/*
 * timing.h: what the C benchmarks and the crash test share for time and
 * figures: a monotonic clock, sleeping, knobs from the environment and
 * quantiles. Part of the ow_testproc library.
 */
#ifndef OW_TEST_TIMING_H
#define OW_TEST_TIMING_H

#include <stddef.h>

/* CLOCK_MONOTONIC in milliseconds. */
double ow_now_ms(void);
/* Sleep ms (nothing for ms <= 0), resumed after signals. */
void ow_sleep_ms(double ms);
/* The environment variable as a number, or dflt when unset or empty. */
long ow_env_long(const char *name, long dflt);
/* The q-quantile (0..1) of n values, which it sorts; 0 when n is 0. */
double ow_quantile(double *v, size_t n, double q);

#endif
