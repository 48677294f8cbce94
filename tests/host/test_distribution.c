#include "unit.h"
#include "support/lib/distribution.h"
#include "support/lib/statistics.h"

/* n samples around center: a spread of +-spread, evenly, in a fixed shuffled order. */
static void level(int64_t *samples, size_t n, int64_t center, int64_t spread)
{
	for (size_t i = 0; i < n; i++)
		samples[i] = center - spread + (int64_t)((i * 7919) % (n ? n : 1)) * 2 * spread / (int64_t)n;
}

static void test_modes(void)
{
	static int64_t samples[1000];
	struct distribution_mode modes[DISTRIBUTION_MAX_MODES];
	unsigned count;

	/* QEMU TCG's vm/ round trips: about 34k and 65k ticks (hundredths here) */
	level(samples, 600, 3400000, 100000);
	level(samples + 600, 380, 6500000, 200000);
	level(samples + 980, 20, 20000000, 5000000);   /* preempted samples: no mode */
	statistics_sort(samples, 1000);
	count = distribution_modes(samples, 1000, 100, modes, DISTRIBUTION_MAX_MODES);
	CHECK("distribution/two-levels-found", count == 2);
	CHECK("distribution/two-levels-values", modes[0].value > 3300000 && modes[0].value < 3500000 &&
						modes[1].value > 6300000 && modes[1].value < 6700000);
	CHECK("distribution/two-levels-shares", modes[0].share == 60 && modes[1].share == 38);

	/* one level with a tail: one mode */
	level(samples, 900, 10000, 500);
	level(samples + 900, 100, 30000, 15000);
	statistics_sort(samples, 1000);
	CHECK("distribution/one-level-with-tail", distribution_modes(samples, 1000, 1, modes, 4) <= 1);

	/* a clock that steps by 12 hundredths: levels 61, 73, 85, 98 are one mode, not four */
	for (size_t i = 0; i < 1000; i++)
		samples[i] = i % 10 == 0 ? 61 : i % 10 < 5 ? 73 : i % 10 < 9 ? 85 : 98;
	statistics_sort(samples, 1000);
	CHECK("distribution/quantized-is-one-mode", distribution_modes(samples, 1000, 12, modes, 4) <= 1);
	CHECK("distribution/quantized-below-resolution-splits",
	      distribution_modes(samples, 1000, 1, modes, 4) >= 2);

	/* a second level of 5 % of the samples is not a mode; a small sample set still works */
	level(samples, 95, 1000, 20);
	level(samples + 95, 5, 3000, 20);
	statistics_sort(samples, 100);
	CHECK("distribution/small-share-not-a-mode", distribution_modes(samples, 100, 1, modes, 4) <= 1);
	level(samples, 50, 1000, 30);
	level(samples + 50, 51, 2000, 60);
	statistics_sort(samples, 101);
	CHECK("distribution/quick-run-two-levels", distribution_modes(samples, 101, 1, modes, 4) == 2);
	for (size_t i = 0; i < 1000; i++)
		samples[i] = 50;
	CHECK("distribution/constant", distribution_modes(samples, 1000, 1, modes, 4) == 1 && modes[0].value == 50);
	CHECK("distribution/empty", distribution_modes(samples, 0, 1, modes, 4) == 0);
}

static void test_local_baseline(void)
{
	int64_t singles[10] = { 100, 101, 99, 9000, 100, 100, 200, 200, 200, 200 };
	int64_t two[2] = { 10, 20 };

	CHECK("distribution/baseline-skips-one-disturbed", distribution_local_baseline(singles, 10, 3) == 100);
	CHECK("distribution/baseline-at-start", distribution_local_baseline(singles, 10, 0) == 100);
	CHECK("distribution/baseline-follows-a-level", distribution_local_baseline(singles, 10, 9) == 200);
	CHECK("distribution/baseline-few-values", distribution_local_baseline(two, 2, 1) == 15);
}

/* A reading that steps by 24.5 ticks: its mean is right, a trimmed mean is not. */
static void test_mean_near_median(void)
{
	int64_t readings[101], deviation;

	for (int i = 0; i < 100; i++)
		readings[i] = i < 25 ? 36700 : i < 95 ? 39200 : 41600;
	readings[100] = 900000;    /* interrupted */
	statistics_sort(readings, 101);
	CHECK("distribution/mean-near-median", distribution_mean_near_median(readings, 101, 7500, &deviation) == 38695);
	CHECK("distribution/mean-near-median-deviation", deviation > 1000 && deviation < 1300);
	CHECK("distribution/trimmed-mean-is-biased", statistics_mean_20_80(readings, 101) != 38695);
}

/* Chain readings in measurement order: two steps, one interrupted reading, then the
   core clock 10 % slower. */
static void test_local_mean(void)
{
	int64_t readings[30];

	for (int i = 0; i < 30; i++)
		readings[i] = i < 15 ? (i % 3 ? 39200 : 36750) : 43120;
	readings[6] = 900000;
	CHECK("distribution/local-mean-steps", distribution_local_mean(readings, 30, 5, 7500) == (36750 * 2 + 39200 * 6) / 8);
	CHECK("distribution/local-mean-follows-a-level", distribution_local_mean(readings, 30, 25, 7500) == 43120);
	CHECK("distribution/local-mean-at-the-start", distribution_local_mean(readings, 30, 0, 7500) == (36750 * 2 + 39200 * 6) / 8);
}

int main(void)
{
	int64_t medians[4] = { 1000, 1010, 990, 1005 };

	unit_begin();
	test_modes();
	test_local_baseline();
	test_mean_near_median();
	test_local_mean();
	CHECK("distribution/spread-percent", distribution_spread(medians, 4, 1000, 1) == 200);
	CHECK("distribution/spread-floor", distribution_spread(medians, 4, 0, 2000) == 100);
	CHECK("distribution/isqrt", distribution_isqrt(0) == 0 && distribution_isqrt(99) == 9 &&
				    distribution_isqrt(100) == 10 && distribution_isqrt(1ull << 62) == 1ull << 31);
	return unit_end();
}
