// SPDX-License-Identifier: GPL-2.0-only
/* What reload, pause and resume have in common. */
#include "action.h"

#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "format.h"

int action_main(int argc, char **argv, struct cli *cli, enum ctl_proto_command command)
{
	struct ctl_proto_request req = { .command = command };
	struct ctl_proto_reply reply = { 0 };
	char *raw = NULL;
	int first, r;

	r = verb_options(argc, argv, cli, "[--json]", &first);
	if (r >= 0)
		return r;
	if (first < argc)
		return usage_error(argv[0], "takes no arguments, not '%.40s'", argv[first]);
	r = client_call_once(cli, &req, &reply, &raw);
	if (cli->json && raw)
		printf("%s\n", raw);
	else if (!r)
		printf("iosupd: %s\n", ctl_proto_state_name(reply.state));
	free(raw);
	return r;
}
