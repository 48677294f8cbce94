/* Builds one JSON object on one line, for the `# KIND {json}` records. Output that
   does not fit is cut and marks the writer as overflowed, so a record is never
   printed half-written. */
#ifndef FPULAB_JSON_WRITER_H
#define FPULAB_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 8

struct json_writer {
	char *buffer;
	size_t size;
	size_t length;
	int overflowed;
	int depth;
	int first_in_level[JSON_MAX_DEPTH];
};

/* Starts the top-level object. */
void json_begin(struct json_writer *writer, char *buffer, size_t size);
/* Closes every open level; returns 0 and a terminated string when it all fitted. */
int json_finish(struct json_writer *writer);

/* key is NULL for an array element. */
void json_object_begin(struct json_writer *writer, const char *key);
void json_object_end(struct json_writer *writer);
void json_array_begin(struct json_writer *writer, const char *key);
void json_array_end(struct json_writer *writer);
void json_string(struct json_writer *writer, const char *key, const char *value);
void json_int(struct json_writer *writer, const char *key, int64_t value);
void json_uint(struct json_writer *writer, const char *key, uint64_t value);
void json_bool(struct json_writer *writer, const char *key, int value);
void json_null(struct json_writer *writer, const char *key);
/* A number already written as text (e.g. "12.34"); the caller vouches for its syntax. */
void json_raw_number(struct json_writer *writer, const char *key, const char *text);
/* A 64-bit mask as the string "0x...". */
void json_hex(struct json_writer *writer, const char *key, uint64_t value);

#endif
