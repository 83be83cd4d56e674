/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-domain policy in xenstore, as iosupctl reads and writes it:
 * /iosup/policy/<domid>/<key> and /iosup/policy/default/<key>. Values are
 * checked with daemon/policy.c both ways. A stopgap until the daemon's
 * xenstore wrapper (daemon/store.c) can serve iosupctl too; kept to the
 * two calls iosupctl needs.
 */
#ifndef IOSUPCTL_POLICY_STORE_H
#define IOSUPCTL_POLICY_STORE_H

#include <stddef.h>

#include "policy.h"

/* "default" or a domain id, as the path names it. */
#define POLICY_WHO_MAX 16

struct policy_store;

/*
 * Connects to xenstore. -ENOENT/-ECONNREFUSED: no xenstore here; -EACCES:
 * not allowed. @err says it in words.
 */
int policy_store_open(struct policy_store **out, char *err, size_t err_len);
void policy_store_close(struct policy_store *s);

/*
 * The layer at /iosup/policy/@who/: keys not there are left unset. A value
 * that does not parse is -EINVAL, with policy_set()'s message in @err.
 */
int policy_store_get(struct policy_store *s, const char *who, struct policy *out,
		     char *err, size_t err_len);

/*
 * Writes every key set in @p under /iosup/policy/@who/, in one
 * transaction (retried when xenstore says EAGAIN), creating the nodes
 * readable and writable by dom0 alone. If the layer would then have
 * min_pages above max_pages, nothing is written: -ERANGE, said in @err.
 */
int policy_store_set(struct policy_store *s, const char *who, const struct policy *p,
		     char *err, size_t err_len);

#endif
