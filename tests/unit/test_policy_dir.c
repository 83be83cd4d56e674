// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy.d/ *.conf: a file by name and one by UUID, every kind of bad
 * file (each named with its line and left out whole, the others kept),
 * two files for one domain, and which file a domain gets.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assert.h"
#include "policy-dir.h"

static int parse(const char *text, struct policy_file *f, char *err)
{
	return policy_file_parse("web.conf", text, strlen(text), f, err, 256);
}

static void test_parse(void)
{
	struct policy_file f;
	char err[256] = "";

	ASSERT_EQ(parse("# the web zone\nname = web\nmax_pages = 8192\n\nmode=observe\n", &f, err), 0);
	ASSERT_STREQ(f.name, "web.conf");
	ASSERT_TRUE(!f.by_uuid);
	ASSERT_STREQ(f.match, "web");
	ASSERT_TRUE(f.policy.set[POLICY_MAX_PAGES] && f.policy.max_pages == 8192);
	ASSERT_EQ(f.line[POLICY_MAX_PAGES], 3);
	ASSERT_EQ(f.line[POLICY_MODE], 5);
	ASSERT_TRUE(!f.policy.set[POLICY_MIN_PAGES]);

	ASSERT_EQ(parse("uuid = 0B7C1E2A-0000-4000-8000-00163E5A9F01\ntarget_flush_rate = 50\n", &f, err), 0);
	ASSERT_TRUE(f.by_uuid);
	ASSERT_STREQ(f.match, "0b7c1e2a-0000-4000-8000-00163e5a9f01");
	ASSERT_EQ(f.policy.target_flush_rate, 50);
}

static void bad(const char *text, const char *message)
{
	struct policy_file f = { .match = "untouched" };
	char err[256] = "";

	ASSERT_EQ(parse(text, &f, err), -EINVAL);
	if (!strstr(err, message)) {
		fprintf(stderr, "for '%s': expected '%s' in '%s'\n", text, message, err);
		ASSERT_TRUE(0);
	}
	ASSERT_STREQ(f.match, "untouched");
}

static void test_bad(void)
{
	bad("max_pages = 8\n", "web.conf:1: no 'name =' or 'uuid ='");
	bad("", "web.conf:0: no 'name =' or 'uuid ='");
	bad("name = web\nuuid = 0b7c1e2a-0000-4000-8000-00163e5a9f01\n",
	    "web.conf:2: uuid: the file already names its domain (by name)");
	bad("name = web\nname = db\n", "web.conf:2: name: the file already names");
	bad("name = a web\n", "web.conf:1: name: 'a web' is not a domain name");
	bad("uuid = 0b7c1e2a00004000800000163e5a9f01\n", "web.conf:1: uuid: '0b7c1e2a00004000800000163e5a9f01' is not a UUID");
	bad("uuid = 0b7c1e2a-0000-4000-8000-00163e5a9f0g\n", "is not a UUID");
	bad("name = web\nmax_pages = lots\n", "web.conf:2: max_pages: 'lots' is not a number");
	bad("name = web\nmode = sometimes\n", "web.conf:2: mode: 'sometimes' is not enforce, observe or off");
	bad("name = web\nmax_pages = 1\n\nmax_pages = 2\n", "web.conf:4: max_pages: set twice (first on line 2)");
	bad("name = web\nfree = 1\n", "web.conf:2: unknown key 'free'");
	bad("name = web\nmin_pages = 9\nmax_pages = 8\n", "web.conf:2: min_pages (9) is above max_pages (8)");
	bad("name = web\njust words\n", "web.conf:2: expected 'key = value'");
}

static char dir[] = "/tmp/test-policy-dir.XXXXXX";
static char said[8][512];
static int n_said;

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fputs(text, f) >= 0);
	ASSERT_EQ(fclose(f), 0);
}

static void on_bad(void *data, const char *err)
{
	(void)data;
	ASSERT_TRUE(n_said < 8);
	snprintf(said[n_said++], sizeof(said[0]), "%s", err);
}

static bool was_said(const char *what)
{
	int i;

	for (i = 0; i < n_said; i++)
		if (strstr(said[i], what))
			return true;
	return false;
}

static void test_dir(void)
{
	struct policy_dir d = { 0 };
	const struct policy_file *f;
	char path[128], big[20000];

	/* No directory: no files, no error. */
	ASSERT_EQ(policy_dir_load("/nonexistent/policy.d", &d, on_bad, NULL), 0);
	ASSERT_EQ(d.n, 0);

	ASSERT_TRUE(mkdtemp(dir));
	put("10-web.conf", "name = web\nmax_pages = 8192\n");
	put("20-db.conf", "uuid = 0b7c1e2a-0000-4000-8000-00163e5a9f01\nmode = observe\n");
	/* Another file for the web zone: refused whole, the first kept. */
	put("30-web-again.conf", "name = web\nmax_pages = 1\n");
	/* A bad line: nothing of the file, not even its good lines. */
	put("40-broken.conf", "name = cache\nmode = observe\nmax_pages = -1\n");
	put("README", "not a .conf: not read\n");
	put(".hidden.conf", "name = hidden\n");
	memset(big, '#', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	put("50-big.conf", big);
	snprintf(path, sizeof(path), "%s/60-dir.conf", dir);
	ASSERT_EQ(mkdir(path, 0700), 0);

	ASSERT_EQ(policy_dir_load(dir, &d, on_bad, NULL), 4);
	ASSERT_EQ(d.n, 2);
	ASSERT_TRUE(was_said("/30-web-again.conf: name 'web' is already named by 10-web.conf; nothing of it applied"));
	ASSERT_TRUE(was_said("/40-broken.conf:3: max_pages: '-1' is not a number"));
	ASSERT_TRUE(was_said("/50-big.conf: larger than 16 KiB"));
	ASSERT_TRUE(was_said("/60-dir.conf: not a regular file"));

	/* A domain gets its UUID's file first, else its name's. */
	f = policy_dir_find(&d, "web", NULL);
	ASSERT_TRUE(f && !strcmp(f->name, "10-web.conf") && f->policy.max_pages == 8192);
	f = policy_dir_find(&d, "web", "0b7c1e2a-0000-4000-8000-00163e5a9f01");
	ASSERT_TRUE(f && !strcmp(f->name, "20-db.conf"));
	ASSERT_TRUE(policy_dir_find(&d, "cache", "") == NULL);
	ASSERT_TRUE(policy_dir_find(&d, "", NULL) == NULL);
	ASSERT_TRUE(policy_dir_find(&d, "hidden", NULL) == NULL);

	/* Loaded again: the same, not doubled. */
	n_said = 0;
	ASSERT_EQ(policy_dir_load(dir, &d, on_bad, NULL), 4);
	ASSERT_EQ(d.n, 2);
	policy_dir_free(&d);
	ASSERT_EQ(d.n, 0);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ASSERT_EQ(system(path), 0);
}

int main(void)
{
	test_parse();
	test_bad();
	test_dir();
	printf("policy-dir: all passed\n");
	return 0;
}
