/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iosup: the xenstore nodes between iosupd in dom0 and the module's agent in
 * a domU. The one definition of their names and grammar: the module
 * (kshim/linux/iosup/iosup_guest.c) and iosupd (daemon/store-path.c,
 * daemon/guest-stats.c) both include this file. Plain C: it builds in the
 * kernel and in user space. Include <linux/iosup.h> (the uapi header) first.
 *
 * Paths are relative to the domain's home, /local/domain/<domid>/, as a
 * domain names them itself:
 *
 *   control/iosup/target-l<N>   N = 1 (PTE) .. 4 (pgd pair)
 *	dom0 writes, the domain only reads: the most tables the level's pool
 *	may hold, a canonical decimal in [0, IOSUP_LIMIT_MAX]
 *   control/iosup/ratio-l<N>
 *	dom0 writes, the domain only reads: the level's free ratio, percent
 *	of tables in use, a canonical decimal in [0, IOSUP_FREE_RATIO_MAX]
 *   data/iosup/level-<N>
 *	the domain writes, dom0 reads and trusts none of it: the level's
 *	stats, "hits=<u64> misses=<u64> pool=<u64> limit=<u32>"
 *
 * A canonical decimal: digits only, no sign, no space, no leading zero.
 *
 * The lease: the agent applies targets and ratios under the module's lease
 * (as a leased netlink SET does), and every write under control/iosup that
 * it accepts renews it for IOSUP_XS_LEASE_S seconds. When dom0 writes
 * nothing for that long, every level goes back to the module's defaults:
 * a dom0 controller that died does not hold the domain's pools. So dom0
 * writes a domain's targets again, changed or not, within that time.
 */
#ifndef _IOSUP_XENSTORE_H
#define _IOSUP_XENSTORE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#endif

/* The domain's control directory (dom0's) and data directory (its own). */
#define IOSUP_XS_CONTROL	"control/iosup"
#define IOSUP_XS_DATA		"data/iosup"

/* Node names under them: a prefix, then the level as %u. */
#define IOSUP_XS_TARGET_PREFIX	"target-l"
#define IOSUP_XS_RATIO_PREFIX	"ratio-l"
#define IOSUP_XS_STATS_PREFIX	"level-"
#define IOSUP_XS_TARGET		IOSUP_XS_TARGET_PREFIX "%u"
#define IOSUP_XS_RATIO		IOSUP_XS_RATIO_PREFIX "%u"
#define IOSUP_XS_STATS		IOSUP_XS_STATS_PREFIX "%u"

/*
 * The lease the agent holds dom0's values under: ten of iosupd's default
 * periods, so that a missed period or two does not drop them.
 */
#define IOSUP_XS_LEASE_S	60

/*
 * A level's stats, as the agent writes them: each key exactly once,
 * fields split by one space. Readers take the keys in any order; the
 * agent writes this one.
 */
#define IOSUP_XS_STATS_FMT	"hits=%llu misses=%llu pool=%llu limit=%u"
#define IOSUP_XS_STATS_HITS	"hits"
#define IOSUP_XS_STATS_MISSES	"misses"
#define IOSUP_XS_STATS_POOL	"pool"
#define IOSUP_XS_STATS_LIMIT	"limit"

/* The longest stats value: four 20-digit numbers and their keys fit in 100. */
#define IOSUP_XS_STATS_MAX	128

/*
 * pool's bound: far above any limit (a shrinking pool may hold more than
 * its limit for a while), below a count that makes no sense.
 */
#define IOSUP_XS_POOL_MAX	(1ULL << 32)

/*
 * @s (@len bytes, no NUL needed) as a canonical decimal in [0, @max] into
 * *@out, or -EINVAL and *@out untouched.
 */
static inline int iosup_xs_parse_u64(const char *s, size_t len, uint64_t max,
				     uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

#endif /* _IOSUP_XENSTORE_H */
