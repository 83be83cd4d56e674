/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen's performance counters (a hypervisor built with CONFIG_PERF_COUNTERS),
 * read the way xenperf reads them: the only caller of libxenctrl.
 *
 * A counter is a name and one value per CPU (a single counter) or per
 * element (an array, summed over the CPUs by Xen); each value is 32 bits
 * and wraps, so a difference of two readings is taken value by value.
 */
#ifndef IOSUP_GUEST_PERFC_H
#define IOSUP_GUEST_PERFC_H

#include <stdint.h>
#include <stdio.h>

struct perfc;

/*
 * Opens libxenctrl and sizes the buffers for one reading; -errno, said on
 * stderr, when this is not a privileged domain on a hypervisor with perf
 * counters (-ENOSYS: built without them).
 */
int perfc_open(struct perfc **p);
void perfc_close(struct perfc *p);

/* Takes reading @slot (0 or 1) now, allocating nothing. 0 or -errno. */
int perfc_read(struct perfc *p, unsigned int slot);

/*
 * Prints reading 1 less reading 0 as " key=value" pairs: a single counter
 * by its name (summed over CPUs), an array element as name[i]; names
 * lowered with every run of other than [a-z0-9] made one '_'. Every
 * counter is printed, zero or not, so a missing key is a broken reading.
 */
void perfc_print_delta(const struct perfc *p, FILE *f);

#endif
