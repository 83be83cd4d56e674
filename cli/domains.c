// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl domains: one line per managed domain. */
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "format.h"

int domains_main(int argc, char **argv, struct cli *cli)
{
	struct ctl_proto_request req = { .command = CTL_PROTO_DOMAINS };
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
		print_domains(stdout, reply.domains, reply.n_domains);
	ctl_proto_reply_free(&reply);
	free(raw);
	return r;
}
