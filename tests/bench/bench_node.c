/*
 * bench_node.c: the node's benchmark (issue 3), through the whole path: the
 * client library over ipc, a real `ow-node run`, RocksDB synced writes.
 * bench_node.sh runs it and sets the figures beside Debian's db_bench.
 *
 *   bench_node OW_NODE creates
 *       durable case creates per second with 1, 4 and 16 concurrent
 *       clients (each its own connection and login), BENCH_SECONDS (5)
 *       each; then the average size of a created case record plus its
 *       signed op, the value size db_bench is given.
 *   bench_node OW_NODE scale
 *       BENCH_CASES (1,000,000) cases loaded by BENCH_LOAD_CLIENTS (16)
 *       clients; then CaseGet round trips (p50/p99, target p99 < 1 ms), a
 *       paged list (CaseSearch by state, limit 50, first page and a deep
 *       page through the cursors), the node's VmRSS (target < 256 MB),
 *       `audit verify` over the whole log, restarts (SIGTERM, then
 *       exec of `ow-node run` to the first successful status reply,
 *       target < 2 s), and CaseGet p99 again right after the last
 *       restart, while the node's warning sweep runs (target < 1 ms).
 *
 * Lines "RESULT key value" are for the script; "PASS"/"FAIL" lines are
 * the verdicts. Exit 1 when a target is missed, 2 when the run failed.
 * BENCH_DIR puts the data directory elsewhere than /tmp/owbench.XXXXXX
 * (keep the path short: an ipc path has ~100 bytes); BENCH_KEEP=1 keeps it.
 * BENCH_NODE_SET="KEY=VALUE ..." passes --set options to `ow-node run`.
 * BENCH_CLIENTS=N (1, 4 or 16) runs only that level of `creates`, e.g.
 * with a long BENCH_SECONDS to profile the node under a steady load.
 */
#include "common/error.h"
#include "node/cases.h"
#include "node/client.h"
#include "node/oplog.h"
#include "node/workflow.h"
#include "proc.h"
#include "testclient.h"
#include "timing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ADMIN_PW    "admin-pass-1"
#define USER_PW     "bench-pass-1"
#define MAX_CLIENTS 64
#define NSAMPLES    8 /* created cases kept per client for the sizes */

static const char *node_bin;
static char work[256], datadir[300], logpath[300], url[400];
static pid_t node_pid = -1;
static int targets_missed;

/* The q-quantile (0..1) of n values, sorted here. */
static void
verdict(
    const char *what, double value, const char *unit, double limit, bool below)
{
	bool ok = below ? value < limit : value >= limit;

	printf("  %-44s %10.2f %-4s target %s %g %-4s %s\n", what, value, unit,
	    below ? "<" : ">=", limit, unit, ok ? "PASS" : "FAIL");
	if (!ok) {
		targets_missed++;
	}
}

static void
die(const char *msg, int rc)
{
	fprintf(stderr, "bench_node: %s: %s\n", msg,
	    rc != 0 ? cm_err_name(rc) : "failed");
	if (node_pid > 0) {
		kill(node_pid, SIGKILL);
		waitpid(node_pid, NULL, 0);
	}
	fprintf(stderr, "bench_node: node log: %s\n", logpath);
	exit(2);
}

/* ---- the node process ----------------------------------------------------- */

static pid_t
spawn(char *const argv[])
{
	return ow_spawn((const char *const *)(uintptr_t)argv, NULL, logpath);
}

static void
node_init(void)
{
	char *argv[] = {(char *)(uintptr_t)node_bin, (char *)(uintptr_t) "init",
	    datadir, (char *)(uintptr_t) "--node-id",
	    (char *)(uintptr_t) "hall-ft", (char *)(uintptr_t) "--hall",
	    (char *)(uintptr_t) "福田大厅", (char *)(uintptr_t) "--hall-code",
	    (char *)(uintptr_t) "FT01", NULL};
	setenv("OW_ADMIN_PASSWORD", ADMIN_PW, 1);
	if (ow_wait_status(spawn(argv)) != 0) {
		die("ow-node init", 0);
	}
}

/* ow-node run DATADIR, with --set KEY=VALUE for each word of
 * BENCH_NODE_SET (e.g. "tick_seconds=3600"). */
static void
node_start(void)
{
	static char sets[512];
	char *argv[32];
	int argc = 0;
	const char *env = getenv("BENCH_NODE_SET");

	argv[argc++] = (char *)(uintptr_t)node_bin;
	argv[argc++] = (char *)(uintptr_t) "run";
	argv[argc++] = datadir;
	argv[argc++] = (char *)(uintptr_t) "--log-level";
	argv[argc++] = (char *)(uintptr_t) "warn";
	snprintf(sets, sizeof(sets), "%s", env != NULL ? env : "");
	for (char *tok = strtok(sets, " "); tok != NULL && argc < 30;
	     tok = strtok(NULL, " ")) {
		argv[argc++] = (char *)(uintptr_t) "--set";
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	node_pid = spawn(argv);
	if (node_pid < 0) {
		die("fork", 0);
	}
}

static int
status_call(struct node_client *c, Ow__Response **out)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__StatusReq b = OW__STATUS_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	req.body_case = OW__REQUEST__BODY_STATUS;
	req.status = &b;
	rc = node_client_call(c, &req, &resp);
	if (rc == 0) {
		rc = resp->status;
	}
	if (out != NULL && rc == 0) {
		*out = resp;
	} else if (resp != NULL) {
		ow__response__free_unpacked(resp, NULL);
	}
	return rc;
}

/*
 * Wait for the node after an exec at t0: *first_ms is when it first
 * answered anything, the return value when a login and a status request
 * succeeded (ms since t0).
 */
static double
node_ready(double t0, double *first_ms)
{
	double first = -1;

	for (;;) {
		struct node_client *c = NULL;
		int status;

		if (waitpid(node_pid, &status, WNOHANG) == node_pid) {
			node_pid = -1;
			die("the node exited while starting", 0);
		}
		if (node_client_open(url, NULL, 120000, &c) == 0) {
			/* Anything answers once the loop runs: a status
			 * without a session is refused, but answered. */
			if (first < 0 && status_call(c, NULL) != CM_ETIMEOUT) {
				first = ow_now_ms() - t0;
			}
			if (node_client_login(c, "admin", ADMIN_PW, "", NULL) ==
			        0 &&
			    status_call(c, NULL) == 0) {
				double ready = ow_now_ms() - t0;

				node_client_close(c);
				if (first_ms != NULL) {
					*first_ms = first;
				}
				return ready;
			}
			node_client_close(c);
		}
		if (ow_now_ms() - t0 > 600000) {
			die("the node did not answer within 600 s",
			    CM_ETIMEOUT);
		}
		ow_sleep_ms(1);
	}
}

/* SIGTERM and wait; returns the ms it took to exit. */
static double
node_stop(void)
{
	double t0 = ow_now_ms();
	int status = 0;

	if (node_pid <= 0) {
		return 0;
	}
	kill(node_pid, SIGTERM);
	waitpid(node_pid, &status, 0);
	node_pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_node: the node exited with status %d\n",
		    WIFEXITED(status) ? WEXITSTATUS(status)
		                      : 128 + WTERMSIG(status));
	}
	return ow_now_ms() - t0;
}

static long
node_rss_kb(const char *field)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)node_pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, field, strlen(field)) == 0) {
			kb = strtol(line + strlen(field) + 1, NULL, 10);
		}
	}
	fclose(f);
	return kb;
}

/* CPU time in clock ticks: the whole machine's busy time (every state but
 * idle and iowait, from /proc/stat) and the node's (utime + stime). What
 * a create costs the machine bounds how many a second it can do. */
struct cpu {
	unsigned long long machine, node;
};

static void
cpu_read(struct cpu *c)
{
	unsigned long long v[8] = {0}, ut = 0, st = 0;
	char path[64];
	FILE *f = fopen("/proc/stat", "r");

	c->machine = c->node = 0;
	if (f != NULL) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		        &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		        &v[7]) == 8) {
			/* user nice system idle iowait irq softirq steal */
			c->machine = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)node_pid);
	f = fopen(path, "r");
	if (f != NULL) {
		char buf[1024];
		char *p = fgets(buf, sizeof(buf), f) != NULL ? strrchr(buf, ')')
		                                             : NULL;

		/* After "pid (comm)": state is field 3, utime 14, stime 15. */
		if (p != NULL && sscanf(p + 2,
		                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
		                     "%*u %*u %llu %llu",
		                     &ut, &st) == 2) {
			c->node = ut + st;
		}
		fclose(f);
	}
}

/* Print the CPU a request took between a and b: the node's and the
 * machine's, in microseconds, and how busy the machine's cores were. */
static void
cpu_print(const struct cpu *a, const struct cpu *b, long requests,
    double seconds, const char *what)
{
	double tick_us = 1e6 / (double)sysconf(_SC_CLK_TCK);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (requests <= 0 || b->machine <= a->machine) {
		return;
	}
	printf("             CPU: node %.0f us a %s, whole machine %.0f us "
	       "a %s (its %ld cores %.0f%% busy)\n",
	    (double)(b->node - a->node) * tick_us / (double)requests, what,
	    (double)(b->machine - a->machine) * tick_us / (double)requests,
	    what, cores,
	    100.0 * (double)(b->machine - a->machine) * tick_us /
	        (seconds * 1e6 * (double)(cores > 0 ? cores : 1)));
}

static uint64_t
dir_bytes(const char *dir)
{
	char cmd[400], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "du -sb '%s' 2>/dev/null", dir);
	p = popen(cmd, "r");
	if (p == NULL) {
		return 0;
	}
	if (fgets(out, sizeof(out), p) == NULL) {
		out[0] = '\0';
	}
	pclose(p);
	return strtoull(out, NULL, 10);
}

static void
add_user(struct node_client *admin, const char *name, const char *role)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserAddReq b = OW__USER_ADD_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	b.name = (char *)(uintptr_t)name;
	b.role = (char *)(uintptr_t)role;
	b.password = (char *)(uintptr_t)USER_PW;
	req.body_case = OW__REQUEST__BODY_USER_ADD;
	req.user_add = &b;
	rc = node_client_call(admin, &req, &resp);
	if (rc == 0) {
		rc = resp->status;
		ow__response__free_unpacked(resp, NULL);
	}
	if (rc != 0 && rc != CM_EEXIST) {
		die("user add", rc);
	}
}

/* n clerks bench01.., and a supervisor for the report and dashboard. */
static void
add_users(int n)
{
	int rc;
	struct node_client *admin =
	    ow_connect_login(url, "admin", ADMIN_PW, 120000, &rc);

	if (admin == NULL) {
		die("admin login", rc);
	}
	for (int i = 1; i <= n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "bench%02d", i);
		add_user(admin, name, "clerk");
	}
	add_user(admin, "benchsup", "supervisor");
	node_client_close(admin);
}

static void
setup(void)
{
	const char *dir = getenv("BENCH_DIR");

	if (dir != NULL && dir[0] != '\0') {
		snprintf(work, sizeof(work), "%s", dir);
		if (mkdir(work, 0700) != 0 && errno != EEXIST) {
			die("mkdir BENCH_DIR", cm_err_from_errno(errno));
		}
	} else {
		snprintf(work, sizeof(work), "/tmp/owbench.XXXXXX");
		if (mkdtemp(work) == NULL) {
			die("mkdtemp", 0);
		}
	}
	snprintf(datadir, sizeof(datadir), "%s/node", work);
	snprintf(logpath, sizeof(logpath), "%s/node.log", work);
	node_client_local_url(datadir, url, sizeof(url));
	node_init();
	node_start();
	node_ready(ow_now_ms(), NULL);
	add_users(MAX_CLIENTS / 4);
}

static void
teardown(void)
{
	node_stop();
	if (getenv("BENCH_KEEP") == NULL) {
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		if (system(cmd) != 0) {
			fprintf(
			    stderr, "bench_node: could not remove %s\n", work);
		}
	} else {
		printf("data kept in %s\n", work);
	}
}

/* ---- creates -------------------------------------------------------------- */

/* One of three intakes, by i % 3: complete (accepted), 容缺 (accepted_gaps),
 * no materials (supplement). */
static int
create_case(struct node_client *c, uint64_t i, Ow__Response **resp)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseCreateReq b = OW__CASE_CREATE_REQ__INIT;
	Ow__Party app = OW__PARTY__INIT;
	Ow__KeyValue kv[16], *kvp[16];
	char *mats[4], idn[19], mobile[16];
	size_t nkv = 0, nm = 0;

#define KV(k, v)                                                               \
	do {                                                                   \
		ow__key_value__init(&kv[nkv]);                                 \
		kv[nkv].key = (char *)(uintptr_t)(k);                          \
		kv[nkv].value = (char *)(uintptr_t)(v);                        \
		kvp[nkv] = &kv[nkv];                                           \
		nkv++;                                                         \
	} while (0)

	snprintf(mobile, sizeof(mobile), "138%08u", (unsigned)(i % 100000000));
	if (i % 3 == 1) {
		app.kind = OW__APPLICANT_KIND__APPLICANT_ENTERPRISE;
		app.id_number = (char *)(uintptr_t) "91430111MA4L41YT1U";
		app.name = (char *)(uintptr_t) "深圳市福田美食有限公司";
		app.mobile = mobile;
		b.matter = (char *)(uintptr_t) "XK00013001";
		KV("org_name", "深圳市福田美食有限公司");
		KV("org_uscc", "91430111MA4L41YT1U");
		KV("org_legal_rep", "李四");
		KV("org_address", "深圳市福田区深南大道1001号");
		KV("business_kind", "catering");
		KV("business_items", "热食类食品制售");
		KV("premises_region", "440304");
		KV("premises_address", "深圳市福田区深南大道1001号");
		KV("premises_area", "120");
		KV("safety_manager", "王五");
		KV("safety_manager_mobile", mobile);
		KV("handled_by", "self");
		mats[nm++] = (char *)(uintptr_t) "application_form";
		mats[nm++] = (char *)(uintptr_t) "business_licence";
		mats[nm++] = (char *)(uintptr_t) "layout_docs";
	} else {
		ow_citizen_id(i, idn);
		app.kind = OW__APPLICANT_KIND__APPLICANT_PERSON;
		app.id_number = idn;
		app.name = (char *)(uintptr_t) "张三";
		app.mobile = mobile;
		b.matter = (char *)(uintptr_t) "GG00032001";
		KV("applicant_name", "张三");
		KV("applicant_id", idn);
		KV("applicant_mobile", mobile);
		KV("applicant_address", "深圳市福田区福华三路1号");
		KV("bank", "icbc");
		KV("is_minor", "no");
		if (i % 3 == 0) {
			mats[nm++] = (char *)(uintptr_t) "id_card";
		}
	}
#undef KV
	b.applicant = &app;
	b.fields = kvp;
	b.n_fields = nkv;
	b.materials = mats;
	b.n_materials = nm;
	req.body_case = OW__REQUEST__BODY_CASE_CREATE;
	req.case_create = &b;
	return node_client_call(c, &req, resp);
}

struct sample {
	uint8_t *bytes; /* packed Ow__Case as created */
	size_t len;
	char user[16];
	char request_id[48];
};

struct client {
	pthread_t th;
	int index;
	struct node_client *c;
	char user[16];
	/* creates phase */
	double deadline;
	long done;
	double *lat;
	size_t nlat, clat;
	struct sample samples[NSAMPLES];
	int nsamples;
	int err;
};

static pthread_barrier_t go;

/* The node's group-commit counters (StatusResp): batches synced, the
 * replies that waited in them, and the time their writes and syncs took. */
struct syncs {
	uint64_t syncs, replies, us;
};

static void
syncs_read(struct node_client *c, struct syncs *out)
{
	Ow__Response *resp = NULL;
	int rc = status_call(c, &resp);

	if (rc != 0) {
		die("status", rc);
	}
	out->syncs = resp->status_resp->syncs;
	out->replies = resp->status_resp->synced_replies;
	out->us = resp->status_resp->sync_us;
	ow__response__free_unpacked(resp, NULL);
}

static atomic_ullong next_case; /* applicant numbers, unique per run */

/* scale phase */
static atomic_long load_left;
static char (*ids)[NODE_CASE_ID_MAX];
static atomic_long nids;

static void
lat_add(struct client *cl, double ms)
{
	if (cl->nlat == cl->clat) {
		size_t ncap = cl->clat == 0 ? 4096 : cl->clat * 2;
		double *nl = realloc(cl->lat, ncap * sizeof(*nl));

		if (nl == NULL) {
			return;
		}
		cl->lat = nl;
		cl->clat = ncap;
	}
	cl->lat[cl->nlat++] = ms;
}

static bool
record_create(struct client *cl, Ow__Response *resp, bool keep_id)
{
	const Ow__Case *cs;

	if (resp->status != 0 ||
	    resp->body_case != OW__RESPONSE__BODY_CASE_CREATE ||
	    resp->case_create->case_ == NULL) {
		cl->err = resp->status != 0 ? resp->status : CM_EPROTO;
		return false;
	}
	cs = resp->case_create->case_;
	if (cl->nsamples < NSAMPLES) {
		struct sample *s = &cl->samples[cl->nsamples];

		s->len = ow__case__get_packed_size(cs);
		s->bytes = malloc(s->len);
		if (s->bytes != NULL) {
			ow__case__pack(cs, s->bytes);
			snprintf(s->user, sizeof(s->user), "%s", cl->user);
			/* As long as the client library's ids are. */
			snprintf(s->request_id, sizeof(s->request_id),
			    "0123456789abcdef-%ld", cl->done + 1);
			cl->nsamples++;
		}
	}
	if (keep_id) {
		long k = atomic_fetch_add(&nids, 1);

		snprintf(ids[k], NODE_CASE_ID_MAX, "%s", cs->id);
	}
	return true;
}

static void *
create_loop(void *arg)
{
	struct client *cl = arg;

	pthread_barrier_wait(&go);
	while (ow_now_ms() < cl->deadline) {
		Ow__Response *resp = NULL;
		double t0 = ow_now_ms();
		int rc =
		    create_case(cl->c, atomic_fetch_add(&next_case, 1), &resp);

		if (rc != 0) {
			cl->err = rc;
			break;
		}
		if (!record_create(cl, resp, false)) {
			ow__response__free_unpacked(resp, NULL);
			break;
		}
		ow__response__free_unpacked(resp, NULL);
		if (ow_now_ms() <= cl->deadline) {
			cl->done++;
			lat_add(cl, ow_now_ms() - t0);
		}
	}
	return NULL;
}

/* The floor: the cheapest authenticated request (a lookup of a case that
 * does not exist: auth, one bloom-filtered read, no write), to show what
 * the transport and the loop cost on this machine by themselves. */
static void *
floor_loop(void *arg)
{
	struct client *cl = arg;

	pthread_barrier_wait(&go);
	while (ow_now_ms() < cl->deadline) {
		Ow__Request req = OW__REQUEST__INIT;
		Ow__CaseGetReq b = OW__CASE_GET_REQ__INIT;
		Ow__Response *resp = NULL;
		int rc;

		b.id = (char *)(uintptr_t) "FT01-20000101-0001";
		req.body_case = OW__REQUEST__BODY_CASE_GET;
		req.case_get = &b;
		rc = node_client_call(cl->c, &req, &resp);
		if (rc == 0 && resp->status != CM_ENOTFOUND) {
			rc = resp->status != 0 ? resp->status : CM_EINTERNAL;
		}
		if (resp != NULL) {
			ow__response__free_unpacked(resp, NULL);
		}
		if (rc != 0) {
			cl->err = rc;
			break;
		}
		if (ow_now_ms() <= cl->deadline) {
			cl->done++;
		}
	}
	return NULL;
}

static void *
load_loop(void *arg)
{
	struct client *cl = arg;

	pthread_barrier_wait(&go);
	while (atomic_fetch_sub(&load_left, 1) > 0) {
		Ow__Response *resp = NULL;
		int rc =
		    create_case(cl->c, atomic_fetch_add(&next_case, 1), &resp);

		if (rc != 0) {
			cl->err = rc;
			break;
		}
		if (!record_create(cl, resp, true)) {
			ow__response__free_unpacked(resp, NULL);
			break;
		}
		ow__response__free_unpacked(resp, NULL);
		cl->done++;
	}
	return NULL;
}

static void
clients_open(struct client *cl, int n)
{
	for (int i = 0; i < n; i++) {
		int rc;

		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].index = i;
		snprintf(cl[i].user, sizeof(cl[i].user), "bench%02d",
		    i % (MAX_CLIENTS / 4) + 1);
		cl[i].c =
		    ow_connect_login(url, cl[i].user, USER_PW, 120000, &rc);
		if (cl[i].c == NULL) {
			die("client login", rc);
		}
	}
}

static void
clients_close(struct client *cl, int n)
{
	for (int i = 0; i < n; i++) {
		node_client_close(cl[i].c);
		free(cl[i].lat);
	}
}

/* The sizes of what a create stores: the case record and its signed op,
 * rebuilt from created cases as writer.c builds the op. */
static double
record_bytes(struct client *cl, int n, double *case_avg, double *op_avg)
{
	struct node_keypair kp;
	uint8_t prev[NODE_HASH_BYTES] = {0};
	double case_sum = 0, op_sum = 0;
	int count = 0;

	if (node_keypair_generate(&kp) != 0) {
		return 0;
	}
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < cl[i].nsamples; k++) {
			struct sample *s = &cl[i].samples[k];
			Ow__Case *cs = ow__case__unpack(NULL, s->len, s->bytes);
			Ow__Op op = OW__OP__INIT;
			Ow__CaseCreate body = OW__CASE_CREATE__INIT;
			uint8_t *sealed = NULL;
			size_t slen = 0;
			unsigned char hash[NODE_HASH_BYTES];

			if (cs == NULL) {
				continue;
			}
			body.initial = cs;
			op.origin = (char *)(uintptr_t) "hall-ft";
			op.seq = 1000000 + (uint64_t)count;
			op.hlc = cs->created_hlc;
			op.actor = s->user;
			op.case_id = cs->id;
			op.kind = OW__OP_KIND__OP_CASE_CREATE;
			op.prev_hash.data = prev;
			op.prev_hash.len = sizeof(prev);
			op.request = s->request_id;
			op.body_case = OW__OP__BODY_CREATE;
			op.create = &body;
			if (node_op_seal(&op, &kp, &sealed, &slen, hash) == 0) {
				case_sum += (double)s->len;
				op_sum += (double)slen;
				count++;
				free(sealed);
			}
			ow__case__free_unpacked(cs, NULL);
			free(s->bytes);
			s->bytes = NULL;
		}
	}
	if (count == 0) {
		return 0;
	}
	*case_avg = case_sum / count;
	*op_avg = op_sum / count;
	return (case_sum + op_sum) / count;
}

static int
cmd_creates(void)
{
	long seconds = ow_env_long("BENCH_SECONDS", 5);
	int levels[] = {1, 4, 16};
	struct client *all[3] = {NULL, NULL, NULL};
	long created = 0;
	uint64_t before, after;
	double case_avg = 0, op_avg = 0, v;
	/* BENCH_CLIENTS=16 runs one level alone (for profiling the node
	 * under a steady load). */
	long only = ow_env_long("BENCH_CLIENTS", 0);

	setup();
	printf("Durable case creates through the client library over ipc "
	       "(%ld s each; each client its own connection and login)\n",
	    seconds);
	before = dir_bytes(datadir);
	for (int li = 0; li < 3; li++) {
		int n = levels[li];
		struct client *cl = calloc((size_t)n, sizeof(*cl));
		double t0, t1, *lat;
		size_t nlat = 0;
		long done = 0;
		struct syncs s0, s1;
		struct cpu c0, c1;

		if (cl == NULL) {
			die("memory", CM_ENOMEM);
		}
		all[li] = cl;
		if (only != 0 && only != n) {
			continue;
		}
		clients_open(cl, n);
		syncs_read(cl[0].c, &s0);
		pthread_barrier_init(&go, NULL, (unsigned)n + 1);
		for (int i = 0; i < n; i++) {
			cl[i].deadline = 0;
		}
		for (int i = 0; i < n; i++) {
			pthread_create(&cl[i].th, NULL, create_loop, &cl[i]);
		}
		t0 = ow_now_ms();
		for (int i = 0; i < n; i++) {
			cl[i].deadline = t0 + (double)seconds * 1000;
		}
		cpu_read(&c0);
		pthread_barrier_wait(&go);
		for (int i = 0; i < n; i++) {
			pthread_join(cl[i].th, NULL);
			if (cl[i].err != 0) {
				die("create", cl[i].err);
			}
			done += cl[i].done;
			nlat += cl[i].nlat;
		}
		cpu_read(&c1);
		t1 = ow_now_ms();
		pthread_barrier_destroy(&go);
		syncs_read(cl[0].c, &s1);
		lat = malloc((nlat + 1) * sizeof(*lat));
		nlat = 0;
		for (int i = 0; lat != NULL && i < n; i++) {
			memcpy(
			    lat + nlat, cl[i].lat, cl[i].nlat * sizeof(*lat));
			nlat += cl[i].nlat;
		}
		{
			double rate = (double)done / ((double)seconds);
			double p50 = ow_quantile(lat, nlat, 0.50);
			double p99 = ow_quantile(lat, nlat, 0.99);

			printf(
			    "  %2d client%s %9.0f creates/s   latency p50 %6.2f "
			    "ms  p99 %6.2f ms  (%ld in %.1f s)\n",
			    n, n == 1 ? " " : "s", rate, p50, p99, done,
			    (t1 - t0) / 1000);
			printf("RESULT creates_per_s_%d %.0f\n", n, rate);
		}
		if (s1.syncs > s0.syncs) {
			double k = (double)(s1.syncs - s0.syncs);

			printf("             group commit: %.0f syncs, %.1f "
			       "replies a sync, %.2f ms a write and sync\n",
			    k, (double)(s1.replies - s0.replies) / k,
			    (double)(s1.us - s0.us) / 1000.0 / k);
			printf("RESULT replies_per_sync_%d %.1f\n", n,
			    (double)(s1.replies - s0.replies) / k);
		}
		cpu_print(&c0, &c1, done, (t1 - t0) / 1000, "create");
		free(lat);
		created += done;
	}
	after = dir_bytes(datadir);
	if (only == 0) {
		struct client cl[16];
		long done = 0;
		double t0, t1;
		struct cpu c0, c1;

		clients_open(cl, 16);
		pthread_barrier_init(&go, NULL, 17);
		for (int i = 0; i < 16; i++) {
			cl[i].deadline = 0;
			pthread_create(&cl[i].th, NULL, floor_loop, &cl[i]);
		}
		t0 = ow_now_ms();
		for (int i = 0; i < 16; i++) {
			cl[i].deadline = t0 + (double)seconds * 1000;
		}
		cpu_read(&c0);
		pthread_barrier_wait(&go);
		for (int i = 0; i < 16; i++) {
			pthread_join(cl[i].th, NULL);
			if (cl[i].err != 0) {
				die("floor", cl[i].err);
			}
			done += cl[i].done;
		}
		cpu_read(&c1);
		t1 = ow_now_ms();
		pthread_barrier_destroy(&go);
		printf("  16 clients %9.0f lookups/s of a missing case (the "
		       "floor: auth and one read, no write)\n",
		    (double)done / (double)seconds);
		cpu_print(&c0, &c1, done, (t1 - t0) / 1000, "lookup");
		printf("RESULT floor_per_s_16 %.0f\n",
		    (double)done / (double)seconds);
		clients_close(cl, 16);
	}
	v = 0;
	for (int li = 0; li < 3; li++) {
		double c = 0, o = 0, x;

		if (only != 0 && only != levels[li]) {
			continue;
		}
		x = record_bytes(all[li], levels[li], &c, &o);

		if (x > v) {
			v = x;
			case_avg = c;
			op_avg = o;
		}
	}
	printf("A created case: record %.0f B + signed op %.0f B = %.0f B "
	       "(packed, averaged over samples of every intake kind)\n",
	    case_avg, op_avg, v);
	printf("Store growth: %.0f B per create (WAL and tables, before "
	       "compaction)\n",
	    created > 0 ? (double)(after - before) / (double)created : 0.0);
	printf("RESULT value_size %.0f\n", v);
	for (int li = 0; li < 3; li++) {
		if (only == 0 || only == levels[li]) {
			clients_close(all[li], levels[li]);
		}
		free(all[li]);
	}
	teardown();
	return 0;
}

/* ---- scale ---------------------------------------------------------------- */

static int
case_get(struct node_client *c, const char *id)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseGetReq b = OW__CASE_GET_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	b.id = (char *)(uintptr_t)id;
	req.body_case = OW__REQUEST__BODY_CASE_GET;
	req.case_get = &b;
	rc = node_client_call(c, &req, &resp);
	if (rc == 0) {
		rc = resp->status;
		if (rc == 0 &&
		    (resp->body_case != OW__RESPONSE__BODY_CASE_GET ||
		        resp->case_get->case_ == NULL ||
		        strcmp(resp->case_get->case_->id, id) != 0)) {
			rc = CM_EPROTO;
		}
		ow__response__free_unpacked(resp, NULL);
	}
	return rc;
}

/* CaseSearch; *next gets the cursor; returns the number of cases. */
static int
case_search(struct node_client *c, const char *by, const char *value,
    const char *after, char *next, size_t nsize, int *count)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseSearchReq b = OW__CASE_SEARCH_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	b.by = (char *)(uintptr_t)by;
	b.value = (char *)(uintptr_t)value;
	b.limit = 50;
	b.after = (char *)(uintptr_t)after;
	req.body_case = OW__REQUEST__BODY_CASE_SEARCH;
	req.case_search = &b;
	rc = node_client_call(c, &req, &resp);
	if (rc == 0) {
		rc = resp->status;
		if (rc == 0 &&
		    resp->body_case != OW__RESPONSE__BODY_CASE_SEARCH) {
			rc = CM_EPROTO;
		}
		if (rc == 0) {
			*count = (int)resp->case_search->n_cases;
			if (next != NULL) {
				snprintf(
				    next, nsize, "%s", resp->case_search->next);
			}
		}
		ow__response__free_unpacked(resp, NULL);
	}
	return rc;
}

struct audit_job {
	struct node_client *c;
	double ms;
	uint64_t ops;
	size_t problems;
	atomic_bool done;
	int rc;
};

/* A supervisor's report or dashboard on its own connection, timed. */
struct sup_job {
	struct node_client *c;
	Ow__Request *req;
	double ms;
	uint64_t cases_read;
	atomic_bool done;
	int rc;
};

static void *
sup_thread(void *arg)
{
	struct sup_job *j = arg;
	Ow__Response *resp = NULL;
	double t0 = ow_now_ms();

	j->rc = node_client_call(j->c, j->req, &resp);
	j->ms = ow_now_ms() - t0;
	if (j->rc == 0) {
		j->rc = resp->status;
		if (j->rc == 0 &&
		    resp->body_case == OW__RESPONSE__BODY_REPORT) {
			j->cases_read = resp->report->cases_read;
		}
		ow__response__free_unpacked(resp, NULL);
	}
	atomic_store(&j->done, true);
	return NULL;
}

/* Run j in a thread while a desk's status calls probe the loop; the
 * longest probe round trip. */
static double
sup_timed(struct node_client *probe, struct sup_job *j, int *probes)
{
	pthread_t th;
	double worst = 0;

	*probes = 0;
	atomic_store(&j->done, false);
	pthread_create(&th, NULL, sup_thread, j);
	ow_sleep_ms(5);
	while (!atomic_load(&j->done)) {
		double s = ow_now_ms();
		int rc = status_call(probe, NULL);

		if (rc != 0) {
			die("status during a supervisor's call", rc);
		}
		if (ow_now_ms() - s > worst) {
			worst = ow_now_ms() - s;
		}
		(*probes)++;
		ow_sleep_ms(10);
	}
	pthread_join(th, NULL);
	if (j->rc != 0) {
		die("report or dashboard", j->rc);
	}
	return worst;
}

static void *
audit_thread(void *arg)
{
	struct audit_job *j = arg;
	Ow__Request req = OW__REQUEST__INIT;
	Ow__AuditVerifyReq b = OW__AUDIT_VERIFY_REQ__INIT;
	Ow__Response *resp = NULL;
	double t0 = ow_now_ms();

	req.body_case = OW__REQUEST__BODY_AUDIT_VERIFY;
	req.audit_verify = &b;
	j->rc = node_client_call(j->c, &req, &resp);
	j->ms = ow_now_ms() - t0;
	if (j->rc == 0) {
		j->rc = resp->status;
		if (j->rc == 0 &&
		    resp->body_case == OW__RESPONSE__BODY_AUDIT_VERIFY) {
			j->ops = resp->audit_verify->ops;
			j->problems = resp->audit_verify->n_problems;
		}
		ow__response__free_unpacked(resp, NULL);
	}
	atomic_store(&j->done, true);
	return NULL;
}

static int
cmd_scale(void)
{
	long ncases = ow_env_long("BENCH_CASES", 1000000);
	int nload = (int)ow_env_long("BENCH_LOAD_CLIENTS", 16);
	long nlook = ow_env_long("BENCH_LOOKUPS", 2000);
	int reps = 200;
	struct client *cl;
	struct node_client *c;
	double t0, t1, *lat;
	long loaded = 0;
	uint64_t seed = (uint64_t)time(NULL);
	int rc;

	if (nload < 1 || nload > MAX_CLIENTS) {
		nload = 16;
	}
	ids = calloc((size_t)ncases + (size_t)nload, sizeof(*ids));
	cl = calloc((size_t)nload, sizeof(*cl));
	lat = calloc((size_t)(nlook > 3000 ? nlook : 3000), sizeof(*lat));
	if (ids == NULL || cl == NULL || lat == NULL) {
		die("memory", CM_ENOMEM);
	}
	setup();

	/* Load. */
	printf("Loading %ld cases with %d clients (each its own login)...\n",
	    ncases, nload);
	clients_open(cl, nload);
	atomic_store(&load_left, ncases);
	pthread_barrier_init(&go, NULL, (unsigned)nload + 1);
	for (int i = 0; i < nload; i++) {
		pthread_create(&cl[i].th, NULL, load_loop, &cl[i]);
	}
	t0 = ow_now_ms();
	pthread_barrier_wait(&go);
	{
		double last = t0;
		long step = ncases / 10 > 0 ? ncases / 10 : 1, shown = 0;

		while (atomic_load(&load_left) > 0) {
			long n = atomic_load(&nids);

			ow_sleep_ms(200);
			if (n / step > shown && ow_now_ms() - last > 2000) {
				shown = n / step;
				last = ow_now_ms();
				printf(
				    "  %8ld cases, %6.0f s, %6.0f/s, node VmRSS "
				    "%ld MB\n",
				    n, (last - t0) / 1000,
				    (double)n / ((last - t0) / 1000),
				    node_rss_kb("VmRSS:") / 1024);
				fflush(stdout);
			}
		}
	}
	for (int i = 0; i < nload; i++) {
		pthread_join(cl[i].th, NULL);
		if (cl[i].err != 0) {
			die("load create", cl[i].err);
		}
		loaded += cl[i].done;
	}
	t1 = ow_now_ms();
	pthread_barrier_destroy(&go);
	clients_close(cl, nload);
	printf("Loaded %ld cases in %.1f s: %.0f creates/s\n", loaded,
	    (t1 - t0) / 1000, (double)loaded / ((t1 - t0) / 1000));
	printf("RESULT load_per_s %.0f\n", (double)loaded / ((t1 - t0) / 1000));
	printf("Store: %.0f MB for %ld cases\n",
	    (double)dir_bytes(datadir) / 1048576.0, loaded);

	c = ow_connect_login(url, "bench01", USER_PW, 120000, &rc);
	if (c == NULL) {
		die("login", rc);
	}
	printf("Figures at %ld cases:\n", loaded);

	/* Exact lookups: CaseGet round trips, one client, random ids. */
	for (long i = 0; i < nlook; i++) {
		uint64_t r = seed + (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		const char *id;
		double s;

		r ^= r >> 29;
		r *= 0xbf58476d1ce4e5b9ULL;
		id = ids[(r >> 7) % (uint64_t)loaded];
		s = ow_now_ms();
		rc = case_get(c, id);
		lat[i] = ow_now_ms() - s;
		if (rc != 0) {
			die("case get", rc);
		}
	}
	{
		double p50 = ow_quantile(lat, (size_t)nlook, 0.50);
		double p99 = ow_quantile(lat, (size_t)nlook, 0.99);

		printf(
		    "  CaseGet by id (%ld round trips): p50 %.3f ms, max %.3f "
		    "ms\n",
		    nlook, p50, lat[nlook - 1]);
		verdict("CaseGet p99", p99, "ms", 1.0, true);
		printf("RESULT get_p50_ms %.3f\nRESULT get_p99_ms %.3f\n", p50,
		    p99);
	}
	/* The same lookup as a search by id: no read-audit record, so no
	 * wait for a synced batch. Shown for comparison. */
	for (long i = 0; i < nlook; i++) {
		const char *id = ids[((uint64_t)i * 7919u) % (uint64_t)loaded];
		int n = 0;
		double s = ow_now_ms();

		rc = case_search(c, "id", id, "", NULL, 0, &n);
		lat[i] = ow_now_ms() - s;
		if (rc != 0 || n != 1) {
			die("search by id", rc != 0 ? rc : CM_ENOTFOUND);
		}
	}
	printf("  CaseSearch by id (no read-audit; for comparison): p50 %.3f "
	       "ms, p99 %.3f ms\n",
	    ow_quantile(lat, (size_t)nlook, 0.50),
	    ow_quantile(lat, (size_t)nlook, 0.99));

	/* Paged list by state: the first page, then a deep one. */
	{
		char cursor[1200] = "", next[1200];
		long pages = 0, listed = 0, want;
		int n = 0;

		for (int i = 0; i < reps; i++) {
			double s = ow_now_ms();

			rc = case_search(
			    c, "state", "accepted", "", NULL, 0, &n);
			lat[i] = ow_now_ms() - s;
			if (rc != 0) {
				die("search by state", rc);
			}
		}
		printf("  CaseSearch state=accepted limit 50, first page: p50 "
		       "%.3f ms, p99 %.3f ms (%d cases)\n",
		    ow_quantile(lat, (size_t)reps, 0.50),
		    ow_quantile(lat, (size_t)reps, 0.99), n);
		/* About a third of the cases are accepted: walk to the middle
		 * of that list through the cursors. */
		want = loaded / 3 / 50 / 2;
		if (want < 1) {
			want = 1;
		}
		t0 = ow_now_ms();
		while (pages < want) {
			rc = case_search(c, "state", "accepted", cursor, next,
			    sizeof(next), &n);
			if (rc != 0) {
				die("search by state (walk)", rc);
			}
			pages++;
			listed += n;
			if (next[0] == '\0') {
				break;
			}
			snprintf(cursor, sizeof(cursor), "%s", next);
		}
		t1 = ow_now_ms();
		printf(
		    "  walked %ld pages (%ld cases) through the cursors: %.3f "
		    "ms a page\n",
		    pages, listed, (t1 - t0) / (double)pages);
		for (int i = 0; i < reps; i++) {
			double s = ow_now_ms();

			rc = case_search(
			    c, "state", "accepted", cursor, NULL, 0, &n);
			lat[i] = ow_now_ms() - s;
			if (rc != 0) {
				die("search by state (deep)", rc);
			}
		}
		printf(
		    "  CaseSearch state=accepted limit 50, page %ld: p50 %.3f "
		    "ms, p99 %.3f ms (%d cases)\n",
		    pages + 1, ow_quantile(lat, (size_t)reps, 0.50),
		    ow_quantile(lat, (size_t)reps, 0.99), n);
		printf("RESULT list_first_p99_ms %.3f\n",
		    ow_quantile(lat, (size_t)reps, 0.99));
	}

	/* Memory. */
	{
		long rss = node_rss_kb("VmRSS:"), hwm = node_rss_kb("VmHWM:");

		printf("  node VmHWM (peak) %.0f MB\n", (double)hwm / 1024);
		verdict("node VmRSS", (double)rss / 1024, "MB", 256, true);
		printf("RESULT rss_mb %.0f\nRESULT hwm_mb %.0f\n",
		    (double)rss / 1024, (double)hwm / 1024);
	}

	/* audit verify over the whole log, and what a desk sees meanwhile. */
	if (ow_env_long("BENCH_AUDIT", 1) != 0) {
		struct audit_job j;
		pthread_t th;
		double worst = 0;
		int probes = 0;

		memset(&j, 0, sizeof(j));
		j.c = ow_connect_login(url, "admin", ADMIN_PW, 120000, &rc);
		if (j.c == NULL) {
			die("admin login", rc);
		}
		pthread_create(&th, NULL, audit_thread, &j);
		ow_sleep_ms(20);
		while (!atomic_load(&j.done)) {
			double s = ow_now_ms();

			rc = status_call(c, NULL);
			if (rc != 0) {
				die("status during audit", rc);
			}
			if (ow_now_ms() - s > worst) {
				worst = ow_now_ms() - s;
			}
			probes++;
			ow_sleep_ms(10);
		}
		pthread_join(th, NULL);
		node_client_close(j.c);
		if (j.rc != 0) {
			die("audit verify", j.rc);
		}
		printf(
		    "  audit verify: %" PRIu64 " ops, %zu problems, %.1f s; "
		    "longest status round trip meanwhile %.0f ms (%d probes)\n",
		    j.ops, j.problems, j.ms / 1000, worst, probes);
		printf("RESULT audit_s %.1f\nRESULT audit_stall_ms %.0f\n",
		    j.ms / 1000, worst);
	}
	/* A supervisor's month report (every case read) and the dashboard
	 * (every open case of the hall), and what a desk sees meanwhile. */
	{
		struct sup_job j;
		Ow__Request req = OW__REQUEST__INIT;
		Ow__ReportReq rb = OW__REPORT_REQ__INIT;
		Ow__DashboardReq db = OW__DASHBOARD_REQ__INIT;
		char from[16], to[16];
		time_t now = time(NULL), then = now - 30 * 86400;
		struct tm tm;
		double stall;
		int probes;

		localtime_r(&now, &tm);
		strftime(to, sizeof(to), "%Y-%m-%d", &tm);
		localtime_r(&then, &tm);
		strftime(from, sizeof(from), "%Y-%m-%d", &tm);
		memset(&j, 0, sizeof(j));
		j.c = ow_connect_login(url, "benchsup", USER_PW, 600000, &rc);
		if (j.c == NULL) {
			die("supervisor login", rc);
		}
		rb.from = from;
		rb.to = to;
		rb.by = (char *)(uintptr_t) "clerk";
		req.body_case = OW__REQUEST__BODY_REPORT;
		req.report = &rb;
		j.req = &req;
		stall = sup_timed(c, &j, &probes);
		printf("  report of the last 30 days by clerk: %" PRIu64
		       " cases read, %.1f s; longest status round trip "
		       "meanwhile %.0f ms (%d probes)\n",
		    j.cases_read, j.ms / 1000, stall, probes);
		printf("RESULT report_s %.2f\nRESULT report_stall_ms %.0f\n",
		    j.ms / 1000, stall);
		req.body_case = OW__REQUEST__BODY_DASHBOARD;
		req.dashboard = &db;
		stall = sup_timed(c, &j, &probes);
		printf("  dashboard of the hall: %.1f s; longest status round "
		       "trip meanwhile %.0f ms (%d probes)\n",
		    j.ms / 1000, stall, probes);
		printf("RESULT dashboard_s %.2f\nRESULT dashboard_stall_ms "
		       "%.0f\n",
		    j.ms / 1000, stall);
		node_client_close(j.c);
	}
	node_client_close(c);

	/* Restarts. */
	{
		int nrestart = (int)ow_env_long("BENCH_RESTARTS", 3);
		double worst = 0;

		for (int i = 0; i < nrestart; i++) {
			double stop_ms = node_stop(), first = 0, ready;

			t0 = ow_now_ms();
			node_start();
			ready = node_ready(t0, &first);
			printf(
			    "  restart %d: stop took %.0f ms; from exec: first "
			    "answer %.0f ms, status as admin %.0f ms (RSS %ld "
			    "MB)\n",
			    i + 1, stop_ms, first, ready,
			    node_rss_kb("VmRSS:") / 1024);
			if (ready > worst) {
				worst = ready;
			}
		}
		verdict("restart to first status reply (worst)", worst / 1000,
		    "s", 2, true);
		printf("RESULT restart_s %.3f\n", worst / 1000);
	}

	/* Lookups again right after the (last) restart: the node's
	 * deadline-warning sweep of every running case runs on the loop
	 * then, and must not hold requests up. */
	if (ow_env_long("BENCH_RESTARTS", 3) > 0) {
		c = ow_connect_login(url, "bench01", USER_PW, 120000, &rc);
		if (c == NULL) {
			die("login after restart", rc);
		}
		for (long i = 0; i < nlook; i++) {
			uint64_t r = (seed ^ 0x5bd1e995u) +
			             (uint64_t)i * 0x9e3779b97f4a7c15ULL;
			double s;

			r ^= r >> 29;
			r *= 0xbf58476d1ce4e5b9ULL;
			s = ow_now_ms();
			rc = case_get(c, ids[(r >> 7) % (uint64_t)loaded]);
			lat[i] = ow_now_ms() - s;
			if (rc != 0) {
				die("case get after restart", rc);
			}
		}
		node_client_close(c);
		{
			double p50 = ow_quantile(lat, (size_t)nlook, 0.50);
			double p99 = ow_quantile(lat, (size_t)nlook, 0.99);

			printf("  CaseGet after the restart (warning sweep "
			       "running): p50 %.3f ms, max %.3f ms\n",
			    p50, lat[nlook - 1]);
			verdict("CaseGet p99 after a restart", p99, "ms", 1.0,
			    true);
			printf("RESULT restart_get_p99_ms %.3f\n", p99);
		}
	}
	teardown();
	free(ids);
	free(cl);
	free(lat);
	return targets_missed > 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc != 3) {
		fprintf(stderr, "usage: bench_node OW_NODE creates|scale\n");
		return 2;
	}
	node_bin = argv[1];
	if (strcmp(argv[2], "creates") == 0) {
		return cmd_creates();
	}
	if (strcmp(argv[2], "scale") == 0) {
		return cmd_scale();
	}
	fprintf(stderr, "usage: bench_node OW_NODE creates|scale\n");
	return 2;
}
