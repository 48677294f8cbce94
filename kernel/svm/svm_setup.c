/* SVM enable and disable (APM Vol. 2, 15.4: EFER.SVME, VM_CR.SVMDIS; 15.30.4:
   VM_HSAVE_PA, the host save area). */
#include "svm/svm.h"
#include "cpu_features.h"
#include "memory.h"
#include "arch/safe.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "arch/per_cpu.h"

/* EFER.SVME and VM_HSAVE_PA are per logical processor: this_cpu()->svm. */

int svm_probe(char *reason)
{
	uint64_t vm_cr = 0;

	if (!cpu_features()->has.svm)
		return format_string(reason, VM_REASON_SIZE, "CPUID.80000001H:ECX.SVM[2]=0"), -1;
	if (rdmsr_safe(MSR_VM_CR, &vm_cr) == 0 && (vm_cr & VM_CR_SVMDIS))
		return format_string(reason, VM_REASON_SIZE, "VM_CR.SVMDIS[4]=1 (VM_CR 0x%llx): firmware disabled SVM",
				     (unsigned long long)vm_cr), -1;
	return 0;
}

void svm_disable(void)
{
	if (!this_cpu()->svm.on)
		return;
	/* A test aborted between CLGI and the exit's STGI left GIF clear: set it while
	   STGI is still legal (EFER.SVME set), or NMIs and interrupts stay held. */
	__asm__ volatile("stgi" ::: "memory");
	wrmsr(MSR_VM_HSAVE_PA, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
	this_cpu()->svm.on = 0;
}

int svm_enable(char *reason)
{
	uint64_t host_save;

	svm_disable();
	if (svm_probe(reason))
		return -1;
	if (wrmsr_safe(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME) != 0)
		return format_string(reason, VM_REASON_SIZE, "setting EFER.SVME faulted"), -1;
	host_save = memory_alloc_pages(1);
	if (wrmsr_safe(MSR_VM_HSAVE_PA, host_save) != 0) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
		return format_string(reason, VM_REASON_SIZE, "writing VM_HSAVE_PA faulted"), -1;
	}
	this_cpu()->svm.on = 1;
	return 0;
}
