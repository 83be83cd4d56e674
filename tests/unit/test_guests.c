// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile domU's reports through guests.c, on a stand-in for the store
 * that hands out scripted values: garbage of each kind is refused with one
 * warning per kind a minute, naming the domain and the node, also when
 * the domain flips between good and bad reports every period; the domain
 * is left alone meanwhile, its last good stats kept; its claims count as
 * guest_pages_allowed() says only while its report is used.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assert.h"
#include "guests.h"
#include "log.h"

/* ---- the store, scripted: level 1's value, levels 2-4 always good ---- */

static const char *level1;

int iosup_store_read_guest_stats(struct iosup_store *s, unsigned int domid,
				 struct ctl_level_sample out[CTL_LEVELS],
				 unsigned int *have_levels, char *err,
				 size_t err_len, enum iosup_guest_fault *fault)
{
	static const char good[] = "hits=1 misses=2 pool=3 limit=64";
	char msg[160];
	int l, r;

	(void)s;
	*have_levels = 0;
	for (l = 0; l < CTL_LEVELS; l++) {
		const char *v = l ? good : level1;

		r = iosup_guest_stats_parse(v, strlen(v), &out[l], msg, sizeof(msg), fault);
		if (r) {
			snprintf(err, err_len, "/local/domain/%u/data/iosup/level-%d: %s", domid,
				 l + 1, msg);
			*have_levels = 0;
			return r;
		}
		*have_levels |= 1u << l;
	}
	return 0;
}

int iosup_store_write_target(struct iosup_store *s, unsigned int domid, unsigned int level,
			     uint32_t limit)
{
	(void)s, (void)domid, (void)level, (void)limit;
	return 0;
}

int iosup_store_write_ratio(struct iosup_store *s, unsigned int domid, unsigned int level,
			    uint32_t ratio)
{
	(void)s, (void)domid, (void)level, (void)ratio;
	return 0;
}

const char *iosup_store_strerror(int err)
{
	return strerror(-err);
}

/* ---- iosupd's log, caught ---------------------------------------------- */

static FILE *caught;
static int real_stderr = -1;

/* A failed assertion: the log caught so far, and the assertion, shown. */
static void on_abort(int sig)
{
	char buf[4096];
	ssize_t n;

	(void)sig;
	fflush(stderr);
	lseek(fileno(caught), 0, SEEK_SET);
	while ((n = read(fileno(caught), buf, sizeof(buf))) > 0)
		if (write(real_stderr, buf, (size_t)n) != n)
			break;
	signal(SIGABRT, SIG_DFL);
}

static void catch_log(void)
{
	caught = tmpfile();
	ASSERT_TRUE(caught);
	fflush(stderr);
	real_stderr = dup(STDERR_FILENO);
	ASSERT_TRUE(real_stderr >= 0);
	ASSERT_TRUE(dup2(fileno(caught), STDERR_FILENO) >= 0);
	signal(SIGABRT, on_abort);
}

/* Lines of the log so far that hold @what. */
static int said(const char *what)
{
	char line[1200];
	int n = 0;

	fflush(stderr);
	rewind(caught);
	while (fgets(line, sizeof(line), caught))
		if (strstr(line, what))
			n++;
	fseek(caught, 0, SEEK_END);
	return n;
}

/* ---- the domain's periods ----------------------------------------------- */

static struct guest g;
static struct ctl_proto_domain view;

/* One period at @s seconds with level 1 saying @value. */
static void period(unsigned int s, const char *value)
{
	level1 = value;
	ASSERT_EQ(guest_read(NULL, 7, &g, &view, (uint64_t)s * 1000 + 5), 0);
}

int main(void)
{
	static const char good[] = "hits=10 misses=20 pool=30 limit=64";
	static const char *const garbage[] = {
		"garbage",						/* malformed */
		"hits=1 misses=2 pool=3 limit=64 free=5",		/* unknown key */
		"hits=1 misses=2 pool=3 limit=262145",			/* out of bound */
		"hits=1 misses=2 pool=4294967297 limit=64",		/* out of bound */
		"hits=1 misses=2 pool=3 limit=-1",			/* malformed */
	};
	char oversize[200];
	unsigned int t = 0;
	int i;

	log_setup(0);
	catch_log();
	memset(oversize, '0', sizeof(oversize) - 1);
	oversize[sizeof(oversize) - 1] = '\0';

	/* A good report: used, its claim counted (64 a level, the pgd pair twice). */
	period(t++, good);
	ASSERT_TRUE(g.usable);
	ASSERT_EQ(guest_pages_allowed(&g), 64 * 3 + 64 * 2);
	ASSERT_EQ(said("dom7: its iosup agent reports all four levels"), 1);

	/* Each kind of garbage, twice: refused, left alone, last good stats kept. */
	for (i = 0; i < 10; i++) {
		period(t++, garbage[i % 5]);
		ASSERT_TRUE(!g.usable);
		ASSERT_EQ(g.report, GUEST_INVALID);
		ASSERT_EQ(g.level[0].hits, 10);
		ASSERT_EQ(g.level[0].limit, 64);
		ASSERT_EQ(guest_pages_allowed(&g), 0);
		ASSERT_TRUE(!view.have_pool);
	}
	period(t++, oversize);
	ASSERT_TRUE(!g.usable);
	/* Flipping: good, bad, good, bad... for the rest of the minute. */
	while (t < 59) {
		period(t++, good);
		ASSERT_TRUE(g.usable);
		period(t++, garbage[0]);
		ASSERT_TRUE(!g.usable);
	}
	ASSERT_EQ(said("dom7: pool stats refused (malformed): /local/domain/7/data/iosup/level-1: "), 1);
	ASSERT_EQ(said("dom7: pool stats refused (unknown key): /local/domain/7/data/iosup/level-1: "), 1);
	ASSERT_EQ(said("dom7: pool stats refused (out of bound): /local/domain/7/data/iosup/level-1: "), 1);
	ASSERT_EQ(said("dom7: pool stats refused (oversize): /local/domain/7/data/iosup/level-1: "), 1);
	ASSERT_EQ(said("at most one such warning a minute"), 4);
	/* "valid again" once, after the first warning, not at every flip. */
	ASSERT_EQ(said("dom7: its pool stats are valid again"), 1);

	/* A minute after the first: said again, with the count not said. */
	period(61, garbage[0]);
	ASSERT_EQ(said("dom7: pool stats refused (malformed)"), 2);
	ASSERT_EQ(said("(malformed): /local/domain/7/data/iosup/level-1: 'garbage': not key=value; no action, its last good stats kept"), 2);
	/* Three in the first round of garbage, one at each of 24 flips. */
	ASSERT_EQ(said("(malformed): /local/domain/7/data/iosup/level-1: 'garbage': not key=value; no action, its last good stats kept, the domain left alone until they are valid; at most one such warning a minute (27 not said since the last)"), 1);
	period(62, good);
	ASSERT_TRUE(g.usable);
	ASSERT_EQ(said("dom7: its pool stats are valid again"), 2);
	printf("guests: ok\n");
	return 0;
}
