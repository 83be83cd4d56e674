// SPDX-License-Identifier: GPL-2.0-only
/* The manager's pure helpers (see manager-util.h). */
#include "manager-util.h"

#include <stdlib.h>

#include <linux/iosup.h>

#include "ctl-proto.h"
#include "guests.h"
#include "tick.h"

uint32_t manager_lease_seconds(uint32_t period_ms)
{
	uint64_t s = ((uint64_t)period_ms * MANAGER_LEASE_PERIODS + 999) / 1000;

	if (s < MANAGER_LEASE_MIN_S)
		s = MANAGER_LEASE_MIN_S;
	return s > IOSUP_LEASE_MAX ? IOSUP_LEASE_MAX : (uint32_t)s;
}

static int compare_domids(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

size_t manager_merge_domids(const unsigned int *xen, size_t n_xen,
			    const unsigned int *store, size_t n_store,
			    unsigned int *out)
{
	size_t n = 0, i, j;

	out[n++] = DOM0;
	for (i = 0; i < n_xen; i++)
		out[n++] = xen[i];
	for (i = 0; i < n_store; i++)
		out[n++] = store[i];
	qsort(out, n, sizeof(*out), compare_domids);
	for (i = 0, j = 0; i < n; i++)
		if (!j || out[j - 1] != out[i])
			out[j++] = out[i];
	return j < CTL_PROTO_DOMAINS_MAX ? j : CTL_PROTO_DOMAINS_MAX;
}

bool manager_has_domid(const unsigned int *ids, size_t n, unsigned int domid)
{
	return n && bsearch(&domid, ids, n, sizeof(*ids), compare_domids);
}

size_t manager_xen_domids(const struct iosup_xen_counters *counters, size_t n,
			  unsigned int *out)
{
	size_t k, found = 0;

	for (k = 0; k < n; k++)
		if (counters[k].domid < IOSUP_DOMID_FIRST_RESERVED)
			out[found++] = counters[k].domid;
	return found;
}

const struct iosup_xen_counters *manager_find_counters(const struct iosup_xen_counters *counters,
							size_t n, uint32_t domid)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (counters[k].domid == domid)
			return &counters[k];
	return NULL;
}

uint64_t manager_global_budget(uint32_t cap_mib, const struct iosup_pool_stats *stats,
			       uint64_t guest_pages)
{
	/* A domU's growth is counted in its widest tables, lest it pass the cap. */
	return tick_budget_all(cap_mib, stats, guest_pages,
			       guest_pages ? GUEST_TABLE_PAGES_MAX : 1);
}

uint64_t manager_share_pages(uint32_t cap_mib, size_t n_domains)
{
	return (uint64_t)cap_mib * TICK_PAGES_PER_MIB / (n_domains ? n_domains : 1);
}

uint64_t manager_shared_budget(uint32_t cap_mib, const struct iosup_pool_stats *stats,
			       const uint64_t *claimed, size_t n_guests, uint64_t share)
{
	uint64_t guests = 0;
	size_t i;

	for (i = 0; i < n_guests; i++)
		guests += claimed[i] < share ? claimed[i] : share;
	return manager_global_budget(cap_mib, stats, guests);
}

uint64_t manager_guest_budget(uint64_t budget, uint64_t claimed, uint64_t share)
{
	uint64_t room = claimed < share ? (share - claimed) / GUEST_TABLE_PAGES_MAX : 0;

	return budget < room ? budget : room;
}

uint64_t manager_budget_spend(uint64_t budget, uint64_t grown)
{
	return budget > grown ? budget - grown : 0;
}

bool manager_guest_renew_due(uint64_t written_ms, uint64_t now_ms, uint32_t lease_s,
			     uint32_t period_ms)
{
	uint64_t since = now_ms > written_ms ? now_ms - written_ms : 0;

	return since + period_ms > (uint64_t)lease_s * 1000 / 3;
}
