; SVM world switch (AMD APM Vol. 2, 15.5): the only SVM assembly in fpulab.
; void svm_world_switch(struct vm_regs *regs [rdi], uint64_t vmcb [rsi])
; VMRUN saves the host's RAX, RSP, RIP, segments and control registers in the host
; save area and restores them at #VMEXIT; the other GPRs are ours to keep. Guest RAX
; lives in the VMCB. CLGI here; the caller does STGI once it has looked at the exit
; (an intercepted NMI stays pending until then, APM 15.9 and 15.17).
default rel
section .note.GNU-stack noalloc noexec nowrite progbits
section .text

global svm_world_switch
svm_world_switch:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi
	clgi
	mov rax, rsi
	mov rbx, [rdi + 8]
	mov rcx, [rdi + 16]
	mov rdx, [rdi + 24]
	mov rsi, [rdi + 32]
	mov rbp, [rdi + 48]
	mov r8,  [rdi + 56]
	mov r9,  [rdi + 64]
	mov r10, [rdi + 72]
	mov r11, [rdi + 80]
	mov r12, [rdi + 88]
	mov r13, [rdi + 96]
	mov r14, [rdi + 104]
	mov r15, [rdi + 112]
	mov rdi, [rdi + 40]
	vmrun
	xchg rax, [rsp]                 ; rax = regs
	mov [rax + 8], rbx
	mov [rax + 16], rcx
	mov [rax + 24], rdx
	mov [rax + 32], rsi
	mov [rax + 40], rdi
	mov [rax + 48], rbp
	mov [rax + 56], r8
	mov [rax + 64], r9
	mov [rax + 72], r10
	mov [rax + 80], r11
	mov [rax + 88], r12
	mov [rax + 96], r13
	mov [rax + 104], r14
	mov [rax + 112], r15
	pop rax
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; Guest entry: rsi = function, rdi = argument; then hypercall 0 (done).
global svm_guest_trampoline
svm_guest_trampoline:
	call rsi
	xor eax, eax
	vmmcall
	ud2
