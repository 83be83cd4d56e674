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

	__IOSUP_LEVEL_MAX,
	IOSUP_LEVEL_MAX = __IOSUP_LEVEL_MAX - 1
};

/* Why an event was sent. */
enum iosup_event {
	IOSUP_EVENT_LIMIT = 1,		/* a level's limit changed */
	IOSUP_EVENT_DRAINED,		/* a level was drained */
	IOSUP_EVENT_ENABLED,		/* the pools were enabled or disabled */
	IOSUP_EVENT_RATIO,		/* the free ratio changed */
};

enum iosup_attr {
	IOSUP_A_UNSPEC,
	IOSUP_A_LEVEL,		/* u8, enum iosup_level */
	IOSUP_A_POOL,		/* u64, pages in the pool */
	IOSUP_A_LIMIT,		/* u32, most pages the pool may hold */
	IOSUP_A_HITS,		/* u64, tables handed out from the pool */
	IOSUP_A_MISSES,		/* u64, requests the pool could not serve */
	IOSUP_A_TAKEN,		/* u64, freed tables the pool kept */
	IOSUP_A_REFUSED,	/* u64, freed tables turned away, pool full */
	IOSUP_A_RELEASED,	/* u64, pages given back to the allocator */
	IOSUP_A_FREE_RATIO,	/* u32, percent of tables in use; 0: limit only */
	IOSUP_A_ENABLED,	/* u8, 0 or 1 */
	IOSUP_A_EVENT,		/* u32, enum iosup_event */
	IOSUP_A_PAD,

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

/* The largest limit SET accepts: 1 GiB of 4 KiB pages per level. */
#define IOSUP_LIMIT_MAX		(1U << 18)
/* The largest free ratio SET accepts, in percent. */
#define IOSUP_FREE_RATIO_MAX	1000

#endif /* _UAPI_LINUX_IOSUP_H */
