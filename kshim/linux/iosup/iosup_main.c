// SPDX-License-Identifier: GPL-2.0
/*
 * iosup: pools of free page-table pages for a Xen PV guest, so that
 * process churn stops changing page types in Xen and stops flushing the
 * IOMMU's IOTLB. The controls are the generic netlink family "iosup" and,
 * for scripts and insmod, module parameters; /sys/module/iosup/parameters/
 * stats shows the counters.
 *
 * The module parameters are the defaults. Netlink sets the values in
 * force, for good or under a lease: a controller that stops renewing its
 * lease (it died, or hung) gets its limits taken back to the defaults.
 */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include <xen/xen.h>

#include "iosup.h"

/*
 * A small process has 4-7 PTE, about 3 PMD and 2-3 PUD tables and one pgd
 * pair; these cover a few hundred processes exiting at once, at 4 KiB a
 * page (12 KiB a pair).
 */
static unsigned int limits[IOSUP_LEVELS] = { 2048, 512, 512, 256 };
static unsigned int ratios[IOSUP_LEVELS];

static bool enabled = true;
static unsigned int free_ratio;		/* every level's default, as last set for all */
static bool live;			/* pools set up: controls act */
static DEFINE_MUTEX(iosup_lock);	/* enabled, limits, ratios, the lease */

static void iosup_lease_expired(struct work_struct *work);
static DECLARE_DELAYED_WORK(iosup_lease_work, iosup_lease_expired);
static bool iosup_leased;		/* a lease runs: iosup_lease_work is due */

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

static void iosup_apply_limit(int level, unsigned int limit)
{
	if (live) {
		iosup_pool_set_limit(level, limit);
		iosup_genl_notify(IOSUP_EVENT_LIMIT, level);
	}
}

void iosup_ctl_limit(int level, unsigned int limit, bool dflt)
{
	mutex_lock(&iosup_lock);
	if (dflt)
		limits[level - 1] = limit;
	/* A new default waits for a running lease to end. */
	if (!dflt || !iosup_leased) {
		if (live)
			iosup_apply_limit(level, limit);
		else
			iosup_pool(level)->limit = limit;
	}
	mutex_unlock(&iosup_lock);
}

/* A level's free ratio, or every level's with @level 0. */
void iosup_ctl_ratio(int level, unsigned int ratio, bool dflt)
{
	int l;

	mutex_lock(&iosup_lock);
	if (dflt && !level)
		free_ratio = ratio;
	for (l = 1; l <= IOSUP_LEVELS; l++) {
		if (level && l != level)
			continue;
		if (dflt)
			ratios[l - 1] = ratio;
		if (dflt && iosup_leased)
			continue;
		iosup_pool_set_ratio(l, ratio);
		if (live)
			iosup_genl_notify(IOSUP_EVENT_RATIO, l);
	}
	mutex_unlock(&iosup_lock);
}

/*
 * Starts or renews a lease of @seconds on the values in force, or, with 0,
 * makes them permanent.
 */
void iosup_ctl_lease(unsigned int seconds)
{
	mutex_lock(&iosup_lock);
	/* Once the module is going, no lease is armed again. */
	iosup_leased = live && seconds;
	if (iosup_leased)
		mod_delayed_work(system_wq, &iosup_lease_work, seconds * HZ);
	else
		cancel_delayed_work(&iosup_lease_work);
	mutex_unlock(&iosup_lock);
}

/* Seconds left of the running lease, rounded up; 0 if none runs. */
unsigned int iosup_ctl_lease_left(void)
{
	unsigned long left;

	if (!READ_ONCE(iosup_leased))
		return 0;
	left = READ_ONCE(iosup_lease_work.timer.expires) - jiffies;
	if ((long)left <= 0)
		return 1;	/* due: the worker is about to run */
	return DIV_ROUND_UP(left, HZ);
}

unsigned int iosup_ctl_default_limit(int level)
{
	return READ_ONCE(limits[level - 1]);
}

/* Nobody renewed the lease: every level goes back to its defaults. */
static void iosup_lease_expired(struct work_struct *work)
{
	int level;

	mutex_lock(&iosup_lock);
	if (!iosup_leased)
		goto out;
	iosup_leased = false;
	for (level = 1; level <= IOSUP_LEVELS; level++) {
		iosup_pool_set_ratio(level, ratios[level - 1]);
		iosup_apply_limit(level, limits[level - 1]);
	}
	pr_notice("lease expired: limits %u/%u/%u/%u are back\n",
		  limits[0], limits[1], limits[2], limits[3]);
	if (live)
		iosup_genl_notify(IOSUP_EVENT_LEASE_EXPIRED, 0);
out:
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
	iosup_ctl_limit((unsigned int *)kp->arg - limits + 1, v, true);
	return 0;
}

static const struct kernel_param_ops iosup_limit_ops = {
	.set = iosup_param_set_limit,
	.get = param_get_uint,
};
module_param_cb(limit_l1, &iosup_limit_ops, &limits[0], 0644);
MODULE_PARM_DESC(limit_l1, "most PTE (L1) tables to keep, by default");
module_param_cb(limit_l2, &iosup_limit_ops, &limits[1], 0644);
MODULE_PARM_DESC(limit_l2, "most PMD (L2) tables to keep, by default");
module_param_cb(limit_l3, &iosup_limit_ops, &limits[2], 0644);
MODULE_PARM_DESC(limit_l3, "most PUD (L3) tables to keep, by default");
module_param_cb(limit_l4, &iosup_limit_ops, &limits[3], 0644);
MODULE_PARM_DESC(limit_l4, "most pgd pairs (L4) to keep, by default");

static int iosup_param_set_ratio(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v > IOSUP_FREE_RATIO_MAX)
		return -ERANGE;
	iosup_ctl_ratio(0, v, true);
	return 0;
}

static const struct kernel_param_ops iosup_ratio_ops = {
	.set = iosup_param_set_ratio,
	.get = param_get_uint,
};
module_param_cb(free_ratio, &iosup_ratio_ops, &free_ratio, 0644);
MODULE_PARM_DESC(free_ratio,
		 "percent of the PTE+PMD table pages in use each pool's pages may come to (0: limit only); sets every level's default");

static bool debug;

/*
 * Debug mode may be switched at any time: the pools mark or clear the pages
 * they hold as it switches, so that none pooled before is taken for one
 * that never entered.
 */
static int iosup_param_set_debug(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	mutex_lock(&iosup_lock);
	iosup_pools_set_debug(on);
	WRITE_ONCE(debug, on);
	mutex_unlock(&iosup_lock);
	return 0;
}

static const struct kernel_param_ops iosup_debug_ops = {
	.set = iosup_param_set_debug,
	.get = param_get_bool,
};
module_param_cb(debug, &iosup_debug_ops, &debug, 0644);
MODULE_PARM_DESC(debug,
		 "check every pooled page: taken once, all zero and read-only at hand-out; may be switched at run time");

/*
 * One line a level: level, tables in pool, limit, then the counters, and
 * last the tables in use (read outside the pool's lock: the kernel's count).
 */
static int iosup_param_get_stats(char *buf, const struct kernel_param *kp)
{
	int level, len = 0;

	len += sysfs_emit_at(buf, len,
			     "level pool limit hits misses taken refused released violations free_ratio shrunk in_use\n");
	for (level = 1; level <= IOSUP_LEVELS; level++) {
		struct iosup_pool *pool = iosup_pool(level);
		unsigned long flags;

		spin_lock_irqsave(&pool->lock, flags);
		len += sysfs_emit_at(buf, len, "L%d %lu %u %lu %lu %lu %lu %lu %lu %u %lu",
				     level, pool->count, pool->limit,
				     pool->hits, pool->misses, pool->taken,
				     pool->refused, pool->released,
				     pool->violations, pool->free_ratio,
				     pool->shrunk);
		spin_unlock_irqrestore(&pool->lock, flags);
		len += sysfs_emit_at(buf, len, " %lu\n", iosup_pool_in_use(level));
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

	iosup_pools_init(limits, ratios);
	ret = iosup_genl_init();
	if (ret)
		return ret;
	ret = iosup_shrinker_init();
	if (ret)
		goto out_genl;

	mutex_lock(&iosup_lock);
	if (enabled)
		ret = iosup_pools_enable();
	if (!ret)
		live = true;
	mutex_unlock(&iosup_lock);
	if (ret)
		goto out_shrinker;
	/* Last: dom0's values over xenstore act at once. */
	return iosup_guest_init();

out_shrinker:
	iosup_shrinker_exit();
out_genl:
	iosup_genl_exit();
	return ret;
}

/*
 * Nothing may reach the pools once they are gone, and nothing may notify
 * once the family is gone: first the controls stop acting (a parameter
 * write or a netlink request now changes nothing it would tell of) and the
 * kernel's hooks go, whose unregistering waits for the tables in flight,
 * then what the pools hold; then the lease's worker, then the shrinker
 * (which notifies through a worker the family flushes), and only then the
 * family.
 */
static void __exit iosup_exit(void)
{
	/* In a domU, dom0's values stop coming before anything goes. */
	iosup_guest_exit();
	mutex_lock(&iosup_lock);
	live = false;
	iosup_leased = false;
	if (enabled)
		iosup_pools_disable();
	mutex_unlock(&iosup_lock);
	cancel_delayed_work_sync(&iosup_lease_work);
	iosup_shrinker_exit();
	iosup_genl_exit();
}

module_init(iosup_init);
module_exit(iosup_exit);
MODULE_DESCRIPTION("Pools of free page-table pages for Xen PV guests");
MODULE_LICENSE("GPL");
