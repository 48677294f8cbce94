; The harness's own windows (support/harness.c, support/harness_cycles.c): one clock read
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

; The calibration chain: 32 turns of a loop of 64 (short window) or 128 (long window)
; dependent `add rbx, 1`; each link waits for the previous one, one cycle of latency on
; every core. Both windows take the same branches (32 turns, one exit), so whatever the
; loop's branch costs cancels; the counter's DEC/JNZ run beside the chain. The long
; window has 32 x 64 = 2048 links more (HARNESS_CALIBRATION_LINKS).
%macro ADD_LOOP 1               ; links per turn
	mov ecx, 32
%%turn:
%rep %1
	add rbx, 1
%endrep
	dec ecx
	jnz %%turn
%endmacro
%macro ADD_LOOP_SHORT 0
	ADD_LOOP 64
%endmacro
%macro ADD_LOOP_LONG 0
	ADD_LOOP 128
%endmacro
%macro NOP_LINE 0
%rep 50
	nop
%endrep
%endmacro

BENCH_FUNCTION harness_add_chain_single, 1, NO_SETUP, ADD_LOOP_SHORT
BENCH_FUNCTION harness_add_chain_double, 1, NO_SETUP, ADD_LOOP_LONG
BENCH harness_nops, 64, NO_SETUP, NOP_LINE            ; 3200 and 6400 NOPs

section .note.GNU-stack noalloc noexec nowrite progbits
