// SPDX-License-Identifier: GPL-2.0-only
/* dom0's memory from /proc/meminfo (see meminfo.h). */
#define _GNU_SOURCE

#include "meminfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* /proc/meminfo is about 1.5 KiB; room for kernels that add lines. */
#define MEMINFO_MAX 8192

/* The kernel prints these in kB; the controller counts 4 KiB pages. */
#define KB_PER_PAGE 4

static const struct {
	const char *name;
	size_t offset;
} fields[] = {
	{ "MemTotal:", offsetof(struct tick_memory, total) },
	{ "MemAvailable:", offsetof(struct tick_memory, available) },
	{ "PageTables:", offsetof(struct tick_memory, page_tables) },
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* "   123456 kB\n" at @p, up to @end: the number of kB, or -1. */
static int64_t parse_kb(const char *p, const char *end)
{
	uint64_t v = 0;
	bool digits = false;

	while (p < end && *p == ' ')
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10 / 1024)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		digits = true;
	}
	if (!digits || end - p != 3 || memcmp(p, " kB", 3))
		return -1;
	return (int64_t)v;
}

int meminfo_parse(const char *buf, size_t len, struct tick_memory *out)
{
	const char *p = buf, *end = buf + len;
	bool seen[N_FIELDS] = { false };
	struct tick_memory m = { 0 };
	size_t f;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		for (f = 0; f < N_FIELDS; f++) {
			size_t n = strlen(fields[f].name);
			int64_t kb;

			if ((size_t)(eol - p) < n || memcmp(p, fields[f].name, n))
				continue;
			kb = parse_kb(p + n, eol);
			if (kb < 0 || seen[f])
				return -EBADMSG;
			seen[f] = true;
			*(uint64_t *)((char *)&m + fields[f].offset) = (uint64_t)kb / KB_PER_PAGE;
		}
		p = eol + 1;
	}
	for (f = 0; f < N_FIELDS; f++)
		if (!seen[f])
			return -EBADMSG;
	if (m.available > m.total || !m.total)
		return -EBADMSG;
	*out = m;
	return 0;
}

int meminfo_read(const char *path, struct tick_memory *out)
{
	char buf[MEMINFO_MAX];
	size_t len = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r)
		return r;
	if (len == sizeof(buf))
		return -EFBIG;
	return meminfo_parse(buf, len, out);
}
