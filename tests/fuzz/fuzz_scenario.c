/* libFuzzer target: the policy lab's scenario parser (lab/scenario_parser.c) over any
   text, and every scenario it accepts run by the oracle and by every configuration and
   mutant on the simulated backend, with its `lab` record written: a scenario the parser
   lets through must not crash what runs it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Room for what an 8 KiB input can declare (the fuzzer's -max_len), bounded as the
   kernel's tests bound it. */
#define FUZZ_CONTEXTS 64
#define FUZZ_EVENTS 4096
LAB_STORAGE_DEFINE(storage, FUZZ_CONTEXTS, FUZZ_EVENTS);

static int unterminated(const char *text, size_t size)
{
	return memchr(text, 0, size) == NULL;
}

/* What the engine relies on; ASan cannot see a count past an array inside the struct. */
static void check_scenario(const struct lab_scenario *s)
{
	if (s->cpus < 1 || s->cpus > LAB_MAX_CPUS || s->contexts > storage.contexts ||
	    s->events > storage.events || s->events == 0 || unterminated(s->name, sizeof s->name))
		abort();
	for (unsigned i = 0; i < s->contexts; i++)
		if (unterminated(s->context[i].name, sizeof s->context[i].name))
			abort();
	for (unsigned i = 0; i < s->events; i++) {
		const struct lab_event *e = &s->event[i];
		unsigned previous_line = i ? s->event[i - 1].line : 0;
		/* One event a line: its source line grows with every event. */
		if (e->cpu >= s->cpus || (e->context != LAB_NONE && e->context >= s->contexts) ||
		    e->line <= previous_line)
			abort();
	}
}

static void run_config(const struct lab_config *config, const struct lab_scenario *s)
{
	static struct lab_sim_fpu sim;
	static struct lab_fpu_backend backend;
	static struct lab_machine machine;
	static struct lab_result result;
	static char record[1536];

	lab_sim_fpu_backend(&sim, &backend, &storage);
	if (lab_run(config, s, &backend, &machine, &result) != 0 &&
	    (!result.error[0] || unterminated(result.error, sizeof result.error)))
		abort();
	lab_record_json(&result, record, sizeof record);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	static struct lab_scenario scenario;
	struct lab_parse_error error;
	struct lab_counts oracle;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (lab_scenario_parse("fuzz", text, &scenario, &storage, &error) != 0) {
		if (error.line == 0 || unterminated(error.message, sizeof error.message))
			abort();
	} else {
		check_scenario(&scenario);
		lab_oracle(&scenario, &oracle);
		for (unsigned i = 0; i < lab_config_count; i++)
			run_config(&lab_configs[i], &scenario);
		for (unsigned i = 0; i < lab_mutant_count; i++)
			run_config(&lab_mutants[i], &scenario);
	}
	free(text);
	return 0;
}
