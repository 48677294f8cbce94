/* fpulab's own hypervisor: one interface in the shape of Linux's kvm_x86_ops, two
   implementations (kernel/vmx/ for Intel VMX, kernel/svm/ for AMD SVM) with the same
   file roles. Guests are plain C functions of this image, run in 64-bit mode on their
   own stack with the host's CR3 (and an EPT/NPT identity map when the CPU has one).
   docs/vm.md describes the structure and what each platform verified. */
#ifndef FPULAB_VM_H
#define FPULAB_VM_H

#include <stdint.h>

#define VM_REASON_SIZE 200
#define VM_DUMP_SIZE 1600

/* Guest general-purpose registers; the world switch loads and stores them all
   (RSP and RIP live in the VMCS/VMCB). Layout shared with *_entry.asm. */
struct vm_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

enum vm_exit_kind {
	VM_EXIT_HYPERCALL,      /* VMCALL / VMMCALL */
	VM_EXIT_HLT,
	VM_EXIT_CPUID,
	VM_EXIT_XSETBV,
	VM_EXIT_MSR_READ,
	VM_EXIT_MSR_WRITE,
	VM_EXIT_CR0_WRITE,
	VM_EXIT_EXCEPTION,      /* an intercepted guest exception; vector says which */
	VM_EXIT_NMI,            /* a host NMI arrived in guest mode */
	VM_EXIT_TIMER,          /* VMX preemption timer */
	VM_EXIT_INTERRUPT,      /* a host interrupt arrived in guest mode */
	VM_EXIT_ENTRY_FAILED,   /* VMfailInvalid, VMfailValid, failed-entry exit, VMEXIT_INVALID */
	VM_EXIT_TIMEOUT,        /* fpulab's guest watchdog ended the guest */
	VM_EXIT_ACCESS_FAILED,  /* VMX: a VMREAD or VMWRITE of fpulab's failed (the field in the description) */
	VM_EXIT_OTHER,
};

struct vm_exit {
	enum vm_exit_kind kind;
	uint64_t raw_reason;          /* VMX exit reason / SVM EXITCODE */
	uint64_t qualification;       /* VMX exit qualification / SVM EXITINFO1 */
	uint64_t info2;               /* VMX interruption info / SVM EXITINFO2 */
	uint64_t guest_rip;
	uint32_t instruction_length;  /* 0 when the CPU does not say */
	uint32_t vector;              /* VM_EXIT_EXCEPTION */
	uint32_t cr_register;         /* VM_EXIT_CR0_WRITE: the source GPR (0 = RAX) */
	char description[VM_REASON_SIZE];   /* read it through vm_exit_text */
};

struct vm_vcpu;

/* One implementation; every function that can fail writes why into reason. */
struct vm_ops {
	const char *name;                                   /* "vmx" or "svm" */
	int (*probe)(char *reason);                         /* 0: usable */
	int (*enable)(char *reason);                        /* VMXON / EFER.SVME */
	void (*disable)(void);
	int (*vcpu_create)(struct vm_vcpu *vcpu, char *reason);
	/* Enters the guest once; fills exit with the decoded reason. */
	void (*vcpu_run)(struct vm_vcpu *vcpu, struct vm_exit *exit);
	/* After vm_run looked at the exit: VMX unblocks NMIs after an NMI exit, SVM sets
	   GIF again (a held NMI is taken by the host's handler here). */
	void (*exit_done)(struct vm_vcpu *vcpu, const struct vm_exit *exit);
	void (*vcpu_destroy)(struct vm_vcpu *vcpu);
	uint64_t (*get_rip)(struct vm_vcpu *vcpu);
	void (*set_rip)(struct vm_vcpu *vcpu, uint64_t rip);
	uint64_t (*get_cr0)(struct vm_vcpu *vcpu);
	void (*set_cr0)(struct vm_vcpu *vcpu, uint64_t cr0);
	/* Fills exit->description for an ordinary exit (decoding leaves it empty: no
	   formatting on the exit path; a failed entry's is written at once). */
	void (*describe_exit)(struct vm_exit *exit);
	/* YAML lines "  key: value" of the guest state and the last exit. */
	void (*dump)(struct vm_vcpu *vcpu, char *buffer, unsigned long size);
	void (*guest_corrupt)(struct vm_vcpu *vcpu);        /* selftest=vmentry */
	void (*hypercall_init)(void);                       /* which instruction guests use */
};

struct vm_vcpu {
	const struct vm_ops *ops;
	struct vm_regs regs;
	void *arch;                   /* struct vmx_vcpu / struct svm_vcpu */
	uint64_t stack_top;
	uint64_t guest_xcr0;          /* swapped in around every entry */
	int xcr0_changed_without_exit;/* the guest's XSETBV did not exit (vm_fpu.c) */
	uint64_t virtual_xfd, virtual_xfd_err;
	uint8_t *host_fpu, *guest_fpu;/* when set: explicit XSAVE/XRSTOR swap around entry */
	uint64_t fpu_mask;
	uint64_t deadline_tsc;        /* 0: none; else the guest watchdog's deadline */
	uint64_t nmi_exits, timer_exits;
	uint64_t nmi_blocking_cleared;  /* VMX: guest "blocking by NMI" found set after an NMI exit */
};

/* The implementation this CPU has, or NULL with the CPUID reason in reason. */
const struct vm_ops *vm_ops_select(char *reason);
extern const struct vm_ops vmx_ops, svm_ops;

/* Turns VMX or SVM off if a test left it on (a test aborted by the host's NMI handler
   while in host code between two exits). For the runner's after-test path: it must run
   before CR4 is rewritten, since clearing CR4.VMXE in VMX operation raises #GP. */
void vm_force_off(void);

/* Guest entry: the trampoline calls function(argument) and then makes hypercall
   VM_HYPERCALL_DONE. */
typedef void (*vm_guest_function)(void *argument);
int vm_vcpu_setup(const struct vm_ops *ops, struct vm_vcpu *vcpu, vm_guest_function function,
		  void *argument, char *reason);
/* Enters the guest until an exit the caller must see: NMI and timer exits are handled
   here (the host watchdog's NMI ends the guest with VM_EXIT_TIMEOUT). */
void vm_run(struct vm_vcpu *vcpu, struct vm_exit *exit);
/* Standard emulation of one exit (CPUID, XSETBV, MSR, CR0, #NM, HLT, hypercall):
   0 when handled and the guest may continue; -1 when it is not one of these. */
int vm_emulate(struct vm_vcpu *vcpu, const struct vm_exit *exit);
void vm_skip_instruction(struct vm_vcpu *vcpu, const struct vm_exit *exit);
void vm_time_limit(struct vm_vcpu *vcpu, uint32_t milliseconds);
const char *vm_exit_kind_name(enum vm_exit_kind kind);
/* The exit's decoded description, written on first use. */
const char *vm_exit_text(struct vm_vcpu *vcpu, struct vm_exit *exit);

/* Hypercall numbers (guest RAX). */
#define VM_HYPERCALL_DONE 0
#define VM_HYPERCALL_PING 1
#define VM_HYPERCALL_FAIL 2

/* FPU and XCR0 swap around entry and exit (kernel/vm/vm_fpu.c). */
void vm_fpu_before_entry(struct vm_vcpu *vcpu);
void vm_fpu_after_exit(struct vm_vcpu *vcpu);

/* The host's segment and descriptor-table state, which guests copy (kernel/vm/vm_host.c). */
struct vm_host_state {
	uint16_t cs, ss, ds, es, fs, gs, tr;
	uint64_t fs_base, gs_base, tr_base;
	uint32_t tr_limit;
	uint64_t gdtr_base, idtr_base;
	uint16_t gdtr_limit, idtr_limit;
	uint64_t cr0, cr3, cr4, efer, pat;
};
void vm_host_state_read(struct vm_host_state *host);

/* EPT (ept != 0) or NPT identity map of [0, top). Returns the PML4's address. */
uint64_t vm_identity_map(int ept, uint64_t *top);

#endif
