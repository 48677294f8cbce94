; Bodies of the XSAVE-family benchmarks (bench/xsave_bench.c). The harness passes the
; requested-feature bitmap in ARG_MASK, the area written or read in ARG_AREA and a
; second area in ARG_AREA2 (support/timing.inc). The setup runs before the first clock
; read and decides the state the body meets:
;   FROM_AREA2: registers loaded from another address (saves: "modified"; "init" when
;               area2 holds an all-init header)
;   FROM_AREA:  registers loaded from the very area the body saves to ("unmodified":
;               XSAVEOPT may skip what was not modified since, SDM Vol. 1, 13.6);
;               FROM_AREA_S the same with XRSTORS, for XSAVES's compacted output with
;               supervisor components (XRSTOR #GPs on those, SDM Vol. 1, 13.8)
default rel
bits 64
%include "timing.inc"

section .text

%macro LOAD_MASK 0
	mov eax, [r11 + ARG_MASK]
	mov edx, [r11 + ARG_MASK + 4]
%endmacro
%macro FROM_AREA2 0
	LOAD_MASK
	xrstor64 [rsi]
%endmacro
%macro FROM_AREA 0
	LOAD_MASK
	mov rcx, [r11 + ARG_AREA]
	xrstor64 [rcx]
%endmacro
%macro FROM_AREA_S 0                  ; XSAVES output may hold supervisor state: XRSTORS
	LOAD_MASK
	mov rcx, [r11 + ARG_AREA]
	xrstors64 [rcx]
%endmacro
%macro FROM_AREA2_FX 0
	fxrstor64 [rsi]
%endmacro
%macro FROM_AREA_FX 0
	mov rcx, [r11 + ARG_AREA]
	fxrstor64 [rcx]
%endmacro

%macro BODY_FXSAVE 0
	fxsave64 [rdi]
%endmacro
%macro BODY_FXRSTOR 0
	fxrstor64 [rdi]
%endmacro
%macro BODY_XSAVE 0
	xsave64 [rdi]
%endmacro
%macro BODY_XSAVEOPT 0
	xsaveopt64 [rdi]
%endmacro
%macro BODY_XSAVEC 0
	xsavec64 [rdi]
%endmacro
%macro BODY_XSAVES 0
	xsaves64 [rdi]
%endmacro
%macro BODY_XRSTOR 0
	xrstor64 [rdi]
%endmacro
%macro BODY_XRSTORS 0
	xrstors64 [rdi]
%endmacro

%define SAVE_UNROLL 8

BENCH bench_fxsave_from_area2, SAVE_UNROLL, FROM_AREA2_FX, BODY_FXSAVE
BENCH bench_fxsave_from_area, SAVE_UNROLL, FROM_AREA_FX, BODY_FXSAVE
BENCH bench_fxrstor, SAVE_UNROLL, NO_SETUP, BODY_FXRSTOR
BENCH bench_xsave_from_area2, SAVE_UNROLL, FROM_AREA2, BODY_XSAVE
BENCH bench_xsave_from_area, SAVE_UNROLL, FROM_AREA, BODY_XSAVE
BENCH bench_xsaveopt_from_area2, SAVE_UNROLL, FROM_AREA2, BODY_XSAVEOPT
BENCH bench_xsaveopt_from_area, SAVE_UNROLL, FROM_AREA, BODY_XSAVEOPT
BENCH bench_xsavec_from_area2, SAVE_UNROLL, FROM_AREA2, BODY_XSAVEC
BENCH bench_xsavec_from_area, SAVE_UNROLL, FROM_AREA, BODY_XSAVEC
BENCH bench_xsaves_from_area2, SAVE_UNROLL, FROM_AREA2, BODY_XSAVES
BENCH bench_xsaves_from_area, SAVE_UNROLL, FROM_AREA_S, BODY_XSAVES
BENCH bench_xrstor, SAVE_UNROLL, NO_SETUP, BODY_XRSTOR
BENCH bench_xrstors, SAVE_UNROLL, NO_SETUP, BODY_XRSTORS

; ---- control primitives (rbx = ARG_VALUE) ----
%macro BODY_XGETBV0 0
	xor ecx, ecx
	xgetbv
%endmacro
%macro BODY_XGETBV1 0
	mov ecx, 1
	xgetbv
%endmacro
%macro BODY_XSETBV_SAME 0              ; EDX:EAX = ARG_MASK = the current XCR0
	xor ecx, ecx
	xsetbv
	mov eax, [r11 + ARG_MASK]
	mov edx, [r11 + ARG_MASK + 4]
%endmacro
%macro BODY_CLTS 0
	clts
%endmacro
%macro BODY_SET_TS_CLTS 0              ; rbx = CR0 with TS set
	mov cr0, rbx
	clts
%endmacro
%macro BODY_NM_ROUND_TRIP 0            ; rbx = CR0 with TS set; the #NM handler clears TS
	mov cr0, rbx
	pxor xmm0, xmm0
%endmacro

; ---- AMX (rdi = a 64-byte palette-1 TILECFG) ----
%macro BODY_TILERELEASE 0
	tilerelease
%endmacro
%macro BODY_LDTILECFG_TILERELEASE 0
	ldtilecfg [rdi]
	tilerelease
%endmacro
%macro BODY_TILEZERO 0
	tilezero tmm0
%endmacro

BENCH bench_tilerelease, 16, NO_SETUP, BODY_TILERELEASE
BENCH bench_ldtilecfg_tilerelease, 8, NO_SETUP, BODY_LDTILECFG_TILERELEASE
BENCH bench_tilezero, 16, LOAD_TILECFG, BODY_TILEZERO

BENCH bench_xgetbv0, 16, NO_SETUP, BODY_XGETBV0
BENCH bench_xgetbv1, 16, NO_SETUP, BODY_XGETBV1
BENCH bench_xsetbv_same, 8, NO_SETUP, BODY_XSETBV_SAME
BENCH bench_clts, 16, NO_SETUP, BODY_CLTS
BENCH bench_set_ts_clts, 8, NO_SETUP, BODY_SET_TS_CLTS
BENCH bench_nm_round_trip, 8, NO_SETUP, BODY_NM_ROUND_TRIP

section .note.GNU-stack noalloc noexec nowrite progbits
