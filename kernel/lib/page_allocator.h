/* Physical page allocator over the free ranges the boot path found (the EFI pool or
   the multiboot2 memory map). It hands out the first fit and takes pages back only
   by returning to an earlier mark, which is all fpulab's tests need and makes "a test
   left nothing behind" a one-line check. */
#ifndef FPULAB_PAGE_ALLOCATOR_H
#define FPULAB_PAGE_ALLOCATOR_H

#include <stdint.h>

#define PAGE_SIZE 4096ull
#define PAGE_ALLOCATOR_MAX_RANGES 64

struct page_range {
	uint64_t start, end;  /* page-aligned, end exclusive */
	uint64_t next;        /* first page not yet handed out */
};

struct page_allocator {
	struct page_range ranges[PAGE_ALLOCATOR_MAX_RANGES];
	unsigned range_count;
	uint64_t pages_in_use;
};

struct page_allocator_mark {
	uint64_t next[PAGE_ALLOCATOR_MAX_RANGES];
	uint64_t pages_in_use;
};

void page_allocator_init(struct page_allocator *allocator);
/* Adds [start, end); unaligned edges are trimmed to whole pages. */
void page_allocator_add_range(struct page_allocator *allocator, uint64_t start, uint64_t end);
/* count contiguous pages, zero-filled by the caller if needed; 0 when none are left. */
uint64_t page_allocator_alloc(struct page_allocator *allocator, uint64_t count);
uint64_t page_allocator_free_pages(const struct page_allocator *allocator);
struct page_allocator_mark page_allocator_mark(const struct page_allocator *allocator);
void page_allocator_release(struct page_allocator *allocator, const struct page_allocator_mark *mark);

/* Removes [start, end) from a list of [start, end) ranges, splitting where needed.
   Returns the new count (at most capacity; a split that does not fit drops the tail). */
unsigned memory_ranges_exclude(uint64_t (*ranges)[2], unsigned count, unsigned capacity,
			       uint64_t start, uint64_t end);

#endif
