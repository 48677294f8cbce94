/* The record kinds of docs/output.md ("# KIND {json}") and the fields each must have. */
#ifndef FPULAB_LOG_RECORDS_H
#define FPULAB_LOG_RECORDS_H

#include <stddef.h>

#include "json.h"

/* Which JSON values a field accepts; combine with |. */
enum field_types {
	FIELD_STR = 1 << 0,
	FIELD_INT = 1 << 1,
	FIELD_NUM = 1 << 2,   /* any number, integers included */
	FIELD_BOOL = 1 << 3,
	FIELD_OBJ = 1 << 4,
	FIELD_ARR = 1 << 5,
	FIELD_NULL = 1 << 6,
};

struct field_rule {
	const char *name;
	unsigned types;
	int required;         /* 0: checked only when present */
};

struct record_kind {
	const char *name;
	const struct field_rule *fields;
	size_t field_count;
};

/* The kind called name[0..length), or NULL. */
const struct record_kind *find_record_kind(const char *name, size_t length);

/* NULL when object follows kind's rules, else a description of the first rule it
   breaks, written into message (message_size bytes). */
const char *record_fields_problem(const struct record_kind *kind,
				  const struct json_object *object,
				  char *message, size_t message_size);

#endif
