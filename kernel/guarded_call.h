/* Runs a function so that an exception, or the watchdog, ends the function instead
   of the kernel: the trap handler records a decoded dump and resumes the caller. */
#ifndef FPULAB_GUARDED_CALL_H
#define FPULAB_GUARDED_CALL_H

#include <stdint.h>

struct trap_frame;

struct guarded_call {
	uint64_t saved_stack_pointer;   /* first: interrupt_entry.asm stores it here */
	struct guarded_call *previous;
	const char *name;               /* test name for the dump */
	int vector;                     /* the trap that ended it, -1 for none */
	unsigned trap_depth;            /* the CPU's trap depth when it began */
	char reason[160];
	char dump[2560];                /* TAP 14 YAML block, ready to print */
};

/* Returns 0 when function returned, 1 when a trap ended it. Calls nest; each CPU has
   its own current call (kernel/arch/per_cpu.h). */
int guarded_call_run(struct guarded_call *call, const char *name,
		     void (*function)(void *), void *argument);
int guarded_call_active(void);
/* From trap_dispatch: fill this CPU's current call's reason and dump and make the
   frame return into the caller of guarded_call_run. */
void guarded_call_abort(struct trap_frame *frame, const char *reason);

/* YAML dump of a trap frame and the control registers, one "  key: value" a line. */
void trap_frame_format_dump(const struct trap_frame *frame, const char *test_name,
			    const char *message, char *buffer, unsigned long size);
const char *exception_name(uint64_t vector);

#endif
