#include "lib/kernel_args.h"
#include "lib/glob.h"
#include "lib/string.h"

static void add_error(struct kernel_args *args, const char *word, size_t length, const char *reason)
{
	struct argument_error *error;

	if (args->error_count == ARGS_MAX_ERRORS)
		return;
	error = &args->errors[args->error_count++];
	if (length >= sizeof error->word)
		length = sizeof error->word - 1;
	memcpy(error->word, word, length);
	error->word[length] = 0;
	string_copy(error->reason, reason, sizeof error->reason);
}

/* Appends the items of "a,b,c" to list. All or nothing: returns 0 and adds none when
   an item is empty or too long, or the list would overflow. */
static int parse_list(const char *value, size_t length, char list[][ARGS_WORD_SIZE],
		      unsigned *count, unsigned capacity)
{
	unsigned added = 0;
	size_t start = 0;

	if (length == 0)
		return 0;
	while (start <= length) {
		size_t end = start;
		while (end < length && value[end] != ',')
			end++;
		if (end == start || end - start >= ARGS_WORD_SIZE || *count + added == capacity)
			return 0;
		memcpy(list[*count + added], value + start, end - start);
		list[*count + added][end - start] = 0;
		added++;
		start = end + 1;
	}
	*count += added;
	return 1;
}

static int value_is(const char *value, size_t length, const char *expected)
{
	return strlen(expected) == length && strncmp(value, expected, length) == 0;
}

struct choice {
	const char *name;
	int value;
};

/* KEY=VALUE where VALUE is one of choices: sets *setting, or reports usage. */
static void parse_choice(struct kernel_args *args, const char *word, size_t word_length,
			 const char *value, size_t length, const struct choice *choices,
			 unsigned count, int *setting, const char *usage)
{
	for (unsigned i = 0; i < count; i++) {
		if (value_is(value, length, choices[i].name)) {
			*setting = choices[i].value;
			return;
		}
	}
	add_error(args, word, word_length, usage);
}

static const struct choice exit_choices[] = {
	{ "qemu", EXIT_QEMU }, { "bochs", EXIT_BOCHS },
	{ "halt", EXIT_HALT }, { "firmware", EXIT_FIRMWARE },
};
static const struct choice backend_choices[] = {
	{ "sim", LAB_BACKEND_SIMULATED }, { "hosted", LAB_BACKEND_HOSTED },
	{ "metal", LAB_BACKEND_METAL }, { "all", LAB_BACKEND_ALL },
};
static const struct choice clock_choices[] = {
	{ "auto", CLOCK_CHOICE_AUTO }, { "tsc", CLOCK_CHOICE_TSC },
	{ "core-cycles", CLOCK_CHOICE_CORE_CYCLES }, { "aperf", CLOCK_CHOICE_APERF },
};
static const struct choice lab_guests_choices[] = {
	{ "per-cpu", LAB_GUESTS_PER_CPU }, { "first-cpu", LAB_GUESTS_FIRST_CPU },
};
#define CHOICES(table) table, sizeof table / sizeof table[0]

static void parse_word(struct kernel_args *args, const char *word, size_t length)
{
	const char *equals = word;
	size_t key_length, value_length;
	const char *value;

	while (equals < word + length && *equals != '=')
		equals++;
	key_length = (size_t)(equals - word);
	value = equals < word + length ? equals + 1 : 0;
	value_length = value ? length - key_length - 1 : 0;

	if (!value && value_is(word, key_length, "quick"))
		args->quick = 1;
	else if (!value && value_is(word, key_length, "raw"))
		args->raw = 1;
	else if (value && value_is(word, key_length, "only")) {
		if (!parse_list(value, value_length, args->only, &args->only_count, ARGS_MAX_GLOBS))
			add_error(args, word, length, "only= takes GLOB[,GLOB...] with no empty item");
	} else if (value && value_is(word, key_length, "skip")) {
		if (!parse_list(value, value_length, args->skip, &args->skip_count, ARGS_MAX_GLOBS))
			add_error(args, word, length, "skip= takes GLOB[,GLOB...] with no empty item");
	} else if (value && value_is(word, key_length, "selftest")) {
		if (!parse_list(value, value_length, args->selftests, &args->selftest_count,
				ARGS_MAX_SELFTESTS))
			add_error(args, word, length, "selftest= takes NAME[,NAME...]");
	} else if (value && value_is(word, key_length, "exit")) {
		int method = (int)args->exit_method;
		parse_choice(args, word, length, value, value_length, CHOICES(exit_choices), &method,
			     "exit= takes qemu, bochs, halt or firmware");
		args->exit_method = (enum exit_method)method;
	} else if (value && value_is(word, key_length, "backend")) {
		int backend = (int)args->lab_backend;
		parse_choice(args, word, length, value, value_length, CHOICES(backend_choices), &backend,
			     "backend= takes sim, hosted, metal or all");
		args->lab_backend = (enum lab_backend_choice)backend;
	} else if (value && value_is(word, key_length, "clock")) {
		int clock = (int)args->clock;
		parse_choice(args, word, length, value, value_length, CHOICES(clock_choices), &clock,
			     "clock= takes auto, tsc, core-cycles or aperf");
		args->clock = (enum clock_choice)clock;
	} else if (value && value_is(word, key_length, "lab_guests")) {
		int guests = (int)args->lab_guests;
		parse_choice(args, word, length, value, value_length, CHOICES(lab_guests_choices), &guests,
			     "lab_guests= takes per-cpu or first-cpu");
		args->lab_guests = (enum lab_guests_choice)guests;
	} else if (value && (value_is(word, key_length, "quick") || value_is(word, key_length, "raw"))) {
		add_error(args, word, length, "this argument takes no value");
	} else if (!value && (value_is(word, key_length, "only") || value_is(word, key_length, "skip") ||
			      value_is(word, key_length, "selftest") || value_is(word, key_length, "exit") ||
			      value_is(word, key_length, "backend") || value_is(word, key_length, "clock") ||
			      value_is(word, key_length, "lab_guests"))) {
		add_error(args, word, length, "this argument needs =VALUE");
	} else {
		add_error(args, word, length, "unknown argument");
	}
}

void kernel_args_parse(const char *line, struct kernel_args *args)
{
	memset(args, 0, sizeof *args);
	while (*line) {
		size_t length = 0;
		while (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\n')
			line++;
		while (line[length] && line[length] != ' ' && line[length] != '\t' &&
		       line[length] != '\r' && line[length] != '\n')
			length++;
		if (length)
			parse_word(args, line, length);
		line += length;
	}
}

int kernel_args_selects(const struct kernel_args *args, const char *test_name)
{
	unsigned i;
	int selected = args->only_count == 0;

	for (i = 0; i < args->only_count && !selected; i++)
		selected = glob_match(args->only[i], test_name);
	for (i = 0; i < args->skip_count && selected; i++)
		selected = !glob_match(args->skip[i], test_name);
	return selected;
}

int kernel_args_wants_selftest(const struct kernel_args *args, const char *selftest_name)
{
	for (unsigned i = 0; i < args->selftest_count; i++)
		if (strcmp(args->selftests[i], selftest_name) == 0)
			return 1;
	return 0;
}
