// SPDX-License-Identifier: GPL-2.0-only
/* dom0's memory from /proc/meminfo text: the three lines or an error. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "assert.h"
#include "meminfo.h"

static int parse(const char *text, struct tick_memory *m)
{
	return meminfo_parse(text, strlen(text), m);
}

int main(void)
{
	struct tick_memory m;

	ASSERT_EQ(parse("MemTotal:        1004548 kB\n"
			"MemFree:          600000 kB\n"
			"MemAvailable:     812340 kB\n"
			"Buffers:            2048 kB\n"
			"PageTables:         3000 kB\n"
			"SecPageTables:         0 kB\n", &m), 0);
	ASSERT_EQ(m.total, 1004548 / 4);
	ASSERT_EQ(m.available, 812340 / 4);
	/* SecPageTables is another line, not a second PageTables. */
	ASSERT_EQ(m.page_tables, 750);

	/* Fails closed: a line missing, repeated, not a number, no unit. */
	ASSERT_EQ(parse("MemTotal: 100 kB\nMemAvailable: 50 kB\n", &m), -EBADMSG);
	ASSERT_EQ(parse("MemTotal: 100 kB\nMemAvailable: 50 kB\nPageTables: 4 kB\n"
			"PageTables: 8 kB\n", &m), -EBADMSG);
	ASSERT_EQ(parse("MemTotal: 100 kB\nMemAvailable: x kB\nPageTables: 4 kB\n", &m),
		  -EBADMSG);
	ASSERT_EQ(parse("MemTotal: 100\nMemAvailable: 50 kB\nPageTables: 4 kB\n", &m),
		  -EBADMSG);
	ASSERT_EQ(parse("MemTotal: 100 kB\nMemAvailable: 50 kB\nPageTables: 4 kB", &m), 0);
	/* More available than there is: not a reading to act on. */
	ASSERT_EQ(parse("MemTotal: 100 kB\nMemAvailable: 500 kB\nPageTables: 4 kB\n", &m),
		  -EBADMSG);
	ASSERT_EQ(parse("MemTotal: 99999999999999999999 kB\nMemAvailable: 5 kB\n"
			"PageTables: 4 kB\n", &m), -EBADMSG);
	ASSERT_EQ(meminfo_read("/nonexistent/meminfo", &m), -ENOENT);
	printf("meminfo: all passed\n");
	return 0;
}
