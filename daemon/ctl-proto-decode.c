// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control protocol's decoders. Both ends check everything they read:
 * the daemon because anyone allowed on the socket may send anything,
 * iosupctl because a reply it misreads would be printed as fact. Every
 * error names the field by its path ("domain.levels[2].hits: ...").
 * Requests are refused with any field they do not know; replies are read
 * for the fields they know, the others passed over (ctl-proto.h says why).
 */
#include "ctl-proto.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <linux/iosup.h>

/*
 * Deepest nesting of a valid message (reply.explain.decisions[i]) is 4;
 * the rest is room for what a newer iosupd may add (ctl-proto.h).
 */
#define JSON_DEPTH_MAX 8
/* Long enough for "domains[511].flush_rate" and the like. */
#define WHERE_MAX 64

struct ctx {
	char *err;
	size_t err_len;
};

__attribute__((format(printf, 2, 3)))
static int bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "path.key", or "key" at the top. A key from outside is shown safely. */
static void join(char out[WHERE_MAX], const char *path, const char *key)
{
	char shown[33];
	size_t i;

	for (i = 0; i + 1 < sizeof(shown) && key[i]; i++)
		shown[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	shown[i] = '\0';
	/* Cut short, a very deep path still names its start in the error. */
	if (snprintf(out, WHERE_MAX, "%s%s%s", path, *path ? "." : "", shown) >= WHERE_MAX)
		out[WHERE_MAX - 1] = '\0';
}

/* Every member of @obj is one of @allowed (NULL-terminated): for requests. */
static int only(struct ctx *c, struct json_object *obj, const char *path,
		const char *const *allowed)
{
	char where[WHERE_MAX];
	const char *const *a;

	json_object_object_foreach(obj, key, val) {
		(void)val;
		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (!*a) {
			join(where, path, key);
			return bad(c, "%s: unknown field", where);
		}
	}
	return 0;
}

/* @key of @obj, of @type; JSON null gives NULL if @nullable. */
static int member(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		  enum json_type type, const char *what, bool nullable, struct json_object **out)
{
	char where[WHERE_MAX];
	struct json_object *v = NULL;

	join(where, path, key);
	if (!json_object_object_get_ex(obj, key, &v))
		return bad(c, "%s: missing", where);
	if (!v && nullable) {
		*out = NULL;
		return 0;
	}
	if (!v || !json_object_is_type(v, type))
		return bad(c, "%s: expected %s", where, what);
	*out = v;
	return 0;
}

static int uint_value(struct ctx *c, struct json_object *v, const char *where, uint64_t max,
		      uint64_t *out)
{
	/*
	 * json-c keeps integers as int64 or uint64; a negative one reads as 0
	 * through get_uint64, hence the int64 look first. One above
	 * UINT64_MAX is clamped by json-c and cannot be told apart.
	 */
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_uint64(v) > max)
		return bad(c, "%s: expected an integer from 0 to %llu", where,
			   (unsigned long long)max);
	*out = json_object_get_uint64(v);
	return 0;
}

/* An integer in [0, @max]; JSON null sets *have false if @have is given. */
static int get_uint(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		    uint64_t max, bool *have, uint64_t *out)
{
	char where[WHERE_MAX];
	struct json_object *v = NULL;

	join(where, path, key);
	if (!json_object_object_get_ex(obj, key, &v))
		return bad(c, "%s: missing", where);
	if (!v && have) {
		*have = false;
		*out = 0;
		return 0;
	}
	if (!v)
		return bad(c, "%s: expected an integer from 0 to %llu", where,
			   (unsigned long long)max);
	if (uint_value(c, v, where, max, out))
		return -EINVAL;
	if (have)
		*have = true;
	return 0;
}

static int get_u32(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		   uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (get_uint(c, obj, path, key, max, NULL, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int get_u64(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		   uint64_t *out)
{
	return get_uint(c, obj, path, key, UINT64_MAX, NULL, out);
}

static int get_bool(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		    bool *out)
{
	struct json_object *v = NULL;

	if (member(c, obj, path, key, json_type_boolean, "true or false", false, &v))
		return -EINVAL;
	*out = json_object_get_boolean(v);
	return 0;
}

/* A rate in [0, CTL_PROTO_FLUSH_RATE_MAX] or null. */
static int get_rate(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		    bool *have, double *out)
{
	char where[WHERE_MAX];
	struct json_object *v = NULL;
	double d;

	join(where, path, key);
	if (!json_object_object_get_ex(obj, key, &v))
		return bad(c, "%s: missing", where);
	if (!v) {
		*have = false;
		*out = 0;
		return 0;
	}
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return bad(c, "%s: expected a number or null", where);
	d = json_object_get_double(v);
	/* json-c takes NaN and Infinity even in strict mode. */
	if (!isfinite(d) || d < 0 || d > CTL_PROTO_FLUSH_RATE_MAX)
		return bad(c, "%s: expected a number from 0 to %g", where, CTL_PROTO_FLUSH_RATE_MAX);
	*have = true;
	*out = d;
	return 0;
}

/*
 * A string shorter than @size, without control characters (nor anything
 * but printable ASCII if @ascii); JSON null is "" if @nullable.
 */
static int get_text(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		    bool nullable, bool ascii, char *out, size_t size)
{
	char where[WHERE_MAX];
	struct json_object *v = NULL;
	const char *s;
	size_t len, i;

	if (member(c, obj, path, key, json_type_string, nullable ? "a string or null" : "a string",
		   nullable, &v))
		return -EINVAL;
	join(where, path, key);
	if (!v) {
		out[0] = '\0';
		return 0;
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len >= size)
		return bad(c, "%s: longer than %zu bytes", where, size - 1);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f || (ascii && ch > 0x7f))
			return bad(c, "%s: contains a byte that is not %s", where,
				   ascii ? "printable ASCII" : "printable");
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* A string that must be one of @count names that @name_of gives. */
/*
 * A name from @name_of's list of @count. An open enum (a decision's
 * reason or bound, which a newer iosupd may add to) takes a name it does
 * not know as @count, whose name reads "unknown"; a closed one refuses it.
 */
static int get_enum_in(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		       const char *(*name_of)(int), int count, bool open, int *out)
{
	char where[WHERE_MAX], value[33], list[160] = "";
	int i;

	if (get_text(c, obj, path, key, false, true, value, sizeof(value)))
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!strcmp(value, name_of(i))) {
			*out = i;
			return 0;
		}
	if (open && value[0]) {
		*out = count;
		return 0;
	}
	for (i = 0; i < count; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? (i == count - 1 ? " or " : ", ") : "", name_of(i));
	join(where, path, key);
	return bad(c, "%s: '%s' is not %s", where, value, list);
}

static int get_enum(struct ctx *c, struct json_object *obj, const char *path, const char *key,
		    const char *(*name_of)(int), int count, int *out)
{
	return get_enum_in(c, obj, path, key, name_of, count, false, out);
}

static const char *mode_name(int i) { return config_mode_name((enum iosup_mode)i); }
static const char *state_name(int i) { return ctl_proto_state_name((enum ctl_proto_state)i); }
static const char *command_name(int i) { return ctl_proto_command_name((enum ctl_proto_command)i); }
static const char *reason_name(int i) { return ctl_reason_name((enum ctl_reason)i); }
static const char *bound_name(int i) { return ctl_bound_name((enum ctl_bound)i); }

/* The controller's enums end where their names do. */
static int count_names(const char *(*name_of)(int))
{
	int i;

	for (i = 0; strcmp(name_of(i), "unknown"); i++)
		;
	return i;
}

#define MODES (IOSUP_MODE_OFF + 1)

/* @buf as one JSON object, and nothing after it but white space. */
static int parse(struct ctx *c, const char *buf, size_t len, size_t max, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	size_t end;
	int r = -EINVAL;

	if (len > max) {
		snprintf(c->err, c->err_len, "message of %zu bytes is over the %zu allowed", len, max);
		return -EMSGSIZE;
	}
	tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		bad(c, "not JSON: %s", e == json_tokener_continue ? "it ends too soon" :
			json_tokener_error_desc(e));
		goto out;
	}
	for (end = json_tokener_get_parse_end(tok); end < len; end++)
		if (!strchr(" \t\r\n", buf[end]) || !buf[end]) {
			bad(c, "not JSON: more after the object");
			goto out;
		}
	if (!json_object_is_type(o, json_type_object)) {
		bad(c, "not a JSON object");
		goto out;
	}
	*out = o;
	o = NULL;
	r = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return r;
}

/* "version" must be ours; its absence or type is a malformed message. */
static int check_version(struct ctx *c, struct json_object *o, bool *unsupported)
{
	struct json_object *v = NULL;

	*unsupported = false;
	if (member(c, o, "", "version", json_type_int, "an integer", false, &v))
		return -EINVAL;
	if (json_object_get_int64(v) != CTL_PROTO_VERSION) {
		*unsupported = true;
		return bad(c, "version: %lld is not supported, only %d",
			   (long long)json_object_get_int64(v), CTL_PROTO_VERSION);
	}
	return 0;
}

int ctl_proto_request_decode(const char *buf, size_t len, struct ctl_proto_request *out,
			     char *code, char *err, size_t err_len)
{
	static const char *const with_domid[] = { "version", "command", "domid", NULL };
	static const char *const without[] = { "version", "command", NULL };
	struct ctx c = { err, err_len };
	struct ctl_proto_request req = { 0 };
	struct json_object *o = NULL;
	const char *fail = CTL_ERR_BAD_REQUEST;
	bool unsupported;
	int cmd = 0, r;	/* cmd: set by get_enum() on success */

	r = parse(&c, buf, len, CTL_PROTO_REQUEST_MAX, &o);
	if (r) {
		if (r == -EMSGSIZE)
			fail = CTL_ERR_TOO_LARGE;
		goto out;
	}
	r = -EINVAL;
	if (check_version(&c, o, &unsupported)) {
		if (unsupported)
			fail = CTL_ERR_VERSION;
		goto out;
	}
	if (get_enum(&c, o, "", "command", command_name, CTL_PROTO_COMMANDS, &cmd)) {
		struct json_object *v = NULL;

		/* A string that names no command is for an unknown-command code. */
		if (json_object_object_get_ex(o, "command", &v) && json_object_is_type(v, json_type_string))
			fail = CTL_ERR_COMMAND;
		goto out;
	}
	req.command = (enum ctl_proto_command)cmd;
	if (only(&c, o, "", ctl_proto_command_has_domid(req.command) ? with_domid : without))
		goto out;
	if (ctl_proto_command_has_domid(req.command) &&
	    get_u32(&c, o, "", "domid", IOSUP_DOMID_FIRST_RESERVED - 1, &req.domid))
		goto out;
	*out = req;
	r = 0;
out:
	if (r)
		snprintf(code, CTL_PROTO_CODE_MAX, "%s", fail);
	json_object_put(o);
	return r;
}

/* Replies. */

static int decode_status(struct ctx *c, struct json_object *o, struct ctl_proto_status *s)
{
	const char *p = "status";
	int state;

	if (get_enum(c, o, p, "state", state_name, CTL_PROTO_STATES, &state) ||
	    get_text(c, o, p, "reason", false, false, s->reason, sizeof(s->reason)) ||
	    get_u32(c, o, p, "period_ms", 3600 * 1000, &s->period_ms) ||
	    get_u64(c, o, p, "memory_cap", &s->memory_cap) ||
	    get_u64(c, o, p, "memory_used", &s->memory_used) ||
	    get_u32(c, o, p, "domains", IOSUP_DOMID_FIRST_RESERVED, &s->domains))
		return -EINVAL;
	s->state = (enum ctl_proto_state)state;
	return 0;
}

static int decode_summary(struct ctx *c, struct json_object *o, const char *p,
			  struct ctl_proto_summary *s)
{
	uint64_t domid;
	int mode;

	if (get_uint(c, o, p, "domid", IOSUP_DOMID_FIRST_RESERVED - 1, NULL, &domid) ||
	    get_text(c, o, p, "name", true, true, s->name, sizeof(s->name)) ||
	    get_enum(c, o, p, "mode", mode_name, MODES, &mode) ||
	    get_u64(c, o, p, "pool", &s->pool) ||
	    get_u64(c, o, p, "limit", &s->limit) ||
	    get_u64(c, o, p, "misses", &s->misses) ||
	    get_uint(c, o, p, "psi", UINT64_MAX, &s->have_xen, &s->psi) ||
	    get_rate(c, o, p, "flush_rate", &s->have_flush_rate, &s->flush_rate))
		return -EINVAL;
	s->domid = (uint32_t)domid;
	s->mode = (enum iosup_mode)mode;
	return 0;
}

static int decode_domains(struct ctx *c, struct json_object *arr, struct ctl_proto_reply *r)
{
	char where[WHERE_MAX];
	size_t i, n = json_object_array_length(arr);

	if (n > CTL_PROTO_DOMAINS_MAX)
		return bad(c, "domains: %zu entries, more than %d", n, CTL_PROTO_DOMAINS_MAX);
	r->domains = calloc(n ? n : 1, sizeof(*r->domains));
	if (!r->domains)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		snprintf(where, sizeof(where), "domains[%zu]", i);
		if (!o || !json_object_is_type(o, json_type_object))
			return bad(c, "%s: expected an object", where);
		if (decode_summary(c, o, where, &r->domains[i]))
			return -EINVAL;
	}
	r->n_domains = n;
	return 0;
}

static int decode_level(struct ctx *c, struct json_object *o, const char *p, int l,
			struct ctl_proto_level *v)
{
	uint64_t level;

	if (get_uint(c, o, p, "level", CTL_PROTO_LEVELS, NULL, &level))
		return -EINVAL;
	if (level != (uint64_t)l + 1)
		return bad(c, "%s.level: %llu where %d belongs", p, (unsigned long long)level, l + 1);
	return get_u32(c, o, p, "limit", IOSUP_LIMIT_MAX, &v->limit) ||
	       get_u64(c, o, p, "pool", &v->pool) ||
	       get_u64(c, o, p, "hits", &v->hits) ||
	       get_u64(c, o, p, "misses", &v->misses) ||
	       get_uint(c, o, p, "in_use", UINT64_MAX, &v->have_in_use, &v->in_use) ||
	       get_u32(c, o, p, "lease_left", IOSUP_LEASE_MAX, &v->lease_left) ? -EINVAL : 0;
}

/*
 * A count the hypervisor may not keep: null or, from an iosupd that
 * predates it, absent, both unknown.
 */
static int get_optional_count(struct ctx *c, struct json_object *o, const char *p,
			      const char *key, bool *have, uint64_t *out)
{
	if (!json_object_object_get_ex(o, key, NULL)) {
		*have = false;
		*out = 0;
		return 0;
	}
	return get_uint(c, o, p, key, UINT64_MAX, have, out);
}

static int decode_xen(struct ctx *c, struct json_object *o, struct iosup_xen_counters *x)
{
	const char *p = "domain.xen";

	return get_u64(c, o, p, "psi", &x->iotlb_psi) ||
	       get_u64(c, o, p, "dsi", &x->iotlb_dsi) ||
	       get_u64(c, o, p, "global", &x->iotlb_global) ||
	       get_u64(c, o, p, "skipped", &x->flushes_skipped) ||
	       get_u64(c, o, p, "unmaps", &x->pt_unmaps) ||
	       get_u64(c, o, p, "maps", &x->pt_maps) ||
	       get_u64(c, o, p, "wait_ns", &x->wait_ns) ||
	       get_optional_count(c, o, p, "dev_iotlb", &x->have_dev_iotlb, &x->dev_iotlb) ||
	       get_optional_count(c, o, p, "failed", &x->have_failed, &x->failed) ? -EINVAL : 0;
}

/* "policy": every key's value, and "from" with every key's source. */
static int decode_effective(struct ctx *c, struct json_object *o, struct ctl_proto_effective *e)
{
	const char *p = "domain.policy";
	struct json_object *from;
	int mode = 0, k;

	if (get_enum(c, o, p, "mode", mode_name, MODES, &mode) ||
	    get_u32(c, o, p, "min_pages", IOSUP_LIMIT_MAX, &e->values.min_pages) ||
	    get_u32(c, o, p, "max_pages", IOSUP_LIMIT_MAX, &e->values.max_pages) ||
	    get_u32(c, o, p, "target_flush_rate", POLICY_FLUSH_RATE_MAX,
		    &e->values.target_flush_rate) ||
	    member(c, o, p, "from", json_type_object, "an object", false, &from))
		return -EINVAL;
	e->values.mode = (enum iosup_mode)mode;
	for (k = 0; k < POLICY_KEYS; k++) {
		e->values.set[k] = true;
		if (get_text(c, from, "domain.policy.from", policy_key_name((enum policy_key)k),
			     false, true, e->from[k], sizeof(e->from[k])))
			return -EINVAL;
	}
	return 0;
}

static int decode_domain(struct ctx *c, struct json_object *o, struct ctl_proto_domain *d)
{
	const char *p = "domain";
	struct json_object *levels, *xen, *pol;
	char where[WHERE_MAX];
	int mode, l;

	if (get_u32(c, o, p, "domid", IOSUP_DOMID_FIRST_RESERVED - 1, &d->domid) ||
	    get_text(c, o, p, "name", true, true, d->name, sizeof(d->name)) ||
	    get_enum(c, o, p, "mode", mode_name, MODES, &mode) ||
	    member(c, o, p, "levels", json_type_array, "an array or null", true, &levels) ||
	    member(c, o, p, "xen", json_type_object, "an object or null", true, &xen) ||
	    get_rate(c, o, p, "flush_rate", &d->have_flush_rate, &d->flush_rate))
		return -EINVAL;
	d->mode = (enum iosup_mode)mode;
	d->have_pool = levels != NULL;
	if (levels) {
		if (json_object_array_length(levels) != CTL_PROTO_LEVELS)
			return bad(c, "domain.levels: %zu entries, not %d",
				   json_object_array_length(levels), CTL_PROTO_LEVELS);
		for (l = 0; l < CTL_PROTO_LEVELS; l++) {
			struct json_object *lo = json_object_array_get_idx(levels, (size_t)l);

			snprintf(where, sizeof(where), "domain.levels[%d]", l);
			if (!lo || !json_object_is_type(lo, json_type_object))
				return bad(c, "%s: expected an object", where);
			if (decode_level(c, lo, where, l, &d->level[l]))
				return -EINVAL;
		}
	}
	d->have_xen = xen != NULL;
	if (xen && decode_xen(c, xen, &d->xen))
		return -EINVAL;
	d->xen.domid = (uint16_t)d->domid;
	/* Optional: an iosupd from before policy.d does not send it. */
	d->have_policy = false;
	if (json_object_object_get_ex(o, "policy", NULL)) {
		if (member(c, o, p, "policy", json_type_object, "an object or null", true, &pol))
			return -EINVAL;
		d->have_policy = pol != NULL;
		if (pol && decode_effective(c, pol, &d->policy))
			return -EINVAL;
	}
	return 0;
}

static int decode_record(struct ctx *c, struct json_object *o, const char *p,
			 struct ctl_proto_record *r)
{
	uint64_t level;
	int reason = 0, bound = 0;	/* set by get_enum(); gcc -O2 cannot tell */

	if (get_u64(c, o, p, "time_ms", &r->time_ms) ||
	    get_u64(c, o, p, "level", &level) ||
	    get_u32(c, o, p, "old_limit", IOSUP_LIMIT_MAX, &r->old_limit) ||
	    get_u32(c, o, p, "new_limit", IOSUP_LIMIT_MAX, &r->new_limit) ||
	    get_enum_in(c, o, p, "reason", reason_name, count_names(reason_name), true,
			&reason) ||
	    get_enum_in(c, o, p, "bound", bound_name, count_names(bound_name), true, &bound) ||
	    get_bool(c, o, p, "applied", &r->applied) ||
	    get_u64(c, o, p, "misses", &r->misses) ||
	    get_u64(c, o, p, "hits", &r->hits) ||
	    get_u64(c, o, p, "flushes", &r->flushes) ||
	    get_u64(c, o, p, "pool", &r->pool))
		return -EINVAL;
	if (level < 1 || level > CTL_PROTO_LEVELS)
		return bad(c, "%s.level: expected an integer from 1 to %d", p, CTL_PROTO_LEVELS);
	r->level = (uint8_t)level;
	r->reason = (enum ctl_reason)reason;
	r->bound = (enum ctl_bound)bound;
	return 0;
}

static int decode_explain(struct ctx *c, struct json_object *o, struct ctl_proto_domain *d)
{
	const char *p = "explain";
	struct json_object *arr;
	struct ctl_proto_record rec;
	char where[WHERE_MAX];
	size_t i, n;

	if (get_u32(c, o, p, "domid", IOSUP_DOMID_FIRST_RESERVED - 1, &d->domid) ||
	    get_text(c, o, p, "name", true, true, d->name, sizeof(d->name)) ||
	    member(c, o, p, "decisions", json_type_array, "an array", false, &arr))
		return -EINVAL;
	n = json_object_array_length(arr);
	if (n > CTL_PROTO_DECISIONS_MAX)
		return bad(c, "explain.decisions: %zu entries, more than %d", n,
			   CTL_PROTO_DECISIONS_MAX);
	for (i = 0; i < n; i++) {
		struct json_object *ro = json_object_array_get_idx(arr, i);

		snprintf(where, sizeof(where), "explain.decisions[%zu]", i);
		if (!ro || !json_object_is_type(ro, json_type_object))
			return bad(c, "%s: expected an object", where);
		if (decode_record(c, ro, where, &rec))
			return -EINVAL;
		ctl_proto_ring_push(&d->decisions, &rec);
	}
	return 0;
}

static int decode_error(struct ctx *c, struct json_object *o, struct ctl_proto_reply *r)
{
	struct json_object *e;

	if (member(c, o, "", "error", json_type_object, "an object", false, &e) ||
	    get_text(c, e, "error", "code", false, true, r->code, sizeof(r->code)) ||
	    get_text(c, e, "error", "message", false, false, r->message, sizeof(r->message)))
		return -EINVAL;
	if (!r->code[0])
		return bad(c, "error.code: empty");
	return 0;
}

static const char *payload_key(enum ctl_proto_command command)
{
	switch (command) {
	case CTL_PROTO_STATUS:
		return "status";
	case CTL_PROTO_DOMAINS:
		return "domains";
	case CTL_PROTO_DOMAIN:
		return "domain";
	case CTL_PROTO_EXPLAIN:
		return "explain";
	default:
		return "state";
	}
}

static int decode_payload(struct ctx *c, enum ctl_proto_command command, struct json_object *o,
			  struct ctl_proto_reply *r)
{
	const char *key = payload_key(command);
	bool array = command == CTL_PROTO_DOMAINS;
	struct json_object *v = NULL;
	int state;

	if (command == CTL_PROTO_RELOAD || command == CTL_PROTO_PAUSE ||
	    command == CTL_PROTO_RESUME) {
		if (get_enum(c, o, "", "state", state_name, CTL_PROTO_STATES, &state))
			return -EINVAL;
		r->state = (enum ctl_proto_state)state;
		return 0;
	}
	if (member(c, o, "", key, array ? json_type_array : json_type_object,
		   array ? "an array" : "an object", false, &v))
		return -EINVAL;
	switch (command) {
	case CTL_PROTO_STATUS:
		return decode_status(c, v, &r->status);
	case CTL_PROTO_DOMAINS:
		return decode_domains(c, v, r);
	case CTL_PROTO_DOMAIN:
		return decode_domain(c, v, &r->domain);
	default:
		return decode_explain(c, v, &r->domain);
	}
}

int ctl_proto_reply_decode(enum ctl_proto_command command, const char *buf, size_t len,
			   struct ctl_proto_reply *out, char *err, size_t err_len)
{
	struct ctx c = { err, err_len };
	struct ctl_proto_reply *r;
	struct json_object *o = NULL;
	bool unsupported;
	int ret;

	if ((unsigned int)command >= CTL_PROTO_COMMANDS)
		return bad(&c, "no such command");
	/* Decoded aside, so that a reply refused half-way changes nothing. */
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = parse(&c, buf, len, CTL_PROTO_MSG_MAX, &o);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (check_version(&c, o, &unsupported) || get_bool(&c, o, "", "ok", &r->ok))
		goto out;
	ret = r->ok ? decode_payload(&c, command, o, r) : decode_error(&c, o, r);
	if (ret)
		goto out;
	*out = *r;
	r->domains = NULL;
out:
	if (r)
		free(r->domains);
	free(r);
	json_object_put(o);
	return ret;
}

void ctl_proto_reply_free(struct ctl_proto_reply *reply)
{
	free(reply->domains);
	reply->domains = NULL;
	reply->n_domains = 0;
}
