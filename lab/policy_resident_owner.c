/* resident-owner (seed 002, Rik van Riel 2015, on top of seed 003's deferred loading):
   like kvm-2015, but the per-CPU owner keeps pointing at the guest FPU after it is
   put, and the next entry reloads it only if something else used the registers
   since (owner or last_cpu changed). */
#include "lab/lab.h"

static void resident_run_enter(struct lab_machine *m, unsigned cpu)
{
	(void)m; (void)cpu;
}

static void resident_entry(struct lab_machine *m, unsigned cpu)
{
	if (m->guest_loaded)
		return;
	m->guest_loaded = 1;
	if (lab_valid(m, 0, cpu, m->guest))
		return;   /* still resident: no reload */
	if (lab_valid(m, 0, cpu, m->vmm))
		lab_save(m, 0, cpu, m->vmm);
	lab_restore(m, 0, cpu, m->guest);
}

static void resident_put(struct lab_machine *m, unsigned cpu)
{
	if (!m->guest_loaded)
		return;
	lab_save(m, 0, cpu, m->guest);   /* but keep the owner pointed at the guest */
	m->guest_loaded = 0;
	m->config->host->kfpu_end(m, 0, cpu);
}

const struct lab_hv_ops lab_hv_resident_owner = {
	.name = "resident-owner", .run_enter = resident_run_enter, .entry = resident_entry,
	.run_return = resident_put, .sched_out = resident_put,
	.kfpu_blocked_when_loaded = true,
};
