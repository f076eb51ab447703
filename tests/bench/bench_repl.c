/*
 * bench_repl.c: the replication benchmark, between real `ow-node run`
 * halls on loopback over mutual TLS, as tests/repl/repl_test.sh starts
 * them. bench_repl.sh runs it and sets the catch-up rate beside PouchDB's
 * (tests/bench/pouchdb.sh).
 *
 *   bench_repl OW_NODE OW_CTL MAKE_CERTS OW_PROXY catchup
 *       Halls A and B. B reaches A's replication listener through an
 *       ow-proxy, which counts the bytes of B's pulls and A's batches.
 *       While they are not peered, A takes BENCH_OPS (100,000) case
 *       creates from 16 concurrent clerks (not timed; the rate is shown).
 *       Then A adds B as a peer, and the clock starts at B's `peer add`
 *       of A and stops when B's vector entry for A reaches A's own seq.
 *       Then the idle sync round (nothing new, repl_pull_ms 1000): the
 *       proxy's bytes over BENCH_IDLE_SECONDS (10) per pull. Then
 *       `ow-ctl peer verify` at B and the two status digests must agree.
 *   bench_repl OW_NODE OW_CTL MAKE_CERTS OW_PROXY lag
 *       Halls A, B and C, a full mesh, direct. One clerk at A creates
 *       cases at BENCH_RATE (100) a second for BENCH_SECONDS (10); the
 *       lag of a case at B or C is from the create's reply at A (durable
 *       there) to the first Event of kind "case" for it on that hall's
 *       events.sock (published once durable there). Target: p99 < 100
 *       ms over both halls; every case seen on both within
 *       BENCH_GRACE_SECONDS (10).
 *
 * Lines "RESULT key value" are for the script; "PASS"/"FAIL" lines are
 * the verdicts. Exit 1 when a target is missed, 2 when the run failed.
 * BENCH_DIR puts the halls elsewhere than /tmp/owrepl.XXXXXX (keep it
 * short: an ipc path has ~100 bytes); BENCH_KEEP=1 keeps it (with the
 * node logs, hall-X.log). BENCH_LOG_LEVEL (info) is the halls'
 * --log-level, BENCH_PULL_MS (1000) their repl_pull_ms. BENCH_POLL=status polls B's progress with StatusReq as
 * the clients do; the default polls PeerListReq, which carries the same
 * vector without the case digest StatusReq computes over every case on
 * each call (a full read of B's cases every 20 ms would slow the very
 * catch-up being timed). With BENCH_KEEP, WORK/catchup-trace.txt has
 * the proxy's counters through the catch-up (see struct tracer).
 */
#include "common/error.h"
#include "node/cases.h"
#include "node/client.h"
#include "proc.h"
#include "testclient.h"
#include "timing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ADMIN_PW    "admin-pass-1"
#define USER_PW     "bench-pass-1"
#define NCLIENTS    16
#define MAX_HALLS   3
#define POLL_MS     20
#define PULL_MS     1000
#define IDLE_SAMPLE 10 /* ms between proxy samples in the idle round */

struct hall {
	const char *name; /* node id */
	const char *code; /* hall code */
	char dir[300], log[300], url[400];
	int port; /* replication; hints on port + 1 */
	pid_t pid;
	char pk[2 * 32 + 8]; /* hex */
};

static const char *node_bin, *ctl_bin, *certs_bin, *proxy_bin;
static char work[256];
static struct hall halls[MAX_HALLS];
static int nhalls;
static pid_t proxy_pid = -1;
static int proxy_fd = -1, proxy_port;
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
check(const char *what, bool ok)
{
	printf("  %-70s %s\n", what, ok ? "PASS" : "FAIL");
	if (!ok) {
		targets_missed++;
	}
}

static void
stop_all(int sig)
{
	for (int i = 0; i < nhalls; i++) {
		if (halls[i].pid > 0) {
			kill(halls[i].pid, sig);
		}
	}
	if (proxy_pid > 0) {
		kill(proxy_pid, SIGTERM);
	}
	for (int i = 0; i < nhalls; i++) {
		if (halls[i].pid > 0) {
			waitpid(halls[i].pid, NULL, 0);
			halls[i].pid = -1;
		}
	}
	if (proxy_pid > 0) {
		waitpid(proxy_pid, NULL, 0);
		proxy_pid = -1;
	}
}

static void
die(const char *msg, int rc)
{
	fprintf(stderr, "bench_repl: %s: %s\n", msg,
	    rc != 0 ? cm_err_name(rc) : "failed");
	stop_all(SIGKILL);
	fprintf(stderr, "bench_repl: hall logs kept in %s\n", work);
	exit(2);
}

/* ---- halls ---------------------------------------------------------------- */

/* Whether 127.0.0.1:port can be bound now; with port 0, the port the
 * kernel picked (returned), or -1. */
static int
try_port(int port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), got = -1;

	if (fd < 0) {
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
		got = ntohs(sa.sin_port);
	}
	close(fd);
	return got;
}

/* Two free ports in a row (replication, hints), not used by a hall yet. */
static int
free_pair(void)
{
	for (int tries = 0; tries < 200; tries++) {
		int p = try_port(0);
		bool taken = p <= 0 || p >= 65535;

		for (int i = 0; i < nhalls && !taken; i++) {
			taken = halls[i].port != 0 &&
			        (p == halls[i].port || p == halls[i].port + 1 ||
			            p + 1 == halls[i].port);
		}
		if (!taken && try_port(p + 1) == p + 1) {
			return p;
		}
	}
	die("no free pair of ports", 0);
	return -1;
}

static void
run_tool(const char *const *argv, const char *const *env, const char *log)
{
	int st = ow_wait_status(ow_spawn(argv, env, log));

	if (st != 0) {
		fprintf(stderr, "bench_repl: %s exited with %d (log %s)\n",
		    argv[0], st, log);
		die(argv[0], 0);
	}
}

static void
setup_work(void)
{
	const char *dir = getenv("BENCH_DIR");

	if (dir != NULL && dir[0] != '\0') {
		snprintf(work, sizeof(work), "%s", dir);
		if (mkdir(work, 0700) != 0 && errno != EEXIST) {
			die("mkdir BENCH_DIR", cm_err_from_errno(errno));
		}
	} else {
		snprintf(work, sizeof(work), "/tmp/owrepl.XXXXXX");
		if (mkdtemp(work) == NULL) {
			die("mkdtemp", 0);
		}
	}
}

static void
teardown(void)
{
	stop_all(SIGTERM);
	if (getenv("BENCH_KEEP") == NULL) {
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		if (system(cmd) != 0) {
			fprintf(
			    stderr, "bench_repl: could not remove %s\n", work);
		}
	} else {
		printf("halls and logs kept in %s\n", work);
	}
}

/* The city CA and a certificate for each hall (scripts/make-certs). */
static void
make_certs(void)
{
	char dir[300], log[300];
	const char *argv[3 + MAX_HALLS + 1];
	int argc = 0;

	snprintf(dir, sizeof(dir), "%s/certs", work);
	snprintf(log, sizeof(log), "%s/certs.log", work);
	argv[argc++] = certs_bin;
	argv[argc++] = dir;
	for (int i = 0; i < nhalls; i++) {
		argv[argc++] = halls[i].name;
	}
	argv[argc] = NULL;
	run_tool(argv, NULL, log);
}

static void
hall_add(const char *name, const char *code)
{
	struct hall *h = &halls[nhalls];

	memset(h, 0, sizeof(*h));
	h->name = name;
	h->code = code;
	h->pid = -1;
	snprintf(h->dir, sizeof(h->dir), "%s/%s", work, name);
	snprintf(h->log, sizeof(h->log), "%s/%s.log", work, name);
	node_client_local_url(h->dir, h->url, sizeof(h->url));
	h->port = free_pair();
	nhalls++;
}

static void
hall_init(struct hall *h)
{
	char hallname[64];
	const char *argv[] = {node_bin, "init", h->dir, "--node-id", h->name,
	    "--hall", hallname, "--hall-code", h->code, NULL};
	const char *env[] = {"OW_ADMIN_PASSWORD=" ADMIN_PW, NULL};

	snprintf(hallname, sizeof(hallname), "Hall %s", h->name);
	run_tool(argv, env, h->log);
}

static struct node_client *
admin(struct hall *h)
{
	int rc;
	struct node_client *c =
	    ow_connect_login(h->url, "admin", ADMIN_PW, 120000, &rc);

	if (c == NULL) {
		die("admin login", rc);
	}
	return c;
}

/* A call whose refusal ends the run; *out (may be NULL) gets the reply. */
static int
call(struct node_client *c, Ow__Request *req, Ow__Response **out)
{
	Ow__Response *resp = NULL;
	int rc = node_client_call(c, req, &resp);

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

static int
status_call(struct node_client *c, Ow__Response **out)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__StatusReq b = OW__STATUS_REQ__INIT;

	req.body_case = OW__REQUEST__BODY_STATUS;
	req.status = &b;
	return call(c, &req, out);
}

static uint64_t
vv_seq(const Ow__VersionVector *v, const char *origin)
{
	for (size_t i = 0; v != NULL && i < v->n_entries; i++) {
		if (strcmp(v->entries[i]->origin, origin) == 0) {
			return v->entries[i]->seq;
		}
	}
	return 0;
}

/*
 * A hall's vector entry for origin: with PeerListReq (the vector, read
 * on the node's loop), or with StatusReq when by_status (which also
 * computes the case digest, over every case, before it replies).
 */
static int
vector_seq(
    struct node_client *c, const char *origin, bool by_status, uint64_t *seq)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__PeerListReq b = OW__PEER_LIST_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	if (by_status) {
		rc = status_call(c, &resp);
		if (rc == 0) {
			*seq = vv_seq(resp->status_resp->version, origin);
		}
	} else {
		req.body_case = OW__REQUEST__BODY_PEER_LIST;
		req.peer_list = &b;
		rc = call(c, &req, &resp);
		if (rc == 0) {
			*seq = vv_seq(resp->peer_list->version, origin);
		}
	}
	if (resp != NULL) {
		ow__response__free_unpacked(resp, NULL);
	}
	return rc;
}

static void
hall_start(struct hall *h)
{
	static char sets[MAX_HALLS][6][600];
	char(*s)[600] = sets[h - halls];
	const char *level = getenv("BENCH_LOG_LEVEL");
	/* BENCH_NODE_SET=KEY=VALUE: one more --set for every hall. */
	const char *extra = getenv("BENCH_NODE_SET");
	const char *argv[] = {node_bin, "run", h->dir, "--log-level",
	    level != NULL && level[0] != '\0' ? level : "info", "--set", s[0],
	    "--set", s[1], "--set", s[2], "--set", s[3], "--set", s[4], "--set",
	    s[5], extra != NULL && extra[0] != '\0' ? "--set" : NULL, extra,
	    NULL};

	snprintf(
	    s[0], sizeof(s[0]), "repl_listen=tls+tcp://127.0.0.1:%d", h->port);
	snprintf(s[1], sizeof(s[1]), "repl_hints=tls+tcp://127.0.0.1:%d",
	    h->port + 1);
	snprintf(s[2], sizeof(s[2]), "tls_cert=%s/certs/%s.crt", work, h->name);
	snprintf(s[3], sizeof(s[3]), "tls_key=%s/certs/%s.key", work, h->name);
	snprintf(s[4], sizeof(s[4]), "tls_ca=%s/certs/ca.crt", work);
	snprintf(s[5], sizeof(s[5]), "repl_pull_ms=%ld",
	    ow_env_long("BENCH_PULL_MS", PULL_MS));
	h->pid = ow_spawn(argv, NULL, h->log);
	if (h->pid < 0) {
		die("fork", 0);
	}
}

/* Wait until the hall answers a status as admin; learn its key. */
static void
hall_ready(struct hall *h)
{
	double t0 = ow_now_ms();

	for (;;) {
		struct node_client *c;
		Ow__Response *resp = NULL;
		int status;

		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			h->pid = -1;
			die("a hall exited while starting", 0);
		}
		c = ow_connect_login(h->url, "admin", ADMIN_PW, 120000, NULL);
		if (c != NULL && status_call(c, &resp) == 0) {
			snprintf(h->pk, sizeof(h->pk), "%s",
			    resp->status_resp->public_key);
			ow__response__free_unpacked(resp, NULL);
			node_client_close(c);
			return;
		}
		node_client_close(c);
		if (ow_now_ms() - t0 > 60000) {
			die("a hall did not answer within 60 s", CM_ETIMEOUT);
		}
		ow_sleep_ms(20);
	}
}

static void
add_users(struct hall *h, int n)
{
	struct node_client *a = admin(h);

	for (int i = 1; i <= n; i++) {
		Ow__Request req = OW__REQUEST__INIT;
		Ow__UserAddReq b = OW__USER_ADD_REQ__INIT;
		char name[32];
		int rc;

		snprintf(name, sizeof(name), "bench%02d", i);
		b.name = name;
		b.role = (char *)(uintptr_t) "clerk";
		b.password = (char *)(uintptr_t)USER_PW;
		req.body_case = OW__REQUEST__BODY_USER_ADD;
		req.user_add = &b;
		rc = call(a, &req, NULL);
		if (rc != 0 && rc != CM_EEXIST) {
			die("user add", rc);
		}
	}
	node_client_close(a);
}

/* `peer add` at c of hall p reached at port (its own or a proxy's). */
static void
peer_add(struct node_client *c, const struct hall *p, int port)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__PeerAddReq b = OW__PEER_ADD_REQ__INIT;
	char url[64];
	int rc;

	snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	b.id = (char *)(uintptr_t)p->name;
	b.url = url;
	b.public_key = (char *)(uintptr_t)p->pk;
	req.body_case = OW__REQUEST__BODY_PEER_ADD;
	req.peer_add = &b;
	rc = call(c, &req, NULL);
	if (rc != 0) {
		die("peer add", rc);
	}
}

/* The hall's own seq and its status digest (hex, 65 bytes). */
static void
hall_status(struct hall *h, uint64_t *seq, char *digest)
{
	struct node_client *c = admin(h);
	Ow__Response *resp = NULL;
	int rc = status_call(c, &resp);

	if (rc != 0) {
		die("status", rc);
	}
	if (seq != NULL) {
		*seq = vv_seq(resp->status_resp->version, h->name);
	}
	if (digest != NULL) {
		const ProtobufCBinaryData *d = &resp->status_resp->digest;

		digest[0] = '\0';
		for (size_t i = 0; i < d->len && i < 32; i++) {
			snprintf(digest + 2 * i, 3, "%02x", d->data[i]);
		}
	}
	ow__response__free_unpacked(resp, NULL);
	node_client_close(c);
}

/* CPU seconds (user + system) of a process so far, -1 if unknown. */
static double
cpu_seconds(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the ")" of comm: state is field 3, utime 14, stime 15. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2,
	                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                     "%lu %lu",
	                     &ut, &st) != 2) {
		return -1;
	}
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- the proxy ------------------------------------------------------------ */

/* A connection to the proxy's control socket. */
static int
proxy_connect(void)
{
	struct sockaddr_un sa;
	char sock[300];
	int fd;

	snprintf(sock, sizeof(sock), "%s/proxy.sock", work);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		die("BENCH_DIR is too long for a unix socket path", CM_EINVAL);
	}
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		die("ow-proxy control socket", cm_err_from_errno(errno));
	}
	return fd;
}

/* ow-proxy in front of 127.0.0.1:target, its stdin /dev/null, commands
 * over its control socket. */
static void
proxy_start(int target)
{
	char tgt[64], sock[300], out[300], line[128];
	double t0 = ow_now_ms();

	snprintf(tgt, sizeof(tgt), "127.0.0.1:%d", target);
	snprintf(sock, sizeof(sock), "%s/proxy.sock", work);
	snprintf(out, sizeof(out), "%s/proxy.log", work);
	proxy_pid = fork();
	if (proxy_pid < 0) {
		die("fork", 0);
	}
	if (proxy_pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in >= 0 && fd >= 0) {
			dup2(in, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(proxy_bin, proxy_bin, "0", tgt, "--control", sock,
		    (char *)NULL);
		_exit(127);
	}
	/* "port N" is the first line once the listener and the control
	 * socket are ready. */
	while (proxy_port <= 0) {
		FILE *f = fopen(out, "r");

		if (f != NULL) {
			if (fgets(line, sizeof(line), f) != NULL &&
			    strchr(line, '\n') != NULL) {
				sscanf(line, "port %d", &proxy_port);
			}
			fclose(f);
		}
		if (proxy_port > 0) {
			break;
		}
		if (ow_now_ms() - t0 > 10000) {
			die("ow-proxy did not start", CM_ETIMEOUT);
		}
		ow_sleep_ms(10);
	}
	proxy_fd = proxy_connect();
}

struct pstats {
	uint64_t conns, up, down;
};

static struct pstats
proxy_stats_on(int fd)
{
	struct pstats s = {0, 0, 0};
	char line[256];
	size_t n = 0;
	unsigned long long c = 0, u = 0, d = 0;

	if (write(fd, "stats\n", 6) != 6) {
		die("ow-proxy stats", cm_err_from_errno(errno));
	}
	while (n < sizeof(line) - 1) {
		ssize_t r = read(fd, line + n, 1);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			die("ow-proxy stats", CM_ECLOSED);
		}
		if (line[n] == '\n') {
			break;
		}
		n++;
	}
	line[n] = '\0';
	if (sscanf(line, "conns %llu bytes_up %llu bytes_down %llu", &c, &u,
	        &d) != 3) {
		fprintf(stderr, "bench_repl: ow-proxy said: %s\n", line);
		die("ow-proxy stats", CM_EPROTO);
	}
	s.conns = c;
	s.up = u;
	s.down = d;
	return s;
}

static struct pstats
proxy_stats(void)
{
	return proxy_stats_on(proxy_fd);
}

/*
 * During the catch-up: the proxy's counters every 5 ms, on a thread of
 * their own (the poll of hall-b's vector waits while hall-b applies a
 * batch), written to WORK/catchup-trace.txt whenever they change (ms
 * since the peer add, bytes up, bytes down, hall-b's entry for hall-a as
 * last polled). A change of bytes up is a pull (a pull is one small
 * message; the first also carries the TLS handshake and the challenge).
 */
struct tracer {
	pthread_t th;
	int fd;
	double t0;
	FILE *out;
	atomic_bool stop;
	atomic_ullong seq; /* hall-b's entry, from the poll */
	long pulls;
};

static void *
trace_loop(void *arg)
{
	struct tracer *tr = arg;
	struct pstats prev = proxy_stats_on(tr->fd);

	while (!atomic_load(&tr->stop)) {
		struct pstats st;

		ow_sleep_ms(5);
		st = proxy_stats_on(tr->fd);
		if (st.up != prev.up) {
			tr->pulls++;
		}
		if ((st.up != prev.up || st.down != prev.down) &&
		    tr->out != NULL) {
			fprintf(tr->out, "%.1f %" PRIu64 " %" PRIu64 " %llu\n",
			    ow_now_ms() - tr->t0, st.up, st.down,
			    (unsigned long long)atomic_load(&tr->seq));
		}
		prev = st;
	}
	return NULL;
}

/* ---- creates -------------------------------------------------------------- */

/* A social security card case (GG00032001) for applicant i, complete or
 * (every other one) without its materials; *id gets the case id. */
static int
create_case(struct node_client *c, uint64_t i, char id[NODE_CASE_ID_MAX])
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseCreateReq b = OW__CASE_CREATE_REQ__INIT;
	Ow__Party app = OW__PARTY__INIT;
	Ow__KeyValue kv[8], *kvp[8];
	Ow__Response *resp = NULL;
	char *mats[1], idn[19], mobile[16];
	size_t nkv = 0;
	int rc;

#define KV(k, v)                                                               \
	do {                                                                   \
		ow__key_value__init(&kv[nkv]);                                 \
		kv[nkv].key = (char *)(uintptr_t)(k);                          \
		kv[nkv].value = (char *)(uintptr_t)(v);                        \
		kvp[nkv] = &kv[nkv];                                           \
		nkv++;                                                         \
	} while (0)

	snprintf(mobile, sizeof(mobile), "138%08u", (unsigned)(i % 100000000));
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
#undef KV
	mats[0] = (char *)(uintptr_t) "id_card";
	b.applicant = &app;
	b.fields = kvp;
	b.n_fields = nkv;
	b.materials = mats;
	b.n_materials = i % 2 == 0 ? 1 : 0;
	req.body_case = OW__REQUEST__BODY_CASE_CREATE;
	req.case_create = &b;
	rc = call(c, &req, &resp);
	if (rc == 0 && (resp->body_case != OW__RESPONSE__BODY_CASE_CREATE ||
	                   resp->case_create->case_ == NULL)) {
		rc = CM_EPROTO;
	}
	if (rc == 0 && id != NULL) {
		snprintf(
		    id, NODE_CASE_ID_MAX, "%s", resp->case_create->case_->id);
	}
	if (resp != NULL) {
		ow__response__free_unpacked(resp, NULL);
	}
	return rc;
}

struct loader {
	pthread_t th;
	struct node_client *c;
	long done;
	int err;
};

static atomic_long load_left;
static atomic_ullong next_case;

static void *
load_loop(void *arg)
{
	struct loader *l = arg;

	while (atomic_fetch_sub(&load_left, 1) > 0) {
		int rc =
		    create_case(l->c, atomic_fetch_add(&next_case, 1), NULL);

		if (rc != 0) {
			l->err = rc;
			break;
		}
		l->done++;
	}
	return NULL;
}

/* n creates at h with NCLIENTS clients (bench01..); returns the rate. */
static double
load(struct hall *h, long n)
{
	struct loader l[NCLIENTS];
	long done = 0, shown = 0;
	double t0, t1, last;

	memset(l, 0, sizeof(l));
	for (int i = 0; i < NCLIENTS; i++) {
		char user[16];
		int rc;

		snprintf(user, sizeof(user), "bench%02d", i + 1);
		l[i].c = ow_connect_login(h->url, user, USER_PW, 120000, &rc);
		if (l[i].c == NULL) {
			die("clerk login", rc);
		}
	}
	atomic_store(&load_left, n);
	t0 = last = ow_now_ms();
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_create(&l[i].th, NULL, load_loop, &l[i]);
	}
	while (atomic_load(&load_left) > 0) {
		ow_sleep_ms(200);
		if (ow_now_ms() - last >= 5000) {
			long left = atomic_load(&load_left);

			last = ow_now_ms();
			shown = n - (left > 0 ? left : 0);
			printf("  %8ld creates, %5.0f s\n", shown,
			    (last - t0) / 1000);
		}
	}
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(l[i].th, NULL);
		if (l[i].err != 0) {
			die("create", l[i].err);
		}
		done += l[i].done;
		node_client_close(l[i].c);
	}
	t1 = ow_now_ms();
	if (done != n) {
		die("fewer creates than asked", CM_EINTERNAL);
	}
	return (double)done / ((t1 - t0) / 1000);
}

/* ---- catchup -------------------------------------------------------------- */

static int
cmd_catchup(void)
{
	long n = ow_env_long("BENCH_OPS", 100000);
	long idle_s = ow_env_long("BENCH_IDLE_SECONDS", 10);
	long pull_ms = ow_env_long("BENCH_PULL_MS", PULL_MS);
	double timeout_ms = (double)ow_env_long("BENCH_TIMEOUT", 1800) * 1000;
	bool by_status = getenv("BENCH_POLL") != NULL &&
	                 strcmp(getenv("BENCH_POLL"), "status") == 0;
	struct hall *a, *b;
	struct node_client *ca, *cb;
	struct pstats s0, s1, i0, i1, prev;
	uint64_t a_seq = 0, b_seq = 0, seq = 0, prev_seq = 0;
	double t0, t1, t_first = -1, last, cpu_a0, cpu_b0, cpu_a1, cpu_b1;
	double secs, rate;
	char dg_a[80], dg_b[80];
	double poll_max = 0;
	struct tracer tr;
	long polls = 0;
	int rc;

	if (n < 1) {
		die("BENCH_OPS must be at least 1", CM_EINVAL);
	}
	setup_work();
	hall_add("hall-a", "HA");
	hall_add("hall-b", "HB");
	a = &halls[0];
	b = &halls[1];
	make_certs();
	for (int i = 0; i < nhalls; i++) {
		hall_init(&halls[i]);
		hall_start(&halls[i]);
	}
	for (int i = 0; i < nhalls; i++) {
		hall_ready(&halls[i]);
	}
	proxy_start(a->port);
	printf("Halls in %s: hall-a pid %d (replication port %d), hall-b pid "
	       "%d (port %d), B pulls A through ow-proxy port %d (pid %d); "
	       "repl_pull_ms %ld\n",
	    work, (int)a->pid, a->port, (int)b->pid, b->port, proxy_port,
	    (int)proxy_pid, pull_ms);

	/* A takes n ops while alone. */
	add_users(a, NCLIENTS);
	printf("Loading %ld case creates at hall-a with %d clients (not "
	       "timed)...\n",
	    n, NCLIENTS);
	rate = load(a, n);
	hall_status(a, &a_seq, NULL);
	printf("  %ld creates at %.0f creates/s; hall-a's seq is %" PRIu64
	       " (%ld creates + %" PRIu64 " ops of init and accounts)\n",
	    n, rate, a_seq, n, a_seq - (uint64_t)n);
	printf("RESULT load_per_s %.0f\n", rate);
	printf("RESULT a_seq %" PRIu64 "\n", a_seq);

	/* Peer them: A first (so that A answers B's first pull), then the
	 * clock starts at B's peer add. */
	ca = admin(a);
	cb = admin(b);
	peer_add(ca, b, b->port);
	s0 = proxy_stats();
	cpu_a0 = cpu_seconds(a->pid);
	cpu_b0 = cpu_seconds(b->pid);
	printf("Catch-up: hall-b adds hall-a (through the proxy); polling "
	       "hall-b's vector every %d ms with %s\n",
	    POLL_MS, by_status ? "StatusReq" : "PeerListReq");
	t0 = last = ow_now_ms();
	{
		char path[300];

		snprintf(path, sizeof(path), "%s/catchup-trace.txt", work);
		memset(&tr, 0, sizeof(tr));
		tr.fd = proxy_connect();
		tr.t0 = t0;
		tr.out = fopen(path, "w");
		pthread_create(&tr.th, NULL, trace_loop, &tr);
	}
	peer_add(cb, a, proxy_port);
	for (;;) {
		double p0 = ow_now_ms();

		rc = vector_seq(cb, a->name, by_status, &seq);
		if (rc != 0) {
			die("hall-b's vector", rc);
		}
		atomic_store(&tr.seq, seq);
		if (ow_now_ms() - p0 > poll_max) {
			poll_max = ow_now_ms() - p0;
		}
		polls++;
		if (seq > 0 && t_first < 0) {
			t_first = ow_now_ms() - t0;
		}
		if (seq >= a_seq) {
			break;
		}
		if (ow_now_ms() - last >= 5000) {
			last = ow_now_ms();
			printf("  %6.1f s: hall-b has %" PRIu64 " of %" PRIu64
			       " (%.0f ops/s over the last 5 s)\n",
			    (last - t0) / 1000, seq, a_seq,
			    (double)(seq - prev_seq) / 5);
			prev_seq = seq;
		}
		if (ow_now_ms() - t0 > timeout_ms) {
			die("catch-up did not finish (BENCH_TIMEOUT)",
			    CM_ETIMEOUT);
		}
		ow_sleep_ms(POLL_MS);
	}
	t1 = ow_now_ms();
	s1 = proxy_stats();
	atomic_store(&tr.stop, true);
	pthread_join(tr.th, NULL);
	close(tr.fd);
	if (tr.out != NULL) {
		fclose(tr.out);
	}
	cpu_a1 = cpu_seconds(a->pid);
	cpu_b1 = cpu_seconds(b->pid);
	secs = (t1 - t0) / 1000;
	{
		uint64_t up = s1.up - s0.up, down = s1.down - s0.down;

		printf("  hall-b reached hall-a's seq %" PRIu64
		       " in %.3f s (first op seen after %.0f ms; %ld polls)\n",
		    a_seq, secs, t_first, polls);
		/* A poll waits while hall-b's loop applies a batch: what a
		 * desk at hall-b would wait for any request meanwhile. */
		printf("  longest poll round trip %.0f ms (hall-b answers "
		       "requests on the loop that applies the batches)\n",
		    poll_max);
		printf("  %.0f ops/s; through the proxy: %" PRIu64
		       " B up (%ld pulls), %" PRIu64
		       " B down (batches), %" PRIu64 " connections\n",
		    (double)n / secs, up, tr.pulls, down, s1.conns - s0.conns);
		printf("  %.1f B per op through the proxy (both ways; the "
		       "%" PRIu64 " setup ops ride along)\n",
		    (double)(up + down) / (double)n, a_seq - (uint64_t)n);
		printf("  CPU meanwhile: hall-a %.2f s, hall-b %.2f s (of %.2f "
		       "s wall; 2 cores = %.2f s)\n",
		    cpu_a1 - cpu_a0, cpu_b1 - cpu_b0, secs, 2 * secs);
		printf("RESULT catchup_ops %ld\n", n);
		printf("RESULT catchup_seconds %.3f\n", secs);
		printf("RESULT catchup_ops_per_s %.0f\n", (double)n / secs);
		/* Per create: the setup ops (accounts) ride along. */
		printf("RESULT bytes_per_op %.1f\n",
		    (double)(up + down) / (double)n);
		printf("RESULT catchup_bytes %" PRIu64 "\n", up + down);
		printf("RESULT catchup_poll_max_ms %.0f\n", poll_max);
		printf("RESULT catchup_pulls %ld\n", tr.pulls);
		printf("RESULT catchup_cpu_a_s %.2f\nRESULT catchup_cpu_b_s "
		       "%.2f\n",
		    cpu_a1 - cpu_a0, cpu_b1 - cpu_b0);
	}

	/* The idle round: let A pull B's few ops (directly) and the links
	 * settle, then count what B's periodic pulls of A and their
	 * replies cost through the proxy. Hints do not pass the proxy
	 * (each hall subscribes to the address its peer names in its
	 * challenge), and with nothing new there are none. */
	hall_status(b, &b_seq, NULL);
	{
		double w0 = ow_now_ms();

		for (;;) {
			rc = vector_seq(ca, b->name, false, &seq);
			if (rc == 0 && seq >= b_seq) {
				break;
			}
			if (ow_now_ms() - w0 > 60000) {
				die("hall-a did not get hall-b's ops", 0);
			}
			ow_sleep_ms(100);
		}
	}
	ow_sleep_ms(pull_ms < 2000 ? 2 * (double)pull_ms + 500 : 4500);
	{
		/* A pull is a request up and a batch down, back to back; the
		 * proxy has no notion of messages, so a pull is counted as a
		 * rise of bytes_up after >= 100 ms of quiet (pulls come every
		 * repl_pull_ms). elapsed / repl_pull_ms is shown beside it. */
		long pulls = 0, quiet = 1000;
		double w0, w1, expect, per;
		uint64_t bytes;

		i0 = prev = proxy_stats();
		w0 = ow_now_ms();
		while (ow_now_ms() - w0 < (double)idle_s * 1000) {
			struct pstats s;

			ow_sleep_ms(IDLE_SAMPLE);
			s = proxy_stats();
			if (s.up != prev.up) {
				if (quiet * IDLE_SAMPLE >= 100) {
					pulls++;
				}
				quiet = 0;
			} else {
				quiet++;
			}
			prev = s;
		}
		w1 = ow_now_ms();
		i1 = proxy_stats();
		bytes = (i1.up - i0.up) + (i1.down - i0.down);
		expect = (w1 - w0) / (double)pull_ms;
		per = (double)bytes / (pulls > 0 ? (double)pulls : expect);
		printf("Idle (nothing new), %.1f s: %" PRIu64 " B up, %" PRIu64
		       " B down through the proxy; %ld pulls seen by the "
		       "proxy (%.1f expected from repl_pull_ms %ld)\n",
		    (w1 - w0) / 1000, i1.up - i0.up, i1.down - i0.down, pulls,
		    expect, pull_ms);
		printf("  %.1f B per idle sync round (pull + empty batch, "
		       "TLS records included)\n",
		    per);
		printf("RESULT idle_bytes %" PRIu64 "\n", bytes);
		printf("RESULT idle_pulls %ld\n", pulls);
		printf("RESULT bytes_per_idle_round %.1f\n", per);
	}

	/* The same cases on both: peer verify (through the proxy) and the
	 * two status digests. */
	{
		char dir[300], log[300];
		const char *argv[] = {
		    ctl_bin, "-d", dir, "peer", "verify", a->name, NULL};
		const char *env[] = {
		    "OW_PASSWORD=" ADMIN_PW, "OW_TIMEOUT_MS=300000", NULL};
		uint64_t a2 = 0, b2 = 0;
		int st;

		snprintf(dir, sizeof(dir), "%s", b->dir);
		snprintf(log, sizeof(log), "%s/verify.log", work);
		st = ow_wait_status(ow_spawn(argv, env, log));
		hall_status(a, &a2, dg_a);
		hall_status(b, NULL, dg_b);
		vector_seq(cb, a->name, false, &b2);
		printf("Checks:\n");
		check("hall-b's vector entry for hall-a = hall-a's seq",
		    a2 == b2 && a2 == a_seq);
		check("`ow-ctl peer verify hall-a` at hall-b: same cases",
		    st == 0);
		if (st != 0) {
			printf(
			    "    (ow-ctl exited with %d; see %s)\n", st, log);
		}
		check("equal status digests",
		    dg_a[0] != '\0' && strcmp(dg_a, dg_b) == 0);
		printf("    digest %s\n", dg_a);
	}
	node_client_close(ca);
	node_client_close(cb);
	teardown();
	return targets_missed > 0 ? 1 : 0;
}

/* ---- lag ------------------------------------------------------------------ */

struct evrec {
	double t;
	char id[NODE_CASE_ID_MAX];
};

/* The events of one hall, as they come. */
struct evlog {
	pthread_t th;
	struct hall *h;
	nng_socket sock;
	pthread_mutex_t lock;
	struct evrec *v;
	size_t n, cap;
	long other;
	atomic_bool stop;
};

static void *
ev_loop(void *arg)
{
	struct evlog *e = arg;

	while (!atomic_load(&e->stop)) {
		void *buf = NULL;
		size_t len = 0;
		int rv = nng_recv(e->sock, &buf, &len, NNG_FLAG_ALLOC);
		double t = ow_now_ms();
		Ow__Event *ev;

		if (rv == NNG_ETIMEDOUT) {
			continue;
		}
		if (rv != 0) {
			break;
		}
		ev = ow__event__unpack(NULL, len, buf);
		nng_free(buf, len);
		if (ev == NULL) {
			continue;
		}
		pthread_mutex_lock(&e->lock);
		if (strcmp(ev->kind, "case") != 0) {
			e->other++;
		} else {
			if (e->n == e->cap) {
				size_t ncap = e->cap == 0 ? 4096 : e->cap * 2;
				struct evrec *nv =
				    realloc(e->v, ncap * sizeof(*nv));

				if (nv != NULL) {
					e->v = nv;
					e->cap = ncap;
				}
			}
			if (e->n < e->cap) {
				e->v[e->n].t = t;
				snprintf(e->v[e->n].id, sizeof(e->v[e->n].id),
				    "%s", ev->case_id);
				e->n++;
			}
		}
		pthread_mutex_unlock(&e->lock);
		ow__event__free_unpacked(ev, NULL);
	}
	return NULL;
}

static void
ev_start(struct evlog *e, struct hall *h)
{
	char url[400];
	int rv;

	memset(e, 0, sizeof(*e));
	e->h = h;
	pthread_mutex_init(&e->lock, NULL);
	snprintf(url, sizeof(url), "ipc://%s/events.sock", h->dir);
	rv = nng_sub0_open(&e->sock);
	if (rv == 0) {
		rv = nng_socket_set(e->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
	}
	if (rv == 0) {
		rv = nng_socket_set_ms(e->sock, NNG_OPT_RECVTIMEO, 100);
	}
	if (rv == 0) {
		rv = nng_socket_set_int(e->sock, NNG_OPT_RECVBUF, 8192);
	}
	if (rv == 0) {
		rv = nng_dial(e->sock, url, NULL, 0);
	}
	if (rv != 0) {
		fprintf(stderr, "bench_repl: %s: %s\n", url, nng_strerror(rv));
		die("subscribe to events", node_err_from_nng(rv));
	}
	pthread_create(&e->th, NULL, ev_loop, e);
}

static void
ev_stop(struct evlog *e)
{
	atomic_store(&e->stop, true);
	pthread_join(e->th, NULL);
	nng_close(e->sock);
	pthread_mutex_destroy(&e->lock);
}

struct sent {
	char id[NODE_CASE_ID_MAX];
	double t0;
	double t1[MAX_HALLS]; /* first event per receiving hall; < 0 none */
};

/* Case id -> index in sent (open addressing; size a power of 2). */
struct idmap {
	int32_t *slot;
	size_t mask;
};

static uint64_t
id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	}
	return h ^ (h >> 29);
}

static void
idmap_build(struct idmap *m, const struct sent *s, size_t n)
{
	size_t size = 16;

	while (size < 2 * n) {
		size *= 2;
	}
	m->slot = malloc(size * sizeof(*m->slot));
	if (m->slot == NULL) {
		die("memory", CM_ENOMEM);
	}
	m->mask = size - 1;
	for (size_t i = 0; i < size; i++) {
		m->slot[i] = -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)id_hash(s[i].id) & m->mask;

		while (m->slot[k] >= 0) {
			k = (k + 1) & m->mask;
		}
		m->slot[k] = (int32_t)i;
	}
}

static long
idmap_find(const struct idmap *m, const struct sent *s, const char *id)
{
	size_t k = (size_t)id_hash(id) & m->mask;

	while (m->slot[k] >= 0) {
		if (strcmp(s[m->slot[k]].id, id) == 0) {
			return m->slot[k];
		}
		k = (k + 1) & m->mask;
	}
	return -1;
}

/* Match the events logged since *done against the sent cases; returns
 * how many cases were seen for the first time. */
static long
ev_match(struct evlog *e, int hi, struct sent *s, const struct idmap *m,
    size_t *done, long *unknown)
{
	long fresh = 0;

	pthread_mutex_lock(&e->lock);
	for (; *done < e->n; (*done)++) {
		long i = idmap_find(m, s, e->v[*done].id);

		if (i < 0) {
			(*unknown)++;
		} else if (s[i].t1[hi] < 0) {
			s[i].t1[hi] = e->v[*done].t;
			fresh++;
		}
	}
	pthread_mutex_unlock(&e->lock);
	return fresh;
}

/* Wait until every hall's vector holds every other hall's own seq. */
static void
wait_converged(struct node_client **c, double limit_ms)
{
	double t0 = ow_now_ms();

	for (;;) {
		bool ok = true;

		for (int i = 0; i < nhalls && ok; i++) {
			uint64_t own = 0;

			if (vector_seq(c[i], halls[i].name, false, &own) != 0) {
				ok = false;
			}
			for (int j = 0; j < nhalls && ok; j++) {
				uint64_t seq = 0;

				ok = j == i || (vector_seq(c[j], halls[i].name,
				                    false, &seq) == 0 &&
				                   seq >= own);
			}
		}
		if (ok) {
			return;
		}
		if (ow_now_ms() - t0 > limit_ms) {
			die("the halls did not converge", CM_ETIMEOUT);
		}
		ow_sleep_ms(50);
	}
}

static int
cmd_lag(void)
{
	long rate = ow_env_long("BENCH_RATE", 100);
	long seconds = ow_env_long("BENCH_SECONDS", 10);
	long grace_s = ow_env_long("BENCH_GRACE_SECONDS", 10);
	long n, unknown = 0, missing[MAX_HALLS] = {0}, seen_total = 0;
	long clamped = 0;
	struct node_client *adm[MAX_HALLS], *c;
	struct evlog ev[MAX_HALLS];
	struct sent *s;
	struct idmap m;
	size_t done[MAX_HALLS] = {0};
	double t_start, t_end, *lat_all, *lat;
	size_t nall = 0;
	int rc;

	if (rate < 1 || seconds < 1) {
		die("BENCH_RATE and BENCH_SECONDS must be at least 1",
		    CM_EINVAL);
	}
	n = rate * seconds;
	s = calloc((size_t)n, sizeof(*s));
	lat_all = calloc((size_t)n * MAX_HALLS + 1, sizeof(*lat_all));
	lat = calloc((size_t)n * MAX_HALLS + 1, sizeof(*lat));
	if (s == NULL || lat_all == NULL || lat == NULL) {
		die("memory", CM_ENOMEM);
	}
	setup_work();
	hall_add("hall-a", "HA");
	hall_add("hall-b", "HB");
	hall_add("hall-c", "HC");
	make_certs();
	for (int i = 0; i < nhalls; i++) {
		hall_init(&halls[i]);
		hall_start(&halls[i]);
	}
	for (int i = 0; i < nhalls; i++) {
		hall_ready(&halls[i]);
		adm[i] = admin(&halls[i]);
	}
	printf("Halls in %s: hall-a pid %d, hall-b pid %d, hall-c pid %d; "
	       "full mesh, direct; repl_pull_ms %ld\n",
	    work, (int)halls[0].pid, (int)halls[1].pid, (int)halls[2].pid,
	    ow_env_long("BENCH_PULL_MS", PULL_MS));
	for (int i = 0; i < nhalls; i++) {
		for (int j = 0; j < nhalls; j++) {
			if (i != j) {
				peer_add(adm[i], &halls[j], halls[j].port);
			}
		}
	}
	add_users(&halls[0], 1);
	wait_converged(adm, 60000);
	for (int i = 1; i < nhalls; i++) {
		ev_start(&ev[i], &halls[i]);
	}
	ow_sleep_ms(500); /* the subscriptions reach the publishers */
	c = ow_connect_login(halls[0].url, "bench01", USER_PW, 120000, &rc);
	if (c == NULL) {
		die("clerk login", rc);
	}

	printf("Lag: one clerk at hall-a creates %ld cases at %ld/s; events "
	       "watched at hall-b and hall-c\n",
	    n, rate);
	t_start = ow_now_ms();
	for (long i = 0; i < n; i++) {
		ow_sleep_ms(
		    t_start + (double)i * 1000 / (double)rate - ow_now_ms());
		rc = create_case(c, (uint64_t)i + 1, s[i].id);
		s[i].t0 = ow_now_ms(); /* durable at hall-a when it replies */
		if (rc != 0) {
			die("create", rc);
		}
		for (int h = 0; h < MAX_HALLS; h++) {
			s[i].t1[h] = -1;
		}
	}
	t_end = ow_now_ms();
	node_client_close(c);
	printf("  sent %ld creates in %.2f s (%.1f/s)\n", n,
	    (t_end - t_start) / 1000, (double)n / ((t_end - t_start) / 1000));

	/* Every case on both, or the grace period is over. */
	idmap_build(&m, s, (size_t)n);
	{
		double g0 = ow_now_ms();

		for (;;) {
			for (int h = 1; h < nhalls; h++) {
				seen_total += ev_match(
				    &ev[h], h, s, &m, &done[h], &unknown);
			}
			if (seen_total >= n * (nhalls - 1) ||
			    ow_now_ms() - g0 > (double)grace_s * 1000) {
				break;
			}
			ow_sleep_ms(50);
		}
	}
	for (int h = 1; h < nhalls; h++) {
		ev_stop(&ev[h]);
		seen_total += ev_match(&ev[h], h, s, &m, &done[h], &unknown);
	}

	printf("  %-8s %8s %8s %8s %8s %8s\n", "hall", "p50 ms", "p99 ms",
	    "max ms", "seen", "missing");
	for (int h = 1; h <= nhalls; h++) {
		size_t nl = 0;
		double p50, p99, mx;
		const char *name = h < nhalls ? halls[h].name : "overall";

		if (h < nhalls) {
			for (long i = 0; i < n; i++) {
				double l;

				if (s[i].t1[h] < 0) {
					missing[h]++;
					continue;
				}
				/* The event can come before the reply
				 * reaches this client (both follow the same
				 * sync at hall-a): a lag below 0 counts as
				 * 0. */
				l = s[i].t1[h] - s[i].t0;
				if (l < 0) {
					l = 0;
					clamped++;
				}
				lat[nl++] = l;
				lat_all[nall++] = l;
			}
		} else {
			memcpy(lat, lat_all, nall * sizeof(*lat));
			nl = nall;
			for (int k = 1; k < nhalls; k++) {
				missing[0] += missing[k];
			}
		}
		p50 = ow_quantile(lat, nl, 0.50);
		p99 = ow_quantile(lat, nl, 0.99);
		mx = nl > 0 ? lat[nl - 1] : 0;
		printf("  %-8s %8.2f %8.2f %8.2f %8zu %8ld\n", name, p50, p99,
		    mx, nl, h < nhalls ? missing[h] : missing[0]);
		if (h < nhalls) {
			printf("RESULT lag_p50_ms_%s %.2f\nRESULT "
			       "lag_p99_ms_%s %.2f\nRESULT lag_max_ms_%s "
			       "%.2f\nRESULT lag_missing_%s %ld\n",
			    name, p50, name, p99, name, mx, name, missing[h]);
		} else {
			printf("RESULT lag_p50_ms %.2f\nRESULT lag_p99_ms "
			       "%.2f\nRESULT lag_max_ms %.2f\nRESULT "
			       "lag_missing %ld\n",
			    p50, p99, mx, missing[0]);
			verdict("replication lag p99 (both halls)", p99, "ms",
			    100, true);
		}
	}
	printf("  (%ld lags below 0 counted as 0; %ld case events of other "
	       "cases)\n",
	    clamped, unknown);
	printf("RESULT lag_clamped %ld\n", clamped);
	check("every case seen at hall-b and hall-c within the grace period",
	    missing[0] == 0);
	for (int i = 0; i < nhalls; i++) {
		node_client_close(adm[i]);
	}
	teardown();
	free(m.slot);
	free(s);
	free(lat);
	free(lat_all);
	return targets_missed > 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc != 6) {
		fprintf(stderr, "usage: bench_repl OW_NODE OW_CTL MAKE_CERTS "
		                "OW_PROXY catchup|lag\n");
		return 2;
	}
	node_bin = argv[1];
	ctl_bin = argv[2];
	certs_bin = argv[3];
	proxy_bin = argv[4];
	if (strcmp(argv[5], "catchup") == 0) {
		return cmd_catchup();
	}
	if (strcmp(argv[5], "lag") == 0) {
		return cmd_lag();
	}
	fprintf(stderr, "usage: bench_repl OW_NODE OW_CTL MAKE_CERTS OW_PROXY "
	                "catchup|lag\n");
	return 2;
}
