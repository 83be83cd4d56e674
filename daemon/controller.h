/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The controller: a pure function from what one domain's pools and Xen's
 * flush counters did over the last period to the pool limits for the next.
 * No I/O, no clock, no globals: iosupd samples, calls ctl_decide(), logs
 * the decision and applies it; the unit tests feed it traces.
 */
#ifndef IOSUP_CONTROLLER_H
#define IOSUP_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The pooled levels: PTE (L1), PMD (L2), PUD (L3) and the pgd pair (L4),
 * [0] being L1. Each is decided on its own counters; the controller does
 * not care what a level's table is.
 */
#define CTL_LEVELS 4

/* What the operator allows for one domain (xenstore policy + config). */
struct ctl_policy {
	uint32_t min_pages;	/* no level's limit goes below this */
	uint32_t max_pages;	/* nor above this */
};

/* One level as sampled: cumulative counters and the limit read back. */
struct ctl_level_sample {
	uint64_t hits;		/* tables handed out from the pool */
	uint64_t misses;	/* requests the pool could not serve */
	uint64_t pool;		/* pages in the pool now */
	uint32_t limit;		/* the pool's limit now, as the module says */
};

/* One period's sample for one domain. */
struct ctl_sample {
	struct ctl_level_sample level[CTL_LEVELS];
	uint64_t iotlb_flushes;	/* Xen: page-selective invalidations, cumulative */
	bool have_flushes;	/* false when the hypervisor lacks the counters */
};

/* Why a level's limit is what the decision says. */
enum ctl_reason {
	CTL_HOLD,	/* nothing worth changing (dead band, or no data yet) */
	CTL_SEED,	/* first sample, or the counters went back: start over */
	CTL_OPERATOR,	/* someone else set the limit: adopt it, cool down */
	CTL_GROW,	/* misses cost flushes */
	CTL_SHRINK,	/* pages sat idle in the pool */
	CTL_COOLDOWN,	/* would shrink, but too soon after the last change */
};

/* Which bound, if any, cut the change short. */
enum ctl_bound {
	CTL_BOUND_NONE,
	CTL_BOUND_MIN,		/* policy min_pages */
	CTL_BOUND_MAX,		/* policy max_pages */
	CTL_BOUND_BUDGET,	/* the global memory cap */
};

struct ctl_level_decision {
	uint32_t limit;		/* the limit to apply */
	bool change;		/* limit differs from the sampled one */
	enum ctl_reason reason;
	enum ctl_bound bound;
	uint64_t misses;	/* this period's misses: the log line's inputs */
	uint64_t hits;
};

struct ctl_decision {
	struct ctl_level_decision level[CTL_LEVELS];
	uint64_t flushes;	/* this period's page-selective invalidations */
	int64_t budget_used;	/* pages the changes add (negative: free) */
};

/* What the controller remembers about one domain between periods. */
struct ctl_state {
	bool seeded;
	uint64_t iotlb_flushes;
	struct {
		uint64_t hits, misses;
		uint32_t limit;		/* the limit the controller last set or adopted */
		uint32_t idle_periods;	/* periods in a row with no miss and pages pooled */
		uint32_t cooldown;	/* periods before the next shrink is allowed */
	} level[CTL_LEVELS];
};

/*
 * Decides the next limits for one domain. @budget is how many pages the
 * domain's pools may grow by in total (the global cap minus what every pool
 * may hold now); growth beyond it is cut and said so. @state is updated.
 */
void ctl_decide(const struct ctl_policy *policy, struct ctl_state *state,
		const struct ctl_sample *sample, uint64_t budget,
		struct ctl_decision *out);

const char *ctl_reason_name(enum ctl_reason reason);
const char *ctl_bound_name(enum ctl_bound bound);

#endif
