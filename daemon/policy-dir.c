// SPDX-License-Identifier: GPL-2.0-only
/* policy.d/ *.conf (policy-dir.h): parsed, checked, and found by domain. */
#define _GNU_SOURCE /* asprintf */

#include "policy-dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

/* One load of a directory: where, what it holds so far, whom to tell. */
struct loading {
	const char *path;
	int dirfd;
	struct policy_dir *d;
	void (*bad)(void *data, const char *err);
	void *data;
	int n_bad;
};

/* A file (or files) left out: counted, and said to the caller. */
__attribute__((format(printf, 2, 3)))
static void left_out(struct loading *l, const char *fmt, ...)
{
	char err[1024];
	va_list ap;

	l->n_bad++;
	if (!l->bad)
		return;
	va_start(ap, fmt);
	vsnprintf(err, sizeof(err), fmt, ap);
	va_end(ap);
	l->bad(l->data, err);
}

/* Adds the file @name to what @l holds, or says why not. */
static void load_one(struct loading *l, const char *name)
{
	const struct policy_file *other;
	struct policy_file f;
	size_t len = 0, i;
	char *text = NULL, why[600];
	int r;

	if (!file_name_ok(name)) {
		left_out(l, "%.200s: a file whose name is not printable ASCII, or is %d characters or longer; left out",
			 l->path, POLICY_FILE_NAME_MAX);
		return;
	}
	r = read_file(l->dirfd, name, &text, &len);
	if (r) {
		left_out(l, "%.200s/%s: %s; nothing of it applied", l->path, name, read_error(r));
		return;
	}
	/* Its message names the file by its base name ("web.conf:3: ..."). */
	r = policy_file_parse(name, text, len, &f, why, sizeof(why));
	free(text);
	if (r) {
		left_out(l, "%.200s/%s; nothing of it applied", l->path, why);
		return;
	}
	for (i = 0; i < l->d->n; i++) {
		other = &l->d->files[i];
		if (other->by_uuid == f.by_uuid && !strcmp(other->match, f.match)) {
			left_out(l, "%.200s/%s: %s '%s' is already named by %s; nothing of it applied",
				 l->path, f.name, f.by_uuid ? "uuid" : "name", f.match, other->name);
			return;
		}
	}
	l->d->files[l->d->n++] = f;
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

int policy_dir_load(const char *path, struct policy_dir *out,
		    void (*bad)(void *data, const char *err), void *data)
{
	struct policy_dir d = { 0 };
	struct loading l = { .path = path, .d = &d, .bad = bad, .data = data };
	char **names = NULL;
	size_t n = 0, i;
	DIR *dir;
	int r;

	l.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l.dirfd < 0) {
		if (errno != ENOENT)
			return -errno;
		/* No directory: no files, which is what is applied. */
		policy_dir_free(out);
		return 0;
	}
	dir = fdopendir(l.dirfd);
	if (!dir) {
		r = -errno;
		close(l.dirfd);
		return r;
	}
	r = list_names(dir, &names, &n);
	if (!r && !(d.files = calloc(n ? n : 1, sizeof(*d.files))))
		r = -ENOMEM;
	for (i = 0; !r && i < n; i++) {
		if (i == FILES_MAX) {
			left_out(&l, "%.200s: more than %d files; %zu from %.64s on left out", path,
				 FILES_MAX, n - i, file_name_ok(names[i]) ? names[i] : "?");
			break;
		}
		load_one(&l, names[i]);
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
	return l.n_bad;
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
