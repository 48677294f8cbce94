/* fpulab-log: checks an fpulab serial log against docs/output.md. */
#include <stdio.h>
#include <string.h>

#include "buffer.h"
#include "log_file.h"
#include "tap_log.h"

enum {
	EXIT_INCOMPLETE = 2,
	EXIT_USAGE = 3,
};

struct options {
	const char *log_path;
	int json;
	int help;
};

static void print_usage(FILE *output)
{
	fputs("usage: fpulab-log [--json] LOG\n"
	      "Checks an fpulab serial log (LOG, or - for standard input) against\n"
	      "docs/output.md and prints 'summary: N passed, N failed, N skipped'.\n"
	      "  --json  also write every record and test point as JSON Lines on stdout\n"
	      "          (the summary then goes to stderr)\n"
	      "Exit status: 0 all ok, 1 some not ok, 2 incomplete or garbled, 3 usage error.\n",
	      output);
}

static int is_option(const char *argument)
{
	return argument[0] == '-' && argument[1] != '\0';
}

/* Returns 0, or -1 after saying what is wrong. */
static int parse_arguments(int argc, char **argv, struct options *options)
{
	int options_ended = 0;
	int index;

	memset(options, 0, sizeof *options);
	for (index = 1; index < argc; index++) {
		const char *argument = argv[index];
		if (!options_ended && strcmp(argument, "--") == 0) {
			options_ended = 1;
		} else if (!options_ended && strcmp(argument, "--json") == 0) {
			options->json = 1;
		} else if (!options_ended && (strcmp(argument, "--help") == 0 ||
					      strcmp(argument, "-h") == 0)) {
			options->help = 1;
		} else if (!options_ended && is_option(argument)) {
			fprintf(stderr, "fpulab-log: unknown option %s\n", argument);
			return -1;
		} else if (options->log_path) {
			fputs("fpulab-log: more than one LOG\n", stderr);
			return -1;
		} else {
			options->log_path = argument;
		}
	}
	if (!options->log_path && !options->help) {
		fputs("fpulab-log: no LOG given\n", stderr);
		return -1;
	}
	return 0;
}

static int check_log(const struct options *options, const char *file_name)
{
	struct byte_buffer contents = { 0 };
	struct tap_log log;
	int error;
	int status;

	tap_log_begin(&log, file_name, options->json ? stdout : NULL);
	error = read_log_file(options->log_path, &contents);
	if (error) {
		fprintf(stderr, "fpulab-log: %s: %s\n", file_name, strerror(error));
		status = EXIT_INCOMPLETE;
	} else {
		tap_log_check_text(&log, contents.data, contents.length);
		status = tap_log_finish(&log);
	}
	tap_log_print_summary(&log, options->json ? stderr : stdout);
	byte_buffer_free(&contents);
	return status;
}

int main(int argc, char **argv)
{
	struct options options;
	int status;

	if (parse_arguments(argc, argv, &options) != 0) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (options.help) {
		print_usage(stdout);
		return 0;
	}
	status = check_log(&options, strcmp(options.log_path, "-") == 0 ? "<stdin>" :
			   options.log_path);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("fpulab-log: cannot write standard output\n", stderr);
		return EXIT_INCOMPLETE;
	}
	return status;
}
