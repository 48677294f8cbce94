/* Physical memory: the page allocator fed by the boot path, and fpulab's own
   identity-mapped page tables. */
#ifndef FPULAB_MEMORY_H
#define FPULAB_MEMORY_H

#include <stdint.h>
#include "lib/page_allocator.h"

struct boot_info;

void memory_init(const struct boot_info *boot);
/* Zero-filled pages; ends the run (Bail out!) when memory is exhausted. */
uint64_t memory_alloc_pages(uint64_t count);
struct page_allocator *memory_page_allocator(void);

/* Builds and loads page tables mapping the lower half of the physical address space
   1:1, read/write/execute. */
void paging_init(void);
/* A canonical address that is guaranteed unmapped (for #PF tests). */
uint64_t paging_unmapped_address(void);
void paging_restore_firmware(void);

#endif
