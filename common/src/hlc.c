/*
 * hlc.c: hybrid logical clocks (Kulkarni et al. 2014), see hlc.h.
 *
 * Pure arithmetic on 64-bit stamps: the only system call is the wall-clock
 * read in cm_hlc_wall_ms, so that tests and the replication simulator can
 * drive the clock with any time they like.
 *
 * The physical part never goes back: a stamp is always taken as
 * max(last physical, wall), and when that is not ahead of the last stamp
 * the counter breaks the tie. The counter has 16 bits; rather than wrap
 * (which would break monotonicity) it carries into the next millisecond,
 * which runs the clock at most 1 ms ahead of the wall per 65536 events.
 */
#include "common/hlc.h"
#include "common/date.h"
#include "common/error.h"

#include <stdio.h>
#include <time.h>

/* The physical part has 48 bits: enough until the year 10889. */
#define HLC_MS_MAX      ((UINT64_C(1) << 48) - 1)
#define HLC_COUNTER_MAX 0xffffu

/* The stamp (ms, c), carrying a counter past 0xffff into the next ms. The
 * very last representable stamp saturates: it cannot be reached before the
 * year 10889, and saturating keeps the order where wrapping would not. */
static uint64_t
hlc_make(uint64_t ms, uint64_t c)
{
	if (c > HLC_COUNTER_MAX) {
		if (ms >= HLC_MS_MAX) {
			return CM_HLC_MAKE(HLC_MS_MAX, HLC_COUNTER_MAX);
		}
		ms++;
		c = 0;
	}
	return CM_HLC_MAKE(ms, c);
}

/* A wall clock past the 48-bit range would be truncated by CM_HLC_MAKE and
 * so appear to jump back: pin it to the largest representable time. */
static uint64_t
hlc_clamp_wall(uint64_t wall_ms)
{
	return wall_ms > HLC_MS_MAX ? HLC_MS_MAX : wall_ms;
}

void
cm_hlc_init(struct cm_hlc *h, uint64_t persisted)
{
	h->last = persisted;
}

uint64_t
cm_hlc_now(struct cm_hlc *h, uint64_t wall_ms)
{
	uint64_t l = CM_HLC_MS(h->last);
	uint64_t c = CM_HLC_COUNTER(h->last);

	wall_ms = hlc_clamp_wall(wall_ms);
	if (wall_ms > l) {
		h->last = CM_HLC_MAKE(wall_ms, 0);
	} else {
		h->last = hlc_make(l, c + 1);
	}
	return h->last;
}

int
cm_hlc_observe(
    struct cm_hlc *h, uint64_t remote, uint64_t wall_ms, uint64_t max_ahead_ms)
{
	uint64_t l = CM_HLC_MS(h->last), c = CM_HLC_COUNTER(h->last);
	uint64_t rl = CM_HLC_MS(remote), rc = CM_HLC_COUNTER(remote);
	uint64_t nl;

	/* Written as a difference so that wall_ms + max_ahead_ms cannot
	 * overflow. Checked before anything changes: a refused stamp must
	 * leave no trace in the clock. */
	if (rl > wall_ms && rl - wall_ms > max_ahead_ms) {
		return CM_ERANGE;
	}
	wall_ms = hlc_clamp_wall(wall_ms);
	nl = l;
	if (rl > nl) {
		nl = rl;
	}
	if (wall_ms > nl) {
		nl = wall_ms;
	}
	/* Kulkarni's receive rule: the counter continues from whichever of
	 * the two stamps holds the new physical time, or restarts when the
	 * wall clock alone is ahead of both. */
	if (nl == l && nl == rl) {
		h->last = hlc_make(nl, (c > rc ? c : rc) + 1);
	} else if (nl == l) {
		h->last = hlc_make(nl, c + 1);
	} else if (nl == rl) {
		h->last = hlc_make(nl, rc + 1);
	} else {
		h->last = CM_HLC_MAKE(nl, 0);
	}
	return 0;
}

uint64_t
cm_hlc_wall_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) {
		/* CLOCK_REALTIME cannot fail on Linux; a clock before 1970
		 * is a broken clock. 0 makes the HLC run on its counter. */
		return 0;
	}
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

char *
cm_hlc_format(uint64_t stamp, char *buf, unsigned long size)
{
	uint64_t ms = CM_HLC_MS(stamp);
	unsigned counter = (unsigned)CM_HLC_COUNTER(stamp);
	uint64_t secs = ms / 1000u;
	/* 2^48 ms is about 3.3 million days: an int32_t day number holds it. */
	int32_t day = (int32_t)(secs / 86400u);
	unsigned sod = (unsigned)(secs % 86400u);
	int y, m, d;

	if (buf == NULL || size == 0) {
		return buf;
	}
	cm_date_to_ymd(day, &y, &m, &d);
	if (counter != 0) {
		snprintf(buf, size, "%04d-%02d-%02dT%02u:%02u:%02u.%03uZ+%u", y,
		    m, d, sod / 3600u, sod / 60u % 60u, sod % 60u,
		    (unsigned)(ms % 1000u), counter);
	} else {
		snprintf(buf, size, "%04d-%02d-%02dT%02u:%02u:%02u.%03uZ", y, m,
		    d, sod / 3600u, sod / 60u % 60u, sod % 60u,
		    (unsigned)(ms % 1000u));
	}
	return buf;
}
