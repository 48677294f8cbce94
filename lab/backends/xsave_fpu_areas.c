/* The XSAVE areas of the lab's real-register FPU (xsave_fpu.h): which XCR0 bit each
   lab component is, signatures written into and read back from standard-format areas,
   the areas' allocation and the backend's fields of the `lab` record. */
#include "lab/backends/xsave_fpu.h"
#include "support/xsave_support.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "memory.h"
#include "arch/safe.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/page_allocator.h"
#include "lib/string.h"

/* XCR0 bit of each lab component. */
static const uint8_t xstate_of[LAB_COMPONENTS] = {
	[LAB_X87] = XSTATE_X87, [LAB_SSE] = XSTATE_SSE, [LAB_AVX] = XSTATE_AVX,
	[LAB_OPMASK] = XSTATE_OPMASK, [LAB_ZMM_HI256] = XSTATE_ZMM_HI256,
	[LAB_HI16_ZMM] = XSTATE_HI16_ZMM, [LAB_TILECFG] = XSTATE_TILECFG, [LAB_TILEDATA] = XSTATE_TILEDATA,
};

#define AREAS ((1 + LAB_SIGNAL_DEPTH) * XSAVE_FPU_CONTEXTS + XSAVE_FPU_CPUS + 4)
#define PATTERN_STEP 0x9e3779b9u

uint64_t xsave_fpu_hw_bits(struct lab_xsave_fpu *f, uint32_t lab_mask)
{
	uint64_t bits = 0;
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if (((lab_mask & f->real) >> c) & 1)
			bits |= 1ull << xstate_of[c];
	return bits;
}

uint32_t xsave_fpu_lab_bits(struct lab_xsave_fpu *f, uint64_t xstate_bv)
{
	uint32_t bits = 0;
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if (((f->real >> c) & 1) && ((xstate_bv >> xstate_of[c]) & 1))
			bits |= 1u << c;
	return bits;
}

/* An area whose header marks every component init (XRSTOR loads init values). */
void xsave_fpu_area_reset(uint8_t *area)
{
	uint32_t mxcsr = XSAVE_MXCSR_DEFAULT;
	memset(area, 0, XSAVE_EXTENDED_OFFSET);
	memcpy(area + XSAVE_MXCSR_OFFSET, &mxcsr, 4);
}

static uint32_t pattern_word(uint32_t signature, uint32_t index)
{
	return signature ? signature + index * PATTERN_STEP : 0;
}

/* Byte b of the one TILECFG a signature stands for: palette 1 with every tile at its
   largest (16 rows of 64 bytes), so that every byte of tile data is state and comes
   back as XRSTOR loaded it (rows a configuration leaves out read as zero). TILECFG
   cannot hold a signature of its own; the tile data beside it does. */
static uint8_t tile_config_byte(uint32_t b)
{
	if (b == 0)
		return 1;
	if (b >= 16 && b < 16 + 2 * XSAVE_TILES)
		return (b % 2) ? 0 : XSAVE_TILE_ROW_BYTES;
	if (b >= 48 && b < 48 + XSAVE_TILES)
		return XSAVE_TILE_MAX_ROWS;
	return 0;
}

/* Byte b of component c as signature stands for it. */
static uint8_t signature_byte(unsigned c, uint32_t signature, uint32_t b)
{
	if (c == LAB_TILECFG)
		return signature ? tile_config_byte(b) : 0;
	return (uint8_t)(pattern_word(signature, b / 4) >> (8 * (b % 4)));
}

/* The standard-format area's component c := the bytes signature stands for (0: init). */
void xsave_fpu_put_signature(struct lab_xsave_fpu *f, uint8_t *area, unsigned c, uint32_t signature)
{
	uint32_t offset, size;
	uint16_t control_word = 0x037f;

	xsave_component_data_range(xsave_components(), f->hw_mask, xstate_of[c], 0, &offset, &size);
	for (uint32_t b = 0; b < size; b++)
		area[offset + b] = signature_byte(c, signature, b);
	if (c == LAB_X87) {
		memcpy(area, &control_word, 2);
		area[4] = signature ? 0xff : 0;   /* abridged tag word: all valid */
	}
	if (signature)
		xsave_header_of(area)->xstate_bv |= 1ull << xstate_of[c];
	else
		xsave_header_of(area)->xstate_bv &= ~(1ull << xstate_of[c]);
}

/* Whether a standard-format XSAVE output holds signature in component c; *found: the
   signature its first word reads as (0 when init). */
int xsave_fpu_holds_signature(struct lab_xsave_fpu *f, uint8_t *area, unsigned c, uint32_t signature,
			   uint32_t *found)
{
	uint32_t offset, size;

	*found = 0;
	if (!((xsave_header_of(area)->xstate_bv >> xstate_of[c]) & 1))
		return signature == 0;
	xsave_component_data_range(xsave_components(), f->hw_mask, xstate_of[c], 0, &offset, &size);
	memcpy(found, area + offset, 4);
	for (uint32_t b = 0; b < size; b++) {
		if (c == LAB_X87 && (b % 16) >= 10)
			continue;   /* x87 registers are 10 bytes in 16-byte slots */
		if (area[offset + b] != signature_byte(c, signature, b))
			return 0;
	}
	if (c == LAB_TILECFG)
		*found = signature;   /* the configuration every signature stands for */
	return 1;
}
void lab_xsave_fpu_record(void *self, struct json_writer *w)
{
	struct lab_xsave_fpu *f = self;
	char names[96];
	size_t used = 0;

	names[0] = 0;
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((f->real >> c) & 1)
			used += format_string(names + used, sizeof names - used, "%s%s", used ? "," : "",
					      lab_component_name(c));
	json_string(w, "clock", "tsc");
	json_uint(w, "cycles", f->save_cycles + f->restore_cycles);
	json_uint(w, "save_cycles", f->save_cycles);
	json_uint(w, "restore_cycles", f->restore_cycles);
	json_uint(w, "timed_saves", f->timed_saves);
	json_uint(w, "timed_restores", f->timed_restores);
	json_string(w, "save_instruction", f->save_instruction);
	json_string(w, "real_components", names);
	json_bool(w, "xinuse", f->xinuse);
	json_string(w, "ts", f->ts_mode);
	json_string(w, "xfd", f->xfd_mode);
	if (f->xfd_why)
		json_string(w, "xfd_reason", f->xfd_why);
	if (f->real & LAB_MASK_XFD) {
		json_uint(w, "xfd_first_uses", f->xfd_first_uses);
		json_uint(w, "xfd_restore_traps", f->xfd_restore_traps);
	}
	json_string(w, "vm", f->guest_run ? "guest-workload" : f->vm_mode);
	if (!f->guest_run && f->vm_why)
		json_string(w, "vm_reason", f->vm_why);
	if (f->guest_run) {
		json_string(w, "vm_hardware", f->vm_hardware);
		json_uint(w, "guest_steps", f->guest_steps);
		json_uint(w, "guest_nm_exits", f->guest_nm_exits);
	}
	json_string(w, "cpus", f->two_cpus ? "two" : f->cpus > 1 ? "multiplexed" : "one");
	if (f->two_cpus) {
		json_uint(w, "second_cpu_operations", f->second_cpu_operations);
		json_uint(w, "guest_steps_moved", f->guest_steps_moved);
		if (f->guest_run) {
			json_uint(w, "second_cpu_guest_steps", f->second_cpu_guest_steps);
			if (!f->second_cpu_guest && f->second_guest_why)
				json_string(w, "second_cpu_guest_reason", f->second_guest_why);
		}
	} else if (f->cpus > 1 && f->cpus_why) {
		json_string(w, "cpus_reason", f->cpus_why);
	}
}

int lab_xsave_fpu_open(struct lab_xsave_fpu *f, char *why, size_t size)
{
	const struct cpu_features *cpu = cpu_features();
	uint64_t user = xsave_user_mask();
	uint32_t bytes;
	uint8_t *block;
	unsigned next = 0;

	if (!cpu->has.xsave || !fpu_baseline_xcr0())
		return format_string(why, size, "this CPU has no XSAVE (CPUID.1:ECX.XSAVE[26]=0 or XCR0 unset)"), -1;
	f->real = 0;
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((user >> xstate_of[c]) & 1)
			f->real |= 1u << c;
	/* XFD acts on tile data only: real tiles need real XFD, or the lab's armed
	   TILEDATA could not behave as armed. */
	if ((f->real & LAB_MASK_AMX) != LAB_MASK_AMX || !f->hw_write_xfd)
		f->real &= ~LAB_MASK_AMX;
	f->hw_mask = xsave_fpu_hw_bits(f, LAB_MASK_ALL);
	f->xinuse = cpu->has.xgetbv1;
	if ((f->hw_mask & 3) != 3)
		return format_string(why, size, "XCR0 0x%llx lacks x87 or SSE", (unsigned long long)user), -1;
	if (cpu->has.xsavec && !xsave_compacted_defect()) {
		f->save_instruction = "xsavec";
		f->save_insn = xsavec_safe;
	} else if (cpu->has.xsaveopt) {
		f->save_instruction = "xsaveopt";
		f->save_insn = xsaveopt_safe;
	} else {
		f->save_instruction = "xsave";
		f->save_insn = xsave_safe;
	}
	bytes = xsave_standard_size(xsave_components(), f->hw_mask);
	f->area_pages = (uint32_t)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	block = (uint8_t *)(uintptr_t)memory_alloc_pages((uint64_t)f->area_pages * AREAS);
	if (!block)
		return format_string(why, size, "no memory for %u XSAVE areas", AREAS), -1;
#define NEXT_AREA() (block + (uint64_t)(next++) * f->area_pages * PAGE_SIZE)
	for (unsigned i = 0; i < XSAVE_FPU_CPUS; i++)
		f->cpu[i].image = NEXT_AREA();
	for (unsigned i = 0; i < XSAVE_FPU_CONTEXTS; i++) {
		f->buffer[i] = NEXT_AREA();
		for (unsigned level = 0; level < LAB_SIGNAL_DEPTH; level++)
			f->frame[i][level] = NEXT_AREA();
	}
	f->scratch = NEXT_AREA();
	f->pattern = NEXT_AREA();
	f->init = NEXT_AREA();
	f->xfd_probe = NEXT_AREA();
#undef NEXT_AREA
	xsave_fpu_area_reset(f->xfd_probe);
	if (f->real & LAB_MASK_AMX) {
		xsave_fpu_put_signature(f, f->xfd_probe, LAB_TILECFG, 1);
		xsave_fpu_put_signature(f, f->xfd_probe, LAB_TILEDATA, 1);
	}
	return 0;
}
