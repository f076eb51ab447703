/*
 * ow_ctl.c: `ow-ctl`, the node's API from a shell, for ops and scripts.
 *
 * Every command logs in (password from OW_PASSWORD or the terminal), sends
 * one request (a list: one per page, unless --limit asks for one page)
 * and prints the answer: a table for people, JSON with --json. The exit status is 0 on success, 1 when the node refused or
 * failed, 2 for a usage error, 3 when the node could not be reached.
 */
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hlc.h"
#include "common/i18n.h"
#include "common/tty.h"
#include "common/utf8.h"
#include "node/client.h"
#include "node/workflow.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

#define MAX_KV 200

struct ctl {
	const char *datadir, *url, *user, *cert, *key, *ca;
	bool json;
	struct node_client *c;
	/* case create / edit */
	const char *matter, *applicant_id, *applicant_name, *applicant_mobile;
	const char *kvs[MAX_KV];
	int nkv;
	const char *materials, *reason, *hall, *assignee, *handover, *window;
	const char *category, *by, *value, *after, *role, *display;
	bool priority, override_warnings, ineligible, enterprise, post;
	uint32_t limit; /* --limit: one page of this many; 0: every page */
	int days, level;
	const char *comment, *tracking;
	const char *dir;       /* backup --dir */
	const char *from, *to; /* report */
	bool csv;
};

static void
usage(FILE *fp)
{
	fputs(
	    _("Usage: ow-ctl [-d DATADIR | -n URL] [-u USER] [--json] COMMAND ...\n"
	      "\n"
	      "Commands:\n"
	      "  status                                 the node: id, key, version, counts\n"
	      "  user add NAME --role ROLE [--hall CODE] [--display NAME]\n"
	      "                                         (password from OW_NEW_PASSWORD or asked)\n"
	      "  user passwd NAME | user disable NAME | user enable NAME\n"
	      "  user list [PAGE]\n"
	      "  catalog list [PAGE] | catalog show CODE [VERSION] | catalog publish FILE\n"
	      "  case create --matter CODE --applicant-id ID [--applicant-name NAME]\n"
	      "              [--applicant-mobile NO] [--enterprise] [--field KEY=VALUE]...\n"
	      "              [--materials ID,...] [--refuse REASON] [--override-warnings]\n"
	      "              [--no-gaps]\n"
	      "  case get ID | case history ID [PAGE]\n"
	      "  case edit ID --field KEY=VALUE... [--materials ID,...]\n"
	      "  case act ID ACTION [--reason TEXT]   e.g. start_review, approve, deliver\n"
	      "  case assign ID --hall CODE [--assignee USER] --reason TEXT [--handover TEXT]\n"
	      "  case note ID TEXT\n"
	      "  case extend ID --days N --reason TEXT  (supervisor; Art. 42)\n"
	      "  case rate ID LEVEL [--comment TEXT]    (好差评, 1..5)\n"
	      "  case remedy ID callback|rectified TEXT | case remedy ID followup --level N\n"
	      "                                         a bad rating's remediation (supervisor)\n"
	      "  case ack ID                            take over a case moved to you\n"
	      "  case act ID deliver [--post --tracking NO]\n"
	      "  applicant ID_NUMBER [PAGE]             data given before, and the cases\n"
	      "  case search --by KIND --value VALUE [--hall CODE] [PAGE]\n"
	      "              KIND: id, applicant, phone, name, state, matter, date, assignee, warning,\n"
	      "              conflict\n"
	      "  queue issue [--category individual|enterprise] [--priority]\n"
	      "  queue next [--window W] [--category C] | queue list [PAGE]\n"
	      "  queue skip|recall|transfer|link NUMBER [--window W] [--case ID]\n"
	      "  audit verify                           check signatures and the hash chain\n"
	      "  peer add ID URL PUBKEY                 replicate with hall ID (URL tls+tcp://...;\n"
	      "                                         \"-\": a hall reached through others)\n"
	      "  peer remove ID | peer list | peer verify ID   (verify: same cases as ID?)\n"
	      "  conflicts list [PAGE]                  cases two halls changed at once\n"
	      "  conflicts resolve ID ACTION|STATE --reason TEXT   settle one (supervisor):\n"
	      "                                         an action, or resolve to a state\n"
	      "  calendar import FILE                   a working-day calendar (every hall)\n"
	      "  backup create|list [--dir DIR]         backups of the store (DIR absolute;\n"
	      "                                         default DATADIR/backups)\n"
	      "  backup verify ID [--dir DIR]           check a backup's files\n"
	      "  backup restore ID NEWDIR [--dir DIR]   a new data directory (ID 0: newest)\n"
	      "  report --from DAY --to DAY [--by hall|clerk|matter] [--hall CODE] [--csv]\n"
	      "                                         figures per hall, clerk or matter\n"
	      "                                         (supervisor, auditor; DAY YYYY-MM-DD)\n"
	      "  dashboard [--hall CODE]                a hall's queue, open cases, warnings\n"
	      "                                         and clerks now (supervisor, auditor)\n"
	      "\n"
	      "Lists come whole: ow-ctl reads every page. PAGE is [--limit N] [--after CURSOR]:\n"
	      "with --limit, one page of at most N (the node caps N) and, when more follow,\n"
	      "the cursor of the next page (the last line \"more: --after CURSOR\"; \"next\"\n"
	      "with --json, where the list then comes as {\"LIST\": [...], \"next\": CURSOR});\n"
	      "--after alone reads every page after CURSOR.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --datadir DIR   the local node of DIR (ipc://DIR/node.sock)\n"
	      "  -n, --node URL      a node's URL (tls+tcp://host:port needs --cert, --key, --ca)\n"
	      "  -u, --user NAME     user to log in as (default: $OW_USER, else admin)\n"
	      "  --cert FILE, --key FILE, --ca FILE\n"
	      "                      TLS client certificate, its key, and the CA of the node\n"
	      "  --no-gaps           case create: the applicant may not use 容缺\n"
	      "  --limit N           one page of a list, at most N entries (N >= 1)\n"
	      "  --after CURSOR      the page after CURSOR (from \"more:\" or \"next\")\n"
	      "  --json              print JSON\n"
	      "  --csv               report: print CSV (a header line, then one line a row)\n"
	      "  -h, --help          this help\n"
	      "  --version           the version\n"
	      "\n"
	      "The password comes from OW_PASSWORD, or is asked on the terminal;\n"
	      "OW_DATADIR stands for -d; OW_TIMEOUT_MS bounds each call (15000).\n"
	      "Exit status: 0 done, 1 refused by the node, 2 usage, 3 node unreachable.\n"),
	    fp);
}

static const char *
day_str(int32_t day, char *buf)
{
	if (day == 0) {
		return "-";
	}
	return cm_date_format(day, buf);
}

static void
print_json(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_INDENT(2)) : NULL;

	if (s == NULL) {
		fprintf(stderr, _("ow-ctl: could not build the JSON output\n"));
		exit(EXIT_REFUSED);
	}
	puts(s);
	free(s);
	json_decref(j);
}

/* The node said no: print why (and every problem), return 1. */
static int
refused(struct ctl *x, const Ow__Response *r)
{
	if (x->json) {
		json_t *probs = json_array();

		for (size_t i = 0; i < r->n_problems; i++) {
			json_array_append_new(
			    probs, json_pack("{s:s, s:s, s:i, s:s}", "field",
			               r->problems[i]->field, "code",
			               r->problems[i]->code, "severity",
			               (int)r->problems[i]->severity, "message",
			               r->problems[i]->message));
		}
		print_json(json_pack("{s:i, s:s, s:s, s:o}", "status",
		    r->status, "name", cm_err_name(r->status), "error",
		    r->error, "problems", probs));
	} else {
		fprintf(stderr, _("ow-ctl: %s\n"),
		    r->error[0] != '\0' ? r->error : cm_strerror(r->status));
		for (size_t i = 0; i < r->n_problems; i++) {
			fprintf(stderr, "  %s: %s\n", r->problems[i]->field,
			    r->problems[i]->message);
		}
	}
	return EXIT_REFUSED;
}

/* The outcome of a call (rc, *resp) as an exit status, with a message
 * for a transport failure or a refusal (*resp is freed and NULL then). */
static int
answered(struct ctl *x, int rc, Ow__Response **resp)
{
	if (rc != 0) {
		fprintf(stderr, _("ow-ctl: no answer from the node: %s\n"),
		    cm_strerror(rc));
		return EXIT_UNREACHABLE;
	}
	if ((*resp)->status != 0) {
		rc = refused(x, *resp);
		ow__response__free_unpacked(*resp, NULL);
		*resp = NULL;
		return rc;
	}
	return 0;
}

/* Send, and turn transport failures and refusals into messages. */
static int
call(struct ctl *x, Ow__Request *req, Ow__Response **resp)
{
	return answered(x, node_client_call(x->c, req, resp), resp);
}

/* Send a list request: with --limit one page (after --after), else every
 * page (after --after, or from the start) as one answer. */
static int
call_list(struct ctl *x, Ow__Request *req, Ow__Response **resp)
{
	node_list_page(req, x->limit, x->after);
	return answered(x,
	    x->limit > 0 ? node_client_call(x->c, req, resp)
	                 : node_client_call_all(x->c, req, resp),
	    resp);
}

/*
 * Print a list: with --json, the entries as they always came (a bare
 * array) when every page was read, or {"key": [...], "next": CURSOR} for
 * one page (takes arr); in a table, the line that says how to go on.
 */
static void
list_end(struct ctl *x, const char *key, json_t *arr, const Ow__Response *r)
{
	const char *next = node_list_next(r);

	if (x->json) {
		print_json(x->limit > 0
		               ? json_pack("{s:o, s:s}", key, arr, "next", next)
		               : arr);
		return;
	}
	json_decref(arr);
	if (next[0] != '\0') {
		printf(_("more: --after %s\n"), next);
	}
}

static json_t *
case_json(const Ow__Case *cs)
{
	char d1[CM_DATE_ISO_LEN], d2[CM_DATE_ISO_LEN];
	json_t *fields = json_object(), *mats = json_array(),
	       *due = json_array();
	json_t *notes = json_array(), *j;

	for (size_t i = 0; i < cs->n_fields; i++) {
		json_object_set_new(fields, cs->fields[i]->key,
		    json_string(cs->fields[i]->value));
	}
	for (size_t i = 0; i < cs->n_materials; i++) {
		json_array_append_new(mats, json_string(cs->materials[i]));
	}
	for (size_t i = 0; i < cs->n_materials_due; i++) {
		json_array_append_new(due, json_string(cs->materials_due[i]));
	}
	for (size_t i = 0; i < cs->n_notes; i++) {
		json_array_append_new(
		    notes, json_pack("{s:s, s:s}", "actor", cs->notes[i]->actor,
		               "text", cs->notes[i]->text));
	}
	j = json_pack(
	    "{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:i}",
	    "id", cs->id, "matter", cs->matter, "matter_version",
	    (int)cs->matter_version, "state",
	    node_state_name((enum node_state)cs->state), "hall", cs->hall,
	    "assignee", cs->assignee, "received", day_str(cs->received_day, d1),
	    "accepted", day_str(cs->accepted_day, d2), "fields", fields,
	    "materials", mats, "materials_due", due, "notes", notes, "conflict",
	    cs->conflict, "extension", (int)cs->extension);
	if (j != NULL && cs->applicant != NULL) {
		json_object_set_new(j, "applicant",
		    json_pack("{s:s, s:s, s:s}", "id", cs->applicant->id_number,
		        "name", cs->applicant->name, "mobile",
		        cs->applicant->mobile));
	}
	if (j != NULL && cs->rating != NULL) {
		json_object_set_new(j, "rating",
		    json_pack("{s:i, s:s, s:s}", "level",
		        (int)cs->rating->level, "comment", cs->rating->comment,
		        "by", cs->rating->actor));
	}
	if (j != NULL && cs->remedy != NULL) {
		const Ow__Remediation *m = cs->remedy;
		char d3[CM_DATE_ISO_LEN];

		json_object_set_new(j, "remedy",
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}",
		        "callback_day", day_str(m->callback_day, d1),
		        "callback", m->callback, "callback_by", m->callback_by,
		        "rectified_day", day_str(m->rectified_day, d2),
		        "outcome", m->outcome, "rectified_by", m->rectified_by,
		        "followup_day", day_str(m->followup_day, d3),
		        "followup_level", (int)m->followup_level, "followup_by",
		        m->followup_by));
	}
	if (j != NULL && cs->ack_by[0] != '\0') {
		json_object_set_new(
		    j, "acknowledged_by", json_string(cs->ack_by));
	}
	if (j != NULL && cs->delivery != NULL) {
		json_object_set_new(j, "delivery",
		    json_pack("{s:s, s:s, s:s, s:s}", "method",
		        cs->delivery->method == 2 ? "post" : "window", "hall",
		        cs->delivery->hall, "tracking", cs->delivery->tracking,
		        "day", day_str(cs->delivery->day, d1)));
	}
	if (j != NULL && cs->extension != 0) {
		json_object_set_new(
		    j, "extension_reason", json_string(cs->extension_reason));
	}
	if (j != NULL && cs->refusal_reason[0] != '\0') {
		json_object_set_new(
		    j, "refusal_reason", json_string(cs->refusal_reason));
	}
	return j;
}

static json_t *
deadline_json(const Ow__Deadline *d)
{
	static const char *const levels[] = {
	    "green", "yellow", "red", "overdue"};
	char d1[CM_DATE_ISO_LEN], d2[CM_DATE_ISO_LEN];

	if (d == NULL) {
		return json_null();
	}
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:b}",
	    "legal_due", day_str(d->legal_due, d1), "promised_due",
	    day_str(d->promised_due, d2), "used", d->used, "promised_left",
	    d->promised_left, "legal_left", d->legal_left, "permille",
	    d->permille, "level", d->level < 4 ? levels[d->level] : "?",
	    "paused_now", d->running_pause);
}

static void
print_case(const Ow__Case *cs, const Ow__Deadline *d)
{
	char d1[CM_DATE_ISO_LEN];

	printf(_("Case:      %s\n"), cs->id);
	printf(
	    _("Matter:    %s (version %u)\n"), cs->matter, cs->matter_version);
	printf(_("State:     %s%s\n"),
	    node_state_label((enum node_state)cs->state),
	    cs->conflict ? _(" [conflict: a supervisor must settle it]") : "");
	printf(_("Hall:      %s, clerk %s\n"), cs->hall, cs->assignee);
	if (cs->applicant != NULL) {
		printf(_("Applicant: %s %s\n"), cs->applicant->name,
		    cs->applicant->id_number);
	}
	printf(_("Received:  %s\n"), day_str(cs->received_day, d1));
	printf(_("Accepted:  %s\n"), day_str(cs->accepted_day, d1));
	if (d != NULL) {
		/* Colour words, and a word besides: never colour alone. */
		static const char *const levels[] = {N_("green (on time)"),
		    N_("yellow (over half the time used)"),
		    N_("red (nearly due)"), N_("overdue")};

		printf(_("Promised:  %s (%d working days left)\n"),
		    day_str(d->promised_due, d1), d->promised_left);
		printf(_("Legal:     %s (%d working days left)\n"),
		    day_str(d->legal_due, d1), d->legal_left);
		printf(_("Warning:   %s (%d‰ used)%s\n"),
		    d->level < 4 ? _(levels[d->level]) : "?", d->permille,
		    d->running_pause ? _(", clock paused") : "");
	}
	for (size_t i = 0; i < cs->n_fields; i++) {
		printf(
		    "  %-28s %s\n", cs->fields[i]->key, cs->fields[i]->value);
	}
	for (size_t i = 0; i < cs->n_materials; i++) {
		printf(_("  material  %s\n"), cs->materials[i]);
	}
	for (size_t i = 0; i < cs->n_materials_due; i++) {
		printf(_("  to follow %s\n"), cs->materials_due[i]);
	}
	for (size_t i = 0; i < cs->n_notes; i++) {
		printf(_("  note (%s): %s\n"), cs->notes[i]->actor,
		    cs->notes[i]->text);
	}
	if (cs->refusal_reason[0] != '\0') {
		printf(_("Reason:    %s\n"), cs->refusal_reason);
	}
	if (cs->extension != 0) {
		printf(_("Extended:  %u working days (%s)\n"), cs->extension,
		    cs->extension_reason);
	}
	if (cs->delivery != NULL) {
		printf(_("Delivered: %s %s %s\n"),
		    day_str(cs->delivery->day, d1),
		    cs->delivery->method == 2 ? _("by post") : _("at a window"),
		    cs->delivery->tracking);
	}
	if (cs->rating != NULL) {
		printf(_("Rating:    %u/5 %s\n"), cs->rating->level,
		    cs->rating->comment);
	}
	if (cs->remedy != NULL && cs->remedy->callback_day != 0) {
		printf(_("Callback:  %s %s (%s)\n"),
		    day_str(cs->remedy->callback_day, d1), cs->remedy->callback,
		    cs->remedy->callback_by);
	}
	if (cs->remedy != NULL && cs->remedy->rectified_day != 0) {
		printf(_("Rectified: %s %s (%s)\n"),
		    day_str(cs->remedy->rectified_day, d1), cs->remedy->outcome,
		    cs->remedy->rectified_by);
	}
	if (cs->remedy != NULL && cs->remedy->followup_level != 0) {
		printf(_("Follow-up: %s %u/5\n"),
		    day_str(cs->remedy->followup_day, d1),
		    cs->remedy->followup_level);
	}
	if (cs->ack_by[0] != '\0') {
		printf(_("Taken by:  %s\n"), cs->ack_by);
	}
}

/* ---- commands ----------------------------------------------------------- */

/* Lower-case hex of a digest ("" when there is none). */
static void
hex_of(const ProtobufCBinaryData *b, char out[65])
{
	static const char d[] = "0123456789abcdef";
	size_t n = b->len > 32 ? 32 : b->len;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b->data[i] >> 4];
		out[2 * i + 1] = d[b->data[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
cmd_status(struct ctl *x)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__StatusReq body = OW__STATUS_REQ__INIT;
	Ow__Response *r = NULL;
	const Ow__StatusResp *s;
	char digest[65], cert[32] = "";
	int rc;

	req.body_case = OW__REQUEST__BODY_STATUS;
	req.status = &body;
	if ((rc = call(x, &req, &r)) != 0) {
		return rc;
	}
	s = r->status_resp;
	hex_of(&s->digest, digest);
	if (s->cert_expires > 0) {
		time_t t = (time_t)s->cert_expires;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(cert, sizeof(cert), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (x->json) {
		json_t *vv = json_object(), *warns = json_array();

		for (size_t i = 0; i < s->n_warnings; i++) {
			json_array_append_new(
			    warns, json_string(s->warnings[i]));
		}
		for (size_t i = 0;
		     s->version != NULL && i < s->version->n_entries; i++) {
			json_object_set_new(vv, s->version->entries[i]->origin,
			    json_integer(
			        (json_int_t)s->version->entries[i]->seq));
		}
		json_t *j = json_pack(
		    "{s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:i, s:i, s:s, s:I, s:i, "
		    "s:s, s:s, s:s, s:I, s:o}",
		    "node_id", s->node_id, "hall", s->hall, "public_key",
		    s->public_key, "version", vv, "cases", (json_int_t)s->cases,
		    "log_ops", (json_int_t)s->log_ops, "uptime_s",
		    (json_int_t)s->uptime_s, "calendar_first_year",
		    s->calendar_first_year, "calendar_last_year",
		    s->calendar_last_year, "software", s->software,
		    "disk_bytes", (json_int_t)s->disk_bytes, "matters",
		    (int)s->matters, "repl_listen", s->repl_listen,
		    "repl_hints", s->repl_hints, "digest", digest, "conflicts",
		    (json_int_t)s->conflicts, "warnings", warns);

		if (j != NULL) {
			json_object_set_new(j, "cert_expires",
			    cert[0] != '\0' ? json_string(cert) : json_null());
			json_object_set_new(j, "compacted_cases",
			    json_integer((json_int_t)s->compacted_cases));
			json_object_set_new(j, "compacted_ops",
			    json_integer((json_int_t)s->compacted_ops));
			json_object_set_new(
			    j, "syncs", json_integer((json_int_t)s->syncs));
			json_object_set_new(j, "synced_ops",
			    json_integer((json_int_t)s->synced_ops));
			json_object_set_new(j, "synced_replies",
			    json_integer((json_int_t)s->synced_replies));
			json_object_set_new(
			    j, "sync_us", json_integer((json_int_t)s->sync_us));
		}
		print_json(j);
	} else {
		printf(_("Node:       %s\n"), s->node_id);
		printf(_("Hall:       %s\n"), s->hall);
		printf(_("Public key: %s\n"), s->public_key);
		for (size_t i = 0;
		     s->version != NULL && i < s->version->n_entries; i++) {
			printf(_("Version:    %s %llu\n"),
			    s->version->entries[i]->origin,
			    (unsigned long long)s->version->entries[i]->seq);
		}
		printf(_("Cases:      about %llu\n"),
		    (unsigned long long)s->cases);
		printf(_("Log ops:    %llu\n"), (unsigned long long)s->log_ops);
		if (s->compacted_cases > 0) {
			printf(_("Compacted:  %llu cases kept as a base, %llu "
			         "ops dropped\n"),
			    (unsigned long long)s->compacted_cases,
			    (unsigned long long)s->compacted_ops);
		}
		printf(_("Matters:    %u\n"), s->matters);
		printf(_("Calendar:   %d..%d\n"), s->calendar_first_year,
		    s->calendar_last_year);
		printf(_("Disk:       %llu bytes\n"),
		    (unsigned long long)s->disk_bytes);
		printf(_("Up:         %lld s\n"), (long long)s->uptime_s);
		if (s->syncs > 0) {
			printf(
			    _("Syncs:      %llu since the start, %.1f ops and "
			      "%.1f replies a sync, %.2f ms a sync\n"),
			    (unsigned long long)s->syncs,
			    (double)s->synced_ops / (double)s->syncs,
			    (double)s->synced_replies / (double)s->syncs,
			    (double)s->sync_us / 1000.0 / (double)s->syncs);
		}
		if (s->repl_listen[0] != '\0') {
			printf(_("Replication: %s (hints %s)\n"),
			    s->repl_listen, s->repl_hints);
			printf(_("Digest:     %s\n"), digest);
		}
		printf(
		    _("Conflicts:  %llu\n"), (unsigned long long)s->conflicts);
		printf(_("Software:   %s\n"), s->software);
		if (cert[0] != '\0') {
			printf(_("Certificate: runs out %s\n"), cert);
		}
		for (size_t i = 0; i < s->n_warnings; i++) {
			printf(_("Warning:    %s\n"), s->warnings[i]);
		}
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
new_password(char *out, size_t size)
{
	const char *env = getenv("OW_NEW_PASSWORD");
	char again[256];

	if (env != NULL) {
		snprintf(out, size, "%s", env);
		return 0;
	}
	if (cm_tty_secret(_("New password: "), out, size) != 0 ||
	    cm_tty_secret(_("The same again: "), again, sizeof(again)) != 0) {
		fprintf(
		    stderr, _("ow-ctl: no terminal; set OW_NEW_PASSWORD\n"));
		return EXIT_USAGE;
	}
	if (strcmp(out, again) != 0) {
		fprintf(stderr, _("ow-ctl: the passwords differ\n"));
		return EXIT_USAGE;
	}
	return 0;
}

static int
done(struct ctl *x, Ow__Response *r, const char *what)
{
	if (x->json) {
		print_json(json_pack("{s:i, s:s}", "status", 0, "done", what));
	} else {
		printf("%s\n", what);
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
cmd_user(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *r = NULL;
	char pw[256];
	int rc;

	if (argc >= 2 && strcmp(argv[0], "add") == 0) {
		Ow__UserAddReq b = OW__USER_ADD_REQ__INIT;

		if (x->role == NULL) {
			fprintf(stderr,
			    _("ow-ctl: user add needs --role clerk|supervisor|ops|auditor\n"));
			return EXIT_USAGE;
		}
		if ((rc = new_password(pw, sizeof(pw))) != 0) {
			return rc;
		}
		b.name = argv[1];
		b.role = (char *)(uintptr_t)x->role;
		b.hall = (char *)(uintptr_t)(x->hall != NULL ? x->hall : "");
		b.password = pw;
		b.display_name =
		    (char *)(uintptr_t)(x->display != NULL ? x->display : "");
		req.body_case = OW__REQUEST__BODY_USER_ADD;
		req.user_add = &b;
		rc = call(x, &req, &r);
		sodium_memzero(pw, sizeof(pw));
		return rc != 0 ? rc : done(x, r, _("user added"));
	}
	if (argc >= 2 && strcmp(argv[0], "passwd") == 0) {
		Ow__UserPasswdReq b = OW__USER_PASSWD_REQ__INIT;

		if ((rc = new_password(pw, sizeof(pw))) != 0) {
			return rc;
		}
		b.name = argv[1];
		b.password = pw;
		req.body_case = OW__REQUEST__BODY_USER_PASSWD;
		req.user_passwd = &b;
		rc = call(x, &req, &r);
		sodium_memzero(pw, sizeof(pw));
		return rc != 0 ? rc : done(x, r, _("password changed"));
	}
	if (argc >= 2 && (strcmp(argv[0], "disable") == 0 ||
	                     strcmp(argv[0], "enable") == 0)) {
		Ow__UserDisableReq b = OW__USER_DISABLE_REQ__INIT;

		b.name = argv[1];
		b.disabled = strcmp(argv[0], "disable") == 0;
		req.body_case = OW__REQUEST__BODY_USER_DISABLE;
		req.user_disable = &b;
		rc = call(x, &req, &r);
		return rc != 0 ? rc
		               : done(x, r,
		                     b.disabled ? _("user disabled")
		                                : _("user enabled"));
	}
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		Ow__UserListReq b = OW__USER_LIST_REQ__INIT;
		json_t *arr;

		req.body_case = OW__REQUEST__BODY_USER_LIST;
		req.user_list = &b;
		if ((rc = call_list(x, &req, &r)) != 0) {
			return rc;
		}
		arr = json_array();
		for (size_t i = 0; i < r->user_list->n_users; i++) {
			const Ow__UserInfo *u = r->user_list->users[i];

			if (x->json) {
				json_array_append_new(arr,
				    json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}",
				        "name", u->name, "role", u->role,
				        "hall", u->hall, "disabled",
				        u->disabled, "locked", u->locked,
				        "display_name", u->display_name));
			} else {
				printf("%-20s %-11s %-8s%s%s %s\n", u->name,
				    u->role, u->hall,
				    u->disabled ? _(" disabled") : "",
				    u->locked ? _(" locked") : "",
				    u->display_name);
			}
		}
		list_end(x, "users", arr, r);
		ow__response__free_unpacked(r, NULL);
		return 0;
	}
	fprintf(stderr, _("ow-ctl: user add|passwd|disable|enable|list\n"));
	return EXIT_USAGE;
}

static int
cmd_catalog(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *r = NULL;
	int rc;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		Ow__CatalogListReq b = OW__CATALOG_LIST_REQ__INIT;
		json_t *arr = json_array();

		req.body_case = OW__REQUEST__BODY_CATALOG_LIST;
		req.catalog_list = &b;
		if ((rc = call_list(x, &req, &r)) != 0) {
			json_decref(arr);
			return rc;
		}
		for (size_t i = 0; i < r->catalog_list->n_matters; i++) {
			const Ow__MatterInfo *m = r->catalog_list->matters[i];

			if (x->json) {
				json_array_append_new(arr,
				    json_pack("{s:s, s:i, s:s, s:s}", "code",
				        m->code, "version", (int)m->version,
				        "name_zh", m->name_zh, "name_en",
				        m->name_en));
			} else {
				printf("%s v%-3u %s\n", m->code, m->version,
				    cm_i18n_is_zh() ? m->name_zh : m->name_en);
			}
		}
		list_end(x, "matters", arr, r);
		ow__response__free_unpacked(r, NULL);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[0], "show") == 0) {
		Ow__CatalogShowReq b = OW__CATALOG_SHOW_REQ__INIT;

		b.code = argv[1];
		b.version =
		    argc >= 3 ? (uint32_t)strtoul(argv[2], NULL, 10) : 0;
		req.body_case = OW__REQUEST__BODY_CATALOG_SHOW;
		req.catalog_show = &b;
		if ((rc = call(x, &req, &r)) != 0) {
			return rc;
		}
		fwrite(r->catalog_show->matter_json.data, 1,
		    r->catalog_show->matter_json.len, stdout);
		ow__response__free_unpacked(r, NULL);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[0], "publish") == 0) {
		Ow__CatalogPublishReq b = OW__CATALOG_PUBLISH_REQ__INIT;
		char *buf = NULL;
		size_t len = 0;

		rc = cm_file_read(argv[1], 1 << 20, &buf, &len);
		if (rc != 0) {
			fprintf(stderr, _("ow-ctl: %s: %s\n"), argv[1],
			    cm_strerror(rc));
			return EXIT_USAGE;
		}
		b.matter_json.data = (uint8_t *)buf;
		b.matter_json.len = len;
		req.body_case = OW__REQUEST__BODY_CATALOG_PUBLISH;
		req.catalog_publish = &b;
		rc = call(x, &req, &r);
		cm_free(buf);
		return rc != 0 ? rc : done(x, r, _("published"));
	}
	fprintf(stderr,
	    _("ow-ctl: catalog list|show CODE [VERSION]|publish FILE\n"));
	return EXIT_USAGE;
}

/* KEY=VALUE pairs from --field into KeyValue messages (borrowing). */
static int
fill_kvs(struct ctl *x, Ow__KeyValue *kv, Ow__KeyValue **kvp, char **keys)
{
	for (int i = 0; i < x->nkv; i++) {
		const char *eq = strchr(x->kvs[i], '=');

		if (eq == NULL || eq == x->kvs[i]) {
			fprintf(stderr,
			    _("ow-ctl: --field wants KEY=VALUE, not %s\n"),
			    x->kvs[i]);
			return EXIT_USAGE;
		}
		ow__key_value__init(&kv[i]);
		keys[i] = cm_strndup(x->kvs[i], (size_t)(eq - x->kvs[i]));
		if (keys[i] == NULL) {
			return EXIT_REFUSED;
		}
		kv[i].key = keys[i];
		kv[i].value = (char *)(uintptr_t)(eq + 1);
		kvp[i] = &kv[i];
	}
	return 0;
}

static char **
split_materials(const char *list, char **copy, size_t *n)
{
	char **out;
	size_t cap = 1;

	*n = 0;
	*copy = cm_strdup(list != NULL ? list : "");
	if (*copy == NULL) {
		return NULL;
	}
	for (const char *p = *copy; *p != '\0'; p++) {
		cap += *p == ',';
	}
	out = cm_calloc(cap, sizeof(*out));
	if (out == NULL) {
		return NULL;
	}
	for (char *t = strtok(*copy, ","); t != NULL; t = strtok(NULL, ",")) {
		out[(*n)++] = t;
	}
	return out;
}

static int
show_case_resp(
    struct ctl *x, const Ow__Case *cs, const Ow__Deadline *d, json_t *extra)
{
	if (x->json) {
		json_t *j = json_pack("{s:o, s:o}", "case", case_json(cs),
		    "deadline", deadline_json(d));

		if (j != NULL && extra != NULL) {
			json_object_update(j, extra);
		}
		json_decref(extra);
		print_json(j);
	} else {
		json_decref(extra);
		print_case(cs, d);
	}
	return 0;
}

static int
case_create(struct ctl *x)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseCreateReq b = OW__CASE_CREATE_REQ__INIT;
	Ow__Party app = OW__PARTY__INIT;
	Ow__KeyValue kv[MAX_KV], *kvp[MAX_KV];
	char *keys[MAX_KV] = {0}, *mcopy = NULL, **mats;
	Ow__Response *r = NULL;
	size_t nm = 0;
	int rc;

	if (x->matter == NULL || x->applicant_id == NULL) {
		fprintf(stderr,
		    _("ow-ctl: case create needs --matter and --applicant-id\n"));
		return EXIT_USAGE;
	}
	rc = fill_kvs(x, kv, kvp, keys);
	mats = split_materials(x->materials, &mcopy, &nm);
	if (rc == 0 && mats == NULL) {
		rc = EXIT_REFUSED;
	}
	if (rc == 0) {
		app.kind = x->enterprise
		               ? OW__APPLICANT_KIND__APPLICANT_ENTERPRISE
		               : OW__APPLICANT_KIND__APPLICANT_PERSON;
		app.id_number = (char *)(uintptr_t)x->applicant_id;
		app.name = (char *)(uintptr_t)(x->applicant_name != NULL
		                                   ? x->applicant_name
		                                   : "");
		app.mobile = (char *)(uintptr_t)(x->applicant_mobile != NULL
		                                     ? x->applicant_mobile
		                                     : "");
		b.matter = (char *)(uintptr_t)x->matter;
		b.applicant = &app;
		b.fields = kvp;
		b.n_fields = (size_t)x->nkv;
		b.materials = mats;
		b.n_materials = nm;
		b.refuse_reason =
		    (char *)(uintptr_t)(x->reason != NULL ? x->reason : "");
		b.override_warnings = x->override_warnings;
		b.applicant_ineligible = x->ineligible;
		req.body_case = OW__REQUEST__BODY_CASE_CREATE;
		req.case_create = &b;
		rc = call(x, &req, &r);
	}
	if (rc == 0) {
		const Ow__CaseCreateResp *cr = r->case_create;

		if (x->json) {
			show_case_resp(x, cr->case_, cr->deadline,
			    json_pack("{s:s, s:s, s:s, s:s}", "id",
			        cr->case_->id, "notice_kind", cr->notice_kind,
			        "verify_code", cr->verify_code, "notice",
			        cr->notice_text));
		} else {
			printf("%s\n", cr->case_->id);
			printf(_("State: %s\n"),
			    node_state_label(
			        (enum node_state)cr->case_->state));
			fputs(cr->notice_text, stdout);
		}
		ow__response__free_unpacked(r, NULL);
	}
	for (int i = 0; i < x->nkv; i++) {
		cm_free(keys[i]);
	}
	cm_free(mats);
	cm_free(mcopy);
	return rc;
}

static int
case_reply(struct ctl *x, Ow__Request *req)
{
	Ow__Response *r = NULL;
	int rc = call(x, req, &r);

	if (rc != 0) {
		return rc;
	}
	if (r->body_case == OW__RESPONSE__BODY_CASE_GET) {
		const Ow__CaseGetResp *g = r->case_get;
		json_t *acts = json_array();

		for (size_t i = 0; i < g->n_allowed_actions; i++) {
			json_array_append_new(
			    acts, json_string(g->allowed_actions[i]));
		}
		if (!x->json && g->n_allowed_actions > 0) {
			printf(_("Actions:   "));
			for (size_t i = 0; i < g->n_allowed_actions; i++) {
				printf("%s%s", i ? ", " : "",
				    g->allowed_actions[i]);
			}
			printf("\n");
		}
		if (!x->json && g->callback_due != 0) {
			char d1[CM_DATE_ISO_LEN], d2[CM_DATE_ISO_LEN];

			printf(
			    _("Bad rating: call back by %s, rectify by %s\n"),
			    day_str(g->callback_due, d1),
			    day_str(g->rectify_due, d2));
		}
		{
			json_t *extra =
			    json_pack("{s:o}", "allowed_actions", acts);
			char d1[CM_DATE_ISO_LEN], d2[CM_DATE_ISO_LEN];

			if (extra != NULL && g->callback_due != 0) {
				json_object_set_new(extra, "callback_due",
				    json_string(day_str(g->callback_due, d1)));
				json_object_set_new(extra, "rectify_due",
				    json_string(day_str(g->rectify_due, d2)));
			}
			show_case_resp(x, g->case_, g->deadline, extra);
		}
	} else {
		done(x, r, _("done"));
		return 0;
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
case_search(struct ctl *x)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseSearchReq b = OW__CASE_SEARCH_REQ__INIT;
	Ow__Response *r = NULL;
	json_t *arr;
	int rc;

	if (x->by == NULL || x->value == NULL) {
		fprintf(
		    stderr, _("ow-ctl: case search needs --by and --value\n"));
		return EXIT_USAGE;
	}
	b.by = (char *)(uintptr_t)x->by;
	b.value = (char *)(uintptr_t)x->value;
	b.hall = (char *)(uintptr_t)(x->hall != NULL ? x->hall : "");
	req.body_case = OW__REQUEST__BODY_CASE_SEARCH;
	req.case_search = &b;
	if ((rc = call_list(x, &req, &r)) != 0) {
		return rc;
	}
	arr = json_array();
	for (size_t i = 0; i < r->case_search->n_cases; i++) {
		const Ow__CaseSummary *s = r->case_search->cases[i];
		char d[CM_DATE_ISO_LEN];

		if (x->json) {
			json_array_append_new(arr,
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			        "id", s->id, "matter", s->matter, "state",
			        node_state_name((enum node_state)s->state),
			        "hall", s->hall, "assignee", s->assignee,
			        "applicant", s->applicant_masked, "accepted",
			        day_str(s->accepted_day, d)));
		} else {
			/* The label last: it is Chinese under zh, and
			 * printf pads bytes, not columns. */
			printf("%-22s %-11s %-6s %-10s %s  %s\n", s->id,
			    s->matter, s->hall, s->assignee,
			    s->applicant_masked,
			    node_state_label((enum node_state)s->state));
		}
	}
	if (x->json) {
		print_json(json_pack(
		    "{s:o, s:s}", "cases", arr, "next", r->case_search->next));
	} else {
		json_decref(arr);
		if (r->case_search->next[0] != '\0') {
			printf(_("more: --after %s\n"), r->case_search->next);
		}
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
case_history(struct ctl *x, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseHistoryReq b = OW__CASE_HISTORY_REQ__INIT;
	Ow__Response *r = NULL;
	json_t *arr;
	int rc;

	b.id = (char *)(uintptr_t)id;
	req.body_case = OW__REQUEST__BODY_CASE_HISTORY;
	req.case_history = &b;
	if ((rc = call_list(x, &req, &r)) != 0) {
		return rc;
	}
	arr = json_array();
	if (!x->json && r->case_history->compacted > 0) {
		printf(_("(%llu earlier ops are kept in the case itself: it "
		         "was sealed and compacted)\n"),
		    (unsigned long long)r->case_history->compacted);
	}
	for (size_t i = 0; i < r->case_history->n_entries; i++) {
		const Ow__HistoryEntry *e = r->case_history->entries[i];
		const ProtobufCEnumValue *kv =
		    protobuf_c_enum_descriptor_get_value(
		        &ow__op_kind__descriptor, e->kind);
		char stamp[48];

		cm_hlc_format(e->hlc, stamp, sizeof(stamp));
		if (x->json) {
			json_array_append_new(arr,
			    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}",
			        "origin", e->origin, "seq", (json_int_t)e->seq,
			        "at", stamp, "actor", e->actor, "kind",
			        kv != NULL ? kv->name : "?", "summary",
			        e->summary));
		} else {
			printf("%s  %-10s %s#%llu  %-16s %s\n", stamp, e->actor,
			    e->origin, (unsigned long long)e->seq,
			    kv != NULL ? kv->name : "?", e->summary);
		}
	}
	list_end(x, "entries", arr, r);
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
cmd_case(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;

	if (argc >= 1 && strcmp(argv[0], "create") == 0) {
		return case_create(x);
	}
	if (argc >= 2 && strcmp(argv[0], "get") == 0) {
		Ow__CaseGetReq b = OW__CASE_GET_REQ__INIT;

		b.id = argv[1];
		req.body_case = OW__REQUEST__BODY_CASE_GET;
		req.case_get = &b;
		return case_reply(x, &req);
	}
	if (argc >= 2 && strcmp(argv[0], "history") == 0) {
		return case_history(x, argv[1]);
	}
	if (argc >= 3 && strcmp(argv[0], "act") == 0) {
		Ow__CaseActReq b = OW__CASE_ACT_REQ__INIT;

		b.id = argv[1];
		b.action = argv[2];
		b.reason =
		    (char *)(uintptr_t)(x->reason != NULL ? x->reason : "");
		b.delivery_method = x->post ? 2 : 1;
		b.tracking =
		    (char *)(uintptr_t)(x->tracking != NULL ? x->tracking : "");
		req.body_case = OW__REQUEST__BODY_CASE_ACT;
		req.case_act = &b;
		return case_reply(x, &req);
	}
	if (argc >= 2 && strcmp(argv[0], "edit") == 0) {
		Ow__CaseEditReq b = OW__CASE_EDIT_REQ__INIT;
		Ow__KeyValue kv[MAX_KV], *kvp[MAX_KV];
		char *keys[MAX_KV] = {0}, *mcopy = NULL, **mats;
		size_t nm = 0;
		int rc = fill_kvs(x, kv, kvp, keys);

		mats = split_materials(x->materials, &mcopy, &nm);
		if (rc == 0 && mats != NULL) {
			b.id = argv[1];
			b.set = kvp;
			b.n_set = (size_t)x->nkv;
			b.materials_add = mats;
			b.n_materials_add = nm;
			b.override_warnings = x->override_warnings;
			req.body_case = OW__REQUEST__BODY_CASE_EDIT;
			req.case_edit = &b;
			rc = case_reply(x, &req);
		}
		for (int i = 0; i < x->nkv; i++) {
			cm_free(keys[i]);
		}
		cm_free(mats);
		cm_free(mcopy);
		return rc;
	}
	if (argc >= 2 && strcmp(argv[0], "assign") == 0) {
		Ow__CaseAssignReq b = OW__CASE_ASSIGN_REQ__INIT;

		if (x->hall == NULL || x->reason == NULL) {
			fprintf(stderr,
			    _("ow-ctl: case assign needs --hall and --reason\n"));
			return EXIT_USAGE;
		}
		b.id = argv[1];
		b.hall = (char *)(uintptr_t)x->hall;
		b.assignee =
		    (char *)(uintptr_t)(x->assignee != NULL ? x->assignee : "");
		b.reason = (char *)(uintptr_t)x->reason;
		b.handover =
		    (char *)(uintptr_t)(x->handover != NULL ? x->handover : "");
		req.body_case = OW__REQUEST__BODY_CASE_ASSIGN;
		req.case_assign = &b;
		return case_reply(x, &req);
	}
	if (argc >= 3 && strcmp(argv[0], "note") == 0) {
		Ow__CaseNoteReq b = OW__CASE_NOTE_REQ__INIT;

		b.id = argv[1];
		b.text = argv[2];
		req.body_case = OW__REQUEST__BODY_CASE_NOTE;
		req.case_note = &b;
		return case_reply(x, &req);
	}
	if (argc >= 1 && strcmp(argv[0], "search") == 0) {
		return case_search(x);
	}
	if (argc >= 2 && strcmp(argv[0], "extend") == 0) {
		Ow__CaseExtendReq b = OW__CASE_EXTEND_REQ__INIT;

		if (x->days <= 0 || x->reason == NULL) {
			fprintf(stderr,
			    _("ow-ctl: case extend needs --days and --reason\n"));
			return EXIT_USAGE;
		}
		b.id = argv[1];
		b.days = (uint32_t)x->days;
		b.reason = (char *)(uintptr_t)x->reason;
		req.body_case = OW__REQUEST__BODY_CASE_EXTEND;
		req.case_extend = &b;
		return case_reply(x, &req);
	}
	if (argc >= 3 && strcmp(argv[0], "remedy") == 0) {
		static const char *const steps[] = {
		    "callback", "rectified", "followup"};
		Ow__CaseRemedyReq b = OW__CASE_REMEDY_REQ__INIT;

		for (uint32_t i = 0; i < 3; i++) {
			if (strcmp(argv[2], steps[i]) == 0) {
				b.step = i + 1;
			}
		}
		if (b.step == 0 || (b.step < 3 && argc < 4) ||
		    (b.step == 3 && (x->level < 1 || x->level > 5))) {
			fprintf(stderr,
			    _("ow-ctl: case remedy ID callback|rectified TEXT | "
			      "case remedy ID followup --level 1..5\n"));
			return EXIT_USAGE;
		}
		b.id = argv[1];
		b.text = argc >= 4 ? argv[3] : (char *)(uintptr_t) "";
		b.level = (uint32_t)x->level;
		req.body_case = OW__REQUEST__BODY_CASE_REMEDY;
		req.case_remedy = &b;
		return case_reply(x, &req);
	}
	if (argc >= 2 && strcmp(argv[0], "ack") == 0) {
		Ow__CaseAckReq b = OW__CASE_ACK_REQ__INIT;

		b.id = argv[1];
		req.body_case = OW__REQUEST__BODY_CASE_ACK;
		req.case_ack = &b;
		return case_reply(x, &req);
	}
	if (argc >= 3 && strcmp(argv[0], "rate") == 0) {
		Ow__CaseRateReq b = OW__CASE_RATE_REQ__INIT;
		char *end;
		long level = strtol(argv[2], &end, 10);

		if (*end != '\0' || level < 1 || level > 5) {
			fprintf(stderr, _("ow-ctl: a rating is 1..5\n"));
			return EXIT_USAGE;
		}
		b.id = argv[1];
		b.level = (uint32_t)level;
		b.comment =
		    (char *)(uintptr_t)(x->comment != NULL ? x->comment : "");
		req.body_case = OW__REQUEST__BODY_CASE_RATE;
		req.case_rate = &b;
		return case_reply(x, &req);
	}
	fprintf(stderr,
	    _("ow-ctl: case create|get|edit|act|assign|note|search|history\n"));
	return EXIT_USAGE;
}

static int
ticket_out(struct ctl *x, Ow__Response *r, const Ow__Ticket *t, int ahead)
{
	static const char *const states[] = {
	    "waiting", "called", "served", "skipped"};
	const char *st = t->state < 4 ? states[t->state] : "?";

	if (x->json) {
		json_t *j = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:I}",
		    "number", t->number, "category", t->category, "priority",
		    t->priority, "state", st, "window", t->window, "case_id",
		    t->case_id, "issued_at", (json_int_t)t->issued_at);

		if (j != NULL && ahead >= 0) {
			json_object_set_new(
			    j, "waiting_before", json_integer(ahead));
		}
		print_json(j);
	} else {
		printf("%s %s %s %s", t->number, t->category, st, t->window);
		if (ahead >= 0) {
			printf(_(" (%d waiting before)"), ahead);
		}
		printf("\n");
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
cmd_queue(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *r = NULL;
	int rc;

	if (argc >= 1 && strcmp(argv[0], "issue") == 0) {
		Ow__QueueIssueReq b = OW__QUEUE_ISSUE_REQ__INIT;

		b.category =
		    (char *)(uintptr_t)(x->category != NULL ? x->category : "");
		b.priority = x->priority;
		req.body_case = OW__REQUEST__BODY_QUEUE_ISSUE;
		req.queue_issue = &b;
		if ((rc = call(x, &req, &r)) != 0) {
			return rc;
		}
		return ticket_out(x, r, r->queue_issue->ticket,
		    (int)r->queue_issue->waiting_before);
	}
	if (argc >= 1 && strcmp(argv[0], "next") == 0) {
		Ow__QueueNextReq b = OW__QUEUE_NEXT_REQ__INIT;

		b.window =
		    (char *)(uintptr_t)(x->window != NULL ? x->window : "");
		b.category =
		    (char *)(uintptr_t)(x->category != NULL ? x->category : "");
		req.body_case = OW__REQUEST__BODY_QUEUE_NEXT;
		req.queue_next = &b;
		if ((rc = call(x, &req, &r)) != 0) {
			return rc;
		}
		return ticket_out(x, r, r->ticket->ticket, -1);
	}
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		Ow__QueueListReq b = OW__QUEUE_LIST_REQ__INIT;
		json_t *arr = json_array();

		req.body_case = OW__REQUEST__BODY_QUEUE_LIST;
		req.queue_list = &b;
		if ((rc = call_list(x, &req, &r)) != 0) {
			json_decref(arr);
			return rc;
		}
		for (size_t i = 0; i < r->queue_list->n_tickets; i++) {
			const Ow__Ticket *t = r->queue_list->tickets[i];

			if (x->json) {
				json_array_append_new(
				    arr, json_pack("{s:s, s:i, s:s, s:s}",
				             "number", t->number, "state",
				             (int)t->state, "window", t->window,
				             "case_id", t->case_id));
			} else {
				printf("%s %u %s %s\n", t->number, t->state,
				    t->window, t->case_id);
			}
		}
		list_end(x, "tickets", arr, r);
		ow__response__free_unpacked(r, NULL);
		return 0;
	}
	if (argc >= 2 &&
	    (strcmp(argv[0], "skip") == 0 || strcmp(argv[0], "recall") == 0 ||
	        strcmp(argv[0], "transfer") == 0 ||
	        strcmp(argv[0], "link") == 0)) {
		Ow__QueueTicketReq b = OW__QUEUE_TICKET_REQ__INIT;

		b.number = argv[1];
		b.op = argv[0];
		b.window =
		    (char *)(uintptr_t)(x->window != NULL ? x->window : "");
		b.case_id =
		    (char *)(uintptr_t)(x->value != NULL ? x->value : "");
		req.body_case = OW__REQUEST__BODY_QUEUE_TICKET;
		req.queue_ticket = &b;
		if ((rc = call(x, &req, &r)) != 0) {
			return rc;
		}
		return ticket_out(x, r, r->ticket->ticket, -1);
	}
	fprintf(stderr,
	    _("ow-ctl: queue issue|next|list|skip|recall|transfer|link\n"));
	return EXIT_USAGE;
}

static int
cmd_applicant(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__ApplicantGetReq b = OW__APPLICANT_GET_REQ__INIT;
	Ow__Response *r = NULL;
	const Ow__ApplicantGetResp *a;
	json_t *prof, *cases;
	int rc;

	if (argc != 1) {
		fprintf(stderr, _("ow-ctl: applicant ID_NUMBER\n"));
		return EXIT_USAGE;
	}
	b.id_number = argv[0];
	req.body_case = OW__REQUEST__BODY_APPLICANT_GET;
	req.applicant_get = &b;
	if ((rc = call_list(x, &req, &r)) != 0) {
		return rc;
	}
	a = r->applicant_get;
	prof = json_object();
	cases = json_array();
	for (size_t i = 0; i < a->n_profile; i++) {
		json_object_set_new(prof, a->profile[i]->key,
		    json_string(a->profile[i]->value));
	}
	for (size_t i = 0; i < a->n_cases; i++) {
		json_array_append_new(cases,
		    json_pack("{s:s, s:s, s:s}", "id", a->cases[i]->id,
		        "matter", a->cases[i]->matter, "state",
		        node_state_name((enum node_state)a->cases[i]->state)));
	}
	if (x->json) {
		print_json(json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}",
		    "id_number", a->party != NULL ? a->party->id_number : "",
		    "name", a->party != NULL ? a->party->name : "", "mobile",
		    a->party != NULL ? a->party->mobile : "", "profile", prof,
		    "cases", cases, "next", a->next));
	} else {
		const char *k;
		json_t *v;

		if (a->party != NULL) {
			printf(_("Applicant: %s %s %s\n"), a->party->name,
			    a->party->id_number, a->party->mobile);
		}
		json_object_foreach(prof, k, v)
		{
			printf("  %-20s %s\n", k, json_string_value(v));
		}
		for (size_t i = 0; i < a->n_cases; i++) {
			printf("  %-22s %-11s %s\n", a->cases[i]->id,
			    a->cases[i]->matter,
			    node_state_label(
			        (enum node_state)a->cases[i]->state));
		}
		if (a->next[0] != '\0') {
			printf(_("more: --after %s\n"), a->next);
		}
		json_decref(prof);
		json_decref(cases);
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
cmd_audit(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__AuditVerifyReq b = OW__AUDIT_VERIFY_REQ__INIT;
	Ow__Response *r = NULL;
	uint64_t total;
	int rc;

	if (argc < 1 || strcmp(argv[0], "verify") != 0) {
		fprintf(stderr, _("ow-ctl: audit verify\n"));
		return EXIT_USAGE;
	}
	req.body_case = OW__REQUEST__BODY_AUDIT_VERIFY;
	req.audit_verify = &b;
	if ((rc = call(x, &req, &r)) != 0) {
		return rc;
	}
	/* A node before problems_total listed them all. */
	total = r->audit_verify->problems_total > r->audit_verify->n_problems
	            ? r->audit_verify->problems_total
	            : r->audit_verify->n_problems;
	if (x->json) {
		json_t *p = json_array();

		for (size_t i = 0; i < r->audit_verify->n_problems; i++) {
			json_array_append_new(
			    p, json_string(r->audit_verify->problems[i]));
		}
		print_json(json_pack("{s:I, s:I, s:o, s:I, s:I}", "ops",
		    (json_int_t)r->audit_verify->ops, "origins",
		    (json_int_t)r->audit_verify->origins, "problems", p,
		    "problems_total", (json_int_t)total, "compacted",
		    (json_int_t)r->audit_verify->compacted));
	} else {
		printf(_("%llu ops checked, %llu problems\n"),
		    (unsigned long long)r->audit_verify->ops,
		    (unsigned long long)total);
		if (r->audit_verify->compacted > 0) {
			printf(_("%llu ops compacted (sealed cases kept on "
			         "their base): the chain resumes after them\n"),
			    (unsigned long long)r->audit_verify->compacted);
		}
		for (size_t i = 0; i < r->audit_verify->n_problems; i++) {
			printf("  %s\n", r->audit_verify->problems[i]);
		}
		if (total > r->audit_verify->n_problems) {
			printf(_("  (the first %zu are listed)\n"),
			    r->audit_verify->n_problems);
		}
	}
	rc = total == 0 ? 0 : EXIT_REFUSED;
	ow__response__free_unpacked(r, NULL);
	return rc;
}

static int
peer_list(struct ctl *x)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__PeerListReq b = OW__PEER_LIST_REQ__INIT;
	Ow__Response *r = NULL;
	const Ow__PeerListResp *l;
	json_t *arr;
	int rc;

	req.body_case = OW__REQUEST__BODY_PEER_LIST;
	req.peer_list = &b;
	if ((rc = call(x, &req, &r)) != 0) {
		return rc;
	}
	l = r->peer_list;
	arr = json_array();
	if (!x->json && l->n_peers == 0) {
		printf(_("No peers.\n"));
	} else if (!x->json) {
		printf(_("%-16s %-5s %-5s %8s %8s %8s %6s %-10s %s\n"),
		    _("PEER"), _("LINK"), _("PULL"), _("BEHIND"), _("BEHIND_S"),
		    _("AHEAD"), _("HEARD"), _("ERROR"), _("URL"));
	}
	for (size_t i = 0; i < l->n_peers; i++) {
		const Ow__PeerInfo *p = l->peers[i];
		char heard[24];

		if (p->last_heard_s < 0) {
			snprintf(heard, sizeof(heard), "-");
		} else {
			snprintf(heard, sizeof(heard), "%llds",
			    (long long)p->last_heard_s);
		}
		if (x->json) {
			json_t *pj = json_pack(
			    "{s:s, s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, "
			    "s:s, s:i, s:s}",
			    "id", p->id, "url", p->url, "public_key",
			    p->public_key, "connected", p->connected, "up",
			    p->up, "behind", (json_int_t)p->behind, "behind_s",
			    (json_int_t)p->behind_s, "ahead",
			    (json_int_t)p->ahead, "last_heard_s",
			    (json_int_t)p->last_heard_s, "last_error",
			    p->last_error != 0 ? cm_err_name(p->last_error)
			                       : "",
			    "failures", (int)p->failures, "hints", p->hints);

			if (pj != NULL) {
				json_object_set_new(
				    pj, "counts", json_boolean(p->counts));
				json_object_set_new(pj, "reseed_origin",
				    p->reseed_origin[0] != '\0'
				        ? json_string(p->reseed_origin)
				        : json_null());
				json_object_set_new(pj, "reseed_floor",
				    json_integer((json_int_t)p->reseed_floor));
			}
			json_array_append_new(arr, pj);
		} else {
			printf(
			    "%-16s %-5s %-5s %8llu %8lld %8llu %6s %-10s %s\n",
			    p->id,
			    strcmp(p->url, "-") == 0 ? "-"
			    : p->connected           ? _("up")
			                             : _("down"),
			    p->up ? _("ok") : _("fail"),
			    (unsigned long long)p->behind,
			    (long long)p->behind_s,
			    (unsigned long long)p->ahead, heard,
			    p->last_error != 0 ? cm_err_name(p->last_error)
			                       : "-",
			    p->url);
			if (p->reseed_origin[0] != '\0') {
				printf(_("  %s compacted ops of %s up to %llu "
				         "that this node lacks: this node "
				         "re-seeds from it (repl.reseed in the "
				         "log)\n"),
				    p->id, p->reseed_origin,
				    (unsigned long long)p->reseed_floor);
			} else if (!p->counts) {
				printf(
				    _("  %s has been silent longer than "
				      "repl_lapse_days: compaction no longer "
				      "waits for it\n"),
				    p->id);
			}
		}
	}
	if (x->json) {
		json_t *vv = json_object();

		for (size_t i = 0;
		     l->version != NULL && i < l->version->n_entries; i++) {
			json_object_set_new(vv, l->version->entries[i]->origin,
			    json_integer(
			        (json_int_t)l->version->entries[i]->seq));
		}
		print_json(
		    json_pack("{s:o, s:o}", "peers", arr, "version", vv));
	} else {
		json_decref(arr);
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
peer_verify(struct ctl *x, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__PeerVerifyReq b = OW__PEER_VERIFY_REQ__INIT;
	Ow__Response *r = NULL;
	const Ow__PeerVerifyResp *v;
	char local[65], remote[65];
	int rc;

	b.id = (char *)(uintptr_t)id;
	req.body_case = OW__REQUEST__BODY_PEER_VERIFY;
	req.peer_verify = &b;
	if ((rc = call(x, &req, &r)) != 0) {
		return rc;
	}
	v = r->peer_verify;
	hex_of(&v->local, local);
	hex_of(&v->remote, remote);
	if (x->json) {
		json_t *d = json_array();

		for (size_t i = 0; i < v->n_differ; i++) {
			json_array_append_new(d, json_string(v->differ[i]));
		}
		print_json(json_pack("{s:b, s:s, s:s, s:o, s:I}", "same",
		    v->same, "local", local, "remote", remote, "differ", d,
		    "differ_total", (json_int_t)v->differ_total));
	} else if (v->same) {
		printf(_("Same cases as %s (digest %s)\n"), id, local);
	} else {
		printf(_("Cases differ from %s: %llu found\n"), id,
		    (unsigned long long)v->differ_total);
		for (size_t i = 0; i < v->n_differ; i++) {
			printf("  %s\n", v->differ[i]);
		}
	}
	rc = v->same ? 0 : EXIT_REFUSED;
	ow__response__free_unpacked(r, NULL);
	return rc;
}

static int
cmd_peer(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__Response *r = NULL;
	int rc;

	if (argc >= 4 && strcmp(argv[0], "add") == 0) {
		Ow__PeerAddReq b = OW__PEER_ADD_REQ__INIT;

		b.id = argv[1];
		b.url = argv[2];
		b.public_key = argv[3];
		req.body_case = OW__REQUEST__BODY_PEER_ADD;
		req.peer_add = &b;
		if ((rc = call(x, &req, &r)) != 0) {
			return rc;
		}
		return done(x, r, _("peer added"));
	}
	if (argc >= 2 && strcmp(argv[0], "remove") == 0) {
		Ow__PeerRemoveReq b = OW__PEER_REMOVE_REQ__INIT;

		b.id = argv[1];
		req.body_case = OW__REQUEST__BODY_PEER_REMOVE;
		req.peer_remove = &b;
		if ((rc = call(x, &req, &r)) != 0) {
			return rc;
		}
		return done(x, r, _("peer removed"));
	}
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		return peer_list(x);
	}
	if (argc >= 2 && strcmp(argv[0], "verify") == 0) {
		return peer_verify(x, argv[1]);
	}
	fprintf(stderr, _("ow-ctl: peer add ID URL PUBKEY | peer remove ID | "
	                  "peer list | peer verify ID\n"));
	return EXIT_USAGE;
}

static int
cmd_conflicts(struct ctl *x, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		x->by = "conflict";
		x->value = "1";
		return case_search(x);
	}
	if (argc >= 3 && strcmp(argv[0], "resolve") == 0) {
		/* A supervisor's op on the flagged case, made after both
		 * branches: it settles them on every hall. An action name is
		 * an ordinary transition; a state name is a resolve to that
		 * state (the way out of a final provisional state). */
		enum node_state st;
		char act[] = "act";
		char *args[3] = {act, argv[1], argv[2]};

		if (node_state_parse(argv[2], &st) == 0) {
			Ow__Request req = OW__REQUEST__INIT;
			Ow__CaseActReq b = OW__CASE_ACT_REQ__INIT;

			b.id = argv[1];
			b.action = (char *)(uintptr_t) "resolve";
			b.to = argv[2];
			b.reason =
			    (char *)(uintptr_t)(x->reason != NULL ? x->reason
			                                          : "");
			req.body_case = OW__REQUEST__BODY_CASE_ACT;
			req.case_act = &b;
			return case_reply(x, &req);
		}
		return cmd_case(x, 3, args);
	}
	fprintf(stderr, _("ow-ctl: conflicts list | conflicts resolve ID "
	                  "ACTION|STATE --reason TEXT\n"));
	return EXIT_USAGE;
}

static int
cmd_calendar(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CalendarImportReq b = OW__CALENDAR_IMPORT_REQ__INIT;
	Ow__Response *r = NULL;
	const char *base;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (argc < 2 || strcmp(argv[0], "import") != 0) {
		fprintf(stderr, _("ow-ctl: calendar import FILE\n"));
		return EXIT_USAGE;
	}
	rc = cm_file_read(argv[1], 1 << 20, &buf, &len);
	if (rc != 0) {
		fprintf(
		    stderr, _("ow-ctl: %s: %s\n"), argv[1], cm_strerror(rc));
		return EXIT_USAGE;
	}
	base = strrchr(argv[1], '/');
	b.name = (char *)(uintptr_t)(base != NULL ? base + 1 : argv[1]);
	b.json.data = (uint8_t *)buf;
	b.json.len = len;
	req.body_case = OW__REQUEST__BODY_CALENDAR_IMPORT;
	req.calendar_import = &b;
	rc = call(x, &req, &r);
	cm_free(buf);
	if (rc != 0) {
		return rc;
	}
	return done(x, r, _("calendar imported"));
}

static int
cmd_backup(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__BackupReq b = OW__BACKUP_REQ__INIT;
	Ow__Response *r = NULL;
	json_t *arr;
	char *end;
	int rc;

	if (argc < 1 ||
	    (strcmp(argv[0], "create") != 0 && strcmp(argv[0], "list") != 0 &&
	        !(strcmp(argv[0], "verify") == 0 && argc >= 2) &&
	        !(strcmp(argv[0], "restore") == 0 && argc >= 3))) {
		fprintf(stderr,
		    _("ow-ctl: backup create|list [--dir DIR] | backup verify ID "
		      "| backup restore ID NEWDIR\n"));
		return EXIT_USAGE;
	}
	b.op = argv[0];
	b.dir = (char *)(uintptr_t)(x->dir != NULL ? x->dir : "");
	if (argc >= 2) {
		unsigned long id = strtoul(argv[1], &end, 10);

		if (argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' ||
		    id > UINT32_MAX) {
			fprintf(stderr, _("ow-ctl: not a backup number: %s\n"),
			    argv[1]);
			return EXIT_USAGE;
		}
		b.id = (uint32_t)id;
	}
	b.target = (char *)(uintptr_t)(argc >= 3 ? argv[2] : "");
	req.body_case = OW__REQUEST__BODY_BACKUP;
	req.backup = &b;
	if ((rc = call(x, &req, &r)) != 0) {
		return rc;
	}
	if (strcmp(argv[0], "verify") == 0) {
		return done(x, r, _("backup verified"));
	}
	if (strcmp(argv[0], "restore") == 0) {
		if (x->json) {
			print_json(json_pack("{s:s}", "dir", r->backup->dir));
		} else {
			printf(
			    _("Restored into %s: start a node on it (ow-node "
			      "run); it takes back its later changes from its "
			      "peers first.\n"),
			    r->backup->dir);
		}
		ow__response__free_unpacked(r, NULL);
		return 0;
	}
	arr = json_array();
	for (size_t i = 0; i < r->backup->n_backups; i++) {
		const Ow__BackupInfo *bi = r->backup->backups[i];
		char when[32];
		time_t t = (time_t)bi->timestamp;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (x->json) {
			json_array_append_new(arr,
			    json_pack("{s:i, s:s, s:I, s:i}", "id", (int)bi->id,
			        "time", when, "bytes", (json_int_t)bi->size,
			        "files", (int)bi->files));
		} else {
			printf("%6u  %s  %12llu %s  %u %s\n", bi->id, when,
			    (unsigned long long)bi->size, _("bytes"), bi->files,
			    _("files"));
		}
	}
	if (x->json) {
		print_json(json_pack(
		    "{s:s, s:o}", "dir", r->backup->dir, "backups", arr));
	} else {
		if (r->backup->n_backups == 0) {
			printf(_("No backups in %s\n"), r->backup->dir);
		}
		json_decref(arr);
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

/* ---- report, dashboard -------------------------------------------------- */

/* A share in per cent, -1 when there is nothing to share. */
static double
pct(uint32_t part, uint32_t whole)
{
	return whole == 0 ? -1.0 : 100.0 * part / whole;
}

static double
avg(uint64_t sum, uint32_t n)
{
	return n == 0 ? -1.0 : (double)sum / n;
}

static json_t *
report_row_json(const Ow__ReportRow *r)
{
	json_t *o = json_pack(
	    "{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
	    "s:i, s:i, s:I, s:I}",
	    "key", r->key, "taken_in", (int)r->taken_in, "completed",
	    (int)r->completed, "on_time_promised", (int)r->on_time_promised,
	    "on_time_legal", (int)r->on_time_legal, "working_days",
	    (int)r->working_days, "refused", (int)r->refused, "gaps",
	    (int)r->gaps, "gaps_filled", (int)r->gaps_filled, "ratings",
	    (int)r->ratings, "ratings_bad", (int)r->ratings_bad, "rating_sum",
	    (int)r->rating_sum, "tickets", (int)r->tickets, "tickets_called",
	    (int)r->tickets_called, "wait_seconds", (json_int_t)r->wait_seconds,
	    "wait_max", (json_int_t)r->wait_max);
	const struct {
		const char *key;
		double v;
	} derived[] = {
	    {"on_time_promised_pct", pct(r->on_time_promised, r->completed)},
	    {"on_time_legal_pct", pct(r->on_time_legal, r->completed)},
	    {"avg_working_days", avg(r->working_days, r->completed)},
	    {"avg_rating", avg(r->rating_sum, r->ratings)},
	    {"bad_rating_pct", pct(r->ratings_bad, r->ratings)},
	    {"avg_wait_seconds", avg(r->wait_seconds, r->tickets_called)},
	};

	/* The derived figures, null when there is nothing to divide. */
	for (size_t i = 0;
	     o != NULL && i < sizeof(derived) / sizeof(derived[0]); i++) {
		json_object_set_new(o, derived[i].key,
		    derived[i].v < 0 ? json_null() : json_real(derived[i].v));
	}
	return o;
}

/* A figure for CSV and the table: "" / "-" when there is none. */
static const char *
fig(double v, const char *none, char *buf, size_t size)
{
	if (v < 0) {
		return none;
	}
	snprintf(buf, size, "%.1f", v);
	return buf;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"') {
			putchar('"');
		}
		putchar(*s);
	}
	putchar('"');
}

static void
report_row_csv(const Ow__ReportRow *r, const char *key)
{
	char b[6][32];

	csv_field(key);
	printf(",%u,%u,%u,%u,%s,%s,%s,%u,%u,%u,%u,%s,%u,%s,%u,%u,%s,%llu\n",
	    r->taken_in, r->completed, r->on_time_promised, r->on_time_legal,
	    fig(pct(r->on_time_promised, r->completed), "", b[0], 32),
	    fig(pct(r->on_time_legal, r->completed), "", b[1], 32),
	    fig(avg(r->working_days, r->completed), "", b[2], 32), r->refused,
	    r->gaps, r->gaps_filled, r->ratings,
	    fig(avg(r->rating_sum, r->ratings), "", b[3], 32), r->ratings_bad,
	    fig(pct(r->ratings_bad, r->ratings), "", b[4], 32), r->tickets,
	    r->tickets_called,
	    fig(avg(r->wait_seconds, r->tickets_called), "", b[5], 32),
	    (unsigned long long)r->wait_max);
}

static void
report_row_text(const Ow__ReportRow *r, const char *key)
{
	char b[6][32];

	printf("%-16s %5u %5u %6s %6s %5s %5u %4u/%-4u %5u %4s %4u %5s "
	       "%5u/%-5u %6s %6llu\n",
	    key, r->taken_in, r->completed,
	    fig(pct(r->on_time_promised, r->completed), "-", b[0], 32),
	    fig(pct(r->on_time_legal, r->completed), "-", b[1], 32),
	    fig(avg(r->working_days, r->completed), "-", b[2], 32), r->refused,
	    r->gaps_filled, r->gaps, r->ratings,
	    fig(avg(r->rating_sum, r->ratings), "-", b[3], 32), r->ratings_bad,
	    fig(pct(r->ratings_bad, r->ratings), "-", b[4], 32),
	    r->tickets_called, r->tickets,
	    fig(avg(r->wait_seconds, r->tickets_called), "-", b[5], 32),
	    (unsigned long long)r->wait_max);
}

static int
cmd_report(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__ReportReq b = OW__REPORT_REQ__INIT;
	Ow__Response *r = NULL;
	const Ow__ReportResp *rr;
	int rc;

	(void)argv;
	if (argc != 0 || x->from == NULL || x->to == NULL) {
		fprintf(stderr,
		    _("ow-ctl: report --from YYYY-MM-DD --to YYYY-MM-DD "
		      "[--by hall|clerk|matter] [--hall CODE] [--csv|--json]\n"));
		return EXIT_USAGE;
	}
	if (x->csv && x->json) {
		fprintf(stderr, _("ow-ctl: --csv or --json, not both\n"));
		return EXIT_USAGE;
	}
	b.from = (char *)(uintptr_t)x->from;
	b.to = (char *)(uintptr_t)x->to;
	b.by = (char *)(uintptr_t)(x->by != NULL ? x->by : "hall");
	b.hall = (char *)(uintptr_t)(x->hall != NULL ? x->hall : "");
	req.body_case = OW__REQUEST__BODY_REPORT;
	req.report = &b;
	if ((rc = call(x, &req, &r)) != 0) {
		return rc;
	}
	rr = r->report;
	if (x->json) {
		json_t *rows = json_array();

		for (size_t i = 0; i < rr->n_rows; i++) {
			json_array_append_new(
			    rows, report_row_json(rr->rows[i]));
		}
		print_json(json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I}",
		    "from", b.from, "to", b.to, "by", b.by, "hall", b.hall,
		    "rows", rows, "total",
		    rr->total != NULL ? report_row_json(rr->total)
		                      : json_null(),
		    "cases_read", (json_int_t)rr->cases_read));
	} else if (x->csv) {
		/* Column names stay English and fixed: spreadsheets and
		 * scripts read them. */
		printf("%s,taken_in,completed,on_time_promised,on_time_legal,"
		       "on_time_promised_pct,on_time_legal_pct,"
		       "avg_working_days,refused,gaps,gaps_filled,ratings,"
		       "avg_rating,ratings_bad,bad_rating_pct,tickets,"
		       "tickets_called,avg_wait_seconds,wait_max\n",
		    b.by);
		for (size_t i = 0; i < rr->n_rows; i++) {
			report_row_csv(rr->rows[i], rr->rows[i]->key);
		}
		if (rr->total != NULL) {
			report_row_csv(rr->total, "TOTAL");
		}
	} else {
		printf(_("Report %s to %s, by %s%s%s\n"), b.from, b.to, b.by,
		    b.hall[0] != '\0' ? _(", hall ") : "", b.hall);
		printf("%-16s %5s %5s %6s %6s %5s %5s %9s %5s %4s %4s %5s "
		       "%11s %6s %6s\n",
		    b.by, _("in"), _("done"), _("ontime%"), _("legal%"),
		    _("days"), _("refus"), _("gaps"), _("rated"), _("avg"),
		    _("bad"), _("bad%"), _("tickets"), _("wait"), _("max"));
		for (size_t i = 0; i < rr->n_rows; i++) {
			report_row_text(rr->rows[i], rr->rows[i]->key[0] != '\0'
			                                 ? rr->rows[i]->key
			                                 : "-");
		}
		if (rr->total != NULL) {
			report_row_text(rr->total, _("total"));
		}
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

static int
cmd_dashboard(struct ctl *x, int argc, char **argv)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__DashboardReq b = OW__DASHBOARD_REQ__INIT;
	Ow__Response *r = NULL;
	const Ow__DashboardResp *d;
	char day[16];
	int rc;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, _("ow-ctl: dashboard [--hall CODE]\n"));
		return EXIT_USAGE;
	}
	b.hall = (char *)(uintptr_t)(x->hall != NULL ? x->hall : "");
	req.body_case = OW__REQUEST__BODY_DASHBOARD;
	req.dashboard = &b;
	if ((rc = call(x, &req, &r)) != 0) {
		return rc;
	}
	d = r->dashboard;
	if (x->json) {
		json_t *states = json_object(), *clerks = json_array();

		for (size_t i = 0; i < d->n_states; i++) {
			json_object_set_new(states,
			    node_state_name(
			        (enum node_state)d->states[i]->state),
			    json_integer(d->states[i]->count));
		}
		for (size_t i = 0; i < d->n_clerks; i++) {
			json_array_append_new(
			    clerks, json_pack("{s:s, s:i, s:i, s:i}", "user",
			                d->clerks[i]->user, "open",
			                (int)d->clerks[i]->open, "done_today",
			                (int)d->clerks[i]->done_today, "red",
			                (int)d->clerks[i]->red));
		}
		print_json(json_pack(
		    "{s:s, s:s, s:o, s:o, s:i, s:o, s:i, s:i, s:i, s:o, s:i, "
		    "s:i}",
		    "hall", d->hall, "today", day_str(d->today, day), "waiting",
		    d->queue_known ? json_integer(d->waiting) : json_null(),
		    "longest_wait_s",
		    d->queue_known ? json_integer(d->longest_wait_s)
		                   : json_null(),
		    "open", (int)d->open, "states", states, "yellow",
		    (int)d->yellow, "red", (int)d->red, "overdue",
		    (int)d->overdue, "clerks", clerks, "conflicts",
		    (int)d->conflicts, "bad_ratings", (int)d->bad_ratings));
	} else {
		printf(_("Hall %s, %s\n"), d->hall, day_str(d->today, day));
		if (d->queue_known) {
			printf(_("Tickets waiting: %u (longest %lld s)\n"),
			    d->waiting, (long long)d->longest_wait_s);
		} else {
			printf(_(
			    "Tickets waiting: (the hall's own node knows)\n"));
		}
		printf(_("Open cases: %u\n"), d->open);
		for (size_t i = 0; i < d->n_states; i++) {
			printf("  %-14s %5u\n",
			    node_state_name(
			        (enum node_state)d->states[i]->state),
			    d->states[i]->count);
		}
		printf(_("Yellow %u, red %u, overdue %u\n"), d->yellow, d->red,
		    d->overdue);
		printf(_("Conflicts waiting: %u\n"), d->conflicts);
		printf(_("Bad ratings waiting for their follow-up: %u\n"),
		    d->bad_ratings);
		printf("%-16s %6s %6s %6s\n", _("clerk"), _("open"), _("red"),
		    _("today"));
		for (size_t i = 0; i < d->n_clerks; i++) {
			printf("%-16s %6u %6u %6u\n", d->clerks[i]->user,
			    d->clerks[i]->open, d->clerks[i]->red,
			    d->clerks[i]->done_today);
		}
	}
	ow__response__free_unpacked(r, NULL);
	return 0;
}

/* ---- main --------------------------------------------------------------- */

enum {
	O_JSON = 256,
	O_CERT,
	O_KEY,
	O_CA,
	O_MATTER,
	O_APP_ID,
	O_APP_NAME,
	O_APP_MOBILE,
	O_FIELD,
	O_MATERIALS,
	O_REASON,
	O_REFUSE,
	O_HALL,
	O_ASSIGNEE,
	O_HANDOVER,
	O_WINDOW,
	O_CATEGORY,
	O_PRIORITY,
	O_BY,
	O_VALUE,
	O_LIMIT,
	O_AFTER,
	O_ROLE,
	O_DISPLAY,
	O_OVERRIDE,
	O_NOGAPS,
	O_ENTERPRISE,
	O_CASE,
	O_VERSION,
	O_DAYS,
	O_COMMENT,
	O_TRACKING,
	O_DIR,
	O_POST,
	O_FROM,
	O_TO,
	O_CSV,
	O_LEVEL,
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"datadir", required_argument, NULL, 'd'},
	    {"node", required_argument, NULL, 'n'},
	    {"user", required_argument, NULL, 'u'},
	    {"json", no_argument, NULL, O_JSON},
	    {"cert", required_argument, NULL, O_CERT},
	    {"key", required_argument, NULL, O_KEY},
	    {"ca", required_argument, NULL, O_CA},
	    {"matter", required_argument, NULL, O_MATTER},
	    {"applicant-id", required_argument, NULL, O_APP_ID},
	    {"applicant-name", required_argument, NULL, O_APP_NAME},
	    {"applicant-mobile", required_argument, NULL, O_APP_MOBILE},
	    {"enterprise", no_argument, NULL, O_ENTERPRISE},
	    {"field", required_argument, NULL, O_FIELD},
	    {"materials", required_argument, NULL, O_MATERIALS},
	    {"reason", required_argument, NULL, O_REASON},
	    {"refuse", required_argument, NULL, O_REFUSE},
	    {"hall", required_argument, NULL, O_HALL},
	    {"assignee", required_argument, NULL, O_ASSIGNEE},
	    {"handover", required_argument, NULL, O_HANDOVER},
	    {"window", required_argument, NULL, O_WINDOW},
	    {"category", required_argument, NULL, O_CATEGORY},
	    {"priority", no_argument, NULL, O_PRIORITY},
	    {"by", required_argument, NULL, O_BY},
	    {"value", required_argument, NULL, O_VALUE},
	    {"case", required_argument, NULL, O_CASE},
	    {"limit", required_argument, NULL, O_LIMIT},
	    {"after", required_argument, NULL, O_AFTER},
	    {"role", required_argument, NULL, O_ROLE},
	    {"display", required_argument, NULL, O_DISPLAY},
	    {"override-warnings", no_argument, NULL, O_OVERRIDE},
	    {"no-gaps", no_argument, NULL, O_NOGAPS},
	    {"days", required_argument, NULL, O_DAYS},
	    {"comment", required_argument, NULL, O_COMMENT},
	    {"tracking", required_argument, NULL, O_TRACKING},
	    {"post", no_argument, NULL, O_POST},
	    {"dir", required_argument, NULL, O_DIR},
	    {"from", required_argument, NULL, O_FROM},
	    {"to", required_argument, NULL, O_TO},
	    {"csv", no_argument, NULL, O_CSV},
	    {"level", required_argument, NULL, O_LEVEL},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, O_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct ctl x;
	struct node_client_tls tls;
	char url[1100], pw[256];
	const char *env;
	const char *cmd;
	int c, rc;
	int bad;

	memset(&x, 0, sizeof(x));
	if (cm_i18n_init(OW_BUILD_LOCALE_DIR, OW_INSTALL_LOCALE_DIR) != 0) {
		fprintf(stderr,
		    "ow-ctl: the locale's character set is not UTF-8; set LANG or LC_ALL to a UTF-8 locale (e.g. C.UTF-8)\n");
		return EXIT_USAGE;
	}
	if ((bad = cm_utf8_bad_arg(argc, argv)) != 0) {
		fprintf(
		    stderr, _("ow-ctl: argument %d is not valid UTF-8\n"), bad);
		return EXIT_USAGE;
	}
	while ((c = getopt_long(argc, argv, "d:n:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			x.datadir = optarg;
			break;
		case 'n':
			x.url = optarg;
			break;
		case 'u':
			x.user = optarg;
			break;
		case O_JSON:
			x.json = true;
			break;
		case O_CERT:
			x.cert = optarg;
			break;
		case O_KEY:
			x.key = optarg;
			break;
		case O_CA:
			x.ca = optarg;
			break;
		case O_MATTER:
			x.matter = optarg;
			break;
		case O_APP_ID:
			x.applicant_id = optarg;
			break;
		case O_APP_NAME:
			x.applicant_name = optarg;
			break;
		case O_APP_MOBILE:
			x.applicant_mobile = optarg;
			break;
		case O_ENTERPRISE:
			x.enterprise = true;
			break;
		case O_FIELD:
			if (x.nkv == MAX_KV) {
				fprintf(stderr,
				    _("ow-ctl: too many --field options\n"));
				return EXIT_USAGE;
			}
			x.kvs[x.nkv++] = optarg;
			break;
		case O_MATERIALS:
			x.materials = optarg;
			break;
		case O_REASON:
			x.reason = optarg;
			break;
		case O_REFUSE:
			x.reason = optarg;
			break;
		case O_HALL:
			x.hall = optarg;
			break;
		case O_ASSIGNEE:
			x.assignee = optarg;
			break;
		case O_HANDOVER:
			x.handover = optarg;
			break;
		case O_WINDOW:
			x.window = optarg;
			break;
		case O_CATEGORY:
			x.category = optarg;
			break;
		case O_PRIORITY:
			x.priority = true;
			break;
		case O_BY:
			x.by = optarg;
			break;
		case O_VALUE:
			x.value = optarg;
			break;
		case O_CASE:
			x.value = optarg;
			break;
		case O_LIMIT: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' ||
			    *end != '\0' || errno != 0 || v == 0 ||
			    v > UINT32_MAX) {
				fprintf(stderr,
				    _("ow-ctl: --limit wants a whole number from 1 up, not %s\n"),
				    optarg);
				return EXIT_USAGE;
			}
			x.limit = (uint32_t)v;
			break;
		}
		case O_AFTER:
			x.after = optarg;
			break;
		case O_ROLE:
			x.role = optarg;
			break;
		case O_DISPLAY:
			x.display = optarg;
			break;
		case O_OVERRIDE:
			x.override_warnings = true;
			break;
		case O_NOGAPS:
			x.ineligible = true;
			break;
		case O_DAYS:
			x.days = atoi(optarg);
			break;
		case O_COMMENT:
			x.comment = optarg;
			break;
		case O_TRACKING:
			x.tracking = optarg;
			break;
		case O_POST:
			x.post = true;
			break;
		case O_DIR:
			x.dir = optarg;
			break;
		case O_FROM:
			x.from = optarg;
			break;
		case O_TO:
			x.to = optarg;
			break;
		case O_CSV:
			x.csv = true;
			break;
		case O_LEVEL:
			x.level = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("ow-ctl (OneWindow) 0.1.0\n");
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	if (x.url != NULL) {
		snprintf(url, sizeof(url), "%s", x.url);
	} else if (x.datadir != NULL || getenv("OW_DATADIR") != NULL) {
		node_client_local_url(
		    x.datadir != NULL ? x.datadir : getenv("OW_DATADIR"), url,
		    sizeof(url));
	} else {
		fprintf(stderr,
		    _("ow-ctl: say which node: -d DATADIR or -n URL\n"));
		return EXIT_USAGE;
	}
	if (x.user == NULL) {
		x.user =
		    getenv("OW_USER") != NULL ? getenv("OW_USER") : "admin";
	}
	memset(&tls, 0, sizeof(tls));
	tls.cert = x.cert;
	tls.key = x.key;
	tls.ca = x.ca;
	rc = node_client_open(url, strncmp(url, "tls+", 4) == 0 ? &tls : NULL,
	    getenv("OW_TIMEOUT_MS") != NULL ? atoi(getenv("OW_TIMEOUT_MS"))
	                                    : 15000,
	    &x.c);
	if (rc != 0) {
		fprintf(stderr, _("ow-ctl: cannot reach the node at %s: %s\n"),
		    url, cm_strerror(rc));
		return EXIT_UNREACHABLE;
	}
	env = getenv("OW_PASSWORD");
	if (env != NULL) {
		snprintf(pw, sizeof(pw), "%s", env);
	} else if (cm_tty_secret(_("Password: "), pw, sizeof(pw)) != 0) {
		fprintf(stderr,
		    _("ow-ctl: no terminal to ask the password on; set OW_PASSWORD\n"));
		node_client_close(x.c);
		return EXIT_USAGE;
	}
	rc = node_client_login(x.c, x.user, pw, x.window, NULL);
	sodium_memzero(pw, sizeof(pw));
	if (rc != 0) {
		fprintf(stderr, _("ow-ctl: login as %s failed: %s\n"), x.user,
		    cm_strerror(rc));
		node_client_close(x.c);
		return rc == CM_ETIMEOUT || rc == CM_ECLOSED || rc == CM_ENOENT
		           ? EXIT_UNREACHABLE
		           : EXIT_REFUSED;
	}
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "status") == 0) {
		rc = cmd_status(&x);
	} else if (strcmp(cmd, "user") == 0) {
		rc = cmd_user(&x, argc, argv);
	} else if (strcmp(cmd, "catalog") == 0) {
		rc = cmd_catalog(&x, argc, argv);
	} else if (strcmp(cmd, "case") == 0) {
		rc = cmd_case(&x, argc, argv);
	} else if (strcmp(cmd, "queue") == 0) {
		rc = cmd_queue(&x, argc, argv);
	} else if (strcmp(cmd, "applicant") == 0) {
		rc = cmd_applicant(&x, argc, argv);
	} else if (strcmp(cmd, "audit") == 0) {
		rc = cmd_audit(&x, argc, argv);
	} else if (strcmp(cmd, "peer") == 0) {
		rc = cmd_peer(&x, argc, argv);
	} else if (strcmp(cmd, "conflicts") == 0) {
		rc = cmd_conflicts(&x, argc, argv);
	} else if (strcmp(cmd, "calendar") == 0) {
		rc = cmd_calendar(&x, argc, argv);
	} else if (strcmp(cmd, "backup") == 0) {
		rc = cmd_backup(&x, argc, argv);
	} else if (strcmp(cmd, "report") == 0) {
		rc = cmd_report(&x, argc, argv);
	} else if (strcmp(cmd, "dashboard") == 0) {
		rc = cmd_dashboard(&x, argc, argv);
	} else {
		fprintf(stderr,
		    _("ow-ctl: unknown command \"%s\"; see ow-ctl --help\n"),
		    cmd);
		rc = EXIT_USAGE;
	}
	{
		/* Leave no session behind. */
		Ow__Request req = OW__REQUEST__INIT;
		Ow__LogoutReq b = OW__LOGOUT_REQ__INIT;
		Ow__Response *r = NULL;

		req.body_case = OW__REQUEST__BODY_LOGOUT;
		req.logout = &b;
		if (node_client_call(x.c, &req, &r) == 0) {
			ow__response__free_unpacked(r, NULL);
		}
	}
	node_client_close(x.c);
	return rc;
}
