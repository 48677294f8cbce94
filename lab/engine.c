/* The engine: replays a scenario's events, calls the configuration's policies, runs
   the workload (every context writes its own signature into the components it uses
   and checks it when it runs again) and counts what the policies did. */
#include "lab/lab.h"
#include "lib/format.h"
#include "lib/string.h"

const struct lab_cost_weights lab_default_weights = {
	.save_base = 100, .restore_base = 100, .per_64_bytes = 4,
	.nm_trap = 400, .cr0_write = 60, .msr_write = 120, .xsetbv = 200, .vm_exit = 1200, .ipi = 2000,
};

uint64_t lab_cost(const struct lab_counts *c, const struct lab_cost_weights *w)
{
	return (uint64_t)c->saves * w->save_base + (uint64_t)c->restores * w->restore_base +
	       (uint64_t)(c->bytes_saved + c->bytes_restored) / 64 * w->per_64_bytes +
	       (uint64_t)c->nm_traps * w->nm_trap + (uint64_t)c->cr0_writes * w->cr0_write +
	       (uint64_t)c->xfd_writes * w->msr_write + (uint64_t)c->xsetbv * w->xsetbv +
	       (uint64_t)c->vm_exits * w->vm_exit + (uint64_t)c->ipis * w->ipi;
}

static const char *const component_names[LAB_COMPONENTS] = {
	"x87", "sse", "avx", "opmask", "zmm_hi256", "hi16_zmm", "tilecfg", "tiledata",
};

const char *lab_component_name(unsigned c) { return c < LAB_COMPONENTS ? component_names[c] : "?"; }

bool lab_kind_is_user(unsigned kind)
{
	return kind == LAB_USER || kind == LAB_VMM || kind == LAB_GUEST_USER;
}

static unsigned kind_of(struct lab_machine *m, unsigned ctx)
{
	return ctx < m->scenario->contexts ? m->scenario->context[ctx].kind : LAB_CONTEXT_KINDS;
}

bool lab_owns_state(struct lab_machine *m, unsigned ctx)
{
	unsigned kind = kind_of(m, ctx);
	return kind == LAB_USER || kind == LAB_VMM || kind == LAB_GUEST || kind == LAB_GUEST_USER;
}

/* ---- helpers for the policies ---- */

unsigned lab_phys(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	return dom ? m->vcpu_cpu : cpu;
}

bool lab_valid(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	if (ctx == LAB_NONE || m->owner[dom][cpu] != ctx)
		return false;
	return (m->config->mutation & LAB_MUT_NO_LAST_CPU) || m->last_cpu[ctx] == cpu;
}

uint32_t lab_ctx_mask(struct lab_machine *m, unsigned ctx)
{
	return (m->flags[ctx] & LAB_CTX_XFD_DISARMED) ? LAB_MASK_ALL : LAB_MASK_ALL & ~LAB_MASK_XFD;
}

void lab_set_ts(struct lab_machine *m, unsigned cpu)
{
	if (m->fpu->ts(m->fpu->self, cpu))
		return;
	m->fpu->set_ts(m->fpu->self, cpu);
	m->counts.cr0_writes++;
}

void lab_clear_ts(struct lab_machine *m, unsigned cpu)
{
	if (!m->fpu->ts(m->fpu->self, cpu))
		return;
	m->fpu->clear_ts(m->fpu->self, cpu);
	m->counts.cr0_writes++;
}

void lab_write_xfd(struct lab_machine *m, unsigned cpu, uint32_t value)
{
	if (m->xfd_cache[cpu] == value)
		return;
	m->fpu->write_xfd(m->fpu->self, cpu, value);
	m->xfd_cache[cpu] = value;
	m->counts.xfd_writes++;
}

void lab_vm_exit_count(struct lab_machine *m)
{
	m->counts.vm_exits++;
}

static void guest_trap_if_armed(struct lab_machine *m, unsigned dom, unsigned phys);

/* The guest writes its IA32_XFD: passed through, or an exit per write. */
static void guest_write_xfd(struct lab_machine *m, uint32_t value)
{
	if (m->guest_xfd == value)
		return;
	m->guest_xfd = value;
	if (!m->config->hv->xfd_passthrough)
		lab_vm_exit_count(m);
	lab_write_xfd(m, m->vcpu_cpu, value);
}

/* IA32_XFD the registers need while ctx's state is loaded. */
static uint32_t xfd_for(struct lab_machine *m, unsigned ctx)
{
	if (kind_of(m, ctx) == LAB_GUEST)
		return m->guest_xfd;
	return (m->flags[ctx] & LAB_CTX_XFD_DISARMED) ? 0 : LAB_MASK_XFD;
}

static void sync_xfd(struct lab_machine *m, unsigned dom, unsigned phys, unsigned ctx)
{
	if (dom)
		guest_write_xfd(m, xfd_for(m, ctx));
	else
		lab_write_xfd(m, phys, xfd_for(m, ctx));
}

void lab_save(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	unsigned phys = lab_phys(m, dom, cpu);
	guest_trap_if_armed(m, dom, phys);
	if (!dom)
		lab_clear_ts(m, phys);
	m->counts.bytes_saved += m->fpu->save(m->fpu->self, phys, ctx, 0, lab_ctx_mask(m, ctx));
	m->counts.saves++;
	m->flags[ctx] &= (uint8_t)~LAB_CTX_STALE;
}

void lab_restore(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	unsigned phys = lab_phys(m, dom, cpu);
	bool xfd_late = m->config->mutation & LAB_MUT_XFD_AFTER_XRSTOR;

	guest_trap_if_armed(m, dom, phys);
	if (!dom)
		lab_clear_ts(m, phys);
	if (!xfd_late)
		sync_xfd(m, dom, phys, ctx);   /* XFD before XRSTOR, or the component stays init */
	m->counts.bytes_restored += m->fpu->restore(m->fpu->self, phys, ctx, 0, lab_ctx_mask(m, ctx));
	m->counts.restores++;
	if (xfd_late)
		sync_xfd(m, dom, phys, ctx);
	m->owner[dom][cpu] = (uint8_t)ctx;
	m->last_cpu[ctx] = (uint8_t)cpu;
	m->flags[ctx] &= (uint8_t)~LAB_CTX_STALE;
}

void lab_save_owner_if_stale(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned owner = m->owner[dom][cpu];
	if (owner != LAB_NONE && (m->flags[owner] & LAB_CTX_STALE) && m->last_cpu[owner] == cpu)
		lab_save(m, dom, cpu, owner);
}

void lab_load(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	if (lab_valid(m, dom, cpu, ctx)) {
		sync_xfd(m, dom, lab_phys(m, dom, cpu), ctx);
		return;
	}
	/* A stale copy on another CPU is saved there first (an IPI). */
	for (unsigned other = 0; other < m->cpus && !dom; other++)
		if (other != cpu && m->owner[0][other] == ctx && m->last_cpu[ctx] == other &&
		    (m->flags[ctx] & LAB_CTX_STALE)) {
			m->counts.ipis++;
			lab_save(m, 0, other, ctx);
		}
	lab_save_owner_if_stale(m, dom, cpu);
	lab_restore(m, dom, cpu, ctx);
}

void lab_invalidate(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	m->owner[dom][cpu] = LAB_NONE;
}

/* ---- the workload and the checker ---- */

/* The workload's signatures (use): the context, its signal depth, the step and the
   component; kernel FP code writes KERNEL_FP_JUNK + step * 16 + component. */
#define KERNEL_FP_JUNK 0xdead0000u

static unsigned line_of_step(const struct lab_scenario *scenario, unsigned step)
{
	return step < scenario->events ? scenario->event[step].line : 0;
}

/* Who wrote signature value: "init", "kernel FP code, line N", "CONTEXT, line N". */
static void describe_signature(const struct lab_scenario *scenario, uint32_t value, char *text, size_t size)
{
	unsigned context = (value >> 24) - 1, step = ((value >> 8) & 0xfff) - 1;

	if (!value)
		string_copy(text, "init", size);
	else if ((value & 0xffff0000u) == KERNEL_FP_JUNK)
		format_string(text, size, "kernel FP code, line %u", line_of_step(scenario, (value >> 4) & 0xfff));
	else if ((value >> 24) && context < scenario->contexts && ((value >> 8) & 0xfff))
		format_string(text, size, "%s, line %u", scenario->context[context].name, line_of_step(scenario, step));
	else
		string_copy(text, "unknown", size);
}

static void corruption(struct lab_machine *m, unsigned ctx, unsigned component, uint32_t expected,
		       uint32_t found)
{
	if (!m->corruptions++) {
		m->first.step = (uint16_t)m->step;
		m->first.line = m->scenario->event[m->step].line;
		m->first.context = (uint8_t)ctx;
		m->first.component = (uint8_t)component;
		m->first.expected = expected;
		m->first.found = found;
	}
}

static void run_error(struct lab_machine *m, const char *what)
{
	if (!m->error[0])
		format_string(m->error, sizeof m->error, "line %u: %s",
			      (unsigned)m->scenario->event[m->step].line, what);
}

/* The guest touched the FPU while the hypervisor armed its first-use trap. */
static void guest_trap_if_armed(struct lab_machine *m, unsigned dom, unsigned phys)
{
	if (!dom || !m->fpu->ts(m->fpu->self, phys))
		return;
	m->counts.nm_traps++;
	lab_vm_exit_count(m);
	m->guest_ts_trap = 0;
	m->fpu->clear_ts(m->fpu->self, phys);   /* the guest's CR0 in the VMCS: not a CR0 write */
	if (m->config->hv->guest_fp_trap)
		m->config->hv->guest_fp_trap(m, phys);
}

static uint32_t *expect_of(struct lab_machine *m, unsigned ctx)
{
	return m->signal_depth[ctx] ? m->handler_expect[ctx] : m->expect[ctx];
}

/* Who executes FP instructions on cpu now; dom set to the domain. */
static unsigned executing(struct lab_machine *m, unsigned cpu, unsigned *dom)
{
	unsigned thread = m->current[cpu];
	*dom = 0;
	if (thread == LAB_NONE)
		return LAB_NONE;
	if (thread == m->vmm && m->mode[thread] == LAB_MODE_GUEST) {
		*dom = 1;
		return m->guest_current;
	}
	return m->mode[thread] == LAB_MODE_USER ? thread : LAB_NONE;
}

static void use(struct lab_machine *m, unsigned cpu, uint32_t mask)
{
	unsigned dom, ctx = executing(m, cpu, &dom);
	uint32_t write[LAB_COMPONENTS], *expect;
	struct lab_check check = { 0 };
	int attempt, fault;

	if (m->in_kfpu[cpu]) {
		m->fpu->clobber(m->fpu->self, cpu, mask, KERNEL_FP_JUNK + (m->step << 4));
		return;
	}
	if (ctx == LAB_NONE)
		return run_error(m, "use: nothing on this CPU executes user or guest code");
	expect = expect_of(m, ctx);
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		write[c] = ((uint32_t)(ctx + 1) << 24) | ((uint32_t)(m->signal_depth[ctx]) << 20) |
			   ((uint32_t)(m->step + 1) << 8) | (c + 1);
	for (attempt = 0; attempt < 4; attempt++) {
		unsigned phys = lab_phys(m, dom, dom ? 0 : cpu);
		fault = m->fpu->execute(m->fpu->self, phys, mask, expect, write, &check);
		if (!fault)
			break;
		if (fault == 1 && dom) {
			guest_trap_if_armed(m, dom, phys);
			continue;
		}
		m->counts.nm_traps++;
		if (fault == 1) {
			m->config->host->nm(m, 0, cpu, ctx, 0);
			continue;
		}
		/* #NM from XFD. */
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
	}
	if (fault)
		return run_error(m, "use: the policy never made the FPU usable");
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((check.mismatch >> c) & 1)
			corruption(m, ctx, c, expect[c], check.found[c]);
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		if ((mask >> c) & 1)
			expect[c] = write[c];
}

/* The generic #NM handling of an XFD fault (xfd-dynamic, Linux 5.17+): clear XFD_ERR,
   grow the buffer, disarm XFD for the context. */
void lab_xfd_nm(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err)
{
	unsigned phys = lab_phys(m, dom, cpu);
	if (!xfd_err)
		return;
	m->fpu->write_xfd_err(m->fpu->self, phys, 0);
	m->counts.xfd_writes++;
	if (dom && !m->config->hv->xfd_passthrough)
		lab_vm_exit_count(m);
	m->flags[ctx] |= LAB_CTX_XFD_DISARMED;
	sync_xfd(m, dom, phys, ctx);
}

/* ---- events ---- */

static void ev_switch(struct lab_machine *m, unsigned cpu, unsigned next, uint32_t mask)
{
	unsigned prev = m->current[cpu];

	for (unsigned other = 0; other < m->cpus; other++)
		if (other != cpu && m->current[other] == next)
			return run_error(m, "switch: the context runs on another CPU");
	if (m->in_kfpu[cpu])
		return run_error(m, "switch: inside kernel_fpu_begin/end");
	if (prev == m->vmm && prev != LAB_NONE && m->mode[prev] == LAB_MODE_GUEST)
		return run_error(m, "switch: the vCPU is in guest mode (vm-exit first)");
	if (prev == next)
		goto resumed;
	if (prev != LAB_NONE && prev == m->vmm && m->mode[prev] == LAB_MODE_RUNLOOP && m->config->hv->sched_out)
		m->config->hv->sched_out(m, cpu);
	m->config->host->switch_to(m, 0, cpu, prev, next);
	m->current[cpu] = (uint8_t)next;
	if (next == m->vmm) {
		m->vcpu_cpu = (uint8_t)cpu;
		if (m->mode[next] == LAB_MODE_RUNLOOP && m->config->hv->sched_in)
			m->config->hv->sched_in(m, cpu);
	}
resumed:
	if (lab_kind_is_user(kind_of(m, next)) && m->mode[next] != LAB_MODE_RUNLOOP) {
		m->mode[next] = LAB_MODE_USER;
		m->config->host->return_user(m, 0, cpu, next);
	}
	if (mask)
		use(m, cpu, mask);
}

static void ev_guest_switch(struct lab_machine *m, unsigned cpu, unsigned next, uint32_t mask)
{
	if (m->current[cpu] != m->vmm || m->mode[m->vmm] != LAB_MODE_GUEST)
		return run_error(m, "guest-switch: the vCPU is not in guest mode on this CPU");
	if (m->guest_current != next)
		m->config->guest->switch_to(m, 1, 0, m->guest_current, next);
	m->guest_current = (uint8_t)next;
	if (kind_of(m, next) == LAB_GUEST_USER)
		m->config->guest->return_user(m, 1, 0, next);
	if (mask)
		use(m, cpu, mask);
}

static bool kfpu_blocked(struct lab_machine *m, unsigned cpu)
{
	return m->guest_loaded && m->current[cpu] == m->vmm && m->config->hv->kfpu_blocked_when_loaded;
}

static void ev_signal(struct lab_machine *m, unsigned cpu)
{
	unsigned x = m->current[cpu];
	uint32_t mask;

	if (x == LAB_NONE || !lab_kind_is_user(kind_of(m, x)) || m->mode[x] == LAB_MODE_RUNLOOP ||
	    m->mode[x] == LAB_MODE_GUEST || m->signal_depth[x])
		return run_error(m, "signal: needs a user context outside a handler");
	if (x == m->vmm && m->thread_state[x] != x)
		return run_error(m, "signal: the vCPU thread is inside the run loop");
	mask = lab_ctx_mask(m, x);
	/* The state goes to the signal frame in the standard format: from the registers
	   when they hold it, else loaded first (Linux 5.2+). Seed 003's broken path
	   XSAVEs the registers without asking. */
	if (!(m->config->mutation & LAB_MUT_SIGNAL_STALE_FRAME))
		lab_load(m, 0, cpu, x);
	lab_clear_ts(m, cpu);
	m->counts.bytes_saved += m->fpu->save(m->fpu->self, cpu, x, 1, mask);
	m->counts.saves++;
	memcpy(m->frame_expect[x], m->expect[x], sizeof m->frame_expect[x]);
	/* The handler starts from the init state. */
	m->fpu->restore_init(m->fpu->self, cpu, mask);
	m->counts.restores++;
	m->counts.bytes_restored += LAB_XSAVE_HEADER_BYTES;
	m->owner[0][cpu] = (uint8_t)x;
	m->last_cpu[x] = (uint8_t)cpu;
	m->flags[x] |= LAB_CTX_STALE;
	memset(m->handler_expect[x], 0, sizeof m->handler_expect[x]);
	m->signal_depth[x] = 1;
	m->mode[x] = LAB_MODE_USER;
	m->config->host->return_user(m, 0, cpu, x);
}

static void ev_sigreturn(struct lab_machine *m, unsigned cpu)
{
	unsigned x = m->current[cpu];
	if (x == LAB_NONE || !m->signal_depth[x])
		return run_error(m, "sigreturn: no signal handler runs on this CPU");
	lab_clear_ts(m, cpu);
	sync_xfd(m, 0, cpu, x);
	m->counts.bytes_restored += m->fpu->restore(m->fpu->self, cpu, x, 1, lab_ctx_mask(m, x));
	m->counts.restores++;
	m->owner[0][cpu] = (uint8_t)x;
	m->last_cpu[x] = (uint8_t)cpu;
	m->flags[x] |= LAB_CTX_STALE;
	m->signal_depth[x] = 0;
	memcpy(m->expect[x], m->frame_expect[x], sizeof m->expect[x]);
	m->mode[x] = LAB_MODE_USER;
	m->config->host->return_user(m, 0, cpu, x);
}

static void ev_vm_exit(struct lab_machine *m, unsigned cpu, unsigned reason)
{
	if (m->current[cpu] != m->vmm || m->mode[m->vmm] != LAB_MODE_GUEST)
		return run_error(m, "vm-exit: the vCPU is not in guest mode on this CPU");
	m->mode[m->vmm] = LAB_MODE_RUNLOOP;
	if (m->fpu->guest_mode)
		m->fpu->guest_mode(m->fpu->self, cpu, 0);
	lab_vm_exit_count(m);
	/* VM exit loads the host's CR0 from the VMCS. */
	if (m->host_ts[cpu])
		m->fpu->set_ts(m->fpu->self, cpu);
	else
		m->fpu->clear_ts(m->fpu->self, cpu);
	if (m->config->hv->exit)
		m->config->hv->exit(m, cpu, reason);
}

static void ev_vm_entry(struct lab_machine *m, unsigned cpu)
{
	if (m->current[cpu] != m->vmm || m->mode[m->vmm] != LAB_MODE_RUNLOOP)
		return run_error(m, "vm-entry: the vCPU thread is not in its run loop on this CPU");
	m->config->hv->entry(m, cpu);
	lab_hv_guest_xfd_entry(m, cpu);
	m->host_ts[cpu] = (uint8_t)m->fpu->ts(m->fpu->self, cpu);
	if (m->guest_ts_trap)
		m->fpu->set_ts(m->fpu->self, cpu);
	else
		m->fpu->clear_ts(m->fpu->self, cpu);
	m->mode[m->vmm] = LAB_MODE_GUEST;
	if (m->fpu->guest_mode)
		m->fpu->guest_mode(m->fpu->self, cpu, 1);
}

static void dispatch(struct lab_machine *m, const struct lab_event *e)
{
	unsigned cpu = e->cpu, vmm = m->vmm;
	bool vcpu_here = vmm != LAB_NONE && m->current[cpu] == vmm;

	switch (e->type) {
	case LAB_EV_SWITCH:
		return ev_switch(m, cpu, e->context, e->mask);
	case LAB_EV_MIGRATE:
		if (m->last_cpu_thread[e->context] == cpu)
			return run_error(m, "migrate: the context last ran on that CPU");
		return ev_switch(m, cpu, e->context, 0);
	case LAB_EV_WAKE:
		if (vmm == LAB_NONE || m->mode[vmm] != LAB_MODE_RUNLOOP)
			return run_error(m, "wake: no halted vCPU");
		return ev_switch(m, cpu, vmm, 0);
	case LAB_EV_USE:
		return use(m, cpu, e->mask);
	case LAB_EV_KFPU_BEGIN: {
		unsigned cur = m->current[cpu];
		if (m->in_kfpu[cpu])
			return run_error(m, "kfpu-begin: already inside");
		if (cur != LAB_NONE && m->mode[cur] == LAB_MODE_GUEST)
			return run_error(m, "kfpu-begin: the CPU is in guest mode (vm-exit first)");
		if (kfpu_blocked(m, cpu)) {
			m->in_kfpu[cpu] = 2;   /* irq_fpu_usable() is false: the softirq falls back */
			return;
		}
		m->kfpu_interrupted_user[cpu] = (uint8_t)(e->arg && cur != LAB_NONE && m->mode[cur] == LAB_MODE_USER);
		if (!e->arg && cur != LAB_NONE && m->mode[cur] == LAB_MODE_USER)
			m->mode[cur] = LAB_MODE_KERNEL;   /* a system call */
		m->config->host->kfpu_begin(m, 0, cpu);
		if (m->fpu->ts(m->fpu->self, cpu))
			return run_error(m, "kfpu-begin: kernel FP code would run with CR0.TS set");
		m->in_kfpu[cpu] = 1;
		m->fpu->clobber(m->fpu->self, cpu, LAB_MASK_LEGACY, KERNEL_FP_JUNK + (m->step << 4));
		return;
	}
	case LAB_EV_KFPU_END:
		if (!m->in_kfpu[cpu])
			return run_error(m, "kfpu-end: not inside kfpu-begin");
		if (m->in_kfpu[cpu] == 2) {
			m->in_kfpu[cpu] = 0;
			return;
		}
		m->in_kfpu[cpu] = 0;
		m->config->host->kfpu_end(m, 0, cpu);
		if (m->kfpu_interrupted_user[cpu])
			m->config->host->return_user(m, 0, cpu, m->current[cpu]);
		m->kfpu_interrupted_user[cpu] = 0;
		return;
	case LAB_EV_RETURN_USER: {
		unsigned cur = m->current[cpu];
		if (cur == LAB_NONE || !lab_kind_is_user(kind_of(m, cur)) || m->mode[cur] == LAB_MODE_RUNLOOP ||
		    m->mode[cur] == LAB_MODE_GUEST)
			return run_error(m, "return-user: no user context in the kernel on this CPU");
		m->mode[cur] = LAB_MODE_USER;
		m->config->host->return_user(m, 0, cpu, cur);
		return;
	}
	case LAB_EV_KVM_RUN:
		if (!vcpu_here || m->mode[vmm] != LAB_MODE_USER)
			return run_error(m, "kvm-run: the VMM is not in user space on this CPU");
		m->mode[vmm] = LAB_MODE_RUNLOOP;
		m->config->hv->run_enter(m, cpu);
		return;
	case LAB_EV_VM_ENTRY:
		return ev_vm_entry(m, cpu);
	case LAB_EV_VM_EXIT:
		return ev_vm_exit(m, cpu, e->arg);
	case LAB_EV_HALT:
		return ev_vm_exit(m, cpu, LAB_EXIT_HLT);
	case LAB_EV_KVM_RETURN:
		if (!vcpu_here || m->mode[vmm] != LAB_MODE_RUNLOOP)
			return run_error(m, "kvm-return: the vCPU thread is not in its run loop here");
		m->config->hv->run_return(m, cpu);
		m->mode[vmm] = LAB_MODE_USER;
		m->config->host->return_user(m, 0, cpu, vmm);
		return;
	case LAB_EV_GUEST_SWITCH:
		return ev_guest_switch(m, cpu, e->context, e->mask);
	case LAB_EV_SIGNAL:
		return ev_signal(m, cpu);
	case LAB_EV_SIGRETURN:
		return ev_sigreturn(m, cpu);
	}
	run_error(m, "unknown event");
}

bool lab_expected(const struct lab_config *config, const char *scenario)
{
	const char *list = config->expected_corruption;
	size_t n = strlen(scenario);
	while (list && *list) {
		if (strncmp(list, scenario, n) == 0 && (list[n] == ',' || list[n] == 0))
			return true;
		list = strchr(list, ',');
		if (list)
			list++;
	}
	return false;
}

static void machine_init(struct lab_machine *m, const struct lab_config *config,
			 const struct lab_scenario *scenario, struct lab_fpu_backend *backend)
{
	memset(m, 0, sizeof *m);
	m->config = config;
	m->scenario = scenario;
	m->fpu = backend;
	m->cpus = scenario->cpus;
	m->vmm = m->guest = m->guest_current = LAB_NONE;
	memset(m->current, LAB_NONE, sizeof m->current);
	memset(m->owner, LAB_NONE, sizeof m->owner);
	memset(m->last_cpu, LAB_NONE, sizeof m->last_cpu);
	memset(m->last_cpu_thread, LAB_NONE, sizeof m->last_cpu_thread);
	for (unsigned i = 0; i < LAB_MAX_CONTEXTS; i++)
		m->thread_state[i] = (uint8_t)i;
	for (unsigned i = 0; i < scenario->contexts; i++) {
		if (scenario->context[i].kind == LAB_VMM && m->vmm == LAB_NONE)
			m->vmm = (uint8_t)i;
		if (scenario->context[i].kind == LAB_GUEST && m->guest == LAB_NONE) {
			m->guest = (uint8_t)i;
			m->flags[i] |= LAB_CTX_XFD_DISARMED;   /* the guest's buffer has room for AMX */
		}
	}
	for (unsigned cpu = 0; cpu < LAB_MAX_CPUS; cpu++)
		m->xfd_cache[cpu] = LAB_MASK_XFD;
	m->guest_xfd = LAB_MASK_XFD;
	backend->reset(backend->self, scenario->cpus);
}

/* A hardware fault the backend hit ends the run at once (the registers are suspect). */
static const char *backend_problem(struct lab_fpu_backend *backend)
{
	return backend->problem ? backend->problem(backend->self) : 0;
}

int lab_run(const struct lab_config *config, const struct lab_scenario *scenario,
	    struct lab_fpu_backend *backend, struct lab_machine *m, struct lab_result *result)
{
	machine_init(m, config, scenario, backend);
	memset(result, 0, sizeof *result);
	for (m->step = 0; m->step < scenario->events; m->step++) {
		const struct lab_event *e = &scenario->event[m->step];
		if (m->error[0] || backend_problem(backend))
			break;
		if (e->type == LAB_EV_MEASURE) {
			memset(&m->counts, 0, sizeof m->counts);
			if (backend->measure)
				backend->measure(backend->self);
			continue;
		}
		dispatch(m, e);
		if ((e->type == LAB_EV_SWITCH || e->type == LAB_EV_MIGRATE || e->type == LAB_EV_WAKE) &&
		    !m->error[0] && m->current[e->cpu] != LAB_NONE)
			m->last_cpu_thread[m->current[e->cpu]] = e->cpu;
	}
	if (backend->finish)
		backend->finish(backend->self);
	if (!m->error[0] && backend_problem(backend))
		string_copy(m->error, backend_problem(backend), sizeof m->error);
	result->fpu = backend;
	result->config = config->name;
	result->origin = config->origin;
	string_copy(result->scenario, scenario->name, sizeof result->scenario);
	result->backend = backend->name;
	result->counts = m->counts;
	result->corrupted = m->corruptions != 0;
	result->first = m->first;
	result->configuration = config;
	if (result->corrupted) {
		string_copy(result->first_context, m->first.context < scenario->contexts
			    ? scenario->context[m->first.context].name : "kernel", sizeof result->first_context);
		describe_signature(scenario, m->first.found, result->first_found_by, sizeof result->first_found_by);
	}
	result->cost = lab_cost(&m->counts, lab_weights());
	result->expected_corruption = lab_expected(config, scenario->name);
	lab_oracle(scenario, &result->oracle);
	result->oracle_cost = lab_cost(&result->oracle, lab_weights());
	if (m->error[0]) {
		string_copy(result->error, m->error, sizeof result->error);
		return -1;
	}
	return 0;
}
