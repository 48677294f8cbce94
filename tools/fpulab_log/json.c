#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "utf8.h"

enum {
	MAX_NESTING = 64,
};

struct json_parser {
	const char *text;
	size_t length;
	size_t position;
	int depth;
	const char *error;
};

static int parse_value(struct json_parser *parser, enum json_type *type, int *is_integer);

/* ---- the parser's cursor ---- */

static int fail(struct json_parser *parser, const char *message)
{
	if (!parser->error)
		parser->error = message;
	return -1;
}

/* The next byte, or -1 at the end of the text. */
static int peek(const struct json_parser *parser)
{
	if (parser->position >= parser->length)
		return -1;
	return (unsigned char)parser->text[parser->position];
}

/* Steps over the next byte if it is expected. */
static int consume(struct json_parser *parser, char expected)
{
	if (peek(parser) != (unsigned char)expected)
		return 0;
	parser->position++;
	return 1;
}

static void skip_whitespace(struct json_parser *parser)
{
	for (;;) {
		int byte = peek(parser);
		if (byte != ' ' && byte != '\t' && byte != '\n' && byte != '\r')
			return;
		parser->position++;
	}
}

static int enter_nesting(struct json_parser *parser)
{
	if (++parser->depth > MAX_NESTING)
		return fail(parser, "nested too deeply");
	return 0;
}

/* ---- literals and numbers ---- */

static int parse_literal(struct json_parser *parser, const char *word)
{
	size_t length = strlen(word);

	if (parser->length - parser->position < length ||
	    memcmp(parser->text + parser->position, word, length) != 0)
		return fail(parser, "expected a value");
	parser->position += length;
	return 0;
}

static int is_digit(int byte)
{
	return byte >= '0' && byte <= '9';
}

static int parse_digits(struct json_parser *parser)
{
	if (!is_digit(peek(parser)))
		return fail(parser, "expected a digit");
	while (is_digit(peek(parser)))
		parser->position++;
	return 0;
}

static int parse_number(struct json_parser *parser, int *is_integer)
{
	*is_integer = 1;
	consume(parser, '-');
	if (consume(parser, '0')) {
		if (is_digit(peek(parser)))
			return fail(parser, "number with a leading zero");
	} else if (parse_digits(parser)) {
		return -1;
	}
	if (consume(parser, '.')) {
		*is_integer = 0;
		if (parse_digits(parser))
			return -1;
	}
	if (consume(parser, 'e') || consume(parser, 'E')) {
		*is_integer = 0;
		if (!consume(parser, '+'))
			consume(parser, '-');
		if (parse_digits(parser))
			return -1;
	}
	return 0;
}

/* ---- strings ---- */

static int hex_digit_value(int byte)
{
	if (byte >= '0' && byte <= '9')
		return byte - '0';
	if (byte >= 'a' && byte <= 'f')
		return byte - 'a' + 10;
	if (byte >= 'A' && byte <= 'F')
		return byte - 'A' + 10;
	return -1;
}

static int parse_hex4(struct json_parser *parser, unsigned long *code)
{
	int count;

	*code = 0;
	for (count = 0; count < 4; count++) {
		int value = hex_digit_value(peek(parser));
		if (value < 0)
			return fail(parser, "\\u needs four hex digits");
		*code = *code * 16 + (unsigned long)value;
		parser->position++;
	}
	return 0;
}

static int is_high_surrogate(unsigned long code)
{
	return code >= 0xd800 && code <= 0xdbff;
}

static int is_low_surrogate(unsigned long code)
{
	return code >= 0xdc00 && code <= 0xdfff;
}

/* After "\u": one code point; one outside the BMP is a pair of escapes. */
static int parse_unicode_escape(struct json_parser *parser, unsigned long *code_point)
{
	unsigned long high, low;

	if (parse_hex4(parser, &high))
		return -1;
	if (is_low_surrogate(high))
		return fail(parser, "\\u escape of a lone low surrogate");
	if (!is_high_surrogate(high)) {
		*code_point = high;
		return 0;
	}
	if (!consume(parser, '\\') || !consume(parser, 'u'))
		return fail(parser, "\\u escape of a high surrogate without its low surrogate");
	if (parse_hex4(parser, &low))
		return -1;
	if (!is_low_surrogate(low))
		return fail(parser, "\\u escape of a high surrogate without its low surrogate");
	*code_point = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
	return 0;
}

/* After the backslash. decoded may be NULL. */
static int parse_escape(struct json_parser *parser, struct byte_buffer *decoded)
{
	static const char escape_letters[] = "\"\\/bfnrt";
	static const char escaped_bytes[] = "\"\\/\b\f\n\r\t";
	int byte = peek(parser);
	const char *letter;
	unsigned long code_point;

	if (consume(parser, 'u')) {
		if (parse_unicode_escape(parser, &code_point))
			return -1;
		if (decoded)
			utf8_append(decoded, code_point);
		return 0;
	}
	letter = byte > 0 ? strchr(escape_letters, byte) : NULL;
	if (!letter)
		return fail(parser, "unknown escape in string");
	parser->position++;
	if (decoded)
		byte_buffer_append_byte(decoded, escaped_bytes[letter - escape_letters]);
	return 0;
}

/* Copies one UTF-8 character of the string body. decoded may be NULL. */
static int parse_string_character(struct json_parser *parser, struct byte_buffer *decoded)
{
	const unsigned char *bytes = (const unsigned char *)parser->text + parser->position;
	size_t length = utf8_sequence_length(bytes, parser->length - parser->position);

	if (length == 0)
		return fail(parser, "invalid UTF-8 in string");
	if (decoded)
		byte_buffer_append(decoded, bytes, length);
	parser->position += length;
	return 0;
}

/* decoded, when not NULL, receives the string's value. */
static int parse_string(struct json_parser *parser, struct byte_buffer *decoded)
{
	if (!consume(parser, '"'))
		return fail(parser, "expected a string");
	for (;;) {
		int byte = peek(parser);
		if (byte < 0)
			return fail(parser, "unterminated string");
		if (byte == '"') {
			parser->position++;
			return 0;
		}
		if (byte < 0x20)
			return fail(parser, "control character in string");
		if (byte == '\\') {
			parser->position++;
			if (parse_escape(parser, decoded))
				return -1;
		} else if (parse_string_character(parser, decoded)) {
			return -1;
		}
	}
}

/* ---- arrays and objects ---- */

static int parse_array(struct json_parser *parser)
{
	enum json_type type;
	int is_integer;

	if (enter_nesting(parser))
		return -1;
	parser->position++;
	skip_whitespace(parser);
	if (!consume(parser, ']')) {
		do {
			if (parse_value(parser, &type, &is_integer))
				return -1;
			skip_whitespace(parser);
		} while (consume(parser, ','));
		if (!consume(parser, ']'))
			return fail(parser, "expected ',' or ']'");
	}
	parser->depth--;
	return 0;
}

/* Takes over name's memory. */
static void add_member(struct json_object *object, struct byte_buffer *name,
		       const struct json_member *parsed)
{
	struct json_member *member;

	if (object->count == object->capacity) {
		object->capacity = object->capacity ? object->capacity * 2 : 16;
		object->members = reallocate_or_exit(object->members,
						     object->capacity * sizeof *object->members);
	}
	byte_buffer_append_byte(name, '\0');
	member = &object->members[object->count++];
	*member = *parsed;
	member->name = name->data;
	member->name_length = name->length - 1;
}

/* "name": value. collect, when not NULL, receives the member. */
static int parse_member(struct json_parser *parser, struct json_object *collect)
{
	struct byte_buffer name = { 0 };
	struct json_member member = { 0 };
	int result;

	skip_whitespace(parser);
	result = parse_string(parser, collect ? &name : NULL);
	if (result == 0) {
		skip_whitespace(parser);
		if (!consume(parser, ':'))
			result = fail(parser, "expected ':'");
	}
	if (result == 0) {
		skip_whitespace(parser);
		member.value_offset = parser->position;
		result = parse_value(parser, &member.type, &member.is_integer);
		member.value_length = parser->position - member.value_offset;
	}
	if (result == 0 && collect)
		add_member(collect, &name, &member);
	else
		byte_buffer_free(&name);
	return result;
}

/* collect, when not NULL, receives the object's members. */
static int parse_object(struct json_parser *parser, struct json_object *collect)
{
	if (enter_nesting(parser))
		return -1;
	parser->position++;
	skip_whitespace(parser);
	if (!consume(parser, '}')) {
		do {
			if (parse_member(parser, collect))
				return -1;
			skip_whitespace(parser);
		} while (consume(parser, ','));
		if (!consume(parser, '}'))
			return fail(parser, "expected ',' or '}'");
	}
	parser->depth--;
	return 0;
}

static int parse_value(struct json_parser *parser, enum json_type *type, int *is_integer)
{
	int byte;

	skip_whitespace(parser);
	byte = peek(parser);
	*is_integer = 0;
	switch (byte) {
	case '{':
		*type = JSON_OBJECT;
		return parse_object(parser, NULL);
	case '[':
		*type = JSON_ARRAY;
		return parse_array(parser);
	case '"':
		*type = JSON_STRING;
		return parse_string(parser, NULL);
	case 't':
		*type = JSON_BOOL;
		return parse_literal(parser, "true");
	case 'f':
		*type = JSON_BOOL;
		return parse_literal(parser, "false");
	case 'n':
		*type = JSON_NULL;
		return parse_literal(parser, "null");
	default:
		*type = JSON_NUMBER;
		if (byte == '-' || is_digit(byte))
			return parse_number(parser, is_integer);
		return fail(parser, byte < 0 ? "unexpected end of text" : "expected a value");
	}
}

/* ---- public ---- */

int json_parse_object(const char *text, size_t length, struct json_object *object,
		      struct json_error *error)
{
	struct json_parser parser = { text, length, 0, 0, NULL };

	object->members = NULL;
	object->count = 0;
	object->capacity = 0;
	skip_whitespace(&parser);
	if (peek(&parser) != '{') {
		fail(&parser, "expected '{'");
	} else if (parse_object(&parser, object) == 0) {
		skip_whitespace(&parser);
		if (peek(&parser) >= 0)
			fail(&parser, "text after the object");
	}
	if (!parser.error)
		return 0;
	error->offset = parser.position;
	error->message = parser.error;
	json_object_free(object);
	return -1;
}

void json_object_free(struct json_object *object)
{
	size_t index;

	for (index = 0; index < object->count; index++)
		free(object->members[index].name);
	free(object->members);
	object->members = NULL;
	object->count = 0;
	object->capacity = 0;
}

const struct json_member *json_object_find(const struct json_object *object, const char *name)
{
	size_t length = strlen(name);
	size_t index;

	for (index = 0; index < object->count; index++) {
		const struct json_member *member = &object->members[index];
		if (member->name_length == length && memcmp(member->name, name, length) == 0)
			return member;
	}
	return NULL;
}

const char *json_type_name(enum json_type type)
{
	switch (type) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "bool";
	case JSON_NUMBER:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	}
	return "value";
}

/* Writes the byte at text[0] escaped, or the UTF-8 character starting there.
   Returns how many bytes it used. */
static size_t write_string_character(FILE *output, const char *text, size_t available)
{
	unsigned char byte = (unsigned char)text[0];
	size_t length;

	if (byte == '"' || byte == '\\') {
		fputc('\\', output);
		fputc(byte, output);
		return 1;
	}
	if (byte < 0x20 || byte == 0x7f) {
		fprintf(output, "\\u%04x", byte);
		return 1;
	}
	length = utf8_sequence_length((const unsigned char *)text, available);
	if (length == 0) {
		fputs("\\ufffd", output);
		return 1;
	}
	fwrite(text, 1, length, output);
	return length;
}

void json_write_string(FILE *output, const char *text, size_t length)
{
	size_t index = 0;

	fputc('"', output);
	while (index < length)
		index += write_string_character(output, text + index, length - index);
	fputc('"', output);
}
