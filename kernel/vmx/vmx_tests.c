/* vm/vmx/...: VMX-only checks of the failure decoding, each followed by a recovery. */
#include "vmx/vmx.h"
#include "vm/vm_test.h"
#include "cpu_features.h"
#include "lib/string.h"

static struct vm_fixture fixture;

/* A host CS selector of 0 fails the host-state checks (SDM Vol. 3C, 27.2.3): VMLAUNCH must
   give VMfailValid with VM-instruction error 8; with CS put back the guest runs. */
void vm_test_vmx_vmfail_valid(struct test_result *result)
{
	uint32_t host_cs_field = VMCS_HOST_ES_SELECTOR + 2 * SEG_CS;
	struct vm_exit exit;
	uint16_t host_cs;

	if (!cpu_features()->has.vmx)
		return test_skip(result, "CPUID.1:ECX.VMX[5]=0");
	if (vm_fixture_begin(result, &fixture, guest_nothing, 0))
		return;
	host_cs = vmcs_read16(host_cs_field);
	vmcs_write16(host_cs_field, 0);
	vm_run(&fixture.vcpu, &exit);
	vmcs_write16(host_cs_field, host_cs);
	if (exit.kind != VM_EXIT_ENTRY_FAILED || exit.raw_reason != 8 ||
	    strcmp(exit.description, "VMfailValid: VM-instruction error 8 (VM entry with invalid host-state field(s))"))
		vm_fail(result, &fixture, &exit, "expected VMfailValid with error 8");
	else if (vm_fixture_run(result, &fixture) == 0)
		test_diagnostic(result, "decoded", "\"%s\"", exit.description);
	vm_fixture_end(&fixture);
}

/* A VMWRITE to a VMCS component that does not exist fails with VM-instruction error 12
   (SDM 31.4): the next vm_run must not enter the guest and must name the field; the
   run after it enters normally. 0x6c01 is a natural-width host field with the "high"
   access type, which only 64-bit fields have (SDM Vol. 3C, 25.11.2). */
void vm_test_vmx_vmcs_access_error(struct test_result *result)
{
	const uint32_t missing_field = 0x6c01;
	struct vm_exit exit;

	if (!cpu_features()->has.vmx)
		return test_skip(result, "CPUID.1:ECX.VMX[5]=0");
	if (vm_fixture_begin(result, &fixture, guest_nothing, 0))
		return;
	vmcs_write_natural(missing_field, 0);
	vm_run(&fixture.vcpu, &exit);
	if (exit.kind != VM_EXIT_ACCESS_FAILED || exit.qualification != missing_field || exit.raw_reason != 12 ||
	    ((struct vmx_vcpu *)fixture.vcpu.arch)->launched)
		vm_fail(result, &fixture, &exit, "expected the failed VMWRITE of 0x6c01 (error 12) and no entry");
	else if (vm_fixture_run(result, &fixture) == 0)
		test_diagnostic(result, "decoded", "\"%s\"", exit.description);
	vm_fixture_end(&fixture);
}
