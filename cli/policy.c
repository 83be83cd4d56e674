// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupctl policy get DOM | set DOM KEY=VALUE... | unset DOM KEY...: a
 * domain's policy layer in xenstore, the live override (DOM is a domain
 * id, a running domain's name, or "default"; a name is looked up in
 * xenstore and the layer is the id's, as iosupd reads it). Every argument
 * is checked before xenstore is touched, and all are written in one
 * transaction: a bad one means none is written. iosupd sees the change
 * through its xenstore watch. "get" also asks iosupd what it applies and
 * where each value comes from (iosupd.conf, a policy.d file, xenstore).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "format.h"
#include "ctl-proto.h"
#include "iosupctl.h"
#include "store.h"

#define USAGE "get DOM [--json] | set DOM KEY=VALUE... | unset DOM KEY...  (DOM: a domain id, a domain's name or 'default')"

/* "default" or a domain id, as the path names it. */
#define WHO_MAX 16
/* The longest domain name looked up (libxl allows longer; none we meet). */
#define WHO_NAME_MAX 63

/* -errno from the store as an exit code (the message is already said). */
static int exit_code(int r);

/*
 * The id of the running domain called @name (/local/domain/<id>/name), or
 * an exit code, said: no domain or more than one has that name.
 */
static int resolve_name(const char *verb, const char *name, unsigned int *domid)
{
	char err[256], found[64];
	struct iosup_store *s = NULL;
	unsigned int *ids = NULL;
	size_t n = 0, i, matches = 0;
	int r;

	r = iosup_store_open(&s, err, sizeof(err));
	if (!r)
		r = iosup_store_list_domains(s, &ids, &n, err, sizeof(err));
	for (i = 0; !r && i < n; i++) {
		/* One byte more than the longest name it can match. */
		char got[WHO_NAME_MAX + 2];

		if (iosup_store_read_name(s, ids[i], got, sizeof(got), NULL) || strcmp(got, name))
			continue;
		if (matches++)
			snprintf(found + strlen(found), sizeof(found) - strlen(found), ", %u", ids[i]);
		else
			snprintf(found, sizeof(found), "%u", ids[i]);
		*domid = ids[i];
	}
	free(ids);
	iosup_store_close(s);
	if (r) {
		fprintf(stderr, "iosupctl %s: looking up the domain '%.64s': %s\n", verb, name, err);
		return exit_code(r);
	}
	if (matches == 1)
		return 0;
	if (matches)
		fprintf(stderr, "iosupctl %s: more than one domain is called '%.64s' (%s): give its id\n",
			verb, name, found);
	else
		fprintf(stderr, "iosupctl %s: no running domain is called '%.64s'\n", verb, name);
	return EXIT_REFUSED;
}

/* The layer DOM names: its name in the path into @who, its id in *@domid. */
static int parse_who(const char *verb, const char *arg, char who[WHO_MAX], int *domid)
{
	unsigned int id;
	int r;

	if (!strcmp(arg, "default")) {
		strcpy(who, "default");
		*domid = IOSUP_STORE_DEFAULT;
		return 0;
	}
	/* Not a number: a name (ids and "default" are never names here). */
	if (*arg && !(*arg >= '0' && *arg <= '9') && *arg != '-' && *arg != '+') {
		if (strlen(arg) > WHO_NAME_MAX) {
			usage_error(verb, "'%.64s...' is longer than a domain's name can be", arg);
			return EXIT_USAGE;
		}
		r = resolve_name(verb, arg, &id);
		if (r)
			return r;
		snprintf(who, WHO_MAX, "%u", id);
		*domid = (int)id;
		return 0;
	}
	if (parse_domid(verb, arg, &id))
		return EXIT_USAGE;
	snprintf(who, WHO_MAX, "%u", id);
	*domid = (int)id;
	return 0;
}

static int exit_code(int r)
{
	switch (r) {
	case -ENODEV:
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

static void print_json(const char *who, const struct policy *p,
		       const struct ctl_proto_effective *effective)
{
	char *json;

	if (ctl_proto_policy_encode(who, p, effective, &json))
		return;
	printf("%s\n", json);
	free(json);
}

static void print_human(const char *who, const struct policy *p,
			const struct ctl_proto_effective *effective, bool asked)
{
	char value[16];
	int k;

	printf("policy %s: " IOSUP_STORE_POLICY "/%s\n", who, who);
	for (k = 0; k < POLICY_KEYS; k++) {
		printf("  %s: ", policy_key_name((enum policy_key)k));
		if (!p->set[k]) {
			printf("- (not set here)\n");
			continue;
		}
		policy_format_value(p, (enum policy_key)k, value, sizeof(value));
		printf("%s\n", value);
	}
	if (!asked)
		return;
	if (!effective) {
		printf("effective: - (iosupd did not say)\n");
		return;
	}
	printf("effective, as iosupd applies it:\n");
	print_effective(stdout, "  ", effective);
}

/*
 * What iosupd applies to @domid, from its DOMAIN reply into @out; false
 * if it did not answer with one (said on stderr by the client).
 */
static bool ask_effective(const struct cli *cli, int domid, struct ctl_proto_effective *out)
{
	struct ctl_proto_request req = { .command = CTL_PROTO_DOMAIN, .domid = (uint32_t)domid };
	struct ctl_proto_reply reply = { 0 };
	bool have;

	if (client_call_once(cli, &req, &reply, NULL) != EXIT_OK)
		return false;
	have = reply.domain.have_policy;
	if (have)
		*out = reply.domain.policy;
	ctl_proto_reply_free(&reply);
	return have;
}

static int get(const char *who, int domid, const struct cli *cli)
{
	struct ctl_proto_effective effective;
	bool asked = domid != IOSUP_STORE_DEFAULT, have = false;
	struct iosup_store *s = NULL;
	struct policy p;
	char err[256];
	int r;

	r = iosup_store_open(&s, err, sizeof(err));
	/* A node that is no policy key is no error here: a newer iosupctl's. */
	if (!r)
		r = iosup_store_read_policy(s, domid, &p, err, sizeof(err));
	iosup_store_close(s);
	if (r) {
		fprintf(stderr, "iosupctl policy: %s\n", err);
		return exit_code(r);
	}
	/* The layer above is the answer; iosupd's view is added if it gives it. */
	if (asked)
		have = ask_effective(cli, domid, &effective);
	if (cli->json)
		print_json(who, &p, have ? &effective : NULL);
	else
		print_human(who, &p, have ? &effective : NULL, asked);
	return EXIT_OK;
}

static int set(int domid, int argc, char **argv)
{
	struct iosup_store *s = NULL;
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
	r = iosup_store_open(&s, err, sizeof(err));
	if (!r)
		r = iosup_store_write_policy(s, domid, &p, err, sizeof(err));
	iosup_store_close(s);
	if (r) {
		fprintf(stderr, "iosupctl policy: %s; nothing was written\n", err);
		return exit_code(r);
	}
	return EXIT_OK;
}

static int unset(int domid, int argc, char **argv)
{
	bool keys[POLICY_KEYS] = { false };
	struct iosup_store *s = NULL;
	char err[256];
	int i, k, r;

	if (!argc)
		return usage_error("policy", "unset needs at least one KEY");
	for (i = 0; i < argc; i++) {
		k = policy_key_parse(argv[i], strlen(argv[i]));
		if (k < 0)
			return usage_error("policy", "'%.40s': not a policy key (" POLICY_KEY_LIST ")",
					   argv[i]);
		if (keys[k])
			return usage_error("policy", "%s is given twice", argv[i]);
		keys[k] = true;
	}
	r = iosup_store_open(&s, err, sizeof(err));
	if (!r)
		r = iosup_store_unset_policy(s, domid, keys, err, sizeof(err));
	iosup_store_close(s);
	if (r) {
		fprintf(stderr, "iosupctl policy: %s; nothing was removed\n", err);
		return exit_code(r);
	}
	return EXIT_OK;
}

int policy_main(int argc, char **argv, struct cli *cli)
{
	char who[WHO_MAX];
	int first, domid, r;

	r = verb_options(argc, argv, cli, USAGE, &first);
	if (r >= 0)
		return r;
	if (argc - first < 2)
		return usage_error(argv[0], "needs get, set or unset, and a domain");
	r = parse_who(argv[0], argv[first + 1], who, &domid);
	if (r)
		return r;
	if (!strcmp(argv[first], "get")) {
		if (argc - first != 2)
			return usage_error(argv[0], "get takes one domain, not '%.40s'", argv[first + 2]);
		return get(who, domid, cli);
	}
	if (!strcmp(argv[first], "set")) {
		if (cli->json)
			return usage_error(argv[0], "--json is for get");
		return set(domid, argc - first - 2, argv + first + 2);
	}
	if (!strcmp(argv[first], "unset")) {
		if (cli->json)
			return usage_error(argv[0], "--json is for get");
		return unset(domid, argc - first - 2, argv + first + 2);
	}
	return usage_error(argv[0], "'%.40s' is not get, set or unset", argv[first]);
}
