#include "support/xsave_support.h"
#include "support/amx.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "arch/x86.h"
#include "memory.h"
#include "arch/safe.h"
#include "lib/format.h"
#include "lib/string.h"

#define MPX_COMPONENTS ((1ull << XSTATE_BNDREGS) | (1ull << XSTATE_BNDCSR))
#define X87_SSE ((1ull << XSTATE_X87) | (1ull << XSTATE_SSE))
#define AVX512_COMPONENTS ((1ull << XSTATE_OPMASK) | (1ull << XSTATE_ZMM_HI256) | (1ull << XSTATE_HI16_ZMM))

const struct xsave_component *xsave_components(void)
{
	return cpu_features()->components;
}

uint64_t xsave_user_mask(void)
{
	/* MPX bound registers #GP on restore unless their config is valid: they stay in
	   their init state. AMX is in (the patterns hold a valid palette-1 TILECFG) unless
	   this CPU cannot give its tile state back. */
	uint64_t mask = fpu_baseline_xcr0() & ~MPX_COMPONENTS & ~cpu_features()->xsave_unusable;

	return xsave_amx_defect() ? mask & ~AMX_COMPONENTS : mask;
}

static unsigned add_set(struct component_set *sets, unsigned count, const char *name,
			uint64_t mask, int supervisor)
{
	if (count < XSAVE_MAX_SETS) {
		sets[count].name = name;
		sets[count].mask = mask;
		sets[count].supervisor = supervisor;
	}
	return count + 1;
}

unsigned xsave_component_sets(struct component_set *sets)
{
	uint64_t supported = xsave_user_mask(), mask = X87_SSE;
	uint64_t xss = cpu_features()->xss_supported;
	unsigned count = add_set(sets, 0, "x87-sse", mask, 0);

	if (supported & (1ull << XSTATE_AVX))
		count = add_set(sets, count, "avx", mask |= 1ull << XSTATE_AVX, 0);
	if ((supported & AVX512_COMPONENTS) == AVX512_COMPONENTS)
		count = add_set(sets, count, "avx512", mask |= AVX512_COMPONENTS, 0);
	if (supported & (1ull << XSTATE_PKRU))
		count = add_set(sets, count, "pkru", mask |= 1ull << XSTATE_PKRU, 0);
	if ((supported & AMX_COMPONENTS) == AMX_COMPONENTS)
		count = add_set(sets, count, "amx", mask | AMX_COMPONENTS, 0);
	count = add_set(sets, count, "all", supported, 0);
	if (xss && cpu_features()->has.xsaves)
		count = add_set(sets, count, "all+supervisor", supported | xss, 1);
	return count < XSAVE_MAX_SETS ? count : XSAVE_MAX_SETS;
}

uint8_t *xsave_area_alloc(void)
{
	return (uint8_t *)(uintptr_t)memory_alloc_pages(XSAVE_AREA_PAGES);
}

struct xsave_header *xsave_header_of(uint8_t *area)
{
	return (struct xsave_header *)(area + XSAVE_HEADER_OFFSET);
}

void xsave_area_with_patterns(uint8_t *area, uint64_t mask, uint8_t seed, int compacted)
{
	memset(area, 0, XSAVE_AREA_PAGES * PAGE_SIZE);
	xsave_area_fill_patterns(area, xsave_components(), mask & xsave_user_mask(), mask, seed,
				 compacted);
}

void xsave_area_all_init(uint8_t *area, uint64_t mask, int compacted)
{
	memset(area, 0, XSAVE_AREA_PAGES * PAGE_SIZE);
	area[XSAVE_MXCSR_OFFSET] = (uint8_t)XSAVE_MXCSR_DEFAULT;
	area[XSAVE_MXCSR_OFFSET + 1] = (uint8_t)(XSAVE_MXCSR_DEFAULT >> 8);
	if (compacted)
		xsave_header_of(area)->xcomp_bv = mask | XSAVE_COMPACTED_BIT;
}

const char *xsave_compacted_defect(void)
{
	static char reason[160];
	static int probed;
	uint8_t *patterns, *area;
	uint64_t mask = xsave_user_mask();
	int vector;

	if (probed)
		return reason[0] ? reason : 0;
	probed = 1;
	if (!cpu_features()->has.xsavec)
		return 0;
	patterns = xsave_area_alloc();
	area = xsave_area_alloc();
	xsave_area_with_patterns(patterns, mask, 11, 0);
	if (xrstor_safe(patterns, mask) == 0 && xsavec_safe(area, mask) == 0 &&
	    (vector = xrstor_safe(area, mask)) != 0)
		format_string(reason, sizeof reason, "this CPU raises vector %d restoring its own XSAVEC "
			      "output (mask 0x%llx): compacted format unusable here (docs/platforms.md)",
			      vector, (unsigned long long)mask);
	return reason[0] ? reason : 0;
}

const char *xsave_amx_defect(void)
{
	static char reason[160];
	static int probed;
	uint64_t mask = X87_SSE | AMX_COMPONENTS;
	uint8_t *patterns, *area;
	int vector;

	if (probed)
		return reason[0] ? reason : 0;
	probed = 1;
	if (amx_missing())
		return 0;
	patterns = xsave_area_alloc();
	area = xsave_area_alloc();
	xsave_area_fill_patterns(patterns, xsave_components(), mask, mask, 12, 0);
	if ((vector = xrstor_safe(patterns, mask)) != 0 || (vector = xsave_safe(area, mask)) != 0)
		format_string(reason, sizeof reason, "XRSTOR/XSAVE of valid tile state raise vector %d", vector);
	for (unsigned i = XSTATE_TILECFG; i <= XSTATE_TILEDATA && !reason[0]; i++) {
		long byte = xsave_component_compare(area, patterns, xsave_components(), mask, i, 0, 0);
		if (!((xsave_header_of(area)->xstate_bv >> i) & 1))
			format_string(reason, sizeof reason, "XSAVE marks component %u init right after XRSTOR "
				      "loaded it in use: tile state not preserved here (docs/platforms.md)", i);
		else if (byte >= 0)
			format_string(reason, sizeof reason, "XSAVE gives back component %u with byte %ld changed "
				      "after XRSTOR: tile state not preserved here (docs/platforms.md)", i, byte);
	}
	tilerelease_safe();
	return reason[0] ? reason : 0;
}

const char *xsave_instruction_missing(const char *instruction)
{
	const struct cpu_features *cpu = cpu_features();

	if (instruction[0] == 'f')
		return cpu->has.fxsr ? 0 : "CPUID.1:EDX.FXSR[24]=0";
	if (!cpu->has.xsave)
		return "CPUID.1:ECX.XSAVE[26]=0";
	if (!strcmp(instruction, "xsaveopt") && !cpu->has.xsaveopt)
		return "CPUID.(EAX=0DH,ECX=1):EAX.XSAVEOPT[0]=0";
	if (!strcmp(instruction, "xsavec") && !cpu->has.xsavec)
		return "CPUID.(EAX=0DH,ECX=1):EAX.XSAVEC[1]=0";
	if ((starts_with(instruction, "xsaves") || starts_with(instruction, "xrstors")) && !cpu->has.xsaves)
		return "CPUID.(EAX=0DH,ECX=1):EAX.XSAVES[3]=0";
	if (current_privilege_level() != 0) {
		if (starts_with(instruction, "xsaves"))
			return RING0_ONLY_REASON("XSAVES");
		if (starts_with(instruction, "xrstors"))
			return RING0_ONLY_REASON("XRSTORS");
	}
	return 0;
}
