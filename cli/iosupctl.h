/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What iosupctl's verbs share: the global options, the exit codes and the
 * verb signature. Each verb is <verb>_main() in <verb>.c; iosupctl.c maps
 * names to them.
 */
#ifndef IOSUPCTL_H
#define IOSUPCTL_H

#include <stdbool.h>

/* Exit codes, as iosupctl(8) and --help document them. */
enum {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,	/* iosupd (or xenstore) refused or reported an error */
	EXIT_USAGE = 2,		/* bad verb, option or argument: nothing was done */
	EXIT_UNREACHABLE = 3,	/* iosupd not running or not answering; xenstore absent */
	EXIT_PERMISSION = 4,	/* not allowed: not root nor in the control group */
};

struct cli {
	const char *socket;	/* --socket, or the daemon's default */
	bool json;		/* --json: the protocol's JSON, unchanged */
};

/* argv[0] is the verb; options after it are the verb's. */
typedef int verb_main_fn(int argc, char **argv, struct cli *cli);

verb_main_fn status_main, domains_main, show_main, top_main, policy_main, explain_main,
	reload_main, pause_main, resume_main;

/* "iosupctl VERB: " and the message on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int usage_error(const char *verb, const char *fmt, ...);

/*
 * Parses the options every verb takes (--json, --help) and no others;
 * the arguments left start at argv[*first]. Returns -1 to go on, or an
 * exit code (the verb's --help was printed, or an error).
 */
int verb_options(int argc, char **argv, struct cli *cli, const char *usage, int *first);

/* A domain id as given on the command line: decimal, 0 to 32751. */
int parse_domid(const char *verb, const char *arg, unsigned int *domid);

#endif
