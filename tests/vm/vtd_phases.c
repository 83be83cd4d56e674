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
 * Output: one tab-separated row per phase, with a header.
 */
#define _GNU_SOURCE
#include "vtdtrace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PHASES 64

struct phase {
	char name[64];
	unsigned long procs;
	uint64_t begin, end;	/* end == 0 while open */
	unsigned long count[VTD_EV_COUNT];
	char mean_us[32], p99_us[32];
};

static struct phase phases[MAX_PHASES];
static size_t nphases;

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

static int read_trace(const char *path, long domain)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f) {
		fprintf(stderr, "iosup-vtd-phases: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (getline(&line, &cap, f) > 0) {
		struct vtd_record rec;
		size_t i;

		/* QEMU's own messages share the file; only events count. */
		if (vtd_parse_trace_line(line, &rec) || rec.event == VTD_EV_OTHER)
			continue;
		if (domain >= 0 && rec.has_domain && rec.domain != domain)
			continue;
		for (i = 0; i < nphases; i++)
			if (rec.usec >= phases[i].begin && rec.usec <= phases[i].end)
				phases[i].count[rec.event]++;
	}
	free(line);
	fclose(f);
	return 0;
}

static void print_phases(void)
{
	size_t i;

	printf("phase\tprocs\tseconds\tiotlb_pages\tpages_per_proc\tiotlb_domain\tiotlb_global\twait_sw\tdma_hit\tdma_miss\tmean_us\tp99_us\n");
	for (i = 0; i < nphases; i++) {
		const struct phase *ph = &phases[i];
		char per_proc[32] = "-";

		if (ph->procs)
			snprintf(per_proc, sizeof(per_proc), "%.2f",
				 (double)ph->count[VTD_EV_IOTLB_PAGES] / (double)ph->procs);
		printf("%s\t%lu\t%.1f\t%lu\t%s\t%lu\t%lu\t%lu\t%lu\t%lu\t%s\t%s\n",
		       ph->name, ph->procs, (double)(ph->end - ph->begin) / 1e6,
		       ph->count[VTD_EV_IOTLB_PAGES], per_proc,
		       ph->count[VTD_EV_IOTLB_DOMAIN], ph->count[VTD_EV_IOTLB_GLOBAL],
		       ph->count[VTD_EV_WAIT_SW], ph->count[VTD_EV_DMA_HIT],
		       ph->count[VTD_EV_DMA_MISS], ph->mean_us, ph->p99_us);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: iosup-vtd-phases [-d VTD_DOMAIN] CONSOLE_LOG TRACE_LOG\n");
}

int main(int argc, char **argv)
{
	long domain = -1;
	size_t i;
	int c;

	while ((c = getopt(argc, argv, "d:h")) != -1) {
		char *end;

		switch (c) {
		case 'd':
			errno = 0;
			domain = strtol(optarg, &end, 0);
			if (errno || *end || domain < 0 || domain > UINT16_MAX) {
				fprintf(stderr, "iosup-vtd-phases: -d: '%s' is not a VT-d domain id (0-65535)\n",
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
	if (read_trace(argv[optind + 1], domain))
		return 1;
	print_phases();
	return 0;
}
