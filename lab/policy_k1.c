/* k1-swap-at-run (Linux 4.15 to 5.15): on entering KVM_RUN save the VMM's user state
   and load the guest's; on returning to user space save the guest's and load the
   VMM's. In between the thread's FPU state is the guest's, so scheduling and
   kernel_fpu_begin act on it; before entry the registers are reloaded if invalid. */
#include "lab/lab.h"

static void k1_run_enter(struct lab_machine *m, unsigned cpu)
{
	lab_load(m, 0, cpu, m->vmm);
	lab_save(m, 0, cpu, m->vmm);
	lab_restore(m, 0, cpu, m->guest);
	m->ctx[m->vmm].thread_state = m->guest;
}

static void k1_entry(struct lab_machine *m, unsigned cpu)
{
	lab_load(m, 0, cpu, m->guest);
}

static void k1_run_return(struct lab_machine *m, unsigned cpu)
{
	if (lab_valid(m, 0, cpu, m->guest))
		lab_save(m, 0, cpu, m->guest);
	lab_restore(m, 0, cpu, m->vmm);
	m->ctx[m->vmm].thread_state = m->vmm;
}

const struct lab_hv_ops lab_hv_k1 = {
	.name = "k1-swap-at-run", .run_enter = k1_run_enter, .entry = k1_entry,
	.run_return = k1_run_return,
};
