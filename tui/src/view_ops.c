/*
 * view_ops.c: the ops screen. This node (id, hall, software, uptime,
 * cases and ops, storage size, calendar coverage, flagged cases) and its
 * warnings (certificate expiry, calendar, peers, clock, disk: the node's
 * own list, docs/ops.md), then its replication peers: connected, ops
 * behind and ahead, seconds since heard, the last error. It follows the
 * node's events and refreshes on F5.
 */
#include "desk.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/i18n.h"

static const struct tui_bind ops_binds[] = {
    {TUI_KC_F(5), TUI_ACT_REFRESH, N_("Refresh"),
        N_("Fetch the node's status and its peers again"), 0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Scroll"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, NULL, 0},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"), N_("Back to the home screen"), 0},
};
static const struct tui_keymap ops_map = TUI_KEYMAP(ops_binds);

static void
ops_enter(struct tui_desk *d)
{
	tui_data_refresh(d, TUI_REFRESH_OPS);
}

static bool
ops_action(struct tui_desk *d, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_REFRESH:
		tui_data_refresh(d, TUI_REFRESH_OPS);
		tui_desk_message(d, TUI_MSG_INFO, "%s", _("Refreshing..."));
		return true;
	case TUI_ACT_UP:
		d->ops.top = d->ops.top > 0 ? d->ops.top - 1 : 0;
		return true;
	case TUI_ACT_DOWN:
		d->ops.top++;
		return true;
	case TUI_ACT_BACK:
		tui_desk_switch(d, &tui_view_home);
		return true;
	default:
		return false;
	}
}

static void
human_bytes(uint64_t b, char *out, size_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int u = 0;

	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, size, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static void
ops_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	const Ow__StatusResp *s =
	    d->ops.status != NULL ? d->ops.status->status_resp : NULL;
	const Ow__PeerListResp *pl =
	    d->ops.peers != NULL ? d->ops.peers->peer_list : NULL;
	int rows = getmaxy(w), cols = getmaxx(w), y = 0, x;
	int skip = d->ops.top;
	char buf[512], size[32];

	(void)cur;
	tui_put(w, y++, 0, cols, _(" Operations: this node and its peers"),
	    false, TUI_S_TITLE);
	if (s == NULL) {
		tui_put(
		    w, y, 1, cols - 1, _("Loading..."), false, TUI_S_NORMAL);
		return;
	}
#define LINE(st, ...)                                                          \
	do {                                                                   \
		snprintf(buf, sizeof(buf), __VA_ARGS__);                       \
		if (skip > 0) {                                                \
			skip--;                                                \
		} else if (y < rows) {                                         \
			tui_put(w, y++, 1, cols - 1, buf, false, st);          \
		}                                                              \
	} while (0)
	LINE(TUI_S_NORMAL, _("Node %s, hall %s, %s, up %lld h %02lld min"),
	    s->node_id, s->hall, s->software, (long long)(s->uptime_s / 3600),
	    (long long)(s->uptime_s / 60 % 60));
	human_bytes(s->disk_bytes, size, sizeof(size));
	LINE(TUI_S_NORMAL, _("Cases about %llu, ops %llu, storage %s"),
	    (unsigned long long)s->cases, (unsigned long long)s->log_ops, size);
	if (s->compacted_cases > 0) {
		LINE(TUI_S_NORMAL,
		    _("Compacted: %llu sealed cases kept as they stand, %llu "
		      "ops dropped from the log"),
		    (unsigned long long)s->compacted_cases,
		    (unsigned long long)s->compacted_ops);
	}
	if (s->syncs > 0) {
		/* Group commit: a disk whose syncs grow slow holds every
		 * window's writes up. */
		LINE(TUI_S_NORMAL,
		    _("Disk syncs: %llu since the start, %.2f ms each, %.1f "
		      "requests waited for each"),
		    (unsigned long long)s->syncs,
		    (double)s->sync_us / 1000.0 / (double)s->syncs,
		    (double)s->synced_replies / (double)s->syncs);
	}
	LINE(TUI_S_NORMAL,
	    _("Calendar %d to %d, matters %u, flagged cases %llu"),
	    s->calendar_first_year, s->calendar_last_year, s->matters,
	    (unsigned long long)s->conflicts);
	if (s->cert_expires > 0) {
		time_t t = (time_t)s->cert_expires;
		struct tm tm;
		char when[16];
		long days =
		    (long)((s->cert_expires - (int64_t)time(NULL)) / 86400);

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d", &tm);
		LINE(days < 30 ? TUI_S_RED : TUI_S_NORMAL,
		    _("Certificate: runs out on %s (in %ld days)"), when, days);
	} else {
		LINE(TUI_S_NORMAL, "%s",
		    _("Certificate: none (local connections only)"));
	}
	LINE(TUI_S_NORMAL, _("Replication: %s"),
	    s->repl_listen[0] != '\0' ? s->repl_listen : _("off"));
	if (s->n_warnings == 0) {
		LINE(TUI_S_INFO, "%s", _("No warnings."));
	}
	for (size_t i = 0; i < s->n_warnings; i++) {
		LINE(TUI_S_RED, _("Warning: %s"), s->warnings[i]);
	}
	if (y >= rows) {
		return;
	}
	y++;
	x = 1;
	x += tui_put(w, y, x, 14, _("Peer"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 10, _("Link"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 9, _("Behind"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 10, _("Behind s"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 9, _("Ahead"), true, TUI_S_HEADER);
	x += tui_put(w, y, x, 10, _("Heard s"), true, TUI_S_HEADER);
	tui_put(w, y, x, cols - x, _("Last error"), true, TUI_S_HEADER);
	y++;
	if (pl == NULL) {
		tui_put(w, y, 1, cols - 1,
		    d->ops.peers_status == CM_ENOREPL
		        ? _("Replication is off on this node.")
		        : _("Peers: only ops accounts see them."),
		    false, TUI_S_NORMAL);
		return;
	}
	if (pl->n_peers == 0) {
		tui_put(w, y, 1, cols - 1, _("No peers yet (ow-ctl peer add)."),
		    false, TUI_S_NORMAL);
	}
	for (size_t i = 0; i < pl->n_peers && y < rows; i++, y++) {
		const Ow__PeerInfo *p = pl->peers[i];
		char n[32];
		enum tui_style st = p->up ? TUI_S_NORMAL : TUI_S_RED;

		x = 1;
		x += tui_put(w, y, x, 14, p->id, true, st);
		x += tui_put(w, y, x, 10,
		    p->up ? _("up")
		          : (p->connected ? _("connected") : _("down")),
		    true, st);
		snprintf(n, sizeof(n), "%llu", (unsigned long long)p->behind);
		x += tui_put(w, y, x, 9, n, true, st);
		snprintf(n, sizeof(n), "%lld", (long long)p->behind_s);
		x += tui_put(w, y, x, 10, n, true, st);
		snprintf(n, sizeof(n), "%llu", (unsigned long long)p->ahead);
		x += tui_put(w, y, x, 9, n, true, st);
		if (p->last_heard_s < 0) {
			snprintf(n, sizeof(n), "%s", _("never"));
		} else {
			snprintf(
			    n, sizeof(n), "%lld", (long long)p->last_heard_s);
		}
		x += tui_put(w, y, x, 10, n, true, st);
		if (p->reseed_origin[0] != '\0') {
			/* Its batches leave out what it compacted. */
			char msg[160];

			snprintf(msg, sizeof(msg),
			    _("re-seeding from it (%s up to %llu)"),
			    p->reseed_origin,
			    (unsigned long long)p->reseed_floor);
			tui_put(w, y, x, cols - x, msg, true, TUI_S_YELLOW);
		} else if (!p->counts && p->last_heard_s != 0) {
			tui_put(w, y, x, cols - x,
			    _("away past the lapse: compaction goes on"), true,
			    TUI_S_YELLOW);
		} else {
			tui_put(w, y, x, cols - x,
			    p->last_error != 0 ? cm_err_name(p->last_error)
			                       : "-",
			    true, st);
		}
	}
#undef LINE
}

const struct tui_view_ops tui_view_ops = {
    .name = "ops",
    .keys = &ops_map,
    .enter = ops_enter,
    .leave = NULL,
    .draw = ops_draw,
    .action = ops_action,
    .key = NULL,
    .typing = NULL,
    .unsaved = NULL,
    .help_intro = N_("The node's health: storage, calendar, certificates and "
                     "the other halls it replicates with."),
    .help_more = NULL,
};
