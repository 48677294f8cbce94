/* The lab's FPU on real registers (xsave_fpu.h). Every register access is an XSAVE, XSAVEOPT, XSAVEC
   or XRSTOR through arch/safe.h; the C here only fills and compares memory (it is
   built with -mgeneral-regs-only, so nothing it runs between an XRSTOR and the XSAVE
   that checks it can touch the registers). */
#include "lab/backends/xsave_fpu.h"
#include "bench/xsave_support.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "memory.h"
#include "arch/safe.h"
#include "arch/x86.h"
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

#define AREAS (2 * LAB_MAX_CONTEXTS + LAB_MAX_CPUS + 3)
#define PATTERN_STEP 0x9e3779b9u

static uint64_t hw_bits(struct lab_xsave_fpu *f, uint32_t lab_mask)
{
	uint64_t bits = 0;
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if (((lab_mask & f->real) >> c) & 1)
			bits |= 1ull << xstate_of[c];
	return bits;
}

static uint32_t lab_bits(struct lab_xsave_fpu *f, uint64_t xstate_bv)
{
	uint32_t bits = 0;
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if (((f->real >> c) & 1) && ((xstate_bv >> xstate_of[c]) & 1))
			bits |= 1u << c;
	return bits;
}

static uint32_t area_bytes(uint32_t components)
{
	uint32_t bytes = LAB_XSAVE_HEADER_BYTES;
	for (unsigned c = LAB_AVX; c < LAB_COMPONENTS; c++)
		if ((components >> c) & 1)
			bytes += lab_component_size(c);
	return bytes;
}

static void fault(struct lab_xsave_fpu *f, int vector, const char *what)
{
	if (vector && !f->problem[0])
		format_string(f->problem, sizeof f->problem, "%s backend: %s raised vector %d", f->name, what, vector);
}

/* An area whose header marks every component init (XRSTOR loads init values). */
static void area_reset(uint8_t *area)
{
	uint32_t mxcsr = XSAVE_MXCSR_DEFAULT;
	memset(area, 0, XSAVE_EXTENDED_OFFSET);
	memcpy(area + XSAVE_MXCSR_OFFSET, &mxcsr, 4);
}

static uint32_t pattern_word(uint32_t signature, uint32_t index)
{
	return signature ? signature + index * PATTERN_STEP : 0;
}

/* The standard-format area's component c := the bytes signature stands for (0: init). */
static void put_signature(struct lab_xsave_fpu *f, uint8_t *area, unsigned c, uint32_t signature)
{
	uint32_t offset, size;
	uint16_t control_word = 0x037f;

	xsave_component_data_range(xsave_components(), f->hw_mask, xstate_of[c], 0, &offset, &size);
	for (uint32_t j = 0; j < size / 4; j++) {
		uint32_t word = pattern_word(signature, j);
		memcpy(area + offset + 4 * j, &word, 4);
	}
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
static int holds_signature(struct lab_xsave_fpu *f, uint8_t *area, unsigned c, uint32_t signature,
			   uint32_t *found)
{
	uint32_t offset, size, word;

	*found = 0;
	if (!((xsave_header_of(area)->xstate_bv >> xstate_of[c]) & 1))
		return signature == 0;
	xsave_component_data_range(xsave_components(), f->hw_mask, xstate_of[c], 0, &offset, &size);
	memcpy(found, area + offset, 4);
	for (uint32_t b = 0; b < size; b++) {
		if (c == LAB_X87 && (b % 16) >= 10)
			continue;   /* x87 registers are 10 bytes in 16-byte slots */
		word = pattern_word(signature, b / 4);
		if (area[offset + b] != (uint8_t)(word >> (8 * (b % 4))))
			return 0;
	}
	return 1;
}

static int get_ts(struct lab_xsave_fpu *f, unsigned cpu)
{
	return f->hw_ts && cpu == f->active ? f->hw_ts() : f->cpu[cpu].ts;
}

static void put_ts(struct lab_xsave_fpu *f, unsigned cpu, int on)
{
	if (f->hw_ts && cpu == f->active)
		fault(f, f->hw_set_ts(on), "a CR0 write");
	else
		f->cpu[cpu].ts = (uint8_t)on;
}

/* The scenario's CPUs share the register file: cpu gets it (not counted, not timed). */
static void activate(struct lab_xsave_fpu *f, unsigned cpu)
{
	struct lab_xsave_cpu *old = &f->cpu[f->active], *next = &f->cpu[cpu % LAB_MAX_CPUS];

	if (cpu == f->active || cpu >= LAB_MAX_CPUS)
		return;
	if (f->hw_ts) {
		old->ts = (uint8_t)f->hw_ts();
		if (old->ts)
			fault(f, f->hw_set_ts(0), "a CR0 write (switching CPUs)");
	}
	fault(f, xsave_safe(old->image, f->hw_mask), "XSAVE (switching CPUs)");
	fault(f, xrstor_safe(next->image, f->hw_mask), "XRSTOR (switching CPUs)");
	f->active = cpu;
	if (f->hw_ts && next->ts)
		fault(f, f->hw_set_ts(1), "a CR0 write (switching CPUs)");
}

static void xs_reset(void *self, unsigned cpus)
{
	struct lab_xsave_fpu *f = self;

	if (f->hw_ts && f->hw_ts())
		f->hw_set_ts(0);
	f->cpus = cpus;
	f->active = 0;
	for (unsigned i = 0; i < LAB_MAX_CPUS; i++) {
		struct lab_xsave_cpu *c = &f->cpu[i];
		memset(c->shadow, 0, sizeof c->shadow);
		c->shadow_inuse = c->xfd_err = 0;
		c->xcr0 = LAB_MASK_ALL;
		c->xfd = LAB_MASK_XFD;   /* AMX starts disabled, as in lab/sim_fpu.c */
		c->ts = 0;
		area_reset(c->image);
	}
	for (unsigned i = 0; i < LAB_MAX_CONTEXTS; i++) {
		area_reset(f->buffer[i]);
		area_reset(f->frame[i]);
	}
	memset(f->shadow_buffer, 0, sizeof f->shadow_buffer);
	memset(f->shadow_frame, 0, sizeof f->shadow_frame);
	area_reset(f->init);
	area_reset(f->pattern);
	f->save_cycles = f->restore_cycles = 0;
	f->timed_saves = f->timed_restores = 0;
	f->problem[0] = 0;
	memset(f->in_guest, 0, sizeof f->in_guest);
	f->guest_steps = f->guest_nm_exits = 0;
	fault(f, xrstor_safe(f->init, f->hw_mask), "XRSTOR of the init state");
}

static uint32_t xs_save(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask)
{
	struct lab_xsave_fpu *f = self;
	struct lab_xsave_cpu *c = &f->cpu[cpu % LAB_MAX_CPUS];
	struct lab_sim_area *shadow = frame ? &f->shadow_frame[ctx % LAB_MAX_CONTEXTS]
					    : &f->shadow_buffer[ctx % LAB_MAX_CONTEXTS];
	uint8_t *area = frame ? f->frame[ctx % LAB_MAX_CONTEXTS] : f->buffer[ctx % LAB_MAX_CONTEXTS];
	uint32_t rfbm = mask & c->xcr0 & ~f->real, in_use = c->shadow_inuse & rfbm & ~c->xfd;
	uint64_t real = hw_bits(f, mask & c->xcr0), start;

	activate(f, cpu);
	for (unsigned i = 0; i < LAB_COMPONENTS; i++)
		if ((rfbm >> i) & 1)
			shadow->value[i] = ((in_use >> i) & 1) ? c->shadow[i] : 0;
	shadow->xstate_bv = (shadow->xstate_bv & ~rfbm) | in_use;
	if (real) {
		int vector;
		start = rdtsc();
		/* Signal frames are in the standard format, as Linux writes them. */
		vector = frame ? xsave_safe(area, real) : f->save_insn(area, real);
		f->save_cycles += rdtsc() - start;
		f->timed_saves++;
		fault(f, vector, frame ? "XSAVE to a signal frame" : f->save_instruction);
		in_use |= lab_bits(f, xsave_header_of(area)->xstate_bv & real);
	}
	return area_bytes(in_use);
}

static uint32_t xs_restore(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask)
{
	struct lab_xsave_fpu *f = self;
	struct lab_xsave_cpu *c = &f->cpu[cpu % LAB_MAX_CPUS];
	struct lab_sim_area *shadow = frame ? &f->shadow_frame[ctx % LAB_MAX_CONTEXTS]
					    : &f->shadow_buffer[ctx % LAB_MAX_CONTEXTS];
	uint8_t *area = frame ? f->frame[ctx % LAB_MAX_CONTEXTS] : f->buffer[ctx % LAB_MAX_CONTEXTS];
	uint32_t rfbm = mask & c->xcr0 & ~f->real, loaded = 0;
	uint64_t real = hw_bits(f, mask & c->xcr0), start;

	activate(f, cpu);
	for (unsigned i = 0; i < LAB_COMPONENTS; i++) {
		if (!((rfbm >> i) & 1))
			continue;
		if (((shadow->xstate_bv >> i) & 1) && !((c->xfd >> i) & 1)) {
			c->shadow[i] = shadow->value[i];
			c->shadow_inuse |= 1u << i;
			loaded |= 1u << i;
		} else {
			c->shadow[i] = 0;
			c->shadow_inuse &= ~(1u << i);
		}
	}
	if (real) {
		int vector;
		start = rdtsc();
		vector = xrstor_safe(area, real);
		f->restore_cycles += rdtsc() - start;
		f->timed_restores++;
		fault(f, vector, frame ? "XRSTOR from a signal frame" : "XRSTOR");
		loaded |= lab_bits(f, xsave_header_of(area)->xstate_bv & real);
	}
	return area_bytes(loaded);
}

static void xs_restore_init(void *self, unsigned cpu, uint32_t mask)
{
	struct lab_xsave_fpu *f = self;
	struct lab_xsave_cpu *c = &f->cpu[cpu % LAB_MAX_CPUS];
	uint64_t real = hw_bits(f, mask), start;
	int vector;

	activate(f, cpu);
	for (unsigned i = 0; i < LAB_COMPONENTS; i++)
		if (((mask & ~f->real) >> i) & 1)
			c->shadow[i] = 0;
	c->shadow_inuse &= ~mask;
	if (!real)
		return;
	start = rdtsc();
	vector = xrstor_safe(f->init, real);
	f->restore_cycles += rdtsc() - start;
	f->timed_restores++;
	fault(f, vector, "XRSTOR of the init state");
}

static void xs_set_ts(void *self, unsigned cpu) { put_ts(self, cpu, 1); }
static void xs_clear_ts(void *self, unsigned cpu) { put_ts(self, cpu, 0); }
static int xs_ts(void *self, unsigned cpu) { return get_ts(self, cpu); }

static void xs_write_xfd(void *self, unsigned cpu, uint32_t xfd)
{
	((struct lab_xsave_fpu *)self)->cpu[cpu % LAB_MAX_CPUS].xfd = xfd & LAB_MASK_XFD;
}

static void xs_write_xfd_err(void *self, unsigned cpu, uint32_t value)
{
	((struct lab_xsave_fpu *)self)->cpu[cpu % LAB_MAX_CPUS].xfd_err = value;
}

static uint32_t xs_read_xfd_err(void *self, unsigned cpu)
{
	return ((struct lab_xsave_fpu *)self)->cpu[cpu % LAB_MAX_CPUS].xfd_err;
}

static void xs_xsetbv(void *self, unsigned cpu, uint32_t xcr0)
{
	((struct lab_xsave_fpu *)self)->cpu[cpu % LAB_MAX_CPUS].xcr0 = xcr0 | (1u << LAB_X87);
}

/* Compares the scratch area with expect and builds the pattern area from write (real
   components); the shadow ones compare and take write directly. staged: 0 both, 1 only
   build the pattern area, 2 only compare (after the guest ran). */
static void check_and_stage(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c, uint32_t mask,
			    const uint32_t *expect, const uint32_t *write, uint32_t *mismatch, int staged)
{
	uint32_t found;

	for (unsigned i = 0; i < LAB_COMPONENTS; i++) {
		if (!((mask >> i) & 1))
			continue;
		if ((f->real >> i) & 1) {
			if (staged != 1 && !holds_signature(f, f->scratch, i, expect[i], &found))
				*mismatch |= 1u << i;
			if (staged != 2)
				put_signature(f, f->pattern, i, write[i]);
			continue;
		}
		if (staged == 1)
			continue;
		if (c->shadow[i] != expect[i])
			*mismatch |= 1u << i;
		c->shadow[i] = write[i];
		if (write[i])
			c->shadow_inuse |= 1u << i;
	}
}

/* The guest task's FP instructions run in the real guest: the pattern area is staged
   first, the guest's XSAVE and XRSTOR run on the registers the policies left (VM entry
   and exit do not switch them), and the scratch area is compared afterwards. */
static int guest_execute(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c, uint32_t mask,
			 const uint32_t *expect, const uint32_t *write, uint32_t *mismatch)
{
	int status;

	if (!f->hw_ts() && (mask & c->xfd)) {
		c->xfd_err = mask & c->xfd;
		return 2;
	}
	check_and_stage(f, c, mask, expect, write, mismatch, 1);
	status = f->guest_run(f, hw_bits(f, mask));
	if (status == 1) {
		f->guest_nm_exits++;
		return 1;
	}
	if (status < 0)
		return 0;
	f->guest_steps++;
	check_and_stage(f, c, mask, expect, write, mismatch, 2);
	return 0;
}

static void xs_guest_mode(void *self, unsigned cpu, int in_guest)
{
	struct lab_xsave_fpu *f = self;
	f->in_guest[cpu % LAB_MAX_CPUS] = (uint8_t)in_guest;
}

/* The workload: XSAVE reads the registers (and raises the real #NM when CR0.TS is set
   on metal), the bytes are compared with the expected signatures, and XRSTOR from the
   pattern area writes the new ones. */
static int xs_execute(void *self, unsigned cpu, uint32_t mask, const uint32_t *expect,
		      const uint32_t *write, uint32_t *mismatch)
{
	struct lab_xsave_fpu *f = self;
	struct lab_xsave_cpu *c = &f->cpu[cpu % LAB_MAX_CPUS];
	uint64_t real = hw_bits(f, mask);
	uint32_t mxcsr;

	*mismatch = 0;
	activate(f, cpu);
	if (!f->hw_ts && c->ts)
		return 1;
	if (f->guest_run && f->in_guest[cpu % LAB_MAX_CPUS])
		return guest_execute(f, c, mask, expect, write, mismatch);
	/* The real #NM: STMXCSR changes nothing (XSAVE should fault too, but QEMU's TCG
	   does not check CR0.TS for XSAVE). */
	if (f->hw_ts && stmxcsr_safe(&mxcsr) == VECTOR_NM)
		return 1;
	if (real) {
		int vector = xsave_safe(f->scratch, real);
		if (vector == VECTOR_NM)
			return 1;
		fault(f, vector, "XSAVE (the workload's check)");
		if (vector)
			return 0;
	} else if (f->hw_ts && f->hw_ts()) {
		return 1;
	}
	if (mask & c->xfd) {
		c->xfd_err = mask & c->xfd;
		return 2;
	}
	check_and_stage(f, c, mask, expect, write, mismatch, 0);
	if (real)
		fault(f, xrstor_safe(f->pattern, real), "XRSTOR (the workload's write)");
	return 0;
}

static void xs_clobber(void *self, unsigned cpu, uint32_t mask, uint32_t junk)
{
	struct lab_xsave_fpu *f = self;
	struct lab_xsave_cpu *c = &f->cpu[cpu % LAB_MAX_CPUS];
	uint64_t real = hw_bits(f, mask);

	activate(f, cpu);
	for (unsigned i = 0; i < LAB_COMPONENTS; i++) {
		if (!((mask >> i) & 1))
			continue;
		if ((f->real >> i) & 1) {
			put_signature(f, f->pattern, i, junk + i);
		} else if (!((c->xfd >> i) & 1)) {
			c->shadow[i] = junk + i;
			c->shadow_inuse |= 1u << i;
		}
	}
	if (real)
		fault(f, xrstor_safe(f->pattern, real), "XRSTOR (kernel FP code)");
}

static void xs_measure(void *self)
{
	struct lab_xsave_fpu *f = self;
	f->save_cycles = f->restore_cycles = 0;
	f->timed_saves = f->timed_restores = 0;
}

/* The run is over: TS clear, CPU 0's turn, the registers in their init state. */
static void xs_finish(void *self)
{
	struct lab_xsave_fpu *f = self;

	if (f->hw_ts && f->hw_ts())
		fault(f, f->hw_set_ts(0), "a CR0 write");
	f->active = 0;
	fault(f, xrstor_safe(f->init, f->hw_mask), "XRSTOR of the init state");
}

static const char *xs_problem(void *self)
{
	struct lab_xsave_fpu *f = self;
	return f->problem[0] ? f->problem : 0;
}

static uint64_t xs_cycles(void *self)
{
	struct lab_xsave_fpu *f = self;
	return f->save_cycles + f->restore_cycles;
}

static void xs_record(void *self, struct json_writer *w)
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
	json_string(w, "ts", f->ts_mode);
	json_string(w, "xfd", f->xfd_mode);
	if (f->xfd_why)
		json_string(w, "xfd_reason", f->xfd_why);
	json_string(w, "vm", f->guest_run ? "guest-workload" : f->vm_mode);
	if (!f->guest_run && f->vm_why)
		json_string(w, "vm_reason", f->vm_why);
	if (f->guest_run) {
		json_string(w, "vm_hardware", f->vm_hardware);
		json_uint(w, "guest_steps", f->guest_steps);
		json_uint(w, "guest_nm_exits", f->guest_nm_exits);
	}
	json_string(w, "cpus", "multiplexed");
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
	for (unsigned c = 0; c < LAB_TILECFG; c++)
		if ((user >> xstate_of[c]) & 1)
			f->real |= 1u << c;
	f->hw_mask = hw_bits(f, LAB_MASK_ALL);
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
	for (unsigned i = 0; i < LAB_MAX_CPUS; i++)
		f->cpu[i].image = NEXT_AREA();
	for (unsigned i = 0; i < LAB_MAX_CONTEXTS; i++) {
		f->buffer[i] = NEXT_AREA();
		f->frame[i] = NEXT_AREA();
	}
	f->scratch = NEXT_AREA();
	f->pattern = NEXT_AREA();
	f->init = NEXT_AREA();
#undef NEXT_AREA
	return 0;
}

void lab_xsave_fpu_backend(struct lab_xsave_fpu *f, struct lab_fpu_backend *backend)
{
	backend->name = f->name;
	backend->self = f;
	backend->reset = xs_reset;
	backend->save = xs_save;
	backend->restore = xs_restore;
	backend->restore_init = xs_restore_init;
	backend->set_ts = xs_set_ts;
	backend->clear_ts = xs_clear_ts;
	backend->write_xfd = xs_write_xfd;
	backend->write_xfd_err = xs_write_xfd_err;
	backend->xsetbv = xs_xsetbv;
	backend->execute = xs_execute;
	backend->clobber = xs_clobber;
	backend->read_xfd_err = xs_read_xfd_err;
	backend->ts = xs_ts;
	backend->measure = xs_measure;
	backend->finish = xs_finish;
	backend->problem = xs_problem;
	backend->cycles = xs_cycles;
	backend->record = xs_record;
	backend->guest_mode = f->guest_run ? xs_guest_mode : 0;
}
