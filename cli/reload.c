// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl reload: re-reads iosupd.conf and the xenstore policy. */
#include "action.h"

int reload_main(int argc, char **argv, struct cli *cli)
{
	return action_main(argc, argv, cli, CTL_PROTO_RELOAD);
}
