/* The table of tests and the runner that prints them as TAP 14 (docs/output.md). */
#ifndef FPULAB_TEST_RUNNER_H
#define FPULAB_TEST_RUNNER_H

#include <stdint.h>

struct trap_frame;
struct kernel_args;
struct json_writer;

enum test_status { TEST_PASS, TEST_FAIL, TEST_SKIP };

struct test_result {
	enum test_status status;
	char reason[200];
	char diagnostics[2048];   /* YAML lines "  key: value", without --- and ... */
};

#define TEST_SELFTEST 1u      /* runs only when selftest=NAME names it */
#define TEST_DEFAULT_TIMEOUT_MILLISECONDS 60000u

struct test {
	const char *name;
	void (*run)(struct test_result *result);
	uint32_t timeout_milliseconds;   /* 0: the default */
	unsigned flags;
};

extern const struct test test_table[];
extern const unsigned test_table_size;

void test_fail(struct test_result *result, const char *format, ...) __attribute__((format(printf, 2, 3)));
void test_skip(struct test_result *result, const char *format, ...) __attribute__((format(printf, 2, 3)));
void test_diagnostic(struct test_result *result, const char *key, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints "# KIND {json}" from a finished writer. */
void record_emit(const char *kind, struct json_writer *writer);

void runner_start(const struct kernel_args *args, const char *boot_kind, const char *command_line);
void runner_report_argument_errors(void);
void runner_run_all(void);
/* Prints the plan and the end marker; returns the run's status (0, 1 or 2). */
int runner_finish(void);
const struct kernel_args *runner_args(void);
__attribute__((noreturn)) void runner_bail_out(const char *reason);
__attribute__((noreturn)) void runner_bail_out_from_trap(struct trap_frame *frame, const char *reason);

#endif
