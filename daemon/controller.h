/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The controller: a pure function from what one domain's pools, Xen's
 * flush counters and the domain's memory did since the last sample to the
 * pools' limits and free ratios for the next. No I/O, no clock, no
 * globals: iosupd samples (with the time), calls ctl_decide(), logs the
 * decision and applies it; the unit tests feed it traces.
 *
 * Everything is decided per second of elapsed time, not per period, so a
 * period of 0.5 s and one of 10 s behave alike (DESIGN §6).
 */
#ifndef IOSUP_CONTROLLER_H
#define IOSUP_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The pooled levels: PTE (L1), PMD (L2), PUD (L3) and the pgd pair (L4),
 * [0] being L1. Each is decided on its own counters; the controller does
 * not care what a level's table is, only how many pages one holds.
 */
#define CTL_LEVELS 4

/* What the operator allows for one domain (xenstore policy + config). */
struct ctl_policy {
	uint32_t min_pages;	/* no level's limit goes below this */
	uint32_t max_pages;	/* nor above this */
	/*
	 * Type-change IOMMU flushes a second the domain may cost; 0: as
	 * few as the pools can make it.
	 */
	uint32_t target_flush_rate;
	/* Available memory under this share of the total (percent) is pressure. */
	uint32_t free_floor_percent;
};

/* One level as sampled: cumulative counters and the settings read back. */
struct ctl_level_sample {
	uint64_t hits;		/* tables handed out from the pool */
	uint64_t misses;	/* requests the pool could not serve */
	uint64_t shrunk;	/* tables the kernel's shrinker took */
	uint64_t pool;		/* tables in the pool now */
	uint64_t in_use;	/* tables in use now, if have_in_use */
	uint32_t limit;		/* the pool's limit now, as the module says */
	uint32_t ratio;		/* its free ratio now, percent; 0: limit only */
	uint32_t table_pages;	/* pages one table holds (0 reads as 1) */
	bool have_in_use;	/* the module counts this level's tables in use */
};

/* One sample of one domain. */
struct ctl_sample {
	uint64_t time_ms;	/* monotonic: when the sample was taken */
	struct ctl_level_sample level[CTL_LEVELS];
	/*
	 * Xen: IOMMU unmaps for a page leaving the writable type (each one a
	 * page-selective IOTLB invalidation) and maps for one coming back,
	 * cumulative. Not the domain's page-selective invalidations: DMA
	 * unmaps count there too, and the pools cannot remove those.
	 */
	uint64_t pt_unmaps;
	uint64_t pt_maps;
	bool have_xen;		/* false when the hypervisor lacks the counters */
	/* The domain's memory, in 4 KiB pages (have_memory false: unknown). */
	uint64_t mem_available;	/* what it could allocate without swapping */
	uint64_t mem_total;
	uint64_t page_tables;	/* pages of page tables in use, pools excluded */
	bool have_memory;
};

/* Why a level's limit or ratio is what the decision says. */
enum ctl_reason {
	CTL_HOLD,	/* nothing worth changing (dead band, or no data yet) */
	CTL_SEED,	/* first sample, or the counters went back: start over */
	CTL_OPERATOR,	/* someone else set the value: adopt it, hold off */
	CTL_GROW,	/* misses cost more flushes than the target allows */
	CTL_SHRINK,	/* pages sat idle, or flushes are well under the target */
	CTL_COOLDOWN,	/* would act, but too soon after the last change */
	CTL_PRESSURE,	/* memory is short: cut, and no growth for a while */
	CTL_RELEASE,	/* the pressure cool-down ended: the ratio comes off */
};

/* Which bound, if any, cut the change short. */
enum ctl_bound {
	CTL_BOUND_NONE,
	CTL_BOUND_MIN,		/* policy min_pages */
	CTL_BOUND_MAX,		/* policy max_pages */
	CTL_BOUND_BUDGET,	/* the global memory cap */
	CTL_BOUND_DEMAND,	/* what the level's recent demand will want back */
	CTL_BOUND_PRESSURE,	/* no growth during a memory-pressure cool-down */
};

struct ctl_level_decision {
	uint32_t limit;		/* the limit to apply */
	uint32_t ratio;		/* the free ratio to apply, percent */
	bool change;		/* limit differs from the sampled one */
	bool ratio_change;	/* ratio differs from the sampled one */
	enum ctl_reason reason;	/* of the limit */
	enum ctl_reason ratio_reason;
	enum ctl_bound bound;
	uint64_t misses;	/* since the last sample: the log line's inputs */
	uint64_t hits;
	uint64_t shrunk;
	uint32_t demand;	/* the demand floor: tables the level will want back */
};

struct ctl_decision {
	struct ctl_level_decision level[CTL_LEVELS];
	uint64_t elapsed_ms;	/* since the last sample; 0 on a seed */
	uint64_t flushes;	/* type-change flushes since the last sample */
	/* Type-change flushes a second (Xen's unmaps), and maps a second. */
	double flush_rate;
	double map_rate;
	bool pressure;		/* a pressure cool-down is running */
	int64_t budget_used;	/* pages the changes add (negative: free) */
};

/* What the controller remembers about one domain between samples. */
struct ctl_state {
	bool seeded;
	uint64_t time_ms;
	uint64_t pt_unmaps, pt_maps;
	uint64_t pressure_until_ms;	/* no growth before this */
	uint64_t pressure_cut_ms;	/* when pressure last cut the limits */
	struct {
		uint64_t hits, misses, shrunk;
		uint32_t limit;		/* the limit the controller last set or adopted */
		uint32_t ratio;		/* the ratio likewise */
		uint32_t ratio_base;	/* the ratio from before a pressure pin */
		bool pinned;		/* the ratio is pressure's, not the base */
		double demand;		/* decaying peak of tables handed out a burst */
		uint64_t demand_ms;	/* when the demand was last raised */
		double pool_peak;	/* decaying peak of the pages pooled */
		uint64_t pool_peak_ms;	/* when it was last raised */
		bool handed_out;	/* the last sample saw tables handed out */
		uint64_t hold_until_ms;	/* no shrink before this */
		uint64_t operator_until_ms;	/* an operator's value: hands off */
	} level[CTL_LEVELS];
};

/*
 * Decides the next limits and ratios for one domain. @budget is how many
 * pages the domain's pools may grow by in total (the global cap minus what
 * every pool may hold now); growth beyond it is cut and said so. @state is
 * updated.
 */
void ctl_decide(const struct ctl_policy *policy, struct ctl_state *state,
		const struct ctl_sample *sample, uint64_t budget,
		struct ctl_decision *out);

/*
 * Whether memory pressure pinned level @l (0-based) by its free ratio,
 * and if so the ratio from before, in *@base: what a daemon that stops
 * hands back.
 */
bool ctl_ratio_pinned(const struct ctl_state *state, int l, uint32_t *base);

const char *ctl_reason_name(enum ctl_reason reason);
const char *ctl_bound_name(enum ctl_bound bound);

#endif
