// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-xen-account: the guest side of tests/vm/test-account.sh, run in
 * dom0 on the rig's hypervisor (perf counters and kshim/xen's counters).
 *
 *   iosup-xen-account TAG N fork-exit|fork-exec|fork-sh
 *
 * Writes the phase's begin mark, reads Xen's perf counters, dom0's IOMMU
 * flush counters and the kernel's page-fault count, runs a storm of N
 * processes, reads them again and writes the end mark; then prints
 *
 *   IOSUP-ACCOUNT TAG procs=N vmas=V pgfault=D iommu_<key>=D ... <perfc key>=D ...
 *
 * every figure but V the difference of the two readings, for the host to
 * turn into an account; V is the mappings each child inherits (this
 * process's, from /proc/self/maps), which the kernel copies at fork and
 * zaps at exit one by one. One process does it all and forks only for the storm, so the
 * readings count the storm and the reads themselves (a few hypercalls, no
 * page table), nothing else that dom0 does not do when idle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "churn.h"
#include "console-hold.h"
#include "mark_probe.h"
#include "perfc.h"
#include "xen.h"

#define PROG "iosup-xen-account"

struct reading {
	struct iosup_xen_counters iommu;
	uint64_t pgfault;
};

/* The mappings of this process: the lines of /proc/self/maps, or -errno. */
static long count_vmas(void)
{
	char buf[4096];
	long lines = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return n < 0 ? -EIO : lines;
}

/* /proc/vmstat's pgfault, read into a buffer that is faulted in already. */
static int read_pgfault(uint64_t *out)
{
	static char buf[16384];
	const char *p;
	ssize_t n;
	int fd;

	fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n ? -errno : -ENODATA;
	buf[n] = '\0';
	p = strstr(buf, "\npgfault ");
	if (!p || sscanf(p, "\npgfault %" SCNu64, out) != 1) {
		fprintf(stderr, PROG ": no pgfault line in /proc/vmstat\n");
		return -EPROTO;
	}
	return 0;
}

static int take(struct iosup_xen *x, struct perfc *pc, unsigned int slot,
		struct reading *r)
{
	int e;

	e = perfc_read(pc, slot);
	if (e)
		return e;
	e = iosup_xen_read(x, 0, &r->iommu);
	if (e) {
		fprintf(stderr, PROG ": dom0's IOMMU counters: %s\n", iosup_xen_strerror(e));
		return e;
	}
	return read_pgfault(&r->pgfault);
}

static void print(const char *tag, unsigned long n, long vmas, const struct reading *a,
		  const struct reading *b, const struct perfc *pc)
{
	struct console_hold hold;

	/* A long line: no kernel message may land in the middle of it. */
	console_hold(&hold);
	printf("IOSUP-ACCOUNT %s procs=%lu vmas=%ld pgfault=%" PRIu64
	       " iommu_pt_unmaps=%" PRIu64 " iommu_pt_maps=%" PRIu64
	       " iommu_iotlb_psi=%" PRIu64 " iommu_iotlb_dsi=%" PRIu64
	       " iommu_iotlb_global=%" PRIu64 " iommu_flushes_skipped=%" PRIu64,
	       tag, n, vmas, b->pgfault - a->pgfault,
	       b->iommu.pt_unmaps - a->iommu.pt_unmaps,
	       b->iommu.pt_maps - a->iommu.pt_maps,
	       b->iommu.iotlb_psi - a->iommu.iotlb_psi,
	       b->iommu.iotlb_dsi - a->iommu.iotlb_dsi,
	       b->iommu.iotlb_global - a->iommu.iotlb_global,
	       b->iommu.flushes_skipped - a->iommu.flushes_skipped);
	perfc_print_delta(pc, stdout);
	printf("\n");
	fflush(stdout);
	console_release(&hold, stdout);
}

int main(int argc, char **argv)
{
	struct reading before, after;
	struct mark_probe probe;
	enum churn_mode mode;
	struct iosup_xen *x = NULL;
	struct perfc *pc = NULL;
	unsigned long n;
	long vmas;
	char *end;
	int r;

	errno = 0;
	n = argc == 4 ? strtoul(argv[2], &end, 10) : 0;
	if (argc != 4 || errno || *end || !n || n > 1000000 || strlen(argv[1]) > 48 ||
	    churn_mode_parse(argv[3], &mode)) {
		fprintf(stderr, "usage: " PROG " TAG N fork-exit|fork-exec|fork-sh\n");
		return 2;
	}
	r = mark_probe_setup(&probe, PROG);
	if (r)
		return r;
	r = iosup_xen_open(&x);
	if (r) {
		fprintf(stderr, PROG ": %s\n", iosup_xen_strerror(r));
		return 1;
	}
	r = perfc_open(&pc);
	if (r)
		goto out;
	vmas = count_vmas();
	if (vmas < 0) {
		fprintf(stderr, PROG ": /proc/self/maps: %s\n", strerror((int)-vmas));
		r = (int)vmas;
		goto out;
	}
	if ((r = mark_settled(&probe, PROG, "begin", argv[1], n)) ||
	    (r = take(x, pc, 0, &before)))
		goto out;
	r = churn_storm(n, mode);
	if (r) {
		fprintf(stderr, PROG ": storm: %s\n", strerror(-r));
		goto out;
	}
	if ((r = take(x, pc, 1, &after)) ||
	    (r = mark_settled(&probe, PROG, "end", argv[1], n)))
		goto out;
	print(argv[1], n, vmas, &before, &after, pc);
out:
	perfc_close(pc);
	iosup_xen_close(x);
	return r ? 1 : 0;
}
