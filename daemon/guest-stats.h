/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a domU's agent reports of its pools, one xenstore node per level
 * (the names, keys and bounds are <xen/iosup-xenstore.h>'s, which the
 * module's agent writes by):
 *
 *   /local/domain/<domid>/data/iosup/level-<N>      N = 1 (PTE) .. 4 (pgd pair)
 *   "hits=<u64> misses=<u64> pool=<u64> limit=<u32>"
 *
 * ASCII; each of the four keys exactly once, in any order (the agent writes
 * them in the order above); fields split by one space, none at either end;
 * values canonical decimals (digits only, no sign, no leading zero), the
 * counters cumulative since the agent started. limit is at most
 * IOSUP_LIMIT_MAX (262144, the max_pages bound); pool may be above limit
 * for a while (a shrinking pool gives pages back over time) but not above
 * 2^32. The whole value is at most IOSUP_GUEST_STATS_MAX bytes. One node
 * per level, written whole by the agent, so that a level is never read
 * half updated.
 *
 * The domain writes these nodes and dom0 trusts none of them: the parser
 * here is pure, strict, and the unit tests and a fuzzer drive it.
 */
#ifndef IOSUP_GUEST_STATS_H
#define IOSUP_GUEST_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <xen/iosup-xenstore.h>

#include "controller.h"

#define IOSUP_GUEST_STATS_MAX IOSUP_XS_STATS_MAX
#define IOSUP_GUEST_POOL_MAX ((uint64_t)IOSUP_XS_POOL_MAX)

/*
 * Parses @len bytes of @value (no NUL needed) into @out. -EINVAL, with
 * @err naming the key and what is wrong with it, and @out untouched, for
 * anything but the grammar above.
 */
int iosup_guest_stats_parse(const char *value, size_t len,
			    struct ctl_level_sample *out, char *err,
			    size_t err_len);

#endif
