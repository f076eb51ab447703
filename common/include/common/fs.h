/*
 * fs.h: the few file-system helpers the tools need (reading a whole file,
 * listing a directory). Pure modules (forms/) never call these: they are
 * handed buffers.
 */
#ifndef CM_FS_H
#define CM_FS_H

#include <stddef.h>

/*
 * Read the whole file at path, at most max bytes. On success *buf (NUL
 * terminated; caller frees with cm_free) and *len are set. Returns 0,
 * CM_ENOENT, CM_EACCES, CM_ETOOBIG, CM_ENOMEM or CM_EIO.
 */
int cm_file_read(const char *path, size_t max, char **buf, size_t *len);

/*
 * List the regular files in dir whose names end in suffix, sorted by name,
 * as full paths. *out is a NULL-terminated array; free with
 * cm_file_list_free. Returns 0 or a CM_E* code.
 */
int cm_dir_list(const char *dir, const char *suffix, char ***out, size_t *n);
void cm_file_list_free(char **list);

/* True when path names a directory. */
int cm_is_dir(const char *path);

#endif
