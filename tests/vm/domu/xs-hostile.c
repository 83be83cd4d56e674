// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-xs-hostile: what a hostile domU does to xenstore, from inside it
 * (the rig's domU, domu/init). Xen's own client says only that a write
 * failed; this says why, and writes faster than a process per write can.
 *
 *   iosup-xs-hostile write PATH VALUE
 *	one write; prints "ok" (exit 0) or the errno's name, "EACCES" for
 *	a permission refused (exit 1)
 *   iosup-xs-hostile rm PATH
 *	the same for a removal
 *   iosup-xs-hostile storm PATH SECONDS WRITERS
 *	writes to PATH for SECONDS, as fast as xenstored answers, each its
 *	own request (no transaction: every one a commit that fires its
 *	watches), from WRITERS processes, each waiting for its reply. The
 *	storm lasts a fixed time, not a fixed count: its rate is xenstored's
 *	under TCG (250 to 360 a second measured with 4 writers) and falls
 *	when the host is loaded. Each value a valid stats report claiming the
 *	bound at its level, its hits counting the writes. Prints
 *	"writes=N failed=F ms=T" (exit 0 if none failed)
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EINVAL:
		return "EINVAL";
	case E2BIG:
		return "E2BIG";
	case ENOSPC:
		return "ENOSPC";
	case EDQUOT:
		return "EDQUOT";
	case EAGAIN:
		return "EAGAIN";
	case EBUSY:
		return "EBUSY";
	default:
		return "other";
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One writer's share: writes @first, @first + @step, ... until @end. */
static unsigned long writer(struct xs_handle *xs, const char *path, unsigned long first,
			    unsigned long step, uint64_t end, unsigned long *failed)
{
	unsigned long i, done = 0;
	char value[128];
	int n;

	for (i = first; now_ms() < end; i += step) {
		n = snprintf(value, sizeof(value),
			     "hits=%lu misses=0 pool=4294967296 limit=262144", i);
		if (!xs_write(xs, XBT_NULL, path, value, (unsigned int)n))
			(*failed)++;
		done++;
	}
	return done;
}

/* Each writer its own connection, its counts back through a pipe. */
static int storm(const char *path, unsigned long seconds, unsigned long writers)
{
	uint64_t start = now_ms(), end = start + (uint64_t)seconds * 1000;
	unsigned long w, done = 0, failed = 0, got[2];
	int fds[2], status;

	if (pipe(fds))
		return 2;
	for (w = 0; w < writers; w++) {
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (!pid) {
			struct xs_handle *xs = xs_open(0);

			got[0] = got[1] = 0;
			if (xs) {
				got[0] = writer(xs, path, w, writers, end, &got[1]);
				xs_close(xs);
			}
			_exit(write(fds[1], got, sizeof(got)) == sizeof(got) ? 0 : 1);
		}
	}
	close(fds[1]);
	while (read(fds[0], got, sizeof(got)) == sizeof(got)) {
		done += got[0];
		failed += got[1];
	}
	while (wait(&status) > 0)
		;
	printf("writes=%lu failed=%lu ms=%" PRIu64 "\n", done, failed, now_ms() - start);
	return !failed ? 0 : 1;
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || !v) {
		fprintf(stderr, "iosup-xs-hostile: '%s' is not a positive number\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	bool ok;
	int r;

	if (argc < 3) {
		fprintf(stderr, "usage: iosup-xs-hostile write PATH VALUE | rm PATH | storm PATH SECONDS WRITERS\n");
		return 2;
	}
	xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "iosup-xs-hostile: xs_open: %s\n", strerror(errno));
		return 2;
	}
	if (!strcmp(argv[1], "storm") && argc == 5) {
		r = storm(argv[2], number(argv[3]), number(argv[4]));
	} else if ((!strcmp(argv[1], "write") && argc == 4) ||
		   (!strcmp(argv[1], "rm") && argc == 3)) {
		errno = 0;
		ok = argc == 4 ? xs_write(xs, XBT_NULL, argv[2], argv[3], strlen(argv[3]))
			       : xs_rm(xs, XBT_NULL, argv[2]);
		printf("%s\n", ok ? "ok" : errno_name(errno));
		r = ok ? 0 : 1;
	} else {
		fprintf(stderr, "iosup-xs-hostile: unknown mode or arguments\n");
		r = 2;
	}
	xs_close(xs);
	return r;
}
