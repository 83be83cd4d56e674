// SPDX-License-Identifier: GPL-2.0
/*
 * iosup-pool: a small client of the "iosup" generic netlink family, until
 * iosupctl speaks it. Plain AF_NETLINK, no library, so that it links
 * statically for the rig's busybox dom0.
 *
 *   iosup-pool [show]              one line per level (a GET dump)
 *   iosup-pool limit LEVEL PAGES [LEASE]
 *                                  set a level's limit (LEVEL: 1 to 4),
 *                                  for LEASE seconds or for good
 *   iosup-pool ratio PERCENT [LEVEL]
 *                                  set the free ratio of a level, or of
 *                                  every level (0: limits only)
 *   iosup-pool enable | disable
 *   iosup-pool drain LEVEL
 *   iosup-pool lease SECONDS       renew the lease (0: make it permanent)
 *   iosup-pool events SECONDS      print the events group's messages for
 *                                  that long
 *   iosup-pool raw CMD ATTR:TYPE:VALUE...
 *                                  send any request (TYPE u8, u32 or u64),
 *                                  for tests of the kernel's validation
 *   iosup-pool rawdump CMD ATTR:TYPE:VALUE...
 *                                  the same as a dump request
 *   iosup-pool --uid UID VERB...   run as UID, without capabilities
 *
 * A refused request prints the kernel's extack message, and the number of
 * the attribute it names, and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../../../include/uapi/linux/iosup.h"

#define BUF_SIZE 16384

struct nl {
	int fd;
	uint32_t seq;
	uint16_t family;
};

static void put_attr(struct nlmsghdr *n, uint16_t type, const void *data,
		     uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static struct nlmsghdr *start(char *buf, uint16_t type, uint16_t flags,
			      uint8_t cmd, uint32_t seq)
{
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;

	memset(buf, 0, BUF_SIZE);
	n->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_REQUEST | flags;
	n->nlmsg_seq = seq;
	g = NLMSG_DATA(n);
	g->cmd = cmd;
	g->version = 1;
	return n;
}

/* Calls @fn on every attribute of a genl message; @fn may be NULL. */
static void walk_attrs(struct nlmsghdr *n,
		       void (*fn)(const struct nlattr *a, void *ctx), void *ctx)
{
	int len = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if (fn)
			fn(a, ctx);
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

/*
 * The extack message of an error reply, if any, and in @off_attr the offset in
 * the request of the attribute it is about (0 if none is named).
 */
static const char *extack_msg(struct nlmsghdr *n, uint32_t *off_attr)
{
	struct nlmsgerr *e = NLMSG_DATA(n);
	const char *msg;
	int len, off;
	struct nlattr *a;

	*off_attr = 0;
	if (!(n->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	off = sizeof(*e);
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)n->nlmsg_len - NLMSG_HDRLEN - off;
	a = (struct nlattr *)((char *)e + off);
	msg = NULL;
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			msg = (const char *)a + NLA_HDRLEN;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_OFFS &&
		    a->nla_len >= NLA_HDRLEN + (int)sizeof(uint32_t))
			memcpy(off_attr, (const char *)a + NLA_HDRLEN, sizeof(uint32_t));
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return msg;
}

/*
 * Sends @n and reads replies until the ack or the dump's end, calling @fn
 * on every data message. Returns 0 or -errno, having printed the error.
 */
static int transact(struct nl *nl, struct nlmsghdr *n,
		    void (*fn)(struct nlmsghdr *m, void *ctx), void *ctx)
{
	static char buf[BUF_SIZE];
	struct nlmsghdr *m;
	ssize_t len;

	if (send(nl->fd, n, n->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(nl->fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (m = (struct nlmsghdr *)buf; NLMSG_OK(m, len);
		     m = NLMSG_NEXT(m, len)) {
			if (m->nlmsg_seq != n->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (m->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(m);
				uint32_t off;
				const char *msg = extack_msg(m, &off);
				const struct nlattr *bad = NULL;

				if (!e->error)
					return 0;
				/* Say which attribute the kernel refused. */
				if (off >= NLMSG_LENGTH(GENL_HDRLEN) &&
				    off + NLA_HDRLEN <= n->nlmsg_len)
					bad = (const struct nlattr *)((const char *)n + off);
				fprintf(stderr, "iosup-pool: %s%s%s", strerror(-e->error),
					msg ? ": " : "", msg ? msg : "");
				if (bad)
					fprintf(stderr, " (attribute %u)",
						bad->nla_type & NLA_TYPE_MASK);
				fprintf(stderr, "\n");
				return e->error;
			}
			if (m->nlmsg_flags & NLM_F_DUMP_INTR) {
				fprintf(stderr, "iosup-pool: the pools changed during the dump\n");
				return -EAGAIN;
			}
			if (fn)
				fn(m, ctx);
		}
	}
}

static void family_attr(const struct nlattr *a, void *ctx)
{
	if (a->nla_type == CTRL_ATTR_FAMILY_ID)
		*(uint16_t *)ctx = *(const uint16_t *)((const char *)a + NLA_HDRLEN);
}

static void family_reply(struct nlmsghdr *m, void *ctx)
{
	walk_attrs(m, family_attr, ctx);
}

static int nl_open(struct nl *nl)
{
	static char buf[BUF_SIZE];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, ret;
	struct nlmsghdr *n;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0 || bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	n = start(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, ++nl->seq);
	put_attr(n, CTRL_ATTR_FAMILY_NAME, IOSUP_GENL_NAME,
		 sizeof(IOSUP_GENL_NAME));
	nl->family = 0;
	ret = transact(nl, n, family_reply, &nl->family);
	if (!ret && !nl->family)
		ret = -ENOENT;
	return ret;
}

static const char *const names[IOSUP_A_MAX + 1] = {
	[IOSUP_A_LEVEL] = "level",	[IOSUP_A_POOL] = "pool",
	[IOSUP_A_LIMIT] = "limit",	[IOSUP_A_HITS] = "hits",
	[IOSUP_A_MISSES] = "misses",	[IOSUP_A_TAKEN] = "taken",
	[IOSUP_A_REFUSED] = "refused",	[IOSUP_A_RELEASED] = "released",
	[IOSUP_A_FREE_RATIO] = "free_ratio", [IOSUP_A_ENABLED] = "enabled",
	[IOSUP_A_EVENT] = "event",	[IOSUP_A_SHRUNK] = "shrunk",
	[IOSUP_A_IN_USE] = "in_use",	[IOSUP_A_TABLE_PAGES] = "table_pages",
	[IOSUP_A_VIOLATIONS] = "violations",
	[IOSUP_A_DEFAULT_LIMIT] = "default_limit", [IOSUP_A_LEASE] = "lease",
	[IOSUP_A_ALLOC_COUNT] = "alloc_count", [IOSUP_A_ALLOC_NS] = "alloc_ns",
	[IOSUP_A_FREE_COUNT] = "free_count", [IOSUP_A_FREE_NS] = "free_ns",
	[IOSUP_A_POOL_IN_PAGETABLES] = "pool_in_pagetables",
};

static void print_attr(const struct nlattr *a, void *ctx)
{
	const char *p = (const char *)a + NLA_HDRLEN;
	int len = a->nla_len - NLA_HDRLEN;
	uint64_t v;

	(void)ctx;
	if (a->nla_type > IOSUP_A_MAX || !names[a->nla_type])
		return;
	if (len == 1)
		v = *(const uint8_t *)p;
	else if (len == 4)
		v = *(const uint32_t *)p;
	else if (len == 8)
		memcpy(&v, p, 8);
	else
		return;
	printf(" %s=%llu", names[a->nla_type], (unsigned long long)v);
}

static void print_reply(struct nlmsghdr *m, void *ctx)
{
	(void)ctx;
	printf("iosup:");
	walk_attrs(m, print_attr, NULL);
	printf("\n");
}

/* The id of the family's events group, from CTRL_ATTR_MCAST_GROUPS. */
static void mcast_attr(const struct nlattr *a, void *ctx)
{
	const struct nlattr *grp, *f;
	int glen, flen;
	uint32_t id;
	int named;

	if (a->nla_type != CTRL_ATTR_MCAST_GROUPS)
		return;
	glen = a->nla_len - NLA_HDRLEN;
	for (grp = (const struct nlattr *)((const char *)a + NLA_HDRLEN);
	     glen >= NLA_HDRLEN && grp->nla_len >= NLA_HDRLEN && grp->nla_len <= glen;
	     glen -= NLA_ALIGN(grp->nla_len),
	     grp = (const struct nlattr *)((const char *)grp + NLA_ALIGN(grp->nla_len))) {
		id = 0;
		named = 0;
		flen = grp->nla_len - NLA_HDRLEN;
		for (f = (const struct nlattr *)((const char *)grp + NLA_HDRLEN);
		     flen >= NLA_HDRLEN && f->nla_len >= NLA_HDRLEN && f->nla_len <= flen;
		     flen -= NLA_ALIGN(f->nla_len),
		     f = (const struct nlattr *)((const char *)f + NLA_ALIGN(f->nla_len))) {
			const char *p = (const char *)f + NLA_HDRLEN;

			if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID &&
			    f->nla_len == NLA_HDRLEN + 4)
				memcpy(&id, p, 4);
			if (f->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
			    !strncmp(p, IOSUP_MCGRP_EVENTS, f->nla_len - NLA_HDRLEN))
				named = 1;
		}
		if (named)
			*(uint32_t *)ctx = id;
	}
}

static void mcast_reply(struct nlmsghdr *m, void *ctx)
{
	walk_attrs(m, mcast_attr, ctx);
}

/* Prints every event for @seconds, one line each, then returns. */
static int listen_events(struct nl *nl, uint64_t seconds)
{
	static char buf[BUF_SIZE];
	struct timeval tv = { .tv_sec = 1 };
	struct nlmsghdr *n, *m;
	uint32_t group = 0;
	time_t end;
	ssize_t len;
	int ret;

	n = start(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, ++nl->seq);
	put_attr(n, CTRL_ATTR_FAMILY_NAME, IOSUP_GENL_NAME,
		 sizeof(IOSUP_GENL_NAME));
	ret = transact(nl, n, mcast_reply, &group);
	if (ret)
		return ret;
	if (!group || setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				 &group, sizeof(group)) < 0) {
		fprintf(stderr, "iosup-pool: cannot join the events group\n");
		return -EINVAL;
	}
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("listening\n");
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		len = recv(nl->fd, buf, sizeof(buf), 0);
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0)
			return -errno;
		for (m = (struct nlmsghdr *)buf; NLMSG_OK(m, len);
		     m = NLMSG_NEXT(m, len))
			if (m->nlmsg_type == nl->family)
				print_reply(m, NULL);
	}
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

/* ATTR:TYPE:VALUE, e.g. 3:u32:100 */
static int put_raw(struct nlmsghdr *n, const char *spec)
{
	char type[8];
	unsigned int attr;
	unsigned long long val;
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;

	if (sscanf(spec, "%u:%7[^:]:%llu", &attr, type, &val) != 3)
		return -EINVAL;
	if (!strcmp(type, "u8")) {
		u8 = val;
		put_attr(n, attr, &u8, 1);
	} else if (!strcmp(type, "u32")) {
		u32 = val;
		put_attr(n, attr, &u32, 4);
	} else if (!strcmp(type, "u64")) {
		u64 = val;
		put_attr(n, attr, &u64, 8);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int print_usage(void)
{
	fprintf(stderr,
		"usage: iosup-pool [show] | limit LEVEL PAGES [LEASE] | ratio PERCENT [LEVEL] |\n"
		"       enable | disable | drain LEVEL | lease SECONDS | events SECONDS |\n"
		"       raw CMD ATTR:TYPE:VALUE... | rawdump CMD ATTR:TYPE:VALUE...\n"
		"       (each may follow --uid UID)\n");
	return 2;
}

int main(int argc, char **argv)
{
	static char buf[BUF_SIZE];
	struct nl nl = { 0 };
	struct nlmsghdr *n;
	uint64_t a = 0, b = 0, c = 0;
	const char *verb;
	uint8_t u8;
	uint32_t u32;
	int ret, i, dump;

	if (argc > 2 && !strcmp(argv[1], "--uid")) {
		if (parse_u64(argv[2], &a) || setresgid(a, a, a) || setresuid(a, a, a)) {
			fprintf(stderr, "iosup-pool: cannot become uid %s\n", argv[2]);
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	verb = argc > 1 ? argv[1] : "show";

	ret = nl_open(&nl);
	if (ret) {
		fprintf(stderr, "iosup-pool: no iosup family: %s\n", strerror(-ret));
		return 1;
	}

	if (!strcmp(verb, "show")) {
		n = start(buf, nl.family, NLM_F_DUMP, IOSUP_CMD_GET, ++nl.seq);
		return transact(&nl, n, print_reply, NULL) ? 1 : 0;
	}
	if (!strcmp(verb, "events") && argc == 3 && !parse_u64(argv[2], &a))
		return listen_events(&nl, a) ? 1 : 0;
	if (!strcmp(verb, "limit") && (argc == 4 || argc == 5) &&
	    !parse_u64(argv[2], &a) && !parse_u64(argv[3], &b) &&
	    (argc == 4 || !parse_u64(argv[4], &c))) {
		n = start(buf, nl.family, NLM_F_ACK, IOSUP_CMD_SET, ++nl.seq);
		u8 = a;
		u32 = b;
		put_attr(n, IOSUP_A_LEVEL, &u8, 1);
		put_attr(n, IOSUP_A_LIMIT, &u32, 4);
		if (argc == 5) {
			u32 = c;
			put_attr(n, IOSUP_A_LEASE, &u32, 4);
		}
	} else if (!strcmp(verb, "lease") && argc == 3 && !parse_u64(argv[2], &a)) {
		n = start(buf, nl.family, NLM_F_ACK, IOSUP_CMD_SET, ++nl.seq);
		u32 = a;
		put_attr(n, IOSUP_A_LEASE, &u32, 4);
	} else if (!strcmp(verb, "ratio") && (argc == 3 || argc == 4) &&
		   !parse_u64(argv[2], &a) && (argc == 3 || !parse_u64(argv[3], &b))) {
		n = start(buf, nl.family, NLM_F_ACK, IOSUP_CMD_SET, ++nl.seq);
		u32 = a;
		put_attr(n, IOSUP_A_FREE_RATIO, &u32, 4);
		if (argc == 4) {
			u8 = b;
			put_attr(n, IOSUP_A_LEVEL, &u8, 1);
		}
	} else if ((!strcmp(verb, "enable") || !strcmp(verb, "disable")) && argc == 2) {
		n = start(buf, nl.family, NLM_F_ACK, IOSUP_CMD_SET, ++nl.seq);
		u8 = !strcmp(verb, "enable");
		put_attr(n, IOSUP_A_ENABLED, &u8, 1);
	} else if (!strcmp(verb, "drain") && argc == 3 && !parse_u64(argv[2], &a)) {
		n = start(buf, nl.family, NLM_F_ACK, IOSUP_CMD_DRAIN, ++nl.seq);
		u8 = a;
		put_attr(n, IOSUP_A_LEVEL, &u8, 1);
	} else if ((!strcmp(verb, "raw") || !strcmp(verb, "rawdump")) && argc >= 3 &&
		   !parse_u64(argv[2], &a)) {
		dump = !strcmp(verb, "rawdump");
		n = start(buf, nl.family, dump ? NLM_F_DUMP : NLM_F_ACK, a, ++nl.seq);
		for (i = 3; i < argc; i++)
			if (put_raw(n, argv[i]))
				return print_usage();
		if (dump)
			return transact(&nl, n, print_reply, NULL) ? 1 : 0;
	} else {
		return print_usage();
	}
	return transact(&nl, n, NULL, NULL) ? 1 : 0;
}
