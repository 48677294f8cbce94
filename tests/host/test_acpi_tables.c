/* kernel/lib/acpi_tables.c against crafted tables in a fake physical memory that
   straddles 4 GiB, so XSDT entries above it are read with all 64 bits. */
#include "unit.h"
#include "lib/acpi_tables.h"

#include <stdint.h>

#define MEMORY_BASE 0xffff0000ull
#define MEMORY_SIZE 0x20000ull
#define RSDP_AT 0xffff0000ull
#define RSDT_AT 0xffff1000ull
#define XSDT_AT 0xffff2000ull
#define FACP_AT 0xffff3000ull
#define MADT_LOW_AT 0xffff4000ull
#define MADT_HIGH_AT 0x100004000ull   /* above 4 GiB: XSDT only */
#define OUTSIDE 0x200000000ull

static uint8_t memory_bytes[MEMORY_SIZE];

static const void *fake_map(void *context, uint64_t address, uint64_t length)
{
	(void)context;
	if (address < MEMORY_BASE || length > MEMORY_SIZE || address - MEMORY_BASE > MEMORY_SIZE - length)
		return 0;
	return memory_bytes + (address - MEMORY_BASE);
}

static const struct acpi_memory memory = { fake_map, 0 };

static uint8_t *at(uint64_t address)
{
	return memory_bytes + (address - MEMORY_BASE);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void fix_checksum(uint8_t *bytes, uint32_t length, unsigned checksum_offset)
{
	uint8_t sum = 0;
	bytes[checksum_offset] = 0;
	for (uint32_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + bytes[i]);
	bytes[checksum_offset] = (uint8_t)-sum;
}

static void put_rsdp(int revision, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *rsdp = at(RSDP_AT);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "FPULAB", 6);
	rsdp[15] = (uint8_t)revision;
	put32(rsdp + 16, rsdt);
	fix_checksum(rsdp, 20, 8);
	if (revision >= 2) {
		put32(rsdp + 20, 36);
		put64(rsdp + 24, xsdt);
		fix_checksum(rsdp, 36, 32);
	}
}

static void put_header(uint64_t address, const char *signature, uint32_t length)
{
	uint8_t *table = at(address);
	memcpy(table, signature, 4);
	put32(table + 4, length);
	table[8] = 1;
	memcpy(table + 10, "FPULAB", 6);
	fix_checksum(table, length, 9);
}

static void put_root(uint64_t address, const char *signature, const uint64_t *tables, unsigned count)
{
	unsigned size = signature[0] == 'X' ? 8 : 4;
	for (unsigned i = 0; i < count; i++)
		if (size == 8)
			put64(at(address) + 36 + 8 * i, tables[i]);
		else
			put32(at(address) + 36 + 4 * i, (uint32_t)tables[i]);
	put_header(address, signature, 36 + size * count);
}

/* A MADT built entry by entry at one address. */
struct madt_builder {
	uint64_t address;
	uint32_t length;
};

static struct madt_builder madt_begin(uint64_t address)
{
	struct madt_builder madt = { address, 44 };
	memset(at(address), 0, 0x800);
	put32(at(address) + 36, 0xfee00000u);
	put32(at(address) + 40, 1);   /* PCAT_COMPAT */
	return madt;
}

static void madt_local_apic(struct madt_builder *madt, uint8_t apic_id)
{
	uint8_t *entry = at(madt->address) + madt->length;
	entry[0] = 0;
	entry[1] = 8;
	entry[2] = apic_id;
	entry[3] = apic_id;
	put32(entry + 4, 1);
	madt->length += 8;
}

static void madt_ioapic(struct madt_builder *madt, uint8_t id, uint32_t address, uint32_t gsi_base)
{
	uint8_t *entry = at(madt->address) + madt->length;
	entry[0] = 1;
	entry[1] = 12;
	entry[2] = id;
	put32(entry + 4, address);
	put32(entry + 8, gsi_base);
	madt->length += 12;
}

static void madt_override(struct madt_builder *madt, uint8_t bus, uint8_t source, uint32_t gsi, uint16_t flags)
{
	uint8_t *entry = at(madt->address) + madt->length;
	entry[0] = 2;
	entry[1] = 10;
	entry[2] = bus;
	entry[3] = source;
	put32(entry + 4, gsi);
	put16(entry + 8, flags);
	madt->length += 10;
}

static void madt_end(const struct madt_builder *madt)
{
	put_header(madt->address, "APIC", madt->length);
}

/* A PC as QEMU and Bochs describe it: one I/O APIC, IRQ 0 on GSI 2, SCI level/low. */
static void put_pc_madt(uint64_t address, uint32_t ioapic_address)
{
	struct madt_builder madt = madt_begin(address);
	madt_local_apic(&madt, 0);
	madt_ioapic(&madt, 1, ioapic_address, 0);
	madt_override(&madt, 0, 0, 2, 0);
	madt_override(&madt, 0, 9, 9, 0xd);
	madt_end(&madt);
}

/* RSDT -> (FACP, MADT low), XSDT -> (FACP, MADT high), RSDP of the given revision. */
static void put_machine(int revision)
{
	uint64_t rsdt_tables[] = { FACP_AT, MADT_LOW_AT }, xsdt_tables[] = { FACP_AT, MADT_HIGH_AT };

	memset(memory_bytes, 0, sizeof memory_bytes);
	put_header(FACP_AT, "FACP", 116);
	put_pc_madt(MADT_LOW_AT, 0xfec00000u);
	put_pc_madt(MADT_HIGH_AT, 0xfec10000u);
	put_root(RSDT_AT, "RSDT", rsdt_tables, 2);
	put_root(XSDT_AT, "XSDT", xsdt_tables, 2);
	put_rsdp(revision, (uint32_t)RSDT_AT, XSDT_AT);
}

static enum acpi_result find(struct acpi_pit_route *route)
{
	return acpi_find_pit_route(&memory, RSDP_AT, route);
}

static void test_good_tables(void)
{
	struct acpi_pit_route route;

	put_machine(0);
	CHECK("v1/found", find(&route) == ACPI_OK);
	CHECK_STRING("v1/through-rsdt", route.root_table, "RSDT");
	CHECK("v1/ioapic", route.ioapic_address == 0xfec00000u && route.ioapic_id == 1 &&
				   route.ioapic_gsi_base == 0 && route.ioapic_count == 1);
	CHECK("v1/pit-overridden-to-gsi-2", route.overridden && route.gsi == 2);
	CHECK("v1/pit-edge-active-high", !route.active_low && !route.level_triggered);

	put_machine(2);
	CHECK("v2/found", find(&route) == ACPI_OK && route.rsdp_revision == 2);
	CHECK_STRING("v2/through-xsdt", route.root_table, "XSDT");
	CHECK("v2/madt-above-4gib", route.ioapic_address == 0xfec10000u);

	put_machine(2);
	at(XSDT_AT)[20] ^= 1;   /* XSDT checksum broken: the RSDT still leads to a MADT */
	CHECK("v2/bad-xsdt-falls-back-to-rsdt", find(&route) == ACPI_OK &&
						      !strcmp(route.root_table, "RSDT") &&
						      route.ioapic_address == 0xfec00000u);
}

static void test_bad_pointers(void)
{
	struct acpi_pit_route route;

	put_machine(0);
	CHECK("rsdp/none", acpi_find_pit_route(&memory, 0, &route) == ACPI_NO_RSDP);
	CHECK("rsdp/unreadable", acpi_find_pit_route(&memory, OUTSIDE, &route) == ACPI_UNREADABLE);
	at(RSDP_AT)[10] ^= 0x20;
	CHECK("rsdp/bad-checksum", find(&route) == ACPI_BAD_RSDP);
	put_machine(0);
	at(RSDP_AT)[3] = 'X';
	fix_checksum(at(RSDP_AT), 20, 8);
	CHECK("rsdp/bad-signature", find(&route) == ACPI_BAD_RSDP);

	put_machine(2);
	at(RSDP_AT)[33] ^= 1;   /* reserved byte: only the extended checksum covers it */
	CHECK("rsdp/v2-bad-extended-checksum", find(&route) == ACPI_BAD_RSDP);
	put_machine(2);
	put32(at(RSDP_AT) + 20, 20);
	fix_checksum(at(RSDP_AT), 36, 32);
	CHECK("rsdp/v2-length-too-short", find(&route) == ACPI_BAD_RSDP);
	put_machine(2);
	put32(at(RSDP_AT) + 20, 0xfffffff0u);
	fix_checksum(at(RSDP_AT), 36, 32);
	CHECK("rsdp/v2-length-lies", find(&route) == ACPI_BAD_RSDP);
}

static void test_bad_root_tables(void)
{
	struct acpi_pit_route route;

	put_machine(0);
	at(RSDT_AT)[40] ^= 1;
	CHECK("rsdt/bad-checksum", find(&route) == ACPI_BAD_ROOT_TABLE);
	put_machine(0);
	put32(at(RSDT_AT) + 4, 43);   /* 7 bytes of entries: not a whole number of them */
	fix_checksum(at(RSDT_AT), 43, 9);
	CHECK("rsdt/length-not-whole-entries", find(&route) == ACPI_BAD_ROOT_TABLE);
	put_machine(0);
	put32(at(RSDT_AT) + 4, 20);
	CHECK("rsdt/length-shorter-than-header", find(&route) == ACPI_BAD_ROOT_TABLE);
	put_machine(0);
	put32(at(RSDT_AT) + 4, MEMORY_SIZE);   /* runs past the end of memory */
	CHECK("rsdt/length-past-memory", find(&route) == ACPI_UNREADABLE);
	put_machine(0);
	put32(at(RSDT_AT) + 4, 0x7fffffffu);
	CHECK("rsdt/length-implausible", find(&route) == ACPI_BAD_ROOT_TABLE);
	put_machine(2);
	at(XSDT_AT)[0] = 'Y';   /* no sound XSDT and no RSDT either */
	put32(at(RSDP_AT) + 16, 0);
	fix_checksum(at(RSDP_AT), 20, 8);
	fix_checksum(at(RSDP_AT), 36, 32);
	CHECK("xsdt/bad-signature-without-rsdt", find(&route) == ACPI_BAD_ROOT_TABLE);
}

static void test_missing_pieces(void)
{
	struct acpi_pit_route route;
	uint64_t only_facp[] = { FACP_AT }, outside[] = { FACP_AT, 0x1000 };
	struct madt_builder madt;

	put_machine(0);
	put_root(RSDT_AT, "RSDT", only_facp, 1);
	CHECK("madt/none", find(&route) == ACPI_NO_MADT);
	put_root(RSDT_AT, "RSDT", outside, 2);
	CHECK("madt/unreadable-entry", find(&route) == ACPI_UNREADABLE);

	put_machine(0);
	madt = madt_begin(MADT_LOW_AT);
	madt_ioapic(&madt, 4, 0xfec00000u, 0);
	madt_override(&madt, 0, 9, 20, 0xf);   /* the SCI's override is not the PIT's */
	madt_end(&madt);
	CHECK("override/none-is-identity", find(&route) == ACPI_OK && !route.overridden &&
						  route.gsi == 0 && route.ioapic_id == 4);

	put_machine(0);
	madt = madt_begin(MADT_LOW_AT);
	madt_override(&madt, 0, 0, 2, 0);
	madt_end(&madt);
	CHECK("ioapic/none", find(&route) == ACPI_NO_IOAPIC);
}

static void test_override_flags(void)
{
	struct acpi_pit_route route;
	struct madt_builder madt;

	put_machine(0);
	madt = madt_begin(MADT_LOW_AT);
	madt_override(&madt, 1, 0, 7, 0);      /* bus 1 is not ISA */
	madt_override(&madt, 0, 0, 2, 0xf);    /* active low, level */
	madt_override(&madt, 0, 0, 5, 0);      /* a second one for IRQ 0: the first counts */
	madt_ioapic(&madt, 0, 0xfec00000u, 0);
	madt_end(&madt);
	CHECK("override/isa-bus-only-first-wins", find(&route) == ACPI_OK && route.gsi == 2);
	CHECK("override/active-low-level", route.active_low && route.level_triggered);

	put_machine(0);
	madt = madt_begin(MADT_LOW_AT);
	madt_ioapic(&madt, 0, 0xfec00000u, 0);
	madt_override(&madt, 0, 0, 2, 0x5);    /* explicitly active high, edge */
	madt_end(&madt);
	CHECK("override/explicit-high-edge", find(&route) == ACPI_OK && !route.active_low &&
						    !route.level_triggered);
}

static void test_several_ioapics(void)
{
	struct acpi_pit_route route;
	struct madt_builder madt;
	uint32_t gsis[] = { 2, 30, 23 };
	uint32_t expected[] = { 0xfec00000u, 0xfec01000u, 0xfec00000u };
	const char *names[] = { "ioapic/gsi-2-on-first", "ioapic/gsi-30-on-second", "ioapic/gsi-23-on-first" };

	for (unsigned i = 0; i < 3; i++) {
		put_machine(0);
		madt = madt_begin(MADT_LOW_AT);
		madt_ioapic(&madt, 9, 0xfec01000u, 24);   /* listed first, inputs from 24 */
		madt_ioapic(&madt, 8, 0xfec00000u, 0);
		madt_override(&madt, 0, 0, gsis[i], 0);
		madt_end(&madt);
		CHECK(names[i], find(&route) == ACPI_OK && route.ioapic_address == expected[i] &&
					route.ioapic_count == 2 && route.gsi == gsis[i]);
	}
	put_machine(0);
	madt = madt_begin(MADT_LOW_AT);
	madt_ioapic(&madt, 9, 0xfec01000u, 24);
	madt_override(&madt, 0, 0, 2, 0);
	madt_end(&madt);
	CHECK("ioapic/none-below-the-gsi", find(&route) == ACPI_NO_IOAPIC);
}

static void test_bad_madt(void)
{
	struct acpi_pit_route route;
	uint8_t *entry = at(MADT_LOW_AT) + 44;

	put_machine(0);
	at(MADT_LOW_AT)[50] ^= 1;
	CHECK("madt/bad-checksum", find(&route) == ACPI_BAD_MADT);

	put_machine(0);
	entry[1] = 0;   /* a zero-length entry would loop for ever */
	fix_checksum(at(MADT_LOW_AT), 44 + 8 + 12 + 20, 9);
	CHECK("madt/zero-length-entry", find(&route) == ACPI_BAD_MADT);

	put_machine(0);
	entry[8 + 12 + 10 + 1] = 200;   /* the last entry runs past the table's end */
	fix_checksum(at(MADT_LOW_AT), 44 + 8 + 12 + 20, 9);
	CHECK("madt/entry-past-end", find(&route) == ACPI_BAD_MADT);

	put_machine(0);
	entry[8 + 1] = 8;   /* an I/O APIC entry too short for its fields */
	fix_checksum(at(MADT_LOW_AT), 44 + 8 + 12 + 20, 9);
	CHECK("madt/short-ioapic-entry", find(&route) == ACPI_BAD_MADT);

	put_machine(0);
	put32(at(MADT_LOW_AT) + 4, 40);   /* shorter than its fixed fields */
	fix_checksum(at(MADT_LOW_AT), 40, 9);
	CHECK("madt/shorter-than-fixed-fields", find(&route) == ACPI_BAD_MADT);

	put_machine(0);
	put32(at(MADT_LOW_AT) + 4, (uint32_t)(MEMORY_BASE + MEMORY_SIZE - MADT_LOW_AT + 1));
	CHECK("madt/length-past-memory", find(&route) == ACPI_UNREADABLE);
}

int main(void)
{
	unit_begin();
	test_good_tables();
	test_bad_pointers();
	test_bad_root_tables();
	test_missing_pieces();
	test_override_flags();
	test_several_ioapics();
	test_bad_madt();
	for (int result = ACPI_OK; result <= ACPI_NO_IOAPIC; result++)
		CHECK("result-text/named", strcmp(acpi_result_text((enum acpi_result)result), "unknown ACPI result") != 0);
	return unit_end();
}
