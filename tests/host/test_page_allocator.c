#include "unit.h"
#include "lib/page_allocator.h"

int main(void)
{
	struct page_allocator allocator;
	struct page_allocator_mark mark;
	uint64_t ranges[8][2] = { { 0x0, 0x100000 }, { 0x200000, 0x800000 } };
	unsigned count;

	unit_begin();
	page_allocator_init(&allocator);
	page_allocator_add_range(&allocator, 0x1001, 0x5000);       /* trimmed to 0x2000..0x5000 */
	page_allocator_add_range(&allocator, 0x10000, 0x20000);
	CHECK("allocator/trims-unaligned-edges", page_allocator_free_pages(&allocator) == 3 + 16);
	CHECK("allocator/first-fit", page_allocator_alloc(&allocator, 2) == 0x2000);
	CHECK("allocator/skips-range-too-small", page_allocator_alloc(&allocator, 4) == 0x10000);
	CHECK("allocator/earlier-range-still-used", page_allocator_alloc(&allocator, 1) == 0x4000);
	mark = page_allocator_mark(&allocator);
	CHECK("allocator/after-mark", page_allocator_alloc(&allocator, 12) == 0x14000);
	CHECK("allocator/exhausted-returns-zero", page_allocator_alloc(&allocator, 1) == 0);
	page_allocator_release(&allocator, &mark);
	CHECK("allocator/release-restores", page_allocator_free_pages(&allocator) == 12 &&
						    allocator.pages_in_use == 7);
	CHECK("allocator/zero-pages-is-zero", page_allocator_alloc(&allocator, 0) == 0);

	count = memory_ranges_exclude(ranges, 2, 8, 0x300000, 0x400000);
	CHECK("ranges/split", count == 3 && ranges[1][1] == 0x300000 && ranges[2][0] == 0x400000 &&
				  ranges[2][1] == 0x800000);
	count = memory_ranges_exclude(ranges, count, 8, 0x0, 0x100000);
	CHECK("ranges/remove-whole", count == 2 && ranges[0][0] == 0x200000);
	count = memory_ranges_exclude(ranges, count, 8, 0x100000, 0x250000);
	CHECK("ranges/cut-head", count == 2 && ranges[0][0] == 0x250000);
	count = memory_ranges_exclude(ranges, count, 8, 0x700000, 0x900000);
	CHECK("ranges/cut-tail", count == 2 && ranges[1][1] == 0x700000);
	count = memory_ranges_exclude(ranges, count, 2, 0x500000, 0x600000);
	CHECK("ranges/split-without-room-keeps-head", count == 2 && ranges[1][1] == 0x500000);
	return unit_end();
}
