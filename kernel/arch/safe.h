/* Wrappers that return the fault vector instead of faulting: 0 when the instruction
   completed, else the exception vector (#GP = 13, #UD = 6, #PF = 14, ...). */
#ifndef FPULAB_SAFE_H
#define FPULAB_SAFE_H

#include <stdint.h>

#define VECTOR_DE 0
#define VECTOR_DB 1
#define VECTOR_NMI 2
#define VECTOR_BP 3
#define VECTOR_UD 6
#define VECTOR_NM 7
#define VECTOR_DF 8
#define VECTOR_GP 13
#define VECTOR_PF 14
#define VECTOR_AC 17
#define VECTOR_MC 18

int rdmsr_safe(uint32_t msr, uint64_t *value);
int wrmsr_safe(uint32_t msr, uint64_t value);
int xgetbv_safe(uint32_t index, uint64_t *value);
int xsetbv_safe(uint32_t index, uint64_t value);
int write_cr0_safe(uint64_t value);
int write_cr4_safe(uint64_t value);
int rdpmc_safe(uint32_t counter, uint64_t *value);
/* XSAVE family: area must be 64-byte aligned (16 for FXSAVE/FXRSTOR, which ignore the
   mask). The requested-feature bitmap goes in EDX:EAX. */
int xsave_safe(void *area, uint64_t mask);
int xsaveopt_safe(void *area, uint64_t mask);
int xsavec_safe(void *area, uint64_t mask);
int xsaves_safe(void *area, uint64_t mask);
int xrstor_safe(void *area, uint64_t mask);
int xrstors_safe(void *area, uint64_t mask);
int fxsave_safe(void *area, uint64_t unused_mask);
int fxrstor_safe(void *area, uint64_t unused_mask);
/* Executes one SSE instruction (PXOR xmm0, xmm0): #NM while CR0.TS is set. */
int sse_touch_safe(void);
/* STMXCSR: reads MXCSR, changes no register; #NM while CR0.TS is set. */
int stmxcsr_safe(uint32_t *value);
int read64_safe(uint64_t address, uint64_t *value);
/* AMX: #UD without AMX-TILE or with XCR0[18:17] clear, #NM when IA32_XFD arms the
   component (SDM Vol. 1, 13.14). TILEZERO and TILELOADD use TMM0. */
int ldtilecfg_safe(const void *config);
int sttilecfg_safe(void *config);
int tilezero_safe(void);
int tilerelease_safe(void);

/* The fixup for a faulting RIP, or 0. */
uint64_t safe_fixup_find(uint64_t faulting_rip);

#endif
