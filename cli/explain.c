// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl explain DOMID: the domain's recent decisions, with their inputs and bounds. */
#include <inttypes.h>
#include <stdio.h>

#include "client.h"
#include "format.h"

static void print_record(const struct ctl_proto_record *r)
{
	char t[FMT_MAX];

	printf("  %s  L%u  %6u -> %-6u  %-8s", fmt_time_ms(t, r->time_ms), r->level, r->old_limit,
	       r->new_limit, ctl_reason_name(r->reason));
	if (r->bound != CTL_BOUND_NONE)
		printf("  bound: %s", ctl_bound_name(r->bound));
	printf("  misses %" PRIu64 ", hits %" PRIu64 ", flushes %" PRIu64 ", pooled %" PRIu64 "%s\n",
	       r->misses, r->hits, r->flushes, r->pool, r->applied ? "" : "  (observe: not applied)");
}

static void print_reply(const struct ctl_proto_reply *reply)
{
	const struct ctl_proto_record *rec;
	uint32_t i;

	printf("domain %u: %s\n", reply->domain.domid, fmt_name(reply->domain.name));
	if (!reply->domain.decisions.count)
		printf("  no decisions yet\n");
	for (i = 0; (rec = ctl_proto_ring_get(&reply->domain.decisions, i)); i++)
		print_record(rec);
}

int explain_main(int argc, char **argv, struct cli *cli)
{
	return client_verb(argc, argv, cli, CTL_PROTO_EXPLAIN, true, print_reply);
}
