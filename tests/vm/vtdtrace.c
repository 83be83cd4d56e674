// SPDX-License-Identifier: GPL-2.0-only
#include "vtdtrace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More than a thousand years of seconds: anything longer is not a clock. */
#define MAX_SEC_DIGITS 12

static const struct {
	const char *name;
	enum vtd_event event;
	const char *domain_key;	/* where the event's text names the domain */
} events[] = {
	{ "vtd_inv_desc_iotlb_pages", VTD_EV_IOTLB_PAGES, "domain 0x" },
	{ "vtd_inv_desc_iotlb_domain", VTD_EV_IOTLB_DOMAIN, "domain 0x" },
	{ "vtd_inv_desc_iotlb_global", VTD_EV_IOTLB_GLOBAL, NULL },
	{ "vtd_inv_desc_wait_sw", VTD_EV_WAIT_SW, NULL },
	{ "vtd_iotlb_page_hit", VTD_EV_DMA_HIT, "domain 0x" },
	{ "vtd_iotlb_page_update", VTD_EV_DMA_MISS, "domain 0x" },
	/* Every queued descriptor; only the device-IOTLB ones count. */
	{ "vtd_inv_desc", VTD_EV_DEV_IOTLB, NULL },
	/* The AMD IOMMU's (-device amd-iommu). */
	{ "amdvi_pages_inval", VTD_EV_AMDVI_PAGES, "domain 0x" },
	{ "amdvi_cache_update", VTD_EV_DMA_MISS, "domid 0x" },
};

/*
 * vtd_inv_desc's arguments: "invalidate desc type TYPE high 0xHI low 0xLO".
 * A device-IOTLB descriptor (type "device") carries its device's source id
 * in bits 32..47 of the low quadword (VT-d spec 6.5.2.5). Returns 0 and
 * sets rec's event (VTD_EV_OTHER for another type), or -EINVAL.
 */
static int parse_inv_desc(const char *args, struct vtd_record *rec)
{
	static const char head[] = " invalidate desc type ";
	const char *type = args, *p;
	unsigned long long hi, lo;
	char *end;

	if (strncmp(type, head, sizeof(head) - 1))
		return -EINVAL;
	type += sizeof(head) - 1;
	p = strstr(type, " high 0x");
	if (!p || p == type)
		return -EINVAL;
	p += strlen(" high 0x");
	if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
		return -EINVAL;
	errno = 0;
	hi = strtoull(p, &end, 16);
	if (errno || strncmp(end, " low 0x", strlen(" low 0x")))
		return -EINVAL;
	p = end + strlen(" low 0x");
	if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
		return -EINVAL;
	lo = strtoull(p, &end, 16);
	if (errno || (*end && *end != '\n'))
		return -EINVAL;
	(void)hi;
	if (strncmp(type, "device ", strlen("device ")))
		return 0;
	rec->event = VTD_EV_DEV_IOTLB;
	rec->has_sid = 1;
	rec->sid = (uint16_t)(lo >> 32);
	return 0;
}

const char *vtd_event_name(enum vtd_event ev)
{
	size_t i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (events[i].event == ev)
			return events[i].name;
	return "other";
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int vtd_parse_timestamp(const char **s, uint64_t *usec)
{
	const char *p = *s;
	uint64_t sec = 0, frac = 0;
	int n;

	for (n = 0; is_digit(*p); n++, p++) {
		if (n == MAX_SEC_DIGITS)
			return -EINVAL;
		sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (n == 0 || *p != '.')
		return -EINVAL;
	p++;
	for (n = 0; is_digit(*p); n++, p++) {
		if (n == 6)
			return -EINVAL;
		frac = frac * 10 + (uint64_t)(*p - '0');
	}
	if (n == 0)
		return -EINVAL;
	for (; n < 6; n++)
		frac *= 10;
	*usec = sec * 1000000u + frac;
	*s = p;
	return 0;
}

static int parse_domain(const char *text, const char *key, uint16_t *domain)
{
	const char *p = strstr(text, key);
	unsigned long v;
	char *end;

	if (!p)
		return -EINVAL;
	p += strlen(key);
	if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, 16);
	if (errno || v > UINT16_MAX || (*end && *end != ' ' && *end != '\n'))
		return -EINVAL;
	*domain = (uint16_t)v;
	return 0;
}

static int is_ident(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_';
}

/*
 * Whether line names one of the events we count anywhere, prefix or not: a
 * name not followed by more of an identifier (vtd_inv_desc_iotlb_pagesx
 * would be another event).
 */
static int names_counted_event(const char *line)
{
	size_t i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		size_t len = strlen(events[i].name);
		const char *p = line;

		while ((p = strstr(p, events[i].name))) {
			if (!is_ident(p[len]))
				return 1;
			p += len;
		}
	}
	return 0;
}

static int parse_trace_line(const char *line, struct vtd_record *rec)
{
	const char *p = line, *name;
	size_t i, len;

	if (!is_digit(*p))
		return -EINVAL;
	while (is_digit(*p))
		p++;
	if (*p++ != '@')
		return -EINVAL;
	if (vtd_parse_timestamp(&p, &rec->usec) || *p++ != ':')
		return -EINVAL;

	name = p;
	for (len = 0; is_ident(name[len]); len++)
		;
	rec->event = VTD_EV_OTHER;
	rec->has_domain = 0;
	rec->domain = 0;
	rec->has_sid = 0;
	rec->sid = 0;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (strlen(events[i].name) != len ||
		    strncmp(events[i].name, name, len))
			continue;
		/* "vtd_inv_desc_iotlb_pages(...)" is not the format we know. */
		if (name[len] && name[len] != ' ' && name[len] != '\n')
			return -EINVAL;
		if (events[i].event == VTD_EV_DEV_IOTLB)
			return parse_inv_desc(name + len, rec);
		rec->event = events[i].event;
		if (events[i].domain_key) {
			if (parse_domain(name + len, events[i].domain_key,
					 &rec->domain))
				return -EINVAL;
			rec->has_domain = 1;
		}
		break;
	}
	return 0;
}

int vtd_parse_trace_line(const char *line, struct vtd_record *rec)
{
	int r = parse_trace_line(line, rec);

	if (r == -EINVAL && names_counted_event(line))
		return -EBADMSG;
	return r;
}

int vtd_mark_lag(const uint64_t *times, size_t n, uint64_t stamp,
		 uint64_t quiet, int64_t *lag_us)
{
	size_t lo = 0, hi = n;
	uint64_t after = 0, before = 0;
	int has_after, has_before;

	if (quiet > INT64_MAX)
		return -EINVAL;
	/* lo = the first time at or after stamp. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (times[mid] < stamp)
			lo = mid + 1;
		else
			hi = mid;
	}
	has_after = lo < n && times[lo] - stamp <= quiet;
	if (has_after)
		after = times[lo] - stamp;
	has_before = lo > 0 && stamp - times[lo - 1] <= quiet;
	if (has_before)
		before = stamp - times[lo - 1];

	if (has_after && (!has_before || after <= before))
		*lag_us = (int64_t)after;
	else if (has_before)
		*lag_us = -(int64_t)before;
	else
		return -ENOENT;
	return 0;
}

int vtd_parse_console_mark(const char *line, struct console_mark *mark)
{
	static const char tag[] = "IOSUP-MARK ";
	const char *p = line, *m, *word;
	size_t len;

	if (vtd_parse_timestamp(&p, &mark->usec) || *p != ' ')
		return -EINVAL;
	m = strstr(p, tag);
	if (!m)
		return 0;
	m += sizeof(tag) - 1;
	if (!strncmp(m, "begin ", 6)) {
		mark->kind = MARK_BEGIN;
		m += 6;
	} else if (!strncmp(m, "end ", 4)) {
		mark->kind = MARK_END;
		m += 4;
	} else {
		return 0;	/* ready, done, and marks of other kinds */
	}

	word = m;
	len = strcspn(word, " \r\n");
	if (len == 0 || len >= sizeof(mark->phase))
		return -EINVAL;
	memcpy(mark->phase, word, len);
	mark->phase[len] = '\0';

	mark->procs = 0;
	m = strstr(word + len, " procs=");
	if (mark->kind == MARK_BEGIN && m) {
		char *end;

		m += 7;
		if (!is_digit(*m))
			return -EINVAL;
		errno = 0;
		mark->procs = strtoul(m, &end, 10);
		if (errno || (*end && *end != ' ' && *end != '\r' &&
			      *end != '\n'))
			return -EINVAL;
	}
	return 1;
}
