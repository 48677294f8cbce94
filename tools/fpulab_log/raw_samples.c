#include "raw_samples.h"

#include <string.h>

enum {
	MAX_SAMPLE_DIGITS = 18,   /* fits a long long */
};

static const char prefix[] = "# raw";

int is_raw_samples_line(const char *line)
{
	size_t length = strlen(prefix);

	return strncmp(line, prefix, length) == 0 && (line[length] == ' ' || line[length] == '\0');
}

/* One " V": returns the text after it, or NULL. */
static const char *skip_sample(const char *text)
{
	size_t digits;

	if (text[0] != ' ')
		return NULL;
	text++;
	if (text[0] == '-')
		text++;
	digits = strspn(text, "0123456789");
	if (digits == 0 || digits > MAX_SAMPLE_DIGITS)
		return NULL;
	return text + digits;
}

const char *raw_samples_problem(const char *samples, unsigned long *count)
{
	*count = 0;
	while (*samples) {
		samples = skip_sample(samples);
		if (!samples)
			return "raw samples line is not \"# raw V1 V2 ...\" with integer values";
		(*count)++;
	}
	return NULL;
}

/* V in hundredths, written as a JSON number in the unit: -6 -> -0.06. */
static const char *write_sample(FILE *output, const char *text)
{
	long long value = 0;
	int negative = *text == '-';

	text += negative;
	while (*text >= '0' && *text <= '9')
		value = value * 10 + (*text++ - '0');
	fprintf(output, "%s%lld.%02lld", negative && value ? "-" : "", value / 100, value % 100);
	return text;
}

void write_raw_samples_json(FILE *output, const char *name_json, const char *samples,
			    unsigned long count)
{
	const char *separator = "";

	fprintf(output, "{\"kind\":\"raw\",\"name\":%s,\"n\":%lu,\"samples\":[", name_json, count);
	while (*samples == ' ') {
		fputs(separator, output);
		samples = write_sample(output, samples + 1);
		separator = ",";
	}
	fputs("]}\n", output);
}
