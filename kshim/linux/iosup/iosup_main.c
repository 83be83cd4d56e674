// SPDX-License-Identifier: GPL-2.0
/*
 * iosup: pools of free page-table pages for a Xen PV guest, so that
 * process churn stops changing page types in Xen and stops flushing the
 * IOMMU's IOTLB. The controls are the generic netlink family "iosup" and,
 * for scripts and insmod, module parameters; /sys/module/iosup/parameters/
 * stats shows the counters.
 */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>

#include <xen/xen.h>

#include "iosup.h"

/*
 * A small process has 4-7 PTE, about 3 PMD and 2-3 PUD tables; these
 * cover a few hundred processes exiting at once, at 4 KiB a page.
 */
static unsigned int limits[IOSUP_LEVELS] = { 2048, 512, 512 };

static bool enabled = true;
static unsigned int free_ratio;		/* every level's, as last set for all */
static bool live;			/* pools set up: controls act */
static DEFINE_MUTEX(iosup_lock);	/* enabled, limits, ratio */

bool iosup_ctl_enabled(void)
{
	return READ_ONCE(enabled);
}

int iosup_ctl_enable(bool on)
{
	int ret = 0;

	mutex_lock(&iosup_lock);
	if (live && on != enabled) {
		if (on)
			ret = iosup_pools_enable();
		else
			iosup_pools_disable();
	}
	if (!ret && on != enabled) {
		WRITE_ONCE(enabled, on);
		if (live)
			iosup_genl_notify(IOSUP_EVENT_ENABLED, 0);
	}
	mutex_unlock(&iosup_lock);
	return ret;
}

void iosup_ctl_limit(int level, unsigned int limit)
{
	mutex_lock(&iosup_lock);
	limits[level - 1] = limit;
	if (live) {
		iosup_pool_set_limit(level, limit);
		iosup_genl_notify(IOSUP_EVENT_LIMIT, level);
	}
	mutex_unlock(&iosup_lock);
}

/* A level's free ratio, or every level's with @level 0. */
void iosup_ctl_ratio(int level, unsigned int ratio)
{
	int l;

	mutex_lock(&iosup_lock);
	if (!level)
		free_ratio = ratio;
	for (l = 1; l <= IOSUP_LEVELS; l++) {
		if (level && l != level)
			continue;
		iosup_pool_set_ratio(l, ratio);
		if (live)
			iosup_genl_notify(IOSUP_EVENT_RATIO, l);
	}
	mutex_unlock(&iosup_lock);
}

void iosup_ctl_drain(int level)
{
	mutex_lock(&iosup_lock);
	if (live) {
		iosup_pool_drain(level, ULONG_MAX);
		iosup_genl_notify(IOSUP_EVENT_DRAINED, level);
	}
	mutex_unlock(&iosup_lock);
}

static int iosup_param_set_enabled(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	return ret ?: iosup_ctl_enable(on);
}

static const struct kernel_param_ops iosup_enabled_ops = {
	.set = iosup_param_set_enabled,
	.get = param_get_bool,
};
module_param_cb(enabled, &iosup_enabled_ops, &enabled, 0644);
MODULE_PARM_DESC(enabled, "keep and reuse freed page tables (default: on)");

static int iosup_param_set_limit(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v > IOSUP_LIMIT_MAX)
		return -ERANGE;
	iosup_ctl_limit((unsigned int *)kp->arg - limits + 1, v);
	return 0;
}

static const struct kernel_param_ops iosup_limit_ops = {
	.set = iosup_param_set_limit,
	.get = param_get_uint,
};
module_param_cb(limit_l1, &iosup_limit_ops, &limits[0], 0644);
MODULE_PARM_DESC(limit_l1, "most PTE (L1) tables to keep");
module_param_cb(limit_l2, &iosup_limit_ops, &limits[1], 0644);
MODULE_PARM_DESC(limit_l2, "most PMD (L2) tables to keep");
module_param_cb(limit_l3, &iosup_limit_ops, &limits[2], 0644);
MODULE_PARM_DESC(limit_l3, "most PUD (L3) tables to keep");

static int iosup_param_set_ratio(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v > IOSUP_FREE_RATIO_MAX)
		return -ERANGE;
	iosup_ctl_ratio(0, v);
	return 0;
}

static const struct kernel_param_ops iosup_ratio_ops = {
	.set = iosup_param_set_ratio,
	.get = param_get_uint,
};
module_param_cb(free_ratio, &iosup_ratio_ops, &free_ratio, 0644);
MODULE_PARM_DESC(free_ratio,
		 "percent of the PTE+PMD tables in use each pool may hold (0: limit only); sets every level");

module_param_named(debug, iosup_debug, bool, 0644);
MODULE_PARM_DESC(debug,
		 "check every pooled page: taken once, all zero and read-only at hand-out");

/* One line a level: level, pages in pool, limit, then the counters. */
static int iosup_param_get_stats(char *buf, const struct kernel_param *kp)
{
	int level, len = 0;

	len += sysfs_emit_at(buf, len,
			     "level pool limit hits misses taken refused released violations free_ratio\n");
	for (level = 1; level <= IOSUP_LEVELS; level++) {
		struct iosup_pool *pool = iosup_pool(level);
		unsigned long flags;

		spin_lock_irqsave(&pool->lock, flags);
		len += sysfs_emit_at(buf, len, "L%d %lu %u %lu %lu %lu %lu %lu %lu %u\n",
				     level, pool->count, pool->limit,
				     pool->hits, pool->misses, pool->taken,
				     pool->refused, pool->released,
				     pool->violations, pool->free_ratio);
		spin_unlock_irqrestore(&pool->lock, flags);
	}
	return len;
}

static const struct kernel_param_ops iosup_stats_ops = {
	.get = iosup_param_get_stats,
};
module_param_cb(stats, &iosup_stats_ops, NULL, 0444);
MODULE_PARM_DESC(stats, "per-level pool counters (read only)");

static int __init iosup_init(void)
{
	int ret;

	if (!xen_pv_domain())
		return -ENODEV;

	iosup_pools_init(limits, free_ratio);
	ret = iosup_genl_init();
	if (ret)
		return ret;

	mutex_lock(&iosup_lock);
	if (enabled)
		ret = iosup_pools_enable();
	if (!ret)
		live = true;
	mutex_unlock(&iosup_lock);
	if (ret)
		iosup_genl_exit();
	return ret;
}

static void __exit iosup_exit(void)
{
	iosup_genl_exit();
	mutex_lock(&iosup_lock);
	live = false;
	if (enabled)
		iosup_pools_disable();
	mutex_unlock(&iosup_lock);
}

module_init(iosup_init);
module_exit(iosup_exit);
MODULE_DESCRIPTION("Pools of free page-table pages for Xen PV guests");
MODULE_LICENSE("GPL");
