/* Deliberately broken policies: a correct configuration with one mutation. They are
   not in lab_configs (the lab never reports them as policies); only the tests
   lab/mutant/NAME (and tools/fpulab-trace's tests for the one a capture catches) run
   them, and each must be caught where expected_corruption says: by the corruption
   checker or the exposure check in that scenario, or by validating that recorded
   capture against Linux. */
#include "lab/lab.h"

#define DEFERRED_K2 &lab_host_deferred, &lab_hv_k2, &lab_host_deferred

const struct lab_config lab_mutants[] = {
	{ "restore-skipped", "mutant", "the reload before VM entry is skipped",
	  DEFERRED_K2, "softirq-kfpu", LAB_MUT_SKIP_ENTRY_RELOAD, LAB_CAUGHT_BY_CORRUPTION, false },
	{ "save-skipped", "mutant", "the outgoing context is not saved at a switch",
	  DEFERRED_K2, "guest-switch", LAB_MUT_SKIP_SWITCH_SAVE, LAB_CAUGHT_BY_CORRUPTION, false },
	{ "kfpu-keeps-owner", "mutant", "kernel_fpu_begin does not invalidate the owner",
	  DEFERRED_K2, "softirq-kfpu", LAB_MUT_KFPU_KEEPS_OWNER, LAB_CAUGHT_BY_CORRUPTION, false },
	{ "xfd-after-xrstor", "mutant", "IA32_XFD is written after XRSTOR instead of before",
	  &lab_host_deferred, &lab_hv_xfd_dynamic, &lab_host_deferred, "amx-first-use", LAB_MUT_XFD_AFTER_XRSTOR,
	  LAB_CAUGHT_BY_CORRUPTION, false },
	{ "no-last-cpu-check", "mutant", "validity checks the owner but not last_cpu",
	  DEFERRED_K2, "migrate", LAB_MUT_NO_LAST_CPU, LAB_CAUGHT_BY_CORRUPTION, false },
	{ "signal-frame-from-stale-registers", "mutant", "signal delivery XSAVEs registers that are not the task's (seed 003)",
	  DEFERRED_K2, "signal", LAB_MUT_SIGNAL_STALE_FRAME, LAB_CAUGHT_BY_CORRUPTION, false },
	{ "fpulab-kfpu-keeps-owner", "mutant", "fpulab's kernel_fpu_begin does not invalidate the owner",
	  &lab_host_fpulab, &lab_hv_fpulab, &lab_host_fpulab, "softirq-kfpu", LAB_MUT_KFPU_KEEPS_OWNER,
	  LAB_CAUGHT_BY_CORRUPTION, false },
	{ "fork-shares-parent-registers", "mutant", "fork marks the child loaded on the parent's live registers instead of copying",
	  DEFERRED_K2, "fork-exit", LAB_MUT_FORK_SHARES_REGISTERS, LAB_CAUGHT_BY_CORRUPTION, false },
	{ "recycled-context-keeps-last-cpu", "mutant",
	  "fork keeps last_cpu: the owner an exit left on a dead context makes the context that reuses its state look loaded",
	  DEFERRED_K2, "fork-exit", LAB_MUT_FORK_KEEPS_LAST_CPU, LAB_CAUGHT_BY_CORRUPTION, false },
	{ "lazy-ts-skips-ts-set", "mutant", "lazy-ts does not set CR0.TS: the next task uses another's registers",
	  &lab_host_lazy_ts, &lab_hv_kvm_2015, &lab_host_eager, "blocked-switch-in", LAB_MUT_SKIP_TS_SET,
	  LAB_CAUGHT_BY_CORRUPTION, true },
	{ "fpulab-lazy-for-every-task", "mutant",
	  "fpulab sets CR0.TS instead of loading for any task, not only for the VMM over its own guest (LazyFP)",
	  &lab_host_fpulab, &lab_hv_fpulab, &lab_host_fpulab, "blocked-switch-in", LAB_MUT_LAZY_FOR_EVERY_TASK,
	  LAB_CAUGHT_BY_EXPOSURE, true },
	{ "fpulab-frame-copy-skips-ipi", "mutant",
	  "fpulab copies a signal frame from the buffer while the task's newer state is in another CPU's registers",
	  &lab_host_fpulab, &lab_hv_fpulab, &lab_host_fpulab, "signal-elsewhere", LAB_MUT_FRAME_COPY_SKIPS_IPI,
	  LAB_CAUGHT_BY_CORRUPTION, false },
	{ "xfd-not-rearmed", "mutant",
	  "IA32_XFD stays disarmed after a first AMX use: the next task without an AMX buffer runs with AMX enabled",
	  &lab_host_deferred, &lab_hv_xfd_dynamic, &lab_host_deferred, "amx-first-use", LAB_MUT_XFD_NOT_REARMED,
	  LAB_CAUGHT_BY_CORRUPTION, false },
	{ "blocked-switch-in-restores", "mutant",
	  "Linux's model loads a task at every switch-in, also one that blocks again in the kernel",
	  DEFERRED_K2, "kthread-blocked", LAB_MUT_BLOCKED_SWITCH_IN_RESTORES, LAB_CAUGHT_BY_VALIDATION, false },
};

const unsigned lab_mutant_count = sizeof lab_mutants / sizeof lab_mutants[0];
