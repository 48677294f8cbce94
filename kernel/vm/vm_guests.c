/* Guest payloads: plain C compiled with the kernel's flags, run in guest mode by the
   trampoline in *_entry.asm (64-bit, own stack, the host's page tables). FPU state
   only through the safe wrappers (arch/safe.asm), as on the host. */
#include "vm/vm_test.h"
#include "vm/vm_guest.h"
#include "support/xsave_support.h"
#include "arch/safe.h"
#include "arch/x86.h"

void guest_nothing(void *argument) { }

void guest_ping(void *count)
{
	for (uint64_t i = 0; i < *(uint64_t *)count; i++)
		vm_guest_hypercall(VM_HYPERCALL_PING, i);
}

void guest_hlt(void *argument) { cpu_halt(); }

void guest_cpuid(void *cpuid_block)
{
	struct guest_cpuid *block = cpuid_block;
	struct cpuid_result r = cpuid(block->leaf, 0);
	block->eax = r.eax;
	block->ebx = r.ebx;
	block->ecx = r.ecx;
	block->edx = r.edx;
}

void guest_xsetbv(void *xcr0_and_readback)
{
	uint64_t *values = xcr0_and_readback;
	xsetbv(0, values[0]);
	values[1] = xgetbv(0);
}

void guest_msr(void *msr_block)
{
	struct guest_msr *block = msr_block;
	wrmsr(MSR_IA32_XFD, block->xfd_written);
	block->xfd_read = rdmsr(MSR_IA32_XFD);
	block->xfd_err_read = rdmsr(MSR_IA32_XFD_ERR);
}

/* Sets CR0.TS (a CR0-write exit), then touches SSE state: #NM is intercepted, the
   host clears TS and the instruction runs again, so the guest sees no fault. */
void guest_nm(void *nm_block)
{
	struct guest_nm *block = nm_block;
	write_cr0(read_cr0() | CR0_TS);
	block->vector = sse_touch_safe();
	block->cr0_after = read_cr0();
}

/* Own XCR0, own register patterns, checked after every round trip to the host. */
void guest_fpu(void *fpu_block)
{
	struct guest_fpu *block = fpu_block;

	xsetbv(0, block->xcr0);
	block->xcr0_read = xgetbv(0);
	xrstor_safe(block->patterns, block->mask);
	for (unsigned round = 0; round < block->rounds; round++) {
		vm_guest_hypercall(VM_HYPERCALL_PING, round);
		xsave_safe(block->check, block->mask);
		for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++) {
			if (!((block->mask >> i) & 1))
				continue;
			block->mismatch = xsave_component_compare(block->check, block->patterns,
								  xsave_components(), block->mask, i, 0, 0);
			if (block->mismatch >= 0) {
				block->mismatch += (long)i << 32;
				return;
			}
		}
	}
}

void guest_hang(void *argument)
{
	interrupts_disable();
	for (;;)
		cpu_pause();
}

void guest_loop_hypercall(void *argument) { for (;;) vm_guest_hypercall(VM_HYPERCALL_PING, 0); }
void guest_loop_cpuid(void *argument) { for (;;) (void)cpuid(0, 0); }
void guest_loop_hlt(void *argument) { for (;;) cpu_halt(); }
void guest_loop_xsetbv(void *xcr0) { for (;;) xsetbv(0, *(uint64_t *)xcr0); }
void guest_loop_msr(void *argument) { for (;;) wrmsr(MSR_IA32_XFD, 0); }

void guest_loop_nm(void *argument)
{
	for (;;) {
		write_cr0(read_cr0() | CR0_TS);
		sse_touch_safe();
	}
}
