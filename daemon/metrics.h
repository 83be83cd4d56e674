/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The metrics file: what a control period saw and did, as Prometheus'
 * text exposition format (version 0.0.4, what node-exporter's textfile
 * collector reads), written each period as <metrics_dir>/iosup.prom.
 *
 * Two parts: metrics_render() makes the text from plain structs (pure, the
 * unit tests' golden files), metrics_write() puts it in place atomically
 * (a hidden temp file in the same directory, then rename), so that a
 * reader sees the last file or the new one, never half of one. No
 * timestamps (the collector refuses them) and no "# EOF" (OpenMetrics'
 * terminator, which the text format does not have).
 *
 * The series, each with domid="<id>" and domain="<name>" (the name "" when
 * xenstore gave none; it is guest-controlled, and escaped or replaced
 * here), per-level ones with level="1".."4" too:
 *   iosup_xen_type_change_unmaps_total      counter  from Xen, per domain
 *   iosup_xen_type_change_maps_total        counter
 *   iosup_xen_iotlb_page_invalidations_total counter
 *   iosup_pool_tables                       gauge    per level
 *   iosup_pool_limit_tables                 gauge
 *   iosup_pool_free_ratio                   gauge    0..1 (dom0 only)
 *   iosup_pool_hits_total                   counter
 *   iosup_pool_misses_total                 counter
 *   iosup_pool_shrunk_tables_total          counter  (when the module counts them)
 *   iosup_decisions_total                   counter  with reason="grow", ...
 * and iosupd's own, without labels:
 *   iosup_periods_total                     counter
 *   iosup_period_duration_seconds           gauge    the last period's
 * A series appears only when its value is known (a domain without Xen's
 * counters has no iosup_xen_*; a level not reported, none of its own).
 */
#ifndef IOSUP_METRICS_H
#define IOSUP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controller.h"

#define METRICS_FILE "iosup.prom"

/* Every enum ctl_reason, CTL_HOLD to CTL_RELEASE: a counter for each. */
#define METRICS_REASONS (CTL_RELEASE + 1)

/* One pool level of one domain, as the period last read it. */
struct metrics_level {
	uint64_t pool;		/* tables in the pool */
	uint32_t limit;		/* tables it may hold */
	uint64_t hits, misses;	/* cumulative */
	bool have_ratio;
	uint32_t ratio;		/* free ratio, percent */
	bool have_shrunk;
	uint64_t shrunk;	/* tables the kernel's shrinker took, cumulative */
	/* Actions taken on the level, by reason, since iosupd met the domain. */
	uint64_t decisions[METRICS_REASONS];
};

struct metrics_domain {
	uint32_t domid;
	const char *name;	/* "" or NULL: not known */
	bool have_xen;
	uint64_t pt_unmaps, pt_maps, iotlb_psi;	/* Xen's, cumulative */
	/* Xen's too, where the hypervisor counts them (have_xen and have_*). */
	bool have_dev_iotlb, have_failed;
	uint64_t dev_iotlb, failed;
	bool have_pool;
	bool have_level[CTL_LEVELS];
	struct metrics_level level[CTL_LEVELS];	/* [0] is level 1 */
};

struct metrics_period {
	uint64_t periods;	/* run since iosupd started, this one included */
	uint64_t duration_us;	/* the last period's */
	const struct metrics_domain *domains;
	size_t n_domains;
};

/*
 * The file's text for @p: a malloc'ed NUL-terminated string in *@out, its
 * length in *@len. 0 or -ENOMEM.
 */
int metrics_render(const struct metrics_period *p, char **out, size_t *len);

/*
 * Writes @len bytes of @text as @dir/iosup.prom, replacing the file at
 * once, mode 0644 whatever the umask (node-exporter reads it as another
 * user). @dir "" writes nothing: metrics are off. 0 or -errno; on error
 * no temp file is left behind and the old file, if any, stays.
 */
int metrics_write(const char *dir, const char *text, size_t len);

/*
 * Removes @dir/iosup.prom when iosupd stops, so that the collector stops
 * serving figures nobody updates (a query for absent() tells). @dir ""
 * does nothing, nor does a file that is not there. 0 or -errno.
 */
int metrics_remove(const char *dir);

/*
 * @in as a label value, quotes not included, into @out (@out_len bytes,
 * cut short rather than overrun): backslash, double quote and newline
 * escaped as the format says, anything else not printable ASCII as '?'.
 */
void metrics_escape_label(char *out, size_t out_len, const char *in);

#endif
