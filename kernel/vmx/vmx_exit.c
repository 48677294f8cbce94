/* VMX exit decoding: VMfailInvalid, VMfailValid with the VM-instruction error (SDM
   Vol. 3C, 31.4), failed-entry exits (bit 31 of the exit reason, SDM 27.8) and the
   basic exit reasons fpulab handles (Appendix C); the guest-state dump. */
#include "vmx/vmx.h"
#include "lib/format.h"

static const char *const instruction_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_instruction_error_name(uint32_t number)
{
	if (number < sizeof instruction_errors / sizeof instruction_errors[0] && instruction_errors[number])
		return instruction_errors[number];
	return "unknown VM-instruction error";
}

struct vmentry_result vmentry_result_read(enum vmx_status status)
{
	struct vmentry_result result = { .status = status };

	if (status == VMX_FAIL_VALID)
		result.instruction_error = vmcs_read32(VMCS_INSTRUCTION_ERROR);
	if (status == VMX_OK) {
		result.exit_reason = vmcs_read32(VMCS_EXIT_REASON);
		result.qualification = vmcs_read_natural(VMCS_EXIT_QUALIFICATION);
	}
	return result;
}

static const char *entry_failure_cause(uint32_t reason)
{
	switch (reason & 0xffff) {
	case EXIT_REASON_INVALID_GUEST_STATE: return "invalid guest state";
	case EXIT_REASON_MSR_LOADING: return "MSR loading";
	case EXIT_REASON_MACHINE_CHECK: return "machine-check event";
	default: return "unknown cause";
	}
}

int vmentry_result_describe(const struct vmentry_result *r, char *description, unsigned long size)
{
	if (r->status == VMX_FAIL_INVALID)
		format_string(description, size, "VMfailInvalid: VMLAUNCH/VMRESUME without a valid current VMCS");
	else if (r->status == VMX_FAIL_VALID)
		format_string(description, size, "VMfailValid: VM-instruction error %u (%s)",
			      r->instruction_error, vmx_instruction_error_name(r->instruction_error));
	else if (r->exit_reason & EXIT_REASON_ENTRY_FAILURE)
		format_string(description, size, "VM entry failed: exit reason 0x%x (%s), exit qualification %llu",
			      r->exit_reason, entry_failure_cause(r->exit_reason),
			      (unsigned long long)r->qualification);
	else
		return 0;
	return 1;
}

/* Exit reason 0 (SDM 25.9.2): interruption information says NMI or which exception. */
static void exception_or_nmi(struct vm_exit *exit)
{
	uint32_t info = (uint32_t)exit->info2;
	exit->vector = info & 0xff;
	exit->kind = ((info >> 8) & 7) == 2 ? VM_EXIT_NMI : VM_EXIT_EXCEPTION;
}

/* Exit qualification for control-register accesses (SDM Table 28-3). */
static void control_register_access(struct vm_exit *exit)
{
	uint64_t q = exit->qualification;
	exit->cr_register = (uint32_t)((q >> 8) & 15);
	exit->kind = (q & 15) == 0 && ((q >> 4) & 3) == 0 ? VM_EXIT_CR0_WRITE : VM_EXIT_OTHER;
}

static void basic_exit(struct vm_exit *exit, uint32_t reason)
{
	switch (reason) {
	case EXIT_REASON_VMCALL: exit->kind = VM_EXIT_HYPERCALL; break;
	case EXIT_REASON_HLT: exit->kind = VM_EXIT_HLT; break;
	case EXIT_REASON_CPUID: exit->kind = VM_EXIT_CPUID; break;
	case EXIT_REASON_XSETBV: exit->kind = VM_EXIT_XSETBV; break;
	case EXIT_REASON_RDMSR: exit->kind = VM_EXIT_MSR_READ; break;
	case EXIT_REASON_WRMSR: exit->kind = VM_EXIT_MSR_WRITE; break;
	case EXIT_REASON_CR_ACCESS: control_register_access(exit); break;
	case EXIT_REASON_EXCEPTION_NMI: exception_or_nmi(exit); break;
	case EXIT_REASON_EXTERNAL_INTERRUPT: exit->kind = VM_EXIT_INTERRUPT; break;
	case EXIT_REASON_PREEMPTION_TIMER: exit->kind = VM_EXIT_TIMER; break;
	default: exit->kind = VM_EXIT_OTHER; break;
	}
}

void vmx_describe_exit(struct vm_exit *exit)
{
	format_string(exit->description, sizeof exit->description,
		      "VM exit reason %u (%s), qualification 0x%llx, guest rip 0x%llx",
		      (unsigned)(exit->raw_reason & 0xffff), vm_exit_kind_name(exit->kind),
		      (unsigned long long)exit->qualification, (unsigned long long)exit->guest_rip);
}

void vmx_decode_exit(struct vm_vcpu *vcpu, enum vmx_status status, struct vm_exit *exit)
{
	struct vmentry_result entry = vmentry_result_read(status);

	exit->vector = exit->instruction_length = exit->cr_register = 0;
	exit->description[0] = 0;   /* an ordinary exit's is written when asked for (vm_exit_text) */
	exit->raw_reason = status == VMX_FAIL_VALID ? entry.instruction_error : entry.exit_reason;
	exit->qualification = entry.qualification;
	if (status == VMX_OK) {
		exit->info2 = vmcs_read32(VMCS_EXIT_INTERRUPTION_INFO);
		exit->guest_rip = vmcs_read_natural(VMCS_GUEST_RIP);
		exit->instruction_length = vmcs_read32(VMCS_EXIT_INSTRUCTION_LENGTH);
	}
	if (vmentry_result_describe(&entry, exit->description, sizeof exit->description)) {
		exit->kind = VM_EXIT_ENTRY_FAILED;
		return;
	}
	basic_exit(exit, entry.exit_reason & 0xffff);
}

void vmx_dump(struct vm_vcpu *vcpu, char *buffer, unsigned long size)
{
	const struct vm_regs *r = &vcpu->regs;
	format_string(buffer, size,
		"  vm: \"vmx\"\n  exit_reason: \"0x%x\"\n  exit_qualification: \"0x%llx\"\n"
		"  interruption_info: \"0x%x\"\n  instruction_error: %u\n"
		"  guest_rip: \"0x%016llx\"\n  guest_rsp: \"0x%016llx\"\n  guest_rflags: \"0x%llx\"\n"
		"  guest_cr0: \"0x%llx\"\n  guest_cr3: \"0x%llx\"\n  guest_cr4: \"0x%llx\"\n"
		"  guest_rax: \"0x%llx\"\n  guest_rbx: \"0x%llx\"\n  guest_rcx: \"0x%llx\"\n"
		"  guest_rdx: \"0x%llx\"\n  guest_rsi: \"0x%llx\"\n  guest_rdi: \"0x%llx\"\n",
		vmcs_read32(VMCS_EXIT_REASON), (unsigned long long)vmcs_read_natural(VMCS_EXIT_QUALIFICATION),
		vmcs_read32(VMCS_EXIT_INTERRUPTION_INFO), vmcs_read32(VMCS_INSTRUCTION_ERROR),
		(unsigned long long)vmcs_read_natural(VMCS_GUEST_RIP),
		(unsigned long long)vmcs_read_natural(VMCS_GUEST_RSP),
		(unsigned long long)vmcs_read_natural(VMCS_GUEST_RFLAGS),
		(unsigned long long)vmcs_read_natural(VMCS_GUEST_CR0),
		(unsigned long long)vmcs_read_natural(VMCS_GUEST_CR3),
		(unsigned long long)vmcs_read_natural(VMCS_GUEST_CR4),
		(unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx,
		(unsigned long long)r->rdx, (unsigned long long)r->rsi, (unsigned long long)r->rdi);
}
