// SPDX-License-Identifier: GPL-2.0-only
/* Policy values as xenstore and iosupctl give them, and the layering. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "assert.h"
#include "policy.h"

static void bad(enum policy_key key, const char *value, size_t len, const char *message)
{
	struct policy p = { 0 }, before;
	char err[256] = "";

	before = p;
	ASSERT_EQ(policy_set(&p, key, value, len, err, sizeof(err)), -EINVAL);
	if (!strstr(err, message)) {
		fprintf(stderr, "expected '%s' in '%s'\n", message, err);
		ASSERT_TRUE(0);
	}
	ASSERT_TRUE(!memcmp(&p, &before, sizeof(p)));
	printf("  refused: %s\n", err);
}

static void test_values(void)
{
	struct policy p = { 0 };
	char err[256];

	/* Not NUL-terminated: only len bytes count. */
	ASSERT_EQ(policy_set(&p, POLICY_MODE, "observeXYZ", 7, err, sizeof(err)), 0);
	ASSERT_EQ(p.mode, IOSUP_MODE_OBSERVE);
	ASSERT_TRUE(p.set[POLICY_MODE]);
	ASSERT_EQ(policy_set(&p, POLICY_MAX_PAGES, "4096", 4, err, sizeof(err)), 0);
	ASSERT_EQ(p.max_pages, 4096);
	ASSERT_EQ(policy_set(&p, POLICY_TARGET_FLUSH_RATE, "0", 1, err, sizeof(err)), 0);
	ASSERT_TRUE(p.set[POLICY_TARGET_FLUSH_RATE]);
	ASSERT_TRUE(!p.set[POLICY_MIN_PAGES]);

	bad(POLICY_MODE, "fast", 4, "mode: 'fast' is not enforce, observe or off");
	bad(POLICY_MODE, "off\0", 4, "mode: 'off?'");
	bad(POLICY_MODE, "", 0, "mode: ''");
	bad(POLICY_MIN_PAGES, "-1", 2, "min_pages: '-1' is not a number from 0 to 262144");
	bad(POLICY_MIN_PAGES, " 5", 2, "min_pages: ' 5'");
	bad(POLICY_MAX_PAGES, "262145", 6, "max_pages: '262145'");
	bad(POLICY_MAX_PAGES, "12abc", 5, "max_pages: '12abc'");
	bad(POLICY_MAX_PAGES, "", 0, "max_pages: ''");
	bad(POLICY_TARGET_FLUSH_RATE, "1000001", 7, "target_flush_rate: '1000001' is not a number from 0 to 1000000");
	bad(POLICY_TARGET_FLUSH_RATE, "\x01\x02", 2, "target_flush_rate: '?" "?'");
	bad(POLICY_MAX_PAGES, "123456789012345678901234567890123456789", 39, "'...");
}

static void test_args(void)
{
	struct policy p = { 0 };
	char err[256];

	ASSERT_EQ(policy_set_arg(&p, "mode=off", err, sizeof(err)), 0);
	ASSERT_EQ(p.mode, IOSUP_MODE_OFF);
	ASSERT_EQ(policy_set_arg(&p, "min_pages=10", err, sizeof(err)), 0);
	ASSERT_EQ(p.min_pages, 10);
	ASSERT_EQ(policy_set_arg(&p, "colour=blue", err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "'colour': not a policy key") != NULL);
	ASSERT_EQ(policy_set_arg(&p, "mode", err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "expected key=value") != NULL);
	ASSERT_EQ(policy_set_arg(&p, "max_pages=", err, sizeof(err)), -EINVAL);
	ASSERT_EQ(policy_key_parse("max_pages", 9), POLICY_MAX_PAGES);
	ASSERT_EQ(policy_key_parse("max_page", 8), -1);
	ASSERT_STREQ(policy_key_name(POLICY_TARGET_FLUSH_RATE), "target_flush_rate");
}

/* config, default and domain layers, as policy_merge_layers() takes them */
static int merge(const struct policy *base, const struct policy *def, const struct policy *dom,
		 struct policy *out, char *err, size_t err_len)
{
	const struct policy *layers[POLICY_LAYERS] = {
		[POLICY_LAYER_CONFIG] = base,
		[POLICY_LAYER_DEFAULT] = def,
		[POLICY_LAYER_DOMAIN] = dom,
	};

	return policy_merge_layers(layers, out, NULL, err, err_len);
}

static void test_merge(void)
{
	struct iosup_config c;
	struct policy base, def = { 0 }, dom = { 0 }, out;
	char err[256] = "";

	config_defaults(&c);
	policy_from_config(&c, &base);
	ASSERT_EQ(merge(&base, NULL, NULL, &out, err, sizeof(err)), 0);
	ASSERT_EQ(out.max_pages, 4096);
	ASSERT_EQ(out.mode, IOSUP_MODE_ENFORCE);

	/* default, then the domain's own, key by key */
	policy_set_arg(&def, "mode=observe", err, sizeof(err));
	policy_set_arg(&def, "max_pages=1000", err, sizeof(err));
	policy_set_arg(&dom, "max_pages=2000", err, sizeof(err));
	ASSERT_EQ(merge(&base, &def, &dom, &out, err, sizeof(err)), 0);
	ASSERT_EQ(out.mode, IOSUP_MODE_OBSERVE);
	ASSERT_EQ(out.max_pages, 2000);
	ASSERT_EQ(out.min_pages, 0);

	/* A domain policy with min above max falls back to the default's. */
	policy_set_arg(&dom, "min_pages=3000", err, sizeof(err));
	ASSERT_EQ(merge(&base, &def, &dom, &out, err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "min_pages (3000) is above max_pages (2000)") != NULL);
	ASSERT_EQ(out.max_pages, 1000);
	ASSERT_EQ(out.min_pages, 0);
	ASSERT_EQ(out.mode, IOSUP_MODE_OBSERVE);

	/* A bad default falls back to the config's. */
	policy_set_arg(&def, "min_pages=5000", err, sizeof(err));
	ASSERT_EQ(merge(&base, &def, NULL, &out, err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "the default policy's min_pages (5000)") != NULL);
	ASSERT_EQ(out.max_pages, 4096);
	ASSERT_EQ(out.mode, IOSUP_MODE_ENFORCE);
}

/* The four layers: each key from the last that sets it, a bad layer dropped whole. */
static void test_layers(void)
{
	struct policy base, def = { 0 }, file = { 0 }, dom = { 0 }, out;
	const struct policy *layers[POLICY_LAYERS] = { &base, &def, &file, &dom };
	uint8_t from[POLICY_KEYS];
	struct iosup_config c;
	char err[256] = "";

	config_defaults(&c);
	policy_from_config(&c, &base);
	ASSERT_EQ(policy_set_arg(&def, "mode=observe", err, sizeof(err)), 0);
	ASSERT_EQ(policy_set_arg(&file, "mode=enforce", err, sizeof(err)), 0);
	ASSERT_EQ(policy_set_arg(&file, "max_pages=8192", err, sizeof(err)), 0);
	ASSERT_EQ(policy_set_arg(&dom, "target_flush_rate=50", err, sizeof(err)), 0);
	ASSERT_EQ(policy_merge_layers(layers, &out, from, err, sizeof(err)), 0);
	ASSERT_EQ(out.mode, IOSUP_MODE_ENFORCE);
	ASSERT_EQ(from[POLICY_MODE], POLICY_LAYER_FILE);
	ASSERT_EQ(out.max_pages, 8192);
	ASSERT_EQ(from[POLICY_MAX_PAGES], POLICY_LAYER_FILE);
	ASSERT_EQ(out.min_pages, 0);
	ASSERT_EQ(from[POLICY_MIN_PAGES], POLICY_LAYER_CONFIG);
	ASSERT_EQ(out.target_flush_rate, 50);
	ASSERT_EQ(from[POLICY_TARGET_FLUSH_RATE], POLICY_LAYER_DOMAIN);

	/* A file whose min is above the max it leaves: dropped, the live layer kept. */
	ASSERT_EQ(policy_set_arg(&file, "min_pages=9000", err, sizeof(err)), 0);
	ASSERT_EQ(policy_merge_layers(layers, &out, from, err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "the policy file's min_pages (9000) is above max_pages (8192)") != NULL);
	ASSERT_EQ(out.mode, IOSUP_MODE_OBSERVE);
	ASSERT_EQ(from[POLICY_MODE], POLICY_LAYER_DEFAULT);
	ASSERT_EQ(out.max_pages, 4096);
	ASSERT_EQ(from[POLICY_MAX_PAGES], POLICY_LAYER_CONFIG);
	ASSERT_EQ(out.target_flush_rate, 50);

	/* No file layer: NULL is skipped. */
	layers[POLICY_LAYER_FILE] = NULL;
	ASSERT_EQ(policy_merge_layers(layers, &out, from, err, sizeof(err)), 0);
	ASSERT_EQ(from[POLICY_MODE], POLICY_LAYER_DEFAULT);
}

int main(void)
{
	test_values();
	test_args();
	test_merge();
	test_layers();
	printf("policy: all passed\n");
	return 0;
}
