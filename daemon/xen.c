// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Xen backend (see xen.h): XEN_SYSCTL_iosup_iommu_stats through
 * libxencall.
 *
 * libxenctrl's do_sysctl() is internal to it, so the op goes straight to
 * libxencall, the way libxenctrl itself issues it: a struct xen_sysctl in
 * hypercall-safe memory from xencall_alloc_buffer() (privcmd cannot take
 * ordinary stack or heap memory), the interface version of the installed
 * headers, and the op's own structure laid over the sysctl union, as the
 * hypervisor side does.
 */
#define _GNU_SOURCE
#define __XEN_TOOLS__ 1

#include "xen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <xencall.h>
#include <xentoollog.h>
#include <xen/xen.h>
#include <xen/sysctl.h>

#include "xen/iosup-sysctl.h"

_Static_assert(sizeof(struct xen_sysctl_iosup_iommu_stats) <=
		       sizeof(((struct xen_sysctl *)0)->u),
	       "the op must fit in the sysctl union");
_Static_assert(offsetof(struct xen_iosup_iommu_counters, dev_iotlb) ==
		       XEN_IOSUP_ENTRY_SIZE_V1,
	       "the first layout ends where the second one's fields begin");
_Static_assert(sizeof(struct xen_iosup_iommu_counters) == 80,
	       "the second layout's entry is 80 bytes on both sides");
_Static_assert(IOSUP_DOMID_XEN == DOMID_XEN, "DOMID_XEN");
_Static_assert(IOSUP_DOMID_FIRST_RESERVED == DOMID_FIRST_RESERVED,
	       "DOMID_FIRST_RESERVED");

/*
 * Domains can be created between asking how many there are and reading them;
 * this many tries, each with room for a few more than last time, is plenty.
 */
#define READ_ALL_TRIES 8
#define READ_ALL_SLACK 8

struct iosup_xen {
	xencall_handle *call;
	struct xen_sysctl *sysctl;	/* hypercall-safe */
	/*
	 * Room the last iosup_xen_read_all() needed: iosupd reads every
	 * period, and asking Xen how many domains there are first each time
	 * would double the hypercalls for an answer that rarely changes.
	 */
	uint32_t read_all_cap;
	/*
	 * The entry size to ask for: ours, until a hypervisor refuses it and
	 * takes the first layout's 0 instead (see issue_entries()).
	 */
	uint32_t entry_size;
};

/*
 * libxencall logs its own failures to stderr by default; this backend turns
 * every failure into an error code its callers explain, so it stays quiet.
 */
static void quiet_vmessage(struct xentoollog_logger *logger,
			   xentoollog_level level, int errnoval,
			   const char *context, const char *format, va_list al)
{
	(void)logger;
	(void)level;
	(void)errnoval;
	(void)context;
	(void)format;
	(void)al;
}

static void quiet_destroy(struct xentoollog_logger *logger)
{
	(void)logger;
}

static struct xentoollog_logger quiet_logger = {
	.vmessage = quiet_vmessage,
	.destroy = quiet_destroy,
};

int iosup_xen_open(struct iosup_xen **out)
{
	struct iosup_xen *x;
	int r;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->entry_size = sizeof(struct xen_iosup_iommu_counters);
	x->call = xencall_open(&quiet_logger, 0);
	if (!x->call) {
		switch (errno) {
		case ENOENT:
		case ENODEV:
		case ENXIO:
			r = -ENODEV;
			break;
		case EACCES:
		case EPERM:
			r = -EACCES;
			break;
		default:
			r = errno ? -errno : -EIO;
		}
		goto fail;
	}
	x->sysctl = xencall_alloc_buffer(x->call, sizeof(*x->sysctl));
	if (!x->sysctl) {
		r = -ENOMEM;
		goto fail;
	}
	*out = x;
	return 0;

fail:
	iosup_xen_close(x);
	return r;
}

void iosup_xen_close(struct iosup_xen *x)
{
	if (!x)
		return;
	if (x->sysctl)
		xencall_free_buffer(x->call, x->sysctl);
	if (x->call)
		xencall_close(x->call);
	free(x);
}

/*
 * Issues the op as given, with buf (hypercall-safe, or NULL) as its buffer.
 * Returns the hypercall's result as -errno; *nr_out and *size_out (each
 * optional) get nr_entries and entry_size as Xen left them.
 */
static int issue(struct iosup_xen *x, uint32_t flags, uint16_t domid,
		 uint16_t pad0, uint32_t nr_entries, uint32_t entry_size,
		 void *buf, uint32_t *nr_out, uint32_t *size_out)
{
	struct xen_sysctl *s = x->sysctl;
	struct xen_sysctl_iosup_iommu_stats *op = (void *)&s->u;
	int r;

	memset(s, 0, sizeof(*s));
	s->cmd = XEN_SYSCTL_iosup_iommu_stats;
	s->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	op->flags = flags;
	op->domid = domid;
	op->pad0 = pad0;
	op->nr_entries = nr_entries;
	op->entry_size = entry_size;
	set_xen_guest_handle(op->buffer, (struct xen_iosup_iommu_counters *)buf);

	r = xencall1(x->call, __HYPERVISOR_sysctl, (uint64_t)(uintptr_t)s);
	if (r < 0)
		r = errno ? -errno : -EIO;
	if (nr_out)
		*nr_out = op->nr_entries;
	if (size_out)
		*size_out = op->entry_size;
	return r;
}

/*
 * The op with this backend's entry size. A hypervisor of the first layout
 * refuses any size with -EINVAL (it was padding); then it is asked again
 * with 0, and if it takes that, with 0 from then on. *filled gets the
 * bytes of each entry it wrote.
 */
static int issue_entries(struct iosup_xen *x, uint32_t flags, uint16_t domid,
			 uint32_t nr_entries, struct xen_iosup_iommu_counters *buf,
			 uint32_t *nr_out, uint32_t *filled)
{
	int r;

	if (x->entry_size) {
		r = issue(x, flags, domid, 0, nr_entries, x->entry_size, buf,
			  nr_out, filled);
		if (r != -EINVAL)
			return r;
	}
	*filled = XEN_IOSUP_ENTRY_SIZE_V1;
	r = issue(x, flags, domid, 0, nr_entries, 0, buf, nr_out, NULL);
	/* The first layout it is, unless the request itself was refused. */
	if (r != -EINVAL)
		x->entry_size = 0;
	return r;
}

/*
 * The errors that stand for a situation rather than a bug: a hypervisor
 * without the op answers ENOSYS from its sysctl dispatcher (EOPNOTSUPP from
 * some XSM policies); a domain XSM refuses gets EPERM or EACCES.
 */
static int classify(int r)
{
	switch (r) {
	case -ENOSYS:
	case -EOPNOTSUPP:
		return -EOPNOTSUPP;
	case -EPERM:
	case -EACCES:
		return -EACCES;
	default:
		return r;
	}
}

/* The distance between entries the hypervisor is asked to keep. */
static size_t entry_stride(const struct iosup_xen *x)
{
	return x->entry_size ? x->entry_size : XEN_IOSUP_ENTRY_SIZE_V1;
}

/*
 * Entry i of a buffer of entries stride bytes apart, of which the
 * hypervisor wrote the first filled bytes each; the rest is unknown. Less
 * than the first layout is a hypervisor gone wrong: -EIO.
 */
static int from_abi(struct iosup_xen_counters *out, const void *buf,
		    uint32_t i, size_t stride, uint32_t filled)
{
	struct xen_iosup_iommu_counters entry, *in = &entry;
	const size_t dev_iotlb_end = offsetof(struct xen_iosup_iommu_counters, dev_iotlb) +
				     sizeof(in->dev_iotlb);
	const size_t failed_end = offsetof(struct xen_iosup_iommu_counters, failed) +
				  sizeof(in->failed);

	if (filled < XEN_IOSUP_ENTRY_SIZE_V1)
		return -EIO;
	if (filled > stride)
		filled = stride;
	if (filled > sizeof(entry))
		filled = sizeof(entry);
	memset(&entry, 0, sizeof(entry));
	memcpy(&entry, (const unsigned char *)buf + i * stride, filled);

	out->domid = in->domid;
	out->pt_unmaps = in->pt_unmaps;
	out->pt_maps = in->pt_maps;
	out->iotlb_psi = in->iotlb_psi;
	out->iotlb_dsi = in->iotlb_dsi;
	out->iotlb_global = in->iotlb_global;
	out->flushes_skipped = in->flushes_skipped;
	out->wait_ns = in->wait_ns;
	out->have_dev_iotlb = filled >= dev_iotlb_end;
	out->dev_iotlb = out->have_dev_iotlb ? in->dev_iotlb : 0;
	out->have_failed = filled >= failed_end;
	out->failed = out->have_failed ? in->failed : 0;
	return 0;
}

int iosup_xen_read(struct iosup_xen *x, uint16_t domid,
		   struct iosup_xen_counters *out)
{
	struct xen_iosup_iommu_counters *buf;
	uint32_t filled;
	int r;

	buf = xencall_alloc_buffer(x->call, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	r = classify(issue_entries(x, 0, domid, 1, buf, NULL, &filled));
	if (!r)
		r = from_abi(out, buf, 0, entry_stride(x), filled);
	xencall_free_buffer(x->call, buf);
	return r;
}

int iosup_xen_read_all(struct iosup_xen *x, struct iosup_xen_counters **out,
		       size_t *count)
{
	struct xen_iosup_iommu_counters *buf = NULL;
	struct iosup_xen_counters *res;
	uint32_t cap = x->read_all_cap, nr = 0, i, filled = 0;
	int r, tries;

	for (tries = 0; tries < READ_ALL_TRIES; tries++) {
		if (cap) {
			buf = xencall_alloc_buffer(x->call, cap * sizeof(*buf));
			if (!buf)
				return -ENOMEM;
		}
		r = classify(issue_entries(x, XEN_SYSCTL_IOSUP_ALL_DOMAINS, 0,
					   cap, buf, &nr, &filled));
		if (r != -ENOBUFS)
			break;
		/* Xen said how many it needs now; leave room for newcomers. */
		if (buf)
			xencall_free_buffer(x->call, buf);
		buf = NULL;
		cap = nr + READ_ALL_SLACK;
	}
	if (r) {
		if (buf)
			xencall_free_buffer(x->call, buf);
		return r == -ENOBUFS ? -EAGAIN : r;
	}
	x->read_all_cap = cap;

	res = calloc(nr ? nr : 1, sizeof(*res));
	if (!res) {
		xencall_free_buffer(x->call, buf);
		return -ENOMEM;
	}
	for (i = 0; i < nr && i < cap; i++) {
		r = from_abi(&res[i], buf, i, entry_stride(x), filled);
		if (r) {
			free(res);
			xencall_free_buffer(x->call, buf);
			return r;
		}
	}
	if (buf)
		xencall_free_buffer(x->call, buf);
	*out = res;
	*count = i;
	return 0;
}

int iosup_xen_raw(struct iosup_xen *x, const struct iosup_xen_raw_request *req,
		  struct iosup_xen_raw_reply *reply)
{
	unsigned char *buf = NULL;
	int r;

	reply->buf = NULL;
	if (req->capacity) {
		buf = xencall_alloc_buffer(x->call, req->capacity);
		reply->buf = malloc(req->capacity);
		if (!buf || !reply->buf) {
			if (buf)
				xencall_free_buffer(x->call, buf);
			free(reply->buf);
			reply->buf = NULL;
			return -ENOMEM;
		}
		memset(buf, IOSUP_XEN_RAW_FILL, req->capacity);
	}
	r = issue(x, req->flags, req->domid, req->pad0, req->nr_entries,
		  req->entry_size, buf, &reply->nr_entries, &reply->entry_size);
	if (buf) {
		memcpy(reply->buf, buf, req->capacity);
		xencall_free_buffer(x->call, buf);
	}
	return r;
}

const char *iosup_xen_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -ENODEV:
		return "not running on Xen (no privcmd device: /dev/xen/privcmd or /proc/xen/privcmd)";
	case -EACCES:
		return "not privileged: reading the counters needs root in a privileged domain (dom0)";
	case -EOPNOTSUPP:
		return "this hypervisor was built without the iosup counters";
	case -ESRCH:
		return "no such domain";
	case -EAGAIN:
		return "domains kept appearing faster than they could be read; try again";
	default:
		return strerror(-err);
	}
}
