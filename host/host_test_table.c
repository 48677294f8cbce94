/* The tests the hosted build runs: those that make sense in ring 3 under Linux, in the
   kernel's order (kernel/test_table.c). Left out: everything needing ring 0 (CR0.TS,
   XSETBV, XSAVES/XRSTORS, MSRs, the APIC watchdog, the kernel's own checks). */
#include "test_runner.h"
#include "lab/lab_tests.h"

void test_cpu_features(struct test_result *result);
void test_calibration_add(struct test_result *result);
void test_calibration_imul(struct test_result *result);
void test_exact_1(struct test_result *result);
void test_exact_7(struct test_result *result);
void test_exact_50(struct test_result *result);
void xsave_test_fxsave_fxrstor(struct test_result *result);
void xsave_test_xsave_xrstor(struct test_result *result);
void xsave_test_xsaveopt_xrstor(struct test_result *result);
void xsave_test_xsavec_xrstor(struct test_result *result);
void xsave_test_xstate_bv_matches_xinuse(struct test_result *result);
void xsave_test_compacted_layout(struct test_result *result);
void xsave_test_restore_init_component(struct test_result *result);
void xsave_test_fault_reserved_header(struct test_result *result);
void xsave_test_fault_misaligned(struct test_result *result);
void bench_test_fxsave(struct test_result *result);
void bench_test_xsave(struct test_result *result);
void bench_test_xsaveopt(struct test_result *result);
void bench_test_xsavec(struct test_result *result);
void bench_test_fxrstor(struct test_result *result);
void bench_test_xrstor(struct test_result *result);
void host_bench_test_xgetbv(struct test_result *result);
void selftest_invalid_opcode(struct test_result *result);
void selftest_general_protection(struct test_result *result);
void selftest_page_fault(struct test_result *result);
void host_selftest_hang(struct test_result *result);

#define SELFTEST_HANG_TIMEOUT_MILLISECONDS 3000

const struct test test_table[] = {
	{ "cpu/features", test_cpu_features, 0, 0 },
	{ "harness/calibration/add", test_calibration_add, 0, 0 },
	{ "harness/calibration/imul", test_calibration_imul, 0, 0 },
	{ "harness/exact/1", test_exact_1, 0, 0 },
	{ "harness/exact/7", test_exact_7, 0, 0 },
	{ "harness/exact/50", test_exact_50, 0, 0 },
	{ "xsave/roundtrip/fxsave-fxrstor", xsave_test_fxsave_fxrstor, 0, 0 },
	{ "xsave/roundtrip/xsave-xrstor", xsave_test_xsave_xrstor, 0, 0 },
	{ "xsave/roundtrip/xsaveopt-xrstor", xsave_test_xsaveopt_xrstor, 0, 0 },
	{ "xsave/roundtrip/xsavec-xrstor", xsave_test_xsavec_xrstor, 0, 0 },
	{ "xsave/header/xstate-bv-matches-xinuse", xsave_test_xstate_bv_matches_xinuse, 0, 0 },
	{ "xsave/header/compacted-layout", xsave_test_compacted_layout, 0, 0 },
	{ "xsave/header/restore-init-component", xsave_test_restore_init_component, 0, 0 },
	{ "xsave/fault/reserved-header", xsave_test_fault_reserved_header, 0, 0 },
	{ "xsave/fault/misaligned-area", xsave_test_fault_misaligned, 0, 0 },
	{ "xsave/bench/fxsave", bench_test_fxsave, 0, 0 },
	{ "xsave/bench/xsave", bench_test_xsave, 0, 0 },
	{ "xsave/bench/xsaveopt", bench_test_xsaveopt, 0, 0 },
	{ "xsave/bench/xsavec", bench_test_xsavec, 0, 0 },
	{ "xsave/bench/fxrstor", bench_test_fxrstor, 0, 0 },
	{ "xsave/bench/xrstor", bench_test_xrstor, 0, 0 },
	{ "xsave/bench/xgetbv", host_bench_test_xgetbv, 0, 0 },
	LAB_TEST_TABLE_ENTRIES
	{ "selftest/ud", selftest_invalid_opcode, 0, TEST_SELFTEST },
	{ "selftest/gp", selftest_general_protection, 0, TEST_SELFTEST },
	{ "selftest/pf", selftest_page_fault, 0, TEST_SELFTEST },
	{ "selftest/hang", host_selftest_hang, SELFTEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
};

const unsigned test_table_size = sizeof test_table / sizeof test_table[0];
