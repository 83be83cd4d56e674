// SPDX-License-Identifier: GPL-2.0
/*
 * The per-level pools of free page-table pages: empty, read-only and
 * still typed as page tables in Xen. The kernel side (arch/x86/xen) keeps
 * every invariant about the pages themselves; this file only decides how
 * many to keep and hands them back.
 */

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmstat.h>

#include <asm/pgtable.h>
#include <asm/xen/pt_pool.h>

#include "iosup.h"

/*
 * Initialised statically: the module's parameters (stats among them) can be
 * read before its init function runs.
 */
struct iosup_pool iosup_pools[IOSUP_LEVELS] = {
	{ .lock = __SPIN_LOCK_UNLOCKED(iosup_pools[0].lock),
	  .pages = LIST_HEAD_INIT(iosup_pools[0].pages) },
	{ .lock = __SPIN_LOCK_UNLOCKED(iosup_pools[1].lock),
	  .pages = LIST_HEAD_INIT(iosup_pools[1].pages) },
	{ .lock = __SPIN_LOCK_UNLOCKED(iosup_pools[2].lock),
	  .pages = LIST_HEAD_INIT(iosup_pools[2].pages) },
	{ .lock = __SPIN_LOCK_UNLOCKED(iosup_pools[3].lock),
	  .pages = LIST_HEAD_INIT(iosup_pools[3].pages) },
};

/*
 * Debug mode: check every page entering and leaving a pool. While a page
 * is pooled its private word (the PTE lock's, unused then) holds a mark,
 * so that a page offered twice or handed out without having been taken is
 * caught; a page handed out must still be all zero and read-only. A pool
 * in debug mode holds marked pages only: switching it on marks the pages
 * it holds, switching it off clears them, under the pool's lock.
 */
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
 * A pooled table is still a page table, pinned and typed as one in Xen:
 * while it waits in a pool its pages stay in NR_PAGETABLE (PageTables in
 * /proc/meminfo), or an operator's sum of memory would miss them. The
 * kernel's constructor counts a PTE or PMD table in use and its destructor
 * uncounts it before the pool sees it; the pool counts the pages it holds,
 * at every level, as they come and go, under the pool's lock (irqs off,
 * hence the __ variant: a per-CPU add on the table's hot path).
 */
static void iosup_account(struct page *page, int level, long tables)
{
	__mod_node_page_state(page_pgdat(page), NR_PAGETABLE,
			      tables * iosup_table_pages(level));
}

/*
 * The page tables in use: NR_PAGETABLE without what the pools hold, from
 * the pools' own counts (read unlocked, as iosup_want() does: a bound, not
 * a balance), so that the hot path keeps no shared counter for it.
 */
static unsigned long iosup_tables_in_use(void)
{
	long in_use = (long)global_node_page_state(NR_PAGETABLE);
	int level;

	for (level = 1; level <= IOSUP_LEVELS; level++)
		in_use -= (long)(READ_ONCE(iosup_pool(level)->count) *
				 iosup_table_pages(level));
	return in_use > 0 ? in_use : 0;
}

/*
 * The most tables a pool of @level may hold now: its limit, bounded by its
 * free ratio, the percent of the page-table pages in use its pages may come
 * to on top of them (0: no such bound). Every level's ratio is of the PTE
 * and PMD pages in use together (NR_PAGETABLE), which iosupd computes its
 * ratios against; the kernel's per-level counts of tables in use are
 * reported, not used here. A pgd pair, the L4 pool's table, is several
 * pages.
 */
static unsigned long iosup_bound(struct iosup_pool *pool, int level)
{
	unsigned long bound = READ_ONCE(pool->limit);
	unsigned int ratio = READ_ONCE(pool->free_ratio);

	if (ratio)
		bound = min(bound, iosup_tables_in_use() * ratio / 100 /
				   iosup_table_pages(level));
	return bound;
}

/*
 * Until then the pools take nothing in: the shrinker has just drained them
 * for memory the system is short of, and refilling them at once would
 * undo it. Set by the shrinker.
 */
static unsigned long iosup_pressure_until;

/* How long the pools stay closed after the shrinker ran. */
#define IOSUP_PRESSURE_HOLD	HZ

static bool iosup_want(int level)
{
	struct iosup_pool *pool = iosup_pool(level);

	if (time_before(jiffies, READ_ONCE(iosup_pressure_until)))
		return false;

	/*
	 * Unlocked: a table kept on a stale answer is refused by put() and
	 * released by the kernel, which costs what not keeping it would.
	 */
	return READ_ONCE(pool->count) < iosup_bound(pool, level);
}

static bool iosup_put(struct page *page, int level)
{
	struct iosup_pool *pool = iosup_pool(level);
	unsigned long flags;
	bool taken = false;

	spin_lock_irqsave(&pool->lock, flags);
	if (pool->debug && page_private(page) == IOSUP_POOLED_MARK) {
		iosup_violation(pool, page, level, "offered while pooled");
		taken = true;
	} else if (pool->count < iosup_bound(pool, level)) {
		if (pool->debug)
			set_page_private(page, IOSUP_POOLED_MARK);
		list_add(&page->lru, &pool->pages);
		iosup_account(page, level, 1);
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

	/* A pgd pair's contents are the kernel's to check (pt_pool.h). */
	if (page_private(page) != IOSUP_POOLED_MARK)
		what = "handed out but never taken";
	else if (level != IOSUP_LEVEL_PGD &&
		 memchr_inv(page_address(page), 0, PAGE_SIZE))
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
	bool debug;

	spin_lock_irqsave(&pool->lock, flags);
	/* Whether the page was marked when it was on the list. */
	debug = pool->debug;
	page = list_first_entry_or_null(&pool->pages, struct page, lru);
	if (page) {
		list_del(&page->lru);
		iosup_account(page, level, -1);
		pool->count--;
		pool->hits++;
	} else {
		pool->misses++;
	}
	spin_unlock_irqrestore(&pool->lock, flags);

	if (page && debug && !iosup_check_out(pool, page, level))
		return NULL;
	return page;
}

static const struct xen_pt_pool_ops iosup_ops = {
	.want = iosup_want,
	.put = iosup_put,
	.get = iosup_get,
};

/*
 * Gives up to @nr tables of a level back to the page allocator, through
 * the kernel's release (unpin, make writable, free; batched). Process
 * context.
 */
static unsigned long iosup_pool_take(int level, unsigned long nr,
				     bool shrinking)
{
	struct iosup_pool *pool = iosup_pool(level);
	unsigned long flags, done = 0;
	struct page *page;
	LIST_HEAD(list);

	spin_lock_irqsave(&pool->lock, flags);
	while (done < nr && !list_empty(&pool->pages)) {
		page = list_first_entry(&pool->pages, struct page, lru);
		list_move(&page->lru, &list);
		iosup_account(page, level, -1);
		pool->count--;
		done++;
	}
	pool->released += done;
	if (shrinking)
		pool->shrunk += done;
	spin_unlock_irqrestore(&pool->lock, flags);

	list_for_each_entry(page, &list, lru)
		set_page_private(page, 0);
	xen_pt_pool_release_list(&list, level);
	return done;
}

unsigned long iosup_pool_drain(int level, unsigned long nr)
{
	return iosup_pool_take(level, nr, false);
}

/* Tables of @level in use: the live mms', not the pools'. */
unsigned long iosup_pool_in_use(int level)
{
	return xen_pt_tables_in_use(level);
}

/*
 * Memory pressure wins over any limit: the shrinker gives pooled tables
 * back, the smallest first, counted in pages.
 */
static unsigned long iosup_shrink_count(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	unsigned long pages = 0;
	int level;

	for (level = 1; level <= IOSUP_LEVELS; level++)
		pages += READ_ONCE(iosup_pool(level)->count) *
			 iosup_table_pages(level);
	return pages ?: SHRINK_EMPTY;
}

static unsigned long iosup_shrink_scan(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	unsigned long freed = 0;
	int level;

	WRITE_ONCE(iosup_pressure_until, jiffies + IOSUP_PRESSURE_HOLD);
	for (level = 1; level <= IOSUP_LEVELS && freed < sc->nr_to_scan; level++) {
		unsigned int pages = iosup_table_pages(level);
		unsigned long tables, want;

		want = DIV_ROUND_UP(sc->nr_to_scan - freed, pages);
		tables = iosup_pool_take(level, want, true);
		if (tables)
			iosup_genl_notify_shrunk(level, tables);
		freed += tables * pages;
	}
	return freed ?: SHRINK_STOP;
}

/*
 * No seeks: a pooled table costs no I/O to make again, only the flush the
 * pool saves, so under pressure the kernel takes half of it at every call
 * rather than a share scaled down by the reclaim priority, which for a few
 * thousand pages rounds to nothing until reclaim is desperate.
 */
static struct shrinker iosup_shrinker = {
	.count_objects = iosup_shrink_count,
	.scan_objects = iosup_shrink_scan,
	.seeks = 0,
};

int iosup_shrinker_init(void)
{
	return register_shrinker(&iosup_shrinker, "iosup");
}

void iosup_shrinker_exit(void)
{
	unregister_shrinker(&iosup_shrinker);
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

/*
 * Switches debug mode on or off for every pool, the pages each holds
 * marked or cleared with it, so that a page pooled before a switch is
 * checked as one pooled after it. Serialised by the caller.
 */
void iosup_pools_set_debug(bool on)
{
	int level;

	for (level = 1; level <= IOSUP_LEVELS; level++) {
		struct iosup_pool *pool = iosup_pool(level);
		unsigned long flags;
		struct page *page;

		spin_lock_irqsave(&pool->lock, flags);
		if (pool->debug != on) {
			list_for_each_entry(page, &pool->pages, lru)
				set_page_private(page, on ? IOSUP_POOLED_MARK : 0);
			pool->debug = on;
		}
		spin_unlock_irqrestore(&pool->lock, flags);
	}
}

void iosup_pools_init(const unsigned int *limits, const unsigned int *ratios)
{
	int level;

	for (level = 1; level <= IOSUP_LEVELS; level++) {
		struct iosup_pool *pool = iosup_pool(level);
		unsigned long flags;

		spin_lock_irqsave(&pool->lock, flags);
		pool->limit = limits[level - 1];
		pool->free_ratio = ratios[level - 1];
		spin_unlock_irqrestore(&pool->lock, flags);
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
