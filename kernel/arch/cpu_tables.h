/* fpulab's own GDT (with a TSS for the NMI/#DF/#MC stacks) and IDT. */
#ifndef FPULAB_CPU_TABLES_H
#define FPULAB_CPU_TABLES_H

#include <stdint.h>

struct boot_info;

/* Flat segment descriptors (SDM Vol. 3A, 3.4.5): base 0, limit 4 GiB, present, DPL 0;
   64-bit code has L=1, D=0. The second CPU's start-up GDT uses them too. */
#define DESCRIPTOR_CODE32 0x00cf9a000000ffffull
#define DESCRIPTOR_CODE64 0x00af9a000000ffffull
#define DESCRIPTOR_DATA   0x00cf92000000ffffull
#define DESCRIPTOR_DPL3   (3ull << 45)

extern uint16_t kernel_code_selector, kernel_data_selector;
/* Ring-3 selectors (RPL 3), for probes that need a CPL change. */
extern uint16_t user_code_selector, user_data_selector;

/* Installs the tables. Firmware selectors named in boot stay valid; every IDT vector
   is fpulab's own (firmware handlers run only on the firmware's tables). */
void cpu_tables_init(const struct boot_info *boot);
/* fpulab's GDT, IDT and TR again, after a firmware call (no-op before init). */
void cpu_tables_load_own(void);
/* 1 when this CPU's IDT is fpulab's and that vector still has fpulab's own stub. */
int cpu_tables_vector_is_own(unsigned vector);
/* The second CPU's tables (kernel/smp/): built by the BSP, loaded by the AP. Its
   stacks are one block of AP_STACKS stacks from stack_base: the IST stacks for NMI,
   #DF, #MC and the ring-0 stack it runs on, in that order. */
#define AP_STACK_BYTES (4 * 4096ull)
#define AP_STACKS 4
struct cpu_tables_ap {
	uint64_t stack_base;     /* set by the caller: AP_STACKS * AP_STACK_BYTES */
	uint64_t gdt_base, idt_base;
};
void cpu_tables_build_for_ap(struct cpu_tables_ap *tables);
void cpu_tables_load_ap(const struct cpu_tables_ap *tables);
/* Points IDT vector at handler (64-bit interrupt gate, DPL 0, no IST) and saves the old
   16-byte gate in saved; cpu_tables_restore_gate puts it back. For tests that take one
   interrupt themselves. */
void cpu_tables_replace_gate(unsigned vector, uint64_t handler, uint64_t saved[2]);
void cpu_tables_restore_gate(unsigned vector, const uint64_t saved[2]);
/* Puts back the firmware's GDT, IDT and TR before control goes to it. */
void cpu_tables_restore_firmware(void);

#endif
