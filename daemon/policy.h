/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-domain policy, as kept in xenstore under /iosup/policy/<domid>/ and
 * /iosup/policy/default/: one value per key. This is the pure part, used
 * by iosupd on what it reads and by iosupctl on what it is asked to write:
 * parse and check one value, and merge the layers (built-in and config
 * defaults, then "default", then the domain's own). Nothing here talks to
 * xenstore.
 */
#ifndef IOSUP_POLICY_H
#define IOSUP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum policy_key {
	POLICY_MODE,
	POLICY_MIN_PAGES,
	POLICY_MAX_PAGES,
	POLICY_TARGET_FLUSH_RATE,
	POLICY_KEYS
};

/* One layer: which keys it sets, and their values. */
struct policy {
	bool set[POLICY_KEYS];
	enum iosup_mode mode;
	uint32_t min_pages, max_pages;
	uint32_t target_flush_rate;	/* page-selective invalidations a second */
};

/* The key named @name (up to @len bytes), or -1. */
int policy_key_parse(const char *name, size_t len);
const char *policy_key_name(enum policy_key key);

/*
 * Sets @key in @p from @value (@len bytes, as xenstore gives them: not
 * NUL-terminated, anything in them). Returns 0, or -EINVAL with a message
 * in @err naming the key and saying what is allowed; @p is then unchanged.
 */
int policy_set(struct policy *p, enum policy_key key, const char *value,
	       size_t len, char *err, size_t err_len);

/*
 * @key's value in @p as xenstore keeps it and people read it ("observe",
 * "96"), into @buf. Returns what snprintf() does.
 */
int policy_format_value(const struct policy *p, enum policy_key key, char *buf, size_t len);

/* Parses "key=value", as iosupctl policy set takes it. */
int policy_set_arg(struct policy *p, const char *arg, char *err, size_t err_len);

/*
 * The effective policy: @base (from the config, every key set) overlaid
 * with @def (/iosup/policy/default) and then @dom (the domain's). If the
 * result has min_pages above max_pages, -EINVAL with a message, and @out
 * is @base overlaid with @def alone (a bad domain policy falls back to the
 * default one, never to nothing).
 */
int policy_merge(const struct policy *base, const struct policy *def,
		 const struct policy *dom, struct policy *out, char *err,
		 size_t err_len);

/* The config's defaults as a layer with every key set. */
void policy_from_config(const struct iosup_config *c, struct policy *p);

#endif
