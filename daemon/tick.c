// SPDX-License-Identifier: GPL-2.0-only
/* The pure part of a control period (see tick.h). */
#include "tick.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Pages one table of level @lv takes: 1, except a pgd pair's (L4). */
static uint64_t table_pages(const struct iosup_pool_level *lv)
{
	if (lv->have & IOSUP_POOL_HAVE(IOSUP_A_TABLE_PAGES) && lv->table_pages)
		return lv->table_pages;
	/* An older module does not say; its pgd pairs are two pages. */
	return lv->level == IOSUP_LEVEL_PGD ? 2 : 1;
}

static bool has_level(const struct iosup_pool_stats *stats, int level)
{
	return stats->levels & (UINT32_C(1) << level);
}

void tick_sample_domain(const struct iosup_xen_counters *xen,
			const struct tick_memory *mem, uint64_t time_ms,
			struct ctl_sample *out)
{
	out->time_ms = time_ms;
	out->have_xen = xen != NULL;
	out->pt_unmaps = xen ? xen->pt_unmaps : 0;
	out->pt_maps = xen ? xen->pt_maps : 0;
	out->have_memory = mem != NULL;
	if (mem) {
		out->mem_total = mem->total;
		out->mem_available = mem->available;
		out->page_tables = mem->page_tables;
	}
}

void tick_sample(const struct iosup_pool_stats *stats,
		 const struct iosup_xen_counters *xen,
		 const struct tick_memory *mem, uint64_t time_ms,
		 struct ctl_sample *out)
{
	int l;

	memset(out, 0, sizeof(*out));
	for (l = 0; l < CTL_LEVELS && l < IOSUP_LEVEL_MAX; l++) {
		const struct iosup_pool_level *lv = &stats->level[l + 1];

		if (!has_level(stats, l + 1))
			continue;
		out->level[l] = (struct ctl_level_sample){
			.hits = lv->hits,
			.misses = lv->misses,
			.pool = lv->pool,
			.limit = lv->limit,
			.ratio = lv->free_ratio,
			.table_pages = (uint32_t)table_pages(lv),
			/* An older module does not say: nothing taken, as far as anyone knows. */
			.shrunk = lv->have & IOSUP_POOL_HAVE(IOSUP_A_SHRUNK) ? lv->shrunk : 0,
			.have_in_use = lv->have & IOSUP_POOL_HAVE(IOSUP_A_IN_USE),
			.in_use = lv->in_use,
		};
	}
	tick_sample_domain(xen, mem, time_ms, out);
	/*
	 * The module counts the tables it pools in PageTables, since a pooled
	 * table is still a page table; the controller's share, like the
	 * module's free ratio, is of the tables in use. A module that does not
	 * say so (POOL_IN_PAGETABLES) is taken not to count them: no release
	 * shipped one that counts them without saying.
	 */
	if (out->have_memory) {
		uint64_t held = tick_pages_in_pagetables(stats);

		out->page_tables = out->page_tables > held ? out->page_tables - held : 0;
	}
}

uint64_t tick_pages_allowed(const struct iosup_pool_stats *stats)
{
	uint64_t pages = 0;
	int level;

	for (level = IOSUP_LEVEL_PTE; level <= IOSUP_LEVEL_MAX; level++)
		if (has_level(stats, level))
			pages += (uint64_t)stats->level[level].limit *
				 table_pages(&stats->level[level]);
	return pages;
}

/* Pages the pools hold, of every level or only of those in PageTables. */
static uint64_t pages_held(const struct iosup_pool_stats *stats, bool in_pagetables_only)
{
	uint64_t pages = 0;
	int level;

	for (level = IOSUP_LEVEL_PTE; level <= IOSUP_LEVEL_MAX; level++) {
		const struct iosup_pool_level *lv = &stats->level[level];

		if (!has_level(stats, level) ||
		    (in_pagetables_only &&
		     !(lv->have & IOSUP_POOL_HAVE(IOSUP_A_POOL_IN_PAGETABLES) && lv->pool_in_pagetables)))
			continue;
		pages += lv->pool * table_pages(lv);
	}
	return pages;
}

uint64_t tick_pages_held(const struct iosup_pool_stats *stats)
{
	return pages_held(stats, false);
}

uint64_t tick_pages_in_pagetables(const struct iosup_pool_stats *stats)
{
	return pages_held(stats, true);
}

uint64_t tick_budget_all(uint32_t cap_mib, const struct iosup_pool_stats *stats,
			 uint64_t other_pages, uint64_t other_table_pages)
{
	uint64_t cap = (uint64_t)cap_mib * TICK_PAGES_PER_MIB;
	uint64_t allowed = other_pages, widest = other_table_pages ? other_table_pages : 1;
	int level;

	if (stats) {
		allowed += tick_pages_allowed(stats);
		for (level = IOSUP_LEVEL_PTE; level <= IOSUP_LEVEL_MAX; level++)
			if (has_level(stats, level) &&
			    table_pages(&stats->level[level]) > widest)
				widest = table_pages(&stats->level[level]);
	}
	if (allowed >= cap)
		return 0;
	return (cap - allowed) / widest;
}

uint64_t tick_budget(uint32_t cap_mib, const struct iosup_pool_stats *stats)
{
	return tick_budget_all(cap_mib, stats, 0, 1);
}

void tick_unapply(struct ctl_state *state, const struct ctl_sample *sample, int l)
{
	state->level[l].limit = sample->level[l].limit;
}

void tick_unapply_ratio(struct ctl_state *state, const struct ctl_sample *sample, int l)
{
	state->level[l].ratio = sample->level[l].ratio;
}

int tick_format_action(char *buf, size_t len, uint32_t domid, int l,
		       const struct ctl_decision *dec, uint32_t old_limit,
		       bool applied, uint32_t target, uint64_t pool)
{
	const struct ctl_level_decision *d = &dec->level[l];

	return snprintf(buf, len,
			"dom%" PRIu32 ": %s L%d limit %" PRIu32 " -> %" PRIu32
			" (%s, bound %s): misses %" PRIu64 ", hits %" PRIu64
			", flushes %" PRIu64 " in %.1f s (%.1f/s, target %" PRIu32
			"/s), demand %" PRIu32 ", pool %" PRIu64,
			domid, applied ? "set" : "would set", l + 1, old_limit,
			d->limit, ctl_reason_name(d->reason), ctl_bound_name(d->bound),
			d->misses, d->hits, dec->flushes, (double)dec->elapsed_ms / 1000,
			dec->flush_rate, target, d->demand, pool);
}

int tick_format_ratio(char *buf, size_t len, uint32_t domid, int l,
		      const struct ctl_level_decision *d, uint32_t old_ratio,
		      bool applied, uint64_t pool, uint64_t page_tables)
{
	return snprintf(buf, len,
			"dom%" PRIu32 ": %s L%d free ratio %" PRIu32 "%% -> %" PRIu32
			"%% (%s): shrunk %" PRIu64 ", pool %" PRIu64
			", page tables %" PRIu64,
			domid, applied ? "set" : "would set", l + 1, old_ratio, d->ratio,
			ctl_reason_name(d->ratio_reason), d->shrunk, pool, page_tables);
}

bool tick_worth_recording(const struct ctl_level_decision *d)
{
	return d->reason != CTL_HOLD || d->ratio_change;
}

void tick_record(struct ctl_proto_record *out, uint64_t time_ms, int l,
		 const struct ctl_level_decision *d, uint32_t old_limit,
		 bool applied, uint64_t flushes, uint64_t pool)
{
	*out = (struct ctl_proto_record){
		.time_ms = time_ms,
		.level = (uint8_t)(l + 1),
		.old_limit = old_limit,
		.new_limit = d->limit,
		.reason = d->reason,
		.bound = d->bound,
		.applied = applied,
		.misses = d->misses,
		.hits = d->hits,
		.flushes = flushes,
		.pool = pool,
	};
}

void tick_fill_pool(struct ctl_proto_domain *out, const struct iosup_pool_stats *stats)
{
	int l;

	out->have_pool = stats->levels != 0;
	for (l = 0; l < CTL_PROTO_LEVELS; l++) {
		const struct iosup_pool_level *lv = &stats->level[l + 1];

		if (l + 1 > IOSUP_LEVEL_MAX || !has_level(stats, l + 1)) {
			memset(&out->level[l], 0, sizeof(out->level[l]));
			continue;
		}
		out->level[l] = (struct ctl_proto_level){
			.limit = lv->limit,
			.pool = lv->pool,
			.hits = lv->hits,
			.misses = lv->misses,
			.have_in_use = (lv->have & IOSUP_POOL_HAVE(IOSUP_A_IN_USE)) != 0,
			.in_use = lv->in_use,
			.lease_left = lv->lease,
		};
	}
}

void tick_fill_xen(struct ctl_proto_domain *out, const struct iosup_xen_counters *now,
		   const struct iosup_xen_counters *prev, uint64_t elapsed_ms)
{
	out->have_xen = true;
	out->xen = *now;
	out->have_flush_rate = false;
	out->flush_rate = 0;
	if (!prev || !elapsed_ms || now->iotlb_psi < prev->iotlb_psi)
		return;
	out->have_flush_rate = true;
	out->flush_rate = (double)(now->iotlb_psi - prev->iotlb_psi) * 1000.0 /
			  (double)elapsed_ms;
	if (out->flush_rate > CTL_PROTO_FLUSH_RATE_MAX) {
		/* A counter that jumped that far is broken: say nothing. */
		out->have_flush_rate = false;
		out->flush_rate = 0;
	}
}

/* Appends @what to @reason, "; " between. */
static void add_reason(char *reason, size_t len, const char *what)
{
	size_t used = strlen(reason);

	if (used + 1 >= len)
		return;
	snprintf(reason + used, len - used, "%s%s", used ? "; " : "", what);
}

enum ctl_proto_state tick_state(const struct tick_health *h, char *reason, size_t len)
{
	enum ctl_proto_state state = CTL_PROTO_RUNNING;

	if (len)
		reason[0] = '\0';
	if (h->paused) {
		state = CTL_PROTO_PAUSED;
		add_reason(reason, len, "paused by an operator");
	}
	if (h->no_counters) {
		if (state == CTL_PROTO_RUNNING)
			state = CTL_PROTO_OBSERVE_ONLY;
		add_reason(reason, len, "hypervisor without the counters");
	}
	if (h->observe_flag) {
		if (state == CTL_PROTO_RUNNING)
			state = CTL_PROTO_OBSERVE_ONLY;
		add_reason(reason, len, "observing only (--observe)");
	}
	if (h->pool_missing)
		add_reason(reason, len, "pool unavailable");
	if (h->store_missing)
		add_reason(reason, len, "xenstore unavailable, config policy only");
	return state;
}

int tick_status_line(char *buf, size_t len, const struct ctl_proto_status *status)
{
	return snprintf(buf, len, "%s%s%s%s: %" PRIu32 " domain%s, pools %" PRIu64
			" of %" PRIu64 " pages",
			ctl_proto_state_name(status->state),
			status->reason[0] ? " (" : "", status->reason,
			status->reason[0] ? ")" : "", status->domains,
			status->domains == 1 ? "" : "s",
			status->memory_used / TICK_PAGE_SIZE,
			status->memory_cap / TICK_PAGE_SIZE);
}
