// SPDX-License-Identifier: GPL-2.0-only
/*
 * An iosupctl of today against the replies of a newer iosupd, which may
 * add fields anywhere (ctl-proto.h's versioning rule): every kind of reply,
 * with unknown fields added first and last in every object, at every
 * level, decodes to exactly what the plain reply does. A known field that
 * is malformed is still refused, by its name, even among unknown ones,
 * and leaves the output as it was.
 */
#define _GNU_SOURCE /* strdup */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"
#include "json-text.h"
#include "ctl-proto.h"

/* What a newer iosupd might add: every JSON type, nested, within the depth allowed. */
#define ADDED_FIRST "'x_added':{'n':1,'s':'new','f':0.25,'b':true,'z':null,'a':[1,{'deep':null}]},"
#define ADDED_LAST ",'y_added':[{'k':'v'},-3,'\\u00e9']"

/*
 * @json with ADDED_FIRST after every '{' and ADDED_LAST before every '}'
 * (the replies below have no braces in strings); the objects so extended
 * counted in *@objects.
 */
static char *extend(const char *json, int *objects)
{
	char *first = q(ADDED_FIRST), *last = q(ADDED_LAST), *out, *p;
	const char *s;

	out = malloc(strlen(json) * (strlen(first) + strlen(last) + 1) + 1);
	ASSERT_TRUE(out);
	*objects = 0;
	for (p = out, s = json; *s; s++) {
		if (*s == '}')
			p = stpcpy(p, last);
		*p++ = *s;
		if (*s == '{') {
			p = stpcpy(p, first);
			(*objects)++;
		}
	}
	*p = '\0';
	free(first);
	free(last);
	return out;
}

/* The replies of today's iosupd, every value told apart from the others. */
static const char status_reply[] =
	"{'version':1,'ok':true,'status':{'state':'observe-only','reason':'pool unavailable',"
	"'period_ms':2000,'memory_cap':67108864,'memory_used':4096,'domains':2}}";
static const char domains_reply[] =
	"{'version':1,'ok':true,'domains':["
	"{'domid':0,'name':'Domain-0','mode':'enforce','pool':11,'limit':12,'misses':13,"
	"'psi':14,'flush_rate':1.5},"
	"{'domid':7,'name':null,'mode':'observe','pool':21,'limit':22,'misses':23,"
	"'psi':null,'flush_rate':null}]}";
static const char domain_reply[] =
	"{'version':1,'ok':true,'domain':{'domid':1,'name':'a','mode':'enforce','levels':["
	"{'level':1,'limit':10,'pool':11,'hits':12,'misses':13,'in_use':null,'lease_left':0},"
	"{'level':2,'limit':20,'pool':21,'hits':22,'misses':23,'in_use':null,'lease_left':1},"
	"{'level':3,'limit':30,'pool':31,'hits':32,'misses':33,'in_use':null,'lease_left':2},"
	"{'level':4,'limit':40,'pool':41,'hits':42,'misses':43,'in_use':49,'lease_left':5}],"
	"'xen':{'psi':101,'dsi':102,'global':103,'skipped':104,'unmaps':105,'maps':106,"
	"'wait_ns':107,'dev_iotlb':108,'failed':0},'flush_rate':0.5}}";
static const char explain_reply[] =
	"{'version':1,'ok':true,'explain':{'domid':2,'name':null,'decisions':["
	"{'time_ms':1,'level':2,'old_limit':0,'new_limit':64,'reason':'grow','bound':'none',"
	"'applied':true,'misses':30,'hits':0,'flushes':90,'pool':0},"
	"{'time_ms':2001,'level':1,'old_limit':64,'new_limit':48,'reason':'shrink',"
	"'bound':'min_pages','applied':false,'misses':1,'hits':500,'flushes':3,'pool':60}]}}";
static const char state_reply[] = "{'version':1,'ok':true,'state':'paused'}";
static const char error_reply[] =
	"{'version':1,'ok':false,'error':{'code':'no-such-domain','message':'domain 9 is not managed'}}";
/* An error code this iosupctl does not know yet is shown as it came. */
static const char new_code_reply[] =
	"{'version':1,'ok':false,'error':{'code':'rate-limited','message':'later'}}";

struct kind {
	const char *name;
	enum ctl_proto_command command;
	const char *reply;
	int objects;		/* JSON objects in it, every one extended */
};

static const struct kind kinds[] = {
	{ "status", CTL_PROTO_STATUS, status_reply, 2 },
	{ "domains", CTL_PROTO_DOMAINS, domains_reply, 3 },
	{ "domain", CTL_PROTO_DOMAIN, domain_reply, 7 },
	{ "explain", CTL_PROTO_EXPLAIN, explain_reply, 4 },
	{ "pause", CTL_PROTO_PAUSE, state_reply, 1 },
	{ "reload", CTL_PROTO_RELOAD, state_reply, 1 },
	{ "resume", CTL_PROTO_RESUME, state_reply, 1 },
	{ "error", CTL_PROTO_DOMAIN, error_reply, 2 },
	{ "new error code", CTL_PROTO_STATUS, new_code_reply, 2 },
};

/* The reply as today's encoder would send it: the same for the same values. */
static char *encoded(enum ctl_proto_command command, const struct ctl_proto_reply *r)
{
	char *out = NULL;
	size_t n;
	int ret;

	if (!r->ok)
		ret = ctl_proto_reply_encode_error(r->code, r->message, &out, &n);
	else if (command == CTL_PROTO_STATUS)
		ret = ctl_proto_reply_encode_status(&r->status, &out, &n);
	else if (command == CTL_PROTO_DOMAIN)
		ret = ctl_proto_reply_encode_domain(&r->domain, &out, &n);
	else if (command == CTL_PROTO_EXPLAIN)
		ret = ctl_proto_reply_encode_explain(&r->domain, &out, &n);
	else
		ret = ctl_proto_reply_encode_state(r->state, &out, &n);
	ASSERT_EQ(ret, 0);
	return out;
}

static void assert_same(enum ctl_proto_command command, const struct ctl_proto_reply *a,
			const struct ctl_proto_reply *b)
{
	char *ea, *eb;

	ASSERT_EQ(a->ok, b->ok);
	if (a->ok && command == CTL_PROTO_DOMAINS) {
		/* Summaries do not encode back; the decoder's array is calloc'ed, padding and all. */
		ASSERT_EQ(a->n_domains, b->n_domains);
		ASSERT_TRUE(!memcmp(a->domains, b->domains, a->n_domains * sizeof(*a->domains)));
		return;
	}
	ea = encoded(command, a);
	eb = encoded(command, b);
	ASSERT_STREQ(ea, eb);
	free(ea);
	free(eb);
}

static void test_added_fields(void)
{
	struct ctl_proto_reply plain, newer;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct kind *k = &kinds[i];
		char *base = q(k->reply), *json;
		int objects;

		json = extend(base, &objects);
		ASSERT_EQ(objects, k->objects);
		ASSERT_EQ(ctl_proto_reply_decode(k->command, base, strlen(base), &plain, err,
						 sizeof(err)), 0);
		if (ctl_proto_reply_decode(k->command, json, strlen(json), &newer, err, sizeof(err))) {
			fprintf(stderr, "%s: refused: %s\n  %s\n", k->name, err, json);
			ASSERT_TRUE(0);
		}
		assert_same(k->command, &plain, &newer);
		printf("  %s: %d objects with added fields, read the same\n", k->name, objects);
		ctl_proto_reply_free(&plain);
		ctl_proto_reply_free(&newer);
		free(base);
		free(json);
	}
	/* What the unknown code and message say reaches the user unchanged. */
	{
		char *json = q(new_code_reply);

		ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_STATUS, json, strlen(json), &plain, err,
						 sizeof(err)), 0);
		ASSERT_TRUE(!plain.ok);
		ASSERT_STREQ(plain.code, "rate-limited");
		ASSERT_STREQ(plain.message, "later");
		free(json);
	}
}

struct malformed {
	enum ctl_proto_command command;
	const char *reply;
	const char *from, *to;	/* ' for ", in the extended reply */
	const char *message;	/* the field named */
};

static const struct malformed malformed[] = {
	{ CTL_PROTO_STATUS, status_reply, "'period_ms':2000", "'period_ms':'2000'",
	  "status.period_ms: expected an integer" },
	{ CTL_PROTO_STATUS, status_reply, "'state':'observe-only'", "'state':'dozing'",
	  "status.state: 'dozing' is not running, paused or observe-only" },
	{ CTL_PROTO_STATUS, status_reply, "'domains':2", "'domains':32753",
	  "status.domains: expected an integer from 0 to 32752" },
	{ CTL_PROTO_STATUS, status_reply, ",'memory_used':4096", "", "status.memory_used: missing" },
	{ CTL_PROTO_STATUS, status_reply, "'ok':true,'status':{", "'ok':true,'status':7,'was':{",
	  "status: expected an object" },
	{ CTL_PROTO_STATUS, status_reply, "'ok':true,", "", "ok: missing" },
	{ CTL_PROTO_STATUS, status_reply, "'ok':true,'status':", "'ok':true,'state':", "status: missing" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'flush_rate':1.5", "'flush_rate':'fast'",
	  "domains[0].flush_rate: expected a number or null" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'misses':23", "'misses':-23",
	  "domains[1].misses: expected an integer from 0" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'domains':[", "'domains':['x',", "domains[0]: expected an object" },
	{ CTL_PROTO_DOMAINS, domains_reply, "'domains':[", "'domains':{},'was':[", "domains: expected an array" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'hits':32", "'hits':-1",
	  "domain.levels[2].hits: expected an integer from 0" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'limit':40", "'limit':262145",
	  "domain.levels[3].limit: expected an integer from 0 to 262144" },
	{ CTL_PROTO_DOMAIN, domain_reply, ",'maps':106", "", "domain.xen.maps: missing" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'xen':{", "'xen':5,'was':{", "domain.xen: expected an object or null" },
	{ CTL_PROTO_DOMAIN, domain_reply, "'mode':'enforce'", "'mode':true", "domain.mode: expected a string" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'applied':false", "'applied':0",
	  "explain.decisions[1].applied: expected true or false" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'reason':'shrink'", "'reason':['shrink']",
	  "explain.decisions[1].reason: expected a string" },
	{ CTL_PROTO_EXPLAIN, explain_reply, "'decisions':[", "'decisions':null,'was':[",
	  "explain.decisions: expected an array" },
	{ CTL_PROTO_PAUSE, state_reply, "'state':'paused'", "'state':7", "state: expected a string" },
	{ CTL_PROTO_DOMAIN, error_reply, "'code':'no-such-domain',", "", "error.code: missing" },
	{ CTL_PROTO_DOMAIN, error_reply, "'message':'domain 9 is not managed'", "'message':9",
	  "error.message: expected a string" },
};

static void test_malformed(void)
{
	struct ctl_proto_reply r, before;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		const struct malformed *b = &malformed[i];
		char *base = q(b->reply), *from = q(b->from), *to = q(b->to), *ext, *json;
		int objects;

		ext = extend(base, &objects);
		json = subst(ext, from, to);
		memset(&r, 0xa5, sizeof(r));
		memcpy(&before, &r, sizeof(before));
		strcpy(err, "");
		ASSERT_EQ(ctl_proto_reply_decode(b->command, json, strlen(json), &r, err, sizeof(err)),
			  -EINVAL);
		if (!strstr(err, b->message)) {
			fprintf(stderr, "expected '%s' in '%s'\n  %s\n", b->message, err, json);
			ASSERT_TRUE(0);
		}
		ASSERT_TRUE(!memcmp(&r, &before, sizeof(r)));
		printf("  refused: %s\n", err);
		free(base);
		free(from);
		free(to);
		free(ext);
		free(json);
	}
}

/* Not an object, at the top: refused whatever else is in it. */
static void test_not_objects(void)
{
	static const char *const bad[] = { "[1]", "\"status\"", "null", "7" };
	struct ctl_proto_reply r;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(ctl_proto_reply_decode(CTL_PROTO_STATUS, bad[i], strlen(bad[i]), &r, err,
						 sizeof(err)), -EINVAL);
		ASSERT_TRUE(strstr(err, "not a JSON object") || strstr(err, "not JSON"));
	}
}

/* Requests stay strict: a field iosupd does not know is refused, by name. */
static void test_requests_strict(void)
{
	struct ctl_proto_request req;
	char code[CTL_PROTO_CODE_MAX], err[256];
	char *json = q("{'version':1,'command':'status','x_added':1}");

	ASSERT_EQ(ctl_proto_request_decode(json, strlen(json), &req, code, err, sizeof(err)), -EINVAL);
	ASSERT_STREQ(code, CTL_ERR_BAD_REQUEST);
	ASSERT_TRUE(strstr(err, "x_added: unknown field"));
	free(json);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_added_fields();
	test_malformed();
	test_not_objects();
	test_requests_strict();
	printf("ctl-proto-compat: all passed\n");
	return 0;
}
