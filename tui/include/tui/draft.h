/*
 * draft.h: the form being typed, kept on the clerk's machine so that a
 * dropped SSH session, a crash or a power cut loses nothing typed. One
 * draft per user: the matter, the applicant's ID number, every field's
 * raw value or choice, the materials ticked and the ticket. The file is
 * JSON, mode 0600 in a 0700 folder (it holds personal data), written to a
 * temporary file, synced and renamed over the old one, so it is always a
 * whole draft or none. It goes when the case is saved or the form is left
 * on purpose.
 */
#ifndef TUI_DRAFT_H
#define TUI_DRAFT_H

#include <stddef.h>

#include "tui/form.h"

/*
 * The draft file of user: $OW_DRAFT_DIR, else $XDG_STATE_HOME/onewindow,
 * else ~/.local/state/onewindow, then "draft-USER.json" (characters of
 * the user name other than letters, digits, '.', '-' and '_' become '_').
 * Returns 0, or CM_ETOOBIG when it does not fit in size.
 */
int tui_draft_path(const char *user, char *out, size_t size);

/* Write the form's draft (creating the folders). 0 or a CM_E* code. */
int tui_draft_save(
    const struct tui_form *fm, const char *ticket, const char *path);

/*
 * The matter code of the draft at path, into code (size bytes): 0,
 * CM_ENOTFOUND (no draft) or CM_ECORRUPT (not a draft: the file is left
 * for a person to look at, and the desk starts without it).
 */
int tui_draft_peek(const char *path, char *code, size_t size);

/*
 * Put the draft's values into fm (a fresh form of the same matter);
 * ticket (tsize bytes) receives its ticket. Values that no longer fit
 * the form (a field gone from a newer version) are dropped. 0,
 * CM_ENOTFOUND, CM_ECORRUPT, CM_EINVAL (another matter) or CM_ENOMEM.
 */
int tui_draft_apply(
    struct tui_form *fm, const char *path, char *ticket, size_t tsize);

/* Remove the draft; no draft is fine. 0 or CM_EIO. */
int tui_draft_remove(const char *path);

#endif
