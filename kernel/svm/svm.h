/* AMD SVM: the VMCB (APM Vol. 2, Appendix B, Tables B-1 and B-2), intercept bits,
   exit codes (Appendix C). Offsets are checked at compile time. */
#ifndef FPULAB_SVM_H
#define FPULAB_SVM_H

#include <stddef.h>
#include <stdint.h>
#include "vm/vm.h"

struct svm_segment {
	uint16_t selector;
	uint16_t attributes;      /* type, S, DPL, P in 7:0; AVL, L, D/B, G in 11:8 */
	uint32_t limit;
	uint64_t base;
};

struct vmcb_control {
	uint32_t intercept_cr;            /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;
	uint32_t intercept_exceptions;    /* 0x008 */
	uint32_t intercept_misc1;         /* 0x00c */
	uint32_t intercept_misc2;         /* 0x010 */
	uint32_t intercept_misc3;
	uint8_t reserved_1[0x3c - 0x18];
	uint16_t pause_filter_threshold;
	uint16_t pause_filter_count;
	uint64_t iopm_base;               /* 0x040 */
	uint64_t msrpm_base;              /* 0x048 */
	uint64_t tsc_offset;
	uint32_t asid;                    /* 0x058 */
	uint8_t tlb_control;
	uint8_t reserved_2[3];
	uint32_t interrupt_control;       /* 0x060: V_INTR_MASKING is bit 24 */
	uint32_t interrupt_vector;
	uint32_t interrupt_state;         /* 0x068 */
	uint8_t reserved_3[4];
	uint64_t exit_code;               /* 0x070 */
	uint64_t exit_info_1;
	uint64_t exit_info_2;
	uint32_t exit_interrupt_info;     /* 0x088 */
	uint32_t exit_interrupt_error;
	uint64_t nested_control;          /* 0x090: NP_ENABLE is bit 0 */
	uint64_t avic_apic_bar;
	uint64_t ghcb;
	uint32_t event_inject;            /* 0x0a8 */
	uint32_t event_inject_error;
	uint64_t nested_cr3;              /* 0x0b0 */
	uint64_t virtualization_extensions;
	uint32_t clean_bits;              /* 0x0c0 */
	uint32_t reserved_4;
	uint64_t next_rip;                /* 0x0c8 */
	uint8_t instruction_length;       /* 0x0d0 */
	uint8_t instruction_bytes[15];
	uint8_t reserved_5[0x400 - 0xe0];
};

struct vmcb_save {
	struct svm_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;  /* 0x400.. */
	uint8_t reserved_1[0x4cb - 0x4a0];
	uint8_t cpl;                      /* 0x4cb */
	uint32_t reserved_2;
	uint64_t efer;                    /* 0x4d0 */
	uint8_t reserved_3[0x548 - 0x4d8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;   /* 0x548.. */
	uint8_t reserved_4[0x5d8 - 0x580];
	uint64_t rsp;                     /* 0x5d8 */
	uint64_t s_cet, ssp, isst;
	uint64_t rax;                     /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2;                     /* 0x640 */
	uint8_t reserved_5[0x668 - 0x648];
	uint64_t g_pat;                   /* 0x668 */
	uint64_t debugctl;
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((packed, aligned(4096)));

#define VMCB_CONTROL(field, offset) _Static_assert(offsetof(struct vmcb, control.field) == (offset), #field)
#define VMCB_SAVE(field, offset) _Static_assert(offsetof(struct vmcb, save.field) == (offset), #field)
VMCB_CONTROL(intercept_misc2, 0x010);
VMCB_CONTROL(pause_filter_threshold, 0x03c);
VMCB_CONTROL(iopm_base, 0x040);
VMCB_CONTROL(asid, 0x058);
VMCB_CONTROL(interrupt_control, 0x060);
VMCB_CONTROL(exit_code, 0x070);
VMCB_CONTROL(exit_interrupt_info, 0x088);
VMCB_CONTROL(nested_control, 0x090);
VMCB_CONTROL(event_inject, 0x0a8);
VMCB_CONTROL(nested_cr3, 0x0b0);
VMCB_CONTROL(clean_bits, 0x0c0);
VMCB_CONTROL(next_rip, 0x0c8);
VMCB_CONTROL(instruction_bytes, 0x0d1);
VMCB_SAVE(es, 0x400);
VMCB_SAVE(tr, 0x490);
VMCB_SAVE(cpl, 0x4cb);
VMCB_SAVE(efer, 0x4d0);
VMCB_SAVE(cr4, 0x548);
VMCB_SAVE(rip, 0x578);
VMCB_SAVE(rsp, 0x5d8);
VMCB_SAVE(rax, 0x5f8);
VMCB_SAVE(cr2, 0x640);
VMCB_SAVE(g_pat, 0x668);

/* Intercepts (APM Table B-1). */
#define INTERCEPT_CR0_WRITE (1u << 16)
#define INTERCEPT_INTR      (1u << 0)     /* misc1 */
#define INTERCEPT_NMI       (1u << 1)
#define INTERCEPT_CPUID     (1u << 18)
#define INTERCEPT_HLT       (1u << 24)
#define INTERCEPT_MSR_PROT  (1u << 28)
#define INTERCEPT_SHUTDOWN  (1u << 31)
#define INTERCEPT_VMRUN     (1u << 0)     /* misc2 */
#define INTERCEPT_VMMCALL   (1u << 1)
#define INTERCEPT_XSETBV    (1u << 13)
#define V_INTR_MASKING      (1u << 24)
#define NP_ENABLE           1ull
#define TLB_CONTROL_FLUSH_ALL 1

/* Exit codes (APM Appendix C). */
#define SVM_EXIT_CR0_WRITE  0x010
#define SVM_EXIT_EXCEPTION  0x040        /* + vector */
#define SVM_EXIT_INTR       0x060
#define SVM_EXIT_NMI        0x061
#define SVM_EXIT_CPUID      0x072
#define SVM_EXIT_HLT        0x078
#define SVM_EXIT_MSR        0x07c
#define SVM_EXIT_SHUTDOWN   0x07f
#define SVM_EXIT_VMMCALL    0x081
#define SVM_EXIT_XSETBV     0x08d
#define SVM_EXIT_NPF        0x400
#define SVM_EXIT_INVALID    (~0ull)
/* QEMU 7.2 TCG writes only the low 32 bits of -1. */
#define SVM_EXIT_INVALID_32 0xffffffffull

#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_SVMDIS (1ull << 4)
#define VM_CR_LOCK (1ull << 3)

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t msrpm, iopm;
	/* The state VMRUN checked, kept because a failed VMRUN may overwrite the VMCB's
	   save area (Bochs 2.7 does). */
	uint64_t entry_efer, entry_cr0, entry_cr4, entry_dr6, entry_dr7;
};

void svm_world_switch(struct vm_regs *regs, uint64_t vmcb);
void svm_guest_trampoline(void);

int svm_probe(char *reason);
int svm_enable(char *reason);
void svm_disable(void);
int svm_vmcb_setup(struct vm_vcpu *vcpu, char *reason);
void svm_decode_exit(struct vm_vcpu *vcpu, struct vm_exit *exit);
void svm_describe_exit(struct vm_exit *exit);
void svm_dump(struct vm_vcpu *vcpu, char *buffer, unsigned long size);

#endif
