/* Identity maps for the guest-physical address space: EPT (SDM Vol. 3C, 29.3: RWX,
   memory type WB in the leaves) or AMD nested paging (APM Vol. 2, 15.25: ordinary
   long-mode tables; every access counts as a user access, so U=1). 2 MiB pages over
   4 GiB, or up to the top of the memory fpulab allocates from. */
#include "vm/vm.h"
#include "memory.h"

#define GIB (1ull << 30)
#define MIB2 (2ull << 20)
#define EPT_RWX 7ull
#define EPT_LEAF (EPT_RWX | (6ull << 3) | (1ull << 7))
#define NPT_TABLE 7ull                  /* present, writable, user */
#define NPT_LEAF (7ull | (1ull << 7))

static uint64_t map_top(void)
{
	const struct page_allocator *allocator = memory_page_allocator();
	uint64_t top = 4 * GIB;

	for (unsigned i = 0; i < allocator->range_count; i++)
		if (allocator->ranges[i].end > top)
			top = allocator->ranges[i].end;
	top = (top + GIB - 1) & ~(GIB - 1);
	return top > 512 * GIB ? 512 * GIB : top;
}

uint64_t vm_identity_map(int ept, uint64_t *top)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
	uint64_t *pdpt = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
	uint64_t table = ept ? EPT_RWX : NPT_TABLE, leaf = ept ? EPT_LEAF : NPT_LEAF;

	*top = map_top();
	pml4[0] = (uint64_t)(uintptr_t)pdpt | table;
	for (uint64_t g = 0; g < *top / GIB; g++) {
		uint64_t *pd = (uint64_t *)(uintptr_t)memory_alloc_pages(1);
		pdpt[g] = (uint64_t)(uintptr_t)pd | table;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = (g * GIB + j * MIB2) | leaf;
	}
	return (uint64_t)(uintptr_t)pml4;
}
