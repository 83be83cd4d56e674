// SPDX-License-Identifier: GPL-2.0-only
/* iosupctl resume: iosupd decides and applies again after a pause. */
#include "action.h"

int resume_main(int argc, char **argv, struct cli *cli)
{
	return action_main(argc, argv, cli, CTL_PROTO_RESUME);
}
