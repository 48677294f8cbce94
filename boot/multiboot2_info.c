/* Multiboot2 boot information (Multiboot2 spec, section 3.6) -> boot_info. */
#include "boot/boot_info.h"
#include "lib/page_allocator.h"
#include "lib/string.h"

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u
#define TAG_END 0
#define TAG_COMMAND_LINE 1
#define TAG_MEMORY_MAP 6
#define TAG_FRAMEBUFFER 8
#define TAG_ACPI_OLD 14
#define TAG_ACPI_NEW 15
#define MEMORY_AVAILABLE 1
#define FRAMEBUFFER_EGA_TEXT 2
#define LOWEST_USABLE_ADDRESS 0x100000ull
#define VGA_TEXT_BUFFER 0xb8000ull

struct tag {
	uint32_t type, size;
};

struct memory_map_tag {
	struct tag tag;
	uint32_t entry_size, entry_version;
};

struct memory_map_entry {
	uint64_t base, length;
	uint32_t type, reserved;
};

struct __attribute__((packed)) framebuffer_tag {
	struct tag tag;
	uint64_t address;
	uint32_t pitch, width, height;
	uint8_t bits_per_pixel, type;
};

extern char image_start[], image_end[];

static struct boot_info boot;
static char command_line[1024];

static void read_memory_map(const struct memory_map_tag *map, uint64_t (*free)[2], unsigned *count)
{
	const uint8_t *entry = (const uint8_t *)(map + 1);
	const uint8_t *end = (const uint8_t *)map + map->tag.size;

	for (; entry + sizeof(struct memory_map_entry) <= end; entry += map->entry_size) {
		const struct memory_map_entry *region = (const struct memory_map_entry *)entry;
		uint64_t region_end = region->base + region->length;
		if (region_end > boot.highest_physical_address)
			boot.highest_physical_address = region_end;
		if (region->type == MEMORY_AVAILABLE && *count < BOOT_MAX_MEMORY_RANGES) {
			free[*count][0] = region->base;
			free[(*count)++][1] = region_end;
		}
	}
}

static void read_tags(uint64_t info, uint64_t (*free)[2], unsigned *count)
{
	uint32_t total_size = *(const uint32_t *)(uintptr_t)info;
	uint64_t address = info + 8;

	while (address + sizeof(struct tag) <= info + total_size) {
		const struct tag *tag = (const struct tag *)(uintptr_t)address;
		if (tag->type == TAG_END)
			break;
		if (tag->type == TAG_COMMAND_LINE)
			string_copy(command_line, (const char *)(tag + 1), sizeof command_line);
		else if (tag->type == TAG_MEMORY_MAP)
			read_memory_map((const struct memory_map_tag *)tag, free, count);
		else if (tag->type == TAG_ACPI_NEW || (tag->type == TAG_ACPI_OLD && !boot.acpi_rsdp))
			boot.acpi_rsdp = address + sizeof(struct tag);
		else if (tag->type == TAG_FRAMEBUFFER) {
			const struct framebuffer_tag *framebuffer = (const struct framebuffer_tag *)tag;
			if (framebuffer->type == FRAMEBUFFER_EGA_TEXT) {
				boot.text_screen.address = framebuffer->address;
				boot.text_screen.columns = framebuffer->width;
				boot.text_screen.rows = framebuffer->height;
			}
		}
		address += (tag->size + 7) & ~7u;
	}
	if (!boot.text_screen.address) {   /* no framebuffer tag: GRUB left VGA text mode */
		boot.text_screen.address = VGA_TEXT_BUFFER;
		boot.text_screen.columns = 80;
		boot.text_screen.rows = 25;
	}
}

/* The highest free page in [0x1000, 0x9f000) clear of the boot information: the
   second CPU's start-up code (kernel/smp/). 0x9f000 keeps clear of the EBDA. */
static uint64_t find_low_page(uint64_t (*free)[2], unsigned count, uint64_t info, uint32_t info_size)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < count; i++) {
		uint64_t start = (free[i][0] + 0xfff) & ~0xfffull, end = free[i][1] & ~0xfffull;
		if (end > 0x9f000)
			end = 0x9f000;
		if (start < 0x1000)
			start = 0x1000;
		for (uint64_t page = end; page >= start + 0x1000; page -= 0x1000) {
			uint64_t candidate = page - 0x1000;
			if (candidate + 0x1000 <= info || candidate >= info + info_size) {
				if (candidate > best)
					best = candidate;
				break;
			}
		}
	}
	return best;
}

void multiboot2_main(uint32_t magic, uint32_t info)
{
	static uint64_t free[BOOT_MAX_MEMORY_RANGES][2];
	unsigned count = 0;
	uint32_t info_size;

	boot.kind = BOOT_MULTIBOOT2;
	boot.command_line = command_line;
	if (magic == MULTIBOOT2_BOOTLOADER_MAGIC) {
		info_size = *(const uint32_t *)(uintptr_t)info;
		read_tags(info, free, &count);
		boot.low_page = find_low_page(free, count, info, info_size);
		count = memory_ranges_exclude(free, count, BOOT_MAX_MEMORY_RANGES, 0, LOWEST_USABLE_ADDRESS);
		count = memory_ranges_exclude(free, count, BOOT_MAX_MEMORY_RANGES,
					      (uint64_t)(uintptr_t)image_start, (uint64_t)(uintptr_t)image_end);
		count = memory_ranges_exclude(free, count, BOOT_MAX_MEMORY_RANGES, info, info + info_size);
	}
	for (unsigned i = 0; i < count; i++) {
		boot.free_memory[i].start = free[i][0];
		boot.free_memory[i].end = free[i][1];
	}
	boot.free_memory_count = count;
	kmain(&boot);
}
