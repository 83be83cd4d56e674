/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iosup: the generic netlink family of the page-table pool module.
 *
 * The one definition of this ABI, written from the YNL spec
 * kshim/linux/iosup/iosup.yaml; the module and the tools both include it.
 *
 * GET is a dump: one message per pool level, each with IOSUP_A_LEVEL and
 * the level's counters. SET changes one level's limit (IOSUP_A_LEVEL and
 * IOSUP_A_LIMIT), a level's free ratio (IOSUP_A_FREE_RATIO, with
 * IOSUP_A_LEVEL; without it, every level's), or the enabled state; DRAIN
 * empties one level. SET and DRAIN need CAP_NET_ADMIN. Every change is
 * also sent to the "events" multicast group as an IOSUP_CMD_EVENT message.
 * Each command takes only its own attributes (GET and DRAIN: IOSUP_A_LEVEL;
 * SET: those above and IOSUP_A_LEASE); any other is refused with an extack
 * message naming it.
 *
 * Counts are of tables: one page each at L1-L3, a pgd pair at L4 (the pgd's
 * block and Xen's user pgd, IOSUP_A_TABLE_PAGES pages in all).
 *
 * A lease: a SET that carries IOSUP_A_LEASE holds the limits and ratios it
 * and later SETs give for that many seconds; each such SET renews it. When
 * a lease runs out every level goes back to the module's defaults and
 * IOSUP_EVENT_LEASE_EXPIRED is sent, so that the limits of a controller
 * that died do not outlive it. A SET without a lease sets the values for
 * good (and ends a running lease, the values it held staying).
 */
#ifndef _UAPI_LINUX_IOSUP_H
#define _UAPI_LINUX_IOSUP_H

#define IOSUP_GENL_NAME		"iosup"
#define IOSUP_GENL_VERSION	1
#define IOSUP_MCGRP_EVENTS	"events"

/* Page-table levels, as the pools number them. */
enum iosup_level {
	IOSUP_LEVEL_PTE = 1,	/* L1 */
	IOSUP_LEVEL_PMD = 2,	/* L2 */
	IOSUP_LEVEL_PUD = 3,	/* L3 */
	IOSUP_LEVEL_PGD = 4,	/* L4: a pgd pair */

	__IOSUP_LEVEL_MAX,
	IOSUP_LEVEL_MAX = __IOSUP_LEVEL_MAX - 1
};

/* Why an event was sent. */
enum iosup_event {
	IOSUP_EVENT_LIMIT = 1,		/* a level's limit changed */
	IOSUP_EVENT_DRAINED,		/* a level was drained */
	IOSUP_EVENT_ENABLED,		/* the pools were enabled or disabled */
	IOSUP_EVENT_RATIO,		/* the free ratio changed */
	IOSUP_EVENT_SHRUNK,		/* memory pressure took tables of a level */
	IOSUP_EVENT_LEASE_EXPIRED,	/* limits and ratios went back to the defaults */
};

enum iosup_attr {
	IOSUP_A_UNSPEC,
	IOSUP_A_LEVEL,		/* u8, enum iosup_level */
	IOSUP_A_POOL,		/* u64, tables in the pool (L4: pgd pairs) */
	IOSUP_A_LIMIT,		/* u32, most tables the pool may hold (L4: pgd pairs) */
	IOSUP_A_HITS,		/* u64, tables handed out from the pool */
	IOSUP_A_MISSES,		/* u64, requests the pool could not serve */
	IOSUP_A_TAKEN,		/* u64, freed tables the pool kept */
	IOSUP_A_REFUSED,	/* u64, freed tables turned away, pool full */
	IOSUP_A_RELEASED,	/* u64, pages given back to the allocator */
	IOSUP_A_FREE_RATIO,	/* u32, the pool's pages, in percent of the table pages in use; 0: limit only */
	IOSUP_A_ENABLED,	/* u8, 0 or 1 */
	IOSUP_A_EVENT,		/* u32, enum iosup_event */
	IOSUP_A_PAD,
	IOSUP_A_SHRUNK,		/* u64, of the released tables, those the shrinker took */
	IOSUP_A_IN_USE,		/* u64, tables of the level in use by live mms, the pools' not counted */
	IOSUP_A_TABLE_PAGES,	/* u32, pages one table of the level holds */
	IOSUP_A_VIOLATIONS,	/* u64, debug mode: pages that failed a check */
	IOSUP_A_DEFAULT_LIMIT,	/* u32, the limit a lease's end goes back to */
	IOSUP_A_LEASE,		/* u32, SET: seconds the values hold; GET: seconds left, 0 none */
	/*
	 * Sent only while the kernel counts costs (1 written to debugfs
	 * xen/pt_cost, which also splits them by kind).
	 */
	IOSUP_A_ALLOC_COUNT,	/* u64, tables made: handed out of the pool, or pinned */
	IOSUP_A_ALLOC_NS,	/* u64, kernel time making them took */
	IOSUP_A_FREE_COUNT,	/* u64, tables given up: taken by the pool, or unpinned */
	IOSUP_A_FREE_NS,	/* u64, kernel time giving them up took */
	/*
	 * u8, 1: the pools' pages are counted in NR_PAGETABLE (PageTables), so
	 * the tables in use are PageTables less what the pools hold. A module
	 * that does not count them does not send it.
	 */
	IOSUP_A_POOL_IN_PAGETABLES,

	__IOSUP_A_MAX,
	IOSUP_A_MAX = __IOSUP_A_MAX - 1
};

enum iosup_cmd {
	IOSUP_CMD_UNSPEC,
	IOSUP_CMD_GET,		/* dump: one reply per level */
	IOSUP_CMD_SET,		/* LEVEL+LIMIT, FREE_RATIO, ENABLED: any of them */
	IOSUP_CMD_DRAIN,	/* LEVEL */
	IOSUP_CMD_EVENT,	/* multicast only: EVENT, and what changed */

	__IOSUP_CMD_MAX,
	IOSUP_CMD_MAX = __IOSUP_CMD_MAX - 1
};

/* The largest limit SET accepts, in tables: 1 GiB of 4 KiB pages at L1-L3. */
#define IOSUP_LIMIT_MAX		(1U << 18)
/* The largest free ratio SET accepts, in percent. */
#define IOSUP_FREE_RATIO_MAX	1000
/* The longest lease SET accepts, in seconds. */
#define IOSUP_LEASE_MAX		86400

#endif /* _UAPI_LINUX_IOSUP_H */
