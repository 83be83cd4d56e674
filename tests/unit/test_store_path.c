// SPDX-License-Identifier: GPL-2.0-only
/* xenstore paths, strict numbers, and what watch events mean. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "assert.h"
#include "store-path.h"

static void test_numbers(void)
{
	uint64_t v = 42;
	unsigned int id = 42;

	ASSERT_EQ(iosup_store_parse_u64("0", 1, 10, &v), 0);
	ASSERT_EQ(v, 0);
	ASSERT_EQ(iosup_store_parse_u64("123", 3, 1000, &v), 0);
	ASSERT_EQ(v, 123);
	/* Only @len bytes count. */
	ASSERT_EQ(iosup_store_parse_u64("12x", 2, 1000, &v), 0);
	ASSERT_EQ(v, 12);
	ASSERT_EQ(iosup_store_parse_u64("18446744073709551615", 20, UINT64_MAX, &v), 0);
	ASSERT_TRUE(v == UINT64_MAX);

	v = 42;
	ASSERT_EQ(iosup_store_parse_u64("18446744073709551616", 20, UINT64_MAX, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("99999999999999999999", 20, UINT64_MAX, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("1001", 4, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("", 0, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("007", 3, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("-1", 2, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("+1", 2, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64(" 1", 2, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("1 ", 2, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("0x10", 4, 1000, &v), -EINVAL);
	ASSERT_EQ(iosup_store_parse_u64("1\0", 2, 1000, &v), -EINVAL);
	ASSERT_EQ(v, 42);

	ASSERT_EQ(iosup_store_parse_domid("0", 1, &id), 0);
	ASSERT_EQ(id, 0);
	ASSERT_EQ(iosup_store_parse_domid("32751", 5, &id), 0);
	ASSERT_EQ(id, 32751);
	ASSERT_EQ(iosup_store_parse_domid("32752", 5, &id), -EINVAL);	/* DOMID_FIRST_RESERVED */
	ASSERT_EQ(iosup_store_parse_domid("65535", 5, &id), -EINVAL);
	ASSERT_EQ(iosup_store_parse_domid("4294967297", 10, &id), -EINVAL);
	ASSERT_EQ(id, 32751);
}

static void test_paths(void)
{
	char buf[IOSUP_STORE_PATH_MAX];
	char tiny[20];

	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), IOSUP_STORE_DEFAULT, NULL), 0);
	ASSERT_STREQ(buf, "/iosup/policy/default");
	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), 7, "max_pages"), 0);
	ASSERT_STREQ(buf, "/iosup/policy/7/max_pages");
	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), 0, "mode"), 0);
	ASSERT_STREQ(buf, "/iosup/policy/0/mode");
	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), 32752, NULL), -EINVAL);
	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), IOSUP_STORE_ALL, NULL), -EINVAL);
	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), 1, "a/b"), -EINVAL);
	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), 1, ""), -EINVAL);
	ASSERT_EQ(iosup_store_policy_path(buf, sizeof(buf), 1, "a b"), -EINVAL);
	ASSERT_EQ(iosup_store_policy_path(tiny, sizeof(tiny), 1, "max_pages"), -ENAMETOOLONG);

	ASSERT_EQ(iosup_store_target_path(buf, sizeof(buf), 5, 2), 0);
	ASSERT_STREQ(buf, "/local/domain/5/control/iosup/target-l2");
	ASSERT_EQ(iosup_store_target_path(buf, sizeof(buf), 5, 0), 0);
	ASSERT_STREQ(buf, "/local/domain/5/control/iosup");
	ASSERT_EQ(iosup_store_target_path(buf, sizeof(buf), 5, 5), -EINVAL);
	ASSERT_EQ(iosup_store_target_path(buf, sizeof(buf), 32752, 1), -EINVAL);
	ASSERT_EQ(iosup_store_target_path(tiny, sizeof(tiny), 5, 1), -ENAMETOOLONG);
	ASSERT_EQ(iosup_store_ratio_path(buf, sizeof(buf), 5, 3), 0);
	ASSERT_STREQ(buf, "/local/domain/5/control/iosup/ratio-l3");
	ASSERT_EQ(iosup_store_ratio_path(buf, sizeof(buf), 5, 0), 0);
	ASSERT_STREQ(buf, "/local/domain/5/control/iosup");
	ASSERT_EQ(iosup_store_ratio_path(buf, sizeof(buf), 5, 5), -EINVAL);
	ASSERT_EQ(iosup_store_guest_stats_path(buf, sizeof(buf), 5, 4), 0);
	ASSERT_STREQ(buf, "/local/domain/5/data/iosup/level-4");
	ASSERT_EQ(iosup_store_guest_stats_path(buf, sizeof(buf), 5, 0), 0);
	ASSERT_STREQ(buf, "/local/domain/5/data/iosup");
	ASSERT_EQ(iosup_store_guest_stats_path(buf, sizeof(buf), 5, 5), -EINVAL);
	ASSERT_EQ(iosup_store_guest_stats_path(buf, sizeof(buf), 32752, 1), -EINVAL);
	ASSERT_EQ(iosup_store_guest_stats_path(tiny, sizeof(tiny), 5, 1), -ENAMETOOLONG);
	ASSERT_EQ(iosup_store_domain_path(buf, sizeof(buf), 32751, NULL), 0);
	ASSERT_STREQ(buf, "/local/domain/32751");
}

static void watch(const char *path, const char *token, enum iosup_store_watch want,
		  int want_domid)
{
	enum iosup_store_watch what;
	int domid = 12345;
	char err[160] = "";

	ASSERT_EQ(iosup_store_classify(path, token, &what, &domid, err, sizeof(err)), 0);
	ASSERT_EQ(what, want);
	if (want == IOSUP_STORE_WATCH_POLICY)
		ASSERT_EQ(domid, want_domid);
}

static void bad_watch(const char *path, const char *token, const char *message)
{
	enum iosup_store_watch what;
	int domid;
	char err[160] = "";

	ASSERT_EQ(iosup_store_classify(path, token, &what, &domid, err, sizeof(err)), -EINVAL);
	ASSERT_EQ(what, IOSUP_STORE_WATCH_IGNORED);
	if (!strstr(err, message)) {
		fprintf(stderr, "expected '%s' in '%s'\n", message, err);
		ASSERT_TRUE(0);
	}
	printf("  refused: %s\n", err);
}

static void test_watches(void)
{
	const char *p = IOSUP_STORE_TOKEN_POLICY, *d = IOSUP_STORE_TOKEN_DOMAINS;

	watch("@introduceDomain", d, IOSUP_STORE_WATCH_DOMAINS, 0);
	watch("@releaseDomain", d, IOSUP_STORE_WATCH_DOMAINS, 0);
	/* The registration's own event, or the whole tree removed. */
	watch("/iosup/policy", p, IOSUP_STORE_WATCH_POLICY, IOSUP_STORE_ALL);
	watch("/iosup/policy/default", p, IOSUP_STORE_WATCH_POLICY, IOSUP_STORE_DEFAULT);
	watch("/iosup/policy/default/mode", p, IOSUP_STORE_WATCH_POLICY, IOSUP_STORE_DEFAULT);
	watch("/iosup/policy/7", p, IOSUP_STORE_WATCH_POLICY, 7);
	watch("/iosup/policy/0/max_pages", p, IOSUP_STORE_WATCH_POLICY, 0);
	watch("/iosup/policy/32751/x/y", p, IOSUP_STORE_WATCH_POLICY, 32751);

	bad_watch("/iosup/policy/abc/mode", p, "'abc' is neither a domain id nor 'default'");
	bad_watch("/iosup/policy/07", p, "'07' is neither");
	bad_watch("/iosup/policy/32752", p, "'32752' is neither");
	bad_watch("/iosup/policy/defaultx", p, "'defaultx' is neither");
	bad_watch("/iosup/policy/\x01\x7f", p, "'?" "?' is neither");
	bad_watch("/iosup/policyx", p, "outside /iosup/policy");
	bad_watch("/iosup", p, "outside /iosup/policy");
	bad_watch("/iosup/policy/1", "someone-else", "a token not ours: 'someone-else'");
}

int main(void)
{
	test_numbers();
	test_paths();
	test_watches();
	printf("store paths: ok\n");
	return 0;
}
