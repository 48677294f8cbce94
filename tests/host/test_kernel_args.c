#include "unit.h"
#include "lib/glob.h"
#include "lib/kernel_args.h"

int main(void)
{
	struct kernel_args args;

	unit_begin();
	CHECK("glob/star-spans-slashes", glob_match("xsave/*", "xsave/xsaveopt/avx"));
	CHECK("glob/exact", glob_match("cpu/features", "cpu/features"));
	CHECK("glob/no-prefix-match", !glob_match("cpu", "cpu/features"));
	CHECK("glob/question-mark", glob_match("vm/?mx/*", "vm/vmx/entry") && !glob_match("a?", "a"));
	CHECK("glob/middle-star", glob_match("*/exact/*", "harness/exact/50"));
	CHECK("glob/star-backtracks", glob_match("a*b*c", "axxbyybc") && !glob_match("a*b*c", "axxbyyb"));

	kernel_args_parse("", &args);
	CHECK("args/empty-line-is-defaults", args.error_count == 0 && !args.quick && args.only_count == 0 &&
					       args.exit_method == EXIT_DEFAULT);
	CHECK("args/default-selects-everything", kernel_args_selects(&args, "anything/at/all"));

	kernel_args_parse("  quick\traw only=xsave/*,cpu/* skip=xsave/xsaves* selftest=ud,hang exit=qemu\r\n", &args);
	CHECK("args/flags", args.quick && args.raw && args.error_count == 0);
	CHECK("args/only-list", args.only_count == 2 && !strcmp(args.only[1], "cpu/*"));
	CHECK("args/only-selects", kernel_args_selects(&args, "xsave/xsaveopt") &&
				       kernel_args_selects(&args, "cpu/features") &&
				       !kernel_args_selects(&args, "vm/vmx/entry"));
	CHECK("args/skip-wins", !kernel_args_selects(&args, "xsave/xsaves/avx"));
	CHECK("args/selftests", kernel_args_wants_selftest(&args, "hang") &&
				    !kernel_args_wants_selftest(&args, "gp"));
	CHECK("args/exit-qemu", args.exit_method == EXIT_QEMU);

	kernel_args_parse("bogus only= only=a,,b quick=1 exit=nowhere selftest", &args);
	CHECK("args/every-bad-word-reported", args.error_count == 6);
	CHECK_STRING("args/unknown-word", args.errors[0].word, "bogus");
	CHECK_STRING("args/empty-only", args.errors[1].word, "only=");
	CHECK("args/bad-list-adds-nothing", args.only_count == 0);
	CHECK_STRING("args/value-on-flag", args.errors[3].reason, "this argument takes no value");
	CHECK("args/bad-exit-keeps-default", args.exit_method == EXIT_DEFAULT);
	CHECK_STRING("args/missing-value", args.errors[5].reason, "this argument needs =VALUE");

	kernel_args_parse("backend=sim", &args);
	CHECK("args/backend-sim", args.error_count == 0 && args.lab_backend == LAB_BACKEND_SIMULATED);
	kernel_args_parse("backend=quantum", &args);
	CHECK("args/backend-unknown", args.error_count == 1 && args.lab_backend == LAB_BACKEND_ALL);

	kernel_args_parse("", &args);
	CHECK("args/clock-default-auto", args.clock == CLOCK_CHOICE_AUTO);
	kernel_args_parse("clock=aperf", &args);
	CHECK("args/clock-aperf", args.error_count == 0 && args.clock == CLOCK_CHOICE_APERF);
	kernel_args_parse("clock=core-cycles clock=tsc", &args);
	CHECK("args/clock-last-wins", args.error_count == 0 && args.clock == CLOCK_CHOICE_TSC);
	kernel_args_parse("clock=sundial", &args);
	CHECK("args/clock-unknown", args.error_count == 1 && args.clock == CLOCK_CHOICE_AUTO &&
	      !strcmp(args.errors[0].reason, "clock= takes auto, tsc, core-cycles or aperf"));
	kernel_args_parse("clock", &args);
	CHECK("args/clock-needs-value", args.error_count == 1);
	kernel_args_parse("", &args);
	CHECK("args/lab-guests-default-per-cpu", args.lab_guests == LAB_GUESTS_PER_CPU);
	kernel_args_parse("lab_guests=first-cpu", &args);
	CHECK("args/lab-guests-first-cpu", args.error_count == 0 && args.lab_guests == LAB_GUESTS_FIRST_CPU);
	kernel_args_parse("lab_guests=all", &args);
	CHECK("args/lab-guests-unknown", args.error_count == 1 && args.lab_guests == LAB_GUESTS_PER_CPU &&
	      !strcmp(args.errors[0].reason, "lab_guests= takes per-cpu or first-cpu"));

	kernel_args_parse("a b c d e f g h i j k", &args);
	CHECK("args/error-list-bounded", args.error_count == ARGS_MAX_ERRORS);
	kernel_args_parse("only=0123456789012345678901234567890123456789012345678901234567890123456789", &args);
	CHECK("args/overlong-glob-rejected", args.error_count == 1 && args.only_count == 0);
	return unit_end();
}
