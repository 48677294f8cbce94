/* fpulab-trace replay --weights LOG (docs/tracing.md "Replay"): the cost weights a
   fpulab run measured, read from the last `weights` record of its log (docs/output.md),
   so that a capture is costed with the primitives of a machine of one's choosing. */
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

static const char weights_prefix[] = "# weights {";

/* The value of "NAME":{"ticks":N in record: 0, or -1 when it is missing or malformed. */
static int ticks_of(const char *record, const char *name, uint32_t *value)
{
	char key[48];
	const char *at;
	char *end;
	unsigned long number;

	snprintf(key, sizeof key, "\"%s\":{\"ticks\":", name);
	if (!(at = strstr(record, key)))
		return -1;
	at += strlen(key);
	if (*at < '0' || *at > '9')
		return -1;
	number = strtoul(at, &end, 10);
	if ((*end != ',' && *end != '}') || number > 0xffffffffu)
		return -1;
	*value = (uint32_t)number;
	return 0;
}

/* The last `weights` record line of the log, without its line end; 0 when it has none. */
static char *last_weights_record(FILE *log)
{
	char *line = 0, *found = 0;
	size_t capacity = 0;
	ssize_t length;

	while ((length = getline(&line, &capacity, log)) >= 0) {
		while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
			line[--length] = 0;
		if (strncmp(line, weights_prefix, sizeof weights_prefix - 1) != 0)
			continue;
		free(found);
		found = strdup(line);
	}
	free(line);
	return found;
}

int trace_weights_load(const char *path, struct lab_cost_weights *weights, char *error, size_t size)
{
	FILE *log = fopen(path, "r");
	char *record;
	struct lab_cost_weights loaded;

	if (!log) {
		snprintf(error, size, "%s: cannot be read", path);
		return -1;
	}
	record = last_weights_record(log);
	fclose(log);
	if (!record) {
		snprintf(error, size, "%s: no `weights` record (a fpulab run writes one when its primitive benchmarks ran)",
			 path);
		return -1;
	}
	for (unsigned i = 0; i < LAB_WEIGHTS; i++) {
		if (ticks_of(record, lab_weight_names[i], lab_weight_at(&loaded, i)) != 0) {
			snprintf(error, size, "%s: its `weights` record has no ticks for %s", path, lab_weight_names[i]);
			free(record);
			return -1;
		}
	}
	free(record);
	if (!loaded.save_base || !loaded.restore_base) {
		snprintf(error, size, "%s: its `weights` record makes a save or a restore free", path);
		return -1;
	}
	*weights = loaded;
	return 0;
}
