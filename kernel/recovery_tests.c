/* What an aborted test leaves behind on its CPU: nothing (kernel/cpu_reset.c).
   selftest=nested-nm-hang hangs inside the #NM handler, so the watchdog's NMI arrives
   in another trap's handler; selftest=dirty-abort faults with the CPU's state
   spoiled; kernel/baseline-state, which runs after them (and in every run), finds
   this CPU at its baseline. */
#include "cpu_baseline.h"
#include "console.h"
#include "test_runner.h"
#include "watchdog.h"
#include "arch/safe.h"
#include "arch/trap.h"
#include "arch/x86.h"

__attribute__((noreturn)) static int spin_in_nm_handler(struct trap_frame *frame)
{
	(void)frame;
	for (;;)
		cpu_pause();
}

/* Must end `not ok` with the NMI's dump, "inside the handler of #NM", and every test
   after it `ok`: the trap depth goes back to the test's. */
void selftest_nested_nm_hang(struct test_result *result)
{
	uint32_t mxcsr;

	if (!watchdog_available())
		return test_skip(result, "no NMI watchdog: a hang in the #NM handler could not be ended");
	trap_set_nm_clears_ts(1);   /* left on by the abort: the reset turns it off */
	trap_set_nm_hook(spin_in_nm_handler);
	write_cr0(read_cr0() | CR0_TS);
	stmxcsr_safe(&mxcsr);       /* #NM with CR0.TS set */
	test_fail(result, "STMXCSR with CR0.TS set returned from the #NM handler");
}

/* Must end `not ok` with the #UD's dump, the state cpu_baseline_spoil changed
   restored by the reset (kernel/baseline-state checks it). */
void selftest_dirty_abort(struct test_result *result)
{
	char untouched[200];

	cpu_baseline_spoil(untouched, sizeof untouched);
	if (untouched[0])   /* plain output: the firmware's screen is written between tests */
		kprintf("# selftest/dirty-abort: not spoiled here: %s\n", untouched);
	__asm__ volatile("ud2");
	test_fail(result, "ud2 did not trap");
}

void test_baseline_state(struct test_result *result)
{
	char what[160];

	if (cpu_baseline_differs(what, sizeof what))
		test_fail(result, "this CPU is not at its baseline: %s", what);
}
