// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control protocol: every message through encode and decode comes back
 * the same; the largest "domains" reply fits; and each kind of bad request
 * or reply gets its error code and a message naming the field, leaving
 * the output as it was. Replies with fields added by a newer iosupd are
 * test_ctl_proto_compat.c's.
 */
#define _GNU_SOURCE /* strdup */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iosup.h>

#include "assert.h"
#include "json-text.h"
#include "ctl-proto.h"

static void test_requests(void)
{
	char code[CTL_PROTO_CODE_MAX], err[256], *buf;
	struct ctl_proto_request req, got;
	size_t len;
	int c;

	for (c = 0; c < CTL_PROTO_COMMANDS; c++) {
		req = (struct ctl_proto_request){ .command = c,
			.domid = ctl_proto_command_has_domid(c) ? 32751 : 0 };
		ASSERT_EQ(ctl_proto_request_encode(&req, &buf, &len), 0);
		ASSERT_EQ(strlen(buf), len);
		memset(&got, 0xa5, sizeof(got));
		ASSERT_EQ(ctl_proto_request_decode(buf, len, &got, code, err, sizeof(err)), 0);
		ASSERT_EQ(got.command, c);
		if (ctl_proto_command_has_domid(c))
			ASSERT_EQ(got.domid, 32751);
		free(buf);
	}
	ASSERT_EQ(ctl_proto_request_encode(&(struct ctl_proto_request){ .command = CTL_PROTO_STATUS },
					   &buf, &len), 0);
	ASSERT_STREQ(buf, "{\"version\":1,\"command\":\"status\"}");
	free(buf);

	/* White space after the object is fine (socat, echo). */
	buf = q("{ 'command' : 'explain', 'domid' : 0, 'version' : 1 }\n");
	ASSERT_EQ(ctl_proto_request_decode(buf, strlen(buf), &got, code, err, sizeof(err)), 0);
	ASSERT_EQ(got.command, CTL_PROTO_EXPLAIN);
	ASSERT_EQ(got.domid, 0);
	free(buf);
}

struct bad_request {
	const char *json;	/* ' for " */
	const char *code;
	const char *message;
};

static const struct bad_request bad_requests[] = {
	{ "", CTL_ERR_BAD_REQUEST, "not JSON: it ends too soon" },
	{ "{'version':1,", CTL_ERR_BAD_REQUEST, "not JSON" },
	{ "[1]", CTL_ERR_BAD_REQUEST, "not a JSON object" },
	{ "'status'", CTL_ERR_BAD_REQUEST, "not a JSON object" },
	{ "{'version':1,'command':'status'} {}", CTL_ERR_BAD_REQUEST, "not JSON" },
	{ "{'version':1,'command':'status','x':[[[[[[[[[[1]]]]]]]]]]}", CTL_ERR_BAD_REQUEST,
	  "not JSON: nesting too deep" },
	{ "{'command':'status'}", CTL_ERR_BAD_REQUEST, "version: missing" },
	{ "{'version':'1','command':'status'}", CTL_ERR_BAD_REQUEST, "version: expected an integer" },
	{ "{'version':null,'command':'status'}", CTL_ERR_BAD_REQUEST, "version: expected an integer" },
	{ "{'version':2,'command':'status'}", CTL_ERR_VERSION, "version: 2 is not supported, only 1" },
	{ "{'version':1}", CTL_ERR_BAD_REQUEST, "command: missing" },
	{ "{'version':1,'command':5}", CTL_ERR_BAD_REQUEST, "command: expected a string" },
	{ "{'version':1,'command':'stat'}", CTL_ERR_COMMAND,
	  "command: 'stat' is not status, domains, domain, explain, reload, pause or resume" },
	{ "{'version':1,'command':'sta\\u0001tus'}", CTL_ERR_COMMAND,
	  "command: contains a byte that is not printable ASCII" },
	{ "{'version':1,'command':'domain'}", CTL_ERR_BAD_REQUEST, "domid: missing" },
	{ "{'version':1,'command':'domain','domid':-1}", CTL_ERR_BAD_REQUEST,
	  "domid: expected an integer from 0 to 32751" },
	{ "{'version':1,'command':'domain','domid':32752}", CTL_ERR_BAD_REQUEST,
	  "domid: expected an integer from 0 to 32751" },
	{ "{'version':1,'command':'domain','domid':18446744073709551616}", CTL_ERR_BAD_REQUEST,
	  "domid: expected an integer from 0 to 32751" },
	{ "{'version':1,'command':'explain','domid':'3'}", CTL_ERR_BAD_REQUEST, "domid: expected an integer" },
	{ "{'version':1,'command':'explain','domid':1.5}", CTL_ERR_BAD_REQUEST, "domid: expected an integer" },
	{ "{'version':1,'command':'explain','domid':null}", CTL_ERR_BAD_REQUEST, "domid: expected an integer" },
	{ "{'version':1,'command':'status','domid':3}", CTL_ERR_BAD_REQUEST, "domid: unknown field" },
	{ "{'version':1,'command':'pause','force':true}", CTL_ERR_BAD_REQUEST, "force: unknown field" },
	{ "{'version':1,'command':'pause','\\u0007':true}", CTL_ERR_BAD_REQUEST, "?: unknown field" },
};

static void test_bad_requests(void)
{
	char code[CTL_PROTO_CODE_MAX], err[256], *buf;
	struct ctl_proto_request got, before;
	size_t i;

	for (i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
		const struct bad_request *b = &bad_requests[i];

		buf = q(b->json);
		memset(&got, 0xa5, sizeof(got));
		before = got;
		strcpy(code, "");
		strcpy(err, "");
		ASSERT_EQ(ctl_proto_request_decode(buf, strlen(buf), &got, code, err, sizeof(err)), -EINVAL);
		ASSERT_STREQ(code, b->code);
		expect_in(b->json, err, b->message);
		ASSERT_TRUE(!memcmp(&got, &before, sizeof(got)));
		printf("  refused %-50.50s %s: %s\n", b->json, code, err);
		free(buf);
	}
}

static void test_request_sizes(void)
{
	char code[CTL_PROTO_CODE_MAX], err[256];
	char buf[CTL_PROTO_REQUEST_MAX + 2];
	const char *good = "{\"version\":1,\"command\":\"status\"}";
	struct ctl_proto_request got;

	/* Padded to the limit: taken; one byte more: too large, unread. */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, good, strlen(good));
	ASSERT_EQ(ctl_proto_request_decode(buf, CTL_PROTO_REQUEST_MAX, &got, code, err, sizeof(err)), 0);
	ASSERT_EQ(ctl_proto_request_decode(buf, CTL_PROTO_REQUEST_MAX + 1, &got, code, err, sizeof(err)),
		  -EMSGSIZE);
	ASSERT_STREQ(code, CTL_ERR_TOO_LARGE);
	expect_in("oversized", err, "message of 1025 bytes is over the 1024 allowed");

	/* A NUL after the object is not white space. */
	memcpy(buf, good, strlen(good) + 1);
	ASSERT_EQ(ctl_proto_request_decode(buf, strlen(good) + 1, &got, code, err, sizeof(err)), -EINVAL);
	expect_in("NUL", err, "not JSON");
}

static void fill_domain(struct ctl_proto_domain *d, uint32_t domid)
{
	int l;

	memset(d, 0, sizeof(*d));
	d->domid = domid;
	ctl_proto_set_name(d->name, "web-1");
	d->mode = IOSUP_MODE_OBSERVE;
	d->have_pool = true;
	for (l = 0; l < CTL_PROTO_LEVELS; l++)
		d->level[l] = (struct ctl_proto_level){
			.limit = 100u * (l + 1), .pool = 7u + l, .hits = 1000000u + l,
			.misses = UINT64_MAX - l, .have_in_use = l == 3, .in_use = l == 3 ? 42 : 0,
			.lease_left = 30,
		};
	d->have_xen = true;
	d->xen = (struct iosup_xen_counters){
		.domid = (uint16_t)domid, .pt_unmaps = 1, .pt_maps = 2, .iotlb_psi = 3,
		.iotlb_dsi = 4, .iotlb_global = 5, .flushes_skipped = 6,
		.wait_ns = 9000000000000000000ull, .have_dev_iotlb = domid != 0,
		.dev_iotlb = domid != 0 ? 7 : 0, .have_failed = domid != 0, .failed = 0,
	};
	d->have_flush_rate = true;
	d->flush_rate = 12.5;
	d->have_policy = true;
	d->policy.values = (struct policy){
		.set = { true, true, true, true }, .mode = IOSUP_MODE_OBSERVE, .min_pages = 8,
		.max_pages = 262144, .target_flush_rate = 1000000,
	};
	strcpy(d->policy.from[POLICY_MODE], "xenstore /iosup/policy/7");
	strcpy(d->policy.from[POLICY_MIN_PAGES], "/etc/iosup/iosupd.conf");
	strcpy(d->policy.from[POLICY_MAX_PAGES], "/etc/iosup/policy.d/web.conf:12");
	strcpy(d->policy.from[POLICY_TARGET_FLUSH_RATE], "xenstore /iosup/policy/default");
}

/* Field by field: the structs have padding that assignment need not copy. */
static void assert_same_record(const struct ctl_proto_record *a, const struct ctl_proto_record *b)
{
	ASSERT_EQ(a->time_ms, b->time_ms);
	ASSERT_EQ(a->level, b->level);
	ASSERT_EQ(a->old_limit, b->old_limit);
	ASSERT_EQ(a->new_limit, b->new_limit);
	ASSERT_EQ(a->reason, b->reason);
	ASSERT_EQ(a->bound, b->bound);
	ASSERT_EQ(a->applied, b->applied);
	ASSERT_EQ(a->misses, b->misses);
	ASSERT_EQ(a->hits, b->hits);
	ASSERT_EQ(a->flushes, b->flushes);
	ASSERT_EQ(a->pool, b->pool);
}

static void assert_same_domain(const struct ctl_proto_domain *a, const struct ctl_proto_domain *b)
{
	int l;

	ASSERT_EQ(a->domid, b->domid);
	ASSERT_STREQ(a->name, b->name);
	ASSERT_EQ(a->mode, b->mode);
	ASSERT_EQ(a->have_pool, b->have_pool);
	for (l = 0; l < CTL_PROTO_LEVELS; l++) {
		ASSERT_EQ(a->level[l].limit, b->level[l].limit);
		ASSERT_EQ(a->level[l].pool, b->level[l].pool);
		ASSERT_EQ(a->level[l].hits, b->level[l].hits);
		ASSERT_EQ(a->level[l].misses, b->level[l].misses);
		ASSERT_EQ(a->level[l].have_in_use, b->level[l].have_in_use);
		ASSERT_EQ(a->level[l].in_use, b->level[l].in_use);
		ASSERT_EQ(a->level[l].lease_left, b->level[l].lease_left);
	}
	ASSERT_EQ(a->have_xen, b->have_xen);
	ASSERT_EQ(a->xen.pt_unmaps, b->xen.pt_unmaps);
	ASSERT_EQ(a->xen.pt_maps, b->xen.pt_maps);
	ASSERT_EQ(a->xen.iotlb_psi, b->xen.iotlb_psi);
	ASSERT_EQ(a->xen.iotlb_dsi, b->xen.iotlb_dsi);
	ASSERT_EQ(a->xen.iotlb_global, b->xen.iotlb_global);
	ASSERT_EQ(a->xen.flushes_skipped, b->xen.flushes_skipped);
	ASSERT_EQ(a->xen.wait_ns, b->xen.wait_ns);
	ASSERT_EQ(a->xen.have_dev_iotlb, b->xen.have_dev_iotlb);
	ASSERT_EQ(a->xen.dev_iotlb, b->xen.dev_iotlb);
	ASSERT_EQ(a->xen.have_failed, b->xen.have_failed);
	ASSERT_EQ(a->xen.failed, b->xen.failed);
	ASSERT_EQ(a->have_flush_rate, b->have_flush_rate);
	ASSERT_TRUE(a->flush_rate == b->flush_rate);
	ASSERT_EQ(a->have_policy, b->have_policy);
	if (a->have_policy) {
		int k;

		ASSERT_EQ(a->policy.values.mode, b->policy.values.mode);
		ASSERT_EQ(a->policy.values.min_pages, b->policy.values.min_pages);
		ASSERT_EQ(a->policy.values.max_pages, b->policy.values.max_pages);
		ASSERT_EQ(a->policy.values.target_flush_rate, b->policy.values.target_flush_rate);
		for (k = 0; k < POLICY_KEYS; k++)
			ASSERT_STREQ(a->policy.from[k], b->policy.from[k]);
	}
}

static void assert_same_summary(const struct ctl_proto_summary *a, const struct ctl_proto_summary *b)
{
	ASSERT_EQ(a->domid, b->domid);
	ASSERT_STREQ(a->name, b->name);
	ASSERT_EQ(a->mode, b->mode);
	ASSERT_EQ(a->pool, b->pool);
	ASSERT_EQ(a->limit, b->limit);
	ASSERT_EQ(a->misses, b->misses);
	ASSERT_EQ(a->have_xen, b->have_xen);
	ASSERT_EQ(a->psi, b->psi);
	ASSERT_EQ(a->have_flush_rate, b->have_flush_rate);
	ASSERT_TRUE(a->flush_rate == b->flush_rate);
}

static void test_status(void)
{
	struct ctl_proto_status s = {
		.state = CTL_PROTO_OBSERVE_ONLY, .period_ms = 2000,
		.memory_cap = 64ull << 20, .memory_used = 12345 * 4096ull, .domains = 3,
	};
	struct ctl_proto_reply r;
	char err[256], *buf;
	size_t len;

	snprintf(s.reason, sizeof(s.reason), "hypervisor without the counters");
	ASSERT_EQ(ctl_proto_reply_encode_status(&s, &buf, &len), 0);
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_STATUS, buf, len, &r, err, sizeof(err)), 0);
	ASSERT_TRUE(r.ok);
	ASSERT_TRUE(!memcmp(&r.status, &s, sizeof(s)));
	ctl_proto_reply_free(&r);
	free(buf);
}

static void test_domain(void)
{
	struct ctl_proto_domain d;
	struct ctl_proto_reply r;
	char err[256], *buf;
	size_t len;

	fill_domain(&d, 7);
	ASSERT_EQ(ctl_proto_reply_encode_domain(&d, &buf, &len), 0);
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAIN, buf, len, &r, err, sizeof(err)), 0);
	assert_same_domain(&r.domain, &d);
	free(buf);

	/* What is not known goes as null and comes back as not known. */
	d.have_pool = false;
	memset(d.level, 0, sizeof(d.level));
	d.have_xen = false;
	memset(&d.xen, 0, sizeof(d.xen));
	d.xen.domid = 7;
	d.have_flush_rate = false;
	d.flush_rate = 0;
	memset(d.name, 0, sizeof(d.name));
	d.have_policy = false;
	ASSERT_EQ(ctl_proto_reply_encode_domain(&d, &buf, &len), 0);
	expect_in("nulls", buf, "\"name\":null,\"mode\":\"observe\",\"levels\":null,\"xen\":null,\"flush_rate\":null,\"policy\":null");
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAIN, buf, len, &r, err, sizeof(err)), 0);
	assert_same_domain(&r.domain, &d);
	free(buf);

	/* An iosupd from before policy.d sends no "policy" at all. */
	{
		static const char older[] = "{\"version\":1,\"ok\":true,\"domain\":{\"domid\":7,"
			"\"name\":null,\"mode\":\"observe\",\"levels\":null,\"xen\":null,"
			"\"flush_rate\":null}}";

		ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAIN, older, strlen(older), &r, err,
						 sizeof(err)), 0);
		ASSERT_TRUE(!r.domain.have_policy);
	}

	/* A policy's values and sources are checked like the rest. */
	{
		static const char *const bad[][2] = {
			{ "\"policy\":{\"mode\":\"fast\",\"min_pages\":0,\"max_pages\":1,\"target_flush_rate\":0,\"from\":{}}",
			  "domain.policy.mode: 'fast' is not" },
			{ "\"policy\":{\"mode\":\"off\",\"min_pages\":0,\"max_pages\":262145,\"target_flush_rate\":0,\"from\":{}}",
			  "domain.policy.max_pages" },
			{ "\"policy\":{\"mode\":\"off\",\"min_pages\":0,\"max_pages\":1,\"target_flush_rate\":0,\"from\":{\"mode\":\"a\",\"min_pages\":\"b\",\"max_pages\":\"c\"}}",
			  "domain.policy.from.target_flush_rate: missing" },
			{ "\"policy\":{\"mode\":\"off\",\"min_pages\":0,\"max_pages\":1,\"target_flush_rate\":0,\"from\":{\"mode\":\"a\\n\",\"min_pages\":\"b\",\"max_pages\":\"c\",\"target_flush_rate\":\"d\"}}",
			  "domain.policy.from.mode: contains a byte" },
			{ "\"policy\":[]", "domain.policy: expected an object or null" },
		};
		char json[1024];
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(json, sizeof(json), "{\"version\":1,\"ok\":true,\"domain\":{\"domid\":7,"
				 "\"name\":null,\"mode\":\"observe\",\"levels\":null,\"xen\":null,"
				 "\"flush_rate\":null,%s}}", bad[i][0]);
			ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAIN, json, strlen(json), &r, err,
							 sizeof(err)), -EINVAL);
			expect_in(bad[i][1], err, bad[i][1]);
		}
	}
}

static void test_names(void)
{
	char name[CTL_PROTO_NAME_MAX], longer[200];

	ctl_proto_set_name(name, "a\tb\x80z");
	ASSERT_STREQ(name, "a?b?z");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ctl_proto_set_name(name, longer);
	ASSERT_EQ(strlen(name), CTL_PROTO_NAME_MAX - 1);
}

static void test_domains(void)
{
	struct ctl_proto_domain d[3];
	struct ctl_proto_summary s;
	struct ctl_proto_reply r;
	char err[256], *buf;
	size_t len, i;

	fill_domain(&d[0], 0);
	fill_domain(&d[1], 5);
	d[1].name[0] = '\0';
	d[1].have_xen = false;
	d[1].have_flush_rate = false;
	fill_domain(&d[2], 9);
	d[2].have_pool = false;
	ctl_proto_set_name(d[2].name, "quote\" and \\ and /");

	ASSERT_EQ(ctl_proto_reply_encode_domains(d, 3, &buf, &len), 0);
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAINS, buf, len, &r, err, sizeof(err)), 0);
	ASSERT_EQ(r.n_domains, 3);
	for (i = 0; i < 3; i++) {
		ctl_proto_summarize(&d[i], &s);
		assert_same_summary(&r.domains[i], &s);
	}
	/* Levels added up: 100+200+300+400, pooled 7+8+9+10. */
	ASSERT_EQ(r.domains[0].limit, 1000);
	ASSERT_EQ(r.domains[0].pool, 34);
	ASSERT_STREQ(r.domains[2].name, "quote\" and \\ and /");
	ASSERT_TRUE(!r.domains[1].have_xen);
	ASSERT_EQ(r.domains[2].pool, 0);
	ctl_proto_reply_free(&r);
	free(buf);

	/* None is a list too. */
	ASSERT_EQ(ctl_proto_reply_encode_domains(d, 0, &buf, &len), 0);
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAINS, buf, len, &r, err, sizeof(err)), 0);
	ASSERT_EQ(r.n_domains, 0);
	ctl_proto_reply_free(&r);
	free(buf);
}

/* The longest summary there is, CTL_PROTO_DOMAINS_MAX times, fits in one message. */
static void test_domains_worst_case(void)
{
	struct ctl_proto_domain *d = calloc(CTL_PROTO_DOMAINS_MAX + 1, sizeof(*d));
	struct ctl_proto_reply r;
	char err[256], *buf;
	size_t len, i;
	int l;

	ASSERT_TRUE(d);
	for (i = 0; i <= CTL_PROTO_DOMAINS_MAX; i++) {
		d[i].domid = 32751;
		/* '"' is sent escaped: two bytes for one. */
		memset(d[i].name, '"', CTL_PROTO_NAME_MAX - 1);
		d[i].mode = IOSUP_MODE_OBSERVE;
		d[i].have_pool = true;
		for (l = 0; l < CTL_PROTO_LEVELS; l++)
			d[i].level[l] = (struct ctl_proto_level){ .limit = IOSUP_LIMIT_MAX,
				.pool = UINT64_MAX / 8, .misses = UINT64_MAX / 8 };
		d[i].have_xen = true;
		d[i].xen.iotlb_psi = UINT64_MAX;
		d[i].have_flush_rate = true;
		d[i].flush_rate = CTL_PROTO_FLUSH_RATE_MAX;
	}
	ASSERT_EQ(ctl_proto_reply_encode_domains(d, CTL_PROTO_DOMAINS_MAX, &buf, &len), 0);
	printf("  %d domains at their longest: %zu bytes of %d\n", CTL_PROTO_DOMAINS_MAX, len,
	       CTL_PROTO_MSG_MAX);
	ASSERT_TRUE(len <= CTL_PROTO_MSG_MAX);
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAINS, buf, len, &r, err, sizeof(err)), 0);
	ASSERT_EQ(r.n_domains, CTL_PROTO_DOMAINS_MAX);
	ctl_proto_reply_free(&r);
	free(buf);
	ASSERT_EQ(ctl_proto_reply_encode_domains(d, CTL_PROTO_DOMAINS_MAX + 1, &buf, &len), -EMSGSIZE);
	free(d);
}

static void test_explain(void)
{
	struct ctl_proto_domain d;
	struct ctl_proto_record rec;
	struct ctl_proto_reply r;
	char err[256], *buf;
	size_t len;
	uint32_t i;

	fill_domain(&d, 3);
	ASSERT_TRUE(!ctl_proto_ring_get(&d.decisions, 0));
	/* More than the ring holds: the oldest go. */
	for (i = 0; i < CTL_PROTO_DECISIONS_MAX + 8; i++) {
		rec = (struct ctl_proto_record){
			.time_ms = 1700000000000ull + i, .level = (uint8_t)(1 + i % 4),
			.old_limit = i, .new_limit = i * 2, .reason = (enum ctl_reason)(i % 6),
			.bound = (enum ctl_bound)(i % 4), .applied = i % 2, .misses = i * 3,
			.hits = i * 5, .flushes = i * 7, .pool = i * 11,
		};
		ctl_proto_ring_push(&d.decisions, &rec);
	}
	ASSERT_EQ(d.decisions.count, CTL_PROTO_DECISIONS_MAX);
	ASSERT_EQ(ctl_proto_ring_get(&d.decisions, 0)->old_limit, 8);
	ASSERT_TRUE(!ctl_proto_ring_get(&d.decisions, CTL_PROTO_DECISIONS_MAX));

	ASSERT_EQ(ctl_proto_reply_encode_explain(&d, &buf, &len), 0);
	expect_in("bound name", buf, "\"bound\":\"memory cap\"");
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_EXPLAIN, buf, len, &r, err, sizeof(err)), 0);
	ASSERT_EQ(r.domain.domid, 3);
	ASSERT_STREQ(r.domain.name, "web-1");
	ASSERT_EQ(r.domain.decisions.count, CTL_PROTO_DECISIONS_MAX);
	for (i = 0; i < CTL_PROTO_DECISIONS_MAX; i++)
		assert_same_record(ctl_proto_ring_get(&r.domain.decisions, i),
				   ctl_proto_ring_get(&d.decisions, i));
	free(buf);
}

static void test_state_and_error(void)
{
	struct ctl_proto_reply r;
	char err[256], *buf;
	size_t len;

	ASSERT_EQ(ctl_proto_reply_encode_state(CTL_PROTO_PAUSED, &buf, &len), 0);
	ASSERT_STREQ(buf, "{\"version\":1,\"ok\":true,\"state\":\"paused\"}");
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_PAUSE, buf, len, &r, err, sizeof(err)), 0);
	ASSERT_EQ(r.state, CTL_PROTO_PAUSED);
	free(buf);

	/* An error reply decodes for any command; control bytes are sent as '?'. */
	ASSERT_EQ(ctl_proto_reply_encode_error(CTL_ERR_NO_DOMAIN, "domain 4\nis not managed", &buf, &len), 0);
	ASSERT_STREQ(buf, "{\"version\":1,\"ok\":false,\"error\":{\"code\":\"no-such-domain\","
			  "\"message\":\"domain 4?is not managed\"}}");
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_EXPLAIN, buf, len, &r, err, sizeof(err)), 0);
	ASSERT_TRUE(!r.ok);
	ASSERT_STREQ(r.code, CTL_ERR_NO_DOMAIN);
	ASSERT_STREQ(r.message, "domain 4?is not managed");
	free(buf);
}

/* Good replies the bad ones below are made from, by one substitution each. */
static const char status_reply[] =
	"{'version':1,'ok':true,'status':{'state':'running','reason':'','period_ms':2000,"
	"'memory_cap':67108864,'memory_used':0,'domains':1}}";
static const char domain_reply[] =
	"{'version':1,'ok':true,'domain':{'domid':1,'name':'a','mode':'enforce','levels':["
	"{'level':1,'limit':10,'pool':1,'hits':2,'misses':3,'in_use':null,'lease_left':0},"
	"{'level':2,'limit':20,'pool':1,'hits':2,'misses':3,'in_use':null,'lease_left':0},"
	"{'level':3,'limit':30,'pool':1,'hits':2,'misses':3,'in_use':null,'lease_left':0},"
	"{'level':4,'limit':40,'pool':1,'hits':2,'misses':3,'in_use':9,'lease_left':5}],"
	"'xen':{'psi':1,'dsi':2,'global':3,'skipped':4,'unmaps':5,'maps':6,'wait_ns':7,'dev_iotlb':8,'failed':null},"
	"'flush_rate':0.5}}";
static const char explain_reply[] =
	"{'version':1,'ok':true,'explain':{'domid':2,'name':null,'decisions':["
	"{'time_ms':1,'level':2,'old_limit':0,'new_limit':64,'reason':'grow','bound':'none',"
	"'applied':true,'misses':30,'hits':0,'flushes':90,'pool':0}]}}";
static const char domains_reply[] =
	"{'version':1,'ok':true,'domains':[{'domid':0,'name':'Domain-0','mode':'off','pool':1,"
	"'limit':2,'misses':3,'psi':null,'flush_rate':null}]}";
static const char error_reply[] =
	"{'version':1,'ok':false,'error':{'code':'failed','message':'could not'}}";

struct bad_reply {
	enum ctl_proto_command command;
	const char *base;
	const char *from, *to;	/* ' for " */
	const char *message;
};

static const struct bad_reply bad_replies[] = {
	{ CTL_PROTO_STATUS, status_reply, "'version':1", "'version':2", "version: 2 is not supported" },
	{ CTL_PROTO_STATUS, status_reply, "'ok':true,", "", "ok: missing" },
	{ CTL_PROTO_STATUS, status_reply, "'ok':true", "'ok':1", "ok: expected true or false" },
	{ CTL_PROTO_STATUS, status_reply, "'status'", "'domain'", "status: missing" },
	{ CTL_PROTO_STATUS, status_reply, "'running'", "'sleeping'",
	  "status.state: 'sleeping' is not running, paused or observe-only" },
	{ CTL_PROTO_STATUS, status_reply, "'reason':''", "'reason':'a\\nb'",
	  "status.reason: contains a byte that is not printable" },
	{ CTL_PROTO_STATUS, status_reply, "'period_ms':2000", "'period_ms':3600001",
	  "status.period_ms: expected an integer from 0 to 3600000" },
	{ CTL_PROTO_STATUS, status_reply, "'memory_used':0", "'memory_used':-1",
	  "status.memory_used: expected an integer from 0 to 18446744073709551615" },
	{ CTL_PROTO_STATUS, status_reply, ",'domains':1", "", "status.domains: missing" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'domid':1", "'domid':32767",
	  "domain.domid: expected an integer from 0 to 32751" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'name':'a'", "'name':'\\u00e9'",
	  "domain.name: contains a byte that is not printable ASCII" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'name':'a'",
	  "'name':'0123456789012345678901234567890123456789012345678901234567890123'",
	  "domain.name: longer than 63 bytes" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'mode':'enforce'", "'mode':null",
	  "domain.mode: expected a string" },
	{ CTL_PROTO_DOMAIN, domain_reply, ",{'level':4,'limit':40,'pool':1,'hits':2,'misses':3,'in_use':9,'lease_left':5}",
	  "", "domain.levels: 3 entries, not 4" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'level':2", "'level':3", "domain.levels[1].level: 3 where 2 belongs" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'limit':30", "'limit':262145",
	  "domain.levels[2].limit: expected an integer from 0 to 262144" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'limit':10", "'limit':1e1",
	  "domain.levels[0].limit: expected an integer" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'in_use':9", "'in_use':'9'", "domain.levels[3].in_use: expected an integer" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'lease_left':5", "'lease_left':86401",
	  "domain.levels[3].lease_left: expected an integer from 0 to 86400" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'psi':1", "'psi':true", "domain.xen.psi: expected an integer" },
	{ CTL_PROTO_DOMAIN, domain_reply, ",'wait_ns':7", "", "domain.xen.wait_ns: missing" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'dev_iotlb':8", "'dev_iotlb':-8", "domain.xen.dev_iotlb" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'failed':null", "'failed':'0'", "domain.xen.failed" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'flush_rate':0.5", "'flush_rate':NaN",
	  "domain.flush_rate: expected a number from 0 to 1e+12" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'flush_rate':0.5", "'flush_rate':-0.5",
	  "domain.flush_rate: expected a number from 0 to 1e+12" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'flush_rate':0.5", "'flush_rate':'fast'",
	  "domain.flush_rate: expected a number or null" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'levels':[", "'levels':{'a':[", "not JSON" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'reason':'grow'", "'reason':''",
	  "explain.decisions[0].reason: '' is not hold, seed, operator, grow, shrink, cooldown, pressure or release" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'bound':'none'", "'bound':7",
	  "explain.decisions[0].bound: expected a string" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'level':2", "'level':0",
	  "explain.decisions[0].level: expected an integer from 1 to 4" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'level':2", "'level':5",
	  "explain.decisions[0].level: expected an integer from 1 to 4" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'applied':true", "'applied':'yes'",
	  "explain.decisions[0].applied: expected true or false" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'decisions':[", "'decisions':[1,",
	  "explain.decisions[0]: expected an object" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'decisions':", "'decision':", "explain.decisions: missing" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'name':'Domain-0'", "'name':5",
	  "domains[0].name: expected a string or null" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'mode':'off'", "'mode':'on'",
	  "domains[0].mode: 'on' is not enforce, observe or off" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'domains':[", "'domains':{", "not JSON" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'domains':[{", "'domains':[null,{", "domains[0]: expected an object" },
	{ CTL_PROTO_PAUSE, error_reply, "'code':'failed'", "'code':''", "error.code: empty" },
	{ CTL_PROTO_PAUSE, error_reply, "'message':'could not'", "'msg':'could not'", "error.message: missing" },
	{ CTL_PROTO_PAUSE, error_reply, ",'error':{'code':'failed','message':'could not'}", "", "error: missing" },
	{ CTL_PROTO_RESUME, error_reply, "'ok':false,'error':{'code':'failed','message':'could not'}",
	  "'ok':true,'state':'resumed'", "state: 'resumed' is not running, paused or observe-only" },
};

/*
 * An iosupd from before the hypervisor's device-IOTLB and failed counts sends
 * neither key: both unknown, as null says, and nothing else lost.
 */
static void test_xen_counts_absent(void)
{
	struct ctl_proto_reply r;
	char err[256], *base = q(domain_reply), *from = q(",'dev_iotlb':8,'failed':null"), *json;

	json = subst(base, from, "");
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAIN, json, strlen(json), &r, err, sizeof(err)), 0);
	ASSERT_EQ(r.domain.have_xen, true);
	ASSERT_EQ(r.domain.xen.wait_ns, 7);
	ASSERT_EQ(r.domain.xen.have_dev_iotlb, false);
	ASSERT_EQ(r.domain.xen.have_failed, false);
	ctl_proto_reply_free(&r);
	free(json);
	free(from);
	free(base);
}

static void test_bad_replies(void)
{
	struct ctl_proto_reply r, before;
	char err[256], *base, *from, *to, *json;
	size_t i;

	for (i = 0; i < sizeof(bad_replies) / sizeof(bad_replies[0]); i++) {
		const struct bad_reply *b = &bad_replies[i];

		base = q(b->base);
		from = q(b->from);
		to = q(b->to);
		/* The base is good, so the substitution is what is refused. */
		ASSERT_EQ(ctl_proto_reply_decode(b->command, base, strlen(base), &r, err, sizeof(err)), 0);
		ctl_proto_reply_free(&r);
		json = subst(base, from, to);
		memset(&r, 0xa5, sizeof(r));
		before = r;
		strcpy(err, "");
		ASSERT_EQ(ctl_proto_reply_decode(b->command, json, strlen(json), &r, err, sizeof(err)),
			  -EINVAL);
		expect_in(json, err, b->message);
		ASSERT_TRUE(!memcmp(&r, &before, sizeof(r)));
		printf("  refused: %s\n", err);
		free(base);
		free(from);
		free(to);
		free(json);
	}
}

/* A newer iosupd's reason or bound reads as "unknown", not as an error. */
static void test_open_enums(void)
{
	struct ctl_proto_reply r;
	char err[256], *base, *from, *to, *json, *json2;

	base = q(explain_reply);
	from = q("'reason':'grow'");
	to = q("'reason':'panic'");
	json = subst(base, from, to);
	free(from);
	free(to);
	from = q("'bound':'none'");
	to = q("'bound':'the moon'");
	json2 = subst(json, from, to);
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_EXPLAIN, json2, strlen(json2), &r, err,
					 sizeof(err)), 0);
	ASSERT_STREQ(ctl_reason_name(r.domain.decisions.record[0].reason), "unknown");
	ASSERT_STREQ(ctl_bound_name(r.domain.decisions.record[0].bound), "unknown");
	ctl_proto_reply_free(&r);
	free(base);
	free(from);
	free(to);
	free(json);
	free(json2);
	printf("open enums: ok\n");
}

static void test_reply_limits(void)
{
	struct ctl_proto_reply r;
	char err[256], *buf, *p;
	size_t i, n = CTL_PROTO_MSG_MAX + 1;
	const char *entry = "{\"domid\":0,\"name\":null,\"mode\":\"off\",\"pool\":0,\"limit\":0,"
			    "\"misses\":0,\"psi\":null,\"flush_rate\":null}";

	/* One domain more than a reply may list. */
	buf = malloc(64 + (CTL_PROTO_DOMAINS_MAX + 1) * (strlen(entry) + 1));
	ASSERT_TRUE(buf);
	p = buf + sprintf(buf, "{\"version\":1,\"ok\":true,\"domains\":[");
	for (i = 0; i <= CTL_PROTO_DOMAINS_MAX; i++)
		p += sprintf(p, "%s%s", i ? "," : "", entry);
	strcpy(p, "]}");
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_DOMAINS, buf, strlen(buf), &r, err, sizeof(err)), -EINVAL);
	expect_in("domains", err, "domains: 513 entries, more than 512");
	free(buf);

	/* A reply over the size limit is not read at all. */
	buf = malloc(n);
	ASSERT_TRUE(buf);
	memset(buf, ' ', n);
	memcpy(buf, "{}", 2);
	ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_STATUS, buf, n, &r, err, sizeof(err)), -EMSGSIZE);
	expect_in("oversized", err, "is over the 196608 allowed");
	free(buf);
}

/* iosupctl's own JSON: "policy get --json" and "status --json". */
static void test_cli_json(void)
{
	struct ctl_proto_effective eff = { 0 };
	struct policy p = { 0 };
	char *out, *status, *domains;

	ASSERT_EQ(ctl_proto_policy_encode("default", &p, NULL, &out), 0);
	ASSERT_STREQ(out, "{\"domain\":\"default\",\"mode\":null,\"min_pages\":null,"
			  "\"max_pages\":null,\"target_flush_rate\":null,\"effective\":null}");
	free(out);
	p.set[POLICY_MODE] = p.set[POLICY_MAX_PAGES] = p.set[POLICY_TARGET_FLUSH_RATE] = true;
	p.mode = IOSUP_MODE_OBSERVE;
	p.max_pages = 1000;
	p.target_flush_rate = 0;
	eff.values = (struct policy){ .mode = IOSUP_MODE_OBSERVE, .max_pages = 1000 };
	strcpy(eff.from[POLICY_MODE], "xenstore /iosup/policy/3");
	strcpy(eff.from[POLICY_MIN_PAGES], "/etc/iosup/iosupd.conf");
	strcpy(eff.from[POLICY_MAX_PAGES], "/etc/iosup/policy.d/web.conf:3");
	strcpy(eff.from[POLICY_TARGET_FLUSH_RATE], "xenstore /iosup/policy/3");
	ASSERT_EQ(ctl_proto_policy_encode("3", &p, &eff, &out), 0);
	ASSERT_STREQ(out, "{\"domain\":\"3\",\"mode\":\"observe\",\"min_pages\":null,"
			  "\"max_pages\":1000,\"target_flush_rate\":0,\"effective\":{"
			  "\"mode\":\"observe\",\"min_pages\":0,\"max_pages\":1000,"
			  "\"target_flush_rate\":0,\"from\":{\"mode\":\"xenstore \\/iosup\\/policy\\/3\","
			  "\"min_pages\":\"\\/etc\\/iosup\\/iosupd.conf\","
			  "\"max_pages\":\"\\/etc\\/iosup\\/policy.d\\/web.conf:3\","
			  "\"target_flush_rate\":\"xenstore \\/iosup\\/policy\\/3\"}}}");
	free(out);

	status = q(status_reply);
	domains = q(domains_reply);
	ASSERT_EQ(ctl_proto_status_with_domains(status, domains, &out), 0);
	ASSERT_STREQ(out, "{\"version\":1,\"ok\":true,\"status\":{\"state\":\"running\","
			  "\"reason\":\"\",\"period_ms\":2000,\"memory_cap\":67108864,"
			  "\"memory_used\":0,\"domains\":1},\"domains\":[{\"domid\":0,"
			  "\"name\":\"Domain-0\",\"mode\":\"off\",\"pool\":1,\"limit\":2,"
			  "\"misses\":3,\"psi\":null,\"flush_rate\":null}]}");
	free(out);
	/* Not two such replies: the caller prints the status reply alone. */
	ASSERT_EQ(ctl_proto_status_with_domains(status, "{}", &out), -EINVAL);
	ASSERT_EQ(ctl_proto_status_with_domains("[", domains, &out), -EINVAL);
	free(status);
	free(domains);
}

int main(void)
{
	test_requests();
	test_bad_requests();
	test_request_sizes();
	test_status();
	test_domain();
	test_names();
	test_domains();
	test_domains_worst_case();
	test_explain();
	test_state_and_error();
	test_bad_replies();
	test_xen_counts_absent();
	test_open_enums();
	test_reply_limits();
	test_cli_json();
	printf("ctl-proto: ok\n");
	return 0;
}
