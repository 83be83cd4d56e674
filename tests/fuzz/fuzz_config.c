// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config parsers on arbitrary bytes, iosupd.conf's and a policy.d
 * file's: they must not crash, a failed parse must leave what it parses
 * into as it was, and a good one must hold what the files promise.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "policy-dir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A policy.d file: it names its domain, and min is not above max. */
static void policy_file(const uint8_t *data, size_t size)
{
	struct policy_file f, before;
	char err[256];

	memset(&f, 0xa5, sizeof(f));
	memcpy(&before, &f, sizeof(before));
	if (policy_file_parse("fuzz.conf", (const char *)data, size, &f, err, sizeof(err))) {
		if (memcmp(&f, &before, sizeof(f)) || !memchr(err, '\0', sizeof(err)))
			abort();
		return;
	}
	if (!f.match[0] || !memchr(f.match, '\0', sizeof(f.match)) ||
	    (f.policy.set[POLICY_MIN_PAGES] && f.policy.set[POLICY_MAX_PAGES] &&
	     f.policy.min_pages > f.policy.max_pages))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iosup_config c, before;
	char err[128];

	config_defaults(&c);
	/* memcpy, not =: an assignment need not copy the padding memcmp reads. */
	memcpy(&before, &c, sizeof(before));
	if (config_parse("fuzz", (const char *)data, size, &c, err, sizeof(err)) &&
	    memcmp(&c, &before, sizeof(c)))
		abort();
	if (c.min_pages > c.max_pages || c.period_ms < 500)
		abort();
	/* metrics_dir: off, or an absolute path, NUL-terminated in its room. */
	if (!memchr(c.metrics_dir, '\0', sizeof(c.metrics_dir)) ||
	    (c.metrics_dir[0] && c.metrics_dir[0] != '/'))
		abort();
	policy_file(data, size);
	return 0;
}
