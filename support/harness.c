/* Sampling (docs/method.md): every benchmark, whatever its kind, is a source of window
   pairs (U and 2U iterations). A sample averages enough pairs to span many steps of
   the clock; its value is its long window less the local baseline of the short ones,
   over U, never below zero. The calibration chain runs after each sample on the TSC;
   the samples fall into K ensembles, each converted to core cycles with its own
   calibration (support/lib/derive.c). */
#include "support/harness.h"
#include "runner_platform.h"
#include "support/lib/derive.h"
#include "memory.h"
#include "test_runner.h"
#include "lib/kernel_args.h"
#include "lib/string.h"

#define WARMUP_PAIRS 8
#define FULL_SAMPLES 1000
#define QUICK_SAMPLES 101
#define MAX_PAIRS_PER_SAMPLE 16
#define GRANULES_PER_SAMPLE 200   /* a sample spans at least this many steps of the TSC */

static struct harness_samples buffers;

void harness_init(void)
{
	uint64_t pages = HARNESS_MAX_SAMPLES * sizeof(int64_t) / PAGE_SIZE;
	int64_t **arrays[] = { &buffers.singles, &buffers.doubles, &buffers.samples, &buffers.cycles,
			       &buffers.calibration, &buffers.sorted, &buffers.scratch };

	for (unsigned i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		*arrays[i] = (int64_t *)(uintptr_t)memory_alloc_pages(pages);
	harness_record_init();
	harness_clocks_init();
	harness_cycles_init();
}

unsigned harness_sample_count(void)
{
	return runner_args()->quick ? QUICK_SAMPLES : FULL_SAMPLES;
}

/* harness_quiesce and harness_restore belong to the platform (kernel/runner_platform.h):
   kernel/runner_platform.c masks the APIC and PIC, the hosted build has nothing to mask. */

struct pair_source {
	int (*pair)(const struct pair_source *source, uint64_t *single, uint64_t *twice);
	const struct bench_body *body;
	struct bench_arguments *arguments;
	bench_operation operation;
	bench_pair own_pair;
	void *context;
	unsigned unroll;
	enum harness_clock clock;
};

static int body_pair(const struct pair_source *source, uint64_t *single, uint64_t *twice)
{
	*single = source->body->single(source->arguments);
	*twice = source->body->twice(source->arguments);
	return 0;
}

static int operation_window(const struct pair_source *source, unsigned iterations, uint64_t *ticks)
{
	uint32_t index = harness_clock_index(source->clock);
	uint64_t start = harness_read_clock(source->clock, index);

	if (source->operation(source->context, iterations) != 0)
		return -1;
	*ticks = harness_read_clock(source->clock, index) - start;
	return 0;
}

static int operation_pair(const struct pair_source *source, uint64_t *single, uint64_t *twice)
{
	if (operation_window(source, source->unroll, single) != 0)
		return -1;
	return operation_window(source, 2 * source->unroll, twice);
}

static int own_pair(const struct pair_source *source, uint64_t *single, uint64_t *twice)
{
	return source->own_pair(source->context, source->clock, single, twice);
}

/* Warm-up pairs, discarded; from their differences, how many pairs make a sample
   span GRANULES_PER_SAMPLE steps of a TSC that advances in steps. */
static int warm_up(const struct pair_source *source, unsigned *pairs)
{
	int64_t differences[WARMUP_PAIRS], typical, granule = harness_tsc_granule();
	uint64_t single, twice;

	for (unsigned i = 0; i < WARMUP_PAIRS; i++) {
		if (source->pair(source, &single, &twice) != 0)
			return -1;
		differences[i] = (int64_t)(twice - single);
	}
	*pairs = 1;
	if (source->clock != HARNESS_CLOCK_TSC || granule <= 1)
		return 0;
	statistics_sort(differences, WARMUP_PAIRS);
	typical = differences[WARMUP_PAIRS / 2] > 0 ? differences[WARMUP_PAIRS / 2] : 1;
	*pairs = (unsigned)((GRANULES_PER_SAMPLE * granule + typical - 1) / typical);
	if (*pairs > MAX_PAIRS_PER_SAMPLE)
		*pairs = MAX_PAIRS_PER_SAMPLE;
	if (*pairs < 1)
		*pairs = 1;
	return 0;
}

static void calibrate(struct bench_arguments *chain_arguments, int64_t *reading)
{
	uint64_t single = harness_calibration_chain.single(chain_arguments);
	uint64_t twice = harness_calibration_chain.twice(chain_arguments);
	*reading = ((int64_t)twice - (int64_t)single) * 100;
}

static int take_samples(const struct pair_source *source, unsigned count, unsigned pairs, int calibrating)
{
	struct bench_arguments chain_arguments = { 0 };
	uint64_t single, twice;
	int64_t scratch;

	chain_arguments.clock = HARNESS_CLOCK_TSC;
	if (calibrating)
		calibrate(&chain_arguments, &scratch);   /* warms the chain's code */
	for (unsigned i = 0; i < count; i++) {
		int64_t singles = 0, doubles = 0;
		for (unsigned j = 0; j < pairs; j++) {
			if (source->pair(source, &single, &twice) != 0)
				return -1;
			singles += (int64_t)single;
			doubles += (int64_t)twice;
		}
		buffers.singles[i] = singles * 100 / (int64_t)pairs;
		buffers.doubles[i] = doubles * 100 / (int64_t)pairs;
		if (calibrating)
			calibrate(&chain_arguments, &buffers.calibration[i]);
	}
	return 0;
}

static int measure_source(const struct pair_source *source, unsigned count, struct bench_result *result)
{
	int calibrating = source->clock == HARNESS_CLOCK_TSC && !harness_clock_deterministic();
	struct derive_clock clock;
	unsigned pairs;
	int status;

	if (count == 0 || count > HARNESS_MAX_SAMPLES || !source->unroll || harness_clock_unavailable(source->clock))
		return -1;
	memset(result, 0, sizeof *result);
	harness_quiesce();
	status = warm_up(source, &pairs);
	if (status == 0)
		status = take_samples(source, count, pairs, calibrating);
	harness_restore();
	if (status != 0)
		return -1;
	result->clock = harness_clock_name(source->clock);
	result->unit = harness_clock_unit(source->clock);
	result->pairs_per_sample = pairs;
	clock.granule = source->clock == HARNESS_CLOCK_TSC ? harness_tsc_granule() : 1;
	clock.cycles_source = harness_cycles_source(source->clock);
	clock.calibrated = calibrating;
	clock.trusted = !calibrating || !harness_cycles_untrusted();
	harness_derive(&buffers, count, source->unroll, &clock, result);
	harness_record_raw(buffers.samples, count);
	return 0;
}

int harness_measure_with_clock(const struct bench_body *body, struct bench_arguments *arguments,
			       unsigned count, enum harness_clock clock, struct bench_result *result)
{
	struct pair_source source = { .pair = body_pair, .body = body, .arguments = arguments,
				      .unroll = body->unroll, .clock = clock };

	if (harness_clock_unavailable(clock))
		return -1;
	arguments->clock = (uint32_t)clock;
	arguments->clock_index = harness_clock_index(clock);
	return measure_source(&source, count, result);
}

int harness_measure(const struct bench_body *body, struct bench_arguments *arguments,
		    unsigned count, struct bench_result *result)
{
	return harness_measure_with_clock(body, arguments, count, harness_run_clock(), result);
}

int harness_measure_operation(bench_operation operation, void *context, unsigned unroll,
			      unsigned count, struct bench_result *result)
{
	struct pair_source source = { .pair = operation_pair, .operation = operation, .context = context,
				      .unroll = unroll, .clock = harness_run_clock() };
	return measure_source(&source, count, result);
}

int harness_measure_pairs(bench_pair pair, void *context, unsigned unroll, unsigned count,
			  struct bench_result *result)
{
	struct pair_source source = { .pair = own_pair, .own_pair = pair, .context = context,
				      .unroll = unroll, .clock = harness_run_clock() };
	return measure_source(&source, count, result);
}
