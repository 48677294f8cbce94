/* The shape of a set of samples, beyond its percentiles (docs/method.md, "Stability"
   and "Modes"): separate cost levels, the spread of ensemble medians, the baseline a
   sample is measured against. Integer arithmetic only (rule 3). */
#ifndef FPULAB_DISTRIBUTION_H
#define FPULAB_DISTRIBUTION_H

#include <stddef.h>
#include <stdint.h>

#define DISTRIBUTION_MAX_MODES 4
/* A mode must hold at least this share of all samples. */
#define DISTRIBUTION_MODE_MIN_PERCENT 10
/* Bins are at least this wide, in percent of their lower edge. */
#define DISTRIBUTION_MODE_BIN_PERCENT 5

struct distribution_mode {
	int64_t value;          /* median of the samples in the mode */
	uint32_t share;         /* hundredths of the samples (62: 0.62) */
};

/* The cost levels of sorted samples: clusters of dense bins (each bin at least 2
   resolution units and DISTRIBUTION_MODE_BIN_PERCENT wide, wider for few samples)
   separated by sparse ones, each holding at least DISTRIBUTION_MODE_MIN_PERCENT of
   the samples. Writes up to max of them, lowest first, and returns how many there
   are; 1 or 0 means there is no second level. */
unsigned distribution_modes(const int64_t *sorted, size_t n, int64_t resolution,
			    struct distribution_mode *modes, unsigned max);
/* (max - min) of values over reference, in hundredths of a percent; a reference
   below floor counts as floor (a median near zero), and a floor of 0 as 1. */
int64_t distribution_spread(const int64_t *values, size_t n, int64_t reference, int64_t floor);
/* The baseline for sample i of values in measurement order: of the five values
   around it (i - 2 .. i + 2, shifted inside the array), the mean of the middle three.
   One disturbed value among five is left out; a level that lasts three values is
   followed. With fewer than five values, the mean of those without min and max. */
int64_t distribution_local_baseline(const int64_t *values, size_t n, size_t i);
/* Mean and standard deviation of the sorted values within half_width of their median:
   unbiased on a clock that advances in steps (a trimmed mean is not: it cuts the
   steps unevenly), blind to the odd interrupted reading. n == 0 gives 0. */
int64_t distribution_mean_near_median(const int64_t *sorted, size_t n, int64_t half_width,
				      int64_t *deviation);
/* The local level of values (in measurement order) at i: of the 2 x DISTRIBUTION_LOCAL
   + 1 values around it (shifted inside the array), the mean of those within
   half_width of their median. Unbiased on a clock that steps, blind to an interrupted
   value, and follows a change of level that lasts DISTRIBUTION_LOCAL + 1 values. */
#define DISTRIBUTION_LOCAL 4
int64_t distribution_local_mean(const int64_t *values, size_t n, size_t i, int64_t half_width);
/* floor(sqrt(value)). */
uint64_t distribution_isqrt(uint64_t value);

#endif
