/* selftest=vmentry and selftest=guest-hang: a broken guest ends as `not ok` with the
   decoded failure and a guest-state dump, and the run goes on. */
#include "vm/vm_test.h"
#include "cpu_features.h"
#include "watchdog.h"

#define GUEST_TIME_LIMIT_MILLISECONDS 2000   /* below the table's 3000 ms */

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
