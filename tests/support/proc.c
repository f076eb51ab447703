/*
 * proc.c: see proc.h.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t
ow_spawn(const char *const *argv, const char *const *env, const char *out_path)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
			putenv((char *)(uintptr_t)env[i]);
		}
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

int
ow_wait_status(pid_t pid)
{
	int st = 0;

	if (pid < 0) {
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
