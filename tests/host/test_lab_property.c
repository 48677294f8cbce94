/* The oracle's property over random scenarios (docs/lab.md "The oracle"): every
   scenario is built event by event through the event model (lab/model.c), keeping an
   event only if the model accepts it, so it runs under every configuration. Then no
   intact run may need fewer saves or restores than the oracle, move fewer bytes, take
   fewer VM exits or cost less under the scenario's random weights (the configurations
   not known to be broken), and every
   configuration but the known-broken ones (expected_corruption) stays intact and runs
   without an error. The seed is printed; FPULAB_LAB_SEED=N repeats a run,
   FPULAB_LAB_SCENARIOS=N sets how many scenarios. A failing scenario is printed in the
   scenario format. */
#include "unit.h"
#include "lab/lab.h"

#include <stdlib.h>
#include <time.h>

#define EVENTS 72
#define DEFAULT_SCENARIOS 1000
LAB_STORAGE_DEFINE(storage, 16, EVENTS);
static struct lab_scenario scenario;
static struct lab_machine machine;
static struct lab_sim_fpu sim;
static struct lab_fpu_backend backend;
static struct lab_model model;
static struct lab_scenario_context saved_context[16];
static uint64_t rng;

static unsigned next_random(unsigned below)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rng >> 33) % below);
}

static const uint16_t masks[] = {
	LAB_MASK_LEGACY, 1u << LAB_SSE, (1u << LAB_SSE) | (1u << LAB_AVX), LAB_MASK_LEGACY | LAB_MASK_AVX512,
	LAB_MASK_AMX,
};

/* A context of one of the kinds that fit the event, or any. */
static unsigned pick_context(unsigned type)
{
	for (unsigned tries = 0; tries < 32; tries++) {
		unsigned ctx = next_random(scenario.contexts), kind = scenario.context[ctx].kind;
		bool host = kind == LAB_USER || kind == LAB_KTHREAD || kind == LAB_IDLE || kind == LAB_VMM;
		if ((type == LAB_EV_SWITCH || type == LAB_EV_MIGRATE) && host)
			return ctx;
		if (type == LAB_EV_GUEST_SWITCH && (kind == LAB_GUEST_USER || kind == LAB_GUEST_IDLE))
			return ctx;
		if (type == LAB_EV_FORK && kind == LAB_USER)
			return ctx;
	}
	return 0;
}

static void random_event(struct lab_event *e)
{
	static const uint8_t types[] = {
		LAB_EV_SWITCH, LAB_EV_SWITCH, LAB_EV_SWITCH, LAB_EV_USE, LAB_EV_USE, LAB_EV_USE,
		LAB_EV_KFPU_BEGIN, LAB_EV_KFPU_END, LAB_EV_RETURN_USER, LAB_EV_SYSCALL, LAB_EV_KVM_RUN,
		LAB_EV_VM_ENTRY, LAB_EV_VM_ENTRY, LAB_EV_VM_EXIT, LAB_EV_KVM_RETURN, LAB_EV_GUEST_SWITCH,
		LAB_EV_GUEST_SWITCH, LAB_EV_HALT, LAB_EV_WAKE, LAB_EV_SIGNAL, LAB_EV_SIGRETURN, LAB_EV_MIGRATE,
		LAB_EV_FORK, LAB_EV_EXIT, LAB_EV_EXEC,
	};
	memset(e, 0, sizeof *e);
	e->type = types[next_random(sizeof types)];
	e->cpu = (uint8_t)next_random(scenario.cpus);
	e->context = LAB_NONE;
	e->line = scenario.events + 1;
	switch (e->type) {
	case LAB_EV_SWITCH:
	case LAB_EV_GUEST_SWITCH:
		e->context = (uint16_t)pick_context(e->type);
		if (next_random(2))
			e->mask = LAB_MASK_LEGACY;
		else if (e->type == LAB_EV_SWITCH && next_random(3) == 0)
			e->arg = LAB_SWITCH_IN_KERNEL;
		break;
	case LAB_EV_MIGRATE:
	case LAB_EV_FORK:
		e->context = (uint16_t)pick_context(e->type);
		break;
	case LAB_EV_USE:
		e->mask = masks[next_random(sizeof masks / sizeof masks[0])];
		break;
	case LAB_EV_KFPU_BEGIN:
		e->arg = (uint8_t)next_random(2);
		break;
	case LAB_EV_VM_EXIT:
		e->arg = (uint8_t)next_random(LAB_EXIT_REASONS);
		break;
	}
}

/* Appends random events the model accepts (a rejected one is undone). */
static unsigned nested_signals;   /* signals delivered inside a handler, in all scenarios */

static void build(unsigned cpus, unsigned events)
{
	struct lab_parse_error error;

	lab_scenario_parse("random", "cpus 2\ncontext child user\ncontext thread user domain task-a\nmeasure\n",
			   &scenario, &storage, &error);
	scenario.cpus = cpus;
	lab_model_init(&model, &scenario, 0, 0, 0);
	lab_model_step(&model, 0);
	for (unsigned tries = 0; scenario.events < events && tries < 40 * events; tries++) {
		struct lab_model before = model;
		memcpy(saved_context, model.ctx, scenario.contexts * sizeof *model.ctx);
		random_event(&scenario.event[scenario.events++]);
		if (lab_model_step(&model, scenario.events - 1) == 0) {
			const struct lab_event *e = &scenario.event[scenario.events - 1];
			unsigned x = model.current[e->cpu];
			nested_signals += e->type == LAB_EV_SIGNAL && x < scenario.contexts && model.ctx[x].depth >= 2;
			continue;
		}
		model = before;
		memcpy(model.ctx, saved_context, scenario.contexts * sizeof *model.ctx);
		scenario.events--;
	}
}

static void print_scenario(void)
{
	char line[96];
	printf("  # cpus %u\n  # context child user\n  # context thread user domain task-a\n", scenario.cpus);
	for (unsigned i = 0; i < scenario.events; i++) {
		lab_event_format(&scenario, &scenario.event[i], line, sizeof line);
		printf("  # %s\n", line);
	}
}

static unsigned failures;

/* Weights drawn for one scenario: each in 0..2x its default, some 0. */
static struct lab_cost_weights random_weights(void)
{
	const struct lab_cost_weights *d = &lab_default_weights;
	struct lab_cost_weights w;
#define DRAW(field) w.field = next_random(4) == 0 ? 0 : next_random(2 * d->field + 1)
	DRAW(save_base); DRAW(restore_base); DRAW(per_64_bytes); DRAW(nm_trap); DRAW(cr0_write);
	DRAW(msr_write); DRAW(xsetbv); DRAW(vm_exit); DRAW(ipi);
#undef DRAW
	return w;
}

/* The oracle's bounds, part by part (lab/oracle.c). The cost bound holds for the
   configurations not known to be broken: a broken one can lose state the run never
   reads again (lazy-exit-2018's VMM tile data), and so move fewer bytes. */
static const char *below_oracle(const struct lab_config *config, const struct lab_result *r)
{
	const struct lab_counts *c = &r->counts, *o = &r->oracle;
	if (c->saves < o->saves || c->restores < o->restores)
		return "fewer saves or restores than the oracle";
	if (config->expected_corruption)
		return 0;
	if (c->bytes_saved + c->bytes_restored + c->bytes_copied < o->bytes_saved + o->bytes_restored)
		return "fewer bytes moved than the oracle";
	if (c->vm_exits < o->vm_exits)
		return "fewer VM exits than the oracle";
	if (r->cost < r->oracle_cost)
		return "cheaper than the oracle";
	return 0;
}

static void check_runs(unsigned n)
{
	for (unsigned c = 0; c < lab_config_count; c++) {
		const struct lab_config *config = &lab_configs[c];
		struct lab_result r;
		int status;
		const char *problem = 0;

		lab_sim_fpu_backend(&sim, &backend, &storage);
		status = lab_run(config, &scenario, &backend, &machine, &r);
		if (status != 0)
			problem = r.error;
		else if (r.corrupted && !config->expected_corruption)
			problem = "corrupted";
		else if (!r.corrupted)
			problem = below_oracle(config, &r);
		if (!problem)
			continue;
		if (failures++ < 3) {
			printf("  # scenario %u, %s: %s (%u+%u, %u bytes, %u exits, %llu cycles; oracle %u+%u, %u bytes, %u exits, %llu cycles",
			       n, config->name, problem, r.counts.saves, r.counts.restores,
			       r.counts.bytes_saved + r.counts.bytes_restored + r.counts.bytes_copied, r.counts.vm_exits,
			       (unsigned long long)r.cost, r.oracle.saves, r.oracle.restores,
			       r.oracle.bytes_saved + r.oracle.bytes_restored, r.oracle.vm_exits,
			       (unsigned long long)r.oracle_cost);
			if (r.corrupted)
				printf("; %s's %s at line %u, found %s", r.first_context, lab_component_name(r.first.component),
				       (unsigned)r.first.line, r.first_found_by);
			printf(")\n");
			print_scenario();
		}
	}
}

int main(void)
{
	const char *seed_text = getenv("FPULAB_LAB_SEED"), *count_text = getenv("FPULAB_LAB_SCENARIOS");
	uint64_t seed = seed_text ? strtoull(seed_text, 0, 10) : (uint64_t)time(0);
	unsigned count = count_text ? (unsigned)atoi(count_text) : DEFAULT_SCENARIOS, events = 0;

	unit_begin();
	printf("# seed %llu (FPULAB_LAB_SEED=%llu repeats this run), %u scenarios\n", (unsigned long long)seed,
	       (unsigned long long)seed, count);
	rng = seed;
	for (unsigned n = 0; n < count; n++) {
		struct lab_cost_weights weights;
		build(1 + next_random(2), 16 + next_random(EVENTS - 16));
		events += scenario.events;
		weights = random_weights();
		lab_weights_use(&weights);
		check_runs(n);
		lab_weights_use(0);
	}
	printf("# %u events in all, %u of them signals inside a handler\n", events, nested_signals);
	CHECK("property/scenarios-are-long-enough", events >= count * 16);
	CHECK("property/nested-signals-occur", nested_signals > 0);
	CHECK("property/no-policy-beats-the-oracle-and-only-known-broken-ones-corrupt", failures == 0);
	return unit_end();
}
