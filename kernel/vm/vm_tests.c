/* vm/...: fpulab's own guests under VMX or SVM, one exit kind per test. */
#include "vm/vm_test.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "memory.h"
#include "arch/x86.h"
#include "lib/string.h"
#include "arch/apic.h"
#include "arch/cpu_tables.h"

static struct vm_fixture fixture;

/* Runs the guest to completion; 0 when it got there. */
static int run_guest(struct test_result *result, vm_guest_function function, void *argument)
{
	if (vm_fixture_begin(result, &fixture, function, argument))
		return -1;
	if (vm_fixture_run(result, &fixture)) {
		vm_fixture_end(&fixture);
		return -1;
	}
	return 0;
}

static int expect_count(struct test_result *result, enum vm_exit_kind kind, uint64_t expected)
{
	if (fixture.counts[kind] == expected)
		return 0;
	test_fail(result, "%llu %s exits, expected %llu", (unsigned long long)fixture.counts[kind],
		  vm_exit_kind_name(kind), (unsigned long long)expected);
	return -1;
}

static int vm_turned_off(void)
{
	return !(read_cr4() & CR4_VMXE) && !(rdmsr(MSR_EFER) & (1ull << 12));
}

void vm_test_enable_disable(struct test_result *result)
{
	for (int round = 0; round < 3; round++) {
		if (vm_fixture_begin(result, &fixture, guest_nothing, 0))
			return;
		vm_fixture_end(&fixture);
		if (!vm_turned_off())
			return test_fail(result, "after disable: CR4 0x%llx, EFER 0x%llx (VMXE/SVME still set)",
					 (unsigned long long)read_cr4(), (unsigned long long)rdmsr(MSR_EFER));
	}
}

void vm_test_hypercall(struct test_result *result)
{
	uint64_t count = 3;
	if (run_guest(result, guest_ping, &count))
		return;
	expect_count(result, VM_EXIT_HYPERCALL, count + 1);
	vm_fixture_end(&fixture);
}

/* Runs the guest to its first exit of kind and checks the reported instruction
   length (SDM 28.2.5 / APM 15.7.1 nRIP) and that the guest resumes after it. */
static void single_exit(struct test_result *result, vm_guest_function function, void *argument,
			enum vm_exit_kind kind, uint32_t length)
{
	struct vm_exit exit;

	if (vm_fixture_begin(result, &fixture, function, argument))
		return;
	vm_run(&fixture.vcpu, &exit);
	if (exit.kind != kind) {
		vm_fail(result, &fixture, &exit, "wrong first exit");
	} else if (exit.instruction_length != length) {
		vm_fail(result, &fixture, &exit, "wrong instruction length");
	} else if (vm_emulate(&fixture.vcpu, &exit) != 0) {
		vm_fail(result, &fixture, &exit, "emulation failed");
	} else if (fixture.ops->get_rip(&fixture.vcpu) != exit.guest_rip + length) {
		vm_fail(result, &fixture, &exit, "next RIP wrong");
	} else {
		test_diagnostic(result, "raw_exit_reason", "\"0x%llx\"", (unsigned long long)exit.raw_reason);
		test_diagnostic(result, "guest_rip", "\"0x%llx\"", (unsigned long long)exit.guest_rip);
		fixture.counts[kind]++;
		vm_fixture_run(result, &fixture);
	}
	vm_fixture_end(&fixture);
}

void vm_test_hlt(struct test_result *result)
{
	single_exit(result, guest_hlt, 0, VM_EXIT_HLT, 1);
}

void vm_test_cpuid(struct test_result *result)
{
	static struct guest_cpuid block = { .leaf = 0 };
	struct cpuid_result host = cpuid(0, 0);

	single_exit(result, guest_cpuid, &block, VM_EXIT_CPUID, 2);
	if (result->status == TEST_PASS && (block.eax != host.eax || block.ebx != host.ebx))
		test_fail(result, "guest CPUID.0 read 0x%x/0x%x, host 0x%x/0x%x", block.eax, block.ebx,
			  host.eax, host.ebx);
}

void vm_test_xsetbv(struct test_result *result)
{
	static uint64_t values[2];

	if (!(read_cr4() & CR4_OSXSAVE))
		return test_skip(result, "CR4.OSXSAVE=0 (CPUID.1:ECX.XSAVE[26]=0)");
	values[0] = 3;   /* x87 and SSE only: differs from the host's XCR0 when it has AVX */
	values[1] = 0;
	single_exit(result, guest_xsetbv, values, VM_EXIT_XSETBV, 3);
	if (result->status == TEST_FAIL && fixture.vcpu.xcr0_changed_without_exit && values[1] == values[0]) {
		memset(result, 0, sizeof *result);
		return test_skip(result, "%s executed the guest's XSETBV without the XSETBV intercept "
				 "(APM 15.9 misc2[13]; QEMU 7.2 TCG does not implement it): host XCR0 "
				 "restored from XGETBV after the exit", fixture.ops->name);
	}
	if (result->status == TEST_PASS && values[1] != values[0])
		test_fail(result, "guest XGETBV read 0x%llx after XSETBV 0x%llx",
			  (unsigned long long)values[1], (unsigned long long)values[0]);
	if (result->status == TEST_PASS && xgetbv(0) != fpu_baseline_xcr0())
		test_fail(result, "host XCR0 0x%llx after the guest, baseline 0x%llx",
			  (unsigned long long)xgetbv(0), (unsigned long long)fpu_baseline_xcr0());
}

/* A guest XSETBV the CPU would refuse (the opmask state without the rest of AVX-512,
   SDM Vol. 2C, XSETBV) is not emulated: it would fault in the host's XSETBV before the
   next entry. The exit comes back refused, and the host's XCR0 is untouched. */
void vm_test_xsetbv_refused(struct test_result *result)
{
	static uint64_t values[2];
	struct vm_exit exit;
	uint64_t host;

	if (!(read_cr4() & CR4_OSXSAVE))
		return test_skip(result, "CR4.OSXSAVE=0 (CPUID.1:ECX.XSAVE[26]=0)");
	if (!(cpu_features()->xcr0_supported & (1ull << XSTATE_OPMASK)))
		return test_skip(result, "no AVX-512 state in XCR0's supported bits: no partial group to refuse");
	host = xgetbv(0);   /* only now: without CR4.OSXSAVE, XGETBV is #UD */
	values[0] = 7 | (1ull << XSTATE_OPMASK);
	if (vm_fixture_begin(result, &fixture, guest_xsetbv, values))
		return;
	vm_run(&fixture.vcpu, &exit);
	if (exit.kind != VM_EXIT_XSETBV) {
		if (!(fixture.vcpu.xcr0_changed_without_exit))
			vm_fail(result, &fixture, &exit, "wrong first exit");
		else
			test_skip(result, "%s executed the guest's XSETBV without the intercept", fixture.ops->name);
	} else if (vm_emulate(&fixture.vcpu, &exit) == 0) {
		vm_fail(result, &fixture, &exit, "the partial AVX-512 XCR0 was accepted");
	} else if (xgetbv(0) != host) {
		test_fail(result, "the host's XCR0 is 0x%llx after the refusal, was 0x%llx",
			  (unsigned long long)xgetbv(0), (unsigned long long)host);
	}
	vm_fixture_end(&fixture);
}

void vm_test_msr_xfd(struct test_result *result)
{
	static struct guest_msr block;

	block.xfd_written = 1ull << 18;   /* AMX TILEDATA, as Linux arms it */
	block.xfd_read = block.xfd_err_read = ~0ull;
	if (run_guest(result, guest_msr, &block))
		return;
	if (!expect_count(result, VM_EXIT_MSR_WRITE, 1) && !expect_count(result, VM_EXIT_MSR_READ, 2) &&
	    (block.xfd_read != block.xfd_written || block.xfd_err_read != 0))
		test_fail(result, "guest read IA32_XFD 0x%llx (wrote 0x%llx), IA32_XFD_ERR 0x%llx",
			  (unsigned long long)block.xfd_read, (unsigned long long)block.xfd_written,
			  (unsigned long long)block.xfd_err_read);
	test_diagnostic(result, "host_has_xfd", "%d", cpu_features()->has.xfd);
	vm_fixture_end(&fixture);
}

void vm_test_nm_intercept(struct test_result *result)
{
	static struct guest_nm block;

	block.vector = -1;
	if (run_guest(result, guest_nm, &block))
		return;
	if (!expect_count(result, VM_EXIT_CR0_WRITE, 1) && !expect_count(result, VM_EXIT_EXCEPTION, 1)) {
		if (block.vector != 0 || (block.cr0_after & CR0_TS))
			test_fail(result, "guest saw vector %d, CR0 0x%llx after the #NM exit", block.vector,
				  (unsigned long long)block.cr0_after);
	}
	vm_fixture_end(&fixture);
}

void vm_test_create_destroy(struct test_result *result)
{
	/* (Memory is not checked: the fixture gives back every page it took, by rewinding
	   the allocator to its mark, whatever the vCPU code freed.) */
	for (int round = 0; round < 10; round++) {
		if (run_guest(result, guest_nothing, 0))
			return;
		vm_fixture_end(&fixture);
		if (!vm_turned_off())
			return test_fail(result, "round %d: VMXE/SVME still set", round);
	}
}

/* vm/exit/external-interrupt: a fixed self-IPI made pending with the host's interrupts
   masked must end the guest's run, before the guest finishes, as an external-interrupt exit (VMX exit
   reason 1, pin-based "external-interrupt exiting"; SVM #VMEXIT INTR, INTERCEPT_INTR);
   the host then takes the interrupt through its own IDT and the guest finishes.
   SVM: with V_INTR_MASKING=1 a physical interrupt reaches the guest only while the host's
   RFLAGS.IF was 1 at VMRUN (HIF, APM 15.21.1), so the test does CLGI; STI before vm_run
   (the world switch's own CLGI changes nothing) and the interrupt, held by GIF = 0 until
   svm_exit_done's STGI, is taken there. VMX: the exit leaves RFLAGS.IF = 0 and the
   interrupt pending (no "acknowledge interrupt on exit"); STI; NOP; CLI takes it. */
#define EXTERNAL_INTERRUPT_VECTOR 0xee

__attribute__((used)) static volatile uint64_t external_interrupt_hits;
void vm_external_interrupt_stub(void);
__asm__(".pushsection .text\n"
	".global vm_external_interrupt_stub\n"
	"vm_external_interrupt_stub:\n"
	"\tlock incq external_interrupt_hits(%rip)\n"
	"\tiretq\n"
	".popsection\n");

/* The guest opens an RFLAGS.IF window: real hardware (and QEMU) exits at entry already,
   since neither external-interrupt exiting (SDM Vol. 3C, 26.2 and Table 25-5) nor V_INTR_MASKING with
   HIF = 1 (APM 15.21.1) looks at the guest's IF; Bochs 2.7 re-evaluates interrupt
   masking only when RFLAGS.IF changes, so the event masked by the host's CLI stays masked
   across VM entry/VMRUN of an IF = 0 guest until the guest's STI. The exit must come
   before the guest's CLI either way (guest_rip says where). */
static void guest_interrupt_window(void *argument)
{
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
}

void vm_test_external_interrupt(struct test_result *result)
{
	struct vm_exit exit;
	uint64_t saved_gate[2], flags = read_rflags(), hits;
	uint32_t spurious, irr;
	int svm;

	if (!apic_present())
		return test_skip(result, "no enabled local APIC (CPUID.1:EDX.APIC[9]=0 or IA32_APIC_BASE[11]=0): no self-IPI");
	if (vm_fixture_begin(result, &fixture, guest_interrupt_window, 0))
		return;
	svm = fixture.ops == &svm_ops;
	interrupts_disable();
	cpu_tables_replace_gate(EXTERNAL_INTERRUPT_VECTOR, (uint64_t)(uintptr_t)vm_external_interrupt_stub,
				saved_gate);
	spurious = apic_read(LAPIC_REGISTER_SPURIOUS);
	if (!(spurious & 0x100))   /* software-disabled APIC (SDM 11.4.7.2) accepts no fixed IPIs */
		apic_write(LAPIC_REGISTER_SPURIOUS, spurious | 0x100);
	external_interrupt_hits = 0;
	if (svm)
		__asm__ volatile("clgi; sti" ::: "memory");
	apic_send_self_ipi(EXTERNAL_INTERRUPT_VECTOR);
	irr = apic_read(0x200 + (EXTERNAL_INTERRUPT_VECTOR >> 5) * 0x10);
	vm_run(&fixture.vcpu, &exit);
	interrupts_disable();
	/* VMX (and any exit but the expected one): the interrupt is still pending. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	hits = external_interrupt_hits;
	if (hits)
		apic_end_of_interrupt();
	if (exit.kind != VM_EXIT_INTERRUPT) {
		vm_fail(result, &fixture, &exit, "wrong first exit (expected interrupt)");
		test_diagnostic(result, "host_interrupts_taken", "%llu", (unsigned long long)hits);
		test_diagnostic(result, "irr_after_ipi", "\"0x%x\"", irr);
		test_diagnostic(result, "spurious", "\"0x%x\"", spurious);
	} else if (hits != 1) {
		vm_fail(result, &fixture, &exit, "host took the self-IPI a wrong number of times");
		test_diagnostic(result, "host_interrupts_taken", "%llu", (unsigned long long)hits);
	} else {
		test_diagnostic(result, "raw_exit_reason", "\"0x%llx\"", (unsigned long long)exit.raw_reason);
		test_diagnostic(result, "guest_rip", "\"0x%llx\"", (unsigned long long)exit.guest_rip);
		test_diagnostic(result, "vector", "%u", EXTERNAL_INTERRUPT_VECTOR);
		vm_fixture_run(result, &fixture);   /* a second interrupt exit would fail it */
	}
	if (!(spurious & 0x100))
		apic_write(LAPIC_REGISTER_SPURIOUS, spurious);
	cpu_tables_restore_gate(EXTERNAL_INTERRUPT_VECTOR, saved_gate);
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
	vm_fixture_end(&fixture);
}
