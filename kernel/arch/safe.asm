; Instruction wrappers that return the fault vector instead of faulting
; (0 = no fault; none of these instructions can raise #DE, vector 0).
; Each faulting instruction has an entry in safe_fixup_table: trap_dispatch looks the
; faulting RIP up, puts the vector in RAX and resumes at the fixup label, which returns.
default rel
bits 64

global rdmsr_safe, wrmsr_safe, xgetbv_safe, xsetbv_safe, write_cr0_safe, write_cr4_safe
global rdpmc_safe, read64_safe, safe_fixup_table, safe_fixup_table_end

%macro FIXUP 2
section .data
	dq %1, %2
section .text
%endmacro

section .data
align 8
safe_fixup_table:

section .text

; int rdmsr_safe(uint32_t msr, uint64_t *value)
rdmsr_safe:
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
.instruction:
	mov cr0, rdi
	xor eax, eax
.fixup:
	ret
FIXUP .instruction, .fixup

; int write_cr4_safe(uint64_t value)
write_cr4_safe:
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

section .data
safe_fixup_table_end:

section .note.GNU-stack noalloc noexec nowrite progbits
