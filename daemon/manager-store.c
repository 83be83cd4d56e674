// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosupd's manager, its xenstore part (see manager-internal.h): the
 * policy's layers, the domain table, the watches, and xenstore's outages,
 * during which the config's policy alone holds.
 */
#define _GNU_SOURCE

#include "manager-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"

ssize_t manager_find_domain(const struct manager *m, uint32_t domid)
{
	size_t i;

	for (i = 0; i < m->n_doms; i++)
		if (m->views[i].domid == domid)
			return (ssize_t)i;
	return -1;
}

/* ---- policy ---------------------------------------------------------- */

bool manager_store_usable(const struct manager *m)
{
	return m->store && !m->store_lost;
}

void manager_store_failed(struct manager *m, const char *what, int r)
{
	if (!m->store_lost)
		log_warning("xenstore: %s: %s; using the config's policy until it is back",
			    what, iosup_store_strerror(r));
	m->store_lost = true;
	manager_want_reconnect(m);
}

/* Where domain @i's key @k came from (@layer), as people read it. */
static void describe_source(const struct manager *m, size_t i, const struct policy_file *f,
			    enum policy_layer layer, int k, char *out, size_t len)
{
	const struct iosup_config *c = &m->config;
	bool in_file = (k == POLICY_MODE && c->file_sets_mode) ||
		       (k == POLICY_MIN_PAGES && c->file_sets_min_pages) ||
		       (k == POLICY_MAX_PAGES && c->file_sets_max_pages);

	switch (layer) {
	case POLICY_LAYER_CONFIG:
		snprintf(out, len, "%s", in_file ? m->config_path : "built-in default");
		break;
	case POLICY_LAYER_DEFAULT:
		snprintf(out, len, "xenstore " IOSUP_STORE_POLICY "/default");
		break;
	case POLICY_LAYER_FILE:
		snprintf(out, len, "%.200s/%s:%u", m->policy_dir_path, f->name, f->line[k]);
		break;
	default:
		snprintf(out, len, "xenstore " IOSUP_STORE_POLICY "/%" PRIu32, m->views[i].domid);
		break;
	}
}

/*
 * Domain @i's effective policy: the config's, xenstore's default, the
 * policy.d file naming it (by UUID, else by name), its own live policy.
 */
static void merge_policy(struct manager *m, size_t i)
{
	const struct policy_file *f = policy_dir_find(&m->policy_dir, m->doms[i].match_name,
						      m->doms[i].uuid);
	struct ctl_proto_effective *e = &m->views[i].policy;
	struct policy base;
	const struct policy *layers[POLICY_LAYERS] = {
		[POLICY_LAYER_CONFIG] = &base,
		[POLICY_LAYER_DEFAULT] = &m->def,
		[POLICY_LAYER_FILE] = f ? &f->policy : NULL,
		[POLICY_LAYER_DOMAIN] = &m->doms[i].own,
	};
	uint8_t from[POLICY_KEYS];
	char err[256];
	int k;

	policy_from_config(&m->config, &base);
	if (policy_merge_layers(layers, &m->doms[i].effective, from, err, sizeof(err)))
		log_warning("dom%" PRIu32 " policy: %s%s%s%s; that layer is left out",
			    m->views[i].domid, err, f ? " (policy file " : "",
			    f ? f->name : "", f ? ")" : "");
	m->views[i].mode = m->doms[i].effective.mode;
	m->views[i].have_policy = true;
	e->values = m->doms[i].effective;
	for (k = 0; k < POLICY_KEYS; k++)
		describe_source(m, i, f, (enum policy_layer)from[k], k, e->from[k],
				sizeof(e->from[k]));
}

/* A policy file left out, said; the first kept for the reload's reply. */
struct bad_files {
	char first[512];
};

static void on_bad_file(void *data, const char *err)
{
	struct bad_files *b = data;

	log_error("policy: %s", err);
	if (!b->first[0])
		snprintf(b->first, sizeof(b->first), "%s", err);
}

int manager_load_policy_dir(struct manager *m, char *err, size_t err_len)
{
	struct bad_files b = { "" };
	size_t i;
	int r;

	r = policy_dir_load(m->policy_dir_path, &m->policy_dir, on_bad_file, &b);
	if (r < 0) {
		snprintf(err, err_len, "%s: %s; no policy file applied", m->policy_dir_path,
			 strerror(-r));
		log_error("policy: %s", err);
	} else if (m->policy_dir.n || r) {
		log_info("policy: %zu file(s) from %s", m->policy_dir.n, m->policy_dir_path);
	}
	for (i = 0; i < m->n_doms; i++)
		merge_policy(m, i);
	if (r > 0) {
		snprintf(err, err_len, "%d policy file(s) left out; the first: %s", r, b.first);
		return -EINVAL;
	}
	return r;
}

/* Re-reads one domain's own policy; idempotent, as watches want. */
void manager_read_domain_policy(struct manager *m, size_t i)
{
	char err[256] = "";
	int r;

	if (manager_store_usable(m)) {
		r = iosup_store_read_policy(m->store, (int)m->views[i].domid,
					    &m->doms[i].own, err, sizeof(err));
		/* A refused value, or a node that is no key of this version's. */
		if (r == -EINVAL || (!r && err[0]))
			log_warning("dom%" PRIu32 " policy: %s; that key falls back to the default",
				    m->views[i].domid, err);
		else if (r)
			manager_store_failed(m, "reading a domain's policy", r);
	}
	merge_policy(m, i);
}

void manager_read_default_policy(struct manager *m)
{
	char err[256] = "";
	int r;

	if (!manager_store_usable(m))
		return;
	r = iosup_store_read_policy(m->store, IOSUP_STORE_DEFAULT, &m->def, err,
				    sizeof(err));
	if (r == -EINVAL || (!r && err[0]))
		log_warning("default policy: %s; that key falls back to the config", err);
	else if (r)
		manager_store_failed(m, "reading the default policy", r);
}

static void read_all_policies(struct manager *m)
{
	size_t i;

	manager_read_default_policy(m);
	for (i = 0; i < m->n_doms; i++)
		manager_read_domain_policy(m, i);
}

/* ---- the domain table -------------------------------------------------- */

/*
 * A domain's name and UUID, once it has them (its toolstack writes them
 * after creating it), read each period: a rename (xl rename, the end of a
 * migration in) must find its policy file. Merged again if they changed.
 */
static void read_identity(struct manager *m, size_t i)
{
	struct managed_domain *d = &m->doms[i];
	struct ctl_proto_domain *v = &m->views[i];
	char name[CTL_PROTO_NAME_MAX], uuid[POLICY_UUID_LEN + 1] = "";
	const char *match;
	bool exact = false;
	int r;

	if (!manager_store_usable(m))
		return;
	r = iosup_store_read_name(m->store, v->domid, name, sizeof(name), &exact);
	if (r == -ENOENT)
		return;
	if (!r)
		r = iosup_store_read_uuid(m->store, v->domid, uuid);
	if (r == -ENOENT)
		r = 0;
	if (r) {
		manager_store_failed(m, "reading a domain's name and UUID", r);
		return;
	}
	/* A name made printable or cut matches no file, rather than another's. */
	match = exact && strlen(name) < sizeof(d->match_name) ? name : "";
	if (!strcmp(name, v->name) && !strcmp(match, d->match_name) && !strcmp(uuid, d->uuid))
		return;
	ctl_proto_set_name(v->name, name);
	snprintf(d->match_name, sizeof(d->match_name), "%s", match);
	memcpy(d->uuid, uuid, sizeof(d->uuid));
	log_info("dom%" PRIu32 ": named %s%s%s", v->domid, v->name,
		 d->uuid[0] ? ", uuid " : "", d->uuid);
	/* A policy file may name it, or named it under its old name. */
	merge_policy(m, i);
}

/* Whether @domid is among @ids, in any order. */
static bool listed(const unsigned int *ids, size_t n, uint32_t domid)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (ids[k] == domid)
			return true;
	return false;
}

/*
 * A domain left the table, gone from Xen and from xenstore both: what
 * iosupd wrote for it goes too, and its live policy, so that a domain
 * that takes its id next starts from the default policy.
 */
static void forget_domain(struct manager *m, uint32_t domid)
{
	int r = -ENODEV;

	if (domid != DOM0 && manager_store_usable(m) &&
	    !listed(m->xen_domids, m->n_xen_domids, domid) &&
	    !listed(m->store_domids, m->n_store_domids, domid)) {
		r = iosup_store_forget_domain(m->store, domid);
		if (r)
			log_warning("dom%" PRIu32 ": removing its control/iosup and live policy failed: %s",
				    domid, iosup_store_strerror(r));
	}
	log_info("dom%" PRIu32 ": gone%s", domid,
		 r ? "" : "; its control/iosup and live policy removed");
}

/*
 * Makes the table hold exactly dom0, @xen_ids and the domains xenstore
 * listed, keeping what it knew of the ones it had; new ones get their
 * policy read.
 */
int manager_sync_domains(struct manager *m, const unsigned int *xen_ids, size_t n_xen)
{
	struct managed_domain *doms = NULL;
	struct ctl_proto_domain *views = NULL;
	unsigned int *ids;
	size_t n_ids, i;
	int r = 0;

	ids = malloc((1 + n_xen + m->n_store_domids) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	n_ids = manager_merge_domids(xen_ids, n_xen, m->store_domids, m->n_store_domids, ids);

	doms = calloc(n_ids, sizeof(*doms));
	views = calloc(n_ids, sizeof(*views));
	if (!doms || !views) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_ids; i++) {
		ssize_t old = manager_find_domain(m, ids[i]);

		if (old >= 0) {
			doms[i] = m->doms[old];
			views[i] = m->views[old];
			continue;
		}
		views[i].domid = ids[i];
		if (ids[i] == DOM0)
			ctl_proto_set_name(views[i].name, "Domain-0");
		log_info("dom%u: managed from now on", ids[i]);
	}
	for (i = 0; i < m->n_doms; i++)
		if (!manager_has_domid(ids, n_ids, m->views[i].domid))
			forget_domain(m, m->views[i].domid);
	free(m->doms);
	free(m->views);
	m->doms = doms;
	m->views = views;
	m->n_doms = n_ids;
	/*
	 * The control socket answers from the snapshot, which a watch's
	 * sync must not leave on the arrays just freed.
	 */
	m->snapshot.domains = m->views;
	m->snapshot.n_domains = m->n_doms;
	m->snapshot.status.domains = (uint32_t)m->n_doms;
	doms = NULL;
	views = NULL;
	/* New domains' policy: read after the swap, which store errors may undo. */
	for (i = 0; i < m->n_doms; i++) {
		bool new_domain = !m->doms[i].effective.set[POLICY_MODE];

		read_identity(m, i);
		if (new_domain)
			manager_read_domain_policy(m, i);
	}
out:
	free(ids);
	free(doms);
	free(views);
	return r;
}

/* ---- xenstore ---------------------------------------------------------- */

static void on_policy_changed(int domid, void *data)
{
	struct manager *m = data;
	ssize_t i;

	if (domid == IOSUP_STORE_ALL) {
		read_all_policies(m);
		return;
	}
	if (domid == IOSUP_STORE_DEFAULT) {
		manager_read_default_policy(m);
		for (i = 0; i < (ssize_t)m->n_doms; i++)
			merge_policy(m, (size_t)i);
		return;
	}
	/* A domain not managed yet has its policy read when it comes. */
	i = manager_find_domain(m, (uint32_t)domid);
	if (i >= 0)
		manager_read_domain_policy(m, (size_t)i);
}

static void list_store_domains(struct manager *m)
{
	unsigned int *ids = NULL;
	char err[256] = "";
	size_t n = 0;
	int r;

	if (!manager_store_usable(m))
		return;
	r = iosup_store_list_domains(m->store, &ids, &n, err, sizeof(err));
	if (r) {
		manager_store_failed(m, "listing the domains", r);
		return;
	}
	if (err[0])
		log_warning("xenstore: %s", err);
	free(m->store_domids);
	m->store_domids = ids;
	m->n_store_domids = n;
}

static void on_domains_changed(void *data)
{
	struct manager *m = data;

	list_store_domains(m);
	if (manager_sync_domains(m, m->xen_domids, m->n_xen_domids))
		log_error("out of memory listing the domains");
}

static void on_store_problem(const char *what, void *data)
{
	(void)data;
	log_debug("xenstore: %s", what);
}

static int on_store_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	static const struct iosup_store_callbacks cb = {
		.policy_changed = on_policy_changed,
		.domains_changed = on_domains_changed,
		.problem = on_store_problem,
	};
	struct manager *m = data;
	int r;

	(void)s, (void)fd, (void)revents;
	r = iosup_store_dispatch(m->store, &cb, m);
	if (r)
		manager_store_failed(m, "reading watch events", r);
	if (m->store_lost)
		manager_store_close(m);
	return 0;
}

void manager_store_close(struct manager *m)
{
	m->store_source = sd_event_source_disable_unref(m->store_source);
	iosup_store_close(m->store);
	m->store = NULL;
	m->store_lost = false;
	/* Without xenstore the default layer is the config's alone. */
	memset(&m->def, 0, sizeof(m->def));
}

/* Opens xenstore and its watches, if it is not open; said once per outage. */
void manager_store_open(struct manager *m)
{
	int r;

	if (m->store_lost)
		manager_store_close(m);
	if (m->store)
		return;
	r = iosup_store_open(&m->store, NULL, 0);
	if (!r) {
		r = iosup_store_watch(m->store);
		if (!r)
			r = sd_event_add_io(m->event, &m->store_source,
					    iosup_store_fd(m->store), EPOLLIN,
					    on_store_io, m);
		if (r) {
			iosup_store_close(m->store);
			m->store = NULL;
		}
	}
	if (r) {
		if (r != m->store_error)
			log_warning("xenstore unavailable: %s; using the config's policy alone, trying again each period",
				    iosup_store_strerror(r));
		m->store_error = r;
		return;
	}
	if (m->store_error)
		log_info("xenstore is back");
	m->store_error = 0;
	/* The watches fire once at registration: they re-read the policy. */
	list_store_domains(m);
}
