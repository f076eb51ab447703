/*
 * replay.c: run a fuzz target's LLVMFuzzerTestOneInput over every file of
 * its corpus directories (or single files), so ordinary test runs replay
 * what the fuzzer found. Exits non-zero if a directory is missing or empty.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;

	if (cm_file_read(path, 1 << 24, &buf, &len) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	cm_free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t total = 0;

	for (int i = 1; i < argc; i++) {
		char **files = NULL;
		size_t n = 0;

		if (!cm_is_dir(argv[i])) {
			if (run_file(argv[i]) != 0) {
				return 1;
			}
			total++;
			continue;
		}
		if (cm_dir_list(argv[i], "", &files, &n) != 0) {
			fprintf(stderr, "replay: cannot list %s\n", argv[i]);
			return 1;
		}
		for (size_t j = 0; j < n; j++) {
			if (run_file(files[j]) != 0) {
				cm_file_list_free(files);
				return 1;
			}
		}
		total += n;
		cm_file_list_free(files);
	}
	printf("replayed %zu inputs\n", total);
	return total == 0 ? 1 : 0;
}
