#include "support/lib/distribution.h"
#include "support/lib/statistics.h"

uint64_t distribution_isqrt(uint64_t value)
{
	uint64_t root = 0, bit = 1ull << 62;

	while (bit > value)
		bit >>= 2;
	while (bit) {
		if (value >= root + bit) {
			value -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
		bit >>= 2;
	}
	return root;
}

/* Bins widen as samples get fewer, so that a bin of a single level still holds a few. */
static int64_t bin_width(int64_t edge, int64_t resolution, size_t n)
{
	uint64_t percent = 100 / (distribution_isqrt(n) ? distribution_isqrt(n) : 1);
	int64_t magnitude = edge < 0 ? -edge : edge, width;

	if (percent < DISTRIBUTION_MODE_BIN_PERCENT)
		percent = DISTRIBUTION_MODE_BIN_PERCENT;
	width = magnitude * (int64_t)percent / 100;
	if (width < 2 * resolution)
		width = 2 * resolution;
	return width > 0 ? width : 1;
}

struct cluster {
	size_t first, end;      /* sorted[first..end) */
	int open;
};

static void close_cluster(const int64_t *sorted, size_t n, struct cluster *cluster,
			  struct distribution_mode *modes, unsigned max, unsigned *found)
{
	size_t members = cluster->end - cluster->first;

	if (!cluster->open)
		return;
	cluster->open = 0;
	if (members * 100 < (size_t)DISTRIBUTION_MODE_MIN_PERCENT * n)
		return;
	if (*found < max) {
		modes[*found].value = sorted[cluster->first + (members - 1) / 2];
		modes[*found].share = (uint32_t)(members * 100 / n);
	}
	(*found)++;
}

unsigned distribution_modes(const int64_t *sorted, size_t n, int64_t resolution,
			    struct distribution_mode *modes, unsigned max)
{
	size_t dense = n / 100 > 2 ? n / 100 : 2, i = 0;
	struct cluster cluster = { 0, 0, 0 };
	unsigned found = 0;
	int64_t edge = n ? sorted[0] : 0;

	while (i < n) {
		int64_t end = edge + bin_width(edge, resolution, n);
		size_t j = i;
		while (j < n && sorted[j] < end)
			j++;
		if (j - i >= dense) {
			if (!cluster.open)
				cluster = (struct cluster){ i, j, 1 };
			cluster.end = j;
		} else {
			close_cluster(sorted, n, &cluster, modes, max, &found);
		}
		i = j;
		/* an empty stretch is one sparse bin: go on from the next sample */
		edge = (i < n && sorted[i] >= end + bin_width(end, resolution, n)) ? sorted[i] : end;
		if (edge != end)
			close_cluster(sorted, n, &cluster, modes, max, &found);
	}
	close_cluster(sorted, n, &cluster, modes, max, &found);
	return found;
}

int64_t distribution_spread(const int64_t *values, size_t n, int64_t reference, int64_t floor)
{
	int64_t low, high;

	if (n == 0)
		return 0;
	low = high = values[0];
	for (size_t i = 1; i < n; i++) {
		if (values[i] < low)
			low = values[i];
		if (values[i] > high)
			high = values[i];
	}
	if (floor < 1)
		floor = 1;
	if (reference < floor)
		reference = floor;
	return (high - low) * 10000 / reference;
}

int64_t distribution_local_baseline(const int64_t *values, size_t n, size_t i)
{
	size_t window = n < 5 ? n : 5, first;
	int64_t near[5], sum = 0;

	if (n == 0)
		return 0;
	first = i < 2 ? 0 : i - 2;
	if (first + window > n)
		first = n - window;
	for (size_t k = 0; k < window; k++)
		near[k] = values[first + k];
	statistics_sort(near, window);
	if (window < 3) {
		for (size_t k = 0; k < window; k++)
			sum += near[k];
		return sum / (int64_t)window;
	}
	for (size_t k = 1; k + 1 < window; k++)
		sum += near[k];
	return sum / (int64_t)(window - 2);
}

int64_t distribution_mean_near_median(const int64_t *sorted, size_t n, int64_t half_width,
				      int64_t *deviation)
{
	int64_t median, sum = 0, mean, squares = 0;
	size_t first = 0, end = n;

	*deviation = 0;
	if (n == 0)
		return 0;
	median = sorted[(n - 1) / 2];
	while (first < n && sorted[first] < median - half_width)
		first++;
	while (end > first && sorted[end - 1] > median + half_width)
		end--;
	for (size_t i = first; i < end; i++)
		sum += sorted[i];
	mean = sum / (int64_t)(end - first);
	for (size_t i = first; i < end; i++)
		squares += (sorted[i] - mean) * (sorted[i] - mean);
	*deviation = (int64_t)distribution_isqrt((uint64_t)(squares / (int64_t)(end - first)));
	return mean;
}

int64_t distribution_local_mean(const int64_t *values, size_t n, size_t i, int64_t half_width)
{
	int64_t near[2 * DISTRIBUTION_LOCAL + 1], deviation;
	size_t window = n < 2 * DISTRIBUTION_LOCAL + 1 ? n : 2 * DISTRIBUTION_LOCAL + 1, first;

	if (n == 0)
		return 0;
	first = i < DISTRIBUTION_LOCAL ? 0 : i - DISTRIBUTION_LOCAL;
	if (first + window > n)
		first = n - window;
	for (size_t k = 0; k < window; k++)
		near[k] = values[first + k];
	statistics_sort(near, window);
	return distribution_mean_near_median(near, window, half_width, &deviation);
}
