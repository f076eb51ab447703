/*
 * config.h: the node's configuration file. One "key = value" per line,
 * "#" starts a comment; unknown keys and bad values are errors with the
 * line number. Flags given to ow-node override the file. Every key and its
 * default is listed in node/ow-node.conf.example.
 */
#ifndef NODE_CONFIG_H
#define NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "forms/diag.h"

struct node_config {
	char listen[512];     /* "" = ipc://DATADIR/node.sock */
	char listen_tls[512]; /* "" = none; tls+tcp://host:port for LAN desks */
	char tls_cert[512];   /* PEM: certificate chain of this node */
	char tls_key[512];    /* PEM: its private key */
	char tls_ca[512]; /* PEM: the city CA, to check desks' certificates */
	/* PEM: the CA whose certificates halls present on the replication
	 * sockets; "" = tls_ca. With a CA of its own for halls, a desk's
	 * certificate gets no TLS session there at all. */
	char repl_tls_ca[512];
	char events[512]; /* "" = ipc://DATADIR/events.sock */
	enum cm_log_level log_level;
	int session_idle_minutes; /* 1..1440, default 15 */
	int warning_yellow;       /* per mille, default 500 */
	int warning_red;          /* per mille, default 900 */
	int tick_seconds;         /* warning recomputation, default 60 */
	/* Replication (docs/replication.md): pulls from peers come to
	 * repl_listen, hints go out on repl_hints (both tls+tcp://, with
	 * tls_cert, tls_key and tls_ca); "" = off. */
	char repl_listen[512];
	char repl_hints[512];
	int repl_pull_ms;  /* anti-entropy pull per peer, default 5000 */
	int repl_batch_kb; /* batch cap asked for and served, default 1024 */
	/* Compaction (docs/replication.md, "Compaction"): this hall seals
	 * the final cases it created once quiet for seal_after_s (0 =
	 * never; default 30 days), and every compact_every_s (default
	 * 3600) drops the ops of sealed cases that every hall it counts
	 * holds; a peer silent for repl_lapse_days (default 30) no longer
	 * counts, and re-seeds if it comes back. */
	int seal_after_s;
	int compact_every_s;
	int repl_lapse_days;
	/* /metrics and /healthz over HTTP: "" = off, else a loopback
	 * address "127.0.0.1:PORT" ("[::1]:PORT", "localhost:PORT"). */
	char metrics_listen[128];
};

void node_config_defaults(struct node_config *c);

/* Parse a configuration file's text. 0, or CM_EPARSE with diagnostics. */
int node_config_parse(struct node_config *c, const char *name, const char *buf,
    size_t len, struct form_diags *d);

/* Set one key from a flag ("key=value"). 0 or CM_EINVAL. A
 * metrics_listen of the right shape whose address is not loopback is
 * taken here and refused by node_config_parse and at start (so that the
 * error can say why). */
int node_config_set(struct node_config *c, const char *key, const char *value);

/*
 * Split a metrics_listen value "HOST:PORT" into a numeric address (host,
 * at least 46 bytes: "127.0.0.1", "::1"; "localhost" gives "127.0.0.1")
 * and a port 1..65535; an IPv6 address is written in brackets. 0,
 * CM_EINVAL (not of that shape) or CM_EDENIED (an address that is not
 * loopback: /metrics has no authentication, so it is never served
 * beyond the machine).
 */
int node_config_metrics_addr(
    const char *value, char *host, size_t hsize, int *port);

#endif
