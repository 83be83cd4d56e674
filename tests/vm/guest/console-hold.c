// SPDX-License-Identifier: GPL-2.0-only
/* See console-hold.h. */
#define _GNU_SOURCE
#include "console-hold.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

/* klogctl(2)'s action that sets the console's log level. */
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
/* Only emergencies (level 0) reach a console at level 1. */
#define LEVEL_EMERG_ONLY 1
/* A message whose write to the console had begun is given this to end. */
#define SETTLE_US 100000

static int console_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/printk", "re");
	int level = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &level) != 1)
		level = -1;
	fclose(f);
	return level;
}

void console_hold(struct console_hold *h)
{
	h->held = false;
	h->level = console_level();
	h->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (h->level < 0 || h->kmsg < 0 || lseek(h->kmsg, 0, SEEK_END) < 0 ||
	    klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, LEVEL_EMERG_ONLY) < 0) {
		if (h->kmsg >= 0)
			close(h->kmsg);
		h->kmsg = -1;
		return;
	}
	h->held = true;
	usleep(SETTLE_US);
}

void console_release(struct console_hold *h, FILE *out)
{
	char rec[8192];
	ssize_t n;

	if (!h->held)
		return;
	klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, h->level);
	/* One record per read: "prio,seq,usec,flags;text\n" and its fields. */
	while ((n = read(h->kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *text, *end;
		long prio;

		if (n < 0)
			continue;	/* records overwritten meanwhile: go on */
		rec[n] = '\0';
		prio = strtol(rec, &end, 10);
		text = strchr(rec, ';');
		if (!text || end == rec || (prio & 7) >= h->level)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		fprintf(out, "kmsg: %s\n", text);
	}
	fflush(out);
	close(h->kmsg);
	h->held = false;
}
