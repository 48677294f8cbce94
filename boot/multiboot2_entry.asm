; Multiboot2 entry: GRUB jumps here in 32-bit protected mode, paging off, with
; EAX = 0x36d76289 and EBX = physical address of the boot information.
; This stub identity-maps the first 4 GiB with 2 MiB pages, enters long mode and
; calls multiboot2_main(magic, info). Only the multiboot2 ELF links this file, at a
; fixed address below 4 GiB, so absolute 32-bit addresses are fine here.

MULTIBOOT2_MAGIC        equ 0xE85250D6
MULTIBOOT2_ARCH_I386    equ 0
BOOT_STACK_SIZE         equ 65536

section .multiboot2_header
align 8
header_start:
	dd MULTIBOOT2_MAGIC
	dd MULTIBOOT2_ARCH_I386
	dd header_end - header_start
	dd 0x100000000 - (MULTIBOOT2_MAGIC + MULTIBOOT2_ARCH_I386 + (header_end - header_start))
	align 8
	dw 0, 0                 ; end tag
	dd 8
header_end:

section .bss
align 4096
boot_pml4:      resb 4096
boot_pdpt:      resb 4096
boot_pd:        resb 4096 * 4
boot_stack:     resb BOOT_STACK_SIZE
boot_stack_top:
saved_magic:    resd 1
saved_info:     resd 1

section .data
align 16
boot_gdt:
	dq 0
	dq 0x00AF9A000000FFFF   ; 0x08: 64-bit code
	dq 0x00CF92000000FFFF   ; 0x10: data
boot_gdt_end:
boot_gdt_pointer:
	dw boot_gdt_end - boot_gdt - 1
	dq boot_gdt

no_long_mode_message: db "fpulab: this CPU has no 64-bit long mode", 13, 10, 0

section .text.boot32 progbits alloc exec nowrite
bits 32
global multiboot2_entry
extern bss_start, bss_end
multiboot2_entry:
	cli
	cld
	mov esi, eax
	mov edi, bss_start              ; zero .bss (page tables and stack live there)
	mov ecx, bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb
	mov [saved_magic], esi
	mov [saved_info], ebx
	mov esp, boot_stack_top

	mov eax, 0x80000000             ; long mode present? (CPUID.80000001H:EDX[29])
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	bt edx, 29
	jnc .no_long_mode

	mov eax, boot_pdpt + 3          ; PML4[0] -> PDPT
	mov [boot_pml4], eax
	mov edi, boot_pdpt              ; PDPT[0..3] -> the four page directories
	mov eax, boot_pd + 3
	mov ecx, 4
.fill_pdpt:
	mov [edi], eax
	add eax, 4096
	add edi, 8
	loop .fill_pdpt
	mov edi, boot_pd                ; 2048 entries of 2 MiB: 0 .. 4 GiB
	mov eax, 0x83                   ; present, writable, page size
	xor edx, edx
	mov ecx, 2048
.fill_pd:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .fill_pd

	mov eax, cr4
	or eax, 1 << 5                  ; CR4.PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, 0xC0000080             ; IA32_EFER.LME
	rdmsr
	or eax, 1 << 8
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | 1           ; CR0.PG | CR0.PE
	mov cr0, eax
	lgdt [boot_gdt_pointer]
	jmp 0x08:long_mode_entry

.no_long_mode:                          ; say so on COM1, then stop
	mov esi, no_long_mode_message
.next_byte:
	lodsb
	test al, al
	jz .halt
	mov ah, al
	mov dx, 0x3FD
.wait_transmitter:
	in al, dx
	test al, 0x20
	jz .wait_transmitter
	mov dx, 0x3F8
	mov al, ah
	out dx, al
	jmp .next_byte
.halt:
	hlt
	jmp .halt

bits 64
extern multiboot2_main
long_mode_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	mov edi, [saved_magic]
	mov esi, [saved_info]
	call multiboot2_main
.halt:
	cli
	hlt
	jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
