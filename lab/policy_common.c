/* Pieces shared by the hypervisor policies. IA32_XFD follows the state in the
   registers (written before XRSTOR by lab_restore), so a guest whose state is resident
   keeps its XFD across exits; entry only makes sure of it. */
#include "lab/lab.h"

void lab_hv_guest_xfd_entry(struct lab_machine *m, unsigned cpu)
{
	if (m->guest != LAB_NONE && lab_valid(m, 0, cpu, m->guest))
		lab_write_xfd(m, cpu, m->guest_xfd);
}

void lab_hv_guest_xfd_exit(struct lab_machine *m, unsigned cpu)
{
	(void)m;
	(void)cpu;
}
