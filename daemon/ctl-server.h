/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's end of the control socket: a SOCK_SEQPACKET Unix socket,
 * one JSON request in, one JSON reply out (ctl-proto.h), for root and,
 * if configured, one group.
 *
 * Why SOCK_SEQPACKET: the kernel keeps message boundaries and delivers a
 * message whole or not at all, so neither end needs framing or a
 * partial-read state machine, an oversized request is seen as one (recv
 * with MSG_TRUNC gives its real length) and dropped whole, and a reply
 * (at most CTL_PROTO_MSG_MAX) fits in the socket buffer in one piece.
 * It is connection-oriented like a stream, so SO_PEERCRED identifies the
 * client once, at accept.
 *
 * Single-threaded and never blocking: everything the server does happens
 * in ctl_server_dispatch(), which the event loop calls when the one fd
 * ctl_server_fd() gives is readable (an epoll fd over the listening
 * socket and every client). A client gets one reply per request, in
 * order; while a reply waits for room in the socket, that client's next
 * requests wait in its socket too.
 */
#ifndef IOSUP_CTL_SERVER_H
#define IOSUP_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ctl-proto.h"

#define CTL_SERVER_PATH "/run/iosupd/control"

/*
 * Clients connected at once. iosupctl makes one connection per run; more
 * than this at a time is a stuck script, and the oldest connection is
 * closed to make room, so that stuck clients cannot lock everyone out.
 */
#define CTL_SERVER_CLIENTS_MAX 16

/* What the daemon (its manager) does for the server. */
struct ctl_server_ops {
	/* The daemon's state now; read while answering, never kept. */
	const struct ctl_proto_snapshot *(*snapshot)(void *userdata);
	/*
	 * Each returns 0, or a negative errno with a sentence for the
	 * operator in @err; the reply then carries CTL_ERR_FAILED and it.
	 * Pausing a paused daemon, or resuming a running one, is not an error.
	 */
	int (*reload)(void *userdata, char *err, size_t err_len);
	int (*pause)(void *userdata, char *err, size_t err_len);
	int (*resume)(void *userdata, char *err, size_t err_len);
	/* Optional: a client that was refused, for the log. */
	void (*refused)(void *userdata, pid_t pid, uid_t uid, gid_t gid);
};

struct ctl_server;

/*
 * Listens at @path (a stale socket there is replaced; anything else is
 * -EEXIST). Only clients with uid 0, or with @group (unless (gid_t)-1) as
 * their primary or a supplementary group, are answered; others get a
 * CTL_ERR_PERMISSION reply to their first request and are disconnected.
 * The socket is mode 0600 without a group, else 0666: the credentials of
 * each connection (SO_PEERCRED, SO_PEERGROUPS) are what let a member in.
 */
int ctl_server_new(const char *path, gid_t group, const struct ctl_server_ops *ops,
		   void *userdata, struct ctl_server **out);

/*
 * Lets @group in beside root from now on ((gid_t)-1: root alone), and
 * sets the socket's mode to match. Connections already let in stay.
 */
int ctl_server_set_group(struct ctl_server *s, gid_t group);

/* Disconnects every client, closes the socket and removes @path. */
void ctl_server_free(struct ctl_server *s);

/* Watch this for EPOLLIN (sd_event_add_io) and call ctl_server_dispatch(). */
int ctl_server_fd(const struct ctl_server *s);

/*
 * Accepts, reads, answers and writes whatever is ready, without blocking.
 * Errors of one client only disconnect it; returns 0, or a negative errno
 * if the server itself failed (its epoll fd).
 */
int ctl_server_dispatch(struct ctl_server *s);

/* Clients connected now, and those of them waiting to send a reply. */
size_t ctl_server_clients(const struct ctl_server *s);
size_t ctl_server_pending(const struct ctl_server *s);

#endif
