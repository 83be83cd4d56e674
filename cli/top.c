// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupctl top: the status and the domains table, again every DELAY
 * seconds. Like xentop: --batch prints one block after another for a
 * script or a log instead of redrawing the terminal; -n stops after ITER
 * blocks. With --json, each block is the domains reply, one line each.
 */
#define _GNU_SOURCE /* nanosleep under -std=c11 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "format.h"

#define USAGE "[--batch] [-n ITER] [-d DELAY] [--json]"
/* Faster than iosupd's shortest period shows nothing new; an hour is a typo's worth. */
#define DELAY_MIN_MS 100
#define DELAY_MAX_MS 3600000
#define DELAY_DEFAULT_MS 2000

/* Seconds with up to three decimals ("2", "0.5"), strictly. */
static int parse_delay(const char *arg, long *ms)
{
	long whole = 0, frac = 0, scale = 100;
	const char *p = arg;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((whole = whole * 10 + (*p - '0')) > DELAY_MAX_MS / 1000)
			return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && scale; p++, scale /= 10)
			frac += (*p - '0') * scale;
		if (p[-1] == '.')
			return -1;
	}
	if (*p)
		return -1;
	*ms = whole * 1000 + frac;
	return *ms >= DELAY_MIN_MS && *ms <= DELAY_MAX_MS ? 0 : -1;
}

static int parse_iterations(const char *arg, long *n)
{
	char *end;

	if (*arg < '1' || *arg > '9')
		return -1;
	*n = strtol(arg, &end, 10);
	return *end || *n > 1000000000 ? -1 : 0;
}

static int once(struct client *c, const struct cli *cli, bool batch)
{
	struct ctl_proto_request req = { .command = CTL_PROTO_STATUS };
	struct ctl_proto_reply status = { 0 }, domains = { 0 };
	char *raw = NULL, when[FMT_MAX];
	struct timespec now;
	int r;

	if (!cli->json) {
		r = client_call(c, &req, &status, NULL);
		if (r)
			return r;
	}
	req.command = CTL_PROTO_DOMAINS;
	r = client_call(c, &req, &domains, cli->json ? &raw : NULL);
	if (cli->json && raw)
		printf("%s\n", raw);
	if (r || cli->json)
		goto out;
	if (!batch && isatty(STDOUT_FILENO))
		printf("\033[H\033[2J");
	clock_gettime(CLOCK_REALTIME, &now);
	printf("%s  iosupd: ", fmt_time_ms(when, (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000));
	print_state(stdout, &status.status);
	printf(", %u domains, pools %s of %s\n", status.status.domains,
	       fmt_bytes((char[FMT_MAX]){ 0 }, status.status.memory_used),
	       fmt_bytes((char[FMT_MAX]){ 0 }, status.status.memory_cap));
	print_domains(stdout, domains.domains, domains.n_domains);
	if (batch)
		printf("\n");
out:
	fflush(stdout);
	ctl_proto_reply_free(&domains);
	free(raw);
	return r;
}

int top_main(int argc, char **argv, struct cli *cli)
{
	static const struct option options[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long delay_ms = DELAY_DEFAULT_MS, iterations = 0, i;
	bool batch = false;
	struct client *c;
	int opt, r;

	optind = 0; /* 0, not 1: glibc then forgets the "+" of main's parse */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":bn:d:h", options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			batch = true;
			break;
		case 'n':
			if (parse_iterations(optarg, &iterations))
				return usage_error(argv[0], "-n: '%.40s' is not a number of iterations from 1", optarg);
			break;
		case 'd':
			if (parse_delay(optarg, &delay_ms))
				return usage_error(argv[0], "-d: '%.40s' is not a delay in seconds from 0.1 to 3600",
						   optarg);
			break;
		case 'j':
			cli->json = true;
			break;
		case 'h':
			printf("Usage: iosupctl top %s\n", USAGE);
			return EXIT_OK;
		case ':':
			return usage_error(argv[0], "'%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(argv[0], "takes no arguments, not '%.40s'", argv[optind]);
	r = client_open(cli->socket, &c);
	if (r)
		return r;
	for (i = 0; !iterations || i < iterations; i++) {
		struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000 };

		if (i)
			nanosleep(&ts, NULL);
		r = once(c, cli, batch);
		if (r)
			break;
	}
	client_close(c);
	return r;
}
