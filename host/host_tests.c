/* Tests only the hosted build has: the XGETBV benchmark without the ring-0 rest of
   xsave/bench/control, and a hang selftest that spins without CLI (#GP in ring 3). */
#include "cpu_features.h"
#include "test_runner.h"
#include "bench/harness.h"
#include "bench/xsave_support.h"
#include "arch/x86.h"

#define CPUID1_ECX_OSXSAVE (1u << 27)

DECLARE_BODY(bench_xgetbv0);
DECLARE_BODY(bench_xgetbv1);

/* The same bodies and record names as bench_test_control (bench/xsave_bench.c). */
void host_bench_test_xgetbv(struct test_result *result)
{
	const struct bench_body xgetbv0 = BODY(bench_xgetbv0, 16);
	const struct bench_body xgetbv1 = BODY(bench_xgetbv1, 16);
	struct bench_arguments arguments = { 0 };

	if (!cpu_features()->has.xsave)
		return test_skip(result, "CPUID.1:ECX.XSAVE[26]=0");
	if (!(cpuid(1, 0).ecx & CPUID1_ECX_OSXSAVE))
		return test_skip(result, "CPUID.1:ECX.OSXSAVE[27]=0: the OS left XGETBV disabled");
	xsave_bench_emit(result, "xsave/xgetbv0", &xgetbv0, &arguments, 0, 0);
	if (cpu_features()->has.xgetbv1)
		xsave_bench_emit(result, "xsave/xgetbv1", &xgetbv1, &arguments, 0, 0);
}

/* selftest=hang: spins until SIGALRM, the hosted watchdog, ends it. */
void host_selftest_hang(struct test_result *result)
{
	for (;;)
		cpu_pause();
}
