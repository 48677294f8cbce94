; Bodies of the harness's own benchmarks: calibration chains and the exactness
; bodies of K known instructions.
default rel
bits 64
%include "timing.inc"

section .text

%macro ADD_LINK 0
	add rbx, 1              ; each link waits for the previous one: 1 cycle of latency
%endmacro
%macro IMUL_LINK 0
	imul rbx, rbx           ; 3 cycles of latency on Intel cores
%endmacro
%macro NOPS_1 0
	nop
%endmacro
%macro NOPS_7 0
%rep 7
	nop
%endrep
%endmacro
%macro NOPS_50 0
%rep 50
	nop
%endrep
%endmacro
%macro EMPTY_BODY 0
%endmacro

BENCH bench_add_chain, 200, NO_SETUP, ADD_LINK
BENCH bench_imul_chain, 200, NO_SETUP, IMUL_LINK
BENCH bench_exact_0, 16, NO_SETUP, EMPTY_BODY
BENCH bench_exact_1, 16, NO_SETUP, NOPS_1
BENCH bench_exact_7, 16, NO_SETUP, NOPS_7
BENCH bench_exact_50, 16, NO_SETUP, NOPS_50

section .note.GNU-stack noalloc noexec nowrite progbits
