/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The manager's pure helpers: the lease's length, the domain table's ids,
 * and the memory budget a period shares out. No I/O, no clock, no global
 * state, so that the unit tests reach them with plain arrays.
 */
#ifndef IOSUP_MANAGER_UTIL_H
#define IOSUP_MANAGER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool-msg.h"
#include "xen.h"

/* dom0's pools are the module's, in dom0's own kernel. */
#define DOM0 0u

/*
 * The lease on the limits iosupd sets, in control periods: a period late
 * or two costs nothing, an iosupd restarted after a crash (systemd's
 * RestartSec, then its start, seconds on a loaded host) finds the lease
 * still running and takes it over, and a daemon gone for longer than this
 * stops holding the pools to limits sized for a workload it no longer
 * watches.
 */
#define MANAGER_LEASE_PERIODS 5
/* Never shorter than this, so that a short period still has slack. */
#define MANAGER_LEASE_MIN_S 2

/*
 * The lease, in seconds, for a control period of @period_ms:
 * MANAGER_LEASE_PERIODS periods rounded up, at least MANAGER_LEASE_MIN_S,
 * at most what the module takes (IOSUP_LEASE_MAX).
 */
uint32_t manager_lease_seconds(uint32_t period_ms);

/*
 * The domain table's ids: dom0, @xen (in any order, as Xen's counters
 * list them) and @store (as xenstore lists them), ascending, each once,
 * into @out, which has room for 1 + @n_xen + @n_store. Only the lowest
 * CTL_PROTO_DOMAINS_MAX are kept: what one reply can carry. Returns how
 * many are in @out.
 */
size_t manager_merge_domids(const unsigned int *xen, size_t n_xen,
			    const unsigned int *store, size_t n_store,
			    unsigned int *out);

/* Whether @domid is in @ids (ascending, @n of them). */
bool manager_has_domid(const unsigned int *ids, size_t n, unsigned int domid);

/*
 * The ids of the ordinary domains in Xen's counters (Xen's own and the
 * other reserved ids left out) into @out, which has room for @n. Returns
 * how many.
 */
size_t manager_xen_domids(const struct iosup_xen_counters *counters, size_t n,
			  unsigned int *out);

/* Domain @domid's counters among @n, or NULL. */
const struct iosup_xen_counters *manager_find_counters(const struct iosup_xen_counters *counters,
							size_t n, uint32_t domid);

/*
 * The tables the pools may still grow by in all this period under the
 * memory cap (@cap_mib), every domain's pools counted: dom0's from @stats
 * (NULL: not read), the domUs' limits allowing @guest_pages pages.
 */
uint64_t manager_global_budget(uint32_t cap_mib, const struct iosup_pool_stats *stats,
			       uint64_t guest_pages);

/*
 * Whether a domU's targets, last written at @written_ms, are to be
 * written again now (@now_ms, same clock): the period after this one
 * would be more than a third of the agent's lease (@lease_s) after the
 * last write. A third leaves two renewals' room for a period or a write
 * that comes late; a lease shorter than three periods is renewed every
 * period.
 */
bool manager_guest_renew_due(uint64_t written_ms, uint64_t now_ms, uint32_t lease_s,
			     uint32_t period_ms);

/*
 * The memory cap shared out among the domains with pools, so that no
 * domU's report can take another's room. A domU's agent says what its
 * pools may hold, and dom0 trusts none of it: a domU is counted against
 * the cap at most at its share, @cap_mib over the @n_domains that have
 * pools (dom0's, if it has them, and every domU whose report is used);
 * and iosupd grows a domU's pools only within its own share. dom0's pools
 * are dom0's own kernel's, read over netlink, and count in full.
 * Returns the share, in pages (at least one domain is assumed).
 */
uint64_t manager_share_pages(uint32_t cap_mib, size_t n_domains);

/*
 * manager_global_budget() with each of the @n_guests domUs' claims
 * (@claimed, in pages, as guest_pages_allowed() says) counted at most at
 * @share pages.
 */
uint64_t manager_shared_budget(uint32_t cap_mib, const struct iosup_pool_stats *stats,
			       const uint64_t *claimed, size_t n_guests, uint64_t share);

/*
 * What a domU whose pools may hold @claimed pages may grow by this
 * period, in its widest tables: what is left of the period's @budget, and
 * no more than what is left of its @share.
 */
uint64_t manager_guest_budget(uint64_t budget, uint64_t claimed, uint64_t share);

/* What is left of @budget once a domain's decisions grew its pools by @grown. */
uint64_t manager_budget_spend(uint64_t budget, uint64_t grown);

#endif
