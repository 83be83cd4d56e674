/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iosupd's log: one line per message on stderr.
 *
 * Why stderr and not sd_journal_print(): under systemd, stderr is already a
 * journal stream, and a "<N>" prefix on a line (sd-daemon.h's SD_NOTICE,
 * ...) gives journald the line's priority, so one code path serves the
 * journal, a terminal and the tests, and a message is never lost to a
 * journal socket that is not there. The prefix is written only when stderr
 * is the journal's stream ($JOURNAL_STREAM names it); in a terminal a line
 * starts with "iosupd: " instead.
 */
#ifndef IOSUP_LOG_H
#define IOSUP_LOG_H

#include <syslog.h>

/* Decides the line format from $JOURNAL_STREAM; @verbose: LOG_DEBUG too. */
void log_setup(int verbose);

/* Whether messages at @priority are written now. */
int log_enabled(int priority);

void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)

#endif
