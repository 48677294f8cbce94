/* Summary statistics of benchmark samples, in integer hundredths (no floating point
   in kernel C, rule 3). docs/method.md says what each one means. */
#ifndef FPULAB_STATISTICS_H
#define FPULAB_STATISTICS_H

#include <stddef.h>
#include <stdint.h>

struct statistics {
	uint64_t n;
	int64_t min, p5, p50, p95, p99, max;
	int64_t mean_20_80;     /* mean of the samples from the 20th to the 80th percentile */
	uint64_t outliers;      /* samples above p75 + 3 * (p75 - p25) (Tukey's far fence) */
};

/* Sorts samples in place and fills stats; n == 0 gives all zeros. */
void statistics_compute(int64_t *samples, size_t n, struct statistics *stats);
/* Nearest-rank percentile of sorted samples: the smallest value with at least
   percent% of the samples at or below it. */
int64_t statistics_percentile(const int64_t *sorted, size_t n, unsigned percent);
void statistics_sort(int64_t *samples, size_t n);
/* Mean of sorted samples ranked from the 20th to the 80th percentile (0 for none). */
int64_t statistics_mean_20_80(const int64_t *sorted, size_t n);
/* "12.34" from 1234 hundredths; returns buffer. */
char *format_hundredths(char *buffer, size_t size, int64_t hundredths);

#endif
