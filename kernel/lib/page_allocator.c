#include "lib/page_allocator.h"
#include "lib/string.h"

void page_allocator_init(struct page_allocator *allocator)
{
	memset(allocator, 0, sizeof *allocator);
}

void page_allocator_add_range(struct page_allocator *allocator, uint64_t start, uint64_t end)
{
	struct page_range *range;

	start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	end &= ~(PAGE_SIZE - 1);
	if (end <= start || allocator->range_count == PAGE_ALLOCATOR_MAX_RANGES)
		return;
	range = &allocator->ranges[allocator->range_count++];
	range->start = range->next = start;
	range->end = end;
}

uint64_t page_allocator_alloc(struct page_allocator *allocator, uint64_t count)
{
	uint64_t bytes = count * PAGE_SIZE;

	for (unsigned i = 0; count && i < allocator->range_count; i++) {
		struct page_range *range = &allocator->ranges[i];
		if (range->end - range->next >= bytes) {
			uint64_t address = range->next;
			range->next += bytes;
			allocator->pages_in_use += count;
			return address;
		}
	}
	return 0;
}

uint64_t page_allocator_free_pages(const struct page_allocator *allocator)
{
	uint64_t pages = 0;
	for (unsigned i = 0; i < allocator->range_count; i++)
		pages += (allocator->ranges[i].end - allocator->ranges[i].next) / PAGE_SIZE;
	return pages;
}

struct page_allocator_mark page_allocator_mark(const struct page_allocator *allocator)
{
	struct page_allocator_mark mark;

	memset(&mark, 0, sizeof mark);
	for (unsigned i = 0; i < allocator->range_count; i++)
		mark.next[i] = allocator->ranges[i].next;
	mark.pages_in_use = allocator->pages_in_use;
	return mark;
}

void page_allocator_release(struct page_allocator *allocator, const struct page_allocator_mark *mark)
{
	for (unsigned i = 0; i < allocator->range_count; i++)
		allocator->ranges[i].next = mark->next[i] ? mark->next[i] : allocator->ranges[i].start;
	allocator->pages_in_use = mark->pages_in_use;
}

unsigned memory_ranges_exclude(uint64_t (*ranges)[2], unsigned count, unsigned capacity,
			       uint64_t start, uint64_t end)
{
	unsigned i = 0;

	while (i < count) {
		uint64_t range_start = ranges[i][0], range_end = ranges[i][1];
		if (end <= range_start || start >= range_end) {
			i++;
			continue;
		}
		if (start > range_start && end < range_end) {      /* split in two */
			ranges[i][1] = start;
			if (count < capacity) {
				memmove(&ranges[i + 2], &ranges[i + 1], (count - i - 1) * sizeof ranges[0]);
				ranges[i + 1][0] = end;
				ranges[i + 1][1] = range_end;
				count++;
			}
			i += 2;
		} else if (start > range_start) {                   /* cut the tail */
			ranges[i++][1] = start;
		} else if (end < range_end) {                       /* cut the head */
			ranges[i++][0] = end;
		} else {                                            /* remove whole */
			memmove(&ranges[i], &ranges[i + 1], (count - i - 1) * sizeof ranges[0]);
			count--;
		}
	}
	return count;
}
