/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The messages of the "iosup" generic netlink family (include/uapi/linux/
 * iosup.h) as plain structs: the pure part of the pool backend. Each
 * function takes one whole netlink message (nlmsghdr, genlmsghdr,
 * attributes) as bytes, so that the unit tests and the fuzzer drive exactly
 * what the kernel would send; pool.c does the socket work around them.
 *
 * Nothing the kernel sends is trusted: every attribute's length is checked
 * against its type, every value against the range the ABI gives it, a
 * duplicate is refused, and a refusal says in @err which message and which
 * attribute were wrong. Attribute types above IOSUP_A_MAX are skipped: they
 * come from a newer module, and a netlink reader ignores what it does not
 * know. The attributes after IOSUP_A_PAD may be absent (an older module);
 * which ones came is in the @have bitmask.
 */
#ifndef IOSUP_POOL_MSG_H
#define IOSUP_POOL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/iosup.h>

/* The bit of attribute @a in a @have mask. */
#define IOSUP_POOL_HAVE(a) (UINT32_C(1) << (a))

_Static_assert(IOSUP_A_MAX < 32, "one bit per attribute in a uint32_t");

/* One level's state, as a GET reply or an event gives it. */
struct iosup_pool_level {
	uint32_t have;		/* IOSUP_POOL_HAVE(IOSUP_A_x) for each sent */
	uint8_t level;		/* enum iosup_level */
	bool enabled;
	uint32_t limit;
	uint32_t free_ratio;
	uint64_t pool;		/* pages in the pool */
	uint64_t hits;
	uint64_t misses;
	uint64_t taken;
	uint64_t refused;
	uint64_t released;
	/* Optional: only a module that knows them sends them. */
	uint64_t shrunk;
	uint64_t in_use;
	uint32_t table_pages;
	uint64_t violations;
	uint32_t default_limit;
	uint32_t lease;		/* seconds left, 0: none */
	uint64_t alloc_count;
	uint64_t alloc_ns;
	uint64_t free_count;
	uint64_t free_ns;
	bool pool_in_pagetables;	/* the pool's pages are in PageTables */
};

/* A whole GET dump: one entry per level, indexed by level. */
struct iosup_pool_stats {
	uint32_t levels;	/* bit (1 << level) for each level the dump gave */
	bool enabled;
	struct iosup_pool_level level[IOSUP_LEVEL_MAX + 1];	/* [0] unused */
};

/* One IOSUP_CMD_EVENT message. */
struct iosup_pool_event {
	uint32_t kind;		/* enum iosup_event */
	uint8_t level;		/* 0: not about one level */
	struct iosup_pool_level state;	/* the level's state after it, if level */
	bool have_enabled;	/* an event not about a level may carry ENABLED */
	bool enabled;
};

/* "LIMIT" for IOSUP_A_LIMIT, "attribute 42" for one not known here. */
const char *iosup_pool_attr_name(unsigned int type, char *buf, size_t len);
/* "limit" for IOSUP_EVENT_LIMIT, NULL for a kind not known here. */
const char *iosup_pool_event_name(uint32_t kind);

/*
 * Parses one GET reply into @out. Returns 0, or -EBADMSG with @err saying
 * what was wrong (the level, the attribute, its length or value).
 */
int iosup_pool_msg_level(const void *msg, size_t len,
			 struct iosup_pool_level *out, char *err, size_t err_len);

/*
 * Adds one GET reply to a dump being read into @s (zeroed before the first
 * one): -EBADMSG if the message is malformed or repeats a level @s has.
 * @s is unchanged on error.
 */
int iosup_pool_dump_add(struct iosup_pool_stats *s, const void *msg,
			size_t len, char *err, size_t err_len);

/*
 * Checks a dump that ended: the levels must run from 1 without a gap (the
 * module dumps every level it pools), or -EBADMSG; the levels disagreeing
 * on ENABLED means the state changed during the dump: -EAGAIN.
 */
int iosup_pool_dump_check(struct iosup_pool_stats *s, char *err, size_t err_len);

/*
 * Parses one event. -EBADMSG if malformed; -EOPNOTSUPP for a kind this
 * daemon does not know (a newer module), @err naming the kind.
 */
int iosup_pool_msg_event(const void *msg, size_t len,
			 struct iosup_pool_event *out, char *err, size_t err_len);

/*
 * The error a NLMSG_ERROR message carries (0 for an ack, or -errno), with
 * the kernel's extack message, and the attribute it said was missing, in
 * @why ("" if it gave none). -EBADMSG if the message itself is malformed.
 * Sets *@error only on success.
 */
int iosup_pool_msg_error(const void *msg, size_t len, int *error, char *why,
			 size_t why_len);

#endif
