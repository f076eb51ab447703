/*
 * draft.c: the form's draft on the clerk's machine (tui/draft.h).
 */
#include "tui/draft.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/fs.h"

#define DRAFT_MAX (1u << 20)

int
tui_draft_path(const char *user, char *out, size_t size)
{
	const char *dir = getenv("OW_DRAFT_DIR"), *xdg, *home;
	char base[1024], name[80];
	size_t j = 0;

	if (dir != NULL && dir[0] != '\0') {
		snprintf(base, sizeof(base), "%s", dir);
	} else if ((xdg = getenv("XDG_STATE_HOME")) != NULL && xdg[0] == '/') {
		snprintf(base, sizeof(base), "%s/onewindow", xdg);
	} else {
		home = getenv("HOME");
		snprintf(base, sizeof(base), "%s/.local/state/onewindow",
		    home != NULL && home[0] != '\0' ? home : ".");
	}
	for (const char *p = user; *p != '\0' && j + 1 < sizeof(name); p++) {
		char c = *p;

		name[j++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                    (c >= '0' && c <= '9') || c == '.' ||
		                    c == '-' || c == '_'
		                ? c
		                : '_';
	}
	name[j] = '\0';
	if ((size_t)snprintf(out, size, "%s/draft-%s.json", base, name) >=
	    size) {
		return CM_ETOOBIG;
	}
	return 0;
}

/* mkdir -p of path's folder, 0700 for what is made. */
static int
make_parents(const char *path)
{
	char buf[1200];

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf)) {
		return CM_ETOOBIG;
	}
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
			return CM_EIO;
		}
		*p = '/';
	}
	return 0;
}

static json_t *
draft_json(const struct tui_form *fm, const char *ticket)
{
	json_t *j = json_object(), *fields = json_object(),
	       *mats = json_array();
	char *app = tui_editor_value(&fm->applicant);
	bool ok = j != NULL && fields != NULL && mats != NULL && app != NULL;

	if (ok) {
		ok = json_object_set_new(
		         j, "matter", json_string(fm->m->code)) == 0 &&
		     json_object_set_new(
		         j, "version", json_integer(fm->m->version)) == 0 &&
		     json_object_set_new(j, "applicant", json_string(app)) ==
		         0 &&
		     json_object_set_new(j, "ticket",
		         json_string(ticket != NULL ? ticket : "")) == 0;
	}
	for (size_t i = 0; ok && i < fm->m->nfields; i++) {
		const struct form_field *f = &fm->m->fields[i];
		json_t *v;

		if (tui_form_is_choice(f)) {
			if (fm->choice[i] < 0) {
				continue;
			}
			v = json_integer(fm->choice[i]);
		} else {
			char *s = tui_editor_value(&fm->eds[i]);

			if (s == NULL) {
				ok = false;
				break;
			}
			v = s[0] != '\0' ? json_string(s) : NULL;
			cm_free(s);
			if (v == NULL) {
				continue;
			}
		}
		ok = json_object_set_new(fields, f->id, v) == 0;
	}
	for (size_t i = 0; ok && i < fm->m->nmaterials; i++) {
		if (fm->handed[i]) {
			ok = json_array_append_new(mats,
			         json_string(fm->m->materials[i].id)) == 0;
		}
	}
	if (ok) {
		ok = json_object_set(j, "fields", fields) == 0 &&
		     json_object_set(j, "materials", mats) == 0;
	}
	json_decref(fields);
	json_decref(mats);
	cm_free(app);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int
tui_draft_save(const struct tui_form *fm, const char *ticket, const char *path)
{
	char tmp[1300];
	json_t *j;
	char *text;
	size_t len;
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		return CM_ETOOBIG;
	}
	if ((rc = make_parents(path)) != 0) {
		return rc;
	}
	j = draft_json(fm, ticket);
	if (j == NULL) {
		return CM_ENOMEM;
	}
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (text == NULL) {
		return CM_ENOMEM;
	}
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(text);
		return CM_EIO;
	}
	for (size_t off = 0; off < len && rc == 0;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			rc = CM_EIO;
		} else {
			off += (size_t)w;
		}
	}
	free(text);
	if (rc == 0 && fsync(fd) != 0) {
		rc = CM_EIO;
	}
	if (close(fd) != 0 && rc == 0) {
		rc = CM_EIO;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = CM_EIO;
	}
	if (rc != 0) {
		unlink(tmp);
	}
	return rc;
}

static int
load(const char *path, json_t **out)
{
	char *buf = NULL;
	size_t len = 0;
	json_t *j;
	int rc = cm_file_read(path, DRAFT_MAX, &buf, &len);

	*out = NULL;
	if (rc == CM_ENOENT || rc == CM_ENOTFOUND) {
		return CM_ENOTFOUND;
	}
	if (rc != 0) {
		return rc;
	}
	j = json_loadb(buf, len, 0, NULL);
	cm_free(buf);
	if (j == NULL || !json_is_object(j) ||
	    !json_is_string(json_object_get(j, "matter")) ||
	    !json_is_string(json_object_get(j, "applicant")) ||
	    !json_is_object(json_object_get(j, "fields")) ||
	    !json_is_array(json_object_get(j, "materials"))) {
		json_decref(j);
		return CM_ECORRUPT;
	}
	*out = j;
	return 0;
}

int
tui_draft_peek(const char *path, char *code, size_t size)
{
	json_t *j;
	int rc = load(path, &j);

	if (rc != 0) {
		return rc;
	}
	snprintf(
	    code, size, "%s", json_string_value(json_object_get(j, "matter")));
	json_decref(j);
	return 0;
}

int
tui_draft_apply(
    struct tui_form *fm, const char *path, char *ticket, size_t tsize)
{
	json_t *j, *fields, *v;
	const char *key;
	size_t i;
	int rc = load(path, &j);

	if (rc != 0) {
		return rc;
	}
	if (strcmp(json_string_value(json_object_get(j, "matter")),
	        fm->m->code) != 0) {
		json_decref(j);
		return CM_EINVAL;
	}
	tui_editor_paste(
	    &fm->applicant, json_string_value(json_object_get(j, "applicant")));
	snprintf(ticket, tsize, "%s",
	    json_is_string(json_object_get(j, "ticket"))
	        ? json_string_value(json_object_get(j, "ticket"))
	        : "");
	fields = json_object_get(j, "fields");
	json_object_foreach(fields, key, v)
	{
		for (size_t k = 0; k < fm->m->nfields; k++) {
			const struct form_field *f = &fm->m->fields[k];

			if (strcmp(f->id, key) != 0) {
				continue;
			}
			if (tui_form_is_choice(f) && json_is_integer(v)) {
				json_int_t c = json_integer_value(v);

				if (c >= 0 && c < tui_form_nchoices(fm, k)) {
					fm->choice[k] = (int)c;
				}
			} else if (!tui_form_is_choice(f) &&
			           json_is_string(v)) {
				tui_editor_paste(
				    &fm->eds[k], json_string_value(v));
			}
		}
	}
	json_array_foreach(json_object_get(j, "materials"), i, v)
	{
		for (size_t k = 0; json_is_string(v) && k < fm->m->nmaterials;
		     k++) {
			if (strcmp(fm->m->materials[k].id,
			        json_string_value(v)) == 0) {
				fm->handed[k] = true;
			}
		}
	}
	json_decref(j);
	fm->dirty = true;
	return tui_form_layout(fm);
}

int
tui_draft_remove(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT) {
		return CM_EIO;
	}
	return 0;
}
