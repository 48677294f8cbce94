/* build/host/fpulab-trace: the C side of tools/fpulab-trace (docs/tracing.md).
   usage: fpulab-trace scenario FILE [-o OUT] [--fpu-use PERCENT[:SEED]] |
          validate FILE [--mutant NAME] |
          replay FILE [-o OUT] [--fpu-use PERCENT[:SEED]] [--weights LOG] | synth EVENTS [-o OUT]
   Exit status: 0 done (validate: an exact match), 1 validate found no exact match or
   replay a failing configuration, 2 the capture could not be read or converted,
   3 usage. */
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

int trace_synth(unsigned long events, FILE *out);

static int usage(void)
{
	fprintf(stderr, "usage: fpulab-trace scenario FILE [-o OUT] [--fpu-use PERCENT[:SEED]] | "
			"validate FILE [--mutant NAME] | replay FILE [-o OUT] [--fpu-use PERCENT[:SEED]] [--weights LOG] | "
			"synth EVENTS [-o OUT]\n");
	return 3;
}

/* The options after FILE (or EVENTS), read in pairs: -o OUT for every command,
   --mutant NAME for validate, --fpu-use PERCENT[:SEED] for scenario and replay,
   --weights LOG for replay. */
struct options {
	const char *output;                   /* 0: standard output */
	const struct lab_config *mutant;      /* validate's kernel model instead of Linux's */
	struct trace_convert_options convert;
	const char *weights_log;              /* replay's cost weights: 0 for the defaults */
};

static int fpu_use_parse(const char *text, struct trace_convert_options *convert)
{
	char *end;
	unsigned long percent = strtoul(text, &end, 10), seed = convert->seed;

	if (end == text || percent > 100)
		return -1;
	if (*end == ':') {
		const char *seed_text = end + 1;
		seed = strtoul(seed_text, &end, 10);
		if (end == seed_text || seed > 0xffffffffu)
			return -1;
	}
	if (*end)
		return -1;
	convert->fpu_use_percent = (unsigned)percent;
	convert->seed = (uint32_t)seed;
	return 0;
}

static const struct lab_config *mutant_named(const char *name)
{
	for (unsigned m = 0; m < lab_mutant_count; m++)
		if (strcmp(lab_mutants[m].name, name) == 0)
			return &lab_mutants[m];
	return 0;
}

/* 0, or -1 on an option the command does not take, one without its value, a mutant
   that does not exist or a malformed share. */
static int options_parse(const char *command, int argc, char **argv, struct options *o)
{
	bool validate = strcmp(command, "validate") == 0, converts = !validate && strcmp(command, "synth") != 0;
	bool replay = strcmp(command, "replay") == 0;

	o->output = 0;
	o->mutant = 0;
	o->weights_log = 0;
	o->convert = trace_convert_defaults;
	for (int i = 3; i < argc; i += 2) {
		const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : 0;
		if (!value)
			return -1;
		if (strcmp(name, "-o") == 0)
			o->output = value;
		else if (validate && strcmp(name, "--mutant") == 0) {
			if (!(o->mutant = mutant_named(value)))
				return -1;
		} else if (replay && strcmp(name, "--weights") == 0)
			o->weights_log = value;
		else if (!(converts && strcmp(name, "--fpu-use") == 0 && fpu_use_parse(value, &o->convert) == 0))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct trace_capture capture;
	static struct trace_conversion conversion;
	struct options options;
	FILE *out = stdout;
	int status;

	if (argc < 3 || (strcmp(argv[1], "synth") && strcmp(argv[1], "scenario") && strcmp(argv[1], "validate") &&
			 strcmp(argv[1], "replay")))
		return usage();
	if (options_parse(argv[1], argc, argv, &options) != 0)
		return usage();
	if (options.weights_log) {
		static struct lab_cost_weights weights;
		char error[200];
		if (trace_weights_load(options.weights_log, &weights, error, sizeof error) != 0) {
			fprintf(stderr, "fpulab-trace: --weights %s\n", error);
			return 2;
		}
		lab_weights_use(&weights);
	}
	if (options.output && !(out = fopen(options.output, "w"))) {
		perror("fpulab-trace: -o");
		return 2;
	}
	if (strcmp(argv[1], "synth") == 0)
		return trace_synth(strtoul(argv[2], 0, 10), out) == 0 ? 0 : 2;
	if (trace_capture_load(&capture, argv[2]) != 0) {
		fprintf(stderr, "fpulab-trace: %s\n", capture.error);
		return 2;
	}
	if (trace_convert_with(&capture, &options.convert, &conversion) != 0) {
		fprintf(stderr, "fpulab-trace: %s: %s\n", argv[2], conversion.error);
		return 2;
	}
	if (strcmp(argv[1], "scenario") == 0) {
		trace_scenario_write(&conversion, out);
		status = 0;
	} else if (strcmp(argv[1], "validate") == 0) {
		status = trace_validate(&capture, &conversion, options.mutant, out);
	} else {
		status = trace_replay(&capture, &conversion, options.weights_log, out);
	}
	if (out != stdout)
		fclose(out);
	trace_conversion_free(&conversion);
	trace_capture_free(&capture);
	return status;
}
