// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket from iosupctl's side. Every failure is said once,
 * here, in words that point at the fix, and turned into an exit code.
 */
#define _GNU_SOURCE /* strdup */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct client {
	int fd;
	const char *path;
	char *buf;	/* CTL_PROTO_MSG_MAX + 1: one more byte shows a reply too long */
};

int client_open(const char *path, struct client **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct client *c;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "iosupctl: socket path too long: %s\n", path);
		return EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->buf = malloc(CTL_PROTO_MSG_MAX + 1))) {
		fprintf(stderr, "iosupctl: out of memory\n");
		free(c);
		return EXIT_REFUSED;
	}
	c->path = path;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		switch (errno) {
		case ENOENT:
		case ECONNREFUSED:
			fprintf(stderr, "iosupctl: iosupd is not running (%s: %s)\n", path, strerror(errno));
			r = EXIT_UNREACHABLE;
			break;
		case EACCES:
		case EPERM:
			fprintf(stderr, "iosupctl: %s: permission denied (iosupctl needs root, or the group iosupd lets in)\n",
				path);
			r = EXIT_PERMISSION;
			break;
		default:
			fprintf(stderr, "iosupctl: cannot reach iosupd at %s: %s\n", path, strerror(errno));
			r = EXIT_UNREACHABLE;
			break;
		}
		client_close(c);
		return r;
	}
	*out = c;
	return EXIT_OK;
}

void client_close(struct client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

int client_call(struct client *c, const struct ctl_proto_request *req,
		struct ctl_proto_reply *reply, char **raw)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char *msg = NULL, err[256];
	size_t len;
	ssize_t n;
	int r = EXIT_UNREACHABLE;

	if (ctl_proto_request_encode(req, &msg, &len)) {
		fprintf(stderr, "iosupctl: out of memory\n");
		return EXIT_REFUSED;
	}
	if (send(c->fd, msg, len, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "iosupctl: iosupd at %s: %s\n", c->path, strerror(errno));
		goto out;
	}
	n = poll(&p, 1, CLIENT_TIMEOUT_MS);
	if (n == 0) {
		fprintf(stderr, "iosupctl: iosupd did not answer within %d s\n", CLIENT_TIMEOUT_MS / 1000);
		goto out;
	}
	n = n < 0 ? -1 : recv(c->fd, c->buf, CTL_PROTO_MSG_MAX + 1, MSG_TRUNC);
	if (n <= 0) {
		fprintf(stderr, "iosupctl: iosupd closed the connection%s%s\n", n ? ": " : "",
			n ? strerror(errno) : "");
		goto out;
	}
	r = EXIT_REFUSED;
	if (n > CTL_PROTO_MSG_MAX) {
		fprintf(stderr, "iosupctl: iosupd's reply of %zd bytes is over the %d allowed\n", n,
			CTL_PROTO_MSG_MAX);
		goto out;
	}
	if (ctl_proto_reply_decode(req->command, c->buf, (size_t)n, reply, err, sizeof(err))) {
		fprintf(stderr, "iosupctl: cannot read iosupd's reply: %s\n", err);
		goto out;
	}
	if (raw && !(*raw = strndup(c->buf, (size_t)n))) {
		ctl_proto_reply_free(reply);
		fprintf(stderr, "iosupctl: out of memory\n");
		goto out;
	}
	if (!reply->ok) {
		fprintf(stderr, "iosupctl: iosupd: %s (%s)\n", reply->message, reply->code);
		r = strcmp(reply->code, CTL_ERR_PERMISSION) ? EXIT_REFUSED : EXIT_PERMISSION;
		goto out;
	}
	r = EXIT_OK;
out:
	free(msg);
	return r;
}

int client_call_once(const struct cli *cli, const struct ctl_proto_request *req,
		     struct ctl_proto_reply *reply, char **raw)
{
	struct client *c;
	int r = client_open(cli->socket, &c);

	if (r)
		return r;
	r = client_call(c, req, reply, raw);
	client_close(c);
	return r;
}

/*
 * The domain @arg names: a domain id, or (not starting with a digit or a
 * sign) the name of a domain iosupd manages, looked up in its list.
 */
static int domain_arg(const struct cli *cli, const char *verb, const char *arg,
		      uint32_t *domid)
{
	struct ctl_proto_request req = { .command = CTL_PROTO_DOMAINS };
	struct ctl_proto_reply reply = { 0 };
	unsigned int id;
	size_t k;
	int r;

	if ((*arg >= '0' && *arg <= '9') || *arg == '-' || *arg == '+' || !*arg) {
		if (parse_domid(verb, arg, &id))
			return EXIT_USAGE;
		*domid = id;
		return 0;
	}
	r = client_call_once(cli, &req, &reply, NULL);
	if (r)
		return r;
	r = EXIT_REFUSED;
	for (k = 0; k < reply.n_domains; k++)
		if (!strcmp(reply.domains[k].name, arg)) {
			*domid = reply.domains[k].domid;
			r = 0;
			break;
		}
	if (r)
		fprintf(stderr, "iosupctl %s: iosupd manages no domain named '%.64s'\n", verb, arg);
	ctl_proto_reply_free(&reply);
	return r;
}

int client_verb(int argc, char **argv, struct cli *cli, enum ctl_proto_command command,
		bool takes_domid, client_print_fn print)
{
	struct ctl_proto_request req = { .command = command };
	struct ctl_proto_reply reply = { 0 };
	char *raw = NULL;
	int first, r;

	r = verb_options(argc, argv, cli, takes_domid ? "DOMID|NAME [--json]" : "[--json]", &first);
	if (r >= 0)
		return r;
	if (takes_domid) {
		if (argc - first != 1)
			return usage_error(argv[0], "needs one domain id");
		r = domain_arg(cli, argv[0], argv[first], &req.domid);
		if (r)
			return r;
	} else if (first < argc) {
		return usage_error(argv[0], "takes no arguments, not '%.40s'", argv[first]);
	}
	r = client_call_once(cli, &req, &reply, &raw);
	if (cli->json && raw)
		printf("%s\n", raw);
	else if (!r)
		print(&reply);
	ctl_proto_reply_free(&reply);
	free(raw);
	return r;
}
