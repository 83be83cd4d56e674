// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for daemon/xen-format.c: domain arguments and counter output. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "assert.h"
#include "xen-format.h"

static void test_parse_domid(void)
{
	uint16_t d = 42;

	ASSERT_EQ(iosup_parse_domid("0", &d), 0);
	ASSERT_EQ(d, 0);
	ASSERT_EQ(iosup_parse_domid("7", &d), 0);
	ASSERT_EQ(d, 7);
	ASSERT_EQ(iosup_parse_domid("32751", &d), 0);	/* 0x7FEF */
	ASSERT_EQ(d, 32751);
	ASSERT_EQ(iosup_parse_domid("xen", &d), 0);
	ASSERT_EQ(d, IOSUP_DOMID_XEN);

	d = 42;
	ASSERT_EQ(iosup_parse_domid("32752", &d), -EINVAL);	/* reserved */
	ASSERT_EQ(iosup_parse_domid("65536", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("99999999999999999999999", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("-1", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("+1", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid(" 1", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("1 ", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("0x10", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("01", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("Xen", &d), -EINVAL);
	ASSERT_EQ(iosup_parse_domid("dom0", &d), -EINVAL);
	ASSERT_EQ(d, 42);	/* untouched on error */
}

static void test_raw(void)
{
	struct iosup_xen_counters c = {
		.domid = 0, .pt_unmaps = 1, .pt_maps = 2, .iotlb_psi = 3,
		.iotlb_dsi = 4, .iotlb_global = 5, .flushes_skipped = 6,
		.wait_ns = 7, .have_dev_iotlb = true, .dev_iotlb = 8,
		.have_failed = true, .failed = 9,
	};
	char buf[512];
	int n;

	n = iosup_format_raw(buf, sizeof(buf), &c);
	ASSERT_STREQ(buf, "domid=0 pt_unmaps=1 pt_maps=2 iotlb_psi=3 iotlb_dsi=4 "
			  "iotlb_global=5 flushes_skipped=6 wait_ns=7 dev_iotlb=8 failed=9\n");
	ASSERT_EQ(n, (long long)strlen(buf));

	c.domid = IOSUP_DOMID_XEN;
	c.pt_unmaps = UINT64_MAX;
	iosup_format_raw(buf, sizeof(buf), &c);
	ASSERT_STREQ(buf, "domid=xen pt_unmaps=18446744073709551615 pt_maps=2 "
			  "iotlb_psi=3 iotlb_dsi=4 iotlb_global=5 flushes_skipped=6 "
			  "wait_ns=7 dev_iotlb=8 failed=9\n");

	/* A hypervisor of the op's first layout: the two counts unknown. */
	c.have_dev_iotlb = false;
	c.have_failed = false;
	iosup_format_raw(buf, sizeof(buf), &c);
	ASSERT_STREQ(buf, "domid=xen pt_unmaps=18446744073709551615 pt_maps=2 "
			  "iotlb_psi=3 iotlb_dsi=4 iotlb_global=5 flushes_skipped=6 "
			  "wait_ns=7 dev_iotlb=- failed=-\n");

	/* Too small: an error, never a silently cut line. */
	ASSERT_EQ(iosup_format_raw(buf, 10, &c), -ENOSPC);
	ASSERT_EQ(iosup_format_raw(buf, 1, &c), -ENOSPC);
}

static void test_duration(void)
{
	char buf[32];

	iosup_format_duration(buf, sizeof(buf), 0);
	ASSERT_STREQ(buf, "0 ns");
	iosup_format_duration(buf, sizeof(buf), 999);
	ASSERT_STREQ(buf, "999 ns");
	iosup_format_duration(buf, sizeof(buf), 1000);
	ASSERT_STREQ(buf, "1.00 us");
	iosup_format_duration(buf, sizeof(buf), 12345);
	ASSERT_STREQ(buf, "12.3 us");
	iosup_format_duration(buf, sizeof(buf), 4560000);
	ASSERT_STREQ(buf, "4.56 ms");
	iosup_format_duration(buf, sizeof(buf), 123456789);
	ASSERT_STREQ(buf, "123 ms");
	iosup_format_duration(buf, sizeof(buf), 1230000000);
	ASSERT_STREQ(buf, "1 s");
	iosup_format_duration(buf, sizeof(buf), UINT64_C(3723000000000));
	ASSERT_STREQ(buf, "3723 s");
	ASSERT_EQ(iosup_format_duration(buf, 3, 12345), -ENOSPC);
}

static void test_table(void)
{
	struct iosup_xen_counters c = {
		.domid = 3, .pt_unmaps = 9000, .pt_maps = 8999, .iotlb_psi = 9000,
		.iotlb_dsi = 12, .iotlb_global = 0, .flushes_skipped = 8999,
		.wait_ns = 4560000,
	};
	char head[256], row[256];

	ASSERT_TRUE(iosup_format_table_header(head, sizeof(head)) > 0);
	ASSERT_TRUE(iosup_format_table_row(row, sizeof(row), &c) > 0);
	/* The columns line up: header and row have the same width. */
	ASSERT_EQ(strlen(head), strlen(row));
	ASSERT_STREQ(row, "    3         9000         8999         9000         12"
			  "          0         8999          -          -    4.56 ms\n");
	c.have_dev_iotlb = true;
	c.dev_iotlb = 17;
	c.have_failed = true;
	iosup_format_table_row(row, sizeof(row), &c);
	ASSERT_STREQ(row, "    3         9000         8999         9000         12"
			  "          0         8999         17          0    4.56 ms\n");
	c.domid = IOSUP_DOMID_XEN;
	iosup_format_table_row(row, sizeof(row), &c);
	ASSERT_TRUE(!strncmp(row, "  xen ", 6));
	ASSERT_EQ(iosup_format_table_row(row, 20, &c), -ENOSPC);
}

int main(void)
{
	test_parse_domid();
	test_raw();
	test_duration();
	test_table();
	return 0;
}
