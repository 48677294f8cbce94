/* kernel/...: checks of fpulab's own machinery, run on every boot so a platform where
   fault recovery, the watchdog or memory do not work is caught before the numbers. */
#include "cpu_features.h"
#include "guarded_call.h"
#include "memory.h"
#include "test_runner.h"
#include "timekeeping.h"
#include "watchdog.h"
#include "arch/apic.h"
#include "arch/cpu_tables.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/string.h"

#define MSR_NEVER_DEFINED 0xc0de0000u
#define MSR_X2APIC_TASK_PRIORITY 0x808
#define MSR_VM_HSAVE_PA 0xc0010117
#define NON_CANONICAL_ADDRESS 0x8000000000000000ull
#define APIC_BASE_X2APIC_MODE (1ull << 10)
#define CR4_VMXE (1ull << 13)
#define CR4_SMXE (1ull << 14)
#define CR4_BIT28_RESERVED (1ull << 28)
#define WATCHDOG_CHECK_MILLISECONDS 200

/* An MSR write that #GPs here, found through wrmsr_safe itself: an undefined index
   (faults on hardware), else a non-canonical IA32_KERNEL_GS_BASE (SDM Vol. 4: faults on
   hardware and in Bochs, which ignores undefined MSRs by default), else an x2APIC register while the local APIC is in
   xAPIC mode (SDM Vol. 3A, 11.12.1), else a misaligned VM_HSAVE_PA (AMD APM Vol. 2,
   15.30.4; the one QEMU's TCG faults on, since it ignores undefined MSRs). Each value
   is harmless where the write does not fault. msr == 0 when none faults. */
struct faulting_msr_write {
	uint32_t msr;
	uint64_t value;
};

struct faulting_msr_write msr_write_that_faults(void)
{
	static const struct faulting_msr_write candidates[] = {
		{ MSR_NEVER_DEFINED, 0 }, { MSR_KERNEL_GS_BASE, NON_CANONICAL_ADDRESS },
		{ MSR_X2APIC_TASK_PRIORITY, 0 }, { MSR_VM_HSAVE_PA, 1 },
	};
	struct faulting_msr_write none = { 0, 0 };
	uint64_t apic_base = 0;

	rdmsr_safe(MSR_IA32_APIC_BASE, &apic_base);
	for (unsigned i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		if (candidates[i].msr == MSR_X2APIC_TASK_PRIORITY && (apic_base & APIC_BASE_X2APIC_MODE))
			continue;
		if (wrmsr_safe(candidates[i].msr, candidates[i].value) == VECTOR_GP)
			return candidates[i];
	}
	return none;
}

/* selftest=gp (kernel/selftests.c has the others): a WRMSR that faults, unguarded. */
void selftest_general_protection(struct test_result *result)
{
	struct faulting_msr_write faulting = msr_write_that_faults();
	if (!faulting.msr)
		return test_skip(result, "no MSR write faults on this platform");
	wrmsr(faulting.msr, faulting.value);   /* unguarded on purpose */
	test_fail(result, "WRMSR to an undefined MSR did not trap");
}

/* A CR4 bit that must #GP when set: the enable bit of a feature the CPU lacks.
   QEMU 7.2's TCG never delivers this #GP: it spins on the MOV (docs/platforms.md). */
static uint64_t cr4_bit_that_faults(void)
{
	if (!cpu_features()->has.vmx)
		return CR4_VMXE;
	if (!(cpuid(1, 0).ecx & (1u << 6)))
		return CR4_SMXE;
	return CR4_BIT28_RESERVED;
}

void test_safe_wrappers(struct test_result *result)
{
	struct faulting_msr_write faulting = msr_write_that_faults();
	uint64_t value;
	int vector;

	if ((vector = rdmsr_safe(MSR_IA32_APIC_BASE, &value)) != 0)
		return test_fail(result, "rdmsr_safe(IA32_APIC_BASE) faulted with vector %d", vector);
	if (!faulting.msr)
		return test_fail(result, "no candidate MSR write returned #GP through wrmsr_safe");
	test_diagnostic(result, "faulting_msr_write", "\"0x%x <- 0x%llx\"", faulting.msr,
			(unsigned long long)faulting.value);
	test_diagnostic(result, "undefined_msr_read", "%d", rdmsr_safe(MSR_NEVER_DEFINED, &value));
	if ((vector = write_cr4_safe(read_cr4())) != 0)
		return test_fail(result, "rewriting CR4 unchanged faulted with vector %d", vector);
	if (strcmp(cpu_features()->hypervisor_vendor, "TCGTCGTCGTCG") == 0)
		test_diagnostic(result, "cr4_reserved_bit", "\"not tried: QEMU TCG spins instead of #GP\"");
	else if ((vector = write_cr4_safe(read_cr4() | cr4_bit_that_faults())) != VECTOR_GP)
		return test_fail(result, "setting CR4 bit 0x%llx returned %d, expected #GP",
				 (unsigned long long)cr4_bit_that_faults(), vector);
	if ((vector = read64_safe(paging_unmapped_address(), &value)) != VECTOR_PF)
		return test_fail(result, "reading an unmapped address returned %d, expected #PF (14)", vector);
	if (cpu_features()->has.xsave && (vector = xsetbv_safe(0, 0)) != VECTOR_GP)
		return test_fail(result, "XSETBV with XCR0[0] clear returned %d, expected #GP", vector);
}

static void execute_invalid_opcode(void *unused)
{
	__asm__ volatile("ud2");
}

void test_trap_recovery(struct test_result *result)
{
	struct guarded_call *call = (struct guarded_call *)(uintptr_t)memory_alloc_pages(1);

	if (!guarded_call_run(call, "kernel/trap-recovery(inner)", execute_invalid_opcode, 0))
		return test_fail(result, "ud2 inside a guarded call did not end it");
	if (call->vector != VECTOR_UD)
		return test_fail(result, "guarded call ended by vector %d, expected #UD (6)", call->vector);
	if (!strchr(call->dump, '\n') || !starts_with(call->dump, "  ---\n"))
		return test_fail(result, "the dump is not a YAML block");
	if (read_rflags() & RFLAGS_IF)
		return test_fail(result, "interrupts were enabled after recovery");
}

static void spin_with_interrupts_masked(void *unused)
{
	interrupts_disable();
	for (;;)
		cpu_pause();
}

/* Re-arms the watchdog for a short nested hang; the outer test runs on unguarded by
   time for its last few instructions. */
void test_watchdog(struct test_result *result)
{
	struct guarded_call *call;
	uint64_t start, elapsed_ms;

	if (!watchdog_available())
		return test_skip(result, "no NMI source passed the self-check (LAPIC timer NMI, I/O APIC+PIT NMI)");
	call = (struct guarded_call *)(uintptr_t)memory_alloc_pages(1);
	start = rdtsc();
	watchdog_arm(WATCHDOG_CHECK_MILLISECONDS);
	if (!guarded_call_run(call, "kernel/watchdog(inner)", spin_with_interrupts_masked, 0))
		return test_fail(result, "the hang returned by itself");
	elapsed_ms = (rdtsc() - start) / milliseconds_to_tsc(1);
	test_diagnostic(result, "elapsed_ms", "%llu", (unsigned long long)elapsed_ms);
	if (call->vector != VECTOR_NMI)
		return test_fail(result, "ended by vector %d, expected the watchdog's NMI", call->vector);
	if (elapsed_ms < WATCHDOG_CHECK_MILLISECONDS)
		return test_fail(result, "the watchdog fired after %llu ms, before its %u ms deadline",
				 (unsigned long long)elapsed_ms, WATCHDOG_CHECK_MILLISECONDS);
}

void test_memory(struct test_result *result)
{
	struct page_allocator *allocator = memory_page_allocator();
	struct page_allocator_mark mark = page_allocator_mark(allocator);
	uint64_t free_before = page_allocator_free_pages(allocator);
	uint64_t address = memory_alloc_pages(16);
	volatile uint64_t *words = (volatile uint64_t *)(uintptr_t)address;

	for (unsigned i = 0; i < 16 * 512; i++)
		words[i] = address + i;
	for (unsigned i = 0; i < 16 * 512; i++)
		if (words[i] != address + i)
			return test_fail(result, "page 0x%llx word %u reads back wrong",
					 (unsigned long long)address, i);
	page_allocator_release(allocator, &mark);
	if (page_allocator_free_pages(allocator) != free_before)
		return test_fail(result, "release left %lld pages behind",
				 (long long)(free_before - page_allocator_free_pages(allocator)));
	test_diagnostic(result, "free_pages", "%llu", (unsigned long long)free_before);
}

void test_interrupts_masked(struct test_result *result)
{
	if (read_rflags() & RFLAGS_IF)
		test_fail(result, "RFLAGS.IF is set inside a test");
}

/* docs/design.md, 13: while fpulab's tables are loaded nothing of the firmware's can
   run: every IDT vector is fpulab's own stub and the legacy PIC is masked (its
   interrupts would otherwise wait behind IF for the next STI). */
void test_firmware_isolation(struct test_result *result)
{
	uint8_t master = inb(PIC_MASTER_MASK_PORT), slave = inb(PIC_SLAVE_MASK_PORT);

	if (!paging_own_tables_loaded())
		return test_fail(result, "CR3 0x%llx is not fpulab's page tables", (unsigned long long)read_cr3());
	for (unsigned vector = 0; vector < 256; vector++)
		if (!cpu_tables_vector_is_own(vector))
			return test_fail(result, "IDT vector %u is not fpulab's own stub", vector);
	if (master != 0xff || slave != 0xff)
		return test_fail(result, "the legacy PIC is not masked: IMR 0x%02x/0x%02x", master, slave);
}

void test_xsave_enabled(struct test_result *result)
{
	const struct cpu_features *cpu = cpu_features();
	uint64_t xcr0;

	if (!cpu->has.xsave)
		return test_skip(result, "CPUID.1:ECX.XSAVE[26]=0: no XSAVE on this CPU");
	if (!(read_cr4() & CR4_OSXSAVE))
		return test_fail(result, "CR4.OSXSAVE is clear");
	if (!(read_cr4() & CR4_OSFXSR) || !(read_cr4() & CR4_OSXMMEXCPT))
		return test_fail(result, "CR4.OSFXSR/OSXMMEXCPT not set: cr4=0x%llx",
				 (unsigned long long)read_cr4());
	if (xgetbv_safe(0, &xcr0) != 0)
		return test_fail(result, "XGETBV(0) faulted with CR4.OSXSAVE set");
	if (xcr0 != cpu->xcr0_supported)
		return test_fail(result, "XCR0=0x%llx, supported=0x%llx", (unsigned long long)xcr0,
				 (unsigned long long)cpu->xcr0_supported);
	test_diagnostic(result, "xcr0", "\"0x%llx\"", (unsigned long long)xcr0);
}

/* SSE instructions #UD unless CR4.OSFXSR is set (SDM Vol. 3A, 2.5): every benchmark
   and the FPU baseline need it. */
void test_cr4_osfxsr(struct test_result *result)
{
	if (!(read_cr4() & CR4_OSFXSR))
		return test_fail(result, "CR4.OSFXSR is clear: SSE would #UD");
}
