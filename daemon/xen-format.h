/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text for the Xen flush counters: parsing a domain argument, and the two
 * ways of printing them (a table for people, key=value lines for scripts).
 * Pure functions, so that the unit tests can pin the output down.
 */
#ifndef IOSUP_DAEMON_XEN_FORMAT_H
#define IOSUP_DAEMON_XEN_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "xen.h"

/*
 * A domain named on a command line: a decimal id of an ordinary domain, or
 * "xen" for the flushes Xen issued for no domain. Returns 0 or -EINVAL.
 */
int iosup_parse_domid(const char *s, uint16_t *domid);

/*
 * One line, stable for scripts (fields are only ever added at the end):
 *   domid=0 pt_unmaps=1 pt_maps=2 iotlb_psi=3 iotlb_dsi=4 iotlb_global=5
 *   flushes_skipped=6 wait_ns=7 dev_iotlb=8 failed=9
 * with "domid=xen" for dom_xen, "-" for a count the hypervisor does not
 * keep (dev_iotlb and failed, on one of the op's first layout), and a
 * newline. Returns the length written,
 * or -ENOSPC if it did not fit (buf then holds a truncated string).
 */
int iosup_format_raw(char *buf, size_t size,
		     const struct iosup_xen_counters *c);

/* The table's header line and one row of it, each with a newline. */
int iosup_format_table_header(char *buf, size_t size);
int iosup_format_table_row(char *buf, size_t size,
			   const struct iosup_xen_counters *c);

/*
 * A duration for people, in the unit that gives three significant digits:
 * "0 ns", "812 ns", "12.3 us", "4.56 ms", "1.23 s", "3723 s". Returns the
 * length written or -ENOSPC.
 */
int iosup_format_duration(char *buf, size_t size, uint64_t ns);

#endif
