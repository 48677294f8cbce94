; Bodies of the XFD benchmarks (bench/xfd_tests.c), kernel only: IA32_XFD (1C4H) and
; IA32_XFD_ERR (1C5H) are MSRs. rbx = ARG_VALUE = the component bits to arm,
; rdi = ARG_AREA = a valid palette-1 TILECFG.
default rel
bits 64
%include "timing.inc"

%define MSR_IA32_XFD     0x1c4
%define MSR_IA32_XFD_ERR 0x1c5

section .text

%macro BODY_RDMSR_XFD 0
	mov ecx, MSR_IA32_XFD
	rdmsr
%endmacro
%macro BODY_RDMSR_XFD_ERR 0
	mov ecx, MSR_IA32_XFD_ERR
	rdmsr
%endmacro
%macro BODY_WRMSR_XFD_ZERO 0           ; IA32_XFD is 0 throughout: rewrites the same value
	mov ecx, MSR_IA32_XFD
	xor eax, eax
	xor edx, edx
	wrmsr
%endmacro
%macro BODY_WRMSR_XFD_ARM_DISARM 0
	mov ecx, MSR_IA32_XFD
	mov eax, ebx
	xor edx, edx
	wrmsr
	xor eax, eax
	wrmsr
%endmacro
; Arm, then use the armed component: #NM; the kernel's XFD #NM handler
; (trap_set_nm_handles_xfd) reads and clears IA32_XFD_ERR and disarms; TILEZERO retries.
%macro BODY_XFD_NM_ROUND_TRIP 0
	mov ecx, MSR_IA32_XFD
	mov eax, ebx
	xor edx, edx
	wrmsr
	tilezero tmm0
%endmacro

BENCH bench_rdmsr_xfd, 8, NO_SETUP, BODY_RDMSR_XFD
BENCH bench_rdmsr_xfd_err, 8, NO_SETUP, BODY_RDMSR_XFD_ERR
BENCH bench_wrmsr_xfd_same, 8, NO_SETUP, BODY_WRMSR_XFD_ZERO
BENCH bench_wrmsr_xfd_arm_disarm, 4, NO_SETUP, BODY_WRMSR_XFD_ARM_DISARM
BENCH bench_xfd_nm_round_trip, 4, LOAD_TILECFG, BODY_XFD_NM_ROUND_TRIP

section .note.GNU-stack noalloc noexec nowrite progbits
