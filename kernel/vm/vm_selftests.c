/* selftest=vmentry, selftest=guest-hang and selftest=second-cpu-guest-hang: a broken
   guest ends as `not ok` with the decoded failure and a guest-state dump, and the run
   goes on. selftest=second-cpu-hang: the second CPU hangs in VMX root operation and is
   stopped all the same. */
#include "vm/vm_test.h"
#include "cpu_features.h"
#include "watchdog.h"
#include "smp/smp.h"
#include "arch/x86.h"

#define GUEST_TIME_LIMIT_MILLISECONDS 2000   /* below the table's 3000 ms */
/* On the second CPU: the call's deadline (then an NMI, docs/smp.md) comes after the
   guest's time limit. */
#define SECOND_CPU_GUEST_TIME_LIMIT_MILLISECONDS 1000
#define SECOND_CPU_CALL_MILLISECONDS 1500
#define SECOND_CPU_HANG_CALL_MILLISECONDS 500

static struct vm_fixture fixture;

void selftest_vmentry(struct test_result *result)
{
	struct vm_exit exit;

	if (vm_fixture_begin(result, &fixture, guest_nothing, 0))
		return;
	fixture.ops->guest_corrupt(&fixture.vcpu);
	vm_run(&fixture.vcpu, &exit);
	if (exit.kind == VM_EXIT_ENTRY_FAILED)
		vm_fail(result, &fixture, &exit, "injected invalid guest state");
	else
		vm_fail(result, &fixture, &exit, "guest entered despite the injected invalid state");
	vm_fixture_end(&fixture);
}

void selftest_guest_hang(struct test_result *result)
{
	struct vm_exit exit;
	int timer = cpu_features()->has.vmx && cpu_features()->vmx.preemption_timer;

	if (!timer && !watchdog_available())
		return test_skip(result, "no VMX preemption timer and no NMI watchdog: a hung guest could not be ended");
	if (vm_fixture_begin(result, &fixture, guest_hang, 0))
		return;
	vm_time_limit(&fixture.vcpu, GUEST_TIME_LIMIT_MILLISECONDS);
	vm_run(&fixture.vcpu, &exit);
	vm_fail(result, &fixture, &exit, exit.kind == VM_EXIT_TIMEOUT ? "guest hang ended" : "guest left its loop");
	test_diagnostic(result, "nmi_exits", "%llu", (unsigned long long)fixture.vcpu.nmi_exits);
	test_diagnostic(result, "nmi_blocking_cleared", "%llu", (unsigned long long)fixture.vcpu.nmi_blocking_cleared);
	test_diagnostic(result, "timer_exits", "%llu", (unsigned long long)fixture.vcpu.timer_exits);
	vm_fixture_end(&fixture);
}

/* ---- selftest=second-cpu-guest-hang ---- */

struct second_cpu_hang {
	struct test_result *result;
	struct vm_exit exit;
};

/* On the second CPU: its own VMX/SVM, a vCPU that never exits by itself. */
static void guest_hang_on_second_cpu(void *argument)
{
	struct second_cpu_hang *hang = argument;

	if (vm_fixture_begin(hang->result, &fixture, guest_hang, 0))
		return;
	vm_time_limit(&fixture.vcpu, SECOND_CPU_GUEST_TIME_LIMIT_MILLISECONDS);
	vm_run(&fixture.vcpu, &hang->exit);
	vm_fail(hang->result, &fixture, &hang->exit,
		hang->exit.kind == VM_EXIT_TIMEOUT ? "guest hang on the second CPU ended" : "guest left its loop");
	test_diagnostic(hang->result, "nmi_exits", "%llu", (unsigned long long)fixture.vcpu.nmi_exits);
	test_diagnostic(hang->result, "timer_exits", "%llu", (unsigned long long)fixture.vcpu.timer_exits);
	vm_fixture_end(&fixture);
}

static void nothing(void *unused)
{
	(void)unused;
}

/* Must end `not ok` with the guest's dump (VMX: the preemption timer; SVM: the NMI
   sent at the call's deadline), the second CPU answering afterwards. */
void selftest_second_cpu_guest_hang(struct test_result *result)
{
	struct second_cpu_hang hang = { .result = result };
	enum smp_call_status status;

	if (smp_unavailable())
		return test_skip(result, "%s", smp_unavailable());
	status = smp_call(guest_hang_on_second_cpu, &hang, SECOND_CPU_CALL_MILLISECONDS);
	if (status != SMP_CALL_DONE)
		return test_fail(result, "the second CPU did not come back from its hung guest (%s)",
				 status == SMP_CALL_FAULT ? smp_fault_reason() : "stopped with INIT");
	test_diagnostic(result, "deadline_nmis", "%llu", (unsigned long long)smp_deadline_nmis());
	if (smp_call(nothing, 0, SECOND_CPU_CALL_MILLISECONDS) != SMP_CALL_DONE)
		test_fail(result, "the second CPU did not answer after its guest hang");
}

/* ---- selftest=second-cpu-hang ---- */

/* On the second CPU: VMX operation (or SVM) on, then a loop with interrupts masked,
   where INIT alone would not stop it. */
static void hang_in_vmx_root(void *argument)
{
	int *virtualization_on = argument;
	char reason[VM_REASON_SIZE];
	const struct vm_ops *ops = vm_ops_select(reason);

	*virtualization_on = ops && !ops->probe(reason) && !ops->enable(reason);
	for (;;)
		cpu_pause();
}

/* Must end `not ok`: the call times out, and smp_stop's NMI makes the second CPU
   leave VMX/SVM and halt before its INIT; the run goes on without it. */
void selftest_second_cpu_hang(struct test_result *result)
{
	int virtualization_on = 0;
	enum smp_call_status status;

	if (smp_unavailable())
		return test_skip(result, "%s", smp_unavailable());
	status = smp_call(hang_in_vmx_root, &virtualization_on, SECOND_CPU_HANG_CALL_MILLISECONDS);
	if (status != SMP_CALL_TIMEOUT)
		return test_fail(result, "the hung second CPU's call ended with status %d, not a timeout", status);
	test_fail(result, "the second CPU hung (%s) and was stopped: %s",
		  virtualization_on ? "with VMX or SVM on" : "VMX and SVM unavailable",
		  smp_stopped_in_its_handler() ? "it left VMX/SVM in its NMI handler and halted, then got INIT"
					       : "it did not take the stopping NMI; INIT only");
}
