// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-domain policy values: parsed strictly (decimal digits only, no sign,
 * no spaces, within range), because anyone with write access to the policy
 * path in xenstore can put anything there.
 */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/iosup.h>

/* Longest value taken: a number or a mode; more is not a value of ours. */
#define VALUE_MAX 32

static const char *const key_names[POLICY_KEYS] = {
	[POLICY_MODE] = "mode",
	[POLICY_MIN_PAGES] = "min_pages",
	[POLICY_MAX_PAGES] = "max_pages",
	[POLICY_TARGET_FLUSH_RATE] = "target_flush_rate",
};

const char *policy_key_name(enum policy_key key)
{
	return (unsigned int)key < POLICY_KEYS ? key_names[key] : "unknown";
}

int policy_key_parse(const char *name, size_t len)
{
	int k;

	for (k = 0; k < POLICY_KEYS; k++)
		if (strlen(key_names[k]) == len && !memcmp(key_names[k], name, len))
			return k;
	return -1;
}

/* @value as a decimal in [0, @max], or -1. */
static long long parse_number(const char *value, size_t len, uint32_t max)
{
	long long v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (value[i] < '0' || value[i] > '9')
			return -1;
		v = v * 10 + (value[i] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* The value, printable, for a message: at most VALUE_MAX bytes, '?' for the rest. */
static void show(const char *value, size_t len, char *out)
{
	size_t i, n = len < VALUE_MAX ? len : VALUE_MAX;

	for (i = 0; i < n; i++)
		out[i] = value[i] >= 0x20 && value[i] < 0x7f ? value[i] : '?';
	out[n] = '\0';
}

int policy_set(struct policy *p, enum policy_key key, const char *value,
	       size_t len, char *err, size_t err_len)
{
	char shown[VALUE_MAX + 1];
	uint32_t max = key == POLICY_TARGET_FLUSH_RATE ? POLICY_FLUSH_RATE_MAX : IOSUP_LIMIT_MAX;
	long long v;

	show(value, len, shown);
	if ((unsigned int)key >= POLICY_KEYS) {
		snprintf(err, err_len, "unknown policy key");
		return -EINVAL;
	}
	if (key == POLICY_MODE) {
		char mode[VALUE_MAX + 1];
		int m = -1;

		if (len <= VALUE_MAX) {
			memcpy(mode, value, len);
			mode[len] = '\0';
			if (strlen(mode) == len)
				m = config_mode_parse(mode);
		}
		if (m < 0) {
			snprintf(err, err_len, "mode: '%s' is not enforce, observe or off", shown);
			return -EINVAL;
		}
		p->mode = (enum iosup_mode)m;
		p->set[key] = true;
		return 0;
	}
	v = parse_number(value, len, max);
	if (v < 0) {
		snprintf(err, err_len, "%s: '%s'%s is not a number from 0 to %u",
			 key_names[key], shown, len > VALUE_MAX ? "..." : "", max);
		return -EINVAL;
	}
	if (key == POLICY_MIN_PAGES)
		p->min_pages = (uint32_t)v;
	else if (key == POLICY_MAX_PAGES)
		p->max_pages = (uint32_t)v;
	else
		p->target_flush_rate = (uint32_t)v;
	p->set[key] = true;
	return 0;
}

int policy_set_arg(struct policy *p, const char *arg, char *err, size_t err_len)
{
	const char *eq = strchr(arg, '=');
	int key;

	if (!eq) {
		snprintf(err, err_len, "'%.40s': expected key=value", arg);
		return -EINVAL;
	}
	key = policy_key_parse(arg, (size_t)(eq - arg));
	if (key < 0) {
		snprintf(err, err_len, "'%.*s': not a policy key (" POLICY_KEY_LIST ")",
			 (int)(eq - arg < 40 ? eq - arg : 40), arg);
		return -EINVAL;
	}
	return policy_set(p, (enum policy_key)key, eq + 1, strlen(eq + 1), err, err_len);
}

static const char *const layer_names[POLICY_LAYERS] = {
	[POLICY_LAYER_CONFIG] = "the config",
	[POLICY_LAYER_DEFAULT] = "the default policy",
	[POLICY_LAYER_FILE] = "the policy file",
	[POLICY_LAYER_DOMAIN] = "the domain's policy",
};

/* @layer's keys over @out, each key's layer noted in @from. */
static void overlay(struct policy *out, uint8_t from[POLICY_KEYS], const struct policy *layer,
		    enum policy_layer l)
{
	int k;

	for (k = 0; k < POLICY_KEYS; k++)
		if (layer->set[k])
			from[k] = (uint8_t)l;
	if (layer->set[POLICY_MODE])
		out->mode = layer->mode;
	if (layer->set[POLICY_MIN_PAGES])
		out->min_pages = layer->min_pages;
	if (layer->set[POLICY_MAX_PAGES])
		out->max_pages = layer->max_pages;
	if (layer->set[POLICY_TARGET_FLUSH_RATE])
		out->target_flush_rate = layer->target_flush_rate;
}

int policy_merge_layers(const struct policy *const layers[POLICY_LAYERS], struct policy *out,
			uint8_t from[POLICY_KEYS], char *err, size_t err_len)
{
	uint8_t merged_from[POLICY_KEYS], try_from[POLICY_KEYS];
	struct policy merged = *layers[POLICY_LAYER_CONFIG], next;
	int l, r = 0;

	memset(merged_from, POLICY_LAYER_CONFIG, sizeof(merged_from));
	for (l = POLICY_LAYER_CONFIG + 1; l < POLICY_LAYERS; l++) {
		if (!layers[l])
			continue;
		next = merged;
		memcpy(try_from, merged_from, sizeof(try_from));
		overlay(&next, try_from, layers[l], (enum policy_layer)l);
		/* A layer that leaves min above max is dropped whole; the first said. */
		if (next.min_pages > next.max_pages) {
			if (!r)
				snprintf(err, err_len, "%s's min_pages (%u) is above max_pages (%u)",
					 layer_names[l], next.min_pages, next.max_pages);
			r = -EINVAL;
			continue;
		}
		merged = next;
		memcpy(merged_from, try_from, sizeof(merged_from));
	}
	*out = merged;
	if (from)
		memcpy(from, merged_from, sizeof(merged_from));
	return r;
}

void policy_from_config(const struct iosup_config *c, struct policy *p)
{
	*p = (struct policy){
		.set = { true, true, true, true },
		.mode = c->mode,
		.min_pages = c->min_pages,
		.max_pages = c->max_pages,
		.target_flush_rate = 0,
	};
}

int policy_format_value(const struct policy *p, enum policy_key key, char *buf, size_t len)
{
	switch (key) {
	case POLICY_MODE:
		return snprintf(buf, len, "%s", config_mode_name(p->mode));
	case POLICY_MIN_PAGES:
		return snprintf(buf, len, "%" PRIu32, p->min_pages);
	case POLICY_MAX_PAGES:
		return snprintf(buf, len, "%" PRIu32, p->max_pages);
	default:
		return snprintf(buf, len, "%" PRIu32, p->target_flush_rate);
	}
}

bool policy_uuid_parse(const char *text, char out[POLICY_UUID_LEN + 1])
{
	char uuid[POLICY_UUID_LEN + 1];
	size_t i;

	if (strlen(text) != POLICY_UUID_LEN)
		return false;
	for (i = 0; i < POLICY_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
			return false;
		uuid[i] = (char)tolower((unsigned char)text[i]);
	}
	uuid[POLICY_UUID_LEN] = '\0';
	memcpy(out, uuid, sizeof(uuid));
	return true;
}
