/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pool backend: the kernel module's page-table pools over the "iosup"
 * generic netlink family (include/uapi/linux/iosup.h). This file and pool.c
 * are the only place that speaks netlink; everything else sees the plain
 * structs of pool-msg.h.
 *
 * Functions return 0 or a negative errno. The errors that mean something
 * particular here (iosup_pool_strerror() says it in words):
 *   -ENOENT      the module is not loaded (no "iosup" family, or it went
 *                away); close, and open again later
 *   -EPERM       changing the pools needs CAP_NET_ADMIN
 *   -EAGAIN      the pools kept changing during every dump tried
 *   -EBADMSG     the module sent something malformed
 *   -EOPNOTSUPP  an event of a kind this daemon does not know
 *   -ENOBUFS     events were lost (the socket overran): re-read the pools
 *   -EINVAL      a value out of range, refused here or by the kernel
 * For every failure but -ENOMEM, iosup_pool_last_error() has the details:
 * the kernel's own message (extack) when it refused a request, or what was
 * wrong with what it sent.
 */
#ifndef IOSUP_DAEMON_POOL_H
#define IOSUP_DAEMON_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "pool-msg.h"

struct iosup_pool_nl;

int iosup_pool_open(struct iosup_pool_nl **out);
void iosup_pool_close(struct iosup_pool_nl *nl);

/* Every level's state, from one consistent GET dump. */
int iosup_pool_read(struct iosup_pool_nl *nl, struct iosup_pool_stats *out);

/*
 * The writes. @lease_s > 0 holds the values the module is given for that
 * many seconds (each such write renews it), after which the module goes
 * back to its defaults: the limits of a daemon that died do not outlive
 * it. @lease_s == 0 sets the values for good and ends a running lease. A
 * module that predates leases refuses one (-EINVAL, "Unknown attribute
 * type: at LEASE"); one that knows them reports IOSUP_A_LEASE in a read.
 */
int iosup_pool_set_limit(struct iosup_pool_nl *nl, unsigned int level,
			 uint32_t limit, uint32_t lease_s);
/* @level 0: every level's ratio. */
int iosup_pool_set_ratio(struct iosup_pool_nl *nl, unsigned int level,
			 uint32_t percent, uint32_t lease_s);
int iosup_pool_set_enabled(struct iosup_pool_nl *nl, bool enabled,
			   uint32_t lease_s);
int iosup_pool_drain(struct iosup_pool_nl *nl, unsigned int level);

/* What went wrong in the last call that failed ("" if nothing was said). */
const char *iosup_pool_last_error(const struct iosup_pool_nl *nl);

/*
 * Events: a socket of its own in the "events" group, non-blocking, for an
 * event loop to poll. Best effort on the kernel's side: an event may be
 * lost, so every one (and every problem) is a reason to re-read, never the
 * state itself.
 */
struct iosup_pool_events;

int iosup_pool_events_open(struct iosup_pool_events **out);
void iosup_pool_events_close(struct iosup_pool_events *ev);
int iosup_pool_events_fd(const struct iosup_pool_events *ev);

/*
 * Called for each event received: @event parsed, or NULL with @problem
 * saying why a message could not be (an unknown kind, a malformed one).
 */
typedef void (*iosup_pool_event_fn)(const struct iosup_pool_event *event,
				    const char *problem, void *data);

/*
 * Reads the events waiting, up to a batch (the fd stays readable if more
 * are left), calling @fn for each. Returns 0, -ENOBUFS if some were lost
 * (those that arrived are still delivered on later calls), or -errno.
 */
int iosup_pool_events_read(struct iosup_pool_events *ev, iosup_pool_event_fn fn,
			   void *data);

/* A sentence for err (negative errno) from any function here. */
const char *iosup_pool_strerror(int err);

#endif
