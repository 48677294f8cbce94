/* harness/...: the harness checks itself on every run. Calibration chains show a user
   whether the numbers on this machine are trustworthy; the exactness bodies prove, on a
   deterministic platform (Bochs: one TSC tick per instruction), that the harness
   removes its own overhead to the tick. */
#include "bench/harness.h"
#include "test_runner.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/string.h"

DECLARE_BODY(bench_add_chain);
DECLARE_BODY(bench_imul_chain);
DECLARE_BODY(bench_exact_0);
DECLARE_BODY(bench_exact_1);
DECLARE_BODY(bench_exact_7);
DECLARE_BODY(bench_exact_50);

#define CHAIN_UNROLL 200
#define EXACT_UNROLL 16

static void run_calibration(struct test_result *result, const char *name,
			    const struct bench_body *body, int64_t expected_hundredths)
{
	struct bench_arguments arguments = { 0 };
	struct bench_result measured;
	struct json_writer writer;
	char buffer[768];

	if (harness_measure(body, &arguments, harness_sample_count(), &measured) != 0)
		return test_fail(result, "harness_measure refused the body");
	harness_record_begin(&writer, buffer, sizeof buffer, name, &measured);
	json_raw_number(&writer, "expected", expected_hundredths == 100 ? "1.00" : "3.00");
	json_string(&writer, "expected_unit", "cycles per link");
	json_bool(&writer, "trustworthy", !strcmp(measured.unit, "cycles") &&
		  measured.stats.p50 >= expected_hundredths - 5 && measured.stats.p50 <= expected_hundredths + 5);
	harness_record_emit(&writer);
	test_diagnostic(result, "p50", "%lld", (long long)measured.stats.p50);
}

void test_calibration_add(struct test_result *result)
{
	const struct bench_body body = BODY(bench_add_chain, CHAIN_UNROLL);
	run_calibration(result, "harness/calibration/add", &body, 100);
}

void test_calibration_imul(struct test_result *result)
{
	const struct bench_body body = BODY(bench_imul_chain, CHAIN_UNROLL);
	run_calibration(result, "harness/calibration/imul", &body, 300);
}

/* The exactness claim is about the TSC (Bochs: one tick per instruction), so the
   exactness tests read the TSC whatever the run's clock. */
static int measure_on_tsc(const struct bench_body *body, unsigned count, struct bench_result *measured)
{
	struct bench_arguments arguments = { 0 };
	return harness_measure_with_clock(body, &arguments, count, HARNESS_CLOCK_TSC, measured);
}

/* Deterministic platform: a one-instruction body reads the same, non-zero, cost in
   (nearly) every sample, and so do its raw windows. A coarse clock that does not move
   at all (QEMU's TCG reads the host clock in steps) reads 0 and is not deterministic.
   Up to three tries: a watchdog NMI may land in a window; a real CPU never shows zero
   spread over 101 samples. A property of the platform: probed once per run. */
static int platform_is_deterministic(void)
{
	const struct bench_body one = BODY(bench_exact_1, EXACT_UNROLL);
	static int known, deterministic;
	struct bench_result measured;

	if (known)
		return deterministic;
	known = 1;
	for (int attempt = 0; attempt < 3; attempt++) {
		if (measure_on_tsc(&one, 101, &measured) != 0)
			return deterministic = 0;
		if (measured.single_p5 == measured.single_p95 &&
		    measured.stats.p5 == measured.stats.p95 && measured.stats.p50 > 0)
			return deterministic = 1;
	}
	return deterministic = 0;
}

/* Measures body on clock and emits its record; on a deterministic platform p5, p50 and
   p95 must all read exactly `instructions` (the odd sample a watchdog NMI lands in is
   an outlier, not a reading: docs/method.md). Real clocks are reported, not judged. */
static void measure_exact(struct test_result *result, const char *name, const struct bench_body *body,
			  int64_t instructions, enum harness_clock clock, int exact)
{
	struct bench_arguments arguments = { 0 };
	struct bench_result measured;
	struct json_writer writer;
	char buffer[768], low[24], median[24], high[24];
	int64_t ratio;

	if (harness_measure_with_clock(body, &arguments, harness_sample_count(), clock, &measured) != 0)
		return test_fail(result, "harness_measure refused the body (%s clock)", harness_clock_name(clock));
	harness_record_begin(&writer, buffer, sizeof buffer, name, &measured);
	json_int(&writer, "instructions", instructions);
	json_bool(&writer, "exact_check", exact);
	if (clock == HARNESS_CLOCK_APERF && harness_aperf_per_mperf(&ratio) == 0)
		json_raw_number(&writer, "aperf_per_mperf", format_hundredths(median, sizeof median, ratio));
	harness_record_emit(&writer);
	if (exact && (measured.stats.p5 != instructions * 100 || measured.stats.p50 != instructions * 100 ||
		      measured.stats.p95 != instructions * 100))
		test_fail(result, "deterministic %s clock read p5 %s, p50 %s, p95 %s per iteration for a "
			  "body of exactly %lld instructions", harness_clock_name(clock),
			  format_hundredths(low, sizeof low, measured.stats.p5),
			  format_hundredths(median, sizeof median, measured.stats.p50),
			  format_hundredths(high, sizeof high, measured.stats.p95), (long long)instructions);
}

static void run_exact(struct test_result *result, const char *name, const struct bench_body *body,
		      int64_t instructions)
{
	measure_exact(result, name, body, instructions, HARNESS_CLOCK_TSC, platform_is_deterministic());
}

void test_exact_1(struct test_result *result)
{
	const struct bench_body body = BODY(bench_exact_1, EXACT_UNROLL);
	run_exact(result, "harness/exact/1", &body, 1);
}

void test_exact_7(struct test_result *result)
{
	const struct bench_body body = BODY(bench_exact_7, EXACT_UNROLL);
	run_exact(result, "harness/exact/7", &body, 7);
}

void test_exact_50(struct test_result *result)
{
	const struct bench_body body = BODY(bench_exact_50, EXACT_UNROLL);
	run_exact(result, "harness/exact/50", &body, 50);
}

/* harness/clocks: the same 50-instruction body read with every clock this CPU offers,
   side by side (a user sees at once how core cycles relate to TSC ticks here), plus
   APERF/MPERF's frequency ratio. On a deterministic platform every clock must read
   exactly 50: Bochs derives APERF from the same instruction count as its TSC. */
static void report_clock(struct test_result *result, enum harness_clock clock, int exact)
{
	const struct bench_body body = BODY(bench_exact_50, EXACT_UNROLL);
	char name[48];

	if (harness_clock_unavailable(clock)) {
		test_diagnostic(result, harness_clock_name(clock), "unavailable: %s",
				harness_clock_unavailable(clock));
		return;
	}
	format_string(name, sizeof name, "harness/clocks/%s", harness_clock_name(clock));
	measure_exact(result, name, &body, 50, clock, exact);
}

void test_clocks(struct test_result *result)
{
	int exact = platform_is_deterministic();

	for (enum harness_clock clock = 0; clock < HARNESS_CLOCK_COUNT; clock++)
		report_clock(result, clock, exact);
	test_diagnostic(result, "run_clock", "%s", harness_clock_name(harness_run_clock()));
	if (result->status == TEST_FAIL)
		return;
	if (harness_requested_clock_note())
		test_skip(result, "the clock asked for with clock= is unusable here (%s); the run reads %s",
			  harness_requested_clock_note(), harness_clock_name(harness_run_clock()));
}
