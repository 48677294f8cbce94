/* The tests the hosted build runs: those that make sense in ring 3 under Linux, in the
   kernel's order (kernel/test_table.c). Left out: everything needing ring 0 (CR0.TS,
   XSETBV, XSAVES/XRSTORS, MSRs, the APIC watchdog, the kernel's own checks). */
#include "test_runner.h"
#include "bench/bench_tests.h"
#include "lab/lab_tests.h"

void test_cpu_features(struct test_result *result);
void host_bench_test_xgetbv(struct test_result *result);
void selftest_invalid_opcode(struct test_result *result);
void selftest_general_protection(struct test_result *result);
void selftest_page_fault(struct test_result *result);
void host_selftest_hang(struct test_result *result);

#define SELFTEST_HANG_TIMEOUT_MILLISECONDS 3000

const struct test test_table[] = {
	{ "cpu/features", test_cpu_features, 0, 0 },
	HARNESS_TEST_ENTRIES
	XSAVE_CORRECTNESS_TEST_ENTRIES
	XSAVE_BENCH_TEST_ENTRIES
	{ "xsave/bench/xgetbv", host_bench_test_xgetbv, 0, 0 },
	LAB_TEST_TABLE_ENTRIES
	{ "selftest/ud", selftest_invalid_opcode, 0, TEST_SELFTEST },
	{ "selftest/gp", selftest_general_protection, 0, TEST_SELFTEST },
	{ "selftest/pf", selftest_page_fault, 0, TEST_SELFTEST },
	{ "selftest/hang", host_selftest_hang, SELFTEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
};

const unsigned test_table_size = sizeof test_table / sizeof test_table[0];
