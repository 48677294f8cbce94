/* What guest payloads may use: plain C compiled with the kernel's flags, plus one
   instruction at a time in inline assembly. */
#ifndef FPULAB_VM_GUEST_H
#define FPULAB_VM_GUEST_H

#include <stdint.h>

extern int vm_guest_uses_vmmcall;   /* set by the implementation: VMCALL or VMMCALL */

static inline uint64_t vm_guest_hypercall(uint64_t number, uint64_t argument)
{
	uint64_t result = number;
	if (vm_guest_uses_vmmcall)
		__asm__ volatile("vmmcall" : "+a"(result) : "b"(argument) : "memory");
	else
		__asm__ volatile("vmcall" : "+a"(result) : "b"(argument) : "memory");
	return result;
}

#endif
