// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control protocol's decoders on arbitrary bytes, as anyone allowed on
 * the socket (or a daemon gone wrong) could send them. The first byte picks
 * the request decoder or the reply decoder of one command. No crash, a
 * refused message leaves the output untouched, and what is accepted
 * encodes again to something that decodes to the same (a reply's fields
 * the decoder passes over, a newer iosupd's, are not encoded again).
 * The seeds include the largest replies iosupd sends, and one at the size
 * limit; scripts/test gives -max_len that limit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void request(const char *buf, size_t len)
{
	struct ctl_proto_request req, again, before;
	char code[CTL_PROTO_CODE_MAX], err[256], *out;
	size_t n;

	memset(&req, 0x5a, sizeof(req));
	/* memcpy, not =: an assignment need not copy the padding memcmp reads. */
	memcpy(&before, &req, sizeof(before));
	if (ctl_proto_request_decode(buf, len, &req, code, err, sizeof(err))) {
		if (memcmp(&req, &before, sizeof(req)) || !code[0] || !err[0])
			abort();
		return;
	}
	if (ctl_proto_request_encode(&req, &out, &n))
		abort();
	if (ctl_proto_request_decode(out, n, &again, code, err, sizeof(err)) ||
	    again.command != req.command ||
	    (ctl_proto_command_has_domid(req.command) && again.domid != req.domid))
		abort();
	free(out);
}

static int encode(enum ctl_proto_command command, const struct ctl_proto_reply *r,
		  char **out, size_t *n)
{
	if (!r->ok)
		return ctl_proto_reply_encode_error(r->code, r->message, out, n);
	switch (command) {
	case CTL_PROTO_STATUS:
		return ctl_proto_reply_encode_status(&r->status, out, n);
	case CTL_PROTO_DOMAIN:
		return ctl_proto_reply_encode_domain(&r->domain, out, n);
	case CTL_PROTO_EXPLAIN:
		return ctl_proto_reply_encode_explain(&r->domain, out, n);
	case CTL_PROTO_DOMAINS:
		/* Summaries do not encode back (they are made from domains). */
		return 1;
	default:
		return ctl_proto_reply_encode_state(r->state, out, n);
	}
}

static void reply(enum ctl_proto_command command, const char *buf, size_t len)
{
	struct ctl_proto_reply r, again, before;
	char err[256], *out, *out2;
	size_t n, n2;

	memset(&r, 0x5a, sizeof(r));
	/* memcpy, not =: an assignment need not copy the padding memcmp reads. */
	memcpy(&before, &r, sizeof(before));
	if (ctl_proto_reply_decode(command, buf, len, &r, err, sizeof(err))) {
		if (memcmp(&r, &before, sizeof(r)) || !err[0])
			abort();
		return;
	}
	if (encode(command, &r, &out, &n) == 0) {
		/* Decoded, encoded again: the same bytes the second time round. */
		if (ctl_proto_reply_decode(command, out, n, &again, err, sizeof(err)) ||
		    encode(command, &again, &out2, &n2) || n2 != n || memcmp(out, out2, n))
			abort();
		ctl_proto_reply_free(&again);
		free(out);
		free(out2);
	}
	ctl_proto_reply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int pick;

	if (!size)
		return 0;
	pick = data[0] % (CTL_PROTO_COMMANDS + 1);
	if (pick == CTL_PROTO_COMMANDS)
		request((const char *)data + 1, size - 1);
	else
		reply((enum ctl_proto_command)pick, (const char *)data + 1, size - 1);
	return 0;
}
