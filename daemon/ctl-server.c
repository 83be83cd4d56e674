// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's server (see ctl-server.h for the why of its shape):
 * listening socket and clients under one epoll fd, each client checked by
 * SO_PEERCRED at accept, one request answered per readable event.
 */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED, accept4 */
#include "ctl-server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Connections taken per dispatch, so that a flood cannot starve clients. */
#define ACCEPT_BATCH 8

/* Supplementary groups looked at without an allocation. */
#define GROUPS_INLINE 64

struct client {
	int fd;			/* -1: free slot */
	uint64_t serial;	/* order of accept: the lowest is the oldest */
	char *pending;		/* a reply the socket had no room for */
	size_t pending_len;
	/*
	 * Not allowed in: its first request is answered with a permission
	 * error and the connection closed. Answering at accept would race
	 * with the request: a socket closed with a message unread resets the
	 * connection, and the client could see the reset and not the reply.
	 */
	bool refused;
	bool close_after;	/* once the reply is out */
};

struct ctl_server {
	int listen_fd;
	int epoll_fd;
	char *path;
	gid_t group;
	const struct ctl_server_ops *ops;
	void *userdata;
	uint64_t serial;
	struct client clients[CTL_SERVER_CLIENTS_MAX];
};

/*
 * What an epoll event carries: 0 for the listening socket, a client's
 * serial and slot otherwise, so that an event for a client closed earlier
 * in the same batch is not taken for the one now in its slot.
 */
#define LISTENER 0
#define SLOT_BITS 8
_Static_assert(CTL_SERVER_CLIENTS_MAX <= 1 << SLOT_BITS, "slots fit in SLOT_BITS");

static void client_close(struct client *c)
{
	if (c->fd < 0)
		return;
	/* Closing removes the fd from the epoll set too. */
	close(c->fd);
	c->fd = -1;
	free(c->pending);
	c->pending = NULL;
	c->pending_len = 0;
	c->refused = false;
	c->close_after = false;
}

static int watch(struct ctl_server *s, int op, struct client *c, uint32_t events)
{
	struct epoll_event ev = {
		.events = events,
		.data.u64 = c->serial << SLOT_BITS | (uint64_t)(c - s->clients),
	};

	return epoll_ctl(s->epoll_fd, op, c->fd, &ev) ? -errno : 0;
}

/* Sends @msg, or keeps it for when the socket has room. Takes @msg. */
static void client_send(struct ctl_server *s, struct client *c, char *msg, size_t len)
{
	ssize_t n = send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n >= 0) {
		free(msg);
		if (c->close_after)
			client_close(c);
		return;
	}
	if (errno != EAGAIN || watch(s, EPOLL_CTL_MOD, c, EPOLLOUT)) {
		free(msg);
		client_close(c);
		return;
	}
	c->pending = msg;
	c->pending_len = len;
}

static void client_flush(struct ctl_server *s, struct client *c)
{
	ssize_t n = send(c->fd, c->pending, c->pending_len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0 && errno == EAGAIN)
		return;
	free(c->pending);
	c->pending = NULL;
	c->pending_len = 0;
	if (n < 0 || c->close_after || watch(s, EPOLL_CTL_MOD, c, EPOLLIN))
		client_close(c);
}

/* An error reply; if even that cannot be built, the client is dropped. */
static void reply_error(struct ctl_server *s, struct client *c, const char *code,
			const char *message)
{
	char *msg;
	size_t len;

	if (ctl_proto_reply_encode_error(code, message, &msg, &len)) {
		client_close(c);
		return;
	}
	client_send(s, c, msg, len);
}

static const struct ctl_proto_domain *find_domain(const struct ctl_proto_snapshot *snap,
						  uint32_t domid)
{
	size_t i;

	for (i = 0; i < snap->n_domains; i++)
		if (snap->domains[i].domid == domid)
			return &snap->domains[i];
	return NULL;
}

static void answer(struct ctl_server *s, struct client *c, const struct ctl_proto_request *req)
{
	int (*action)(void *, char *, size_t) = NULL;
	const struct ctl_proto_snapshot *snap;
	const struct ctl_proto_domain *d = NULL;
	char err[CTL_PROTO_TEXT_MAX], *msg = NULL;
	size_t len;
	int r;

	switch (req->command) {
	case CTL_PROTO_RELOAD:
		action = s->ops->reload;
		break;
	case CTL_PROTO_PAUSE:
		action = s->ops->pause;
		break;
	case CTL_PROTO_RESUME:
		action = s->ops->resume;
		break;
	default:
		break;
	}
	if (action) {
		err[0] = '\0';
		r = action(s->userdata, err, sizeof(err));
		if (r < 0) {
			if (!err[0])
				snprintf(err, sizeof(err), "%s failed: %s",
					 ctl_proto_command_name(req->command), strerror(-r));
			reply_error(s, c, CTL_ERR_FAILED, err);
			return;
		}
	}

	snap = s->ops->snapshot(s->userdata);
	if (ctl_proto_command_has_domid(req->command)) {
		d = find_domain(snap, req->domid);
		if (!d) {
			snprintf(err, sizeof(err), "domain %u is not managed by iosupd", req->domid);
			reply_error(s, c, CTL_ERR_NO_DOMAIN, err);
			return;
		}
	}
	switch (req->command) {
	case CTL_PROTO_STATUS:
		r = ctl_proto_reply_encode_status(&snap->status, &msg, &len);
		break;
	case CTL_PROTO_DOMAINS:
		r = ctl_proto_reply_encode_domains(snap->domains, snap->n_domains, &msg, &len);
		break;
	case CTL_PROTO_DOMAIN:
		r = ctl_proto_reply_encode_domain(d, &msg, &len);
		break;
	case CTL_PROTO_EXPLAIN:
		r = ctl_proto_reply_encode_explain(d, &msg, &len);
		break;
	default:
		r = ctl_proto_reply_encode_state(snap->status.state, &msg, &len);
		break;
	}
	if (r == -EMSGSIZE) {
		snprintf(err, sizeof(err), "the reply would be over %d bytes", CTL_PROTO_MSG_MAX);
		reply_error(s, c, CTL_ERR_TOO_LARGE, err);
	} else if (r) {
		reply_error(s, c, CTL_ERR_FAILED, "out of memory");
	} else {
		client_send(s, c, msg, len);
	}
}

/* One request: read, decode, answer. */
static void client_read(struct ctl_server *s, struct client *c)
{
	char buf[CTL_PROTO_REQUEST_MAX + 1], code[CTL_PROTO_CODE_MAX], err[CTL_PROTO_TEXT_MAX];
	struct ctl_proto_request req;
	ssize_t n;

	/* MSG_TRUNC: the datagram's real length, even when it did not fit. */
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	if (c->refused) {
		if (s->group != (gid_t)-1)
			snprintf(err, sizeof(err), "only root and group %u may use iosupd's control socket",
				 (unsigned int)s->group);
		else
			snprintf(err, sizeof(err), "only root may use iosupd's control socket");
		c->close_after = true;
		reply_error(s, c, CTL_ERR_PERMISSION, err);
		return;
	}
	if ((size_t)n > CTL_PROTO_REQUEST_MAX) {
		snprintf(err, sizeof(err), "request of %zd bytes is over the %d allowed", n,
			 CTL_PROTO_REQUEST_MAX);
		reply_error(s, c, CTL_ERR_TOO_LARGE, err);
		return;
	}
	if (ctl_proto_request_decode(buf, (size_t)n, &req, code, err, sizeof(err))) {
		reply_error(s, c, code, err);
		return;
	}
	answer(s, c, &req);
}

static bool in_groups(int fd, gid_t group)
{
	gid_t inline_groups[GROUPS_INLINE], *groups = inline_groups;
	socklen_t len = sizeof(inline_groups);
	bool found = false;
	size_t i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len)) {
		/* ERANGE: len now says how much is needed. */
		if (errno != ERANGE || !(groups = malloc(len)))
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
			goto out;
	}
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == group)
			found = true;
out:
	if (groups != inline_groups)
		free(groups);
	return found;
}

static bool allowed(const struct ctl_server *s, int fd, const struct ucred *cred)
{
	if (cred->uid == 0)
		return true;
	if (s->group == (gid_t)-1)
		return false;
	return cred->gid == s->group || in_groups(fd, s->group);
}

/*
 * A free slot, or else the oldest client's after closing it; refused
 * clients go first, so that they cannot push out those allowed in. For a
 * @refused newcomer only a refused client makes room: NULL if none.
 */
static struct client *slot(struct ctl_server *s, bool refused)
{
	struct client *oldest = &s->clients[0], *c;
	size_t i;

	for (i = 0; i < CTL_SERVER_CLIENTS_MAX; i++) {
		c = &s->clients[i];
		if (c->fd < 0)
			return c;
		if (c->refused != oldest->refused ? c->refused : c->serial < oldest->serial)
			oldest = c;
	}
	if (refused && !oldest->refused)
		return NULL;
	client_close(oldest);
	return oldest;
}

static void accept_one(struct ctl_server *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	bool refused = false;
	/*
	 * Twice the largest reply in the kernel's accounting: a reply is
	 * never refused for size. A failure leaves the default (212992),
	 * which still fits one.
	 */
	int sndbuf = CTL_PROTO_MSG_MAX;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		close(fd);
		return;
	}
	if (!allowed(s, fd, &cred)) {
		refused = true;
		if (s->ops->refused)
			s->ops->refused(s->userdata, cred.pid, cred.uid, cred.gid);
	}
	c = slot(s, refused);
	if (!c) {
		/* Every slot is someone's let in: the refused newcomer goes unanswered. */
		close(fd);
		return;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->fd = fd;
	c->refused = refused;
	/* Serials start at 1: an event tagged 0 is the listener's. */
	c->serial = ++s->serial;
	if (watch(s, EPOLL_CTL_ADD, c, EPOLLIN))
		client_close(c);
}

static void accept_some(struct ctl_server *s)
{
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN: all taken; anything else: a client gone meanwhile */
		accept_one(s, fd);
	}
}

int ctl_server_dispatch(struct ctl_server *s)
{
	struct epoll_event ev[CTL_SERVER_CLIENTS_MAX + 1];
	int n, i;

	n = epoll_wait(s->epoll_fd, ev, CTL_SERVER_CLIENTS_MAX + 1, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;
		struct client *c = &s->clients[tag & ((1u << SLOT_BITS) - 1)];

		if (tag == LISTENER) {
			accept_some(s);
			continue;
		}
		/* Closed earlier in this batch (to make room): its events are stale. */
		if (c->fd < 0 || c->serial != tag >> SLOT_BITS)
			continue;
		if (c->pending) {
			if (ev[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				client_flush(s, c);
		} else if (ev[i].events & EPOLLIN) {
			client_read(s, c);
		} else if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
			client_close(c);
		}
	}
	return 0;
}

/*
 * The socket file's mode: root's alone, or anyone's to connect to when a
 * group is let in. Membership is then checked on each connection
 * (allowed()), not by the file's group: chown to a group iosupd is not in
 * takes CAP_CHOWN, which its unit does not grant.
 */
static mode_t socket_mode(gid_t group)
{
	return group != (gid_t)-1 ? 0666 : 0600;
}

/* Binds @fd at @path with the mode the callers may use. */
static int bind_at(int fd, const char *path, gid_t group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int r = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	/* A socket left by a daemon that died is ours to replace; nothing else is. */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (unlink(path))
			return -errno;
	}
	/* The mode is right from the start: no window with a wider one. */
	old = umask(0777 & ~socket_mode(group));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		r = -errno;
	umask(old);
	return r;
}

int ctl_server_set_group(struct ctl_server *s, gid_t group)
{
	/*
	 * The check first: should the mode not follow, it is the check that
	 * decides, and a mode left too narrow only keeps members out.
	 */
	s->group = group;
	return chmod(s->path, socket_mode(group)) ? -errno : 0;
}

int ctl_server_new(const char *path, gid_t group, const struct ctl_server_ops *ops,
		   void *userdata, struct ctl_server **out)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = LISTENER };
	struct ctl_server *s;
	bool bound = false;
	size_t i;
	int r;

	if (!ops || !ops->snapshot || !ops->reload || !ops->pause || !ops->resume)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->listen_fd = s->epoll_fd = -1;
	for (i = 0; i < CTL_SERVER_CLIENTS_MAX; i++)
		s->clients[i].fd = -1;
	s->group = group;
	s->ops = ops;
	s->userdata = userdata;
	s->path = strdup(path);
	if (!s->path) {
		r = -ENOMEM;
		goto out;
	}
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->listen_fd < 0 || s->epoll_fd < 0) {
		r = -errno;
		goto out;
	}
	r = bind_at(s->listen_fd, path, group);
	if (r)
		goto out;
	bound = true;
	if (listen(s->listen_fd, CTL_SERVER_CLIENTS_MAX) ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev)) {
		r = -errno;
		goto out;
	}
	*out = s;
	return 0;
out:
	if (bound)
		unlink(path);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	free(s->path);
	free(s);
	return r;
}

void ctl_server_free(struct ctl_server *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < CTL_SERVER_CLIENTS_MAX; i++)
		client_close(&s->clients[i]);
	close(s->listen_fd);
	close(s->epoll_fd);
	unlink(s->path);
	free(s->path);
	free(s);
}

int ctl_server_fd(const struct ctl_server *s)
{
	return s->epoll_fd;
}

size_t ctl_server_clients(const struct ctl_server *s)
{
	size_t i, n = 0;

	for (i = 0; i < CTL_SERVER_CLIENTS_MAX; i++)
		n += s->clients[i].fd >= 0;
	return n;
}

size_t ctl_server_pending(const struct ctl_server *s)
{
	size_t i, n = 0;

	for (i = 0; i < CTL_SERVER_CLIENTS_MAX; i++)
		n += s->clients[i].fd >= 0 && s->clients[i].pending;
	return n;
}
