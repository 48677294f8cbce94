/* The policy lab's test points (docs/lab.md): every configuration x scenario with its
   `lab` record on the simulated backend (lab/scenarios) and on the build's real one
   (lab/backend/hosted, lab/backend/metal), the claims, fpulab's policy against the
   others, and the mutants. Not portable code: it prints through the runner. */
#include "lab/lab.h"
#include "lab/lab_tests.h"
#include "lab/lab_coverage.h"
#include "lab/backends/platform.h"
#include "support/harness.h"
#include "console.h"
#include "test_runner.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/kernel_args.h"
#include "lib/string.h"

#define MAX_CONFIGS 16
#define MAX_SCENARIOS 12

/* The shipped scenarios: at most 12 contexts (what real registers have areas for)
   and 96 events. */
LAB_STORAGE_DEFINE(storage, 16, 96);
static struct lab_machine machine;
static struct lab_scenario scenario;
static struct lab_sim_fpu sim;
static struct lab_fpu_backend sim_backend, platform_backend;
static struct lab_fpu_backend *backend = &sim_backend;   /* what run_one runs on */
static char record[2048];

static const char *choice_name(enum lab_backend_choice choice)
{
	return choice == LAB_BACKEND_SIMULATED ? "sim" : choice == LAB_BACKEND_HOSTED ? "hosted"
	       : choice == LAB_BACKEND_METAL ? "metal" : "all";
}

/* Whether backend=... selects this backend; else the test is skipped, with why. */
static bool backend_selected(struct test_result *result, enum lab_backend_choice mine)
{
	enum lab_backend_choice choice = runner_args()->lab_backend;

	if (choice == LAB_BACKEND_ALL || choice == mine)
		return true;
	test_skip(result, "backend=%s selected; this test runs on backend=%s", choice_name(choice),
		  choice_name(mine));
	return false;
}

/* The claims, mutants and the table run on the simulated backend. */
static bool simulated_backend_selected(struct test_result *result)
{
	return backend_selected(result, LAB_BACKEND_SIMULATED);
}

static void backend_init(void)
{
	if (backend == &sim_backend)
		lab_sim_fpu_backend(&sim, &sim_backend, &storage);
}

/* Parses the scenario (into the static one) and runs config on it. */
static int run_one(const struct lab_config *config, const char *name, struct lab_result *r,
		   struct test_result *result)
{
	struct lab_parse_error error;
	const char *text = lab_scenario_text_of(name);

	backend_init();
	if (!config)
		return test_fail(result, "no configuration for %s", name), -1;
	if (!text)
		return test_fail(result, "no scenario %s", name), -1;
	if (strcmp(scenario.name, name) != 0 || !scenario.events) {
		if (lab_scenario_parse(name, text, &scenario, &storage, &error) != 0) {
			test_fail(result, "scenario %s line %u: %s", name, error.line, error.message);
			scenario.name[0] = 0;
			return -1;
		}
	}
	if (lab_run(config, &scenario, backend, &machine, r) != 0)
		return test_fail(result, "%s on %s: %s", config->name, name, r->error), -1;
	return 0;
}

static void emit_lab(const struct lab_result *r)
{
	struct json_writer writer;
	json_begin(&writer, record, sizeof record);
	lab_record_write(r, &writer);
	record_emit("lab", &writer);
}

static void comment_sink(void *context, const char *line)
{
	(void)context;
	kprintf("%s\n", line);
}

void lab_test_scenario_format(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	struct lab_parse_error error;

	for (unsigned i = 0; i < lab_scenario_count; i++)
		if (lab_scenario_parse(lab_scenarios[i].name, lab_scenarios[i].text, &scenario, &storage, &error) != 0)
			return test_fail(result, "shipped scenario %s line %u: %s", lab_scenarios[i].name,
					 error.line, error.message);
	for (unsigned i = 0; i < lab_extra_scenario_count; i++)
		if (lab_scenario_parse(lab_extra_scenarios[i].name, lab_extra_scenarios[i].text, &scenario, &storage,
				       &error) != 0)
			return test_fail(result, "shipped scenario %s line %u: %s", lab_extra_scenarios[i].name,
					 error.line, error.message);
	if (lab_scenario_parse("bad", "switch cpu0 vmm\nuse cpu0\nfrobnicate cpu0\n", &scenario, &storage, &error) == 0 ||
	    error.line != 3)
		return test_fail(result, "a bad event on line 3 was not reported on line 3 (line %u)", error.line);
	scenario.name[0] = 0;
}

static uint64_t matrix_cycles;   /* measured by the backend over the last matrix */
static struct lab_cell cells[MAX_CONFIGS * MAX_SCENARIOS], oracle_cells[MAX_SCENARIOS];
static const char *config_names[MAX_CONFIGS], *scenario_names[MAX_SCENARIOS];

/* Runs every configuration x scenario; emit: print the `lab` records. */
static void run_matrix(struct test_result *result, bool emit, unsigned *configs_out, unsigned *scenarios_out)
{
	unsigned configs = lab_config_count < MAX_CONFIGS ? lab_config_count : MAX_CONFIGS;
	unsigned scenarios = lab_scenario_count < MAX_SCENARIOS ? lab_scenario_count : MAX_SCENARIOS;
	unsigned unexpected = 0, missed = 0, below = 0, errors = 0, untimed = 0, unexposed_expected = 0, flagged = 0;
	struct lab_result r;

	matrix_cycles = 0;

	for (unsigned s = 0; s < scenarios; s++) {
		scenario_names[s] = lab_scenarios[s].name;
		for (unsigned c = 0; c < configs; c++) {
			config_names[c] = lab_configs[c].name;
			if (run_one(&lab_configs[c], lab_scenarios[s].name, &r, result) != 0) {
				errors++;   /* r may be the previous run's: the cell says error, nothing else */
				cells[c * scenarios + s] = (struct lab_cell){ .state = LAB_CELL_ERROR };
				continue;
			}
			if (emit)
				emit_lab(&r);
			if (backend->cycles) {
				uint64_t cycles = backend->cycles(backend->self);
				matrix_cycles += cycles;
				if (!cycles && (r.counts.saves || r.counts.restores)) {
					untimed++;
					test_diagnostic(result, "untimed", "\"%s on %s: %u+%u with no cycles measured\"",
							r.config, r.scenario, r.counts.saves, r.counts.restores);
				}
			}
			lab_cell_from(&cells[c * scenarios + s], &r);
			lab_oracle_cell_add(&oracle_cells[s], &r, c == 0);
			if (r.exposures && !r.configuration->exposed) {
				unexposed_expected++;
				test_diagnostic(result, "unexpected_exposure", "\"%s on %s: %s ran with %s's %s at line %u\"",
						r.config, r.scenario, r.exposure_context, r.exposure_holder,
						lab_component_name(r.first_exposure.component),
						(unsigned)r.first_exposure.line);
			}
			if (r.exposure_checked && r.configuration->exposed)
				flagged += r.exposures != 0;
			if (r.corrupted && !r.expected_corruption) {
				unexpected++;
				test_diagnostic(result, "unexpected_corruption", "\"%s on %s: %s %s at line %u\"",
						r.config, r.scenario, r.first_context,
						lab_component_name(r.first.component), (unsigned)r.first.line);
			}
			if (!r.corrupted && r.expected_corruption) {
				missed++;
				test_diagnostic(result, "missed_corruption", "\"%s on %s\"", r.config, r.scenario);
			}
			if (!r.corrupted && (r.counts.saves < r.oracle.saves || r.counts.restores < r.oracle.restores)) {
				below++;
				test_diagnostic(result, "below_oracle", "\"%s on %s: %u+%u < %u+%u\"", r.config,
						r.scenario, r.counts.saves, r.counts.restores, r.oracle.saves,
						r.oracle.restores);
			}
			/* the cost bound counts the simulated FPU's sizes; real backends move others */
			if (!r.corrupted && !r.configuration->expected_corruption && backend == &sim_backend &&
			    r.cost < r.oracle_cost) {
				below++;
				test_diagnostic(result, "below_oracle", "\"%s on %s: %llu cycles < %llu\"", r.config,
						r.scenario, (unsigned long long)r.cost, (unsigned long long)r.oracle_cost);
			}
		}
	}
	*configs_out = configs;
	*scenarios_out = scenarios;
	if (errors)
		return;   /* the first error is the reason already */
	if (configs < LAB_MIN_CONFIGURATIONS || scenarios < LAB_MIN_SCENARIOS)
		return test_fail(result, "only %u configurations x %u scenarios", configs, scenarios);
	if (unexpected || missed || below)
		return test_fail(result, "%u unexpected corruptions, %u expected ones not detected, %u runs below the oracle",
				 unexpected, missed, below);
	if (unexposed_expected)
		return test_fail(result, "%u runs exposed another domain's state under a policy not known to",
				 unexposed_expected);
	for (unsigned c = 0; c < configs && backend->peek; c++)
		if (lab_configs[c].exposed && !flagged)
			return test_fail(result, "%s is known to expose state, and no run flagged it", lab_configs[c].name);
	if (untimed)
		return test_fail(result, "%u runs with saves or restores but no measured cycles", untimed);
}

void lab_test_scenarios(struct test_result *result)
{
	unsigned configs, scenarios;

	if (!simulated_backend_selected(result))
		return;
	run_matrix(result, true, &configs, &scenarios);
	kprintf("# lab: simulated backend: %u configurations x %u scenarios\n", configs, scenarios);
}

void lab_test_table(struct test_result *result)
{
	unsigned configs, scenarios;

	if (!simulated_backend_selected(result))
		return;
	run_matrix(result, false, &configs, &scenarios);
	lab_table(cells, oracle_cells, configs, scenarios, config_names, scenario_names, comment_sink, 0);
}

static void claim_side(struct json_writer *w, const char *key, const struct lab_result *r)
{
	json_object_begin(w, key);
	json_string(w, "policy", r->config);
	json_string(w, "origin", r->origin);
	json_string(w, "scenario", r->scenario);
	json_uint(w, "saves", r->counts.saves);
	json_uint(w, "restores", r->counts.restores);
	json_string(w, "verdict", r->corrupted ? "corrupted" : "intact");
	if (r->corrupted)
		json_string(w, "corrupted_context", r->first_context);
	json_object_end(w);
}

static void claim_begin(struct json_writer *w, const char *id, const char *claim, const char *verdict)
{
	json_begin(w, record, sizeof record);
	json_int(w, "schema", 1);
	json_string(w, "id", id);
	json_string(w, "claim", claim);
	json_string(w, "verdict", verdict);
	json_string(w, "backend", "simulated");
}

void lab_test_claim_c1(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	struct lab_result before, after;
	struct json_writer w;
	bool reproduced;

	if (run_one(lab_config_find("eager+kvm-2015"), "idle-wake", &before, result) != 0 ||
	    run_one(lab_config_find("deferred+kvm-2015"), "idle-wake", &after, result) != 0)
		return;
	reproduced = before.counts.saves == 6 && before.counts.restores == 6 && after.counts.saves == 2 &&
		     after.counts.restores == 1 && !before.corrupted && !after.corrupted;
	claim_begin(&w, "C1", "idle-wake: 6 saves + 6 restores under the 2015 eager code, 2 + 1 with deferred loading",
		    reproduced ? "reproduced" : "not reproduced");
	claim_side(&w, "before", &before);
	claim_side(&w, "after", &after);
	record_emit("claim", &w);
	if (!reproduced)
		test_fail(result, "C1 not reproduced: %u+%u before, %u+%u after", before.counts.saves,
			  before.counts.restores, after.counts.saves, after.counts.restores);
}

void lab_test_claim_c3(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	struct lab_result before[2], after[2];
	static const char *const names[2] = { "idle-wake", "kthread-preempt" };
	struct json_writer w;
	bool reproduced = true;

	for (unsigned i = 0; i < 2; i++) {
		if (run_one(lab_config_find("deferred+kvm-2015"), names[i], &before[i], result) != 0 ||
		    run_one(lab_config_find("deferred+resident-owner"), names[i], &after[i], result) != 0)
			return;
		reproduced = reproduced && after[i].counts.restores < before[i].counts.restores &&
			     !after[i].corrupted && !before[i].corrupted;
	}
	claim_begin(&w, "C3", "keeping the vCPU FPU resident avoids the reload when nothing else used the registers",
		    reproduced ? "reproduced" : "not reproduced");
	claim_side(&w, "before", &before[0]);
	claim_side(&w, "after", &after[0]);
	claim_side(&w, "before_kthread", &before[1]);
	claim_side(&w, "after_kthread", &after[1]);
	record_emit("claim", &w);
}

void lab_test_claim_c4(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	struct lab_result naive, tracked, fpulab;
	struct json_writer w;
	bool reproduced;

	if (run_one(lab_config_find("deferred+lazy-exit-2018"), "softirq-kfpu", &naive, result) != 0 ||
	    run_one(lab_config_find("deferred+foreign-state-2024"), "softirq-kfpu", &tracked, result) != 0 ||
	    run_one(lab_config_find("fpulab"), "softirq-kfpu", &fpulab, result) != 0)
		return;
	reproduced = naive.corrupted && !tracked.corrupted && !fpulab.corrupted;
	claim_begin(&w, "C4", "kernel FPU use in a softirq between exit and entry corrupts guest state unless the policy tracks ownership",
		    reproduced ? "reproduced" : "not reproduced");
	claim_side(&w, "before", &naive);
	claim_side(&w, "after", &tracked);
	claim_side(&w, "fpulab", &fpulab);
	record_emit("claim", &w);
	if (!reproduced)
		test_fail(result, "C4: untracked policy %s, tracking policies %s/%s",
			  naive.corrupted ? "corrupted" : "intact", tracked.corrupted ? "corrupted" : "intact",
			  fpulab.corrupted ? "corrupted" : "intact");
}

static const char *weight_from[LAB_WEIGHTS];   /* the benchmark each weight came from, or 0 */

/* C5 (seed 001): what XFD costs a vCPU: the IA32_XFD writes around entry and exit and
   the interception of the guest's #NM. The first AMX use and the exit-heavy trace run
   on the backend with real XFD under xfd-dynamic (guest IA32_XFD passed through, every
   guest #NM intercepted) and k2 (every guest IA32_XFD write exits), and their XFD
   writes and exits are costed with the WRMSR and VM-exit costs this run measured. */
void lab_test_claim_c5(struct test_result *result)
{
	static const char *const configs[2] = { "deferred+xfd-dynamic", "deferred+k2-single-swap-buffer" };
	static const char *const names[2] = { "amx-first-use", "exit-heavy" };
	const struct lab_platform_backend *platform = lab_platform_backend();
	const char *missing = !platform || !platform->real_xfd_missing ? "this build has no backend on real registers"
				: platform->real_xfd_missing();
	const struct lab_cost_weights *weights = lab_weights();
	struct lab_result r;
	struct json_writer w;
	char why[128];

	if (missing)
		return test_skip(result, "C5 needs IA32_XFD on real hardware: %s", missing);
	if (!backend_selected(result, LAB_BACKEND_METAL))
		return;
	if (!weight_from[LAB_WEIGHT_MSR] || !weight_from[LAB_WEIGHT_VM_EXIT])
		return test_skip(result, "C5 needs the IA32_XFD write and VM exit costs measured in this run "
				 "(xfd/wrmsr-xfd-same-value, vm/bench/hypercall)");
	if (platform->open(&platform_backend, why, sizeof why) != 0)
		return test_skip(result, "%s backend: %s", platform->name, why);
	backend = &platform_backend;
	json_begin(&w, record, sizeof record);
	json_int(&w, "schema", 1);
	json_string(&w, "id", "C5");
	json_string(&w, "claim", "the cost of XFD switching on entry and exit and of intercepting the guest's #NM");
	json_string(&w, "verdict", "measured");
	json_string(&w, "backend", platform->name);
	json_uint(&w, "msr_write_ticks", weights->msr_write);
	json_uint(&w, "vm_exit_ticks", weights->vm_exit);
	for (unsigned c = 0; c < 2; c++) {
		struct lab_counts total = { 0 };
		for (unsigned n = 0; n < 2; n++) {
			if (run_one(lab_config_find(configs[c]), names[n], &r, result) != 0)
				goto out;
			if (r.corrupted)
				test_fail(result, "C5: %s corrupted %s on the %s backend", configs[c], names[n], platform->name);
			total.xfd_writes += r.counts.xfd_writes;
			total.vm_exits += r.counts.vm_exits;
			total.nm_traps += r.counts.nm_traps;
		}
		json_object_begin(&w, c == 0 ? "passthrough" : "exiting");
		json_string(&w, "policy", configs[c]);
		json_uint(&w, "xfd_writes", total.xfd_writes);
		json_uint(&w, "vm_exits", total.vm_exits);
		json_uint(&w, "nm_traps", total.nm_traps);
		json_uint(&w, "xfd_write_ticks", (uint64_t)total.xfd_writes * weights->msr_write);
		json_uint(&w, "vm_exit_ticks", (uint64_t)total.vm_exits * weights->vm_exit);
		json_object_end(&w);
	}
	record_emit("claim", &w);
out:
	platform->close(&platform_backend);
	backend = &sim_backend;
}

void lab_test_claim_c6(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	static const char *const names[] = { "idle-wake", "kthread-preempt", "softirq-kfpu", "vmm-exit", "migrate" };
	static const char *const configs[3] = { "deferred+k1-swap-at-run", "deferred+k2-single-swap-buffer", "fpulab" };
	uint32_t ops[3] = { 0, 0, 0 };
	struct lab_result r;
	struct json_writer w;
	const char *verdict;

	for (unsigned c = 0; c < 3; c++)
		for (unsigned s = 0; s < sizeof names / sizeof names[0]; s++) {
			if (run_one(lab_config_find(configs[c]), names[s], &r, result) != 0)
				return;
			ops[c] += r.counts.saves + r.counts.restores;
		}
	verdict = ops[1] < ops[0] ? "reproduced" : ops[2] < ops[0]
		? "not reproduced by k2 as shipped (same saves and restores as k1); reproduced by a remap (fpulab)"
		: "not reproduced";
	claim_begin(&w, "C6", "swapping one buffer at vCPU entry/exit (K2) instead of two full context switches (K1)", verdict);
	json_string(&w, "scenarios", "idle-wake,kthread-preempt,softirq-kfpu,vmm-exit,migrate");
	json_object_begin(&w, "before");
	json_string(&w, "policy", configs[0]);
	json_uint(&w, "operations", ops[0]);
	json_object_end(&w);
	json_object_begin(&w, "after");
	json_string(&w, "policy", configs[1]);
	json_uint(&w, "operations", ops[1]);
	json_object_end(&w);
	json_object_begin(&w, "remap");
	json_string(&w, "policy", configs[2]);
	json_uint(&w, "operations", ops[2]);
	json_object_end(&w);
	record_emit("claim", &w);
}

/* The modelled cost's weights from this run's benchmarks (lab/cost_weights.c): every
   later lab record is costed with them and says so; the `weights` record lists each
   weight with the benchmark it came from. */
void lab_test_cost_weights(struct test_result *result)
{
	struct lab_cost_weights weights;
	struct lab_weight_sources sources;
	struct json_writer w;

	if (!lab_weights_measured(harness_recorded_median, &weights, &sources)) {
		lab_weights_use(0);
		memset(weight_from, 0, sizeof weight_from);
		return test_skip(result, "no primitive benchmark ran before it (only=...): the lab's "
				 "costs use the documented default weights");
	}
	if (sources.from[LAB_WEIGHT_SAVE] && (!weights.save_base || !weights.restore_base))
		return test_fail(result, "measured XSAVEOPT %u / XRSTOR %u ticks: a save or restore cannot be free",
				 weights.save_base, weights.restore_base);
	lab_weights_use(&weights);
	memcpy(weight_from, sources.from, sizeof weight_from);
	json_begin(&w, record, sizeof record);
	json_int(&w, "schema", 1);
	json_string(&w, "source", sources.measured == LAB_WEIGHTS ? "measured" : "measured+default");
	json_object_begin(&w, "weights");
	for (unsigned i = 0; i < LAB_WEIGHTS; i++) {
		json_object_begin(&w, lab_weight_names[i]);
		json_uint(&w, "ticks", *lab_weight_at(&weights, i));
		json_string(&w, "from", sources.from[i] ? sources.from[i] : "default");
		json_object_end(&w);
	}
	json_object_end(&w);
	record_emit("weights", &w);
}

/* Every configuration's saves+restores and modelled cycles over the nine scenarios,
   and the oracle's operations (the lowest of each scenario's runs); *mine: fpulab's
   index. -1 when a run failed or fpulab corrupts (the result says which). */
static uint64_t ops[MAX_CONFIGS], cost[MAX_CONFIGS], oracle_ops, oracle_cost;
static bool intact_everywhere[MAX_CONFIGS];
/* Per scenario: the oracle's cell (the lowest of the runs' oracles), fpulab's counts and cost. */
static struct lab_cell oracle_of[MAX_SCENARIOS];
static struct lab_counts mine_counts[MAX_SCENARIOS];
static uint64_t mine_cost[MAX_SCENARIOS];

static int policy_totals(struct test_result *result, unsigned *configs_out, unsigned *mine_out)
{
	const struct lab_config *mine = lab_config_find("fpulab");
	unsigned configs = lab_config_count < MAX_CONFIGS ? lab_config_count : MAX_CONFIGS;
	unsigned scenarios = lab_scenario_count < MAX_SCENARIOS ? lab_scenario_count : MAX_SCENARIOS;
	struct lab_result r;

	if (!mine)
		return test_fail(result, "no fpulab configuration"), -1;
	for (unsigned c = 0; c < configs; c++) {
		ops[c] = cost[c] = 0;
		intact_everywhere[c] = true;
		for (unsigned s = 0; s < scenarios; s++) {
			if (run_one(&lab_configs[c], lab_scenarios[s].name, &r, result) != 0)
				return -1;
			intact_everywhere[c] = intact_everywhere[c] && !r.corrupted;
			if (&lab_configs[c] == mine && r.corrupted)
				return test_fail(result, "fpulab's policy corrupts %s in %s", r.first_context, r.scenario), -1;
			ops[c] += r.counts.saves + r.counts.restores;
			cost[c] += r.cost;
			lab_oracle_cell_add(&oracle_of[s], &r, c == 0);
			if (&lab_configs[c] == mine) {
				mine_counts[s] = r.counts;
				mine_cost[s] = r.cost;
			}
		}
		if (&lab_configs[c] == mine)
			*mine_out = c;
	}
	oracle_ops = oracle_cost = 0;
	for (unsigned s = 0; s < scenarios; s++) {
		oracle_ops += oracle_of[s].saves + oracle_of[s].restores;
		oracle_cost += oracle_of[s].cost;
	}
	*configs_out = configs;
	return 0;
}

void lab_test_fpulab_policy_is_best(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	unsigned configs, best = 0;

	if (policy_totals(result, &configs, &best) != 0)
		return;
	test_diagnostic(result, "fpulab", "{ operations: %llu, cycles: %llu }", (unsigned long long)ops[best],
			(unsigned long long)cost[best]);
	for (unsigned c = 0; c < configs; c++) {
		if (c == best)
			continue;
		if (ops[c] <= ops[best] || cost[c] <= cost[best])
			return test_fail(result, "%s needs %llu operations / %llu cycles, fpulab %llu / %llu",
					 lab_configs[c].name, (unsigned long long)ops[c], (unsigned long long)cost[c],
					 (unsigned long long)ops[best], (unsigned long long)cost[best]);
	}
	kprintf("# lab: fpulab's policy: %llu saves+restores, %llu modelled cycles (%s weights) over all scenarios; lowest of %u configurations\n",
		(unsigned long long)ops[best], (unsigned long long)cost[best],
		lab_weights() == &lab_default_weights ? "default" : "measured", configs);
}

/* x.yy of a over b, for the `# lab:` lines; n/a when b is 0 */
static void ratio_text(uint64_t a, uint64_t b, char *text, size_t size)
{
	if (!b)
		return (void)format_string(text, size, "n/a");
	format_string(text, size, "%llu.%02llu", (unsigned long long)(a / b), (unsigned long long)(a * 100 / b % 100));
}

/* The lowest operations and cycles of the other configurations intact everywhere, in
   the last policy_totals. */
static void best_other(unsigned configs, unsigned mine, uint64_t *best_ops, uint64_t *best_cost)
{
	*best_ops = *best_cost = ~0ull;
	for (unsigned c = 0; c < configs; c++)
		if (c != mine && intact_everywhere[c]) {
			*best_ops = ops[c] < *best_ops ? ops[c] : *best_ops;
			*best_cost = cost[c] < *best_cost ? cost[c] : *best_cost;
		}
}

/* The scenarios where fpulab's cost is above the lowest oracle's, the largest excess
   first, as "amx-first-use +3456, vmm-exit +1216, ..."; "none" if there is none. */
static void scenarios_by_excess(unsigned scenarios, char *text, unsigned size)
{
	bool listed[MAX_SCENARIOS] = { false };
	unsigned used = 0;

	for (unsigned n = 0; n < scenarios && used + 1 < size; n++) {
		unsigned top = scenarios;
		for (unsigned s = 0; s < scenarios; s++)
			if (!listed[s] && mine_cost[s] > oracle_of[s].cost &&
			    (top == scenarios || mine_cost[s] - oracle_of[s].cost > mine_cost[top] - oracle_of[top].cost))
				top = s;
		if (top == scenarios)
			break;
		listed[top] = true;
		used += (unsigned)format_string(text + used, size - used, "%s%s +%llu", used ? ", " : "",
						lab_scenarios[top].name,
						(unsigned long long)(mine_cost[top] - oracle_of[top].cost));
	}
	if (!used)
		format_string(text, size, "none");
}

/* Where fpulab's cycles above the oracle's bound go, in the last policy_totals: by
   part of the cost (lab_cost_parts, at the weights w those totals were run with) and
   by scenario. */
static void report_excess(const char *weights, const struct lab_cost_weights *w, unsigned mine)
{
	unsigned scenarios = lab_scenario_count < MAX_SCENARIOS ? lab_scenario_count : MAX_SCENARIOS;
	int64_t parts[LAB_COST_PARTS] = { 0 }, mine_part[LAB_COST_PARTS], oracle_part[LAB_COST_PARTS];
	char text[192], by_scenario[256];

	for (unsigned s = 0; s < scenarios; s++) {
		lab_cost_parts(&mine_counts[s], w, mine_part);
		lab_cost_parts(&oracle_of[s].counts, w, oracle_part);
		for (unsigned i = 0; i < LAB_COST_PARTS; i++)
			parts[i] += mine_part[i] - oracle_part[i];
	}
	lab_cost_parts_text(parts, text, sizeof text);
	scenarios_by_excess(scenarios, by_scenario, sizeof by_scenario);
	kprintf("# lab: fpulab's policy (%s weights): %lld cycles above the oracle's bound: %s; by scenario: %s\n",
		weights, (long long)(cost[mine] - oracle_cost), text, by_scenario);
}

/* fpulab against the oracle and the best other, in the last policy_totals. */
static void report_goal(const char *weights, const struct lab_cost_weights *w, unsigned configs, unsigned mine)
{
	char to_oracle[16], ops_to_oracle[16], to_best[16], ops_to_best[16];
	uint64_t best_ops, best_cost;

	best_other(configs, mine, &best_ops, &best_cost);
	ratio_text(cost[mine], oracle_cost, to_oracle, sizeof to_oracle);
	ratio_text(ops[mine], oracle_ops, ops_to_oracle, sizeof ops_to_oracle);
	ratio_text(cost[mine], best_cost, to_best, sizeof to_best);
	ratio_text(ops[mine], best_ops, ops_to_best, sizeof ops_to_best);
	kprintf("# lab: fpulab's policy (%s weights): %llu modelled cycles, %s x the oracle's bound (%llu), %s x the best other intact configuration (%llu); %llu saves+restores, %s x the oracle (%llu), %s x the best other (%llu)\n",
		weights, (unsigned long long)cost[mine], to_oracle, (unsigned long long)oracle_cost, to_best,
		(unsigned long long)best_cost, (unsigned long long)ops[mine], ops_to_oracle,
		(unsigned long long)oracle_ops, ops_to_best, (unsigned long long)best_ops);
	report_excess(weights, w, mine);
}

/* The goal (docs/lab.md, "fpulab's policy against the others and the oracle"), the
   half that can be met: fpulab's modelled cycles over the nine scenarios at most 1.2 of
   the oracle's lower bound, under the default weights (counts times fixed weights:
   exact on every platform). The rest is reported, under the default weights and,
   where the run measured them, under its own: its saves+restores against the oracle's
   and the best other intact configuration's, and its cycles against that
   configuration's, which no policy can bring to 0.8 (the bound itself is above it). */
void lab_test_fpulab_policy_goal(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	unsigned configs, mine = 0;
	uint64_t best_ops, best_cost;
	struct lab_cost_weights run_weights = *lab_weights();
	bool measured = lab_weights() != &lab_default_weights;
	int status;

	/* reported, not checked: the measured weights of an emulator are not a machine's */
	if (measured && policy_totals(result, &configs, &mine) == 0)
		report_goal("this run's measured", lab_weights(), configs, mine);
	lab_weights_use(0);
	status = policy_totals(result, &configs, &mine);
	lab_weights_use(measured ? &run_weights : 0);
	if (status != 0)
		return;
	best_other(configs, mine, &best_ops, &best_cost);
	test_diagnostic(result, "goal", "{ fpulab: { cycles: %llu, operations: %llu }, oracle: { cycles: %llu, operations: %llu }, best_other: { cycles: %llu, operations: %llu } }",
			(unsigned long long)cost[mine], (unsigned long long)ops[mine], (unsigned long long)oracle_cost,
			(unsigned long long)oracle_ops, (unsigned long long)best_cost, (unsigned long long)best_ops);
	if (!oracle_cost || cost[mine] * 10 > oracle_cost * 12)
		return test_fail(result, "fpulab's modelled cost is %llu cycles, more than 1.2 x the oracle's bound of %llu",
				 (unsigned long long)cost[mine], (unsigned long long)oracle_cost);
	report_goal("default", &lab_default_weights, configs, mine);
}

static void mutant(struct test_result *result, const char *name)
{
	const struct lab_config *config = 0;
	struct lab_result r;

	if (!simulated_backend_selected(result))
		return;
	for (unsigned i = 0; i < lab_mutant_count; i++)
		if (strcmp(lab_mutants[i].name, name) == 0)
			config = &lab_mutants[i];
	if (!config)
		return test_fail(result, "no mutant %s", name);
	if (config->caught_by == LAB_CAUGHT_BY_VALIDATION)
		return test_skip(result, "caught by validating the recorded capture %s (tools/fpulab-trace)",
				 config->expected_corruption);
	if (run_one(config, config->expected_corruption, &r, result) != 0)
		return;
	if (config->caught_by == LAB_CAUGHT_BY_EXPOSURE) {
		if (!r.exposures)
			return test_fail(result, "mutant %s (%s) not caught in %s", name, config->why, r.scenario);
		kprintf("# lab: mutant %s caught in %s: %s ran with %s's %s at line %u\n", name, r.scenario,
			r.exposure_context, r.exposure_holder, lab_component_name(r.first_exposure.component),
			(unsigned)r.first_exposure.line);
		return;
	}
	if (!r.corrupted)
		return test_fail(result, "mutant %s (%s) not caught in %s", name, config->why, r.scenario);
	kprintf("# lab: mutant %s caught in %s: %s %s at line %u\n", name, r.scenario, r.first_context,
		lab_component_name(r.first.component), (unsigned)r.first.line);
}

void lab_test_mutant_restore_skipped(struct test_result *result) { mutant(result, "restore-skipped"); }
void lab_test_mutant_save_skipped(struct test_result *result) { mutant(result, "save-skipped"); }
void lab_test_mutant_kfpu_keeps_owner(struct test_result *result) { mutant(result, "kfpu-keeps-owner"); }
void lab_test_mutant_xfd_after_xrstor(struct test_result *result) { mutant(result, "xfd-after-xrstor"); }
void lab_test_mutant_no_last_cpu_check(struct test_result *result) { mutant(result, "no-last-cpu-check"); }
void lab_test_mutant_signal_frame_from_stale_registers(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	mutant(result, "signal-frame-from-stale-registers");
}
void lab_test_mutant_fpulab_kfpu_keeps_owner(struct test_result *result)
{
	if (!simulated_backend_selected(result))
		return;
	mutant(result, "fpulab-kfpu-keeps-owner");
}
void lab_test_mutant_fork_shares_parent_registers(struct test_result *result)
{
	mutant(result, "fork-shares-parent-registers");
}
void lab_test_mutant_recycled_context_keeps_last_cpu(struct test_result *result)
{
	mutant(result, "recycled-context-keeps-last-cpu");
}
void lab_test_mutant_lazy_ts_skips_ts_set(struct test_result *result) { mutant(result, "lazy-ts-skips-ts-set"); }
void lab_test_mutant_fpulab_lazy_for_every_task(struct test_result *result)
{
	mutant(result, "fpulab-lazy-for-every-task");
}
void lab_test_mutant_fpulab_frame_copy_skips_ipi(struct test_result *result)
{
	mutant(result, "fpulab-frame-copy-skips-ipi");
}
void lab_test_mutant_xfd_not_rearmed(struct test_result *result) { mutant(result, "xfd-not-rearmed"); }

/* The mutants a run on backend can catch: the corruption checker's, and the exposure
   check's where the backend can read its registers back. */
static unsigned mutants_for_backend(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < lab_mutant_count; i++)
		n += lab_mutants[i].caught_by == LAB_CAUGHT_BY_CORRUPTION ||
		     (lab_mutants[i].caught_by == LAB_CAUGHT_BY_EXPOSURE && backend->peek);
	return n;
}

/* The backend's XINUSE (fpulab's bet prices the guest with it), held against the
   XSTATE_BV an XSAVE writes at the same moment (the SDM lets a CPU report an init
   component as in use, QEMU TCG reports every one, but both must agree), after the
   init state is loaded and after the workload writes x87, SSE and AVX, which must
   then be in use. On each scenario CPU: CPU 1 is the second real CPU where the
   backend has one (the lab record's "cpus"). */
static int check_in_use_on(struct test_result *result, const char *name, unsigned cpu, uint32_t in_use[2])
{
	uint32_t expect[LAB_COMPONENTS] = { 0 }, write[LAB_COMPONENTS], saved[2];
	struct lab_check check;

	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		write[c] = 0x5eed0000u + c;
	backend->clear_ts(backend->self, cpu);
	for (unsigned round = 0; round < 2; round++) {
		backend->restore_init(backend->self, cpu, LAB_MASK_ALL);
		if (round == 1 && backend->execute(backend->self, cpu, LAB_MASK_LEGACY, expect, write, &check) != 0) {
			test_fail(result, "%s backend: the workload faulted on CPU %u with CR0.TS clear", name, cpu);
			return -1;
		}
		in_use[round] = backend->in_use(backend->self, cpu);
		saved[round] = backend->save(backend->self, cpu, 0, 0, LAB_MASK_ALL);
	}
	backend->restore_init(backend->self, cpu, LAB_MASK_ALL);
	if (lab_area_bytes(in_use[0]) != saved[0] || lab_area_bytes(in_use[1]) != saved[1] ||
	    !((in_use[1] >> LAB_AVX) & 1)) {
		test_fail(result, "%s backend: on CPU %u XINUSE reads 0x%x after the init state (an XSAVE wrote %u bytes) and 0x%x after AVX was written (%u bytes)",
			  name, cpu, in_use[0], saved[0], in_use[1], saved[1]);
		return -1;
	}
	return 0;
}

static void check_in_use(struct test_result *result, const char *name)
{
	uint32_t in_use[2][2];

	if (!backend->in_use) {
		kprintf("# lab: %s backend: no XINUSE (CPUID.(EAX=0DH,ECX=1):EAX.XGETBV1[2]=0): fpulab's VMM bet prices the guest at every component\n",
			name);
		return;
	}
	backend->reset(backend->self, 2);
	for (unsigned cpu = 0; cpu < 2; cpu++)
		if (check_in_use_on(result, name, cpu, in_use[cpu]) != 0)
			return;
	kprintf("# lab: %s backend: XINUSE agrees with XSAVE on scenario CPUs 0 and 1: 0x%x and 0x%x after the init state, 0x%x and 0x%x after x87, SSE and AVX were written\n",
		name, in_use[0][0], in_use[1][0], in_use[0][1], in_use[1][1]);
}

/* Every configuration through scenario on the backend called name; a corruption
   fails the test. Returns the configurations that kept every state intact. */
static unsigned configs_intact_on(struct test_result *result, const char *name, const char *scenario)
{
	unsigned held = 0;
	struct lab_result r;

	for (unsigned c = 0; c < lab_config_count; c++) {
		if (run_one(&lab_configs[c], scenario, &r, result) != 0)
			continue;
		if (r.corrupted)
			test_fail(result, "%s backend: %s corrupts %s's %s at line %u of %s", name, r.config,
				  r.first_context, lab_component_name(r.first.component), (unsigned)r.first.line,
				  scenario);
		else
			held++;
	}
	return held;
}

/* Nested signal handlers on real registers: every configuration keeps each level's
   state in a frame of its own (real XSAVE areas, one per level), and seed 003's stale
   frame taken inside handler 1 is caught (*caught), as on the simulated backend.
   Returns the configurations that kept every level. */
static unsigned check_nested_frames(struct test_result *result, const char *name, bool *caught)
{
	const struct lab_config *stale = 0;
	unsigned held = configs_intact_on(result, name, "nested-signals");
	struct lab_result r;
	for (unsigned i = 0; i < lab_mutant_count; i++)
		if (strcmp(lab_mutants[i].name, "signal-frame-from-stale-registers") == 0)
			stale = &lab_mutants[i];
	*caught = stale && run_one(stale, "nested-signals", &r, result) == 0 && r.corrupted;
	if (stale && !*caught)
		test_fail(result, "%s backend: the mutant signal-frame-from-stale-registers not caught in nested-signals",
			  name);
	return held;
}

/* fpulab's idle history on real registers: once task-a has woken on cpu0 the policy
   leaves its state in cpu0's registers, and the move saves it there through an IPI
   (the second real CPU's XSAVE where metal has one). The state must survive, and the
   IPI must happen, under whatever weights the run has: after a stay, and before any
   move after one, the owner is left at any weights. */
static bool check_idle_history(struct test_result *result, const char *name, unsigned *ipis)
{
	struct lab_result r;

	*ipis = 0;
	if (run_one(lab_config_find("fpulab"), "idle-history", &r, result) != 0)
		return false;
	*ipis = r.counts.ipis;
	if (r.corrupted) {
		test_fail(result, "%s backend: fpulab corrupts %s's %s at line %u of idle-history", name, r.first_context,
			  lab_component_name(r.first.component), (unsigned)r.first.line);
		return false;
	}
	if (!r.counts.ipis) {
		test_fail(result, "%s backend: fpulab's state left at idle never needed an IPI in idle-history", name);
		return false;
	}
	return true;
}

/* Two vCPUs on real registers (lab/scenarios.c): every configuration keeps both
   vCPUs' guest and VMM states and their guest tasks', apart and taking turns on one
   CPU. Returns the runs that did, of 2 x the configurations. */
static unsigned check_two_vcpus(struct test_result *result, const char *name)
{
	return configs_intact_on(result, name, "two-vcpus-apart") + configs_intact_on(result, name, "two-vcpus-one-cpu");
}

/* The matrix and the mutants on a backend with real registers: hosted (Linux user mode)
   or metal (the kernel), when this build has it and backend= selects it. */
static void real_backend(struct test_result *result, enum lab_backend_choice mine, const char *name,
			 const char *where)
{
	const struct lab_platform_backend *platform = lab_platform_backend();
	unsigned configs, scenarios, caught = 0, expected, nested, idle_ipis, vcpu_runs;
	bool nested_caught, idle_intact;
	struct lab_result r;
	char why[128];

	if (!backend_selected(result, mine))
		return;
	if (!platform || strcmp(platform->name, name) != 0)
		return test_skip(result, "the %s backend exists only in %s", name, where);
	if (platform->open(&platform_backend, why, sizeof why) != 0)
		return test_skip(result, "%s backend: %s", name, why);
	backend = &platform_backend;
	run_matrix(result, true, &configs, &scenarios);
	for (unsigned i = 0; i < lab_mutant_count; i++) {
		bool by_exposure = lab_mutants[i].caught_by == LAB_CAUGHT_BY_EXPOSURE;
		if (lab_mutants[i].caught_by == LAB_CAUGHT_BY_VALIDATION || (by_exposure && !backend->peek))
			continue;   /* validation needs a capture; the exposure check, a backend that can peek */
		if (run_one(&lab_mutants[i], lab_mutants[i].expected_corruption, &r, result) != 0)
			continue;
		if (by_exposure ? r.exposures != 0 : r.corrupted)
			caught++;
		else
			test_fail(result, "mutant %s not caught in %s on the %s backend", lab_mutants[i].name,
				  r.scenario, name);
	}
	expected = mutants_for_backend();
	nested = check_nested_frames(result, name, &nested_caught);
	idle_intact = check_idle_history(result, name, &idle_ipis);
	vcpu_runs = check_two_vcpus(result, name);
	check_in_use(result, name);
	platform->close(&platform_backend);
	backend = &sim_backend;
	test_diagnostic(result, "backend", "{ name: %s, configurations: %u, scenarios: %u, mutants_caught: %u, cycles: %llu }",
			name, configs, scenarios, caught, (unsigned long long)matrix_cycles);
	kprintf("# lab: %s backend: %u configurations x %u scenarios, %u of %u mutants caught by the corruption checker and the exposure check, %llu measured cycles in saves and restores\n",
		name, configs, scenarios, caught, expected, (unsigned long long)matrix_cycles);
	kprintf("# lab: %s backend: nested-signals (handlers two deep, a real frame per level): %u of %u configurations intact, the stale-frame mutant %s\n",
		name, nested, lab_config_count, nested_caught ? "caught" : "not caught");
	kprintf("# lab: %s backend: idle-history (fpulab leaves state at idle, then the task moves): %s, %u IPI\n",
		name, idle_intact ? "intact" : "not intact", idle_ipis);
	kprintf("# lab: %s backend: two vCPUs (apart, and taking turns on one CPU): %u of %u runs intact\n", name,
		vcpu_runs, 2 * lab_config_count);
}

void lab_test_backend_hosted(struct test_result *result)
{
	real_backend(result, LAB_BACKEND_HOSTED, "hosted", "the hosted build (build/host/fpulab-host)");
}

void lab_test_backend_metal(struct test_result *result)
{
	real_backend(result, LAB_BACKEND_METAL, "metal", "the kernel");
}
