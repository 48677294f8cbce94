/* vm/gs-base: the per-CPU area across the world switch, on each CPU. A guest (plain
   C of this image) reaches the host CPU's area through its own GS base (VMX: copied
   into the VMCS at setup; SVM: the host's, which VMRUN leaves loaded), then writes
   IA32_GS_BASE: under VMX the guest's own, and the exit loads HOST_GS_BASE (SDM Vol.
   3C, 28.5.2); under SVM the write exits (kernel/svm/svm_vmcb.c) and is refused. After
   it the host's GS base must still point at its own area. */
#include "vm/vm_test.h"
#include "smp/smp.h"
#include "arch/per_cpu.h"
#include "arch/x86.h"
#include "lib/format.h"

#define SECOND_CPU_CALL_MILLISECONDS 2000

struct gs_check {
	struct test_result *result;
	uint64_t index_seen, written;
	uint64_t refused, gs_base_after;
	int failed;
};

static struct vm_fixture fixture;

static void guest_reads_then_writes_gs_base(void *argument)
{
	struct gs_check *check = argument;

	check->index_seen = this_cpu()->index;
	wrmsr(MSR_GS_BASE, check->written);
}

/* Runs the guest to its end: a refused GS base write is skipped, anything else the
   fixture's emulation handles. */
static int run_to_done(struct gs_check *check)
{
	struct vm_exit exit;

	for (;;) {
		vm_run(&fixture.vcpu, &exit);
		if (exit.kind == VM_EXIT_HYPERCALL && fixture.vcpu.regs.rax == VM_HYPERCALL_DONE)
			return 0;
		if (exit.kind == VM_EXIT_MSR_WRITE && (uint32_t)fixture.vcpu.regs.rcx == MSR_GS_BASE) {
			check->refused++;
			vm_skip_instruction(&fixture.vcpu, &exit);
		} else if (vm_emulate(&fixture.vcpu, &exit) != 0) {
			vm_fail(check->result, &fixture, &exit, "unexpected VM exit");
			return -1;
		}
	}
}

/* On the CPU under test. A broken GS base is put back at once, and said. */
static void check_here(void *argument)
{
	struct gs_check *check = argument;
	uint64_t own = (uint64_t)(uintptr_t)per_cpu_check_gs_base();

	check->written = own ^ 0x1000;   /* another address, mapped: a wrong pointer, not a fault */
	check->failed = 1;
	if (vm_fixture_begin(check->result, &fixture, guest_reads_then_writes_gs_base, check))
		return;
	if (run_to_done(check) == 0)
		check->failed = 0;
	check->gs_base_after = rdmsr(MSR_GS_BASE);
	if (check->gs_base_after != own)
		wrmsr(MSR_GS_BASE, own);   /* before anything reads this_cpu() */
	vm_fixture_end(&fixture);
}

static int verdict(struct test_result *result, const struct gs_check *check, unsigned cpu)
{
	test_diagnostic(result, cpu ? "second_cpu_refused_writes" : "refused_writes", "%llu",
			(unsigned long long)check->refused);
	if (check->failed)
		return -1;
	if (check->index_seen != cpu)
		return test_fail(result, "a guest on CPU %u found the per-CPU area of CPU %llu", cpu,
				 (unsigned long long)check->index_seen), -1;
	if (check->gs_base_after != (uint64_t)(uintptr_t)per_cpu_of(cpu))
		return test_fail(result, "CPU %u: the guest's GS base write reached the host (GS base 0x%llx, area 0x%llx)",
				 cpu, (unsigned long long)check->gs_base_after,
				 (unsigned long long)(uintptr_t)per_cpu_of(cpu)), -1;
	return 0;
}

void vm_test_gs_base(struct test_result *result)
{
	struct gs_check here = { .result = result }, there = { .result = result };
	enum smp_call_status status;

	check_here(&here);
	if (verdict(result, &here, 0) || result->status != TEST_PASS)
		return;
	if (smp_unavailable())
		return test_diagnostic(result, "second_cpu", "\"%s\"", smp_unavailable());
	status = smp_call(check_here, &there, SECOND_CPU_CALL_MILLISECONDS);
	if (status != SMP_CALL_DONE)
		return test_fail(result, "the second CPU's check did not return (%s)",
				 status == SMP_CALL_FAULT ? smp_fault_reason() : "timeout or no CPU");
	verdict(result, &there, 1);
}
