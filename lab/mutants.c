/* Deliberately broken policies: a correct configuration with one mutation. They are
   not in lab_configs (the lab never reports them as policies); only the tests
   lab/mutant/NAME run them, and each must be caught by the corruption checker in
   the scenario given as its expected corruption. */
#include "lab/lab.h"

const struct lab_config lab_mutants[] = {
	{ "restore-skipped", "mutant", "the reload before VM entry is skipped",
	  &lab_host_deferred, &lab_hv_k2, &lab_host_deferred, "softirq-kfpu", LAB_MUT_SKIP_ENTRY_RELOAD },
	{ "save-skipped", "mutant", "the outgoing context is not saved at a switch",
	  &lab_host_deferred, &lab_hv_k2, &lab_host_deferred, "guest-switch", LAB_MUT_SKIP_SWITCH_SAVE },
	{ "kfpu-keeps-owner", "mutant", "kernel_fpu_begin does not invalidate the owner",
	  &lab_host_deferred, &lab_hv_k2, &lab_host_deferred, "softirq-kfpu", LAB_MUT_KFPU_KEEPS_OWNER },
	{ "xfd-after-xrstor", "mutant", "IA32_XFD is written after XRSTOR instead of before",
	  &lab_host_deferred, &lab_hv_xfd_dynamic, &lab_host_deferred, "amx-first-use", LAB_MUT_XFD_AFTER_XRSTOR },
	{ "no-last-cpu-check", "mutant", "validity checks the owner but not last_cpu",
	  &lab_host_deferred, &lab_hv_k2, &lab_host_deferred, "migrate", LAB_MUT_NO_LAST_CPU },
	{ "signal-frame-from-stale-registers", "mutant", "signal delivery XSAVEs registers that are not the task's (seed 003)",
	  &lab_host_deferred, &lab_hv_k2, &lab_host_deferred, "signal", LAB_MUT_SIGNAL_STALE_FRAME },
	{ "fpulab-kfpu-keeps-owner", "mutant", "fpulab's kernel_fpu_begin does not invalidate the owner",
	  &lab_host_fpulab, &lab_hv_fpulab, &lab_host_fpulab, "softirq-kfpu", LAB_MUT_KFPU_KEEPS_OWNER },
};

const unsigned lab_mutant_count = sizeof lab_mutants / sizeof lab_mutants[0];
