/* libFuzzer target: tools/fpulab_log's reader over any bytes as a captured serial log,
   with the --json output on; every line that output has must parse back as one JSON
   object (docs/output.md: JSON Lines). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/fpulab_log/json.h"
#include "tools/fpulab_log/tap_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *discard(void)
{
	static FILE *sink;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink)
		abort();
	return sink;
}

static void check_json_lines(const char *output, size_t length)
{
	size_t start = 0;

	while (start < length) {
		const char *line = output + start;
		const char *newline = memchr(line, '\n', length - start);
		size_t line_length = newline ? (size_t)(newline - line) : length - start;
		struct json_object object;
		struct json_error error;

		if (!newline || json_parse_object(line, line_length, &object, &error) != 0)
			abort();
		json_object_free(&object);
		start += line_length + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size + 1 bytes, the reader's one spare byte: ASan sees any read past it. */
	char *text = malloc(size + 1);
	char *json = NULL;
	size_t json_length = 0;
	FILE *json_output = open_memstream(&json, &json_length);
	struct tap_log log;

	if (!text || !json_output)
		abort();
	memcpy(text, data, size);
	tap_log_begin(&log, "fuzz", json_output);
	tap_log_check_text(&log, text, size);
	tap_log_finish(&log);
	tap_log_print_summary(&log, discard());
	fclose(json_output);
	check_json_lines(json, json_length);
	free(json);
	free(text);
	return 0;
}
