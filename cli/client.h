/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iosupctl's end of the control socket: one request, one reply. The verbs
 * see structs (or the raw JSON for --json) and an exit code, never the
 * socket.
 */
#ifndef IOSUPCTL_CLIENT_H
#define IOSUPCTL_CLIENT_H

#include <stdbool.h>

#include "ctl-proto.h"
#include "iosupctl.h"

/* How long iosupd has to answer: it answers between two control periods. */
#define CLIENT_TIMEOUT_MS 5000

struct client;

/* Connects to @path. Returns 0 or an exit code, having said why on stderr. */
int client_open(const char *path, struct client **out);
void client_close(struct client *c);

/*
 * Sends @req and decodes the reply into @reply (free it with
 * ctl_proto_reply_free()); @raw, if not NULL, gets the reply's JSON
 * (malloc'ed; the caller frees it, whatever is returned) whenever a reply
 * was decoded, error replies included. Returns EXIT_OK, or an exit code
 * having said why: an error reply is EXIT_REFUSED (EXIT_PERMISSION for a
 * permission error).
 */
int client_call(struct client *c, const struct ctl_proto_request *req,
		struct ctl_proto_reply *reply, char **raw);

/* Connect, call, close: for the verbs that make one request. */
int client_call_once(const struct cli *cli, const struct ctl_proto_request *req,
		     struct ctl_proto_reply *reply, char **raw);

/* Prints a successful reply for people. */
typedef void (*client_print_fn)(const struct ctl_proto_reply *reply);

/*
 * A whole verb that makes one request: its options ([--json], and a DOMID
 * or a domain's NAME if @takes_domid; a name is looked up in iosupd's list), the call, then the raw reply with --json or @print's
 * rendering without. Returns the exit code.
 */
int client_verb(int argc, char **argv, struct cli *cli, enum ctl_proto_command command,
		bool takes_domid, client_print_fn print);

#endif
