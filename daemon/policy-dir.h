/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /etc/iosup/policy.d/NAME.conf: policy that lasts. xenstore is empty after a
 * reboot and domain ids are reused, so a domain's lasting policy is kept
 * in a file that names the domain (by name or by UUID) and is applied
 * whenever a domain of that name or UUID is there; xenstore's
 * /iosup/policy/<domid> stays the live override on top (policy.h's
 * layers). A file:
 *
 *   # the web zone: pools up to 8192 pages a level
 *   name = web
 *   max_pages = 8192
 *
 * Exactly one of "name" and "uuid", then policy keys (policy.h), each at
 * most once. A bad file is reported (file, line, key) and nothing of it is
 * applied; the others are.
 */
#ifndef IOSUP_POLICY_DIR_H
#define IOSUP_POLICY_DIR_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* A file's base name, its NUL included ("web.conf"). */
#define POLICY_FILE_NAME_MAX 64
/* A domain's name as matched, its NUL included (Xen keeps them short). */
#define POLICY_MATCH_MAX 64

struct policy_file {
	char name[POLICY_FILE_NAME_MAX];
	bool by_uuid;
	char match[POLICY_MATCH_MAX];	/* the name, or the UUID in lower case */
	struct policy policy;
	unsigned int line[POLICY_KEYS];	/* where each key set was set */
};

struct policy_dir {
	struct policy_file *files;
	size_t n;
};

/*
 * Parses @text (@len bytes) of the file named @name into @out. Returns 0,
 * or -EINVAL with "NAME:LINE: KEY: what is wrong" in @err.
 */
int policy_file_parse(const char *name, const char *text, size_t len,
		      struct policy_file *out, char *err, size_t err_len);

/*
 * Reads @path/ *.conf in name order into @out, replacing what it held. A
 * missing directory is none. Each bad file (unreadable, too large, a bad
 * line, a domain another file already names, a name not printable) is
 * handed to @bad with its message and left out. Returns how many files
 * were left out, or -errno if the directory could not be read (@out then
 * as it was).
 */
int policy_dir_load(const char *path, struct policy_dir *out,
		    void (*bad)(void *data, const char *err), void *data);

void policy_dir_free(struct policy_dir *d);

/* policy.d in @config_path's directory (/etc/iosup/policy.d), malloc'ed. */
char *policy_dir_beside(const char *config_path);

/*
 * The file for a domain: the one naming its @uuid, else the one naming
 * its @name; NULL if none. Either may be NULL or "" (not known yet).
 */
const struct policy_file *policy_dir_find(const struct policy_dir *d, const char *name,
					  const char *uuid);

#endif
