// SPDX-License-Identifier: GPL-2.0-only
/* What reload, pause and resume have in common. */
#include "action.h"

#include <stdio.h>

#include "client.h"

static void print_state(const struct ctl_proto_reply *reply)
{
	printf("iosupd: %s\n", ctl_proto_state_name(reply->state));
}

int action_main(int argc, char **argv, struct cli *cli, enum ctl_proto_command command)
{
	return client_verb(argc, argv, cli, command, false, print_state);
}
