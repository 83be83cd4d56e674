// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupd's manager (see manager.h): the event loop, its timers and
 * signals, the status, and the control socket's operations. The rest is
 * in parts (manager-internal.h lists them). The degraded modes, each said
 * in the status:
 *   - the module not loaded: keep running, "pool unavailable", open it
 *     again every period;
 *   - the hypervisor without the counters: decide, apply nothing;
 *   - no xenstore: the config's policy alone, open it again every period;
 *   - a domU without an agent, or whose agent reports nonsense: listed,
 *     left alone.
 */
#define _GNU_SOURCE

#include "manager-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "tick.h"

uint64_t manager_now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int manager_rearm(struct manager *m, sd_event_source *s, uint64_t usec, const char *what)
{
	int r;

	r = sd_event_source_set_time_relative(s, usec);
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (r < 0) {
		log_error("re-arming %s: %s", what, strerror(-r));
		return sd_event_exit(m->event, r);
	}
	return 0;
}

/* ---- reconnects ---------------------------------------------------------- */

static bool something_missing(const struct manager *m)
{
	return !m->store || m->store_lost || !m->pool;
}

/*
 * Opens again what is missing (xenstore, the pool module), once a period
 * while something is: the messages say "trying again each period". Off
 * while everything is open.
 */
static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct manager *m = data;

	(void)usec;
	manager_store_open(m);
	manager_pool_open(m);
	/* A ONESHOT source is off while it runs: left so, it waits for a loss. */
	if (!something_missing(m))
		return 0;
	return manager_rearm(m, s, (uint64_t)m->config.period_ms * 1000, "the reconnects");
}

void manager_want_reconnect(struct manager *m)
{
	int enabled = SD_EVENT_OFF;

	if (!m->reconnect_timer ||
	    sd_event_source_get_enabled(m->reconnect_timer, &enabled) < 0 ||
	    enabled != SD_EVENT_OFF)
		return;
	(void)manager_rearm(m, m->reconnect_timer, (uint64_t)m->config.period_ms * 1000,
			    "the reconnects");
}

/* ---- the status ---------------------------------------------------------- */

void manager_update_status(struct manager *m)
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

/* ---- reload, pause, resume, the control socket -------------------------- */


/* Who the control socket lets in beside root, changed by a reload. */
static void set_control_group(struct manager *m, const struct iosup_config *c)
{
	int r = ctl_server_set_group(m->ctl, c->control_gid);

	if (c->control_gid == (gid_t)-1)
		log_info("reload: the control socket now lets in root alone");
	else
		log_info("reload: the control socket now lets in root and group %s (%u)",
			 c->control_group, (unsigned int)c->control_gid);
	if (r)
		log_error("reload: the control socket's mode: %s; the group check applies all the same",
			  strerror(-r));
}

/* The metrics file, when iosupd stops writing it; a failure is said. */
static void remove_metrics(const char *dir)
{
	int r = metrics_remove(dir);

	if (r)
		log_warning("metrics: removing %s/" METRICS_FILE ": %s", dir, strerror(-r));
}

static int reload(struct manager *m, char *err, size_t err_len)
{
	/* The config file's error is the one said; policy.d's is logged. */
	char dir_err[512];
	struct iosup_config c;
	size_t i;
	int r;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		   manager_now_ms(CLOCK_MONOTONIC) * 1000);
	config_defaults(&c);
	r = config_load(m->config_path, &c, err, err_len);
	if (r) {
		log_error("reload: %s; keeping the running configuration", err);
	} else {
		if (c.control_gid != m->config.control_gid)
			set_control_group(m, &c);
		/* The file in a directory no longer written would go stale. */
		if (strcmp(c.metrics_dir, m->config.metrics_dir))
			remove_metrics(m->config.metrics_dir);
		m->config = c;
		log_info("reload: %s read; period %" PRIu32 " ms", m->config_path,
			 c.period_ms);
	}
	/* The policy is re-read even if the file was bad: that is what was asked. */
	manager_read_default_policy(m);
	for (i = 0; i < m->n_doms; i++)
		manager_read_domain_policy(m, i);
	if (manager_load_policy_dir(m, r ? dir_err : err, r ? sizeof(dir_err) : err_len) && !r)
		r = -EINVAL;
	manager_update_status(m);
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
	manager_update_status(m);
	return 0;
}

static int ctl_resume(void *data, char *err, size_t err_len)
{
	struct manager *m = data;

	(void)err, (void)err_len;
	if (m->paused) {
		log_notice("resumed by an operator");
		/* What the pools did while paused is no reason to act on. */
		manager_restart_controller(m);
	}
	m->paused = false;
	manager_update_status(m);
	return 0;
}

/*
 * A client refused, said at most once a minute: with control_group set
 * anyone may connect, and the journal is not theirs to flood.
 */
static void ctl_refused(void *data, pid_t pid, uid_t uid, gid_t gid)
{
	struct manager *m = data;
	uint64_t now = manager_now_ms(CLOCK_MONOTONIC);

	if (m->refused_said_ms && now - m->refused_said_ms < MANAGER_REFUSED_SAY_MS) {
		m->refused_unsaid++;
		return;
	}
	log_warning("control socket: refused pid %ld (uid %ld, gid %ld); at most one such warning a minute (%" PRIu64 " not said since the last)",
		    (long)pid, (long)uid, (long)gid, m->refused_unsaid);
	m->refused_said_ms = now;
	m->refused_unsaid = 0;
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
	char policy_err[512];
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
	m->policy_dir_path = policy_dir_beside(options->config_path);
	if (!m->config_path || !m->policy_dir_path) {
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
	r = ctl_server_new(options->socket_path, m->config.control_gid, &ops, m, &m->ctl);
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

	/*
	 * The first reconnect and the first period run at once, the
	 * reconnect first so that the period finds xenstore and the pools
	 * open: READY=1 waits for the period. The lease is renewed from the
	 * second period on, the first having read the pools.
	 */
	r = sd_event_add_time_relative(m->event, &m->reconnect_timer, CLOCK_MONOTONIC, 0,
				       MANAGER_TIMER_ACCURACY_USEC, on_reconnect_timer, m);
	if (r >= 0)
		r = sd_event_source_set_priority(m->reconnect_timer, SD_EVENT_PRIORITY_IMPORTANT);
	if (r >= 0)
		r = sd_event_add_time_relative(m->event, &m->period_timer, CLOCK_MONOTONIC, 0,
					       MANAGER_TIMER_ACCURACY_USEC,
					       manager_on_period_timer, m);
	if (r >= 0)
		r = sd_event_add_time_relative(m->event, &m->lease_timer, CLOCK_MONOTONIC,
					       (uint64_t)m->config.period_ms * 1000,
					       MANAGER_TIMER_ACCURACY_USEC,
					       manager_on_lease_timer, m);
	if (r >= 0)
		r = sd_event_add_time_relative(m->event, &m->tripwire_timer, CLOCK_MONOTONIC,
					       (uint64_t)MANAGER_TRIPWIRE_MS * 1000,
					       MANAGER_TIMER_ACCURACY_USEC,
					       manager_on_tripwire_timer, m);
	if (r < 0) {
		log_error("timers: %s", strerror(-r));
		goto fail;
	}
	/*
	 * The watchdog is fed by the event loop itself, a quarter of its
	 * interval apart: it says the loop runs, and a hung loop is
	 * restarted. A lasting error (xenstore gone, an XSM denial) is not a
	 * reason to restart: iosupd keeps running degraded, says so in
	 * STATUS= and once in the journal, and recovers when it clears.
	 */
	if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
		r = sd_event_set_watchdog(m->event, true);
		if (r < 0) {
			log_error("the watchdog: %s", strerror(-r));
			goto fail;
		}
	}
	/* A bad file is said and left out; iosupd starts all the same. */
	(void)manager_load_policy_dir(m, policy_err, sizeof(policy_err));
	r = manager_sync_domains(m, NULL, 0);
	if (r)
		goto fail;
	manager_update_status(m);
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
	manager_hand_back_pools(m);
	remove_metrics(m->config.metrics_dir);
	return r < 0 ? r : 0;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	m->period_timer = sd_event_source_disable_unref(m->period_timer);
	m->reconnect_timer = sd_event_source_disable_unref(m->reconnect_timer);
	m->lease_timer = sd_event_source_disable_unref(m->lease_timer);
	m->tripwire_timer = sd_event_source_disable_unref(m->tripwire_timer);
	m->ctl_source = sd_event_source_disable_unref(m->ctl_source);
	ctl_server_free(m->ctl);
	manager_store_close(m);
	manager_pool_close(m);
	iosup_xen_close(m->xen);
	sd_event_unref(m->event);
	free(m->store_domids);
	free(m->xen_domids);
	free(m->doms);
	free(m->views);
	free(m->config_path);
	free(m->policy_dir_path);
	policy_dir_free(&m->policy_dir);
	free(m);
}
