/* SPDX-License-Identifier: GPL-2.0-only */
/* reload, pause and resume: one request each, the daemon's state after it printed. */
#ifndef IOSUPCTL_ACTION_H
#define IOSUPCTL_ACTION_H

#include "ctl-proto.h"
#include "iosupctl.h"

int action_main(int argc, char **argv, struct cli *cli, enum ctl_proto_command command);

#endif
