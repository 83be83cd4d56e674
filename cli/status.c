// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl status: the daemon's state and every domain; the default verb. */
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "format.h"

/*
 * --json: the status reply with the domains reply's list added, so that a
 * script sees what a person sees in one object. Both were decoded already,
 * so both parse; a domains error is printed as it came.
 */
static void print_json_status(const char *raw, const char *raw_domains, int domains_r)
{
	char *both;

	if (domains_r) {
		printf("%s\n", raw_domains);
		return;
	}
	if (ctl_proto_status_with_domains(raw, raw_domains, &both)) {
		printf("%s\n", raw);
		return;
	}
	printf("%s\n", both);
	free(both);
}

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
	if (r) {
		/* An error reply, as the protocol gives it. */
		if (cli->json && raw)
			printf("%s\n", raw);
		goto out;
	}
	req.command = CTL_PROTO_DOMAINS;
	r = client_call(c, &req, &domains, &raw_domains);
	if (cli->json && raw_domains)
		print_json_status(raw, raw_domains, r);
	if (r || cli->json)
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
