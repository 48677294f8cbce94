#include "fpu_setup.h"
#include "cpu_features.h"
#include "arch/x86.h"

static uint64_t baseline_cr0, baseline_cr4, baseline_xcr0;

void fpu_setup(void)
{
	const struct cpu_features *cpu = cpu_features();
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	cr0 = (cr0 | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS);
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu->has.xsave)
		cr4 |= CR4_OSXSAVE;
	if (cpu->has.pku)
		cr4 |= CR4_PKE;
	write_cr0(cr0);
	write_cr4(cr4);
	if (cpu->has.xsave) {
		xsetbv(0, cpu->xcr0_supported);
		baseline_xcr0 = xgetbv(0);
	}
	baseline_cr0 = read_cr0();
	baseline_cr4 = read_cr4();
}

void fpu_restore_baseline(void)
{
	write_cr0(baseline_cr0);
	write_cr4(baseline_cr4);
	if (baseline_xcr0)
		xsetbv(0, baseline_xcr0);
}

uint64_t fpu_baseline_xcr0(void)
{
	return baseline_xcr0;
}
