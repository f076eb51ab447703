/*
 * ow_desk.c: `ow-desk`, the clerk desk: the command line, the locale
 * check, and tui_desk_run (tui/desk.h), which does the rest.
 */
#include "common/i18n.h"
#include "common/utf8.h"
#include "node/client.h"
#include "node/queue.h"
#include "tui/desk.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_LOCK_MINUTES 10
#define DEFAULT_TIMEOUT_MS   5000

static void
usage(FILE *fp)
{
	fputs(
	    _("Usage: ow-desk [-d DATADIR | -n URL] [--window W] [options]\n"
	      "\n"
	      "The clerk desk: log in, call tickets, take in cases, print notices, find and\n"
	      "work cases of any hall.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --datadir DIR   the local node of DIR (ipc://DIR/node.sock, live events\n"
	      "                      from ipc://DIR/events.sock)\n"
	      "  -n, --node URL      a node's URL (tls+tcp://host:port needs --cert, --key, --ca)\n"
	      "  --events URL        the node's events when it is not local (default: none;\n"
	      "                      the screens then refresh every 30 seconds)\n"
	      "  --cert FILE, --key FILE, --ca FILE\n"
	      "                      TLS client certificate, its key, and the CA of the node\n"
	      "  -w, --window W      this desk's counter window, for calling tickets\n"
	      "                      (default: $OW_WINDOW)\n"
	      "  -u, --user NAME     the user name to start with (default: $OW_USER)\n"
	      "  --lock-minutes N    lock the desk after N minutes without a key (default 10;\n"
	      "                      0 never)\n"
	      "  --print CMD         print notices by piping them to CMD, run by /bin/sh\n"
	      "                      (e.g. \"lp -d counter3\"; default: $OW_PRINT)\n"
	      "  --notice-dir DIR    without a print command, notices are saved as files in\n"
	      "                      DIR (default: $OW_NOTICE_DIR, else ~/ow-notices)\n"
	      "  -h, --help          this help\n"
	      "  --version           the version\n"
	      "\n"
	      "OW_DATADIR stands for -d; OW_TIMEOUT_MS bounds each call (5000).\n"
	      "The terminal must use UTF-8 and be at least 80x24. NO_COLOR=1 turns colours off.\n"),
	    fp);
}

#if defined(__SANITIZE_ADDRESS__)
/*
 * LeakSanitizer reads this at start (sanitizer builds only). libpanelw
 * allocates a pseudo-panel for stdscr with the first new_panel and frees
 * it only when ncurses is built with NO_LEAKS, which Debian's is not:
 * 32 bytes once per process, after every panel of ours is deleted.
 * Nothing else is suppressed.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libpanelw.so\n";
}

/* Quiet about that one suppression at exit; LSAN_OPTIONS overrides. */
const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

enum {
	O_CERT = 256,
	O_KEY,
	O_CA,
	O_EVENTS,
	O_LOCK,
	O_PRINT,
	O_NOTICE_DIR,
	O_VERSION,
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"datadir", required_argument, NULL, 'd'},
	    {"node", required_argument, NULL, 'n'},
	    {"events", required_argument, NULL, O_EVENTS},
	    {"cert", required_argument, NULL, O_CERT},
	    {"key", required_argument, NULL, O_KEY},
	    {"ca", required_argument, NULL, O_CA},
	    {"window", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"lock-minutes", required_argument, NULL, O_LOCK},
	    {"print", required_argument, NULL, O_PRINT},
	    {"notice-dir", required_argument, NULL, O_NOTICE_DIR},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, O_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct tui_desk_options o;
	const char *datadir = NULL, *url = NULL, *env;
	char url_buf[1100], events_buf[1100];
	int c;
	int bad;

	/* Before anything is drawn: a terminal that cannot show UTF-8 would
	 * garble every Chinese name, so the desk refuses it. The locale
	 * cannot show the translation either: this message is English. */
	if (cm_i18n_init(OW_BUILD_LOCALE_DIR, OW_INSTALL_LOCALE_DIR) != 0) {
		fprintf(stderr,
		    "ow-desk: the locale's character set is not UTF-8; set LANG or LC_ALL to a UTF-8 locale (e.g. C.UTF-8)\n");
		return TUI_EXIT_USAGE;
	}
	if ((bad = cm_utf8_bad_arg(argc, argv)) != 0) {
		fprintf(stderr, _("ow-desk: argument %d is not valid UTF-8\n"),
		    bad);
		return TUI_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.window = getenv("OW_WINDOW");
	o.user = getenv("OW_USER");
	o.lock_seconds = DEFAULT_LOCK_MINUTES * 60;
	o.print_cmd = getenv("OW_PRINT");
	o.notice_dir = getenv("OW_NOTICE_DIR");
	while ((c = getopt_long(argc, argv, "d:n:w:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			datadir = optarg;
			break;
		case 'n':
			url = optarg;
			break;
		case O_EVENTS:
			o.events_url = optarg;
			break;
		case O_CERT:
			o.cert = optarg;
			break;
		case O_KEY:
			o.key = optarg;
			break;
		case O_CA:
			o.ca = optarg;
			break;
		case 'w':
			o.window = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case O_LOCK: {
			char *end;
			long m = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || m < 0 ||
			    m > 24 * 60) {
				fprintf(stderr,
				    _("ow-desk: --lock-minutes wants 0..1440\n"));
				return TUI_EXIT_USAGE;
			}
			o.lock_seconds = (int)m * 60;
			break;
		}
		case O_PRINT:
			o.print_cmd = optarg;
			break;
		case O_NOTICE_DIR:
			o.notice_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return TUI_EXIT_OK;
		case O_VERSION:
			printf("ow-desk (OneWindow) 0.1.0\n");
			return TUI_EXIT_OK;
		default:
			usage(stderr);
			return TUI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return TUI_EXIT_USAGE;
	}
	if (datadir == NULL && url == NULL) {
		datadir = getenv("OW_DATADIR");
	}
	if (url != NULL) {
		snprintf(url_buf, sizeof(url_buf), "%s", url);
	} else if (datadir != NULL) {
		node_client_local_url(datadir, url_buf, sizeof(url_buf));
		if (o.events_url == NULL) {
			snprintf(events_buf, sizeof(events_buf),
			    "ipc://%s/events.sock", datadir);
			o.events_url = events_buf;
		}
	} else {
		fprintf(stderr,
		    _("ow-desk: say which node: -d DATADIR or -n URL\n"));
		return TUI_EXIT_USAGE;
	}
	o.url = url_buf;
	if (o.window != NULL && o.window[0] == '\0') {
		o.window = NULL;
	}
	if (o.window != NULL && !node_queue_window_valid(o.window)) {
		fprintf(stderr,
		    _("ow-desk: a window is 1 to 15 letters, digits or '-': \"%s\"\n"),
		    o.window);
		return TUI_EXIT_USAGE;
	}
	env = getenv("OW_TIMEOUT_MS");
	o.timeout_ms =
	    env != NULL && atoi(env) > 0 ? atoi(env) : DEFAULT_TIMEOUT_MS;
	/* For tests: the idle lock in seconds. */
	env = getenv("OW_DESK_LOCK_SECONDS");
	if (env != NULL && atoi(env) > 0) {
		o.lock_seconds = atoi(env);
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s",
		    _("ow-desk: needs a terminal on stdin and stdout\n"));
		return TUI_EXIT_USAGE;
	}
	return tui_desk_run(&o);
}
