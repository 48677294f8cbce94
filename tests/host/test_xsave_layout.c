#include "unit.h"
#include "support/lib/xsave_layout.h"

#include <stdlib.h>
#include <string.h>

/* Sizes and offsets as CPUID leaf 0DH reports them on a Tiger Lake (AVX-512, PKRU). */
static struct xsave_component tigerlake[XSAVE_MAX_COMPONENTS] = {
	[0] = { 160, 0, 0, 0 }, [1] = { 256, 160, 0, 0 }, [2] = { 256, 576, 0, 0 },
	[5] = { 64, 1088, 0, 0 }, [6] = { 512, 1152, 0, 0 }, [7] = { 1024, 1664, 0, 0 },
	[8] = { 128, 0, 0, 1 }, [9] = { 8, 2688, 0, 0 },
	[17] = { 64, 2752, 0, 0 }, [18] = { 8192, 2816, 1, 0 },
};

int main(void)
{
	uint64_t avx512 = 0xe7, with_pkru = 0x2e7, amx = 0x602e7;
	uint8_t *a = calloc(1, 16384), *b = calloc(1, 16384);

	unit_begin();
	CHECK("layout/compacted-avx", xsave_compacted_offset(tigerlake, 0x7, XSTATE_AVX) == 576);
	CHECK("layout/compacted-skips-absent", xsave_compacted_offset(tigerlake, 0x23, XSTATE_OPMASK) == 576);
	CHECK("layout/compacted-opmask-after-avx", xsave_compacted_offset(tigerlake, avx512, XSTATE_OPMASK) == 832);
	CHECK("layout/compacted-hi16", xsave_compacted_offset(tigerlake, avx512, XSTATE_HI16_ZMM) == 832 + 64 + 512);
	CHECK("layout/compacted-size", xsave_compacted_size(tigerlake, with_pkru) == 576 + 256 + 64 + 512 + 1024 + 8);
	CHECK("layout/compacted-supervisor-pt", xsave_compacted_offset(tigerlake, 0x107, XSTATE_PT) == 832);
	/* TILECFG ends at 2440 + 64 = 2504; TILEDATA is 64-byte aligned: 2560 */
	CHECK("layout/compacted-align64", xsave_compacted_offset(tigerlake, amx, XSTATE_TILEDATA) == 2560);
	CHECK("layout/compacted-align64-rounds-up",
	      xsave_compacted_offset(tigerlake, 0x40207, XSTATE_TILEDATA) == 576 + 256 + 8 + 56);
	CHECK("layout/standard-size", xsave_standard_size(tigerlake, with_pkru) == 2696);
	CHECK("layout/standard-ignores-supervisor", xsave_standard_size(tigerlake, 0x107) == 832);

	xsave_area_fill_patterns(a, tigerlake, with_pkru, with_pkru, 1, 0);
	CHECK("patterns/header-xstate-bv", ((struct xsave_header *)(a + 512))->xstate_bv == with_pkru);
	CHECK("patterns/standard-has-no-xcomp", ((struct xsave_header *)(a + 512))->xcomp_bv == 0);
	CHECK("patterns/mxcsr-valid", a[XSAVE_MXCSR_OFFSET] == 0x80 && a[XSAVE_MXCSR_OFFSET + 1] == 0x1f);
	xsave_area_fill_patterns(b, tigerlake, with_pkru, with_pkru, 1, 1);
	CHECK("patterns/compacted-header", ((struct xsave_header *)(b + 512))->xcomp_bv ==
					      (with_pkru | XSAVE_COMPACTED_BIT));
	for (unsigned i = 0; i < 10; i++)
		if ((with_pkru >> i) & 1)
			CHECK("patterns/standard-equals-compacted",
			      xsave_component_compare(a, b, tigerlake, with_pkru, i, 0, 1) == -1);
	b[xsave_compacted_offset(tigerlake, with_pkru, XSTATE_ZMM_HI256) + 100] ^= 1;
	CHECK("patterns/compare-finds-difference",
	      xsave_component_compare(a, b, tigerlake, with_pkru, XSTATE_ZMM_HI256, 0, 1) == 100);
	a[XSAVE_X87_REGISTERS_OFFSET + 12] ^= 0xff;
	CHECK("patterns/x87-padding-ignored", xsave_component_compare(a, b, tigerlake, with_pkru, 0, 0, 1) == -1);
	memset(b, 0, 16384);
	xsave_area_fill_patterns(b, tigerlake, with_pkru, with_pkru, 2, 0);
	CHECK("patterns/seed-changes-data", xsave_component_compare(a, b, tigerlake, with_pkru, XSTATE_AVX, 0, 0) == 0);
	memset(b, 0, 16384);
	xsave_area_fill_patterns(b, tigerlake, 0x7, 0x207, 3, 1);
	CHECK("patterns/layout-mask-reserves-space",
	      ((struct xsave_header *)(b + 512))->xcomp_bv == (0x207 | XSAVE_COMPACTED_BIT) &&
	      ((struct xsave_header *)(b + 512))->xstate_bv == 0x7 && b[576] != 0 && b[832] == 0);

	/* AMX: a valid palette-1 TILECFG; tile data zero beyond each tile's rows */
	memset(a, 0, 16384);
	memset(b, 0, 16384);
	xsave_area_fill_patterns(a, tigerlake, amx, amx, 1, 0);
	xsave_area_fill_patterns(b, tigerlake, amx, amx, 2, 0);
	{
		const uint8_t *config = a + 2752, *data = a + 2816;
		int reserved_zero = config[1] == 0, widths = 1;
		for (unsigned byte = 2; byte < 64; byte++)
			if ((byte < 16 || (byte >= 32 && byte < 48) || byte >= 56) && config[byte])
				reserved_zero = 0;
		for (unsigned tile = 0; tile < 8; tile++)
			if (config[16 + 2 * tile] != 64 || config[17 + 2 * tile] != 0 ||
			    config[48 + tile] != xsave_tile_rows(1, tile) || config[48 + tile] > 16)
				widths = 0;
		CHECK("patterns/tilecfg-palette-1", config[0] == 1);
		CHECK("patterns/tilecfg-reserved-zero", reserved_zero);
		CHECK("patterns/tilecfg-rows-and-widths", widths);
		CHECK("patterns/tilecfg-differs-by-seed",
		      xsave_component_compare(a, b, tigerlake, amx, XSTATE_TILECFG, 0, 0) >= 48);
		CHECK("patterns/tiledata-rows-filled", data[0] != 0 || data[1] != 0);
		CHECK("patterns/tiledata-unconfigured-rows-zero",
		      xsave_tile_rows(1, 7) < 16 && data[7 * 1024 + xsave_tile_rows(1, 7) * 64] == 0 &&
		      data[8 * 1024 - 1] == 0);
	}
	/* A signal frame from a compacted buffer: the same bytes as XSAVE's standard
	   format, in use bits masked, the supervisor component left out. */
	{
		uint8_t *standard = calloc(1, 16384), *compacted = calloc(1, 16384), *copy = calloc(1, 16384);
		uint64_t buffer_layout = with_pkru | (1ull << XSTATE_PT), frame_mask = 0x27;   /* x87, SSE, AVX, opmask */
		int same = 1;
		uint32_t bytes;

		xsave_area_fill_patterns(standard, tigerlake, frame_mask, frame_mask, 5, 0);
		xsave_area_fill_patterns(compacted, tigerlake, buffer_layout, buffer_layout, 5, 1);
		memset(copy, 0xcc, 16384);
		bytes = xsave_area_copy_to_standard(copy, compacted, tigerlake, frame_mask | (1ull << XSTATE_PT));
		for (unsigned i = 0; i < 10; i++)
			if (((frame_mask >> i) & 1) &&
			    xsave_component_compare(copy, standard, tigerlake, frame_mask, i, 0, 0) != -1)
				same = 0;
		CHECK("copy-to-standard/components-at-standard-offsets", same);
		CHECK("copy-to-standard/header",
		      ((struct xsave_header *)(copy + 512))->xstate_bv == frame_mask &&
		      ((struct xsave_header *)(copy + 512))->xcomp_bv == 0);
		CHECK("copy-to-standard/bytes", bytes == 576 + 256 + 64);
		CHECK("copy-to-standard/absent-component-untouched", copy[tigerlake[XSTATE_ZMM_HI256].offset] == 0xcc);
		memset(copy, 0, 16384);
		xsave_area_copy_to_standard(copy, standard, tigerlake, frame_mask);
		CHECK("copy-to-standard/from-standard", memcmp(copy, standard, 2696) == 0);
		free(standard);
		free(compacted);
		free(copy);
	}
	free(a);
	free(b);
	return unit_end();
}
