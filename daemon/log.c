// SPDX-License-Identifier: GPL-2.0-only
/* iosupd's log (see log.h). */
#define _GNU_SOURCE

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

static int max_priority = LOG_INFO;
static int to_journal;

/* $JOURNAL_STREAM is "DEV:INODE" of the stream systemd gave us. */
static int stderr_is_journal(void)
{
	unsigned long long dev, ino;
	const char *e = getenv("JOURNAL_STREAM");
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st))
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void log_setup(int verbose)
{
	max_priority = verbose ? LOG_DEBUG : LOG_INFO;
	to_journal = stderr_is_journal();
}

int log_enabled(int priority)
{
	return priority <= max_priority;
}

void log_msg(int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!log_enabled(priority))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line, so that lines never interleave. */
	if (to_journal)
		fprintf(stderr, "<%d>%s\n", priority, line);
	else
		fprintf(stderr, "iosupd: %s\n", line);
}

void log_action(const struct log_action_fields *a, const char *line)
{
	const char *knob = a->ratio ? "RATIO" : "LIMIT";

	if (!log_enabled(LOG_NOTICE))
		return;
	/* The stream's line if the socket refuses it: said either way. */
	if (to_journal &&
	    sd_journal_send("MESSAGE=%s", line,
			    "PRIORITY=%d", LOG_NOTICE,
			    "SYSLOG_IDENTIFIER=iosupd",
			    "IOSUP_DOMID=%u", a->domid,
			    "IOSUP_LEVEL=%d", a->level,
			    "IOSUP_KNOB=%s", a->ratio ? "ratio" : "limit",
			    "IOSUP_%s_OLD=%u", knob, a->old_value,
			    "IOSUP_%s_NEW=%u", knob, a->new_value,
			    "IOSUP_BOUND=%s", a->bound,
			    "IOSUP_REASON=%s", a->reason,
			    "IOSUP_APPLIED=%d", a->applied ? 1 : 0,
			    NULL) >= 0)
		return;
	log_msg(LOG_NOTICE, "%s", line);
}
