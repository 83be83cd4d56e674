// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metrics file: the text of a fixed period (a golden file, a hostile
 * domain name in it), label escaping, metrics off, and the atomic write.
 *
 * Usage: test-metrics            the tests
 *        test-metrics render     the fixed period's text on stdout, for
 *                                promtool (test_metrics_promtool.sh)
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assert.h"
#include "metrics.h"

/* A name as a guest could write it: a quote, a backslash, a newline, a fake series. */
#define HOSTILE "web\"}\\\niosup_evil 1\x01\xc3\xa9"

static void fixed_period(struct metrics_domain doms[2], struct metrics_period *p)
{
	memset(doms, 0, 2 * sizeof(doms[0]));
	doms[0] = (struct metrics_domain){
		.domid = 0, .name = "Domain-0",
		.have_xen = true, .pt_unmaps = 900, .pt_maps = 880, .iotlb_psi = 1234,
		.have_dev_iotlb = true, .dev_iotlb = 1250, .have_failed = true, .failed = 0,
		.have_pool = true,
		.have_level = { true, true, true, true },
	};
	doms[0].level[0] = (struct metrics_level){
		.pool = 96, .limit = 128, .hits = 5000, .misses = 48,
		.have_ratio = true, .ratio = 25, .have_shrunk = true, .shrunk = 7,
	};
	doms[0].level[0].decisions[CTL_GROW] = 3;
	doms[0].level[0].decisions[CTL_SEED] = 1;
	doms[0].level[1] = (struct metrics_level){
		.pool = 2, .limit = 16, .hits = 40, .misses = 1, .have_ratio = true,
	};
	doms[0].level[3] = (struct metrics_level){
		.pool = 1, .limit = 8, .hits = 30, .misses = 2, .have_ratio = true, .ratio = 150,
	};
	/* Level 3 reported, all zero. */
	doms[0].level[2].have_ratio = true;
	/* A domU: no Xen counters this period, only levels 1 and 2 shown. */
	doms[1] = (struct metrics_domain){
		.domid = 7, .name = HOSTILE,
		.have_pool = true,
		.have_level = { true, true, false, false },
	};
	doms[1].level[0] = (struct metrics_level){ .pool = 10, .limit = 20, .hits = 3, .misses = 4 };
	doms[1].level[0].decisions[CTL_SHRINK] = 2;
	doms[1].level[1] = (struct metrics_level){ .pool = 0, .limit = 0 };
	*p = (struct metrics_period){
		.periods = 42, .duration_us = 1234567, .domains = doms, .n_domains = 2,
	};
}

static const char golden[] =
	"# HELP iosup_xen_type_change_unmaps_total IOMMU unmaps Xen made for the domain's pages leaving the writable type.\n"
	"# TYPE iosup_xen_type_change_unmaps_total counter\n"
	"iosup_xen_type_change_unmaps_total{domid=\"0\",domain=\"Domain-0\"} 900\n"
	"# HELP iosup_xen_type_change_maps_total IOMMU maps Xen made for the domain's pages going back to the writable type.\n"
	"# TYPE iosup_xen_type_change_maps_total counter\n"
	"iosup_xen_type_change_maps_total{domid=\"0\",domain=\"Domain-0\"} 880\n"
	"# HELP iosup_xen_iotlb_page_invalidations_total Page-selective IOTLB invalidations Xen issued for the domain.\n"
	"# TYPE iosup_xen_iotlb_page_invalidations_total counter\n"
	"iosup_xen_iotlb_page_invalidations_total{domid=\"0\",domain=\"Domain-0\"} 1234\n"
	"# HELP iosup_xen_device_iotlb_invalidations_total Device-IOTLB (ATS) invalidations Xen issued for the domain's devices.\n"
	"# TYPE iosup_xen_device_iotlb_invalidations_total counter\n"
	"iosup_xen_device_iotlb_invalidations_total{domid=\"0\",domain=\"Domain-0\"} 1250\n"
	"# HELP iosup_xen_failed_invalidations_total IOMMU invalidations for the domain that the IOMMU did not complete.\n"
	"# TYPE iosup_xen_failed_invalidations_total counter\n"
	"iosup_xen_failed_invalidations_total{domid=\"0\",domain=\"Domain-0\"} 0\n"
	"# HELP iosup_pool_tables Page tables in the level's pool (a table is a page; level 4's a pgd pair, two).\n"
	"# TYPE iosup_pool_tables gauge\n"
	"iosup_pool_tables{domid=\"0\",domain=\"Domain-0\",level=\"1\"} 96\n"
	"iosup_pool_tables{domid=\"0\",domain=\"Domain-0\",level=\"2\"} 2\n"
	"iosup_pool_tables{domid=\"0\",domain=\"Domain-0\",level=\"3\"} 0\n"
	"iosup_pool_tables{domid=\"0\",domain=\"Domain-0\",level=\"4\"} 1\n"
	"iosup_pool_tables{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"1\"} 10\n"
	"iosup_pool_tables{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"2\"} 0\n"
	"# HELP iosup_pool_limit_tables Page tables the level's pool may hold.\n"
	"# TYPE iosup_pool_limit_tables gauge\n"
	"iosup_pool_limit_tables{domid=\"0\",domain=\"Domain-0\",level=\"1\"} 128\n"
	"iosup_pool_limit_tables{domid=\"0\",domain=\"Domain-0\",level=\"2\"} 16\n"
	"iosup_pool_limit_tables{domid=\"0\",domain=\"Domain-0\",level=\"3\"} 0\n"
	"iosup_pool_limit_tables{domid=\"0\",domain=\"Domain-0\",level=\"4\"} 8\n"
	"iosup_pool_limit_tables{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"1\"} 20\n"
	"iosup_pool_limit_tables{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"2\"} 0\n"
	"# HELP iosup_pool_free_ratio The level's free ratio, a share of its tables in use (0: its limit alone bounds it).\n"
	"# TYPE iosup_pool_free_ratio gauge\n"
	"iosup_pool_free_ratio{domid=\"0\",domain=\"Domain-0\",level=\"1\"} 0.25\n"
	"iosup_pool_free_ratio{domid=\"0\",domain=\"Domain-0\",level=\"2\"} 0.00\n"
	"iosup_pool_free_ratio{domid=\"0\",domain=\"Domain-0\",level=\"3\"} 0.00\n"
	"iosup_pool_free_ratio{domid=\"0\",domain=\"Domain-0\",level=\"4\"} 1.50\n"
	"# HELP iosup_pool_hits_total Page tables the level's pool handed out.\n"
	"# TYPE iosup_pool_hits_total counter\n"
	"iosup_pool_hits_total{domid=\"0\",domain=\"Domain-0\",level=\"1\"} 5000\n"
	"iosup_pool_hits_total{domid=\"0\",domain=\"Domain-0\",level=\"2\"} 40\n"
	"iosup_pool_hits_total{domid=\"0\",domain=\"Domain-0\",level=\"3\"} 0\n"
	"iosup_pool_hits_total{domid=\"0\",domain=\"Domain-0\",level=\"4\"} 30\n"
	"iosup_pool_hits_total{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"1\"} 3\n"
	"iosup_pool_hits_total{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"2\"} 0\n"
	"# HELP iosup_pool_misses_total Page tables asked of the level's pool when it had none.\n"
	"# TYPE iosup_pool_misses_total counter\n"
	"iosup_pool_misses_total{domid=\"0\",domain=\"Domain-0\",level=\"1\"} 48\n"
	"iosup_pool_misses_total{domid=\"0\",domain=\"Domain-0\",level=\"2\"} 1\n"
	"iosup_pool_misses_total{domid=\"0\",domain=\"Domain-0\",level=\"3\"} 0\n"
	"iosup_pool_misses_total{domid=\"0\",domain=\"Domain-0\",level=\"4\"} 2\n"
	"iosup_pool_misses_total{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"1\"} 4\n"
	"iosup_pool_misses_total{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"2\"} 0\n"
	"# HELP iosup_pool_shrunk_tables_total Page tables the kernel's shrinker took from the level's pool.\n"
	"# TYPE iosup_pool_shrunk_tables_total counter\n"
	"iosup_pool_shrunk_tables_total{domid=\"0\",domain=\"Domain-0\",level=\"1\"} 7\n"
	"# HELP iosup_decisions_total Limits and free ratios iosupd changed (or, observing, would have), by reason.\n"
	"# TYPE iosup_decisions_total counter\n"
	"iosup_decisions_total{domid=\"0\",domain=\"Domain-0\",level=\"1\",reason=\"seed\"} 1\n"
	"iosup_decisions_total{domid=\"0\",domain=\"Domain-0\",level=\"1\",reason=\"grow\"} 3\n"
	"iosup_decisions_total{domid=\"0\",domain=\"Domain-0\",level=\"1\",reason=\"shrink\"} 0\n"
	"iosup_decisions_total{domid=\"0\",domain=\"Domain-0\",level=\"1\",reason=\"pressure\"} 0\n"
	"iosup_decisions_total{domid=\"0\",domain=\"Domain-0\",level=\"1\",reason=\"release\"} 0\n";

static char *render(const struct metrics_period *p, size_t *len)
{
	char *text = NULL;

	ASSERT_EQ(metrics_render(p, &text, len), 0);
	ASSERT_EQ(strlen(text), *len);
	return text;
}

static void test_golden(void)
{
	struct metrics_domain doms[2];
	struct metrics_period p;
	const char *tail;
	size_t len;
	char *text;

	fixed_period(doms, &p);
	text = render(&p, &len);
	/* The head, line by line, then the rest as a whole. */
	if (strncmp(text, golden, strlen(golden))) {
		fprintf(stderr, "rendered:\n%s\nexpected to start with:\n%s\n", text, golden);
		ASSERT_TRUE(0);
	}
	tail = text + strlen(golden);
	/* Level 2 of dom0 and the domU's levels have every action reason at 0. */
	ASSERT_TRUE(strstr(tail, "iosup_decisions_total{domid=\"7\",domain=\"web\\\"}\\\\\\niosup_evil 1???\",level=\"1\",reason=\"shrink\"} 2\n") != NULL);
	ASSERT_TRUE(strstr(tail, "reason=\"hold\"") == NULL);
	ASSERT_TRUE(strstr(tail, "level=\"3\",reason=\"grow\"} 0\n") != NULL);
	ASSERT_TRUE(strstr(text, "# EOF") == NULL);
	ASSERT_TRUE(strstr(tail, "# TYPE iosup_periods_total counter\niosup_periods_total 42\n") != NULL);
	ASSERT_TRUE(strstr(tail, "# TYPE iosup_period_duration_seconds gauge\n"
				 "iosup_period_duration_seconds 1.234567\n") != NULL);
	/* The file ends with the duration, one newline, nothing after. */
	ASSERT_TRUE(len > 1 && text[len - 1] == '\n' && text[len - 2] != '\n');
	/* 5 reasons * (4 + 2 levels), plus dom0 L1's seed. */
	{
		size_t n = 0;
		const char *q = text;

		while ((q = strstr(q, "\niosup_decisions_total{"))) {
			n++;
			q++;
		}
		ASSERT_EQ(n, 4 * (4 + 2) + 1);
	}
	free(text);
}

/* Whatever a guest writes, every sample stays one line with closed labels. */
static void test_hostile_names(void)
{
	static const char *const names[] = {
		"\\", "\"", "\n", "\\n", "a\"b\\c\nd", "}\n# TYPE x counter", "\r\t\x7f\xff", "",
	};
	struct metrics_domain d = { .have_xen = true };
	struct metrics_period p = { .domains = &d, .n_domains = 1 };
	size_t i, len;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *text, *line, *save = NULL;

		d.name = names[i];
		text = render(&p, &len);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *v;

			if (line[0] == '#')
				continue;
			ASSERT_TRUE(!strncmp(line, "iosup_", 6));
			v = strstr(line, "domain=\"");
			if (!v)
				continue;
			/* The label's value ends at the first quote that is not escaped. */
			for (v += 8; *v && *v != '"'; v++)
				if (*v == '\\') {
					v++;
					ASSERT_TRUE(*v == '\\' || *v == '"' || *v == 'n');
				} else {
					ASSERT_TRUE(*v >= 0x20 && *v <= 0x7e);
				}
			ASSERT_TRUE(!strcmp(v, "\"} 0"));
		}
		free(text);
	}
	/* NULL is a name not known. */
	d.name = NULL;
	{
		char *text = render(&p, &len);

		ASSERT_TRUE(strstr(text, "{domid=\"0\",domain=\"\"} 0\n") != NULL);
		free(text);
	}
}

static void test_escape(void)
{
	char out[8];

	metrics_escape_label(out, sizeof(out), "a\\b\"c\nd");
	/* Cut before an escape rather than through it: a\\b\" is 6, \n would make 8. */
	ASSERT_STREQ(out, "a\\\\b\\\"c");
	metrics_escape_label(out, sizeof(out), "\\\\\\\\");
	ASSERT_STREQ(out, "\\\\\\\\\\\\");
	metrics_escape_label(out, 1, "abc");
	ASSERT_STREQ(out, "");
	metrics_escape_label(out, sizeof(out), "\x80\x1b[0m");
	ASSERT_STREQ(out, "??[0m");
}

/* Nothing but iosup.prom in @dir, and it holds @text. */
static void assert_only_file(const char *dir, const char *text)
{
	char path[512], buf[8192];
	struct dirent *e;
	struct stat st;
	size_t n;
	FILE *f;
	DIR *d;

	d = opendir(dir);
	ASSERT_TRUE(d != NULL);
	n = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (strcmp(e->d_name, METRICS_FILE)) {
			fprintf(stderr, "left in %s: %s\n", dir, e->d_name);
			ASSERT_TRUE(0);
		}
		n++;
	}
	closedir(d);
	ASSERT_EQ(n, 1);
	snprintf(path, sizeof(path), "%s/" METRICS_FILE, dir);
	ASSERT_EQ(stat(path, &st), 0);
	/* node-exporter reads it as another user, whatever iosupd's umask. */
	ASSERT_EQ(st.st_mode & 07777, 0644);
	f = fopen(path, "re");
	ASSERT_TRUE(f != NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ASSERT_STREQ(buf, text);
}

static void test_write(void)
{
	struct metrics_domain doms[2];
	struct metrics_period p;
	char dir[] = "/tmp/test-metrics.XXXXXX", path[512];
	char *text;
	size_t len;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	umask(0077);
	fixed_period(doms, &p);
	text = render(&p, &len);
	ASSERT_EQ(metrics_write(dir, text, len), 0);
	assert_only_file(dir, text);
	free(text);
	/* A second write replaces the first and leaves no temp file either. */
	p.periods = 43;
	text = render(&p, &len);
	ASSERT_EQ(metrics_write(dir, text, len), 0);
	assert_only_file(dir, text);

	/* Metrics off: "" writes nothing, and the file stays as it was. */
	ASSERT_EQ(metrics_write("", "x\n", 2), 0);
	assert_only_file(dir, text);
	free(text);
	/* Stopping removes it; a second time, or metrics off, is no error. */
	ASSERT_EQ(metrics_remove(""), 0);
	ASSERT_EQ(metrics_remove(dir), 0);
	snprintf(path, sizeof(path), "%s/" METRICS_FILE, dir);
	ASSERT_TRUE(access(path, F_OK) != 0);
	ASSERT_EQ(metrics_remove(dir), 0);

	/* A directory that is not there: -ENOENT, nothing created. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	ASSERT_EQ(metrics_write(path, "x\n", 2), -ENOENT);
	ASSERT_EQ(rmdir(dir), 0);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "render")) {
		struct metrics_domain doms[2];
		struct metrics_period p;
		size_t len;
		char *text;

		fixed_period(doms, &p);
		text = render(&p, &len);
		fwrite(text, 1, len, stdout);
		free(text);
		return 0;
	}
	test_golden();
	test_hostile_names();
	test_escape();
	test_write();
	printf("metrics: all passed\n");
	return 0;
}
