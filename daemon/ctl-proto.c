// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control protocol's data model and its encoders (the decoders are in
 * ctl-proto-decode.c). Whatever the daemon put in the structs, what goes
 * out is what the decoders accept: text is cut to its limit and anything
 * not printable is sent as '?'.
 */
#define _GNU_SOURCE /* strdup */
#include "ctl-proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static const char *const command_names[CTL_PROTO_COMMANDS] = {
	[CTL_PROTO_STATUS] = "status",
	[CTL_PROTO_DOMAINS] = "domains",
	[CTL_PROTO_DOMAIN] = "domain",
	[CTL_PROTO_EXPLAIN] = "explain",
	[CTL_PROTO_RELOAD] = "reload",
	[CTL_PROTO_PAUSE] = "pause",
	[CTL_PROTO_RESUME] = "resume",
};

static const char *const state_names[CTL_PROTO_STATES] = {
	[CTL_PROTO_RUNNING] = "running",
	[CTL_PROTO_PAUSED] = "paused",
	[CTL_PROTO_OBSERVE_ONLY] = "observe-only",
};

const char *ctl_proto_command_name(enum ctl_proto_command command)
{
	return (unsigned int)command < CTL_PROTO_COMMANDS ? command_names[command] : "unknown";
}

const char *ctl_proto_state_name(enum ctl_proto_state state)
{
	return (unsigned int)state < CTL_PROTO_STATES ? state_names[state] : "unknown";
}

bool ctl_proto_command_has_domid(enum ctl_proto_command command)
{
	return command == CTL_PROTO_DOMAIN || command == CTL_PROTO_EXPLAIN;
}

/* Printable ASCII, cut to @size - 1 bytes: what the decoders take back. */
static void copy_text(char *out, size_t size, const char *text)
{
	size_t i;

	for (i = 0; i + 1 < size && text[i]; i++)
		out[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	out[i] = '\0';
}

void ctl_proto_set_name(char out[CTL_PROTO_NAME_MAX], const char *name)
{
	copy_text(out, CTL_PROTO_NAME_MAX, name);
}

void ctl_proto_ring_push(struct ctl_proto_ring *ring, const struct ctl_proto_record *record)
{
	ring->record[ring->head] = *record;
	ring->head = (ring->head + 1) % CTL_PROTO_DECISIONS_MAX;
	if (ring->count < CTL_PROTO_DECISIONS_MAX)
		ring->count++;
}

const struct ctl_proto_record *ctl_proto_ring_get(const struct ctl_proto_ring *ring, uint32_t i)
{
	uint32_t oldest;

	if (i >= ring->count || ring->count > CTL_PROTO_DECISIONS_MAX)
		return NULL;
	oldest = (ring->head + CTL_PROTO_DECISIONS_MAX - ring->count) % CTL_PROTO_DECISIONS_MAX;
	return &ring->record[(oldest + i) % CTL_PROTO_DECISIONS_MAX];
}

void ctl_proto_summarize(const struct ctl_proto_domain *d, struct ctl_proto_summary *out)
{
	int l;

	*out = (struct ctl_proto_summary){
		.domid = d->domid,
		.mode = d->mode,
		.have_xen = d->have_xen,
		.psi = d->have_xen ? d->xen.iotlb_psi : 0,
		.have_flush_rate = d->have_flush_rate,
		.flush_rate = d->have_flush_rate ? d->flush_rate : 0,
	};
	memcpy(out->name, d->name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	if (!d->have_pool)
		return;
	for (l = 0; l < CTL_PROTO_LEVELS; l++) {
		out->pool += d->level[l].pool;
		out->limit += d->level[l].limit;
		out->misses += d->level[l].misses;
	}
}

/*
 * Building: json-c returns NULL only when out of memory, and adding to an
 * object or array fails only then too. Each builder returns the object or
 * NULL, and frees what it built on the way.
 */
static struct json_object *text(const char *s, size_t max)
{
	/* The longest of the texts sent: a message, a name, a policy's source. */
	char buf[CTL_PROTO_TEXT_MAX > CTL_PROTO_FROM_MAX ? CTL_PROTO_TEXT_MAX : CTL_PROTO_FROM_MAX];

	copy_text(buf, max < sizeof(buf) ? max : sizeof(buf), s);
	return json_object_new_string(buf);
}

static struct json_object *rate(bool have, double value)
{
	char buf[64];

	if (!have)
		return NULL;
	/* Milli-flushes are below any meaning; three decimals keep it short. */
	snprintf(buf, sizeof(buf), "%.3f", value);
	return json_object_new_double_s(value, buf);
}

/* Adds @val under @key; takes @val's reference either way. */
static bool add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}

/* Adds a value that must exist (not a JSON null): NULL means no memory. */
static bool add_some(struct json_object *obj, const char *key, struct json_object *val)
{
	return val && add(obj, key, val);
}

static bool append(struct json_object *arr, struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_array_add(arr, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}

static struct json_object *encode_status(const struct ctl_proto_status *s)
{
	struct json_object *o = json_object_new_object();

	if (!o ||
	    !add_some(o, "state", json_object_new_string(ctl_proto_state_name(s->state))) ||
	    !add_some(o, "reason", text(s->reason, CTL_PROTO_TEXT_MAX)) ||
	    !add_some(o, "period_ms", json_object_new_uint64(s->period_ms)) ||
	    !add_some(o, "memory_cap", json_object_new_uint64(s->memory_cap)) ||
	    !add_some(o, "memory_used", json_object_new_uint64(s->memory_used)) ||
	    !add_some(o, "domains", json_object_new_uint64(s->domains))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *encode_name(const char *name)
{
	return name[0] ? text(name, CTL_PROTO_NAME_MAX) : NULL;
}

static struct json_object *encode_summary(const struct ctl_proto_summary *s)
{
	struct json_object *o = json_object_new_object();

	if (!o ||
	    !add_some(o, "domid", json_object_new_uint64(s->domid)) ||
	    (s->name[0] ? !add_some(o, "name", encode_name(s->name)) : !add(o, "name", NULL)) ||
	    !add_some(o, "mode", json_object_new_string(config_mode_name(s->mode))) ||
	    !add_some(o, "pool", json_object_new_uint64(s->pool)) ||
	    !add_some(o, "limit", json_object_new_uint64(s->limit)) ||
	    !add_some(o, "misses", json_object_new_uint64(s->misses)) ||
	    (s->have_xen ? !add_some(o, "psi", json_object_new_uint64(s->psi)) :
			   !add(o, "psi", NULL)) ||
	    (s->have_flush_rate ? !add_some(o, "flush_rate", rate(true, s->flush_rate)) :
				  !add(o, "flush_rate", NULL))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *encode_level(int l, const struct ctl_proto_level *v)
{
	struct json_object *o = json_object_new_object();

	if (!o ||
	    !add_some(o, "level", json_object_new_int(l + 1)) ||
	    !add_some(o, "limit", json_object_new_uint64(v->limit)) ||
	    !add_some(o, "pool", json_object_new_uint64(v->pool)) ||
	    !add_some(o, "hits", json_object_new_uint64(v->hits)) ||
	    !add_some(o, "misses", json_object_new_uint64(v->misses)) ||
	    (v->have_in_use ? !add_some(o, "in_use", json_object_new_uint64(v->in_use)) :
			      !add(o, "in_use", NULL)) ||
	    !add_some(o, "lease_left", json_object_new_uint64(v->lease_left))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *encode_xen(const struct iosup_xen_counters *x)
{
	struct json_object *o = json_object_new_object();

	if (!o ||
	    !add_some(o, "psi", json_object_new_uint64(x->iotlb_psi)) ||
	    !add_some(o, "dsi", json_object_new_uint64(x->iotlb_dsi)) ||
	    !add_some(o, "global", json_object_new_uint64(x->iotlb_global)) ||
	    !add_some(o, "skipped", json_object_new_uint64(x->flushes_skipped)) ||
	    !add_some(o, "unmaps", json_object_new_uint64(x->pt_unmaps)) ||
	    !add_some(o, "maps", json_object_new_uint64(x->pt_maps)) ||
	    !add_some(o, "wait_ns", json_object_new_uint64(x->wait_ns)) ||
	    (x->have_dev_iotlb ? !add_some(o, "dev_iotlb", json_object_new_uint64(x->dev_iotlb)) :
				 !add(o, "dev_iotlb", NULL)) ||
	    (x->have_failed ? !add_some(o, "failed", json_object_new_uint64(x->failed)) :
			      !add(o, "failed", NULL))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A policy key's value as JSON: the mode's name, else its number. */
static struct json_object *policy_value(const struct policy *p, int k)
{
	if (k == POLICY_MODE)
		return json_object_new_string(config_mode_name(p->mode));
	return json_object_new_int64(k == POLICY_MIN_PAGES ? p->min_pages :
				     k == POLICY_MAX_PAGES ? p->max_pages :
				     p->target_flush_rate);
}

/* {"mode": ..., ..., "from": {"mode": "iosupd.conf", ...}} */
static struct json_object *encode_effective(const struct ctl_proto_effective *e)
{
	struct json_object *o = json_object_new_object();
	struct json_object *from = json_object_new_object();
	int k;

	if (!o || !from)
		goto fail;
	for (k = 0; k < POLICY_KEYS; k++) {
		const char *key = policy_key_name((enum policy_key)k);

		if (!add_some(o, key, policy_value(&e->values, k)) ||
		    !add_some(from, key, text(e->from[k], CTL_PROTO_FROM_MAX)))
			goto fail;
	}
	if (!add(o, "from", from)) {
		from = NULL;
		goto fail;
	}
	return o;
fail:
	json_object_put(from);
	json_object_put(o);
	return NULL;
}

static struct json_object *encode_domain(const struct ctl_proto_domain *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *levels = NULL;
	int l;

	if (!o)
		return NULL;
	if (d->have_pool) {
		levels = json_object_new_array();
		if (!levels)
			goto fail;
		for (l = 0; l < CTL_PROTO_LEVELS; l++)
			if (!append(levels, encode_level(l, &d->level[l]))) {
				json_object_put(levels);
				goto fail;
			}
	}
	if (!add_some(o, "domid", json_object_new_uint64(d->domid)) ||
	    (d->name[0] ? !add_some(o, "name", encode_name(d->name)) : !add(o, "name", NULL)) ||
	    !add_some(o, "mode", json_object_new_string(config_mode_name(d->mode))) ||
	    !add(o, "levels", levels) ||
	    (d->have_xen ? !add_some(o, "xen", encode_xen(&d->xen)) : !add(o, "xen", NULL)) ||
	    (d->have_flush_rate ? !add_some(o, "flush_rate", rate(true, d->flush_rate)) :
				  !add(o, "flush_rate", NULL)) ||
	    (d->have_policy ? !add_some(o, "policy", encode_effective(&d->policy)) :
			      !add(o, "policy", NULL)))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

static struct json_object *encode_record(const struct ctl_proto_record *r)
{
	struct json_object *o = json_object_new_object();

	if (!o ||
	    !add_some(o, "time_ms", json_object_new_uint64(r->time_ms)) ||
	    !add_some(o, "level", json_object_new_int(r->level)) ||
	    !add_some(o, "old_limit", json_object_new_uint64(r->old_limit)) ||
	    !add_some(o, "new_limit", json_object_new_uint64(r->new_limit)) ||
	    !add_some(o, "reason", json_object_new_string(ctl_reason_name(r->reason))) ||
	    !add_some(o, "bound", json_object_new_string(ctl_bound_name(r->bound))) ||
	    !add_some(o, "applied", json_object_new_boolean(r->applied)) ||
	    !add_some(o, "misses", json_object_new_uint64(r->misses)) ||
	    !add_some(o, "hits", json_object_new_uint64(r->hits)) ||
	    !add_some(o, "flushes", json_object_new_uint64(r->flushes)) ||
	    !add_some(o, "pool", json_object_new_uint64(r->pool))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *encode_explain(const struct ctl_proto_domain *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	const struct ctl_proto_record *r;
	uint32_t i;

	if (!o || !arr)
		goto fail;
	for (i = 0; (r = ctl_proto_ring_get(&d->decisions, i)); i++)
		if (!append(arr, encode_record(r)))
			goto fail;
	if (!add_some(o, "domid", json_object_new_uint64(d->domid)) ||
	    (d->name[0] ? !add_some(o, "name", encode_name(d->name)) : !add(o, "name", NULL)))
		goto fail;
	if (!add(o, "decisions", arr)) {
		arr = NULL;
		goto fail;
	}
	return o;
fail:
	json_object_put(arr);
	json_object_put(o);
	return NULL;
}

/* {"version":1,"ok":@ok,@key:@payload} as a string; takes @payload. */
static int finish(bool ok, const char *key, struct json_object *payload, char **out, size_t *len)
{
	struct json_object *o;
	const char *s;
	size_t n;
	int r = -ENOMEM;

	if (!payload)
		return -ENOMEM;
	o = json_object_new_object();
	if (!o) {
		json_object_put(payload);
		return -ENOMEM;
	}
	if (!add_some(o, "version", json_object_new_int(CTL_PROTO_VERSION)) ||
	    !add_some(o, "ok", json_object_new_boolean(ok))) {
		json_object_put(payload);
		goto out;
	}
	if (!add(o, key, payload))
		goto out;
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!s)
		goto out;
	if (n > CTL_PROTO_MSG_MAX) {
		r = -EMSGSIZE;
		goto out;
	}
	*out = strdup(s);
	if (!*out)
		goto out;
	*len = n;
	r = 0;
out:
	json_object_put(o);
	return r;
}

int ctl_proto_request_encode(const struct ctl_proto_request *req, char **out, size_t *len)
{
	struct json_object *o = json_object_new_object();
	const char *s;
	size_t n;
	int r = -ENOMEM;

	if (!o)
		return -ENOMEM;
	if ((unsigned int)req->command >= CTL_PROTO_COMMANDS) {
		r = -EINVAL;
		goto out;
	}
	if (!add_some(o, "version", json_object_new_int(CTL_PROTO_VERSION)) ||
	    !add_some(o, "command", json_object_new_string(command_names[req->command])))
		goto out;
	if (ctl_proto_command_has_domid(req->command) &&
	    !add_some(o, "domid", json_object_new_uint64(req->domid)))
		goto out;
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	if (!s)
		goto out;
	*out = strdup(s);
	if (!*out)
		goto out;
	*len = n;
	r = 0;
out:
	json_object_put(o);
	return r;
}

int ctl_proto_reply_encode_error(const char *code, const char *message, char **out, size_t *len)
{
	struct json_object *e = json_object_new_object();

	if (e && (!add_some(e, "code", text(code, CTL_PROTO_CODE_MAX)) ||
		  !add_some(e, "message", text(message, CTL_PROTO_TEXT_MAX)))) {
		json_object_put(e);
		e = NULL;
	}
	return finish(false, "error", e, out, len);
}

int ctl_proto_reply_encode_status(const struct ctl_proto_status *status, char **out, size_t *len)
{
	return finish(true, "status", encode_status(status), out, len);
}

int ctl_proto_reply_encode_domains(const struct ctl_proto_domain *domains, size_t n,
				   char **out, size_t *len)
{
	struct json_object *arr;
	struct ctl_proto_summary s;
	size_t i;

	if (n > CTL_PROTO_DOMAINS_MAX)
		return -EMSGSIZE;
	arr = json_object_new_array();
	for (i = 0; arr && i < n; i++) {
		ctl_proto_summarize(&domains[i], &s);
		if (!append(arr, encode_summary(&s))) {
			json_object_put(arr);
			arr = NULL;
		}
	}
	return finish(true, "domains", arr, out, len);
}

int ctl_proto_reply_encode_domain(const struct ctl_proto_domain *domain, char **out, size_t *len)
{
	return finish(true, "domain", encode_domain(domain), out, len);
}

int ctl_proto_reply_encode_explain(const struct ctl_proto_domain *domain, char **out, size_t *len)
{
	return finish(true, "explain", encode_explain(domain), out, len);
}

int ctl_proto_reply_encode_state(enum ctl_proto_state state, char **out, size_t *len)
{
	return finish(true, "state", json_object_new_string(ctl_proto_state_name(state)), out, len);
}

/* @o as plain JSON (slashes escaped, as json-c does by default), malloc'ed. */
static int plain_string(struct json_object *o, char **out)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	if (!s)
		return -ENOMEM;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int ctl_proto_policy_encode(const char *who, const struct policy *p,
			    const struct ctl_proto_effective *effective, char **out)
{
	struct json_object *o = json_object_new_object();
	int k, r = -ENOMEM;

	if (!o || !add_some(o, "domain", json_object_new_string(who)))
		goto out;
	for (k = 0; k < POLICY_KEYS; k++) {
		struct json_object *v = p->set[k] ? policy_value(p, k) : NULL;

		if ((p->set[k] && !v) || !add(o, policy_key_name((enum policy_key)k), v))
			goto out;
	}
	if (effective ? !add_some(o, "effective", encode_effective(effective)) :
			!add(o, "effective", NULL))
		goto out;
	r = plain_string(o, out);
out:
	json_object_put(o);
	return r;
}

int ctl_proto_status_with_domains(const char *status, const char *domains, char **out)
{
	struct json_object *s = json_tokener_parse(status);
	struct json_object *d = json_tokener_parse(domains);
	struct json_object *list = NULL;
	int r = -EINVAL;

	if (s && d && json_object_is_type(s, json_type_object) &&
	    json_object_object_get_ex(d, "domains", &list)) {
		r = -ENOMEM;
		if (add(s, "domains", json_object_get(list)))
			r = plain_string(s, out);
	}
	json_object_put(s);
	json_object_put(d);
	return r;
}
