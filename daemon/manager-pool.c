// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupd's manager, its pool part (see manager-internal.h): dom0's pools
 * in the iosup module, opened again while the module is missing, re-read
 * on its events, and the lease under which the limits iosupd sets hold:
 * taken over from an earlier iosupd, renewed on its own timer, handed
 * back on the way out.
 */
#define _GNU_SOURCE

#include "manager-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/epoll.h>

#include "log.h"
#include "tick.h"

void manager_pool_close(struct manager *m)
{
	m->events_source = sd_event_source_disable_unref(m->events_source);
	iosup_pool_events_close(m->events);
	m->events = NULL;
	iosup_pool_close(m->pool);
	m->pool = NULL;
	m->have_stats = false;
	m->lease_held = false;
	m->lease_written = false;
}

static void pool_failed(struct manager *m, const char *what, int r)
{
	if (r != m->pool_error) {
		if (r == -ENOENT)
			log_warning("pool unavailable: the iosup module is not loaded; trying again each period");
		else
			log_warning("pool: %s: %s (%s)", what, iosup_pool_strerror(r),
				    m->pool ? iosup_pool_last_error(m->pool) : "");
	}
	m->pool_error = r;
	if (r == -ENOENT) {
		manager_pool_close(m);
		manager_want_reconnect(m);
	}
}

void manager_restart_controller(struct manager *m)
{
	ssize_t i = manager_find_domain(m, DOM0);

	if (i >= 0)
		m->doms[i].state.seeded = false;
}

static void on_pool_event(const struct iosup_pool_event *ev, const char *problem,
			  void *data)
{
	struct manager *m = data;
	ssize_t i = manager_find_domain(m, DOM0);

	if (!ev) {
		log_debug("pool: %s", problem);
		return;
	}
	switch (ev->kind) {
	case IOSUP_EVENT_LEASE_EXPIRED:
		/* Late periods, most likely: start over from the defaults. */
		log_info("pool: the lease ran out, the module went back to its defaults");
		m->lease_held = false;
		manager_restart_controller(m);
		break;
	case IOSUP_EVENT_SHRUNK:
		log_info("pool: memory pressure took tables from L%u (%" PRIu64 " left)",
			 ev->level, ev->state.pool);
		break;
	case IOSUP_EVENT_LIMIT:
		/* Ours come back too; only someone else's is news. */
		if (i >= 0 && ev->level >= 1 && ev->level <= CTL_LEVELS &&
		    m->doms[i].state.seeded &&
		    ev->state.limit != m->doms[i].state.level[ev->level - 1].limit)
			log_info("pool: L%u limit set to %" PRIu32 " by someone else; leaving it alone for a while",
				 ev->level, ev->state.limit);
		break;
	default:
		log_debug("pool: event %s", iosup_pool_event_name(ev->kind) ?
			  iosup_pool_event_name(ev->kind) : "unknown");
	}
}

int manager_pool_read(struct manager *m)
{
	int r = iosup_pool_read(m->pool, &m->stats);

	if (r) {
		m->have_stats = false;
		pool_failed(m, "reading the pools", r);
		return r;
	}
	m->have_stats = true;
	/* The limits just read include every write that went out. */
	m->lease_written = false;
	return 0;
}

void manager_refresh_dom0_view(struct manager *m)
{
	ssize_t i = manager_find_domain(m, DOM0);

	if (i < 0)
		return;
	if (m->have_stats)
		tick_fill_pool(&m->views[i], &m->stats);
	else
		m->views[i].have_pool = false;
}

static int on_events_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct manager *m = data;
	int r;

	(void)s, (void)fd, (void)revents;
	r = iosup_pool_events_read(m->events, on_pool_event, m);
	if (r && r != -ENOBUFS) {
		log_warning("pool events: %s; reading the pools each period only",
			    iosup_pool_strerror(r));
		m->events_source = sd_event_source_disable_unref(m->events_source);
		iosup_pool_events_close(m->events);
		m->events = NULL;
	}
	/* Every event, and every loss of some, is a reason to re-read. */
	if (m->pool && !manager_pool_read(m))
		manager_refresh_dom0_view(m);
	return 0;
}

void manager_pool_open(struct manager *m)
{
	int r;

	if (m->pool)
		return;
	r = iosup_pool_open(&m->pool);
	if (r) {
		m->pool = NULL;
		pool_failed(m, "opening the module's family", r);
		return;
	}
	if (m->pool_error)
		log_info("pool: the iosup module is there");
	m->pool_error = 0;
	/* The events only hasten a re-read: without them, every period reads. */
	r = iosup_pool_events_open(&m->events);
	if (!r)
		r = sd_event_add_io(m->event, &m->events_source,
				    iosup_pool_events_fd(m->events), EPOLLIN,
				    on_events_io, m);
	if (r) {
		log_warning("pool events: %s; reading the pools each period only",
			    iosup_pool_strerror(r));
		iosup_pool_events_close(m->events);
		m->events = NULL;
	}
	m->lease_unknown = true;
	/* A new module (or a reloaded one) has counters of its own. */
	manager_restart_controller(m);
}

/*
 * A lease running when iosupd opens the pool is an earlier iosupd's (one
 * killed, or restarted by systemd after a crash): take it over, so that
 * its limits, which the controller seeds from, do not run out to the
 * defaults under the new one.
 */
void manager_adopt_lease(struct manager *m)
{
	const struct iosup_pool_level *l1 = &m->stats.level[IOSUP_LEVEL_PTE];

	if (!m->lease_unknown || !m->have_stats)
		return;
	m->lease_unknown = false;
	if (m->lease_held || !(l1->have & IOSUP_POOL_HAVE(IOSUP_A_LEASE)) || !l1->lease) {
		log_debug("pool: no lease to take over (L1 limit %" PRIu32 ", lease %" PRIu32 " s)",
			  l1->limit, l1->lease);
		return;
	}
	log_info("pool: a lease is running (%" PRIu32 " s left), an earlier iosupd's; taking it over",
		 l1->lease);
	m->lease_held = true;
}

/*
 * Renews the lease. A lease that ended under iosupd (an operator set
 * limits for good, or it ran out) is not taken back: the operator's
 * values stay.
 */
static void renew_lease(struct manager *m)
{
	const struct iosup_pool_level *l1 = &m->stats.level[IOSUP_LEVEL_PTE];
	int r;

	if (!m->lease_held || !m->have_stats)
		return;
	if ((l1->have & IOSUP_POOL_HAVE(IOSUP_A_LEASE)) && !l1->lease) {
		log_info("pool: the lease ended without iosupd; the limits set stay as they are");
		m->lease_held = false;
		return;
	}
	/* A SET with a lease renews it; L1's limit as just read changes nothing. */
	r = iosup_pool_set_limit(m->pool, IOSUP_LEVEL_PTE, l1->limit,
				 manager_lease_seconds(m->config.period_ms));
	if (r)
		log_warning("pool: renewing the lease failed: %s (%s)", iosup_pool_strerror(r),
			    iosup_pool_last_error(m->pool));
}

/*
 * Once a period, as the lease is counted in periods. A leased write since
 * the last read renewed it already, and the limits read before it are
 * stale: that write's own renewal stands.
 */
int manager_on_lease_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct manager *m = data;

	(void)usec;
	if (m->pool && !m->lease_written)
		renew_lease(m);
	return manager_rearm(m, s, (uint64_t)m->config.period_ms * 1000, "the lease's renewal");
}

/*
 * Hands the pools back: every level iosupd held under its lease goes to
 * the module's default limit, set for good, which also ends the lease.
 * The module has no "end the lease now": a SET without a lease makes its
 * values permanent, so the values must be the defaults themselves.
 */
void manager_hand_back_pools(struct manager *m)
{
	char line[512] = "";
	size_t used = 0;
	unsigned int level;
	ssize_t i;
	int r;

	if (!m->pool || !m->lease_held || manager_pool_read(m))
		return;
	for (level = IOSUP_LEVEL_PTE; level <= IOSUP_LEVEL_MAX; level++) {
		const struct iosup_pool_level *lv = &m->stats.level[level];

		if (!(m->stats.levels & (1u << level)) ||
		    !(lv->have & IOSUP_POOL_HAVE(IOSUP_A_DEFAULT_LIMIT)))
			continue;
		r = iosup_pool_set_limit(m->pool, level, lv->default_limit, 0);
		if (r) {
			log_warning("pool: handing L%u back failed: %s (%s); its lease will run out",
				    level, iosup_pool_strerror(r), iosup_pool_last_error(m->pool));
			continue;
		}
		if (used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "%sL%u %" PRIu32 " -> %" PRIu32, used ? ", " : "",
						 level, lv->limit, lv->default_limit);
	}
	/* A free ratio that memory pressure pinned goes back to what it was. */
	i = manager_find_domain(m, DOM0);
	for (level = IOSUP_LEVEL_PTE; i >= 0 && level <= IOSUP_LEVEL_MAX; level++) {
		uint32_t base;

		if (level > CTL_LEVELS ||
		    !ctl_ratio_pinned(&m->doms[i].state, (int)level - 1, &base))
			continue;
		r = iosup_pool_set_ratio(m->pool, level, base, 0);
		if (r) {
			log_warning("pool: handing L%u's free ratio back failed: %s (%s); its lease will run out",
				    level, iosup_pool_strerror(r), iosup_pool_last_error(m->pool));
			continue;
		}
		if (used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "%sL%u free ratio %" PRIu32 "%% -> %" PRIu32 "%%",
						 used ? ", " : "", level,
						 m->stats.level[level].free_ratio, base);
	}
	if (used)
		log_notice("handing the pools back to the module's defaults: %s", line);
	m->lease_held = false;
}
