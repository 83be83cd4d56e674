/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0's memory as the controller weighs it, from /proc/meminfo: the
 * total, what is available without swapping, and PageTables, which holds
 * the tables in use and the pages the pools hold (tick_sample() takes
 * those out: the free ratio is a share of the tables in use). The only
 * reader of that file.
 */
#ifndef IOSUP_MEMINFO_H
#define IOSUP_MEMINFO_H

#include <stddef.h>

#include "tick.h"

/*
 * Parses @len bytes of /proc/meminfo text into pages of 4 KiB. 0, or
 * -EBADMSG when one of the three lines is missing, repeated or malformed.
 */
int meminfo_parse(const char *buf, size_t len, struct tick_memory *out);

/* Reads and parses @path (/proc/meminfo). 0 or -errno. */
int meminfo_read(const char *path, struct tick_memory *out);

#endif
