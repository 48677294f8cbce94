/* The one model of what each event does (lab/lab_model.h, docs/lab.md "Events"): the
   scheduling state (who runs on which CPU, in which mode, inside which handler, who
   is alive), the checks that reject an event that makes no sense, and each event's
   effects in order. The engine and the oracle both receive these effects, so they
   cannot disagree on what an event did: a kernel_fpu_begin the receiver refuses
   (kvm-2015's irq_fpu_usable()) clobbers nothing for either. */
#include "lab/lab_model.h"
#include "lib/format.h"
#include "lib/string.h"

bool lab_kind_is_user(unsigned kind)
{
	return kind == LAB_USER || kind == LAB_VMM || kind == LAB_GUEST_USER;
}

unsigned lab_model_kind(const struct lab_model *m, unsigned ctx)
{
	return ctx < m->scenario->contexts ? m->scenario->context[ctx].kind : LAB_CONTEXT_KINDS;
}

static bool host_user(const struct lab_model *m, unsigned ctx)
{
	unsigned kind = lab_model_kind(m, ctx);
	return kind == LAB_USER || kind == LAB_VMM;
}

static void emit(struct lab_model *m, unsigned type, unsigned dom, unsigned cpu, unsigned ctx,
		 unsigned other, unsigned arg, uint32_t mask)
{
	struct lab_effect effect = {
		.type = (uint8_t)type, .dom = (uint8_t)dom, .cpu = (uint8_t)cpu, .arg = (uint8_t)arg,
		.ctx = (uint16_t)ctx, .other = (uint16_t)other, .mask = mask,
	};
	if (m->effect)
		m->effect(m->receiver, &effect);
}

static int reject(struct lab_model *m, const char *what)
{
	if (!m->error[0])
		format_string(m->error, sizeof m->error, "line %u: %s",
			      (unsigned)m->scenario->event[m->step].line, what);
	return -1;
}

void lab_model_init(struct lab_model *m, const struct lab_scenario *s, void *receiver,
		    void (*effect)(void *, const struct lab_effect *), bool (*kfpu_refused)(void *, unsigned))
{
	memset(m, 0, sizeof *m);
	m->scenario = s;
	m->ctx = s->storage->model;
	m->cpus = s->cpus;
	m->receiver = receiver;
	m->effect = effect;
	m->kfpu_refused = kfpu_refused;
	for (unsigned cpu = 0; cpu < LAB_MAX_CPUS; cpu++)
		m->current[cpu] = LAB_NONE;
	for (unsigned v = 0; v < LAB_MAX_VCPUS; v++)
		m->vcpu[v] = (struct lab_vcpu){ LAB_NONE, LAB_NONE, LAB_NONE, 0 };
	memset(m->ctx, 0, s->contexts * sizeof *m->ctx);
	for (unsigned i = 0, guests = 0; i < s->contexts; i++) {
		m->ctx[i].alive = 1;
		m->ctx[i].last_cpu = LAB_NO_CPU;
		if (s->context[i].kind == LAB_VMM && m->vcpus < LAB_MAX_VCPUS)
			m->vcpu[m->vcpus++].vmm = (uint16_t)i;
		if (s->context[i].kind == LAB_GUEST && guests < LAB_MAX_VCPUS)
			m->vcpu[guests++].guest = (uint16_t)i;
	}
	m->vmm = m->vcpu[0].vmm;
	m->guest = m->vcpu[0].guest;
}

/* The vCPU whose thread ctx is, or vcpus. */
static unsigned vcpu_of(const struct lab_model *m, unsigned ctx)
{
	for (unsigned v = 0; v < m->vcpus; v++)
		if (m->vcpu[v].vmm == ctx)
			return v;
	return m->vcpus;
}

static bool is_vmm(const struct lab_model *m, unsigned ctx)
{
	return ctx != LAB_NONE && vcpu_of(m, ctx) < m->vcpus;
}

/* The event concerns vCPU ctx's (nothing changes when ctx is no vCPU thread). */
static void select_vcpu_of(struct lab_model *m, unsigned ctx)
{
	unsigned v = ctx == LAB_NONE ? m->vcpus : vcpu_of(m, ctx);

	if (v >= m->vcpus)
		return;
	m->selected = v;
	m->vmm = m->vcpu[v].vmm;
	m->guest = m->vcpu[v].guest;
}

unsigned lab_model_guest_current(const struct lab_model *m)
{
	return m->vcpu[m->selected].guest_current;
}

unsigned lab_model_vcpu_cpu(const struct lab_model *m)
{
	return m->vcpu[m->selected].cpu;
}

unsigned lab_model_executing(const struct lab_model *m, unsigned cpu, unsigned *dom)
{
	unsigned thread = m->current[cpu];

	*dom = 0;
	if (thread == LAB_NONE || m->in_kfpu[cpu])
		return LAB_NONE;   /* inside kfpu-begin/end kernel code runs, also over interrupted user code */
	if (is_vmm(m, thread) && m->ctx[thread].mode == LAB_MODE_GUEST) {
		unsigned task = m->vcpu[vcpu_of(m, thread)].guest_current;
		*dom = 1;   /* the guest's idle task runs no user code */
		return lab_model_kind(m, task) == LAB_GUEST_USER ? task : LAB_NONE;
	}
	return m->ctx[thread].mode == LAB_MODE_USER && m->ctx[thread].alive ? thread : LAB_NONE;
}

static int on_use(struct lab_model *m, unsigned cpu, uint32_t mask)
{
	unsigned dom, ctx;

	if (m->in_kfpu[cpu] == 1) {
		emit(m, LAB_FX_CLOBBER, 0, cpu, LAB_NONE, LAB_NONE, 0, mask);   /* kernel FP code */
		return 0;
	}
	if (m->in_kfpu[cpu] == 2)
		return 0;   /* refused: the kernel's fallback is integer code */
	ctx = lab_model_executing(m, cpu, &dom);
	if (ctx == LAB_NONE)
		return reject(m, "use: nothing on this CPU executes user or guest code");
	emit(m, LAB_FX_USE, dom, cpu, ctx, LAB_NONE, 0, mask);
	return 0;
}

static void return_user(struct lab_model *m, unsigned cpu, unsigned ctx)
{
	m->ctx[ctx].mode = LAB_MODE_USER;
	emit(m, LAB_FX_RETURN_USER, 0, cpu, ctx, LAB_NONE, 0, 0);
}

static int on_switch_to(struct lab_model *m, unsigned cpu, unsigned next, uint32_t mask, unsigned arg)
{
	unsigned prev = m->current[cpu];

	for (unsigned other = 0; other < m->cpus; other++)
		if (other != cpu && m->current[other] == next)
			return reject(m, "switch: the context runs on another CPU");
	if (m->in_kfpu[cpu])
		return reject(m, "switch: inside kernel_fpu_begin/end");
	if (is_vmm(m, prev) && m->ctx[prev].mode == LAB_MODE_GUEST)
		return reject(m, "switch: the vCPU is in guest mode (vm-exit first)");
	/* a context that exited may still be switched to: it finishes in the kernel */
	if (prev != next) {
		select_vcpu_of(m, prev);
		if (is_vmm(m, prev) && m->ctx[prev].mode == LAB_MODE_RUNLOOP)
			emit(m, LAB_FX_SCHED_OUT, 0, cpu, prev, LAB_NONE, 0, 0);
		emit(m, LAB_FX_SWITCH, 0, cpu, prev, next, 0, 0);
		m->current[cpu] = (uint16_t)next;
		m->ctx[next].ran = 1;
		m->ctx[next].last_cpu = (uint8_t)cpu;
		if (is_vmm(m, next)) {
			select_vcpu_of(m, next);
			m->vcpu[m->selected].cpu = (uint8_t)cpu;
			if (m->ctx[next].mode == LAB_MODE_RUNLOOP)
				emit(m, LAB_FX_SCHED_IN, 0, cpu, next, LAB_NONE, 0, 0);
		}
	}
	if (lab_kind_is_user(lab_model_kind(m, next)) && m->ctx[next].mode != LAB_MODE_RUNLOOP && m->ctx[next].alive) {
		if (arg & LAB_SWITCH_IN_KERNEL)
			m->ctx[next].mode = LAB_MODE_KERNEL;   /* it blocks again in the kernel */
		else
			return_user(m, cpu, next);
	}
	return mask ? on_use(m, cpu, mask) : 0;
}

static int on_guest_switch(struct lab_model *m, unsigned cpu, unsigned next, uint32_t mask)
{
	uint16_t *guest_current = &m->vcpu[m->selected].guest_current;

	if (m->current[cpu] != m->vmm || m->vmm == LAB_NONE || m->ctx[m->vmm].mode != LAB_MODE_GUEST)
		return reject(m, "guest-switch: the vCPU is not in guest mode on this CPU");
	for (unsigned v = 0; v < m->vcpus; v++)
		if (v != m->selected && m->vcpu[v].guest_current == next && lab_model_kind(m, next) == LAB_GUEST_USER)
			return reject(m, "guest-switch: the guest task is another vCPU's (each vCPU has its own)");
	if (*guest_current != next)
		emit(m, LAB_FX_GUEST_SWITCH, 1, cpu, *guest_current, next, 0, 0);
	*guest_current = (uint16_t)next;
	if (lab_model_kind(m, next) == LAB_GUEST_USER)
		emit(m, LAB_FX_RETURN_USER, 1, cpu, next, LAB_NONE, 0, 0);
	return mask ? on_use(m, cpu, mask) : 0;
}

static int on_kfpu_begin(struct lab_model *m, unsigned cpu, unsigned softirq)
{
	unsigned cur = m->current[cpu];
	bool user = cur != LAB_NONE && m->ctx[cur].mode == LAB_MODE_USER;

	if (m->in_kfpu[cpu])
		return reject(m, "kfpu-begin: already inside");
	if (cur != LAB_NONE && m->ctx[cur].mode == LAB_MODE_GUEST)
		return reject(m, "kfpu-begin: the CPU is in guest mode (vm-exit first)");
	m->kfpu_interrupted_user[cpu] = (uint8_t)(softirq && user);
	if (!softirq && user)
		m->ctx[cur].mode = LAB_MODE_KERNEL;   /* a system call */
	if (m->kfpu_refused && m->kfpu_refused(m->receiver, cpu)) {
		m->in_kfpu[cpu] = 2;   /* irq_fpu_usable() is false: the kernel falls back */
		return 0;
	}
	emit(m, LAB_FX_KFPU_BEGIN, 0, cpu, cur, LAB_NONE, softirq, 0);
	m->in_kfpu[cpu] = 1;
	emit(m, LAB_FX_CLOBBER, 0, cpu, LAB_NONE, LAB_NONE, 0, LAB_MASK_LEGACY);
	return 0;
}

static int on_kfpu_end(struct lab_model *m, unsigned cpu)
{
	unsigned interrupted = m->kfpu_interrupted_user[cpu], refused;

	if (!m->in_kfpu[cpu])
		return reject(m, "kfpu-end: not inside kfpu-begin");
	refused = m->in_kfpu[cpu] == 2;

	m->kfpu_interrupted_user[cpu] = 0;
	m->in_kfpu[cpu] = 0;
	if (!refused)
		emit(m, LAB_FX_KFPU_END, 0, cpu, m->current[cpu], LAB_NONE, interrupted, 0);
	if (interrupted)
		emit(m, LAB_FX_RETURN_USER, 0, cpu, m->current[cpu], LAB_NONE, 0, 0);
	return 0;
}

/* The current host user thread on cpu, outside the run loop and the guest, alive. */
static unsigned current_user(struct lab_model *m, unsigned cpu)
{
	unsigned x = m->current[cpu];
	if (x == LAB_NONE || !host_user(m, x) || !m->ctx[x].alive || m->ctx[x].mode == LAB_MODE_RUNLOOP ||
	    m->ctx[x].mode == LAB_MODE_GUEST)
		return LAB_NONE;
	return x;
}

/* signal: delivered to the current user context, also inside a handler (they nest up
   to LAB_SIGNAL_DEPTH); sigreturn: the innermost handler returns. Either way it then
   returns to user space. The effect is emitted at the depth before the event. */
static int on_signal(struct lab_model *m, unsigned cpu, bool delivery)
{
	unsigned x = current_user(m, cpu);

	if (delivery && x == LAB_NONE)
		return reject(m, "signal: needs a user context");
	if (delivery && m->ctx[x].depth >= LAB_SIGNAL_DEPTH)
		return reject(m, "signal: handlers nest at most 4 deep");
	if (!delivery && (x == LAB_NONE || !m->ctx[x].depth))
		return reject(m, "sigreturn: no signal handler runs on this CPU");
	emit(m, delivery ? LAB_FX_SIGNAL : LAB_FX_SIGRETURN, 0, cpu, x, LAB_NONE, 0, 0);
	m->ctx[x].depth = (uint8_t)(m->ctx[x].depth + (delivery ? 1 : -1));
	return_user(m, cpu, x);
	return 0;
}

static int on_return_to_user(struct lab_model *m, unsigned cpu)
{
	unsigned x = current_user(m, cpu);
	if (x == LAB_NONE || m->ctx[x].mode != LAB_MODE_KERNEL)
		return reject(m, "return-user: no user context in the kernel on this CPU");
	return_user(m, cpu, x);
	return 0;
}

static int on_syscall(struct lab_model *m, unsigned cpu)
{
	unsigned x = current_user(m, cpu);
	if (x == LAB_NONE || m->ctx[x].mode != LAB_MODE_USER)
		return reject(m, "syscall: no user context in user space on this CPU");
	m->ctx[x].mode = LAB_MODE_KERNEL;
	return 0;
}

static bool running_anywhere(const struct lab_model *m, unsigned ctx)
{
	for (unsigned cpu = 0; cpu < m->cpus; cpu++)
		if (m->current[cpu] == ctx)
			return true;
	return false;
}

static int on_fork(struct lab_model *m, unsigned cpu, unsigned child)
{
	unsigned parent = current_user(m, cpu);
	struct lab_scenario_context *c = &m->ctx[child];

	if (parent == LAB_NONE || m->ctx[parent].depth)
		return reject(m, "fork: needs a user context outside a handler");
	if (!host_user(m, child) || child == parent || running_anywhere(m, child) ||
	    (c->alive && c->ran))
		return reject(m, "fork: the child must be a user context (or the VMM) that has not run or has exited");
	m->ctx[parent].mode = LAB_MODE_KERNEL;   /* a system call */
	emit(m, LAB_FX_FORK, 0, cpu, parent, child, 0, 0);
	c->alive = 1;
	c->ran = 0;
	c->depth = 0;
	c->mode = LAB_MODE_KERNEL;
	c->last_cpu = LAB_NO_CPU;
	return 0;
}

static int on_exit_or_exec(struct lab_model *m, unsigned cpu, unsigned type)
{
	unsigned x = current_user(m, cpu);

	if (x == LAB_NONE)
		return reject(m, type == LAB_FX_EXIT ? "exit: no live user context on this CPU"
						     : "exec: no live user context on this CPU");
	if (type == LAB_FX_EXEC && is_vmm(m, x))
		return reject(m, "exec: not the vCPU thread");
	m->ctx[x].mode = LAB_MODE_KERNEL;
	emit(m, type, 0, cpu, x, LAB_NONE, 0, 0);
	m->ctx[x].depth = 0;
	if (type == LAB_FX_EXIT)
		m->ctx[x].alive = 0;
	return 0;
}

static int on_vm_exit(struct lab_model *m, unsigned cpu, unsigned reason)
{
	if (m->vmm == LAB_NONE || m->current[cpu] != m->vmm || m->ctx[m->vmm].mode != LAB_MODE_GUEST)
		return reject(m, "vm-exit: the vCPU is not in guest mode on this CPU");
	m->ctx[m->vmm].mode = LAB_MODE_RUNLOOP;
	emit(m, LAB_FX_VM_EXIT, 0, cpu, m->vmm, LAB_NONE, reason, 0);
	return 0;
}

static int on_run_loop_event(struct lab_model *m, unsigned cpu, unsigned type)
{
	unsigned vmm = m->vmm;
	bool here = vmm != LAB_NONE && m->current[cpu] == vmm;

	switch (type) {
	case LAB_EV_KVM_RUN:
		if (!here || (m->ctx[vmm].mode != LAB_MODE_USER && m->ctx[vmm].mode != LAB_MODE_KERNEL))
			return reject(m, "kvm-run: the VMM is not in user space or a system call on this CPU");
		if (m->guest == LAB_NONE)
			return reject(m, "kvm-run: this vCPU has no guest context (the k-th vmm needs a k-th guest)");
		m->ctx[vmm].mode = LAB_MODE_RUNLOOP;
		emit(m, LAB_FX_KVM_RUN, 0, cpu, vmm, LAB_NONE, 0, 0);
		return 0;
	case LAB_EV_VM_ENTRY:
		if (!here || m->ctx[vmm].mode != LAB_MODE_RUNLOOP)
			return reject(m, "vm-entry: the vCPU thread is not in its run loop on this CPU");
		emit(m, LAB_FX_VM_ENTRY, 0, cpu, vmm, LAB_NONE, 0, 0);
		m->ctx[vmm].mode = LAB_MODE_GUEST;
		return 0;
	case LAB_EV_KVM_RETURN:
		if (!here || m->ctx[vmm].mode != LAB_MODE_RUNLOOP)
			return reject(m, "kvm-return: the vCPU thread is not in its run loop here");
		emit(m, LAB_FX_KVM_RETURN, 0, cpu, vmm, LAB_NONE, 0, 0);
		return_user(m, cpu, vmm);
		return 0;
	}
	return reject(m, "unknown event");
}

/* A halted vCPU to wake: one in its run loop that runs nowhere, or LAB_NONE. */
static unsigned halted_vcpu(struct lab_model *m)
{
	for (unsigned v = 0; v < m->vcpus; v++) {
		unsigned vmm = m->vcpu[v].vmm;
		bool running = false;
		for (unsigned cpu = 0; cpu < m->cpus; cpu++)
			running = running || m->current[cpu] == vmm;
		if (m->ctx[vmm].mode == LAB_MODE_RUNLOOP && !running)
			return vmm;
	}
	return LAB_NONE;
}

int lab_model_step(struct lab_model *m, unsigned step)
{
	const struct lab_event *e = &m->scenario->event[step];
	unsigned cpu = e->cpu, vmm;

	m->step = step;
	if (cpu >= m->cpus || (e->context != LAB_NONE && e->context >= m->scenario->contexts))
		return reject(m, "the event names a CPU or context the scenario lacks");
	select_vcpu_of(m, m->current[cpu]);   /* the vCPU whose thread runs here, if one does */
	/* kernel_fpu_begin/end is a region nothing else happens in on its CPU */
	if (m->in_kfpu[cpu] && e->type != LAB_EV_USE && e->type != LAB_EV_KFPU_END && e->type != LAB_EV_MEASURE &&
	    e->type != LAB_EV_KFPU_BEGIN)
		return reject(m, e->type == LAB_EV_SWITCH ? "switch: inside kernel_fpu_begin/end"
							 : "inside kernel_fpu_begin/end: only use and kfpu-end");
	switch (e->type) {
	case LAB_EV_MEASURE:
		emit(m, LAB_FX_MEASURE, 0, cpu, LAB_NONE, LAB_NONE, 0, 0);
		return 0;
	case LAB_EV_SWITCH:
		return on_switch_to(m, cpu, e->context, e->mask, e->arg);
	case LAB_EV_MIGRATE:
		if (m->ctx[e->context].last_cpu == cpu)
			return reject(m, "migrate: the context last ran on that CPU");
		return on_switch_to(m, cpu, e->context, 0, 0);
	case LAB_EV_WAKE:
		if ((vmm = halted_vcpu(m)) == LAB_NONE)
			return reject(m, "wake: no halted vCPU");
		return on_switch_to(m, cpu, vmm, 0, 0);
	case LAB_EV_USE:
		return on_use(m, cpu, e->mask);
	case LAB_EV_KFPU_BEGIN:
		return on_kfpu_begin(m, cpu, e->arg);
	case LAB_EV_KFPU_END:
		return on_kfpu_end(m, cpu);
	case LAB_EV_RETURN_USER:
		return on_return_to_user(m, cpu);
	case LAB_EV_SYSCALL:
		return on_syscall(m, cpu);
	case LAB_EV_KVM_RUN:
	case LAB_EV_VM_ENTRY:
	case LAB_EV_KVM_RETURN:
		return on_run_loop_event(m, cpu, e->type);
	case LAB_EV_VM_EXIT:
		return on_vm_exit(m, cpu, e->arg);
	case LAB_EV_HALT:
		return on_vm_exit(m, cpu, LAB_EXIT_HLT);
	case LAB_EV_GUEST_SWITCH:
		return on_guest_switch(m, cpu, e->context, e->mask);
	case LAB_EV_SIGNAL:
		return on_signal(m, cpu, true);
	case LAB_EV_SIGRETURN:
		return on_signal(m, cpu, false);
	case LAB_EV_FORK:
		return on_fork(m, cpu, e->context);
	case LAB_EV_EXIT:
		return on_exit_or_exec(m, cpu, LAB_FX_EXIT);
	case LAB_EV_EXEC:
		return on_exit_or_exec(m, cpu, LAB_FX_EXEC);
	}
	return reject(m, "unknown event");
}
