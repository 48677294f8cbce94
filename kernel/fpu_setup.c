#include "fpu_setup.h"
#include "cpu_features.h"
#include "memory.h"
#include "arch/safe.h"
#include "arch/x86.h"

#define FCW_DEFAULT 0x037f      /* FNINIT's control word: every x87 exception masked */
#define MXCSR_DEFAULT 0x1f80    /* every SIMD exception masked, round to nearest */

static struct fpu_baseline baseline;
/* XRSTOR from it initialises every component (XSTATE_BV = 0, SDM Vol. 1, 13.8.1) but
   MXCSR, which comes from its legacy area; FXRSTOR reads FCW and MXCSR from it. */
static uint8_t *init_area;

static void fpu_registers_to_init_state(void)
{
	const struct cpu_features *cpu = cpu_features();

	if (!init_area)
		return;
	if (baseline.xcr0)
		xrstor_safe(init_area, baseline.xcr0 & ~cpu->xsave_unusable);
	else if (cpu->has.fxsr)
		fxrstor_safe(init_area, 0);
}

/* IA32_XSS exists with XSAVES, IA32_XFD and IA32_XFD_ERR with XFD (CPUID.(EAX=0DH,
   ECX=1):EAX[3] and [4], SDM Vol. 4, table 2-2). */
static void read_msr_baseline(const struct cpu_features *cpu)
{
	baseline.has_xss = cpu->has.xsaves && rdmsr_safe(MSR_IA32_XSS, &baseline.xss) == 0;
	baseline.has_xfd = cpu->has.xfd && rdmsr_safe(MSR_IA32_XFD, &baseline.xfd) == 0 &&
			   rdmsr_safe(MSR_IA32_XFD_ERR, &baseline.xfd_err) == 0;
}

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
		baseline.xcr0 = xgetbv(0);
	}
	baseline.cr0 = read_cr0();
	baseline.cr4 = read_cr4();
	read_msr_baseline(cpu);
	init_area = (uint8_t *)(uintptr_t)memory_alloc_pages(1);
	*(uint16_t *)init_area = FCW_DEFAULT;
	*(uint32_t *)(init_area + 24) = MXCSR_DEFAULT;
	fpu_registers_to_init_state();
}

/* XFD before the XRSTOR: an armed component in its mask would raise #NM (SDM Vol. 1,
   13.14). */
void fpu_restore_baseline(void)
{
	write_cr0(baseline.cr0);
	write_cr4(baseline.cr4);
	if (baseline.xcr0)
		xsetbv(0, baseline.xcr0);
	if (baseline.has_xss)
		wrmsr_safe(MSR_IA32_XSS, baseline.xss);
	if (baseline.has_xfd) {
		wrmsr_safe(MSR_IA32_XFD, baseline.xfd);
		wrmsr_safe(MSR_IA32_XFD_ERR, baseline.xfd_err);
	}
	fpu_registers_to_init_state();
}

uint64_t fpu_baseline_xcr0(void)
{
	return baseline.xcr0;
}

const struct fpu_baseline *fpu_baseline(void)
{
	return &baseline;
}
