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

/*
 * A flush-rate target above a million a second is above what any IOMMU
 * does; it is a typo, not a policy.
 */
#define POLICY_FLUSH_RATE_MAX 1000000

/* One layer: which keys it sets, and their values. */
struct policy {
	bool set[POLICY_KEYS];
	enum iosup_mode mode;
	uint32_t min_pages, max_pages;
	uint32_t target_flush_rate;	/* page-selective invalidations a second */
};

/* The keys, as messages list them (key_names in policy.c, in this order). */
#define POLICY_KEY_LIST "mode, min_pages, max_pages, target_flush_rate"

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

/* The layers, lowest first: each key comes from the last that sets it. */
enum policy_layer {
	POLICY_LAYER_CONFIG,	/* iosupd.conf, every key set */
	POLICY_LAYER_DEFAULT,	/* /iosup/policy/default in xenstore */
	POLICY_LAYER_FILE,	/* the policy.d file matching the domain */
	POLICY_LAYER_DOMAIN,	/* /iosup/policy/<domid>: the live override */
	POLICY_LAYERS
};

/*
 * The effective policy: @layers[POLICY_LAYER_CONFIG] (every key set)
 * overlaid with each further layer that is not NULL, in order. A layer
 * that would leave min_pages above max_pages is dropped whole (a bad
 * layer falls back to those below it, never to nothing), and the first
 * such is said in @err with -EINVAL; @out is set either way. @from, if
 * not NULL, gets each key's layer.
 */
int policy_merge_layers(const struct policy *const layers[POLICY_LAYERS], struct policy *out,
			uint8_t from[POLICY_KEYS], char *err, size_t err_len);


/* The config's defaults as a layer with every key set. */
void policy_from_config(const struct iosup_config *c, struct policy *p);

/* A domain's UUID as text: 36 characters. */
#define POLICY_UUID_LEN 36

/* Whether @text is a UUID (8-4-4-4-12 hex digits); its lower case in @out. */
bool policy_uuid_parse(const char *text, char out[POLICY_UUID_LEN + 1]);

#endif
