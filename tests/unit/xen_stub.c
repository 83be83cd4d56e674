// SPDX-License-Identifier: GPL-2.0-only
/*
 * A stand-in for daemon/xen.c, so that the real manager can run on a host
 * without Xen: $IOSUP_STUB_XEN says what the "hypervisor" does.
 *   counters    (default) dom0 and dom3, whose flush counters climb
 *   nocounters  a hypervisor built without them (-EOPNOTSUPP)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xen.h"

struct iosup_xen {
	unsigned long long reads;
};

int iosup_xen_open(struct iosup_xen **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void iosup_xen_close(struct iosup_xen *x)
{
	free(x);
}

int iosup_xen_read(struct iosup_xen *x, uint16_t domid, struct iosup_xen_counters *out)
{
	(void)x, (void)domid, (void)out;
	return -EOPNOTSUPP;
}

int iosup_xen_read_all(struct iosup_xen *x, struct iosup_xen_counters **out, size_t *count)
{
	const char *mode = getenv("IOSUP_STUB_XEN");
	struct iosup_xen_counters *c;

	if (mode && !strcmp(mode, "nocounters"))
		return -EOPNOTSUPP;
	c = calloc(3, sizeof(*c));
	if (!c)
		return -ENOMEM;
	x->reads++;
	c[0] = (struct iosup_xen_counters){ .domid = 0, .iotlb_psi = 100 * x->reads };
	c[1] = (struct iosup_xen_counters){ .domid = 3, .iotlb_psi = 7 * x->reads };
	c[2] = (struct iosup_xen_counters){ .domid = IOSUP_DOMID_XEN, .iotlb_psi = 1 };
	*out = c;
	*count = 3;
	return 0;
}

const char *iosup_xen_strerror(int err)
{
	return err == -EOPNOTSUPP ? "the hypervisor was built without the iosup counters" :
	       strerror(-err);
}
