/* SPDX-License-Identifier: GPL-2.0-only */
/* Output for people: numbers, sizes and times the way every verb shows them. */
#ifndef IOSUPCTL_FORMAT_H
#define IOSUPCTL_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl-proto.h"

#define FMT_MAX 32

/* "12.0 MiB", "512 B". */
const char *fmt_bytes(char buf[FMT_MAX], uint64_t bytes);
/* A rate with one decimal, or "-" when not known. */
const char *fmt_rate(char buf[FMT_MAX], bool have, double rate);
/* A counter, or "-" when not known. */
const char *fmt_count(char buf[FMT_MAX], bool have, uint64_t value);
/* Local time, "2024-05-01 12:00:01.123". */
const char *fmt_time_ms(char buf[FMT_MAX], uint64_t ms);
/* The name, or "-" when not known. */
const char *fmt_name(const char *name);

/* The daemon's state on one line: "running", "observe-only (pool unavailable)". */
void print_state(FILE *f, const struct ctl_proto_status *s);
/* The status block of the status and top verbs. */
void print_status(FILE *f, const struct ctl_proto_status *s);
/* The domains table: a header, one aligned line per domain. */
void print_domains(FILE *f, const struct ctl_proto_summary *d, size_t n);
/* Each policy key's value and source, "@prefix" before each line. */
void print_effective(FILE *f, const char *prefix, const struct ctl_proto_effective *e);

#endif
