/* fpulab-trace replay (docs/tracing.md "Replay"): the converted capture through every
   configuration of the lab, fpulab's own policy among them, and the oracle; a log in
   fpulab's output contract (docs/output.md: TAP 14, one `lab` record per configuration,
   each with the capture and the assumptions, the table as `# ` lines), so that
   tools/fpulab-log and tools/lab-table read it. */
#include "trace/trace.h"
#include "lib/json_writer.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Seconds since the process started (its CPU time) and its peak memory. */
static void print_resources(FILE *out)
{
	struct rusage usage;
	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return;
	fprintf(out, "# replay: %.2f s of CPU, %ld MiB at most resident (the whole tool: reading, converting, replaying)\n",
		(double)usage.ru_utime.tv_sec + (double)usage.ru_stime.tv_sec +
		(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6, usage.ru_maxrss / 1024);
}

static void table_line(void *context, const char *line)
{
	fprintf(context, "%s\n", line);
}

/* fpulab's operations and cycles against the best intact other configuration in each,
   and against the oracle. */
static void print_ratios(const struct lab_cell *cells, const struct lab_cell *oracle, unsigned configs, FILE *out)
{
	unsigned mine = configs, by_ops = configs, by_cost = configs;

	for (unsigned c = 0; c < configs; c++) {
		if (strcmp(lab_configs[c].name, "fpulab") == 0) {
			mine = c;
			continue;
		}
		if (cells[c].state != LAB_CELL_INTACT)
			continue;
		if (by_ops == configs || cells[c].saves + cells[c].restores < cells[by_ops].saves + cells[by_ops].restores)
			by_ops = c;
		if (by_cost == configs || cells[c].cost < cells[by_cost].cost)
			by_cost = c;
	}
	if (mine == configs || by_ops == configs)
		return;
	{
		unsigned ops = cells[mine].saves + cells[mine].restores, best = cells[by_ops].saves + cells[by_ops].restores;
		unsigned oracle_ops = oracle->saves + oracle->restores;
		char to_oracle[24] = "n/a", cycles_to_oracle[24] = "n/a";   /* the oracle needs none */
		if (oracle_ops)
			snprintf(to_oracle, sizeof to_oracle, "%.2f", (double)ops / oracle_ops);
		if (oracle->cost)
			snprintf(cycles_to_oracle, sizeof cycles_to_oracle, "%.2f", (double)cells[mine].cost / (double)oracle->cost);
		fprintf(out, "# replay: fpulab %u saves+restores, %llu modelled cycles: %.2f of the best other configuration's "
			"operations (%s, %u), %.2f of its cycles (%s, %llu); %s of the oracle (%u), %s of its cycles (%llu)\n",
			ops, (unsigned long long)cells[mine].cost, best ? (double)ops / best : 0.0, lab_configs[by_ops].name,
			best, cells[by_cost].cost ? (double)cells[mine].cost / (double)cells[by_cost].cost : 0.0,
			lab_configs[by_cost].name, (unsigned long long)cells[by_cost].cost, to_oracle, oracle_ops,
			cycles_to_oracle, (unsigned long long)oracle->cost);
	}
}

/* The weights the replay costs with, where they are not the defaults. */
static void print_weights(const char *weights_log, FILE *out)
{
	struct lab_cost_weights weights = *lab_weights();

	fprintf(out, "# replay: cost weights from %s:", weights_log);
	for (unsigned i = 0; i < LAB_WEIGHTS; i++)
		fprintf(out, "%s %s %u", i ? "," : "", lab_weight_names[i], *lab_weight_at(&weights, i));
	fprintf(out, "\n");
}

/* Where fpulab's cycles above the oracle's bound go (lab_cost_parts): mine is fpulab's
   counts, oracle those of the oracle's cell. */
static void print_excess(const struct lab_counts *mine, const struct lab_counts *oracle, FILE *out)
{
	int64_t parts[LAB_COST_PARTS], oracle_parts[LAB_COST_PARTS], total = 0;
	char text[192];

	lab_cost_parts(mine, lab_weights(), parts);
	lab_cost_parts(oracle, lab_weights(), oracle_parts);
	for (unsigned i = 0; i < LAB_COST_PARTS; i++) {
		parts[i] -= oracle_parts[i];
		total += parts[i];
	}
	lab_cost_parts_text(parts, text, sizeof text);
	fprintf(out, "# replay: fpulab %lld cycles above the oracle's bound: %s\n", (long long)total, text);
}

int trace_replay(const struct trace_capture *c, const struct trace_conversion *cv, const char *weights_log, FILE *out)
{
	static struct lab_machine machine;
	static char record[4096];
	struct lab_cell cells[32], oracle = { 0 };
	struct lab_counts mine = { 0 };
	const char *config_names[32], *scenario_names[1] = { cv->scenario.name };
	unsigned configs = lab_config_count < 32 ? lab_config_count : 32, failed = 0;
	char share[40] = "";   /* the --fpu-use the conversion had */
	struct json_writer args;
	char args_text[400];

	fprintf(out, "TAP version 14\n");
	if (cv->options.fpu_use_percent < 100)
		snprintf(share, sizeof share, " --fpu-use %u:%u", cv->options.fpu_use_percent, (unsigned)cv->options.seed);
	snprintf(args_text, sizeof args_text, "replay %s%s%s%s", c->source, share, weights_log ? " --weights " : "",
		 weights_log ? weights_log : "");
	json_begin(&args, record, sizeof record);
	json_int(&args, "schema", 1);
	json_string(&args, "version", FPULAB_VERSION);
	json_string(&args, "boot", "trace");
	json_string(&args, "args", args_text);
	if (json_finish(&args) == 0)
		fprintf(out, "# fpulab %s\n", record);
	fprintf(out, "# replay: %s: %zu trace events from %u CPUs, Linux %s -> %u scenario events, %u contexts\n", c->source,
		c->records, c->cpus, c->kernel[0] ? c->kernel : "?", cv->scenario.events, cv->scenario.contexts);
	if (weights_log)
		print_weights(weights_log, out);
	if (cv->unsupported)
		fprintf(out, "# replay: %u events the lab cannot model (a fifth nested signal handler, a second vCPU, ...) "
			"are left out, the first at trace line %u\n", cv->unsupported, cv->first_unsupported);
	for (unsigned c2 = 0; c2 < configs; c2++) {
		const struct lab_config *config = &lab_configs[c2];
		struct lab_sim_fpu sim;
		struct lab_fpu_backend backend;
		struct lab_result r;
		struct json_writer w;
		int status;

		lab_sim_fpu_backend(&sim, &backend, &cv->storage);
		status = lab_run(config, &cv->scenario, &backend, &machine, &r);
		config_names[c2] = config->name;
		lab_cell_from(&cells[c2], &r);
		lab_oracle_cell_add(&oracle, &r, c2 == 0);
		if (strcmp(config->name, "fpulab") == 0)
			mine = r.counts;
		json_begin(&w, record, sizeof record);
		lab_record_write(&r, &w);
		if (json_finish(&w) == 0)
			fprintf(out, "# lab %s\n", record);
		if (status != 0 || (r.corrupted && !config->expected_corruption)) {
			failed++;
			fprintf(out, "not ok %u - trace/replay/%s # %s\n", c2 + 1, config->name,
				status ? r.error : "corrupted a context's state");
			continue;
		}
		fprintf(out, "ok %u - trace/replay/%s\n", c2 + 1, config->name);
		if (r.corrupted)
			fprintf(out, "# replay: %s corrupted %s's %s at line %u, as this configuration is known to\n",
				config->name, r.first_context, lab_component_name(r.first.component), (unsigned)r.first.line);
	}
	lab_table(cells, &oracle, configs, 1, config_names, scenario_names, table_line, out);
	print_ratios(cells, &oracle, configs, out);
	print_excess(&mine, &oracle.counts, out);
	print_resources(out);
	fprintf(out, "1..%u\n# fpulab-end status=%d\n", configs, failed ? 1 : 0);
	return failed ? 1 : 0;
}
