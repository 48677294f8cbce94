#include "lib/acpi_tables.h"
#include "lib/string.h"

/* ACPI 6.5, 5.2.5.3: the RSDP; 20 bytes in revision 0, `length` bytes from 2 on. */
#define RSDP_V1_LENGTH 20
#define RSDP_V2_LENGTH 36
/* 5.2.6: the header every system description table starts with. */
#define HEADER_LENGTH 36
/* 5.2.12: the MADT's entries follow the local APIC address and the flags. */
#define MADT_ENTRIES_OFFSET 44
#define MADT_IOAPIC 1             /* 5.2.12.3 */
#define MADT_SOURCE_OVERRIDE 2    /* 5.2.12.5 */
#define IOAPIC_ENTRY_LENGTH 12
#define OVERRIDE_ENTRY_LENGTH 10
/* 5.2.12.5, MPS INTI flags: polarity in bits 1:0, trigger mode in bits 3:2. */
#define INTI_ACTIVE_LOW 3
#define INTI_LEVEL_TRIGGERED 3
#define PIT_ISA_IRQ 0

static uint16_t read16(const uint8_t *bytes)
{
	return (uint16_t)(bytes[0] | bytes[1] << 8);
}

static uint32_t read32(const uint8_t *bytes)
{
	return (uint32_t)read16(bytes) | (uint32_t)read16(bytes + 2) << 16;
}

static uint64_t read64(const uint8_t *bytes)
{
	return (uint64_t)read32(bytes) | (uint64_t)read32(bytes + 4) << 32;
}

static const uint8_t *map(const struct acpi_memory *memory, uint64_t address, uint64_t length)
{
	if (!address || address + length < address)
		return 0;
	return memory->map(memory->context, address, length);
}

/* 5.2.5.3, 5.2.6: all bytes of a structure sum to zero. */
static int checksum_ok(const uint8_t *bytes, uint32_t length)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + bytes[i]);
	return sum == 0;
}

/* A whole table with that signature and a good checksum; 0 and *result otherwise
   (bad: what a table that is there but wrong gives). */
static const uint8_t *map_table(const struct acpi_memory *memory, uint64_t address,
				const char *signature, enum acpi_result bad, enum acpi_result *result)
{
	const uint8_t *table = map(memory, address, HEADER_LENGTH);
	uint32_t length;

	*result = ACPI_UNREADABLE;
	if (!table)
		return 0;
	*result = bad;
	length = read32(table + 4);
	if (memcmp(table, signature, 4) || length < HEADER_LENGTH || length > ACPI_LARGEST_TABLE)
		return 0;
	table = map(memory, address, length);
	if (!table) {
		*result = ACPI_UNREADABLE;
		return 0;
	}
	if (!checksum_ok(table, length))
		return 0;
	*result = ACPI_OK;
	return table;
}

struct root_pointers {
	uint64_t rsdt, xsdt;
	uint8_t revision;
};

static enum acpi_result read_rsdp(const struct acpi_memory *memory, uint64_t address,
				  struct root_pointers *roots)
{
	const uint8_t *rsdp = map(memory, address, RSDP_V1_LENGTH);
	uint32_t length;

	if (!rsdp)
		return ACPI_UNREADABLE;
	if (memcmp(rsdp, "RSD PTR ", 8) || !checksum_ok(rsdp, RSDP_V1_LENGTH))
		return ACPI_BAD_RSDP;
	roots->revision = rsdp[15];
	roots->rsdt = read32(rsdp + 16);
	roots->xsdt = 0;
	if (roots->revision < 2)
		return ACPI_OK;
	rsdp = map(memory, address, RSDP_V2_LENGTH);
	if (!rsdp)
		return ACPI_UNREADABLE;
	length = read32(rsdp + 20);
	if (length < RSDP_V2_LENGTH || length > ACPI_LARGEST_TABLE)
		return ACPI_BAD_RSDP;
	rsdp = map(memory, address, length);
	if (!rsdp)
		return ACPI_UNREADABLE;
	if (!checksum_ok(rsdp, length))   /* the extended checksum */
		return ACPI_BAD_RSDP;
	roots->xsdt = read64(rsdp + 24);
	return ACPI_OK;
}

/* 5.2.7, 5.2.8: the RSDT holds 32-bit table addresses, the XSDT 64-bit ones. */
static enum acpi_result find_madt(const struct acpi_memory *memory, const uint8_t *root,
				  unsigned entry_size, const uint8_t **madt)
{
	uint32_t entries_length = read32(root + 4) - HEADER_LENGTH;
	int unreadable = 0;

	if (entries_length % entry_size)
		return ACPI_BAD_ROOT_TABLE;
	for (uint32_t offset = 0; offset < entries_length; offset += entry_size) {
		const uint8_t *entry = root + HEADER_LENGTH + offset;
		uint64_t address = entry_size == 8 ? read64(entry) : read32(entry);
		const uint8_t *header = map(memory, address, HEADER_LENGTH);
		enum acpi_result result;

		if (!header) {
			unreadable = 1;
			continue;
		}
		if (memcmp(header, "APIC", 4))
			continue;
		*madt = map_table(memory, address, "APIC", ACPI_BAD_MADT, &result);
		return result;
	}
	return unreadable ? ACPI_UNREADABLE : ACPI_NO_MADT;
}

/* The root table: the XSDT where the RSDP has one and it is sound, else the RSDT. */
static enum acpi_result read_root(const struct acpi_memory *memory, const struct root_pointers *roots,
				  const uint8_t **madt, struct acpi_pit_route *route)
{
	enum acpi_result result = ACPI_BAD_ROOT_TABLE;
	const uint8_t *root;

	if (roots->xsdt) {
		root = map_table(memory, roots->xsdt, "XSDT", ACPI_BAD_ROOT_TABLE, &result);
		if (root) {
			string_copy(route->root_table, "XSDT", sizeof route->root_table);
			return find_madt(memory, root, 8, madt);
		}
	}
	if (!roots->rsdt)
		return result;
	root = map_table(memory, roots->rsdt, "RSDT", ACPI_BAD_ROOT_TABLE, &result);
	if (!root)
		return result;
	string_copy(route->root_table, "RSDT", sizeof route->root_table);
	return find_madt(memory, root, 4, madt);
}

/* Every entry's length must keep it inside the table and hold its fields. */
static enum acpi_result check_madt_entries(const uint8_t *madt)
{
	uint32_t length = read32(madt + 4), offset = MADT_ENTRIES_OFFSET;

	if (length < MADT_ENTRIES_OFFSET)
		return ACPI_BAD_MADT;
	while (offset < length) {
		uint8_t type, entry_length;
		if (length - offset < 2)
			return ACPI_BAD_MADT;
		type = madt[offset];
		entry_length = madt[offset + 1];
		if (entry_length < 2 || entry_length > length - offset ||
		    (type == MADT_IOAPIC && entry_length < IOAPIC_ENTRY_LENGTH) ||
		    (type == MADT_SOURCE_OVERRIDE && entry_length < OVERRIDE_ENTRY_LENGTH))
			return ACPI_BAD_MADT;
		offset += entry_length;
	}
	return ACPI_OK;
}

/* 5.2.12.5: without an override ISA IRQs are identity-mapped onto GSIs, edge
   triggered and active high ("conforms to the bus" for ISA). */
static void read_pit_override(const uint8_t *madt, struct acpi_pit_route *route)
{
	uint32_t length = read32(madt + 4);

	route->gsi = PIT_ISA_IRQ;
	for (uint32_t offset = MADT_ENTRIES_OFFSET; offset < length; offset += madt[offset + 1]) {
		const uint8_t *entry = madt + offset;
		uint16_t flags;
		if (entry[0] != MADT_SOURCE_OVERRIDE || entry[2] != 0 || entry[3] != PIT_ISA_IRQ)
			continue;
		flags = read16(entry + 8);
		route->gsi = read32(entry + 4);
		route->overridden = 1;
		route->active_low = (flags & 3) == INTI_ACTIVE_LOW;
		route->level_triggered = (flags >> 2 & 3) == INTI_LEVEL_TRIGGERED;
		return;
	}
}

/* The I/O APIC whose inputs start highest at or below the GSI: the one that holds it,
   since the MADT gives no input counts (those are in each I/O APIC's own version
   register) and I/O APICs' ranges do not overlap. */
static enum acpi_result choose_ioapic(const uint8_t *madt, struct acpi_pit_route *route)
{
	uint32_t length = read32(madt + 4);
	int found = 0;

	for (uint32_t offset = MADT_ENTRIES_OFFSET; offset < length; offset += madt[offset + 1]) {
		const uint8_t *entry = madt + offset;
		uint32_t gsi_base;
		if (entry[0] != MADT_IOAPIC)
			continue;
		route->ioapic_count++;
		gsi_base = read32(entry + 8);
		if (gsi_base > route->gsi || (found && gsi_base <= route->ioapic_gsi_base))
			continue;
		found = 1;
		route->ioapic_id = entry[2];
		route->ioapic_address = read32(entry + 4);
		route->ioapic_gsi_base = gsi_base;
	}
	return found ? ACPI_OK : ACPI_NO_IOAPIC;
}

enum acpi_result acpi_find_pit_route(const struct acpi_memory *memory, uint64_t rsdp_address,
				     struct acpi_pit_route *route)
{
	struct root_pointers roots;
	const uint8_t *madt = 0;
	enum acpi_result result;

	memset(route, 0, sizeof *route);
	if (!rsdp_address)
		return ACPI_NO_RSDP;
	result = read_rsdp(memory, rsdp_address, &roots);
	if (result != ACPI_OK)
		return result;
	route->rsdp_revision = roots.revision;
	result = read_root(memory, &roots, &madt, route);
	if (result == ACPI_OK)
		result = check_madt_entries(madt);
	if (result != ACPI_OK)
		return result;
	read_pit_override(madt, route);
	return choose_ioapic(madt, route);
}

const char *acpi_result_text(enum acpi_result result)
{
	static const char *const texts[] = {
		[ACPI_OK] = "ok",
		[ACPI_NO_RSDP] = "the boot path found no ACPI RSDP",
		[ACPI_UNREADABLE] = "an ACPI table lies outside mapped memory",
		[ACPI_BAD_RSDP] = "the RSDP's signature, checksum or length is wrong",
		[ACPI_BAD_ROOT_TABLE] = "the RSDT/XSDT's signature, length or checksum is wrong",
		[ACPI_NO_MADT] = "no MADT (\"APIC\") in the RSDT/XSDT",
		[ACPI_BAD_MADT] = "the MADT's checksum or an entry's length is wrong",
		[ACPI_NO_IOAPIC] = "no MADT I/O APIC entry holds the PIT's GSI",
	};

	if ((unsigned)result >= sizeof texts / sizeof texts[0] || !texts[result])
		return "unknown ACPI result";
	return texts[result];
}
