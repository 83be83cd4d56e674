// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupctl: asks iosupd what it sees and does, and sets per-domain policy.
 * A table maps each verb to its <verb>_main(); with no verb, status.
 */
#include "iosupctl.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-server.h"
#include "xen.h"

#ifndef IOSUP_VERSION
#define IOSUP_VERSION "unknown"
#endif

static const struct {
	const char *name;
	verb_main_fn *main;
	const char *summary;
} verbs[] = {
	{ "status", status_main, "the daemon's state and every domain (the default)" },
	{ "domains", domains_main, "one line per managed domain" },
	{ "show", show_main, "one domain in full: DOMID or NAME" },
	{ "top", top_main, "domains, refreshed: [--batch] [-n ITER] [-d DELAY]" },
	{ "explain", explain_main, "a domain's recent decisions and why: DOMID or NAME" },
	{ "policy", policy_main, "get DOM | set DOM KEY=VALUE...: per-domain policy in xenstore" },
	{ "reload", reload_main, "re-read the config file and the policy" },
	{ "pause", pause_main, "stop changing pools (they keep their limits)" },
	{ "resume", resume_main, "start again after pause" },
};

static void help(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: iosupctl [--socket PATH] [--json] [VERB [ARGS...]]\n\n"
		   "Verbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  --socket PATH  iosupd's control socket (default %s)\n"
		   "  --json         print iosupd's replies as JSON, unchanged\n"
		   "  -h, --help     this text; VERB --help for a verb's\n"
		   "  --version      iosupctl's version\n"
		   "\nExit status:\n"
		   "  0  done\n"
		   "  1  iosupd or xenstore refused, or reported an error\n"
		   "  2  usage: a bad verb, option or argument; nothing was done\n"
		   "  3  iosupd not running or not answering, or xenstore unreachable\n"
		   "  4  permission denied\n", CTL_SERVER_PATH);
}

int usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iosupctl%s%s: ", verb ? " " : "", verb ? verb : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'iosupctl %s%s--help'.\n", verb ? verb : "", verb ? " " : "");
	return EXIT_USAGE;
}

int verb_options(int argc, char **argv, struct cli *cli, const char *usage, int *first)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* Options may follow the arguments ("show 3 --json"): getopt permutes. */
	optind = 0; /* 0, not 1: glibc then forgets the "+" of main's parse */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli->json = true;
			break;
		case 'h':
			printf("Usage: iosupctl %s %s\n", argv[0], usage);
			return EXIT_OK;
		default:
			return usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	*first = optind;
	return -1;
}

int parse_domid(const char *verb, const char *arg, unsigned int *domid)
{
	unsigned long v = 0;
	const char *p;

	for (p = arg; *p >= '0' && *p <= '9' && v < IOSUP_DOMID_FIRST_RESERVED; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (!*arg || *p || v >= IOSUP_DOMID_FIRST_RESERVED)
		return usage_error(verb, "'%.40s' is not a domain id (0 to %u)", arg,
				   IOSUP_DOMID_FIRST_RESERVED - 1);
	*domid = (unsigned int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .socket = CTL_SERVER_PATH };
	static char *status_argv[] = { "status", NULL };
	size_t i;
	int c;

	opterr = 0;
	/* '+': stop at the verb; what follows is the verb's. */
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!*optarg)
				return usage_error(NULL, "--socket needs a path");
			cli.socket = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'V':
			printf("iosupctl %s (protocol %d)\n", IOSUP_VERSION, CTL_PROTO_VERSION);
			return EXIT_OK;
		case ':':
			return usage_error(NULL, "'%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc)
		return status_main(1, status_argv, &cli);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[0], verbs[i].name))
			return verbs[i].main(argc, argv, &cli);
	return usage_error(NULL, "unknown verb '%.40s'", argv[0]);
}
