/* build/host/fpulab-trace: the C side of tools/fpulab-trace (docs/tracing.md).
   usage: fpulab-trace scenario FILE [-o OUT] | validate FILE [--mutant NAME] |
          replay FILE [-o OUT] | synth EVENTS [-o OUT]
   Exit status: 0 done (validate: an exact match), 1 validate found no exact match or
   replay a failing configuration, 2 the capture could not be read or converted,
   3 usage. */
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

int trace_synth(unsigned long events, FILE *out);

static int usage(void)
{
	fprintf(stderr, "usage: fpulab-trace scenario FILE [-o OUT] | validate FILE [--mutant NAME] | "
			"replay FILE [-o OUT] | synth EVENTS [-o OUT]\n");
	return 3;
}

static FILE *output_of(int argc, char **argv, int first)
{
	for (int i = first; i + 1 < argc; i++)
		if (strcmp(argv[i], "-o") == 0)
			return fopen(argv[i + 1], "w");
	return stdout;
}

static const struct lab_config *mutant_of(int argc, char **argv)
{
	for (int i = 3; i + 1 < argc; i++)
		if (strcmp(argv[i], "--mutant") == 0)
			for (unsigned m = 0; m < lab_mutant_count; m++)
				if (strcmp(lab_mutants[m].name, argv[i + 1]) == 0)
					return &lab_mutants[m];
	return 0;
}

int main(int argc, char **argv)
{
	static struct trace_capture capture;
	static struct trace_conversion conversion;
	FILE *out;
	int status;

	if (argc < 3)
		return usage();
	out = output_of(argc, argv, 3);
	if (!out) {
		perror("fpulab-trace: -o");
		return 2;
	}
	if (strcmp(argv[1], "synth") == 0)
		return trace_synth(strtoul(argv[2], 0, 10), out) == 0 ? 0 : 2;
	if (strcmp(argv[1], "scenario") && strcmp(argv[1], "validate") && strcmp(argv[1], "replay"))
		return usage();
	if (trace_capture_load(&capture, argv[2]) != 0) {
		fprintf(stderr, "fpulab-trace: %s\n", capture.error);
		return 2;
	}
	if (trace_convert(&capture, &conversion) != 0) {
		fprintf(stderr, "fpulab-trace: %s: %s\n", argv[2], conversion.error);
		return 2;
	}
	if (strcmp(argv[1], "scenario") == 0) {
		trace_scenario_write(&conversion, out);
		status = 0;
	} else if (strcmp(argv[1], "validate") == 0) {
		if (argc > 3 && !mutant_of(argc, argv) && strcmp(argv[3], "-o") != 0)
			return usage();
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
