/* Every test fpulab can run, in run order. Select with only=GLOB, skip=GLOB;
   selftests run only when named by selftest=NAME. */
#include "test_runner.h"
#include "bench/bench_tests.h"
#include "lab/lab_tests.h"

void test_cpu_features(struct test_result *result);
void test_interrupts_masked(struct test_result *result);
void test_safe_wrappers(struct test_result *result);
void test_trap_recovery(struct test_result *result);
void test_baseline_state(struct test_result *result);
void selftest_nested_nm_hang(struct test_result *result);
void selftest_dirty_abort(struct test_result *result);
void test_watchdog(struct test_result *result);
void test_memory(struct test_result *result);
void test_firmware_isolation(struct test_result *result);
void test_xsave_enabled(struct test_result *result);
void test_cr4_osfxsr(struct test_result *result);
void xfd_test_armed_component_raises_nm(struct test_result *result);
void xfd_test_xsave_interaction(struct test_result *result);
void xfd_bench(struct test_result *result);
void claim_test_c2(struct test_result *result);
/* ---- vm ---- */
void vm_test_enable_disable(struct test_result *result);
void vm_test_hypercall(struct test_result *result);
void vm_test_hlt(struct test_result *result);
void vm_test_cpuid(struct test_result *result);
void vm_test_xsetbv(struct test_result *result);
void vm_test_xsetbv_refused(struct test_result *result);
void vm_test_msr_xfd(struct test_result *result);
void vm_test_nm_intercept(struct test_result *result);
void vm_test_external_interrupt(struct test_result *result);
void vm_test_create_destroy(struct test_result *result);
void vm_test_gs_base(struct test_result *result);
void vm_test_fpu_isolation(struct test_result *result);
void vm_test_vmx_vmfail_valid(struct test_result *result);
void vm_test_vmx_vmcs_access_error(struct test_result *result);
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
void selftest_second_cpu_guest_hang(struct test_result *result);
void selftest_second_cpu_hang(struct test_result *result);
#define SELFTEST_GUEST_HANG_TIMEOUT_MILLISECONDS 3000
/* the second CPU's guest: 1.5 s to the call's deadline, then up to 2 s of NMIs */
#define SELFTEST_SECOND_CPU_GUEST_HANG_TIMEOUT_MILLISECONDS 6000
/* ---- smp ---- */
void smp_test_second_cpu(struct test_result *result);
void smp_test_baseline_state(struct test_result *result);
void smp_test_xsave_migrate(struct test_result *result);
void smp_bench_ipi_round_trip(struct test_result *result);
void smp_selftest_fault(struct test_result *result);
void selftest_invalid_opcode(struct test_result *result);
void selftest_general_protection(struct test_result *result);
void selftest_page_fault(struct test_result *result);
void selftest_hang(struct test_result *result);


#define SELFTEST_HANG_TIMEOUT_MILLISECONDS 3000

const struct test test_table[] = {
	{ "cpu/features", test_cpu_features, 0, 0 },
	{ "kernel/interrupts-masked", test_interrupts_masked, 0, 0 },
	{ "kernel/safe-wrappers", test_safe_wrappers, 0, 0 },
	/* the aborts first: everything after them must be ok */
	{ "selftest/nested-nm-hang", selftest_nested_nm_hang, SELFTEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
	{ "selftest/dirty-abort", selftest_dirty_abort, 0, TEST_SELFTEST },
	{ "kernel/baseline-state", test_baseline_state, 0, 0 },
	{ "kernel/trap-recovery", test_trap_recovery, 0, 0 },
	{ "kernel/watchdog", test_watchdog, 0, 0 },
	{ "kernel/memory", test_memory, 0, 0 },
	{ "kernel/firmware-isolation", test_firmware_isolation, 0, 0 },
	{ "kernel/xsave-enabled", test_xsave_enabled, 0, 0 },
	{ "kernel/cr4-osfxsr", test_cr4_osfxsr, 0, 0 },
	HARNESS_TEST_ENTRIES
	XSAVE_CORRECTNESS_TEST_ENTRIES
	XSAVE_RING0_CORRECTNESS_TEST_ENTRIES
	{ "xfd/armed-component-raises-nm", xfd_test_armed_component_raises_nm, 0, 0 },
	{ "xfd/xsave-interaction", xfd_test_xsave_interaction, 0, 0 },
	{ "xfd/bench", xfd_bench, 0, 0 },
	XSAVE_BENCH_TEST_ENTRIES
	XSAVE_RING0_BENCH_TEST_ENTRIES
	{ "claim/c2", claim_test_c2, 0, 0 },
	/* ---- vm ---- */
	{ "vm/enable-disable", vm_test_enable_disable, 0, 0 },
	{ "vm/exit/hypercall", vm_test_hypercall, 0, 0 },
	{ "vm/exit/hlt", vm_test_hlt, 0, 0 },
	{ "vm/exit/cpuid", vm_test_cpuid, 0, 0 },
	{ "vm/exit/xsetbv", vm_test_xsetbv, 0, 0 },
	{ "vm/exit/xsetbv-refused", vm_test_xsetbv_refused, 0, 0 },
	{ "vm/exit/msr-xfd", vm_test_msr_xfd, 0, 0 },
	{ "vm/exit/nm-intercept", vm_test_nm_intercept, 0, 0 },
	{ "vm/exit/external-interrupt", vm_test_external_interrupt, 0, 0 },
	{ "vm/create-destroy", vm_test_create_destroy, 0, 0 },
	{ "vm/gs-base", vm_test_gs_base, 0, 0 },
	{ "vm/fpu-isolation", vm_test_fpu_isolation, 0, 0 },
	{ "vm/vmx/vmfail-valid-decoded", vm_test_vmx_vmfail_valid, 0, 0 },
	{ "vm/vmx/vmcs-access-error", vm_test_vmx_vmcs_access_error, 0, 0 },
	{ "vm/svm/vmexit-invalid-decoded", vm_test_svm_vmexit_invalid, 0, 0 },
	{ "vm/bench/hypercall", vm_bench_hypercall, 0, 0 },
	{ "vm/bench/cpuid", vm_bench_cpuid, 0, 0 },
	{ "vm/bench/hlt", vm_bench_hlt, 0, 0 },
	{ "vm/bench/xsetbv", vm_bench_xsetbv, 0, 0 },
	{ "vm/bench/msr-xfd", vm_bench_msr, 0, 0 },
	{ "vm/bench/cr0-ts-and-nm", vm_bench_nm, 0, 0 },
	{ "vm/bench/fpu-swap", vm_bench_fpu_swap, 0, 0 },
	{ "smp/second-cpu", smp_test_second_cpu, 0, 0 },
	{ "selftest/second-cpu-fault", smp_selftest_fault, 0, TEST_SELFTEST },
	{ "smp/baseline-state", smp_test_baseline_state, 0, 0 },
	{ "smp/xsave/migrate", smp_test_xsave_migrate, 0, 0 },
	{ "smp/bench/ipi-round-trip", smp_bench_ipi_round_trip, 0, 0 },
	/* after every benchmark: lab/cost-weights takes their medians */
	LAB_TEST_TABLE_ENTRIES
	{ "selftest/vmentry", selftest_vmentry, 0, TEST_SELFTEST },
	{ "selftest/guest-hang", selftest_guest_hang, SELFTEST_GUEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
	/* ---- vm ---- */
	{ "selftest/second-cpu-guest-hang", selftest_second_cpu_guest_hang, SELFTEST_SECOND_CPU_GUEST_HANG_TIMEOUT_MILLISECONDS,
	  TEST_SELFTEST },
	{ "selftest/second-cpu-hang", selftest_second_cpu_hang, 0, TEST_SELFTEST },
	{ "selftest/ud", selftest_invalid_opcode, 0, TEST_SELFTEST },
	{ "selftest/gp", selftest_general_protection, 0, TEST_SELFTEST },
	{ "selftest/pf", selftest_page_fault, 0, TEST_SELFTEST },
	{ "selftest/hang", selftest_hang, SELFTEST_HANG_TIMEOUT_MILLISECONDS, TEST_SELFTEST },
};

const unsigned test_table_size = sizeof test_table / sizeof test_table[0];
