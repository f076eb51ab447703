/*
 * desk.h: the clerk desk ow-desk as a library: options in, the terminal
 * program run until the clerk quits. The executable (tui/tools/ow_desk.c)
 * parses the command line into these options; everything else is in
 * tui/src: the loop (desk.c), the terminal adapter (term.c), the calls
 * to the node (link.c, data.c), the node's events (events.c), the chrome
 * (chrome.c) and the screens (view_*.c).
 */
#ifndef TUI_DESK_H
#define TUI_DESK_H

#include <stdbool.h>

struct tui_desk_options {
	const char *url;             /* the node's API (ipc:// or tls+tcp://) */
	const char *events_url;      /* its events (ipc://DATADIR/events.sock),
	                           NULL: none (refresh by timer only) */
	const char *cert, *key, *ca; /* TLS client certificate, key, CA */
	const char *window;          /* counter window ("3"); NULL: none */
	const char *user;            /* prefill of the user name; NULL: none */
	int timeout_ms;              /* per call */
	int lock_seconds; /* idle time before the desk locks; 0: never */
	/* Notices: piped to print_cmd (run by /bin/sh, e.g. "lp"), or
	 * written as files into notice_dir when print_cmd is NULL. */
	const char *print_cmd;
	const char *notice_dir;
};

/* Exit statuses of ow-desk. */
enum {
	TUI_EXIT_OK = 0,
	TUI_EXIT_FAILED = 1, /* no terminal, out of memory */
	TUI_EXIT_USAGE = 2,
};

/*
 * Run the desk on the terminal (stdin/stdout) until the clerk quits or a
 * SIGTERM/SIGHUP/SIGINT arrives; the terminal is put back on every path.
 * Borrows opts. Returns a TUI_EXIT_* status.
 */
int tui_desk_run(const struct tui_desk_options *opts);

#endif
