// SPDX-License-Identifier: GPL-2.0-only
/*
 * A control-socket server with a fixed snapshot, for testing iosupctl end
 * to end without Xen: the real ctl-server and protocol, a made-up daemon
 * state. Serves at PATH until SIGTERM; "pause" and "resume" change the
 * state, "reload" fails while the file PATH.fail-reload exists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-server.h"

static struct ctl_proto_domain domains[3];
static struct ctl_proto_snapshot snap = { .domains = domains, .n_domains = 3 };
static char fail_path[256];
static volatile sig_atomic_t stop;

static const struct ctl_proto_snapshot *get_snapshot(void *userdata)
{
	(void)userdata;
	return &snap;
}

static int do_reload(void *userdata, char *err, size_t err_len)
{
	(void)userdata;
	if (!access(fail_path, F_OK)) {
		snprintf(err, err_len, "/etc/iosup/iosupd.conf:2: period_ms: '1' is not a number of milliseconds from 500 to 60000");
		return -EINVAL;
	}
	return 0;
}

static int do_pause(void *userdata, char *err, size_t err_len)
{
	(void)userdata, (void)err, (void)err_len;
	snap.status.state = CTL_PROTO_PAUSED;
	return 0;
}

static int do_resume(void *userdata, char *err, size_t err_len)
{
	(void)userdata, (void)err, (void)err_len;
	snap.status.state = CTL_PROTO_RUNNING;
	return 0;
}

static void fill(void)
{
	struct ctl_proto_record rec = {
		.time_ms = 1700000000123ull, .level = 1, .old_limit = 0, .new_limit = 96,
		.reason = CTL_GROW, .bound = CTL_BOUND_NONE, .applied = true,
		.misses = 48, .hits = 0, .flushes = 432, .pool = 0,
	};
	int l;

	snap.status = (struct ctl_proto_status){ .state = CTL_PROTO_RUNNING, .period_ms = 2000,
		.memory_cap = 64ull << 20, .memory_used = 150 * 4096, .domains = 3 };
	domains[0].domid = 0;
	ctl_proto_set_name(domains[0].name, "Domain-0");
	domains[0].mode = IOSUP_MODE_ENFORCE;
	domains[0].have_pool = true;
	for (l = 0; l < CTL_PROTO_LEVELS; l++)
		domains[0].level[l] = (struct ctl_proto_level){ .limit = 96, .pool = 30 + l,
			.hits = 1000 * (l + 1), .misses = 48, .have_in_use = l == 3, .in_use = 12,
			.lease_left = 25 };
	domains[0].have_xen = true;
	domains[0].xen = (struct iosup_xen_counters){ .iotlb_psi = 123456, .iotlb_dsi = 2,
		.pt_unmaps = 61728, .pt_maps = 61728, .wait_ns = 98765432,
		.have_dev_iotlb = true, .dev_iotlb = 0, .have_failed = true, .failed = 0 };
	domains[0].have_flush_rate = true;
	domains[0].flush_rate = 4.5;
	ctl_proto_ring_push(&domains[0].decisions, &rec);
	rec.time_ms += 2000;
	rec.old_limit = 96;
	rec.new_limit = 4096;
	rec.bound = CTL_BOUND_MAX;
	rec.applied = false;
	ctl_proto_ring_push(&domains[0].decisions, &rec);

	domains[1].domid = 3;
	ctl_proto_set_name(domains[1].name, "web-frontend");
	domains[1].mode = IOSUP_MODE_OBSERVE;
	domains[2].domid = 7;
	domains[2].mode = IOSUP_MODE_OFF;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct ctl_server_ops ops = {
		.snapshot = get_snapshot, .reload = do_reload, .pause = do_pause, .resume = do_resume,
	};
	struct sigaction sa = { .sa_handler = on_term };
	struct ctl_server *s;
	struct pollfd p;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: ctl-test-server PATH\n");
		return 2;
	}
	snprintf(fail_path, sizeof(fail_path), "%s.fail-reload", argv[1]);
	fill();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	r = ctl_server_new(argv[1], (gid_t)-1, &ops, NULL, &s);
	if (r) {
		fprintf(stderr, "ctl-test-server: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	p = (struct pollfd){ .fd = ctl_server_fd(s), .events = POLLIN };
	while (!stop) {
		if (poll(&p, 1, 100) > 0 && ctl_server_dispatch(s))
			break;
	}
	ctl_server_free(s);
	return 0;
}
