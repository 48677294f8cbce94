/* From the window readings of one benchmark to its bench_result (docs/method.md):
   the differential against the local baseline, the floor at zero, core cycles per
   ensemble, the ensembles' stability, the modes. Portable: the host unit tests feed it
   readings (tests/host/test_derive.c). */
#ifndef FPULAB_DERIVE_H
#define FPULAB_DERIVE_H

#include <stdint.h>
#include "support/harness.h"

#define HARNESS_MAX_SAMPLES 4096

/* Per sample, in measurement order, hundredths of a tick; each array holds
   HARNESS_MAX_SAMPLES. */
struct harness_samples {
	int64_t *singles, *doubles;   /* mean of the sample's short and long windows */
	int64_t *calibration;         /* calibration chain: long - short window */
	int64_t *samples, *cycles;    /* results, per iteration */
	int64_t *sorted, *scratch;    /* work space */
};

/* What the derivation needs to know about the clock. */
struct derive_clock {
	int64_t granule;              /* ticks per step of the clock (1: every tick) */
	const char *cycles_source;    /* harness_cycles_source(clock) */
	int calibrated;               /* calibration[] holds ADD-chain readings */
	int trusted;                  /* ADD-chain cycles are core cycles here */
};

/* Ensembles for count samples (Paoloni): 10 for a full run, 4 for a quick one. */
unsigned harness_ensembles(unsigned count);
/* Fills result's statistics, floored, resolution, cycles, stability and modes; result's
   pairs_per_sample must be set. samples[] ends in measurement order. */
void harness_derive(const struct harness_samples *buffers, unsigned count, unsigned unroll,
		    const struct derive_clock *clock, struct bench_result *result);

#endif
