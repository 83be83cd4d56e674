// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-stale: no page-table entry survives a table's trip through the
 * pool. A table handed to a new process must be empty: a process that never
 * mapped a page must fault on its first touch, and read zeroes, even when
 * its page tables are ones another process filled and gave back.
 *
 *   iosup-stale [CHUNKS]
 *
 * A child maps CHUNKS 2 MiB chunks (16 by default) at one address, writes
 * a pattern into every page (one PTE table per chunk, every entry of it
 * present) and exits: its tables go back to the pool. A second child maps
 * the same range, writes one page per chunk (which takes a PTE table per
 * chunk, from the pool when it holds some) and reads every other page,
 * counting the reads that raise no page fault (getrusage's minor faults
 * around each read) and the bytes that are not zero. Huge pages are off
 * for the range, so that every chunk has its PTE table.
 *
 * Prints "checked=N nofault=F nonzero=Z" and exits 0 when F and Z are 0,
 * 1 when a stale entry showed, 2 when the check itself could not run.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK		(2UL << 20)
#define MAX_CHUNKS	1024

static long page_size;

static void die(const char *what)
{
	fprintf(stderr, "iosup-stale: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The range, mapped where it was reserved and nowhere else. */
static unsigned char *map_range(void *where, size_t len)
{
	void *p = mmap(where, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (p != where) {
		errno = EEXIST;
		die("mmap: not at the reserved address");
	}
	if (madvise(p, len, MADV_NOHUGEPAGE) && errno != EINVAL)
		die("madvise(MADV_NOHUGEPAGE)");
	return p;
}

static long minor_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		die("getrusage");
	return ru.ru_minflt;
}

/* The first process: every entry of every chunk's table present. */
static int fill(void *where, size_t len)
{
	unsigned char *p = map_range(where, len);

	for (size_t off = 0; off < len; off += page_size)
		memset(p + off, 0xa5, page_size);
	return 0;
}

/* The second: one page a chunk written, every other page read once. */
static int probe(void *where, size_t len)
{
	unsigned char *p = map_range(where, len);
	unsigned long checked = 0, nofault = 0, nonzero = 0;

	for (size_t chunk = 0; chunk < len; chunk += CHUNK)
		p[chunk] = 1;
	for (size_t chunk = 0; chunk < len; chunk += CHUNK) {
		for (size_t off = page_size; off < CHUNK; off += page_size) {
			long before = minor_faults();
			unsigned char byte = *(volatile unsigned char *)(p + chunk + off);

			if (minor_faults() == before)
				nofault++;
			if (byte)
				nonzero++;
			checked++;
		}
	}
	printf("checked=%lu nofault=%lu nonzero=%lu\n", checked, nofault, nonzero);
	fflush(stdout);
	return nofault || nonzero ? 1 : 0;
}

static int run_child(int (*fn)(void *, size_t), void *where, size_t len)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid)
		_exit(fn(where, len));
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status)) {
		fprintf(stderr, "iosup-stale: a child ended by signal %d\n",
			WIFSIGNALED(status) ? WTERMSIG(status) : -1);
		exit(2);
	}
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	unsigned long chunks = 16;
	size_t len;
	uintptr_t base;
	void *reserve;
	int ret;

	if (argc > 2) {
		fprintf(stderr, "usage: iosup-stale [CHUNKS]\n");
		return 2;
	}
	if (argc == 2) {
		char *end;

		errno = 0;
		chunks = strtoul(argv[1], &end, 10);
		if (errno || end == argv[1] || *end || !chunks || chunks > MAX_CHUNKS) {
			fprintf(stderr, "iosup-stale: CHUNKS: '%s' is not a count in [1, %d]\n",
				argv[1], MAX_CHUNKS);
			return 2;
		}
	}
	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0)
		die("sysconf(_SC_PAGESIZE)");
	len = chunks * CHUNK;

	/*
	 * An address both children can map, 2 MiB aligned so that each chunk
	 * is exactly one PTE table's span: reserved with room to align, then
	 * given back (the parent maps nothing there).
	 */
	reserve = mmap(NULL, len + CHUNK, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (reserve == MAP_FAILED)
		die("mmap (reserve)");
	base = ((uintptr_t)reserve + CHUNK - 1) & ~(CHUNK - 1);
	if (munmap(reserve, len + CHUNK))
		die("munmap (reserve)");

	ret = run_child(fill, (void *)base, len);
	if (ret) {
		fprintf(stderr, "iosup-stale: the filling child failed (%d)\n", ret);
		return 2;
	}
	return run_child(probe, (void *)base, len);
}
