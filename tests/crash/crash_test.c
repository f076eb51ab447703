/*
 * crash_test.c: kill -9 the node under load, restart it on the same data
 * directory, and check that no acknowledged write was lost.
 *
 * Usage: crash_test OW_NODE_BINARY
 * Environment: CRASH_ROUNDS (default 20), CRASH_SEED (replay a run),
 * CRASH_THREADS (default 4), CRASH_KEEP=1 (keep the data directory),
 * CRASH_CALL_TIMEOUT_MS (the clients' call timeout; default 500, 1500
 * under ASan).
 *
 * Each round: start `ow-node run DIR`; CRASH_THREADS clients, each on its
 * own connection (sharing the round's clerk session: a login costs an
 * Argon2 hash), create cases and move them through the clerk's
 * transitions (start_review, request_supplement, supplement_received,
 * gaps_filled, now and then withdraw or refuse); at a random moment of the
 * round (seeded) the node gets SIGKILL. Every answered change is recorded
 * per case (the state the node answered with), and so is the one change
 * each client had in flight when the node died. A client learns of the
 * kill only when its call times out: nng's REQ socket keeps a request
 * whose connection dropped, to resend it on the next one, so the short
 * timeout bounds each round. Some rounds also kill the node again while
 * it recovers. After the restart:
 *
 *   - every acknowledged case exists, in its last acknowledged state or in
 *     the target state of the change that was in flight on it;
 *   - a case nobody was told about is the result of a create that was in
 *     flight, in that create's entry state, with one create op in its
 *     history; no other case appears;
 *   - the state index agrees with the case records (a search by state
 *     returns only cases in that state, each once);
 *   - the history of every case touched in the round lists exactly the
 *     acknowledged changes (plus the in-flight one when it was applied);
 *   - `audit verify` reports no problem;
 *   - case ids continue without reuse: every create after a restart gets
 *     an id above every id the node held before it.
 *
 * The seed is printed first; CRASH_SEED=N replays the same kill times and
 * the same choices (thread interleaving still varies).
 */
#include "common/error.h"
#include "node/cases.h"
#include "node/client.h"
#include "node/workflow.h"
#include "proc.h"
#include "testclient.h"
#include "timing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
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

#if defined(__SANITIZE_ADDRESS__)
#define CRASH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CRASH_ASAN 1
#endif
#endif
#ifndef CRASH_ASAN
#define CRASH_ASAN 0
#endif

#define MAX_THREADS 16
#define MAX_CASES   (1 << 16)
#define MAX_HIST    256
#define ADMIN_PW    "admin-pass-1"
#define CLERK_PW    "clerk-pass-1"

/* ---- small helpers -------------------------------------------------------- */

static const char *node_bin;
static char top[256];     /* the test's temporary directory */
static char datadir[300]; /* top/node */
static char url[400];
static char logpath[300];
static int call_timeout_ms;  /* the clients under load */
static int check_timeout_ms; /* the checks after a restart */
static atomic_int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
	atomic_fetch_add(&failures, 1);
}

/* splitmix64: one stream per (seed, round, thread). */
static uint64_t
rnd_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
rnd_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd_next(s) % n);
}

/* ---- the cases as the clients saw them ------------------------------------ */

struct step {
	int8_t action; /* -1: the create */
	uint8_t from, to;
};

struct rec {
	char id[NODE_CASE_ID_MAX];
	int owner;         /* thread that works on it */
	int created_round; /* round of its create (-1: found, not answered) */
	uint8_t state;     /* last acknowledged state */
	bool touched;      /* changed (or tried) in the current round */
	int inflight_to;   /* target of the change in flight, -1 none */
	int inflight_act;
	int nhist;
	struct step hist[MAX_HIST];
};

static struct rec *recs;
static atomic_int nrecs;
static pthread_mutex_t recs_lock = PTHREAD_MUTEX_INITIALIZER;

/* What a thread had in flight at the kill when it was a create. */
struct thread_state {
	int index;
	int round;
	uint64_t rng;
	bool logged_in;
	bool create_inflight;
	int create_expect; /* the entry state the create would have */
	int ops_acked;
	double max_call_ms; /* slowest answered call */
	int last_rc;        /* transport error that ended the round */
	char detail[200];
};

static struct thread_state threads[MAX_THREADS];
static int nthreads = 4;
static pthread_barrier_t start_barrier;
static char round_token[128]; /* the clerk session the clients share */
static atomic_bool round_over;

static struct rec *
rec_add(const char *id, int owner, int round, int state)
{
	int i;
	struct rec *r;

	pthread_mutex_lock(&recs_lock);
	i = atomic_load(&nrecs);
	if (i >= MAX_CASES) {
		pthread_mutex_unlock(&recs_lock);
		return NULL;
	}
	r = &recs[i];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->owner = owner;
	r->created_round = round;
	r->state = (uint8_t)state;
	r->inflight_to = -1;
	r->inflight_act = -1;
	r->hist[0].action = -1;
	r->hist[0].to = (uint8_t)state;
	r->nhist = 1;
	r->touched = true;
	atomic_store(&nrecs, i + 1);
	pthread_mutex_unlock(&recs_lock);
	return r;
}

/* (day, seq) of a case id, for ordering; false when it does not parse. */
static bool
id_key(const char *id, int64_t *key)
{
	char hall[NODE_HALL_CODE_MAX];
	int32_t day;
	uint32_t seq;

	if (node_case_id_parse(id, hall, &day, &seq) != 0) {
		return false;
	}
	*key = (int64_t)day * 100000000LL + seq;
	return true;
}

/* ---- requests ------------------------------------------------------------- */

static const char *const applicant_ids[] = {"11010519491231002X",
    "110101199003074477", "440304198001011239", "440305199912319999"};

/* One of three intakes: complete (accepted), the secondary material of
 * XK00013001 missing (accepted_gaps), no materials (supplement). */
static int
create_case(struct node_client *c, unsigned kind, Ow__Response **resp)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseCreateReq b = OW__CASE_CREATE_REQ__INIT;
	Ow__Party app = OW__PARTY__INIT;
	Ow__KeyValue kv[16], *kvp[16];
	char *mats[4];
	size_t nkv = 0, nm = 0;

#define KV(k, v)                                                               \
	do {                                                                   \
		ow__key_value__init(&kv[nkv]);                                 \
		kv[nkv].key = (char *)(uintptr_t)(k);                          \
		kv[nkv].value = (char *)(uintptr_t)(v);                        \
		kvp[nkv] = &kv[nkv];                                           \
		nkv++;                                                         \
	} while (0)

	if (kind == 1) {
		app.kind = OW__APPLICANT_KIND__APPLICANT_ENTERPRISE;
		app.id_number = (char *)(uintptr_t) "91430111MA4L41YT1U";
		app.name = (char *)(uintptr_t) "深圳市福田美食有限公司";
		app.mobile = (char *)(uintptr_t) "13900139000";
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
		KV("safety_manager_mobile", "13900139000");
		KV("handled_by", "self");
		mats[nm++] = (char *)(uintptr_t) "application_form";
		mats[nm++] = (char *)(uintptr_t) "business_licence";
		mats[nm++] = (char *)(uintptr_t) "layout_docs";
	} else {
		const char *idn = applicant_ids[kind % 4];

		app.kind = OW__APPLICANT_KIND__APPLICANT_PERSON;
		app.id_number = (char *)(uintptr_t)idn;
		app.name = (char *)(uintptr_t) "张三";
		app.mobile = (char *)(uintptr_t) "13800138000";
		b.matter = (char *)(uintptr_t) "GG00032001";
		KV("applicant_name", "张三");
		KV("applicant_id", idn);
		KV("applicant_mobile", "13800138000");
		KV("applicant_address", "深圳市福田区福华三路1号");
		KV("bank", "icbc");
		KV("is_minor", "no");
		if (kind == 0) {
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

static int
expected_entry(unsigned kind)
{
	return kind == 0   ? NODE_ST_ACCEPTED
	       : kind == 1 ? NODE_ST_ACCEPTED_GAPS
	                   : NODE_ST_SUPPLEMENT;
}

static int
act_case(struct node_client *c, const char *id, enum node_action a,
    Ow__Response **resp)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseActReq b = OW__CASE_ACT_REQ__INIT;

	b.id = (char *)(uintptr_t)id;
	b.action = (char *)(uintptr_t)node_action_name(a);
	b.reason = (char *)(uintptr_t)(node_action_needs_reason(a)
	                                   ? "材料不齐，请补正 (crash test)"
	                                   : "");
	req.body_case = OW__REQUEST__BODY_CASE_ACT;
	req.case_act = &b;
	return node_client_call(c, &req, resp);
}

/* The clerk's next move for a case in state s. */
static bool
pick_action(uint64_t *rng, int s, enum node_action *a)
{
	unsigned r = rnd_below(rng, 100);

	switch (s) {
	case NODE_ST_ACCEPTED:
		*a = r < 55   ? NODE_ACT_START_REVIEW
		     : r < 97 ? NODE_ACT_REQUEST_SUPPLEMENT
		              : NODE_ACT_WITHDRAW;
		return true;
	case NODE_ST_ACCEPTED_GAPS:
		*a =
		    r < 60 ? NODE_ACT_GAPS_FILLED : NODE_ACT_REQUEST_SUPPLEMENT;
		return true;
	case NODE_ST_SUPPLEMENT:
		*a = r < 95 ? NODE_ACT_SUPPLEMENT_RECEIVED : NODE_ACT_REFUSE;
		return true;
	case NODE_ST_IN_REVIEW:
		*a = r < 96 ? NODE_ACT_REQUEST_SUPPLEMENT : NODE_ACT_WITHDRAW;
		return true;
	default:
		return false;
	}
}

/* ---- the clients ---------------------------------------------------------- */

static void *
worker(void *arg)
{
	struct thread_state *t = arg;
	int live[MAX_CASES / MAX_THREADS];
	int nlive = 0, rc;
	double t0;
	/* The session of the round's clerk login (an Argon2 hash per login
	 * is what a round would otherwise spend its time on), on a client of
	 * this thread's own with the short timeout. */
	struct node_client *c = NULL;
	int total;

	rc = node_client_open(url, NULL, call_timeout_ms, &c);
	if (rc == 0) {
		node_client_set_token(c, round_token);
	}
	t->logged_in = c != NULL;
	t->last_rc = rc;
	if (c == NULL) {
		snprintf(
		    t->detail, sizeof(t->detail), "login: %s", cm_err_name(rc));
	}
	pthread_barrier_wait(&start_barrier);
	/* From here on the checks are done with this thread's state. */
	t->create_inflight = false;
	t->ops_acked = 0;
	t->max_call_ms = 0;
	if (c == NULL || atomic_load(&round_over)) {
		node_client_close(c);
		return NULL;
	}
	/* My cases that can still move (known once the checks of the
	 * previous round are done). */
	total = atomic_load(&nrecs);
	for (int i = 0; i < total; i++) {
		if (recs[i].owner == t->index &&
		    !node_state_is_final((enum node_state)recs[i].state) &&
		    nlive < (int)(sizeof(live) / sizeof(live[0]))) {
			live[nlive++] = i;
		}
	}
	while (!atomic_load(&round_over)) {
		Ow__Response *resp = NULL;
		/* Keep some 30 cases moving per client, so that a round
		 * touches each of them a few times. */
		bool create =
		    nlive < 8 || (nlive < 30 && rnd_below(&t->rng, 100) < 20);

		if (create) {
			unsigned kind = rnd_below(&t->rng, 3);

			t->create_expect = expected_entry(kind);
			t->create_inflight = true;
			t0 = ow_now_ms();
			rc = create_case(c, kind, &resp);
			if (rc != 0) {
				t->last_rc = rc;
				break; /* the node is gone: the create stays in flight */
			}
			t->create_inflight = false;
			if (ow_now_ms() - t0 > t->max_call_ms) {
				t->max_call_ms = ow_now_ms() - t0;
			}
			if (resp->status != 0) {
				fail("thread %d: create refused: %s (%s)%s%s",
				    t->index, cm_err_name(resp->status),
				    resp->error,
				    resp->n_problems > 0 ? " first problem: "
				                         : "",
				    resp->n_problems > 0
				        ? resp->problems[0]->message
				        : "");
				ow__response__free_unpacked(resp, NULL);
				break;
			}
			if (resp->body_case != OW__RESPONSE__BODY_CASE_CREATE ||
			    resp->case_create->case_ == NULL) {
				fail(
				    "thread %d: create answered without a case",
				    t->index);
				ow__response__free_unpacked(resp, NULL);
				break;
			}
			{
				const Ow__Case *cs = resp->case_create->case_;
				struct rec *r;

				if ((int)cs->state != t->create_expect) {
					fail("%s: created in %s, expected %s",
					    cs->id, node_state_name(cs->state),
					    node_state_name(t->create_expect));
				}
				r = rec_add(
				    cs->id, t->index, t->round, (int)cs->state);
				if (r == NULL) {
					ow__response__free_unpacked(resp, NULL);
					break;
				}
				if (!node_state_is_final(cs->state) &&
				    nlive <
				        (int)(sizeof(live) / sizeof(live[0]))) {
					live[nlive++] = (int)(r - recs);
				}
				t->ops_acked++;
			}
			ow__response__free_unpacked(resp, NULL);
		} else {
			unsigned k = rnd_below(&t->rng, (unsigned)nlive);
			struct rec *r = &recs[live[k]];
			enum node_action a;
			enum node_state to;

			if (!pick_action(&t->rng, r->state, &a) ||
			    node_wf_check((enum node_state)r->state, a,
			        NODE_ROLE_CLERK, &to) != 0) {
				fail("%s: no clerk action from %s", r->id,
				    node_state_name(r->state));
				break;
			}
			r->touched = true;
			r->inflight_act = (int)a;
			r->inflight_to = (int)to;
			t0 = ow_now_ms();
			rc = act_case(c, r->id, a, &resp);
			if (rc != 0) {
				t->last_rc = rc;
				break; /* in flight at the kill */
			}
			if (ow_now_ms() - t0 > t->max_call_ms) {
				t->max_call_ms = ow_now_ms() - t0;
			}
			r->inflight_to = -1;
			r->inflight_act = -1;
			if (resp->status != 0 ||
			    resp->body_case != OW__RESPONSE__BODY_CASE_GET ||
			    resp->case_get->case_ == NULL) {
				fail("%s: %s from %s refused: %s (%s)", r->id,
				    node_action_name(a),
				    node_state_name(r->state),
				    cm_err_name(resp->status), resp->error);
				ow__response__free_unpacked(resp, NULL);
				break;
			}
			if (resp->case_get->case_->state != (uint32_t)to) {
				fail("%s: %s answered state %s, expected %s",
				    r->id, node_action_name(a),
				    node_state_name(
				        resp->case_get->case_->state),
				    node_state_name(to));
			}
			if (r->nhist < MAX_HIST) {
				r->hist[r->nhist].action = (int8_t)a;
				r->hist[r->nhist].from = r->state;
				r->hist[r->nhist].to = (uint8_t)to;
				r->nhist++;
			}
			r->state = (uint8_t)resp->case_get->case_->state;
			ow__response__free_unpacked(resp, NULL);
			t->ops_acked++;
			if (node_state_is_final(to) ||
			    r->nhist >= MAX_HIST - 1) {
				live[k] = live[--nlive];
			}
		}
	}
	node_client_close(c);
	return NULL;
}

/* ---- the node process ----------------------------------------------------- */

static pid_t
spawn(char *const argv[], const char *out_path)
{
	return ow_spawn((const char *const *)(uintptr_t)argv, NULL, out_path);
}

static int
run_wait(char *const argv[])
{
	return ow_wait_status(spawn(argv, logpath));
}

static void
print_log_tail(void)
{
	char cmd[400];

	printf("---- tail of %s ----\n", logpath);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "tail -n 30 '%s'", logpath);
	if (system(cmd) != 0) {
		printf("(no log)\n");
	}
	printf("----\n");
	fflush(stdout);
}

static pid_t
node_start(void)
{
	char *argv[] = {(char *)(uintptr_t)node_bin, (char *)(uintptr_t) "run",
	    datadir, (char *)(uintptr_t) "--log-level",
	    (char *)(uintptr_t) "warn", NULL};

	return spawn(argv, logpath);
}

static void
kill9(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* Wait until the node answers a login; returns the admin client or NULL
 * (the node died, or did not answer in time). */
static struct node_client *
node_ready(pid_t *pidp, double *ms)
{
	pid_t pid = *pidp;
	double t0 = ow_now_ms(), limit = CRASH_ASAN ? 60000 : 20000;

	for (;;) {
		int status, rc;
		struct node_client *c;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			fail("the node exited during start-up (status %d)",
			    WIFEXITED(status) ? WEXITSTATUS(status)
			                      : 128 + WTERMSIG(status));
			print_log_tail();
			*pidp = -1;
			return NULL;
		}
		c = ow_connect_login(
		    url, "admin", ADMIN_PW, check_timeout_ms, &rc);
		if (c != NULL) {
			if (ms != NULL) {
				*ms = ow_now_ms() - t0;
			}
			return c;
		}
		if (ow_now_ms() - t0 > limit) {
			fail("the node did not answer within %.0f ms (%s)",
			    limit, cm_err_name(rc));
			print_log_tail();
			kill9(pid);
			*pidp = -1;
			return NULL;
		}
		ow_sleep_ms(5);
	}
}

/* ---- checks after a restart ----------------------------------------------- */

struct found {
	char id[NODE_CASE_ID_MAX];
	uint8_t state;
	bool matched;
};

static int
found_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct found *)a)->id, ((const struct found *)b)->id);
}

static int
audit(struct node_client *admin)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__AuditVerifyReq b = OW__AUDIT_VERIFY_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	req.body_case = OW__REQUEST__BODY_AUDIT_VERIFY;
	req.audit_verify = &b;
	rc = node_client_call(admin, &req, &resp);
	if (rc != 0 || resp->status != 0 ||
	    resp->body_case != OW__RESPONSE__BODY_AUDIT_VERIFY) {
		fail("audit verify: %s",
		    cm_err_name(rc != 0 ? rc : resp->status));
		if (resp != NULL) {
			ow__response__free_unpacked(resp, NULL);
		}
		return -1;
	}
	for (size_t i = 0; i < resp->audit_verify->n_problems; i++) {
		fail("audit verify: %s", resp->audit_verify->problems[i]);
	}
	rc = (int)resp->audit_verify->n_problems;
	ow__response__free_unpacked(resp, NULL);
	return rc;
}

/* Every case of the hall, through the state index. */
static struct found *
list_cases(struct node_client *c, size_t *n)
{
	size_t cap = 1024;
	struct found *f = malloc(cap * sizeof(*f));

	*n = 0;
	for (int s = 0; f != NULL && s < NODE_ST__COUNT; s++) {
		char after[1200] = "";

		for (;;) {
			Ow__Request req = OW__REQUEST__INIT;
			Ow__CaseSearchReq b = OW__CASE_SEARCH_REQ__INIT;
			Ow__Response *resp = NULL;
			const Ow__CaseSearchResp *sr;
			int rc;

			b.by = (char *)(uintptr_t) "state";
			b.value = (char *)(uintptr_t)node_state_name(s);
			b.limit = 200;
			b.after = after;
			req.body_case = OW__REQUEST__BODY_CASE_SEARCH;
			req.case_search = &b;
			rc = node_client_call(c, &req, &resp);
			if (rc != 0 || resp->status != 0 ||
			    resp->body_case != OW__RESPONSE__BODY_CASE_SEARCH) {
				fail("search by state %s: %s",
				    node_state_name(s),
				    cm_err_name(rc != 0 ? rc : resp->status));
				if (resp != NULL) {
					ow__response__free_unpacked(resp, NULL);
				}
				free(f);
				return NULL;
			}
			sr = resp->case_search;
			for (size_t i = 0; i < sr->n_cases; i++) {
				if (sr->cases[i]->state != (uint32_t)s) {
					fail(
					    "%s: in the index under %s, but the case "
					    "record says %s",
					    sr->cases[i]->id,
					    node_state_name(s),
					    node_state_name(
					        sr->cases[i]->state));
				}
				if (*n == cap) {
					struct found *nf;

					cap *= 2;
					nf = realloc(f, cap * sizeof(*f));
					if (nf == NULL) {
						free(f);
						ow__response__free_unpacked(
						    resp, NULL);
						return NULL;
					}
					f = nf;
				}
				snprintf(f[*n].id, sizeof(f[*n].id), "%s",
				    sr->cases[i]->id);
				f[*n].state = (uint8_t)sr->cases[i]->state;
				f[*n].matched = false;
				(*n)++;
			}
			snprintf(after, sizeof(after), "%s", sr->next);
			ow__response__free_unpacked(resp, NULL);
			if (after[0] == '\0') {
				break;
			}
		}
	}
	if (f != NULL) {
		qsort(f, *n, sizeof(*f), found_cmp);
		for (size_t i = 1; i < *n; i++) {
			if (strcmp(f[i - 1].id, f[i].id) == 0) {
				fail("%s: listed twice by the state index",
				    f[i].id);
			}
		}
	}
	return f;
}

/* The case's history against what the clients were told. */
static void
check_history(struct node_client *c, const struct rec *r)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__CaseHistoryReq b = OW__CASE_HISTORY_REQ__INIT;
	Ow__Response *resp = NULL;
	const Ow__CaseHistoryResp *hr;
	int rc;

	b.id = (char *)(uintptr_t)r->id;
	req.body_case = OW__REQUEST__BODY_CASE_HISTORY;
	req.case_history = &b;
	/* Every page: a busy case has more ops than one page holds. */
	rc = node_client_call_all(c, &req, &resp);
	if (rc != 0 || resp->status != 0 ||
	    resp->body_case != OW__RESPONSE__BODY_CASE_HISTORY) {
		fail("%s: history: %s", r->id,
		    cm_err_name(rc != 0 ? rc : resp->status));
		if (resp != NULL) {
			ow__response__free_unpacked(resp, NULL);
		}
		return;
	}
	hr = resp->case_history;
	if ((int)hr->n_entries != r->nhist) {
		fail("%s: history has %zu ops, the clients were told of %d",
		    r->id, hr->n_entries, r->nhist);
	}
	for (size_t i = 0; i < hr->n_entries && (int)i < r->nhist; i++) {
		const struct step *s = &r->hist[i];
		const Ow__HistoryEntry *e = hr->entries[i];
		char want[160];

		if (s->action < 0) {
			if (e->kind != OW__OP_KIND__OP_CASE_CREATE) {
				fail(
				    "%s: history op 1 is of kind %d, not a create",
				    r->id, (int)e->kind);
			}
			continue;
		}
		snprintf(want, sizeof(want), "%s: %s -> %s",
		    node_action_name((enum node_action)s->action),
		    node_state_name(s->from), node_state_name(s->to));
		if (e->kind != OW__OP_KIND__OP_CASE_ACT ||
		    strcmp(e->summary, want) != 0) {
			fail("%s: history op %zu is \"%s\", expected \"%s\"",
			    r->id, i + 1, e->summary, want);
		}
		if (i > 0 && e->seq <= hr->entries[i - 1]->seq) {
			fail("%s: history out of order", r->id);
		}
	}
	ow__response__free_unpacked(resp, NULL);
}

/* A new case created now must get an id above every id held before. */
static void
check_fresh_id(struct node_client *c, int64_t max_before)
{
	Ow__Response *resp = NULL;
	int64_t k;
	int rc = create_case(c, 0, &resp);

	if (rc != 0 || resp->status != 0 ||
	    resp->body_case != OW__RESPONSE__BODY_CASE_CREATE) {
		fail("create after the restart: %s",
		    cm_err_name(rc != 0 ? rc : resp->status));
	} else {
		const Ow__Case *cs = resp->case_create->case_;

		if (!id_key(cs->id, &k) || k <= max_before) {
			fail("create after the restart got id %s, not above "
			     "the ids the node held",
			    cs->id);
		}
		if (rec_add(cs->id, 0, -2, (int)cs->state) == NULL) {
			fail("too many cases");
		}
	}
	if (resp != NULL) {
		ow__response__free_unpacked(resp, NULL);
	}
}

/*
 * After a restart: check every recorded case, settle what was in flight,
 * adopt the cases whose create was in flight and did land. Returns the
 * highest id key the node holds.
 */
static int64_t
verify(struct node_client *admin, struct node_client *clerk, int round)
{
	size_t nf = 0;
	struct found *f;
	int n = atomic_load(&nrecs);
	int64_t maxkey = 0, k;
	int pending_creates[NODE_ST__COUNT] = {0};
	int owner_of_create[MAX_THREADS][NODE_ST__COUNT] = {{0}};

	audit(admin);
	f = list_cases(clerk, &nf);
	if (f == NULL) {
		return INT64_MAX;
	}
	for (int t = 0; t < nthreads; t++) {
		if (threads[t].create_inflight) {
			pending_creates[threads[t].create_expect]++;
			owner_of_create[t][threads[t].create_expect]++;
		}
	}
	for (int i = 0; i < n; i++) {
		struct rec *r = &recs[i];
		struct found key, *hit;

		snprintf(key.id, sizeof(key.id), "%s", r->id);
		hit = bsearch(&key, f, nf, sizeof(*f), found_cmp);
		if (hit == NULL) {
			fail(
			    "round %d: acknowledged case %s (last state %s) is "
			    "gone",
			    round, r->id, node_state_name(r->state));
			continue;
		}
		hit->matched = true;
		if (hit->state == r->state) {
			/* The change in flight, if any, did not land. */
		} else if (r->inflight_to >= 0 &&
		           hit->state == r->inflight_to) {
			if (r->nhist < MAX_HIST) {
				r->hist[r->nhist].action =
				    (int8_t)r->inflight_act;
				r->hist[r->nhist].from = r->state;
				r->hist[r->nhist].to = (uint8_t)r->inflight_to;
				r->nhist++;
			}
			r->state = hit->state;
		} else {
			fail("round %d: %s is %s; acknowledged %s%s%s", round,
			    r->id, node_state_name(hit->state),
			    node_state_name(r->state),
			    r->inflight_to >= 0 ? ", in flight to " : "",
			    r->inflight_to >= 0
			        ? node_state_name(r->inflight_to)
			        : "");
			r->state = hit->state;
		}
		r->inflight_to = -1;
		r->inflight_act = -1;
	}
	/* Cases the clients were never told of. */
	for (size_t i = 0; i < nf; i++) {
		int owner = -1;
		struct rec *r;

		if (f[i].matched) {
			continue;
		}
		if (pending_creates[f[i].state] == 0) {
			fail(
			    "round %d: case %s (%s) appeared, but no create in "
			    "that state was in flight",
			    round, f[i].id, node_state_name(f[i].state));
			continue;
		}
		pending_creates[f[i].state]--;
		for (int t = 0; t < nthreads && owner < 0; t++) {
			if (owner_of_create[t][f[i].state] > 0) {
				owner_of_create[t][f[i].state]--;
				owner = t;
			}
		}
		r = rec_add(f[i].id, owner, -1, f[i].state);
		if (r == NULL) {
			fail("too many cases");
			break;
		}
	}
	for (int t = 0; t < nthreads; t++) {
		threads[t].create_inflight = false;
	}
	/* Histories of what moved, ids, and the next round's baseline. */
	n = atomic_load(&nrecs);
	for (int i = 0; i < n; i++) {
		struct rec *r = &recs[i];

		if (r->touched) {
			check_history(clerk, r);
			r->touched = false;
		}
		if (!id_key(r->id, &k)) {
			fail("%s: not a case id", r->id);
		} else if (k > maxkey) {
			maxkey = k;
		}
	}
	free(f);
	/* No id was handed out twice. */
	{
		struct found *ids = malloc((size_t)n * sizeof(*ids) + 1);

		for (int i = 0; ids != NULL && i < n; i++) {
			snprintf(
			    ids[i].id, sizeof(ids[i].id), "%s", recs[i].id);
		}
		if (ids != NULL) {
			qsort(ids, (size_t)n, sizeof(*ids), found_cmp);
			for (int i = 1; i < n; i++) {
				if (strcmp(ids[i - 1].id, ids[i].id) == 0) {
					fail("case id %s was handed out twice",
					    ids[i].id);
				}
			}
			free(ids);
		}
	}
	return maxkey;
}

/* ---- rounds --------------------------------------------------------------- */

static uint64_t
round_rng(uint64_t master, int round)
{
	return master ^ ((uint64_t)(round + 1) * 0x2545f4914f6cdd1dULL);
}

/* Start the clients of a round: they log in, then wait at the barrier. */
static void
spawn_workers(
    pthread_t *th, int round, uint64_t master, struct node_client *clerk)
{
	uint64_t rrng = round_rng(master, round);

	snprintf(
	    round_token, sizeof(round_token), "%s", node_client_token(clerk));
	atomic_store(&round_over, false);
	pthread_barrier_init(&start_barrier, NULL, (unsigned)nthreads + 1);
	for (int t = 0; t < nthreads; t++) {
		threads[t].index = t;
		threads[t].round = round;
		threads[t].rng = rrng ^ ((uint64_t)(t + 1) << 40);
		threads[t].detail[0] = '\0';
		pthread_create(&th[t], NULL, worker, &threads[t]);
	}
}

/* ---- set-up --------------------------------------------------------------- */

static int
add_clerk(struct node_client *admin)
{
	Ow__Request req = OW__REQUEST__INIT;
	Ow__UserAddReq b = OW__USER_ADD_REQ__INIT;
	Ow__Response *resp = NULL;
	int rc;

	b.name = (char *)(uintptr_t) "clerk1";
	b.role = (char *)(uintptr_t) "clerk";
	b.password = (char *)(uintptr_t)CLERK_PW;
	req.body_case = OW__REQUEST__BODY_USER_ADD;
	req.user_add = &b;
	rc = node_client_call(admin, &req, &resp);
	if (rc == 0) {
		rc = resp->status;
		ow__response__free_unpacked(resp, NULL);
	}
	return rc;
}

static void
remove_tree(const char *dir)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "crash_test: could not remove %s\n", dir);
	}
}

static int
env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? atoi(v) : dflt;
}

int
main(int argc, char **argv)
{
	uint64_t seed, master;
	int rounds = env_int("CRASH_ROUNDS", 20), rc, recoveries = 0;
	const char *seed_env = getenv("CRASH_SEED");
	double t_start = ow_now_ms(), ready_ms_max = 0;
	long acked_total = 0, inflight_total = 0;
	struct node_client *admin, *clerk;
	int64_t maxkey = 0;
	pthread_t th[MAX_THREADS];
	bool workers_out = false;
	int rounds_done = 0;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: crash_test OW_NODE_BINARY\n");
		return 2;
	}
	node_bin = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	nthreads = env_int("CRASH_THREADS", 4);
	if (nthreads < 1 || nthreads > MAX_THREADS) {
		nthreads = 4;
	}
	call_timeout_ms =
	    env_int("CRASH_CALL_TIMEOUT_MS", CRASH_ASAN ? 1500 : 500);
	check_timeout_ms = CRASH_ASAN ? 300000 : 60000;
	if (seed_env != NULL && seed_env[0] != '\0') {
		seed = strtoull(seed_env, NULL, 0);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		           (uint64_t)getpid()) &
		       0xffffffffffULL;
	}
	printf("crash_test: seed=%" PRIu64 " rounds=%d threads=%d "
	       "call_timeout=%dms (replay: CRASH_SEED=%" PRIu64 ")\n",
	    seed, rounds, nthreads, call_timeout_ms, seed);
	master = seed;

	recs = calloc(MAX_CASES, sizeof(*recs));
	if (recs == NULL) {
		return 1;
	}
	/* ipc paths are limited to ~100 bytes: stay short. */
	snprintf(top, sizeof(top), "/tmp/owcrash.XXXXXX");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(datadir, sizeof(datadir), "%s/node", top);
	snprintf(logpath, sizeof(logpath), "%s/node.log", top);
	node_client_local_url(datadir, url, sizeof(url));
	setenv("OW_ADMIN_PASSWORD", ADMIN_PW, 1);
	{
		char *init_argv[] = {(char *)(uintptr_t)node_bin,
		    (char *)(uintptr_t) "init", datadir,
		    (char *)(uintptr_t) "--node-id",
		    (char *)(uintptr_t) "hall-ft", (char *)(uintptr_t) "--hall",
		    (char *)(uintptr_t) "福田大厅",
		    (char *)(uintptr_t) "--hall-code",
		    (char *)(uintptr_t) "FT01", NULL};

		rc = run_wait(init_argv);
		if (rc != 0) {
			fail("ow-node init exited %d", rc);
			print_log_tail();
			return 1;
		}
	}
	pid = node_start();
	admin = node_ready(&pid, NULL);
	if (admin == NULL) {
		return 1;
	}
	rc = add_clerk(admin);
	if (rc != 0) {
		fail("user add clerk1: %s", cm_err_name(rc));
		kill9(pid);
		return 1;
	}
	node_client_close(admin);

	/* The clients of a round log in while the checks of the previous
	 * round run (logins cost an Argon2 hash each), then wait for the
	 * start. */
	clerk =
	    ow_connect_login(url, "clerk1", CLERK_PW, check_timeout_ms, &rc);
	if (clerk == NULL) {
		fail("clerk login: %s", cm_err_name(rc));
		kill9(pid);
		return 1;
	}
	spawn_workers(th, 0, master, clerk);
	node_client_close(clerk);
	for (int round = 0; round < rounds; round++) {
		uint64_t rrng = round_rng(master, round);
		double kill_after = 5 + rnd_below(&rrng, 220); /* ms */
		bool double_crash = rnd_below(&rrng, 4) == 0;
		double ready_ms = 0, max_call = 0, t_kill, t_joined, t_checked;
		long acked = 0;
		int inflight = 0;

		pthread_barrier_wait(&start_barrier);
		ow_sleep_ms(kill_after);
		kill9(pid);
		pid = -1;
		t_kill = ow_now_ms();
		atomic_store(&round_over, true);
		for (int t = 0; t < nthreads; t++) {
			pthread_join(th[t], NULL);
			if (!threads[t].logged_in) {
				fail("round %d: thread %d: %s", round, t,
				    threads[t].detail);
			}
			acked += threads[t].ops_acked;
			if (threads[t].max_call_ms > max_call) {
				max_call = threads[t].max_call_ms;
			}
			inflight += threads[t].create_inflight;
		}
		pthread_barrier_destroy(&start_barrier);
		t_joined = ow_now_ms();
		for (int i = 0; i < atomic_load(&nrecs); i++) {
			inflight += recs[i].inflight_to >= 0;
		}
		acked_total += acked;
		inflight_total += inflight;
		/* Every case created in this round got an id above every id
		 * the node held when the round began. */
		for (int i = 0; i < atomic_load(&nrecs); i++) {
			int64_t k;

			if (recs[i].created_round == round &&
			    (!id_key(recs[i].id, &k) || k <= maxkey)) {
				fail(
				    "round %d: case %s created with an id that is "
				    "not above the ids held before",
				    round, recs[i].id);
			}
		}

		if (double_crash) {
			/* Die again while recovering. */
			uint64_t r2 = rrng ^ 0xabcdefULL;

			pid = node_start();
			ow_sleep_ms(rnd_below(&r2, 60));
			kill9(pid);
			recoveries++;
		}
		pid = node_start();
		admin = node_ready(&pid, &ready_ms);
		if (admin == NULL) {
			break;
		}
		if (ready_ms > ready_ms_max) {
			ready_ms_max = ready_ms;
		}
		t_checked = ow_now_ms();
		clerk = ow_connect_login(
		    url, "clerk1", CLERK_PW, check_timeout_ms, &rc);
		if (clerk == NULL) {
			fail("round %d: clerk login after restart: %s", round,
			    cm_err_name(rc));
			node_client_close(admin);
			break;
		}
		if (round + 1 < rounds) {
			spawn_workers(th, round + 1, master, clerk);
			workers_out = true;
		}
		maxkey = verify(admin, clerk, round);
		node_client_close(admin);
		for (int i = 0; i < atomic_load(&nrecs); i++) {
			recs[i].touched = false;
		}
		if (atomic_load(&failures) == 0) {
			/* The first create after the restart. */
			int n0 = atomic_load(&nrecs);

			check_fresh_id(clerk, maxkey);
			for (int i = n0; i < atomic_load(&nrecs); i++) {
				int64_t k;

				recs[i].touched = false;
				if (id_key(recs[i].id, &k) && k > maxkey) {
					maxkey = k;
				}
			}
		}
		node_client_close(clerk);
		rounds_done++;
		printf("round %2d: killed after %3.0f ms%s: %4ld changes "
		       "acknowledged (slowest %.0f ms), %d in flight; clients "
		       "stopped in %.0f ms; restart answered in %.0f ms; %d "
		       "cases checked in %.0f ms\n",
		    round, kill_after,
		    double_crash ? " (and again in recovery)" : "", acked,
		    max_call, inflight, t_joined - t_kill, ready_ms,
		    atomic_load(&nrecs), ow_now_ms() - t_checked);
		workers_out = false;
		if (atomic_load(&failures) != 0) {
			if (round + 1 < rounds) {
				workers_out = true;
			}
			break;
		}
	}
	if (workers_out) {
		/* Stopped early: let the waiting clients go. */
		atomic_store(&round_over, true);
		pthread_barrier_wait(&start_barrier);
		for (int t = 0; t < nthreads; t++) {
			pthread_join(th[t], NULL);
		}
		pthread_barrier_destroy(&start_barrier);
	}

	/* A clean stop at the end: the node must exit 0 (and, under ASan,
	 * leak nothing). */
	if (pid > 0) {
		int status = 0;

		kill(pid, SIGTERM);
		if (waitpid(pid, &status, 0) == pid &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			fail("the node did not stop cleanly on SIGTERM (status "
			     "%d)",
			    WIFEXITED(status) ? WEXITSTATUS(status)
			                      : 128 + WTERMSIG(status));
			print_log_tail();
		}
	}
	printf("crash_test: %d rounds (%d with a second kill during recovery), "
	       "%ld changes acknowledged, %ld in flight at a kill, %d cases, "
	       "slowest restart %.0f ms, %.1f s\n",
	    rounds_done, recoveries, acked_total, inflight_total,
	    atomic_load(&nrecs), ready_ms_max, (ow_now_ms() - t_start) / 1000);
	if (atomic_load(&failures) != 0) {
		printf("crash_test: %d problem(s); seed %" PRIu64
		       " replays (CRASH_SEED=%" PRIu64 "); data kept in %s\n",
		    atomic_load(&failures), seed, seed, top);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	if (getenv("CRASH_KEEP") == NULL) {
		remove_tree(top);
	} else {
		printf("crash_test: data kept in %s\n", top);
	}
	printf("1 passed, 0 failed\n");
	return 0;
}
