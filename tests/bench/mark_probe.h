/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The probe read at each phase mark. The rig lines the console's marks up
 * with QEMU's VT-d trace by wall clock; to prove that they do line up,
 * whatever writes a mark also reads the first 4 KiB of the disk that
 * IOSUP_MARK_PROBE names (a block device behind the IOMMU, as an absolute
 * path) with O_DIRECT, so that the device's DMA puts an event into the
 * trace right at the mark, and iosup-vtd-phases -a checks that it is there.
 * Unset or empty, nothing is read.
 */
#ifndef IOSUP_MARK_PROBE_H
#define IOSUP_MARK_PROBE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK_PROBE_ENV "IOSUP_MARK_PROBE"
/* A whole block of any disk, aligned as O_DIRECT needs. */
#define MARK_PROBE_SIZE 4096

struct mark_probe {
	const char *path;	/* NULL: no probe */
	void *buf;
};

/*
 * Reads IOSUP_MARK_PROBE. The buffer is allocated and faulted in here,
 * before any mark: doing so at a mark could build a page table, which in
 * a PV dom0 costs invalidations of its own inside the phase. Returns 0,
 * -EINVAL when the variable is set but not an absolute path, or -ENOMEM.
 */
static inline int mark_probe_init(struct mark_probe *p)
{
	const char *path = getenv(MARK_PROBE_ENV);
	int r;

	p->path = NULL;
	p->buf = NULL;
	if (!path || !*path)
		return 0;
	if (path[0] != '/')
		return -EINVAL;
	r = posix_memalign(&p->buf, MARK_PROBE_SIZE, MARK_PROBE_SIZE);
	if (r)
		return -r;
	memset(p->buf, 0, MARK_PROBE_SIZE);
	p->path = path;
	return 0;
}

/*
 * mark_probe_init for a program called @prog: says what is wrong with
 * IOSUP_MARK_PROBE and returns the exit status to leave with (2 for a
 * value that is not an absolute path, 1 otherwise), or 0.
 */
static inline int mark_probe_setup(struct mark_probe *p, const char *prog)
{
	int r = mark_probe_init(p);

	if (r == -EINVAL) {
		fprintf(stderr, "%s: %s: '%s' is not an absolute path\n", prog,
			MARK_PROBE_ENV, getenv(MARK_PROBE_ENV));
		return 2;
	}
	if (r) {
		fprintf(stderr, "%s: %s: %s\n", prog, MARK_PROBE_ENV, strerror(-r));
		return 1;
	}
	return 0;
}

/*
 * One O_DIRECT read at offset 0, past the page cache so that it always
 * reaches the device. Returns 0 (also without a probe) or -errno;
 * -ENODATA when the disk is empty, as no DMA then happened.
 */
static inline int mark_probe_read(const struct mark_probe *p)
{
	ssize_t n;
	int fd, r = 0;

	if (!p->path)
		return 0;
	fd = open(p->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, p->buf, MARK_PROBE_SIZE, 0);
	if (n < 0)
		r = -errno;
	else if (n == 0)
		r = -ENODATA;
	close(fd);
	return r;
}

/*
 * Quiet time between a mark and the loop. The host timestamps a mark when
 * it arrives over the emulated serial line, a few milliseconds late; a
 * second of nothing on each side keeps events on the right side of it.
 */
#define MARK_SETTLE_SECONDS 1

/* "<2>IOSUP-MARK WHAT TAG procs=PROCS" to /dev/kmsg. 0 or -errno. */
static inline int mark_write(const char *what, const char *tag, unsigned long procs)
{
	char buf[256];
	int fd, len, r = 0;

	/* Level 2 (crit): shown on the console whatever its loglevel. */
	len = snprintf(buf, sizeof(buf), "<2>IOSUP-MARK %s %s procs=%lu\n", what, tag, procs);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -ENAMETOOLONG;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len)
		r = -errno;
	close(fd);
	return r;
}

/*
 * A mark with quiet time on both sides, and @p's read inside the quiet
 * time, where its DMA is all the device does. Says what failed, as @prog.
 */
static inline int mark_settled(const struct mark_probe *p, const char *prog,
			       const char *what, const char *tag, unsigned long procs)
{
	int r;

	sleep(MARK_SETTLE_SECONDS);
	r = mark_write(what, tag, procs);
	if (r) {
		fprintf(stderr, "%s: /dev/kmsg: %s\n", prog, strerror(-r));
		return r;
	}
	r = mark_probe_read(p);
	if (r) {
		fprintf(stderr, "%s: %s: reading %s: %s\n", prog, MARK_PROBE_ENV, p->path,
			strerror(-r));
		return r;
	}
	sleep(MARK_SETTLE_SECONDS);
	return 0;
}

#endif
