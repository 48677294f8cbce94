/* A test's verdict, reason and YAML diagnostics (kernel/test_runner.h). Portable:
   the kernel's runner and the host's stand-ins share it. */
#include "test_runner.h"
#include "lib/format.h"
#include "lib/string.h"

#include <stdarg.h>

static void set_reason(struct test_result *result, enum test_status status,
		       const char *format, va_list arguments)
{
	result->status = status;
	format_string_va(result->reason, sizeof result->reason, format, arguments);
}

void test_fail(struct test_result *result, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	set_reason(result, TEST_FAIL, format, arguments);
	va_end(arguments);
}

void test_skip(struct test_result *result, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	set_reason(result, TEST_SKIP, format, arguments);
	va_end(arguments);
}

void test_diagnostic(struct test_result *result, const char *key, const char *format, ...)
{
	size_t used = strlen(result->diagnostics);
	va_list arguments;

	if (used + 8 >= sizeof result->diagnostics)
		return;
	used += (size_t)format_string(result->diagnostics + used, sizeof result->diagnostics - used,
				      "  %s: ", key);
	va_start(arguments, format);
	if (used < sizeof result->diagnostics)
		used += (size_t)format_string_va(result->diagnostics + used,
						 sizeof result->diagnostics - used, format, arguments);
	va_end(arguments);
	if (used + 1 < sizeof result->diagnostics)
		string_copy(result->diagnostics + used, "\n", 2);
}
