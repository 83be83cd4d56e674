// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config parser on arbitrary bytes: it must not crash, and a failed
 * parse must leave the config as it was.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
