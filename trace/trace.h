/* tools/fpulab-trace's C side (docs/tracing.md): a capture of Linux's scheduler,
   signal, system-call, x86_fpu and KVM tracepoints, its conversion into a lab
   scenario, the validation of the lab's model of Linux against it, and its replay
   through every policy. Host code (libc); the lab itself is the portable lab/. */
#ifndef FPULAB_TRACE_H
#define FPULAB_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lab/lab.h"

enum trace_event {
	TRACE_OTHER, TRACE_SWITCH, TRACE_MIGRATE, TRACE_FORK, TRACE_EXIT, TRACE_EXEC, TRACE_SIGNAL,
	TRACE_SYS_ENTER, TRACE_FPU_ACTIVATED, TRACE_FPU_DEACTIVATED, TRACE_FPU_COPY_DST, TRACE_FPU_DROPPED,
	TRACE_FPU_OTHER, TRACE_KVM_FPU, TRACE_KVM_ENTRY, TRACE_KVM_EXIT, TRACE_KVM_USERSPACE_EXIT,
	TRACE_EVENTS
};

/* A piece of the capture's text. */
struct trace_text {
	uint32_t offset, length;
};

/* One event line of a capture. */
struct trace_record {
	uint32_t line;            /* in the capture file, from 1 */
	uint16_t cpu;
	uint8_t type;             /* trace_event */
	char flags[6];            /* the irqs-off/BH/... column ("" when absent) */
	int32_t pid, tgid;        /* tgid: -1 when not recorded */
	struct trace_text comm;   /* the TASK column's name */
	/* what the event says */
	int32_t other_pid;        /* switch: next_pid; fork: child_pid; migrate: dest_cpu */
	int32_t number;           /* sys_enter: NR; signal: sig; x86_fpu: load; kvm_fpu: 1 load, 0 unload */
	uint64_t argument;        /* sys_enter: the second argument; x86_fpu: xfeatures; signal: sa_handler */
	char state[4];            /* switch: prev_state */
	struct trace_text other_comm;   /* switch: next_comm; fork: child_comm */
};

struct trace_capture {
	char *text;               /* the whole file */
	size_t size;
	struct trace_record *record;
	size_t records;
	unsigned cpus;
	char kernel[64];          /* uname -r, or "" */
	char source[LAB_SCENARIO_NAME_SIZE];   /* the file's name, for the records */
	unsigned long long lost;  /* events the buffer lost */
	int32_t *kthread;         /* sorted pids of kernel threads (and user workers) */
	size_t kthreads;
	int kthreads_known;       /* 0: the capture does not say (trace-cmd) */
	unsigned unparsed;        /* event lines not understood */
	char error[160];
};

/* Reads path ("-": standard input); 0, or -1 with capture->error. */
int trace_capture_load(struct trace_capture *capture, const char *path);
/* The same from text (taken over: freed by trace_capture_free). */
int trace_capture_parse(struct trace_capture *capture, char *text, size_t size, const char *source);
void trace_capture_free(struct trace_capture *capture);
/* Parses one event line; 0, or -1 when it is not one. */
int trace_record_parse(const char *text, size_t length, struct trace_record *record, uint32_t base);
int trace_is_kthread(const struct trace_capture *capture, int32_t pid);
/* "5.2.0-1" -> 502; 0 when unknown. */
unsigned trace_kernel_version(const struct trace_capture *capture);
/* The trace line n (from 1), without its newline, into buffer. */
const char *trace_line(const struct trace_capture *capture, uint32_t n, char *buffer, size_t size);
const char *trace_event_name(unsigned type);

/* ---- conversion (trace/convert.c) ---- */

/* The classes of the validation table. */
enum trace_class {
	CLASS_SWITCH, CLASS_RETURN, CLASS_SIGNAL, CLASS_MIGRATION, CLASS_KERNEL_FPU, CLASS_KVM, CLASS_FORK,
	CLASS_COUNT
};

/* What one scenario step came from and what Linux did there. */
struct trace_step {
	uint32_t line;            /* the trace line it came from (0: none) */
	uint32_t fpu_line;        /* the first x86_fpu line attached to it */
	uint8_t class;            /* trace_class */
	uint8_t saves, restores;  /* Linux's: x86_fpu_regs_deactivated after a switch, _activated */
	uint8_t copies;           /* x86_fpu_copy_dst */
	uint8_t unknown;          /* the state before it is not in the capture: not verifiable */
	uint8_t inferred;         /* kernel FPU use inferred from this restore */
};

/* What the conversion assumes where the capture cannot tell: the share of user slices
   that use the FPU (100: every one, the default), drawn with a generator seeded by
   seed where it is below 100 (docs/tracing.md "From a capture to a scenario"). */
struct trace_convert_options {
	unsigned fpu_use_percent;
	uint32_t seed;
};
extern const struct trace_convert_options trace_convert_defaults;

struct trace_conversion {
	struct lab_scenario scenario;
	struct lab_storage storage;
	struct trace_step *step;          /* [storage.events] */
	unsigned unexplained;             /* x86_fpu events that fit no step */
	uint32_t first_unexplained;       /* its line */
	unsigned inferred_returns;        /* returns to user space told only by a task's save */
	unsigned inferred_kernel_fpu;     /* kernel FPU use assumed (from a restore, or a missing save) */
	unsigned unsupported;             /* events the lab cannot model (handlers nested deeper than 4, second vCPU) */
	uint32_t first_unsupported;
	char *header;                     /* the scenario's directives, as text */
	struct trace_convert_options options;   /* what it was converted with */
	char error[160];
};

/* capture -> scenario (every assumption declared in it); 0, or -1 with error. */
int trace_convert(const struct trace_capture *capture, struct trace_conversion *conversion);
int trace_convert_with(const struct trace_capture *capture, const struct trace_convert_options *options,
		       struct trace_conversion *conversion);
void trace_conversion_free(struct trace_conversion *conversion);
/* The scenario as text, in the lab's format. */
void trace_scenario_write(const struct trace_conversion *conversion, FILE *out);
const char *trace_class_name(unsigned class);

/* ---- validation and replay (trace/validate.c, trace/replay.c) ---- */

/* Validates; prints the table and the first mismatches to out; returns 0 on an exact
   match, 1 otherwise. mutant (or 0) replaces the kernel's model (the mutant tests). */
int trace_validate(const struct trace_capture *capture, const struct trace_conversion *conversion,
		   const struct lab_config *mutant, FILE *out);
/* The kernel's model: deferred + K2 from 5.16, K1 before; 0 when Linux is older than 5.2. */
const struct lab_config *trace_kernel_model(const struct trace_capture *capture, char *why, size_t size);
/* Every configuration and the oracle: a log (TAP 14, lab records, the table), costed
   with lab_weights(); weights_log (or 0 for the defaults) is the log they came from. */
int trace_replay(const struct trace_capture *capture, const struct trace_conversion *conversion,
		 const char *weights_log, FILE *out);
/* The weights of the last `weights` record in the fpulab log at path (trace/weights.c):
   0, or -1 with error when it has none, lacks a weight or makes a save or restore free. */
int trace_weights_load(const char *path, struct lab_cost_weights *weights, char *error, size_t size);

#endif
