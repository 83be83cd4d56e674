/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Xen backend: reads the hypervisor's per-domain IOMMU flush counters
 * (XEN_SYSCTL_iosup_iommu_stats, include/xen/iosup-sysctl.h). This file and
 * xen.c are the only place that speaks to libxencall; everything else sees
 * the plain structs below.
 *
 * Functions return 0 or a negative errno. The errors that mean something
 * particular here (iosup_xen_strerror() says it in words):
 *   -ENODEV      not running on Xen (no privcmd device)
 *   -EACCES      not privileged (not root, or not a privileged domain)
 *   -EOPNOTSUPP  the hypervisor was built without the iosup counters
 *   -ESRCH       no such domain
 */
#ifndef IOSUP_DAEMON_XEN_H
#define IOSUP_DAEMON_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Not an ordinary domain: flushes Xen issued for no domain it could name. */
#define IOSUP_DOMID_XEN 0x7FF2u
/* Ordinary domain ids are below this one. */
#define IOSUP_DOMID_FIRST_RESERVED 0x7FF0u

/* One domain's counters, monotonic since the domain was created. */
struct iosup_xen_counters {
	uint16_t domid;
	uint64_t pt_unmaps;		/* IOMMU unmaps: type change from writable */
	uint64_t pt_maps;		/* IOMMU maps: type change to writable */
	uint64_t iotlb_psi;		/* page-selective IOTLB invalidations */
	uint64_t iotlb_dsi;		/* domain-selective IOTLB invalidations */
	uint64_t iotlb_global;		/* global IOTLB invalidations */
	uint64_t flushes_skipped;	/* flushes with nothing cached to drop */
	uint64_t wait_ns;		/* waiting for invalidations to complete */
	/*
	 * Counted by hypervisors with the op's second entry layout; an older
	 * one leaves them unknown (have_* false, value 0).
	 */
	bool have_dev_iotlb;
	uint64_t dev_iotlb;		/* device-IOTLB (ATS) invalidations */
	bool have_failed;
	uint64_t failed;		/* invalidations the IOMMU did not complete */
};

struct iosup_xen;

int iosup_xen_open(struct iosup_xen **out);
void iosup_xen_close(struct iosup_xen *x);

/* The counters of one domain (IOSUP_DOMID_XEN included). */
int iosup_xen_read(struct iosup_xen *x, uint16_t domid,
		   struct iosup_xen_counters *out);

/*
 * The counters of every domain, dom_xen's last, in a malloc'ed array the
 * caller frees. Domains that come and go meanwhile are coped with.
 */
int iosup_xen_read_all(struct iosup_xen *x, struct iosup_xen_counters **out,
		       size_t *count);

/* A sentence for err (negative errno) from any function here. */
const char *iosup_xen_strerror(int err);

/*
 * The raw hypercall, for tests of the op's input checks and of its entry
 * layouts: issues the op with exactly these fields (padding included) and a
 * buffer of capacity bytes (none if 0), each byte IOSUP_XEN_RAW_FILL
 * beforehand, and returns the hypercall's result, -errno, as it came.
 */
#define IOSUP_XEN_RAW_FILL 0xa5
struct iosup_xen_raw_request {
	uint32_t flags;
	uint16_t domid;
	uint16_t pad0;
	uint32_t nr_entries;
	uint32_t entry_size;
	size_t capacity;	/* bytes allocated for the buffer */
};
struct iosup_xen_raw_reply {
	uint32_t nr_entries;	/* as Xen left them */
	uint32_t entry_size;
	unsigned char *buf;	/* the buffer afterwards (malloc'ed), or NULL */
};
int iosup_xen_raw(struct iosup_xen *x, const struct iosup_xen_raw_request *req,
		  struct iosup_xen_raw_reply *reply);

#endif
