// SPDX-License-Identifier: GPL-2.0-only
#include "vtdtrace.h"
#include "assert.h"

#include <errno.h>

static void test_timestamp(void)
{
	const char *s = "1764000000.000123 rest";
	uint64_t us;

	ASSERT_EQ(vtd_parse_timestamp(&s, &us), 0);
	ASSERT_EQ(us, 1764000000000123ULL);
	ASSERT_STREQ(s, " rest");

	/* EPOCHREALTIME always has six digits, but accept fewer. */
	s = "12.5";
	ASSERT_EQ(vtd_parse_timestamp(&s, &us), 0);
	ASSERT_EQ(us, 12500000ULL);

	s = ".5";
	ASSERT_EQ(vtd_parse_timestamp(&s, &us), -EINVAL);
	s = "12.";
	ASSERT_EQ(vtd_parse_timestamp(&s, &us), -EINVAL);
	s = "12.1234567";
	ASSERT_EQ(vtd_parse_timestamp(&s, &us), -EINVAL);
	s = "1234567890123.1";
	ASSERT_EQ(vtd_parse_timestamp(&s, &us), -EINVAL);
	s = "12";
	ASSERT_EQ(vtd_parse_timestamp(&s, &us), -EINVAL);
}

static void test_trace_lines(void)
{
	struct vtd_record r;

	ASSERT_EQ(vtd_parse_trace_line(
		"4242@1764000000.250000:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x1 addr 0x7f000 mask 0x0\n",
		&r), 0);
	ASSERT_EQ(r.event, VTD_EV_IOTLB_PAGES);
	ASSERT_EQ(r.usec, 1764000000250000ULL);
	ASSERT_EQ(r.has_domain, 1);
	ASSERT_EQ(r.domain, 1);

	ASSERT_EQ(vtd_parse_trace_line(
		"1@1.000001:vtd_inv_desc_iotlb_domain iotlb invalidate whole domain 0xab\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_IOTLB_DOMAIN);
	ASSERT_EQ(r.domain, 0xab);

	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc_iotlb_global iotlb invalidate global\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_IOTLB_GLOBAL);
	ASSERT_EQ(r.has_domain, 0);

	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc_wait_sw wait invalidate status write addr 0x1000 data 0x1\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_WAIT_SW);

	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 domain 0x2\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_DMA_HIT);
	ASSERT_EQ(r.domain, 2);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x1000 slpte 0x3 domain 0x2\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_DMA_MISS);

	/* A device-IOTLB descriptor: its device's source id, from the low quadword. */
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type device high 0x7ffffffffffff000 low 0x1800000003\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_DEV_IOTLB);
	ASSERT_EQ(r.has_sid, 1);
	ASSERT_EQ(r.sid, 0x18);
	ASSERT_EQ(r.has_domain, 0);
	/* The descriptor event's other types are not counted. */
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type iotlb high 0x7f000 low 0x10032\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_OTHER);
	ASSERT_EQ(r.has_sid, 0);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type wait high 0x1000 low 0x100000025\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_OTHER);

	/* The AMD IOMMU's: a page invalidation and a table walk, by domain. */
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:amdvi_pages_inval AMD-Vi pages for domain 0x3 invalidated\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_AMDVI_PAGES);
	ASSERT_EQ(r.has_domain, 1);
	ASSERT_EQ(r.domain, 3);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:amdvi_cache_update  update iotlb domid 0x0 devid: 00:03.0 gpa 0x1000 hpa 0x7000\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_DMA_MISS);
	ASSERT_EQ(r.domain, 0);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:amdvi_pages_inval AMD-Vi pages for domain invalidated\n", &r), -EBADMSG);

	/* An event we do not count parses, as "other". */
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc_iotlb_pagesx whatever\n", &r), 0);
	ASSERT_EQ(r.event, VTD_EV_OTHER);

	/* QEMU's own messages, naming no event we count: skipped. */
	ASSERT_EQ(vtd_parse_trace_line("qemu-system-x86_64: terminating on signal 15\n", &r), -EINVAL);
	ASSERT_EQ(vtd_parse_trace_line("qemu-system-x86_64: warning: host doesn't support requested feature\n", &r), -EINVAL);
	ASSERT_EQ(vtd_parse_trace_line("garbage vtd_inv_desc_iotlb_pagesx\n", &r), -EINVAL);
	ASSERT_EQ(vtd_parse_trace_line("", &r), -EINVAL);
}

/*
 * A line naming an event we count that does not parse must not be skipped
 * like QEMU's own messages: a changed trace format would count zero.
 */
static void test_trace_lines_damaged(void)
{
	struct vtd_record r;

	/* The domain field missing, out of range, or not hex. */
	ASSERT_EQ(vtd_parse_trace_line("42@1.1:vtd_inv_desc_iotlb_pages iotlb invalidate addr 0x1\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("42@1.1:vtd_inv_desc_iotlb_pages iotlb invalidate domain 1 addr 0x1\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("42@1.1:vtd_inv_desc_iotlb_pages domain 0x10000 addr 0x1\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("42@1.1:vtd_inv_desc_iotlb_pages domain 0xzz\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("42@1.1:vtd_inv_desc_iotlb_pages domain 0x1g\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3\n", &r), -EBADMSG);

	/* A descriptor event without its type, or its quadwords. */
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc device high 0x1 low 0x1800000003\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type device low 0x1800000003\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type device high 0x low 0x3\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type device high 0x-1 low 0x3\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type device high 0x1 low 0x\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type device high 0x1 low 0x18z\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc invalidate desc type  high 0x1 low 0x1\n", &r), -EBADMSG);

	/* A garbled prefix or timestamp. */
	ASSERT_EQ(vtd_parse_trace_line("42@1.1vtd_inv_desc_iotlb_global\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("42@1764000000,250000:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x1 addr 0x7f000 mask 0x0\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("42@1764000000.2500001:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x1 addr 0x7f000 mask 0x0\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1764000000.250000 vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x1 addr 0x7f000 mask 0x0\n", &r), -EBADMSG);
	/* No prefix at all: QEMU without -msg timestamp=on. */
	ASSERT_EQ(vtd_parse_trace_line("vtd_inv_desc_wait_sw wait invalidate status write addr 0x1000 data 0x1\n", &r), -EBADMSG);

	/* The name followed by something other than its arguments. */
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc_iotlb_global(iotlb invalidate global)\n", &r), -EBADMSG);
	ASSERT_EQ(vtd_parse_trace_line("1@1.1:vtd_inv_desc_iotlb_global\r\n", &r), -EBADMSG);
}

static void test_mark_lag(void)
{
	/* Microseconds; the mark is stamped at 10 s, the quiet period 1 s. */
	const uint64_t stamp = 10000000, quiet = 1000000;
	int64_t lag;

	{
		/* Just after the mark. */
		const uint64_t t[] = { 5000000, 10002500, 13000000 };

		ASSERT_EQ(vtd_mark_lag(t, 3, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, 2500);
	}
	{
		/* Just before it: the host stamped the line late. */
		const uint64_t t[] = { 9996000, 12000000 };

		ASSERT_EQ(vtd_mark_lag(t, 2, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, -4000);
	}
	{
		/* Nothing within the window: the closest just outside it. */
		const uint64_t t[] = { 8999999, 11000001 };

		lag = 77;
		ASSERT_EQ(vtd_mark_lag(t, 2, stamp, quiet, &lag), -ENOENT);
		ASSERT_EQ(lag, 77);
		ASSERT_EQ(vtd_mark_lag(t, 0, stamp, quiet, &lag), -ENOENT);
		ASSERT_EQ(vtd_mark_lag(NULL, 0, stamp, quiet, &lag), -ENOENT);
	}
	{
		/* The window's edges are in it. */
		const uint64_t t[] = { 9000000 };
		const uint64_t u[] = { 11000000 };

		ASSERT_EQ(vtd_mark_lag(t, 1, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, -1000000);
		ASSERT_EQ(vtd_mark_lag(u, 1, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, 1000000);
	}
	{
		/*
		 * Nearest first, not earliest: the last DMA of the phase before
		 * its quiet second, then the probe read right at the mark.
		 */
		const uint64_t t[] = { 9100000, 9990000, 10020000, 10500000 };

		ASSERT_EQ(vtd_mark_lag(t, 4, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, -10000);
		ASSERT_EQ(vtd_mark_lag(t + 2, 2, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, 20000);
	}
	{
		/* Equally near on both sides: the later (the probe follows). */
		const uint64_t t[] = { 9995000, 10005000 };

		ASSERT_EQ(vtd_mark_lag(t, 2, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, 5000);
	}
	{
		/* An event at the stamp itself, and repeated times. */
		const uint64_t t[] = { 10000000, 10000000, 10000000 };

		ASSERT_EQ(vtd_mark_lag(t, 3, stamp, quiet, &lag), 0);
		ASSERT_EQ(lag, 0);
	}
	{
		/* A stamp within the quiet period of the epoch: no underflow. */
		const uint64_t t[] = { 0, 2000000 };

		ASSERT_EQ(vtd_mark_lag(t, 2, 500000, quiet, &lag), 0);
		ASSERT_EQ(lag, -500000);
		ASSERT_EQ(vtd_mark_lag(t + 1, 1, 500000, quiet, &lag), -ENOENT);
	}
	{
		const uint64_t t[] = { 1 };

		ASSERT_EQ(vtd_mark_lag(t, 1, 1, (uint64_t)INT64_MAX + 1, &lag), -EINVAL);
	}
}

static void test_console_marks(void)
{
	struct console_mark m;

	ASSERT_EQ(vtd_parse_console_mark("100.000002 [   12.3] IOSUP-MARK begin forkexit procs=1000\r\n", &m), 1);
	ASSERT_EQ(m.kind, MARK_BEGIN);
	ASSERT_STREQ(m.phase, "forkexit");
	ASSERT_EQ(m.procs, 1000);
	ASSERT_EQ(m.usec, 100000002ULL);

	ASSERT_EQ(vtd_parse_console_mark("101.5 IOSUP-MARK end forkexit\n", &m), 1);
	ASSERT_EQ(m.kind, MARK_END);
	ASSERT_STREQ(m.phase, "forkexit");

	ASSERT_EQ(vtd_parse_console_mark("101.5 IOSUP-MARK begin idle\n", &m), 1);
	ASSERT_EQ(m.procs, 0);

	/* Not marks. */
	ASSERT_EQ(vtd_parse_console_mark("101.5 (XEN) Xen version 4.17\n", &m), 0);
	ASSERT_EQ(vtd_parse_console_mark("101.5 IOSUP-MARK ready\n", &m), 0);

	/* Malformed. */
	ASSERT_EQ(vtd_parse_console_mark("no timestamp IOSUP-MARK begin x\n", &m), -EINVAL);
	ASSERT_EQ(vtd_parse_console_mark("1.5 IOSUP-MARK begin \n", &m), -EINVAL);
	ASSERT_EQ(vtd_parse_console_mark("1.5 IOSUP-MARK begin x procs=lots\n", &m), -EINVAL);
	ASSERT_EQ(vtd_parse_console_mark("1.5 IOSUP-MARK begin x procs=99999999999999999999999\n", &m), -EINVAL);
	ASSERT_EQ(vtd_parse_console_mark(
		"1.5 IOSUP-MARK begin aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &m), -EINVAL);
}

int main(void)
{
	test_timestamp();
	test_trace_lines();
	test_trace_lines_damaged();
	test_mark_lag();
	test_console_marks();
	printf("vtdtrace: all assertions held\n");
	return 0;
}
