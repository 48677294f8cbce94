/* foreign-state-2024 (arm64's correctness fix, mapped to x86): as foreign-state-2018,
   but the host's state is saved eagerly at vcpu_load, so the guest's first-use trap
   never saves registers it does not own. */
#include "lab/lab.h"

static void foreign2024_run_enter(struct lab_machine *m, unsigned cpu)
{
	lab_foreign_run_enter(m, cpu, true);
}

const struct lab_hv_ops lab_hv_foreign_2024 = {
	.name = "foreign-state-2024", .run_enter = foreign2024_run_enter, .entry = lab_foreign_entry,
	.run_return = lab_foreign_run_return, .guest_fp_trap = lab_foreign_trap,
};
