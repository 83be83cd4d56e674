// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pure part of iosupd's control period on hand-built pool dumps and
 * Xen counters: the sample, the memory budget, the action lines, the
 * explain records, the snapshot's fill and the status.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "assert.h"
#include "tick.h"

/* A dump of the four levels, L4 two pages a table, as the module sends. */
static void make_stats(struct iosup_pool_stats *s)
{
	int level;

	memset(s, 0, sizeof(*s));
	s->enabled = true;
	for (level = 1; level <= 4; level++) {
		struct iosup_pool_level *lv = &s->level[level];

		s->levels |= 1u << level;
		lv->level = (uint8_t)level;
		lv->have = IOSUP_POOL_HAVE(IOSUP_A_TABLE_PAGES) | IOSUP_POOL_HAVE(IOSUP_A_LEASE) |
			   IOSUP_POOL_HAVE(IOSUP_A_POOL_IN_PAGETABLES);
		lv->pool_in_pagetables = true;
		lv->table_pages = level == 4 ? 2 : 1;
		lv->limit = 100 * (uint32_t)level;
		lv->pool = 10 * (uint64_t)level;
		lv->hits = 1000 + (uint64_t)level;
		lv->misses = 50 + (uint64_t)level;
		lv->lease = 7;
	}
	s->level[4].have |= IOSUP_POOL_HAVE(IOSUP_A_IN_USE);
	s->level[4].in_use = 12;
}

static void test_sample(void)
{
	struct iosup_xen_counters xen = { .domid = 0, .iotlb_psi = 99, .pt_unmaps = 4321,
					  .pt_maps = 1234 };
	struct tick_memory mem = { .total = 1000, .available = 400, .page_tables = 1000 };
	struct iosup_pool_stats s;
	struct ctl_sample sample;

	make_stats(&s);
	tick_sample(&s, &xen, NULL, 1234, &sample);
	ASSERT_EQ(sample.time_ms, 1234);
	ASSERT_EQ(sample.have_xen, 1);
	ASSERT_EQ(sample.pt_unmaps, 4321);
	ASSERT_EQ(sample.pt_maps, 1234);
	ASSERT_EQ(sample.have_memory, 0);
	ASSERT_EQ(sample.level[3].table_pages, 2);
	ASSERT_EQ(sample.level[3].have_in_use, 1);
	ASSERT_EQ(sample.level[3].in_use, 12);
	ASSERT_EQ(sample.level[0].have_in_use, 0);
	ASSERT_EQ(sample.level[0].limit, 100);
	ASSERT_EQ(sample.level[0].misses, 51);
	ASSERT_EQ(sample.level[0].hits, 1001);
	ASSERT_EQ(sample.level[3].limit, 400);
	ASSERT_EQ(sample.level[3].pool, 40);

	/* No counters in the hypervisor; a level the dump lacks reads empty. */
	s.levels &= ~(1u << 3);
	tick_sample(&s, NULL, &mem, 5, &sample);
	ASSERT_EQ(sample.have_xen, 0);
	ASSERT_EQ(sample.pt_unmaps, 0);
	ASSERT_EQ(sample.have_memory, 1);
	ASSERT_EQ(sample.mem_available, 400);
	/* PageTables counts the pooled pages too: 10 + 20 + 2 * 40 of them. */
	ASSERT_EQ(sample.page_tables, 1000 - 110);
	ASSERT_EQ(sample.level[2].limit, 0);
	ASSERT_EQ(sample.level[2].misses, 0);
	ASSERT_EQ(sample.level[1].limit, 200);
	/* Fewer than the pools hold (a reading between two counts): none in use. */
	mem.page_tables = 100;
	tick_sample(&s, NULL, &mem, 6, &sample);
	ASSERT_EQ(sample.page_tables, 0);
	/*
	 * A module that does not say POOL_IN_PAGETABLES does not count its
	 * pages in PageTables (one still loaded after an upgrade of iosupd):
	 * nothing is taken out.
	 */
	mem.page_tables = 1000;
	for (int level = 1; level <= 4; level++)
		s.level[level].have &= ~IOSUP_POOL_HAVE(IOSUP_A_POOL_IN_PAGETABLES);
	tick_sample(&s, NULL, &mem, 7, &sample);
	ASSERT_EQ(sample.page_tables, 1000);
	ASSERT_EQ(tick_pages_in_pagetables(&s), 0);
	/* A module that says 0 is taken at its word too. */
	s.level[1].have |= IOSUP_POOL_HAVE(IOSUP_A_POOL_IN_PAGETABLES);
	s.level[1].pool_in_pagetables = false;
	s.level[2].have |= IOSUP_POOL_HAVE(IOSUP_A_POOL_IN_PAGETABLES);
	tick_sample(&s, NULL, &mem, 8, &sample);
	ASSERT_EQ(sample.page_tables, 1000 - 20);
	printf("sample: ok\n");
}

static void test_budget(void)
{
	struct iosup_pool_stats s;

	make_stats(&s);
	/* Limits: 100 + 200 + 300 + 400 * 2 pages; held: 10 + 20 + 30 + 40 * 2. */
	ASSERT_EQ(tick_pages_allowed(&s), 1400);
	ASSERT_EQ(tick_pages_held(&s), 140);
	/* 1 MiB is 256 pages: already over, no growth at all. */
	ASSERT_EQ(tick_budget(1, &s), 0);
	/* 64 MiB: 16384 - 1400 pages left, counted in pgd pairs (2 pages). */
	ASSERT_EQ(tick_budget(64, &s), (16384 - 1400) / 2);
	/* An older module without TABLE_PAGES: its L4 is still two pages. */
	s.level[4].have = 0;
	ASSERT_EQ(tick_pages_allowed(&s), 1400);
	/* Without L4, one page a table. */
	s.levels &= ~(1u << 4);
	ASSERT_EQ(tick_budget(64, &s), 16384 - 600);
	/* domUs' pools count against the cap, in their widest tables. */
	ASSERT_EQ(tick_budget_all(64, &s, 1000, 2), (16384 - 1600) / 2);
	ASSERT_EQ(tick_budget_all(64, &s, 0, 1), 16384 - 600);
	ASSERT_EQ(tick_budget_all(64, NULL, 1000, 2), (16384 - 1000) / 2);
	ASSERT_EQ(tick_budget_all(64, NULL, 20000, 2), 0);
	printf("budget: ok\n");
}

static void test_action_line(void)
{
	struct ctl_decision dec = {
		.elapsed_ms = 2000, .flushes = 432, .flush_rate = 216.0,
	};
	struct ctl_level_decision *d = &dec.level[0];
	char line[320];

	*d = (struct ctl_level_decision){
		.limit = 96, .change = true, .reason = CTL_GROW, .bound = CTL_BOUND_NONE,
		.misses = 48, .hits = 3, .demand = 51,
	};
	tick_format_action(line, sizeof(line), 0, 0, &dec, 0, true, 0, 5);
	ASSERT_STREQ(line, "dom0: set L1 limit 0 -> 96 (grow, bound none): "
			   "misses 48, hits 3, flushes 432 in 2.0 s (216.0/s, target 0/s), "
			   "demand 51, pool 5");
	dec.level[3] = *d;
	dec.level[3].limit = 4096;
	dec.level[3].bound = CTL_BOUND_MAX;
	tick_format_action(line, sizeof(line), 0, 3, &dec, 96, false, 100, 0);
	ASSERT_STREQ(line, "dom0: would set L4 limit 96 -> 4096 (grow, bound max_pages): "
			   "misses 48, hits 3, flushes 432 in 2.0 s (216.0/s, target 100/s), "
			   "demand 51, pool 0");
	dec = (struct ctl_decision){ .elapsed_ms = 500 };
	dec.level[1] = (struct ctl_level_decision){ .limit = 40, .change = true,
						    .reason = CTL_SHRINK,
						    .bound = CTL_BOUND_DEMAND, .demand = 40 };
	tick_format_action(line, sizeof(line), 7, 1, &dec, 80, true, 0, 80);
	ASSERT_STREQ(line, "dom7: set L2 limit 80 -> 40 (shrink, bound demand): "
			   "misses 0, hits 0, flushes 0 in 0.5 s (0.0/s, target 0/s), "
			   "demand 40, pool 80");
	/* Cut, never overrun. */
	ASSERT_TRUE(tick_format_action(line, 10, 0, 0, &dec, 0, true, 0, 0) > 10);
	ASSERT_EQ(strlen(line), 9);

	*d = (struct ctl_level_decision){ .ratio = 4, .ratio_change = true,
					  .ratio_reason = CTL_PRESSURE, .shrunk = 120 };
	tick_format_ratio(line, sizeof(line), 0, 0, d, 0, true, 30, 750);
	ASSERT_STREQ(line, "dom0: set L1 free ratio 0% -> 4% (pressure): "
			   "shrunk 120, pool 30, page tables 750");
	ASSERT_EQ(tick_worth_recording(d), 1);
	printf("action line: ok\n");
}

/* Observe mode end to end: decide, log "would", and keep no memory of it. */
static void test_unapply(void)
{
	struct ctl_policy policy = { .min_pages = 0, .max_pages = 4096 };
	struct ctl_state state = { 0 };
	struct ctl_sample sample = { .have_xen = true, .time_ms = 1000 };
	struct ctl_decision d;

	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	sample.time_ms += 2000;
	sample.level[0].misses = 100;
	sample.pt_unmaps = 900;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_EQ(d.level[0].change, 1);
	ASSERT_EQ(d.level[0].limit, 200);
	ASSERT_EQ(state.level[0].limit, 200);
	tick_unapply(&state, &sample, 0);
	ASSERT_EQ(state.level[0].limit, 0);
	/* The next period does not take the unchanged limit for an operator's. */
	sample.time_ms += 2000;
	sample.level[0].misses = 200;
	sample.pt_unmaps = 1800;
	ctl_decide(&policy, &state, &sample, UINT64_MAX, &d);
	ASSERT_TRUE(d.level[0].reason != CTL_OPERATOR);
	printf("unapply: ok\n");
}

static void test_record(void)
{
	struct ctl_level_decision d = {
		.limit = 96, .change = true, .reason = CTL_GROW, .bound = CTL_BOUND_BUDGET,
		.misses = 48, .hits = 1,
	};
	struct ctl_proto_record r;

	ASSERT_EQ(tick_worth_recording(&d), 1);
	tick_record(&r, 1700000000123ull, 2, &d, 16, false, 432, 7);
	ASSERT_EQ(r.time_ms, 1700000000123ull);
	ASSERT_EQ(r.level, 3);
	ASSERT_EQ(r.old_limit, 16);
	ASSERT_EQ(r.new_limit, 96);
	ASSERT_EQ(r.reason, CTL_GROW);
	ASSERT_EQ(r.bound, CTL_BOUND_BUDGET);
	ASSERT_EQ(r.applied, 0);
	ASSERT_EQ(r.misses, 48);
	ASSERT_EQ(r.flushes, 432);
	ASSERT_EQ(r.pool, 7);
	d.reason = CTL_HOLD;
	ASSERT_EQ(tick_worth_recording(&d), 0);
	d.reason = CTL_OPERATOR;
	ASSERT_EQ(tick_worth_recording(&d), 1);
	printf("record: ok\n");
}

static void test_fill(void)
{
	struct iosup_xen_counters prev = { .iotlb_psi = 1000 }, now = { .iotlb_psi = 1900 };
	struct ctl_proto_domain dom;
	struct iosup_pool_stats s;

	memset(&dom, 0xaa, sizeof(dom));
	make_stats(&s);
	s.levels &= ~(1u << 3);
	tick_fill_pool(&dom, &s);
	ASSERT_EQ(dom.have_pool, 1);
	ASSERT_EQ(dom.level[0].limit, 100);
	ASSERT_EQ(dom.level[0].lease_left, 7);
	ASSERT_EQ(dom.level[0].have_in_use, 0);
	ASSERT_EQ(dom.level[2].limit, 0);	/* not in the dump: zeroed */
	ASSERT_EQ(dom.level[2].pool, 0);
	ASSERT_EQ(dom.level[3].have_in_use, 1);
	ASSERT_EQ(dom.level[3].in_use, 12);

	tick_fill_xen(&dom, &now, &prev, 2000);
	ASSERT_EQ(dom.have_xen, 1);
	ASSERT_EQ(dom.xen.iotlb_psi, 1900);
	ASSERT_EQ(dom.have_flush_rate, 1);
	ASSERT_TRUE(dom.flush_rate > 449.99 && dom.flush_rate < 450.01);
	/* First sample, no time passed, a counter gone back: no rate. */
	tick_fill_xen(&dom, &now, NULL, 2000);
	ASSERT_EQ(dom.have_flush_rate, 0);
	tick_fill_xen(&dom, &now, &prev, 0);
	ASSERT_EQ(dom.have_flush_rate, 0);
	tick_fill_xen(&dom, &prev, &now, 2000);
	ASSERT_EQ(dom.have_flush_rate, 0);
	printf("fill: ok\n");
}

static void test_status(void)
{
	struct tick_health h = { 0 };
	struct ctl_proto_status s = {
		.period_ms = 2000, .memory_cap = 64ull << 20, .memory_used = 150 * 4096,
		.domains = 1,
	};
	char line[512];

	s.state = tick_state(&h, s.reason, sizeof(s.reason));
	ASSERT_EQ(s.state, CTL_PROTO_RUNNING);
	ASSERT_STREQ(s.reason, "");
	tick_status_line(line, sizeof(line), &s);
	ASSERT_STREQ(line, "running: 1 domain, pools 150 of 16384 pages");

	h.pool_missing = true;
	s.state = tick_state(&h, s.reason, sizeof(s.reason));
	ASSERT_EQ(s.state, CTL_PROTO_RUNNING);
	ASSERT_STREQ(s.reason, "pool unavailable");

	h = (struct tick_health){ .no_counters = true, .store_missing = true };
	s.state = tick_state(&h, s.reason, sizeof(s.reason));
	ASSERT_EQ(s.state, CTL_PROTO_OBSERVE_ONLY);
	ASSERT_STREQ(s.reason, "hypervisor without the counters; "
			       "xenstore unavailable, config policy only");
	s.domains = 3;
	tick_status_line(line, sizeof(line), &s);
	ASSERT_STREQ(line, "observe-only (hypervisor without the counters; "
			   "xenstore unavailable, config policy only): 3 domains, "
			   "pools 150 of 16384 pages");

	h = (struct tick_health){ .paused = true, .observe_flag = true };
	s.state = tick_state(&h, s.reason, sizeof(s.reason));
	ASSERT_EQ(s.state, CTL_PROTO_PAUSED);
	ASSERT_STREQ(s.reason, "paused by an operator; observing only (--observe)");

	/* A reason that does not fit is cut, not overrun. */
	h = (struct tick_health){ .paused = true, .no_counters = true, .pool_missing = true };
	tick_state(&h, line, 20);
	ASSERT_TRUE(strlen(line) < 20);
	printf("status: ok\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_sample();
	test_budget();
	test_action_line();
	test_unapply();
	test_record();
	test_fill();
	test_status();
	printf("tick: all passed\n");
	return 0;
}
