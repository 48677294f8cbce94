/* xsave/amx/...: the AMX state components (TILECFG 17, TILEDATA 18) as the XSAVE
   family and the tile instructions see them. The round trips of every component
   (bench/xsave_tests.c) include the tiles whenever XCR0 enables them. */
#include "support/amx.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "test_runner.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/string.h"

/* XRSTOR loads TILECFG as the area holds it: STTILECFG must give back the same 64
   bytes, and XINUSE[17] and [18] are set (SDM Vol. 1, 13.6). */
void amx_test_tilecfg_restored(struct test_result *result)
{
	uint64_t mask = amx_test_mask();
	uint8_t *patterns = xsave_area_alloc(), *config = xsave_area_alloc();
	int vector;

	if (amx_missing())
		return test_skip(result, "%s", amx_missing());
	xsave_area_fill_patterns(patterns, xsave_components(), mask, mask, 9, 0);
	if ((vector = xrstor_safe(patterns, mask)) != 0)
		return test_fail(result, "XRSTOR of the AMX patterns: vector %d", vector);
	if ((vector = sttilecfg_safe(config)) != 0)
		return test_fail(result, "STTILECFG: vector %d", vector);
	for (unsigned byte = 0; byte < XSAVE_TILECFG_SIZE; byte++)
		if (config[byte] != amx_tile_config_of(patterns)[byte])
			return test_fail(result, "TILECFG byte %u is 0x%02x, restored 0x%02x", byte,
					 config[byte], amx_tile_config_of(patterns)[byte]);
	if (cpu_features()->has.xgetbv1 && (xgetbv(1) & AMX_COMPONENTS) != AMX_COMPONENTS)
		test_fail(result, "XINUSE 0x%llx after restoring tiles in use",
			  (unsigned long long)xgetbv(1));
}

/* TILERELEASE returns TILECFG and TILEDATA to their init state: a later XSAVE marks
   them init or, where XINUSE stays set, writes zeros; STTILECFG reads palette 0. */
void amx_test_tilerelease_inits(struct test_result *result)
{
	uint64_t mask = amx_test_mask();
	uint8_t *patterns = xsave_area_alloc(), *after = xsave_area_alloc(), *config = xsave_area_alloc();
	int vector;

	if (amx_missing())
		return test_skip(result, "%s", amx_missing());
	xsave_area_fill_patterns(patterns, xsave_components(), mask, mask, 10, 0);
	if ((vector = xrstor_safe(patterns, mask)) != 0)
		return test_fail(result, "XRSTOR of the AMX patterns: vector %d", vector);
	if ((vector = tilerelease_safe()) != 0)
		return test_fail(result, "TILERELEASE: vector %d", vector);
	if ((vector = xsave_safe(after, mask)) != 0)
		return test_fail(result, "XSAVE: vector %d", vector);
	for (unsigned component = XSTATE_TILECFG; component <= XSTATE_TILEDATA; component++) {
		uint32_t offset, size;
		if (!((xsave_header_of(after)->xstate_bv >> component) & 1))
			continue;
		xsave_component_data_range(xsave_components(), mask, component, 0, &offset, &size);
		for (uint32_t byte = 0; byte < size; byte++)
			if (after[offset + byte])
				return test_fail(result, "component %u holds byte %u = 0x%02x after TILERELEASE",
						 component, byte, after[offset + byte]);
	}
	memset(config, 0xff, XSAVE_TILECFG_SIZE);
	if ((vector = sttilecfg_safe(config)) != 0)
		return test_fail(result, "STTILECFG: vector %d", vector);
	for (unsigned byte = 0; byte < XSAVE_TILECFG_SIZE; byte++)
		if (config[byte])
			return test_fail(result, "STTILECFG byte %u is 0x%02x after TILERELEASE", byte,
					 config[byte]);
	test_diagnostic(result, "xstate_bv_after", "\"0x%llx\"",
			(unsigned long long)xsave_header_of(after)->xstate_bv);
}
