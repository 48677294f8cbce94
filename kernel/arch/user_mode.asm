; A round trip through ring 3: IRETQ to a stub at CPL 3 that executes UD2. The #UD
; brings the CPU back to ring 0 on the TSS's RSP0 stack, and the trap handler ends
; the enclosing guarded call (kernel/guarded_call.c), which is how the caller resumes.
default rel
bits 64

global enter_user_mode_and_trap

; void enter_user_mode_and_trap(uint64_t user_stack_top, uint16_t code_selector,
;                               uint16_t data_selector)
enter_user_mode_and_trap:
	movzx edx, dx
	movzx esi, si
	push rdx                        ; SS
	push rdi                        ; RSP
	push 0x2                        ; RFLAGS: interrupts stay masked
	push rsi                        ; CS
	lea rax, [user_stub]
	push rax                        ; RIP
	iretq

user_stub:
	ud2

section .note.GNU-stack noalloc noexec nowrite progbits
