/* Every exception, NMI and interrupt arrives here from interrupt_entry.asm. */
#include "arch/trap_frame.h"
#include "arch/safe.h"
#include "arch/apic.h"
#include "arch/x86.h"
#include "guarded_call.h"
#include "smp/smp.h"
#include "watchdog.h"
#include "test_runner.h"
#include "lib/format.h"

extern const uint64_t safe_fixup_table[], safe_fixup_table_end[];

static unsigned trap_depth;
static volatile int nm_clears_task_switched;
static volatile uint64_t nm_traps_handled;
static volatile int nm_handles_xfd;
static volatile uint64_t last_xfd_err;

/* Lazy-FPU style #NM handling for the benchmarks and tests that ask for it: clear
   CR0.TS and return, so the faulting FPU instruction runs again. */
void trap_set_nm_clears_ts(int enable)
{
	nm_clears_task_switched = enable;
}

/* XFD #NM handling as Linux does it (handle_xfd_event): read IA32_XFD_ERR, clear it,
   disarm what it names in IA32_XFD and return, so the instruction runs again. */
void trap_set_nm_handles_xfd(int enable)
{
	nm_handles_xfd = enable;
}

uint64_t trap_last_xfd_err(void)
{
	return last_xfd_err;
}

static int handle_xfd_nm(void)
{
	uint64_t xfd_err = rdmsr(MSR_IA32_XFD_ERR);

	if (!xfd_err)
		return 0;
	wrmsr(MSR_IA32_XFD_ERR, 0);
	wrmsr(MSR_IA32_XFD, rdmsr(MSR_IA32_XFD) & ~xfd_err);
	last_xfd_err = xfd_err;
	nm_traps_handled++;
	return 1;
}

uint64_t trap_nm_count(void)
{
	return nm_traps_handled;
}
static uint64_t stray_interrupts, stray_nmis;

uint64_t safe_fixup_find(uint64_t faulting_rip)
{
	for (const uint64_t *entry = safe_fixup_table; entry < safe_fixup_table_end; entry += 2)
		if (entry[0] == faulting_rip)
			return entry[1];
	return 0;
}

static void handle_nmi(struct trap_frame *frame)
{
	char reason[96];

	if (watchdog_nmi_says_expired() && guarded_call_active()) {
		format_string(reason, sizeof reason, "timeout: no return within %u ms",
			      watchdog_armed_milliseconds());
		watchdog_disarm();
		guarded_call_abort(frame, reason);
		return;
	}
	stray_nmis++;
}

static void handle_exception(struct trap_frame *frame)
{
	char reason[96];
	uint64_t fixup = safe_fixup_find(frame->rip);

	if (frame->vector == VECTOR_NM && nm_clears_task_switched && (read_cr0() & CR0_TS)) {
		write_cr0(read_cr0() & ~CR0_TS);
		nm_traps_handled++;
		return;
	}
	if (frame->vector == VECTOR_NM && nm_handles_xfd && !(read_cr0() & CR0_TS) && handle_xfd_nm())
		return;
	if (fixup) {
		frame->rip = fixup;
		frame->rax = frame->vector;
		return;
	}
	format_string(reason, sizeof reason, "unexpected exception %s at rip 0x%llx",
		      exception_name(frame->vector), (unsigned long long)frame->rip);
	if (guarded_call_active() && trap_depth == 1) {
		guarded_call_abort(frame, reason);
		return;
	}
	runner_bail_out_from_trap(frame, reason);
}

void trap_dispatch(struct trap_frame *frame)
{
	if (smp_trap_on_second_cpu(frame))
		return;
	trap_depth++;
	if (trap_depth > 2)
		runner_bail_out_from_trap(frame, "exception while handling an exception");
	if (frame->vector == VECTOR_NMI)
		handle_nmi(frame);
	else if (frame->vector < 32)
		handle_exception(frame);
	else {
		stray_interrupts++;
		if (frame->vector != APIC_SPURIOUS_VECTOR)
			apic_end_of_interrupt();
	}
	trap_depth--;
}

uint64_t trap_stray_interrupt_count(void)
{
	return stray_interrupts + stray_nmis;
}
