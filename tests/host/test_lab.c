/* Host unit tests of the policy lab (the portable lab sources): parser, simulated FPU, oracle, engine. */
#include "unit.h"
#include "lab/lab.h"
#include "lib/json_writer.h"

LAB_STORAGE_DEFINE(storage, 32, 256);
static struct lab_scenario scenario;
static struct lab_machine machine;
static struct lab_sim_fpu sim;
static struct lab_fpu_backend backend;

static int parse(const char *text, struct lab_parse_error *error)
{
	return lab_scenario_parse("t", text, &scenario, &storage, error);
}

static void check_error(const char *name, const char *text, unsigned line, const char *fragment)
{
	struct lab_parse_error error;
	int status = parse(text, &error);
	CHECK(name, status == -1 && error.line == line && strstr(error.message, fragment) != 0);
	if (!(status == -1 && error.line == line && strstr(error.message, fragment) != 0))
		printf("  # got status %d line %u \"%s\"\n", status, error.line, error.message);
}

/* An event keeps its source line in 32 bits: one past line 65535 keeps its number, not
   a wrapped one (tests/fuzz/regressions/scenario/ has the same input; real captures
   make scenarios of millions of lines). */
static void test_parser_line_limit(void)
{
	static char text[65536 + sizeof "use cpu0\n"];
	struct lab_parse_error error;

	memset(text, '\n', 65534);
	memcpy(text + 65534, "use cpu0\n", sizeof "use cpu0\n");
	CHECK("parser/line-65535-holds-an-event",
	      parse(text, &error) == 0 && scenario.event[0].line == 65535);
	memset(text, '\n', 65536);
	memcpy(text + 65536, "use cpu0\n", sizeof "use cpu0\n");
	CHECK("parser/line-65537-keeps-its-number",
	      parse(text, &error) == 0 && scenario.event[0].line == 65537);
}

static void test_parser(void)
{
	struct lab_parse_error error;
	unsigned ok = 0;

	for (unsigned i = 0; i < lab_scenario_count; i++)
		ok += lab_scenario_parse(lab_scenarios[i].name, lab_scenarios[i].text, &scenario, &storage, &error) == 0;
	CHECK("parser/shipped-scenarios-parse", ok == lab_scenario_count && lab_scenario_count >= 9);

	CHECK("parser/comments-and-blank-lines",
	      parse("# a comment\n\n  switch cpu0 task-a uses-fpu  # trailing\nuse cpu0 sse,avx512\n", &error) == 0 &&
	      scenario.events == 2 && scenario.event[0].type == LAB_EV_SWITCH &&
	      scenario.event[0].mask == LAB_MASK_LEGACY && scenario.event[0].line == 3 &&
	      scenario.event[1].mask == ((1u << LAB_SSE) | LAB_MASK_AVX512) && scenario.event[1].line == 4);
	CHECK("parser/context-declaration",
	      parse("context qemu2 vmm\ncpus 2\nswitch cpu1 qemu2\n", &error) == 0 && scenario.cpus == 2 &&
	      strcmp(scenario.context[scenario.event[0].context].name, "qemu2") == 0);
	CHECK("parser/exit-reason-and-kfpu",
	      parse("vm-exit cpu0 cpuid\nkfpu-begin cpu0 softirq\nmeasure\n", &error) == 0 &&
	      scenario.event[0].arg == LAB_EXIT_CPUID && scenario.event[1].arg == 1 &&
	      scenario.event[2].type == LAB_EV_MEASURE);
	check_error("parser/error/unknown-event", "switch cpu0 vmm\nuse cpu0\nfrobnicate cpu0\n", 3, "unknown event 'frobnicate'");
	check_error("parser/error/bad-cpu", "use cpu1\n", 1, "bad cpu 'cpu1'");
	check_error("parser/error/unknown-context", "\n\nswitch cpu0 nobody\n", 3, "unknown context 'nobody'");
	check_error("parser/error/guest-context-on-host", "switch cpu0 guest-task\n", 1, "cannot be switched to");
	check_error("parser/error/host-context-in-guest", "guest-switch cpu0 vmm\n", 1, "cannot be switched to");
	check_error("parser/error/cpus-after-events", "use cpu0\ncpus 2\n", 2, "before the first event");
	check_error("parser/error/bad-components", "use cpu0 sse,mmx\n", 1, "bad component list 'sse,mmx'");
	check_error("parser/error/exit-reason", "vm-exit cpu0 teapot\n", 1, "unknown exit reason 'teapot'");
	check_error("parser/error/kfpu-kind", "kfpu-begin cpu0 nmi\n", 1, "kthread|softirq");
	check_error("parser/error/extra-word", "halt cpu0 now\n", 1, "expected only a CPU");
	check_error("parser/error/uses-fpu-typo", "switch cpu0 vmm usesfpu\n", 1, "uses-fpu, no-fpu or kernel");
	check_error("parser/error/duplicate-context", "context vmm user\n", 1, "already exists");
	check_error("parser/error/too-many-words", "use cpu0 a b c d e f g\n", 1, "too many words");
	check_error("parser/error/empty", "# nothing\n", 1, "has no events");
	check_error("parser/error/migrate", "migrate guest cpu0\n", 1, "not a host thread");
	test_parser_line_limit();
}

static void test_sim_fpu(void)
{
	uint32_t expect[LAB_COMPONENTS] = { 0 }, write[LAB_COMPONENTS];
	struct lab_check check;
	int fault;

	lab_sim_fpu_backend(&sim, &backend, &storage);
	backend.reset(backend.self, 1);
	for (unsigned c = 0; c < LAB_COMPONENTS; c++)
		write[c] = 0x100 + c;
	fault = backend.execute(backend.self, 0, LAB_MASK_LEGACY, expect, write, &check);
	CHECK("sim/execute-from-init", fault == 0 && check.mismatch == 0 && sim.cpu[0].reg[LAB_SSE] == 0x101 &&
	      sim.cpu[0].xinuse == LAB_MASK_LEGACY && sim.cpu[0].modified == LAB_MASK_LEGACY);
	CHECK("sim/save-bytes", backend.save(backend.self, 0, 3, 0, LAB_MASK_ALL) == LAB_XSAVE_HEADER_BYTES + 256 &&
	      sim.buffer[3].value[LAB_AVX] == 0x102 && sim.buffer[3].xstate_bv == LAB_MASK_LEGACY);
	backend.clobber(backend.self, 0, LAB_MASK_LEGACY, 0xdead0000u);
	CHECK("sim/restore-roundtrip", backend.restore(backend.self, 0, 3, 0, LAB_MASK_ALL) == LAB_XSAVE_HEADER_BYTES + 256 &&
	      sim.cpu[0].reg[LAB_X87] == 0x100 && sim.cpu[0].modified == 0);
	fault = backend.execute(backend.self, 0, LAB_MASK_LEGACY, write, write, &check);
	CHECK("sim/execute-checks", fault == 0 && check.mismatch == 0);
	memcpy(expect, write, sizeof expect);
	expect[LAB_SSE] = 0x999;
	backend.execute(backend.self, 0, LAB_MASK_LEGACY, expect, write, &check);
	CHECK("sim/execute-reports-mismatch", check.mismatch == (1u << LAB_SSE) && check.found[LAB_SSE] == 0x101);
	backend.set_ts(backend.self, 0);
	CHECK("sim/ts-raises-nm", backend.execute(backend.self, 0, 1u << LAB_SSE, write, write, &check) == 1);
	backend.clear_ts(backend.self, 0);
	CHECK("sim/xfd-raises-nm-with-xfd-err",
	      backend.execute(backend.self, 0, LAB_MASK_AMX, write, write, &check) == 2 &&
	      backend.read_xfd_err(backend.self, 0) == LAB_MASK_XFD);
	backend.write_xfd(backend.self, 0, 0);
	memset(expect, 0, sizeof expect);
	fault = backend.execute(backend.self, 0, LAB_MASK_AMX, expect, write, &check);
	CHECK("sim/xfd-disarmed-runs", fault == 0 && sim.cpu[0].reg[LAB_TILEDATA] == write[LAB_TILEDATA]);
	CHECK("sim/save-with-tiledata", backend.save(backend.self, 0, 4, 0, LAB_MASK_ALL) ==
	      LAB_XSAVE_HEADER_BYTES + 256 + 64 + 8192);
	backend.write_xfd(backend.self, 0, LAB_MASK_XFD);
	backend.restore(backend.self, 0, 4, 0, LAB_MASK_ALL);
	CHECK("sim/xrstor-with-xfd-armed-leaves-init", sim.cpu[0].reg[LAB_TILEDATA] == 0 &&
	      sim.cpu[0].reg[LAB_TILECFG] == write[LAB_TILECFG]);
	backend.restore_init(backend.self, 0, LAB_MASK_ALL);
	CHECK("sim/restore-init", sim.cpu[0].xinuse == 0 && sim.cpu[0].reg[LAB_AVX] == 0);
}

static void test_oracle(void)
{
	struct lab_parse_error error;
	struct lab_counts counts;

	parse("switch cpu0 task-a uses-fpu\nswitch cpu0 task-b uses-fpu\nswitch cpu0 task-a uses-fpu\n", &error);
	lab_oracle(&scenario, &counts);
	/* a from init: nothing; b displaces a (used later): save a, restore b (init over junk);
	   a again displaces b, which lives on after the run: save b, restore a. */
	CHECK("oracle/two-tasks", counts.saves == 2 && counts.restores == 2);
	parse("switch cpu0 task-a uses-fpu\nswitch cpu0 idle\nswitch cpu0 task-a uses-fpu\n", &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/idle-costs-nothing", counts.saves == 0 && counts.restores == 0);
	parse("switch cpu0 task-a uses-fpu\nkfpu-begin cpu0 softirq\nkfpu-end cpu0\nuse cpu0\n", &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/kernel-fpu-displaces", counts.saves == 1 && counts.restores == 1);
	/* no later use in the run, but task-a lives on: its state is needed after the end */
	parse("switch cpu0 task-a uses-fpu\nkfpu-begin cpu0 softirq\nkfpu-end cpu0\n", &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/state-living-on-is-saved", counts.saves == 1 && counts.restores == 0);
	parse("switch cpu0 task-a uses-fpu\nexit cpu0\nswitch cpu0 idle\nkfpu-begin cpu0 softirq\nkfpu-end cpu0\n", &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/dead-state-not-saved", counts.saves == 0 && counts.restores == 0);
	parse("switch cpu0 task-a uses-fpu\nmeasure\nswitch cpu0 task-b uses-fpu\n", &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/measure-resets", counts.saves == 1 && counts.restores == 1);
	/* its cost: each save or restore moves what the state has written (x87, SSE, AVX:
	   576 + 256 bytes); b's first restore is the init state's 576 */
	parse("switch cpu0 task-a uses-fpu\nswitch cpu0 task-b uses-fpu\nswitch cpu0 task-a uses-fpu\n", &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/bytes-of-what-was-written", counts.bytes_saved == 2 * 832 && counts.bytes_restored == 576 + 832);
	/* fork copies a's state without its tile data (+64 tilecfg); a's own save has it (+8192) */
	parse("switch cpu0 task-a uses-fpu\nuse cpu0 amx\nfork cpu0 task-b\nswitch cpu0 task-b uses-fpu\n", &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/fork-inherits-no-tiles", counts.saves == 2 && counts.bytes_saved == 896 + 9088 &&
	      counts.restores == 1 && counts.bytes_restored == 896);
	parse(lab_scenario_text_of("exit-heavy"), &error);
	lab_oracle(&scenario, &counts);
	CHECK("oracle/counts-the-scenario-vm-exits", counts.vm_exits == 4 &&
	      lab_cost(&counts, &lab_default_weights) == 4 * lab_default_weights.vm_exit);
}

/* Parses the built-in scenario name and fills backend with the simulated FPU; 0 or -1. */
static int prepare(const char *name)
{
	struct lab_parse_error error;
	const char *text = lab_scenario_text_of(name);

	if (!text || lab_scenario_parse(name, text, &scenario, &storage, &error) != 0)
		return -1;
	lab_sim_fpu_backend(&sim, &backend, &storage);
	return 0;
}

static int run(const char *config, const char *name, struct lab_result *r)
{
	if (prepare(name) != 0)
		return -1;
	return lab_run(lab_config_find(config), &scenario, &backend, &machine, r);
}

/* Scenarios the engine must refuse with a message, not run past. */
static void check_run_error(const char *name, const char *text, const char *fragment)
{
	struct lab_parse_error error;
	struct lab_result r;
	int status = -2;

	if (parse(text, &error) == 0) {
		lab_sim_fpu_backend(&sim, &backend, &storage);
		status = lab_run(lab_config_find("eager+kvm-2015"), &scenario, &backend, &machine, &r);
	}
	CHECK(name, status == -1 && strstr(r.error, fragment) != 0);
	if (!(status == -1 && strstr(r.error, fragment) != 0))
		printf("  # got status %d \"%s\"\n", status, status == -2 ? error.message : r.error);
}

static void test_run_errors(void)
{
	/* task-a is on cpu0: cpu1, which never ran anything, rejects the switch */
	check_run_error("engine/error/switch-to-a-context-on-another-cpu",
			"cpus 2\nswitch cpu0 task-a\nswitch cpu1 task-a\n", "runs on another CPU");
	check_run_error("engine/error/wake-without-halt", "switch cpu0 vmm uses-fpu\nwake cpu0\n", "no halted vCPU");
	check_run_error("engine/error/a-vcpu-without-a-guest", "context vmm1 vmm\nswitch cpu0 vmm1 uses-fpu\nkvm-run cpu0\n",
			"no guest context");
}

static void test_claims(void)
{
	struct lab_result r;
	CHECK("engine/c1-before-6-saves-6-restores", run("eager+kvm-2015", "idle-wake", &r) == 0 &&
	      r.counts.saves == 6 && r.counts.restores == 6 && !r.corrupted);
	CHECK("engine/c1-after-2-saves-1-restore", run("deferred+kvm-2015", "idle-wake", &r) == 0 &&
	      r.counts.saves == 2 && r.counts.restores == 1 && !r.corrupted);
	CHECK("engine/c4-untracked-policy-corrupts-guest", run("deferred+lazy-exit-2018", "softirq-kfpu", &r) == 0 &&
	      r.corrupted && strcmp(r.first_context, "guest-task") == 0 && r.expected_corruption);
	CHECK("engine/c4-corruption-names-the-kernel-fp-code", run("deferred+lazy-exit-2018", "softirq-kfpu", &r) == 0 &&
	      r.corrupted && lab_signature_is_kernel(r.first.found) &&
	      strncmp(r.first_found_by, "kernel FP code, line ", 21) == 0);
	CHECK("engine/foreign-2018-corrupts-vmm", run("deferred+foreign-state-2018", "softirq-kfpu", &r) == 0 &&
	      r.corrupted && strcmp(r.first_context, "vmm") == 0);
	CHECK("engine/foreign-2024-intact", run("deferred+foreign-state-2024", "softirq-kfpu", &r) == 0 && !r.corrupted);
	CHECK("engine/c3-resident-avoids-reload", run("deferred+resident-owner", "idle-wake", &r) == 0 &&
	      r.counts.restores == 0 && !r.corrupted);
	CHECK("engine/amx-xfd-nm-counted", run("deferred+xfd-dynamic", "amx-first-use", &r) == 0 &&
	      r.counts.nm_traps == 2 && r.counts.xfd_writes > 0 && !r.corrupted);
	CHECK("engine/lazy-ts-traps", run("lazy-ts+kvm-2015", "signal", &r) == 0 && r.counts.cr0_writes > 0 && !r.corrupted);
}

/* fpulab's VMM bet (lab/policy_fpulab.c, trap_pays_off) on vmm-exit's x87+SSE+AVX
   states, with the byte cost left out: without it the return swaps (2 saves and 2
   restores, 400 cycles here); the bet is priced at 2 to 1 that the VMM uses the FPU,
   2 (trap + CR0) + 3 CR0 < swap. */
static bool fpulab_bets(uint32_t nm_trap, uint32_t cr0_write)
{
	struct lab_cost_weights w = lab_default_weights;
	struct lab_result r;
	bool bet;

	w.save_base = w.restore_base = 100;
	w.per_64_bytes = 0;
	w.nm_trap = nm_trap;
	w.cr0_write = cr0_write;
	lab_weights_use(&w);
	bet = run("fpulab", "vmm-exit", &r) == 0 && !r.corrupted && r.counts.cr0_writes > 0;
	lab_weights_use(0);
	return bet;
}

/* The same bet where the guest enabled AMX and the VMM did not: a swap then also
   writes IA32_XFD before each of its two restores. */
static bool fpulab_bets_over_an_amx_guest(uint32_t nm_trap, uint32_t msr_write)
{
	static const char text[] =
		"switch cpu0 vmm uses-fpu\nkvm-run cpu0\nvm-entry cpu0\nguest-switch cpu0 guest-task uses-fpu\n"
		"use cpu0 amx\nmeasure\nvm-exit cpu0 io\nkvm-return cpu0\nkvm-run cpu0\nvm-entry cpu0\nuse cpu0\n";
	struct lab_cost_weights w = lab_default_weights;
	struct lab_parse_error error;
	struct lab_result r;
	bool bet;

	w.save_base = w.restore_base = 100;
	w.per_64_bytes = 0;
	w.nm_trap = nm_trap;
	w.cr0_write = 0;
	w.msr_write = msr_write;
	if (parse(text, &error) != 0)
		return false;
	lab_weights_use(&w);
	lab_sim_fpu_backend(&sim, &backend, &storage);
	bet = lab_run(lab_config_find("fpulab"), &scenario, &backend, &machine, &r) == 0 && !r.corrupted &&
	      r.counts.cr0_writes > 0;
	lab_weights_use(0);
	return bet;
}

static void test_fpulab_bet(void)
{
	CHECK("fpulab/bet/taken-below-the-swap", fpulab_bets(190, 0));
	CHECK("fpulab/bet/not-taken-above-it", !fpulab_bets(210, 0));
	CHECK("fpulab/bet/cr0-writes-priced-in", fpulab_bets(150, 10) && !fpulab_bets(150, 20));
	/* 2 x 210 against a 400-cycle swap, plus two XFD writes */
	CHECK("fpulab/bet/xfd-writes-priced-in", fpulab_bets_over_an_amx_guest(210, 20) &&
	      !fpulab_bets_over_an_amx_guest(210, 5) && !fpulab_bets(210, 0));
}

/* fpulab's write-back at idle (lab/policy_fpulab.c, going_idle) on a scenario text:
   task-a goes idle once per letter of `outcomes` and is next needed on the same CPU
   (S, a stay) or on the other one (M, a move). *r gets the run's counts. */
static int fpulab_idle_run(const char *outcomes, struct lab_result *r)
{
	static char text[8192];
	static const char *const idle[2] = { "idle", "idle1" };
	struct lab_parse_error error;
	size_t n = (size_t)snprintf(text, sizeof text, "cpus 2\nswitch cpu0 task-a uses-fpu\nmeasure\n");
	unsigned cpu = 0;

	for (const char *o = outcomes; *o && n < sizeof text - 128; o++) {
		n += (size_t)snprintf(text + n, sizeof text - n, "switch cpu%u %s\n", cpu, idle[cpu]);
		if (*o == 'M') {
			cpu ^= 1;
			n += (size_t)snprintf(text + n, sizeof text - n, "migrate task-a cpu%u\n", cpu);
		}
		n += (size_t)snprintf(text + n, sizeof text - n, "switch cpu%u task-a uses-fpu\n", cpu);
	}
	if (parse(text, &error) != 0)
		return -1;
	lab_sim_fpu_backend(&sim, &backend, &storage);
	return lab_run(lab_config_find("fpulab"), &scenario, &backend, &machine, r);
}

/* Tasks that go idle and then exit on cpu0 (each a stay: the write-back was wasted),
   then task-a goes idle: its write-back only while fewer than 14 exits were seen. */
static int fpulab_idle_exits(unsigned exits, struct lab_result *r)
{
	static char text[8192];
	struct lab_parse_error error;
	size_t n = (size_t)snprintf(text, sizeof text, "cpus 2\n");

	for (unsigned i = 0; i < exits && n < sizeof text - 32; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "context t%u user\n", i);
	n += (size_t)snprintf(text + n, sizeof text - n, "measure\n");
	for (unsigned i = 0; i < exits && n < sizeof text - 160; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "switch cpu0 t%u uses-fpu\nswitch cpu0 idle\nswitch cpu0 t%u kernel\nexit cpu0\n", i, i);
	n += (size_t)snprintf(text + n, sizeof text - n, "switch cpu0 task-a uses-fpu\nswitch cpu0 idle\n");
	if (parse(text, &error) != 0)
		return -1;
	lab_sim_fpu_backend(&sim, &backend, &storage);
	return lab_run(lab_config_find("fpulab"), &scenario, &backend, &machine, r);
}

/* Two vCPUs (lab/scenarios.c: two-vcpus-apart, two-vcpus-one-cpu). Every
   configuration must keep every state intact. */
/* How many configurations run text intact (those expected to corrupt count only if
   they do not); *k2: deferred+k2's counts. */
static unsigned intact_on(const char *text, struct lab_counts *k2)
{
	struct lab_parse_error error;
	struct lab_result r;
	unsigned intact = 0;

	for (unsigned c = 0; c < lab_config_count; c++) {
		if (parse(text, &error) != 0)
			return 0;
		lab_sim_fpu_backend(&sim, &backend, &storage);
		if (lab_run(&lab_configs[c], &scenario, &backend, &machine, &r) != 0) {
			printf("  # %s: %s\n", lab_configs[c].name, r.error);
			continue;
		}
		if (r.corrupted)
			printf("  # %s corrupts %s\n", lab_configs[c].name, r.first_context);
		intact += !r.corrupted;
		if (strcmp(lab_configs[c].name, "deferred+k2-single-swap-buffer") == 0)
			*k2 = r.counts;
	}
	return intact;
}

static void test_two_vcpus(void)
{
	struct lab_counts k2 = { 0 };
	struct lab_parse_error error;
	struct lab_result r;

	/* K2 apart: each kvm-return and kvm-run swaps (a save and a restore), two of each */
	CHECK("vcpus/two-apart-intact-everywhere", intact_on(lab_scenario_text_of("two-vcpus-apart"), &k2) == lab_config_count &&
	      k2.saves == 4 && k2.restores == 4);
	CHECK("vcpus/two-on-one-cpu-intact-everywhere", intact_on(lab_scenario_text_of("two-vcpus-one-cpu"), &k2) == lab_config_count);
	parse("cpus 1\ncontext vmm1 vmm\ncontext guest1 guest\nswitch cpu0 vmm uses-fpu\nkvm-run cpu0\n"
	      "vm-entry cpu0\nguest-switch cpu0 guest-task uses-fpu\nvm-exit cpu0 intr\nswitch cpu0 vmm1\n"
	      "kvm-run cpu0\nvm-entry cpu0\nguest-switch cpu0 guest-task uses-fpu\n", &error);
	lab_sim_fpu_backend(&sim, &backend, &storage);
	CHECK("vcpus/a-guest-task-stays-on-its-vcpu",
	      lab_run(lab_config_find("fpulab"), &scenario, &backend, &machine, &r) != 0 &&
	      strstr(r.error, "another vCPU's") != 0);
}

/* Under the default weights a write-back (832 bytes) costs 152 cycles, an IPI 2000. */
static void test_fpulab_idle(void)
{
	static const char twenty_stays[] = "SSSSSSSSSSSSSSSSSSSS";
	struct lab_result r;

	CHECK("fpulab/idle/the-first-idle-writes-back", fpulab_idle_run("M", &r) == 0 && !r.corrupted &&
	      r.counts.ipis == 0 && r.counts.saves == 1);
	CHECK("fpulab/idle/an-owner-that-came-back-is-left", fpulab_idle_run(twenty_stays, &r) == 0 &&
	      !r.corrupted && r.counts.saves == 1 && r.counts.restores == 0);
	CHECK("fpulab/idle/an-owner-that-moved-is-written-back", fpulab_idle_run("SSMSM", &r) == 0 &&
	      !r.corrupted && r.counts.ipis == 1 && fpulab_idle_run("MM", &r) == 0 && r.counts.ipis == 0);
	/* the second S->M was foreseen (one move after one stay outweighs a write-back): four
	   saves, one of them through the IPI */
	CHECK("fpulab/idle/moves-after-stays-bring-back-the-write-back", fpulab_idle_run("SMSM", &r) == 0 &&
	      !r.corrupted && r.counts.ipis == 1 && r.counts.saves == 4);
	/* owners without an outcome: every owner's stays (exits count) against the moves, plus one */
	CHECK("fpulab/idle/exits-count-as-stays", fpulab_idle_exits(13, &r) == 0 && !r.corrupted &&
	      r.counts.saves == 14 && fpulab_idle_exits(14, &r) == 0 && !r.corrupted && r.counts.saves == 14);
}

/* docs/lab.md "Exposure": lazy-ts leaves one task's state in the registers under the
   next; fpulab's lazy VMM runs over its own guest's state (it may read that anyway),
   which is counted but not an exposure, and nothing else of fpulab's is exposed. */
static void test_exposure(void)
{
	struct lab_result r;
	struct lab_parse_error error;
	unsigned fpulab_exposed = 0, fpulab_lazy = 0;

	CHECK("exposure/a-softirq-over-user-code-exposes-nothing",
	      parse("switch cpu0 task-a uses-fpu\nmeasure\nkfpu-begin cpu0 softirq\nkfpu-end cpu0\nuse cpu0\n", &error) == 0 &&
	      (lab_sim_fpu_backend(&sim, &backend, &storage),
	       lab_run(lab_config_find("deferred+kvm-2015"), &scenario, &backend, &machine, &r) == 0) &&
	      r.exposure_checked && r.exposures == 0 && !r.corrupted);
	CHECK("exposure/lazy-ts-flagged", run("lazy-ts+kvm-2015", "amx-first-use", &r) == 0 && r.exposure_checked &&
	      r.exposures > 0 && strcmp(r.exposure_context, "task-b") == 0 && strcmp(r.exposure_holder, "task-a") == 0);
	CHECK("exposure/deferred-not", run("deferred+k2-single-swap-buffer", "amx-first-use", &r) == 0 && r.exposures == 0);
	for (unsigned s = 0; s < lab_scenario_count + lab_extra_scenario_count; s++) {
		const char *name = s < lab_scenario_count ? lab_scenarios[s].name
							 : lab_extra_scenarios[s - lab_scenario_count].name;
		if (run("fpulab", name, &r) == 0) {
			fpulab_exposed += r.exposures;
			fpulab_lazy += r.vmm_own_guest_steps;
		}
	}
	CHECK("exposure/fpulab-lazy-vmm-stays-in-its-domain", fpulab_exposed == 0 && fpulab_lazy > 0);
	CHECK("exposure/k2-never-runs-the-vmm-over-its-guest", run("deferred+k2-single-swap-buffer", "vmm-exit", &r) == 0 &&
	      r.vmm_own_guest_steps == 0);
}

static void test_matrix(void)
{
	struct lab_parse_error error;
	struct lab_result r;
	unsigned errors = 0, unexpected = 0, missed = 0, below = 0, runs = 0;
	uint64_t ops[32] = { 0 }, cost[32] = { 0 };
	unsigned mine = lab_config_count;

	CHECK("matrix/size", lab_config_count >= 9 && lab_config_count <= 32 && lab_scenario_count >= 8);
	for (unsigned s = 0; s < lab_scenario_count; s++) {
		lab_scenario_parse(lab_scenarios[s].name, lab_scenarios[s].text, &scenario, &storage, &error);
		for (unsigned c = 0; c < lab_config_count && c < 32; c++) {
			lab_sim_fpu_backend(&sim, &backend, &storage);
			errors += lab_run(&lab_configs[c], &scenario, &backend, &machine, &r) != 0;
			runs++;
			unexpected += r.corrupted && !r.expected_corruption;
			missed += !r.corrupted && r.expected_corruption;
			below += !r.corrupted && (r.counts.saves < r.oracle.saves || r.counts.restores < r.oracle.restores);
			ops[c] += r.counts.saves + r.counts.restores;
			cost[c] += r.cost;
			if (strcmp(lab_configs[c].name, "fpulab") == 0) {
				mine = c;
				if (r.corrupted)
					unexpected += 1000;
			}
		}
	}
	CHECK("matrix/all-runs", errors == 0 && runs == lab_config_count * lab_scenario_count);
	CHECK("matrix/no-unexpected-corruption", unexpected == 0);
	CHECK("matrix/expected-corruption-detected", missed == 0);
	CHECK("matrix/never-below-oracle", below == 0);
	{
		unsigned beaten = 0;
		for (unsigned c = 0; c < lab_config_count && mine < lab_config_count; c++)
			beaten += c != mine && ops[c] > ops[mine] && cost[c] > cost[mine];
		CHECK("matrix/fpulab-lowest-operations-and-cost", mine < lab_config_count && beaten == lab_config_count - 1);
	}
}

static void test_mutants(void)
{
	struct lab_result r;
	char name[96];

	CHECK("mutants/at-least-five", lab_mutant_count >= 5);
	for (unsigned i = 0; i < lab_mutant_count; i++) {
		const struct lab_config *m = &lab_mutants[i];
		int caught = 0;
		if (m->caught_by == LAB_CAUGHT_BY_VALIDATION)
			continue;   /* tests/trace: validating the capture it names */
		if (prepare(m->expected_corruption) == 0 && lab_run(m, &scenario, &backend, &machine, &r) == 0)
			caught = m->caught_by == LAB_CAUGHT_BY_EXPOSURE ? r.exposures != 0 : r.corrupted;
		snprintf(name, sizeof name, "mutants/%s-caught", m->name);
		CHECK(name, caught);
	}
	/* The mutants are not configurations. */
	CHECK("mutants/not-listed", lab_config_find("restore-skipped") == 0);
}

static void test_report(void)
{
	struct lab_result r;
	char buffer[1024];
	struct lab_counts counts = { .saves = 2, .restores = 1, .bytes_saved = 640, .nm_traps = 1, .vm_exits = 1 };
	struct lab_cost_weights w = lab_default_weights;

	run("deferred+kvm-2015", "idle-wake", &r);
	CHECK("report/record-fits", lab_record_json(&r, buffer, sizeof buffer) == 0);
	CHECK("report/record-fields", strstr(buffer, "\"schema\":1,\"policy\":\"deferred+kvm-2015\",\"origin\":\"seed-003\","
					"\"scenario\":\"idle-wake\",\"backend\":\"simulated\"") != 0 &&
	      strstr(buffer, "\"saves\":2,\"restores\":1,") != 0 && strstr(buffer, "\"verdict\":\"intact\"") != 0 &&
	      strstr(buffer, "\"expected_corruption\":false") != 0 &&
	      strstr(buffer, "\"oracle\":{\"saves\":0,\"restores\":0,\"bytes\":0,\"vm_exits\":1,\"cost_cycles\":1200}") != 0);
	run("deferred+lazy-exit-2018", "softirq-kfpu", &r);
	lab_record_json(&r, buffer, sizeof buffer);
	CHECK("report/corruption-located", strstr(buffer, "\"verdict\":\"corrupted\",\"expected_corruption\":true,"
					   "\"corruption\":{\"step\":") != 0 && strstr(buffer, "\"context\":\"guest-task\"") != 0);
	CHECK("cost/default-weights", lab_cost(&counts, &w) == 2 * 100 + 1 * 100 + 10 * 4 + 400 + 1200);
	w.vm_exit = 0;
	w.nm_trap = 1;
	CHECK("cost/weights-override", lab_cost(&counts, &w) == 2 * 100 + 1 * 100 + 10 * 4 + 1);
}

/* lab_cost_parts: every count in one part, at its weight, and how they read. */
static void test_cost_parts(void)
{
	struct lab_counts counts = { .saves = 3, .restores = 2, .bytes_saved = 640, .bytes_restored = 64,
				     .nm_traps = 1, .cr0_writes = 2, .xfd_writes = 1, .xsetbv = 1,
				     .vm_exits = 1, .ipis = 1, .bytes_copied = 128 };
	struct lab_cost_weights w = { .save_base = 7, .restore_base = 11, .per_64_bytes = 3, .nm_trap = 400,
				      .cr0_write = 60, .msr_write = 120, .xsetbv = 200, .vm_exit = 1200, .ipi = 2000 };
	int64_t part[LAB_COST_PARTS], sum = 0, difference[LAB_COST_PARTS] = { 1400, 0, 800, -60 };
	char text[96], small[12];

	lab_cost_parts(&counts, &w, part);
	for (unsigned i = 0; i < LAB_COST_PARTS; i++)
		sum += part[i];
	CHECK("cost/parts-each-count-at-its-weight", part[LAB_PART_OPERATIONS] == 3 * 7 + 2 * 11 &&
	      part[LAB_PART_BYTES] == 13 * 3 && part[LAB_PART_NM] == 400 && part[LAB_PART_CR0] == 120 &&
	      part[LAB_PART_MSR] == 120 && part[LAB_PART_XSETBV] == 200 && part[LAB_PART_VM_EXITS] == 1200 &&
	      part[LAB_PART_IPIS] == 2000 && (uint64_t)sum == lab_cost(&counts, &w));
	lab_cost_parts_text(difference, text, sizeof text);
	CHECK("cost/parts-read-signed", strcmp(text, "operations +1400, #NM +800, CR0 -60") == 0);
	memset(difference, 0, sizeof difference);
	lab_cost_parts_text(difference, text, sizeof text);
	CHECK("cost/no-parts-read-nothing", strcmp(text, "nothing") == 0);
	lab_cost_parts(&counts, &w, part);
	lab_cost_parts_text(part, small, sizeof small);
	CHECK("cost/parts-text-truncates", strlen(small) == sizeof small - 1);
}

/* A fake run's medians (hundredths of a tick) for lab_weights_measured. */
static int fake_median(const char *name, int64_t *p50, uint32_t *bytes)
{
	static const struct { const char *name; int64_t p50; uint32_t bytes; } medians[] = {
		{ "xsave/xsaveopt/x87-sse/modified", 5000, 576 },
		{ "xsave/xrstor/x87-sse/in-use", 7000, 576 },
		{ "xsave/xsaveopt/all/modified", 9000, 576 + 64 * 20 },
		{ "xsave/xrstor/all/in-use", 13000, 576 + 64 * 20 },
		{ "xsave/cr0-ts-set-and-clts", 3000, 0 },
		{ "xsave/nm-round-trip", 53000, 0 },
		{ "vm/bench/hypercall", 90049, 0 },
		{ "smp/ipi-round-trip", 995400, 0 },
	};
	for (unsigned i = 0; i < sizeof medians / sizeof medians[0]; i++)
		if (!strcmp(medians[i].name, name)) {
			*p50 = medians[i].p50;
			*bytes = medians[i].bytes;
			return 0;
		}
	return -1;
}

static int no_median(const char *name, int64_t *p50, uint32_t *bytes)
{
	(void)name; (void)p50; (void)bytes;
	return -1;
}

static void test_measured_weights(void)
{
	struct lab_cost_weights w;
	struct lab_weight_sources sources;

	CHECK("weights/none-measured", lab_weights_measured(no_median, &w, &sources) == 0 &&
	      memcmp(&w, &lab_default_weights, sizeof w) == 0 && !sources.from[LAB_WEIGHT_SAVE]);
	CHECK("weights/seven-measured", lab_weights_measured(fake_median, &w, &sources) == 7);
	CHECK("weights/save-restore", w.save_base == 50 && w.restore_base == 70);
	/* (40 + 60) / 2 ticks for 20 x 64 more bytes */
	CHECK("weights/per-64-bytes", w.per_64_bytes == 3);
	CHECK("weights/cr0-is-half-the-pair", w.cr0_write == 15);
	CHECK("weights/nm-without-its-cr0-writes", w.nm_trap == 500);
	CHECK("weights/vm-exit-rounded", w.vm_exit == 900);
	CHECK("weights/ipi-from-the-round-trip", w.ipi == 9954 && sources.from[LAB_WEIGHT_IPI]);
	CHECK("weights/missing-keep-defaults", w.msr_write == lab_default_weights.msr_write &&
	      w.xsetbv == lab_default_weights.xsetbv &&
	      !sources.from[LAB_WEIGHT_MSR] && sources.from[LAB_WEIGHT_VM_EXIT]);
	lab_weights_use(&w);
	CHECK("weights/used-by-the-engine", lab_weights()->save_base == 50);
	lab_weights_use(0);
	CHECK("weights/defaults-again", lab_weights() == &lab_default_weights);
}

/* The optional hooks of a backend on real registers, on the simulated one: measure
   at the scenario's `measure`, finish at the end, a problem makes the run an error,
   record adds the backend's fields to the `lab` record. */
static unsigned hook_measures, hook_finishes;
static const char *hook_problem_text;
static void hook_measure(void *self) { (void)self; hook_measures++; }
static void hook_finish(void *self) { (void)self; hook_finishes++; }
static const char *hook_problem(void *self) { (void)self; return hook_problem_text; }
static void hook_record(void *self, struct json_writer *w) { (void)self; json_string(w, "clock", "tsc"); }

static int run_hooked(const char *config, const char *name, struct lab_result *r)
{
	if (prepare(name) != 0)
		return -1;
	backend.name = "hooked";
	backend.measure = hook_measure;
	backend.finish = hook_finish;
	backend.problem = hook_problem;
	backend.record = hook_record;
	return lab_run(lab_config_find(config), &scenario, &backend, &machine, r);
}

static void test_backend_hooks(void)
{
	struct lab_result r;
	char buffer[1024];
	int status;

	hook_measures = hook_finishes = 0;
	hook_problem_text = 0;
	status = run_hooked("fpulab", "idle-wake", &r);
	CHECK("backend-hooks/measure-and-finish", status == 0 && hook_measures == 1 && hook_finishes == 1);
	CHECK("backend-hooks/record-fields-appended", lab_record_json(&r, buffer, sizeof buffer) == 0 &&
	      strstr(buffer, "\"backend\":\"hooked\"") != 0 &&
	      strstr(buffer, "\"oracle\":{\"saves\":0,\"restores\":0,\"bytes\":0,\"vm_exits\":1,\"cost_cycles\":1200},\"clock\":\"tsc\"}") != 0);
	hook_problem_text = "hooked backend: XRSTOR raised vector 13";
	hook_measures = 0;
	status = run_hooked("fpulab", "idle-wake", &r);
	/* a problem from the first step on: the run stops there, before the scenario's measure */
	CHECK("backend-hooks/problem-stops-the-run", hook_measures == 0);
	lab_record_json(&r, buffer, sizeof buffer);
	CHECK("backend-hooks/problem-is-a-run-error", status == -1 &&
	      strcmp(r.error, "hooked backend: XRSTOR raised vector 13") == 0 &&
	      strstr(buffer, "\"verdict\":\"error\"") != 0);
	hook_problem_text = 0;
	lab_sim_fpu_backend(&sim, &backend, &storage);
}

static unsigned sink_lines;
static char sink_first[512];
static void sink(void *context, const char *line)
{
	(void)context;
	if (!sink_lines++)
		snprintf(sink_first, sizeof sink_first, "%s", line);
	if (strncmp(line, "# ", 2) != 0)
		sink_lines += 1000;
}

static void test_table(void)
{
	struct lab_cell cells[2] = { { .saves = 1, .restores = 2, .cost = 30, .state = LAB_CELL_INTACT },
				     { .saves = 3, .restores = 4, .cost = 50, .state = LAB_CELL_EXPECTED, .exposed = 1 } },
			oracle[1] = { { .saves = 0, .restores = 1, .cost = 10 } };
	const char *configs[2] = { "a", "b" }, *scenarios[1] = { "s" };
	lab_table(cells, oracle, 2, 1, configs, scenarios, sink, 0);
	CHECK("table/comment-lines", sink_lines == 5 && strncmp(sink_first, "# lab: saves+restores", 21) == 0);
}

/* fpulab writes a signal frame whose state is not in the registers from the buffer
   (a memory copy, not Linux's restore and XSAVE), after an IPI where the newer state
   is still on another CPU; where the registers hold it, the frame is an XSAVE. */
static void test_signal_frames(void)
{
	struct lab_result mine, linux_way, elsewhere;

	CHECK("signal-frame/fpulab-copies-from-memory",
	      run("fpulab", "signal", &mine) == 0 && !mine.corrupted && mine.counts.frame_copies == 1 &&
	      mine.counts.bytes_copied > 0 && mine.counts.saves == 2 && mine.counts.restores == 4);
	CHECK("signal-frame/linux-restores-and-saves",
	      run("deferred+k2-single-swap-buffer", "signal", &linux_way) == 0 && !linux_way.corrupted &&
	      linux_way.counts.frame_copies == 0 && linux_way.counts.saves == 3 && linux_way.counts.restores == 5);
	CHECK("signal-frame/fpulab-cheaper", mine.cost < linux_way.cost);
	{
		/* Nested handlers: every configuration keeps each level's state; seed 003's
		   stale frame, taken in handler 1 after kernel FPU use, loses handler 1's. */
		unsigned intact = 0;
		const struct lab_config *stale = 0;
		struct lab_result r;
		for (unsigned c = 0; c < lab_config_count; c++)
			intact += run(lab_configs[c].name, "nested-signals", &r) == 0 && !r.corrupted;
		CHECK("signal-frame/nested-handlers-intact", intact == lab_config_count);
		CHECK("signal-frame/nested-fpulab-copies-handler-state",
		      run("fpulab", "nested-signals", &r) == 0 && r.counts.frame_copies == 1);
		for (unsigned i = 0; i < lab_mutant_count; i++)
			if (strcmp(lab_mutants[i].name, "signal-frame-from-stale-registers") == 0)
				stale = &lab_mutants[i];
		CHECK("signal-frame/nested-stale-frame-caught",
		      stale && prepare("nested-signals") == 0 &&
		      lab_run(stale, &scenario, &backend, &machine, &r) == 0 && r.corrupted &&
		      r.first.line == 12);   /* handler 1 again: kernel FP code's junk */
	}
	CHECK("signal-frame/newer-state-elsewhere-fetched-first",
	      run("fpulab", "signal-elsewhere", &elsewhere) == 0 && !elsewhere.corrupted &&
	      elsewhere.counts.ipis == 1 && elsewhere.counts.frame_copies == 1);
}

int main(void)
{
	unit_begin();
	test_parser();
	test_sim_fpu();
	test_oracle();
	test_run_errors();
	test_claims();
	test_fpulab_bet();
	test_fpulab_idle();
	test_two_vcpus();
	test_exposure();
	test_matrix();
	test_mutants();
	test_report();
	test_cost_parts();
	test_measured_weights();
	test_backend_hooks();
	test_signal_frames();
	test_table();
	return unit_end();
}
