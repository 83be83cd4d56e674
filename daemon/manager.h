/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iosupd's manager: the sd-event loop and everything it drives. Each
 * control period it reads Xen's counters and the pools, decides dom0's
 * limits with ctl_decide() and applies them (or says what it would do);
 * between periods it follows xenstore's policy watches, the pool module's
 * events and the control socket. SIGHUP reloads, SIGTERM and SIGINT stop,
 * handing the pools back to the module's defaults.
 */
#ifndef IOSUP_MANAGER_H
#define IOSUP_MANAGER_H

#include <stdbool.h>

#include "config.h"
#include "xen.h"

struct manager_options {
	const char *config_path;	/* re-read on reload */
	const char *socket_path;	/* the control socket */
	bool observe;			/* --observe: decide and log, apply nothing */
};

struct manager;

/*
 * A manager on the default sd-event loop, with the running @config and
 * @xen (which it takes: closed by manager_free()). Opens the control
 * socket; the pool module and xenstore are opened by the first period,
 * and again by later ones while they are missing. Returns 0 or -errno,
 * said on stderr.
 */
int manager_new(const struct manager_options *options, const struct iosup_config *config,
		struct iosup_xen *xen, struct manager **out);

/* Runs until SIGTERM or SIGINT; hands the pools back. 0 or -errno. */
int manager_run(struct manager *m);

void manager_free(struct manager *m);

#endif
