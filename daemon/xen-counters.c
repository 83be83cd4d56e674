// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-xen-counters: prints the hypervisor's per-domain IOMMU flush
 * counters, now. Run in dom0 on a hypervisor built with kshim/xen.
 *
 *   iosup-xen-counters [--raw] [DOMID|xen]
 *
 * With no domain it prints every domain, then "xen" (flushes Xen issued for
 * no domain). A table for people by default; --raw prints one stable
 * key=value line per domain for scripts. (It becomes a verb of iosupctl.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen.h"
#include "xen-format.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iosup-xen-counters [--raw] [DOMID|xen]\n"
		"Prints the hypervisor's IOMMU flush counters, per domain.\n"
		"  --raw    one key=value line per domain, for scripts\n"
		"  DOMID    only this domain; 'xen' for flushes issued for no domain\n");
}

static int print_one(const struct iosup_xen_counters *c, bool raw)
{
	char line[512];
	int r;

	r = raw ? iosup_format_raw(line, sizeof(line), c)
		: iosup_format_table_row(line, sizeof(line), c);
	if (r < 0)
		return r;
	fputs(line, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct iosup_xen_counters one, *all = NULL;
	struct iosup_xen *x = NULL;
	bool raw = false, have_domid = false;
	uint16_t domid = 0;
	size_t n = 1, i;
	int c, r;

	while ((c = getopt_long(argc, argv, "rh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			raw = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	if (argc - optind == 1) {
		if (iosup_parse_domid(argv[optind], &domid)) {
			fprintf(stderr,
				"iosup-xen-counters: '%s' is not a domain id (0-%u, or 'xen')\n",
				argv[optind], IOSUP_DOMID_FIRST_RESERVED - 1);
			return 2;
		}
		have_domid = true;
	}

	r = iosup_xen_open(&x);
	if (r)
		goto fail;
	if (have_domid) {
		r = iosup_xen_read(x, domid, &one);
		all = &one;
	} else {
		r = iosup_xen_read_all(x, &all, &n);
	}
	if (r)
		goto fail;

	if (!raw) {
		char header[256];

		if (iosup_format_table_header(header, sizeof(header)) > 0)
			fputs(header, stdout);
	}
	for (i = 0; i < n && !r; i++)
		r = print_one(&all[i], raw);
	if (all != &one)
		free(all);
	iosup_xen_close(x);
	if (r) {
		fprintf(stderr, "iosup-xen-counters: %s\n", strerror(-r));
		return 1;
	}
	return fflush(stdout) ? 1 : 0;

fail:
	if (r == -ESRCH && have_domid)
		fprintf(stderr, "iosup-xen-counters: no domain %u\n", (unsigned int)domid);
	else
		fprintf(stderr, "iosup-xen-counters: %s\n", iosup_xen_strerror(r));
	iosup_xen_close(x);
	return 1;
}
