/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keeping the kernel's messages off the console while a long line is
 * written to it. The kernel and a process in dom0 share the rig's console:
 * a kernel message that comes while the line is being written lands in
 * the middle of it (a run saw the clocksource watchdog's warning cut an
 * IOSUP-ACCOUNT line in two, which the host rightly refused to parse).
 *
 * console_hold() lowers the console's log level so that no message but an
 * emergency reaches it, and notes where the kernel's log ends;
 * console_release() restores the level and writes every message that the
 * old level would have shown and that came meanwhile to @out, from
 * /dev/kmsg, one line each after "kmsg: ", so that the rig's console
 * checks still see them. Either may fail (no /dev/kmsg, not root): then
 * the line is written as before, and the host still refuses a cut one.
 */
#ifndef IOSUP_CONSOLE_HOLD_H
#define IOSUP_CONSOLE_HOLD_H

#include <stdbool.h>
#include <stdio.h>

struct console_hold {
	int kmsg;	/* /dev/kmsg, at the end of the log when held; -1 */
	int level;	/* the console log level to restore */
	bool held;
};

void console_hold(struct console_hold *h);
void console_release(struct console_hold *h, FILE *out);

#endif
