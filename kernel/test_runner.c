#include "test_runner.h"
#include "console.h"
#include "guarded_call.h"
#include "runner_platform.h"
#include "arch/trap_frame.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/kernel_args.h"
#include "lib/string.h"

static const struct kernel_args *args;
static unsigned tests_reported, tests_failed;
static int bailed_out;

const struct kernel_args *runner_args(void)
{
	return args;
}

void record_emit(const char *kind, struct json_writer *writer)
{
	if (json_finish(writer) != 0) {
		kprintf("# record %s did not fit its buffer and was dropped\n", kind);
		return;
	}
	kprintf("# %s %s\n", kind, writer->buffer);
}

/* Test names and reasons go on one TAP line: no line breaks. */
static void print_single_line(const char *text)
{
	char line[256];
	size_t i;
	for (i = 0; text[i] && i + 1 < sizeof line; i++)
		line[i] = (text[i] == '\n' || text[i] == '\r') ? ' ' : text[i];
	line[i] = 0;
	kprintf("%s", line);
}

static void report(const char *name, const struct test_result *result, const char *yaml_block)
{
	tests_reported++;
	if (result->status == TEST_FAIL) {
		tests_failed++;
		kprintf("not ok %u - %s # ", tests_reported, name);
		print_single_line(result->reason[0] ? result->reason : "failed");
		kprintf("\n");
		if (yaml_block && yaml_block[0])
			kprintf("%s", yaml_block);
		else if (result->diagnostics[0])
			kprintf("  ---\n%s  ...\n", result->diagnostics);
	} else if (result->status == TEST_SKIP) {
		kprintf("ok %u - %s # SKIP ", tests_reported, name);
		print_single_line(result->reason);
		kprintf("\n");
	} else {
		kprintf("ok %u - %s\n", tests_reported, name);
	}
	console_flush_screen();
}

void runner_start(const struct kernel_args *kernel_args, const char *boot_kind, const char *command_line)
{
	char buffer[512];
	struct json_writer writer;

	args = kernel_args;
	kprintf("TAP version 14\n");
	json_begin(&writer, buffer, sizeof buffer);
	json_int(&writer, "schema", 1);
	json_string(&writer, "version", FPULAB_VERSION);
	json_string(&writer, "boot", boot_kind);
	json_string(&writer, "args", command_line);
	record_emit("fpulab", &writer);
}

/* Test names allow [A-Za-z0-9_.:=*+-]; anything else in a bad word becomes '_'. */
static void argument_test_name(const char *word, char *name, size_t size)
{
	size_t length = (size_t)format_string(name, size, "args/%s", word[0] ? word : "(empty)");
	for (size_t i = 5; i < length && i < size; i++) {
		char c = name[i];
		int allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      strchr("_.:=*+-", c) != 0;
		if (!allowed)
			name[i] = '_';
	}
}

/* "ud, gp, ...": the selftests of the table. */
static const char *known_selftests(void)
{
	static char list[160];
	size_t used = 0;

	list[0] = 0;
	for (unsigned i = 0; i < test_table_size; i++)
		if (test_table[i].flags & TEST_SELFTEST)
			used += (size_t)format_string(list + used, sizeof list - used, "%s%s", used ? ", " : "",
						      test_table[i].name + strlen("selftest/"));
	return list;
}

static int selftest_known(const char *selftest)
{
	char name[96];
	format_string(name, sizeof name, "selftest/%s", selftest);
	for (unsigned i = 0; i < test_table_size; i++)
		if ((test_table[i].flags & TEST_SELFTEST) && strcmp(test_table[i].name, name) == 0)
			return 1;
	return 0;
}

void runner_report_argument_errors(void)
{
	struct test_result result;
	char name[96], word[96];

	for (unsigned i = 0; i < args->error_count; i++) {
		memset(&result, 0, sizeof result);
		argument_test_name(args->errors[i].word, name, sizeof name);
		test_fail(&result, "%s: '%s' (ignored; the run goes on with defaults)",
			  args->errors[i].reason, args->errors[i].word);
		report(name, &result, 0);
	}
	for (unsigned i = 0; i < args->selftest_count; i++) {
		if (selftest_known(args->selftests[i]))
			continue;
		memset(&result, 0, sizeof result);
		format_string(word, sizeof word, "selftest=%s", args->selftests[i]);
		argument_test_name(word, name, sizeof name);
		test_fail(&result, "unknown selftest '%s' (known: %s)", args->selftests[i], known_selftests());
		report(name, &result, 0);
	}
}

static int test_selected(const struct test *test)
{
	if (test->flags & TEST_SELFTEST)
		return kernel_args_wants_selftest(args, test->name + strlen("selftest/"));
	return kernel_args_selects(args, test->name);
}

struct test_invocation {
	const struct test *test;
	struct test_result *result;
};

static void invoke_test(void *argument)
{
	struct test_invocation *invocation = argument;
	invocation->test->run(invocation->result);
}

static void run_one(const struct test *test)
{
	static struct guarded_call call;
	static struct test_result result;
	struct test_invocation invocation = { test, &result };
	uint32_t timeout = test->timeout_milliseconds ? test->timeout_milliseconds
						      : TEST_DEFAULT_TIMEOUT_MILLISECONDS;
	uint64_t saved;
	int aborted;

	memset(&result, 0, sizeof result);
	saved = runner_platform_before_test(timeout);   /* kernel: cli, watchdog armed */
	aborted = guarded_call_run(&call, test->name, invoke_test, &invocation);
	runner_platform_after_test(saved, aborted);
	if (aborted)
		test_fail(&result, "%s", call.reason);
	report(test->name, &result, aborted ? call.dump : 0);
}

void runner_run_all(void)
{
	for (unsigned i = 0; i < test_table_size; i++)
		if (test_selected(&test_table[i]))
			run_one(&test_table[i]);
}

int runner_finish(void)
{
	int status = bailed_out ? 2 : tests_failed ? 1 : 0;

	kprintf("1..%u\n", tests_reported);
	kprintf("# fpulab-end status=%d\n", status);
	console_flush_screen();
	return status;
}

void runner_bail_out(const char *reason)
{
	runner_platform_bail_out_begin();
	kprintf("Bail out! ");
	print_single_line(reason);
	kprintf("\n");
	bailed_out = 1;
	runner_platform_end(runner_finish());
}

void runner_bail_out_from_trap(struct trap_frame *frame, const char *reason)
{
	static char dump[2560];
	static int already;

	if (already++) {           /* a fault while bailing out: say so, stop */
		kprintf("Bail out! fault while bailing out\n1..%u\n# fpulab-end status=2\n", tests_reported);
		runner_platform_stop(2);
	}
	trap_frame_format_dump(frame, 0, reason, dump, sizeof dump);
	kprintf("# kernel trap outside any test:\n");
	for (char *line = dump; *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = 0;
		kprintf("#%s\n", line);
		line = end ? end + 1 : line + strlen(line);
	}
	runner_bail_out(reason);
}
