// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl domains: one line per managed domain. */
#include <stdio.h>

#include "client.h"
#include "format.h"

static void print_reply(const struct ctl_proto_reply *reply)
{
	print_domains(stdout, reply->domains, reply->n_domains);
}

int domains_main(int argc, char **argv, struct cli *cli)
{
	return client_verb(argc, argv, cli, CTL_PROTO_DOMAINS, false, print_reply);
}
