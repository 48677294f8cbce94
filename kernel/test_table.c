/* Every test fpulab can run, in run order. Select with only=GLOB, skip=GLOB;
   selftests run only when named by selftest=NAME. */
#include "test_runner.h"
#include "lab/lab_tests.h"

void test_cpu_features(struct test_result *result);
void test_interrupts_masked(struct test_result *result);
void test_safe_wrappers(struct test_result *result);
void test_trap_recovery(struct test_result *result);
void test_watchdog(struct test_result *result);
void test_memory(struct test_result *result);
void test_xsave_enabled(struct test_result *result);
void test_calibration_add(struct test_result *result);
void test_calibration_imul(struct test_result *result);
void test_exact_1(struct test_result *result);
void test_exact_7(struct test_result *result);
void test_exact_50(struct test_result *result);
void bench_test_fxsave(struct test_result *result);
void bench_test_xsave(struct test_result *result);
void bench_test_xsaveopt(struct test_result *result);
void bench_test_xsavec(struct test_result *result);
void bench_test_xsaves(struct test_result *result);
void bench_test_fxrstor(struct test_result *result);
void bench_test_xrstor(struct test_result *result);
void bench_test_xrstors(struct test_result *result);
void bench_test_control(struct test_result *result);
void xsave_test_fxsave_fxrstor(struct test_result *result);
void xsave_test_xsave_xrstor(struct test_result *result);
void xsave_test_xsaveopt_xrstor(struct test_result *result);
void xsave_test_xsavec_xrstor(struct test_result *result);
void xsave_test_xsaves_xrstors(struct test_result *result);
void xsave_test_xsavec_xrstors(struct test_result *result);
void xsave_test_xsaves_xrstor(struct test_result *result);
void xsave_test_xstate_bv_matches_xinuse(struct test_result *result);
void xsave_test_compacted_layout(struct test_result *result);
void xsave_test_restore_init_component(struct test_result *result);
void xsave_test_fault_reserved_header(struct test_result *result);
void xsave_test_fault_misaligned(struct test_result *result);
void xsave_test_fault_xsetbv(struct test_result *result);
void xsave_test_fault_nm_with_ts(struct test_result *result);
void xfd_test_not_available(struct test_result *result);
void claim_test_c2(struct test_result *result);
/* ---- vm ---- */
void vm_test_enable_disable(struct test_result *result);
void vm_test_hypercall(struct test_result *result);
void vm_test_hlt(struct test_result *result);
void vm_test_cpuid(struct test_result *result);
void vm_test_xsetbv(struct test_result *result);
void vm_test_msr_xfd(struct test_result *result);
void vm_test_nm_intercept(struct test_result *result);
void vm_test_create_destroy(struct test_result *result);
void vm_test_fpu_isolation(struct test_result *result);
void vm_test_vmx_vmfail_valid(struct test_result *result);
void vm_test_svm_vmexit_invalid(struct test_result *result);
void vm_bench_hypercall(struct test_result *result);
void vm_bench_cpuid(struct test_result *result);
void vm_bench_hlt(struct test_result *result);
void vm_bench_xsetbv(struct test_result *result);
void vm_bench_msr(struct test_result *result);
void vm_bench_nm(struct test_result *result);
void vm_bench_fpu_swap(struct test_result *result);
void selftest_vmentry(struct test_result *result);
void selftest_guest_hang(struct test_result *result);
#define SELFTEST_GUEST_HANG_TIMEOUT_MILLISECONDS 3000
/* ---- vm ---- */
void selftest_invalid_opcode(struct test_result *result);
void selftest_general_protection(struct test_result *result);
void selftest_page_fault(struct test_result *result);
void selftest_hang(struct test_result *result);

#define SELFTEST_HANG_TIMEOUT_MILLISECONDS 3000

const struct test test_table[] = {
	{ "cpu/features", test_cpu_features, 0, 0 },
	{ "kernel/interrupts-masked", test_interrupts_masked, 0, 0 },
	{ "kernel/safe-wrappers", test_safe_wrappers, 0, 0 },
	{ "kernel/trap-recovery", test_trap_recovery, 0, 0 },
	{ "kernel/watchdog", test_watchdog, 0, 0 },
	{ "kernel/memory", test_memory, 0, 0 },
	{ "kernel/xsave-enabled", test_xsave_enabled, 0, 0 },
	{ "harness/calibration/add", test_calibration_add, 0, 0 },
	{ "harness/calibration/imul", test_calibration_imul, 0, 0 },
	{ "harness/exact/1", test_exact_1, 0, 0 },
	{ "harness/exact/7", test_exact_7, 0, 0 },
	{ "harness/exact/50", test_exact_50, 0, 0 },
	{ "xsave/roundtrip/fxsave-fxrstor", xsave_test_fxsave_fxrstor, 0, 0 },
	{ "xsave/roundtrip/xsave-xrstor", xsave_test_xsave_xrstor, 0, 0 },
	{ "xsave/roundtrip/xsaveopt-xrstor", xsave_test_xsaveopt_xrstor, 0, 0 },
	{ "xsave/roundtrip/xsavec-xrstor", xsave_test_xsavec_xrstor, 0, 0 },
	{ "xsave/roundtrip/xsaves-xrstors", xsave_test_xsaves_xrstors, 0, 0 },
	{ "xsave/roundtrip/xsavec-xrstors", xsave_test_xsavec_xrstors, 0, 0 },
	{ "xsave/roundtrip/xsaves-xrstor", xsave_test_xsaves_xrstor, 0, 0 },
	{ "xsave/header/xstate-bv-matches-xinuse", xsave_test_xstate_bv_matches_xinuse, 0, 0 },
	{ "xsave/header/compacted-layout", xsave_test_compacted_layout, 0, 0 },
	{ "xsave/header/restore-init-component", xsave_test_restore_init_component, 0, 0 },
	{ "xsave/fault/reserved-header", xsave_test_fault_reserved_header, 0, 0 },
	{ "xsave/fault/misaligned-area", xsave_test_fault_misaligned, 0, 0 },
	{ "xsave/fault/xsetbv-invalid", xsave_test_fault_xsetbv, 0, 0 },
	{ "xsave/fault/nm-with-cr0-ts", xsave_test_fault_nm_with_ts, 0, 0 },
	{ "xfd/armed-component-raises-nm", xfd_test_not_available, 0, 0 },
	{ "xsave/bench/fxsave", bench_test_fxsave, 0, 0 },
	{ "xsave/bench/xsave", bench_test_xsave, 0, 0 },
	{ "xsave/bench/xsaveopt", bench_test_xsaveopt, 0, 0 },
	{ "xsave/bench/xsavec", bench_test_xsavec, 0, 0 },
	{ "xsave/bench/xsaves", bench_test_xsaves, 0, 0 },
	{ "xsave/bench/fxrstor", bench_test_fxrstor, 0, 0 },
	{ "xsave/bench/xrstor", bench_test_xrstor, 0, 0 },
	{ "xsave/bench/xrstors", bench_test_xrstors, 0, 0 },
	{ "xsave/bench/control", bench_test_control, 0, 0 },
	{ "claim/c2", claim_test_c2, 0, 0 },
	LAB_TEST_TABLE_ENTRIES
	/* ---- vm ---- */
	{ "vm/enable-disable", vm_test_enable_disable, 0, 0 },
	{ "vm/exit/hypercall", vm_test_hypercall, 0, 0 },
	{ "vm/exit/hlt", vm_test_hlt, 0, 0 },
	{ "vm/exit/cpuid", vm_test_cpuid, 0, 0 },
	{ "vm/exit/xsetbv", vm_test_xsetbv, 0, 0 },
	{ "vm/exit/msr-xfd", vm_test_msr_xfd, 0, 0 },
	{ "vm/exit/nm-intercept", vm_test_nm_intercept, 0, 0 },
	{ "vm/create-destroy", vm_test_create_destroy, 0, 0 },
	{ "vm/fpu-isolation", vm_test_fpu_isolation, 0, 0 },
	{ "vm/vmx/vmfail-valid-decoded", vm_test_vmx_vmfail_valid, 0, 0 },
	{ "vm/svm/vmexit-invalid-decoded", vm_test_svm_vmexit_invalid, 0, 0 },
	{ "vm/bench/hypercall", vm_bench_hypercall, 0, 0 },
	{ "vm/bench/cpuid", vm_bench_cpuid, 0, 0 },
	{ "vm/bench/hlt", vm_bench_hlt, 0, 0 },
	{ "vm/bench/xsetbv", vm_bench_xsetbv, 0, 0 },
	{ "vm/bench/msr-xfd", vm_bench_msr, 0, 0 },
	{ "vm/bench/cr0-ts-and-nm", vm_bench_nm, 0, 0 },
	{ "vm/bench/fpu-swap", vm_bench_fpu_swap, 0, 0 },
	{ "selftest/vmentry", selftest_vmentry, 0, TEST_SELFTEST },
	{ "selftest/guest-hang", selftest_guest_hang, SELFTEST_GUEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
	/* ---- vm ---- */
	{ "selftest/ud", selftest_invalid_opcode, 0, TEST_SELFTEST },
	{ "selftest/gp", selftest_general_protection, 0, TEST_SELFTEST },
	{ "selftest/pf", selftest_page_fault, 0, TEST_SELFTEST },
	{ "selftest/hang", selftest_hang, SELFTEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
};

const unsigned test_table_size = sizeof test_table / sizeof test_table[0];
