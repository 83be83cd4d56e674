/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control protocol between iosupd and iosupctl: one JSON object per
 * message, one request, one reply.
 *
 *   request  {"version":1,"command":"status"}
 *            {"version":1,"command":"domain","domid":3}
 *   reply    {"version":1,"ok":true, ...the command's payload...}
 *            {"version":1,"ok":false,"error":{"code":"no-such-domain",
 *                                             "message":"domain 3 is not managed"}}
 *
 * This file holds the data model the daemon fills (plain structs, no
 * json-c in sight) and the encoders and decoders of both ends. A message
 * that is not one JSON object, has the wrong version, misses a field,
 * has a known field of the wrong type or out of range, or is oversized is
 * an error whose message names the field, and the output is left
 * untouched.
 *
 * Versions. "version" changes only when a message's meaning does: a field
 * removed, renamed, retyped or given another meaning or range. Adding a
 * field to a reply, at any level (nested no deeper than the decoders'
 * limit of 8; today's deepest is 4), is no new version, and so:
 *   - replies: a decoder passes over the fields it does not know, so that
 *     an iosupctl already deployed reads a newer iosupd's replies;
 *   - requests: iosupd refuses a field it does not know ("bad-request"),
 *     so that a client never believes an option was heeded that was not;
 *     a new request field therefore needs a daemon that knows it, and
 *     iosupctl sends one only to such a daemon.
 * Error codes are open too: a client shows one it does not know as it is;
 * and so are a decision's reason and bound, which a client that does not
 * know one shows as "unknown".
 */
#ifndef IOSUP_CTL_PROTO_H
#define IOSUP_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "controller.h"
#include "policy.h"
#include "xen.h"

#define CTL_PROTO_VERSION 1

/*
 * The largest message either side sends. A reply is one SOCK_SEQPACKET
 * datagram, charged to the sender's socket buffer (212992 bytes by
 * default, and the server asks for twice this): 192 KiB leaves room.
 */
#define CTL_PROTO_MSG_MAX (192 * 1024)
/* Requests are a few dozen bytes; anything near this is not one of ours. */
#define CTL_PROTO_REQUEST_MAX 1024

/*
 * Domains in one "domains" reply: 512 of the longest summary still fit in
 * CTL_PROTO_MSG_MAX (the unit test encodes that case). More PV domains
 * with a pool than that on one host is beyond what iosupd is built for.
 */
#define CTL_PROTO_DOMAINS_MAX 512

/* Pool levels as the module numbers them: 1 (PTE) to 4 (pgd pair). */
#define CTL_PROTO_LEVELS 4

/* Recent decisions kept per domain for "explain": about ten periods' worth. */
#define CTL_PROTO_DECISIONS_MAX 32

/* Domain names, printable ASCII only (ctl_proto_set_name() sees to it). */
#define CTL_PROTO_NAME_MAX 64
/* The daemon's reason for its state, and error messages. */
#define CTL_PROTO_TEXT_MAX 160
#define CTL_PROTO_CODE_MAX 32

/* No IOMMU flushes this often; a larger rate is a broken counter. */
#define CTL_PROTO_FLUSH_RATE_MAX 1e12

enum ctl_proto_command {
	CTL_PROTO_STATUS,
	CTL_PROTO_DOMAINS,
	CTL_PROTO_DOMAIN,	/* with a domid */
	CTL_PROTO_EXPLAIN,	/* with a domid */
	CTL_PROTO_RELOAD,
	CTL_PROTO_PAUSE,
	CTL_PROTO_RESUME,
	CTL_PROTO_COMMANDS
};

enum ctl_proto_state {
	CTL_PROTO_RUNNING,	/* deciding and applying */
	CTL_PROTO_PAUSED,	/* by an operator: nothing decided, nothing applied */
	CTL_PROTO_OBSERVE_ONLY,	/* deciding, applying nothing; the reason says why */
	CTL_PROTO_STATES
};

/* Machine-readable error codes, the "code" of an error reply. */
#define CTL_ERR_BAD_REQUEST	"bad-request"		/* not JSON, wrong type, missing or unknown field */
#define CTL_ERR_VERSION		"unsupported-version"
#define CTL_ERR_COMMAND		"unknown-command"
#define CTL_ERR_TOO_LARGE	"too-large"		/* request, or the reply it would need */
#define CTL_ERR_NO_DOMAIN	"no-such-domain"
#define CTL_ERR_PERMISSION	"permission-denied"
#define CTL_ERR_FAILED		"failed"		/* the daemon tried and could not */
#define CTL_ERR_BUSY		"busy"			/* too many clients */

struct ctl_proto_request {
	enum ctl_proto_command command;
	uint32_t domid;		/* DOMAIN and EXPLAIN only */
};

struct ctl_proto_status {
	enum ctl_proto_state state;
	char reason[CTL_PROTO_TEXT_MAX];	/* "" or why, e.g. "pool unavailable" */
	uint32_t period_ms;
	uint64_t memory_cap;	/* bytes all pools may hold together */
	uint64_t memory_used;	/* bytes they hold now */
	uint32_t domains;	/* domains managed */
};

/* One pool level of one domain, as last sampled. */
struct ctl_proto_level {
	uint32_t limit;		/* tables the pool may hold */
	uint64_t pool;		/* tables in it */
	uint64_t hits, misses;
	bool have_in_use;	/* a domU's agent does not report in_use */
	uint64_t in_use;
	uint32_t lease_left;	/* seconds the daemon's limits still hold; 0: none */
};

/* One decision on one level, for "explain": what was decided and from what. */
struct ctl_proto_record {
	uint64_t time_ms;	/* wall clock, milliseconds since the epoch */
	uint8_t level;		/* 1..CTL_PROTO_LEVELS */
	uint32_t old_limit, new_limit;
	enum ctl_reason reason;
	enum ctl_bound bound;
	bool applied;		/* false: observe mode, "would" */
	uint64_t misses, hits;	/* the period's inputs */
	uint64_t flushes;
	uint64_t pool;
};

/* The last CTL_PROTO_DECISIONS_MAX records, oldest overwritten first. */
struct ctl_proto_ring {
	struct ctl_proto_record record[CTL_PROTO_DECISIONS_MAX];
	uint32_t head;		/* where the next record goes */
	uint32_t count;
};

/*
 * Where an effective policy value came from, as people read it: the
 * config file's path, "built-in default", "xenstore
 * /iosup/policy/default", a policy.d file and its line
 * ("/etc/iosup/policy.d/web.conf:3"), "xenstore /iosup/policy/<domid>".
 * Printable ASCII, as every text sent.
 */
#define CTL_PROTO_FROM_MAX 320

/* The policy iosupd applies to a domain, every key set, and each key's source. */
struct ctl_proto_effective {
	struct policy values;
	char from[POLICY_KEYS][CTL_PROTO_FROM_MAX];
};

struct ctl_proto_domain {
	uint32_t domid;
	char name[CTL_PROTO_NAME_MAX];	/* "" when not known */
	enum iosup_mode mode;		/* the effective policy's */
	bool have_pool;			/* the pool's stats were read */
	struct ctl_proto_level level[CTL_PROTO_LEVELS];	/* [0] is level 1 */
	bool have_xen;			/* the hypervisor has the counters */
	struct iosup_xen_counters xen;	/* xen.domid is ignored: see domid */
	bool have_flush_rate;		/* false before two samples */
	double flush_rate;		/* page-selective invalidations a second, last period */
	struct ctl_proto_ring decisions;
	/* DOMAIN only; an iosupd before policy.d sends none. */
	bool have_policy;
	struct ctl_proto_effective policy;
};

/* A line of "domains": enough for a table of every domain. */
struct ctl_proto_summary {
	uint32_t domid;
	char name[CTL_PROTO_NAME_MAX];
	enum iosup_mode mode;
	uint64_t pool;		/* tables pooled, all levels */
	uint64_t limit;		/* the levels' limits, added up */
	uint64_t misses;	/* cumulative, all levels */
	bool have_xen;
	uint64_t psi;		/* page-selective invalidations, cumulative */
	bool have_flush_rate;
	double flush_rate;
};

/* What the daemon keeps up to date for the server to answer from. */
struct ctl_proto_snapshot {
	struct ctl_proto_status status;
	const struct ctl_proto_domain *domains;
	size_t n_domains;
};

struct ctl_proto_reply {
	bool ok;
	char code[CTL_PROTO_CODE_MAX];		/* !ok */
	char message[CTL_PROTO_TEXT_MAX];	/* !ok */
	/* ok, by command: */
	struct ctl_proto_status status;		/* STATUS */
	struct ctl_proto_summary *domains;	/* DOMAINS, malloc'ed by the decoder */
	size_t n_domains;
	struct ctl_proto_domain domain;		/* DOMAIN; EXPLAIN: domid, name, decisions */
	enum ctl_proto_state state;		/* RELOAD, PAUSE, RESUME: the state after */
};

const char *ctl_proto_command_name(enum ctl_proto_command command);
const char *ctl_proto_state_name(enum ctl_proto_state state);
/* Whether the command takes a domid. */
bool ctl_proto_command_has_domid(enum ctl_proto_command command);

/* Copies @name into @out, cut to fit, anything not printable ASCII as '?'. */
void ctl_proto_set_name(char out[CTL_PROTO_NAME_MAX], const char *name);

/* Adds @record to @ring, dropping the oldest when full. */
void ctl_proto_ring_push(struct ctl_proto_ring *ring, const struct ctl_proto_record *record);
/* The @i-th record, 0 the oldest; NULL past the end. */
const struct ctl_proto_record *ctl_proto_ring_get(const struct ctl_proto_ring *ring, uint32_t i);

void ctl_proto_summarize(const struct ctl_proto_domain *d, struct ctl_proto_summary *out);

/*
 * Encoders set *out to a malloc'ed NUL-terminated string (its length in
 * *len) and return 0, or return -ENOMEM, or -EMSGSIZE when the message
 * would exceed CTL_PROTO_MSG_MAX. An error reply always fits.
 */
int ctl_proto_request_encode(const struct ctl_proto_request *req, char **out, size_t *len);
int ctl_proto_reply_encode_error(const char *code, const char *message, char **out, size_t *len);
int ctl_proto_reply_encode_status(const struct ctl_proto_status *status, char **out, size_t *len);
int ctl_proto_reply_encode_domains(const struct ctl_proto_domain *domains, size_t n,
				   char **out, size_t *len);
int ctl_proto_reply_encode_domain(const struct ctl_proto_domain *domain, char **out, size_t *len);
int ctl_proto_reply_encode_explain(const struct ctl_proto_domain *domain, char **out, size_t *len);
int ctl_proto_reply_encode_state(enum ctl_proto_state state, char **out, size_t *len);

/*
 * Decodes a request, refusing any field it does not know. On error returns -EINVAL (-EMSGSIZE when too large)
 * with the reply's error code in @code (CTL_PROTO_CODE_MAX bytes) and a
 * message naming the field in @err.
 */
int ctl_proto_request_decode(const char *buf, size_t len, struct ctl_proto_request *out,
			     char *code, char *err, size_t err_len);

/*
 * Decodes the reply to @command. A well-formed error reply is a success
 * here (out->ok false, out->code and out->message set). Fields it does not
 * know are passed over, at every level. Returns -EINVAL or -EMSGSIZE with
 * a message naming the field in @err for anything else; @out is then as
 * it was. ctl_proto_reply_free() frees what a successful decode allocated.
 */
int ctl_proto_reply_decode(enum ctl_proto_command command, const char *buf, size_t len,
			   struct ctl_proto_reply *out, char *err, size_t err_len);
void ctl_proto_reply_free(struct ctl_proto_reply *reply);

/*
 * iosupctl's own JSON output, made here so that JSON is written and read
 * in one place. Both set *out to a malloc'ed NUL-terminated string.
 */

/*
 * "policy get --json": {"domain":@who,"mode":"observe","min_pages":null,...},
 * every policy key in policy.h's order, null where @p does not set it,
 * then "effective": what iosupd applies with each key's source (as in a
 * DOMAIN reply's "policy"), or null when @effective is NULL (the default
 * layer, or iosupd did not answer). 0 or -ENOMEM.
 */
int ctl_proto_policy_encode(const char *who, const struct policy *p,
			    const struct ctl_proto_effective *effective, char **out);

/*
 * "status --json": the status reply @status with the domains reply
 * @domains' list added as "domains", so that a script sees what a person
 * sees in one object. 0, -EINVAL if either is not such a reply, or
 * -ENOMEM.
 */
int ctl_proto_status_with_domains(const char *status, const char *domains, char **out);

#endif
