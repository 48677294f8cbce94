/* Every exception, NMI and interrupt arrives here from interrupt_entry.asm, on any
   CPU: what a trap needs to know about the CPU it arrived on is in its per-CPU area
   (kernel/arch/per_cpu.h). */
#include "arch/trap.h"
#include "arch/trap_frame.h"
#include "arch/safe.h"
#include "arch/apic.h"
#include "arch/per_cpu.h"
#include "arch/x86.h"
#include "guarded_call.h"
#include "watchdog.h"
#include "test_runner.h"
#include "lib/format.h"

extern const uint64_t safe_fixup_table[], safe_fixup_table_end[];

/* Lazy-FPU style #NM handling for the benchmarks and tests that ask for it: clear
   CR0.TS and return, so the faulting FPU instruction runs again. */
void trap_set_nm_clears_ts(int enable)
{
	this_cpu()->nm_clears_ts = enable;
}

/* XFD #NM handling as Linux does it (handle_xfd_event): read IA32_XFD_ERR, clear it,
   disarm what it names in IA32_XFD and return, so the instruction runs again. */
void trap_set_nm_handles_xfd(int enable)
{
	this_cpu()->nm_handles_xfd = enable;
}

void trap_set_nm_hook(int (*hook)(struct trap_frame *frame))
{
	this_cpu()->nm_hook = hook;
}

void trap_reset_after_abort(void)
{
	struct per_cpu *cpu = this_cpu_checked();

	cpu->trap_depth = 0;
	cpu->nm_clears_ts = cpu->nm_handles_xfd = 0;
	cpu->nm_hook = 0;
}

uint64_t trap_last_xfd_err(void)
{
	return this_cpu()->last_xfd_err;
}

static int handle_xfd_nm(struct per_cpu *cpu)
{
	uint64_t xfd_err = rdmsr(MSR_IA32_XFD_ERR);

	if (!xfd_err)
		return 0;
	wrmsr(MSR_IA32_XFD_ERR, 0);
	wrmsr(MSR_IA32_XFD, rdmsr(MSR_IA32_XFD) & ~xfd_err);
	cpu->last_xfd_err = xfd_err;
	cpu->nm_traps_handled++;
	return 1;
}

uint64_t trap_nm_count(void)
{
	return this_cpu()->nm_traps_handled;
}

uint64_t safe_fixup_find(uint64_t faulting_rip)
{
	for (const uint64_t *entry = safe_fixup_table; entry < safe_fixup_table_end; entry += 2)
		if (entry[0] == faulting_rip)
			return entry[1];
	return 0;
}

/* " (inside the handler of #NM ...)" when the trap arrived in another one's handler. */
static void add_nesting(struct per_cpu *cpu, char *reason, unsigned long size, unsigned long used)
{
	if (cpu->trap_depth > 1 && used < size)
		format_string(reason + used, size - used, " (inside the handler of %s)",
			      exception_name(cpu->trap_vectors[cpu->trap_depth - 1]));
}

/* Ends the test running on this CPU; the handlers it was inside are abandoned with it
   (guarded_call_run puts the trap depth back). Anything else ends the run, or, on a
   CPU other than the first, stops that CPU (the first one sees its call time out). */
static void end_test_or_run(struct per_cpu *cpu, struct trap_frame *frame, const char *reason)
{
	if (cpu->current_call && cpu->trap_depth <= TRAP_MAX_DEPTH) {
		guarded_call_abort(frame, reason);
		return;
	}
	if (cpu->index == 0)
		runner_bail_out_from_trap(frame, reason);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* The first CPU's watchdog NMI ends its test, at whatever depth it arrives. */
static void handle_nmi(struct per_cpu *cpu, struct trap_frame *frame)
{
	char reason[160];
	unsigned long used;

	if (cpu->nmi_hook && cpu->nmi_hook(frame))
		return;
	if (cpu->index == 0 && watchdog_nmi_says_expired() && cpu->current_call) {
		used = (unsigned long)format_string(reason, sizeof reason, "timeout: no return within %u ms",
						    watchdog_armed_milliseconds());
		add_nesting(cpu, reason, sizeof reason, used);
		watchdog_disarm();
		guarded_call_abort(frame, reason);
		return;
	}
	cpu->stray_nmis++;
}

static int handle_nm(struct per_cpu *cpu, struct trap_frame *frame)
{
	if (cpu->nm_hook && cpu->nm_hook(frame))
		return 1;
	if (cpu->nm_clears_ts && (read_cr0() & CR0_TS)) {
		write_cr0(read_cr0() & ~CR0_TS);
		cpu->nm_traps_handled++;
		return 1;
	}
	return cpu->nm_handles_xfd && !(read_cr0() & CR0_TS) && handle_xfd_nm(cpu);
}

static void handle_exception(struct per_cpu *cpu, struct trap_frame *frame)
{
	char reason[160];
	unsigned long used;
	uint64_t fixup;

	if (frame->vector == VECTOR_NM && handle_nm(cpu, frame))
		return;
	fixup = safe_fixup_find(frame->rip);
	if (fixup) {
		frame->rip = fixup;
		frame->rax = frame->vector;
		return;
	}
	used = (unsigned long)format_string(reason, sizeof reason, "%sunexpected exception %s at rip 0x%llx",
					    cpu->index ? "second CPU: " : "", exception_name(frame->vector),
					    (unsigned long long)frame->rip);
	add_nesting(cpu, reason, sizeof reason, used);
	end_test_or_run(cpu, frame, reason);
}

static void handle_interrupt(struct per_cpu *cpu, struct trap_frame *frame)
{
	if (cpu->interrupt_hook) {
		cpu->interrupt_hook(frame);
		return;
	}
	cpu->stray_interrupts++;
	if (frame->vector != APIC_SPURIOUS_VECTOR)   /* a spurious interrupt takes no EOI */
		apic_end_of_interrupt();
}

void trap_dispatch(struct trap_frame *frame)
{
	struct per_cpu *cpu = this_cpu_checked();

	if (++cpu->trap_depth > TRAP_MAX_DEPTH)
		end_test_or_run(cpu, frame, "exception while handling an exception");
	cpu->trap_vectors[cpu->trap_depth] = (uint8_t)frame->vector;
	if (frame->vector == VECTOR_NMI)
		handle_nmi(cpu, frame);
	else if (frame->vector < 32)
		handle_exception(cpu, frame);
	else
		handle_interrupt(cpu, frame);
	cpu->trap_depth--;
}

unsigned trap_depth(void)
{
	return this_cpu()->trap_depth;
}

uint64_t trap_stray_interrupt_count(void)
{
	return this_cpu()->stray_interrupts + this_cpu()->stray_nmis;
}
