/* deferred (Linux 5.2+, TIF_NEED_FPU_LOAD): at a switch save the outgoing user
   context if it is loaded (returned to user space since it was switched in, and not
   displaced since: TIF_NEED_FPU_LOAD clear), load nothing; kernel threads and idle own
   no state. Restore on the way back to user space only if the registers are not
   still valid (owner and last_cpu). kernel_fpu_begin saves the current task's state
   once if loaded and invalidates the owner; kernel_fpu_end does nothing. A task
   switched in that blocks again before returning to user space is neither restored
   nor, at its next switch, saved. After exit the owner is gone but the task is still
   loaded: its final switch saves it (as Linux does). */
#include "lab/lab.h"

static bool loaded(struct lab_machine *m, unsigned s)
{
	return s != LAB_NONE && lab_owns_state(m, s) && (m->ctx[s].flags & LAB_CTX_LOADED);
}

static void deferred_switch(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned prev, unsigned next)
{
	unsigned s = prev == LAB_NONE ? LAB_NONE : lab_state_of(m, dom, prev);

	if (loaded(m, s) && !(m->config->mutation & LAB_MUT_SKIP_SWITCH_SAVE))
		lab_save(m, dom, cpu, s);
	if (s != LAB_NONE)
		m->ctx[s].flags &= (uint8_t)~LAB_CTX_LOADED;   /* TIF_NEED_FPU_LOAD set */
	if ((m->config->mutation & LAB_MUT_BLOCKED_SWITCH_IN_RESTORES) && next != LAB_NONE &&
	    lab_kind_is_user(lab_kind(m, next)))
		lab_load(m, dom, cpu, lab_state_of(m, dom, next));   /* as if it returned to user space */
}

static void deferred_kfpu_begin(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned cur = dom ? lab_model_guest_current(&m->model) : m->model.current[cpu];
	unsigned s = cur == LAB_NONE ? LAB_NONE : lab_state_of(m, dom, cur);

	if (loaded(m, s))
		lab_save(m, dom, cpu, s);
	if (!(m->config->mutation & LAB_MUT_KFPU_KEEPS_OWNER))
		lab_invalidate(m, dom, cpu);
}

static void deferred_kfpu_end(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	(void)m;
	(void)dom;
	(void)cpu;
}

static void deferred_return_user(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	lab_load(m, dom, cpu, lab_state_of(m, dom, ctx));
}

const struct lab_host_ops lab_host_deferred = {
	.name = "deferred", .switch_to = deferred_switch, .kfpu_begin = deferred_kfpu_begin,
	.kfpu_end = deferred_kfpu_end, .return_user = deferred_return_user,
	.nm = lab_nm_clear_ts_and_load,
};
