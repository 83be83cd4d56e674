// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pool family's messages, built byte by byte as the kernel would send
 * them (and as it must not): dumps, events and error replies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "assert.h"
#include "pool-msg.h"

/* Any id: the parsers leave the family's id to the socket code. */
#define FAMILY 0x20

struct msg {
	_Alignas(8) unsigned char buf[2048];
	size_t len;
};

static void start(struct msg *m, uint8_t cmd)
{
	struct nlmsghdr nlh = { .nlmsg_type = FAMILY, .nlmsg_flags = NLM_F_MULTI };
	struct genlmsghdr gh = { .cmd = cmd, .version = IOSUP_GENL_VERSION };

	memset(m, 0, sizeof(*m));
	memcpy(m->buf, &nlh, sizeof(nlh));
	memcpy(m->buf + NLMSG_HDRLEN, &gh, sizeof(gh));
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* An attribute with @len bytes of @data, and the raw type word @type. */
static void put(struct msg *m, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memcpy(m->buf + m->len, &nla, sizeof(nla));
	memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(nla.nla_len);
}

static void put_u8(struct msg *m, uint16_t type, uint8_t v)
{
	put(m, type, &v, 1);
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, 4);
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put(m, type, &v, 8);
}

/* Sets the length: the message is ready. */
static const void *end(struct msg *m)
{
	uint32_t len = (uint32_t)m->len;

	memcpy(m->buf, &len, sizeof(len));
	return m->buf;
}

/* What every module sends for @level, with values that tell levels apart. */
static void put_level_but(struct msg *m, uint8_t level, unsigned int skip)
{
	if (skip != IOSUP_A_LEVEL)
		put_u8(m, IOSUP_A_LEVEL, level);
	if (skip != IOSUP_A_POOL)
		put_u64(m, IOSUP_A_POOL, 100 * level);
	if (skip != IOSUP_A_LIMIT)
		put_u32(m, IOSUP_A_LIMIT, 1000 * level);
	if (skip != IOSUP_A_HITS)
		put_u64(m, IOSUP_A_HITS, (uint64_t)1 << 40);
	if (skip != IOSUP_A_MISSES)
		put_u64(m, IOSUP_A_MISSES, 7);
	if (skip != IOSUP_A_TAKEN)
		put_u64(m, IOSUP_A_TAKEN, 8);
	if (skip != IOSUP_A_REFUSED)
		put_u64(m, IOSUP_A_REFUSED, 9);
	if (skip != IOSUP_A_RELEASED)
		put_u64(m, IOSUP_A_RELEASED, 10);
	if (skip != IOSUP_A_FREE_RATIO)
		put_u32(m, IOSUP_A_FREE_RATIO, 50);
	if (skip != IOSUP_A_ENABLED)
		put_u8(m, IOSUP_A_ENABLED, 1);
}

static void put_level(struct msg *m, uint8_t level)
{
	put_level_but(m, level, 0);
}

static void expect(int r, int want, const char *err, const char *message)
{
	ASSERT_EQ(r, want);
	if (!strstr(err, message)) {
		fprintf(stderr, "expected '%s' in '%s'\n", message, err);
		ASSERT_TRUE(0);
	}
	printf("  refused: %s\n", err);
}

static void test_good_dump(void)
{
	struct iosup_pool_stats s = { 0 };
	struct msg m;
	char err[256] = "";
	uint8_t level;

	for (level = 1; level <= 3; level++) {
		start(&m, IOSUP_CMD_GET);
		put_level(&m, level);
		ASSERT_EQ(iosup_pool_dump_add(&s, end(&m), m.len, err, sizeof(err)), 0);
	}
	ASSERT_EQ(iosup_pool_dump_check(&s, err, sizeof(err)), 0);
	ASSERT_EQ(s.levels, 0xe);
	ASSERT_TRUE(s.enabled);
	ASSERT_EQ(s.level[2].level, 2);
	ASSERT_EQ(s.level[2].pool, 200);
	ASSERT_EQ(s.level[3].limit, 3000);
	ASSERT_EQ(s.level[1].hits, (uint64_t)1 << 40);
	ASSERT_EQ(s.level[1].released, 10);
	ASSERT_EQ(s.level[1].free_ratio, 50);
	/* An older module: none of the later attributes, and that is fine. */
	ASSERT_TRUE(!(s.level[1].have & IOSUP_POOL_HAVE(IOSUP_A_SHRUNK)));
	ASSERT_TRUE(!(s.level[1].have & IOSUP_POOL_HAVE(IOSUP_A_LEASE)));
	ASSERT_TRUE(s.level[1].have & IOSUP_POOL_HAVE(IOSUP_A_LIMIT));
}

/* Level 4 with the newer attributes, padding, and one from a newer module. */
static void test_newer_module(void)
{
	struct iosup_pool_stats s = { 0 };
	struct iosup_pool_level l;
	struct msg m;
	char err[256] = "";
	uint8_t level;

	for (level = 1; level <= 4; level++) {
		start(&m, IOSUP_CMD_GET);
		put(&m, IOSUP_A_PAD, "", 0);
		put_level(&m, level);
		put_u64(&m, IOSUP_A_SHRUNK, 3);
		put_u32(&m, IOSUP_A_TABLE_PAGES, level == 4 ? 2 : 1);
		put_u32(&m, IOSUP_A_LEASE, 30);
		put_u32(&m, IOSUP_A_DEFAULT_LIMIT, 64);
		put_u64(&m, IOSUP_A_FREE_NS, 12345);
		put_u8(&m, IOSUP_A_POOL_IN_PAGETABLES, 1);
		if (level == 4)
			put_u64(&m, IOSUP_A_IN_USE, 77);
		put_u32(&m, IOSUP_A_MAX + 1, 0xdead);
		put(&m, IOSUP_A_MAX + 2, "anything", 8);
		ASSERT_EQ(iosup_pool_dump_add(&s, end(&m), m.len, err, sizeof(err)), 0);
	}
	ASSERT_EQ(iosup_pool_dump_check(&s, err, sizeof(err)), 0);
	l = s.level[4];
	ASSERT_EQ(l.table_pages, 2);
	ASSERT_EQ(l.in_use, 77);
	ASSERT_EQ(l.lease, 30);
	ASSERT_EQ(l.default_limit, 64);
	ASSERT_EQ(l.free_ns, 12345);
	ASSERT_EQ(l.shrunk, 3);
	ASSERT_TRUE(l.have & IOSUP_POOL_HAVE(IOSUP_A_IN_USE));
	ASSERT_TRUE(!(s.level[3].have & IOSUP_POOL_HAVE(IOSUP_A_IN_USE)));
	ASSERT_TRUE(!(l.have & IOSUP_POOL_HAVE(IOSUP_A_VIOLATIONS)));
	ASSERT_TRUE(l.have & IOSUP_POOL_HAVE(IOSUP_A_POOL_IN_PAGETABLES));
	ASSERT_EQ(l.pool_in_pagetables, 1);
}

static void bad_level_msg(struct msg *m, int want, const char *message)
{
	struct iosup_pool_level l;
	char err[256] = "";

	expect(iosup_pool_msg_level(end(m), m->len, &l, err, sizeof(err)), want,
	       err, message);
}

static void test_bad_replies(void)
{
	struct msg m;
	unsigned char big[2] = { 1, 0 };

	start(&m, IOSUP_CMD_GET);
	put_level_but(&m, 2, IOSUP_A_LIMIT);
	bad_level_msg(&m, -EBADMSG, "GET reply for level 2: no LIMIT");

	start(&m, IOSUP_CMD_GET);
	put_level_but(&m, 2, IOSUP_A_LEVEL);
	bad_level_msg(&m, -EBADMSG, "GET reply: no LEVEL");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 5);
	bad_level_msg(&m, -EBADMSG, "LEVEL is 5, outside 1..4");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 2);
	put_u8(&m, IOSUP_A_POOL_IN_PAGETABLES, 2);
	bad_level_msg(&m, -EBADMSG, "POOL_IN_PAGETABLES is 2, outside 0..1");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 0);
	bad_level_msg(&m, -EBADMSG, "LEVEL is 0, outside 1..4");

	start(&m, IOSUP_CMD_GET);
	put(&m, IOSUP_A_LIMIT, big, 2);
	put_level_but(&m, 1, IOSUP_A_LIMIT);
	bad_level_msg(&m, -EBADMSG, "LIMIT is 2 bytes long, not 4");

	start(&m, IOSUP_CMD_GET);
	put_u32(&m, IOSUP_A_POOL, 5);
	put_level_but(&m, 1, IOSUP_A_POOL);
	bad_level_msg(&m, -EBADMSG, "POOL is 4 bytes long, not 8");

	start(&m, IOSUP_CMD_GET);
	put_u64(&m, IOSUP_A_LEVEL, 1);
	bad_level_msg(&m, -EBADMSG, "LEVEL is 8 bytes long, not 1");

	/* An optional attribute is checked as strictly as the others. */
	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	put_u32(&m, IOSUP_A_SHRUNK, 1);
	bad_level_msg(&m, -EBADMSG, "SHRUNK is 4 bytes long, not 8");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	put_u32(&m, IOSUP_A_TABLE_PAGES, 0);
	bad_level_msg(&m, -EBADMSG, "TABLE_PAGES is 0, outside 1..16");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	put_u32(&m, IOSUP_A_LEASE, IOSUP_LEASE_MAX + 1);
	bad_level_msg(&m, -EBADMSG, "LEASE is 86401, outside 0..86400");

	start(&m, IOSUP_CMD_GET);
	put_u32(&m, IOSUP_A_LIMIT, IOSUP_LIMIT_MAX + 1);
	put_level_but(&m, 1, IOSUP_A_LIMIT);
	bad_level_msg(&m, -EBADMSG, "LIMIT is 262145, outside 0..262144");

	start(&m, IOSUP_CMD_GET);
	put_u32(&m, IOSUP_A_FREE_RATIO, 1001);
	put_level_but(&m, 1, IOSUP_A_FREE_RATIO);
	bad_level_msg(&m, -EBADMSG, "FREE_RATIO is 1001, outside 0..1000");

	start(&m, IOSUP_CMD_GET);
	put_u8(&m, IOSUP_A_ENABLED, 2);
	put_level_but(&m, 1, IOSUP_A_ENABLED);
	bad_level_msg(&m, -EBADMSG, "ENABLED is 2, outside 0..1");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	put_u64(&m, IOSUP_A_HITS, 1);
	bad_level_msg(&m, -EBADMSG, "HITS twice");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_LIMIT);
	bad_level_msg(&m, -EBADMSG, "EVENT, which only events carry");

	start(&m, IOSUP_CMD_GET);
	put_u32(&m, 0, 1);
	bad_level_msg(&m, -EBADMSG, "attribute type 0");

	start(&m, IOSUP_CMD_GET);
	put_u32(&m, IOSUP_A_LIMIT | NLA_F_NESTED, 1);
	bad_level_msg(&m, -EBADMSG, "LIMIT is flagged nested");

	start(&m, IOSUP_CMD_EVENT);
	put_level(&m, 1);
	bad_level_msg(&m, -EBADMSG, "GET reply: command 4, expected 1");
}

/* Messages cut short or with lengths that lie. */
static void test_bad_framing(void)
{
	struct iosup_pool_level l;
	struct nlattr nla;
	struct msg m;
	char err[256] = "";
	uint32_t len;

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	end(&m);
	expect(iosup_pool_msg_level(m.buf, 10, &l, err, sizeof(err)), -EBADMSG,
	       err, "10 bytes, shorter than its headers");
	expect(iosup_pool_msg_level(m.buf, m.len - 4, &l, err, sizeof(err)), -EBADMSG,
	       err, "does not fit");

	/* The last attribute says it is longer than what is left. */
	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	nla = (struct nlattr){ .nla_len = 64, .nla_type = IOSUP_A_SHRUNK };
	memcpy(m.buf + m.len, &nla, sizeof(nla));
	m.len += 12;
	bad_level_msg(&m, -EBADMSG, "length 64 runs past the message");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	nla = (struct nlattr){ .nla_len = 2, .nla_type = IOSUP_A_SHRUNK };
	memcpy(m.buf + m.len, &nla, sizeof(nla));
	m.len += 4;
	bad_level_msg(&m, -EBADMSG, "length 2 is shorter than its header");

	start(&m, IOSUP_CMD_GET);
	put_level(&m, 1);
	m.len += 2;
	bad_level_msg(&m, -EBADMSG, "2 stray bytes after the last attribute");

	/* Without the last attribute's padding: fine, as netlink has it. */
	start(&m, IOSUP_CMD_GET);
	put_level_but(&m, 1, IOSUP_A_ENABLED);
	put_u8(&m, IOSUP_A_ENABLED, 0);
	end(&m);
	len = (uint32_t)m.len - 3;
	memcpy(m.buf, &len, sizeof(len));
	ASSERT_EQ(iosup_pool_msg_level(m.buf, len, &l, err, sizeof(err)), 0);
	ASSERT_TRUE(!l.enabled);
}

static void add(struct iosup_pool_stats *s, uint8_t level, uint8_t enabled, int want,
		const char *message)
{
	struct iosup_pool_stats before = *s;
	struct msg m;
	char err[256] = "";

	start(&m, IOSUP_CMD_GET);
	put_level_but(&m, level, IOSUP_A_ENABLED);
	put_u8(&m, IOSUP_A_ENABLED, enabled);
	if (!want) {
		ASSERT_EQ(iosup_pool_dump_add(s, end(&m), m.len, err, sizeof(err)), 0);
		return;
	}
	expect(iosup_pool_dump_add(s, end(&m), m.len, err, sizeof(err)), want, err, message);
	ASSERT_TRUE(!memcmp(s, &before, sizeof(before)));
}

static void test_bad_dumps(void)
{
	struct iosup_pool_stats s = { 0 };
	char err[256] = "";

	add(&s, 1, 1, 0, NULL);
	add(&s, 2, 1, 0, NULL);
	add(&s, 2, 1, -EBADMSG, "GET dump: level 2 twice");
	ASSERT_EQ(iosup_pool_dump_check(&s, err, sizeof(err)), 0);

	memset(&s, 0, sizeof(s));
	add(&s, 1, 1, 0, NULL);
	add(&s, 3, 1, 0, NULL);
	expect(iosup_pool_dump_check(&s, err, sizeof(err)), -EBADMSG, err,
	       "GET dump: level 3 without level 2");

	memset(&s, 0, sizeof(s));
	add(&s, 2, 1, 0, NULL);
	expect(iosup_pool_dump_check(&s, err, sizeof(err)), -EBADMSG, err,
	       "GET dump: no level 1");

	memset(&s, 0, sizeof(s));
	expect(iosup_pool_dump_check(&s, err, sizeof(err)), -EBADMSG, err,
	       "GET dump: no level 1");

	memset(&s, 0, sizeof(s));
	add(&s, 1, 1, 0, NULL);
	add(&s, 2, 0, 0, NULL);
	expect(iosup_pool_dump_check(&s, err, sizeof(err)), -EAGAIN, err,
	       "enabled or disabled during it");

	memset(&s, 0, sizeof(s));
	add(&s, 1, 0, 0, NULL);
	add(&s, 2, 0, 0, NULL);
	ASSERT_EQ(iosup_pool_dump_check(&s, err, sizeof(err)), 0);
	ASSERT_TRUE(!s.enabled);
}

static void test_events(void)
{
	struct iosup_pool_event e;
	struct msg m;
	char err[256] = "";

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_LIMIT);
	put_level(&m, 3);
	ASSERT_EQ(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), 0);
	ASSERT_EQ(e.kind, IOSUP_EVENT_LIMIT);
	ASSERT_EQ(e.level, 3);
	ASSERT_EQ(e.state.limit, 3000);
	ASSERT_TRUE(e.have_enabled && e.enabled);

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_ENABLED);
	put_u8(&m, IOSUP_A_ENABLED, 0);
	ASSERT_EQ(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), 0);
	ASSERT_EQ(e.kind, IOSUP_EVENT_ENABLED);
	ASSERT_EQ(e.level, 0);
	ASSERT_TRUE(e.have_enabled && !e.enabled);

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_LEASE_EXPIRED);
	ASSERT_EQ(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), 0);
	ASSERT_TRUE(!e.have_enabled);
	ASSERT_STREQ(iosup_pool_event_name(e.kind), "lease-expired");

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_SHRUNK);
	put_level(&m, 1);
	put_u64(&m, IOSUP_A_SHRUNK, 12);
	ASSERT_EQ(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), 0);
	ASSERT_EQ(e.state.shrunk, 12);

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, 99);
	put_level(&m, 1);
	expect(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), -EOPNOTSUPP,
	       err, "event: unknown kind 99");

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, 0);
	expect(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), -EOPNOTSUPP,
	       err, "unknown kind 0");

	start(&m, IOSUP_CMD_EVENT);
	put_level(&m, 1);
	expect(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), -EBADMSG,
	       err, "event: no EVENT");

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_DRAINED);
	expect(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), -EBADMSG,
	       err, "drained event: no LEVEL");

	start(&m, IOSUP_CMD_EVENT);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_LIMIT);
	put_level_but(&m, 2, IOSUP_A_MISSES);
	expect(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), -EBADMSG,
	       err, "limit event for level 2: no MISSES");

	/* Malformed before unknown: a bad kind's bad attribute is malformed. */
	start(&m, IOSUP_CMD_EVENT);
	put_u8(&m, IOSUP_A_EVENT, 99);
	expect(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), -EBADMSG,
	       err, "EVENT is 1 byte long, not 4");

	start(&m, IOSUP_CMD_GET);
	put_u32(&m, IOSUP_A_EVENT, IOSUP_EVENT_LIMIT);
	expect(iosup_pool_msg_event(end(&m), m.len, &e, err, sizeof(err)), -EBADMSG,
	       err, "event: command 1, expected 4");
}

/*
 * An error reply as the kernel builds it: the header, the error, the
 * request echoed whole (unless capped), then the extack attributes.
 */
static void error_reply(struct msg *m, int error, bool capped, const struct msg *req)
{
	struct nlmsghdr nlh = { .nlmsg_type = NLMSG_ERROR };
	struct nlmsgerr e = { .error = error };

	memset(m, 0, sizeof(*m));
	memcpy(&e.msg, req->buf, sizeof(e.msg));
	memcpy(m->buf, &nlh, sizeof(nlh));
	memcpy(m->buf + NLMSG_HDRLEN, &e, sizeof(e));
	m->len = NLMSG_HDRLEN + sizeof(e);
	if (!capped) {
		memcpy(m->buf + m->len, req->buf + NLMSG_HDRLEN, req->len - NLMSG_HDRLEN);
		m->len = NLMSG_ALIGN(m->len + req->len - NLMSG_HDRLEN);
	}
	nlh.nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | NLM_F_ACK_TLVS;
	memcpy(m->buf, &nlh, sizeof(nlh));
}

static void test_errors(void)
{
	struct msg req, m;
	char why[200];
	int error = 1;
	uint32_t offs;
	const char text[] = "changing the pools needs CAP_NET_ADMIN";

	start(&req, IOSUP_CMD_SET);
	put_u8(&req, IOSUP_A_LEVEL, 2);
	offs = (uint32_t)req.len;
	put_u32(&req, IOSUP_A_LIMIT, 1u << 30);
	end(&req);

	/* An ack: no error, nothing said. */
	error_reply(&m, 0, true, &req);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), 0);
	ASSERT_EQ(error, 0);
	ASSERT_STREQ(why, "");

	error_reply(&m, -EPERM, false, &req);
	put(&m, NLMSGERR_ATTR_MSG, text, sizeof(text));
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), 0);
	ASSERT_EQ(error, -EPERM);
	ASSERT_STREQ(why, text);

	/* The offset points into the echoed request: the attribute is named. */
	error_reply(&m, -ERANGE, false, &req);
	put(&m, NLMSGERR_ATTR_MSG, "integer out of range", 21);
	put_u32(&m, NLMSGERR_ATTR_OFFS, offs);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), 0);
	ASSERT_EQ(error, -ERANGE);
	ASSERT_STREQ(why, "integer out of range: at LIMIT");

	/* Capped, there is no request to look into: the offset is not used. */
	error_reply(&m, -ERANGE, true, &req);
	put(&m, NLMSGERR_ATTR_MSG, "integer out of range", 21);
	put_u32(&m, NLMSGERR_ATTR_OFFS, offs);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), 0);
	ASSERT_STREQ(why, "integer out of range");

	error_reply(&m, -EINVAL, true, &req);
	put_u32(&m, NLMSGERR_ATTR_MISS_TYPE, IOSUP_A_LEVEL);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), 0);
	ASSERT_STREQ(why, "missing LEVEL");

	/* A message that is not NUL-terminated, with a control byte. */
	error_reply(&m, -EINVAL, true, &req);
	put(&m, NLMSGERR_ATTR_MSG, "bad\ttext", 8);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), 0);
	ASSERT_STREQ(why, "bad?text");

	/* Malformed error replies. */
	error = 1;
	error_reply(&m, -EINVAL, true, &req);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len - 1, &error, why, sizeof(why)), -EBADMSG);
	error_reply(&m, 5, true, &req);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), -EBADMSG);
	error_reply(&m, -EINVAL, true, &req);
	put_u32(&m, NLMSGERR_ATTR_MISS_TYPE, IOSUP_A_LEVEL);
	m.len -= 2;
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), -EBADMSG);
	/* The echoed request claims more than the reply holds. */
	error_reply(&m, -EINVAL, false, &req);
	end(&m);
	m.buf[NLMSG_HDRLEN + 4] = 0xff;
	ASSERT_EQ(iosup_pool_msg_error(m.buf, m.len, &error, why, sizeof(why)), -EBADMSG);
	start(&m, IOSUP_CMD_GET);
	ASSERT_EQ(iosup_pool_msg_error(end(&m), m.len, &error, why, sizeof(why)), -EBADMSG);
	ASSERT_EQ(error, 1);
}

static void test_names(void)
{
	char buf[24];

	ASSERT_STREQ(iosup_pool_attr_name(IOSUP_A_DEFAULT_LIMIT, buf, sizeof(buf)),
		     "DEFAULT_LIMIT");
	ASSERT_STREQ(iosup_pool_attr_name(IOSUP_A_MAX + 1, buf, sizeof(buf)),
		     "attribute 24");
	ASSERT_STREQ(iosup_pool_event_name(IOSUP_EVENT_SHRUNK), "shrunk");
	ASSERT_TRUE(iosup_pool_event_name(IOSUP_EVENT_LEASE_EXPIRED + 1) == NULL);
}

int main(void)
{
	test_good_dump();
	test_newer_module();
	test_bad_replies();
	test_bad_framing();
	test_bad_dumps();
	test_events();
	test_errors();
	test_names();
	printf("pool messages: ok\n");
	return 0;
}
