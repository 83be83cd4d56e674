// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-spin: a fixed amount of computation and a fixed number of system
 * calls, each timed. Run on the host and in the rig's dom0, the times say
 * how much slower the emulated machine is at each, so that a CPU share
 * measured in the rig can be put in terms of real hardware: a program that
 * only computes is slowed by the first ratio, one that only makes system
 * calls by the second, and a daemon lies in between.
 *
 *   iosup-spin [ITERATIONS [SYSCALLS]]   (default 50,000,000 and 100,000)
 * Prints "spin iterations=N compute_ns=NS syscalls=N syscall_ns=NS".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 100000000000ULL

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int parse_count(const char *s, unsigned long long *out)
{
	char *end;

	if (*s < '1' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > MAX_COUNT ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	unsigned long long n = 50000000ULL, calls = 100000ULL, i;
	uint64_t x = 1, t0, compute_ns;
	volatile uint64_t sink;

	if (argc > 3 || (argc > 1 && parse_count(argv[1], &n)) ||
	    (argc > 2 && parse_count(argv[2], &calls))) {
		fprintf(stderr, "usage: iosup-spin [ITERATIONS [SYSCALLS]] (counts from 1 to 10^11)\n");
		return 2;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
	(void)sink;
	compute_ns = now_ns() - t0;
	/* getppid(): no argument, no caching in libc, nothing to wait for. */
	t0 = now_ns();
	for (i = 0; i < calls; i++)
		syscall(SYS_getppid);
	printf("spin iterations=%llu compute_ns=%llu syscalls=%llu syscall_ns=%llu\n",
	       n, (unsigned long long)compute_ns, calls, (unsigned long long)(now_ns() - t0));
	return 0;
}
