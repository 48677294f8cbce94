/* The harness's clocks (docs/method.md, Clocks): which ones work on this CPU, why the
   others do not, and the run's choice. */
#include "support/harness.h"
#include "runner_platform.h"
#include "cpu_features.h"
#include "test_runner.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/json_writer.h"
#include "lib/kernel_args.h"

#define MSR_FIXED_COUNTER_CONTROL 0x38d
#define MSR_PERF_GLOBAL_CONTROL 0x38f
#define MSR_AMD_PERF_CONTROL0 0xc0010000
#define RDPMC_FIXED_COUNTER (1u << 30)
#define AMD_EVENT_CYCLES_NOT_HALTED 0x76
#define AMD_CONTROL_OS (1u << 17)
#define AMD_CONTROL_ENABLE (1u << 22)

#define MSR_APERF 0xe8
#define MSR_MPERF 0xe7

/* Every clock the harness can read, indexed by enum harness_clock: whether it works
   here and, if not, why. */
static struct clock_state {
	const char *name, *unit;
	uint32_t index;          /* RDPMC counter or MSR number for CLOCK_READ */
	int available;
	const char *reason;      /* why not, when unavailable */
} clocks[HARNESS_CLOCK_COUNT] = {
	[HARNESS_CLOCK_TSC] = { "tsc", "tsc", 0, 1, 0 },
	[HARNESS_CLOCK_CORE_CYCLES] = { "core-cycles", "cycles", 0, 0, 0 },
	[HARNESS_CLOCK_APERF] = { "aperf", "cycles", MSR_APERF, 0, 0 },
};
static enum harness_clock run_clock;
static const char *run_clock_note;

/* A counter is usable only if RDPMC works and it really counts: emulators accept the
   control MSR writes and count nothing. */
static int counter_counts(uint32_t index)
{
	uint64_t before, after;

	if (rdpmc_safe(index, &before) != 0)
		return 0;
	for (volatile int i = 0; i < 1000; i++)
		;
	if (rdpmc_safe(index, &after) != 0)
		return 0;
	return after - before >= 1000;
}

static int enable_intel_fixed_cycles(void)
{
	const struct cpu_features *cpu = cpu_features();
	uint64_t value;

	if (!cpu_is_intel() || cpu->perf.architectural_version < 2 || cpu->perf.fixed_counters < 2)
		return 0;
	if (rdmsr_safe(MSR_FIXED_COUNTER_CONTROL, &value) != 0 ||
	    wrmsr_safe(MSR_FIXED_COUNTER_CONTROL, (value & ~0xf0ull) | 0x10) != 0 ||  /* CTR1, ring 0 */
	    rdmsr_safe(MSR_PERF_GLOBAL_CONTROL, &value) != 0 ||
	    wrmsr_safe(MSR_PERF_GLOBAL_CONTROL, value | (1ull << 33)) != 0)
		return 0;
	clocks[HARNESS_CLOCK_CORE_CYCLES].index = RDPMC_FIXED_COUNTER | 1;
	return counter_counts(clocks[HARNESS_CLOCK_CORE_CYCLES].index);
}

static int enable_amd_core_cycles(void)
{
	if (!cpu_is_amd() ||
	    wrmsr_safe(MSR_AMD_PERF_CONTROL0,
		       AMD_EVENT_CYCLES_NOT_HALTED | AMD_CONTROL_OS | AMD_CONTROL_ENABLE) != 0)
		return 0;
	clocks[HARNESS_CLOCK_CORE_CYCLES].index = 0;
	return counter_counts(0);
}

/* IA32_APERF counts core cycles in C0 at the actual frequency (SDM Vol. 3B, 15.2);
   it must be readable and advance. */
static const char *aperf_unusable(void)
{
	uint64_t before, after;

	if (!cpu_features()->has.aperf_mperf)
		return "CPUID.06H:ECX[0] (APERF/MPERF) is clear";
	if (current_privilege_level() != 0)
		return RING0_ONLY_REASON("RDMSR IA32_APERF");
	if (rdmsr_safe(MSR_APERF, &before) != 0)
		return "RDMSR IA32_APERF faults";
	for (volatile int i = 0; i < 1000; i++)
		;
	if (rdmsr_safe(MSR_APERF, &after) != 0 || after - before < 1000)
		return "IA32_APERF does not advance";
	return 0;
}

static void probe_clocks(void)
{
	struct clock_state *core = &clocks[HARNESS_CLOCK_CORE_CYCLES];
	struct clock_state *aperf = &clocks[HARNESS_CLOCK_APERF];

	if (current_privilege_level() != 0) {
		core->available = harness_user_cycle_counter(&core->index, &core->reason) &&
				  counter_counts(core->index);
		if (!core->available && !core->reason)
			core->reason = "the perf event's counter does not count under RDPMC";
	} else {
		core->available = enable_intel_fixed_cycles() || enable_amd_core_cycles();
		if (!core->available)
			core->reason = "no fixed or general performance counter that counts (RDPMC)";
	}
	aperf->reason = aperf_unusable();
	aperf->available = !aperf->reason;
}

/* clock=NAME wins when that clock works; otherwise core cycles, then APERF, then the
   TSC (docs/method.md, Clocks). */
static void choose_run_clock(enum clock_choice requested)
{
	static const enum harness_clock wanted[] = {
		[CLOCK_CHOICE_TSC] = HARNESS_CLOCK_TSC,
		[CLOCK_CHOICE_CORE_CYCLES] = HARNESS_CLOCK_CORE_CYCLES,
		[CLOCK_CHOICE_APERF] = HARNESS_CLOCK_APERF,
	};

	if (requested != CLOCK_CHOICE_AUTO) {
		run_clock = wanted[requested];
		if (clocks[run_clock].available)
			return;
		run_clock_note = clocks[run_clock].reason;
	}
	if (clocks[HARNESS_CLOCK_CORE_CYCLES].available)
		run_clock = HARNESS_CLOCK_CORE_CYCLES;
	else if (clocks[HARNESS_CLOCK_APERF].available)
		run_clock = HARNESS_CLOCK_APERF;
	else
		run_clock = HARNESS_CLOCK_TSC;
}

void harness_clocks_init(void)
{
	probe_clocks();
	choose_run_clock(runner_args()->clock);
}

enum harness_clock harness_run_clock(void)
{
	return run_clock;
}

const char *harness_clock_name(enum harness_clock clock)
{
	return clocks[clock].name;
}

const char *harness_clock_unit(enum harness_clock clock)
{
	return clocks[clock].unit;
}

uint32_t harness_clock_index(enum harness_clock clock)
{
	return clocks[clock].index;
}

const char *harness_clock_unavailable(enum harness_clock clock)
{
	return clocks[clock].available ? 0 : clocks[clock].reason;
}

const char *harness_requested_clock_note(void)
{
	return run_clock_note;
}

int harness_aperf_per_mperf(int64_t *hundredths)
{
	uint64_t aperf_before, mperf_before, aperf_after, mperf_after;

	if (!clocks[HARNESS_CLOCK_APERF].available)
		return -1;
	harness_quiesce();
	/* Same order on both sides, so both intervals are equally long. */
	if (rdmsr_safe(MSR_APERF, &aperf_before) != 0 || rdmsr_safe(MSR_MPERF, &mperf_before) != 0) {
		harness_restore();
		return -1;
	}
	for (volatile int i = 0; i < 1000000; i++)
		;
	rdmsr_safe(MSR_APERF, &aperf_after);
	rdmsr_safe(MSR_MPERF, &mperf_after);
	harness_restore();
	if (mperf_after == mperf_before)
		return -1;
	*hundredths = (int64_t)((aperf_after - aperf_before) * 100 / (mperf_after - mperf_before));
	return 0;
}


void harness_write_clocks(struct json_writer *writer)
{
	json_object_begin(writer, "clocks");
	json_string(writer, "run", clocks[run_clock].name);
	if (run_clock_note)
		json_string(writer, "requested_unusable", run_clock_note);
	for (unsigned clock = 0; clock < HARNESS_CLOCK_COUNT; clock++)
		json_string(writer, clocks[clock].name,
			    clocks[clock].available ? "usable" : clocks[clock].reason);
	harness_write_cycles(writer);
	json_object_end(writer);
}
