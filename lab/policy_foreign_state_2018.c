/* foreign-state-2018 (seed 004, Dave Martin's arm64 integration, mapped to x86): a
   per-task "registers are foreign" state and a per-CPU "last state bound here" owner.
   vcpu_load only notes whether the host's state is live; the guest's first FP use
   traps (#NM intercepted, CR0.TS in the guest), and the trap saves the host state
   "lazily" and binds the guest state to the CPU before interrupts are enabled, so a
   softirq's kernel_fpu_begin saves the guest's state instead of trashing it.
   The flaw fixed in 2024: the host-live note is taken at vcpu_load; a softirq between
   vcpu_load and the trap already saved the host state and used the registers, and the
   trap then saves the softirq's leftovers over the host's buffer. */
#include "lab/lab.h"

#define HOST_LIVE 0

void lab_foreign_run_enter(struct lab_machine *m, unsigned cpu, bool eager_host_save)
{
	m->hv_flag[HOST_LIVE] = lab_valid(m, 0, cpu, m->vmm);
	if (eager_host_save && m->hv_flag[HOST_LIVE]) {
		lab_save(m, 0, cpu, m->vmm);
		m->hv_flag[HOST_LIVE] = 0;
	}
	m->guest_ts_trap = 1;
}

void lab_foreign_entry(struct lab_machine *m, unsigned cpu)
{
	bool bound = m->ctx[m->vmm].thread_state == m->guest && lab_valid(m, 0, cpu, m->guest);
	m->guest_ts_trap = !bound;
}

void lab_foreign_trap(struct lab_machine *m, unsigned cpu)
{
	if (m->hv_flag[HOST_LIVE])
		lab_save(m, 0, cpu, m->vmm);   /* whatever the registers hold now */
	m->hv_flag[HOST_LIVE] = 0;
	lab_restore(m, 0, cpu, m->guest);
	m->ctx[m->vmm].thread_state = m->guest;
	m->guest_ts_trap = 0;
}

void lab_foreign_run_return(struct lab_machine *m, unsigned cpu)
{
	if (m->ctx[m->vmm].thread_state == m->guest && lab_valid(m, 0, cpu, m->guest))
		lab_save(m, 0, cpu, m->guest);
	m->ctx[m->vmm].thread_state = m->vmm;
	m->hv_flag[HOST_LIVE] = 0;
	m->guest_ts_trap = 0;
}

static void foreign2018_run_enter(struct lab_machine *m, unsigned cpu)
{
	lab_foreign_run_enter(m, cpu, false);
}

const struct lab_hv_ops lab_hv_foreign_2018 = {
	.name = "foreign-state-2018", .run_enter = foreign2018_run_enter, .entry = lab_foreign_entry,
	.run_return = lab_foreign_run_return, .guest_fp_trap = lab_foreign_trap,
};
