// SPDX-License-Identifier: GPL-2.0-only
/*
 * A domU's pool stats on arbitrary bytes, as a hostile guest could write
 * them to its own xenstore node. No crash; a refused value leaves the
 * output as it was and says why; an accepted one is within its bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest-stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_level_sample s, before;
	char err[128] = "";

	memset(&s, 0xa5, sizeof(s));
	/* memcpy, not =: an assignment need not copy the padding memcmp reads. */
	memcpy(&before, &s, sizeof(before));
	if (iosup_guest_stats_parse((const char *)data, size, &s, err, sizeof(err), NULL)) {
		if (memcmp(&s, &before, sizeof(s)) || !err[0])
			abort();
		return 0;
	}
	if (size > IOSUP_GUEST_STATS_MAX || s.limit > 262144 ||
	    s.pool > IOSUP_GUEST_POOL_MAX)
		abort();
	return 0;
}
