/* claim/c2: does XSAVEOPT's modified optimization survive a VM entry and exit? (seed
   003: "the XSTOROPT optimization does not work across VMENTER / VMEXIT").
   Architecturally visible (SDM Vol. 1, 13.6): after XRSTOR from area A, fill A's
   register regions with a canary; an XSAVEOPT to A that skips a component leaves its
   canary. The probe runs that with nothing in between, with a ring-3 round trip, with
   a VM entry and exit of fpulab's own guest (which does not touch the FPU), and with a
   guest that executes XRSTOR from another area. */
#include "support/harness.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "guarded_call.h"
#include "memory.h"
#include "test_runner.h"
#include "arch/cpu_tables.h"
#include "vm/vm_test.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/json_writer.h"
#include "lib/string.h"

#define CANARY 0xcc
#define USER_STACK_PAGES 1
#define PROBE_REPEATS 9   /* the cost is the median XSAVEOPT, in TSC ticks, wrapper call included */

void enter_user_mode_and_trap(uint64_t user_stack_top, uint16_t code_selector, uint16_t data_selector);

static const char *const component_names[XSAVE_MAX_COMPONENTS] = {
	[XSTATE_X87] = "x87", [XSTATE_SSE] = "sse", [XSTATE_AVX] = "avx",
	[XSTATE_OPMASK] = "opmask", [XSTATE_ZMM_HI256] = "zmm_hi256",
	[XSTATE_HI16_ZMM] = "hi16_zmm", [XSTATE_PKRU] = "pkru",
	[XSTATE_TILECFG] = "tilecfg", [XSTATE_TILEDATA] = "tiledata",
};

enum between { NOTHING, RING3_ROUND_TRIP, GUEST_ENTRY_EXIT, GUEST_XRSTOR };

struct guest_restore {
	uint8_t *area;
	uint64_t mask;
};

/* Runs in the guest: one XRSTOR from an area of its own, nothing else. A fault there
   is an exception exit (every exception is intercepted), which guest_run reports. */
static void guest_restores(void *argument)
{
	struct guest_restore *restore = argument;
	xrstor_safe(restore->area, restore->mask);
}

/* The guest conditions keep VMX operation (or SVM) and the vCPU from before the probe's
   XRSTOR until after its XSAVEOPT, as a hypervisor does: only the entry, the guest and
   the exit lie between the two. */
static struct vm_fixture fixture;
static struct test_result scratch;
static struct guest_restore restore;

/* Sets up guest_nothing or guest_restores; 0, or -1 with why in reason. */
static int guest_begin(enum between step, uint64_t mask, char *reason, unsigned long size)
{
	memset(&scratch, 0, sizeof scratch);
	restore = (struct guest_restore){ 0, mask };
	if (step == GUEST_XRSTOR) {
		restore.area = xsave_area_alloc();
		xsave_area_with_patterns(restore.area, mask, 10, 0);
	}
	if (vm_fixture_begin(&scratch, &fixture, step == GUEST_XRSTOR ? guest_restores : guest_nothing,
			     &restore) != 0)
		return string_copy(reason, scratch.reason, size), -1;
	return 0;
}

/* Enters the guest until it is done; 0, or -1 with why in reason. */
static int guest_run(char *reason, unsigned long size)
{
	if (vm_fixture_run(&scratch, &fixture) != 0)
		return string_copy(reason, scratch.reason, size), -1;
	return 0;
}

static void ring3_round_trip(void *stack_top)
{
	enter_user_mode_and_trap((uint64_t)(uintptr_t)stack_top, user_code_selector, user_data_selector);
}

static void reload_data_segments(void)
{
	__asm__ volatile("mov %0, %%ds; mov %0, %%es" : : "r"((uint32_t)kernel_data_selector));
}

/* XRSTOR, the canary, the condition, XSAVEOPT (timed); 0, or -1 with why in reason. */
static int probe_between(enum between step, uint64_t mask, uint8_t *area, uint64_t *xsaveopt_ticks,
			 char *reason, unsigned long reason_size)
{
	const struct xsave_component *components = xsave_components();
	uint32_t offset, size;
	uint64_t start;

	xsave_area_with_patterns(area, mask, 9, 0);
	if (xrstor_safe(area, mask) != 0) {
		string_copy(reason, "XRSTOR of the pattern area faulted", reason_size);
		return -1;
	}
	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++)
		if ((mask >> i) & 1) {
			xsave_component_data_range(components, mask, i, 0, &offset, &size);
			memset(area + offset, CANARY, size);
		}
	if (step == RING3_ROUND_TRIP) {
		struct guarded_call *call = (struct guarded_call *)(uintptr_t)memory_alloc_pages(1);
		uint64_t stack = memory_alloc_pages(USER_STACK_PAGES) + USER_STACK_PAGES * PAGE_SIZE;
		int trapped = guarded_call_run(call, "claim/c2(ring 3)", ring3_round_trip,
					       (void *)(uintptr_t)stack);
		reload_data_segments();
		if (!trapped || call->vector != 6) {
			string_copy(reason, "the ring-3 round trip did not come back through #UD", reason_size);
			return -1;
		}
	}
	if ((step == GUEST_ENTRY_EXIT || step == GUEST_XRSTOR) && guest_run(reason, reason_size) != 0)
		return -1;
	start = rdtsc_fenced();
	if (xsaveopt_safe(area, mask) != 0) {
		string_copy(reason, "XSAVEOPT faulted", reason_size);
		return -1;
	}
	*xsaveopt_ticks = rdtsc_fenced() - start;
	return 0;
}

/* Runs one condition; fills skipped with the components whose canary survived.
   Returns 0, or -1 when the condition could not run. */
static int probe(enum between step, uint64_t mask, uint8_t *area, uint64_t *skipped,
		 uint64_t *xsaveopt_ticks, char *reason, unsigned long reason_size)
{
	const struct xsave_component *components = xsave_components();
	int guest = step == GUEST_ENTRY_EXIT || step == GUEST_XRSTOR, status;
	uint32_t offset, size;

	if (guest && guest_begin(step, mask, reason, reason_size) != 0)
		return -1;
	status = probe_between(step, mask, area, xsaveopt_ticks, reason, reason_size);
	if (guest)
		vm_fixture_end(&fixture);
	if (status != 0)
		return -1;
	*skipped = 0;
	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++) {
		if (!((mask >> i) & 1))
			continue;
		xsave_component_data_range(components, mask, i, 0, &offset, &size);
		if (area[offset] == CANARY && area[offset + size - 1] == CANARY)
			*skipped |= 1ull << i;
	}
	return 0;
}

/* skipped: in any repeat; agree: every repeat skipped the same components. */
static void write_condition(struct json_writer *writer, const char *name, uint64_t mask,
			    uint64_t skipped, int agree, int ran, const char *reason, int64_t ticks)
{
	json_object_begin(writer, name);
	if (ran) {
		json_int(writer, "xsaveopt_tsc_p50", ticks);
		json_hex(writer, "skipped", skipped);
		json_bool(writer, "repeats_agree", agree);
	}
	if (!ran) {
		json_string(writer, "status", "not run");
		json_string(writer, "reason", reason);
	} else {
		for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++)
			if (((mask >> i) & 1) && component_names[i])
				json_string(writer, component_names[i], (skipped >> i) & 1 ? "skipped" : "rewritten");
	}
	json_object_end(writer);
}

static const char *const condition_names[4] = { "nothing", "cpl-change", "vm-entry-exit", "guest-xrstor" };

/* SDM Vol. 1, 13.6: the optimization applies only when the last XRSTOR was from the
   same address, at the same CPL and in the same VMX root/non-root mode. */
static const char *verdict(const uint64_t *skipped, const int *ran)
{
	if (!skipped[NOTHING])
		return "undecidable on this platform: XSAVEOPT never skips a component here, even with nothing in between";
	if (!ran[GUEST_ENTRY_EXIT])
		return "unsettled: the VM entry/exit condition could not run here";
	if (skipped[GUEST_ENTRY_EXIT] == skipped[NOTHING])
		return "refuted: the optimization survives a VM entry and exit when the guest does not touch the FPU";
	if (skipped[GUEST_ENTRY_EXIT])
		return "partly confirmed: after a VM entry and exit XSAVEOPT skips fewer components";
	return "confirmed: after a VM entry and exit XSAVEOPT rewrites every component";
}

void claim_test_c2(struct test_result *result)
{
	static char buffer[3072];
	static char reasons[4][VM_REASON_SIZE];
	uint64_t mask = xsave_user_mask(), skipped[4] = { 0 }, skipped_always[4];
	uint8_t *area = xsave_area_alloc();
	struct json_writer writer;
	int64_t median_ticks[4];
	int ran[4];

	if (!cpu_features()->has.xsaveopt)
		return test_skip(result, "CPUID.(EAX=0DH,ECX=1):EAX.XSAVEOPT[0]=0");
	for (int step = NOTHING; step <= GUEST_XRSTOR; step++) {
		int64_t ticks[PROBE_REPEATS];
		reasons[step][0] = 0;
		ran[step] = 1;
		skipped_always[step] = ~0ull;
		for (int i = 0; i < PROBE_REPEATS && ran[step]; i++) {
			uint64_t one = 0, skipped_now = 0;
			ran[step] = probe(step, mask, area, &skipped_now, &one, reasons[step],
					  sizeof reasons[step]) == 0;
			skipped[step] |= skipped_now;
			skipped_always[step] &= skipped_now;
			ticks[i] = (int64_t)one;
		}
		statistics_sort(ticks, PROBE_REPEATS);
		median_ticks[step] = ran[step] ? statistics_percentile(ticks, PROBE_REPEATS, 50) : 0;
	}
	if (!ran[NOTHING])
		return test_fail(result, "the probe with nothing in between failed: %s", reasons[NOTHING]);

	json_begin(&writer, buffer, sizeof buffer);
	json_int(&writer, "schema", 1);
	json_string(&writer, "id", "C2");
	json_string(&writer, "claim", "XSAVEOPT's modified optimization does not survive VM entry/exit");
	json_string(&writer, "verdict", verdict(skipped, ran));
	json_bool(&writer, "platform_applies_optimization", skipped[NOTHING] != 0);
	json_hex(&writer, "mask", mask);
	json_object_begin(&writer, "conditions");
	for (int step = NOTHING; step <= GUEST_XRSTOR; step++)
		write_condition(&writer, condition_names[step], mask, skipped[step],
				skipped[step] == skipped_always[step], ran[step], reasons[step], median_ticks[step]);
	json_object_end(&writer);
	record_emit("claim", &writer);
	if (!ran[RING3_ROUND_TRIP])
		test_fail(result, "the CPL-change condition could not run: %s", reasons[RING3_ROUND_TRIP]);
	if (ran[GUEST_XRSTOR] && skipped[GUEST_XRSTOR])
		test_fail(result, "XSAVEOPT skipped components 0x%llx after a guest XRSTOR from another "
			  "area: that would lose the guest's values", (unsigned long long)skipped[GUEST_XRSTOR]);
}
