// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-lat-proc: process creation latency, in the spirit of lmbench's
 * lat_proc. It is the churn workload of the rig: every iteration builds a
 * page-table tree for a new process and tears it down again, which on a Xen
 * PV guest with a strict IOMMU is what floods the IOTLB with invalidations.
 *
 *   fork-exit  fork(); the child _exit()s at once
 *   fork-exec  fork(); the child execve()s this program, which exits (or,
 *              with -x, another program that exits at once)
 *   fork-sh    fork(); the child runs "/bin/sh -c '<this program> --child'"
 *
 * With -s N the parent first touches N pages 2 MiB apart, so that each fork
 * copies N more page tables and each exit or exec frees them: more tables
 * through the pools per process, for the price of one process.
 *
 * Prints one key=value line per run so that scripts can read it. With -m it
 * also writes "IOSUP-MARK begin|end TAG" to the kernel log around the timed
 * loop, so the rig can count exactly what these processes cost; when the
 * environment's IOSUP_MARK_PROBE names a block device (an absolute path),
 * each mark is followed by one 4 KiB O_DIRECT read of it, whose DMA shows
 * the rig where the mark lies in QEMU's trace (see mark_probe.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mark_probe.h"

#define MAX_ITERATIONS 10000000UL

/* One PTE table maps 2 MiB: a page touched every 2 MiB needs a table each. */
#define SPREAD_STRIDE (2UL << 20)
/* 4096 tables is 8 GiB of address space and 16 MiB of touched pages. */
#define MAX_SPREAD 4096UL

enum mode { MODE_FORK_EXIT, MODE_FORK_EXEC, MODE_FORK_SH };

static const char *const mode_names[] = {
	[MODE_FORK_EXIT] = "fork-exit",
	[MODE_FORK_EXEC] = "fork-exec",
	[MODE_FORK_SH] = "fork-sh",
};

struct options {
	enum mode mode;
	unsigned long iterations;
	unsigned long warmup;
	unsigned long spread;
	int print_each;
	int mark;
	const char *tag;
	const char *exec_path;
};

/* IOSUP_MARK_PROBE; static, so that its buffer is never a leak. */
static struct mark_probe probe;

static char self_path[PATH_MAX];
/* What fork-exec's child runs: this program, or -x's. */
static const char *exec_path = self_path;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iosup-lat-proc [-n ITERATIONS] [-w WARMUP] [-s TABLES] [-t TAG] [-x PROGRAM] [-e] [-m] MODE\n"
		"  MODE        fork-exit | fork-exec | fork-sh\n"
		"  -n N        timed iterations (default 1000, at most %lu)\n"
		"  -w N        untimed iterations first (default 10)\n"
		"  -s N        touch N pages 2 MiB apart first: N more page tables a\n"
		"              process (default 0, at most %lu)\n"
		"  -t TAG      label printed on the result line (default: MODE)\n"
		"  -x PROGRAM  fork-exec: the child execs PROGRAM (an absolute path)\n"
		"  -e          also print every iteration's latency in microseconds\n"
		"  -m          mark the timed loop in the kernel log (/dev/kmsg)\n"
		"environment:\n"
		"  IOSUP_MARK_PROBE  a block device (absolute path): with -m, read its\n"
		"              first 4 KiB with O_DIRECT after each mark, so that the\n"
		"              device's DMA shows where the mark lies in a DMA trace\n",
		MAX_ITERATIONS, MAX_SPREAD);
}

static int parse_count(const char *flag, const char *s, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (*s < '0' || *s > '9') {
		fprintf(stderr, "iosup-lat-proc: %s: '%s' is not a number\n",
			flag, s);
		return -EINVAL;
	}
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max) {
		fprintf(stderr,
			"iosup-lat-proc: %s: '%s' is not a number from 0 to %lu\n",
			flag, s, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int c;
	size_t i;

	o->iterations = 1000;
	o->warmup = 10;
	o->spread = 0;
	o->print_each = 0;
	o->mark = 0;
	o->tag = NULL;
	o->exec_path = NULL;
	while ((c = getopt(argc, argv, "n:w:s:t:x:emh")) != -1) {
		switch (c) {
		case 'n':
			if (parse_count("-n", optarg, MAX_ITERATIONS,
					&o->iterations))
				return -EINVAL;
			if (o->iterations == 0) {
				fprintf(stderr, "iosup-lat-proc: -n: must be at least 1\n");
				return -EINVAL;
			}
			break;
		case 'w':
			if (parse_count("-w", optarg, MAX_ITERATIONS, &o->warmup))
				return -EINVAL;
			break;
		case 's':
			if (parse_count("-s", optarg, MAX_SPREAD, &o->spread))
				return -EINVAL;
			break;
		case 't':
			o->tag = optarg;
			break;
		case 'x':
			if (optarg[0] != '/' || access(optarg, X_OK)) {
				fprintf(stderr, "iosup-lat-proc: -x: '%s' is not an executable absolute path\n",
					optarg);
				return -EINVAL;
			}
			o->exec_path = optarg;
			break;
		case 'e':
			o->print_each = 1;
			break;
		case 'm':
			o->mark = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "iosup-lat-proc: expected exactly one MODE\n");
		usage(stderr);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(argv[optind], mode_names[i])) {
			o->mode = (enum mode)i;
			if (o->exec_path && o->mode != MODE_FORK_EXEC) {
				fprintf(stderr, "iosup-lat-proc: -x goes with fork-exec only\n");
				return -EINVAL;
			}
			if (!o->tag)
				o->tag = mode_names[i];
			return 0;
		}
	}
	fprintf(stderr, "iosup-lat-proc: unknown MODE '%s' (fork-exit, fork-exec, fork-sh)\n",
		argv[optind]);
	return -EINVAL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs in the child; never returns. */
static void child(enum mode mode)
{
	char cmd[PATH_MAX + 16];

	switch (mode) {
	case MODE_FORK_EXIT:
		_exit(0);
	case MODE_FORK_EXEC:
		execl(exec_path, "iosup-lat-proc", "--child", (char *)NULL);
		break;
	case MODE_FORK_SH:
		snprintf(cmd, sizeof(cmd), "'%s' --child", self_path);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		break;
	}
	_exit(127);
}

static int one_process(enum mode mode)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child(mode);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return 0;
}

/*
 * Touches one byte every 2 MiB of a private anonymous mapping, so that the
 * tree holds one more PTE table per page. Without huge pages: a huge page
 * would map the 2 MiB without a table.
 */
static int spread_tables(unsigned long tables)
{
	size_t len = tables * SPREAD_STRIDE;
	unsigned long i;
	char *p;

	if (!tables)
		return 0;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* EINVAL: a kernel without THP, where there is nothing to refuse. */
	if (madvise(p, len, MADV_NOHUGEPAGE) && errno != EINVAL)
		return -errno;
	for (i = 0; i < tables; i++)
		p[i * SPREAD_STRIDE] = 1;
	return 0;
}

static int settled_mark(const char *what, const struct options *o)
{
	return mark_settled(&probe, "iosup-lat-proc", what, o->tag, o->iterations);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

int main(int argc, char **argv)
{
	struct options o;
	uint64_t *lat, total = 0;
	unsigned long i;
	ssize_t len;
	int r;

	/* The exec'ed child of fork-exec and fork-sh. */
	if (argc == 2 && !strcmp(argv[1], "--child"))
		return 0;

	if (parse_args(argc, argv, &o))
		return 2;
	r = mark_probe_setup(&probe, "iosup-lat-proc");
	if (r)
		return r;

	len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (len < 0) {
		perror("iosup-lat-proc: /proc/self/exe");
		return 1;
	}
	self_path[len] = '\0';
	if (o.exec_path)
		exec_path = o.exec_path;

	r = spread_tables(o.spread);
	if (r) {
		fprintf(stderr, "iosup-lat-proc: -s %lu: %s\n", o.spread,
			strerror(-r));
		return 1;
	}

	lat = calloc(o.iterations, sizeof(*lat));
	if (!lat) {
		fprintf(stderr, "iosup-lat-proc: out of memory for %lu samples\n",
			o.iterations);
		return 1;
	}

	for (i = 0; i < o.warmup + o.iterations; i++) {
		uint64_t t0;

		if (o.mark && i == o.warmup && settled_mark("begin", &o)) {
			free(lat);
			return 1;
		}
		t0 = now_ns();

		r = one_process(o.mode);
		if (r) {
			fprintf(stderr, "iosup-lat-proc: iteration %lu: %s\n", i,
				r == -ECHILD ? "child did not exit with status 0" :
					       strerror(-r));
			free(lat);
			return 1;
		}
		if (i >= o.warmup) {
			lat[i - o.warmup] = now_ns() - t0;
			total += lat[i - o.warmup];
		}
	}

	if (o.mark && settled_mark("end", &o)) {
		free(lat);
		return 1;
	}

	if (o.print_each)
		for (i = 0; i < o.iterations; i++)
			printf("%.1f\n", us(lat[i]));

	qsort(lat, o.iterations, sizeof(*lat), cmp_u64);
	printf("lat_proc tag=%s mode=%s iterations=%lu mean_us=%.1f min_us=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f spread=%lu\n",
	       o.tag, mode_names[o.mode], o.iterations,
	       us(total) / (double)o.iterations, us(lat[0]),
	       us(lat[o.iterations / 2]),
	       us(lat[(o.iterations * 99) / 100]),
	       us(lat[o.iterations - 1]), o.spread);
	free(lat);
	return 0;
}
