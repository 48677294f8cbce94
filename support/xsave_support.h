/* Shared by the XSAVE benchmarks and tests: the component sets this CPU supports and
   aligned areas filled with register patterns. */
#ifndef FPULAB_XSAVE_SUPPORT_H
#define FPULAB_XSAVE_SUPPORT_H

#include <stdint.h>
#include "support/lib/xsave_layout.h"

#define XSAVE_AREA_PAGES 8      /* 32 KiB: more than any layout (AMX: about 11 KiB) */
#define XSAVE_MAX_SETS 8
#define AMX_COMPONENTS ((1ull << XSTATE_TILECFG) | (1ull << XSTATE_TILEDATA))

struct component_set {
	const char *name;
	uint64_t mask;
	int supervisor;         /* includes IA32_XSS components (XSAVES/XRSTORS only) */
};

/* The sets named in docs/method.md that this CPU supports, smallest first. */
unsigned xsave_component_sets(struct component_set *sets);
/* Every user component fpulab can fill with patterns (the baseline XCR0 without MPX's). */
uint64_t xsave_user_mask(void);
const struct xsave_component *xsave_components(void);
/* A zeroed, page-aligned area of XSAVE_AREA_PAGES. It stays allocated for the rest of the
   run: only the vm tests' fixture (kernel/vm/vm_fixture.c) gives pages back. */
uint8_t *xsave_area_alloc(void);
/* area := patterns(seed) for mask in the chosen format. */
void xsave_area_with_patterns(uint8_t *area, uint64_t mask, uint8_t seed, int compacted);
/* area := a header that marks every component init (registers load their init values). */
void xsave_area_all_init(uint8_t *area, uint64_t mask, int compacted);
struct xsave_header *xsave_header_of(uint8_t *area);
/* Why this CPU cannot execute instruction ("fxsave", "xsaveopt", "xrstors", ...):
   the CPUID bit that is clear, or NULL when it can. */
const char *xsave_instruction_missing(const char *instruction);
/* NULL when this CPU restores its own XSAVEC output; else why it cannot (Bochs 2.7
   raises #GP: docs/platforms.md). Compacted-format tests and states SKIP with it. */
const char *xsave_compacted_defect(void);
/* NULL when XSAVE gives back the tile state (TILECFG, TILEDATA) XRSTOR loaded, or when
   there is no AMX; else what differs. The tiles are then left out of xsave_user_mask():
   only the xsave/amx/ tests use them, and fail. */
const char *xsave_amx_defect(void);

/* Measures body and emits its `bench` record with `set`/`mask` and `state` when given
   (NULL leaves them out); a harness refusal fails the test. 0, or -1. */
struct test_result;
struct bench_body;
struct bench_arguments;
int xsave_bench_emit(struct test_result *result, const char *name, const struct bench_body *body,
		     struct bench_arguments *arguments, const char *set, const char *state);
/* Measures body and begins its `bench` record in writer (over buffer), for a caller that
   adds fields of its own before harness_record_emit; a harness refusal fails the test.
   0, or -1. */
struct json_writer;
int xsave_bench_begin_record(struct test_result *result, const char *name, const struct bench_body *body,
			     struct bench_arguments *arguments, struct json_writer *writer, char *buffer,
			     unsigned long size);

#endif
