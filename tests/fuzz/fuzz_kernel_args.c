/* libFuzzer target: kernel/lib/kernel_args.c. The bytes before the first NUL are a
   command line; those after it, when there are any, a test name matched against the
   parsed only=/skip= globs (kernel/lib/glob.c) and the selftest list. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kernel_args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A word of a fixed-size array that is not terminated inside it. */
static int unterminated(const char *word, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (!word[i])
			return 0;
	return 1;
}

static void check_list(char list[][ARGS_WORD_SIZE], unsigned count, unsigned capacity)
{
	if (count > capacity)
		abort();
	for (unsigned i = 0; i < count; i++)
		if (!list[i][0] || unterminated(list[i], ARGS_WORD_SIZE))
			abort();
}

/* ASan cannot see an overflow from one array of struct kernel_args into the next. */
static void check_invariants(struct kernel_args *args)
{
	check_list(args->only, args->only_count, ARGS_MAX_GLOBS);
	check_list(args->skip, args->skip_count, ARGS_MAX_GLOBS);
	check_list(args->selftests, args->selftest_count, ARGS_MAX_SELFTESTS);
	if (args->error_count > ARGS_MAX_ERRORS)
		abort();
	for (unsigned i = 0; i < args->error_count; i++)
		if (unterminated(args->errors[i].word, sizeof args->errors[i].word) ||
		    unterminated(args->errors[i].reason, sizeof args->errors[i].reason))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly the bytes and two NULs: the line ends at the first, the name at the second. */
	char *text = malloc(size + 2);
	static struct kernel_args args;
	const char *name;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = 0;
	kernel_args_parse(text, &args);
	check_invariants(&args);
	name = text + strlen(text) + 1;
	if (name <= text + size) {
		kernel_args_selects(&args, name);
		kernel_args_wants_selftest(&args, name);
	}
	free(text);
	return 0;
}
