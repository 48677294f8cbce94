/* A strict JSON (RFC 8259) validator that keeps the top-level members of an object:
   their names and the type of their values. Nested values are checked, not kept. */
#ifndef FPULAB_LOG_JSON_H
#define FPULAB_LOG_JSON_H

#include <stddef.h>
#include <stdio.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member {
	char *name;          /* decoded; may contain NUL bytes, so use name_length */
	size_t name_length;
	enum json_type type;
	int is_integer;      /* a number written without fraction or exponent */
	size_t value_offset; /* the value's text: text[value_offset..+value_length) */
	size_t value_length;
};

struct json_object {
	struct json_member *members;
	size_t count;
	size_t capacity;
};

struct json_error {
	size_t offset;       /* where in the text parsing stopped */
	const char *message;
};

/* Parses text[0..length) as exactly one JSON object, whitespace allowed around it.
   Returns 0 and fills object (free it with json_object_free), or -1 and fills error. */
int json_parse_object(const char *text, size_t length, struct json_object *object,
		      struct json_error *error);
void json_object_free(struct json_object *object);

/* The first member called name, or NULL. */
const struct json_member *json_object_find(const struct json_object *object, const char *name);

/* "string", "number", ... for messages. */
const char *json_type_name(enum json_type type);

/* Writes text[0..length) as a quoted JSON string. Control characters are escaped;
   bytes that are not valid UTF-8 become U+FFFD. */
void json_write_string(FILE *output, const char *text, size_t length);

#endif
