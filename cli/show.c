// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl show DOMID: one domain in full, level by level. */
#include <inttypes.h>
#include <stdio.h>

#include "client.h"
#include "format.h"

static const char *const level_names[CTL_PROTO_LEVELS] = { "1 pte", "2 pmd", "3 pud", "4 pgd" };

static void print_domain(const struct ctl_proto_domain *d)
{
	char a[FMT_MAX], b[FMT_MAX];
	int l;

	printf("domain %u: %s\n  mode: %s\n  flushes/s: %s\n", d->domid, fmt_name(d->name),
	       config_mode_name(d->mode), fmt_rate(a, d->have_flush_rate, d->flush_rate));
	if (d->have_xen)
		printf("  iotlb: %" PRIu64 " page, %" PRIu64 " domain, %" PRIu64 " global, %" PRIu64
		       " skipped; device-iotlb: %s; failed: %s; waited %.3f ms\n"
		       "  iommu: %" PRIu64 " unmaps, %" PRIu64 " maps\n",
		       d->xen.iotlb_psi, d->xen.iotlb_dsi, d->xen.iotlb_global, d->xen.flushes_skipped,
		       fmt_count(a, d->xen.have_dev_iotlb, d->xen.dev_iotlb),
		       fmt_count(b, d->xen.have_failed, d->xen.failed),
		       (double)d->xen.wait_ns / 1e6, d->xen.pt_unmaps, d->xen.pt_maps);
	else
		printf("  iotlb: - (the hypervisor has no iosup counters)\n");
	if (d->have_policy)
		print_effective(stdout, "  policy ", &d->policy);
	if (!d->have_pool) {
		printf("  pool: - (not read)\n");
		return;
	}
	printf("  %-6s  %8s  %8s  %12s  %12s  %8s  %6s\n", "LEVEL", "LIMIT", "POOL", "HITS",
	       "MISSES", "IN_USE", "LEASE");
	for (l = 0; l < CTL_PROTO_LEVELS; l++) {
		const struct ctl_proto_level *v = &d->level[l];

		printf("  %-6s  %8u  %8" PRIu64 "  %12" PRIu64 "  %12" PRIu64 "  %8s  %5us\n",
		       level_names[l], v->limit, v->pool, v->hits, v->misses,
		       fmt_count(b, v->have_in_use, v->in_use), v->lease_left);
	}
}

static void print_reply(const struct ctl_proto_reply *reply)
{
	print_domain(&reply->domain);
}

int show_main(int argc, char **argv, struct cli *cli)
{
	return client_verb(argc, argv, cli, CTL_PROTO_DOMAIN, true, print_reply);
}
