/*
 * proc.h: starting the programs under test (ow-node, ow-ctl) from the
 * C tests and benchmarks, their output appended to a log file.
 */
#ifndef OW_TEST_PROC_H
#define OW_TEST_PROC_H

#include <sys/types.h>

/*
 * Start argv[0] with argv, stdout and stderr appended to out_path, after
 * putting the "K=V" entries of env (NULL-terminated; NULL for none) into
 * the child's environment. Returns the child's pid, or -1.
 */
pid_t ow_spawn(
    const char *const *argv, const char *const *env, const char *out_path);

/* Wait for pid; its exit status as a shell shows it (0..255, or 128 +
 * the signal), -1 when it cannot be waited for. */
int ow_wait_status(pid_t pid);

#endif
