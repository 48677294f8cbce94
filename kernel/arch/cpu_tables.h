/* fpulab's own GDT (with a TSS for the NMI/#DF/#MC stacks) and IDT. */
#ifndef FPULAB_CPU_TABLES_H
#define FPULAB_CPU_TABLES_H

#include <stdint.h>

struct boot_info;

extern uint16_t kernel_code_selector, kernel_data_selector;
/* Ring-3 selectors (RPL 3), for probes that need a CPL change. */
extern uint16_t user_code_selector, user_data_selector;

/* Installs the tables. Firmware selectors named in boot stay valid, and after an EFI
   boot vectors 32..255 keep the firmware's handlers, so its timer still runs. */
void cpu_tables_init(const struct boot_info *boot);
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
   interrupt themselves (after an EFI boot vectors 32..255 hold the firmware's gates). */
void cpu_tables_replace_gate(unsigned vector, uint64_t handler, uint64_t saved[2]);
void cpu_tables_restore_gate(unsigned vector, const uint64_t saved[2]);
/* Puts back the firmware's GDT and IDT before control returns to it. */
void cpu_tables_restore_firmware(void);

#endif
