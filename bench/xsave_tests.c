/* xsave/... correctness: every save/restore pair round-trips every component register
   by register; header semantics; the faults the SDM promises. */
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "test_runner.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/string.h"

typedef int (*xsave_instruction)(void *area, uint64_t mask);

struct save_restore_pair {
	const char *save, *restore;
	xsave_instruction save_function, restore_function;
	int compacted;
	int legacy;               /* FXSAVE/FXRSTOR: x87 and SSE only */
};

static const struct save_restore_pair pairs[] = {
	{ "fxsave", "fxrstor", fxsave_safe, fxrstor_safe, 0, 1 },
	{ "xsave", "xrstor", xsave_safe, xrstor_safe, 0, 0 },
	{ "xsaveopt", "xrstor", xsaveopt_safe, xrstor_safe, 0, 0 },
	{ "xsavec", "xrstor", xsavec_safe, xrstor_safe, 1, 0 },
	{ "xsaves", "xrstors", xsaves_safe, xrstors_safe, 1, 0 },
	{ "xsavec", "xrstors", xsavec_safe, xrstors_safe, 1, 0 },
	{ "xsaves", "xrstor", xsaves_safe, xrstor_safe, 1, 0 },
};

/* Which register of a component a byte offset falls in, for the failure message. */
static unsigned register_of(unsigned component, long byte)
{
	switch (component) {
	case XSTATE_X87: case XSTATE_SSE: case XSTATE_AVX: return (unsigned)(byte / 16);
	case XSTATE_OPMASK: return (unsigned)(byte / 8);
	case XSTATE_ZMM_HI256: return (unsigned)(byte / 32);
	case XSTATE_HI16_ZMM: return (unsigned)(16 + byte / 64);
	case XSTATE_TILEDATA: return (unsigned)(byte / XSAVE_TILE_BYTES);
	default: return 0;
	}
}

static int check(struct test_result *result, int vector, const char *what)
{
	if (vector)
		test_fail(result, "%s faulted with vector %d", what, vector);
	return vector;
}

static void round_trip(struct test_result *result, const struct save_restore_pair *pair)
{
	const char *missing = xsave_instruction_missing(pair->save);
	uint64_t mask = pair->legacy ? 0x3 : xsave_user_mask();
	xsave_instruction load = pair->legacy ? fxrstor_safe : xrstor_safe;
	xsave_instruction store = pair->legacy ? fxsave_safe : xsave_safe;
	uint8_t *patterns = xsave_area_alloc(), *scramble = xsave_area_alloc();
	uint8_t *saved = xsave_area_alloc(), *after = xsave_area_alloc();

	if (!missing)
		missing = xsave_instruction_missing(pair->restore);
	if (missing)
		return test_skip(result, "%s", missing);
	if (pair->compacted && xsave_compacted_defect())
		return test_skip(result, "%s", xsave_compacted_defect());
	xsave_area_with_patterns(patterns, mask, 1, 0);
	xsave_area_with_patterns(scramble, mask, 2, 0);
	if (check(result, load(patterns, mask), "loading the patterns") ||
	    check(result, pair->save_function(saved, mask), pair->save) ||
	    check(result, load(scramble, mask), "scrambling the registers") ||
	    check(result, pair->restore_function(saved, mask), pair->restore) ||
	    check(result, store(after, mask), "saving the result"))
		return;
	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++) {
		long byte;
		if (!((mask >> i) & 1))
			continue;
		byte = xsave_component_compare(after, patterns, xsave_components(), mask, i, 0, 0);
		if (byte >= 0)
			return test_fail(result, "component %u register %u differs at byte %ld after %s/%s",
					 i, register_of(i, byte), byte, pair->save, pair->restore);
	}
	test_diagnostic(result, "mask", "\"0x%llx\"", (unsigned long long)mask);
}

#define ROUND_TRIP_TEST(index, name) \
	void xsave_test_##name(struct test_result *result) { round_trip(result, &pairs[index]); }
ROUND_TRIP_TEST(0, fxsave_fxrstor)
ROUND_TRIP_TEST(1, xsave_xrstor)
ROUND_TRIP_TEST(2, xsaveopt_xrstor)
ROUND_TRIP_TEST(3, xsavec_xrstor)
ROUND_TRIP_TEST(4, xsaves_xrstors)
ROUND_TRIP_TEST(5, xsavec_xrstors)
ROUND_TRIP_TEST(6, xsaves_xrstor)

/* After XSAVEOPT/XSAVEC/XSAVES, XSTATE_BV = XINUSE & RFBM (SDM Vol. 1, 13.9-13.11),
   with the registers in use and again after they were put in their init state. */
void xsave_test_xstate_bv_matches_xinuse(struct test_result *result)
{
	static const char *const names[3] = { "xsaveopt", "xsavec", "xsaves" };
	static const xsave_instruction saves[3] = { xsaveopt_safe, xsavec_safe, xsaves_safe };
	uint64_t mask = xsave_user_mask(), in_use;
	uint8_t *patterns = xsave_area_alloc(), *init = xsave_area_alloc(), *area = xsave_area_alloc();
	unsigned checked = 0;

	if (!cpu_features()->has.xgetbv1)
		return test_skip(result, "CPUID.(EAX=0DH,ECX=1):EAX.XGETBV1[2]=0: XINUSE unreadable");
	xsave_area_with_patterns(patterns, mask, 3, 0);
	xsave_area_all_init(init, mask, 0);
	for (unsigned i = 0; i < 3; i++) {
		const char *missing = xsave_instruction_missing(names[i]);

		if (missing) {
			test_diagnostic(result, names[i], "\"not checked: %s\"", missing);
			continue;
		}
		for (unsigned round = 0; round < 2; round++) {
			if (check(result, xrstor_safe(round ? init : patterns, mask), "XRSTOR"))
				return;
			in_use = xgetbv(1);
			memset(area, 0, XSAVE_AREA_PAGES * 4096);
			if (check(result, saves[i](area, mask), names[i]))
				return;
			if (xsave_header_of(area)->xstate_bv != (in_use & mask))
				return test_fail(result, "%s (%s registers): XSTATE_BV 0x%llx, XINUSE&RFBM 0x%llx",
						 names[i], round ? "init" : "in-use",
						 (unsigned long long)xsave_header_of(area)->xstate_bv,
						 (unsigned long long)(in_use & mask));
			checked++;
		}
	}
	/* XINUSE[i] may stay 1 for a component in its init state (SDM Vol. 1, 13.6):
	   QEMU's TCG reports everything in use. Only the equality above is required. */
	test_diagnostic(result, "checked", "%u", checked);
	test_diagnostic(result, "xinuse_after_init", "\"0x%llx\"", (unsigned long long)(xgetbv(1) & mask));
}

/* XSAVEC writes XCOMP_BV = RFBM | bit 63 and places components where CPUID leaf 0DH's
   sizes and 64-byte-alignment flags say (SDM Vol. 1, 13.4.3). */
void xsave_test_compacted_layout(struct test_result *result)
{
	uint64_t mask = xsave_user_mask();
	uint8_t *patterns = xsave_area_alloc(), *area = xsave_area_alloc();

	if (xsave_instruction_missing("xsavec"))
		return test_skip(result, "%s", xsave_instruction_missing("xsavec"));
	if (xsave_compacted_defect())
		return test_skip(result, "%s", xsave_compacted_defect());
	xsave_area_with_patterns(patterns, mask, 4, 0);
	if (check(result, xrstor_safe(patterns, mask), "XRSTOR") ||
	    check(result, xsavec_safe(area, mask), "XSAVEC"))
		return;
	if (xsave_header_of(area)->xcomp_bv != (mask | XSAVE_COMPACTED_BIT))
		return test_fail(result, "XCOMP_BV 0x%llx, expected 0x%llx",
				 (unsigned long long)xsave_header_of(area)->xcomp_bv,
				 (unsigned long long)(mask | XSAVE_COMPACTED_BIT));
	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++) {
		long byte;
		if (!((mask >> i) & 1))
			continue;
		byte = xsave_component_compare(area, patterns, xsave_components(), mask, i, 1, 0);
		if (byte >= 0) {
			uint32_t offset = xsave_compacted_offset(xsave_components(), mask, i);
			test_diagnostic(result, "xstate_bv", "\"0x%llx\"",
					(unsigned long long)xsave_header_of(area)->xstate_bv);
			test_diagnostic(result, "bytes_at_offset", "\"%02x %02x %02x %02x\"", area[offset],
					area[offset + 1], area[offset + 2], area[offset + 3]);
			return test_fail(result, "component %u not at compacted offset %u (byte %ld differs)",
					 i, offset, byte);
		}
	}
}

/* A component whose XSTATE_BV bit is clear is loaded in its init state, whatever the
   area's data says (SDM Vol. 1, 13.8.1). A later XSAVE either marks it init in the
   header or, since XINUSE may stay 1 (13.6), writes its init value: zeros. */
void xsave_test_restore_init_component(struct test_result *result)
{
	uint64_t mask = xsave_user_mask();
	unsigned component = (mask & (1ull << XSTATE_AVX)) ? XSTATE_AVX : XSTATE_SSE;
	uint8_t *area = xsave_area_alloc(), *after = xsave_area_alloc();

	if (!cpu_features()->has.xsave)
		return test_skip(result, "CPUID.1:ECX.XSAVE[26]=0");
	xsave_area_with_patterns(area, mask, 5, 0);
	xsave_header_of(area)->xstate_bv &= ~(1ull << component);
	if (check(result, xrstor_safe(area, mask), "XRSTOR") ||
	    check(result, xsave_safe(after, mask), "XSAVE"))
		return;
	if (xsave_header_of(after)->xstate_bv & (1ull << component)) {
		uint32_t offset, size;
		xsave_component_data_range(xsave_components(), mask, component, 0, &offset, &size);
		for (uint32_t b = 0; b < size; b++)
			if (after[offset + b])
				return test_fail(result, "component %u restored as init holds non-zero byte %u",
						 component, b);
		test_diagnostic(result, "saved_as", "\"in use with init values (XINUSE stayed 1)\"");
	} else {
		test_diagnostic(result, "saved_as", "\"init (XSTATE_BV bit clear)\"");
	}
}

static void expect_fault(struct test_result *result, int vector, int expected, const char *what)
{
	if (vector != expected)
		test_fail(result, "%s: vector %d, expected %d", what, vector, expected);
}

void xsave_test_fault_reserved_header(struct test_result *result)
{
	uint64_t mask = xsave_user_mask();
	uint8_t *area = xsave_area_alloc();

	if (!cpu_features()->has.xsave)
		return test_skip(result, "CPUID.1:ECX.XSAVE[26]=0");
	xsave_area_with_patterns(area, mask, 6, 0);
	xsave_header_of(area)->reserved[0] = 1;   /* header bytes 16..23 must be zero */
	expect_fault(result, xrstor_safe(area, mask), VECTOR_GP, "XRSTOR with a reserved header byte set");
}

void xsave_test_fault_misaligned(struct test_result *result)
{
	uint64_t mask = xsave_user_mask();
	uint8_t *patterns = xsave_area_alloc(), *area = xsave_area_alloc();

	if (!cpu_features()->has.xsave)
		return test_skip(result, "CPUID.1:ECX.XSAVE[26]=0");
	xsave_area_with_patterns(patterns, mask, 7, 0);
	memcpy(area + 16, patterns, cpu_features()->xsave_standard_size);
	expect_fault(result, xrstor_safe(area + 16, mask), VECTOR_GP, "XRSTOR from a 16-byte aligned area");
	if (result->status == TEST_PASS)
		expect_fault(result, xsave_safe(area + 8, mask), VECTOR_GP, "XSAVE to an 8-byte aligned area");
}

void xsave_test_fault_xsetbv(struct test_result *result)
{
	uint64_t supported = cpu_features()->xcr0_supported, baseline = fpu_baseline_xcr0();
	unsigned unsupported_bit = 2;

	if (!cpu_features()->has.xsave)
		return test_skip(result, "CPUID.1:ECX.XSAVE[26]=0");
	if (current_privilege_level() != 0)
		return test_skip(result, "%s", RING0_ONLY_REASON("XSETBV"));
	while (unsupported_bit < 63 && ((supported >> unsupported_bit) & 1))
		unsupported_bit++;
	expect_fault(result, xsetbv_safe(0, baseline & ~1ull), VECTOR_GP, "XCR0 without x87 (bit 0)");
	if (result->status == TEST_PASS && (supported & 4))
		expect_fault(result, xsetbv_safe(0, 0x5), VECTOR_GP, "XCR0 with AVX but without SSE");
	if (result->status == TEST_PASS)
		expect_fault(result, xsetbv_safe(0, baseline | (1ull << unsupported_bit)), VECTOR_GP,
			     "XCR0 with an unsupported component");
	if (result->status == TEST_PASS)
		expect_fault(result, xsetbv_safe(1, baseline), VECTOR_GP, "XSETBV to XCR1");
	xsetbv_safe(0, baseline);
}

void xsave_test_fault_nm_with_ts(struct test_result *result)
{
	uint64_t cr0;
	uint8_t *area;
	uint32_t mxcsr;
	int vector, stmxcsr_vector, xsave_vector = -1;

	if (current_privilege_level() != 0)
		return test_skip(result, "%s", RING0_ONLY_REASON("MOV to CR0 (CR0.TS)"));
	cr0 = read_cr0();
	area = cpu_features()->has.xsave ? xsave_area_alloc() : 0;

	write_cr0(cr0 | CR0_TS);
	vector = sse_touch_safe();
	stmxcsr_vector = stmxcsr_safe(&mxcsr);
	if (area)
		xsave_vector = xsave_safe(area, 3);
	write_cr0(cr0 & ~CR0_TS);
	/* The SDM says #NM; QEMU's TCG runs XSAVE with CR0.TS set (the policy lab's
	   metal backend probes with STMXCSR for that reason, docs/lab.md). */
	if (area)
		test_diagnostic(result, "xsave_with_ts", "%d", xsave_vector);
	expect_fault(result, vector, VECTOR_NM, "an SSE instruction with CR0.TS set");
	if (result->status == TEST_PASS)
		expect_fault(result, stmxcsr_vector, VECTOR_NM, "STMXCSR with CR0.TS set");
	if (result->status == TEST_PASS && sse_touch_safe() != 0)
		test_fail(result, "the SSE instruction still faults after CLTS");
}
