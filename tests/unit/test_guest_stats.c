// SPDX-License-Identifier: GPL-2.0-only
/*
 * A domU's pool stats as its agent writes them, and each way a value it
 * should not have written is refused, the message naming what was wrong.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/iosup.h>

#include "assert.h"
#include "guest-stats.h"

static const struct ctl_level_sample untouched = {
	.hits = 1, .misses = 2, .pool = 3, .limit = 4,
};

static struct ctl_level_sample good(const char *value)
{
	struct ctl_level_sample s = untouched;
	char err[160] = "";

	if (iosup_guest_stats_parse(value, strlen(value), &s, err, sizeof(err), NULL)) {
		fprintf(stderr, "'%s' refused: %s\n", value, err);
		ASSERT_TRUE(0);
	}
	return s;
}

/*
 * @value (@len bytes) refused as a fault of kind @kind, with @want as the
 * message; @out untouched.
 */
static void bad_kind_len(const char *value, size_t len, enum iosup_guest_fault kind,
			 const char *want)
{
	struct ctl_level_sample s = untouched;
	enum iosup_guest_fault fault = IOSUP_GUEST_FAULTS;
	char err[160] = "";

	ASSERT_EQ(iosup_guest_stats_parse(value, len, &s, err, sizeof(err), &fault), -EINVAL);
	ASSERT_STREQ(err, want);
	ASSERT_EQ(fault, kind);
	/* Field by field: memcmp would also compare the padding after limit,
	 * which a struct assignment need not copy. */
	ASSERT_EQ(s.hits, untouched.hits);
	ASSERT_EQ(s.misses, untouched.misses);
	ASSERT_EQ(s.pool, untouched.pool);
	ASSERT_EQ(s.limit, untouched.limit);
}

static void bad_len(const char *value, size_t len, const char *want)
{
	bad_kind_len(value, len, IOSUP_GUEST_FAULT_MALFORMED, want);
}

static void bad(const char *value, const char *want)
{
	bad_len(value, strlen(value), want);
}

static void bad_kind(const char *value, enum iosup_guest_fault kind, const char *want)
{
	bad_kind_len(value, strlen(value), kind, want);
}

static void test_good(void)
{
	struct ctl_level_sample s;

	s = good("hits=10 misses=20 pool=30 limit=40");
	ASSERT_EQ(s.hits, 10);
	ASSERT_EQ(s.misses, 20);
	ASSERT_EQ(s.pool, 30);
	ASSERT_EQ(s.limit, 40);

	/* Any order. */
	s = good("limit=0 pool=0 misses=0 hits=0");
	ASSERT_EQ(s.hits + s.misses + s.pool + s.limit, 0);

	/* The bounds themselves, and a pool above its limit (shrinking). */
	s = good("hits=18446744073709551615 misses=18446744073709551615 pool=4294967296 limit=262144");
	ASSERT_TRUE(s.hits == UINT64_MAX && s.misses == UINT64_MAX);
	ASSERT_TRUE(s.pool == UINT64_C(4294967296));
	ASSERT_EQ(s.limit, 262144);
	s = good("hits=1 misses=2 pool=500 limit=100");
	ASSERT_EQ(s.pool, 500);

	/* Only @len bytes count: xenstore values carry no NUL. */
	s = untouched;
	{
		char err[160];
		const char *v = "hits=1 misses=2 pool=3 limit=5 and more";

		ASSERT_EQ(iosup_guest_stats_parse(v, 30, &s, err, sizeof(err), NULL), 0);
		ASSERT_EQ(s.limit, 5);
	}
	printf("good: ok\n");
}

/* What the module's agent writes, from the one format both sides share. */
static void test_agent_format(void)
{
	char v[IOSUP_XS_STATS_MAX + 1];
	struct ctl_level_sample s;
	int n;

	n = snprintf(v, sizeof(v), IOSUP_XS_STATS_FMT, 7ULL, 8ULL, 9ULL, 10U);
	ASSERT_TRUE(n > 0 && n < (int)sizeof(v));
	s = good(v);
	ASSERT_TRUE(s.hits == 7 && s.misses == 8 && s.pool == 9 && s.limit == 10);
	/* The longest it can write still fits the bound. */
	n = snprintf(v, sizeof(v), IOSUP_XS_STATS_FMT, (unsigned long long)UINT64_MAX,
		     (unsigned long long)UINT64_MAX, (unsigned long long)IOSUP_XS_POOL_MAX,
		     IOSUP_LIMIT_MAX);
	ASSERT_TRUE(n > 0 && n <= IOSUP_XS_STATS_MAX);
	s = good(v);
	ASSERT_EQ(s.limit, IOSUP_LIMIT_MAX);
	printf("agent format: ok\n");
}

static void test_shape(void)
{
	char longest[IOSUP_GUEST_STATS_MAX + 2];

	bad("", "empty");
	memset(longest, ' ', sizeof(longest));
	memcpy(longest, "hits=1 misses=2 pool=3 limit=4", 30);
	bad_kind_len(longest, IOSUP_GUEST_STATS_MAX + 1, IOSUP_GUEST_FAULT_OVERSIZE,
		     "129 bytes, more than the 128 a report takes");
	bad_len("hits=1 misses=2\0pool=3 limit=4", 30, "a NUL byte at offset 15");
	bad_len("hits=1 misses=2 pool=3 limit=4\0", 31, "a NUL byte at offset 30");
	bad(" hits=1 misses=2 pool=3 limit=4",
	    "an empty field at offset 0 (one space between fields, none at the ends)");
	bad("hits=1  misses=2 pool=3 limit=4",
	    "an empty field at offset 7 (one space between fields, none at the ends)");
	bad("hits=1 misses=2 pool=3 limit=4 ",
	    "an empty field at offset 31 (one space between fields, none at the ends)");
	bad("hits=1\tmisses=2 pool=3 limit=4", "hits: '1?misses=2' is not a decimal number");
	bad("hits=1 misses pool=3 limit=4", "'misses': not key=value");
	printf("shape: ok\n");
}

static void test_keys(void)
{
	bad_kind("hits=1 misses=2 pool=3 limit=4 free=5", IOSUP_GUEST_FAULT_KEY,
	    "'free': not a stats key (hits, misses, pool, limit)");
	bad_kind("hits=1 misses=2 pool=3 Limit=4", IOSUP_GUEST_FAULT_KEY,
	    "'Limit': not a stats key (hits, misses, pool, limit)");
	bad_kind("=1 misses=2 pool=3 limit=4", IOSUP_GUEST_FAULT_KEY,
		 "'': not a stats key (hits, misses, pool, limit)");
	bad("hits=1 misses=2 pool=3 limit=4 hits=1", "hits: given twice");
	bad("hits=1 hits=1 misses=2 pool=3 limit=4", "hits: given twice");
	bad("hits=1 misses=2 pool=3", "limit: missing");
	bad("misses=2 pool=3 limit=4", "hits: missing");
	bad("hits=1", "misses: missing");
	printf("keys: ok\n");
}

static void test_values(void)
{
	bad("hits= misses=2 pool=3 limit=4", "hits: empty value");
	bad("hits=1 misses=2 pool=3 limit=", "limit: empty value");
	bad("hits=+1 misses=2 pool=3 limit=4", "hits: '+1': no sign allowed");
	bad("hits=1 misses=-2 pool=3 limit=4", "misses: '-2': no sign allowed");
	bad("hits=1 misses=2 pool=0x3 limit=4", "pool: '0x3' is not a decimal number");
	bad("hits=1 misses=2 pool=3 limit=4k", "limit: '4k' is not a decimal number");
	bad("hits=1 misses=2 pool=3 limit=4=4", "limit: '4=4' is not a decimal number");
	bad("hits=1 misses=2 pool=3 limit=\xff", "limit: '?' is not a decimal number");
	bad("hits=01 misses=2 pool=3 limit=4", "hits: '01' has a leading zero");
	bad_kind("hits=18446744073709551616 misses=2 pool=3 limit=4", IOSUP_GUEST_FAULT_BOUND,
	    "hits: 18446744073709551616 is above 18446744073709551615");
	bad_kind("hits=1 misses=99999999999999999999999999 pool=3 limit=4",
		 IOSUP_GUEST_FAULT_BOUND,
	    "misses: 999999999999999999999999... is above 18446744073709551615");
	bad_kind("hits=1 misses=2 pool=3 limit=262145", IOSUP_GUEST_FAULT_BOUND,
	    "limit: 262145 is above 262144, the most a pool may hold");
	bad_kind("hits=1 misses=2 pool=3 limit=4294967296", IOSUP_GUEST_FAULT_BOUND,
	    "limit: 4294967296 is above 262144, the most a pool may hold");
	bad_kind("hits=1 misses=2 pool=4294967297 limit=4", IOSUP_GUEST_FAULT_BOUND,
		 "pool: 4294967297 is above 4294967296");
	printf("values: ok\n");
}

/* A short err buffer is cut, never overrun. */
static void test_small_err(void)
{
	struct ctl_level_sample s = untouched;
	char err[8];

	memset(err, 'x', sizeof(err));
	ASSERT_EQ(iosup_guest_stats_parse("pool=1", 6, &s, err, 5, NULL), -EINVAL);
	ASSERT_STREQ(err, "hits");
	ASSERT_EQ(err[5], 'x');
	printf("small err: ok\n");
}

/*
 * A domU writing garbage in a loop: one warning per kind of fault a
 * minute, the ones not said counted and given with the next.
 */
static void test_warn_rate(void)
{
	struct iosup_guest_warnings w = { 0 };
	uint64_t suppressed = 99, t;
	unsigned int said = 0;

	/* The first of each kind is said, even at the clock's start. */
	ASSERT_TRUE(iosup_guest_warn_due(&w, IOSUP_GUEST_FAULT_MALFORMED, 0, &suppressed));
	ASSERT_EQ(suppressed, 0);
	ASSERT_TRUE(iosup_guest_warn_due(&w, IOSUP_GUEST_FAULT_BOUND, 10, &suppressed));
	ASSERT_EQ(suppressed, 0);
	/* A refusal every 100 ms for a minute and a half: said once more, at 60 s. */
	for (t = 100; t < 90000; t += 100) {
		suppressed = 99;
		if (iosup_guest_warn_due(&w, IOSUP_GUEST_FAULT_MALFORMED, t, &suppressed)) {
			said++;
			ASSERT_EQ(t, IOSUP_GUEST_WARN_MS);
			ASSERT_EQ(suppressed, IOSUP_GUEST_WARN_MS / 100 - 1);
		} else {
			ASSERT_EQ(suppressed, 99);
		}
	}
	ASSERT_EQ(said, 1);
	/* Another kind is not held back by the first's. */
	ASSERT_TRUE(iosup_guest_warn_due(&w, IOSUP_GUEST_FAULT_KEY, 90000, &suppressed));
	ASSERT_TRUE(!iosup_guest_warn_due(&w, IOSUP_GUEST_FAULT_BOUND, 59999, &suppressed));
	ASSERT_TRUE(iosup_guest_warn_due(&w, IOSUP_GUEST_FAULT_BOUND, 60010, &suppressed));
	ASSERT_EQ(suppressed, 1);
	/* A kind out of range counts as malformed, never out of the arrays. */
	ASSERT_TRUE(!iosup_guest_warn_due(&w, IOSUP_GUEST_FAULTS, 90000, &suppressed));
	ASSERT_STREQ(iosup_guest_fault_name(IOSUP_GUEST_FAULT_KEY), "unknown key");
	ASSERT_STREQ(iosup_guest_fault_name(IOSUP_GUEST_FAULT_BOUND), "out of bound");
	printf("warn rate: ok\n");
}

int main(void)
{
	test_good();
	test_agent_format();
	test_shape();
	test_keys();
	test_values();
	test_small_err();
	test_warn_rate();
	return 0;
}
