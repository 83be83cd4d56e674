/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing JSON in the protocol tests: ' for " so that the tables stay
 * readable, and one substitution to make a good message bad.
 */
#ifndef IOSUP_TEST_JSON_TEXT_H
#define IOSUP_TEST_JSON_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"

/* @s with every ' made ", in memory of its own. */
static inline char *q(const char *s)
{
	char *out = strdup(s), *p;

	ASSERT_TRUE(out);
	for (p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

/* @base with its one occurrence of @from replaced by @to. */
static inline char *subst(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t n;
	char *out;

	if (!at || strstr(at + 1, from)) {
		fprintf(stderr, "'%s' is not in the message exactly once\n", from);
		ASSERT_TRUE(0);
	}
	n = strlen(base) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	ASSERT_TRUE(out);
	snprintf(out, n + 1, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return out;
}

/* Fails unless @err says @message; @what names the case. */
static inline void expect_in(const char *what, const char *err, const char *message)
{
	if (!strstr(err, message)) {
		fprintf(stderr, "%s: expected '%s' in '%s'\n", what, message, err);
		ASSERT_TRUE(0);
	}
}

#endif
