// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pool controller (DESIGN §6). Grows a level's limit at once when its
 * misses cost IOTLB flushes, shrinks it slowly and only by pages that sat
 * idle in the pool, and leaves alone what an operator set by hand.
 */
#include "controller.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Misses per period below which nothing is done: while pools refill after
 * a drain, or when a process needs one more table than its predecessor,
 * a few misses are normal (a warm 1000-process storm shows about 20-30 in
 * all), and chasing them would move the limit every period.
 */
#define MISS_DEAD_BAND 4

/*
 * A growing level gets twice its misses: the misses of one period say how
 * far the limit fell short then, and churn that is still rising will want
 * more by the next period. At least GROW_MIN_STEP, so that a small
 * shortfall does not take many periods of one-page steps.
 */
#define GROW_GAIN 2
#define GROW_MIN_STEP 16

/*
 * Periods in a row without misses, with surplus pages in the pool, before
 * the pool counts as idle: churn comes in bursts (a build, a test run),
 * and a pool shrunk between two bursts costs flushes to refill.
 */
#define IDLE_PERIODS 5

/*
 * Pages a period's hits keep busy, per hit: a table handed out comes back
 * when its process exits, so the pool needs about as many pages as one
 * period takes, and as many again for a burst. Pages beyond that are
 * surplus: a host never stops creating processes altogether (cron, shells,
 * monitoring), and a pool sized for a build must still come down to what
 * that background needs.
 */
#define BUSY_PAGES_PER_HIT 2

/*
 * An idle level's limit comes down to its pooled pages less half of the
 * surplus, one step every SHRINK_COOLDOWN + 1 periods: slow enough that a
 * pause in churn costs little, fast enough to be under a tenth of a peak
 * within twenty periods of the churn ending (5 idle + 4 steps of 3).
 */
#define SHRINK_DIVISOR 2
#define SHRINK_COOLDOWN 2

/* No shrink for this many periods after a grow: the grow was needed. */
#define GROW_COOLDOWN 5

/*
 * A limit someone else set is left alone this long, in either direction:
 * the operator may be measuring something.
 */
#define OPERATOR_HOLD 30

/*
 * The smallest shrink step worth a netlink write and a log line, unless
 * fewer pages than that are left.
 */
#define LIMIT_DEAD_BAND 8

static uint32_t clamp_limit(uint64_t want, const struct ctl_policy *policy,
			    enum ctl_bound *bound)
{
	if (want < policy->min_pages) {
		*bound = CTL_BOUND_MIN;
		return policy->min_pages;
	}
	if (want > policy->max_pages) {
		*bound = CTL_BOUND_MAX;
		return policy->max_pages;
	}
	return (uint32_t)want;
}

/* Forgets a level's history: counters from @s, limit as sampled. */
static void seed_level(struct ctl_state *state, int l,
		       const struct ctl_level_sample *s)
{
	state->level[l].hits = s->hits;
	state->level[l].misses = s->misses;
	state->level[l].limit = s->limit;
	state->level[l].idle_periods = 0;
	state->level[l].cooldown = 0;
}

static void decide_level(const struct ctl_policy *policy,
			 struct ctl_state *state, int l,
			 const struct ctl_level_sample *s, bool flushes_cost,
			 uint64_t *budget, struct ctl_level_decision *d)
{
	uint64_t misses, hits, want, pooled, busy, surplus, step;
	uint32_t limit = s->limit;

	d->limit = limit;
	d->change = false;
	d->reason = CTL_HOLD;
	d->bound = CTL_BOUND_NONE;
	d->misses = 0;
	d->hits = 0;

	/* The module was reloaded (its counters restarted): start over. */
	if (s->misses < state->level[l].misses || s->hits < state->level[l].hits) {
		seed_level(state, l, s);
		d->reason = CTL_SEED;
		return;
	}
	misses = s->misses - state->level[l].misses;
	hits = s->hits - state->level[l].hits;
	state->level[l].misses = s->misses;
	state->level[l].hits = s->hits;
	d->misses = misses;
	d->hits = hits;

	if (limit != state->level[l].limit) {
		state->level[l].limit = limit;
		state->level[l].idle_periods = 0;
		state->level[l].cooldown = OPERATOR_HOLD;
		d->reason = CTL_OPERATOR;
		return;
	}

	if (misses > MISS_DEAD_BAND && flushes_cost) {
		state->level[l].idle_periods = 0;
		if (state->level[l].cooldown > GROW_COOLDOWN) {
			/* An operator's hold: growing would fight it. */
			state->level[l].cooldown--;
			d->reason = CTL_COOLDOWN;
			return;
		}
		want = (uint64_t)limit + (misses * GROW_GAIN > GROW_MIN_STEP ?
					  misses * GROW_GAIN : GROW_MIN_STEP);
		if (want - limit > *budget) {
			want = limit + *budget;
			d->bound = CTL_BOUND_BUDGET;
		}
		d->limit = clamp_limit(want, policy, &d->bound);
		d->reason = CTL_GROW;
		state->level[l].cooldown = GROW_COOLDOWN;
	} else {
		/*
		 * Idle: pages sit in the pool and nobody takes them. During
		 * churn the pool holds pages between one exit and the next
		 * fork; those are in use, and the hits say how many.
		 */
		pooled = s->pool < limit ? s->pool : limit;
		busy = hits > UINT64_MAX / BUSY_PAGES_PER_HIT ? UINT64_MAX :
		       hits * BUSY_PAGES_PER_HIT;
		surplus = pooled > busy ? pooled - busy : 0;
		if (misses > MISS_DEAD_BAND || surplus == 0)
			state->level[l].idle_periods = 0;
		else if (state->level[l].idle_periods < IDLE_PERIODS)
			state->level[l].idle_periods++;
		if (state->level[l].cooldown) {
			state->level[l].cooldown--;
			if (state->level[l].idle_periods >= IDLE_PERIODS)
				d->reason = CTL_COOLDOWN;
			return;
		}
		if (state->level[l].idle_periods < IDLE_PERIODS)
			return;
		step = surplus / SHRINK_DIVISOR;
		if (step < LIMIT_DEAD_BAND)
			step = surplus < LIMIT_DEAD_BAND ? surplus : LIMIT_DEAD_BAND;
		/* Headroom above the pooled pages costs no memory: drop it too. */
		d->limit = clamp_limit(pooled - step, policy, &d->bound);
		if (d->limit >= limit) {
			/* Already at min_pages (d->bound says so): nothing to do. */
			d->limit = limit;
			return;
		}
		d->reason = CTL_SHRINK;
		state->level[l].cooldown = SHRINK_COOLDOWN;
	}

	if (d->limit != limit) {
		d->change = true;
		state->level[l].limit = d->limit;
		if (d->limit > limit)
			*budget -= d->limit - limit;
	} else {
		d->reason = CTL_HOLD;
	}
}

void ctl_decide(const struct ctl_policy *policy, struct ctl_state *state,
		const struct ctl_sample *sample, uint64_t budget,
		struct ctl_decision *out)
{
	uint64_t flushes = 0;
	bool flushes_cost;
	int l;

	out->budget_used = 0;
	out->flushes = 0;
	if (!state->seeded) {
		for (l = 0; l < CTL_LEVELS; l++) {
			seed_level(state, l, &sample->level[l]);
			out->level[l] = (struct ctl_level_decision){
				.limit = sample->level[l].limit,
				.reason = CTL_SEED,
			};
		}
		state->iotlb_flushes = sample->iotlb_flushes;
		state->seeded = true;
		return;
	}

	if (sample->have_flushes && sample->iotlb_flushes >= state->iotlb_flushes)
		flushes = sample->iotlb_flushes - state->iotlb_flushes;
	state->iotlb_flushes = sample->iotlb_flushes;
	out->flushes = flushes;
	/*
	 * Misses are worth pages only when they cost flushes. Without Xen's
	 * counters every miss is taken to cost one, as it does under a
	 * strict IOMMU.
	 */
	flushes_cost = !sample->have_flushes || flushes > 0;

	for (l = 0; l < CTL_LEVELS; l++) {
		struct ctl_level_decision *d = &out->level[l];

		decide_level(policy, state, l, &sample->level[l], flushes_cost,
			     &budget, d);
		out->budget_used += (int64_t)d->limit - (int64_t)sample->level[l].limit;
	}
}

const char *ctl_reason_name(enum ctl_reason reason)
{
	static const char *const names[] = {
		[CTL_HOLD] = "hold",
		[CTL_SEED] = "seed",
		[CTL_OPERATOR] = "operator",
		[CTL_GROW] = "grow",
		[CTL_SHRINK] = "shrink",
		[CTL_COOLDOWN] = "cooldown",
	};

	return (size_t)reason < sizeof(names) / sizeof(names[0]) && names[reason] ?
	       names[reason] : "unknown";
}

const char *ctl_bound_name(enum ctl_bound bound)
{
	static const char *const names[] = {
		[CTL_BOUND_NONE] = "none",
		[CTL_BOUND_MIN] = "min_pages",
		[CTL_BOUND_MAX] = "max_pages",
		[CTL_BOUND_BUDGET] = "memory cap",
	};

	return (size_t)bound < sizeof(names) / sizeof(names[0]) && names[bound] ?
	       names[bound] : "unknown";
}
