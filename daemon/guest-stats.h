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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/iosup-xenstore.h>

#include "controller.h"

#define IOSUP_GUEST_STATS_MAX IOSUP_XS_STATS_MAX
#define IOSUP_GUEST_POOL_MAX ((uint64_t)IOSUP_XS_POOL_MAX)

/* Each way a report is refused, warned about apart (iosup_guest_warn_due()). */
enum iosup_guest_fault {
	IOSUP_GUEST_FAULT_MALFORMED,	/* not the grammar */
	IOSUP_GUEST_FAULT_OVERSIZE,	/* longer than IOSUP_GUEST_STATS_MAX */
	IOSUP_GUEST_FAULT_KEY,		/* a key that is no stats key */
	IOSUP_GUEST_FAULT_BOUND,	/* a value above its bound */
	IOSUP_GUEST_FAULTS,
};

/*
 * Parses @len bytes of @value (no NUL needed) into @out. -EINVAL, with
 * @err naming the key and what is wrong with it, *@fault (unless NULL)
 * saying which kind of fault it is, and @out untouched, for anything but
 * the grammar above.
 */
int iosup_guest_stats_parse(const char *value, size_t len,
			    struct ctl_level_sample *out, char *err,
			    size_t err_len, enum iosup_guest_fault *fault);

/* "malformed", "oversize", "unknown key", "out of bound". */
const char *iosup_guest_fault_name(enum iosup_guest_fault fault);

/*
 * A domain writes its reports as often as it likes: the warning about one
 * kind of fault is said at most once a minute per domain, which is as
 * often as an operator reads the log, and rare enough that a domU writing
 * garbage in a loop cannot flood dom0's journal.
 */
#define IOSUP_GUEST_WARN_MS 60000

/* One domain's warnings, by kind of fault; zeroed: none said yet. */
struct iosup_guest_warnings {
	unsigned int warned;		/* bit f: a warning of kind f was said */
	uint64_t last_ms[IOSUP_GUEST_FAULTS];	/* monotonic, when */
	uint64_t suppressed[IOSUP_GUEST_FAULTS]; /* refusals not said since */
};

/*
 * Whether a refusal of kind @fault at @now_ms (monotonic) is to be said:
 * true for the first of its kind, and once IOSUP_GUEST_WARN_MS passed
 * since the last one said, with *@suppressed the refusals of that kind
 * not said meanwhile; false (and counted) otherwise.
 */
bool iosup_guest_warn_due(struct iosup_guest_warnings *w,
			  enum iosup_guest_fault fault, uint64_t now_ms,
			  uint64_t *suppressed);

#endif
