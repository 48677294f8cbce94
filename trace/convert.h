/* The converter's own state (trace/convert.c, trace/convert_tasks.c): the tasks of a
   capture and the scenario being written. Not for the other parts of the tool. */
#ifndef FPULAB_TRACE_CONVERT_H
#define FPULAB_TRACE_CONVERT_H

#include "trace/trace.h"

enum task_mode { MODE_KERNEL, MODE_USER, MODE_RUNLOOP, MODE_GUEST };

/* What the next x86_fpu_regs_activated of a task belongs to. */
enum task_open { OPEN_NONE, OPEN_SIGNAL, OPEN_SIGRETURN, OPEN_EXEC };

/* One life of one pid (a pid forked again after its exit is a new task). */
struct task {
	int32_t pid, tgid;
	uint16_t ctx;            /* its lab context */
	uint8_t kind;            /* LAB_USER, LAB_KTHREAD, LAB_IDLE, LAB_VMM */
	uint8_t mode;            /* task_mode, as the capture shows it */
	uint8_t returned;        /* has returned to user space since its switch-in */
	uint8_t depth, nested;   /* signal handlers it is inside; those nested deeper than
				    LAB_SIGNAL_DEPTH (not modelled) */
	uint8_t alive, exited;
	uint8_t moved;           /* switched in on another CPU than it last ran on */
	uint8_t tif_known;       /* its TIF_NEED_FPU_LOAD is known (not so for a task running at the start) */
	uint8_t open;            /* task_open */
	uint8_t in_entry;        /* VMM: a vm-entry whose reload has not been seen yet */
	uint8_t guest_started;   /* VMM: the guest task was switched to */
	uint8_t vcpu;            /* VMM: which vCPU of the lab (0: vmm, guest, guest-task) */
	int16_t last_cpu;        /* where it last ran */
	int16_t fpu_cpu;         /* Linux's fpu->last_cpu as the capture shows it; -1 */
	uint32_t open_step, entry_step;
	char name[LAB_NAME_SIZE];
};

struct cpu_view {
	int32_t current;         /* task, -1 unknown */
	int32_t owner;           /* Linux's fpu_fpregs_owner_ctx as the capture shows it; -1 */
	uint8_t owner_known;     /* a restore on it was seen */
	uint32_t switch_step;    /* the last switch on it (its save follows at once) */
	int32_t switch_prev;     /* the task switched out there */
	size_t last_record;      /* the last record on it */
};

struct converter {
	const struct trace_capture *capture;
	const struct trace_convert_options *options;
	uint64_t random;                       /* the user slices' draw (options->fpu_use_percent < 100) */
	struct trace_conversion *out;
	struct task *task;
	size_t tasks;
	int32_t *record_task, *record_other;   /* per record: the task of its pid, of its other pid */
	int32_t vmm;                           /* the first vCPU thread's task, -1 */
	unsigned vcpus;                        /* vCPU threads (up to LAB_MAX_VCPUS; more: not modelled) */
	struct cpu_view cpu[LAB_MAX_CPUS];
	struct lab_model model;                /* every event is checked as it is written */
	unsigned text_line;
	char *header;                          /* the scenario's directives, as text */
	size_t header_size, header_used;
};

/* Pass 1 (trace/convert_tasks.c): the tasks, their contexts and the directives. */
int convert_tasks(struct converter *cv);
/* Writes one directive or event line; an event: its step, or -1 when the lab's event
   model rejects it (counted as unsupported, at trace line). */
int convert_line(struct converter *cv, unsigned class, uint32_t trace_line, const char *format, ...)
	__attribute__((format(printf, 4, 5)));
/* The task index of the idle task of cpu. */
int32_t convert_idle_task(const struct converter *cv, unsigned cpu);

#endif
