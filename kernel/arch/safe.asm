; Instruction wrappers that return the fault vector instead of faulting
; (0 = no fault; none of these instructions can raise #DE, vector 0).
; Each faulting instruction has an entry in safe_fixup_table: trap_dispatch looks the
; faulting RIP up, puts the vector in RAX and resumes at the fixup label, which returns.
; The wrappers of instructions that need CPL 0 whatever the configuration (RDMSR, WRMSR,
; XSETBV, MOV to CR0/CR4, XSAVES, XRSTORS) do not execute them outside ring 0 (the
; hosted build, user-mode tests): they return #GP, the vector the CPU would raise.
default rel
bits 64

global rdmsr_safe, wrmsr_safe, xgetbv_safe, xsetbv_safe, write_cr0_safe, write_cr4_safe
global rdpmc_safe, read64_safe, sse_touch_safe, stmxcsr_safe, fxsave_safe, fxrstor_safe
global xsave_safe, xsaveopt_safe, xsavec_safe, xsaves_safe, xrstor_safe, xrstors_safe
global ldtilecfg_safe, sttilecfg_safe, tilezero_safe, tilerelease_safe
global safe_fixup_table, safe_fixup_table_end

%macro FIXUP 2
section .data
	dq %1, %2
section .text
%endmacro

section .data
align 8
safe_fixup_table:

section .text

%define VECTOR_GP 13

; Returns VECTOR_GP from the wrapper when CS.RPL (the CPL) is not 0.
%macro REFUSE_OUTSIDE_RING0 0
	mov eax, cs
	test al, 3
	jz %%ring0
	mov eax, VECTOR_GP
	ret
%%ring0:
%endmacro

; int rdmsr_safe(uint32_t msr, uint64_t *value)
rdmsr_safe:
	REFUSE_OUTSIDE_RING0
	mov ecx, edi
.instruction:
	rdmsr
	shl rdx, 32
	or rax, rdx
	mov [rsi], rax
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int wrmsr_safe(uint32_t msr, uint64_t value)
wrmsr_safe:
	REFUSE_OUTSIDE_RING0
	mov ecx, edi
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
.instruction:
	wrmsr
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int xgetbv_safe(uint32_t index, uint64_t *value)
xgetbv_safe:
	mov ecx, edi
.instruction:
	xgetbv
	shl rdx, 32
	or rax, rdx
	mov [rsi], rax
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int xsetbv_safe(uint32_t index, uint64_t value)
xsetbv_safe:
	REFUSE_OUTSIDE_RING0
	mov ecx, edi
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
.instruction:
	xsetbv
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int write_cr0_safe(uint64_t value)
write_cr0_safe:
	REFUSE_OUTSIDE_RING0
.instruction:
	mov cr0, rdi
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int write_cr4_safe(uint64_t value)
write_cr4_safe:
	REFUSE_OUTSIDE_RING0
.instruction:
	mov cr4, rdi
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int rdpmc_safe(uint32_t counter, uint64_t *value)
rdpmc_safe:
	mov ecx, edi
.instruction:
	rdpmc
	shl rdx, 32
	or rax, rdx
	mov [rsi], rax
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int read64_safe(uint64_t address, uint64_t *value)
read64_safe:
.instruction:
	mov rax, [rdi]
	mov [rsi], rax
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; XSAVE family: int NAME_safe(void *area, uint64_t requested_feature_bitmap)
%macro XSAVE_FAMILY_SAFE 2-3 0  ; function, instruction, 1 when it needs CPL 0
%1:
%if %3
	REFUSE_OUTSIDE_RING0
%endif
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
.instruction:
	%2 [rdi]
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup
%endmacro

XSAVE_FAMILY_SAFE xsave_safe, xsave64
XSAVE_FAMILY_SAFE xsaveopt_safe, xsaveopt64
XSAVE_FAMILY_SAFE xsavec_safe, xsavec64
XSAVE_FAMILY_SAFE xsaves_safe, xsaves64, 1
XSAVE_FAMILY_SAFE xrstor_safe, xrstor64
XSAVE_FAMILY_SAFE xrstors_safe, xrstors64, 1
XSAVE_FAMILY_SAFE fxsave_safe, fxsave64
XSAVE_FAMILY_SAFE fxrstor_safe, fxrstor64

; int sse_touch_safe(void): one SSE instruction (#NM when CR0.TS is set)
sse_touch_safe:
.instruction:
	pxor xmm0, xmm0
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; ---- AMX (#UD without AMX-TILE or with XCR0[18:17] clear; #NM when XFD arms the
; component the instruction uses) ----

; int ldtilecfg_safe(const void *config): 64-byte TILECFG
ldtilecfg_safe:
.instruction:
	ldtilecfg [rdi]
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int sttilecfg_safe(void *config)
sttilecfg_safe:
.instruction:
	sttilecfg [rdi]
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int tilezero_safe(void): TMM0 := 0 (uses TILEDATA)
tilezero_safe:
.instruction:
	tilezero tmm0
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int tilerelease_safe(void): TILECFG and TILEDATA to their init state
tilerelease_safe:
.instruction:
	tilerelease
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int stmxcsr_safe(uint32_t *value): one SSE instruction that changes no register
; (#NM when CR0.TS is set): the policy lab's non-destructive "does the FPU trap" probe
stmxcsr_safe:
.instruction:
	stmxcsr [rdi]
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

section .data
safe_fixup_table_end:

section .note.GNU-stack noalloc noexec nowrite progbits
