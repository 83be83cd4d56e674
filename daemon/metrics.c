// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metrics file (metrics.h): rendered from plain structs, written
 * atomically beside the one it replaces.
 */
#define _GNU_SOURCE

#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A domain's name in xenstore is short; escaped, at most twice as long. */
#define LABEL_MAX 160

/*
 * The reasons counted always, so that a rate() over them has a series
 * from the start: those that change a value. The others appear once one
 * is counted.
 */
static bool reason_always(int r)
{
	return r == CTL_GROW || r == CTL_SHRINK || r == CTL_PRESSURE || r == CTL_RELEASE;
}

void metrics_escape_label(char *out, size_t out_len, const char *in)
{
	size_t o = 0;

	if (!out_len)
		return;
	for (; in && *in; in++) {
		unsigned char c = (unsigned char)*in;
		char esc[2];
		size_t n = 1;

		if (c == '\\' || c == '"') {
			esc[0] = '\\';
			esc[1] = (char)c;
			n = 2;
		} else if (c == '\n') {
			esc[0] = '\\';
			esc[1] = 'n';
			n = 2;
		} else if (c < 0x20 || c > 0x7e) {
			/* Not UTF-8 we could vouch for, or a control character. */
			esc[0] = '?';
		} else {
			esc[0] = (char)c;
		}
		/* Cut before an escape rather than through it. */
		if (o + n >= out_len)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o] = '\0';
}

enum kind { GAUGE, COUNTER };

/* One family's HELP and TYPE lines. */
static void family(FILE *f, const char *name, enum kind kind, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		kind == COUNTER ? "counter" : "gauge");
}

static void domain_labels(FILE *f, const struct metrics_domain *d)
{
	char name[LABEL_MAX];

	metrics_escape_label(name, sizeof(name), d->name);
	fprintf(f, "domid=\"%" PRIu32 "\",domain=\"%s\"", d->domid, name);
}

/* Which value of a domain a per-domain family shows. */
typedef bool (*domain_value_fn)(const struct metrics_domain *d, uint64_t *v);

static bool xen_unmaps(const struct metrics_domain *d, uint64_t *v)
{
	*v = d->pt_unmaps;
	return d->have_xen;
}

static bool xen_maps(const struct metrics_domain *d, uint64_t *v)
{
	*v = d->pt_maps;
	return d->have_xen;
}

static bool xen_psi(const struct metrics_domain *d, uint64_t *v)
{
	*v = d->iotlb_psi;
	return d->have_xen;
}

static bool xen_dev_iotlb(const struct metrics_domain *d, uint64_t *v)
{
	*v = d->dev_iotlb;
	return d->have_xen && d->have_dev_iotlb;
}

static bool xen_failed(const struct metrics_domain *d, uint64_t *v)
{
	*v = d->failed;
	return d->have_xen && d->have_failed;
}

static void domain_family(FILE *f, const struct metrics_period *p, const char *name,
			  const char *help, domain_value_fn fn)
{
	bool head = false;
	uint64_t v;
	size_t i;

	for (i = 0; i < p->n_domains; i++) {
		if (!fn(&p->domains[i], &v))
			continue;
		if (!head)
			family(f, name, COUNTER, help);
		head = true;
		fprintf(f, "%s{", name);
		domain_labels(f, &p->domains[i]);
		fprintf(f, "} %" PRIu64 "\n", v);
	}
}

/* The per-level values, as text (a ratio is not an integer). */
enum level_value { POOL, LIMIT, RATIO, HITS, MISSES, SHRUNK };

static bool level_value(const struct metrics_level *lv, enum level_value which, char *buf,
			size_t len)
{
	switch (which) {
	case POOL:
		snprintf(buf, len, "%" PRIu64, lv->pool);
		return true;
	case LIMIT:
		snprintf(buf, len, "%" PRIu32, lv->limit);
		return true;
	case RATIO:
		/* Percent as a ratio: two decimals say all of it. */
		snprintf(buf, len, "%" PRIu32 ".%02" PRIu32, lv->ratio / 100, lv->ratio % 100);
		return lv->have_ratio;
	case HITS:
		snprintf(buf, len, "%" PRIu64, lv->hits);
		return true;
	case MISSES:
		snprintf(buf, len, "%" PRIu64, lv->misses);
		return true;
	case SHRUNK:
		snprintf(buf, len, "%" PRIu64, lv->shrunk);
		return lv->have_shrunk;
	}
	return false;
}

static void level_family(FILE *f, const struct metrics_period *p, const char *name,
			 enum kind kind, const char *help, enum level_value which)
{
	bool head = false;
	char value[32];
	size_t i;
	int l;

	for (i = 0; i < p->n_domains; i++) {
		const struct metrics_domain *d = &p->domains[i];

		for (l = 0; l < CTL_LEVELS; l++) {
			if (!d->have_pool || !d->have_level[l] ||
			    !level_value(&d->level[l], which, value, sizeof(value)))
				continue;
			if (!head)
				family(f, name, kind, help);
			head = true;
			fprintf(f, "%s{", name);
			domain_labels(f, d);
			fprintf(f, ",level=\"%d\"} %s\n", l + 1, value);
		}
	}
}

static void decisions_family(FILE *f, const struct metrics_period *p)
{
	static const char name[] = "iosup_decisions_total";
	bool head = false;
	size_t i;
	int l, r;

	for (i = 0; i < p->n_domains; i++) {
		const struct metrics_domain *d = &p->domains[i];

		for (l = 0; l < CTL_LEVELS; l++) {
			if (!d->have_pool || !d->have_level[l])
				continue;
			for (r = 0; r < METRICS_REASONS; r++) {
				uint64_t n = d->level[l].decisions[r];

				if (!n && !reason_always(r))
					continue;
				if (!head)
					family(f, name, COUNTER,
					       "Limits and free ratios iosupd changed (or, observing, would have), by reason.");
				head = true;
				fprintf(f, "%s{", name);
				domain_labels(f, d);
				fprintf(f, ",level=\"%d\",reason=\"%s\"} %" PRIu64 "\n", l + 1,
					ctl_reason_name((enum ctl_reason)r), n);
			}
		}
	}
}

int metrics_render(const struct metrics_period *p, char **out, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	domain_family(f, p, "iosup_xen_type_change_unmaps_total",
		      "IOMMU unmaps Xen made for the domain's pages leaving the writable type.",
		      xen_unmaps);
	domain_family(f, p, "iosup_xen_type_change_maps_total",
		      "IOMMU maps Xen made for the domain's pages going back to the writable type.",
		      xen_maps);
	domain_family(f, p, "iosup_xen_iotlb_page_invalidations_total",
		      "Page-selective IOTLB invalidations Xen issued for the domain.",
		      xen_psi);
	domain_family(f, p, "iosup_xen_device_iotlb_invalidations_total",
		      "Device-IOTLB (ATS) invalidations Xen issued for the domain's devices.",
		      xen_dev_iotlb);
	domain_family(f, p, "iosup_xen_failed_invalidations_total",
		      "IOMMU invalidations for the domain that the IOMMU did not complete.",
		      xen_failed);
	level_family(f, p, "iosup_pool_tables", GAUGE,
		     "Page tables in the level's pool (a table is a page; level 4's a pgd pair, two).",
		     POOL);
	level_family(f, p, "iosup_pool_limit_tables", GAUGE,
		     "Page tables the level's pool may hold.", LIMIT);
	level_family(f, p, "iosup_pool_free_ratio", GAUGE,
		     "The level's free ratio, a share of its tables in use (0: its limit alone bounds it).",
		     RATIO);
	level_family(f, p, "iosup_pool_hits_total", COUNTER,
		     "Page tables the level's pool handed out.", HITS);
	level_family(f, p, "iosup_pool_misses_total", COUNTER,
		     "Page tables asked of the level's pool when it had none.", MISSES);
	level_family(f, p, "iosup_pool_shrunk_tables_total", COUNTER,
		     "Page tables the kernel's shrinker took from the level's pool.", SHRUNK);
	decisions_family(f, p);
	family(f, "iosup_periods_total", COUNTER, "Control periods iosupd ran.");
	fprintf(f, "iosup_periods_total %" PRIu64 "\n", p->periods);
	family(f, "iosup_period_duration_seconds", GAUGE, "How long the last control period took.");
	fprintf(f, "iosup_period_duration_seconds %" PRIu64 ".%06" PRIu64 "\n",
		p->duration_us / 1000000, p->duration_us % 1000000);
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*len = size;
	return 0;
}

/* Writes all of @len bytes, or -errno. */
static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* @dir/iosup.prom into @path (@len bytes); 0 or -ENAMETOOLONG. */
static int metrics_path(char *path, size_t len, const char *dir)
{
	return (size_t)snprintf(path, len, "%s/" METRICS_FILE, dir) >= len ? -ENAMETOOLONG : 0;
}

int metrics_write(const char *dir, const char *text, size_t len)
{
	char tmp[4096], path[4096];
	int fd, r;

	if (!*dir)
		return 0;
	/* Hidden and not *.prom: the collector never reads a half-written one. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/." METRICS_FILE ".XXXXXX", dir) >= sizeof(tmp) ||
	    metrics_path(path, sizeof(path), dir))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, text, len);
	if (!r && fchmod(fd, 0644))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	/*
	 * No fsync: the rename alone keeps a reader from a half-written file,
	 * and a file rewritten every period needs no durability (a crash
	 * loses one period, which the next writes again), while two fsyncs a
	 * period would make each one wait on the disk.
	 */
	if (r)
		(void)unlink(tmp);
	return r;
}

int metrics_remove(const char *dir)
{
	char path[4096];

	if (!*dir)
		return 0;
	if (metrics_path(path, sizeof(path), dir))
		return -ENAMETOOLONG;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}
