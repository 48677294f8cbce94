/* The named configurations: a host policy, a hypervisor policy and the guest kernel's
   policy (docs/lab.md "Configurations" says why these combinations). */
#include "lab/lab.h"
#include "lib/string.h"

const struct lab_config lab_configs[] = {
	{ "lazy-ts+kvm-2015", "linux-4.0",
	  "lazy host FPU with the 2015 KVM run loop; guests ran eager by then",
	  &lab_host_lazy_ts, &lab_hv_kvm_2015, &lab_host_eager, 0, 0, 0, true },
	{ "eager+kvm-2015", "linux-4.0-eagerfpu",
	  "the 2015 eager code seed 003 counts (C1 before)",
	  &lab_host_eager, &lab_hv_kvm_2015, &lab_host_eager, 0, 0, 0, false },
	{ "deferred+kvm-2015", "seed-003",
	  "seed 003's series: loading deferred to the return to user space (C1 after)",
	  &lab_host_deferred, &lab_hv_kvm_2015, &lab_host_deferred, 0, 0, 0, false },
	{ "deferred+resident-owner", "seed-002",
	  "seed 002 on top of seed 003: the guest FPU stays resident (C3)",
	  &lab_host_deferred, &lab_hv_resident_owner, &lab_host_deferred, 0, 0, 0, false },
	{ "eager+k1-swap-at-run", "linux-4.15",
	  "swap at KVM_RUN with the eager host of 4.15 to 5.1",
	  &lab_host_eager, &lab_hv_k1, &lab_host_eager, 0, 0, 0, false },
	{ "deferred+k1-swap-at-run", "linux-5.2",
	  "swap at KVM_RUN with TIF_NEED_FPU_LOAD (5.2 to 5.15)",
	  &lab_host_deferred, &lab_hv_k1, &lab_host_deferred, 0, 0, 0, false },
	{ "deferred+k2-single-swap-buffer", "linux-5.16",
	  "fpu_swap_kvm_fpstate: the guest buffer is the thread's state in the run loop",
	  &lab_host_deferred, &lab_hv_k2, &lab_host_deferred, 0, 0, 0, false },
	{ "deferred+xfd-dynamic", "linux-5.17",
	  "k2 plus AMX: dynamic XFD on host and guest",
	  &lab_host_deferred, &lab_hv_xfd_dynamic, &lab_host_deferred, 0, 0, 0, false },
	{ "deferred+lazy-exit-2018", "seed-004-rfc",
	  "seed 004's lazier switch without ownership tracking (C4 before)",
	  &lab_host_deferred, &lab_hv_lazy_exit_2018, &lab_host_deferred, "softirq-kfpu", 0, 0, true },
	{ "deferred+foreign-state-2018", "seed-004",
	  "arm64's foreign-state integration, host state saved lazily",
	  &lab_host_deferred, &lab_hv_foreign_2018, &lab_host_deferred, "softirq-kfpu", 0, 0, true },
	{ "deferred+foreign-state-2024", "arm64-2024",
	  "the same with the host state saved eagerly at vcpu_load (C4 after)",
	  &lab_host_deferred, &lab_hv_foreign_2024, &lab_host_deferred, 0, 0, 0, true },
	{ "fpulab", "fpulab",
	  "fpulab's policy on host, hypervisor and guest kernel",
	  &lab_host_fpulab, &lab_hv_fpulab, &lab_host_fpulab, 0, 0, 0, false },
};

const unsigned lab_config_count = sizeof lab_configs / sizeof lab_configs[0];

const struct lab_config *lab_config_find(const char *name)
{
	for (unsigned i = 0; i < lab_config_count; i++)
		if (strcmp(lab_configs[i].name, name) == 0)
			return &lab_configs[i];
	return 0;
}
