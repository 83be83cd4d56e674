// SPDX-License-Identifier: GPL-2.0
/*
 * The agent of a domU: the pools' controls from dom0 over xenstore, and
 * the pools' stats back (include/xen/iosup-xenstore.h has the nodes).
 *
 * Once xenstore is up it watches the domain's own control/iosup, which
 * dom0 owns and the domain may only read, and takes each level's target
 * (its limit) and free ratio from there through the controls netlink SET
 * uses, under the module's lease: each value taken renews the lease for
 * IOSUP_XS_LEASE_S seconds (the guest_lease parameter), so that the
 * targets of a dom0 that stopped writing go back to the module's
 * defaults. A value it cannot use (not a canonical decimal, or above the
 * module's bound) is refused with one rate-limited message naming its
 * node, and the value in force stays.
 *
 * Every second it writes each level's stats to data/iosup/level-<N>, a
 * whole value per write, when they changed, and all of them after the
 * domain is restored or migrated: its xenstore is then a new one, without
 * data/iosup. On unload the watch goes first (no value is taken after
 * it), then the worker, then data/iosup.
 *
 * Only in a domU: dom0's pools are iosupd's, over netlink.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <xen/xenbus.h>

#include <linux/iosup.h>
#include <xen/iosup-xenstore.h>

#include "iosup.h"

/* As often as iosupd reads them at its shortest period. */
#define IOSUP_GUEST_PERIOD	HZ

/*
 * One message per node a minute: a dom0 that writes garbage in a loop
 * (or a test that writes it on purpose) fills no console.
 */
#define IOSUP_GUEST_WARN_INTERVAL	(60 * HZ)

static unsigned int iosup_guest_lease = IOSUP_XS_LEASE_S;

static int iosup_guest_set_lease(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, IOSUP_LEASE_MAX);
}

static const struct kernel_param_ops iosup_guest_lease_ops = {
	.set = iosup_guest_set_lease,
	.get = param_get_uint,
};
module_param_cb(guest_lease, &iosup_guest_lease_ops, &iosup_guest_lease, 0644);
MODULE_PARM_DESC(guest_lease,
		 "domU: seconds dom0's values over xenstore hold unless renewed (default: the 60 dom0 renews within)");

/* A level's knobs dom0 sets, as netlink SET has them. */
enum iosup_guest_knob {
	IOSUP_GUEST_TARGET,
	IOSUP_GUEST_RATIO,
	IOSUP_GUEST_KNOBS,
};

static const struct {
	const char *prefix;	/* the node's name up to its level */
	unsigned int max;	/* the module's bound */
} iosup_guest_knobs[IOSUP_GUEST_KNOBS] = {
	[IOSUP_GUEST_TARGET] = { IOSUP_XS_TARGET_PREFIX, IOSUP_LIMIT_MAX },
	[IOSUP_GUEST_RATIO] = { IOSUP_XS_RATIO_PREFIX, IOSUP_FREE_RATIO_MAX },
};

/* Each node's refusals are told at most once an interval. */
static struct ratelimit_state iosup_guest_rs[IOSUP_GUEST_KNOBS][IOSUP_LEVELS];

static DEFINE_MUTEX(iosup_guest_lock);	/* running, watching */
static bool iosup_guest_running;	/* xenstore is up: the worker is due */
static bool iosup_guest_watching;	/* the watch is registered */

/* The stats last written, per level, so that an unchanged one is not. */
static char iosup_guest_sent[IOSUP_LEVELS][IOSUP_XS_STATS_MAX + 1];
/* Set on resume: the next report writes every level, changed or not. */
static bool iosup_guest_resend;

/* Enough of a refused value to recognise it. */
#define IOSUP_GUEST_SHOWN	24

static void iosup_guest_take(enum iosup_guest_knob knob, int level,
			     const char *name)
{
	struct iosup_pool *pool = iosup_pool(level);
	unsigned int len;
	u64 v;
	char *val;

	val = xenbus_read(XBT_NIL, IOSUP_XS_CONTROL, name, &len);
	if (IS_ERR(val))
		return;	/* gone: the lease ends what it set */
	if (iosup_xs_parse_u64(val, len, iosup_guest_knobs[knob].max, &v)) {
		if (__ratelimit(&iosup_guest_rs[knob][level - 1]))
			pr_warn("%s/%s: refused '%*pE'%s: not a canonical decimal in [0, %u]; %u stays\n",
				IOSUP_XS_CONTROL, name,
				min_t(int, len, IOSUP_GUEST_SHOWN), val,
				len > IOSUP_GUEST_SHOWN ? "..." : "",
				iosup_guest_knobs[knob].max,
				knob == IOSUP_GUEST_TARGET ?
				READ_ONCE(pool->limit) :
				READ_ONCE(pool->free_ratio));
		kfree(val);
		return;
	}
	kfree(val);

	if (knob == IOSUP_GUEST_TARGET)
		iosup_ctl_limit(level, (unsigned int)v, false);
	else
		iosup_ctl_ratio(level, (unsigned int)v, false);
	iosup_ctl_lease(READ_ONCE(iosup_guest_lease));
}

/* A node under control/iosup: one of the knobs, or nothing the agent reads. */
static void iosup_guest_node(const char *name)
{
	enum iosup_guest_knob knob;
	size_t plen;
	u64 level;

	for (knob = 0; knob < IOSUP_GUEST_KNOBS; knob++) {
		plen = strlen(iosup_guest_knobs[knob].prefix);
		if (strncmp(name, iosup_guest_knobs[knob].prefix, plen))
			continue;
		if (iosup_xs_parse_u64(name + plen, strlen(name + plen),
				       IOSUP_LEVELS, &level) || !level)
			return;
		iosup_guest_take(knob, (int)level, name);
		return;
	}
}

/* Every node of control/iosup: at the watch's first event, or its removal. */
static void iosup_guest_all(void)
{
	unsigned int i, n;
	char **names;

	names = xenbus_directory(XBT_NIL, IOSUP_XS_CONTROL, "", &n);
	if (IS_ERR(names))
		return;
	for (i = 0; i < n; i++)
		iosup_guest_node(names[i]);
	kfree(names);
}

/*
 * The watch is relative, as are its events' paths: control/iosup itself,
 * or a node under it.
 */
static void iosup_guest_changed(struct xenbus_watch *watch, const char *path,
				const char *token)
{
	static const char dir[] = IOSUP_XS_CONTROL;
	const char *name;

	if (strncmp(path, dir, sizeof(dir) - 1))
		return;
	name = path + sizeof(dir) - 1;
	if (!*name)
		iosup_guest_all();
	else if (*name == '/' && name[1] && !strchr(name + 1, '/'))
		iosup_guest_node(name + 1);
}

static struct xenbus_watch iosup_guest_watch = {
	.node = IOSUP_XS_CONTROL,
	.callback = iosup_guest_changed,
};

static void iosup_guest_report(struct work_struct *work);
static DECLARE_DELAYED_WORK(iosup_guest_work, iosup_guest_report);

static void iosup_guest_report(struct work_struct *work)
{
	char buf[IOSUP_XS_STATS_MAX + 1], name[16];
	unsigned long flags;
	u64 hits, misses, count;
	unsigned int limit;
	int level, ret;

	if (xchg(&iosup_guest_resend, false))
		memset(iosup_guest_sent, 0, sizeof(iosup_guest_sent));
	for (level = 1; level <= IOSUP_LEVELS; level++) {
		struct iosup_pool *pool = iosup_pool(level);

		spin_lock_irqsave(&pool->lock, flags);
		hits = pool->hits;
		misses = pool->misses;
		count = pool->count;
		limit = pool->limit;
		spin_unlock_irqrestore(&pool->lock, flags);

		snprintf(buf, sizeof(buf), IOSUP_XS_STATS_FMT,
			 (unsigned long long)hits, (unsigned long long)misses,
			 (unsigned long long)min_t(u64, count, IOSUP_XS_POOL_MAX),
			 limit);
		if (!strcmp(buf, iosup_guest_sent[level - 1]))
			continue;
		snprintf(name, sizeof(name), IOSUP_XS_STATS, level);
		ret = xenbus_write(XBT_NIL, IOSUP_XS_DATA, name, buf);
		if (ret) {
			pr_warn_ratelimited("%s/%s: writing the stats failed: %d\n",
					    IOSUP_XS_DATA, name, ret);
			continue;
		}
		strscpy(iosup_guest_sent[level - 1], buf, sizeof(buf));
	}
	if (READ_ONCE(iosup_guest_running))
		schedule_delayed_work(&iosup_guest_work, IOSUP_GUEST_PERIOD);
}

/* xenstore is up: report, then follow dom0's values. */
static int iosup_guest_ready(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	int ret;

	mutex_lock(&iosup_guest_lock);
	if (iosup_guest_running)
		goto out;
	WRITE_ONCE(iosup_guest_running, true);
	schedule_delayed_work(&iosup_guest_work, 0);
	ret = register_xenbus_watch(&iosup_guest_watch);
	iosup_guest_watching = !ret;
	if (ret)
		pr_warn("watching %s failed: %d; dom0's targets do not reach the pools\n",
			IOSUP_XS_CONTROL, ret);
	else
		pr_info("agent: following %s, reporting to %s\n",
			IOSUP_XS_CONTROL, IOSUP_XS_DATA);
out:
	mutex_unlock(&iosup_guest_lock);
	return NOTIFY_DONE;
}

static struct notifier_block iosup_guest_nb = {
	.notifier_call = iosup_guest_ready,
};

/*
 * Called once the domain runs again after a suspend: restored from a save
 * file or migrated, its xenstore is a new one, without the stats the
 * agent wrote, which a report would never write again while they do not
 * change. (Watches are registered again by xenbus itself.) The report
 * runs now; it waits for xenstore to be back before it writes.
 *
 * Processes are frozen around a suspend, so this never runs while the
 * module loads or unloads.
 */
static int iosup_guest_resumed(struct notifier_block *nb, unsigned long event,
			       void *data)
{
	WRITE_ONCE(iosup_guest_resend, true);
	if (READ_ONCE(iosup_guest_running))
		mod_delayed_work(system_wq, &iosup_guest_work, 0);
	return NOTIFY_DONE;
}

static struct notifier_block iosup_guest_resume_nb = {
	.notifier_call = iosup_guest_resumed,
};

static bool iosup_guest_wanted(void)
{
	return xen_domain() && !xen_initial_domain();
}

int iosup_guest_init(void)
{
	enum iosup_guest_knob knob;
	int level;

	if (!iosup_guest_wanted())
		return 0;
	for (knob = 0; knob < IOSUP_GUEST_KNOBS; knob++) {
		for (level = 0; level < IOSUP_LEVELS; level++) {
			ratelimit_state_init(&iosup_guest_rs[knob][level],
					     IOSUP_GUEST_WARN_INTERVAL, 1);
			ratelimit_set_flags(&iosup_guest_rs[knob][level],
					    RATELIMIT_MSG_ON_RELEASE);
		}
	}
	xen_resume_notifier_register(&iosup_guest_resume_nb);
	/* Calls iosup_guest_ready() now if xenstore is up already. */
	register_xenstore_notifier(&iosup_guest_nb);
	return 0;
}

/*
 * Intake stops first (unregistering the watch waits for a running
 * callback), so that no value is taken once the controls go; then the
 * worker, which nothing re-arms now; then the nodes it wrote.
 */
void iosup_guest_exit(void)
{
	bool was_running;
	int ret;

	if (!iosup_guest_wanted())
		return;
	unregister_xenstore_notifier(&iosup_guest_nb);
	xen_resume_notifier_unregister(&iosup_guest_resume_nb);
	mutex_lock(&iosup_guest_lock);
	was_running = iosup_guest_running;
	if (iosup_guest_watching)
		unregister_xenbus_watch(&iosup_guest_watch);
	iosup_guest_watching = false;
	WRITE_ONCE(iosup_guest_running, false);
	mutex_unlock(&iosup_guest_lock);
	cancel_delayed_work_sync(&iosup_guest_work);
	if (!was_running)
		return;
	ret = xenbus_rm(XBT_NIL, IOSUP_XS_DATA, "");
	if (ret && ret != -ENOENT)
		pr_warn("removing %s failed: %d\n", IOSUP_XS_DATA, ret);
}
