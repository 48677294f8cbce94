; VMX world switch (SDM Vol. 3C, 26 and 27): the only VMX assembly in fpulab.
; enum vmx_status vmx_world_switch(struct vm_regs *regs [rdi], int launched [esi])
; Host RSP/RIP are written into the VMCS on every call, so the exit lands at .exit
; with the stack exactly as it was before the entry.
default rel
section .note.GNU-stack noalloc noexec nowrite progbits
section .text

%define VMCS_HOST_RSP 0x6c14
%define VMCS_HOST_RIP 0x6c16

global vmx_world_switch
vmx_world_switch:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; [rsp]: regs, found again at .exit
	mov eax, VMCS_HOST_RSP
	vmwrite rax, rsp
	lea rdx, [rel .exit]
	mov eax, VMCS_HOST_RIP
	vmwrite rax, rdx
	test esi, esi                   ; flags survive the MOVs below
	mov rax, [rdi + 0]
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
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:                                ; CF=1 VMfailInvalid, ZF=1 VMfailValid (SDM 31.2)
	pop rdi
	mov eax, 2
	jnc .restore
	mov eax, 1
	jmp .restore
.exit:
	push rcx
	mov rcx, [rsp + 8]
	mov [rcx + 0], rax
	mov [rcx + 8], rbx
	pop rax
	mov [rcx + 16], rax
	mov [rcx + 24], rdx
	mov [rcx + 32], rsi
	mov [rcx + 40], rdi
	mov [rcx + 48], rbp
	mov [rcx + 56], r8
	mov [rcx + 64], r9
	mov [rcx + 72], r10
	mov [rcx + 80], r11
	mov [rcx + 88], r12
	mov [rcx + 96], r13
	mov [rcx + 104], r14
	mov [rcx + 112], r15
	pop rdi
	xor eax, eax
.restore:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; Guest entry: rsi = function, rdi = argument; then hypercall 0 (done).
global vmx_guest_trampoline
vmx_guest_trampoline:
	call rsi
	xor eax, eax
	vmcall
	ud2

; After a VM exit caused by an NMI, NMIs stay blocked until the next IRET
; (see docs/vm.md): an IRET to the next instruction unblocks them.
global vmx_unblock_nmi
vmx_unblock_nmi:
	mov rax, rsp
	xor ecx, ecx
	mov cx, ss
	push rcx
	push rax
	pushfq
	mov cx, cs
	push rcx
	lea rcx, [rel .done]
	push rcx
	iretq
.done:
	ret
