/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsers for the two logs a rig run leaves behind: QEMU's VT-d trace (the
 * external oracle) and the host-timestamped console, whose IOSUP-MARK lines
 * delimit the phases of a scenario.
 */
#ifndef IOSUP_VTDTRACE_H
#define IOSUP_VTDTRACE_H

#include <stddef.h>
#include <stdint.h>

enum vtd_event {
	VTD_EV_OTHER = 0,	/* a line we do not count */
	VTD_EV_IOTLB_PAGES,	/* page-selective IOTLB invalidation */
	VTD_EV_IOTLB_DOMAIN,	/* domain-selective IOTLB invalidation */
	VTD_EV_IOTLB_GLOBAL,	/* global IOTLB invalidation */
	VTD_EV_WAIT_SW,		/* invalidation wait descriptor (status write) */
	VTD_EV_DMA_HIT,		/* device DMA translation found in the IOTLB */
	VTD_EV_DMA_MISS,	/* device DMA translation walked the tables */
	VTD_EV_DEV_IOTLB,	/* device-IOTLB (ATS) invalidation descriptor */
	VTD_EV_AMDVI_PAGES,	/* AMD-Vi INVALIDATE_IOMMU_PAGES (a range or all) */
	VTD_EV_COUNT,
};

struct vtd_record {
	uint64_t usec;		/* wall clock, microseconds since the epoch */
	enum vtd_event event;
	int has_domain;
	uint16_t domain;	/* VT-d domain id, where the event names one */
	int has_sid;
	uint16_t sid;		/* the device's source id (bus:dev.fn) */
};

/*
 * Parses one line of QEMU's "log" trace backend, run with -msg timestamp=on:
 *   PID@SEC.USEC:EVENT ARGS...
 * Returns 0 and fills *rec (event VTD_EV_OTHER for an event we do not
 * count); -EINVAL for a line of another form that names none of the events
 * we count (QEMU also writes its own messages to the same file: skip it);
 * -EBADMSG for a line that names one of them but does not parse (a damaged
 * prefix or timestamp, a missing or bad domain field).
 *
 * vtd_inv_desc, which QEMU emits for every descriptor it takes off the
 * queue, counts as VTD_EV_DEV_IOTLB for a device-IOTLB descriptor (its
 * device's source id, from the descriptor's low quadword, in sid) and as
 * VTD_EV_OTHER for the other types. QEMU's AMD IOMMU has no such detail:
 * amdvi_pages_inval is its page invalidation command, whether for a range
 * or for all of a domain's pages (by the domain id, Xen's own domid), and
 * amdvi_cache_update a DMA translation that walked the tables. That means QEMU's
 * trace format changed or the file is damaged, and the caller must fail:
 * skipping such lines would quietly turn every count into zero.
 */
int vtd_parse_trace_line(const char *line, struct vtd_record *rec);

enum mark_kind { MARK_BEGIN, MARK_END };

struct console_mark {
	uint64_t usec;		/* host wall clock when the line arrived */
	enum mark_kind kind;
	char phase[64];
	unsigned long procs;	/* "procs=N" on a begin mark, else 0 */
};

/*
 * Parses one console line as written by the rig's runner:
 *   SEC.USEC TEXT
 * Returns 1 and fills *mark when TEXT carries "IOSUP-MARK begin|end PHASE",
 * 0 for any other well-formed line, -EINVAL when the line is malformed.
 */
int vtd_parse_console_mark(const char *line, struct console_mark *mark);

/*
 * Parses "SEC.USEC" (SEC decimal, USEC one to six decimal digits) at *s and
 * advances *s past it. Returns 0, or -EINVAL.
 */
int vtd_parse_timestamp(const char **s, uint64_t *usec);

const char *vtd_event_name(enum vtd_event ev);

/*
 * Where the device DMA next to a console mark lies relative to the mark's
 * stamp: of the times[0..n) (sorted, ascending) within [stamp - quiet,
 * stamp + quiet], the one nearest to stamp; of two equally near, the later
 * (a mark's probe read follows the mark). Nearest rather than earliest:
 * the window also holds the tail of whatever DMA a phase did before its
 * quiet period. Returns 0 and sets *lag_us to that time - stamp (negative
 * when it comes before the stamp), -ENOENT when no time lies in the
 * window, -EINVAL when quiet exceeds INT64_MAX.
 */
int vtd_mark_lag(const uint64_t *times, size_t n, uint64_t stamp,
		 uint64_t quiet, int64_t *lag_us);

#endif
