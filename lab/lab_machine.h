/* The machine the policies act on (docs/lab.md "Model"): the policies' explicit state,
   the helpers every register operation goes through, the policy tables, the named
   configurations and the mutants. Portable. */
#ifndef FPULAB_LAB_MACHINE_H
#define FPULAB_LAB_MACHINE_H

#include "lab/lab_cost.h"
#include "lab/lab_fpu.h"
#include "lab/lab_model.h"

#define LAB_CTX_STALE 1u        /* registers may hold newer state than the buffer */
#define LAB_CTX_LOADED 2u       /* deferred: loaded since the last switch-in (TIF_NEED_FPU_LOAD clear) */
#define LAB_CTX_XFD_DISARMED 4u /* may use the XFD component (buffer grown) */
#define LAB_CTX_IDLE_STAYED 8u  /* fpulab: left stale at idle, it was last next needed there */
#define LAB_CTX_IDLE_MOVED 16u  /* ... or on another CPU */

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
	/* Optional (0: lab_fork_copy, lab_exit_drop, lab_exec_reset, as Linux 5.2+ does). */
	void (*fork)(struct lab_machine *m, unsigned cpu, unsigned parent, unsigned child);
	void (*exit)(struct lab_machine *m, unsigned cpu, unsigned ctx);
	void (*exec)(struct lab_machine *m, unsigned cpu, unsigned ctx);
	/* Optional (0: lab_signal_frame_linux): a signal to ctx on cpu: its state into
	   its (cleared) signal frame, the handler's init state loaded. */
	void (*signal_frame)(struct lab_machine *m, unsigned cpu, unsigned ctx);
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

/* How a mutant is caught (lab/mutants.c). */
enum lab_caught_by {
	LAB_CAUGHT_BY_CORRUPTION,   /* the checker finds corrupted state in expected_corruption */
	LAB_CAUGHT_BY_EXPOSURE,     /* the exposure check flags expected_corruption */
	LAB_CAUGHT_BY_VALIDATION,   /* validating the recorded capture expected_corruption fails */
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
	uint8_t caught_by;                 /* lab_caught_by: only for the mutants */
	bool exposed;                      /* expected to leave another domain's state exposed */
};

#define LAB_MUT_SKIP_ENTRY_RELOAD 1u
#define LAB_MUT_SKIP_SWITCH_SAVE 2u
#define LAB_MUT_KFPU_KEEPS_OWNER 4u
#define LAB_MUT_XFD_AFTER_XRSTOR 8u
#define LAB_MUT_NO_LAST_CPU 16u
#define LAB_MUT_SIGNAL_STALE_FRAME 32u
#define LAB_MUT_FORK_SHARES_REGISTERS 64u    /* the child is marked loaded on the parent's registers */
#define LAB_MUT_FORK_KEEPS_LAST_CPU 128u     /* a recycled context keeps last_cpu; exit keeps the owner */
#define LAB_MUT_BLOCKED_SWITCH_IN_RESTORES 256u /* every switch-in returns to user space */
#define LAB_MUT_SKIP_TS_SET 512u             /* lazy-ts: no CR0.TS set at a switch */
#define LAB_MUT_LAZY_FOR_EVERY_TASK 1024u    /* fpulab: CR0.TS instead of a load, for any task */
#define LAB_MUT_FRAME_COPY_SKIPS_IPI 2048u   /* fpulab: the frame copied from a buffer older than another CPU's registers */
#define LAB_MUT_XFD_NOT_REARMED 4096u        /* IA32_XFD is disarmed at a first use and never armed again */

struct lab_corruption {
	uint32_t step, line;
	uint16_t context;
	uint8_t component;
	uint32_t expected, found;
};

/* A step at which a context ran with another domain's state in the registers. */
struct lab_exposure {
	uint32_t step, line;
	uint16_t context;         /* who ran */
	uint16_t holder;          /* whose state the registers held (LAB_NONE: kernel FP code) */
	uint8_t component;
};

/* Per context: the policies' state and the checker's. */
struct lab_context_state {
	uint8_t flags;                            /* LAB_CTX_* */
	uint8_t last_cpu;                         /* where its state was last loaded */
	uint16_t thread_state;                    /* host thread -> context whose buffer is its fpstate */
	uint32_t moved_bytes;                     /* its last save's or restore's: what XSTATE_BV holds */
	uint32_t expect[LAB_COMPONENTS];          /* its newest state, as signatures */
	uint32_t frame_expect[LAB_SIGNAL_DEPTH][LAB_COMPONENTS];    /* what the frame of each level holds */
	uint32_t handler_expect[LAB_SIGNAL_DEPTH][LAB_COMPONENTS];  /* each level's handler's state */
};

/* Register operations of a run, as they happen (fpulab-trace validate). */
enum lab_op {
	LAB_OP_SAVE, LAB_OP_RESTORE, LAB_OP_FRAME_SAVE, LAB_OP_INIT_RESTORE, LAB_OP_FRAME_RESTORE,
	LAB_OP_FRAME_COPY,   /* a signal frame from the buffer, in memory */
};
struct lab_observer {
	void *self;
	/* effect: the lab_effect_type being carried out */
	void (*op)(void *self, unsigned step, unsigned effect, unsigned op, unsigned ctx);
};

/* A vCPU's share of the machine's hypervisor state, kept here while another vCPU is
   selected (lab_select_vcpu); the selected one's is in the machine's own fields. */
struct lab_vcpu_state {
	uint32_t guest_xfd;
	uint16_t guest_owner;               /* owner[1][0]: its guest kernel's view */
	uint8_t guest_loaded, guest_ts_trap;
	uint8_t hv_flag[4];
};

struct lab_machine {
	const struct lab_config *config;
	const struct lab_scenario *scenario;
	struct lab_fpu_backend *fpu;
	unsigned cpus;
	struct lab_model model;             /* the scheduling state: the event model's */
	uint16_t vmm, guest;                /* the vCPU's two halves (LAB_NONE if absent) */
	struct lab_context_state *ctx;      /* [scenario->contexts], the storage's */
	/* the policies' explicit state */
	uint16_t owner[2][LAB_MAX_CPUS];    /* per domain: whose state the registers hold */
	uint32_t xfd_cache[LAB_MAX_CPUS];   /* per-CPU copy of IA32_XFD */
	uint32_t guest_xfd;                 /* the guest's IA32_XFD (guest state) */
	uint8_t guest_loaded;               /* kvm-2015 & co: guest state loaded by the run loop */
	uint8_t guest_ts_trap;              /* the guest's first FP use traps (CR0.TS in the VMCS) */
	uint8_t host_ts[LAB_MAX_CPUS];      /* host CR0.TS while the guest runs (VMCS host state) */
	uint8_t hv_flag[4];                 /* hypervisor-private flags */
	struct lab_vcpu_state vcpu_state[LAB_MAX_VCPUS];
	unsigned vcpu_selected;             /* whose the fields above are: the model's selected vCPU */
	/* the host policy's private history (fpulab: its idle write-backs) */
	uint16_t idle_left[LAB_MAX_CPUS];   /* the stale owner a CPU went idle with, + 1; 0: none */
	uint32_t idle_stays, idle_moves;    /* how those owners were next needed: here, elsewhere */
	uint32_t idle_stays_after_stay, idle_moves_after_stay;   /* the same, of owners whose last was a stay */
	/* the checker */
	unsigned step;
	unsigned corruptions;
	struct lab_corruption first;
	unsigned exposures;                 /* steps with another domain's state exposed */
	unsigned exposure_step;             /* the last step counted, + 1 */
	unsigned vmm_own_guest_steps;       /* steps the VMM ran with its own guest's state in the registers */
	unsigned vmm_own_guest_step;        /* the last of them, + 1 */
	struct lab_exposure first_exposure;
	char error[96];                     /* a scenario the engine cannot run */
	struct lab_counts counts;
	unsigned actions;                   /* the oracle's actions of this run (storage->action) */
	uint8_t effect;                     /* the effect being carried out */
	const struct lab_observer *observer;
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
/* A host context's state that is stale on another CPU is saved there (an IPI). */
void lab_save_stale_elsewhere(struct lab_machine *m, unsigned cpu, unsigned ctx);
/* Signal frames: XSAVE of cpu's registers to ctx's frame; ctx's buffer copied to it
   in memory (the backend's copy_to_frame); the handler's init state loaded on cpu
   (ctx then owns the registers). */
void lab_frame_save(struct lab_machine *m, unsigned cpu, unsigned ctx);
void lab_frame_copy(struct lab_machine *m, unsigned ctx);
void lab_handler_init(struct lab_machine *m, unsigned cpu, unsigned ctx);
void lab_invalidate(struct lab_machine *m, unsigned dom, unsigned cpu);
void lab_set_ts(struct lab_machine *m, unsigned cpu);
void lab_clear_ts(struct lab_machine *m, unsigned cpu);
void lab_write_xfd(struct lab_machine *m, unsigned cpu, uint32_t value);
/* The IA32_XFD ctx's state needs loaded: the guest's own value for the guest. */
uint32_t lab_xfd_for(struct lab_machine *m, unsigned ctx);
/* Makes the machine's per-vCPU fields (vmm, guest and those of lab_vcpu_state) the
   model's selected vCPU's: every effect concerns that one. */
void lab_select_vcpu(struct lab_machine *m);
/* IA32_XFD := what ctx's state needs (the guest's own in the guest domain). */
void lab_sync_xfd(struct lab_machine *m, unsigned dom, unsigned phys, unsigned ctx);
void lab_vm_exit_count(struct lab_machine *m);
/* The guest touched the FPU: its first-use trap, if the hypervisor armed one. */
void lab_guest_trap_if_armed(struct lab_machine *m, unsigned dom, unsigned phys);
void lab_xfd_nm(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t xfd_err);
bool lab_owns_state(struct lab_machine *m, unsigned ctx);   /* the kind may own FPU state */
unsigned lab_kind(struct lab_machine *m, unsigned ctx);
/* Linux 5.2+'s fork, exit, exec and signal frame (lab/policy_common.c), the hooks'
   defaults. */
void lab_fork_copy(struct lab_machine *m, unsigned cpu, unsigned parent, unsigned child);
void lab_exit_drop(struct lab_machine *m, unsigned cpu, unsigned ctx);
void lab_exec_reset(struct lab_machine *m, unsigned cpu, unsigned ctx);
void lab_signal_frame_linux(struct lab_machine *m, unsigned cpu, unsigned ctx);

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
bool lab_expected(const struct lab_config *config, const char *scenario);

#endif
