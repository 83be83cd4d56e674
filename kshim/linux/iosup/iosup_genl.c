// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "iosup" (include/uapi/linux/iosup.h, specified
 * in iosup.yaml): the pools' counters as a dump, and the writes that set a
 * level's limit, the free ratio or the enabled state, or drain a level.
 * Every write is validated whole before anything changes, so a rejected
 * request leaves the pools as they were.
 */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include <linux/iosup.h>

#include <asm/xen/pt_pool.h>

#include "iosup.h"

/* Not const: the 6.1 policy macros take a plain pointer. */
static struct netlink_range_validation iosup_limit_range = {
	.max = IOSUP_LIMIT_MAX,
};

static struct netlink_range_validation iosup_lease_range = {
	.max = IOSUP_LEASE_MAX,
};

/*
 * A policy per command, each over every attribute the family defines, so
 * that one a command does not take is refused with a message naming it
 * (an attribute past IOSUP_A_MAX is refused by the core as unknown, the
 * extack's offset pointing at it).
 */
#define IOSUP_REJECT(attr, why) \
	[IOSUP_A_##attr] = { .type = NLA_REJECT, .reject_message = #attr ": " why }

/* GET: the level to read, or none for every level. */
static const struct nla_policy iosup_get_policy[IOSUP_A_MAX + 1] = {
	[IOSUP_A_LEVEL] = NLA_POLICY_RANGE(NLA_U8, IOSUP_LEVEL_PTE, IOSUP_LEVELS),
	IOSUP_REJECT(LIMIT, "not an attribute of GET"),
	IOSUP_REJECT(FREE_RATIO, "not an attribute of GET"),
	IOSUP_REJECT(ENABLED, "not an attribute of GET"),
	IOSUP_REJECT(LEASE, "not an attribute of GET"),
	IOSUP_REJECT(POOL, "a read-only counter"),
	IOSUP_REJECT(HITS, "a read-only counter"),
	IOSUP_REJECT(MISSES, "a read-only counter"),
	IOSUP_REJECT(TAKEN, "a read-only counter"),
	IOSUP_REJECT(REFUSED, "a read-only counter"),
	IOSUP_REJECT(RELEASED, "a read-only counter"),
	IOSUP_REJECT(SHRUNK, "a read-only counter"),
	IOSUP_REJECT(IN_USE, "a read-only counter"),
	IOSUP_REJECT(TABLE_PAGES, "a read-only counter"),
	IOSUP_REJECT(VIOLATIONS, "a read-only counter"),
	IOSUP_REJECT(ALLOC_COUNT, "a read-only counter"),
	IOSUP_REJECT(ALLOC_NS, "a read-only counter"),
	IOSUP_REJECT(FREE_COUNT, "a read-only counter"),
	IOSUP_REJECT(FREE_NS, "a read-only counter"),
	IOSUP_REJECT(POOL_IN_PAGETABLES, "a read-only property"),
	IOSUP_REJECT(EVENT, "events are sent, not taken"),
	IOSUP_REJECT(PAD, "padding, not a value"),
	IOSUP_REJECT(DEFAULT_LIMIT, "defaults are the module parameters"),
};

/*
 * SET: a limit (with its level), a ratio (with or without one), the
 * enabled state, a lease.
 */
static const struct nla_policy iosup_set_policy[IOSUP_A_MAX + 1] = {
	[IOSUP_A_LEVEL] = NLA_POLICY_RANGE(NLA_U8, IOSUP_LEVEL_PTE, IOSUP_LEVELS),
	[IOSUP_A_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32, &iosup_limit_range),
	[IOSUP_A_FREE_RATIO] = NLA_POLICY_MAX(NLA_U32, IOSUP_FREE_RATIO_MAX),
	[IOSUP_A_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[IOSUP_A_LEASE] = NLA_POLICY_FULL_RANGE(NLA_U32, &iosup_lease_range),
	IOSUP_REJECT(POOL, "a read-only counter"),
	IOSUP_REJECT(HITS, "a read-only counter"),
	IOSUP_REJECT(MISSES, "a read-only counter"),
	IOSUP_REJECT(TAKEN, "a read-only counter"),
	IOSUP_REJECT(REFUSED, "a read-only counter"),
	IOSUP_REJECT(RELEASED, "a read-only counter"),
	IOSUP_REJECT(SHRUNK, "a read-only counter"),
	IOSUP_REJECT(IN_USE, "a read-only counter"),
	IOSUP_REJECT(TABLE_PAGES, "a read-only counter"),
	IOSUP_REJECT(VIOLATIONS, "a read-only counter"),
	IOSUP_REJECT(ALLOC_COUNT, "a read-only counter"),
	IOSUP_REJECT(ALLOC_NS, "a read-only counter"),
	IOSUP_REJECT(FREE_COUNT, "a read-only counter"),
	IOSUP_REJECT(FREE_NS, "a read-only counter"),
	IOSUP_REJECT(POOL_IN_PAGETABLES, "a read-only property"),
	IOSUP_REJECT(EVENT, "events are sent, not taken"),
	IOSUP_REJECT(PAD, "padding, not a value"),
	IOSUP_REJECT(DEFAULT_LIMIT, "defaults are the module parameters"),
};

/* DRAIN: the level to drain. */
static const struct nla_policy iosup_drain_policy[IOSUP_A_MAX + 1] = {
	[IOSUP_A_LEVEL] = NLA_POLICY_RANGE(NLA_U8, IOSUP_LEVEL_PTE, IOSUP_LEVELS),
	IOSUP_REJECT(LIMIT, "not an attribute of DRAIN"),
	IOSUP_REJECT(FREE_RATIO, "not an attribute of DRAIN"),
	IOSUP_REJECT(ENABLED, "not an attribute of DRAIN"),
	IOSUP_REJECT(LEASE, "not an attribute of DRAIN"),
	IOSUP_REJECT(POOL, "a read-only counter"),
	IOSUP_REJECT(HITS, "a read-only counter"),
	IOSUP_REJECT(MISSES, "a read-only counter"),
	IOSUP_REJECT(TAKEN, "a read-only counter"),
	IOSUP_REJECT(REFUSED, "a read-only counter"),
	IOSUP_REJECT(RELEASED, "a read-only counter"),
	IOSUP_REJECT(SHRUNK, "a read-only counter"),
	IOSUP_REJECT(IN_USE, "a read-only counter"),
	IOSUP_REJECT(TABLE_PAGES, "a read-only counter"),
	IOSUP_REJECT(VIOLATIONS, "a read-only counter"),
	IOSUP_REJECT(ALLOC_COUNT, "a read-only counter"),
	IOSUP_REJECT(ALLOC_NS, "a read-only counter"),
	IOSUP_REJECT(FREE_COUNT, "a read-only counter"),
	IOSUP_REJECT(FREE_NS, "a read-only counter"),
	IOSUP_REJECT(POOL_IN_PAGETABLES, "a read-only property"),
	IOSUP_REJECT(EVENT, "events are sent, not taken"),
	IOSUP_REJECT(PAD, "padding, not a value"),
	IOSUP_REJECT(DEFAULT_LIMIT, "defaults are the module parameters"),
};

static struct genl_family iosup_family;

/* Bumped on every change, so that a dump across one is marked inconsistent. */
static atomic_t iosup_generation = ATOMIC_INIT(1);

#ifdef xen_pt_pool_cost
/*
 * The kernel's cost counters of a level, only while it counts them: no
 * zeros that look measured.
 */
static int iosup_put_cost(struct sk_buff *skb, int level)
{
	struct xen_pt_pool_cost cost;

	if (!xen_pt_pool_cost(level, &cost))
		return 0;
	return nla_put_u64_64bit(skb, IOSUP_A_ALLOC_COUNT, cost.alloc_nr, IOSUP_A_PAD) ||
	       nla_put_u64_64bit(skb, IOSUP_A_ALLOC_NS, cost.alloc_ns, IOSUP_A_PAD) ||
	       nla_put_u64_64bit(skb, IOSUP_A_FREE_COUNT, cost.free_nr, IOSUP_A_PAD) ||
	       nla_put_u64_64bit(skb, IOSUP_A_FREE_NS, cost.free_ns, IOSUP_A_PAD);
}
#else
/* A kernel without the series' last patch counts no costs. */
static int iosup_put_cost(struct sk_buff *skb, int level)
{
	return 0;
}
#endif

static int iosup_fill_level(struct sk_buff *skb, int level)
{
	struct iosup_pool *pool = iosup_pool(level);
	u64 count, hits, misses, taken, refused, released, shrunk, violations;
	unsigned long flags, in_use;
	u32 limit;

	spin_lock_irqsave(&pool->lock, flags);
	count = pool->count;
	limit = pool->limit;
	hits = pool->hits;
	misses = pool->misses;
	taken = pool->taken;
	refused = pool->refused;
	released = pool->released;
	shrunk = pool->shrunk;
	violations = pool->violations;
	spin_unlock_irqrestore(&pool->lock, flags);
	in_use = iosup_pool_in_use(level);

	if (nla_put_u8(skb, IOSUP_A_LEVEL, level) ||
	    nla_put_u64_64bit(skb, IOSUP_A_POOL, count, IOSUP_A_PAD) ||
	    nla_put_u32(skb, IOSUP_A_LIMIT, limit) ||
	    nla_put_u64_64bit(skb, IOSUP_A_HITS, hits, IOSUP_A_PAD) ||
	    nla_put_u64_64bit(skb, IOSUP_A_MISSES, misses, IOSUP_A_PAD) ||
	    nla_put_u64_64bit(skb, IOSUP_A_TAKEN, taken, IOSUP_A_PAD) ||
	    nla_put_u64_64bit(skb, IOSUP_A_REFUSED, refused, IOSUP_A_PAD) ||
	    nla_put_u64_64bit(skb, IOSUP_A_RELEASED, released, IOSUP_A_PAD) ||
	    nla_put_u32(skb, IOSUP_A_FREE_RATIO, READ_ONCE(pool->free_ratio)) ||
	    nla_put_u8(skb, IOSUP_A_ENABLED, iosup_ctl_enabled()) ||
	    nla_put_u64_64bit(skb, IOSUP_A_SHRUNK, shrunk, IOSUP_A_PAD) ||
	    nla_put_u64_64bit(skb, IOSUP_A_IN_USE, in_use, IOSUP_A_PAD) ||
	    nla_put_u32(skb, IOSUP_A_TABLE_PAGES, iosup_table_pages(level)) ||
	    nla_put_u64_64bit(skb, IOSUP_A_VIOLATIONS, violations, IOSUP_A_PAD) ||
	    nla_put_u32(skb, IOSUP_A_DEFAULT_LIMIT, iosup_ctl_default_limit(level)) ||
	    nla_put_u32(skb, IOSUP_A_LEASE, iosup_ctl_lease_left()) ||
	    nla_put_u8(skb, IOSUP_A_POOL_IN_PAGETABLES, 1) ||
	    iosup_put_cost(skb, level))
		return -EMSGSIZE;
	return 0;
}

/* GET: one message per level, or only the level IOSUP_A_LEVEL names. */
static int iosup_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	int level = cb->args[0] ? cb->args[0] : IOSUP_LEVEL_PTE;
	int last = IOSUP_LEVELS;
	void *hdr;

	if (info->attrs[IOSUP_A_LEVEL]) {
		if (level < nla_get_u8(info->attrs[IOSUP_A_LEVEL]))
			level = nla_get_u8(info->attrs[IOSUP_A_LEVEL]);
		last = nla_get_u8(info->attrs[IOSUP_A_LEVEL]);
	}

	cb->seq = atomic_read(&iosup_generation);
	for (; level <= last; level++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &iosup_family,
				  NLM_F_MULTI, IOSUP_CMD_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (iosup_fill_level(skb, level)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = level;
	return skb->len;
}

/*
 * The check GENL_ADMIN_PERM would make, done here so that a refusal says
 * why.
 */
static bool iosup_admin(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_NET_ADMIN))
		return true;
	NL_SET_ERR_MSG(info->extack, "changing the pools needs CAP_NET_ADMIN");
	return false;
}

static int iosup_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	int ret = 0;

	if (!iosup_admin(skb, info))
		return -EPERM;
	if (!a[IOSUP_A_LIMIT] && !a[IOSUP_A_FREE_RATIO] && !a[IOSUP_A_ENABLED] &&
	    !a[IOSUP_A_LEASE]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give LIMIT (with LEVEL), FREE_RATIO, ENABLED or LEASE");
		return -EINVAL;
	}
	if (a[IOSUP_A_LIMIT] && GENL_REQ_ATTR_CHECK(info, IOSUP_A_LEVEL)) {
		NL_SET_ERR_MSG(info->extack, "LIMIT needs the LEVEL it is for");
		return -EINVAL;
	}
	if (a[IOSUP_A_LEVEL] && !a[IOSUP_A_LIMIT] && !a[IOSUP_A_FREE_RATIO]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[IOSUP_A_LEVEL],
				    "LEVEL is only used with LIMIT or FREE_RATIO");
		return -EINVAL;
	}

	if (a[IOSUP_A_ENABLED])
		ret = iosup_ctl_enable(nla_get_u8(a[IOSUP_A_ENABLED]));
	if (ret) {
		NL_SET_ERR_MSG(info->extack, "the kernel refused the pools");
		return ret;
	}
	if (a[IOSUP_A_LIMIT])
		iosup_ctl_limit(nla_get_u8(a[IOSUP_A_LEVEL]),
				nla_get_u32(a[IOSUP_A_LIMIT]), false);
	/* A ratio without a level is every level's. */
	if (a[IOSUP_A_FREE_RATIO])
		iosup_ctl_ratio(a[IOSUP_A_LEVEL] ? nla_get_u8(a[IOSUP_A_LEVEL]) : 0,
				nla_get_u32(a[IOSUP_A_FREE_RATIO]), false);
	/* New values without a lease are for good; a lease alone renews. */
	if (a[IOSUP_A_LEASE])
		iosup_ctl_lease(nla_get_u32(a[IOSUP_A_LEASE]));
	else if (a[IOSUP_A_LIMIT] || a[IOSUP_A_FREE_RATIO])
		iosup_ctl_lease(0);
	return 0;
}

static int iosup_drain_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (!iosup_admin(skb, info))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, IOSUP_A_LEVEL)) {
		NL_SET_ERR_MSG(info->extack, "DRAIN needs the LEVEL to drain");
		return -EINVAL;
	}
	iosup_ctl_drain(nla_get_u8(info->attrs[IOSUP_A_LEVEL]));
	return 0;
}

static const struct genl_ops iosup_ops[] = {
	{
		.cmd = IOSUP_CMD_GET,
		.dumpit = iosup_get_dumpit,
		.policy = iosup_get_policy,
		.maxattr = IOSUP_A_MAX,
	},
	{
		.cmd = IOSUP_CMD_SET,
		.doit = iosup_set_doit,
		.policy = iosup_set_policy,
		.maxattr = IOSUP_A_MAX,
	},
	{
		.cmd = IOSUP_CMD_DRAIN,
		.doit = iosup_drain_doit,
		.policy = iosup_drain_policy,
		.maxattr = IOSUP_A_MAX,
	},
};

static const struct genl_multicast_group iosup_mcgrps[] = {
	{ .name = IOSUP_MCGRP_EVENTS },
};

static struct genl_family iosup_family __ro_after_init = {
	.name = IOSUP_GENL_NAME,
	.version = IOSUP_GENL_VERSION,
	.maxattr = IOSUP_A_MAX,
	.module = THIS_MODULE,
	.ops = iosup_ops,
	.n_ops = ARRAY_SIZE(iosup_ops),
	.mcgrps = iosup_mcgrps,
	.n_mcgrps = ARRAY_SIZE(iosup_mcgrps),
	/* A new family: every command gets strict header checks. */
	.resv_start_op = IOSUP_CMD_GET,
};

/*
 * Tells the "events" group what changed: @event, and for a level's change
 * the level's state after it. Best effort; a listener that misses one
 * re-reads with GET.
 */
void iosup_genl_notify(enum iosup_event event, int level)
{
	struct sk_buff *skb;
	void *hdr;

	atomic_inc(&iosup_generation);
	if (!genl_has_listeners(&iosup_family, &init_net, 0))
		return;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &iosup_family, 0, IOSUP_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(skb, IOSUP_A_EVENT, event) ||
	    (level && iosup_fill_level(skb, level)) ||
	    (!level && nla_put_u8(skb, IOSUP_A_ENABLED, iosup_ctl_enabled()))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&iosup_family, skb, 0, 0, GFP_KERNEL);
}

/*
 * Tables the shrinker took, per level, not yet told: the shrinker runs in
 * reclaim, where allocating a message is the wrong thing to do, so a worker
 * sends them.
 */
static atomic_long_t iosup_shrunk_untold[IOSUP_LEVELS];

static void iosup_tell_shrunk(struct work_struct *work)
{
	struct sk_buff *skb;
	long tables;
	void *hdr;
	int level;

	for (level = 1; level <= IOSUP_LEVELS; level++) {
		tables = atomic_long_xchg(&iosup_shrunk_untold[level - 1], 0);
		if (!tables || !genl_has_listeners(&iosup_family, &init_net, 0))
			continue;
		skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!skb)
			continue;
		hdr = genlmsg_put(skb, 0, 0, &iosup_family, 0, IOSUP_CMD_EVENT);
		if (!hdr || nla_put_u32(skb, IOSUP_A_EVENT, IOSUP_EVENT_SHRUNK) ||
		    iosup_fill_level(skb, level)) {
			nlmsg_free(skb);
			continue;
		}
		genlmsg_end(skb, hdr);
		genlmsg_multicast(&iosup_family, skb, 0, 0, GFP_KERNEL);
	}
}

static DECLARE_WORK(iosup_shrunk_work, iosup_tell_shrunk);

void iosup_genl_notify_shrunk(int level, unsigned long tables)
{
	atomic_long_add(tables, &iosup_shrunk_untold[level - 1]);
	atomic_inc(&iosup_generation);
	schedule_work(&iosup_shrunk_work);
}

int __init iosup_genl_init(void)
{
	return genl_register_family(&iosup_family);
}

/* The shrinker is gone by now: nothing schedules the worker again. */
void iosup_genl_exit(void)
{
	flush_work(&iosup_shrunk_work);
	genl_unregister_family(&iosup_family);
}
