// SPDX-License-Identifier: GPL-2.0-only
/* A domU's pool stats, from its own xenstore node (see guest-stats.h). */
#include "guest-stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/iosup.h>

#include "store-path.h"

enum stats_key { HITS, MISSES, POOL, LIMIT, STATS_KEYS };

static const struct {
	const char *name;
	uint64_t max;
} stats_keys[STATS_KEYS] = {
	[HITS] = { IOSUP_XS_STATS_HITS, UINT64_MAX },
	[MISSES] = { IOSUP_XS_STATS_MISSES, UINT64_MAX },
	[POOL] = { IOSUP_XS_STATS_POOL, IOSUP_GUEST_POOL_MAX },
	[LIMIT] = { IOSUP_XS_STATS_LIMIT, IOSUP_LIMIT_MAX },
};

/* Enough of a field to recognise it in a message. */
#define SHOWN_MAX 24

/* @len bytes of @s for a message: cut, anything not printable as '?'. */
static void shown(const char *s, size_t len, char out[SHOWN_MAX + 1])
{
	size_t i;

	for (i = 0; i < len && i < SHOWN_MAX; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

static int find_key(const char *s, size_t len)
{
	int k;

	for (k = 0; k < STATS_KEYS; k++)
		if (strlen(stats_keys[k].name) == len &&
		    !memcmp(stats_keys[k].name, s, len))
			return k;
	return -1;
}

/* One value, each way it can be wrong said apart: the agent's author reads this. */
static int parse_value(int k, const char *s, size_t len, uint64_t *out,
		       char *err, size_t err_len, enum iosup_guest_fault *fault)
{
	const char *name = stats_keys[k].name;
	char show[SHOWN_MAX + 1];
	size_t i;

	shown(s, len, show);
	if (!len) {
		snprintf(err, err_len, "%s: empty value", name);
		return -EINVAL;
	}
	if (s[0] == '+' || s[0] == '-') {
		snprintf(err, err_len, "%s: '%s': no sign allowed", name, show);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			snprintf(err, err_len, "%s: '%s' is not a decimal number", name, show);
			return -EINVAL;
		}
	}
	if (len > 1 && s[0] == '0') {
		snprintf(err, err_len, "%s: '%s' has a leading zero", name, show);
		return -EINVAL;
	}
	if (iosup_store_parse_u64(s, len, stats_keys[k].max, out)) {
		*fault = IOSUP_GUEST_FAULT_BOUND;
		snprintf(err, err_len, "%s: %s%s is above %" PRIu64 "%s", name, show,
			 len > SHOWN_MAX ? "..." : "", stats_keys[k].max,
			 k == LIMIT ? ", the most a pool may hold" : "");
		return -EINVAL;
	}
	return 0;
}

int iosup_guest_stats_parse(const char *value, size_t len,
			    struct ctl_level_sample *out, char *err,
			    size_t err_len, enum iosup_guest_fault *fault)
{
	enum iosup_guest_fault ignored;
	uint64_t v[STATS_KEYS] = { 0 };
	bool seen[STATS_KEYS] = { false };
	char show[SHOWN_MAX + 1];
	size_t start, end, flen;
	const char *field, *eq, *nul;
	int k;

	if (!fault)
		fault = &ignored;
	*fault = IOSUP_GUEST_FAULT_MALFORMED;
	if (!len) {
		snprintf(err, err_len, "empty");
		return -EINVAL;
	}
	if (len > IOSUP_GUEST_STATS_MAX) {
		*fault = IOSUP_GUEST_FAULT_OVERSIZE;
		snprintf(err, err_len, "%zu bytes, more than the %d a report takes",
			 len, IOSUP_GUEST_STATS_MAX);
		return -EINVAL;
	}
	nul = memchr(value, '\0', len);
	if (nul) {
		snprintf(err, err_len, "a NUL byte at offset %zu", (size_t)(nul - value));
		return -EINVAL;
	}
	for (start = 0;; start = end + 1) {
		for (end = start; end < len && value[end] != ' '; end++)
			;
		field = value + start;
		flen = end - start;
		if (!flen) {
			snprintf(err, err_len, "an empty field at offset %zu (one space between fields, none at the ends)",
				 start);
			return -EINVAL;
		}
		shown(field, flen, show);
		eq = memchr(field, '=', flen);
		if (!eq) {
			snprintf(err, err_len, "'%s': not key=value", show);
			return -EINVAL;
		}
		k = find_key(field, (size_t)(eq - field));
		if (k < 0) {
			*fault = IOSUP_GUEST_FAULT_KEY;
			shown(field, (size_t)(eq - field), show);
			snprintf(err, err_len, "'%s': not a stats key (hits, misses, pool, limit)",
				 show);
			return -EINVAL;
		}
		if (seen[k]) {
			snprintf(err, err_len, "%s: given twice", stats_keys[k].name);
			return -EINVAL;
		}
		if (parse_value(k, eq + 1, flen - (size_t)(eq + 1 - field), &v[k],
				err, err_len, fault))
			return -EINVAL;
		seen[k] = true;
		if (end == len)
			break;
	}
	for (k = 0; k < STATS_KEYS; k++) {
		if (!seen[k]) {
			snprintf(err, err_len, "%s: missing", stats_keys[k].name);
			return -EINVAL;
		}
	}
	*out = (struct ctl_level_sample){
		.hits = v[HITS],
		.misses = v[MISSES],
		.pool = v[POOL],
		.limit = (uint32_t)v[LIMIT],
	};
	return 0;
}

const char *iosup_guest_fault_name(enum iosup_guest_fault fault)
{
	switch (fault) {
	case IOSUP_GUEST_FAULT_MALFORMED:
		return "malformed";
	case IOSUP_GUEST_FAULT_OVERSIZE:
		return "oversize";
	case IOSUP_GUEST_FAULT_KEY:
		return "unknown key";
	case IOSUP_GUEST_FAULT_BOUND:
		return "out of bound";
	case IOSUP_GUEST_FAULTS:
		break;
	}
	return "fault";
}

bool iosup_guest_warn_due(struct iosup_guest_warnings *w,
			  enum iosup_guest_fault fault, uint64_t now_ms,
			  uint64_t *suppressed)
{
	if ((unsigned int)fault >= IOSUP_GUEST_FAULTS)
		fault = IOSUP_GUEST_FAULT_MALFORMED;
	if (w->warned & (1u << fault) &&
	    now_ms - w->last_ms[fault] < IOSUP_GUEST_WARN_MS &&
	    now_ms >= w->last_ms[fault]) {
		w->suppressed[fault]++;
		return false;
	}
	*suppressed = w->suppressed[fault];
	w->suppressed[fault] = 0;
	w->last_ms[fault] = now_ms;
	w->warned |= 1u << fault;
	return true;
}
