/* Turns on what fpulab measures: CR4.OSFXSR, OSXMMEXCPT, OSXSAVE (and PKE when the
   CPU has protection keys), XCR0 = every user component the CPU supports. */
#ifndef FPULAB_FPU_SETUP_H
#define FPULAB_FPU_SETUP_H

#include <stdint.h>

void fpu_setup(void);
/* Puts CR0, CR4 and XCR0 back to what fpu_setup chose, after a test was aborted. */
void fpu_restore_baseline(void);
uint64_t fpu_baseline_xcr0(void);

#endif
