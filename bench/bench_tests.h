/* The harness's and the XSAVE family's test points, for the kernel's test table and
   the hosted build's (host/host_test_table.c): one list, so both run the same tests
   under the same names. The *_RING0_* groups need CPL 0 and are kernel-only. */
#ifndef FPULAB_BENCH_TESTS_H
#define FPULAB_BENCH_TESTS_H

struct test_result;

void test_calibration_add(struct test_result *result);
void test_calibration_imul(struct test_result *result);
void test_exact_1(struct test_result *result);
void test_exact_7(struct test_result *result);
void test_exact_50(struct test_result *result);
void test_clocks(struct test_result *result);
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
void bench_test_fxsave(struct test_result *result);
void bench_test_xsave(struct test_result *result);
void bench_test_xsaveopt(struct test_result *result);
void bench_test_xsavec(struct test_result *result);
void bench_test_xsaves(struct test_result *result);
void bench_test_fxrstor(struct test_result *result);
void bench_test_xrstor(struct test_result *result);
void bench_test_xrstors(struct test_result *result);
void bench_test_control(struct test_result *result);
void bench_test_amx(struct test_result *result);
void amx_test_tilecfg_restored(struct test_result *result);
void amx_test_tilerelease_inits(struct test_result *result);

#define HARNESS_TEST_ENTRIES                                                              \
	{ "harness/calibration/add", test_calibration_add, 0, 0 },                        \
	{ "harness/calibration/imul", test_calibration_imul, 0, 0 },                      \
	{ "harness/exact/1", test_exact_1, 0, 0 },                                        \
	{ "harness/exact/7", test_exact_7, 0, 0 },                                        \
	{ "harness/exact/50", test_exact_50, 0, 0 },                                      \
	{ "harness/clocks", test_clocks, 0, 0 },

#define XSAVE_CORRECTNESS_TEST_ENTRIES                                                    \
	{ "xsave/roundtrip/fxsave-fxrstor", xsave_test_fxsave_fxrstor, 0, 0 },            \
	{ "xsave/roundtrip/xsave-xrstor", xsave_test_xsave_xrstor, 0, 0 },                \
	{ "xsave/roundtrip/xsaveopt-xrstor", xsave_test_xsaveopt_xrstor, 0, 0 },          \
	{ "xsave/roundtrip/xsavec-xrstor", xsave_test_xsavec_xrstor, 0, 0 },              \
	{ "xsave/header/xstate-bv-matches-xinuse", xsave_test_xstate_bv_matches_xinuse, 0, 0 }, \
	{ "xsave/header/compacted-layout", xsave_test_compacted_layout, 0, 0 },           \
	{ "xsave/header/restore-init-component", xsave_test_restore_init_component, 0, 0 }, \
	{ "xsave/fault/reserved-header", xsave_test_fault_reserved_header, 0, 0 },        \
	{ "xsave/fault/misaligned-area", xsave_test_fault_misaligned, 0, 0 },            \
	{ "xsave/amx/tilecfg-restored", amx_test_tilecfg_restored, 0, 0 },                \
	{ "xsave/amx/tilerelease-inits", amx_test_tilerelease_inits, 0, 0 },

/* XSAVES/XRSTORS, XSETBV and CR0.TS are privileged. */
#define XSAVE_RING0_CORRECTNESS_TEST_ENTRIES                                              \
	{ "xsave/roundtrip/xsaves-xrstors", xsave_test_xsaves_xrstors, 0, 0 },            \
	{ "xsave/roundtrip/xsavec-xrstors", xsave_test_xsavec_xrstors, 0, 0 },            \
	{ "xsave/roundtrip/xsaves-xrstor", xsave_test_xsaves_xrstor, 0, 0 },              \
	{ "xsave/fault/xsetbv-invalid", xsave_test_fault_xsetbv, 0, 0 },                  \
	{ "xsave/fault/nm-with-cr0-ts", xsave_test_fault_nm_with_ts, 0, 0 },

#define XSAVE_BENCH_TEST_ENTRIES                                                          \
	{ "xsave/bench/fxsave", bench_test_fxsave, 0, 0 },                                \
	{ "xsave/bench/xsave", bench_test_xsave, 0, 0 },                                  \
	{ "xsave/bench/xsaveopt", bench_test_xsaveopt, 0, 0 },                            \
	{ "xsave/bench/xsavec", bench_test_xsavec, 0, 0 },                                \
	{ "xsave/bench/fxrstor", bench_test_fxrstor, 0, 0 },                              \
	{ "xsave/bench/xrstor", bench_test_xrstor, 0, 0 },                                \
	{ "xsave/bench/amx", bench_test_amx, 0, 0 },

#define XSAVE_RING0_BENCH_TEST_ENTRIES                                                    \
	{ "xsave/bench/xsaves", bench_test_xsaves, 0, 0 },                                \
	{ "xsave/bench/xrstors", bench_test_xrstors, 0, 0 },                              \
	{ "xsave/bench/control", bench_test_control, 0, 0 },

#endif
