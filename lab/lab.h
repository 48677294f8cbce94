/* The policy lab (docs/lab.md): FPU-switching policies as state machines driven by
   scenario traces, run against an FPU backend (here: the exact simulated one), checked
   for corruption and compared with the oracle. Portable: integer arithmetic only, no
   libc, compiled into the kernel, the hosted build and the host unit tests. */
#ifndef FPULAB_LAB_H
#define FPULAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_MAX_CPUS 2
#define LAB_MAX_CONTEXTS 12
#define LAB_MAX_EVENTS 64
#define LAB_NONE 0xff

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
	LAB_EVENT_TYPES
};

enum lab_exit_reason { LAB_EXIT_HLT, LAB_EXIT_MMIO, LAB_EXIT_CPUID, LAB_EXIT_IO, LAB_EXIT_INTR,
		       LAB_EXIT_NM, LAB_EXIT_MSR, LAB_EXIT_REASONS };

struct lab_event {
	uint8_t type;
	uint8_t cpu;
	uint8_t context;     /* switch, guest-switch, migrate: the context */
	uint8_t arg;         /* vm-exit: reason; kfpu-begin: 1 = softirq */
	uint16_t mask;       /* use: components; switch/guest-switch with uses-fpu: != 0 */
	uint16_t line;       /* source line */
};

struct lab_context_decl {
	char name[16];
	uint8_t kind;
};

struct lab_scenario {
	char name[24];
	unsigned cpus;
	unsigned contexts;
	struct lab_context_decl context[LAB_MAX_CONTEXTS];
	unsigned events;
	struct lab_event event[LAB_MAX_EVENTS];
};

/* ---- parser (lab/scenario_parser.c) ---- */
struct lab_parse_error {
	unsigned line;
	char message[96];
};
/* Returns 0, or -1 with error filled (line numbers from 1). */
int lab_scenario_parse(const char *name, const char *text, struct lab_scenario *scenario,
		       struct lab_parse_error *error);

/* ---- the shipped scenarios (lab/scenarios.c) ---- */
struct lab_scenario_text {
	const char *name;
	const char *text;
};
extern const struct lab_scenario_text lab_scenarios[];
extern const unsigned lab_scenario_count;

/* ---- the FPU backend ---- */
struct json_writer;
/* What the workload's check found (lab_fpu_backend.execute). */
struct lab_check {
	uint32_t mismatch;                 /* components that did not hold the expected signature */
	uint32_t found[LAB_COMPONENTS];    /* what they held instead (0: init) */
};

struct lab_fpu_backend {
	const char *name;
	void *self;
	void (*reset)(void *self, unsigned cpus);
	/* XSAVE-like: the registers of cpu (mask: requested-feature bitmap) to ctx's buffer
	   (frame != 0: to ctx's signal frame). Returns the bytes written. */
	uint32_t (*save)(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask);
	/* XRSTOR-like: from ctx's buffer (or frame); components not saved there become init;
	   components armed in IA32_XFD stay init. Returns the bytes read. */
	uint32_t (*restore)(void *self, unsigned cpu, unsigned ctx, int frame, uint32_t mask);
	/* Loads the init state for mask (XRSTOR with XSTATE_BV = 0). */
	void (*restore_init)(void *self, unsigned cpu, uint32_t mask);
	void (*set_ts)(void *self, unsigned cpu);
	void (*clear_ts)(void *self, unsigned cpu);
	void (*write_xfd)(void *self, unsigned cpu, uint32_t xfd);
	void (*write_xfd_err)(void *self, unsigned cpu, uint32_t value);
	void (*xsetbv)(void *self, unsigned cpu, uint32_t xcr0);
	/* The workload: executes FP instructions on cpu touching mask. Returns 0, or
	   1 = #NM because CR0.TS, 2 = #NM because of XFD (XFD_ERR set). Nothing is
	   touched when it faults. On success each component in mask is compared with
	   expect[c] (a differing one: its bit in check->mismatch, the signature it held
	   in check->found[c]) and then overwritten with write[c]. */
	int (*execute)(void *self, unsigned cpu, uint32_t mask, const uint32_t *expect,
		       const uint32_t *write, struct lab_check *check);
	/* Kernel-mode FP code: overwrites mask with junk. */
	void (*clobber)(void *self, unsigned cpu, uint32_t mask, uint32_t junk);
	uint32_t (*read_xfd_err)(void *self, unsigned cpu);
	int (*ts)(void *self, unsigned cpu);
	/* Optional (0 in the simulated backend), for backends on real registers
	   (lab/backends/): measure: the scenario's `measure` (timers restart); finish: the
	   run is over (leave the CPU clean); problem: a hardware fault the run hit, or 0;
	   cycles: measured cycles since measure; record: the backend's fields of the
	   `lab` record. */
	void (*measure)(void *self);
	void (*finish)(void *self);
	const char *(*problem)(void *self);
	uint64_t (*cycles)(void *self);
	void (*record)(void *self, struct json_writer *writer);
	/* Optional: cpu's vCPU enters (1) or leaves (0) guest mode; the workload
	   (execute) runs in the guest meanwhile. */
	void (*guest_mode)(void *self, unsigned cpu, int in_guest);
};

/* The simulated FPU (lab/sim_fpu.c): exact, deterministic. */
struct lab_sim_cpu {
	uint32_t reg[LAB_COMPONENTS];   /* register contents: a 32-bit signature per component */
	uint32_t xinuse;                /* components not in their init state */
	uint32_t modified;              /* written since the last restore (XSAVEOPT's tracking) */
	uint32_t xfd, xfd_err, xcr0;
	uint8_t ts;
};
struct lab_sim_area {
	uint32_t value[LAB_COMPONENTS];
	uint32_t xstate_bv;
};
struct lab_sim_fpu {
	unsigned cpus;
	struct lab_sim_cpu cpu[LAB_MAX_CPUS];
	struct lab_sim_area buffer[LAB_MAX_CONTEXTS];
	struct lab_sim_area frame[LAB_MAX_CONTEXTS];
};
void lab_sim_fpu_backend(struct lab_sim_fpu *fpu, struct lab_fpu_backend *backend);
uint32_t lab_component_size(unsigned component);
#define LAB_XSAVE_HEADER_BYTES 576u   /* legacy region + XSAVE header */
/* Bytes an XSAVEC-style save of components writes: the legacy region and header, then
   every extended component in use (init components are only marked in XSTATE_BV). */
uint32_t lab_area_bytes(uint32_t components);

/* ---- costs ---- */
struct lab_cost_weights {          /* cycles; defaults in lab_default_weights */
	uint32_t save_base, restore_base;  /* per XSAVE/XRSTOR instruction */
	uint32_t per_64_bytes;             /* per 64 bytes moved */
	uint32_t nm_trap, cr0_write, msr_write, xsetbv, vm_exit, ipi;
};
extern const struct lab_cost_weights lab_default_weights;
/* The weights lab_run costs with: lab_default_weights until lab_weights_use. */
const struct lab_cost_weights *lab_weights(void);
void lab_weights_use(const struct lab_cost_weights *weights);   /* 0: the defaults again */
enum lab_weight_index {
	LAB_WEIGHT_SAVE, LAB_WEIGHT_RESTORE, LAB_WEIGHT_PER_64_BYTES, LAB_WEIGHT_NM, LAB_WEIGHT_CR0,
	LAB_WEIGHT_MSR, LAB_WEIGHT_XSETBV, LAB_WEIGHT_VM_EXIT, LAB_WEIGHT_IPI, LAB_WEIGHTS
};
struct lab_weight_sources {
	const char *from[LAB_WEIGHTS];     /* the benchmark a weight came from; 0: default */
	unsigned measured;
};
/* Finds the median of this run's `bench` record name: 0, or -1 when it did not run. */
typedef int (*lab_median_lookup)(const char *name, int64_t *p50_hundredths, uint32_t *bytes);
/* Weights from the measured medians (the defaults where a benchmark is missing);
   returns how many weights were measured. */
unsigned lab_weights_measured(lab_median_lookup lookup, struct lab_cost_weights *weights,
			      struct lab_weight_sources *sources);

struct lab_counts {
	uint32_t saves, restores, bytes_saved, bytes_restored, nm_traps, cr0_writes, xfd_writes,
		xsetbv, vm_exits, ipis;
};
uint64_t lab_cost(const struct lab_counts *counts, const struct lab_cost_weights *weights);

/* ---- the machine the policies act on ---- */
enum lab_mode { LAB_MODE_KERNEL, LAB_MODE_USER, LAB_MODE_RUNLOOP, LAB_MODE_GUEST };

#define LAB_CTX_STALE 1u        /* registers may hold newer state than the buffer */
#define LAB_CTX_XFD_DISARMED 4u /* may use the XFD component (buffer grown) */

struct lab_machine;

/* A host (or guest OS) policy: reacts to scheduling, kernel FPU and return paths in
   one domain (0 = host, 1 = inside the guest). */
struct lab_host_ops {
	const char *name;
	void (*switch_to)(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned prev, unsigned next);
	void (*kfpu_begin)(struct lab_machine *m, unsigned dom, unsigned cpu);
	void (*kfpu_end)(struct lab_machine *m, unsigned dom, unsigned cpu);
	void (*return_user)(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx);
	/* #NM: TS set (xfd = 0) or XFD (xfd = XFD_ERR). */
	void (*nm)(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err);
};

/* A hypervisor policy: the vCPU's run loop. vcpu = the LAB_VMM context,
   guest = the LAB_GUEST context. */
struct lab_hv_ops {
	const char *name;
	void (*run_enter)(struct lab_machine *m, unsigned cpu);   /* KVM_RUN from user space */
	void (*entry)(struct lab_machine *m, unsigned cpu);       /* VM entry, interrupts off */
	/* Optional (0: nothing): at a VM exit (no policy here acts on one: the exit keeps
	   the guest's registers, the work happens at run_return or sched_out). */
	void (*exit)(struct lab_machine *m, unsigned cpu, unsigned reason);
	void (*run_return)(struct lab_machine *m, unsigned cpu);  /* back to the VMM */
	/* Optional: the vCPU thread leaves cpu, or comes back to it, inside the run loop. */
	void (*sched_out)(struct lab_machine *m, unsigned cpu);
	void (*sched_in)(struct lab_machine *m, unsigned cpu);
	/* The guest's FP use trapped (#NM intercepted with guest state not loaded). */
	void (*guest_fp_trap)(struct lab_machine *m, unsigned cpu);
	bool xfd_passthrough;     /* guest XFD writes do not exit; #NM is intercepted */
	bool kfpu_blocked_when_loaded; /* guest FPU loaded = inside kernel_fpu_begin (2015) */
};

/* A named configuration: host policy + hypervisor policy + the guest kernel's policy. */
struct lab_config {
	const char *name;
	const char *origin;
	const char *why;
	const struct lab_host_ops *host;
	const struct lab_hv_ops *hv;
	const struct lab_host_ops *guest;
	const char *expected_corruption;   /* comma-separated scenario names, or 0 */
	unsigned mutation;                 /* LAB_MUT_*: only for the mutants */
};

#define LAB_MUT_SKIP_ENTRY_RELOAD 1u
#define LAB_MUT_SKIP_SWITCH_SAVE 2u
#define LAB_MUT_KFPU_KEEPS_OWNER 4u
#define LAB_MUT_XFD_AFTER_XRSTOR 8u
#define LAB_MUT_NO_LAST_CPU 16u
#define LAB_MUT_SIGNAL_STALE_FRAME 32u

struct lab_corruption {
	uint16_t step, line;
	uint8_t context, component;
	uint32_t expected, found;
};

struct lab_machine {
	const struct lab_config *config;
	const struct lab_scenario *scenario;
	struct lab_fpu_backend *fpu;
	unsigned cpus;
	/* scheduling (the engine's) */
	uint8_t current[LAB_MAX_CPUS];      /* host thread on each CPU */
	uint8_t mode[LAB_MAX_CONTEXTS];     /* lab_mode of host threads */
	uint8_t guest_current;              /* context running inside the guest */
	uint8_t vcpu_cpu;                   /* where the vCPU thread last ran */
	uint8_t vmm, guest;                 /* the vCPU's two halves (LAB_NONE if absent) */
	uint8_t in_kfpu[LAB_MAX_CPUS];
	uint8_t kfpu_interrupted_user[LAB_MAX_CPUS];
	uint8_t signal_depth[LAB_MAX_CONTEXTS];
	/* the policies' explicit state */
	uint8_t owner[2][LAB_MAX_CPUS];     /* per domain: whose state the registers hold */
	uint8_t last_cpu[LAB_MAX_CONTEXTS];
	uint8_t flags[LAB_MAX_CONTEXTS];
	uint8_t thread_state[LAB_MAX_CONTEXTS]; /* host thread -> context whose buffer is its fpstate */
	uint8_t ts_belief[LAB_MAX_CPUS];
	uint32_t xfd_cache[LAB_MAX_CPUS];   /* per-CPU copy of IA32_XFD */
	uint32_t guest_xfd;                 /* the guest's IA32_XFD (guest state) */
	uint8_t guest_loaded;               /* kvm-2015 & co: guest state loaded by the run loop */
	uint8_t guest_ts_trap;              /* the guest's first FP use traps (CR0.TS in the VMCS) */
	uint8_t host_ts[LAB_MAX_CPUS];      /* host CR0.TS while the guest runs (VMCS host state) */
	uint8_t last_cpu_thread[LAB_MAX_CONTEXTS]; /* scheduling: where a thread last ran */
	uint8_t hv_flag[4];                 /* hypervisor-private flags */
	/* the checker */
	uint32_t expect[LAB_MAX_CONTEXTS][LAB_COMPONENTS];
	uint32_t frame_expect[LAB_MAX_CONTEXTS][LAB_COMPONENTS];
	uint32_t handler_expect[LAB_MAX_CONTEXTS][LAB_COMPONENTS];
	unsigned step;
	unsigned corruptions;
	struct lab_corruption first;
	char error[96];                     /* a scenario the engine cannot run */
	struct lab_counts counts;
};

/* Helpers for policies (lab/engine.c): every register operation goes through these,
   so the counts are the backend's. dom selects the domain's owner table; inside the
   guest, cpu is the vCPU (0) and the physical CPU is where the vCPU thread runs. */
unsigned lab_phys(struct lab_machine *m, unsigned dom, unsigned cpu);
bool lab_valid(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx);
uint32_t lab_ctx_mask(struct lab_machine *m, unsigned ctx);
void lab_save(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx);
void lab_restore(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx);
/* Saves the owner of cpu's registers if its state there may be newer than its buffer. */
void lab_save_owner_if_stale(struct lab_machine *m, unsigned dom, unsigned cpu);
/* Makes the registers hold ctx's state: saves a stale owner, restores ctx unless valid. */
void lab_load(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx);
void lab_invalidate(struct lab_machine *m, unsigned dom, unsigned cpu);
void lab_set_ts(struct lab_machine *m, unsigned cpu);
void lab_clear_ts(struct lab_machine *m, unsigned cpu);
void lab_write_xfd(struct lab_machine *m, unsigned cpu, uint32_t value);
void lab_vm_exit_count(struct lab_machine *m);
void lab_xfd_nm(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err);
bool lab_owns_state(struct lab_machine *m, unsigned ctx);   /* the kind may own FPU state */
bool lab_kind_is_user(unsigned kind);

/* Host policies. */
extern const struct lab_host_ops lab_host_lazy_ts, lab_host_eager, lab_host_deferred, lab_host_fpulab;
/* Hypervisor policies. */
extern const struct lab_hv_ops lab_hv_kvm_2015, lab_hv_k1, lab_hv_k2, lab_hv_resident_owner,
	lab_hv_xfd_dynamic, lab_hv_lazy_exit_2018, lab_hv_foreign_2018, lab_hv_foreign_2024, lab_hv_fpulab;
/* Shared pieces of the hypervisor policies. */
void lab_k2_run_enter(struct lab_machine *m, unsigned cpu);
void lab_k2_entry(struct lab_machine *m, unsigned cpu);
void lab_k2_run_return(struct lab_machine *m, unsigned cpu);
void lab_foreign_run_enter(struct lab_machine *m, unsigned cpu, bool eager_host_save);
void lab_foreign_entry(struct lab_machine *m, unsigned cpu);
void lab_foreign_trap(struct lab_machine *m, unsigned cpu);
void lab_foreign_run_return(struct lab_machine *m, unsigned cpu);
/* Pieces shared by the host policies (lab/policy_common.c): the context whose
   buffer is ctx's state (a host thread's fpstate; guest contexts are their own), and
   the plain #NM handler: XFD's first use, else clear TS and load that state. */
unsigned lab_state_of(struct lab_machine *m, unsigned dom, unsigned ctx);
void lab_nm_clear_ts_and_load(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err);
void lab_hv_guest_xfd_entry(struct lab_machine *m, unsigned cpu);

extern const struct lab_config lab_configs[];
extern const unsigned lab_config_count;
extern const struct lab_config lab_mutants[];
extern const unsigned lab_mutant_count;
const struct lab_config *lab_config_find(const char *name);

/* ---- running ---- */
struct lab_result {
	const char *config, *origin, *backend;
	char scenario[24];
	struct lab_counts counts;
	struct lab_counts oracle;
	bool corrupted, expected_corruption;
	struct lab_corruption first;
	char first_context[16];
	char first_found_by[48];             /* who wrote the signature found instead */
	const struct lab_config *configuration;
	const struct lab_fpu_backend *fpu;   /* the run's backend (its record hook) */
	uint64_t cost, oracle_cost;
	char error[96];
};
/* Runs one configuration over one scenario on backend; returns 0, or -1 if the
   scenario could not run (result->error). */
int lab_run(const struct lab_config *config, const struct lab_scenario *scenario,
	    struct lab_fpu_backend *backend, struct lab_machine *machine, struct lab_result *result);
/* The oracle: the lower bound from the whole trace. */
void lab_oracle(const struct lab_scenario *scenario, struct lab_counts *counts);
bool lab_expected(const struct lab_config *config, const char *scenario);
const char *lab_component_name(unsigned component);

/* ---- reporting (lab/report.c) ---- */
struct json_writer;
/* Writes the `lab` record's fields into a begun writer. */
void lab_record_write(const struct lab_result *result, struct json_writer *writer);
/* The same as one finished JSON object; returns 0 when it fitted. */
int lab_record_json(const struct lab_result *result, char *buffer, size_t size);

/* One cell of the configuration x scenario table. */
enum lab_cell_state { LAB_CELL_INTACT, LAB_CELL_EXPECTED, LAB_CELL_UNEXPECTED, LAB_CELL_ERROR };
struct lab_cell {
	uint32_t saves, restores;
	uint64_t cost;
	uint8_t state;
};
void lab_cell_from(struct lab_cell *cell, const struct lab_result *result);
typedef void (*lab_line_sink)(void *context, const char *line);
/* The table as "# " lines: cells[c * scenarios + s], then the oracle's row. */
void lab_table(const struct lab_cell *cells, const struct lab_cell *oracle, unsigned configs,
	       unsigned scenarios, const char *const *config_names, const char *const *scenario_names,
	       lab_line_sink sink, void *sink_context);

#endif
