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
/* Where fpulab's identity map ends (0 before paging_init): physical memory below it
   can be read at its own address. */
uint64_t paging_identity_top(void);
/* The firmware's page tables back in (around firmware calls and at the end), and
   fpulab's again. */
void paging_restore_firmware(void);
void paging_load_own(void);
int paging_own_tables_loaded(void);

#endif
