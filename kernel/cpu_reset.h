/* The one reset after an aborted test or call, on the CPU that ran it: the first
   CPU's runner (kernel/runner_platform.c) and the second CPU's call loop
   (kernel/smp/smp.c) both run it (docs/design.md, "One reset after an abort"). */
#ifndef FPULAB_CPU_RESET_H
#define FPULAB_CPU_RESET_H

/* VMX operation / SVM off, CR0, CR4, XCR0, IA32_XSS, IA32_XFD, IA32_XFD_ERR and the
   FPU registers at the baseline (fpu_restore_baseline), trap depth 0 and the #NM
   handler's settings off (trap_reset_after_abort), GS base on this CPU's area. */
void cpu_reset_after_abort(void);

#endif
