; SVM world switch (AMD APM Vol. 2, 15.5): the only SVM assembly in fpulab.
; void svm_world_switch(struct vm_regs *regs [rdi], uint64_t vmcb [rsi])
; VMRUN saves the host's RAX, RSP, RIP, segments and control registers in the host
; save area and restores them at #VMEXIT; the other GPRs are ours to keep. Guest RAX
; lives in the VMCB. CLGI here; the caller does STGI once it has looked at the exit
; (an intercepted NMI stays pending until then, APM 15.9 and 15.17).
default rel
section .note.GNU-stack noalloc noexec nowrite progbits
section .text

%include "vm_regs.inc"

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
	LOAD_GUEST_GPRS_FROM_RDI
	vmrun
	xchg rax, [rsp]                 ; rax = regs
	mov [rax + VM_REGS_RCX], rcx
	STORE_GUEST_GPRS_TO rax
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
