#ifndef FPULAB_TIMEKEEPING_H
#define FPULAB_TIMEKEEPING_H

#include <stdint.h>

/* Finds the TSC frequency: from CPUID 0x15 (crystal ratio) or 0x16 (base MHz) when
   the CPU reports it, and always measured against the PIT for comparison. */
void timekeeping_init(void);
uint64_t tsc_hz(void);                  /* the best known value */
const char *tsc_hz_source(void);        /* "cpuid15", "cpuid16", "pit", "unknown" */
uint64_t tsc_hz_measured(void);         /* measured against the PIT */
uint64_t milliseconds_to_tsc(uint64_t milliseconds);

#endif
