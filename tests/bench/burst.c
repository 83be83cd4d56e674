// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-burst: bursty page-table workloads, each a different stress on a
 * pool controller that looks at the pools once a period and grows them a
 * step at a time. Where iosup-lat-proc runs one process after another (a
 * pool of one process's tables covers it), these free and take many
 * tables at once:
 *
 *   alive N        N processes alive at once: forked one by one, each
 *                  waiting on a pipe until the last is forked, then all
 *                  exiting together; -r rounds of that
 *   wide N         the same, named apart: a burst wider than any before
 *                  it (the caller picks N)
 *   threads T K    T threads, released together by a barrier, each doing
 *                  K fork+exits: many processes born and dying at once,
 *                  few alive at any time
 *   mmap K         one process mapping a region of -S MiB (default 2048)
 *                  at a 512 GiB boundary, touching one page every 2 MiB
 *                  (one PTE table each, and the PMD and PUD tables above
 *                  them), and unmapping it, K times: a thousand tables
 *                  freed at once without a process exiting
 *   steady B S     for S seconds, once a second: the B processes forked
 *                  the second before exit together, then B new ones are
 *                  forked and wait; a steady churn whose tables go back
 *                  and forth through the pools at a known rate
 *
 * Prints one key=value line per run:
 *   iosup-burst tag=TAG shape=SHAPE forks=F rounds=R width=W tables=T seconds=S
 * forks: processes created; width: processes alive at once at the most;
 * tables: page tables one mmap round frees (0 for the other shapes).
 * With -m the run is marked in the kernel log, "IOSUP-MARK begin TAG
 * procs=F" and "IOSUP-MARK end TAG", with a quiet second on each side and
 * the IOSUP_MARK_PROBE read as iosup-lat-proc does (see mark_probe.h), so
 * the rig can count what the burst cost per process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mark_probe.h"

/* Processes alive at once: 4096 small ones are about 250 MiB of dom0. */
#define MAX_WIDTH 4096UL
#define MAX_ROUNDS 100000UL
#define MAX_THREADS 64UL
#define MAX_FORKS_PER_THREAD 1000000UL
#define MAX_MMAP_ROUNDS 100000UL
#define MAX_STEADY_SECONDS 3600UL

/* One PTE table maps 2 MiB, one PMD table 1 GiB, one PUD table 512 GiB. */
#define PTE_SPAN (2UL << 20)
#define PMD_SPAN (1UL << 30)
#define PUD_SPAN (512UL << 30)
/*
 * Where mmap maps: the first 512 GiB boundary past 32 TiB, far from
 * anything else in a process (its stack and libraries sit below 128 TiB,
 * its heap near its program), so that the PUD table of that region holds
 * nothing else and munmap frees it too.
 */
#define MMAP_ADDR (64 * PUD_SPAN)
/* 2048 MiB: 1024 PTE tables, 2 PMD tables, 1 PUD table a round. */
#define MMAP_DEFAULT_MIB 2048UL
/* At most one PUD table's reach: the region then stays under one. */
#define MMAP_MAX_MIB (512UL << 10)

enum shape { SHAPE_ALIVE, SHAPE_WIDE, SHAPE_THREADS, SHAPE_MMAP, SHAPE_STEADY };

static const char *const shape_names[] = {
	[SHAPE_ALIVE] = "alive",
	[SHAPE_WIDE] = "wide",
	[SHAPE_THREADS] = "threads",
	[SHAPE_MMAP] = "mmap",
	[SHAPE_STEADY] = "steady",
};

struct options {
	enum shape shape;
	unsigned long a, b;	/* the shape's arguments */
	unsigned long rounds;	/* -r: alive and wide */
	unsigned long mmap_mib;	/* -S: mmap */
	int mark;
	const char *tag;
};

struct result {
	unsigned long forks, rounds, width, tables;
};

static struct mark_probe probe;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iosup-burst [-m] [-t TAG] [-r ROUNDS] [-S MIB] SHAPE ARGS...\n"
		"  alive N      N processes alive at once, exiting together (N 1..%lu)\n"
		"  wide N       the same, for a burst wider than any before it\n"
		"  threads T K  T threads (1..%lu) each doing K fork+exits at once\n"
		"  mmap K       K rounds of mapping -S MiB, a page touched every 2 MiB,\n"
		"               and unmapping it (K 1..%lu)\n"
		"  steady B S   for S seconds (1..%lu), once a second: the previous\n"
		"               second's B processes exit, B new ones are forked\n"
		"  -r ROUNDS    alive, wide: how many times (default 1, at most %lu)\n"
		"  -S MIB       mmap: the region's size, a multiple of 2 (default %lu,\n"
		"               at most %lu)\n"
		"  -t TAG       the phase's name in marks and on the result line\n"
		"               (default: SHAPE)\n"
		"  -m           mark the run in the kernel log (/dev/kmsg)\n"
		"environment:\n"
		"  IOSUP_MARK_PROBE  a block device (absolute path): with -m, read its\n"
		"              first 4 KiB with O_DIRECT after each mark\n",
		MAX_WIDTH, MAX_THREADS, MAX_MMAP_ROUNDS, MAX_STEADY_SECONDS,
		MAX_ROUNDS, MMAP_DEFAULT_MIB, MMAP_MAX_MIB);
}

/* A count from 1 to max; says what is wrong with s otherwise. */
static int parse_count(const char *what, const char *s, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9') {
		fprintf(stderr, "iosup-burst: %s: '%s' is not a number\n", what, s);
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > max) {
		fprintf(stderr, "iosup-burst: %s: '%s' is not a number from 1 to %lu\n",
			what, s, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const char *const arg_names[][2] = {
		[SHAPE_ALIVE] = { "N", NULL },
		[SHAPE_WIDE] = { "N", NULL },
		[SHAPE_THREADS] = { "T", "K" },
		[SHAPE_MMAP] = { "K", NULL },
		[SHAPE_STEADY] = { "B", "S" },
	};
	static const unsigned long arg_max[][2] = {
		[SHAPE_ALIVE] = { MAX_WIDTH, 0 },
		[SHAPE_WIDE] = { MAX_WIDTH, 0 },
		[SHAPE_THREADS] = { MAX_THREADS, MAX_FORKS_PER_THREAD },
		[SHAPE_MMAP] = { MAX_MMAP_ROUNDS, 0 },
		[SHAPE_STEADY] = { MAX_WIDTH, MAX_STEADY_SECONDS },
	};
	int c, rounds_set = 0, mib_set = 0, nargs;
	size_t i;

	o->rounds = 1;
	o->mmap_mib = MMAP_DEFAULT_MIB;
	o->mark = 0;
	o->tag = NULL;
	o->a = o->b = 0;
	while ((c = getopt(argc, argv, "+r:S:t:mh")) != -1) {
		switch (c) {
		case 'r':
			if (parse_count("-r", optarg, MAX_ROUNDS, &o->rounds))
				return -EINVAL;
			rounds_set = 1;
			break;
		case 'S':
			if (parse_count("-S", optarg, MMAP_MAX_MIB, &o->mmap_mib))
				return -EINVAL;
			if (o->mmap_mib % 2) {
				fprintf(stderr, "iosup-burst: -S: %lu MiB is not a multiple of 2 MiB\n",
					o->mmap_mib);
				return -EINVAL;
			}
			mib_set = 1;
			break;
		case 't':
			if (!*optarg || strcspn(optarg, " \t\r\n=") != strlen(optarg) ||
			    strlen(optarg) > 48) {
				fprintf(stderr, "iosup-burst: -t: '%s' is not a tag (1 to 48 characters, no blanks or '=')\n",
					optarg);
				return -EINVAL;
			}
			o->tag = optarg;
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
	if (optind >= argc) {
		fprintf(stderr, "iosup-burst: name a SHAPE\n");
		usage(stderr);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(shape_names) / sizeof(shape_names[0]); i++)
		if (!strcmp(argv[optind], shape_names[i]))
			break;
	if (i == sizeof(shape_names) / sizeof(shape_names[0])) {
		fprintf(stderr, "iosup-burst: unknown SHAPE '%s' (alive, wide, threads, mmap, steady)\n",
			argv[optind]);
		return -EINVAL;
	}
	o->shape = (enum shape)i;
	nargs = arg_names[i][1] ? 2 : 1;
	if (argc - optind - 1 != nargs) {
		fprintf(stderr, "iosup-burst: %s takes %s%s%s\n", shape_names[i],
			arg_names[i][0], nargs == 2 ? " " : "",
			nargs == 2 ? arg_names[i][1] : "");
		return -EINVAL;
	}
	if (parse_count(arg_names[i][0], argv[optind + 1], arg_max[i][0], &o->a))
		return -EINVAL;
	if (nargs == 2 &&
	    parse_count(arg_names[i][1], argv[optind + 2], arg_max[i][1], &o->b))
		return -EINVAL;
	if (rounds_set && o->shape != SHAPE_ALIVE && o->shape != SHAPE_WIDE) {
		fprintf(stderr, "iosup-burst: -r goes with alive and wide only\n");
		return -EINVAL;
	}
	if (mib_set && o->shape != SHAPE_MMAP) {
		fprintf(stderr, "iosup-burst: -S goes with mmap only\n");
		return -EINVAL;
	}
	if (!o->tag)
		o->tag = shape_names[i];
	return 0;
}

/* The processes a run will create, known before it starts (for the mark). */
static unsigned long planned_forks(const struct options *o)
{
	switch (o->shape) {
	case SHAPE_ALIVE:
	case SHAPE_WIDE:
		return o->a * o->rounds;
	case SHAPE_THREADS:
	case SHAPE_STEADY:
		return o->a * o->b;
	case SHAPE_MMAP:
		break;
	}
	return 0;
}

static int settled_mark(const char *what, const struct options *o)
{
	return mark_settled(&probe, "iosup-burst", what, o->tag, planned_forks(o));
}

/* Reaps pid; 0 if it exited with status 0. */
static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/*
 * A batch of n processes that wait: each blocks reading the pipe until
 * its write end is closed (release_batch), then exits. Their pids in pids.
 * On failure the ones forked are released and reaped.
 */
struct batch {
	pid_t *pids;
	unsigned long n;
	int wfd;		/* the pipe's write end, -1 once released */
};

static int release_batch(struct batch *b);

static int fork_batch(struct batch *b, unsigned long n)
{
	int fds[2], r = 0;
	char c;

	b->n = 0;
	b->wfd = -1;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	b->wfd = fds[1];
	while (b->n < n) {
		pid_t pid = fork();

		if (pid < 0) {
			r = -errno;
			break;
		}
		if (pid == 0) {
			close(fds[1]);
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		b->pids[b->n++] = pid;
	}
	close(fds[0]);
	if (r)
		release_batch(b);
	return r;
}

/* All of the batch's processes exit together; 0 once all have. */
static int release_batch(struct batch *b)
{
	unsigned long i;
	int r = 0, e;

	if (b->wfd >= 0) {
		close(b->wfd);
		b->wfd = -1;
	}
	for (i = 0; i < b->n; i++) {
		e = reap(b->pids[i]);
		if (e && !r)
			r = e;
	}
	b->n = 0;
	return r;
}

static int run_alive(const struct options *o, struct result *res)
{
	struct batch b = { .pids = calloc(o->a, sizeof(pid_t)), .wfd = -1 };
	unsigned long round;
	int r = 0;

	if (!b.pids)
		return -ENOMEM;
	for (round = 0; round < o->rounds && !r; round++) {
		r = fork_batch(&b, o->a);
		if (r)
			break;
		res->forks += b.n;
		r = release_batch(&b);
		res->rounds++;
	}
	res->width = o->a;
	free(b.pids);
	return r;
}

struct thread_arg {
	pthread_barrier_t *barrier;
	unsigned long forks;
	unsigned long done;
	int err;
};

static void *fork_thread(void *p)
{
	struct thread_arg *t = p;
	unsigned long i;
	pid_t pid;

	pthread_barrier_wait(t->barrier);
	for (i = 0; i < t->forks; i++) {
		pid = fork();
		if (pid < 0) {
			t->err = -errno;
			break;
		}
		if (pid == 0)
			_exit(0);
		t->done++;
		t->err = reap(pid);
		if (t->err)
			break;
	}
	return NULL;
}

static int run_threads(const struct options *o, struct result *res)
{
	pthread_barrier_t barrier;
	pthread_t tids[MAX_THREADS];
	struct thread_arg args[MAX_THREADS];
	unsigned long i, started = 0;
	int r = 0;

	/* The caller's thread is the last to arrive: it releases them all. */
	r = -pthread_barrier_init(&barrier, NULL, (unsigned int)o->a + 1);
	if (r)
		return r;
	for (i = 0; i < o->a; i++) {
		args[i] = (struct thread_arg){ .barrier = &barrier, .forks = o->b };
		r = -pthread_create(&tids[i], NULL, fork_thread, &args[i]);
		if (r)
			break;
		started++;
	}
	if (r) {
		/* Nobody can pass the barrier now: give up before it. */
		fprintf(stderr, "iosup-burst: thread %lu: %s\n", started, strerror(-r));
		exit(1);
	}
	pthread_barrier_wait(&barrier);
	for (i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		res->forks += args[i].done;
		if (args[i].err && !r)
			r = args[i].err;
	}
	pthread_barrier_destroy(&barrier);
	res->rounds = o->b;
	res->width = o->a;
	return r;
}

static int run_mmap(const struct options *o, struct result *res)
{
	size_t len = o->mmap_mib << 20;
	unsigned long round, off;
	char *p;

	/* The tables a round builds and munmap frees: see MMAP_ADDR. */
	res->tables = len / PTE_SPAN + (len + PMD_SPAN - 1) / PMD_SPAN + 1;
	for (round = 0; round < o->a; round++) {
		p = mmap((void *)MMAP_ADDR, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				 MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		if (p != (char *)MMAP_ADDR) {
			/* A kernel before 4.17 takes the flag as a hint. */
			munmap(p, len);
			return -EEXIST;
		}
		/* A huge page would map 2 MiB without a PTE table. */
		if (madvise(p, len, MADV_NOHUGEPAGE) && errno != EINVAL)
			return -errno;
		for (off = 0; off < len; off += PTE_SPAN)
			p[off] = 1;
		if (munmap(p, len))
			return -errno;
		res->rounds++;
	}
	res->width = 1;
	return 0;
}

static int run_steady(const struct options *o, struct result *res)
{
	struct batch b = { .pids = calloc(o->a, sizeof(pid_t)), .wfd = -1 };
	struct timespec next;
	unsigned long s;
	int r = 0;

	if (!b.pids)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (s = 0; s < o->b; s++) {
		r = release_batch(&b);
		if (r)
			break;
		r = fork_batch(&b, o->a);
		if (r)
			break;
		res->forks += b.n;
		res->rounds++;
		next.tv_sec++;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	if (!r)
		r = release_batch(&b);
	else
		release_batch(&b);
	res->width = o->a;
	free(b.pids);
	return r;
}

int main(int argc, char **argv)
{
	struct options o;
	struct result res = { 0 };
	struct timespec t0, t1;
	int r;

	if (parse_args(argc, argv, &o))
		return 2;
	r = mark_probe_setup(&probe, "iosup-burst");
	if (r)
		return r;
	/* A child's status is ours to read: nothing may reap it first. */
	signal(SIGCHLD, SIG_DFL);

	if (o.mark && settled_mark("begin", &o))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	switch (o.shape) {
	case SHAPE_ALIVE:
	case SHAPE_WIDE:
		r = run_alive(&o, &res);
		break;
	case SHAPE_THREADS:
		r = run_threads(&o, &res);
		break;
	case SHAPE_MMAP:
		r = run_mmap(&o, &res);
		break;
	case SHAPE_STEADY:
		r = run_steady(&o, &res);
		break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r) {
		fprintf(stderr, "iosup-burst: %s: %s after %lu processes\n", o.tag,
			r == -ECHILD ? "a child did not exit with status 0" :
				       strerror(-r),
			res.forks);
		return 1;
	}
	if (o.mark && settled_mark("end", &o))
		return 1;
	printf("iosup-burst tag=%s shape=%s forks=%lu rounds=%lu width=%lu tables=%lu seconds=%.2f\n",
	       o.tag, shape_names[o.shape], res.forks, res.rounds, res.width,
	       res.tables,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
