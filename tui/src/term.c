/*
 * term.c: the desk's ncursesw adapter (see term.h): set-up and tear-down,
 * a terminal put back on fatal signals too, styles with and without
 * colour, key translation, and width-aware drawing.
 */
#include "term.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tui/keymap.h"
#include "tui/width.h"

static SCREEN *screen;
static WINDOW *input_win;
static bool colour;
static int cursor_shown = -1; /* curs_set state we set last; -1 unknown */

/* ---- Fatal signals ----------------------------------------------------- */

/*
 * A crash must not leave the clerk's terminal in raw mode on the
 * alternate screen. endwin() is not async-signal-safe, so the handler
 * only write()s the terminal's own reset strings, captured at start, and
 * restores the termios saved before curses changed it; then the previous
 * handler (the default, or a sanitizer's, which prints its report) takes
 * the signal.
 */
static const int fatal_signals[] = {
    SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};
#define N_FATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))
static struct sigaction old_actions[N_FATAL];
static struct termios saved_tio;
static bool have_tio;
static char reset_seq[256];
static size_t reset_len;
static volatile sig_atomic_t in_fatal;

static void
add_reset(const char *capname)
{
	char *s = tigetstr(capname);
	size_t n;

	if (s == NULL || s == (char *)-1) {
		return;
	}
	n = strlen(s);
	if (reset_len + n < sizeof(reset_seq)) {
		memcpy(reset_seq + reset_len, s, n);
		reset_len += n;
	}
}

static void
on_fatal(int sig, siginfo_t *info, void *uctx)
{
	size_t i;

	(void)uctx;
	if (!in_fatal) {
		in_fatal = 1;
		if (reset_len > 0) {
			ssize_t w = write(STDOUT_FILENO, reset_seq, reset_len);
			(void)w;
		}
		if (have_tio) {
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		}
	}
	for (i = 0; i < N_FATAL && fatal_signals[i] != sig; i++) {
	}
	if (i < N_FATAL) {
		sigaction(sig, &old_actions[i], NULL);
	} else {
		signal(sig, SIG_DFL);
	}
	/* A fault recurs when the handler returns, and the previous handler
	 * sees it with its real context; a signal that was sent must be
	 * sent again. */
	if (info == NULL || info->si_code <= 0 || sig == SIGABRT ||
	    sig == SIGQUIT) {
		raise(sig);
	}
}

static void
install_fatal_handlers(void)
{
	struct sigaction sa;

	reset_len = 0;
	add_reset("sgr0");
	add_reset("cnorm");
	add_reset("rmkx");
	add_reset("rmcup");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_FATAL; i++) {
		sigaction(fatal_signals[i], &sa, &old_actions[i]);
	}
}

static void
remove_fatal_handlers(void)
{
	for (size_t i = 0; i < N_FATAL; i++) {
		sigaction(fatal_signals[i], &old_actions[i], NULL);
	}
}

/* ---- Styles ------------------------------------------------------------ */

struct style_def {
	short fg, bg;  /* -1: the terminal's default */
	attr_t colour; /* attributes with colour */
	attr_t mono;   /* attributes without colour */
};

/* Every style is readable in monochrome: the "mono" column alone must
 * carry the meaning (bold, reverse, underline), colour only adds to it. */
static const struct style_def styles[TUI_S__COUNT] = {
    [TUI_S_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
    [TUI_S_TITLE] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [TUI_S_BORDER] = {COLOR_BLUE, -1, A_NORMAL, A_NORMAL},
    [TUI_S_STATUS] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [TUI_S_FKEY_NUM] = {-1, -1, A_BOLD, A_BOLD},
    [TUI_S_FKEY_LABEL] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [TUI_S_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [TUI_S_INFO] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    [TUI_S_FIELD] = {-1, -1, A_UNDERLINE, A_UNDERLINE},
    [TUI_S_FIELD_FOCUS] = {COLOR_BLACK, COLOR_WHITE, A_UNDERLINE,
        A_UNDERLINE | A_BOLD},
    [TUI_S_SELECTED] = {-1, -1, A_REVERSE, A_REVERSE},
    [TUI_S_HEADER] = {-1, -1, A_BOLD, A_BOLD},
    [TUI_S_YELLOW] = {COLOR_YELLOW, -1, A_NORMAL, A_NORMAL},
    [TUI_S_RED] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [TUI_S_OVERDUE] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
    [TUI_S_POPUP] = {-1, -1, A_NORMAL, A_NORMAL},
};

static bool
style_has_colour(enum tui_style s)
{
	return styles[s].fg >= 0 || styles[s].bg >= 0;
}

short
tui_style_pair(enum tui_style s)
{
	if (!colour || (unsigned)s >= TUI_S__COUNT || !style_has_colour(s)) {
		return 0;
	}
	return (short)(s + 1);
}

attr_t
tui_style_attr(enum tui_style s)
{
	if ((unsigned)s >= TUI_S__COUNT) {
		return A_NORMAL;
	}
	if (!colour) {
		return styles[s].mono;
	}
	return styles[s].colour | (attr_t)COLOR_PAIR(tui_style_pair(s));
}

void
tui_style_on(WINDOW *w, enum tui_style s)
{
	wattrset(w, (int)tui_style_attr(s));
}

static void
init_colours(void)
{
	const char *no_colour = getenv("NO_COLOR");

	/* https://no-color.org: set and not empty means no colour. */
	colour = has_colors() && (no_colour == NULL || no_colour[0] == '\0');
	if (!colour) {
		return;
	}
	start_color();
	use_default_colors();
	for (int s = 0; s < TUI_S__COUNT; s++) {
		if (style_has_colour((enum tui_style)s)) {
			init_pair((short)(s + 1), styles[s].fg, styles[s].bg);
		}
	}
}

bool
tui_term_has_colour(void)
{
	return colour;
}

/* ---- Start and stop ---------------------------------------------------- */

int
tui_term_start(void)
{
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		return -1;
	}
	set_term(screen);
	install_fatal_handlers();
	raw();
	noecho();
	nonl();
	set_escdelay(25);
	init_colours();
	/* A 1x1 window that is never drawn: wget_wch refreshes the window
	 * it reads from when that was touched, which would paint over the
	 * panels. It is refreshed once now so that it never is again. */
	input_win = newwin(1, 1, 0, 0);
	if (input_win == NULL) {
		tui_term_stop();
		return -1;
	}
	keypad(input_win, TRUE);
	nodelay(input_win, TRUE);
	leaveok(input_win, TRUE);
	wnoutrefresh(input_win);
	cursor_shown = -1;
	return 0;
}

bool
tui_term_active(void)
{
	return screen != NULL;
}

void
tui_term_stop(void)
{
	if (screen == NULL) {
		return;
	}
	if (cursor_shown == 0) {
		curs_set(1);
	}
	endwin();
	remove_fatal_handlers();
	if (input_win != NULL) {
		delwin(input_win);
		input_win = NULL;
	}
	delscreen(screen);
	screen = NULL;
	fflush(stdout);
}

WINDOW *
tui_term_input(void)
{
	return input_win;
}

void
tui_term_resize(int *rows, int *cols)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		resizeterm(ws.ws_row, ws.ws_col);
	}
	/* resizeterm touches every window: refresh the input window now so
	 * that reading a key does not. */
	wnoutrefresh(input_win);
	*rows = LINES;
	*cols = COLS;
}

/* ---- Keys -------------------------------------------------------------- */

static int
function_key(wint_t k)
{
	if (k >= (wint_t)KEY_F(1) && k <= (wint_t)KEY_F(12)) {
		return TUI_KC_F1 + (int)(k - (wint_t)KEY_F(1));
	}
	switch (k) {
	case KEY_UP:
		return TUI_KC_UP;
	case KEY_DOWN:
		return TUI_KC_DOWN;
	case KEY_LEFT:
		return TUI_KC_LEFT;
	case KEY_RIGHT:
		return TUI_KC_RIGHT;
	case KEY_HOME:
		return TUI_KC_HOME;
	case KEY_END:
		return TUI_KC_END;
	case KEY_PPAGE:
		return TUI_KC_PGUP;
	case KEY_NPAGE:
		return TUI_KC_PGDN;
	case KEY_IC:
		return TUI_KC_INSERT;
	case KEY_DC:
		return TUI_KC_DELETE;
	case KEY_BACKSPACE:
		return TUI_KC_BACKSPACE;
	case KEY_ENTER:
		return TUI_KC_ENTER;
	case KEY_BTAB:
		return TUI_KC_BACKTAB;
	default:
		return 0; /* KEY_RESIZE (libuv has SIGWINCH), mouse, ... */
	}
}

int
tui_term_read_key(void)
{
	wint_t k;
	int rc = wget_wch(input_win, &k);

	if (rc == ERR) {
		return -1;
	}
	if (rc == KEY_CODE_YES) {
		return function_key(k);
	}
	switch (k) {
	case '\t':
		return TUI_KC_TAB;
	case '\r':
	case '\n':
		return TUI_KC_ENTER;
	case 0x1b:
		return TUI_KC_ESC;
	case 0x7f:
	case 0x08:
		return TUI_KC_BACKSPACE;
	default:
		return k < TUI_KC_BASE ? (int)k : 0;
	}
}

void
tui_term_cursor(int y, int x)
{
	int want = y >= 0 ? 1 : 0;

	if (want) {
		/* After update_panels: newscr's cursor is where doupdate
		 * leaves the hardware cursor. */
		leaveok(newscr, FALSE);
		wmove(newscr, y, x);
	}
	if (want != cursor_shown) {
		curs_set(want);
		cursor_shown = want;
	}
}

/* ---- Drawing ----------------------------------------------------------- */

int
tui_put(WINDOW *w, int y, int x, int cols, const char *s, bool pad,
    enum tui_style style)
{
	char buf[4 * 512 + 1];
	int maxx = getmaxx(w), maxy = getmaxy(w);
	size_t n;

	if (y < 0 || y >= maxy || x < 0 || x >= maxx || cols <= 0) {
		return 0;
	}
	if (cols > maxx - x) {
		cols = maxx - x;
	}
	if (cols > 512) {
		cols = 512;
	}
	n = tui_fit(s != NULL ? s : "", (size_t)cols, pad, buf, sizeof(buf));
	tui_style_on(w, style);
	mvwaddstr(w, y, x, buf);
	tui_style_on(w, TUI_S_NORMAL);
	return (int)n;
}

void
tui_put_centred(
    WINDOW *w, int y, int x, int cols, const char *s, enum tui_style style)
{
	int width = (int)tui_str_width(s);

	if (width > cols) {
		width = cols;
	}
	tui_put(w, y, x + (cols - width) / 2, width, s, false, style);
}

void
tui_fill(WINDOW *w, int y, int x, int cols, enum tui_style style)
{
	tui_put(w, y, x, cols, "", true, style);
}

void
tui_box(WINDOW *w, int y, int x, int h, int wd, const char *title)
{
	if (h < 2 || wd < 2) {
		return;
	}
	tui_style_on(w, TUI_S_BORDER);
	mvwaddch(w, y, x, '+');
	mvwhline(w, y, x + 1, '-', wd - 2);
	mvwaddch(w, y, x + wd - 1, '+');
	for (int r = 1; r < h - 1; r++) {
		mvwaddch(w, y + r, x, '|');
		mvwaddch(w, y + r, x + wd - 1, '|');
	}
	mvwaddch(w, y + h - 1, x, '+');
	mvwhline(w, y + h - 1, x + 1, '-', wd - 2);
	mvwaddch(w, y + h - 1, x + wd - 1, '+');
	tui_style_on(w, TUI_S_NORMAL);
	if (title != NULL && title[0] != '\0' && wd > 6) {
		int n = tui_put(w, y, x + 2, wd - 6, " ", false, TUI_S_BORDER);

		n += tui_put(
		    w, y, x + 2 + n, wd - 6 - n, title, false, TUI_S_TITLE);
		tui_put(w, y, x + 2 + n, 1, " ", false, TUI_S_BORDER);
	}
}
