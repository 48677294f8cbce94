/* VMCS setup (SDM Vol. 3C, 25): execution, exit and entry controls from the
   capability MSRs (the TRUE_* ones when IA32_VMX_BASIC[55] says so, A.3-A.5),
   guest state (25.4) copied from the host, host state (25.5). */
#include "vmx/vmx.h"
#include "cpu_features.h"
#include "memory.h"
#include "arch/x86.h"
#include "lib/format.h"

#define EPT_CAP_WALK_4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2MB (1ull << 16)
#define ACCESS_CODE64 0xa09bu    /* type 11, S, P, L, G (SDM 25.4.1) */
#define ACCESS_DATA 0xc093u      /* type 3, S, P, D/B, G */
#define ACCESS_TSS_BUSY 0x8bu
#define ACCESS_UNUSABLE (1u << 16)

/* SDM A.3.1: bits 31:0 of the MSR are the allowed 0-settings (1 = must be 1), bits
   63:32 the allowed 1-settings (0 = must be 0). */
static int adjust(uint32_t msr, uint32_t wanted, uint32_t required, uint32_t *out,
		  const char *what, char *reason)
{
	uint64_t allowed = rdmsr(msr);
	uint32_t value = (wanted | (uint32_t)allowed) & (uint32_t)(allowed >> 32);

	if ((value & required) != required)
		return format_string(reason, VM_REASON_SIZE, "%s controls: required 0x%x, allowed 0x%llx (MSR 0x%x)",
				     what, required, (unsigned long long)allowed, msr), -1;
	*out = value;
	return 0;
}

static int ept_usable(void)
{
	uint64_t cap = cpu_features()->vmx.ept ? rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	uint64_t needed = EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_2MB;
	return (cap & needed) == needed;
}

static int setup_controls(struct vm_vcpu *vcpu, char *reason)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	int true_msrs = cpu_features()->vmx.true_controls;
	uint32_t pin, proc, proc2 = 0, exit, entry;
	uint32_t pin_wanted = PIN_NMI_EXITING | PIN_EXTERNAL_INTERRUPT_EXITING;
	uint32_t proc_wanted = PROC_HLT_EXITING | PROC_USE_MSR_BITMAPS;
	uint32_t proc2_wanted = (ept_usable() ? PROC2_ENABLE_EPT : 0) |
				(cpu_features()->vmx.vpid ? PROC2_ENABLE_VPID : 0);

	if (cpu_features()->vmx.preemption_timer)
		pin_wanted |= PIN_PREEMPTION_TIMER;
	if (proc2_wanted)
		proc_wanted |= PROC_SECONDARY_CONTROLS;
	if (adjust(true_msrs ? MSR_IA32_VMX_TRUE_PINBASED : MSR_IA32_VMX_PINBASED_CTLS,
		   pin_wanted, PIN_NMI_EXITING, &pin, "pin-based", reason) ||
	    adjust(true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED : MSR_IA32_VMX_PROCBASED_CTLS,
		   proc_wanted, PROC_HLT_EXITING | PROC_USE_MSR_BITMAPS, &proc, "processor-based", reason) ||
	    ((proc & PROC_SECONDARY_CONTROLS) &&
	     adjust(MSR_IA32_VMX_PROCBASED_CTLS2, proc2_wanted, 0, &proc2, "secondary", reason)) ||
	    adjust(true_msrs ? MSR_IA32_VMX_TRUE_EXIT : MSR_IA32_VMX_EXIT_CTLS,
		   EXIT_HOST_ADDRESS_SPACE_SIZE, EXIT_HOST_ADDRESS_SPACE_SIZE, &exit, "VM-exit", reason) ||
	    adjust(true_msrs ? MSR_IA32_VMX_TRUE_ENTRY : MSR_IA32_VMX_ENTRY_CTLS,
		   ENTRY_IA32E_MODE_GUEST, ENTRY_IA32E_MODE_GUEST, &entry, "VM-entry", reason))
		return -1;
	vmcs_write32(VMCS_PIN_CONTROLS, pin);
	vmcs_write32(VMCS_PROC_CONTROLS, proc);
	if (proc & PROC_SECONDARY_CONTROLS)
		vmcs_write32(VMCS_PROC_CONTROLS2, proc2);
	vmcs_write32(VMCS_EXIT_CONTROLS, exit);
	vmcs_write32(VMCS_ENTRY_CONTROLS, entry);
	vmcs_write32(VMCS_EXCEPTION_BITMAP, 0xffffffffu);   /* every guest exception exits */
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write64(VMCS_MSR_BITMAP, vmx->msr_bitmap);
	/* CR0.TS is owned by the host: a guest write that changes it exits (SDM 25.6.6). */
	vmcs_write_natural(VMCS_CR0_MASK, CR0_TS);
	vmcs_write_natural(VMCS_CR0_SHADOW, read_cr0());
	vmcs_write_natural(VMCS_CR4_MASK, 0);
	if (proc2 & PROC2_ENABLE_EPT) {
		uint64_t top, pml4 = vm_identity_map(1, &top);
		vmcs_write64(VMCS_EPT_POINTER, pml4 | (3u << 3) | 6u);   /* 4 levels, WB (25.6.11) */
	}
	if (proc2 & PROC2_ENABLE_VPID)
		vmcs_write16(VMCS_VPID, vmx->vpid = 1);
	vmx->pin = pin;
	vmx->timer_rate = (uint32_t)(rdmsr(MSR_IA32_VMX_MISC) & 0x1f);
	vmx->proc2 = proc2;
	return 0;
}

static void guest_segment(enum vmx_segment segment, uint16_t selector, uint64_t base,
			  uint32_t limit, uint32_t access)
{
	vmcs_write16(VMCS_GUEST_ES_SELECTOR + 2 * segment, selector);
	vmcs_write_natural(VMCS_GUEST_ES_BASE + 2 * segment, base);
	vmcs_write32(VMCS_GUEST_ES_LIMIT + 2 * segment, limit);
	vmcs_write32(VMCS_GUEST_ES_ACCESS + 2 * segment, selector || segment == SEG_CS ? access : ACCESS_UNUSABLE);
}

static void setup_guest_state(struct vm_vcpu *vcpu, const struct vm_host_state *host)
{
	guest_segment(SEG_ES, host->es, 0, 0xffffffffu, ACCESS_DATA);
	guest_segment(SEG_CS, host->cs, 0, 0xffffffffu, ACCESS_CODE64);
	guest_segment(SEG_SS, host->ss, 0, 0xffffffffu, ACCESS_DATA);
	guest_segment(SEG_DS, host->ds, 0, 0xffffffffu, ACCESS_DATA);
	guest_segment(SEG_FS, host->fs, host->fs_base, 0xffffffffu, ACCESS_DATA);
	guest_segment(SEG_GS, host->gs, host->gs_base, 0xffffffffu, ACCESS_DATA);
	guest_segment(SEG_LDTR, 0, 0, 0, ACCESS_UNUSABLE);
	guest_segment(SEG_TR, host->tr, host->tr_base, host->tr_limit, ACCESS_TSS_BUSY);
	vmcs_write_natural(VMCS_GUEST_GDTR_BASE, host->gdtr_base);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, host->gdtr_limit);
	vmcs_write_natural(VMCS_GUEST_IDTR_BASE, host->idtr_base);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, host->idtr_limit);
	vmcs_write_natural(VMCS_GUEST_CR0, host->cr0);
	vmcs_write_natural(VMCS_GUEST_CR3, host->cr3);
	vmcs_write_natural(VMCS_GUEST_CR4, host->cr4);
	vmcs_write_natural(VMCS_GUEST_DR7, 0x400);
	vmcs_write_natural(VMCS_GUEST_RSP, vcpu->stack_top);
	vmcs_write_natural(VMCS_GUEST_RIP, (uint64_t)(uintptr_t)vmx_guest_trampoline);
	vmcs_write_natural(VMCS_GUEST_RFLAGS, 0x2);           /* IF=0 */
	vmcs_write64(VMCS_LINK_POINTER, ~0ull);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY, 0);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
}

static void setup_host_state(const struct vm_host_state *host)
{
	vmcs_write16(VMCS_HOST_ES_SELECTOR + 2 * SEG_ES, host->es & 0xf8);
	vmcs_write16(VMCS_HOST_ES_SELECTOR + 2 * SEG_CS, host->cs & 0xf8);
	vmcs_write16(VMCS_HOST_ES_SELECTOR + 2 * SEG_SS, host->ss & 0xf8);
	vmcs_write16(VMCS_HOST_ES_SELECTOR + 2 * SEG_DS, host->ds & 0xf8);
	vmcs_write16(VMCS_HOST_ES_SELECTOR + 2 * SEG_FS, host->fs & 0xf8);
	vmcs_write16(VMCS_HOST_ES_SELECTOR + 2 * SEG_GS, host->gs & 0xf8);
	vmcs_write16(VMCS_HOST_TR_SELECTOR, host->tr & 0xf8);
	vmcs_write_natural(VMCS_HOST_CR0, host->cr0);
	vmcs_write_natural(VMCS_HOST_CR3, host->cr3);
	vmcs_write_natural(VMCS_HOST_CR4, host->cr4);
	vmcs_write_natural(VMCS_HOST_FS_BASE, host->fs_base);
	vmcs_write_natural(VMCS_HOST_GS_BASE, host->gs_base);
	vmcs_write_natural(VMCS_HOST_TR_BASE, host->tr_base);
	vmcs_write_natural(VMCS_HOST_GDTR_BASE, host->gdtr_base);
	vmcs_write_natural(VMCS_HOST_IDTR_BASE, host->idtr_base);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write_natural(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write_natural(VMCS_HOST_SYSENTER_EIP, 0);
	/* Every exit lands at one place; HOST_RSP is written by the world switch, and only
	   when the host's stack pointer at entry differs from the last one (vmx->host_rsp). */
	vmcs_write_natural(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_world_switch_exit);
}

/* MSR bitmap (SDM 25.6.9): read-low at 0, write-low at 2048; one bit per MSR. */
static void intercept_msr(uint8_t *bitmap, uint32_t msr)
{
	bitmap[msr / 8] |= (uint8_t)(1u << (msr % 8));
	bitmap[2048 + msr / 8] |= (uint8_t)(1u << (msr % 8));
}

int vmx_vmcs_setup(struct vm_vcpu *vcpu, char *reason)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	struct vm_host_state host;
	uint32_t field, error;

	vmx->vmcs = memory_alloc_pages(1);
	vmx->msr_bitmap = memory_alloc_pages(1);
	intercept_msr((uint8_t *)(uintptr_t)vmx->msr_bitmap, MSR_IA32_XFD);
	intercept_msr((uint8_t *)(uintptr_t)vmx->msr_bitmap, MSR_IA32_XFD_ERR);
	if (vmx_vmcs_load(vmx->vmcs, reason))
		return -1;
	vm_host_state_read(&host);
	vmcs_access_error(&field, &error);   /* start with a clean error path */
	if (setup_controls(vcpu, reason))
		return -1;
	setup_guest_state(vcpu, &host);
	setup_host_state(&host);
	((struct vmx_vcpu *)vcpu->arch)->host_rsp = 0;   /* not written yet */
	if (vmcs_access_error(&field, &error))
		return format_string(reason, VM_REASON_SIZE, "VMWRITE of field 0x%x failed: error %u (%s)",
				     field, error, vmx_instruction_error_name(error)), -1;
	return 0;
}

/* The timer counts down at the TSC rate divided by 2^IA32_VMX_MISC[4:0] (SDM 26.5.1):
   armed with the time left before the guest's deadline, or its maximum. */
void vmx_arm_preemption_timer(struct vm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	uint64_t now, ticks = 0xffffffffu;

	if (!(vmx->pin & PIN_PREEMPTION_TIMER))
		return;
	if (vcpu->deadline_tsc) {
		now = rdtsc();
		ticks = vcpu->deadline_tsc > now ? (vcpu->deadline_tsc - now) >> vmx->timer_rate : 0;
		if (ticks > 0xffffffffu)
			ticks = 0xffffffffu;
	}
	vmcs_write32(VMCS_PREEMPTION_TIMER, (uint32_t)ticks);
}
