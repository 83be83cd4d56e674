/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _IOSUP_H
#define _IOSUP_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <linux/iosup.h>

/* The levels the kernel pools: PTE (L1), PMD (L2) and PUD (L3) tables. */
#define IOSUP_LEVELS	3

/*
 * One level's pool. Pages enter from RCU callbacks and leave in process
 * context, so the lock is taken with interrupts off.
 */
struct iosup_pool {
	spinlock_t lock;
	struct list_head pages;
	unsigned long count;		/* pages in the pool */
	unsigned int limit;		/* most pages it may hold */
	unsigned int free_ratio;	/* percent of tables in use; 0: limit only */

	/* Monotonic counters, under lock. */
	unsigned long hits;		/* tables handed out */
	unsigned long misses;		/* requests it could not serve */
	unsigned long taken;		/* freed tables kept */
	unsigned long refused;		/* freed tables turned away (full) */
	unsigned long released;		/* pages given back to the allocator */
	unsigned long violations;	/* debug mode: pages that failed a check */
};

extern struct iosup_pool iosup_pools[IOSUP_LEVELS];
extern bool iosup_debug;		/* check pages in and out */

/* A level (1..3) to its pool. */
static inline struct iosup_pool *iosup_pool(int level)
{
	return &iosup_pools[level - 1];
}

void iosup_pools_init(const unsigned int *limits, unsigned int free_ratio);
int iosup_pools_enable(void);
void iosup_pools_disable(void);
unsigned long iosup_pool_drain(int level, unsigned long nr);
void iosup_pool_set_limit(int level, unsigned int limit);
void iosup_pool_set_ratio(int level, unsigned int ratio);

/* The controls, shared by the module parameters and netlink. */
bool iosup_ctl_enabled(void);
int iosup_ctl_enable(bool on);
void iosup_ctl_limit(int level, unsigned int limit);
void iosup_ctl_ratio(int level, unsigned int ratio);
void iosup_ctl_drain(int level);

int iosup_genl_init(void);
void iosup_genl_exit(void);
void iosup_genl_notify(enum iosup_event event, int level);

#endif /* _IOSUP_H */
