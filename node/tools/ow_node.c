/*
 * ow_node.c: `ow-node`, the hall node: `init` makes a data directory,
 * `run` serves it in the foreground until SIGTERM or SIGINT.
 */
#include "../src/node.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/i18n.h"
#include "common/tty.h"
#include "common/log.h"

#include <getopt.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_PROBLEM = 1, EXIT_USAGE = 2 };

static void
usage(FILE *fp)
{
	fputs(
	    _("Usage:\n"
	      "  ow-node init DATADIR --node-id ID --hall NAME [--hall-code CODE]\n"
	      "               [--catalog DIR] [--calendar DIR]\n"
	      "  ow-node run DATADIR [--config FILE] [--set KEY=VALUE]... [--log-level LEVEL]\n"
	      "  ow-node restore BACKUPDIR DATADIR [--id N]\n"
	      "\n"
	      "init creates the data directory: the store, the node's Ed25519 key pair,\n"
	      "the first ops account \"admin\" (password from OW_ADMIN_PASSWORD, or asked\n"
	      "on the terminal), and the bundled matter catalog and calendar. It refuses\n"
	      "an existing directory.\n"
	      "\n"
	      "run serves the directory in the foreground: requests on\n"
	      "ipc://DATADIR/node.sock, events on ipc://DATADIR/events.sock (see the\n"
	      "configuration file, ow-node.conf.example, for TLS and the rest). SIGTERM\n"
	      "or SIGINT: finish the batch in flight and stop. SIGHUP: reload the\n"
	      "catalog and calendar, and the log level from --config.\n"
	      "\n"
	      "restore makes a new data directory from a backup (ow-ctl backup create;\n"
	      "the newest unless --id): the store and the node's key pair. Run it then:\n"
	      "it first takes back from its peers the changes it made after the backup,\n"
	      "and refuses new ones until they are back.\n"
	      "\n"
	      "Options:\n"
	      "  --node-id ID        this node's id: a-z, 0-9 and -, starting with a letter\n"
	      "  --hall NAME         the hall's name, e.g. 福田区政务服务大厅\n"
	      "  --hall-code CODE    2..8 capital letters and digits, in case ids (FT01);\n"
	      "                      default: the node id's letters and digits\n"
	      "  --catalog DIR       matter files (default: the bundled catalog)\n"
	      "  --calendar DIR      calendar files (default: the bundled calendar)\n"
	      "  --config FILE       configuration file\n"
	      "  --set KEY=VALUE     override one configuration key\n"
	      "  --log-level LEVEL   debug, info, warn or error\n"
	      "  -h, --help          this help\n"
	      "  --version           the version\n"),
	    fp);
}

static const char *
data_dir(const char *env, const char *src, const char *sub)
{
	static char buf[2][4096];
	static int i;
	const char *e = getenv(env);

	if (e != NULL && e[0] != '\0') {
		return e;
	}
	if (cm_is_dir(src)) {
		return src;
	}
	i = (i + 1) % 2;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", OW_INSTALL_DATA_DIR, sub);
	return buf[i];
}

/* Read a password from the terminal without echo. */

static int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"node-id", required_argument, NULL, 'i'},
	    {"hall", required_argument, NULL, 'H'},
	    {"hall-code", required_argument, NULL, 'c'},
	    {"catalog", required_argument, NULL, 'C'},
	    {"calendar", required_argument, NULL, 'L'},
	    {NULL, 0, NULL, 0},
	};
	const char *id = NULL, *hall = NULL, *code = NULL;
	const char *catalog =
	    data_dir("OW_CATALOG_DIR", OW_SRC_CATALOG_DIR, "catalog");
	const char *calendar =
	    data_dir("OW_CALENDAR_DIR", OW_SRC_CALENDAR_DIR, "calendar");
	char pw[256], again[256], dflt_code[9];
	const char *env = getenv("OW_ADMIN_PASSWORD");
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			id = optarg;
			break;
		case 'H':
			hall = optarg;
			break;
		case 'c':
			code = optarg;
			break;
		case 'C':
			catalog = optarg;
			break;
		case 'L':
			calendar = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || id == NULL || hall == NULL) {
		fprintf(stderr,
		    _("ow-node: init needs DATADIR, --node-id and --hall\n"));
		return EXIT_USAGE;
	}
	if (code == NULL) {
		/* The hall code starts every case id: by default the node id's
		 * letters and digits, upper-cased ("hall-ft" -> "HALLFT"). */
		size_t k = 0;

		for (const char *p = id;
		     *p != '\0' && k < sizeof(dflt_code) - 1; p++) {
			if ((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9')) {
				dflt_code[k++] =
				    (char)(*p >= 'a' ? *p - 'a' + 'A' : *p);
			}
		}
		dflt_code[k] = '\0';
		code = dflt_code;
	}
	cm_log_set_level(CM_LOG_WARN); /* init talks on stdout, not in logs */
	if (env != NULL) {
		snprintf(pw, sizeof(pw), "%s", env);
	} else {
		if (cm_tty_secret(_("Password for the ops account admin: "), pw,
		        sizeof(pw)) != 0 ||
		    cm_tty_secret(
		        _("The same again: "), again, sizeof(again)) != 0) {
			fprintf(stderr,
			    _("ow-node: no terminal to ask the password on; set OW_ADMIN_PASSWORD\n"));
			return EXIT_USAGE;
		}
		if (strcmp(pw, again) != 0) {
			fprintf(stderr, _("ow-node: the passwords differ\n"));
			return EXIT_USAGE;
		}
		sodium_memzero(again, sizeof(again));
	}
	rc = node_init_datadir(
	    argv[optind], id, hall, code, catalog, calendar, pw);
	sodium_memzero(pw, sizeof(pw));
	switch (rc) {
	case 0:
		printf(_("ow-node: %s initialised: node %s, hall %s (%s)\n"),
		    argv[optind], id, hall, code);
		return 0;
	case CM_EEXIST:
		fprintf(stderr,
		    _("ow-node: %s already exists; init refuses to touch it\n"),
		    argv[optind]);
		return EXIT_PROBLEM;
	case CM_EINVAL:
		fprintf(stderr,
		    _("ow-node: check the node id (a-z, 0-9, -), the hall code (e.g. FT01), the hall name and the password (at least 8 characters, not the user name)\n"));
		return EXIT_USAGE;
	default:
		fprintf(
		    stderr, _("ow-node: init failed: %s\n"), cm_strerror(rc));
		return EXIT_PROBLEM;
	}
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'f'},
	    {"set", required_argument, NULL, 's'},
	    {"log-level", required_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	struct node_config cfg;
	struct node n;
	const char *sets[32];
	int nsets = 0, c, rc;
	const char *config = NULL, *level = NULL;

	/* Two malloc arenas, before any thread starts. glibc gives each of
	 * the node's threads (loop, workers, nng's, RocksDB's) an arena of
	 * its own, up to eight per core, and each keeps what it freed: at a
	 * million cases the peak resident size was 262 MB with them and
	 * 221 MB with two, creates no slower (docs/benchmarks.md). An
	 * operator's MALLOC_ARENA_MAX wins. */
	if (getenv("MALLOC_ARENA_MAX") == NULL) {
		mallopt(M_ARENA_MAX, 2);
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			config = optarg;
			break;
		case 's':
			if (nsets == 32) {
				return EXIT_USAGE;
			}
			sets[nsets++] = optarg;
			break;
		case 'l':
			level = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	node_config_defaults(&cfg);
	if (config != NULL) {
		struct form_diags d;
		char *buf = NULL;
		size_t len = 0;

		rc = cm_file_read(config, 1 << 20, &buf, &len);
		if (rc != 0) {
			fprintf(stderr, _("ow-node: %s: %s\n"), config,
			    cm_strerror(rc));
			return EXIT_PROBLEM;
		}
		form_diags_init(&d);
		rc = node_config_parse(&cfg, config, buf, len, &d);
		form_diags_print(&d, stderr);
		form_diags_free(&d);
		cm_free(buf);
		if (rc != 0) {
			return EXIT_USAGE;
		}
	}
	for (int i = 0; i < nsets; i++) {
		char key[64];
		const char *eq = strchr(sets[i], '=');

		if (eq == NULL || (size_t)(eq - sets[i]) >= sizeof(key)) {
			fprintf(stderr, _("ow-node: --set wants KEY=VALUE\n"));
			return EXIT_USAGE;
		}
		snprintf(
		    key, sizeof(key), "%.*s", (int)(eq - sets[i]), sets[i]);
		if (node_config_set(&cfg, key, eq + 1) != 0) {
			fprintf(stderr, _("ow-node: bad --set %s\n"), sets[i]);
			return EXIT_USAGE;
		}
	}
	if (level != NULL && cm_log_parse_level(level, &cfg.log_level) != 0) {
		fprintf(stderr, _("ow-node: unknown log level %s\n"), level);
		return EXIT_USAGE;
	}
	cm_log_set_level(cfg.log_level);
	rc = node_open(&n, argv[optind], &cfg);
	if (rc == CM_EBUSY) {
		fprintf(stderr,
		    _("ow-node: another ow-node is running on %s\n"),
		    argv[optind]);
		return EXIT_PROBLEM;
	} else if (rc == CM_ENOENT) {
		fprintf(stderr,
		    _("ow-node: %s is not a data directory (run ow-node init)\n"),
		    argv[optind]);
		return EXIT_PROBLEM;
	} else if (rc != 0) {
		fprintf(stderr, _("ow-node: cannot open %s: %s\n"),
		    argv[optind], cm_strerror(rc));
		return EXIT_PROBLEM;
	}
	if (config != NULL) {
		snprintf(n.config_path, sizeof(n.config_path), "%s", config);
	}
	rc = node_serve(&n);
	node_close(&n);
	if (rc != 0) {
		fprintf(stderr, _("ow-node: %s\n"), cm_strerror(rc));
		return EXIT_PROBLEM;
	}
	return 0;
}

/* ow-node restore BACKUPDIR DATADIR [--id N] */
static int
cmd_restore(int argc, char **argv)
{
	unsigned long id = 0;
	char *end;
	int rc;

	if (argc == 5 && strcmp(argv[3], "--id") == 0) {
		id = strtoul(argv[4], &end, 10);
		if (argv[4][0] < '1' || argv[4][0] > '9' || *end != '\0' ||
		    id > UINT32_MAX) {
			fprintf(
			    stderr, _("ow-node: --id wants a backup number\n"));
			return EXIT_USAGE;
		}
	} else if (argc != 3) {
		usage(stderr);
		return EXIT_USAGE;
	}
	rc = node_restore_datadir(argv[1], (uint32_t)id, argv[2]);
	if (rc != 0) {
		fprintf(stderr, _("ow-node: cannot restore %s into %s: %s\n"),
		    argv[1], argv[2], cm_strerror(rc));
		return EXIT_PROBLEM;
	}
	printf(_("Restored into %s. Start it with: ow-node run %s\n"), argv[2],
	    argv[2]);
	return 0;
}

int
main(int argc, char **argv)
{
	if (cm_i18n_init(OW_BUILD_LOCALE_DIR, OW_INSTALL_LOCALE_DIR) != 0) {
		/* The node prints little; a non-UTF-8 locale only affects its
		 * messages, so go on with the untranslated ones. */
		setenv("LANGUAGE", "C", 1);
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ow-node: libsodium failed to start\n");
		return EXIT_PROBLEM;
	}
	if (argc >= 2 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("ow-node (OneWindow) 0.1.0\n");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "init") == 0) {
		return cmd_init(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "run") == 0) {
		return cmd_run(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "restore") == 0) {
		return cmd_restore(argc - 1, argv + 1);
	}
	usage(stderr);
	return EXIT_USAGE;
}
