/* The few ACPI tables fpulab reads: RSDP -> RSDT or XSDT -> MADT, for the I/O APIC
   that receives the PIT's interrupt and the Interrupt Source Override that says on
   which global system interrupt (GSI) it arrives. Portable (rule 5): every byte is
   read through the caller's acpi_memory, so the host tests hand it crafted tables
   and the kernel hands it its identity map. */
#ifndef FPULAB_ACPI_TABLES_H
#define FPULAB_ACPI_TABLES_H

#include <stdint.h>

/* Larger tables are taken for corrupt (a MADT for 4096 x2APICs is 64 KiB). */
#define ACPI_LARGEST_TABLE (1u << 20)

struct acpi_memory {
	/* A pointer to `length` readable bytes at physical `address`, or 0 when the
	   range cannot be read. */
	const void *(*map)(void *context, uint64_t address, uint64_t length);
	void *context;
};

enum acpi_result {
	ACPI_OK,
	ACPI_NO_RSDP,          /* the boot path found none */
	ACPI_UNREADABLE,       /* a table lies outside what acpi_memory can read */
	ACPI_BAD_RSDP,         /* signature, checksum or length */
	ACPI_BAD_ROOT_TABLE,   /* RSDT/XSDT signature, length or checksum */
	ACPI_NO_MADT,
	ACPI_BAD_MADT,         /* checksum, length, or an entry running past the end */
	ACPI_NO_IOAPIC,        /* no I/O APIC entry whose inputs can hold the PIT's GSI */
};

/* Where ISA IRQ 0 (the PIT's channel 0) arrives. */
struct acpi_pit_route {
	uint32_t gsi;
	int overridden;        /* an Interrupt Source Override gave gsi (else identity: 0) */
	int active_low;        /* MPS INTI flags with "conforms to the bus" resolved for */
	int level_triggered;   /* ISA: active high, edge triggered */
	uint32_t ioapic_address;
	uint32_t ioapic_gsi_base;
	uint8_t ioapic_id;
	unsigned ioapic_count; /* I/O APIC entries in the MADT */
	uint8_t rsdp_revision;
	char root_table[5];    /* "XSDT" or "RSDT": the one the MADT was found through */
};

enum acpi_result acpi_find_pit_route(const struct acpi_memory *memory, uint64_t rsdp_address,
				     struct acpi_pit_route *route);
const char *acpi_result_text(enum acpi_result result);

#endif
