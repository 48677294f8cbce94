/* AMX availability and the tile layout of an XSAVE area, for the AMX and XFD tests and
   benchmarks, the hosted xfd/linux/ tests and the policy lab's metal backend. */
#include "support/amx.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "fpu_setup.h"

const char *amx_missing(void)
{
	const struct cpu_features *cpu = cpu_features();

	if (!cpu->has.amx_tile)
		return "CPUID.(EAX=07H,ECX=0):EDX.AMX-TILE[24]=0: no AMX on this CPU";
	if ((fpu_baseline_xcr0() & AMX_COMPONENTS) != AMX_COMPONENTS)
		return "XCR0[18:17] not both enabled: the tile state is not usable here";
	return 0;
}

uint64_t amx_test_mask(void)
{
	return (1ull << XSTATE_X87) | (1ull << XSTATE_SSE) | AMX_COMPONENTS;
}

const uint8_t *amx_tile_config_of(const uint8_t *area)
{
	return area + xsave_component_offset(xsave_components(), 0, XSTATE_TILECFG, 0);
}
