/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the manager's parts share: struct manager and the calls between
 * them. Private to iosupd's manager:
 *   manager.c         the loop, signals, reconnects, status, the control socket
 *   manager-store.c   xenstore and the policy, the domain table
 *   manager-pool.c    the pool module: open, events, the lease
 *   manager-period.c  the control period: sample, decide, apply, budget
 *   manager-util.c    the pure helpers the unit tests reach
 */
#ifndef IOSUP_MANAGER_INTERNAL_H
#define IOSUP_MANAGER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "controller.h"
#include "ctl-proto.h"
#include "ctl-server.h"
#include "guests.h"
#include "manager.h"
#include "manager-util.h"
#include "metrics.h"
#include "policy.h"
#include "policy-dir.h"
#include "pool.h"
#include "store.h"
#include "xen.h"

/* Timer slack: a period a few milliseconds late changes no decision. */
#define MANAGER_TIMER_ACCURACY_USEC (10 * 1000)

/* Where dom0's free memory and page tables are read. */
#define MANAGER_MEMINFO_PATH "/proc/meminfo"

struct managed_domain {
	struct policy own;		/* /iosup/policy/<domid>, as last read */
	struct policy effective;	/* config, default, file and own, merged */
	/*
	 * What policy.d files are matched against: its name, unchanged
	 * ("" if it has none, or one no file could name), and its UUID ("").
	 */
	char match_name[POLICY_MATCH_MAX];
	char uuid[POLICY_UUID_LEN + 1];
	bool have_prev_xen;
	struct iosup_xen_counters prev_xen;
	uint64_t prev_xen_ms;		/* monotonic, when prev_xen was read */
	struct ctl_state state;		/* the controller's memory */
	struct guest guest;		/* a domU's agent's report (not dom0's) */
	/* Actions taken (or, observing, logged as "would"), by level and reason. */
	uint64_t decisions[CTL_LEVELS][METRICS_REASONS];
};

struct manager {
	sd_event *event;
	/* One timer per concern, each re-arming itself. */
	sd_event_source *period_timer;	/* the control period */
	sd_event_source *reconnect_timer; /* xenstore and the pool, while missing */
	sd_event_source *lease_timer;	/* renewing the lease on the pools' limits */
	sd_event_source *tripwire_timer; /* a burst of flushes: the period now */
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
	/*
	 * A leased write went out since the pools were last read: it renewed
	 * the lease itself, and stats' limits predate it, so a renewal from
	 * them would undo it.
	 */
	bool lease_written;
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
	char *policy_dir_path;		/* policy.d beside the config file */
	struct policy_dir policy_dir;	/* its files, as last read */
	unsigned int *store_domids;	/* /local/domain, as last listed */
	size_t n_store_domids;
	int store_error;

	struct ctl_server *ctl;
	sd_event_source *ctl_source;
	uint64_t refused_said_ms;	/* monotonic, the last refusal said */
	uint64_t refused_unsaid;	/* refusals since, not said */

	unsigned int *xen_domids;	/* the domains Xen's counters last gave */
	size_t n_xen_domids;

	/* Managed domains, by ascending domid; views[i] is doms[i]'s, for the snapshot. */
	struct managed_domain *doms;
	struct ctl_proto_domain *views;
	size_t n_doms;
	struct ctl_proto_snapshot snapshot;

	uint64_t periods;		/* run since the start */
	int metrics_error;		/* the last write's, said once */

	bool ready;
};

/* manager.c */
/* A refused client of the control socket is said at most this often. */
#define MANAGER_REFUSED_SAY_MS 60000
uint64_t manager_now_ms(clockid_t clock);
/* Arms the reconnect timer, if it is not: something is missing or lost. */
void manager_want_reconnect(struct manager *m);
/* Runs @s once more, @usec from now; 0, or -errno said. */
int manager_rearm(struct manager *m, sd_event_source *s, uint64_t usec, const char *what);
void manager_update_status(struct manager *m);

/* manager-store.c */
ssize_t manager_find_domain(const struct manager *m, uint32_t domid);
bool manager_store_usable(const struct manager *m);
/* A store error that is not about a value: xenstore went away. */
void manager_store_failed(struct manager *m, const char *what, int r);
void manager_store_open(struct manager *m);
void manager_store_close(struct manager *m);
void manager_read_default_policy(struct manager *m);
/*
 * Reads policy.d again and applies it to every domain. 0; -EINVAL if a
 * file was left out, -errno if the directory could not be read; either
 * said in @err and in the journal.
 */
int manager_load_policy_dir(struct manager *m, char *err, size_t err_len);
void manager_read_domain_policy(struct manager *m, size_t i);
/* Makes the table hold exactly dom0, @xen_ids and the domains xenstore listed. */
int manager_sync_domains(struct manager *m, const unsigned int *xen_ids, size_t n_xen);

/* manager-pool.c */
void manager_pool_open(struct manager *m);
void manager_pool_close(struct manager *m);
/* Reads the pools into m->stats; 0, or -errno said once. */
int manager_pool_read(struct manager *m);
void manager_refresh_dom0_view(struct manager *m);
/* dom0's controller starts over: its pools' past is no guide now. */
void manager_restart_controller(struct manager *m);
void manager_adopt_lease(struct manager *m);
void manager_hand_back_pools(struct manager *m);
int manager_on_lease_timer(sd_event_source *s, uint64_t usec, void *data);

/* manager-period.c */
int manager_on_period_timer(sd_event_source *s, uint64_t usec, void *data);

/* Between periods, Xen's counters alone (manager-period.c). */
#define MANAGER_TRIPWIRE_MS 250
int manager_on_tripwire_timer(sd_event_source *s, uint64_t usec, void *data);

#endif
