// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "churn.h"

int churn_mode_parse(const char *s, enum churn_mode *mode)
{
	if (!strcmp(s, "fork-exit"))
		*mode = CHURN_FORK_EXIT;
	else if (!strcmp(s, "fork-exec"))
		*mode = CHURN_FORK_EXEC;
	else if (!strcmp(s, "fork-sh"))
		*mode = CHURN_FORK_SH;
	else
		return -EINVAL;
	return 0;
}

static void child(enum churn_mode mode)
{
	switch (mode) {
	case CHURN_FORK_EXIT:
		_exit(0);
	case CHURN_FORK_EXEC:
		execl(CHURN_EXEC_CHILD, "iosup-lat-proc", "--child", (char *)NULL);
		break;
	case CHURN_FORK_SH:
		execl("/bin/sh", "sh", "-c", CHURN_EXEC_CHILD " --child", (char *)NULL);
		break;
	}
	_exit(127);
}

int churn_storm(unsigned long n, enum churn_mode mode)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return -errno;
		if (pid == 0)
			child(mode);
		if (waitpid(pid, &status, 0) < 0)
			return -errno;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			return -ECHILD;
	}
	return 0;
}
