#include "lib/json_writer.h"
#include "lib/format.h"
#include "lib/string.h"

static void emit_char(struct json_writer *writer, char character)
{
	if (writer->length + 1 < writer->size)
		writer->buffer[writer->length++] = character;
	else
		writer->overflowed = 1;
}

static void emit_text(struct json_writer *writer, const char *text)
{
	while (*text)
		emit_char(writer, *text++);
}

static void emit_quoted(struct json_writer *writer, const char *text)
{
	static const char hex[] = "0123456789abcdef";

	emit_char(writer, '"');
	for (; *text; text++) {
		unsigned char character = (unsigned char)*text;
		if (character == '"' || character == '\\') {
			emit_char(writer, '\\');
			emit_char(writer, (char)character);
		} else if (character < 0x20 || character >= 0x7f) {
			emit_text(writer, "\\u00");
			emit_char(writer, hex[character >> 4]);
			emit_char(writer, hex[character & 15]);
		} else {
			emit_char(writer, (char)character);
		}
	}
	emit_char(writer, '"');
}

/* Comma and key before a value at the current level. */
static void begin_value(struct json_writer *writer, const char *key)
{
	if (!writer->first_in_level[writer->depth])
		emit_char(writer, ',');
	writer->first_in_level[writer->depth] = 0;
	if (key) {
		emit_quoted(writer, key);
		emit_char(writer, ':');
	}
}

static void open_level(struct json_writer *writer, const char *key, char bracket)
{
	begin_value(writer, key);
	emit_char(writer, bracket);
	if (writer->depth + 1 < JSON_MAX_DEPTH)
		writer->first_in_level[++writer->depth] = 1;
	else
		writer->overflowed = 1;
}

static void close_level(struct json_writer *writer, char bracket)
{
	emit_char(writer, bracket);
	if (writer->depth > 0)
		writer->depth--;
}

void json_begin(struct json_writer *writer, char *buffer, size_t size)
{
	memset(writer, 0, sizeof *writer);
	writer->buffer = buffer;
	writer->size = size;
	writer->first_in_level[0] = 1;
	open_level(writer, NULL, '{');
}

int json_finish(struct json_writer *writer)
{
	while (writer->depth > 0)
		close_level(writer, '}');
	if (writer->size)
		writer->buffer[writer->length] = 0;
	return writer->overflowed ? -1 : 0;
}

void json_object_begin(struct json_writer *writer, const char *key) { open_level(writer, key, '{'); }
void json_object_end(struct json_writer *writer) { close_level(writer, '}'); }
void json_array_begin(struct json_writer *writer, const char *key) { open_level(writer, key, '['); }
void json_array_end(struct json_writer *writer) { close_level(writer, ']'); }

void json_string(struct json_writer *writer, const char *key, const char *value)
{
	begin_value(writer, key);
	emit_quoted(writer, value);
}

void json_int(struct json_writer *writer, const char *key, int64_t value)
{
	char text[24];
	format_string(text, sizeof text, "%lld", (long long)value);
	begin_value(writer, key);
	emit_text(writer, text);
}

void json_uint(struct json_writer *writer, const char *key, uint64_t value)
{
	char text[24];
	format_string(text, sizeof text, "%llu", (unsigned long long)value);
	begin_value(writer, key);
	emit_text(writer, text);
}

void json_raw_number(struct json_writer *writer, const char *key, const char *text)
{
	begin_value(writer, key);
	emit_text(writer, text);
}

void json_bool(struct json_writer *writer, const char *key, int value)
{
	begin_value(writer, key);
	emit_text(writer, value ? "true" : "false");
}

void json_null(struct json_writer *writer, const char *key)
{
	begin_value(writer, key);
	emit_text(writer, "null");
}

void json_hex(struct json_writer *writer, const char *key, uint64_t value)
{
	char text[24];
	format_string(text, sizeof text, "0x%llx", (unsigned long long)value);
	json_string(writer, key, text);
}
