/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iosupd's domUs. Their pools live in their own kernels, where an agent
 * reports them in xenstore (guest-stats.h) and takes targets from dom0
 * (iosup_store_write_target()). This part reads the reports, says once
 * each time a domain's agent comes, goes or reports nonsense, and makes a
 * report the controller's sample; the manager decides and logs for a domU
 * as it does for dom0, applies through guest_set_target() and
 * guest_set_ratio(), and renews what it wrote through guest_renew().
 */
#ifndef IOSUP_DAEMON_GUESTS_H
#define IOSUP_DAEMON_GUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include "controller.h"
#include "ctl-proto.h"
#include "guest-stats.h"
#include "store.h"
#include "xen.h"

/* A domU's widest table, a pgd pair: what its growth is counted in. */
#define GUEST_TABLE_PAGES_MAX 2

/* What a domU's agent last said, as iosupd last said it in the log. */
enum guest_report {
	GUEST_UNKNOWN,		/* not read yet */
	GUEST_NO_AGENT,		/* no level reported */
	GUEST_PARTIAL,		/* some levels, not all four: left alone */
	GUEST_INVALID,		/* a value refused: left alone, last good sample kept */
	GUEST_REPORTING,	/* all four levels */
};

/* What iosupd keeps of one domU between periods. */
struct guest {
	enum guest_report report;
	bool usable;		/* this period's report may be decided on */
	/* This period's report; a refused one leaves the last good one here. */
	struct ctl_level_sample level[CTL_LEVELS];
	/* Refused reports, said at most once a minute per kind of fault. */
	struct iosup_guest_warnings warnings;
	bool warned;		/* a refusal was said since the report was last valid */
	/* A claim above its share of the memory budget was said, and when. */
	bool share_said;
	uint64_t share_said_ms;
	/* A target written that the report has not caught up with yet. */
	struct {
		bool on;
		uint32_t from, to;
		uint32_t periods;
	} pending[CTL_LEVELS];
	/*
	 * What iosupd wrote in its control/iosup, and when: the agent holds
	 * them under a lease, which only writing them again renews.
	 */
	uint32_t target[CTL_LEVELS];
	uint32_t ratio[CTL_LEVELS];	/* 0 (the module's default) until written */
	unsigned int wrote_targets;	/* bit l: target[l] was written */
	unsigned int wrote_ratios;	/* bit l: ratio[l] was written */
	uint64_t written_ms;		/* monotonic, the last write that went out */
};

/*
 * Reads domain @domid's report into @g, and its pool levels into @view.
 * A report refused leaves the domain alone (no decision, no write) with
 * its last good sample kept, and is said in a warning naming the domain,
 * the node and the kind of fault, at most once a minute per kind
 * (@now_ms, monotonic). 0, or the -errno of a xenstore failure (the
 * report is then unusable this period and nothing is said about it here).
 */
int guest_read(struct iosup_store *s, uint32_t domid, struct guest *g,
	       struct ctl_proto_domain *view, uint64_t now_ms);

/* No report this period (xenstore is not there): nothing to decide on. */
void guest_forget(struct guest *g, struct ctl_proto_domain *view);

/* Pages the domain's pools may hold by their reported limits (0 if unusable). */
uint64_t guest_pages_allowed(const struct guest *g);

/*
 * The controller's sample from the report and the domain's Xen counters
 * (@xen NULL: none). A target written and not yet taken up is sampled as
 * taken, for a few periods, lest the controller take the agent's delay
 * for an operator's change.
 */
void guest_sample(struct guest *g, const struct iosup_xen_counters *xen,
		  uint64_t time_ms, struct ctl_sample *out);

/*
 * Writes level @l's (0-based) target: 0, or -errno said in a warning with
 * the domain and level.
 */
int guest_set_target(struct iosup_store *s, uint32_t domid, struct guest *g,
		     int l, uint32_t old, uint32_t limit, uint64_t now_ms);

/* Level @l's free ratio, likewise. */
int guest_set_ratio(struct iosup_store *s, uint32_t domid, struct guest *g,
		    int l, uint32_t old, uint32_t ratio, uint64_t now_ms);

/*
 * Writes again every target and ratio written for the domain, unchanged,
 * which renews its agent's lease on them. 0 (also when nothing was
 * written), or the first -errno, said in a warning.
 */
int guest_renew(struct iosup_store *s, uint32_t domid, struct guest *g,
		uint64_t now_ms);

#endif
