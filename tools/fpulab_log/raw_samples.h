/* "# raw V1 V2 ...": the samples of the bench record right before it, in hundredths
   of its unit (docs/output.md, kernel argument `raw`). */
#ifndef FPULAB_LOG_RAW_SAMPLES_H
#define FPULAB_LOG_RAW_SAMPLES_H

#include <stddef.h>
#include <stdio.h>

/* line starts with "# raw": 1 when it is a raw samples line (it may still be malformed). */
int is_raw_samples_line(const char *line);

/* samples: the text after "# raw". NULL when it is " V1 V2 ..." with each V an integer
   (or nothing), and *count set; else what is wrong. */
const char *raw_samples_problem(const char *samples, unsigned long *count);

/* {"kind":"raw","name":NAME,"n":COUNT,"samples":[...]} with the values in the unit;
   name_json is the bench record's name as JSON text (quotes included). */
void write_raw_samples_json(FILE *output, const char *name_json, const char *samples,
			    unsigned long count);

#endif
