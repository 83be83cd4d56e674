/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process storm the rig's in-dom0 measuring programs run themselves, so
 * that the counters they read around it count no process but the storm's.
 */
#ifndef IOSUP_GUEST_CHURN_H
#define IOSUP_GUEST_CHURN_H

/* The static churn program; exec'ing it keeps the tree the stock one. */
#define CHURN_EXEC_CHILD "/usr/bin/iosup-lat-proc"

enum churn_mode {
	CHURN_FORK_EXIT,	/* fork(); the child exits */
	CHURN_FORK_EXEC,	/* the child execs CHURN_EXEC_CHILD --child */
	CHURN_FORK_SH,		/* the child runs /bin/sh -c 'that --child' */
};

/* "fork-exit", "fork-exec" or "fork-sh" (iosup-lat-proc's names); -EINVAL. */
int churn_mode_parse(const char *s, enum churn_mode *mode);

/* @n processes, one after the other, each waited for; 0 or -errno. */
int churn_storm(unsigned long n, enum churn_mode mode);

#endif
