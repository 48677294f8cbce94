#include "support/lib/statistics.h"
#include "lib/format.h"
#include "lib/string.h"

/* Heap sort: O(n log n), no recursion, no extra memory. */
static void sift_down(int64_t *values, size_t start, size_t end)
{
	size_t root = start;

	while (2 * root + 1 < end) {
		size_t child = 2 * root + 1;
		int64_t swap;
		if (child + 1 < end && values[child] < values[child + 1])
			child++;
		if (values[root] >= values[child])
			return;
		swap = values[root];
		values[root] = values[child];
		values[child] = swap;
		root = child;
	}
}

void statistics_sort(int64_t *samples, size_t n)
{
	if (n < 2)
		return;
	for (size_t start = n / 2; start-- > 0;)
		sift_down(samples, start, n);
	for (size_t end = n - 1; end > 0; end--) {
		int64_t swap = samples[0];
		samples[0] = samples[end];
		samples[end] = swap;
		sift_down(samples, 0, end);
	}
}

int64_t statistics_percentile(const int64_t *sorted, size_t n, unsigned percent)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (n * percent + 99) / 100;   /* ceil(n * percent / 100) */
	return sorted[rank ? rank - 1 : 0];
}

int64_t statistics_mean_20_80(const int64_t *sorted, size_t n)
{
	size_t low = n * 20 / 100, high = (n * 80 + 99) / 100;
	int64_t sum = 0;

	if (n == 0)
		return 0;
	if (high <= low)
		high = low + 1;
	for (size_t i = low; i < high; i++)
		sum += sorted[i];
	return sum / (int64_t)(high - low);
}

void statistics_compute(int64_t *samples, size_t n, struct statistics *stats)
{
	int64_t fence;

	memset(stats, 0, sizeof *stats);
	if (n == 0)
		return;
	statistics_sort(samples, n);
	stats->n = n;
	stats->min = samples[0];
	stats->max = samples[n - 1];
	stats->p5 = statistics_percentile(samples, n, 5);
	stats->p50 = statistics_percentile(samples, n, 50);
	stats->p95 = statistics_percentile(samples, n, 95);
	stats->p99 = statistics_percentile(samples, n, 99);
	stats->mean_20_80 = statistics_mean_20_80(samples, n);
	fence = statistics_percentile(samples, n, 75) +
		3 * (statistics_percentile(samples, n, 75) - statistics_percentile(samples, n, 25));
	for (size_t i = n; i-- > 0 && samples[i] > fence;)
		stats->outliers++;
}

char *format_hundredths(char *buffer, size_t size, int64_t hundredths)
{
	uint64_t magnitude = hundredths < 0 ? (uint64_t)0 - (uint64_t)hundredths : (uint64_t)hundredths;
	format_string(buffer, size, "%s%llu.%02llu", hundredths < 0 ? "-" : "",
		      (unsigned long long)(magnitude / 100), (unsigned long long)(magnitude % 100));
	return buffer;
}
