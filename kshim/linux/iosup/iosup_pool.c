// SPDX-License-Identifier: GPL-2.0
/*
 * The per-level pools of free page-table pages: empty, read-only and
 * still typed as page tables in Xen. The kernel side (arch/x86/xen) keeps
 * every invariant about the pages themselves; this file only decides how
 * many to keep and hands them back.
 */

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmstat.h>

#include <asm/pgtable.h>
#include <asm/xen/pt_pool.h>

#include "iosup.h"

struct iosup_pool iosup_pools[IOSUP_LEVELS];

/*
 * Debug mode: check every page entering and leaving a pool. While a page
 * is pooled its private word (the PTE lock's, unused then) holds a mark,
 * so that a page offered twice or handed out without having been taken is
 * caught; a page handed out must still be all zero and read-only.
 */
bool iosup_debug;
#define IOSUP_POOLED_MARK	0x10500fUL

/* Whether the kernel's own mapping of @page is writable. */
static bool iosup_writable(struct page *page)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)page_address(page), &level);

	return !pte || pte_write(*pte);
}

/*
 * A violation stops the page from going anywhere: it is left out of every
 * pool and never handed out (a page lost is better than a page shared).
 */
static void iosup_violation(struct iosup_pool *pool, struct page *page,
			    int level, const char *what)
{
	pool->violations++;
	WARN_ONCE(1, "iosup: L%d table %lx %s\n", level, page_to_pfn(page), what);
}

/*
 * The most pages a pool may hold now: its limit, bounded by its free ratio,
 * the percent of the page tables in use it may hold on top of them (0: no
 * such bound). The kernel counts the PTE and PMD tables in use together
 * (NR_PAGETABLE), not per level, so every level's ratio is of that sum.
 */
static unsigned long iosup_bound(struct iosup_pool *pool)
{
	unsigned long bound = READ_ONCE(pool->limit);
	unsigned int ratio = READ_ONCE(pool->free_ratio);

	if (ratio)
		bound = min(bound, global_node_page_state(NR_PAGETABLE) *
				   ratio / 100);
	return bound;
}

static bool iosup_want(int level)
{
	struct iosup_pool *pool = iosup_pool(level);

	/*
	 * Unlocked: a table kept on a stale answer is refused by put() and
	 * released by the kernel, which costs what not keeping it would.
	 */
	return READ_ONCE(pool->count) < iosup_bound(pool);
}

static bool iosup_put(struct page *page, int level)
{
	struct iosup_pool *pool = iosup_pool(level);
	unsigned long flags;
	bool taken = false;

	spin_lock_irqsave(&pool->lock, flags);
	if (iosup_debug && page_private(page) == IOSUP_POOLED_MARK) {
		iosup_violation(pool, page, level, "offered while pooled");
		taken = true;
	} else if (pool->count < iosup_bound(pool)) {
		if (iosup_debug)
			set_page_private(page, IOSUP_POOLED_MARK);
		list_add(&page->lru, &pool->pages);
		pool->count++;
		pool->taken++;
		taken = true;
	} else {
		pool->refused++;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return taken;
}

/* Debug mode: whether a page leaving a pool is fit to be a new table. */
static bool iosup_check_out(struct iosup_pool *pool, struct page *page,
			    int level)
{
	const char *what = NULL;

	if (page_private(page) != IOSUP_POOLED_MARK)
		what = "handed out but never taken";
	else if (memchr_inv(page_address(page), 0, PAGE_SIZE))
		what = "not all zero at hand-out";
	else if (iosup_writable(page))
		what = "writable at hand-out";
	set_page_private(page, 0);
	if (!what)
		return true;

	spin_lock_irq(&pool->lock);
	iosup_violation(pool, page, level, what);
	spin_unlock_irq(&pool->lock);
	return false;
}

static struct page *iosup_get(int level)
{
	struct iosup_pool *pool = iosup_pool(level);
	struct page *page = NULL;
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	page = list_first_entry_or_null(&pool->pages, struct page, lru);
	if (page) {
		list_del(&page->lru);
		pool->count--;
		pool->hits++;
	} else {
		pool->misses++;
	}
	spin_unlock_irqrestore(&pool->lock, flags);

	if (page && iosup_debug && !iosup_check_out(pool, page, level))
		return NULL;
	return page;
}

static const struct xen_pt_pool_ops iosup_ops = {
	.want = iosup_want,
	.put = iosup_put,
	.get = iosup_get,
};

/*
 * Gives up to @nr pages of a level back to the page allocator, through the
 * kernel's release (unpin, make writable, free). Process context.
 */
unsigned long iosup_pool_drain(int level, unsigned long nr)
{
	struct iosup_pool *pool = iosup_pool(level);
	struct page *page, *next;
	unsigned long flags, done = 0;
	LIST_HEAD(list);

	spin_lock_irqsave(&pool->lock, flags);
	while (done < nr && !list_empty(&pool->pages)) {
		list_move(pool->pages.next, &list);
		pool->count--;
		done++;
	}
	pool->released += done;
	spin_unlock_irqrestore(&pool->lock, flags);

	list_for_each_entry_safe(page, next, &list, lru) {
		list_del(&page->lru);
		set_page_private(page, 0);
		xen_pt_pool_release(page, level);
		cond_resched();
	}
	return done;
}

/* A lower limit takes effect at once: the pages over it are released. */
void iosup_pool_set_limit(int level, unsigned int limit)
{
	struct iosup_pool *pool = iosup_pool(level);
	unsigned long flags, over = 0;

	spin_lock_irqsave(&pool->lock, flags);
	pool->limit = limit;
	if (pool->count > limit)
		over = pool->count - limit;
	spin_unlock_irqrestore(&pool->lock, flags);
	if (over)
		iosup_pool_drain(level, over);
}

/* A ratio takes effect as pages are freed; the pools are not drained. */
void iosup_pool_set_ratio(int level, unsigned int ratio)
{
	WRITE_ONCE(iosup_pool(level)->free_ratio, ratio);
}

void iosup_pools_init(const unsigned int *limits, unsigned int free_ratio)
{
	int level;

	for (level = 1; level <= IOSUP_LEVELS; level++) {
		struct iosup_pool *pool = iosup_pool(level);

		spin_lock_init(&pool->lock);
		INIT_LIST_HEAD(&pool->pages);
		pool->limit = limits[level - 1];
		pool->free_ratio = free_ratio;
	}
}

int iosup_pools_enable(void)
{
	return xen_pt_pool_register(&iosup_ops);
}

/*
 * Once the kernel no longer calls the ops, nothing enters or leaves the
 * pools but through here; tables freed meanwhile go to the kernel's
 * fallback.
 */
void iosup_pools_disable(void)
{
	int level;

	xen_pt_pool_unregister(&iosup_ops);
	for (level = 1; level <= IOSUP_LEVELS; level++)
		iosup_pool_drain(level, ULONG_MAX);
}
