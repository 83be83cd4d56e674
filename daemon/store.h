/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore backend: admin policy under /iosup/policy, the domain list,
 * the pool targets written for domUs and the pool stats their agents
 * report (the paths are in store-path.h). iosupd and iosupctl both use it.
 * This file and store.c are the only place that speaks to libxenstore:
 * the one definition of the paths' root, and the one retry of
 * transactions that end with EAGAIN.
 *
 * Functions return 0 or a negative errno. The errors that mean something
 * particular here (iosup_store_strerror() says it in words):
 *   -ENODEV  no xenstore: not on Xen, or xenstored not running
 *   -EACCES  not privileged enough for the node
 *   -ESRCH   the domain is gone
 *   -EAGAIN  a transaction kept conflicting with other writers
 *   -EINVAL  a value or key refused (the err buffer names it)
 *
 * Watches fire once when registered and may fire spuriously: what
 * iosup_store_dispatch() reports is "may have changed", for an idempotent
 * re-read, never the change itself.
 */
#ifndef IOSUP_DAEMON_STORE_H
#define IOSUP_DAEMON_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "controller.h"
#include "guest-stats.h"
#include "policy.h"
#include "store-path.h"

struct iosup_store;

/*
 * Connects to xenstore. On failure @err (if @err_len) says it for a
 * person: "cannot reach xenstore: " and what the system said.
 */
int iosup_store_open(struct iosup_store **out, char *err, size_t err_len);
void iosup_store_close(struct iosup_store *s);

/* Watches /iosup/policy, @introduceDomain and @releaseDomain. */
int iosup_store_watch(struct iosup_store *s);

/* Readable when watch events wait: for the event loop. */
int iosup_store_fd(const struct iosup_store *s);

struct iosup_store_callbacks {
	/*
	 * The policy of @domid may have changed: a domain's, the default
	 * (IOSUP_STORE_DEFAULT), or every one (IOSUP_STORE_ALL).
	 */
	void (*policy_changed)(int domid, void *data);
	/* Domains may have come or gone: list them again. */
	void (*domains_changed)(void *data);
	/* A watch event that means nothing to iosupd, said why. May be NULL. */
	void (*problem)(const char *what, void *data);
};

/*
 * Drains the watch events waiting and reports them, each domain's once per
 * call however many events it had. Returns 0 or -errno.
 */
int iosup_store_dispatch(struct iosup_store *s,
			 const struct iosup_store_callbacks *cb, void *data);

/*
 * The policy of @domid (or IOSUP_STORE_DEFAULT) into @out, read whole in
 * one transaction. No policy at all is an empty layer, not an error. A
 * value policy_set() refuses is left out and named in @err
 * ("/iosup/policy/3/mode: mode: 'x' is not ..."), the others are still in
 * @out, and the return is -EINVAL. A node that is not a policy key is
 * skipped and named in @err too, but is no error: a newer iosupctl may
 * know more keys. -ESRCH is not used: a domain's policy may predate the
 * domain.
 */
int iosup_store_read_policy(struct iosup_store *s, int domid,
			    struct policy *out, char *err, size_t err_len);

/*
 * Writes every key set in @p into the layer of @domid (or
 * IOSUP_STORE_DEFAULT), in one transaction, creating the nodes readable
 * and writable by dom0 alone. If the layer would then have min_pages above
 * max_pages, nothing is written: -ERANGE. Every failure is said in @err.
 */
int iosup_store_write_policy(struct iosup_store *s, int domid, const struct policy *p,
			     char *err, size_t err_len);

/*
 * Removes the keys set in @keys from the layer of @domid (or
 * IOSUP_STORE_DEFAULT), in one transaction; a key not there is no error.
 * Every failure is said in @err.
 */
int iosup_store_unset_policy(struct iosup_store *s, int domid, const bool keys[POLICY_KEYS],
			     char *err, size_t err_len);

/*
 * The ids of the domains under /local/domain, ascending, in a malloc'ed
 * array the caller frees. An entry that is not a domain id is skipped and
 * named in @err ("" when none was).
 */
int iosup_store_list_domains(struct iosup_store *s, unsigned int **domids,
			     size_t *count, char *err, size_t err_len);

/*
 * Tells domain @domid's pool at @level to hold @pages (its agent reads
 * /local/domain/<domid>/control/iosup/target-l<level>). The node and its
 * directory are dom0's and only readable by the domain, whoever made
 * them. -ESRCH if the domain is gone: nothing is created for it.
 */
int iosup_store_write_target(struct iosup_store *s, unsigned int domid,
			     unsigned int level, uint32_t pages);

/*
 * Tells domain @domid's pool at @level its free ratio, @ratio percent
 * (control/iosup/ratio-l<level>). -ESRCH if the domain is gone.
 */
int iosup_store_write_ratio(struct iosup_store *s, unsigned int domid,
			    unsigned int level, uint32_t ratio);

/*
 * A domain is gone: removes what iosupd wrote for it, its control/iosup
 * (nothing is created if its toolstack removed its home already), and
 * its live policy /iosup/policy/<domid>, so that a domain that reuses the
 * id starts from the default policy. A node already gone is no error.
 */
int iosup_store_forget_domain(struct iosup_store *s, unsigned int domid);

/*
 * Domain @domid's name (/local/domain/<domid>/name) into @buf, cut to
 * @len and made printable; *@exact (if not NULL) says whether @buf is the
 * name unchanged. -ENOENT if it has none.
 */
int iosup_store_read_name(struct iosup_store *s, unsigned int domid, char *buf,
			  size_t len, bool *exact);

/*
 * Domain @domid's UUID as its toolstack keeps it (/local/domain/<domid>/vm
 * is "/vm/<uuid>"), in lower case, into @buf. -ENOENT if it has none or
 * it is not a UUID.
 */
int iosup_store_read_uuid(struct iosup_store *s, unsigned int domid,
			  char buf[POLICY_UUID_LEN + 1]);

/*
 * The pool stats domain @domid's agent reports, level N in @out[N - 1],
 * with bit N - 1 of *@have_levels set for each level reported (a missing
 * node is a level not reported). -ENOENT when none is: no agent. -EINVAL
 * for a value iosup_guest_stats_parse() refuses, @err naming the node and
 * why, *@fault its kind; then nothing in @out is to be used.
 */
int iosup_store_read_guest_stats(struct iosup_store *s, unsigned int domid,
				 struct ctl_level_sample out[CTL_LEVELS],
				 unsigned int *have_levels, char *err,
				 size_t err_len, enum iosup_guest_fault *fault);

/* A sentence for err (negative errno) from any function here. */
const char *iosup_store_strerror(int err);

#endif
