/*
 * test_hlc.c: the hybrid logical clock (common/hlc.h): monotonic under a
 * wall clock that goes back, ties, counter overflow, the bound on remote
 * clocks, and the text form.
 */
#include "testutil.h"

#include <string.h>

#include "common/error.h"
#include "common/hlc.h"

/* 2026-11-27T03:45:48.123Z */
#define T0 UINT64_C(1795751148123)

static void
test_now_follows_wall(void **state)
{
	struct cm_hlc h;
	uint64_t a, b;

	(void)state;
	cm_hlc_init(&h, 0);
	a = cm_hlc_now(&h, T0);
	assert_true(a == CM_HLC_MAKE(T0, 0));
	b = cm_hlc_now(&h, T0 + 5);
	assert_true(b == CM_HLC_MAKE(T0 + 5, 0));
	assert_true(b > a);
}

static void
test_now_equal_wall_bumps_counter(void **state)
{
	struct cm_hlc h;
	uint64_t prev, s;

	(void)state;
	cm_hlc_init(&h, 0);
	prev = cm_hlc_now(&h, T0);
	for (unsigned i = 1; i <= 10; i++) {
		s = cm_hlc_now(&h, T0);
		assert_true(s > prev);
		assert_true(CM_HLC_MS(s) == T0);
		assert_int_equal(CM_HLC_COUNTER(s), i);
		prev = s;
	}
	/* A newer wall time resets the counter. */
	s = cm_hlc_now(&h, T0 + 1);
	assert_true(s == CM_HLC_MAKE(T0 + 1, 0));
}

static void
test_now_monotonic_when_wall_goes_back(void **state)
{
	struct cm_hlc h;
	uint64_t prev, s;
	/* NTP steps, a wrong manual setting, a reboot with a dead RTC. */
	const uint64_t walls[] = {T0, T0 - 1, T0 - 60000, 0, T0 + 3, T0 + 2,
	    T0 - 3600000, T0 + 3, T0 + 10};

	(void)state;
	cm_hlc_init(&h, 0);
	prev = 0;
	for (size_t i = 0; i < sizeof(walls) / sizeof(walls[0]); i++) {
		s = cm_hlc_now(&h, walls[i]);
		assert_true(s > prev);
		/* Never behind the wall, never ahead of the highest wall. */
		assert_true(CM_HLC_MS(s) >= walls[i]);
		assert_true(CM_HLC_MS(s) <= T0 + 10);
		prev = s;
	}
	assert_true(prev == CM_HLC_MAKE(T0 + 10, 0));
}

static void
test_init_from_persisted(void **state)
{
	struct cm_hlc h;
	uint64_t persisted = CM_HLC_MAKE(T0 + 1000, 7);

	(void)state;
	/* A restart with the wall clock behind what was persisted. */
	cm_hlc_init(&h, persisted);
	assert_true(cm_hlc_now(&h, T0) == CM_HLC_MAKE(T0 + 1000, 8));
}

static void
test_counter_overflow_carries(void **state)
{
	struct cm_hlc h;
	uint64_t s;

	(void)state;
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 0xfffe));
	s = cm_hlc_now(&h, T0);
	assert_true(s == CM_HLC_MAKE(T0, 0xffff));
	s = cm_hlc_now(&h, T0);
	assert_true(s == CM_HLC_MAKE(T0 + 1, 0));
	s = cm_hlc_now(&h, T0);
	assert_true(s == CM_HLC_MAKE(T0 + 1, 1));

	/* A full ms worth of events with the wall stuck. */
	cm_hlc_init(&h, 0);
	s = cm_hlc_now(&h, T0);
	for (unsigned i = 0; i < 0x20000; i++) {
		uint64_t n = cm_hlc_now(&h, T0);

		assert_true(n > s);
		s = n;
	}
	assert_true(s == CM_HLC_MAKE(T0 + 2, 0));

	/* The observe path carries too. */
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 3));
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0, 0xffff), T0, 1000), 0);
	assert_true(h.last == CM_HLC_MAKE(T0 + 1, 0));
}

static void
test_saturates_at_the_end(void **state)
{
	struct cm_hlc h;
	const uint64_t max = (UINT64_C(1) << 48) - 1;

	(void)state;
	/* A wall clock beyond 48 bits must not wrap to a small stamp. */
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 0));
	assert_true(cm_hlc_now(&h, UINT64_MAX) == CM_HLC_MAKE(max, 0));
	cm_hlc_init(&h, CM_HLC_MAKE(max, 0xffff));
	assert_true(cm_hlc_now(&h, T0) == CM_HLC_MAKE(max, 0xffff));
}

static void
test_observe_merges(void **state)
{
	struct cm_hlc h;

	(void)state;
	/* Remote ahead of both, within the bound: take its time, bump its
	 * counter. */
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 4));
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 50, 9), T0, 1000), 0);
	assert_true(h.last == CM_HLC_MAKE(T0 + 50, 10));
	assert_true(cm_hlc_now(&h, T0 + 1) == CM_HLC_MAKE(T0 + 50, 11));

	/* Same physical time: max of the counters, plus one. */
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 4));
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0, 9), T0 - 5, 1000), 0);
	assert_true(h.last == CM_HLC_MAKE(T0, 10));
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 12));
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0, 9), T0 - 5, 1000), 0);
	assert_true(h.last == CM_HLC_MAKE(T0, 13));

	/* Remote behind: keep ours, bump our counter. */
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 4));
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0 - 100, 60), T0, 1000), 0);
	assert_true(h.last == CM_HLC_MAKE(T0, 5));

	/* Wall ahead of both: the wall, counter 0. */
	cm_hlc_init(&h, CM_HLC_MAKE(T0, 4));
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 3, 60), T0 + 7, 1000), 0);
	assert_true(h.last == CM_HLC_MAKE(T0 + 7, 0));

	/* Whatever the case, later local stamps order after the remote. */
	cm_hlc_init(&h, 0);
	assert_rc(
	    cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 999, 65000), T0, 1000), 0);
	assert_true(cm_hlc_now(&h, T0) > CM_HLC_MAKE(T0 + 999, 65000));
}

static void
test_observe_bound(void **state)
{
	struct cm_hlc h;
	const uint64_t start = CM_HLC_MAKE(T0, 4);

	(void)state;
	cm_hlc_init(&h, start);
	/* Exactly at the bound is accepted... */
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 1000, 0), T0, 1000), 0);
	assert_true(h.last == CM_HLC_MAKE(T0 + 1000, 1));

	/* ...one ms beyond it is refused and changes nothing. */
	cm_hlc_init(&h, start);
	assert_rc(
	    cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 1001, 0), T0, 1000), CM_ERANGE);
	assert_true(h.last == start);
	assert_rc(cm_hlc_observe(&h, UINT64_MAX, T0, 1000), CM_ERANGE);
	assert_true(h.last == start);
	/* A bound of 0: nothing ahead of the wall at all. */
	assert_rc(cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 1, 0), T0, 0), CM_ERANGE);
	assert_true(h.last == start);
	/* A huge bound must not overflow wall + bound. */
	assert_rc(
	    cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 1, 0), T0, UINT64_MAX), 0);
	/* The bound is against the wall, not our own clock, which an
	 * earlier peer or a wall clock that went back may have moved ahead:
	 * a remote too far ahead of the wall is refused even when it is no
	 * later than our last stamp. */
	cm_hlc_init(&h, CM_HLC_MAKE(T0 + 5000, 0));
	assert_rc(
	    cm_hlc_observe(&h, CM_HLC_MAKE(T0 + 5000, 0), T0, 1000), CM_ERANGE);
	assert_true(h.last == CM_HLC_MAKE(T0 + 5000, 0));
}

static void
test_format(void **state)
{
	char buf[40];

	(void)state;
	assert_string_equal(cm_hlc_format(CM_HLC_MAKE(T0, 0), buf, sizeof(buf)),
	    "2026-11-27T03:45:48.123Z");
	assert_string_equal(cm_hlc_format(CM_HLC_MAKE(T0, 5), buf, sizeof(buf)),
	    "2026-11-27T03:45:48.123Z+5");
	assert_string_equal(
	    cm_hlc_format(0, buf, sizeof(buf)), "1970-01-01T00:00:00.000Z");
	assert_string_equal(
	    cm_hlc_format(
	        CM_HLC_MAKE(UINT64_C(951782400007), 65535), buf, sizeof(buf)),
	    "2000-02-29T00:00:00.007Z+65535");
	/* The largest stamp still fits in 40 bytes. */
	cm_hlc_format(UINT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "10889-08-02T05:31:50.655Z+65535");
	/* A short buffer is cut, never overrun. */
	memset(buf, 'x', sizeof(buf));
	cm_hlc_format(CM_HLC_MAKE(T0, 5), buf, 5);
	assert_string_equal(buf, "2026");
	assert_int_equal(buf[5], 'x');
}

static void
test_wall(void **state)
{
	uint64_t w = cm_hlc_wall_ms();

	(void)state;
	/* After 2020-01-01 and inside 48 bits. */
	assert_true(w > UINT64_C(1577836800000));
	assert_true(w < (UINT64_C(1) << 48));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_now_follows_wall),
	    cmocka_unit_test(test_now_equal_wall_bumps_counter),
	    cmocka_unit_test(test_now_monotonic_when_wall_goes_back),
	    cmocka_unit_test(test_init_from_persisted),
	    cmocka_unit_test(test_counter_overflow_carries),
	    cmocka_unit_test(test_saturates_at_the_end),
	    cmocka_unit_test(test_observe_merges),
	    cmocka_unit_test(test_observe_bound),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_wall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
