/* The SVM implementation of struct vm_ops. */
#include "svm/svm.h"
#include "memory.h"
#include "arch/x86.h"
#include "vm/vm_guest.h"

static int svm_vcpu_create(struct vm_vcpu *vcpu, char *reason)
{
	vcpu->arch = (void *)(uintptr_t)memory_alloc_pages(1);
	return svm_vmcb_setup(vcpu, reason);
}

static void svm_vcpu_run(struct vm_vcpu *vcpu, struct vm_exit *exit)
{
	struct svm_vcpu *svm = vcpu->arch;
	struct vmcb *vmcb = svm->vmcb;

	svm->entry_efer = vmcb->save.efer;
	svm->entry_cr0 = vmcb->save.cr0;
	svm->entry_cr4 = vmcb->save.cr4;
	svm->entry_dr6 = vmcb->save.dr6;
	svm->entry_dr7 = vmcb->save.dr7;
	vmcb->save.rax = vcpu->regs.rax;
	vm_fpu_before_entry(vcpu);
	svm_world_switch(&vcpu->regs, (uint64_t)(uintptr_t)vmcb);
	vm_fpu_after_exit(vcpu);
	vcpu->regs.rax = vmcb->save.rax;
	vmcb->control.tlb_control = 0;   /* flushed once, at the first VMRUN */
	svm_decode_exit(vcpu, exit);
}

/* GIF was cleared by CLGI before VMRUN and by #VMEXIT; an NMI that arrived in guest
   mode is held until here and then taken by the host's handler (APM 15.17). */
static void svm_exit_done(struct vm_vcpu *vcpu, const struct vm_exit *exit)
{
	__asm__ volatile("stgi" ::: "memory");
}

static void svm_vcpu_destroy(struct vm_vcpu *vcpu) { }

static struct vmcb *vmcb_of(struct vm_vcpu *vcpu) { return ((struct svm_vcpu *)vcpu->arch)->vmcb; }
static uint64_t svm_get_rip(struct vm_vcpu *vcpu) { return vmcb_of(vcpu)->save.rip; }
static void svm_set_rip(struct vm_vcpu *vcpu, uint64_t rip) { vmcb_of(vcpu)->save.rip = rip; }
static uint64_t svm_get_cr0(struct vm_vcpu *vcpu) { return vmcb_of(vcpu)->save.cr0; }
static void svm_set_cr0(struct vm_vcpu *vcpu, uint64_t cr0) { vmcb_of(vcpu)->save.cr0 = cr0; }

/* selftest=vmentry: VMRUN requires guest EFER.SVME (APM 15.5.1). */
static void svm_guest_corrupt(struct vm_vcpu *vcpu)
{
	vmcb_of(vcpu)->save.efer &= ~EFER_SVME;
}

static void svm_hypercall_init(void) { vm_guest_uses_vmmcall = 1; }

const struct vm_ops svm_ops = {
	.name = "svm",
	.probe = svm_probe,
	.enable = svm_enable,
	.disable = svm_disable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_run = svm_vcpu_run,
	.exit_done = svm_exit_done,
	.vcpu_destroy = svm_vcpu_destroy,
	.get_rip = svm_get_rip,
	.set_rip = svm_set_rip,
	.get_cr0 = svm_get_cr0,
	.set_cr0 = svm_set_cr0,
	.describe_exit = svm_describe_exit,
	.dump = svm_dump,
	.guest_corrupt = svm_guest_corrupt,
	.hypercall_init = svm_hypercall_init,
};
