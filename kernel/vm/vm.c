/* The implementation-independent half of fpulab's hypervisor: choosing VMX or SVM,
   setting up a vCPU around a guest function, the run loop with the guest watchdog,
   and the standard emulation of the exits the tests provoke. */
#include "vm/vm.h"
#include "vm/vm_guest.h"
#include "cpu_features.h"
#include "memory.h"
#include "timekeeping.h"
#include "watchdog.h"
#include "arch/per_cpu.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "lib/string.h"
#include <stddef.h>

/* The world switches' view of struct vm_regs (kernel/vm/vm_regs.inc). */
_Static_assert(offsetof(struct vm_regs, rax) == 0 && offsetof(struct vm_regs, rbx) == 8 &&
	       offsetof(struct vm_regs, rcx) == 16 && offsetof(struct vm_regs, rdx) == 24 &&
	       offsetof(struct vm_regs, rsi) == 32 && offsetof(struct vm_regs, rdi) == 40 &&
	       offsetof(struct vm_regs, rbp) == 48 && offsetof(struct vm_regs, r8) == 56 &&
	       offsetof(struct vm_regs, r15) == 112 && sizeof(struct vm_regs) == 120, "vm_regs.inc");

#define GUEST_STACK_PAGES 4

int vm_guest_uses_vmmcall;

const struct vm_ops *vm_ops_select(char *reason)
{
	const struct vm_ops *ops = cpu_features()->has.vmx ? &vmx_ops
				 : cpu_features()->has.svm ? &svm_ops : 0;
	if (!ops)
		format_string(reason, VM_REASON_SIZE, "CPUID.1:ECX.VMX[5]=0 and CPUID.80000001H:ECX.SVM[2]=0");
	else
		ops->hypercall_init();
	return ops;
}

void vm_force_off(void)
{
	vmx_ops.disable();
	svm_ops.disable();
}

int vm_vcpu_setup(const struct vm_ops *ops, struct vm_vcpu *vcpu, vm_guest_function function,
		  void *argument, char *reason)
{
	memset(vcpu, 0, sizeof *vcpu);
	vcpu->ops = ops;
	vcpu->stack_top = memory_alloc_pages(GUEST_STACK_PAGES) + GUEST_STACK_PAGES * PAGE_SIZE;
	vcpu->regs.rsi = (uint64_t)(uintptr_t)function;
	vcpu->regs.rdi = (uint64_t)(uintptr_t)argument;
	if (read_cr4() & CR4_OSXSAVE)
		vcpu->guest_xcr0 = xgetbv(0);
	return ops->vcpu_create(vcpu, reason);
}

void vm_time_limit(struct vm_vcpu *vcpu, uint32_t milliseconds)
{
	vcpu->deadline_tsc = milliseconds ? rdtsc() + milliseconds_to_tsc(milliseconds) : 0;
}

const char *vm_exit_text(struct vm_vcpu *vcpu, struct vm_exit *exit)
{
	if (!exit->description[0])
		vcpu->ops->describe_exit(exit);
	return exit->description;
}

static void timeout(struct vm_vcpu *vcpu, struct vm_exit *exit, const char *how)
{
	char cause[VM_REASON_SIZE];
	string_copy(cause, vm_exit_text(vcpu, exit), sizeof cause);
	exit->kind = VM_EXIT_TIMEOUT;
	format_string(exit->description, sizeof exit->description,
		      "timeout: guest still running (%s; last exit: %s)", how, cause);
}

/* NMI exits: on the first CPU the host watchdog's NMI (kernel/watchdog.c) decides
   whether the test's time is up; then the guest ends with VM_EXIT_TIMEOUT and a
   guest-state dump instead of a trap frame. The watchdog is the first CPU's: on the
   second, an NMI (sent by the first when a call is late, docs/smp.md) ends the guest
   only past its own deadline. Otherwise the guest goes on. docs/vm.md, "Watchdog". */
void vm_run(struct vm_vcpu *vcpu, struct vm_exit *exit)
{
	for (;;) {
		const char *ended = 0;

		vcpu->ops->vcpu_run(vcpu, exit);
		if (exit->kind == VM_EXIT_NMI) {
			vcpu->nmi_exits++;
			if (this_cpu()->index == 0 && watchdog_nmi_says_expired()) {
				watchdog_disarm();
				ended = "the host watchdog's NMI arrived in guest mode after the test's time limit";
			}
		} else if (exit->kind == VM_EXIT_TIMER) {
			vcpu->timer_exits++;
		}
		if (!ended && vcpu->deadline_tsc && rdtsc() >= vcpu->deadline_tsc &&
		    (exit->kind == VM_EXIT_NMI || exit->kind == VM_EXIT_TIMER))
			ended = exit->kind == VM_EXIT_TIMER ? "VMX preemption timer: guest time limit passed"
							    : "NMI exit after the guest time limit";
		vcpu->ops->exit_done(vcpu, exit);
		if (ended)
			timeout(vcpu, exit, ended);
		if (ended || (exit->kind != VM_EXIT_NMI && exit->kind != VM_EXIT_TIMER))
			return;
	}
}

void vm_skip_instruction(struct vm_vcpu *vcpu, const struct vm_exit *exit)
{
	vcpu->ops->set_rip(vcpu, exit->guest_rip + exit->instruction_length);
}

static uint64_t *gpr(struct vm_vcpu *vcpu, uint32_t number)
{
	/* SDM/APM register numbering: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15. */
	struct vm_regs *r = &vcpu->regs;
	uint64_t *by_number[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, 0, &r->rbp, &r->rsi, &r->rdi,
				    &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
	return by_number[number & 15];
}

static int emulate_cpuid(struct vm_vcpu *vcpu)
{
	struct cpuid_result r = cpuid((uint32_t)vcpu->regs.rax, (uint32_t)vcpu->regs.rcx);
	vcpu->regs.rax = r.eax;
	vcpu->regs.rbx = r.ebx;
	vcpu->regs.rcx = r.ecx;
	vcpu->regs.rdx = r.edx;
	return 0;
}

/* SDM Vol. 2, XSETBV: XCR0[0] set, AVX needs SSE, only supported bits. */
static int emulate_xsetbv(struct vm_vcpu *vcpu)
{
	uint64_t value = (vcpu->regs.rdx << 32) | (uint32_t)vcpu->regs.rax, host = xgetbv(0);
	int refused;

	if ((uint32_t)vcpu->regs.rcx != 0 || (value & ~cpu_features()->xcr0_supported))
		return -1;
	/* The CPU's own XCR0 rules (SDM Vol. 2C, XSETBV: x87 set, AVX with SSE, the
	   AVX-512 and AMX groups whole): a value it refuses is not loaded before entry. */
	refused = xsetbv_safe(0, value) != 0;
	xsetbv(0, host);
	if (refused)
		return -1;
	vcpu->guest_xcr0 = value;
	return 0;
}

static uint64_t *virtual_msr(struct vm_vcpu *vcpu, uint32_t msr)
{
	return msr == MSR_IA32_XFD ? &vcpu->virtual_xfd : msr == MSR_IA32_XFD_ERR ? &vcpu->virtual_xfd_err : 0;
}

static int emulate_msr(struct vm_vcpu *vcpu, int write)
{
	uint64_t *value = virtual_msr(vcpu, (uint32_t)vcpu->regs.rcx);

	if (!value)
		return -1;
	if (write) {
		*value = (vcpu->regs.rdx << 32) | (uint32_t)vcpu->regs.rax;
	} else {
		vcpu->regs.rax = (uint32_t)*value;
		vcpu->regs.rdx = *value >> 32;
	}
	return 0;
}

static int emulate_cr0_write(struct vm_vcpu *vcpu, const struct vm_exit *exit)
{
	uint64_t *source = gpr(vcpu, exit->cr_register);
	if (!source)
		return -1;
	vcpu->ops->set_cr0(vcpu, *source);
	return 0;
}

int vm_emulate(struct vm_vcpu *vcpu, const struct vm_exit *exit)
{
	int status;

	switch (exit->kind) {
	case VM_EXIT_HYPERCALL: case VM_EXIT_HLT: status = 0; break;
	case VM_EXIT_CPUID: status = emulate_cpuid(vcpu); break;
	case VM_EXIT_XSETBV: status = emulate_xsetbv(vcpu); break;
	case VM_EXIT_MSR_READ: status = emulate_msr(vcpu, 0); break;
	case VM_EXIT_MSR_WRITE: status = emulate_msr(vcpu, 1); break;
	case VM_EXIT_CR0_WRITE: status = emulate_cr0_write(vcpu, exit); break;
	case VM_EXIT_EXCEPTION:
		/* Lazy FPU for the guest: #NM with guest CR0.TS clears TS and retries. */
		if (exit->vector != VECTOR_NM || !(vcpu->ops->get_cr0(vcpu) & CR0_TS))
			return -1;
		vcpu->ops->set_cr0(vcpu, vcpu->ops->get_cr0(vcpu) & ~CR0_TS);
		return 0;
	default: return -1;
	}
	if (status == 0)
		vm_skip_instruction(vcpu, exit);
	return status;
}

const char *vm_exit_kind_name(enum vm_exit_kind kind)
{
	static const char *const names[] = {
		"hypercall", "hlt", "cpuid", "xsetbv", "msr-read", "msr-write", "cr0-write",
		"exception", "nmi", "timer", "interrupt", "entry-failed", "timeout", "vmcs-access-failed",
		"other",
	};
	return kind <= VM_EXIT_OTHER ? names[kind] : "?";
}
