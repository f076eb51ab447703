/*
 * i18n.c: locale and text-domain set-up shared by the programs.
 */
#include "common/i18n.h"
#include "common/error.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
dir_has_catalog(const char *dir)
{
	struct stat st;
	char path[4096];

	if (dir == NULL || dir[0] == '\0') {
		return 0;
	}
	if ((size_t)snprintf(path, sizeof(path),
	        "%s/zh_CN/LC_MESSAGES/" CM_TEXTDOMAIN ".mo",
	        dir) >= sizeof(path)) {
		return 0;
	}
	return stat(path, &st) == 0;
}

int
cm_i18n_init(const char *build_dir, const char *install_dir)
{
	const char *dir = getenv("OW_LOCALEDIR");
	const char *codeset;

	setlocale(LC_ALL, "");
	if (dir == NULL || dir[0] == '\0') {
		dir = dir_has_catalog(build_dir) ? build_dir : install_dir;
	}
	if (dir != NULL) {
		bindtextdomain(CM_TEXTDOMAIN, dir);
	}
	bind_textdomain_codeset(CM_TEXTDOMAIN, "UTF-8");
	codeset = nl_langinfo(CODESET);
	if (codeset == NULL || strcmp(codeset, "UTF-8") != 0) {
		return CM_EUTF8;
	}
	return 0;
}

int
cm_i18n_is_zh(void)
{
	/* The msgid "en" is translated as "zh" in po/zh_CN.po. */
	return strcmp(dgettext(CM_TEXTDOMAIN, "language-code:en"),
	           "language-code:zh") == 0;
}
