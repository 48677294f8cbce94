#ifndef FPULAB_TRAP_H
#define FPULAB_TRAP_H

#include <stdint.h>

/* While enabled, #NM with CR0.TS set clears TS and resumes (a lazy-FPU trap handler). */
void trap_set_nm_clears_ts(int enable);
uint64_t trap_nm_count(void);
uint64_t trap_stray_interrupt_count(void);

#endif
