// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pool controller (DESIGN §6).
 *
 * The flush signal is Xen's count of IOMMU unmaps for pages leaving the
 * writable type: each is one page-selective invalidation, and each is what
 * a pool miss costs. A level grows when its misses cost the domain more
 * of those a second than the policy's target_flush_rate allows (0: any),
 * at once and by more than the shortfall, so that the next burst finds the
 * tables waiting. It gives memory back gradually: after its misses stop,
 * never below the burst its recent hand-outs say will come again; or, with
 * a target, while the domain's flushes stay well under it. Memory pressure
 * (the kernel's shrinker took tables, or available memory is under a
 * floor) wins: the limits are cut, the free ratio pins each pool to its
 * share of the tables in use so that exits cannot refill it between
 * samples, and nothing grows until the cool-down ends.
 *
 * All of it runs on elapsed time, so the period does not change behaviour.
 */
#include "controller.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Misses a second a level may have without growing: a pool refilling
 * after a drain, or a process needing one more table than its
 * predecessor, misses now and then (a warm 1000-process storm misses 20-30
 * times in all over tens of seconds); chasing those would move the limit
 * every period.
 */
#define MISS_DEAD_BAND_PER_S 2.0

/*
 * With no target, a growing level gets twice its misses over the demand
 * window (a rate, so that the period does not change the step), at least
 * the misses themselves (a burst that one long period saw whole), and at
 * least GROW_MIN_STEP: the misses say how far the limit fell short, churn
 * that is still rising will want more by the next sample, and a small
 * shortfall should not take many samples of one-page steps.
 */
#define GROW_GAIN 2
#define GROW_MIN_STEP 16

/*
 * With a target the controller aims at three quarters of it: the middle
 * of the band [target/2, target] it holds still in, so that neither a
 * little more churn nor a little less moves the limit.
 */
#define TARGET_AIM 0.75

/* No shrink for this long after a grow: the grow was needed. */
#define GROW_HOLD_MS 10000

/*
 * The demand floor holds at its peak this long after the last burst that
 * raised it, before it decays: churn comes in bursts (a build, a test
 * run) separated by seconds, and a pool shrunk between two of them costs
 * flushes to refill.
 */
#define IDLE_MS 10000

/*
 * A shrinking limit's excess over where it is going halves at most every
 * SHRINK_HALF_MS: gradual, so that churn coming back finds most of the
 * pool still there, and still below a tenth of a peak within a minute of
 * the churn ending (with the demand's half-life below).
 */
#define SHRINK_HALF_MS 4000

/*
 * The smallest shrink step worth a netlink write and a log line, unless
 * fewer pages than that are left.
 */
#define LIMIT_DEAD_BAND 8

/*
 * The demand floor: tables handed out a second, times this window, is the
 * burst the level's live processes will give back and the next one will
 * ask for again, up to what the pool was seen to hold (it never needed
 * more than it kept). Two seconds covers a burst of a few hundred
 * processes alive at once under emulation; a burst spread over several
 * samples adds up to the same figure, as the window is in time, not in
 * samples. Counters read once a period cannot tell a burst from steady
 * churn of the same rate, so the floor errs on the side of keeping the
 * pages while hand-outs go on. The tables in use, which the module
 * reports at every level, bound what the live processes will give back but
 * not when; a low-water mark of the pool between samples would make it
 * exact.
 */
#define DEMAND_WINDOW_MS 2000

/*
 * A sample within a quarter of a peak is the same churn going on, and
 * keeps the peak held: demand that varies by ±10% from one period to the
 * next must not wear its own peak down.
 */
#define PEAK_KEEP 0.75

/*
 * After IDLE_MS, the demand remembered decays by half every 9 s: a
 * pause of a few seconds more keeps most of the pool, and a minute after
 * the churn ends the floor is at a fiftieth of the peak, so that the pool
 * is at a tenth of its peak within the minute even though the shrink
 * towards the floor (SHRINK_HALF_MS) and the periods lag behind it (44 s
 * at 2 s periods in the tests, where 12 s took 52).
 */
#define DEMAND_HALF_LIFE_MS 9000

/*
 * A value someone else set is left alone this long, in either direction:
 * the operator may be measuring something.
 */
#define OPERATOR_HOLD_MS 60000

/*
 * No growth for this long after memory pressure: long enough for kswapd
 * to bring free memory back over its high watermark and for whatever
 * caused the pressure to show in the next samples, short enough that a
 * pool cut by a passing spike is back within a minute. (The module
 * itself only closes its pools for a second after its shrinker runs.)
 */
#define PRESSURE_COOLDOWN_MS 30000

/*
 * While pressure lasts the limits are halved at most this often: memory
 * pressure wins, but each cut should see the last one's effect first.
 */
#define PRESSURE_CUT_MS 2000

/* The module's largest free ratio, in percent (IOSUP_FREE_RATIO_MAX). */
#define RATIO_MAX 1000

static uint64_t table_pages(const struct ctl_level_sample *s)
{
	return s->table_pages ? s->table_pages : 1;
}

static uint32_t clamp_limit(double want, const struct ctl_policy *policy,
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

/* What one decision of a domain shares between its levels. */
struct ctl_period {
	uint64_t now, dt;	/* the time, and ms since the last sample */
	double flush_rate;	/* type-change flushes a second */
	bool flushes_cost;	/* misses cost flushes here */
	bool pressure_cut;	/* memory is short now: cut this sample */
	bool no_grow;		/* a pressure cool-down is running */
	uint64_t flush_pages;	/* pages missed this sample, all levels */
};

/*
 * A peak that holds for IDLE_MS after the last sample that came near it,
 * then decays with DEMAND_HALF_LIFE_MS, never below the current sample.
 */
static void hold_peak(double *peak, uint64_t *raised_ms, double sample,
		      const struct ctl_period *p)
{
	double decay;

	if (sample >= *peak * PEAK_KEEP) {
		if (sample > *peak)
			*peak = sample;
		*raised_ms = p->now;
		return;
	}
	if (p->now - *raised_ms <= IDLE_MS)
		return;
	decay = (double)(p->now - *raised_ms - IDLE_MS);
	if (decay > (double)p->dt)
		decay = (double)p->dt;
	*peak *= exp2(-decay / DEMAND_HALF_LIFE_MS);
	if (sample > *peak)
		*peak = sample;
}

/* Forgets a level's history: counters from @s, values as sampled. */
static void seed_level(struct ctl_state *state, int l,
		       const struct ctl_level_sample *s, uint64_t now)
{
	state->level[l].hits = s->hits;
	state->level[l].misses = s->misses;
	state->level[l].shrunk = s->shrunk;
	state->level[l].limit = s->limit;
	state->level[l].ratio = s->ratio;
	state->level[l].pinned = false;
	/*
	 * What is pooled at the start was someone's demand (an iosupd before
	 * this one, the module's defaults): held like any peak, not given
	 * back at once.
	 */
	state->level[l].demand = (double)(s->pool < s->limit ? s->pool : s->limit);
	state->level[l].demand_ms = now;
	state->level[l].pool_peak = state->level[l].demand;
	state->level[l].pool_peak_ms = now;
	state->level[l].hold_until_ms = 0;
	state->level[l].operator_until_ms = 0;
}


/* The ratio that holds @pages at their share of the tables in use. */
static uint32_t share_ratio(uint64_t pages, const struct ctl_sample *sample)
{
	uint64_t pct;

	if (!sample->have_memory || !sample->page_tables)
		return 0;
	pct = (pages * 100 + sample->page_tables - 1) / sample->page_tables;
	if (pct < 1)
		pct = 1;
	return pct > RATIO_MAX ? RATIO_MAX : (uint32_t)pct;
}

/* The free ratio: on only while memory pressure holds growth off. */
static void decide_ratio(struct ctl_state *state, int l,
			 const struct ctl_level_sample *s,
			 const struct ctl_sample *sample,
			 const struct ctl_period *p, uint32_t limit,
			 struct ctl_level_decision *d)
{
	uint32_t ratio = s->ratio;

	d->ratio = ratio;
	d->ratio_reason = CTL_HOLD;
	if (ratio != state->level[l].ratio) {
		/* Someone else's value now, to keep when this one is over. */
		state->level[l].ratio = ratio;
		state->level[l].pinned = false;
		state->level[l].operator_until_ms = p->now + OPERATOR_HOLD_MS;
		d->ratio_reason = CTL_OPERATOR;
		return;
	}
	if (p->now < state->level[l].operator_until_ms)
		return;
	if (p->pressure_cut) {
		uint64_t keep = s->pool < limit ? s->pool : limit;
		uint32_t want = share_ratio(keep * table_pages(s), sample);

		/* Only ever tighter while the pressure lasts. */
		if (want && (!ratio || want < ratio)) {
			if (!state->level[l].pinned) {
				state->level[l].ratio_base = ratio;
				state->level[l].pinned = true;
			}
			d->ratio = want;
			d->ratio_reason = CTL_PRESSURE;
		}
	} else if (!p->no_grow && state->level[l].pinned) {
		/* The cool-down is over: back to the ratio from before it. */
		d->ratio = state->level[l].ratio_base;
		d->ratio_reason = CTL_RELEASE;
		state->level[l].pinned = false;
	}
	if (d->ratio != ratio) {
		d->ratio_change = true;
		state->level[l].ratio = d->ratio;
	}
}

/* Grows level @l by what its misses and the target say. */
static double grow_to(const struct ctl_policy *policy,
		      const struct ctl_level_sample *s, const struct ctl_period *p,
		      uint64_t misses, uint64_t hits)
{
	double excess, step;

	if (!policy->target_flush_rate) {
		step = (double)misses * GROW_GAIN * DEMAND_WINDOW_MS / (double)p->dt;
		if (step < (double)misses)
			step = (double)misses;
		return (double)s->limit + (step > GROW_MIN_STEP ? step : GROW_MIN_STEP);
	}
	/*
	 * The share of the misses to serve to bring the flushes down to the
	 * aim. Under the need, a pool's hits grow in proportion to its limit
	 * (each page serves a table per process), so a limit that served
	 * @hits serves that share more with as much more of itself.
	 */
	excess = 1.0 - TARGET_AIM * policy->target_flush_rate / p->flush_rate;
	if (excess <= 0)
		return s->limit;
	if (!hits || !s->limit) {
		/* A probe: the next sample's hits say what a page is worth. */
		return (double)s->limit + GROW_MIN_STEP;
	}
	step = excess * (double)misses * s->limit / (double)hits;
	return (double)s->limit + ceil(step > 1 ? step : 1);
}

/* Where a shrinking limit goes next: its excess over @floor halves. */
static double shrink_to(uint32_t limit, double floor, uint64_t dt)
{
	double excess = limit - floor, step;

	if (excess <= 0)
		return limit;
	step = excess * (1.0 - exp2(-(double)dt / SHRINK_HALF_MS));
	if (step < LIMIT_DEAD_BAND)
		step = excess < LIMIT_DEAD_BAND ? excess : LIMIT_DEAD_BAND;
	return limit - step;
}

static void decide_level(const struct ctl_policy *policy,
			 struct ctl_state *state, int l,
			 const struct ctl_level_sample *s,
			 const struct ctl_period *p, uint64_t *budget,
			 struct ctl_level_decision *d)
{
	uint64_t misses, hits;
	double want, demand, floor;
	uint32_t limit = s->limit;
	uint32_t pooled = s->pool < limit ? (uint32_t)s->pool : limit;
	bool target = policy->target_flush_rate != 0, missing;

	*d = (struct ctl_level_decision){
		.limit = limit, .ratio = s->ratio,
		.reason = CTL_HOLD, .ratio_reason = CTL_HOLD,
	};

	/* The module was reloaded (its counters restarted): start over. */
	if (s->misses < state->level[l].misses || s->hits < state->level[l].hits ||
	    s->shrunk < state->level[l].shrunk) {
		seed_level(state, l, s, p->now);
		d->reason = d->ratio_reason = CTL_SEED;
		return;
	}
	misses = s->misses - state->level[l].misses;
	hits = s->hits - state->level[l].hits;
	d->shrunk = s->shrunk - state->level[l].shrunk;
	state->level[l].misses = s->misses;
	state->level[l].hits = s->hits;
	state->level[l].shrunk = s->shrunk;
	d->misses = misses;
	d->hits = hits;

	/* The burst the level's live tables will bring back (see DEMAND_*). */
	demand = (double)(hits + misses) * DEMAND_WINDOW_MS / (double)p->dt;
	/* A sample longer than the window may have seen one burst whole. */
	if (p->dt > DEMAND_WINDOW_MS)
		demand = (double)(hits + misses);
	hold_peak(&state->level[l].demand, &state->level[l].demand_ms, demand, p);
	/*
	 * Only samples that handed tables out, or the first after them
	 * (which sees the exits), say what churn kept pooled.
	 */
	hold_peak(&state->level[l].pool_peak, &state->level[l].pool_peak_ms,
		  hits + misses || state->level[l].handed_out ? pooled : 0, p);
	state->level[l].handed_out = hits + misses != 0;
	floor = fmin(state->level[l].demand, state->level[l].pool_peak);
	d->demand = (uint32_t)fmin(ceil(floor), UINT32_MAX);

	missing = (double)misses * 1000 > MISS_DEAD_BAND_PER_S * (double)p->dt;

	if (limit != state->level[l].limit) {
		state->level[l].limit = limit;
		state->level[l].operator_until_ms = p->now + OPERATOR_HOLD_MS;
		d->reason = CTL_OPERATOR;
		return;
	}

	if (p->pressure_cut && p->now >= state->level[l].operator_until_ms) {
		/* Halve, and keep no more than the shrinker left. */
		want = limit / 2;
		if (s->pool < want)
			want = (double)s->pool;
		d->limit = clamp_limit(want, policy, &d->bound);
		if (d->limit < limit) {
			d->reason = CTL_PRESSURE;
			d->bound = d->bound == CTL_BOUND_MIN ? CTL_BOUND_MIN : CTL_BOUND_PRESSURE;
		} else {
			d->limit = limit;
		}
	} else if (missing && p->flushes_cost && hits + misses > limit &&
		   (!target || p->flush_rate > policy->target_flush_rate)) {
		/*
		 * Misses that cost flushes, under a limit short of what was
		 * handed out (one that covers it all is not what made them
		 * miss: the pool was refilling).
		 */
		if (p->now < state->level[l].operator_until_ms) {
			d->reason = CTL_COOLDOWN;
		} else if (p->no_grow) {
			d->reason = CTL_COOLDOWN;
			d->bound = CTL_BOUND_PRESSURE;
		} else {
			want = grow_to(policy, s, p, misses, hits);
			if (want - limit > (double)*budget) {
				want = (double)limit + (double)*budget;
				d->bound = CTL_BOUND_BUDGET;
			}
			d->limit = clamp_limit(want, policy, &d->bound);
			if (d->limit > limit) {
				d->reason = CTL_GROW;
				state->level[l].hold_until_ms = p->now + GROW_HOLD_MS;
			} else {
				d->limit = limit;
			}
		}
	} else if (p->now < state->level[l].operator_until_ms) {
		/* The operator's value stands. */
	} else if (target && p->flush_rate * 2 < policy->target_flush_rate) {
		/*
		 * Well under the target: the target allows flushes, so give
		 * back pages even below the demand, gradually; with misses
		 * (the pool under its need) no more than the hits that the
		 * flushes allowed can spare.
		 */
		if (p->now < state->level[l].hold_until_ms) {
			d->reason = CTL_COOLDOWN;
		} else {
			want = shrink_to(pooled, policy->min_pages, p->dt);
			if (hits && misses) {
				/* This level's share of the flushes the aim allows. */
				double spare = (TARGET_AIM * policy->target_flush_rate -
						p->flush_rate) * (double)p->dt / 1000 *
					       (double)misses /
					       (double)(p->flush_pages ? p->flush_pages : 1);
				double keep = limit - spare * limit / (double)hits;

				if (keep > want)
					want = keep;
			}
			d->limit = clamp_limit(want, policy, &d->bound);
			if (d->limit < limit)
				d->reason = CTL_SHRINK;
			else
				d->limit = limit;
		}
	} else if (!missing && (!target || p->flush_rate <= policy->target_flush_rate)) {
		/*
		 * Idle: the pooled pages over the demand go back, gradually.
		 * The limit's headroom over what is pooled costs nothing, and
		 * is left alone while nothing is to be given back: it is what
		 * the last burst needed.
		 */
		if ((double)pooled < floor + 1) {
			if (limit > floor && floor > policy->min_pages)
				d->bound = CTL_BOUND_DEMAND;
		} else if (p->now < state->level[l].hold_until_ms) {
			d->reason = CTL_COOLDOWN;
		} else {
			want = shrink_to(pooled, floor, p->dt);
			d->limit = clamp_limit(want, policy, &d->bound);
			if (d->limit < limit) {
				d->reason = CTL_SHRINK;
				if (d->bound == CTL_BOUND_NONE && want <= floor + 1)
					d->bound = CTL_BOUND_DEMAND;
			} else {
				d->limit = limit;
			}
		}
	}

	/*
	 * A limit outside the policy's bounds (the policy just changed) comes
	 * in at once, not gradually: a bound set is a bound kept by the next
	 * period. Raising to min_pages spends the budget.
	 */
	if (d->limit > policy->max_pages) {
		d->limit = policy->max_pages;
		d->bound = CTL_BOUND_MAX;
		d->reason = CTL_SHRINK;
	} else if (d->limit < policy->min_pages) {
		/* Only a limit held below it gets here: growth is clamped to it. */
		d->limit = policy->min_pages;
		d->bound = CTL_BOUND_MIN;
		if (d->limit > limit && d->limit - limit > *budget) {
			d->limit = limit + (uint32_t)*budget;
			d->bound = CTL_BOUND_BUDGET;
		}
		d->reason = d->limit > limit ? CTL_GROW : CTL_HOLD;
	}

	if (d->limit != limit) {
		d->change = true;
		state->level[l].limit = d->limit;
		if (d->limit > limit)
			*budget -= d->limit - limit;
	} else if (d->reason != CTL_COOLDOWN) {
		d->reason = CTL_HOLD;
	}
}

/* Whether memory is short now, and what the shrinker took since last. */
static bool memory_short(const struct ctl_policy *policy, const struct ctl_state *state,
			 const struct ctl_sample *sample)
{
	int l;

	for (l = 0; l < CTL_LEVELS; l++)
		if (sample->level[l].shrunk > state->level[l].shrunk)
			return true;
	return sample->have_memory && sample->mem_total &&
	       sample->mem_available * 100 < sample->mem_total * policy->free_floor_percent;
}

void ctl_decide(const struct ctl_policy *policy, struct ctl_state *state,
		const struct ctl_sample *sample, uint64_t budget,
		struct ctl_decision *out)
{
	struct ctl_period p = { .now = sample->time_ms };
	uint64_t unmaps = 0, maps = 0;
	bool short_now;
	int l;

	*out = (struct ctl_decision){ 0 };
	/* A first sample, or the clock did not move: nothing to measure. */
	if (!state->seeded || sample->time_ms <= state->time_ms) {
		bool first = !state->seeded;

		for (l = 0; l < CTL_LEVELS; l++) {
			if (first)
				seed_level(state, l, &sample->level[l], sample->time_ms);
			out->level[l] = (struct ctl_level_decision){
				.limit = sample->level[l].limit,
				.ratio = sample->level[l].ratio,
				.reason = first ? CTL_SEED : CTL_HOLD,
				.ratio_reason = first ? CTL_SEED : CTL_HOLD,
			};
		}
		if (first) {
			state->pt_unmaps = sample->pt_unmaps;
			state->pt_maps = sample->pt_maps;
			state->time_ms = sample->time_ms;
			state->pressure_until_ms = 0;
			state->pressure_cut_ms = 0;
			state->seeded = true;
		}
		return;
	}

	p.dt = sample->time_ms - state->time_ms;
	out->elapsed_ms = p.dt;
	state->time_ms = sample->time_ms;
	/* A counter that went back (a new hypervisor boot) counts nothing. */
	if (sample->have_xen && sample->pt_unmaps >= state->pt_unmaps)
		unmaps = sample->pt_unmaps - state->pt_unmaps;
	if (sample->have_xen && sample->pt_maps >= state->pt_maps)
		maps = sample->pt_maps - state->pt_maps;
	state->pt_unmaps = sample->pt_unmaps;
	state->pt_maps = sample->pt_maps;

	for (l = 0; l < CTL_LEVELS; l++) {
		const struct ctl_level_sample *s = &sample->level[l];

		if (s->misses >= state->level[l].misses)
			p.flush_pages += (s->misses - state->level[l].misses) * table_pages(s);
	}
	/*
	 * Without Xen's counters every page missed is taken to cost one
	 * flush, as it does under a strict IOMMU.
	 */
	if (!sample->have_xen)
		unmaps = p.flush_pages;
	out->flushes = unmaps;
	p.flush_rate = (double)unmaps * 1000 / (double)p.dt;
	out->flush_rate = p.flush_rate;
	out->map_rate = (double)maps * 1000 / (double)p.dt;
	/* Misses are worth pages only when they cost flushes. */
	p.flushes_cost = unmaps > 0;

	short_now = memory_short(policy, state, sample);
	if (short_now) {
		state->pressure_until_ms = p.now + PRESSURE_COOLDOWN_MS;
		if (p.now - state->pressure_cut_ms >= PRESSURE_CUT_MS ||
		    !state->pressure_cut_ms) {
			p.pressure_cut = true;
			state->pressure_cut_ms = p.now;
		}
	} else if (state->pressure_until_ms && p.now >= state->pressure_until_ms) {
		state->pressure_until_ms = 0;
	}
	p.no_grow = state->pressure_until_ms != 0;
	out->pressure = p.no_grow;

	for (l = 0; l < CTL_LEVELS; l++) {
		struct ctl_level_decision *d = &out->level[l];
		const struct ctl_level_sample *s = &sample->level[l];

		decide_level(policy, state, l, s, &p, &budget, d);
		if (d->reason != CTL_SEED)
			decide_ratio(state, l, s, sample, &p, d->limit, d);
		out->budget_used += (int64_t)d->limit - (int64_t)s->limit;
	}
}

bool ctl_ratio_pinned(const struct ctl_state *state, int l, uint32_t *base)
{
	if (!state->seeded || !state->level[l].pinned)
		return false;
	*base = state->level[l].ratio_base;
	return true;
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
		[CTL_PRESSURE] = "pressure",
		[CTL_RELEASE] = "release",
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
		[CTL_BOUND_DEMAND] = "demand",
		[CTL_BOUND_PRESSURE] = "memory pressure",
	};

	return (size_t)bound < sizeof(names) / sizeof(names[0]) && names[bound] ?
	       names[bound] : "unknown";
}
