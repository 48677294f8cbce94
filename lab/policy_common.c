/* Pieces shared by the policies. IA32_XFD follows the state in the registers
   (written before XRSTOR by lab_restore), so a guest whose state is resident keeps its
   XFD across exits; the hypervisors' entry only makes sure of it. */
#include "lab/lab.h"

unsigned lab_state_of(struct lab_machine *m, unsigned dom, unsigned ctx)
{
	return dom ? ctx : m->thread_state[ctx];
}

void lab_nm_clear_ts_and_load(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err)
{
	if (xfd_err)
		return lab_xfd_nm(m, dom, cpu, ctx, xfd_err);
	lab_clear_ts(m, lab_phys(m, dom, cpu));
	lab_load(m, dom, cpu, lab_state_of(m, dom, ctx));
}

void lab_hv_guest_xfd_entry(struct lab_machine *m, unsigned cpu)
{
	if (m->guest != LAB_NONE && lab_valid(m, 0, cpu, m->guest))
		lab_write_xfd(m, cpu, m->guest_xfd);
}

