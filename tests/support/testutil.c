/*
 * testutil.c: helpers shared by the unit tests.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/fs.h"

void
ow_assert_rc(int got, int want, const char *expr, const char *file, int line)
{
	if (got != want) {
		print_error("%s:%d: %s returned %s (%d), wanted %s (%d)\n",
		    file, line, expr, cm_err_name(got), got, cm_err_name(want),
		    want);
		_fail(file, line);
	}
}

int32_t
ow_day(const char *iso)
{
	int32_t d = 0;

	if (cm_date_parse(iso, &d) != 0) {
		fail_msg("bad date literal %s", iso);
	}
	return d;
}

char *
ow_read_src(const char *rel, size_t *len)
{
	char path[4096];
	char *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", OW_SRC_DIR, rel);
	if (cm_file_read(path, 1 << 24, &buf, len) != 0) {
		fail_msg("cannot read %s", path);
	}
	return buf;
}

static void
load_dir(const char *sub, void *target,
    int (*load)(
        void *, const char *, const char *, size_t, struct form_diags *))
{
	char dir[4096];
	char **files = NULL;
	size_t n = 0;
	struct form_diags d;

	snprintf(dir, sizeof(dir), "%s/%s", OW_SRC_DIR, sub);
	if (cm_dir_list(dir, ".json", &files, &n) != 0 || n == 0) {
		fail_msg("no files in %s", dir);
	}
	form_diags_init(&d);
	for (size_t i = 0; i < n; i++) {
		char *buf;
		size_t len;

		if (cm_file_read(files[i], 1 << 24, &buf, &len) != 0) {
			fail_msg("cannot read %s", files[i]);
		}
		load(target, files[i], buf, len, &d);
		cm_free(buf);
	}
	if (d.n != 0) {
		form_diags_print(&d, stderr);
		fail_msg("%zu diagnostics loading %s", d.n, dir);
	}
	form_diags_free(&d);
	cm_file_list_free(files);
}

static int
load_cal(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_calendar_load(t, name, buf, len, d);
}

static int
load_cat(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_catalog_load(t, name, buf, len, d);
}

struct form_calendar *
ow_bundled_calendar(void)
{
	struct form_calendar *cal = NULL;

	assert_rc(form_calendar_new(&cal), 0);
	load_dir("forms/calendar", cal, load_cal);
	return cal;
}

void
ow_bundled_catalog(struct form_catalog *c)
{
	load_dir("forms/catalog", c, load_cat);
	form_catalog_sort(c);
}
