// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl pause: iosupd stops changing pools until resume; they keep their limits. */
#include "action.h"

int pause_main(int argc, char **argv, struct cli *cli)
{
	return action_main(argc, argv, cli, CTL_PROTO_PAUSE);
}
