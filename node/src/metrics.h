/*
 * metrics.h: /metrics (Prometheus text format 0.0.4) and /healthz on a
 * loopback HTTP port (metrics.c), and what server.c and repl.c give it.
 * Private to node/src. Everything here runs on the node's loop.
 */
#ifndef NODE_METRICS_H
#define NODE_METRICS_H

#include "node.h"

/*
 * Start serving cfg.metrics_listen on n's loop (n->metrics stays NULL
 * when it is ""). 0, or CM_EINVAL (not HOST:PORT, or not a loopback
 * address), CM_EIO (cannot listen: the port is taken...) or CM_ENOMEM;
 * each is logged with the reason. Call after uv_loop_init and before
 * the loop runs; stop with node_metrics_stop whatever it returned.
 */
int node_metrics_start(struct node *n);

/* Stop serving: closes the listener and every connection; the memory
 * goes with the last close callback, so the loop must run once more
 * (node_serve's final uv_run does). n->metrics is NULL afterwards. */
void node_metrics_stop(struct node *n);

/*
 * A request of kind body_case (an Ow__Request body case) taken off
 * slot s (before node_handle), and its reply made with status (when
 * the slot's reply is packed: at once, after a worker job for replies
 * that come later, and for replies that wait for their batch, when the
 * reply is made, not when the batch is durable). No-ops when metrics are
 * off.
 */
void node_metrics_request_begin(
    struct node *n, const struct node_slot *s, int body_case);
void node_metrics_request_end(
    struct node *n, const struct node_slot *s, int status);

/* ---- repl.c ------------------------------------------------------------- */

/* One peer's replication figures, as peer list shows them. */
struct node_repl_peer_fig {
	const char *id;        /* borrowed for the call */
	bool is_up;            /* answered its last pull */
	bool is_connected;     /* a connection to it is up */
	uint64_t behind;       /* ops it lacked when last heard of */
	uint64_t ahead;        /* ops it had that this hall lacks */
	uint32_t failures;     /* pulls failed in a row */
	int64_t last_heard_ms; /* ms since its last message; -1: never */
	int64_t behind_s;      /* age of the oldest op it lacks; 0: none */
};

/*
 * Call peer_cb for each registered peer (removed ones left out) and
 * origin_cb for each origin of this hall's version vector (this node's
 * own alone when replication is off); *held_bytes is the bytes of ops
 * held above gaps (0 when off). Reads memory only: cheap on the loop.
 */
void node_repl_metrics(struct node *n,
    void (*peer_cb)(void *arg, const struct node_repl_peer_fig *p),
    void (*origin_cb)(void *arg, const char *origin, uint64_t seq), void *arg,
    size_t *held_bytes);

#endif
