/*
 * log.h: structured logging, one line per event:
 *
 *   ts=2026-11-27T03:45:48.123Z level=info event=catalog.loaded matters=14
 *
 * Rules: the event is a dotted name; the rest are key=value pairs. Personal
 * data (ID numbers, names, phones, addresses) never goes into a log line:
 * log case ids and counts, or cm_log_mask() an identifier when one is
 * needed to tell records apart.
 */
#ifndef CM_LOG_H
#define CM_LOG_H

#include <stdio.h>

enum cm_log_level {
	CM_LOG_DEBUG = 0,
	CM_LOG_INFO,
	CM_LOG_WARN,
	CM_LOG_ERROR,
	CM_LOG_OFF
};

/* Set the lowest level written (default CM_LOG_INFO). */
void cm_log_set_level(enum cm_log_level level);
enum cm_log_level cm_log_get_level(void);

/* Parse "debug", "info", "warn", "error", "off"; returns 0 or CM_EINVAL. */
int cm_log_parse_level(const char *s, enum cm_log_level *out);

/* Where lines go (default stderr). Borrows fp; NULL restores stderr. */
void cm_log_set_stream(FILE *fp);

/*
 * Write one line. fmt holds the key=value pairs after the event (may be
 * NULL or ""); the formatted pairs are cut at 1 KiB and control
 * characters in them are written as \xNN, so no value can forge a line.
 * Values with spaces or quotes should go through cm_log_quote().
 */
void cm_log(enum cm_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* value in double quotes, with " and \ escaped, cut to fit size bytes on
 * a character boundary. Returns buf. */
char *cm_log_quote(const char *value, char *buf, size_t size);

/*
 * Mask an identifier for a log line: keeps the first 2 and last 2
 * characters (code points) of one longer than 6 and masks the rest, one *
 * per character: "11**************2X"; shorter ones are all masked. Writes
 * at most size bytes to buf and returns buf.
 */
char *cm_log_mask(const char *id, char *buf, size_t size);

#define cm_log_debug(ev, ...) cm_log(CM_LOG_DEBUG, ev, __VA_ARGS__)
#define cm_log_info(ev, ...)  cm_log(CM_LOG_INFO, ev, __VA_ARGS__)
#define cm_log_warn(ev, ...)  cm_log(CM_LOG_WARN, ev, __VA_ARGS__)
#define cm_log_error(ev, ...) cm_log(CM_LOG_ERROR, ev, __VA_ARGS__)

#endif
