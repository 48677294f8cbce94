/* lazy-exit-2018 (seed 004, Christoffer Dall's "be more lazy with switching KVM guest
   FPSIMD state", mapped to x86): the guest state is loaded at KVM_RUN and left in the
   registers across exits, but the host's owner tracking is not told: it still
   believes the registers hold the VMM's state. A softirq's kernel_fpu_begin between
   exit and entry saves "the task's" registers (really the guest's) into the VMM's
   buffer and trashes the guest registers; the next entry does not reload. Dave
   Martin's objection in the thread; expected to corrupt softirq-kfpu (claim C4). */
#include "lab/lab.h"

static void believe_vmm(struct lab_machine *m, unsigned cpu)
{
	m->owner[0][cpu] = m->vmm;
	m->ctx[m->vmm].last_cpu = (uint8_t)cpu;
	m->ctx[m->vmm].flags |= LAB_CTX_LOADED;
}

static void lazy_exit_load(struct lab_machine *m, unsigned cpu)
{
	if (m->guest_loaded)
		return;
	if (lab_valid(m, 0, cpu, m->vmm))
		lab_save(m, 0, cpu, m->vmm);
	lab_restore(m, 0, cpu, m->guest);
	believe_vmm(m, cpu);
	m->guest_loaded = 1;
}

static void lazy_exit_put(struct lab_machine *m, unsigned cpu)
{
	if (!m->guest_loaded)
		return;
	lab_save(m, 0, cpu, m->guest);
	lab_restore(m, 0, cpu, m->vmm);
	m->guest_loaded = 0;
}

const struct lab_hv_ops lab_hv_lazy_exit_2018 = {
	.name = "lazy-exit-2018", .run_enter = lazy_exit_load, .entry = lazy_exit_load,
	.run_return = lazy_exit_put, .sched_out = lazy_exit_put,
};
