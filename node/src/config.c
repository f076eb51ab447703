/*
 * config.c: the node's configuration file (see config.h).
 */
#include "node/config.h"
#include "common/error.h"
#include "common/i18n.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
node_config_defaults(struct node_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = CM_LOG_INFO;
	c->session_idle_minutes = 15;
	c->warning_yellow = 500;
	c->warning_red = 900;
	c->tick_seconds = 60;
	c->repl_pull_ms = 5000;
	c->repl_batch_kb = 1024;
	c->seal_after_s = 30 * 24 * 3600;
	c->compact_every_s = 3600;
	c->repl_lapse_days = 30;
}

static int
set_str(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size) {
		return CM_EINVAL;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
set_int(int *dst, const char *v, int lo, int hi)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n < lo || n > hi) {
		return CM_EINVAL;
	}
	*dst = (int)n;
	return 0;
}

int
node_config_set(struct node_config *c, const char *key, const char *v)
{
	if (strcmp(key, "listen") == 0) {
		return set_str(c->listen, sizeof(c->listen), v);
	} else if (strcmp(key, "listen_tls") == 0) {
		return set_str(c->listen_tls, sizeof(c->listen_tls), v);
	} else if (strcmp(key, "tls_cert") == 0) {
		return set_str(c->tls_cert, sizeof(c->tls_cert), v);
	} else if (strcmp(key, "tls_key") == 0) {
		return set_str(c->tls_key, sizeof(c->tls_key), v);
	} else if (strcmp(key, "tls_ca") == 0) {
		return set_str(c->tls_ca, sizeof(c->tls_ca), v);
	} else if (strcmp(key, "repl_tls_ca") == 0) {
		return set_str(c->repl_tls_ca, sizeof(c->repl_tls_ca), v);
	} else if (strcmp(key, "events") == 0) {
		return set_str(c->events, sizeof(c->events), v);
	} else if (strcmp(key, "log_level") == 0) {
		return cm_log_parse_level(v, &c->log_level);
	} else if (strcmp(key, "session_idle_minutes") == 0) {
		return set_int(&c->session_idle_minutes, v, 1, 1440);
	} else if (strcmp(key, "warning_yellow") == 0) {
		return set_int(&c->warning_yellow, v, 1, 999);
	} else if (strcmp(key, "warning_red") == 0) {
		return set_int(&c->warning_red, v, 2, 1000);
	} else if (strcmp(key, "repl_listen") == 0) {
		return set_str(c->repl_listen, sizeof(c->repl_listen), v);
	} else if (strcmp(key, "repl_hints") == 0) {
		return set_str(c->repl_hints, sizeof(c->repl_hints), v);
	} else if (strcmp(key, "repl_pull_ms") == 0) {
		return set_int(&c->repl_pull_ms, v, 100, 600000);
	} else if (strcmp(key, "repl_batch_kb") == 0) {
		return set_int(&c->repl_batch_kb, v, 1, 4096);
	} else if (strcmp(key, "seal_after_s") == 0) {
		return set_int(&c->seal_after_s, v, 0, 3650 * 24 * 3600);
	} else if (strcmp(key, "compact_every_s") == 0) {
		return set_int(&c->compact_every_s, v, 1, 7 * 24 * 3600);
	} else if (strcmp(key, "repl_lapse_days") == 0) {
		return set_int(&c->repl_lapse_days, v, 1, 3650);
	} else if (strcmp(key, "tick_seconds") == 0) {
		return set_int(&c->tick_seconds, v, 1, 3600);
	} else if (strcmp(key, "metrics_listen") == 0) {
		char host[64];
		int port;

		if (v[0] != '\0' && node_config_metrics_addr(v, host,
		                        sizeof(host), &port) == CM_EINVAL) {
			return CM_EINVAL;
		}
		return set_str(c->metrics_listen, sizeof(c->metrics_listen), v);
	}
	return CM_ENOTFOUND;
}

int
node_config_metrics_addr(const char *v, char *host, size_t hsize, int *port)
{
	unsigned char a[16];
	const char *colon, *h = v;
	size_t hlen;
	char buf[64];
	long p;
	char *end;
	bool v6 = false;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':') {
			return CM_EINVAL;
		}
		h = v + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
		v6 = true;
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL) {
			return CM_EINVAL;
		}
		hlen = (size_t)(colon - v);
	}
	if (hlen == 0 || hlen >= sizeof(buf) ||
	    !isdigit((unsigned char)colon[1])) {
		return CM_EINVAL;
	}
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535) {
		return CM_EINVAL;
	}
	memcpy(buf, h, hlen);
	buf[hlen] = '\0';
	if (!v6 && strcmp(buf, "localhost") == 0) {
		snprintf(buf, sizeof(buf), "127.0.0.1");
	}
	if (v6 ? inet_pton(AF_INET6, buf, a) != 1
	       : inet_pton(AF_INET, buf, a) != 1) {
		return CM_EINVAL;
	}
	if (strlen(buf) >= hsize) {
		return CM_EINVAL;
	}
	memcpy(host, buf, strlen(buf) + 1);
	*port = (int)p;
	/* Loopback: 127.0.0.0/8, ::1. */
	if (v6) {
		static const unsigned char one[16] = {[15] = 1};

		return memcmp(a, one, 16) == 0 ? 0 : CM_EDENIED;
	}
	return a[0] == 127 ? 0 : CM_EDENIED;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s)) {
		s++;
	}
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1])) {
		*--e = '\0';
	}
	return s;
}

int
node_config_parse(struct node_config *c, const char *name, const char *buf,
    size_t len, struct form_diags *d)
{
	char line[1200];
	size_t i = 0;
	int lineno = 0, errors = 0;

	while (i < len) {
		size_t j = i;
		char *k, *v, *eq, *hash;
		int rc;

		while (j < len && buf[j] != '\n') {
			j++;
		}
		lineno++;
		if (j - i >= sizeof(line)) {
			form_diags_add(d, name, lineno, 1, _("line too long"));
			errors++;
			i = j + 1;
			continue;
		}
		memcpy(line, buf + i, j - i);
		line[j - i] = '\0';
		i = j + 1;
		if ((hash = strchr(line, '#')) != NULL) {
			*hash = '\0';
		}
		k = trim(line);
		if (*k == '\0') {
			continue;
		}
		eq = strchr(k, '=');
		if (eq == NULL) {
			form_diags_add(
			    d, name, lineno, 1, _("expected \"key = value\""));
			errors++;
			continue;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		rc = node_config_set(c, k, v);
		if (rc == 0 && strcmp(k, "metrics_listen") == 0 &&
		    v[0] != '\0') {
			char host[64];
			int port;

			if (node_config_metrics_addr(
			        v, host, sizeof(host), &port) == CM_EDENIED) {
				form_diags_add(d, name, lineno, 1,
				    _("metrics_listen \"%s\" is not a loopback "
				      "address: /metrics has no authentication; "
				      "use 127.0.0.1:PORT"),
				    v);
				errors++;
			}
		} else if (rc == CM_ENOTFOUND) {
			form_diags_add(
			    d, name, lineno, 1, _("unknown key \"%s\""), k);
			errors++;
		} else if (rc != 0) {
			form_diags_add(d, name, lineno, 1,
			    _("bad value for \"%s\": \"%s\""), k, v);
			errors++;
		}
	}
	if (c->warning_yellow >= c->warning_red) {
		form_diags_add(d, name, 1, 1,
		    _("warning_yellow must be below warning_red"));
		errors++;
	}
	return errors == 0 ? 0 : CM_EPARSE;
}
