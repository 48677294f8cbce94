#ifndef FPULAB_TRAP_H
#define FPULAB_TRAP_H

#include <stdint.h>

/* While enabled, #NM with CR0.TS set clears TS and resumes (a lazy-FPU trap handler). */
void trap_set_nm_clears_ts(int enable);
/* While enabled, #NM with IA32_XFD_ERR non-zero clears XFD_ERR, disarms those
   components in IA32_XFD and resumes (Linux's XFD #NM path, without the allocation). */
void trap_set_nm_handles_xfd(int enable);
/* The IA32_XFD_ERR value the last XFD #NM handled read. */
uint64_t trap_last_xfd_err(void);
uint64_t trap_nm_count(void);
uint64_t trap_stray_interrupt_count(void);

#endif
