/* The lab's scenarios (docs/lab.md "Scenario format"): limits, components, context
   kinds, events, the memory a scenario and its runs live in, the parser and the
   shipped scenarios. Portable. */
#ifndef FPULAB_LAB_SCENARIO_H
#define FPULAB_LAB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_MAX_CPUS 64
#define LAB_SIGNAL_DEPTH 4   /* signal handlers nest at most this deep */
#define LAB_STATE_LEVELS (1 + LAB_SIGNAL_DEPTH)   /* a context's state and its handlers' */
/* Context ids are part of the workload's signatures (lab/engine.c): 13 bits. */
#define LAB_MAX_CONTEXTS 8191u
#define LAB_NONE 0xffffu     /* no context */
#define LAB_NO_CPU 0xffu     /* no CPU */
#define LAB_NAME_SIZE 32
#define LAB_SCENARIO_NAME_SIZE 48
#define LAB_MAX_ASSUMPTIONS 8
#define LAB_ASSUMPTION_SIZE 48

/* Simulated state components (a compact numbering, not XCR0 bit positions). */
enum lab_component {
	LAB_X87, LAB_SSE, LAB_AVX, LAB_OPMASK, LAB_ZMM_HI256, LAB_HI16_ZMM, LAB_TILECFG, LAB_TILEDATA,
	LAB_COMPONENTS
};
#define LAB_MASK_LEGACY ((1u << LAB_X87) | (1u << LAB_SSE) | (1u << LAB_AVX))
#define LAB_MASK_AVX512 ((1u << LAB_OPMASK) | (1u << LAB_ZMM_HI256) | (1u << LAB_HI16_ZMM))
#define LAB_MASK_AMX ((1u << LAB_TILECFG) | (1u << LAB_TILEDATA))
#define LAB_MASK_XFD (1u << LAB_TILEDATA)          /* the XFD-capable component */
#define LAB_MASK_ALL ((1u << LAB_COMPONENTS) - 1u)

enum lab_context_kind {
	LAB_USER,        /* a user task */
	LAB_KTHREAD,     /* a kernel thread (FPU only through kernel_fpu_begin) */
	LAB_IDLE,        /* the idle task */
	LAB_VMM,         /* the vCPU thread; its own state is the VMM's user-space state */
	LAB_GUEST,       /* the guest half of that vCPU: the host's buffer of the guest state */
	LAB_GUEST_USER,  /* a task inside the guest */
	LAB_GUEST_IDLE,  /* the guest's idle task */
	LAB_CONTEXT_KINDS
};

enum lab_event_type {
	LAB_EV_SWITCH, LAB_EV_USE, LAB_EV_KFPU_BEGIN, LAB_EV_KFPU_END, LAB_EV_RETURN_USER,
	LAB_EV_KVM_RUN, LAB_EV_VM_ENTRY, LAB_EV_VM_EXIT, LAB_EV_KVM_RETURN, LAB_EV_GUEST_SWITCH,
	LAB_EV_HALT, LAB_EV_WAKE, LAB_EV_SIGNAL, LAB_EV_SIGRETURN, LAB_EV_MIGRATE, LAB_EV_MEASURE,
	LAB_EV_SYSCALL, LAB_EV_FORK, LAB_EV_EXIT, LAB_EV_EXEC,
	LAB_EVENT_TYPES
};

enum lab_exit_reason { LAB_EXIT_HLT, LAB_EXIT_MMIO, LAB_EXIT_CPUID, LAB_EXIT_IO, LAB_EXIT_INTR,
		       LAB_EXIT_NM, LAB_EXIT_MSR, LAB_EXIT_REASONS };

/* switch's arg: the context is switched in and blocks again before it returns to user
   space (`switch CPU CTX kernel`). */
#define LAB_SWITCH_IN_KERNEL 1u

struct lab_event {
	uint8_t type;
	uint8_t cpu;
	uint8_t arg;         /* vm-exit: reason; kfpu-begin: 1 = softirq; switch: LAB_SWITCH_IN_KERNEL */
	uint8_t unused;
	uint16_t context;    /* switch, guest-switch, migrate: the context; fork: the child */
	uint16_t mask;       /* use: components; switch/guest-switch with uses-fpu: != 0 */
	uint32_t line;       /* source line */
};

struct lab_context_decl {
	char name[LAB_NAME_SIZE];
	uint8_t kind;
	uint16_t domain;     /* protection domain: contexts with the same may read each other's state */
};

struct lab_scenario_context;   /* lab/lab_model.h */
struct lab_context_state;      /* lab/lab_machine.h */
struct lab_sim_area;           /* lab/lab_fpu.h */
struct lab_action;             /* lab/lab_run.h */
struct lab_oracle_id;

/* The memory a scenario of up to `contexts` contexts and `events` events and every run
   of it use: all of it is the caller's (the lab allocates nothing). docs/lab.md
   "Memory" gives the bytes; LAB_STORAGE_DEFINE makes static storage. */
struct lab_storage {
	unsigned contexts, events;
	struct lab_context_decl *decl;            /* [contexts] the scenario's contexts */
	struct lab_event *event;                  /* [events] its events */
	struct lab_scenario_context *model;       /* [contexts] the event model's per-context state */
	struct lab_context_state *state;          /* [contexts] the machine's */
	struct lab_sim_area *area;                /* [LAB_STATE_LEVELS * contexts] the simulated FPU's
						     buffers, then the frames of each handler level */
	struct lab_action *action;                /* [events] the oracle's actions */
	struct lab_oracle_id *oracle;             /* [LAB_STATE_LEVELS * contexts] the oracle's per-state
						     bookkeeping: the context's, its handlers' */
};

#define LAB_STORAGE_DEFINE(name, contexts_, events_)                                               \
	static struct lab_context_decl name##_decl[contexts_];                                     \
	static struct lab_event name##_event[events_];                                             \
	static struct lab_scenario_context name##_model[contexts_];                                \
	static struct lab_context_state name##_state[contexts_];                                   \
	static struct lab_sim_area name##_area[LAB_STATE_LEVELS * (contexts_)];                    \
	static struct lab_action name##_action[events_];                                           \
	static struct lab_oracle_id name##_oracle[LAB_STATE_LEVELS * (contexts_)];                 \
	static struct lab_storage name = { contexts_, events_, name##_decl, name##_event,          \
					   name##_model, name##_state, name##_area, name##_action,  \
					   name##_oracle }

struct lab_scenario {
	char name[LAB_SCENARIO_NAME_SIZE];
	unsigned cpus;
	unsigned contexts;
	struct lab_context_decl *context;   /* storage->decl */
	unsigned events;
	struct lab_event *event;            /* storage->event */
	const struct lab_storage *storage;
	/* `assume NAME VALUE` and `source NAME` directives: what a converted trace could
	   not know (docs/lab.md "Scenarios from traces"). */
	unsigned assumptions;
	char assumption[LAB_MAX_ASSUMPTIONS][LAB_ASSUMPTION_SIZE];
	char source[LAB_SCENARIO_NAME_SIZE];
};

/* ---- parser (lab/scenario_parser.c) ---- */
struct lab_parse_error {
	unsigned line;
	char message[96];
};
/* Starts an empty scenario (the predeclared contexts only) in storage. */
void lab_scenario_begin(struct lab_scenario *scenario, const char *name, const struct lab_storage *storage);
/* Returns 0, or -1 with error filled (line numbers from 1). */
int lab_scenario_parse(const char *name, const char *text, struct lab_scenario *scenario,
		       const struct lab_storage *storage, struct lab_parse_error *error);
/* One more line of text (lab_scenario_begin first); 0 or -1 with error. */
int lab_scenario_parse_line(struct lab_scenario *scenario, const char *line, size_t length,
			    unsigned line_number, struct lab_parse_error *error);
/* The context named name, or -1. */
int lab_scenario_find_context(const struct lab_scenario *scenario, const char *name);
/* One event as a line of the scenario format (no newline); returns its length. */
size_t lab_event_format(const struct lab_scenario *scenario, const struct lab_event *event, char *text, size_t size);
const char *lab_event_name(unsigned type);
const char *lab_context_kind_name(unsigned kind);
const char *lab_exit_reason_name(unsigned reason);

/* ---- the shipped scenarios (lab/scenarios.c) ---- */
struct lab_scenario_text {
	const char *name;
	const char *text;
};
/* The nine of docs/policies.md: every configuration runs on each (the matrix). */
extern const struct lab_scenario_text lab_scenarios[];
extern const unsigned lab_scenario_count;
/* More scenarios, for the event kinds real traces need (fork, exit, exec, a switch-in
   that blocks again): the mutants and the host tests run them, the matrix does not. */
extern const struct lab_scenario_text lab_extra_scenarios[];
extern const unsigned lab_extra_scenario_count;
/* Either list's scenario called name, or 0. */
const char *lab_scenario_text_of(const char *name);

#endif
