// SPDX-License-Identifier: GPL-2.0-only
/* policy.d/ *.conf (policy-dir.h): parsed, checked, and found by domain. */
#define _GNU_SOURCE /* asprintf */

#include "policy-dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-lines.h"

/* A policy file is a few lines; a huge one is a mistake. */
#define FILE_MAX (16 * 1024)
/* More files than domains a host runs is a mistake too. */
#define FILES_MAX 4096

/*
 * A domain's name as a file may name it: printable ASCII without spaces
 * (xl refuses names it could not parse back; a space would be trimmed).
 */
static bool name_ok(const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= POLICY_MATCH_MAX)
		return false;
	for (p = name; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

struct parse_state {
	const char *name;
	struct policy_file *f;
	bool matched;
};

static int parse_line(void *data, unsigned int lineno, const char *key, const char *value,
		      char *err, size_t err_len)
{
	struct parse_state *st = data;
	struct policy_file *f = st->f;
	char msg[160];
	int k;

	if (!strcmp(key, "name") || !strcmp(key, "uuid")) {
		bool uuid = key[0] == 'u';

		if (st->matched)
			return conf_fail(err, err_len, st->name, lineno,
					 "%s: the file already names its domain (by %s); one name or uuid a file",
					 key, f->by_uuid ? "uuid" : "name");
		if (uuid ? !policy_uuid_parse(value, f->match) : !name_ok(value))
			return conf_fail(err, err_len, st->name, lineno, uuid ?
					 "uuid: '%.40s' is not a UUID (8-4-4-4-12 hex digits)" :
					 "name: '%.40s' is not a domain name (printable, no spaces, under 64 characters)",
					 value);
		if (!uuid)
			strcpy(f->match, value);
		f->by_uuid = uuid;
		st->matched = true;
		return 0;
	}
	k = policy_key_parse(key, strlen(key));
	if (k < 0)
		return conf_fail(err, err_len, st->name, lineno,
				 "unknown key '%.40s' (name, uuid, " POLICY_KEY_LIST ")",
				 key);
	if (f->policy.set[k])
		return conf_fail(err, err_len, st->name, lineno, "%s: set twice (first on line %u)",
				 key, f->line[k]);
	if (policy_set(&f->policy, (enum policy_key)k, value, strlen(value), msg, sizeof(msg)))
		return conf_fail(err, err_len, st->name, lineno, "%s", msg);
	f->line[k] = lineno;
	return 0;
}

int policy_file_parse(const char *name, const char *text, size_t len,
		      struct policy_file *out, char *err, size_t err_len)
{
	struct policy_file f = { 0 };
	struct parse_state st = { .name = name, .f = &f };
	unsigned int last;
	int r;

	if (strlen(name) >= sizeof(f.name))
		return conf_fail(err, err_len, name, 0, "a file's name is under %d characters",
				 POLICY_FILE_NAME_MAX);
	strcpy(f.name, name);
	r = conf_lines(name, text, len, parse_line, &st, &last, err, err_len);
	if (r)
		return r;
	if (!st.matched)
		return conf_fail(err, err_len, name, last,
				 "no 'name =' or 'uuid =': the file names no domain");
	if (f.policy.set[POLICY_MIN_PAGES] && f.policy.set[POLICY_MAX_PAGES] &&
	    f.policy.min_pages > f.policy.max_pages)
		return conf_fail(err, err_len, name, f.line[POLICY_MIN_PAGES],
				 "min_pages (%u) is above max_pages (%u)", f.policy.min_pages,
				 f.policy.max_pages);
	*out = f;
	return 0;
}

static bool is_conf(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".conf");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file @name in @dirfd, read whole: a regular file of at most FILE_MAX. */
static int read_file(int dirfd, const char *name, char **text, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EBADF;
	else if (st.st_size > FILE_MAX)
		r = -EFBIG;
	else if (!(*text = malloc(FILE_MAX + 1)))
		r = -ENOMEM;
	if (!r) {
		/* One read more than the limit: a file that grew is caught too. */
		n = read(fd, *text, FILE_MAX + 1);
		if (n < 0 || n > FILE_MAX) {
			r = n < 0 ? -errno : -EFBIG;
			free(*text);
		} else {
			*len = (size_t)n;
		}
	}
	close(fd);
	return r;
}

static const char *read_error(int r)
{
	switch (r) {
	case -EBADF:	/* read_file()'s, as no errno says it */
		return "not a regular file";
	case -EFBIG:
		return "larger than 16 KiB";
	default:
		return strerror(-r);
	}
}

/* Adds the file @name (in @dirfd) to @d, or says why not. */
static void load_one(int dirfd, const char *path, const char *name, struct policy_dir *d,
		     void (*bad)(void *data, const char *err), void *data, int *n_bad)
{
	char err[1024], why[600];
	const struct policy_file *other;
	struct policy_file f;
	size_t len = 0, i;
	char *text = NULL;
	int r;

	r = read_file(dirfd, name, &text, &len);
	if (r) {
		snprintf(err, sizeof(err), "%.200s/%.200s: %.200s; nothing of it applied", path,
			 name, read_error(r));
		goto fail;
	}
	/* Its message names the file by its base name ("web.conf:3: ..."). */
	r = policy_file_parse(name, text, len, &f, why, sizeof(why));
	free(text);
	if (r) {
		snprintf(err, sizeof(err), "%.200s/%s; nothing of it applied", path, why);
		goto fail;
	}
	for (i = 0; i < d->n; i++) {
		other = &d->files[i];
		if (other->by_uuid == f.by_uuid && !strcmp(other->match, f.match)) {
			snprintf(err, sizeof(err),
				 "%.200s/%s: %s '%s' is already named by %s; nothing of it applied",
				 path, f.name, f.by_uuid ? "uuid" : "name", f.match, other->name);
			goto fail;
		}
	}
	d->files[d->n++] = f;
	return;
fail:
	(*n_bad)++;
	if (bad)
		bad(data, err);
}

/* The *.conf names in @dir, sorted, into *@names (*@n of them). */
static int list_names(DIR *dir, char ***names, size_t *n)
{
	size_t room = 0;
	struct dirent *e;
	char **more;

	*names = NULL;
	*n = 0;
	for (;;) {
		/* readdir() says an error only through errno; nothing else may set it between. */
		errno = 0;
		e = readdir(dir);
		if (!e)
			break;
		if (!is_conf(e->d_name))
			continue;
		if (*n == room) {
			room = room ? 2 * room : 16;
			more = realloc(*names, room * sizeof(**names));
			if (!more)
				return -ENOMEM;
			*names = more;
		}
		(*names)[*n] = strdup(e->d_name);
		if (!(*names)[*n])
			return -ENOMEM;
		(*n)++;
	}
	if (errno)
		return -errno;
	if (*n)
		qsort(*names, *n, sizeof(**names), by_name);
	return 0;
}

/* Whether a file's name can be said as it is, and fits a policy_file. */
static bool file_name_ok(const char *name)
{
	const char *p;

	if (strlen(name) >= POLICY_FILE_NAME_MAX)
		return false;
	for (p = name; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return false;
	return true;
}

int policy_dir_load(const char *path, struct policy_dir *out,
		    void (*bad)(void *data, const char *err), void *data)
{
	struct policy_dir d = { 0 };
	char **names = NULL, err[CONF_LINE_MAX];
	int dirfd, n_bad = 0, r;
	size_t n = 0, i;
	DIR *dir;

	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno != ENOENT)
			return -errno;
		/* No directory: no files, which is what is applied. */
		policy_dir_free(out);
		return 0;
	}
	dir = fdopendir(dirfd);
	if (!dir) {
		r = -errno;
		close(dirfd);
		return r;
	}
	r = list_names(dir, &names, &n);
	if (!r && !(d.files = calloc(n ? n : 1, sizeof(*d.files))))
		r = -ENOMEM;
	for (i = 0; !r && i < n; i++) {
		if (i == FILES_MAX) {
			snprintf(err, sizeof(err), "%.200s: more than %d files; %zu from %.64s on left out",
				 path, FILES_MAX, n - i, file_name_ok(names[i]) ? names[i] : "?");
			n_bad++;
			if (bad)
				bad(data, err);
			break;
		}
		if (!file_name_ok(names[i])) {
			snprintf(err, sizeof(err),
				 "%.200s: a file whose name is not printable ASCII, or is %d characters or longer; left out",
				 path, POLICY_FILE_NAME_MAX);
			n_bad++;
			if (bad)
				bad(data, err);
			continue;
		}
		load_one(dirfd, path, names[i], &d, bad, data, &n_bad);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	/* What could not be read leaves what was applied as it was. */
	if (r) {
		free(d.files);
		return r;
	}
	policy_dir_free(out);
	*out = d;
	return n_bad;
}

char *policy_dir_beside(const char *config_path)
{
	const char *slash = strrchr(config_path, '/');
	int n = slash ? (int)(slash - config_path) + 1 : 0;
	char *path;

	return asprintf(&path, "%.*spolicy.d", n, config_path) < 0 ? NULL : path;
}

void policy_dir_free(struct policy_dir *d)
{
	free(d->files);
	*d = (struct policy_dir){ 0 };
}

const struct policy_file *policy_dir_find(const struct policy_dir *d, const char *name,
					  const char *uuid)
{
	size_t i;

	/* A UUID is the toolstack's and unique; a name can be reused: UUID first. */
	if (uuid && *uuid)
		for (i = 0; i < d->n; i++)
			if (d->files[i].by_uuid && !strcmp(d->files[i].match, uuid))
				return &d->files[i];
	if (name && *name)
		for (i = 0; i < d->n; i++)
			if (!d->files[i].by_uuid && !strcmp(d->files[i].match, name))
				return &d->files[i];
	return NULL;
}
