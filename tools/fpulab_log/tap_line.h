/* What one cleaned line of a log is, by its own text alone (docs/output.md). */
#ifndef FPULAB_LOG_TAP_LINE_H
#define FPULAB_LOG_TAP_LINE_H

#include <stddef.h>

#include "records.h"

enum line_kind {
	LINE_OTHER,        /* not one of fpulab's formats: firmware noise, YAML body */
	LINE_TAP_VERSION,  /* TAP version 14 */
	LINE_TEST_POINT,   /* ok N - NAME, not ok N - NAME # REASON, ok N - NAME # SKIP REASON */
	LINE_YAML_START,   /* "  ---" */
	LINE_YAML_END,     /* "  ..." */
	LINE_RECORD,       /* # KIND {json}; the JSON is not checked yet */
	LINE_PLAN,         /* 1..N */
	LINE_BAIL_OUT,     /* Bail out! REASON */
	LINE_END_MARKER,   /* # fpulab-end status=S */
	LINE_RAW,          /* # raw V1 V2 ...: the samples of the bench record before it */
	LINE_COMMENT,      /* any other "# " line */
	LINE_MALFORMED,    /* starts like one of the above but breaks its format */
};

enum test_result {
	TEST_OK,
	TEST_NOT_OK,
	TEST_SKIP,
};

struct test_point {
	unsigned long number;
	enum test_result result;
	const char *name;
	size_t name_length;
	const char *reason;         /* NULL when the line gives none */
};

struct tap_line {
	enum line_kind kind;
	const char *problem;                      /* LINE_MALFORMED */
	char problem_text[96];                    /* room for a problem naming a word */
	struct test_point test_point;             /* LINE_TEST_POINT */
	int is_numbered_test_point;               /* LINE_MALFORMED with a test point's
						     number: it still counts as one */
	const struct record_kind *record_kind;    /* LINE_RECORD */
	const char *json;                         /* LINE_RECORD: from '{' to the end */
	size_t json_column;                       /* LINE_RECORD: 1-based column of '{' */
	unsigned long planned;                    /* LINE_PLAN */
	int end_status;                           /* LINE_END_MARKER */
	const char *raw_samples;                  /* LINE_RAW: " V1 V2 ..." */
	unsigned long raw_count;                  /* LINE_RAW: how many values */
};

/* Classifies line (NUL-terminated, escape codes already removed). The pointers in
   parsed point into line. */
void classify_tap_line(const char *line, struct tap_line *parsed);

#endif
