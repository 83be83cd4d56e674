/* SPDX-License-Identifier: GPL-2.0-only */
/* Minimal assertions for the unit tests: say what failed, where, and stop. */
#ifndef IOSUP_TEST_ASSERT_H
#define IOSUP_TEST_ASSERT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT_TRUE(expr)                                                   \
	do {                                                                \
		if (!(expr)) {                                              \
			fprintf(stderr, "%s:%d: assertion failed: %s\n",    \
				__FILE__, __LINE__, #expr);                 \
			abort();                                            \
		}                                                           \
	} while (0)

#define ASSERT_EQ(a, b)                                                     \
	do {                                                                \
		long long _a = (long long)(a), _b = (long long)(b);         \
		if (_a != _b) {                                             \
			fprintf(stderr, "%s:%d: %s == %s: %lld != %lld\n",  \
				__FILE__, __LINE__, #a, #b, _a, _b);        \
			abort();                                            \
		}                                                           \
	} while (0)

#define ASSERT_STREQ(a, b)                                                  \
	do {                                                                \
		const char *_a = (a), *_b = (b);                            \
		if (strcmp(_a, _b)) {                                       \
			fprintf(stderr, "%s:%d: %s == %s: '%s' != '%s'\n",  \
				__FILE__, __LINE__, #a, #b, _a, _b);        \
			abort();                                            \
		}                                                           \
	} while (0)

#endif
