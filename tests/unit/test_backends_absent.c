// SPDX-License-Identifier: GPL-2.0-only
/*
 * The backends where what they speak to is absent, as on a build host: the
 * pool backend must say the module is not loaded (-ENOENT, which iosupd
 * turns into "pool unavailable" and a retry), the xenstore backend that
 * there is no xenstore (-ENODEV). Skipped, loudly, where the module is
 * loaded or Xen is running, since the answers are then different.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "assert.h"
#include "pool.h"
#include "store.h"

#define SKIP 77

static int test_pool(void)
{
	struct iosup_pool_nl *nl = NULL;
	struct iosup_pool_events *ev = NULL;
	int r;

	if (!access("/sys/module/iosup", F_OK)) {
		printf("SKIP pool: the iosup module is loaded here\n");
		return SKIP;
	}
	r = iosup_pool_open(&nl);
	if (r == -EAFNOSUPPORT || r == -EACCES || r == -EPERM) {
		printf("SKIP pool: no generic netlink here: %s\n", iosup_pool_strerror(r));
		return SKIP;
	}
	ASSERT_EQ(r, -ENOENT);
	ASSERT_TRUE(nl == NULL);
	ASSERT_EQ(iosup_pool_events_open(&ev), -ENOENT);
	ASSERT_TRUE(ev == NULL);
	ASSERT_STREQ(iosup_pool_strerror(r), "pool unavailable: the iosup module is not loaded");
	printf("pool: %s\n", iosup_pool_strerror(r));
	return 0;
}

static int test_store(void)
{
	struct iosup_store *s = NULL;
	char err[128] = "";
	int r;

	if (!access("/proc/xen/capabilities", F_OK) || !access("/dev/xen/xenbus", F_OK) ||
	    !access("/run/xenstored/socket", F_OK) || !access("/var/run/xenstored/socket", F_OK)) {
		printf("SKIP store: Xen or xenstored is here\n");
		return SKIP;
	}
	r = iosup_store_open(&s, err, sizeof(err));
	ASSERT_EQ(r, -ENODEV);
	ASSERT_TRUE(s == NULL);
	/* What iosupctl says: the system's own words for what was missing. */
	ASSERT_TRUE(!strncmp(err, "cannot reach xenstore: ", 23));
	printf("store: %s\n", err);
	printf("store: %s\n", iosup_store_strerror(r));
	return 0;
}

int main(void)
{
	int pool = test_pool(), store = test_store();

	/* Passed only if both ran; meson counts 77 as skipped, not passed. */
	return pool == SKIP || store == SKIP ? SKIP : 0;
}
