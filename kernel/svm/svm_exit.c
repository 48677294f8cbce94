/* SVM exit decoding (APM Vol. 2, 15.6 and Appendix C): the exit codes fpulab handles,
   VMEXIT_INVALID with the VMCB fields VMRUN checks (15.5.1), and the guest dump. */
#include "svm/svm.h"
#include "cpu_features.h"
#include "arch/x86.h"
#include "lib/format.h"

/* The first consistency check of APM 15.5.1 the VMCB fails, or a general sentence. */
static const char *invalid_state_cause(const struct svm_vcpu *s, const struct vmcb *vmcb)
{
	if (!(s->entry_efer & EFER_SVME))
		return "guest EFER.SVME is zero";
	if (!(s->entry_cr0 & CR0_CD) && (s->entry_cr0 & CR0_NW))
		return "guest CR0.CD is zero and CR0.NW is set";
	if (s->entry_cr0 >> 32)
		return "guest CR0[63:32] are not zero";
	if ((s->entry_efer & EFER_LME) && (s->entry_cr0 & CR0_PG) && !(s->entry_cr4 & CR4_PAE))
		return "guest EFER.LME and CR0.PG are set with CR4.PAE zero";
	if ((s->entry_dr6 >> 32) || (s->entry_dr7 >> 32))
		return "guest DR6[63:32] or DR7[63:32] are not zero";
	if (!(vmcb->control.intercept_misc2 & INTERCEPT_VMRUN))
		return "the VMRUN intercept bit is clear";
	if (vmcb->control.asid == 0)
		return "ASID is zero";
	return "a consistency check of APM 15.5.1 not decoded here (segment or reserved bits)";
}

/* MOV CR0, reg (0F 22 /r) read from guest memory when the CPU has no decode assists. */
static void decode_cr0_write(const struct vmcb *vmcb, struct vm_exit *exit)
{
	const uint8_t *code = (const uint8_t *)(uintptr_t)vmcb->save.rip;
	unsigned rex = (code[0] & 0xf0) == 0x40 ? code[0] : 0, at = rex ? 1 : 0;

	if (vmcb->control.exit_info_1 >> 63) {      /* decode assists: GPR in bits 3:0 */
		exit->cr_register = (uint32_t)(vmcb->control.exit_info_1 & 15);
		return;
	}
	if (code[at] == 0x0f && code[at + 1] == 0x22) {
		exit->cr_register = (code[at + 2] & 7) | ((rex & 1) << 3);
		if (!exit->instruction_length)
			exit->instruction_length = at + 3;
	}
}

static uint32_t fixed_length(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_VMMCALL: case SVM_EXIT_XSETBV: return 3;
	case SVM_EXIT_CPUID: case SVM_EXIT_MSR: return 2;
	case SVM_EXIT_HLT: return 1;
	default: return 0;
	}
}

static enum vm_exit_kind kind_of(const struct vmcb *vmcb, struct vm_exit *exit)
{
	uint64_t code = vmcb->control.exit_code;

	if (code >= SVM_EXIT_EXCEPTION && code < SVM_EXIT_EXCEPTION + 32) {
		exit->vector = (uint32_t)(code - SVM_EXIT_EXCEPTION);
		return VM_EXIT_EXCEPTION;
	}
	switch (code) {
	case SVM_EXIT_VMMCALL: return VM_EXIT_HYPERCALL;
	case SVM_EXIT_HLT: return VM_EXIT_HLT;
	case SVM_EXIT_CPUID: return VM_EXIT_CPUID;
	case SVM_EXIT_XSETBV: return VM_EXIT_XSETBV;
	case SVM_EXIT_MSR: return vmcb->control.exit_info_1 ? VM_EXIT_MSR_WRITE : VM_EXIT_MSR_READ;
	case SVM_EXIT_CR0_WRITE: return VM_EXIT_CR0_WRITE;
	case SVM_EXIT_NMI: return VM_EXIT_NMI;
	case SVM_EXIT_INTR: return VM_EXIT_INTERRUPT;
	case SVM_EXIT_INVALID: case SVM_EXIT_INVALID_32: return VM_EXIT_ENTRY_FAILED;
	default: return VM_EXIT_OTHER;
	}
}

void svm_decode_exit(struct vm_vcpu *vcpu, struct vm_exit *exit)
{
	const struct svm_vcpu *svm = vcpu->arch;
	const struct vmcb *vmcb = svm->vmcb;

	exit->vector = exit->cr_register = 0;
	exit->raw_reason = vmcb->control.exit_code;
	exit->qualification = vmcb->control.exit_info_1;
	exit->info2 = vmcb->control.exit_info_2;
	exit->guest_rip = vmcb->save.rip;
	exit->kind = kind_of(vmcb, exit);
	exit->instruction_length = cpu_features()->svm.nrip_save && vmcb->control.next_rip > exit->guest_rip
		? (uint32_t)(vmcb->control.next_rip - exit->guest_rip) : fixed_length(exit->raw_reason);
	if (exit->kind == VM_EXIT_CR0_WRITE)
		decode_cr0_write(vmcb, exit);
	if (exit->kind == VM_EXIT_ENTRY_FAILED) {
		format_string(exit->description, sizeof exit->description,
			      "VMRUN failed: VMEXIT_INVALID (exit code 0x%llx): %s (guest EFER 0x%llx, CR0 0x%llx, CR4 0x%llx, ASID %u)",
			      (unsigned long long)exit->raw_reason, invalid_state_cause(svm, vmcb),
			      (unsigned long long)svm->entry_efer,
			      (unsigned long long)svm->entry_cr0, (unsigned long long)svm->entry_cr4,
			      vmcb->control.asid);
		return;
	}
	exit->description[0] = 0;   /* written when asked for (vm_exit_text) */
}

void svm_describe_exit(struct vm_exit *exit)
{
	format_string(exit->description, sizeof exit->description,
		      "#VMEXIT code 0x%llx (%s), EXITINFO1 0x%llx, EXITINFO2 0x%llx, guest rip 0x%llx",
		      (unsigned long long)exit->raw_reason, vm_exit_kind_name(exit->kind),
		      (unsigned long long)exit->qualification, (unsigned long long)exit->info2,
		      (unsigned long long)exit->guest_rip);
}

void svm_dump(struct vm_vcpu *vcpu, char *buffer, unsigned long size)
{
	const struct vmcb *vmcb = ((struct svm_vcpu *)vcpu->arch)->vmcb;
	const struct vmcb_save *s = &vmcb->save;
	const struct vm_regs *r = &vcpu->regs;

	format_string(buffer, size,
		"  vm: \"svm\"\n  exit_code: \"0x%llx\"\n  exit_info_1: \"0x%llx\"\n  exit_info_2: \"0x%llx\"\n"
		"  exit_int_info: \"0x%x\"\n  asid: %u\n  guest_rip: \"0x%016llx\"\n  guest_rsp: \"0x%016llx\"\n"
		"  guest_rflags: \"0x%llx\"\n  guest_cr0: \"0x%llx\"\n  guest_cr3: \"0x%llx\"\n"
		"  guest_cr4: \"0x%llx\"\n  guest_efer: \"0x%llx\"\n  guest_rax: \"0x%llx\"\n"
		"  guest_rbx: \"0x%llx\"\n  guest_rcx: \"0x%llx\"\n  guest_rdx: \"0x%llx\"\n"
		"  guest_rsi: \"0x%llx\"\n  guest_rdi: \"0x%llx\"\n",
		(unsigned long long)vmcb->control.exit_code, (unsigned long long)vmcb->control.exit_info_1,
		(unsigned long long)vmcb->control.exit_info_2, vmcb->control.exit_interrupt_info,
		vmcb->control.asid, (unsigned long long)s->rip, (unsigned long long)s->rsp,
		(unsigned long long)s->rflags, (unsigned long long)s->cr0, (unsigned long long)s->cr3,
		(unsigned long long)s->cr4, (unsigned long long)s->efer, (unsigned long long)s->rax,
		(unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx,
		(unsigned long long)r->rsi, (unsigned long long)r->rdi);
}
