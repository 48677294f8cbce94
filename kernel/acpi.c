#include "acpi.h"
#include "console.h"
#include "memory.h"
#include "lib/acpi_tables.h"
#include "lib/json_writer.h"
#include "lib/string.h"

static struct pit_route route = {
	.ioapic_address = PC_IOAPIC_ADDRESS,
	.gsi = PC_PIT_GSI,
	.reason = "acpi_init did not run",
};

/* Physical memory below the identity map's top is at its own address. */
static const void *map_identity(void *context, uint64_t address, uint64_t length)
{
	uint64_t top = paging_identity_top();

	(void)context;
	if (length > top || address > top - length)
		return 0;
	return (const void *)(uintptr_t)address;
}

static void use_defaults(const char *reason)
{
	memset(&route, 0, sizeof route);
	route.ioapic_address = PC_IOAPIC_ADDRESS;
	route.gsi = PC_PIT_GSI;
	route.reason = reason;
	kprintf("# acpi: %s: the I/O APIC is taken to be at 0x%llx and the PIT on GSI %u\n", reason,
		(unsigned long long)PC_IOAPIC_ADDRESS, PC_PIT_GSI);
}

void acpi_init(uint64_t rsdp_address)
{
	const struct acpi_memory memory = { map_identity, 0 };
	struct acpi_pit_route found;
	enum acpi_result result = acpi_find_pit_route(&memory, rsdp_address, &found);

	if (result != ACPI_OK)
		return use_defaults(acpi_result_text(result));
	memset(&route, 0, sizeof route);
	route.ioapic_address = found.ioapic_address;
	route.ioapic_id = found.ioapic_id;
	route.ioapic_gsi_base = found.ioapic_gsi_base;
	route.gsi = found.gsi;
	route.active_low = found.active_low;
	route.level_triggered = found.level_triggered;
	route.overridden = found.overridden;
	route.from_madt = 1;
	string_copy(route.root_table, found.root_table, sizeof route.root_table);
}

const struct pit_route *acpi_pit_route(void)
{
	return &route;
}

void acpi_write_record(struct json_writer *writer)
{
	json_object_begin(writer, "ioapic");
	json_string(writer, "source", route.from_madt ? "madt" : "default");
	json_hex(writer, "address", route.ioapic_address);
	json_uint(writer, "pit_gsi", route.gsi);
	json_string(writer, "pit_polarity", route.active_low ? "low" : "high");
	json_string(writer, "pit_trigger", route.level_triggered ? "level" : "edge");
	if (route.from_madt) {
		json_uint(writer, "id", route.ioapic_id);
		json_uint(writer, "gsi_base", route.ioapic_gsi_base);
		json_bool(writer, "pit_override", route.overridden);
		json_string(writer, "table", route.root_table);
	} else {
		json_string(writer, "reason", route.reason);
	}
	json_object_end(writer);
}
