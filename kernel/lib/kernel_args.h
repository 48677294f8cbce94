/* Kernel arguments: one line of space-separated words, from the EFI load options,
   the ESP's fpulab.cfg, or the multiboot2 command line. docs/kernel-args.md lists them. */
#ifndef FPULAB_KERNEL_ARGS_H
#define FPULAB_KERNEL_ARGS_H

#define ARGS_MAX_GLOBS 16
#define ARGS_MAX_SELFTESTS 8
#define ARGS_MAX_ERRORS 8
#define ARGS_WORD_SIZE 64

enum exit_method {
	EXIT_DEFAULT,   /* EFI: wait for a key and return; multiboot2: halt */
	EXIT_QEMU,      /* isa-debug-exit at port 0xf4 */
	EXIT_BOCHS,     /* "Shutdown" to port 0x8900 */
	EXIT_HALT,      /* stop the CPU, results stay on screen */
	EXIT_FIRMWARE,  /* return to the firmware at once (EFI) */
};

/* Which backend the policy lab drives (docs/lab.md); all of them by default. */
enum lab_backend_choice {
	LAB_BACKEND_ALL,
	LAB_BACKEND_SIMULATED,  /* backend=sim */
	LAB_BACKEND_HOSTED,     /* backend=hosted */
	LAB_BACKEND_METAL,      /* backend=metal */
};

/* Which clock benchmarks read (docs/method.md, Clocks); auto picks the best that works. */
enum clock_choice {
	CLOCK_CHOICE_AUTO,
	CLOCK_CHOICE_TSC,          /* clock=tsc */
	CLOCK_CHOICE_CORE_CYCLES,  /* clock=core-cycles */
	CLOCK_CHOICE_APERF,        /* clock=aperf */
};

/* Where the lab's metal backend runs scenario CPU 1's guest steps (docs/lab.md). */
enum lab_guests_choice {
	LAB_GUESTS_PER_CPU,        /* lab_guests=per-cpu: each real CPU its own guest */
	LAB_GUESTS_FIRST_CPU,      /* lab_guests=first-cpu: one guest, CPU 1's registers move to it */
};

struct argument_error {
	char word[ARGS_WORD_SIZE];   /* the offending word, cut to fit */
	char reason[96];
};

struct kernel_args {
	char only[ARGS_MAX_GLOBS][ARGS_WORD_SIZE];
	unsigned only_count;
	char skip[ARGS_MAX_GLOBS][ARGS_WORD_SIZE];
	unsigned skip_count;
	char selftests[ARGS_MAX_SELFTESTS][ARGS_WORD_SIZE];
	unsigned selftest_count;
	int quick;
	int raw;
	enum exit_method exit_method;
	enum lab_backend_choice lab_backend;
	enum clock_choice clock;
	enum lab_guests_choice lab_guests;
	struct argument_error errors[ARGS_MAX_ERRORS];
	unsigned error_count;
};

/* Never fails: every bad word becomes an entry in errors[] and is otherwise ignored. */
void kernel_args_parse(const char *line, struct kernel_args *args);
/* Whether a test of this name runs under only=/skip=. */
int kernel_args_selects(const struct kernel_args *args, const char *test_name);
int kernel_args_wants_selftest(const struct kernel_args *args, const char *selftest_name);

#endif
