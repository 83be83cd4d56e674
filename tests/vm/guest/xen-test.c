// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-xen-test: the guest side of tests/vm/test-xen-counters.sh, run in
 * dom0 on the patched hypervisor.
 *
 *   iosup-xen-test window TAG N fork-exit|fork-exec
 *       A storm of N processes between two phase marks, with the counters
 *       read around each mark (see window() for why), printed as
 *       "IOSUP-XENWIN TAG POINT key=value..." lines for the host to compare
 *       with QEMU's trace. Each mark is followed by the probe read of
 *       IOSUP_MARK_PROBE, as iosup-lat-proc -m's are (see mark_probe.h).
 *   iosup-xen-test errors
 *       Every bad input of XEN_SYSCTL_iosup_iommu_stats, asserting the
 *       errno; one "ok"/"FAIL" line each, exit status 1 if any failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "churn.h"
#include "mark_probe.h"
#include "xen.h"
#include "xen-format.h"

/*
 * Quiet time on each side of a mark: far longer than a console line takes
 * to reach the host's timestamp (milliseconds).
 */
#define SETTLE_SECONDS 1

static struct mark_probe probe;

/*
 * A phase mark, then the probe read. The read changes no page table (the
 * buffer is faulted in already), so the counters around the mark stay as
 * they were.
 */
static int mark(const char *what, const char *tag, unsigned long procs)
{
	int r = mark_write(what, tag, procs);

	if (r) {
		fprintf(stderr, "iosup-xen-test: /dev/kmsg: %s\n", strerror(-r));
		return r;
	}
	r = mark_probe_read(&probe);
	if (r)
		fprintf(stderr, "iosup-xen-test: IOSUP_MARK_PROBE: reading %s: %s\n",
			probe.path, strerror(-r));
	return r;
}

static int read_dom0(struct iosup_xen *x, const char *tag, const char *point,
		     struct iosup_xen_counters *c)
{
	char line[512];
	int r;

	r = iosup_xen_read(x, 0, c);
	if (r) {
		fprintf(stderr, "iosup-xen-test: reading dom0's counters: %s\n",
			iosup_xen_strerror(r));
		return r;
	}
	r = iosup_format_raw(line, sizeof(line), c);
	if (r < 0)
		return r;
	printf("IOSUP-XENWIN %s %s %s", tag, point, line);
	fflush(stdout);
	return 0;
}

/*
 * The counters and QEMU must see the same window, but the host stamps a
 * mark when it arrives, a little after the guest wrote it, and any reader
 * that is a process of its own costs invalidations of its own. So this one
 * process reads the counters (A), writes the begin mark, waits, reads (B),
 * runs the storm, waits, reads (C), writes the end mark, waits, reads (D).
 * If A == B and C == D, nothing happened around either mark, wherever the
 * host put it, and QEMU's count for the phase must be exactly C - B. If not,
 * it lies between C - B and D - A, and the lines say so.
 */
static int window(const char *tag, unsigned long n, enum churn_mode mode)
{
	struct iosup_xen_counters a, b, c, d;
	struct iosup_xen *x;
	int r;

	r = iosup_xen_open(&x);
	if (r) {
		fprintf(stderr, "iosup-xen-test: %s\n", iosup_xen_strerror(r));
		return r;
	}
	if ((r = read_dom0(x, tag, "A", &a)) ||
	    (r = mark("begin", tag, n)))
		goto out;
	sleep(SETTLE_SECONDS);
	if ((r = read_dom0(x, tag, "B", &b)))
		goto out;
	r = churn_storm(n, mode);
	if (r) {
		fprintf(stderr, "iosup-xen-test: storm: %s\n", strerror(-r));
		goto out;
	}
	sleep(SETTLE_SECONDS);
	if ((r = read_dom0(x, tag, "C", &c)) ||
	    (r = mark("end", tag, n)))
		goto out;
	sleep(SETTLE_SECONDS);
	r = read_dom0(x, tag, "D", &d);
out:
	iosup_xen_close(x);
	return r;
}

static int failures;

static void expect(const char *what, int got, int want)
{
	if (got == want) {
		printf("ok   %s: %s\n", what, got ? strerror(-got) : "success");
	} else {
		printf("FAIL %s: expected %s, got %s\n", what,
		       want ? strerror(-want) : "success",
		       got ? strerror(-got) : "success");
		failures++;
	}
}

static void expect_nr(const char *what, uint32_t got, uint32_t want)
{
	if (got == want) {
		printf("ok   %s: nr_entries=%u\n", what, got);
	} else {
		printf("FAIL %s: expected nr_entries=%u, got %u\n", what, want, got);
		failures++;
	}
}

/* The op's first layout: entry_size 0 asks for 64-byte entries. */
#define V1_SIZE 64u
/* The second layout, this tree's: dev_iotlb and failed appended. */
#define V2_SIZE 80u

/* The op with a buffer of cap first-layout entries. */
static int raw(struct iosup_xen *x, uint32_t flags, uint16_t domid,
	       uint16_t pad0, uint32_t nr, uint32_t entry_size, size_t cap,
	       uint32_t *nr_out)
{
	struct iosup_xen_raw_request req = {
		.flags = flags, .domid = domid, .pad0 = pad0,
		.nr_entries = nr, .entry_size = entry_size, .capacity = cap * V1_SIZE,
	};
	struct iosup_xen_raw_reply reply = { 0 };
	int r;

	r = iosup_xen_raw(x, &req, &reply);
	free(reply.buf);
	if (nr_out)
		*nr_out = reply.nr_entries;
	return r;
}

/*
 * Every domain's entries asked for at entry_size with room for nr of them,
 * each stride bytes apart: the op succeeds, entry_size comes back as
 * want_size, of each entry exactly the first want_written bytes are
 * written, and nothing past the last entry (room is left for two more). A
 * written byte is one no longer IOSUP_XEN_RAW_FILL: checked by position,
 * where the value is known to be small (the domid's high byte, the
 * padding, the top byte of the last counter). Returns the failures.
 */
static int layout(struct iosup_xen *x, const char *what, uint32_t entry_size,
		  size_t stride, uint32_t nr, uint32_t want_size, size_t want_written)
{
	struct iosup_xen_raw_request req = {
		.flags = 1u, .nr_entries = nr, .entry_size = entry_size,
		.capacity = stride * nr,
	};
	struct iosup_xen_raw_reply reply = { 0 };
	size_t i, b;
	int r, bad = 0;

	r = iosup_xen_raw(x, &req, &reply);
	if (r) {
		printf("FAIL %s: %s\n", what, strerror(-r));
		free(reply.buf);
		return 1;
	}
	if (reply.entry_size != want_size) {
		printf("FAIL %s: entry_size came back %u, expected %u\n", what,
		       reply.entry_size, want_size);
		bad++;
	}
	for (i = 0; i < reply.nr_entries && i < nr; i++) {
		const unsigned char *e = reply.buf + i * stride;

		/*
		 * The domid's high byte (dom0 .. 0x7ff2), pad[0] and the top
		 * byte of the last counter written are all written.
		 */
		if (e[1] == IOSUP_XEN_RAW_FILL || e[2] == IOSUP_XEN_RAW_FILL ||
		    e[want_written - 1] == IOSUP_XEN_RAW_FILL) {
			printf("FAIL %s: entry %zu was not written in full\n", what, i);
			bad++;
		}
		for (b = want_written; b < stride; b++) {
			if (e[b] != IOSUP_XEN_RAW_FILL) {
				printf("FAIL %s: entry %zu: byte %zu written, only %zu expected\n",
				       what, i, b, want_written);
				bad++;
				break;
			}
		}
	}
	for (b = (size_t)reply.nr_entries * stride; reply.nr_entries < nr && b < req.capacity; b++) {
		if (reply.buf[b] != IOSUP_XEN_RAW_FILL) {
			printf("FAIL %s: byte %zu, past the %u entries, written\n", what, b,
			       reply.nr_entries);
			bad++;
			break;
		}
	}
	if (!bad)
		printf("ok   %s: %u entries, entry_size=%u, %zu bytes each\n", what,
		       reply.nr_entries, reply.entry_size, want_written);
	free(reply.buf);
	return bad;
}

static int errors(void)
{
	const uint32_t all = 1u; /* XEN_SYSCTL_IOSUP_ALL_DOMAINS */
	struct iosup_xen_counters c;
	struct iosup_xen *x;
	uint32_t nr, needed;
	int r;

	r = iosup_xen_open(&x);
	if (r) {
		fprintf(stderr, "iosup-xen-test: %s\n", iosup_xen_strerror(r));
		return 1;
	}

	/* The good cases first, so a failure below is not a broken op. */
	expect("dom0, room for one", raw(x, 0, 0, 0, 1, 0, 1, &nr), 0);
	expect_nr("dom0, room for one", nr, 1);
	expect("dom_xen by DOMID_XEN", iosup_xen_read(x, IOSUP_DOMID_XEN, &c), 0);

	/* Unknown domains. */
	expect("unknown domain 31000", raw(x, 0, 31000, 0, 1, 0, 1, NULL), -ESRCH);
	expect("unknown domain 1", raw(x, 0, 1, 0, 1, 0, 1, NULL), -ESRCH);
	expect("DOMID_IO is not readable", raw(x, 0, 0x7FF1, 0, 1, 0, 1, NULL), -ESRCH);
	expect("reader: unknown domain", iosup_xen_read(x, 31000, &c), -ESRCH);

	/* Buffer too small: an error, and the size needed written back. */
	nr = 77;
	expect("one domain, no room", raw(x, 0, 0, 0, 0, 0, 0, &nr), -ENOBUFS);
	expect_nr("one domain, no room", nr, 1);
	nr = 0;
	expect("all domains, no room", raw(x, all, 0, 0, 0, 0, 0, &nr), -ENOBUFS);
	needed = nr;
	/* dom0 and dom_xen at least. */
	if (needed < 2) {
		printf("FAIL all domains, no room: needed %u, expected at least 2\n", needed);
		failures++;
	} else {
		printf("ok   all domains, no room: needs %u entries\n", needed);
	}
	expect("all domains, one short",
	       raw(x, all, 0, 0, needed - 1, 0, needed - 1, &nr), -ENOBUFS);
	expect_nr("all domains, one short", nr, needed);
	expect("all domains, exact room", raw(x, all, 0, 0, needed, 0, needed, &nr), 0);
	expect_nr("all domains, exact room", nr, needed);
	expect("all domains, room to spare",
	       raw(x, all, 0, 0, needed + 5, 0, needed + 5, &nr), 0);
	expect_nr("all domains, room to spare", nr, needed);

	/* Unknown flags and non-zero padding. */
	expect("flag bit 1", raw(x, 1u << 1, 0, 0, 1, 0, 1, NULL), -EINVAL);
	expect("flag bit 31", raw(x, 1u << 31, 0, 0, 1, 0, 1, NULL), -EINVAL);
	expect("pad0 non-zero", raw(x, 0, 0, 1, 1, 0, 1, NULL), -EINVAL);
	/* entry_size: 0, or a multiple of 8 from 64 to 4096. */
	expect("entry_size 1", raw(x, 0, 0, 0, 1, 1, 2, NULL), -EINVAL);
	expect("entry_size 56", raw(x, 0, 0, 0, 1, 56, 2, NULL), -EINVAL);
	expect("entry_size 68", raw(x, 0, 0, 0, 1, 68, 2, NULL), -EINVAL);
	expect("entry_size 4104", raw(x, 0, 0, 0, 1, 4104, 65, NULL), -EINVAL);
	expect("entry_size 0x80000000", raw(x, 0, 0, 0, 1, 0x80000000u, 1, NULL), -EINVAL);
	expect("all domains with a domid", raw(x, all, 5, 0, 8, 0, 8, NULL), -EINVAL);
	/* Input is checked before the domain is looked up. */
	expect("unknown flag, unknown domain", raw(x, 1u << 4, 31000, 0, 1, 0, 1, NULL),
	       -EINVAL);
	/* A buffer Xen cannot write to. */
	expect("room claimed, no buffer", raw(x, 0, 0, 0, 1, 0, 0, NULL), -EFAULT);

	/*
	 * The layouts, over every domain: what a first-layout caller sees is
	 * unchanged (64 bytes apart, nothing written past them, entry_size
	 * left 0); a caller of the second gets all 80; a newer caller's larger
	 * entries get the 80 Xen knows at its stride; 64 asks for the first.
	 */
	failures += layout(x, "first layout (entry_size 0)", 0, V1_SIZE, needed + 2, 0,
			   V1_SIZE);
	failures += layout(x, "entry_size 64", V1_SIZE, V1_SIZE, needed + 2, V1_SIZE, V1_SIZE);
	failures += layout(x, "entry_size 80", V2_SIZE, V2_SIZE, needed + 2, V2_SIZE, V2_SIZE);
	failures += layout(x, "entry_size 4096", 4096, 4096, needed + 2, V2_SIZE, V2_SIZE);
	/* The reader uses the second layout, and so knows both new counts. */
	expect("reader: dom0", iosup_xen_read(x, 0, &c), 0);
	if (!c.have_dev_iotlb || !c.have_failed) {
		printf("FAIL reader: dev_iotlb and failed unknown on this hypervisor\n");
		failures++;
	} else {
		printf("ok   reader: dev_iotlb=%llu failed=%llu\n",
		       (unsigned long long)c.dev_iotlb, (unsigned long long)c.failed);
	}

	iosup_xen_close(x);

	/* Not privileged: dom0 but not root (privcmd is root's alone). */
	{
		struct stat st;

		if (stat("/dev/xen/privcmd", &st) == 0 && !(st.st_mode & 0006)) {
			pid_t pid = fork();
			int status;

			if (pid == 0) {
				struct iosup_xen *y = NULL;

				if (setgid(65534) || setuid(65534))
					_exit(3);
				r = iosup_xen_open(&y);
				iosup_xen_close(y);
				_exit(r == -EACCES ? 0 : 1);
			}
			if (pid < 0 || waitpid(pid, &status, 0) < 0 ||
			    !WIFEXITED(status) || WEXITSTATUS(status)) {
				printf("FAIL not root: expected 'not privileged'\n");
				failures++;
			} else {
				printf("ok   not root: %s\n", iosup_xen_strerror(-EACCES));
			}
		} else {
			printf("skip not root: /dev/xen/privcmd is open to all\n");
		}
	}

	printf("errors: %d failed\n", failures);
	return failures ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: iosup-xen-test window TAG N fork-exit|fork-exec\n"
		   "       iosup-xen-test errors\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "errors"))
		return errors();
	if (argc == 5 && !strcmp(argv[1], "window")) {
		char *end;
		enum churn_mode mode;
		unsigned long n;
		int r;

		errno = 0;
		n = strtoul(argv[3], &end, 10);
		if (errno || *end || !n || strlen(argv[2]) > 48) {
			usage(stderr);
			return 2;
		}
		if (churn_mode_parse(argv[4], &mode) || mode == CHURN_FORK_SH) {
			usage(stderr);
			return 2;
		}
		r = mark_probe_setup(&probe, "iosup-xen-test");
		if (r)
			return r;
		return window(argv[2], n, mode) ? 1 : 0;
	}
	usage(stderr);
	return 2;
}
