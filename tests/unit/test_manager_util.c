// SPDX-License-Identifier: GPL-2.0-only
/*
 * The manager's pure helpers on plain arrays: the lease's length for a
 * period, the domain table's ids merged from Xen and xenstore, Xen's
 * reserved ids left out, and the memory budget shared out in a period.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/iosup.h>

#include "assert.h"
#include "ctl-proto.h"
#include "guests.h"
#include "manager-util.h"
#include "tick.h"

static void test_lease(void)
{
	/* Five periods, rounded up to whole seconds. */
	ASSERT_EQ(manager_lease_seconds(2000), 10);
	ASSERT_EQ(manager_lease_seconds(1100), 6);	/* 5.5 s */
	ASSERT_EQ(manager_lease_seconds(60000), 300);
	/* A short period still has MANAGER_LEASE_MIN_S of slack. */
	ASSERT_EQ(manager_lease_seconds(0), MANAGER_LEASE_MIN_S);
	ASSERT_EQ(manager_lease_seconds(100), MANAGER_LEASE_MIN_S);
	ASSERT_EQ(manager_lease_seconds(500), 3);	/* 2.5 s */
	/* Never more than the module takes, and no overflow on the way. */
	ASSERT_EQ(manager_lease_seconds(UINT32_MAX), IOSUP_LEASE_MAX);
	ASSERT_EQ(manager_lease_seconds(IOSUP_LEASE_MAX / 5 * 1000 + 1000), IOSUP_LEASE_MAX);
}

static void test_merge(void)
{
	const unsigned int xen[] = { 7, 0, 3, 7 };	/* Xen's order, a repeat */
	const unsigned int store[] = { 1, 3, 9 };	/* xenstore's, ascending */
	unsigned int out[1 + 4 + 3];
	size_t n;

	n = manager_merge_domids(xen, 4, store, 3, out);
	ASSERT_EQ(n, 5);
	ASSERT_EQ(out[0], 0);
	ASSERT_EQ(out[1], 1);
	ASSERT_EQ(out[2], 3);
	ASSERT_EQ(out[3], 7);
	ASSERT_EQ(out[4], 9);
	ASSERT_TRUE(manager_has_domid(out, n, 7));
	ASSERT_TRUE(manager_has_domid(out, n, 0));
	ASSERT_TRUE(!manager_has_domid(out, n, 4));
	ASSERT_TRUE(!manager_has_domid(out, 0, 0));

	/* Nothing listed: dom0 alone, always. */
	n = manager_merge_domids(NULL, 0, NULL, 0, out);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(out[0], DOM0);
}

static void test_merge_cap(void)
{
	static unsigned int xen[CTL_PROTO_DOMAINS_MAX + 10], store[20];
	static unsigned int out[1 + CTL_PROTO_DOMAINS_MAX + 10 + 20];
	size_t i, n;

	/* Descending, so that only the sort puts the lowest first. */
	for (i = 0; i < CTL_PROTO_DOMAINS_MAX + 10; i++)
		xen[i] = (unsigned int)(CTL_PROTO_DOMAINS_MAX + 10 - i);
	for (i = 0; i < 20; i++)
		store[i] = (unsigned int)(5000 + i);
	n = manager_merge_domids(xen, CTL_PROTO_DOMAINS_MAX + 10, store, 20, out);
	/* No more than one reply carries: the lowest ids. */
	ASSERT_EQ(n, CTL_PROTO_DOMAINS_MAX);
	for (i = 0; i < n; i++)
		ASSERT_EQ(out[i], i);
}

static void test_xen_domids(void)
{
	const struct iosup_xen_counters c[] = {
		{ .domid = 0 }, { .domid = 3 }, { .domid = IOSUP_DOMID_XEN },
		{ .domid = IOSUP_DOMID_FIRST_RESERVED - 1 }, { .domid = IOSUP_DOMID_FIRST_RESERVED },
	};
	unsigned int ids[5];

	ASSERT_EQ(manager_xen_domids(c, 5, ids), 3);
	ASSERT_EQ(ids[0], 0);
	ASSERT_EQ(ids[1], 3);
	ASSERT_EQ(ids[2], IOSUP_DOMID_FIRST_RESERVED - 1);
	ASSERT_EQ(manager_xen_domids(c, 0, ids), 0);

	ASSERT_TRUE(manager_find_counters(c, 5, 3) == &c[1]);
	ASSERT_TRUE(manager_find_counters(c, 5, 4) == NULL);
	ASSERT_TRUE(manager_find_counters(c, 0, 0) == NULL);
}

static void test_budget(void)
{
	struct iosup_pool_stats s;

	/* No pools read and no domU: the whole cap, in single pages. */
	ASSERT_EQ(manager_global_budget(1, NULL, 0), TICK_PAGES_PER_MIB);
	/* domUs' limits count against it, and their growth is in pgd pairs. */
	ASSERT_EQ(manager_global_budget(1, NULL, 56), (TICK_PAGES_PER_MIB - 56) / GUEST_TABLE_PAGES_MAX);
	/* Limits at or over the cap leave nothing. */
	ASSERT_EQ(manager_global_budget(1, NULL, TICK_PAGES_PER_MIB), 0);
	ASSERT_EQ(manager_global_budget(0, NULL, 0), 0);

	/* dom0's limits too: L1 100 pages, L4 10 tables of 2 pages. */
	memset(&s, 0, sizeof(s));
	s.levels = 1u << 1 | 1u << 4;
	s.level[1] = (struct iosup_pool_level){ .level = 1, .limit = 100 };
	s.level[4] = (struct iosup_pool_level){ .level = 4, .limit = 10 };
	ASSERT_EQ(manager_global_budget(1, &s, 0), (TICK_PAGES_PER_MIB - 120) / 2);
	ASSERT_EQ(manager_global_budget(1, &s, 36), (TICK_PAGES_PER_MIB - 156) / 2);

	/* Spending: what is left, never below nothing. */
	ASSERT_EQ(manager_budget_spend(100, 30), 70);
	ASSERT_EQ(manager_budget_spend(100, 100), 0);
	ASSERT_EQ(manager_budget_spend(100, 101), 0);
	ASSERT_EQ(manager_budget_spend(0, 0), 0);
	ASSERT_EQ(manager_budget_spend(UINT64_MAX, 1), (long long)(UINT64_MAX - 1));
}

/*
 * A domU's pools by its report, @limit at every level, in pages, as
 * guest_pages_allowed() counts them: its widest level in pgd pairs.
 */
static uint64_t claim(uint32_t limit)
{
	return (uint64_t)limit * (CTL_LEVELS - 1) + (uint64_t)limit * GUEST_TABLE_PAGES_MAX;
}

/*
 * Two domUs under the default cap, dom0 without pools: one reports every
 * level at the bound (what any domU may write), the other a modest pool.
 * The liar is counted at its share and grows no further; the other still
 * grows to its whole share, and the cap holds.
 */
static void test_shares(void)
{
	const uint32_t cap = 64;
	const uint64_t cap_pages = (uint64_t)cap * TICK_PAGES_PER_MIB;
	uint64_t claimed[2], share, budget, liar, other;
	struct ctl_sample sample;
	struct ctl_decision dec;
	struct ctl_state state;
	struct ctl_policy policy = {
		.max_pages = IOSUP_LIMIT_MAX,
		.target_flush_rate = 10,
		.free_floor_percent = 5,
	};

	ASSERT_EQ(manager_share_pages(cap, 2), cap_pages / 2);
	ASSERT_EQ(manager_share_pages(cap, 3), cap_pages / 3);
	ASSERT_EQ(manager_share_pages(cap, 0), cap_pages);

	claimed[0] = claim(IOSUP_LIMIT_MAX);
	claimed[1] = claim(250);	/* 250 + 250 + 250 + 2 * 250 = 1250 pages */
	ASSERT_EQ(claimed[0], (uint64_t)IOSUP_LIMIT_MAX * (CTL_LEVELS + 1));
	ASSERT_EQ(claimed[1], 1250);
	/* Counted in full, the liar's claim would leave no one anything. */
	ASSERT_EQ(manager_global_budget(cap, NULL, claimed[0] + claimed[1]), 0);

	share = manager_share_pages(cap, 2);
	budget = manager_shared_budget(cap, NULL, claimed, 2, share);
	ASSERT_EQ(budget, (cap_pages - share - 1250) / GUEST_TABLE_PAGES_MAX);
	/* The liar decides first (the lower domid): nothing to grow by. */
	liar = manager_guest_budget(budget, claimed[0], share);
	ASSERT_EQ(liar, 0);
	budget = manager_budget_spend(budget, liar);
	/* The other's room is all of what is left of its share. */
	other = manager_guest_budget(budget, claimed[1], share);
	ASSERT_EQ(other, (share - 1250) / GUEST_TABLE_PAGES_MAX);
	ASSERT_TRUE(1250 + other * GUEST_TABLE_PAGES_MAX <= share);
	ASSERT_TRUE(1250 + other * GUEST_TABLE_PAGES_MAX > share - GUEST_TABLE_PAGES_MAX);

	/*
	 * The controller, given that room, grows the other's busy L1 pool
	 * as the room allows, no matter what the liar says: demand 2000
	 * tables a period over a pool of 250 at its limit.
	 */
	memset(&state, 0, sizeof(state));
	memset(&sample, 0, sizeof(sample));
	sample.time_ms = 1000;
	sample.have_xen = true;
	sample.level[0] = (struct ctl_level_sample){ .limit = 250, .pool = 250 };
	ctl_decide(&policy, &state, &sample, other, &dec);
	sample.time_ms = 3000;
	sample.pt_unmaps = 20000;
	sample.level[0].misses = 2000;
	sample.level[0].hits = 250;
	ctl_decide(&policy, &state, &sample, other, &dec);
	ASSERT_TRUE(dec.level[0].change);
	ASSERT_TRUE(dec.level[0].limit > 250);
	ASSERT_TRUE(dec.level[0].limit - 250 <= other);
	/* The liar, with that same room, could not have grown at all. */
	ASSERT_EQ(manager_guest_budget(UINT64_MAX, claimed[0], share), 0);

	/* A liar among three (dom0 with pools, two domUs): each keeps a third. */
	share = manager_share_pages(cap, 3);
	budget = manager_shared_budget(cap, NULL, claimed, 2, share);
	ASSERT_EQ(budget, (cap_pages - share - 1250) / GUEST_TABLE_PAGES_MAX);
	ASSERT_TRUE(budget * GUEST_TABLE_PAGES_MAX >= share);
	printf("shares: ok\n");
}

/* A domU's targets are written again a third of its agent's lease after the last write. */
static void test_guest_renew(void)
{
	/* The default lease and period: due once the next period passes 20 s. */
	ASSERT_EQ(manager_guest_renew_due(1000, 1000, 60, 2000), false);
	ASSERT_EQ(manager_guest_renew_due(1000, 19000, 60, 2000), false);
	ASSERT_EQ(manager_guest_renew_due(1000, 19001, 60, 2000), true);
	ASSERT_EQ(manager_guest_renew_due(1000, 61000, 60, 2000), true);
	/* A lease under three periods: every period. */
	ASSERT_EQ(manager_guest_renew_due(1000, 1000, 6, 2000), false);
	ASSERT_EQ(manager_guest_renew_due(1000, 1001, 6, 2000), true);
	ASSERT_EQ(manager_guest_renew_due(1000, 3000, 5, 2000), true);
	/* A clock that seems to go back is no reason to wait longer. */
	ASSERT_EQ(manager_guest_renew_due(5000, 1000, 60, 2000), false);
	ASSERT_EQ(manager_guest_renew_due(5000, 1000, 3, 2000), true);
	/* The longest lease and period, no overflow. */
	ASSERT_EQ(manager_guest_renew_due(0, UINT64_MAX - 60000, 86400, 60000), true);
	ASSERT_EQ(manager_guest_renew_due(0, 28740000, 86400, 60000), false);
	ASSERT_EQ(manager_guest_renew_due(0, 28740001, 86400, 60000), true);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_lease();
	test_merge();
	test_shares();
	test_merge_cap();
	test_xen_domids();
	test_budget();
	test_guest_renew();
	printf("manager-util: all passed\n");
	return 0;
}
