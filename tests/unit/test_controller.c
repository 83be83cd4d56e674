// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controller on traces. A simulated pool level is driven by processes
 * that are born, hold their tables while they live, and give them back
 * when they exit; ctl_decide() samples it at the end of every period and
 * sets its limit and free ratio, as iosupd would. Every level of the
 * sample is the same simulated level, and level 0's decision is applied.
 *
 * The plant, per table: a birth takes a table from the pool (a hit) or
 * from the allocator (a miss, whose page Xen unmaps from the IOMMU: one
 * flush); an exit puts it in the pool if the pool is under its bound
 * (the limit, and the free ratio's share of the tables in use), or gives
 * it back (Xen maps it again). A lowered limit releases what is over it
 * at once, as the module does; the shrinker takes pooled tables.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "assert.h"
#include "controller.h"

/* The rig's targets, in time: at the floor within 3 periods of 2 s. */
#define PERIODS_TO_GROW 3
/* An idle pool is under a tenth of its peak within a minute. */
#define MS_TO_SHRINK 60000
/* Page tables in use by processes that never exit (the host's daemons). */
#define BASE_TABLES 2000
/* A small host's memory, in pages: 2 GiB. */
#define MEM_TOTAL (2u << 18)

struct plant {
	uint64_t hits, misses, shrunk, flushes, maps;
	uint64_t pool, live;
	uint32_t limit, ratio;
	uint64_t mem_available;
};

struct sim {
	struct plant p;
	struct ctl_state state;
	struct ctl_policy policy;
	struct ctl_decision last;
	uint64_t budget, now;
	uint32_t period_ms;
	int changes, reversals, last_direction, grows, shrinks;
	uint64_t period_misses, period_flushes;
};

static void sim_init(struct sim *s, uint32_t limit, uint32_t period_ms)
{
	*s = (struct sim){
		.p = { .limit = limit, .mem_available = MEM_TOTAL / 2 },
		.policy = { .min_pages = 0, .max_pages = 4096, .free_floor_percent = 3 },
		.budget = UINT64_MAX,
		.now = 1000000,
		.period_ms = period_ms,
	};
}

static uint64_t bound(const struct plant *p)
{
	uint64_t b = p->limit;

	if (p->ratio && (BASE_TABLES + p->live) * p->ratio / 100 < b)
		b = (BASE_TABLES + p->live) * p->ratio / 100;
	return b;
}

static void births(struct plant *p, uint64_t n)
{
	uint64_t hit = n < p->pool ? n : p->pool;

	p->pool -= hit;
	p->hits += hit;
	p->misses += n - hit;
	p->flushes += n - hit;
	p->live += n;
}

static void exits(struct plant *p, uint64_t n)
{
	uint64_t i;

	if (n > p->live)
		n = p->live;
	for (i = 0; i < n; i++) {
		p->live--;
		if (p->pool < bound(p))
			p->pool++;
		else
			p->maps++;
	}
}

/* Processes of @tables tables each, @alive of them at once, @rounds times. */
static void churn(struct plant *p, uint64_t rounds, uint64_t alive, uint64_t tables)
{
	uint64_t r;

	for (r = 0; r < rounds; r++) {
		births(p, alive * tables);
		exits(p, alive * tables);
	}
}

static void sample_plant(const struct sim *s, struct ctl_sample *sample)
{
	int l;

	*sample = (struct ctl_sample){
		.time_ms = s->now,
		.have_xen = true,
		.pt_unmaps = s->p.flushes,
		.pt_maps = s->p.maps,
		.have_memory = true,
		.mem_total = MEM_TOTAL,
		.mem_available = s->p.mem_available,
		.page_tables = BASE_TABLES + s->p.live,
	};
	for (l = 0; l < CTL_LEVELS; l++)
		sample->level[l] = (struct ctl_level_sample){
			.hits = s->p.hits, .misses = s->p.misses, .shrunk = s->p.shrunk,
			.pool = s->p.pool, .limit = s->p.limit, .ratio = s->p.ratio,
		};
}

/* The controller samples and acts; its level 0 decision is applied. */
static void sim_decide(struct sim *s)
{
	struct ctl_sample sample;

	sample_plant(s, &sample);
	ctl_decide(&s->policy, &s->state, &sample, s->budget, &s->last);
	if (s->last.level[0].change) {
		int direction = s->last.level[0].limit > s->p.limit ? 1 : -1;

		if (s->last_direction && direction != s->last_direction)
			s->reversals++;
		s->last_direction = direction;
		s->changes++;
		if (direction > 0)
			s->grows++;
		else
			s->shrinks++;
		s->p.limit = s->last.level[0].limit;
		if (s->p.pool > s->p.limit)
			s->p.pool = s->p.limit;
	}
	if (s->last.level[0].ratio_change)
		s->p.ratio = s->last.level[0].ratio;
}

/* One period: @rounds bursts of @alive processes, then the controller. */
static void sim_period(struct sim *s, uint64_t rounds, uint64_t alive, uint64_t tables)
{
	uint64_t misses = s->p.misses, flushes = s->p.flushes;

	churn(&s->p, rounds, alive, tables);
	s->now += s->period_ms;
	s->period_misses = s->p.misses - misses;
	s->period_flushes = s->p.flushes - flushes;
	sim_decide(s);
}

/* Quiet periods for @ms: no process is born. */
static void sim_idle(struct sim *s, uint64_t ms)
{
	uint64_t end = s->now + ms;

	while (s->now < end)
		sim_period(s, 0, 0, 0);
}

/* From limit 0 at @period_ms, @periods periods of bursts of 300 processes. */
static void sim_warm(struct sim *s, uint32_t period_ms, int periods)
{
	int t;

	sim_init(s, 0, period_ms);
	sim_period(s, 0, 0, 0);
	for (t = 0; t < periods; t++)
		sim_period(s, 1, 300, 1);
}

/* From an empty pool, a step of churn: misses stop within 3 periods. */
static void test_step(void)
{
	struct sim s;
	uint64_t peak, quiet_start;
	int t;

	sim_init(&s, 0, 2000);
	sim_idle(&s, 10000);
	for (t = 0; t < PERIODS_TO_GROW; t++)
		sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.period_misses, 0);
	for (t = 0; t < 20; t++) {
		sim_period(&s, 1, 300, 1);
		ASSERT_EQ(s.period_misses, 0);
	}
	/* Grown once, never reversed while the churn went on. */
	ASSERT_EQ(s.reversals, 0);
	ASSERT_EQ(s.grows, 1);
	peak = s.p.pool;
	ASSERT_EQ(peak, 300);

	/* The churn stops: nothing moves before IDLE (10 s) ... */
	quiet_start = s.now;
	while (s.now - quiet_start < 10000) {
		ASSERT_EQ(s.p.limit, s.last.level[0].limit);
		ASSERT_EQ(s.shrinks, 0);
		sim_period(&s, 0, 0, 0);
	}
	/* ... then the idle pages go back within a minute, step by step. */
	while (s.now - quiet_start < MS_TO_SHRINK) {
		uint64_t before = s.p.pool;

		sim_period(&s, 0, 0, 0);
		/* Gradual: a step gives back a third of the pool, or 8 pages. */
		ASSERT_TRUE(s.p.pool >= before || (before - s.p.pool) * 3 <= before ||
			    before - s.p.pool <= 8);
	}
	ASSERT_TRUE(s.p.pool * 10 <= peak);
	printf("step: grown within %d periods; %d changes; pool %llu of a peak of %llu %d s after the churn, in %d steps\n",
	       PERIODS_TO_GROW, s.changes, (unsigned long long)s.p.pool,
	       (unsigned long long)peak, MS_TO_SHRINK / 1000, s.shrinks);
}

/* Rising churn: the limit keeps up, misses per period stay bounded. */
static void test_ramp(void)
{
	struct sim s;
	uint64_t worst = 0, total = 0;
	int t;

	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	for (t = 1; t <= 100; t++) {
		sim_period(&s, 1, 5 * (uint64_t)t, 1);
		if (t > 3 && s.period_misses > worst)
			worst = s.period_misses;
		total += s.period_misses;
	}
	/* A grow covers twice the shortfall, so the ramp catches up each time. */
	ASSERT_TRUE(worst <= 16);
	ASSERT_TRUE(s.p.limit <= 2 * 500 + 64);
	ASSERT_EQ(s.reversals, 0);
	printf("ramp: worst %llu misses in a period, %llu in all over 25250 tables; limit %u for a need of 500\n",
	       (unsigned long long)worst, (unsigned long long)total, s.p.limit);
}

/*
 * The same workload in time at periods of 0.5, 2 and 5 s: misses only
 * while growing, the same pool, the same time to give it back (rates and
 * dead bands are per second). The limits are ceilings: they may differ by
 * a grow step, not by the ratio of the periods.
 */
static void test_period_independence(void)
{
	static const uint32_t periods[] = { 500, 2000, 5000 };
	uint32_t limits[3];
	uint64_t shrink_ms[3], pools[3];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct sim s;
		uint64_t start, misses;

		sim_init(&s, 0, periods[i]);
		sim_idle(&s, 10000);
		/* Bursts of 50 processes of 4 tables, 4 a second, for 20 s. */
		start = s.now;
		while (s.now - start < 20000)
			sim_period(&s, 4ull * periods[i] / 1000, 50, 4);
		misses = s.p.misses;
		start = s.now;
		while (s.now - start < 20000)
			sim_period(&s, 4ull * periods[i] / 1000, 50, 4);
		ASSERT_EQ(s.p.misses, misses);
		limits[i] = s.p.limit;
		pools[i] = s.p.pool;
		start = s.now;
		while (s.p.pool > 20 && s.now - start < 200000)
			sim_period(&s, 0, 0, 0);
		shrink_ms[i] = s.now - start;
	}
	printf("period independence: pool %llu, limits %u/%u/%u, pool at a tenth in %.1f/%.1f/%.1f s at periods 0.5/2/5 s\n",
	       (unsigned long long)pools[0], limits[0], limits[1], limits[2],
	       shrink_ms[0] / 1000.0, shrink_ms[1] / 1000.0, shrink_ms[2] / 1000.0);
	for (i = 1; i < 3; i++) {
		ASSERT_EQ(pools[i], pools[0]);
		ASSERT_TRUE(limits[i] <= 2 * limits[0] && limits[0] <= 2 * limits[i]);
		/* Within two of the longest periods: when it is seen, and when acted on. */
		ASSERT_TRUE(shrink_ms[i] <= shrink_ms[0] + 10000 &&
			    shrink_ms[0] <= shrink_ms[i] + 10000);
	}
}

/*
 * The miss dead band is per second: a trickle of 1 miss a second (a
 * process now and then needing one more table) moves nothing at any
 * period; 4 a second grows at any period.
 */
static void test_dead_band(void)
{
	static const uint32_t periods[] = { 500, 2000, 10000 };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct sim s;
		int t;

		sim_init(&s, 0, periods[i]);
		sim_decide(&s);
		for (t = 0; t < 60000 / (int)periods[i]; t++) {
			s.p.misses += periods[i] / 1000 ? periods[i] / 1000 : (t & 1);
			s.p.flushes = s.p.misses;
			s.now += periods[i];
			sim_decide(&s);
		}
		ASSERT_EQ(s.grows, 0);
		for (t = 0; t < 3; t++) {
			s.p.misses += 4 * periods[i] / 1000;
			s.p.flushes = s.p.misses;
			s.now += periods[i];
			sim_decide(&s);
		}
		ASSERT_TRUE(s.grows >= 1);
	}
	printf("dead band: 1 miss/s grows nothing, 4/s grows, at periods 0.5, 2 and 10 s\n");
}

/*
 * Processes that live a while: bursts of 400 processes alive at once,
 * with pauses of 4 and then 9 s between them (the floor's hold). Every
 * burst after the first finds its tables: the limit never falls below
 * the burst the level's live processes bring back (the demand floor).
 */
static void test_live_bursts(void)
{
	struct sim s;
	uint64_t misses;
	int b;

	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	sim_period(&s, 1, 400, 1);
	/* The first burst after the grow refills the pool. */
	sim_period(&s, 1, 400, 1);
	sim_period(&s, 0, 0, 0);
	misses = s.p.misses;
	for (b = 0; b < 10; b++) {
		/* The processes are born in one period and exit in the next. */
		births(&s.p, 400);
		s.now += 2000;
		sim_decide(&s);
		exits(&s.p, 400);
		sim_idle(&s, b < 5 ? 4000 : 9000);
	}
	ASSERT_EQ(s.p.misses, misses);
	ASSERT_TRUE(s.p.limit >= 400);
	printf("live bursts: 10 bursts of 400 after the first, 4-9 s apart: no miss, limit %u\n",
	       s.p.limit);

	/* Pauses of 14 s: the floor decays slowly, most of each burst hits. */
	for (b = 0; b < 5; b++) {
		misses = s.p.misses;
		births(&s.p, 400);
		s.now += 2000;
		sim_decide(&s);
		exits(&s.p, 400);
		ASSERT_TRUE((s.p.misses - misses) * 4 <= 400);
		sim_idle(&s, 14000);
	}
	printf("live bursts 14 s apart: %llu misses in the last of 400\n",
	       (unsigned long long)(s.p.misses - misses));
}

/*
 * With a target, no shrink for GROW_HOLD (10 s) after a grow although the
 * flushes fall well under the target at once: the grow was needed, and
 * giving it back at once would oscillate.
 */
static void test_grow_hold(void)
{
	struct sim s;
	int t;

	sim_init(&s, 0, 2000);
	s.policy.target_flush_rate = 400;
	sim_period(&s, 0, 0, 0);
	/* 800 flushes a second unpooled; the first grow covers them all. */
	sim_period(&s, 100, 8, 2);
	ASSERT_EQ(s.grows, 1);
	for (t = 0; t < 4; t++) {
		sim_period(&s, 100, 8, 2);
		ASSERT_TRUE(s.last.flush_rate * 2 < 400);
		ASSERT_EQ(s.shrinks, 0);
		ASSERT_EQ(s.last.level[0].reason, CTL_COOLDOWN);
	}
	printf("grow hold: no shrink for 8 s after a grow, at %.1f flushes/s under a target of 400\n",
	       s.last.flush_rate);
}

/* Bursts: grow at once each burst, no flapping inside one. */
static void test_square_wave(void)
{
	struct sim s;
	int cycle, t, changes_in_burst;

	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	for (cycle = 0; cycle < 5; cycle++) {
		int before = s.changes;

		for (t = 0; t < 10; t++) {
			sim_period(&s, 1, 300, 1);
			if (t >= PERIODS_TO_GROW)
				ASSERT_EQ(s.period_misses, 0);
		}
		changes_in_burst = s.changes - before;
		ASSERT_TRUE(changes_in_burst <= 2);
		sim_idle(&s, 20000);
	}
	/* Up on each burst, down between: two reversals a cycle at most. */
	ASSERT_TRUE(s.reversals <= 2 * 5);
	printf("square wave: %d changes, %d reversals over 5 bursts\n", s.changes, s.reversals);
}

/* Noisy demand around 300: after growing, the limit stays put. */
static void test_noisy(void)
{
	struct sim s;
	uint32_t seed = 12345;
	int t, settled_changes = 0;

	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	for (t = 0; t < 200; t++) {
		int before = s.changes;
		uint64_t need;

		seed = seed * 1103515245u + 12345u;
		need = 270 + (seed >> 16) % 61;	/* 270..330 */
		sim_period(&s, 1, need, 1);
		if (t >= PERIODS_TO_GROW)
			settled_changes += s.changes - before;
	}
	ASSERT_TRUE(settled_changes <= 2);
	ASSERT_EQ(s.reversals, 0);
	printf("noisy: %d changes after the first %d periods of 200; limit %u\n",
	       settled_changes, PERIODS_TO_GROW, s.p.limit);
}

/*
 * A flush-rate target: 8 processes alive at once, 4 tables each, 50
 * rounds a second; unpooled that is 1600 flushes a second. With a target
 * of 400 the rate settles in [200, 400] within 10 periods, on fewer pool
 * pages than the unbounded pool's 32, and stays there.
 */
static void test_target(void)
{
	struct sim s;
	double rate = 0;
	int t, settled_at = -1;

	sim_init(&s, 0, 2000);
	s.policy.target_flush_rate = 400;
	sim_period(&s, 0, 0, 0);
	for (t = 0; t < 60; t++) {
		sim_period(&s, 100, 8, 4);
		rate = s.last.flush_rate;
		if (rate >= 200 && rate <= 400) {
			if (settled_at < 0)
				settled_at = t;
		} else if (settled_at >= 0) {
			printf("target: left the band at period %d: %.1f/s\n", t, rate);
			ASSERT_TRUE(0);
		}
	}
	ASSERT_TRUE(settled_at >= 0 && settled_at <= 10);
	/* At or under the aim, three quarters of the target: room for more churn. */
	ASSERT_TRUE(rate <= 300);
	ASSERT_TRUE(s.p.limit < 32);
	printf("target 400/s: settled at %.1f/s after %d periods, limit %u of the 32 an unbounded pool holds\n",
	       rate, settled_at + 1, s.p.limit);

	/* From above: a pool grown with no target gives pages back to reach it. */
	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	for (t = 0; t < 5; t++)
		sim_period(&s, 100, 8, 4);
	ASSERT_EQ(s.period_flushes, 0);
	s.policy.target_flush_rate = 400;
	settled_at = -1;
	for (t = 0; t < 60; t++) {
		uint64_t before = s.p.pool;

		sim_period(&s, 100, 8, 4);
		/* Gradual: a step gives back a third of the pool, or 8 pages. */
		ASSERT_TRUE(s.p.pool >= before || (before - s.p.pool) * 3 <= before ||
			    before - s.p.pool <= 8);
		rate = s.last.flush_rate;
		if (rate >= 200 && rate <= 400 && settled_at < 0)
			settled_at = t;
	}
	ASSERT_TRUE(settled_at >= 0 && settled_at <= 20);
	ASSERT_TRUE(rate >= 200 && rate <= 400);
	ASSERT_TRUE(s.p.limit < 32);
	printf("target 400/s from a full pool: settled at %.1f/s after %d periods, limit %u\n",
	       rate, settled_at + 1, s.p.limit);

	/*
	 * Churn that varies by ±10% a period stays in the band once settled:
	 * the aim leaves room on both sides.
	 */
	sim_init(&s, 0, 2000);
	s.policy.target_flush_rate = 400;
	sim_period(&s, 0, 0, 0);
	for (t = 0; t < 80; t++) {
		uint64_t rounds = 45 + (uint64_t)((t * 7919) % 11);	/* 45..55 */

		/* Bigger processes: a page of limit is a finer step of flushes. */
		sim_period(&s, rounds, 8, 16);
		rate = s.last.flush_rate;
		if (t >= 20)
			ASSERT_TRUE(rate >= 200 && rate <= 400);
	}
	printf("target 400/s under churn varying by 10%%: in the band for 60 periods, limit %u\n",
	       s.p.limit);
}

/*
 * Memory pressure wins: the shrinker takes tables mid-churn. The limits
 * are cut at once to what it left, the free ratio pins the pool to its
 * share of the tables in use, and nothing grows for the cool-down (30 s)
 * although misses cost flushes; then the ratio comes off and growth
 * resumes. Available memory under the floor does the same.
 */
static void test_pressure(void)
{
	struct sim s;
	uint32_t base;
	uint64_t start;
	int t;

	sim_warm(&s, 2000, 5);
	ASSERT_EQ(s.p.pool, 300);
	s.p.shrunk += 250;
	s.p.pool -= 250;
	sim_period(&s, 1, 10, 1);
	ASSERT_EQ(s.last.level[0].reason, CTL_PRESSURE);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_PRESSURE);
	ASSERT_TRUE(s.p.limit <= 50);
	ASSERT_EQ(s.last.level[0].ratio_reason, CTL_PRESSURE);
	ASSERT_TRUE(s.p.ratio >= 1 && s.p.ratio <= 3);
	ASSERT_EQ(s.last.pressure, 1);
	start = s.now;
	while (s.now - start < 28000) {
		sim_period(&s, 1, 300, 1);
		ASSERT_TRUE(s.period_misses > 0);
		ASSERT_TRUE(s.p.limit <= 50);
		ASSERT_EQ(s.last.level[0].reason, CTL_COOLDOWN);
		ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_PRESSURE);
	}
	ASSERT_EQ(ctl_ratio_pinned(&s.state, 0, &base), 1);
	ASSERT_EQ(base, 0);
	sim_period(&s, 1, 300, 1);
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.p.ratio, 0);
	ASSERT_EQ(ctl_ratio_pinned(&s.state, 0, &base), 0);
	ASSERT_TRUE(s.p.limit > 50);
	printf("pressure: cut to %u, ratio held for 30 s, then grew to %u\n", 50u, s.p.limit);

	/* A ratio an operator set comes back after the pressure, not 0. */
	s.p.ratio = 900;
	sim_idle(&s, 62000);
	s.p.shrunk += 100;
	s.p.pool -= 100;
	sim_period(&s, 1, 10, 1);
	ASSERT_EQ(s.last.level[0].ratio_reason, CTL_PRESSURE);
	ASSERT_TRUE(s.p.ratio < 900);
	ASSERT_EQ(ctl_ratio_pinned(&s.state, 0, &base), 1);
	ASSERT_EQ(base, 900);
	sim_idle(&s, 32000);
	ASSERT_EQ(s.p.ratio, 900);

	/* Available memory under the floor: cut, halved at most every 2 s. */
	sim_warm(&s, 500, 5);
	ASSERT_TRUE(s.p.limit > 600);
	s.p.mem_available = MEM_TOTAL / 64;
	sim_period(&s, 0, 0, 0);
	ASSERT_EQ(s.last.level[0].reason, CTL_PRESSURE);
	/* Halved, and no more than the pool holds. */
	ASSERT_EQ(s.p.limit, 300);
	for (t = 0; t < 3; t++) {
		sim_period(&s, 0, 0, 0);
		ASSERT_EQ(s.p.limit, 300);
	}
	sim_period(&s, 0, 0, 0);
	ASSERT_EQ(s.p.limit, 150);
	s.p.mem_available = MEM_TOTAL / 2;
	sim_idle(&s, 29000);
	ASSERT_TRUE(s.p.ratio > 0);
	sim_idle(&s, 2000);
	ASSERT_EQ(s.p.ratio, 0);
	printf("pressure: free memory under the floor halved the limit, once per 2 s\n");
}

/* The module is reloaded: its counters restart. No bogus grow, then on. */
static void test_counter_reset(void)
{
	struct sim s;
	int t;

	sim_warm(&s, 2000, 10);
	s.p.hits = s.p.misses = s.p.shrunk = 0;
	s.p.pool = 0;
	s.p.limit = 2048;	/* the module's default again */
	sim_period(&s, 0, 0, 0);
	ASSERT_EQ(s.last.level[0].reason, CTL_SEED);
	ASSERT_EQ(s.last.level[0].change, 0);
	for (t = 0; t < 5; t++) {
		sim_period(&s, 1, 300, 1);
		ASSERT_EQ(s.last.level[0].reason == CTL_OPERATOR, 0);
	}
	ASSERT_EQ(s.period_misses, 0);
	printf("counter reset: re-seeded, no change, limit %u\n", s.p.limit);
}

/*
 * A controller started over a warm pool (iosupd restarted): what is pooled
 * is held like a peak of demand, not given back at once.
 */
static void test_start_warm(void)
{
	struct sim s;

	sim_warm(&s, 2000, 5);
	ASSERT_EQ(s.p.pool, 300);
	s.state = (struct ctl_state){ 0 };
	sim_decide(&s);
	ASSERT_EQ(s.last.level[0].reason, CTL_SEED);
	sim_idle(&s, 10000);
	ASSERT_EQ(s.p.pool, 300);
	sim_idle(&s, 60000);
	ASSERT_TRUE(s.p.pool * 10 <= 300);
	printf("start warm: a restarted controller held 300 pooled pages for 10 s, then gave them back\n");
}

/* Xen's flush counter goes back (a new hypervisor boot): no bogus delta. */
static void test_flush_counter_back(void)
{
	struct sim s;
	int t;

	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.last.flushes, 300);
	s.p.flushes = 0;
	sim_period(&s, 0, 0, 0);
	ASSERT_EQ(s.last.flushes, 0);
	ASSERT_TRUE(s.last.flush_rate == 0);
	/* The next delta is from the new base, not the old one. */
	s.p.flushes = 10;
	sim_period(&s, 0, 0, 0);
	ASSERT_EQ(s.last.flushes, 10);
	for (t = 0; t < 3; t++)
		sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.period_misses, 0);
}

/* An operator sets a limit or a ratio by hand: adopted and held, not fought. */
static void test_operator(void)
{
	struct sim s;
	uint64_t start;
	int t;

	sim_warm(&s, 2000, 5);
	s.p.limit = 50;
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.last.level[0].reason, CTL_OPERATOR);
	ASSERT_EQ(s.last.level[0].change, 0);
	start = s.now;
	while (s.now - start < 58000) {
		sim_period(&s, 1, 300, 1);
		ASSERT_EQ(s.p.limit, 50);
	}
	/* After the hold the controller acts again. */
	for (t = 0; t < 3; t++)
		sim_period(&s, 1, 300, 1);
	ASSERT_TRUE(s.p.limit > 50);

	s.p.ratio = 7;
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.last.level[0].ratio_reason, CTL_OPERATOR);
	s.p.shrunk += 10;
	s.p.pool -= 10;
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.p.ratio, 7);
	printf("operator: held 50 for a minute, then grew to %u; a ratio of 7%% held under pressure\n",
	       s.p.limit);
}

/* Policy bounds and the memory cap cut growth, and say which did. */
static void test_bounds(void)
{
	struct sim s;

	sim_init(&s, 0, 2000);
	s.policy.max_pages = 100;
	sim_period(&s, 0, 0, 0);
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.p.limit, 100);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_MAX);
	ASSERT_STREQ(ctl_bound_name(s.last.level[0].bound), "max_pages");

	sim_init(&s, 0, 2000);
	s.budget = 90;
	sim_period(&s, 0, 0, 0);
	sim_period(&s, 1, 300, 1);
	/* The budget is for the domain: the first level takes it all. */
	ASSERT_EQ(s.last.level[0].limit, 90);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_BUDGET);
	ASSERT_EQ(s.last.level[1].limit, 0);
	ASSERT_EQ(s.last.budget_used, 90);

	sim_init(&s, 0, 2000);
	s.policy.min_pages = 64;
	sim_period(&s, 0, 0, 0);
	sim_period(&s, 1, 300, 1);
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.p.pool, 300);
	sim_idle(&s, 180000);
	ASSERT_EQ(s.p.limit, 64);
	ASSERT_EQ(s.last.level[0].change, 0);
	ASSERT_EQ(s.last.level[0].reason, CTL_HOLD);
	ASSERT_STREQ(ctl_bound_name(CTL_BOUND_DEMAND), "demand");
	ASSERT_STREQ(ctl_reason_name(CTL_PRESSURE), "pressure");

	/* A policy changed under a running controller holds by the next period. */
	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	sim_period(&s, 1, 300, 1);
	sim_period(&s, 1, 300, 1);
	ASSERT_TRUE(s.p.limit > 100);
	s.policy.max_pages = 100;
	sim_period(&s, 1, 300, 1);
	ASSERT_EQ(s.p.limit, 100);
	ASSERT_EQ(s.last.level[0].reason, CTL_SHRINK);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_MAX);
	s.policy.min_pages = s.policy.max_pages = 64;
	sim_period(&s, 0, 0, 0);
	ASSERT_EQ(s.p.limit, 64);
	sim_idle(&s, 60000);
	ASSERT_EQ(s.p.limit, 64);
	/* Raised to min_pages at once, within the budget. */
	sim_init(&s, 0, 2000);
	sim_period(&s, 0, 0, 0);
	s.policy.min_pages = 64;
	s.budget = 40;
	sim_period(&s, 0, 0, 0);
	ASSERT_EQ(s.last.level[0].limit, 40);
	ASSERT_EQ(s.last.level[0].reason, CTL_GROW);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_BUDGET);
}

/* Misses that cost no flush (the IOMMU is not strict) buy no pages. */
static void test_misses_without_flushes(void)
{
	struct ctl_state state = { 0 };
	struct ctl_policy policy = { .min_pages = 0, .max_pages = 4096 };
	struct ctl_sample sample = { .have_xen = true, .time_ms = 1000 };
	struct ctl_decision d;

	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].reason, CTL_SEED);
	sample.time_ms += 2000;
	sample.level[0].misses = 500;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].change, 0);
	ASSERT_EQ(d.level[0].misses, 500);

	/* Without Xen's counters every page missed is taken to cost a flush. */
	sample.time_ms += 2000;
	sample.have_xen = false;
	sample.level[0].misses = 1000;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].reason, CTL_GROW);
	ASSERT_EQ(d.level[0].limit, 1000);
	ASSERT_EQ(d.flushes, 500);
	ASSERT_STREQ(ctl_reason_name(d.level[0].reason), "grow");

	/* A sample no later than the last measures nothing. */
	sample.level[0].misses = 5000;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].change, 0);
	ASSERT_EQ(d.elapsed_ms, 0);
}

/* The pgd pair level (L4) is decided like the others, on its own counters. */
static void test_fourth_level(void)
{
	struct ctl_state state = { 0 };
	struct ctl_policy policy = { .min_pages = 0, .max_pages = 4096 };
	struct ctl_sample sample = { .have_xen = true, .time_ms = 1000 };
	struct ctl_decision d;
	int l;

	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[3].reason, CTL_SEED);
	sample.time_ms += 2000;
	sample.level[3].misses = 100;
	sample.level[3].table_pages = 2;
	sample.pt_unmaps = 200;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[3].reason, CTL_GROW);
	ASSERT_EQ(d.level[3].change, 1);
	ASSERT_EQ(d.level[3].limit, 200);
	ASSERT_EQ(d.budget_used, 200);
	ASSERT_TRUE(d.flush_rate == 100.0);
	for (l = 0; l < 3; l++)
		ASSERT_EQ(d.level[l].change, 0);
}

/* Says which test runs, so that a failure (and a mutation caught) is named. */
#define RUN(test) do { printf("== %s\n", #test); test_##test(); } while (0)

int main(void)
{
	/* Each test prints a line; keep them when an assertion aborts. */
	setvbuf(stdout, NULL, _IONBF, 0);
	RUN(step);
	RUN(ramp);
	RUN(period_independence);
	RUN(dead_band);
	RUN(live_bursts);
	RUN(grow_hold);
	RUN(square_wave);
	RUN(noisy);
	RUN(target);
	RUN(pressure);
	RUN(counter_reset);
	RUN(start_warm);
	RUN(flush_counter_back);
	RUN(operator);
	RUN(bounds);
	RUN(misses_without_flushes);
	RUN(fourth_level);
	printf("controller: all passed\n");
	return 0;
}
