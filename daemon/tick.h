/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pure part of a control period: what iosupd's manager makes of the
 * pool statistics and Xen's counters before and after ctl_decide(), and
 * the lines it logs. No I/O and no clock (times come in as arguments), so
 * the unit tests drive it with hand-built structs.
 */
#ifndef IOSUP_TICK_H
#define IOSUP_TICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controller.h"
#include "ctl-proto.h"
#include "pool-msg.h"
#include "xen.h"

/* 4 KiB pages in a MiB: memory_cap_mib is counted in these. */
#define TICK_PAGES_PER_MIB 256u
#define TICK_PAGE_SIZE 4096u

/* The domain's memory, in 4 KiB pages, as the controller weighs it. */
struct tick_memory {
	uint64_t total;
	uint64_t available;
	uint64_t page_tables;
};

/*
 * The controller's sample, taken at @time_ms (monotonic), from one pool
 * dump, the domain's Xen counters (@xen NULL: the hypervisor has none) and
 * its memory (@mem NULL: unknown). Level l of the module is the sample's
 * [l - 1]; a level the dump lacks reads as empty.
 */
void tick_sample(const struct iosup_pool_stats *stats,
		 const struct iosup_xen_counters *xen,
		 const struct tick_memory *mem, uint64_t time_ms,
		 struct ctl_sample *out);

/* Xen's counters and the memory into a sample (the part domUs share). */
void tick_sample_domain(const struct iosup_xen_counters *xen,
			const struct tick_memory *mem, uint64_t time_ms,
			struct ctl_sample *out);

/* Pages every level's pool may hold (limits), and holds now. */
uint64_t tick_pages_allowed(const struct iosup_pool_stats *stats);
uint64_t tick_pages_held(const struct iosup_pool_stats *stats);
/* Of those held, the pages the module says it counts in PageTables. */
uint64_t tick_pages_in_pagetables(const struct iosup_pool_stats *stats);

/*
 * How many tables the pools may grow by in all without the pools' limits
 * passing @cap_mib. Counted in tables of the largest kind (a pgd pair is
 * two pages), so that no mix of growth the controller picks can pass it.
 */
uint64_t tick_budget(uint32_t cap_mib, const struct iosup_pool_stats *stats);

/*
 * tick_budget() with the other domains' pools under the cap too: their
 * limits allow @other_pages pages, in tables up to @other_table_pages
 * wide. @stats NULL: dom0's pools were not read.
 */
uint64_t tick_budget_all(uint32_t cap_mib, const struct iosup_pool_stats *stats,
			 uint64_t other_pages, uint64_t other_table_pages);

/*
 * A decision that was not applied (observe mode, or the write failed):
 * the controller's memory of level @l (0-based) goes back to the limit
 * the module has, so that the next period does not take the unchanged
 * limit for an operator's.
 */
void tick_unapply(struct ctl_state *state, const struct ctl_sample *sample, int l);

/* The same for a free ratio that was not applied. */
void tick_unapply_ratio(struct ctl_state *state, const struct ctl_sample *sample, int l);

/*
 * The one NOTICE line of a limit action on level @l (0-based) of @domid:
 *   "dom0: set L1 limit 0 -> 96 (grow, bound none): misses 48, hits 0,
 *    flushes 432 in 2.0 s (216.0/s, target 0/s), demand 48, pool 0"
 * or, not applied, "dom0: would set L1 limit ...". Returns what
 * snprintf() does.
 */
int tick_format_action(char *buf, size_t len, uint32_t domid, int l,
		       const struct ctl_decision *dec, uint32_t old_limit,
		       bool applied, uint32_t target, uint64_t pool);

/*
 * The NOTICE line of a free-ratio action:
 *   "dom0: set L1 free ratio 0% -> 4% (pressure): shrunk 120, pool 30,
 *    page tables 750"
 */
int tick_format_ratio(char *buf, size_t len, uint32_t domid, int l,
		      const struct ctl_level_decision *d, uint32_t old_ratio,
		      bool applied, uint64_t pool, uint64_t page_tables);

/* Whether a decision belongs in the "explain" ring: anything but a hold. */
bool tick_worth_recording(const struct ctl_level_decision *d);

/* The ring's record of a decision on level @l (0-based). */
void tick_record(struct ctl_proto_record *out, uint64_t time_ms, int l,
		 const struct ctl_level_decision *d, uint32_t old_limit,
		 bool applied, uint64_t flushes, uint64_t pool);

/* The pool levels of @out (have_pool and level[]) from a dump. */
void tick_fill_pool(struct ctl_proto_domain *out, const struct iosup_pool_stats *stats);

/*
 * Xen's counters into @out, and the flush rate over the @elapsed_ms since
 * @prev (NULL, a zero interval or a counter gone back: no rate).
 */
void tick_fill_xen(struct ctl_proto_domain *out, const struct iosup_xen_counters *now,
		   const struct iosup_xen_counters *prev, uint64_t elapsed_ms);

/* What is missing or overridden, for the status. */
struct tick_health {
	bool paused;		/* an operator paused iosupd */
	bool observe_flag;	/* --observe */
	bool no_counters;	/* the hypervisor lacks the iosup counters */
	bool pool_missing;	/* the module is not loaded */
	bool store_missing;	/* xenstore could not be opened */
};

/* The state, and in @reason why ("" when nothing is wrong). */
enum ctl_proto_state tick_state(const struct tick_health *h, char *reason, size_t len);

/*
 * The one-line STATUS= for systemd: "running: 2 domains, pools 150 of
 * 16384 pages" or "observe-only (hypervisor without the counters): ...".
 */
int tick_status_line(char *buf, size_t len, const struct ctl_proto_status *status);

#endif
