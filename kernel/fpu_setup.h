/* Turns on what fpulab measures: CR4.OSFXSR, OSXMMEXCPT, OSXSAVE (and PKE when the
   CPU has protection keys), XCR0 = every user component the CPU supports, and the FPU
   registers in their initial state. That is the baseline every CPU is put back to. */
#ifndef FPULAB_FPU_SETUP_H
#define FPULAB_FPU_SETUP_H

#include <stdint.h>

struct fpu_baseline {
	uint64_t cr0, cr4, xcr0;         /* xcr0 0: no XSAVE */
	int has_xss, has_xfd;            /* the MSR exists (XSAVES, XFD) */
	uint64_t xss, xfd, xfd_err;      /* as the firmware left them */
};

void fpu_setup(void);
/* Puts CR0, CR4, XCR0, IA32_XSS, IA32_XFD and IA32_XFD_ERR back to what fpu_setup
   found or chose, then the x87/SSE/AVX... registers to their initial state (FCW
   0x37f, MXCSR 0x1f80), on the CPU it runs on: after an aborted test, and on the
   second CPU when it starts. */
void fpu_restore_baseline(void);
uint64_t fpu_baseline_xcr0(void);
const struct fpu_baseline *fpu_baseline(void);

#endif
