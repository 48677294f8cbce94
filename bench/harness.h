/* The timing harness (docs/method.md): fenced clock reads, interrupts masked at the
   source, warm-up discarded, each body measured unrolled U and 2U times so that the
   harness's own cost cancels, statistics over the per-iteration differences. */
#ifndef FPULAB_HARNESS_H
#define FPULAB_HARNESS_H

#include <stdint.h>
#include "bench/lib/statistics.h"

struct json_writer;

/* Layout shared with bench/timing.inc. */
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

/* A body made by the BENCH macro of bench/timing.inc: declare its two windows, then
   describe it with BODY(name, unroll). */
#define DECLARE_BODY(name)                                              \
	uint64_t name##_single(const struct bench_arguments *arguments); \
	uint64_t name##_double(const struct bench_arguments *arguments)
#define BODY(name, unroll) { name##_single, name##_double, unroll }

struct bench_result {
	struct statistics stats;      /* per iteration, in hundredths of a clock tick */
	int64_t single_p5, single_p95;/* spread of the raw single-window readings */
	const char *clock;            /* "tsc", "core-cycles", "aperf" */
	const char *unit;             /* "tsc" or "cycles" */
};

/* The clocks a window can read (docs/method.md, Clocks); the values are what
   CLOCK_READ in bench/timing.inc dispatches on. */
enum harness_clock {
	HARNESS_CLOCK_TSC = 0,          /* RDTSC */
	HARNESS_CLOCK_CORE_CYCLES = 1,  /* RDPMC: Intel fixed counter 1, AMD PerfCtr0 */
	HARNESS_CLOCK_APERF = 2,        /* RDMSR IA32_APERF */
	HARNESS_CLOCK_COUNT
};

/* Probes every clock and picks the run's: clock= when it works, else core cycles,
   then APERF, then the TSC. */
void harness_init(void);
void harness_clocks_init(void);  /* bench/clocks.c, called by harness_init */
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
/* Masks the local APIC's LVT entries (except the watchdog's timer) and the legacy PIC;
   restore undoes it. */
void harness_quiesce(void);
void harness_restore(void);
/* Samples count times after warm-up; 0 on success. samples is scratch space. */
int harness_measure(const struct bench_body *body, struct bench_arguments *arguments,
		    unsigned count, struct bench_result *result);
/* The same with a given clock; -1 when that clock is unusable. */
int harness_measure_with_clock(const struct bench_body *body, struct bench_arguments *arguments,
			       unsigned count, enum harness_clock clock, struct bench_result *result);
unsigned harness_sample_count(void);  /* fewer with the `quick` argument */
/* Starts a `bench` record with the common fields; the caller adds variant fields
   and emits it with record_emit. */
void harness_record_begin(struct json_writer *writer, char *buffer, unsigned long size,
			  const char *name, const struct bench_result *result);
void harness_record_emit(struct json_writer *writer);
/* The samples the next record's `raw` line prints (measurement order, hundredths):
   the harness sets them; benchmarks that take their own samples (vm/, smp/) call it
   before sorting them. */
void harness_record_raw(const int64_t *samples, unsigned count);
/* For the record being built: the bytes one iteration moves (XSAVE-family bodies). */
void harness_record_bytes(uint32_t bytes);
/* The p50 (hundredths of a tick) and bytes of the latest `bench` record of that name
   emitted in this run (the first 256 records are kept); 0, or -1 when none. */
int harness_recorded_median(const char *name, int64_t *p50_hundredths, uint32_t *bytes);

#endif
