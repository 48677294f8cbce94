#include "unit.h"
#include "support/lib/statistics.h"

int main(void)
{
	int64_t samples[100], small[3] = { 30, 10, 20 }, one[1] = { 7 };
	int64_t with_outlier[10] = { 100, 101, 99, 100, 100, 102, 98, 100, 100, 100000 };
	struct statistics stats;
	char text[32];

	unit_begin();
	for (int i = 0; i < 100; i++)
		samples[i] = (int64_t)((i * 37) % 100) + 1;   /* 1..100, shuffled */
	statistics_compute(samples, 100, &stats);
	CHECK("statistics/sorted", samples[0] == 1 && samples[99] == 100);
	CHECK("statistics/min-max", stats.min == 1 && stats.max == 100 && stats.n == 100);
	CHECK("statistics/nearest-rank", stats.p5 == 5 && stats.p50 == 50 && stats.p95 == 95 && stats.p99 == 99);
	CHECK("statistics/trimmed-mean", stats.mean_20_80 == (21 + 80) / 2);   /* ranks 21..80 */
	CHECK("statistics/no-outliers", stats.outliers == 0);

	statistics_compute(small, 3, &stats);
	CHECK("statistics/three-samples", stats.p50 == 20 && stats.p5 == 10 && stats.p99 == 30 &&
					     stats.mean_20_80 == 20);
	statistics_compute(one, 1, &stats);
	CHECK("statistics/one-sample", stats.min == 7 && stats.p50 == 7 && stats.mean_20_80 == 7);
	statistics_compute(with_outlier, 10, &stats);
	CHECK("statistics/outlier-counted-not-averaged", stats.outliers == 1 && stats.mean_20_80 == 100 &&
							     stats.max == 100000);
	statistics_compute(samples, 0, &stats);
	CHECK("statistics/empty", stats.n == 0 && stats.max == 0);
	CHECK_STRING("statistics/hundredths", format_hundredths(text, sizeof text, 1234), "12.34");
	CHECK_STRING("statistics/negative-hundredths", format_hundredths(text, sizeof text, -5), "-0.05");
	return unit_end();
}
