#include "support/lib/derive.h"
#include "lib/string.h"

#define MAX_ENSEMBLES 10

unsigned harness_ensembles(unsigned count)
{
	return count >= 500 ? MAX_ENSEMBLES : count >= 40 ? 4 : 1;
}

static unsigned ensemble_first(unsigned count, unsigned ensembles, unsigned e)
{
	return (unsigned)((uint64_t)count * e / ensembles);
}

static int64_t sorted_copy_percentile(int64_t *scratch, const int64_t *values, unsigned n, unsigned percent)
{
	memcpy(scratch, values, n * sizeof *values);
	statistics_sort(scratch, n);
	return statistics_percentile(scratch, n, percent);
}

/* The long window less the local baseline of the short ones (a short window hit by
   an interrupt is not a baseline), per iteration; below zero counts as zero. */
static void differences(const struct harness_samples *b, unsigned count, unsigned unroll, struct bench_result *result)
{
	for (unsigned i = 0; i < count; i++) {
		int64_t value = (b->doubles[i] - distribution_local_baseline(b->singles, count, i)) / (int64_t)unroll;
		if (value < 0) {
			value = 0;
			result->floored++;
		}
		b->samples[i] = value;
	}
}

/* Readings closer than this to their median are regular (3 clock steps, at least 5 %);
   further out an interrupt landed in the window. */
static int64_t regular_width(int64_t median, int64_t granule)
{
	return median / 20 > 3 * granule * 100 ? median / 20 : 3 * granule * 100;
}

/* One ensemble's calibration (ticks x 100 for HARNESS_CALIBRATION_LINKS cycles): the
   mean of its regular chain readings, and the relative standard error of one sample's
   conversion, which takes the mean of up to 2 x DISTRIBUTION_LOCAL + 1 readings (their
   deviation over 3), in hundredths of a percent. */
static int64_t ensemble_calibration(const struct harness_samples *b, unsigned first, unsigned n,
				    int64_t granule, int64_t *width, int64_t *error)
{
	int64_t delta, deviation;

	memcpy(b->scratch, b->calibration + first, n * sizeof *b->scratch);
	statistics_sort(b->scratch, n);
	*width = regular_width(b->scratch[(n - 1) / 2], granule);
	delta = distribution_mean_near_median(b->scratch, n, *width, &deviation);
	if (delta > 0)
		*error = deviation * 10000 / (3 * delta);
	return delta;
}

/* ADD-chain cycles: each sample over the local mean of the chain readings around it
   (the core clock can move within an ensemble); the ensembles' calibrations give
   the record's figures. -1 when a calibration reads no time (then no cycles). */
static int add_chain_cycles(const struct harness_samples *b, unsigned count, int64_t granule,
			    struct bench_result *result)
{
	unsigned ensembles = harness_ensembles(count);
	int64_t ratios[MAX_ENSEMBLES], sorted[MAX_ENSEMBLES], error = 0;

	for (unsigned e = 0; e < ensembles; e++) {
		unsigned first = ensemble_first(count, ensembles, e), end = ensemble_first(count, ensembles, e + 1);
		int64_t width, delta = ensemble_calibration(b, first, end - first, granule, &width, &error);
		if (delta <= 0)
			return -1;
		if (error > result->cycles.uncertainty)
			result->cycles.uncertainty = error;
		ratios[e] = delta * 100 / HARNESS_CALIBRATION_LINKS;
		for (unsigned i = first; i < end; i++) {
			int64_t local = distribution_local_mean(b->calibration, count, i, width);
			if (local <= 0)
				local = delta;
			b->cycles[i] = (b->samples[i] * HARNESS_CALIBRATION_LINKS * 100 + local / 2) / local;
		}
	}
	memcpy(sorted, ratios, ensembles * sizeof *ratios);
	statistics_sort(sorted, ensembles);
	result->cycles.ticks_per_cycle = sorted[(ensembles - 1) / 2];
	result->cycles.calibration_spread = distribution_spread(ratios, ensembles, result->cycles.ticks_per_cycle, 1);
	return 0;
}

static void cycles(const struct harness_samples *b, unsigned count, const struct derive_clock *clock,
		   struct bench_result *result)
{
	result->cycles.source = clock->cycles_source;
	result->cycles.trusted = 1;
	if (clock->calibrated) {
		result->cycles.trusted = clock->trusted;
		if (add_chain_cycles(b, count, clock->granule, result) != 0) {
			memset(&result->cycles, 0, sizeof result->cycles);
			return;
		}
	} else {
		memcpy(b->cycles, b->samples, count * sizeof *b->samples);
	}
	memcpy(b->scratch, b->cycles, count * sizeof *b->cycles);
	statistics_compute(b->scratch, count, &result->cycles.stats);
}

/* The spread of the ensembles' medians (in cycles where there are cycles). */
static void stability(const struct harness_samples *b, unsigned count, struct bench_result *result)
{
	const int64_t *values = result->cycles.source ? b->cycles : b->samples;
	int64_t medians[MAX_ENSEMBLES], overall, resolution = result->resolution;
	unsigned ensembles = harness_ensembles(count);

	for (unsigned e = 0; e < ensembles; e++) {
		unsigned first = ensemble_first(count, ensembles, e), end = ensemble_first(count, ensembles, e + 1);
		medians[e] = sorted_copy_percentile(b->scratch, values + first, end - first, 50);
	}
	overall = sorted_copy_percentile(b->scratch, values, count, 50);
	if (result->cycles.source && result->cycles.ticks_per_cycle > 0)
		resolution = resolution * 10000 / result->cycles.ticks_per_cycle;
	result->stability.ensembles = ensembles;
	result->stability.p50_spread = distribution_spread(medians, ensembles, overall, resolution);
	result->stability.stable = result->stability.p50_spread <= HARNESS_STABLE_SPREAD;
}

void harness_derive(const struct harness_samples *b, unsigned count, unsigned unroll,
		    const struct derive_clock *clock, struct bench_result *result)
{
	unsigned modes;

	result->resolution = clock->granule * 100 / ((int64_t)unroll * result->pairs_per_sample);
	if (result->resolution < 1)
		result->resolution = 1;
	differences(b, count, unroll, result);
	result->single_p5 = sorted_copy_percentile(b->scratch, b->singles, count, 5);
	result->single_p95 = statistics_percentile(b->scratch, count, 95);
	cycles(b, count, clock, result);
	stability(b, count, result);
	memcpy(b->sorted, b->samples, count * sizeof *b->samples);
	statistics_compute(b->sorted, count, &result->stats);
	modes = distribution_modes(b->sorted, count, result->resolution, result->mode, DISTRIBUTION_MAX_MODES);
	result->modes = modes >= 2 ? (modes < DISTRIBUTION_MAX_MODES ? modes : DISTRIBUTION_MAX_MODES) : 0;
}
