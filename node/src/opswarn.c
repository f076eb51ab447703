/*
 * opswarn.c: warnings raised to ops before they hurt (issue 6): the next
 * year's holiday calendar missing after 1 November, a certificate that
 * expires within 30 days, a peer not heard from for an hour, ops of a
 * peer refused for a clock too far ahead, a disk nearly full. `ow-ctl
 * status` lists them and the node logs each when it appears (tick in
 * server.c). Only hall ids, file names and figures: no personal data.
 */
#include "node.h"
#include "metrics.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/log.h"

#include <mbedtls/x509_crt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#define CERT_WARN_DAYS  30
#define PEER_SILENT_S   3600
#define DISK_FREE_PCT   10
#define DISK_FREE_BYTES (1024ull * 1024ull * 1024ull)

struct warn_list {
	char **items;
	size_t n, cap;
	int rc;
};

static void warn_add(struct warn_list *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn_add(struct warn_list *w, const char *fmt, ...)
{
	char buf[300];
	va_list ap;
	char *copy;

	if (w->rc != 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (w->n == w->cap) {
		size_t ncap = w->cap == 0 ? 8 : w->cap * 2;
		char **ni = cm_reallocarray(w->items, ncap, sizeof(*ni));

		if (ni == NULL) {
			w->rc = CM_ENOMEM;
			return;
		}
		w->items = ni;
		w->cap = ncap;
	}
	copy = cm_malloc(strlen(buf) + 1);
	if (copy == NULL) {
		w->rc = CM_ENOMEM;
		return;
	}
	memcpy(copy, buf, strlen(buf) + 1);
	w->items[w->n++] = copy;
}

static void
check_calendar(struct node *n, struct warn_list *w)
{
	int first = 0, last = 0, y, m, d;
	bool contiguous = false;

	cm_date_to_ymd(node_today(n), &y, &m, &d);
	if (form_calendar_coverage(n->cal, &first, &last, &contiguous) != 0 ||
	    last < y) {
		warn_add(w,
		    "calendar_missing: no working-day calendar for %d "
		    "(ow-ctl calendar import)",
		    y);
	} else if (m >= 11 && last < y + 1) {
		/* The State Council publishes the next year's schedule in
		 * the autumn; deadlines across 1 January need it. */
		warn_add(w,
		    "calendar_next_year_missing: the calendar ends with %d; "
		    "import %d before 1 January (ow-ctl calendar import)",
		    last, y + 1);
	}
}

int
node_cert_expiry(const char *path, int64_t *out)
{
	mbedtls_x509_crt crt;
	struct tm tm;

	*out = 0;
	if (path == NULL || path[0] == '\0') {
		return CM_ENOENT;
	}
	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_file(&crt, path) != 0) {
		mbedtls_x509_crt_free(&crt);
		return CM_EPROTO;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = crt.valid_to.year - 1900;
	tm.tm_mon = crt.valid_to.mon - 1;
	tm.tm_mday = crt.valid_to.day;
	tm.tm_hour = crt.valid_to.hour;
	tm.tm_min = crt.valid_to.min;
	tm.tm_sec = crt.valid_to.sec;
	*out = (int64_t)timegm(&tm);
	mbedtls_x509_crt_free(&crt);
	return 0;
}

static void
check_cert(struct warn_list *w, const char *key, const char *path)
{
	time_t now = time(NULL);
	int64_t to;
	struct tm tm;
	long days;
	char day[16];
	int rc = node_cert_expiry(path, &to);

	if (rc == CM_ENOENT) {
		return;
	}
	if (rc != 0) {
		warn_add(w, "certificate_unreadable: %s (%s)", key, path);
		return;
	}
	gmtime_r(&(time_t){(time_t)to}, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	days = (long)((to - (int64_t)now) / 86400);
	if (to <= (int64_t)now) {
		warn_add(w, "certificate_expired: %s (%s) expired on %s", key,
		    path, day);
	} else if (days < CERT_WARN_DAYS) {
		warn_add(w,
		    "certificate_expiring: %s (%s) expires on %s, in %ld days",
		    key, path, day, days);
	}
}

struct peer_ctx {
	struct node *n;
	struct warn_list *w;
};

static void
peer_cb(void *arg, const struct node_repl_peer_fig *p)
{
	struct peer_ctx *c = arg;
	int64_t up_s = node_now(c->n) - c->n->started_at;

	if (p->last_heard_ms >= (int64_t)PEER_SILENT_S * 1000) {
		warn_add(c->w,
		    "peer_unreachable: %s not heard from for %lld min", p->id,
		    (long long)(p->last_heard_ms / 60000));
	} else if (p->last_heard_ms < 0 && up_s >= PEER_SILENT_S) {
		warn_add(c->w,
		    "peer_unreachable: %s never heard from since the start, "
		    "%lld min ago",
		    p->id, (long long)(up_s / 60));
	}
}

static void
origin_cb(void *arg, const char *origin, uint64_t seq)
{
	(void)arg;
	(void)origin;
	(void)seq;
}

static void
check_disk(struct node *n, struct warn_list *w)
{
	struct statvfs sv;
	unsigned long long avail, total;

	if (statvfs(n->datadir, &sv) != 0 || sv.f_blocks == 0) {
		return;
	}
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	total = (unsigned long long)sv.f_blocks * sv.f_frsize;
	if (avail * 100 < total * DISK_FREE_PCT || avail < DISK_FREE_BYTES) {
		warn_add(w,
		    "disk_nearly_full: %llu MiB free of %llu MiB where the "
		    "data directory is",
		    avail >> 20, total >> 20);
	}
}

int
node_ops_warnings(struct node *n, char ***out, size_t *nout)
{
	struct warn_list w = {0};
	struct peer_ctx pc = {n, &w};
	size_t held = 0;
	uint64_t clock_refused = node_repl_clock_refusals(n);

	check_calendar(n, &w);
	check_cert(&w, "tls_cert", n->cfg.tls_cert);
	node_repl_metrics(n, peer_cb, origin_cb, &pc, &held);
	if (clock_refused > 0) {
		warn_add(&w,
		    "clock_ahead: %llu ops refused in the last hour for a "
		    "clock more than 60 s ahead (repl.refused.clock in the log "
		    "names the hall)",
		    (unsigned long long)clock_refused);
	}
	check_disk(n, &w);
	if (w.rc != 0) {
		node_ops_warnings_free(w.items, w.n);
		*out = NULL;
		*nout = 0;
		return w.rc;
	}
	*out = w.items;
	*nout = w.n;
	return 0;
}

void
node_ops_warnings_free(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cm_free(items[i]);
	}
	cm_free(items);
}

/*
 * The tick's check (every ten minutes): each warning is logged when it
 * appears and again every hour while it lasts, by its code; a cleared
 * one is logged once.
 */
void
node_ops_warnings_log(struct node *n)
{
	static char last[16][48];
	static size_t nlast;
	static int64_t logged_at;
	char now_codes[16][48];
	size_t nnow = 0;
	char **items = NULL;
	size_t count = 0;
	int64_t now = node_now(n);
	bool hourly = now - logged_at >= 3600;

	if (node_ops_warnings(n, &items, &count) != 0) {
		return;
	}
	for (size_t i = 0; i < count && nnow < 16; i++) {
		const char *colon = strchr(items[i], ':');
		size_t len = colon != NULL ? (size_t)(colon - items[i]) : 0;
		bool seen = false;

		snprintf(now_codes[nnow], sizeof(now_codes[nnow]), "%.*s",
		    (int)(len < 47 ? len : 47), items[i]);
		for (size_t k = 0; k < nlast; k++) {
			seen = seen || strcmp(last[k], now_codes[nnow]) == 0;
		}
		if (!seen || hourly) {
			cm_log_warn("ops.warning", "what=\"%s\"", items[i]);
		}
		nnow++;
	}
	for (size_t k = 0; k < nlast; k++) {
		bool still = false;

		for (size_t i = 0; i < nnow; i++) {
			still = still || strcmp(last[k], now_codes[i]) == 0;
		}
		if (!still) {
			cm_log_info("ops.warning_cleared", "code=%s", last[k]);
		}
	}
	memcpy(last, now_codes, sizeof(now_codes));
	nlast = nnow;
	if (hourly) {
		logged_at = now;
	}
	node_ops_warnings_free(items, count);
}
