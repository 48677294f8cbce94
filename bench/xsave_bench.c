/* xsave/...: cycle benchmarks of the XSAVE family and the FPU control primitives,
   one `bench` record per (instruction, component set, state). */
#include "support/amx.h"
#include "support/harness.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "memory.h"
#include "test_runner.h"
#include "arch/safe.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "lib/json_writer.h"
#include "lib/format.h"
#include "lib/string.h"

#define SAVE_UNROLL 8

DECLARE_BODY(bench_fxsave_from_area2); DECLARE_BODY(bench_fxsave_from_area);
DECLARE_BODY(bench_xsave_from_area2); DECLARE_BODY(bench_xsave_from_area);
DECLARE_BODY(bench_xsaveopt_from_area2); DECLARE_BODY(bench_xsaveopt_from_area);
DECLARE_BODY(bench_xsavec_from_area2); DECLARE_BODY(bench_xsavec_from_area);
DECLARE_BODY(bench_xsaves_from_area2); DECLARE_BODY(bench_xsaves_from_area);
DECLARE_BODY(bench_fxrstor); DECLARE_BODY(bench_xrstor); DECLARE_BODY(bench_xrstors);
DECLARE_BODY(bench_xgetbv0); DECLARE_BODY(bench_xgetbv1); DECLARE_BODY(bench_xsetbv_same);
DECLARE_BODY(bench_tilerelease); DECLARE_BODY(bench_ldtilecfg_tilerelease); DECLARE_BODY(bench_tilezero);
DECLARE_BODY(bench_clts); DECLARE_BODY(bench_set_ts_clts); DECLARE_BODY(bench_nm_round_trip);

struct save_instruction {
	const char *name;
	struct bench_body from_other_area, from_same_area;
	unsigned flags;
};
#define SAVE_COMPACTED   (1u << 0)   /* writes the compacted format (XCOMP_BV bit 63) */
#define SAVE_LEGACY_ONLY (1u << 1)   /* x87 and SSE only, no XSAVE header (FXSAVE) */
#define SAVE_SUPERVISOR  (1u << 2)   /* saves IA32_XSS components too (XSAVES) */
#define SAVE_SETUP_XRSTORS (1u << 3) /* its setup restores with XRSTORS: compacted patterns */

static const struct save_instruction save_instructions[] = {
	{ "fxsave", BODY(bench_fxsave_from_area2, SAVE_UNROLL), BODY(bench_fxsave_from_area, SAVE_UNROLL), SAVE_LEGACY_ONLY },
	{ "xsave", BODY(bench_xsave_from_area2, SAVE_UNROLL), BODY(bench_xsave_from_area, SAVE_UNROLL), 0 },
	{ "xsaveopt", BODY(bench_xsaveopt_from_area2, SAVE_UNROLL), BODY(bench_xsaveopt_from_area, SAVE_UNROLL), 0 },
	{ "xsavec", BODY(bench_xsavec_from_area2, SAVE_UNROLL), BODY(bench_xsavec_from_area, SAVE_UNROLL), SAVE_COMPACTED },
	{ "xsaves", BODY(bench_xsaves_from_area2, SAVE_UNROLL), BODY(bench_xsaves_from_area, SAVE_UNROLL),
	  SAVE_COMPACTED | SAVE_SUPERVISOR | SAVE_SETUP_XRSTORS },
};

int xsave_bench_begin_record(struct test_result *result, const char *name, const struct bench_body *body,
			     struct bench_arguments *arguments, struct json_writer *writer, char *buffer,
			     unsigned long size)
{
	struct bench_result measured;

	if (harness_measure(body, arguments, harness_sample_count(), &measured) != 0) {
		test_fail(result, "%s: the harness refused the body", name);
		return -1;
	}
	harness_record_begin(writer, buffer, size, name, &measured);
	return 0;
}

int xsave_bench_emit(struct test_result *result, const char *name, const struct bench_body *body,
		     struct bench_arguments *arguments, const char *set, const char *state)
{
	struct json_writer writer;
	char buffer[768];

	if (xsave_bench_begin_record(result, name, body, arguments, &writer, buffer, sizeof buffer) != 0)
		return -1;
	if (set) {
		harness_record_bytes(xsave_standard_size(xsave_components(), arguments->mask));
		json_string(&writer, "set", set);
		json_hex(&writer, "mask", arguments->mask);
	}
	if (state)
		json_string(&writer, "state", state);
	harness_record_emit(&writer);
	return 0;
}

static void bench_saves(struct test_result *result, const struct save_instruction *instruction)
{
	struct component_set sets[XSAVE_MAX_SETS];
	unsigned count = xsave_component_sets(sets);
	uint8_t *area = xsave_area_alloc(), *area2 = xsave_area_alloc();
	const char *missing = xsave_instruction_missing(instruction->name);
	char name[96];

	if (missing)
		return test_skip(result, "%s", missing);
	for (unsigned i = 0; i < count; i++) {
		struct bench_arguments arguments = { 0 };
		uint64_t saved_xss = 0;
		if ((instruction->flags & SAVE_LEGACY_ONLY) && i > 0)
			break;
		if (sets[i].supervisor && !(instruction->flags & SAVE_SUPERVISOR))
			continue;
		if (sets[i].supervisor && (rdmsr_safe(MSR_IA32_XSS, &saved_xss) != 0 ||
					   wrmsr_safe(MSR_IA32_XSS, cpu_features()->xss_supported) != 0))
			continue;
		arguments.mask = sets[i].mask;
		arguments.area = (uint64_t)(uintptr_t)area;
		arguments.area2 = (uint64_t)(uintptr_t)area2;

		xsave_area_all_init(area2, sets[i].mask, 0);
		format_string(name, sizeof name, "xsave/%s/%s/init", instruction->name, sets[i].name);
		xsave_bench_emit(result, name, &instruction->from_other_area, &arguments, sets[i].name, "init");

		/* "unmodified" restores the body's own (compacted) output before each window */
		if (!(instruction->flags & SAVE_COMPACTED) || !xsave_compacted_defect()) {
			xsave_area_with_patterns(area, sets[i].mask, 1, (instruction->flags & SAVE_SETUP_XRSTORS) != 0);
			format_string(name, sizeof name, "xsave/%s/%s/unmodified", instruction->name, sets[i].name);
			xsave_bench_emit(result, name, &instruction->from_same_area, &arguments, sets[i].name, "unmodified");
		}

		xsave_area_with_patterns(area2, sets[i].mask, 2, 0);
		format_string(name, sizeof name, "xsave/%s/%s/modified", instruction->name, sets[i].name);
		xsave_bench_emit(result, name, &instruction->from_other_area, &arguments, sets[i].name, "modified");
		if (sets[i].supervisor)
			wrmsr_safe(MSR_IA32_XSS, saved_xss);
	}
	if ((instruction->flags & SAVE_COMPACTED) && xsave_compacted_defect())
		test_diagnostic(result, "unmodified_state", "\"not measured: %s\"", xsave_compacted_defect());
}

void bench_test_fxsave(struct test_result *result) { bench_saves(result, &save_instructions[0]); }
void bench_test_xsave(struct test_result *result) { bench_saves(result, &save_instructions[1]); }
void bench_test_xsaveopt(struct test_result *result) { bench_saves(result, &save_instructions[2]); }
void bench_test_xsavec(struct test_result *result) { bench_saves(result, &save_instructions[3]); }
void bench_test_xsaves(struct test_result *result) { bench_saves(result, &save_instructions[4]); }

static void bench_restores(struct test_result *result, const char *instruction,
			   const struct bench_body *body, int compacted)
{
	struct component_set sets[XSAVE_MAX_SETS];
	unsigned count = xsave_component_sets(sets);
	uint8_t *area = xsave_area_alloc();
	const char *missing = xsave_instruction_missing(instruction);
	char name[96];

	if (missing)
		return test_skip(result, "%s", missing);
	if (compacted && xsave_compacted_defect())
		return test_skip(result, "%s", xsave_compacted_defect());
	for (unsigned i = 0; i < count; i++) {
		struct bench_arguments arguments = { 0 };
		if (sets[i].supervisor || (instruction[0] == 'f' && i > 0))
			continue;
		arguments.mask = sets[i].mask;
		arguments.area = (uint64_t)(uintptr_t)area;
		if (instruction[0] != 'f') {
			xsave_area_all_init(area, sets[i].mask, compacted);
			format_string(name, sizeof name, "xsave/%s/%s/init", instruction, sets[i].name);
			xsave_bench_emit(result, name, body, &arguments, sets[i].name, "init");
		}
		xsave_area_with_patterns(area, sets[i].mask, 1, compacted);
		format_string(name, sizeof name, "xsave/%s/%s/in-use", instruction, sets[i].name);
		xsave_bench_emit(result, name, body, &arguments, sets[i].name, "in-use");
	}
}

void bench_test_fxrstor(struct test_result *result)
{
	const struct bench_body body = BODY(bench_fxrstor, SAVE_UNROLL);
	bench_restores(result, "fxrstor", &body, 0);
}

void bench_test_xrstor(struct test_result *result)
{
	const struct bench_body body = BODY(bench_xrstor, SAVE_UNROLL);
	bench_restores(result, "xrstor", &body, 0);
}

void bench_test_xrstors(struct test_result *result)
{
	const struct bench_body body = BODY(bench_xrstors, SAVE_UNROLL);
	bench_restores(result, "xrstors", &body, 1);
}

/* XGETBV, XSETBV, CLTS, CR0.TS writes and the #NM round trip of a lazy FPU switch.
   Outside ring 0 (the hosted build) only XGETBV runs. */
void bench_test_control(struct test_result *result)
{
	const struct bench_body xgetbv0 = BODY(bench_xgetbv0, 16), xgetbv1 = BODY(bench_xgetbv1, 16);
	const struct bench_body xsetbv = BODY(bench_xsetbv_same, 8), clts = BODY(bench_clts, 16);
	const struct bench_body set_ts = BODY(bench_set_ts_clts, 8), nm = BODY(bench_nm_round_trip, 8);
	struct bench_arguments arguments = { 0 };
	int xgetbv_usable = cpu_features()->has.xsave && (cpuid(1, 0).ecx & CPUID1_ECX_OSXSAVE);
	uint64_t traps_before;

	arguments.mask = xgetbv_usable ? fpu_baseline_xcr0() : 0;
	if (xgetbv_usable) {
		xsave_bench_emit(result, "xsave/xgetbv0", &xgetbv0, &arguments, 0, 0);
		if (cpu_features()->has.xgetbv1)
			xsave_bench_emit(result, "xsave/xgetbv1", &xgetbv1, &arguments, 0, 0);
	}
	if (current_privilege_level() != 0)
		return test_skip(result, "XSETBV, CLTS and MOV to CR0 need CPL0: not available in a Linux process");
	arguments.value = read_cr0() | CR0_TS;
	xsave_bench_emit(result, "xsave/clts", &clts, &arguments, 0, 0);
	xsave_bench_emit(result, "xsave/cr0-ts-set-and-clts", &set_ts, &arguments, 0, 0);
	traps_before = trap_nm_count();
	trap_set_nm_clears_ts(1);
	xsave_bench_emit(result, "xsave/nm-round-trip", &nm, &arguments, 0, 0);
	trap_set_nm_clears_ts(0);
	write_cr0(read_cr0() & ~CR0_TS);
	if (trap_nm_count() == traps_before)
		return test_fail(result, "the #NM round trip raised no #NM");
	if (!xgetbv_usable)
		return test_skip(result, "CR0.TS benchmarks done; no XSAVE: XGETBV/XSETBV not measured");
	xsave_bench_emit(result, "xsave/xsetbv-same-value", &xsetbv, &arguments, 0, 0);
}

/* TILERELEASE with the tiles already init, LDTILECFG + TILERELEASE (what configuring
   and releasing the tiles costs a context), TILEZERO with the tiles configured. */
void bench_test_amx(struct test_result *result)
{
	const struct bench_body release = BODY(bench_tilerelease, 16);
	const struct bench_body configure = BODY(bench_ldtilecfg_tilerelease, 8);
	const struct bench_body zero = BODY(bench_tilezero, 16);
	struct bench_arguments arguments = { 0 };
	uint8_t *patterns = xsave_area_alloc();

	if (amx_missing())
		return test_skip(result, "%s", amx_missing());
	xsave_area_fill_patterns(patterns, xsave_components(), amx_test_mask(), amx_test_mask(), 1, 0);
	arguments.area = (uint64_t)(uintptr_t)amx_tile_config_of(patterns);
	if (tilerelease_safe() != 0)
		return test_fail(result, "TILERELEASE faulted");
	xsave_bench_emit(result, "xsave/tilerelease/init", &release, &arguments, 0, "init");
	xsave_bench_emit(result, "xsave/ldtilecfg+tilerelease", &configure, &arguments, 0, 0);
	xsave_bench_emit(result, "xsave/tilezero/configured", &zero, &arguments, 0, "configured");
	tilerelease_safe();
}
