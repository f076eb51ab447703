/*
 * i18n.h: gettext for every user-visible string.
 *
 * Messages are English msgids in the "onewindow" text domain; po/zh_CN.po
 * holds the Chinese. Libraries use _() (translated at the call) and N_()
 * (marked, translated later).
 */
#ifndef CM_I18N_H
#define CM_I18N_H

#include <libintl.h>

#define CM_TEXTDOMAIN "onewindow"
#define _(s)          dgettext(CM_TEXTDOMAIN, s)
#define N_(s)         (s)
#define _n(s, p, n)   dngettext(CM_TEXTDOMAIN, s, p, (unsigned long)(n))

/*
 * Set the locale from the environment and bind the text domain. The
 * catalogue directory is $OW_LOCALEDIR when set, else build_dir when it
 * holds a catalogue, else install_dir. Returns 0, or CM_EUTF8 when the
 * locale's codeset is not UTF-8 (programs that show Chinese refuse then).
 */
int cm_i18n_init(const char *build_dir, const char *install_dir);

/* True when messages are to be shown in Chinese (gettext picked zh). */
int cm_i18n_is_zh(void);

#endif
