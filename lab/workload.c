/* The workload and the checkers (docs/lab.md "Checks"): every context writes its own
   signature into the components it uses and checks them when it runs again
   (corruption); after every event, the context that runs must not find another
   protection domain's state in the registers (exposure, LazyFP). Signal frames,
   fork's copy and exec's init state are what the checker expects next. */
#include "lab/lab_run.h"
#include "lib/format.h"
#include "lib/string.h"

/* A signature is 32 bits: bit 31 set for kernel FP code (then bits 30..3 the step + 1
   and 2..0 the component); else bits 30..18 the context + 1, bit 17 set inside a
   signal handler, bits 16..0 the step + 1 (mod 2^17). Never 0 (the init state). Two
   uses of one context 2^17 steps apart write the same signature: a policy that
   handed back exactly such a stale state would go unnoticed. */
#define SIG_KERNEL 0x80000000u
#define SIG_STEP_MASK 0x1ffffu
#define FOUND_XFD_DISARMED 0xffffffffu   /* a corruption's found value: see xfd_protocol_check */

static uint32_t use_signature(unsigned ctx, unsigned handler, unsigned step)
{
	return ((uint32_t)(ctx + 1) << 18) | ((uint32_t)(handler != 0) << 17) | ((step + 1) & SIG_STEP_MASK);
}

static uint32_t kernel_junk(unsigned step)
{
	return SIG_KERNEL | (((uint32_t)step + 1) << 3);
}

bool lab_signature_is_kernel(uint32_t signature)
{
	return (signature & SIG_KERNEL) != 0;
}

unsigned lab_signature_context(uint32_t signature)
{
	if (!signature || lab_signature_is_kernel(signature))
		return LAB_NONE;
	return ((signature >> 18) & 0x1fffu) - 1;
}

static unsigned line_of_step(const struct lab_scenario *scenario, unsigned step)
{
	return step < scenario->events ? scenario->event[step].line : 0;
}

/* The latest step up to now whose use wrote signature's step bits. */
static unsigned use_step(uint32_t signature, unsigned now)
{
	uint32_t next = now + 1, residue = signature & SIG_STEP_MASK;
	uint32_t k = next - ((next - residue) & SIG_STEP_MASK);
	return k ? k - 1 : 0;
}

/* Who wrote signature: "init", "kernel FP code, line N", "CONTEXT, line N". */
void lab_describe_signature(const struct lab_machine *m, uint32_t value, char *text, size_t size)
{
	const struct lab_scenario *s = m->scenario;
	unsigned ctx = lab_signature_context(value);

	if (value == FOUND_XFD_DISARMED)
		string_copy(text, "IA32_XFD disarmed without an AMX buffer", size);
	else if (!value)
		string_copy(text, "init", size);
	else if (lab_signature_is_kernel(value))
		format_string(text, size, "kernel FP code, line %u",
			      line_of_step(s, ((value & ~SIG_KERNEL) >> 3) - 1));
	else if (ctx < s->contexts)
		format_string(text, size, "%s, line %u", s->context[ctx].name,
			      line_of_step(s, use_step(value, m->step)));
	else
		string_copy(text, "unknown", size);
}

static void corruption(struct lab_machine *m, unsigned ctx, unsigned component, uint32_t expected,
		       uint32_t found)
{
	if (!m->corruptions++) {
		m->first.step = m->step;
		m->first.line = line_of_step(m->scenario, m->step);
		m->first.context = (uint16_t)ctx;
		m->first.component = (uint8_t)component;
		m->first.expected = expected;
		m->first.found = found;
	}
}

void lab_run_error(struct lab_machine *m, const char *what)
{
	if (!m->error[0])
		format_string(m->error, sizeof m->error, "line %u: %s", line_of_step(m->scenario, m->step), what);
}

/* What the checker expects of ctx's state at handler level `level` (0: outside any). */
static uint32_t *expect_at(struct lab_machine *m, unsigned ctx, unsigned level)
{
	return level ? m->ctx[ctx].handler_expect[level - 1] : m->ctx[ctx].expect;
}

static uint32_t *expect_of(struct lab_machine *m, unsigned ctx)
{
	return expect_at(m, ctx, m->model.ctx[ctx].depth);
}

/* The XFD protocol (Linux 5.17's xfd_update_state): a context whose buffer has no room
   for AMX runs with IA32_XFD armed, so that its first AMX instruction takes #NM and
   the kernel grows its buffer; with XFD disarmed that instruction would run, and its
   tile data would never be saved. A use with XFD disarmed for such a context is a
   corruption of its tile data, found "IA32_XFD disarmed". The oracle counts the #NM
   and the IA32_XFD writes this forces on every policy (lab/oracle.c). */
static void xfd_protocol_check(struct lab_machine *m, unsigned phys, unsigned ctx)
{
	if (!(m->ctx[ctx].flags & LAB_CTX_XFD_DISARMED) && (m->xfd_cache[phys] & LAB_MASK_XFD) != LAB_MASK_XFD)
		corruption(m, ctx, LAB_TILEDATA, expect_of(m, ctx)[LAB_TILEDATA], FOUND_XFD_DISARMED);
}

/* #NM from XFD on the workload's first use of an armed component. */
static void xfd_fault(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned phys, unsigned ctx)
{
	uint32_t err = m->fpu->read_xfd_err(m->fpu->self, phys);
	const struct lab_host_ops *os = dom ? m->config->guest : m->config->host;

	if (dom && m->config->hv->xfd_passthrough) {
		/* #NM intercepted: XFD_ERR read with interrupts off, cleared, #NM injected */
		lab_vm_exit_count(m);
		m->fpu->write_xfd_err(m->fpu->self, phys, 0);
		m->counts.xfd_writes++;
	}
	os->nm(m, dom, dom ? 0 : cpu, ctx, err);
}

void lab_workload_use(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t mask)
{
	uint32_t write[LAB_COMPONENTS], *expect = expect_of(m, ctx), signature;
	struct lab_check check = { 0 };
	int attempt, fault = 0;

	signature = use_signature(ctx, m->model.ctx[ctx].depth, m->step);
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		write[c] = signature;
	for (attempt = 0; attempt < 4; attempt++) {
		unsigned phys = lab_phys(m, dom, dom ? 0 : cpu);
		fault = m->fpu->execute(m->fpu->self, phys, mask, expect, write, &check);
		if (!fault)
			break;
		if (fault == 1 && dom) {
			lab_guest_trap_if_armed(m, dom, phys);
			continue;
		}
		m->counts.nm_traps++;
		if (fault == 1)
			m->config->host->nm(m, 0, cpu, ctx, 0);
		else
			xfd_fault(m, dom, cpu, phys, ctx);
	}
	if (fault)
		return lab_run_error(m, "use: the policy never made the FPU usable");
	xfd_protocol_check(m, lab_phys(m, dom, dom ? 0 : cpu), ctx);
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((check.mismatch >> c) & 1)
			corruption(m, ctx, c, expect[c], check.found[c]);
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((mask >> c) & 1)
			expect[c] = write[c];
}

void lab_workload_clobber(struct lab_machine *m, unsigned cpu, uint32_t mask)
{
	m->fpu->clobber(m->fpu->self, cpu, mask, kernel_junk(m->step));
}

/* A signal: the policy writes the task's current state (its own, or the handler's it
   interrupts) into a new frame (standard format) and loads the new handler's init
   state; the checker expects the frame to hold that state and the handler to start
   from init. Level L's frame is frame L (1 = outside any handler before). */
void lab_workload_signal(struct lab_machine *m, unsigned cpu, unsigned x)
{
	struct lab_context_state *s = &m->ctx[x];
	const struct lab_host_ops *host = m->config->host;
	unsigned level = m->model.ctx[x].depth + 1u;

	m->fpu->init_buffer(m->fpu->self, x, (int)level);   /* a new frame: no component of an earlier one */
	if (host->signal_frame)
		host->signal_frame(m, cpu, x);
	else
		lab_signal_frame_linux(m, cpu, x);
	memcpy(s->frame_expect[level - 1], expect_at(m, x, level - 1), sizeof s->frame_expect[0]);
	memset(s->handler_expect[level - 1], 0, sizeof s->handler_expect[0]);
}

void lab_workload_sigreturn(struct lab_machine *m, unsigned cpu, unsigned x)
{
	struct lab_context_state *s = &m->ctx[x];
	unsigned level = m->model.ctx[x].depth;   /* the handler that returns: its frame */

	if (m->owner[0][cpu] != x)
		lab_save_owner_if_stale(m, 0, cpu);   /* it was switched in without being loaded */
	lab_clear_ts(m, cpu);
	lab_sync_xfd(m, 0, cpu, x);
	m->counts.bytes_restored += m->fpu->restore(m->fpu->self, cpu, x, (int)level, LAB_MASK_ALL);
	m->counts.restores++;
	if (m->observer)
		m->observer->op(m->observer->self, m->step, m->effect, LAB_OP_FRAME_RESTORE, x);
	m->owner[0][cpu] = (uint16_t)x;
	s->last_cpu = (uint8_t)cpu;
	s->flags |= LAB_CTX_STALE | LAB_CTX_LOADED;
	memcpy(expect_at(m, x, level - 1), s->frame_expect[level - 1], sizeof s->expect);
}

/* What the checker expects of a forked child, of an exec'd or reborn context. */
void lab_workload_fork(struct lab_machine *m, unsigned parent, unsigned child)
{
	struct lab_context_state *c = &m->ctx[child];
	memcpy(c->expect, m->ctx[parent].expect, sizeof c->expect);
	c->expect[LAB_TILEDATA] = 0;   /* dynamic features are caller-saved: not inherited */
	memset(c->frame_expect, 0, sizeof c->frame_expect);
	memset(c->handler_expect, 0, sizeof c->handler_expect);
}

void lab_workload_exec(struct lab_machine *m, unsigned ctx)
{
	memset(m->ctx[ctx].expect, 0, sizeof m->ctx[ctx].expect);
	memset(m->ctx[ctx].handler_expect, 0, sizeof m->ctx[ctx].handler_expect);
	memset(m->ctx[ctx].frame_expect, 0, sizeof m->ctx[ctx].frame_expect);
}

/* May reader see signature in component c? Its own state (what it expects there,
   also a copy fork gave it) and its domain's: READ_OWN; the VMM also its own guest's
   (it may read that anyway: KVM_GET_XSAVE): READ_OWN_GUEST; else READ_FOREIGN. */
enum { READ_FOREIGN, READ_OWN, READ_OWN_GUEST };

static int may_read(const struct lab_machine *m, unsigned reader, unsigned c, uint32_t signature)
{
	const struct lab_scenario *s = m->scenario;
	unsigned writer = lab_signature_context(signature), kind;

	if (m->ctx[reader].expect[c] == signature)
		return READ_OWN;
	for (unsigned level = 0; level < LAB_SIGNAL_DEPTH; level++)
		if (m->ctx[reader].handler_expect[level][c] == signature)
			return READ_OWN;
	if (lab_signature_is_kernel(signature) || writer >= s->contexts)
		return READ_FOREIGN;
	if (writer == reader || s->context[writer].domain == s->context[reader].domain)
		return READ_OWN;
	kind = s->context[writer].kind;
	return s->context[reader].kind == LAB_VMM &&
	       (kind == LAB_GUEST || kind == LAB_GUEST_USER || kind == LAB_GUEST_IDLE) ? READ_OWN_GUEST : READ_FOREIGN;
}

/* Whenever user or guest code starts to run, and after every event: the context that
   runs (reader; dom 1: in the guest) must find nothing of another domain in the
   registers, whatever CR0.TS says (a speculative read does not trap). A step counts
   once. */
void lab_exposure_check(struct lab_machine *m, unsigned cpu, unsigned reader, unsigned dom)
{
	uint32_t values[LAB_COMPONENTS];

	if (reader == LAB_NONE || !lab_kind_is_user(lab_kind(m, reader)) || !m->fpu->peek ||
	    m->exposure_step == m->step + 1)
		return;   /* idle tasks and kernel threads run no user code */
	m->fpu->peek(m->fpu->self, lab_phys(m, dom, cpu), values);
	for (unsigned c = 0; c < LAB_COMPONENTS; c++) {
		int read = values[c] ? may_read(m, reader, c, values[c]) : READ_OWN;
		if (read == READ_OWN_GUEST && m->vmm_own_guest_step != m->step + 1) {
			m->vmm_own_guest_step = m->step + 1;   /* fpulab's lazy VMM: allowed, counted */
			m->vmm_own_guest_steps++;
		}
		if (read != READ_FOREIGN)
			continue;
		m->exposure_step = m->step + 1;
		if (!m->exposures++) {
			m->first_exposure.step = m->step;
			m->first_exposure.line = line_of_step(m->scenario, m->step);
			m->first_exposure.context = (uint16_t)reader;
			m->first_exposure.holder = (uint16_t)lab_signature_context(values[c]);
			m->first_exposure.component = (uint8_t)c;
		}
		return;
	}
}
