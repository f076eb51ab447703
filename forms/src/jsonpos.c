/*
 * jsonpos.c: a position-tracking scanner over a JSON text (see jsonpos.h).
 */
#include "jsonpos.h"

#include <stdlib.h>
#include <string.h>

struct scan {
	const char *p, *end;
	int line, col;
	int depth;
};

static void
advance(struct scan *s)
{
	unsigned char c = (unsigned char)*s->p;

	s->p++;
	if (c == '\n') {
		s->line++;
		s->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		/* Count characters, not bytes: continuation bytes add nothing. */
		s->col++;
	}
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	                            *s->p == '\n' || *s->p == '\r')) {
		advance(s);
	}
}

/* Skip a string starting at its opening quote; store the raw contents. */
static void
skip_string(struct scan *s, const char **start, size_t *n)
{
	advance(s); /* opening quote */
	if (start != NULL) {
		*start = s->p;
	}
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end) {
			advance(s);
		}
		advance(s);
	}
	if (n != NULL && start != NULL) {
		*n = (size_t)(s->p - *start);
	}
	if (s->p < s->end) {
		advance(s); /* closing quote */
	}
}

static void skip_value(struct scan *s);

static void
skip_container(struct scan *s, char close)
{
	advance(s);
	if (++s->depth > 512) {
		s->p = s->end;
		return;
	}
	while (s->p < s->end) {
		skip_ws(s);
		if (s->p >= s->end) {
			break;
		}
		if (*s->p == close) {
			advance(s);
			break;
		}
		if (*s->p == ',' || *s->p == ':') {
			advance(s);
			continue;
		}
		skip_value(s);
	}
	s->depth--;
}

static void
skip_value(struct scan *s)
{
	skip_ws(s);
	if (s->p >= s->end) {
		return;
	}
	switch (*s->p) {
	case '"':
		skip_string(s, NULL, NULL);
		break;
	case '{':
		skip_container(s, '}');
		break;
	case '[':
		skip_container(s, ']');
		break;
	default:
		/* A literal: always step over at least one byte, and stop at a
		 * NUL too (strchr would match the terminator), so that no input
		 * can keep the scanner in place. */
		do {
			advance(s);
		} while (s->p < s->end && *s->p != '\0' &&
		         strchr(",]} \t\r\n", *s->p) == NULL);
	}
}

/* The next path segment: [*seg, *seg + *n); advances *path past it. */
static void
next_segment(const char **path, const char **seg, size_t *n)
{
	const char *slash = strchr(*path, '/');

	*seg = *path;
	*n = slash != NULL ? (size_t)(slash - *path) : strlen(*path);
	*path = slash != NULL ? slash + 1 : *path + *n;
}

static bool
descend(struct scan *s, const char *path, bool want_key, int *line, int *col)
{
	const char *seg;
	size_t segn;

	skip_ws(s);
	*line = s->line;
	*col = s->col;
	if (*path == '\0' || s->p >= s->end) {
		return *path == '\0';
	}
	next_segment(&path, &seg, &segn);
	if (*s->p == '{') {
		advance(s);
		for (;;) {
			const char *key;
			size_t keyn = 0;
			int kline, kcol;

			skip_ws(s);
			if (s->p >= s->end || *s->p != '"') {
				return false;
			}
			kline = s->line;
			kcol = s->col;
			skip_string(s, &key, &keyn);
			skip_ws(s);
			if (s->p < s->end && *s->p == ':') {
				advance(s);
			}
			if (keyn == segn && memcmp(key, seg, segn) == 0) {
				if (*path == '\0' && want_key) {
					*line = kline;
					*col = kcol;
					return true;
				}
				return descend(s, path, want_key, line, col);
			}
			skip_value(s);
			skip_ws(s);
			if (s->p >= s->end || *s->p != ',') {
				return false;
			}
			advance(s);
		}
	} else if (*s->p == '[') {
		char *endp;
		long idx = strtol(seg, &endp, 10);

		if (endp != seg + segn || idx < 0) {
			return false;
		}
		advance(s);
		for (long i = 0;; i++) {
			skip_ws(s);
			if (s->p >= s->end || *s->p == ']') {
				return false;
			}
			if (i == idx) {
				return descend(s, path, want_key, line, col);
			}
			skip_value(s);
			skip_ws(s);
			if (s->p >= s->end || *s->p != ',') {
				return false;
			}
			advance(s);
		}
	}
	return false;
}

void
form_json_locate(const char *buf, size_t len, const char *path, bool want_key,
    int *line, int *col)
{
	struct scan s = {buf, buf + len, 1, 1, 0};

	*line = 1;
	*col = 1;
	descend(&s, path, want_key, line, col);
}

void
form_json_offset_pos(const char *buf, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			++*col;
		}
	}
}
