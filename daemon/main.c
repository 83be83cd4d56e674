// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupd: sizes the page-table pools of Xen PV domains from their IOMMU
 * flush counters (iosupd(8)). This file takes the command line and the
 * configuration, makes sure this is Xen's dom0, and runs the manager.
 *
 * Exit status: 0 after a clean stop, 1 when it could not start or run
 * (bad configuration, not on Xen, the control socket), 2 for a bad command
 * line.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ctl-server.h"
#include "log.h"
#include "manager.h"
#include "policy-dir.h"
#include "xen.h"

#define CONFIG_PATH "/etc/iosup/iosupd.conf"
/*
 * "xen" on Xen. Not xenfs's /proc/xen/capabilities, which the unit's
 * condition reads: under the unit's ProtectKernelTunables= or
 * ProtectControlGroups=, systemd 252 leaves the service no xenfs on
 * /proc/xen, while sysfs stays (read-only). Whether this domain may use
 * what iosupd needs, Xen says when it is asked.
 */
#define HYPERVISOR_TYPE "/sys/hypervisor/type"

#ifndef IOSUP_VERSION
#define IOSUP_VERSION "unknown"
#endif

struct args {
	const char *config_path;
	const char *socket_path;
	bool observe;
	bool verbose;
	bool check_config;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: iosupd [OPTION]...\n"
		"Size Xen PV domains' page-table pools from their IOMMU flushes.\n"
		"\n"
		"  -c, --config FILE   the configuration (default " CONFIG_PATH ")\n"
		"      --socket PATH   the control socket (default " CTL_SERVER_PATH ")\n"
		"      --observe       decide and log, change nothing, for every domain\n"
		"      --check-config  read the configuration and the policy files, say\n"
		"                      what is wrong in them, and exit (1 if anything is)\n"
		"  -v, --verbose       log each domain's inputs every period too\n"
		"  -h, --help          show this and exit\n"
		"      --version       show the version and exit\n"
		"\n"
		"See iosupd(8) and iosupd.conf(5).\n");
}

/* Returns 0 to run, 1 to exit 0 (--help, --version), or -EINVAL (said). */
static int parse_args(int argc, char **argv, struct args *a)
{
	enum { OPT_SOCKET = 0x100, OPT_OBSERVE, OPT_VERSION, OPT_CHECK_CONFIG };
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "observe", no_argument, NULL, OPT_OBSERVE },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 }
	};
	int c;

	*a = (struct args){ .config_path = CONFIG_PATH, .socket_path = CTL_SERVER_PATH };
	/* getopt's own messages name the bad option; "+": no reordering. */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+c:vh", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config_path = optarg;
			break;
		case OPT_SOCKET:
			a->socket_path = optarg;
			break;
		case OPT_OBSERVE:
			a->observe = true;
			break;
		case OPT_CHECK_CONFIG:
			a->check_config = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("iosupd %s\n", IOSUP_VERSION);
			return 1;
		default:
			fprintf(stderr, "Try 'iosupd --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "iosupd: unexpected argument '%s'\nTry 'iosupd --help'.\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!*a->config_path || !*a->socket_path) {
		fprintf(stderr, "iosupd: an empty path\n");
		return -EINVAL;
	}
	return 0;
}

static void say_bad_file(void *data, const char *err)
{
	(void)data;
	fprintf(stderr, "iosupd: %s\n", err);
}

/*
 * --check-config: the configuration (@r, @err: config_load()'s verdict)
 * and the policy files beside it, checked as iosupd would read them, and
 * said. Returns the exit code: 0 if all are good.
 */
static int check_config(const char *config_path, int r, const char *err)
{
	struct policy_dir files = { 0 };
	char *dir = policy_dir_beside(config_path);
	int bad;

	if (r)
		fprintf(stderr, "iosupd: %s\n", err);
	else if (access(config_path, F_OK))
		printf("iosupd: %s: not there: the built-in defaults\n", config_path);
	else
		printf("iosupd: %s: good\n", config_path);
	if (!dir) {
		fprintf(stderr, "iosupd: out of memory\n");
		return 1;
	}
	bad = policy_dir_load(dir, &files, say_bad_file, NULL);
	if (bad < 0)
		fprintf(stderr, "iosupd: %s: %s\n", dir, strerror(-bad));
	else
		printf("iosupd: %s: %zu policy file(s) good, %d left out\n", dir, files.n, bad);
	policy_dir_free(&files);
	free(dir);
	return r || bad ? 1 : 0;
}

/*
 * Opens the Xen backend, or says in one line why this is not a place for
 * iosupd. Returns 0 or -errno.
 */
static int open_xen(struct iosup_xen **xen)
{
	char type[16] = "";
	FILE *f;
	int r;

	f = fopen(HYPERVISOR_TYPE, "re");
	if (!f) {
		fprintf(stderr, "iosupd: not running on Xen (%s: %s)\n", HYPERVISOR_TYPE,
			strerror(errno));
		return -ENODEV;
	}
	if (!fgets(type, sizeof(type), f))
		type[0] = '\0';
	fclose(f);
	if (strcmp(type, "xen\n") && strcmp(type, "xen")) {
		fprintf(stderr, "iosupd: not running on Xen (%s does not say xen)\n",
			HYPERVISOR_TYPE);
		return -ENODEV;
	}
	r = iosup_xen_open(xen);
	if (r == -ENODEV)
		fprintf(stderr, "iosupd: not running on Xen (no /dev/xen/privcmd)\n");
	else if (r)
		fprintf(stderr, "iosupd: Xen: %s\n", iosup_xen_strerror(r));
	return r;
}

int main(int argc, char **argv)
{
	struct manager_options options;
	struct iosup_config config;
	struct iosup_xen *xen = NULL;
	struct manager *m = NULL;
	struct args a;
	char err[512];
	int r;

	r = parse_args(argc, argv, &a);
	if (r)
		return r > 0 ? 0 : 2;
	log_setup(a.verbose);

	/* The configuration first: a bad one is reported before anything starts. */
	config_defaults(&config);
	r = config_load(a.config_path, &config, err, sizeof(err));
	if (a.check_config)
		return check_config(a.config_path, r, err);
	if (r) {
		fprintf(stderr, "iosupd: %s\n", err);
		return 1;
	}
	r = open_xen(&xen);
	if (r)
		return 1;

	options = (struct manager_options){
		.config_path = a.config_path,
		.socket_path = a.socket_path,
		.observe = a.observe,
	};
	r = manager_new(&options, &config, xen, &m);
	if (r)
		return 1;
	r = manager_run(m);
	manager_free(m);
	return r ? 1 : 0;
}
