/* The second CPU (docs/smp.md): started once at boot with INIT-SIPI-SIPI, then idle in
   HLT until the BSP hands it a function. A fault on it ends that function, not the
   kernel; a function that does not return in time costs the CPU (it gets INIT). */
#ifndef FPULAB_SMP_H
#define FPULAB_SMP_H

#include <stdint.h>
#include "arch/per_cpu.h"

struct boot_info;
struct json_writer;

#define SMP_MAX_CPUS PER_CPU_MAX
#define SMP_WAKE_VECTOR 0xf1    /* "there is work": the AP's HLT ends */
#define SMP_PING_VECTOR 0xf2    /* the IPI round-trip benchmark's interrupt */

enum smp_call_status {
	SMP_CALL_DONE = 0,
	SMP_CALL_NO_CPU = -1,       /* no second CPU (smp_unavailable says why) */
	SMP_CALL_TIMEOUT = -2,      /* did not return in time; the CPU is lost */
	SMP_CALL_FAULT = -3,        /* a trap ended it: smp_fault_dump */
};

/* Starts the second CPU if the machine has one. Needs the APIC, our tables and page
   tables, the FPU baseline and the TSC frequency. */
void smp_init(const struct boot_info *boot);
/* Why there is no usable second CPU, or 0 when there is. */
const char *smp_unavailable(void);
uint32_t smp_second_cpu_apic_id(void);
/* Runs function(argument) on the second CPU with interrupts masked and waits up to
   timeout_milliseconds for it to return; then the CPU gets NMIs (which end a guest
   past its time limit there) for two more seconds before it is stopped. */
enum smp_call_status smp_call(void (*function)(void *), void *argument, uint32_t timeout_milliseconds);
/* The same in two steps, for work the BSP does while the second CPU runs: post
   (-1 when there is no second CPU), then wait. */
int smp_post(void (*function)(void *), void *argument);
enum smp_call_status smp_wait(uint32_t timeout_milliseconds);
/* After SMP_CALL_FAULT: the trap's reason and its decoded YAML dump. */
const char *smp_fault_reason(void);
const char *smp_fault_dump(void);
/* NMIs sent to the second CPU after a call's deadline. */
uint64_t smp_deadline_nmis(void);
/* SMP_PING_VECTOR interrupts the second CPU has taken. */
uint64_t smp_pings_received(void);
/* The cpu record's "smp" object. */
void smp_write_record(struct json_writer *writer);
/* Stops the second CPU: an NMI makes it leave VMX/SVM and halt, then INIT (before
   control goes back to the firmware, or when it is lost). */
void smp_stop(void);
/* 1 once the second CPU took smp_stop's NMI and halted. */
int smp_stopped_in_its_handler(void);

#endif
