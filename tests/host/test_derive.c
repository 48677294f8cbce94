#include "unit.h"
#include "support/lib/derive.h"

#define COUNT 1000

static int64_t singles[HARNESS_MAX_SAMPLES], doubles[HARNESS_MAX_SAMPLES], calibration[HARNESS_MAX_SAMPLES];
static int64_t samples[HARNESS_MAX_SAMPLES], cycles[HARNESS_MAX_SAMPLES];
static int64_t sorted[HARNESS_MAX_SAMPLES], scratch[HARNESS_MAX_SAMPLES];
static const struct harness_samples buffers = { singles, doubles, calibration, samples, cycles, sorted, scratch };

/* Windows of an 8-iteration body costing `cost` ticks per iteration over `overhead`,
   in the harness's hundredths; calibration at `ticks_per_cycle` (hundredths). */
static void windows(unsigned first, unsigned end, int64_t overhead, int64_t cost, int64_t ticks_per_cycle)
{
	for (unsigned i = first; i < end; i++) {
		singles[i] = (overhead + 8 * cost) * 100;
		doubles[i] = (overhead + 16 * cost) * 100;
		calibration[i] = HARNESS_CALIBRATION_LINKS * ticks_per_cycle;
	}
}

static void derive(const struct derive_clock *clock, struct bench_result *result)
{
	memset(result, 0, sizeof *result);
	result->pairs_per_sample = 1;
	harness_derive(&buffers, COUNT, 8, clock, result);
}

static void test_differential(void)
{
	const struct derive_clock instructions = { 1, "instructions", 0, 1 };
	struct bench_result result;

	windows(0, COUNT, 40, 50, 100);
	singles[500] += 900000;     /* an interrupt in a short window: not a baseline */
	doubles[700] -= 400000;     /* a long window shorter than the baseline: floored */
	derive(&instructions, &result);
	CHECK("derive/exact", result.stats.p5 == 5000 && result.stats.p50 == 5000 && result.stats.p95 == 5000);
	CHECK("derive/disturbed-short-window-ignored", samples[500] == 5000);
	CHECK("derive/never-negative", result.stats.min == 0 && result.floored == 1 && samples[700] == 0);
	CHECK("derive/cycles-are-the-unit", !strcmp(result.cycles.source, "instructions") &&
					    result.cycles.stats.p50 == 5000);
	CHECK("derive/stable", result.stability.ensembles == 10 && result.stability.stable &&
			       result.stability.p50_spread == 0 && result.modes == 0);
}

static void test_add_chain(void)
{
	const struct derive_clock add_chain = { 2, "add-chain", 1, 1 };
	struct bench_result result;

	/* 3 ticks at 0.75 ticks per cycle in the first half, 6 at 1.50 in the second: the
	   core clock halved; 4 cycles throughout */
	windows(0, COUNT / 2, 40, 3, 75);
	windows(COUNT / 2, COUNT, 80, 6, 150);
	derive(&add_chain, &result);
	CHECK("derive/cycles-per-ensemble", result.cycles.stats.p5 == 400 && result.cycles.stats.p95 == 400);
	CHECK("derive/ticks-moved", result.stats.p5 == 300 && result.stats.p95 == 600);
	CHECK("derive/calibration-figures", result.cycles.ticks_per_cycle == 7500 &&
					    result.cycles.calibration_spread == 10000 &&
					    result.cycles.uncertainty == 0 && result.cycles.trusted);
	CHECK("derive/stable-in-cycles", result.stability.stable && result.stability.p50_spread == 0);
	CHECK("derive/two-levels-in-ticks", result.modes == 2 && result.mode[0].value == 300 &&
					    result.mode[1].value == 600 &&
					    result.mode[0].share >= 49 && result.mode[1].share >= 49);
	CHECK("derive/resolution", result.resolution == 2 * 100 / 8);

	calibration[3] = 0;
	for (unsigned i = 0; i < COUNT / 10; i++)
		calibration[i] = -5;
	derive(&add_chain, &result);
	CHECK("derive/broken-calibration-gives-no-cycles", result.cycles.source == 0);
	CHECK("derive/unstable-without-cycles", !result.stability.stable && result.stability.p50_spread == 10000);
}

int main(void)
{
	unit_begin();
	CHECK("derive/ensembles", harness_ensembles(1000) == 10 && harness_ensembles(101) == 4 &&
				  harness_ensembles(10) == 1);
	test_differential();
	test_add_chain();
	return unit_end();
}
