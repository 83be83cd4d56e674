/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "key = value" files iosupd reads (iosupd.conf, policy.d/ *.conf):
 * one line each, "#" comments and blank lines skipped, spaces around key
 * and value dropped. What the keys mean is the caller's.
 */
#ifndef IOSUP_CONF_LINES_H
#define IOSUP_CONF_LINES_H

#include <stddef.h>

/* Longest line taken; a longer one is an error, not silently cut. */
#define CONF_LINE_MAX 512

/*
 * Calls @line for each "key = value" line of @text (@len bytes, not
 * necessarily NUL-terminated), with its number. Stops at the first line
 * that is not one (too long, a NUL in it, no '=') with -EINVAL and
 * "NAME:LINE: what is wrong" in @err, or at the first non-zero return of
 * @line, which is returned (@line sets @err, conf_fail() helps). *@last
 * (if not NULL) is the number of the last line read.
 */
int conf_lines(const char *name, const char *text, size_t len,
	       int (*line)(void *data, unsigned int lineno, const char *key, const char *value,
			   char *err, size_t err_len),
	       void *data, unsigned int *last, char *err, size_t err_len);

/* "NAME:LINE: " and the message into @err; returns -EINVAL. */
__attribute__((format(printf, 5, 6)))
int conf_fail(char *err, size_t err_len, const char *name, unsigned int line,
	      const char *fmt, ...);

#endif
