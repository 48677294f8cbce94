/* Tests only the hosted build has: the selftests that would need ring 0 in the kernel's
   form (#GP without WRMSR, a hang that spins without CLI). */
#include "test_runner.h"
#include "arch/x86.h"

/* selftest=gp without a privileged instruction: a load from a non-canonical address
   raises #GP at any CPL (SDM Vol. 3A, 6.15, interrupt 13). */
void host_selftest_general_protection(struct test_result *result)
{
	volatile uint64_t *non_canonical = (volatile uint64_t *)(uintptr_t)0x8000000000000000ull;

	(void)*non_canonical;
	test_fail(result, "a load from a non-canonical address did not trap");
}

/* selftest=hang: spins until SIGALRM, the hosted watchdog, ends it. */
void host_selftest_hang(struct test_result *result)
{
	for (;;)
		cpu_pause();
}
