// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controller on traces: a simulated pool (one level, with the others
 * following it) is driven by a workload that needs N tables per period,
 * and ctl_decide() sets its limit each period, as iosupd would.
 *
 * The plant: a period's demand is served from the pool up to its limit
 * (hits); the rest are misses, each of which costs one IOTLB flush. While
 * churn goes on the pool holds what the last exits freed, up to the limit;
 * when it stops or slows, those pages sit there idle until the limit comes
 * down.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "assert.h"
#include "controller.h"

#define PERIODS_TO_GROW 3	/* the rig's target: at the floor within 3 periods */
#define PERIODS_TO_SHRINK 20	/* below a tenth of the peak within 20 periods */

struct plant {
	uint64_t hits, misses, flushes, pool;
	uint32_t limit;
};

struct sim {
	struct plant p;
	struct ctl_state state;
	struct ctl_policy policy;
	struct ctl_decision last;
	uint64_t budget;
	int changes, reversals, last_direction;
	uint64_t period_misses;
};

static void sim_init(struct sim *s, uint32_t limit)
{
	*s = (struct sim){
		.p = { .limit = limit },
		.policy = { .min_pages = 0, .max_pages = 4096 },
		.budget = UINT64_MAX,
	};
}

static void plant_run(struct plant *p, uint64_t need)
{
	uint64_t hits = need < p->limit ? need : p->limit;

	p->hits += hits;
	p->misses += need - hits;
	p->flushes += need - hits;
	/* Exits return what was taken: only a lower limit takes pages away. */
	if (hits > p->pool)
		p->pool = hits;
	if (p->pool > p->limit)
		p->pool = p->limit;
}

/* One period: the workload runs, then the controller samples and acts. */
static void sim_period(struct sim *s, uint64_t need)
{
	struct ctl_sample sample = { .have_flushes = true };
	uint64_t misses_before = s->p.misses;
	int l;

	plant_run(&s->p, need);
	s->period_misses = s->p.misses - misses_before;
	for (l = 0; l < CTL_LEVELS; l++)
		sample.level[l] = (struct ctl_level_sample){
			.hits = s->p.hits, .misses = s->p.misses,
			.pool = s->p.pool, .limit = s->p.limit,
		};
	sample.iotlb_flushes = s->p.flushes;
	ctl_decide(&s->policy, &s->state, &sample, s->budget, &s->last);

	if (s->last.level[0].change) {
		int direction = s->last.level[0].limit > s->p.limit ? 1 : -1;

		if (s->last_direction && direction != s->last_direction)
			s->reversals++;
		s->last_direction = direction;
		s->changes++;
		s->p.limit = s->last.level[0].limit;
		/* The module releases what is over a lowered limit at once. */
		if (s->p.pool > s->p.limit)
			s->p.pool = s->p.limit;
	}
}

/* From an empty pool, a step of churn: misses stop within 3 periods. */
static void test_step(void)
{
	struct sim s;
	uint64_t peak;
	int t;

	sim_init(&s, 0);
	for (t = 0; t < 5; t++)
		sim_period(&s, 0);
	for (t = 0; t < PERIODS_TO_GROW; t++)
		sim_period(&s, 300);
	ASSERT_EQ(s.period_misses, 0);
	ASSERT_EQ(s.last.level[0].reason, CTL_HOLD);
	for (t = 0; t < 20; t++) {
		sim_period(&s, 300);
		ASSERT_EQ(s.period_misses, 0);
	}
	/* Grown once, never reversed while the churn went on. */
	ASSERT_EQ(s.reversals, 0);
	peak = s.p.pool;
	ASSERT_EQ(peak, 300);

	/* The churn stops: the idle pages go back within 20 periods. */
	for (t = 0; t < PERIODS_TO_SHRINK; t++)
		sim_period(&s, 0);
	ASSERT_TRUE(s.p.pool * 10 <= peak);
	printf("step: %d changes; limit %u, pool %llu of a peak of %llu after %d idle periods\n",
	       s.changes, s.p.limit, (unsigned long long)s.p.pool,
	       (unsigned long long)peak, PERIODS_TO_SHRINK);
}

/* Rising churn: the limit keeps up, misses per period stay bounded. */
static void test_ramp(void)
{
	struct sim s;
	uint64_t worst = 0, total = 0;
	int t;

	sim_init(&s, 0);
	sim_period(&s, 0);
	for (t = 1; t <= 100; t++) {
		sim_period(&s, 5 * (uint64_t)t);
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
 * A burst, then the trickle of processes any host has: the pool comes down
 * to what the trickle keeps busy, and the trickle never misses.
 */
static void test_background(void)
{
	struct sim s;
	uint64_t peak, misses = 0;
	int t;

	sim_init(&s, 0);
	sim_period(&s, 0);
	for (t = 0; t < 10; t++)
		sim_period(&s, 300);
	peak = s.p.pool;
	ASSERT_EQ(peak, 300);
	for (t = 0; t < PERIODS_TO_SHRINK; t++) {
		sim_period(&s, 5);
		misses += s.period_misses;
	}
	ASSERT_TRUE(s.p.pool * 10 <= peak);
	ASSERT_TRUE(s.p.limit >= 5);
	for (t = 0; t < 40; t++) {
		sim_period(&s, 5);
		misses += s.period_misses;
	}
	ASSERT_EQ(misses, 0);
	printf("background: pool %llu of a peak of %llu after %d periods of 5 tables each, limit %u, no miss\n",
	       (unsigned long long)s.p.pool, (unsigned long long)peak, PERIODS_TO_SHRINK, s.p.limit);
}

/* Bursts: grow at once each burst, no flapping inside one. */
static void test_square_wave(void)
{
	struct sim s;
	int cycle, t, changes_in_burst;

	sim_init(&s, 0);
	sim_period(&s, 0);
	for (cycle = 0; cycle < 5; cycle++) {
		int before = s.changes;

		for (t = 0; t < 10; t++) {
			sim_period(&s, 300);
			if (t >= PERIODS_TO_GROW)
				ASSERT_EQ(s.period_misses, 0);
		}
		changes_in_burst = s.changes - before;
		ASSERT_TRUE(changes_in_burst <= 2);
		for (t = 0; t < 10; t++)
			sim_period(&s, 0);
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

	sim_init(&s, 0);
	sim_period(&s, 0);
	for (t = 0; t < 200; t++) {
		int before = s.changes;
		uint64_t need;

		seed = seed * 1103515245u + 12345u;
		need = 270 + (seed >> 16) % 61;	/* 270..330 */
		sim_period(&s, need);
		if (t >= PERIODS_TO_GROW)
			settled_changes += s.changes - before;
	}
	ASSERT_TRUE(settled_changes <= 2);
	ASSERT_EQ(s.reversals, 0);
	printf("noisy: %d changes after the first %d periods of 200; limit %u\n",
	       settled_changes, PERIODS_TO_GROW, s.p.limit);
}

/* The module is reloaded: its counters restart. No bogus grow, then on. */
static void test_counter_reset(void)
{
	struct sim s;
	int t;

	sim_init(&s, 0);
	sim_period(&s, 0);
	for (t = 0; t < 10; t++)
		sim_period(&s, 300);
	s.p.hits = s.p.misses = 0;
	s.p.pool = 0;
	s.p.limit = 2048;	/* the module's default again */
	sim_period(&s, 0);
	ASSERT_EQ(s.last.level[0].reason, CTL_SEED);
	ASSERT_EQ(s.last.level[0].change, 0);
	for (t = 0; t < 5; t++) {
		sim_period(&s, 300);
		ASSERT_EQ(s.last.level[0].reason == CTL_OPERATOR, 0);
	}
	ASSERT_EQ(s.period_misses, 0);
	printf("counter reset: re-seeded, no change, limit %u\n", s.p.limit);
}

/* Xen's flush counter goes back (a new hypervisor boot): no bogus delta. */
static void test_flush_counter_back(void)
{
	struct sim s;
	int t;

	sim_init(&s, 0);
	sim_period(&s, 0);
	sim_period(&s, 300);
	s.p.flushes = 0;
	sim_period(&s, 0);
	ASSERT_EQ(s.last.flushes, 0);
	for (t = 0; t < 3; t++)
		sim_period(&s, 300);
	ASSERT_EQ(s.period_misses, 0);
}

/* An operator sets a limit by hand: adopted and held, not fought. */
static void test_operator(void)
{
	struct sim s;
	int t;

	sim_init(&s, 0);
	sim_period(&s, 0);
	for (t = 0; t < 5; t++)
		sim_period(&s, 300);
	s.p.limit = 50;
	sim_period(&s, 300);
	ASSERT_EQ(s.last.level[0].reason, CTL_OPERATOR);
	ASSERT_EQ(s.last.level[0].change, 0);
	for (t = 0; t < 20; t++) {
		sim_period(&s, 300);
		ASSERT_EQ(s.p.limit, 50);
	}
	/* After the hold the controller acts again. */
	for (t = 0; t < 10; t++)
		sim_period(&s, 300);
	ASSERT_TRUE(s.p.limit > 50);
	printf("operator: held 50 for 20 periods, then grew to %u\n", s.p.limit);
}

/* Policy bounds and the memory cap cut growth, and say which did. */
static void test_bounds(void)
{
	struct sim s;

	sim_init(&s, 0);
	s.policy.max_pages = 100;
	sim_period(&s, 0);
	sim_period(&s, 300);
	ASSERT_EQ(s.p.limit, 100);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_MAX);
	ASSERT_STREQ(ctl_bound_name(s.last.level[0].bound), "max_pages");

	sim_init(&s, 0);
	s.budget = 90;
	sim_period(&s, 0);
	sim_period(&s, 300);
	/* The budget is for the domain: the first level takes it all. */
	ASSERT_EQ(s.last.level[0].limit, 90);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_BUDGET);
	ASSERT_EQ(s.last.level[1].limit, 0);
	ASSERT_EQ(s.last.budget_used, 90);

	sim_init(&s, 0);
	s.policy.min_pages = 64;
	sim_period(&s, 0);
	sim_period(&s, 300);
	sim_period(&s, 300);
	ASSERT_EQ(s.p.pool, 300);
	for (int t = 0; t < 60; t++)
		sim_period(&s, 0);
	ASSERT_EQ(s.p.limit, 64);
	ASSERT_EQ(s.last.level[0].change, 0);
	ASSERT_EQ(s.last.level[0].reason, CTL_HOLD);
	ASSERT_EQ(s.last.level[0].bound, CTL_BOUND_MIN);
}

/* Misses that cost no flush (the IOMMU is not strict) buy no pages. */
static void test_misses_without_flushes(void)
{
	struct ctl_state state = { 0 };
	struct ctl_policy policy = { .min_pages = 0, .max_pages = 4096 };
	struct ctl_sample sample = { .have_flushes = true };
	struct ctl_decision d;

	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].reason, CTL_SEED);
	sample.level[0].misses = 500;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].change, 0);
	ASSERT_EQ(d.level[0].misses, 500);

	/* Without Xen's counters every miss is taken to cost a flush. */
	sample.have_flushes = false;
	sample.level[0].misses = 1000;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].reason, CTL_GROW);
	ASSERT_EQ(d.level[0].limit, 1000);
	ASSERT_STREQ(ctl_reason_name(d.level[0].reason), "grow");
}

/* The pgd pair level (L4) is decided like the others, on its own counters. */
static void test_fourth_level(void)
{
	struct ctl_state state = { 0 };
	struct ctl_policy policy = { .min_pages = 0, .max_pages = 4096 };
	struct ctl_sample sample = { .have_flushes = true };
	struct ctl_decision d;
	int l;

	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[3].reason, CTL_SEED);
	sample.level[3].misses = 100;
	sample.iotlb_flushes = 200;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[3].reason, CTL_GROW);
	ASSERT_EQ(d.level[3].change, 1);
	ASSERT_EQ(d.level[3].limit, 200);
	ASSERT_EQ(d.budget_used, 200);
	for (l = 0; l < 3; l++)
		ASSERT_EQ(d.level[l].change, 0);
}

int main(void)
{
	/* Each test prints a line; keep them when an assertion aborts. */
	setvbuf(stdout, NULL, _IONBF, 0);
	test_step();
	test_ramp();
	test_background();
	test_square_wave();
	test_noisy();
	test_counter_reset();
	test_flush_counter_back();
	test_operator();
	test_bounds();
	test_misses_without_flushes();
	test_fourth_level();
	printf("controller: all passed\n");
	return 0;
}
