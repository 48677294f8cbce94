#include "serial_text.h"

enum {
	ESCAPE = 0x1b,
};

static int is_in_range(unsigned char byte, unsigned char low, unsigned char high)
{
	return byte >= low && byte <= high;
}

/* line[start] is the byte after ESC [. Returns the index after the sequence:
   parameter and intermediate bytes (0x20..0x3f), then one final byte (0x40..0x7e)
   if present. A sequence broken off by any other byte ends before that byte. */
static size_t skip_control_sequence(const char *line, size_t start, size_t length)
{
	size_t index = start;

	while (index < length && is_in_range((unsigned char)line[index], 0x20, 0x3f))
		index++;
	if (index < length && is_in_range((unsigned char)line[index], 0x40, 0x7e))
		index++;
	return index;
}

/* line[start] is the byte after a lone ESC: intermediate bytes (0x20..0x2f),
   then one final byte. */
static size_t skip_short_escape(const char *line, size_t start, size_t length)
{
	size_t index = start;

	while (index < length && is_in_range((unsigned char)line[index], 0x20, 0x2f))
		index++;
	if (index < length && is_in_range((unsigned char)line[index], 0x30, 0x7e))
		index++;
	return index;
}

/* line[start] is ESC. Returns the index after the whole escape sequence. */
static size_t skip_escape(const char *line, size_t start, size_t length)
{
	size_t next = start + 1;

	if (next < length && line[next] == '[')
		return skip_control_sequence(line, next + 1, length);
	return skip_short_escape(line, next, length);
}

size_t strip_terminal_codes(char *line, size_t length)
{
	size_t read = 0;
	size_t written = 0;

	while (read < length) {
		char byte = line[read];
		if (byte == ESCAPE) {
			read = skip_escape(line, read, length);
		} else {
			if (byte != '\r' && byte != '\0')
				line[written++] = byte;
			read++;
		}
	}
	line[written] = '\0';
	return written;
}
