// SPDX-License-Identifier: GPL-2.0-only
/* iosupd's domUs: their agents' reports and the targets for them (see guests.h). */
#include "guests.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "log.h"

/*
 * Periods a target written may go untaken before the report counts as
 * the truth again: the agent takes a target on a xenstore watch and
 * reports on its own clock, so a period or two of delay is normal; a
 * target still not taken after that was refused or overridden, and the
 * controller had better see the limit the domain has.
 */
#define GUEST_APPLY_PERIODS 3

static void fill_view(const struct guest *g, unsigned int have,
		      struct ctl_proto_domain *view)
{
	int l;

	view->have_pool = have != 0;
	for (l = 0; l < CTL_PROTO_LEVELS && l < CTL_LEVELS; l++) {
		if (!(have & (1u << l))) {
			memset(&view->level[l], 0, sizeof(view->level[l]));
			continue;
		}
		/* The agent says nothing of in_use, and a domU has no lease. */
		view->level[l] = (struct ctl_proto_level){
			.limit = g->level[l].limit,
			.pool = g->level[l].pool,
			.hits = g->level[l].hits,
			.misses = g->level[l].misses,
		};
	}
}

/*
 * Says a new state of the report, once: a report that stays bad is said
 * once. A refused report is said by refused(), not here.
 */
static void said(struct guest *g, uint32_t domid, enum guest_report now,
		 unsigned int have)
{
	enum guest_report was = g->report;

	g->report = now;
	if (now == was)
		return;
	switch (now) {
	case GUEST_REPORTING:
		if (was != GUEST_INVALID)
			log_info("dom%" PRIu32 ": its iosup agent reports all four levels", domid);
		else if (g->warned)
			log_info("dom%" PRIu32 ": its pool stats are valid again", domid);
		g->warned = false;
		break;
	case GUEST_PARTIAL:
		log_info("dom%" PRIu32 ": its iosup agent reports only some levels (mask 0x%x); left alone until it reports all four",
			 domid, have);
		break;
	case GUEST_NO_AGENT:
		if (was == GUEST_UNKNOWN)
			log_debug("dom%" PRIu32 ": no iosup agent; left alone", domid);
		else
			log_info("dom%" PRIu32 ": its iosup agent stopped reporting; left alone", domid);
		break;
	case GUEST_INVALID:
	case GUEST_UNKNOWN:
		break;
	}
}

/*
 * A report refused (@err names the node and why): the domain writes it
 * as often as it likes, so the warning is rate-limited per kind of fault,
 * and says so; a domU flipping between good and bad reports gets no more
 * lines than one that stays bad.
 */
static void refused(struct guest *g, uint32_t domid, enum iosup_guest_fault fault,
		    const char *err, uint64_t now_ms)
{
	uint64_t suppressed = 0;

	said(g, domid, GUEST_INVALID, 0);
	if (!iosup_guest_warn_due(&g->warnings, fault, now_ms, &suppressed)) {
		log_debug("dom%" PRIu32 ": pool stats refused (%s): %s", domid,
			  iosup_guest_fault_name(fault), err);
		return;
	}
	g->warned = true;
	log_warning("dom%" PRIu32 ": pool stats refused (%s): %s; no action, its last good stats kept, the domain left alone until they are valid; at most one such warning a minute (%" PRIu64 " not said since the last)",
		    domid, iosup_guest_fault_name(fault), err, suppressed);
}

int guest_read(struct iosup_store *s, uint32_t domid, struct guest *g,
	       struct ctl_proto_domain *view, uint64_t now_ms)
{
	const unsigned int all = (1u << CTL_LEVELS) - 1;
	struct ctl_level_sample level[CTL_LEVELS];
	enum iosup_guest_fault fault = IOSUP_GUEST_FAULT_MALFORMED;
	unsigned int have = 0;
	char err[256] = "";
	int r;

	r = iosup_store_read_guest_stats(s, domid, level, &have, err, sizeof(err), &fault);
	if (r && r != -ENOENT && r != -EINVAL) {
		guest_forget(g, view);
		return r;
	}
	if (!r)
		memcpy(g->level, level, sizeof(level));
	if (r == -EINVAL)
		refused(g, domid, fault, err, now_ms);
	else if (r == -ENOENT)
		said(g, domid, GUEST_NO_AGENT, 0);
	else
		said(g, domid, have == all ? GUEST_REPORTING : GUEST_PARTIAL, have);
	g->usable = g->report == GUEST_REPORTING;
	if (!g->usable)
		memset(g->pending, 0, sizeof(g->pending));
	fill_view(g, r ? 0 : have, view);
	return 0;
}

void guest_forget(struct guest *g, struct ctl_proto_domain *view)
{
	g->usable = false;
	memset(g->pending, 0, sizeof(g->pending));
	fill_view(g, 0, view);
}

uint64_t guest_pages_allowed(const struct guest *g)
{
	uint64_t pages = 0;
	int l;

	if (!g->usable)
		return 0;
	for (l = 0; l < CTL_LEVELS; l++)
		pages += (uint64_t)g->level[l].limit *
			 (l == CTL_LEVELS - 1 ? GUEST_TABLE_PAGES_MAX : 1);
	return pages;
}

void guest_sample(struct guest *g, const struct iosup_xen_counters *xen,
		  uint64_t time_ms, struct ctl_sample *out)
{
	int l;

	memset(out, 0, sizeof(*out));
	for (l = 0; l < CTL_LEVELS; l++) {
		out->level[l] = g->level[l];
		/* The agent does not report it: what was written is in force. */
		out->level[l].ratio = g->ratio[l];
		if (!g->pending[l].on)
			continue;
		if (g->level[l].limit == g->pending[l].from &&
		    g->pending[l].periods < GUEST_APPLY_PERIODS) {
			g->pending[l].periods++;
			out->level[l].limit = g->pending[l].to;
			continue;
		}
		/* Taken; or refused, or someone else's since: the report says. */
		g->pending[l].on = false;
	}
	out->time_ms = time_ms;
	out->have_xen = xen != NULL;
	out->pt_unmaps = xen ? xen->pt_unmaps : 0;
	out->pt_maps = xen ? xen->pt_maps : 0;
	/* The agent does not report the domain's memory: no floor to weigh. */
	out->have_memory = false;
}

int guest_set_target(struct iosup_store *s, uint32_t domid, struct guest *g,
		     int l, uint32_t old, uint32_t limit, uint64_t now_ms)
{
	int r = iosup_store_write_target(s, domid, (unsigned int)l + 1, limit);

	if (r) {
		log_warning("dom%" PRIu32 ": setting L%d target %" PRIu32 " -> %" PRIu32 " failed: %s",
			    domid, l + 1, old, limit, iosup_store_strerror(r));
		return r;
	}
	g->target[l] = limit;
	g->wrote_targets |= 1u << l;
	g->written_ms = now_ms;
	/* From the limit the domain reports, not from a pending one. */
	if (!g->pending[l].on)
		g->pending[l].from = g->level[l].limit;
	g->pending[l].on = true;
	g->pending[l].to = limit;
	g->pending[l].periods = 0;
	return 0;
}

int guest_set_ratio(struct iosup_store *s, uint32_t domid, struct guest *g,
		    int l, uint32_t old, uint32_t ratio, uint64_t now_ms)
{
	int r = iosup_store_write_ratio(s, domid, (unsigned int)l + 1, ratio);

	if (r) {
		log_warning("dom%" PRIu32 ": setting L%d free ratio %" PRIu32 "%% -> %" PRIu32 "%% failed: %s",
			    domid, l + 1, old, ratio, iosup_store_strerror(r));
		return r;
	}
	g->ratio[l] = ratio;
	g->wrote_ratios |= 1u << l;
	g->written_ms = now_ms;
	return 0;
}

int guest_renew(struct iosup_store *s, uint32_t domid, struct guest *g,
		uint64_t now_ms)
{
	int l, r;

	for (l = 0; l < CTL_LEVELS; l++) {
		r = 0;
		if (g->wrote_targets & (1u << l))
			r = iosup_store_write_target(s, domid, (unsigned int)l + 1, g->target[l]);
		if (!r && (g->wrote_ratios & (1u << l)))
			r = iosup_store_write_ratio(s, domid, (unsigned int)l + 1, g->ratio[l]);
		if (r) {
			log_warning("dom%" PRIu32 ": renewing L%d's target failed: %s; its agent's lease may run out",
				    domid, l + 1, iosup_store_strerror(r));
			return r;
		}
	}
	if (g->wrote_targets | g->wrote_ratios)
		log_debug("dom%" PRIu32 ": targets written again, renewing its agent's lease", domid);
	g->written_ms = now_ms;
	return 0;
}
