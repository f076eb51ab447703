/*
 * nodeproc.h: real ow-node processes for the integration tests.
 *
 * Each test program makes its own temporary directory (short, under /tmp:
 * the ipc socket path must fit in sun_path), runs `ow-node init` in it,
 * starts `ow-node run` as a child with its output in a log file, waits for
 * "node.ready" by polling the log, and stops it with SIGTERM. A started
 * node is killed when the test program exits, also when it fails or
 * crashes (PR_SET_PDEATHSIG and an atexit hook), so no node is left
 * behind. The helpers fail the running cmocka test on a broken set-up.
 */
#ifndef OW_ITEST_NODEPROC_H
#define OW_ITEST_NODEPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testutil.h"

#include "node/client.h"

#define ITEST_ADMIN_PW "admin-pass-1"
#define ITEST_TODAY    "2025-09-29"

struct itest_node {
	const char *bin;  /* ow-node (borrowed) */
	char dir[64];     /* the temporary directory: /tmp/owit.XXXXXX */
	char datadir[96]; /* dir/d */
	char log[128];    /* dir/node.log: the node's stdout and stderr */
	char sock[128];   /* datadir/node.sock */
	char url[160];    /* ipc://datadir/node.sock */
	pid_t pid;        /* 0 when not running */
	bool termed;      /* SIGTERM sent already */
	int stops;        /* "node.stopped" lines in the log at the start */
	int readies;      /* "node.ready" lines seen in the log so far */
};

/* The ow-node binary: argv[1] when given, else the one this build made. */
const char *itest_node_bin(int argc, char **argv);

/* Make the temporary directory and `ow-node init` a data directory in it
 * (node hall-ft, hall 福田大厅, code FT01, the bundled catalog). Fails the
 * test on error. */
void itest_node_init(struct itest_node *n, const char *bin);

/*
 * Start `ow-node run DATADIR [args...]` with OW_TODAY=today (NULL: not
 * set) and the extra environment entries env ("K=V", NULL-terminated;
 * NULL for none), and wait (up to 60 s) for it to say node.ready. Fails
 * the test when it exits or does not get ready.
 */
void itest_node_start(struct itest_node *n, const char *today,
    const char *const *args, const char *const *env);

/*
 * Stop the node with SIGTERM and wait for it (up to 30 s, then SIGKILL).
 * Returns its exit status as a shell would show it (0..255, or 128 +
 * signal number). 0 when it was not running.
 */
int itest_node_stop(struct itest_node *n);

/* Send SIGTERM now (itest_node_stop then only waits). */
void itest_node_term(struct itest_node *n);

/* Is the node's process still alive (not exited)? */
bool itest_node_alive(struct itest_node *n);

/* SIGKILL the node if it runs and remove the temporary directory. */
void itest_node_destroy(struct itest_node *n);

/* How many lines of the log hold needle. */
int itest_log_count(const struct itest_node *n, const char *needle);

/* Does the log hold no sanitizer report (ASan, LSan, UBSan)? Prints the
 * log when it does. */
bool itest_log_clean(const struct itest_node *n);

/* Stop the node; true when it exited 0, logged node.stopped and left a
 * clean log. Prints what went wrong otherwise (the caller asserts, after
 * cleaning up). */
bool itest_node_stop_clean(struct itest_node *n);

/* A client of the node, logged in as user (fails the test otherwise). */
struct node_client *itest_login(
    const struct itest_node *n, const char *user, const char *password);

/*
 * Send req on c and return the response's status; *resp (may be NULL:
 * then it is freed here) gets the response, freed by the caller with
 * ow__response__free_unpacked. Fails the test on a transport error.
 */
int itest_call(struct node_client *c, Ow__Request *req, Ow__Response **resp);

/* Status request on c: the node's answer's status (transport errors fail
 * the test). */
int itest_status(struct node_client *c);

/* Add a user through the ops session c; fails the test unless it works. */
void itest_user_add(struct node_client *c, const char *name, const char *role,
    const char *password);

/*
 * A food business licence (XK00013001) application with valid fields for
 * an enterprise applicant, and the first nmat of its four materials (4:
 * accepted; 3, without the secondary safety rules: accepted with gaps;
 * 1: a supplement notice). f->req is ready to send; it points into f.
 */
#define ITEST_FOOD_NKV 12
struct itest_food {
	Ow__KeyValue kv[ITEST_FOOD_NKV], *kvp[ITEST_FOOD_NKV];
	Ow__Party app;
	char *mats[4];
	Ow__CaseCreateReq req;
};
void itest_food_init(struct itest_food *f, size_t nmat);

/* Milliseconds of a monotonic clock. */
long long itest_ms(void);

/* Sleep ms milliseconds (a poll interval). */
void itest_nap(int ms);

#endif
