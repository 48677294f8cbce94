/* Where the PIT's interrupt reaches an I/O APIC, for the watchdog's fallback: read
   from the firmware's MADT (kernel/lib/acpi_tables.c), or the PC's defaults (the
   I/O APIC at 0xfec00000, the PIT on GSI 2) when the boot path gave no RSDP or the
   tables are unusable. The cpu record's "ioapic" says which, and why. */
#ifndef FPULAB_ACPI_H
#define FPULAB_ACPI_H

#include <stdint.h>

struct json_writer;

#define PC_IOAPIC_ADDRESS 0xfec00000ull
#define PC_PIT_GSI 2                 /* ISA IRQ 0 wired to I/O APIC input 2 */

struct pit_route {
	uint64_t ioapic_address;
	unsigned ioapic_id, ioapic_gsi_base;
	unsigned gsi;
	int active_low, level_triggered;
	int overridden;           /* an Interrupt Source Override named the GSI */
	int from_madt;
	const char *reason;       /* without from_madt: why the defaults */
	char root_table[5];       /* with from_madt: "XSDT" or "RSDT" */
};

/* After paging_init: the tables are read through fpulab's identity map. */
void acpi_init(uint64_t rsdp_address);
const struct pit_route *acpi_pit_route(void);
/* The cpu record's "ioapic" object (docs/output.md). */
void acpi_write_record(struct json_writer *writer);

#endif
