/* smp/...: the second CPU is alive and configured like the first, XSAVE state really
   migrates between the two register files, and what an IPI costs (docs/smp.md). */
#include "smp/smp.h"
#include "cpu_baseline.h"
#include "fpu_setup.h"
#include "test_runner.h"
#include "timekeeping.h"
#include "arch/apic.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "support/harness.h"
#include "support/xsave_support.h"
#include "lib/json_writer.h"
#include "lib/string.h"

#define CALL_TIMEOUT_MILLISECONDS 2000
#define PING_ITERATIONS 4   /* round trips in the harness's short window */

/* Ends the test with what smp_call said; 0 when the call returned normally. */
static int call_failed(struct test_result *result, enum smp_call_status status, const char *what)
{
	const char *dump = smp_fault_dump();

	if (status == SMP_CALL_DONE)
		return 0;
	if (status == SMP_CALL_NO_CPU)
		test_skip(result, "%s", smp_unavailable());
	else if (status == SMP_CALL_TIMEOUT)
		test_fail(result, "%s: the second CPU did not return within %u ms and 2 s of NMIs (stopped)",
			  what, CALL_TIMEOUT_MILLISECONDS);
	else {
		test_fail(result, "%s: %s", what, smp_fault_reason());
		/* the dump is a YAML block; the diagnostics take its lines without --- and ... */
		if (!strncmp(dump, "  ---\n", 6)) {
			size_t length;
			string_copy(result->diagnostics, dump + 6, sizeof result->diagnostics);
			length = strlen(result->diagnostics);
			if (length >= 6 && !strcmp(result->diagnostics + length - 6, "  ...\n"))
				result->diagnostics[length - 6] = 0;
		}
	}
	return 1;
}

/* ---- smp/second-cpu ---- */

struct identity {
	uint32_t apic_id;
	uint64_t cr0, cr4, xcr0;
};

static void read_identity(void *argument)
{
	struct identity *identity = argument;

	identity->apic_id = apic_id();
	identity->cr0 = read_cr0();
	identity->cr4 = read_cr4();
	identity->xcr0 = fpu_baseline_xcr0() ? xgetbv(0) : 0;
}

void smp_test_second_cpu(struct test_result *result)
{
	struct identity there = { 0 }, here = { 0 };

	if (call_failed(result, smp_call(read_identity, &there, CALL_TIMEOUT_MILLISECONDS), "reading its identity"))
		return;
	read_identity(&here);
	test_diagnostic(result, "apic_ids", "[%u, %u]", here.apic_id, there.apic_id);
	if (there.apic_id == here.apic_id)
		test_fail(result, "the function ran on APIC ID %u: this CPU, not a second one", there.apic_id);
	else if (there.xcr0 != here.xcr0)
		test_fail(result, "XCR0 0x%llx on the second CPU, 0x%llx here", (unsigned long long)there.xcr0,
			  (unsigned long long)here.xcr0);
	else if ((there.cr0 ^ here.cr0) & (CR0_TS | CR0_EM | CR0_MP | CR0_NE))
		test_fail(result, "CR0 0x%llx on the second CPU, 0x%llx here", (unsigned long long)there.cr0,
			  (unsigned long long)here.cr0);
	else if ((there.cr4 ^ here.cr4) & (CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE))
		test_fail(result, "CR4 0x%llx on the second CPU, 0x%llx here", (unsigned long long)there.cr4,
			  (unsigned long long)here.cr4);
}

/* ---- smp/xsave/migrate ---- */

struct remote_xsave {
	uint8_t *restore_from, *save_to;
	uint64_t mask;
	int restore_vector, save_vector;
};

/* On the second CPU: XRSTOR a state, then XSAVE what its registers hold. */
static void restore_then_save(void *argument)
{
	struct remote_xsave *step = argument;

	step->restore_vector = step->restore_from ? xrstor_safe(step->restore_from, step->mask) : 0;
	step->save_vector = xsave_safe(step->save_to, step->mask);
}

static int first_difference(uint8_t *area, uint8_t *expected, uint64_t mask, unsigned *component)
{
	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++) {
		if (!((mask >> i) & 1))
			continue;
		if (xsave_component_compare(area, expected, xsave_components(), mask, i, 0, 0) >= 0) {
			*component = i;
			return 1;
		}
	}
	return 0;
}

/* A task's state saved here, restored there, saved there: it must arrive whole. And
   the two register files must be two: loading the second CPU leaves this one alone. */
void smp_test_xsave_migrate(struct test_result *result)
{
	uint64_t mask = xsave_user_mask();
	uint8_t *mine = xsave_area_alloc(), *theirs = xsave_area_alloc();
	uint8_t *saved_here = xsave_area_alloc(), *saved_there = xsave_area_alloc();
	struct remote_xsave step = { saved_here, saved_there, mask, 0, 0 };
	unsigned component;

	if (smp_unavailable())
		return test_skip(result, "%s", smp_unavailable());
	if (xsave_instruction_missing("xsave"))
		return test_skip(result, "%s", xsave_instruction_missing("xsave"));
	xsave_area_with_patterns(mine, mask, 11, 0);
	xsave_area_with_patterns(theirs, mask, 12, 0);
	if (xrstor_safe(mine, mask) || xsave_safe(saved_here, mask))
		return test_fail(result, "XRSTOR/XSAVE of the patterns faulted on this CPU");
	if (call_failed(result, smp_call(restore_then_save, &step, CALL_TIMEOUT_MILLISECONDS), "migrating"))
		return;
	if (step.restore_vector || step.save_vector)
		return test_fail(result, "on the second CPU %s raised vector %d",
				 step.restore_vector ? "XRSTOR" : "XSAVE",
				 step.restore_vector ? step.restore_vector : step.save_vector);
	if (first_difference(saved_there, mine, mask, &component))
		return test_fail(result, "component %u differs after migrating to the second CPU", component);
	/* The other way: the second CPU loads other patterns; this CPU keeps its own. */
	step.restore_from = theirs;
	if (call_failed(result, smp_call(restore_then_save, &step, CALL_TIMEOUT_MILLISECONDS), "loading there"))
		return;
	if (xsave_safe(saved_here, mask))
		return test_fail(result, "XSAVE faulted on this CPU");
	if (first_difference(saved_here, mine, mask, &component))
		return test_fail(result, "component %u here changed when the second CPU loaded its state: "
				 "the two CPUs do not have separate register files", component);
	if (first_difference(saved_there, theirs, mask, &component))
		return test_fail(result, "component %u on the second CPU is not what it loaded", component);
	test_diagnostic(result, "mask", "\"0x%llx\"", (unsigned long long)mask);
}

/* ---- smp/bench/ipi-round-trip ---- */

static volatile int stop_serving;

/* On the second CPU: take SMP_PING_VECTOR interrupts until told to stop. */
static void serve_pings(void *unused)
{
	(void)unused;
	interrupts_enable();
	while (!stop_serving)
		cpu_pause();
	interrupts_disable();
}

/* An IPI not counted within this long is lost: a round trip takes microseconds on
   hardware, and under QEMU's TCG on a shared 2-core machine a starved vCPU thread was
   seen to take more than 100 ms. */
#define PING_LOST_MILLISECONDS 1000

/* One round trip: the IPI, the handler's count, this CPU seeing it. -1: lost. */
static int ping_once(void)
{
	uint64_t before = smp_pings_received(), limit = rdtsc() + milliseconds_to_tsc(PING_LOST_MILLISECONDS);

	apic_send_ipi(smp_second_cpu_apic_id(), SMP_PING_VECTOR);
	while (smp_pings_received() == before)
		if (rdtsc() > limit)
			return -1;
	return 0;
}

/* The harness's operation: `iterations` round trips; a lost IPI stops the benchmark. */
static int ping_round_trips(void *context, unsigned iterations)
{
	int *lost = context;

	for (unsigned i = 0; i < iterations; i++)
		if (ping_once() != 0) {
			*lost = 1;
			return -1;
		}
	return 0;
}

void smp_bench_ipi_round_trip(struct test_result *result)
{
	struct bench_result measured;
	struct json_writer writer;
	char buffer[1024];
	int lost = 0, refused;

	stop_serving = 0;
	if (smp_post(serve_pings, 0) != 0)
		return test_skip(result, "%s", smp_unavailable());
	refused = harness_measure_operation(ping_round_trips, &lost, PING_ITERATIONS, harness_sample_count(), &measured);
	stop_serving = 1;
	if (call_failed(result, smp_wait(CALL_TIMEOUT_MILLISECONDS), "serving pings"))
		return;
	if (lost)
		return test_fail(result, "an IPI to APIC ID %u was not handled within %u ms",
				 smp_second_cpu_apic_id(), PING_LOST_MILLISECONDS);
	if (refused)
		return test_fail(result, "the harness refused the benchmark");
	harness_record_begin(&writer, buffer, sizeof buffer, "smp/ipi-round-trip", &measured);
	json_string(&writer, "includes", "per round trip: send (ICR write), delivery, handler with EOI, the count seen here");
	harness_record_emit(&writer);
}

/* ---- selftest/second-cpu-fault and smp/baseline-state ---- */

static void spoil_then_fault(void *unused)
{
	static char untouched[200];

	(void)unused;
	cpu_baseline_spoil(untouched, sizeof untouched);
	__asm__ volatile("ud2");
}

/* Must end `not ok` with the second CPU's decoded dump, and leave it usable: with
   the state the fault left spoiled reset (smp/baseline-state, next, checks it). */
void smp_selftest_fault(struct test_result *result)
{
	struct identity there = { 0 };
	enum smp_call_status status = smp_call(spoil_then_fault, 0, CALL_TIMEOUT_MILLISECONDS);

	if (status == SMP_CALL_DONE)
		return test_fail(result, "UD2 on the second CPU did not fault");
	call_failed(result, status, "selftest");
	if (status == SMP_CALL_FAULT && smp_call(read_identity, &there, CALL_TIMEOUT_MILLISECONDS) != SMP_CALL_DONE)
		test_fail(result, "selftest: the second CPU faulted and did not come back");
}

struct baseline_there {
	int differs;
	char what[160];
};

static void check_baseline(void *argument)
{
	struct baseline_there *there = argument;
	there->differs = cpu_baseline_differs(there->what, sizeof there->what);
}

void smp_test_baseline_state(struct test_result *result)
{
	struct baseline_there there = { 0 };

	if (call_failed(result, smp_call(check_baseline, &there, CALL_TIMEOUT_MILLISECONDS), "checking its state"))
		return;
	if (there.differs)
		test_fail(result, "the second CPU is not at its baseline: %s", there.what);
}
