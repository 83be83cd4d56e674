/* SPDX-License-Identifier: MIT */
/*
 * iosup: the sysctl op that reads the per-domain IOMMU flush counters.
 *
 * The one definition of this ABI. The hypervisor build copies this file into
 * Xen's tree as xen/include/public/iosup_sysctl.h (kshim/xen/build.sh); the
 * tools include it from the project's include/ directory.
 *
 * Include it after Xen's public xen.h (hypervisor: public/xen.h; tools:
 * <xen/xen.h>, with __XEN_TOOLS__ defined), which supplies domid_t,
 * uint64_aligned_t and the guest handle macros.
 *
 * The op travels in struct xen_sysctl like any other: cmd =
 * XEN_SYSCTL_iosup_iommu_stats, interface_version =
 * XEN_SYSCTL_INTERFACE_VERSION (unchanged by this op, so stock tools keep
 * working), and struct xen_sysctl_iosup_iommu_stats in the union.
 */
#ifndef __XEN_PUBLIC_IOSUP_SYSCTL_H__
#define __XEN_PUBLIC_IOSUP_SYSCTL_H__

#if !defined(__XEN__) && !defined(__XEN_TOOLS__)
#error "sysctl operations are intended for use by node control tools only"
#endif

/*
 * Well clear of upstream's numbers (29 in 4.17, 30 in 4.19), so that a newer
 * upstream op cannot collide with it.
 */
#define XEN_SYSCTL_iosup_iommu_stats 0x60

/*
 * The counters of one domain. Every field is a monotonically increasing
 * count since the domain was created; consumers take deltas.
 */
struct xen_iosup_iommu_counters {
    domid_t  domid;
    uint16_t pad[3];                  /* zero */
    /* IOMMU unmaps caused by a page type change away from writable. */
    uint64_aligned_t pt_unmaps;
    /* IOMMU maps caused by a page type change back to writable. */
    uint64_aligned_t pt_maps;
    /*
     * IOTLB invalidations completed by the IOMMU for the domain, by
     * granularity: page-selective, domain-selective, global (on AMD-Vi: a
     * range of the domain's pages, all of them, every domain's). One per
     * IOMMU unit the domain's devices sit behind. Counted by the domain id
     * the invalidation carries; those for no live domain (global ones,
     * quarantine) are counted under DOMID_XEN.
     */
    uint64_aligned_t iotlb_psi;
    uint64_aligned_t iotlb_dsi;
    uint64_aligned_t iotlb_global;
    /*
     * IOTLB flushes requested but not issued, because nothing cached could
     * be stale (a non-present entry made present, without caching mode):
     * on VT-d, what an IOMMU map usually costs.
     */
    uint64_aligned_t flushes_skipped;
    /*
     * Time from queueing each invalidation counted above to seeing it
     * complete, in nanoseconds.
     */
    uint64_aligned_t wait_ns;
    /* The first layout ends here (XEN_IOSUP_ENTRY_SIZE_V1 bytes). */

    /*
     * Device-IOTLB (ATS) invalidations completed for the domain's devices:
     * on VT-d one per device with ATS enabled behind the IOMMU for each
     * IOTLB invalidation above that covers it, on AMD-Vi one per ATS
     * device of the domain (and per phantom function). Counted by the
     * device's owner at the time. Their time is in wait_ns too.
     */
    uint64_aligned_t dev_iotlb;
    /*
     * Invalidations (IOTLB or device-IOTLB) that the IOMMU did not complete:
     * the queued wait reported an error, or the register interface reported
     * no granularity. Counted here instead of by granularity or in
     * dev_iotlb, and not timed.
     */
    uint64_aligned_t failed;
};
typedef struct xen_iosup_iommu_counters xen_iosup_iommu_counters_t;
DEFINE_XEN_GUEST_HANDLE(xen_iosup_iommu_counters_t);

/*
 * Entry sizes. The first layout, all a caller that leaves entry_size 0
 * gets, ends at wait_ns. A caller asks for more by giving the size of its
 * own entry; the answer is never larger than the hypervisor's entry, so
 * fields are only ever appended, and an old hypervisor refuses a non-zero
 * entry_size with -EINVAL (it was padding that had to be zero): a caller
 * may then ask again with 0 and treat the later fields as unknown.
 */
#define XEN_IOSUP_ENTRY_SIZE_V1  64u
#define XEN_IOSUP_ENTRY_SIZE_MAX 4096u

/* Every existing domain, then DOMID_XEN, rather than the one in domid. */
#define XEN_SYSCTL_IOSUP_ALL_DOMAINS (1u << 0)
#define XEN_SYSCTL_IOSUP_FLAGS       XEN_SYSCTL_IOSUP_ALL_DOMAINS

/*
 * Errors:
 *  -EINVAL  a flag outside XEN_SYSCTL_IOSUP_FLAGS, non-zero padding, a
 *           domid other than 0 with XEN_SYSCTL_IOSUP_ALL_DOMAINS, or an
 *           entry_size that is not 0 or a multiple of 8 from
 *           XEN_IOSUP_ENTRY_SIZE_V1 to XEN_IOSUP_ENTRY_SIZE_MAX;
 *  -ESRCH   no domain with that domid;
 *  -ENOBUFS nr_entries is smaller than the answer; nr_entries is set to the
 *           number of entries needed (a caller may ask with 0 to learn it);
 *  -EFAULT  the buffer could not be written;
 *  -EPERM / -EACCES  the caller is not privileged (XSM).
 * A hypervisor without the op answers -ENOSYS (or -EOPNOTSUPP).
 */
struct xen_sysctl_iosup_iommu_stats {
    uint32_t flags;                   /* IN: XEN_SYSCTL_IOSUP_* */
    domid_t  domid;                   /* IN: the domain (DOMID_XEN allowed);
                                         0 with ALL_DOMAINS */
    uint16_t pad0;                    /* IN: zero */
    /*
     * IN: capacity of buffer, in entries.
     * OUT: entries written; on -ENOBUFS, entries needed.
     */
    uint32_t nr_entries;
    /*
     * IN: the size of one entry of buffer in bytes (entries are this far
     * apart), or 0 for XEN_IOSUP_ENTRY_SIZE_V1. Set it on every call.
     * OUT, on success only: unchanged if it was 0; else the bytes of each
     * entry written, the smaller of the caller's size and the
     * hypervisor's. Bytes past them are left as they were.
     */
    uint32_t entry_size;
    /*
     * The entries, entry_size apart: index it as an array of
     * xen_iosup_iommu_counters_t only when entry_size is its size (with 0,
     * entries are XEN_IOSUP_ENTRY_SIZE_V1 bytes apart).
     */
    XEN_GUEST_HANDLE_64(xen_iosup_iommu_counters_t) buffer;
};
typedef struct xen_sysctl_iosup_iommu_stats xen_sysctl_iosup_iommu_stats_t;

#endif /* __XEN_PUBLIC_IOSUP_SYSCTL_H__ */
