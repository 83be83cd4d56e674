// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl status: the daemon's state and every domain; the default verb. */
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "format.h"

int status_main(int argc, char **argv, struct cli *cli)
{
	struct ctl_proto_request req = { .command = CTL_PROTO_STATUS };
	struct ctl_proto_reply status = { 0 }, domains = { 0 };
	struct client *c = NULL;
	char *raw = NULL, *raw_domains = NULL;
	int first, r;

	r = verb_options(argc, argv, cli, "[--json]", &first);
	if (r >= 0)
		return r;
	if (first < argc)
		return usage_error(argv[0], "takes no arguments, not '%.40s'", argv[first]);
	r = client_open(cli->socket, &c);
	if (r)
		return r;
	r = client_call(c, &req, &status, &raw);
	if (cli->json && raw)
		/* The status reply alone: the raw protocol, one message. */
		printf("%s\n", raw);
	if (r || cli->json)
		goto out;
	req.command = CTL_PROTO_DOMAINS;
	r = client_call(c, &req, &domains, &raw_domains);
	if (r)
		goto out;
	print_status(stdout, &status.status);
	if (domains.n_domains) {
		printf("\n");
		print_domains(stdout, domains.domains, domains.n_domains);
	}
out:
	ctl_proto_reply_free(&status);
	ctl_proto_reply_free(&domains);
	free(raw);
	free(raw_domains);
	client_close(c);
	return r;
}
