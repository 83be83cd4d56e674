// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pool backend (see pool.h): requests and the GET dump through libnl,
 * the messages' contents through pool-msg.c. libnl turns the kernel's
 * errors into its own codes, losing some (ENOBUFS becomes "out of memory")
 * and the extack message with them, so this file handles NLMSG_ERROR
 * itself, and reads the events socket with a plain recvmsg().
 */
#define _GNU_SOURCE

#include "pool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

/*
 * A dump the module marks inconsistent (a change while it ran) is read
 * again; changes come at most once a control period, so a few tries in a
 * row all meeting one mean something keeps changing the pools.
 */
#define DUMP_TRIES 4

/* Events read per call, so that a flood cannot starve the event loop. */
#define EVENTS_BATCH 64

/* Larger than any message of the family (one level, a few dozen attributes). */
#define EVENT_BUF_SIZE 8192

struct iosup_pool_nl {
	struct nl_sock *sock;
	int family;
	char error[256];
};

struct iosup_pool_events {
	struct nl_sock *sock;
	int family;
	unsigned char buf[EVENT_BUF_SIZE];
};

static void set_error(struct iosup_pool_nl *nl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct iosup_pool_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->error, sizeof(nl->error), fmt, ap);
	va_end(ap);
}

/* libnl's error codes as the errno they stand for. */
static int from_nlerr(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AGAIN:
	case NLE_DUMP_INTR:
		return -EAGAIN;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_MSG_TRUNC:
	case NLE_MSG_OVERFLOW:
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TOOSHORT:
		return -EBADMSG;
	case NLE_AF_NOSUPPORT:
	case NLE_PROTO_MISMATCH:
		return -EAFNOSUPPORT;
	default:
		return -EIO;
	}
}

/*
 * A socket on generic netlink, and the family's id. -ENOENT if the
 * family is not registered: the module is not loaded.
 */
static int connect_family(struct nl_sock **sockp, int *family)
{
	struct nl_sock *sock;
	int r, one = 1;

	sock = nl_socket_alloc();
	if (!sock)
		return -ENOMEM;
	r = genl_connect(sock);
	if (r < 0) {
		r = from_nlerr(r);
		goto fail;
	}
	/*
	 * The kernel's reason for a refusal comes only with extended acks; a
	 * kernel without them still gives the errno, so failing here is fine.
	 */
	(void)setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK,
			 &one, sizeof(one));
	r = genl_ctrl_resolve(sock, IOSUP_GENL_NAME);
	if (r < 0) {
		r = from_nlerr(r);
		goto fail;
	}
	*family = r;
	*sockp = sock;
	return 0;

fail:
	nl_socket_free(sock);
	return r;
}

int iosup_pool_open(struct iosup_pool_nl **out)
{
	struct iosup_pool_nl *nl;
	int r;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	r = connect_family(&nl->sock, &nl->family);
	if (r) {
		free(nl);
		return r;
	}
	*out = nl;
	return 0;
}

void iosup_pool_close(struct iosup_pool_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sock);
	free(nl);
}

const char *iosup_pool_last_error(const struct iosup_pool_nl *nl)
{
	return nl->error;
}

/* One request's replies, as the callbacks below collect them. */
struct reply {
	struct iosup_pool_nl *nl;
	const char *what;		/* the request, for messages */
	struct iosup_pool_stats *stats;	/* a dump's, or NULL */
	int kernel_error;		/* the kernel's refusal, -errno */
	int parse_error;		/* the first bad reply's */
	bool done;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	int e;

	if (r->parse_error)
		return NL_SKIP;	/* the first problem is the one to report */
	if (h->nlmsg_type != r->nl->family || !r->stats) {
		set_error(r->nl, "%s: an unexpected reply of type %u", r->what,
			  h->nlmsg_type);
		r->parse_error = -EBADMSG;
		return NL_SKIP;
	}
	e = iosup_pool_dump_add(r->stats, h, h->nlmsg_len, r->nl->error,
				sizeof(r->nl->error));
	if (e)
		r->parse_error = e;
	return NL_SKIP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* The error (or the ack, libnl passes those elsewhere) of a request. */
static int on_error(struct sockaddr_nl *from, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;
	/* libnl hands the payload; its header sits just before it. */
	const struct nlmsghdr *h = (const void *)((const char *)e - NLMSG_HDRLEN);
	char why[200];
	int error;

	(void)from;
	r->done = true;
	if (iosup_pool_msg_error(h, h->nlmsg_len, &error, why, sizeof(why))) {
		set_error(r->nl, "%s: a malformed error reply", r->what);
		r->kernel_error = -EBADMSG;
		return NL_STOP;
	}
	r->kernel_error = error;
	set_error(r->nl, "%s refused: %s", r->what, *why ? why : strerror(-error));
	return NL_STOP;
}

/*
 * Sends @msg (freed here) and reads its replies: a dump's into @stats, or
 * the ack. Returns 0 or -errno, with nl->error said.
 */
static int transact(struct iosup_pool_nl *nl, struct nl_msg *msg, const char *what,
		    struct iosup_pool_stats *stats)
{
	struct reply r = { .nl = nl, .what = what, .stats = stats };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);

	ret = nl_send_auto(nl->sock, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		set_error(nl, "%s: sending: %s", what, nl_geterror(ret));
		ret = from_nlerr(ret);
		goto out;
	}
	do {
		ret = nl_recvmsgs(nl->sock, cb);
	} while (ret >= 0 && !r.done);

	if (r.kernel_error) {
		ret = r.kernel_error;
	} else if (ret == -NLE_DUMP_INTR) {
		set_error(nl, "%s: the pools changed during the dump", what);
		ret = -EAGAIN;
	} else if (ret < 0) {
		set_error(nl, "%s: receiving: %s", what, nl_geterror(ret));
		ret = from_nlerr(ret);
	} else {
		ret = r.parse_error;
	}
out:
	nl_cb_put(cb);
	return ret;
}

static struct nl_msg *request(struct iosup_pool_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, IOSUP_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int iosup_pool_read(struct iosup_pool_nl *nl, struct iosup_pool_stats *out)
{
	struct iosup_pool_stats s;
	struct nl_msg *msg;
	int tries, r = -EAGAIN;

	nl->error[0] = '\0';
	for (tries = 0; tries < DUMP_TRIES; tries++) {
		memset(&s, 0, sizeof(s));
		msg = request(nl, IOSUP_CMD_GET, NLM_F_DUMP);
		if (!msg)
			return -ENOMEM;
		r = transact(nl, msg, "GET", &s);
		if (!r)
			r = iosup_pool_dump_check(&s, nl->error, sizeof(nl->error));
		if (r != -EAGAIN)
			break;
	}
	if (r == -EAGAIN)
		set_error(nl, "GET: the pools changed during each of %d dumps", DUMP_TRIES);
	if (!r)
		*out = s;
	return r;
}

/* Checks a value before it goes out, so that a refusal here says which. */
static int check(struct iosup_pool_nl *nl, const char *what, uint64_t value,
		 uint64_t min, uint64_t max)
{
	if (value >= min && value <= max)
		return 0;
	set_error(nl, "%s %llu is outside %llu..%llu", what,
		  (unsigned long long)value, (unsigned long long)min,
		  (unsigned long long)max);
	return -EINVAL;
}

/* A SET with whatever @put adds, and the lease if there is one. */
static int set(struct iosup_pool_nl *nl, const char *what, uint32_t lease_s,
	       int (*put)(struct nl_msg *msg, const void *arg), const void *arg)
{
	struct nl_msg *msg;
	int r;

	r = check(nl, "lease", lease_s, 0, IOSUP_LEASE_MAX);
	if (r)
		return r;
	msg = request(nl, IOSUP_CMD_SET, 0);
	if (!msg)
		return -ENOMEM;
	if (put(msg, arg) || (lease_s && nla_put_u32(msg, IOSUP_A_LEASE, lease_s))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return transact(nl, msg, what, NULL);
}

struct level_value {
	unsigned int level;
	uint32_t value;
};

static int put_limit(struct nl_msg *msg, const void *arg)
{
	const struct level_value *lv = arg;

	return nla_put_u8(msg, IOSUP_A_LEVEL, (uint8_t)lv->level) ||
	       nla_put_u32(msg, IOSUP_A_LIMIT, lv->value);
}

static int put_ratio(struct nl_msg *msg, const void *arg)
{
	const struct level_value *lv = arg;

	return (lv->level && nla_put_u8(msg, IOSUP_A_LEVEL, (uint8_t)lv->level)) ||
	       nla_put_u32(msg, IOSUP_A_FREE_RATIO, lv->value);
}

static int put_enabled(struct nl_msg *msg, const void *arg)
{
	return nla_put_u8(msg, IOSUP_A_ENABLED, *(const bool *)arg);
}

int iosup_pool_set_limit(struct iosup_pool_nl *nl, unsigned int level,
			 uint32_t limit, uint32_t lease_s)
{
	struct level_value lv = { level, limit };
	int r;

	nl->error[0] = '\0';
	r = check(nl, "level", level, IOSUP_LEVEL_PTE, IOSUP_LEVEL_MAX);
	if (!r)
		r = check(nl, "limit", limit, 0, IOSUP_LIMIT_MAX);
	return r ? r : set(nl, "SET limit", lease_s, put_limit, &lv);
}

int iosup_pool_set_ratio(struct iosup_pool_nl *nl, unsigned int level,
			 uint32_t percent, uint32_t lease_s)
{
	struct level_value lv = { level, percent };
	int r;

	nl->error[0] = '\0';
	r = check(nl, "level", level, 0, IOSUP_LEVEL_MAX);
	if (!r)
		r = check(nl, "free ratio", percent, 0, IOSUP_FREE_RATIO_MAX);
	return r ? r : set(nl, "SET free ratio", lease_s, put_ratio, &lv);
}

int iosup_pool_set_enabled(struct iosup_pool_nl *nl, bool enabled,
			   uint32_t lease_s)
{
	nl->error[0] = '\0';
	return set(nl, enabled ? "SET enabled" : "SET disabled", lease_s,
		   put_enabled, &enabled);
}

int iosup_pool_drain(struct iosup_pool_nl *nl, unsigned int level)
{
	struct nl_msg *msg;
	int r;

	nl->error[0] = '\0';
	r = check(nl, "level", level, IOSUP_LEVEL_PTE, IOSUP_LEVEL_MAX);
	if (r)
		return r;
	msg = request(nl, IOSUP_CMD_DRAIN, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u8(msg, IOSUP_A_LEVEL, (uint8_t)level)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return transact(nl, msg, "DRAIN", NULL);
}

int iosup_pool_events_open(struct iosup_pool_events **out)
{
	struct iosup_pool_events *ev;
	int r;

	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	r = connect_family(&ev->sock, &ev->family);
	if (r)
		goto fail;
	r = genl_ctrl_resolve_grp(ev->sock, IOSUP_GENL_NAME, IOSUP_MCGRP_EVENTS);
	if (r < 0) {
		r = from_nlerr(r);
		goto fail;
	}
	/* Only multicasts come here: nothing to match against a request. */
	nl_socket_disable_seq_check(ev->sock);
	r = nl_socket_add_membership(ev->sock, r);
	if (!r)
		r = nl_socket_set_nonblocking(ev->sock);
	if (r < 0) {
		r = from_nlerr(r);
		goto fail;
	}
	*out = ev;
	return 0;

fail:
	iosup_pool_events_close(ev);
	return r;
}

void iosup_pool_events_close(struct iosup_pool_events *ev)
{
	if (!ev)
		return;
	if (ev->sock)
		nl_socket_free(ev->sock);
	free(ev);
}

int iosup_pool_events_fd(const struct iosup_pool_events *ev)
{
	return nl_socket_get_fd(ev->sock);
}

/* Every message in one datagram of @len bytes, to @fn. */
static void deliver(struct iosup_pool_events *ev, size_t len,
		    iosup_pool_event_fn fn, void *data)
{
	struct iosup_pool_event event;
	const struct nlmsghdr *h;
	char problem[256];
	size_t off = 0;

	while (len - off >= NLMSG_HDRLEN) {
		h = (const void *)(ev->buf + off);
		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len - off)
			break;
		/* The last message's padding may be left out. */
		off += NLMSG_ALIGN((size_t)h->nlmsg_len);
		if (off > len)
			off = len;
		if (h->nlmsg_type != ev->family) {
			snprintf(problem, sizeof(problem),
				 "event: a message of type %u, not the iosup family's",
				 h->nlmsg_type);
			fn(NULL, problem, data);
			continue;
		}
		if (iosup_pool_msg_event(h, h->nlmsg_len, &event, problem,
					 sizeof(problem)))
			fn(NULL, problem, data);
		else
			fn(&event, NULL, data);
	}
	if (off < len) {
		snprintf(problem, sizeof(problem),
			 "event: %zu bytes that are no message", len - off);
		fn(NULL, problem, data);
	}
}

int iosup_pool_events_read(struct iosup_pool_events *ev, iosup_pool_event_fn fn,
			   void *data)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = ev->buf, .iov_len = sizeof(ev->buf) };
	struct msghdr mh = {
		.msg_name = &from,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	char problem[128];
	ssize_t n;
	int i;

	for (i = 0; i < EVENTS_BATCH; i++) {
		mh.msg_namelen = sizeof(from);
		n = recvmsg(nl_socket_get_fd(ev->sock), &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			snprintf(problem, sizeof(problem),
				 "event: longer than %zu bytes, cut", sizeof(ev->buf));
			fn(NULL, problem, data);
			continue;
		}
		/* Only root can send to a netlink socket; still, only the kernel speaks here. */
		if (mh.msg_namelen != sizeof(from) || from.nl_pid != 0) {
			snprintf(problem, sizeof(problem),
				 "event: a message from port %u, not the kernel",
				 mh.msg_namelen == sizeof(from) ? from.nl_pid : 0);
			fn(NULL, problem, data);
			continue;
		}
		deliver(ev, (size_t)n, fn, data);
	}
	return 0;
}

const char *iosup_pool_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -ENOENT:
		return "pool unavailable: the iosup module is not loaded";
	case -EPERM:
		return "changing the pools needs CAP_NET_ADMIN";
	case -EAGAIN:
		return "the pools kept changing during the dump; try again";
	case -EBADMSG:
		return "the iosup module sent a malformed message";
	case -EOPNOTSUPP:
		return "the iosup module sent an event this daemon does not know";
	case -ENOBUFS:
		return "pool events were lost; re-read the pools";
	case -EINVAL:
		return "a value out of range for the pools";
	default:
		return strerror(-err);
	}
}
