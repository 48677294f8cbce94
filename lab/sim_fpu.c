/* The simulated FPU: per-component register contents (a 32-bit signature stands for a
   component's bytes), XINUSE, XSAVEOPT's modified tracking, CR0.TS with #NM, IA32_XFD
   and IA32_XFD_ERR. Exact and deterministic: the same calls give the same state. */
#include "lab/lab.h"
#include "lib/string.h"

static const uint32_t component_bytes[LAB_COMPONENTS] = {
	[LAB_X87] = 160, [LAB_SSE] = 256, [LAB_AVX] = 256, [LAB_OPMASK] = 64,
	[LAB_ZMM_HI256] = 512, [LAB_HI16_ZMM] = 1024, [LAB_TILECFG] = 64, [LAB_TILEDATA] = 8192,
};

uint32_t lab_component_size(unsigned component)
{
	return component < LAB_COMPONENTS ? component_bytes[component] : 0;
}

uint32_t lab_area_bytes(uint32_t components)
{
	uint32_t bytes = LAB_XSAVE_HEADER_BYTES;
	for (unsigned c = LAB_AVX; c < LAB_COMPONENTS; c++)
		if ((components >> c) & 1)
			bytes += component_bytes[c];
	return bytes;
}

static void sim_reset(void *self, unsigned cpus)
{
	struct lab_sim_fpu *fpu = self;
	memset(fpu->cpu, 0, sizeof fpu->cpu);
	memset(fpu->buffer, 0, LAB_STATE_LEVELS * fpu->contexts * sizeof *fpu->buffer);
	fpu->cpus = cpus;
	for (unsigned i = 0; i < LAB_MAX_CPUS; i++) {
		fpu->cpu[i].xcr0 = LAB_MASK_ALL;
		fpu->cpu[i].xfd = LAB_MASK_XFD;   /* AMX starts disabled (xfd-dynamic boot state) */
	}
}

/* The buffers, then the frames of level 1, 2, ... (LAB_SIGNAL_DEPTH), each [contexts]. */
static struct lab_sim_area *area_of(struct lab_sim_fpu *fpu, unsigned ctx, int frame)
{
	unsigned level = (unsigned)frame % LAB_STATE_LEVELS;   /* the model nests no deeper */
	return &fpu->buffer[level * fpu->contexts + ctx % fpu->contexts];
}

static uint32_t sim_save(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask)
{
	struct lab_sim_fpu *fpu = self;
	struct lab_sim_cpu *state = &fpu->cpu[cpu];
	struct lab_sim_area *area = area_of(fpu, ctx, frame);
	/* An XFD-armed component reads as init (XINUSE[i] = 0 while armed). */
	uint32_t rfbm = mask & state->xcr0, in_use = state->xinuse & rfbm & ~state->xfd;

	for (unsigned c = 0; c < LAB_COMPONENTS; c++) {
		if (!((rfbm >> c) & 1))
			continue;
		area->value[c] = ((in_use >> c) & 1) ? state->reg[c] : 0;
	}
	area->xstate_bv = (area->xstate_bv & ~rfbm) | in_use;
	return lab_area_bytes(in_use);
}

static uint32_t sim_restore(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask)
{
	struct lab_sim_fpu *fpu = self;
	struct lab_sim_cpu *state = &fpu->cpu[cpu];
	struct lab_sim_area *area = area_of(fpu, ctx, frame);
	uint32_t rfbm = mask & state->xcr0, loaded = 0;

	for (unsigned c = 0; c < LAB_COMPONENTS; c++) {
		if (!((rfbm >> c) & 1))
			continue;
		/* Armed in XFD: the component stays in its init state. */
		if (((area->xstate_bv >> c) & 1) && !((state->xfd >> c) & 1)) {
			state->reg[c] = area->value[c];
			state->xinuse |= 1u << c;
			loaded |= 1u << c;
		} else {
			state->reg[c] = 0;
			state->xinuse &= ~(1u << c);
		}
	}
	state->modified &= ~rfbm;
	return lab_area_bytes(loaded);
}

static void sim_restore_init(void *self, unsigned cpu, uint32_t mask)
{
	struct lab_sim_cpu *state = &((struct lab_sim_fpu *)self)->cpu[cpu];
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((mask >> c) & 1)
			state->reg[c] = 0;
	state->xinuse &= ~mask;
	state->modified &= ~mask;
}

static void sim_init_buffer(void *self, unsigned ctx, int frame)
{
	memset(area_of(self, ctx, frame), 0, sizeof(struct lab_sim_area));
}

static uint32_t sim_copy_to_frame(void *self, unsigned ctx, int level, uint32_t mask)
{
	const struct lab_sim_area *buffer = area_of(self, ctx, 0);
	struct lab_sim_area *frame = area_of(self, ctx, level);
	uint32_t in_use = buffer->xstate_bv & mask;

	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((mask >> c) & 1)
			frame->value[c] = ((in_use >> c) & 1) ? buffer->value[c] : 0;
	frame->xstate_bv = (frame->xstate_bv & ~mask) | in_use;
	return lab_area_bytes(in_use);
}

static uint32_t sim_in_use(void *self, unsigned cpu)
{
	const struct lab_sim_cpu *state = &((struct lab_sim_fpu *)self)->cpu[cpu];
	return state->xinuse & state->xcr0 & ~state->xfd;
}

static void sim_peek(void *self, unsigned cpu, uint32_t *values)
{
	struct lab_sim_cpu *state = &((struct lab_sim_fpu *)self)->cpu[cpu];
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		values[c] = ((state->xinuse & ~state->xfd) >> c) & 1 ? state->reg[c] : 0;
}

static void sim_set_ts(void *self, unsigned cpu) { ((struct lab_sim_fpu *)self)->cpu[cpu].ts = 1; }
static void sim_clear_ts(void *self, unsigned cpu) { ((struct lab_sim_fpu *)self)->cpu[cpu].ts = 0; }
static int sim_ts(void *self, unsigned cpu) { return ((struct lab_sim_fpu *)self)->cpu[cpu].ts; }

static void sim_write_xfd(void *self, unsigned cpu, uint32_t xfd)
{
	struct lab_sim_cpu *state = &((struct lab_sim_fpu *)self)->cpu[cpu];
	state->xfd = xfd & LAB_MASK_XFD;
}

static void sim_write_xfd_err(void *self, unsigned cpu, uint32_t value)
{
	((struct lab_sim_fpu *)self)->cpu[cpu].xfd_err = value;
}

static uint32_t sim_read_xfd_err(void *self, unsigned cpu)
{
	return ((struct lab_sim_fpu *)self)->cpu[cpu].xfd_err;
}

static void sim_xsetbv(void *self, unsigned cpu, uint32_t xcr0)
{
	((struct lab_sim_fpu *)self)->cpu[cpu].xcr0 = xcr0 | (1u << LAB_X87);
}

static int sim_execute(void *self, unsigned cpu, uint32_t mask, const uint32_t *expect,
		       const uint32_t *write, struct lab_check *check)
{
	struct lab_sim_cpu *state = &((struct lab_sim_fpu *)self)->cpu[cpu];

	check->mismatch = 0;
	if (state->ts)
		return 1;
	if (mask & state->xfd) {
		state->xfd_err = mask & state->xfd;
		return 2;
	}
	for (unsigned c = 0; c < LAB_COMPONENTS; c++) {
		if (!((mask >> c) & 1))
			continue;
		if (state->reg[c] != expect[c]) {
			check->mismatch |= 1u << c;
			check->found[c] = state->reg[c];
		}
		state->reg[c] = write[c];
		if (write[c])
			state->xinuse |= 1u << c;
		state->modified |= 1u << c;
	}
	return 0;
}

static void sim_clobber(void *self, unsigned cpu, uint32_t mask, uint32_t junk)
{
	struct lab_sim_cpu *state = &((struct lab_sim_fpu *)self)->cpu[cpu];
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((mask >> c) & 1 && !((state->xfd >> c) & 1)) {
			state->reg[c] = junk + c;
			state->xinuse |= 1u << c;
			state->modified |= 1u << c;
		}
}

void lab_sim_fpu_backend(struct lab_sim_fpu *fpu, struct lab_fpu_backend *backend,
			 const struct lab_storage *storage)
{
	fpu->contexts = storage->contexts;
	fpu->buffer = storage->area;
	backend->name = "simulated";
	backend->self = fpu;
	backend->reset = sim_reset;
	backend->save = sim_save;
	backend->restore = sim_restore;
	backend->restore_init = sim_restore_init;
	backend->init_buffer = sim_init_buffer;
	backend->copy_to_frame = sim_copy_to_frame;
	backend->peek = sim_peek;
	backend->in_use = sim_in_use;
	backend->set_ts = sim_set_ts;
	backend->clear_ts = sim_clear_ts;
	backend->write_xfd = sim_write_xfd;
	backend->write_xfd_err = sim_write_xfd_err;
	backend->xsetbv = sim_xsetbv;
	backend->execute = sim_execute;
	backend->clobber = sim_clobber;
	backend->read_xfd_err = sim_read_xfd_err;
	backend->ts = sim_ts;
	backend->measure = 0;
	backend->finish = 0;
	backend->problem = 0;
	backend->cycles = 0;
	backend->record = 0;
	backend->guest_mode = 0;
}
