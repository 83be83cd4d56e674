// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupd's manager, the control period (see manager-internal.h): read
 * Xen's counters, the pools and the domUs' reports, decide each domain's
 * limits with the controller under the one memory budget, and apply them
 * (or say what would have been done).
 */
#define _GNU_SOURCE

#include "manager-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "meminfo.h"
#include "tick.h"

/* Reads every domain's counters; the list of ids it saw in @ids. */
static int read_xen(struct manager *m, struct iosup_xen_counters **counters,
		    size_t *count)
{
	int r;

	*counters = NULL;
	*count = 0;
	if (m->no_counters)
		return 0;
	r = iosup_xen_read_all(m->xen, counters, count);
	if (r == -EOPNOTSUPP) {
		log_warning("%s: observe-only", iosup_xen_strerror(r));
		m->no_counters = true;
		return 0;
	}
	if (r) {
		if (r != m->xen_error)
			log_warning("reading Xen's counters: %s", iosup_xen_strerror(r));
		m->xen_error = r;
		return r;
	}
	m->xen_error = 0;
	return 0;
}

static void update_xen_views(struct manager *m, const struct iosup_xen_counters *c,
			     size_t n, uint64_t mono_ms)
{
	size_t k;

	for (k = 0; k < n; k++) {
		ssize_t i = manager_find_domain(m, c[k].domid);
		struct managed_domain *d;

		if (i < 0)
			continue;
		d = &m->doms[i];
		tick_fill_xen(&m->views[i], &c[k], d->have_prev_xen ? &d->prev_xen : NULL,
			      mono_ms - d->prev_xen_ms);
		m->views[i].xen.domid = c[k].domid;
		d->prev_xen = c[k];
		d->prev_xen_ms = mono_ms;
		d->have_prev_xen = true;
	}
}

/* Whether iosupd may change anything for a domain in @mode now. */
static bool may_apply(const struct manager *m, enum iosup_mode mode)
{
	return mode == IOSUP_MODE_ENFORCE && !m->observe_flag && !m->no_counters &&
	       !m->paused;
}

/* Counts an action on level @l of @d for the metrics. */
static void count_decision(struct managed_domain *d, int l, enum ctl_reason reason)
{
	if ((unsigned int)reason < METRICS_REASONS)
		d->decisions[l][reason]++;
}

/* Sets level @l (0-based) of domain @i's pools to @limit: 0, or -errno said. */
typedef int (*apply_fn)(struct manager *m, size_t i, int l, uint32_t old, uint32_t limit);

/* The page tables the last sample saw in dom0, for the ratio's log line. */
static uint64_t sampled_page_tables(const struct ctl_sample *sample)
{
	return sample->have_memory ? sample->page_tables : 0;
}

/*
 * One domain's period, dom0's and a domU's alike: decide from @sample,
 * apply the limits through @apply and the free ratios through
 * @apply_ratio (NULL: the domain takes none, and the controller forgets
 * it asked), or say what would have been done, one NOTICE line per
 * action, and the decisions in the domain's ring for "explain". What the
 * decision grows comes out of *@budget, which the next domain decides on.
 * Returns whether a write went out.
 */
static bool control_domain(struct manager *m, size_t i, const struct ctl_sample *sample,
			   uint64_t *budget, apply_fn apply, apply_fn apply_ratio)
{
	struct managed_domain *d = &m->doms[i];
	uint32_t domid = m->views[i].domid;
	struct ctl_policy policy = {
		.min_pages = d->effective.min_pages,
		.max_pages = d->effective.max_pages,
		.target_flush_rate = d->effective.target_flush_rate,
		.free_floor_percent = m->config.free_floor_percent,
	};
	bool may = may_apply(m, d->effective.mode), any = false;
	struct ctl_decision dec;
	uint64_t wall = manager_now_ms(CLOCK_REALTIME), grown = 0;
	char line[512];
	int l;

	if (d->effective.mode == IOSUP_MODE_OFF || m->paused) {
		/* Not decided: the controller starts over when it is again. */
		d->state.seeded = false;
		return false;
	}
	ctl_decide(&policy, &d->state, sample, *budget, &dec);
	for (l = 0; l < CTL_LEVELS; l++) {
		const struct ctl_level_decision *ld = &dec.level[l];
		uint32_t old = sample->level[l].limit, old_ratio = sample->level[l].ratio;
		bool applied = false, ratio_applied = false;
		struct ctl_proto_record rec;

		log_debug("dom%" PRIu32 " L%d: misses %" PRIu64 ", hits %" PRIu64 ", shrunk %" PRIu64
			  ", pool %" PRIu64 ", limit %" PRIu32 ", ratio %" PRIu32 ", demand %" PRIu32
			  ", flushes %.1f/s, maps %.1f/s: %s",
			  domid, l + 1, ld->misses, ld->hits, ld->shrunk, sample->level[l].pool, old,
			  old_ratio, ld->demand, dec.flush_rate, dec.map_rate,
			  ctl_reason_name(ld->reason));
		if (ld->reason == CTL_OPERATOR)
			log_info("dom%" PRIu32 ": L%d limit is %" PRIu32 ", set by someone else; adopted, no change for a while",
				 domid, l + 1, old);
		if (ld->ratio_reason == CTL_OPERATOR)
			log_info("dom%" PRIu32 ": L%d free ratio is %" PRIu32 "%%, set by someone else; adopted, no change for a while",
				 domid, l + 1, old_ratio);
		if (ld->change && ld->limit > old)
			grown += ld->limit - old;
		if (ld->change && may)
			applied = !apply(m, i, l, old, ld->limit);
		if (ld->ratio_change && may && apply_ratio)
			ratio_applied = !apply_ratio(m, i, l, old_ratio, ld->ratio);
		any |= applied || ratio_applied;
		if (ld->change && !applied)
			tick_unapply(&d->state, sample, l);
		if (ld->ratio_change && !ratio_applied)
			tick_unapply_ratio(&d->state, sample, l);
		if (ld->change && (applied || !may)) {
			struct log_action_fields act = {
				.domid = domid, .level = l + 1, .old_value = old,
				.new_value = ld->limit, .bound = ctl_bound_name(ld->bound),
				.reason = ctl_reason_name(ld->reason), .applied = applied,
			};

			tick_format_action(line, sizeof(line), domid, l, &dec, old, applied,
					   policy.target_flush_rate, sample->level[l].pool);
			log_action(&act, line);
			count_decision(d, l, ld->reason);
		}
		if (ld->ratio_change && apply_ratio && (ratio_applied || !may)) {
			struct log_action_fields act = {
				.domid = domid, .level = l + 1, .ratio = true,
				.old_value = old_ratio, .new_value = ld->ratio,
				.bound = ctl_bound_name(CTL_BOUND_NONE),
				.reason = ctl_reason_name(ld->ratio_reason),
				.applied = ratio_applied,
			};

			tick_format_ratio(line, sizeof(line), domid, l, ld, old_ratio,
					  ratio_applied, sample->level[l].pool,
					  sampled_page_tables(sample));
			log_action(&act, line);
			count_decision(d, l, ld->ratio_reason);
		}
		if (tick_worth_recording(ld)) {
			tick_record(&rec, wall, l, ld, old, applied, dec.flushes,
				    sample->level[l].pool);
			ctl_proto_ring_push(&m->views[i].decisions, &rec);
		}
	}
	*budget = manager_budget_spend(*budget, grown);
	return any;
}

/* After a leased write to dom0's pools: said if it failed; else the lease is iosupd's. */
static int dom0_written(struct manager *m, int r, int l, const char *what, uint32_t old,
			uint32_t value)
{
	if (r) {
		log_warning("dom0: setting L%d %s %" PRIu32 " -> %" PRIu32 " failed: %s (%s)",
			    l + 1, what, old, value, iosup_pool_strerror(r),
			    iosup_pool_last_error(m->pool));
		return r;
	}
	m->lease_held = true;
	m->lease_written = true;
	return 0;
}

static int apply_dom0(struct manager *m, size_t i, int l, uint32_t old, uint32_t limit)
{
	(void)i;
	return dom0_written(m, iosup_pool_set_limit(m->pool, (unsigned int)l + 1, limit,
						    manager_lease_seconds(m->config.period_ms)),
			    l, "limit", old, limit);
}

static int apply_dom0_ratio(struct manager *m, size_t i, int l, uint32_t old, uint32_t ratio)
{
	(void)i;
	return dom0_written(m, iosup_pool_set_ratio(m->pool, (unsigned int)l + 1, ratio,
						    manager_lease_seconds(m->config.period_ms)),
			    l, "free ratio", old, ratio);
}

/*
 * dom0's period: decide from the pools, Xen's counters and dom0's
 * memory, then apply, or say what would have been done. Returns whether
 * a leased write went out (which renews the lease).
 */
static bool control_dom0(struct manager *m, size_t i, const struct iosup_xen_counters *xen,
			 uint64_t *budget)
{
	struct ctl_sample sample;
	struct tick_memory mem;
	int r;

	r = meminfo_read(MANAGER_MEMINFO_PATH, &mem);
	if (r && !m->meminfo_error)
		log_warning("reading %s: %s; deciding without dom0's free memory",
			    MANAGER_MEMINFO_PATH, strerror(-r));
	m->meminfo_error = r;
	tick_sample(&m->stats, xen, r ? NULL : &mem, manager_now_ms(CLOCK_MONOTONIC), &sample);
	return control_domain(m, i, &sample, budget, apply_dom0, apply_dom0_ratio);
}

/*
 * Reads every domU's report; the ones without a usable one are left
 * alone, and their controller starts over when they have one again.
 */
static void read_guests(struct manager *m)
{
	size_t i;
	int r;

	for (i = 0; i < m->n_doms; i++) {
		struct managed_domain *d = &m->doms[i];

		if (m->views[i].domid == DOM0)
			continue;
		if (manager_store_usable(m)) {
			r = guest_read(m->store, m->views[i].domid, &d->guest, &m->views[i],
				       manager_now_ms(CLOCK_MONOTONIC));
			if (r)
				manager_store_failed(m, "reading a domain's pool stats", r);
		} else {
			guest_forget(&d->guest, &m->views[i]);
		}
		if (!d->guest.usable)
			d->state.seeded = false;
	}
}

static int apply_guest(struct manager *m, size_t i, int l, uint32_t old, uint32_t limit)
{
	int r;

	if (!manager_store_usable(m))
		return -ENODEV;
	r = guest_set_target(m->store, m->views[i].domid, &m->doms[i].guest, l, old, limit,
			     manager_now_ms(CLOCK_MONOTONIC));
	/* A domain gone meanwhile is no outage; anything else but a refusal is. */
	if (r && r != -ESRCH && r != -EINVAL)
		manager_store_failed(m, "writing a domain's pool target", r);
	return r;
}

static int apply_guest_ratio(struct manager *m, size_t i, int l, uint32_t old, uint32_t ratio)
{
	int r;

	if (!manager_store_usable(m))
		return -ENODEV;
	r = guest_set_ratio(m->store, m->views[i].domid, &m->doms[i].guest, l, old, ratio,
			    manager_now_ms(CLOCK_MONOTONIC));
	if (r && r != -ESRCH && r != -EINVAL)
		manager_store_failed(m, "writing a domain's free ratio", r);
	return r;
}

/*
 * Writes again what was written for each domU, when its agent's lease
 * would otherwise come near its end: a domain whose report went bad keeps
 * the targets it had, and one that iosupd may not steer now (observe,
 * off, paused) has them run out, back to its module's defaults.
 */
static void renew_guests(struct manager *m)
{
	uint64_t now = manager_now_ms(CLOCK_MONOTONIC);
	size_t i;
	int r;

	for (i = 0; i < m->n_doms && manager_store_usable(m); i++) {
		struct guest *g = &m->doms[i].guest;

		if (m->views[i].domid == DOM0 || !(g->wrote_targets | g->wrote_ratios) ||
		    !may_apply(m, m->doms[i].effective.mode) ||
		    !manager_guest_renew_due(g->written_ms, now, m->config.guest_lease_s,
					     m->config.period_ms))
			continue;
		r = guest_renew(m->store, m->views[i].domid, g, now);
		if (r && r != -ESRCH && r != -EINVAL)
			manager_store_failed(m, "renewing a domain's pool targets", r);
	}
}

/*
 * A domU whose report claims more than its share of the memory budget:
 * counted at its share, grown no further, and said at most once a minute
 * (the domain writes its report as often as it likes).
 */
static void say_over_share(struct guest *g, uint32_t domid, uint64_t claimed, uint64_t share,
			   uint64_t now_ms)
{
	if (g->share_said && now_ms - g->share_said_ms < IOSUP_GUEST_WARN_MS &&
	    now_ms >= g->share_said_ms)
		return;
	g->share_said = true;
	g->share_said_ms = now_ms;
	log_warning("dom%" PRIu32 ": its agent reports pools allowed %" PRIu64 " pages, above its share of the memory budget (%" PRIu64 " pages); counted at its share and not grown, other domains keep theirs; at most one such warning a minute",
		    domid, claimed, share);
}

/*
 * A domU iosupd has written nothing for yet (new, restored from a save,
 * migrated in, or iosupd restarted) gets the limits its agent reports
 * written back as its targets before anything is decided. They renew the
 * agent's lease: else the limits a restored domain brought run out to its
 * module's defaults while the controller seeds, which it then takes for
 * someone else's setting and leaves alone for a minute, its pools emptied.
 * Not a claim above the domain's share of the memory budget (that is
 * never granted), and not in a mode that writes nothing.
 */
static void claim_guest(struct manager *m, size_t i, uint64_t claimed, uint64_t share)
{
	struct guest *g = &m->doms[i].guest;
	uint32_t domid = m->views[i].domid;
	int l;

	if (g->wrote_targets || !may_apply(m, m->doms[i].effective.mode) ||
	    (share && claimed > share))
		return;
	for (l = 0; l < CTL_LEVELS; l++)
		if (apply_guest(m, i, l, g->level[l].limit, g->level[l].limit))
			return;
	log_info("dom%" PRIu32 ": its agent's limits %" PRIu32 "/%" PRIu32 "/%" PRIu32 "/%" PRIu32
		 " taken as its targets, renewing its lease",
		 domid, g->level[0].limit, g->level[1].limit, g->level[2].limit, g->level[3].limit);
}

static void control_guests(struct manager *m, const struct iosup_xen_counters *counters,
			   size_t n_counters, uint64_t *budget, uint64_t share)
{
	struct ctl_sample sample;
	size_t i;

	for (i = 0; i < m->n_doms; i++) {
		struct managed_domain *d = &m->doms[i];
		uint64_t claimed, own, left, now = manager_now_ms(CLOCK_MONOTONIC);

		if (m->views[i].domid == DOM0 || !d->guest.usable)
			continue;
		/* Its growth comes out of the period's budget and out of its share. */
		claimed = guest_pages_allowed(&d->guest);
		if (share && claimed > share)
			say_over_share(&d->guest, m->views[i].domid, claimed, share, now);
		claim_guest(m, i, claimed, share);
		own = left = manager_guest_budget(*budget, claimed, share);
		guest_sample(&d->guest, manager_find_counters(counters, n_counters, m->views[i].domid),
			     now, &sample);
		(void)control_domain(m, i, &sample, &left, apply_guest, apply_guest_ratio);
		*budget = manager_budget_spend(*budget, own - left);
	}
	renew_guests(m);
}

/*
 * The global cap's room, every domain's pools counted, each domU's at
 * most at its share (*@share, in pages): the cap over dom0, if it has
 * pools, and the domUs whose reports are used. 0 (no growth this period)
 * if the claims cannot be gathered.
 */
static uint64_t global_budget(const struct manager *m, uint64_t *share)
{
	uint64_t *claimed, budget;
	size_t n = 0, i;

	*share = 0;
	claimed = calloc(m->n_doms ? m->n_doms : 1, sizeof(*claimed));
	if (!claimed) {
		log_error("out of memory sharing out the memory budget; no pool grows this period");
		return 0;
	}
	for (i = 0; i < m->n_doms; i++)
		if (m->views[i].domid != DOM0 && m->doms[i].guest.usable)
			claimed[n++] = guest_pages_allowed(&m->doms[i].guest);
	*share = manager_share_pages(m->config.memory_cap_mib, n + (m->have_stats ? 1 : 0));
	budget = manager_shared_budget(m->config.memory_cap_mib, m->have_stats ? &m->stats : NULL,
				       claimed, n, *share);
	free(claimed);
	return budget;
}

/* One control period. 0, or -errno if something failed that should not have. */
static int run_period(struct manager *m)
{
	struct iosup_xen_counters *counters = NULL;
	unsigned int *xen_ids = NULL;
	size_t n_counters = 0, n_ids = 0;
	uint64_t mono = manager_now_ms(CLOCK_MONOTONIC), budget, share;
	ssize_t i;
	int r, failed, xen_failed;

	failed = xen_failed = read_xen(m, &counters, &n_counters);
	if (m->pool && !manager_pool_read(m)) {
		m->pool_error = 0;
		manager_adopt_lease(m);
	}
	/* A pool that cannot be read, when the module is there, is a failure. */
	if (m->pool && !m->have_stats && !failed)
		failed = m->pool_error ? m->pool_error : -EIO;

	xen_ids = calloc(n_counters ? n_counters : 1, sizeof(*xen_ids));
	if (!xen_ids) {
		r = -ENOMEM;
		goto out;
	}
	n_ids = manager_xen_domids(counters, n_counters, xen_ids);
	/* A failed read lists no domain: keep the last list, lest they flap. */
	if (!xen_failed) {
		free(m->xen_domids);
		m->xen_domids = xen_ids;
		m->n_xen_domids = n_ids;
		xen_ids = NULL;
	}
	r = manager_sync_domains(m, m->xen_domids, m->n_xen_domids);
	if (r)
		goto out;
	update_xen_views(m, counters, n_counters, mono);

	manager_refresh_dom0_view(m);
	read_guests(m);
	/* Every domain's limits are under the one cap: dom0 decides first. */
	budget = global_budget(m, &share);
	i = manager_find_domain(m, DOM0);
	if (i >= 0 && m->have_stats)
		(void)control_dom0(m, (size_t)i, manager_find_counters(counters, n_counters, DOM0),
				       &budget);
	control_guests(m, counters, n_counters, &budget, share);
	r = failed;
out:
	manager_update_status(m);
	free(xen_ids);
	free(counters);
	return r;
}

/* Monotonic microseconds: a period takes milliseconds. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Domain @i as the metrics show it: the period's view, and dom0's pool read. */
static void fill_metrics_domain(const struct manager *m, size_t i, struct metrics_domain *out)
{
	const struct ctl_proto_domain *v = &m->views[i];
	const struct managed_domain *d = &m->doms[i];
	int l;

	*out = (struct metrics_domain){
		.domid = v->domid,
		.name = v->name,
		.have_xen = v->have_xen,
		.pt_unmaps = v->xen.pt_unmaps,
		.pt_maps = v->xen.pt_maps,
		.iotlb_psi = v->xen.iotlb_psi,
		.have_dev_iotlb = v->xen.have_dev_iotlb,
		.dev_iotlb = v->xen.dev_iotlb,
		.have_failed = v->xen.have_failed,
		.failed = v->xen.failed,
		.have_pool = v->have_pool,
	};
	for (l = 0; l < CTL_LEVELS && l < CTL_PROTO_LEVELS; l++) {
		struct metrics_level *ml = &out->level[l];

		*ml = (struct metrics_level){
			.pool = v->level[l].pool,
			.limit = v->level[l].limit,
			.hits = v->level[l].hits,
			.misses = v->level[l].misses,
		};
		memcpy(ml->decisions, d->decisions[l], sizeof(ml->decisions));
		if (v->domid == DOM0) {
			const struct iosup_pool_level *pl = &m->stats.level[l + 1];

			out->have_level[l] = m->have_stats && (m->stats.levels & (1u << (l + 1)));
			ml->have_ratio = true;
			ml->ratio = pl->free_ratio;
			ml->have_shrunk = (pl->have & IOSUP_POOL_HAVE(IOSUP_A_SHRUNK)) != 0;
			ml->shrunk = pl->shrunk;
		} else {
			/* An agent reports all four levels or is not heeded. */
			out->have_level[l] = d->guest.report == GUEST_REPORTING;
		}
	}
}

/*
 * The metrics file, once a period when metrics_dir is set. A failure is
 * said once (again when it changes, and when it clears) and is never
 * fatal: the file is for dashboards, the period is for the pools. A
 * missing directory (no node-exporter on this host) is said at info.
 */
static void write_metrics(struct manager *m, uint64_t duration_us)
{
	struct metrics_domain *doms = NULL;
	struct metrics_period p;
	char *text = NULL;
	size_t len = 0, i;
	int r;

	if (!*m->config.metrics_dir) {
		m->metrics_error = 0;
		return;
	}
	doms = calloc(m->n_doms ? m->n_doms : 1, sizeof(*doms));
	if (!doms) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < m->n_doms; i++)
		fill_metrics_domain(m, i, &doms[i]);
	p = (struct metrics_period){
		.periods = m->periods,
		.duration_us = duration_us,
		.domains = doms,
		.n_domains = m->n_doms,
	};
	r = metrics_render(&p, &text, &len);
	if (!r)
		r = metrics_write(m->config.metrics_dir, text, len);
out:
	if (r && r != m->metrics_error) {
		if (r == -ENOENT)
			log_info("metrics: %s does not exist; not writing " METRICS_FILE " until it does",
				 m->config.metrics_dir);
		else
			log_warning("metrics: writing %s/" METRICS_FILE ": %s; trying again each period",
				    m->config.metrics_dir, strerror(-r));
	} else if (!r && m->metrics_error) {
		log_info("metrics: writing %s/" METRICS_FILE " again", m->config.metrics_dir);
	}
	m->metrics_error = r;
	free(text);
	free(doms);
}

int manager_on_period_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct manager *m = data;
	uint64_t start_us = now_us();
	int r;

	(void)usec;
	r = run_period(m);
	m->periods++;
	write_metrics(m, now_us() - start_us);
	if (!m->ready) {
		sd_notify(0, "READY=1");
		m->ready = true;
	}
	(void)r;	/* said and shown in STATUS= by run_period() */
	return manager_rearm(m, s, (uint64_t)m->config.period_ms * 1000, "the control period");
}


/*
 * Type-change unmaps a second since a domain's last period that bring its
 * period forward: a few dozen processes a second, each costing about nine
 * flushes until its tables come from a pool. Under it, the period's own
 * pace serves.
 */
#define TRIPWIRE_RATE 200

/* Whether any managed domain's unmaps since its last period ran over its wire. */
static bool tripped(struct manager *m, const struct iosup_xen_counters *c, size_t n,
		    uint64_t mono_ms)
{
	size_t k;

	for (k = 0; k < n; k++) {
		ssize_t i = manager_find_domain(m, c[k].domid);
		const struct managed_domain *d;
		uint64_t elapsed, rate;

		if (i < 0)
			continue;
		d = &m->doms[i];
		if (!d->have_prev_xen || c[k].pt_unmaps < d->prev_xen.pt_unmaps ||
		    d->effective.mode == IOSUP_MODE_OFF)
			continue;
		elapsed = mono_ms - d->prev_xen_ms;
		if (elapsed < MANAGER_TRIPWIRE_MS)
			continue;
		/* A target allows flushes: only twice it is a burst. */
		rate = (uint64_t)d->effective.target_flush_rate * 2;
		if (rate < TRIPWIRE_RATE)
			rate = TRIPWIRE_RATE;
		if ((c[k].pt_unmaps - d->prev_xen.pt_unmaps) * 1000 > rate * elapsed)
			return true;
	}
	return false;
}

/*
 * Every MANAGER_TRIPWIRE_MS, Xen's counters alone (one hypercall): a
 * domain flushing over its wire has its period now rather than up to a
 * period later. A burst of processes that arrives within one period
 * otherwise pays for all of it before the pools can grow; the period's
 * pace stays the same for everything else.
 */
int manager_on_tripwire_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct manager *m = data;
	struct iosup_xen_counters *counters = NULL;
	size_t n = 0;

	(void)usec;
	if (m->xen && !m->no_counters && !m->paused && m->ready &&
	    !iosup_xen_read_all(m->xen, &counters, &n) &&
	    tripped(m, counters, n, manager_now_ms(CLOCK_MONOTONIC))) {
		log_debug("tripwire: a burst of flushes, the period now");
		(void)manager_rearm(m, m->period_timer, 0, "the control period");
	}
	free(counters);
	return manager_rearm(m, s, (uint64_t)MANAGER_TRIPWIRE_MS * 1000, "the tripwire");
}
