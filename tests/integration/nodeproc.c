/*
 * nodeproc.c: real ow-node processes for the integration tests (see
 * nodeproc.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "nodeproc.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"

#ifndef OW_NODE_BIN
#define OW_NODE_BIN "ow-node"
#endif

/* The node last started: when a call gets no answer, is it still there? */
static struct itest_node *watched;

/* Every node started and not yet reaped, killed at exit whatever happens
 * to the test program. */
#define MAX_LIVE 8
static pid_t live[MAX_LIVE];
static bool atexit_done;

static void
kill_live(void)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i] > 0) {
			kill(live[i], SIGKILL);
			waitpid(live[i], NULL, 0);
			live[i] = 0;
		}
	}
}

static void
live_add(pid_t pid)
{
	if (!atexit_done) {
		atexit(kill_live);
		atexit_done = true;
	}
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i] == 0) {
			live[i] = pid;
			return;
		}
	}
}

static void
live_remove(pid_t pid)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i] == pid) {
			live[i] = 0;
		}
	}
}

long long
itest_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
itest_nap(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

const char *
itest_node_bin(int argc, char **argv)
{
	return argc > 1 && argv[1][0] != '\0' ? argv[1] : OW_NODE_BIN;
}

/* Run argv with extra environment, output appended to log; the exit
 * status as a shell shows it. */
static int
run_wait(const char *const *argv, const char *const *env, const char *log)
{
	return ow_wait_status(ow_spawn(argv, env, log));
}

void
itest_node_init(struct itest_node *n, const char *bin)
{
	char pwenv[64];
	const char *env[] = {pwenv, "LC_ALL=C.UTF-8", NULL};
	int rc;

	memset(n, 0, sizeof(*n));
	n->bin = bin;
	snprintf(n->dir, sizeof(n->dir), "/tmp/owit.XXXXXX");
	if (mkdtemp(n->dir) == NULL) {
		fail_msg("mkdtemp: %s", strerror(errno));
	}
	snprintf(n->datadir, sizeof(n->datadir), "%s/d", n->dir);
	snprintf(n->log, sizeof(n->log), "%s/node.log", n->dir);
	snprintf(n->sock, sizeof(n->sock), "%s/node.sock", n->datadir);
	node_client_local_url(n->datadir, n->url, sizeof(n->url));
	snprintf(pwenv, sizeof(pwenv), "OW_ADMIN_PASSWORD=%s", ITEST_ADMIN_PW);
	{
		const char *argv[] = {bin, "init", n->datadir, "--node-id",
		    "hall-ft", "--hall", "福田大厅", "--hall-code", "FT01",
		    NULL};

		rc = run_wait(argv, env, n->log);
	}
	if (rc != 0) {
		fail_msg("ow-node init exited %d (log %s)", rc, n->log);
	}
}

int
itest_log_count(const struct itest_node *n, const char *needle)
{
	FILE *fp = fopen(n->log, "r");
	char line[4096];
	int count = 0;

	if (fp == NULL) {
		return 0;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, needle) != NULL) {
			count++;
		}
	}
	fclose(fp);
	return count;
}

bool
itest_node_alive(struct itest_node *n)
{
	int st;

	if (n->pid <= 0) {
		return false;
	}
	if (waitpid(n->pid, &st, WNOHANG) == n->pid) {
		live_remove(n->pid);
		n->pid = 0;
		return false;
	}
	return true;
}

void
itest_node_start(struct itest_node *n, const char *today,
    const char *const *args, const char *const *env)
{
	const char *argv[24];
	char todayenv[32];
	size_t ac = 0;
	long long until;
	pid_t parent = getpid();
	pid_t pid;

	argv[ac++] = n->bin;
	argv[ac++] = "run";
	argv[ac++] = n->datadir;
	for (size_t i = 0; args != NULL && args[i] != NULL && ac < 23; i++) {
		argv[ac++] = args[i];
	}
	argv[ac] = NULL;
	snprintf(todayenv, sizeof(todayenv), "OW_TODAY=%s",
	    today != NULL ? today : "");
	pid = fork();
	if (pid < 0) {
		fail_msg("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int fd = open(n->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		/* Die with the test program, however it ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) {
			_exit(126);
		}
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		unsetenv("OW_NOW");
		unsetenv("OW_TODAY");
		unsetenv("LANGUAGE");
		setenv("LC_ALL", "C.UTF-8", 1);
		if (today != NULL) {
			putenv(todayenv);
		}
		for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
			putenv((char *)(uintptr_t)env[i]);
		}
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	n->pid = pid;
	n->termed = false;
	watched = n;
	n->stops = itest_log_count(n, "event=node.stopped");
	live_add(pid);
	/* Ready when the log says so a time more than before. ASan builds
	 * start slowly, hence the generous limit. */
	until = itest_ms() + 60000;
	while (itest_log_count(n, "event=node.ready") <= n->readies) {
		if (!itest_node_alive(n)) {
			fail_msg("ow-node run exited before it was ready "
			         "(log %s)",
			    n->log);
		}
		if (itest_ms() > until) {
			fail_msg("ow-node run not ready after 60 s (log %s)",
			    n->log);
		}
		itest_nap(20);
	}
	n->readies++;
}

void
itest_node_term(struct itest_node *n)
{
	if (n->pid > 0 && !n->termed) {
		kill(n->pid, SIGTERM);
		n->termed = true;
	}
}

int
itest_node_stop(struct itest_node *n)
{
	long long until = itest_ms() + 30000;
	int st = 0;
	pid_t r;

	if (n->pid <= 0) {
		return 0;
	}
	itest_node_term(n);
	while ((r = waitpid(n->pid, &st, WNOHANG)) == 0) {
		if (itest_ms() > until) {
			kill(n->pid, SIGKILL);
			waitpid(n->pid, &st, 0);
			break;
		}
		itest_nap(10);
	}
	live_remove(n->pid);
	n->pid = 0;
	if (r < 0) {
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The sanitizer's report in the log, or its last lines when there is
 * none. */
static void
print_log_report(const struct itest_node *n)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
	    "if grep -qE 'Sanitizer|runtime error:' '%s'; then "
	    "grep -vE '^ts=' '%s' | head -n 60; else tail -n 30 '%s'; fi >&2",
	    n->log, n->log, n->log);
	if (system(cmd) != 0) {
		print_error("cannot show %s\n", n->log);
	}
}

bool
itest_log_clean(const struct itest_node *n)
{
	static const char *const reports[] = {
	    "ERROR: AddressSanitizer",
	    "ERROR: LeakSanitizer",
	    "runtime error:",
	    "WARNING: ThreadSanitizer",
	};

	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		if (itest_log_count(n, reports[i]) > 0) {
			print_log_report(n);
			print_error(
			    "the node's log holds \"%s\"\n", reports[i]);
			return false;
		}
	}
	return true;
}

bool
itest_node_stop_clean(struct itest_node *n)
{
	int rc = itest_node_stop(n);

	if (rc != 0) {
		print_log_report(n);
		print_error("ow-node exited %d on SIGTERM, wanted 0\n", rc);
		return false;
	}
	if (!itest_log_clean(n)) {
		return false;
	}
	if (itest_log_count(n, "event=node.stopped") != n->stops + 1) {
		print_error("ow-node stopped without logging node.stopped\n");
		return false;
	}
	return true;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
itest_node_destroy(struct itest_node *n)
{
	if (n->pid > 0) {
		kill(n->pid, SIGKILL);
		waitpid(n->pid, NULL, 0);
		live_remove(n->pid);
		n->pid = 0;
	}
	/* Only ever our own mkdtemp directory. */
	if (strncmp(n->dir, "/tmp/owit.", 10) == 0) {
		nftw(n->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	n->dir[0] = '\0';
}

int
itest_call(struct node_client *c, Ow__Request *req, Ow__Response **resp)
{
	Ow__Response *r = NULL;
	int rc = node_client_call(c, req, &r);
	int status;

	if (rc != 0) {
		if (watched != NULL && watched->pid > 0 &&
		    !itest_node_alive(watched)) {
			print_log_report(watched);
			fail_msg("no answer: the node has died (%s)",
			    cm_err_name(rc));
		}
		fail_msg("no answer from the node: %s", cm_err_name(rc));
	}
	status = r->status;
	if (resp != NULL) {
		*resp = r;
	} else {
		ow__response__free_unpacked(r, NULL);
	}
	return status;
}

int
itest_status(struct node_client *c)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__StatusReq body = OW__STATUS_REQ__INIT;

	req.body_case = OW__REQUEST__BODY_STATUS;
	req.status = &body;
	return itest_call(c, &req, NULL);
}

struct node_client *
itest_login(const struct itest_node *n, const char *user, const char *password)
{
	struct node_client *c = NULL;
	int rc = node_client_open(n->url, NULL, 20000, &c);

	if (rc != 0) {
		fail_msg(
		    "cannot reach the node at %s: %s", n->url, cm_err_name(rc));
	}
	rc = node_client_login(c, user, password, "7", NULL);
	if (rc != 0) {
		node_client_close(c);
		fail_msg("login as %s: %s", user, cm_err_name(rc));
	}
	return c;
}

void
itest_user_add(struct node_client *c, const char *name, const char *role,
    const char *password)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserAddReq body = OW__USER_ADD_REQ__INIT;

	body.name = (char *)(uintptr_t)name;
	body.role = (char *)(uintptr_t)role;
	body.password = (char *)(uintptr_t)password;
	req.body_case = OW__REQUEST__BODY_USER_ADD;
	req.user_add = &body;
	assert_rc(itest_call(c, &req, NULL), 0);
}

void
itest_food_init(struct itest_food *f, size_t nmat)
{
	static const char *const kv[ITEST_FOOD_NKV][2] = {
	    {"org_name", "深圳市某某餐饮有限公司"},
	    {"org_uscc", "91430111MA4L41YT1U"},
	    {"org_legal_rep", "王芳"},
	    {"org_address", "深圳市福田区福华路1号"},
	    {"business_kind", "catering"},
	    {"business_items", "热食类食品制售"},
	    {"premises_region", "440304"},
	    {"premises_address", "深圳市福田区福华路1号"},
	    {"premises_area", "120"},
	    {"safety_manager", "李四"},
	    {"safety_manager_mobile", "13800138000"},
	    {"handled_by", "self"},
	};
	static const char *const mats[4] = {"application_form",
	    "business_licence", "layout_docs", "safety_rules"};

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < ITEST_FOOD_NKV; i++) {
		ow__key_value__init(&f->kv[i]);
		f->kv[i].key = (char *)(uintptr_t)kv[i][0];
		f->kv[i].value = (char *)(uintptr_t)kv[i][1];
		f->kvp[i] = &f->kv[i];
	}
	for (int i = 0; i < 4; i++) {
		f->mats[i] = (char *)(uintptr_t)mats[i];
	}
	ow__party__init(&f->app);
	f->app.kind = OW__APPLICANT_KIND__APPLICANT_ENTERPRISE;
	f->app.id_number = (char *)(uintptr_t) "91430111MA4L41YT1U";
	f->app.name = (char *)(uintptr_t) "深圳市某某餐饮有限公司";
	f->app.mobile = (char *)(uintptr_t) "13800138000";
	ow__case_create_req__init(&f->req);
	f->req.matter = (char *)(uintptr_t) "XK00013001";
	f->req.applicant = &f->app;
	f->req.fields = f->kvp;
	f->req.n_fields = ITEST_FOOD_NKV;
	f->req.materials = f->mats;
	f->req.n_materials = nmat <= 4 ? nmat : 4;
}
