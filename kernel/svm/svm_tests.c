/* vm/svm/...: SVM-only checks of the failure decoding, each followed by a recovery. */
#include "svm/svm.h"
#include "arch/x86.h"
#include "vm/vm_test.h"
#include "cpu_features.h"
#include "lib/string.h"

static struct vm_fixture fixture;
static struct vmcb_save saved;

/* A guest with CR0.NW set and CR0.CD clear fails VMRUN's consistency checks (APM
   15.5.1): VMEXIT_INVALID, decoded. Bochs 2.7 and QEMU 7.2 then leave the host's
   state in the VMCB's save area, so the whole save area is put back before the guest
   runs to completion. */
static int contains(const char *text, const char *part)
{
	for (; *text; text++)
		if (!strncmp(text, part, strlen(part)))
			return 1;
	return 0;
}

void vm_test_svm_vmexit_invalid(struct test_result *result)
{
	struct vm_exit exit;
	struct vmcb *vmcb;

	if (!cpu_features()->has.svm)
		return test_skip(result, "CPUID.80000001H:ECX.SVM[2]=0");
	if (cpu_features()->has.vmx)
		return test_skip(result, "this CPU runs fpulab's guests under VMX");
	if (vm_fixture_begin(result, &fixture, guest_nothing, 0))
		return;
	vmcb = ((struct svm_vcpu *)fixture.vcpu.arch)->vmcb;
	memcpy(&saved, &vmcb->save, sizeof saved);
	vmcb->save.cr0 = (saved.cr0 | CR0_NW) & ~CR0_CD;   /* NW=1, CD=0 */
	vm_run(&fixture.vcpu, &exit);
	memcpy(&vmcb->save, &saved, sizeof saved);
	if (exit.kind != VM_EXIT_ENTRY_FAILED || !contains(exit.description, "CR0.CD is zero and CR0.NW is set"))
		vm_fail(result, &fixture, &exit, "expected VMEXIT_INVALID naming CR0.CD/NW");
	else if (vm_fixture_run(result, &fixture) == 0)
		test_diagnostic(result, "decoded", "\"%s\"", exit.description);
	vm_fixture_end(&fixture);
}
