/*
 * stats.c: figures for the desk's benchmark (tests/bench/bench_desk.sh).
 * Only when OW_DESK_STATS names a file: one line per screen update that
 * followed keys ("key VIEW MICROSECONDS KEYS": from the first key read to
 * the end of doupdate), "start MICROSECONDS" at the first drawn screen,
 * and "rss_kb N hwm_kb N" at exit. Nothing personal: no key values.
 */
#include "desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	FILE *out;
	uint64_t t_start, t_key;
	unsigned keys;
	bool drawn;
} st;

void
tui_stats_open(void)
{
	const char *path = getenv("OW_DESK_STATS");

	if (path == NULL || path[0] == '\0') {
		return;
	}
	/* Appended to: the benchmark writes its markers into it too. */
	st.out = fopen(path, "a");
	st.t_start = uv_hrtime();
}

void
tui_stats_key(void)
{
	if (st.out != NULL && st.keys++ == 0) {
		st.t_key = uv_hrtime();
	}
}

void
tui_stats_drawn(const char *view)
{
	uint64_t now;

	if (st.out == NULL) {
		return;
	}
	now = uv_hrtime();
	if (!st.drawn) {
		st.drawn = true;
		fprintf(st.out, "start %llu\n",
		    (unsigned long long)((now - st.t_start) / 1000));
	}
	if (st.keys > 0) {
		fprintf(st.out, "key %s %llu %u\n", view,
		    (unsigned long long)((now - st.t_key) / 1000), st.keys);
		st.keys = 0;
	}
	fflush(st.out);
}

void
tui_stats_close(void)
{
	FILE *fp;
	char line[256];
	long rss = -1, hwm = -1;

	if (st.out == NULL) {
		return;
	}
	fp = fopen("/proc/self/status", "r");
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
		sscanf(line, "VmRSS: %ld", &rss);
		sscanf(line, "VmHWM: %ld", &hwm);
	}
	if (fp != NULL) {
		fclose(fp);
	}
	fprintf(st.out, "rss_kb %ld hwm_kb %ld\n", rss, hwm);
	fclose(st.out);
	st.out = NULL;
}
