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
	int repl_pull_ms; /* anti-entropy pull per peer, default 5000 */
	int repl_batch_kb; /* batch cap asked for and served, default 1024 */
};

void node_config_defaults(struct node_config *c);

/* Parse a configuration file's text. 0, or CM_EPARSE with diagnostics. */
int node_config_parse(struct node_config *c, const char *name, const char *buf,
    size_t len, struct form_diags *d);

/* Set one key from a flag ("key=value"). 0 or CM_EINVAL. */
int node_config_set(struct node_config *c, const char *key, const char *value);

#endif
