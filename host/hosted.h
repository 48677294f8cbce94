/* The hosted build's own glue (the files in host/): fpulab's user-mode subset as a Linux program. */
#ifndef FPULAB_HOSTED_H
#define FPULAB_HOSTED_H

#include <stdint.h>

/* Signal handlers that feed kernel/arch/trap.c (host/hosted_traps.c). */
void hosted_traps_init(void);
/* From the SIGALRM handler: the armed deadline has passed. */
void hosted_watchdog_expired(void);
/* MOV from CRn for the hosted build (host/hosted_arch.h). */
uint64_t hosted_read_control_register(unsigned number);

#endif
