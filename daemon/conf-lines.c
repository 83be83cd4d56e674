// SPDX-License-Identifier: GPL-2.0-only
/* The "key = value" line reader (conf-lines.h). */
#include "conf-lines.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int conf_fail(char *err, size_t err_len, const char *name, unsigned int line,
	      const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, err_len, "%s:%u: ", name, line);
	if (n >= 0 && (size_t)n < err_len) {
		va_start(ap, fmt);
		vsnprintf(err + n, err_len - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int conf_lines(const char *name, const char *text, size_t len,
	       int (*line)(void *data, unsigned int lineno, const char *key, const char *value,
			   char *err, size_t err_len),
	       void *data, unsigned int *last, char *err, size_t err_len)
{
	char buf[CONF_LINE_MAX + 1], *s, *eq;
	unsigned int lineno = 0;
	size_t pos = 0;
	int r;

	if (last)
		*last = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (last)
			*last = lineno;
		if (n > CONF_LINE_MAX)
			return conf_fail(err, err_len, name, lineno,
					 "line longer than %d characters", CONF_LINE_MAX);
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		if (strlen(buf) != n)
			return conf_fail(err, err_len, name, lineno, "a NUL byte in the line");
		pos += n + (nl ? 1 : 0);
		s = trim(buf);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq)
			return conf_fail(err, err_len, name, lineno,
					 "expected 'key = value', found '%.40s'", s);
		*eq = '\0';
		r = line(data, lineno, trim(s), trim(eq + 1), err, err_len);
		if (r)
			return r;
	}
	return 0;
}
