/* k2-single-swap-buffer (Linux 5.16+, fpu_swap_kvm_fpstate): inside the run loop the
   guest state is the thread's FPU state. The swap at KVM_RUN saves the registers if
   they are valid for the VMM and restores the guest; before each entry, with
   interrupts off, the registers are reloaded if a kernel_fpu_begin or a switch
   invalidated them (TIF_NEED_FPU_LOAD); the swap back saves the guest if valid and
   restores the VMM. xfd-dynamic (lab/policy_xfd_dynamic.c) adds guest XFD. */
#include "lab/lab.h"

void lab_k2_run_enter(struct lab_machine *m, unsigned cpu)
{
	if (lab_valid(m, 0, cpu, m->vmm))
		lab_save(m, 0, cpu, m->vmm);
	m->ctx[m->vmm].thread_state = m->guest;
	lab_load(m, 0, cpu, m->guest);
}

void lab_k2_entry(struct lab_machine *m, unsigned cpu)
{
	if (m->config->mutation & LAB_MUT_SKIP_ENTRY_RELOAD)
		return;
	lab_load(m, 0, cpu, m->guest);
}

void lab_k2_run_return(struct lab_machine *m, unsigned cpu)
{
	if (lab_valid(m, 0, cpu, m->guest))
		lab_save(m, 0, cpu, m->guest);
	m->ctx[m->vmm].thread_state = m->vmm;
	lab_load(m, 0, cpu, m->vmm);
}

const struct lab_hv_ops lab_hv_k2 = {
	.name = "k2-single-swap-buffer", .run_enter = lab_k2_run_enter, .entry = lab_k2_entry,
	.run_return = lab_k2_run_return,
};
