/*
 * sim_main.c: the simulator's command line.
 *
 *   sim --seed N [--trace]       run one seed (a failing seed replays
 *                                exactly; --trace prints every event)
 *   sim [--first F] [--seeds K] [--jobs J]
 *                                run seeds F .. F+K-1 in J processes
 *
 * OW_SIM_SEEDS and OW_SIM_FIRST override --seeds and --first, so that a
 * long run needs no other command line: OW_SIM_SEEDS=200000 ctest -R sim.
 * Every failing seed is printed with the command that replays it; the
 * exit status is 1 if any seed failed, or if a run of SIM_COMPACT_SEEDS
 * seeds or more compacted no case (compaction would not be tested).
 */
#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"

/* Runs of at least this many seeds must compact some cases. */
#define SIM_COMPACT_SEEDS 100

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
		return -1;
	}
	*out = v;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sim --seed N [--trace]\n"
	                "       sim [--first F] [--seeds K] [--jobs J]\n");
}

struct totals {
	uint64_t seeds, failed, events, messages, client_ops, crashes;
	uint64_t partitions, injected, conflicts, cases, clock_refusals;
	uint64_t converge_max, lag_max;
	uint64_t seals, compactions, ops_dropped, compared_on_base;
	uint64_t core_overclaim, lost_stated;
};

static void
totals_add(struct totals *t, const struct totals *p)
{
	t->seeds += p->seeds;
	t->failed += p->failed;
	t->events += p->events;
	t->messages += p->messages;
	t->client_ops += p->client_ops;
	t->crashes += p->crashes;
	t->partitions += p->partitions;
	t->injected += p->injected;
	t->conflicts += p->conflicts;
	t->cases += p->cases;
	t->clock_refusals += p->clock_refusals;
	t->seals += p->seals;
	t->compactions += p->compactions;
	t->ops_dropped += p->ops_dropped;
	t->compared_on_base += p->compared_on_base;
	t->lost_stated += p->lost_stated;
	t->core_overclaim += p->core_overclaim;
	if (p->converge_max > t->converge_max) {
		t->converge_max = p->converge_max;
	}
	if (p->lag_max > t->lag_max) {
		t->lag_max = p->lag_max;
	}
}

/* Run seeds first + i for the i handed out by *next (shared between the
 * worker processes, so that a worker that drew small worlds takes more of
 * them); print failures. The outcome of a seed does not depend on which
 * worker runs it. */
static void
run_range(uint64_t first, uint64_t count, uint64_t *next, struct totals *t)
{
	for (;;) {
		uint64_t i = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED);
		uint64_t seed = first + i;
		struct sim_stats st;
		char failure[600];

		if (i >= count) {
			break;
		}
		memset(&st, 0, sizeof(st));
		t->seeds++;
		if (sim_run(seed, false, &st, failure, sizeof(failure)) != 0) {
			t->failed++;
			printf("sim: seed %llu FAILED %s\n"
			       "sim:   replay: sim --seed %llu --trace\n",
			    (unsigned long long)seed, failure,
			    (unsigned long long)seed);
			fflush(stdout);
		}
		{
			struct totals one = {
			    .events = st.events,
			    .messages = st.messages,
			    .client_ops = st.client_ops,
			    .crashes = st.crashes,
			    .partitions = st.partitions,
			    .injected = st.injected,
			    .conflicts = st.conflicts_end,
			    .cases = st.cases,
			    .clock_refusals = st.refused[REPL_EV_CLOCK_AHEAD],
			    .converge_max = st.converge_ms,
			    .lag_max = st.lag_ms,
			    .seals = st.seals,
			    .compactions = st.compactions,
			    .ops_dropped = st.ops_dropped,
			    .compared_on_base = st.compared_on_base,
			    .core_overclaim = st.core_overclaim,
			    .lost_stated = st.lost_stated,
			};

			totals_add(t, &one);
		}
	}
}

int
main(int argc, char **argv)
{
	uint64_t seed = 0, first = 1, count = 100, jobs = 1;
	bool one = false, trace = false;
	const char *env;
	struct totals t;
	double t0 = seconds();

	for (int i = 1; i < argc; i++) {
		uint64_t *dst = NULL;

		if (strcmp(argv[i], "--seed") == 0) {
			dst = &seed;
			one = true;
		} else if (strcmp(argv[i], "--first") == 0) {
			dst = &first;
		} else if (strcmp(argv[i], "--seeds") == 0) {
			dst = &count;
		} else if (strcmp(argv[i], "--jobs") == 0) {
			dst = &jobs;
		} else if (strcmp(argv[i], "--trace") == 0) {
			trace = true;
			continue;
		} else {
			usage();
			return 2;
		}
		if (i + 1 >= argc || parse_u64(argv[++i], dst) != 0) {
			usage();
			return 2;
		}
	}
	if (one) {
		struct sim_stats st;
		char failure[600];
		int rc = sim_run(seed, trace, &st, failure, sizeof(failure));

		if (rc != 0) {
			printf("sim: seed %llu FAILED %s\n",
			    (unsigned long long)seed, failure);
			return 1;
		}
		printf("sim: seed %llu passed: %llu events, %llu client ops, "
		       "%llu cases (%llu in conflict at the end), converged "
		       "%llu ms after the faults stopped, new op everywhere in "
		       "%llu ms; %llu seals, %llu compactions, %llu ops "
		       "dropped\n",
		    (unsigned long long)seed, (unsigned long long)st.events,
		    (unsigned long long)st.client_ops,
		    (unsigned long long)st.cases,
		    (unsigned long long)st.conflicts_end,
		    (unsigned long long)st.converge_ms,
		    (unsigned long long)st.lag_ms, (unsigned long long)st.seals,
		    (unsigned long long)st.compactions,
		    (unsigned long long)st.ops_dropped);
		return 0;
	}
	if ((env = getenv("OW_SIM_SEEDS")) != NULL && env[0] != '\0' &&
	    parse_u64(env, &count) != 0) {
		fprintf(stderr, "sim: OW_SIM_SEEDS is not a number\n");
		return 2;
	}
	if ((env = getenv("OW_SIM_FIRST")) != NULL && env[0] != '\0' &&
	    parse_u64(env, &first) != 0) {
		fprintf(stderr, "sim: OW_SIM_FIRST is not a number\n");
		return 2;
	}
	if (jobs < 1 || jobs > 64) {
		jobs = 1;
	}
	memset(&t, 0, sizeof(t));
	if (jobs == 1) {
		uint64_t next = 0;

		run_range(first, count, &next, &t);
	} else {
		/* One process per job, taking seeds from a shared counter;
		 * their totals come back through a pipe. */
		int fds[64][2];
		pid_t pids[64];
		uint64_t *next = mmap(NULL, sizeof(*next),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (next == MAP_FAILED) {
			perror("sim: mmap");
			return 2;
		}
		*next = 0;

		fflush(stdout);
		for (uint64_t j = 0; j < jobs; j++) {
			if (pipe(fds[j]) != 0) {
				perror("sim: pipe");
				return 2;
			}
			pids[j] = fork();
			if (pids[j] < 0) {
				perror("sim: fork");
				return 2;
			}
			if (pids[j] == 0) {
				struct totals mine;
				ssize_t wr;

				close(fds[j][0]);
				memset(&mine, 0, sizeof(mine));
				run_range(first, count, next, &mine);
				wr = write(fds[j][1], &mine, sizeof(mine));
				_exit(wr == (ssize_t)sizeof(mine) ? 0 : 3);
			}
			close(fds[j][1]);
		}
		for (uint64_t j = 0; j < jobs; j++) {
			struct totals part;
			int status = 0;

			if (read(fds[j][0], &part, sizeof(part)) !=
			    (ssize_t)sizeof(part)) {
				fprintf(stderr, "sim: a worker died\n");
				memset(&part, 0, sizeof(part));
				part.failed = 1;
			}
			close(fds[j][0]);
			waitpid(pids[j], &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr,
				    "sim: worker %llu ended badly\n",
				    (unsigned long long)j);
				part.failed++;
			}
			totals_add(&t, &part);
		}
		munmap(next, sizeof(*next));
	}
	printf("sim: %llu of %llu seeds passed (seeds %llu..%llu, %llu "
	       "jobs) in %.1f s: %llu events, %llu messages, %llu client "
	       "ops, %llu cases (%llu in conflict at the end), %llu "
	       "crashes, %llu partitions, %llu forged or bad messages "
	       "refused, %llu ops refused for a clock ahead; slowest "
	       "convergence %llu ms after the faults stopped, slowest "
	       "new op to every hall %llu ms\n",
	    (unsigned long long)(t.seeds - t.failed),
	    (unsigned long long)t.seeds, (unsigned long long)first,
	    (unsigned long long)(first + count - 1), (unsigned long long)jobs,
	    seconds() - t0, (unsigned long long)t.events,
	    (unsigned long long)t.messages, (unsigned long long)t.client_ops,
	    (unsigned long long)t.cases, (unsigned long long)t.conflicts,
	    (unsigned long long)t.crashes, (unsigned long long)t.partitions,
	    (unsigned long long)t.injected,
	    (unsigned long long)t.clock_refusals,
	    (unsigned long long)t.converge_max, (unsigned long long)t.lag_max);
	printf("sim: compaction: %llu seals, %llu cases compacted, %llu ops "
	       "dropped, %llu final comparisons of a case kept on a base; "
	       "%llu times a core counted as held by every hall ops "
	       "that a hall had stated and then lost in a crash, %llu "
	       "compactions dropped such ops\n",
	    (unsigned long long)t.seals, (unsigned long long)t.compactions,
	    (unsigned long long)t.ops_dropped,
	    (unsigned long long)t.compared_on_base,
	    (unsigned long long)t.core_overclaim,
	    (unsigned long long)t.lost_stated);
	if (count >= SIM_COMPACT_SEEDS &&
	    (t.compactions == 0 || t.compared_on_base == 0)) {
		printf("sim: FAILED: %llu seeds compacted no case, or none was "
		       "compared on its base: compaction is not tested\n",
		    (unsigned long long)count);
		return 1;
	}
	return t.failed == 0 && t.seeds == count ? 0 : 1;
}
