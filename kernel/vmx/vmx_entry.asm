; VMX world switch (SDM Vol. 3C, 27 and 28): the only VMX assembly in fpulab.
; enum vmx_status vmx_world_switch(struct vm_regs *regs [rdi], int launched [esi],
;                                   uint64_t *host_rsp [rdx])
; Every exit lands at vmx_world_switch_exit (HOST_RIP, written once at VMCS setup) with
; the stack exactly as it was before the entry: HOST_RSP is written when the stack
; pointer differs from *host_rsp, the value written last.
default rel
section .note.GNU-stack noalloc noexec nowrite progbits
section .text

%include "vm_regs.inc"
%include "vmcs_fields.inc"       ; VMCS_* of vmx.h, made by the Makefile

global vmx_world_switch
vmx_world_switch:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; [rsp]: regs, found again at the exit
	cmp rsp, [rdx]
	je .host_rsp_current
	mov [rdx], rsp
	mov eax, VMCS_HOST_RSP
	vmwrite rax, rsp
.host_rsp_current:
	test esi, esi                   ; flags survive the MOVs below
	mov rax, [rdi + VM_REGS_RAX]
	LOAD_GUEST_GPRS_FROM_RDI
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:                                ; CF=1 VMfailInvalid, ZF=1 VMfailValid (SDM 31.2)
	pop rdi
	mov eax, 2
	jnc world_switch_return
	mov eax, 1
	jmp world_switch_return
global vmx_world_switch_exit
vmx_world_switch_exit:
	push rcx
	mov rcx, [rsp + 8]
	mov [rcx + VM_REGS_RAX], rax
	pop rax
	mov [rcx + VM_REGS_RCX], rax
	STORE_GUEST_GPRS_TO rcx
	pop rdi
	xor eax, eax
world_switch_return:
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
