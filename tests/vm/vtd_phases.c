// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-vtd-phases: counts QEMU's VT-d trace events per scenario phase.
 *
 * A phase is the interval between "IOSUP-MARK begin NAME" and
 * "IOSUP-MARK end NAME" on the host-timestamped console; both logs carry
 * the host's wall clock, which is how they line up. Scenarios leave a quiet
 * second on each side of a phase so the few milliseconds a console line
 * takes to reach the host do not move events across a boundary.
 *
 * Output: one tab-separated row per phase, with a header. dev_iotlb, last,
 * counts device-IOTLB descriptors of every device: they name a device, not
 * a VT-d domain, so -d does not filter them. amdvi_pages, after it, counts
 * an AMD IOMMU's page invalidation commands (its domain ids are Xen's). On stderr, the
 * VT-d domain ids the trace names, each with its Xen domain (-n says how
 * many there must be), and with -a how far each mark lies from the device
 * DMA its probe read caused (see check_alignment()).
 *
 * A trace line that names an event we count but does not parse fails the
 * run, as do the domain and alignment checks: a change of QEMU's trace
 * format must not read as a run without events.
 */
#define _GNU_SOURCE
#include "vtdtrace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PHASES 64

/*
 * The quiet period on each side of a mark: MARK_SETTLE_SECONDS in
 * lat_proc.c, SETTLE_SECONDS in xen-test.c, settle in guest.sh.
 */
#define QUIET_US 1000000u

/* Ids listed on the domains line; more than this many is wrong anyway. */
#define MAX_LISTED_DOMAINS 16

struct phase {
	char name[64];
	unsigned long procs;
	uint64_t begin, end;	/* end == 0 while open */
	unsigned long count[VTD_EV_COUNT];
	char mean_us[32], p99_us[32];
};

static struct phase phases[MAX_PHASES];
static size_t nphases;

/*
 * Events naming each VT-d domain id, over the whole trace; the ids in the
 * order they first appear (the first is dom0's: Xen sets up dom0's context
 * entries at boot, before any other domain exists).
 */
static unsigned long domain_events[UINT16_MAX + 1];
static uint16_t domain_order[UINT16_MAX + 1];
static size_t ndomains;

/* Every begin and end stamp, sorted; filled for -a. */
static uint64_t mark_usec[2 * MAX_PHASES];
static size_t nmarks;

/* dom0's device DMA near a mark, for -a: its probe reads among them. */
static uint64_t *dma_usec;
static size_t ndma, dma_cap;

static struct phase *find_phase(const char *name)
{
	size_t i;

	for (i = 0; i < nphases; i++)
		if (!strcmp(phases[i].name, name))
			return &phases[i];
	return NULL;
}

/* Copies the value of " KEY=" in line into out, or "-" when absent. */
static void field(const char *line, const char *key, char *out, size_t size)
{
	const char *p = strstr(line, key);
	size_t len;

	if (!p) {
		snprintf(out, size, "-");
		return;
	}
	p += strlen(key);
	len = strspn(p, "0123456789.");
	if (len == 0 || len >= size) {
		snprintf(out, size, "-");
		return;
	}
	memcpy(out, p, len);
	out[len] = '\0';
}

/* "lat_proc tag=NAME ..." from the benchmark gives the phase's latencies. */
static void note_latency(const char *line)
{
	const char *p = strstr(line, "lat_proc tag=");
	char name[64];
	size_t len;
	struct phase *ph;

	if (!p)
		return;
	p += strlen("lat_proc tag=");
	len = strcspn(p, " \r\n");
	if (len == 0 || len >= sizeof(name))
		return;
	memcpy(name, p, len);
	name[len] = '\0';
	ph = find_phase(name);
	if (!ph)
		return;
	field(p, " mean_us=", ph->mean_us, sizeof(ph->mean_us));
	field(p, " p99_us=", ph->p99_us, sizeof(ph->p99_us));
}

static int read_console(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int r = 0;

	if (!f) {
		fprintf(stderr, "iosup-vtd-phases: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (getline(&line, &cap, f) > 0) {
		struct console_mark m;
		struct phase *ph;
		int k;

		lineno++;
		k = vtd_parse_console_mark(line, &m);
		if (k < 0) {
			fprintf(stderr, "iosup-vtd-phases: %s:%lu: malformed line\n",
				path, lineno);
			r = -EINVAL;
			break;
		}
		if (k == 0) {
			note_latency(line);
			continue;
		}
		ph = find_phase(m.phase);
		if (m.kind == MARK_BEGIN) {
			if (ph) {
				fprintf(stderr, "iosup-vtd-phases: %s:%lu: phase '%s' begins twice\n",
					path, lineno, m.phase);
				r = -EINVAL;
				break;
			}
			if (nphases == MAX_PHASES) {
				fprintf(stderr, "iosup-vtd-phases: %s:%lu: more than %d phases\n",
					path, lineno, MAX_PHASES);
				r = -E2BIG;
				break;
			}
			ph = &phases[nphases++];
			memset(ph, 0, sizeof(*ph));
			snprintf(ph->name, sizeof(ph->name), "%s", m.phase);
			snprintf(ph->mean_us, sizeof(ph->mean_us), "-");
			snprintf(ph->p99_us, sizeof(ph->p99_us), "-");
			ph->procs = m.procs;
			ph->begin = m.usec;
		} else {
			if (!ph || ph->end) {
				fprintf(stderr, "iosup-vtd-phases: %s:%lu: phase '%s' ends without a begin\n",
					path, lineno, m.phase);
				r = -EINVAL;
				break;
			}
			ph->end = m.usec;
		}
	}
	free(line);
	fclose(f);
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void collect_marks(void)
{
	size_t i;

	nmarks = 0;
	for (i = 0; i < nphases; i++) {
		mark_usec[nmarks++] = phases[i].begin;
		mark_usec[nmarks++] = phases[i].end;
	}
	qsort(mark_usec, nmarks, sizeof(mark_usec[0]), cmp_u64);
}

/*
 * Keeps a DMA event's time when it lies within the quiet period of a mark:
 * only those can decide an alignment, and a DMA scenario writes millions.
 */
static int note_dma(uint64_t usec)
{
	int64_t lag;

	if (vtd_mark_lag(mark_usec, nmarks, usec, QUIET_US, &lag))
		return 0;
	if (ndma == dma_cap) {
		size_t cap = dma_cap ? 2 * dma_cap : 1024;
		uint64_t *p = realloc(dma_usec, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		dma_usec = p;
		dma_cap = cap;
	}
	dma_usec[ndma++] = usec;
	return 0;
}

static void note_domain(uint16_t id)
{
	if (!domain_events[id]++)
		domain_order[ndomains++] = id;
}

static int read_trace(const char *path, long domain, int align)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t len;
	int r = 0;

	if (!f) {
		fprintf(stderr, "iosup-vtd-phases: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		struct vtd_record rec;
		size_t i;
		int k;

		lineno++;
		k = vtd_parse_trace_line(line, &rec);
		if (k == -EBADMSG) {
			if (line[len - 1] == '\n')
				line[--len] = '\0';
			fprintf(stderr, "iosup-vtd-phases: %s:%lu: a VT-d event we count, in a form we cannot parse (has QEMU's trace format changed?): %.300s\n",
				path, lineno, line);
			r = -EBADMSG;
			break;
		}
		/* QEMU's own messages share the file; only events count. */
		if (k || rec.event == VTD_EV_OTHER)
			continue;
		if (rec.has_domain)
			note_domain(rec.domain);
		/* The probe reads are dom0's, so only dom0's DMA can align. */
		if (align && rec.has_domain && rec.domain == domain_order[0] &&
		    (rec.event == VTD_EV_DMA_HIT || rec.event == VTD_EV_DMA_MISS)) {
			r = note_dma(rec.usec);
			if (r) {
				fprintf(stderr, "iosup-vtd-phases: %s: out of memory for %zu DMA events\n",
					path, ndma);
				break;
			}
		}
		if (domain >= 0 && rec.has_domain && rec.domain != domain)
			continue;
		for (i = 0; i < nphases; i++)
			if (rec.usec >= phases[i].begin && rec.usec <= phases[i].end)
				phases[i].count[rec.event]++;
	}
	free(line);
	fclose(f);
	return r;
}

/*
 * Says which VT-d domain ids the trace names and whose each is; fails
 * unless there are exactly as many as expected. None at all is a failure
 * too: the oracle saw nothing.
 */
static int check_domains(const char *path, unsigned long expected)
{
	size_t i;

	fprintf(stderr, "iosup-vtd-phases: VT-d domains:");
	if (!ndomains)
		fprintf(stderr, " none");
	for (i = 0; i < ndomains && i < MAX_LISTED_DOMAINS; i++) {
		uint16_t id = domain_order[i];

		if (i == 0)
			fprintf(stderr, " dom0=0x%x", id);
		else
			fprintf(stderr, " domU%zu=0x%x", i, id);
		fprintf(stderr, " (%lu events)", domain_events[id]);
	}
	if (ndomains > MAX_LISTED_DOMAINS)
		fprintf(stderr, " and %zu more", ndomains - MAX_LISTED_DOMAINS);
	fprintf(stderr, "\n");

	if (!ndomains) {
		fprintf(stderr, "iosup-vtd-phases: %s: no event names a VT-d domain: QEMU traced no invalidation and no DMA\n",
			path);
		return -ENOENT;
	}
	if (ndomains != expected) {
		fprintf(stderr, "iosup-vtd-phases: %s: the trace names %zu distinct VT-d domain ids, expected %lu (-n)\n",
			path, ndomains, expected);
		return -EINVAL;
	}
	return 0;
}

/*
 * The two logs line up by wall clock: the host stamps each console line as
 * it arrives, QEMU stamps each trace event. To prove it rather than assume
 * it, the guest reads its disk right after each mark (IOSUP_MARK_PROBE);
 * the read's DMA must show in the trace within the quiet period around the
 * mark's stamp, where nothing else of the phase happens.
 */
static int check_alignment(void)
{
	int64_t min = 0, max = 0;
	size_t i, checked = 0;
	int r = 0;

	qsort(dma_usec, ndma, sizeof(*dma_usec), cmp_u64);
	for (i = 0; i < 2 * nphases; i++) {
		const struct phase *ph = &phases[i / 2];
		const char *which = i % 2 ? "end" : "begin";
		uint64_t stamp = i % 2 ? ph->end : ph->begin;
		int64_t lag;

		if (vtd_mark_lag(dma_usec, ndma, stamp, QUIET_US, &lag)) {
			fprintf(stderr, "iosup-vtd-phases: alignment: phase '%s', %s mark (stamped %llu.%06llu): no device DMA of dom0 in the trace within %u ms of it (did the guest set IOSUP_MARK_PROBE?)\n",
				ph->name, which,
				(unsigned long long)(stamp / 1000000),
				(unsigned long long)(stamp % 1000000),
				QUIET_US / 1000);
			r = -ENOENT;
			continue;
		}
		if (!checked || lag < min)
			min = lag;
		if (!checked || lag > max)
			max = lag;
		checked++;
	}
	if (r)
		return r;
	if (!checked) {
		fprintf(stderr, "iosup-vtd-phases: alignment: no marks to check\n");
		return 0;
	}
	fprintf(stderr, "iosup-vtd-phases: alignment: %zu marks, lag min %.1f ms, max %.1f ms (quiet period %u ms)\n",
		checked, (double)min / 1e3, (double)max / 1e3, QUIET_US / 1000);
	return 0;
}

static void print_phases(void)
{
	size_t i;

	printf("phase\tprocs\tseconds\tiotlb_pages\tpages_per_proc\tiotlb_domain\tiotlb_global\twait_sw\tdma_hit\tdma_miss\tmean_us\tp99_us\tdev_iotlb\tamdvi_pages\n");
	for (i = 0; i < nphases; i++) {
		const struct phase *ph = &phases[i];
		char per_proc[32] = "-";

		if (ph->procs)
			snprintf(per_proc, sizeof(per_proc), "%.2f",
				 (double)ph->count[VTD_EV_IOTLB_PAGES] / (double)ph->procs);
		printf("%s\t%lu\t%.1f\t%lu\t%s\t%lu\t%lu\t%lu\t%lu\t%lu\t%s\t%s\t%lu\t%lu\n",
		       ph->name, ph->procs, (double)(ph->end - ph->begin) / 1e6,
		       ph->count[VTD_EV_IOTLB_PAGES], per_proc,
		       ph->count[VTD_EV_IOTLB_DOMAIN], ph->count[VTD_EV_IOTLB_GLOBAL],
		       ph->count[VTD_EV_WAIT_SW], ph->count[VTD_EV_DMA_HIT],
		       ph->count[VTD_EV_DMA_MISS], ph->mean_us, ph->p99_us,
		       ph->count[VTD_EV_DEV_IOTLB], ph->count[VTD_EV_AMDVI_PAGES]);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iosup-vtd-phases [-a] [-n COUNT] [-d VTD_DOMAIN] CONSOLE_LOG TRACE_LOG\n"
		"  -a     prove the logs line up: each mark needs device DMA of dom0\n"
		"         within %u ms of its stamp (the guest's IOSUP_MARK_PROBE reads)\n"
		"  -n N   distinct VT-d domain ids the trace must name (default 1:\n"
		"         dom0's alone)\n"
		"  -d ID  count only the events of VT-d domain ID (and those naming none)\n",
		QUIET_US / 1000);
}

int main(int argc, char **argv)
{
	unsigned long expected_domains = 1;
	long domain = -1;
	int align = 0;
	size_t i;
	int c;

	while ((c = getopt(argc, argv, "ad:n:h")) != -1) {
		char *end;

		switch (c) {
		case 'a':
			align = 1;
			break;
		case 'd':
			errno = 0;
			domain = strtol(optarg, &end, 0);
			if (errno || *end || domain < 0 || domain > UINT16_MAX) {
				fprintf(stderr, "iosup-vtd-phases: -d: '%s' is not a VT-d domain id (0-65535)\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			expected_domains = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] < '0' || optarg[0] > '9' ||
			    expected_domains < 1 ||
			    expected_domains > UINT16_MAX + 1ul) {
				fprintf(stderr, "iosup-vtd-phases: -n: '%s' is not a count of VT-d domains (1-65536)\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	if (read_console(argv[optind]))
		return 1;
	for (i = 0; i < nphases; i++) {
		if (!phases[i].end) {
			fprintf(stderr, "iosup-vtd-phases: phase '%s' never ended\n",
				phases[i].name);
			return 1;
		}
	}
	collect_marks();
	if (read_trace(argv[optind + 1], domain, align))
		return 1;
	if (check_domains(argv[optind + 1], expected_domains))
		return 1;
	if (align && check_alignment())
		return 1;
	print_phases();
	free(dma_usec);
	return 0;
}
