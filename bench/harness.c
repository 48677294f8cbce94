#include "bench/harness.h"
#include "console.h"
#include "memory.h"
#include "test_runner.h"
#include "arch/x86.h"
#include "lib/json_writer.h"
#include "lib/kernel_args.h"
#include "lib/string.h"

#define WARMUP_SAMPLES 8
#define FULL_SAMPLES 1000
#define QUICK_SAMPLES 101
#define MAX_SAMPLES 4096

static int64_t *samples, *raw_samples, *singles;
static unsigned last_count;

void harness_init(void)
{
	uint64_t pages = MAX_SAMPLES * sizeof(int64_t) / PAGE_SIZE;

	samples = (int64_t *)(uintptr_t)memory_alloc_pages(pages);
	raw_samples = (int64_t *)(uintptr_t)memory_alloc_pages(pages);
	singles = (int64_t *)(uintptr_t)memory_alloc_pages(pages);
	harness_clocks_init();
}

unsigned harness_sample_count(void)
{
	return runner_args()->quick ? QUICK_SAMPLES : FULL_SAMPLES;
}

/* harness_quiesce and harness_restore belong to the platform: kernel/runner_platform.c
   masks the APIC and PIC, the hosted build (host/) has nothing to mask. */

int harness_measure_with_clock(const struct bench_body *body, struct bench_arguments *arguments,
			       unsigned count, enum harness_clock clock, struct bench_result *result)
{
	if (count > MAX_SAMPLES || !body->unroll || harness_clock_unavailable(clock))
		return -1;
	arguments->clock = (uint32_t)clock;
	arguments->clock_index = harness_clock_index(clock);
	harness_quiesce();
	for (unsigned i = 0; i < WARMUP_SAMPLES; i++) {
		body->single(arguments);
		body->twice(arguments);
	}
	for (unsigned i = 0; i < count; i++) {
		uint64_t single = body->single(arguments);
		uint64_t twice = body->twice(arguments);
		singles[i] = (int64_t)single;
		samples[i] = ((int64_t)twice - (int64_t)single) * 100 / (int64_t)body->unroll;
	}
	harness_restore();
	harness_record_raw(samples, count);
	statistics_compute(samples, count, &result->stats);
	statistics_sort(singles, count);
	result->single_p5 = statistics_percentile(singles, count, 5);
	result->single_p95 = statistics_percentile(singles, count, 95);
	result->clock = harness_clock_name(clock);
	result->unit = harness_clock_unit(clock);
	return 0;
}

int harness_measure(const struct bench_body *body, struct bench_arguments *arguments,
		    unsigned count, struct bench_result *result)
{
	return harness_measure_with_clock(body, arguments, count, harness_run_clock(), result);
}

static void json_hundredths(struct json_writer *writer, const char *key, int64_t value)
{
	/* JSON numbers with two decimals, e.g. 12.34, written without floating point. */
	char text[32];
	format_hundredths(text, sizeof text, value);
	json_raw_number(writer, key, text);
}

/* The medians of this run's `bench` records, for the policy lab's cost weights. */
#define RECORDED_MEDIANS 256
static struct recorded_median {
	char name[64];
	int64_t p50;
	uint32_t bytes;
} recorded[RECORDED_MEDIANS], pending;
static unsigned recorded_count;

int harness_recorded_median(const char *name, int64_t *p50_hundredths, uint32_t *bytes)
{
	for (unsigned i = recorded_count; i-- > 0;)
		if (!strcmp(recorded[i].name, name)) {
			*p50_hundredths = recorded[i].p50;
			*bytes = recorded[i].bytes;
			return 0;
		}
	return -1;
}

void harness_record_raw(const int64_t *measured, unsigned count)
{
	last_count = count < MAX_SAMPLES ? count : MAX_SAMPLES;
	memcpy(raw_samples, measured, last_count * sizeof *measured);
}

void harness_record_bytes(uint32_t bytes)
{
	pending.bytes = bytes;
}

void harness_record_begin(struct json_writer *writer, char *buffer, unsigned long size,
			  const char *name, const struct bench_result *result)
{
	const struct statistics *stats = &result->stats;

	string_copy(pending.name, name, sizeof pending.name);
	pending.p50 = stats->p50;
	pending.bytes = 0;

	json_begin(writer, buffer, size);
	json_int(writer, "schema", 1);
	json_string(writer, "name", name);
	json_string(writer, "unit", result->unit);
	json_string(writer, "clock", result->clock);
	json_uint(writer, "n", stats->n);
	json_hundredths(writer, "min", stats->min);
	json_hundredths(writer, "p5", stats->p5);
	json_hundredths(writer, "p50", stats->p50);
	json_hundredths(writer, "p95", stats->p95);
	json_hundredths(writer, "p99", stats->p99);
	json_hundredths(writer, "max", stats->max);
	json_hundredths(writer, "mean_20_80", stats->mean_20_80);
	json_uint(writer, "outliers", stats->outliers);
}

void harness_record_emit(struct json_writer *writer)
{
	record_emit("bench", writer);
	if (recorded_count < RECORDED_MEDIANS)
		recorded[recorded_count++] = pending;
	if (runner_args()->raw) {
		/* Per-iteration samples in measurement order, in hundredths. */
		kprintf("# raw");
		for (uint64_t i = 0; i < last_count; i++)
			kprintf(" %lld", (long long)raw_samples[i]);
		kprintf("\n");
	}
}
