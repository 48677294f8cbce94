/* kvm-2015: the KVM code seed 003 describes. The guest FPU is loaded on VM entry under
   __kernel_fpu_begin (the host saves the VMM's live state first) and stays loaded
   across exits handled in the kernel; while it is loaded, kernel FPU use by softirqs
   is refused (irq_fpu_usable() is false) and falls back to integer code. It is put
   (guest saved, __kernel_fpu_end: the host policy restores or defers the VMM's
   state) when the vCPU thread is scheduled out or returns to user space. */
#include "lab/lab.h"

static void kvm2015_run_enter(struct lab_machine *m, unsigned cpu)
{
	(void)m; (void)cpu;
}

static void kvm2015_entry(struct lab_machine *m, unsigned cpu)
{
	if (m->guest_loaded)
		return;
	if (lab_valid(m, 0, cpu, m->vmm))
		lab_save(m, 0, cpu, m->vmm);
	lab_restore(m, 0, cpu, m->guest);
	m->guest_loaded = 1;
}

static void kvm2015_put(struct lab_machine *m, unsigned cpu)
{
	if (!m->guest_loaded)
		return;
	lab_save(m, 0, cpu, m->guest);
	m->guest_loaded = 0;
	m->config->host->kfpu_end(m, 0, cpu);
}

const struct lab_hv_ops lab_hv_kvm_2015 = {
	.name = "kvm-2015", .run_enter = kvm2015_run_enter, .entry = kvm2015_entry,
	.run_return = kvm2015_put, .sched_out = kvm2015_put,
	.kfpu_blocked_when_loaded = true,
};
