/* The nine scenarios of docs/policies.md as data, in the format of docs/lab.md
   ("Scenario format"). Events before `measure` are warm-up and not counted. */
#include "lab/lab_scenario.h"
#include "lib/string.h"

#define VCPU_IN_GUEST \
	"switch cpu0 vmm uses-fpu   # the VMM in user space\n" \
	"kvm-run cpu0\n" \
	"vm-entry cpu0\n" \
	"guest-switch cpu0 guest-task uses-fpu\n"

static const char idle_wake[] =
	"# seed 003: a guest task goes idle, the vCPU halts, the host idles, a wake-up\n"
	VCPU_IN_GUEST
	"measure\n"
	"guest-switch cpu0 guest-idle             # 1 guest: task -> idle\n"
	"halt cpu0                                # 2 trap to the host\n"
	"switch cpu0 idle                         # 3,4 the vCPU thread blocks, host idle\n"
	"wake cpu0                                # 5 an interrupt wakes the vCPU thread\n"
	"vm-entry cpu0                            # 6,7 enter the guest\n"
	"guest-switch cpu0 guest-task uses-fpu    # 8 guest: idle -> task\n";

static const char exit_heavy[] =
	"# exits handled inside the hypervisor kernel, no FPU use in between\n"
	VCPU_IN_GUEST
	"measure\n"
	"vm-exit cpu0 mmio\n" "vm-entry cpu0\n"
	"vm-exit cpu0 cpuid\n" "vm-entry cpu0\n"
	"vm-exit cpu0 mmio\n" "vm-entry cpu0\n"
	"use cpu0\n"
	"vm-exit cpu0 cpuid\n" "vm-entry cpu0\n"
	"use cpu0\n";

static const char kthread_preempt[] =
	"# a kernel thread preempts the vCPU, first without, then with kernel FPU\n"
	VCPU_IN_GUEST
	"measure\n"
	"vm-exit cpu0 intr\n"
	"switch cpu0 kthread\n"
	"switch cpu0 vmm\n"
	"vm-entry cpu0\n"
	"use cpu0\n"
	"vm-exit cpu0 intr\n"
	"switch cpu0 kthread\n"
	"kfpu-begin cpu0 kthread\n"
	"kfpu-end cpu0\n"
	"switch cpu0 vmm\n"
	"vm-entry cpu0\n"
	"use cpu0\n";

static const char softirq_kfpu[] =
	"# softirqs use kernel FPU: after KVM_RUN before the guest's first FP use, and\n"
	"# between an exit and the next entry (seed 004, claim C4)\n"
	"switch cpu0 vmm uses-fpu\n"
	"measure\n"
	"kvm-run cpu0\n"
	"kfpu-begin cpu0 softirq\n"
	"kfpu-end cpu0\n"
	"vm-entry cpu0\n"
	"guest-switch cpu0 guest-task uses-fpu\n"
	"vm-exit cpu0 intr\n"
	"kfpu-begin cpu0 softirq\n"
	"kfpu-end cpu0\n"
	"vm-entry cpu0\n"
	"use cpu0\n"
	"vm-exit cpu0 io\n"
	"kvm-return cpu0\n"
	"use cpu0                  # the VMM checks its own state\n";

static const char vmm_exit[] =
	"# the run loop returns to the VMM (port I/O) and re-enters; the VMM touches the\n"
	"# FPU in the second round trip only\n"
	VCPU_IN_GUEST
	"measure\n"
	"vm-exit cpu0 io\n" "kvm-return cpu0\n" "kvm-run cpu0\n" "vm-entry cpu0\n" "use cpu0\n"
	"vm-exit cpu0 io\n" "kvm-return cpu0\n" "use cpu0\n" "kvm-run cpu0\n" "vm-entry cpu0\n" "use cpu0\n"
	"vm-exit cpu0 io\n" "kvm-return cpu0\n" "kvm-run cpu0\n" "vm-entry cpu0\n" "use cpu0\n";

static const char signal_scenario[] =
	"# signals to the vCPU thread in user space: state to the frame, handler from\n"
	"# init state, sigreturn; the second one after a system call used kernel FPU\n"
	"# (seed 003's broken path: the registers are not the task's then)\n"
	"switch cpu0 vmm uses-fpu\n"
	"measure\n"
	"signal cpu0\n"
	"use cpu0                  # the handler\n"
	"sigreturn cpu0\n"
	"use cpu0\n"
	"kfpu-begin cpu0 kthread   # a system call using kernel FPU\n"
	"kfpu-end cpu0\n"
	"signal cpu0\n"
	"sigreturn cpu0\n"
	"use cpu0\n";

static const char migrate[] =
	"# the vCPU thread moves to another CPU and back (last_cpu)\n"
	"cpus 2\n"
	VCPU_IN_GUEST
	"measure\n"
	"vm-exit cpu0 intr\n"
	"switch cpu0 idle\n"
	"migrate vmm cpu1\n"
	"vm-entry cpu1\n"
	"use cpu1\n"
	"vm-exit cpu1 intr\n"
	"switch cpu1 idle1\n"
	"migrate vmm cpu0          # cpu0's owner still names the guest, but stale\n"
	"vm-entry cpu0\n"
	"use cpu0\n"
	"vm-exit cpu0 io\n"
	"kvm-return cpu0\n"
	"use cpu0\n";

static const char guest_switch[] =
	"# context switches inside the guest, no exits\n"
	VCPU_IN_GUEST
	"measure\n"
	"guest-switch cpu0 guest-task2 uses-fpu\n"
	"guest-switch cpu0 guest-idle\n"
	"guest-switch cpu0 guest-task2 uses-fpu\n"
	"guest-switch cpu0 guest-task uses-fpu\n"
	"guest-switch cpu0 guest-idle\n"
	"guest-switch cpu0 guest-task uses-fpu\n";

static const char amx_first_use[] =
	"# first AMX use on the host and in the guest (XFD #NM paths)\n"
	"switch cpu0 task-a uses-fpu\n"
	"measure\n"
	"use cpu0 amx              # host: #NM with XFD_ERR, disarm for task-a\n"
	"switch cpu0 task-b uses-fpu\n"
	"switch cpu0 task-a\n"
	"use cpu0 amx\n"
	"switch cpu0 vmm uses-fpu\n"
	"kvm-run cpu0\n"
	"vm-entry cpu0\n"
	"guest-switch cpu0 guest-task uses-fpu\n"
	"use cpu0 amx              # guest: #NM with XFD_ERR\n"
	"guest-switch cpu0 guest-task2 uses-fpu\n"
	"guest-switch cpu0 guest-task\n"
	"use cpu0 amx\n"
	"vm-exit cpu0 io\n"
	"kvm-return cpu0\n"
	"switch cpu0 task-a\n"
	"use cpu0 amx\n";

const struct lab_scenario_text lab_scenarios[] = {
	{ "idle-wake", idle_wake },
	{ "exit-heavy", exit_heavy },
	{ "kthread-preempt", kthread_preempt },
	{ "softirq-kfpu", softirq_kfpu },
	{ "vmm-exit", vmm_exit },
	{ "signal", signal_scenario },
	{ "migrate", migrate },
	{ "guest-switch", guest_switch },
	{ "amx-first-use", amx_first_use },
};

const unsigned lab_scenario_count = sizeof lab_scenarios / sizeof lab_scenarios[0];

static const char fork_exit[] =
	"# fork, exit and exec (Linux's fpu_clone, fpu__drop, fpu_flush_thread); a task\n"
	"# woken in the kernel that exits there leaves cpu1's owner on it, and the next\n"
	"# fork reuses its state (a struct fpu at the same address)\n"
	"cpus 2\n"
	"switch cpu1 task-a uses-fpu      # task-a's state loaded on cpu1\n"
	"switch cpu1 idle1\n"
	"measure\n"
	"switch cpu0 task-a kernel        # woken on cpu0, in the kernel\n"
	"exit cpu0                        # exits there: cpu1's owner still names it\n"
	"switch cpu0 task-b uses-fpu\n"
	"fork cpu0 task-a                 # the child reuses task-a's state\n"
	"return-user cpu0\n"
	"use cpu0                         # the parent after fork\n"
	"switch cpu1 task-a uses-fpu      # the child starts on cpu1: its copy of task-b's state\n"
	"exec cpu0                        # task-b execs: init state\n"
	"return-user cpu0\n"
	"use cpu0\n"
	"switch cpu0 idle\n"
	"switch cpu1 task-b uses-fpu      # task-b moves to cpu1\n";

static const char blocked_switch_in[] =
	"# a task woken only to block again in the kernel: under deferred loading it is\n"
	"# neither saved nor restored (docs/lab.md, tracing.md); two tasks of one process\n"
	"context thread user domain task-a\n"
	"switch cpu0 task-a uses-fpu\n"
	"measure\n"
	"switch cpu0 kthread\n"
	"switch cpu0 task-a kernel        # woken, blocks again\n"
	"switch cpu0 kthread\n"
	"switch cpu0 task-a               # back to user space: still loaded\n"
	"use cpu0\n"
	"syscall cpu0\n"
	"switch cpu0 thread uses-fpu      # the other thread of task-a's process\n"
	"switch cpu0 task-b uses-fpu\n"
	"switch cpu0 task-a uses-fpu\n";

static const char signal_elsewhere[] =
	"# a signal to a task whose newest state is still in another CPU's registers\n"
	"# (fpulab's deferred write-back): the frame must not come from its older buffer\n"
	"cpus 2\n"
	"switch cpu1 task-a uses-fpu      # loaded on cpu1, written since\n"
	"measure\n"
	"switch cpu1 kthread              # a kernel thread: nothing is written back\n"
	"switch cpu0 task-a kernel        # woken on cpu0, in the kernel: not loaded\n"
	"signal cpu0                      # its frame\n"
	"sigreturn cpu0\n"
	"use cpu0\n";

static const char nested_signals[] =
	"# a signal interrupts a signal handler: each level's state goes to a frame of its\n"
	"# own and comes back at its sigreturn\n"
	"switch cpu0 task-a uses-fpu\n"
	"measure\n"
	"signal cpu0\n"
	"use cpu0                         # handler 1\n"
	"kfpu-begin cpu0 kthread          # a system call in it uses kernel FPU\n"
	"kfpu-end cpu0\n"
	"signal cpu0                      # handler 2: handler 1's state is not in the registers\n"
	"use cpu0\n"
	"sigreturn cpu0\n"
	"use cpu0                         # handler 1 again\n"
	"sigreturn cpu0\n"
	"use cpu0                         # the task\n";

#define BACK_HERE "switch cpu0 idle\nswitch cpu0 task-a uses-fpu\n"

static const char idle_history[] =
	"# a task that sleeps and wakes on cpu0 again and again, then moves to cpu1 and back:\n"
	"# fpulab leaves its state at idle once it has woken on cpu0 (its last wake-up was\n"
	"# here), so the first move saves it on cpu0 through an IPI (docs/lab.md, fpulab's policy)\n"
	"cpus 2\n"
	"switch cpu0 task-a uses-fpu\n"
	"measure\n"
	BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE
	BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE BACK_HERE
	"switch cpu0 idle\n"
	"migrate task-a cpu1\n"
	"switch cpu1 task-a uses-fpu       # its state is still in cpu0's registers\n"
	"switch cpu1 idle1\n"
	"migrate task-a cpu0\n"
	"switch cpu0 task-a uses-fpu\n";

static const char two_vcpus_apart[] =
	"# two vCPUs (the k-th vmm with the k-th guest), each with its own guest task, on\n"
	"# two CPUs: each returns to its VMM, which uses the FPU, and runs again\n"
	"cpus 2\ncontext vmm1 vmm\ncontext guest1 guest\ncontext guest-task1 guest-user\n"
	"switch cpu0 vmm uses-fpu\nswitch cpu1 vmm1 uses-fpu\nkvm-run cpu0\nkvm-run cpu1\n"
	"vm-entry cpu0\nvm-entry cpu1\nguest-switch cpu0 guest-task uses-fpu\nguest-switch cpu1 guest-task1 uses-fpu\n"
	"measure\nvm-exit cpu0 io\nvm-exit cpu1 io\nkvm-return cpu0\nuse cpu0\nkvm-return cpu1\nuse cpu1\n"
	"kvm-run cpu1\nvm-entry cpu1\nuse cpu1\nkvm-run cpu0\nvm-entry cpu0\nuse cpu0\n";

static const char two_vcpus_one_cpu[] =
	"# the two vCPU threads take turns on one CPU, each preempting the other's run loop;\n"
	"# each guest kernel switches its own task out and back in\n"
	"cpus 1\ncontext vmm1 vmm\ncontext guest1 guest\ncontext guest-task1 guest-user\n"
	"switch cpu0 vmm uses-fpu\nkvm-run cpu0\nvm-entry cpu0\nguest-switch cpu0 guest-task uses-fpu\n"
	"measure\nvm-exit cpu0 intr\nswitch cpu0 vmm1 uses-fpu\nkvm-run cpu0\nvm-entry cpu0\n"
	"guest-switch cpu0 guest-task1 uses-fpu\nvm-exit cpu0 intr\nswitch cpu0 vmm\nvm-entry cpu0\nuse cpu0\n"
	"guest-switch cpu0 guest-idle\nguest-switch cpu0 guest-task uses-fpu\n"
	"vm-exit cpu0 io\nkvm-return cpu0\nuse cpu0\nswitch cpu0 vmm1\nvm-entry cpu0\nuse cpu0\n"
	"guest-switch cpu0 guest-idle\nguest-switch cpu0 guest-task1 uses-fpu\n"
	"vm-exit cpu0 io\nkvm-return cpu0\nuse cpu0\n";

const struct lab_scenario_text lab_extra_scenarios[] = {
	{ "fork-exit", fork_exit },
	{ "blocked-switch-in", blocked_switch_in },
	{ "signal-elsewhere", signal_elsewhere },
	{ "nested-signals", nested_signals },
	{ "idle-history", idle_history },
	{ "two-vcpus-apart", two_vcpus_apart },
	{ "two-vcpus-one-cpu", two_vcpus_one_cpu },
};

const unsigned lab_extra_scenario_count = sizeof lab_extra_scenarios / sizeof lab_extra_scenarios[0];

const char *lab_scenario_text_of(const char *name)
{
	for (unsigned i = 0; i < lab_scenario_count; i++)
		if (strcmp(lab_scenarios[i].name, name) == 0)
			return lab_scenarios[i].text;
	for (unsigned i = 0; i < lab_extra_scenario_count; i++)
		if (strcmp(lab_extra_scenarios[i].name, name) == 0)
			return lab_extra_scenarios[i].text;
	return 0;
}
