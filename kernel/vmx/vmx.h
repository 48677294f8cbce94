/* Intel VMX: VMCS field encodings (SDM Vol. 3D, Appendix B), grouped like the SDM's
   tables, control bits (SDM 25.6, 25.7, 25.8), exit reasons (Appendix C). */
#ifndef FPULAB_VMX_H
#define FPULAB_VMX_H

#include <stdint.h>
#include "vm/vm.h"

/* ---- 16-bit fields (B.1) ---- */
#define VMCS_VPID                  0x0000
#define VMCS_GUEST_ES_SELECTOR     0x0800   /* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_HOST_ES_SELECTOR      0x0c00   /* ES, CS, SS, DS, FS, GS, TR: +2 each */
#define VMCS_HOST_TR_SELECTOR      0x0c0c
/* ---- 64-bit fields (B.2) ---- */
#define VMCS_MSR_BITMAP            0x2004
#define VMCS_EPT_POINTER           0x201a
#define VMCS_GUEST_PHYSICAL_ADDRESS 0x2400
#define VMCS_LINK_POINTER          0x2800
#define VMCS_GUEST_IA32_PAT        0x2804
#define VMCS_GUEST_IA32_EFER       0x2806
#define VMCS_HOST_IA32_PAT         0x2c00
#define VMCS_HOST_IA32_EFER        0x2c02
/* ---- 32-bit fields (B.3) ---- */
#define VMCS_PIN_CONTROLS          0x4000
#define VMCS_PROC_CONTROLS         0x4002
#define VMCS_EXCEPTION_BITMAP      0x4004
#define VMCS_CR3_TARGET_COUNT      0x400a
#define VMCS_EXIT_CONTROLS         0x400c
#define VMCS_ENTRY_CONTROLS        0x4012
#define VMCS_ENTRY_INTERRUPTION_INFO 0x4016
#define VMCS_PROC_CONTROLS2        0x401e
#define VMCS_INSTRUCTION_ERROR     0x4400
#define VMCS_EXIT_REASON           0x4402
#define VMCS_EXIT_INTERRUPTION_INFO 0x4404
#define VMCS_EXIT_INTERRUPTION_ERROR 0x4406
#define VMCS_IDT_VECTORING_INFO    0x4408
#define VMCS_EXIT_INSTRUCTION_LENGTH 0x440c
#define VMCS_GUEST_ES_LIMIT        0x4800   /* ES..TR: +2 each, then GDTR 0x4810, IDTR 0x4812 */
#define VMCS_GUEST_GDTR_LIMIT      0x4810
#define VMCS_GUEST_IDTR_LIMIT      0x4812
#define VMCS_GUEST_ES_ACCESS       0x4814   /* ES..TR: +2 each */
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define INTERRUPTIBILITY_BLOCKING_BY_NMI (1u << 3)   /* guest interruptibility state, bit 3 */
#define VMCS_GUEST_ACTIVITY        0x4826
#define VMCS_GUEST_SYSENTER_CS     0x482a
#define VMCS_PREEMPTION_TIMER      0x482e
#define VMCS_HOST_SYSENTER_CS      0x4c00
/* ---- natural-width fields (B.4) ---- */
#define VMCS_CR0_MASK              0x6000
#define VMCS_CR4_MASK              0x6002
#define VMCS_CR0_SHADOW            0x6004
#define VMCS_CR4_SHADOW            0x6006
#define VMCS_EXIT_QUALIFICATION    0x6400
#define VMCS_GUEST_CR0             0x6800
#define VMCS_GUEST_CR3             0x6802
#define VMCS_GUEST_CR4             0x6804
#define VMCS_GUEST_ES_BASE         0x6806   /* ES..TR: +2 each, then GDTR 0x6816, IDTR 0x6818 */
#define VMCS_GUEST_GDTR_BASE       0x6816
#define VMCS_GUEST_IDTR_BASE       0x6818
#define VMCS_GUEST_DR7             0x681a
#define VMCS_GUEST_RSP             0x681c
#define VMCS_GUEST_RIP             0x681e
#define VMCS_GUEST_RFLAGS          0x6820
#define VMCS_HOST_CR0              0x6c00
#define VMCS_HOST_CR3              0x6c02
#define VMCS_HOST_CR4              0x6c04
#define VMCS_HOST_FS_BASE          0x6c06
#define VMCS_HOST_GS_BASE          0x6c08
#define VMCS_HOST_TR_BASE          0x6c0a
#define VMCS_HOST_GDTR_BASE        0x6c0c
#define VMCS_HOST_IDTR_BASE        0x6c0e
#define VMCS_HOST_SYSENTER_ESP     0x6c10
#define VMCS_HOST_SYSENTER_EIP     0x6c12
#define VMCS_HOST_RSP              0x6c14
#define VMCS_HOST_RIP              0x6c16

/* Segment order of the guest-state field groups (SDM B.1.2). */
enum vmx_segment { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* Controls (SDM 25.6.1, 25.6.2, 25.6.3, 25.7.1, 25.8.1). */
#define PIN_EXTERNAL_INTERRUPT_EXITING (1u << 0)
#define PIN_NMI_EXITING              (1u << 3)
#define PIN_PREEMPTION_TIMER         (1u << 6)
#define PROC_HLT_EXITING             (1u << 7)
#define PROC_USE_MSR_BITMAPS         (1u << 28)
#define PROC_SECONDARY_CONTROLS      (1u << 31)
#define PROC2_ENABLE_EPT             (1u << 1)
#define PROC2_ENABLE_VPID            (1u << 5)
#define EXIT_HOST_ADDRESS_SPACE_SIZE (1u << 9)
#define EXIT_SAVE_PREEMPTION_TIMER   (1u << 22)
#define ENTRY_IA32E_MODE_GUEST       (1u << 9)

/* Basic exit reasons (SDM Appendix C). */
#define EXIT_REASON_EXCEPTION_NMI   0
#define EXIT_REASON_EXTERNAL_INTERRUPT 1
#define EXIT_REASON_TRIPLE_FAULT    2
#define EXIT_REASON_CPUID           10
#define EXIT_REASON_HLT             12
#define EXIT_REASON_VMCALL          18
#define EXIT_REASON_CR_ACCESS       28
#define EXIT_REASON_RDMSR           31
#define EXIT_REASON_WRMSR           32
#define EXIT_REASON_INVALID_GUEST_STATE 33
#define EXIT_REASON_MSR_LOADING     34
#define EXIT_REASON_MACHINE_CHECK   41
#define EXIT_REASON_EPT_VIOLATION   48
#define EXIT_REASON_EPT_MISCONFIG   49
#define EXIT_REASON_PREEMPTION_TIMER 52
#define EXIT_REASON_XSETBV          55
#define EXIT_REASON_ENTRY_FAILURE   (1u << 31)

/* Capability MSRs (SDM Appendix A). */
#define MSR_IA32_VMX_EXIT_CTLS       0x483
#define MSR_IA32_VMX_ENTRY_CTLS      0x484
#define MSR_IA32_VMX_MISC            0x485
#define MSR_IA32_VMX_CR0_FIXED0      0x486
#define MSR_IA32_VMX_CR0_FIXED1      0x487
#define MSR_IA32_VMX_CR4_FIXED0      0x488
#define MSR_IA32_VMX_CR4_FIXED1      0x489
#define MSR_IA32_VMX_TRUE_PINBASED   0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED  0x48e
#define MSR_IA32_VMX_TRUE_EXIT       0x48f
#define MSR_IA32_VMX_TRUE_ENTRY      0x490
#define FEATURE_CONTROL_LOCK         (1ull << 0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ull << 2)

/* The result of VMLAUNCH/VMRESUME and the other VMX instructions (SDM 31.2). */
enum vmx_status { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

/* What VMLAUNCH/VMRESUME gave (SDM 31.2 and 27.8): the instruction's own failure
   (VMfailInvalid, VMfailValid with its VM-instruction error), or a VM exit, which is
   itself a failed entry when bit 31 of the exit reason is set. */
struct vmentry_result {
	enum vmx_status status;
	uint32_t instruction_error;   /* VMfailValid: the number (SDM 31.4) */
	uint32_t exit_reason;         /* VMX_OK: the full exit reason */
	uint64_t qualification;
};
struct vmentry_result vmentry_result_read(enum vmx_status status);
/* 1 when the entry failed (description filled), 0 for an ordinary VM exit. */
int vmentry_result_describe(const struct vmentry_result *result, char *description, unsigned long size);

struct vmx_vcpu {
	uint64_t vmcs;            /* physical = virtual (identity map) */
	uint64_t msr_bitmap;
	int launched;
	uint64_t host_rsp;        /* HOST_RSP as last written (vmx_world_switch) */
	uint16_t vpid;
	uint32_t pin, proc2;      /* the controls in force */
	uint32_t timer_rate;      /* preemption timer: TSC >> timer_rate */
};

/* Typed accessors with one error path (vmx_setup.c): the first failing VMREAD or
   VMWRITE on this CPU is remembered with its field and the VM-instruction error.
   vmx_vmcs_setup fails on it; vmx_vcpu_run checks it before every entry (and then does
   not enter) and after decoding every exit: either way the exit is
   VM_EXIT_ACCESS_FAILED, naming the field. */
void vmcs_write16(uint32_t field, uint16_t value);
void vmcs_write32(uint32_t field, uint32_t value);
void vmcs_write64(uint32_t field, uint64_t value);
void vmcs_write_natural(uint32_t field, uint64_t value);
uint16_t vmcs_read16(uint32_t field);
uint32_t vmcs_read32(uint32_t field);
uint64_t vmcs_read_natural(uint32_t field);
/* 0 when no accessor failed since the last call; else the first failing field. */
int vmcs_access_error(uint32_t *field, uint32_t *instruction_error);
/* How many CPUs have a failure vmcs_access_error has not read yet: the entry path's
   cheap test before it asks. */
extern volatile int vmcs_access_failures_pending;

/* World switch (vmx_entry.asm): loads regs, VMLAUNCH (launched == 0) or VMRESUME;
   returns VMX_OK after a VM exit with regs holding the guest's registers. HOST_RSP is
   written only when the stack pointer differs from *host_rsp (then updated); HOST_RIP
   is vmx_world_switch_exit, written once by vmx_vmcs_setup. */
enum vmx_status vmx_world_switch(struct vm_regs *regs, int launched, uint64_t *host_rsp);
void vmx_world_switch_exit(void);
void vmx_guest_trampoline(void);
void vmx_unblock_nmi(void);

int vmx_probe(char *reason);
int vmx_enable(char *reason);
void vmx_disable(void);
int vmx_vmcs_load(uint64_t vmcs, char *reason);
void vmx_vmcs_clear(uint64_t vmcs);
const char *vmx_instruction_error_name(uint32_t number);
void vmx_decode_exit(struct vm_vcpu *vcpu, enum vmx_status status, struct vm_exit *exit);
void vmx_describe_exit(struct vm_exit *exit);
void vmx_dump(struct vm_vcpu *vcpu, char *buffer, unsigned long size);
int vmx_vmcs_setup(struct vm_vcpu *vcpu, char *reason);
void vmx_arm_preemption_timer(struct vm_vcpu *vcpu);

#endif
