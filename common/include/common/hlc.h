/*
 * hlc.h: hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks
 * and Consistent Snapshots", 2014).
 *
 * A stamp is 64 bits: the physical part in milliseconds since the Unix
 * epoch in the high 48 bits, a counter in the low 16. Stamps order ops for
 * display and last-writer-wins on plain fields; they never decide a
 * workflow. A peer whose clock runs too far ahead is refused, not
 * followed: a node must not drag every hall's clock into the future.
 */
#ifndef CM_HLC_H
#define CM_HLC_H

#include <stdint.h>

#define CM_HLC_MS(stamp)      ((stamp) >> 16)
#define CM_HLC_COUNTER(stamp) ((stamp)&0xffffu)
#define CM_HLC_MAKE(ms, c)    (((uint64_t)(ms) << 16) | ((uint64_t)(c)&0xffffu))

struct cm_hlc {
	uint64_t last; /* the last stamp issued or seen */
};

/* Start from a stamp persisted earlier (0 for a new node), so that stamps
 * keep growing across restarts even if the wall clock went back. */
void cm_hlc_init(struct cm_hlc *h, uint64_t persisted);

/* A stamp for a local event, given the wall clock in ms. Always greater
 * than every stamp issued or seen before, even when the wall clock went
 * back: the physical part is max(last, wall) and the counter breaks ties,
 * carrying into the next ms after 0xffff. (The one exception is the very
 * last 48-bit stamp, in the year 10889, where the clock saturates.) */
uint64_t cm_hlc_now(struct cm_hlc *h, uint64_t wall_ms);

/*
 * Take a remote stamp into account (a received op), by Kulkarni's receive
 * rule: afterwards h->last is greater than both the old h->last and
 * remote, so every later cm_hlc_now orders after the remote event.
 * Returns 0, or CM_ERANGE when the remote physical time is more than
 * max_ahead_ms ahead of wall_ms: the clock is then left unchanged and the
 * caller refuses or quarantines the op and tells ops.
 */
int cm_hlc_observe(
    struct cm_hlc *h, uint64_t remote, uint64_t wall_ms, uint64_t max_ahead_ms);

/* The wall clock in ms since the epoch (CLOCK_REALTIME). */
uint64_t cm_hlc_wall_ms(void);

/* "2026-11-27T03:45:48.123Z+5" style text for logs and screens: ISO 8601
 * UTC with ms, then "+counter" when the counter is not 0. size is buf's
 * size: at least 40 bytes, or the text is cut (always NUL-terminated when
 * size > 0). Returns buf. */
char *cm_hlc_format(uint64_t stamp, char *buf, unsigned long size);

#endif
