// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenstore paths and watch events (see store-path.h). Pure: no xenstore
 * here, so that all of it runs in the unit tests.
 */
#include "store-path.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/iosup.h>
#include <xen/iosup-xenstore.h>

#include "xen.h"

int iosup_store_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	return iosup_xs_parse_u64(s, len, max, out);
}

int iosup_store_parse_domid(const char *s, size_t len, unsigned int *domid)
{
	uint64_t v;
	int r;

	r = iosup_store_parse_u64(s, len, IOSUP_DOMID_FIRST_RESERVED - 1, &v);
	if (!r)
		*domid = (unsigned int)v;
	return r;
}

/* snprintf into @buf, -ENAMETOOLONG if it did not fit. */
static int build(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int build(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* One path component: not empty, no '/', printable ASCII. */
static bool component(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] == '/' || s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return i > 0;
}

int iosup_store_policy_path(char *buf, size_t len, int domid, const char *key)
{
	char dom[16];

	if (domid == IOSUP_STORE_DEFAULT)
		snprintf(dom, sizeof(dom), "default");
	else if (domid >= 0 && domid < (int)IOSUP_DOMID_FIRST_RESERVED)
		snprintf(dom, sizeof(dom), "%d", domid);
	else
		return -EINVAL;
	if (!key)
		return build(buf, len, IOSUP_STORE_POLICY "/%s", dom);
	if (!component(key))
		return -EINVAL;
	return build(buf, len, IOSUP_STORE_POLICY "/%s/%s", dom, key);
}

int iosup_store_domain_path(char *buf, size_t len, unsigned int domid,
			    const char *sub)
{
	if (domid >= IOSUP_DOMID_FIRST_RESERVED)
		return -EINVAL;
	if (!sub)
		return build(buf, len, IOSUP_STORE_DOMAINS "/%u", domid);
	return build(buf, len, IOSUP_STORE_DOMAINS "/%u/%s", domid, sub);
}

/* <dir>/<prefix><level> under the domain's home; @level 0: <dir> itself. */
static int level_path(char *buf, size_t len, unsigned int domid, const char *dir,
		      const char *prefix, unsigned int level)
{
	char sub[32];

	if (level > IOSUP_LEVEL_MAX)
		return -EINVAL;
	if (!level)
		return iosup_store_domain_path(buf, len, domid, dir);
	snprintf(sub, sizeof(sub), "%s/%s%u", dir, prefix, level);
	return iosup_store_domain_path(buf, len, domid, sub);
}

int iosup_store_target_path(char *buf, size_t len, unsigned int domid,
			    unsigned int level)
{
	return level_path(buf, len, domid, IOSUP_XS_CONTROL, IOSUP_XS_TARGET_PREFIX, level);
}

int iosup_store_ratio_path(char *buf, size_t len, unsigned int domid,
			   unsigned int level)
{
	return level_path(buf, len, domid, IOSUP_XS_CONTROL, IOSUP_XS_RATIO_PREFIX, level);
}

int iosup_store_guest_stats_path(char *buf, size_t len, unsigned int domid,
				 unsigned int level)
{
	return level_path(buf, len, domid, IOSUP_XS_DATA, IOSUP_XS_STATS_PREFIX, level);
}

/* The printable start of @s, for a message. */
static void shown(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

int iosup_store_classify(const char *path, const char *token,
			 enum iosup_store_watch *what, int *domid, char *err,
			 size_t err_len)
{
	static const char prefix[] = IOSUP_STORE_POLICY;
	const size_t plen = sizeof(prefix) - 1;
	const char *dom, *slash;
	unsigned int id;
	char show[64];
	size_t len;

	*what = IOSUP_STORE_WATCH_IGNORED;
	shown(path, show, sizeof(show));
	if (!strcmp(token, IOSUP_STORE_TOKEN_DOMAINS)) {
		*what = IOSUP_STORE_WATCH_DOMAINS;
		return 0;
	}
	if (strcmp(token, IOSUP_STORE_TOKEN_POLICY)) {
		shown(token, show, sizeof(show));
		snprintf(err, err_len, "a watch event with a token not ours: '%s'", show);
		return -EINVAL;
	}
	/* The watch is on the tree's root: it names it or what lies below. */
	if (strncmp(path, prefix, plen) || (path[plen] && path[plen] != '/')) {
		snprintf(err, err_len, "a policy watch event for '%s', outside %s",
			 show, prefix);
		return -EINVAL;
	}
	*what = IOSUP_STORE_WATCH_POLICY;
	if (!path[plen] || !path[plen + 1]) {
		*domid = IOSUP_STORE_ALL;
		return 0;
	}
	dom = path + plen + 1;
	slash = strchr(dom, '/');
	len = slash ? (size_t)(slash - dom) : strlen(dom);
	if (len == 7 && !memcmp(dom, "default", 7)) {
		*domid = IOSUP_STORE_DEFAULT;
		return 0;
	}
	if (iosup_store_parse_domid(dom, len, &id)) {
		char name[33];

		memcpy(name, dom, len < 32 ? len : 32);
		name[len < 32 ? len : 32] = '\0';
		shown(name, name, sizeof(name));
		*what = IOSUP_STORE_WATCH_IGNORED;
		snprintf(err, err_len, "%s: '%s' is neither a domain id nor 'default'",
			 show, name);
		return -EINVAL;
	}
	*domid = (int)id;
	return 0;
}
