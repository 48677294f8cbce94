/* harness/...: the harness checks itself on every run. Calibration chains show a user
   whether the numbers on this machine are trustworthy; the exactness bodies prove, on a
   deterministic platform (Bochs: one TSC tick per instruction), that the harness
   removes its own overhead to the tick. */
#include "support/harness.h"
#include "test_runner.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/string.h"

DECLARE_BODY(bench_add_chain);
DECLARE_BODY(bench_imul_chain);
DECLARE_BODY(bench_exact_1);
DECLARE_BODY(bench_exact_7);
DECLARE_BODY(bench_exact_50);

#define CHAIN_UNROLL 200
#define EXACT_UNROLL 16
#define CALIBRATION_TOLERANCE 5    /* hundredths of a cycle per link, full run */
#define QUICK_TOLERANCE 10          /* 101 samples in 4 ensembles: a p50 that moves more */

static int64_t tolerance(void)
{
	return harness_sample_count() < 1000 ? QUICK_TOLERANCE : CALIBRATION_TOLERANCE;
}

/* Why this run's cycles cannot show a latency, or 0 when they can. */
static const char *cycles_cannot_show(const struct bench_result *measured)
{
	if (!measured->cycles.source)
		return 0;   /* no cycles at all: a failure, not a reason */
	if (!strcmp(measured->cycles.source, "instructions") || !measured->cycles.trusted)
		return harness_cycles_untrusted();
	return 0;
}

/* A dependent chain of known latency must read it in core cycles, p50 within
   tolerance(): where it does not, no figure of the run is worth more
   (docs/method.md, "Core cycles"). Under an emulator the check cannot apply: SKIP with
   what the run measured. */
static void check_chain(struct test_result *result, const struct bench_result *measured, int64_t expected)
{
	char median[24], ticks[24], ratio[24], spread[24], error[24];

	/* Under an emulator a sample's chain may read no time at all (qemu-user, once in
	   a fresh-clone CI): no cycles, but for the reason found at start, not a failure. */
	if (!measured->cycles.source && harness_cycles_untrusted())
		return test_skip(result, "core cycles cannot be trusted here: %s", harness_cycles_untrusted());
	if (!measured->cycles.source)
		return test_fail(result, "no cycles: the calibration chain read no time");
	if (cycles_cannot_show(measured))
		return test_skip(result, "core cycles cannot be trusted here: %s", cycles_cannot_show(measured));
	if (measured->cycles.stats.p50 >= expected - tolerance() && measured->cycles.stats.p50 <= expected + tolerance())
		return;
	format_string(ratio, sizeof ratio, "%lld.%04lld", (long long)(measured->cycles.ticks_per_cycle / 10000),
		      (long long)(measured->cycles.ticks_per_cycle % 10000));
	test_fail(result, "p50 %s cycles per link, expected %s +- 0.%02lld (cycles from %s; %s %s per link; "
		  "%s ticks per cycle, ensembles %s %% apart, uncertainty %s %%)",
		  format_hundredths(median, sizeof median, measured->cycles.stats.p50),
		  expected == 100 ? "1.00" : "3.00", (long long)tolerance(), measured->cycles.source,
		  format_hundredths(ticks, sizeof ticks, measured->stats.p50), measured->unit,
		  measured->cycles.ticks_per_cycle ? ratio : "-",
		  format_hundredths(spread, sizeof spread, measured->cycles.calibration_spread),
		  format_hundredths(error, sizeof error, measured->cycles.uncertainty));
}

static void run_calibration(struct test_result *result, const char *name,
			    const struct bench_body *body, int64_t expected_hundredths)
{
	struct bench_arguments arguments = { 0 };
	struct bench_result measured;
	struct json_writer writer;
	char buffer[1024];
	int64_t p50;

	if (harness_measure(body, &arguments, harness_sample_count(), &measured) != 0)
		return test_fail(result, "harness_measure refused the body");
	p50 = measured.cycles.stats.p50;
	harness_record_begin(&writer, buffer, sizeof buffer, name, &measured);
	json_raw_number(&writer, "expected", expected_hundredths == 100 ? "1.00" : "3.00");
	json_string(&writer, "expected_unit", "cycles per link");
	json_bool(&writer, "trustworthy", measured.cycles.source && !cycles_cannot_show(&measured) &&
		  p50 >= expected_hundredths - tolerance() && p50 <= expected_hundredths + tolerance());
	harness_record_emit(&writer);
	test_diagnostic(result, "p50", "%lld", (long long)measured.stats.p50);
	test_diagnostic(result, "cycles_p50", "%lld", (long long)p50);
	check_chain(result, &measured, expected_hundredths);
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

/* Measures body on clock and emits its record; on a deterministic platform p5, p50 and
   p95 must all read exactly `instructions` (the odd sample a watchdog NMI lands in is
   an outlier, not a reading: docs/method.md). Real clocks are reported, not judged. */
static void measure_exact(struct test_result *result, const char *name, const struct bench_body *body,
			  int64_t instructions, enum harness_clock clock, int exact)
{
	struct bench_arguments arguments = { 0 };
	struct bench_result measured;
	struct json_writer writer;
	char buffer[1024], low[24], median[24], high[24];
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

/* The exactness claim is about the TSC (Bochs: one tick per instruction), so the
   exactness tests read the TSC whatever the run's clock. */
static void run_exact(struct test_result *result, const char *name, const struct bench_body *body,
		      int64_t instructions)
{
	measure_exact(result, name, body, instructions, HARNESS_CLOCK_TSC, harness_clock_deterministic());
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
	int exact = harness_clock_deterministic();

	for (enum harness_clock clock = 0; clock < HARNESS_CLOCK_COUNT; clock++)
		report_clock(result, clock, exact);
	test_diagnostic(result, "run_clock", "%s", harness_clock_name(harness_run_clock()));
	if (result->status == TEST_FAIL)
		return;
	if (harness_requested_clock_note())
		test_skip(result, "the clock asked for with clock= is unusable here (%s); the run reads %s",
			  harness_requested_clock_note(), harness_clock_name(harness_run_clock()));
}
