#include "utf8.h"

struct utf8_lead {
	unsigned char first_low, first_high;
	size_t length;
	unsigned char second_low, second_high;
};

/* Well-formed sequences (Unicode table 3-7): no overlongs, no surrogates. */
static const struct utf8_lead utf8_leads[] = {
	{ 0x00, 0x7f, 1, 0x00, 0x00 },
	{ 0xc2, 0xdf, 2, 0x80, 0xbf },
	{ 0xe0, 0xe0, 3, 0xa0, 0xbf },
	{ 0xe1, 0xec, 3, 0x80, 0xbf },
	{ 0xed, 0xed, 3, 0x80, 0x9f },
	{ 0xee, 0xef, 3, 0x80, 0xbf },
	{ 0xf0, 0xf0, 4, 0x90, 0xbf },
	{ 0xf1, 0xf3, 4, 0x80, 0xbf },
	{ 0xf4, 0xf4, 4, 0x80, 0x8f },
};

static int is_byte_in(unsigned char byte, unsigned char low, unsigned char high)
{
	return byte >= low && byte <= high;
}

static size_t check_utf8_sequence(const struct utf8_lead *lead, const unsigned char *bytes,
				  size_t available)
{
	size_t index;

	if (lead->length > available)
		return 0;
	if (lead->length > 1 && !is_byte_in(bytes[1], lead->second_low, lead->second_high))
		return 0;
	for (index = 2; index < lead->length; index++)
		if (!is_byte_in(bytes[index], 0x80, 0xbf))
			return 0;
	return lead->length;
}

size_t utf8_sequence_length(const unsigned char *bytes, size_t available)
{
	size_t index;

	if (available == 0)
		return 0;
	for (index = 0; index < sizeof utf8_leads / sizeof utf8_leads[0]; index++) {
		const struct utf8_lead *lead = &utf8_leads[index];
		if (is_byte_in(bytes[0], lead->first_low, lead->first_high))
			return check_utf8_sequence(lead, bytes, available);
	}
	return 0;
}

void utf8_append(struct byte_buffer *buffer, unsigned long code_point)
{
	char bytes[4];
	size_t length;

	if (code_point < 0x80) {
		bytes[0] = (char)code_point;
		length = 1;
	} else if (code_point < 0x800) {
		bytes[0] = (char)(0xc0 | (code_point >> 6));
		bytes[1] = (char)(0x80 | (code_point & 0x3f));
		length = 2;
	} else if (code_point < 0x10000) {
		bytes[0] = (char)(0xe0 | (code_point >> 12));
		bytes[1] = (char)(0x80 | ((code_point >> 6) & 0x3f));
		bytes[2] = (char)(0x80 | (code_point & 0x3f));
		length = 3;
	} else {
		bytes[0] = (char)(0xf0 | (code_point >> 18));
		bytes[1] = (char)(0x80 | ((code_point >> 12) & 0x3f));
		bytes[2] = (char)(0x80 | ((code_point >> 6) & 0x3f));
		bytes[3] = (char)(0x80 | (code_point & 0x3f));
		length = 4;
	}
	byte_buffer_append(buffer, bytes, length);
}
