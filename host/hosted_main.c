/* fpulab-host: the user-mode subset of fpulab run as a Linux program, with the kernel's
   runner, harness, tests and output contract (docs/output.md, "boot":"host").
   Arguments are the kernel's (docs/kernel-args.md), one per argv word:
       build/host/fpulab-host quick only=harness/calibration/add
   The exit status is the end status: 0 all ok, 1 a test failed, 2 the run bailed out. */
#include "cpu_features.h"
#include "test_runner.h"
#include "timekeeping.h"
#include "support/harness.h"
#include "host/hosted.h"
#include "lib/kernel_args.h"
#include "lib/string.h"

static char command_line[4096];
static struct kernel_args args;

static void join_arguments(int count, char **words)
{
	size_t length = 0;

	for (int i = 1; i < count; i++) {
		if (i > 1 && length + 1 < sizeof command_line)
			command_line[length++] = ' ';
		length += string_copy(command_line + length, words[i], sizeof command_line - length);
		if (length >= sizeof command_line) {
			length = sizeof command_line - 1;
			break;
		}
	}
	command_line[length] = 0;
}

int main(int argc, char **argv)
{
	join_arguments(argc, argv);
	kernel_args_parse(command_line, &args);
	runner_start(&args, "host", command_line);
	runner_report_argument_errors();     /* bad arguments are `not ok` at the top */
	hosted_traps_init();                 /* faults and SIGALRM into kernel/arch/trap.c */
	cpu_features_init();                 /* CPUID; the MSRs read as #GP */
	timekeeping_init();                  /* TSC frequency */
	harness_init();                      /* the benchmark clock: RDPMC faults, so TSC */
	runner_run_all();                    /* host/host_test_table.c */
	return runner_finish();
}
