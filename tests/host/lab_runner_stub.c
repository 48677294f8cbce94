/* Stand-ins for the runner services lab/tests/lab_tests.c calls (kernel/test_runner.c
   and the console are not linkable on the host). Included by test_lab_runner.c only. */
#include "test_runner.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/kernel_args.h"
#include "lab/backends/platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void stub_reason(struct test_result *result, enum test_status status, const char *format, va_list arguments)
{
	result->status = status;
	format_string_va(result->reason, sizeof result->reason, format, arguments);
}

void test_fail(struct test_result *result, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	if (result->status != TEST_FAIL)
		stub_reason(result, TEST_FAIL, format, arguments);
	va_end(arguments);
}

void test_skip(struct test_result *result, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	stub_reason(result, TEST_SKIP, format, arguments);
	va_end(arguments);
}

void test_diagnostic(struct test_result *result, const char *key, const char *format, ...)
{
	size_t used = strlen(result->diagnostics);
	va_list arguments;
	if (used + 8 >= sizeof result->diagnostics)
		return;
	used += (size_t)format_string(result->diagnostics + used, sizeof result->diagnostics - used, "  %s: ", key);
	va_start(arguments, format);
	if (used < sizeof result->diagnostics)
		used += (size_t)format_string_va(result->diagnostics + used, sizeof result->diagnostics - used,
						 format, arguments);
	va_end(arguments);
	if (used + 1 < sizeof result->diagnostics)
		strcat(result->diagnostics, "\n");
}

static unsigned stub_records;
static char stub_last_record[1200];

void record_emit(const char *kind, struct json_writer *writer)
{
	if (json_finish(writer) != 0) {
		printf("# record %s did not fit its buffer and was dropped\n", kind);
		return;
	}
	stub_records++;
	snprintf(stub_last_record, sizeof stub_last_record, "%s %s", kind, writer->buffer);
	printf("# %s %s\n", kind, writer->buffer);
}

void kprintf(const char *format, ...)
{
	char line[1024];
	va_list arguments;
	va_start(arguments, format);
	format_string_va(line, sizeof line, format, arguments);
	va_end(arguments);
	fputs(line, stdout);
}

/* The run's arguments: the defaults (every backend) unless a test changes them. */
static struct kernel_args stub_arguments;

const struct kernel_args *runner_args(void)
{
	return &stub_arguments;
}

/* The unit tests have no real FPU backend: lab/backend/hosted and lab/backend/metal skip. */
/* bench/harness.c's record medians: no benchmark runs in the unit tests. */
int harness_recorded_median(const char *name, int64_t *p50_hundredths, uint32_t *bytes)
{
	(void)name; (void)p50_hundredths; (void)bytes;
	return -1;
}

const struct lab_platform_backend *lab_platform_backend(void)
{
	return 0;
}
