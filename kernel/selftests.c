/* selftest=NAME: deliberate failures that prove a broken test ends as `not ok` with a
   decoded dump while the run goes on. They run only when named. */
#include "memory.h"
#include "test_runner.h"
#include "arch/x86.h"

void selftest_invalid_opcode(struct test_result *result)
{
	__asm__ volatile("ud2");
	test_fail(result, "ud2 did not trap");
}

void selftest_page_fault(struct test_result *result)
{
	volatile uint64_t *unmapped = (volatile uint64_t *)(uintptr_t)paging_unmapped_address();
	(void)*unmapped;
	test_fail(result, "reading an unmapped address did not trap");
}

void selftest_hang(struct test_result *result)
{
	interrupts_disable();
	for (;;)
		cpu_pause();
}
