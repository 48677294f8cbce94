/* vm/bench/...: the cost of one world switch per exit kind, and of the explicit FPU
   swap per component set. The harness (docs/method.md) times ITERATIONS and
   2 x ITERATIONS run+emulate calls and keeps the difference per iteration: the clock
   reads and the loop set-up cancel; what remains is one round trip through fpulab's
   run loop (vm_run and vm_emulate included). */
#include "vm/vm_test.h"
#include "support/harness.h"
#include "support/xsave_support.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "lib/json_writer.h"

#define ITERATIONS 8

static struct vm_fixture fixture;

/* The harness's operation: `iterations` round trips of the fixture's guest. */
static int round_trips(void *context, unsigned iterations)
{
	struct test_result *result = context;
	struct vm_exit exit;

	for (unsigned i = 0; i < iterations; i++) {
		vm_run(&fixture.vcpu, &exit);
		if (vm_emulate(&fixture.vcpu, &exit) != 0) {
			vm_fail(result, &fixture, &exit, "unexpected VM exit in a benchmark loop");
			return -1;
		}
	}
	return 0;
}

/* Measures the fixture's guest (already set up) and emits the record. */
static void measure(struct test_result *result, const char *name, unsigned exits_per_iteration)
{
	struct bench_result measured;
	struct json_writer writer;
	char buffer[1024];

	if (harness_measure_operation(round_trips, result, ITERATIONS, harness_sample_count(), &measured) != 0) {
		if (result->status == TEST_PASS)
			test_fail(result, "%s: the harness refused the benchmark", name);
		return;
	}
	harness_record_begin(&writer, buffer, sizeof buffer, name, &measured);
	json_string(&writer, "vm", fixture.ops->name);
	json_uint(&writer, "exits_per_iteration", exits_per_iteration);
	json_uint(&writer, "iterations_per_sample", ITERATIONS);
	harness_record_emit(&writer);
	test_diagnostic(result, name, "%lld", (long long)measured.stats.p50);
}

static void bench(struct test_result *result, const char *name, vm_guest_function guest, void *argument,
		  unsigned exits_per_iteration)
{
	if (vm_fixture_begin(result, &fixture, guest, argument))
		return;
	measure(result, name, exits_per_iteration);
	vm_fixture_end(&fixture);
}

void vm_bench_hypercall(struct test_result *result) { bench(result, "vm/bench/hypercall", guest_loop_hypercall, 0, 1); }
void vm_bench_cpuid(struct test_result *result) { bench(result, "vm/bench/cpuid", guest_loop_cpuid, 0, 1); }
void vm_bench_hlt(struct test_result *result) { bench(result, "vm/bench/hlt", guest_loop_hlt, 0, 1); }
void vm_bench_msr(struct test_result *result) { bench(result, "vm/bench/msr-xfd", guest_loop_msr, 0, 1); }
void vm_bench_nm(struct test_result *result) { bench(result, "vm/bench/cr0-ts-and-nm", guest_loop_nm, 0, 2); }

/* A guest XSETBV that does not exit would loop forever: check the intercept first. */
static int xsetbv_exits(struct test_result *result, uint64_t *xcr0)
{
	uint64_t values[2] = { *xcr0, 0 };
	int exits;

	if (vm_fixture_begin(result, &fixture, guest_xsetbv, values))
		return 0;
	exits = vm_fixture_run(result, &fixture) == 0 && fixture.counts[VM_EXIT_XSETBV] == 1;
	if (result->status == TEST_PASS && !exits)
		test_skip(result, "%s executed the guest's XSETBV without the XSETBV intercept", fixture.ops->name);
	vm_fixture_end(&fixture);
	return exits;
}

void vm_bench_xsetbv(struct test_result *result)
{
	static uint64_t xcr0;

	if (!(read_cr4() & CR4_OSXSAVE))
		return test_skip(result, "CR4.OSXSAVE=0 (CPUID.1:ECX.XSAVE[26]=0)");
	xcr0 = xgetbv(0);
	if (xsetbv_exits(result, &xcr0))
		bench(result, "vm/bench/xsetbv", guest_loop_xsetbv, &xcr0, 1);
}

/* Hypercall round trip with the host's and the guest's registers of one component
   set saved and restored around every entry (XSAVE/XRSTOR, standard format). */
void vm_bench_fpu_swap(struct test_result *result)
{
	struct component_set sets[XSAVE_MAX_SETS];
	unsigned count;
	char name[64];

	if (!(read_cr4() & CR4_OSXSAVE))
		return test_skip(result, "CR4.OSXSAVE=0 (CPUID.1:ECX.XSAVE[26]=0)");
	count = xsave_component_sets(sets);
	for (unsigned i = 0; i < count && result->status == TEST_PASS; i++) {
		if (sets[i].supervisor)
			continue;
		if (vm_fixture_begin(result, &fixture, guest_loop_hypercall, 0))
			return;
		fixture.vcpu.fpu_mask = sets[i].mask & xsave_user_mask();
		fixture.vcpu.host_fpu = xsave_area_alloc();
		fixture.vcpu.guest_fpu = xsave_area_alloc();
		xsave_area_all_init(fixture.vcpu.guest_fpu, fixture.vcpu.fpu_mask, 0);
		format_string(name, sizeof name, "vm/bench/fpu-swap/%s", sets[i].name);
		measure(result, name, 1);
		vm_fixture_end(&fixture);
	}
}
