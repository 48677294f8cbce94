/* The boundary between fpulab and a firmware that stays alive (UEFI boot services):
   firmware code, its interrupt handlers included, runs only on the firmware's own
   page tables, GDT, IDT and TR, with its own interrupt flag; its interrupt sources
   (the 8259, the local APIC timer) are masked whenever fpulab's tables are loaded,
   and those only with interrupts off (docs/design.md, 13). After a multiboot2 boot there is no firmware and every call
   here does nothing. */
#ifndef FPULAB_FIRMWARE_CALLS_H
#define FPULAB_FIRMWARE_CALLS_H

struct boot_info;

/* First thing in kmain (after apic_init): interrupts off, the firmware's sources
   masked, their settings kept. */
void firmware_calls_take_cpu(const struct boot_info *boot);
/* Around each call into the firmware: firmware_enter returns what firmware_leave
   needs (0 when it switched nothing: no firmware, or already given back). */
int firmware_enter(void);
void firmware_leave(int entered);
/* The end of the run: the firmware's state for good (results file, exit). */
void firmware_give_back(void);

#endif
