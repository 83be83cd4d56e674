// SPDX-License-Identifier: GPL-2.0-only
/* The config parser: a full file, the defaults, and every kind of bad line. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assert.h"
#include "config.h"

static int parse(const char *text, struct iosup_config *c, char *err)
{
	return config_parse("iosupd.conf", text, strlen(text), c, err, 256);
}

static void test_good(void)
{
	struct iosup_config c;
	char err[256] = "";

	config_defaults(&c);
	ASSERT_EQ(c.period_ms, 2000);
	ASSERT_EQ(c.guest_lease_s, 60);
	ASSERT_EQ(parse("# defaults for every domain\n"
			"\n"
			"period_ms = 1000\n"
			"  min_pages=16  \n"
			"max_pages = 8192\r\n"
			"memory_cap_mib = 128\n"
			"free_floor_percent = 25\n"
			"guest_lease_s = 6\n"
			"mode = observe", &c, err), 0);
	ASSERT_EQ(c.period_ms, 1000);
	ASSERT_EQ(c.min_pages, 16);
	ASSERT_EQ(c.max_pages, 8192);
	ASSERT_EQ(c.memory_cap_mib, 128);
	ASSERT_EQ(c.free_floor_percent, 25);
	ASSERT_EQ(c.guest_lease_s, 6);
	ASSERT_EQ(c.mode, IOSUP_MODE_OBSERVE);
	ASSERT_STREQ(config_mode_name(c.mode), "observe");

	/* An empty file keeps the defaults. */
	config_defaults(&c);
	ASSERT_EQ(parse("", &c, err), 0);
	ASSERT_EQ(c.max_pages, 4096);
}

/* Each bad file: -EINVAL, the message, and the config as it was. */
static void bad(const char *text, const char *message)
{
	struct iosup_config c, before;
	char err[256] = "";

	config_defaults(&c);
	before = c;
	ASSERT_EQ(parse(text, &c, err), -EINVAL);
	if (!strstr(err, message)) {
		fprintf(stderr, "for %s: expected '%s' in '%s'\n", text, message, err);
		ASSERT_TRUE(0);
	}
	ASSERT_TRUE(!memcmp(&c, &before, sizeof(c)));
	printf("  refused: %s\n", err);
}

static void test_bad(void)
{
	bad("guest_lease_s = 2\n", "iosupd.conf:1: guest_lease_s: '2' is not a number of seconds from 3 to 86400");
	bad("period_ms = 100\n", "iosupd.conf:1: period_ms: '100' is not a number of milliseconds from 500 to 60000");
	bad("\n\nperiod_ms = 5x\n", "iosupd.conf:3: period_ms: '5x'");
	bad("period_ms =\n", "period_ms: '' is not a number");
	bad("period_ms = -1\n", "period_ms: '-1'");
	bad("period_ms = 99999999999999999999999\n", "period_ms: '9999");
	bad("max_pages = 262145\n", "max_pages: '262145' is not a number of pages from 0 to 262144");
	bad("memory_cap_mib = 0\n", "memory_cap_mib: '0'");
	bad("free_floor_percent = 0\n", "free_floor_percent: '0'");
	bad("free_floor_percent = 91\n", "free_floor_percent: '91'");
	bad("mode = fast\n", "mode: 'fast' is not enforce, observe or off");
	bad("colour = blue\n", "iosupd.conf:1: unknown key 'colour'");
	bad("period_ms 1000\n", "expected 'key = value'");
	bad("mode = off\nmode = enforce\n", "iosupd.conf:2: mode: set twice");
	bad("min_pages = 100\nmax_pages = 10\n", "min_pages (100) is above max_pages (10)");
	/* A good line before a bad one is not applied either. */
	bad("period_ms = 1000\nmode = sometimes\n", "iosupd.conf:2:");
}

/* metrics_dir: Debian's textfile directory by default, "" turns metrics off. */
static void test_metrics_dir(void)
{
	struct iosup_config c;
	char err[256] = "", text[400];

	config_defaults(&c);
	ASSERT_STREQ(c.metrics_dir, "/var/lib/prometheus/node-exporter");
	ASSERT_EQ(parse("metrics_dir = /run/metrics  \n", &c, err), 0);
	ASSERT_STREQ(c.metrics_dir, "/run/metrics");
	ASSERT_EQ(parse("metrics_dir =\n", &c, err), 0);
	ASSERT_STREQ(c.metrics_dir, "");

	bad("metrics_dir = var/lib\n",
	    "iosupd.conf:1: metrics_dir: 'var/lib' is not an absolute path (or empty, for none)");
	bad("metrics_dir = /var/\tlib\n", "metrics_dir: a control or non-ASCII character");
	bad("metrics_dir = /var/\xc3\xa9\n", "metrics_dir: a control or non-ASCII character");
	snprintf(text, sizeof(text), "metrics_dir = /%0300d\n", 0);
	bad(text, "metrics_dir: longer than 255 characters");
	bad("metrics_dir = /a\nmetrics_dir = /b\n", "iosupd.conf:2: metrics_dir: set twice");
}

static void test_long_line_and_nul(void)
{
	struct iosup_config c;
	char text[600], err[256] = "";

	config_defaults(&c);
	memset(text, 'a', sizeof(text));
	ASSERT_EQ(config_parse("f", text, sizeof(text), &c, err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "f:1: line longer than 512") != NULL);
	ASSERT_EQ(config_parse("f", "mode = off\0x\n", 13, &c, err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "NUL") != NULL);
	ASSERT_EQ(c.mode, IOSUP_MODE_ENFORCE);
}

static void test_control_group(void)
{
	struct iosup_config c;
	char err[256] = "";

	config_defaults(&c);
	ASSERT_STREQ(c.control_group, "");
	ASSERT_EQ(c.control_gid, (gid_t)-1);
	ASSERT_EQ(parse("control_group = iosup-ops_2.x\n", &c, err), 0);
	ASSERT_STREQ(c.control_group, "iosup-ops_2.x");
	ASSERT_EQ(c.control_group_line, 1);
	bad("\ncontrol_group = 100\n", "iosupd.conf:2: control_group: '100' is not a group name");
	bad("control_group = -wheel\n", "control_group: '-wheel' is not a group name");
	bad("control_group = wheel staff\n", "control_group: 'wheel staff' is not a group name");
	bad("control_group = a/b\n", "control_group: 'a/b' is not a group name");
	bad("control_group = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "control_group: longer than 32");
	bad("control_group = root\ncontrol_group = root\n", "control_group: set twice");
}

/* config_load over @text written to a file of its own. */
static int load_text(const char *text, struct iosup_config *c, char *err, char *path)
{
	FILE *f;
	int fd, r;

	strcpy(path, "/tmp/iosup-config-XXXXXX");
	fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	f = fdopen(fd, "w");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fputs(text, f) >= 0);
	ASSERT_EQ(fclose(f), 0);
	config_defaults(c);
	r = config_load(path, c, err, 256);
	unlink(path);
	return r;
}

static void test_load(void)
{
	struct iosup_config c;
	char err[256] = "";

	config_defaults(&c);
	/* No file: the defaults, no error. */
	ASSERT_EQ(config_load("/nonexistent/iosupd.conf", &c, err, sizeof(err)), 0);
	ASSERT_EQ(c.period_ms, 2000);
	/* A directory cannot be read as a file. */
	ASSERT_TRUE(config_load("/", &c, err, sizeof(err)) < 0);
	ASSERT_TRUE(strstr(err, "/: ") == err);

	/* control_group is looked up: root's group is on every host. */
	char path[64], want[128];

	ASSERT_EQ(load_text("period_ms = 1000\ncontrol_group = root\n", &c, err, path), 0);
	ASSERT_EQ(c.control_gid, 0);
	ASSERT_EQ(load_text("control_group =\n", &c, err, path), 0);
	ASSERT_EQ(c.control_gid, (gid_t)-1);
	/* No such group: an error naming the file and the line. */
	ASSERT_EQ(load_text("mode = off\n\ncontrol_group = iosup-no-such-group\n", &c, err, path),
		  -EINVAL);
	snprintf(want, sizeof(want), "%s:3: control_group: no group 'iosup-no-such-group' on this host",
		 path);
	if (strcmp(err, want)) {
		fprintf(stderr, "expected '%s', got '%s'\n", want, err);
		ASSERT_TRUE(0);
	}
}

int main(void)
{
	test_good();
	test_bad();
	test_metrics_dir();
	test_long_line_and_nul();
	test_control_group();
	test_load();
	printf("config: all passed\n");
	return 0;
}
