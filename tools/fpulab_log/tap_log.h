/* Checks a whole log, line by line, against docs/output.md, and writes the --json
   output as it goes. */
#ifndef FPULAB_LOG_TAP_LOG_H
#define FPULAB_LOG_TAP_LOG_H

#include <stdio.h>

#include "tap_line.h"

struct tap_log {
	const char *file_name;      /* for messages */
	FILE *json_output;          /* NULL without --json */

	unsigned long line_number;  /* of the line being checked; after the last, their count */
	unsigned long problems;

	int seen_version;
	enum line_kind previous_kind;   /* of the last fpulab line */
	int in_yaml_block;
	unsigned long yaml_block_line;
	int bailed_out;

	unsigned long next_number;
	unsigned long passed, failed, skipped;
	unsigned long fpulab_records, cpu_records;

	/* The last record checked, when it was a valid bench record: what a "# raw"
	   line right after it must match. */
	int last_record_is_bench;
	char bench_name_json[256];      /* its name as JSON text */
	unsigned long bench_n;

	int seen_plan;
	unsigned long planned;
	unsigned long plan_line;

	int seen_end_marker;
	int end_status;
	unsigned long end_marker_line;
};

void tap_log_begin(struct tap_log *log, const char *file_name, FILE *json_output);

/* line: the next line, NUL-terminated, escape codes and carriage returns removed. */
void tap_log_check_line(struct tap_log *log, const char *line);

/* text[0..length): a whole captured log, split into lines here and each cleaned in
   place (strip_terminal_codes); text[length] must be writable. */
void tap_log_check_text(struct tap_log *log, char *text, size_t length);

/* Checks what can only be checked at the end. Returns the exit status: 0 all ok,
   1 some not ok, 2 incomplete or garbled. */
int tap_log_finish(struct tap_log *log);

/* summary: N passed, N failed, N skipped */
void tap_log_print_summary(const struct tap_log *log, FILE *output);

#endif
