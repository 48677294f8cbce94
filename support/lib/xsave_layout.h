/* XSAVE area layouts (SDM Vol. 1, 13.4): where each state component lives in the
   standard and the compacted format, and how to build an area full of recognisable
   patterns. Portable: unit-tested on the host. */
#ifndef FPULAB_XSAVE_LAYOUT_H
#define FPULAB_XSAVE_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define XSAVE_MAX_COMPONENTS 32
#define XSAVE_LEGACY_SIZE 512
#define XSAVE_HEADER_OFFSET 512
#define XSAVE_HEADER_SIZE 64
#define XSAVE_EXTENDED_OFFSET 576
#define XSAVE_COMPACTED_BIT (1ull << 63)
#define XSAVE_MXCSR_OFFSET 24
#define XSAVE_MXCSR_DEFAULT 0x1f80u
#define XSAVE_X87_REGISTERS_OFFSET 32
#define XSAVE_XMM_REGISTERS_OFFSET 160
#define XSAVE_TILECFG_SIZE 64
#define XSAVE_TILES 8
#define XSAVE_TILE_ROW_BYTES 64
#define XSAVE_TILE_MAX_ROWS 16
#define XSAVE_TILE_BYTES (XSAVE_TILE_MAX_ROWS * XSAVE_TILE_ROW_BYTES)

enum xsave_component_index {
	XSTATE_X87 = 0, XSTATE_SSE = 1, XSTATE_AVX = 2, XSTATE_BNDREGS = 3, XSTATE_BNDCSR = 4,
	XSTATE_OPMASK = 5, XSTATE_ZMM_HI256 = 6, XSTATE_HI16_ZMM = 7, XSTATE_PT = 8,
	XSTATE_PKRU = 9, XSTATE_CET_USER = 11, XSTATE_CET_SUPERVISOR = 12,
	XSTATE_TILECFG = 17, XSTATE_TILEDATA = 18,
};

struct xsave_component {
	uint32_t size;        /* bytes */
	uint32_t offset;      /* in the standard (non-compacted) layout; 0 for supervisor */
	uint8_t align64;      /* 64-byte aligned in the compacted layout */
	uint8_t supervisor;   /* managed by XSAVES/XRSTORS through IA32_XSS */
	uint8_t xfd;          /* IA32_XFD can arm it (CPUID.(EAX=0DH,ECX=i):ECX[2]) */
};

struct xsave_header {
	uint64_t xstate_bv;
	uint64_t xcomp_bv;
	uint64_t reserved[6];
};

/* Offset of component index (>= 2) in a compacted area holding the components of
   xcomp_bv; index 0 and 1 live in the legacy region in both formats. */
uint32_t xsave_compacted_offset(const struct xsave_component *components, uint64_t xcomp_bv,
				unsigned index);
uint32_t xsave_compacted_size(const struct xsave_component *components, uint64_t xcomp_bv);
uint32_t xsave_standard_size(const struct xsave_component *components, uint64_t mask);
/* Offset of a component in either format (legacy components: 0 for x87, 160 for SSE). */
uint32_t xsave_component_offset(const struct xsave_component *components, uint64_t mask,
				 unsigned index, int compacted);
/* The bytes of a component that hold register contents (x87: the eight ST registers,
   SSE: the sixteen XMM registers, others: the whole component). */
void xsave_component_data_range(const struct xsave_component *components, uint64_t mask,
				unsigned index, int compacted, uint32_t *offset, uint32_t *size);

/* dst := src's user components of mask in the standard format, as XSAVE would have
   written them (a signal frame from a task's buffer, without touching the registers):
   the legacy region, a header with XSTATE_BV = src's & mask and XCOMP_BV = 0, each
   extended component src has in use at its standard offset. src may be compacted
   (XSAVEC: XCOMP_BV bit 63) or standard. Returns the bytes copied. */
uint32_t xsave_area_copy_to_standard(uint8_t *dst, const uint8_t *src, const struct xsave_component *components,
				     uint64_t mask);
/* Fills an area with register patterns derived from seed for the components in mask,
   with valid legacy control fields (and a valid AMX palette-1 TILECFG), and a header that marks them in use. A compacted
   area is laid out for layout_mask (its XCOMP_BV, a superset of mask); a standard one
   ignores layout_mask. The area must be zeroed by the caller and large enough. */
void xsave_area_fill_patterns(uint8_t *area, const struct xsave_component *components,
			      uint64_t mask, uint64_t layout_mask, uint8_t seed, int compacted);
/* Rows of a tile in the TILECFG pattern of seed (AMX palette 1, 64-byte rows). */
uint8_t xsave_tile_rows(uint8_t seed, unsigned tile);
/* The first byte offset where two areas differ inside component index's data, or -1. */
long xsave_component_compare(const uint8_t *area_a, const uint8_t *area_b,
			     const struct xsave_component *components, uint64_t mask,
			     unsigned index, int compacted_a, int compacted_b);

#endif
