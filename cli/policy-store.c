// SPDX-License-Identifier: GPL-2.0-only
/* Policy in xenstore with libxenstore: see policy-store.h. */
#include "policy-store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#define POLICY_ROOT "/iosup/policy"

/*
 * Transactions that end in EAGAIN (something else wrote meanwhile) are
 * tried again; this many times in a row means a writer that never stops,
 * and it is better to say so than to spin.
 */
#define TRANSACTION_TRIES 8

/* Longest path: POLICY_ROOT, who, a key. */
#define PATH_LEN 64

struct policy_store {
	struct xs_handle *xs;
};

int policy_store_open(struct policy_store **out, char *err, size_t err_len)
{
	struct policy_store *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->xs = xs_open(0);
	if (!s->xs) {
		r = errno ? -errno : -ENOENT;
		snprintf(err, err_len, "cannot reach xenstore: %s", strerror(-r));
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void policy_store_close(struct policy_store *s)
{
	if (!s)
		return;
	xs_close(s->xs);
	free(s);
}

static int read_layer(struct policy_store *s, xs_transaction_t t, const char *who,
		      struct policy *out, char *err, size_t err_len)
{
	struct policy p = { 0 };
	char path[PATH_LEN], msg[160];
	unsigned int len;
	char *value;
	int k, r;

	for (k = 0; k < POLICY_KEYS; k++) {
		snprintf(path, sizeof(path), POLICY_ROOT "/%s/%s", who, policy_key_name(k));
		value = xs_read(s->xs, t, path, &len);
		if (!value) {
			if (errno == ENOENT)
				continue;
			r = -errno;
			snprintf(err, err_len, "%s: %s", path, strerror(errno));
			return r;
		}
		r = policy_set(&p, (enum policy_key)k, value, len, msg, sizeof(msg));
		free(value);
		if (r) {
			snprintf(err, err_len, "%s: %s", path, msg);
			return r;
		}
	}
	*out = p;
	return 0;
}

int policy_store_get(struct policy_store *s, const char *who, struct policy *out,
		     char *err, size_t err_len)
{
	return read_layer(s, XBT_NULL, who, out, err, err_len);
}

/* @path readable and writable by dom0 alone; made if absent when @mkdir. */
static bool dom0_only(struct policy_store *s, xs_transaction_t t, const char *path, bool mkdir)
{
	struct xs_permissions perm = { .id = 0, .perms = XS_PERM_NONE };
	unsigned int len;
	void *v;

	if (mkdir) {
		v = xs_read(s->xs, t, path, &len);
		if (v) {
			/* There already: its permissions are the operator's. */
			free(v);
			return true;
		}
		if (errno != ENOENT || !xs_mkdir(s->xs, t, path))
			return false;
	}
	return xs_set_permissions(s->xs, t, path, &perm, 1);
}

static char *value_of(const struct policy *p, enum policy_key k, char buf[16])
{
	switch (k) {
	case POLICY_MODE:
		return strcpy(buf, config_mode_name(p->mode));
	case POLICY_MIN_PAGES:
		snprintf(buf, 16, "%u", p->min_pages);
		break;
	case POLICY_MAX_PAGES:
		snprintf(buf, 16, "%u", p->max_pages);
		break;
	default:
		snprintf(buf, 16, "%u", p->target_flush_rate);
		break;
	}
	return buf;
}

/* One attempt: 0, -EAGAIN to try again, or an error with @err set. */
static int try_set(struct policy_store *s, const char *who, const struct policy *p,
		   char *err, size_t err_len)
{
	static const char *const dirs[] = { "/iosup", POLICY_ROOT };
	struct policy cur, merged;
	char path[PATH_LEN], value[16];
	xs_transaction_t t;
	size_t i;
	int k, r;

	t = xs_transaction_start(s->xs);
	if (t == XBT_NULL) {
		r = -errno;
		snprintf(err, err_len, "xenstore transaction: %s", strerror(errno));
		return r;
	}
	r = read_layer(s, t, who, &cur, err, err_len);
	if (r && r != -EINVAL)
		goto abort;
	/* A bad value already there is overwritten if given, else kept as is. */
	if (r)
		cur = (struct policy){ 0 };
	merged = cur;
	for (k = 0; k < POLICY_KEYS; k++)
		if (p->set[k]) {
			merged.set[k] = true;
			if (k == POLICY_MIN_PAGES)
				merged.min_pages = p->min_pages;
			if (k == POLICY_MAX_PAGES)
				merged.max_pages = p->max_pages;
		}
	if (merged.set[POLICY_MIN_PAGES] && merged.set[POLICY_MAX_PAGES] &&
	    merged.min_pages > merged.max_pages) {
		snprintf(err, err_len, "min_pages (%u) would be above max_pages (%u) in " POLICY_ROOT "/%s",
			 merged.min_pages, merged.max_pages, who);
		r = -ERANGE;
		goto abort;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s", dirs[i]);
		if (!dom0_only(s, t, path, true))
			goto fail;
	}
	snprintf(path, sizeof(path), POLICY_ROOT "/%s", who);
	if (!dom0_only(s, t, path, true))
		goto fail;
	for (k = 0; k < POLICY_KEYS; k++) {
		if (!p->set[k])
			continue;
		snprintf(path, sizeof(path), POLICY_ROOT "/%s/%s", who, policy_key_name(k));
		value_of(p, (enum policy_key)k, value);
		if (!xs_write(s->xs, t, path, value, (unsigned int)strlen(value)) ||
		    !dom0_only(s, t, path, false))
			goto fail;
	}
	if (!xs_transaction_end(s->xs, t, false)) {
		if (errno == EAGAIN)
			return -EAGAIN;
		r = -errno;
		snprintf(err, err_len, "xenstore transaction: %s", strerror(errno));
		return r;
	}
	return 0;
fail:
	r = -errno;
	snprintf(err, err_len, "%s: %s", path, strerror(errno));
abort:
	xs_transaction_end(s->xs, t, true);
	return r;
}

int policy_store_set(struct policy_store *s, const char *who, const struct policy *p,
		     char *err, size_t err_len)
{
	int i, r = -EAGAIN;

	for (i = 0; i < TRANSACTION_TRIES && r == -EAGAIN; i++)
		r = try_set(s, who, p, err, err_len);
	if (r == -EAGAIN)
		snprintf(err, err_len, "xenstore kept changing under " POLICY_ROOT "/%s (%d tries)", who,
			 TRANSACTION_TRIES);
	return r;
}
