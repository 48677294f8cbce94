#ifndef FPULAB_TRAP_H
#define FPULAB_TRAP_H

#include <stdint.h>

struct trap_frame;

/* Each setting is this CPU's (kernel/arch/per_cpu.h). */
/* While enabled, #NM with CR0.TS set clears TS and resumes (a lazy-FPU trap handler). */
void trap_set_nm_clears_ts(int enable);
/* While enabled, #NM with IA32_XFD_ERR non-zero clears XFD_ERR, disarms those
   components in IA32_XFD and resumes (Linux's XFD #NM path, without the allocation). */
void trap_set_nm_handles_xfd(int enable);
/* A test's own #NM handler, asked first; it returns 1 when it handled the #NM. */
void trap_set_nm_hook(int (*hook)(struct trap_frame *frame));
/* After an aborted test (kernel/cpu_reset.c): trap depth 0, the #NM handling above off. */
void trap_reset_after_abort(void);
/* The IA32_XFD_ERR value the last XFD #NM handled read. */
uint64_t trap_last_xfd_err(void);
uint64_t trap_nm_count(void);
uint64_t trap_stray_interrupt_count(void);
/* Trap handlers running on this CPU now: 0 in a test. */
unsigned trap_depth(void);

#endif
