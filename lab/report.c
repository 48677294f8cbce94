/* The `lab` record (docs/output.md) and the configuration x scenario table. */
#include "lab/lab_report.h"
#include "lib/format.h"
#include "lib/json_writer.h"
#include "lib/string.h"

/* "exposure": steps at which a context ran with another domain's state in the
   registers, and the first of them. */
static void exposure_write(const struct lab_result *r, struct json_writer *w)
{
	json_object_begin(w, "exposure");
	json_bool(w, "checked", r->exposure_checked);
	if (r->exposure_checked) {
		json_uint(w, "steps", r->exposures);
		json_uint(w, "vmm_over_own_guest", r->vmm_own_guest_steps);
		if (r->exposures) {
			json_object_begin(w, "first");
			json_uint(w, "step", r->first_exposure.step);
			json_uint(w, "line", r->first_exposure.line);
			json_string(w, "context", r->exposure_context);
			json_string(w, "holder", r->exposure_holder);
			json_string(w, "component", lab_component_name(r->first_exposure.component));
			json_object_end(w);
		}
	}
	json_object_end(w);
}

/* A scenario converted from a trace: the capture and what the conversion assumed. */
static void source_write(const struct lab_result *r, struct json_writer *w)
{
	const struct lab_scenario *s = r->source;

	if (!s || !s->source[0])
		return;
	json_string(w, "trace", s->source);
	json_array_begin(w, "assumptions");
	for (unsigned i = 0; i < s->assumptions; i++)
		json_string(w, 0, s->assumption[i]);
	json_array_end(w);
}

void lab_record_write(const struct lab_result *r, struct json_writer *writer)
{
	struct json_writer w;
	const struct lab_config *c = r->configuration;
	char hex[12];

	w = *writer;
	json_int(&w, "schema", 1);
	json_string(&w, "policy", r->config);
	json_string(&w, "origin", r->origin);
	json_string(&w, "scenario", r->scenario);
	json_string(&w, "backend", r->backend);
	if (c) {
		json_string(&w, "host", c->host->name);
		json_string(&w, "hypervisor", c->hv->name);
		json_string(&w, "guest_kernel", c->guest->name);
	}
	json_uint(&w, "saves", r->counts.saves);
	json_uint(&w, "restores", r->counts.restores);
	json_uint(&w, "bytes_saved", r->counts.bytes_saved);
	json_uint(&w, "bytes_restored", r->counts.bytes_restored);
	json_uint(&w, "nm_traps", r->counts.nm_traps);
	json_uint(&w, "cr0_writes", r->counts.cr0_writes);
	json_uint(&w, "xfd_writes", r->counts.xfd_writes);
	json_uint(&w, "xsetbv", r->counts.xsetbv);
	json_uint(&w, "vm_exits", r->counts.vm_exits);
	json_uint(&w, "ipis", r->counts.ipis);
	json_uint(&w, "frame_copies", r->counts.frame_copies);
	json_uint(&w, "bytes_copied", r->counts.bytes_copied);
	json_uint(&w, "cost_cycles", r->cost);
	json_string(&w, "cost_weights", lab_weights() == &lab_default_weights ? "default" : "measured");
	json_string(&w, "verdict", r->error[0] ? "error" : r->corrupted ? "corrupted" : "intact");
	json_bool(&w, "expected_corruption", r->expected_corruption);
	if (r->corrupted) {
		json_object_begin(&w, "corruption");
		json_uint(&w, "step", r->first.step);
		json_uint(&w, "line", r->first.line);
		json_string(&w, "context", r->first_context);
		json_string(&w, "component", lab_component_name(r->first.component));
		format_string(hex, sizeof hex, "0x%08x", (unsigned)r->first.expected);
		json_string(&w, "expected", hex);
		format_string(hex, sizeof hex, "0x%08x", (unsigned)r->first.found);
		json_string(&w, "found", hex);
		json_string(&w, "found_written_by", r->first_found_by);
		json_object_end(&w);
	}
	if (r->error[0])
		json_string(&w, "error", r->error);
	exposure_write(r, &w);
	source_write(r, &w);
	json_object_begin(&w, "oracle");
	json_uint(&w, "saves", r->oracle.saves);
	json_uint(&w, "restores", r->oracle.restores);
	json_uint(&w, "bytes", r->oracle.bytes_saved + r->oracle.bytes_restored);
	json_uint(&w, "vm_exits", r->oracle.vm_exits);
	json_uint(&w, "cost_cycles", r->oracle_cost);
	json_object_end(&w);
	if (r->fpu && r->fpu->record)
		r->fpu->record(r->fpu->self, &w);
	*writer = w;
}

int lab_record_json(const struct lab_result *r, char *buffer, size_t size)
{
	struct json_writer w;
	json_begin(&w, buffer, size);
	lab_record_write(r, &w);
	return json_finish(&w);
}

void lab_oracle_cell_add(struct lab_cell *oracle, const struct lab_result *r, bool first)
{
	if (first || r->oracle.saves + r->oracle.restores < oracle->saves + oracle->restores) {
		oracle->saves = r->oracle.saves;
		oracle->restores = r->oracle.restores;
	}
	if (first || r->oracle_cost < oracle->cost) {
		oracle->cost = r->oracle_cost;
		oracle->counts = r->oracle;
	}
	oracle->state = LAB_CELL_INTACT;
}

void lab_cell_from(struct lab_cell *cell, const struct lab_result *r)
{
	cell->saves = r->counts.saves;
	cell->restores = r->counts.restores;
	cell->cost = r->cost;
	cell->state = r->error[0] ? LAB_CELL_ERROR : !r->corrupted ? LAB_CELL_INTACT
		      : r->expected_corruption ? LAB_CELL_EXPECTED : LAB_CELL_UNEXPECTED;
	cell->exposed = r->exposures != 0;
}

static void cell(char *line, size_t size, size_t *used, const char *text, unsigned width)
{
	size_t n = strlen(text);
	if (*used + width + 2 >= size)
		return;
	memcpy(line + *used, text, n < width ? n : width);
	for (size_t i = n; i < width; i++)
		line[*used + i] = ' ';
	*used += width;
	line[(*used)++] = ' ';
	line[*used] = 0;
}

/* "# " lines: one row per configuration, one column per scenario, each cell
   "saves+restores" with 'x' for corrupted as expected, '!' unexpectedly, '?' could not
   run, 'e' for another domain's state exposed; the total of saves and restores and the
   modelled cycles; then the oracle's row. */
void lab_table(const struct lab_cell *cells, const struct lab_cell *oracle, unsigned configs,
	       unsigned scenarios, const char *const *config_names, const char *const *scenario_names,
	       lab_line_sink sink, void *sink_context)
{
	static const char marks[] = { 0, 'x', '!', '?' };
	char line[400], text[40];
	size_t used = 0;

	line[0] = 0;
	cell(line, sizeof line, &used, "# lab: saves+restores", 32);
	for (unsigned s = 0; s < scenarios; s++)
		cell(line, sizeof line, &used, scenario_names[s], 15);
	cell(line, sizeof line, &used, "total", 6);
	cell(line, sizeof line, &used, "cycles", 8);
	sink(sink_context, line);
	for (unsigned c = 0; c <= configs; c++) {
		const struct lab_cell *row = c < configs ? cells + c * scenarios : oracle;
		unsigned total = 0;
		uint64_t cycles = 0;
		used = 0;
		line[0] = 0;
		format_string(text, sizeof text, "# %s", c < configs ? config_names[c] : "oracle");
		cell(line, sizeof line, &used, text, 32);
		for (unsigned s = 0; s < scenarios; s++) {
			char mark[3] = { marks[row[s].state & 3], 0, 0 };
			if (row[s].exposed)
				mark[mark[0] ? 1 : 0] = 'e';
			total += row[s].saves + row[s].restores;
			cycles += row[s].cost;
			format_string(text, sizeof text, "%u+%u%s", row[s].saves, row[s].restores, mark);
			cell(line, sizeof line, &used, text, 15);
		}
		format_string(text, sizeof text, "%u", total);
		cell(line, sizeof line, &used, text, 6);
		format_string(text, sizeof text, "%llu", (unsigned long long)cycles);
		cell(line, sizeof line, &used, text, 8);
		sink(sink_context, line);
	}
	sink(sink_context, "# (cells: saves+restores; x corrupted as expected, ! unexpectedly, ? could not run,"
			   " e another domain's state exposed; cycles: modelled cost, oracle: a lower bound of both, its cycles from saves, restores, their bytes and the scenario's VM exits)");
}
