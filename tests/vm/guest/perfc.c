// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "perfc.h"

struct perfc {
	xc_interface *xch;
	int nr_desc, nr_vals;
	/* Values of a single counter (one per CPU): values_per_single(). */
	int nr_single;
	/* Xen's buffers, hypercall-safe; readings are copied out of them. */
	xc_hypercall_buffer_t desc_buf, val_buf;
	xc_perfc_desc_t *desc;
	xc_perfc_val_t *val;
	uint32_t *reading[2];
};

/*
 * How many values a single counter has (one per online CPU): the count most
 * counters have, as all but a handful are single. Xen does not say which
 * are arrays; an array as long as there are CPUs is summed like a single
 * counter, which still gives its total.
 */
static int values_per_single(const struct perfc *p)
{
	int i, j, best = 0, best_n = 0;

	for (i = 0; i < p->nr_desc; i++) {
		int n = 0;

		for (j = 0; j < p->nr_desc; j++)
			n += p->desc[j].nr_vals == p->desc[i].nr_vals;
		if (n > best_n) {
			best_n = n;
			best = (int)p->desc[i].nr_vals;
		}
	}
	return best;
}

int perfc_open(struct perfc **out)
{
	struct perfc *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	p->xch = xc_interface_open(NULL, NULL, 0);
	if (!p->xch) {
		r = -errno;
		fprintf(stderr, "perfc: opening libxenctrl: %s\n", strerror(errno));
		goto fail;
	}
	if (xc_perfc_query_number(p->xch, &p->nr_desc, &p->nr_vals)) {
		r = -errno;
		fprintf(stderr, "perfc: XEN_SYSCTL_perfc_op: %s%s\n", strerror(errno),
			errno == ENOSYS ? " (a hypervisor without CONFIG_PERF_COUNTERS)" : "");
		goto fail;
	}
	if (p->nr_desc <= 0 || p->nr_vals <= 0) {
		r = -EPROTO;
		fprintf(stderr, "perfc: Xen reports %d counters, %d values\n",
			p->nr_desc, p->nr_vals);
		goto fail;
	}
	p->desc = xc__hypercall_buffer_alloc(p->xch, &p->desc_buf,
					     sizeof(*p->desc) * (size_t)p->nr_desc);
	p->val = xc__hypercall_buffer_alloc(p->xch, &p->val_buf,
					    sizeof(*p->val) * (size_t)p->nr_vals);
	p->reading[0] = calloc((size_t)p->nr_vals, sizeof(uint32_t));
	p->reading[1] = calloc((size_t)p->nr_vals, sizeof(uint32_t));
	if (!p->desc || !p->val || !p->reading[0] || !p->reading[1]) {
		r = -ENOMEM;
		fprintf(stderr, "perfc: out of memory\n");
		goto fail;
	}
	/* The names, once: they do not change while the CPUs online do not. */
	r = perfc_read(p, 0);
	if (r)
		goto fail;
	p->nr_single = values_per_single(p);
	*out = p;
	return 0;
fail:
	perfc_close(p);
	return r;
}

void perfc_close(struct perfc *p)
{
	if (!p)
		return;
	if (p->desc)
		xc__hypercall_buffer_free(p->xch, &p->desc_buf);
	if (p->val)
		xc__hypercall_buffer_free(p->xch, &p->val_buf);
	if (p->xch)
		xc_interface_close(p->xch);
	free(p->reading[0]);
	free(p->reading[1]);
	free(p);
}

int perfc_read(struct perfc *p, unsigned int slot)
{
	int i, n = 0;

	if (slot > 1)
		return -EINVAL;
	if (xc_perfc_query(p->xch, &p->desc_buf, &p->val_buf)) {
		fprintf(stderr, "perfc: reading the counters: %s\n", strerror(errno));
		return -errno;
	}
	/* A CPU brought on or off line changes the layout: not comparable. */
	for (i = 0; i < p->nr_desc; i++)
		n += (int)p->desc[i].nr_vals;
	if (n != p->nr_vals) {
		fprintf(stderr, "perfc: the counters' layout changed (%d values, was %d)\n",
			n, p->nr_vals);
		return -ESTALE;
	}
	memcpy(p->reading[slot], p->val, sizeof(uint32_t) * (size_t)p->nr_vals);
	return 0;
}

/* @name as a key: lower case, each run of other characters one '_'. */
static void key_of(const char *name, char *key, size_t len)
{
	size_t k = 0;
	int gap = 0;

	for (; *name && k + 2 < len; name++) {
		unsigned char c = (unsigned char)*name;

		if (isalnum(c)) {
			if (gap && k)
				key[k++] = '_';
			key[k++] = (char)tolower(c);
			gap = 0;
		} else {
			gap = 1;
		}
	}
	key[k] = '\0';
}

void perfc_print_delta(const struct perfc *p, FILE *f)
{
	const uint32_t *a = p->reading[0], *b = p->reading[1];
	int i, v = 0, ncpus = p->nr_single;

	for (i = 0; i < p->nr_desc; i++) {
		char key[sizeof(p->desc[i].name) + 1];
		int j, nr = (int)p->desc[i].nr_vals;
		uint64_t sum = 0;

		key_of(p->desc[i].name, key, sizeof(key));
		if (nr == ncpus) {
			for (j = 0; j < nr; j++)
				sum += (uint32_t)(b[v + j] - a[v + j]);
			fprintf(f, " %s=%llu", key, (unsigned long long)sum);
		} else {
			for (j = 0; j < nr; j++)
				fprintf(f, " %s[%d]=%u", key, j, (uint32_t)(b[v + j] - a[v + j]));
		}
		v += nr;
	}
}
