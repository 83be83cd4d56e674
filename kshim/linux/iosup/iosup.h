/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _IOSUP_H
#define _IOSUP_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <linux/iosup.h>

#include <asm/pgalloc.h>

/*
 * The levels the kernel pools: PTE (L1), PMD (L2) and PUD (L3) tables, and
 * pgd pairs (L4).
 */
#define IOSUP_LEVELS	4

/*
 * One level's pool. Pages enter from RCU callbacks and leave in process
 * context, so the lock is taken with interrupts off.
 */
struct iosup_pool {
	spinlock_t lock;		/* the list and the counters */
	struct list_head pages;
	unsigned long count;		/* tables in the pool (L4: pgd pairs) */
	unsigned int limit;		/* most tables it may hold */
	unsigned int free_ratio;	/* percent of the table pages in use; 0: limit only */
	bool debug;			/* every page on the list carries the mark */

	/* Monotonic counters, under lock. */
	unsigned long hits;		/* tables handed out */
	unsigned long misses;		/* requests it could not serve */
	unsigned long taken;		/* freed tables kept */
	unsigned long refused;		/* freed tables turned away (full) */
	unsigned long released;		/* tables given back to the allocator */
	unsigned long shrunk;		/* of those, by the shrinker */
	unsigned long violations;	/* debug mode: pages that failed a check */
};

extern struct iosup_pool iosup_pools[IOSUP_LEVELS];

/* A level (1..4) to its pool. */
static inline struct iosup_pool *iosup_pool(int level)
{
	return &iosup_pools[level - 1];
}

/* Pages one table of @level holds: a pgd pair is the pgd's block and more. */
static inline unsigned int iosup_table_pages(int level)
{
	return level == IOSUP_LEVEL_PGD ? (1U << PGD_ALLOCATION_ORDER) + 1 : 1;
}

void iosup_pools_init(const unsigned int *limits, const unsigned int *ratios);
int iosup_pools_enable(void);
void iosup_pools_disable(void);
unsigned long iosup_pool_drain(int level, unsigned long nr);
void iosup_pool_set_limit(int level, unsigned int limit);
void iosup_pool_set_ratio(int level, unsigned int ratio);
void iosup_pools_set_debug(bool on);
unsigned long iosup_pool_in_use(int level);

int iosup_shrinker_init(void);
void iosup_shrinker_exit(void);

/*
 * The controls, shared by the module parameters and netlink. A module
 * parameter sets a default (@dflt true); netlink sets the value in force,
 * for good or, with a lease, until the lease runs out.
 */
bool iosup_ctl_enabled(void);
int iosup_ctl_enable(bool on);
void iosup_ctl_limit(int level, unsigned int limit, bool dflt);
void iosup_ctl_ratio(int level, unsigned int ratio, bool dflt);
void iosup_ctl_drain(int level);
void iosup_ctl_lease(unsigned int seconds);
unsigned int iosup_ctl_lease_left(void);
unsigned int iosup_ctl_default_limit(int level);

/* The agent of a domU (xenstore); nothing in dom0. */
int iosup_guest_init(void);
void iosup_guest_exit(void);

int iosup_genl_init(void);
void iosup_genl_exit(void);
void iosup_genl_notify(enum iosup_event event, int level);
void iosup_genl_notify_shrunk(int level, unsigned long tables);

#endif /* _IOSUP_H */
