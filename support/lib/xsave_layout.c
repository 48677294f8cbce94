#include "support/lib/xsave_layout.h"
#include "lib/string.h"

uint32_t xsave_compacted_offset(const struct xsave_component *components, uint64_t xcomp_bv,
				unsigned index)
{
	uint32_t offset = XSAVE_EXTENDED_OFFSET;

	/* SDM Vol. 1, 13.4.3: components follow in index order, each 64-byte aligned
	   when CPUID.(EAX=0DH,ECX=i):ECX[1] says so. */
	for (unsigned i = 2; i < XSAVE_MAX_COMPONENTS; i++) {
		if (!((xcomp_bv >> i) & 1))
			continue;
		if (components[i].align64)
			offset = (offset + 63) & ~63u;
		if (i == index)
			return offset;
		offset += components[i].size;
	}
	return offset;
}

uint32_t xsave_compacted_size(const struct xsave_component *components, uint64_t xcomp_bv)
{
	return xsave_compacted_offset(components, xcomp_bv & ~(~0ull << XSAVE_MAX_COMPONENTS),
				      XSAVE_MAX_COMPONENTS);
}

uint32_t xsave_standard_size(const struct xsave_component *components, uint64_t mask)
{
	uint32_t size = XSAVE_EXTENDED_OFFSET;

	for (unsigned i = 2; i < XSAVE_MAX_COMPONENTS; i++)
		if (((mask >> i) & 1) && !components[i].supervisor &&
		    components[i].offset + components[i].size > size)
			size = components[i].offset + components[i].size;
	return size;
}

uint32_t xsave_component_offset(const struct xsave_component *components, uint64_t mask,
				 unsigned index, int compacted)
{
	if (index < 2)
		return index == XSTATE_X87 ? 0 : XSAVE_XMM_REGISTERS_OFFSET;
	return compacted ? xsave_compacted_offset(components, mask, index) : components[index].offset;
}

void xsave_component_data_range(const struct xsave_component *components, uint64_t mask,
				unsigned index, int compacted, uint32_t *offset, uint32_t *size)
{
	if (index == XSTATE_X87) {
		*offset = XSAVE_X87_REGISTERS_OFFSET;
		*size = 8 * 16;
	} else if (index == XSTATE_SSE) {
		*offset = XSAVE_XMM_REGISTERS_OFFSET;
		*size = 16 * 16;
	} else {
		*offset = xsave_component_offset(components, mask, index, compacted);
		*size = index == XSTATE_PKRU ? 4 : components[index].size;   /* PKRU + padding */
	}
}

static void fill_legacy_region(uint8_t *area, uint8_t seed)
{
	uint16_t control_word = 0x037f;                 /* FNINIT's: all exceptions masked */
	uint32_t mxcsr = XSAVE_MXCSR_DEFAULT;

	memcpy(area + 0, &control_word, 2);
	area[4] = 0xff;                                 /* abridged tag word: all valid */
	memcpy(area + XSAVE_MXCSR_OFFSET, &mxcsr, 4);
	for (unsigned i = 0; i < 8; i++) {              /* ST0..ST7: 80-bit values */
		uint8_t *reg = area + XSAVE_X87_REGISTERS_OFFSET + 16 * i;
		for (unsigned b = 0; b < 8; b++)
			reg[b] = (uint8_t)(seed * 31 + i * 17 + b + 1);
		reg[8] = (uint8_t)(0x3f + i);               /* exponent: a normal number */
		reg[9] = 0x40;
	}
}

static void fill_bytes(uint8_t *data, uint32_t size, uint8_t seed, unsigned index)
{
	for (uint32_t b = 0; b < size; b++)
		data[b] = (uint8_t)(seed * 131 + index * 29 + b * 7 + 3);
}

uint8_t xsave_tile_rows(uint8_t seed, unsigned tile)
{
	return (uint8_t)(tile == XSAVE_TILES - 1 ? 8 + seed % 9 : XSAVE_TILE_MAX_ROWS);
}

/* Palette 1 (SDM Vol. 2A, LDTILECFG, its memory layout; Vol. 1, chapter 18): byte 0 palette,
   byte 1 start_row, bytes 16..31 bytes per row of tiles 0..7, bytes 48..55 their rows,
   everything else reserved (zero). Every tile is 64 bytes wide; the last one has
   8..16 rows depending on the seed, so two seeds give two different configurations. */
static void fill_tile_config(uint8_t *config, uint8_t seed)
{
	memset(config, 0, XSAVE_TILECFG_SIZE);
	config[0] = 1;
	for (unsigned tile = 0; tile < XSAVE_TILES; tile++) {
		config[16 + 2 * tile] = XSAVE_TILE_ROW_BYTES;
		config[48 + tile] = xsave_tile_rows(seed, tile);
	}
}

/* Rows beyond a tile's configured rows read as zero (LDTILECFG and XRSTOR zero them). */
static void fill_tile_data(uint8_t *data, uint8_t seed)
{
	fill_bytes(data, XSAVE_TILES * XSAVE_TILE_BYTES, seed, XSTATE_TILEDATA);
	for (unsigned tile = 0; tile < XSAVE_TILES; tile++) {
		unsigned rows = xsave_tile_rows(seed, tile);
		memset(data + tile * XSAVE_TILE_BYTES + rows * XSAVE_TILE_ROW_BYTES, 0,
		       (XSAVE_TILE_MAX_ROWS - rows) * XSAVE_TILE_ROW_BYTES);
	}
}

void xsave_area_fill_patterns(uint8_t *area, const struct xsave_component *components,
			      uint64_t mask, uint64_t layout_mask, uint8_t seed, int compacted)
{
	struct xsave_header header = { 0 };

	if (mask & (1u << XSTATE_X87))
		fill_legacy_region(area, seed);
	else
		memcpy(area + XSAVE_MXCSR_OFFSET, &(uint32_t){ XSAVE_MXCSR_DEFAULT }, 4);
	if (mask & (1u << XSTATE_SSE))
		fill_bytes(area + XSAVE_XMM_REGISTERS_OFFSET, 16 * 16, seed, XSTATE_SSE);
	for (unsigned i = 2; i < XSAVE_MAX_COMPONENTS; i++)
		if ((mask >> i) & 1)
			fill_bytes(area + xsave_component_offset(components, layout_mask, i, compacted),
				   components[i].size, seed, i);
	if (mask & (1u << XSTATE_PKRU)) {   /* keys 0..13 stay accessible */
		uint8_t *pkru = area + xsave_component_offset(components, layout_mask, XSTATE_PKRU, compacted);
		memset(pkru, 0, components[XSTATE_PKRU].size);
		pkru[3] = (uint8_t)(0xc0 | (seed & 0x3f));   /* keys 14/15, never used by fpulab */
	}
	if (mask & (1u << XSTATE_TILECFG))
		fill_tile_config(area + xsave_component_offset(components, layout_mask, XSTATE_TILECFG,
							       compacted), seed);
	if (mask & (1u << XSTATE_TILEDATA))
		fill_tile_data(area + xsave_component_offset(components, layout_mask, XSTATE_TILEDATA,
							     compacted), seed);
	header.xstate_bv = mask;
	header.xcomp_bv = compacted ? layout_mask | mask | XSAVE_COMPACTED_BIT : 0;
	memcpy(area + XSAVE_HEADER_OFFSET, &header, sizeof header);
}

long xsave_component_compare(const uint8_t *area_a, const uint8_t *area_b,
			     const struct xsave_component *components, uint64_t mask,
			     unsigned index, int compacted_a, int compacted_b)
{
	uint32_t offset_a, offset_b, size;

	xsave_component_data_range(components, mask, index, compacted_a, &offset_a, &size);
	xsave_component_data_range(components, mask, index, compacted_b, &offset_b, &size);
	for (uint32_t b = 0; b < size; b++) {
		/* x87 registers are 10 bytes in 16-byte slots: the padding is not state */
		if (index == XSTATE_X87 && (b % 16) >= 10)
			continue;
		if (area_a[offset_a + b] != area_b[offset_b + b])
			return (long)b;
	}
	return -1;
}

uint32_t xsave_area_copy_to_standard(uint8_t *dst, const uint8_t *src, const struct xsave_component *components,
				     uint64_t mask)
{
	const struct xsave_header *from = (const struct xsave_header *)(src + XSAVE_HEADER_OFFSET);
	struct xsave_header *to = (struct xsave_header *)(dst + XSAVE_HEADER_OFFSET);
	int compacted = (from->xcomp_bv & XSAVE_COMPACTED_BIT) != 0;
	uint64_t layout = from->xcomp_bv & ~XSAVE_COMPACTED_BIT, in_use = from->xstate_bv & mask;
	uint32_t bytes = XSAVE_EXTENDED_OFFSET;
	uint64_t user = 3;

	memcpy(dst, src, XSAVE_LEGACY_SIZE);
	memset(to, 0, sizeof *to);
	for (unsigned i = 2; i < XSAVE_MAX_COMPONENTS; i++) {
		if (!((in_use >> i) & 1) || components[i].supervisor || !components[i].size)
			continue;
		memcpy(dst + components[i].offset,
		       src + (compacted ? xsave_compacted_offset(components, layout, i) : components[i].offset),
		       components[i].size);
		bytes += components[i].size;
		user |= 1ull << i;
	}
	to->xstate_bv = in_use & user;   /* a supervisor component has no place in the standard format */
	return bytes;
}
