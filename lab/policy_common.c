/* Pieces shared by the policies. IA32_XFD follows the state in the registers
   (written before XRSTOR by lab_restore), so a guest whose state is resident keeps its
   XFD across exits; the hypervisors' entry only makes sure of it. */
#include "lab/lab.h"

unsigned lab_state_of(struct lab_machine *m, unsigned dom, unsigned ctx)
{
	return dom ? ctx : m->ctx[ctx].thread_state;
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


/* fork (fpu_clone): the parent's state is loaded if it was not (a restore), then saved
   into the child's buffer; the child cannot be valid anywhere (last_cpu = -1) and
   starts with XFD armed (dynamic features are not inherited). */
void lab_fork_copy(struct lab_machine *m, unsigned cpu, unsigned parent, unsigned child)
{
	struct lab_context_state *c = &m->ctx[child];

	lab_load(m, 0, cpu, lab_state_of(m, 0, parent));
	c->thread_state = (uint16_t)child;
	c->flags = 0;
	if (!(m->config->mutation & LAB_MUT_FORK_KEEPS_LAST_CPU))
		c->last_cpu = LAB_NO_CPU;
	if (m->config->mutation & LAB_MUT_FORK_SHARES_REGISTERS) {
		m->owner[0][cpu] = (uint16_t)child;   /* "valid" on the parent's registers */
		c->last_cpu = (uint8_t)cpu;
		return;
	}
	lab_save(m, 0, cpu, child);
}

/* exit (fpu__drop): the exiting CPU's owner is cleared; nothing is saved (the task
   stays loaded until its final switch). An owner left on another CPU stays. */
void lab_exit_drop(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	if (m->owner[0][cpu] == ctx)
		m->owner[0][cpu] = LAB_NONE;
	m->ctx[ctx].flags &= (uint8_t)~LAB_CTX_STALE;   /* its state is dead */
}

/* exec (fpu_flush_thread): the state becomes the init state in memory and cannot be
   valid anywhere; it is loaded on the way back to user space. */
void lab_exec_reset(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	(void)cpu;
	m->ctx[ctx].last_cpu = LAB_NO_CPU;
	m->ctx[ctx].flags = 0;
	m->fpu->init_buffer(m->fpu->self, ctx, 0);
}

/* A signal (copy_fpstate_to_sigframe, Linux 5.2+): the registers are loaded if they
   do not hold the task's state, then XSAVE'd to the frame; seed 003's broken path
   XSAVEs them without asking. The handler starts from the init state. */
void lab_signal_frame_linux(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	if (!(m->config->mutation & LAB_MUT_SIGNAL_STALE_FRAME))
		lab_load(m, 0, cpu, ctx);
	lab_clear_ts(m, cpu);
	lab_frame_save(m, cpu, ctx);
	lab_handler_init(m, cpu, ctx);
}
