; Start-up code for the second CPU (docs/smp.md). The BSP copies ap_start_code to a
; page below 1 MiB, fills the block at AP_START_BLOCK (struct ap_start_block in
; smp.c) and sends INIT-SIPI-SIPI with that page as the start vector. The AP
; begins in real mode at CS:IP = page:0 (SDM Vol. 3A, 9.4.4), goes through protected
; mode with paging off to long mode on the BSP's page tables (SDM Vol. 3A, 10.8.5),
; and jumps to the C entry on its own stack. Each step writes its number to `stage`,
; so a CPU that stops half-way is reported with where it stopped.
; Only the first AP to arrive (ticket 0) goes on; any other parks itself here.

%define AP_START_BLOCK   0x800
%define BLOCK_CR3        AP_START_BLOCK + 0
%define BLOCK_STAGE      AP_START_BLOCK + 4
%define BLOCK_ENTRY      AP_START_BLOCK + 8
%define BLOCK_STACK      AP_START_BLOCK + 16
%define BLOCK_ARGUMENT   AP_START_BLOCK + 24
%define BLOCK_TICKET     AP_START_BLOCK + 32
%define BLOCK_CR4        AP_START_BLOCK + 36
%define BLOCK_EFER       AP_START_BLOCK + 40
%define BLOCK_GDTR       AP_START_BLOCK + 80
%define BLOCK_FAR32      AP_START_BLOCK + 88
%define BLOCK_FAR64      AP_START_BLOCK + 96
%define SELECTOR_DATA    0x10

global ap_start_code, ap_start_code_end, ap_start_protected_offset, ap_start_long_offset

section .text
bits 16
ap_start_code:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4                              ; ebx = the page's physical address
	mov dword [BLOCK_STAGE], 1
	o32 lgdt [BLOCK_GDTR]
	mov eax, cr0
	or eax, 1                               ; CR0.PE
	mov cr0, eax
	jmp dword far [BLOCK_FAR32]

bits 32
protected_mode:
	mov ax, SELECTOR_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov dword [ebx + BLOCK_STAGE], 2
	mov eax, [ebx + BLOCK_CR4]              ; CR4.PAE and friends
	mov cr4, eax
	mov eax, [ebx + BLOCK_CR3]
	mov cr3, eax
	mov ecx, 0xc0000080                     ; IA32_EFER: LME (and NXE, SCE as the BSP)
	mov eax, [ebx + BLOCK_EFER]
	mov edx, [ebx + BLOCK_EFER + 4]
	wrmsr
	mov eax, cr0
	or eax, 0x80000001                      ; CR0.PG: long mode becomes active
	mov cr0, eax
	jmp dword far [ebx + BLOCK_FAR64]

bits 64
long_mode:
	mov ebx, ebx
	mov dword [rbx + BLOCK_STAGE], 3
	mov eax, 1
	lock xadd [rbx + BLOCK_TICKET], eax
	test eax, eax
	jnz .surplus
	mov rsp, [rbx + BLOCK_STACK]
	mov rdi, [rbx + BLOCK_ARGUMENT]
	mov rax, [rbx + BLOCK_ENTRY]
	push 0                                  ; as if called: the ABI's stack alignment
	jmp rax
.surplus:
	cli
	hlt
	jmp .surplus
ap_start_code_end:

section .rodata
align 4
ap_start_protected_offset: dd protected_mode - ap_start_code
ap_start_long_offset:      dd long_mode - ap_start_code

section .note.GNU-stack noalloc noexec nowrite progbits
