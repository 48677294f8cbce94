/* Stand-ins for the runner services lab/tests/lab_tests.c calls, other than the test
   results (kernel/lib/test_result.c, shared): kernel/test_runner.c and the console
   are not linkable on the host. Included by test_lab_runner.c only. */
#include "test_runner.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/kernel_args.h"
#include "lab/backends/platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
/* support/harness.c's record medians: no benchmark runs in the unit tests. */
int harness_recorded_median(const char *name, int64_t *p50_hundredths, uint32_t *bytes)
{
	(void)name; (void)p50_hundredths; (void)bytes;
	return -1;
}

const struct lab_platform_backend *lab_platform_backend(void)
{
	return 0;
}
