// SPDX-License-Identifier: GPL-2.0-only
#include "xen-format.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* snprintf, with truncation as -ENOSPC rather than a length to compare. */
__attribute__((format(printf, 3, 4)))
static int put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENOSPC;
	return n;
}

int iosup_parse_domid(const char *s, uint16_t *domid)
{
	unsigned long v = 0;
	const char *p;

	if (!strcmp(s, "xen")) {
		*domid = IOSUP_DOMID_XEN;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	/* Plain decimal only: no sign, no spaces, no 0x, no leading zeros. */
	if (s[0] == '0' && s[1])
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= IOSUP_DOMID_FIRST_RESERVED)
			return -EINVAL;
	}
	*domid = (uint16_t)v;
	return 0;
}

static void domid_text(char *out, size_t size, uint16_t domid)
{
	if (domid == IOSUP_DOMID_XEN)
		snprintf(out, size, "xen");
	else
		snprintf(out, size, "%u", (unsigned int)domid);
}

/* A count the hypervisor may not keep: the number, or "-". */
static void count_text(char *out, size_t size, bool have, uint64_t v)
{
	if (have)
		snprintf(out, size, "%" PRIu64, v);
	else
		snprintf(out, size, "-");
}

int iosup_format_raw(char *buf, size_t size,
		     const struct iosup_xen_counters *c)
{
	char dom[8], dev_iotlb[24], failed[24];

	domid_text(dom, sizeof(dom), c->domid);
	count_text(dev_iotlb, sizeof(dev_iotlb), c->have_dev_iotlb, c->dev_iotlb);
	count_text(failed, sizeof(failed), c->have_failed, c->failed);
	return put(buf, size,
		   "domid=%s pt_unmaps=%" PRIu64 " pt_maps=%" PRIu64
		   " iotlb_psi=%" PRIu64 " iotlb_dsi=%" PRIu64
		   " iotlb_global=%" PRIu64 " flushes_skipped=%" PRIu64
		   " wait_ns=%" PRIu64 " dev_iotlb=%s failed=%s\n",
		   dom, c->pt_unmaps, c->pt_maps, c->iotlb_psi, c->iotlb_dsi,
		   c->iotlb_global, c->flushes_skipped, c->wait_ns, dev_iotlb,
		   failed);
}

int iosup_format_duration(char *buf, size_t size, uint64_t ns)
{
	/* Scaled units from the largest down; below 1 us, whole ns. */
	static const struct {
		uint64_t scale;
		const char *unit;
	} units[] = {
		{ 1000000000u, "s" },
		{ 1000000u, "ms" },
		{ 1000u, "us" },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double v;

		if (ns < units[i].scale)
			continue;
		v = (double)ns / (double)units[i].scale;
		if (v >= 100.0 || i == 0)
			return put(buf, size, "%.0f %s", v, units[i].unit);
		if (v >= 10.0)
			return put(buf, size, "%.1f %s", v, units[i].unit);
		return put(buf, size, "%.2f %s", v, units[i].unit);
	}
	return put(buf, size, "%" PRIu64 " ns", ns);
}

#define TABLE_FORMAT "%5s %12s %12s %12s %10s %10s %12s %10s %10s %10s\n"

int iosup_format_table_header(char *buf, size_t size)
{
	return put(buf, size, TABLE_FORMAT, "DOMID", "PT-UNMAPS", "PT-MAPS",
		   "IOTLB-PSI", "IOTLB-DSI", "IOTLB-GLB", "SKIPPED", "DEV-IOTLB",
		   "FAILED", "WAITED");
}

int iosup_format_table_row(char *buf, size_t size,
			   const struct iosup_xen_counters *c)
{
	char dom[8], n[6][24], dev_iotlb[24], failed[24], waited[24];
	const uint64_t v[6] = { c->pt_unmaps, c->pt_maps, c->iotlb_psi,
				c->iotlb_dsi, c->iotlb_global,
				c->flushes_skipped };
	size_t i;
	int r;

	domid_text(dom, sizeof(dom), c->domid);
	for (i = 0; i < 6; i++)
		snprintf(n[i], sizeof(n[i]), "%" PRIu64, v[i]);
	count_text(dev_iotlb, sizeof(dev_iotlb), c->have_dev_iotlb, c->dev_iotlb);
	count_text(failed, sizeof(failed), c->have_failed, c->failed);
	r = iosup_format_duration(waited, sizeof(waited), c->wait_ns);
	if (r < 0)
		return r;
	return put(buf, size, TABLE_FORMAT, dom, n[0], n[1], n[2], n[3], n[4],
		   n[5], dev_iotlb, failed, waited);
}
