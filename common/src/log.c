/*
 * log.c: key=value log lines with a UTC timestamp.
 */
#include "common/log.h"
#include "common/error.h"
#include "common/utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
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
	/* One line per event, under the stream lock, so lines never mix.
	 * Control characters are escaped so that no value can start a
	 * line of its own (log forging). */
	flockfile(fp);
	fprintf(fp, "ts=%s.%03ldZ level=%s event=%s", stamp,
	    ts.tv_nsec / 1000000L, level_names[level], event);
	if (fmt != NULL && fmt[0] != '\0') {
		char line[1024];

		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		fputc(' ', fp);
		for (const char *p = line; *p != '\0'; p++) {
			unsigned char ch = (unsigned char)*p;

			if (ch < 0x20 || ch == 0x7f) {
				fprintf(fp, "\\x%02x", ch);
			} else {
				fputc(ch, fp);
			}
		}
	}
	fputc('\n', fp);
	funlockfile(fp);
	fflush(fp);
}

char *
cm_log_quote(const char *value, char *buf, size_t size)
{
	size_t o = 0;

	if (size < 3) {
		if (size > 0) {
			buf[0] = '\0';
		}
		return buf;
	}
	buf[o++] = '"';
	for (const char *p = value; *p != '\0' && o + 3 < size; p++) {
		if (*p == '"' || *p == '\\') {
			if (o + 4 >= size) {
				break;
			}
			buf[o++] = '\\';
		}
		buf[o++] = *p;
	}
	buf[o] = '\0';
	cm_utf8_trim_partial(buf + 1);
	o = strlen(buf);
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

char *
cm_log_mask(const char *id, char *buf, size_t size)
{
	size_t n = strlen(id);
	long chars = cm_utf8_count(id, n);
	long k = 0;
	size_t i = 0, o = 0;

	if (size == 0) {
		return buf;
	}
	/* By character, never by byte: a masked name must not keep half of
	 * a character, and must stay valid UTF-8. */
	while (i < n) {
		uint32_t cp;
		int len = cm_utf8_decode(id + i, n - i, &cp);
		bool keep = chars > 6 && (k < 2 || k >= chars - 2);

		if (len < 0) {
			len = 1;
			keep = false;
		}
		if (keep) {
			if (o + (size_t)len >= size) {
				break;
			}
			memcpy(buf + o, id + i, (size_t)len);
			o += (size_t)len;
		} else {
			if (o + 1 >= size) {
				break;
			}
			buf[o++] = '*';
		}
		i += (size_t)len;
		k++;
	}
	buf[o] = '\0';
	return buf;
}
