/* Running the lab (docs/lab.md): one configuration over one scenario, the checks of
   every run (corruption, exposure) and the oracle, the lower bound. Portable. */
#ifndef FPULAB_LAB_RUN_H
#define FPULAB_LAB_RUN_H

#include "lab/lab_machine.h"

/* The oracle's view of a run: who needs which state where (lab/oracle.c). */
enum lab_action_type {
	LAB_ACT_USE, LAB_ACT_CLOBBER, LAB_ACT_FRAME, LAB_ACT_SIGRETURN, LAB_ACT_MEASURE,
	LAB_ACT_FORK, LAB_ACT_EXIT, LAB_ACT_EXEC, LAB_ACT_VM_EXIT,
};
struct lab_action {
	uint8_t type, cpu;
	uint16_t id;         /* the state: a context, or context + contexts for its handler's */
	uint16_t other;      /* fork: the child */
	uint8_t mask;        /* use: the components it writes */
	uint32_t next;       /* the next action that needs this state (the oracle fills it) */
	uint32_t next_other; /* fork: the next action that needs the child's */
};
struct lab_oracle_id {
	uint8_t dirty, used;
	uint8_t components;  /* written since the state began: what any save or restore of it moves */
	uint32_t last;       /* its latest action */
};

/* The oracle's action for effect (with the model's state as of then): 1 and *action,
   or 0 when the effect is none of the oracle's business. */
int lab_action_of(const struct lab_model *model, const struct lab_effect *effect, struct lab_action *action);
/* Appends effect's action, if any, to the scenario storage's actions (*count of them).
   An event gives at most one action (lab/model.c) and a scenario's events fit its
   storage (lab_run checks), so there is always room. */
void lab_action_append(const struct lab_model *model, const struct lab_effect *effect, unsigned *count);
/* The lower bound from the first n actions in scenario's storage. */
void lab_oracle_solve(const struct lab_scenario *scenario, unsigned n, struct lab_counts *counts);
/* The oracle of a scenario on its own (kernel FPU never refused); 0, or -1 when the
   scenario does not run (its error in the model). */
int lab_oracle(const struct lab_scenario *scenario, struct lab_counts *counts);

struct lab_result {
	const char *config, *origin, *backend;
	char scenario[LAB_SCENARIO_NAME_SIZE];
	struct lab_counts counts;
	struct lab_counts oracle;
	bool corrupted, expected_corruption;
	struct lab_corruption first;
	char first_context[LAB_NAME_SIZE];
	char first_found_by[64];             /* who wrote the signature found instead */
	bool exposure_checked;               /* the backend can read its registers back (peek) */
	unsigned exposures;
	unsigned vmm_own_guest_steps;        /* the VMM ran over its own guest's state (allowed) */
	struct lab_exposure first_exposure;
	char exposure_context[LAB_NAME_SIZE], exposure_holder[LAB_NAME_SIZE];
	const struct lab_config *configuration;
	const struct lab_fpu_backend *fpu;   /* the run's backend (its record hook) */
	const struct lab_scenario *source;   /* the scenario (its assumptions and trace) */
	uint64_t cost, oracle_cost;
	char error[96];
};
/* Runs one configuration over one scenario on backend; returns 0, or -1 if the
   scenario could not run (result->error). observer (or 0) sees every operation. */
int lab_run(const struct lab_config *config, const struct lab_scenario *scenario,
	    struct lab_fpu_backend *backend, struct lab_machine *machine, struct lab_result *result);
int lab_run_observed(const struct lab_config *config, const struct lab_scenario *scenario,
		     struct lab_fpu_backend *backend, struct lab_machine *machine, struct lab_result *result,
		     const struct lab_observer *observer);
const char *lab_component_name(unsigned component);

/* The workload's signatures (lab/engine.c): who wrote one. */
bool lab_signature_is_kernel(uint32_t signature);
/* The context whose use wrote signature, or LAB_NONE (init, kernel FP code). */
unsigned lab_signature_context(uint32_t signature);

/* The workload and the checks (lab/workload.c), for lab/engine.c. */
void lab_workload_use(struct lab_machine *m, unsigned dom, unsigned cpu, unsigned ctx, uint32_t mask);
void lab_workload_clobber(struct lab_machine *m, unsigned cpu, uint32_t mask);
void lab_workload_signal(struct lab_machine *m, unsigned cpu, unsigned ctx);
void lab_workload_sigreturn(struct lab_machine *m, unsigned cpu, unsigned ctx);
void lab_workload_fork(struct lab_machine *m, unsigned parent, unsigned child);
void lab_workload_exec(struct lab_machine *m, unsigned ctx);
void lab_exposure_check(struct lab_machine *m, unsigned cpu, unsigned reader, unsigned dom);
void lab_run_error(struct lab_machine *m, const char *what);
void lab_describe_signature(const struct lab_machine *m, uint32_t value, char *text, size_t size);

#endif
