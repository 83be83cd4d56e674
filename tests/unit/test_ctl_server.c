// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's server, over a real Unix socket in a temporary
 * directory, with real clients and a callback table standing in for the
 * daemon's manager.
 *
 *   test-ctl-server          requests, replies, errors, limits
 *   test-ctl-server creds    who may connect (needs root to be other users;
 *                            exits 77, "skipped", without it)
 */
#define _GNU_SOURCE /* setresuid, setgroups */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "assert.h"
#include "ctl-server.h"

/* Users and groups no test machine gives anyone. */
#define OTHER_UID 64123
#define OTHER_GID 64123
#define CTL_GID 64124

static char dir[] = "/tmp/test-ctl-server.XXXXXX";
static char path[64];

/* The stand-in manager. */
static struct ctl_proto_domain domains[2];
static struct ctl_proto_snapshot snap = { .domains = domains, .n_domains = 2 };
static int reloads, refusals;
static bool reload_fails;

static const struct ctl_proto_snapshot *get_snapshot(void *userdata)
{
	ASSERT_TRUE(userdata == &snap);
	return &snap;
}

static int do_reload(void *userdata, char *err, size_t err_len)
{
	(void)userdata;
	reloads++;
	if (reload_fails) {
		snprintf(err, err_len, "/etc/iosup/iosupd.conf:3: mode: 'fast' is not enforce, observe or off");
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

static void on_refused(void *userdata, pid_t pid, uid_t uid, gid_t gid)
{
	(void)userdata, (void)pid, (void)gid;
	ASSERT_EQ(uid, OTHER_UID);
	refusals++;
}

static const struct ctl_server_ops ops = {
	.snapshot = get_snapshot,
	.reload = do_reload,
	.pause = do_pause,
	.resume = do_resume,
	.refused = on_refused,
};

static void fill(void)
{
	struct ctl_proto_record rec = { .time_ms = 1, .level = 1, .old_limit = 0,
		.new_limit = 64, .reason = CTL_GROW, .applied = true, .misses = 40 };

	snap.status = (struct ctl_proto_status){ .state = CTL_PROTO_RUNNING, .period_ms = 2000,
		.memory_cap = 64 << 20, .domains = 2 };
	domains[0].domid = 0;
	ctl_proto_set_name(domains[0].name, "Domain-0");
	domains[0].have_pool = true;
	domains[0].level[0].limit = 64;
	domains[1].domid = 5;
	ctl_proto_ring_push(&domains[1].decisions, &rec);
}

static int client_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ASSERT_TRUE(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Runs the server until @fd has something to read (or was closed). */
static void serve_until_readable(struct ctl_server *s, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int i;

	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(ctl_server_dispatch(s), 0);
		if (poll(&p, 1, 0) == 1)
			return;
		p.fd = ctl_server_fd(s);
		poll(&p, 1, 10);
		p.fd = fd;
	}
	ASSERT_TRUE(!"no reply");
}

/* Sends @json raw, serves, and decodes the reply to @command. */
static void exchange_raw(struct ctl_server *s, int fd, const char *json, size_t len,
			 enum ctl_proto_command command, struct ctl_proto_reply *reply)
{
	static char buf[CTL_PROTO_MSG_MAX + 1];
	char err[256];
	ssize_t n;

	ASSERT_EQ(send(fd, json, len, MSG_NOSIGNAL), (ssize_t)len);
	serve_until_readable(s, fd);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	ASSERT_TRUE(n > 0);
	if (ctl_proto_reply_decode(command, buf, (size_t)n, reply, err, sizeof(err))) {
		fprintf(stderr, "reply '%.*s': %s\n", (int)n, buf, err);
		ASSERT_TRUE(0);
	}
}

static void exchange(struct ctl_server *s, int fd, enum ctl_proto_command command,
		     uint32_t domid, struct ctl_proto_reply *reply)
{
	struct ctl_proto_request req = { .command = command, .domid = domid };
	char *msg;
	size_t len;

	ASSERT_EQ(ctl_proto_request_encode(&req, &msg, &len), 0);
	exchange_raw(s, fd, msg, len, command, reply);
	free(msg);
}

static void expect_error(const struct ctl_proto_reply *r, const char *code, const char *message)
{
	ASSERT_TRUE(!r->ok);
	ASSERT_STREQ(r->code, code);
	if (!strstr(r->message, message)) {
		fprintf(stderr, "expected '%s' in '%s'\n", message, r->message);
		ASSERT_TRUE(0);
	}
	printf("  %s: %s\n", r->code, r->message);
}

static struct ctl_server *start(gid_t group)
{
	struct ctl_server *s;

	ASSERT_EQ(ctl_server_new(path, group, &ops, &snap, &s), 0);
	return s;
}

static void test_socket_file(void)
{
	struct ctl_server *s, *again;
	struct stat st;
	int fd;

	s = start((gid_t)-1);
	ASSERT_EQ(lstat(path, &st), 0);
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_EQ(st.st_mode & 07777, 0600);
	ASSERT_EQ(st.st_uid, getuid());

	/*
	 * A socket file already there is replaced: after a crash the old
	 * daemon's is stale, and a restart must not fail on it.
	 */
	ASSERT_EQ(ctl_server_new(path, (gid_t)-1, &ops, &snap, &again), 0);
	ctl_server_free(again);
	ctl_server_free(s);
	ASSERT_TRUE(lstat(path, &st) && errno == ENOENT);

	/* Something that is not a socket is never removed. */
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_TRUE(fd >= 0);
	close(fd);
	ASSERT_EQ(ctl_server_new(path, (gid_t)-1, &ops, &snap, &again), -EEXIST);
	ASSERT_EQ(unlink(path), 0);

	ASSERT_EQ(ctl_server_new("/tmp/a-path-too-long-for-sun-path-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", (gid_t)-1, &ops, &snap, &again),
		  -ENAMETOOLONG);
}

static void test_commands(void)
{
	struct ctl_server *s = start((gid_t)-1);
	struct ctl_proto_reply r;
	int fd = client_connect();

	ASSERT_TRUE(fd >= 0);
	/* Several requests on one connection, each answered in turn. */
	exchange(s, fd, CTL_PROTO_STATUS, 0, &r);
	ASSERT_TRUE(r.ok);
	ASSERT_EQ(r.status.state, CTL_PROTO_RUNNING);
	ASSERT_EQ(r.status.period_ms, 2000);
	ASSERT_EQ(r.status.domains, 2);

	exchange(s, fd, CTL_PROTO_DOMAINS, 0, &r);
	ASSERT_TRUE(r.ok);
	ASSERT_EQ(r.n_domains, 2);
	ASSERT_STREQ(r.domains[0].name, "Domain-0");
	ASSERT_EQ(r.domains[0].limit, 64);
	ASSERT_EQ(r.domains[1].domid, 5);
	ctl_proto_reply_free(&r);

	exchange(s, fd, CTL_PROTO_DOMAIN, 0, &r);
	ASSERT_TRUE(r.ok);
	ASSERT_EQ(r.domain.level[0].limit, 64);
	ASSERT_TRUE(r.domain.have_pool);

	exchange(s, fd, CTL_PROTO_EXPLAIN, 5, &r);
	ASSERT_TRUE(r.ok);
	ASSERT_EQ(r.domain.decisions.count, 1);
	ASSERT_EQ(ctl_proto_ring_get(&r.domain.decisions, 0)->new_limit, 64);
	ASSERT_EQ(ctl_proto_ring_get(&r.domain.decisions, 0)->reason, CTL_GROW);

	exchange(s, fd, CTL_PROTO_EXPLAIN, 7, &r);
	expect_error(&r, CTL_ERR_NO_DOMAIN, "domain 7 is not managed by iosupd");

	exchange(s, fd, CTL_PROTO_PAUSE, 0, &r);
	ASSERT_TRUE(r.ok);
	ASSERT_EQ(r.state, CTL_PROTO_PAUSED);
	exchange(s, fd, CTL_PROTO_STATUS, 0, &r);
	ASSERT_EQ(r.status.state, CTL_PROTO_PAUSED);
	exchange(s, fd, CTL_PROTO_RESUME, 0, &r);
	ASSERT_EQ(r.state, CTL_PROTO_RUNNING);

	exchange(s, fd, CTL_PROTO_RELOAD, 0, &r);
	ASSERT_TRUE(r.ok);
	ASSERT_EQ(reloads, 1);
	reload_fails = true;
	exchange(s, fd, CTL_PROTO_RELOAD, 0, &r);
	expect_error(&r, CTL_ERR_FAILED, "iosupd.conf:3: mode:");
	reload_fails = false;
	ASSERT_EQ(reloads, 2);

	close(fd);
	ctl_server_free(s);
}

static void test_bad_requests(void)
{
	struct ctl_server *s = start((gid_t)-1);
	char big[CTL_PROTO_REQUEST_MAX + 100];
	struct ctl_proto_reply r;
	int fd = client_connect();
	const char *v2 = "{\"version\":2,\"command\":\"status\"}";

	exchange_raw(s, fd, "hello", 5, CTL_PROTO_STATUS, &r);
	expect_error(&r, CTL_ERR_BAD_REQUEST, "not JSON");
	exchange_raw(s, fd, v2, strlen(v2), CTL_PROTO_STATUS, &r);
	expect_error(&r, CTL_ERR_VERSION, "version: 2 is not supported");
	memset(big, ' ', sizeof(big));
	exchange_raw(s, fd, big, sizeof(big), CTL_PROTO_STATUS, &r);
	expect_error(&r, CTL_ERR_TOO_LARGE, "request of 1124 bytes is over the 1024 allowed");

	/* The connection is still good after each error. */
	exchange(s, fd, CTL_PROTO_STATUS, 0, &r);
	ASSERT_TRUE(r.ok);
	close(fd);
	ctl_server_free(s);
}

static void test_clients(void)
{
	struct ctl_server *s = start((gid_t)-1);
	int fds[CTL_SERVER_CLIENTS_MAX + 1], i, quiet;
	struct ctl_proto_reply r;
	char c;

	/* A client that goes away is forgotten. */
	quiet = client_connect();
	ASSERT_EQ(ctl_server_dispatch(s), 0);
	ASSERT_EQ(ctl_server_clients(s), 1);
	close(quiet);
	ASSERT_EQ(ctl_server_dispatch(s), 0);
	ASSERT_EQ(ctl_server_clients(s), 0);

	/* One more than the limit: the oldest is disconnected, the rest served. */
	for (i = 0; i <= CTL_SERVER_CLIENTS_MAX; i++) {
		fds[i] = client_connect();
		ASSERT_TRUE(fds[i] >= 0);
		ASSERT_EQ(ctl_server_dispatch(s), 0);
	}
	ASSERT_EQ(ctl_server_clients(s), CTL_SERVER_CLIENTS_MAX);
	ASSERT_EQ(recv(fds[0], &c, 1, MSG_DONTWAIT), 0);
	for (i = 1; i <= CTL_SERVER_CLIENTS_MAX; i++) {
		exchange(s, fds[i], CTL_PROTO_STATUS, 0, &r);
		ASSERT_TRUE(r.ok);
	}
	for (i = 0; i <= CTL_SERVER_CLIENTS_MAX; i++)
		close(fds[i]);
	ctl_server_free(s);
}

/*
 * A client that sends and does not read: once its socket is full the
 * reply waits, the client's next requests wait unread, and every reply
 * arrives, in order, once it reads again.
 */
static void test_backpressure(void)
{
	const char *req = "{\"version\":1,\"command\":\"domain\",\"domid\":0}";
	static char buf[CTL_PROTO_MSG_MAX];
	struct ctl_server *s = start((gid_t)-1);
	struct ctl_proto_reply r;
	int fd = client_connect(), sent = 0, got = 0, rounds;
	char err[256];
	ssize_t n;

	for (rounds = 0; rounds < 100000 && !ctl_server_pending(s); rounds++) {
		if (send(fd, req, strlen(req), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
			sent++;
		ASSERT_EQ(ctl_server_dispatch(s), 0);
	}
	ASSERT_EQ(ctl_server_pending(s), 1);
	printf("  a reply waited after %d requests unread\n", sent);
	while (got < sent) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			ASSERT_EQ(errno, EAGAIN);
			serve_until_readable(s, fd);
			continue;
		}
		ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAIN, buf, (size_t)n, &r, err, sizeof(err)), 0);
		ASSERT_TRUE(r.ok);
		got++;
	}
	ASSERT_EQ(ctl_server_pending(s), 0);
	ASSERT_EQ(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	close(fd);
	ctl_server_free(s);
}

/*
 * A client as uid OTHER_UID with @gid and @groups, in a child: 0 if the
 * reply is @expect (an error code, or "ok"). Runs as the child's exit code.
 */
static int other_client(gid_t gid, const gid_t *groups, size_t n, const char *expect)
{
	static char buf[CTL_PROTO_MSG_MAX];
	const char *req = "{\"version\":1,\"command\":\"status\"}";
	struct ctl_proto_reply r;
	char err[256];
	ssize_t len;
	int fd;

	if (setgroups(n, groups) || setresgid(gid, gid, gid) ||
	    setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
		return 10;
	fd = client_connect();
	if (fd < 0)
		return 11;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
		return 12;
	len = recv(fd, buf, sizeof(buf), 0);
	if (len <= 0) {
		fprintf(stderr, "recv: %zd: %m\n", len);
		return 13;
	}
	if (ctl_proto_reply_decode(CTL_PROTO_STATUS, buf, (size_t)len, &r, err, sizeof(err))) {
		fprintf(stderr, "reply: %s\n", err);
		return 13;
	}
	if (strcmp(r.ok ? "ok" : r.code, expect)) {
		fprintf(stderr, "expected %s, got %s: %s\n", expect, r.ok ? "ok" : r.code, r.message);
		return 14;
	}
	printf("  uid %d gid %d groups %zu: %s%s%s\n", OTHER_UID, (int)gid, n,
	       r.ok ? "ok" : r.code, r.ok ? "" : ": ", r.ok ? "" : r.message);
	return 0;
}

static struct ctl_server *serving;

/* other_client() in a child, its requests served here meanwhile. */
static void as_other(gid_t gid, const gid_t *groups, size_t n, const char *expect)
{
	pid_t pid, w;
	int status;

	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		status = other_client(gid, groups, n, expect);
		fflush(stdout);
		_exit(status);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		ASSERT_TRUE(w >= 0);
		if (w == pid)
			break;
		ASSERT_EQ(ctl_server_dispatch(serving), 0);
		usleep(1000);
	}
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void test_creds(void)
{
	gid_t ctl_group[] = { CTL_GID }, other[] = { OTHER_GID };
	struct stat st;

	/* Root only: the file's mode keeps others out, SO_PEERCRED as well. */
	serving = start((gid_t)-1);
	/* Open the file up, so that it is SO_PEERCRED that says no. */
	ASSERT_EQ(chmod(path, 0666), 0);
	as_other(OTHER_GID, other, 1, CTL_ERR_PERMISSION);
	as_other(CTL_GID, ctl_group, 1, CTL_ERR_PERMISSION);
	ASSERT_EQ(refusals, 2);
	ctl_server_free(serving);

	/*
	 * With a group: anyone may connect (no chown, which would take
	 * CAP_CHOWN), and its members are let in, by primary or
	 * supplementary group; others are refused.
	 */
	serving = start(CTL_GID);
	ASSERT_EQ(lstat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0666);
	as_other(CTL_GID, NULL, 0, "ok");
	as_other(OTHER_GID, ctl_group, 1, "ok");
	as_other(OTHER_GID, other, 1, CTL_ERR_PERMISSION);
	ASSERT_EQ(refusals, 3);

	/* A reload lets another group in, then root alone. */
	ASSERT_EQ(ctl_server_set_group(serving, OTHER_GID), 0);
	as_other(OTHER_GID, other, 1, "ok");
	as_other(CTL_GID, ctl_group, 1, CTL_ERR_PERMISSION);
	ASSERT_EQ(refusals, 4);
	ASSERT_EQ(ctl_server_set_group(serving, (gid_t)-1), 0);
	ASSERT_EQ(lstat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0600);
	/* Opened up again, so that it is the check that says no. */
	ASSERT_EQ(chmod(path, 0666), 0);
	as_other(OTHER_GID, other, 1, CTL_ERR_PERMISSION);
	ASSERT_EQ(refusals, 5);
	ctl_server_free(serving);
}

int main(int argc, char **argv)
{
	bool creds = argc > 1 && !strcmp(argv[1], "creds");

	if (creds && geteuid() != 0) {
		printf("SKIP: being other users needs root\n");
		return 77;
	}
	ASSERT_TRUE(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/control", dir);
	fill();
	if (creds) {
		/* The child must be able to reach the socket in the directory. */
		ASSERT_EQ(chmod(dir, 0755), 0);
		test_creds();
	} else {
		test_socket_file();
		test_commands();
		test_bad_requests();
		test_clients();
		test_backpressure();
	}
	ASSERT_EQ(rmdir(dir), 0);
	printf("ctl-server%s: ok\n", creds ? " creds" : "");
	return 0;
}
