/* The state kernel/cpu_reset.c puts back, checked and spoiled on purpose: for the
   tests that prove an aborted test or call leaves nothing behind on its CPU
   (kernel/recovery_tests.c, kernel/smp/smp_tests.c). */
#ifndef FPULAB_CPU_BASELINE_H
#define FPULAB_CPU_BASELINE_H

#include <stddef.h>

/* Changes everything cpu_reset_after_abort restores that this CPU has: VMX or SVM
   on, CR4.OSXMMEXCPT clear, XCR0 x87|SSE, IA32_XSS every supervisor component,
   IA32_XFD and IA32_XFD_ERR every XFD-capable one, FCW and MXCSR with every exception
   unmasked, the #NM handler's settings on, CR0.TS set (last). What this CPU does not
   have, and so stays as it was, is listed in untouched. */
void cpu_baseline_spoil(char *untouched, size_t size);
/* 0 when this CPU is at its baseline (with no trap handler running), else 1 and the
   first difference in what. */
int cpu_baseline_differs(char *what, size_t size);

#endif
