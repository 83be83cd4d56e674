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
 * starts with "iosupd: " instead. The controller's actions alone go to the
 * journal's own socket (log_action()), for their fields.
 */
#ifndef IOSUP_LOG_H
#define IOSUP_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Decides the line format from $JOURNAL_STREAM; @verbose: LOG_DEBUG too. */
void log_setup(int verbose);

/* Whether messages at @priority are written now. */
int log_enabled(int priority);

void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * One action of the controller, a limit or a free ratio changed (or, in
 * observe mode, one it would change). In the journal it carries fields a
 * query can select on, so that `journalctl -u iosupd IOSUP_DOMID=3` or
 * `IOSUP_BOUND=max_pages` finds the actions without parsing @line:
 *   IOSUP_DOMID, IOSUP_LEVEL (1-4), IOSUP_KNOB (limit or ratio),
 *   IOSUP_LIMIT_OLD/IOSUP_LIMIT_NEW (or IOSUP_RATIO_OLD/_NEW, percent),
 *   IOSUP_BOUND (what cut the change short, "none"), IOSUP_REASON,
 *   IOSUP_APPLIED (0 when observed only).
 */
struct log_action_fields {
	unsigned int domid;
	int level;		/* 1 to 4 */
	bool ratio;		/* the free ratio, not the limit */
	unsigned int old_value;
	unsigned int new_value;
	const char *bound;
	const char *reason;
	bool applied;
};

/* @line at LOG_NOTICE, with @a's fields when stderr is the journal. */
void log_action(const struct log_action_fields *a, const char *line);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)

#endif
