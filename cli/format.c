// SPDX-License-Identifier: GPL-2.0-only
/* Output for people, terse and aligned like wg show's. */
#define _GNU_SOURCE /* localtime_r */
#include "format.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

const char *fmt_bytes(char buf[FMT_MAX], uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, FMT_MAX, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, FMT_MAX, "%.1f %s", v, units[u]);
	return buf;
}

const char *fmt_rate(char buf[FMT_MAX], bool have, double rate)
{
	if (!have)
		return "-";
	snprintf(buf, FMT_MAX, "%.1f", rate);
	return buf;
}

const char *fmt_count(char buf[FMT_MAX], bool have, uint64_t value)
{
	if (!have)
		return "-";
	snprintf(buf, FMT_MAX, "%" PRIu64, value);
	return buf;
}

const char *fmt_time_ms(char buf[FMT_MAX], uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	if (!localtime_r(&t, &tm) || !(n = strftime(buf, FMT_MAX, "%Y-%m-%d %H:%M:%S", &tm))) {
		snprintf(buf, FMT_MAX, "%" PRIu64 " ms", ms);
		return buf;
	}
	snprintf(buf + n, FMT_MAX - n, ".%03u", (unsigned int)(ms % 1000));
	return buf;
}

const char *fmt_name(const char *name)
{
	return name[0] ? name : "-";
}

void print_state(FILE *f, const struct ctl_proto_status *s)
{
	fprintf(f, "%s", ctl_proto_state_name(s->state));
	if (s->reason[0])
		fprintf(f, " (%s)", s->reason);
}

void print_status(FILE *f, const struct ctl_proto_status *s)
{
	char used[FMT_MAX], cap[FMT_MAX];

	fprintf(f, "iosupd: ");
	print_state(f, s);
	fprintf(f, "\n  period: %u ms\n  memory: %s of %s\n  domains: %u\n", s->period_ms,
		fmt_bytes(used, s->memory_used), fmt_bytes(cap, s->memory_cap), s->domains);
}

void print_domains(FILE *f, const struct ctl_proto_summary *d, size_t n)
{
	char a[FMT_MAX], b[FMT_MAX];
	int name_w = 4;
	size_t i;

	for (i = 0; i < n; i++)
		if ((int)strlen(fmt_name(d[i].name)) > name_w)
			name_w = (int)strlen(fmt_name(d[i].name));
	fprintf(f, "%5s  %-*s  %-7s  %8s  %8s  %10s  %12s  %9s\n", "DOMID", name_w, "NAME", "MODE",
		"POOL", "LIMIT", "MISSES", "PSI", "FLUSHES/S");
	for (i = 0; i < n; i++)
		fprintf(f, "%5u  %-*s  %-7s  %8" PRIu64 "  %8" PRIu64 "  %10" PRIu64 "  %12s  %9s\n",
			d[i].domid, name_w, fmt_name(d[i].name), config_mode_name(d[i].mode),
			d[i].pool, d[i].limit, d[i].misses, fmt_count(a, d[i].have_xen, d[i].psi),
			fmt_rate(b, d[i].have_flush_rate, d[i].flush_rate));
}

void print_effective(FILE *f, const char *prefix, const struct ctl_proto_effective *e)
{
	char value[16];
	int k;

	for (k = 0; k < POLICY_KEYS; k++) {
		policy_format_value(&e->values, (enum policy_key)k, value, sizeof(value));
		fprintf(f, "%s%s: %s (from %s)\n", prefix, policy_key_name((enum policy_key)k), value,
			e->from[k]);
	}
}
