/* The VMX implementation of struct vm_ops. */
#include "vmx/vmx.h"
#include "memory.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vm/vm_guest.h"


static int vmx_vcpu_create(struct vm_vcpu *vcpu, char *reason)
{
	vcpu->arch = (void *)(uintptr_t)memory_alloc_pages(1);
	return vmx_vmcs_setup(vcpu, reason);
}

/* A VMREAD or VMWRITE since the last check failed: the exit says which (0 if none). */
static int access_failed(struct vm_exit *exit, const char *when)
{
	uint32_t field, error;

	if (!vmcs_access_failures_pending || !vmcs_access_error(&field, &error))
		return 0;
	memset(exit, 0, sizeof *exit);
	exit->kind = VM_EXIT_ACCESS_FAILED;
	exit->raw_reason = error;
	exit->qualification = field;
	format_string(exit->description, sizeof exit->description,
		      "VMREAD/VMWRITE of VMCS field 0x%x failed %s: VM-instruction error %u (%s)", field, when,
		      error, vmx_instruction_error_name(error));
	return 1;
}

static void vmx_vcpu_run(struct vm_vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	enum vmx_status status;

	vmx_arm_preemption_timer(vcpu);
	if (access_failed(exit, "before this entry (the guest was not entered)"))
		return;
	vm_fpu_before_entry(vcpu);
	status = vmx_world_switch(&vcpu->regs, vmx->launched, &vmx->host_rsp);
	vm_fpu_after_exit(vcpu);
	if (status == VMX_OK)
		vmx->launched = 1;
	vmx_decode_exit(vcpu, status, exit);
	access_failed(exit, "while reading this exit");
}

/* After an NMI exit the host's NMIs stay blocked until an IRET: vmx_unblock_nmi does
   one. Bochs 2.7 also saves "blocking by NMI" (bit 3) into the guest's
   interruptibility state, which would mask every later NMI for good in a guest that
   never executes IRET: fpulab's guests own no NMIs, so the bit is cleared. */
static void vmx_exit_done(struct vm_vcpu *vcpu, const struct vm_exit *exit)
{
	uint32_t interruptibility;

	if (exit->kind != VM_EXIT_NMI)
		return;
	interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
	if (interruptibility & INTERRUPTIBILITY_BLOCKING_BY_NMI) {
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, interruptibility & ~INTERRUPTIBILITY_BLOCKING_BY_NMI);
		vcpu->nmi_blocking_cleared++;
	}
	vmx_unblock_nmi();
}

static void vmx_vcpu_destroy(struct vm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;
	if (vmx && vmx->vmcs)
		vmx_vmcs_clear(vmx->vmcs);
}

static uint64_t vmx_get_rip(struct vm_vcpu *vcpu) { return vmcs_read_natural(VMCS_GUEST_RIP); }
static void vmx_set_rip(struct vm_vcpu *vcpu, uint64_t rip) { vmcs_write_natural(VMCS_GUEST_RIP, rip); }
static uint64_t vmx_get_cr0(struct vm_vcpu *vcpu) { return vmcs_read_natural(VMCS_GUEST_CR0); }

/* The guest sees its own TS in the read shadow; the real CR0.TS follows it. */
static void vmx_set_cr0(struct vm_vcpu *vcpu, uint64_t cr0)
{
	vmcs_write_natural(VMCS_GUEST_CR0, cr0);
	vmcs_write_natural(VMCS_CR0_SHADOW, cr0);
}

/* selftest=vmentry: RFLAGS bit 1 must be 1 (SDM Vol. 3C, 27.3.1.4): invalid guest state. */
static void vmx_guest_corrupt(struct vm_vcpu *vcpu)
{
	vmcs_write_natural(VMCS_GUEST_RFLAGS, 0);
}

static void vmx_hypercall_init(void) { vm_guest_uses_vmmcall = 0; }

const struct vm_ops vmx_ops = {
	.name = "vmx",
	.probe = vmx_probe,
	.enable = vmx_enable,
	.disable = vmx_disable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_run = vmx_vcpu_run,
	.exit_done = vmx_exit_done,
	.vcpu_destroy = vmx_vcpu_destroy,
	.get_rip = vmx_get_rip,
	.set_rip = vmx_set_rip,
	.get_cr0 = vmx_get_cr0,
	.set_cr0 = vmx_set_cr0,
	.describe_exit = vmx_describe_exit,
	.dump = vmx_dump,
	.guest_corrupt = vmx_guest_corrupt,
	.hypercall_init = vmx_hypercall_init,
};
