// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy values on arbitrary bytes, as anyone with write access to the
 * policy path could put them in xenstore: the first byte picks the key.
 * No crash, and a refused value leaves the policy as it was.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p = { 0 }, before;
	char err[128];

	if (!size)
		return 0;
	/* memcpy, not =: an assignment need not copy the padding memcmp reads. */
	memcpy(&before, &p, sizeof(before));
	if (policy_set(&p, (enum policy_key)(data[0] % (POLICY_KEYS + 1)),
		       (const char *)data + 1, size - 1, err, sizeof(err)) &&
	    memcmp(&p, &before, sizeof(p)))
		abort();
	return 0;
}
