/* What the TSC is on this platform, measured once at start (docs/method.md, "Core
   cycles"): the step it advances by, whether it counts instructions (Bochs), and
   whether ADD-chain cycles are core cycles at all: a core cannot run 3200 independent
   NOPs in less time than 200 dependent ADDs (no x86 core issues 16 instructions a
   cycle; a binary translator drops them), nor in more time than 2133 (every core since
   the Pentium runs 2 a cycle; an emulator runs one instruction at a time). */
#include "support/harness.h"
#include "cpu_features.h"
#include "runner_platform.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/string.h"

#define GRANULE_READS 257
#define PROBE_PAIRS 64
#define DETERMINISTIC_PAIRS 101
#define NOP_BLOCK 3200           /* harness_nops: 64 x 50 NOPs more in the long window */
#define WIDEST_ISSUE 16          /* instructions per cycle no x86 core reaches */
#define NARROWEST_ISSUE_TIMES_2 3 /* 1.5 NOPs a cycle: every x86 core since the Pentium does 2 */

DECLARE_BODY(harness_add_chain);
DECLARE_BODY(harness_nops);

/* unroll 1: what the harness divides by is HARNESS_CALIBRATION_LINKS */
const struct bench_body harness_calibration_chain = BODY(harness_add_chain, 1);
static const struct bench_body nop_block = BODY(harness_nops, 64);

static int64_t granule = 1, nop_link_times = -1;
static int deterministic;
static const char *untrusted;
static char untrusted_text[256];

/* The step of back-to-back fenced reads: the largest gap between the distinct deltas
   of the lowest 90 %. A TSC that counts every tick shows deltas a tick or two apart;
   one that advances in steps (AMD Zen in a KVM guest: 24-25 ticks) shows clusters. */
static int64_t measure_granule(void)
{
	int64_t deltas[GRANULE_READS - 1], gap = 0;
	uint64_t previous = harness_read_clock(HARNESS_CLOCK_TSC, 0), now;
	unsigned lowest = (GRANULE_READS - 1) * 9 / 10;

	for (unsigned i = 0; i + 1 < GRANULE_READS; i++) {
		now = harness_read_clock(HARNESS_CLOCK_TSC, 0);
		deltas[i] = (int64_t)(now - previous);
		previous = now;
	}
	statistics_sort(deltas, GRANULE_READS - 1);
	for (unsigned i = 1; i < lowest; i++)
		if (deltas[i] - deltas[i - 1] > gap)
			gap = deltas[i] - deltas[i - 1];
	return gap > 2 ? gap : 1;
}

/* Median of long - short window over PROBE_PAIRS pairs, in ticks. */
static int64_t median_difference(const struct bench_body *body)
{
	struct bench_arguments arguments = { 0 };
	int64_t differences[PROBE_PAIRS];

	arguments.clock = HARNESS_CLOCK_TSC;
	for (unsigned i = 0; i < PROBE_PAIRS; i++) {
		uint64_t single = body->single(&arguments);
		differences[i] = (int64_t)(body->twice(&arguments) - single);
	}
	statistics_sort(differences, PROBE_PAIRS);
	return differences[PROBE_PAIRS / 2];
}

/* Every short window and every long window of the NOP block reads the same, and the
   two differ: the TSC counts instructions. Three tries: a watchdog NMI may land in a
   window; a real core never shows that over 101 pairs. */
static int measure_deterministic(void)
{
	struct bench_arguments arguments = { 0 };

	arguments.clock = HARNESS_CLOCK_TSC;
	for (int attempt = 0; attempt < 3; attempt++) {
		uint64_t first_single = nop_block.single(&arguments), first_twice = nop_block.twice(&arguments);
		int same = first_twice > first_single;
		for (unsigned i = 1; i < DETERMINISTIC_PAIRS && same; i++)
			same = nop_block.single(&arguments) == first_single && nop_block.twice(&arguments) == first_twice;
		if (same)
			return 1;
	}
	return 0;
}

static const char *measure_untrusted(void)
{
	int64_t chain = median_difference(&harness_calibration_chain), nops = median_difference(&nop_block);
	int64_t link_times;

	if (deterministic)
		return "the TSC counts instructions here (every window of a NOP block reads the same): "
		       "no core clock to calibrate against";
	/* QEMU TCG says what it is (CPUID 40000000H). Its timing of the NOP block depends
	   on where the code lies (translation blocks): measured here at 0-63 ADD-link
	   times in most builds, 682 in one, which passes for a real core. */
	if (strcmp(cpu_features()->hypervisor_vendor, "TCGTCGTCGTCG") == 0) {
		nop_link_times = chain > 0 && nops > 0 ? nops * HARNESS_CALIBRATION_LINKS / chain : 0;
		return "the hypervisor is QEMU TCG (CPUID 40000000H: TCGTCGTCGTCG), a binary translator: "
		       "ADD-chain cycles are not core cycles";
	}
	if (chain <= 0) {
		format_string(untrusted_text, sizeof untrusted_text, "%u dependent ADDs read %lld TSC ticks: "
			      "the TSC does not advance with the core", HARNESS_CALIBRATION_LINKS, (long long)chain);
		return untrusted_text;
	}
	link_times = nop_link_times = nops > 0 ? nops * HARNESS_CALIBRATION_LINKS / chain : 0;
	if (link_times * WIDEST_ISSUE < NOP_BLOCK)
		format_string(untrusted_text, sizeof untrusted_text, "%u independent NOPs took %lld ADD-link times "
			      "(%u dependent ADDs: %lld ticks): faster than any x86 core issues instructions, so "
			      "they are translated, not executed (an emulator), and ADD-chain cycles are not core "
			      "cycles", NOP_BLOCK, (long long)link_times, HARNESS_CALIBRATION_LINKS, (long long)chain);
	else if (link_times * NARROWEST_ISSUE_TIMES_2 > NOP_BLOCK * 2)
		format_string(untrusted_text, sizeof untrusted_text, "%u independent NOPs took %lld ADD-link times: "
			      "every x86 core runs at least 2 a cycle, so instructions run one at a time here (an "
			      "emulator), and ADD-chain cycles are instructions, not core cycles",
			      NOP_BLOCK, (long long)link_times);
	else
		return 0;
	return untrusted_text;
}

void harness_cycles_init(void)
{
	harness_quiesce();
	deterministic = measure_deterministic();
	granule = deterministic ? 1 : measure_granule();   /* counting instructions: every tick */
	untrusted = measure_untrusted();
	harness_restore();
}

int64_t harness_tsc_granule(void)
{
	return granule;
}

int harness_clock_deterministic(void)
{
	return deterministic;
}

const char *harness_cycles_untrusted(void)
{
	return untrusted;
}

const char *harness_cycles_source(enum harness_clock clock)
{
	if (clock == HARNESS_CLOCK_CORE_CYCLES)
		return "pmu";
	if (clock == HARNESS_CLOCK_APERF)
		return "aperf";
	return deterministic ? "instructions" : "add-chain";
}

void harness_write_cycles(struct json_writer *writer)
{
	const char *source = harness_cycles_source(harness_run_clock());
	int add_chain = !strcmp(source, "add-chain");

	json_uint(writer, "tsc_granule", (uint64_t)granule);
	json_bool(writer, "tsc_counts_instructions", deterministic);
	json_object_begin(writer, "cycles");
	json_string(writer, "source", source);
	json_bool(writer, "trusted", !add_chain || !untrusted);
	if (nop_link_times >= 0)
		json_int(writer, "nop_block_link_times", nop_link_times);
	if (add_chain && untrusted)
		json_string(writer, "reason", untrusted);
	json_object_end(writer);
}
