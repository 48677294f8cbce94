/* The lab's FPU on real registers (xsave_fpu.h): the backend's operations, each run
   where its scenario CPU's registers are. Every register access is an XSAVE, XSAVEOPT, XSAVEC
   or XRSTOR through arch/safe.h; the C here only fills and compares memory (it is
   built with -mgeneral-regs-only, so nothing it runs between an XRSTOR and the XSAVE
   that checks it can touch the registers). */
#include "lab/backends/xsave_fpu.h"
#include "support/xsave_support.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "lib/string.h"

static void fault(struct lab_xsave_fpu *f, int vector, const char *what)
{
	if (vector && !f->problem[0])
		format_string(f->problem, sizeof f->problem, "%s backend: %s raised vector %d", f->name, what, vector);
}
/* CR0.TS of cpu: the real one (metal), which is this CPU's, since every operation runs
   where cpu's registers are (on_cpu); else the simulated one. */
static int get_ts(struct lab_xsave_fpu *f, unsigned cpu)
{
	return f->hw_ts ? f->hw_ts() : f->cpu[cpu].ts;
}

static void put_ts(struct lab_xsave_fpu *f, unsigned cpu, int on)
{
	if (f->hw_ts)
		fault(f, f->hw_set_ts(on), "a CR0 write");
	else
		f->cpu[cpu].ts = (uint8_t)on;
}

/* ---- real IA32_XFD (metal where XFD and AMX work: docs/lab.md, "Real XFD") ---- */

static int real_xfd(struct lab_xsave_fpu *f)
{
	return (f->real & LAB_MASK_XFD) != 0;
}

/* The registers' IA32_XFD and IA32_XFD_ERR := scenario CPU c's. */
static void load_xfd(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c)
{
	if (!real_xfd(f))
		return;
	fault(f, f->hw_write_xfd(xsave_fpu_hw_bits(f, c->xfd)), "a WRMSR of IA32_XFD");
	fault(f, f->hw_write_xfd_err(xsave_fpu_hw_bits(f, c->xfd_err)), "a WRMSR of IA32_XFD_ERR");
}

/* c->xfd_err := the registers' IA32_XFD_ERR (the CPU sets it on an XFD #NM). */
static void read_real_xfd_err(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c)
{
	uint64_t value = 0;

	if (!real_xfd(f))
		return;
	fault(f, f->hw_read_xfd_err(&value), "a RDMSR of IA32_XFD_ERR");
	c->xfd_err = xsave_fpu_lab_bits(f, value);
}

/* The real components that IA32_XFD arms now, checked against what the lab wrote. */
static uint32_t real_armed(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c)
{
	uint64_t value = 0;
	uint32_t armed;

	if (!real_xfd(f))
		return 0;
	fault(f, f->hw_read_xfd(&value), "a RDMSR of IA32_XFD");
	armed = xsave_fpu_lab_bits(f, value);
	if (armed != (c->xfd & f->real) && !f->problem[0])
		format_string(f->problem, sizeof f->problem, "%s backend: IA32_XFD arms 0x%x, the lab wrote 0x%x",
			      f->name, armed, c->xfd & f->real);
	return armed;
}

/* The scenario's CPUs share the register file: cpu gets it (not counted, not timed). */
static void activate(struct lab_xsave_fpu *f, unsigned cpu)
{
	struct lab_xsave_cpu *old = &f->cpu[f->active], *next;

	if (cpu == f->active || cpu >= XSAVE_FPU_CPUS)
		return;
	next = &f->cpu[cpu];
	if (f->hw_ts) {
		old->ts = (uint8_t)f->hw_ts();
		if (old->ts)
			fault(f, f->hw_set_ts(0), "a CR0 write (switching CPUs)");
	}
	read_real_xfd_err(f, old);
	fault(f, xsave_safe(old->image, f->hw_mask), "XSAVE (switching CPUs)");
	load_xfd(f, next);   /* before XRSTOR, as for any restore */
	fault(f, xrstor_safe(next->image, f->hw_mask), "XRSTOR (switching CPUs)");
	f->active = cpu;
	if (f->hw_ts && next->ts)
		fault(f, f->hw_set_ts(1), "a CR0 write (switching CPUs)");
}

/* One backend operation on scenario CPU cpu, with its arguments and result, so that it
   can run on another real CPU. */
struct cpu_operation {
	struct lab_xsave_fpu *f;
	void (*body)(struct cpu_operation *op);
	unsigned cpu, ctx;
	int frame;
	uint32_t mask, junk;
	const uint32_t *expect, *write;
	struct lab_check *check;
	uint32_t *values;
	uint32_t result;
};

static void run_operation(void *argument)
{
	struct cpu_operation *op = argument;
	op->body(op);
}

/* Runs body where scenario CPU op->cpu's registers are: on the second real CPU when
   the run has it (a failed call leaves result 0 and the problem set), else here after
   that CPU got the register file. Returns op->result. */
static uint32_t on_cpu(struct lab_xsave_fpu *f, struct cpu_operation *op, void (*body)(struct cpu_operation *))
{
	op->f = f;
	op->body = body;
	op->cpu %= XSAVE_FPU_CPUS;
	if (op->cpu != 0 && f->two_cpus) {
		if (f->run_on_second_cpu(f, run_operation, op) == 0)
			f->second_cpu_operations++;
		return op->result;
	}
	activate(f, op->cpu);
	body(op);
	return op->result;
}

/* The CPU the code runs on: TS clear, IA32_XFD as scenario CPU op->cpu's, registers in
   their init state. */
static void registers_init_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;

	if (f->hw_ts && f->hw_ts())
		fault(f, f->hw_set_ts(0), "a CR0 write");
	load_xfd(f, &f->cpu[op->cpu]);
	fault(f, xrstor_safe(f->init, f->hw_mask), "XRSTOR of the init state");
}

/* The run is over on the CPU the code runs on: nothing armed, no XFD_ERR left. */
static void xfd_release_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;

	if (!real_xfd(f))
		return;
	fault(f, f->hw_write_xfd(0), "a WRMSR of IA32_XFD");
	fault(f, f->hw_write_xfd_err(0), "a WRMSR of IA32_XFD_ERR");
}

static void xs_reset(void *self, unsigned cpus)
{
	struct lab_xsave_fpu *f = self;
	struct cpu_operation first = { .cpu = 0 }, second = { .cpu = 1 };

	f->cpus = cpus;
	f->active = 0;
	f->two_cpus = f->run_on_second_cpu && cpus > 1;
	for (unsigned i = 0; i < XSAVE_FPU_CPUS; i++) {
		struct lab_xsave_cpu *c = &f->cpu[i];
		memset(c->shadow, 0, sizeof c->shadow);
		c->shadow_inuse = c->xfd_err = 0;
		c->xcr0 = LAB_MASK_ALL;
		c->xfd = LAB_MASK_XFD;   /* AMX starts disabled, as in lab/sim_fpu.c */
		c->ts = 0;
		xsave_fpu_area_reset(c->image);
	}
	for (unsigned i = 0; i < XSAVE_FPU_CONTEXTS; i++) {
		xsave_fpu_area_reset(f->buffer[i]);
		for (unsigned level = 0; level < LAB_SIGNAL_DEPTH; level++)
			xsave_fpu_area_reset(f->frame[i][level]);
	}
	memset(f->shadow_buffer, 0, sizeof f->shadow_buffer);
	memset(f->shadow_frame, 0, sizeof f->shadow_frame);
	xsave_fpu_area_reset(f->init);
	xsave_fpu_area_reset(f->pattern);
	f->save_cycles = f->restore_cycles = 0;
	f->timed_saves = f->timed_restores = 0;
	f->second_cpu_operations = f->guest_steps_moved = f->second_cpu_guest_steps = 0;
	f->xfd_first_uses = f->xfd_restore_traps = 0;
	f->problem[0] = 0;
	memset(f->in_guest, 0, sizeof f->in_guest);
	f->guest_steps = f->guest_nm_exits = 0;
	on_cpu(f, &first, registers_init_body);
	if (f->two_cpus)
		on_cpu(f, &second, registers_init_body);
}

/* A frame level the model never gives (handlers nest LAB_SIGNAL_DEPTH deep): the run
   stops with the reason. */
static bool frame_level_invalid(struct lab_xsave_fpu *f, int frame)
{
	if (frame >= 0 && frame <= LAB_SIGNAL_DEPTH)
		return false;
	if (!f->problem[0])
		format_string(f->problem, sizeof f->problem, "%s backend: signal frame level %d of %d",
			      f->name, frame, LAB_SIGNAL_DEPTH);
	return true;
}

/* ctx's buffer (frame 0) or the signal frame of its handler level frame, and the
   shadow of its simulated components. */
static uint8_t *area_of(struct lab_xsave_fpu *f, unsigned ctx, int frame)
{
	return frame ? f->frame[ctx][frame - 1] : f->buffer[ctx];
}

static struct lab_sim_area *shadow_of(struct lab_xsave_fpu *f, unsigned ctx, int frame)
{
	return frame ? &f->shadow_frame[ctx][frame - 1] : &f->shadow_buffer[ctx];
}

/* exec, a new signal frame: ctx's buffer or frame becomes the init state, in memory. */
static void xs_init_buffer(void *self, unsigned ctx, int frame)
{
	struct lab_xsave_fpu *f = self;
	if (frame_level_invalid(f, frame))
		return;
	ctx %= XSAVE_FPU_CONTEXTS;
	xsave_fpu_area_reset(area_of(f, ctx, frame));
	memset(shadow_of(f, ctx, frame), 0, sizeof f->shadow_buffer[ctx]);
}

/* A signal frame from ctx's buffer, in memory: the simulated components from its
   shadow, the real ones converted from the buffer's format (XSAVEC's compacted one,
   or the standard) to the frame's standard one. Timed with the saves. */
static uint32_t xs_copy_to_frame(void *self, unsigned ctx, int frame, uint32_t mask)
{
	struct lab_xsave_fpu *f = self;
	struct lab_sim_area *from, *to;
	uint32_t simulated = mask & ~f->real, in_use;
	uint64_t real, start;

	if (frame < 1 || frame_level_invalid(f, frame))
		return 0;
	ctx %= XSAVE_FPU_CONTEXTS;
	from = shadow_of(f, ctx, 0);
	to = shadow_of(f, ctx, frame);
	in_use = from->xstate_bv & simulated;
	for (unsigned i = 0; i < LAB_COMPONENTS; i++)
		if ((simulated >> i) & 1)
			to->value[i] = ((in_use >> i) & 1) ? from->value[i] : 0;
	to->xstate_bv = (to->xstate_bv & ~simulated) | in_use;
	real = xsave_fpu_hw_bits(f, mask);
	if (real) {
		start = rdtsc_fenced();
		xsave_area_copy_to_standard(area_of(f, ctx, frame), f->buffer[ctx], xsave_components(), real);
		f->save_cycles += rdtsc_fenced() - start;
		in_use |= xsave_fpu_lab_bits(f, xsave_header_of(area_of(f, ctx, frame))->xstate_bv & real);
	}
	return lab_area_bytes(in_use);
}

static void save_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];
	unsigned ctx = op->ctx % XSAVE_FPU_CONTEXTS;
	struct lab_sim_area *shadow = shadow_of(f, ctx, op->frame);
	uint8_t *area = area_of(f, ctx, op->frame);
	uint32_t rfbm = op->mask & c->xcr0 & ~f->real, in_use = c->shadow_inuse & rfbm & ~c->xfd;
	uint64_t real = xsave_fpu_hw_bits(f, op->mask & c->xcr0), start;

	for (unsigned i = 0; i < LAB_COMPONENTS; i++)
		if ((rfbm >> i) & 1)
			shadow->value[i] = ((in_use >> i) & 1) ? c->shadow[i] : 0;
	shadow->xstate_bv = (shadow->xstate_bv & ~rfbm) | in_use;
	if (real) {
		int vector;
		start = rdtsc_fenced();
		/* Signal frames are in the standard format, as Linux writes them. */
		vector = op->frame ? xsave_safe(area, real) : f->save_insn(area, real);
		f->save_cycles += rdtsc_fenced() - start;
		f->timed_saves++;
		fault(f, vector, op->frame ? "XSAVE to a signal frame" : f->save_instruction);
		in_use |= xsave_fpu_lab_bits(f, xsave_header_of(area)->xstate_bv & real);
	}
	op->result = lab_area_bytes(in_use);
}

static uint32_t xs_save(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask)
{
	struct cpu_operation op = { .cpu = cpu, .ctx = ctx, .frame = frame, .mask = mask };
	if (frame_level_invalid(self, frame))
		return 0;
	return on_cpu(self, &op, save_body);
}

/* XRSTOR met a component in use that IA32_XFD arms: the CPU raised #NM and loaded
   nothing (SDM Vol. 1, 13.14). A policy that writes IA32_XFD after XRSTOR gets here.
   The restore completes as the model has it (lab/sim_fpu.c): the armed components come
   back init, which the checker then sees; *armed: those components. Returns the
   vector the retry raised. */
static int restore_armed(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c, uint8_t *area, uint64_t real,
			 uint32_t *armed)
{
	struct xsave_header *header = xsave_header_of(area);
	uint64_t in_area = header->xstate_bv;
	int vector;

	read_real_xfd_err(f, c);
	if (!c->xfd_err)
		return VECTOR_NM;   /* not XFD's: CR0.TS */
	f->xfd_restore_traps++;
	*armed = c->xfd;
	c->xfd_err = 0;
	fault(f, f->hw_write_xfd_err(0), "a WRMSR of IA32_XFD_ERR");
	header->xstate_bv &= ~xsave_fpu_hw_bits(f, c->xfd);
	vector = xrstor_safe(area, real);
	header->xstate_bv = in_area;
	return vector;
}

static void restore_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];
	unsigned ctx = op->ctx % XSAVE_FPU_CONTEXTS;
	struct lab_sim_area *shadow = shadow_of(f, ctx, op->frame);
	uint8_t *area = area_of(f, ctx, op->frame);
	uint32_t rfbm = op->mask & c->xcr0 & ~f->real, loaded = 0, armed = 0;
	uint64_t real = xsave_fpu_hw_bits(f, op->mask & c->xcr0), start;

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
		start = rdtsc_fenced();
		vector = xrstor_safe(area, real);
		f->restore_cycles += rdtsc_fenced() - start;
		f->timed_restores++;
		if (vector == VECTOR_NM && real_xfd(f))
			vector = restore_armed(f, c, area, real, &armed);
		fault(f, vector, op->frame ? "XRSTOR from a signal frame" : "XRSTOR");
		loaded |= xsave_fpu_lab_bits(f, xsave_header_of(area)->xstate_bv & real) & ~armed;
	}
	op->result = lab_area_bytes(loaded);
}

static uint32_t xs_restore(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask)
{
	struct cpu_operation op = { .cpu = cpu, .ctx = ctx, .frame = frame, .mask = mask };
	if (frame_level_invalid(self, frame))
		return 0;
	return on_cpu(self, &op, restore_body);
}

static void restore_init_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];
	uint64_t real = xsave_fpu_hw_bits(f, op->mask), start;
	int vector;

	for (unsigned i = 0; i < LAB_COMPONENTS; i++)
		if (((op->mask & ~f->real) >> i) & 1)
			c->shadow[i] = 0;
	c->shadow_inuse &= ~op->mask;
	if (!real)
		return;
	start = rdtsc_fenced();
	vector = xrstor_safe(f->init, real);
	f->restore_cycles += rdtsc_fenced() - start;
	f->timed_restores++;
	fault(f, vector, "XRSTOR of the init state");
}

static void xs_restore_init(void *self, unsigned cpu, uint32_t mask)
{
	struct cpu_operation op = { .cpu = cpu, .mask = mask };
	on_cpu(self, &op, restore_init_body);
}

/* The exposure check's view of the registers: the simulated components from the
   shadow, the real ones read back with an XSAVE to scratch (TS cleared around it on
   metal, where it would raise #NM); an armed component reads as init. TILECFG holds
   no signature of its own: it reads as init, its tile data tells who wrote it. */
static void peek_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];
	uint64_t real = f->hw_mask;
	int ts = f->hw_ts && f->hw_ts();
	uint32_t found;

	for (unsigned i = 0; i < LAB_COMPONENTS; i++)
		op->values[i] = ((c->shadow_inuse & ~c->xfd & ~f->real) >> i) & 1 ? c->shadow[i] : 0;
	if (!f->real)
		return;
	if (ts)
		fault(f, f->hw_set_ts(0), "a CR0 write (reading the registers back)");
	fault(f, xsave_safe(f->scratch, real), "XSAVE (reading the registers back)");
	if (ts)
		fault(f, f->hw_set_ts(1), "a CR0 write (reading the registers back)");
	for (unsigned i = 0; i < LAB_COMPONENTS; i++) {
		if (!((f->real >> i) & 1) || i == LAB_TILECFG || ((c->xfd >> i) & 1))
			continue;
		xsave_fpu_holds_signature(f, f->scratch, i, 0, &found);
		op->values[i] = found;
	}
}

/* XINUSE: the simulated components from the shadow, the real ones from XGETBV with
   ECX = 1 (TS does not matter to it); an armed component reads as init. */
static void in_use_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];
	uint64_t xinuse = 0;

	fault(f, xgetbv_safe(1, &xinuse), "XGETBV 1 (XINUSE)");
	op->result = ((c->shadow_inuse & ~f->real) | xsave_fpu_lab_bits(f, xinuse)) & ~c->xfd;
}

static uint32_t xs_in_use(void *self, unsigned cpu)
{
	struct cpu_operation op = { .cpu = cpu };
	return on_cpu(self, &op, in_use_body);
}

static void xs_peek(void *self, unsigned cpu, uint32_t *values)
{
	struct cpu_operation op = { .cpu = cpu, .values = values };
	on_cpu(self, &op, peek_body);
}

static void set_ts_body(struct cpu_operation *op) { put_ts(op->f, op->cpu, 1); }
static void clear_ts_body(struct cpu_operation *op) { put_ts(op->f, op->cpu, 0); }
static void ts_body(struct cpu_operation *op) { op->result = (uint32_t)get_ts(op->f, op->cpu); }

static void xs_set_ts(void *self, unsigned cpu)
{
	struct cpu_operation op = { .cpu = cpu };
	on_cpu(self, &op, set_ts_body);
}

static void xs_clear_ts(void *self, unsigned cpu)
{
	struct cpu_operation op = { .cpu = cpu };
	on_cpu(self, &op, clear_ts_body);
}

static int xs_ts(void *self, unsigned cpu)
{
	struct cpu_operation op = { .cpu = cpu };
	return (int)on_cpu(self, &op, ts_body);
}


/* IA32_XFD and IA32_XFD_ERR: kept per scenario CPU, and written to (read from) that
   CPU's real MSRs where XFD is real. */
static void write_xfd_body(struct cpu_operation *op)
{
	struct lab_xsave_cpu *c = &op->f->cpu[op->cpu];

	c->xfd = op->mask & LAB_MASK_XFD;
	if (real_xfd(op->f))
		fault(op->f, op->f->hw_write_xfd(xsave_fpu_hw_bits(op->f, c->xfd)), "a WRMSR of IA32_XFD");
}

static void write_xfd_err_body(struct cpu_operation *op)
{
	op->f->cpu[op->cpu].xfd_err = op->mask;
	if (real_xfd(op->f))
		fault(op->f, op->f->hw_write_xfd_err(xsave_fpu_hw_bits(op->f, op->mask)), "a WRMSR of IA32_XFD_ERR");
}

static void read_xfd_err_body(struct cpu_operation *op)
{
	read_real_xfd_err(op->f, &op->f->cpu[op->cpu]);
	op->result = op->f->cpu[op->cpu].xfd_err;
}

/* Simulated XFD needs no CPU: the body runs here. */
static uint32_t on_xfd_cpu(struct lab_xsave_fpu *f, struct cpu_operation *op, void (*body)(struct cpu_operation *))
{
	if (real_xfd(f))
		return on_cpu(f, op, body);
	op->f = f;
	op->cpu %= XSAVE_FPU_CPUS;
	body(op);
	return op->result;
}

static void xs_write_xfd(void *self, unsigned cpu, uint32_t xfd)
{
	struct cpu_operation op = { .cpu = cpu, .mask = xfd };
	on_xfd_cpu(self, &op, write_xfd_body);
}

static void xs_write_xfd_err(void *self, unsigned cpu, uint32_t value)
{
	struct cpu_operation op = { .cpu = cpu, .mask = value };
	on_xfd_cpu(self, &op, write_xfd_err_body);
}

static uint32_t xs_read_xfd_err(void *self, unsigned cpu)
{
	struct cpu_operation op = { .cpu = cpu };
	return on_xfd_cpu(self, &op, read_xfd_err_body);
}

static void xs_xsetbv(void *self, unsigned cpu, uint32_t xcr0)
{
	((struct lab_xsave_fpu *)self)->cpu[cpu % XSAVE_FPU_CPUS].xcr0 = xcr0 | (1u << LAB_X87);
}

/* Compares the scratch area with expect and builds the pattern area from write (real
   components); the shadow ones compare and take write directly. staged: 0 both, 1 only
   build the pattern area, 2 only compare (after the guest ran). */
static void check_and_stage(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c, uint32_t mask,
			    const uint32_t *expect, const uint32_t *write, struct lab_check *check, int staged)
{
	uint32_t found;

	for (unsigned i = 0; i < LAB_COMPONENTS; i++) {
		if (!((mask >> i) & 1))
			continue;
		if ((f->real >> i) & 1) {
			if (staged != 1 && !xsave_fpu_holds_signature(f, f->scratch, i, expect[i], &found)) {
				check->mismatch |= 1u << i;
				check->found[i] = found;
			}
			if (staged != 2)
				xsave_fpu_put_signature(f, f->pattern, i, write[i]);
			continue;
		}
		if (staged == 1)
			continue;
		if (c->shadow[i] != expect[i]) {
			check->mismatch |= 1u << i;
			check->found[i] = c->shadow[i];
		}
		c->shadow[i] = write[i];
		if (write[i])
			c->shadow_inuse |= 1u << i;
	}
}

/* The guest task's FP instructions run in the real guest: the pattern area is staged
   first, the guest's XSAVE and XRSTOR run on the registers the policies left (VM entry
   and exit do not switch them), and the scratch area is compared afterwards. With real
   XFD the guest's XRSTOR is the first use of an armed component: its #NM exit comes
   back as 2, and the guest resumes at that XRSTOR once the policies disarmed it. */
static int guest_execute(struct lab_xsave_fpu *f, unsigned cpu, uint32_t mask,
			 const uint32_t *expect, const uint32_t *write, struct lab_check *check)
{
	struct lab_xsave_cpu *c = &f->cpu[cpu];
	int status;

	if (!f->hw_ts() && (mask & c->xfd & ~f->real)) {
		c->xfd_err = mask & c->xfd;
		return 2;
	}
	check_and_stage(f, c, mask, expect, write, check, 1);
	status = f->guest_run(f, cpu, xsave_fpu_hw_bits(f, mask));
	if (status == 1) {
		f->guest_nm_exits++;
		return 1;
	}
	if (status == 2) {   /* the guest's XRSTOR met an armed component: XFD_ERR is set */
		read_real_xfd_err(f, c);
		f->xfd_first_uses++;
		return 2;
	}
	if (status < 0)
		return 0;
	f->guest_steps++;
	check_and_stage(f, c, mask, expect, write, check, 2);
	return 0;
}

static void xs_guest_mode(void *self, unsigned cpu, int in_guest)
{
	struct lab_xsave_fpu *f = self;
	f->in_guest[cpu % XSAVE_FPU_CPUS] = (uint8_t)in_guest;
}

/* The second real CPU's registers and TS to its image and back (guest_execute_moved). */
static void park_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];

	c->ts = (uint8_t)f->hw_ts();
	if (c->ts)
		fault(f, f->hw_set_ts(0), "a CR0 write (moving the registers)");
	fault(f, xsave_safe(c->image, f->hw_mask), "XSAVE (moving the registers)");
}

static void unpark_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];

	fault(f, xrstor_safe(c->image, f->hw_mask), "XRSTOR (moving the registers)");
	if (c->ts)
		fault(f, f->hw_set_ts(1), "a CR0 write (moving the registers)");
}

/* A guest step of scenario CPU cpu (not 0) with two real CPUs: the one real guest runs
   on the first CPU, so cpu's registers and TS move there for the step and back, neither
   counted nor timed (docs/lab.md, "Two real CPUs"). */
static int guest_execute_moved(struct lab_xsave_fpu *f, unsigned cpu, uint32_t mask,
			       const uint32_t *expect, const uint32_t *write, struct lab_check *check)
{
	struct cpu_operation op = { .cpu = cpu };
	uint32_t before = f->guest_steps;
	int status;

	on_cpu(f, &op, park_body);
	activate(f, cpu);
	status = guest_execute(f, cpu, mask, expect, write, check);
	activate(f, 0);
	on_cpu(f, &op, unpark_body);
	f->guest_steps_moved += f->guest_steps - before;   /* not the #NM exits' attempts */
	return status;
}

/* A guest step of CPU 1 in the second CPU's own guest. */
static void guest_execute_body(struct cpu_operation *op)
{
	uint32_t before = op->f->guest_steps;

	op->result = (uint32_t)guest_execute(op->f, op->cpu, op->mask, op->expect, op->write, op->check);
	op->f->second_cpu_guest_steps += op->f->guest_steps - before;
}

/* The workload's first use of real components that IA32_XFD arms: an XRSTOR of tile
   data in use, which must raise #NM and set IA32_XFD_ERR (XSAVE does neither: it saves
   an armed component as init). 2 (the XFD #NM), or 0 with the problem set. */
static uint32_t first_use_of_armed(struct lab_xsave_fpu *f, struct lab_xsave_cpu *c, uint32_t armed)
{
	int vector = xrstor_safe(f->xfd_probe, xsave_fpu_hw_bits(f, armed));

	read_real_xfd_err(f, c);
	if (vector == VECTOR_NM && c->xfd_err) {
		f->xfd_first_uses++;
		return 2;
	}
	if (!f->problem[0])
		format_string(f->problem, sizeof f->problem, "%s backend: first use of armed 0x%x: vector %d, "
			      "IA32_XFD_ERR 0x%x (expected #NM with XFD_ERR set)", f->name, armed, vector, c->xfd_err);
	return 0;
}

/* The workload: XSAVE reads the registers (and raises the real #NM when CR0.TS is set
   on metal), the bytes are compared with the expected signatures, and XRSTOR from the
   pattern area writes the new ones. */
static void execute_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];
	uint64_t real = xsave_fpu_hw_bits(f, op->mask);
	uint32_t mxcsr;

	op->result = 1;   /* #NM because of TS */
	if (!f->hw_ts && c->ts)
		return;
	/* The real #NM: STMXCSR changes nothing (XSAVE should fault too, but QEMU's TCG
	   does not check CR0.TS for XSAVE). */
	if (f->hw_ts && stmxcsr_safe(&mxcsr) == VECTOR_NM)
		return;
	if (real) {
		int vector = xsave_safe(f->scratch, real);
		if (vector == VECTOR_NM)
			return;
		fault(f, vector, "XSAVE (the workload's check)");
		op->result = 0;
		if (vector)
			return;
	}
	op->result = 0;
	if (real_xfd(f) && (op->mask & real_armed(f, c))) {
		op->result = first_use_of_armed(f, c, op->mask & f->real & c->xfd);
		return;
	}
	if (op->mask & c->xfd & ~f->real) {
		c->xfd_err = op->mask & c->xfd;
		op->result = 2;
		return;
	}
	check_and_stage(f, c, op->mask, op->expect, op->write, op->check, 0);
	if (real)
		fault(f, xrstor_safe(f->pattern, real), "XRSTOR (the workload's write)");
}

static int xs_execute(void *self, unsigned cpu, uint32_t mask, const uint32_t *expect,
		      const uint32_t *write, struct lab_check *check)
{
	struct lab_xsave_fpu *f = self;
	struct cpu_operation op = { .cpu = cpu, .mask = mask, .expect = expect, .write = write,
				    .check = check };

	cpu %= XSAVE_FPU_CPUS;
	check->mismatch = 0;
	if (f->guest_run && f->in_guest[cpu]) {
		if (cpu != 0 && f->two_cpus && f->second_cpu_guest)
			return (int)on_cpu(f, &op, guest_execute_body);
		if (cpu != 0 && f->two_cpus)
			return guest_execute_moved(f, cpu, mask, expect, write, check);
		activate(f, cpu);
		return guest_execute(f, cpu, mask, expect, write, check);
	}
	return (int)on_cpu(f, &op, execute_body);
}

/* Kernel FP code leaves armed components alone, as on the model. */
static void clobber_body(struct cpu_operation *op)
{
	struct lab_xsave_fpu *f = op->f;
	struct lab_xsave_cpu *c = &f->cpu[op->cpu];
	uint64_t real = xsave_fpu_hw_bits(f, op->mask & ~c->xfd);

	for (unsigned i = 0; i < LAB_COMPONENTS; i++) {
		if (!((op->mask >> i) & 1))
			continue;
		if (((f->real >> i) & 1) && !((c->xfd >> i) & 1)) {
			xsave_fpu_put_signature(f, f->pattern, i, op->junk + i);
		} else if (!((f->real >> i) & 1) && !((c->xfd >> i) & 1)) {
			c->shadow[i] = op->junk + i;
			c->shadow_inuse |= 1u << i;
		}
	}
	if (real)
		fault(f, xrstor_safe(f->pattern, real), "XRSTOR (kernel FP code)");
}

static void xs_clobber(void *self, unsigned cpu, uint32_t mask, uint32_t junk)
{
	struct cpu_operation op = { .cpu = cpu, .mask = mask, .junk = junk };
	on_cpu(self, &op, clobber_body);
}

static void xs_measure(void *self)
{
	struct lab_xsave_fpu *f = self;
	f->save_cycles = f->restore_cycles = 0;
	f->timed_saves = f->timed_restores = 0;
	f->xfd_first_uses = f->xfd_restore_traps = 0;
}

/* The run is over: TS clear and the registers in their init state on every real CPU;
   CPU 0's turn. */
static void xs_finish(void *self)
{
	struct lab_xsave_fpu *f = self;
	struct cpu_operation first = { .f = f, .cpu = 0 }, second = { .cpu = 1 };

	f->active = 0;
	registers_init_body(&first);   /* here: the register file is the first CPU's now */
	xfd_release_body(&first);
	if (f->two_cpus) {
		on_cpu(f, &second, registers_init_body);
		on_cpu(f, &second, xfd_release_body);
	}
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
void lab_xsave_fpu_backend(struct lab_xsave_fpu *f, struct lab_fpu_backend *backend)
{
	backend->name = f->name;
	backend->self = f;
	backend->reset = xs_reset;
	backend->save = xs_save;
	backend->restore = xs_restore;
	backend->restore_init = xs_restore_init;
	backend->init_buffer = xs_init_buffer;
	backend->copy_to_frame = xs_copy_to_frame;
	backend->peek = xs_peek;
	backend->in_use = f->xinuse ? xs_in_use : 0;
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
	backend->record = lab_xsave_fpu_record;
	backend->guest_mode = f->guest_run ? xs_guest_mode : 0;
}
