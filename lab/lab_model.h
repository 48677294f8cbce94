/* The one model of what each scenario event does (docs/lab.md "Events"): the
   scheduling state every event acts on, the checks that reject an event that makes no
   sense, and the effects each event has, in order. The engine (lab/engine.c) turns the
   effects into policy calls and register operations; the oracle (lab/oracle.c) turns
   the same effects into its actions. Portable. */
#ifndef FPULAB_LAB_MODEL_H
#define FPULAB_LAB_MODEL_H

#include "lab/lab_scenario.h"

/* A host thread's mode. */
enum lab_mode { LAB_MODE_KERNEL, LAB_MODE_USER, LAB_MODE_RUNLOOP, LAB_MODE_GUEST };

enum lab_effect_type {
	LAB_FX_MEASURE,       /* counting starts */
	LAB_FX_SCHED_OUT,     /* the vCPU thread leaves cpu inside its run loop */
	LAB_FX_SWITCH,        /* the host scheduler switches cpu from ctx to other (current: still ctx) */
	LAB_FX_SCHED_IN,      /* the vCPU thread comes back to cpu inside its run loop */
	LAB_FX_RETURN_USER,   /* ctx returns to user space (dom 1: a guest task inside the guest) */
	LAB_FX_USE,           /* ctx (in dom) executes FP instructions touching mask */
	LAB_FX_CLOBBER,       /* kernel FP code on cpu overwrites mask */
	LAB_FX_KFPU_BEGIN,    /* kernel_fpu_begin on cpu (arg 1: softirq) */
	LAB_FX_KFPU_END,      /* kernel_fpu_end on cpu; arg 1: the softirq had interrupted user space */
	LAB_FX_SIGNAL,        /* a signal is delivered to ctx */
	LAB_FX_SIGRETURN,     /* ctx's handler returns */
	LAB_FX_KVM_RUN, LAB_FX_VM_ENTRY, LAB_FX_VM_EXIT, LAB_FX_KVM_RETURN,   /* vm-exit: arg reason */
	LAB_FX_GUEST_SWITCH,  /* the guest's scheduler: ctx to other */
	LAB_FX_FORK,          /* ctx forks other: other's state is a copy of ctx's */
	LAB_FX_EXIT,          /* ctx exits (it stays current until the next switch) */
	LAB_FX_EXEC,          /* ctx's state becomes the init state */
	LAB_FX_TYPES
};

struct lab_effect {
	uint8_t type, dom, cpu, arg;
	uint16_t ctx, other;
	uint32_t mask;
};

/* Per context. */
struct lab_scenario_context {
	uint8_t mode;        /* lab_mode, host threads */
	uint8_t depth;       /* the signal handlers it is inside (up to LAB_SIGNAL_DEPTH) */
	uint8_t alive;       /* not exited (or forked again since) */
	uint8_t ran;         /* switched to since it was born */
	uint8_t last_cpu;    /* where the thread last ran */
};

/* A vCPU: the k-th `vmm` context (its thread) and the k-th `guest` one (its state). Each
   has its own view of the guest kernel: one guest CPU, its own current guest task. */
#define LAB_MAX_VCPUS 8
struct lab_vcpu {
	uint16_t vmm, guest;
	uint16_t guest_current;             /* context running inside its guest */
	uint8_t cpu;                        /* where its thread last ran */
};

struct lab_model {
	const struct lab_scenario *scenario;
	struct lab_scenario_context *ctx;   /* [scenario->contexts], the storage's */
	unsigned cpus, step;
	uint16_t current[LAB_MAX_CPUS];     /* host thread on each CPU */
	uint8_t in_kfpu[LAB_MAX_CPUS];      /* 1: inside kfpu-begin/end; 2: inside, refused */
	uint8_t kfpu_interrupted_user[LAB_MAX_CPUS];
	struct lab_vcpu vcpu[LAB_MAX_VCPUS];
	unsigned vcpus;
	/* The vCPU the event being applied concerns (the one whose thread runs on its CPU,
	   or is switched in or out) and its two halves (LAB_NONE without a vCPU); the
	   receiver acts for it. */
	unsigned selected;
	uint16_t vmm, guest;
	char error[96];                     /* the first event that made no sense */
	/* The receiver: every effect, with the state as of that moment; and whether
	   kernel_fpu_begin is refused on cpu now (irq_fpu_usable() false: the kernel's
	   FP code falls back to integer code, nothing is clobbered). */
	void *receiver;
	void (*effect)(void *receiver, const struct lab_effect *effect);
	bool (*kfpu_refused)(void *receiver, unsigned cpu);
};

void lab_model_init(struct lab_model *model, const struct lab_scenario *scenario, void *receiver,
		    void (*effect)(void *, const struct lab_effect *), bool (*kfpu_refused)(void *, unsigned));
/* Applies event step: 0, or -1 with model->error ("line N: what"). */
int lab_model_step(struct lab_model *model, unsigned step);
/* Who executes FP instructions on cpu now (a user context, the VMM, the current guest
   task, a handler), or LAB_NONE; *dom: 1 inside the guest. */
unsigned lab_model_executing(const struct lab_model *model, unsigned cpu, unsigned *dom);
unsigned lab_model_kind(const struct lab_model *model, unsigned ctx);
/* The selected vCPU's current guest task, and the CPU its thread last ran on. */
unsigned lab_model_guest_current(const struct lab_model *model);
unsigned lab_model_vcpu_cpu(const struct lab_model *model);
bool lab_kind_is_user(unsigned kind);

#endif
