/* eager (Linux about 4.6 to 5.1, and the 2015 "eagerfpu" code of seed 003): save the
   outgoing context and restore the incoming one at every switch (skip the restore when
   owner/last_cpu say valid). Every thread owns state, idle and kernel threads too.
   kernel_fpu_begin saves the live state; kernel_fpu_end restores it at once. */
#include "lab/lab.h"

static void eager_switch(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned prev, unsigned next)
{
	if (prev != LAB_NONE && lab_valid(m, dom, cpu, lab_state_of(m, dom, prev)) &&
	    !(m->config->mutation & LAB_MUT_SKIP_SWITCH_SAVE))
		lab_save(m, dom, cpu, lab_state_of(m, dom, prev));
	if (next != LAB_NONE)
		lab_load(m, dom, cpu, lab_state_of(m, dom, next));
}

static void eager_kfpu_begin(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned owner = m->owner[dom][cpu];
	if (owner != LAB_NONE && m->ctx[owner].last_cpu == cpu)
		lab_save(m, dom, cpu, owner);
	if (!(m->config->mutation & LAB_MUT_KFPU_KEEPS_OWNER))
		lab_invalidate(m, dom, cpu);
}

static void eager_kfpu_end(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned cur = dom ? lab_model_guest_current(&m->model) : m->model.current[cpu];
	if (cur != LAB_NONE)
		lab_load(m, dom, cpu, lab_state_of(m, dom, cur));
}

static void eager_return_user(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	lab_load(m, dom, cpu, lab_state_of(m, dom, ctx));
}

const struct lab_host_ops lab_host_eager = {
	.name = "eager", .switch_to = eager_switch, .kfpu_begin = eager_kfpu_begin,
	.kfpu_end = eager_kfpu_end, .return_user = eager_return_user,
	.nm = lab_nm_clear_ts_and_load,
};
