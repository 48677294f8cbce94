/* What the test runner and the timing harness need from the platform they run on,
   around each test and each measured window. The kernel's side (kernel/runner_platform.c)
   masks interrupts, arms the NMI watchdog and quiets the APIC and PIC; the hosted build's
   (host/hosted_platform.c) arms SIGALRM and leaves interrupts to Linux. */
#ifndef FPULAB_RUNNER_PLATFORM_H
#define FPULAB_RUNNER_PLATFORM_H

#include <stdint.h>

/* Before a test: returns what runner_platform_after_test needs to undo. */
uint64_t runner_platform_before_test(uint32_t timeout_milliseconds);
/* After it, aborted = 1 when a trap or the watchdog ended it. */
void runner_platform_after_test(uint64_t saved, int aborted);
/* First step of a bail-out: nothing may interrupt the final output. */
void runner_platform_bail_out_begin(void);
/* Ends the run with status (0, 1 or 2) after the plan and end marker were printed. */
__attribute__((noreturn)) void runner_platform_end(int status);
/* Ends the run at once, saving nothing (a fault while bailing out). */
__attribute__((noreturn)) void runner_platform_stop(int status);

/* The timing harness's quiet window (support/harness.h): masks the local APIC's LVT
   entries (except the watchdog's timer) and the legacy PIC; restore undoes it. */
void harness_quiesce(void);
void harness_restore(void);

#endif
