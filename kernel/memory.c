#include "memory.h"
#include "arch/x86.h"
#include "boot/boot_info.h"
#include "lib/string.h"
#include "test_runner.h"

#define PAGE_PRESENT (1ull << 0)
#define PAGE_WRITABLE (1ull << 1)
#define PAGE_USER (1ull << 2)   /* ring 3 may run anywhere: CPL-change probes */
#define PAGE_LARGE (1ull << 7)
#define GIB (1ull << 30)
#define MIB2 (2ull << 20)
/* Without 1 GiB pages the map stops here, to bound the page-table size. */
#define LARGEST_MAP_WITH_2MIB_PAGES (1ull << 40)
#define LOWER_HALF_TOP (1ull << 47)

static struct page_allocator allocator;
static uint64_t firmware_cr3, own_cr3, identity_top;

void memory_init(const struct boot_info *boot)
{
	page_allocator_init(&allocator);
	for (unsigned i = 0; i < boot->free_memory_count; i++)
		page_allocator_add_range(&allocator, boot->free_memory[i].start,
					 boot->free_memory[i].end);
}

struct page_allocator *memory_page_allocator(void)
{
	return &allocator;
}

uint64_t memory_alloc_pages(uint64_t count)
{
	uint64_t address = page_allocator_alloc(&allocator, count);

	if (!address)
		runner_bail_out("out of memory");
	memset((void *)(uintptr_t)address, 0, count * PAGE_SIZE);
	return address;
}

static uint64_t physical_address_bits(void)
{
	if (cpuid(0x80000000, 0).eax >= 0x80000008)
		return cpuid(0x80000008, 0).eax & 0xff;
	return 36;
}

static int has_gigabyte_pages(void)
{
	return cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & (1u << 26));
}

/* Maps [0, top) 1:1 under one PML4 entry per 512 GiB. */
static uint64_t build_identity_map(uint64_t top, int gigabyte_pages)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
	uint64_t flags = PAGE_PRESENT | PAGE_WRITABLE | PAGE_USER;

	for (uint64_t base = 0; base < top; base += 512 * GIB) {
		uint64_t *pdpt = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
		pml4[base / (512 * GIB)] = (uint64_t)(uintptr_t)pdpt | flags;
		for (uint64_t i = 0; i < 512 && base + i * GIB < top; i++) {
			uint64_t gigabyte = base + i * GIB;
			uint64_t *pd;
			if (gigabyte_pages) {
				pdpt[i] = gigabyte | flags | PAGE_LARGE;
				continue;
			}
			pd = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
			pdpt[i] = (uint64_t)(uintptr_t)pd | flags;
			for (uint64_t j = 0; j < 512; j++)
				pd[j] = (gigabyte + j * MIB2) | flags | PAGE_LARGE;
		}
	}
	return (uint64_t)(uintptr_t)pml4;
}

void paging_init(void)
{
	int gigabyte_pages = has_gigabyte_pages();
	uint64_t top = 1ull << physical_address_bits();

	if (top > LOWER_HALF_TOP)
		top = LOWER_HALF_TOP;
	if (!gigabyte_pages && top > LARGEST_MAP_WITH_2MIB_PAGES)
		top = LARGEST_MAP_WITH_2MIB_PAGES;
	if (top < 4 * GIB)
		top = 4 * GIB;
	firmware_cr3 = read_cr3();
	own_cr3 = build_identity_map(top, gigabyte_pages);
	identity_top = top;
	write_cr3(own_cr3);
}

uint64_t paging_identity_top(void)
{
	return identity_top;
}

int paging_own_tables_loaded(void)
{
	return own_cr3 && read_cr3() == own_cr3;
}

void paging_load_own(void)
{
	if (own_cr3)
		write_cr3(own_cr3);
}

void paging_restore_firmware(void)
{
	if (firmware_cr3)
		write_cr3(firmware_cr3);
}

uint64_t paging_unmapped_address(void)
{
	return 0xffff800000000000ull;   /* the upper half is never mapped */
}
