#include "cpu_baseline.h"
#include "cpu_features.h"
#include "fpu_setup.h"
#include "vm/vm.h"
#include "arch/per_cpu.h"
#include "arch/safe.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "lib/format.h"
#include "lib/string.h"

#define FCW_INITIAL 0x037f
#define MXCSR_INITIAL 0x1f80

/* FXSAVE/FXRSTOR legacy area: FCW at byte 0, MXCSR at byte 24 (SDM Vol. 1, 10.5.1). */
static uint8_t legacy_area[512] __attribute__((aligned(64)));

static int nm_handler_not_spoiled(struct trap_frame *frame)
{
	(void)frame;
	return 0;
}

static uint64_t xfd_capable_components(void)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < XSAVE_MAX_COMPONENTS; i++)
		if (cpu_features()->components[i].xfd)
			mask |= 1ull << i;
	return mask;
}

static void note(char *untouched, size_t size, const char *what)
{
	size_t used = strlen(untouched);

	if (used < size)
		format_string(untouched + used, size - used, "%s%s", used ? "; " : "", what);
}

static void spoil_virtualization(char *untouched, size_t size)
{
	char reason[VM_REASON_SIZE];
	const struct vm_ops *ops = vm_ops_select(reason);

	if (!ops || ops->probe(reason) || ops->enable(reason))
		note(untouched, size, "VMX/SVM stays off (no VMX or SVM usable here)");
}

void cpu_baseline_spoil(char *untouched, size_t size)
{
	const struct fpu_baseline *baseline = fpu_baseline();

	untouched[0] = 0;
	spoil_virtualization(untouched, size);
	for (unsigned i = 0; i < sizeof legacy_area; i++)
		legacy_area[i] = 0;   /* FCW 0, MXCSR 0: every exception unmasked */
	fxrstor_safe(legacy_area, 0);
	write_cr4(read_cr4() & ~CR4_OSXMMEXCPT);
	if (baseline->xcr0)
		xsetbv_safe(0, 3);
	if (baseline->has_xss && cpu_features()->xss_supported)
		wrmsr_safe(MSR_IA32_XSS, cpu_features()->xss_supported);
	else
		note(untouched, size, "IA32_XSS (no XSAVES or no supervisor component)");
	if (baseline->has_xfd && xfd_capable_components()) {
		wrmsr_safe(MSR_IA32_XFD, xfd_capable_components());
		wrmsr_safe(MSR_IA32_XFD_ERR, xfd_capable_components());
	} else {
		note(untouched, size, "IA32_XFD and IA32_XFD_ERR (no XFD)");
	}
	trap_set_nm_clears_ts(1);
	trap_set_nm_handles_xfd(1);
	trap_set_nm_hook(nm_handler_not_spoiled);
	write_cr0(read_cr0() | CR0_TS);
}

static int differs(char *what, size_t size, const char *name, uint64_t now, uint64_t wanted)
{
	if (now == wanted)
		return 0;
	format_string(what, size, "%s 0x%llx, baseline 0x%llx", name, (unsigned long long)now,
		      (unsigned long long)wanted);
	return 1;
}

static int msr_differs(char *what, size_t size, const char *name, uint32_t msr, uint64_t wanted)
{
	uint64_t value = ~wanted;

	rdmsr_safe(msr, &value);
	return differs(what, size, name, value, wanted);
}

static int registers_differ(char *what, size_t size)
{
	if (fxsave_safe(legacy_area, 0) != 0)
		return 0;   /* no FXSAVE: nothing to compare */
	return differs(what, size, "FCW", *(uint16_t *)legacy_area, FCW_INITIAL) ||
	       differs(what, size, "MXCSR", *(uint32_t *)(legacy_area + 24), MXCSR_INITIAL);
}

static int per_cpu_state_differs(char *what, size_t size)
{
	struct per_cpu *cpu = this_cpu();

	return differs(what, size, "trap depth", cpu->trap_depth, 0) ||
	       differs(what, size, "#NM clears CR0.TS", (uint64_t)cpu->nm_clears_ts, 0) ||
	       differs(what, size, "#NM handles XFD", (uint64_t)cpu->nm_handles_xfd, 0) ||
	       differs(what, size, "#NM hook", (uint64_t)(uintptr_t)cpu->nm_hook, 0) ||
	       differs(what, size, "VMX on", (uint64_t)cpu->vmx.on, 0) ||
	       differs(what, size, "SVM on", (uint64_t)cpu->svm.on, 0) ||
	       differs(what, size, "GS base repairs", cpu->gs_base_repairs, 0) ||
	       differs(what, size, "IA32_GS_BASE", rdmsr(MSR_GS_BASE), (uint64_t)(uintptr_t)cpu);
}

int cpu_baseline_differs(char *what, size_t size)
{
	const struct fpu_baseline *baseline = fpu_baseline();

	return per_cpu_state_differs(what, size) ||
	       differs(what, size, "CR0", read_cr0(), baseline->cr0) ||
	       differs(what, size, "CR4", read_cr4(), baseline->cr4) ||
	       (baseline->xcr0 && differs(what, size, "XCR0", xgetbv(0), baseline->xcr0)) ||
	       differs(what, size, "EFER.SVME", rdmsr(MSR_EFER) & EFER_SVME, 0) ||
	       (baseline->has_xss && msr_differs(what, size, "IA32_XSS", MSR_IA32_XSS, baseline->xss)) ||
	       (baseline->has_xfd && msr_differs(what, size, "IA32_XFD", MSR_IA32_XFD, baseline->xfd)) ||
	       (baseline->has_xfd && msr_differs(what, size, "IA32_XFD_ERR", MSR_IA32_XFD_ERR, baseline->xfd_err)) ||
	       registers_differ(what, size);
}
