/* deferred (Linux 5.2+, TIF_NEED_FPU_LOAD): at a switch save the outgoing user
   context if the registers hold it, load nothing; kernel threads and idle own no
   state. Restore on the way back to user space only if the registers are not still
   valid (owner and last_cpu). kernel_fpu_begin saves the current task's live state
   once and invalidates the owner; kernel_fpu_end does nothing. */
#include "lab/lab.h"

static void deferred_switch(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned prev, unsigned next)
{
	unsigned s = prev == LAB_NONE ? LAB_NONE : lab_state_of(m, dom, prev);
	(void)next;
	if (s != LAB_NONE && lab_owns_state(m, s) && lab_valid(m, dom, cpu, s) &&
	    !(m->config->mutation & LAB_MUT_SKIP_SWITCH_SAVE))
		lab_save(m, dom, cpu, s);
}

static void deferred_kfpu_begin(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned cur = dom ? m->guest_current : m->current[cpu];
	unsigned s = cur == LAB_NONE ? LAB_NONE : lab_state_of(m, dom, cur);
	if (s != LAB_NONE && lab_owns_state(m, s) && lab_valid(m, dom, cpu, s))
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
