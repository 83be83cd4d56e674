/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore paths iosupd uses, and what a watch event's path says: the
 * pure part of the xenstore backend (store.c does the I/O).
 *
 *   /iosup/policy/<domid>/<key>, /iosup/policy/default/<key>
 *                      admin policy, dom0-only (policy.h has the keys)
 *   /local/domain/<domid>/control/iosup/target-l<level>
 *                      pages the domain's pool at that level should hold
 *                      (dom0 writes, the domain reads)
 *   /local/domain/<domid>/control/iosup/ratio-l<level>
 *                      the free ratio of the domain's pool at that level
 *                      (dom0 writes, the domain reads)
 *   /local/domain/<domid>/data/iosup/level-<level>
 *                      the domain's pool stats at that level (the domain
 *                      writes, dom0 reads; guest-stats.h has the format)
 *
 * The domain's part of these names, and their grammar, are defined once,
 * for iosupd and the module's agent both, in <xen/iosup-xenstore.h>.
 *
 * Everything read from xenstore is parsed strictly: decimal digits only, no
 * sign, no spaces, no leading zeros, within range.
 */
#ifndef IOSUP_STORE_PATH_H
#define IOSUP_STORE_PATH_H

#include <stddef.h>
#include <stdint.h>

#define IOSUP_STORE_POLICY "/iosup/policy"
#define IOSUP_STORE_DOMAINS "/local/domain"

/* The default policy, where a domid is taken. */
#define IOSUP_STORE_DEFAULT (-1)
/* A watch event: every policy may have changed (the tree itself did). */
#define IOSUP_STORE_ALL (-2)

/* The watch tokens store.c registers. */
#define IOSUP_STORE_TOKEN_POLICY "iosup-policy"
#define IOSUP_STORE_TOKEN_DOMAINS "iosup-domains"

/* The longest path built here, with its NUL: well under xenstore's limit. */
#define IOSUP_STORE_PATH_MAX 96

/*
 * @s (@len bytes, no NUL needed) as a canonical decimal in [0, @max], or
 * -EINVAL: iosup_xs_parse_u64(), the grammar the module's agent parses
 * dom0's values with.
 */
int iosup_store_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/* An ordinary domain's id (below DOMID_FIRST_RESERVED), or -EINVAL. */
int iosup_store_parse_domid(const char *s, size_t len, unsigned int *domid);

/*
 * /iosup/policy/<domid or default>[/<key>] into @buf: 0, -EINVAL for a
 * domid out of range or a key that is not one path component, or
 * -ENAMETOOLONG.
 */
int iosup_store_policy_path(char *buf, size_t len, int domid, const char *key);

/* /local/domain/<domid>[/<sub>] into @buf. */
int iosup_store_domain_path(char *buf, size_t len, unsigned int domid,
			    const char *sub);

/* /local/domain/<domid>/control/iosup/target-l<level>; @level 0: the dir. */
int iosup_store_target_path(char *buf, size_t len, unsigned int domid,
			    unsigned int level);

/* /local/domain/<domid>/control/iosup/ratio-l<level>; @level 0: the dir. */
int iosup_store_ratio_path(char *buf, size_t len, unsigned int domid,
			   unsigned int level);

/* /local/domain/<domid>/data/iosup/level-<level>; @level 0: the dir. */
int iosup_store_guest_stats_path(char *buf, size_t len, unsigned int domid,
				 unsigned int level);

/* What a watch event means. */
enum iosup_store_watch {
	IOSUP_STORE_WATCH_POLICY,	/* a domain's (or the default, or all) */
	IOSUP_STORE_WATCH_DOMAINS,	/* a domain came or went */
	IOSUP_STORE_WATCH_IGNORED,	/* nothing iosupd follows */
};

/*
 * Classifies the watch event (@path, @token). For a policy, *@domid is
 * the domain, IOSUP_STORE_DEFAULT or IOSUP_STORE_ALL. -EINVAL, with @err
 * naming the path, for a node under /iosup/policy that is neither a domid
 * nor "default" (someone wrote it by hand; nothing reads it), or for a
 * token that is not ours.
 */
int iosup_store_classify(const char *path, const char *token,
			 enum iosup_store_watch *what, int *domid, char *err,
			 size_t err_len);

#endif
