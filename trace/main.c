/* build/host/fpulab-trace: the C side of tools/fpulab-trace (docs/tracing.md).
   usage: fpulab-trace scenario FILE [-o OUT] [--fpu-use PERCENT[:SEED]] |
          validate FILE [--mutant NAME] | replay FILE [-o OUT] [--fpu-use PERCENT[:SEED]] |
          synth EVENTS [-o OUT]
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
			"validate FILE [--mutant NAME] | replay FILE [-o OUT] [--fpu-use PERCENT[:SEED]] | "
			"synth EVENTS [-o OUT]\n");
	return 3;
}

static FILE *output_of(int argc, char **argv, int first)
{
	for (int i = first; i + 1 < argc; i += 2)
		if (strcmp(argv[i], "-o") == 0)
			return fopen(argv[i + 1], "w");
	return stdout;
}

static const struct lab_config *mutant_of(int argc, char **argv)
{
	for (int i = 3; i + 1 < argc; i += 2)
		if (strcmp(argv[i], "--mutant") == 0)
			for (unsigned m = 0; m < lab_mutant_count; m++)
				if (strcmp(lab_mutants[m].name, argv[i + 1]) == 0)
					return &lab_mutants[m];
	return 0;
}

/* --fpu-use PERCENT[:SEED] (scenario, replay): the share of user slices that use the
   FPU; 0, or -1 on a malformed value. */
static int fpu_use_of(int argc, char **argv, struct trace_convert_options *options)
{
	*options = trace_convert_defaults;
	for (int i = 3; i + 1 < argc; i += 2)
		if (strcmp(argv[i], "--fpu-use") == 0) {
			char *end;
			unsigned long percent = strtoul(argv[i + 1], &end, 10), seed = options->seed;
			if (end == argv[i + 1] || percent > 100)
				return -1;
			if (*end == ':') {
				char *seed_text = end + 1;
				seed = strtoul(seed_text, &end, 10);
				if (end == seed_text || seed > 0xffffffffu)
					return -1;
			}
			if (*end)
				return -1;
			options->fpu_use_percent = (unsigned)percent;
			options->seed = (uint32_t)seed;
		}
	return 0;
}

static bool has_option(int argc, char **argv, const char *name)
{
	for (int i = 3; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

/* Every argument after FILE is a known option with its value. */
static int options_known(int argc, char **argv, const char *const *known)
{
	for (int i = 3; i < argc; i += 2) {
		bool found = false;
		for (const char *const *k = known; *k; k++)
			found |= strcmp(argv[i], *k) == 0;
		if (!found || i + 1 >= argc)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	static const char *const validate_options[] = { "-o", "--mutant", 0 };
	static const char *const convert_options[] = { "-o", "--fpu-use", 0 };
	struct trace_convert_options options;
	static struct trace_capture capture;
	static struct trace_conversion conversion;
	FILE *out;
	int status;

	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "synth") && strcmp(argv[1], "scenario") && strcmp(argv[1], "validate") &&
	    strcmp(argv[1], "replay"))
		return usage();
	if (strcmp(argv[1], "synth") &&
	    (!options_known(argc, argv, strcmp(argv[1], "validate") ? convert_options : validate_options) ||
	     fpu_use_of(argc, argv, &options) != 0 || (has_option(argc, argv, "--mutant") && !mutant_of(argc, argv))))
		return usage();
	out = output_of(argc, argv, 3);
	if (!out) {
		perror("fpulab-trace: -o");
		return 2;
	}
	if (strcmp(argv[1], "synth") == 0)
		return trace_synth(strtoul(argv[2], 0, 10), out) == 0 ? 0 : 2;
	if (trace_capture_load(&capture, argv[2]) != 0) {
		fprintf(stderr, "fpulab-trace: %s\n", capture.error);
		return 2;
	}
	if (trace_convert_with(&capture, &options, &conversion) != 0) {
		fprintf(stderr, "fpulab-trace: %s: %s\n", argv[2], conversion.error);
		return 2;
	}
	if (strcmp(argv[1], "scenario") == 0) {
		trace_scenario_write(&conversion, out);
		status = 0;
	} else if (strcmp(argv[1], "validate") == 0) {
		status = trace_validate(&capture, &conversion, mutant_of(argc, argv), out);
	} else {
		status = trace_replay(&capture, &conversion, out);
	}
	if (out != stdout)
		fclose(out);
	trace_conversion_free(&conversion);
	trace_capture_free(&capture);
	return status;
}
