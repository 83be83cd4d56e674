// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real manager (daemon/manager.c) on the stub Xen backend, with the
 * real pool and xenstore backends (absent here: no module, no xenstored):
 * iosupd as it runs, minus the check that this is Xen.
 * Usage: manager-harness SOCKET CONFIG [--observe]
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "manager.h"

int main(int argc, char **argv)
{
	struct manager_options o = { 0 };
	struct iosup_config config;
	struct iosup_xen *xen;
	struct manager *m;
	char err[256];
	int r;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: manager-harness SOCKET CONFIG [--observe]\n");
		return 2;
	}
	o.socket_path = argv[1];
	o.config_path = argv[2];
	o.observe = argc == 4 && !strcmp(argv[3], "--observe");
	log_setup(1);
	config_defaults(&config);
	if (config_load(o.config_path, &config, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (iosup_xen_open(&xen) || manager_new(&o, &config, xen, &m))
		return 1;
	r = manager_run(m);
	manager_free(m);
	return r ? 1 : 0;
}
