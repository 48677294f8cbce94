#ifndef FPULAB_TRAP_FRAME_H
#define FPULAB_TRAP_FRAME_H

#include <stdint.h>

/* What interrupt_entry.asm pushes, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

#endif
