// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pool family's parsers on arbitrary bytes, taken as one netlink
 * datagram the way the kernel would deliver it: every message in it goes to
 * the dump, the event and the error parsers. No crash, no read past a
 * message, a refused message leaves the dump as it was and says why, and
 * what is accepted is within the ABI's ranges.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "pool-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void said(int r, const char *err)
{
	if (r && !err[0])
		abort();
	if (!memchr(err, '\0', 256))
		abort();
}

static void one(struct iosup_pool_stats *s, const void *msg, size_t len)
{
	struct iosup_pool_stats before;
	struct iosup_pool_event e;
	char err[256] = "", why[256];
	int r, error;

	/* memcpy, not =: an assignment need not copy the padding memcmp reads. */
	memcpy(&before, s, sizeof(before));

	r = iosup_pool_dump_add(s, msg, len, err, sizeof(err));
	said(r, err);
	if (r && (r != -EBADMSG || memcmp(s, &before, sizeof(before))))
		abort();

	err[0] = '\0';
	r = iosup_pool_msg_event(msg, len, &e, err, sizeof(err));
	said(r, err);
	if (r && r != -EBADMSG && r != -EOPNOTSUPP)
		abort();
	if (!r && (!iosup_pool_event_name(e.kind) || e.level > IOSUP_LEVEL_MAX ||
		   (e.level && e.state.limit > IOSUP_LIMIT_MAX)))
		abort();

	r = iosup_pool_msg_error(msg, len, &error, why, sizeof(why));
	if (r && r != -EBADMSG)
		abort();
	if (!r && (error > 0 || !memchr(why, '\0', sizeof(why))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iosup_pool_stats s = { 0 };
	unsigned char *copy;
	const struct nlmsghdr *h;
	char err[256] = "";
	unsigned int level;
	size_t off = 0;
	int r;

	if (size > 65536)
		return 0;
	/* Exactly @size bytes, so that ASan sees any read past them. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	while (size - off >= NLMSG_HDRLEN) {
		h = (const void *)(copy + off);
		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > size - off)
			break;
		one(&s, h, h->nlmsg_len);
		/* The last message's padding may be left out. */
		off += NLMSG_ALIGN((size_t)h->nlmsg_len);
		if (off > size)
			off = size;
	}
	/* A lone message may also be given more bytes than it claims. */
	one(&s, copy, size);

	r = iosup_pool_dump_check(&s, err, sizeof(err));
	said(r, err);
	if (r && r != -EBADMSG && r != -EAGAIN)
		abort();
	for (level = 1; !r && level <= IOSUP_LEVEL_MAX; level++)
		if ((s.levels & (1u << level)) && s.level[level].level != level)
			abort();
	free(copy);
	return 0;
}
