/*
 * fs.c: whole-file reads and sorted directory listings.
 */
#include "common/fs.h"
#include "common/alloc.h"
#include "common/error.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
cm_file_read(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, used = 0;
	int rc = 0;

	if (fp == NULL) {
		return cm_err_from_errno(errno);
	}
	for (;;) {
		size_t got;

		if (used + 1 >= cap) {
			size_t ncap = cap == 0 ? 4096 : cap * 2;
			char *n;

			if (cap != 0 && cap - 1 > max) {
				rc = CM_ETOOBIG;
				goto fail;
			}
			n = cm_realloc(data, ncap);
			if (n == NULL) {
				rc = CM_ENOMEM;
				goto fail;
			}
			data = n;
			cap = ncap;
		}
		got = fread(data + used, 1, cap - used - 1, fp);
		used += got;
		if (used > max) {
			rc = CM_ETOOBIG;
			goto fail;
		}
		if (got == 0) {
			if (ferror(fp)) {
				rc = CM_EIO;
				goto fail;
			}
			break;
		}
	}
	fclose(fp);
	data[used] = '\0';
	*buf = data;
	*len = used;
	return 0;
fail:
	fclose(fp);
	cm_free(data);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
cm_file_list_free(char **list)
{
	if (list == NULL) {
		return;
	}
	for (size_t i = 0; list[i] != NULL; i++) {
		cm_free(list[i]);
	}
	cm_free(list);
}

int
cm_dir_list(const char *dir, const char *suffix, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **list = NULL;
	size_t count = 0, cap = 0;
	size_t slen = strlen(suffix);
	int rc = 0;

	if (d == NULL) {
		return cm_err_from_errno(errno);
	}
	while ((de = readdir(d)) != NULL) {
		size_t nlen = strlen(de->d_name);
		struct stat st;
		char *path;

		if (de->d_name[0] == '.' || nlen < slen ||
		    strcmp(de->d_name + nlen - slen, suffix) != 0) {
			continue;
		}
		path = cm_malloc(strlen(dir) + nlen + 2);
		if (path == NULL) {
			rc = CM_ENOMEM;
			goto fail;
		}
		sprintf(path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			cm_free(path);
			continue;
		}
		if (count + 2 > cap) {
			size_t ncap = cap == 0 ? 16 : cap * 2;
			char **nl = cm_reallocarray(list, ncap, sizeof(*nl));

			if (nl == NULL) {
				cm_free(path);
				rc = CM_ENOMEM;
				goto fail;
			}
			list = nl;
			cap = ncap;
		}
		list[count++] = path;
		list[count] = NULL;
	}
	closedir(d);
	if (list == NULL) {
		list = cm_calloc(1, sizeof(*list));
		if (list == NULL) {
			return CM_ENOMEM;
		}
	}
	qsort(list, count, sizeof(*list), cmp_str);
	*out = list;
	*n = count;
	return 0;
fail:
	closedir(d);
	cm_file_list_free(list);
	return rc;
}

int
cm_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
