/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /etc/iosup/iosupd.conf: the daemon's defaults, "key = value" lines.
 * Every key is documented in iosupd.conf(5) and in config.c's table; a bad
 * line is an error naming the file, the line and the key, and nothing of
 * the file is applied.
 */
#ifndef IOSUP_CONFIG_H
#define IOSUP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum iosup_mode {
	IOSUP_MODE_ENFORCE,	/* decide and apply */
	IOSUP_MODE_OBSERVE,	/* decide and log "would ...", change nothing */
	IOSUP_MODE_OFF,		/* leave the domain alone */
};

/* A path's room, its NUL included: a directory, not a file deep in one. */
#define CONFIG_PATH_MAX 256

/* A group's name, its NUL included (useradd takes at most 32). */
#define CONFIG_GROUP_MAX 33

/*
 * Debian's prometheus-node-exporter reads its textfile collector's
 * *.prom files from here (/etc/default/prometheus-node-exporter).
 */
#define CONFIG_METRICS_DIR "/var/lib/prometheus/node-exporter"

struct iosup_config {
	uint32_t period_ms;		/* control period */
	uint32_t min_pages;		/* per level, unless a domain's policy says */
	uint32_t max_pages;
	uint32_t memory_cap_mib;	/* all pools of all domains together */
	/* dom0's available memory under this share of its total is pressure */
	uint32_t free_floor_percent;
	enum iosup_mode mode;		/* for domains without a policy of their own */
	/* the lease domUs' agents hold targets under (their guest_lease) */
	uint32_t guest_lease_s;
	/* Where iosup.prom is written each period; "": no metrics (metrics.h). */
	char metrics_dir[CONFIG_PATH_MAX];
	/* The group let in on the control socket beside root; "": none. */
	char control_group[CONFIG_GROUP_MAX];
	/* Its gid, found by config_load ((gid_t)-1: none), and its line. */
	gid_t control_gid;
	unsigned int control_group_line;
	/* Which of the policy's defaults the file set (else built in). */
	bool file_sets_mode, file_sets_min_pages, file_sets_max_pages;
};

/*
 * Available memory under 3% of the total is pressure by default: the
 * kernel's own watermarks sit below 1-2% on hosts of a few GiB and up, so
 * this is where reclaim is near, and a pool growing there takes page
 * cache the host is about to need.
 */
#define CONFIG_FREE_FLOOR_PERCENT 3

/* The built-in defaults, which a file overrides key by key. */
void config_defaults(struct iosup_config *config);

/*
 * Parses @text (@len bytes, not necessarily NUL-terminated) named @name
 * into @config, which is left untouched on error. Returns 0, or -EINVAL
 * with a message in @err ("NAME:LINE: KEY: what is wrong").
 */
int config_parse(const char *name, const char *text, size_t len,
		 struct iosup_config *config, char *err, size_t err_len);

/*
 * Reads and parses the file at @path; a missing file leaves the defaults.
 * control_group is looked up in the host's group database here: a name
 * that is not a group is an error naming its line.
 */
int config_load(const char *path, struct iosup_config *config, char *err,
		size_t err_len);

/* "enforce", "observe", "off"; and back (-1: not a mode). */
const char *config_mode_name(enum iosup_mode mode);
int config_mode_parse(const char *text);

#endif
