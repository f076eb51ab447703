/*
 * log.c: key=value log lines with a UTC timestamp.
 */
#include "common/log.h"
#include "common/error.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static enum cm_log_level log_level = CM_LOG_INFO;
static FILE *log_stream;

static const char *const level_names[] = {
    "debug", "info", "warn", "error", "off"};

void
cm_log_set_level(enum cm_log_level level)
{
	log_level = level;
}

enum cm_log_level
cm_log_get_level(void)
{
	return log_level;
}

int
cm_log_parse_level(const char *s, enum cm_log_level *out)
{
	for (int i = 0; i <= CM_LOG_OFF; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum cm_log_level)i;
			return 0;
		}
	}
	return CM_EINVAL;
}

void
cm_log_set_stream(FILE *fp)
{
	log_stream = fp;
}

void
cm_log(enum cm_log_level level, const char *event, const char *fmt, ...)
{
	FILE *fp = log_stream != NULL ? log_stream : stderr;
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (level < log_level || level >= CM_LOG_OFF) {
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	/* One fprintf per part, under the stream lock, so lines never mix. */
	flockfile(fp);
	fprintf(fp, "ts=%s.%03ldZ level=%s event=%s", stamp,
	    ts.tv_nsec / 1000000L, level_names[level], event);
	if (fmt != NULL && fmt[0] != '\0') {
		fputc(' ', fp);
		va_start(ap, fmt);
		vfprintf(fp, fmt, ap);
		va_end(ap);
	}
	fputc('\n', fp);
	funlockfile(fp);
	fflush(fp);
}

char *
cm_log_mask(const char *id, char *buf, size_t size)
{
	size_t n = strlen(id);
	size_t i;

	if (size == 0) {
		return buf;
	}
	for (i = 0; i < n && i + 1 < size; i++) {
		buf[i] = (i < 2 || i + 2 >= n) && n > 6 ? id[i] : '*';
	}
	buf[i] = '\0';
	return buf;
}
