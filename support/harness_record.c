/* The `bench` record's common part (docs/output.md), the `raw` line after it, and the
   medians of this run's records for the policy lab's cost weights. */
#include "support/harness.h"
#include "support/lib/derive.h"
#include "console.h"
#include "memory.h"
#include "test_runner.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/kernel_args.h"
#include "lib/string.h"

static int64_t *raw_samples;
static unsigned raw_count;

static void json_hundredths(struct json_writer *writer, const char *key, int64_t value)
{
	/* JSON numbers with two decimals, e.g. 12.34, written without floating point. */
	char text[32];
	format_hundredths(text, sizeof text, value);
	json_raw_number(writer, key, text);
}

static void json_ten_thousandths(struct json_writer *writer, const char *key, int64_t value)
{
	char text[32];
	format_string(text, sizeof text, "%lld.%04lld", (long long)(value / 10000), (long long)(value % 10000));
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

void harness_record_init(void)
{
	raw_samples = (int64_t *)(uintptr_t)memory_alloc_pages(HARNESS_MAX_SAMPLES * sizeof(int64_t) / PAGE_SIZE);
}

void harness_record_raw(const int64_t *measured, unsigned count)
{
	raw_count = count < HARNESS_MAX_SAMPLES ? count : HARNESS_MAX_SAMPLES;
	memcpy(raw_samples, measured, raw_count * sizeof *measured);
}

void harness_record_bytes(uint32_t bytes)
{
	pending.bytes = bytes;
}

static void write_percentiles(struct json_writer *writer, const struct statistics *stats)
{
	json_hundredths(writer, "min", stats->min);
	json_hundredths(writer, "p5", stats->p5);
	json_hundredths(writer, "p50", stats->p50);
	json_hundredths(writer, "p95", stats->p95);
	json_hundredths(writer, "p99", stats->p99);
	json_hundredths(writer, "max", stats->max);
}

static void write_cycles(struct json_writer *writer, const struct bench_cycles *cycles)
{
	if (!cycles->source) {
		json_null(writer, "cycles_source");
		return;
	}
	json_object_begin(writer, "cycles");
	write_percentiles(writer, &cycles->stats);
	json_object_end(writer);
	json_string(writer, "cycles_source", cycles->source);
	if (strcmp(cycles->source, "add-chain"))
		return;
	json_object_begin(writer, "cycles_calibration");
	json_ten_thousandths(writer, "ticks_per_cycle", cycles->ticks_per_cycle);
	json_hundredths(writer, "spread_pct", cycles->calibration_spread);
	json_hundredths(writer, "uncertainty_pct", cycles->uncertainty);
	json_bool(writer, "trusted", cycles->trusted);
	json_object_end(writer);
}

static void write_shape(struct json_writer *writer, const struct bench_result *result)
{
	json_object_begin(writer, "stability");
	json_uint(writer, "ensembles", result->stability.ensembles);
	json_hundredths(writer, "p50_spread", result->stability.p50_spread);
	json_bool(writer, "stable", result->stability.stable);
	json_object_end(writer);
	if (!result->modes)
		return;
	json_array_begin(writer, "modes");
	for (unsigned i = 0; i < result->modes; i++) {
		json_object_begin(writer, 0);
		json_hundredths(writer, "value", result->mode[i].value);
		json_hundredths(writer, "share", result->mode[i].share);
		json_object_end(writer);
	}
	json_array_end(writer);
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
	write_percentiles(writer, stats);
	json_hundredths(writer, "mean_20_80", stats->mean_20_80);
	json_uint(writer, "outliers", stats->outliers);
	json_uint(writer, "floored", result->floored);
	json_uint(writer, "pairs_per_sample", result->pairs_per_sample);
	write_cycles(writer, &result->cycles);
	write_shape(writer, result);
}

void harness_record_emit(struct json_writer *writer)
{
	record_emit("bench", writer);
	if (recorded_count < RECORDED_MEDIANS)
		recorded[recorded_count++] = pending;
	if (runner_args()->raw) {
		/* Per-iteration samples in measurement order, in hundredths. */
		kprintf("# raw");
		for (uint64_t i = 0; i < raw_count; i++)
			kprintf(" %lld", (long long)raw_samples[i]);
		kprintf("\n");
	}
}
