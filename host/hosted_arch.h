/* Forced into every kernel and bench source the hosted build compiles (-include, see
   host/host.mk). Control registers cannot be read in ring 3 (MOV from CRn is #GP), so
   the reads that end up in fault dumps (guarded_call.c) go to hosted_read_control_register
   instead: CR2 is the fault address of the signal being handled, the others read 0.
   Everything else in arch/x86.h stays what it is. */
#ifndef FPULAB_HOSTED_ARCH_H
#define FPULAB_HOSTED_ARCH_H

#include "arch/x86.h"

uint64_t hosted_read_control_register(unsigned number);

#define read_cr0() hosted_read_control_register(0)
#define read_cr2() hosted_read_control_register(2)
#define read_cr3() hosted_read_control_register(3)
#define read_cr4() hosted_read_control_register(4)

#endif
