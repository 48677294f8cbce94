#include "tap_line.h"

#include <stdio.h>
#include <string.h>

#include "raw_samples.h"

enum {
	MAX_NUMBER_DIGITS = 9,
	MAX_WORD_IN_MESSAGE = 32,
};

static const char digits[] = "0123456789";

static int starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

static int is_digit(char character)
{
	return character >= '0' && character <= '9';
}

static int is_lowercase_letter(char character)
{
	return character >= 'a' && character <= 'z';
}

static int is_letter(char character)
{
	return is_lowercase_letter(character) || (character >= 'A' && character <= 'Z');
}

static void set_malformed(struct tap_line *parsed, const char *problem)
{
	parsed->kind = LINE_MALFORMED;
	parsed->problem = problem;
}

/* A decimal without leading zeros, at most MAX_NUMBER_DIGITS digits. Returns the
   text after it, or NULL. */
static const char *parse_number(const char *text, unsigned long *value)
{
	size_t count = strspn(text, digits);
	size_t index;

	if (count == 0 || count > MAX_NUMBER_DIGITS || (count > 1 && text[0] == '0'))
		return NULL;
	*value = 0;
	for (index = 0; index < count; index++)
		*value = *value * 10 + (unsigned long)(text[index] - '0');
	return text + count;
}

/* ---- test points ---- */

static int is_name_character(char character)
{
	return is_letter(character) || is_digit(character) ||
	       (character != '\0' && strchr("_.:=*+-", character));
}

/* NAME is segments of [A-Za-z0-9_.:=*+-] joined by '/'. */
static const char *test_name_problem(const char *name, size_t length)
{
	size_t segment_length = 0;
	size_t index;

	for (index = 0; index < length; index++) {
		if (name[index] == '/') {
			if (segment_length == 0)
				return "empty segment in test point name";
			segment_length = 0;
		} else if (is_name_character(name[index])) {
			segment_length++;
		} else {
			return "character not allowed in test point name";
		}
	}
	if (length == 0)
		return "test point without a name";
	return segment_length ? NULL : "empty segment in test point name";
}

/* rest is what follows the name: nothing, " # REASON" or " # SKIP REASON". */
static const char *parse_directive(const char *rest, struct test_point *point)
{
	if (*rest == '\0')
		return point->result == TEST_NOT_OK ? "\"not ok\" without \" # REASON\"" : NULL;
	if (!starts_with(rest, " # "))
		return "expected \" # \" or the end of the line after the test point name";
	rest += strlen(" # ");
	if (point->result == TEST_NOT_OK) {
		point->reason = rest;
		return *rest ? NULL : "\"not ok\" with an empty reason";
	}
	if (!starts_with(rest, "SKIP ") || rest[strlen("SKIP ")] == '\0')
		return "\"ok\" with a directive other than \"# SKIP REASON\"";
	point->result = TEST_SKIP;
	point->reason = rest + strlen("SKIP ");
	return NULL;
}

/* text starts at the test point's number. */
static const char *parse_test_point(const char *text, struct test_point *point)
{
	const char *rest = parse_number(text, &point->number);
	const char *problem;

	if (!rest)
		return "test point number with leading zeros or too many digits";
	if (!starts_with(rest, " - "))
		return "expected \" - \" after the test point number";
	point->name = rest + strlen(" - ");
	point->name_length = strcspn(point->name, " ");
	problem = test_name_problem(point->name, point->name_length);
	if (problem)
		return problem;
	return parse_directive(point->name + point->name_length, point);
}

/* line starts with "ok " or "not ok "; without a digit next it is not a test point. */
static void classify_test_point(const char *line, struct tap_line *parsed)
{
	struct test_point *point = &parsed->test_point;
	const char *number;
	const char *problem;

	point->result = starts_with(line, "ok ") ? TEST_OK : TEST_NOT_OK;
	number = line + strlen(point->result == TEST_OK ? "ok " : "not ok ");
	if (!is_digit(*number))
		return;
	problem = parse_test_point(number, point);
	if (problem) {
		set_malformed(parsed, problem);
		parsed->is_numbered_test_point = point->name != NULL;
	} else {
		parsed->kind = LINE_TEST_POINT;
	}
}

/* ---- lines starting with "# " ---- */

static void classify_end_marker(const char *line, struct tap_line *parsed)
{
	static const char prefix[] = "# fpulab-end status=";
	const char *status;

	if (!starts_with(line, prefix)) {
		set_malformed(parsed, "end marker is not \"# fpulab-end status=S\"");
		return;
	}
	status = line + strlen(prefix);
	if (status[0] < '0' || status[0] > '2' || status[1] != '\0') {
		set_malformed(parsed, "end marker status is not 0, 1 or 2");
		return;
	}
	parsed->kind = LINE_END_MARKER;
	parsed->end_status = status[0] - '0';
}

/* A record kind: a lowercase word ([a-z][a-z0-9_-]*). */
static size_t record_word_length(const char *text)
{
	size_t length = 0;

	if (!is_lowercase_letter(text[0]))
		return 0;
	while (is_lowercase_letter(text[length]) || is_digit(text[length]) ||
	       text[length] == '_' || text[length] == '-')
		length++;
	return length;
}

/* "# word {" is a record, of a known kind or garbled; anything else a comment. */
static void classify_record_or_comment(const char *line, struct tap_line *parsed)
{
	const char *word = line + strlen("# ");
	size_t word_length = record_word_length(word);

	parsed->kind = LINE_COMMENT;
	if (word_length == 0 || !starts_with(word + word_length, " {"))
		return;
	parsed->record_kind = find_record_kind(word, word_length);
	if (!parsed->record_kind) {
		snprintf(parsed->problem_text, sizeof parsed->problem_text,
			 "unknown record kind \"%.*s\"%s",
			 (int)(word_length < MAX_WORD_IN_MESSAGE ? word_length : MAX_WORD_IN_MESSAGE),
			 word, word_length > MAX_WORD_IN_MESSAGE ? "..." : "");
		set_malformed(parsed, parsed->problem_text);
		return;
	}
	parsed->kind = LINE_RECORD;
	parsed->json = word + word_length + 1;
	parsed->json_column = (size_t)(parsed->json - line) + 1;
}

static void classify_raw_samples(const char *line, struct tap_line *parsed)
{
	const char *samples = line + strlen("# raw");
	const char *problem = raw_samples_problem(samples, &parsed->raw_count);

	if (problem) {
		set_malformed(parsed, problem);
		return;
	}
	parsed->kind = LINE_RAW;
	parsed->raw_samples = samples;
}

/* ---- the rest ---- */

/* Lines of digits then ".." are plans; other lines starting with a digit are noise. */
static void classify_plan(const char *line, struct tap_line *parsed)
{
	const char *end = NULL;

	if (!starts_with(line + strspn(line, digits), ".."))
		return;
	if (starts_with(line, "1.."))
		end = parse_number(line + strlen("1.."), &parsed->planned);
	if (!end || *end != '\0') {
		set_malformed(parsed, "plan is not \"1..N\"");
		return;
	}
	parsed->kind = LINE_PLAN;
}

static void classify_tap_version(const char *line, struct tap_line *parsed)
{
	if (strcmp(line, "TAP version 14") == 0)
		parsed->kind = LINE_TAP_VERSION;
	else
		set_malformed(parsed, "TAP version line is not \"TAP version 14\"");
}

void classify_tap_line(const char *line, struct tap_line *parsed)
{
	memset(parsed, 0, sizeof *parsed);
	parsed->kind = LINE_OTHER;
	if (starts_with(line, "ok ") || starts_with(line, "not ok "))
		classify_test_point(line, parsed);
	else if (starts_with(line, "# fpulab-end"))
		classify_end_marker(line, parsed);
	else if (is_raw_samples_line(line))
		classify_raw_samples(line, parsed);
	else if (starts_with(line, "# "))
		classify_record_or_comment(line, parsed);
	else if (is_digit(line[0]))
		classify_plan(line, parsed);
	else if (starts_with(line, "TAP version"))
		classify_tap_version(line, parsed);
	else if (starts_with(line, "Bail out!"))
		parsed->kind = LINE_BAIL_OUT;
	else if (strcmp(line, "  ---") == 0)
		parsed->kind = LINE_YAML_START;
	else if (strcmp(line, "  ...") == 0)
		parsed->kind = LINE_YAML_END;
}
