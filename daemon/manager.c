// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupd's manager (see manager.h): the event loop, the control period,
 * and the degraded modes, each said in the status:
 *   - the module not loaded: keep running, "pool unavailable", open it
 *     again every period;
 *   - the hypervisor without the counters: decide, apply nothing;
 *   - no xenstore: the config's policy alone, open it again every period;
 *   - a domU without an agent, or whose agent reports nonsense: listed,
 *     left alone.
 */
#define _GNU_SOURCE

#include "manager.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "controller.h"
#include "ctl-server.h"
#include "guests.h"
#include "log.h"
#include "meminfo.h"
#include "policy.h"
#include "pool.h"
#include "store.h"
#include "tick.h"

/*
 * The lease on the limits iosupd sets, in control periods: a period late
 * or two costs nothing, an iosupd restarted after a crash (systemd's
 * RestartSec, then its start, seconds on a loaded host) finds the lease
 * still running and takes it over, and a daemon gone for longer than this
 * stops holding the pools to limits sized for a workload it no longer
 * watches.
 */
#define LEASE_PERIODS 5
/* Never shorter than this, so that a short period still has slack. */
#define LEASE_MIN_S 2

/* Timer slack: a period a few milliseconds late changes no decision. */
#define PERIOD_ACCURACY_USEC (10 * 1000)

/* dom0's pools are the module's, in dom0's own kernel. */
#define DOM0 0u

/* Where dom0's free memory and page tables are read. */
#define MEMINFO_PATH "/proc/meminfo"

struct managed_domain {
	struct policy own;		/* /iosup/policy/<domid>, as last read */
	struct policy effective;	/* config, default and own, merged */
	bool have_prev_xen;
	struct iosup_xen_counters prev_xen;
	uint64_t prev_xen_ms;		/* monotonic, when prev_xen was read */
	struct ctl_state state;		/* the controller's memory */
	struct guest guest;		/* a domU's agent's report (not dom0's) */
};

struct manager {
	sd_event *event;
	sd_event_source *timer;
	char *config_path;
	struct iosup_config config;
	bool observe_flag;
	bool paused;

	struct iosup_xen *xen;
	bool no_counters;		/* the hypervisor lacks them: observe-only */
	int xen_error;			/* the last read's error, said once */

	struct iosup_pool_nl *pool;
	struct iosup_pool_events *events;
	sd_event_source *events_source;
	struct iosup_pool_stats stats;	/* the last read */
	bool have_stats;
	bool lease_held;		/* limits iosupd set are under its lease */
	bool lease_unknown;		/* pool just opened: a lease may be running */
	int pool_error;			/* the last open's or read's, said once */
	int meminfo_error;		/* the last read of dom0's memory, said once */

	struct iosup_store *store;
	sd_event_source *store_source;
	/*
	 * A call failed as if xenstore went away. Closed only once back in
	 * the event loop: the failing call may be inside the store's own
	 * dispatch, which must not have its store freed under it.
	 */
	bool store_lost;
	struct policy def;		/* /iosup/policy/default */
	unsigned int *store_domids;	/* /local/domain, as last listed */
	size_t n_store_domids;
	int store_error;

	struct ctl_server *ctl;
	sd_event_source *ctl_source;

	unsigned int *xen_domids;	/* the domains Xen's counters last gave */
	size_t n_xen_domids;

	/* Managed domains, by ascending domid; views[i] is doms[i]'s, for the snapshot. */
	struct managed_domain *doms;
	struct ctl_proto_domain *views;
	size_t n_doms;
	struct ctl_proto_snapshot snapshot;

	bool ready;
	bool watchdog;
};

static uint64_t now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t lease_seconds(const struct iosup_config *c)
{
	uint64_t s = ((uint64_t)c->period_ms * LEASE_PERIODS + 999) / 1000;

	if (s < LEASE_MIN_S)
		s = LEASE_MIN_S;
	return s > IOSUP_LEASE_MAX ? IOSUP_LEASE_MAX : (uint32_t)s;
}

static ssize_t find_domain(const struct manager *m, uint32_t domid)
{
	size_t i;

	for (i = 0; i < m->n_doms; i++)
		if (m->views[i].domid == domid)
			return (ssize_t)i;
	return -1;
}

/* ---- policy ---------------------------------------------------------- */

static void close_store(struct manager *m);

static bool store_usable(const struct manager *m)
{
	return m->store && !m->store_lost;
}

/* A store error that is not about a value means xenstore went away. */
static void store_failed(struct manager *m, const char *what, int r)
{
	if (!m->store_lost)
		log_warning("xenstore: %s: %s; using the config's policy until it is back",
			    what, iosup_store_strerror(r));
	m->store_lost = true;
}

static void merge_policy(struct manager *m, size_t i)
{
	struct policy base;
	char err[256];

	policy_from_config(&m->config, &base);
	if (policy_merge(&base, &m->def, &m->doms[i].own, &m->doms[i].effective,
			 err, sizeof(err)))
		log_warning("dom%" PRIu32 " policy: %s; using the default policy",
			    m->views[i].domid, err);
	m->views[i].mode = m->doms[i].effective.mode;
}

/* Re-reads one domain's own policy; idempotent, as watches want. */
static void read_domain_policy(struct manager *m, size_t i)
{
	char err[256] = "";
	int r;

	if (store_usable(m)) {
		r = iosup_store_read_policy(m->store, (int)m->views[i].domid,
					    &m->doms[i].own, err, sizeof(err));
		if (r == -EINVAL)
			log_warning("dom%" PRIu32 " policy: %s; that key falls back to the default",
				    m->views[i].domid, err);
		else if (r)
			store_failed(m, "reading a domain's policy", r);
	}
	merge_policy(m, i);
}

static void read_default_policy(struct manager *m)
{
	char err[256] = "";
	int r;

	if (!store_usable(m))
		return;
	r = iosup_store_read_policy(m->store, IOSUP_STORE_DEFAULT, &m->def, err,
				    sizeof(err));
	if (r == -EINVAL)
		log_warning("default policy: %s; that key falls back to the config", err);
	else if (r)
		store_failed(m, "reading the default policy", r);
}

static void read_all_policies(struct manager *m)
{
	size_t i;

	read_default_policy(m);
	for (i = 0; i < m->n_doms; i++)
		read_domain_policy(m, i);
}

/* ---- the domain table -------------------------------------------------- */

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * Makes the table hold exactly dom0, @xen_ids and the domains xenstore
 * listed, keeping what it knew of the ones it had; new ones get their
 * policy read.
 */
static int sync_domains(struct manager *m, const unsigned int *xen_ids, size_t n_xen)
{
	size_t n = 1 + n_xen + m->n_store_domids, n_ids = 0, i, j;
	struct managed_domain *doms = NULL;
	struct ctl_proto_domain *views = NULL;
	unsigned int *ids;
	int r = 0;

	ids = malloc(n * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	ids[n_ids++] = DOM0;
	for (i = 0; i < n_xen; i++)
		ids[n_ids++] = xen_ids[i];
	for (i = 0; i < m->n_store_domids; i++)
		ids[n_ids++] = m->store_domids[i];
	qsort(ids, n_ids, sizeof(*ids), cmp_uint);
	for (i = 0, j = 0; i < n_ids; i++)
		if (!j || ids[j - 1] != ids[i])
			ids[j++] = ids[i];
	n_ids = j < CTL_PROTO_DOMAINS_MAX ? j : CTL_PROTO_DOMAINS_MAX;

	doms = calloc(n_ids, sizeof(*doms));
	views = calloc(n_ids, sizeof(*views));
	if (!doms || !views) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_ids; i++) {
		ssize_t old = find_domain(m, ids[i]);

		if (old >= 0) {
			doms[i] = m->doms[old];
			views[i] = m->views[old];
			continue;
		}
		views[i].domid = ids[i];
		if (ids[i] == DOM0)
			ctl_proto_set_name(views[i].name, "Domain-0");
		log_info("dom%u: managed from now on", ids[i]);
	}
	for (i = 0; i < m->n_doms; i++)
		if (!bsearch(&m->views[i].domid, ids, n_ids, sizeof(*ids), cmp_uint))
			log_info("dom%" PRIu32 ": gone", m->views[i].domid);
	free(m->doms);
	free(m->views);
	m->doms = doms;
	m->views = views;
	m->n_doms = n_ids;
	doms = NULL;
	views = NULL;
	/* New domains' policy: read after the swap, which store errors may undo. */
	for (i = 0; i < m->n_doms; i++)
		if (!m->doms[i].effective.set[POLICY_MODE])
			read_domain_policy(m, i);
out:
	free(ids);
	free(doms);
	free(views);
	return r;
}

/* ---- xenstore ---------------------------------------------------------- */

static void on_policy_changed(int domid, void *data)
{
	struct manager *m = data;
	ssize_t i;

	if (domid == IOSUP_STORE_ALL) {
		read_all_policies(m);
		return;
	}
	if (domid == IOSUP_STORE_DEFAULT) {
		read_default_policy(m);
		for (i = 0; i < (ssize_t)m->n_doms; i++)
			merge_policy(m, (size_t)i);
		return;
	}
	/* A domain not managed yet has its policy read when it comes. */
	i = find_domain(m, (uint32_t)domid);
	if (i >= 0)
		read_domain_policy(m, (size_t)i);
}

static void list_store_domains(struct manager *m)
{
	unsigned int *ids = NULL;
	char err[256] = "";
	size_t n = 0;
	int r;

	if (!store_usable(m))
		return;
	r = iosup_store_list_domains(m->store, &ids, &n, err, sizeof(err));
	if (r) {
		store_failed(m, "listing the domains", r);
		return;
	}
	if (err[0])
		log_warning("xenstore: %s", err);
	free(m->store_domids);
	m->store_domids = ids;
	m->n_store_domids = n;
}

static void on_domains_changed(void *data)
{
	struct manager *m = data;

	list_store_domains(m);
	if (sync_domains(m, m->xen_domids, m->n_xen_domids))
		log_error("out of memory listing the domains");
}

static void on_store_problem(const char *what, void *data)
{
	(void)data;
	log_debug("xenstore: %s", what);
}

static int on_store_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	static const struct iosup_store_callbacks cb = {
		.policy_changed = on_policy_changed,
		.domains_changed = on_domains_changed,
		.problem = on_store_problem,
	};
	struct manager *m = data;
	int r;

	(void)s, (void)fd, (void)revents;
	r = iosup_store_dispatch(m->store, &cb, m);
	if (r)
		store_failed(m, "reading watch events", r);
	if (m->store_lost)
		close_store(m);
	return 0;
}

static void close_store(struct manager *m)
{
	m->store_source = sd_event_source_disable_unref(m->store_source);
	iosup_store_close(m->store);
	m->store = NULL;
	m->store_lost = false;
	/* Without xenstore the default layer is the config's alone. */
	memset(&m->def, 0, sizeof(m->def));
}

/* Opens xenstore and its watches, if it is not open; said once per outage. */
static void open_store(struct manager *m)
{
	int r;

	if (m->store_lost)
		close_store(m);
	if (m->store)
		return;
	r = iosup_store_open(&m->store);
	if (!r) {
		r = iosup_store_watch(m->store);
		if (!r)
			r = sd_event_add_io(m->event, &m->store_source,
					    iosup_store_fd(m->store), EPOLLIN,
					    on_store_io, m);
		if (r) {
			iosup_store_close(m->store);
			m->store = NULL;
		}
	}
	if (r) {
		if (r != m->store_error)
			log_warning("xenstore unavailable: %s; using the config's policy alone, trying again each period",
				    iosup_store_strerror(r));
		m->store_error = r;
		return;
	}
	if (m->store_error)
		log_info("xenstore is back");
	m->store_error = 0;
	/* The watches fire once at registration: they re-read the policy. */
	list_store_domains(m);
}

/* ---- the pool module ----------------------------------------------------- */

static void close_pool(struct manager *m)
{
	m->events_source = sd_event_source_disable_unref(m->events_source);
	iosup_pool_events_close(m->events);
	m->events = NULL;
	iosup_pool_close(m->pool);
	m->pool = NULL;
	m->have_stats = false;
	m->lease_held = false;
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
	if (r == -ENOENT)
		close_pool(m);
}

static void restart_controller(struct manager *m)
{
	ssize_t i = find_domain(m, DOM0);

	if (i >= 0)
		m->doms[i].state.seeded = false;
}

static void on_pool_event(const struct iosup_pool_event *ev, const char *problem,
			  void *data)
{
	struct manager *m = data;
	ssize_t i = find_domain(m, DOM0);

	if (!ev) {
		log_debug("pool: %s", problem);
		return;
	}
	switch (ev->kind) {
	case IOSUP_EVENT_LEASE_EXPIRED:
		/* Late periods, most likely: start over from the defaults. */
		log_info("pool: the lease ran out, the module went back to its defaults");
		m->lease_held = false;
		restart_controller(m);
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

/* Reads the pools into m->stats; 0, or -errno said once. */
static int read_pool(struct manager *m)
{
	int r = iosup_pool_read(m->pool, &m->stats);

	if (r) {
		m->have_stats = false;
		pool_failed(m, "reading the pools", r);
		return r;
	}
	m->have_stats = true;
	return 0;
}

static void refresh_dom0_view(struct manager *m)
{
	ssize_t i = find_domain(m, DOM0);

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
	if (m->pool && !read_pool(m))
		refresh_dom0_view(m);
	return 0;
}

static void open_pool(struct manager *m)
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
	restart_controller(m);
}

/*
 * A lease running when iosupd opens the pool is an earlier iosupd's (one
 * killed, or restarted by systemd after a crash): take it over, so that
 * its limits, which the controller seeds from, do not run out to the
 * defaults under the new one.
 */
static void adopt_lease(struct manager *m)
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
 * Hands the pools back: every level iosupd held under its lease goes to
 * the module's default limit, set for good, which also ends the lease.
 * The module has no "end the lease now": a SET without a lease makes its
 * values permanent, so the values must be the defaults themselves.
 */
static void hand_back_pools(struct manager *m)
{
	char line[512] = "";
	size_t used = 0;
	unsigned int level;
	ssize_t i;
	int r;

	if (!m->pool || !m->lease_held || read_pool(m))
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
	i = find_domain(m, DOM0);
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

/* ---- the control period ------------------------------------------------- */

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
		ssize_t i = find_domain(m, c[k].domid);
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
	};
	bool may = may_apply(m, d->effective.mode), any = false;
	struct ctl_decision dec;
	uint64_t wall = now_ms(CLOCK_REALTIME), grown = 0;
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
			tick_format_action(line, sizeof(line), domid, l, &dec, old, applied,
					   policy.target_flush_rate, sample->level[l].pool);
			log_notice("%s", line);
		}
		if (ld->ratio_change && apply_ratio && (ratio_applied || !may)) {
			tick_format_ratio(line, sizeof(line), domid, l, ld, old_ratio,
					  ratio_applied, sample->level[l].pool,
					  sampled_page_tables(sample));
			log_notice("%s", line);
		}
		if (tick_worth_recording(ld)) {
			tick_record(&rec, wall, l, ld, old, applied, dec.flushes,
				    sample->level[l].pool);
			ctl_proto_ring_push(&m->views[i].decisions, &rec);
		}
	}
	*budget = *budget > grown ? *budget - grown : 0;
	return any;
}

static int apply_dom0(struct manager *m, size_t i, int l, uint32_t old, uint32_t limit)
{
	int r;

	(void)i;
	r = iosup_pool_set_limit(m->pool, (unsigned int)l + 1, limit, lease_seconds(&m->config));
	if (r) {
		log_warning("dom0: setting L%d limit %" PRIu32 " -> %" PRIu32 " failed: %s (%s)",
			    l + 1, old, limit, iosup_pool_strerror(r),
			    iosup_pool_last_error(m->pool));
		return r;
	}
	m->lease_held = true;
	return 0;
}

static int apply_dom0_ratio(struct manager *m, size_t i, int l, uint32_t old, uint32_t ratio)
{
	int r;

	(void)i;
	r = iosup_pool_set_ratio(m->pool, (unsigned int)l + 1, ratio, lease_seconds(&m->config));
	if (r) {
		log_warning("dom0: setting L%d free ratio %" PRIu32 "%% -> %" PRIu32 "%% failed: %s (%s)",
			    l + 1, old, ratio, iosup_pool_strerror(r),
			    iosup_pool_last_error(m->pool));
		return r;
	}
	m->lease_held = true;
	return 0;
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

	r = meminfo_read(MEMINFO_PATH, &mem);
	if (r && !m->meminfo_error)
		log_warning("reading %s: %s; deciding without dom0's free memory",
			    MEMINFO_PATH, strerror(-r));
	m->meminfo_error = r;
	tick_sample(&m->stats, xen, r ? NULL : &mem, now_ms(CLOCK_MONOTONIC), &sample);
	return control_domain(m, i, &sample, budget, apply_dom0, apply_dom0_ratio);
}

/* ---- domUs --------------------------------------------------------------- */

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
		if (store_usable(m)) {
			r = guest_read(m->store, m->views[i].domid, &d->guest, &m->views[i]);
			if (r)
				store_failed(m, "reading a domain's pool stats", r);
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

	if (!store_usable(m))
		return -ENODEV;
	r = guest_set_target(m->store, m->views[i].domid, &m->doms[i].guest, l, old, limit);
	/* A domain gone meanwhile is no outage; anything else but a refusal is. */
	if (r && r != -ESRCH && r != -EINVAL)
		store_failed(m, "writing a domain's pool target", r);
	return r;
}

static const struct iosup_xen_counters *find_counters(const struct iosup_xen_counters *c,
						      size_t n, uint32_t domid)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (c[k].domid == domid)
			return &c[k];
	return NULL;
}

static void control_guests(struct manager *m, const struct iosup_xen_counters *counters,
			   size_t n_counters, uint64_t *budget)
{
	struct ctl_sample sample;
	size_t i;

	for (i = 0; i < m->n_doms; i++) {
		struct managed_domain *d = &m->doms[i];

		if (m->views[i].domid == DOM0 || !d->guest.usable)
			continue;
		guest_sample(&d->guest, find_counters(counters, n_counters, m->views[i].domid),
			     now_ms(CLOCK_MONOTONIC), &sample);
		/* The agent's xenstore nodes carry no free ratio yet. */
		(void)control_domain(m, i, &sample, budget, apply_guest, NULL);
	}
}

/* The global cap's room, every domain's pools counted. */
static uint64_t global_budget(const struct manager *m)
{
	uint64_t guests = 0;
	size_t i;

	for (i = 0; i < m->n_doms; i++)
		if (m->views[i].domid != DOM0)
			guests += guest_pages_allowed(&m->doms[i].guest);
	return tick_budget_all(m->config.memory_cap_mib, m->have_stats ? &m->stats : NULL,
			       guests, guests ? GUEST_TABLE_PAGES_MAX : 1);
}

/*
 * Renews the lease when no write did this period. A lease that ended
 * under iosupd (an operator set limits for good, or it ran out) is not
 * taken back: the operator's values stay.
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
	r = iosup_pool_set_limit(m->pool, IOSUP_LEVEL_PTE, l1->limit, lease_seconds(&m->config));
	if (r)
		log_warning("pool: renewing the lease failed: %s (%s)", iosup_pool_strerror(r),
			    iosup_pool_last_error(m->pool));
}

static void update_status(struct manager *m)
{
	struct tick_health h = {
		.paused = m->paused,
		.observe_flag = m->observe_flag,
		.no_counters = m->no_counters,
		.pool_missing = !m->pool,
		.store_missing = !m->store,
	};
	struct ctl_proto_status *s = &m->snapshot.status;
	char line[512];

	s->state = tick_state(&h, s->reason, sizeof(s->reason));
	s->period_ms = m->config.period_ms;
	s->memory_cap = (uint64_t)m->config.memory_cap_mib << 20;
	s->memory_used = m->have_stats ? tick_pages_held(&m->stats) * TICK_PAGE_SIZE : 0;
	s->domains = (uint32_t)m->n_doms;
	m->snapshot.domains = m->views;
	m->snapshot.n_domains = m->n_doms;
	tick_status_line(line, sizeof(line), s);
	sd_notifyf(0, "STATUS=%s", line);
}

/* One control period. 0, or -errno if something failed that should not have. */
static int run_period(struct manager *m)
{
	struct iosup_xen_counters *counters = NULL;
	unsigned int *xen_ids = NULL;
	size_t n_counters = 0, n_ids = 0, k;
	uint64_t mono = now_ms(CLOCK_MONOTONIC), budget;
	bool renewed = false;
	ssize_t i;
	int r, failed, xen_failed;

	failed = xen_failed = read_xen(m, &counters, &n_counters);
	open_store(m);
	open_pool(m);
	if (m->pool && !read_pool(m)) {
		m->pool_error = 0;
		adopt_lease(m);
	}
	/* A pool that cannot be read, when the module is there, is a failure. */
	if (m->pool && !m->have_stats && !failed)
		failed = m->pool_error ? m->pool_error : -EIO;

	xen_ids = calloc(n_counters ? n_counters : 1, sizeof(*xen_ids));
	if (!xen_ids) {
		r = -ENOMEM;
		goto out;
	}
	for (k = 0; k < n_counters; k++)
		if (counters[k].domid < IOSUP_DOMID_FIRST_RESERVED)
			xen_ids[n_ids++] = counters[k].domid;
	/* A failed read lists no domain: keep the last list, lest they flap. */
	if (!xen_failed) {
		free(m->xen_domids);
		m->xen_domids = xen_ids;
		m->n_xen_domids = n_ids;
		xen_ids = NULL;
	}
	r = sync_domains(m, m->xen_domids, m->n_xen_domids);
	if (r)
		goto out;
	update_xen_views(m, counters, n_counters, mono);

	refresh_dom0_view(m);
	read_guests(m);
	/* Every domain's limits are under the one cap: dom0 decides first. */
	budget = global_budget(m);
	i = find_domain(m, DOM0);
	if (i >= 0 && m->have_stats)
		renewed = control_dom0(m, (size_t)i, find_counters(counters, n_counters, DOM0),
				       &budget);
	control_guests(m, counters, n_counters, &budget);
	if (m->have_stats && !renewed)
		renew_lease(m);
	r = failed;
out:
	update_status(m);
	free(xen_ids);
	free(counters);
	return r;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct manager *m = data;
	int r;

	(void)usec;
	r = run_period(m);
	if (!m->ready) {
		sd_notify(0, "READY=1");
		m->ready = true;
	}
	/* The watchdog hears from a period that did its work, and only then. */
	if (!r && m->watchdog)
		sd_notify(0, "WATCHDOG=1");
	r = sd_event_source_set_time_relative(s, (uint64_t)m->config.period_ms * 1000);
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (r < 0) {
		log_error("re-arming the control period: %s", strerror(-r));
		return sd_event_exit(m->event, r);
	}
	return 0;
}

/* ---- reload, pause, resume, the control socket -------------------------- */

static int reload(struct manager *m, char *err, size_t err_len)
{
	struct iosup_config c;
	size_t i;
	int r;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		   now_ms(CLOCK_MONOTONIC) * 1000);
	config_defaults(&c);
	r = config_load(m->config_path, &c, err, err_len);
	if (r) {
		log_error("reload: %s; keeping the running configuration", err);
	} else {
		m->config = c;
		log_info("reload: %s read; period %" PRIu32 " ms", m->config_path,
			 c.period_ms);
	}
	/* The policy is re-read even if the file was bad: that is what was asked. */
	read_default_policy(m);
	for (i = 0; i < m->n_doms; i++)
		read_domain_policy(m, i);
	update_status(m);
	sd_notify(0, "READY=1");
	return r;
}

static const struct ctl_proto_snapshot *ctl_snapshot(void *data)
{
	struct manager *m = data;

	return &m->snapshot;
}

static int ctl_reload(void *data, char *err, size_t err_len)
{
	return reload(data, err, err_len);
}

static int ctl_pause(void *data, char *err, size_t err_len)
{
	struct manager *m = data;

	(void)err, (void)err_len;
	if (!m->paused)
		log_notice("paused by an operator: sampling goes on, nothing is changed");
	m->paused = true;
	update_status(m);
	return 0;
}

static int ctl_resume(void *data, char *err, size_t err_len)
{
	struct manager *m = data;

	(void)err, (void)err_len;
	if (m->paused) {
		log_notice("resumed by an operator");
		/* What the pools did while paused is no reason to act on. */
		restart_controller(m);
	}
	m->paused = false;
	update_status(m);
	return 0;
}

static void ctl_refused(void *data, pid_t pid, uid_t uid, gid_t gid)
{
	(void)data;
	log_warning("control socket: refused pid %ld (uid %ld, gid %ld)",
		    (long)pid, (long)uid, (long)gid);
}

static int on_ctl_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct manager *m = data;
	int r;

	(void)s, (void)fd, (void)revents;
	r = ctl_server_dispatch(m->ctl);
	if (r) {
		log_error("control socket: %s", strerror(-r));
		return sd_event_exit(m->event, r);
	}
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *data)
{
	char err[256];

	(void)s, (void)si;
	log_info("SIGHUP: reloading");
	(void)reload(data, err, sizeof(err));
	return 0;
}

static int on_stop_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *data)
{
	struct manager *m = data;

	(void)s;
	log_info("%s: stopping", si->ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
	return sd_event_exit(m->event, 0);
}

/* ---- life ---------------------------------------------------------------- */

/* The socket's directory, if missing (run by hand, outside the unit's RuntimeDirectory). */
static void make_socket_dir(const char *path)
{
	char *dir = strdup(path), *slash;

	if (!dir)
		return;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0755);
	}
	free(dir);
}

int manager_new(const struct manager_options *options, const struct iosup_config *config,
		struct iosup_xen *xen, struct manager **out)
{
	static const struct ctl_server_ops ops = {
		.snapshot = ctl_snapshot,
		.reload = ctl_reload,
		.pause = ctl_pause,
		.resume = ctl_resume,
		.refused = ctl_refused,
	};
	struct manager *m;
	uint64_t watchdog_usec = 0;
	sigset_t mask;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m) {
		iosup_xen_close(xen);
		return -ENOMEM;
	}
	m->xen = xen;
	m->config = *config;
	m->observe_flag = options->observe;
	m->config_path = strdup(options->config_path);
	if (!m->config_path) {
		r = -ENOMEM;
		goto fail;
	}
	r = sd_event_default(&m->event);
	if (r < 0) {
		log_error("event loop: %s", strerror(-r));
		goto fail;
	}
	/* sd-event takes signals through a signalfd: they must be blocked. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_add_signal(m->event, NULL, SIGTERM, on_stop_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, on_stop_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
	if (r < 0) {
		log_error("signals: %s", strerror(-r));
		goto fail;
	}

	make_socket_dir(options->socket_path);
	r = ctl_server_new(options->socket_path, (gid_t)-1, &ops, m, &m->ctl);
	if (r) {
		log_error("control socket %s: %s", options->socket_path, strerror(-r));
		goto fail;
	}
	r = sd_event_add_io(m->event, &m->ctl_source, ctl_server_fd(m->ctl), EPOLLIN,
			    on_ctl_io, m);
	if (r < 0) {
		log_error("control socket: %s", strerror(-r));
		goto fail;
	}

	/* The first period runs at once: READY=1 waits for it. */
	r = sd_event_add_time_relative(m->event, &m->timer, CLOCK_MONOTONIC, 0,
				       PERIOD_ACCURACY_USEC, on_timer, m);
	if (r < 0) {
		log_error("timer: %s", strerror(-r));
		goto fail;
	}
	if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
		m->watchdog = true;
		if (watchdog_usec < 2 * (uint64_t)m->config.period_ms * 1000)
			log_warning("the watchdog (%" PRIu64 " ms) is shorter than two control periods",
				    watchdog_usec / 1000);
	}
	r = sync_domains(m, NULL, 0);
	if (r)
		goto fail;
	update_status(m);
	*out = m;
	return 0;

fail:
	manager_free(m);
	return r;
}

int manager_run(struct manager *m)
{
	int r;

	log_info("started: period %" PRIu32 " ms, memory cap %" PRIu32 " MiB, mode %s%s",
		 m->config.period_ms, m->config.memory_cap_mib,
		 config_mode_name(m->config.mode), m->observe_flag ? " (--observe)" : "");
	r = sd_event_loop(m->event);
	sd_notify(0, "STOPPING=1");
	hand_back_pools(m);
	return r < 0 ? r : 0;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	m->timer = sd_event_source_disable_unref(m->timer);
	m->ctl_source = sd_event_source_disable_unref(m->ctl_source);
	ctl_server_free(m->ctl);
	close_store(m);
	close_pool(m);
	iosup_xen_close(m->xen);
	sd_event_unref(m->event);
	free(m->store_domids);
	free(m->xen_domids);
	free(m->doms);
	free(m->views);
	free(m->config_path);
	free(m);
}
