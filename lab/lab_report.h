/* The lab's output (lab/report.c): the `lab` record (docs/output.md) and the
   configuration x scenario table. Portable. */
#ifndef FPULAB_LAB_REPORT_H
#define FPULAB_LAB_REPORT_H

#include "lab/lab_run.h"

struct json_writer;
/* Writes the `lab` record's fields into a begun writer. */
void lab_record_write(const struct lab_result *result, struct json_writer *writer);
/* The same as one finished JSON object; returns 0 when it fitted. */
int lab_record_json(const struct lab_result *result, char *buffer, size_t size);

/* One cell of the configuration x scenario table. */
enum lab_cell_state { LAB_CELL_INTACT, LAB_CELL_EXPECTED, LAB_CELL_UNEXPECTED, LAB_CELL_ERROR };
struct lab_cell {
	uint32_t saves, restores;
	uint64_t cost;
	uint8_t state;
	uint8_t exposed;
	struct lab_counts counts;   /* the oracle's cell only: the counts of the oracle with that cost */
};
void lab_cell_from(struct lab_cell *cell, const struct lab_result *result);
/* The oracle's cell over a scenario's runs (first: the first run): the lowest of their
   oracles in saves+restores and, apart, in cycles (a run whose kernel FPU use was
   refused, kvm-2015's, had less to do), with the counts of the one lowest in cycles. */
void lab_oracle_cell_add(struct lab_cell *oracle, const struct lab_result *result, bool first);
typedef void (*lab_line_sink)(void *context, const char *line);
/* The table as "# " lines: cells[c * scenarios + s], then the oracle's row. */
void lab_table(const struct lab_cell *cells, const struct lab_cell *oracle, unsigned configs,
	       unsigned scenarios, const char *const *config_names, const char *const *scenario_names,
	       lab_line_sink sink, void *sink_context);

#endif
