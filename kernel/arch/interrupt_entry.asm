; Entry stubs for all 256 vectors, the common trap path, GDT/TSS loading, and the
; test context switch (test_call / test_resume) that lets a trap end a test.
; Position-independent: RIP-relative addressing only (the EFI image is PIC).
default rel
bits 64

extern trap_dispatch
global interrupt_stub_table, load_descriptor_tables, test_call, test_resume

; Vectors for which the CPU pushes an error code (SDM Vol. 3A, 6.13).
%define HAS_ERROR_CODE(v) (v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30)

section .text
align 16
%assign vector 0
%rep 256
interrupt_stub_%+vector:
%if !HAS_ERROR_CODE(vector)
	push 0
%endif
	push vector
	jmp interrupt_common
%assign vector vector + 1
%endrep

interrupt_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp                    ; struct trap_frame *; RSP is 16-byte aligned here
	call trap_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16                     ; vector and error code
	iretq

; void load_descriptor_tables(const void *gdtr, const void *idtr, uint16_t code_selector,
;                             uint16_t data_selector, uint16_t tss_selector)
; tss_selector 0 means: do not load TR.
load_descriptor_tables:
	lgdt [rdi]
	lidt [rsi]
	mov ds, ecx
	mov es, ecx
	mov ss, ecx
	test r8d, r8d
	jz .no_task_register
	ltr r8w
.no_task_register:
	movzx edx, dx
	lea rax, [.reloaded]
	push rdx
	push rax
	retfq
.reloaded:
	ret

; uint64_t test_call(struct test_context *context, void (*function)(void *), void *argument)
; Returns 0 when function returned, 1 when a trap ended it through test_resume.
; The context's first field is the saved stack pointer.
test_call:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rax, rsi
	mov rdi, rdx
	sub rsp, 8                      ; keep the ABI's 16-byte alignment at the call
	call rax
	add rsp, 8
	xor eax, eax
	jmp restore_callee_saved

; Reached by IRETQ from trap_dispatch with RSP = the context's saved stack pointer.
test_resume:
	mov eax, 1
restore_callee_saved:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

section .data
align 8
interrupt_stub_table:
%assign vector 0
%rep 256
	dq interrupt_stub_%+vector
%assign vector vector + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
