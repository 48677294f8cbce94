; The harness's own windows (bench/harness.c, bench/harness_cycles.c): one clock read
; for benchmarks in C, the calibration chain interleaved with the samples, and the NOP
; block that tells a core from an emulator (docs/method.md, "Core cycles").
default rel
bits 64
%include "timing.inc"

section .text

; uint64_t harness_read_clock(uint32_t clock, uint32_t index): CLOCK_READ's path, so a
; C benchmark's two reads cost what a window's do and cancel the same way.
global harness_read_clock
harness_read_clock:
	mov r9d, edi
	mov r10d, esi
	CLOCK_READ
	ret

%macro ADD_LINK 0
	add rbx, 1              ; waits for the previous link: one cycle of latency on every core
%endmacro
%macro NOP_LINE 0
%rep 50
	nop
%endrep
%endmacro

BENCH harness_add_chain, 512, NO_SETUP, ADD_LINK      ; HARNESS_CALIBRATION_LINKS
BENCH harness_nops, 16, NO_SETUP, NOP_LINE            ; 800 and 1600 NOPs

section .note.GNU-stack noalloc noexec nowrite progbits
