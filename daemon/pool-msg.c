// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "iosup" family's messages as plain structs (see pool-msg.h). The
 * bytes are copied out with memcpy, never read through a cast pointer,
 * because a fuzzer (or a broken sender) hands them at any alignment.
 */
#include "pool-msg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

/*
 * One pgd pair is the largest table (IOSUP_A_TABLE_PAGES); no level's table
 * spans more than this many pages, so more is a corrupt message.
 */
#define TABLE_PAGES_MAX 16

struct attr_spec {
	const char *name;
	uint8_t size;		/* payload bytes; 0: PAD, any length, skipped */
	uint64_t min, max;
};

static const struct attr_spec specs[IOSUP_A_MAX + 1] = {
	[IOSUP_A_LEVEL] = { "LEVEL", 1, IOSUP_LEVEL_PTE, IOSUP_LEVEL_MAX },
	[IOSUP_A_POOL] = { "POOL", 8, 0, UINT64_MAX },
	[IOSUP_A_LIMIT] = { "LIMIT", 4, 0, IOSUP_LIMIT_MAX },
	[IOSUP_A_HITS] = { "HITS", 8, 0, UINT64_MAX },
	[IOSUP_A_MISSES] = { "MISSES", 8, 0, UINT64_MAX },
	[IOSUP_A_TAKEN] = { "TAKEN", 8, 0, UINT64_MAX },
	[IOSUP_A_REFUSED] = { "REFUSED", 8, 0, UINT64_MAX },
	[IOSUP_A_RELEASED] = { "RELEASED", 8, 0, UINT64_MAX },
	[IOSUP_A_FREE_RATIO] = { "FREE_RATIO", 4, 0, IOSUP_FREE_RATIO_MAX },
	[IOSUP_A_ENABLED] = { "ENABLED", 1, 0, 1 },
	[IOSUP_A_EVENT] = { "EVENT", 4, 0, UINT32_MAX },
	[IOSUP_A_PAD] = { "PAD", 0, 0, 0 },
	[IOSUP_A_SHRUNK] = { "SHRUNK", 8, 0, UINT64_MAX },
	[IOSUP_A_IN_USE] = { "IN_USE", 8, 0, UINT64_MAX },
	[IOSUP_A_TABLE_PAGES] = { "TABLE_PAGES", 4, 1, TABLE_PAGES_MAX },
	[IOSUP_A_VIOLATIONS] = { "VIOLATIONS", 8, 0, UINT64_MAX },
	[IOSUP_A_DEFAULT_LIMIT] = { "DEFAULT_LIMIT", 4, 0, IOSUP_LIMIT_MAX },
	[IOSUP_A_LEASE] = { "LEASE", 4, 0, IOSUP_LEASE_MAX },
	[IOSUP_A_ALLOC_COUNT] = { "ALLOC_COUNT", 8, 0, UINT64_MAX },
	[IOSUP_A_ALLOC_NS] = { "ALLOC_NS", 8, 0, UINT64_MAX },
	[IOSUP_A_FREE_COUNT] = { "FREE_COUNT", 8, 0, UINT64_MAX },
	[IOSUP_A_FREE_NS] = { "FREE_NS", 8, 0, UINT64_MAX },
	[IOSUP_A_POOL_IN_PAGETABLES] = { "POOL_IN_PAGETABLES", 1, 0, 1 },
};

/* What every module sends for a level, since the first. */
#define LEVEL_REQUIRED                                                       \
	(IOSUP_POOL_HAVE(IOSUP_A_LEVEL) | IOSUP_POOL_HAVE(IOSUP_A_POOL) |     \
	 IOSUP_POOL_HAVE(IOSUP_A_LIMIT) | IOSUP_POOL_HAVE(IOSUP_A_HITS) |     \
	 IOSUP_POOL_HAVE(IOSUP_A_MISSES) | IOSUP_POOL_HAVE(IOSUP_A_TAKEN) |   \
	 IOSUP_POOL_HAVE(IOSUP_A_REFUSED) |                                   \
	 IOSUP_POOL_HAVE(IOSUP_A_RELEASED) |                                  \
	 IOSUP_POOL_HAVE(IOSUP_A_FREE_RATIO) |                                \
	 IOSUP_POOL_HAVE(IOSUP_A_ENABLED))

static const char *const event_names[] = {
	[IOSUP_EVENT_LIMIT] = "limit",
	[IOSUP_EVENT_DRAINED] = "drained",
	[IOSUP_EVENT_ENABLED] = "enabled",
	[IOSUP_EVENT_RATIO] = "ratio",
	[IOSUP_EVENT_SHRUNK] = "shrunk",
	[IOSUP_EVENT_LEASE_EXPIRED] = "lease-expired",
};

#define EVENT_KINDS (sizeof(event_names) / sizeof(event_names[0]))

const char *iosup_pool_attr_name(unsigned int type, char *buf, size_t len)
{
	if (type && type <= IOSUP_A_MAX)
		return specs[type].name;
	snprintf(buf, len, "attribute %u", type);
	return buf;
}

const char *iosup_pool_event_name(uint32_t kind)
{
	return kind < EVENT_KINDS ? event_names[kind] : NULL;
}

static void fail(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* One message's attributes, each checked: which came, and their values. */
struct attrs {
	uint32_t have;
	uint64_t v[IOSUP_A_MAX + 1];
};

/*
 * Checks the headers of @msg (a @what message, generic netlink command
 * @cmd) and reads its attributes into @a.
 */
static int parse(const void *msg, size_t len, uint8_t cmd, const char *what,
		 struct attrs *a, char *err, size_t err_len)
{
	const unsigned char *p = msg;
	struct nlmsghdr nlh;
	struct genlmsghdr gh;
	size_t off, end;
	char name[24];

	memset(a, 0, sizeof(*a));
	if (len < NLMSG_HDRLEN + GENL_HDRLEN) {
		fail(err, err_len, "%s: %zu bytes, shorter than its headers", what, len);
		return -EBADMSG;
	}
	memcpy(&nlh, p, sizeof(nlh));
	if (nlh.nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || nlh.nlmsg_len > len) {
		fail(err, err_len, "%s: length %" PRIu32 " does not fit the %zu bytes received",
		     what, nlh.nlmsg_len, len);
		return -EBADMSG;
	}
	memcpy(&gh, p + NLMSG_HDRLEN, sizeof(gh));
	if (gh.cmd != cmd) {
		fail(err, err_len, "%s: command %u, expected %u", what, gh.cmd, cmd);
		return -EBADMSG;
	}

	end = nlh.nlmsg_len;
	off = NLMSG_HDRLEN + GENL_HDRLEN;
	while (off < end) {
		struct nlattr nla;
		unsigned int type;
		const struct attr_spec *s;
		uint64_t v = 0;

		if (end - off < NLA_HDRLEN) {
			fail(err, err_len, "%s: %zu stray bytes after the last attribute",
			     what, end - off);
			return -EBADMSG;
		}
		memcpy(&nla, p + off, sizeof(nla));
		if (nla.nla_len < NLA_HDRLEN) {
			fail(err, err_len, "%s: an attribute's length %u is shorter than its header",
			     what, nla.nla_len);
			return -EBADMSG;
		}
		if (nla.nla_len > end - off) {
			fail(err, err_len, "%s: an attribute's length %u runs past the message",
			     what, nla.nla_len);
			return -EBADMSG;
		}
		type = nla.nla_type & NLA_TYPE_MASK;
		s = type <= IOSUP_A_MAX ? &specs[type] : NULL;
		if (type == IOSUP_A_UNSPEC) {
			fail(err, err_len, "%s: attribute type 0", what);
			return -EBADMSG;
		}
		if (nla.nla_type & ~NLA_TYPE_MASK) {
			fail(err, err_len, "%s: %s is flagged nested or big-endian",
			     what, iosup_pool_attr_name(type, name, sizeof(name)));
			return -EBADMSG;
		}
		if (!s || !s->size)
			goto next;	/* a newer module's, or padding */
		if (a->have & IOSUP_POOL_HAVE(type)) {
			fail(err, err_len, "%s: %s twice", what, s->name);
			return -EBADMSG;
		}
		if (nla.nla_len - NLA_HDRLEN != s->size) {
			fail(err, err_len, "%s: %s is %u byte%s long, not %u", what,
			     s->name, nla.nla_len - NLA_HDRLEN,
			     nla.nla_len - NLA_HDRLEN == 1 ? "" : "s", s->size);
			return -EBADMSG;
		}
		if (s->size == 1) {
			uint8_t x;

			memcpy(&x, p + off + NLA_HDRLEN, 1);
			v = x;
		} else if (s->size == 4) {
			uint32_t x;

			memcpy(&x, p + off + NLA_HDRLEN, 4);
			v = x;
		} else {
			memcpy(&v, p + off + NLA_HDRLEN, 8);
		}
		if (v < s->min || v > s->max) {
			fail(err, err_len, "%s: %s is %" PRIu64 ", outside %" PRIu64 "..%" PRIu64,
			     what, s->name, v, s->min, s->max);
			return -EBADMSG;
		}
		a->have |= IOSUP_POOL_HAVE(type);
		a->v[type] = v;
next:
		/* The last attribute's padding may be left out. */
		off += NLA_ALIGN((size_t)nla.nla_len);
	}
	return 0;
}

/* The attributes every module sends for a level: the first missing, or 0. */
static unsigned int missing(uint32_t have, uint32_t required)
{
	unsigned int type;

	for (type = 1; type <= IOSUP_A_MAX; type++)
		if ((required & IOSUP_POOL_HAVE(type)) && !(have & IOSUP_POOL_HAVE(type)))
			return type;
	return 0;
}

static void fill_level(struct iosup_pool_level *l, const struct attrs *a)
{
	const uint64_t *v = a->v;

	*l = (struct iosup_pool_level){
		.have = a->have,
		.level = (uint8_t)v[IOSUP_A_LEVEL],
		.enabled = v[IOSUP_A_ENABLED],
		.limit = (uint32_t)v[IOSUP_A_LIMIT],
		.free_ratio = (uint32_t)v[IOSUP_A_FREE_RATIO],
		.pool = v[IOSUP_A_POOL],
		.hits = v[IOSUP_A_HITS],
		.misses = v[IOSUP_A_MISSES],
		.taken = v[IOSUP_A_TAKEN],
		.refused = v[IOSUP_A_REFUSED],
		.released = v[IOSUP_A_RELEASED],
		.shrunk = v[IOSUP_A_SHRUNK],
		.in_use = v[IOSUP_A_IN_USE],
		.table_pages = (uint32_t)v[IOSUP_A_TABLE_PAGES],
		.violations = v[IOSUP_A_VIOLATIONS],
		.default_limit = (uint32_t)v[IOSUP_A_DEFAULT_LIMIT],
		.lease = (uint32_t)v[IOSUP_A_LEASE],
		.alloc_count = v[IOSUP_A_ALLOC_COUNT],
		.alloc_ns = v[IOSUP_A_ALLOC_NS],
		.free_count = v[IOSUP_A_FREE_COUNT],
		.free_ns = v[IOSUP_A_FREE_NS],
		.pool_in_pagetables = v[IOSUP_A_POOL_IN_PAGETABLES],
	};
}

/* A level's state in a @what message: every attribute of the first module. */
static int check_level(const struct attrs *a, const char *what, char *err,
		       size_t err_len)
{
	unsigned int lack = missing(a->have, LEVEL_REQUIRED);

	if (!(a->have & IOSUP_POOL_HAVE(IOSUP_A_LEVEL))) {
		fail(err, err_len, "%s: no LEVEL", what);
		return -EBADMSG;
	}
	if (lack) {
		fail(err, err_len, "%s for level %" PRIu64 ": no %s", what,
		     a->v[IOSUP_A_LEVEL], specs[lack].name);
		return -EBADMSG;
	}
	return 0;
}

int iosup_pool_msg_level(const void *msg, size_t len,
			 struct iosup_pool_level *out, char *err, size_t err_len)
{
	static const char what[] = "GET reply";
	struct attrs a;
	int r;

	r = parse(msg, len, IOSUP_CMD_GET, what, &a, err, err_len);
	if (r)
		return r;
	r = check_level(&a, what, err, err_len);
	if (r)
		return r;
	if (a.have & IOSUP_POOL_HAVE(IOSUP_A_EVENT)) {
		fail(err, err_len, "%s for level %" PRIu64 ": EVENT, which only events carry",
		     what, a.v[IOSUP_A_LEVEL]);
		return -EBADMSG;
	}
	fill_level(out, &a);
	return 0;
}

int iosup_pool_dump_add(struct iosup_pool_stats *s, const void *msg,
			size_t len, char *err, size_t err_len)
{
	struct iosup_pool_level l;
	int r;

	r = iosup_pool_msg_level(msg, len, &l, err, err_len);
	if (r)
		return r;
	if (s->levels & (UINT32_C(1) << l.level)) {
		fail(err, err_len, "GET dump: level %u twice", l.level);
		return -EBADMSG;
	}
	s->levels |= UINT32_C(1) << l.level;
	s->level[l.level] = l;
	return 0;
}

int iosup_pool_dump_check(struct iosup_pool_stats *s, char *err, size_t err_len)
{
	unsigned int level, n = 0;

	while (n < IOSUP_LEVEL_MAX && (s->levels & (UINT32_C(1) << (n + 1))))
		n++;
	if (!n) {
		fail(err, err_len, "GET dump: no level 1");
		return -EBADMSG;
	}
	if (s->levels != ((UINT32_C(1) << (n + 1)) - 2)) {
		fail(err, err_len, "GET dump: level %u without level %u", n + 2, n + 1);
		return -EBADMSG;
	}
	/*
	 * The module reads ENABLED per level, and a change between two levels
	 * of one dump message escapes the dump's consistency check.
	 */
	for (level = 2; level <= n; level++) {
		if (s->level[level].enabled != s->level[1].enabled) {
			fail(err, err_len, "GET dump: the pools were enabled or disabled during it");
			return -EAGAIN;
		}
	}
	s->enabled = s->level[1].enabled;
	return 0;
}

int iosup_pool_msg_event(const void *msg, size_t len,
			 struct iosup_pool_event *out, char *err, size_t err_len)
{
	struct attrs a;
	uint32_t kind;
	int r;

	r = parse(msg, len, IOSUP_CMD_EVENT, "event", &a, err, err_len);
	if (r)
		return r;
	if (!(a.have & IOSUP_POOL_HAVE(IOSUP_A_EVENT))) {
		fail(err, err_len, "event: no EVENT saying its kind");
		return -EBADMSG;
	}
	kind = (uint32_t)a.v[IOSUP_A_EVENT];
	if (!iosup_pool_event_name(kind)) {
		fail(err, err_len, "event: unknown kind %" PRIu32, kind);
		return -EOPNOTSUPP;
	}
	if (a.have & IOSUP_POOL_HAVE(IOSUP_A_LEVEL)) {
		char what[32];

		snprintf(what, sizeof(what), "%s event", iosup_pool_event_name(kind));
		r = check_level(&a, what, err, err_len);
		if (r)
			return r;
	} else if (kind == IOSUP_EVENT_LIMIT || kind == IOSUP_EVENT_DRAINED) {
		fail(err, err_len, "%s event: no LEVEL", iosup_pool_event_name(kind));
		return -EBADMSG;
	}

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (a.have & IOSUP_POOL_HAVE(IOSUP_A_LEVEL)) {
		out->level = (uint8_t)a.v[IOSUP_A_LEVEL];
		fill_level(&out->state, &a);
	}
	out->have_enabled = a.have & IOSUP_POOL_HAVE(IOSUP_A_ENABLED);
	out->enabled = a.v[IOSUP_A_ENABLED];
	return 0;
}

/* @s's printable bytes up to its NUL (or @len), into @out. */
static void printable(const unsigned char *s, size_t len, char *out, size_t out_len)
{
	size_t i;

	if (!out_len)
		return;
	for (i = 0; i < len && i + 1 < out_len && s[i]; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[i] = '\0';
}

/*
 * The type of the attribute at @offs in the request @orig (@orig_len
 * bytes) that an error echoes, or 0.
 */
static unsigned int attr_at(const unsigned char *orig, size_t orig_len, uint32_t offs)
{
	struct nlattr nla;

	if (offs < NLMSG_HDRLEN + GENL_HDRLEN || offs > orig_len ||
	    orig_len - offs < NLA_HDRLEN)
		return 0;
	memcpy(&nla, orig + offs, sizeof(nla));
	return nla.nla_type & NLA_TYPE_MASK;
}

int iosup_pool_msg_error(const void *msg, size_t len, int *error, char *why,
			 size_t why_len)
{
	const unsigned char *p = msg;
	struct nlmsghdr nlh;
	struct nlmsgerr e;
	size_t off, end, orig_len = 0;
	char text[160] = "", name[24];
	unsigned int bad_type = 0, miss_type = 0;

	if (why_len)
		why[0] = '\0';
	if (len < NLMSG_HDRLEN)
		return -EBADMSG;
	memcpy(&nlh, p, sizeof(nlh));
	if (nlh.nlmsg_type != NLMSG_ERROR || nlh.nlmsg_len > len ||
	    nlh.nlmsg_len < NLMSG_HDRLEN + sizeof(e))
		return -EBADMSG;
	memcpy(&e, p + NLMSG_HDRLEN, sizeof(e));
	if (e.error > 0 || e.error < -4095)
		return -EBADMSG;

	end = nlh.nlmsg_len;
	off = NLMSG_HDRLEN + sizeof(e);
	if (!(nlh.nlmsg_flags & NLM_F_CAPPED)) {
		/* The request comes back whole, after its header. */
		if (e.msg.nlmsg_len < NLMSG_HDRLEN ||
		    e.msg.nlmsg_len - NLMSG_HDRLEN > end - off)
			return -EBADMSG;
		orig_len = e.msg.nlmsg_len;
		off = NLMSG_ALIGN(off + orig_len - NLMSG_HDRLEN);
	}
	if (!(nlh.nlmsg_flags & NLM_F_ACK_TLVS))
		goto out;
	while (off < end) {
		struct nlattr nla;
		uint32_t u32;

		if (end - off < NLA_HDRLEN)
			return -EBADMSG;
		memcpy(&nla, p + off, sizeof(nla));
		if (nla.nla_len < NLA_HDRLEN || nla.nla_len > end - off)
			return -EBADMSG;
		switch (nla.nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			printable(p + off + NLA_HDRLEN, nla.nla_len - NLA_HDRLEN,
				  text, sizeof(text));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (nla.nla_len - NLA_HDRLEN != 4 || !orig_len)
				break;
			memcpy(&u32, p + off + NLA_HDRLEN, 4);
			/* The offset is into the request echoed at the error's msg. */
			bad_type = attr_at(p + NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg),
					   orig_len, u32);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (nla.nla_len - NLA_HDRLEN != 4)
				break;
			memcpy(&u32, p + off + NLA_HDRLEN, 4);
			miss_type = u32;
			break;
		}
		off += NLA_ALIGN((size_t)nla.nla_len);
	}
out:
	if (miss_type)
		snprintf(why, why_len, "%s%smissing %s", text, *text ? ": " : "",
			 iosup_pool_attr_name(miss_type, name, sizeof(name)));
	else if (bad_type)
		snprintf(why, why_len, "%s%sat %s", text, *text ? ": " : "",
			 iosup_pool_attr_name(bad_type, name, sizeof(name)));
	else
		snprintf(why, why_len, "%s", text);
	*error = e.error;
	return 0;
}
