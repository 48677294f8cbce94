/* claim/c2: does XSAVEOPT's modified optimization survive a VM entry and exit? (seed
   003: "the XSTOROPT optimization does not work across VMENTER / VMEXIT").
   Architecturally visible (SDM Vol. 1, 13.6): after XRSTOR from area A, fill A's
   register regions with a canary; an XSAVEOPT to A that skips a component leaves its
   canary. The probe runs that with nothing in between, with a ring-3 round trip in
   between, and (once fpulab has its own guests) with a VM entry/exit and a guest XRSTOR. */
#include "bench/harness.h"
#include "bench/xsave_support.h"
#include "cpu_features.h"
#include "guarded_call.h"
#include "memory.h"
#include "test_runner.h"
#include "arch/cpu_tables.h"
#include "arch/safe.h"
#include "lib/json_writer.h"
#include "lib/string.h"

#define CANARY 0xcc
#define USER_STACK_PAGES 1

void enter_user_mode_and_trap(uint64_t user_stack_top, uint16_t code_selector, uint16_t data_selector);

static const char *const component_names[XSAVE_MAX_COMPONENTS] = {
	[XSTATE_X87] = "x87", [XSTATE_SSE] = "sse", [XSTATE_AVX] = "avx",
	[XSTATE_OPMASK] = "opmask", [XSTATE_ZMM_HI256] = "zmm_hi256",
	[XSTATE_HI16_ZMM] = "hi16_zmm", [XSTATE_PKRU] = "pkru",
};

enum between { NOTHING, RING3_ROUND_TRIP };

static void ring3_round_trip(void *stack_top)
{
	enter_user_mode_and_trap((uint64_t)(uintptr_t)stack_top, user_code_selector, user_data_selector);
}

static void reload_data_segments(void)
{
	__asm__ volatile("mov %0, %%ds; mov %0, %%es" : : "r"((uint32_t)kernel_data_selector));
}

/* Runs one condition; fills skipped with the components whose canary survived.
   Returns 0, or -1 when the condition could not run. */
static int probe(enum between step, uint64_t mask, uint8_t *area, uint64_t *skipped)
{
	const struct xsave_component *components = xsave_components();
	uint32_t offset, size;

	xsave_area_with_patterns(area, mask, 9, 0);
	if (xrstor_safe(area, mask) != 0)
		return -1;
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
		if (!trapped || call->vector != 6)
			return -1;
	}
	if (xsaveopt_safe(area, mask) != 0)
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

static void write_condition(struct json_writer *writer, const char *name, uint64_t mask,
			    uint64_t skipped, int ran, const char *reason)
{
	json_object_begin(writer, name);
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

void claim_test_c2(struct test_result *result)
{
	static char buffer[2048];
	uint64_t mask = xsave_user_mask(), skipped_plain = 0, skipped_ring3 = 0;
	uint8_t *area = xsave_area_alloc();
	const char *no_guest = "needs fpulab's own VMX/SVM guest, which this build does not have yet";
	struct json_writer writer;
	int ring3_ran;

	if (!cpu_features()->has.xsaveopt)
		return test_skip(result, "CPUID.(EAX=0DH,ECX=1):EAX.XSAVEOPT[0]=0");
	if (probe(NOTHING, mask, area, &skipped_plain) != 0)
		return test_fail(result, "the probe with nothing in between faulted");
	ring3_ran = probe(RING3_ROUND_TRIP, mask, area, &skipped_ring3) == 0;

	json_begin(&writer, buffer, sizeof buffer);
	json_int(&writer, "schema", 1);
	json_string(&writer, "id", "C2");
	json_string(&writer, "claim", "XSAVEOPT's modified optimization does not survive VM entry/exit");
	json_string(&writer, "verdict", skipped_plain
		    ? "unsettled: the VM conditions need fpulab's own guest"
		    : "undecidable on this platform: XSAVEOPT never skips a component here, even with nothing in between");
	json_bool(&writer, "platform_applies_optimization", skipped_plain != 0);
	json_hex(&writer, "mask", mask);
	json_object_begin(&writer, "conditions");
	write_condition(&writer, "nothing", mask, skipped_plain, 1, 0);
	write_condition(&writer, "cpl-change", mask, skipped_ring3, ring3_ran,
			"the ring-3 round trip did not come back through #UD");
	write_condition(&writer, "vm-entry-exit", mask, 0, 0, no_guest);
	write_condition(&writer, "guest-xrstor", mask, 0, 0, no_guest);
	json_object_end(&writer);
	record_emit("claim", &writer);
	if (!ring3_ran)
		test_fail(result, "the CPL-change condition could not run");
}
