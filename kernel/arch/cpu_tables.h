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
/* Puts back the firmware's GDT and IDT before control returns to it. */
void cpu_tables_restore_firmware(void);

#endif
