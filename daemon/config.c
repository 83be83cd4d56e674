// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config file parser: "key = value" lines, "#" comments, blank lines.
 * Values are checked against each key's range; the first bad line stops
 * the parse and is named in the error.
 */
#define _POSIX_C_SOURCE 200809L /* getgrnam_r */

#include "config.h"
#include "conf-lines.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iosup.h>
#include <xen/iosup-xenstore.h>

enum value_kind { VALUE_U32, VALUE_MODE, VALUE_DIR, VALUE_GROUP };

struct key {
	const char *name;
	enum value_kind kind;
	size_t offset;
	uint32_t min, max;	/* VALUE_U32 */
	const char *unit;	/* for the error message */
};

#define U32_KEY(n, field, lo, hi, u) \
	{ n, VALUE_U32, offsetof(struct iosup_config, field), lo, hi, u }

/*
 * period_ms: shorter than half a second is more netlink and hypercall
 * traffic than the pools are worth; longer than a minute cannot follow a
 * build. max_pages: a level's limit, as the module takes it. The cap in
 * MiB: a pool page is 4 KiB. free_floor_percent: 0 would never see
 * pressure, and over 90 would see it on a host at rest. guest_lease_s:
 * the agents' lease, as their module takes it; under 3 s there is no
 * room to renew it a few times in each.
 */
static const struct key keys[] = {
	U32_KEY("period_ms", period_ms, 500, 60000, "milliseconds"),
	U32_KEY("min_pages", min_pages, 0, IOSUP_LIMIT_MAX, "pages"),
	U32_KEY("max_pages", max_pages, 0, IOSUP_LIMIT_MAX, "pages"),
	U32_KEY("memory_cap_mib", memory_cap_mib, 1, 1U << 20, "MiB"),
	U32_KEY("free_floor_percent", free_floor_percent, 1, 90, "percent"),
	U32_KEY("guest_lease_s", guest_lease_s, 3, IOSUP_LEASE_MAX, "seconds"),
	{ "mode", VALUE_MODE, offsetof(struct iosup_config, mode), 0, 0, NULL },
	{ "metrics_dir", VALUE_DIR, offsetof(struct iosup_config, metrics_dir), 0, 0, NULL },
	{ "control_group", VALUE_GROUP, offsetof(struct iosup_config, control_group), 0, 0, NULL },
};

void config_defaults(struct iosup_config *config)
{
	*config = (struct iosup_config){
		.period_ms = 2000,
		.min_pages = 0,
		.max_pages = 4096,
		.memory_cap_mib = 64,
		.free_floor_percent = CONFIG_FREE_FLOOR_PERCENT,
		.mode = IOSUP_MODE_ENFORCE,
		.guest_lease_s = IOSUP_XS_LEASE_S,
		.metrics_dir = CONFIG_METRICS_DIR,
		.control_gid = (gid_t)-1,
	};
}

const char *config_mode_name(enum iosup_mode mode)
{
	switch (mode) {
	case IOSUP_MODE_ENFORCE:
		return "enforce";
	case IOSUP_MODE_OBSERVE:
		return "observe";
	case IOSUP_MODE_OFF:
		return "off";
	}
	return "unknown";
}

int config_mode_parse(const char *text)
{
	if (!strcmp(text, "enforce"))
		return IOSUP_MODE_ENFORCE;
	if (!strcmp(text, "observe"))
		return IOSUP_MODE_OBSERVE;
	if (!strcmp(text, "off"))
		return IOSUP_MODE_OFF;
	return -1;
}

static bool parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v = 0;
	const char *p;

	if (!*text)
		return false;
	for (p = text; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*out = (uint32_t)v;
	return true;
}

/*
 * A directory: empty (the feature is off), or an absolute path of
 * printable characters that fits CONFIG_PATH_MAX.
 */
static int parse_dir(const char *name, unsigned int lineno, const char *key,
		     const char *value, char *out, char *err, size_t err_len)
{
	const char *p;

	if (strlen(value) >= CONFIG_PATH_MAX)
		return conf_fail(err, err_len, name, lineno, "%s: longer than %d characters",
				 key, CONFIG_PATH_MAX - 1);
	if (*value && *value != '/')
		return conf_fail(err, err_len, name, lineno,
				 "%s: '%.40s' is not an absolute path (or empty, for none)",
				 key, value);
	for (p = value; *p; p++)
		if (!isprint((unsigned char)*p))
			return conf_fail(err, err_len, name, lineno,
					 "%s: a control or non-ASCII character in the path", key);
	strcpy(out, value);
	return 0;
}

/*
 * A group's name: empty (root alone), or what useradd and adduser take
 * (letters, digits, '_', '.', '-', not first a '-'), not a bare number:
 * "100" could be read as a gid, and is refused rather than guessed at.
 */
static int parse_group(const char *name, unsigned int lineno, const char *key,
		       const char *value, char *out, char *err, size_t err_len)
{
	bool digits = true;
	const char *p;

	if (strlen(value) >= CONFIG_GROUP_MAX)
		return conf_fail(err, err_len, name, lineno, "%s: longer than %d characters",
				 key, CONFIG_GROUP_MAX - 1);
	for (p = value; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return conf_fail(err, err_len, name, lineno,
					 "%s: '%.40s' is not a group name (letters, digits, '_', '.', '-')",
					 key, value);
		if (!isdigit((unsigned char)*p))
			digits = false;
	}
	if (*value == '-' || (*value && digits))
		return conf_fail(err, err_len, name, lineno,
				 "%s: '%.40s' is not a group name (a name, not a number, not first a '-')",
				 key, value);
	strcpy(out, value);
	return 0;
}

struct parse_state {
	const char *name;
	struct iosup_config *c;
	bool seen[sizeof(keys) / sizeof(keys[0])];
};

/* One "key = value" line. 0, or -EINVAL with @err set. */
static int parse_line(void *data, unsigned int lineno, const char *key, const char *value,
		      char *err, size_t err_len)
{
	struct parse_state *st = data;
	struct iosup_config *c = st->c;
	const char *name = st->name;
	bool *seen = st->seen;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, key))
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return conf_fail(err, err_len, name, lineno, "unknown key '%.40s'", key);
	if (seen[i])
		return conf_fail(err, err_len, name, lineno, "%s: set twice", key);
	seen[i] = true;
	c->file_sets_mode |= !strcmp(key, "mode");
	c->file_sets_min_pages |= !strcmp(key, "min_pages");
	c->file_sets_max_pages |= !strcmp(key, "max_pages");

	if (keys[i].kind == VALUE_MODE) {
		int mode = config_mode_parse(value);

		if (mode < 0)
			return conf_fail(err, err_len, name, lineno,
					 "mode: '%.40s' is not enforce, observe or off", value);
		c->mode = (enum iosup_mode)mode;
		return 0;
	}
	if (keys[i].kind == VALUE_DIR)
		return parse_dir(name, lineno, key, value,
				 (char *)c + keys[i].offset, err, err_len);
	if (keys[i].kind == VALUE_GROUP) {
		c->control_group_line = lineno;
		return parse_group(name, lineno, key, value,
				   (char *)c + keys[i].offset, err, err_len);
	}
	if (!parse_u32(value, keys[i].min, keys[i].max,
		       (uint32_t *)((char *)c + keys[i].offset)))
		return conf_fail(err, err_len, name, lineno,
				 "%s: '%.40s' is not a number of %s from %u to %u",
				 key, value, keys[i].unit, keys[i].min, keys[i].max);
	return 0;
}

int config_parse(const char *name, const char *text, size_t len,
		 struct iosup_config *config, char *err, size_t err_len)
{
	struct iosup_config c = *config;
	struct parse_state st = { .name = name, .c = &c };
	unsigned int lineno;
	int ret;

	ret = conf_lines(name, text, len, parse_line, &st, &lineno, err, err_len);
	if (ret)
		return ret;
	if (c.min_pages > c.max_pages)
		return conf_fail(err, err_len, name, lineno,
				 "min_pages (%u) is above max_pages (%u)",
				 c.min_pages, c.max_pages);
	*config = c;
	return 0;
}

/* control_group's gid from the host's group database (NSS). */
static int resolve_group(const char *path, struct iosup_config *config, char *err,
			 size_t err_len)
{
	/* Enough for a group with a few hundred members; grown on ERANGE. */
	size_t len = 4096;
	struct group gr, *found = NULL;
	char *buf = NULL, *bigger;
	int r;

	config->control_gid = (gid_t)-1;
	if (!config->control_group[0])
		return 0;
	do {
		bigger = realloc(buf, len);
		if (!bigger) {
			r = ENOMEM;
			break;
		}
		buf = bigger;
		r = getgrnam_r(config->control_group, &gr, buf, len, &found);
		len *= 2;
	} while (r == ERANGE && len <= 1 << 20);
	if (found)
		config->control_gid = gr.gr_gid;
	free(buf);
	if (found)
		return 0;
	if (!r)
		return conf_fail(err, err_len, path, config->control_group_line,
				 "control_group: no group '%s' on this host", config->control_group);
	return conf_fail(err, err_len, path, config->control_group_line,
			 "control_group: looking up '%s': %s", config->control_group, strerror(r));
}

int config_load(const char *path, struct iosup_config *config, char *err,
		size_t err_len)
{
	/* A config file is a few lines; a huge one is a mistake. */
	enum { MAX_FILE = 64 * 1024 };
	char *buf;
	size_t len;
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return ret;
	}
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	len = fread(buf, 1, MAX_FILE + 1, f);
	if (ferror(f)) {
		ret = -EIO;
		snprintf(err, err_len, "%s: read error", path);
	} else if (len > MAX_FILE) {
		ret = -EFBIG;
		snprintf(err, err_len, "%s: larger than %d bytes", path, MAX_FILE);
	} else {
		ret = config_parse(path, buf, len, config, err, err_len);
	}
	free(buf);
	fclose(f);
	return ret ? ret : resolve_group(path, config, err, err_len);
}
