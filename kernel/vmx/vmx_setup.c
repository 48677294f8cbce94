/* VMX enable and disable (SDM Vol. 3C, 24.7 and 24.8; 25.11.5 for the VMXON region),
   and the typed VMREAD/VMWRITE accessors with their single error path. */
#include "vmx/vmx.h"
#include "cpu_features.h"
#include "memory.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "arch/per_cpu.h"

/* VMX operation is per logical processor (SDM 24.7): each CPU enters it with its own
   VMXON region and leaves it with its own CR0 and CR4 back (this_cpu()->vmx). */

static enum vmx_status status_of(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

/* ---- accessors: the first failure is kept until vmcs_access_error reads it ---- */
/* Per CPU, like the current VMCS the accessors act on (SDM Vol. 3C, 25.11.1). The accessors'
   fast path stays a leaf function: a failure is recorded out of line. */
volatile int vmcs_access_failures_pending;

static __attribute__((noinline, cold)) void note_failure(uint32_t field, uint8_t zf)
{
	struct per_cpu *cpu = this_cpu();
	uint64_t error = 0;

	if (cpu->vmx.access_failed)
		return;
	cpu->vmx.access_failed = 1;
	cpu->vmx.access_field = field;
	if (zf)
		__asm__ volatile("vmread %1, %0" : "=rm"(error) : "r"((uint64_t)VMCS_INSTRUCTION_ERROR) : "cc");
	cpu->vmx.access_error = (uint32_t)error;
	__atomic_add_fetch(&vmcs_access_failures_pending, 1, __ATOMIC_SEQ_CST);
}

static inline void note(uint32_t field, uint8_t cf, uint8_t zf)
{
	if (cf | zf)
		note_failure(field, zf);
}

static void vmcs_write(uint32_t field, uint64_t value)
{
	uint8_t cf, zf;
	__asm__ volatile("vmwrite %2, %3; setc %0; setz %1" : "=qm"(cf), "=qm"(zf)
			 : "rm"(value), "r"((uint64_t)field) : "cc", "memory");
	note(field, cf, zf);
}

static uint64_t vmcs_read(uint32_t field)
{
	uint64_t value = 0;
	uint8_t cf, zf;
	__asm__ volatile("vmread %3, %0; setc %1; setz %2" : "=rm"(value), "=qm"(cf), "=qm"(zf)
			 : "r"((uint64_t)field) : "cc", "memory");
	note(field, cf, zf);
	return value;
}

void vmcs_write16(uint32_t field, uint16_t value) { vmcs_write(field, value); }
void vmcs_write32(uint32_t field, uint32_t value) { vmcs_write(field, value); }
void vmcs_write64(uint32_t field, uint64_t value) { vmcs_write(field, value); }
void vmcs_write_natural(uint32_t field, uint64_t value) { vmcs_write(field, value); }
uint16_t vmcs_read16(uint32_t field) { return (uint16_t)vmcs_read(field); }
uint32_t vmcs_read32(uint32_t field) { return (uint32_t)vmcs_read(field); }
uint64_t vmcs_read_natural(uint32_t field) { return vmcs_read(field); }

int vmcs_access_error(uint32_t *field, uint32_t *instruction_error)
{
	struct per_cpu *cpu = this_cpu();
	int failed = cpu->vmx.access_failed;

	*field = cpu->vmx.access_field;
	*instruction_error = cpu->vmx.access_error;
	if (failed) {
		cpu->vmx.access_failed = 0;
		__atomic_sub_fetch(&vmcs_access_failures_pending, 1, __ATOMIC_SEQ_CST);
	}
	return failed;
}

/* ---- VMXON / VMXOFF ---- */
int vmx_probe(char *reason)
{
	uint64_t control;

	if (!cpu_features()->has.vmx)
		return format_string(reason, VM_REASON_SIZE, "CPUID.1:ECX.VMX[5]=0"), -1;
	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &control) != 0)
		return format_string(reason, VM_REASON_SIZE, "IA32_FEATURE_CONTROL (0x3a) unreadable"), -1;
	/* SDM 24.7: once locked, VMXON outside SMX needs bit 2. */
	if ((control & FEATURE_CONTROL_LOCK) && !(control & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
		return format_string(reason, VM_REASON_SIZE, "IA32_FEATURE_CONTROL locked (0x%llx) "
				     "without VMXON outside SMX[2]: firmware disabled VMX",
				     (unsigned long long)control), -1;
	return 0;
}

static int feature_control_allow(char *reason)
{
	uint64_t control = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (control & FEATURE_CONTROL_LOCK)
		return 0;
	control |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
	if (wrmsr_safe(MSR_IA32_FEATURE_CONTROL, control) != 0)
		return format_string(reason, VM_REASON_SIZE, "writing IA32_FEATURE_CONTROL = 0x%llx faulted",
				     (unsigned long long)control), -1;
	return 0;
}

/* SDM 24.8 and A.7/A.8: CR0 and CR4 must respect the FIXED0 (must be 1) and FIXED1
   (may be 1) capability MSRs in VMX operation. */
static int fix_control_registers(char *reason)
{
	uint64_t cr0 = (read_cr0() | rdmsr(MSR_IA32_VMX_CR0_FIXED0)) & rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	uint64_t cr4 = ((read_cr4() | CR4_VMXE) | rdmsr(MSR_IA32_VMX_CR4_FIXED0)) &
		       rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	this_cpu()->vmx.cr0_before = read_cr0();
	this_cpu()->vmx.cr4_before = read_cr4();
	if (write_cr0_safe(cr0) || write_cr4_safe(cr4))
		return format_string(reason, VM_REASON_SIZE, "CR0 0x%llx / CR4 0x%llx for VMX operation faulted",
				     (unsigned long long)cr0, (unsigned long long)cr4), -1;
	return 0;
}

void vmx_disable(void)
{
	struct per_cpu *cpu = this_cpu();

	if (!cpu->vmx.on)
		return;
	__asm__ volatile("vmxoff" ::: "cc", "memory");
	cpu->vmx.on = 0;
	write_cr4(cpu->vmx.cr4_before & ~CR4_VMXE);
	write_cr0(cpu->vmx.cr0_before);
}

int vmx_enable(char *reason)
{
	uint64_t region;
	uint8_t cf, zf;

	vmx_disable();   /* a test aborted by the watchdog may have left VMX on */
	if (vmx_probe(reason) || feature_control_allow(reason) || fix_control_registers(reason))
		return -1;
	region = memory_alloc_pages(1);
	*(uint32_t *)(uintptr_t)region = cpu_features()->vmx.revision;   /* SDM Vol. 3C, 25.11.5 */
	__asm__ volatile("vmxon %2; setc %0; setz %1" : "=qm"(cf), "=qm"(zf) : "m"(region) : "cc", "memory");
	if (status_of(cf, zf) != VMX_OK) {
		write_cr4(this_cpu()->vmx.cr4_before);
		write_cr0(this_cpu()->vmx.cr0_before);
		return format_string(reason, VM_REASON_SIZE, "VMXON failed (%s)",
				     cf ? "VMfailInvalid" : "VMfailValid"), -1;
	}
	this_cpu()->vmx.on = 1;
	return 0;
}

/* VMCLEAR then VMPTRLD (SDM Vol. 3C, 25.11.3): the VMCS becomes current and clear. */
int vmx_vmcs_load(uint64_t vmcs, char *reason)
{
	uint8_t cf, zf;

	*(uint32_t *)(uintptr_t)vmcs = cpu_features()->vmx.revision;
	__asm__ volatile("vmclear %2; setc %0; setz %1" : "=qm"(cf), "=qm"(zf) : "m"(vmcs) : "cc", "memory");
	if (status_of(cf, zf) == VMX_OK)
		__asm__ volatile("vmptrld %2; setc %0; setz %1" : "=qm"(cf), "=qm"(zf) : "m"(vmcs) : "cc", "memory");
	if (status_of(cf, zf) != VMX_OK)
		return format_string(reason, VM_REASON_SIZE, "VMCLEAR/VMPTRLD of 0x%llx failed",
				     (unsigned long long)vmcs), -1;
	return 0;
}

void vmx_vmcs_clear(uint64_t vmcs)
{
	__asm__ volatile("vmclear %0" : : "m"(vmcs) : "cc", "memory");
}
