/* What a boot path hands to kmain: the same struct from the EFI entry and from the
   multiboot2 entry. Everything firmware-specific stays behind firmware_ops. */
#ifndef FPULAB_BOOT_INFO_H
#define FPULAB_BOOT_INFO_H

#include <stddef.h>
#include <stdint.h>

enum boot_kind { BOOT_EFI, BOOT_MULTIBOOT2 };

#define BOOT_MAX_MEMORY_RANGES 64

struct memory_range {
	uint64_t start;
	uint64_t end; /* exclusive */
};

/* Services only a firmware that is still alive (UEFI boot services) can give.
   Called only outside tests, never inside a measured window (rule 6). */
struct firmware_ops {
	/* Show text on the screen; NULL when the kernel draws the screen itself. */
	void (*screen_write)(const char *text, size_t length);
	/* Store the whole log on the boot medium; returns 0 when written. */
	int (*save_results)(const char *log, size_t length);
	/* Give control back to the firmware at the end of the run. */
	void (*finish)(int status, int wait_for_key);
	/* Block of memory for the kernel's page allocator. */
	uint64_t (*allocate_pages)(uint64_t count);
};

struct text_screen {
	uint64_t address; /* VGA text buffer, 0 when there is none */
	uint32_t columns, rows;
};

struct boot_info {
	enum boot_kind kind;
	const char *command_line;       /* ASCII kernel arguments, never NULL */
	struct memory_range free_memory[BOOT_MAX_MEMORY_RANGES];
	unsigned free_memory_count;
	uint64_t highest_physical_address; /* top of RAM and MMIO to identity-map */
	uint64_t acpi_rsdp;                /* 0 when unknown */
	uint64_t low_page;                 /* a free page below 1 MiB for the second CPU's
					      start-up code (kernel/smp/), 0 when none */
	struct text_screen text_screen;
	uint16_t firmware_code_selector;   /* firmware's CS/DS to keep valid in our GDT; 0 if none */
	uint16_t firmware_data_selector;
	const struct firmware_ops *firmware; /* NULL after a multiboot2 boot */
};

void kmain(struct boot_info *boot);

#endif
