/* The timing harness (docs/method.md): fenced clock reads, interrupts masked at the
   source, warm-up discarded, each body measured unrolled U and 2U times so that the
   harness's own cost cancels, core cycles from the clock or from ADD chains
   interleaved with the samples, statistics, stability and modes over the samples.
   One method for every benchmark: asm bodies, C operations (vm/, smp/) and pairs of
   windows a benchmark takes itself. */
#ifndef FPULAB_HARNESS_H
#define FPULAB_HARNESS_H

#include <stdint.h>
#include "support/lib/distribution.h"
#include "support/lib/statistics.h"

struct json_writer;

/* Layout shared with support/timing.inc. */
struct bench_arguments {
	uint64_t area;
	uint64_t mask;
	uint64_t area2;
	uint32_t clock_index;         /* RDPMC counter or MSR number */
	uint32_t clock;               /* enum harness_clock */
	uint64_t value;
};

typedef uint64_t (*bench_window)(const struct bench_arguments *arguments);

struct bench_body {
	bench_window single, twice;   /* NAME_single and NAME_double from the asm */
	unsigned unroll;
};

/* A body made by the BENCH macro of support/timing.inc: declare its two windows, then
   describe it with BODY(name, unroll). */
#define DECLARE_BODY(name)                                              \
	uint64_t name##_single(const struct bench_arguments *arguments); \
	uint64_t name##_double(const struct bench_arguments *arguments)
#define BODY(name, unroll) { name##_single, name##_double, unroll }

/* The record's samples in core cycles (docs/method.md, "Core cycles"). */
struct bench_cycles {
	const char *source;           /* "pmu", "aperf", "instructions", "add-chain"; 0: none */
	struct statistics stats;      /* per iteration, hundredths of a cycle */
	/* add-chain only: */
	int64_t ticks_per_cycle;      /* ten-thousandths of a tick, median of the ensembles' */
	int64_t calibration_spread;   /* hundredths of a percent between the ensembles */
	int64_t uncertainty;          /* hundredths of a percent: the largest standard error
					 of one sample's conversion */
	int trusted;                  /* the clock runs with a core (harness_cycles_untrusted) */
};

struct bench_stability {
	unsigned ensembles;
	int64_t p50_spread;           /* hundredths of a percent of the p50 */
	int stable;                   /* p50_spread <= HARNESS_STABLE_SPREAD */
};

/* The ensembles' medians agree within 5 % (docs/method.md, "Stability"). */
#define HARNESS_STABLE_SPREAD 500

struct bench_result {
	struct statistics stats;      /* per iteration, in hundredths of a clock tick */
	int64_t single_p5, single_p95;/* spread of the single-window readings (hundredths) */
	const char *clock;            /* "tsc", "core-cycles", "aperf" */
	const char *unit;             /* "tsc" or "cycles" */
	unsigned pairs_per_sample;    /* window pairs averaged into one sample */
	uint64_t floored;             /* samples below zero, counted as zero */
	int64_t resolution;           /* the clock's step per sample, hundredths of the unit */
	struct bench_cycles cycles;
	struct bench_stability stability;
	unsigned modes;               /* 2 or more: separate cost levels, in mode[] */
	struct distribution_mode mode[DISTRIBUTION_MAX_MODES];
};

/* A benchmark in C: runs its operation `iterations` times; 0, or -1 when it failed
   (it has then ended the test with the reason). */
typedef int (*bench_operation)(void *context, unsigned iterations);
/* A benchmark that takes its own two windows on `clock` (harness_read_clock): one
   without and one with `unroll` more iterations of what it measures. 0, or -1. */
typedef int (*bench_pair)(void *context, uint32_t clock, uint64_t *short_window, uint64_t *long_window);

/* The clocks a window can read (docs/method.md, Clocks); the values are what
   CLOCK_READ in support/timing.inc dispatches on. */
enum harness_clock {
	HARNESS_CLOCK_TSC = 0,          /* RDTSC */
	HARNESS_CLOCK_CORE_CYCLES = 1,  /* RDPMC: Intel fixed counter 1, AMD PerfCtr0 */
	HARNESS_CLOCK_APERF = 2,        /* RDMSR IA32_APERF */
	HARNESS_CLOCK_COUNT
};

/* Probes every clock and picks the run's: clock= when it works, else core cycles,
   then APERF, then the TSC. */
void harness_init(void);
void harness_clocks_init(void);  /* support/clocks.c, called by harness_init */
enum harness_clock harness_run_clock(void);
const char *harness_clock_name(enum harness_clock clock);
const char *harness_clock_unit(enum harness_clock clock);
uint32_t harness_clock_index(enum harness_clock clock);
/* Why the clock cannot be used here, or 0 when it can. */
const char *harness_clock_unavailable(enum harness_clock clock);
/* When clock=NAME asked for a clock that does not work: why (the run uses another). */
const char *harness_requested_clock_note(void);
/* The cpu record's "clocks" object: the run's clock and each clock's usability. */
void harness_write_clocks(struct json_writer *writer);
/* Actual over reference frequency while busy, IA32_APERF/IA32_MPERF deltas, in
   hundredths; -1 when APERF is unusable. */
int harness_aperf_per_mperf(int64_t *hundredths);
/* A counter of core cycles that ring 3 may read with RDPMC: its RDPMC index, 1; or 0
   with the reason. The hosted build opens a perf event (host/hosted_perf.c). */
int harness_user_cycle_counter(uint32_t *index, const char **reason);
/* Samples count times after warm-up; 0 on success. samples is scratch space. */
int harness_measure(const struct bench_body *body, struct bench_arguments *arguments,
		    unsigned count, struct bench_result *result);
/* The same with a given clock; -1 when that clock is unusable. */
int harness_measure_with_clock(const struct bench_body *body, struct bench_arguments *arguments,
			       unsigned count, enum harness_clock clock, struct bench_result *result);
/* The operation timed unroll and 2 x unroll times per pair, on the run's clock. */
int harness_measure_operation(bench_operation operation, void *context, unsigned unroll,
			      unsigned count, struct bench_result *result);
/* The benchmark's own pairs, on the run's clock. */
int harness_measure_pairs(bench_pair pair, void *context, unsigned unroll, unsigned count,
			  struct bench_result *result);
/* One fenced read of clock (CLOCK_READ in support/timing.inc); index as for the windows. */
uint64_t harness_read_clock(uint32_t clock, uint32_t index);
unsigned harness_sample_count(void);  /* fewer with the `quick` argument */

/* What the clock is here (support/harness_cycles.c), probed by harness_init: the TSC's
   step in ticks (1 where it counts every tick), whether it counts instructions (Bochs:
   every window of a body reads the same), and why ADD-chain cycles are not core cycles
   here (an emulator), or 0 when they are. */
void harness_cycles_init(void);
int64_t harness_tsc_granule(void);
int harness_clock_deterministic(void);
const char *harness_cycles_untrusted(void);
/* The source of a record's cycles on clock: "pmu", "aperf", "instructions", "add-chain". */
const char *harness_cycles_source(enum harness_clock clock);
/* The cpu record's part about it, inside "clocks". */
void harness_write_cycles(struct json_writer *writer);
/* The interleaved calibration chain (support/harness_core.asm): dependent ADDs, one
   cycle each on every core; its long window has this many links more. */
#define HARNESS_CALIBRATION_LINKS 2048
extern const struct bench_body harness_calibration_chain;
/* Starts a `bench` record with the common fields; the caller adds variant fields
   and emits it with record_emit. */
void harness_record_begin(struct json_writer *writer, char *buffer, unsigned long size,
			  const char *name, const struct bench_result *result);
void harness_record_emit(struct json_writer *writer);
/* Allocates the `raw` line's copy (harness_init). */
void harness_record_init(void);
/* The samples the next record's `raw` line prints (measurement order, hundredths). */
void harness_record_raw(const int64_t *samples, unsigned count);
/* For the record being built: the bytes one iteration moves (XSAVE-family bodies). */
void harness_record_bytes(uint32_t bytes);
/* The p50 (hundredths of a tick) and bytes of the latest `bench` record of that name
   emitted in this run (the first 256 records are kept); 0, or -1 when none. */
int harness_recorded_median(const char *name, int64_t *p50_hundredths, uint32_t *bytes);

#endif
