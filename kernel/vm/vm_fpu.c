/* Guest and host FPU state around entry and exit. Neither VMX nor SVM switches XCR0
   or the XSAVE-managed registers (SDM Vol. 3C 27/28 and APM 15.5 list what they do
   switch): fpulab does it explicitly, like KVM's kvm_load_guest_fpu. XSETBV runs only
   when the two XCR0 values differ. Compiled C between the XRSTOR of the guest's state
   and VMLAUNCH/VMRUN touches no vector register (rule 3). */
#include "vm/vm.h"
#include "arch/safe.h"
#include "arch/x86.h"

static uint64_t host_xcr0;

void vm_fpu_before_entry(struct vm_vcpu *vcpu)
{
	if (!vcpu->guest_xcr0)
		return;                         /* no CR4.OSXSAVE: nothing to switch */
	host_xcr0 = xgetbv(0);
	if (vcpu->host_fpu)
		xsave_safe(vcpu->host_fpu, vcpu->fpu_mask & host_xcr0);
	if (vcpu->guest_xcr0 != host_xcr0)
		xsetbv(0, vcpu->guest_xcr0);
	if (vcpu->guest_fpu)
		xrstor_safe(vcpu->guest_fpu, vcpu->fpu_mask & vcpu->guest_xcr0);
}

/* XCR0 is read back rather than trusted: a CPU that does not honour the XSETBV
   intercept (QEMU 7.2 TCG under SVM) lets the guest change it without an exit. */
void vm_fpu_after_exit(struct vm_vcpu *vcpu)
{
	uint64_t current;

	if (!vcpu->guest_xcr0)
		return;
	current = xgetbv(0);
	if (current != vcpu->guest_xcr0) {
		vcpu->guest_xcr0 = current;
		vcpu->xcr0_changed_without_exit = 1;
	}
	if (vcpu->guest_fpu)
		xsave_safe(vcpu->guest_fpu, vcpu->fpu_mask & vcpu->guest_xcr0);
	if (vcpu->guest_xcr0 != host_xcr0)
		xsetbv(0, host_xcr0);
	if (vcpu->host_fpu)
		xrstor_safe(vcpu->host_fpu, vcpu->fpu_mask & host_xcr0);
}
