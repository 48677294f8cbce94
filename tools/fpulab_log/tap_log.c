#include "tap_log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "raw_samples.h"
#include "serial_text.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(format_index, first_argument) \
	__attribute__((format(printf, format_index, first_argument)))
#else
#define PRINTF_LIKE(format_index, first_argument)
#endif

enum {
	EXIT_ALL_OK = 0,
	EXIT_SOME_NOT_OK = 1,
	EXIT_INCOMPLETE = 2,
	END_STATUS_COULD_NOT_CONTINUE = 2,
};

static const char *const result_names[] = {
	[TEST_OK] = "ok",
	[TEST_NOT_OK] = "not ok",
	[TEST_SKIP] = "skip",
};

PRINTF_LIKE(3, 4)
static void report(struct tap_log *log, unsigned long line_number, const char *format, ...)
{
	va_list arguments;

	fprintf(stderr, "fpulab-log: %s:%lu: ", log->file_name, line_number);
	va_start(arguments, format);
	vfprintf(stderr, format, arguments);
	va_end(arguments);
	fputc('\n', stderr);
	log->problems++;
}

static unsigned long test_point_count(const struct tap_log *log)
{
	return log->passed + log->failed + log->skipped;
}

/* ---- --json output ---- */

static void write_test_point_json(FILE *output, const struct test_point *point)
{
	fprintf(output, "{\"kind\":\"test\",\"number\":%lu,\"name\":", point->number);
	json_write_string(output, point->name, point->name_length);
	fprintf(output, ",\"result\":\"%s\"", result_names[point->result]);
	if (point->reason) {
		fputs(",\"reason\":", output);
		json_write_string(output, point->reason, strlen(point->reason));
	}
	fputs("}\n", output);
}

static int is_json_whitespace(char character)
{
	return character == ' ' || character == '\t' || character == '\n' || character == '\r';
}

/* The record's own object, already validated, with "kind" put first. */
static void write_record_json(FILE *output, const struct tap_line *line)
{
	const char *members = line->json + 1;
	size_t length;

	members += strspn(members, " \t\n\r");
	length = strlen(members);
	while (length > 0 && is_json_whitespace(members[length - 1]))
		length--;
	fprintf(output, "{\"kind\":\"%s\"%s", line->record_kind->name, members[0] == '}' ? "" : ",");
	fwrite(members, 1, length, output);
	fputc('\n', output);
}

/* ---- one line at a time ---- */

/* Numbering, order and counts; also for a test point line that is otherwise malformed. */
static void count_test_point(struct tap_log *log, const struct test_point *point)
{
	if (log->seen_plan)
		report(log, log->line_number, "test point after the plan");
	if (log->bailed_out)
		report(log, log->line_number, "test point after \"Bail out!\"");
	if (point->number > log->next_number)
		report(log, log->line_number, "numbering gap: test point %lu where %lu was expected",
		       point->number, log->next_number);
	else if (point->number < log->next_number)
		report(log, log->line_number, "test point %lu repeated or out of order, %lu was expected",
		       point->number, log->next_number);
	log->next_number = point->number + 1;
	if (point->result == TEST_OK)
		log->passed++;
	else if (point->result == TEST_NOT_OK)
		log->failed++;
	else
		log->skipped++;
}

static void check_test_point(struct tap_log *log, const struct test_point *point)
{
	count_test_point(log, point);
	if (log->json_output)
		write_test_point_json(log->json_output, point);
}

static void check_malformed_line(struct tap_log *log, const struct tap_line *line)
{
	report(log, log->line_number, "%s", line->problem);
	if (line->is_numbered_test_point)
		count_test_point(log, &line->test_point);
}

static void check_yaml_start(struct tap_log *log)
{
	if (log->previous_kind != LINE_TEST_POINT)
		report(log, log->line_number, "YAML block not right after a test point");
	log->in_yaml_block = 1;
	log->yaml_block_line = log->line_number;
}

/* Inside a YAML block: returns 1 when line is part of it (its body or its end). */
static int continue_yaml_block(struct tap_log *log, const struct tap_line *line)
{
	if (line->kind == LINE_OTHER)
		return 1;
	log->in_yaml_block = 0;
	if (line->kind == LINE_YAML_END) {
		log->previous_kind = LINE_YAML_END;
		return 1;
	}
	report(log, log->line_number, "YAML block of line %lu not closed with \"  ...\"",
	       log->yaml_block_line);
	return 0;
}

/* The fpulab record comes once, right after TAP version 14; the cpu record once. */
static void check_record_placement(struct tap_log *log, const struct record_kind *kind)
{
	if (strcmp(kind->name, "fpulab") == 0) {
		if (++log->fpulab_records > 1)
			report(log, log->line_number, "second fpulab record");
		else if (log->previous_kind != LINE_TAP_VERSION)
			report(log, log->line_number, "fpulab record not right after \"TAP version 14\"");
	} else if (strcmp(kind->name, "cpu") == 0) {
		if (++log->cpu_records > 1)
			report(log, log->line_number, "second cpu record");
	}
}

/* Keeps what a raw samples line after this bench record is checked against. */
static void remember_bench(struct tap_log *log, const struct tap_line *line,
			   const struct json_object *object)
{
	const struct json_member *name = json_object_find(object, "name");
	const struct json_member *n = json_object_find(object, "n");
	const char *value = line->json + n->value_offset;

	log->last_record_is_bench = name->value_length < sizeof log->bench_name_json &&
				    value[0] != '-';
	if (!log->last_record_is_bench)
		return;
	memcpy(log->bench_name_json, line->json + name->value_offset, name->value_length);
	log->bench_name_json[name->value_length] = '\0';
	log->bench_n = strtoul(value, NULL, 10);
}

static void check_record(struct tap_log *log, const struct tap_line *line)
{
	const char *kind_name = line->record_kind->name;
	struct json_object object;
	struct json_error error;
	char message[160];
	const char *problem;

	log->last_record_is_bench = 0;
	if (json_parse_object(line->json, strlen(line->json), &object, &error) != 0) {
		report(log, log->line_number, "%s record: bad JSON at column %lu: %s", kind_name,
		       (unsigned long)(line->json_column + error.offset), error.message);
		return;
	}
	problem = record_fields_problem(line->record_kind, &object, message, sizeof message);
	if (!problem && strcmp(kind_name, "bench") == 0)
		remember_bench(log, line, &object);
	json_object_free(&object);
	if (problem) {
		report(log, log->line_number, "%s record: %s", kind_name, problem);
		return;
	}
	check_record_placement(log, line->record_kind);
	if (log->json_output)
		write_record_json(log->json_output, line);
}

/* "# raw" belongs right after a valid bench record and holds its n samples. */
static void check_raw_samples(struct tap_log *log, const struct tap_line *line)
{
	if (log->previous_kind != LINE_RECORD || !log->last_record_is_bench) {
		report(log, log->line_number, "raw samples not right after a valid bench record");
		return;
	}
	if (line->raw_count != log->bench_n) {
		report(log, log->line_number, "raw samples: %lu values, the bench record has n=%lu",
		       line->raw_count, log->bench_n);
		return;
	}
	if (log->json_output)
		write_raw_samples_json(log->json_output, log->bench_name_json, line->raw_samples,
				       line->raw_count);
}

static void check_plan(struct tap_log *log, unsigned long planned)
{
	if (log->seen_plan) {
		report(log, log->line_number, "second plan, the first is on line %lu", log->plan_line);
		return;
	}
	log->seen_plan = 1;
	log->planned = planned;
	log->plan_line = log->line_number;
}

static void check_end_marker(struct tap_log *log, int status)
{
	log->seen_end_marker = 1;
	log->end_status = status;
	log->end_marker_line = log->line_number;
}

/* A line in fpulab's formats, after TAP version 14 and before the end marker. */
static void check_fpulab_line(struct tap_log *log, const struct tap_line *line)
{
	switch (line->kind) {
	case LINE_TAP_VERSION:
		report(log, log->line_number, "second \"TAP version 14\"");
		break;
	case LINE_TEST_POINT:
		check_test_point(log, &line->test_point);
		break;
	case LINE_YAML_START:
		check_yaml_start(log);
		break;
	case LINE_YAML_END:
		report(log, log->line_number, "\"  ...\" outside a YAML block");
		break;
	case LINE_RECORD:
		check_record(log, line);
		break;
	case LINE_RAW:
		check_raw_samples(log, line);
		break;
	case LINE_PLAN:
		check_plan(log, line->planned);
		break;
	case LINE_BAIL_OUT:
		log->bailed_out = 1;
		break;
	case LINE_END_MARKER:
		check_end_marker(log, line->end_status);
		break;
	case LINE_MALFORMED:
		check_malformed_line(log, line);
		break;
	case LINE_COMMENT:
	case LINE_OTHER:
		break;
	}
}

void tap_log_begin(struct tap_log *log, const char *file_name, FILE *json_output)
{
	memset(log, 0, sizeof *log);
	log->file_name = file_name;
	log->json_output = json_output;
	log->previous_kind = LINE_OTHER;
	log->next_number = 1;
}

void tap_log_check_line(struct tap_log *log, const char *text)
{
	struct tap_line line;

	log->line_number++;
	if (!log->seen_version) {
		if (strcmp(text, "TAP version 14") == 0) {
			log->seen_version = 1;
			log->previous_kind = LINE_TAP_VERSION;
		}
		return;
	}
	classify_tap_line(text, &line);
	if (log->in_yaml_block && continue_yaml_block(log, &line))
		return;
	if (line.kind == LINE_OTHER)
		return;
	if (log->seen_end_marker) {
		report(log, log->line_number, "fpulab line after the end marker of line %lu",
		       log->end_marker_line);
		return;
	}
	check_fpulab_line(log, &line);
	/* A malformed test point still counts as one, and may have a YAML block. */
	log->previous_kind = line.is_numbered_test_point ? LINE_TEST_POINT : line.kind;
}

void tap_log_check_text(struct tap_log *log, char *text, size_t length)
{
	size_t start = 0;

	while (start < length) {
		char *line = text + start;
		char *newline = memchr(line, '\n', length - start);
		size_t line_length = newline ? (size_t)(newline - line) : length - start;

		strip_terminal_codes(line, line_length);
		tap_log_check_line(log, line);
		start += line_length + 1;
	}
}

/* ---- at the end ---- */

static void check_plan_count(struct tap_log *log, unsigned long last_line)
{
	if (!log->seen_plan) {
		report(log, log->seen_end_marker ? log->end_marker_line : last_line,
		       "no plan \"1..N\"");
		return;
	}
	if (log->planned != test_point_count(log))
		report(log, log->plan_line, "plan 1..%lu but %lu test point(s)", log->planned,
		       test_point_count(log));
}

static void check_end_status(struct tap_log *log)
{
	unsigned long line = log->end_marker_line;

	if (log->end_status == 0 && log->failed)
		report(log, line, "end status 0 but %lu test point(s) not ok", log->failed);
	if (log->end_status == 1 && !log->failed)
		report(log, line, "end status 1 but no test point is not ok");
	if (log->bailed_out && log->end_status != END_STATUS_COULD_NOT_CONTINUE)
		report(log, line, "\"Bail out!\" but end status %d, not 2", log->end_status);
	if (log->end_status == END_STATUS_COULD_NOT_CONTINUE)
		report(log, line, "end status 2: the run could not continue");
}

int tap_log_finish(struct tap_log *log)
{
	unsigned long last_line = log->line_number ? log->line_number : 1;

	if (!log->seen_version) {
		report(log, last_line, "no \"TAP version 14\" line");
		return EXIT_INCOMPLETE;
	}
	if (log->in_yaml_block)
		report(log, last_line, "YAML block of line %lu not closed with \"  ...\"",
		       log->yaml_block_line);
	if (!log->seen_end_marker)
		report(log, last_line, "no end marker \"# fpulab-end status=S\": "
		       "the log is truncated or the run did not finish");
	check_plan_count(log, last_line);
	if (log->seen_end_marker)
		check_end_status(log);
	if (log->problems)
		return EXIT_INCOMPLETE;
	return log->failed ? EXIT_SOME_NOT_OK : EXIT_ALL_OK;
}

void tap_log_print_summary(const struct tap_log *log, FILE *output)
{
	fprintf(output, "summary: %lu passed, %lu failed, %lu skipped\n", log->passed, log->failed,
		log->skipped);
}
