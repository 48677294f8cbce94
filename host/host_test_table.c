/* The tests the hosted build runs, in the kernel's order (kernel/test_table.c). The
   XSAVE tests and benchmarks that need ring 0 (XSAVES/XRSTORS, XSETBV, CR0.TS) are
   listed and SKIP with the reason; the xfd/linux/ tests are the hosted build's own; left out are the kernel's own checks (interrupts,
   watchdog, paging, VMX/SVM, the second CPU), which have no meaning in a process. */
#include "test_runner.h"
#include "bench/bench_tests.h"
#include "lab/lab_tests.h"

void test_cpu_features(struct test_result *result);
void selftest_invalid_opcode(struct test_result *result);
void host_selftest_general_protection(struct test_result *result);
void selftest_page_fault(struct test_result *result);
void host_selftest_hang(struct test_result *result);
void host_xfd_test_permission(struct test_result *result);
void host_xfd_bench_save_restore(struct test_result *result);
void host_xfd_bench_first_use(struct test_result *result);

#define SELFTEST_HANG_TIMEOUT_MILLISECONDS 3000

const struct test test_table[] = {
	{ "cpu/features", test_cpu_features, 0, 0 },
	HARNESS_TEST_ENTRIES
	XSAVE_CORRECTNESS_TEST_ENTRIES
	XSAVE_RING0_CORRECTNESS_TEST_ENTRIES
	XSAVE_BENCH_TEST_ENTRIES
	XSAVE_RING0_BENCH_TEST_ENTRIES
	/* AMX as Linux gives it to a process (host/hosted_amx.c) */
	{ "xfd/linux/permission", host_xfd_test_permission, 0, 0 },
	{ "xfd/linux/bench/save-restore", host_xfd_bench_save_restore, 0, 0 },
	{ "xfd/linux/bench/first-use", host_xfd_bench_first_use, 0, 0 },
	LAB_TEST_TABLE_ENTRIES
	{ "selftest/ud", selftest_invalid_opcode, 0, TEST_SELFTEST },
	{ "selftest/gp", host_selftest_general_protection, 0, TEST_SELFTEST },
	{ "selftest/pf", selftest_page_fault, 0, TEST_SELFTEST },
	{ "selftest/hang", host_selftest_hang, SELFTEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
};

const unsigned test_table_size = sizeof test_table / sizeof test_table[0];
