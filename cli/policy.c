// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupctl policy get DOM | set DOM KEY=VALUE...: a domain's policy layer
 * in xenstore (DOM is a domain id or "default"). Every KEY=VALUE is
 * checked before xenstore is touched, and all are written in one
 * transaction: a bad one means none is written. iosupd sees the change
 * through its xenstore watch.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "iosupctl.h"
#include "policy-store.h"

#define USAGE "get DOM [--json] | set DOM KEY=VALUE...  (DOM: a domain id or 'default')"

static int parse_who(const char *verb, const char *arg, char who[POLICY_WHO_MAX])
{
	unsigned int domid;

	if (!strcmp(arg, "default")) {
		strcpy(who, "default");
		return 0;
	}
	if (parse_domid(verb, arg, &domid))
		return EXIT_USAGE;
	snprintf(who, POLICY_WHO_MAX, "%u", domid);
	return 0;
}

/* -errno from the store as an exit code (the message is already said). */
static int exit_code(int r)
{
	switch (r) {
	case -ENOENT:
	case -ECONNREFUSED:
		return EXIT_UNREACHABLE;
	case -EACCES:
	case -EPERM:
		return EXIT_PERMISSION;
	default:
		return EXIT_REFUSED;
	}
}

static void print_json(const char *who, const struct policy *p)
{
	struct json_object *o = json_object_new_object();
	int k;

	if (!o)
		return;
	json_object_object_add(o, "domain", json_object_new_string(who));
	for (k = 0; k < POLICY_KEYS; k++) {
		struct json_object *v = NULL;

		if (p->set[k] && k == POLICY_MODE)
			v = json_object_new_string(config_mode_name(p->mode));
		else if (p->set[k])
			v = json_object_new_int64(k == POLICY_MIN_PAGES ? p->min_pages :
						  k == POLICY_MAX_PAGES ? p->max_pages :
						  p->target_flush_rate);
		json_object_object_add(o, policy_key_name((enum policy_key)k), v);
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void print_human(const char *who, const struct policy *p)
{
	int k;

	printf("policy %s: /iosup/policy/%s\n", who, who);
	for (k = 0; k < POLICY_KEYS; k++) {
		printf("  %s: ", policy_key_name((enum policy_key)k));
		if (!p->set[k])
			printf("- (not set here)\n");
		else if (k == POLICY_MODE)
			printf("%s\n", config_mode_name(p->mode));
		else
			printf("%u\n", k == POLICY_MIN_PAGES ? p->min_pages :
				       k == POLICY_MAX_PAGES ? p->max_pages : p->target_flush_rate);
	}
}

static int get(const char *who, const struct cli *cli)
{
	struct policy_store *s;
	struct policy p;
	char err[256];
	int r;

	r = policy_store_open(&s, err, sizeof(err));
	if (!r)
		r = policy_store_get(s, who, &p, err, sizeof(err));
	policy_store_close(r ? NULL : s);
	if (r) {
		fprintf(stderr, "iosupctl policy: %s\n", err);
		return exit_code(r);
	}
	if (cli->json)
		print_json(who, &p);
	else
		print_human(who, &p);
	return EXIT_OK;
}

static int set(const char *who, int argc, char **argv)
{
	struct policy_store *s = NULL;
	struct policy p = { 0 }, before;
	char err[256];
	int i, k, r;

	if (!argc)
		return usage_error("policy", "set needs at least one KEY=VALUE");
	for (i = 0; i < argc; i++) {
		before = p;
		if (policy_set_arg(&p, argv[i], err, sizeof(err)))
			return usage_error("policy", "%s", err);
		k = policy_key_parse(argv[i], (size_t)(strchr(argv[i], '=') - argv[i]));
		if (before.set[k])
			return usage_error("policy", "%s is given twice", policy_key_name((enum policy_key)k));
	}
	if (p.set[POLICY_MIN_PAGES] && p.set[POLICY_MAX_PAGES] && p.min_pages > p.max_pages)
		return usage_error("policy", "min_pages (%u) is above max_pages (%u)", p.min_pages,
				   p.max_pages);
	r = policy_store_open(&s, err, sizeof(err));
	if (!r)
		r = policy_store_set(s, who, &p, err, sizeof(err));
	policy_store_close(s);
	if (r) {
		fprintf(stderr, "iosupctl policy: %s; nothing was written\n", err);
		return exit_code(r);
	}
	return EXIT_OK;
}

int policy_main(int argc, char **argv, struct cli *cli)
{
	char who[POLICY_WHO_MAX];
	int first, r;

	r = verb_options(argc, argv, cli, USAGE, &first);
	if (r >= 0)
		return r;
	if (argc - first < 2)
		return usage_error(argv[0], "needs get or set, and a domain");
	if (parse_who(argv[0], argv[first + 1], who))
		return EXIT_USAGE;
	if (!strcmp(argv[first], "get")) {
		if (argc - first != 2)
			return usage_error(argv[0], "get takes one domain, not '%.40s'", argv[first + 2]);
		return get(who, cli);
	}
	if (!strcmp(argv[first], "set")) {
		if (cli->json)
			return usage_error(argv[0], "--json is for get");
		return set(who, argc - first - 2, argv + first + 2);
	}
	return usage_error(argv[0], "'%.40s' is not get or set", argv[first]);
}
