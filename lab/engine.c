/* The engine: replays a scenario through the event model (lab/model.c), turns each
   effect into the configuration's policy calls and the workload's register use, and
   counts what the policies did; the oracle gets the same effects as actions. */
#include "lab/lab.h"
#include "lib/format.h"
#include "lib/string.h"

const struct lab_cost_weights lab_default_weights = {
	.save_base = 100, .restore_base = 100, .per_64_bytes = 4,
	.nm_trap = 400, .cr0_write = 60, .msr_write = 120, .xsetbv = 200, .vm_exit = 1200, .ipi = 2000,
};

void lab_cost_parts(const struct lab_counts *c, const struct lab_cost_weights *w, int64_t part[LAB_COST_PARTS])
{
	part[LAB_PART_OPERATIONS] = (int64_t)c->saves * w->save_base + (int64_t)c->restores * w->restore_base;
	part[LAB_PART_BYTES] = (int64_t)((c->bytes_saved + c->bytes_restored + c->bytes_copied) / 64) * w->per_64_bytes;
	part[LAB_PART_NM] = (int64_t)c->nm_traps * w->nm_trap;
	part[LAB_PART_CR0] = (int64_t)c->cr0_writes * w->cr0_write;
	part[LAB_PART_MSR] = (int64_t)c->xfd_writes * w->msr_write;
	part[LAB_PART_XSETBV] = (int64_t)c->xsetbv * w->xsetbv;
	part[LAB_PART_VM_EXITS] = (int64_t)c->vm_exits * w->vm_exit;
	part[LAB_PART_IPIS] = (int64_t)c->ipis * w->ipi;
}

uint64_t lab_cost(const struct lab_counts *c, const struct lab_cost_weights *w)
{
	int64_t part[LAB_COST_PARTS], sum = 0;

	lab_cost_parts(c, w, part);
	for (unsigned i = 0; i < LAB_COST_PARTS; i++)
		sum += part[i];
	return (uint64_t)sum;
}

const char *const lab_cost_part_names[LAB_COST_PARTS] = {
	"operations", "bytes", "#NM", "CR0", "MSR", "XSETBV", "VM exits", "IPIs",
};

void lab_cost_parts_text(const int64_t part[LAB_COST_PARTS], char *text, unsigned size)
{
	unsigned used = 0;

	text[0] = 0;
	for (unsigned i = 0; i < LAB_COST_PARTS && used + 1 < size; i++)
		if (part[i])   /* the would-be length: a truncated text ends the loop */
			used += (unsigned)format_string(text + used, size - used, "%s%s %s%lld", used ? ", " : "",
							lab_cost_part_names[i], part[i] > 0 ? "+" : "",
							(long long)part[i]);
	if (!used)
		format_string(text, size, "nothing");
}

static const char *const component_names[LAB_COMPONENTS] = {
	"x87", "sse", "avx", "opmask", "zmm_hi256", "hi16_zmm", "tilecfg", "tiledata",
};

const char *lab_component_name(unsigned c) { return c < LAB_COMPONENTS ? component_names[c] : "?"; }

static void vm_exit(struct lab_machine *m, unsigned cpu, unsigned reason)
{
	if (m->fpu->guest_mode)
		m->fpu->guest_mode(m->fpu->self, cpu, 0);
	lab_vm_exit_count(m);
	/* VM exit loads the host's CR0 from the VMCS. */
	if (m->host_ts[cpu])
		m->fpu->set_ts(m->fpu->self, cpu);
	else
		m->fpu->clear_ts(m->fpu->self, cpu);
	if (m->config->hv->exit)
		m->config->hv->exit(m, cpu, reason);
}

/* The vCPU thread resumes (into the guest): if the registers hold its state now, it is
   loaded (as KVM's entry makes sure of, TIF_NEED_FPU_LOAD clear). */
static void vm_entry(struct lab_machine *m, unsigned cpu)
{
	unsigned state;

	m->config->hv->entry(m, cpu);
	state = lab_state_of(m, 0, m->vmm);
	if (lab_valid(m, 0, cpu, state))
		m->ctx[state].flags |= LAB_CTX_LOADED;
	lab_hv_guest_xfd_entry(m, cpu);
	m->host_ts[cpu] = (uint8_t)m->fpu->ts(m->fpu->self, cpu);
	if (m->guest_ts_trap)
		m->fpu->set_ts(m->fpu->self, cpu);
	else
		m->fpu->clear_ts(m->fpu->self, cpu);
	if (m->fpu->guest_mode)
		m->fpu->guest_mode(m->fpu->self, cpu, 1);
}

static void kfpu_begin(struct lab_machine *m, unsigned cpu)
{
	m->config->host->kfpu_begin(m, 0, cpu);
	if (m->fpu->ts(m->fpu->self, cpu))
		lab_run_error(m, "kfpu-begin: kernel FP code would run with CR0.TS set");
}

static void fork_child(struct lab_machine *m, unsigned cpu, unsigned parent, unsigned child)
{
	(m->config->host->fork ? m->config->host->fork : lab_fork_copy)(m, cpu, parent, child);
	lab_workload_fork(m, parent, child);
}

static void exec_image(struct lab_machine *m, unsigned cpu, unsigned ctx)
{
	(m->config->host->exec ? m->config->host->exec : lab_exec_reset)(m, cpu, ctx);
	lab_workload_exec(m, ctx);
}

static void measure(struct lab_machine *m)
{
	memset(&m->counts, 0, sizeof m->counts);
	if (m->fpu->measure)
		m->fpu->measure(m->fpu->self);
}

/* The effect in the configuration's terms. Inside the guest the guest kernel's policy
   acts on vCPU 0. */
static void carry_out(struct lab_machine *m, const struct lab_effect *fx)
{
	const struct lab_config *c = m->config;
	unsigned cpu = fx->cpu;

	switch (fx->type) {
	case LAB_FX_MEASURE: return measure(m);
	case LAB_FX_SCHED_OUT: if (c->hv->sched_out) c->hv->sched_out(m, cpu); return;
	case LAB_FX_SCHED_IN: if (c->hv->sched_in) c->hv->sched_in(m, cpu); return;
	case LAB_FX_SWITCH: return c->host->switch_to(m, 0, cpu, fx->ctx, fx->other);
	case LAB_FX_GUEST_SWITCH: return c->guest->switch_to(m, 1, 0, fx->ctx, fx->other);
	case LAB_FX_RETURN_USER:
		if (fx->dom)
			return c->guest->return_user(m, 1, 0, fx->ctx);
		return c->host->return_user(m, 0, cpu, fx->ctx);
	case LAB_FX_USE: return lab_workload_use(m, fx->dom, cpu, fx->ctx, fx->mask);
	case LAB_FX_CLOBBER: return lab_workload_clobber(m, cpu, fx->mask);
	case LAB_FX_KFPU_BEGIN: return kfpu_begin(m, cpu);
	case LAB_FX_KFPU_END: return c->host->kfpu_end(m, 0, cpu);
	case LAB_FX_SIGNAL: return lab_workload_signal(m, cpu, fx->ctx);
	case LAB_FX_SIGRETURN: return lab_workload_sigreturn(m, cpu, fx->ctx);
	case LAB_FX_KVM_RUN: return c->hv->run_enter(m, cpu);
	case LAB_FX_VM_ENTRY: return vm_entry(m, cpu);
	case LAB_FX_VM_EXIT: return vm_exit(m, cpu, fx->arg);
	case LAB_FX_KVM_RETURN: return c->hv->run_return(m, cpu);
	case LAB_FX_FORK: return fork_child(m, cpu, fx->ctx, fx->other);
	case LAB_FX_EXIT: return (c->host->exit ? c->host->exit : lab_exit_drop)(m, cpu, fx->ctx);
	case LAB_FX_EXEC: return exec_image(m, cpu, fx->ctx);
	}
}

static void on_effect(void *self, const struct lab_effect *fx)
{
	struct lab_machine *m = self;

	if (m->error[0])
		return;
	m->effect = fx->type;
	lab_select_vcpu(m);
	carry_out(m, fx);
	if (fx->type == LAB_FX_RETURN_USER)
		lab_exposure_check(m, fx->cpu, fx->ctx, fx->dom);
	if (fx->type == LAB_FX_VM_ENTRY)
		lab_exposure_check(m, fx->cpu, lab_model_guest_current(&m->model), 1);
	lab_action_append(&m->model, fx, &m->actions);
}

/* kvm-2015: while the guest FPU is loaded the vCPU thread is inside
   kernel_fpu_begin, so a softirq's irq_fpu_usable() is false. */
static bool kfpu_refused(void *self, unsigned cpu)
{
	struct lab_machine *m = self;

	lab_select_vcpu(m);
	return m->guest_loaded && m->model.current[cpu] == m->vmm && m->vmm != LAB_NONE &&
	       m->config->hv->kfpu_blocked_when_loaded;
}

bool lab_expected(const struct lab_config *config, const char *scenario)
{
	const char *list = config->expected_corruption;
	size_t n = strlen(scenario);
	while (list && *list) {
		if (strncmp(list, scenario, n) == 0 && (list[n] == ',' || list[n] == 0))
			return true;
		list = strchr(list, ',');
		if (list)
			list++;
	}
	return false;
}

static void machine_init(struct lab_machine *m, const struct lab_config *config,
			 const struct lab_scenario *scenario, struct lab_fpu_backend *backend)
{
	memset(m, 0, sizeof *m);
	m->config = config;
	m->scenario = scenario;
	m->fpu = backend;
	m->cpus = scenario->cpus;
	m->ctx = scenario->storage->state;
	lab_model_init(&m->model, scenario, m, on_effect, kfpu_refused);
	m->vmm = m->model.vmm;
	m->guest = m->model.guest;
	memset(m->ctx, 0, scenario->contexts * sizeof *m->ctx);
	for (unsigned i = 0; i < scenario->contexts; i++) {
		m->ctx[i].thread_state = (uint16_t)i;
		m->ctx[i].last_cpu = LAB_NO_CPU;
	}
	for (unsigned v = 0; v < m->model.vcpus; v++)
		if (m->model.vcpu[v].guest != LAB_NONE)   /* a guest's buffer has room for AMX */
			m->ctx[m->model.vcpu[v].guest].flags |= LAB_CTX_XFD_DISARMED;
	for (unsigned cpu = 0; cpu < LAB_MAX_CPUS; cpu++) {
		m->owner[0][cpu] = m->owner[1][cpu] = LAB_NONE;
		m->xfd_cache[cpu] = LAB_MASK_XFD;
	}
	m->guest_xfd = LAB_MASK_XFD;
	for (unsigned v = 0; v < LAB_MAX_VCPUS; v++)
		m->vcpu_state[v] = (struct lab_vcpu_state){ .guest_xfd = LAB_MASK_XFD, .guest_owner = LAB_NONE };
	backend->reset(backend->self, scenario->cpus);
}

/* A hardware fault the backend hit ends the run at once (the registers are suspect). */
static const char *backend_problem(struct lab_fpu_backend *backend)
{
	return backend->problem ? backend->problem(backend->self) : 0;
}

static void name_of(const struct lab_scenario *s, unsigned ctx, const char *none, char *text, size_t size)
{
	string_copy(text, ctx < s->contexts ? s->context[ctx].name : none, size);
}

static void fill_result(struct lab_machine *m, struct lab_result *result)
{
	const struct lab_scenario *s = m->scenario;

	result->fpu = m->fpu;
	result->config = m->config->name;
	result->origin = m->config->origin;
	string_copy(result->scenario, s->name, sizeof result->scenario);
	result->backend = m->fpu->name;
	result->source = s;
	result->counts = m->counts;
	result->corrupted = m->corruptions != 0;
	result->first = m->first;
	result->configuration = m->config;
	if (result->corrupted) {
		name_of(s, m->first.context, "kernel", result->first_context, sizeof result->first_context);
		lab_describe_signature(m, m->first.found, result->first_found_by, sizeof result->first_found_by);
	}
	result->exposure_checked = m->fpu->peek != 0;
	result->exposures = m->exposures;
	result->vmm_own_guest_steps = m->vmm_own_guest_steps;
	result->first_exposure = m->first_exposure;
	if (m->exposures) {
		name_of(s, m->first_exposure.context, "?", result->exposure_context, sizeof result->exposure_context);
		name_of(s, m->first_exposure.holder, "kernel FP code", result->exposure_holder,
			sizeof result->exposure_holder);
	}
	result->cost = lab_cost(&m->counts, lab_weights());
	result->expected_corruption = lab_expected(m->config, s->name);
	lab_oracle_solve(s, m->actions, &result->oracle);
	result->oracle_cost = lab_cost(&result->oracle, lab_weights());
}

int lab_run_observed(const struct lab_config *config, const struct lab_scenario *scenario,
		     struct lab_fpu_backend *backend, struct lab_machine *m, struct lab_result *result,
		     const struct lab_observer *observer)
{
	memset(result, 0, sizeof *result);
	if (scenario->contexts > scenario->storage->contexts || scenario->events > scenario->storage->events) {
		string_copy(result->error, "the scenario does not fit its storage", sizeof result->error);
		return -1;
	}
	machine_init(m, config, scenario, backend);
	m->observer = observer;
	for (m->step = 0; m->step < scenario->events; m->step++) {
		if (m->error[0] || backend_problem(backend))
			break;
		if (lab_model_step(&m->model, m->step) != 0 && !m->error[0])
			string_copy(m->error, m->model.error, sizeof m->error);
		if (!m->error[0]) {
			unsigned cpu = scenario->event[m->step].cpu, dom, reader;
			reader = lab_model_executing(&m->model, cpu, &dom);
			lab_exposure_check(m, cpu, reader, dom);
		}
	}
	if (backend->finish)
		backend->finish(backend->self);
	if (!m->error[0] && backend_problem(backend))
		string_copy(m->error, backend_problem(backend), sizeof m->error);
	fill_result(m, result);
	if (m->error[0]) {
		string_copy(result->error, m->error, sizeof result->error);
		return -1;
	}
	return 0;
}

int lab_run(const struct lab_config *config, const struct lab_scenario *scenario,
	    struct lab_fpu_backend *backend, struct lab_machine *m, struct lab_result *result)
{
	return lab_run_observed(config, scenario, backend, m, result, 0);
}
