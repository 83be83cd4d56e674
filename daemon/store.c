// SPDX-License-Identifier: GPL-2.0-only
/*
 * The xenstore backend (see store.h), through libxenstore. Kept thin: the
 * paths, the watch events' meaning and the values' checks live in
 * store-path.c and policy.c, where the unit tests reach them.
 */
#define _GNU_SOURCE

#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include <linux/iosup.h>

#include "guest-stats.h"
#include "xen.h"

/*
 * xenstored ends a transaction with EAGAIN when another writer touched a
 * node it read; a few retries ride out a burst, more mean something
 * rewrites those nodes in a loop and waiting longer will not help.
 */
#define TRANSACTION_TRIES 8

/*
 * Watch events handled per dispatch, so that a storm of writes cannot
 * starve the event loop; the fd stays readable while more wait.
 */
#define DISPATCH_BATCH 256

struct iosup_store {
	struct xs_handle *xs;
};

static int errno_or(int fallback)
{
	return errno ? -errno : fallback;
}

int iosup_store_open(struct iosup_store **out, char *err, size_t err_len)
{
	struct iosup_store *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	errno = 0;
	s->xs = xs_open(0);
	if (!s->xs) {
		/* No errno at all: nothing answered, as if nothing were there. */
		if (err_len)
			snprintf(err, err_len, "cannot reach xenstore: %s",
				 strerror(errno ? errno : ENOENT));
		switch (errno) {
		case 0:
		case ENOENT:
		case ENODEV:
		case ENXIO:
		case ECONNREFUSED:
			r = -ENODEV;
			break;
		case EPERM:
		case EACCES:
			r = -EACCES;
			break;
		default:
			r = errno_or(-EIO);
		}
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void iosup_store_close(struct iosup_store *s)
{
	if (!s)
		return;
	xs_close(s->xs);
	free(s);
}

int iosup_store_watch(struct iosup_store *s)
{
	if (!xs_watch(s->xs, IOSUP_STORE_POLICY, IOSUP_STORE_TOKEN_POLICY) ||
	    !xs_watch(s->xs, "@introduceDomain", IOSUP_STORE_TOKEN_DOMAINS) ||
	    !xs_watch(s->xs, "@releaseDomain", IOSUP_STORE_TOKEN_DOMAINS))
		return errno_or(-EIO);
	return 0;
}

int iosup_store_fd(const struct iosup_store *s)
{
	return xs_fileno(s->xs);
}

int iosup_store_dispatch(struct iosup_store *s,
			 const struct iosup_store_callbacks *cb, void *data)
{
	/* One bit per domain: many events for one domain, one re-read. */
	unsigned char changed[(IOSUP_DOMID_FIRST_RESERVED + 7) / 8] = { 0 };
	bool all = false, def = false, domains = false;
	enum iosup_store_watch what;
	char err[160];
	unsigned int id;
	int i, domid, r = 0;
	char **vec;

	for (i = 0; i < DISPATCH_BATCH; i++) {
		errno = 0;
		vec = xs_check_watch(s->xs);
		if (!vec) {
			if (errno != EAGAIN)
				r = errno_or(-EIO);
			break;
		}
		if (iosup_store_classify(vec[XS_WATCH_PATH], vec[XS_WATCH_TOKEN],
					 &what, &domid, err, sizeof(err))) {
			if (cb->problem)
				cb->problem(err, data);
		} else if (what == IOSUP_STORE_WATCH_DOMAINS) {
			domains = true;
		} else if (what == IOSUP_STORE_WATCH_POLICY) {
			if (domid == IOSUP_STORE_ALL)
				all = true;
			else if (domid == IOSUP_STORE_DEFAULT)
				def = true;
			else
				changed[domid / 8] |= 1u << (domid % 8);
		}
		free(vec);
	}

	/* What was gathered is reported even if reading stopped on an error. */
	if (domains && cb->domains_changed)
		cb->domains_changed(data);
	if (!cb->policy_changed)
		return r;
	if (all) {
		cb->policy_changed(IOSUP_STORE_ALL, data);
		return r;
	}
	if (def)
		cb->policy_changed(IOSUP_STORE_DEFAULT, data);
	for (id = 0; id < IOSUP_DOMID_FIRST_RESERVED; id++)
		if (changed[id / 8] & (1u << (id % 8)))
			cb->policy_changed((int)id, data);
	return r;
}

typedef int (*transaction_fn)(struct xs_handle *xs, xs_transaction_t t,
			      void *arg);

/*
 * Runs @fn in a transaction, again while one ends with EAGAIN: the one
 * retry loop of every xenstore transaction iosupd and iosupctl make. @fn
 * says its own failures; a transaction that cannot start or end is said
 * here, in @err (if @err_len).
 */
static int transaction(struct iosup_store *s, transaction_fn fn, void *arg,
		       char *err, size_t err_len)
{
	xs_transaction_t t;
	int tries, r;

	for (tries = 0; tries < TRANSACTION_TRIES; tries++) {
		errno = 0;
		t = xs_transaction_start(s->xs);
		if (t == XBT_NULL) {
			r = errno_or(-EIO);
			goto fail;
		}
		r = fn(s->xs, t, arg);
		if (r) {
			xs_transaction_end(s->xs, t, true);
			if (r == -EAGAIN)
				continue;
			return r;
		}
		errno = 0;
		if (xs_transaction_end(s->xs, t, false))
			return 0;
		if (errno != EAGAIN) {
			r = errno_or(-EIO);
			goto fail;
		}
	}
	return -EAGAIN;
fail:
	if (err_len)
		snprintf(err, err_len, "xenstore transaction: %s", strerror(-r));
	return r;
}

/* Adds a message to @err, "; " between messages, cut at the end. */
static void add_error(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_error(char *err, size_t err_len, const char *fmt, ...)
{
	size_t used = strnlen(err, err_len);
	va_list ap;

	if (used + 3 >= err_len)
		return;
	if (used) {
		memcpy(err + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(err + used, err_len - used, fmt, ap);
	va_end(ap);
}

/* A node's name from xenstore, printable, for a message. */
static void shown(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

struct read_policy {
	int domid;
	struct policy *out;
	char *err;
	size_t err_len;
	int refused;		/* values policy_set() refused */
	int skipped;		/* nodes that are not policy keys */
};

static int read_policy(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	struct read_policy *a = arg;
	char dir[IOSUP_STORE_PATH_MAX], path[IOSUP_STORE_PATH_MAX];
	char msg[160], name[40];
	unsigned int n, i, len;
	char **keys;
	char *value;
	int key, r;

	/* A retried transaction starts from nothing. */
	memset(a->out, 0, sizeof(*a->out));
	a->err[0] = '\0';
	a->refused = 0;
	a->skipped = 0;
	r = iosup_store_policy_path(dir, sizeof(dir), a->domid, NULL);
	if (r)
		return r;
	errno = 0;
	keys = xs_directory(xs, t, dir, &n);
	if (!keys) {
		if (errno == ENOENT)
			return 0;
		r = errno_or(-EIO);
		snprintf(a->err, a->err_len, "%s: %s", dir, strerror(-r));
		return r;
	}

	for (i = 0; i < n; i++) {
		shown(keys[i], name, sizeof(name));
		key = policy_key_parse(keys[i], strlen(keys[i]));
		if (key < 0) {
			add_error(a->err, a->err_len, "%s/%s: not a policy key", dir, name);
			a->skipped++;
			continue;
		}
		r = iosup_store_policy_path(path, sizeof(path), a->domid, keys[i]);
		if (r)
			goto out;
		errno = 0;
		value = xs_read(xs, t, path, &len);
		if (!value) {
			/* Removed since the listing: it is no policy now. */
			if (errno == ENOENT)
				continue;
			r = errno_or(-EIO);
			snprintf(a->err, a->err_len, "%s: %s", path, strerror(-r));
			goto out;
		}
		if (policy_set(a->out, (enum policy_key)key, value, len, msg, sizeof(msg))) {
			add_error(a->err, a->err_len, "%s: %s", path, msg);
			a->refused++;
		}
		free(value);
	}
	r = 0;
out:
	free(keys);
	return r;
}

int iosup_store_read_policy(struct iosup_store *s, int domid,
			    struct policy *out, char *err, size_t err_len)
{
	struct read_policy a = { domid, out, err, err_len, 0, 0 };
	char dir[IOSUP_STORE_PATH_MAX];
	int r;

	if (!err_len)
		return -EINVAL;
	err[0] = '\0';
	if (iosup_store_policy_path(dir, sizeof(dir), domid, NULL)) {
		snprintf(err, err_len, "%d: not a domain id (0 to %u)", domid,
			 IOSUP_DOMID_FIRST_RESERVED - 1);
		return -EINVAL;
	}
	r = transaction(s, read_policy, &a, err, err_len);
	if (!r && a.refused)
		return -EINVAL;
	return r;
}

/* True if @path exists, or -errno. */
static int exists(struct xs_handle *xs, xs_transaction_t t, const char *path)
{
	unsigned int len;
	void *v;

	errno = 0;
	v = xs_read(xs, t, path, &len);
	if (v) {
		free(v);
		return 1;
	}
	return errno == ENOENT ? 0 : errno_or(-EIO);
}

/*
 * Writes @value at @path; a node it creates gets @perms. A node that was
 * there keeps its permissions: someone set them.
 */
static int write_node(struct xs_handle *xs, xs_transaction_t t, const char *path,
		      const char *value, struct xs_permissions *perms,
		      unsigned int nperms)
{
	int r = exists(xs, t, path);

	if (r < 0)
		return r;
	if (r && !value)
		return 0;
	if (!(value ? xs_write(xs, t, path, value, strlen(value)) : xs_mkdir(xs, t, path)))
		return errno_or(-EIO);
	if (!r && !xs_set_permissions(xs, t, path, perms, nperms))
		return errno_or(-EIO);
	return 0;
}

struct write_policy {
	int domid;
	const struct policy *p;
	char *err;
	size_t err_len;
};

/* write_node(), a failure said in @a's err with the node's path. */
static int write_policy_node(struct xs_handle *xs, xs_transaction_t t,
			     const struct write_policy *a, const char *path,
			     const char *value)
{
	/* Only dom0 may read or write: the first entry is the owner and everyone else. */
	struct xs_permissions dom0_only[] = {
		{ .id = 0, .perms = XS_PERM_NONE },
	};
	int r = write_node(xs, t, path, value, dom0_only, 1);

	/* A key's node is the policy itself: dom0's alone, whoever made it. */
	if (!r && value && !xs_set_permissions(xs, t, path, dom0_only, 1))
		r = errno_or(-EIO);
	if (r && r != -EAGAIN)
		snprintf(a->err, a->err_len, "%s: %s", path, strerror(-r));
	return r;
}

static int write_policy(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	const struct write_policy *a = arg;
	struct read_policy cur = { .domid = a->domid, .err = a->err, .err_len = a->err_len };
	char dir[IOSUP_STORE_PATH_MAX], path[IOSUP_STORE_PATH_MAX], value[16];
	struct policy merged, now;
	int k, r;

	r = iosup_store_policy_path(dir, sizeof(dir), a->domid, NULL);
	if (r)
		return r;
	cur.out = &now;
	r = read_policy(xs, t, &cur);
	if (r)
		return r;
	/* A bad value already there is overwritten if given, else kept as is. */
	if (cur.refused)
		memset(&now, 0, sizeof(now));
	a->err[0] = '\0';
	merged = now;
	for (k = 0; k < POLICY_KEYS; k++)
		if (a->p->set[k]) {
			merged.set[k] = true;
			if (k == POLICY_MIN_PAGES)
				merged.min_pages = a->p->min_pages;
			if (k == POLICY_MAX_PAGES)
				merged.max_pages = a->p->max_pages;
		}
	if (merged.set[POLICY_MIN_PAGES] && merged.set[POLICY_MAX_PAGES] &&
	    merged.min_pages > merged.max_pages) {
		snprintf(a->err, a->err_len, "min_pages (%u) would be above max_pages (%u) in %s",
			 merged.min_pages, merged.max_pages, dir);
		return -ERANGE;
	}
	r = write_policy_node(xs, t, a, "/iosup", NULL);
	if (!r)
		r = write_policy_node(xs, t, a, IOSUP_STORE_POLICY, NULL);
	if (!r)
		r = write_policy_node(xs, t, a, dir, NULL);
	for (k = 0; !r && k < POLICY_KEYS; k++) {
		if (!a->p->set[k])
			continue;
		r = iosup_store_policy_path(path, sizeof(path), a->domid,
					    policy_key_name((enum policy_key)k));
		if (!r) {
			policy_format_value(a->p, (enum policy_key)k, value, sizeof(value));
			r = write_policy_node(xs, t, a, path, value);
		}
	}
	return r;
}

/* @fn on the policy layer of @domid in a transaction, its failure said. */
static int policy_transaction(struct iosup_store *s, int domid, transaction_fn fn, void *arg,
			      char *err, size_t err_len)
{
	char dir[IOSUP_STORE_PATH_MAX];
	int r;

	if (!err_len)
		return -EINVAL;
	err[0] = '\0';
	if (iosup_store_policy_path(dir, sizeof(dir), domid, NULL)) {
		snprintf(err, err_len, "%d: not a domain id (0 to %u)", domid,
			 IOSUP_DOMID_FIRST_RESERVED - 1);
		return -EINVAL;
	}
	r = transaction(s, fn, arg, err, err_len);
	if (r == -EAGAIN)
		snprintf(err, err_len, "xenstore kept changing under %s (%d tries)", dir,
			 TRANSACTION_TRIES);
	return r;
}

int iosup_store_write_policy(struct iosup_store *s, int domid, const struct policy *p,
			     char *err, size_t err_len)
{
	struct write_policy a = { domid, p, err, err_len };

	return policy_transaction(s, domid, write_policy, &a, err, err_len);
}

struct unset_policy {
	int domid;
	const bool *keys;
	char *err;
	size_t err_len;
};

static int unset_policy(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	const struct unset_policy *a = arg;
	char path[IOSUP_STORE_PATH_MAX];
	int k, r = 0;

	for (k = 0; !r && k < POLICY_KEYS; k++) {
		if (!a->keys[k])
			continue;
		r = iosup_store_policy_path(path, sizeof(path), a->domid,
					    policy_key_name((enum policy_key)k));
		if (r) {
			snprintf(a->err, a->err_len, "%d: no policy path for %s", a->domid,
				 policy_key_name((enum policy_key)k));
			break;
		}
		errno = 0;
		/* A key not set there is no error: unset is what was asked. */
		if (!xs_rm(xs, t, path) && errno != ENOENT) {
			r = errno_or(-EIO);
			if (r != -EAGAIN)
				snprintf(a->err, a->err_len, "%s: %s", path, strerror(-r));
		}
	}
	return r;
}

int iosup_store_unset_policy(struct iosup_store *s, int domid, const bool keys[POLICY_KEYS],
			     char *err, size_t err_len)
{
	struct unset_policy a = { domid, keys, err, err_len };

	return policy_transaction(s, domid, unset_policy, &a, err, err_len);
}

static int compare_domids(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

int iosup_store_list_domains(struct iosup_store *s, unsigned int **domids,
			     size_t *count, char *err, size_t err_len)
{
	unsigned int *ids, n, i, id;
	size_t found = 0;
	char name[40];
	char **names;

	if (err_len)
		err[0] = '\0';
	errno = 0;
	names = xs_directory(s->xs, XBT_NULL, IOSUP_STORE_DOMAINS, &n);
	if (!names)
		return errno_or(-EIO);
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (iosup_store_parse_domid(names[i], strlen(names[i]), &id)) {
			shown(names[i], name, sizeof(name));
			add_error(err, err_len, "skipped " IOSUP_STORE_DOMAINS "/%s: not a domain id",
				  name);
			continue;
		}
		ids[found++] = id;
	}
	free(names);
	qsort(ids, found, sizeof(*ids), compare_domids);
	*domids = ids;
	*count = found;
	return 0;
}

/* A node dom0 writes under a domain's control/iosup: its path for a level. */
typedef int (*control_path_fn)(char *buf, size_t len, unsigned int domid,
			       unsigned int level);

struct write_control {
	control_path_fn path;
	unsigned int domid, level;
	uint32_t value;
};

static int write_control(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	const struct write_control *a = arg;
	/* dom0 owns and writes them; the domain may only read its own. */
	struct xs_permissions perms[] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = a->domid, .perms = XS_PERM_READ },
	};
	char dom[IOSUP_STORE_PATH_MAX], dir[IOSUP_STORE_PATH_MAX];
	char path[IOSUP_STORE_PATH_MAX], value[16];
	int r;

	r = iosup_store_domain_path(dom, sizeof(dom), a->domid, NULL);
	if (!r)
		r = a->path(dir, sizeof(dir), a->domid, 0);
	if (!r)
		r = a->path(path, sizeof(path), a->domid, a->level);
	if (r)
		return r;
	/* A domain that went away gets nothing its toolstack would not clean. */
	r = exists(xs, t, dom);
	if (r <= 0)
		return r ? r : -ESRCH;
	snprintf(value, sizeof(value), "%u", a->value);
	r = write_node(xs, t, dir, NULL, perms, 2);
	if (!r)
		r = write_node(xs, t, path, value, perms, 2);
	/*
	 * Both are dom0's, readable by the domain, whoever made them: the
	 * domain may write its control/ and could have made control/iosup
	 * first, and a node it could write would be its own target.
	 */
	if (!r && (!xs_set_permissions(xs, t, dir, perms, 2) ||
		   !xs_set_permissions(xs, t, path, perms, 2)))
		r = errno_or(-EIO);
	return r;
}

int iosup_store_write_target(struct iosup_store *s, unsigned int domid,
			     unsigned int level, uint32_t pages)
{
	struct write_control a = { iosup_store_target_path, domid, level, pages };

	if (domid >= IOSUP_DOMID_FIRST_RESERVED || level < IOSUP_LEVEL_PTE ||
	    level > IOSUP_LEVEL_MAX || pages > IOSUP_LIMIT_MAX)
		return -EINVAL;
	return transaction(s, write_control, &a, NULL, 0);
}

int iosup_store_write_ratio(struct iosup_store *s, unsigned int domid,
			    unsigned int level, uint32_t ratio)
{
	struct write_control a = { iosup_store_ratio_path, domid, level, ratio };

	if (domid >= IOSUP_DOMID_FIRST_RESERVED || level < IOSUP_LEVEL_PTE ||
	    level > IOSUP_LEVEL_MAX || ratio > IOSUP_FREE_RATIO_MAX)
		return -EINVAL;
	return transaction(s, write_control, &a, NULL, 0);
}

/* Removes @path and what is under it; a node already gone is no error. */
static int remove_node(struct xs_handle *xs, const char *path)
{
	errno = 0;
	if (xs_rm(xs, XBT_NULL, path) || errno == ENOENT)
		return 0;
	return errno_or(-EIO);
}

int iosup_store_forget_domain(struct iosup_store *s, unsigned int domid)
{
	char path[IOSUP_STORE_PATH_MAX];
	int r;

	/*
	 * No transaction: each removal stands alone, and a removal under a
	 * home its toolstack already removed creates nothing.
	 */
	r = iosup_store_target_path(path, sizeof(path), domid, 0);
	if (!r)
		r = remove_node(s->xs, path);
	if (r)
		return r;
	r = iosup_store_policy_path(path, sizeof(path), (int)domid, NULL);
	if (!r)
		r = remove_node(s->xs, path);
	return r;
}

/* /local/domain/<domid>/@node's value (malloc'ed, *@n bytes), or -errno. */
static int read_domain_node(struct iosup_store *s, unsigned int domid, const char *node,
			    char **value, unsigned int *n)
{
	char path[IOSUP_STORE_PATH_MAX];
	int r;

	r = iosup_store_domain_path(path, sizeof(path), domid, node);
	if (r)
		return r;
	errno = 0;
	*value = xs_read(s->xs, XBT_NULL, path, n);
	if (!*value)
		return errno == ENOENT ? -ENOENT : errno_or(-EIO);
	return 0;
}

int iosup_store_read_name(struct iosup_store *s, unsigned int domid, char *buf,
			  size_t len, bool *exact)
{
	unsigned int n;
	char *value;
	int r;

	if (!len)
		return -EINVAL;
	r = read_domain_node(s, domid, "name", &value, &n);
	if (r)
		return r;
	/*
	 * The toolstack's (libxl leaves it read-only to the domain): shown
	 * made printable and cut to fit, and said whether that changed it.
	 */
	shown(value, buf, len < (size_t)n + 1 ? len : (size_t)n + 1);
	if (exact)
		*exact = strlen(value) == n && !strcmp(buf, value);
	free(value);
	return 0;
}

int iosup_store_read_uuid(struct iosup_store *s, unsigned int domid,
			  char buf[POLICY_UUID_LEN + 1])
{
	static const char prefix[] = "/vm/";
	char text[sizeof(prefix) + POLICY_UUID_LEN];
	unsigned int n;
	char *value;
	int r;

	buf[0] = '\0';
	r = read_domain_node(s, domid, "vm", &value, &n);
	if (r)
		return r;
	/* Checked whole: text that is not "/vm/" and a UUID names nothing. */
	r = -ENOENT;
	if (n < sizeof(text) && strlen(value) == n) {
		memcpy(text, value, n + 1);
		if (!strncmp(text, prefix, sizeof(prefix) - 1) &&
		    policy_uuid_parse(text + sizeof(prefix) - 1, buf))
			r = 0;
	}
	free(value);
	return r;
}

int iosup_store_read_guest_stats(struct iosup_store *s, unsigned int domid,
				 struct ctl_level_sample out[CTL_LEVELS],
				 unsigned int *have_levels, char *err,
				 size_t err_len, enum iosup_guest_fault *fault)
{
	char path[IOSUP_STORE_PATH_MAX], msg[160];
	unsigned int level, len;
	char *value;
	int r;

	*have_levels = 0;
	if (err_len)
		err[0] = '\0';
	/*
	 * No transaction: the agent writes each level whole, and the
	 * controller decides each level on its own, so four reads that
	 * straddle an update cost nothing, while a transaction per domain
	 * per period costs xenstored.
	 */
	for (level = 1; level <= CTL_LEVELS; level++) {
		r = iosup_store_guest_stats_path(path, sizeof(path), domid, level);
		if (r) {
			*fault = IOSUP_GUEST_FAULT_MALFORMED;
			snprintf(err, err_len, "%u: not a domain id (0 to %u)", domid,
				 IOSUP_DOMID_FIRST_RESERVED - 1);
			return -EINVAL;
		}
		errno = 0;
		value = xs_read(s->xs, XBT_NULL, path, &len);
		if (!value) {
			if (errno == ENOENT)
				continue;
			return errno_or(-EIO);
		}
		r = iosup_guest_stats_parse(value, len, &out[level - 1], msg, sizeof(msg),
					    fault);
		free(value);
		if (r) {
			snprintf(err, err_len, "%s: %s", path, msg);
			*have_levels = 0;
			return r;
		}
		*have_levels |= 1u << (level - 1);
	}
	return *have_levels ? 0 : -ENOENT;
}

const char *iosup_store_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -ENODEV:
		return "no xenstore: not running on Xen, or xenstored is not running";
	case -EACCES:
		return "not privileged enough for this xenstore node";
	case -ESRCH:
		return "no such domain (it may have gone away)";
	case -EAGAIN:
		return "xenstore transactions kept conflicting with other writers; try again";
	case -EINVAL:
		return "a value or key refused";
	default:
		return strerror(-err);
	}
}
