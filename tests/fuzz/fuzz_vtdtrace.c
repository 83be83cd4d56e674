// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer harness for the rig's log parsers: any line, no crash. */
#include "vtdtrace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console_mark mark;
	struct vtd_record rec;
	char *line = malloc(size + 1);
	int r;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';

	r = vtd_parse_trace_line(line, &rec);
	if (r != 0 && r != -EINVAL && r != -EBADMSG)
		abort();
	if (r == 0 && (rec.event < VTD_EV_OTHER || rec.event >= VTD_EV_COUNT))
		abort();
	if (vtd_parse_console_mark(line, &mark) == 1 &&
	    (mark.phase[0] == '\0' || strlen(mark.phase) >= sizeof(mark.phase)))
		abort();
	free(line);
	return 0;
}
