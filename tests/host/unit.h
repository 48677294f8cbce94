/* A minimal TAP 14 unit-test harness for the host build of fpulab's portable code. */
#ifndef FPULAB_UNIT_H
#define FPULAB_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_count, unit_failed;

#define CHECK(name, condition)                                                        \
	do {                                                                          \
		unit_count++;                                                         \
		if (condition) {                                                      \
			printf("ok %d - %s\n", unit_count, name);                     \
		} else {                                                              \
			unit_failed++;                                                \
			printf("not ok %d - %s # %s:%d: %s\n", unit_count, name,      \
			       __FILE__, __LINE__, #condition);                       \
		}                                                                     \
	} while (0)

#define CHECK_STRING(name, actual, expected)                                          \
	do {                                                                          \
		const char *unit_actual = (actual), *unit_expected = (expected);      \
		CHECK(name, strcmp(unit_actual, unit_expected) == 0);                 \
		if (strcmp(unit_actual, unit_expected) != 0)                          \
			printf("  ---\n  actual: \"%s\"\n  expected: \"%s\"\n  ...\n",  \
			       unit_actual, unit_expected);                           \
	} while (0)

static inline void unit_begin(void)
{
	printf("TAP version 14\n");
}

static inline int unit_end(void)
{
	printf("1..%d\n", unit_count);
	return unit_failed ? 1 : 0;
}

#endif
