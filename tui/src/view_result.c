/*
 * view_result.c: what a new case came to: its number, its state, and the
 * notice the applicant takes away (acceptance, 容缺, the one-time notice
 * of everything missing, or the refusal) with its verification code.
 * F6 prints it: piped to the configured print command (for example `lp`),
 * or written to a file in the notice folder when there is none.
 */
#include "desk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/i18n.h"
#include "node/workflow.h"
#include "tui/width.h"

static const struct tui_bind result_binds[] = {
    {TUI_KC_F(6), TUI_ACT_PRINT, N_("Print"), N_("Print the notice"), 0},
    {TUI_KC_F(3), TUI_ACT_OPEN, N_("Case"), N_("Open the case"), 0},
    {TUI_KC_UP, TUI_ACT_UP, NULL, N_("Scroll the notice"), 0},
    {TUI_KC_DOWN, TUI_ACT_DOWN, NULL, NULL, 0},
    {TUI_KC_PGUP, TUI_ACT_PAGE_UP, NULL, NULL, 0},
    {TUI_KC_PGDN, TUI_ACT_PAGE_DOWN, NULL, NULL, 0},
    {TUI_KC_ENTER, TUI_ACT_BACK, NULL, N_("Back to the home screen"), 0},
    {TUI_KC_ESC, TUI_ACT_BACK, N_("Back"), NULL, 0},
};
static const struct tui_keymap result_map = TUI_KEYMAP(result_binds);

/* The notice's file name: the case and the kind, nothing personal. */
static int
notice_path(struct tui_desk *d, char *out, size_t size)
{
	const char *dir = d->opts->notice_dir;
	char def[1024];

	if (dir == NULL || dir[0] == '\0') {
		const char *home = getenv("HOME");

		snprintf(def, sizeof(def), "%s/ow-notices",
		    home != NULL ? home : ".");
		dir = def;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		return CM_EIO;
	}
	if ((size_t)snprintf(out, size, "%s/%s-%s.txt", dir, d->result.case_id,
	        d->result.kind) >= size) {
		return CM_ETOOBIG;
	}
	return 0;
}

void
tui_result_print(struct tui_desk *d)
{
	struct tui_result *r = &d->result;
	const char *text = r->text != NULL ? r->text : "";
	char path[1200];
	FILE *fp;
	int rc;

	if (d->opts->print_cmd != NULL && d->opts->print_cmd[0] != '\0') {
		/* The print command reads the notice on its stdin; a
		 * spooler such as lp returns at once. */
		fp = popen(d->opts->print_cmd, "w");
		if (fp == NULL) {
			tui_desk_message(d, TUI_MSG_ERROR, "%s",
			    _("The print command could not be started."));
			return;
		}
		fputs(text, fp);
		rc = pclose(fp);
		if (rc != 0) {
			tui_desk_message(d, TUI_MSG_ERROR,
			    _("The print command failed (status %d)."),
			    WIFEXITED(rc) ? WEXITSTATUS(rc) : rc);
			return;
		}
		tui_desk_message(d, TUI_MSG_INFO, "%s",
		    _("The notice went to the printer."));
		return;
	}
	rc = notice_path(d, path, sizeof(path));
	if (rc == 0) {
		fp = fopen(path, "w");
		if (fp == NULL) {
			rc = CM_EIO;
		} else {
			fputs(text, fp);
			if (fclose(fp) != 0) {
				rc = CM_EIO;
			}
		}
	}
	if (rc != 0) {
		tui_desk_message(d, TUI_MSG_ERROR,
		    _("The notice could not be saved: %s"), cm_strerror(rc));
		return;
	}
	tui_desk_message(
	    d, TUI_MSG_INFO, _("The notice was saved to %s"), path);
}

static bool
result_action(struct tui_desk *d, enum tui_action a)
{
	struct tui_result *r = &d->result;

	switch (a) {
	case TUI_ACT_PRINT:
		tui_result_print(d);
		return true;
	case TUI_ACT_OPEN:
		if (r->case_id[0] != '\0') {
			tui_data_case_open(d, r->case_id, &tui_view_home);
		}
		return true;
	case TUI_ACT_UP:
		r->top = r->top > 0 ? r->top - 1 : 0;
		return true;
	case TUI_ACT_DOWN:
		r->top++;
		return true;
	case TUI_ACT_PAGE_UP:
		r->top = r->top > 10 ? r->top - 10 : 0;
		return true;
	case TUI_ACT_PAGE_DOWN:
		r->top += 10;
		return true;
	case TUI_ACT_BACK:
		tui_desk_switch(d, &tui_view_home);
		return true;
	default:
		return false;
	}
}

static const char *
kind_label(const char *kind)
{
	if (strcmp(kind, "acceptance") == 0) {
		return _("Acceptance notice");
	}
	if (strcmp(kind, "gaps") == 0) {
		return _("Acceptance with gaps (容缺)");
	}
	if (strcmp(kind, "onetime") == 0) {
		return _("One-time notice of everything missing");
	}
	if (strcmp(kind, "refusal") == 0) {
		return _("Refusal notice");
	}
	return kind;
}

static void
result_draw(struct tui_desk *d, WINDOW *w, struct tui_cursor *cur)
{
	struct tui_result *r = &d->result;
	int rows = getmaxy(w), cols = getmaxx(w), y = 4, line = 0;
	char buf[512];
	const char *p = r->text != NULL ? r->text : "";

	snprintf(buf, sizeof(buf), " %s %s  %s", _("Case"), r->case_id,
	    node_state_label((enum node_state)r->state));
	tui_put(w, 0, 0, cols, buf, true, TUI_S_TITLE);
	snprintf(buf, sizeof(buf), "%s   %s %s", kind_label(r->kind),
	    _("Verification code:"), r->verify);
	tui_put(w, 1, 2, cols - 4, buf, true, TUI_S_HEADER);
	tui_put(w, 2, 2, cols - 4,
	    _("F6 prints the notice for the applicant; Enter goes back."), true,
	    TUI_S_INFO);
	tui_box(w, 3, 0, rows - 3, cols, NULL);
	/* The notice, line by line, from r->top. */
	while (*p != '\0' && y < rows - 1) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		char l[1024];
		const char *q = l;

		/* A long line wraps at a whole character. */
		snprintf(l, sizeof(l), "%.*s", (int)len, p);
		do {
			char part[4 * 256 + 1];
			size_t used;

			tui_fit(q, (size_t)(cols - 4 > 256 ? 256 : cols - 4), 0,
			    part, sizeof(part));
			used = strlen(part);
			if (line >= r->top && y < rows - 1) {
				tui_put(w, y++, 2, cols - 4, part, true,
				    TUI_S_NORMAL);
			}
			line++;
			q += used;
			if (used == 0) {
				break;
			}
		} while (*q != '\0');
		p += len;
		if (*p == '\n') {
			p++;
		}
	}
	cur->win = NULL;
}

const struct tui_view_ops tui_view_result = {
    .name = "result",
    .keys = &result_map,
    .enter = NULL,
    .leave = NULL,
    .draw = result_draw,
    .action = result_action,
    .key = NULL,
    .typing = NULL,
    .unsaved = NULL,
    .help_intro = N_("The new case and the notice to hand to the applicant."),
    .help_more = NULL,
};
