/* lazy-ts (Linux up to 4.x lazy mode): at a switch save the outgoing context if its
   registers are live, set CR0.TS, load nothing. The first FP instruction raises #NM;
   the handler clears TS and restores unless owner/last_cpu still say valid.
   kernel_fpu_begin saves live state or clears TS; kernel_fpu_end sets TS again. */
#include "lab/lab.h"

/* CR0.TS set, unless the mutant skips it (and so lets a task read another's state). */
static void set_ts(struct lab_machine *m, unsigned cpu)
{
	if (!(m->config->mutation & LAB_MUT_SKIP_TS_SET))
		lab_set_ts(m, cpu);
}

static void lazy_switch(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned prev, unsigned next)
{
	unsigned s = prev == LAB_NONE ? LAB_NONE : lab_state_of(m, dom, prev);
	(void)next;
	if (s != LAB_NONE && lab_owns_state(m, s) && lab_valid(m, dom, cpu, s) &&
	    !m->fpu->ts(m->fpu->self, cpu) && !(m->config->mutation & LAB_MUT_SKIP_SWITCH_SAVE))
		lab_save(m, dom, cpu, s);
	set_ts(m, cpu);
}

static void lazy_kfpu_begin(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	unsigned cur = m->model.current[cpu];
	unsigned s = cur == LAB_NONE ? LAB_NONE : lab_state_of(m, dom, cur);
	if (m->fpu->ts(m->fpu->self, cpu))
		lab_clear_ts(m, cpu);
	else if (s != LAB_NONE && lab_owns_state(m, s) && lab_valid(m, dom, cpu, s))
		lab_save(m, dom, cpu, s);
	if (!(m->config->mutation & LAB_MUT_KFPU_KEEPS_OWNER))
		lab_invalidate(m, dom, cpu);
}

static void lazy_kfpu_end(struct lab_machine *m, unsigned dom, unsigned cpu)
{
	(void)dom;
	set_ts(m, cpu);
}

static void lazy_return_user(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx)
{
	if (!lab_valid(m, dom, cpu, lab_state_of(m, dom, ctx)))
		set_ts(m, cpu);
}

const struct lab_host_ops lab_host_lazy_ts = {
	.name = "lazy-ts", .switch_to = lazy_switch, .kfpu_begin = lazy_kfpu_begin,
	.kfpu_end = lazy_kfpu_end, .return_user = lazy_return_user,
	.nm = lab_nm_clear_ts_and_load,
};
